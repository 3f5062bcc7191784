package rcevents

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTemplatesList(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/organizations/org_7f3a/templates", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/organizations/org_7f3a/templates", nil)
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "templates_list.json")
	})

	templates, err := ts.client.Templates.List(context.Background(), "org_7f3a")
	require.NoError(t, err)
	assert.Equal(t, []Template{
		{ID: "tpl_3h8d", Name: "Quarterly All-Hands"},
		{ID: "tpl_9w2m", Name: "Product Launch Webinar"}, // id from the envelope
	}, templates)
}

func TestTemplatesCreateEvent(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/templates/tpl_9w2m/event", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodPost, "/v1/templates/tpl_9w2m/event", nil)
		assertBody(t, r, `{"data": {"type": "event", "attributes": {
			"auto_publish": true,
			"metadata": {"campaign": "x200-launch", "region": {"code": "EMEA", "priority": 1}},
			"name": "Fabrikam X200 Launch",
			"organizationId": "org_a20d",
			"password": "x200-preview",
			"timeEnd": "2025-05-14T12:00:00Z",
			"timeStart": "2025-05-14T10:00:00Z",
			"timezone": "Dublin",
			"type": "public_event"
		}}}`)
		writeFixture(t, w, http.StatusCreated, "templates_create_event.json")
	})

	ist := time.FixedZone("IST", 60*60) // times are sent in UTC
	ev, err := ts.client.Templates.CreateEvent(context.Background(), "tpl_9w2m", &EventFromTemplateRequest{
		Name:           "Fabrikam X200 Launch",
		OrganizationID: "org_a20d",
		Timezone:       "Dublin",
		TimeStart:      time.Date(2025, 5, 14, 11, 0, 0, 0, ist),
		TimeEnd:        time.Date(2025, 5, 14, 13, 0, 0, 0, ist),
		Password:       "x200-preview",
		Type:           EventTypePublicEvent,
		AutoPublish:    Ptr(true),
		Metadata:       map[string]any{"campaign": "x200-launch", "region": map[string]any{"code": "EMEA", "priority": 1}},
	})
	require.NoError(t, err)
	assert.Equal(t, &Event{
		ID:          "evt_4bn7",
		Name:        "Fabrikam X200 Launch",
		Description: "Launch of the Fabrikam X200, live from Dublin.",
		Slug:        "fabrikam-x200-launch",
		Status:      "templating",
		Published:   true,
		Type:        EventTypePublicEvent,
		Timezone:    "Dublin",
		TimeStart:   Ptr(time.Date(2025, 5, 14, 10, 0, 0, 0, time.UTC)),
		TimeEnd:     Ptr(time.Date(2025, 5, 14, 12, 0, 0, 0, time.UTC)),
		CreatedAt:   time.Date(2025, 4, 22, 7, 31, 9, 0, time.UTC),
		Metadata:    map[string]any{"campaign": "x200-launch", "region": map[string]any{"code": "EMEA", "priority": float64(1)}},
	}, ev)
}

func TestTemplatesCreateEventMinimal(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/templates/tpl_9w2m/event", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodPost, "/v1/templates/tpl_9w2m/event", nil)
		// Zero fields are left out; a false AutoPublish is sent.
		assertBody(t, r, `{"data": {"type": "event", "attributes": {
			"auto_publish": false,
			"name": "Fabrikam X200 Launch",
			"organizationId": "org_a20d",
			"timeEnd": "2025-05-14T12:00:00Z",
			"timeStart": "2025-05-14T10:00:00Z",
			"timezone": "Dublin"
		}}}`)
		writeFixture(t, w, http.StatusCreated, "templates_create_event.json")
	})

	req := validEventFromTemplateRequest()
	req.AutoPublish = Ptr(false)
	_, err := ts.client.Templates.CreateEvent(context.Background(), "tpl_9w2m", req)
	require.NoError(t, err)
}

// validEventFromTemplateRequest returns a request that passes validation.
func validEventFromTemplateRequest() *EventFromTemplateRequest {
	return &EventFromTemplateRequest{
		Name:           "Fabrikam X200 Launch",
		OrganizationID: "org_a20d",
		Timezone:       "Dublin",
		TimeStart:      time.Date(2025, 5, 14, 10, 0, 0, 0, time.UTC),
		TimeEnd:        time.Date(2025, 5, 14, 12, 0, 0, 0, time.UTC),
	}
}

func TestTemplatesValidation(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	require.NoError(t, validEventFromTemplateRequest().validate())

	create := func(change func(*EventFromTemplateRequest)) func() error {
		return func() error {
			req := validEventFromTemplateRequest()
			change(req)
			_, err := ts.client.Templates.CreateEvent(ctx, "tpl_9w2m", req)
			return err
		}
	}
	for _, tc := range []struct {
		name  string
		field string // named in the error
		call  func() error
	}{
		{"nil", "EventFromTemplateRequest.Name", func() error { _, err := ts.client.Templates.CreateEvent(ctx, "tpl_9w2m", nil); return err }},
		{"zero", "EventFromTemplateRequest.Name", func() error {
			_, err := ts.client.Templates.CreateEvent(ctx, "tpl_9w2m", &EventFromTemplateRequest{})
			return err
		}},
		{"no name", "EventFromTemplateRequest.Name", create(func(r *EventFromTemplateRequest) { r.Name = "" })},
		{"no organization", "EventFromTemplateRequest.OrganizationID", create(func(r *EventFromTemplateRequest) { r.OrganizationID = " " })},
		{"no timezone", "EventFromTemplateRequest.Timezone", create(func(r *EventFromTemplateRequest) { r.Timezone = "" })},
		{"unknown timezone", "EventFromTemplateRequest.Timezone", create(func(r *EventFromTemplateRequest) { r.Timezone = "Europe/Dublin " })},
		{"no start", "EventFromTemplateRequest.TimeStart", create(func(r *EventFromTemplateRequest) { r.TimeStart = time.Time{} })},
		{"no end", "EventFromTemplateRequest.TimeEnd", create(func(r *EventFromTemplateRequest) { r.TimeEnd = time.Time{} })},
		{"end before start", "EventFromTemplateRequest.TimeEnd", create(func(r *EventFromTemplateRequest) { r.TimeStart, r.TimeEnd = r.TimeEnd, r.TimeStart })},
		{"type", "EventFromTemplateRequest.Type", create(func(r *EventFromTemplateRequest) { r.Type = "Public_Event" })},
		{"metadata", "EventFromTemplateRequest.Metadata", create(func(r *EventFromTemplateRequest) { r.Metadata = map[string]any{"c": make(chan int)} })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.field+":")
		})
	}
	assert.Zero(t, ts.requests.Load())
}
