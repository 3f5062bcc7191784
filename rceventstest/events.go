package rceventstest

import (
	"fmt"
	"net/http"
	"regexp"
)

var (
	eventTypes           = []string{"hidden_event", "private_event", "public_event"}
	attendeesVisibilites = []string{"show_all", "show_list", "show_none"}
	networkTypes         = []string{"everyone", "ticket_holder"}

	currencyPattern = regexp.MustCompile(`^[A-Za-z]{3}$`)
	colorPattern    = regexp.MustCompile(`^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$`)
	slugPattern     = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
)

// listEvents answers GET /v1/organizations/{organizationId}/events.
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("organizationId")
	serveList(s, w, r, "event", "organization", id, nil, children(&s.store.events, &s.store.orgs, id))
}

// getEvent answers GET /v1/events/{eventId}.
func (s *Server) getEvent(w http.ResponseWriter, r *http.Request) {
	serveOne(s, w, "event", "event", r.PathValue("eventId"), s.store.events.value)
}

// createEvent answers POST /v1/organizations/{organizationId}/events with 201 and the new
// event, unpublished ("draft").
func (s *Server) createEvent(w http.ResponseWriter, r *http.Request) {
	orgID := r.PathValue("organizationId")
	if !s.exists(&s.store.orgs, orgID) {
		writeNotFound(w, "organization", orgID)
		return
	}
	a, ok := readBody(w, r, "event")
	if !ok {
		return
	}
	a.only("analyticsCode", "attendeesVisibility", "attendeesVisiblity", "color", "currency", "description",
		"doorsCloseAfterMinutes", "doorsOpenBeforeMinutes", "eventType", "gdprText", "hidePeopleArea", "message",
		"name", "networkType", "password", "shortDescription", "slug", "suppressEmails", "timeEnd", "timeStart",
		"timerLength", "timezone")
	e := &event{orgID: orgID, Status: "draft", Metadata: map[string]any{}, Type: "public_event"}
	e.Name = a.str("name", true)
	if c := a.str("currency", true); c != "" && !currencyPattern.MatchString(c) {
		a.failAttr("currency", "invalid", fmt.Sprintf("currency %q is not a three-letter ISO 4217 code", c))
	}
	e.TimeStart, e.TimeEnd = a.span(true)
	e.Timezone = a.timezone("timezone", true)
	e.Description, _ = a.optStr("description")
	if t := a.enum("eventType", false, eventTypes...); t != "" {
		e.Type = t
	}
	a.enum("attendeesVisibility", false, attendeesVisibilites...)
	a.enum("attendeesVisiblity", false, attendeesVisibilites...)
	a.enum("networkType", false, networkTypes...)
	if c := a.str("color", false); c != "" && !colorPattern.MatchString(c) {
		a.failAttr("color", "invalid", fmt.Sprintf("color %q is not a hex color such as \"#fff\"", c))
	}
	for _, name := range []string{"analyticsCode", "gdprText", "message", "password", "shortDescription"} {
		a.str(name, false)
	}
	for _, name := range []string{"doorsCloseAfterMinutes", "doorsOpenBeforeMinutes", "timerLength"} {
		if n, ok := a.integer(name); ok && n < 0 {
			a.failAttr(name, "invalid", name+" must not be negative")
		}
	}
	a.boolean("hidePeopleArea")
	a.boolean("suppressEmails")
	slug := a.str("slug", false)
	if slug != "" && !slugPattern.MatchString(slug) {
		a.failAttr("slug", "invalid", fmt.Sprintf("slug %q may hold only lowercase letters, digits and single dashes", slug))
	}
	if !a.ok(w) {
		return
	}

	e.Slug = slug
	created, ok := s.addEvent(e)
	if !ok {
		a.failAttr("slug", "taken", fmt.Sprintf("slug %q has already been taken", slug))
		a.ok(w)
		return
	}
	writeOne(w, http.StatusCreated, "event", created)
}

