package rcevents_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

// The client against the fake API of rceventstest: the same calls work
// against the real API with rcevents.NewClientFromEnv.
func Example() {
	srv := rceventstest.NewServer(rceventstest.WithRegistrations(3))
	defer srv.Close()
	ctx := context.Background()

	c, err := rcevents.NewClient(
		rcevents.WithBaseURL(srv.URL),
		rcevents.WithClientCredentials(srv.ClientID, srv.ClientSecret),
		rcevents.WithPageConcurrency(4),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	event, err := c.Events.Get(ctx, srv.Fixtures.EventID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(event.Name)
	for reg, err := range c.Registrations.All(ctx, event.ID, nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(reg.FirstName, reg.LastName)
	}

	_, err = c.Events.Get(ctx, "no-such-event")
	fmt.Println(errors.Is(err, rcevents.ErrNotFound))
	_, err = c.Events.Get(ctx, "../organizations")
	fmt.Println(errors.Is(err, rcevents.ErrInvalidArgument))
	// Output:
	// Harborview DevCon 2025
	// Ingrid Kowalski
	// Beatriz Patel
	// Grace Vogel
	// true
	// true
}

func ExampleNewClient() {
	c, err := rcevents.NewClient(
		rcevents.WithClientCredentials("my-client-id", "my-client-secret"),
		rcevents.WithUserAgent("checkin-kiosk/2.1"),
		rcevents.WithRateLimit(10, 5),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c) // credentials are never printed
	// Output: rcevents.Client{baseURL: https://api.events.ringcentral.com, auth: client credentials}
}

func ExampleOrganizationsService_All() {
	srv := rceventstest.NewServer()
	defer srv.Close()
	c := srv.Client()
	for org, err := range c.Organizations.All(context.Background(), nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(org.Name)
	}
	// Output:
	// Harborview Tech Collective
	// Lakeside Community Network
}
