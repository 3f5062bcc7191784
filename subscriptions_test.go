package rcevents

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDataSubscriptionsCreate(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/dataSubscriptions", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodPost, "/v1/events/evt_5kq2/dataSubscriptions", nil)
		assertBody(t, r, `{"data":{"type":"dataSubscription","attributes":{
			"configuration":{"url":"https://hooks.contoso.example/rcevents","type":"webhook","expiresAt":"2025-07-01T00:00:00Z"},
			"signals":["attendeeCheckedInToEvent","registrationQrCreated"]}}}`)
		writeFixture(t, w, http.StatusCreated, "subscriptions_create.json")
	})

	sub, err := ts.client.DataSubscriptions.Create(context.Background(), "evt_5kq2", &DataSubscriptionCreateRequest{
		URL:       "https://hooks.contoso.example/rcevents",
		Type:      "webhook",
		ExpiresAt: time.Date(2025, 6, 30, 20, 0, 0, 0, time.FixedZone("EDT", -4*60*60)),
		Signals:   []Signal{SignalAttendeeCheckedInToEvent, SignalRegistrationQrCreated},
	})
	require.NoError(t, err)
	assert.Equal(t, &DataSubscription{
		ID:      "dsub_5w0t",
		EventID: "evt_5kq2",
		Configuration: DataSubscriptionConfiguration{
			Type: "webhook",
			URL:  Ptr("https://hooks.contoso.example/rcevents"),
		},
		// A signal the SDK does not know yet is kept as sent.
		Signals:   []Signal{SignalAttendeeCheckedInToEvent, SignalRegistrationQrCreated, "somethingNew"},
		ExpiresAt: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC),
	}, sub)
}

func TestDataSubscriptionsCreatePartial(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  *DataSubscriptionCreateRequest
		body string
	}{
		{"nil request", nil, `{"data":{"type":"dataSubscription","attributes":{}}}`},
		{"signals only", &DataSubscriptionCreateRequest{Signals: []Signal{SignalAttendance}},
			`{"data":{"type":"dataSubscription","attributes":{"signals":["attendance"]}}}`},
		{"url only", &DataSubscriptionCreateRequest{URL: "http://127.0.0.1:8080/hook"},
			`{"data":{"type":"dataSubscription","attributes":{"configuration":{"url":"http://127.0.0.1:8080/hook"}}}}`},
		{"expiry only", &DataSubscriptionCreateRequest{ExpiresAt: time.Date(2025, 7, 1, 0, 0, 0, 500, time.UTC)},
			`{"data":{"type":"dataSubscription","attributes":{"configuration":{"expiresAt":"2025-07-01T00:00:00.0000005Z"}}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			ts.mux.HandleFunc("/v1/events/evt_5kq2/dataSubscriptions", func(w http.ResponseWriter, r *http.Request) {
				assertRequest(t, r, http.MethodPost, "/v1/events/evt_5kq2/dataSubscriptions", nil)
				assertBody(t, r, tc.body)
				writeFixture(t, w, http.StatusCreated, "subscriptions_create.json")
			})

			_, err := ts.client.DataSubscriptions.Create(context.Background(), "evt_5kq2", tc.req)
			require.NoError(t, err)
		})
	}
}

func TestDataSubscriptionsCreateInvalid(t *testing.T) {
	for _, tc := range []struct {
		name    string
		eventID string
		req     *DataSubscriptionCreateRequest
		field   string
	}{
		{"relative url", "evt_5kq2", &DataSubscriptionCreateRequest{URL: "/hooks/rcevents"}, "DataSubscriptionCreateRequest.URL"},
		{"url without host", "evt_5kq2", &DataSubscriptionCreateRequest{URL: "https:///hooks"}, "DataSubscriptionCreateRequest.URL"},
		{"ftp url", "evt_5kq2", &DataSubscriptionCreateRequest{URL: "ftp://files.example/hook"}, "DataSubscriptionCreateRequest.URL"},
		{"unparsable url", "evt_5kq2", &DataSubscriptionCreateRequest{URL: "https://exa mple.com/"}, "DataSubscriptionCreateRequest.URL"},
		{"unknown signal", "evt_5kq2", &DataSubscriptionCreateRequest{Signals: []Signal{SignalAttendance, "attendeeSneezed"}}, "DataSubscriptionCreateRequest.Signals"},
		{"empty signal", "evt_5kq2", &DataSubscriptionCreateRequest{Signals: []Signal{""}}, "DataSubscriptionCreateRequest.Signals"},
		{"year one expiry", "evt_5kq2", &DataSubscriptionCreateRequest{ExpiresAt: time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC)}, "DataSubscriptionCreateRequest.ExpiresAt"},
		{"far future expiry", "evt_5kq2", &DataSubscriptionCreateRequest{ExpiresAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "DataSubscriptionCreateRequest.ExpiresAt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			_, err := ts.client.DataSubscriptions.Create(context.Background(), tc.eventID, tc.req)
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.field)
			assert.Zero(t, ts.requests.Load())
		})
	}
}

func FuzzDataSubscriptionCreateRequestMarshal(f *testing.F) {
	f.Add("https://hooks.contoso.example/rcevents", "webhook", int64(1751328000), int64(0), "attendance")
	f.Add("", "", int64(0), int64(0), "")
	f.Add("\"", "\\", int64(-62135596800), int64(1), "\u2028")
	f.Add("x", "", int64(253402300800), int64(999999999), "registrationQrCreated")
	f.Fuzz(func(t *testing.T, u, typ string, sec, nsec int64, signal string) {
		req := DataSubscriptionCreateRequest{URL: u, Type: typ}
		if sec != 0 || nsec != 0 {
			req.ExpiresAt = time.Unix(sec, nsec)
		}
		if signal != "" {
			req.Signals = []Signal{Signal(signal)}
		}
		b, err := encodeBody(req)
		if err != nil {
			t.Fatalf("marshal %+v: %v", req, err)
		}
		var back struct {
			Configuration *map[string]string `json:"configuration"`
			Signals       []string           `json:"signals"`
		}
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("the attributes %s do not decode: %v", b, err)
		}
		if (back.Configuration != nil) != (u != "" || typ != "" || !req.ExpiresAt.IsZero()) {
			t.Fatalf("configuration presence wrong in %s", b)
		}
		if len(back.Signals) != len(req.Signals) {
			t.Fatalf("signals lost in %s", b)
		}
	})
}
