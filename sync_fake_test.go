package rcevents_test

// The guarantees of Registrations.Sync and MagicLinks.Sync, proven against
// the fake API. The fake stamps writes with a clock the tests set (whole
// seconds, as the API), frozen during a run unless a test moves it: a
// server clock that stands still is one that runs no faster than real time,
// which is all the watermark assumes.

import (
	"context"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
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

// syncClock is the fake's clock: the tests set it.
type syncClock struct{ ns atomic.Int64 }

// syncEpoch is after every seeded timestamp of the fake.
var syncEpoch = time.Date(2026, time.January, 5, 9, 0, 0, 0, time.UTC)

func newSyncFake(t *testing.T, opts ...rceventstest.Option) (*rceventstest.Server, *syncClock) {
	clock := &syncClock{}
	clock.set(syncEpoch)
	return newFake(t, append([]rceventstest.Option{rceventstest.WithClock(clock.now)}, opts...)...), clock
}

func (c *syncClock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *syncClock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *syncClock) add(d time.Duration) { c.ns.Add(int64(d)) }

// drain runs a sync to its end, failing the test on an error; each is
// called after each item.
func drain[T any](t *testing.T, seq iter.Seq2[T, error], each func(i int, v T)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		require.NoError(t, err)
		out = append(out, v)
		if each != nil {
			each(len(out), v)
		}
	}
	return out
}

func regIDs(regs []rcevents.Registration) []string {
	ids := make([]string, len(regs))
	for i, r := range regs {
		ids[i] = r.ID
	}
	return ids
}

func linkIDs(links []rcevents.MagicLink) []string {
	ids := make([]string, len(links))
	for i, l := range links {
		ids[i] = l.ID
	}
	return ids
}

// assertOnce checks that no ID comes twice.
func assertOnce(t *testing.T, ids []string, msgAndArgs ...any) {
	t.Helper()
	assert.Len(t, distinct(ids), len(ids), msgAndArgs...)
}

// allRegistrations is the event's list as All walks it, by a client of its
// own.
func allRegistrations(t *testing.T, srv *rceventstest.Server) []rcevents.Registration {
	t.Helper()
	return drain(t, fakeClient(t, srv).Registrations.All(context.Background(), srv.Fixtures.EventID,
		&rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 100}}), nil)
}

func allLinks(t *testing.T, srv *rceventstest.Server) []rcevents.MagicLink {
	t.Helper()
	return drain(t, fakeClient(t, srv).MagicLinks.All(context.Background(), srv.Fixtures.TicketID,
		&rcevents.MagicLinkListOptions{ListOptions: rcevents.ListOptions{PerPage: 100}}), nil)
}

// roundTrip stores the cursor as JSON and reads it back, with encoding/json
// and with encoding/json/v2, and checks both read back what was stored.
func roundTrip(t *testing.T, cur rcevents.SyncCursor) rcevents.SyncCursor {
	t.Helper()
	b, err := stdjson.Marshal(cur)
	require.NoError(t, err)
	var back, back2 rcevents.SyncCursor
	require.NoError(t, stdjson.Unmarshal(b, &back))
	require.NoError(t, json.Unmarshal(b, &back2))
	for _, c := range []rcevents.SyncCursor{back, back2} {
		again, err := stdjson.Marshal(c)
		require.NoError(t, err)
		require.JSONEq(t, string(b), string(again))
		assert.Equal(t, cur.List, c.List)
		assert.True(t, cur.Watermark.Equal(c.Watermark))
		assert.Len(t, c.Seen, len(cur.Seen))
	}
	return back
}

// listPasses counts the answered requests for the first full page of a
// list: one per walk of a run.
func listPasses(srv *rceventstest.Server, path string) (passes, requests int) {
	for _, r := range srv.Requests() {
		if r.Path != path || r.Method != http.MethodGet {
			continue
		}
		requests++
		q, _ := url.ParseQuery(r.RawQuery)
		if r.Status == http.StatusOK && q.Get("page") == "1" && q.Get("perPage") == "100" {
			passes++
		}
	}
	return passes, requests
}

// The writes below fail the test without stopping it: hooks and other
// goroutines call them.

func (s *syncFixture) updateReg(t *testing.T, id, v string) {
	t.Helper()
	_, err := s.writer.Registrations.Update(context.Background(), id, &rcevents.RegistrationUpdateRequest{Metadata: map[string]string{"v": v}})
	assert.NoError(t, err)
}

func (s *syncFixture) createReg(t *testing.T, n int) string {
	t.Helper()
	r, err := s.writer.Registrations.Create(context.Background(), s.srv.Fixtures.EventID, &rcevents.RegistrationCreateRequest{
		Email: fmt.Sprintf("sync%d@example.com", n), FirstName: "Sync", LastName: fmt.Sprint(n)})
	if !assert.NoError(t, err) {
		return ""
	}
	return r.ID
}

