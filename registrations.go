package rcevents

import (
	"context"
	"iter"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// RegistrationsService reads, creates and updates the registrations of events.
type RegistrationsService service

// Registration is a person's registration to an event, with a ticket.
type Registration struct {
	ID                string  `json:"id"`
	Email             string  `json:"email"`
	FirstName         string  `json:"firstName"`
	LastName          string  `json:"lastName"`
	Headline          *string `json:"headline"`
	Bio               *string `json:"bio"`
	PhoneNumber       *string `json:"phoneNumber"`
	LinkedIn          *string `json:"linkedin"`
	Twitter           *string `json:"twitter"`
	Website           *string `json:"website"`
	Timezone          string  `json:"timezone"`
	TicketID          string  `json:"ticketId"`
	UserID            string  `json:"userId"`
	MagicLinkID       *string `json:"magicLinkId"`
	RegisteredThrough string  `json:"registeredThrough"`
	UTM               UTM     `json:"utm"`
	Attended          bool    `json:"attended"`
	Refunded          bool    `json:"refunded"`
	QRCodeData        *string `json:"qrCodeData"`
	QRCodeImageURL    *string `json:"qrCodeImageUrl"`

	// FirstCheckIn is when the person first checked in, or nil if they have
	// not. The API types it as a plain string: a value that is not RFC 3339
	// gives nil too, rather than an error for the whole page.
	FirstCheckIn *time.Time `json:"firstCheckIn"`

	// QuestionBankEnabled says whether the ticket asks the questions of the
	// question bank (see TicketsService.BankQuestions).
	QuestionBankEnabled bool `json:"questionBankEnabled"`

	// CustomRegistrationFields are the questions asked at registration, with
	// their answers; nil when the API sends null.
	CustomRegistrationFields []CustomRegistrationField `json:"customRegistrationFields"`

	Metadata  map[string]string `json:"metadata"`
	CreatedAt time.Time         `json:"createdAt"`
	UpdatedAt time.Time         `json:"updatedAt"`
}

func (r *Registration) resourceID() *string { return &r.ID }

// UnmarshalJSONFrom decodes a registration's attributes, reading
// firstCheckIn leniently (see FirstCheckIn).
func (r *Registration) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	type plain Registration // without this method
	w := struct {
		*plain
		// These shadow plain's fields of the same JSON names.
		FirstCheckIn looseTime    `json:"firstCheckIn"`
		Fields       customFields `json:"customRegistrationFields"`
	}{plain: (*plain)(r), Fields: customFields{&r.CustomRegistrationFields}}
	err := json.UnmarshalDecode(dec, &w)
	r.FirstCheckIn = w.FirstCheckIn.t
	return err
}

// customFields decodes a registration's customRegistrationFields into a
// slice of their exact number: v2 grows a slice from nothing, which for the
// three or so answers of a registration allocates twice their size. The
// fields are decoded into a pooled scratch slice first. null gives nil.
type customFields struct{ s *[]CustomRegistrationField }

var fieldScratch = sync.Pool{New: func() any { return new([]CustomRegistrationField) }}

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (f customFields) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case 'n':
		*f.s = nil
		return dec.SkipValue()
	case '[':
	default:
		return json.UnmarshalDecode(dec, f.s) // v2 says what is wrong
	}
	scratch := fieldScratch.Get().(*[]CustomRegistrationField)
	list := (*scratch)[:0]
	defer func() {
		clear(list) // hold no strings of this answer
		*scratch = list[:0]
		fieldScratch.Put(scratch)
	}()
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != ']' {
		list = append(list, CustomRegistrationField{})
		if err := json.UnmarshalDecode(dec, &list[len(list)-1]); err != nil {
			return err
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	*f.s = make([]CustomRegistrationField, len(list))
	copy(*f.s, list)
	return nil
}

// UnmarshalJSON decodes a registration as UnmarshalJSONFrom does, for
// callers of encoding/json.
func (r *Registration) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, r, decodeOptions)
}

// UTM holds the UTM parameters of the link the person registered through.
// Parameters the link lacked are "".
type UTM struct {
	UTMSource   string `json:"utmSource"`
	UTMCampaign string `json:"utmCampaign"`
	UTMMedium   string `json:"utmMedium"`
	UTMContent  string `json:"utmContent"`
	UTMTerm     string `json:"utmTerm"`
}

