package rceventstest_test

import (
	"bytes"
	"net"
	"net/http"
	"reflect"
	"testing"

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
