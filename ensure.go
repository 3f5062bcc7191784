package rcevents

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
)

// This file holds the Ensure methods: create a person's magic link or
// registration unless the list already holds one for their email. The API
// has no idempotency keys and stores duplicates, so the safe way to create
// is to look first, and, when the answer to a create is lost, to look again
// rather than create blindly.
//
// Emails are compared as strings.EqualFold does: Ann@X.org and ann@x.org
// are one person. The API reference does not say whether its filter[email]
// ignores case, so the SDK does not count on it: a look-up with the filter
// asks for the email as given and in lower case, and when that finds
// nothing, a walk of the whole list makes sure no other spelling is there.

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
// person); a link that exists is returned as it is, whatever req says of
// its names and other fields. Links that the confirm-and-join flow made,
// which the API leaves out of its lists, are not looked at.
//
// Ensure looks the email up with the API's filter, as given and in lower
// case; if that finds nothing, it walks the ticket's links, one request per
// MaxPerPage links, since the API may match the filter's case exactly, and
// then creates the link. To ensure many people, EnsureAll walks once for
// all of them.
//
// When the answer to the create is lost (ErrOutcomeUnknown), Ensure looks
// again, with pauses that grow from the retry policy's MinBackoff, and
// returns the link if it was stored; it creates again only once three
// look-ups in a row found nothing, and at most the policy's MaxAttempts
// times. If the look-ups fail, the error wraps ErrOutcomeUnknown and says
// what was tried. A look-up that fails with a 500, which the client does
// not retry by itself, is tried again up to MaxAttempts times.
//
// Calls of one client for the same ticket and email, by Ensure or
// EnsureAll, run one after the other, so they create at most one link;
// they do not hold back calls for other people. Another program creating a
// link for the same person at the same moment is not held back, and the
// two may both create one.
//
// WithResponse holds the answer to the call's last request. Once req is
// valid, Ensure's errors never hold its email, not even where the API's
// answer repeats it.
//
// API: GET and POST /v1/tickets/{ticketId}/magicLinks
func (s *MagicLinksService) Ensure(ctx context.Context, ticketID string, req *MagicLinkCreateRequest, callOpts ...CallOption) (link *MagicLink, created bool, err error) {
	e, err := s.ensurer(ticketID)
	if err != nil {
		return nil, false, err
	}
	return e.ensure(ctx, req, callOpts)
}

// EnsureAll ensures each request's magic link as Ensure does, and yields
// each request's index in reqs and its result, in the order of reqs.
//
// It walks the ticket's links once, then creates the missing ones, up to
// the client's page concurrency (WithPageConcurrency) at a time: a batch
// costs the pages of one walk, one request per MaxPerPage links, plus one
// request per link created, and only looks again for a create whose
// answer was lost. Requests for the same email, whatever its case, make
// one link: the first of them stands for the others, which are yielded
// with its link (or its error) and Created false. A request that is nil or
// invalid fails alone, with ErrInvalidArgument; a walk that fails fails
// every request it leaves unresolved, and creates nothing.
//
// Links another program creates once the walk is done are not seen: run
// the batch again to make sure. Calls of this client for the same people
// wait for EnsureAll, and EnsureAll for them.
//
// Every request of EnsureAll takes callOpts, except WithResponse and
// WithProgress, which it ignores: its requests run concurrently. Breaking
// out of the loop stops the batch: no create starts after that, and the
// loop ends once the creates in flight are done, so that a later Ensure or
// EnsureAll sees what they stored. Cancelling ctx stops them too, and then
// their outcome is unknown.
//
// API: GET and POST /v1/tickets/{ticketId}/magicLinks
func (s *MagicLinksService) EnsureAll(ctx context.Context, ticketID string, reqs []*MagicLinkCreateRequest, callOpts ...CallOption) iter.Seq2[int, EnsureResult[MagicLink]] {
	e, err := s.ensurer(ticketID)
	if err != nil {
		return failAll[MagicLink](len(reqs), err)
	}
	return e.ensureAll(ctx, reqs, callOpts)
}

