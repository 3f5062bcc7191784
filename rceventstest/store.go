package rceventstest

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// store is the fake's whole dataset. One RWMutex guards it: reads copy what they answer
// under the read lock and encode after releasing it; writes take the write lock briefly.
type store struct {
	mu     sync.RWMutex
	ids    idCodec
	serial [kindUser + 1]uint64 // next serial per kind
	slugs  map[string]bool      // event slugs in use

	orgs          table[organization]
	templates     table[template]         // children of an organization
	events        table[event]            // children of an organization
	tickets       table[ticket]           // children of an event
	questions     table[bankQuestion]     // children of an event
	ticketQs      map[string][]string     // ticket ID → its bank question IDs, in order
	magicLinks    table[magicLink]        // children of a ticket
	registrations map[string]*regSet      // event ID → its registrations
	reports       table[report]           // children of an event
	scheduleItems table[scheduleItem]     // children of an event
	sessions      table[segment]          // children of an event
	stages        table[segment]          // children of an event
	booths        table[booth]            // children of an event
	tags          table[tag]              // children of an event; booths and schedule items name theirs
	subscriptions table[dataSubscription] // children of an event

	stats Stats // writes through the API, counted under the write lock

	clock    func() time.Time     // the server's clock, for the list lag
	listLag  time.Duration        // see SetListLag
	unlisted map[string]time.Time // IDs of new items lists hold back, until when
}

func newStore(key uint64, clock func() time.Time) *store {
	return &store{
		clock:         clock,
		ids:           idCodec{key: key},
		slugs:         map[string]bool{},
		ticketQs:      map[string][]string{},
		registrations: map[string]*regSet{},
	}
}

// newID allocates the next ID of kind k. The caller holds the write lock.
func (st *store) newID(k kind) string {
	n := st.serial[k]
	st.serial[k]++
	return st.ids.encode(k, n)
}

// addEvent stores a new event with its (initially empty) registrations. The caller holds
// the write lock and has set every attribute but ID and slug.
func (st *store) addEvent(e *event) {
	e.no = st.serial[kindEvent]
	e.ID = st.newID(kindEvent)
	e.Slug = st.uniqueSlug(e.Slug, e.Name)
	st.events.put(e.orgID, e.ID, e)
	st.registrations[e.ID] = &regSet{eventNo: e.no, ids: st.ids, stored: map[int]*registration{}}
}

// uniqueSlug returns want (or a slug of name when want is empty), suffixed until unused.
func (st *store) uniqueSlug(want, name string) string {
	base := cmp.Or(want, slugify(name))
	slug := base
	for i := 2; st.slugs[slug]; i++ {
		slug = base + "-" + strconv.Itoa(i)
	}
	st.slugs[slug] = true
	return slug
}

// registration finds a registration by ID, which names its event's serial and its index.
// The caller holds a lock.
func (st *store) registration(id string) (*regSet, int, bool) {
	k, n, ok := st.ids.decode(id)
	rs, i := st.registrations[st.ids.encode(kindEvent, n>>32)], int(n&(1<<32-1))
	if !ok || k != kindRegistration || rs == nil || i >= rs.count() {
		return nil, 0, false
	}
	return rs, i, true
}

// table keeps one kind of resource by ID and, per parent, in the order the API lists them.
type table[T any] struct {
	byID     map[string]*T
	children map[string][]string
	parent   map[string]string
}

// put inserts v under parent, or replaces the stored value when id exists.
func (t *table[T]) put(parent, id string, v *T) {
	if t.byID == nil {
		t.byID, t.children, t.parent = map[string]*T{}, map[string][]string{}, map[string]string{}
	}
	if _, ok := t.byID[id]; !ok {
		t.children[parent] = append(t.children[parent], id)
		t.parent[id] = parent
	}
	t.byID[id] = v
}

func (t *table[T]) get(id string) (*T, bool) {
	v, ok := t.byID[id]
	return v, ok
}

// value copies the value with that ID.
func (t *table[T]) value(id string) (v T, ok bool) {
	if p := t.byID[id]; p != nil {
		return *p, true
	}
	return v, false
}

func (t *table[T]) has(id string) bool { return t.byID[id] != nil } // values are never nil

func (t *table[T]) parentOf(id string) string { return t.parent[id] }

func (t *table[T]) remove(id string) {
	p := t.parent[id]
	t.children[p] = slices.DeleteFunc(t.children[p], func(c string) bool { return c == id })
	delete(t.byID, id)
	delete(t.parent, id)
}

func (t *table[T]) count(parent string) int { return len(t.children[parent]) }

// all copies every child of parent, in order.
func (t *table[T]) all(parent string) []T { return t.pick(t.children[parent]) }

// pick copies the values with the given IDs, in that order, skipping unknown ones.
func (t *table[T]) pick(ids []string) []T {
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		if v, ok := t.byID[id]; ok {
			out = append(out, *v)
		}
	}
	return out
}

// slugify lowercases name and joins its words with dashes: "DevCon 2025" → "devcon-2025".
func slugify(name string) string {
	return cmp.Or(strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-"), "untitled")
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// now is the time writes are stamped with.
func (s *Server) now() time.Time { return s.cfg.clock().UTC() }