func (s *syncFixture) createLink(t *testing.T, n int) string {
	t.Helper()
	l, err := s.writer.MagicLinks.Create(context.Background(), s.srv.Fixtures.TicketID, &rcevents.MagicLinkCreateRequest{
		Email: fmt.Sprintf("link%d@example.com", n), FirstName: "Link", LastName: fmt.Sprint(n)})
	if !assert.NoError(t, err) {
		return ""
	}
	return l.ID
}

// many runs write(i) for i from 0 to n-1, four at a time.
func many(n int, write func(i int)) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				write(i)
			}
		}()
	}
	wg.Wait()
}

func (s *syncFixture) deleteLink(t *testing.T, id string) {
	t.Helper()
	assert.NoError(t, s.writer.MagicLinks.Delete(context.Background(), id))
}

// syncFixture is a fake with its clock, and a client that writes to it
// apart from the client under test.
type syncFixture struct {
	srv    *rceventstest.Server
	clock  *syncClock
	writer *rcevents.Client
}

func newSyncFixture(t *testing.T, opts ...rceventstest.Option) *syncFixture {
	srv, clock := newSyncFake(t, opts...)
	return &syncFixture{srv: srv, clock: clock, writer: fakeClient(t, srv)}
}

// TestSyncRegistrationsRunAfterRun: a first run over 3,000 registrations
// yields each once, in API order; the next run yields nothing; after 5
// updates spread over the list and 3 new registrations, a run yields
// exactly those 8, as they now are, in API order; and the run after it
// nothing. The cursor goes through JSON between runs. The requests are the
// list unfiltered, then filtered on updatedAt at or after the watermark.
func TestSyncRegistrationsRunAfterRun(t *testing.T) {
	const total = 3000
	for _, n := range []int{1, 8} {
		t.Run(fmt.Sprintf("concurrency %d", n), func(t *testing.T) {
			checkNoLeaks(t)
			fx := newSyncFixture(t, rceventstest.WithRegistrations(total))
			c := fakeClient(t, fx.srv, rcevents.WithPageConcurrency(n))
			ctx := context.Background()
			event := fx.srv.Fixtures.EventID
			path := "/v1/events/" + event + "/registrations"
			all := allRegistrations(t, fx.srv)
			require.Len(t, all, total)

			var cur rcevents.SyncCursor
			fx.srv.ResetLog()
			start := time.Now()
			first := drain(t, c.Registrations.Sync(ctx, event, &cur), nil)
			took := time.Since(start)
			firstTook := took
			assert.Equal(t, regIDs(all), regIDs(first), "every registration once, in API order")
			passes, requests := listPasses(fx.srv, path)
			assert.Equal(t, 1, passes)
			assert.Equal(t, total/100, requests)
			for _, r := range fx.srv.Requests() {
				if r.Path == path {
					q, _ := url.ParseQuery(r.RawQuery)
					assert.Equal(t, url.Values{"page": {q.Get("page")}, "perPage": {"100"}}, q, "a first run reads the whole list")
				}
			}
			newest := all[0].UpdatedAt
			for _, r := range all {
				if r.UpdatedAt.After(newest) {
					newest = r.UpdatedAt
				}
			}
			assert.Equal(t, "registrations of "+event, cur.List)
			// At most the whole second before the newest updatedAt less the
			// margin, and no earlier than the run's duration allows.
			assert.False(t, cur.Watermark.After(newest.Add(-3*time.Second)), "watermark %s, newest %s", cur.Watermark, newest)
			assert.False(t, cur.Watermark.Before(newest.Add(-took).Truncate(time.Second).Add(-2*time.Second)), "watermark %s, newest %s", cur.Watermark, newest)
			for _, r := range all {
				_, seen := cur.Seen[r.ID]
				assert.Equal(t, !r.UpdatedAt.Before(cur.Watermark), seen, "Seen holds the items at or after the watermark: %s", r.ID)
			}
			cur = roundTrip(t, cur)
			before := cur

			fx.srv.ResetLog()
			assert.Empty(t, drain(t, c.Registrations.Sync(ctx, event, &cur), nil), "nothing changed")
			passes, requests = listPasses(fx.srv, path)
			assert.Equal(t, 1, requests)
			assert.Equal(t, 1, passes)
			q, _ := url.ParseQuery(fx.srv.Requests()[len(fx.srv.Requests())-1].RawQuery)
			assert.Equal(t, url.Values{"page": {"1"}, "perPage": {"100"}, "filter[updatedAt][gte]": {before.Watermark.Format(time.RFC3339)}}, q)
			// A quicker run than the first may move the watermark on: its
			// bound on the API's clock at its start is tighter.
			assert.False(t, cur.Watermark.Before(before.Watermark))
			assert.False(t, cur.Watermark.After(newest.Add(-3*time.Second)))
			assert.Equal(t, before.Seen, cur.Seen)

			fx.clock.add(time.Minute)
			var changed []string
			for _, i := range []int{10, 500, 1500, 2500, total - 1} {
				fx.updateReg(t, all[i].ID, "changed")
				changed = append(changed, all[i].ID)
			}
			for k := range 3 {
				changed = append(changed, fx.createReg(t, k))
			}
			cur = roundTrip(t, cur)
			fx.srv.ResetLog()
			start = time.Now()
			got := drain(t, c.Registrations.Sync(ctx, event, &cur), nil)
			took = time.Since(start)
			assert.Equal(t, changed, regIDs(got), "exactly the changes, in API order")
			for _, r := range got[:5] {
				assert.Equal(t, "changed", r.Metadata["v"], "as it now is")
			}
			_, requests = listPasses(fx.srv, path)
			assert.Equal(t, 1, requests)

			cur = roundTrip(t, cur)
			assert.Empty(t, drain(t, c.Registrations.Sync(ctx, event, &cur), nil))
			newest = syncEpoch.Add(time.Minute) // the changes' updatedAt
			assert.False(t, cur.Watermark.After(newest.Add(-3*time.Second)), "watermark %s", cur.Watermark)
			assert.False(t, cur.Watermark.Before(newest.Add(-took).Truncate(time.Second).Add(-2*time.Second)), "watermark %s", cur.Watermark)
			t.Logf("FIGURE sync-runs concurrency=%d first-run items=%d requests=%d took=%s; unchanged run items=0 requests=1; after 8 changes items=%d requests=1; seen=%d",
				n, len(first), total/100, firstTook.Round(time.Millisecond), len(got), len(cur.Seen))
		})
	}
}

