package rcevents

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// simEvent is something that happens at a time of the simulation.
type simEvent struct {
	at  time.Time
	seq int
	fn  func()
}

type simQueue []*simEvent

func (q simQueue) Len() int { return len(q) }
func (q simQueue) Less(i, j int) bool {
	if q[i].at.Equal(q[j].at) {
		return q[i].seq < q[j].seq
	}
	return q[i].at.Before(q[j].at)
}
func (q simQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)   { *q = append(*q, x.(*simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// sim is a discrete-event simulation of a client's walk through a limiter
// and a rate-limited server, on a fake clock: what the loopback benchmarks
// measure in seconds, it measures in microseconds, and the same every time.
type sim struct {
	now    time.Time
	q      simQueue
	n      int
	rnd    *rand.Rand
	waiter map[int]func() // re-checks of requests waiting for a change, by id
	nextID int
}

func (s *sim) at(t time.Time, fn func()) {
	s.n++
	heap.Push(&s.q, &simEvent{at: t, seq: s.n, fn: fn})
}

func (s *sim) run(until time.Time) {
	for s.q.Len() > 0 {
		e := heap.Pop(&s.q).(*simEvent)
		if e.at.After(until) {
			return
		}
		s.now = e.at
		e.fn()
	}
}

type simConfig struct {
	limitConfig
	decode      time.Duration // the client's time to read a page
	concurrency int
	maxAttempts int
	faults      float64 // share of requests refused at random, besides the limit
}

type simResult struct {
	wall              time.Duration
	requests, refused int
	failed            int
	rate              float64 // the learned pace at the end
}

func (r simResult) String() string {
	return fmt.Sprintf("wall=%s 429=%d/%d (%.1f%%) failed=%d rate=%.1f",
		r.wall.Round(time.Millisecond), r.refused, r.requests, 100*float64(r.refused)/float64(r.requests), r.failed, r.rate)
}

var simURL, _ = url.Parse("https://api.example/v1/x")

// simulateWalk walks cfg.pages pages with cfg.concurrency workers through l,
// a limiter on the simulation's clock, and the server srv, the first page
// alone as the iterator does.
func simulateWalk(s *sim, l *limiter, srv *limitedServer, cfg simConfig) simResult {
	start := s.now
	var res simResult
	if cfg.maxAttempts == 0 {
		cfg.maxAttempts = DefaultRetryPolicy().MaxAttempts
	}
	var end time.Time
	wake := func() {
		ws := s.waiter
		s.waiter = map[int]func(){}
		for _, w := range ws {
			s.at(s.now, w)
		}
	}
	var try func(tk *ticket, n int, done func())
	try = func(tk *ticket, n int, done func()) {
		id := s.nextID
		s.nextID++
		woken := false
		recheck := func() {
			if !woken {
				woken = true
				delete(s.waiter, id)
				try(tk, n, done)
			}
		}
		d, err := l.try(s.now, tk, DefaultRetryPolicy().MaxBackoff)
		if err != nil {
			res.failed++
			s.at(s.now, done)
			return
		}
		if d > 0 {
			s.waiter[id] = recheck
			if d != forever {
				s.at(s.now.Add(d), recheck)
			}
			return
		}
		res.requests++
		resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Request: &http.Request{URL: simURL}}
		ok, tokens := srv.take(s.now)
		if srv.cfg.rate > 0 {
			srv.announce(resp.Header, s.now, tokens)
		}
		if ok && cfg.faults > 0 && s.rnd.Float64() < cfg.faults {
			ok = false
		}
		if !ok {
			resp.StatusCode = http.StatusTooManyRequests
			resp.Header.Set("Retry-After", strconv.Itoa(cfg.retryAfter))
		}
		s.at(s.now.Add(cfg.latency), func() {
			tk.observe(resp)
			wake()
			if ok {
				s.at(s.now.Add(cfg.decode), done)
				return
			}
			res.refused++
			if n++; n >= cfg.maxAttempts {
				res.failed++
				s.at(s.now, done) // the walk would end; count on
				return
			}
			s.at(s.now.Add(time.Duration(cfg.retryAfter)*time.Second), func() { try(tk, n, done) })
		})
	}
	// The walk: page 1 alone, then a window of cfg.concurrency pages,
	// launching the next one when the first of the window is done.
	finished := make([]bool, cfg.pages+2)
	head, next := 2, 2
	var pump func()
	launch := func() {
		k := next
		next++
		try(l.ticket(), 0, func() { finished[k] = true; pump() })
	}
	pump = func() {
		for head <= cfg.pages && finished[head] {
			head++
			if next <= cfg.pages {
				launch()
			}
		}
		if head > cfg.pages && end.IsZero() {
			end = s.now
		}
	}
	try(l.ticket(), 0, func() {
		for next <= cfg.pages && next < 2+cfg.concurrency {
			launch()
		}
		pump()
	})
	s.run(start.Add(10 * time.Minute))
	res.wall = end.Sub(start)
	res.rate = l.rateAt(s.now)
	return res
}

// newSim returns a simulation starting at a fixed time, a limiter on its
// clock, and a server of cfg on it too.
func newSim(cfg limitConfig, seed uint64) (*sim, *limiter, *limitedServer) {
	s := &sim{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), rnd: rand.New(rand.NewPCG(seed, 1)), waiter: map[int]func(){}}
	l := newLimiter(true, nil, originOf(simURL), DefaultRetryPolicy())
	l.now = func() time.Time { return s.now }
	l.random = s.rnd.Float64
	srv := &limitedServer{cfg: cfg, tokens: float64(cfg.burst), last: s.now}
	if w := cfg.window; w > 0 {
		srv.opened = s.now.Add(-time.Duration(s.rnd.Int64N(int64(w))))
		srv.tokens = cfg.rate * w.Seconds()
	}
	return s, l, srv
}

// simFloor is what a client that knows the limit needs for cfg's walk,
// sending each request decode after the answer to the one before it with
// conc in flight: (pages − burst) ÷ rate for a bucket, or the whole windows
// after the first and the last window's requests, if the latency allows as
// much; else what the latency allows.
func simFloor(cfg limitConfig, decode time.Duration, conc int) time.Duration {
	each := (cfg.latency + decode) / time.Duration(conc)
	natural := time.Duration(cfg.pages) * each
	if cfg.window > 0 {
		perWindow := int(cfg.rate * cfg.window.Seconds())
		whole := (cfg.pages - 1) / perWindow
		return max(natural, time.Duration(whole)*cfg.window+time.Duration(cfg.pages-whole*perWindow)*each)
	}
	return max(natural, time.Duration(float64(cfg.pages-cfg.burst)/cfg.rate*float64(time.Second)))
}

// simIdeal is what a client that knows srv's limit needs for cfg's walk,
// on the simulation's clock: for a bucket, a walk paced by a limiter of the
// bucket's rate and burst; for a window, simFloor.
func simIdeal(cfg limitConfig, conc int) time.Duration {
	if cfg.window > 0 {
		return simFloor(cfg, time.Millisecond, conc)
	}
	s, _, srv := newSim(cfg, 0)
	// A hair under the rate: at the rate itself, the server and the client
	// count the same tokens, and rounding refuses some of them.
	l := newLimiter(false, rate.NewLimiter(rate.Limit(cfg.rate*0.999), cfg.burst), originOf(simURL), DefaultRetryPolicy())
	l.now = func() time.Time { return s.now }
	r := simulateWalk(s, l, srv, simConfig{limitConfig: cfg, decode: time.Millisecond, concurrency: conc})
	return r.wall
}

// unknownFloor is the floor of a walk against an unannounced bucket plus
// what two refusals cost a client that honours Retry-After: pages ÷ rate +
// 2 × (Retry-After − burst ÷ rate).
func unknownFloor(cfg limitConfig) time.Duration {
	s := float64(cfg.pages)/cfg.rate + 2*max(float64(cfg.retryAfter)-float64(cfg.burst)/cfg.rate, 0)
	return time.Duration(s * float64(time.Second))
}

// TestLimiterLearnsAnUnknownLimit walks, on the fake clock, through servers
// whose limit the client learns from 429s alone: the benchmarks' servers
// and others. No walk fails, at most a tenth of the requests are refused,
// and the walks take about what two refusals cost beyond the floor.
func TestLimiterLearnsAnUnknownLimit(t *testing.T) {
	for _, tc := range []struct {
		rate       float64
		burst      int
		latency    time.Duration
		retryAfter int
		bound      float64
	}{
		{20, 10, 20 * time.Millisecond, 1, 1.15}, {20, 4, 20 * time.Millisecond, 1, 1.15}, {40, 5, 0, 1, 1.15},
		{40, 5, 20 * time.Millisecond, 1, 1.2}, {20, 4, 0, 1, 1.2}, {8, 5, 20 * time.Millisecond, 1, 1.3},
		{30, 20, 5 * time.Millisecond, 1, 1.3}, {13, 3, 50 * time.Millisecond, 2, 1.3}, {100, 10, 0, 1, 1.3},
	} {
		for _, conc := range []int{1, 4, 8, 16} {
			cfg := limitConfig{rate: tc.rate, burst: tc.burst, latency: tc.latency, retryAfter: tc.retryAfter, pages: 100}
			t.Run(fmt.Sprintf("rate=%v/burst=%d/latency=%s/concurrency=%d", tc.rate, tc.burst, tc.latency, conc), func(t *testing.T) {
				s, l, srv := newSim(cfg, 1)
				r := simulateWalk(s, l, srv, simConfig{limitConfig: cfg, decode: time.Millisecond, concurrency: conc})
				assert.Zero(t, r.failed, "failed calls")
				assert.LessOrEqual(t, float64(r.refused), 0.1*float64(r.requests), "refused")
				x := r.wall.Seconds() / unknownFloor(cfg).Seconds()
				assert.Less(t, x, tc.bound, "wall time over the floor and two refusals (simulated)")
				t.Logf("FIGURE sim-unknown rate=%v burst=%d latency=%s concurrency=%d x=%.2f %v", tc.rate, tc.burst, tc.latency, conc, x, r)
			})
		}
	}
}

// TestLimiterFollowsAnnouncedLimits walks through servers that announce
// their limit, on the fake clock: token buckets in RateLimit-* and
// X-RateLimit-* headers, and a fixed window in RingCentral's X-Rate-Limit-*
// headers, at 0 and 20 ms. At most 3% of the requests are refused, and the
// walk takes about what a client that knows the limit needs.
func TestLimiterFollowsAnnouncedLimits(t *testing.T) {
	var cfgs []limitConfig
	for _, h := range []headerStyle{headersIETF, headersXRate} {
		for _, b := range [][2]int{{40, 5}, {20, 10}, {20, 4}, {100, 20}} {
			cfgs = append(cfgs, limitConfig{rate: float64(b[0]), burst: b[1], headers: h})
		}
	}
	// Small buckets, whose answers seldom show the quota short: the refill
	// is measured over spans that begin with the quota whole.
	cfgs = append(cfgs, limitConfig{rate: 25, burst: 3, headers: headersIETF}, limitConfig{rate: 60, burst: 4, headers: headersIETF})
	cfgs = append(cfgs, limitConfig{rate: 25, window: time.Second, headers: headersWindow}, limitConfig{rate: 10, window: 2 * time.Second, headers: headersWindow})
	for _, cfg := range cfgs {
		for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
			for _, conc := range []int{1, 8} {
				cfg.latency, cfg.retryAfter, cfg.pages = latency, 1, 100
				t.Run(fmt.Sprintf("%s/rate=%v/burst=%d/window=%s/latency=%s/concurrency=%d", cfg.headers, cfg.rate, cfg.burst, cfg.window, latency, conc), func(t *testing.T) {
					for seed := range uint64(3) {
						s, l, srv := newSim(cfg, seed)
						r := simulateWalk(s, l, srv, simConfig{limitConfig: cfg, decode: time.Millisecond, concurrency: conc})
						assert.Zero(t, r.failed, "failed calls")
						assert.LessOrEqual(t, float64(r.refused), 0.03*float64(r.requests), "refused")
						x := r.wall.Seconds() / simIdeal(cfg, conc).Seconds()
						assert.Less(t, x, 1.2, "wall time over the floor (simulated)")
						t.Logf("FIGURE sim-announced %s rate=%v burst=%d window=%s latency=%s concurrency=%d seed=%d x=%.2f %v", cfg.headers, cfg.rate, cfg.burst, cfg.window, latency, conc, seed, x, r)
					}
				})
			}
		}
	}
}

