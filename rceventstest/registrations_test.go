package rceventstest_test

import (
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rcevents/rcevents-go/rceventstest"
)

func TestRegistrationsList(t *testing.T) {
	srv, c := start(t)
	fx := srv.Fixtures
	path := "/v1/events/" + fx.EventID + "/registrations"
	first := c.list(path)
	if first.Meta.Count != 150 || len(first.Data) != 25 || fx.Registrations != 150 {
		t.Fatalf("registrations: count %d, %d items", first.Meta.Count, len(first.Data))
	}
	if first.Data[0].ID != fx.RegistrationID {
		t.Errorf("first registration %s, want %s", first.Data[0].ID, fx.RegistrationID)
	}
	regs := c.all(query(path, "perPage", "100"))
	if len(regs) != 150 {
		t.Fatalf("walked %d registrations", len(regs))
	}
	seen := map[string]bool{}
	nulls := map[string]int{}
	for _, r := range regs {
		checkResource(t, r, "registration")
		if seen[r.ID] {
			t.Errorf("registration %s listed twice", r.ID)
		}
		seen[r.ID] = true
		for k, v := range r.Attributes {
			if v == nil {
				nulls[k]++
			}
		}
		if !strings.Contains(r.Attributes["email"].(string), "@") {
			t.Errorf("email %v", r.Attributes["email"])
		}
	}
	// Every nullable attribute is null for some registrations and set for others.
	for _, k := range []string{"bio", "firstCheckIn", "headline", "linkedin", "magicLinkId", "phoneNumber", "qrCodeData", "qrCodeImageUrl", "twitter", "website"} {
		if nulls[k] == 0 || nulls[k] == len(regs) {
			t.Errorf("%s is null for %d of %d registrations", k, nulls[k], len(regs))
		}
	}
	// customRegistrationFields: strings, arrays of strings, child questions.
	var kinds = map[string]bool{}
	for _, r := range regs {
		for _, f := range r.Attributes["customRegistrationFields"].([]any) {
			f := f.(map[string]any)
			switch v := f["value"].(type) {
			case string:
				kinds["string"] = true
			case []any:
				kinds["array"] = true
				if _, ok := v[0].(string); !ok {
					t.Errorf("array answer %v", v)
				}
			}
			if kids, ok := f["childQuestions"].([]any); ok && len(kids) > 0 {
				kinds["children"] = true
				child := kids[0].(map[string]any)
				if got := keys(child); !slices.Equal(got, []string{"id", "name", "type", "value"}) {
					t.Errorf("child question keys %v", got)
				}
			}
		}
	}
	if len(kinds) != 3 {
		t.Errorf("custom field kinds seen: %v", kinds)
	}
	// The other organization's event asks no questions.
	other := c.list("/v1/events/" + fx.OtherEventID + "/registrations")
	if other.Meta.Count != 18 || other.Data[0].Attributes["customRegistrationFields"] != nil || other.Data[0].Attributes["questionBankEnabled"] != false {
		t.Errorf("other event's registrations: %d, %v", other.Meta.Count, other.Data[0].Attributes)
	}
	if draft := c.list("/v1/events/" + fx.DraftEventID + "/registrations"); draft.Meta.Count != 0 || len(draft.Data) != 0 || draft.Links.Next != nil {
		t.Errorf("draft registrations: %+v", draft)
	}

	got := c.get("/v1/registrations/" + regs[77].ID)
	if !reflect.DeepEqual(got, regs[77]) {
		t.Errorf("GET differs from the list:\n%v\n%v", got, regs[77])
	}
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/registrations/nope", nil)
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/registrations/zzzzzzzzzzzzz", nil)
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/registrations/"+fx.EventID, nil)
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/events/nope/registrations", nil)
}

