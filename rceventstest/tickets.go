package rceventstest

import (
	"cmp"
	"net/http"
	"slices"
)

// createTicket answers POST /v1/events/{eventId}/tickets (beta: a virtual ticket) with 201.
// Every attribute is optional: the name defaults to "Virtual ticket", count and price to 0.
func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) {
	eventID := r.PathValue("eventId")
	a, ok := s.begin(w, r, "event", eventID, s.store.events.has, "ticket", "count", "description", "name", "price", "private")
	if !ok {
		return
	}
	t := ticket{EventID: eventID, Name: cmp.Or(a.str("name", false), "Virtual ticket")}
	if d, _ := a.optStr("description"); d != "" {
		t.Description = ptr(d)
	}
	if n, ok := get[int](a, "count", "an integer"); ok {
		if n < 0 {
			a.failAttr("count", "invalid", "count must not be negative")
		}
		t.Count, t.Remaining = n, n
	}
	if p, ok := get[float64](a, "price", "a number"); ok {
		if p < 0 {
			a.failAttr("price", "invalid", "price must not be negative")
		}
		t.Price = p
	}
	t.Private, _ = get[bool](a, "private", "a boolean")
	if a.ok(w) {
		writeOne(w, http.StatusCreated, "ticket", s.addTicket(t))
	}
}

// addTicket stores t as its event's last ticket and returns it as stored. Its slug is its
// name's, made unique within the event.
func (s *Server) addTicket(t ticket) ticket {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	t.ID = s.store.newID(kindTicket)
	t.CreatedAt = at(s.now())
	t.Slug = slugify(t.Name)
	if slices.ContainsFunc(s.store.tickets.all(t.EventID), func(o ticket) bool { return o.Slug == t.Slug }) {
		t.Slug += "-" + t.ID[:4]
	}
	s.store.tickets.put(t.EventID, t.ID, &t)
	s.store.stats.TicketsCreated++
	return t
}
