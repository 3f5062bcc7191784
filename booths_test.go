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

func TestBoothsList(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/booths", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2/booths", url.Values{"perPage": {"25"}})
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "booths_list.json")
	})

	page, err := ts.client.Booths.List(context.Background(), "evt_5kq2", &ListOptions{PerPage: 25})
	require.NoError(t, err)
	assert.Equal(t, &Page[Booth]{
		Items: []Booth{
			{
				ID:        "bth_77f0",
				Name:      "Contoso",
				Headline:  Ptr("Talk to a solutions engineer"),
				About:     Ptr("Cloud contact center software for growing teams."),
				BoothSize: "large",
				Priority:  1,
				Email:     Ptr("booth@contoso.example"),
				Website:   Ptr("https://contoso.example"),
				Facebook:  nil,
				Instagram: nil,
				LinkedIn:  Ptr("https://www.linkedin.com/company/contoso"),
				Twitter:   Ptr("@contoso"),
				CreatedAt: time.Date(2025, 4, 10, 9, 0, 0, 0, time.UTC),
				UpdatedAt: time.Date(2025, 5, 12, 15, 22, 31, 0, time.UTC),
			},
			{
				ID:        "bth_80a3",
				Name:      "Fabrikam",
				BoothSize: "small",
				Priority:  0,
				Facebook:  Ptr("https://facebook.com/fabrikam"),
				Instagram: Ptr("@fabrikam"),
				CreatedAt: time.Date(2025, 4, 11, 11, 30, 0, 0, time.UTC),
				UpdatedAt: time.Date(2025, 4, 11, 11, 30, 0, 0, time.UTC),
			},
		},
		Count:  2,
		Number: 1,
		Links: Links{
			First: "https://api.events.ringcentral.com/v1/events/evt_5kq2/booths?page=1&perPage=25",
			Self:  "https://api.events.ringcentral.com/v1/events/evt_5kq2/booths?page=1&perPage=25",
			Last:  "https://api.events.ringcentral.com/v1/events/evt_5kq2/booths?page=1&perPage=25",
		},
	}, page)
}

func TestBoothsAll(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/booths", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2/booths", url.Values{"page": {"1"}, "perPage": {"25"}})
		writeFixture(t, w, http.StatusOK, "booths_list.json")
	})

	var names []string
	for b, err := range ts.client.Booths.All(context.Background(), "evt_5kq2", &ListOptions{PerPage: 25}) {
		require.NoError(t, err)
		names = append(names, b.Name)
	}
	assert.Equal(t, []string{"Contoso", "Fabrikam"}, names)
}
