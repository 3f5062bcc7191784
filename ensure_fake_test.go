package rcevents_test

// Ensure and EnsureAll against the fake API under faults: a batch of people
// is ensured, stopped halfway as by a crash, then run again whole with a new
// client, then once more: the fake ends up with exactly one item per
// person, and the last run creates nothing.

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ensured is what became of one row of a batch.
type ensured struct {
	id      string
	email   string
	created bool
	err     error
}

// ensureKind is a list Ensure works on, seen from the tests.
type ensureKind struct {
	name   string
	path   func(fx rceventstest.Fixtures) string
	list   func(fx rceventstest.Fixtures) string // as the client's index names it
	stored func(s rceventstest.Stats) int
	// items lists the items of the list the API shows, in its order.
	items func(ctx context.Context, c *rcevents.Client, fx rceventstest.Fixtures) iter.Seq2[ensured, error]
	// sync runs the list's Sync from cur.
	sync func(ctx context.Context, c *rcevents.Client, fx rceventstest.Fixtures, cur *rcevents.SyncCursor) iter.Seq2[ensured, error]
	// ensure ensures one person, with Ensure.
	ensure func(ctx context.Context, c *rcevents.Client, fx rceventstest.Fixtures, email string) ensured
	// ensureAll ensures the people of emails, with EnsureAll.
	ensureAll func(ctx context.Context, c *rcevents.Client, fx rceventstest.Fixtures, emails []string) iter.Seq2[int, ensured]
}

var ensureKinds = []ensureKind{
	{
		name:   "magic links",
		path:   func(fx rceventstest.Fixtures) string { return "/v1/tickets/" + fx.TicketID + "/magicLinks" },
		list:   func(fx rceventstest.Fixtures) string { return "magic links of " + fx.TicketID },
		stored: func(s rceventstest.Stats) int { return s.MagicLinksCreated },
		items: func(ctx context.Context, c *rcevents.Client, fx rceventstest.Fixtures) iter.Seq2[ensured, error] {
			return func(yield func(ensured, error) bool) {
				for m, err := range c.MagicLinks.All(ctx, fx.TicketID, nil) {
					if !yield(ensured{id: m.ID, email: m.Email}, err) {
						return
					}
				}
			}
		},
		sync: func(ctx context.Context, c *rcevents.Client, fx rceventstest.Fixtures, cur *rcevents.SyncCursor) iter.Seq2[ensured, error] {
			return func(yield func(ensured, error) bool) {
				for m, err := range c.MagicLinks.Sync(ctx, fx.TicketID, cur) {
					if !yield(ensured{id: m.ID, email: m.Email}, err) {
						return
					}
				}
			}
		},
		ensure: func(ctx context.Context, c *rcevents.Client, fx rceventstest.Fixtures, email string) ensured {
			m, created, err := c.MagicLinks.Ensure(ctx, fx.TicketID, &rcevents.MagicLinkCreateRequest{Email: email, FirstName: "Guest", LastName: "Person"})
			return result(m, created, err, func(m *rcevents.MagicLink) (string, string) { return m.ID, m.Email })
		},
		ensureAll: func(ctx context.Context, c *rcevents.Client, fx rceventstest.Fixtures, emails []string) iter.Seq2[int, ensured] {
			reqs := make([]*rcevents.MagicLinkCreateRequest, len(emails))
			for i, e := range emails {
				reqs[i] = &rcevents.MagicLinkCreateRequest{Email: e, FirstName: "Guest", LastName: "Person"}
			}
			return results(c.MagicLinks.EnsureAll(ctx, fx.TicketID, reqs), func(m *rcevents.MagicLink) (string, string) { return m.ID, m.Email })
		},
	},
	{
		name:   "registrations",
		path:   func(fx rceventstest.Fixtures) string { return "/v1/events/" + fx.EventID + "/registrations" },
		list:   func(fx rceventstest.Fixtures) string { return "registrations of " + fx.EventID },
		stored: func(s rceventstest.Stats) int { return s.RegistrationsCreated },
		items: func(ctx context.Context, c *rcevents.Client, fx rceventstest.Fixtures) iter.Seq2[ensured, error] {
			return func(yield func(ensured, error) bool) {
				for r, err := range c.Registrations.All(ctx, fx.EventID, nil) {
					if !yield(ensured{id: r.ID, email: r.Email}, err) {
						return
					}
				}
			}
		},
		sync: func(ctx context.Context, c *rcevents.Client, fx rceventstest.Fixtures, cur *rcevents.SyncCursor) iter.Seq2[ensured, error] {
			return func(yield func(ensured, error) bool) {
				for r, err := range c.Registrations.Sync(ctx, fx.EventID, cur) {
					if !yield(ensured{id: r.ID, email: r.Email}, err) {
						return
					}
				}
			}
		},
		ensure: func(ctx context.Context, c *rcevents.Client, fx rceventstest.Fixtures, email string) ensured {
			r, created, err := c.Registrations.Ensure(ctx, fx.EventID, &rcevents.RegistrationCreateRequest{Email: email, FirstName: "Guest", LastName: "Person"})
			return result(r, created, err, func(r *rcevents.Registration) (string, string) { return r.ID, r.Email })
		},
		ensureAll: func(ctx context.Context, c *rcevents.Client, fx rceventstest.Fixtures, emails []string) iter.Seq2[int, ensured] {
			reqs := make([]*rcevents.RegistrationCreateRequest, len(emails))
			for i, e := range emails {
				reqs[i] = &rcevents.RegistrationCreateRequest{Email: e, FirstName: "Guest", LastName: "Person"}
			}
			return results(c.Registrations.EnsureAll(ctx, fx.EventID, reqs), func(r *rcevents.Registration) (string, string) { return r.ID, r.Email })
		},
	},
}

