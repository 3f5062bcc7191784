package rcevents

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEventsGet(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2", nil)
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "events_get.json")
	})

	ev, err := ts.client.Events.Get(context.Background(), "evt_5kq2")
	require.NoError(t, err)
	assert.Equal(t, &Event{
		ID:          "evt_5kq2",
		Name:        "Northwind Developer Summit 2025",
		Description: "Two days of talks and workshops on building with the Northwind platform.",
		Slug:        "northwind-dev-summit-2025",
		Status:      "upcoming",
		Published:   true,
		Type:        EventTypePublicEvent,
		Timezone:    "Europe/Berlin",
		TimeStart:   Ptr(time.Date(2025, 6, 3, 7, 0, 0, 0, time.UTC)),
		TimeEnd:     Ptr(time.Date(2025, 6, 4, 15, 0, 0, 0, time.UTC)),
		CreatedAt:   time.Date(2025, 2, 11, 8, 45, 12, 0, time.UTC),
		Metadata: map[string]any{
			"costCenter": "MKT-204",
			"capacity":   float64(1200),
			"tracks":     []any{"build", "scale"},
			"sponsor":    nil,
		},
	}, ev)
}

func TestEventsList(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/organizations/org_7f3a/events", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/organizations/org_7f3a/events", url.Values{"page": {"2"}, "perPage": {"2"}})
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "events_list.json")
	})

	page, err := ts.client.Events.List(context.Background(), "org_7f3a", &ListOptions{Page: 2, PerPage: 2})
	require.NoError(t, err)
	assert.Equal(t, &Page[Event]{
		Items: []Event{
			{
				ID:          "evt_7hd9",
				Name:        "Q4 All-Hands",
				Description: "Quarterly update for all staff.",
				Slug:        "q4-all-hands",
				Status:      "draft",
				Published:   false,
				Type:        EventTypePrivateEvent,
				Timezone:    "UTC",
				TimeStart:   Ptr(time.Date(2024, 10, 17, 16, 0, 0, 0, time.UTC)),
				TimeEnd:     Ptr(time.Date(2024, 10, 17, 17, 30, 0, 0, time.UTC)),
				CreatedAt:   time.Date(2024, 9, 30, 14, 2, 41, 250_000_000, time.UTC),
				Metadata:    map[string]any{},
			},
			{
				// The attributes lack an id: the envelope's is used. Odd
				// times decode as zero and nil instead of failing the page.
				ID:        "evt_2mx8",
				Name:      "Partner Roadshow: Lisbon",
				Slug:      "partner-roadshow-lisbon",
				Status:    "ended",
				Published: true,
				Type:      EventTypeHiddenEvent,
				Timezone:  "Lisbon",
				TimeStart: nil, // null
				TimeEnd:   nil, // ""
				CreatedAt: time.Time{},
				Metadata:  map[string]any{"owner": "sales-emea"},
			},
		},
		Count:  5,
		Number: 2,
		Links: Links{
			First: "https://api.events.ringcentral.com/v1/organizations/org_7f3a/events?page=1&perPage=2",
			Self:  "https://api.events.ringcentral.com/v1/organizations/org_7f3a/events?page=2&perPage=2",
			Last:  "https://api.events.ringcentral.com/v1/organizations/org_7f3a/events?page=3&perPage=2",
			Prev:  "https://api.events.ringcentral.com/v1/organizations/org_7f3a/events?page=1&perPage=2",
			Next:  "https://api.events.ringcentral.com/v1/organizations/org_7f3a/events?page=3&perPage=2",
		},
	}, page)
}

func TestEventsAll(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/organizations/org_7f3a/events", func(w http.ResponseWriter, r *http.Request) {
		n := r.URL.Query().Get("page")
		assertRequest(t, r, http.MethodGet, "/v1/organizations/org_7f3a/events", url.Values{"page": {n}, "perPage": {"1"}})
		writeFixture(t, w, http.StatusOK, "events_all_"+n+".json")
	})

	var names []string
	for ev, err := range ts.client.Events.All(context.Background(), "org_7f3a", &ListOptions{PerPage: 1}) {
		require.NoError(t, err)
		names = append(names, ev.ID+" "+ev.Name)
	}
	assert.Equal(t, []string{"evt_a1 Onboarding Day", "evt_b2 Hack Week Demos"}, names)
	assert.EqualValues(t, 2, ts.requests.Load())
}

