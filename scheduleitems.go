package rcevents

import (
	"context"
	"encoding/json"
	"iter"
	"time"
)

// ScheduleItemsService reads the schedule items of events.
type ScheduleItemsService service

// ScheduleItem is an entry of an event's agenda, held in one of the event's
// areas.
type ScheduleItem struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	Area        string  `json:"area"`
	AreaID      *string `json:"areaId"`
	AreaName    *string `json:"areaName"`

	// Speakers are the item's speakers, each as the API sent it: the
	// reference documents the list but not the shape of its items.
	Speakers []json.RawMessage `json:"speakers"`

	TimeStart time.Time `json:"timeStart"`
	TimeEnd   time.Time `json:"timeEnd"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func (x *ScheduleItem) resourceID() *string { return &x.ID }

// List returns one page of the schedule items of an event.
//
// API: GET /v1/events/{eventId}/scheduleItems
func (s *ScheduleItemsService) List(ctx context.Context, eventID string, opts *ListOptions, callOpts ...CallOption) (*Page[ScheduleItem], error) {
	id, err := pathID("eventID", eventID)
	if err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return listPage[ScheduleItem](ctx, s.client, "/v1/events/"+id+"/scheduleItems", opts, callOpts)
}

// All iterates over the schedule items of an event, from opts.Page on.
//
// API: GET /v1/events/{eventId}/scheduleItems
func (s *ScheduleItemsService) All(ctx context.Context, eventID string, opts *ListOptions, callOpts ...CallOption) iter.Seq2[ScheduleItem, error] {
	return all(ctx, s.client, opts, func(ctx context.Context, o *ListOptions, co ...CallOption) (*Page[ScheduleItem], error) {
		return s.List(ctx, eventID, o, co...)
	}, callOpts)
}

// Get returns a schedule item.
//
// API: GET /v1/scheduleItems/{scheduleItemId}
func (s *ScheduleItemsService) Get(ctx context.Context, scheduleItemID string, callOpts ...CallOption) (*ScheduleItem, error) {
	id, err := pathID("scheduleItemID", scheduleItemID)
	if err != nil {
		return nil, err
	}
	return getOne[ScheduleItem](ctx, s.client, "/v1/scheduleItems/"+id, callOpts)
}
