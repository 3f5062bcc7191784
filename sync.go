package rcevents

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/go-json-experiment/json"
)

// A SyncCursor is how far an incremental sync of one list has come. It
// marshals to and from JSON (encoding/json or encoding/json/v2) so a job can
// store it between runs; the zero SyncCursor starts from the beginning.
//
// Only Sync changes a cursor, when a run completes: store it after the loop,
// with what the loop did, in one transaction. Two runs must not share one.
type SyncCursor struct {
	// List names the list the cursor belongs to ("registrations of evt_5kq2"),
	// "" until a first run completes; a run over another list refuses it.
	List string `json:"list,omitempty"`

	// Watermark is a time on the API's clock before which every item was
	// yielded by earlier runs: a run asks only for the items whose updatedAt
	// is at or after it. It comes from the updatedAt values the API sent,
	// never from the local clock. Zero: from the beginning.
	Watermark time.Time `json:"watermark,omitzero"`

	// Seen holds, by ID, the version earlier runs yielded of each item
	// updated at or after Watermark, which the next run reads again.
	Seen map[string]SyncMark `json:"seen,omitempty"`
}

// A SyncMark is the version of an item that a sync yielded.
type SyncMark struct {
	UpdatedAt time.Time `json:"updatedAt"`

	// Digest is a hash of the item as it was yielded. The API's updatedAt
	// counts whole seconds: the digest tells apart two versions of an item
	// written in the same second. It is "" for an item older than any write
	// the run that yielded it could see: no later version has its updatedAt.
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
	syncPasses = 3 // walks a run: one, one after a shift, one for more writes

	// syncMargin is kept below the earliest time on the API's clock that a
	// write made during a run can carry, for API servers whose clocks differ
	// a little and writes visible a moment after they were stamped.
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

	// page gets one page of the items updated since (all when since is nil).
	page func(ctx context.Context, since *DateTimeFilter, lo ListOptions, opts ...CallOption) (*Page[T], error)
}

// A run walks the list, filtered on updatedAt at or after the cursor's
// watermark, and yields each item it has not yielded that the cursor's Seen
// does not hold as it is. Lists grow at their end (a new item, and in
// updatedAt order an updated one, comes last), so a walk misses an item only
// where items before it leave their place, which shows in the answers:
//
//   - An item moved to the end pulls the items after it back. Read in order,
//     it is read twice, changed. Fetched concurrently, pages answered before
//     and after the move may repeat nothing, but hold items out of creation
//     order: a first run (no filter) reads concurrently until it sees that.
//   - A deleted magic link does too: lists that shrink are probed for their
//     count and last item before and after each walk.
//   - A page that repeats the one before it, or is empty though more should
//     follow, ends the walk; if every walk meets one, the run fails with it.
//
// Each makes the run walk again; after syncPasses walks it completes without
// moving the watermark, and Seen keeps the next run from yielding again what
// this one yielded. An older item updated into a filtered list enters in its
// place, and the next page begins with as many items the page before ended
// with, unchanged: read in order, no loss and no move, but fetched
// concurrently, a loss unseen. So filtered lists are read in order.
//
// A clean run moves the watermark to its edge: an answer holding an updatedAt
// of M, received E after the run began (a local duration), shows the API's
// clock at M - E or later then, and so every write made during the run, less
// syncMargin. The edge is the latest such bound, and only rises.
type syncRun[T any, PT syncItem[T]] struct {
	ctx      context.Context
	c        *Client
	list     syncList[T]
	filter   *DateTimeFilter     // updatedAt at or after the cursor's watermark; nil on a first run
	prior    map[string]SyncMark // the cursor's Seen
	callOpts []CallOption
	response *Response // WithResponse's, or nil
	yield    func(T, error) bool
	start    time.Time

	read    map[string]syncRead // every item the run read, by ID
	inOrder bool                // walks read pages one by one
	walk    int                 // the number of the current walk
	created time.Time           // the createdAt of the item the walk read last
	moved   bool                // the walk read an item twice, not pushed on, or out of order
	broken  error               // why the walk ended early, if it did
	tail    *Page[T]            // the list's last item before the walk, if known (lists that shrink)

	mu      sync.Mutex
	edge    time.Time // the watermark, were the run to end clean now
	changed bool      // an answer of the walk counted otherwise than tail
}

