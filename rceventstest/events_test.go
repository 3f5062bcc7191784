package rceventstest_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestHealth(t *testing.T) {
	_, c := start(t)
	r := c.do(http.MethodGet, "/v1/health", nil)
	if r.Status != http.StatusOK || strings.TrimSpace(string(r.Body)) != `{"status":"ok"}` {
		t.Fatalf("health: %d %s", r.Status, r.Body)
	}
}

func TestOrganizations(t *testing.T) {
	srv, c := start(t)
	l := c.list("/v1/organizations")
	if l.Meta.Count != 2 || len(l.Data) != 2 {
		t.Fatalf("organizations: count %d, %d items", l.Meta.Count, len(l.Data))
	}
	for _, o := range l.Data {
		checkResource(t, o, "organization")
	}
	if l.Data[0].ID != srv.Fixtures.OrganizationID || l.Data[1].ID != srv.Fixtures.OtherOrganizationID {
		t.Errorf("organization order: %s, %s", l.Data[0].ID, l.Data[1].ID)
	}
	org := c.get("/v1/organizations/" + srv.Fixtures.OrganizationID)
	checkResource(t, org, "organization")
	if org.Attributes["name"] != "Harborview Tech Collective" || org.Attributes["facebook"] != nil {
		t.Errorf("organization: %v", org.Attributes)
	}
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/organizations/nope", nil)
}

func TestTemplates(t *testing.T) {
	srv, c := start(t)
	r := c.do(http.MethodGet, "/v1/organizations/"+srv.Fixtures.OrganizationID+"/templates", nil)
	if r.Status != http.StatusOK || strings.Contains(string(r.Body), `"meta"`) || strings.Contains(string(r.Body), `"links"`) {
		t.Fatalf("templates: %d %s", r.Status, r.Body)
	}
	l := expect[listJSON](c, http.StatusOK, http.MethodGet, "/v1/organizations/"+srv.Fixtures.OrganizationID+"/templates", nil)
	if len(l.Data) != 2 || l.Data[0].ID != srv.Fixtures.TemplateID {
		t.Fatalf("templates: %+v", l.Data)
	}
	checkResource(t, l.Data[0], "template")
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/organizations/nope/templates", nil)
}

func TestCreateEventFromTemplate(t *testing.T) {
	srv, c := start(t)
	path := "/v1/templates/" + srv.Fixtures.TemplateID + "/event"
	attrs := map[string]any{
		"name":           "Harborview DevCon 2026",
		"organizationId": srv.Fixtures.OrganizationID,
		"timeStart":      "2026-09-15T08:00:00Z",
		"timeEnd":        "2026-09-16T17:00:00+01:00",
		"timezone":       "Europe/London",
		"type":           "private_event",
		"auto_publish":   true,
		"metadata":       map[string]any{"budget": 120000, "owner": "events-team"},
		"password":       "s3cret",
	}
	ev := expect[oneJSON](c, http.StatusCreated, http.MethodPost, path, body("event", attrs)).Data
	checkResource(t, ev, "event")
	a := ev.Attributes
	if a["name"] != "Harborview DevCon 2026" || a["published"] != true || a["type"] != "private_event" ||
		a["timeEnd"] != "2026-09-16T16:00:00.000Z" || a["slug"] != "harborview-devcon-2026" ||
		a["metadata"].(map[string]any)["owner"] != "events-team" || !strings.HasPrefix(a["description"].(string), "Two conference days") {
		t.Errorf("event from template: %v", a)
	}
	if got := c.get("/v1/events/" + ev.ID); got.Attributes["name"] != "Harborview DevCon 2026" {
		t.Errorf("GET the new event: %v", got.Attributes)
	}
	events := c.all("/v1/organizations/" + srv.Fixtures.OrganizationID + "/events")
	if events[len(events)-1].ID != ev.ID {
		t.Errorf("the new event is not last in the list")
	}
	if srv.Stats().EventsCreated != 1 {
		t.Errorf("Stats: %+v", srv.Stats())
	}

	// Each required attribute, missing, is named in the 422.
	errs := c.failure(http.StatusUnprocessableEntity, http.MethodPost, path, body("event", map[string]any{}))
	want := []string{"/data/attributes/name", "/data/attributes/organizationId", "/data/attributes/timeEnd", "/data/attributes/timeStart", "/data/attributes/timezone"}
	if got := pointers(errs); !slices.Equal(got, want) {
		t.Errorf("missing attributes: %v, want %v", got, want)
	}
	for attr, bad := range map[string]any{"timezone": "Mars/Olympus_Mons", "type": "secret_event", "organizationId": "nope", "timeStart": "yesterday"} {
		a := map[string]any{}
		for k, v := range attrs {
			a[k] = v
		}
		a[attr] = bad
		errs := c.failure(http.StatusUnprocessableEntity, http.MethodPost, path, body("event", a))
		if got := pointers(errs); !slices.Equal(got, []string{"/data/attributes/" + attr}) {
			t.Errorf("bad %s: %v", attr, got)
		}
	}
	c.failure(http.StatusNotFound, http.MethodPost, "/v1/templates/nope/event", body("event", attrs))
	c.failure(http.StatusUnprocessableEntity, http.MethodPost, path, body("ticket", attrs))
	c.failure(http.StatusBadRequest, http.MethodPost, path, `{"data":`)
}

