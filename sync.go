package rcevents

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"iter"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/go-json-experiment/json"
)

// A SyncCursor is how far an incremental sync of one list has come. It
// marshals to and from JSON (encoding/json or encoding/json/v2) so a job can
// store it between runs; the zero SyncCursor starts from the beginning.
//
// Only Sync changes a cursor, and only when a run completes: store it after
// the loop, together with what the loop did with the items (in the same
// database transaction, say), and a run that fails or is stopped half way
// leaves the stored cursor as it was. Two runs must not share a cursor at
// the same time.
type SyncCursor struct {
	// List names the list the cursor belongs to, such as "registrations of
	// evt_5kq2", and is "" until a first run completes. A run over another
	// list refuses the cursor.
	List string `json:"list,omitempty"`

	// Watermark is a time on the API's clock before which every item was
	// yielded by earlier runs: a run asks only for the items whose updatedAt
	// is at or after it. It comes from the updatedAt values the API sent,
	// never from the local clock. Zero: from the beginning.
	Watermark time.Time `json:"watermark,omitzero"`

	// Seen holds, by ID, the version that earlier runs yielded of each item
	// updated at or after Watermark, so that the next run, which reads those
	// items again, yields only the ones that changed since.
	Seen map[string]SyncMark `json:"seen,omitempty"`
}

// A SyncMark is the version of an item that a sync yielded.
type SyncMark struct {
	UpdatedAt time.Time `json:"updatedAt"`

	// Digest is a hash of the item as it was yielded. The API's updatedAt
	// counts whole seconds: the digest tells apart two versions of an item
	// written in the same second.
	Digest string `json:"digest"`
}

// check refuses a cursor that was not made by a run over list.
func (cur *SyncCursor) check(list string) error {
	switch {
	case cur == nil:
		return invalidArg("cur", "must not be nil: a zero SyncCursor starts from the beginning")
	case cur.List != "" && cur.List != list:
		return invalidArg("SyncCursor.List", "the cursor belongs to the %s, not to the %s", cur.List, list)
	case cur.List == "" && (!cur.Watermark.IsZero() || len(cur.Seen) > 0):
		return invalidArg("SyncCursor.List", "is empty, but the cursor has a watermark or seen items")
	case !encodableTime(cur.Watermark):
		return invalidArg("SyncCursor.Watermark", "year %d is outside 1 to 9999", cur.Watermark.UTC().Year())
	}
	return nil
}

const (
	// syncPasses bounds the walks of one run over a list that changed
	// under them.
	syncPasses = 3

	// syncMargin is kept between a new watermark and the earliest time on
	// the API's clock that a write made during the run can carry: for the
	// API's servers, whose clocks may disagree a little, and for a write
	// that becomes visible a moment after it was stamped. Items in the
	// margin are read again by the next run, and skipped through Seen.
	syncMargin = 2 * time.Second
)

// syncItem is a pointer to a model that a sync can follow.
type syncItem[T any] interface {
	model[T]
	syncTimes() (created, updated time.Time)
}

func (r *Registration) syncTimes() (created, updated time.Time) { return r.CreatedAt, r.UpdatedAt }

func (x *MagicLink) syncTimes() (created, updated time.Time) { return x.CreatedAt, x.UpdatedAt }

// syncList is what a sync needs of one list.
type syncList[T any] struct {
	name    string // the cursor's List
	shrinks bool   // items can leave the list (a magic link is deleted)

	// page gets one page of the items updated at or after since (all items
	// when since is zero).
	page func(ctx context.Context, since time.Time, lo ListOptions, opts ...CallOption) (*Page[T], error)
}