// TestLimiterRaisedLimitIsFound: a long-lived client walks three times, the
// server's limit then rises fourfold, and it walks three times more. Its
// third walk after the rise runs within 1.5 times the new floor when the
// limit is announced, and within 3 times when it is not: no state entered
// for the old limit holds it back.
// A quota restored all at once, before its reset, as between the walks of
// the loopback benchmarks, shows no refill rate: a long-lived client keeps
// following what the server announces, refused nothing.
func TestLimiterQuotaRestoredEarly(t *testing.T) {
	for _, h := range []headerStyle{headersIETF, headersXRate} {
		for _, conc := range []int{1, 8} {
			t.Run(fmt.Sprintf("%s/concurrency=%d", h, conc), func(t *testing.T) {
				cfg := limitConfig{rate: 20, burst: 10, latency: 20 * time.Millisecond, retryAfter: 1, pages: 100, headers: h}
				s, l, srv := newSim(cfg, 1)
				for walk := range 4 {
					srv.tokens, srv.last = float64(cfg.burst), s.now
					r := simulateWalk(s, l, srv, simConfig{limitConfig: cfg, decode: time.Millisecond, concurrency: conc})
					assert.Zero(t, r.refused, "walk %d: %v", walk, r)
				}
			})
		}
	}
}

func TestLimiterRaisedLimitIsFound(t *testing.T) {
	for _, h := range []headerStyle{headersNone, headersIETF, headersXRate} {
		for _, conc := range []int{1, 8} {
			t.Run(fmt.Sprintf("%s/concurrency=%d", h, conc), func(t *testing.T) {
				cfg := limitConfig{rate: 10, burst: 5, latency: 10 * time.Millisecond, retryAfter: 1, pages: 100, headers: h}
				s, l, srv := newSim(cfg, 1)
				sc := simConfig{limitConfig: cfg, decode: time.Millisecond, concurrency: conc}
				var walls []time.Duration
				for i := range 6 {
					if i == 3 {
						srv.cfg.rate *= 4
					}
					r := simulateWalk(s, l, srv, sc)
					assert.Zero(t, r.failed)
					walls = append(walls, r.wall)
				}
				bound := map[bool]float64{true: 3, false: 1.5}[h == headersNone]
				raised := srv.cfg
				floor := simFloor(raised, sc.decode, conc)
				if h == headersNone {
					floor = unknownFloor(raised)
				}
				x := walls[5].Seconds() / floor.Seconds()
				assert.Less(t, x, bound, "third walk after the rise, over its floor")
				t.Logf("FIGURE sim-raised-limit %s concurrency=%d walls=%v third-after=%.2fx", h, conc, walls, x)
			})
		}
	}
}