// TestSyncWritesInTheSameSecond: the fake's clock stands still, so every
// write below carries the same updatedAt. A registration updated in the
// second the previous run read it in, and a write stamped with the
// watermark's own second, are yielded; a second version of a registration
// written in the same second as the version yielded is yielded too (the
// updatedAt alone cannot tell them apart); the run after each yields
// nothing.
func TestSyncWritesInTheSameSecond(t *testing.T) {
	fx := newSyncFixture(t, rceventstest.WithRegistrations(300))
	fx.clock.set(syncEpoch.Add(400 * time.Millisecond)) // stamped as syncEpoch: whole seconds
	c := fakeClient(t, fx.srv)
	ctx := context.Background()
	event := fx.srv.Fixtures.EventID
	all := allRegistrations(t, fx.srv)
	a, b, d := all[20].ID, all[150].ID, all[290].ID

	var cur rcevents.SyncCursor
	drain(t, c.Registrations.Sync(ctx, event, &cur), nil)
	fx.updateReg(t, a, "1")
	got := drain(t, c.Registrations.Sync(ctx, event, &cur), nil)
	assert.Equal(t, []string{a}, regIDs(got))
	assert.Equal(t, syncEpoch, cur.Seen[a].UpdatedAt, "the fake counts whole seconds")

	fx.updateReg(t, a, "2") // the same second as the version yielded
	fx.updateReg(t, b, "1")
	cur = roundTrip(t, cur)
	got = drain(t, c.Registrations.Sync(ctx, event, &cur), nil)
	assert.Equal(t, []string{a, b}, regIDs(got))
	assert.Equal(t, "2", got[0].Metadata["v"])
	assert.Empty(t, drain(t, c.Registrations.Sync(ctx, event, &cur), nil))

	// A write stamped with the watermark's second, behind the newest item
	// read (a server whose clock lags by up to the margin).
	fx.clock.set(cur.Watermark)
	fx.updateReg(t, d, "1")
	got = drain(t, c.Registrations.Sync(ctx, event, &cur), nil)
	assert.Equal(t, []string{d}, regIDs(got))
	assert.Empty(t, drain(t, c.Registrations.Sync(ctx, event, &cur), nil))
}

// TestSyncLaterUpdateDoesNotHideAnEarlierOne: during an incremental run, a
// registration already yielded is updated, then one on a later page gets a
// newer updatedAt, which the run reads. A watermark at the newest updatedAt
// read would put the first update behind it for good; the next run yields
// it.
func TestSyncLaterUpdateDoesNotHideAnEarlierOne(t *testing.T) {
	for _, n := range []int{1, 8} {
		t.Run(fmt.Sprintf("concurrency %d", n), func(t *testing.T) {
			fx := newSyncFixture(t, rceventstest.WithRegistrations(2000))
			h := newHookTransport(t)
			c := fakeClient(t, fx.srv, rcevents.WithPageConcurrency(n), h.client())
			ctx := context.Background()
			event := fx.srv.Fixtures.EventID
			all := allRegistrations(t, fx.srv)
			var cur rcevents.SyncCursor
			drain(t, c.Registrations.Sync(ctx, event, &cur), nil)

			var window []string // three pages of changes
			for i := 0; i < len(all) && len(window) < 250; i += 7 {
				window = append(window, all[i].ID)
			}
			many(len(window), func(i int) { fx.updateReg(t, window[i], "0") })
			x, y := window[0], window[len(window)-1]
			// Once the run's first page has been answered, before any page
			// after it is asked for: x, which that page holds, is updated,
			// then y, on a later page, a second later.
			var armed atomic.Bool
			armed.Store(true)
			h.after = func(req *http.Request, _ *http.Response) {
				if req.URL.Query().Get("page") == "1" && armed.CompareAndSwap(true, false) {
					fx.clock.add(time.Second)
					fx.updateReg(t, x, "during the run")
					fx.clock.add(time.Second)
					fx.updateReg(t, y, "later, on a later page")
				}
			}
			got := drain(t, c.Registrations.Sync(ctx, event, &cur), nil)
			h.after = nil
			require.Equal(t, window, regIDs(got))
			assert.Equal(t, "0", got[0].Metadata["v"], "x as it was read")
			assert.Equal(t, "later, on a later page", got[len(got)-1].Metadata["v"])

			got = drain(t, c.Registrations.Sync(ctx, event, &cur), nil)
			require.Equal(t, []string{x}, regIDs(got), "the update made during the run comes with the next")
			assert.Equal(t, "during the run", got[0].Metadata["v"])
			assert.Empty(t, drain(t, c.Registrations.Sync(ctx, event, &cur), nil))
		})
	}
}

