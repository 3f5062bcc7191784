package rcevents

import (
	"context"
	"iter"
	"time"
)

// BoothsService reads the booths of events.
type BoothsService service

// Booth is an exhibitor's booth in an event's expo. The contact and social
// fields are nil when the exhibitor left them empty.
type Booth struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Headline  *string   `json:"headline"`
	About     *string   `json:"about"`
	BoothSize string    `json:"boothSize"`
	Priority  int       `json:"priority"`
	Email     *string   `json:"email"`
	Website   *string   `json:"website"`
	Facebook  *string   `json:"facebook"`
	Instagram *string   `json:"instagram"`
	LinkedIn  *string   `json:"linkedin"`
	Twitter   *string   `json:"twitter"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func (x *Booth) resourceID() *string { return &x.ID }

// List returns one page of the booths of an event.
//
// API: GET /v1/events/{eventId}/booths
func (s *BoothsService) List(ctx context.Context, eventID string, opts *ListOptions, callOpts ...CallOption) (*Page[Booth], error) {
	id, err := pathID("eventID", eventID)
	if err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return listPage[Booth](ctx, s.client, "/v1/events/"+id+"/booths", opts, callOpts)
}

// All iterates over the booths of an event, from opts.Page on.
//
// API: GET /v1/events/{eventId}/booths
func (s *BoothsService) All(ctx context.Context, eventID string, opts *ListOptions, callOpts ...CallOption) iter.Seq2[Booth, error] {
	return all(ctx, s.client, opts, func(ctx context.Context, o *ListOptions, co ...CallOption) (*Page[Booth], error) {
		return s.List(ctx, eventID, o, co...)
	}, callOpts)
}