// TestLimiterRandomRefusalsDoNotStall: a server without a limit that
// refuses a tenth of the requests at random, with Retry-After 0, does not
// slow a walk to a crawl, nor fail it with four attempts a request.
func TestLimiterRandomRefusalsDoNotStall(t *testing.T) {
	for _, conc := range []int{1, 8} {
		cfg := limitConfig{latency: 20 * time.Millisecond, pages: 100}
		s, l, srv := newSim(cfg, 3)
		sc := simConfig{limitConfig: cfg, decode: time.Millisecond, concurrency: conc, faults: 0.1, maxAttempts: 10}
		r := simulateWalk(s, l, srv, sc)
		assert.Zero(t, r.failed)
		natural := simFloor(cfg, sc.decode, conc)
		assert.Less(t, r.wall, 2*natural, "concurrency %d", conc)
		t.Logf("FIGURE sim-random-refusals concurrency=%d wall=%s natural=%s %v", conc, r.wall, natural, r)
	}
}

// fakeClock is a limiter's clock that moves only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }

func newTestLimiter(c *fakeClock) *limiter {
	l := newLimiter(true, nil, originOf(simURL), DefaultRetryPolicy())
	l.now = c.now
	l.random = rand.New(rand.NewPCG(1, 2)).Float64
	return l
}

