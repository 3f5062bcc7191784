package rceventstest_test

import (
	"context"
	"sync"
	"testing"
	"time"

	rcevents "github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

func TestClock(t *testing.T) {
	t0 := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	clock := rceventstest.NewClock(t0)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			clock.Advance(time.Second)
			_ = clock.Now()
		}()
	}
	wg.Wait()
	if got := clock.Now(); !got.Equal(t0.Add(8 * time.Second)) {
		t.Errorf("after 8 × Advance(1s): %v", got)
	}
	clock.Set(t0)
	clock.Advance(-time.Minute)
	if got := clock.Now(); !got.Equal(t0.Add(-time.Minute)) {
		t.Errorf("after Set and Advance(-1m): %v", got)
	}
}

// TestWritesLandInTheClocksSecond writes with a Clock set inside a second and filters at
// that second, as a sync does with its watermark.
func TestWritesLandInTheClocksSecond(t *testing.T) {
	second := time.Date(2026, 3, 1, 9, 30, 15, 0, time.UTC)
	clock := rceventstest.NewClock(second.Add(987 * time.Millisecond))
	srv, _ := start(t, rceventstest.WithClock(clock.Now))
	fx := srv.Fixtures
	c := srv.Client()
	ctx := context.Background()

	reg, err := c.Registrations.Create(ctx, fx.EventID, &rcevents.RegistrationCreateRequest{Email: "w@example.org", FirstName: "W", LastName: "M"})
	if err != nil {
		t.Fatal(err)
	}
	ml, err := c.MagicLinks.Create(ctx, fx.TicketID, &rcevents.MagicLinkCreateRequest{Email: "w@example.org", FirstName: "W", LastName: "M"})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := c.Events.Create(ctx, fx.OrganizationID, &rcevents.EventCreateRequest{Name: "Watermark Day", Currency: "EUR", Timezone: "UTC",
		TimeStart: second.AddDate(0, 1, 0), TimeEnd: second.AddDate(0, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	for what, got := range map[string]time.Time{"registration createdAt": reg.CreatedAt, "registration updatedAt": reg.UpdatedAt,
		"magic link createdAt": ml.CreatedAt, "magic link updatedAt": ml.UpdatedAt, "event createdAt": ev.CreatedAt} {
		if !got.Equal(second) {
			t.Errorf("%s %v, want %v: the clock's time, truncated to the second", what, got, second)
		}
	}

	clock.Advance(1500 * time.Millisecond) // 09:30:17.487
	upd, err := c.Registrations.Update(ctx, reg.ID, &rcevents.RegistrationUpdateRequest{FirstName: "Wil"})
	if err != nil || !upd.UpdatedAt.Equal(second.Add(2*time.Second)) || !upd.CreatedAt.Equal(second) {
		t.Fatalf("updated: %+v, %v", upd, err)
	}

	// A watermark inside the write's second matches it as the second itself does.
	watermark := second.Add(2*time.Second + 400*time.Millisecond)
	for _, tc := range []struct {
		filter rcevents.DateTimeFilter
		found  bool
	}{
		{rcevents.DateTimeFilter{Gte: watermark}, true},
		{rcevents.DateTimeFilter{Eq: watermark}, true},
		{rcevents.DateTimeFilter{Lte: watermark}, true},
		{rcevents.DateTimeFilter{Gt: watermark}, false},
		{rcevents.DateTimeFilter{Lt: watermark}, false},
		{rcevents.DateTimeFilter{Gt: watermark.Add(-time.Second)}, true},
	} {
		page, err := c.Registrations.List(ctx, fx.EventID, &rcevents.RegistrationListOptions{UpdatedAt: &tc.filter, Email: &rcevents.StringFilter{Eq: "w@example.org"}})
		if err != nil || (page.Count == 1) != tc.found {
			t.Errorf("updatedAt %+v: %d found, %v; want found %v", tc.filter, page.Count, err, tc.found)
		}
	}
	links, err := c.MagicLinks.List(ctx, fx.TicketID, &rcevents.MagicLinkListOptions{UpdatedAt: &rcevents.DateTimeFilter{Eq: second.Add(999 * time.Millisecond)}})
	if err != nil || links.Count != 1 || links.Items[0].ID != ml.ID {
		t.Errorf("magic links updated in the second: %+v, %v", links, err)
	}
}