func (s *MagicLinksService) ensurer(ticketID string) (*ensurer[MagicLink, *MagicLinkCreateRequest], error) {
	if _, err := pathID("ticketID", ticketID); err != nil {
		return nil, err
	}
	return &ensurer[MagicLink, *MagicLinkCreateRequest]{
		c:         s.client,
		what:      "magic link",
		list:      "magicLinks/" + ticketID,
		email:     func(r *MagicLinkCreateRequest) string { return r.Email },
		itemEmail: func(m *MagicLink) string { return m.Email },
		validate:  validated[MagicLinkCreateRequest],
		page: func(ctx context.Context, filter *StringFilter, opts []CallOption) (*Page[MagicLink], error) {
			o := &MagicLinkListOptions{ListOptions: ListOptions{PerPage: MaxPerPage}, Email: filter}
			return s.List(ctx, ticketID, o, opts...)
		},
		walk: func(ctx context.Context, retry RetryPolicy, opts []CallOption) iter.Seq2[MagicLink, error] {
			o := &MagicLinkListOptions{ListOptions: ListOptions{PerPage: MaxPerPage}}
			return all(ctx, s.client, o, func(ctx context.Context, o *MagicLinkListOptions, co ...CallOption) (*Page[MagicLink], error) {
				return readAgain(ctx, retry, func() (*Page[MagicLink], error) { return s.List(ctx, ticketID, o, co...) })
			}, opts)
		},
		create: func(ctx context.Context, req *MagicLinkCreateRequest, opts []CallOption) (*MagicLink, error) {
			return s.Create(ctx, ticketID, req, opts...)
		},
	}, nil
}

// Ensure returns the event's registration for req.Email, creating it with
// req when the event has none; created reports whether this call created
// it. Emails are compared ignoring case (Ann@X.org and ann@x.org are one
// person), and a registration on any ticket of the event, refunded or not,
// counts; one that exists is returned as it is, whatever req says.
//
// Ensure costs and guarantees what MagicLinksService.Ensure does, for the
// event's registrations: a look-up with the email filter, a walk of the
// registrations when that finds nothing, then the create; after a lost
// answer, look-ups rather than a blind second create; one create at a time
// per person through one client. To ensure many people, use EnsureAll.
//
// API: GET and POST /v1/events/{eventId}/registrations
func (s *RegistrationsService) Ensure(ctx context.Context, eventID string, req *RegistrationCreateRequest, callOpts ...CallOption) (reg *Registration, created bool, err error) {
	e, err := s.ensurer(eventID)
	if err != nil {
		return nil, false, err
	}
	return e.ensure(ctx, req, callOpts)
}

// EnsureAll ensures each request's registration as Ensure does, and yields
// each request's index in reqs and its result, in the order of reqs. It
// walks the event's registrations once and creates only the missing ones,
// as MagicLinksService.EnsureAll does for magic links, with the same costs
// and limits.
//
// API: GET and POST /v1/events/{eventId}/registrations
func (s *RegistrationsService) EnsureAll(ctx context.Context, eventID string, reqs []*RegistrationCreateRequest, callOpts ...CallOption) iter.Seq2[int, EnsureResult[Registration]] {
	e, err := s.ensurer(eventID)
	if err != nil {
		return failAll[Registration](len(reqs), err)
	}
	return e.ensureAll(ctx, reqs, callOpts)
}

func (s *RegistrationsService) ensurer(eventID string) (*ensurer[Registration, *RegistrationCreateRequest], error) {
	if _, err := pathID("eventID", eventID); err != nil {
		return nil, err
	}
	return &ensurer[Registration, *RegistrationCreateRequest]{
		c:         s.client,
		what:      "registration",
		list:      "registrations/" + eventID,
		email:     func(r *RegistrationCreateRequest) string { return r.Email },
		itemEmail: func(r *Registration) string { return r.Email },
		validate:  validated[RegistrationCreateRequest],
		page: func(ctx context.Context, filter *StringFilter, opts []CallOption) (*Page[Registration], error) {
			o := &RegistrationListOptions{ListOptions: ListOptions{PerPage: MaxPerPage}, Email: filter}
			return s.List(ctx, eventID, o, opts...)
		},
		walk: func(ctx context.Context, retry RetryPolicy, opts []CallOption) iter.Seq2[Registration, error] {
			o := &RegistrationListOptions{ListOptions: ListOptions{PerPage: MaxPerPage}}
			return all(ctx, s.client, o, func(ctx context.Context, o *RegistrationListOptions, co ...CallOption) (*Page[Registration], error) {
				return readAgain(ctx, retry, func() (*Page[Registration], error) { return s.List(ctx, eventID, o, co...) })
			}, opts)
		},
		create: func(ctx context.Context, req *RegistrationCreateRequest, opts []CallOption) (*Registration, error) {
			return s.Create(ctx, eventID, req, opts...)
		},
	}, nil
}