func TestEventsCreate(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/organizations/org_7f3a/events", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodPost, "/v1/organizations/org_7f3a/events", nil)
		assertBody(t, r, `{"data": {"type": "event", "attributes": {
			"analyticsCode": "G-4XK29QWJ7L",
			"attendeesVisibility": "show_list",
			"color": "#1a73e8",
			"currency": "USD",
			"description": "Our yearly customer conference.",
			"doorsCloseAfterMinutes": 0,
			"doorsOpenBeforeMinutes": 15,
			"eventType": "public_event",
			"gdprText": "We process your data to run the event.",
			"hidePeopleArea": false,
			"message": "See you in New York!",
			"name": "Contoso Connect 2025",
			"networkType": "ticket_holder",
			"password": "s3cret-pass",
			"shortDescription": "Customer conference",
			"slug": "contoso-connect-2025",
			"suppressEmails": true,
			"timeEnd": "2025-09-18T22:00:00Z",
			"timeStart": "2025-09-18T14:00:00Z",
			"timerLength": 30,
			"timezone": "America/New_York"
		}}}`)
		writeFixture(t, w, http.StatusCreated, "events_create.json")
	})

	edt := time.FixedZone("EDT", -4*60*60) // times are sent in UTC
	ev, err := ts.client.Events.Create(context.Background(), "org_7f3a", &EventCreateRequest{
		Name:                   "Contoso Connect 2025",
		Currency:               "USD",
		Timezone:               "America/New_York",
		TimeStart:              time.Date(2025, 9, 18, 10, 0, 0, 0, edt),
		TimeEnd:                time.Date(2025, 9, 18, 18, 0, 0, 0, edt),
		Description:            "Our yearly customer conference.",
		ShortDescription:       "Customer conference",
		Slug:                   "contoso-connect-2025",
		Color:                  "#1a73e8",
		AnalyticsCode:          "G-4XK29QWJ7L",
		GDPRText:               "We process your data to run the event.",
		Message:                "See you in New York!",
		Password:               "s3cret-pass",
		EventType:              EventTypePublicEvent,
		AttendeesVisibility:    AttendeesVisibilityShowList,
		NetworkType:            NetworkTypeTicketHolder,
		DoorsOpenBeforeMinutes: Ptr(15),
		DoorsCloseAfterMinutes: Ptr(0),
		TimerLength:            Ptr(30),
		HidePeopleArea:         Ptr(false),
		SuppressEmails:         Ptr(true),
	})
	require.NoError(t, err)
	assert.Equal(t, &Event{
		ID:          "evt_9tr4",
		Name:        "Contoso Connect 2025",
		Description: "Our yearly customer conference.",
		Slug:        "contoso-connect-2025",
		Status:      "draft",
		Published:   false,
		Type:        EventTypePublicEvent,
		Timezone:    "America/New_York",
		TimeStart:   Ptr(time.Date(2025, 9, 18, 14, 0, 0, 0, time.UTC)),
		TimeEnd:     Ptr(time.Date(2025, 9, 18, 22, 0, 0, 0, time.UTC)),
		CreatedAt:   time.Date(2025, 3, 1, 12, 0, 5, 0, time.UTC),
		Metadata:    map[string]any{},
	}, ev)
}

func TestEventsCreateMinimal(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/organizations/org_7f3a/events", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodPost, "/v1/organizations/org_7f3a/events", nil)
		// Zero fields are left out.
		assertBody(t, r, `{"data": {"type": "event", "attributes": {
			"currency": "USD",
			"name": "Contoso Connect 2025",
			"timeEnd": "2025-09-18T22:00:00Z",
			"timeStart": "2025-09-18T14:00:00.5Z",
			"timezone": "America/New_York"
		}}}`)
		writeFixture(t, w, http.StatusCreated, "events_create.json")
	})

	_, err := ts.client.Events.Create(context.Background(), "org_7f3a", &EventCreateRequest{
		Name:      "Contoso Connect 2025",
		Currency:  "USD",
		Timezone:  "America/New_York",
		TimeStart: time.Date(2025, 9, 18, 14, 0, 0, 500_000_000, time.UTC),
		TimeEnd:   time.Date(2025, 9, 18, 22, 0, 0, 0, time.UTC),
	})
	require.NoError(t, err)
}