// answer reports an answer with status and headers to tk's latest attempt.
func answer(tk *ticket, status int, header ...string) {
	resp := &http.Response{StatusCode: status, Header: http.Header{}, Request: &http.Request{URL: simURL}}
	for i := 0; i+1 < len(header); i += 2 {
		resp.Header.Set(header[i], header[i+1])
	}
	tk.observe(resp)
}

// answeredOnce returns a new limiter on a fake clock that let one request
// through and got, 20 ms later, an answer with status and header.
func answeredOnce(t *testing.T, status int, header ...string) (*limiter, *fakeClock) {
	t.Helper()
	c := &fakeClock{t: time.Unix(1_000_000, 0)}
	l := newTestLimiter(c)
	tk := l.ticket()
	mustGo(t, l, c, tk)
	c.add(20 * time.Millisecond)
	answer(tk, status, header...)
	return l, c
}

// mustGo lets tk through at the clock's time, or fails.
func mustGo(t *testing.T, l *limiter, c *fakeClock, tk *ticket) {
	t.Helper()
	d, err := l.try(c.now(), tk, time.Hour)
	require.NoError(t, err)
	require.Zero(t, d, "let through at once")
}

func TestLimiterStartWindow(t *testing.T) {
	c := &fakeClock{t: time.Unix(1_000_000, 0)}
	l := newTestLimiter(c)
	var out []*ticket
	for range initialWindow {
		tk := l.ticket()
		mustGo(t, l, c, tk)
		out = append(out, tk)
	}
	d, err := l.try(c.now(), l.ticket(), time.Hour)
	require.NoError(t, err)
	assert.Equal(t, time.Second, d, "the eleventh waits for an answer, or the window to double")

	c.add(20 * time.Millisecond)
	answer(out[0], http.StatusOK)
	mustGo(t, l, c, l.ticket()) // one in its place
	mustGo(t, l, c, l.ticket()) // and one more
	d, _ = l.try(c.now(), l.ticket(), time.Hour)
	assert.Equal(t, 980*time.Millisecond, d)

	// No answer comes: after a second the window doubles anyway, so that
	// requests that hang hold no other back for good.
	c.add(d)
	for range initialWindow {
		mustGo(t, l, c, l.ticket())
	}
}

