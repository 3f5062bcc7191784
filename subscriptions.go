package rcevents

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// DataSubscriptionsService creates data subscriptions: webhooks for an event's signals.
type DataSubscriptionsService service

// Signal names a kind of happening at an event, such as a check-in or a
// filled survey, that a data subscription delivers. The API documents the
// values below, which Signals lists. It documents registrationQRCreated and
// registrationQrCreated both, and likewise for Updated: both spellings are
// here, as the API may accept either.
type Signal string

const SignalAttendance Signal = "attendance"
const SignalAttendeeCheckedInToEvent Signal = "attendeeCheckedInToEvent"
const SignalAttendeeCheckedInToScheduleItem Signal = "attendeeCheckedInToScheduleItem"
const SignalAttendeeCheckedOutFromEvent Signal = "attendeeCheckedOutFromEvent"
const SignalAttendeeCheckedOutFromScheduleItem Signal = "attendeeCheckedOutFromScheduleItem"
const SignalAttendeeClickedURL Signal = "attendeeClickedUrl"
const SignalAttendeeEnteredEventArea Signal = "attendeeEnteredEventArea"
const SignalAttendeeFilledMidEventSurvey Signal = "attendeeFilledMidEventSurvey"
const SignalAttendeeFilledPostEventSurvey Signal = "attendeeFilledPostEventSurvey"
const SignalAttendeeLeftEventArea Signal = "attendeeLeftEventArea"
const SignalAttendeeRegisteredVendorInterest Signal = "attendeeRegisteredVendorInterest"
const SignalOnsiteSegmentRegistrationCreated Signal = "onsiteSegmentRegistrationCreated"
const SignalRegistrationQRCreated Signal = "registrationQRCreated"
const SignalRegistrationQRUpdated Signal = "registrationQRUpdated"
const SignalRegistrationQrCreated Signal = "registrationQrCreated" // the same as SignalRegistrationQRCreated, as the API spells it too
const SignalRegistrationQrUpdated Signal = "registrationQrUpdated" // the same as SignalRegistrationQRUpdated, as the API spells it too

var signals = [...]Signal{
	SignalAttendance,
	SignalAttendeeCheckedInToEvent,
	SignalAttendeeCheckedInToScheduleItem,
	SignalAttendeeCheckedOutFromEvent,
	SignalAttendeeCheckedOutFromScheduleItem,
	SignalAttendeeClickedURL,
	SignalAttendeeEnteredEventArea,
	SignalAttendeeFilledMidEventSurvey,
	SignalAttendeeFilledPostEventSurvey,
	SignalAttendeeLeftEventArea,
	SignalAttendeeRegisteredVendorInterest,
	SignalOnsiteSegmentRegistrationCreated,
	SignalRegistrationQRCreated,
	SignalRegistrationQRUpdated,
	SignalRegistrationQrCreated,
	SignalRegistrationQrUpdated,
}

// Signals returns the signals the API documents.
func Signals() []Signal { return slices.Clone(signals[:]) }

func (s Signal) valid() bool { return slices.Contains(signals[:], s) }

// DataSubscription is a subscription to an event's signals, delivered to
// its configuration's URL until it expires.
type DataSubscription struct {
	ID            string                        `json:"id"`
	EventID       string                        `json:"eventId"`
	Configuration DataSubscriptionConfiguration `json:"configuration"`
	Signals       []Signal                      `json:"signals"`
	ExpiresAt     time.Time                     `json:"expiresAt"`
}

func (x *DataSubscription) resourceID() *string { return &x.ID }

// DataSubscriptionConfiguration says where and how a data subscription
// delivers its signals.
type DataSubscriptionConfiguration struct {
	Type string  `json:"type"`
	URL  *string `json:"url"`
}

// DataSubscriptionCreateRequest is the body of DataSubscriptionsService.Create.
// Every field is optional; zero fields are left out. A URL must be an
// absolute http or https URL, and every signal one the API documents. A set
// ExpiresAt must lie between the years 1970 and 9999: it is not compared
// with the local clock, which may disagree with the API's, so that a time in
// the past is for the API to refuse.
type DataSubscriptionCreateRequest struct {
	URL       string    // where signals are delivered: an absolute http or https URL
	Type      string    // the delivery type
	ExpiresAt time.Time // when the subscription ends, sent in RFC 3339 in UTC
	Signals   []Signal
}

// MarshalJSONTo encodes r as the API's attributes: URL, Type and ExpiresAt
// (in RFC 3339, in UTC) inside configuration, which is left out when all
// three are zero.
func (r DataSubscriptionCreateRequest) MarshalJSONTo(enc *jsontext.Encoder) error {
	type configuration struct {
		URL       string    `json:"url,omitempty"`
		Type      string    `json:"type,omitempty"`
		ExpiresAt time.Time `json:"expiresAt,omitzero"`
	}
	return json.MarshalEncode(enc, struct {
		Configuration configuration `json:"configuration,omitzero"`
		Signals       []Signal      `json:"signals,omitempty"`
	}{configuration{r.URL, r.Type, r.ExpiresAt}, r.Signals})
}

// validate checks r. The bounds on ExpiresAt catch a time left near the
// zero year by a failed parse, or one past what RFC 3339 can write.
func (r *DataSubscriptionCreateRequest) validate() error {
	if r.URL != "" {
		u, err := url.Parse(r.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalidArg("DataSubscriptionCreateRequest.URL", "%q is not an absolute http or https URL", r.URL)
		}
	}
	if !r.ExpiresAt.IsZero() {
		if y := r.ExpiresAt.UTC().Year(); y < 1970 || y > 9999 {
			return invalidArg("DataSubscriptionCreateRequest.ExpiresAt", "%s is not a plausible expiry", formatTime(r.ExpiresAt))
		}
	}
	for i, sig := range r.Signals {
		if !sig.valid() {
			return invalidArg("DataSubscriptionCreateRequest.Signals", "[%d] %q is not a signal", i, sig)
		}
	}
	return nil
}

// Create subscribes to signals of an event. A nil req sends empty
// attributes, leaving every choice to the API.
//
// API: POST /v1/events/{eventId}/dataSubscriptions
func (s *DataSubscriptionsService) Create(ctx context.Context, eventID string, req *DataSubscriptionCreateRequest, callOpts ...CallOption) (*DataSubscription, error) {
	id, err := pathID("eventID", eventID)
	if err != nil {
		return nil, err
	}
	if req, err = validated(req); err != nil {
		return nil, err
	}
	return send[DataSubscription](ctx, s.client, http.MethodPost, "/v1/events/"+id+"/dataSubscriptions", RequestBody("dataSubscription", req), callOpts)
}
