package rcevents

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter keeps every request of a client under the API's rate limit. They
// all wait on one rate.Limiter: WithRateLimit's, set lower at run time to
// the pace the client learns.
//
// A new client sends at once, with at most 10 more requests in flight than
// have been answered (TCP's initial window, RFC 6928), a window that
// doubles every second. A quota the API announces is followed (see quota).
// Otherwise the API is taken to be a token bucket, learned from its 429s. A
// 429 pauses every new request for its Retry-After; the first waiting one
// resumes when it ends, the others spread over a tenth of the pause. The
// bucket is full when a pause ends and empty at the next 429, so what was
// served from the first request after it to that 429, S requests in D
// seconds, is burst + rate·D, less what the bucket could not hold while the
// client sent under the rate. The first 429 gives the burst. After it the
// pace starts at twice the rate served over that drain and its pause, and
// rises by as much every fifth of the pause, up to half the rate the drain
// served; the next 429 gives the rate. From then on the pace follows a
// cubic around it, as AWS's adaptive retry mode does (CUBIC, RFC 9438): 5%
// under, level near it, rising after, so that a raised limit is found; each
// later 429 measures the rate again. A 429 that asks for no pause teaches
// nothing: its call backs off by its own policy.
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
	out           []uint64  // the requests let through and not answered, in order
	first         time.Time // when the first request went
	starting      bool      // the start-up window holds

	pauseUntil time.Time
	pauseLen   time.Duration
	resumers   float64 // 0 until a waiting request is given when to resume

	cur    drain   // the drain under way
	ended  *drain  // the one the latest 429 ended, learned from when its pause is over
	lastP  float64 // the pause before the drain under way, in seconds
	drains int     // the drains learned from
	d1, s1 float64 // the first drain: its length and what it served
	burst  float64 // the bucket's size, once learned
	c      curve
	q      quota
}

// The limiter's constants. The start-up window is TCP's; the cubic's shape
// AWS's adaptive retry mode's (CUBIC, RFC 9438), relative to the rate. Its
// numbers and the ramp's step were chosen with the simulations of
// ratelimit_test.go (TestLimiterLearnsThePace, TestLimiterRaisedLimitIsFound).
const (
	initialWindow   = 10          // RFC 6928
	windowDoubles   = time.Second // TCP's initial retransmission timeout (RFC 6298)
	windowDoublings = 20          // the start-up window ends by then: 10<<20 requests bound nothing
	cubicMargin     = 0.05        // how far under the learned rate the cubic starts
	cubicScale      = 0.002       // its growth away from the rate, a share of the rate per second cubed
	rampStep        = 0.2         // the ramp adds its start every this share of the pause
	newtonSteps     = 8           // a fixed number, so that learning a drain costs the same every time
)

// cubicK is the time the cubic takes to come back to its rate.
var cubicK = math.Cbrt(cubicMargin / cubicScale)

// drain is a stretch of time from the server's bucket being full to its
// refusing a request.
type drain struct {
	from, to time.Time // the requests sent between them...
	served   float64   // ...and served
	pause    float64   // the Retry-After that ended it, in seconds
}

// curve is the pace since the latest pause: none while rate is 0; else a
// ramp of w0 + slope·t requests a second up to rate, then a cubic around
// rate from its level part; or, with no ramp, the cubic from 5% under rate.
type curve struct {
	from            time.Time
	w0, slope, rate float64
}

func newLimiter(learn bool, ceiling *rate.Limiter, api origin, policy RetryPolicy) *limiter {
	l := &limiter{now: time.Now, random: rand.Float64, learn: learn, ceiling: rate.Inf, api: api,
		pauseCap: policy.MaxBackoff, changed: make(chan struct{}), starting: learn, pace: rate.NewLimiter(rate.Inf, 1),
	}
	if ceiling != nil {
		l.ceiling, l.pace = ceiling.Limit(), ceiling
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
		if err := sleepOr(ctx, min(d, maxRetryAfter), changed); err != nil {
			return err
		}
	}
}

