package rceventstest_test

import (
	"math"
	"net/http"
	"slices"
	"testing"
)

func TestTickets(t *testing.T) {
	srv, c := start(t)
	fx := srv.Fixtures
	l := c.list("/v1/events/" + fx.EventID + "/tickets")
	if l.Meta.Count != 4 || l.Data[0].ID != fx.TicketID || l.Data[1].ID != fx.VIPTicketID {
		t.Fatalf("tickets: %+v", l)
	}
	claimed, discounts := 0.0, map[bool]bool{}
	for _, tk := range l.Data {
		checkResource(t, tk, "ticket")
		a := tk.Attributes
		if a["eventId"] != fx.EventID || a["claimed"].(float64)+a["remaining"].(float64) != a["count"].(float64) {
			t.Errorf("ticket counts: %v", a)
		}
		claimed += a["claimed"].(float64)
		discounts[a["discount"] == nil] = true
	}
	if claimed != float64(fx.Registrations) || len(discounts) != 2 {
		t.Errorf("claimed %v of %d registrations; discounts null and set: %v", claimed, fx.Registrations, discounts)
	}
	ga := c.get("/v1/tickets/" + fx.TicketID)
	if ga.Attributes["name"] != "General Admission" || ga.Attributes["price"] != 349.0 || ga.Attributes["slug"] != "general-admission" {
		t.Errorf("GA: %v", ga.Attributes)
	}
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/tickets/nope", nil)
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/events/nope/tickets", nil)
}

func TestCreateTicket(t *testing.T) {
	srv, c := start(t)
	path := "/v1/events/" + srv.Fixtures.EventID + "/tickets"
	tk := expect[oneJSON](c, http.StatusCreated, http.MethodPost, path, body("ticket", map[string]any{
		"name": "Student Pass", "description": "Valid student ID required.", "count": 50, "price": 49.5, "private": true,
	})).Data
	checkResource(t, tk, "ticket")
	if a := tk.Attributes; a["count"] != 50.0 || a["remaining"] != 50.0 || a["claimed"] != 0.0 || a["price"] != 49.5 || a["private"] != true || a["discount"] != nil || a["slug"] != "student-pass" {
		t.Errorf("created ticket: %v", a)
	}
	if l := c.list(path); l.Meta.Count != 5 || l.Data[4].ID != tk.ID {
		t.Errorf("the ticket is not listed")
	}
	if got := c.get("/v1/tickets/" + tk.ID); got.Attributes["name"] != "Student Pass" {
		t.Errorf("GET ticket: %v", got.Attributes)
	}
	// Every attribute is optional.
	bare := expect[oneJSON](c, http.StatusCreated, http.MethodPost, path, nil).Data
	if bare.Attributes["name"] != "Virtual ticket" || bare.Attributes["description"] != nil {
		t.Errorf("bare ticket: %v", bare.Attributes)
	}
	for _, attrs := range []map[string]any{{"price": -1}, {"count": -3}, {"price": "free"}, {"private": "yes"}} {
		c.failure(http.StatusUnprocessableEntity, http.MethodPost, path, body("ticket", attrs))
	}
	c.failure(http.StatusNotFound, http.MethodPost, "/v1/events/nope/tickets", body("ticket", nil))
	if got := srv.Stats().TicketsCreated; got != 2 {
		t.Errorf("TicketsCreated = %d", got)
	}
}

func TestBankQuestions(t *testing.T) {
	srv, c := start(t)
	l := c.list("/v1/tickets/" + srv.Fixtures.VIPTicketID + "/bankQuestions")
	types := map[string]bool{}
	for _, q := range l.Data {
		checkResource(t, q, "bank_question")
		a := q.Attributes
		types[a["fieldType"].(string)] = true
		for _, o := range asList(a["options"]) {
			checkOption(t, o)
		}
		for _, cq := range asList(a["childQuestions"]) {
			cq := cq.(map[string]any)
			if got := keys(cq); !slices.Equal(got, []string{"defaultAnswer", "field_type", "id", "name", "options"}) {
				t.Errorf("child question keys %v", got)
			}
			if !integral(cq["id"]) {
				t.Errorf("child question id %v is not an integer", cq["id"])
			}
			for _, o := range asList(cq["options"]) {
				checkOption(t, o)
			}
		}
	}
	if want := []string{"conditional", "date", "multiSelect", "singleLineText", "singleSelect"}; len(types) != len(want) {
		t.Errorf("question types %v, want %v", types, want)
	}
	if none := c.list("/v1/tickets/" + srv.Fixtures.NoMagicLinkTicketID + "/bankQuestions"); none.Meta.Count != 0 {
		t.Errorf("questions of a ticket without any: %d", none.Meta.Count)
	}
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/tickets/nope/bankQuestions", nil)
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func integral(v any) bool {
	f, ok := v.(float64)
	return ok && f == math.Trunc(f)
}

func checkOption(t *testing.T, o any) {
	t.Helper()
	m := o.(map[string]any)
	if got := keys(m); !slices.Equal(got, []string{"defaultAnswer", "id", "name", "seq"}) {
		t.Errorf("option keys %v", got)
	}
	if !integral(m["id"]) {
		t.Errorf("option id %v is not an integer", m["id"])
	}
	if _, ok := m["seq"].(string); !ok {
		t.Errorf("option seq %v is not a string", m["seq"])
	}
}
