package rcevents

import (
	"context"
	"net/http"
	"strings"
	"time"
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
// Times are sent in RFC 3339, in UTC.
type EventFromTemplateRequest struct {
	Name           string         `json:"name,omitempty"`
	OrganizationID string         `json:"organizationId,omitempty"` // the organization that gets the event
	Timezone       string         `json:"timezone,omitempty"`       // one of Timezones()
	TimeStart      time.Time      `json:"timeStart,omitzero"`
	TimeEnd        time.Time      `json:"timeEnd,omitzero"` // after TimeStart
	Password       string         `json:"password,omitempty"`
	Type           EventType      `json:"type,omitempty"`
	AutoPublish    *bool          `json:"auto_publish,omitzero"` // the API spells it in snake case
	Metadata       map[string]any `json:"metadata,omitempty"`
}

func (r *EventFromTemplateRequest) validate() error {
	const typ = "EventFromTemplateRequest."
	switch {
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
func (s *TemplatesService) List(ctx context.Context, organizationID string, callOpts ...CallOption) ([]Template, error) {
	id, err := pathID("organizationID", organizationID)
	if err != nil {
		return nil, err
	}
	return listAll[Template](ctx, s.client, "/v1/organizations/"+id+"/templates", callOpts)
}

// CreateEvent creates an event from a template and returns it. The API fills
// the event from the template in the background, so some of its content may
// appear after this call returns.
//
// API: POST /v1/templates/{templateID}/event
func (s *TemplatesService) CreateEvent(ctx context.Context, templateID string, req *EventFromTemplateRequest, callOpts ...CallOption) (*Event, error) {
	id, err := pathID("templateID", templateID)
	if err != nil {
		return nil, err
	}
	if req, err = validated(req); err != nil {
		return nil, err
	}
	return send[Event](ctx, s.client, http.MethodPost, "/v1/templates/"+id+"/event", RequestBody("event", req), callOpts)
}
