package rcevents

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"strings"
	"time"

	"github.com/rcevents/rcevents-go/internal/jsonapi"
)

// EventsService reads, creates and duplicates events.
type EventsService service

// Event is an event of an organization.
type Event struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Slug        string `json:"slug"`
	Status      string `json:"status"`
	Published   bool   `json:"published"`
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

// UnmarshalJSON decodes the API's event attributes. createdAt, timeStart and
// timeEnd never fail the decoding: see the fields. Decoding always replaces
// those three fields, even when the attributes lack them.
func (e *Event) UnmarshalJSON(b []byte) error {
	type plain Event // plain has Event's fields but not this method
	aux := struct {
		*plain
		// These shadow the embedded fields of the same JSON names.
		CreatedAt looseTime `json:"createdAt"`
		TimeStart looseTime `json:"timeStart"`
		TimeEnd   looseTime `json:"timeEnd"`
	}{plain: (*plain)(e)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	e.CreatedAt = time.Time{}
	if aux.CreatedAt.t != nil {
		e.CreatedAt = *aux.CreatedAt.t
	}
	e.TimeStart, e.TimeEnd = aux.TimeStart.t, aux.TimeEnd.t
	return nil
}

// EventType says who may find and join an event.
type EventType string

// The event types the API documents.
const (
	EventTypeHiddenEvent  EventType = "hidden_event"
	EventTypePrivateEvent EventType = "private_event"
	EventTypePublicEvent  EventType = "public_event"
)

func (t EventType) valid() bool {
	switch t {
	case EventTypeHiddenEvent, EventTypePrivateEvent, EventTypePublicEvent:
		return true
	}
	return false
}

// AttendeesVisibility says how attendees see the other registered people.
type AttendeesVisibility string

// The attendee visibilities the API documents.
const (
	AttendeesVisibilityShowAll  AttendeesVisibility = "show_all"
	AttendeesVisibilityShowList AttendeesVisibility = "show_list"
	AttendeesVisibilityShowNone AttendeesVisibility = "show_none"
)

func (v AttendeesVisibility) valid() bool {
	switch v {
	case AttendeesVisibilityShowAll, AttendeesVisibilityShowList, AttendeesVisibilityShowNone:
		return true
	}
	return false
}

// NetworkType says who may take part in an event's networking.
type NetworkType string

// The network types the API documents.
const (
	NetworkTypeEveryone     NetworkType = "everyone"
	NetworkTypeTicketHolder NetworkType = "ticket_holder"
)

func (n NetworkType) valid() bool {
	switch n {
	case NetworkTypeEveryone, NetworkTypeTicketHolder:
		return true
	}
	return false
}

// EventCreateRequest is the body of Events.Create. Name, Currency, Timezone,
// TimeStart and TimeEnd are required; zero values of the other fields are
// left out of the body, so the API's defaults apply.
type EventCreateRequest struct {
	Name      string
	Currency  string // e.g. "USD"
	Timezone  string // one of Timezones()
	TimeStart time.Time
	TimeEnd   time.Time // after TimeStart

	Description      string
	ShortDescription string
	Slug             string
	Color            string // "#rgb" or "#rrggbb"
	AnalyticsCode    string
	GDPRText         string
	Message          string
	Password         string

	EventType EventType
	// AttendeesVisibility is sent as attendeesVisibility, never as the
	// deprecated misspelling attendeesVisiblity that the API also reads.
	AttendeesVisibility AttendeesVisibility
	NetworkType         NetworkType

	DoorsOpenBeforeMinutes *int // not negative
	DoorsCloseAfterMinutes *int // not negative
	TimerLength            *int // not negative

	HidePeopleArea *bool
	SuppressEmails *bool
}

// eventCreateWire is the JSON of an EventCreateRequest.
type eventCreateWire struct {
	AnalyticsCode          string              `json:"analyticsCode,omitempty"`
	AttendeesVisibility    AttendeesVisibility `json:"attendeesVisibility,omitempty"`
	Color                  string              `json:"color,omitempty"`
	Currency               string              `json:"currency,omitempty"`
	Description            string              `json:"description,omitempty"`
	DoorsCloseAfterMinutes *int                `json:"doorsCloseAfterMinutes,omitempty"`
	DoorsOpenBeforeMinutes *int                `json:"doorsOpenBeforeMinutes,omitempty"`
	EventType              EventType           `json:"eventType,omitempty"`
	GDPRText               string              `json:"gdprText,omitempty"`
	HidePeopleArea         *bool               `json:"hidePeopleArea,omitempty"`
	Message                string              `json:"message,omitempty"`
	Name                   string              `json:"name,omitempty"`
	NetworkType            NetworkType         `json:"networkType,omitempty"`
	Password               string              `json:"password,omitempty"`
	ShortDescription       string              `json:"shortDescription,omitempty"`
	Slug                   string              `json:"slug,omitempty"`
	SuppressEmails         *bool               `json:"suppressEmails,omitempty"`
	TimeEnd                *time.Time          `json:"timeEnd,omitempty"`
	TimeStart              *time.Time          `json:"timeStart,omitempty"`
	TimerLength            *int                `json:"timerLength,omitempty"`
	Timezone               string              `json:"timezone,omitempty"`
}

// MarshalJSON encodes r as the API's event attributes, leaving zero values
// out and writing times in RFC 3339 in UTC.
func (r EventCreateRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(eventCreateWire{
		AnalyticsCode:          r.AnalyticsCode,
		AttendeesVisibility:    r.AttendeesVisibility,
		Color:                  r.Color,
		Currency:               r.Currency,
		Description:            r.Description,
		DoorsCloseAfterMinutes: r.DoorsCloseAfterMinutes,
		DoorsOpenBeforeMinutes: r.DoorsOpenBeforeMinutes,
		EventType:              r.EventType,
		GDPRText:               r.GDPRText,
		HidePeopleArea:         r.HidePeopleArea,
		Message:                r.Message,
		Name:                   r.Name,
		NetworkType:            r.NetworkType,
		Password:               r.Password,
		ShortDescription:       r.ShortDescription,
		Slug:                   r.Slug,
		SuppressEmails:         r.SuppressEmails,
		TimeEnd:                utcTime(r.TimeEnd),
		TimeStart:              utcTime(r.TimeStart),
		TimerLength:            r.TimerLength,
		Timezone:               r.Timezone,
	})
}

func (r *EventCreateRequest) validate() error {
	const typ = "EventCreateRequest."
	switch {
	case r == nil:
		return invalidArg("req", "must not be nil")
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

// EventDuplicateRequest is the body of Events.Duplicate. Every field is
// optional: a zero field (and an empty Metadata) is left out of the body,
// leaving that attribute of the copy to the API.
type EventDuplicateRequest struct {
	Name           string
	OrganizationID string // the organization that gets the copy
	Timezone       string // one of Timezones()
	TimeStart      time.Time
	TimeEnd        time.Time // after TimeStart when both are set
	Password       string
	Type           EventType
	AutoPublish    *bool // sent as auto_publish
	Metadata       map[string]any
}

// MarshalJSON encodes r as the API's event attributes, leaving zero values
// out and writing times in RFC 3339 in UTC.
func (r EventDuplicateRequest) MarshalJSON() ([]byte, error) {
	// The two requests have the same attributes; only their checks differ.
	return EventFromTemplateRequest(r).MarshalJSON()
}

func (r *EventDuplicateRequest) validate() error {
	const typ = "EventDuplicateRequest."
	if r == nil {
		return nil
	}
	if err := checkSchedule(typ, r.Timezone, r.TimeStart, r.TimeEnd, false); err != nil {
		return err
	}
	if r.Type != "" && !r.Type.valid() {
		return invalidArg(typ+"Type", "unknown event type %q", r.Type)
	}
	return checkMetadata(typ, r.Metadata)
}

// eventCopyWire is the JSON of the requests that make an event from another
// one: EventFromTemplateRequest and EventDuplicateRequest. The API spells
// auto_publish in snake case.
type eventCopyWire struct {
	AutoPublish    *bool          `json:"auto_publish,omitempty"`
	Metadata       map[string]any `json:"metadata,omitempty"`
	Name           string         `json:"name,omitempty"`
	OrganizationID string         `json:"organizationId,omitempty"`
	Password       string         `json:"password,omitempty"`
	TimeEnd        *time.Time     `json:"timeEnd,omitempty"`
	TimeStart      *time.Time     `json:"timeStart,omitempty"`
	Timezone       string         `json:"timezone,omitempty"`
	Type           EventType      `json:"type,omitempty"`
}

// checkSchedule checks an event's timezone and times. With required, all
// three must be set; otherwise each may be left zero.
func checkSchedule(typ, timezone string, start, end time.Time, required bool) error {
	switch {
	case required && timezone == "":
		return invalidArg(typ+"Timezone", "is required")
	case timezone != "" && !validTimezone(timezone):
		return invalidArg(typ+"Timezone", "%q is not one of Timezones()", timezone)
	case required && start.IsZero():
		return invalidArg(typ+"TimeStart", "is required")
	case required && end.IsZero():
		return invalidArg(typ+"TimeEnd", "is required")
	case !encodableTime(start):
		return invalidArg(typ+"TimeStart", "year %d is outside 1 to 9999", start.UTC().Year())
	case !encodableTime(end):
		return invalidArg(typ+"TimeEnd", "year %d is outside 1 to 9999", end.UTC().Year())
	case !start.IsZero() && !end.IsZero() && !end.After(start):
		return invalidArg(typ+"TimeEnd", "must be after TimeStart (%s), got %s", formatTime(start), formatTime(end))
	}
	return nil
}

// encodableTime reports whether t is zero or has a year RFC 3339 can write.
func encodableTime(t time.Time) bool {
	y := t.UTC().Year()
	return t.IsZero() || (y >= 1 && y <= 9999)
}

// checkMetadata refuses metadata that cannot be encoded as JSON (channels,
// functions, NaN), so that the error says which field is at fault.
func checkMetadata(typ string, m map[string]any) error {
	if len(m) == 0 {
		return nil
	}
	if _, err := json.Marshal(m); err != nil {
		return invalidArg(typ+"Metadata", "cannot be encoded as JSON: %v", err)
	}
	return nil
}

// validColor reports whether s is a hex colour: "#" and 3 or 6 hex digits.
func validColor(s string) bool {
	if (len(s) != 4 && len(s) != 7) || s[0] != '#' {
		return false
	}
	for _, c := range []byte(s[1:]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// utcTime returns t in UTC, or nil for the zero time, for a request's wire
// struct.
func utcTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// List returns one page of an organization's events.
//
// API: GET /v1/organizations/{organizationId}/events
func (s *EventsService) List(ctx context.Context, organizationID string, opts *ListOptions) (*Page[Event], error) {
	id, err := pathID("organizationID", organizationID)
	if err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return listPage[Event](ctx, s.client, "/v1/organizations/"+id+"/events", opts, opts)
}

// All iterates over an organization's events, from opts.Page on.
//
// API: GET /v1/organizations/{organizationId}/events
func (s *EventsService) All(ctx context.Context, organizationID string, opts *ListOptions) iter.Seq2[Event, error] {
	return all(ctx, s.client, opts, func(ctx context.Context, lo *ListOptions) (*Page[Event], error) {
		return s.List(ctx, organizationID, lo)
	})
}

// Get returns an event.
//
// API: GET /v1/events/{eventId}
func (s *EventsService) Get(ctx context.Context, eventID string) (*Event, error) {
	id, err := pathID("eventID", eventID)
	if err != nil {
		return nil, err
	}
	return getResource[Event](ctx, s.client, "/v1/events/"+id)
}

// Create creates an event in an organization and returns it.
//
// API: POST /v1/organizations/{organizationId}/events
func (s *EventsService) Create(ctx context.Context, organizationID string, req *EventCreateRequest) (*Event, error) {
	id, err := pathID("organizationID", organizationID)
	if err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	return sendResource[Event](ctx, s.client, http.MethodPost, "/v1/organizations/"+id+"/events", jsonapi.NewRequest("event", req))
}

// Duplicate asks the API to copy an event, changed as req says (nil copies
// it as it is). The API copies in the background: a nil error means it
// accepted the job (202 Accepted, with no body), and the copy shows up in
// Events.List once made. A refusal, such as 403 or 422, is an *APIError.
//
// API: POST /v1/events/{eventId}/duplications
func (s *EventsService) Duplicate(ctx context.Context, eventID string, req *EventDuplicateRequest) error {
	id, err := pathID("eventID", eventID)
	if err != nil {
		return err
	}
	if err := req.validate(); err != nil {
		return err
	}
	if req == nil {
		req = &EventDuplicateRequest{}
	}
	_, err = s.client.doJSON(ctx, call{method: http.MethodPost, path: "/v1/events/" + id + "/duplications", body: jsonapi.NewRequest("event", req)}, nil)
	return err
}