// syncRead is the version of an item that a run read last, or yielded.
type syncRead struct {
	updated time.Time
	digest  uint64
	hashed  bool // digest is set; items older than the edge need none
	walk    int  // the walk that read it last
	yielded bool
}

// syncSeq is the iterator behind every Sync method.
func syncSeq[T any, PT syncItem[T]](ctx context.Context, c *Client, list syncList[T], cur *SyncCursor, checkErr error, callOpts []CallOption) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cs, err := newCallSettings(callOpts)
		if err = cmp.Or(checkContext(ctx), err, checkErr, cur.check(list.name)); err != nil {
			yield(zero, err)
			return
		}
		r := &syncRun[T, PT]{ctx: ctx, c: c, list: list, prior: cur.Seen, callOpts: callOpts, response: cs.response,
			yield: yield, start: time.Now(), read: map[string]syncRead{}, edge: cur.Watermark}
		if r.inOrder = c.pageConcurrency < 2; !cur.Watermark.IsZero() {
			r.filter, r.inOrder = &DateTimeFilter{Gte: cur.Watermark}, true
		}
		clean, ok, broken := false, true, 0
		for pass := 0; ok && !clean && pass < syncPasses; pass++ {
			if clean, ok = r.pass(); r.broken != nil {
				broken++
			}
		}
		switch {
		case !ok: // the error was yielded, or the loop was left
		case !clean && broken == syncPasses:
			yield(zero, r.broken) // no shift lasts syncPasses walks: the server's pages are wrong
		default:
			*cur = r.next(cur, clean)
		}
	}
}

// next is the cursor after a complete run, which was clean or not.
func (r *syncRun[T, PT]) next(cur *SyncCursor, clean bool) SyncCursor {
	watermark := cur.Watermark
	if clean {
		watermark = r.edge
	}
	seen := map[string]SyncMark{}
	for id, m := range cur.Seen {
		if !m.UpdatedAt.Before(watermark) {
			seen[id] = m
		}
	}
	for id, v := range r.read {
		if v.yielded && !v.updated.Before(watermark) {
			seen[id] = SyncMark{UpdatedAt: v.updated, Digest: formatDigest(v)}
		}
	}
	if len(seen) == 0 {
		seen = nil
	}
	return SyncCursor{List: r.list.name, Watermark: watermark, Seen: seen}
}

// nextWatermark is the watermark an answer holding an updatedAt of newest,
// received elapsed after the run began, allows, unless old is later.
func nextWatermark(old, newest time.Time, elapsed time.Duration) time.Time {
	w := newest.Add(-elapsed).Truncate(time.Second).Add(-syncMargin).UTC()
	if w.After(old) {
		return w
	}
	return old
}

// pass walks the list once. clean is false when it can have missed an item,
// ok when the run must stop: an error was yielded, or the loop was left.
func (r *syncRun[T, PT]) pass() (clean, ok bool) {
	if r.list.shrinks && r.tail == nil {
		if done, ok := r.probeFirst(); done || !ok {
			return ok, ok
		}
	}
	r.walk++
	r.moved, r.broken, r.changed, r.created = false, nil, false, time.Time{}
	w := &walker[T, PT]{ctx: r.ctx, start: 1, perPage: MaxPerPage, concurrency: 1}
	w.fetch = func(ctx context.Context, n int, resp *Response) (*Page[T], error) {
		return r.fetch(ctx, ListOptions{Page: n, PerPage: MaxPerPage}, resp)
	}
	if !r.inOrder {
		w.concurrency = r.c.pageConcurrency
	}
	var last *Page[T]
	stopped := false
	w.run(func(p *Page[T], resp *Response, err error) bool {
		r.respond(resp)
		if errors.Is(err, errEmptyPage) || errors.Is(err, errRepeatedPage) {
			r.broken = err
			return false
		}
		if err != nil {
			var zero T
			r.yield(zero, err)
			stopped = true
			return false
		}
		stopped = !r.emit(p, last)
		last = p
		return !stopped
	})
	if stopped {
		return false, false
	}
	clean = r.broken == nil && !r.moved
	if !r.list.shrinks || whole(last) || r.broken != nil {
		r.tail = nil
		return clean, true
	}
	before := r.tail
	if r.tail, _, ok = r.probeTail(last.Count); !ok {
		return false, false
	}
	return clean && !r.changed && before != nil && r.tail != nil && before.Count == r.tail.Count && sameItems[T, PT](before.Items, r.tail.Items), true
}

