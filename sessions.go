package rcevents

import (
	"context"
	"iter"
	"time"
)

// SessionsService reads the sessions of events.
type SessionsService service

// Session is a session of an event.
type Session struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func (x *Session) resourceID() *string { return &x.ID }

// List returns one page of the sessions of an event.
//
// API: GET /v1/events/{eventId}/sessions
func (s *SessionsService) List(ctx context.Context, eventID string, opts *ListOptions, callOpts ...CallOption) (*Page[Session], error) {
	id, err := pathID("eventID", eventID)
	if err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return listPage[Session](ctx, s.client, "/v1/events/"+id+"/sessions", opts, callOpts)
}

// All iterates over the sessions of an event, from opts.Page on.
//
// API: GET /v1/events/{eventId}/sessions
func (s *SessionsService) All(ctx context.Context, eventID string, opts *ListOptions, callOpts ...CallOption) iter.Seq2[Session, error] {
	return all(ctx, s.client, opts, func(ctx context.Context, o *ListOptions, co ...CallOption) (*Page[Session], error) {
		return s.List(ctx, eventID, o, co...)
	}, callOpts)
}
