package rcevents

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"sync"
)

// MaxPerPage is the largest page size a list request may ask for. The API
// may serve fewer items a page than asked; walks follow what it serves.
const MaxPerPage = 100

// ListOptions selects a page of a list. Zero fields take the API's defaults:
// page 1 and the API's page size.
type ListOptions struct {
	Page    int `url:"page,omitempty"`    // 1-based
	PerPage int `url:"perPage,omitempty"` // at most MaxPerPage
}

// validate checks o, which may be nil.
func (o *ListOptions) validate() error {
	if o == nil {
		return nil
	}
	if o.Page < 0 {
		return invalidArg("ListOptions.Page", "must not be negative, got %d", o.Page)
	}
	if o.PerPage < 0 || o.PerPage > MaxPerPage {
		return invalidArg("ListOptions.PerPage", "must be between 1 and %d (0 for the API's default), got %d", MaxPerPage, o.PerPage)
	}
	return nil
}

func (o *ListOptions) listOptions() *ListOptions { return o }

// number is the page o asks for.
func (o *ListOptions) number() int {
	if o == nil || o.Page < 1 {
		return 1
	}
	return o.Page
}

// size is the page size o asks for, 0 for the API's default.
func (o *ListOptions) size() int {
	if o == nil {
		return 0
	}
	return o.PerPage
}

// Page is one page of a list.
type Page[T any] struct {
	Items  []T
	Count  int // meta.count: the number of items over all pages
	Number int // this page's number, 1-based
	Links  Links
}

// HasNext reports whether the API says a page follows this one.
func (p *Page[T]) HasNext() bool {
	return p != nil && p.Links.Next != ""
}

// Links are a list page's links to other pages. A link the API sent as null,
// or did not send, is "".
type Links struct {
	First string `json:"first"`
	Self  string `json:"self"`
	Last  string `json:"last"`
	Prev  string `json:"prev"`
	Next  string `json:"next"`
}

// lister gets one page of a list with the options o, a copy the walk owns.
type lister[O any, T any] func(ctx context.Context, o *O, opts ...CallOption) (*Page[T], error)

// pageOptions is a pointer to an options type that selects a page.
type pageOptions[O any] interface {
	*O
	pager
}

// all is the iterator behind every All method: it walks the pages of a
// list from opts's page on, with opts's filters, and yields their items in
// API order. The caller's opts is never changed. See walker for how the
// walk ends and what it refuses to take for an end.
func all[O any, PO pageOptions[O], T any, PT model[T]](ctx context.Context, c *Client, opts PO, list lister[O, T], callOpts []CallOption) iter.Seq2[T, error] {
	var base O
	if opts != nil {
		base = *opts
	}
	fetch := func(ctx context.Context, n int, resp *Response) (*Page[T], error) {
		o := base
		PO(&o).listOptions().Page = n
		return list(ctx, &o, append(callOpts[:len(callOpts):len(callOpts)], WithResponse(resp))...)
	}
	return func(yield func(T, error) bool) {
		var zero T
		err := checkContext(ctx) // before the walk derives a context of its own from it
		var cs callSettings
		if err == nil {
			cs, err = newCallSettings(callOpts)
		}
		if err == nil {
			err = PO(&base).listOptions().validate()
		}
		if err != nil {
			yield(zero, err)
			return
		}
		lo := PO(&base).listOptions()
		w := &walker[T, PT]{ctx: ctx, fetch: fetch, start: lo.number(), perPage: lo.PerPage, concurrency: c.pageConcurrency}
		items := 0
		w.run(func(p *Page[T], resp *Response, err error) bool {
			if cs.response != nil && resp != nil {
				*cs.response = *resp
			}
			if err != nil {
				yield(zero, err)
				return false
			}
			for i := range p.Items {
				if err := ctx.Err(); err != nil {
					yield(zero, err) // once ctx is done, the loop sees nothing else
					return false
				}
				if !yield(p.Items[i], nil) {
					return false
				}
			}
			items += len(p.Items)
			if cs.progress != nil {
				cs.progress(items, p.Count)
			}
			return true
		})
	}
}

