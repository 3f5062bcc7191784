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

func ExampleRegistrationsService_All() {
	// A stand-in for the API: an event with 103 registrations, in two pages.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := "testdata/registrations_list_100.json"
		if r.URL.Query().Get("page") == "2" {
			name = "testdata/registrations_list.json"
		}
		b, err := os.ReadFile(name)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	defer srv.Close()

	client, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}

	// Count the registrations since May, the people who checked in, and the
	// answers to a multiple-choice question.
	opts := &rcevents.RegistrationListOptions{
		ListOptions: rcevents.ListOptions{PerPage: 100},
		CreatedAt:   &rcevents.DateTimeFilter{Gte: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)},
	}
	var total, checkedIn int
	tracks := map[string]int{}
	for reg, err := range client.Registrations.All(context.Background(), "evt_5kq2", opts) {
		if err != nil {
			log.Fatal(err)
		}
		total++
		if reg.FirstCheckIn != nil {
			checkedIn++
		}
		for _, field := range reg.CustomRegistrationFields {
			if field.ID == "q_tracks" {
				for _, track := range field.Value.Strings() {
					tracks[track]++
				}
			}
		}
	}
	fmt.Printf("%d registrations, %d checked in\n", total, checkedIn)
	for _, track := range []string{"Cloud Native", "Security", "Data & AI"} {
		fmt.Printf("%s: %d\n", track, tracks[track])
	}
	// Output:
	// 103 registrations, 63 checked in
	// Cloud Native: 23
	// Security: 31
	// Data & AI: 34
}
