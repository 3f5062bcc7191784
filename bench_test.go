package rcevents_test

// The benchmarks of BENCHMARKS.md. Those that talk to rceventstest live in
// this external package because the fake imports rcevents.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

// benchPerPage is the page size of every list benchmark: the API's largest.
const benchPerPage = rcevents.MaxPerPage

// rawTransport is what a hand-rolled client would use: the default
// transport, keeping as many idle connections per host as the SDK does.
func rawTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	return t
}

// newBenchClient returns a client of the API at baseURL that walks up to
// concurrency pages at once. Its idle connections are closed when b ends.
func newBenchClient(b *testing.B, baseURL, token string, concurrency int) *rcevents.Client {
	b.Helper()
	tr := rawTransport()
	b.Cleanup(tr.CloseIdleConnections)
	c, err := rcevents.NewClient(
		rcevents.WithBaseURL(baseURL),
		rcevents.WithToken(token),
		rcevents.WithHTTPClient(&http.Client{Transport: tr}),
		rcevents.WithPageConcurrency(concurrency),
	)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// newReplayServer answers with what h answers, after latency, but asks h
// only the first time a URL is requested. Walks through it measure the
// client and the transport without the fake's cost of building pages.
func newReplayServer(h http.Handler, latency time.Duration) *httptest.Server {
	var mu sync.Mutex
	answers := map[string][]byte{}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
		key := r.URL.RequestURI()
		mu.Lock()
		body, ok := answers[key]
		mu.Unlock()
		if !ok {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != http.StatusOK {
				w.WriteHeader(rec.Code)
				w.Write(rec.Body.Bytes())
				return
			}
			body = rec.Body.Bytes()
			mu.Lock()
			answers[key] = body
			mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
}

// walkRegistrations iterates over all the registrations of the fake's main
// event, discarding them, and returns how many there were.
func walkRegistrations(ctx context.Context, c *rcevents.Client, eventID string) (int, error) {
	opts := &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: benchPerPage}}
	n := 0
	for r, err := range c.Registrations.All(ctx, eventID, opts) {
		if err != nil {
			return n, err
		}
		if r.ID == "" {
			return n, fmt.Errorf("registration %d has no ID", n)
		}
		n++
	}
	return n, nil
}

// BenchmarkListAll walks 10,000 registrations, 100 pages of 100, from the
// fake answering every request after 20 ms, fetching 1, 4 or 8 pages at
// once. server=replay is the same walk with the fake's answers replayed (see
// newReplayServer), latency=0s the same walk without the delay: what the
// walk costs besides waiting. impl=raw is a hand-written net/http client
// that knows the page count up front, fetches as many pages at once and
// decodes them with encoding/json v1 into structs like the SDK's.
//
// x-floor is the walk's time over its latency floor: the rounds of requests
// a client knowing the page count needs, ceil(pages/concurrency), times the
// latency.
func BenchmarkListAll(b *testing.B) {
	const total = 10_000
	for _, run := range []struct {
		server        string
		latency       time.Duration
		concurrencies []int
	}{
		{"fake", 20 * time.Millisecond, []int{1, 4, 8}},
		{"replay", 20 * time.Millisecond, []int{1, 8}},
		{"fake", 0, []int{1, 8}},
	} {
		if testing.Short() && run.server == "fake" {
			continue // CI runs each benchmark once; the replayed walk is enough there
		}
		fake := rceventstest.NewServer(rceventstest.WithRegistrations(total), rceventstest.WithLogLimit(1000))
		baseURL := fake.URL
		if run.server == "replay" {
			replay := newReplayServer(fake.Handler(), run.latency)
			defer replay.Close()
			baseURL = replay.URL
		} else {
			fake.SetLatency(run.latency, run.latency)
		}
		for _, conc := range run.concurrencies {
			floor := time.Duration((total/benchPerPage+conc-1)/conc) * run.latency
			if run.server == "replay" {
				b.Run(fmt.Sprintf("server=%s/latency=%s/concurrency=%d/impl=raw", run.server, run.latency, conc), func(b *testing.B) {
					tr := rawTransport()
					defer tr.CloseIdleConnections()
					hc := &http.Client{Transport: tr}
					b.ReportAllocs()
					for i := 0; i < b.N; i++ {
						if n, err := rawWalk(hc, baseURL, fake.Token, fake.Fixtures.EventID, total/benchPerPage, conc); err != nil || n != total {
							b.Fatalf("walked %d registrations, want %d: %v", n, total, err)
						}
					}
					reportFloor(b, floor)
				})
			}
			name := fmt.Sprintf("server=%s/latency=%s/concurrency=%d", run.server, run.latency, conc)
			if run.server == "replay" {
				name += "/impl=sdk"
			}
			b.Run(name, func(b *testing.B) {
				c := newBenchClient(b, baseURL, fake.Token, conc)
				ctx := context.Background()
				walk := func() {
					n, err := walkRegistrations(ctx, c, fake.Fixtures.EventID)
					if err != nil || n != total {
						b.Fatalf("walked %d registrations, want %d: %v", n, total, err)
					}
				}
				if run.server == "replay" {
					walk() // records the answers
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					walk()
				}
				b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "items/s")
				reportFloor(b, floor)
			})
		}
		fake.Close()
	}
}

