package rcevents

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fastRetry retries quickly, so tests do not wait for backoffs.
var fastRetry = WithRetry(RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})

// failFirst answers the first n requests with status (a reset connection
// when status is 0) and then with ok.
func failFirst(t *testing.T, n int64, status int, header http.Header, ok http.HandlerFunc) (http.HandlerFunc, *atomic.Int64) {
	var calls atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) > n {
			ok(w, r)
			return
		}
		if status == 0 {
			resetConnection(t, w)
			return
		}
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
	}, &calls
}

// resetConnection closes the client's connection without an answer.
func resetConnection(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	require.NoError(t, err)
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

func okHealth(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"status":"ok"}`)) }

func okCreated(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusCreated)
	w.Write([]byte(`{"data":{"id":"reg_1","type":"registration","attributes":{}}}`))
}

func TestGetRetried(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
	}{{"429", 429}, {"502", 502}, {"503", 503}, {"504", 504}, {"reset", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, fastRetry)
			h, calls := failFirst(t, 3, tc.status, nil, okHealth)
			ts.mux.HandleFunc("/v1/health", h)
			_, err := ts.client.Health(context.Background())
			require.NoError(t, err)
			assert.Equal(t, int64(4), calls.Load())
		})
	}
}

func TestRetriesAreBounded(t *testing.T) {
	ts := newTestServer(t, fastRetry)
	h, calls := failFirst(t, 100, http.StatusServiceUnavailable, nil, okHealth)
	ts.mux.HandleFunc("/v1/health", h)
	_, err := ts.client.Health(context.Background())
	require.ErrorIs(t, err, ErrServer)
	assert.Equal(t, int64(4), calls.Load())
}

func TestNotRetried(t *testing.T) {
	for _, tc := range []struct {
		name   string
		method string
		status int
	}{
		{"GET 500", http.MethodGet, 500},
		{"GET 404", http.MethodGet, 404},
		{"GET 422", http.MethodGet, 422},
		{"POST 500", http.MethodPost, 500},
		{"POST 502", http.MethodPost, 502},
		{"POST 503", http.MethodPost, 503},
		{"POST reset", http.MethodPost, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, fastRetry)
			h, calls := failFirst(t, 1, tc.status, nil, okCreated)
			ts.mux.HandleFunc("/v1/x", h)
			err := ts.client.Do(context.Background(), tc.method, "/v1/x", map[string]string{"a": "b"}, nil)
			require.Error(t, err)
			assert.Equal(t, int64(1), calls.Load())
		})
	}
}

func TestPostRetriedOn429(t *testing.T) {
	ts := newTestServer(t, fastRetry)
	var bodies []string
	h, calls := failFirst(t, 2, http.StatusTooManyRequests, http.Header{"Retry-After": {"0"}}, okCreated)
	ts.mux.HandleFunc("/v1/x", func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 64)
		n, _ := r.Body.Read(b)
		bodies = append(bodies, string(b[:n]))
		h(w, r)
	})
	var resp Response
	err := ts.client.Do(context.Background(), http.MethodPost, "/v1/x", map[string]string{"a": "b"}, nil, WithResponse(&resp))
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, 3, resp.Attempts)
	assert.Equal(t, int64(3), calls.Load())
	assert.Equal(t, []string{`{"a":"b"}`, `{"a":"b"}`, `{"a":"b"}`}, bodies, "the body is replayed whole")
}

func TestRetryAfterHonoured(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value func() string
	}{
		{"seconds", func() string { return "1" }},
		{"date", func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Second}))
			var first time.Time
			var waited time.Duration
			var calls atomic.Int64
			ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					first = time.Now()
					w.Header().Set("Retry-After", tc.value())
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				waited = time.Since(first)
				okHealth(w, r)
			})
			_, err := ts.client.Health(context.Background())
			require.NoError(t, err)
			// The second attempt came no earlier than the server asked.
			assert.GreaterOrEqual(t, waited, 900*time.Millisecond)
		})
	}
}

func TestRetryAfterTooLongEndsTheCall(t *testing.T) {
	ts := newTestServer(t, WithRetry(RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Second}))
	h, calls := failFirst(t, 1, http.StatusTooManyRequests, http.Header{"Retry-After": {"31536000"}}, okHealth)
	ts.mux.HandleFunc("/v1/health", h)
	_, err := ts.client.Health(context.Background())
	require.ErrorIs(t, err, ErrRateLimited)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 365*24*time.Hour, apiErr.RetryAfter)
	assert.Equal(t, int64(1), calls.Load())
	assert.Contains(t, err.Error(), "(Retry-After 8760h0m0s)")
}

func TestCancelDuringBackoff(t *testing.T) {
	ts := newTestServer(t, WithRetry(RetryPolicy{MaxAttempts: 4, MinBackoff: time.Hour, MaxBackoff: time.Hour}))
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "3000")
		w.WriteHeader(http.StatusServiceUnavailable)
		// Once this answer is out, the client sleeps for 50 minutes.
		time.AfterFunc(100*time.Millisecond, cancel)
	})
	start := time.Now()
	_, err := ts.client.Health(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, ErrServer, "the last answer stays reachable")
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Equal(t, int64(1), calls.Load())
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 12 ", 12 * time.Second, true},
		{"-3", 0, false},
		{"+3", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999999999999", maxRetryAfter, true},
		{"9999999999", maxRetryAfter, true},
		{"Sat, 21 Nov 2026 10:00:30 GMT", 30 * time.Second, true},
		{"Sat, 21 Nov 2026 09:00:00 GMT", 0, true},
		{"Sun, 21 Nov 2027 10:00:00 GMT", maxRetryAfter, true},
		{"Sat, 21 Nov 3026 10:00:00 GMT", maxRetryAfter, true},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
	}
}

func TestBackoffIsBounded(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 10, MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}
	for n := 1; n < 100; n++ {
		d := p.backoff(n)
		assert.GreaterOrEqual(t, d, time.Duration(0))
		assert.LessOrEqual(t, d, time.Second)
		if n == 1 {
			assert.LessOrEqual(t, d, 100*time.Millisecond)
		}
	}
	assert.Equal(t, DefaultRetryPolicy(), RetryPolicy{}.withDefaults())
}

func TestRateLimitShared(t *testing.T) {
	ts := newTestServer(t, WithRateLimit(1, 1))
	ts.mux.HandleFunc("/v1/health", okHealth)
	_, err := ts.client.Health(context.Background())
	require.NoError(t, err)

	// The bucket is empty: the next request would wait a second, longer
	// than this context lasts.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = ts.client.Health(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "waiting for the rate limiter")
	assert.Equal(t, int64(1), ts.requests.Load())
}

func TestAttemptTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	ts := newTestServer(t, WithTimeout(50*time.Millisecond), WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	var calls atomic.Int64
	ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Write([]byte(`{"status":`))
		w.(http.Flusher).Flush()
		select { // trickle: never finish the body
		case <-release:
		case <-r.Context().Done():
		}
	})
	_, err := ts.client.Health(context.Background())
	require.Error(t, err)
	assert.True(t, errors.Is(err, errAttemptTimeout), err.Error())
	assert.Contains(t, err.Error(), "attempt timed out after 50ms")
	assert.Equal(t, int64(1), calls.Load(), "a body cut short is not retried")
}