func TestLimiterPausesEveryRequest(t *testing.T) {
	c := &fakeClock{t: time.Unix(1_000_000, 0)}
	l := newTestLimiter(c)
	first, second := l.ticket(), l.ticket()
	mustGo(t, l, c, first)
	mustGo(t, l, c, second)
	c.add(20 * time.Millisecond)
	answer(first, http.StatusOK)
	answer(second, http.StatusTooManyRequests, "Retry-After", "2")

	// Every request, not only the refused one, waits for the pause; the
	// first no longer, the others a random share of its tenth more.
	var resumes []time.Duration
	for range 20 {
		d, err := l.try(c.now(), l.ticket(), time.Hour)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, d, 2*time.Second)
		assert.LessOrEqual(t, d, 2*time.Second+200*time.Millisecond)
		resumes = append(resumes, d)
	}
	distinct := map[time.Duration]bool{}
	for _, d := range resumes {
		distinct[d] = true
	}
	assert.Equal(t, 2*time.Second, resumes[0], "the first resumes when the pause ends")
	assert.Greater(t, len(distinct), 15, "resumes spread out, not in one instant")
	t.Logf("FIGURE pause Retry-After=2s: 20 requests wait %s to %s, %d distinct moments", slices.Min(resumes), slices.Max(resumes), len(distinct))

	// A call whose MaxBackoff is shorter than what is left of the pause
	// fails at once, saying so.
	_, err := l.try(c.now(), l.ticket(), time.Second)
	require.ErrorIs(t, err, ErrRateLimited)
	assert.Regexp(t, `paused the client for 2\.\d+s more \(Retry-After\), longer than MaxBackoff 1s`, err.Error())
}

