package rcevents

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// adaLink is the magic link of magiclinks_get.json.
var adaLink = MagicLink{
	ID:             "ml_6h2p",
	Email:          "ada@example.com",
	FirstName:      "Ada",
	LastName:       "Lovelace",
	Headline:       Ptr("Chief Engineer"),
	URL:            "https://events.ringcentral.com/e/evt_5kq2/ml/6h2p3XkQ",
	RegistrationID: Ptr("reg_8m1v"),
	Status:         Ptr("confirmed"),
	ExtraFields:    map[string]string{"company": "Analytical Engines Ltd", "role": "Speaker"},
	Metadata:       map[string]string{"crmId": "0031x00000AbCdE"},
	CreatedAt:      time.Date(2025, 5, 2, 13, 45, 0, 0, time.UTC),
	UpdatedAt:      time.Date(2025, 5, 3, 8, 10, 22, 0, time.UTC),
}

func TestMagicLinksGet(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/magicLinks/ml_6h2p", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/magicLinks/ml_6h2p", nil)
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "magiclinks_get.json")
	})

	link, err := ts.client.MagicLinks.Get(context.Background(), "ml_6h2p")
	require.NoError(t, err)
	want := adaLink
	assert.Equal(t, &want, link)
}

func TestMagicLinkMarshalsToAttributes(t *testing.T) {
	var doc struct {
		Data struct {
			Attributes json.RawMessage `json:"attributes"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(fixture(t, "magiclinks_get.json"), &doc))
	b, err := json.Marshal(adaLink)
	require.NoError(t, err)
	assert.JSONEq(t, string(doc.Data.Attributes), string(b))
}

func TestMagicLinksList(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/tickets/tkt_2r9w/magicLinks", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/tickets/tkt_2r9w/magicLinks", url.Values{
			"page":                              {"2"},
			"perPage":                           {"2"},
			"filter[email][in]":                 {"ada@example.com,charles@example.com"},
			"filter[updatedAt][gte]":            {"2025-05-01T00:00:00Z"},
			"filter[includeConfirmAndJoin][eq]": {"false"},
		})
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "magiclinks_list.json")
	})

	page, err := ts.client.MagicLinks.List(context.Background(), "tkt_2r9w", &MagicLinkListOptions{
		ListOptions:           ListOptions{Page: 2, PerPage: 2},
		Email:                 &StringFilter{In: []string{"ada@example.com", "charles@example.com"}},
		UpdatedAt:             &DateTimeFilter{Gte: time.Date(2025, 5, 1, 2, 0, 0, 0, time.FixedZone("CEST", 2*60*60))},
		IncludeConfirmAndJoin: &BoolFilter{Eq: false},
	})
	require.NoError(t, err)
	assert.Equal(t, &Page[MagicLink]{
		Items: []MagicLink{
			{
				ID:             "ml_6h2p",
				Email:          "ada@example.com",
				FirstName:      "Ada",
				LastName:       "Lovelace",
				Headline:       Ptr("Chief Engineer"),
				URL:            "https://events.ringcentral.com/e/evt_5kq2/ml/6h2p3XkQ",
				RegistrationID: Ptr("reg_8m1v"),
				Status:         Ptr("confirmed"),
				ExtraFields:    map[string]string{"company": "Analytical Engines Ltd"},
				Metadata:       map[string]string{"crmId": "0031x00000AbCdE"},
				CreatedAt:      time.Date(2025, 5, 2, 13, 45, 0, 0, time.UTC),
				UpdatedAt:      time.Date(2025, 5, 3, 8, 10, 22, 0, time.UTC),
			},
			{
				ID:          "ml_6h2q",
				Email:       "charles@example.com",
				FirstName:   "Charles",
				LastName:    "Babbage",
				URL:         "https://events.ringcentral.com/e/evt_5kq2/ml/6h2qY7aZ",
				ExtraFields: map[string]string{},
				Metadata:    map[string]string{},
				CreatedAt:   time.Date(2025, 5, 2, 13, 46, 30, 0, time.UTC),
				UpdatedAt:   time.Date(2025, 5, 2, 13, 46, 30, 0, time.UTC),
			},
		},
		Count:  7,
		Number: 2,
		Links: Links{
			First: "https://api.events.ringcentral.com/v1/tickets/tkt_2r9w/magicLinks?page=1&perPage=2",
			Self:  "https://api.events.ringcentral.com/v1/tickets/tkt_2r9w/magicLinks?page=2&perPage=2",
			Last:  "https://api.events.ringcentral.com/v1/tickets/tkt_2r9w/magicLinks?page=4&perPage=2",
			Prev:  "https://api.events.ringcentral.com/v1/tickets/tkt_2r9w/magicLinks?page=1&perPage=2",
			Next:  "https://api.events.ringcentral.com/v1/tickets/tkt_2r9w/magicLinks?page=3&perPage=2",
		},
	}, page)
}

func TestMagicLinksListWithoutOptions(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/tickets/tkt_2r9w/magicLinks", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/tickets/tkt_2r9w/magicLinks", nil)
		writeFixture(t, w, http.StatusOK, "magiclinks_list.json")
	})

	page, err := ts.client.MagicLinks.List(context.Background(), "tkt_2r9w", nil)
	require.NoError(t, err)
	assert.Equal(t, 1, page.Number)
	assert.Len(t, page.Items, 2)
}

func TestMagicLinksAll(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/tickets/tkt_2r9w/magicLinks", func(w http.ResponseWriter, r *http.Request) {
		n := r.URL.Query().Get("page")
		// The filters go with every page.
		assertRequest(t, r, http.MethodGet, "/v1/tickets/tkt_2r9w/magicLinks", url.Values{
			"page":                              {n},
			"filter[email][eq]":                 {"ada@example.com"},
			"filter[includeConfirmAndJoin][eq]": {"true"},
		})
		next := `"https://api.events.ringcentral.com/v1/tickets/tkt_2r9w/magicLinks?page=2"`
		if n == "2" {
			next = "null"
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":[{"id":"ml_` + n + `","type":"magicLink","attributes":{"email":"ada@example.com"}}],"meta":{"count":2},"links":{"next":` + next + `}}`))
	})

	opts := &MagicLinkListOptions{Email: &StringFilter{Eq: "ada@example.com"}, IncludeConfirmAndJoin: &BoolFilter{Eq: true}}
	var ids []string
	for link, err := range ts.client.MagicLinks.All(context.Background(), "tkt_2r9w", opts) {
		require.NoError(t, err)
		ids = append(ids, link.ID)
	}
	assert.Equal(t, []string{"ml_1", "ml_2"}, ids)
	assert.Equal(t, ListOptions{}, opts.ListOptions, "the caller's options are not changed")
}