// CustomRegistrationField is a question asked at registration and its
// answer.
type CustomRegistrationField struct {
	ID    string     `json:"id"`
	Name  string     `json:"name"` // the question
	Value FieldValue `json:"value"`

	// Type is the question's type: singleLineText, paragraphText, date,
	// singleSelect, multiSelect or conditional.
	Type string `json:"type"`

	// ChildQuestions are the follow-up questions of a conditional question;
	// nil when the API sends null or nothing.
	ChildQuestions []CustomRegistrationChildField `json:"childQuestions"`
}

// CustomRegistrationChildField is a follow-up question of a conditional
// CustomRegistrationField, and its answer. Child questions have no children.
type CustomRegistrationChildField struct {
	ID    string     `json:"id"`
	Name  string     `json:"name"`
	Value FieldValue `json:"value"`
	Type  string     `json:"type"` // singleLineText, paragraphText, date, singleSelect or multiSelect
}

// Answer is the answer to one registration question, for
// RegistrationCreateRequest and RegistrationUpdateRequest.
type Answer struct {
	QuestionID string `json:"questionId"`
	Answer     string `json:"answer"`
}

// RegistrationListOptions selects a page of an event's registrations and
// filters them. Nil filters leave their attribute unfiltered.
type RegistrationListOptions struct {
	ListOptions
	Email         *StringFilter   `url:"filter[email],omitempty"`
	CreatedAt     *DateTimeFilter `url:"filter[createdAt],omitempty"`
	UpdatedAt     *DateTimeFilter `url:"filter[updatedAt],omitempty"`
	UserUpdatedAt *DateTimeFilter `url:"filter[userUpdatedAt],omitempty"`
	Refunded      *BoolFilter     `url:"filter[refunded],omitempty"`
}

// validate checks o, which may be nil.
func (o *RegistrationListOptions) validate() error {
	if o == nil {
		return nil
	}
	if err := o.ListOptions.validate(); err != nil {
		return err
	}
	for _, f := range [...]struct {
		name string
		f    *DateTimeFilter
	}{{"CreatedAt", o.CreatedAt}, {"UpdatedAt", o.UpdatedAt}, {"UserUpdatedAt", o.UserUpdatedAt}} {
		if err := f.f.validate("RegistrationListOptions." + f.name); err != nil {
			return err
		}
	}
	if o.Email == nil {
		return nil
	}
	const field = "RegistrationListOptions.Email"
	if err := o.Email.validate(field); err != nil {
		return err
	}
	if o.Email.Eq != "" && !validEmail(o.Email.Eq) {
		return invalidArg(field+".Eq", "is not an email address")
	}
	for i, e := range o.Email.In {
		if !validEmail(e) {
			return invalidArg(field+".In", "value %d is not an email address", i)
		}
	}
	return nil
}

// RegistrationCreateRequest is the body of RegistrationsService.Create.
// Email, FirstName and LastName are required; zero fields are left out.
type RegistrationCreateRequest struct {
	Email           string            `json:"email,omitempty"`
	FirstName       string            `json:"firstName,omitempty"`
	LastName        string            `json:"lastName,omitempty"`
	TicketID        string            `json:"ticketId,omitempty"`
	ExternalBarcode string            `json:"externalBarcode,omitempty"`
	Answers         []Answer          `json:"answers,omitempty"`
	Metadata        map[string]string `json:"metadata,omitempty"`
}

func (r *RegistrationCreateRequest) validate() error {
	const typ = "RegistrationCreateRequest"
	switch {
	case r.Email == "":
		return invalidArg(typ+".Email", "is required")
	case !validEmail(r.Email):
		return invalidArg(typ+".Email", "is not an email address")
	case strings.TrimSpace(r.FirstName) == "":
		return invalidArg(typ+".FirstName", "is required")
	case strings.TrimSpace(r.LastName) == "":
		return invalidArg(typ+".LastName", "is required")
	}
	return validateAnswers(typ, r.Answers)
}

