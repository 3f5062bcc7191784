package rcevents_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

// WithResponse keeps what the server answered: the request ID to hand to
// the API's support, the rate-limit state, the attempts made.
func ExampleWithResponse() {
	srv := rceventstest.NewServer()
	defer srv.Close()
	c := srv.Client()

	var resp rcevents.Response
	_, err := c.Events.Get(context.Background(), "no-such-event", rcevents.WithResponse(&resp))
	fmt.Println(errors.Is(err, rcevents.ErrNotFound))
	fmt.Println(resp.StatusCode, resp.Attempts)
	// Output:
	// true
	// 404 1
}

// WithProgress reports how far a walk has come, from what the pages say.
func ExampleWithProgress() {
	srv := rceventstest.NewServer(rceventstest.WithRegistrations(250))
	defer srv.Close()
	c := srv.Client()

	opts := &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 100}}
	progress := rcevents.WithProgress(func(items, total int) { fmt.Printf("%d of %d\n", items, total) })
	for _, err := range c.Registrations.All(context.Background(), srv.Fixtures.EventID, opts, progress) {
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	// Output:
	// 100 of 250
	// 200 of 250
	// 250 of 250
}

// Client.Do reaches an endpoint the SDK does not wrap, with the client's
// token, retries and errors.
func ExampleClient_Do() {
	srv := rceventstest.NewServer()
	defer srv.Close()
	c := srv.Client()

	var health struct {
		Status string `json:"status"`
	}
	if err := c.Do(context.Background(), http.MethodGet, "/v1/health", nil, &health); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(health.Status)

	var raw json.RawMessage // the answer as it came
	err := c.Do(context.Background(), http.MethodGet, "/v1/organizations?perPage=1", nil, &raw)
	fmt.Println(err == nil && json.Valid(raw))

	err = c.Do(context.Background(), http.MethodGet, "https://elsewhere.example/v1/health", nil, nil)
	fmt.Println(errors.Is(err, rcevents.ErrInvalidArgument))
	// Output:
	// ok
	// true
	// true
}
