package rcevents

import (
	"container/heap"
	"context"
	"errors"
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

// sim is a discrete-event simulation of a client's walk through a pacer and
// a token-bucket server, on a fake clock: what the real loopback benchmarks
// measure in seconds, it measures in microseconds, and the same every time.
type sim struct {
	now    time.Time
	q      simQueue
	n      int
	rnd    *rand.Rand
	srv    simBucket
	waiter map[int]func() // re-checks of requests waiting for a change, by id
	nextID int
}

type simBucket struct {
	rate, burst float64
	tokens      float64
	last        time.Time
}

func (b *simBucket) take(now time.Time) (bool, float64) {
	if b.rate <= 0 {
		return true, 0
	}
	b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false, b.tokens
	}
	b.tokens--
	return true, b.tokens
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
	rate, burst float64
	latency     time.Duration
	decode      time.Duration
	retryAfter  time.Duration
	concurrency int
	pages       int
	maxAttempts int
	headers     headerStyle
	faults      float64 // share of requests refused at random, besides the bucket
}

type simResult struct {
	wall                  time.Duration
	requests, refused     int
	failed                int
	floor                 time.Duration
	finalRate, finalBurst float64
}

func (r simResult) String() string {
	return fmt.Sprintf("x-floor=%.3f 429=%d/%d (%.1f%%) failed=%d rate=%.1f burst=%.1f",
		r.wall.Seconds()/r.floor.Seconds(), r.refused, r.requests, 100*float64(r.refused)/float64(r.requests), r.failed, r.finalRate, r.finalBurst)
}

var simURL, _ = url.Parse("https://api.example/v1/x")

