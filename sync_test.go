package rcevents

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNextWatermark: the new watermark is the whole second on the API's
// clock at or before the run's start, newest less the run's duration, less
// the margin; never earlier than the old one.
func TestNextWatermark(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		old, newest string
		elapsed     time.Duration
		want        string
	}{
		{"0001-01-01T00:00:00Z", "2026-01-05T09:00:10Z", 300 * time.Millisecond, "2026-01-05T09:00:07Z"},
		{"0001-01-01T00:00:00Z", "2026-01-05T09:00:10Z", 0, "2026-01-05T09:00:08Z"},
		{"0001-01-01T00:00:00Z", "2026-01-05T09:00:10Z", 10 * time.Minute, "2026-01-05T08:50:08Z"},
		{"0001-01-01T00:00:00Z", "2026-01-05T09:00:10.900Z", 200 * time.Millisecond, "2026-01-05T09:00:08Z"},
		{"2026-01-05T09:00:09Z", "2026-01-05T09:00:10Z", 300 * time.Millisecond, "2026-01-05T09:00:09Z"}, // never back
		{"2026-01-05T09:00:00Z", "2026-01-05T09:00:10Z", 300 * time.Millisecond, "2026-01-05T09:00:07Z"},
	} {
		got := nextWatermark(at(tc.old), at(tc.newest), tc.elapsed)
		assert.Equal(t, at(tc.want), got, "old %s newest %s elapsed %s", tc.old, tc.newest, tc.elapsed)
		assert.Equal(t, time.UTC, got.Location())
	}
}

// TestSyncDigest: the digest tells versions apart by their content, and is
// the same for the same content.
func TestSyncDigest(t *testing.T) {
	a := Registration{ID: "reg_1", Email: "a@example.com", Metadata: map[string]string{"x": "1", "y": "2"}}
	b := a
	b.Metadata = map[string]string{"y": "2", "x": "1"}
	assert.Equal(t, digest(&a), digest(&b))
	b.Metadata = map[string]string{"x": "1", "y": "3"}
	assert.NotEqual(t, digest(&a), digest(&b))
	assert.Len(t, formatDigest(syncRead{digest: digest(&a), hashed: true}), 16)
	assert.Empty(t, formatDigest(syncRead{digest: digest(&a)}), "not hashed")
}

// TestSyncWalkRule walks simulated lists that change between the answers of
// their pages, 4 items a page, and checks the rule a run follows against
// what the walk missed: an item in the list from the first answer to the
// last that no page held. Writes land between answers at random: a new item
// at the end, an item moved to the end changed (a list in updatedAt order),
// an item entering the list in its place (a filtered list in creation order).
// Where the walk missed an item, the run has seen a move, an empty page or a
// repeated page, and walks again. A list that only grows at its end, and a
// filtered list in creation order read in order, never make it walk again.
// Read concurrently, that filtered list can lose an item unseen: which is why
// filtered lists are read in order.
func TestSyncWalkRule(t *testing.T) {
	for _, tc := range []struct {
		name             string
		concurrent       bool
		ops              []string
		quiet, unnoticed bool // never walks again; misses items unseen
	}{
		{"first run, creation order, concurrent", true, []string{"append"}, true, false},
		{"filtered, creation order, in order", false, []string{"append", "enter"}, true, false},
		{"update order, in order", false, []string{"append", "move"}, false, false},
		{"update order, concurrent", true, []string{"append", "move"}, false, false},
		{"filtered, creation order, concurrent", true, []string{"append", "enter"}, false, true},
	} {
		rng := rand.New(rand.NewPCG(18, uint64(len(tc.name))))
		missed, noticed, walkedAgain := 0, 0, 0
		for range 3000 {
			lost, again := simulateSyncWalk(t, rng, tc.concurrent, tc.ops)
			if lost {
				missed++
			}
			if lost && again {
				noticed++
			}
			if again {
				walkedAgain++
			}
		}
		if tc.unnoticed {
			assert.Greater(t, missed-noticed, 0, "%s: losses the rule cannot see", tc.name)
		} else {
			assert.Equal(t, missed, noticed, "%s: every walk that missed an item is walked again", tc.name)
		}
		if tc.quiet {
			assert.Zero(t, walkedAgain, "%s: no walk again", tc.name)
		} else {
			assert.Positive(t, missed, "%s: the simulation misses items", tc.name)
		}
		t.Logf("FIGURE sync-walk-rule %q walks=3000 missed=%d noticed=%d walked-again=%d", tc.name, missed, noticed, walkedAgain)
	}
}