// TestSyncIncrementalRunsReadPagesInOrder: a first run fetches pages with
// the client's page concurrency (8 at once: page 2 is asked for while page 3
// is in flight), an incremental run one by one, whatever the client's page
// concurrency (never two requests of the list in flight). During the
// incremental run, between the answer for page 1 and the request for page
// 2, a registration older than the watermark is updated, which puts it into
// the filtered list before page 2's end: the registration that was last on
// page 2 is pushed onto page 3, read in order after the shift. The run
// yields every registration of the window and the moved one once, walks the
// list once, and the next run yields nothing.
func TestSyncIncrementalRunsReadPagesInOrder(t *testing.T) {
	for _, n := range []int{1, 8} {
		t.Run(fmt.Sprintf("concurrency %d", n), func(t *testing.T) {
			checkNoLeaks(t)
			fx := newSyncFixture(t, rceventstest.WithRegistrations(2000))
			h := newHookTransport(t)
			c := fakeClient(t, fx.srv, rcevents.WithPageConcurrency(n), h.client())
			ctx := context.Background()
			event := fx.srv.Fixtures.EventID
			path := "/v1/events/" + event + "/registrations"
			page := func(r *http.Request) string {
				if r.URL.Path != path || r.URL.Query().Get("perPage") != "100" {
					return ""
				}
				return r.URL.Query().Get("page")
			}
			all := allRegistrations(t, fx.srv)
			var cur rcevents.SyncCursor
			if n > 1 {
				// Page 2 waits until page 3 is asked for.
				page3 := make(chan struct{})
				var once sync.Once
				h.before = func(r *http.Request) {
					switch page(r) {
					case "3":
						once.Do(func() { close(page3) })
					case "2":
						select {
						case <-page3:
						case <-time.After(10 * time.Second):
							t.Error("a first run did not fetch page 3 while page 2 was in flight")
						}
					}
				}
			}
			drain(t, c.Registrations.Sync(ctx, event, &cur), nil)

			var mu sync.Mutex
			inFlight, most := 0, 0
			h.before = func(r *http.Request) {
				if page(r) != "" {
					mu.Lock()
					defer mu.Unlock()
					inFlight++
					most = max(most, inFlight)
				}
			}
			h.after = func(r *http.Request, _ *http.Response) {
				if page(r) != "" {
					mu.Lock()
					defer mu.Unlock()
					inFlight--
				}
			}

			var window []string
			index := map[string]int{}
			for i := 1; i < len(all) && len(window) < 250; i += 5 {
				window = append(window, all[i].ID)
				index[all[i].ID] = i
			}
			many(len(window), func(i int) { fx.updateReg(t, window[i], "0") })
			filtered := regIDs(drain(t, fakeClient(t, fx.srv).Registrations.All(ctx, event, &rcevents.RegistrationListOptions{
				ListOptions: rcevents.ListOptions{PerPage: 100}, UpdatedAt: &rcevents.DateTimeFilter{Gte: cur.Watermark}}), nil))
			edge := filtered[199]              // last on page 2 of the filtered list
			older := all[index[window[150]]+1] // before it, not in the filtered list
			require.Less(t, len(filtered), 300)
			require.True(t, older.UpdatedAt.Before(cur.Watermark))
			require.NotContains(t, filtered, older.ID)

			fx.clock.add(time.Minute)
			var once sync.Once
			before := h.before
			h.before = func(r *http.Request) {
				if page(r) == "2" {
					once.Do(func() { fx.updateReg(t, older.ID, "moved into the list") })
				}
				before(r)
			}
			fx.srv.ResetLog()
			got := regIDs(drain(t, c.Registrations.Sync(ctx, event, &cur), nil))
			h.before, h.after = nil, nil
			mu.Lock()
			assert.Equal(t, 1, most, "an incremental run reads one page at a time")
			mu.Unlock()
			assertOnce(t, got)
			assert.Contains(t, got, edge, "the registration the shift pushed onto page 3")
			assert.ElementsMatch(t, append(slices.Clone(window), older.ID), got)
			passes, _ := listPasses(fx.srv, path)
			assert.Equal(t, 1, passes, "pages read in order only read an item twice")
			assert.Empty(t, drain(t, c.Registrations.Sync(ctx, event, &cur), nil))
			t.Logf("FIGURE sync-shift concurrency=%d items=%d passes=%d edge-yielded=%v", n, len(got), passes, slices.Contains(got, edge))
		})
	}
}

