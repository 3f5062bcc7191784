package rcevents

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkRequestOverhead measures one Organizations.Get against a loopback
// server, next to the floor: raw net/http and encoding/json making the same
// request and decoding the same answer into the same struct.
func BenchmarkRequestOverhead(b *testing.B) {
	body, err := readFixture("organizations_get.json")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()
	ctx := context.Background()

	b.Run("sdk", func(b *testing.B) {
		c, err := NewClient(WithBaseURL(srv.URL), WithToken(testToken))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			org, err := c.Organizations.Get(ctx, "org_7f3a")
			if err != nil || org.ID != "org_7f3a" {
				b.Fatal(org, err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		hc := &http.Client{Transport: defaultTransport()}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/organizations/org_7f3a", nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+testToken)
			req.Header.Set("Accept", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var doc struct {
				Data struct {
					ID         string       `json:"id"`
					Attributes Organization `json:"attributes"`
				} `json:"data"`
			}
			err = json.NewDecoder(resp.Body).Decode(&doc)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil || doc.Data.Attributes.ID != "org_7f3a" {
				b.Fatal(err)
			}
		}
	})
}