func TestLimiterPauseIsBoundedByMaxBackoff(t *testing.T) {
	c := &fakeClock{t: time.Unix(1_000_000, 0)}
	l := newLimiter(true, nil, originOf(simURL), RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Second})
	l.now = c.now
	tk := l.ticket()
	mustGo(t, l, c, tk)
	answer(tk, http.StatusTooManyRequests, "Retry-After", "31536000")
	assert.Equal(t, 2*time.Second, l.pauseUntil.Sub(c.now()), "a Retry-After of a year pauses the others no longer than a retry would wait")
}

func TestLimiterCeiling(t *testing.T) {
	c := &fakeClock{t: time.Unix(1_000_000, 0)}
	l := newLimiter(true, rate.NewLimiter(5, 1), originOf(simURL), DefaultRetryPolicy())
	l.now = c.now
	l.c = curve{rate: 100, from: c.now()}
	mustGo(t, l, c, l.ticket())
	assert.Equal(t, rate.Limit(5), l.pace.Limit(), "never above WithRateLimit")
}

// Every request let through is forgotten once its attempt ends: answered,
// failed without an answer, answered from another origin, or by a client
// that does not adapt. One left behind would count as in flight for good.
func TestLimiterForgetsEveryEndedRequest(t *testing.T) {
	elsewhere, _ := url.Parse("https://storage.example/report.csv")
	for _, learn := range []bool{true, false} {
		c := &fakeClock{t: time.Unix(0, 0)}
		l := newTestLimiter(c)
		l.learn = learn
		for i := range 30 {
			tk := l.ticket()
			mustGo(t, l, c, tk)
			switch i % 3 {
			case 0:
				answer(tk, http.StatusOK)
			case 1:
				tk.observe(nil) // the round trip failed
			case 2:
				tk.observe(&http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Request: &http.Request{URL: elsewhere}})
			}
		}
		assert.Empty(t, l.out, "learn=%v", learn)
	}
}

func TestLimiterOff(t *testing.T) {
	l := newLimiter(false, nil, originOf(simURL), DefaultRetryPolicy())
	tk := l.ticket()
	require.NoError(t, tk.wait(context.Background(), time.Hour))
	answer(tk, http.StatusTooManyRequests, "Retry-After", "30")
	require.NoError(t, l.ticket().wait(context.Background(), time.Hour), "no pause")
}

func TestLimiterFollowsHeaders(t *testing.T) {
	l, c := answeredOnce(t, http.StatusOK, "RateLimit-Limit", "10", "RateLimit-Remaining", "3", "RateLimit-Reset", "1")
	assert.False(t, l.starting, "an announced quota ends the start-up window")
	for range 3 {
		mustGo(t, l, c, l.ticket())
	}
	d, _ := l.try(c.now(), l.ticket(), time.Hour)
	assert.Equal(t, 100*time.Millisecond, d, "the quota of 10 is spent: a probe goes a tenth of the reset after the last request")
	c.add(d)
	probe := l.ticket()
	mustGo(t, l, c, probe)
	d, _ = l.try(c.now(), l.ticket(), time.Hour)
	assert.Equal(t, 900*time.Millisecond, d, "the others wait for the reset")
}

