package rcevents_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/rcevents/rcevents-go"
)

func ExampleStagesService_List() {
	// A stand-in for the API that serves a recorded answer.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := os.ReadFile("testdata/stages_list.json")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()

	client, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}
	page, err := client.Stages.List(context.Background(), "evt_5kq2", &rcevents.ListOptions{Page: 2, PerPage: 1})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range page.Items {
		fmt.Println(s.ID, s.Name)
	}
	fmt.Printf("page %d, %d stages in all, more: %t\n", page.Number, page.Count, page.HasNext())
	// Output:
	// stg_1a7e Main Stage
	// page 2, 3 stages in all, more: true
}
