package rcevents

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter keeps every request of a client under the API's rate limit. All of
// them wait on one rate.Limiter: the caller's WithRateLimit, lowered at run
// time to what the client learns of the API's limit.
//
// A new client sends at once, letting at most 10 more requests be in flight
// than have been answered (TCP's initial window, RFC 6928), a window that
// doubles every second. When the API announces its quota, a request goes
// only while the remaining quota, less what was sent since, is at least one
// (see quota). Otherwise the API is taken to be a token bucket and learned
// from its 429s. A 429 pauses every new request for its Retry-After; the
// waiting ones resume spread over a tenth of the pause. The bucket, full when
// a pause ends, is empty at the next 429: if S requests were served in the D
// seconds between, S = burst + rate·D, less the tokens the bucket could not
// hold while the client sent under the rate. The first 429 gives the burst;
// after it the pace starts at twice the rate served over the first drain and
// its pause, and rises by as much every fifth of the pause, up to half the
// rate served in the first drain; the next 429 then gives the rate. From then
// on the pace follows a cubic, as AWS's adaptive retry mode does (CUBIC, RFC
// 9438): 5% under the rate it learned, level near it, and rising after, so
// that a raised limit is found. Each later 429 measures the rate again.
type limiter struct {
	mu       sync.Mutex
	now      func() time.Time
	random   func() float64 // in [0, 1), for the jitter
	learn    bool           // WithAdaptiveRateLimit
	ceiling  rate.Limit     // WithRateLimit's rate, or rate.Inf
	pace     *rate.Limiter
	api      origin        // answers from elsewhere say nothing of the API's limit
	pauseCap time.Duration // the longest pause: the client's MaxBackoff
	changed  chan struct{} // closed and replaced when a waiting request may go sooner

	seq, answered uint64    // requests let through; answers other than 429
	inflight      int       // requests let through and not yet answered...
	out           []uint64  // ...and their numbers, in order
	first         time.Time // when the first request went
	starting      bool      // the start-up window holds: nothing is known yet

	pauseUntil time.Time
	pauseLen   time.Duration

	cur     drain   // the drain under way: since the bucket was last taken to be full
	ended   *drain  // the drain the latest 429 ended, learned from when its pause is over
	lastP   float64 // the pause before the current drain, in seconds
	d1, s1  float64 // the first drain: its length and the requests it served
	maxRate float64 // the rate served in the first drain, above the API's
	burst   float64 // the bucket's size, once learned
	c       curve

	q quota
}

// The limiter's constants. The start-up window is TCP's; the cubic's shape
// is AWS's adaptive retry mode's, made relative to the rate.
const (
	initialWindow = 10          // RFC 6928
	windowDoubles = time.Second // the window's growth without answers: TCP's initial retransmission timeout (RFC 6298)
	cubicMargin   = 0.05        // how far under the learned rate the cubic starts
	cubicScale    = 0.005       // its growth away from the rate, as a share of the rate per second cubed
	rampStep      = 0.2         // the ramp after the first 429 adds its start every this share of the pause
)

// drain is a stretch of time between the server's bucket being full and
// its refusing a request.
type drain struct {
	from, to time.Time // the requests sent between them...
	served   float64   // ...and served
	pause    float64   // the Retry-After that ended it, in seconds
}

// curve is the pace since the latest pause: none, a ramp, or a cubic.
type curve struct {
	from       time.Time
	ramp       bool
	w0, slope  float64 // ramp: w0 + slope·t requests a second, up to top
	top        float64
	rate       float64 // cubic: around this rate; 0 while none is known
	cubicStart float64 // seconds of the cubic already past at from
}

// cubicK is the time the cubic takes to come back to its rate.
var cubicK = math.Cbrt(cubicMargin / cubicScale)

func newLimiter(learn bool, ceiling *rate.Limiter, api origin, policy RetryPolicy) *limiter {
	l := &limiter{now: time.Now, random: rand.Float64, learn: learn, ceiling: rate.Inf, api: api,
		pauseCap: policy.MaxBackoff, changed: make(chan struct{}), starting: learn}
	l.pace = rate.NewLimiter(rate.Inf, 1)
	if ceiling != nil {
		l.ceiling = ceiling.Limit()
		l.pace = ceiling
	}
	return l
}