// walker walks the pages of a list by number, one by one or with up to
// concurrency requests in flight, and hands them over in order.
//
// The walk ends only when the server says the list has: at a page without
// a next link, once the items so far reach meta.count (or no count was
// sent). A later page that comes back empty is an error, not an end; so is
// a page whose items repeat the previous page's (a server that ignores the
// page parameter), and a page that fails. The page size and the number of
// pages come from what the server serves, not from what was asked: pages
// are prefetched up to the last one meta.count points to, and the walk
// goes on past it, and fetches more, while the pages keep saying more
// follow.
type walker[T any, PT model[T]] struct {
	ctx         context.Context
	fetch       func(ctx context.Context, n int, resp *Response) (*Page[T], error)
	start       int // the first page's number
	perPage     int // the page size asked for, 0 for the API's default
	concurrency int
}

// pageResult is a fetched page, or why it could not be.
type pageResult[T any] struct {
	page *Page[T]
	resp *Response
	err  error
}

// run hands each page to take, in order, until the walk ends or take
// returns false. A failed walk hands over its error as a last call, with a
// nil page. No fetch outlives run.
func (w *walker[T, PT]) run(take func(p *Page[T], resp *Response, err error) bool) {
	ctx, cancel := context.WithCancel(w.ctx)
	var pf *prefetcher[T]
	defer func() {
		cancel()
		pf.wait()
	}()
	get := func(n int) pageResult[T] {
		if pf != nil {
			return pf.take(n)
		}
		resp := new(Response)
		p, err := w.fetch(ctx, n, resp)
		return pageResult[T]{p, resp, err}
	}

	var prev *Page[T]
	size, seen, most := 0, 0, 0 // the server's page size; items up to the latest page's end; the largest count
	for n := w.start; ; n++ {
		r := get(n)
		if r.err == nil {
			r.err = w.check(r.page, prev)
		}
		if r.err != nil {
			take(nil, r.resp, r.err)
			return
		}
		p := r.page
		if prev == nil {
			// A short first page is the list's last: the size asked for, if
			// any, places it better than its own length.
			size = max(len(p.Items), w.perPage)
			seen = (n - 1) * size
		}
		seen += len(p.Items)
		most = max(most, p.Count)
		ahead := func() { // pages after p are fetched while the caller works through it
			if w.concurrency > 1 && size > 0 {
				if pf == nil {
					pf = newPrefetcher(ctx, w.fetch, n+1, w.concurrency)
				}
				pf.setLimit(max(lastPage(p, size), n+1))
			}
		}
		ends := !more(p, seen)
		if !ends {
			ahead()
		}
		if !take(p, r.resp, nil) {
			return
		}
		if ends {
			if most <= seen || pf == nil {
				return
			}
			// An earlier page counted more items than the list has reached:
			// fetched ahead, this page may have been answered before the
			// list grew. Ask again before ending. (Fetched one by one, the
			// latest page is the latest word.)
			resp := new(Response)
			fresh, err := w.fetch(ctx, n, resp)
			if err != nil {
				take(nil, resp, err)
				return
			}
			if !more(fresh, seen) {
				return
			}
			p.Links, p.Count = fresh.Links, fresh.Count
			ahead()
		}
		prev = p
	}
}

// Errors of a walk whose pages contradict each other.
var (
	errEmptyPage    = errors.New("rcevents: a page of the list is empty, but the list says more items follow")
	errRepeatedPage = errors.New("rcevents: a page of the list repeats the previous page: the server ignores the page parameter")
)

// check refuses a page that cannot be the next one after prev (nil for the
// walk's first page): an empty page after a page that said more follow, or
// a page holding the same items as prev.
func (w *walker[T, PT]) check(p, prev *Page[T]) error {
	switch {
	case len(p.Items) == 0 && prev != nil:
		return fmt.Errorf("%w: page %d is empty after page %d (meta.count %d, next link %t); the list changed during the walk, or the server miscounts", errEmptyPage, p.Number, prev.Number, prev.Count, prev.HasNext())
	case len(p.Items) == 0 && p.HasNext():
		return fmt.Errorf("%w: page %d is empty but links to a next page", errEmptyPage, p.Number)
	case prev != nil && sameItems[T, PT](p.Items, prev.Items):
		return fmt.Errorf("%w: page %d holds the items of page %d", errRepeatedPage, p.Number, prev.Number)
	}
	return nil
}

// more reports whether items follow page p, seen being the items of the
// list up to p's end: the page links to a next one, or, from a server that
// sends no links at all, meta.count says so.
func more[T any](p *Page[T], seen int) bool {
	return len(p.Items) > 0 && (p.HasNext() || p.Links == Links{} && p.Count > seen)
}

