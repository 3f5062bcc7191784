package rcevents_test

// The reliability guarantees of RELIABILITY.md proven against the fake API,
// rceventstest, with its seeded faults, request log and write counters. The
// guarantees that need the package's internals or purpose-built servers are
// in reliability_test.go.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// checkNoLeaks makes the test fail if, once it and its servers are done, a
// goroutine it started is still running. Call it first: cleanups run last
// to first, so the check comes after the servers are closed.
func checkNoLeaks(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

// newFake starts the fake API for the test.
func newFake(t *testing.T, opts ...rceventstest.Option) *rceventstest.Server {
	srv := rceventstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// fakeClient is a client of srv with its client credentials; opts come last.
func fakeClient(t *testing.T, srv *rceventstest.Server, opts ...rcevents.Option) *rcevents.Client {
	t.Helper()
	base := []rcevents.Option{rcevents.WithBaseURL(srv.URL), rcevents.WithClientCredentials(srv.ClientID, srv.ClientSecret)}
	c, err := rcevents.NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// tally sums up a request log.
type tally struct {
	requests int                        // requests logged
	status   map[int]int                // answers by status (0: none)
	faults   map[rceventstest.Fault]int // injected faults by kind
	tokens   int                        // requests to the token endpoint
}

func tallyOf(reqs []rceventstest.Request, keep func(rceventstest.Request) bool) tally {
	t := tally{status: map[int]int{}, faults: map[rceventstest.Fault]int{}}
	for _, r := range reqs {
		if r.Path == "/v1/auth/token" {
			t.tokens++
		}
		if keep != nil && !keep(r) {
			continue
		}
		t.requests++
		t.status[r.Status]++
		if r.Fault != 0 {
			t.faults[r.Fault]++
		}
	}
	return t
}

func (t tally) injected() int {
	n := 0
	for _, c := range t.faults {
		n += c
	}
	return n
}

func onPath(path string) func(rceventstest.Request) bool {
	return func(r rceventstest.Request) bool { return r.Path == path }
}

// listRetry is the retry policy of the fault runs. A page is lost only if
// all 12 of its attempts fail: with 17% of requests failing (10% 429, 5%
// 503, 2% resets, drawn independently), that is 0.17^12 ≈ 5.8·10^-10 per
// page, about 1.2·10^-7 for the 200 pages of both runs. MaxBackoff is 1 s so
// that the 1 s Retry-After of the first answer is honoured, not refused.
var listRetry = rcevents.WithRetry(rcevents.RetryPolicy{MaxAttempts: 12, MinBackoff: time.Millisecond, MaxBackoff: time.Second})

// TestAllUnderFaultsLosesAndDoublesNothing walks 10,000 registrations, 100
// a page, while the fake fails 17% of the requests (10% 429, 5% 503, 2%
// connection resets): every item comes exactly once, in API order, and the
// server answered every page with 200 exactly once. The first answer is a
// 429 with Retry-After 1 s; the fake sends one Retry-After for all its
// faults, so it drops to 0 s as soon as the walk has its first item.
func TestAllUnderFaultsLosesAndDoublesNothing(t *testing.T) {
	const total, perPage = 10_000, 100
	opts := &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: perPage}}

	// API order: the order of a walk without faults, on a fake with the
	// same seed and so the same data.
	ref := newFake(t, rceventstest.WithRegistrations(total), rceventstest.WithSeed(6))
	var want []string
	for reg, err := range fakeClient(t, ref).Registrations.All(context.Background(), ref.Fixtures.EventID, opts) {
		require.NoError(t, err)
		want = append(want, reg.ID)
	}
	require.Len(t, want, total)

	for _, n := range []int{1, 8} {
		t.Run(fmt.Sprintf("concurrency %d", n), func(t *testing.T) {
			checkNoLeaks(t)
			srv := newFake(t, rceventstest.WithRegistrations(total), rceventstest.WithSeed(6))
			srv.SetRetryAfter(time.Second)
			c := fakeClient(t, srv, rcevents.WithPageConcurrency(n), listRetry)
			require.Equal(t, ref.Fixtures.EventID, srv.Fixtures.EventID)
			srv.FailNext(1, rceventstest.FaultRateLimit)
			srv.SetFaultRate(rceventstest.FaultRateLimit, 0.10)
			srv.SetFaultRate(rceventstest.FaultUnavailable, 0.05)
			srv.SetFaultRate(rceventstest.FaultReset, 0.02)

			start := time.Now()
			got := make([]string, 0, total)
			seen := make(map[string]int, total)
			for reg, err := range c.Registrations.All(context.Background(), srv.Fixtures.EventID, opts) {
				require.NoError(t, err)
				if len(got) == 0 {
					srv.SetRetryAfter(0)
				}
				got = append(got, reg.ID)
				seen[reg.ID]++
			}
			took := time.Since(start)
			srv.ClearFaults()

			assert.Equal(t, want, got, "every item, in API order")
			assert.Len(t, seen, total, "distinct items")
			path := "/v1/events/" + srv.Fixtures.EventID + "/registrations"
			reqs := srv.Requests()
			okPages := map[string]int{}
			for _, r := range reqs {
				if r.Path == path && r.Status == http.StatusOK {
					okPages[r.RawQuery]++
				}
			}
			assert.Len(t, okPages, total/perPage, "pages answered")
			for q, k := range okPages {
				assert.Equal(t, 1, k, "page %s answered %d times", q, k)
			}
			tl := tallyOf(reqs, onPath(path))
			assert.Positive(t, tl.faults[rceventstest.FaultRateLimit])
			assert.Positive(t, tl.faults[rceventstest.FaultUnavailable])
			assert.Positive(t, tl.faults[rceventstest.FaultReset])
			assert.Equal(t, total/perPage+tl.injected(), tl.requests, "one retry per fault, no more")
			t.Logf("FIGURE all-under-faults concurrency=%d items=%d distinct=%d in-order=%v page-requests=%d faults=%d (429=%d 503=%d reset=%d) took=%s",
				n, len(got), len(seen), assert.ObjectsAreEqual(want, got), tl.requests, tl.injected(),
				tl.faults[rceventstest.FaultRateLimit], tl.faults[rceventstest.FaultUnavailable], tl.faults[rceventstest.FaultReset], took.Round(time.Millisecond))
		})
	}
}

// TestCreatesUnderFaultsStoreWhatIsReported creates registrations, magic
// links and tickets, 4 at a time, while the fake answers 5% of the requests
// with 500, resets 5% of the connections before handling them, answers 5%
// with 429 and handles 2% but drops their answer. What the server stored is
// exactly what the client reported as created, plus the dropped answers,
// which the client reported as failures: no retry ever created a second
// copy, and every failure was returned as an error.
func TestCreatesUnderFaultsStoreWhatIsReported(t *testing.T) {
	checkNoLeaks(t)
	const perKind, workers = 200, 4
	srv := newFake(t, rceventstest.WithSeed(7))
	c := fakeClient(t, srv, rcevents.WithRetry(rcevents.RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}))
	fx := srv.Fixtures
	_, err := c.Health(context.Background()) // the token, before the faults
	require.NoError(t, err)
	srv.SetFaultRate(rceventstest.FaultInternalError, 0.05)
	srv.SetFaultRate(rceventstest.FaultReset, 0.05)
	srv.SetFaultRate(rceventstest.FaultRateLimit, 0.05)
	srv.SetFaultRate(rceventstest.FaultDropResponse, 0.02)
	before := srv.Stats()

	for _, kind := range []struct {
		name   string
		path   string
		create func(ctx context.Context, i int) (string, error)
		stored func(s rceventstest.Stats) int
	}{
		{"registrations", "/v1/events/" + fx.EventID + "/registrations", func(ctx context.Context, i int) (string, error) {
			r, err := c.Registrations.Create(ctx, fx.EventID, &rcevents.RegistrationCreateRequest{
				Email: fmt.Sprintf("guest%d@example.com", i), FirstName: "Guest", LastName: fmt.Sprint(i)})
			if err != nil {
				return "", err
			}
			return r.ID, nil
		}, func(s rceventstest.Stats) int { return s.RegistrationsCreated }},
		{"magic links", "/v1/tickets/" + fx.TicketID + "/magicLinks", func(ctx context.Context, i int) (string, error) {
			m, err := c.MagicLinks.Create(ctx, fx.TicketID, &rcevents.MagicLinkCreateRequest{
				Email: fmt.Sprintf("link%d@example.com", i), FirstName: "Link", LastName: fmt.Sprint(i)})
			if err != nil {
				return "", err
			}
			return m.ID, nil
		}, func(s rceventstest.Stats) int { return s.MagicLinksCreated }},
		{"tickets", "/v1/events/" + fx.EventID + "/tickets", func(ctx context.Context, i int) (string, error) {
			tk, err := c.Tickets.Create(ctx, fx.EventID, &rcevents.TicketCreateRequest{Name: fmt.Sprintf("Ticket %d", i), Count: rcevents.Ptr(10)})
			if err != nil {
				return "", err
			}
			return tk.ID, nil
		}, func(s rceventstest.Stats) int { return s.TicketsCreated }},
	} {
		t.Run(kind.name, func(t *testing.T) {
			var mu sync.Mutex
			ids := map[string]bool{}
			var errs []error
			var wg sync.WaitGroup
			next := atomic.Int64{}
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := int(next.Add(1)); i <= perKind; i = int(next.Add(1)) {
						id, err := kind.create(context.Background(), i)
						mu.Lock()
						if err != nil {
							errs = append(errs, err)
						} else {
							assert.NotEmpty(t, id)
							assert.False(t, ids[id], "id %s reported twice", id)
							ids[id] = true
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()

			tl := tallyOf(srv.Requests(), func(r rceventstest.Request) bool { return r.Method == http.MethodPost && r.Path == kind.path })
			dropped := tl.faults[rceventstest.FaultDropResponse]
			rateLimited := 0 // calls that got four 429s in a row
			for _, err := range errs {
				if errors.Is(err, rcevents.ErrRateLimited) {
					rateLimited++
				}
				// A 500, a reset and a lost answer leave the outcome
				// unknown; four 429s say nothing was done.
				assert.Equal(t, !errors.Is(err, rcevents.ErrRateLimited), errors.Is(err, rcevents.ErrOutcomeUnknown), "%v", err)
			}
			created := len(ids)
			stored := kind.stored(srv.Stats()) - kind.stored(before)
			assert.Equal(t, perKind, created+len(errs), "every call reported a result")
			assert.Equal(t, created+dropped, stored, "stored = reported created + answers lost on the way back")
			assert.Equal(t, tl.faults[rceventstest.FaultInternalError]+tl.faults[rceventstest.FaultReset]+dropped, len(errs)-rateLimited,
				"each 500, reset and lost answer is one failed call, reported")
			assert.Equal(t, perKind+tl.faults[rceventstest.FaultRateLimit]-rateLimited, tl.requests, "a POST is sent again only after a 429")
			assert.Positive(t, tl.faults[rceventstest.FaultInternalError])
			assert.Positive(t, tl.faults[rceventstest.FaultReset])
			assert.Positive(t, tl.faults[rceventstest.FaultRateLimit])
			t.Logf("FIGURE creates-under-faults kind=%q calls=%d created=%d failed=%d stored=%d posts=%d faults: 500=%d reset=%d 429=%d dropped=%d",
				kind.name, perKind, created, len(errs), stored, tl.requests, tl.faults[rceventstest.FaultInternalError],
				tl.faults[rceventstest.FaultReset], tl.faults[rceventstest.FaultRateLimit], dropped)
		})
	}
}

// walkIDs collects the IDs of a registrations walk, failing the test on an
// error; each is called after the item it is given.
func walkIDs(t *testing.T, seq func(func(rcevents.Registration, error) bool), each func(i int)) []string {
	t.Helper()
	var ids []string
	for reg, err := range seq {
		require.NoError(t, err)
		ids = append(ids, reg.ID)
		if each != nil {
			each(len(ids))
		}
	}
	return ids
}

// TestTokenExpiryDuringLongIteration walks registrations over several token
// lifetimes. "server clock": the fake's clock jumps past the token's expiry
// every 500 items while the client, on the real clock, still takes the
// token for valid: each expiry costs exactly one 401, one token request and
// one retry, and the walk goes on. "client clock": tokens live 11 s, which
// the client, like oauth2, counts as expired 10 s early; with 100 ms of
// latency a request the walk outlives several of those lifetimes and
// fetches new tokens before the server would refuse them: no 401 at all.
func TestTokenExpiryDuringLongIteration(t *testing.T) {
	t.Run("server clock", func(t *testing.T) {
		checkNoLeaks(t)
		const total, every = 3000, 500
		var skew atomic.Int64
		srv := newFake(t, rceventstest.WithRegistrations(total), rceventstest.WithTokenTTL(time.Hour),
			rceventstest.WithClock(func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }))
		c := fakeClient(t, srv)
		expiries := 0
		ids := walkIDs(t, c.Registrations.All(context.Background(), srv.Fixtures.EventID,
			&rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 100}}), func(i int) {
			if i%every == 0 && i < total {
				skew.Add(int64(time.Hour + time.Minute)) // the token in use has expired
				expiries++
			}
		})
		assert.Len(t, ids, total)
		assert.Len(t, distinct(ids), total)
		tl := tallyOf(srv.Requests(), onPath("/v1/events/"+srv.Fixtures.EventID+"/registrations"))
		assert.Equal(t, 5, expiries)
		assert.Equal(t, 1+expiries, tl.tokens, "one token, then one per expiry")
		assert.Equal(t, expiries, tl.status[http.StatusUnauthorized], "one 401 per expiry")
		assert.Equal(t, total/100+expiries, tl.requests, "one retry per 401")
		assert.Equal(t, 1+expiries, srv.Stats().TokensIssued)
		t.Logf("FIGURE token-expiry server-clock items=%d lifetimes=%d token-requests=%d 401s=%d page-requests=%d",
			len(ids), expiries+1, tl.tokens, tl.status[http.StatusUnauthorized], tl.requests)
	})
	t.Run("client clock", func(t *testing.T) {
		checkNoLeaks(t)
		const total = 2000
		srv := newFake(t, rceventstest.WithRegistrations(total), rceventstest.WithTokenTTL(11*time.Second))
		srv.SetLatency(100*time.Millisecond, 100*time.Millisecond)
		c := fakeClient(t, srv)
		start := time.Now()
		ids := walkIDs(t, c.Registrations.All(context.Background(), srv.Fixtures.EventID,
			&rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 100}}), nil)
		took := time.Since(start)
		assert.Len(t, ids, total)
		assert.Len(t, distinct(ids), total)
		tl := tallyOf(srv.Requests(), onPath("/v1/events/"+srv.Fixtures.EventID+"/registrations"))
		// 20 pages of at least 100 ms each outlive the 1 s the client uses
		// a token for: a second token at the least.
		assert.GreaterOrEqual(t, tl.tokens, 2)
		assert.Zero(t, tl.status[http.StatusUnauthorized], "tokens renewed before the server refuses them")
		assert.Equal(t, total/100, tl.requests)
		t.Logf("FIGURE token-expiry client-clock items=%d took=%s token-requests=%d 401s=%d page-requests=%d",
			len(ids), took.Round(time.Millisecond), tl.tokens, tl.status[http.StatusUnauthorized], tl.requests)
	})
}

