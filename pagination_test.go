package rcevents

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listServer serves /v1/organizations as total items, org_1 … org_N, in
// pages, and records which pages were asked for and how many requests were
// in flight at most.
type listServer struct {
	*testServer
	total    int
	perPage  int // the server's default page size
	mu       sync.Mutex
	pages    []int
	inFlight atomic.Int64
	maxSeen  atomic.Int64
	hold     chan struct{} // when set, each request waits on it
	fail     map[int]int   // page → status to answer with
	links    func(page, last int) string

	cap        int                 // when set, the largest page the server serves
	count      func(total int) int // when set, the meta.count sent
	ignorePage bool                // serve page 1 whatever page is asked for
	empty      map[int]bool        // pages answered with no items
	served     func(page int)      // called once a page is answered
	inspect    func(*http.Request) // called with each request
}

func newListServer(t *testing.T, total int, opts ...Option) *listServer {
	ls := &listServer{testServer: newTestServer(t, opts...), total: total, perPage: 10}
	ls.mux.HandleFunc("/v1/organizations", ls.serve)
	return ls
}

func (ls *listServer) serve(w http.ResponseWriter, r *http.Request) {
	if ls.inspect != nil {
		ls.inspect(r)
	}
	n := ls.inFlight.Add(1)
	defer ls.inFlight.Add(-1)
	for {
		m := ls.maxSeen.Load()
		if n <= m || ls.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	if ls.hold != nil {
		select {
		case <-ls.hold:
		case <-r.Context().Done():
			return
		}
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page == 0 {
		page = 1
	}
	per, _ := strconv.Atoi(r.URL.Query().Get("perPage"))
	if per == 0 {
		per = ls.perPage
	}
	if ls.cap > 0 {
		per = min(per, ls.cap)
	}
	ls.mu.Lock()
	ls.pages = append(ls.pages, page)
	total := ls.total
	ls.mu.Unlock()
	if ls.served != nil {
		defer ls.served(page)
	}
	w.Header().Set("X-Request-Id", fmt.Sprintf("req-page-%d", page))
	asked := page
	if ls.ignorePage {
		page = 1
	}
	if status := ls.fail[page]; status != 0 {
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"errors":[{"status":"%d","title":"boom","detail":"page %d failed"}]}`, status, page)
		return
	}
	last := max(1, (total+per-1)/per)
	link := func(p int) string {
		return fmt.Sprintf(`"http://api.example/v1/organizations?page=%d&perPage=%d"`, p, per)
	}
	next, prev := "null", "null"
	if page < last {
		next = link(page + 1)
	}
	if page > 1 {
		prev = link(page - 1)
	}
	if ls.links != nil {
		next = ls.links(page, last)
	}
	var items []string
	for i := (page-1)*per + 1; i <= min(page*per, total) && !ls.empty[asked]; i++ {
		items = append(items, fmt.Sprintf(`{"id":"org_%d","type":"organization","attributes":{"id":"org_%d","name":"Org %d","createdAt":"2024-01-01T00:00:00Z"}}`, i, i, i))
	}
	count := total
	if ls.count != nil {
		count = ls.count(total)
	}
	fmt.Fprintf(w, `{"data":[%s],"meta":{"count":%d},"links":{"first":%s,"self":%s,"last":%s,"prev":%s,"next":%s}}`,
		strings.Join(items, ","), count, link(1), link(page), link(last), prev, next)
}

// setTotal changes how many items the list holds.
func (ls *listServer) setTotal(n int) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.total = n
}

func (ls *listServer) requested() []int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return append([]int(nil), ls.pages...)
}

func collect(t *testing.T, seq func(func(Organization, error) bool)) ([]string, error) {
	t.Helper()
	var ids []string
	for org, err := range seq {
		if err != nil {
			return ids, err
		}
		ids = append(ids, org.ID)
	}
	return ids, nil
}

func wantIDs(from, to int) []string {
	var ids []string
	for i := from; i <= to; i++ {
		ids = append(ids, fmt.Sprintf("org_%d", i))
	}
	return ids
}

func TestAllSequential(t *testing.T) {
	ls := newListServer(t, 95)
	ids, err := collect(t, ls.client.Organizations.All(context.Background(), nil))
	require.NoError(t, err)
	assert.Equal(t, wantIDs(1, 95), ids)
	assert.Equal(t, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, ls.requested())
	assert.Equal(t, int64(1), ls.maxSeen.Load())
}

func TestAllFromPage(t *testing.T) {
	ls := newListServer(t, 50)
	ids, err := collect(t, ls.client.Organizations.All(context.Background(), &ListOptions{Page: 3, PerPage: 20}))
	require.NoError(t, err)
	assert.Equal(t, wantIDs(41, 50), ids)
	assert.Equal(t, []int{3}, ls.requested())
}

func TestAllConcurrentInOrder(t *testing.T) {
	for _, n := range []int{2, 4, 8} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			ls := newListServer(t, 1000, WithPageConcurrency(n))
			ids, err := collect(t, ls.client.Organizations.All(context.Background(), &ListOptions{PerPage: 10}))
			require.NoError(t, err)
			assert.Equal(t, wantIDs(1, 1000), ids)
			pages := ls.requested()
			assert.Len(t, pages, 100, "every page once, none past the last")
			assert.ElementsMatch(t, pagesFrom(1, 100), pages)
			assert.LessOrEqual(t, ls.maxSeen.Load(), int64(n))
		})
	}
}

func TestAllConcurrentReachesItsWindow(t *testing.T) {
	ls := newListServer(t, 100, WithPageConcurrency(4))
	ls.hold = make(chan struct{})
	first := true
	done := make(chan error)
	go func() {
		_, err := collect(t, ls.client.Organizations.All(context.Background(), nil))
		done <- err
	}()
	// Let the first page through, then wait until four requests are held
	// at once before releasing them.
	ls.hold <- struct{}{}
	for first {
		if ls.inFlight.Load() == 4 {
			first = false
		}
		runtime.Gosched()
	}
	close(ls.hold)
	require.NoError(t, <-done)
	assert.Equal(t, int64(4), ls.maxSeen.Load())
}

func pagesFrom(from, to int) []int {
	var p []int
	for i := from; i <= to; i++ {
		p = append(p, i)
	}
	return p
}

func TestAllBreakStopsRequests(t *testing.T) {
	for _, n := range []int{1, 4} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			ls := newListServer(t, 1000, WithPageConcurrency(n))
			var ids []string
			for org, err := range ls.client.Organizations.All(context.Background(), nil) {
				require.NoError(t, err)
				ids = append(ids, org.ID)
				if len(ids) == 15 {
					break
				}
			}
			assert.Equal(t, wantIDs(1, 15), ids)
			before := len(ls.requested())
			// The walk took pages 1 and 2; with n > 1 it holds at most 2n
			// pages ahead, fetched or in flight.
			window := 2
			if n > 1 {
				window += 2 * n
			}
			assert.LessOrEqual(t, before, window, "at most the window was asked for")
			// goleak in TestMain checks that no fetch goroutine is left.
		})
	}
}

func TestAllPageErrorYieldedOnce(t *testing.T) {
	for _, n := range []int{1, 3} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			ls := newListServer(t, 100, WithPageConcurrency(n))
			ls.fail = map[int]int{4: http.StatusNotFound}
			var ids []string
			var errs []error
			for org, err := range ls.client.Organizations.All(context.Background(), nil) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				ids = append(ids, org.ID)
			}
			assert.Equal(t, wantIDs(1, 30), ids)
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], ErrNotFound)
			assert.Contains(t, errs[0].Error(), "page 4 failed")
		})
	}
}

func TestAllStopsWhenNextDoesNotAdvance(t *testing.T) {
	ls := newListServer(t, 0)
	// No count, a next link that never changes, and a server that ignores
	// the page number: a naive walk would never end.
	ls.mux.HandleFunc("/v1/organizations/loop", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"data":[{"id":"org_1","type":"organization","attributes":{}}],"links":{"next":"http://api.example/v1/organizations?page=2"}}`))
	})
	seq := walkPath(context.Background(), ls.client, "/v1/organizations/loop")
	ids, err := collect(t, seq)
	require.ErrorIs(t, err, errRepeatedPage)
	assert.Contains(t, err.Error(), "page 2 holds the items of page 1")
	assert.Equal(t, []string{"org_1"}, ids, "the repeated page is not yielded")
}