// A run walks the list, filtered on updatedAt at or after the cursor's
// watermark, in passes: it yields each item that is not in the cursor's Seen
// as it is, once, and then asks whether the list changed under the walk in a
// way that can have made it miss an item. Offset pages shift when items enter
// or leave the list before the page being read:
//
//   - An item leaving (a deletion) shifts the later items back: one that
//     still exists can fall between two pages. It shows as a page counting
//     fewer items than a page answered before it was asked for. For a list
//     that can shrink, any change of meta.count in the pass counts, and a
//     deletion made up for by a new item, which keeps the count, is caught
//     by probes of the list's last item before and after the pass (new
//     items are appended: the last item changes).
//   - An item entering shifts the later items forward, which a walk reading
//     pages in order only reads twice (and yields once). Pages fetched
//     concurrently can be answered out of order, though, and a page answered
//     before the shift followed by the page before it answered after it
//     misses an item. New items are appended at the end of a list in
//     creation order and shift nothing; an item updated into the filtered
//     list enters in its place. So a concurrent pass over a filtered list,
//     or over a list whose items are not in creation order, counts any
//     change of meta.count between its pages as a shift.
//
// A pass that may have missed an item is followed by another, which yields
// only what the run has not yielded yet. A run ends after a clean pass or
// after syncPasses of them; in that case the watermark stays where it was,
// so the next run reads the same items again, and Seen, which then holds
// every item yielded, keeps it from yielding them twice.
//
// A clean run moves the watermark to the earliest time on the API's clock
// at which a write made during the run can be stamped, less syncMargin. It
// is derived from what the run read: with M the largest updatedAt read and E
// the local time from before the first request to after the last answer,
// the API's clock read at least M at the last answer, and so at least M - E
// when the run began; durations measured locally do not suffer the skew of
// the local clock. Seen keeps every item yielded with an updatedAt at or
// after the new watermark.
type syncRun[T any, PT syncItem[T]] struct {
	ctx      context.Context
	c        *Client
	list     syncList[T]
	since    time.Time           // the cursor's watermark
	prior    map[string]SyncMark // the cursor's Seen
	callOpts []CallOption
	response *Response // WithResponse's, or nil
	yield    func(T, error) bool

	yielded map[string]syncVersion // by this run

	mu      sync.Mutex
	newest  time.Time    // the largest updatedAt read
	answers []syncAnswer // the pages and probes answered in the current pass
}

// syncVersion is the version of an item a run yielded.
type syncVersion struct {
	updated time.Time
	digest  uint64
}

// syncAnswer is a list page the API answered, and when.
type syncAnswer struct {
	count          int // its meta.count
	sent, received time.Time
}

// syncTail is the last item of the list as a probe found it.
type syncTail struct {
	count int
	last  string // its ID, "" for an empty list
	valid bool   // the probe found the last item (the list did not change between two probes)
}

// syncSeq is the iterator behind every Sync method.
func syncSeq[T any, PT syncItem[T]](ctx context.Context, c *Client, list syncList[T], cur *SyncCursor, checkErr error, callOpts []CallOption) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		cs, err := newCallSettings(callOpts)
		if err == nil {
			err = checkErr
		}
		if err == nil {
			err = cur.check(list.name)
		}
		if err != nil {
			var zero T
			yield(zero, err)
			return
		}
		r := &syncRun[T, PT]{
			ctx:      ctx,
			c:        c,
			list:     list,
			since:    cur.Watermark,
			prior:    cur.Seen,
			callOpts: callOpts,
			response: cs.response,
			yield:    yield,
			yielded:  map[string]syncVersion{},
		}
		start := time.Now()
		clean := false
		var tail *syncTail // the list's last item, as the previous pass left it
		for pass := 0; pass < syncPasses && !clean; pass++ {
			var ok bool
			if clean, ok = r.pass(&tail); !ok {
				return // the error was yielded, or the loop was left
			}
		}
		*cur = r.next(cur, clean, time.Since(start))
	}
}

// next is the cursor after a complete run that took elapsed, which was clean
// or not.
func (r *syncRun[T, PT]) next(cur *SyncCursor, clean bool, elapsed time.Duration) SyncCursor {
	watermark := cur.Watermark
	if clean && !r.newest.IsZero() {
		watermark = nextWatermark(watermark, r.newest, elapsed)
	}
	seen := map[string]SyncMark{}
	for id, m := range cur.Seen {
		if !m.UpdatedAt.Before(watermark) {
			seen[id] = m
		}
	}
	for id, v := range r.yielded {
		if !v.updated.Before(watermark) {
			seen[id] = SyncMark{UpdatedAt: v.updated, Digest: formatDigest(v.digest)}
		}
	}
	if len(seen) == 0 {
		seen = nil
	}
	return SyncCursor{List: r.list.name, Watermark: watermark, Seen: seen}
}

// nextWatermark is the watermark after a clean run that took elapsed and
// read updatedAt values up to newest: the whole second on the API's clock
// at or before the run's start, less syncMargin, unless old is later.
func nextWatermark(old, newest time.Time, elapsed time.Duration) time.Time {
	w := newest.Add(-elapsed).Truncate(time.Second).Add(-syncMargin).UTC()
	if w.After(old) {
		return w
	}
	return old
}

