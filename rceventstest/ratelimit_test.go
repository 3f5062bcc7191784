package rceventstest_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	rcevents "github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

// limited starts a fake whose rate limit runs on a Clock the test advances.
func limited(t *testing.T, l rceventstest.RateLimit) (*rceventstest.Server, *api, *rceventstest.Clock) {
	srv, c := start(t)
	clock := rceventstest.NewClock(time.Date(2026, 2, 3, 12, 0, 0, 250_000_000, time.UTC))
	rceventstest.SetRateLimitClock(srv, clock.Now)
	srv.SetRateLimit(l)
	return srv, c, clock
}

// answers sends n GETs and returns their statuses and the values of header.
func answers(c *api, path string, n int, header string) (statuses []int, values []string) {
	for range n {
		r := c.do(http.MethodGet, path, nil)
		statuses = append(statuses, r.Status)
		values = append(values, r.Header.Get(header))
	}
	return statuses, values
}

func TestRateLimitBurstAndRefill(t *testing.T) {
	srv, c, clock := limited(t, rceventstest.RateLimit{PerSecond: 2, Burst: 3, RetryAfter: 1500 * time.Millisecond, Headers: rceventstest.RateLimitHeadersIETF})
	path := "/v1/events/" + srv.Fixtures.EventID

	// A burst: exactly Burst requests pass.
	statuses, remaining := answers(c, path, 5, "RateLimit-Remaining")
	if want := []int{200, 200, 200, 429, 429}; !slices.Equal(statuses, want) {
		t.Fatalf("burst: %v, want %v", statuses, want)
	}
	if want := []string{"2", "1", "0", "0", "0"}; !slices.Equal(remaining, want) {
		t.Errorf("RateLimit-Remaining %v, want %v", remaining, want)
	}
	errs := c.failure(http.StatusTooManyRequests, http.MethodGet, path, nil)
	if errs[0].Code != "too_many_requests" {
		t.Errorf("429 error %+v", errs[0])
	}
	r := c.do(http.MethodGet, path, nil)
	if r.Header.Get("Retry-After") != "2" || r.Header.Get("RateLimit-Limit") != "3" || r.Header.Get("RateLimit-Reset") != "2" {
		t.Errorf("429 headers: %v", r.Header)
	}

	// The bucket refills at PerSecond: half a second gives one request back, and it is
	// full again after Burst/PerSecond.
	clock.Advance(500 * time.Millisecond)
	if statuses, _ := answers(c, path, 2, ""); !slices.Equal(statuses, []int{200, 429}) {
		t.Errorf("after 500ms: %v, want [200 429]", statuses)
	}
	clock.Advance(time.Minute)
	statuses, reset := answers(c, path, 4, "RateLimit-Reset")
	if !slices.Equal(statuses, []int{200, 200, 200, 429}) || !slices.Equal(reset, []string{"1", "1", "2", "2"}) {
		t.Errorf("full again: %v, RateLimit-Reset %v", statuses, reset)
	}
	if r := c.do(http.MethodGet, path, nil); r.Header.Get("Retry-After") != "2" {
		t.Errorf("Retry-After %q, want 2 (1.5s rounded up)", r.Header.Get("Retry-After"))
	}

	// Refused requests are logged as such, with no fault; the token endpoint is not limited.
	for _, e := range srv.Requests() {
		if e.RateLimited != (e.Status == http.StatusTooManyRequests) || e.Fault != 0 {
			t.Errorf("logged %+v", e)
		}
	}
	if status, _ := requestToken(t, srv, srv.ClientID, srv.ClientSecret, "", true); status != http.StatusOK {
		t.Errorf("token endpoint under an empty bucket: %d", status)
	}

	// Off again: no limit, no header.
	srv.SetRateLimit(rceventstest.RateLimit{})
	if statuses, limit := answers(c, path, 5, "RateLimit-Limit"); slices.Contains(statuses, 429) || limit[0] != "" {
		t.Errorf("without a limit: %v, RateLimit-Limit %q", statuses, limit[0])
	}
}