func TestAllEmptyPageAfterNextLinkIsAnError(t *testing.T) {
	ls := newListServer(t, 30)
	// The server keeps saying there is a next page; meta.count says 3 pages.
	// The walk follows the next link past the count, and the empty page 4
	// contradicts it: an error, not a quiet end.
	ls.links = func(page, last int) string {
		return fmt.Sprintf(`"http://api.example/v1/organizations?page=%d"`, page+1)
	}
	for _, n := range []int{1, 4} {
		c, err := NewClient(WithBaseURL(ls.URL+basePath), WithToken(testToken), WithPageConcurrency(n))
		require.NoError(t, err)
		ls.mu.Lock()
		ls.pages = nil
		ls.mu.Unlock()
		ids, err := collect(t, c.Organizations.All(context.Background(), nil))
		require.ErrorIs(t, err, errEmptyPage)
		assert.Contains(t, err.Error(), "page 4 is empty after page 3")
		assert.Equal(t, wantIDs(1, 30), ids)
		assert.ElementsMatch(t, []int{1, 2, 3, 4}, ls.requested())
	}
}

func TestAllInvalidOptions(t *testing.T) {
	ls := newListServer(t, 10)
	_, err := collect(t, ls.client.Organizations.All(context.Background(), &ListOptions{PerPage: MaxPerPage + 1}))
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Contains(t, err.Error(), "PerPage")
	_, err = collect(t, ls.client.Organizations.All(context.Background(), &ListOptions{Page: -1}))
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Contains(t, err.Error(), "Page")
	assert.Zero(t, ls.requests.Load())
}

