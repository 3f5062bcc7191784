package rceventstest_test

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rcevents/rcevents-go/rceventstest"
)

// TestConcurrentClients runs readers and writers side by side (meant for -race), with
// responses dropped now and then, and checks that what the server says it stored matches
// what it lists, and is at least what the clients saw succeed.
func TestConcurrentClients(t *testing.T) {
	srv, _ := start(t, rceventstest.WithReportPolls(1))
	fx := srv.Fixtures
	srv.SetFaultRate(rceventstest.FaultDropResponse, 0.05)
	const workers, rounds = 8, 15
	var seenCreated, seenLinks atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := &api{t: t, srv: srv, hc: srv.HTTPClient(), token: srv.Token}
			fail := func(format string, args ...any) { t.Errorf("worker %d: "+format, append([]any{w}, args...)...) }
			for i := 0; i < rounds; i++ {
				email := fmt.Sprintf("w%d.r%d@example.org", w, i)
				r, err := c.try(http.MethodPost, "/v1/events/"+fx.EventID+"/registrations",
					body("registration", map[string]any{"email": email, "firstName": "W", "lastName": "R"}))
				if err == nil && r.Status == http.StatusCreated {
					seenCreated.Add(1)
				} else if err == nil {
					fail("create registration: %d %s", r.Status, r.Body)
				}
				if r, err := c.try(http.MethodPatch, "/v1/registrations/"+fx.RegistrationID,
					body("registration", map[string]any{"metadata": map[string]string{"worker": email}})); err == nil && r.Status != http.StatusOK {
					fail("update: %d", r.Status)
				}
				if r, err := c.try(http.MethodGet, query("/v1/events/"+fx.EventID+"/registrations", "page", fmt.Sprint(1+i%7), "perPage", "30"), nil); err == nil && r.Status != http.StatusOK {
					fail("list: %d", r.Status)
				}
				r, err = c.try(http.MethodPost, "/v1/tickets/"+fx.TicketID+"/magicLinks",
					body("magicLink", map[string]any{"email": email, "firstName": "W", "lastName": "R"}))
				if err == nil && r.Status == http.StatusCreated {
					seenLinks.Add(1)
				}
				if r, err := c.try(http.MethodGet, "/v1/reports/"+fx.ReportID, nil); err == nil && r.Status != http.StatusOK {
					fail("report: %d", r.Status)
				}
				if r, err := c.try(http.MethodPost, "/v1/events/"+fx.EventID+"/reports/summary", nil); err == nil && r.Status != http.StatusCreated {
					fail("create report: %d", r.Status)
				}
				if _, err := c.try(http.MethodGet, "/v1/events/"+fx.EventID+"/booths", nil); err != nil {
					continue
				}
			}
		}(w)
	}
	wg.Wait()
	srv.ClearFaults()

	c := &api{t: t, srv: srv, hc: srv.HTTPClient(), token: srv.Token}
	st := srv.Stats()
	// What reached the server: answered 201, or stored with the answer dropped.
	reached := map[string]int{}
	dropped := 0
	for _, r := range srv.Requests() {
		if r.Fault == rceventstest.FaultDropResponse {
			dropped++
		}
		if r.Method == http.MethodPost && (r.Status == http.StatusCreated || r.Fault == rceventstest.FaultDropResponse) {
			reached[r.Path]++
		}
	}
	if dropped == 0 {
		t.Fatal("no response was dropped; the test checks nothing")
	}
	stored := c.list("/v1/events/"+fx.EventID+"/registrations").Meta.Count - fx.Registrations
	if st.RegistrationsCreated != stored || stored != reached["/v1/events/"+fx.EventID+"/registrations"] || int64(stored) < seenCreated.Load() {
		t.Errorf("registrations: %d listed, %d counted, %d reached the server, %d seen by clients",
			stored, st.RegistrationsCreated, reached["/v1/events/"+fx.EventID+"/registrations"], seenCreated.Load())
	}
	links := c.list("/v1/tickets/"+fx.TicketID+"/magicLinks").Meta.Count - 30
	if st.MagicLinksCreated != links || links != reached["/v1/tickets/"+fx.TicketID+"/magicLinks"] || int64(links) < seenLinks.Load() {
		t.Errorf("magic links: %d listed, %d counted, %d seen", links, st.MagicLinksCreated, seenLinks.Load())
	}
	if st.ReportsCreated != reached["/v1/events/"+fx.EventID+"/reports/summary"] || st.RegistrationsUpdated == 0 {
		t.Errorf("Stats: %+v", st)
	}
}
