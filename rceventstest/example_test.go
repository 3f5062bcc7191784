package rceventstest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	rcevents "github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

// A test starts a fake, gets a token with the fake's client credentials and calls the API.
func ExampleNewServer() {
	srv := rceventstest.NewServer(rceventstest.WithRegistrations(1_000_000))
	defer srv.Close()
	hc := srv.HTTPClient()

	resp, err := hc.PostForm(srv.URL+"/v1/auth/token", url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {srv.ClientID},
		"client_secret": {srv.ClientSecret},
	})
	if err != nil {
		panic(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/events/"+srv.Fixtures.EventID+"/registrations?page=10000&perPage=100", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = hc.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var page struct {
		Data []struct {
			Attributes struct {
				Email string `json:"email"`
			} `json:"attributes"`
		} `json:"data"`
		Meta struct {
			Count int `json:"count"`
		} `json:"meta"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&page)
	fmt.Println(resp.StatusCode, page.Meta.Count, len(page.Data))
	fmt.Println(page.Data[99].Attributes.Email)
	// Output:
	// 200 1000000 100
	// hannah.martin1000000@fernhillbio.com
}

// Faults are injected for the next requests or at a rate, and can change at any time.
func ExampleServer_FailNext() {
	srv := rceventstest.NewServer()
	defer srv.Close()
	srv.SetRetryAfter(2 * time.Second) // 0 until set: clients retry at once
	srv.FailNext(1, rceventstest.FaultRateLimit)

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/health", nil)
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	for i := 0; i < 2; i++ {
		resp, err := srv.HTTPClient().Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Printf("%d Retry-After=%q\n", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	fmt.Println(srv.Requests()[0].Fault)
	// Output:
	// 429 Retry-After="2"
	// 200 Retry-After=""
	// rate limit (429)
}

// A rate limit lets a test check how a client copes with a server's 429s: here a bucket
// of two requests that refills one request every 1000 seconds.
func ExampleServer_SetRateLimit() {
	srv := rceventstest.NewServer()
	defer srv.Close()
	srv.SetRateLimit(rceventstest.RateLimit{PerSecond: 0.001, Burst: 2, RetryAfter: time.Second, Headers: rceventstest.RateLimitHeadersIETF})

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/health", nil)
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	for i := 0; i < 3; i++ {
		resp, err := srv.HTTPClient().Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Printf("%d RateLimit-Remaining=%s Retry-After=%q\n", resp.StatusCode, resp.Header.Get("RateLimit-Remaining"), resp.Header.Get("Retry-After"))
	}
	fmt.Println(srv.Requests()[2].RateLimited)
	// Output:
	// 200 RateLimit-Remaining=1 Retry-After=""
	// 200 RateLimit-Remaining=0 Retry-After=""
	// 429 RateLimit-Remaining=0 Retry-After="1"
	// true
}

// A hook changes the data while a client walks it: here the client's second page is
// served after a magic link of the first page was deleted.
func ExampleServer_OnRequest() {
	srv := rceventstest.NewServer()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()
	srv.OnRequest(func(r rceventstest.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.RawQuery, "page=2") {
			_ = c.MagicLinks.Delete(ctx, srv.Fixtures.MagicLinkID)
		}
	})
	n := 0
	for _, err := range c.MagicLinks.All(ctx, srv.Fixtures.TicketID, &rcevents.MagicLinkListOptions{ListOptions: rcevents.ListOptions{PerPage: 10}}) {
		if err != nil {
			panic(err)
		}
		n++
	}
	fmt.Println(n, "links walked of 30: one moved from page 2 to page 1 after page 1 was served")
	// Output: 29 links walked of 30: one moved from page 2 to page 1 after page 1 was served
}

// A Clock decides when writes happen, to the second, as the API's timestamps are.
func ExampleClock() {
	clock := rceventstest.NewClock(time.Date(2026, 3, 1, 9, 30, 15, 500_000_000, time.UTC))
	srv := rceventstest.NewServer(rceventstest.WithClock(clock.Now))
	defer srv.Close()
	c := srv.Client()

	reg, err := c.Registrations.Create(context.Background(), srv.Fixtures.EventID, &rcevents.RegistrationCreateRequest{Email: "ada@example.org", FirstName: "Ada", LastName: "L"})
	if err != nil {
		panic(err)
	}
	clock.Advance(time.Minute)
	upd, err := c.Registrations.Update(context.Background(), reg.ID, &rcevents.RegistrationUpdateRequest{LastName: "Lovelace"})
	if err != nil {
		panic(err)
	}
	fmt.Println(reg.CreatedAt.Format(time.RFC3339Nano), upd.UpdatedAt.Format(time.RFC3339Nano))
	// Output: 2026-03-01T09:30:15Z 2026-03-01T09:31:15Z
}
