package rcevents

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wantRegistrationGet is testdata/registrations_get.json, decoded.
var wantRegistrationGet = &Registration{
	ID:                "reg_3hx9q2",
	Email:             "ada.okafor@contoso.example",
	FirstName:         "Ada",
	LastName:          "Okafor",
	Headline:          Ptr("Staff Platform Engineer, Contoso"),
	Bio:               Ptr("Platform engineer at Contoso, working on event-driven systems."),
	PhoneNumber:       Ptr("+1 415 555 0142"),
	LinkedIn:          Ptr("https://www.linkedin.com/in/adaokafor"),
	Twitter:           Ptr("@adaokafor"),
	Website:           Ptr("https://ada.dev.example"),
	Timezone:          "Europe/London",
	TicketID:          "tkt_g7p1",
	UserID:            "usr_51mz8w",
	MagicLinkID:       Ptr("ml_77fd0c"),
	RegisteredThrough: "registration_form",
	UTM: UTM{
		UTMSource:   "newsletter",
		UTMCampaign: "devsummit-2025",
		UTMMedium:   "email",
		UTMContent:  "hero-button",
		UTMTerm:     "platform engineering",
	},
	Attended:            true,
	Refunded:            false,
	QRCodeData:          Ptr("RCE-3HX9Q2-6F1A"),
	QRCodeImageURL:      Ptr("https://cdn.events.ringcentral.example/qr/reg_3hx9q2.png"),
	FirstCheckIn:        Ptr(time.Date(2025, 6, 12, 8, 47, 31, 512e6, time.UTC)),
	QuestionBankEnabled: true,
	CustomRegistrationFields: []CustomRegistrationField{
		{ID: "q_company", Name: "Company", Value: StringFieldValue("Contoso Ltd"), Type: "singleLineText"},
		{ID: "q_tracks", Name: "Which tracks will you attend?", Value: ListFieldValue("Cloud Native", "Security"), Type: "multiSelect"},
		{
			ID: "q_dietary", Name: "Do you have dietary requirements?", Value: StringFieldValue("Yes"), Type: "conditional",
			ChildQuestions: []CustomRegistrationChildField{
				{ID: "q_dietary_kind", Name: "Which ones?", Value: ListFieldValue("Vegetarian", "Nut allergy"), Type: "multiSelect"},
				{ID: "q_dietary_notes", Name: "Anything else the caterer should know?", Value: StringFieldValue("Severe peanut allergy — please label dishes."), Type: "paragraphText"},
			},
		},
	},
	Metadata:  map[string]string{"crmId": "0035g00000XkQ2A", "segment": "enterprise"},
	CreatedAt: time.Date(2025, 5, 2, 9, 14, 7, 0, time.UTC),
	UpdatedAt: time.Date(2025, 6, 12, 8, 47, 31, 0, time.UTC),
}

func TestRegistrationsGet(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/registrations/reg_3hx9q2", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/registrations/reg_3hx9q2", nil)
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "registrations_get.json")
	})

	reg, err := ts.client.Registrations.Get(context.Background(), "reg_3hx9q2")
	require.NoError(t, err)
	assert.Equal(t, wantRegistrationGet, reg)
}

func TestRegistrationMarshalsAPIAttributes(t *testing.T) {
	attrs := fixtureAttributes(t, "registrations_get.json")
	var reg Registration
	require.NoError(t, json.Unmarshal(attrs, &reg))

	b, err := json.Marshal(&reg)
	require.NoError(t, err)
	assert.JSONEq(t, string(attrs), string(b))
}

