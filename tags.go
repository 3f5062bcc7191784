package rcevents

import (
	"context"
	"iter"
)

// TagsService reads the tags of booths and schedule items.
type TagsService service

// Tag labels a booth or a schedule item, for attendees to filter by.
type Tag struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (x *Tag) resourceID() *string { return &x.ID }

// ListForBooth returns one page of the tags of a booth.
//
// API: GET /v1/booths/{boothId}/tags
func (s *TagsService) ListForBooth(ctx context.Context, boothID string, opts *ListOptions, callOpts ...CallOption) (*Page[Tag], error) {
	id, err := pathID("boothID", boothID)
	if err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return listPage[Tag](ctx, s.client, "/v1/booths/"+id+"/tags", opts, callOpts)
}

// AllForBooth iterates over the tags of a booth, from opts.Page on.
//
// API: GET /v1/booths/{boothId}/tags
func (s *TagsService) AllForBooth(ctx context.Context, boothID string, opts *ListOptions, callOpts ...CallOption) iter.Seq2[Tag, error] {
	return all(ctx, s.client, opts, func(ctx context.Context, o *ListOptions, co ...CallOption) (*Page[Tag], error) {
		return s.ListForBooth(ctx, boothID, o, co...)
	}, callOpts)
}

// ListForScheduleItem returns one page of the tags of a schedule item.
//
// API: GET /v1/scheduleItems/{scheduleItemId}/tags
func (s *TagsService) ListForScheduleItem(ctx context.Context, scheduleItemID string, opts *ListOptions, callOpts ...CallOption) (*Page[Tag], error) {
	id, err := pathID("scheduleItemID", scheduleItemID)
	if err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	return listPage[Tag](ctx, s.client, "/v1/scheduleItems/"+id+"/tags", opts, callOpts)
}

// AllForScheduleItem iterates over the tags of a schedule item, from
// opts.Page on.
//
// API: GET /v1/scheduleItems/{scheduleItemId}/tags
func (s *TagsService) AllForScheduleItem(ctx context.Context, scheduleItemID string, opts *ListOptions, callOpts ...CallOption) iter.Seq2[Tag, error] {
	return all(ctx, s.client, opts, func(ctx context.Context, o *ListOptions, co ...CallOption) (*Page[Tag], error) {
		return s.ListForScheduleItem(ctx, scheduleItemID, o, co...)
	}, callOpts)
}