// TestSyncRegistrationsWrittenDuringRuns: while runs walk 2,000
// registrations, the loop body updates registrations behind and ahead of
// it and creates one, and another goroutine creates 40 and updates 40; a
// first run and an incremental run each. After each, a quiet run. Every
// registration's last version yielded is the one the API holds at the end,
// no run yields an ID twice, and a last run yields nothing: on the fake in
// creation order, and in update order, where every update moves a
// registration to the end of the list.
func TestSyncRegistrationsWrittenDuringRuns(t *testing.T) {
	for _, order := range syncOrders {
		for _, n := range []int{1, 8} {
			t.Run(fmt.Sprintf("%s, concurrency %d", order.name, n), func(t *testing.T) {
				testSyncWrittenDuringRuns(t, n, order.name, order.opts)
			})
		}
	}
}

// testSyncWrittenDuringRuns is TestSyncRegistrationsWrittenDuringRuns with
// n pages at once, on the fake with opts.
func testSyncWrittenDuringRuns(t *testing.T, n int, order string, opts []rceventstest.Option) {
	checkNoLeaks(t)
	fx := newSyncFixture(t, append([]rceventstest.Option{rceventstest.WithRegistrations(2000)}, opts...)...)
	c := fakeClient(t, fx.srv, rcevents.WithPageConcurrency(n))
	ctx := context.Background()
	event := fx.srv.Fixtures.EventID
	all := allRegistrations(t, fx.srv)
	latest := map[string]string{} // ID → the version last yielded: its metadata
	var cur rcevents.SyncCursor
	created := 0
	run := func(busy bool) int {
		var wg sync.WaitGroup
		each := func(i int, r rcevents.Registration) {
			if !busy {
				return
			}
			switch i {
			case 1:
				round := created
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := range 40 {
						fx.createReg(t, 1000+round*100+k)
						fx.updateReg(t, all[(k*47+round)%len(all)].ID, fmt.Sprint("other ", round, k))
					}
				}()
			case 100, 200:
				fx.updateReg(t, all[i-50].ID, fmt.Sprint("behind ", created, i))
				fx.updateReg(t, all[i+900].ID, fmt.Sprint("ahead ", created, i))
			case 240:
				fx.createReg(t, 5000+created)
			}
		}
		got := drain(t, c.Registrations.Sync(ctx, event, &cur), each)
		wg.Wait()
		if busy {
			created++
		}
		assertOnce(t, regIDs(got))
		for _, r := range got {
			latest[r.ID] = fmt.Sprint(r.Metadata["v"], r.UpdatedAt)
		}
		cur = roundTrip(t, cur)
		return len(got)
	}
	counts := []int{run(true), run(false)}
	fx.clock.add(time.Minute)
	many(len(all)/8, func(i int) { fx.updateReg(t, all[i*8].ID, "before") }) // an incremental run of three pages
	fx.clock.add(time.Minute)
	counts = append(counts, run(true), run(false), run(false))

	final := allRegistrations(t, fx.srv)
	assert.Len(t, final, len(all)+2*41, "the writes were made")
	for _, r := range final {
		assert.Equal(t, fmt.Sprint(r.Metadata["v"], r.UpdatedAt), latest[r.ID], "the last version yielded of %s", r.ID)
	}
	assert.Zero(t, counts[4], "a last run yields nothing")
	t.Logf("FIGURE sync-writes-during-runs %s concurrency=%d items by run=%v registrations=%d", order, n, counts, len(final))
}

// magicFixture seeds the ticket with 250 visible magic links, three pages,
// made a month before the runs: an item a run missed would be behind the
// watermark for good.
func magicFixture(t *testing.T) *syncFixture {
	fx := newSyncFixture(t)
	fx.clock.set(syncEpoch.AddDate(0, -1, 0))
	seeded := len(allLinks(t, fx.srv))
	many(250-seeded, func(k int) { fx.createLink(t, seeded+k) })
	fx.clock.set(syncEpoch)
	return fx
}