// failAll yields err as the result of each of n requests.
func failAll[T any](n int, err error) iter.Seq2[int, EnsureResult[T]] {
	return func(yield func(int, EnsureResult[T]) bool) {
		for i := range n {
			if !yield(i, EnsureResult[T]{Err: err}) {
				return
			}
		}
	}
}

// settleLooks is how many look-ups in a row must find nothing, after a
// create whose answer was lost, before the create is taken not to have
// stored anything: the API may show a new item a moment late.
const settleLooks = 3

// ensurer ensures items of one list, with the requests R that create them.
type ensurer[T any, R any] struct {
	c         *Client
	what      string // the kind of item, for errors
	list      string // names the list, for the client's locks
	email     func(R) string
	itemEmail func(*T) string
	validate  func(R) (R, error) // a nil request is the zero one
	// page gets the first page of the items whose email filter selects.
	page func(ctx context.Context, filter *StringFilter, opts []CallOption) (*Page[T], error)
	// walk iterates over every item of the list.
	walk   func(ctx context.Context, retry RetryPolicy, opts []CallOption) iter.Seq2[T, error]
	create func(ctx context.Context, req R, opts []CallOption) (*T, error)
}

// ensureCall is one Ensure or EnsureAll call: its retry policy and the
// options of its requests.
type ensureCall struct {
	retry RetryPolicy
	opts  []CallOption
}

func (e *ensurer[T, R]) newCall(opts []CallOption, concurrent bool) (ensureCall, error) {
	cs, err := newCallSettings(opts)
	if err != nil {
		return ensureCall{}, err
	}
	ec := ensureCall{retry: e.c.retry}
	if cs.retry != nil {
		ec.retry = *cs.retry
	}
	// The walk is not the caller's All: it reports no progress.
	ec.opts = append(opts[:len(opts):len(opts)], WithProgress(nil))
	if concurrent {
		ec.opts = append(ec.opts, WithResponse(nil)) // requests run at once: none is "the last"
	}
	return ec, nil
}

// key names the lock of an email of e's list: emails that differ only in
// case share it.
func (e *ensurer[T, R]) key(email string) string {
	return e.list + "\x00" + foldKey(email)
}

func (e *ensurer[T, R]) ensure(ctx context.Context, req R, opts []CallOption) (*T, bool, error) {
	req, err := e.validate(req)
	if err != nil {
		return nil, false, err
	}
	ec, err := e.newCall(opts, false)
	if err != nil {
		return nil, false, err
	}
	email := e.email(req)
	unlock, err := e.c.ensureLocks.lock(ctx, e.key(email))
	if err != nil {
		return nil, false, fmt.Errorf("rcevents: ensuring a %s: waiting for another call of this client for the same person: %w", e.what, err)
	}
	defer unlock()

	item, err := e.find(ctx, ec, email)
	if err != nil {
		return nil, false, redactEmail(fmt.Errorf("rcevents: ensuring a %s: looking it up: %w", e.what, err), email)
	}
	if item != nil {
		return item, false, nil
	}
	item, err = e.search(ctx, ec, email)
	if err != nil {
		return nil, false, redactEmail(fmt.Errorf("rcevents: ensuring a %s: looking for it in the whole list: %w", e.what, err), email)
	}
	if item != nil {
		return item, false, nil
	}
	item, err = e.createOnce(ctx, ec, req)
	if err != nil {
		return nil, false, redactEmail(err, email)
	}
	return item, true, nil
}

// find looks email up as lookup does, trying again after a 500.
func (e *ensurer[T, R]) find(ctx context.Context, ec ensureCall, email string) (*T, error) {
	return readAgain(ctx, ec.retry, func() (*T, error) { return e.lookup(ctx, ec, email) })
}

// lookup looks email up with the list's filter, as given and in lower
// case, and returns the first item whose email is email, ignoring case;
// nil if there is none.
func (e *ensurer[T, R]) lookup(ctx context.Context, ec ensureCall, email string) (*T, error) {
	filter := &StringFilter{Eq: email}
	if lower := strings.ToLower(email); lower != email && validEmail(lower) {
		filter = &StringFilter{In: []string{email, lower}}
	}
	p, err := e.page(ctx, filter, ec.opts)
	if err != nil {
		return nil, err
	}
	for i := range p.Items {
		if strings.EqualFold(e.itemEmail(&p.Items[i]), email) {
			return &p.Items[i], nil
		}
	}
	return nil, nil
}

