package rceventstest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// signals are the 16 documented signals, both spellings of the QR ones included.
var signals = []string{
	"attendance", "attendeeCheckedInToEvent", "attendeeCheckedInToScheduleItem", "attendeeCheckedOutFromEvent",
	"attendeeCheckedOutFromScheduleItem", "attendeeClickedUrl", "attendeeEnteredEventArea",
	"attendeeFilledMidEventSurvey", "attendeeFilledPostEventSurvey", "attendeeLeftEventArea",
	"attendeeRegisteredVendorInterest", "onsiteSegmentRegistrationCreated", "registrationQRCreated",
	"registrationQRUpdated", "registrationQrCreated", "registrationQrUpdated",
}

// defaultSubscriptionLifetime is how long a subscription lasts when configuration.expiresAt
// is not sent.
const defaultSubscriptionLifetime = 30 * 24 * time.Hour

// createDataSubscription answers POST /v1/events/{eventId}/dataSubscriptions with 201.
// configuration.url must be an absolute http(s) URL when sent, configuration.type defaults
// to "webhook", expiresAt must lie in the future, and every signal must be a documented one.
// There is no read operation: Stats counts what was stored.
func (s *Server) createDataSubscription(w http.ResponseWriter, r *http.Request) {
	eventID := r.PathValue("eventId")
	if !s.exists(&s.store.events, eventID) {
		writeNotFound(w, "event", eventID)
		return
	}
	a, ok := readBody(w, r, "dataSubscription")
	if !ok {
		return
	}
	a.only("configuration", "signals")
	now := s.now()
	sub := &dataSubscription{EventID: eventID, Configuration: subscriptionConfig{Type: "webhook"}, ExpiresAt: at(now.Add(defaultSubscriptionLifetime)), Signals: []string{}}
	if a.has("configuration") {
		var conf struct {
			URL       *string `json:"url"`
			Type      *string `json:"type"`
			ExpiresAt *string `json:"expiresAt"`
		}
		if a.decode("configuration", "an object {url, type, expiresAt}", &conf) {
			c := &attrs{base: a.base + "/configuration"}
			if conf.URL != nil {
				if !validHTTPURL(*conf.URL) {
					c.failAttr("url", "invalid", fmt.Sprintf("url %q is not an absolute http(s) URL", *conf.URL))
				}
				sub.Configuration.URL = conf.URL
			}
			if conf.Type != nil && *conf.Type != "" {
				sub.Configuration.Type = *conf.Type
			}
			if conf.ExpiresAt != nil {
				t, err := time.Parse(time.RFC3339, *conf.ExpiresAt)
				switch {
				case err != nil:
					c.failAttr("expiresAt", "invalid", fmt.Sprintf("expiresAt %q is not an RFC 3339 date-time", *conf.ExpiresAt))
				case !t.After(now):
					c.failAttr("expiresAt", "invalid", "expiresAt must be in the future")
				default:
					sub.ExpiresAt = at(t)
				}
			}
			a.errs = append(a.errs, c.errs...)
		}
	}
	var sigs []string
	if a.decode("signals", "an array of strings", &sigs) {
		for i, sig := range sigs {
			if !slices.Contains(signals, sig) {
				a.fail(a.base+"/signals/"+strconv.Itoa(i), "inclusion", fmt.Sprintf("signal %q is not one of: %v", sig, signals))
			}
		}
		sub.Signals = sigs
	}
	if !a.ok(w) {
		return
	}
	s.store.mu.Lock()
	sub.ID = s.store.newID(kindSubscription)
	s.store.subscriptions.put(eventID, sub.ID, sub)
	s.store.stats.DataSubscriptionsCreated++
	s.store.mu.Unlock()
	writeOne(w, http.StatusCreated, "dataSubscription", *sub)
}
