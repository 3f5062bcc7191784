package rceventstest_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	rcevents "github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

// The tests below run the SDK's client against the fake, each side checking the other.

// fastRetries keeps retry backoff short, so fault tests stay fast.
var fastRetries = rcevents.WithRetry(rcevents.RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})

func TestClientReads(t *testing.T) {
	srv, raw := start(t)
	fx := srv.Fixtures
	c := srv.Client(rcevents.WithPageConcurrency(4))
	ctx := context.Background()

	if h, err := c.Health(ctx); err != nil || h.Status != "ok" {
		t.Fatalf("Health: %+v, %v", h, err)
	}
	var orgs []string
	for o, err := range c.Organizations.All(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, o.ID)
	}
	if !slices.Equal(orgs, []string{fx.OrganizationID, fx.OtherOrganizationID}) {
		t.Errorf("organizations %v", orgs)
	}
	ev, err := c.Events.Get(ctx, fx.EventID)
	if err != nil || ev.Name != "Harborview DevCon 2025" || ev.TimeStart == nil || ev.Metadata["region"] != "emea" {
		t.Fatalf("Events.Get: %+v, %v", ev, err)
	}
	draft, err := c.Events.Get(ctx, fx.DraftEventID)
	if err != nil || draft.TimeStart != nil {
		t.Errorf("draft: %+v, %v", draft, err)
	}
	if tmpls, err := c.Templates.List(ctx, fx.OrganizationID); err != nil || len(tmpls) != 2 {
		t.Errorf("Templates.List: %v, %v", tmpls, err)
	}

	// Pages fetched concurrently come back in API order.
	var ids []string
	for r, err := range c.Registrations.All(ctx, fx.EventID, &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 20}}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	var want []string
	for _, r := range raw.all(query("/v1/events/"+fx.EventID+"/registrations", "perPage", "100")) {
		want = append(want, r.ID)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("Registrations.All: %d registrations, want %d in the same order", len(ids), len(want))
	}

	first, err := c.Registrations.Get(ctx, fx.RegistrationID)
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.Registrations.List(ctx, fx.EventID, &rcevents.RegistrationListOptions{Email: &rcevents.StringFilter{Eq: first.Email}})
	if err != nil || page.Count != 1 || page.Items[0].ID != first.ID {
		t.Errorf("filter by email: %+v, %v", page, err)
	}
	refunded, err := c.Registrations.List(ctx, fx.EventID, &rcevents.RegistrationListOptions{Refunded: &rcevents.BoolFilter{Eq: true}})
	if err != nil || refunded.Count == 0 || !refunded.Items[0].Refunded {
		t.Errorf("filter refunded: %+v, %v", refunded, err)
	}
	later, err := c.Registrations.List(ctx, fx.EventID, &rcevents.RegistrationListOptions{CreatedAt: &rcevents.DateTimeFilter{Gt: first.CreatedAt}})
	if err != nil || later.Count != fx.Registrations-1 {
		t.Errorf("createdAt after the first: %d, %v", later.Count, err)
	}

	qs, err := c.Tickets.BankQuestions(ctx, fx.VIPTicketID)
	if err != nil || len(qs) != 6 || qs[4].ChildQuestions == nil || qs[1].Options[0].ID == 0 {
		t.Errorf("BankQuestions: %+v, %v", qs, err)
	}
	links := 0
	for _, err := range c.MagicLinks.All(ctx, fx.TicketID, nil) {
		if err != nil {
			t.Fatal(err)
		}
		links++
	}
	if links != 30 {
		t.Errorf("MagicLinks.All: %d", links)
	}
	items := 0
	for _, err := range c.ScheduleItems.All(ctx, fx.EventID, &rcevents.ListOptions{PerPage: 5}) {
		if err != nil {
			t.Fatal(err)
		}
		items++
	}
	if items != 23 {
		t.Errorf("ScheduleItems.All: %d", items)
	}
	if tags, err := c.Tags.ListForBooth(ctx, fx.BoothID, nil); err != nil || tags.Items[0].Name != "Sponsor" {
		t.Errorf("Tags.ListForBooth: %+v, %v", tags, err)
	}
	for _, list := range []func() (int, error){
		func() (int, error) { p, err := c.Sessions.List(ctx, fx.EventID, nil); return pageCount(p, err) },
		func() (int, error) { p, err := c.Stages.List(ctx, fx.EventID, nil); return pageCount(p, err) },
		func() (int, error) { p, err := c.Booths.List(ctx, fx.EventID, nil); return pageCount(p, err) },
		func() (int, error) {
			p, err := c.Tags.ListForScheduleItem(ctx, fx.ScheduleItemID, nil)
			return pageCount(p, err)
		},
	} {
		if n, err := list(); err != nil || n == 0 {
			t.Errorf("list: %d, %v", n, err)
		}
	}
	if _, err := c.Events.Get(ctx, "nope"); !errors.Is(err, rcevents.ErrNotFound) {
		t.Errorf("unknown event: %v", err)
	}
}