func TestAllCancelledDuringPrefetch(t *testing.T) {
	ls := newListServer(t, 1000, WithPageConcurrency(8))
	ls.hold = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := collect(t, ls.client.Organizations.All(ctx, nil))
		done <- err
	}()
	ls.hold <- struct{}{} // the first page
	for ls.inFlight.Load() < 8 {
		runtime.Gosched()
	}
	cancel()
	err := <-done
	require.ErrorIs(t, err, context.Canceled)
}

func TestLastPage(t *testing.T) {
	p := &Page[int]{Count: 95}
	assert.Equal(t, 10, lastPage(p, 10))
	assert.Equal(t, 1, lastPage(p, 100))
	p = &Page[int]{Links: Links{Last: "https://x/v1/a?perPage=5&page=7"}}
	assert.Equal(t, 7, lastPage(p, 5))
	p = &Page[int]{Links: Links{Last: "::bad"}}
	assert.Equal(t, 0, lastPage(p, 5))
}

// engines are the two ways a walk fetches pages: one by one, and eight at
// once.
var engines = []int{1, 8}

func TestAllFollowsTheServersPageSize(t *testing.T) {
	for _, n := range engines {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			// The client asks for 100 a page; the server serves 50.
			ls := newListServer(t, 1000, WithPageConcurrency(n))
			ls.cap = 50
			ids, err := collect(t, ls.client.Organizations.All(context.Background(), &ListOptions{PerPage: 100}))
			require.NoError(t, err)
			assert.Equal(t, wantIDs(1, 1000), ids)
			assert.ElementsMatch(t, pagesFrom(1, 20), ls.requested(), "every page once, none past the last")
			t.Logf("FIGURE page-cap concurrency=%d asked=100 served=50 items=%d pages=%d", n, len(ids), len(ls.requested()))
		})
	}
}

func TestAllEmptyMiddlePageIsAnError(t *testing.T) {
	for _, n := range engines {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			ls := newListServer(t, 100, WithPageConcurrency(n))
			ls.empty = map[int]bool{3: true}
			ids, err := collect(t, ls.client.Organizations.All(context.Background(), nil))
			require.ErrorIs(t, err, errEmptyPage)
			assert.Contains(t, err.Error(), "page 3 is empty after page 2 (meta.count 100, next link true)")
			assert.Equal(t, wantIDs(1, 20), ids, "the pages before it, then the error")
			t.Logf("FIGURE empty-middle-page concurrency=%d items=%d error=%q", n, len(ids), err)
		})
	}
}