func TestRegistrationsList(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/registrations", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2/registrations", url.Values{"page": {"2"}, "perPage": {"100"}})
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "registrations_list.json")
	})

	page, err := ts.client.Registrations.List(context.Background(), "evt_5kq2", &RegistrationListOptions{
		ListOptions: ListOptions{Page: 2, PerPage: 100},
	})
	require.NoError(t, err)
	const links = "https://api.events.ringcentral.com/v1/events/evt_5kq2/registrations?page=%s&perPage=100"
	assert.Equal(t, &Page[Registration]{
		Items: []Registration{
			{
				ID:                "reg_9tq4m1",
				Email:             "liam.chen@fabrikam.example",
				FirstName:         "Liam",
				LastName:          "Chen",
				Timezone:          "America/New_York",
				TicketID:          "tkt_g7p1",
				UserID:            "usr_0c2ke5",
				RegisteredThrough: "api",
				Metadata:          map[string]string{},
				CreatedAt:         time.Date(2025, 6, 10, 17, 22, 45, 0, time.UTC),
				UpdatedAt:         time.Date(2025, 6, 10, 17, 22, 45, 0, time.UTC),
			},
			{
				ID:                "reg_b27xw8",
				Email:             "sofia.rossi@northwind.example",
				FirstName:         "Sofía",
				LastName:          "Rossi",
				Headline:          Ptr("Senior Product Designer"),
				Bio:               Ptr("Product designer. Loves accessible interfaces."),
				PhoneNumber:       Ptr("+39 02 5555 0199"),
				Twitter:           Ptr("@sofiadesigns"),
				Timezone:          "Europe/Rome",
				TicketID:          "tkt_v9x3",
				UserID:            "usr_7hh2qp",
				MagicLinkID:       Ptr("ml_2a9e41"),
				RegisteredThrough: "magic_link",
				UTM:               UTM{UTMSource: "linkedin", UTMMedium: "social"},
				Attended:          true,
				QRCodeData:        Ptr("RCE-B27XW8-0D3C"),
				QRCodeImageURL:    Ptr("https://cdn.events.ringcentral.example/qr/reg_b27xw8.png"),
				FirstCheckIn:      nil, // "" in the fixture
				CustomRegistrationFields: []CustomRegistrationField{
					{ID: "q_company", Name: "Company", Value: StringFieldValue(""), Type: "singleLineText"},
					{
						ID: "q_workshop", Name: "Will you join a workshop?", Value: StringFieldValue("Yes"), Type: "conditional",
						ChildQuestions: []CustomRegistrationChildField{
							{ID: "q_workshop_pick", Name: "Which workshops?", Value: ListFieldValue("Design Systems 101"), Type: "multiSelect"},
						},
					},
				},
				QuestionBankEnabled: true,
				Metadata:            map[string]string{"source": "partner-list"},
				CreatedAt:           time.Date(2025, 6, 11, 8, 3, 19, 0, time.UTC),
				UpdatedAt:           time.Date(2025, 6, 12, 10, 15, 0, 0, time.UTC),
			},
			{
				ID:                "reg_k5d0ns",
				Email:             "noah.schmidt@contoso.example",
				FirstName:         "Noah",
				LastName:          "Schmidt",
				LinkedIn:          Ptr("https://www.linkedin.com/in/noahschmidt"),
				Website:           Ptr("https://noah.example"),
				Timezone:          "Europe/Berlin",
				TicketID:          "tkt_g7p1",
				UserID:            "usr_x3r9ta",
				RegisteredThrough: "registration_form",
				UTM:               UTM{UTMSource: "google", UTMCampaign: "devsummit-2025", UTMMedium: "cpc", UTMTerm: "developer conference"},
				Refunded:          true,
				QRCodeData:        Ptr("RCE-K5D0NS-9B77"),
				FirstCheckIn:      nil, // not RFC 3339 in the fixture
				CustomRegistrationFields: []CustomRegistrationField{
					// A number, which the API does not document, is kept as it came.
					{ID: "q_colleagues", Name: "How many colleagues will come with you?", Value: mustFieldValue(t, `2`), Type: "singleLineText"},
					{ID: "q_tracks", Name: "Which tracks will you attend?", Value: ListFieldValue(), Type: "multiSelect"},
				},
				Metadata:  map[string]string{"crmId": "0035g00000YbR7C"},
				CreatedAt: time.Date(2025, 6, 11, 21, 40, 2, 0, time.UTC),
				UpdatedAt: time.Date(2025, 6, 13, 7, 0, 41, 0, time.UTC),
			},
		},
		Count:  103,
		Number: 2,
		Links: Links{
			First: fmt.Sprintf(links, "1"),
			Self:  fmt.Sprintf(links, "2"),
			Last:  fmt.Sprintf(links, "2"),
			Prev:  fmt.Sprintf(links, "1"),
		},
	}, page)
	assert.False(t, page.HasNext())
	assert.Equal(t, "2", page.Items[2].CustomRegistrationFields[0].Value.String())
}

func TestRegistrationsListQuery(t *testing.T) {
	may1 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	berlin := time.FixedZone("CEST", 2*60*60)
	for _, tc := range []struct {
		name string
		opts *RegistrationListOptions
		want url.Values
	}{
		{"nil", nil, url.Values{}},
		{"zero", &RegistrationListOptions{}, url.Values{}},
		{"page", &RegistrationListOptions{ListOptions: ListOptions{Page: 3, PerPage: 50}}, url.Values{"page": {"3"}, "perPage": {"50"}}},
		{
			"email in",
			&RegistrationListOptions{Email: &StringFilter{In: []string{"a@x.com", "b@x.com"}}},
			url.Values{"filter[email][in]": {"a@x.com,b@x.com"}},
		},
		{
			"email eq",
			&RegistrationListOptions{Email: &StringFilter{Eq: "ada.okafor@contoso.example"}},
			url.Values{"filter[email][eq]": {"ada.okafor@contoso.example"}},
		},
		{
			"created at gte",
			&RegistrationListOptions{CreatedAt: &DateTimeFilter{Gte: may1}},
			url.Values{"filter[createdAt][gte]": {"2024-05-01T00:00:00Z"}},
		},
		{
			"updated at, in UTC",
			&RegistrationListOptions{UpdatedAt: &DateTimeFilter{
				Gt: time.Date(2025, 6, 12, 10, 30, 0, 0, berlin),
				In: []time.Time{may1, time.Date(2025, 6, 12, 8, 47, 31, 512e6, time.UTC)},
			}},
			url.Values{
				"filter[updatedAt][gt]": {"2025-06-12T08:30:00Z"},
				"filter[updatedAt][in]": {"2024-05-01T00:00:00Z,2025-06-12T08:47:31.512Z"},
			},
		},
		{
			"user updated at between",
			&RegistrationListOptions{UserUpdatedAt: &DateTimeFilter{Gte: may1, Lt: may1.AddDate(0, 1, 0)}},
			url.Values{"filter[userUpdatedAt][gte]": {"2024-05-01T00:00:00Z"}, "filter[userUpdatedAt][lt]": {"2024-06-01T00:00:00Z"}},
		},
		{"refunded false", &RegistrationListOptions{Refunded: &BoolFilter{Eq: false}}, url.Values{"filter[refunded][eq]": {"false"}}},
		{"refunded true", &RegistrationListOptions{Refunded: &BoolFilter{Eq: true}}, url.Values{"filter[refunded][eq]": {"true"}}},
		{
			"everything",
			&RegistrationListOptions{
				ListOptions:   ListOptions{Page: 2, PerPage: 100},
				Email:         &StringFilter{Eq: "a@x.com", In: []string{"b@x.com"}},
				CreatedAt:     &DateTimeFilter{Lte: may1},
				UpdatedAt:     &DateTimeFilter{Eq: may1},
				UserUpdatedAt: &DateTimeFilter{Gt: may1},
				Refunded:      &BoolFilter{},
			},
			url.Values{
				"page":                      {"2"},
				"perPage":                   {"100"},
				"filter[email][eq]":         {"a@x.com"},
				"filter[email][in]":         {"b@x.com"},
				"filter[createdAt][lte]":    {"2024-05-01T00:00:00Z"},
				"filter[updatedAt][eq]":     {"2024-05-01T00:00:00Z"},
				"filter[userUpdatedAt][gt]": {"2024-05-01T00:00:00Z"},
				"filter[refunded][eq]":      {"false"},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			ts.mux.HandleFunc("/v1/events/evt_5kq2/registrations", func(w http.ResponseWriter, r *http.Request) {
				assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2/registrations", tc.want)
				writeFixture(t, w, http.StatusOK, "registrations_list.json")
			})
			_, err := ts.client.Registrations.List(context.Background(), "evt_5kq2", tc.opts)
			require.NoError(t, err)
			assert.EqualValues(t, 1, ts.requests.Load())
		})
	}
}

