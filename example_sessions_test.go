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

func ExampleSessionsService_List() {
	// A stand-in for the API that serves a recorded answer.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := os.ReadFile("testdata/sessions_list.json")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()

	client, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}
	page, err := client.Sessions.List(context.Background(), "evt_5kq2", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range page.Items {
		fmt.Println(s.ID, s.Name)
	}
	// Output:
	// ses_4d1c Roundtable: Scaling Support Teams
	// ses_9b20 Networking Lounge
}