// search walks the whole list for the first item whose email is email,
// ignoring case; nil if there is none.
func (e *ensurer[T, R]) search(ctx context.Context, ec ensureCall, email string) (*T, error) {
	for item, err := range e.walk(ctx, ec.retry, ec.opts) {
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(e.itemEmail(&item), email) {
			return &item, nil
		}
	}
	return nil, nil
}

// createOnce creates the item of req, whose email the list does not hold,
// and makes sure, when the answer is lost, that it stores at most one: it
// looks for the item before it creates again. The caller holds the email's
// lock. Its errors may hold the email: the caller redacts them.
func (e *ensurer[T, R]) createOnce(ctx context.Context, ec ensureCall, req R) (*T, error) {
	email := e.email(req)
	for creates := 1; ; creates++ {
		item, err := e.create(ctx, req, ec.opts)
		if err == nil {
			return item, nil
		}
		if !errors.Is(err, ErrOutcomeUnknown) {
			return nil, fmt.Errorf("rcevents: ensuring a %s: creating it: %w", e.what, err)
		}
		item, looks, lookErr := e.lookAgain(ctx, ec, email)
		switch {
		case item != nil:
			return item, nil
		case lookErr != nil:
			return nil, fmt.Errorf("rcevents: ensuring a %s: creating it: %w; then could not tell whether it was stored (%d look-ups): %w",
				e.what, err, looks, lookErr)
		case creates >= ec.retry.MaxAttempts:
			// The look-ups showed that nothing was stored: the outcome is
			// known, and the error says so by leaving out ErrOutcomeUnknown.
			var oe *outcomeError
			if errors.As(err, &oe) {
				err = oe.err
			}
			return nil, fmt.Errorf("rcevents: ensuring a %s: created it %d times, and each time the answer was lost and nothing was stored; the last: %w",
				e.what, creates, err)
		}
	}
}

// lookAgain looks for the item of email after a create whose answer was
// lost, pausing before each look-up, until it finds it or settleLooks
// look-ups in a row find nothing. It gives up, with the last look-up's
// error, after MaxAttempts look-ups that fail or when ctx ends. It returns
// the item, or nil, and the number of look-ups made.
func (e *ensurer[T, R]) lookAgain(ctx context.Context, ec ensureCall, email string) (item *T, looks int, err error) {
	empty, failed := 0, 0
	for {
		if serr := sleep(ctx, settleWait(ec.retry, looks+1)); serr != nil {
			if err == nil {
				err = serr
			}
			return nil, looks, err
		}
		looks++
		var found *T
		found, err = e.lookup(ctx, ec, email)
		switch {
		case err != nil:
			empty = 0
			if failed++; failed >= ec.retry.MaxAttempts || ctx.Err() != nil {
				return nil, looks, err
			}
		case found != nil:
			return found, looks, nil
		default:
			if empty++; empty >= settleLooks {
				return nil, looks, nil
			}
		}
	}
}

// settleWait is the pause before look-up n (from 1) after a lost answer:
// MinBackoff, doubling up to MaxBackoff. It has no jitter: it gives the
// server time to show what it stored, and must not come out near zero.
func settleWait(p RetryPolicy, n int) time.Duration {
	d := p.MinBackoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.MaxBackoff)
}

// readAgain runs read, a look-up, again after a 5xx answer that the
// client does not retry by itself (a 500, unlike 502, 503 and 504): a read
// changes nothing, and an Ensure that gave up on one would report a
// failure that trying again would have avoided. It tries up to
// p.MaxAttempts times in all.
func readAgain[V any](ctx context.Context, p RetryPolicy, read func() (V, error)) (V, error) {
	for n := 1; ; n++ {
		v, err := read()
		var apiErr *APIError
		if err == nil || n >= p.MaxAttempts || !errors.As(err, &apiErr) ||
			apiErr.StatusCode < 500 || retryableStatus(http.MethodGet, apiErr.StatusCode) {
			return v, err
		}
		if serr := sleep(ctx, p.backoff(n)); serr != nil {
			return v, fmt.Errorf("%w; waiting to look again: %w", err, serr)
		}
	}
}