// TestSyncMagicLinksDeletedDuringRun: magic links are deleted while a run
// walks them, which moves the links after them back by one. Deleted from
// the loop body, behind it: the link that was first on the next page is
// now last on the page read. Deleted and made up for by a new link between
// the requests for pages 1 and 2: meta.count stays the same, the last link
// changes. Deleted and created by another goroutine while the run walks.
// Each run, the first and an incremental one, yields every link that was
// there throughout it, once, and walks the list again when the change was
// in its way; the next run yields nothing it yielded unchanged, and the one
// after it nothing.
func TestSyncMagicLinksDeletedDuringRun(t *testing.T) {
	// An arm sets the change up; at is an item read on the walk's second
	// to last page, after the first page read alone.
	type arm func(t *testing.T, fx *syncFixture, h *hookTransport, window []rcevents.MagicLink, at int) (each func(int, rcevents.MagicLink), wait func())
	for _, n := range []int{1, 8} {
		for _, tc := range []struct {
			name    string
			arm     arm
			rewalks bool // the change always falls between two pages of the walk
		}{
			{"from the loop body", func(t *testing.T, fx *syncFixture, _ *hookTransport, _ []rcevents.MagicLink, at int) (func(int, rcevents.MagicLink), func()) {
				var yielded []string
				return func(i int, l rcevents.MagicLink) {
					if yielded = append(yielded, l.ID); i == at {
						fx.deleteLink(t, yielded[at-21]) // on the page being read, behind
					}
				}, nil
			}, true},
			{"made up for by a new link", func(t *testing.T, fx *syncFixture, h *hookTransport, window []rcevents.MagicLink, _ int) (func(int, rcevents.MagicLink), func()) {
				var once sync.Once
				h.before = func(r *http.Request) {
					if q := r.URL.Query(); q.Get("page") == "2" && q.Get("perPage") == "100" {
						once.Do(func() {
							fx.deleteLink(t, window[10].ID)
							fx.createLink(t, 9000+len(window))
						})
					}
				}
				return nil, nil
			}, true},
			{"from another goroutine", func(t *testing.T, fx *syncFixture, _ *hookTransport, window []rcevents.MagicLink, _ int) (func(int, rcevents.MagicLink), func()) {
				var wg sync.WaitGroup
				var once sync.Once
				return func(int, rcevents.MagicLink) {
					once.Do(func() {
						wg.Add(1)
						go func() {
							defer wg.Done()
							for k := range 20 {
								fx.deleteLink(t, window[(k*13+5)%len(window)].ID)
								fx.createLink(t, 9100+len(window)+k)
							}
						}()
					})
				}, wg.Wait
			}, false},
		} {
			t.Run(fmt.Sprintf("%s, concurrency %d", tc.name, n), func(t *testing.T) {
				checkNoLeaks(t)
				fx := magicFixture(t)
				h := newHookTransport(t)
				c := fakeClient(t, fx.srv, rcevents.WithPageConcurrency(n), h.client())
				ctx := context.Background()
				ticket := fx.srv.Fixtures.TicketID
				var cur rcevents.SyncCursor
				for _, incremental := range []bool{false, true} {
					if incremental {
						fx.clock.add(time.Minute)
						many(150, func(k int) { fx.createLink(t, 1000+k) }) // two pages of new links
						fx.clock.add(time.Minute)
					}
					var window []rcevents.MagicLink // the links the run reads
					for _, l := range allLinks(t, fx.srv) {
						if !l.UpdatedAt.Before(cur.Watermark) {
							window = append(window, l)
						}
					}
					require.Greater(t, len(window), 100)
					seenBefore := cur.Seen
					at := 150 // 250 links: the first 100 read alone, then pages 1, 2 and 3
					if incremental {
						at = 50 // 220 links seen unchanged, then 150 new: pages 3 and 4 yield
					}
					each, wait := tc.arm(t, fx, h, window, at)
					fx.srv.ResetLog()
					got := drain(t, c.MagicLinks.Sync(ctx, ticket, &cur), each)
					if wait != nil {
						wait()
					}
					h.before = nil
					pages, requests := listPasses(fx.srv, "/v1/tickets/"+ticket+"/magicLinks")
					ids := linkIDs(got)
					assertOnce(t, ids)
					yielded := distinct(ids)
					still := distinct(linkIDs(allLinks(t, fx.srv)))
					missed := 0
					for _, l := range window {
						if _, before := seenBefore[l.ID]; still[l.ID] && !before && !yielded[l.ID] {
							missed++
							t.Errorf("link %s was there throughout the run and was not yielded", l.ID)
						}
					}
					if tc.rewalks {
						// The first page alone, then a walk, then another.
						assert.GreaterOrEqual(t, pages, 3, "the change was seen")
					}
					next := linkIDs(drain(t, c.MagicLinks.Sync(ctx, ticket, &cur), nil))
					assertOnce(t, next)
					for _, id := range next {
						assert.False(t, yielded[id] && slices.ContainsFunc(window, func(l rcevents.MagicLink) bool { return l.ID == id }),
							"link %s yielded again though unchanged", id)
					}
					assert.Empty(t, drain(t, c.MagicLinks.Sync(ctx, ticket, &cur), nil))
					t.Logf("FIGURE sync-magic-links %q concurrency=%d incremental=%v window=%d items=%d missed=%d first-pages=%d requests=%d next-run=%d",
						tc.name, n, incremental, len(window), len(got), missed, pages, requests, len(next))
				}
			})
		}
	}
}

