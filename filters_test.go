package rcevents

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type filterOptions struct {
	ListOptions
	Email     *StringFilter   `url:"filter[email],omitempty"`
	CreatedAt *DateTimeFilter `url:"filter[createdAt],omitempty"`
	Refunded  *BoolFilter     `url:"filter[refunded],omitempty"`
}

func TestFilterEncoding(t *testing.T) {
	may := time.Date(2024, 5, 1, 2, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	for _, tc := range []struct {
		name string
		opts *filterOptions
		want url.Values
	}{
		{"nil", nil, url.Values{}},
		{"zero", &filterOptions{}, url.Values{}},
		{"zero filters", &filterOptions{Email: &StringFilter{}, CreatedAt: &DateTimeFilter{}}, url.Values{}},
		{"eq", &filterOptions{Email: &StringFilter{Eq: "a@example.com"}}, url.Values{"filter[email][eq]": {"a@example.com"}}},
		{"in", &filterOptions{Email: &StringFilter{In: []string{"a@example.com", "b@example.com"}}}, url.Values{"filter[email][in]": {"a@example.com,b@example.com"}}},
		{"gte in UTC", &filterOptions{CreatedAt: &DateTimeFilter{Gte: may}}, url.Values{"filter[createdAt][gte]": {"2024-05-01T00:00:00Z"}}},
		{"all time ops", &filterOptions{CreatedAt: &DateTimeFilter{
			Eq: may, Gt: may.Add(time.Hour), Lt: may.Add(2 * time.Hour), Gte: may.Add(500 * time.Millisecond), Lte: may.Add(24 * time.Hour),
			In: []time.Time{may, {}, may.Add(time.Minute)},
		}}, url.Values{
			"filter[createdAt][eq]":  {"2024-05-01T00:00:00Z"},
			"filter[createdAt][gt]":  {"2024-05-01T01:00:00Z"},
			"filter[createdAt][lt]":  {"2024-05-01T02:00:00Z"},
			"filter[createdAt][gte]": {"2024-05-01T00:00:00.5Z"},
			"filter[createdAt][lte]": {"2024-05-02T00:00:00Z"},
			"filter[createdAt][in]":  {"2024-05-01T00:00:00Z,2024-05-01T00:01:00Z"},
		}},
		{"bool false", &filterOptions{Refunded: &BoolFilter{}}, url.Values{"filter[refunded][eq]": {"false"}}},
		{"bool true with page", &filterOptions{ListOptions: ListOptions{Page: 2, PerPage: 50}, Refunded: &BoolFilter{Eq: true}}, url.Values{
			"filter[refunded][eq]": {"true"}, "page": {"2"}, "perPage": {"50"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := query.Values(tc.opts)
			require.NoError(t, err)
			assert.Equal(t, tc.want, v)
		})
	}
	v, _ := query.Values(&filterOptions{Email: &StringFilter{Eq: "a+b@example.com"}, Refunded: &BoolFilter{}})
	assert.Equal(t, "filter%5Bemail%5D%5Beq%5D=a%2Bb%40example.com&filter%5Brefunded%5D%5Beq%5D=false", v.Encode())
}

func TestStringFilterValidate(t *testing.T) {
	assert.NoError(t, (*StringFilter)(nil).validate("Email"))
	assert.NoError(t, (&StringFilter{In: []string{"a@example.com"}}).validate("Email"))
	err := (&StringFilter{In: []string{"a@example.com,b@example.com"}}).validate("Email")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Contains(t, err.Error(), "Email.In")
	assert.ErrorIs(t, (&StringFilter{In: []string{""}}).validate("Email"), ErrInvalidArgument)
}

// TestEmptyFiltersRefused: a filter that is set but holds no value is
// refused before any request, naming the field, in every options type with
// filters. Left out of the query, it would widen the list to every item: a
// lookup by an empty email would return the first attendees of the event.
func TestEmptyFiltersRefused(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	may := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	registrations := func(o *RegistrationListOptions) []error {
		_, err := ts.client.Registrations.List(ctx, "evt_1", o)
		return []error{err, firstErr(ts.client.Registrations.All(ctx, "evt_1", o))}
	}
	magicLinks := func(o *MagicLinkListOptions) []error {
		_, err := ts.client.MagicLinks.List(ctx, "tkt_1", o)
		return []error{err, firstErr(ts.client.MagicLinks.All(ctx, "tkt_1", o))}
	}
	for _, tc := range []struct {
		errs  []error
		field string
	}{
		{registrations(&RegistrationListOptions{Email: &StringFilter{}}), "RegistrationListOptions.Email: is set but empty"},
		{registrations(&RegistrationListOptions{Email: &StringFilter{In: []string{}}}), "RegistrationListOptions.Email: is set but empty"},
		{registrations(&RegistrationListOptions{CreatedAt: &DateTimeFilter{}}), "RegistrationListOptions.CreatedAt: is set but empty"},
		{registrations(&RegistrationListOptions{UpdatedAt: &DateTimeFilter{In: []time.Time{}}}), "RegistrationListOptions.UpdatedAt: is set but empty"},
		{registrations(&RegistrationListOptions{UserUpdatedAt: &DateTimeFilter{In: []time.Time{{}}}}), "RegistrationListOptions.UserUpdatedAt.In[0]: is the zero time"},
		{registrations(&RegistrationListOptions{CreatedAt: &DateTimeFilter{Gte: may, In: []time.Time{may, {}}}}), "RegistrationListOptions.CreatedAt.In[1]: is the zero time"},
		{magicLinks(&MagicLinkListOptions{Email: &StringFilter{}}), "MagicLinkListOptions.Email: is set but empty"},
		{magicLinks(&MagicLinkListOptions{UpdatedAt: &DateTimeFilter{}}), "MagicLinkListOptions.UpdatedAt: is set but empty"},
		{magicLinks(&MagicLinkListOptions{UpdatedAt: &DateTimeFilter{In: []time.Time{{}}}}), "MagicLinkListOptions.UpdatedAt.In[0]: is the zero time"},
	} {
		for _, err := range tc.errs {
			if assert.ErrorIs(t, err, ErrInvalidArgument, tc.field) {
				assert.Contains(t, err.Error(), tc.field)
			}
		}
	}
	assert.Zero(t, ts.requests.Load(), "requests that reached the server")
}