// TestCallRetryIsTheCallsOwn: a call's own retry policy decides how often
// it is sent, whatever the limiter knows or the client's other calls do:
// MaxAttempts 1 is one attempt even while the client's other calls are
// served between refusals, and MaxAttempts 4 is four.
func TestCallRetryIsTheCallsOwn(t *testing.T) {
	for _, attempts := range []int{1, 4} {
		t.Run(fmt.Sprint(attempts), func(t *testing.T) {
			ts := newTestServer(t, WithRetry(RetryPolicy{MaxAttempts: 10, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}))
			var refused atomic.Int64
			ts.mux.HandleFunc("/v1/a", func(w http.ResponseWriter, r *http.Request) {
				refused.Add(1)
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
			})
			ts.mux.HandleFunc("/v1/health", okHealth)
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() { // other calls of the client, served all along
				defer close(done)
				for {
					select {
					case <-stop:
						return
					default:
						_, _ = ts.client.Health(context.Background())
					}
				}
			}()
			var resp Response
			err := ts.client.Do(context.Background(), http.MethodGet, "/v1/a", nil, nil,
				WithCallRetry(RetryPolicy{MaxAttempts: attempts, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}), WithResponse(&resp))
			close(stop)
			<-done
			require.ErrorIs(t, err, ErrRateLimited)
			assert.Equal(t, attempts, resp.Attempts)
			assert.Equal(t, int64(attempts), refused.Load())
		})
	}
}

