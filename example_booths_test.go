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

func ExampleBoothsService_List() {
	// A stand-in for the API that serves a recorded answer.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := os.ReadFile("testdata/booths_list.json")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()

	client, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}
	page, err := client.Booths.List(context.Background(), "evt_5kq2", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range page.Items {
		website := "(no website)"
		if b.Website != nil {
			website = *b.Website
		}
		fmt.Println(b.Name, b.BoothSize, website)
	}
	// Output:
	// Contoso large https://contoso.example
	// Fabrikam small (no website)
}
