package rcevents

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTagsListForBooth(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/booths/bth_77f0/tags", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/booths/bth_77f0/tags", nil)
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "tags_list_booth.json")
	})

	page, err := ts.client.Tags.ListForBooth(context.Background(), "bth_77f0", nil)
	require.NoError(t, err)
	assert.Equal(t, &Page[Tag]{
		Items:  []Tag{{ID: "tag_0c11", Name: "AI"}, {ID: "tag_0c12", Name: "Customer Support"}},
		Count:  2,
		Number: 1,
		Links: Links{
			First: "https://api.events.ringcentral.com/v1/booths/bth_77f0/tags?page=1",
			Self:  "https://api.events.ringcentral.com/v1/booths/bth_77f0/tags?page=1",
			Last:  "https://api.events.ringcentral.com/v1/booths/bth_77f0/tags?page=1",
		},
	}, page)
}

func TestTagsListForScheduleItem(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/scheduleItems/sch_3f8a/tags", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/scheduleItems/sch_3f8a/tags", url.Values{"page": {"3"}, "perPage": {"1"}})
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "tags_list_schedule_item.json")
	})

	page, err := ts.client.Tags.ListForScheduleItem(context.Background(), "sch_3f8a", &ListOptions{Page: 3, PerPage: 1})
	require.NoError(t, err)
	assert.Equal(t, &Page[Tag]{
		// The attributes lack an id: the envelope's is used.
		Items:  []Tag{{ID: "tag_2e90", Name: "Keynote"}},
		Count:  4,
		Number: 3,
		Links: Links{
			First: "https://api.events.ringcentral.com/v1/scheduleItems/sch_3f8a/tags?page=1&perPage=1",
			Self:  "https://api.events.ringcentral.com/v1/scheduleItems/sch_3f8a/tags?page=3&perPage=1",
			Last:  "https://api.events.ringcentral.com/v1/scheduleItems/sch_3f8a/tags?page=4&perPage=1",
			Prev:  "https://api.events.ringcentral.com/v1/scheduleItems/sch_3f8a/tags?page=2&perPage=1",
			Next:  "https://api.events.ringcentral.com/v1/scheduleItems/sch_3f8a/tags?page=4&perPage=1",
		},
	}, page)
}

func TestTagsAllForBooth(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/booths/bth_77f0/tags", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/booths/bth_77f0/tags", url.Values{"page": {"1"}})
		writeFixture(t, w, http.StatusOK, "tags_list_booth.json")
	})

	var names []string
	for tag, err := range ts.client.Tags.AllForBooth(context.Background(), "bth_77f0", nil) {
		require.NoError(t, err)
		names = append(names, tag.Name)
	}
	assert.Equal(t, []string{"AI", "Customer Support"}, names)
}

func TestTagsAllForScheduleItem(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/scheduleItems/sch_3f8a/tags", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/scheduleItems/sch_3f8a/tags", url.Values{"page": {"4"}, "perPage": {"1"}})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":[{"id":"tag_2e93","type":"tag","attributes":{"id":"tag_2e93","name":"Replay"}}],"meta":{"count":4},"links":{"next":null}}`))
	})

	var names []string
	for tag, err := range ts.client.Tags.AllForScheduleItem(context.Background(), "sch_3f8a", &ListOptions{Page: 4, PerPage: 1}) {
		require.NoError(t, err)
		names = append(names, tag.Name)
	}
	assert.Equal(t, []string{"Replay"}, names)
}

func TestTagsListForBoothNotFound(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/booths/bth_gone/tags", func(w http.ResponseWriter, r *http.Request) {
		writeFixture(t, w, http.StatusNotFound, "tags_error_not_found.json")
	})

	_, err := ts.client.Tags.ListForBooth(context.Background(), "bth_gone", nil)
	require.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, "rcevents: GET "+ts.URL+basePath+"/v1/booths/bth_gone/tags: 404 Not Found: Booth not found", err.Error())
}

func TestTagsInvalid(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		call  func(c *Client) error
		field string
	}{
		{"empty booth", func(c *Client) error { _, err := c.Tags.ListForBooth(ctx, "", nil); return err }, "boothID"},
		{"booth with slash", func(c *Client) error { _, err := c.Tags.ListForBooth(ctx, "bth/1", nil); return err }, "boothID"},
		{"booth page size", func(c *Client) error {
			_, err := c.Tags.ListForBooth(ctx, "bth_77f0", &ListOptions{PerPage: -1})
			return err
		}, "PerPage"},
		{"empty schedule item", func(c *Client) error { _, err := c.Tags.ListForScheduleItem(ctx, "", nil); return err }, "scheduleItemID"},
		{"schedule item with hash", func(c *Client) error {
			_, err := c.Tags.ListForScheduleItem(ctx, "sch#1", nil)
			return err
		}, "scheduleItemID"},
		{"schedule item page", func(c *Client) error {
			_, err := c.Tags.ListForScheduleItem(ctx, "sch_3f8a", &ListOptions{Page: -2})
			return err
		}, "Page"},
		{"all for booth", func(c *Client) error {
			for _, err := range c.Tags.AllForBooth(ctx, "", nil) {
				return err
			}
			return nil
		}, "boothID"},
		{"all for schedule item", func(c *Client) error {
			for _, err := range c.Tags.AllForScheduleItem(ctx, "..", nil) {
				return err
			}
			return nil
		}, "scheduleItemID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			err := tc.call(ts.client)
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.field)
			assert.Zero(t, ts.requests.Load())
		})
	}
}