// TestSyncWalkOutOfCreationOrder: pages fetched concurrently from a list in
// updatedAt order, 4 a page. Page 1 and page 3 are answered before any
// write; then a registration is created and reg_9 and reg_3 are updated,
// moving to the end; then page 2 is answered: reg_5, pulled onto page 1,
// was read by no page, and no registration was read twice. The walk read
// reg_9 after reg_10, created later: the run walks again, in order.
func TestSyncWalkOutOfCreationOrder(t *testing.T) {
	base := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	page := func(n, count int, regs ...int) *Page[Registration] {
		p := &Page[Registration]{Number: n, Count: count}
		for _, k := range regs {
			p.Items = append(p.Items, Registration{ID: fmt.Sprint("reg_", k), CreatedAt: base.Add(time.Duration(k) * time.Second), UpdatedAt: base})
		}
		return p
	}
	r := &syncRun[Registration, *Registration]{ctx: context.Background(), read: map[string]syncRead{}, walk: 1,
		yield: func(Registration, error) bool { return true }}
	p1, p2, p3 := page(1, 9, 1, 2, 3, 4), page(2, 10, 6, 7, 8, 10), page(3, 9, 9)
	require.True(t, r.emit(p1, nil))
	require.True(t, r.emit(p2, p1))
	assert.False(t, r.moved)
	require.True(t, r.emit(p3, p2))
	assert.True(t, r.moved, "the walk can have missed a registration")
	assert.True(t, r.inOrder, "the next walk reads pages in order")
	assert.NotContains(t, r.read, "reg_5")
}