// ticket is one call's way through the limiter.
type ticket struct {
	l                  *limiter
	seq                uint64
	sent               time.Time
	out                bool // let through and not yet answered
	resumeOf, resumeAt time.Time
}

func (l *limiter) ticket() *ticket { return &ticket{l: l} }

// pauseError ends a call that would wait on a pause longer than its own
// MaxBackoff.
type pauseError struct{ left, max time.Duration }

func (e *pauseError) Error() string {
	return fmt.Sprintf("the API paused the client for %s more (Retry-After), longer than MaxBackoff %s", e.left.Round(time.Millisecond), e.max)
}

func (e *pauseError) Is(target error) bool { return target == ErrRateLimited }

// wait blocks until the call's next attempt may be sent, or ctx ends. A
// pause longer than maxPause fails it at once.
func (t *ticket) wait(ctx context.Context, maxPause time.Duration) error {
	for {
		t.l.mu.Lock()
		d, err := t.l.try(t.l.now(), t, maxPause)
		changed := t.l.changed
		t.l.mu.Unlock()
		if d == 0 || err != nil {
			return err
		}
		if err := sleepOrChange(ctx, d, changed); err != nil {
			return err
		}
	}
}

// try lets t's attempt through at now and returns 0, or returns how long
// to wait before trying again (forever: until the limiter changes).
func (l *limiter) try(now time.Time, t *ticket, maxPause time.Duration) (time.Duration, error) {
	if d, err := l.hold(now, t, maxPause); d > 0 || err != nil {
		return d, err
	}
	if !l.pace.AllowN(now, 1) {
		d := (1 - l.pace.TokensAt(now)) / float64(l.pace.Limit())
		return max(time.Duration(d*float64(time.Second)), time.Microsecond), nil
	}
	l.seq++
	l.inflight++
	if l.first.IsZero() {
		l.first, l.cur.from = now, now
	}
	l.q.sending(now)
	t.seq, t.sent, t.out = l.seq, now, true
	return 0, nil
}

// hold returns how long t must wait at now before the rate itself may let
// it through: for a pause, the start-up window or the announced quota.
func (l *limiter) hold(now time.Time, t *ticket, maxPause time.Duration) (time.Duration, error) {
	if !l.learn {
		return 0, nil
	}
	if l.ended != nil && !now.Before(l.pauseUntil) {
		// The pause is over: what the drain it ended served is known.
		l.learnFrom(*l.ended)
		l.ended, l.c.from = nil, l.cur.from
	}
	if spread := l.pauseLen / 10; now.Before(l.pauseUntil.Add(spread)) {
		if !t.resumeOf.Equal(l.pauseUntil) {
			t.resumeOf = l.pauseUntil
			t.resumeAt = l.pauseUntil.Add(time.Duration(l.random() * float64(spread)))
		}
		if left := t.resumeAt.Sub(now); left > maxPause {
			return 0, &pauseError{left, maxPause}
		} else if left > 0 {
			return left, nil
		}
	}
	if l.starting && !l.first.IsZero() {
		if k := now.Sub(l.first) / windowDoubles; k > 20 {
			l.starting = false
		} else if l.inflight >= initialWindow<<k+int(l.answered) {
			return l.first.Add((k + 1) * windowDoubles).Sub(now), nil
		}
	}
	if d := l.q.wait(now, l.seq, l.inflight); d > 0 {
		return d, nil
	}
	if p := min(l.ceiling, rate.Limit(l.rateAt(now))); p != l.pace.Limit() {
		l.pace.SetLimitAt(now, p)
	}
	return 0, nil
}

// rateAt is the learned pace at now, or +Inf.
func (l *limiter) rateAt(now time.Time) float64 {
	c := &l.c
	if !c.ramp && c.rate == 0 || l.q.known {
		return math.Inf(1)
	}
	t := max(now.Sub(c.from).Seconds(), 0)
	if c.ramp {
		if w := c.w0 + c.slope*t; w < c.top {
			return w
		}
		// Up to the top without a 429: from here on, probe as a cubic does.
		*c = curve{from: now, rate: c.top, cubicStart: cubicK}
		t = 0
	}
	x := t + c.cubicStart - cubicK
	return max(c.rate*(1+cubicScale*x*x*x), c.rate*(1-cubicMargin))
}