func distinct(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// TestRevokedTokenCostsOneRefreshAndOneRetry: after the fake revokes every
// token, a call costs one 401, one token request and one retry, for a GET
// and for a POST, whose body is replayed and stored once; and 50 calls that
// all meet the revoked token at once share a single refresh.
func TestRevokedTokenCostsOneRefreshAndOneRetry(t *testing.T) {
	checkNoLeaks(t)
	srv := newFake(t)
	c := fakeClient(t, srv)
	ctx := context.Background()
	_, err := c.Health(ctx)
	require.NoError(t, err)

	type line struct {
		method, path string
		status       int
	}
	logged := func() []line {
		var out []line
		for _, r := range srv.Requests() {
			out = append(out, line{r.Method, r.Path, r.Status})
		}
		return out
	}

	srv.ResetLog()
	srv.RevokeTokens()
	_, err = c.Events.Get(ctx, srv.Fixtures.EventID)
	require.NoError(t, err)
	event := "/v1/events/" + srv.Fixtures.EventID
	assert.Equal(t, []line{{"GET", event, 401}, {"POST", "/v1/auth/token", 200}, {"GET", event, 200}}, logged())

	srv.ResetLog()
	before := srv.Stats().RegistrationsCreated
	srv.FailNext(1, rceventstest.FaultRevokeTokens) // revoked as the request arrives
	_, err = c.Registrations.Create(ctx, srv.Fixtures.EventID, &rcevents.RegistrationCreateRequest{Email: "late@example.com", FirstName: "Late", LastName: "Comer"})
	require.NoError(t, err)
	regs := event + "/registrations"
	assert.Equal(t, []line{{"POST", regs, 401}, {"POST", "/v1/auth/token", 200}, {"POST", regs, 201}}, logged())
	assert.Equal(t, before+1, srv.Stats().RegistrationsCreated, "stored once")

	srv.ResetLog()
	srv.RevokeTokens()
	const callers = 50
	start := make(chan struct{})
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := c.Events.Get(ctx, srv.Fixtures.EventID)
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	tl := tallyOf(srv.Requests(), onPath(event))
	assert.Equal(t, 1, tl.tokens, "one refresh for all")
	assert.Equal(t, callers, tl.status[http.StatusOK])
	assert.Equal(t, callers+tl.status[http.StatusUnauthorized], tl.requests, "one retry per 401")
	t.Logf("FIGURE revoked-token concurrent callers=%d token-requests=%d 401s=%d requests=%d", callers, tl.tokens, tl.status[http.StatusUnauthorized], tl.requests)
}

// TestFiftyCallersFetchOneTokenFromFake: 50 goroutines that start at once on
// a new client, while the fake's token endpoint takes 200 ms to answer, all
// wait for the one token fetch.
func TestFiftyCallersFetchOneTokenFromFake(t *testing.T) {
	checkNoLeaks(t)
	srv := newFake(t)
	srv.SetFaultScope(rceventstest.ScopeToken)
	srv.SetLatency(200*time.Millisecond, 200*time.Millisecond)
	c := fakeClient(t, srv)
	const callers = 50
	start := make(chan struct{})
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := c.Health(context.Background())
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	tl := tallyOf(srv.Requests(), onPath("/v1/health"))
	assert.Equal(t, 1, tl.tokens)
	assert.Equal(t, 1, srv.Stats().TokensIssued)
	assert.Equal(t, callers, tl.status[http.StatusOK])
	t.Logf("FIGURE one-token callers=%d token-requests=%d api-requests=%d", callers, tl.tokens, tl.requests)
}

// TestTokenEndpointFaultsFromFake: a token endpoint that answers 503 or
// resets the connection is tried again like any GET, and one that keeps
// failing ends the call with a clear error that says a token could not be
// fetched, with the answer's status.
func TestTokenEndpointFaultsFromFake(t *testing.T) {
	checkNoLeaks(t)
	srv := newFake(t)
	srv.SetFaultScope(rceventstest.ScopeToken)
	retry := rcevents.WithRetry(rcevents.RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})

	srv.FailNext(1, rceventstest.FaultUnavailable)
	srv.FailNext(1, rceventstest.FaultReset)
	_, err := fakeClient(t, srv, retry).Health(context.Background())
	require.NoError(t, err)
	tl := tallyOf(srv.Requests(), nil)
	assert.Equal(t, 3, tl.tokens, "503, reset, then a token")

	srv.ResetLog()
	srv.SetFaultRate(rceventstest.FaultBadGateway, 1)
	_, err = fakeClient(t, srv, retry).Health(context.Background())
	require.ErrorIs(t, err, rcevents.ErrServer)
	assert.Contains(t, err.Error(), "fetching a token: rcevents: POST "+srv.URL+"/v1/auth/token: 502 Bad Gateway")
	tl = tallyOf(srv.Requests(), onPath("/v1/health"))
	assert.Equal(t, 4, tl.tokens, "tried MaxAttempts times")
	assert.Zero(t, tl.requests, "the API was never called without a token")
	t.Logf("FIGURE token-endpoint-down error=%q", err)
}

