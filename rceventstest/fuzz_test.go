package rceventstest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rcevents/rcevents-go/rceventstest"
)

// FuzzRequests sends arbitrary queries and bodies: the fake must answer every one with a
// documented status and a JSON body, never a 500 or a panic, even when it echoes input
// that is not UTF-8.
func FuzzRequests(f *testing.F) {
	f.Add("page=2&perPage=10", `{"data":{"type":"registration","attributes":{"email":"a@b.co","firstName":"A","lastName":"B"}}}`)
	f.Add("filter[email][in]=a@b.co,c@d.io&filter[refunded][eq]=true", `{"data":{"type":"registration","attributes":{"answers":[{"questionId":"x","answer":["y"]}]}}}`)
	f.Add("filter[createdAt][gte]=2025-05-01T00:00:00Z", `{"data":null}`)
	f.Add("page=-1", `[]`)
	f.Add("filter[updatedAt]]=x", `{"data":{"type":"registration","attributes":{"metadata":{"k":1}}}}`)
	srv := rceventstest.NewServer(rceventstest.WithLogLimit(100))
	f.Cleanup(srv.Close)
	h := srv.Handler()
	ev := "/v1/events/" + srv.Fixtures.EventID
	f.Fuzz(func(t *testing.T, rawQuery, body string) {
		for _, tc := range []struct {
			method, path, body string
			allowed            []int
		}{
			{http.MethodGet, ev + "/registrations", "", []int{200, 400}},
			{http.MethodGet, "/v1/tickets/" + srv.Fixtures.TicketID + "/magicLinks", "", []int{200, 400}},
			{http.MethodPost, ev + "/registrations", body, []int{201, 400, 413, 422}},
			{http.MethodPatch, "/v1/registrations/" + srv.Fixtures.RegistrationID, body, []int{200, 400, 413, 422}},
			{http.MethodPost, "/v1/magic_link", body, []int{201, 400, 413, 422}},
			{http.MethodPost, ev + "/reports/attendees", body, []int{201, 400, 413, 422}},
		} {
			req, err := http.NewRequest(tc.method, "http://fake.example"+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.URL.RawQuery = rawQuery
			req.Header.Set("Authorization", "Bearer "+srv.Token)
			rec := &recorder{header: http.Header{}}
			h.ServeHTTP(rec, req)
			ok := false
			for _, s := range tc.allowed {
				ok = ok || rec.status == s
			}
			if !ok || !json.Valid(rec.body.Bytes()) || !utf8.Valid(rec.body.Bytes()) { // RFC 8259: JSON is UTF-8
				t.Fatalf("%s %s?%s with %q: %d %s", tc.method, tc.path, rawQuery, tc.body, rec.status, rec.body.Bytes())
			}
		}
	})
}