func pageCount[T any](p *rcevents.Page[T], err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return p.Count, nil
}

func TestClientWrites(t *testing.T) {
	srv, _ := start(t, rceventstest.WithReportPolls(1))
	fx := srv.Fixtures
	c := srv.Client()
	ctx := context.Background()

	ev, err := c.Events.Create(ctx, fx.OrganizationID, &rcevents.EventCreateRequest{
		Name: "Data Day", Currency: "GBP", Timezone: "Europe/London",
		TimeStart: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC), TimeEnd: time.Date(2026, 5, 4, 17, 0, 0, 0, time.UTC),
		EventType: rcevents.EventTypePublicEvent, AttendeesVisibility: rcevents.AttendeesVisibilityShowAll,
	})
	if err != nil || ev.Slug != "data-day" {
		t.Fatalf("Events.Create: %+v, %v", ev, err)
	}
	if err := c.Events.Duplicate(ctx, ev.ID, &rcevents.EventDuplicateRequest{Name: "Data Day (autumn)"}); err != nil {
		t.Errorf("Events.Duplicate: %v", err)
	}
	fromTemplate, err := c.Templates.CreateEvent(ctx, fx.TemplateID, &rcevents.EventFromTemplateRequest{
		Name: "DevCon 2026", OrganizationID: fx.OrganizationID, Timezone: "UTC",
		TimeStart: time.Date(2026, 9, 15, 8, 0, 0, 0, time.UTC), TimeEnd: time.Date(2026, 9, 16, 17, 0, 0, 0, time.UTC),
		AutoPublish: rcevents.Ptr(true), Metadata: map[string]any{"owner": "events"},
	})
	if err != nil || !fromTemplate.Published {
		t.Errorf("Templates.CreateEvent: %+v, %v", fromTemplate, err)
	}

	tk, err := c.Tickets.Create(ctx, fx.EventID, &rcevents.TicketCreateRequest{Name: "Student", Count: rcevents.Ptr(20), Price: rcevents.Ptr(0.0)})
	if err != nil || tk.Remaining != 20 {
		t.Fatalf("Tickets.Create: %+v, %v", tk, err)
	}
	reg, err := c.Registrations.Create(ctx, fx.EventID, &rcevents.RegistrationCreateRequest{
		Email: "sam.student@example.edu", FirstName: "Sam", LastName: "Student", TicketID: tk.ID,
	})
	if err != nil {
		t.Fatalf("Registrations.Create: %v", err)
	}
	upd, err := c.Registrations.Update(ctx, reg.ID, &rcevents.RegistrationUpdateRequest{Metadata: map[string]string{"cohort": "2026"}, Headline: "Student at Example"})
	if err != nil || upd.Metadata["cohort"] != "2026" || upd.Headline == nil || *upd.Headline != "Student at Example" {
		t.Errorf("Registrations.Update: %+v, %v", upd, err)
	}

	ml, err := c.MagicLinks.Create(ctx, fx.TicketID, &rcevents.MagicLinkCreateRequest{Email: "guest@example.org", FirstName: "Guest", LastName: "Speaker"})
	if err != nil {
		t.Fatalf("MagicLinks.Create: %v", err)
	}
	if err := c.MagicLinks.Delete(ctx, ml.ID); err != nil {
		t.Errorf("MagicLinks.Delete: %v", err)
	}
	if _, err := c.MagicLinks.Get(ctx, ml.ID); !errors.Is(err, rcevents.ErrNotFound) {
		t.Errorf("deleted link: %v", err)
	}
	//lint:ignore SA1019 the fake serves the deprecated call, so its client is tested against it
	legacy, err := c.MagicLinks.CreateLegacy(ctx, &rcevents.LegacyMagicLinkRequest{TicketID: fx.TicketID, FirstName: "Old", LastName: "Style", Email: "old@example.org"})
	if err != nil || legacy.ID == "" {
		t.Errorf("MagicLinks.CreateLegacy: %+v, %v", legacy, err)
	}
	if _, err := c.MagicLinks.Create(ctx, fx.NoMagicLinkTicketID, &rcevents.MagicLinkCreateRequest{Email: "a@b.io", FirstName: "A", LastName: "B"}); !errors.Is(err, rcevents.ErrUnprocessable) {
		t.Errorf("plan without magic links: %v", err)
	}

	sub, err := c.DataSubscriptions.Create(ctx, fx.EventID, &rcevents.DataSubscriptionCreateRequest{
		URL: "https://hooks.example.org/x", Type: "webhook", ExpiresAt: time.Now().Add(time.Hour),
		Signals: []rcevents.Signal{rcevents.SignalAttendance, rcevents.SignalRegistrationQrCreated},
	})
	if err != nil || len(sub.Signals) != 2 {
		t.Errorf("DataSubscriptions.Create: %+v, %v", sub, err)
	}

	rep, err := c.Reports.Create(ctx, fx.EventID, rcevents.ReportTypeRegistrations, nil)
	if err != nil {
		t.Fatalf("Reports.Create: %v", err)
	}
	if _, err := c.Reports.Download(ctx, rep.ID, &bytes.Buffer{}); !errors.Is(err, rcevents.ErrReportNotReady) {
		t.Errorf("early download: %v", err)
	}
	if got, err := c.Reports.Get(ctx, rep.ID); err != nil || got.Ready() {
		t.Errorf("first Get: %+v, %v", got, err)
	}
	if got, err := c.Reports.Get(ctx, rep.ID); err != nil || !got.Ready() || got.URL == "" {
		t.Errorf("second Get: %+v, %v", got, err)
	}
	var csv bytes.Buffer
	if n, err := c.Reports.Download(ctx, rep.ID, &csv); err != nil || n == 0 || !strings.HasPrefix(csv.String(), "Registration ID,") {
		t.Errorf("Download: %d bytes, %v", n, err)
	}

	want := rceventstest.Stats{EventsCreated: 3, RegistrationsCreated: 1, RegistrationsUpdated: 1, TicketsCreated: 1,
		MagicLinksCreated: 2, MagicLinksDeleted: 1, ReportsCreated: 1, DataSubscriptionsCreated: 1, TokensIssued: 1}
	if got := srv.Stats(); got != want {
		t.Errorf("Stats:\n got %+v\nwant %+v", got, want)
	}
}