// simulateWalk walks cfg.pages pages with cfg.concurrency workers through a
// new pacer, the first page alone as the iterator does.
func simulateWalk(cfg simConfig, seed uint64) simResult {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &sim{now: start, rnd: rand.New(rand.NewPCG(seed, 1)), waiter: map[int]func(){}}
	s.srv = simBucket{rate: cfg.rate, burst: cfg.burst, tokens: cfg.burst, last: start}
	p := newPacer(true, nil, originOf(simURL), DefaultRetryPolicy())
	p.now = func() time.Time { return s.now }
	p.random = s.rnd.Float64
	if cfg.maxAttempts == 0 {
		cfg.maxAttempts = 4
	}
	res := simResult{floor: time.Duration(float64(cfg.pages) / cfg.rate * float64(time.Second))}
	if cfg.rate == 0 {
		res.floor = time.Duration(cfg.pages) * (cfg.latency + cfg.decode) / time.Duration(cfg.concurrency)
		cfg.maxAttempts = 12
	}
	if cfg.pages < 2 {
		cfg.pages = 2
	}
	var end time.Time

	var try func(pc *pacedCall, n int, done func())
	wake := func() {
		ws := s.waiter
		s.waiter = map[int]func(){}
		for _, w := range ws {
			s.at(s.now, w)
		}
	}
	try = func(pc *pacedCall, n int, done func()) {
		id := s.nextID
		s.nextID++
		woken := false
		recheck := func() {
			if woken {
				return
			}
			woken = true
			delete(s.waiter, id)
			try(pc, n, done)
		}
		d, _ := p.admit(s.now, pc)
		if d > 0 {
			s.waiter[id] = recheck
			if d != forever {
				s.at(s.now.Add(d), recheck)
			}
			return
		}
		res.requests++
		ok, tokens := s.srv.take(s.now)
		ra := cfg.retryAfter
		if ok && cfg.faults > 0 && s.rnd.Float64() < cfg.faults {
			ok = false
			if res.refused > 0 {
				ra = 0
			}
		}
		s.at(s.now.Add(cfg.latency), func() {
			resp := &http.Response{StatusCode: 200, Header: http.Header{}, Request: &http.Request{URL: simURL}}
			if cfg.headers != headersNone {
				srv := limitedServer{cfg: limitConfig{rate: cfg.rate, burst: int(cfg.burst), headers: cfg.headers}}
				srv.announce(resp.Header, s.now.Add(-cfg.latency), tokens)
			}
			if !ok {
				res.refused++
				resp.StatusCode = 429
				resp.Header.Set("Retry-After", strconv.Itoa(int(ra.Seconds())))
			}
			pc.observe(resp)
			wake()
			if ok {
				s.at(s.now.Add(cfg.decode), done)
				return
			}
			if !pc.excused {
				n++
			}
			if n >= cfg.maxAttempts && !pc.excused {
				res.failed++
				s.at(s.now, done) // the walk would end; count on
				return
			}
			s.at(s.now.Add(ra), func() { try(pc, n, done) })
		})
	}
	// The walk: page 1 alone, then a window of cfg.concurrency pages,
	// launching the next one when the first of the window is done, as the
	// iterator does.
	finished := make([]bool, cfg.pages+2)
	head, next := 2, 2
	var pump func()
	launch := func() {
		k := next
		next++
		try(p.call(), 1, func() { finished[k] = true; pump() })
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
	try(p.call(), 1, func() {
		for next <= cfg.pages && next < 2+cfg.concurrency {
			launch()
		}
		pump()
	})
	s.run(start.Add(10 * time.Minute))
	res.wall = end.Sub(start)
	res.finalRate, res.finalBurst = p.rate, p.burst
	return res
}

// simWalk is the walk of the rate-limit benchmarks, simulated: 100 pages, 20
// ms of latency, 2 ms of decoding, Retry-After 1 s.
func simWalk(rate, burst float64, concurrency int, h headerStyle) simConfig {
	return simConfig{rate: rate, burst: burst, latency: 20 * time.Millisecond, decode: 2 * time.Millisecond,
		retryAfter: time.Second, concurrency: concurrency, pages: 100, headers: h}
}

// TestPacerLearnsAnUnknownLimit walks through servers whose limit the
// pacer must learn from 429s alone, on the fake clock: no walk fails, few
// requests are refused (the slow start's last round may overrun a bucket a
// little smaller than the concurrency by most of itself), and after a long
// walk the pace is near the server's rate. How fast the walks are is the
// benchmarks' business; the bound here only catches a pacer that no longer
// learns.
func TestPacerLearnsAnUnknownLimit(t *testing.T) {
	for _, tc := range []struct {
		rate, burst float64
	}{{20, 10}, {20, 4}, {8, 5}, {30, 20}, {13, 3}} {
		for _, conc := range []int{1, 4, 16} {
			t.Run(fmt.Sprintf("rate=%v/burst=%v/concurrency=%d", tc.rate, tc.burst, conc), func(t *testing.T) {
				r := simulateWalk(simWalk(tc.rate, tc.burst, conc, headersNone), 1)
				assert.Zero(t, r.failed, "failed calls")
				assert.LessOrEqual(t, float64(r.refused), 0.15*float64(r.requests), "refused")
				assert.Less(t, r.wall, 3*r.floor, "wall time (simulated)")
				t.Logf("FIGURE sim-unknown-limit rate=%v burst=%v concurrency=%d %v", tc.rate, tc.burst, conc, r)

				if testing.Short() || conc != 4 {
					return
				}
				long := simWalk(tc.rate, tc.burst, conc, headersNone)
				long.pages = 500
				r = simulateWalk(long, 1)
				assert.Zero(t, r.failed, "failed calls")
				assert.InDelta(t, tc.rate, r.finalRate, 0.15*tc.rate, "pace at the end of a long walk")
				t.Logf("FIGURE sim-unknown-limit-500-pages rate=%v burst=%v concurrency=%d %v", tc.rate, tc.burst, conc, r)
			})
		}
	}
}

// TestPacerFollowsAnnouncedLimit walks through servers that announce their
// limit in RateLimit-* or X-RateLimit-* headers: nothing is refused, and
// the walk takes about the floor, in simulated time.
func TestPacerFollowsAnnouncedLimit(t *testing.T) {
	for _, h := range []headerStyle{headersIETF, headersXRate} {
		for _, burst := range []float64{10, 4} {
			for _, conc := range []int{1, 8, 16} {
				t.Run(fmt.Sprintf("%s/burst=%v/concurrency=%d", h, burst, conc), func(t *testing.T) {
					r := simulateWalk(simWalk(20, burst, conc, h), 1)
					assert.Zero(t, r.refused, "refused")
					assert.Less(t, r.wall.Seconds(), 1.1*r.floor.Seconds(), "wall time (simulated)")
					t.Logf("FIGURE sim-announced-limit %s burst=%v concurrency=%d %v", h, burst, conc, r)
				})
			}
		}
	}
}

// TestPacerRandomRefusalsDoNotStall: a server without a limit that refuses
// a tenth of the requests at random (Retry-After 1 s, then 0, as the fake
// does) must not slow the walk to a crawl. Each refusal is forgiven or
// retried; the walk takes the first pause and little more.
func TestPacerRandomRefusalsDoNotStall(t *testing.T) {
	for _, conc := range []int{1, 8} {
		cfg := simWalk(0, 0, conc, headersNone)
		cfg.faults = 0.1
		r := simulateWalk(cfg, 3)
		assert.Zero(t, r.failed)
		natural := time.Duration(cfg.pages) * (cfg.latency + cfg.decode) / time.Duration(conc)
		assert.Less(t, r.wall, cfg.retryAfter+10*natural, "concurrency %d", conc)
		t.Logf("FIGURE sim-random-refusals concurrency=%d wall=%s natural=%s refused=%d/%d failed=%d", conc, r.wall, natural, r.refused, r.requests, r.failed)
	}
}

// fakeClock is a pacer's clock that moves only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func newTestPacer(c *fakeClock) *pacer {
	p := newPacer(true, nil, originOf(simURL), DefaultRetryPolicy())
	p.now = c.now
	p.random = rand.New(rand.NewPCG(1, 2)).Float64
	return p
}

