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

func ExampleTemplatesService_CreateEvent() {
	// A stand-in for the API that answers with a recorded event.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := os.ReadFile("testdata/templates_create_event.json")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write(body)
	}))
	defer srv.Close()

	c, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}
	ev, err := c.Templates.CreateEvent(context.Background(), "tpl_9w2m", &rcevents.EventFromTemplateRequest{
		Name:           "Fabrikam X200 Launch",
		OrganizationID: "org_a20d",
		Timezone:       "Dublin",
		TimeStart:      time.Date(2025, 5, 14, 10, 0, 0, 0, time.UTC),
		TimeEnd:        time.Date(2025, 5, 14, 12, 0, 0, 0, time.UTC),
		Type:           rcevents.EventTypePublicEvent,
		AutoPublish:    rcevents.Ptr(true),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.ID, ev.Name)
	fmt.Println(ev.Slug, ev.Status)
	// Output:
	// evt_4bn7 Fabrikam X200 Launch
	// fabrikam-x200-launch templating
}