// reportFloor reports the time of one op over floor, when there is one.
func reportFloor(b *testing.B, floor time.Duration) {
	if floor > 0 {
		b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(floor), "x-floor")
	}
}

// rawWalk is what a hand-written client does when it knows a list has
// pages pages: fetch them conc at a time with net/http and decode each
// with encoding/json into structs like the SDK's. It returns the number of
// registrations decoded.
func rawWalk(hc *http.Client, baseURL, token, eventID string, pages, conc int) (int, error) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		n     int
		first error
	)
	next := make(chan int)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for page := range next {
				url := fmt.Sprintf("%s/v1/events/%s/registrations?page=%d&perPage=%d", baseURL, eventID, page, benchPerPage)
				req, err := http.NewRequest(http.MethodGet, url, nil)
				if err != nil {
					panic(err)
				}
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Accept", "application/json")
				var doc v1Page
				resp, err := hc.Do(req)
				if err == nil {
					err = json.NewDecoder(resp.Body).Decode(&doc)
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				mu.Lock()
				n += len(doc.Data)
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	for page := 1; page <= pages; page++ {
		next <- page
	}
	close(next)
	wg.Wait()
	return n, first
}

// v1Page is a registrations page as a client on encoding/json (v1) would
// declare it: the SDK's fields, with no method of the SDK's.
type v1Page struct {
	Data []struct {
		ID         string         `json:"id"`
		Attributes v1Registration `json:"attributes"`
	} `json:"data"`
	Meta struct {
		Count int `json:"count"`
	} `json:"meta"`
	Links struct {
		First string `json:"first"`
		Self  string `json:"self"`
		Last  string `json:"last"`
		Prev  string `json:"prev"`
		Next  string `json:"next"`
	} `json:"links"`
}

// v1Registration has the fields of rcevents.Registration; a custom field's
// value, a string or a list, is any.
type v1Registration struct {
	ID                       string            `json:"id"`
	Email                    string            `json:"email"`
	FirstName                string            `json:"firstName"`
	LastName                 string            `json:"lastName"`
	Headline                 *string           `json:"headline"`
	Bio                      *string           `json:"bio"`
	PhoneNumber              *string           `json:"phoneNumber"`
	LinkedIn                 *string           `json:"linkedin"`
	Twitter                  *string           `json:"twitter"`
	Website                  *string           `json:"website"`
	Timezone                 string            `json:"timezone"`
	TicketID                 string            `json:"ticketId"`
	UserID                   string            `json:"userId"`
	MagicLinkID              *string           `json:"magicLinkId"`
	RegisteredThrough        string            `json:"registeredThrough"`
	UTM                      rcevents.UTM      `json:"utm"`
	Attended                 bool              `json:"attended"`
	Refunded                 bool              `json:"refunded"`
	QRCodeData               *string           `json:"qrCodeData"`
	QRCodeImageURL           *string           `json:"qrCodeImageUrl"`
	FirstCheckIn             *time.Time        `json:"firstCheckIn"`
	QuestionBankEnabled      bool              `json:"questionBankEnabled"`
	CustomRegistrationFields []v1CustomField   `json:"customRegistrationFields"`
	Metadata                 map[string]string `json:"metadata"`
	CreatedAt                time.Time         `json:"createdAt"`
	UpdatedAt                time.Time         `json:"updatedAt"`
}

type v1CustomField struct {
	ID             string          `json:"id"`
	Name           string          `json:"name"`
	Value          any             `json:"value"`
	Type           string          `json:"type"`
	ChildQuestions []v1CustomField `json:"childQuestions"`
}

// benchFixture returns the bytes of testdata/name.
func benchFixture(b *testing.B, name string) []byte {
	b.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkDecode decodes one page of 100 registrations (the recorded
// fixture) three ways: the SDK's path from the answer's body to a Page
// (impl=sdk); encoding/json (v1) Unmarshal of the same bytes into equivalent
// structs (impl=v1, see v1Page); and into map[string]any, as a client
// without models does (impl=map).
func BenchmarkDecode(b *testing.B) {
	body := benchFixture(b, "registrations_list_100.json")

	b.Run("impl=sdk", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p, err := rcevents.DecodeRegistrationsPage(bytes.NewReader(body))
			if err != nil || len(p.Items) != 100 {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=v1", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var doc v1Page
			if err := json.Unmarshal(body, &doc); err != nil || len(doc.Data) != 100 {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=map", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var doc map[string]any
			if err := json.Unmarshal(body, &doc); err != nil || len(doc["data"].([]any)) != 100 {
				b.Fatal(err)
			}
		}
	})
}

// heapSampler records the peak of the heap in use (the runtime's HeapInuse:
// spans holding objects, live or not yet swept) every few milliseconds.
type heapSampler struct {
	stop chan struct{}
	done chan struct{}
	peak uint64
}

func startHeapSampler(every time.Duration) *heapSampler {
	s := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
	}
	read := func() {
		metrics.Read(samples)
		if inuse := samples[0].Value.Uint64() + samples[1].Value.Uint64(); inuse > s.peak {
			s.peak = inuse
		}
	}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			read()
			select {
			case <-s.stop:
				read()
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Stop ends the sampling and returns the peak in bytes.
func (s *heapSampler) Stop() uint64 {
	close(s.stop)
	<-s.done
	return s.peak
}

// BenchmarkStreamMemory walks 100,000 and 1,000,000 registrations generated
// by the fake, without latency, 8 pages at once, and reports the peak heap in
// use during the walk (the fake, in the same process, included). Flat memory
// means the two peaks are about the same. The 1,000,000 walk takes half a
// minute on two cores: -short leaves it out.
func BenchmarkStreamMemory(b *testing.B) {
	sizes := []int{100_000, 1_000_000}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for _, total := range sizes {
		b.Run(fmt.Sprintf("n=%d", total), func(b *testing.B) {
			srv := rceventstest.NewServer(rceventstest.WithRegistrations(total), rceventstest.WithLogLimit(100))
			defer srv.Close()
			c := newBenchClient(b, srv.URL, srv.Token, 8)
			ctx := context.Background()
			var peak uint64
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				runtime.GC()
				s := startHeapSampler(2 * time.Millisecond)
				n, err := walkRegistrations(ctx, c, srv.Fixtures.EventID)
				peak = max(peak, s.Stop())
				if err != nil || n != total {
					b.Fatalf("walked %d registrations, want %d: %v", n, total, err)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
			b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}

// BenchmarkRequestOverhead measures one Organizations.Get against a loopback
// server (impl=sdk), next to the floor (impl=raw): net/http and encoding/json
// making the same request and decoding the same answer into the same struct;
// impl=both makes one of each in turn and reports the ratio of their times.
func BenchmarkRequestOverhead(b *testing.B) {
	body := benchFixture(b, "organizations_get.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()
	const token = "bench-token"
	ctx := context.Background()

	tr := rawTransport()
	defer tr.CloseIdleConnections()
	c, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken(token),
		rcevents.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		b.Fatal(err)
	}
	sdk := func(b *testing.B) {
		org, err := c.Organizations.Get(ctx, "org_7f3a")
		if err != nil || org.ID != "org_7f3a" {
			b.Fatal(org, err)
		}
	}
	rawTr := rawTransport()
	defer rawTr.CloseIdleConnections()
	hc := &http.Client{Transport: rawTr}
	raw := func(b *testing.B) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/organizations/org_7f3a", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var doc struct {
			Data struct {
				ID         string                `json:"id"`
				Attributes rcevents.Organization `json:"attributes"`
			} `json:"data"`
		}
		err = json.NewDecoder(resp.Body).Decode(&doc)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || doc.Data.Attributes.ID != "org_7f3a" {
			b.Fatal(err)
		}
	}
	for _, impl := range []struct {
		name string
		call func(*testing.B)
	}{{"sdk", sdk}, {"raw", raw}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				impl.call(b)
			}
		})
	}
	// The two one after the other, request by request, timed apart: their
	// ratio holds whatever else the machine does meanwhile.
	b.Run("impl=both", func(b *testing.B) {
		var inSDK, inRaw time.Duration
		for i := 0; i < b.N; i++ {
			start := time.Now()
			sdk(b)
			mid := time.Now()
			raw(b)
			inSDK, inRaw = inSDK+mid.Sub(start), inRaw+time.Since(mid)
		}
		b.ReportMetric(float64(inSDK)/float64(inRaw), "sdk/raw")
	})
}

// BenchmarkFakeCost measures what the fake adds to a request, so the numbers
// above are known to measure the SDK: a raw client fetching a page of 100
// registrations from the fake (server=fake, which builds and encodes the
// page on each request), and the same bytes from a server that only writes
// them (server=static).
func BenchmarkFakeCost(b *testing.B) {
	const pages = 100
	fake := rceventstest.NewServer(rceventstest.WithRegistrations(pages*benchPerPage), rceventstest.WithLogLimit(100))
	defer fake.Close()
	tr := rawTransport()
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	get := func(url string) ([]byte, error) {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+fake.Token)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("%s: %s", url, resp.Status)
		}
		return body, err
	}
	pageURL := func(base string, n int) string {
		return fmt.Sprintf("%s/v1/events/%s/registrations?page=%d&perPage=%d", base, fake.Fixtures.EventID, n, benchPerPage)
	}
	page, err := get(pageURL(fake.URL, 1))
	if err != nil {
		b.Fatal(err)
	}
	static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(page)))
		w.Write(page)
	}))
	defer static.Close()

	for _, target := range []struct {
		name, base string
	}{{"fake", fake.URL}, {"static", static.URL}} {
		b.Run("server="+target.name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := get(pageURL(target.base, i%pages+1)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// replayTransport answers each request with the body recorded for its URL,
// in process: a walk through it costs what the client costs, and nothing
// of a network or a server.
type replayTransport map[string][]byte

func (rt replayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, ok := rt[req.URL.RequestURI()]
	if !ok {
		return nil, fmt.Errorf("nothing recorded for %s", req.URL.RequestURI())
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

// recordPages records the fake's answers to every page of its main event's
// registrations, 100 a page, by the request URI the client sends.
func recordPages(b *testing.B, fake *rceventstest.Server, pages int) replayTransport {
	rt := replayTransport{}
	for page := 1; page <= pages; page++ {
		uri := fmt.Sprintf("/v1/events/%s/registrations?page=%d&perPage=%d", fake.Fixtures.EventID, page, benchPerPage)
		req := httptest.NewRequest(http.MethodGet, uri, nil)
		req.Header.Set("Authorization", "Bearer "+fake.Token)
		rec := httptest.NewRecorder()
		fake.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d", uri, rec.Code)
		}
		rt[uri] = rec.Body.Bytes()
	}
	return rt
}

// BenchmarkWalkPerItem walks 10,000 registrations, 100 pages of 100, from
// answers recorded once and replayed in process, one page at a time: what
// the client allocates per registration, page requests, decoding and the
// iterator included. B/item and allocs/item are the figures.
func BenchmarkWalkPerItem(b *testing.B) {
	const total = 10_000
	fake := rceventstest.NewServer(rceventstest.WithRegistrations(total), rceventstest.WithLogLimit(100))
	defer fake.Close()
	rt := recordPages(b, fake, total/benchPerPage)
	c, err := rcevents.NewClient(rcevents.WithBaseURL("https://api.example"), rcevents.WithToken(fake.Token),
		rcevents.WithHTTPClient(&http.Client{Transport: rt}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n, err := walkRegistrations(ctx, c, fake.Fixtures.EventID); err != nil || n != total {
			b.Fatalf("walked %d registrations, want %d: %v", n, total, err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	items := float64(total * b.N)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/items, "B/item")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/items, "allocs/item")
}