// pass walks the list once, yielding what it has not yielded yet. It
// reports whether the walk can have missed an item (clean is false then),
// and false in ok when the run must stop: an error was yielded, or the loop
// was left. tail is the list's last item before the pass, when the previous
// pass left it known, and the pass leaves it as it found it at its end.
func (r *syncRun[T, PT]) pass(tail **syncTail) (clean, ok bool) {
	var st syncPassState
	if r.list.shrinks && *tail == nil {
		// The first page alone may be the whole list: one answer, which
		// cannot contradict itself. Otherwise the walk starts again from
		// it, after the probe of the last item.
		p, ok := r.probe(1, MaxPerPage)
		if !ok || !r.emit(p, &st) {
			return false, false
		}
		if whole(p) {
			return true, true
		}
		if *tail, ok = r.findTail(); !ok {
			return false, false
		}
	}
	r.mu.Lock()
	r.answers = r.answers[:0]
	if *tail != nil {
		r.answers = append(r.answers, syncAnswer{count: (*tail).count})
	}
	r.mu.Unlock()

	w := &walker[T, PT]{ctx: r.ctx, fetch: r.fetchPage, start: 1, perPage: MaxPerPage, concurrency: r.c.pageConcurrency}
	var last *Page[T]
	pages, emptyEnd, stopped := 0, false, false
	w.run(func(p *Page[T], resp *Response, err error) bool {
		r.respond(resp)
		if errors.Is(err, errEmptyPage) {
			emptyEnd = true // the list shrank under the walk
			return false
		}
		if err != nil {
			var zero T
			r.yield(zero, err)
			stopped = true
			return false
		}
		pages++
		last = p
		if !r.emit(p, &st) {
			stopped = true
			return false
		}
		return true
	})
	if stopped {
		return false, false
	}
	if pages == 1 && whole(last) {
		*tail = nil
		return true, true
	}

	before := *tail
	*tail = nil
	if !r.list.shrinks {
		concurrent := r.c.pageConcurrency > 1
		shifted := concurrent && r.countsDiffer() && (!r.since.IsZero() || st.disorder)
		return !emptyEnd && !r.dropped() && !shifted, true
	}
	if emptyEnd || last == nil {
		return false, true
	}
	after, ok := r.probeTail(last.Count)
	if !ok {
		return false, false
	}
	if after.valid {
		*tail = &after
	}
	same := before != nil && before.valid && after.valid && before.last == after.last
	return same && !r.countsDiffer(), true
}

// syncPassState is what a pass learns of the order of the items it reads.
type syncPassState struct {
	read     bool
	created  time.Time // the createdAt of the last item read
	disorder bool      // an item was created before the one read before it
}

// emit yields the items of p that this run has not yielded, unless the
// cursor's Seen holds them as they are. It reports false when the run must
// stop.
func (r *syncRun[T, PT]) emit(p *Page[T], st *syncPassState) bool {
	for i := range p.Items {
		if err := r.ctx.Err(); err != nil {
			var zero T
			r.yield(zero, err) // once ctx is done, the loop sees nothing else
			return false
		}
		item := PT(&p.Items[i])
		created, updated := item.syncTimes()
		if st.read && created.Before(st.created) {
			st.disorder = true
		}
		st.read, st.created = true, created
		id := *item.resourceID()
		if _, done := r.yielded[id]; done {
			continue // at most once a run; a newer version goes to the next run
		}
		v := syncVersion{updated: updated.UTC(), digest: digest(&p.Items[i])}
		if m, ok := r.prior[id]; ok && m.UpdatedAt.Equal(v.updated) && m.Digest == formatDigest(v.digest) {
			continue
		}
		r.yielded[id] = v
		if !r.yield(p.Items[i], nil) {
			return false
		}
	}
	return true
}

// fetchPage gets page n of the walk.
func (r *syncRun[T, PT]) fetchPage(ctx context.Context, n int, resp *Response) (*Page[T], error) {
	return r.fetch(ctx, ListOptions{Page: n, PerPage: MaxPerPage}, resp)
}

