package rcevents

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScheduleItemsGet(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/scheduleItems/sch_3f8a", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/scheduleItems/sch_3f8a", nil)
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "scheduleitems_get.json")
	})

	item, err := ts.client.ScheduleItems.Get(context.Background(), "sch_3f8a")
	require.NoError(t, err)
	assert.Equal(t, &ScheduleItem{
		ID:          "sch_3f8a",
		Name:        "Opening Keynote",
		Description: Ptr("Opening keynote on the future of customer conversations."),
		Area:        "stage",
		AreaID:      Ptr("stg_1a7e"),
		AreaName:    Ptr("Main Stage"),
		Speakers: []json.RawMessage{
			json.RawMessage(`{"id": "spk_11", "name": "Grace Hopper"}`),
			json.RawMessage(`{"id": "spk_12", "name": "Alan Kay"}`),
		},
		TimeStart: time.Date(2025, 6, 3, 14, 0, 0, 0, time.UTC),
		TimeEnd:   time.Date(2025, 6, 3, 15, 0, 0, 0, time.UTC),
		CreatedAt: time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC),
		UpdatedAt: time.Date(2025, 5, 20, 9, 45, 10, 0, time.UTC),
	}, item)
}

func TestScheduleItemsList(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/scheduleItems", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2/scheduleItems", url.Values{"perPage": {"10"}})
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "scheduleitems_list.json")
	})

	page, err := ts.client.ScheduleItems.List(context.Background(), "evt_5kq2", &ListOptions{PerPage: 10})
	require.NoError(t, err)
	assert.Equal(t, &Page[ScheduleItem]{
		Items: []ScheduleItem{
			{
				ID:          "sch_3f8a",
				Name:        "Opening Keynote",
				Description: Ptr("Opening keynote on the future of customer conversations."),
				Area:        "stage",
				AreaID:      Ptr("stg_1a7e"),
				AreaName:    Ptr("Main Stage"),
				Speakers:    []json.RawMessage{json.RawMessage(`{"id": "spk_11", "name": "Grace Hopper"}`)},
				TimeStart:   time.Date(2025, 6, 3, 14, 0, 0, 0, time.UTC),
				TimeEnd:     time.Date(2025, 6, 3, 15, 0, 0, 0, time.UTC),
				CreatedAt:   time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC),
				UpdatedAt:   time.Date(2025, 5, 20, 9, 45, 10, 0, time.UTC),
			},
			{
				ID:        "sch_3f8b",
				Name:      "Expo Hall Open",
				Area:      "expo",
				Speakers:  []json.RawMessage{},
				TimeStart: time.Date(2025, 6, 3, 15, 30, 0, 0, time.UTC),
				TimeEnd:   time.Date(2025, 6, 3, 18, 0, 0, 0, time.FixedZone("", 2*60*60)), // the API's offset is kept
				CreatedAt: time.Date(2025, 4, 1, 8, 5, 0, 0, time.UTC),
				UpdatedAt: time.Date(2025, 4, 1, 8, 5, 0, 0, time.UTC),
			},
		},
		Count:  2,
		Number: 1,
		Links: Links{
			First: "https://api.events.ringcentral.com/v1/events/evt_5kq2/scheduleItems?page=1&perPage=10",
			Self:  "https://api.events.ringcentral.com/v1/events/evt_5kq2/scheduleItems?page=1&perPage=10",
			Last:  "https://api.events.ringcentral.com/v1/events/evt_5kq2/scheduleItems?page=1&perPage=10",
		},
	}, page)
}

func TestScheduleItemsAll(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/scheduleItems", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2/scheduleItems", url.Values{"page": {"1"}})
		writeFixture(t, w, http.StatusOK, "scheduleitems_list.json")
	})

	var ids []string
	for it, err := range ts.client.ScheduleItems.All(context.Background(), "evt_5kq2", nil) {
		require.NoError(t, err)
		ids = append(ids, it.ID)
	}
	assert.Equal(t, []string{"sch_3f8a", "sch_3f8b"}, ids)
}
