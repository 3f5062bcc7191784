package rceventstest_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMagicLinksList(t *testing.T) {
	srv, c := start(t)
	fx := srv.Fixtures
	path := "/v1/tickets/" + fx.TicketID + "/magicLinks"
	first := c.list(path)
	if first.Meta.Count != 30 || len(first.Data) != 25 || first.Links.Next == nil || first.Data[0].ID != fx.MagicLinkID {
		t.Fatalf("magic links: count %d, %d items", first.Meta.Count, len(first.Data))
	}
	links := c.all(path)
	statuses := map[any]bool{}
	for _, m := range links {
		checkResource(t, m, "magicLink")
		statuses[m.Attributes["status"]] = true
		if !strings.HasPrefix(m.Attributes["magicLink"].(string), "https://") {
			t.Errorf("magicLink %v", m.Attributes["magicLink"])
		}
	}
	if !statuses[nil] || !statuses["redeemed"] || !statuses["sent"] {
		t.Errorf("statuses %v", statuses)
	}
	// A redeemed link and its registration name each other.
	for _, m := range links {
		if m.Attributes["status"] == "redeemed" {
			reg := c.get("/v1/registrations/" + m.Attributes["registrationId"].(string))
			if reg.Attributes["magicLinkId"] != m.ID || reg.Attributes["email"] != m.Attributes["email"] || reg.Attributes["ticketId"] != fx.TicketID {
				t.Errorf("redeemed link %s and registration %v", m.ID, reg.Attributes)
			}
		}
	}

	withCJ := c.all(query(path, "filter[includeConfirmAndJoin][eq]", "true"))
	if len(withCJ) != 34 {
		t.Errorf("with confirm-and-join: %d links, want 34", len(withCJ))
	}
	if n := len(c.all(query(path, "filter[includeConfirmAndJoin][eq]", "false"))); n != 30 {
		t.Errorf("without confirm-and-join: %d", n)
	}
	email := links[7].Attributes["email"].(string)
	if got := c.all(query(path, "filter[email][eq]", email)); len(got) == 0 || got[0].Attributes["email"] != email {
		t.Errorf("email filter: %v", got)
	}
	if got := c.all(query(path, "filter[email][in]", email+","+links[9].Attributes["email"].(string))); len(got) < 2 {
		t.Errorf("email in filter: %d", len(got))
	}
	pivot, _ := time.Parse(time.RFC3339, links[15].Attributes["updatedAt"].(string))
	after := c.all(query(path, "filter[updatedAt][gt]", pivot.Format(time.RFC3339)))
	want := 0
	for _, m := range links {
		if u, _ := time.Parse(time.RFC3339, m.Attributes["updatedAt"].(string)); u.After(pivot) {
			want++
		}
	}
	if len(after) != want || want == 0 {
		t.Errorf("updatedAt filter: %d, want %d", len(after), want)
	}
	for _, kv := range [][]string{{"filter[createdAt][gt]", "2025-01-01T00:00:00Z"}, {"filter[includeConfirmAndJoin][eq]", "yes"}, {"filter[updatedAt][eq]", "2025-13-01"}} {
		errs := c.failure(http.StatusBadRequest, http.MethodGet, query(path, kv...), nil)
		if kv[0] == "filter[createdAt][gt]" && !strings.Contains(errs[0].Detail, "please use allowed ones: updatedAt, email") {
			t.Errorf("detail %q", errs[0].Detail)
		}
	}
	c.get("/v1/magicLinks/" + fx.MagicLinkID)
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/magicLinks/nope", nil)
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/tickets/nope/magicLinks", nil)
}

