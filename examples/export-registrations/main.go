// Export-registrations writes every registration of an event to CSV, one row
// per registration in the API's order, fetching several pages at once.
//
//	go run ./examples/export-registrations [-event ID] [-out FILE] [-concurrency N] [-per-page N]
//
// The CSV goes to FILE, which appears only once the export is complete, or
// to stdout; progress goes to stderr. Without -event it exports the first
// event it finds. With no credentials in the environment it runs against the
// built-in fake API. It only reads from the API.
package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/examples/internal/exampleenv"
)

// config holds the flags.
type config struct {
	event       string
	out         string
	concurrency int
	perPage     int

	fake exampleenv.Fake // the fake to use without credentials; tests set it
}

func main() {
	var cfg config
	flag.StringVar(&cfg.event, "event", "", "the event whose registrations to export (default: the first event found)")
	flag.StringVar(&cfg.out, "out", "", "the CSV file to write (default: stdout)")
	flag.IntVar(&cfg.concurrency, "concurrency", 4, "pages fetched at once")
	flag.IntVar(&cfg.perPage, "per-page", rcevents.MaxPerPage, "registrations per page, at most 100")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Stderr, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "export-registrations:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, stdout, stderr io.Writer, cfg config) error {
	if cfg.concurrency < 1 {
		return fmt.Errorf("-concurrency %d: want at least 1", cfg.concurrency)
	}
	if cfg.perPage < 1 || cfg.perPage > rcevents.MaxPerPage {
		return fmt.Errorf("-per-page %d: want 1 to %d", cfg.perPage, rcevents.MaxPerPage)
	}
	env, err := exampleenv.Connect(stderr, "rcevents-export-registrations/"+rcevents.Version, cfg.fake,
		rcevents.WithPageConcurrency(cfg.concurrency))
	if err != nil {
		return err
	}
	defer env.Close()
	c := env.Client

	event, err := env.Event(ctx, cfg.event)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Exporting the registrations of %q (%s).\n", event.Name, event.ID)

	// The walk reports its progress after each page, with the list's count:
	// no request of its own.
	prog := newProgress(stderr)
	err = exampleenv.WriteOutput(stdout, cfg.out, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(header); err != nil {
			return err
		}
		opts := &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: cfg.perPage}}
		for reg, err := range c.Registrations.All(ctx, event.ID, opts, rcevents.WithProgress(prog.update)) {
			if err != nil {
				return err
			}
			if err := cw.Write(row(&reg)); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
	prog.done()
	if err != nil {
		return err
	}
	if cfg.out != "" && cfg.out != "-" {
		fmt.Fprintf(stderr, "Wrote %s.\n", cfg.out)
	}
	return nil
}

// header names the columns that row fills.
var header = []string{
	"id", "email", "first_name", "last_name", "ticket_id", "created_at",
	"refunded", "attended", "first_check_in", "registered_through", "answers",
}

// row is one registration as a CSV record, in the order of header.
func row(r *rcevents.Registration) []string {
	checkIn := ""
	if r.FirstCheckIn != nil {
		checkIn = r.FirstCheckIn.UTC().Format(time.RFC3339)
	}
	return []string{
		r.ID, r.Email, r.FirstName, r.LastName, r.TicketID, r.CreatedAt.UTC().Format(time.RFC3339),
		strconv.FormatBool(r.Refunded), strconv.FormatBool(r.Attended), checkIn, r.RegisteredThrough,
		answers(r.CustomRegistrationFields),
	}
}

// answers puts the answers to the registration questions in one cell,
// "Question: answer; Other question: first, second", follow-up questions
// after their parent. Unanswered questions are left out.
func answers(fields []rcevents.CustomRegistrationField) string {
	var parts []string
	add := func(name string, v rcevents.FieldValue) {
		if !v.IsNull() {
			parts = append(parts, name+": "+v.String())
		}
	}
	for _, f := range fields {
		add(f.Name, f.Value)
		for _, child := range f.ChildQuestions {
			add(child.Name, child.Value)
		}
	}
	return strings.Join(parts, "; ")
}

// progressEvery is the least time between two progress lines.
const progressEvery = 500 * time.Millisecond

// progress reports on a long export on w: how many of the total are done and
// how fast, at most every progressEvery, and a last line when it ends. The
// walk drives it after each page (WithProgress), so it needs no goroutine.
type progress struct {
	w            io.Writer
	count, total int
	start        time.Time
	lastReport   time.Time
}

func newProgress(w io.Writer) *progress {
	now := time.Now()
	return &progress{w: w, start: now, lastReport: now}
}

// update takes the walk's progress: items written so far and the list's
// count (0 when the API does not say).
func (p *progress) update(items, total int) {
	p.count, p.total = items, total
	if now := time.Now(); now.Sub(p.lastReport) >= progressEvery {
		p.lastReport = now
		p.report(now, "")
	}
}

// done writes the last line, whether the export succeeded or not.
func (p *progress) done() {
	now := time.Now()
	p.report(now, " in "+now.Sub(p.start).Round(time.Millisecond).String())
}

func (p *progress) report(now time.Time, suffix string) {
	rate := 0.0
	if d := now.Sub(p.start).Seconds(); d > 0 {
		rate = float64(p.count) / d
	}
	fmt.Fprintf(p.w, "%d of %d registrations%s (%.0f/s)\n", p.count, max(p.total, p.count), suffix, rate)
}
