package rcevents

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTicketsGet(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/tickets/tkt_v9x3", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/tickets/tkt_v9x3", nil)
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "tickets_get.json")
	})

	ticket, err := ts.client.Tickets.Get(context.Background(), "tkt_v9x3")
	require.NoError(t, err)
	assert.Equal(t, &Ticket{
		ID:          "tkt_v9x3",
		EventID:     "evt_5kq2",
		Name:        "VIP",
		Slug:        "vip",
		Description: Ptr("Front-row seats, the speakers' dinner and a signed book."),
		Price:       899.99,
		Discount:    Ptr(12.5),
		Private:     true,
		Count:       50,
		Claimed:     37,
		Remaining:   13,
		CreatedAt:   time.Date(2025, 3, 1, 10, 5, 12, 0, time.UTC),
	}, ticket)
}

// wantTicketsPage1 is testdata/tickets_list.json, decoded.
var wantTicketsPage1 = &Page[Ticket]{
	Items: []Ticket{
		{
			ID:          "tkt_g7p1",
			EventID:     "evt_5kq2",
			Name:        "General Admission",
			Slug:        "general-admission",
			Description: Ptr("Access to all talks, the expo hall and lunch on both days."),
			Price:       349,
			Discount:    nil,
			Private:     false,
			Count:       500,
			Claimed:     412,
			Remaining:   88,
			CreatedAt:   time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC),
		},
		{
			ID:          "tkt_v9x3",
			EventID:     "evt_5kq2",
			Name:        "VIP",
			Slug:        "vip",
			Description: nil,
			Price:       899.99,
			Discount:    Ptr(12.5),
			Private:     true,
			Count:       50,
			Claimed:     37,
			Remaining:   13,
			CreatedAt:   time.Date(2025, 3, 1, 10, 5, 12, 0, time.UTC),
		},
	},
	Count:  3,
	Number: 1,
	Links: Links{
		First: "https://api.events.ringcentral.com/v1/events/evt_5kq2/tickets?page=1&perPage=2",
		Self:  "https://api.events.ringcentral.com/v1/events/evt_5kq2/tickets?page=1&perPage=2",
		Last:  "https://api.events.ringcentral.com/v1/events/evt_5kq2/tickets?page=2&perPage=2",
		Next:  "https://api.events.ringcentral.com/v1/events/evt_5kq2/tickets?page=2&perPage=2",
	},
}

func TestTicketsList(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/tickets", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2/tickets", url.Values{"perPage": {"2"}})
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "tickets_list.json")
	})

	page, err := ts.client.Tickets.List(context.Background(), "evt_5kq2", &ListOptions{PerPage: 2})
	require.NoError(t, err)
	assert.Equal(t, wantTicketsPage1, page)
	assert.True(t, page.HasNext())
}

func TestTicketsAll(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/tickets", func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2/tickets", url.Values{"page": {page}, "perPage": {"2"}})
		switch page {
		case "1":
			writeFixture(t, w, http.StatusOK, "tickets_list.json")
		case "2":
			writeFixture(t, w, http.StatusOK, "tickets_list_page2.json")
		default:
			t.Errorf("unexpected page %q", page)
			http.NotFound(w, r)
		}
	})

	var got []Ticket
	for ticket, err := range ts.client.Tickets.All(context.Background(), "evt_5kq2", &ListOptions{PerPage: 2}) {
		require.NoError(t, err)
		got = append(got, ticket)
	}
	assert.Equal(t, append(wantTicketsPage1.Items[:2:2], Ticket{
		ID:          "tkt_f2c8",
		EventID:     "evt_5kq2",
		Name:        "Livestream",
		Slug:        "livestream",
		Description: Ptr("Free virtual ticket for the livestream."),
		Discount:    Ptr(0.0),
		CreatedAt:   time.Date(2025, 5, 20, 14, 31, 9, 0, time.UTC),
	}), got)
	assert.EqualValues(t, 2, ts.requests.Load())
}

