package rcevents

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"
	"time"
	"unicode"
)

// EnsureResult is what EnsureAll did for one request.
type EnsureResult[T any] struct {
	// Item is the item found or created; nil when Err is set.
	Item *T
	// Created reports whether this request created Item. It is false for an
	// item that was there already, and for a request whose email an earlier
	// request of the batch had: that one stands for both.
	Created bool
	// Err says why the request failed. errors.Is(Err, ErrOutcomeUnknown)
	// reports whether it may have created an item all the same: a later
	// Ensure or EnsureAll finds it, and creates nothing twice.
	Err error
}

// Ensure returns the ticket's magic link for req.Email, creating it with
// req when the ticket has none; created reports whether this call created
// it. Emails are compared ignoring case (Ann@X.org and ann@x.org are one
// person); a link that exists is returned as it is. Links of the
// confirm-and-join flow, which the API does not list, are not looked at.
//
// The client keeps an index of each ticket's links, a copy of every link,
// for its life: the first Ensure or EnsureAll on a ticket walks the links
// (Sync from the start: a request per MaxPerPage links), and every call
// reads what changed (Sync: one request, unless more than MaxPerPage links
// were written in the last seconds), then creates the link if the index has
// none. A new person costs two requests, one with a link one.
//
// A link the client made is not made again through it, even while the API
// does not list it yet; its calls for one person take turns. After a lost
// answer (ErrOutcomeUnknown) it creates again only once a read of the list
// 2 s later (the time Sync gives the API to list a write) shows nothing was
// stored, up to MaxAttempts creates; if it cannot tell, the error wraps
// ErrOutcomeUnknown. Another program creating the person at the same time
// is not held back; a link deleted other than by this client's Delete
// stays in the index.
//
// WithResponse holds the answer to the call's last request. Once req is
// valid, the errors never hold its email or names, even where the API's
// answer repeats them.
//
// API: GET and POST /v1/tickets/{ticketId}/magicLinks
func (s *MagicLinksService) Ensure(ctx context.Context, ticketID string, req *MagicLinkCreateRequest, callOpts ...CallOption) (link *MagicLink, created bool, err error) {
	x, err := indexOf(ctx, s.client, "ticketID", ticketID, "magic link", s.Sync, s.Create)
	if err != nil {
		return nil, false, err
	}
	return x.ensure(ctx, req, callOpts)
}

// EnsureAll ensures each request's magic link as Ensure does, and yields
// each request's index in reqs and its result, in the order of reqs. It
// reads the ticket's links once, as Ensure does, then creates the missing
// ones, up to the client's page concurrency (WithPageConcurrency) at a
// time: a batch costs the read plus a request per link created. Requests
// for one email, in any case, make one link: the first stands for the
// others, yielded with its link (or error) and Created false. A nil or
// invalid request fails alone (ErrInvalidArgument); a failed read fails
// the others and creates nothing. Links made elsewhere after the read are
// not seen. Requests take callOpts, but WithResponse, ignored: they run at
// once. Breaking out of the loop starts no more creates, and ends it once
// those in flight are done; cancelling ctx stops them too, and their
// outcome is unknown.
//
// API: GET and POST /v1/tickets/{ticketId}/magicLinks
func (s *MagicLinksService) EnsureAll(ctx context.Context, ticketID string, reqs []*MagicLinkCreateRequest, callOpts ...CallOption) iter.Seq2[int, EnsureResult[MagicLink]] {
	x, err := indexOf(ctx, s.client, "ticketID", ticketID, "magic link", s.Sync, s.Create)
	return x.ensureAll(ctx, reqs, callOpts, err)
}

// Ensure returns the event's registration for req.Email, creating it with
// req when the event has none; created reports whether this call created
// it. A registration on any ticket of the event, refunded or not, counts.
// Ensure costs and promises what MagicLinksService.Ensure does, with an
// index of the event's registrations. To ensure many, use EnsureAll.
//
// API: GET and POST /v1/events/{eventId}/registrations
func (s *RegistrationsService) Ensure(ctx context.Context, eventID string, req *RegistrationCreateRequest, callOpts ...CallOption) (reg *Registration, created bool, err error) {
	x, err := indexOf(ctx, s.client, "eventID", eventID, "registration", s.Sync, s.Create)
	if err != nil {
		return nil, false, err
	}
	return x.ensure(ctx, req, callOpts)
}