// TestAbsurdPoliciesWork: every RetryPolicy and WithRateLimit NewClient and
// WithCallRetry accept works: durations past a year are taken for a year,
// so no backoff overflows or panics, and a huge rate is no limit.
func TestAbsurdPoliciesWork(t *testing.T) {
	huge := RetryPolicy{MaxAttempts: math.MaxInt, MinBackoff: math.MaxInt64, MaxBackoff: math.MaxInt64}
	p := huge.withDefaults()
	assert.Equal(t, maxRetryAfter, p.MaxBackoff)
	for n := 1; n < 100; n++ {
		assert.LessOrEqual(t, p.backoff(n), maxRetryAfter)
	}
	small := RetryPolicy{MaxAttempts: 3, MinBackoff: 1, MaxBackoff: math.MaxInt64}.withDefaults()
	for n := 1; n < 100; n++ {
		assert.LessOrEqual(t, small.backoff(n), maxRetryAfter)
	}

	ts := newTestServer(t, WithRetry(huge), WithRateLimit(math.MaxFloat64, math.MaxInt), WithPageConcurrency(8))
	var n atomic.Int64
	ts.mux.HandleFunc("/v1/events/evt_1/registrations", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%3 == 0 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		writeFixture(t, w, http.StatusOK, "registrations_list.json")
	})
	for _, err := range ts.client.Registrations.All(context.Background(), "evt_1", nil, WithCallRetry(huge)) {
		require.NoError(t, err)
	}

	// A rate so small that a request would wait past a year waits on its
	// context, without spinning.
	slow := newTestServer(t, WithRateLimit(1e-300, 1))
	slow.mux.HandleFunc("/v1/health", okHealth)
	_, err := slow.client.Health(context.Background())
	require.NoError(t, err, "the first goes on the burst")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = slow.client.Health(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

// TestHungRequestsHoldNoOtherBack: ten first requests that are never
// answered, with no time limit, hold the client's other calls back for a
// second at most: the start-up window doubles every second.
func TestHungRequestsHoldNoOtherBack(t *testing.T) {
	ts := newTestServer(t, WithTimeout(-1))
	release := make(chan struct{})
	ts.mux.HandleFunc("/v1/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	ts.mux.HandleFunc("/v1/health", okHealth)
	hung := make(chan error, initialWindow)
	for range initialWindow {
		go func() { hung <- ts.client.Do(context.Background(), http.MethodGet, "/v1/hang", nil, nil) }()
	}
	require.Eventually(t, func() bool { return ts.requests.Load() == initialWindow }, 5*time.Second, time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := ts.client.Health(ctx)
	require.NoError(t, err)
	close(release)
	for range initialWindow {
		require.NoError(t, <-hung)
	}
}

// TestLimiterFollowsAWindow: with X-Rate-Limit-* headers, what remains of
// the window goes at once, and then the client waits for the window to
// end, a window after its first request.
func TestLimiterFollowsAWindow(t *testing.T) {
	l, c := answeredOnce(t, http.StatusOK, "X-Rate-Limit-Limit", "3", "X-Rate-Limit-Remaining", "2", "X-Rate-Limit-Window", "1")
	mustGo(t, l, c, l.ticket())
	mustGo(t, l, c, l.ticket())
	d, _ := l.try(c.now(), l.ticket(), time.Hour)
	assert.Equal(t, 980*time.Millisecond, d, "the window ends a second after its first request")
	c.add(d)
	mustGo(t, l, c, l.ticket())
}

// TestLimiterPauseOfNoLength: a 429 that asks for no pause delays no other
// request, and teaches the limiter nothing.
func TestLimiterPauseOfNoLength(t *testing.T) {
	l, c := answeredOnce(t, http.StatusTooManyRequests, "Retry-After", "0")
	mustGo(t, l, c, l.ticket())
	assert.Equal(t, math.Inf(1), l.rateAt(c.now()))
}

// TestLimiterLearnsThePace: after a long walk behind an unannounced bucket
// the client's pace is near the bucket's rate.
func TestLimiterLearnsThePace(t *testing.T) {
	for _, cfg := range []limitConfig{
		{rate: 20, burst: 10, latency: 20 * time.Millisecond, retryAfter: 1, pages: 500},
		{rate: 40, burst: 5, retryAfter: 1, pages: 500},
	} {
		s, l, srv := newSim(cfg, 1)
		r := simulateWalk(s, l, srv, simConfig{limitConfig: cfg, decode: time.Millisecond, concurrency: 4})
		assert.Zero(t, r.failed)
		assert.InDelta(t, cfg.rate, r.rate, 0.1*cfg.rate, "the pace after 500 pages at %v a second", cfg.rate)
		t.Logf("FIGURE sim-pace rate=%v pace=%.1f %v", cfg.rate, r.rate, r)
	}
}

// TestClientPausedLongerThanACallWaits: while a 429's Retry-After pauses
// the client, a call whose MaxBackoff is shorter than what is left of the
// pause fails at once, saying so, and sends nothing; WithRateLimit is kept
// 5% under.
func TestClientPausedLongerThanACallWaits(t *testing.T) {
	ts := newTestServer(t, WithRetry(RetryPolicy{MaxAttempts: 1, MaxBackoff: time.Minute}), WithRateLimit(20, 5))
	assert.InDelta(t, 19, float64(ts.client.limiter.ceiling), 1e-9)
	ts.mux.HandleFunc("/v1/a", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	require.ErrorIs(t, ts.client.Do(context.Background(), http.MethodGet, "/v1/a", nil, nil), ErrRateLimited)
	sent := ts.requests.Load()
	_, err := ts.client.Health(context.Background(), WithCallRetry(RetryPolicy{MaxBackoff: time.Second}))
	require.ErrorIs(t, err, ErrRateLimited)
	assert.Regexp(t, `waiting for the rate limiter: .*paused the client for \d+(\.\d+)?s more \(Retry-After\), longer than MaxBackoff 1s`, err.Error())
	assert.Equal(t, sent, ts.requests.Load(), "nothing sent")
}

// TestLimiterBadHeadersHoldNothingBack: headers that announce nothing a
// client can follow (no reset, a reset in another millennium or in the
// past, counts no server means, words, a window of no length) never hold
// the next request back: a 429, if any, will say what the server wants.
func TestLimiterBadHeadersHoldNothingBack(t *testing.T) {
	for _, h := range [][]string{
		{"RateLimit-Remaining", "0"},
		{"RateLimit-Limit", "10", "RateLimit-Remaining", "0", "RateLimit-Reset", "1000000000000000000000000000000"},
		{"X-RateLimit-Limit", "10", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1700000000"},
		{"RateLimit-Limit", "100000000000000000000000", "RateLimit-Remaining", "0", "RateLimit-Reset", "5"},
		{"RateLimit-Limit", "ten", "RateLimit-Remaining", "none", "RateLimit-Reset", "soon"},
		{"X-Rate-Limit-Limit", "10", "X-Rate-Limit-Remaining", "0", "X-Rate-Limit-Window", "0"},
		{"RateLimit-Limit", "-3", "RateLimit-Remaining", "-1", "RateLimit-Reset", "-5"},
	} {
		l, c := answeredOnce(t, http.StatusOK, h...)
		d, err := l.try(c.now(), l.ticket(), time.Hour)
		require.NoError(t, err)
		assert.Zero(t, d, "%v", h)
	}
}
