package rceventstest

import (
	"fmt"
	"net/http"
	"regexp"

	rcevents "github.com/rcevents/rcevents-go"
)

// The values the SDK knows for the enumerated attributes of events, so the fake and the
// SDK never disagree on them.
var (
	eventTypes            = rcevents.EventTypes()
	attendeesVisibilities = rcevents.AttendeesVisibilities()
	networkTypes          = rcevents.NetworkTypes()

	currencyPattern = regexp.MustCompile(`^[A-Za-z]{3}$`)
	colorPattern    = regexp.MustCompile(`^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$`)
	slugPattern     = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
)

// eventCopyAttributes are the attributes of creation from a template and of duplication.
var eventCopyAttributes = []string{"auto_publish", "metadata", "name", "organizationId", "password", "timeEnd", "timeStart", "timezone", "type"}

// listTemplates answers GET /v1/organizations/{organizationId}/templates. The reference
// documents this list without meta and links, and without paging: it is answered whole.
func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("organizationId")
	items, found := lookup(s, func(id string) ([]template, bool) { return s.store.templates.all(id), s.store.orgs.has(id) }, id)
	if !found {
		writeNotFound(w, "organization", id)
		return
	}
	writeJSON(w, http.StatusOK, document[[]resource[template]]{Data: newResources("template", items)})
}

// createEvent answers POST /v1/organizations/{organizationId}/events with 201 and the new
// event, unpublished ("draft").
func (s *Server) createEvent(w http.ResponseWriter, r *http.Request) {
	orgID := r.PathValue("organizationId")
	a, ok := s.begin(w, r, "organization", orgID, s.store.orgs.has, "event",
		"analyticsCode", "attendeesVisibility", "attendeesVisiblity", "color", "currency", "description",
		"doorsCloseAfterMinutes", "doorsOpenBeforeMinutes", "eventType", "gdprText", "hidePeopleArea", "message",
		"name", "networkType", "password", "shortDescription", "slug", "suppressEmails", "timeEnd", "timeStart",
		"timerLength", "timezone")
	if !ok {
		return
	}
	e := &event{orgID: orgID, Status: "draft", Type: string(rcevents.EventTypePublicEvent)}
	e.Name = a.str("name", true)
	if c := a.str("currency", true); c != "" && !currencyPattern.MatchString(c) {
		a.failAttr("currency", "invalid", fmt.Sprintf("currency %q is not a three-letter ISO 4217 code", c))
	}
	e.TimeStart, e.TimeEnd = a.span(true)
	e.Timezone = a.timezone("timezone", true)
	e.Description, _ = a.optStr("description")
	if t := enum(a, "eventType", false, eventTypes...); t != "" {
		e.Type = string(t)
	}
	enum(a, "attendeesVisibility", false, attendeesVisibilities...)
	enum(a, "attendeesVisiblity", false, attendeesVisibilities...)
	enum(a, "networkType", false, networkTypes...)
	if c := a.str("color", false); c != "" && !colorPattern.MatchString(c) {
		a.failAttr("color", "invalid", fmt.Sprintf("color %q is not a hex color such as \"#fff\"", c))
	}
	for _, name := range []string{"analyticsCode", "gdprText", "message", "password", "shortDescription"} {
		a.str(name, false)
	}
	for _, name := range []string{"doorsCloseAfterMinutes", "doorsOpenBeforeMinutes", "timerLength"} {
		if n, ok := get[int](a, name, "an integer"); ok && n < 0 {
			a.failAttr(name, "invalid", name+" must not be negative")
		}
	}
	get[bool](a, "hidePeopleArea", "a boolean")
	get[bool](a, "suppressEmails", "a boolean")
	e.Slug = a.str("slug", false)
	if e.Slug != "" && !slugPattern.MatchString(e.Slug) {
		a.failAttr("slug", "invalid", fmt.Sprintf("slug %q may hold only lowercase letters, digits and single dashes", e.Slug))
	}
	if !a.ok(w) {
		return
	}
	created, ok := s.addEvent(e)
	if !ok {
		a.failAttr("slug", "taken", fmt.Sprintf("slug %q has already been taken", e.Slug))
		a.ok(w)
		return
	}
	writeOne(w, http.StatusCreated, "event", created)
}

// createEventFromTemplate answers POST /v1/templates/{templateID}/event with 201 and the
// new event, which takes its description from the template; auto_publish publishes it.
func (s *Server) createEventFromTemplate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("templateId")
	a, ok := s.begin(w, r, "template", id, s.store.templates.has, "event", eventCopyAttributes...)
	if !ok {
		return
	}
	tmpl, _ := lookup(s, s.store.templates.value, id)
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
	a, ok := s.begin(w, r, "event", id, s.store.events.has, "event", eventCopyAttributes...)
	if !ok {
		return
	}
	orig, _ := lookup(s, s.store.events.value, id)
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

// eventCopy applies eventCopyAttributes to e; with required, name, organizationId,
// timeStart, timeEnd and timezone must be sent.
func (a *attrs) eventCopy(e *event, required bool, s *Server) {
	if name := a.str("name", required); name != "" {
		e.Name = name
	}
	if org := a.str("organizationId", required); org != "" {
		if !s.exists(s.store.orgs.has, org) {
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
	if t := enum(a, "type", false, eventTypes...); t != "" {
		e.Type = string(t)
	}
	if e.Type == "" {
		e.Type = string(rcevents.EventTypePublicEvent)
	}
	if m, ok := get[map[string]any](a, "metadata", "an object"); ok {
		e.Metadata = m
	}
	a.str("password", false)
	e.Status = "draft"
	if publish, _ := get[bool](a, "auto_publish", "a boolean"); publish {
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
	return ptr(at(t0)), ptr(at(t1))
}