// TestSyncFailedRunsLeaveTheCursor: a run that fails on a server error, is
// cancelled, or whose loop breaks (in the middle, or at its very last item)
// leaves the cursor exactly as it was, and the next run yields everything
// again. Under 30% of faults (15% 429, 10% 503, 5% connection resets), with
// up to 20 attempts a request (a page is lost with probability 0.3^20, about
// 3.5·10^-11), that run yields what a run without faults yields, and so does
// a first run over all 1,000 registrations.
func TestSyncFailedRunsLeaveTheCursor(t *testing.T) {
	for _, n := range []int{1, 8} {
		t.Run(fmt.Sprintf("concurrency %d", n), func(t *testing.T) {
			checkNoLeaks(t)
			fx := newSyncFixture(t, rceventstest.WithRegistrations(1000))
			fx.srv.SetRetryAfter(0)
			c := fakeClient(t, fx.srv, rcevents.WithPageConcurrency(n),
				rcevents.WithRetry(rcevents.RetryPolicy{MaxAttempts: 20, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}))
			event := fx.srv.Fixtures.EventID
			all := allRegistrations(t, fx.srv)
			var cur rcevents.SyncCursor
			drain(t, c.Registrations.Sync(context.Background(), event, &cur), nil)
			fx.clock.add(time.Minute)
			var changed []string
			for i := 0; i < len(all); i += 4 { // three pages
				changed = append(changed, all[i].ID)
			}
			many(len(changed), func(i int) { fx.updateReg(t, changed[i], "1") })
			stored, err := stdjson.Marshal(cur)
			require.NoError(t, err)
			unchanged := func(why string) {
				t.Helper()
				b, err := stdjson.Marshal(cur)
				require.NoError(t, err)
				assert.JSONEq(t, string(stored), string(b), "%s: the cursor is as it was", why)
			}
			// A client that does not retry, rather than WithCallRetry: the
			// option is applied by every page's request, concurrently.
			noRetry := fakeClient(t, fx.srv, rcevents.WithPageConcurrency(n), rcevents.WithRetry(rcevents.RetryPolicy{MaxAttempts: 1}))

			for _, tc := range []struct {
				name  string
				c     *rcevents.Client
				stop  func(i int, cancel func()) bool // at item i; false breaks the loop
				check func(t *testing.T, err error, items int)
			}{
				{"server error", noRetry, func(i int, _ func()) bool {
					if i == 1 {
						fx.srv.FailNext(1, rceventstest.FaultInternalError)
					}
					return true
				}, func(t *testing.T, err error, items int) {
					assert.ErrorIs(t, err, rcevents.ErrServer)
					assert.Less(t, items, len(changed))
				}},
				{"cancelled", c, func(i int, cancel func()) bool {
					if i == 150 {
						cancel()
					}
					return true
				}, func(t *testing.T, err error, items int) {
					assert.ErrorIs(t, err, context.Canceled)
					assert.Equal(t, 150, items)
				}},
				{"break", c, func(i int, _ func()) bool { return i < 150 }, func(t *testing.T, err error, items int) {
					assert.NoError(t, err)
					assert.Equal(t, 150, items)
				}},
				{"break at the last item", c, func(i int, _ func()) bool { return i < len(changed) }, func(t *testing.T, err error, items int) {
					assert.NoError(t, err)
					assert.Equal(t, len(changed), items)
				}},
			} {
				ctx, cancel := context.WithCancel(context.Background())
				items := 0
				var err error
				for _, e := range tc.c.Registrations.Sync(ctx, event, &cur) {
					if e != nil {
						err = e
						break
					}
					items++
					if !tc.stop(items, cancel) {
						break
					}
				}
				cancel()
				fx.srv.ClearFaults()
				tc.check(t, err, items)
				unchanged(tc.name)
			}

			for _, f := range []rceventstest.Fault{rceventstest.FaultRateLimit, rceventstest.FaultUnavailable, rceventstest.FaultReset} {
				fx.srv.FailNext(1, f) // one of each, first
			}
			fx.srv.SetFaultRate(rceventstest.FaultRateLimit, 0.15)
			fx.srv.SetFaultRate(rceventstest.FaultUnavailable, 0.10)
			fx.srv.SetFaultRate(rceventstest.FaultReset, 0.05)
			fx.srv.ResetLog()
			got := drain(t, c.Registrations.Sync(context.Background(), event, &cur), nil)
			assert.Equal(t, changed, regIDs(got), "the work is repeated, whole")
			var fresh rcevents.SyncCursor
			whole := drain(t, c.Registrations.Sync(context.Background(), event, &fresh), nil)
			fx.srv.ClearFaults()
			assert.Equal(t, regIDs(allRegistrations(t, fx.srv)), regIDs(whole))
			tl := tallyOf(fx.srv.Requests(), onPath("/v1/events/"+event+"/registrations"))
			assert.Positive(t, tl.faults[rceventstest.FaultRateLimit])
			assert.Positive(t, tl.faults[rceventstest.FaultUnavailable])
			assert.Positive(t, tl.faults[rceventstest.FaultReset])
			assert.Empty(t, drain(t, c.Registrations.Sync(context.Background(), event, &cur), nil))
			assert.Empty(t, drain(t, c.Registrations.Sync(context.Background(), event, &fresh), nil))
			t.Logf("FIGURE sync-faults concurrency=%d error/cancel/break/break-at-last: cursor unchanged; under faults: incremental items=%d, first run items=%d, page-requests=%d faults=%d (429=%d 503=%d reset=%d)",
				n, len(got), len(whole), tl.requests, tl.injected(), tl.faults[rceventstest.FaultRateLimit], tl.faults[rceventstest.FaultUnavailable], tl.faults[rceventstest.FaultReset])
		})
	}
}