// ensureAll is EnsureAll: see MagicLinksService.EnsureAll.
func (e *ensurer[T, R]) ensureAll(ctx context.Context, reqs []R, opts []CallOption) iter.Seq2[int, EnsureResult[T]] {
	return func(yield func(int, EnsureResult[T]) bool) {
		ec, err := e.newCall(opts, true)
		if err != nil {
			failAll[T](len(reqs), err)(yield)
			return
		}
		b := e.newBatch(reqs)
		// Breaking out of the loop ends the walk, if it is not done, and
		// starts no more creates; creates in flight finish, since one
		// cancelled now could be stored after the caller's next look.
		walkCtx, stopWalk := context.WithCancel(ctx)
		defer stopWalk()
		go b.run(ctx, walkCtx, e, ec)
		defer b.wait()
		for i := range reqs {
			if !yield(i, b.result(i)) {
				b.stopped.Store(true)
				stopWalk()
				return
			}
		}
	}
}

// errBatchStopped is the result of the requests of a batch whose caller
// stopped reading before they were sent. No caller sees it.
var errBatchStopped = errors.New("rcevents: the batch was stopped")

// batch is the state of one EnsureAll call.
type batch[T any, R any] struct {
	reqs []R
	// first is the index of the first request with the same email, or the
	// request's own; -1 for a request that is invalid.
	first   []int
	results []EnsureResult[T]
	ready   []chan struct{} // closed once results[i] is set, for first requests
	done    chan struct{}   // closed once run has returned

	stopped atomic.Bool // the caller stopped reading: start no more creates
}

func (e *ensurer[T, R]) newBatch(reqs []R) *batch[T, R] {
	b := &batch[T, R]{
		reqs:    make([]R, len(reqs)),
		first:   make([]int, len(reqs)),
		results: make([]EnsureResult[T], len(reqs)),
		ready:   make([]chan struct{}, len(reqs)),
		done:    make(chan struct{}),
	}
	seen := map[string]int{}
	for i, req := range reqs {
		req, err := e.validate(req)
		if err != nil {
			b.first[i] = -1
			b.results[i].Err = err
			continue
		}
		b.reqs[i] = req
		k := e.key(e.email(req))
		if j, ok := seen[k]; ok {
			b.first[i] = j
			continue
		}
		seen[k] = i
		b.first[i] = i
		b.ready[i] = make(chan struct{})
	}
	return b
}

// result waits for the result of request i.
func (b *batch[T, R]) result(i int) EnsureResult[T] {
	j := b.first[i]
	if j < 0 {
		return b.results[i]
	}
	<-b.ready[j]
	res := b.results[j]
	if j != i && res.Item != nil {
		item := *res.Item // the caller may change one without the other
		res.Item, res.Created = &item, false
	}
	return res
}

// set records the result of first request i.
func (b *batch[T, R]) set(i int, res EnsureResult[T]) {
	b.results[i] = res
	close(b.ready[i])
}

// wait waits for run to return.
func (b *batch[T, R]) wait() { <-b.done }

// run takes the locks of the batch's emails and walks the list once, both
// within walkCtx, then creates what the list lacks, up to the client's page
// concurrency at a time. Every first request gets a result: an error once
// ctx has ended or the batch was stopped.
func (b *batch[T, R]) run(ctx, walkCtx context.Context, e *ensurer[T, R], ec ensureCall) {
	defer close(b.done)
	var todo []int // first requests, in order
	for i, j := range b.first {
		if i == j {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return
	}
	failTodo := func(err error) {
		for _, i := range todo {
			b.set(i, EnsureResult[T]{Err: err})
		}
	}

	// The locks are taken in the order of their keys, so that two batches
	// that share emails cannot each hold what the other waits for.
	keys := make([]string, len(todo))
	byKey := make(map[string]int, len(todo))
	for n, i := range todo {
		keys[n] = e.key(e.email(b.reqs[i]))
		byKey[keys[n]] = i
	}
	slices.Sort(keys)
	var mu sync.Mutex                          // guards unlocks once workers run
	unlocks := make(map[int]func(), len(todo)) // by request
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, unlock := range unlocks {
			unlock()
		}
	}()
	for _, k := range keys {
		unlock, err := e.c.ensureLocks.lock(walkCtx, k)
		if err != nil {
			failTodo(fmt.Errorf("rcevents: ensuring %ss: waiting for other calls of this client for the same people: %w", e.what, err))
			return
		}
		unlocks[byKey[k]] = unlock
	}
	release := func(i int) {
		mu.Lock()
		defer mu.Unlock()
		unlocks[i]()
		delete(unlocks, i)
	}

	found := make(map[string]*T, len(todo))
	for item, err := range e.walk(walkCtx, ec.retry, ec.opts) {
		if err != nil {
			failTodo(fmt.Errorf("rcevents: ensuring %ss: listing the existing ones: %w", e.what, err))
			return
		}
		k := e.key(e.itemEmail(&item))
		if _, want := byKey[k]; want && found[k] == nil {
			found[k] = &item
		}
	}
	var missing []int
	for _, i := range todo {
		if item := found[e.key(e.email(b.reqs[i]))]; item != nil {
			b.set(i, EnsureResult[T]{Item: item})
			release(i)
		} else {
			missing = append(missing, i)
		}
	}

	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(e.c.pageConcurrency, len(missing)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := int(next.Add(1)) - 1; n < len(missing); n = int(next.Add(1)) - 1 {
				i := missing[n]
				res := EnsureResult[T]{Err: ctx.Err()}
				if b.stopped.Load() {
					res.Err = errBatchStopped
				}
				if res.Err == nil {
					res.Item, res.Err = e.createOnce(ctx, ec, b.reqs[i])
					res.Err = redactEmail(res.Err, e.email(b.reqs[i]))
					res.Created = res.Err == nil
				}
				release(i)
				b.set(i, res)
			}
		}()
	}
	wg.Wait()
}

