package rceventstest

import (
	"fmt"
	"maps"
	"time"
)

// SetListLag makes the lists of registrations and magic links show one created through the
// API only d after it was stored, as an API behind caches or read replicas does: the
// create's answer and a GET of the item by its ID show it at once. It holds back items
// created from then on; SetListLag(0) lists every item at once again. d is measured on the
// clock of WithClock, real time by default, so a test with a Clock decides when an item
// shows. It panics if d < 0.
func (s *Server) SetListLag(d time.Duration) {
	if d < 0 {
		panic(fmt.Sprintf("rceventstest: SetListLag(%v): want d ≥ 0", d))
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.listLag = d
	if d == 0 {
		s.store.unlisted = nil
	}
}

// hide holds a new item back from lists for the lag, and forgets the items whose lag is
// over. The caller holds the write lock.
func (st *store) hide(id string) {
	now := st.clock()
	maps.DeleteFunc(st.unlisted, func(_ string, at time.Time) bool { return !now.Before(at) })
	if st.listLag == 0 {
		return
	}
	if st.unlisted == nil {
		st.unlisted = map[string]time.Time{}
	}
	st.unlisted[id] = now.Add(st.listLag)
}

// listed reports whether lists show the item with that ID. The caller holds a lock.
func (st *store) listed(id string) bool {
	at, held := st.unlisted[id]
	return !held || !st.clock().Before(at)
}