func TestRegistrationFilters(t *testing.T) {
	srv, c := start(t)
	path := "/v1/events/" + srv.Fixtures.EventID + "/registrations"
	all := c.all(query(path, "perPage", "100"))
	when := func(r resourceJSON, field string) time.Time {
		v, _ := time.Parse(time.RFC3339, r.Attributes[field].(string))
		return v
	}
	pivot := when(all[60], "createdAt")
	updated := when(all[10], "updatedAt")
	refunded := 0
	for _, r := range all {
		if r.Attributes["refunded"] == true {
			refunded++
		}
	}
	if refunded == 0 {
		t.Fatal("no refunded registration seeded")
	}
	email := func(i int) string { return all[i].Attributes["email"].(string) }

	cases := []struct {
		name  string
		kv    []string
		match func(r resourceJSON) bool
	}{
		{"email eq", []string{"filter[email][eq]", email(3)}, func(r resourceJSON) bool { return r.ID == all[3].ID }},
		{"email in", []string{"filter[email][in]", email(3) + "," + email(90) + ",nobody@example.com"}, func(r resourceJSON) bool { return r.ID == all[3].ID || r.ID == all[90].ID }},
		{"createdAt gt", []string{"filter[createdAt][gt]", pivot.Format(time.RFC3339)}, func(r resourceJSON) bool { return when(r, "createdAt").After(pivot) }},
		{"createdAt gte", []string{"filter[createdAt][gte]", pivot.Format(time.RFC3339)}, func(r resourceJSON) bool { return !when(r, "createdAt").Before(pivot) }},
		{"createdAt lt", []string{"filter[createdAt][lt]", pivot.Format(time.RFC3339)}, func(r resourceJSON) bool { return when(r, "createdAt").Before(pivot) }},
		{"createdAt lte and gt", []string{"filter[createdAt][lte]", pivot.Format(time.RFC3339), "filter[createdAt][gt]", pivot.Add(-72 * time.Hour).Format(time.RFC3339)},
			func(r resourceJSON) bool {
				c := when(r, "createdAt")
				return !c.After(pivot) && c.After(pivot.Add(-72*time.Hour))
			}},
		{"createdAt eq with offset", []string{"filter[createdAt][eq]", pivot.In(time.FixedZone("", -5*3600)).Format(time.RFC3339)}, func(r resourceJSON) bool { return when(r, "createdAt").Equal(pivot) }},
		{"createdAt in", []string{"filter[createdAt][in]", pivot.Format(time.RFC3339) + "," + when(all[5], "createdAt").Format(time.RFC3339)}, func(r resourceJSON) bool {
			return when(r, "createdAt").Equal(pivot) || r.ID == all[5].ID
		}},
		{"updatedAt gte", []string{"filter[updatedAt][gte]", updated.Format(time.RFC3339)}, func(r resourceJSON) bool { return !when(r, "updatedAt").Before(updated) }},
		{"refunded eq true", []string{"filter[refunded][eq]", "true"}, func(r resourceJSON) bool { return r.Attributes["refunded"] == true }},
		{"refunded eq false", []string{"filter[refunded][eq]", "false"}, func(r resourceJSON) bool { return r.Attributes["refunded"] == false }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.all(query(path, append(tc.kv, "perPage", "100")...))
			var want []string
			for _, r := range all {
				if tc.match(r) {
					want = append(want, r.ID)
				}
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			if len(want) == 0 || !slices.Equal(ids, want) {
				t.Errorf("got %d registrations, want %d", len(ids), len(want))
			}
			// Filters carry over to the pagination links, and count the matches only.
			page := c.list(query(path, append(tc.kv, "perPage", "1")...))
			if page.Meta.Count != len(want) || !strings.Contains(page.Links.Last, "filter%5B") {
				t.Errorf("count %d, want %d; last link %s", page.Meta.Count, len(want), page.Links.Last)
			}
		})
	}

	// Strings compare exactly, as the reference's stringFilter says: another case is
	// another address.
	for _, kv := range [][]string{{"filter[email][eq]", strings.ToUpper(email(3))}, {"filter[email][in]", strings.ToUpper(email(3)) + "," + strings.ToUpper(email(90))}} {
		if l := c.list(query(path, kv...)); l.Meta.Count != 0 {
			t.Errorf("%s=%s: %d registrations, want 0", kv[0], kv[1], l.Meta.Count)
		}
	}

	// userUpdatedAt lies between createdAt and updatedAt, so both bounds hold.
	n := len(c.all(query(path, "filter[userUpdatedAt][gte]", pivot.Format(time.RFC3339), "perPage", "100")))
	if lower := len(c.all(query(path, "filter[createdAt][gte]", pivot.Format(time.RFC3339), "perPage", "100"))); n < lower {
		t.Errorf("userUpdatedAt ≥ pivot: %d, fewer than createdAt ≥ pivot: %d", n, lower)
	}
	if upper := len(c.all(query(path, "filter[updatedAt][gte]", pivot.Format(time.RFC3339), "perPage", "100"))); n > upper {
		t.Errorf("userUpdatedAt ≥ pivot: %d, more than updatedAt ≥ pivot: %d", n, upper)
	}

	for _, kv := range [][]string{
		{"filter[refunded][eq]", "maybe"},
		{"filter[refunded][eq]", "1"},
		{"filter[createdAt][gt]", "last tuesday"},
		{"filter[createdAt][in]", "2025-05-01T00:00:00Z,soon"},
		{"filter[email][gt]", "a"},
		{"filter[refunded][in]", "true"},
		{"filter[ticketId][eq]", "x"},
		{"filter[email]", "a@b.c"},
		{"filter", "x"},
	} {
		errs := c.failure(http.StatusBadRequest, http.MethodGet, query(path, kv...), nil)
		if errs[0].Source["parameter"] != kv[0] {
			t.Errorf("%v: source %v", kv, errs[0].Source)
		}
	}
}

