package rcevents

import (
	"context"
	"encoding/json"
	"errors"
	"io"
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
	}{{"429", 429}, {"500", 500}, {"502", 502}, {"503", 503}, {"504", 504}, {"reset", 0}} {
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
		{"GET 404", http.MethodGet, 404},
		{"PATCH 500", http.MethodPatch, 500},
		{"DELETE 500", http.MethodDelete, 500},
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
	assert.Contains(t, err.Error(), "server asked to retry after 8760h0m0s, more than MaxBackoff 10s")
}

func TestRetryAfterBeyondMaxBackoffSaysSo(t *testing.T) {
	ts := newTestServer(t, WithRetry(RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}))
	h, calls := failFirst(t, 1, http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}, okCreated)
	ts.mux.HandleFunc("/v1/x", h)
	err := ts.client.Do(context.Background(), http.MethodPost, "/v1/x", map[string]string{"a": "b"}, nil)
	require.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, int64(1), calls.Load())
	assert.Equal(t, "rcevents: POST "+ts.URL+basePath+"/v1/x: 429 Too Many Requests (Retry-After 1s): "+
		"server asked to retry after 1s, more than MaxBackoff 10ms", err.Error())
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a 429 says nothing was done")
}

// TestOutcomeUnknown checks that a write's error wraps ErrOutcomeUnknown
// exactly when the request may have been acted on.
func TestOutcomeUnknown(t *testing.T) {
	status := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.WriteHeader(code)
		}
	}
	for _, tc := range []struct {
		name    string
		method  string
		handler http.HandlerFunc
		opts    []Option
		unknown bool
	}{
		{"POST 500", http.MethodPost, status(500), nil, true},
		{"POST 502", http.MethodPost, status(502), nil, true},
		{"POST 504", http.MethodPost, status(504), nil, true},
		{"POST 503", http.MethodPost, status(503), nil, false},
		{"POST 429 every time", http.MethodPost, status(429), nil, false},
		{"POST 400", http.MethodPost, status(400), nil, false},
		{"POST 422", http.MethodPost, status(422), nil, false},
		{"POST 409", http.MethodPost, status(409), nil, false},
		{"POST reset after the request was read", http.MethodPost, func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			resetConnection(t, w)
		}, nil, true},
		{"POST 201 that cannot be read", http.MethodPost, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"data":{"id":"reg_1","attr`)
		}, nil, true},
		{"POST timed out after sending", http.MethodPost, func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		}, []Option{WithTimeout(time.Second)}, true},
		{"GET 500", http.MethodGet, status(500), nil, false},
		{"GET reset", http.MethodGet, func(w http.ResponseWriter, r *http.Request) { resetConnection(t, w) }, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, append([]Option{fastRetry}, tc.opts...)...)
			ts.mux.HandleFunc("/v1/events/evt_1/registrations", tc.handler)
			var err error
			if tc.method == http.MethodPost {
				_, err = ts.client.Registrations.Create(context.Background(), "evt_1", &RegistrationCreateRequest{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})
			} else {
				_, err = ts.client.Registrations.List(context.Background(), "evt_1", nil)
			}
			require.Error(t, err)
			assert.Equal(t, tc.unknown, errors.Is(err, ErrOutcomeUnknown), "%v", err)

			// Client.Do classes a POST the same way.
			var out json.RawMessage
			err = ts.client.Do(context.Background(), tc.method, "/v1/events/evt_1/registrations", map[string]string{"a": "b"}, &out)
			require.Error(t, err)
			assert.Equal(t, tc.unknown, errors.Is(err, ErrOutcomeUnknown), "Do: %v", err)
			t.Logf("FIGURE outcome %q unknown=%v", tc.name, tc.unknown)
		})
	}
}

