package rceventstest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rcevents/rcevents-go/rceventstest"
)

func TestPaginationLinks(t *testing.T) {
	srv, c := start(t)
	path := "/v1/events/" + srv.Fixtures.EventID + "/registrations"
	base := srv.URL + path

	mid := c.list(query(path, "page", "3", "perPage", "20"))
	want := linksJSON{
		First: base + "?page=1&perPage=20",
		Self:  base + "?page=3&perPage=20",
		Last:  base + "?page=8&perPage=20",
		Prev:  strPtr(base + "?page=2&perPage=20"),
		Next:  strPtr(base + "?page=4&perPage=20"),
	}
	if !equalLinks(*mid.Links, want) || len(mid.Data) != 20 || mid.Meta.Count != 150 {
		t.Errorf("page 3:\n got %+v\nwant %+v", show(*mid.Links), show(want))
	}

	first := c.list(path)
	if first.Links.Prev != nil || len(first.Data) != 25 || first.Links.Self != base+"?page=1&perPage=25" {
		t.Errorf("default page: %+v", show(*first.Links))
	}
	last := c.list(query(path, "page", "8", "perPage", "20"))
	if last.Links.Next != nil || len(last.Data) != 10 {
		t.Errorf("last page: %d items, %+v", len(last.Data), show(*last.Links))
	}
	past := c.list(query(path, "page", "9", "perPage", "20"))
	if len(past.Data) != 0 || past.Meta.Count != 150 || past.Links.Next != nil || past.Links.Last != base+"?page=8&perPage=20" {
		t.Errorf("past the end: %d items, %+v", len(past.Data), show(*past.Links))
	}
	// Absurd page numbers are past the end, not an overflow.
	if far := c.list(query(path, "page", "9223372036854775807")); len(far.Data) != 0 {
		t.Errorf("far page: %d items", len(far.Data))
	}
	if r := c.do(http.MethodGet, query(path, "page", "2"), nil); !strings.Contains(string(r.Body), `"data":[{`) {
		t.Errorf("no data on page 2")
	}

	// perPage above the maximum is lowered to it.
	big := c.list(query(path, "perPage", "1000"))
	if len(big.Data) != 100 || !strings.HasSuffix(big.Links.Self, "perPage=100") {
		t.Errorf("perPage=1000: %d items, self %s", len(big.Data), big.Links.Self)
	}

	for _, kv := range [][]string{{"page", "0"}, {"page", "-1"}, {"page", "two"}, {"perPage", "0"}, {"perPage", "1.5"}, {"page", ""}} {
		errs := c.failure(http.StatusBadRequest, http.MethodGet, query(path, kv...), nil)
		if errs[0].Source["parameter"] != kv[0] {
			t.Errorf("%v: %+v", kv, errs[0])
		}
	}
	// Lists without filters refuse them too.
	c.failure(http.StatusBadRequest, http.MethodGet, query("/v1/events/"+srv.Fixtures.EventID+"/booths", "filter[name][eq]", "x"), nil)
}

func TestPageSizeOptions(t *testing.T) {
	srv, c := start(t, rceventstest.WithDefaultPerPage(5), rceventstest.WithMaxPerPage(10))
	path := "/v1/events/" + srv.Fixtures.EventID + "/booths"
	if l := c.list(path); len(l.Data) != 5 || l.Links.Next == nil {
		t.Errorf("default 5: %d items", len(l.Data))
	}
	if l := c.list(query(path, "perPage", "50")); len(l.Data) != 10 {
		t.Errorf("max 10: %d items", len(l.Data))
	}
}

func strPtr(s string) *string { return &s }

func equalLinks(a, b linksJSON) bool {
	return a.First == b.First && a.Self == b.Self && a.Last == b.Last && deref(a.Prev) == deref(b.Prev) && deref(a.Next) == deref(b.Next)
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

func show(l linksJSON) []string {
	return []string{l.First, l.Self, l.Last, deref(l.Prev), deref(l.Next)}
}
