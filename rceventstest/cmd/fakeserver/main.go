// Command fakeserver serves the rceventstest fake of the Events API on a local address,
// for trying a client or an example by hand:
//
//	go run ./rceventstest/cmd/fakeserver -addr 127.0.0.1:8080
//
// It prints shell lines that point rcevents.NewClientFromEnv at it, to paste as they are:
// the base URL and one credential mode, client credentials by default or a static bearer
// token with -auth token (the SDK refuses both at once). Then it serves until SIGINT or
// SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/rcevents/rcevents-go/rceventstest"
)

func main() {
	var (
		addr          = flag.String("addr", "127.0.0.1:8080", "address to listen on")
		auth          = flag.String("auth", "client-credentials", "credentials to print: client-credentials or token")
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
	if *auth != "client-credentials" && *auth != "token" {
		fmt.Fprintf(os.Stderr, "fakeserver: -auth %q: want client-credentials or token\n", *auth)
		os.Exit(2)
	}

	opts := []rceventstest.Option{
		rceventstest.WithAddr(*addr),
		rceventstest.WithSeed(*seed),
		rceventstest.WithRegistrations(*registrations),
		rceventstest.WithReportPolls(*polls),
		rceventstest.WithLogLimit(10000),
	}
	if *storage {
		opts = append(opts, rceventstest.WithStorageRedirect())
	}
	srv := rceventstest.NewServer(opts...)
	srv.SetLatency(0, *latency)
	srv.SetFaultRate(rceventstest.FaultRateLimit, *rate429)
	srv.SetFaultRate(rceventstest.FaultReset, *rateReset)
	for _, f := range []rceventstest.Fault{rceventstest.FaultInternalError, rceventstest.FaultBadGateway, rceventstest.FaultUnavailable, rceventstest.FaultGatewayTimeout} {
		srv.SetFaultRate(f, *rate5xx/4)
	}
	printEnv(os.Stdout, srv, *auth == "token")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	stop() // a second signal ends the process at once
	fmt.Fprintln(os.Stderr, "shutting down")
	srv.Close()
}

// printEnv writes the shell lines that set the RCEVENTS_* variables for srv: its URL and
// its client credentials, or its static token, unsetting the variables of the other mode.
// The other lines are comments.
func printEnv(w io.Writer, srv *rceventstest.Server, token bool) {
	fmt.Fprintf(w, "export RCEVENTS_BASE_URL=%s\n", srv.URL)
	if token {
		fmt.Fprintf(w, "unset RCEVENTS_CLIENT_ID RCEVENTS_CLIENT_SECRET\nexport RCEVENTS_TOKEN=%s\n", srv.Token)
		fmt.Fprintln(w, "# without -auth token: client credentials instead of a token")
	} else {
		fmt.Fprintf(w, "unset RCEVENTS_TOKEN\nexport RCEVENTS_CLIENT_ID=%s\nexport RCEVENTS_CLIENT_SECRET=%s\n", srv.ClientID, srv.ClientSecret)
		fmt.Fprintln(w, "# with -auth token: a static bearer token instead of client credentials")
	}
	if srv.StorageURL != "" {
		fmt.Fprintf(w, "# storage origin: %s\n", srv.StorageURL)
	}
	fx := srv.Fixtures
	fmt.Fprintf(w, "# organization %s, event %s (%d registrations), ticket %s, report %s\n",
		fx.OrganizationID, fx.EventID, fx.Registrations, fx.TicketID, fx.ReportID)
}