// answer reports an answer with status and headers to pc's latest attempt.
func answer(pc *pacedCall, status int, header ...string) {
	resp := &http.Response{StatusCode: status, Header: http.Header{}, Request: &http.Request{URL: simURL}}
	for i := 0; i+1 < len(header); i += 2 {
		resp.Header.Set(header[i], header[i+1])
	}
	pc.observe(resp)
}

// mustAdmit lets pc through at the clock's time, or fails.
func mustAdmit(t *testing.T, p *pacer, c *fakeClock, pc *pacedCall) {
	t.Helper()
	d, _ := p.admit(c.now(), pc)
	require.Zero(t, d, "admitted at once")
}

func TestPacerSlowStart(t *testing.T) {
	c := &fakeClock{t: time.Unix(1_000_000, 0)}
	p := newTestPacer(c)
	var calls []*pacedCall
	for range slowStart {
		pc := p.call()
		mustAdmit(t, p, c, pc)
		calls = append(calls, pc)
	}
	d, _ := p.admit(c.now(), p.call())
	assert.Equal(t, forever, d, "the fifth waits for an answer")

	c.add(20 * time.Millisecond)
	answer(calls[0], http.StatusOK)
	for range 2 { // one answered: one in its place, and one more
		mustAdmit(t, p, c, p.call())
	}
	d, _ = p.admit(c.now(), p.call())
	assert.Equal(t, 40*time.Millisecond, d, "then waits for an answer or two round trips")

	c.add(40 * time.Millisecond)
	for range 3 { // two round trips after the first answer: the window doubled, to 8
		mustAdmit(t, p, c, p.call())
	}
	d, _ = p.admit(c.now(), p.call())
	assert.Positive(t, d)
}

func TestPacerPausesEveryRequest(t *testing.T) {
	c := &fakeClock{t: time.Unix(1_000_000, 0)}
	p := newTestPacer(c)
	first, second := p.call(), p.call()
	mustAdmit(t, p, c, first)
	mustAdmit(t, p, c, second)
	c.add(20 * time.Millisecond)
	answer(first, http.StatusOK)
	answer(second, http.StatusTooManyRequests, "Retry-After", "2")

	// Every request, not only the refused one, waits for the pause and a
	// random share of its tenth.
	var resumes []time.Duration
	for range 20 {
		d, _ := p.admit(c.now(), p.call())
		assert.GreaterOrEqual(t, d, 2*time.Second)
		assert.LessOrEqual(t, d, 2*time.Second+200*time.Millisecond)
		resumes = append(resumes, d)
	}
	distinct := map[time.Duration]bool{}
	for _, d := range resumes {
		distinct[d] = true
	}
	assert.Greater(t, len(distinct), 15, "resumes spread out, not in one instant")
	t.Logf("FIGURE pause Retry-After=2s: 20 requests wait %s to %s, %d distinct moments", slices.Min(resumes), slices.Max(resumes), len(distinct))

	// A later refusal with a shorter Retry-After does not shorten the pause.
	third := p.call()
	c.add(time.Second)
	d, _ := p.admit(c.now(), third)
	assert.GreaterOrEqual(t, d, time.Second)
}