func TestEventsDuplicate(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/duplications", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodPost, "/v1/events/evt_5kq2/duplications", nil)
		assertBody(t, r, `{"data": {"type": "event", "attributes": {
			"auto_publish": false,
			"metadata": {"copyOf": "evt_5kq2", "edition": 2026},
			"name": "Northwind Developer Summit 2026",
			"organizationId": "org_91bc",
			"password": "summit-2026",
			"timeEnd": "2026-06-03T15:00:00Z",
			"timeStart": "2026-06-02T07:00:00Z",
			"timezone": "Europe/Berlin",
			"type": "private_event"
		}}}`)
		w.WriteHeader(http.StatusAccepted) // no body
	})

	err := ts.client.Events.Duplicate(context.Background(), "evt_5kq2", &EventDuplicateRequest{
		Name:           "Northwind Developer Summit 2026",
		OrganizationID: "org_91bc",
		Timezone:       "Europe/Berlin",
		Password:       "summit-2026",
		TimeStart:      time.Date(2026, 6, 2, 7, 0, 0, 0, time.UTC),
		TimeEnd:        time.Date(2026, 6, 3, 15, 0, 0, 0, time.UTC),
		Type:           EventTypePrivateEvent,
		AutoPublish:    Ptr(false),
		Metadata:       map[string]any{"copyOf": "evt_5kq2", "edition": 2026},
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, ts.requests.Load())
}

func TestEventsDuplicateNilRequest(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/duplications", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodPost, "/v1/events/evt_5kq2/duplications", nil)
		assertBody(t, r, `{"data": {"type": "event", "attributes": {}}}`)
		w.WriteHeader(http.StatusAccepted)
	})

	require.NoError(t, ts.client.Events.Duplicate(context.Background(), "evt_5kq2", nil))
	require.NoError(t, ts.client.Events.Duplicate(context.Background(), "evt_5kq2", &EventDuplicateRequest{}))
}

func TestEventsDuplicateRefused(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/duplications", func(w http.ResponseWriter, r *http.Request) {
		writeFixture(t, w, http.StatusForbidden, "events_error_forbidden.json")
	})
	ts.mux.HandleFunc("/v1/events/evt_0ld1/duplications", func(w http.ResponseWriter, r *http.Request) {
		// The reference documents this 422 without a body schema.
		w.WriteHeader(http.StatusUnprocessableEntity)
	})

	err := ts.client.Events.Duplicate(context.Background(), "evt_5kq2", &EventDuplicateRequest{OrganizationID: "org_91bc"})
	require.ErrorIs(t, err, ErrForbidden)
	assertAPIError(t, err, &APIError{
		StatusCode: http.StatusForbidden,
		Method:     http.MethodPost,
		URL:        ts.URL + basePath + "/v1/events/evt_5kq2/duplications",
		Errors: []ErrorObject{{
			Code:   "forbidden",
			Detail: "You are not allowed to duplicate events into this organization",
			Status: "403",
			Title:  "Forbidden",
		}},
	})

	err = ts.client.Events.Duplicate(context.Background(), "evt_0ld1", nil)
	require.ErrorIs(t, err, ErrUnprocessable)
	assertAPIError(t, err, &APIError{
		StatusCode: http.StatusUnprocessableEntity,
		Method:     http.MethodPost,
		URL:        ts.URL + basePath + "/v1/events/evt_0ld1/duplications",
	})
}

// validEventCreateRequest returns a request that passes validation.
func validEventCreateRequest() *EventCreateRequest {
	return &EventCreateRequest{
		Name:      "Contoso Connect 2025",
		Currency:  "USD",
		Timezone:  "America/New_York",
		TimeStart: time.Date(2025, 9, 18, 14, 0, 0, 0, time.UTC),
		TimeEnd:   time.Date(2025, 9, 18, 22, 0, 0, 0, time.UTC),
	}
}