func result[T any](item *T, created bool, err error, id func(*T) (string, string)) ensured {
	r := ensured{created: created, err: err}
	if item != nil {
		r.id, r.email = id(item)
	}
	return r
}

func results[T any](seq iter.Seq2[int, rcevents.EnsureResult[T]], id func(*T) (string, string)) iter.Seq2[int, ensured] {
	return func(yield func(int, ensured) bool) {
		for i, res := range seq {
			if !yield(i, result(res.Item, res.Created, res.Err, id)) {
				return
			}
		}
	}
}

// ensureBatch is the batch of the fault runs: 300 rows for 260 people. 240
// are new, a fifth of them first written with capitals; 20 have an item
// already, half of them written here in capitals; 40 rows repeat a new
// person in another case, a few rows after the first.
func ensureBatch(existing []string) (rows []string, people int) {
	newPerson := func(i int) string { return fmt.Sprintf("guest%03d@example.com", i) }
	for i := range 240 {
		e := newPerson(i)
		if i%5 == 0 {
			e = "Guest" + strings.TrimPrefix(e, "guest")
			e = strings.Replace(e, "example.com", "Example.COM", 1)
		}
		rows = append(rows, e)
		if i%6 == 5 {
			rows = append(rows, strings.ToUpper(newPerson(i-3)))
		}
		if i%12 == 11 {
			e := existing[i/12]
			if i%24 == 11 {
				e = strings.ToUpper(e)
			}
			rows = append(rows, e)
		}
	}
	return rows, 260
}

// faultRunRetry is the retry policy of the fault runs: a row fails only if
// ten attempts of a request fail, or ten look-ups; with 17% of requests
// failing, about 0.17^10 ≈ 2·10⁻⁸ per request.
var faultRunRetry = rcevents.WithRetry(rcevents.RetryPolicy{MaxAttempts: 10, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond})