// TestSyncRefusesAnotherListsCursor: a cursor belongs to one list; a nil
// cursor, one for another event or ticket, one from the other service,
// and one with a watermark but no list are refused with ErrInvalidArgument
// before any request, and so is a nil context.
func TestSyncRefusesAnotherListsCursor(t *testing.T) {
	fx := newSyncFixture(t)
	c := fakeClient(t, fx.srv)
	ctx := context.Background()
	fixtures := fx.srv.Fixtures
	var regCur, linkCur rcevents.SyncCursor
	drain(t, c.Registrations.Sync(ctx, fixtures.EventID, &regCur), nil)
	drain(t, c.MagicLinks.Sync(ctx, fixtures.TicketID, &linkCur), nil)
	fx.srv.ResetLog()

	firstErr := func(seq iter.Seq2[struct{}, error]) error {
		for _, err := range seq {
			return err
		}
		return nil
	}
	regs := func(id string, cur *rcevents.SyncCursor) iter.Seq2[struct{}, error] {
		return func(yield func(struct{}, error) bool) {
			for _, err := range c.Registrations.Sync(ctx, id, cur) {
				if !yield(struct{}{}, err) {
					return
				}
			}
		}
	}
	links := func(id string, cur *rcevents.SyncCursor) iter.Seq2[struct{}, error] {
		return func(yield func(struct{}, error) bool) {
			for _, err := range c.MagicLinks.Sync(ctx, id, cur) {
				if !yield(struct{}{}, err) {
					return
				}
			}
		}
	}
	orphan := rcevents.SyncCursor{Watermark: syncEpoch}
	for _, tc := range []struct {
		name string
		seq  iter.Seq2[struct{}, error]
		want string
	}{
		{"nil cursor", regs(fixtures.EventID, nil), "cur: must not be nil"},
		{"another event", regs(fixtures.PastEventID, &regCur), `SyncCursor.List: the cursor belongs to the registrations of ` + fixtures.EventID + `, not to the registrations of ` + fixtures.PastEventID},
		{"another ticket", links(fixtures.VIPTicketID, &linkCur), `SyncCursor.List: the cursor belongs to the magic links of ` + fixtures.TicketID},
		{"registrations for magic links", links(fixtures.TicketID, &regCur), `belongs to the registrations of`},
		{"no list", regs(fixtures.EventID, &orphan), "SyncCursor.List: is empty, but the cursor has a watermark"},
		{"bad event ID", regs("../x", &rcevents.SyncCursor{}), "eventID"},
	} {
		err := firstErr(tc.seq)
		assert.ErrorIs(t, err, rcevents.ErrInvalidArgument, tc.name)
		assert.ErrorContains(t, err, tc.want, tc.name)
	}
	var nilCtx context.Context // a nil context is refused before the cursor is looked at
	var errs []error
	for _, err := range c.MagicLinks.Sync(nilCtx, fixtures.TicketID, nil) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], rcevents.ErrInvalidArgument)
	assert.ErrorContains(t, errs[0], "ctx: is nil")
	assert.Empty(t, fx.srv.Requests(), "refused before any request")
	assert.Equal(t, "registrations of "+fixtures.EventID, regCur.List, "a refused cursor is left as it was")
}

// TestSyncReportsTheLastResponse: WithResponse holds the last answer of the
// run, which for magic links is a probe of one item.
func TestSyncReportsTheLastResponse(t *testing.T) {
	fx := magicFixture(t)
	c := fakeClient(t, fx.srv)
	var resp rcevents.Response
	var cur rcevents.SyncCursor
	drain(t, c.MagicLinks.Sync(context.Background(), fx.srv.Fixtures.TicketID, &cur, rcevents.WithResponse(&resp)), nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 1, resp.Attempts)

	_, err := c.Health(context.Background())
	require.NoError(t, err)
	resp = rcevents.Response{}
	fx.srv.FailNext(1, rceventstest.FaultBadGateway)
	var last error
	for _, err := range c.Registrations.Sync(context.Background(), fx.srv.Fixtures.EventID, &rcevents.SyncCursor{},
		rcevents.WithResponse(&resp), rcevents.WithCallRetry(rcevents.RetryPolicy{MaxAttempts: 1})) {
		last = err
	}
	require.ErrorIs(t, last, rcevents.ErrServer)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	var apiErr *rcevents.APIError
	assert.True(t, errors.As(last, &apiErr))
}
