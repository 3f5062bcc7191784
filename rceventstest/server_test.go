package rceventstest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	rcevents "github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

func TestRequestLog(t *testing.T) {
	srv, c := start(t)
	c.do(http.MethodGet, query("/v1/events/"+srv.Fixtures.EventID+"/registrations", "page", "2"), nil)
	c.token = ""
	c.do(http.MethodGet, "/v1/health", nil)
	log := srv.Requests()
	want := []rceventstest.Request{
		{Method: "GET", Path: "/v1/events/" + srv.Fixtures.EventID + "/registrations", RawQuery: "page=2", Status: 200, AuthHeader: true},
		{Method: "GET", Path: "/v1/health", Status: 401},
	}
	for i := range log {
		if !requestIDPattern.MatchString(log[i].RequestID) || i > 0 && log[i].RequestID == log[0].RequestID {
			t.Errorf("request %d: RequestID %q", i, log[i].RequestID)
		}
		log[i].RequestID = ""
	}
	if len(log) != 2 || log[0] != want[0] || log[1] != want[1] {
		t.Errorf("log:\n got %+v\nwant %+v", log, want)
	}
	srv.ResetLog()
	if got := srv.Requests(); len(got) != 0 {
		t.Errorf("after ResetLog: %+v", got)
	}

	limited, lc := start(t, rceventstest.WithLogLimit(3))
	for i := 0; i < 10; i++ {
		lc.do(http.MethodGet, query("/v1/health", "i", string(rune('0'+i))), nil)
	}
	if log := limited.Requests(); len(log) != 3 || log[0].RawQuery != "i=7" || log[2].RawQuery != "i=9" {
		t.Errorf("limited log: %+v", log)
	}
}

func TestSeedDeterminesData(t *testing.T) {
	data := func(seed int64) (rceventstest.Fixtures, []resourceJSON) {
		srv, c := start(t, rceventstest.WithSeed(seed))
		return srv.Fixtures, c.list("/v1/events/" + srv.Fixtures.EventID + "/registrations?perPage=100").Data
	}
	fa, a := data(5)
	fb, b := data(5)
	if fa != fb || !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave different data")
	}
	if fc, c := data(6); fc.EventID == fa.EventID || fc.RegistrationID == fa.RegistrationID || reflect.DeepEqual(a[0].Attributes["email"], c[0].Attributes["email"]) {
		t.Error("another seed gave the same data")
	}
}

func TestWithAddrAndHandler(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	srv, c := start(t, rceventstest.WithAddr(addr))
	if srv.URL != "http://"+addr {
		t.Errorf("URL %q, want http://%s", srv.URL, addr)
	}
	c.do(http.MethodGet, "/v1/health", nil)

	// The handler serves the same API wherever it is mounted; links follow the Host.
	req, _ := http.NewRequest(http.MethodGet, "http://fake.example/v1/organizations", nil)
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	rec := &recorder{header: http.Header{}}
	srv.Handler().ServeHTTP(rec, req)
	if rec.status != http.StatusOK || !bytes.Contains(rec.body.Bytes(), []byte(`"first":"http://fake.example/v1/organizations?page=1`)) {
		t.Errorf("handler: %d %s", rec.status, rec.body.Bytes())
	}
}

var requestIDPattern = regexp.MustCompile(`^req_[0-9a-f]{16}$`)

type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

func TestSmallMainEvent(t *testing.T) {
	for _, n := range []int{0, 1, 7} {
		srv, c := start(t, rceventstest.WithRegistrations(n))
		fx := srv.Fixtures
		if l := c.list("/v1/events/" + fx.EventID + "/registrations"); l.Meta.Count != n || fx.Registrations != n || (n == 0) != (fx.RegistrationID == "") {
			t.Errorf("n=%d: count %d, fixtures %+v", n, l.Meta.Count, fx)
		}
		if l := c.list("/v1/tickets/" + fx.TicketID + "/magicLinks"); l.Meta.Count != 30 {
			t.Errorf("n=%d: %d magic links", n, l.Meta.Count)
		}
		r := c.do(http.MethodGet, "/v1/reports/"+fx.ReportID+"/download", nil)
		if lines := bytes.Count(r.Body, []byte("\n")); lines != n+1 {
			t.Errorf("n=%d: report of %d lines", n, lines)
		}
	}
}

