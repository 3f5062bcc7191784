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

// MagicLinksService manages the magic links that let people join an event without a password.
type MagicLinksService service

// MagicLink is a personal link to an event for one person, made for a ticket.
// The link itself is URL: the API's attribute is magicLink, a name Go
// cannot give a field of this type without stuttering.
type MagicLink struct {
	ID             string            `json:"id"`
	Email          string            `json:"email"`
	FirstName      string            `json:"firstName"`
	LastName       string            `json:"lastName"`
	Headline       *string           `json:"headline"`
	URL            string            `json:"magicLink"`
	RegistrationID *string           `json:"registrationId"` // nil until the person registers
	Status         *string           `json:"status"`
	ExtraFields    map[string]string `json:"extraFields"`
	Metadata       map[string]string `json:"metadata"`
	CreatedAt      time.Time         `json:"createdAt"`
	UpdatedAt      time.Time         `json:"updatedAt"`
}

func (x *MagicLink) resourceID() *string { return &x.ID }

// MagicLinkListOptions selects a page of a ticket's magic links and filters
// them. Nil filters leave their attribute unfiltered.
type MagicLinkListOptions struct {
	ListOptions
	Email                 *StringFilter   `url:"filter[email],omitempty"`
	UpdatedAt             *DateTimeFilter `url:"filter[updatedAt],omitempty"`
	IncludeConfirmAndJoin *BoolFilter     `url:"filter[includeConfirmAndJoin],omitempty"`
}

// validate checks o, which may be nil.
func (o *MagicLinkListOptions) validate() error {
	if o == nil {
		return nil
	}
	if err := o.ListOptions.validate(); err != nil {
		return err
	}
	if err := o.UpdatedAt.validate("MagicLinkListOptions.UpdatedAt"); err != nil {
		return err
	}
	return o.Email.validate("MagicLinkListOptions.Email")
}

// MagicLinkCreateRequest is the body of MagicLinksService.Create. Email,
// FirstName and LastName are required; empty optional fields are left out.
type MagicLinkCreateRequest struct {
	Email          string            `json:"email"`
	FirstName      string            `json:"firstName"`
	LastName       string            `json:"lastName"`
	Headline       string            `json:"headline,omitempty"`
	RegistrationID string            `json:"registrationId,omitempty"`
	ExtraFields    map[string]string `json:"extraFields,omitempty"`
	Metadata       map[string]string `json:"metadata,omitempty"`
}

func (r *MagicLinkCreateRequest) validate() error {
	return checkPerson("MagicLinkCreateRequest", r.Email, r.FirstName, r.LastName)
}

// List returns one page of the magic links of a ticket.
//
// API: GET /v1/tickets/{ticketId}/magicLinks
func (s *MagicLinksService) List(ctx context.Context, ticketID string, opts *MagicLinkListOptions, callOpts ...CallOption) (*Page[MagicLink], error) {
	id, err := pathID("ticketID", ticketID)
	if err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return listPage[MagicLink](ctx, s.client, "/v1/tickets/"+id+"/magicLinks", opts, callOpts)
}

// All iterates over the magic links of a ticket that opts's filters select,
// from opts.Page on.
//
// API: GET /v1/tickets/{ticketId}/magicLinks
func (s *MagicLinksService) All(ctx context.Context, ticketID string, opts *MagicLinkListOptions, callOpts ...CallOption) iter.Seq2[MagicLink, error] {
	return all(ctx, s.client, opts, func(ctx context.Context, o *MagicLinkListOptions, co ...CallOption) (*Page[MagicLink], error) {
		return s.List(ctx, ticketID, o, co...)
	}, callOpts)
}

func (o *MagicLinkListOptions) listOptions() *ListOptions {
	if o == nil {
		return nil
	}
	return &o.ListOptions
}

// Get returns a magic link.
//
// API: GET /v1/magicLinks/{magicLinkId}
func (s *MagicLinksService) Get(ctx context.Context, magicLinkID string, callOpts ...CallOption) (*MagicLink, error) {
	id, err := pathID("magicLinkID", magicLinkID)
	if err != nil {
		return nil, err
	}
	return getOne[MagicLink](ctx, s.client, "/v1/magicLinks/"+id, callOpts)
}