// forever is how long a wait lasts that only a change of the limiter ends.
const forever = time.Duration(math.MaxInt64)

// try lets t's attempt through at now and returns 0, or returns how long
// to wait before trying again.
func (l *limiter) try(now time.Time, t *ticket, maxPause time.Duration) (time.Duration, error) {
	if d, err := l.hold(now, t, maxPause); d > 0 || err != nil {
		return d, err
	}
	if !l.pace.AllowN(now, 1) {
		d := (1 - l.pace.TokensAt(now)) / float64(l.pace.Limit()) * float64(time.Second)
		return time.Duration(min(max(d, float64(time.Microsecond)), float64(maxRetryAfter))), nil
	}
	l.seq++
	if l.first.IsZero() {
		l.first = now
	}
	if l.cur.from.IsZero() { // the drain and the curve begin with its first request
		l.cur.from, l.c.from = now, now
	}
	l.q.sending(now)
	t.seq, t.sent, t.out = l.seq, now, true
	l.out = append(l.out, l.seq)
	return 0, nil
}

// hold returns how long t must wait at now for a pause, the start-up
// window or the quota, before the pace may let it through.
func (l *limiter) hold(now time.Time, t *ticket, maxPause time.Duration) (time.Duration, error) {
	if !l.learn {
		return 0, nil
	}
	if l.ended != nil && !now.Before(l.pauseUntil) {
		l.learnFrom(*l.ended) // what the drain served is known by the end of its pause
		l.ended, l.c.from = nil, now
	}
	if spread := l.pauseLen / 10; now.Before(l.pauseUntil.Add(spread)) {
		if !t.resumeOf.Equal(l.pauseUntil) {
			t.resumeOf, t.resumeAt = l.pauseUntil, l.pauseUntil.Add(time.Duration(l.random()*float64(spread)*l.resumers))
			l.resumers = 1 // the first goes when the pause ends
		}
		if left := t.resumeAt.Sub(now); left > maxPause {
			return 0, fmt.Errorf("%w: the API paused the client for %s more (Retry-After), longer than MaxBackoff %s",
				ErrRateLimited, left.Round(time.Millisecond), maxPause)
		} else if left > 0 {
			return left, nil
		}
	}
	if k := now.Sub(l.first) / windowDoubles; l.starting && !l.first.IsZero() {
		if l.starting = k <= windowDoublings; l.starting && len(l.out) >= initialWindow<<k+int(l.answered) {
			return l.first.Add((k + 1) * windowDoubles).Sub(now), nil
		}
	}
	if d := l.q.wait(now, l.seq, len(l.out)); d > 0 {
		return d, nil
	}
	if p := min(l.ceiling, rate.Limit(l.rateAt(now))); p != l.pace.Limit() {
		l.pace.SetLimitAt(now, p)
	}
	return 0, nil
}

// rateAt is the learned pace at now, or +Inf.
func (l *limiter) rateAt(now time.Time) float64 {
	c := l.c
	if c.rate == 0 || len(l.q.last) > 0 { // learned none, or follows a quota
		return math.Inf(1)
	}
	t, x := max(now.Sub(c.from).Seconds(), 0), -cubicK
	if c.slope > 0 {
		if w := c.w0 + c.slope*t; w < c.rate {
			// The pace of the interval to come: a rate.Limiter credits the
			// time since the last change at the rate set then.
			return w + c.slope/w/2
		}
		t, x = t-(c.rate-c.w0)/c.slope, 0
	}
	x += t
	return max(c.rate*(1+cubicScale*x*x*x), c.rate*(1-cubicMargin))
}

