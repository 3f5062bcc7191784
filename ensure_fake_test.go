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
	stored func(s rceventstest.Stats) int
	// items lists the items of the list the API shows, in its order.
	items func(ctx context.Context, c *rcevents.Client, fx rceventstest.Fixtures) iter.Seq2[ensured, error]
	// ensure ensures one person, with Ensure.
	ensure func(ctx context.Context, c *rcevents.Client, fx rceventstest.Fixtures, email string) ensured
	// ensureAll ensures the people of emails, with EnsureAll.
	ensureAll func(ctx context.Context, c *rcevents.Client, fx rceventstest.Fixtures, emails []string) iter.Seq2[int, ensured]
}

var ensureKinds = []ensureKind{
	{
		name:   "magic links",
		path:   func(fx rceventstest.Fixtures) string { return "/v1/tickets/" + fx.TicketID + "/magicLinks" },
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
// faults. EnsureAll: the pages of one walk, 100 items a page, and one
// create per new person. Ensure, 8 at a time: one look-up per row, then,
// for a person the look-up does not find, a walk and a create (for magic
// links only: registrations cost the same).
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
						pages := (len(existing) + people - 20 - wantPosts + 99) / 100
						assert.Equal(t, pages, gets, "the pages of one walk")
					} else {
						assert.GreaterOrEqual(t, gets, len(rows)+wantPosts, "a look-up per row, a walk per create")
					}
					t.Logf("FIGURE ensure-cost kind=%q mode=%s run=%s rows=%d people=%d had=%d GETs=%d POSTs=%d requests=%d",
						kind.name, mode, run, len(rows), people, len(existing), gets, posts, gets+posts)
				}
			})
		}
	}
}