func TestRegistrationsListBadFilter(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/registrations", func(w http.ResponseWriter, r *http.Request) {
		writeFixture(t, w, http.StatusBadRequest, "registrations_error_bad_filter.json")
	})

	lt := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	_, err := ts.client.Registrations.List(context.Background(), "evt_5kq2", &RegistrationListOptions{
		UserUpdatedAt: &DateTimeFilter{Lt: lt},
	})
	require.ErrorIs(t, err, ErrBadRequest)
	// Errors name each filter, not its value: filter values may be personal data.
	target := ts.URL + basePath + "/v1/events/evt_5kq2/registrations?filter[userUpdatedAt][lt]=…"
	assertAPIError(t, err, &APIError{
		StatusCode: http.StatusBadRequest,
		Method:     http.MethodGet,
		URL:        target,
		Errors: []ErrorObject{{
			Code:   "invalid_filter",
			Detail: "Field value has the wrong type",
			Status: "400",
			Title:  "Bad Request",
			Source: &ErrorSource{Parameter: "filter[userUpdatedAt][lt]"},
		}},
	})
	assert.Equal(t, "rcevents: GET "+target+": 400 Bad Request: filter[userUpdatedAt][lt]: Field value has the wrong type", err.Error())
}

func TestRegistrationsAll(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/registrations", func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2/registrations",
			url.Values{"page": {page}, "perPage": {"100"}, "filter[createdAt][gte]": {"2025-05-01T00:00:00Z"}})
		switch page {
		case "1":
			writeFixture(t, w, http.StatusOK, "registrations_list_100.json")
		case "2":
			writeFixture(t, w, http.StatusOK, "registrations_list.json")
		default:
			t.Errorf("unexpected page %q", page)
			http.NotFound(w, r)
		}
	})

	may1 := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	opts := &RegistrationListOptions{ListOptions: ListOptions{PerPage: 100}, CreatedAt: &DateTimeFilter{Gte: may1}}
	var ids []string
	for reg, err := range ts.client.Registrations.All(context.Background(), "evt_5kq2", opts) {
		require.NoError(t, err)
		ids = append(ids, reg.ID)
	}
	require.Len(t, ids, 103)
	assert.Equal(t, "reg_z38krx", ids[0])
	assert.Equal(t, []string{"reg_9tq4m1", "reg_b27xw8", "reg_k5d0ns"}, ids[100:])
	assert.EqualValues(t, 2, ts.requests.Load())
	assert.Equal(t, &RegistrationListOptions{ListOptions: ListOptions{PerPage: 100}, CreatedAt: &DateTimeFilter{Gte: may1}}, opts, "the caller's options are left alone")
}