func TestMagicLinksCreate(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/tickets/tkt_2r9w/magicLinks", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodPost, "/v1/tickets/tkt_2r9w/magicLinks", nil)
		assertBody(t, r, `{"data":{"type":"magicLink","attributes":{
			"email":"grace@example.com","firstName":"Grace","lastName":"Hopper",
			"headline":"Rear Admiral","registrationId":"reg_8m1w",
			"extraFields":{"company":"US Navy"},"metadata":{"source":"crm-sync"}}}}`)
		writeFixture(t, w, http.StatusCreated, "magiclinks_create.json")
	})

	link, err := ts.client.MagicLinks.Create(context.Background(), "tkt_2r9w", &MagicLinkCreateRequest{
		Email:          "grace@example.com",
		FirstName:      "Grace",
		LastName:       "Hopper",
		Headline:       "Rear Admiral",
		RegistrationID: "reg_8m1w",
		ExtraFields:    map[string]string{"company": "US Navy"},
		Metadata:       map[string]string{"source": "crm-sync"},
	})
	require.NoError(t, err)
	assert.Equal(t, &MagicLink{
		ID:          "ml_7j4s",
		Email:       "grace@example.com",
		FirstName:   "Grace",
		LastName:    "Hopper",
		Headline:    Ptr("Rear Admiral"),
		URL:         "https://events.ringcentral.com/e/evt_5kq2/ml/7j4sVb2N",
		ExtraFields: map[string]string{"company": "US Navy"},
		Metadata:    map[string]string{"source": "crm-sync"},
		CreatedAt:   time.Date(2025, 5, 14, 10, 0, 3, 0, time.UTC),
		UpdatedAt:   time.Date(2025, 5, 14, 10, 0, 3, 0, time.UTC),
	}, link)
}

func TestMagicLinksCreateRequiredOnly(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/tickets/tkt_2r9w/magicLinks", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodPost, "/v1/tickets/tkt_2r9w/magicLinks", nil)
		assertBody(t, r, `{"data":{"type":"magicLink","attributes":{"email":"grace@example.com","firstName":"Grace","lastName":"Hopper"}}}`)
		writeFixture(t, w, http.StatusCreated, "magiclinks_create.json")
	})

	_, err := ts.client.MagicLinks.Create(context.Background(), "tkt_2r9w", &MagicLinkCreateRequest{
		Email: "grace@example.com", FirstName: "Grace", LastName: "Hopper",
		ExtraFields: map[string]string{}, // empty maps are left out too
	})
	require.NoError(t, err)
}