// EnsureAll ensures each request's registration as Ensure does, and yields
// each request's index in reqs and its result, in the order of reqs, at
// the costs and within the limits of MagicLinksService.EnsureAll.
//
// API: GET and POST /v1/events/{eventId}/registrations
func (s *RegistrationsService) EnsureAll(ctx context.Context, eventID string, reqs []*RegistrationCreateRequest, callOpts ...CallOption) iter.Seq2[int, EnsureResult[Registration]] {
	x, err := indexOf(ctx, s.client, "eventID", eventID, "registration", s.Sync, s.Create)
	return x.ensureAll(ctx, reqs, callOpts, err)
}

// personItem is a pointer to a model with an email.
type personItem[T any] interface {
	model[T]
	personEmail() string
}

// personRequest is a pointer to a request that creates a person's item.
type personRequest[R any] interface {
	*R
	validate() error
	person() []string // the email, then the names: personal data
}

func (m *MagicLink) personEmail() string    { return m.Email }
func (r *Registration) personEmail() string { return r.Email }

func (r *MagicLinkCreateRequest) person() []string {
	return []string{r.Email, r.FirstName, r.LastName}
}

func (r *RegistrationCreateRequest) person() []string {
	return []string{r.Email, r.FirstName, r.LastName}
}

// settleAfter is how long after a lost answer the list is read to learn what
// the create stored: the time Sync gives the API to list a write.
const settleAfter = syncMargin

// people is a client's indexes of the lists Ensure worked on, kept for its life.
type people struct {
	lists  sync.Map      // by list name: a *personIndex of the list's types
	settle time.Duration // settleAfter, unless a test shortens it
}

// indexOf returns the client's index of the list of what items of the
// parent id (named field in errors), made from its Sync and Create.
func indexOf[T any, PT personItem[T], R any, PR personRequest[R]](ctx context.Context, c *Client, field, id, what string,
	syncList func(context.Context, string, *SyncCursor, ...CallOption) iter.Seq2[T, error],
	create func(context.Context, string, PR, ...CallOption) (*T, error),
) (*personIndex[T, PT, R, PR], error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	if _, err := pathID(field, id); err != nil {
		return nil, err
	}
	x, ok := c.people.lists.Load(what + "s of " + id)
	if !ok {
		x, _ = c.people.lists.LoadOrStore(what+"s of "+id, &personIndex[T, PT, R, PR]{what: what, id: id, sync: syncList, create: create,
			c: c, settle: cmp.Or(c.people.settle, settleAfter), reading: make(chan struct{}, 1), entries: map[string]*entry[T]{}})
	}
	return x.(*personIndex[T, PT, R, PR]), nil
}

// forget drops the item with this ID, which was deleted, from every index.
func (p *people) forget(id string) {
	p.lists.Range(func(_, x any) bool {
		x.(interface{ forget(string) }).forget(id)
		return true
	})
}

// personIndex is a client's index of one list: an entry per email, by foldKey.
type personIndex[T any, PT personItem[T], R any, PR personRequest[R]] struct {
	what   string // the kind of item, for errors
	id     string // of the list's parent
	sync   func(ctx context.Context, id string, cur *SyncCursor, opts ...CallOption) iter.Seq2[T, error]
	create func(ctx context.Context, id string, req PR, opts ...CallOption) (*T, error)
	c      *Client
	settle time.Duration

	reading chan struct{} // holds a token while a read runs: a cursor serves one run at a time
	cur     SyncCursor    // guarded by reading
	readAt  time.Time     // when the last complete read began; guarded by reading

	mu      sync.Mutex
	entries map[string]*entry[T]
}

// entry is what an index knows of one person.
type entry[T any] struct {
	item *T            // their item, once found or created; replaced, never changed
	busy chan struct{} // closed when the call that holds the person lets go; nil when none does
	lost time.Time     // when a create's answer was lost, until a read shows whether it stored the item
}

// ensure is Ensure: see MagicLinksService.Ensure.
func (x *personIndex[T, PT, R, PR]) ensure(ctx context.Context, req PR, opts []CallOption) (*T, bool, error) {
	start := time.Now()
	req, err := validated(req)
	if err != nil {
		return nil, false, err
	}
	if _, err := newCallSettings(opts); err != nil {
		return nil, false, err
	}
	opts = append(opts[:len(opts):len(opts)], withPersonal(req.person()...))
	if err := x.read(ctx, start, opts); err != nil {
		return nil, false, x.errorf("listing the existing ones: %w", err)
	}
	return x.one(ctx, req, opts)
}

