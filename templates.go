package rcevents

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/rcevents/rcevents-go/internal/jsonapi"
)

// TemplatesService creates events from an organization's templates.
type TemplatesService service

// Template is an event template of an organization.
type Template struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (t *Template) resourceID() *string { return &t.ID }

// EventFromTemplateRequest is the body of Templates.CreateEvent. Name,
// OrganizationID, Timezone, TimeStart and TimeEnd are required; zero values
// of the other fields (and an empty Metadata) are left out of the body.
type EventFromTemplateRequest struct {
	Name           string
	OrganizationID string // the organization that gets the event
	Timezone       string // one of Timezones()
	TimeStart      time.Time
	TimeEnd        time.Time // after TimeStart
	Password       string
	Type           EventType
	AutoPublish    *bool // sent as auto_publish
	Metadata       map[string]any
}

// MarshalJSON encodes r as the API's event attributes, leaving zero values
// out and writing times in RFC 3339 in UTC.
func (r EventFromTemplateRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(eventCopyWire{
		AutoPublish:    r.AutoPublish,
		Metadata:       r.Metadata,
		Name:           r.Name,
		OrganizationID: r.OrganizationID,
		Password:       r.Password,
		TimeEnd:        utcTime(r.TimeEnd),
		TimeStart:      utcTime(r.TimeStart),
		Timezone:       r.Timezone,
		Type:           r.Type,
	})
}

func (r *EventFromTemplateRequest) validate() error {
	const typ = "EventFromTemplateRequest."
	switch {
	case r == nil:
		return invalidArg("req", "must not be nil")
	case strings.TrimSpace(r.Name) == "":
		return invalidArg(typ+"Name", "is required")
	case strings.TrimSpace(r.OrganizationID) == "":
		return invalidArg(typ+"OrganizationID", "is required")
	}
	if err := checkSchedule(typ, r.Timezone, r.TimeStart, r.TimeEnd, true); err != nil {
		return err
	}
	if r.Type != "" && !r.Type.valid() {
		return invalidArg(typ+"Type", "unknown event type %q", r.Type)
	}
	return checkMetadata(typ, r.Metadata)
}

// List returns all the templates of an organization. The API does not
// paginate them.
//
// API: GET /v1/organizations/{organizationId}/templates
func (s *TemplatesService) List(ctx context.Context, organizationID string) ([]Template, error) {
	id, err := pathID("organizationID", organizationID)
	if err != nil {
		return nil, err
	}
	return listAll[Template](ctx, s.client, "/v1/organizations/"+id+"/templates")
}

// CreateEvent creates an event from a template and returns it. The API fills
// the event from the template in the background, so some of its content may
// appear after this call returns.
//
// API: POST /v1/templates/{templateID}/event
func (s *TemplatesService) CreateEvent(ctx context.Context, templateID string, req *EventFromTemplateRequest) (*Event, error) {
	id, err := pathID("templateID", templateID)
	if err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	return sendResource[Event](ctx, s.client, http.MethodPost, "/v1/templates/"+id+"/event", jsonapi.NewRequest("event", req))
}
