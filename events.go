package rcevents

import (
	"context"
	"iter"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// EventsService reads, creates and duplicates events.
type EventsService service

// Event is an event of an organization.
type Event struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Slug        string `json:"slug"`
	// Status is where the event is in its life. The reference types it as
	// a plain string and lists no values; the API's answers have held
	// "draft", "upcoming", "ended" and, for an event being made from a
	// template, "templating". Expect others.
	Status    string `json:"status"`
	Published bool   `json:"published"`
	// Type says who may find and join the event. The API documents it as
	// a plain string; the known values are the EventType constants.
	Type     EventType `json:"type"`
	Timezone string    `json:"timezone"`
	// TimeStart and TimeEnd are nil when the API sends null, "", or a value
	// that is not an RFC 3339 date-time: the reference types them as
	// nullable plain strings, and one odd value must not fail a whole page.
	TimeStart *time.Time `json:"timeStart"`
	TimeEnd   *time.Time `json:"timeEnd"`
	// CreatedAt is the zero time when the API sends null, "", or a value
	// that is not an RFC 3339 date-time (the reference types it as a plain
	// string).
	CreatedAt time.Time      `json:"createdAt"`
	Metadata  map[string]any `json:"metadata"`
}

func (e *Event) resourceID() *string { return &e.ID }

// UnmarshalJSONFrom decodes an event's attributes, reading createdAt,
// timeStart and timeEnd leniently (see the fields).
func (e *Event) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	type plain Event // without this method
	w := struct {
		*plain
		// These shadow plain's fields of the same JSON names.
		CreatedAt looseTime `json:"createdAt"`
		TimeStart looseTime `json:"timeStart"`
		TimeEnd   looseTime `json:"timeEnd"`
	}{plain: (*plain)(e)}
	err := json.UnmarshalDecode(dec, &w)
	e.CreatedAt = time.Time{}
	if w.CreatedAt.t != nil {
		e.CreatedAt = *w.CreatedAt.t
	}
	e.TimeStart, e.TimeEnd = w.TimeStart.t, w.TimeEnd.t
	return err
}

// UnmarshalJSON decodes an event as UnmarshalJSONFrom does, for callers of
// encoding/json.
func (e *Event) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, e, decodeOptions)
}

// EventType says who may find and join an event. The API documents the
// values below, which EventTypes lists.
type EventType string

const EventTypeHiddenEvent EventType = "hidden_event"
const EventTypePrivateEvent EventType = "private_event"
const EventTypePublicEvent EventType = "public_event"

var eventTypes = [...]EventType{EventTypeHiddenEvent, EventTypePrivateEvent, EventTypePublicEvent}

// EventTypes returns the event types the API documents.
func EventTypes() []EventType { return slices.Clone(eventTypes[:]) }

func (t EventType) valid() bool { return slices.Contains(eventTypes[:], t) }

// AttendeesVisibility says how attendees see the other registered people.
// The API documents the values below, which AttendeesVisibilities lists.
type AttendeesVisibility string

const AttendeesVisibilityShowAll AttendeesVisibility = "show_all"
const AttendeesVisibilityShowList AttendeesVisibility = "show_list"
const AttendeesVisibilityShowNone AttendeesVisibility = "show_none"

var attendeesVisibilities = [...]AttendeesVisibility{AttendeesVisibilityShowAll, AttendeesVisibilityShowList, AttendeesVisibilityShowNone}

// AttendeesVisibilities returns the attendee visibilities the API documents.
func AttendeesVisibilities() []AttendeesVisibility { return slices.Clone(attendeesVisibilities[:]) }

func (v AttendeesVisibility) valid() bool { return slices.Contains(attendeesVisibilities[:], v) }

// NetworkType says who may take part in an event's networking. The API
// documents the values below, which NetworkTypes lists.
type NetworkType string

const NetworkTypeEveryone NetworkType = "everyone"
const NetworkTypeTicketHolder NetworkType = "ticket_holder"

var networkTypes = [...]NetworkType{NetworkTypeEveryone, NetworkTypeTicketHolder}

// NetworkTypes returns the network types the API documents.
func NetworkTypes() []NetworkType { return slices.Clone(networkTypes[:]) }

func (n NetworkType) valid() bool { return slices.Contains(networkTypes[:], n) }

// EventCreateRequest is the body of Events.Create. Name, Currency, Timezone,
// TimeStart and TimeEnd are required; zero values of the other fields are
// left out of the body, so the API's defaults apply. Times are sent in RFC
// 3339, in UTC.
type EventCreateRequest struct {
	Name      string    `json:"name,omitempty"`
	Currency  string    `json:"currency,omitempty"` // e.g. "USD"
	Timezone  string    `json:"timezone,omitempty"` // one of Timezones()
	TimeStart time.Time `json:"timeStart,omitzero"`
	TimeEnd   time.Time `json:"timeEnd,omitzero"` // after TimeStart

	Description      string `json:"description,omitempty"`
	ShortDescription string `json:"shortDescription,omitempty"`
	Slug             string `json:"slug,omitempty"`
	Color            string `json:"color,omitempty"` // "#rgb" or "#rrggbb"
	AnalyticsCode    string `json:"analyticsCode,omitempty"`
	GDPRText         string `json:"gdprText,omitempty"`
	Message          string `json:"message,omitempty"`
	Password         string `json:"password,omitempty"`

	EventType EventType `json:"eventType,omitempty"`
	// AttendeesVisibility is sent as attendeesVisibility, never as the
	// deprecated misspelling attendeesVisiblity that the API also reads.
	AttendeesVisibility AttendeesVisibility `json:"attendeesVisibility,omitempty"`
	NetworkType         NetworkType         `json:"networkType,omitempty"`

	DoorsOpenBeforeMinutes *int `json:"doorsOpenBeforeMinutes,omitzero"` // not negative
	DoorsCloseAfterMinutes *int `json:"doorsCloseAfterMinutes,omitzero"` // not negative
	TimerLength            *int `json:"timerLength,omitzero"`            // not negative

	HidePeopleArea *bool `json:"hidePeopleArea,omitzero"`
	SuppressEmails *bool `json:"suppressEmails,omitzero"`
}