func TestPacerPacesAfterRefusal(t *testing.T) {
	c := &fakeClock{t: time.Unix(1_000_000, 0)}
	p := newTestPacer(c)
	// Ten served at once, then refusals: the bucket held ten.
	var calls []*pacedCall
	for range 4 {
		pc := p.call()
		mustAdmit(t, p, c, pc)
		calls = append(calls, pc)
	}
	c.add(20 * time.Millisecond)
	for _, pc := range calls {
		answer(pc, http.StatusOK)
	}
	calls = calls[:0]
	for range 8 {
		pc := p.call()
		mustAdmit(t, p, c, pc)
		calls = append(calls, pc)
	}
	c.add(20 * time.Millisecond)
	for i, pc := range calls {
		if i < 6 {
			answer(pc, http.StatusOK)
		} else {
			answer(pc, http.StatusTooManyRequests, "Retry-After", "1")
		}
	}
	// After the pause, the waiting requests go at a pace, not at once.
	c.add(time.Second + 100*time.Millisecond)
	admitted := 0
	for range 30 {
		if d, _ := p.admit(c.now(), p.call()); d == 0 {
			admitted++
		}
	}
	assert.Positive(t, admitted)
	assert.Less(t, admitted, 10, "no more than the burst the drain showed")
	assert.Positive(t, p.rate, "a pace is set")
}

func TestPacerCeiling(t *testing.T) {
	c := &fakeClock{t: time.Unix(1_000_000, 0)}
	p := newTestPacer(c)
	p.ceiling = rate.NewLimiter(5, 1)
	p.setPace(c.now(), 100, 1, time.Second, 0, 0, 0)
	assert.InDelta(t, 5, p.pace(c.now().Add(10*time.Second)), 1e-9, "never above WithRateLimit")
}

func TestPacerOff(t *testing.T) {
	p := newPacer(false, nil, originOf(simURL), DefaultRetryPolicy())
	pc := p.call()
	require.NoError(t, pc.wait(context.Background()))
	answer(pc, http.StatusTooManyRequests, "Retry-After", "30")
	assert.False(t, pc.excused, "every refusal counts as an attempt")
	done := make(chan error, 1)
	go func() { done <- p.call().wait(context.Background()) }()
	require.NoError(t, <-done, "no pause")
}

func TestPacerFollowsHeaders(t *testing.T) {
	c := &fakeClock{t: time.Unix(1_000_000, 0)}
	p := newTestPacer(c)
	pc := p.call()
	mustAdmit(t, p, c, pc)
	c.add(20 * time.Millisecond)
	answer(pc, http.StatusOK, "RateLimit-Limit", "10", "RateLimit-Remaining", "2", "RateLimit-Reset", "1")
	assert.False(t, p.starting, "a known limit ends the slow start")
	mustAdmit(t, p, c, p.call())
	mustAdmit(t, p, c, p.call())
	d, _ := p.admit(c.now(), p.call())
	assert.Positive(t, d, "the quota is spent: wait for it to come back")
	assert.LessOrEqual(t, d, time.Second, "by the reset at the latest")
}