// TestRequestIDs checks that every answer of the API origin carries a request ID of its
// own, successes, errors and injected faults alike, and that the log records it.
func TestRequestIDs(t *testing.T) {
	run := func(seed int64) []string {
		srv, c := start(t, rceventstest.WithSeed(seed), rceventstest.WithStorageRedirect(), rceventstest.WithReportPolls(0))
		path := "/v1/events/" + srv.Fixtures.EventID
		var ids []string
		answer := func(what string, r response) response {
			id := r.Header.Get("X-Request-Id")
			if !requestIDPattern.MatchString(id) || slices.Contains(ids, id) {
				t.Errorf("%s: X-Request-Id %q", what, id)
			}
			ids = append(ids, id)
			return r
		}
		answer("200", c.do(http.MethodGet, path, nil))
		answer("404", c.do(http.MethodGet, "/v1/events/nope", nil))
		answer("unrouted", c.do(http.MethodGet, "/v1/nothing", nil))
		for _, f := range []rceventstest.Fault{rceventstest.FaultRateLimit, rceventstest.FaultInternalError, rceventstest.FaultBadGateway, rceventstest.FaultUnavailable} {
			srv.FailNext(1, f)
			answer(f.String(), c.do(http.MethodGet, path, nil))
		}
		srv.SetRateLimit(rceventstest.RateLimit{PerSecond: 1e-9, Burst: 1})
		answer("rate limited", c.do(http.MethodGet, path, nil))
		srv.SetRateLimit(rceventstest.RateLimit{})
		resp, err := srv.HTTPClient().PostForm(srv.URL+"/v1/auth/token", url.Values{"grant_type": {"client_credentials"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		answer("token endpoint", response{Status: resp.StatusCode, Header: resp.Header})
		var report oneJSON
		if err := json.Unmarshal(answer("report", c.do(http.MethodGet, "/v1/reports/"+srv.Fixtures.ReportID, nil)).Body, &report); err != nil {
			t.Fatal(err)
		}
		c.token = ""
		answer("401", c.do(http.MethodGet, path, nil))
		if r := c.do(http.MethodGet, report.Data.Attributes["url"].(string), nil); r.Status != http.StatusOK || r.Header.Get("X-Request-Id") != "" {
			t.Errorf("storage origin: %d, X-Request-Id %q", r.Status, r.Header.Get("X-Request-Id"))
		}

		var logged []string
		for _, r := range srv.Requests() {
			logged = append(logged, r.RequestID)
		}
		if want := append(ids, ""); !slices.Equal(logged, want) { // the storage origin's last
			t.Errorf("logged request IDs\n%q\nwant\n%q", logged, want)
		}
		return logged
	}
	if a, b := run(3), run(3); !slices.Equal(a, b) {
		t.Errorf("the same seed and requests gave other request IDs:\n%q\n%q", a, b)
	}
}

// TestOnRequestChangesDataBetweenPages deletes a magic link through the SDK from inside
// the hook, before page 3 of a walk is served: the walk does not see it, and the hook saw
// every API request, the delete it made included.
func TestOnRequestChangesDataBetweenPages(t *testing.T) {
	srv, raw := start(t)
	fx := srv.Fixtures
	c := srv.Client()
	ctx := context.Background()
	path := "/v1/tickets/" + fx.TicketID + "/magicLinks"
	victim := raw.all(query(path, "perPage", "10"))[25].ID

	var seen []rceventstest.Request
	var mu sync.Mutex
	srv.OnRequest(func(r rceventstest.Request) {
		mu.Lock()
		seen = append(seen, r)
		mu.Unlock()
		if strings.Contains(r.RawQuery, "page=3") {
			if err := c.MagicLinks.Delete(ctx, victim); err != nil {
				t.Errorf("Delete from the hook: %v", err)
			}
		}
	})
	var ids []string
	for ml, err := range c.MagicLinks.All(ctx, fx.TicketID, &rcevents.MagicLinkListOptions{ListOptions: rcevents.ListOptions{PerPage: 10}}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ml.ID)
	}
	if len(ids) != 29 || slices.Contains(ids, victim) {
		t.Errorf("walked %d links, the deleted one among them: %v", len(ids), slices.Contains(ids, victim))
	}
	var calls []string
	for _, r := range seen {
		calls = append(calls, r.Method+" "+r.Path+"?"+r.RawQuery)
		if !requestIDPattern.MatchString(r.RequestID) || !r.AuthHeader {
			t.Errorf("hook got %+v", r)
		}
	}
	want := []string{
		"GET " + path + "?page=1&perPage=10",
		"GET " + path + "?page=2&perPage=10",
		"GET " + path + "?page=3&perPage=10",
		"DELETE /v1/magicLinks/" + victim + "?",
	}
	if !slices.Equal(calls, want) {
		t.Errorf("hook calls\n%q\nwant\n%q", calls, want)
	}

	srv.OnRequest(nil)
	if _, err := c.MagicLinks.Get(ctx, fx.MagicLinkID); err != nil || len(seen) != len(want) {
		t.Errorf("after OnRequest(nil): %v, %d calls", err, len(seen))
	}
}