func TestEventsValidation(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	require.NoError(t, validEventCreateRequest().validate())

	create := func(change func(*EventCreateRequest)) func() error {
		return func() error {
			req := validEventCreateRequest()
			change(req)
			_, err := ts.client.Events.Create(ctx, "org_7f3a", req)
			return err
		}
	}
	duplicate := func(req *EventDuplicateRequest) func() error {
		return func() error { return ts.client.Events.Duplicate(ctx, "evt_5kq2", req) }
	}
	start := time.Date(2025, 9, 18, 14, 0, 0, 0, time.UTC)

	for _, tc := range []struct {
		name  string
		field string // named in the error
		call  func() error
	}{
		{"create nil", "EventCreateRequest.Name", func() error { _, err := ts.client.Events.Create(ctx, "org_7f3a", nil); return err }},
		{"create zero", "EventCreateRequest.Name", func() error {
			_, err := ts.client.Events.Create(ctx, "org_7f3a", &EventCreateRequest{})
			return err
		}},
		{"blank name", "EventCreateRequest.Name", create(func(r *EventCreateRequest) { r.Name = "  " })},
		{"no currency", "EventCreateRequest.Currency", create(func(r *EventCreateRequest) { r.Currency = "" })},
		{"no timezone", "EventCreateRequest.Timezone", create(func(r *EventCreateRequest) { r.Timezone = "" })},
		{"unknown timezone", "EventCreateRequest.Timezone", create(func(r *EventCreateRequest) { r.Timezone = "Mars/Olympus_Mons" })},
		{"no start", "EventCreateRequest.TimeStart", create(func(r *EventCreateRequest) { r.TimeStart = time.Time{} })},
		{"no end", "EventCreateRequest.TimeEnd", create(func(r *EventCreateRequest) { r.TimeEnd = time.Time{} })},
		{"end before start", "EventCreateRequest.TimeEnd", create(func(r *EventCreateRequest) { r.TimeEnd = r.TimeStart.Add(-time.Hour) })},
		{"end at start", "EventCreateRequest.TimeEnd", create(func(r *EventCreateRequest) { r.TimeEnd = r.TimeStart })},
		{"start past year 9999", "EventCreateRequest.TimeStart", create(func(r *EventCreateRequest) {
			r.TimeStart = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
			r.TimeEnd = r.TimeStart.Add(time.Hour)
		})},
		{"colour without #", "EventCreateRequest.Color", create(func(r *EventCreateRequest) { r.Color = "1a73e8" })},
		{"colour length", "EventCreateRequest.Color", create(func(r *EventCreateRequest) { r.Color = "#1a73e" })},
		{"colour digits", "EventCreateRequest.Color", create(func(r *EventCreateRequest) { r.Color = "#ggg" })},
		{"event type", "EventCreateRequest.EventType", create(func(r *EventCreateRequest) { r.EventType = "public" })},
		{"attendees visibility", "EventCreateRequest.AttendeesVisibility", create(func(r *EventCreateRequest) { r.AttendeesVisibility = "SHOW_ALL" })},
		{"network type", "EventCreateRequest.NetworkType", create(func(r *EventCreateRequest) { r.NetworkType = "nobody" })},
		{"doors open", "EventCreateRequest.DoorsOpenBeforeMinutes", create(func(r *EventCreateRequest) { r.DoorsOpenBeforeMinutes = Ptr(-5) })},
		{"doors close", "EventCreateRequest.DoorsCloseAfterMinutes", create(func(r *EventCreateRequest) { r.DoorsCloseAfterMinutes = Ptr(-1) })},
		{"timer length", "EventCreateRequest.TimerLength", create(func(r *EventCreateRequest) { r.TimerLength = Ptr(-30) })},
		{"duplicate timezone", "EventDuplicateRequest.Timezone", duplicate(&EventDuplicateRequest{Timezone: "Europe/Atlantis"})},
		{"duplicate type", "EventDuplicateRequest.Type", duplicate(&EventDuplicateRequest{Type: "secret_event"})},
		{"duplicate times", "EventDuplicateRequest.TimeEnd", duplicate(&EventDuplicateRequest{TimeStart: start, TimeEnd: start.Add(-time.Minute)})},
		{"duplicate metadata NaN", "EventDuplicateRequest.Metadata", duplicate(&EventDuplicateRequest{Metadata: map[string]any{"score": math.NaN()}})},
		{"duplicate metadata func", "EventDuplicateRequest.Metadata", duplicate(&EventDuplicateRequest{Metadata: map[string]any{"f": func() {}}})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.field+":")
		})
	}
	assert.Zero(t, ts.requests.Load())
}