func TestMagicLinksDelete(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/magicLinks/ml_6h2p", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodDelete, "/v1/magicLinks/ml_6h2p", nil)
		assertNoBody(t, r)
		w.WriteHeader(http.StatusNoContent)
	})

	require.NoError(t, ts.client.MagicLinks.Delete(context.Background(), "ml_6h2p"))
	assert.EqualValues(t, 1, ts.requests.Load())
}

func TestMagicLinksCreateLegacy(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/magic_link", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodPost, "/v1/magic_link", nil)
		// Flat, snake_case, and the time in UTC.
		assertBody(t, r, `{"ticket_id":"tkt_2r9w","first_name":"Grace","last_name":"Hopper",
			"email":"grace@example.com","created_at":"2025-05-14T10:00:00Z"}`)
		writeFixture(t, w, http.StatusCreated, "magiclinks_create_legacy.json")
	})

	link, err := ts.client.MagicLinks.CreateLegacy(context.Background(), &LegacyMagicLinkRequest{
		TicketID:  "tkt_2r9w",
		FirstName: "Grace",
		LastName:  "Hopper",
		Email:     "grace@example.com",
		CreatedAt: time.Date(2025, 5, 14, 12, 0, 0, 0, time.FixedZone("CEST", 2*60*60)),
	})
	require.NoError(t, err)
	created := time.Date(2025, 5, 14, 10, 0, 3, 512e6, time.UTC)
	assert.Equal(t, &LegacyMagicLink{
		ID:             "4471",
		FirstName:      "Grace",
		LastName:       "Hopper",
		Email:          "grace@example.com",
		URL:            "https://events.ringcentral.com/e/evt_5kq2/redeem/Q2x9TmVw",
		RegistrationID: nil,
		CreatedAt:      &created,
	}, link)
}

func TestMagicLinksCreateLegacyWithoutCreatedAt(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/magic_link", func(w http.ResponseWriter, r *http.Request) {
		assertBody(t, r, `{"ticket_id":"tkt_2r9w","first_name":"Grace","last_name":"Hopper","email":"grace@example.com"}`)
		writeFixture(t, w, http.StatusCreated, "magiclinks_create_legacy.json")
	})

	_, err := ts.client.MagicLinks.CreateLegacy(context.Background(), &LegacyMagicLinkRequest{
		TicketID: "tkt_2r9w", FirstName: "Grace", LastName: "Hopper", Email: "grace@example.com",
	})
	require.NoError(t, err)
}

func TestMagicLinksCreateLegacyPlan(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/magic_link", func(w http.ResponseWriter, r *http.Request) {
		writeFixture(t, w, http.StatusUnprocessableEntity, "magiclinks_error_plan.json")
	})

	_, err := ts.client.MagicLinks.CreateLegacy(context.Background(), &LegacyMagicLinkRequest{
		TicketID: "tkt_2r9w", FirstName: "Grace", LastName: "Hopper", Email: "grace@example.com",
	})
	require.ErrorIs(t, err, ErrUnprocessable)
	assert.Contains(t, err.Error(), "Organization does not have Magic links available in current plan")
}

func TestLegacyMagicLinkCreatedAt(t *testing.T) {
	want := time.Date(2025, 5, 14, 10, 0, 3, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want *time.Time
	}{
		{`{"created_at":"2025-05-14T10:00:03Z"}`, &want},
		{`{"created_at":null}`, nil},
		{`{"created_at":""}`, nil},
		{`{"created_at":"14/05/2025 10:00"}`, nil},
		{`{"created_at":1747216803}`, nil},
		{`{}`, nil},
	} {
		var l LegacyMagicLink
		require.NoError(t, json.Unmarshal([]byte(tc.in), &l), tc.in)
		assert.Equal(t, tc.want, l.CreatedAt, tc.in)
	}
	var l LegacyMagicLink
	assert.Error(t, json.Unmarshal([]byte(`{"first_name":7}`), &l), "other attributes are decoded strictly")
}