// observe takes the answer to t's latest attempt: resp, or nil when the
// round trip failed or the call ended without one.
func (t *ticket) observe(resp *http.Response) {
	l := t.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if !t.out {
		return
	}
	t.out = false
	ahead := slices.Index(l.out, t.seq)
	l.out = slices.Delete(l.out, ahead, ahead+1)
	defer l.broadcast()
	if !l.learn || resp == nil || resp.Request == nil || originOf(resp.Request.URL) != l.api {
		return
	}
	now := l.now()
	if l.q.observe(t.seq, l.seq, ahead, resp.StatusCode == http.StatusTooManyRequests, t.sent, resp.Header, now) {
		l.starting = false
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		l.answered++
		if e := l.ended; e != nil && t.sent.Before(e.to) {
			e.served++ // sent before the 429 that ended the drain, answered after it
		} else if !l.cur.from.IsZero() && !t.sent.Before(l.cur.from) {
			l.cur.served++
		}
		return
	}
	ra, _ := parseRetryAfter(resp.Header.Get("Retry-After"), now)
	p := min(ra, l.pauseCap)
	if p <= 0 || l.cur.from.IsZero() || t.sent.Before(l.cur.from) {
		return // no pause asked; or sent before the latest pause ended, which answered it
	}
	if l.starting = false; l.ended != nil {
		l.learnFrom(*l.ended)
	}
	l.cur.to, l.cur.pause = t.sent, p.Seconds()
	l.ended = new(l.cur)
	if until := now.Add(p); until.After(l.pauseUntil) {
		l.pauseUntil, l.pauseLen, l.resumers = until, p, 0
	}
	l.cur = drain{}
}

// learnFrom takes a drain that ended in a 429, and sets the pace after it.
func (l *limiter) learnFrom(e drain) {
	d, s, p := max(e.to.Sub(e.from).Seconds(), 1e-3), e.served, e.pause
	floor := s / (d + l.lastP) // what was served over the pause before and the drain
	if l.lastP = p; s < 1 {
		return // nothing served: nothing learned
	}
	if l.drains++; l.drains == 1 {
		l.d1, l.s1, l.burst = d, s, s
		w0 := 2 * s / (d + p)
		l.c = curve{w0: w0, slope: w0 / (rampStep * p), rate: max(s/d/2, w0)}
		return
	}
	// S + waste = burst + rate·D less the token left at the 429, about half
	// of one. For the second drain, the burst is what the first served less
	// the rate for its length, and the tokens left at the two 429s differ
	// by about a quarter of one (the first drain is fast, the second paced).
	base, span := s+0.5-l.burst, d
	if l.drains == 2 {
		base, span = s+0.25-l.s1, d-l.d1
	}
	r := max(base/span, floor) // with no waste; Newton's method climbs from there
	for range newtonSteps {
		waste, crossed := l.c.waste(r, d)
		r = max(r-(base+waste-r*span)/min(crossed-span, -1e-3), floor)
	}
	if l.drains == 2 {
		r = min(r, l.s1/l.d1) // the first drain served above the API's rate
		l.burst = max(1, min(l.s1, l.s1-r*l.d1+0.5))
	}
	l.burst = max(1, min(l.burst, r*p+0.5))
	l.c = curve{rate: r}
}

// waste returns what the bucket could not hold during the first d seconds
// of c if the API's rate were r: what came while the pace was under r, the
// bucket being full, and when the pace crossed r.
func (c curve) waste(r, d float64) (waste, crossed float64) {
	top, x0 := 0.0, -cubicK // the ramp's length; the cubic's x where it begins
	if c.slope > 0 {
		top, x0 = (c.rate-c.w0)/c.slope, 0
		if r <= c.rate {
			crossed = min(max(r-c.w0, 0)/c.slope, d)
			return r*crossed - c.w0*crossed - c.slope*crossed*crossed/2, crossed
		}
	}
	crossed = min(max(math.Cbrt((r/c.rate-1)/cubicScale)-x0, 0)+top, d)
	x := crossed - top + x0
	paced := c.w0*top + c.slope*top*top/2 + c.rate*(x-x0) + c.rate*cubicScale*(x*x*x*x-x0*x0*x0*x0)/4
	return r*crossed - paced, crossed
}

// broadcast wakes the requests waiting for a change.
func (l *limiter) broadcast() {
	close(l.changed)
	l.changed = make(chan struct{})
}
