package rceventstest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	rcevents "github.com/rcevents/rcevents-go"
)

// defaultSubscriptionLifetime is how long a subscription lasts when configuration.expiresAt
// is not sent.
const defaultSubscriptionLifetime = 30 * 24 * time.Hour

// createDataSubscription answers POST /v1/events/{eventId}/dataSubscriptions with 201.
// configuration.url must be an absolute http(s) URL when sent, configuration.type defaults
// to "webhook", expiresAt must lie in the future, and every signal must be one the SDK
// knows (rcevents.Signals). There is no read operation: Stats counts what was stored.
func (s *Server) createDataSubscription(w http.ResponseWriter, r *http.Request) {
	eventID := r.PathValue("eventId")
	a, ok := s.begin(w, r, "event", eventID, s.store.events.has, "dataSubscription", "configuration", "signals")
	if !ok {
		return
	}
	now := s.now()
	sub := dataSubscription{EventID: eventID, Configuration: subscriptionConfig{Type: "webhook"}, ExpiresAt: at(now.Add(defaultSubscriptionLifetime)), Signals: []string{}}
	var conf struct {
		URL       *string `json:"url"`
		Type      *string `json:"type"`
		ExpiresAt *string `json:"expiresAt"`
	}
	if a.decode("configuration", "an object {url, type, expiresAt}", &conf) {
		c := &attrs{base: a.base + "/configuration"}
		if conf.URL != nil {
			if u, err := url.Parse(*conf.URL); err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
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
	if a.decode("signals", "an array of strings", &sub.Signals) {
		for i, sig := range sub.Signals {
			if !slices.Contains(rcevents.Signals(), rcevents.Signal(sig)) {
				a.fail(a.base+"/signals/"+strconv.Itoa(i), "inclusion", fmt.Sprintf("signal %q is not one of: %v", sig, rcevents.Signals()))
			}
		}
	}
	if a.ok(w) {
		writeOne(w, http.StatusCreated, "dataSubscription", s.addDataSubscription(sub))
	}
}

// addDataSubscription stores sub and returns it as stored.
func (s *Server) addDataSubscription(sub dataSubscription) dataSubscription {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	sub.ID = s.store.newID(kindSubscription)
	s.store.subscriptions.put(sub.EventID, sub.ID, &sub)
	s.store.stats.DataSubscriptionsCreated++
	return sub
}
