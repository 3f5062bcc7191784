package rcevents_test

// Registrations.Sync against lists that shift under its walks, on the two kinds
// of server the fake can be: in creation order, as the API lists, and in the
// order of the last write (rceventstest.WithUpdateOrder), where an update moves a
// registration to the end of the list and pulls the ones after it back.

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncOrders are the servers of the shift tests.
var syncOrders = []struct {
	name string
	opts []rceventstest.Option
}{
	{"creation order", nil},
	{"update order", []rceventstest.Option{rceventstest.WithUpdateOrder()}},
}

// syncHarness runs syncs of the fixture's registrations with one client and
// keeps the version of each registration that the runs yielded last.
type syncHarness struct {
	t      *testing.T
	fx     *syncFixture
	c      *rcevents.Client
	cur    rcevents.SyncCursor
	latest map[string]string // ID → the version last yielded, as JSON
}

func newSyncHarness(t *testing.T, fx *syncFixture, opts ...rcevents.Option) *syncHarness {
	return &syncHarness{t: t, fx: fx, c: fakeClient(t, fx.srv, opts...), latest: map[string]string{}}
}

// version is a registration as a sync's user would store it.
func version(t *testing.T, r rcevents.Registration) string {
	b, err := json.Marshal(r, json.Deterministic(true))
	require.NoError(t, err)
	return string(b)
}

// run syncs once, checks that no registration came twice, and returns the IDs
// yielded, in order. each is called after each item.
func (h *syncHarness) run(each func(i int, r rcevents.Registration)) []string {
	h.t.Helper()
	got := drain(h.t, h.c.Registrations.Sync(context.Background(), h.fx.srv.Fixtures.EventID, &h.cur), each)
	ids := regIDs(got)
	assertOnce(h.t, ids, "a run yields each registration at most once")
	for _, r := range got {
		h.latest[r.ID] = version(h.t, r)
	}
	h.cur = roundTrip(h.t, h.cur)
	return ids
}

// settle runs two quiet syncs: after them, the version of every registration
// last yielded is the one the API holds, and the second yields nothing.
func (h *syncHarness) settle() (first int) {
	h.t.Helper()
	first = len(h.run(nil))
	assert.Empty(h.t, h.run(nil), "a run after a quiet one yields nothing")
	for _, r := range allRegistrations(h.t, h.fx.srv) {
		if !assert.Equal(h.t, version(h.t, r), h.latest[r.ID], "the last version yielded of %s", r.ID) {
			return first
		}
	}
	return first
}

// window is the registrations a run reads, those updated at or after the
// cursor's watermark, as the server lists them, and those of them that it
// must yield: the ones the cursor's Seen does not hold as they are.
func (h *syncHarness) window() (window []string, due map[string]bool) {
	var o *rcevents.RegistrationListOptions
	if !h.cur.Watermark.IsZero() {
		o = &rcevents.RegistrationListOptions{UpdatedAt: &rcevents.DateTimeFilter{Gte: h.cur.Watermark}}
	}
	due = map[string]bool{}
	for _, r := range drain(h.t, fakeClient(h.t, h.fx.srv).Registrations.All(context.Background(), h.fx.srv.Fixtures.EventID, o), nil) {
		window = append(window, r.ID)
		if m, ok := h.cur.Seen[r.ID]; !ok || !m.UpdatedAt.Equal(r.UpdatedAt) {
			due[r.ID] = true
		}
	}
	return window, due
}

// onListPage calls write once, from the fake, when the request for page n of
// the registrations (100 a page) arrives, before it is answered.
func onListPage(fx *syncFixture, n int, write func()) {
	var once sync.Once
	path := "/v1/events/" + fx.srv.Fixtures.EventID + "/registrations"
	fx.srv.OnRequest(func(r rceventstest.Request) {
		q, _ := url.ParseQuery(r.RawQuery)
		if r.Path == path && q.Get("page") == fmt.Sprint(n) && q.Get("perPage") == "100" {
			once.Do(write)
		}
	})
}