// probeFirst reads the first page of a list that can shrink alone: done if
// it is the whole list; else it finds the last item, before a walk.
func (r *syncRun[T, PT]) probeFirst() (done, ok bool) {
	r.walk, r.created, r.broken = r.walk+1, time.Time{}, nil
	p, ok := r.probe(1, MaxPerPage)
	if !ok || !r.emit(p, nil) {
		return false, false
	}
	if whole(p) {
		return true, true
	}
	n := 1 // where the last item is, as the answer before counts
	for tries := 0; r.tail == nil && tries < syncPasses; tries++ {
		if r.tail, n, ok = r.probeTail(n); !ok {
			return false, false
		}
	}
	return false, true
}

// emit yields the items of p the run has not yielded that Seen does not hold
// as they are. An item the walk read before is a move, unless unchanged and
// among the first items of p, as many as the list grew by since prev, the
// page before p in the walk. It reports false when the run must stop.
func (r *syncRun[T, PT]) emit(p, prev *Page[T]) bool {
	grown := 0
	if prev != nil {
		grown = p.Count - prev.Count
	}
	r.mu.Lock()
	edge := r.edge
	r.mu.Unlock()
	for i := range p.Items {
		if err := r.ctx.Err(); err != nil {
			var zero T
			r.yield(zero, err) // once ctx is done, the loop sees nothing else
			return false
		}
		item := &p.Items[i]
		id := *PT(item).resourceID()
		created, updated := PT(item).syncTimes()
		if !r.inOrder && created.Before(r.created) {
			r.moved, r.inOrder = true, true // not in creation order: see syncRun
		}
		r.created = created
		v := syncRead{updated: updated.UTC(), walk: r.walk}
		if !v.updated.Before(edge) {
			v.digest, v.hashed = digest(item), true
		}
		old, known := r.read[id]
		switch {
		case known && old.walk == r.walk:
			// A write made during the run is stamped after the edge: for
			// an item older than it, updatedAt tells the versions apart.
			same := old.updated.Equal(v.updated) && (!old.hashed || !v.hashed || old.digest == v.digest)
			r.moved = r.moved || i >= grown || !same
			continue
		case known && old.yielded:
			old.walk = r.walk
			r.read[id] = old
			continue // at most once a run; a newer version goes to the next run
		}
		v.yielded = !r.inSeen(id, &v, item)
		r.read[id] = v
		if v.yielded && !r.yield(*item, nil) {
			return false
		}
	}
	return true
}

// inSeen reports whether the cursor's Seen holds item, read as v, as it is.
func (r *syncRun[T, PT]) inSeen(id string, v *syncRead, item *T) bool {
	m, ok := r.prior[id]
	if !ok || !m.UpdatedAt.Equal(v.updated) {
		return false
	}
	if m.Digest == "" {
		return true // see SyncMark.Digest
	}
	if !v.hashed {
		v.digest, v.hashed = digest(item), true
	}
	return m.Digest == formatDigest(*v)
}