func TestEvents(t *testing.T) {
	srv, c := start(t)
	fx := srv.Fixtures
	l := c.list("/v1/organizations/" + fx.OrganizationID + "/events")
	if l.Meta.Count != 3 {
		t.Fatalf("events: count %d", l.Meta.Count)
	}
	var ids []string
	for _, e := range l.Data {
		checkResource(t, e, "event")
		ids = append(ids, e.ID)
	}
	if !slices.Equal(ids, []string{fx.EventID, fx.PastEventID, fx.DraftEventID}) {
		t.Errorf("events %v", ids)
	}
	draft := c.get("/v1/events/" + fx.DraftEventID)
	if draft.Attributes["timeStart"] != nil || draft.Attributes["timeEnd"] != nil || draft.Attributes["published"] != false {
		t.Errorf("draft: %v", draft.Attributes)
	}
	main := c.get("/v1/events/" + fx.EventID)
	if main.Attributes["timeStart"] != "2025-09-16T08:00:00.000Z" || main.Attributes["metadata"].(map[string]any)["region"] != "emea" {
		t.Errorf("main event: %v", main.Attributes)
	}
	if other := c.list("/v1/organizations/" + fx.OtherOrganizationID + "/events"); other.Meta.Count != 1 || other.Data[0].ID != fx.OtherEventID {
		t.Errorf("other organization's events: %+v", other)
	}
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/events/nope", nil)
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/organizations/nope/events", nil)
}

func TestCreateEvent(t *testing.T) {
	srv, c := start(t)
	path := "/v1/organizations/" + srv.Fixtures.OrganizationID + "/events"
	valid := func() map[string]any {
		return map[string]any{
			"name":                   "Security Summit",
			"currency":               "EUR",
			"timeStart":              "2026-03-10T09:00:00Z",
			"timeEnd":                "2026-03-10T18:00:00Z",
			"timezone":               "Europe/Berlin",
			"attendeesVisibility":    "show_list",
			"eventType":              "hidden_event",
			"networkType":            "ticket_holder",
			"color":                  "#0a7",
			"description":            "A day on application security.",
			"doorsOpenBeforeMinutes": 15,
			"hidePeopleArea":         false,
			"suppressEmails":         true,
			"timerLength":            0,
		}
	}
	ev := expect[oneJSON](c, http.StatusCreated, http.MethodPost, path, body("event", valid())).Data
	checkResource(t, ev, "event")
	if a := ev.Attributes; a["type"] != "hidden_event" || a["published"] != false || a["status"] != "draft" || a["timezone"] != "Europe/Berlin" || a["slug"] != "security-summit" {
		t.Errorf("created event: %v", a)
	}
	if l := c.list(path); l.Meta.Count != 4 || l.Data[3].ID != ev.ID {
		t.Errorf("the created event is not listed: count %d", l.Meta.Count)
	}
	// The same name again gets another slug; an explicit slug in use is refused.
	again := expect[oneJSON](c, http.StatusCreated, http.MethodPost, path, body("event", valid())).Data
	if again.Attributes["slug"] != "security-summit-2" {
		t.Errorf("second slug %v", again.Attributes["slug"])
	}
	withSlug := valid()
	withSlug["slug"] = "security-summit"
	c.failure(http.StatusUnprocessableEntity, http.MethodPost, path, body("event", withSlug))

	// The deprecated misspelling is still accepted.
	deprecated := valid()
	delete(deprecated, "attendeesVisibility")
	deprecated["attendeesVisiblity"] = "show_none"
	expect[oneJSON](c, http.StatusCreated, http.MethodPost, path, body("event", deprecated))

	errs := c.failure(http.StatusUnprocessableEntity, http.MethodPost, path, body("event", map[string]any{"description": "no name"}))
	want := []string{"/data/attributes/currency", "/data/attributes/name", "/data/attributes/timeEnd", "/data/attributes/timeStart", "/data/attributes/timezone"}
	if got := pointers(errs); !slices.Equal(got, want) {
		t.Errorf("missing: %v, want %v", got, want)
	}
	for attr, bad := range map[string]any{
		"attendeesVisibility": "show_some",
		"attendeesVisiblity":  "everyone",
		"eventType":           "party",
		"networkType":         "nobody",
		"timezone":            "Europe/Atlantis",
		"currency":            "EURO",
		"color":               "teal",
		"timeEnd":             "2026-03-09T09:00:00Z",
		"name":                42,
		"start_at":            "2026-03-10T09:00:00Z",
	} {
		a := valid()
		a[attr] = bad
		errs := c.failure(http.StatusUnprocessableEntity, http.MethodPost, path, body("event", a))
		if got := pointers(errs); !slices.Equal(got, []string{"/data/attributes/" + attr}) {
			t.Errorf("bad %s: %v", attr, got)
		}
	}
	c.failure(http.StatusNotFound, http.MethodPost, "/v1/organizations/nope/events", body("event", valid()))
	if got := srv.Stats().EventsCreated; got != 3 {
		t.Errorf("EventsCreated = %d, want 3", got)
	}
}

