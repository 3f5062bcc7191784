package rcevents

// A loopback server that enforces a token-bucket rate limit in real time, and
// the benchmarks of BENCHMARKS.md's rate-limit section that walk registrations
// through it.

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math"
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
	headersNone  headerStyle = iota // only Retry-After, on a 429
	headersIETF                     // RateLimit-Limit, -Remaining, -Reset (seconds until reset)
	headersXRate                    // X-RateLimit-Limit, -Remaining, -Reset (Unix seconds of the reset)
)

func (h headerStyle) String() string {
	return [...]string{"none", "ratelimit", "x-ratelimit"}[h]
}

// limitConfig describes a limitedServer.
type limitConfig struct {
	rate       float64       // tokens a second; 0 for no limit
	burst      int           // the bucket's size
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

// Flags let the rate-limit benchmarks run against other limits than the
// ones BENCHMARKS.md reports.
var (
	benchLimitRate    = flag.Float64("ratelimit.rate", 20, "requests a second the limited server allows")
	benchLimitLatency = flag.Duration("ratelimit.latency", 20*time.Millisecond, "latency of the limited server's answers")
	benchLimitRetry   = flag.Int("ratelimit.retryafter", 1, "Retry-After of the limited server's 429s, in seconds")
	benchLimitPages   = flag.Int("ratelimit.pages", 100, "pages of 100 registrations a walk reads")
	benchLimitBursts  = flag.String("ratelimit.bursts", "10,4", "bucket sizes of the unknown-limit walks, comma-separated")
)

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

// BenchmarkRateLimitedWalk walks 100 pages of 100 registrations through a
// server that allows 20 requests a second (a token bucket) and answers 429
// with Retry-After 1 s when the bucket is empty, each answer after 20 ms.
// Each op is one walk by a new client, so every walk starts knowing nothing
// of the limit. x-floor is the walk's wall time over the floor, pages ÷
// rate; 429-% the share of requests answered 429; failed-walks the walks
// that ended with an error.
func BenchmarkRateLimitedWalk(b *testing.B) {
	type variant struct {
		name        string
		cfg         limitConfig
		concurrency int
		opts        []Option
	}
	base := limitConfig{rate: *benchLimitRate, latency: *benchLimitLatency, retryAfter: *benchLimitRetry, pages: *benchLimitPages}
	with := func(burst int, h headerStyle) limitConfig {
		cfg := base
		cfg.burst, cfg.headers = burst, h
		return cfg
	}
	var variants []variant
	var bursts []int
	for _, f := range strings.Split(*benchLimitBursts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			b.Fatalf("-ratelimit.bursts: %q is not a bucket size", f)
		}
		bursts = append(bursts, n)
	}
	for _, burst := range bursts {
		for _, conc := range []int{1, 4, 8, 16} {
			variants = append(variants, variant{fmt.Sprintf("limit=unknown/burst=%d/concurrency=%d", burst, conc), with(burst, headersNone), conc, nil})
		}
	}
	for _, h := range []headerStyle{headersIETF, headersXRate} {
		for _, conc := range []int{1, 8, 16} {
			variants = append(variants, variant{fmt.Sprintf("limit=%s/burst=%d/concurrency=%d", h, bursts[0], conc), with(bursts[0], h), conc, nil})
		}
	}
	for _, conc := range []int{1, 8} {
		variants = append(variants, variant{fmt.Sprintf("limit=given/burst=%d/concurrency=%d", bursts[0], conc), with(bursts[0], headersNone), conc,
			[]Option{WithRateLimit(base.rate, bursts[0])}})
	}
	if testing.Short() {
		variants = []variant{variants[2]} // unknown limit, first burst, concurrency 8
	}
	floor := time.Duration(float64(base.pages) / base.rate * float64(time.Second))
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			srv := newLimitedServer(b, v.cfg)
			var st walkStats
			for i := 0; i < b.N; i++ {
				c := limitedClient(b, srv, v.concurrency, v.opts...)
				walkLimited(b, srv, c, &st)
			}
			st.report(b, floor)
		})
	}
}

// BenchmarkUnlimitedWalk is the same walk against the same server without a
// limit, with the adaptive pacer on (the default) and off: what pacing costs
// when nothing is refused. Each op is one walk by a new client, so the slow
// start of each is measured.
func BenchmarkUnlimitedWalk(b *testing.B) {
	concurrencies := []int{1, 8, 16}
	if testing.Short() {
		concurrencies = []int{8}
	}
	for _, conc := range concurrencies {
		for _, on := range []bool{true, false} {
			b.Run(fmt.Sprintf("concurrency=%d/pacer=%s", conc, map[bool]string{true: "on", false: "off"}[on]), func(b *testing.B) {
				unlimitedWalks(b, conc, on)
			})
		}
	}
}

func unlimitedWalks(b *testing.B, conc int, adaptive bool) {
	srv := newLimitedServer(b, limitConfig{latency: *benchLimitLatency, pages: *benchLimitPages})
	var st walkStats
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := limitedClient(b, srv, conc, WithAdaptiveRateLimit(adaptive))
		b.StartTimer()
		walkLimited(b, srv, c, &st)
	}
	if st.failed > 0 {
		b.Fatalf("%d walks failed", st.failed)
	}
	b.ReportMetric(float64(srv.cfg.pages*100*b.N)/b.Elapsed().Seconds(), "items/s")
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
		b.Skip("a 5 s run; the walks cover the pacer in short runs")
	}
	const workers = 50
	burst, _ := strconv.Atoi(strings.Split(*benchLimitBursts, ",")[0])
	srv := newLimitedServer(b, limitConfig{rate: *benchLimitRate, burst: burst, latency: *benchLimitLatency, retryAfter: *benchLimitRetry, pages: 10})
	calls := int(5 * *benchLimitRate)
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
	floor := time.Duration(float64(calls) / *benchLimitRate * float64(time.Second))
	b.ReportMetric(st.wall.Seconds()/float64(st.walks)/floor.Seconds(), "x-floor")
	b.ReportMetric(100*float64(st.refused)/float64(max(st.requests, 1)), "429-%")
	b.ReportMetric(float64(failed.Load()), "failed-calls")
}