// Create makes a magic link for a ticket. A request the API refuses answers
// 422 (ErrUnprocessable), with the reasons in the *APIError's Errors.
//
// API: POST /v1/tickets/{ticketId}/magicLinks
func (s *MagicLinksService) Create(ctx context.Context, ticketID string, req *MagicLinkCreateRequest, callOpts ...CallOption) (*MagicLink, error) {
	id, err := pathID("ticketID", ticketID)
	if err != nil {
		return nil, err
	}
	if req, err = validated(req); err != nil {
		return nil, err
	}
	callOpts = append(slices.Clip(callOpts), withPersonal(req.person()...))
	return send[MagicLink](ctx, s.client, http.MethodPost, "/v1/tickets/"+id+"/magicLinks", RequestBody("magicLink", req), callOpts)
}

// Delete deletes a magic link, which then no longer opens the event. A link
// that is already gone is ErrNotFound, unless an earlier attempt of this
// call may have deleted it (its answer was lost and the call retried): then
// the link is gone, as asked, and Delete returns nil. A deleted link leaves
// the client's index of its ticket, so that Ensure makes a new one.
//
// API: DELETE /v1/magicLinks/{magicLinkId}
func (s *MagicLinksService) Delete(ctx context.Context, magicLinkID string, callOpts ...CallOption) error {
	id, err := pathID("magicLinkID", magicLinkID)
	if err != nil {
		return err
	}
	if err := s.client.do(ctx, call{method: http.MethodDelete, path: "/v1/magicLinks/" + id, opts: callOpts}, nil); err != nil {
		return err
	}
	s.client.people.forget(magicLinkID)
	return nil
}

// LegacyMagicLink is what the deprecated CreateLegacy returns. Its JSON
// names are the old endpoint's snake_case ones. CreatedAt is nil when the API
// sends no RFC 3339 time there: the old endpoint types it as a plain string.
type LegacyMagicLink struct {
	ID             string     `json:"id"`
	FirstName      string     `json:"first_name"`
	LastName       string     `json:"last_name"`
	Email          string     `json:"email"`
	URL            string     `json:"magic_link"`
	RegistrationID *string    `json:"registration_id"`
	CreatedAt      *time.Time `json:"created_at"`
}

func (x *LegacyMagicLink) resourceID() *string { return &x.ID }

// UnmarshalJSONFrom decodes the link, reading created_at leniently (see
// CreatedAt).
func (x *LegacyMagicLink) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	type plain LegacyMagicLink // without this method
	w := struct {
		*plain
		CreatedAt looseTime `json:"created_at"` // shadows plain's
	}{plain: (*plain)(x)}
	err := json.UnmarshalDecode(dec, &w)
	x.CreatedAt = w.CreatedAt.t
	return err
}

// UnmarshalJSON decodes the link as UnmarshalJSONFrom does, for callers of
// encoding/json.
func (x *LegacyMagicLink) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, x, decodeOptions)
}

// LegacyMagicLinkRequest is the flat body of the deprecated CreateLegacy,
// with the old endpoint's snake_case names. TicketID, FirstName, LastName and
// Email are required; a zero CreatedAt is left out, a set one is sent in RFC
// 3339, in UTC.
type LegacyMagicLinkRequest struct {
	TicketID  string    `json:"ticket_id,omitempty"`
	FirstName string    `json:"first_name,omitempty"`
	LastName  string    `json:"last_name,omitempty"`
	Email     string    `json:"email,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

func (r *LegacyMagicLinkRequest) validate() error {
	if strings.TrimSpace(r.TicketID) == "" {
		return invalidArg("LegacyMagicLinkRequest.TicketID", "is required")
	}
	return checkPerson("LegacyMagicLinkRequest", r.Email, r.FirstName, r.LastName)
}

// CreateLegacy makes a magic link through the old endpoint, which takes the
// ticket in its body. The API answers 422 (ErrUnprocessable) when the
// organization's plan lacks magic links.
//
// Deprecated: The API deprecates this endpoint. Use MagicLinksService.Create.
//
// API: POST /v1/magic_link
func (s *MagicLinksService) CreateLegacy(ctx context.Context, req *LegacyMagicLinkRequest, callOpts ...CallOption) (*LegacyMagicLink, error) {
	req, err := validated(req)
	if err != nil {
		return nil, err
	}
	callOpts = append(slices.Clip(callOpts), withPersonal(req.Email, req.FirstName, req.LastName))
	return send[LegacyMagicLink](ctx, s.client, http.MethodPost, "/v1/magic_link", req, callOpts)
}
