package rceventstest_test

import (
	"context"
	"testing"
	"time"

	rcevents "github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

// TestListLag: with a lag of 400 ms on the server's clock, a new registration or magic link
// is answered and got by its ID at once, but missing from its list, filtered or not, until
// the clock has moved 400 ms; items created before SetListLag, and every item after
// SetListLag(0), show at once.
func TestListLag(t *testing.T) {
	clock := rceventstest.NewClock(time.Date(2026, 3, 1, 9, 30, 15, 0, time.UTC))
	srv, _ := start(t, rceventstest.WithClock(clock.Now), rceventstest.WithRegistrations(5))
	fx := srv.Fixtures
	c := srv.Client()
	ctx := context.Background()
	person := func(email string) (*rcevents.RegistrationCreateRequest, *rcevents.MagicLinkCreateRequest) {
		return &rcevents.RegistrationCreateRequest{Email: email, FirstName: "L", LastName: "G"},
			&rcevents.MagicLinkCreateRequest{Email: email, FirstName: "L", LastName: "G"}
	}
	create := func(email string) (regID, linkID string) {
		t.Helper()
		rr, lr := person(email)
		reg, err := c.Registrations.Create(ctx, fx.EventID, rr)
		if err != nil {
			t.Fatal(err)
		}
		link, err := c.MagicLinks.Create(ctx, fx.TicketID, lr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Registrations.Get(ctx, reg.ID); err != nil {
			t.Errorf("GET of the new registration by its ID: %v", err)
		}
		if _, err := c.MagicLinks.Get(ctx, link.ID); err != nil {
			t.Errorf("GET of the new magic link by its ID: %v", err)
		}
		return reg.ID, link.ID
	}
	// listed reports whether the lists, walked whole and filtered on the email, hold the IDs.
	listed := func(email, regID, linkID string) [4]bool {
		t.Helper()
		var got [4]bool
		for i, o := range []*rcevents.RegistrationListOptions{nil, {Email: &rcevents.StringFilter{Eq: email}}} {
			for r, err := range c.Registrations.All(ctx, fx.EventID, o) {
				if err != nil {
					t.Fatal(err)
				}
				got[i] = got[i] || r.ID == regID
			}
		}
		for i, o := range []*rcevents.MagicLinkListOptions{nil, {Email: &rcevents.StringFilter{Eq: email}}} {
			for m, err := range c.MagicLinks.All(ctx, fx.TicketID, o) {
				if err != nil {
					t.Fatal(err)
				}
				got[2+i] = got[2+i] || m.ID == linkID
			}
		}
		return got
	}
	all, none := [4]bool{true, true, true, true}, [4]bool{}

	oldReg, oldLink := create("before@example.org")
	srv.SetListLag(400 * time.Millisecond)
	newReg, newLink := create("lagged@example.org")
	if got := listed("before@example.org", oldReg, oldLink); got != all {
		t.Errorf("items created before the lag: listed %v", got)
	}
	if got := listed("lagged@example.org", newReg, newLink); got != none {
		t.Errorf("new items, at once: listed %v, want none", got)
	}
	clock.Advance(399 * time.Millisecond)
	if got := listed("lagged@example.org", newReg, newLink); got != none {
		t.Errorf("new items, 399 ms later: listed %v, want none", got)
	}
	clock.Advance(time.Millisecond)
	if got := listed("lagged@example.org", newReg, newLink); got != all {
		t.Errorf("new items, 400 ms later: listed %v, want all", got)
	}

	heldReg, heldLink := create("held@example.org")
	srv.SetListLag(0)
	if got := listed("held@example.org", heldReg, heldLink); got != all {
		t.Errorf("after SetListLag(0): listed %v, want all", got)
	}
	freshReg, freshLink := create("fresh@example.org")
	if got := listed("fresh@example.org", freshReg, freshLink); got != all {
		t.Errorf("created after SetListLag(0): listed %v, want all", got)
	}
}

func TestSetListLagRefusesNegative(t *testing.T) {
	srv, _ := start(t)
	defer func() {
		if recover() == nil {
			t.Error("SetListLag(-1) did not panic")
		}
	}()
	srv.SetListLag(-time.Nanosecond)
}
