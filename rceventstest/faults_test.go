package rceventstest_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rcevents/rcevents-go/rceventstest"
)

func TestFaultAnswers(t *testing.T) {
	srv, c := start(t)
	srv.SetRetryAfter(2500 * time.Millisecond)
	path := "/v1/events/" + srv.Fixtures.EventID
	for _, tc := range []struct {
		fault       rceventstest.Fault
		status      int
		contentType string
		retryAfter  string
	}{
		{rceventstest.FaultRateLimit, http.StatusTooManyRequests, "application/json; charset=utf-8", "3"},
		{rceventstest.FaultInternalError, http.StatusInternalServerError, "application/json; charset=utf-8", ""},
		{rceventstest.FaultBadGateway, http.StatusBadGateway, "text/html", ""},
		{rceventstest.FaultUnavailable, http.StatusServiceUnavailable, "", "3"},
		{rceventstest.FaultGatewayTimeout, http.StatusGatewayTimeout, "text/html", ""},
	} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			srv.FailNext(1, tc.fault)
			r := c.do(http.MethodGet, path, nil)
			if r.Status != tc.status || r.Header.Get("Content-Type") != tc.contentType || r.Header.Get("Retry-After") != tc.retryAfter {
				t.Errorf("%d %q Retry-After %q; body %s", r.Status, r.Header.Get("Content-Type"), r.Header.Get("Retry-After"), r.Body)
			}
			switch {
			case strings.HasPrefix(tc.contentType, "application/json"):
				c.srv.FailNext(1, tc.fault)
				c.failure(tc.status, http.MethodGet, path, nil)
			case tc.contentType == "text/html":
				if !strings.Contains(string(r.Body), "<html>") {
					t.Errorf("body %s", r.Body)
				}
			default:
				if len(r.Body) != 0 {
					t.Errorf("body %q", r.Body)
				}
			}
			c.get(path) // only the next request failed
		})
	}
}

// TestRetryAfterIsZeroUntilSet: injected 429 and 503 answers ask for no wait unless the
// test sets one, so that clients retry at once and fault tests stay fast.
func TestRetryAfterIsZeroUntilSet(t *testing.T) {
	srv, c := start(t)
	for _, f := range []rceventstest.Fault{rceventstest.FaultRateLimit, rceventstest.FaultUnavailable} {
		srv.FailNext(1, f)
		if r := c.do(http.MethodGet, "/v1/health", nil); r.Header.Get("Retry-After") != "0" {
			t.Errorf("%v: Retry-After %q, want 0", f, r.Header.Get("Retry-After"))
		}
	}
}

func TestFaultReset(t *testing.T) {
	srv, c := start(t)
	path := "/v1/events/" + srv.Fixtures.EventID
	srv.FailNext(1, rceventstest.FaultReset)
	srv.ResetLog()
	if _, err := c.try(http.MethodGet, path, nil); err == nil {
		t.Fatal("reset connection: no error")
	}
	c.get(path)
	log := srv.Requests()
	if len(log) != 2 || log[0].Status != 0 || log[0].Fault != rceventstest.FaultReset || log[1].Status != http.StatusOK || log[1].Fault != 0 {
		t.Errorf("log: %+v", log)
	}
}

func TestFaultDropResponse(t *testing.T) {
	srv, c := start(t)
	path := "/v1/events/" + srv.Fixtures.EventID + "/registrations"
	srv.FailNext(1, rceventstest.FaultDropResponse)
	attrs := map[string]any{"email": "lost@example.org", "firstName": "Lost", "lastName": "Answer"}
	if _, err := c.try(http.MethodPost, path, body("registration", attrs)); err == nil {
		t.Fatal("dropped response: no error")
	}
	// The client saw an error, but the registration was stored.
	if got := srv.Stats().RegistrationsCreated; got != 1 {
		t.Errorf("RegistrationsCreated = %d, want 1", got)
	}
	if l := c.list(query(path, "filter[email][eq]", "lost@example.org")); l.Meta.Count != 1 {
		t.Errorf("stored registrations with the email: %d", l.Meta.Count)
	}
}

func TestFaultRevokeTokens(t *testing.T) {
	srv, c := start(t)
	path := "/v1/events/" + srv.Fixtures.EventID
	srv.FailNext(1, rceventstest.FaultRevokeTokens)
	c.failure(http.StatusUnauthorized, http.MethodGet, path, nil)
	c.failure(http.StatusUnauthorized, http.MethodGet, path, nil) // the token stays revoked
	_, tok := requestToken(t, srv, srv.ClientID, srv.ClientSecret, "", true)
	c.token = tok.AccessToken
	c.get(path)
}

