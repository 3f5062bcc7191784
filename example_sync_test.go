package rcevents_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

func ExampleRegistrationsService_Sync() {
	srv := rceventstest.NewServer(rceventstest.WithRegistrations(250))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	eventID := srv.Fixtures.EventID

	// run syncs the registrations changed since the stored cursor, and
	// stores the cursor again once they are all handled. A job would keep
	// it with its copy of the registrations, in the same transaction.
	stored := []byte("{}")
	run := func() {
		var cur rcevents.SyncCursor
		if err := json.Unmarshal(stored, &cur); err != nil {
			log.Fatal(err)
		}
		n := 0
		for reg, err := range client.Registrations.Sync(ctx, eventID, &cur) {
			if err != nil {
				log.Fatal(err) // the stored cursor is unchanged: the next run does this one's work
			}
			_ = reg // upsert the registration into the copy
			n++
		}
		b, err := json.Marshal(cur)
		if err != nil {
			log.Fatal(err)
		}
		stored = b
		fmt.Println(n, "registrations to handle")
	}

	run() // the first run reads them all
	run() // nothing changed
	first, err := client.Registrations.List(ctx, eventID, &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 1}})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.Registrations.Update(ctx, first.Items[0].ID, &rcevents.RegistrationUpdateRequest{Metadata: map[string]string{"crm": "synced"}}); err != nil {
		log.Fatal(err)
	}
	if _, err := client.Registrations.Create(ctx, eventID, &rcevents.RegistrationCreateRequest{Email: "new@example.com", FirstName: "Ada", LastName: "Lovelace"}); err != nil {
		log.Fatal(err)
	}
	run() // the update and the new registration
	// Output:
	// 250 registrations to handle
	// 0 registrations to handle
	// 2 registrations to handle
}

func ExampleMagicLinksService_Sync() {
	srv := rceventstest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	ticketID := srv.Fixtures.TicketID

	var cur rcevents.SyncCursor
	count := func() int {
		n := 0
		for _, err := range client.MagicLinks.Sync(ctx, ticketID, &cur) {
			if err != nil {
				log.Fatal(err)
			}
			n++
		}
		return n
	}
	fmt.Println("first run:", count())
	link, err := client.MagicLinks.Create(ctx, ticketID, &rcevents.MagicLinkCreateRequest{Email: "grace@example.com", FirstName: "Grace", LastName: "Hopper"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("after a new link:", count())
	if err := client.MagicLinks.Delete(ctx, link.ID); err != nil {
		log.Fatal(err)
	}
	fmt.Println("after its deletion:", count()) // the API reports no deletions
	fmt.Println(cur.List == "magic links of "+ticketID)
	// Output:
	// first run: 30
	// after a new link: 1
	// after its deletion: 0
	// true
}