func (x *personIndex[T, PT, R, PR]) errorf(format string, args ...any) error {
	return fmt.Errorf("rcevents: ensuring a %s: "+format, append([]any{x.what}, args...)...)
}

// read brings the index up to date with a read of the list begun at or
// after since, unless another call made one; the first read walks it.
func (x *personIndex[T, PT, R, PR]) read(ctx context.Context, since time.Time, opts []CallOption) error {
	if !acquire(ctx, x.reading) {
		return ctx.Err()
	}
	defer func() { <-x.reading }()
	if !x.readAt.Before(since) {
		return nil
	}
	start := time.Now()
	for item, err := range x.sync(ctx, x.id, &x.cur, opts...) {
		if err != nil {
			return err
		}
		x.locked(func() { x.learn(&item) })
	}
	x.readAt = start
	return nil
}

// one ensures the person of req, once the index has been read since the
// call began: their item from the index, or one it creates.
func (x *personIndex[T, PT, R, PR]) one(ctx context.Context, req PR, opts []CallOption) (*T, bool, error) {
	cs, _ := newCallSettings(opts)                         // checked by the caller
	maxCreates := cmp.Or(cs.retry, &x.c.retry).MaxAttempts // as many creates as attempts of a request
	key := foldKey(req.person()[0])
	item, err := x.hold(ctx, key)
	if err != nil {
		return nil, false, x.errorf("waiting for another call of this client for the same person: %w", err)
	}
	if item != nil {
		return item, false, nil
	}
	defer x.release(key)
	var lostErr error // of this call's last create, when its answer was lost
	for creates := 0; ; creates++ {
		item, err := x.settled(ctx, key, opts)
		switch {
		case err != nil && lostErr != nil:
			return nil, false, x.errorf("creating it: %w; then could not tell whether it was stored: %w", lostErr, err)
		case err != nil:
			return nil, false, &outcomeError{x.errorf("could not tell whether an earlier create, whose answer was lost, stored it: %w", err)}
		case item != nil:
			return item, lostErr != nil, nil
		case creates == maxCreates:
			// Nothing was stored: the error leaves out ErrOutcomeUnknown.
			var oe *outcomeError
			if errors.As(lostErr, &oe) {
				lostErr = oe.err
			}
			return nil, false, x.errorf("created it %d times, and each time the answer was lost and nothing was stored; the last: %w", creates, lostErr)
		}
		item, err = x.create(ctx, x.id, req, opts...)
		switch {
		case err == nil:
			x.locked(func() { x.learn(item) })
			return item, true, nil
		case !errors.Is(err, ErrOutcomeUnknown):
			return nil, false, x.errorf("creating it: %w", err)
		}
		lostErr = err
		x.locked(func() { x.entries[key].lost = time.Now() })
	}
}

// settled returns the person's item if a create whose answer was lost
// stored it, as a read x.settle after the loss shows; nil, and the person
// no longer marked lost, if it stored nothing or no create was lost.
func (x *personIndex[T, PT, R, PR]) settled(ctx context.Context, key string, opts []CallOption) (*T, error) {
	var lost time.Time
	x.locked(func() { lost = x.entries[key].lost })
	if lost.IsZero() {
		return nil, nil
	}
	at := lost.Add(x.settle)
	if err := sleep(ctx, time.Until(at)); err != nil {
		return nil, err
	}
	if err := x.read(ctx, at, opts); err != nil {
		return nil, err
	}
	var item *T
	x.locked(func() { item, x.entries[key].lost = x.entries[key].item, time.Time{} })
	return copyOf(item), nil
}

