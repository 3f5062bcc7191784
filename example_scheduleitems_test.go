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

func ExampleScheduleItemsService_Get() {
	// A stand-in for the API that serves a recorded answer.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := os.ReadFile("testdata/scheduleitems_get.json")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()

	client, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}
	item, err := client.ScheduleItems.Get(context.Background(), "sch_3f8a")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(item.Name, "on", *item.AreaName)
	fmt.Println(item.TimeStart.Format("Jan 2 15:04"), "for", item.TimeEnd.Sub(item.TimeStart))
	fmt.Println(len(item.Speakers), "speakers")
	// Output:
	// Opening Keynote on Main Stage
	// Jun 3 14:00 for 1h0m0s
	// 2 speakers
}
