package rcevents_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

func ExampleMagicLinksService_Ensure() {
	srv := rceventstest.NewServer()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()
	ticketID := srv.Fixtures.TicketID

	req := &rcevents.MagicLinkCreateRequest{Email: "Grace.Hopper@example.com", FirstName: "Grace", LastName: "Hopper"}
	link, created, err := c.MagicLinks.Ensure(ctx, ticketID, req)
	if errors.Is(err, rcevents.ErrOutcomeUnknown) {
		// The link may have been made: calling Ensure again finds it.
		fmt.Println("try again later")
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(link.Email, created)

	// The same person, written otherwise: the same link, nothing created.
	req.Email = "grace.hopper@EXAMPLE.com"
	again, created, err := c.MagicLinks.Ensure(ctx, ticketID, req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(again.ID == link.ID, created)
	// Output:
	// Grace.Hopper@example.com true
	// true false
}

func ExampleMagicLinksService_EnsureAll() {
	srv := rceventstest.NewServer()
	defer srv.Close()
	c := srv.Client(rcevents.WithPageConcurrency(4)) // up to 4 creates at once
	ctx := context.Background()
	ticketID := srv.Fixtures.TicketID
	existing, err := c.MagicLinks.Get(ctx, srv.Fixtures.MagicLinkID)
	if err != nil {
		fmt.Println(err)
		return
	}

	reqs := []*rcevents.MagicLinkCreateRequest{
		{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"},
		{Email: strings.ToUpper(existing.Email), FirstName: existing.FirstName, LastName: existing.LastName},
		{Email: "grace@example.com", FirstName: "Grace"}, // no last name
		{Email: "Ada@Example.com", FirstName: "Ada", LastName: "Lovelace"},
	}
	for i, res := range c.MagicLinks.EnsureAll(ctx, ticketID, reqs) {
		switch {
		case res.Err != nil:
			fmt.Println(i, "failed:", errors.Is(res.Err, rcevents.ErrInvalidArgument))
		case res.Created:
			fmt.Println(i, "created")
		default:
			fmt.Println(i, "exists", res.Item.ID == existing.ID)
		}
	}
	// Output:
	// 0 created
	// 1 exists true
	// 2 failed: true
	// 3 exists false
}

func ExampleRegistrationsService_Ensure() {
	srv := rceventstest.NewServer(rceventstest.WithRegistrations(3))
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()
	eventID := srv.Fixtures.EventID

	for _, email := range []string{"alan@example.org", "Alan@Example.org"} {
		reg, created, err := c.Registrations.Ensure(ctx, eventID, &rcevents.RegistrationCreateRequest{
			Email: email, FirstName: "Alan", LastName: "Turing",
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(reg.Email, created)
	}
	// Output:
	// alan@example.org true
	// alan@example.org false
}

func ExampleRegistrationsService_EnsureAll() {
	srv := rceventstest.NewServer(rceventstest.WithRegistrations(3))
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()
	eventID := srv.Fixtures.EventID

	reqs := []*rcevents.RegistrationCreateRequest{
		{Email: "alan@example.org", FirstName: "Alan", LastName: "Turing"},
		{Email: "edsger@example.nl", FirstName: "Edsger", LastName: "Dijkstra"},
	}
	for range 2 { // the second run finds what the first made
		created := 0
		for _, res := range c.Registrations.EnsureAll(ctx, eventID, reqs) {
			if res.Err != nil {
				fmt.Println(res.Err)
				return
			}
			if res.Created {
				created++
			}
		}
		fmt.Println("created", created)
	}
	// Output:
	// created 2
	// created 0
}

func ExampleEnsureResult() {
	srv := rceventstest.NewServer(rceventstest.WithRegistrations(3))
	defer srv.Close()
	c := srv.Client()

	// status is what a report of the batch says of each person.
	status := func(res rcevents.EnsureResult[rcevents.Registration]) string {
		switch {
		case errors.Is(res.Err, rcevents.ErrOutcomeUnknown):
			return "unknown: run the batch again to find out"
		case res.Err != nil:
			return "failed, nothing created"
		case res.Created:
			return "registered"
		default:
			return "was registered already"
		}
	}
	reqs := []*rcevents.RegistrationCreateRequest{
		{Email: "barbara@example.com", FirstName: "Barbara", LastName: "Liskov"},
		{Email: "BARBARA@example.com", FirstName: "Barbara", LastName: "Liskov"},
		{Email: "radia@example", FirstName: "Radia", LastName: "Perlman"},
	}
	for i, res := range c.Registrations.EnsureAll(context.Background(), srv.Fixtures.EventID, reqs) {
		fmt.Println(reqs[i].Email, status(res))
	}
	// Output:
	// barbara@example.com registered
	// BARBARA@example.com was registered already
	// radia@example failed, nothing created
}
