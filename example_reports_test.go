package rcevents_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

func ExampleReportsService_Download() {
	// A stand-in for the API that serves recorded answers.
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/reports/rpt_3c9d", func(w http.ResponseWriter, r *http.Request) {
		body, _ := os.ReadFile("testdata/reports_get.json")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	mux.HandleFunc("/v1/reports/rpt_3c9d/download", func(w http.ResponseWriter, r *http.Request) {
		body, _ := os.ReadFile("testdata/reports_download.csv")
		w.Header().Set("Content-Type", "text/csv")
		_, _ = w.Write(body)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	client, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	// Wait until the report is generated, then stream it to a file (here,
	// standard output).
	report, err := client.Reports.Wait(ctx, "rpt_3c9d")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(report.Title, report.Ready())
	n, err := client.Reports.Download(ctx, report.ID, os.Stdout)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "bytes")
	// Output:
	// Attendee Log true
	// email,first_name,last_name,joined_at
	// ada@example.com,Ada,Lovelace,2025-06-03T14:02:11Z
	// grace@example.com,Grace,Hopper,2025-06-03T14:05:40Z
	// 139 bytes
}

// Wait ends with ErrReportFailed when the API says a report is done but
// there is nothing to download: waiting longer would not help.
func ExampleReportsService_Wait() {
	srv := rceventstest.NewServer(rceventstest.WithReportPolls(1), rceventstest.WithReportFailure(rcevents.ReportTypeChat))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	for _, typ := range []rcevents.ReportType{rcevents.ReportTypeAttendees, rcevents.ReportTypeChat} {
		report, err := client.Reports.Create(ctx, srv.Fixtures.EventID, typ, nil)
		if err != nil {
			log.Fatal(err)
		}
		report, err = client.Reports.Wait(ctx, report.ID, rcevents.WithPollInterval(10*time.Millisecond, time.Second))
		switch {
		case errors.Is(err, rcevents.ErrReportFailed):
			fmt.Println(typ, "failed: create it again later")
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Println(typ, "ready:", report.Title)
		}
	}
	// Output:
	// attendees ready: Attendees report — Harborview DevCon 2025
	// chat failed: create it again later
}