// simulateSyncWalk walks a list of 5 to 20 items, 4 a page, while up to 8
// writes of the kinds in ops land between the answers, and reports whether
// the walk missed an item, and whether the run would walk again. In order,
// page n is answered at time n. Concurrently, as the walker fetches them,
// each page is asked for once the walk has taken a page whose count reaches
// it (the pages of the first page's count, once it is taken), and answered
// at any time after; a last page is asked again when a page before counted
// more items.
func simulateSyncWalk(t *testing.T, rng *rand.Rand, concurrent bool, ops []string) (lost, again bool) {
	const per, end = 4, 12.0 // items a page; writes and answers come before end
	type item struct {
		id      string
		created float64 // seconds; creation order, as the list's when not moved
		version int
	}
	next := 0
	newItem := func(created float64) item { next++; return item{id: fmt.Sprint("reg_", next), created: created} }
	list := make([]item, 5+rng.IntN(16))
	for i := range list {
		list[i] = newItem(float64(i))
	}
	type write struct {
		at float64
		op string
	}
	writes := make([]write, rng.IntN(9))
	for i := range writes {
		writes[i] = write{1 + rng.Float64()*(end-1), ops[rng.IntN(len(ops))]}
	}
	slices.SortFunc(writes, func(a, b write) int { return cmp.Compare(a.at, b.at) })
	states := [][]item{slices.Clone(list)} // states[k]: the list after k writes
	for _, w := range writes {
		switch i := rng.IntN(len(list)); w.op {
		case "append":
			list = append(list, newItem(float64(next)))
		case "enter": // created between its neighbours
			before := -1.0
			if i > 0 {
				before = list[i-1].created
			}
			list = slices.Insert(list, i, newItem((before+list[i].created)/2))
		case "move":
			moved := list[i]
			moved.version++
			list = append(slices.Delete(list, i, i+1), moved)
		}
		states = append(states, slices.Clone(list))
	}
	stateAt := func(time float64) []item {
		return states[sort.Search(len(writes), func(k int) bool { return writes[k].at > time })]
	}
	answer := func(asked float64) float64 { // when a page asked for at asked is answered
		if !concurrent {
			return asked + 1
		}
		return asked + rng.Float64()*(end-asked)
	}
	base := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	read := map[string]bool{}
	page := func(n int, at float64) *Page[Registration] {
		state := stateAt(at)
		p := &Page[Registration]{Count: len(state), Number: n}
		for _, it := range state[min((n-1)*per, len(state)):min(n*per, len(state))] {
			p.Items = append(p.Items, Registration{ID: it.id, CreatedAt: base.Add(time.Duration(it.created * float64(time.Second))),
				UpdatedAt: base.Add(time.Duration(100+it.version) * time.Second)})
		}
		return p
	}

	r := &syncRun[Registration, *Registration]{ctx: context.Background(), read: map[string]syncRead{}, walk: 1,
		inOrder: !concurrent, yield: func(Registration, error) bool { return true }}
	asked := map[int]float64{1: 0} // when each page was asked for
	taken, most := 0.0, 0          // when the walk took the latest page; the largest count
	var prev *Page[Registration]
	for n := 1; ; n++ {
		at := answer(asked[n])
		p := page(n, at)
		taken = max(taken, at)
		if n > 1 && (len(p.Items) == 0 || sameItems[Registration](p.Items, prev.Items)) {
			again = true // the walker's errEmptyPage or errRepeatedPage
			break
		}
		require.True(t, r.emit(p, prev))
		for _, it := range p.Items {
			read[it.ID] = true
		}
		most = max(most, p.Count)
		if n*per >= p.Count && concurrent && most > (n-1)*per+len(p.Items) {
			again := answer(taken) // asked again
			p.Count, taken = page(n, again).Count, again
		}
		if n*per >= p.Count {
			break
		}
		for m := n + 1; m <= max((p.Count+per-1)/per, n+1); m++ {
			if _, ok := asked[m]; !ok {
				asked[m] = taken
			}
		}
		prev = p
	}
	for _, it := range stateAt(1) { // nothing leaves the list
		lost = lost || !read[it.id]
	}
	return lost, again || r.moved
}

// TestSyncServerWhosePagesContradict: a server that ignores the page
// parameter (every page is testdata/registrations_list_100.json, which
// counts 103 and links to a next page), and one whose count is too high
// (page 2 is empty). Each walk ends at page 2, as a shift would end it; when
// all three do, the run fails with the walker's error as its last pair,
// having yielded page 1 once, and leaves the cursor as it was. The error
// names no registrant.
func TestSyncServerWhosePagesContradict(t *testing.T) {
	for _, tc := range []struct {
		name string
		want error
	}{{"ignores page", errRepeatedPage}, {"counts too many", errEmptyPage}} {
		ts := newTestServer(t)
		var pages []string
		ts.mux.HandleFunc("GET /v1/events/evt_5kq2/registrations", func(w http.ResponseWriter, r *http.Request) {
			n := r.URL.Query().Get("page")
			pages = append(pages, n)
			if tc.want == errEmptyPage && n != "1" {
				w.Write([]byte(`{"data":[],"meta":{"count":103},"links":{"next":null}}`))
				return
			}
			writeFixture(t, w, http.StatusOK, "registrations_list_100.json")
		})
		cur := SyncCursor{}
		var got []Registration
		var last error
		for reg, err := range ts.client.Registrations.Sync(context.Background(), "evt_5kq2", &cur) {
			if err != nil {
				last = err
				continue
			}
			got = append(got, reg)
		}
		require.ErrorIs(t, last, tc.want, tc.name)
		assert.Len(t, got, 100, tc.name)
		assert.Equal(t, []string{"1", "2", "1", "2", "1", "2"}, pages, tc.name)
		assert.Equal(t, SyncCursor{}, cur, "%s: the cursor is as it was", tc.name)
		var personal []string
		for _, r := range got {
			personal = append(personal, r.Email, r.FirstName+" "+r.LastName)
		}
		assertShowsNone(t, personal, []error{last})
	}
}
