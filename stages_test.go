package rcevents

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStagesList(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/stages", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2/stages", url.Values{"page": {"2"}, "perPage": {"1"}})
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "stages_list.json")
	})

	page, err := ts.client.Stages.List(context.Background(), "evt_5kq2", &ListOptions{Page: 2, PerPage: 1})
	require.NoError(t, err)
	assert.Equal(t, &Page[Stage]{
		Items: []Stage{{
			ID:        "stg_1a7e",
			Name:      "Main Stage",
			CreatedAt: time.Date(2025, 3, 28, 16, 40, 9, 0, time.UTC),
			UpdatedAt: time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC),
		}},
		Count:  3,
		Number: 2,
		Links: Links{
			First: "https://api.events.ringcentral.com/v1/events/evt_5kq2/stages?page=1&perPage=1",
			Self:  "https://api.events.ringcentral.com/v1/events/evt_5kq2/stages?page=2&perPage=1",
			Last:  "https://api.events.ringcentral.com/v1/events/evt_5kq2/stages?page=3&perPage=1",
			Prev:  "https://api.events.ringcentral.com/v1/events/evt_5kq2/stages?page=1&perPage=1",
			Next:  "https://api.events.ringcentral.com/v1/events/evt_5kq2/stages?page=3&perPage=1",
		},
	}, page)
}

func TestStagesAll(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/stages", func(w http.ResponseWriter, r *http.Request) {
		n := r.URL.Query().Get("page")
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2/stages", url.Values{"page": {n}, "perPage": {"1"}})
		w.Header().Set("Content-Type", "application/json")
		next := `"https://api.events.ringcentral.com/v1/events/evt_5kq2/stages?page=2&perPage=1"`
		if n == "2" {
			next = "null"
		}
		_, _ = w.Write([]byte(`{"data":[{"id":"stg_` + n + `","type":"stage","attributes":{"name":"Stage ` + n + `"}}],"meta":{"count":2},"links":{"next":` + next + `}}`))
	})

	var ids []string
	for s, err := range ts.client.Stages.All(context.Background(), "evt_5kq2", &ListOptions{PerPage: 1}) {
		require.NoError(t, err)
		ids = append(ids, s.ID)
	}
	assert.Equal(t, []string{"stg_1", "stg_2"}, ids)
}