// TestEnsureUnderFaultsStoresOnePerPerson: 300 rows for 260 people,
// through Ensure 8 at a time and through EnsureAll with 8 creates at a
// time, while the fake drops 5% of its answers after storing, answers 5%
// with 500, resets 2% of connections and answers 5% with 429. A first run
// is cut short halfway, as by a crash, creates in flight abandoned; a
// second, with a new client, runs the whole batch once the fake is done
// with those; a third, with another, runs it again. After each run no
// person has two items; after the second each has exactly one and every
// row reported it; the third creates nothing.
func TestEnsureUnderFaultsStoresOnePerPerson(t *testing.T) {
	for _, kind := range ensureKinds {
		for _, mode := range []string{"Ensure", "EnsureAll"} {
			t.Run(kind.name+"/"+mode, func(t *testing.T) {
				checkNoLeaks(t)
				srv := newFake(t, rceventstest.WithSeed(11), rceventstest.WithRegistrations(40))
				srv.SetRetryAfter(0)
				fx := srv.Fixtures
				ctx := context.Background()

				var existing []string
				for it, err := range kind.items(ctx, srv.Client(), fx) {
					require.NoError(t, err)
					existing = append(existing, it.email)
				}
				require.GreaterOrEqual(t, len(existing), 20)
				rows, people := ensureBatch(existing)
				require.Len(t, rows, 300)
				before := kind.stored(srv.Stats())

				run := func(name string, crashAfter int) []ensured {
					ctx, cancel := context.WithCancel(ctx)
					defer cancel()
					// Each run reaches the fake through a server of its own,
					// closed when the run is over: Close waits for the
					// requests it received, so that the next run starts,
					// as after a restart, once the fake is done with the
					// requests a crashed run left in flight.
					front := httptest.NewServer(srv.Handler())
					defer front.Close()
					// The crash comes once crashAfter creates have been
					// answered, while others are in flight.
					var sent atomic.Int64
					hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
						if crashAfter > 0 && r.Method == http.MethodPost && r.URL.Path == kind.path(fx) && sent.Add(1) == int64(crashAfter) {
							defer cancel()
						}
						return front.Client().Transport.RoundTrip(r)
					})}
					c, err := rcevents.NewClient(rcevents.WithBaseURL(front.URL), rcevents.WithClientCredentials(srv.ClientID, srv.ClientSecret),
						faultRunRetry, rcevents.WithPageConcurrency(8), rcevents.WithHTTPClient(hc))
					require.NoError(t, err)
					// The fake lists a write at once: a read 10 ms after a lost
					// answer tells what the create stored, as a read 2 s after
					// does with an API that lists writes late.
					rcevents.SetEnsureSettle(c, 10*time.Millisecond)
					_, err = c.Health(ctx) // the token, before the faults
					require.NoError(t, err)
					srv.ResetLog()
					srv.SetFaultRate(rceventstest.FaultDropResponse, 0.05)
					srv.SetFaultRate(rceventstest.FaultInternalError, 0.05)
					srv.SetFaultRate(rceventstest.FaultReset, 0.02)
					srv.SetFaultRate(rceventstest.FaultRateLimit, 0.05)
					storedBefore := kind.stored(srv.Stats())
					start := time.Now()
					got := ensureRows(ctx, t, kind, mode, c, fx, rows)
					took := time.Since(start)
					front.Close()
					srv.ClearFaults()

					tl := tallyOf(srv.Requests(), onPath(kind.path(fx)))
					gets, posts := 0, 0
					for _, r := range srv.Requests() {
						if r.Path == kind.path(fx) {
							switch r.Method {
							case http.MethodGet:
								gets++
							case http.MethodPost:
								posts++
							}
						}
					}
					count := map[string]int{}
					for _, r := range got {
						switch {
						case r.err != nil:
							count["failed"]++
						case r.created:
							count["created"]++
						default:
							count["exists"]++
						}
					}
					t.Logf("FIGURE ensure-under-faults kind=%q mode=%s run=%q rows=%d created=%d exists=%d failed=%d stored=%d GETs=%d POSTs=%d faults=%d (dropped=%d 500=%d reset=%d 429=%d) took=%s",
						kind.name, mode, name, len(rows), count["created"], count["exists"], count["failed"], kind.stored(srv.Stats())-storedBefore,
						gets, posts, tl.injected(), tl.faults[rceventstest.FaultDropResponse], tl.faults[rceventstest.FaultInternalError],
						tl.faults[rceventstest.FaultReset], tl.faults[rceventstest.FaultRateLimit], took.Round(time.Millisecond))
					return got
				}

				// stored maps each person to the IDs of their items.
				stored := func() map[string][]string {
					m := map[string][]string{}
					for it, err := range kind.items(ctx, srv.Client(), fx) {
						require.NoError(t, err)
						k := strings.ToLower(it.email)
						m[k] = append(m[k], it.id)
					}
					return m
				}
				// check checks every row's result against what the fake
				// holds: a row that succeeded names the person's one item.
				check := func(got []ensured) (created map[string]int) {
					created = map[string]int{}
					have := stored()
					for k, ids := range have {
						assert.Len(t, ids, 1, "%s has %d items", k, len(ids))
					}
					for i, r := range got {
						k := strings.ToLower(rows[i])
						if r.err != nil {
							assert.NotEmpty(t, r.err.Error(), "row %d fails with a reason", i)
							assert.NotContains(t, strings.ToLower(r.err.Error()), k, "row %d: the error holds the email", i)
							continue
						}
						assert.Equal(t, k, strings.ToLower(r.email), "row %d", i)
						assert.Equal(t, have[k], []string{r.id}, "row %d: the item it names is the person's one item", i)
						if r.created {
							created[k]++
						}
					}
					return created
				}

				// The crash: the first run stops once half the new people's
				// creates have been answered.
				crashed := run("stopped halfway", (people-20)/2)
				createdEarly := check(crashed)
				unknown := 0
				for _, r := range crashed {
					if r.err != nil && errors.Is(r.err, rcevents.ErrOutcomeUnknown) {
						unknown++
					}
				}
				t.Logf("FIGURE ensure-crash kind=%q mode=%s stopped-after-creates=%d failed-with-outcome-unknown=%d stored=%d",
					kind.name, mode, (people-20)/2, unknown, kind.stored(srv.Stats())-before)

				// The whole batch again, with a new client.
				full := run("whole batch after the crash", 0)
				for i, r := range full {
					require.NoError(t, r.err, "row %d", i)
				}
				created := check(full)
				have := stored()
				for _, e := range rows {
					assert.Len(t, have[strings.ToLower(e)], 1, e)
				}
				assert.Equal(t, people-20, kind.stored(srv.Stats())-before, "one item per new person, ever")
				for k, n := range created {
					assert.Equal(t, 1, n+createdEarly[k], "%s reported created %d times", k, n+createdEarly[k])
				}

				// And again: nothing to create.
				again := run("whole batch again", 0)
				for i, r := range again {
					require.NoError(t, r.err, "row %d", i)
					assert.False(t, r.created, "row %d", i)
				}
				check(again)
				assert.Equal(t, people-20, kind.stored(srv.Stats())-before, "the last run created nothing")
				for _, r := range srv.Requests() {
					if r.Path == kind.path(fx) {
						assert.NotEqual(t, http.MethodPost, r.Method, "the last run sent a create")
					}
				}
			})
		}
	}
}