func TestFailNextQueues(t *testing.T) {
	srv, c := start(t)
	path := "/v1/events/" + srv.Fixtures.EventID
	srv.FailNext(2, rceventstest.FaultRateLimit)
	srv.FailNext(1, rceventstest.FaultInternalError)
	var got []int
	for i := 0; i < 4; i++ {
		got = append(got, c.do(http.MethodGet, path, nil).Status)
	}
	if want := []int{429, 429, 500, 200}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	srv.FailNext(3, rceventstest.FaultBadGateway)
	srv.ClearFaults()
	c.get(path)
}

func TestFaultScope(t *testing.T) {
	srv, c := start(t, rceventstest.WithStorageRedirect(), rceventstest.WithReportPolls(0))
	path := "/v1/events/" + srv.Fixtures.EventID

	// By default the token endpoint is spared.
	srv.FailNext(1, rceventstest.FaultInternalError)
	if status, _ := requestToken(t, srv, srv.ClientID, srv.ClientSecret, "", true); status != http.StatusOK {
		t.Errorf("token endpoint under ScopeAPI: %d", status)
	}
	c.failure(http.StatusInternalServerError, http.MethodGet, path, nil)

	srv.SetFaultScope(rceventstest.ScopeToken)
	srv.FailNext(1, rceventstest.FaultInternalError)
	c.get(path)
	if status, _ := requestToken(t, srv, srv.ClientID, srv.ClientSecret, "", true); status != http.StatusInternalServerError {
		t.Errorf("token endpoint under ScopeToken: %d", status)
	}

	// The storage origin only under ScopeStorage.
	signed := c.get("/v1/reports/" + srv.Fixtures.ReportID).Attributes["url"].(string)
	anon := &api{t: t, srv: srv, hc: srv.HTTPClient()}
	srv.SetFaultScope(rceventstest.ScopeAPI)
	srv.SetFaultRate(rceventstest.FaultUnavailable, 1)
	if r := anon.do(http.MethodGet, signed, nil); r.Status != http.StatusOK {
		t.Errorf("storage under ScopeAPI: %d", r.Status)
	}
	srv.SetFaultScope(rceventstest.ScopeStorage)
	if r := anon.do(http.MethodGet, signed, nil); r.Status != http.StatusServiceUnavailable {
		t.Errorf("storage under ScopeStorage: %d", r.Status)
	}
	c.get(path)
}

// statuses sends n GETs one after the other and returns the answers' statuses (0 for a
// transport error).
func statuses(c *api, path string, n int) []int {
	out := make([]int, n)
	for i := range out {
		if r, err := c.try(http.MethodGet, path, nil); err == nil {
			out[i] = r.Status
		}
	}
	return out
}

func TestFaultRatesAreSeeded(t *testing.T) {
	run := func(seed int64) ([]int, []rceventstest.Request) {
		srv, c := start(t, rceventstest.WithSeed(seed))
		srv.SetFaultRate(rceventstest.FaultUnavailable, 0.2)
		srv.SetFaultRate(rceventstest.FaultRateLimit, 0.1)
		srv.SetFaultRate(rceventstest.FaultReset, 0.05)
		return statuses(c, "/v1/events/"+srv.Fixtures.EventID, 300), srv.Requests()
	}
	a, log := run(42)
	b, _ := run(42)
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different faults")
	}
	if c, _ := run(43); slices.Equal(a, c) {
		t.Error("another seed gave the same faults")
	}
	// Count on the server's side: Go's transport retries a GET whose reused connection
	// was reset, so the client sees fewer resets than were injected.
	count := map[rceventstest.Fault]int{}
	for _, r := range log {
		count[r.Fault]++
	}
	n := float64(len(log))
	for f, rate := range map[rceventstest.Fault]float64{rceventstest.FaultUnavailable: 0.2, rceventstest.FaultRateLimit: 0.1, rceventstest.FaultReset: 0.05} {
		if got := float64(count[f]); got < rate*n/2 || got > rate*n*2 {
			t.Errorf("%v: %v of %v requests, want about %v", f, got, n, rate*n)
		}
	}

	srv, c := start(t)
	srv.SetFaultRate(rceventstest.FaultInternalError, 1)
	c.failure(http.StatusInternalServerError, http.MethodGet, "/v1/health", nil)
	srv.SetFaultRate(rceventstest.FaultInternalError, 0)
	c.do(http.MethodGet, "/v1/health", nil)
}