// fetch gets a page, raises the edge by what it shows of the API's clock,
// and notes whether it counts otherwise than the tail before the walk.
func (r *syncRun[T, PT]) fetch(ctx context.Context, lo ListOptions, resp *Response) (*Page[T], error) {
	p, err := r.list.page(ctx, r.filter, lo, append(r.callOpts[:len(r.callOpts):len(r.callOpts)], WithResponse(resp))...)
	if err != nil {
		return nil, err
	}
	elapsed := time.Since(r.start)
	var newest time.Time
	for i := range p.Items {
		if _, u := PT(&p.Items[i]).syncTimes(); u.After(newest) {
			newest = u
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !newest.IsZero() {
		r.edge = nextWatermark(r.edge, newest, elapsed)
	}
	r.changed = r.changed || r.tail != nil && p.Count != r.tail.Count
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

// probeTail gets the page of one item at position n (1 for an empty list),
// which holds the list's last item if it counts n items (t is nil if not).
func (r *syncRun[T, PT]) probeTail(n int) (t *Page[T], count int, ok bool) {
	p, ok := r.probe(max(n, 1), 1)
	if !ok {
		return nil, 0, false
	}
	if p.Count == 0 && len(p.Items) == 0 || p.Count == max(n, 1) && len(p.Items) == 1 {
		t = p
	}
	return t, p.Count, true
}

// respond hands the metadata of an answer to WithResponse.
func (r *syncRun[T, PT]) respond(resp *Response) {
	if r.response != nil && resp != nil {
		*r.response = *resp
	}
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

// formatDigest is v's digest as a SyncMark holds it: "" when v was not hashed.
func formatDigest(v syncRead) string {
	if !v.hashed {
		return ""
	}
	return fmt.Sprintf("%016x", v.digest)
}

// Sync yields the registrations of an event created or updated since the run
// that left cur, and moves cur on when the loop completes; a zero cursor
// yields every registration. Errors come as the last pair, as from All.
//
// A run yields each registration created or updated since cur once, in API
// order, as it is when read; one written during the run comes in this run or
// the next. A run that fails or is left leaves cur as it was. The watermark
// comes from the API's updatedAt values and local durations, never from the
// local clock, and cur keeps the version of each registration yielded at its
// edge, so the next run yields exactly what changed, in the same second too.
// A cursor belongs to one event; another's is ErrInvalidArgument.
//
// A first run reads the whole list with the client's page concurrency, in
// about the time All takes (BENCHMARKS.md); later runs read what was updated
// since the watermark, one page at a time. When the answers show the list
// moved under a walk (as when a server in updatedAt order moves an updated
// registration to the end), the run walks again, yielding only what it has
// not; after three such walks it completes without moving the watermark, or
// fails if each met pages that contradict each other. The API does not
// describe updatedAt, which Sync follows, nor report deletions: compare the
// copy with All for them.
//
// API: GET /v1/events/{eventId}/registrations
func (s *RegistrationsService) Sync(ctx context.Context, eventID string, cur *SyncCursor, callOpts ...CallOption) iter.Seq2[Registration, error] {
	_, err := pathID("eventID", eventID)
	page := func(ctx context.Context, since *DateTimeFilter, lo ListOptions, co ...CallOption) (*Page[Registration], error) {
		return s.List(ctx, eventID, &RegistrationListOptions{ListOptions: lo, UpdatedAt: since}, co...)
	}
	return syncSeq(ctx, s.client, syncList[Registration]{name: "registrations of " + eventID, page: page}, cur, err, callOpts)
}

// Sync yields the magic links of a ticket created or updated since the run
// that left cur, and moves cur on when the loop completes; a zero cursor
// yields every link. Errors come as the last pair, as from All. It makes the
// promises and has the costs of RegistrationsService.Sync; a cursor belongs
// to one ticket. Links of the confirm-and-join flow are left out, as by All.
//
// A link deleted during a walk shifts the pages after it: a run over more
// than one page probes the last link before and after each walk (two and one
// requests of one link), and walks again when the count or the last link
// changed. The API has no call that updates a link; were the service to move
// one into the filtered list as another is deleted, the probes would miss it.
//
// API: GET /v1/tickets/{ticketId}/magicLinks
func (s *MagicLinksService) Sync(ctx context.Context, ticketID string, cur *SyncCursor, callOpts ...CallOption) iter.Seq2[MagicLink, error] {
	_, err := pathID("ticketID", ticketID)
	page := func(ctx context.Context, since *DateTimeFilter, lo ListOptions, co ...CallOption) (*Page[MagicLink], error) {
		return s.List(ctx, ticketID, &MagicLinkListOptions{ListOptions: lo, UpdatedAt: since}, co...)
	}
	return syncSeq(ctx, s.client, syncList[MagicLink]{name: "magic links of " + ticketID, shrinks: true, page: page}, cur, err, callOpts)
}