// ensureRows ensures rows in mode, 8 at a time, and returns what became of
// each: every row is reported, whether or not ctx ends.
func ensureRows(ctx context.Context, t *testing.T, kind ensureKind, mode string, c *rcevents.Client, fx rceventstest.Fixtures, rows []string) []ensured {
	got := make([]ensured, len(rows))
	switch mode {
	case "Ensure":
		var wg sync.WaitGroup
		var next atomic.Int64
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1)) - 1; i < len(rows); i = int(next.Add(1)) - 1 {
					got[i] = kind.ensure(ctx, c, fx, rows[i])
				}
			}()
		}
		wg.Wait()
	case "EnsureAll":
		n := 0
		for i, r := range kind.ensureAll(ctx, c, fx, rows) {
			require.Equal(t, n, i, "results in the batch's order")
			n++
			got[i] = r
		}
		require.Equal(t, len(rows), n, "a result for every row")
	}
	return got
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestEnsureBatchCost counts the requests of the fault runs' batch without
// faults, through a client new to the list: one create per new person, and
// GETs that read the list. EnsureAll reads once: the first time a walk, the
// pages of a first Sync (one here: 30 links, 40 registrations); then what
// changed, as a Sync from the index's cursor does. Ensure, 8 at a time,
// reads at most once a call, and a read of what changed costs at most a
// walk (for magic links only: registrations cost the same).
func TestEnsureBatchCost(t *testing.T) {
	for _, kind := range ensureKinds {
		for _, mode := range []string{"EnsureAll", "Ensure"} {
			if mode == "Ensure" && kind.name == "registrations" {
				continue
			}
			t.Run(kind.name+"/"+mode, func(t *testing.T) {
				srv := newFake(t, rceventstest.WithSeed(11), rceventstest.WithRegistrations(40))
				fx := srv.Fixtures
				ctx := context.Background()
				var existing []string
				for it, err := range kind.items(ctx, srv.Client(), fx) {
					require.NoError(t, err)
					existing = append(existing, it.email)
				}
				rows, people := ensureBatch(existing)
				c := fakeClient(t, srv, rcevents.WithPageConcurrency(8))
				for _, run := range []string{"first", "again"} {
					// What one read costs now: a Sync from the index's cursor.
					cur := rcevents.EnsureCursor(c, kind.list(fx))
					srv.ResetLog()
					for _, err := range kind.sync(ctx, fakeClient(t, srv, rcevents.WithPageConcurrency(8)), fx, &cur) {
						require.NoError(t, err)
					}
					read := tallyOf(srv.Requests(), onPath(kind.path(fx))).requests
					srv.ResetLog()
					for i, r := range ensureRows(ctx, t, kind, mode, c, fx, rows) {
						require.NoError(t, r.err, "row %d", i)
					}
					gets, posts := 0, 0
					for _, r := range srv.Requests() {
						switch {
						case r.Path != kind.path(fx):
						case r.Method == http.MethodGet:
							gets++
						case r.Method == http.MethodPost:
							posts++
						}
					}
					wantPosts := people - 20
					if run == "again" {
						wantPosts = 0
					}
					assert.Equal(t, wantPosts, posts, "one create per new person")
					if mode == "EnsureAll" {
						assert.Equal(t, read, gets, "one read")
						if run == "first" {
							assert.Equal(t, (len(existing)+99)/100, gets, "the pages of one walk")
						}
					} else {
						srv.ResetLog()
						for _, err := range kind.sync(ctx, fakeClient(t, srv, rcevents.WithPageConcurrency(8)), fx, &rcevents.SyncCursor{}) {
							require.NoError(t, err)
						}
						walk := tallyOf(srv.Requests(), onPath(kind.path(fx))).requests
						assert.LessOrEqual(t, gets, len(rows)*walk, "a read per call at most, none more than a walk")
					}
					t.Logf("FIGURE ensure-cost kind=%q mode=%s run=%s rows=%d people=%d had=%d GETs=%d POSTs=%d requests=%d",
						kind.name, mode, run, len(rows), people, len(existing), gets, posts, gets+posts)
				}
			})
		}
	}
}