func TestMagicLinksInvalid(t *testing.T) {
	ctx := context.Background()
	valid := func() *MagicLinkCreateRequest {
		return &MagicLinkCreateRequest{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"}
	}
	with := func(f func(*MagicLinkCreateRequest)) *MagicLinkCreateRequest {
		r := valid()
		f(r)
		return r
	}
	legacy := func(f func(*LegacyMagicLinkRequest)) *LegacyMagicLinkRequest {
		r := &LegacyMagicLinkRequest{TicketID: "tkt_2r9w", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}
		f(r)
		return r
	}
	create := func(ticketID string, req *MagicLinkCreateRequest) func(*Client) error {
		return func(c *Client) error { _, err := c.MagicLinks.Create(ctx, ticketID, req); return err }
	}
	createLegacy := func(req *LegacyMagicLinkRequest) func(*Client) error {
		return func(c *Client) error { _, err := c.MagicLinks.CreateLegacy(ctx, req); return err }
	}
	list := func(ticketID string, opts *MagicLinkListOptions) func(*Client) error {
		return func(c *Client) error { _, err := c.MagicLinks.List(ctx, ticketID, opts); return err }
	}
	for _, tc := range []struct {
		name  string
		call  func(*Client) error
		field string
	}{
		{"create nil", create("tkt_2r9w", nil), "MagicLinkCreateRequest.Email"},
		{"create no email", create("tkt_2r9w", with(func(r *MagicLinkCreateRequest) { r.Email = "" })), "MagicLinkCreateRequest.Email"},
		{"create bad email", create("tkt_2r9w", with(func(r *MagicLinkCreateRequest) { r.Email = "ada at example.com" })), "MagicLinkCreateRequest.Email"},
		{"create named email", create("tkt_2r9w", with(func(r *MagicLinkCreateRequest) { r.Email = "Ada <ada@example.com>" })), "MagicLinkCreateRequest.Email"},
		{"create no first name", create("tkt_2r9w", with(func(r *MagicLinkCreateRequest) { r.FirstName = " " })), "MagicLinkCreateRequest.FirstName"},
		{"create no last name", create("tkt_2r9w", with(func(r *MagicLinkCreateRequest) { r.LastName = "" })), "MagicLinkCreateRequest.LastName"},
		{"legacy nil", createLegacy(nil), "LegacyMagicLinkRequest.TicketID"},
		{"legacy no ticket", createLegacy(legacy(func(r *LegacyMagicLinkRequest) { r.TicketID = "" })), "LegacyMagicLinkRequest.TicketID"},
		{"legacy bad email", createLegacy(legacy(func(r *LegacyMagicLinkRequest) { r.Email = "ada@" })), "LegacyMagicLinkRequest.Email"},
		{"legacy no first name", createLegacy(legacy(func(r *LegacyMagicLinkRequest) { r.FirstName = "" })), "LegacyMagicLinkRequest.FirstName"},
		{"legacy no last name", createLegacy(legacy(func(r *LegacyMagicLinkRequest) { r.LastName = "" })), "LegacyMagicLinkRequest.LastName"},
		{"list email with comma", list("tkt_2r9w", &MagicLinkListOptions{Email: &StringFilter{In: []string{"a@example.com,b@example.com"}}}), "MagicLinkListOptions.Email.In"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			err := tc.call(ts.client)
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.field)
			assert.Zero(t, ts.requests.Load())
		})
	}
}

func FuzzLegacyMagicLinkUnmarshal(f *testing.F) {
	for _, s := range []string{
		`{"id":"4471","created_at":"2025-05-14T10:00:03Z","registration_id":null}`,
		`{"created_at":null}`, `{"created_at":""}`, `{"created_at":[]}`, `{"created_at":{"a":1}}`,
		`{"created_at":"\u0000"}`, `null`, `""`, `[]`, `{}`, `{"first_name":7}`, `{"created_at":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var l LegacyMagicLink
		_ = json.Unmarshal(b, &l)
	})
}

func FuzzLegacyMagicLinkRequestMarshal(f *testing.F) {
	f.Add("tkt_2r9w", "Grace", "Hopper", "grace@example.com", int64(1747216800), int64(0))
	f.Add("", "", "", "", int64(0), int64(0))
	f.Add("\"", "\\", "\u2028", "<script>", int64(-62135596800), int64(999999999))
	f.Add("x", "y", "z", "w", int64(253402300800), int64(1))
	f.Fuzz(func(t *testing.T, ticket, first, last, email string, sec, nsec int64) {
		req := LegacyMagicLinkRequest{TicketID: ticket, FirstName: first, LastName: last, Email: email}
		if sec != 0 || nsec != 0 {
			req.CreatedAt = time.Unix(sec, nsec)
		}
		b, err := encodeBody(req)
		if err != nil {
			t.Fatalf("marshal %+v: %v", req, err)
		}
		var back map[string]string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("the body %s is not a flat object of strings: %v", b, err)
		}
		if utf8.ValidString(ticket) && ticket != back["ticket_id"] {
			t.Fatalf("ticket_id %q became %q", ticket, back["ticket_id"])
		}
	})
}
