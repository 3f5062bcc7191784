package rceventstest

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// A RateLimit is a limit the server puts on API requests (but the token endpoint's): a
// token bucket, or a fixed window. In a bucket each request takes a token, the bucket
// holds Burst of them and refills at PerSecond. In a fixed window at most PerWindow
// requests are served in each Window, the windows following one another from the
// moment SetRateLimit was called, as RingCentral's platform counts them. A request over
// the limit is answered 429 with a JSON:API error and a Retry-After. The limit starts
// whole and runs on real time, not on the clock of WithClock, which only stamps data.
type RateLimit struct {
	// PerSecond is the rate the bucket refills at, in requests a second; 0 turns the
	// bucket off.
	PerSecond float64
	// Burst is the size of the bucket: how many requests may come at once after a pause.
	Burst int
	// Window, when set, makes the limit a fixed window of PerWindow requests, in place
	// of the bucket.
	Window    time.Duration
	PerWindow int
	// RetryAfter is the Retry-After of the limit's 429 answers, sent in whole seconds
	// rounded up (0 sends "0").
	RetryAfter time.Duration
	// Headers chooses the headers that announce the limit on every API answer.
	Headers RateLimitHeaders
}

// RateLimitHeaders names a set of headers that announce a rate limit.
type RateLimitHeaders int

// RateLimitHeadersNone sends no header but the Retry-After of 429 answers.
const RateLimitHeadersNone RateLimitHeaders = 0

// RateLimitHeadersIETF sends RateLimit-Limit (the burst, or the requests a window
// allows), RateLimit-Remaining (the requests left in the bucket or the window) and
// RateLimit-Reset (the seconds until the bucket is full again or the window ends,
// rounded up), as the IETF draft on rate limit headers names them.
const RateLimitHeadersIETF RateLimitHeaders = 1

// RateLimitHeadersX sends X-RateLimit-Limit, X-RateLimit-Remaining and
// X-RateLimit-Reset, the last as the Unix time in seconds when the bucket is full again
// or the window ends, rounded up, as GitHub's and many other APIs do.
const RateLimitHeadersX RateLimitHeaders = 2

// RateLimitHeadersRingCentral sends X-Rate-Limit-Group ("medium"), X-Rate-Limit-Limit,
// X-Rate-Limit-Remaining and X-Rate-Limit-Window (the window's length in seconds,
// rounded up; for a bucket, the time it takes to fill from empty), as RingCentral's
// platform does: no reset.
const RateLimitHeadersRingCentral RateLimitHeaders = 3

// rateLimiter holds the limit of SetRateLimit.
type rateLimiter struct {
	mu     sync.Mutex
	limit  RateLimit
	bucket *rate.Limiter    // the bucket, nil while it is off
	opened time.Time        // the current window's start
	used   int              // the requests the current window served
	now    func() time.Time // time.Now; tests move it instead of waiting
}

// SetRateLimit sets the server's rate limit, whole; SetRateLimit(RateLimit{}) turns it
// off, as it is at first. Requests it refuses are in the request log with status 429 and
// RateLimited set; they take no fault. It panics on a negative PerSecond, Window or
// RetryAfter, a Burst below 1 with a PerSecond above 0, or a PerWindow below 1 with a
// Window.
func (s *Server) SetRateLimit(l RateLimit) {
	if l.PerSecond < 0 || l.Window < 0 || l.RetryAfter < 0 || l.PerSecond > 0 && l.Burst < 1 || l.Window > 0 && l.PerWindow < 1 {
		panic(fmt.Sprintf("rceventstest: SetRateLimit(%+v): want PerSecond, Window and RetryAfter ≥ 0, a Burst of at least 1 with a PerSecond, and a PerWindow of at least 1 with a Window", l))
	}
	rl := s.limit
	rl.mu.Lock()
	defer rl.mu.Unlock()
	rl.limit, rl.bucket, rl.opened, rl.used = l, nil, rl.now(), 0
	if l.PerSecond > 0 && l.Window == 0 {
		rl.bucket = rate.NewLimiter(rate.Limit(l.PerSecond), l.Burst)
	}
}

// admit counts a request and sets the headers that announce the limit. When the limit
// is reached it reports false and the Retry-After to answer with.
func (rl *rateLimiter) admit(h http.Header) (time.Duration, bool) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	l, now := rl.limit, rl.now()
	var ok bool
	var limit, left int
	var reset, window time.Duration // until whole again; the window's length
	switch {
	case l.Window > 0:
		if since := now.Sub(rl.opened); since >= l.Window {
			rl.opened, rl.used = rl.opened.Add(since.Truncate(l.Window)), 0
		}
		if ok = rl.used < l.PerWindow; ok {
			rl.used++
		}
		limit, left, window = l.PerWindow, l.PerWindow-rl.used, l.Window
		reset = rl.opened.Add(l.Window).Sub(now)
	case rl.bucket != nil:
		ok = rl.bucket.AllowN(now, 1)
		tokens := rl.bucket.TokensAt(now)
		limit, left = l.Burst, max(0, int(tokens))
		reset = time.Duration((float64(l.Burst) - tokens) / l.PerSecond * float64(time.Second))
		window = time.Duration(float64(l.Burst) / l.PerSecond * float64(time.Second))
	default:
		return 0, true
	}
	switch l.Headers {
	case RateLimitHeadersIETF:
		h.Set("RateLimit-Limit", strconv.Itoa(limit))
		h.Set("RateLimit-Remaining", strconv.Itoa(left))
		h.Set("RateLimit-Reset", seconds(reset))
	case RateLimitHeadersX:
		h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(left))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(reset+time.Second-1).Unix(), 10))
	case RateLimitHeadersRingCentral:
		h.Set("X-Rate-Limit-Group", "medium")
		h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
		h.Set("X-Rate-Limit-Remaining", strconv.Itoa(left))
		h.Set("X-Rate-Limit-Window", seconds(window))
	}
	return l.RetryAfter, ok
}