// sameItems reports whether a and b hold items with the same IDs, in order.
func sameItems[T any, PT model[T]](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if *PT(&a[i]).resourceID() != *PT(&b[i]).resourceID() {
			return false
		}
	}
	return true
}

// lastPage is the number of the list's last page, from meta.count and the
// server's page size or else from the last link; 0 if neither tells.
func lastPage[T any](p *Page[T], size int) int {
	if p.Count > 0 && size > 0 {
		return (p.Count + size - 1) / size
	}
	if u, err := url.Parse(p.Links.Last); err == nil && p.Links.Last != "" {
		if n, err := strconv.Atoi(u.Query().Get("page")); err == nil && n > 0 {
			return n
		}
	}
	return 0
}

// prefetcher fetches the pages of a walk ahead of it, in a goroutine of its
// own: up to n requests in flight, and up to 2n pages fetched or in flight
// that the walk has not taken yet, so that pages waiting for an earlier one
// hold memory but no request slot. It fetches pages up to a limit the walk
// raises as it learns how many pages there are.
type prefetcher[T any] struct {
	ctx   context.Context
	fetch func(ctx context.Context, n int, resp *Response) (*Page[T], error)
	slots chan struct{} // one per request in flight
	held  chan struct{} // one per page launched and not yet taken
	wake  chan struct{} // the limit was raised
	wg    sync.WaitGroup

	mu      sync.Mutex
	next    int // the next page to launch
	limit   int // the last page to launch
	results map[int]chan pageResult[T]
}

func newPrefetcher[T any](ctx context.Context, fetch func(context.Context, int, *Response) (*Page[T], error), from, n int) *prefetcher[T] {
	pf := &prefetcher[T]{
		ctx:     ctx,
		fetch:   fetch,
		slots:   make(chan struct{}, n),
		held:    make(chan struct{}, 2*n),
		wake:    make(chan struct{}, 1),
		next:    from,
		limit:   from - 1,
		results: map[int]chan pageResult[T]{},
	}
	pf.wg.Add(1)
	go pf.launch()
	return pf
}

// setLimit makes page n the last page to prefetch.
func (pf *prefetcher[T]) setLimit(n int) {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	if n > pf.limit {
		select {
		case pf.wake <- struct{}{}:
		default:
		}
	}
	pf.limit = n
}

// result returns the channel page n's result arrives on.
func (pf *prefetcher[T]) result(n int) chan pageResult[T] {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	ch, ok := pf.results[n]
	if !ok {
		ch = make(chan pageResult[T], 1)
		pf.results[n] = ch
	}
	return ch
}

// launch starts the fetch of each page up to the limit as soon as a slot
// and room to hold it are free, until the walk ends.
func (pf *prefetcher[T]) launch() {
	defer pf.wg.Done()
	for {
		pf.mu.Lock()
		n, ready := pf.next, pf.next <= pf.limit
		if ready {
			pf.next++
		}
		pf.mu.Unlock()
		if !ready {
			select {
			case <-pf.wake:
				continue
			case <-pf.ctx.Done():
				return
			}
		}
		if !acquire(pf.ctx, pf.held) || !acquire(pf.ctx, pf.slots) {
			return
		}
		ch := pf.result(n)
		pf.wg.Add(1)
		go func() {
			defer pf.wg.Done()
			resp := new(Response)
			p, err := pf.fetch(pf.ctx, n, resp)
			<-pf.slots
			ch <- pageResult[T]{p, resp, err}
		}()
	}
}

// acquire puts a token into ch, unless ctx ends first.
func acquire(ctx context.Context, ch chan struct{}) bool {
	select {
	case ch <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// take waits for page n, which the limit must cover, and frees its room.
func (pf *prefetcher[T]) take(n int) pageResult[T] {
	select {
	case r := <-pf.result(n):
		pf.mu.Lock()
		delete(pf.results, n)
		pf.mu.Unlock()
		<-pf.held
		return r
	case <-pf.ctx.Done():
		return pageResult[T]{err: pf.ctx.Err()}
	}
}

// wait waits for every goroutine of pf, once the walk's context is done.
func (pf *prefetcher[T]) wait() {
	if pf != nil {
		pf.wg.Wait()
	}
}