func (r *EventCreateRequest) validate() error {
	const typ = "EventCreateRequest."
	switch {
	case strings.TrimSpace(r.Name) == "":
		return invalidArg(typ+"Name", "is required")
	case strings.TrimSpace(r.Currency) == "":
		return invalidArg(typ+"Currency", "is required")
	}
	if err := checkSchedule(typ, r.Timezone, r.TimeStart, r.TimeEnd, true); err != nil {
		return err
	}
	switch {
	case r.Color != "" && !validColor(r.Color):
		return invalidArg(typ+"Color", "%q is not a hex colour like #fff or #ffffff", r.Color)
	case r.EventType != "" && !r.EventType.valid():
		return invalidArg(typ+"EventType", "unknown event type %q", r.EventType)
	case r.AttendeesVisibility != "" && !r.AttendeesVisibility.valid():
		return invalidArg(typ+"AttendeesVisibility", "unknown attendees visibility %q", r.AttendeesVisibility)
	case r.NetworkType != "" && !r.NetworkType.valid():
		return invalidArg(typ+"NetworkType", "unknown network type %q", r.NetworkType)
	}
	for _, f := range [...]struct {
		name string
		v    *int
	}{
		{"DoorsOpenBeforeMinutes", r.DoorsOpenBeforeMinutes},
		{"DoorsCloseAfterMinutes", r.DoorsCloseAfterMinutes},
		{"TimerLength", r.TimerLength},
	} {
		if f.v != nil && *f.v < 0 {
			return invalidArg(typ+f.name, "must not be negative, got %d", *f.v)
		}
	}
	return nil
}

// EventDuplicateRequest is the body of Events.Duplicate. It has the fields
// of EventFromTemplateRequest, but every one is optional: a zero field (and
// an empty Metadata) is left out of the body, leaving that attribute of the
// copy to the API.
type EventDuplicateRequest EventFromTemplateRequest

func (r *EventDuplicateRequest) validate() error {
	const typ = "EventDuplicateRequest."
	if err := checkSchedule(typ, r.Timezone, r.TimeStart, r.TimeEnd, false); err != nil {
		return err
	}
	if r.Type != "" && !r.Type.valid() {
		return invalidArg(typ+"Type", "unknown event type %q", r.Type)
	}
	return checkMetadata(typ, r.Metadata)
}

// List returns one page of an organization's events.
//
// API: GET /v1/organizations/{organizationId}/events
func (s *EventsService) List(ctx context.Context, organizationID string, opts *ListOptions, callOpts ...CallOption) (*Page[Event], error) {
	id, err := pathID("organizationID", organizationID)
	if err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return listPage[Event](ctx, s.client, "/v1/organizations/"+id+"/events", opts, callOpts)
}

// All iterates over an organization's events, from opts.Page on.
//
// API: GET /v1/organizations/{organizationId}/events
func (s *EventsService) All(ctx context.Context, organizationID string, opts *ListOptions, callOpts ...CallOption) iter.Seq2[Event, error] {
	return all(ctx, s.client, opts, func(ctx context.Context, o *ListOptions, co ...CallOption) (*Page[Event], error) {
		return s.List(ctx, organizationID, o, co...)
	}, callOpts)
}

// Get returns an event.
//
// API: GET /v1/events/{eventId}
func (s *EventsService) Get(ctx context.Context, eventID string, callOpts ...CallOption) (*Event, error) {
	id, err := pathID("eventID", eventID)
	if err != nil {
		return nil, err
	}
	return getOne[Event](ctx, s.client, "/v1/events/"+id, callOpts)
}

// Create creates an event in an organization and returns it.
//
// API: POST /v1/organizations/{organizationId}/events
func (s *EventsService) Create(ctx context.Context, organizationID string, req *EventCreateRequest, callOpts ...CallOption) (*Event, error) {
	id, err := pathID("organizationID", organizationID)
	if err != nil {
		return nil, err
	}
	if req, err = validated(req); err != nil {
		return nil, err
	}
	return send[Event](ctx, s.client, http.MethodPost, "/v1/organizations/"+id+"/events", RequestBody("event", req), callOpts)
}

// Duplicate asks the API to copy an event, changed as req says (nil copies
// it as it is). The API copies in the background: a nil error means it
// accepted the job (202 Accepted, with no body), and the copy shows up in
// Events.List once made. A refusal, such as 403 or 422, is an *APIError.
//
// API: POST /v1/events/{eventId}/duplications
func (s *EventsService) Duplicate(ctx context.Context, eventID string, req *EventDuplicateRequest, callOpts ...CallOption) error {
	id, err := pathID("eventID", eventID)
	if err != nil {
		return err
	}
	if req, err = validated(req); err != nil {
		return err
	}
	return s.client.do(ctx, call{method: http.MethodPost, path: "/v1/events/" + id + "/duplications", body: RequestBody("event", req), opts: callOpts}, nil)
}