// TestEnsureUnderListLagStoresOnePerPerson: the fake lists a new item 400 ms
// after storing it, as an API behind caches may. Through one client, 8
// concurrent Ensure calls for one person, in four spellings, store one item;
// a batch of 3 through EnsureAll, run twice in a row, stores 3; and a batch
// of 4 run while Ensure calls ask for the same 4 people stores 4. Every call
// names the person's one item, and one call per person says it created it.
func TestEnsureUnderListLagStoresOnePerPerson(t *testing.T) {
	const lag = 400 * time.Millisecond
	for _, kind := range ensureKinds {
		t.Run(kind.name, func(t *testing.T) {
			srv := newFake(t, rceventstest.WithRegistrations(40))
			srv.SetListLag(lag)
			fx := srv.Fixtures
			ctx := context.Background()
			c := fakeClient(t, srv, rcevents.WithPageConcurrency(4))
			stored := func() int { return kind.stored(srv.Stats()) }
			before := stored()
			// check checks the results of the calls for one person.
			check := func(person string, got []ensured) {
				t.Helper()
				created := 0
				for i, r := range got {
					require.NoError(t, r.err, "%s, call %d", person, i)
					assert.Equal(t, got[0].id, r.id, "%s, call %d", person, i)
					if r.created {
						created++
					}
				}
				assert.Equal(t, 1, created, "%s: calls that created", person)
			}

			spellings := []string{"ann@x.org", "Ann@X.org", "ANN@X.ORG", "aNn@x.Org"}
			got := make([]ensured, 8)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range got {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					got[i] = kind.ensure(ctx, c, fx, spellings[i%len(spellings)])
				}()
			}
			close(start)
			wg.Wait()
			check("ann", got)
			concurrent := stored() - before

			batch := []string{"b1@x.org", "B2@x.org", "b3@X.org"}
			byPerson := map[string][]ensured{}
			for range 2 {
				for i, r := range kind.ensureAll(ctx, c, fx, batch) {
					byPerson[batch[i]] = append(byPerson[batch[i]], r)
				}
			}
			for p, got := range byPerson {
				check(p, got)
			}
			twice := stored() - before - concurrent

			mixed := []string{"m1@x.org", "m2@x.org", "m3@x.org", "m4@x.org"}
			byPerson = map[string][]ensured{}
			var mu sync.Mutex
			add := func(p string, r ensured) {
				mu.Lock()
				defer mu.Unlock()
				byPerson[p] = append(byPerson[p], r)
			}
			start = make(chan struct{})
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i, r := range kind.ensureAll(ctx, c, fx, mixed) {
					add(mixed[i], r)
				}
			}()
			for _, p := range mixed {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					add(p, kind.ensure(ctx, c, fx, strings.ToUpper(p)))
				}()
			}
			close(start)
			wg.Wait()
			for p, got := range byPerson {
				check(p, got)
			}
			both := stored() - before - concurrent - twice

			t.Logf("FIGURE ensure-under-lag kind=%q lag=%s stored: 8-concurrent-Ensure-for-1=%d batch-of-3-twice=%d EnsureAll-4-with-Ensure-for-each=%d",
				kind.name, lag, concurrent, twice, both)
			assert.Equal(t, 1, concurrent)
			assert.Equal(t, 3, twice)
			assert.Equal(t, 4, both)
		})
	}
}

