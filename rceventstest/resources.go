package rceventstest

import "net/http"

// The helpers below are the shape every read handler shares: validate the query, copy
// what to answer under the read lock, encode after releasing it.

// serveList answers one page of a list. list runs under the read lock with the parsed
// filters (allowed names the filterable fields; nil for most lists) and returns the whole,
// filtered list, or false when its parent (what, id) does not exist. Lists other than
// registrations are small, so copying them whole is cheaper than being clever.
func serveList[T identified](s *Server, w http.ResponseWriter, r *http.Request, typ, what, id string, allowed []filterField, list func(st *store, conds []condition) ([]T, bool)) {
	p, ok := s.parsePage(w, r)
	if !ok {
		return
	}
	conds, ok := parseFilters(w, r, allowed)
	if !ok {
		return
	}
	s.store.mu.RLock()
	items, found := list(s.store, conds)
	s.store.mu.RUnlock()
	if !found {
		writeNotFound(w, what, id)
		return
	}
	lo, hi := p.window(len(items))
	writeList(w, r, p, len(items), typ, items[lo:hi])
}

// serveOne answers one resource, which get copies under the read lock, or 404.
func serveOne[T identified](s *Server, w http.ResponseWriter, typ, what, id string, get func(id string) (T, bool)) {
	v, ok := lookup(s, get, id)
	if !ok {
		writeNotFound(w, what, id)
		return
	}
	writeOne(w, http.StatusOK, typ, v)
}

// lookup runs get (a table's value method, say) under the read lock.
func lookup[T any](s *Server, get func(id string) (T, bool), id string) (T, bool) {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	return get(id)
}

// children returns a list function for serveList over the children of id in tab, whose
// parent must exist in parents.
func children[T identified](tab *table[T], parents interface{ has(string) bool }, id string) func(*store, []condition) ([]T, bool) {
	return func(*store, []condition) ([]T, bool) {
		if !parents.has(id) {
			return nil, false
		}
		return tab.all(id), true
	}
}

// exists reports whether tab holds id, under the read lock.
func (s *Server) exists(tab interface{ has(string) bool }, id string) bool {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	return tab.has(id)
}