// hold returns the person's item if the index has it. Otherwise, once no
// other call holds the person, this call holds them until it releases them.
func (x *personIndex[T, PT, R, PR]) hold(ctx context.Context, key string) (*T, error) {
	for {
		x.mu.Lock() // not deferred: the wait is outside it
		e := x.entries[key]
		if e == nil {
			e = &entry[T]{}
			x.entries[key] = e
		}
		item, busy := e.item, e.busy
		if item == nil && busy == nil {
			e.busy = make(chan struct{})
		}
		x.mu.Unlock()
		if item != nil || busy == nil {
			return copyOf(item), nil
		}
		select {
		case <-busy:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// release lets go of the person, held by this call.
func (x *personIndex[T, PT, R, PR]) release(key string) {
	x.locked(func() {
		close(x.entries[key].busy)
		x.entries[key].busy = nil
		x.tidy(key)
	})
}

// forget drops the item with this ID, which was deleted.
func (x *personIndex[T, PT, R, PR]) forget(id string) {
	x.locked(func() {
		for key, e := range x.entries {
			if e.item != nil && *PT(e.item).resourceID() == id {
				e.item = nil
				x.tidy(key)
			}
		}
	})
}

// tidy drops the person's entry if it holds nothing. The caller holds x.mu.
func (x *personIndex[T, PT, R, PR]) tidy(key string) {
	if e := x.entries[key]; e.item == nil && e.busy == nil && e.lost.IsZero() {
		delete(x.entries, key)
	}
}

// learn records item as its person's, unless the index has another item
// for them: the first one found stays theirs. The caller holds x.mu.
func (x *personIndex[T, PT, R, PR]) learn(item *T) {
	key := foldKey(PT(item).personEmail())
	e := x.entries[key]
	switch {
	case e == nil:
		x.entries[key] = &entry[T]{item: copyOf(item)}
	case e.item == nil || *PT(e.item).resourceID() == *PT(item).resourceID():
		e.item, e.lost = copyOf(item), time.Time{}
	}
}

// locked runs f holding x.mu, which guards the entries.
func (x *personIndex[T, PT, R, PR]) locked(f func()) {
	x.mu.Lock()
	defer x.mu.Unlock()
	f()
}

// copyOf returns a copy of *v, or nil, for a caller that may change it.
func copyOf[T any](v *T) *T {
	if v == nil {
		return nil
	}
	c := *v
	return &c
}

// ensureAll is EnsureAll (see MagicLinksService.EnsureAll); err, the
// index's, is every request's result.
func (x *personIndex[T, PT, R, PR]) ensureAll(ctx context.Context, reqs []PR, opts []CallOption, err error) iter.Seq2[int, EnsureResult[T]] {
	return func(yield func(int, EnsureResult[T]) bool) {
		start := time.Now()
		if err == nil {
			_, err = newCallSettings(opts)
		}
		if err != nil {
			for i := range reqs {
				if !yield(i, EnsureResult[T]{Err: err}) {
					break
				}
			}
			return
		}
		// first[i] is the first request with the email of request i, -1 for
		// one that is invalid; done[j] is closed once results[j] is set.
		n := len(reqs)
		valid, first, results, done := make([]PR, n), make([]int, n), make([]EnsureResult[T], n), make([]chan struct{}, n)
		var personal []string
		seen := map[string]int{}
		for i := range reqs {
			valid[i], results[i].Err = validated(reqs[i])
			key := foldKey(valid[i].person()[0])
			j, dup := seen[key]
			switch {
			case results[i].Err != nil:
				first[i] = -1
			case dup:
				first[i] = j
			default:
				seen[key], first[i], done[i] = i, i, make(chan struct{})
				personal = append(personal, valid[i].person()...)
			}
		}
		opts = append(opts[:len(opts):len(opts)], WithResponse(nil)) // requests run at once: none is "the last"
		readOpts := append(opts[:len(opts):len(opts)], withPersonal(personal...))
		// Breaking out of the loop ends the read and starts no more creates;
		// those in flight finish, lest one be stored after the next look.
		bctx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		defer wg.Wait()
		defer stop()
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if len(seen) > 0 {
				err = x.read(bctx, start, readOpts)
			}
			slots := make(chan struct{}, x.c.pageConcurrency)
			for i, j := range first {
				if i != j {
					continue
				}
				if err == nil {
					acquire(bctx, slots) // bctx's end is seen below
				}
				switch {
				case err != nil:
					results[i].Err = fmt.Errorf("rcevents: ensuring %ss: listing the existing ones: %w", x.what, err)
				case bctx.Err() != nil: // ctx's error, or stopped: no caller sees that
					results[i].Err = bctx.Err()
				default:
					wg.Add(1)
					go func() {
						defer wg.Done()
						results[i].Item, results[i].Created, results[i].Err = x.one(ctx, valid[i], append(opts[:len(opts):len(opts)], withPersonal(valid[i].person()...)))
						close(done[i])
						<-slots
					}()
					continue
				}
				close(done[i])
			}
		}()
		for i, j := range first {
			k := i // an invalid request's own result
			if j >= 0 {
				<-done[j]
				k = j
			}
			res := results[k]
			if j != i {
				res.Item, res.Created = copyOf(res.Item), false // the caller may change one without the other
			}
			if !yield(i, res) {
				return
			}
		}
	}
}

// foldKey is the same for two strings exactly when strings.EqualFold says
// they are equal: each rune becomes the least of its case-folding orbit.
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}