func TestFaultRatePanics(t *testing.T) {
	srv, _ := start(t)
	for name, f := range map[string]func(){
		"rate above 1":  func() { srv.SetFaultRate(rceventstest.FaultReset, 1.5) },
		"negative rate": func() { srv.SetFaultRate(rceventstest.FaultReset, -0.1) },
		"unknown fault": func() { srv.SetFaultRate(rceventstest.Fault(99), 0.1) },
		"sum above 1": func() {
			srv.SetFaultRate(rceventstest.FaultReset, 0.6)
			srv.SetFaultRate(rceventstest.FaultRateLimit, 0.6)
		},
		"backward range":  func() { srv.SetLatency(time.Second, time.Millisecond) },
		"FailNext(0 ...)": func() { srv.FailNext(1, 0) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestLatency(t *testing.T) {
	srv, c := start(t)
	srv.SetLatency(30*time.Millisecond, 40*time.Millisecond)
	began := time.Now()
	c.do(http.MethodGet, "/v1/health", nil)
	if d := time.Since(began); d < 30*time.Millisecond {
		t.Errorf("answered after %v, want at least 30ms", d)
	}

	// A client that gives up during latency gets its error; the server does not hang.
	srv.SetLatency(time.Minute, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/health", nil)
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	if _, err := srv.HTTPClient().Do(req); err == nil {
		t.Error("no timeout")
	}
	srv.ClearFaults()
	c.do(http.MethodGet, "/v1/health", nil)

	// Close ends injected latency instead of waiting it out.
	srv.SetLatency(time.Minute, time.Minute)
	inFlight := make(chan error, 1)
	req = authorized(t, srv, "/v1/health")
	go func() {
		resp, err := srv.HTTPClient().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		inFlight <- err
	}()
	closed := make(chan struct{})
	go func() {
		srv.Close()
		close(closed)
	}()
	for _, ch := range []<-chan struct{}{closed, done(inFlight)} {
		select {
		case <-ch:
		case <-time.After(5 * time.Second):
			t.Fatal("Close waited for injected latency")
		}
	}
}

// TestBodyRate: the headers come at once and the body at the rate set, spread over it in
// pieces; ClearFaults and the fault scope turn it off.
func TestBodyRate(t *testing.T) {
	srv, c := start(t)
	whole := c.do(http.MethodGet, "/v1/events/"+srv.Fixtures.EventID, nil).Body
	const rate = 2000 // bytes a second: pieces of 200 bytes, a tenth of a second apart
	if len(whole) < 3*rate/10 {
		t.Fatalf("the answer (%d bytes) is too short to come in pieces", len(whole))
	}
	srv.SetBodyRate(rate)

	resp, err := srv.HTTPClient().Do(authorized(t, srv, "/v1/events/"+srv.Fixtures.EventID))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	headers := time.Now()
	first := make([]byte, len(whole))
	n, err := resp.Body.Read(first)
	if err != nil || n >= len(whole) {
		t.Fatalf("first read: %d of %d bytes (%v): the body came with the headers", n, len(whole), err)
	}
	rest, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(first[:n]) + string(rest); got != string(whole) {
		t.Errorf("body %q, want %q", got, whole)
	}
	// The last piece comes (len-200)/rate after the headers at the earliest.
	d, least := time.Since(headers), time.Duration(len(whole)-rate/10)*time.Second/rate
	if d < least {
		t.Errorf("body took %v after the headers, want at least %v", d, least)
	}
	t.Logf("FIGURE body-rate %d B/s: %d bytes, first read %d bytes, the rest %s after the headers (at least %s)", rate, len(whole), n, d.Round(time.Millisecond), least)

	// ClearFaults turns it off: at a byte a second, the answer would take minutes.
	srv.SetBodyRate(1)
	srv.ClearFaults()
	hc := *srv.HTTPClient()
	hc.Timeout = 10 * time.Second
	c.hc = &hc
	if got := c.do(http.MethodGet, "/v1/events/"+srv.Fixtures.EventID, nil).Body; string(got) != string(whole) {
		t.Errorf("after ClearFaults: %q", got)
	}
}

func TestBodyRatePanics(t *testing.T) {
	srv, _ := start(t)
	defer func() {
		if recover() == nil {
			t.Error("SetBodyRate(-1) did not panic")
		}
	}()
	srv.SetBodyRate(-1)
}

// done turns the arrival of a value into a closed channel.
func done[T any](ch <-chan T) <-chan struct{} {
	out := make(chan struct{})
	go func() {
		<-ch
		close(out)
	}()
	return out
}

func TestFaultString(t *testing.T) {
	if got := rceventstest.FaultRateLimit.String(); got != "rate limit (429)" {
		t.Errorf("String() = %q", got)
	}
	if got := rceventstest.Fault(0).String(); got != "none" {
		t.Errorf("String() = %q", got)
	}
	if got := rceventstest.Fault(42).String(); got != "Fault(42)" {
		t.Errorf("String() = %q", got)
	}
}
