// Report has the API generate a report of an event, waits for it and
// downloads it.
//
//	go run ./examples/report [-type TYPE] [-event ID] [-out FILE]
//
// TYPE is one of the report types the API documents (registrations by
// default); the file goes to FILE, "<type>-<event ID>.csv" by default, or to
// stdout with -out -, and appears only once the download is complete. Without
// -event it reports on the first event it finds. A report the API fails to
// generate ends the run with an error and no file. With no credentials in
// the environment it runs against the built-in fake API, which serves the
// file from a separate storage origin as the real API does.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/examples/internal/exampleenv"
	"github.com/rcevents/rcevents-go/rceventstest"
)

// config holds the flags.
type config struct {
	typ   string
	event string
	out   string

	fake exampleenv.Fake // the fake to use without credentials; tests set it
}

func main() {
	cfg := config{fake: exampleenv.Fake{Options: []rceventstest.Option{rceventstest.WithStorageRedirect()}}}
	flag.StringVar(&cfg.typ, "type", string(rcevents.ReportTypeRegistrations), "the report type")
	flag.StringVar(&cfg.event, "event", "", "the event to report on (default: the first event found)")
	flag.StringVar(&cfg.out, "out", "", `the file to write, or - for stdout (default "<type>-<event ID>.csv")`)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Stderr, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, stdout, stderr io.Writer, cfg config) error {
	typ, err := exampleenv.ParseEnum("report type", cfg.typ, rcevents.ReportTypes())
	if err != nil {
		return err
	}
	env, err := exampleenv.Connect(stderr, "rcevents-report/"+rcevents.Version, cfg.fake)
	if err != nil {
		return err
	}
	defer env.Close()
	c := env.Client

	event, err := env.Event(ctx, cfg.event)
	if err != nil {
		return err
	}
	report, err := c.Reports.Create(ctx, event.ID, typ, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Requested the %s report of %q (%s) as %s; waiting for it.\n", typ, event.Name, event.ID, report.ID)
	report, err = c.Reports.Wait(ctx, report.ID)
	if errors.Is(err, rcevents.ErrReportFailed) {
		// Waiting longer would not help: the API gave up on this report.
		return fmt.Errorf("%w; no file written: run again to ask for a new report", err)
	}
	if err != nil {
		return err
	}

	out, where, info := cfg.out, cfg.out, stdout
	switch out {
	case "":
		out = fmt.Sprintf("%s-%s.csv", typ, event.ID)
		where = out
	case "-":
		where, info = "stdout", stderr
	}
	var n int64
	err = exampleenv.WriteOutput(stdout, out, func(w io.Writer) error {
		var err error
		n, err = c.Reports.Download(ctx, report.ID, w)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(info, "%s\n%d bytes written to %s\n", report.Title, n, where)
	return nil
}