func TestTicketsCreate(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  *TicketCreateRequest
		want string // the attributes sent
	}{
		{
			"everything",
			&TicketCreateRequest{Name: "Online Pass", Description: "Watch every talk online.", Count: Ptr(1000), Price: Ptr(49.5), Private: Ptr(true)},
			`{"name": "Online Pass", "description": "Watch every talk online.", "count": 1000, "price": 49.5, "private": true}`,
		},
		{
			"zeros that mean something",
			&TicketCreateRequest{Name: "Online Pass", Count: Ptr(0), Price: Ptr(0.0), Private: Ptr(false)},
			`{"name": "Online Pass", "count": 0, "price": 0, "private": false}`,
		},
		{"name only", &TicketCreateRequest{Name: "Online Pass"}, `{"name": "Online Pass"}`},
		{"empty", &TicketCreateRequest{}, `{}`},
		{"nil", nil, `{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			ts.mux.HandleFunc("/v1/events/evt_5kq2/tickets", func(w http.ResponseWriter, r *http.Request) {
				assertRequest(t, r, http.MethodPost, "/v1/events/evt_5kq2/tickets", nil)
				assertBody(t, r, `{"data": {"type": "ticket", "attributes": `+tc.want+`}}`)
				writeFixture(t, w, http.StatusCreated, "tickets_create.json")
			})

			ticket, err := ts.client.Tickets.Create(context.Background(), "evt_5kq2", tc.req)
			require.NoError(t, err)
			assert.Equal(t, &Ticket{
				ID:        "tkt_w4n6",
				EventID:   "evt_5kq2",
				Name:      "Online Pass",
				Slug:      "online-pass",
				CreatedAt: time.Date(2025, 6, 14, 9, 12, 44, 0, time.UTC),
			}, ticket)
		})
	}
}

func TestTicketsBankQuestions(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/tickets/tkt_g7p1/bankQuestions", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/tickets/tkt_g7p1/bankQuestions", nil)
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "tickets_bank_questions.json")
	})

	questions, err := ts.client.Tickets.BankQuestions(context.Background(), "tkt_g7p1")
	require.NoError(t, err)
	assert.Equal(t, []BankQuestion{
		{ID: "bq_5501", Name: "Job title", FieldType: "singleLineText"},
		{
			ID:            "bq_5502",
			Name:          "Which tracks will you attend?",
			FieldType:     "multiSelect",
			DefaultAnswer: Ptr("Cloud Native"),
			Options: []BankQuestionOption{
				{ID: 90311, Name: "Cloud Native", Seq: "1", DefaultAnswer: Ptr(true)},
				{ID: 90312, Name: "Security", Seq: "2", DefaultAnswer: Ptr(false)},
				{ID: 90313, Name: "Data & AI", Seq: "3", DefaultAnswer: nil},
			},
		},
		{
			ID:            "bq_5503",
			Name:          "Do you have dietary requirements?",
			FieldType:     "conditional",
			DefaultAnswer: Ptr("No"),
			Options: []BankQuestionOption{
				{ID: 90399, Name: "Yes", Seq: "1", DefaultAnswer: Ptr(false)},
				{ID: 90400, Name: "No", Seq: "2", DefaultAnswer: Ptr(true)},
			},
			ChildQuestions: []BankChildQuestion{
				{
					ID:        7021,
					Name:      "Which ones?",
					FieldType: "multiSelect",
					Options: []BankQuestionOption{
						{ID: 90401, Name: "Vegetarian", Seq: "1"},
						{ID: 90402, Name: "Nut allergy", Seq: "2", DefaultAnswer: Ptr(false)},
					},
				},
				{ID: 7022, Name: "Anything else the caterer should know?", FieldType: "paragraphText"},
			},
		},
	}, questions)
}

func TestBankQuestionMarshalsAPIAttributes(t *testing.T) {
	q := BankQuestion{
		ID: "bq_5503", Name: "Dietary requirements?", FieldType: "conditional",
		ChildQuestions: []BankChildQuestion{{ID: 7021, Name: "Which ones?", FieldType: "multiSelect",
			Options: []BankQuestionOption{{ID: 90401, Name: "Vegetarian", Seq: "1", DefaultAnswer: Ptr(true)}}}},
	}
	b, err := json.Marshal(q)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"id": "bq_5503", "name": "Dietary requirements?", "fieldType": "conditional", "defaultAnswer": null, "options": null,
		"childQuestions": [{"id": 7021, "name": "Which ones?", "field_type": "multiSelect", "defaultAnswer": null,
			"options": [{"id": 90401, "name": "Vegetarian", "seq": "1", "defaultAnswer": true}]}]
	}`, string(b))
}

func TestTicketsValidation(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		field string // named in the error
		call  func(*Client) error
	}{
		{"create negative count", "TicketCreateRequest.Count", func(c *Client) error {
			_, err := c.Tickets.Create(ctx, "evt_5kq2", &TicketCreateRequest{Name: "VIP", Count: Ptr(-1)})
			return err
		}},
		{"create negative price", "TicketCreateRequest.Price", func(c *Client) error {
			_, err := c.Tickets.Create(ctx, "evt_5kq2", &TicketCreateRequest{Name: "VIP", Price: Ptr(-0.01)})
			return err
		}},
		{"create NaN price", "TicketCreateRequest.Price", func(c *Client) error {
			_, err := c.Tickets.Create(ctx, "evt_5kq2", &TicketCreateRequest{Price: Ptr(math.NaN())})
			return err
		}},
		{"create infinite price", "TicketCreateRequest.Price", func(c *Client) error {
			_, err := c.Tickets.Create(ctx, "evt_5kq2", &TicketCreateRequest{Price: Ptr(math.Inf(1))})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			err := tc.call(ts.client)
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Contains(t, err.Error(), ": "+tc.field+": ")
			assert.Zero(t, ts.requests.Load())
		})
	}
}
