package rceventstest_test

import (
	"context"
	"slices"
	"testing"
	"time"

	rcevents "github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

// TestUpdateOrder: with WithUpdateOrder, registrations come by updatedAt, the ones
// never written first among equal ones, then in the order of their last write; an
// update moves a registration to the end, filtered lists and pages included. Without
// it, the same writes leave the list in creation order.
func TestUpdateOrder(t *testing.T) {
	clock := rceventstest.NewClock(time.Date(2026, 6, 1, 9, 0, 0, 400e6, time.UTC)) // after the seeds
	ctx := context.Background()
	list := func(c *rcevents.Client, event string, o *rcevents.RegistrationListOptions) []string {
		t.Helper()
		var ids []string
		for r, err := range c.Registrations.All(ctx, event, o) {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		return ids
	}
	plainSrv, _ := start(t, rceventstest.WithRegistrations(300), rceventstest.WithClock(clock.Now))
	orderedSrv, _ := start(t, rceventstest.WithRegistrations(300), rceventstest.WithClock(clock.Now), rceventstest.WithUpdateOrder())
	plain, ordered := plainSrv.Client(), orderedSrv.Client()
	event := plainSrv.Fixtures.EventID // the same seed: the same IDs and data

	var seeded []rcevents.Registration
	for r, err := range plain.Registrations.All(ctx, event, nil) {
		if err != nil {
			t.Fatal(err)
		}
		seeded = append(seeded, r)
	}
	byUpdate := slices.Clone(seeded)
	slices.SortStableFunc(byUpdate, func(a, b rcevents.Registration) int { return a.UpdatedAt.Compare(b.UpdatedAt) })
	var creationIDs, updateIDs []string
	for i := range seeded {
		creationIDs, updateIDs = append(creationIDs, seeded[i].ID), append(updateIDs, byUpdate[i].ID)
	}
	if slices.Equal(creationIDs, updateIDs) {
		t.Fatal("the seeded registrations are in updatedAt order already: the test proves nothing")
	}
	if got := list(ordered, event, nil); !slices.Equal(got, updateIDs) {
		t.Fatal("WithUpdateOrder: the seeded registrations are not in updatedAt order")
	}

	a, b := seeded[10].ID, seeded[200].ID
	var created string
	for _, c := range []*rcevents.Client{plain, ordered} {
		for _, id := range []string{a, b, a} { // in one second: the last write counts
			if _, err := c.Registrations.Update(ctx, id, &rcevents.RegistrationUpdateRequest{Metadata: map[string]string{"k": id}}); err != nil {
				t.Fatal(err)
			}
		}
		reg, err := c.Registrations.Create(ctx, event, &rcevents.RegistrationCreateRequest{Email: "order@example.org", FirstName: "O", LastName: "R"})
		if err != nil {
			t.Fatal(err)
		}
		created = reg.ID
	}
	pages := &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 7}}
	if got, want := list(plain, event, pages), append(slices.Clone(creationIDs), created); !slices.Equal(got, want) {
		t.Errorf("creation order: the writes moved registrations")
	}
	want := slices.DeleteFunc(slices.Clone(updateIDs), func(id string) bool { return id == a || id == b })
	want = append(want, b, a, created)
	if got := list(ordered, event, pages); !slices.Equal(got, want) {
		t.Errorf("WithUpdateOrder: the list ends with %v, want %v", got[len(got)-3:], want[len(want)-3:])
	}

	since := &rcevents.DateTimeFilter{Gte: clock.Now().Truncate(time.Second)}
	for _, tc := range []struct {
		c    *rcevents.Client
		want []string
	}{{plain, []string{a, b}}, {ordered, []string{b, a}}} {
		page, err := tc.c.Registrations.List(ctx, event, &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 2}, UpdatedAt: since})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range page.Items {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, tc.want) || page.Count != 3 || !page.HasNext() {
			t.Errorf("the first page of the filtered list: %v of %d, want %v of 3", got, page.Count, tc.want)
		}
	}
}