func TestOutcomeKnownWhenNothingWasSent(t *testing.T) {
	req := &RegistrationCreateRequest{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"}
	t.Run("connection refused", func(t *testing.T) {
		ts := newTestServer(t, fastRetry)
		ts.Close()
		_, err := ts.client.Registrations.Create(context.Background(), "evt_1", req)
		require.Error(t, err)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	})
	t.Run("token endpoint refuses", func(t *testing.T) {
		ts := newTestServer(t)
		ts.mux.HandleFunc("/v1/auth/token", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
		c, err := NewClient(WithBaseURL(ts.URL+basePath), WithClientCredentials("id", "secret"), fastRetry)
		require.NoError(t, err)
		_, err = c.Registrations.Create(context.Background(), "evt_1", req)
		require.Error(t, err)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown)
		assert.EqualValues(t, 1, ts.requests.Load(), "only the token endpoint was asked")
	})
	t.Run("context cancelled before sending", func(t *testing.T) {
		ts := newTestServer(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := ts.client.Registrations.Create(ctx, "evt_1", req)
		require.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	})
	t.Run("invalid argument", func(t *testing.T) {
		ts := newTestServer(t)
		_, err := ts.client.Registrations.Create(context.Background(), "evt_1", &RegistrationCreateRequest{})
		require.ErrorIs(t, err, ErrInvalidArgument)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	})
}

// TestDeleteWhoseAnswerWasLost: the first attempt deletes the link and
// its answer is lost; the retry finds it gone. The link is gone, as asked.
func TestDeleteWhoseAnswerWasLost(t *testing.T) {
	for _, first := range []string{"reset", "502"} {
		t.Run(first, func(t *testing.T) {
			ts := newTestServer(t, fastRetry)
			var deleted atomic.Bool
			ts.mux.HandleFunc("/v1/magicLinks/ml_1", func(w http.ResponseWriter, r *http.Request) {
				if deleted.Swap(true) {
					writeFixture(t, w, http.StatusNotFound, "error_not_found.json")
					return
				}
				if first == "reset" {
					resetConnection(t, w)
					return
				}
				w.WriteHeader(http.StatusBadGateway)
			})
			var resp Response
			require.NoError(t, ts.client.MagicLinks.Delete(context.Background(), "ml_1", WithResponse(&resp)))
			assert.Equal(t, 2, resp.Attempts)
			assert.Equal(t, http.StatusNotFound, resp.StatusCode)
			t.Logf("FIGURE delete-lost-answer first=%s attempts=%d final=%d error=nil", first, resp.Attempts, resp.StatusCode)
		})
	}
	t.Run("missing from the start", func(t *testing.T) {
		ts := newTestServer(t, fastRetry)
		ts.mux.HandleFunc("/v1/magicLinks/ml_1", func(w http.ResponseWriter, r *http.Request) {
			writeFixture(t, w, http.StatusNotFound, "error_not_found.json")
		})
		require.ErrorIs(t, ts.client.MagicLinks.Delete(context.Background(), "ml_1"), ErrNotFound)
	})
	t.Run("503 then 404", func(t *testing.T) {
		// A 503 says the server did not act: the 404 after it is the truth.
		ts := newTestServer(t, fastRetry)
		h, _ := failFirst(t, 1, http.StatusServiceUnavailable, nil, func(w http.ResponseWriter, r *http.Request) {
			writeFixture(t, w, http.StatusNotFound, "error_not_found.json")
		})
		ts.mux.HandleFunc("/v1/magicLinks/ml_1", h)
		require.ErrorIs(t, ts.client.MagicLinks.Delete(context.Background(), "ml_1"), ErrNotFound)
	})
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

// permanentError is a transport error that says whether it is permanent.
type permanentError struct {
	permanent bool
	msg       string
}

func (e permanentError) Error() string   { return e.msg }
func (e permanentError) Permanent() bool { return e.permanent }

// TestPermanentTransportErrorNotRetried: a GET whose round trip fails with
// an error saying it is permanent is tried once, even when its message names
// a value of the call that errors leave out; one saying it is not is retried
// like any transport error.
func TestPermanentTransportErrorNotRetried(t *testing.T) {
	for _, tc := range []struct {
		err      permanentError
		attempts int64
	}{
		{permanentError{true, "round trip failed"}, 1},
		{permanentError{true, "no answer for q=7"}, 1},
		{permanentError{false, "round trip failed"}, 4},
		{permanentError{false, "no answer for q=7"}, 4},
	} {
		var calls atomic.Int64
		c, err := NewClient(WithBaseURL("https://api.test"), WithToken("t"), fastRetry, WithHTTPClient(&http.Client{
			Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
				calls.Add(1)
				return nil, tc.err
			}),
		}))
		require.NoError(t, err)
		err = c.Do(context.Background(), http.MethodGet, "/v1/things?q=7", nil, nil) // Do takes 7 for personal data
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "7")
		assert.Equal(t, tc.attempts, calls.Load(), "%+v", tc.err)
	}
}