// TestEnsureLostAnswerUnderListLag: the fake lists a new item 400 ms late,
// and the answer to a create is lost. Ensure waits 2 s, the time Sync gives
// the API to list a write, reads the list, and finds what the create stored
// (the answer dropped after storing), or creates again when it stored
// nothing (the connection reset before the create was handled): one item
// each time.
func TestEnsureLostAnswerUnderListLag(t *testing.T) {
	for _, tc := range []struct {
		kind  ensureKind
		fault rceventstest.Fault
		posts int
	}{
		{ensureKinds[0], rceventstest.FaultDropResponse, 1},
		{ensureKinds[1], rceventstest.FaultDropResponse, 1},
		{ensureKinds[0], rceventstest.FaultReset, 2},
	} {
		t.Run(tc.kind.name+"/"+tc.fault.String(), func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, rceventstest.WithRegistrations(40))
			srv.SetListLag(400 * time.Millisecond)
			fx := srv.Fixtures
			ctx := context.Background()
			c := fakeClient(t, srv)
			require.NoError(t, tc.kind.ensure(ctx, c, fx, "before@x.org").err, "the walk, before the fault")
			before := tc.kind.stored(srv.Stats())
			srv.ResetLog()
			var once sync.Once
			srv.OnRequest(func(r rceventstest.Request) {
				if r.Method == http.MethodPost && r.Path == tc.kind.path(fx) {
					once.Do(func() { srv.FailNext(1, tc.fault) }) // the first create's
				}
			})
			start := time.Now()
			r := tc.kind.ensure(ctx, c, fx, "Lost@X.org")
			took := time.Since(start)
			require.NoError(t, r.err)
			assert.True(t, r.created)
			assert.Equal(t, 1, tc.kind.stored(srv.Stats())-before, "one item")
			assert.GreaterOrEqual(t, took, 2*time.Second, "read the list 2 s after the loss")
			posts := 0
			for _, q := range srv.Requests() {
				if q.Method == http.MethodPost && q.Path == tc.kind.path(fx) {
					posts++
				}
			}
			assert.Equal(t, tc.posts, posts)
			t.Logf("FIGURE ensure-lost-under-lag kind=%q fault=%q creates=%d stored=%d took=%s", tc.kind.name, tc.fault, posts, tc.kind.stored(srv.Stats())-before, took.Round(time.Millisecond))
		})
	}
}