func TestRegistrationsListDecodesFullPage(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/registrations", func(w http.ResponseWriter, r *http.Request) {
		writeFixture(t, w, http.StatusOK, "registrations_list_100.json")
	})

	page, err := ts.client.Registrations.List(context.Background(), "evt_5kq2", nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 100)
	assert.Equal(t, 103, page.Count)
	assert.True(t, page.HasNext())

	first, last := page.Items[0], page.Items[99]
	assert.Equal(t, "reg_z38krx", first.ID)
	assert.Equal(t, "olivia.tanaka@contoso.example", first.Email)
	assert.Equal(t, Ptr(time.Date(2025, 6, 12, 10, 10, 5, 0, time.UTC)), first.FirstCheckIn)
	require.Len(t, first.CustomRegistrationFields, 3)
	assert.Equal(t, "Contoso Ltd", first.CustomRegistrationFields[0].Value.String())
	assert.Equal(t, []string{"Security"}, first.CustomRegistrationFields[1].Value.Strings())
	assert.Equal(t, "noah.larsen@northwind.example", last.Email)

	var lists, children, checkedIn int
	for _, reg := range page.Items {
		if reg.FirstCheckIn != nil {
			checkedIn++
		}
		for _, f := range reg.CustomRegistrationFields {
			if f.Value.IsList() {
				lists++
			}
			children += len(f.ChildQuestions)
		}
	}
	assert.Equal(t, 100, lists, "one multiSelect answer per registration")
	assert.Positive(t, children)
	assert.Positive(t, checkedIn)
}

func TestRegistrationsCreate(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/registrations", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodPost, "/v1/events/evt_5kq2/registrations", nil)
		assertBody(t, r, `{"data": {"type": "registration", "attributes": {
			"email": "grace.hopper@fabrikam.example",
			"firstName": "Grace",
			"lastName": "Hopper",
			"ticketId": "tkt_g7p1",
			"externalBarcode": "FAB-000417",
			"answers": [{"questionId": "q_company", "answer": "Fabrikam"}],
			"metadata": {"crmId": "0035g00000ZzT1D"}
		}}}`)
		writeFixture(t, w, http.StatusCreated, "registrations_create.json")
	})

	reg, err := ts.client.Registrations.Create(context.Background(), "evt_5kq2", &RegistrationCreateRequest{
		Email:           "grace.hopper@fabrikam.example",
		FirstName:       "Grace",
		LastName:        "Hopper",
		TicketID:        "tkt_g7p1",
		ExternalBarcode: "FAB-000417",
		Answers:         []Answer{{QuestionID: "q_company", Answer: "Fabrikam"}},
		Metadata:        map[string]string{"crmId": "0035g00000ZzT1D"},
	})
	require.NoError(t, err)
	assert.Equal(t, &Registration{
		ID:                "reg_p8w3jf",
		Email:             "grace.hopper@fabrikam.example",
		FirstName:         "Grace",
		LastName:          "Hopper",
		Timezone:          "America/Chicago",
		TicketID:          "tkt_g7p1",
		UserID:            "usr_m4v6yd",
		RegisteredThrough: "api",
		QRCodeData:        Ptr("RCE-P8W3JF-44E2"),
		QRCodeImageURL:    Ptr("https://cdn.events.ringcentral.example/qr/reg_p8w3jf.png"),
		CustomRegistrationFields: []CustomRegistrationField{
			{ID: "q_company", Name: "Company", Value: StringFieldValue("Fabrikam"), Type: "singleLineText"},
		},
		Metadata:  map[string]string{"crmId": "0035g00000ZzT1D"},
		CreatedAt: time.Date(2025, 6, 14, 12, 30, 0, 0, time.UTC),
		UpdatedAt: time.Date(2025, 6, 14, 12, 30, 0, 0, time.UTC),
	}, reg)
}

func TestRegistrationsCreateMinimal(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/registrations", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodPost, "/v1/events/evt_5kq2/registrations", nil)
		assertBody(t, r, `{"data": {"type": "registration", "attributes": {
			"email": "grace.hopper@fabrikam.example", "firstName": "Grace", "lastName": "Hopper"
		}}}`)
		writeFixture(t, w, http.StatusCreated, "registrations_create.json")
	})

	reg, err := ts.client.Registrations.Create(context.Background(), "evt_5kq2", &RegistrationCreateRequest{
		Email: "grace.hopper@fabrikam.example", FirstName: "Grace", LastName: "Hopper",
		Metadata: map[string]string{}, // empty: left out
	})
	require.NoError(t, err)
	assert.Equal(t, "reg_p8w3jf", reg.ID)
}

func TestRegistrationsUpdate(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/registrations/reg_3hx9q2", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodPatch, "/v1/registrations/reg_3hx9q2", nil)
		// Only the attributes set, nothing else.
		assertBody(t, r, `{"data": {"type": "registration", "attributes": {
			"lastName": "Okafor-Bell",
			"headline": "Principal Engineer, Contoso",
			"metadata": {"crmId": "0035g00000XkQ2A", "segment": "strategic"}
		}}}`)
		writeFixture(t, w, http.StatusOK, "registrations_update.json")
	})

	reg, err := ts.client.Registrations.Update(context.Background(), "reg_3hx9q2", &RegistrationUpdateRequest{
		LastName: "Okafor-Bell",
		Headline: "Principal Engineer, Contoso",
		Metadata: map[string]string{"crmId": "0035g00000XkQ2A", "segment": "strategic"},
	})
	require.NoError(t, err)
	assert.Equal(t, &Registration{
		ID:                  "reg_3hx9q2",
		Email:               "ada.okafor@contoso.example",
		FirstName:           "Ada",
		LastName:            "Okafor-Bell",
		Headline:            Ptr("Principal Engineer, Contoso"),
		Bio:                 Ptr("Platform engineer at Contoso, working on event-driven systems."),
		Timezone:            "Europe/London",
		TicketID:            "tkt_g7p1",
		UserID:              "usr_51mz8w",
		MagicLinkID:         Ptr("ml_77fd0c"),
		RegisteredThrough:   "registration_form",
		Attended:            true,
		QRCodeData:          Ptr("RCE-3HX9Q2-6F1A"),
		FirstCheckIn:        Ptr(time.Date(2025, 6, 12, 8, 47, 31, 0, time.UTC)),
		QuestionBankEnabled: true,
		CustomRegistrationFields: []CustomRegistrationField{
			{ID: "q_company", Name: "Company", Value: StringFieldValue("Contoso Ltd"), Type: "singleLineText"},
		},
		Metadata:  map[string]string{"crmId": "0035g00000XkQ2A", "segment": "strategic"},
		CreatedAt: time.Date(2025, 5, 2, 9, 14, 7, 0, time.UTC),
		UpdatedAt: time.Date(2025, 6, 14, 15, 2, 11, 0, time.UTC),
	}, reg)
}