// fetch gets a page and notes its count, when it was answered and the
// largest updatedAt on it.
func (r *syncRun[T, PT]) fetch(ctx context.Context, lo ListOptions, resp *Response) (*Page[T], error) {
	sent := time.Now()
	p, err := r.list.page(ctx, r.since, lo, append(r.callOpts[:len(r.callOpts):len(r.callOpts)], WithResponse(resp))...)
	if err != nil {
		return nil, err
	}
	a := syncAnswer{count: p.Count, sent: sent, received: time.Now()}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answers = append(r.answers, a)
	for i := range p.Items {
		if _, updated := PT(&p.Items[i]).syncTimes(); updated.After(r.newest) {
			r.newest = updated
		}
	}
	return p, nil
}

// probe gets one page outside the walk, perPage items from page n.
func (r *syncRun[T, PT]) probe(n, perPage int) (*Page[T], bool) {
	resp := new(Response)
	p, err := r.fetch(r.ctx, ListOptions{Page: n, PerPage: perPage}, resp)
	r.respond(resp)
	if err != nil {
		var zero T
		r.yield(zero, err)
		return nil, false
	}
	return p, true
}

// findTail finds the list's last item: its count from a page of one item,
// then the page of one item at that count, again if the count changed in
// between.
func (r *syncRun[T, PT]) findTail() (*syncTail, bool) {
	t, ok := r.probeTail(1)
	for tries := 1; ok && !t.valid && tries < syncPasses; tries++ {
		t, ok = r.probeTail(t.count)
	}
	return &t, ok
}

// probeTail gets the page of one item at position n (1-based; 1 for an
// empty list), which is the list's last item if the answer counts n items.
func (r *syncRun[T, PT]) probeTail(n int) (syncTail, bool) {
	p, ok := r.probe(max(n, 1), 1)
	if !ok {
		return syncTail{}, false
	}
	t := syncTail{count: p.Count}
	switch {
	case p.Count == 0 && len(p.Items) == 0:
		t.valid = true
	case p.Count == max(n, 1) && len(p.Items) == 1:
		t.last, t.valid = *PT(&p.Items[0]).resourceID(), true
	}
	return t, true
}

// respond hands the metadata of an answer to WithResponse.
func (r *syncRun[T, PT]) respond(resp *Response) {
	if r.response != nil && resp != nil {
		*r.response = *resp
	}
}

// countsDiffer reports whether the answers of the pass counted the list
// differently.
func (r *syncRun[T, PT]) countsDiffer() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range r.answers {
		if a.count != r.answers[0].count {
			return true
		}
	}
	return false
}

// dropped reports whether the list certainly lost items during the pass:
// an answer counted fewer items than one that had arrived before its
// request was sent. (Answers to requests in flight together may have been
// made in any order: their counts differ when the list grew, too.)
func (r *syncRun[T, PT]) dropped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	var timed []syncAnswer
	for _, a := range r.answers {
		if !a.sent.IsZero() {
			timed = append(timed, a)
		}
	}
	byReceipt := slices.SortedFunc(slices.Values(timed), func(a, b syncAnswer) int { return a.received.Compare(b.received) })
	most := make([]int, len(byReceipt)) // most[i]: the largest count among the first i+1 answers received
	for i, a := range byReceipt {
		most[i] = a.count
		if i > 0 {
			most[i] = max(most[i], most[i-1])
		}
	}
	for _, a := range timed {
		before := sort.Search(len(byReceipt), func(i int) bool { return byReceipt[i].received.After(a.sent) })
		if before > 0 && most[before-1] > a.count {
			return true
		}
	}
	return false
}

// whole reports whether p, the first page of a walk, holds the whole list.
func whole[T any](p *Page[T]) bool {
	return p != nil && p.Number == 1 && !p.HasNext() && len(p.Items) >= p.Count
}

// digest hashes an item as the SDK encodes it.
func digest[T any](v *T) uint64 {
	b, err := json.Marshal(v, encodeOptions)
	if err != nil {
		return 0 // every model encodes; were one not to, its updatedAt still tells versions apart
	}
	sum := sha256.Sum256(b)
	return binary.BigEndian.Uint64(sum[:8])
}

func formatDigest(d uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], d)
	return hex.EncodeToString(b[:])
}