// hookTransport is a transport to the fake that tells the test about each
// request as it goes out and each answer as it comes back.
type hookTransport struct {
	base   *http.Transport
	before func(*http.Request)
	after  func(*http.Request, *http.Response)
}

func newHookTransport(t *testing.T) *hookTransport {
	h := &hookTransport{base: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(h.base.CloseIdleConnections)
	return h
}

func (h *hookTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if h.before != nil {
		h.before(req)
	}
	resp, err := h.base.RoundTrip(req)
	if err == nil && h.after != nil {
		h.after(req, resp)
	}
	return resp, err
}

func (h *hookTransport) client() rcevents.Option {
	return rcevents.WithHTTPClient(&http.Client{Transport: h})
}

// TestCancellationReturnsPromptly cancels a call's context while it waits:
// for a 30 s Retry-After, for eight prefetched pages the fake holds for an
// hour, between two polls of Reports.Wait, and for the headers of a report
// download that the storage origin holds for an hour. Each call returns
// within 5 s of the cancel with an error wrapping context.Canceled, and
// leaves no goroutine behind. (A download cancelled in the middle of a
// slow body is in reliability_test.go.) The cancel comes 200 ms after the
// answer that starts the wait, so that it lands inside the wait; landing
// earlier would change nothing the test checks.
func TestCancellationReturnsPromptly(t *testing.T) {
	const prompt = 5 * time.Second
	for _, tc := range []struct {
		name string
		opts []rceventstest.Option
		// run makes the call; cancelAt arms the cancel (once).
		run func(t *testing.T, srv *rceventstest.Server, h *hookTransport, cancelAt func()) (rcevents.Option, func(ctx context.Context, c *rcevents.Client) error)
	}{
		{"backoff sleep", nil, func(t *testing.T, srv *rceventstest.Server, h *hookTransport, cancelAt func()) (rcevents.Option, func(context.Context, *rcevents.Client) error) {
			srv.SetRetryAfter(30 * time.Second)
			h.after = func(r *http.Request, resp *http.Response) {
				if resp.StatusCode == http.StatusServiceUnavailable {
					cancelAt()
				}
			}
			srv.FailNext(1, rceventstest.FaultUnavailable)
			return rcevents.WithRetry(rcevents.RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: time.Hour}),
				func(ctx context.Context, c *rcevents.Client) error {
					_, err := c.Events.Get(ctx, srv.Fixtures.EventID)
					if err != nil {
						assert.ErrorIs(t, err, rcevents.ErrServer, "the answer that started the wait stays reachable")
					}
					return err
				}
		}},
		{"concurrent prefetch", []rceventstest.Option{rceventstest.WithRegistrations(5000)}, func(t *testing.T, srv *rceventstest.Server, h *hookTransport, cancelAt func()) (rcevents.Option, func(context.Context, *rcevents.Client) error) {
			var held atomic.Int64
			h.before = func(r *http.Request) {
				if r.URL.Query().Get("page") != "" && r.URL.Query().Get("page") != "1" && held.Add(1) == 8 {
					cancelAt()
				}
			}
			return rcevents.WithPageConcurrency(8), func(ctx context.Context, c *rcevents.Client) error {
				items := 0
				for _, err := range c.Registrations.All(ctx, srv.Fixtures.EventID, &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 100}}) {
					if err != nil {
						assert.Equal(t, 100, items, "the first page, and nothing after it")
						return err
					}
					if items++; items == 1 {
						srv.SetLatency(time.Hour, time.Hour) // every page after the first is held
					}
				}
				return nil
			}
		}},
		{"Reports.Wait", []rceventstest.Option{rceventstest.WithReportPolls(1 << 30)}, func(t *testing.T, srv *rceventstest.Server, h *hookTransport, cancelAt func()) (rcevents.Option, func(context.Context, *rcevents.Client) error) {
			h.after = func(r *http.Request, resp *http.Response) {
				if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/reports/") && resp.StatusCode == http.StatusAccepted {
					cancelAt()
				}
			}
			return nil, func(ctx context.Context, c *rcevents.Client) error {
				rep, err := c.Reports.Create(context.Background(), srv.Fixtures.EventID, rcevents.ReportTypeAttendees, nil)
				require.NoError(t, err)
				_, err = c.Reports.Wait(ctx, rep.ID)
				return err
			}
		}},
		{"Download from held storage", []rceventstest.Option{rceventstest.WithStorageRedirect()}, func(t *testing.T, srv *rceventstest.Server, h *hookTransport, cancelAt func()) (rcevents.Option, func(context.Context, *rcevents.Client) error) {
			h.before = func(r *http.Request) {
				if r.URL.Host == strings.TrimPrefix(srv.StorageURL, "http://") {
					cancelAt()
				}
			}
			srv.SetFaultScope(rceventstest.ScopeStorage)
			srv.SetLatency(time.Hour, time.Hour)
			return nil, func(ctx context.Context, c *rcevents.Client) error {
				var sink strings.Builder
				n, err := c.Reports.Download(ctx, srv.Fixtures.ReportID, &sink)
				assert.Zero(t, n)
				return err
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkNoLeaks(t)
			srv := newFake(t, tc.opts...)
			h := newHookTransport(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var once sync.Once
			cancelled := make(chan time.Time, 1)
			cancelAt := func() {
				once.Do(func() {
					time.AfterFunc(200*time.Millisecond, func() {
						cancelled <- time.Now()
						cancel()
					})
				})
			}
			opt, call := tc.run(t, srv, h, cancelAt)
			opts := []rcevents.Option{h.client()}
			if opt != nil {
				opts = append(opts, opt)
			}
			c := fakeClient(t, srv, opts...)
			err := call(ctx, c)
			returned := time.Now()
			require.ErrorIs(t, err, context.Canceled)
			var at time.Time
			select {
			case at = <-cancelled:
			default:
				t.Fatal("the call ended before its context was cancelled")
			}
			lag := returned.Sub(at)
			assert.Less(t, lag, prompt, "returned %s after the cancel", lag)
			t.Logf("FIGURE cancel %q returned %s after the cancel: %v", tc.name, lag.Round(time.Millisecond), err)
		})
	}
}