func TestRegistrationsUpdateBodies(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  *RegistrationUpdateRequest
		want string
	}{
		{"metadata", &RegistrationUpdateRequest{Metadata: map[string]string{"checkedInBy": "kiosk-3"}}, `{"metadata": {"checkedInBy": "kiosk-3"}}`},
		{"first name", &RegistrationUpdateRequest{FirstName: "Adaeze"}, `{"firstName": "Adaeze"}`},
		{"ticket and barcode", &RegistrationUpdateRequest{TicketID: "tkt_v9x3", ExternalBarcode: "CON-99812"}, `{"ticketId": "tkt_v9x3", "externalBarcode": "CON-99812"}`},
		{
			"answers",
			&RegistrationUpdateRequest{Answers: []Answer{{QuestionID: "q_company", Answer: "Contoso"}, {QuestionID: "q_notes", Answer: ""}}},
			`{"answers": [{"questionId": "q_company", "answer": "Contoso"}, {"questionId": "q_notes", "answer": ""}]}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			ts.mux.HandleFunc("/v1/registrations/reg_3hx9q2", func(w http.ResponseWriter, r *http.Request) {
				assertRequest(t, r, http.MethodPatch, "/v1/registrations/reg_3hx9q2", nil)
				assertBody(t, r, `{"data": {"type": "registration", "attributes": `+tc.want+`}}`)
				writeFixture(t, w, http.StatusOK, "registrations_update.json")
			})
			_, err := ts.client.Registrations.Update(context.Background(), "reg_3hx9q2", tc.req)
			require.NoError(t, err)
		})
	}
}

func TestRegistrationsValidation(t *testing.T) {
	ctx := context.Background()
	valid := func() *RegistrationCreateRequest {
		return &RegistrationCreateRequest{Email: "ada@example.com", FirstName: "Ada", LastName: "Okafor"}
	}
	withCreate := func(f func(*RegistrationCreateRequest)) *RegistrationCreateRequest {
		r := valid()
		f(r)
		return r
	}
	for _, tc := range []struct {
		name  string
		field string // named in the error
		call  func(*Client) error
	}{
		{"list email with comma", "RegistrationListOptions.Email.In", func(c *Client) error {
			_, err := c.Registrations.List(ctx, "evt_5kq2", &RegistrationListOptions{Email: &StringFilter{In: []string{"a@x.com,b@x.com"}}})
			return err
		}},
		{"list empty email in list", "RegistrationListOptions.Email.In", func(c *Client) error {
			_, err := c.Registrations.List(ctx, "evt_5kq2", &RegistrationListOptions{Email: &StringFilter{In: []string{"a@x.com", ""}}})
			return err
		}},
		{"list email in not an email", "RegistrationListOptions.Email.In", func(c *Client) error {
			_, err := c.Registrations.List(ctx, "evt_5kq2", &RegistrationListOptions{Email: &StringFilter{In: []string{"a@x.com", "bob"}}})
			return err
		}},
		{"list email eq not an email", "RegistrationListOptions.Email.Eq", func(c *Client) error {
			_, err := c.Registrations.List(ctx, "evt_5kq2", &RegistrationListOptions{Email: &StringFilter{Eq: "Ada <ada@example.com>"}})
			return err
		}},
		{"all bad filter", "RegistrationListOptions.Email.Eq", func(c *Client) error {
			for _, err := range c.Registrations.All(ctx, "evt_5kq2", &RegistrationListOptions{Email: &StringFilter{Eq: "nobody"}}) {
				return err
			}
			return nil
		}},
		{"create nil", "RegistrationCreateRequest.Email", func(c *Client) error {
			_, err := c.Registrations.Create(ctx, "evt_5kq2", nil)
			return err
		}},
		{"create no email", "RegistrationCreateRequest.Email", func(c *Client) error {
			_, err := c.Registrations.Create(ctx, "evt_5kq2", withCreate(func(r *RegistrationCreateRequest) { r.Email = "" }))
			return err
		}},
		{"create bad email", "RegistrationCreateRequest.Email", func(c *Client) error {
			_, err := c.Registrations.Create(ctx, "evt_5kq2", withCreate(func(r *RegistrationCreateRequest) { r.Email = "ada@" }))
			return err
		}},
		{"create no first name", "RegistrationCreateRequest.FirstName", func(c *Client) error {
			_, err := c.Registrations.Create(ctx, "evt_5kq2", withCreate(func(r *RegistrationCreateRequest) { r.FirstName = "" }))
			return err
		}},
		{"create blank last name", "RegistrationCreateRequest.LastName", func(c *Client) error {
			_, err := c.Registrations.Create(ctx, "evt_5kq2", withCreate(func(r *RegistrationCreateRequest) { r.LastName = "  " }))
			return err
		}},
		{"create answer without question", "RegistrationCreateRequest.Answers[1].QuestionID", func(c *Client) error {
			_, err := c.Registrations.Create(ctx, "evt_5kq2", withCreate(func(r *RegistrationCreateRequest) {
				r.Answers = []Answer{{QuestionID: "q_company", Answer: "Contoso"}, {Answer: "orphan"}}
			}))
			return err
		}},
		{"update nil", "RegistrationUpdateRequest", func(c *Client) error {
			_, err := c.Registrations.Update(ctx, "reg_3hx9q2", nil)
			return err
		}},
		{"update nothing", "RegistrationUpdateRequest", func(c *Client) error {
			_, err := c.Registrations.Update(ctx, "reg_3hx9q2", &RegistrationUpdateRequest{})
			return err
		}},
		{"update empty metadata only", "RegistrationUpdateRequest", func(c *Client) error {
			_, err := c.Registrations.Update(ctx, "reg_3hx9q2", &RegistrationUpdateRequest{Metadata: map[string]string{}, Answers: []Answer{}})
			return err
		}},
		{"update answer without question", "RegistrationUpdateRequest.Answers[0].QuestionID", func(c *Client) error {
			_, err := c.Registrations.Update(ctx, "reg_3hx9q2", &RegistrationUpdateRequest{Answers: []Answer{{Answer: "x"}}})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			err := tc.call(ts.client)
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Contains(t, err.Error(), ": "+tc.field+": ")
			assert.Zero(t, ts.requests.Load())
		})
	}
}

func TestRegistrationFirstCheckIn(t *testing.T) {
	want := time.Date(2025, 6, 12, 8, 47, 31, 0, time.UTC)
	for _, tc := range []struct {
		in   string // the firstCheckIn member, or "" for none
		want *time.Time
	}{
		{`"firstCheckIn": "2025-06-12T08:47:31Z"`, &want},
		{`"firstCheckIn": "2025-06-12T10:47:31+02:00"`, &want},
		{`"firstCheckIn": null`, nil},
		{`"firstCheckIn": ""`, nil},
		{`"firstCheckIn": "12/06/2025 08:47"`, nil},
		{`"firstCheckIn": 1749718051`, nil},
		{`"firstCheckIn": {"at": "2025-06-12T08:47:31Z"}`, nil},
		{``, nil},
	} {
		body := `{"id": "reg_3hx9q2", "email": "ada@example.com"`
		if tc.in != "" {
			body += ", " + tc.in
		}
		body += `}`
		var reg Registration
		require.NoError(t, json.Unmarshal([]byte(body), &reg), body)
		assert.Equal(t, "reg_3hx9q2", reg.ID, body)
		assert.Equal(t, "ada@example.com", reg.Email, body)
		if tc.want == nil {
			assert.Nil(t, reg.FirstCheckIn, body)
		} else if assert.NotNil(t, reg.FirstCheckIn, body) {
			assert.True(t, tc.want.Equal(*reg.FirstCheckIn), body)
		}
	}
}

func TestRegistrationDecodeErrors(t *testing.T) {
	// Leniency is for firstCheckIn only: other attributes of the wrong type
	// fail as encoding/json makes them fail.
	for _, body := range []string{
		`{"attended": "yes"}`,
		`{"createdAt": "yesterday"}`,
		`{"metadata": []}`,
		`{"customRegistrationFields": {}}`,
		`[]`,
	} {
		var reg Registration
		assert.Error(t, json.Unmarshal([]byte(body), &reg), body)
	}
	var reg Registration
	require.NoError(t, json.Unmarshal([]byte(`null`), &reg))
	assert.Equal(t, Registration{}, reg)
}

func TestRegistrationListItemsDecodeAsUnmarshalJSON(t *testing.T) {
	// List pages decode registrations straight into the page; a caller of
	// encoding/json goes through Registration.UnmarshalJSON: both must give
	// the same registrations.
	assertListDecodesAsUnmarshalJSON(t, fixture(t, "registrations_list_100.json"))
	for _, attrs := range []string{
		`{}`, `null`, `{"id":"reg_own"}`, `{"unknown":[1,{"a":null}]}`,
		`{"firstCheckIn":"2025-06-12T10:10:05Z"}`, `{"firstCheckIn":"2025-06-12T10:10:05.5+02:00"}`,
		`{"firstCheckIn":"2025-06-12T10:10:05\u005A"}`, `{"firstCheckIn":"not a time"}`,
		`{"firstCheckIn":""}`, `{"firstCheckIn":null}`, `{"firstCheckIn":42}`, `{"firstCheckIn":{"a":1}}`,
		`{"FIRSTCHECKIN":"2025-06-12T10:10:05Z","EMAIL":"a@b.example","Id":"reg_case"}`,
		`{"email":"a@b.example","email":"c@d.example","firstCheckIn":"bad","firstCheckIn":"2025-06-12T10:10:05Z"}`,
		`{"metadata":{"a":"1"},"utm":{"utmSource":"x"},"headline":null,"customRegistrationFields":null}`,
		`{"attended": "yes"}`, `{"createdAt": "yesterday"}`, `{"metadata": []}`,
		`{"customRegistrationFields": {}}`, `[]`, `"x"`,
	} {
		t.Run(attrs, func(t *testing.T) {
			assertListDecodesAsUnmarshalJSON(t, []byte(`{"data":[{"id":"reg_env","type":"registration","attributes":`+attrs+`}]}`))
		})
	}
}

// assertListDecodesAsUnmarshalJSON decodes a registrations page as lists do
// and with encoding/json through Registration.UnmarshalJSON, and compares
// the two.
func assertListDecodesAsUnmarshalJSON(t *testing.T, page []byte) {
	t.Helper()
	var plain struct {
		Data []struct {
			ID         string       `json:"id"`
			Attributes Registration `json:"attributes"`
		} `json:"data"`
	}
	// A stream decoder, as the pipeline: what follows the first value is not read.
	plainErr := json.NewDecoder(bytes.NewReader(page)).Decode(&plain)
	p, listErr := decodePage[Registration](bytes.NewReader(page), nil)
	require.Equal(t, plainErr == nil, listErr == nil, "UnmarshalJSON: %v; list: %v", plainErr, listErr)
	if plainErr == nil {
		want := make([]Registration, len(plain.Data))
		for i, d := range plain.Data {
			want[i] = d.Attributes
			if want[i].ID == "" {
				want[i].ID = d.ID
			}
		}
		assert.Equal(t, want, p.Items)
	}
}

func TestFieldValue(t *testing.T) {
	for _, tc := range []struct {
		in      string
		str     string
		strs    []string
		isList  bool
		isNull  bool
		marshal string // "" for in itself
	}{
		{in: `"Contoso Ltd"`, str: "Contoso Ltd", strs: []string{"Contoso Ltd"}},
		{in: `""`, str: "", strs: []string{""}},
		{in: `"Zürich — \"HQ\""`, str: `Zürich — "HQ"`, strs: []string{`Zürich — "HQ"`}},
		{in: `"caf\u00e9"`, str: "café", strs: []string{"café"}, marshal: `"café"`},
		{in: `["Cloud Native", "Security"]`, str: "Cloud Native, Security", strs: []string{"Cloud Native", "Security"}, isList: true, marshal: `["Cloud Native","Security"]`},
		{in: `["Security"]`, str: "Security", strs: []string{"Security"}, isList: true},
		{in: `[]`, str: "", strs: []string{}, isList: true},
		{in: `[ ]`, str: "", strs: []string{}, isList: true, marshal: `[]`},
		{in: "[ \"a\" ,\n\t\"b\"\r]", str: "a, b", strs: []string{"a", "b"}, isList: true, marshal: `["a","b"]`},
		{in: `["caf\u00e9", "x"]`, str: "café, x", strs: []string{"café", "x"}, isList: true, marshal: `["café","x"]`},
		{in: `["a", ["b"]]`, str: `["a",["b"]]`, marshal: `["a",["b"]]`},
		{in: `null`, isNull: true},
		// Undocumented kinds are kept as they came.
		{in: `42`, str: "42"},
		{in: `-1.5e3`, str: "-1.5e3"},
		{in: `true`, str: "true"},
		{in: `{"label": "Other", "text": "Bring a plus one"}`, str: `{"label":"Other","text":"Bring a plus one"}`, marshal: `{"label":"Other","text":"Bring a plus one"}`},
		{in: `[1, "a"]`, str: `[1,"a"]`, marshal: `[1,"a"]`},
		{in: `["a", null]`, str: `["a",null]`, marshal: `["a",null]`},
		{in: `[["a"]]`, str: `[["a"]]`},
		// A name twice, or invalid UTF-8, as the decoder reads them, so that
		// any encoder writes the value back.
		{in: `[{"": "", "": "x"}]`, str: `[{"":"x"}]`, marshal: `[{"":"x"}]`},
		{in: "{\"a\": \"\xff\"}", str: "{\"a\":\"\ufffd\"}", marshal: "{\"a\":\"\ufffd\"}"},
	} {
		var v FieldValue
		require.NoError(t, json.Unmarshal([]byte(tc.in), &v), tc.in)
		assert.Equal(t, tc.str, v.String(), tc.in)
		assert.Equal(t, tc.strs, v.Strings(), tc.in)
		assert.Equal(t, tc.isList, v.IsList(), tc.in)
		assert.Equal(t, tc.isNull, v.IsNull(), tc.in)
		b, err := json.Marshal(v)
		require.NoError(t, err, tc.in)
		want := tc.marshal
		if want == "" {
			want = tc.in
		}
		assert.Equal(t, want, string(b), tc.in)
	}

	for _, bad := range []string{``, `{"a"`, `nul`, `"open`, `[1,`, `'x'`} {
		var v FieldValue
		assert.Error(t, v.UnmarshalJSON([]byte(bad)), bad)
	}
}

func TestFieldValueConstructors(t *testing.T) {
	for _, tc := range []struct {
		v    FieldValue
		want string
	}{
		{FieldValue{}, `null`},
		{StringFieldValue(""), `""`},
		{StringFieldValue("a <b> & c"), `"a \u003cb\u003e \u0026 c"`},
		{ListFieldValue(), `[]`},
		{ListFieldValue("x", "y"), `["x","y"]`},
	} {
		b, err := json.Marshal(tc.v)
		require.NoError(t, err)
		assert.Equal(t, tc.want, string(b))
	}

	in := []string{"a", "b"}
	v := ListFieldValue(in...)
	in[0] = "changed"
	out := v.Strings()
	out[1] = "changed"
	assert.Equal(t, []string{"a", "b"}, v.Strings(), "a FieldValue shares no slice with its callers")
	assert.True(t, v.IsList())
	assert.False(t, StringFieldValue("a").IsList())
	assert.True(t, FieldValue{}.IsNull())
	assert.False(t, StringFieldValue("").IsNull())
}

func FuzzFieldValue(f *testing.F) {
	for _, s := range []string{
		`null`, `""`, `"a"`, `"caf\u00e9"`, `"\ud800"`, "\"\xff\"", `"<&>"`, `[]`, `["a","b"]`, `["a",null]`,
		`[1,"a"]`, `[["a"]]`, `{}`, `{"a":[1,{"b":null}]}`, `42`, `-0.0e-0`, `1e400`, `true`, `false`,
		` "padded" `, `[ "x" , "y" ]`, `nul`, `"`, `[`, ``, `'x'`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var direct FieldValue
		_ = direct.UnmarshalJSON(b) // any bytes: no panic

		var v1 FieldValue
		err := json.Unmarshal(b, &v1)
		if !json.Valid(b) {
			if err == nil {
				t.Fatalf("decoded invalid JSON %q", b)
			}
			return
		}
		if err != nil {
			t.Fatalf("failed on valid JSON %q: %v", b, err)
		}
		enc1, err := json.Marshal(v1)
		if err != nil {
			t.Fatalf("marshal of %q: %v", b, err)
		}
		var v2 FieldValue
		if err := json.Unmarshal(enc1, &v2); err != nil {
			t.Fatalf("decoding %q (from %q): %v", enc1, b, err)
		}
		enc2, err := json.Marshal(v2)
		if err != nil {
			t.Fatalf("marshal of %q: %v", enc1, err)
		}
		if !bytes.Equal(enc1, enc2) {
			t.Fatalf("unstable: %q → %q → %q", b, enc1, enc2)
		}
		if v1.kind != v2.kind {
			t.Fatalf("kind changed: %q → %q", b, enc1)
		}
		if v1.kind == fieldOther {
			// Escapes may change (json.Marshal escapes <, > and &), not the value.
			if !reflect.DeepEqual(fuzzDecodeAny(t, v1.str), fuzzDecodeAny(t, v2.str)) {
				t.Fatalf("value changed: %q → %q", v1.str, v2.str)
			}
		} else if !reflect.DeepEqual(v1, v2) && !(v1.kind == fieldList && len(v1.list) == 0 && len(v2.list) == 0) {
			t.Fatalf("value changed: %#v → %#v", v1, v2)
		}
	})
}