// end gives back t's place if its latest attempt was never answered.
func (t *ticket) end() {
	t.observe(nil)
}

// observe takes the answer to t's latest attempt: resp, or nil when the
// round trip failed.
func (t *ticket) observe(resp *http.Response) {
	l := t.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if !t.out {
		return
	}
	t.out = false
	l.inflight--
	defer l.broadcast()
	if !l.learn || resp == nil || resp.Request == nil || originOf(resp.Request.URL) != l.api {
		return
	}
	now := l.now()
	defer func() {
		if l.inflight == 0 {
			l.q.quiet(now, l.seq)
		}
	}()
	if l.q.observe(t.seq, resp.StatusCode == http.StatusTooManyRequests, t.sent, resp.Header, now) {
		l.starting = false
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		l.answered++
		if e := l.ended; e != nil && t.sent.Before(e.to) {
			e.served++ // the drain was over when it went, but it was served within it
		} else if !t.sent.Before(l.cur.from) {
			l.cur.served++
		}
		return
	}
	ra, _ := parseRetryAfter(resp.Header.Get("Retry-After"), now)
	p := min(ra, l.pauseCap)
	if p <= 0 || t.sent.Before(l.cur.from) {
		// A 429 that asks for no pause gives no time to learn from (a
		// server failing at random, or the fake's injected faults): the
		// refused call backs off by its own policy. One sent before the
		// latest pause ended is answered by that pause.
		return
	}
	l.starting = false
	if l.ended != nil {
		l.learnFrom(*l.ended)
	}
	l.cur.to, l.cur.pause = t.sent, p.Seconds()
	l.ended = &drain{}
	*l.ended = l.cur
	if until := now.Add(p); until.After(l.pauseUntil) {
		l.pauseUntil, l.pauseLen = until, p
	}
	l.cur = drain{from: later(l.pauseUntil, now)}
}

// learnFrom takes a drain that ended in a 429.
func (l *limiter) learnFrom(e drain) {
	d, s, p := max(e.to.Sub(e.from).Seconds(), 1e-3), e.served, e.pause
	defer func() { l.lastP = p }()
	if s < 1 {
		return // nothing served: the drain says nothing of the rate
	}
	floor := s / (d + l.lastP)
	switch c := &l.c; {
	case !c.ramp && c.rate == 0: // the first drain: the bucket's size
		l.d1, l.s1, l.burst, l.maxRate = d, s, max(s, 1), s/d
		w0 := 2 * s / (d + p)
		*c = curve{ramp: true, w0: w0, slope: w0 / (rampStep * p), top: max(l.maxRate/2, w0)}
	case c.ramp: // the second: S + waste − S₁ = rate·(D − D₁)
		r := (s - l.s1) / (d - l.d1)
		if d <= l.d1 || r > c.w0 {
			// The ramp passed the rate: it left (rate − w0)²/2·slope unused.
			b := c.w0 + c.slope*(d-l.d1)
			r = b - math.Sqrt(max(b*b-c.w0*c.w0-2*c.slope*(s-l.s1), 0))
		}
		r = min(max(r, floor), l.maxRate)
		l.burst = max(1, min(l.s1, l.s1-r*l.d1+0.5, r*p+0.5))
		*c = curve{rate: r}
	default: // later ones: the cubic left about margin·rate·K/4 unused
		r := (s + cubicMargin*c.rate*cubicK/4 - l.burst + 0.5) / d
		l.burst = max(1, min(l.burst, r*p+0.5))
		*c = curve{rate: max(r, floor)}
	}
}

// broadcast wakes the requests waiting for a change.
func (l *limiter) broadcast() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// forever is how long a wait lasts that only a change can end.
const forever = time.Duration(math.MaxInt64)

// sleepOrChange waits for d, until changed is closed, or until ctx ends.
func sleepOrChange(ctx context.Context, d time.Duration, changed <-chan struct{}) error {
	var timeout <-chan time.Time
	if d != forever {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-timeout:
	case <-changed:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