func TestCreateRegistration(t *testing.T) {
	srv, c := start(t)
	fx := srv.Fixtures
	path := "/v1/events/" + fx.EventID + "/registrations"
	questions := c.list("/v1/tickets/" + fx.VIPTicketID + "/bankQuestions").Data
	var conditional resourceJSON
	for _, q := range questions {
		if q.Attributes["fieldType"] == "conditional" {
			conditional = q
		}
	}
	child := conditional.Attributes["childQuestions"].([]any)[0].(map[string]any)
	childOption := child["options"].([]any)[1].(map[string]any)["name"].(string)

	attrs := map[string]any{
		"email":           "grace.hopper@navy.example",
		"firstName":       "Grace",
		"lastName":        "Hopper",
		"ticketId":        fx.VIPTicketID,
		"externalBarcode": "BC-000417",
		"metadata":        map[string]string{"crmContactId": "003XYZ"},
		"answers": []map[string]any{
			{"questionId": questions[0].ID, "answer": "Rear Admiral"},
			{"questionId": questions[2].ID, "answer": []string{"Security", "Developer experience"}},
			{"questionId": conditional.ID, "answer": "Yes"},
			{"questionId": itoaAny(child["id"]), "answer": childOption},
		},
	}
	reg := expect[oneJSON](c, http.StatusCreated, http.MethodPost, path, body("registration", attrs)).Data
	checkResource(t, reg, "registration")
	a := reg.Attributes
	if a["email"] != "grace.hopper@navy.example" || a["ticketId"] != fx.VIPTicketID || a["qrCodeData"] != "BC-000417" ||
		a["registeredThrough"] != "api" || a["metadata"].(map[string]any)["crmContactId"] != "003XYZ" || a["timezone"] != "Europe/London" {
		t.Errorf("created: %v", a)
	}
	fields := a["customRegistrationFields"].([]any)
	if len(fields) != 3 {
		t.Fatalf("fields: %v", fields)
	}
	cond := fields[2].(map[string]any)
	if kids := cond["childQuestions"].([]any); len(kids) != 1 || kids[0].(map[string]any)["value"] != childOption {
		t.Errorf("conditional answer: %v", cond)
	}
	if got := fields[1].(map[string]any)["value"].([]any); len(got) != 2 {
		t.Errorf("multiSelect answer: %v", got)
	}

	l := c.list(query(path, "page", "6", "perPage", "30"))
	if l.Meta.Count != 151 || l.Data[len(l.Data)-1].ID != reg.ID {
		t.Errorf("the registration is not appended: count %d", l.Meta.Count)
	}
	if got := c.get("/v1/registrations/" + reg.ID); !reflect.DeepEqual(got, reg) {
		t.Errorf("GET: %v", got)
	}
	if found := c.list(query(path, "filter[email][eq]", "grace.hopper@navy.example")); found.Meta.Count != 1 {
		t.Errorf("filter by the new email: %d", found.Meta.Count)
	}
	vip := c.get("/v1/tickets/" + fx.VIPTicketID).Attributes
	if vip["claimed"].(float64)+vip["remaining"].(float64) != vip["count"].(float64) {
		t.Errorf("VIP ticket counts: %v", vip)
	}

	// Without a ticket, the event's first one is used.
	plain := expect[oneJSON](c, http.StatusCreated, http.MethodPost, path, body("registration", map[string]any{"email": "a.b@example.org", "firstName": "Ada", "lastName": "Byron"})).Data
	if plain.Attributes["ticketId"] != fx.TicketID {
		t.Errorf("default ticket %v", plain.Attributes["ticketId"])
	}
	if got := srv.Stats().RegistrationsCreated; got != 2 {
		t.Errorf("RegistrationsCreated = %d", got)
	}

	errs := c.failure(http.StatusUnprocessableEntity, http.MethodPost, path, body("registration", map[string]any{}))
	if got := pointers(errs); !slices.Equal(got, []string{"/data/attributes/email", "/data/attributes/firstName", "/data/attributes/lastName"}) {
		t.Errorf("missing: %v", got)
	}
	for name, change := range map[string]map[string]any{
		"/data/attributes/email":                {"email": "not-an-address"},
		"/data/attributes/ticketId":             {"ticketId": fx.NoMagicLinkTicketID},
		"/data/attributes/answers/0/questionId": {"answers": []map[string]any{{"questionId": "nope", "answer": "x"}}},
		"/data/attributes/answers/0/answer":     {"ticketId": fx.VIPTicketID, "answers": []map[string]any{{"questionId": conditional.ID, "answer": "Maybe"}}},
		"/data/attributes/metadata":             {"metadata": map[string]any{"n": 1}},
	} {
		a := map[string]any{"email": "x.y@example.org", "firstName": "X", "lastName": "Y"}
		for k, v := range change {
			a[k] = v
		}
		if got := pointers(c.failure(http.StatusUnprocessableEntity, http.MethodPost, path, body("registration", a))); !slices.Equal(got, []string{name}) {
			t.Errorf("%s: %v", name, got)
		}
	}
	c.failure(http.StatusNotFound, http.MethodPost, "/v1/events/nope/registrations", body("registration", attrs))

	// A member named twice, or invalid UTF-8, is not JSON: nothing is stored.
	for _, bad := range []string{
		`{"data":{"type":"registration","attributes":{"email":"a@b.io","firstName":"A","lastName":"B","email":"c@d.io"}}}`,
		"{\"data\":{\"type\":\"registration\",\"attributes\":{\"email\":\"a@b.io\",\"firstName\":\"\xff\",\"lastName\":\"B\"}}}",
	} {
		c.failure(http.StatusBadRequest, http.MethodPost, path, bad)
	}
	if got := srv.Stats().RegistrationsCreated; got != 2 {
		t.Errorf("RegistrationsCreated = %d after bodies that are not JSON", got)
	}
}