func TestClientStorageDownload(t *testing.T) {
	srv, _ := start(t, rceventstest.WithStorageRedirect(), rceventstest.WithReportPolls(0))
	c := srv.Client()
	ctx := context.Background()
	rep, err := c.Reports.Wait(ctx, srv.Fixtures.ReportID)
	if err != nil || !rep.Ready() || !strings.HasPrefix(rep.URL, srv.StorageURL) {
		t.Fatalf("Wait: %+v, %v", rep, err)
	}
	var csv bytes.Buffer
	if _, err := c.Reports.Download(ctx, rep.ID, &csv); err != nil || !strings.HasPrefix(csv.String(), "Registration ID,") {
		t.Fatalf("Download through storage: %v", err)
	}
	var storage []rceventstest.Request
	for _, r := range srv.Requests() {
		if r.Storage {
			storage = append(storage, r)
		}
	}
	if len(storage) != 1 || storage[0].AuthHeader || storage[0].Status != http.StatusOK {
		t.Errorf("storage saw %+v", storage)
	}
}

func TestClientUnderFaults(t *testing.T) {
	srv, _ := start(t)
	fx := srv.Fixtures
	c := srv.Client(fastRetries)
	ctx := context.Background()

	// Retried: 429 and 5xx on a GET.
	srv.FailNext(1, rceventstest.FaultRateLimit)
	srv.FailNext(1, rceventstest.FaultBadGateway)
	srv.FailNext(1, rceventstest.FaultGatewayTimeout)
	if _, err := c.Events.Get(ctx, fx.EventID); err != nil {
		t.Fatalf("GET through 429, 502, 504: %v", err)
	}

	// A revoked token is replaced and the request sent again.
	srv.FailNext(1, rceventstest.FaultRevokeTokens)
	if _, err := c.Events.Get(ctx, fx.EventID); err != nil {
		t.Fatalf("GET through a revocation: %v", err)
	}
	if got := srv.Stats().TokensIssued; got != 2 {
		t.Errorf("TokensIssued = %d, want 2", got)
	}

	// A POST whose answer is lost is not sent again: the client reports an error, the
	// server stored the registration once.
	srv.FailNext(1, rceventstest.FaultDropResponse)
	_, err := c.Registrations.Create(ctx, fx.EventID, &rcevents.RegistrationCreateRequest{Email: "once@example.org", FirstName: "Only", LastName: "Once"})
	if err == nil {
		t.Error("Registrations.Create with a dropped answer: no error")
	}
	if got := srv.Stats().RegistrationsCreated; got != 1 {
		t.Errorf("RegistrationsCreated = %d, want 1", got)
	}

	// Exhausted retries give the last answer's error.
	srv.FailNext(4, rceventstest.FaultUnavailable)
	var apiErr *rcevents.APIError
	if _, err := c.Events.Get(ctx, fx.EventID); !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("four 503s: %v", err)
	}
}

// TestReadmeExample runs the example of the README's "Testing your code": the client
// retries the two 503s, which ask for no wait, with its default policy.
func TestReadmeExample(t *testing.T) {
	srv := rceventstest.NewServer(rceventstest.WithRegistrations(500))
	defer srv.Close()
	c := srv.Client()

	srv.FailNext(2, rceventstest.FaultUnavailable)
	n := 0
	for _, err := range c.Registrations.All(context.Background(), srv.Fixtures.EventID, nil) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 500 {
		t.Fatalf("got %d registrations, want 500", n)
	}
	faults := 0
	for _, r := range srv.Requests() {
		if r.Fault == rceventstest.FaultUnavailable {
			faults++
		}
	}
	if faults != 2 {
		t.Errorf("%d faults injected, want 2", faults)
	}
}
