package rceventstest

import "net/http"

// listTickets answers GET /v1/events/{eventId}/tickets.
func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("eventId")
	serveList(s, w, r, "ticket", "event", id, nil, children(&s.store.tickets, &s.store.events, id))
}

// getTicket answers GET /v1/tickets/{ticketId}.
func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) {
	serveOne(s, w, "ticket", "ticket", r.PathValue("ticketId"), s.store.tickets.value)
}

// createTicket answers POST /v1/events/{eventId}/tickets (beta: a virtual ticket) with 201.
// Every attribute is optional: the name defaults to "Virtual ticket", count and price to 0.
func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) {
	eventID := r.PathValue("eventId")
	if !s.exists(&s.store.events, eventID) {
		writeNotFound(w, "event", eventID)
		return
	}
	a, ok := readBody(w, r, "ticket")
	if !ok {
		return
	}
	a.only("count", "description", "name", "price", "private")
	t := &ticket{EventID: eventID, Name: "Virtual ticket"}
	if name := a.str("name", false); name != "" {
		t.Name = name
	}
	if d, ok := a.optStr("description"); ok && d != "" {
		t.Description = ptr(d)
	}
	if n, ok := a.integer("count"); ok {
		if n < 0 {
			a.failAttr("count", "invalid", "count must not be negative")
		}
		t.Count, t.Remaining = n, n
	}
	if p, ok := a.number("price"); ok {
		if p < 0 {
			a.failAttr("price", "invalid", "price must not be negative")
		}
		t.Price = p
	}
	t.Private, _ = a.boolean("private")
	if !a.ok(w) {
		return
	}
	s.store.mu.Lock()
	t.ID = s.store.newID(kindTicket)
	t.CreatedAt = at(s.now())
	t.Slug = slugify(t.Name)
	for _, other := range s.store.tickets.all(eventID) {
		if other.Slug == t.Slug {
			t.Slug += "-" + t.ID[:4]
			break
		}
	}
	s.store.tickets.put(eventID, t.ID, t)
	s.store.stats.TicketsCreated++
	created := *t
	s.store.mu.Unlock()
	writeOne(w, http.StatusCreated, "ticket", created)
}

// listBankQuestions answers GET /v1/tickets/{ticketId}/bankQuestions.
func (s *Server) listBankQuestions(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("ticketId")
	serveList(s, w, r, "bank_question", "ticket", id, nil, func(st *store, _ []condition) ([]bankQuestion, bool) {
		return st.questions.pick(st.ticketQs[id]), st.tickets.has(id)
	})
}