func TestRateLimitXHeaders(t *testing.T) {
	srv, c, clock := limited(t, rceventstest.RateLimit{PerSecond: 0.5, Burst: 2, Headers: rceventstest.RateLimitHeadersX})
	path := "/v1/events/" + srv.Fixtures.EventID
	var got [][3]string
	for range 3 {
		r := c.do(http.MethodGet, path, nil)
		got = append(got, [3]string{r.Header.Get("X-RateLimit-Limit"), r.Header.Get("X-RateLimit-Remaining"), r.Header.Get("X-RateLimit-Reset")})
		if r.Header.Get("RateLimit-Limit") != "" {
			t.Errorf("IETF headers with RateLimitHeadersX: %v", r.Header)
		}
		if r.Status == http.StatusTooManyRequests && r.Header.Get("Retry-After") != "0" {
			t.Errorf("Retry-After %q, want 0", r.Header.Get("Retry-After"))
		}
	}
	// Full again 2 s after the first request, 4 s after the second: Unix seconds, rounded up.
	unix := func(d time.Duration) string { return strconv.FormatInt(clock.Now().Add(d+time.Second-1).Unix(), 10) }
	want := [][3]string{{"2", "1", unix(2 * time.Second)}, {"2", "0", unix(4 * time.Second)}, {"2", "0", unix(4 * time.Second)}}
	if !slices.Equal(got, want) {
		t.Errorf("X-RateLimit-* %v, want %v", got, want)
	}
}

// TestRateLimitFixedWindow: PerWindow requests a Window, the windows following one
// another from SetRateLimit, announced as RingCentral's platform does and in the other
// header styles.
func TestRateLimitFixedWindow(t *testing.T) {
	srv, c, clock := limited(t, rceventstest.RateLimit{Window: time.Second, PerWindow: 3, RetryAfter: time.Second, Headers: rceventstest.RateLimitHeadersRingCentral})
	path := "/v1/events/" + srv.Fixtures.EventID
	clock.Advance(600 * time.Millisecond)
	var got [][4]string
	var statuses []int
	for range 4 {
		r := c.do(http.MethodGet, path, nil)
		statuses = append(statuses, r.Status)
		got = append(got, [4]string{r.Header.Get("X-Rate-Limit-Group"), r.Header.Get("X-Rate-Limit-Limit"), r.Header.Get("X-Rate-Limit-Remaining"), r.Header.Get("X-Rate-Limit-Window")})
	}
	if want := []int{200, 200, 200, 429}; !slices.Equal(statuses, want) {
		t.Fatalf("a window: %v, want %v", statuses, want)
	}
	want := [][4]string{{"medium", "3", "2", "1"}, {"medium", "3", "1", "1"}, {"medium", "3", "0", "1"}, {"medium", "3", "0", "1"}}
	if !slices.Equal(got, want) {
		t.Errorf("X-Rate-Limit-* %v, want %v", got, want)
	}
	// The window ends a second after SetRateLimit, not after the first request.
	clock.Advance(400 * time.Millisecond)
	if statuses, _ := answers(c, path, 4, ""); !slices.Equal(statuses, []int{200, 200, 200, 429}) {
		t.Errorf("next window: %v", statuses)
	}

	srv.SetRateLimit(rceventstest.RateLimit{Window: 2 * time.Second, PerWindow: 2, Headers: rceventstest.RateLimitHeadersIETF})
	clock.Advance(500 * time.Millisecond)
	statuses, reset := answers(c, path, 3, "RateLimit-Reset")
	if !slices.Equal(statuses, []int{200, 200, 429}) || !slices.Equal(reset, []string{"2", "2", "2"}) {
		t.Errorf("IETF headers of a window: %v, RateLimit-Reset %v (1.5 s left, rounded up)", statuses, reset)
	}
}

// TestRateLimitWithClient walks the registrations with the SDK while the bucket, of one
// request, refills half a request with each request sent: every page but the first is
// refused once, and the client retries it and gets it.
func TestRateLimitWithClient(t *testing.T) {
	srv, _, clock := limited(t, rceventstest.RateLimit{PerSecond: 1, Burst: 1})
	srv.OnRequest(func(rceventstest.Request) { clock.Advance(500 * time.Millisecond) })
	n := 0
	for _, err := range srv.Client().Registrations.All(context.Background(), srv.Fixtures.EventID, &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 50}}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	limitedCount := 0
	for _, r := range srv.Requests() {
		if r.RateLimited {
			limitedCount++
		}
	}
	if n != srv.Fixtures.Registrations || limitedCount != 2 {
		t.Errorf("walked %d registrations, %d requests refused; want %d and 2", n, limitedCount, srv.Fixtures.Registrations)
	}
}

func TestRateLimitPanics(t *testing.T) {
	srv, _ := start(t)
	for _, l := range []rceventstest.RateLimit{{PerSecond: -1, Burst: 1}, {PerSecond: 1}, {PerSecond: 1, Burst: 1, RetryAfter: -time.Second},
		{Window: time.Second}, {Window: -time.Second, PerWindow: 1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("SetRateLimit(%+v): no panic", l)
				}
			}()
			srv.SetRateLimit(l)
		}()
	}
}