// TestSyncExactPageShift: as page 2 of a walk is asked for, exactly one page
// of registrations that come before it in the list is updated. In update
// order they are the registrations of page 1, which move to the end and pull
// page 3 onto page 2: page 2's registrations are behind the walk. In creation
// order, an update moves nothing in the whole list; in the filtered list of an
// incremental run the registrations updated are older than the watermark, and
// enter it before page 2, pushing page 1 onto it: page 2 repeats page 1. A
// first run (the whole list) and an incremental one (250 registrations), pages
// one by one and 8 at once, over 700 registrations. No run fails; each
// yields every registration of its window that was not written during it,
// once; the updated ones come in this run or the next, as they now are.
func TestSyncExactPageShift(t *testing.T) {
	for _, order := range syncOrders {
		for _, n := range []int{1, 8} {
			for _, incremental := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s, concurrency %d, incremental %v", order.name, n, incremental), func(t *testing.T) {
					checkNoLeaks(t)
					fx := newSyncFixture(t, append([]rceventstest.Option{rceventstest.WithRegistrations(700)}, order.opts...)...)
					h := newSyncHarness(t, fx, rcevents.WithPageConcurrency(n))
					all := allRegistrations(t, fx.srv)
					if incremental {
						h.run(nil)
						fx.clock.add(time.Minute)
						var changed []string
						for i := 150; len(changed) < 250; i += 2 {
							changed = append(changed, all[i].ID)
						}
						many(len(changed), func(i int) { fx.updateReg(t, changed[i], "before") })
					}
					fx.clock.add(time.Minute)
					window, due := h.window()
					require.Greater(t, len(window), 200)
					inWindow := distinct(window)
					var shifted []string // one page, before page 2
					if order.opts == nil && incremental {
						// Older than the watermark, and created before the
						// window's first registration: page 2 repeats page 1.
						for _, r := range all {
							if r.ID == window[0] {
								break
							}
							if !inWindow[r.ID] && len(shifted) < 100 {
								shifted = append(shifted, r.ID)
							}
						}
						require.Len(t, shifted, 100)
					} else {
						shifted = window[:100]
					}
					onListPage(fx, 2, func() { many(len(shifted), func(i int) { fx.updateReg(t, shifted[i], "shifted") }) })
					fx.srv.ResetLog()
					got := distinct(h.run(nil))
					fx.srv.OnRequest(nil)
					walks, _ := listPasses(fx.srv, "/v1/events/"+fx.srv.Fixtures.EventID+"/registrations")
					if order.opts != nil || incremental {
						assert.Equal(t, 2, walks, "the shift is seen, and the list walked again")
					}
					written := distinct(shifted)
					for _, id := range window {
						if due[id] && !written[id] {
							assert.True(t, got[id], "%s was in the window throughout the run and was not yielded", id)
						}
					}
					next := h.settle()
					t.Logf("FIGURE sync-exact-shift %s concurrency=%d incremental=%v window=%d items=%d walks=%d next-run=%d",
						order.name, n, incremental, len(window), len(got), walks, next)
				})
			}
		}
	}
}

// TestSyncFirstRunOutOfCreationOrder: on the fake in update order, whose
// seeded registrations are not in creation order, a first run fetching 8
// pages at once cannot tell the order from a move under its pages, and walks
// the list again, one page at a time; one page at a time from the start, it
// walks once. Either yields each registration once, and the next run nothing.
func TestSyncFirstRunOutOfCreationOrder(t *testing.T) {
	for _, n := range []int{1, 8} {
		fx := newSyncFixture(t, rceventstest.WithRegistrations(500), rceventstest.WithUpdateOrder())
		h := newSyncHarness(t, fx, rcevents.WithPageConcurrency(n))
		got := h.run(nil)
		walks, requests := listPasses(fx.srv, "/v1/events/"+fx.srv.Fixtures.EventID+"/registrations")
		assert.Equal(t, regIDs(allRegistrations(t, fx.srv)), got, "concurrency %d: every registration once, in API order", n)
		assert.Equal(t, map[int]int{1: 1, 8: 2}[n], walks, "concurrency %d", n)
		assert.Equal(t, 5*walks, requests, "concurrency %d", n)
		assert.Empty(t, h.run(nil))
		t.Logf("FIGURE sync-out-of-order concurrency=%d items=%d walks=%d requests=%d", n, len(got), walks, requests)
	}
}

