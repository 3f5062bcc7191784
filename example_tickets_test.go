package rcevents_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/rcevents/rcevents-go"
)

func ExampleTicketsService_Get() {
	// A stand-in for the API, serving one ticket.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, "testdata/tickets_get.json")
	}))
	defer srv.Close()

	client, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}

	ticket, err := client.Tickets.Get(context.Background(), "tkt_v9x3")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s (%s): %.2f, %d of %d left\n", ticket.Name, ticket.ID, ticket.Price, ticket.Remaining, ticket.Count)
	if ticket.Description != nil {
		fmt.Println(*ticket.Description)
	}
	// Output:
	// VIP (tkt_v9x3): 899.99, 13 of 50 left
	// Front-row seats, the speakers' dinner and a signed book.
}
