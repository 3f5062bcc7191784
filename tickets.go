package rcevents

import (
	"context"
	"iter"
	"math"
	"net/http"
	"time"
)

// TicketsService reads and creates the tickets of events.
type TicketsService service

// Ticket is a kind of ticket of an event.
type Ticket struct {
	ID          string    `json:"id"`
	EventID     string    `json:"eventId"`
	Name        string    `json:"name"`
	Slug        string    `json:"slug"`
	Description *string   `json:"description"`
	Price       float64   `json:"price"`
	Discount    *float64  `json:"discount"`
	Private     bool      `json:"private"`
	Count       int       `json:"count"`     // tickets on offer
	Claimed     int       `json:"claimed"`   // tickets taken
	Remaining   int       `json:"remaining"` // tickets left
	CreatedAt   time.Time `json:"createdAt"`
}

func (t *Ticket) resourceID() *string { return &t.ID }

// BankQuestion is a question of the question bank that registrations with a
// ticket answer.
type BankQuestion struct {
	ID            string  `json:"id"`
	Name          string  `json:"name"`
	FieldType     string  `json:"fieldType"`
	DefaultAnswer *string `json:"defaultAnswer"`

	// Options are the choices of a select question; nil when the API sends
	// null.
	Options []BankQuestionOption `json:"options"`

	// ChildQuestions are the follow-up questions; nil when the API sends
	// null. Child questions have no children.
	ChildQuestions []BankChildQuestion `json:"childQuestions"`
}

func (q *BankQuestion) resourceID() *string { return &q.ID }

// BankChildQuestion is a follow-up question of a BankQuestion. Unlike its
// parent, its ID is an integer, and the API names its field type in
// snake_case.
type BankChildQuestion struct {
	ID            int64                `json:"id"`
	Name          string               `json:"name"`
	FieldType     string               `json:"field_type"`
	DefaultAnswer *string              `json:"defaultAnswer"`
	Options       []BankQuestionOption `json:"options"` // nil when the API sends null or nothing
}

// BankQuestionOption is one choice of a select question of the question
// bank.
type BankQuestionOption struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	Seq           string `json:"seq"`           // the option's place in the list
	DefaultAnswer *bool  `json:"defaultAnswer"` // whether it is chosen by default; nil if the API does not say
}

// TicketCreateRequest is the body of TicketsService.Create. Every field is
// optional; nil and "" fields are left out of the body.
type TicketCreateRequest struct {
	Name        string   `json:"name,omitempty"`
	Description string   `json:"description,omitempty"`
	Count       *int     `json:"count,omitempty"`
	Price       *float64 `json:"price,omitempty"`
	Private     *bool    `json:"private,omitempty"`
}

func (r *TicketCreateRequest) validate() error {
	const typ = "TicketCreateRequest"
	if r.Count != nil && *r.Count < 0 {
		return invalidArg(typ+".Count", "must not be negative, got %d", *r.Count)
	}
	if r.Price != nil && (*r.Price < 0 || math.IsNaN(*r.Price) || math.IsInf(*r.Price, 0)) {
		return invalidArg(typ+".Price", "must be a finite amount, not negative, got %v", *r.Price)
	}
	return nil
}

// List returns one page of an event's tickets.
//
// API: GET /v1/events/{eventId}/tickets
func (s *TicketsService) List(ctx context.Context, eventID string, opts *ListOptions, callOpts ...CallOption) (*Page[Ticket], error) {
	id, err := pathID("eventID", eventID)
	if err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return listPage[Ticket](ctx, s.client, "/v1/events/"+id+"/tickets", opts, callOpts)
}

// All iterates over an event's tickets, from opts.Page on.
//
// API: GET /v1/events/{eventId}/tickets
func (s *TicketsService) All(ctx context.Context, eventID string, opts *ListOptions, callOpts ...CallOption) iter.Seq2[Ticket, error] {
	return all(ctx, s.client, opts, func(ctx context.Context, o *ListOptions, co ...CallOption) (*Page[Ticket], error) {
		return s.List(ctx, eventID, o, co...)
	}, callOpts)
}

// Get returns a ticket.
//
// API: GET /v1/tickets/{ticketId}
func (s *TicketsService) Get(ctx context.Context, ticketID string, callOpts ...CallOption) (*Ticket, error) {
	id, err := pathID("ticketID", ticketID)
	if err != nil {
		return nil, err
	}
	return getOne[Ticket](ctx, s.client, "/v1/tickets/"+id, callOpts)
}

// Create creates a virtual ticket for an event; the API does not create
// other kinds of tickets. A nil req sends no attributes. The API marks
// this call as beta.
//
// API: POST /v1/events/{eventId}/tickets
func (s *TicketsService) Create(ctx context.Context, eventID string, req *TicketCreateRequest, callOpts ...CallOption) (*Ticket, error) {
	id, err := pathID("eventID", eventID)
	if err != nil {
		return nil, err
	}
	if req, err = validated(req); err != nil {
		return nil, err
	}
	return send[Ticket](ctx, s.client, http.MethodPost, "/v1/events/"+id+"/tickets", RequestBody("ticket", req), callOpts)
}

// BankQuestions returns the questions of the question bank that
// registrations with a ticket answer, all in one answer: the call takes no
// page.
//
// API: GET /v1/tickets/{ticketId}/bankQuestions
func (s *TicketsService) BankQuestions(ctx context.Context, ticketID string, callOpts ...CallOption) ([]BankQuestion, error) {
	id, err := pathID("ticketID", ticketID)
	if err != nil {
		return nil, err
	}
	return listAll[BankQuestion](ctx, s.client, "/v1/tickets/"+id+"/bankQuestions", callOpts)
}
