// Command fakeserver serves the rceventstest fake of the Events API on a local address,
// for trying a client or an example by hand:
//
//	go run ./rceventstest/cmd/fakeserver -addr 127.0.0.1:8080
//
// It prints the base URL, the client credentials and a static bearer token, then serves
// until SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rcevents/rcevents-go/rceventstest"
)

func main() {
	var (
		addr          = flag.String("addr", "127.0.0.1:8080", "address to listen on")
		seed          = flag.Int64("seed", 1, "seed of the generated data and faults")
		registrations = flag.Int("registrations", 150, "registrations of the main event (generated on demand)")
		polls         = flag.Int("report-polls", 2, "GETs of a new report answered 202 before it is ready")
		storage       = flag.Bool("storage", false, "serve report downloads through a pre-signed storage redirect")
		latency       = flag.Duration("latency", 0, "maximum latency added to each API request")
		rate429       = flag.Float64("rate-429", 0, "fraction of API requests answered 429")
		rate5xx       = flag.Float64("rate-5xx", 0, "fraction of API requests answered 500, 502, 503 or 504 (a quarter each)")
		rateReset     = flag.Float64("rate-reset", 0, "fraction of API requests whose connection is reset")
	)
	flag.Parse()

	opts := []rceventstest.Option{
		rceventstest.WithAddr(*addr),
		rceventstest.WithSeed(*seed),
		rceventstest.WithRegistrations(*registrations),
		rceventstest.WithReportPolls(*polls),
		rceventstest.WithLatency(0, *latency),
		rceventstest.WithFaultRate(rceventstest.FaultRateLimit, *rate429),
		rceventstest.WithFaultRate(rceventstest.FaultReset, *rateReset),
		rceventstest.WithLogLimit(10000),
	}
	for _, f := range []rceventstest.Fault{rceventstest.FaultInternalError, rceventstest.FaultBadGateway, rceventstest.FaultUnavailable, rceventstest.FaultGatewayTimeout} {
		opts = append(opts, rceventstest.WithFaultRate(f, *rate5xx/4))
	}
	if *storage {
		opts = append(opts, rceventstest.WithStorageRedirect())
	}

	srv := rceventstest.NewServer(opts...)
	fmt.Printf("RCEVENTS_BASE_URL=%s\n", srv.URL)
	fmt.Printf("RCEVENTS_CLIENT_ID=%s\n", srv.ClientID)
	fmt.Printf("RCEVENTS_CLIENT_SECRET=%s\n", srv.ClientSecret)
	fmt.Printf("RCEVENTS_TOKEN=%s\n", srv.Token)
	if srv.StorageURL != "" {
		fmt.Printf("# storage origin: %s\n", srv.StorageURL)
	}
	fx := srv.Fixtures
	fmt.Printf("# organization %s, event %s (%d registrations), ticket %s, report %s\n",
		fx.OrganizationID, fx.EventID, fx.Registrations, fx.TicketID, fx.ReportID)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "shutting down")
	done := make(chan struct{})
	go func() {
		srv.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		fmt.Fprintln(os.Stderr, "requests still in flight after 10s; exiting")
	}
}