// TestSyncUnderClockSkew: the API's clock is 11 months behind the local
// clock, or 5 years ahead of it. As page 2 of a first run and of an
// incremental one is asked for, the clock moves 3 s on and a registration
// the run reads later is updated, then one the run has read is updated by an
// API server whose clock lags 1.5 s (the margin allows 2 s), and a
// registration is created. Creation and update order, pages one by one and 8
// at once. Every write comes in this run or the next, none twice in a run,
// and the watermark is never later than the newest updatedAt less 3 s.
func TestSyncUnderClockSkew(t *testing.T) {
	for _, skew := range []struct {
		name string
		at   time.Time
	}{{"API clock behind", syncEpoch}, {"API clock ahead", time.Now().AddDate(5, 0, 0).Truncate(time.Second)}} {
		for _, order := range syncOrders {
			for _, n := range []int{1, 8} {
				t.Run(fmt.Sprintf("%s, %s, concurrency %d", skew.name, order.name, n), func(t *testing.T) {
					fx := newSyncFixture(t, append([]rceventstest.Option{rceventstest.WithRegistrations(600)}, order.opts...)...)
					fx.clock.set(skew.at)
					h := newSyncHarness(t, fx, rcevents.WithPageConcurrency(n))
					all := allRegistrations(t, fx.srv)
					writes := func(round int) {
						onListPage(fx, 2, func() {
							fx.clock.add(3 * time.Second)
							fx.updateReg(t, all[450+round].ID, "later")
							fx.clock.add(-1500 * time.Millisecond)
							fx.updateReg(t, all[5+round].ID, "lagging")
							fx.clock.add(1500 * time.Millisecond)
							fx.createReg(t, 7000+round)
						})
					}
					writes(0)
					first := len(h.run(nil))
					fx.clock.add(time.Minute)
					many(150, func(i int) { fx.updateReg(t, all[i*4].ID, "window") }) // two pages
					writes(1)
					incremental := len(h.run(nil))
					fx.srv.OnRequest(nil)
					next := h.settle()
					newest := time.Time{}
					for _, r := range allRegistrations(t, fx.srv) {
						if r.UpdatedAt.After(newest) {
							newest = r.UpdatedAt
						}
					}
					assert.False(t, h.cur.Watermark.After(newest.Add(-3*time.Second)), "watermark %s, newest %s", h.cur.Watermark, newest)
					t.Logf("FIGURE sync-clock-skew %s %s concurrency=%d first=%d incremental=%d next=%d watermark=%s newest=%s",
						skew.name, order.name, n, first, incremental, next, h.cur.Watermark.Format(time.RFC3339), newest.Format(time.RFC3339))
				})
			}
		}
	}
}

