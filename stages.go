package rcevents

import (
	"context"
	"iter"
	"time"
)

// StagesService reads the stages of events.
type StagesService service

// Stage is a stage of an event.
type Stage struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func (x *Stage) resourceID() *string { return &x.ID }

// List returns one page of the stages of an event.
//
// API: GET /v1/events/{eventId}/stages
func (s *StagesService) List(ctx context.Context, eventID string, opts *ListOptions, callOpts ...CallOption) (*Page[Stage], error) {
	id, err := pathID("eventID", eventID)
	if err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return listPage[Stage](ctx, s.client, "/v1/events/"+id+"/stages", opts, callOpts)
}

// All iterates over the stages of an event, from opts.Page on.
//
// API: GET /v1/events/{eventId}/stages
func (s *StagesService) All(ctx context.Context, eventID string, opts *ListOptions, callOpts ...CallOption) iter.Seq2[Stage, error] {
	return all(ctx, s.client, opts, func(ctx context.Context, o *ListOptions, co ...CallOption) (*Page[Stage], error) {
		return s.List(ctx, eventID, o, co...)
	}, callOpts)
}
