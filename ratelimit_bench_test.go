package rcevents

// A loopback server that enforces a token-bucket rate limit in real time, and
// the benchmarks of BENCHMARKS.md's rate-limit section that walk registrations
// through it.

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// headerStyle is how a limitedServer announces its limit.
type headerStyle int

const (
	headersNone   headerStyle = iota // only Retry-After, on a 429
	headersIETF                      // RateLimit-Limit, -Remaining, -Reset (seconds until reset)
	headersXRate                     // X-RateLimit-Limit, -Remaining, -Reset (Unix seconds of the reset)
	headersWindow                    // X-Rate-Limit-Limit, -Remaining, -Window, -Group (RingCentral's platform)
)

func (h headerStyle) String() string {
	return [...]string{"none", "ratelimit", "x-ratelimit", "x-rate-limit"}[h]
}

// limitConfig describes a limitedServer.
type limitConfig struct {
	rate       float64       // tokens a second; 0 for no limit
	burst      int           // the bucket's size
	window     time.Duration // if set, a fixed window of rate·window requests instead of a bucket
	latency    time.Duration // every answer is sent this long after the request arrived
	retryAfter int           // seconds, in a 429's Retry-After
	headers    headerStyle
	pages      int // registration pages of 100 the list serves
}

// limitedServer is an httptest server of the API behind a token bucket: a
// request arriving when the bucket holds less than one token is answered 429
// with Retry-After; any other takes a token and is served. Both answers leave
// after the configured latency. Announced limits follow the IETF draft for a
// bucket: the limit is its size, the remaining count the whole tokens left,
// and the reset the seconds (rounded up) until it is full again.
//
// It serves registration list pages (the same 100 recorded registrations on
// each page, meta.count and links for cfg.pages pages), one organization, one
// event, one registration and registration creation.
type limitedServer struct {
	*httptest.Server
	cfg limitConfig

	mu     sync.Mutex
	tokens float64
	last   time.Time
	opened time.Time // the current window's start

	served  atomic.Int64 // answered 2xx
	refused atomic.Int64 // answered 429

	page      []byte // the data array of a page of 100
	resources map[string][]byte
}

