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

func ExampleTagsService_ListForBooth() {
	// A stand-in for the API that serves a recorded answer.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := os.ReadFile("testdata/tags_list_booth.json")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()

	client, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}
	page, err := client.Tags.ListForBooth(context.Background(), "bth_77f0", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, tag := range page.Items {
		fmt.Println(tag.ID, tag.Name)
	}
	// Output:
	// tag_0c11 AI
	// tag_0c12 Customer Support
}