// itoaAny formats a JSON number holding an integer.
func itoaAny(v any) string { return strconv.Itoa(int(v.(float64))) }

func TestUpdateRegistration(t *testing.T) {
	srv, c := start(t, rceventstest.WithSeed(7))
	fx := srv.Fixtures
	path := "/v1/registrations/" + fx.RegistrationID
	before := c.get(path)
	upd := map[string]any{
		"metadata":        map[string]string{"seat": "A12", "badge": "printed"},
		"firstName":       "Renamed",
		"headline":        "CTO at Example",
		"externalBarcode": "EXT-1",
	}
	after := expect[oneJSON](c, http.StatusOK, http.MethodPatch, path, body("Registration", upd)).Data
	a := after.Attributes
	if a["firstName"] != "Renamed" || a["headline"] != "CTO at Example" || a["qrCodeData"] != "EXT-1" ||
		!reflect.DeepEqual(a["metadata"], map[string]any{"seat": "A12", "badge": "printed"}) || a["lastName"] != before.Attributes["lastName"] {
		t.Errorf("updated: %v", a)
	}
	if a["updatedAt"] == before.Attributes["updatedAt"] {
		t.Errorf("updatedAt did not move")
	}
	if got := c.get(path); !reflect.DeepEqual(got, after) {
		t.Errorf("update did not stick: %v", got.Attributes)
	}
	if l := c.list("/v1/events/" + fx.EventID + "/registrations"); !reflect.DeepEqual(l.Data[0], after) {
		t.Errorf("the list shows the old registration")
	}

	// Move to another ticket and answer its question.
	qs := c.list("/v1/tickets/" + fx.VIPTicketID + "/bankQuestions").Data
	moved := expect[oneJSON](c, http.StatusOK, http.MethodPatch, path, body("registration", map[string]any{
		"ticketId": fx.VIPTicketID,
		"answers":  []map[string]any{{"questionId": qs[5].ID, "answer": "2025-09-15"}},
	})).Data
	if moved.Attributes["ticketId"] != fx.VIPTicketID || moved.Attributes["firstName"] != "Renamed" {
		t.Errorf("moved: %v", moved.Attributes)
	}
	fields := moved.Attributes["customRegistrationFields"].([]any)
	if last := fields[len(fields)-1].(map[string]any); last["id"] != qs[5].ID || last["value"] != "2025-09-15" {
		t.Errorf("date answer: %v", last)
	}
	if got := srv.Stats().RegistrationsUpdated; got != 2 {
		t.Errorf("RegistrationsUpdated = %d", got)
	}

	c.failure(http.StatusUnprocessableEntity, http.MethodPatch, path, body("registration", map[string]any{"firstName": ""}))
	c.failure(http.StatusUnprocessableEntity, http.MethodPatch, path, body("registration", map[string]any{"ticketId": fx.NoMagicLinkTicketID}))
	c.failure(http.StatusUnprocessableEntity, http.MethodPatch, path, body("registration", map[string]any{"email": "new@example.org"}))
	c.failure(http.StatusUnprocessableEntity, http.MethodPatch, path, body("registration", map[string]any{"answers": []map[string]any{{"questionId": qs[5].ID, "answer": "next week"}}}))
	c.failure(http.StatusNotFound, http.MethodPatch, "/v1/registrations/nope", body("registration", upd))
}
