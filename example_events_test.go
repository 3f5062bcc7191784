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

func ExampleEventsService_Get() {
	// A stand-in for the API that answers with a recorded event.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := os.ReadFile("testdata/events_get.json")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()

	c, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}
	ev, err := c.Events.Get(context.Background(), "evt_5kq2")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.Name)
	fmt.Println(ev.Type, ev.Published)
	if ev.TimeStart != nil {
		fmt.Println("starts", ev.TimeStart.Format(time.RFC3339))
	}
	// Output:
	// Northwind Developer Summit 2025
	// public_event true
	// starts 2025-06-03T07:00:00Z
}

func ExampleEventsService_Duplicate() {
	// A stand-in for the API that accepts the duplication: 202, no body.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	c, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}
	err = c.Events.Duplicate(context.Background(), "evt_5kq2", &rcevents.EventDuplicateRequest{
		Name:        "Northwind Developer Summit 2026",
		TimeStart:   time.Date(2026, 6, 2, 7, 0, 0, 0, time.UTC),
		TimeEnd:     time.Date(2026, 6, 3, 15, 0, 0, 0, time.UTC),
		AutoPublish: rcevents.Ptr(false),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("duplication accepted")
	// Output: duplication accepted
}