func newLimitedServer(tb testing.TB, cfg limitConfig) *limitedServer {
	tb.Helper()
	if cfg.retryAfter == 0 {
		cfg.retryAfter = 1
	}
	s := &limitedServer{cfg: cfg, tokens: float64(cfg.burst), last: time.Now(), resources: map[string][]byte{}}
	s.page = pageData(tb, readTestdata(tb, "registrations_list_100.json"))
	for path, name := range map[string]string{
		"/v1/organizations/org_7f3a":   "organizations_get.json",
		"/v1/events/evt_5kq2":          "events_get.json",
		"/v1/registrations/reg_3hx9q2": "registrations_get.json",
		"/v1/events/evt_5kq2/regpost":  "registrations_create.json",
	} {
		s.resources[path] = readTestdata(tb, name)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// readTestdata returns the bytes of testdata/name.
func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// pageData returns the bytes of the data array of a recorded list page.
func pageData(tb testing.TB, doc []byte) []byte {
	tb.Helper()
	start := bytes.IndexByte(doc, '[')
	end := bytes.LastIndex(doc, []byte("],\n\"meta\""))
	if start < 0 || end < start {
		tb.Fatal("unexpected shape of registrations_list_100.json")
	}
	return doc[start : end+1]
}

// take tries to take a token at now. It returns whether it got one and the
// bucket's state afterwards.
func (s *limitedServer) take(now time.Time) (ok bool, tokens float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.rate <= 0 {
		return true, 0
	}
	if w := s.cfg.window; w > 0 {
		if now.Sub(s.opened) >= w {
			s.opened = s.opened.Add(now.Sub(s.opened).Truncate(w))
			s.tokens = s.cfg.rate * w.Seconds()
		}
		if s.tokens < 1 {
			return false, 0
		}
		s.tokens--
		return true, s.tokens
	}
	s.tokens = math.Min(float64(s.cfg.burst), s.tokens+now.Sub(s.last).Seconds()*s.cfg.rate)
	s.last = now
	if s.tokens < 1 {
		return false, s.tokens
	}
	s.tokens--
	return true, s.tokens
}

// reset makes the bucket full, as before a walk.
func (s *limitedServer) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens, s.last = float64(s.cfg.burst), time.Now()
	if w := s.cfg.window; w > 0 {
		// A window begins at a moment of the server's own, not at the
		// client's first request.
		s.opened = s.last.Add(-time.Duration(rand.Int64N(int64(w))))
		s.tokens = s.cfg.rate * w.Seconds()
	}
	s.served.Store(0)
	s.refused.Store(0)
}

func (s *limitedServer) serve(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	ok, tokens := s.take(arrived)
	if s.cfg.rate > 0 {
		s.announce(w.Header(), arrived, tokens)
	}
	t := time.NewTimer(s.cfg.latency - time.Since(arrived))
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return
	}
	if !ok {
		s.refused.Add(1)
		w.Header().Set("Retry-After", strconv.Itoa(s.cfg.retryAfter))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"errors":[{"status":"429","title":"Too Many Requests"}]}`))
		return
	}
	s.served.Add(1)
	w.Header().Set("Content-Type", "application/json")
	path := strings.TrimPrefix(r.URL.Path, basePath)
	if r.Method == http.MethodGet && strings.HasSuffix(path, "/registrations") {
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		w.Write(s.listPage(max(n, 1)))
		return
	}
	if r.Method == http.MethodPost {
		path = strings.TrimSuffix(path, "/registrations") + "/regpost"
		w.WriteHeader(http.StatusCreated)
	}
	body, found := s.resources[path]
	if !found {
		http.Error(w, `{"errors":[{"status":"404"}]}`, http.StatusNotFound)
		return
	}
	w.Write(body)
}

// announce sets the headers that describe the bucket holding tokens at now.
func (s *limitedServer) announce(h http.Header, now time.Time, tokens float64) {
	burst := float64(s.cfg.burst)
	untilFull := math.Ceil((burst - tokens) / s.cfg.rate)
	limit, remaining := strconv.Itoa(s.cfg.burst), strconv.Itoa(int(tokens))
	switch s.cfg.headers {
	case headersWindow:
		h.Set("X-Rate-Limit-Group", "medium")
		h.Set("X-Rate-Limit-Limit", strconv.Itoa(int(s.cfg.rate*s.cfg.window.Seconds())))
		h.Set("X-Rate-Limit-Remaining", remaining)
		h.Set("X-Rate-Limit-Window", strconv.Itoa(int(s.cfg.window.Seconds())))
	case headersIETF:
		h.Set("RateLimit-Limit", limit)
		h.Set("RateLimit-Remaining", remaining)
		h.Set("RateLimit-Reset", strconv.Itoa(int(untilFull)))
	case headersXRate:
		h.Set("X-RateLimit-Limit", limit)
		h.Set("X-RateLimit-Remaining", remaining)
		h.Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(time.Duration(untilFull)*time.Second).Unix(), 10))
	}
}

// listPage is page n of the registrations list.
func (s *limitedServer) listPage(n int) []byte {
	link := func(p int) string {
		if p < 1 || p > s.cfg.pages {
			return "null"
		}
		return fmt.Sprintf(`"https://api.example/v1/events/evt_5kq2/registrations?page=%d&perPage=100"`, p)
	}
	var b bytes.Buffer
	b.Grow(len(s.page) + 2048)
	b.WriteString(`{"data":`)
	// Each page's registrations have IDs of their own: a walk refuses a page
	// that repeats the one before it.
	b.Write(bytes.ReplaceAll(s.page, []byte(`"id":"reg_`), fmt.Appendf(nil, `"id":"reg_p%d_`, n)))
	fmt.Fprintf(&b, `,"meta":{"count":%d},"links":{"first":%s,"self":%s,"last":%s,"prev":%s,"next":%s}}`,
		s.cfg.pages*100, link(1), link(n), link(s.cfg.pages), link(n-1), link(n+1))
	return b.Bytes()
}

// walkStats is what one or more walks through a limitedServer cost.
type walkStats struct {
	walks, failed     int
	wall              time.Duration
	requests, refused int64
}

func (st *walkStats) report(b *testing.B, floor time.Duration) {
	b.ReportMetric(st.wall.Seconds()/float64(st.walks)/floor.Seconds(), "x-floor")
	b.ReportMetric(100*float64(st.refused)/float64(max(st.requests, 1)), "429-%")
	b.ReportMetric(float64(st.failed), "failed-walks")
}

// limitedClient is a client of srv that walks up to concurrency pages at
// once, with the default retry policy.
func limitedClient(tb testing.TB, srv *limitedServer, concurrency int, opts ...Option) *Client {
	tb.Helper()
	tr := defaultTransport().(*http.Transport)
	tb.Cleanup(tr.CloseIdleConnections)
	base := []Option{WithBaseURL(srv.URL), WithToken(testToken), WithHTTPClient(&http.Client{Transport: tr}), WithPageConcurrency(concurrency)}
	c, err := NewClient(append(base, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// walkLimited walks every registration page of srv once with c and adds
// what it cost to st. The bucket starts full.
func walkLimited(tb testing.TB, srv *limitedServer, c *Client, st *walkStats) {
	srv.reset()
	opts := &RegistrationListOptions{ListOptions: ListOptions{PerPage: MaxPerPage}}
	start := time.Now()
	n := 0
	var err error
	for _, e := range c.Registrations.All(context.Background(), "evt_5kq2", opts) {
		if e != nil {
			err = e
			break
		}
		n++
	}
	st.wall += time.Since(start)
	st.walks++
	st.requests += srv.served.Load() + srv.refused.Load()
	st.refused += srv.refused.Load()
	if err != nil || n != srv.cfg.pages*100 {
		st.failed++
		tb.Logf("walk failed after %d registrations: %v", n, err)
	}
}

// The servers of the rate-limit benchmarks: token buckets of 40 requests a
// second holding 5 and of 20 a second holding 10 or 4, and a fixed window of
// 25 a second, answering 429 with Retry-After 1 s when they refuse.
var (
	bucket40x5  = limitConfig{rate: 40, burst: 5, retryAfter: 1, pages: 100}
	bucket20x10 = limitConfig{rate: 20, burst: 10, retryAfter: 1, pages: 100}
	bucket20x4  = limitConfig{rate: 20, burst: 4, retryAfter: 1, pages: 100}
	window25    = limitConfig{rate: 25, window: time.Second, retryAfter: 1, pages: 100, headers: headersWindow}
)

// limitName names a server of cfg in a benchmark's name.
func limitName(cfg limitConfig) string {
	if cfg.window > 0 {
		return fmt.Sprintf("%s/window=%gper%s", cfg.headers, cfg.rate*cfg.window.Seconds(), cfg.window)
	}
	return fmt.Sprintf("%s/bucket=%gx%d", cfg.headers, cfg.rate, cfg.burst)
}

// BenchmarkRateLimitedWalk walks 100 pages of 100 registrations through a
// server that limits its rate, each answer leaving after the latency. Each
// op is one walk by a new client with the default retry policy, so every
// walk starts knowing nothing of the limit. Metrics: x-floor, the walk's
// wall time over the floor (what a client that knows the limit needs:
// (pages − burst) ÷ rate, or the whole windows after the first; for an
// unannounced limit, pages ÷ rate + 2 × (Retry-After − burst ÷ rate), what
// two refusals cost a client that honours Retry-After); 429-%, the share of
// requests refused; failed-walks.
func BenchmarkRateLimitedWalk(b *testing.B) {
	type variant struct {
		cfg         limitConfig
		concurrency int
		opts        []Option
	}
	var variants []variant
	for _, h := range []headerStyle{headersIETF, headersXRate} {
		for _, cfg := range []limitConfig{bucket40x5, bucket20x10} {
			cfg.headers = h
			variants = append(variants, variant{cfg: cfg})
		}
	}
	variants = append(variants, variant{cfg: window25})
	var announced []variant
	for _, v := range variants {
		for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
			for _, conc := range []int{1, 8} {
				v.cfg.latency, v.concurrency = latency, conc
				announced = append(announced, v)
			}
		}
	}
	variants = announced
	for _, cfg := range []limitConfig{bucket20x10, bucket20x4, bucket40x5} {
		if cfg.latency = 20 * time.Millisecond; cfg.rate == 40 {
			cfg.latency = 0
		}
		for _, conc := range []int{1, 4, 8, 16} {
			variants = append(variants, variant{cfg: cfg, concurrency: conc})
		}
	}
	for _, conc := range []int{1, 8} {
		cfg := bucket20x10
		cfg.latency = 20 * time.Millisecond
		variants = append(variants, variant{cfg: cfg, concurrency: conc, opts: []Option{WithRateLimit(cfg.rate, cfg.burst)}})
	}
	if testing.Short() { // CI: announced and unknown, each at 0 ms and concurrency 8
		announced, unknown := bucket40x5, bucket40x5
		announced.headers = headersIETF
		variants = []variant{{cfg: announced, concurrency: 8}, {cfg: unknown, concurrency: 8}}
	}
	for _, v := range variants {
		name := fmt.Sprintf("%s/latency=%s/concurrency=%d", limitName(v.cfg), v.cfg.latency, v.concurrency)
		if v.opts != nil {
			name = "given/" + name
		}
		b.Run(name, func(b *testing.B) {
			srv := newLimitedServer(b, v.cfg)
			var st walkStats
			for i := 0; i < b.N; i++ {
				c := limitedClient(b, srv, v.concurrency, v.opts...)
				walkLimited(b, srv, c, &st)
			}
			floor := walkFloor(v.cfg)
			if v.cfg.headers == headersNone && v.opts == nil {
				floor = unknownFloor(v.cfg)
			}
			st.report(b, floor)
		})
	}
}

// walkFloor is what a client that knows cfg's limit needs for the walk:
// (pages − burst) ÷ rate, or the whole windows after the first.
func walkFloor(cfg limitConfig) time.Duration {
	if cfg.window > 0 {
		perWindow := int(cfg.rate * cfg.window.Seconds())
		return time.Duration((cfg.pages-1)/perWindow) * cfg.window
	}
	return time.Duration(float64(cfg.pages-cfg.burst) / cfg.rate * float64(time.Second))
}

// BenchmarkRaisedLimit: one client walks three times through a server
// whose limit it learns; the limit then rises fourfold, and it walks three
// times more. x-floor is the third walk after the rise over the new floor.
func BenchmarkRaisedLimit(b *testing.B) {
	if testing.Short() {
		b.Skip("about 20 s an op")
	}
	for _, h := range []headerStyle{headersNone, headersIETF} {
		cfg := bucket20x10
		cfg.latency, cfg.headers = 20*time.Millisecond, h
		b.Run(limitName(cfg), func(b *testing.B) {
			var x float64
			for i := 0; i < b.N; i++ {
				srv := newLimitedServer(b, cfg)
				c := limitedClient(b, srv, 8)
				var st walkStats
				for walk := range 6 {
					if walk == 3 {
						srv.cfg.rate *= 4
					}
					st = walkStats{}
					walkLimited(b, srv, c, &st)
				}
				floor := walkFloor(srv.cfg)
				if h == headersNone {
					floor = unknownFloor(srv.cfg)
				}
				x += st.wall.Seconds() / floor.Seconds()
			}
			b.ReportMetric(x/float64(b.N), "x-floor")
		})
	}
}

// BenchmarkUnlimitedWalk walks against the same server without a limit,
// each op one walk with the limiter's learning on (the default) and one
// with it off, by new clients, in turn: on/off is the ratio of their times,
// which holds whatever else the machine does meanwhile.
func BenchmarkUnlimitedWalk(b *testing.B) {
	concurrencies, latencies := []int{1, 8, 16}, []time.Duration{0, 20 * time.Millisecond}
	if testing.Short() {
		concurrencies, latencies = []int{8}, latencies[:1]
	}
	for _, latency := range latencies {
		for _, conc := range concurrencies {
			b.Run(fmt.Sprintf("latency=%s/concurrency=%d", latency, conc), func(b *testing.B) {
				srv := newLimitedServer(b, limitConfig{latency: latency, pages: 100})
				var on, off walkStats
				for i := 0; i < b.N; i++ {
					walkLimited(b, srv, limitedClient(b, srv, conc), &on)
					walkLimited(b, srv, limitedClient(b, srv, conc, WithAdaptiveRateLimit(false)), &off)
				}
				if on.failed+off.failed > 0 {
					b.Fatalf("%d walks failed", on.failed+off.failed)
				}
				b.ReportMetric(on.wall.Seconds()/off.wall.Seconds(), "on/off")
				b.ReportMetric(float64(on.wall.Milliseconds())/float64(b.N), "on-ms")
				b.ReportMetric(float64(off.wall.Milliseconds())/float64(b.N), "off-ms")
			})
		}
	}
}

// mixedCalls are the calls of BenchmarkRateLimitedMixed, taken in turn.
var mixedCalls = []func(ctx context.Context, c *Client, i int) error{
	func(ctx context.Context, c *Client, _ int) error {
		_, err := c.Organizations.Get(ctx, "org_7f3a")
		return err
	},
	func(ctx context.Context, c *Client, _ int) error { _, err := c.Events.Get(ctx, "evt_5kq2"); return err },
	func(ctx context.Context, c *Client, _ int) error {
		_, err := c.Registrations.Get(ctx, "reg_3hx9q2")
		return err
	},
	func(ctx context.Context, c *Client, i int) error {
		_, err := c.Registrations.List(ctx, "evt_5kq2", &RegistrationListOptions{ListOptions: ListOptions{Page: i%10 + 1, PerPage: 100}})
		return err
	},
	func(ctx context.Context, c *Client, i int) error {
		_, err := c.Registrations.Create(ctx, "evt_5kq2", &RegistrationCreateRequest{Email: fmt.Sprintf("p%d@example.com", i), FirstName: "Pat", LastName: "Lee"})
		return err
	},
}

// BenchmarkRateLimitedMixed runs 50 goroutines on one client, making 5 s
// worth of calls at the server's rate (gets, list pages and creates, in
// turn) against the limited server of BenchmarkRateLimitedWalk, its limit
// unknown. x-floor is the wall time over calls ÷ rate; failed-calls the
// calls that returned an error.
func BenchmarkRateLimitedMixed(b *testing.B) {
	if testing.Short() {
		b.Skip("a 5 s run; the walks cover the limiter in short runs")
	}
	const workers = 50
	cfg := bucket20x10
	cfg.latency, cfg.pages = 20*time.Millisecond, 10
	srv := newLimitedServer(b, cfg)
	calls := int(5 * cfg.rate)
	var st walkStats
	var failed atomic.Int64
	for i := 0; i < b.N; i++ {
		c := limitedClient(b, srv, 1)
		srv.reset()
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := int(next.Add(1)); k <= calls; k = int(next.Add(1)) {
					if err := mixedCalls[k%len(mixedCalls)](context.Background(), c, k); err != nil {
						if failed.Add(1) <= 3 {
							b.Logf("call %d: %v", k, err)
						}
					}
				}
			}()
		}
		wg.Wait()
		st.wall += time.Since(start)
		st.walks++
		st.requests += srv.served.Load() + srv.refused.Load()
		st.refused += srv.refused.Load()
	}
	floor := time.Duration(float64(calls) / cfg.rate * float64(time.Second))
	b.ReportMetric(st.wall.Seconds()/float64(st.walks)/floor.Seconds(), "x-floor")
	b.ReportMetric(100*float64(st.refused)/float64(max(st.requests, 1)), "429-%")
	b.ReportMetric(float64(failed.Load()), "failed-calls")
}
