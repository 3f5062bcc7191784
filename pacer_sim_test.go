package rcevents

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"
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

// sim is a discrete-event simulation of clients and a token-bucket server
// on a fake clock.
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
func simulateWalk(cfg simConfig, seed uint64, tracef ...func(string, ...any)) simResult {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &sim{now: start, rnd: rand.New(rand.NewPCG(seed, 1)), waiter: map[int]func(){}}
	s.srv = simBucket{rate: cfg.rate, burst: cfg.burst, tokens: cfg.burst, last: start}
	p := newPacer(true, nil, originOf(simURL), true)
	p.now = func() time.Time { return s.now }
	p.random = s.rnd.Float64
	if len(tracef) > 0 {
		p.tracef = tracef[0]
	}
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
				if p.tracef != nil {
					p.tracef("%v refused (sent %v)", s.now.Format("05.000"), pc.pass.sent.Format("05.000"))
				}
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

func TestSimulateWalks(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation report")
	}
	for _, h := range []headerStyle{headersNone, headersIETF, headersXRate} {
		for _, burst := range []float64{10, 4} {
			for _, conc := range []int{1, 4, 8, 16} {
				cfg := simConfig{rate: 20, burst: burst, latency: 20 * time.Millisecond, decode: 3 * time.Millisecond,
					retryAfter: time.Second, concurrency: conc, pages: 100, headers: h}
				t.Logf("%v burst=%v conc=%d: %v", h, burst, conc, simulateWalk(cfg, 1))
			}
		}
	}
}

func TestSimTrace(t *testing.T) {
	cfg := simConfig{rate: 20, burst: 10, latency: 20 * time.Millisecond, decode: 3 * time.Millisecond,
		retryAfter: time.Second, concurrency: 1, pages: 100}
	if v := os.Getenv("SIMCONF"); v != "" {
		var lat, dec float64
		fmt.Sscanf(v, "%g,%g,%d,%g,%g,%g", &cfg.rate, &cfg.burst, &cfg.concurrency, &cfg.faults, &lat, &dec)
		if lat > 0 {
			cfg.latency = time.Duration(lat * float64(time.Millisecond))
		}
		if dec > 0 {
			cfg.decode = time.Duration(dec * float64(time.Millisecond))
		}
	}
	if os.Getenv("SIMHDR") != "" {
		cfg.headers = headersIETF
	}
	t.Log(simulateWalk(cfg, 1, t.Logf))
}

func TestSimMatrix(t *testing.T) {
	if os.Getenv("SIMMATRIX") == "" {
		t.Skip("set SIMMATRIX to run")
	}
	var worst, sum float64
	var n, over, overShare int
	for _, rate := range []float64{5, 10, 20, 50} {
		for _, burst := range []float64{2, 4, 10, 30} {
			for _, lat := range []time.Duration{20 * time.Millisecond, 100 * time.Millisecond} {
				for _, ra := range []time.Duration{time.Second} {
					if burst > rate*ra.Seconds() {
						continue
					}
					line := fmt.Sprintf("rate=%v burst=%v lat=%v ra=%v:", rate, burst, lat, ra)
					for _, conc := range []int{1, 4, 8, 16} {
						cfg := simConfig{rate: rate, burst: burst, latency: lat, decode: 2 * time.Millisecond, retryAfter: ra, concurrency: conc, pages: 100}
						r := simulateWalk(cfg, 1)
						natural := time.Duration(100 * float64(lat+cfg.decode) / float64(conc))
						fl := max(r.floor, natural)
						x := r.wall.Seconds() / fl.Seconds()
						share := 100 * float64(r.refused) / float64(r.requests)
						line += fmt.Sprintf(" c%d=%.2f/%.0f%%", conc, x, share)
						if r.failed > 0 {
							line += "FAIL"
						}
						worst = max(worst, x)
						sum += x
						n++
						if x > 1.2 {
							over++
						}
						if share > 10 {
							overShare++
						}
					}
					if os.Getenv("SIMVERBOSE") != "" {
						t.Log(line)
					}
				}
			}
		}
	}
	t.Logf("mean %.3f worst %.3f over1.2: %d/%d share>10%%: %d", sum/float64(n), worst, over, n, overShare)
}