// TestEnsureNewPeopleCostAFewRequests: on an event of 20,000 registrations,
// a client's first Ensure walks them once, as a first Sync does (200
// pages); after that, ten new people one at a time cost two requests each,
// a read of what changed and the create, and a person who is there one.
func TestEnsureNewPeopleCostAFewRequests(t *testing.T) {
	srv := newFake(t, rceventstest.WithRegistrations(20000))
	fx := srv.Fixtures
	ctx := context.Background()
	path := "/v1/events/" + fx.EventID + "/registrations"
	gets := func() (gets, posts int) {
		for _, r := range srv.Requests() {
			switch {
			case r.Path != path:
			case r.Method == http.MethodGet:
				gets++
			case r.Method == http.MethodPost:
				posts++
			}
		}
		return gets, posts
	}
	first, err := srv.Client().Registrations.List(ctx, fx.EventID, &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 1}})
	require.NoError(t, err)

	c := fakeClient(t, srv, rcevents.WithPageConcurrency(8))
	var heap runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&heap)
	heapBefore := heap.HeapAlloc
	srv.ResetLog()
	reg, created, err := c.Registrations.Ensure(ctx, fx.EventID, &rcevents.RegistrationCreateRequest{
		Email: strings.ToUpper(first.Items[0].Email), FirstName: "Any", LastName: "Name"})
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, first.Items[0].ID, reg.ID)
	walk, posts := gets()
	assert.Equal(t, 200, walk, "the walk of a first Sync: 200 pages of 100")
	assert.Zero(t, posts)
	runtime.GC()
	runtime.ReadMemStats(&heap)
	perItem := (int64(heap.HeapAlloc) - int64(heapBefore)) / 20000

	total := 0
	for i := range 10 {
		srv.ResetLog()
		_, created, err := c.Registrations.Ensure(ctx, fx.EventID, &rcevents.RegistrationCreateRequest{
			Email: fmt.Sprintf("walk-in%d@example.org", i), FirstName: "Walk", LastName: "In"})
		require.NoError(t, err)
		assert.True(t, created)
		g, p := gets()
		assert.Equal(t, [2]int{1, 1}, [2]int{g, p}, "person %d: a read of what changed and the create", i)
		total += g + p
	}
	assert.LessOrEqual(t, total, 40)
	srv.ResetLog()
	_, created, err = c.Registrations.Ensure(ctx, fx.EventID, &rcevents.RegistrationCreateRequest{Email: "WALK-IN3@example.org", FirstName: "W", LastName: "I"})
	require.NoError(t, err)
	assert.False(t, created)
	g, p := gets()
	assert.Equal(t, [2]int{1, 0}, [2]int{g, p}, "a person who is there: a read")
	t.Logf("FIGURE ensure-new-people registrations=20000 first-call-walk=%d then-10-new-people-one-at-a-time=%d requests; index heap ≈ %d bytes a registration",
		walk, total, perItem)
}

