package rcevents

// The reliability guarantees of RELIABILITY.md that need the package's
// internals or purpose-built servers. The ones proven against the fake API
// are in reliability_fake_test.go.

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRetryAfterGarbageBacksOff: a Retry-After that is neither seconds nor a
// date is ignored, and the retry waits for the policy's backoff instead of
// hammering the server at once. The backoff here is at least two seconds
// but for a chance of 1 in 10^7, far longer than the call may last.
func TestRetryAfterGarbageBacksOff(t *testing.T) {
	for _, value := range []string{"soon", "-3", "1.5", "Tomorrow, 25:00", "0x10"} {
		t.Run(value, func(t *testing.T) {
			ts := newTestServer(t, WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: 10000 * time.Hour, MaxBackoff: 10000 * time.Hour}))
			var calls atomic.Int64
			ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) > 1 {
					t.Errorf("retried at once after Retry-After %q", value)
				}
				w.Header().Set("Retry-After", value)
				w.WriteHeader(http.StatusTooManyRequests)
			})
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			_, err := ts.client.Health(ctx)
			require.ErrorIs(t, err, context.DeadlineExceeded, "the call was still waiting to retry when its context ended")
			require.ErrorIs(t, err, ErrRateLimited)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Zero(t, apiErr.RetryAfter)
			assert.Equal(t, int64(1), calls.Load())
		})
	}
}