// recordTransport notes the Authorization header of every request it sends,
// by host.
type recordTransport struct {
	base *http.Transport
	mu   sync.Mutex
	auth map[string][]string // host → Authorization headers, "" for none
}

func newRecordTransport(t *testing.T) *recordTransport {
	r := &recordTransport{base: http.DefaultTransport.(*http.Transport).Clone(), auth: map[string][]string{}}
	t.Cleanup(r.base.CloseIdleConnections)
	return r
}

func (r *recordTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.auth[req.URL.Host] = append(r.auth[req.URL.Host], req.Header.Get("Authorization"))
	r.mu.Unlock()
	return r.base.RoundTrip(req)
}

// bearers returns the bearer tokens sent, to any host.
func (r *recordTransport) bearers() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, hs := range r.auth {
		for _, h := range hs {
			if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
				out = append(out, tok)
			}
		}
	}
	return out
}

// TestStorageRedirectGetsNoToken downloads reports from the fake with its
// storage redirect, with fetched and with static tokens: the API's download
// request carries the token and is answered 302; the storage origin, which
// refuses any Authorization header, gets none and serves the file.
func TestStorageRedirectGetsNoToken(t *testing.T) {
	checkNoLeaks(t)
	srv := newFake(t, rceventstest.WithStorageRedirect(), rceventstest.WithReportPolls(0))
	storageHost := strings.TrimPrefix(srv.StorageURL, "http://")
	for _, creds := range []rcevents.Option{rcevents.WithClientCredentials(srv.ClientID, srv.ClientSecret), rcevents.WithToken(srv.Token)} {
		rec := newRecordTransport(t)
		c, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), creds, rcevents.WithHTTPClient(&http.Client{Transport: rec}))
		require.NoError(t, err)
		rep, err := c.Reports.Create(context.Background(), srv.Fixtures.EventID, rcevents.ReportTypeRegistrations, nil)
		require.NoError(t, err)
		for _, id := range []string{srv.Fixtures.ReportID, rep.ID} {
			var file strings.Builder
			n, err := c.Reports.Download(context.Background(), id, &file)
			require.NoError(t, err)
			assert.Positive(t, n)
			assert.Equal(t, int64(file.Len()), n)
			assert.Contains(t, file.String(), ",", "a CSV file")
		}
		rec.mu.Lock()
		assert.Len(t, rec.auth[storageHost], 2)
		for _, h := range rec.auth[storageHost] {
			assert.Empty(t, h, "the storage origin got an Authorization header")
		}
		rec.mu.Unlock()
	}
	var api, storage tally
	api = tallyOf(srv.Requests(), func(r rceventstest.Request) bool { return !r.Storage && strings.HasSuffix(r.Path, "/download") })
	storage = tallyOf(srv.Requests(), func(r rceventstest.Request) bool { return r.Storage })
	withAuth := 0
	for _, r := range srv.Requests() {
		if r.Storage && r.AuthHeader {
			withAuth++
		}
	}
	assert.Equal(t, 4, api.status[http.StatusFound])
	assert.Equal(t, 4, storage.status[http.StatusOK])
	assert.Zero(t, withAuth)
	t.Logf("FIGURE storage-redirect downloads=%d storage-requests=%d with-authorization=%d", api.requests, storage.requests, withAuth)
}