func fuzzDecodeAny(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decoding %q: %v", s, err)
	}
	return v
}

func FuzzRegistration(f *testing.F) {
	f.Add(fixtureAttributes(f, "registrations_get.json"))
	for _, s := range []string{
		`{}`, `null`, `{"firstCheckIn": null}`, `{"firstCheckIn": ""}`, `{"firstCheckIn": "2025-06-12T08:47:31+02:00"}`,
		`{"firstCheckIn": 7}`, `{"firstCheckIn": ["x"]}`, `{"firstCheckIn": "2025-13-40T99:99:99Z"}`,
		`{"customRegistrationFields": [{"value": [1, {}], "childQuestions": [{"value": null}]}]}`,
		`{"customRegistrationFields": null, "metadata": null, "utm": null}`, `{"attended": "yes"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var r1 Registration
		if json.Unmarshal(b, &r1) != nil {
			return
		}
		enc1, err := json.Marshal(&r1)
		if err != nil {
			t.Fatalf("marshal after decoding %q: %v", b, err)
		}
		var r2 Registration
		if err := json.Unmarshal(enc1, &r2); err != nil {
			t.Fatalf("decoding %q: %v", enc1, err)
		}
		enc2, err := json.Marshal(&r2)
		if err != nil {
			t.Fatalf("marshal of %q: %v", enc1, err)
		}
		if !bytes.Equal(enc1, enc2) {
			t.Fatalf("unstable: %q → %q", enc1, enc2)
		}
	})
}

// fixtureAttributes returns the attributes of the single resource of
// testdata/name.
func fixtureAttributes(tb testing.TB, name string) []byte {
	tb.Helper()
	var doc struct {
		Data struct {
			Attributes json.RawMessage `json:"attributes"`
		} `json:"data"`
	}
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(tb, err)
	require.NoError(tb, json.Unmarshal(b, &doc))
	return doc.Data.Attributes
}

func mustFieldValue(t *testing.T, s string) FieldValue {
	t.Helper()
	var v FieldValue
	require.NoError(t, json.Unmarshal([]byte(s), &v))
	return v
}