func TestReadLimit(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		name          string
		header        []string
		limit, remain float64
		reset         time.Duration
		ok            bool
	}{
		{"ietf", []string{"RateLimit-Limit", "20", "RateLimit-Remaining", "7", "RateLimit-Reset", "3"}, 20, 7, 3 * time.Second, true},
		{"ietf list", []string{"RateLimit-Limit", "100, 100;w=60", "RateLimit-Remaining", "99", "RateLimit-Reset", "60"}, 100, 99, time.Minute, true},
		{"x unix", []string{"X-RateLimit-Limit", "5000", "X-RateLimit-Remaining", "4999", "X-RateLimit-Reset", "1800000010"}, 5000, 4999, 11 * time.Second, true},
		{"x seconds", []string{"X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "42"}, 60, 0, 42 * time.Second, true},
		{"x unix past", []string{"X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1700000000"}, 60, 0, 0, true},
		{"remaining over limit", []string{"RateLimit-Limit", "5", "RateLimit-Remaining", "9"}, 5, 5, 0, true},
		{"no reset", []string{"RateLimit-Limit", "5", "RateLimit-Remaining", "1"}, 5, 1, 0, true},
		{"no remaining", []string{"RateLimit-Limit", "5"}, 0, 0, 0, false},
		{"words", []string{"RateLimit-Limit", "many", "RateLimit-Remaining", "some"}, 0, 0, 0, false},
		{"negative", []string{"RateLimit-Limit", "-5", "RateLimit-Remaining", "1"}, 0, 0, 0, false},
		{"none", nil, 0, 0, 0, false},
	} {
		h := http.Header{}
		for i := 0; i+1 < len(tc.header); i += 2 {
			h.Set(tc.header[i], tc.header[i+1])
		}
		limit, remain, reset, ok := readLimit(h, now)
		assert.Equal(t, tc.ok, ok, tc.name)
		assert.Equal(t, tc.limit, limit, tc.name)
		assert.Equal(t, tc.remain, remain, tc.name)
		assert.Equal(t, tc.reset, reset, tc.name)
	}
}

// TestFitFindsTheBucket replays a log of requests that a bucket of 20 a
// second holding 10 served and refused: the rates that fit include 20.
func TestFitFindsTheBucket(t *testing.T) {
	start := time.Unix(1_000_000, 0)
	srv := simBucket{rate: 20, burst: 10, tokens: 10, last: start}
	var e estimator
	seq := uint64(0)
	for i := 0; i < 60; i++ { // 40 a second for a second and a half
		at := start.Add(time.Duration(i) * 25 * time.Millisecond)
		seq++
		e.add(seq, at)
		o := served
		if ok, _ := srv.take(at); !ok {
			o = refused
		}
		e.record(seq, o)
	}
	best, lo, hi, _ := e.fit(time.Second)
	assert.LessOrEqual(t, lo, 20.0)
	assert.GreaterOrEqual(t, hi, 20.0)
	assert.InDelta(t, 20, best.rate, 3)
	assert.InDelta(t, 10, best.burst, 2)
}

// TestRefusalWhileOthersServedIsNotAnAttempt: a call refused five times in
// a row still succeeds with four attempts allowed, because each time another
// call of the client was served in between; with adaptation off it fails
// after four.
func TestRefusalWhileOthersServedIsNotAnAttempt(t *testing.T) {
	for _, adaptive := range []bool{true, false} {
		t.Run(fmt.Sprintf("adaptive=%v", adaptive), func(t *testing.T) {
			ts := newTestServer(t, fastRetry, WithAdaptiveRateLimit(adaptive))
			refusing := make(chan struct{})
			servedOther := make(chan struct{})
			var attempts atomic.Int64
			ts.mux.HandleFunc("/v1/a", func(w http.ResponseWriter, r *http.Request) {
				if attempts.Add(1) > 5 {
					okHealth(w, r)
					return
				}
				refusing <- struct{}{}
				<-servedOther // another call is served before this refusal
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
			})
			ts.mux.HandleFunc("/v1/health", okHealth)
			done := make(chan error, 1)
			go func() {
				err := ts.client.Do(context.Background(), http.MethodGet, "/v1/a", nil, nil)
				done <- err
			}()
			for {
				select {
				case <-refusing:
					_, err := ts.client.Health(context.Background())
					require.NoError(t, err)
					servedOther <- struct{}{}
					continue
				case err := <-done:
					if adaptive {
						require.NoError(t, err)
						assert.Equal(t, int64(6), attempts.Load())
					} else {
						require.ErrorIs(t, err, ErrRateLimited)
						assert.Equal(t, int64(4), attempts.Load())
					}
					t.Logf("FIGURE refused-while-others-served adaptive=%v attempts=%d err=%v", adaptive, attempts.Load(), err)
				}
				break
			}
		})
	}
}

// TestRefusedForeverEndsTheCall: a server that refuses every request ends
// the call after MaxAttempts with the 429, pacing or not.
func TestRefusedForeverEndsTheCall(t *testing.T) {
	ts := newTestServer(t, fastRetry)
	var attempts atomic.Int64
	ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	_, err := ts.client.Health(context.Background())
	require.ErrorIs(t, err, ErrRateLimited)
	var apiErr *APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, "/api-prefix/v1/health", mustParse(t, apiErr.URL).Path, "the error names the request")
	assert.Equal(t, int64(4), attempts.Load())
	t.Logf("FIGURE refused-forever attempts=%d err=%q", attempts.Load(), err)
}

// TestPacerPauseIsBoundedByMaxBackoff: a Retry-After of a year ends the call
// that got it, and pauses the client's other calls no longer than a retry
// would wait: a walk whose next page was still waiting for its turn must
// not wait a year for it.
func TestPacerPauseIsBoundedByMaxBackoff(t *testing.T) {
	policy := RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Second}
	p := newPacer(true, nil, originOf(simURL), policy)
	now := time.Now()
	p.refused(pass{}, now, 365*24*time.Hour)
	assert.Equal(t, 2*time.Second, p.pauseUntil.Sub(now))
	p.refused(pass{}, now, time.Second)
	assert.Equal(t, 2*time.Second, p.pauseUntil.Sub(now), "a shorter Retry-After does not shorten the pause")
}
