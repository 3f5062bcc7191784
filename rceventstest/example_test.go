package rceventstest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

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
	srv := rceventstest.NewServer(rceventstest.WithRetryAfter(2 * time.Second))
	defer srv.Close()
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
