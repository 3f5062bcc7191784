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

// MaxPerPage is the largest page size a list request may ask for.
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
		return invalidArg("Page", "must not be negative, got %d", o.Page)
	}
	if o.PerPage < 0 || o.PerPage > MaxPerPage {
		return invalidArg("PerPage", "must be between 1 and %d (0 for the API's default), got %d", MaxPerPage, o.PerPage)
	}
	return nil
}

// number is the page o asks for.
func (o *ListOptions) number() int {
	if o == nil || o.Page < 1 {
		return 1
	}
	return o.Page
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
	First, Self, Last, Prev, Next string
}

// pageFetcher fetches the page that lo selects.
type pageFetcher[T any] func(ctx context.Context, lo *ListOptions) (*Page[T], error)

// all is the iterator behind every All method. It walks the pages from
// lo.Page on and yields their items in API order. With a page concurrency
// above 1 it fetches up to that many pages at once as soon as the number of
// pages is known, holding at most that many pages besides the one being
// yielded. A failed page is yielded as an error once and ends the walk; so
// does breaking out of the loop, after which no page is requested and no
// goroutine is left running.
func all[T any](ctx context.Context, c *Client, lo *ListOptions, fetch pageFetcher[T]) iter.Seq2[T, error] {
	base := ListOptions{}
	if lo != nil {
		base = *lo
	}
	w := &walker[T]{ctx: ctx, base: base, fetch: fetch, concurrency: c.pageConcurrency}
	return w.run
}

// filtered is a pointer to an options type that embeds ListOptions beside
// its filters.
type filtered[O any] interface {
	*O
	listOptions() *ListOptions
}

// allFiltered is all for an options type with filters: every page keeps the
// caller's filters, and the caller's value is never changed.
func allFiltered[O any, PO filtered[O], T any](ctx context.Context, c *Client, opts *O, list func(context.Context, *O) (*Page[T], error)) iter.Seq2[T, error] {
	var base O
	if opts != nil {
		base = *opts
	}
	return all(ctx, c, PO(&base).listOptions(), func(ctx context.Context, lo *ListOptions) (*Page[T], error) {
		o := base
		*PO(&o).listOptions() = *lo
		return list(ctx, &o)
	})
}

type walker[T any] struct {
	ctx         context.Context
	base        ListOptions
	fetch       pageFetcher[T]
	concurrency int
}

// get fetches page n.
func (w *walker[T]) get(ctx context.Context, n int) (*Page[T], error) {
	lo := w.base
	lo.Page = n
	return w.fetch(ctx, &lo)
}

// errNoProgress ends a walk whose pages keep linking to the same next page.
var errNoProgress = errors.New("rcevents: pagination does not advance: the next link did not change")

func (w *walker[T]) run(yield func(T, error) bool) {
	var zero T
	if err := w.base.validate(); err != nil {
		yield(zero, err)
		return
	}
	first, err := w.get(w.ctx, w.base.number())
	if err != nil {
		yield(zero, err)
		return
	}
	if !yieldItems(first, yield) || !first.HasNext() || len(first.Items) == 0 {
		return
	}
	size := w.base.PerPage
	if size == 0 {
		size = len(first.Items)
	}
	last := lastPage(first, size)
	prev := first
	if w.concurrency > 1 && last > first.Number+1 {
		var ok bool
		if prev, ok = w.concurrent(first.Number+1, last, yield); !ok || !prev.HasNext() {
			return
		}
	}
	w.sequential(prev, size, yield)
}

// sequential walks the pages after prev one by one, until a page has no
// next link, is empty, or lies past the last page the latest page knows of.
func (w *walker[T]) sequential(prev *Page[T], size int, yield func(T, error) bool) {
	var zero T
	for n := prev.Number + 1; ; n++ {
		if last := lastPage(prev, size); last > 0 && n > last {
			return
		}
		p, err := w.get(w.ctx, n)
		if err != nil {
			yield(zero, err)
			return
		}
		if len(p.Items) == 0 || !yieldItems(p, yield) || !p.HasNext() {
			return
		}
		if p.Links.Next == prev.Links.Next {
			yield(zero, fmt.Errorf("%w (page %d links to %s)", errNoProgress, n, p.Links.Next))
			return
		}
		prev = p
	}
}

type pageResult[T any] struct {
	page *Page[T]
	err  error
}

// concurrent fetches pages from..to with up to w.concurrency requests in
// flight and yields their items in order. It returns the last page it
// yielded and whether the walk may go on.
func (w *walker[T]) concurrent(from, to int, yield func(T, error) bool) (*Page[T], bool) {
	var zero T
	ctx, cancel := context.WithCancel(w.ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // runs after cancel: no fetch outlives the walk
	defer cancel()

	queue := make([]chan pageResult[T], 0, w.concurrency)
	next := from
	launch := func() {
		ch := make(chan pageResult[T], 1)
		queue = append(queue, ch)
		n := next
		next++
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := w.get(ctx, n)
			ch <- pageResult[T]{p, err}
		}()
	}
	for len(queue) < w.concurrency && next <= to {
		launch()
	}
	var last *Page[T]
	for len(queue) > 0 {
		r := <-queue[0]
		queue = queue[1:]
		if r.err != nil {
			yield(zero, r.err)
			return nil, false
		}
		if next <= to {
			launch() // keep the window full while the caller works
		}
		if len(r.page.Items) == 0 || !yieldItems(r.page, yield) {
			return nil, false
		}
		last = r.page
	}
	return last, true
}

func yieldItems[T any](p *Page[T], yield func(T, error) bool) bool {
	for _, it := range p.Items {
		if !yield(it, nil) {
			return false
		}
	}
	return true
}

// lastPage is the number of the list's last page, from meta.count and the
// page size or else from the last link; 0 if neither tells.
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