// createEventFromTemplate answers POST /v1/templates/{templateID}/event with 201 and the
// new event, which takes its description from the template; auto_publish publishes it.
func (s *Server) createEventFromTemplate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("templateId")
	tmpl, found := lookup(s, s.store.templates.value, id)
	if !found {
		writeNotFound(w, "template", id)
		return
	}
	a, ok := readBody(w, r, "event")
	if !ok {
		return
	}
	e := &event{Description: tmpl.description}
	a.eventCopy(e, true, s)
	if !a.ok(w) {
		return
	}
	created, _ := s.addEvent(e)
	writeOne(w, http.StatusCreated, "event", created)
}

// duplicateEvent answers POST /v1/events/{eventId}/duplications with 202 and no body. The
// copy (the event's attributes only, not its tickets or agenda) is an unpublished draft
// named "<name> (copy)" unless the body says otherwise; it appears in the event list.
func (s *Server) duplicateEvent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("eventId")
	orig, found := lookup(s, s.store.events.value, id)
	if !found {
		writeNotFound(w, "event", id)
		return
	}
	a, ok := readBody(w, r, "event")
	if !ok {
		return
	}
	e := &event{
		Description: orig.Description,
		Metadata:    orig.Metadata,
		Name:        orig.Name + " (copy)",
		TimeEnd:     orig.TimeEnd,
		TimeStart:   orig.TimeStart,
		Timezone:    orig.Timezone,
		Type:        orig.Type,
		orgID:       orig.orgID,
	}
	a.eventCopy(e, false, s)
	if !a.ok(w) {
		return
	}
	s.addEvent(e)
	w.WriteHeader(http.StatusAccepted)
}

// addEvent stores an event made through the API and returns a copy to answer with. It
// stores nothing and reports false when e asks for a slug already in use.
func (s *Server) addEvent(e *event) (event, bool) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if e.Slug != "" && s.store.slugs[e.Slug] {
		return event{}, false
	}
	e.CreatedAt = at(s.now())
	s.store.addEvent(e)
	s.store.stats.EventsCreated++
	return *e, true
}

// eventCopy applies the attributes shared by creation from a template and duplication to
// e; with required, name, organizationId, timeStart, timeEnd and timezone must be sent.
func (a *attrs) eventCopy(e *event, required bool, s *Server) {
	a.only("auto_publish", "metadata", "name", "organizationId", "password", "timeEnd", "timeStart", "timezone", "type")
	if name := a.str("name", required); name != "" {
		e.Name = name
	}
	if org := a.str("organizationId", required); org != "" {
		if !s.exists(&s.store.orgs, org) {
			a.failAttr("organizationId", "invalid", fmt.Sprintf("organization %q does not exist", org))
		}
		e.orgID = org
	}
	if start, end := a.span(required); start != nil {
		e.TimeStart, e.TimeEnd = start, end
	}
	if tz := a.timezone("timezone", required); tz != "" {
		e.Timezone = tz
	}
	if t := a.enum("type", false, eventTypes...); t != "" {
		e.Type = t
	}
	if e.Type == "" {
		e.Type = "public_event"
	}
	if m, ok := a.object("metadata"); ok {
		e.Metadata = m
	}
	if e.Metadata == nil {
		e.Metadata = map[string]any{}
	}
	a.str("password", false)
	e.Status = "draft"
	if publish, _ := a.boolean("auto_publish"); publish {
		e.Published, e.Status = true, "upcoming"
	}
}

// span reads timeStart and timeEnd, which come together: the end must follow the start.
// It returns nils when either is missing or invalid.
func (a *attrs) span(required bool) (start, end *apiTime) {
	t0, ok0 := a.time("timeStart", required)
	t1, ok1 := a.time("timeEnd", required)
	switch {
	case ok0 != ok1:
		missing := "timeEnd"
		if !ok0 {
			missing = "timeStart"
		}
		if !required && !a.has(missing) {
			a.failAttr(missing, "blank", missing+" must be sent together with the other end of the event")
		}
		return nil, nil
	case !ok0:
		return nil, nil
	case !t1.After(t0):
		a.failAttr("timeEnd", "invalid", "timeEnd must be after timeStart")
		return nil, nil
	}
	return atPtr(t0), atPtr(t1)
}