// TestSecretsNeverShownAgainstFake runs calls that succeed and calls that
// fail every way the fake can make them fail, with a debug logger, and
// finds neither the client secret nor any bearer token the client sent in
// the log, in the errors (their whole chains) or in %v, %+v and %#v of the
// values the calls returned.
func TestSecretsNeverShownAgainstFake(t *testing.T) {
	checkNoLeaks(t)
	srv := newFake(t, rceventstest.WithStorageRedirect())
	rec := newRecordTransport(t)
	var logs strings.Builder
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := fakeClient(t, srv, rcevents.WithHTTPClient(&http.Client{Transport: rec}), rcevents.WithLogger(logger),
		rcevents.WithRetry(rcevents.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	ctx := context.Background()
	var shown []string
	show := func(vs ...any) {
		for _, v := range vs {
			shown = append(shown, fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v))
			if err, ok := v.(error); ok {
				for e := err; e != nil; e = errors.Unwrap(e) {
					shown = append(shown, e.Error())
				}
			}
		}
	}
	errorsSeen := 0
	fail := func(err error) {
		if assert.Error(t, err) {
			errorsSeen++
			show(err)
		}
	}

	page, err := c.Registrations.List(ctx, srv.Fixtures.EventID, nil)
	require.NoError(t, err)
	show(page, *page, c, c.Registrations)
	ev, err := c.Events.Get(ctx, srv.Fixtures.EventID)
	require.NoError(t, err)
	show(ev)
	_, err = c.Events.Get(ctx, "evt_missing")
	fail(err) // 404
	for _, f := range []rceventstest.Fault{rceventstest.FaultInternalError, rceventstest.FaultBadGateway, rceventstest.FaultUnavailable,
		rceventstest.FaultGatewayTimeout, rceventstest.FaultRateLimit, rceventstest.FaultReset} {
		srv.FailNext(4, f) // enough for the call, its retry, and net/http's own retry of a reset
		_, err = c.Events.Get(ctx, srv.Fixtures.EventID)
		fail(err)
		srv.ClearFaults()
	}
	srv.FailNext(1, rceventstest.FaultDropResponse)
	_, err = c.Registrations.Create(ctx, srv.Fixtures.EventID, &rcevents.RegistrationCreateRequest{Email: "x@example.com", FirstName: "X", LastName: "Y"})
	fail(err)
	srv.ClearFaults()
	srv.FailNext(2, rceventstest.FaultRevokeTokens) // revoked as the call and its retry arrive: two 401s
	_, err = c.Events.Get(ctx, srv.Fixtures.EventID)
	fail(err)
	require.ErrorIs(t, err, rcevents.ErrUnauthorized)
	_, err = c.Registrations.Create(ctx, srv.Fixtures.EventID, &rcevents.RegistrationCreateRequest{Email: "x@example.com", FirstName: "X", LastName: "Y", TicketID: "tkt_nope"})
	fail(err) // 422 or 404
	var file strings.Builder
	_, err = c.Reports.Download(ctx, srv.Fixtures.ReportID, &file)
	require.NoError(t, err)

	bad, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithClientCredentials(srv.ClientID, srv.ClientSecret+"x"), rcevents.WithLogger(logger))
	require.NoError(t, err)
	_, err = bad.Health(ctx)
	fail(err) // the token endpoint refuses
	require.ErrorIs(t, err, rcevents.ErrUnauthorized)
	show(bad)

	logMu.Lock()
	shown = append(shown, logs.String())
	logMu.Unlock()
	secrets := append([]string{srv.ClientSecret, srv.Token}, rec.bearers()...)
	require.Greater(t, len(secrets), 2, "tokens were sent")
	for _, s := range shown {
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Errorf("a secret shows in %q", s)
			}
		}
	}
	t.Logf("FIGURE secrets-fake errors=%d strings-checked=%d secrets-looked-for=%d log-bytes=%d found=0", errorsSeen, len(shown), len(secrets), len(shown[len(shown)-1]))
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	w  *strings.Builder
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestAllFollowsTheFakesPageCap walks registrations of a fake that serves
// fewer items a page than asked: the walk reads the page size from what it
// gets and loses nothing.
func TestAllFollowsTheFakesPageCap(t *testing.T) {
	srv := newFake(t, rceventstest.WithRegistrations(1000), rceventstest.WithMaxPerPage(30))
	for _, n := range []int{1, 8} {
		c := fakeClient(t, srv, rcevents.WithPageConcurrency(n))
		opts := &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 100}}
		ids := walkIDs(t, c.Registrations.All(context.Background(), srv.Fixtures.EventID, opts), nil)
		assert.Len(t, ids, 1000, "concurrency %d", n)
		assert.Len(t, distinct(ids), 1000, "concurrency %d", n)
		t.Logf("FIGURE page-cap concurrency=%d items=%d distinct=%d", n, len(ids), len(distinct(ids)))
	}
}