// TestSyncShiftsUnderFaults: runs over 1,000 registrations while another
// goroutine updates 60 and creates 20, and the fake fails 20% of requests
// (10% 429, 5% 503, 5% connection resets), retried by the pipeline (20
// attempts: a page is lost with probability 0.2^20, about 10^-14). Creation
// and update order, pages one by one and 8 at once, a first run and an
// incremental one. No run fails; every write comes in this run or the next,
// none twice in a run.
func TestSyncShiftsUnderFaults(t *testing.T) {
	for _, order := range syncOrders {
		for _, n := range []int{1, 8} {
			t.Run(fmt.Sprintf("%s, concurrency %d", order.name, n), func(t *testing.T) {
				checkNoLeaks(t)
				fx := newSyncFixture(t, append([]rceventstest.Option{rceventstest.WithRegistrations(1000)}, order.opts...)...)
				fx.srv.SetRetryAfter(0)
				retry := rcevents.WithRetry(rcevents.RetryPolicy{MaxAttempts: 20, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond})
				h := newSyncHarness(t, fx, rcevents.WithPageConcurrency(n), retry)
				fx.writer = fakeClient(t, fx.srv, retry) // updates are retried after the faults
				all := allRegistrations(t, fx.srv)
				create := func(k int) {
					// The pipeline retries a POST only after a 429; the fake
					// stores nothing when it fails a request, so asking again
					// cannot create a registration twice.
					for try := 0; try < 20; try++ {
						if _, err := fx.writer.Registrations.Create(context.Background(), fx.srv.Fixtures.EventID, &rcevents.RegistrationCreateRequest{
							Email: fmt.Sprintf("fault%d@example.com", k), FirstName: "Fault", LastName: fmt.Sprint(k)}); err == nil {
							return
						}
					}
					t.Errorf("registration %d: 20 tries failed", k)
				}
				busy := func(round int) []string {
					var wg sync.WaitGroup
					defer wg.Wait()
					var once sync.Once
					return h.run(func(int, rcevents.Registration) {
						once.Do(func() {
							wg.Add(1)
							go func() {
								defer wg.Done()
								for k := range 20 {
									fx.updateReg(t, all[(k*37+round*7)%len(all)].ID, fmt.Sprint("busy ", round, k))
									create(8000 + round*100 + k)
									fx.updateReg(t, all[(k*53+round*11)%len(all)].ID, fmt.Sprint("busy ", round, k))
									fx.updateReg(t, all[(k*71+round*13)%len(all)].ID, fmt.Sprint("busy ", round, k))
								}
							}()
						})
					})
				}
				fx.srv.SetFaultRate(rceventstest.FaultRateLimit, 0.10)
				fx.srv.SetFaultRate(rceventstest.FaultUnavailable, 0.05)
				fx.srv.SetFaultRate(rceventstest.FaultReset, 0.05)
				first := len(busy(0))
				fx.clock.add(time.Minute)
				incremental := len(busy(1))
				tl := tallyOf(fx.srv.Requests(), onPath("/v1/events/"+fx.srv.Fixtures.EventID+"/registrations"))
				fx.srv.ClearFaults()
				next := h.settle()
				assert.Positive(t, tl.injected())
				t.Logf("FIGURE sync-faults-shifts %s concurrency=%d first=%d incremental=%d next=%d list-requests=%d faults=%d",
					order.name, n, first, incremental, next, tl.requests, tl.injected())
			})
		}
	}
}

// TestSyncKeepsTheWatermarkAfterThreeMovedWalks: on the fake in update order,
// as page 2 of every walk of an incremental run is asked for, a registration
// of page 1 is updated and moves to the end. Each walk reads it again,
// changed: the run walks three times, then completes without moving the
// watermark, having yielded every registration of its window once. The next
// run reads the window again and yields only the three updated ones.
func TestSyncKeepsTheWatermarkAfterThreeMovedWalks(t *testing.T) {
	fx := newSyncFixture(t, rceventstest.WithRegistrations(700), rceventstest.WithUpdateOrder())
	h := newSyncHarness(t, fx)
	all := allRegistrations(t, fx.srv)
	h.run(nil)
	fx.clock.add(time.Minute)
	many(250, func(i int) { fx.updateReg(t, all[2*i].ID, "window") })
	window, due := h.window()
	watermark := h.cur.Watermark
	path := "/v1/events/" + fx.srv.Fixtures.EventID + "/registrations"
	var moved atomic.Int64
	fx.srv.OnRequest(func(r rceventstest.Request) {
		if q, _ := url.ParseQuery(r.RawQuery); r.Path == path && q.Get("page") == "2" {
			fx.updateReg(t, window[moved.Add(1)*10], "moved")
		}
	})
	fx.srv.ResetLog()
	got := distinct(h.run(nil))
	fx.srv.OnRequest(nil)
	walks, _ := listPasses(fx.srv, path)
	assert.Equal(t, 3, walks)
	assert.Equal(t, int64(3), moved.Load())
	kept := watermark.Equal(h.cur.Watermark)
	assert.True(t, kept, "the watermark stays at %s, not %s", watermark, h.cur.Watermark)
	for id := range due {
		assert.True(t, got[id], "%s was in the window and was not yielded", id)
	}
	assert.Equal(t, 3, h.settle(), "the next run yields the three moved registrations, and nothing it yielded unchanged")
	t.Logf("FIGURE sync-three-moved-walks window=%d items=%d walks=%d watermark-kept=%v", len(window), len(got), walks, kept)
}