func TestCreateAndDeleteMagicLink(t *testing.T) {
	srv, c := start(t)
	fx := srv.Fixtures
	path := "/v1/tickets/" + fx.VIPTicketID + "/magicLinks"
	ml := expect[oneJSON](c, http.StatusCreated, http.MethodPost, path, body("magicLink", map[string]any{
		"email": "linus@example.org", "firstName": "Linus", "lastName": "Berg", "headline": "Speaker",
		"extraFields": map[string]string{"company": "Example"}, "metadata": map[string]string{"source": "crm"},
		"registrationId": fx.RegistrationID,
	})).Data
	checkResource(t, ml, "magicLink")
	if a := ml.Attributes; a["registrationId"] != fx.RegistrationID || a["headline"] != "Speaker" || a["extraFields"].(map[string]any)["company"] != "Example" {
		t.Errorf("created link: %v", a)
	}
	if l := c.all(path); l[len(l)-1].ID != ml.ID {
		t.Errorf("the link is not listed last")
	}
	c.get("/v1/magicLinks/" + ml.ID)

	errs := c.failure(http.StatusUnprocessableEntity, http.MethodPost, path, body("magicLink", map[string]any{"headline": "x"}))
	if got := pointers(errs); !slices.Equal(got, []string{"/data/attributes/email", "/data/attributes/firstName", "/data/attributes/lastName"}) {
		t.Errorf("missing: %v", got)
	}
	valid := map[string]any{"email": "a@b.io", "firstName": "A", "lastName": "B"}
	if errs := c.failure(http.StatusUnprocessableEntity, http.MethodPost, "/v1/tickets/"+fx.NoMagicLinkTicketID+"/magicLinks", body("magicLink", valid)); !strings.Contains(errs[0].Detail, "current plan") {
		t.Errorf("plan without magic links: %+v", errs)
	}
	valid["registrationId"] = "nope"
	c.failure(http.StatusUnprocessableEntity, http.MethodPost, path, body("magicLink", valid))
	c.failure(http.StatusNotFound, http.MethodPost, "/v1/tickets/nope/magicLinks", body("magicLink", valid))

	r := c.do(http.MethodDelete, "/v1/magicLinks/"+ml.ID, nil)
	if r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/magicLinks/"+ml.ID, nil)
	c.failure(http.StatusNotFound, http.MethodDelete, "/v1/magicLinks/"+ml.ID, nil)
	if l := c.all(path); slices.ContainsFunc(l, func(m resourceJSON) bool { return m.ID == ml.ID }) {
		t.Errorf("the deleted link is still listed")
	}
	if st := srv.Stats(); st.MagicLinksCreated != 1 || st.MagicLinksDeleted != 1 {
		t.Errorf("Stats: %+v", st)
	}
}

func TestLegacyMagicLink(t *testing.T) {
	srv, c := start(t)
	fx := srv.Fixtures
	flat := map[string]any{"ticket_id": fx.TicketID, "first_name": "Ines", "last_name": "Duarte", "email": "ines@example.pt", "created_at": "2025-08-01T10:00:00Z"}
	r := c.do(http.MethodPost, "/v1/magic_link", flat)
	if r.Status != http.StatusCreated {
		t.Fatalf("legacy: %d %s", r.Status, r.Body)
	}
	ml := expect[oneJSON](c, http.StatusCreated, http.MethodPost, "/v1/magic_link", flat).Data
	checkResource(t, ml, "magic_link")
	if a := ml.Attributes; a["first_name"] != "Ines" || a["registration_id"] != nil || a["created_at"] != "2025-08-01T10:00:00.000Z" || !strings.HasPrefix(a["magic_link"].(string), "https://") {
		t.Errorf("legacy link: %v", a)
	}
	// It is an ordinary magic link of the ticket.
	if got := c.get("/v1/magicLinks/" + ml.ID); got.Attributes["firstName"] != "Ines" {
		t.Errorf("as a magic link: %v", got.Attributes)
	}
	errs := c.failure(http.StatusUnprocessableEntity, http.MethodPost, "/v1/magic_link", map[string]any{"email": "x@y.z"})
	if got := pointers(errs); !slices.Equal(got, []string{"/first_name", "/last_name", "/ticket_id"}) {
		t.Errorf("missing: %v", got)
	}
	flat["ticket_id"] = fx.NoMagicLinkTicketID
	if errs := c.failure(http.StatusUnprocessableEntity, http.MethodPost, "/v1/magic_link", flat); !strings.Contains(errs[0].Detail, "Magic links available") {
		t.Errorf("plan: %+v", errs)
	}
	flat["ticket_id"] = "nope"
	c.failure(http.StatusUnprocessableEntity, http.MethodPost, "/v1/magic_link", flat)
	if got := srv.Stats().MagicLinksCreated; got != 2 {
		t.Errorf("MagicLinksCreated = %d", got)
	}
}