// TestWalkUnderTheFakesRateLimit walks a list behind the fake's own rate
// limit, which it does not announce: the walk loses nothing and fails not,
// and the client learns the pace from the 429s, so few requests are refused.
func TestWalkUnderTheFakesRateLimit(t *testing.T) {
	srv := newFake(t, rceventstest.WithRegistrations(3000))
	srv.SetRateLimit(rceventstest.RateLimit{PerSecond: 50, Burst: 5, RetryAfter: time.Second})
	c := fakeClient(t, srv, rcevents.WithPageConcurrency(8))
	opts := &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 100}}
	ids := walkIDs(t, c.Registrations.All(context.Background(), srv.Fixtures.EventID, opts), nil)
	assert.Len(t, distinct(ids), 3000)
	pages, refused := pageRequests(srv)
	assert.Equal(t, 30, pages-refused, "each page answered once")
	assert.Less(t, refused, 15, "the client paces itself after the first refusals")
	t.Logf("FIGURE fake-rate-limit pages=30 requests=%d refused=%d", pages, refused)
}

// TestWalkBehindTheFakesAnnouncedLimits walks behind the fake's rate limit
// when it announces it, as a token bucket (IETF and X- headers) and as a
// fixed window (RingCentral's headers): every page is answered once and
// nothing is refused.
func TestWalkBehindTheFakesAnnouncedLimits(t *testing.T) {
	for _, l := range []rceventstest.RateLimit{
		{PerSecond: 50, Burst: 5, RetryAfter: time.Second, Headers: rceventstest.RateLimitHeadersIETF},
		{PerSecond: 50, Burst: 5, RetryAfter: time.Second, Headers: rceventstest.RateLimitHeadersX},
		{Window: time.Second, PerWindow: 8, RetryAfter: time.Second, Headers: rceventstest.RateLimitHeadersRingCentral},
	} {
		t.Run(fmt.Sprintf("window=%s/headers=%d", l.Window, l.Headers), func(t *testing.T) {
			srv := newFake(t, rceventstest.WithRegistrations(2000))
			srv.SetRateLimit(l)
			c := fakeClient(t, srv, rcevents.WithPageConcurrency(8))
			opts := &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 100}}
			ids := walkIDs(t, c.Registrations.All(context.Background(), srv.Fixtures.EventID, opts), nil)
			assert.Len(t, distinct(ids), 2000)
			pages, refused := pageRequests(srv)
			assert.Equal(t, 20, pages, "each page asked once")
			assert.Zero(t, refused)
		})
	}
}

// pageRequests counts the requests for pages of registrations srv got, and
// those of them its rate limit refused.
func pageRequests(srv *rceventstest.Server) (pages, refused int) {
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/registrations") {
			pages++
			if r.RateLimited {
				refused++
			}
		}
	}
	return pages, refused
}