// Sync yields the registrations of an event that were created or updated
// since the run that left cur, and moves cur on when the loop completes. A
// zero cursor yields every registration. Errors come as the last pair, as
// from All.
//
//   - A run yields every registration created or updated since cur, each at
//     most once, in API order (pass by pass: see below). Items written
//     while the run walks the list are yielded by this run or by the next.
//   - cur changes only when the run completes. A run that fails, is
//     cancelled, or whose loop breaks leaves it as it was, and the next run
//     repeats the work: store cur after the loop, with what the loop did.
//   - The watermark comes from the updatedAt values the API sent, never
//     from the local clock, and cur remembers the registrations it yielded
//     at or after it: a second run right after a complete one yields
//     nothing when nothing changed, and exactly what changed when
//     something did, a write made in the same second included.
//   - A cursor belongs to one event: using it for another is
//     ErrInvalidArgument.
//
// A run asks for the registrations whose updatedAt is at or after cur's
// watermark, MaxPerPage at a time, with the client's page concurrency and
// retries. Pages are offsets into a list that can change under the walk:
// when the answers show that it did in a way that can have made the walk
// miss a registration, the run walks the list again, yielding what it has
// not yielded yet, up to three passes; if the list still changed in the
// last one, the run completes without moving the watermark, so the next run
// reads those registrations again. New registrations arriving during a run
// never cause another pass in a run that reads the pages one by one, nor in
// a first run; with WithPageConcurrency, a registration updated during an
// incremental run can. The analysis assumes, as the API and rceventstest
// do, that the list is in creation order (the run checks that it is), and
// that registrations are not deleted, which the API offers no way to do.
//
// The API reference describes neither updatedAt nor userUpdatedAt: every
// registration carries updatedAt, and userUpdatedAt is only a filter of
// this list, carried by no attribute. Sync follows updatedAt, and so sees
// a change when the API moves it. rceventstest moves it with every change,
// an update through the API included, and moves userUpdatedAt only with a
// registrant's own changes. The API offers no feed of deletions: a
// registration that disappears is not reported; a periodic full walk with
// All, compared with the copy, finds them. A run holds the ID and version
// of each registration it yielded, about 200 bytes each, and hashes each
// registration it reads: a first run over 100,000 registrations takes about
// 1.5 times as long as All.
//
// API: GET /v1/events/{eventId}/registrations
func (s *RegistrationsService) Sync(ctx context.Context, eventID string, cur *SyncCursor, callOpts ...CallOption) iter.Seq2[Registration, error] {
	_, err := pathID("eventID", eventID)
	list := syncList[Registration]{
		name: "registrations of " + eventID,
		page: func(ctx context.Context, since time.Time, lo ListOptions, co ...CallOption) (*Page[Registration], error) {
			o := &RegistrationListOptions{ListOptions: lo}
			if !since.IsZero() {
				o.UpdatedAt = &DateTimeFilter{Gte: since}
			}
			return s.List(ctx, eventID, o, co...)
		},
	}
	return syncSeq[Registration](ctx, s.client, list, cur, err, callOpts)
}

// Sync yields the magic links of a ticket that were created or updated
// since the run that left cur, and moves cur on when the loop completes. A
// zero cursor yields every magic link. Errors come as the last pair, as from
// All. It makes the promises of RegistrationsService.Sync; a cursor belongs
// to one ticket.
//
// Magic links can be deleted, and a deletion during a run shifts the pages
// after it: a run probes the list's last link before and after each pass
// (two and one requests of a single item) and walks the list again when its
// count or its last link changed, which a new link does too. A list that
// fits on one page needs no probe. The API has no call that updates a
// link; should the service move a link's updatedAt itself, a link moved
// into the filtered list in the same moment as another is deleted escapes
// the probes. Links that the confirm-and-join flow made are left out, as
// All leaves them out.
//
// The API offers no feed of deletions: a deleted link is not reported; a
// periodic full walk with All, compared with the copy, finds them.
//
// API: GET /v1/tickets/{ticketId}/magicLinks
func (s *MagicLinksService) Sync(ctx context.Context, ticketID string, cur *SyncCursor, callOpts ...CallOption) iter.Seq2[MagicLink, error] {
	_, err := pathID("ticketID", ticketID)
	list := syncList[MagicLink]{
		name:    "magic links of " + ticketID,
		shrinks: true,
		page: func(ctx context.Context, since time.Time, lo ListOptions, co ...CallOption) (*Page[MagicLink], error) {
			o := &MagicLinkListOptions{ListOptions: lo}
			if !since.IsZero() {
				o.UpdatedAt = &DateTimeFilter{Gte: since}
			}
			return s.List(ctx, ticketID, o, co...)
		},
	}
	return syncSeq[MagicLink](ctx, s.client, list, cur, err, callOpts)
}
