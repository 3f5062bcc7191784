package rceventstest

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// A RateLimit is a limit the server puts on API requests (but the token endpoint's), as
// a token bucket: each request takes a token, the bucket holds Burst of them and refills at
// PerSecond, and a request that finds it empty is answered 429 with a JSON:API error and a
// Retry-After. The bucket starts full and runs on real time, not on the clock of WithClock,
// which only stamps data.
type RateLimit struct {
	// PerSecond is the rate the bucket refills at, in requests a second; 0 turns the
	// limit off.
	PerSecond float64
	// Burst is the size of the bucket: how many requests may come at once after a pause.
	Burst int
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

// RateLimitHeadersIETF sends RateLimit-Limit (the burst), RateLimit-Remaining (the
// requests left in the bucket) and RateLimit-Reset (the seconds until the bucket is full
// again, rounded up), as the IETF draft on rate limit headers names them.
const RateLimitHeadersIETF RateLimitHeaders = 1

// RateLimitHeadersX sends X-RateLimit-Limit, X-RateLimit-Remaining and
// X-RateLimit-Reset, the last as the Unix time in seconds when the bucket is full again,
// rounded up, as GitHub's and many other APIs do.
const RateLimitHeadersX RateLimitHeaders = 2

// rateLimiter holds the limit of SetRateLimit.
type rateLimiter struct {
	mu     sync.Mutex
	limit  RateLimit
	bucket *rate.Limiter    // nil while the limit is off
	now    func() time.Time // time.Now; tests move it instead of waiting
}

// SetRateLimit sets the server's rate limit, with a full bucket; SetRateLimit(RateLimit{})
// turns it off, as it is at first. Requests it refuses are in the request log with status
// 429 and RateLimited set; they take no fault. It panics on a negative PerSecond or
// RetryAfter, or a Burst below 1 with a PerSecond above 0.
func (s *Server) SetRateLimit(l RateLimit) {
	if l.PerSecond < 0 || l.RetryAfter < 0 || l.PerSecond > 0 && l.Burst < 1 {
		panic(fmt.Sprintf("rceventstest: SetRateLimit(%+v): want PerSecond ≥ 0, RetryAfter ≥ 0 and a Burst of at least 1", l))
	}
	rl := s.limit
	rl.mu.Lock()
	defer rl.mu.Unlock()
	rl.limit, rl.bucket = l, nil
	if l.PerSecond > 0 {
		rl.bucket = rate.NewLimiter(rate.Limit(l.PerSecond), l.Burst)
	}
}

// admit takes a token for a request and sets the headers that announce the limit. When
// the bucket is empty it reports false and the Retry-After to answer with.
func (rl *rateLimiter) admit(h http.Header) (time.Duration, bool) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if rl.bucket == nil {
		return 0, true
	}
	now := rl.now()
	ok := rl.bucket.AllowN(now, 1)
	tokens := rl.bucket.TokensAt(now)
	untilFull := time.Duration((float64(rl.limit.Burst) - tokens) / rl.limit.PerSecond * float64(time.Second))
	remaining := strconv.Itoa(max(0, int(tokens)))
	switch rl.limit.Headers {
	case RateLimitHeadersIETF:
		h.Set("RateLimit-Limit", strconv.Itoa(rl.limit.Burst))
		h.Set("RateLimit-Remaining", remaining)
		h.Set("RateLimit-Reset", seconds(untilFull))
	case RateLimitHeadersX:
		h.Set("X-RateLimit-Limit", strconv.Itoa(rl.limit.Burst))
		h.Set("X-RateLimit-Remaining", remaining)
		h.Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(untilFull+time.Second-1).Unix(), 10))
	}
	return rl.limit.RetryAfter, ok
}
