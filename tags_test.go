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
