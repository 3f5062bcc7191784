package rcevents_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/rcevents/rcevents-go"
)

func ExampleDataSubscriptionsService_Create() {
	// A stand-in for the API that serves a recorded answer.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := os.ReadFile("testdata/subscriptions_create.json")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(body)
	}))
	defer srv.Close()

	client, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}
	sub, err := client.DataSubscriptions.Create(context.Background(), "evt_5kq2", &rcevents.DataSubscriptionCreateRequest{
		URL:       "https://hooks.contoso.example/rcevents",
		Type:      "webhook",
		ExpiresAt: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC),
		Signals:   []rcevents.Signal{rcevents.SignalAttendeeCheckedInToEvent, rcevents.SignalRegistrationQrCreated},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sub.ID, "delivers to", *sub.Configuration.URL)
	fmt.Println("until", sub.ExpiresAt.Format(time.DateOnly))
	// Output:
	// dsub_5w0t delivers to https://hooks.contoso.example/rcevents
	// until 2025-07-01
}