// TestEnsureFindsWhatOthersStoredSince: once the client's index of a list
// is built, another program stores Ann@X.org; asked for ann@x.org, on a
// fake whose email filter matches case exactly, Ensure finds her and
// creates nothing.
func TestEnsureFindsWhatOthersStoredSince(t *testing.T) {
	for _, kind := range ensureKinds {
		t.Run(kind.name, func(t *testing.T) {
			srv := newFake(t, rceventstest.WithRegistrations(40))
			fx := srv.Fixtures
			ctx := context.Background()
			c := fakeClient(t, srv)
			require.NoError(t, kind.ensure(ctx, c, fx, "first@x.org").err)
			other := kind.ensure(ctx, fakeClient(t, srv), fx, "Ann@X.org")
			require.NoError(t, other.err)
			require.True(t, other.created)
			before := kind.stored(srv.Stats())
			r := kind.ensure(ctx, c, fx, "ann@x.org")
			require.NoError(t, r.err)
			assert.False(t, r.created)
			assert.Equal(t, other.id, r.id)
			assert.Equal(t, "Ann@X.org", r.email)
			assert.Equal(t, before, kind.stored(srv.Stats()))
		})
	}
}

// TestEnsureAndDeletedLinks: a link deleted through the client leaves its
// index, and Ensure makes a new one; a link another program deletes stays
// in it, and Ensure returns it, as its doc says: the API reports no
// deletions.
func TestEnsureAndDeletedLinks(t *testing.T) {
	srv := newFake(t)
	fx := srv.Fixtures
	ctx := context.Background()
	c := fakeClient(t, srv)
	kind := ensureKinds[0]
	first := kind.ensure(ctx, c, fx, "ann@x.org")
	require.NoError(t, first.err)
	require.NoError(t, c.MagicLinks.Delete(ctx, first.id))
	again := kind.ensure(ctx, c, fx, "Ann@x.org")
	require.NoError(t, again.err)
	assert.True(t, again.created)
	assert.NotEqual(t, first.id, again.id)

	require.NoError(t, srv.Client().MagicLinks.Delete(ctx, again.id))
	stale := kind.ensure(ctx, c, fx, "ann@x.org")
	require.NoError(t, stale.err)
	assert.False(t, stale.created)
	assert.Equal(t, again.id, stale.id, "the index still holds it")
	assert.Equal(t, 2, srv.Stats().MagicLinksCreated)
}

// TestEnsureDoesNotLookAtConfirmAndJoinLinks: the API leaves the links the
// confirm-and-join flow made out of its lists; Ensure does not see them,
// and makes a link of its own for their person.
func TestEnsureDoesNotLookAtConfirmAndJoinLinks(t *testing.T) {
	srv := newFake(t)
	fx := srv.Fixtures
	ctx := context.Background()
	listed := map[string]bool{}
	for m, err := range srv.Client().MagicLinks.All(ctx, fx.TicketID, nil) {
		require.NoError(t, err)
		listed[m.ID] = true
	}
	var cj *rcevents.MagicLink
	for m, err := range srv.Client().MagicLinks.All(ctx, fx.TicketID, &rcevents.MagicLinkListOptions{IncludeConfirmAndJoin: &rcevents.BoolFilter{Eq: true}}) {
		require.NoError(t, err)
		if cj == nil && !listed[m.ID] {
			cj = &m
		}
	}
	require.NotNil(t, cj, "a confirm-and-join link")
	r := ensureKinds[0].ensure(ctx, fakeClient(t, srv), fx, cj.Email)
	require.NoError(t, r.err)
	assert.True(t, r.created)
	assert.NotEqual(t, cj.ID, r.id)
}
