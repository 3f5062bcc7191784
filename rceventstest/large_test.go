package rceventstest_test

import (
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rcevents/rcevents-go/rceventstest"
)

// TestMillionRegistrations checks that a million registrations are generated on demand:
// the last page is built on the fly, filters scan them, and the heap stays small.
func TestMillionRegistrations(t *testing.T) {
	const n = 1_000_000
	before := heapInUse()
	srv, c := start(t, rceventstest.WithRegistrations(n))
	path := "/v1/events/" + srv.Fixtures.EventID + "/registrations"

	l := c.list(query(path, "page", "10000", "perPage", "100"))
	if l.Meta.Count != n || len(l.Data) != 100 || l.Links.Next != nil ||
		*l.Links.Prev != srv.URL+path+"?page=9999&perPage=100" || l.Links.Last != l.Links.Self {
		t.Fatalf("page 10000: count %d, %d items, links %v", l.Meta.Count, len(l.Data), show(*l.Links))
	}
	last := l.Data[99]
	if !strings.Contains(last.Attributes["email"].(string), "1000000@") {
		t.Errorf("last registration: %v", last.Attributes["email"])
	}
	if got := c.get("/v1/registrations/" + last.ID); got.ID != last.ID || got.Attributes["email"] != last.Attributes["email"] {
		t.Errorf("GET the last registration: %v", got.Attributes)
	}
	for _, r := range l.Data {
		checkResource(t, r, "registration")
	}

	// Registration times grow with the index, so the last 50 are the ones from the 50th last on.
	pivot, _ := time.Parse(time.RFC3339, l.Data[50].Attributes["createdAt"].(string))
	if f := c.list(query(path, "filter[createdAt][gte]", pivot.Format(time.RFC3339))); f.Meta.Count != 50 {
		t.Errorf("createdAt ≥ the 50th last: %d", f.Meta.Count)
	}

	// A registration created through the API comes after the generated ones.
	created := expect[oneJSON](c, http.StatusCreated, http.MethodPost, path, body("registration", map[string]any{"email": "late@example.org", "firstName": "Late", "lastName": "Comer"})).Data
	if tail := c.list(query(path, "page", "10001", "perPage", "100")); tail.Meta.Count != n+1 || len(tail.Data) != 1 || tail.Data[0].ID != created.ID {
		t.Errorf("page 10001: count %d, %d items", tail.Meta.Count, len(tail.Data))
	}

	if grown := heapInUse() - before; grown > 16<<20 {
		t.Errorf("the heap grew by %d MiB for a million registrations", grown>>20)
	}
}

// heapInUse is the live heap after a collection.
func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