func TestEventsValidationAccepts(t *testing.T) {
	start := time.Date(2025, 9, 18, 14, 0, 0, 0, time.UTC)
	for _, r := range []*EventCreateRequest{
		{Name: "a", Currency: "EUR", Timezone: "Abu Dhabi", TimeStart: start, TimeEnd: start.Add(time.Minute), Color: "#FFF"},
		{Name: "a", Currency: "EUR", Timezone: "UTC", TimeStart: start, TimeEnd: start.Add(time.Minute), Color: "#00aAfF",
			DoorsOpenBeforeMinutes: Ptr(0), DoorsCloseAfterMinutes: Ptr(0), TimerLength: Ptr(0),
			EventType: EventTypeHiddenEvent, AttendeesVisibility: AttendeesVisibilityShowNone, NetworkType: NetworkTypeEveryone},
	} {
		assert.NoError(t, r.validate())
	}
	for _, r := range []*EventDuplicateRequest{
		{},
		{TimeStart: start}, // one time alone is left to the API
		{TimeEnd: start},
		{Timezone: "Pacific/Auckland"},
		{Metadata: map[string]any{}},
		{Type: EventTypePublicEvent},
		{AutoPublish: Ptr(true), Name: "x"},
	} {
		assert.NoError(t, r.validate())
	}
}

func TestEventUnmarshalTimes(t *testing.T) {
	at := time.Date(2025, 6, 3, 7, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		value   string // the JSON value of createdAt, timeStart and timeEnd
		want    *time.Time
		wantErr bool
	}{
		{"RFC 3339", `"2025-06-03T07:00:00Z"`, &at, false},
		{"RFC 3339 with offset", `"2025-06-03T09:00:00+02:00"`, &at, false},
		{"null", `null`, nil, false},
		{"empty", `""`, nil, false},
		{"garbage", `"next Tuesday"`, nil, false},
		{"date only", `"2025-06-03"`, nil, false},
		{"number", `1748934000`, nil, false},
		{"object", `{"date": "2025-06-03"}`, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := `{"id": "evt_1", "name": "Launch", "createdAt": ` + tc.value + `, "timeStart": ` + tc.value + `, "timeEnd": ` + tc.value + `}`
			var ev Event
			require.NoError(t, json.Unmarshal([]byte(doc), &ev))
			assert.Equal(t, "evt_1", ev.ID)
			assert.Equal(t, "Launch", ev.Name)
			if tc.want == nil {
				assert.True(t, ev.CreatedAt.IsZero())
				assert.Nil(t, ev.TimeStart)
				assert.Nil(t, ev.TimeEnd)
				return
			}
			assert.True(t, tc.want.Equal(ev.CreatedAt), ev.CreatedAt)
			require.NotNil(t, ev.TimeStart)
			require.NotNil(t, ev.TimeEnd)
			assert.True(t, tc.want.Equal(*ev.TimeStart), *ev.TimeStart)
			assert.True(t, tc.want.Equal(*ev.TimeEnd), *ev.TimeEnd)
		})
	}

	// Other attributes still fail as encoding/json makes them fail.
	var ev Event
	require.Error(t, json.Unmarshal([]byte(`{"published": "yes"}`), &ev))
	require.Error(t, json.Unmarshal([]byte(`[]`), &ev))

	// Decoding replaces the times, even when the attributes lack them.
	ev = Event{TimeStart: &at, CreatedAt: at}
	require.NoError(t, json.Unmarshal([]byte(`{"name": "Launch"}`), &ev))
	assert.Equal(t, Event{Name: "Launch"}, ev)
}

