package rceventstest

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

var magicLinkFilters = []filterField{
	{"updatedAt", dateTimeField},
	{"email", stringField},
	{"includeConfirmAndJoin", booleanField},
}

func (m magicLink) stringValue(string) string  { return m.Email } // only "email"
func (m magicLink) timeValue(string) time.Time { return m.UpdatedAt.time() }
func (m magicLink) boolValue(string) bool      { return m.confirmAndJoin }

// listMagicLinks answers GET /v1/tickets/{ticketId}/magicLinks. Links made by the
// confirm-and-join flow are left out unless filter[includeConfirmAndJoin][eq]=true.
func (s *Server) listMagicLinks(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("ticketId")
	serveList(s, w, r, "magicLink", "ticket", id, magicLinkFilters, func(st *store, conds []condition) ([]magicLink, bool) {
		if !st.tickets.has(id) {
			return nil, false
		}
		include := false
		conds = slices.DeleteFunc(slices.Clone(conds), func(c condition) bool {
			if c.field == "includeConfirmAndJoin" {
				include = c.flag
				return true
			}
			return false
		})
		links := st.magicLinks.all(id)
		return slices.DeleteFunc(links, func(m magicLink) bool {
			return m.confirmAndJoin && !include || !matches(conds, m)
		}), true
	})
}

// getMagicLink answers GET /v1/magicLinks/{magicLinkId}.
func (s *Server) getMagicLink(w http.ResponseWriter, r *http.Request) {
	serveOne(s, w, "magicLink", "magic link", r.PathValue("magicLinkId"), s.store.magicLinks.value)
}

// deleteMagicLink answers DELETE /v1/magicLinks/{magicLinkId} with 204; the link is gone.
func (s *Server) deleteMagicLink(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("magicLinkId")
	s.store.mu.Lock()
	found := s.store.magicLinks.has(id)
	if found {
		s.store.magicLinks.remove(id)
		s.store.stats.MagicLinksDeleted++
	}
	s.store.mu.Unlock()
	if !found {
		writeNotFound(w, "magic link", id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// createMagicLink answers POST /v1/tickets/{ticketId}/magicLinks with 201. email, firstName
// and lastName are required; registrationId must name a registration of the ticket's event.
// A ticket of an organization whose plan lacks magic links is answered 422.
func (s *Server) createMagicLink(w http.ResponseWriter, r *http.Request) {
	ticketID := r.PathValue("ticketId")
	if !s.exists(&s.store.tickets, ticketID) {
		writeNotFound(w, "ticket", ticketID)
		return
	}
	a, ok := readBody(w, r, "magicLink")
	if !ok {
		return
	}
	a.only("email", "extraFields", "firstName", "headline", "lastName", "metadata", "registrationId")
	m := &magicLink{ticketID: ticketID}
	m.Email = a.email("email", true)
	m.FirstName, m.LastName = a.str("firstName", true), a.str("lastName", true)
	if h, ok := a.optStr("headline"); ok && h != "" {
		m.Headline = ptr(h)
	}
	extra, _ := a.stringMap("extraFields")
	metadata, _ := a.stringMap("metadata")
	m.ExtraFields, m.Metadata = nonNil(extra), nonNil(metadata)
	regID, _ := a.optStr("registrationId")
	if !a.ok(w) {
		return
	}

	s.store.mu.Lock()
	eventID := s.store.tickets.parentOf(ticketID)
	s.store.checkMagicLinkPlan(a, eventID, "/data")
	if regID != "" {
		if rs, _, ok := s.store.registration(regID); !ok || s.store.eventsByNo[rs.eventNo] != eventID {
			a.failAttr("registrationId", "invalid", fmt.Sprintf("registration %q is not a registration of the ticket's event", regID))
		}
		m.RegistrationID = ptr(regID)
	}
	if len(a.errs) > 0 {
		s.store.mu.Unlock()
		a.ok(w)
		return
	}
	s.store.addMagicLink(m, s.now())
	created := *m
	s.store.mu.Unlock()
	writeOne(w, http.StatusCreated, "magicLink", created)
}

// createLegacyMagicLink answers the deprecated POST /v1/magic_link, whose body and answer
// are flat and snake_case. The link it makes is an ordinary magic link of the ticket.
func (s *Server) createLegacyMagicLink(w http.ResponseWriter, r *http.Request) {
	a, ok := readFlatBody(w, r)
	if !ok {
		return
	}
	a.only("ticket_id", "first_name", "last_name", "email", "created_at")
	ticketID := a.str("ticket_id", true)
	m := &magicLink{ticketID: ticketID, ExtraFields: map[string]string{}, Metadata: map[string]string{}}
	m.FirstName, m.LastName = a.str("first_name", true), a.str("last_name", true)
	m.Email = a.email("email", true)
	created := s.now()
	if t, ok := a.time("created_at", false); ok {
		created = t
	}
	if !a.ok(w) {
		return
	}

	s.store.mu.Lock()
	if !s.store.tickets.has(ticketID) {
		a.failAttr("ticket_id", "invalid", fmt.Sprintf("ticket %q does not exist", ticketID))
	} else {
		s.store.checkMagicLinkPlan(a, s.store.tickets.parentOf(ticketID), "/ticket_id")
	}
	if len(a.errs) > 0 {
		s.store.mu.Unlock()
		a.ok(w)
		return
	}
	s.store.addMagicLink(m, created)
	out := legacyMagicLink{
		ID:             m.ID,
		FirstName:      m.FirstName,
		LastName:       m.LastName,
		Email:          m.Email,
		MagicLink:      m.MagicLink,
		RegistrationID: m.RegistrationID,
		CreatedAt:      m.CreatedAt.String(),
	}
	s.store.mu.Unlock()
	writeOne(w, http.StatusCreated, "magic_link", out)
}

// checkMagicLinkPlan records a 422 when the event's organization's plan lacks magic links.
// The caller holds a lock.
func (st *store) checkMagicLinkPlan(a *attrs, eventID, pointer string) {
	org, _ := st.orgs.get(st.events.parentOf(eventID))
	if org != nil && !org.magicLinks {
		a.errs = append(a.errs, apiError{
			Code:   "plan_limit",
			Detail: "Organization does not have Magic links available in current plan",
			Source: errorSource{Pointer: pointer},
		})
	}
}

// addMagicLink stores a new magic link of m.ticketID. The caller holds the write lock.
func (st *store) addMagicLink(m *magicLink, created time.Time) {
	m.ID = st.newID(kindMagicLink)
	m.MagicLink = "https://events.ringcentral.com/magic/" + newToken()[:24]
	m.CreatedAt, m.UpdatedAt = at(created), at(created)
	st.magicLinks.put(m.ticketID, m.ID, m)
	st.stats.MagicLinksCreated++
}
