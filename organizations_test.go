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

func TestOrganizationsGet(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/organizations/org_7f3a", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/organizations/org_7f3a", nil)
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "organizations_get.json")
	})

	org, err := ts.client.Organizations.Get(context.Background(), "org_7f3a")
	require.NoError(t, err)
	assert.Equal(t, &Organization{
		ID:        "org_7f3a",
		Name:      "Northwind Conferences",
		Email:     "events@northwind.example",
		Website:   Ptr("https://northwind.example"),
		Facebook:  nil,
		Twitter:   Ptr("@northwindconf"),
		CreatedAt: time.Date(2023, 3, 14, 9, 26, 53, 0, time.UTC),
	}, org)
}

func TestOrganizationsList(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/organizations", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/organizations", url.Values{"page": {"2"}, "perPage": {"2"}})
		writeFixture(t, w, http.StatusOK, "organizations_list.json")
	})

	page, err := ts.client.Organizations.List(context.Background(), &ListOptions{Page: 2, PerPage: 2})
	require.NoError(t, err)
	assert.Equal(t, &Page[Organization]{
		Items: []Organization{
			{
				ID:        "org_91bc",
				Name:      "Contoso Events",
				Email:     "hello@contoso.example",
				Website:   nil,
				Facebook:  Ptr("https://facebook.com/contosoevents"),
				Twitter:   nil,
				CreatedAt: time.Date(2022, 11, 2, 17, 4, 11, 0, time.UTC),
			},
			{
				// The attributes lack an id: the envelope's is used.
				ID:        "org_a20d",
				Name:      "Fabrikam Summit",
				Email:     "summit@fabrikam.example",
				Website:   Ptr("https://summit.fabrikam.example"),
				CreatedAt: time.Date(2024, 1, 8, 12, 0, 0, 0, time.UTC),
			},
		},
		Count:  5,
		Number: 2,
		Links: Links{
			First: "https://api.events.ringcentral.com/v1/organizations?page=1&perPage=2",
			Self:  "https://api.events.ringcentral.com/v1/organizations?page=2&perPage=2",
			Last:  "https://api.events.ringcentral.com/v1/organizations?page=3&perPage=2",
			Prev:  "https://api.events.ringcentral.com/v1/organizations?page=1&perPage=2",
			Next:  "https://api.events.ringcentral.com/v1/organizations?page=3&perPage=2",
		},
	}, page)
	assert.True(t, page.HasNext())
}