func TestAllUnderReportedCountDoesNotCutTheWalkShort(t *testing.T) {
	for _, n := range engines {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			ls := newListServer(t, 100, WithPageConcurrency(n))
			ls.count = func(total int) int { return total / 2 }
			ids, err := collect(t, ls.client.Organizations.All(context.Background(), nil))
			require.NoError(t, err)
			assert.Equal(t, wantIDs(1, 100), ids)
			assert.ElementsMatch(t, pagesFrom(1, 10), ls.requested())
			t.Logf("FIGURE under-reported-count concurrency=%d count=50 items=%d", n, len(ids))
		})
	}
}

func TestAllServerIgnoringPageIsAnError(t *testing.T) {
	for _, n := range engines {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			ls := newListServer(t, 100, WithPageConcurrency(n))
			ls.ignorePage = true
			ids, err := collect(t, ls.client.Organizations.All(context.Background(), nil))
			require.ErrorIs(t, err, errRepeatedPage)
			assert.Contains(t, err.Error(), "page 2 holds the items of page 1")
			assert.Equal(t, wantIDs(1, 10), ids, "page 1 once, never its repeats")
			t.Logf("FIGURE ignores-page concurrency=%d items=%d requests=%d", n, len(ids), len(ls.requested()))
		})
	}
}

func TestAllCorrectsCourseWhenTheListGrows(t *testing.T) {
	for _, n := range engines {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			// Meta.count says 10 pages at first; when page 4 is asked for,
			// the list grows to 15 pages' worth, and page 4 says so. The
			// walk goes on to the new end, in order, without losing or
			// doubling an item.
			ls := newListServer(t, 100, WithPageConcurrency(n))
			var once sync.Once
			ls.inspect = func(r *http.Request) {
				if r.URL.Query().Get("page") == "4" {
					once.Do(func() { ls.setTotal(150) })
				}
			}
			ids, err := collect(t, ls.client.Organizations.All(context.Background(), nil))
			require.NoError(t, err)
			assert.Equal(t, wantIDs(1, 150), ids)
			// Eight at once, page 10 may be answered before the list grew,
			// saying it is the last: it is asked once more, as page 4 said
			// the list holds more.
			pages := ls.requested()
			assert.Equal(t, pagesFrom(1, 15), distinctPages(pages))
			assert.LessOrEqual(t, len(pages), 16)
			t.Logf("FIGURE list-grows concurrency=%d items=%d requests=%d", n, len(ids), len(pages))
		})
	}
}

func TestAllCorrectsCourseWhenTheListShrinksAtTheEnd(t *testing.T) {
	for _, n := range engines {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			// Meta.count says 10 pages at first; once page 2 is answered
			// the list ends at page 6. Pages fetched past the new end are
			// dropped, never yielded.
			ls := newListServer(t, 100, WithPageConcurrency(n))
			var once sync.Once
			ls.served = func(page int) {
				if page == 2 {
					once.Do(func() { ls.setTotal(60) })
				}
			}
			ids, err := collect(t, ls.client.Organizations.All(context.Background(), nil))
			if err != nil {
				// A page prefetched before the change may still say more
				// follow; then the empty page after it is refused.
				require.ErrorIs(t, err, errEmptyPage)
			}
			assert.Equal(t, wantIDs(1, len(ids)), ids, "in order, nothing doubled")
			assert.GreaterOrEqual(t, len(ids), 60)
		})
	}
}

func TestAllStopsAtTheContextsError(t *testing.T) {
	for _, n := range engines {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			ls := newListServer(t, 1000, WithPageConcurrency(n))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var items int
			var errs []error
			for _, err := range ls.client.Organizations.All(ctx, &ListOptions{PerPage: 100}) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				items++
				if items == 1 {
					cancel()
				}
			}
			assert.Equal(t, 1, items, "nothing yielded once ctx is done")
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], context.Canceled)
			t.Logf("FIGURE ctx-stop concurrency=%d items-after-cancel=%d", n, items-1)
		})
	}
}

// distinctPages returns the page numbers of pages, each once, in order.
func distinctPages(pages []int) []int {
	seen := map[int]bool{}
	var out []int
	for _, p := range pages {
		seen[p] = true
	}
	for p := range len(pages) + 1 {
		if seen[p] {
			out = append(out, p)
		}
	}
	return out
}
