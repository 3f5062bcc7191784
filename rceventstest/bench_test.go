package rceventstest_test

import (
	"net/http"
	"testing"

	"github.com/rcevents/rcevents-go/rceventstest"
)

// BenchmarkHandler measures the fake's own cost per request, without the network: a page
// of 100 generated registrations and a single event.
func BenchmarkHandler(b *testing.B) {
	srv := rceventstest.NewServer(rceventstest.WithRegistrations(1_000_000))
	defer srv.Close()
	h := srv.Handler()
	for _, bc := range []struct{ name, path string }{
		{"registrations page 5000 of 100", "/v1/events/" + srv.Fixtures.EventID + "/registrations?page=5000&perPage=100"},
		{"event", "/v1/events/" + srv.Fixtures.EventID},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req, _ := http.NewRequest(http.MethodGet, "http://fake.example"+bc.path, nil)
			req.Header.Set("Authorization", "Bearer "+srv.Token)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				rec := &recorder{header: http.Header{}}
				h.ServeHTTP(rec, req)
				if rec.status != http.StatusOK {
					b.Fatalf("status %d", rec.status)
				}
			}
		})
	}
}
