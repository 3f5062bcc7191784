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

func (m magicLink) filterValue(field string) any {
	if field == "email" {
		return m.Email
	}
	return m.UpdatedAt.time() // includeConfirmAndJoin is not matched: see magicLinksOf
}

// magicLinksOf lists the magic links of a ticket that match conds. Links made by the
// confirm-and-join flow are left out unless filter[includeConfirmAndJoin][eq]=true.
func (st *store) magicLinksOf(ticketID string, conds []condition) ([]magicLink, bool) {
	include := false
	conds = slices.DeleteFunc(slices.Clone(conds), func(c condition) bool {
		if c.field == "includeConfirmAndJoin" {
			include = c.flag
			return true
		}
		return false
	})
	return slices.DeleteFunc(st.magicLinks.all(ticketID), func(m magicLink) bool {
		return m.confirmAndJoin && !include || !matches(conds, m) || !st.listed(m.ID)
	}), st.tickets.has(ticketID)
}

// deleteMagicLink answers DELETE /v1/magicLinks/{magicLinkId} with 204; the link is gone.
func (s *Server) deleteMagicLink(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("magicLinkId")
	if !s.removeMagicLink(id) {
		writeNotFound(w, "magic link", id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// removeMagicLink deletes a magic link and reports whether there was one.
func (s *Server) removeMagicLink(id string) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if !s.store.magicLinks.has(id) {
		return false
	}
	s.store.magicLinks.remove(id)
	s.store.stats.MagicLinksDeleted++
	return true
}

// createMagicLink answers POST /v1/tickets/{ticketId}/magicLinks with 201. email, firstName
// and lastName are required; registrationId must name a registration of the ticket's event.
// A ticket of an organization whose plan lacks magic links is answered 422.
func (s *Server) createMagicLink(w http.ResponseWriter, r *http.Request) {
	ticketID := r.PathValue("ticketId")
	a, ok := s.begin(w, r, "ticket", ticketID, s.store.tickets.has, "magicLink",
		"email", "extraFields", "firstName", "headline", "lastName", "metadata", "registrationId")
	if !ok {
		return
	}
	m := magicLink{ticketID: ticketID, Email: a.email("email", true), FirstName: a.str("firstName", true), LastName: a.str("lastName", true)}
	if h, _ := a.optStr("headline"); h != "" {
		m.Headline = ptr(h)
	}
	m.ExtraFields, _ = get[map[string]string](a, "extraFields", "an object of strings")
	m.Metadata, _ = get[map[string]string](a, "metadata", "an object of strings")
	if id, _ := a.optStr("registrationId"); id != "" {
		m.RegistrationID = ptr(id)
	}
	if !a.ok(w) {
		return
	}
	created := s.addMagicLink(a, m, s.now(), "/data")
	if a.ok(w) {
		writeOne(w, http.StatusCreated, "magicLink", created)
	}
}

// createLegacyMagicLink answers the deprecated POST /v1/magic_link, whose body and answer
// are flat and snake_case. The link it makes is an ordinary magic link of the ticket.
func (s *Server) createLegacyMagicLink(w http.ResponseWriter, r *http.Request) {
	a, ok := readFlatBody(w, r)
	if !ok {
		return
	}
	a.only("ticket_id", "first_name", "last_name", "email", "created_at")
	m := magicLink{ticketID: a.str("ticket_id", true), FirstName: a.str("first_name", true), LastName: a.str("last_name", true), Email: a.email("email", true)}
	created := s.now()
	if t, ok := a.time("created_at", false); ok {
		created = t
	}
	if !a.ok(w) {
		return
	}
	m = s.addMagicLink(a, m, created, "/ticket_id")
	if a.ok(w) {
		writeOne(w, http.StatusCreated, "magic_link", legacyMagicLink{ID: m.ID, FirstName: m.FirstName, LastName: m.LastName,
			Email: m.Email, MagicLink: m.MagicLink, RegistrationID: m.RegistrationID, CreatedAt: m.CreatedAt.String()})
	}
}

// addMagicLink stores m, created at created, as its ticket's last magic link and returns it
// as stored. It stores nothing, and records why on a, when the ticket does not exist, when
// its organization's plan lacks magic links (an error whose pointer is planPointer), or
// when m names a registration that is not one of the ticket's event.
func (s *Server) addMagicLink(a *attrs, m magicLink, created time.Time, planPointer string) magicLink {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	st := s.store
	eventID := st.tickets.parentOf(m.ticketID)
	org, _ := st.orgs.get(st.events.parentOf(eventID))
	switch {
	case eventID == "":
		a.failAttr("ticket_id", "invalid", fmt.Sprintf("ticket %q does not exist", m.ticketID))
	case !org.magicLinks:
		a.errs = append(a.errs, apiError{Code: "plan_limit", Detail: "Organization does not have Magic links available in current plan", Source: errorSource{Pointer: planPointer}})
	}
	if m.RegistrationID != nil {
		if rs, _, ok := st.registration(*m.RegistrationID); !ok || st.ids.encode(kindEvent, rs.eventNo) != eventID {
			a.failAttr("registrationId", "invalid", fmt.Sprintf("registration %q is not a registration of the ticket's event", *m.RegistrationID))
		}
	}
	if len(a.errs) > 0 {
		return magicLink{}
	}
	m.ID = st.newID(kindMagicLink)
	m.MagicLink = "https://events.ringcentral.com/magic/" + newToken()[:24]
	m.CreatedAt, m.UpdatedAt = at(created), at(created)
	st.magicLinks.put(m.ticketID, m.ID, &m)
	st.hide(m.ID)
	st.stats.MagicLinksCreated++
	return m
}
