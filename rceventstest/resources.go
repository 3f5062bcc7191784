package rceventstest

import "net/http"

// The read handlers share one shape: validate the query, copy what to answer under the
// read lock, encode after releasing it. The routes build most of them with one and list.

// one answers GET of the resource of type typ named by the path value typ+"Id", which get
// (a table's value method, say) copies, or 404.
func one[T any](s *Server, typ string, get func(id string) (T, bool)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue(typ + "Id")
		if v, ok := lookup(s, get, id); ok {
			writeOne(w, http.StatusOK, typ, v)
		} else {
			writeNotFound(w, typ, id)
		}
	}
}

// list answers GET of a page of resources of type typ. items runs under the read lock
// with the ID of their parent (the path value parent+"Id") and the parsed filters (allowed
// names the filterable fields; nil for most lists), and returns the whole, filtered list,
// or false when the parent does not exist. Lists other than registrations are small, so
// copying them whole is cheaper than being clever.
func list[T any](s *Server, typ, parent string, allowed []filterField, items func(st *store, id string, conds []condition) ([]T, bool)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue(parent + "Id")
		p, ok := s.parsePage(w, r)
		if !ok {
			return
		}
		conds, ok := parseFilters(w, r, allowed)
		if !ok {
			return
		}
		all, found := lookup(s, func(id string) ([]T, bool) { return items(s.store, id, conds) }, id)
		if !found {
			writeNotFound(w, parent, id)
			return
		}
		lo, hi := p.window(len(all))
		writeList(w, r, p, len(all), typ, all[lo:hi])
	}
}

// children is the items of list for the children in tab of a parent in parents.
func children[T any](tab *table[T], parents interface{ has(string) bool }) func(*store, string, []condition) ([]T, bool) {
	return func(_ *store, id string, _ []condition) ([]T, bool) { return tab.all(id), parents.has(id) }
}

// tagsOf is the items of list for the tags of a resource in tab.
func tagsOf[T any](tab *table[T], tagIDs func(*T) []string) func(*store, string, []condition) ([]tag, bool) {
	return func(st *store, id string, _ []condition) ([]tag, bool) {
		v, ok := tab.get(id)
		if !ok {
			return nil, false
		}
		return st.tags.pick(tagIDs(v)), true
	}
}

// lookup runs get (a table's value method, say) under the read lock.
func lookup[T any](s *Server, get func(id string) (T, bool), id string) (T, bool) {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	return get(id)
}

// exists reports whether found(id) holds (a table's has, say), under the read lock.
func (s *Server) exists(found func(string) bool, id string) bool {
	_, ok := lookup(s, func(id string) (struct{}, bool) { return struct{}{}, found(id) }, id)
	return ok
}