func TestEventMarshalJSON(t *testing.T) {
	ev := Event{
		ID:          "evt_5kq2",
		Name:        "Launch",
		Description: "",
		Slug:        "launch",
		Status:      "draft",
		Published:   true,
		Type:        EventTypePublicEvent,
		Timezone:    "UTC",
		TimeStart:   Ptr(time.Date(2025, 6, 3, 7, 0, 0, 0, time.UTC)),
		CreatedAt:   time.Date(2025, 2, 11, 8, 45, 12, 0, time.UTC),
		Metadata:    map[string]any{"k": "v"},
	}
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"createdAt": "2025-02-11T08:45:12Z",
		"description": "",
		"id": "evt_5kq2",
		"metadata": {"k": "v"},
		"name": "Launch",
		"published": true,
		"slug": "launch",
		"status": "draft",
		"timeEnd": null,
		"timeStart": "2025-06-03T07:00:00Z",
		"timezone": "UTC",
		"type": "public_event"
	}`, string(b))

	var back Event
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, ev, back)
}

func TestEventRequestsMarshalJSON(t *testing.T) {
	start := time.Date(2025, 6, 3, 9, 0, 0, 0, time.FixedZone("CEST", 2*60*60))
	for _, tc := range []struct {
		name string
		req  any
		want string
	}{
		{"create zero", EventCreateRequest{}, `{}`},
		{"template zero", EventFromTemplateRequest{}, `{}`},
		{"duplicate zero", EventDuplicateRequest{}, `{}`},
		{"create value", EventCreateRequest{AttendeesVisibility: AttendeesVisibilityShowAll, TimeStart: start},
			`{"attendeesVisibility": "show_all", "timeStart": "2025-06-03T07:00:00Z"}`},
		{"create pointer", &EventCreateRequest{Name: "x", HidePeopleArea: Ptr(false)}, `{"name": "x", "hidePeopleArea": false}`},
		{"template", &EventFromTemplateRequest{AutoPublish: Ptr(true), Metadata: map[string]any{}, TimeEnd: start},
			`{"auto_publish": true, "timeEnd": "2025-06-03T07:00:00Z"}`},
		{"duplicate", EventDuplicateRequest{OrganizationID: "org_1", Type: EventTypeHiddenEvent},
			`{"organizationId": "org_1", "type": "hidden_event"}`},
	} {
		b, err := encodeBody(tc.req)
		require.NoError(t, err, tc.name)
		assert.JSONEq(t, tc.want, string(b), tc.name)
	}
}

func FuzzEventUnmarshalJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, `null`, `""`, `[]`, `{"createdAt": null}`, `{"timeStart": ""}`, `{"timeEnd": []}`,
		`{"timeStart": {"nested": {"deeper": [1, 2]}}}`, `{"createdAt": "2025-06-03T07:00:00Z", "metadata": {"a": [1, {"b": null}]}}`,
		`{"metadata": []}`, `{"metadata": "x"}`, `{"published": "true"}`, `{"type": 3}`, `{"timeStart": "\u0032025-06-03T07:00:00Z"}`,
		string(fixtureBytes(f, "events_get.json")),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var ev Event
		if json.Unmarshal(b, &ev) != nil {
			return
		}
		if _, err := json.Marshal(ev); err != nil {
			t.Fatalf("decoded %q but cannot encode it back: %v", b, err)
		}
	})
}

func FuzzEventRequestsMarshalJSON(f *testing.F) {
	f.Add("Launch", "UTC", "#fff", int64(1748934000), int64(1748937600), 15, true, "k", "v")
	f.Add("", "", "", int64(0), int64(0), 0, false, "", "")
	f.Add("\xff", "Abu Dhabi", "#GGGGGG", int64(-62135596800), int64(253402300800), -1, true, "\x00", "\"")
	f.Fuzz(func(t *testing.T, name, tz, color string, start, end int64, minutes int, publish bool, key, value string) {
		ts, te := time.Unix(start, 0), time.Unix(end, 0)
		meta := map[string]any{key: value, "nested": map[string]any{key: []any{value, nil}}}
		reqs := map[string]interface{ validate() error }{
			"create": &EventCreateRequest{Name: name, Currency: "USD", Timezone: tz, TimeStart: ts, TimeEnd: te, Color: color,
				TimerLength: &minutes, HidePeopleArea: &publish},
			"template": &EventFromTemplateRequest{Name: name, OrganizationID: "org_1", Timezone: tz, TimeStart: ts, TimeEnd: te,
				AutoPublish: &publish, Metadata: meta},
			"duplicate": &EventDuplicateRequest{Name: name, Timezone: tz, TimeStart: ts, TimeEnd: te, AutoPublish: &publish, Metadata: meta},
		}
		for kind, r := range reqs {
			b, err := encodeBody(r)
			if r.validate() != nil {
				continue // a request that fails validation is never sent
			}
			if err != nil {
				t.Fatalf("%s: valid request does not encode: %v", kind, err)
			}
			var attrs map[string]json.RawMessage
			if err := json.Unmarshal(b, &attrs); err != nil {
				t.Fatalf("%s: encoded %s, not an object: %v", kind, b, err)
			}
		}
	})
}

// fixtureBytes reads testdata/name for a fuzz seed.
func fixtureBytes(f *testing.F, name string) []byte {
	f.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}