// RegistrationUpdateRequest is the body of RegistrationsService.Update. Every
// field is optional: zero fields are left out of the body and keep their
// value, and at least one field must be set.
type RegistrationUpdateRequest struct {
	Metadata        map[string]string `json:"metadata,omitempty"`
	FirstName       string            `json:"firstName,omitempty"`
	LastName        string            `json:"lastName,omitempty"`
	Headline        string            `json:"headline,omitempty"`
	ExternalBarcode string            `json:"externalBarcode,omitempty"`
	TicketID        string            `json:"ticketId,omitempty"`
	Answers         []Answer          `json:"answers,omitempty"`
}

func (r *RegistrationUpdateRequest) validate() error {
	const typ = "RegistrationUpdateRequest"
	switch {
	case len(r.Metadata) == 0 && r.FirstName == "" && r.LastName == "" && r.Headline == "" &&
		r.ExternalBarcode == "" && r.TicketID == "" && len(r.Answers) == 0:
		return invalidArg(typ, "sets nothing to update")
	}
	return validateAnswers(typ, r.Answers)
}

func validateAnswers(typ string, answers []Answer) error {
	for i, a := range answers {
		if a.QuestionID == "" {
			return invalidArg(typ+".Answers["+strconv.Itoa(i)+"].QuestionID", "is required")
		}
	}
	return nil
}

// List returns one page of an event's registrations.
//
// API: GET /v1/events/{eventId}/registrations
func (s *RegistrationsService) List(ctx context.Context, eventID string, opts *RegistrationListOptions, callOpts ...CallOption) (*Page[Registration], error) {
	id, err := pathID("eventID", eventID)
	if err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return listPage[Registration](ctx, s.client, "/v1/events/"+id+"/registrations", opts, callOpts)
}

// All iterates over an event's registrations that match opts's filters, from
// opts.Page on.
//
// API: GET /v1/events/{eventId}/registrations
func (s *RegistrationsService) All(ctx context.Context, eventID string, opts *RegistrationListOptions, callOpts ...CallOption) iter.Seq2[Registration, error] {
	return all(ctx, s.client, opts, func(ctx context.Context, o *RegistrationListOptions, co ...CallOption) (*Page[Registration], error) {
		return s.List(ctx, eventID, o, co...)
	}, callOpts)
}

func (o *RegistrationListOptions) listOptions() *ListOptions {
	if o == nil {
		return nil
	}
	return &o.ListOptions
}

// Get returns a registration.
//
// API: GET /v1/registrations/{registrationId}
func (s *RegistrationsService) Get(ctx context.Context, registrationID string, callOpts ...CallOption) (*Registration, error) {
	id, err := pathID("registrationID", registrationID)
	if err != nil {
		return nil, err
	}
	return getOne[Registration](ctx, s.client, "/v1/registrations/"+id, callOpts)
}

// Create registers a person to an event.
//
// API: POST /v1/events/{eventId}/registrations
func (s *RegistrationsService) Create(ctx context.Context, eventID string, req *RegistrationCreateRequest, callOpts ...CallOption) (*Registration, error) {
	id, err := pathID("eventID", eventID)
	if err != nil {
		return nil, err
	}
	if req, err = validated(req); err != nil {
		return nil, err
	}
	callOpts = append(slices.Clip(callOpts), withPersonal(req.person()...))
	return send[Registration](ctx, s.client, http.MethodPost, "/v1/events/"+id+"/registrations", RequestBody("registration", req), callOpts)
}

// Update changes the attributes req sets and returns the registration as it
// now is. The API reference documents only Metadata; the other attributes
// follow the API's newer request collection.
//
// API: PATCH /v1/registrations/{registrationId}
func (s *RegistrationsService) Update(ctx context.Context, registrationID string, req *RegistrationUpdateRequest, callOpts ...CallOption) (*Registration, error) {
	id, err := pathID("registrationID", registrationID)
	if err != nil {
		return nil, err
	}
	if req, err = validated(req); err != nil {
		return nil, err
	}
	callOpts = append(slices.Clip(callOpts), withPersonal(req.FirstName, req.LastName))
	return send[Registration](ctx, s.client, http.MethodPatch, "/v1/registrations/"+id, RequestBody("registration", req), callOpts)
}
