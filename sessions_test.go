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

func TestSessionsList(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/sessions", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2/sessions", url.Values{"page": {"1"}})
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "sessions_list.json")
	})

	page, err := ts.client.Sessions.List(context.Background(), "evt_5kq2", &ListOptions{Page: 1})
	require.NoError(t, err)
	assert.Equal(t, &Page[Session]{
		Items: []Session{
			{
				ID:        "ses_4d1c",
				Name:      "Roundtable: Scaling Support Teams",
				CreatedAt: time.Date(2025, 4, 2, 10, 15, 0, 0, time.UTC),
				UpdatedAt: time.Date(2025, 4, 20, 8, 3, 41, 0, time.UTC),
			},
			{
				ID:        "ses_9b20",
				Name:      "Networking Lounge",
				CreatedAt: time.Date(2025, 4, 2, 10, 17, 12, 0, time.UTC),
				UpdatedAt: time.Date(2025, 4, 2, 10, 17, 12, 0, time.UTC),
			},
		},
		Count:  2,
		Number: 1,
		Links: Links{
			First: "https://api.events.ringcentral.com/v1/events/evt_5kq2/sessions?page=1",
			Self:  "https://api.events.ringcentral.com/v1/events/evt_5kq2/sessions?page=1",
			Last:  "https://api.events.ringcentral.com/v1/events/evt_5kq2/sessions?page=1",
		},
	}, page)
	assert.False(t, page.HasNext())
}

func TestSessionsAll(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/sessions", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2/sessions", url.Values{"page": {"1"}})
		writeFixture(t, w, http.StatusOK, "sessions_list.json")
	})

	var names []string
	for s, err := range ts.client.Sessions.All(context.Background(), "evt_5kq2", nil) {
		require.NoError(t, err)
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"Roundtable: Scaling Support Teams", "Networking Lounge"}, names)
	assert.EqualValues(t, 1, ts.requests.Load())
}
