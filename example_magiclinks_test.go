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

func ExampleMagicLinksService_Create() {
	// A stand-in for the API that serves a recorded answer.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := os.ReadFile("testdata/magiclinks_create.json")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(body)
	}))
	defer srv.Close()

	client, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}
	link, err := client.MagicLinks.Create(context.Background(), "tkt_2r9w", &rcevents.MagicLinkCreateRequest{
		Email:       "grace@example.com",
		FirstName:   "Grace",
		LastName:    "Hopper",
		Headline:    "Rear Admiral",
		ExtraFields: map[string]string{"company": "US Navy"},
		Metadata:    map[string]string{"source": "crm-sync"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(link.ID, link.Email)
	fmt.Println(link.URL)
	// Output:
	// ml_7j4s grace@example.com
	// https://events.ringcentral.com/e/evt_5kq2/ml/7j4sVb2N
}