// keyLocks is a lock per key, made when first asked for and dropped when
// no call holds it or waits for it, so that the map holds only the keys in
// use.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	held chan struct{} // holds a token while locked
	refs int           // calls holding or waiting; guarded by keyLocks.mu
}

// lock takes the lock of key, waiting for it until ctx ends, and returns
// the function that releases it.
func (l *keyLocks) lock(ctx context.Context, key string) (unlock func(), err error) {
	kl := l.acquire(key)
	select {
	case kl.held <- struct{}{}:
		return func() {
			<-kl.held
			l.release(key, kl)
		}, nil
	case <-ctx.Done():
		l.release(key, kl)
		return nil, ctx.Err()
	}
}

// acquire returns the lock of key, counting the caller in.
func (l *keyLocks) acquire(key string) *keyLock {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]*keyLock{}
	}
	kl := l.m[key]
	if kl == nil {
		kl = &keyLock{held: make(chan struct{}, 1)}
		l.m[key] = kl
	}
	kl.refs++
	return kl
}

// release counts the caller out of kl, and drops it when it was the last.
func (l *keyLocks) release(key string, kl *keyLock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if kl.refs--; kl.refs == 0 {
		delete(l.m, key)
	}
}

// size is the number of locks held or waited for.
func (l *keyLocks) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}

// foldKey returns a string that is the same for two strings exactly when
// strings.EqualFold says they are equal: each rune becomes the smallest
// rune of its case-folding orbit.
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

// redactEmail returns err with every spelling of email cut out of its
// message and of the *APIErrors it holds (their URL, the filter of a
// look-up, and what the server said), so that the error can be logged.
// errors.Is and errors.As see through it.
func redactEmail(err error, email string) error {
	if err == nil {
		return nil
	}
	var forms []string
	for _, f := range []string{email, url.QueryEscape(email), url.PathEscape(email)} {
		if f = regexp.QuoteMeta(f); f != "" && !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	re := regexp.MustCompile("(?i)" + strings.Join(forms, "|"))
	cut := func(s string) string { return re.ReplaceAllString(s, "[REDACTED]") }
	for apiErr := range apiErrors(err) {
		apiErr.URL, apiErr.Body = cut(apiErr.URL), cut(apiErr.Body)
		for i := range apiErr.Errors {
			apiErr.Errors[i].cut(cut)
		}
	}
	return &emailRedacted{msg: cut(err.Error()), err: err}
}

// apiErrors yields the *APIErrors of err's tree.
func apiErrors(err error) iter.Seq[*APIError] {
	return func(yield func(*APIError) bool) {
		var visit func(error) bool
		visit = func(err error) bool {
			if apiErr, ok := err.(*APIError); ok {
				return yield(apiErr)
			}
			switch u := err.(type) {
			case interface{ Unwrap() error }:
				if next := u.Unwrap(); next != nil {
					return visit(next)
				}
			case interface{ Unwrap() []error }:
				for _, next := range u.Unwrap() {
					if !visit(next) {
						return false
					}
				}
			}
			return true
		}
		visit(err)
	}
}

// emailRedacted is an error whose message has had an email cut out.
type emailRedacted struct {
	msg string
	err error
}

func (e *emailRedacted) Error() string { return e.msg }
func (e *emailRedacted) Unwrap() error { return e.err }