func TestDuplicateEvent(t *testing.T) {
	srv, c := start(t)
	fx := srv.Fixtures
	path := "/v1/events/" + fx.PastEventID + "/duplications"
	r := c.do(http.MethodPost, path, body("event", map[string]any{"name": "Roadmap Webinar: Q3 2025", "timeStart": "2025-09-11T16:00:00Z", "timeEnd": "2025-09-11T17:00:00Z"}))
	if r.Status != http.StatusAccepted || len(r.Body) != 0 {
		t.Fatalf("duplicate: %d %q", r.Status, r.Body)
	}
	events := c.all("/v1/organizations/" + fx.OrganizationID + "/events")
	cp := events[len(events)-1]
	if len(events) != 4 || cp.Attributes["name"] != "Roadmap Webinar: Q3 2025" || cp.Attributes["timezone"] != "America/New_York" || cp.Attributes["timeStart"] != "2025-09-11T16:00:00.000Z" {
		t.Fatalf("copy: %v", cp.Attributes)
	}
	// Without a body, the copy keeps everything but the name.
	if r := c.do(http.MethodPost, "/v1/events/"+fx.EventID+"/duplications", nil); r.Status != http.StatusAccepted {
		t.Fatalf("duplicate without a body: %d %s", r.Status, r.Body)
	}
	events = c.all("/v1/organizations/" + fx.OrganizationID + "/events")
	if cp := events[len(events)-1]; cp.Attributes["name"] != "Harborview DevCon 2025 (copy)" || cp.Attributes["published"] != false {
		t.Errorf("copy without a body: %v", cp.Attributes)
	}
	// Into the other organization.
	c.do(http.MethodPost, path, body("event", map[string]any{"organizationId": fx.OtherOrganizationID, "auto_publish": true}))
	if l := c.list("/v1/organizations/" + fx.OtherOrganizationID + "/events"); l.Meta.Count != 2 || l.Data[1].Attributes["published"] != true {
		t.Errorf("copy into the other organization: %+v", l.Data)
	}
	c.failure(http.StatusUnprocessableEntity, http.MethodPost, path, body("event", map[string]any{"timezone": "Nowhere"}))
	c.failure(http.StatusUnprocessableEntity, http.MethodPost, path, body("event", map[string]any{"timeStart": "2025-09-11T16:00:00Z"}))
	c.failure(http.StatusNotFound, http.MethodPost, "/v1/events/nope/duplications", nil)
	if got := srv.Stats().EventsCreated; got != 3 {
		t.Errorf("EventsCreated = %d, want 3", got)
	}
}

func TestUnroutedPaths(t *testing.T) {
	srv, c := start(t)
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/nothing/here", nil)
	r := c.do(http.MethodPut, "/v1/events/"+srv.Fixtures.EventID, nil)
	if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET" {
		t.Errorf("PUT on an event: %d, Allow %q", r.Status, r.Header.Get("Allow"))
	}
}
