// Magic-links creates magic links in bulk for the people of a CSV file, and
// reports on each of them in a CSV of results.
//
//	go run ./examples/magic-links -in people.csv [-ticket ID | -event ID] [-out FILE] [-concurrency N]
//
// The input's header names its columns: email, first_name and last_name, and
// optionally headline, in any order. The results have one row per input row,
// in the input's order, with its line number, email, status (created, exists
// or failed), the magic link's ID and URL, and the error of a failed row. They
// go to FILE or to stdout; a summary goes to stderr, and the program exits
// with status 1 if any row failed.
//
// Running it again creates nothing twice: a person who already has a magic
// link for the ticket is reported as exists, with that link. So is a person
// who appears again further down the input.
//
// Links are made for -ticket, or else for the first ticket of -event (or of
// the first event found). With no credentials in the environment it runs
// against the built-in fake API, where the default ticket is its General
// Admission ticket. The sample input has a few bad rows, to show how they are
// reported:
//
//	go run ./examples/magic-links -in examples/magic-links/testdata/people.csv
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/examples/internal/exampleenv"
)

// config holds the flags.
type config struct {
	in          string
	out         string
	ticket      string
	event       string
	concurrency int

	fake exampleenv.Fake // the fake to use without credentials; tests set it
}

func main() {
	var cfg config
	flag.StringVar(&cfg.in, "in", "", "the CSV file of people: email, first_name, last_name[, headline] (required)")
	flag.StringVar(&cfg.out, "out", "", "the CSV file of results to write (default: stdout)")
	flag.StringVar(&cfg.ticket, "ticket", "", "the ticket the links are for (default: the first ticket of -event)")
	flag.StringVar(&cfg.event, "event", "", "the event whose first ticket to use without -ticket (default: the first event found)")
	flag.IntVar(&cfg.concurrency, "concurrency", 4, "people handled at once")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Stderr, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "magic-links:", err)
		os.Exit(1)
	}
}

// The statuses of a result.
const (
	statusCreated = "created"
	statusExists  = "exists"
	statusFailed  = "failed"
)

// person is a row of the input.
type person struct {
	line                                 int // in the input, for the results
	email, firstName, lastName, headline string

	problem string // why the row cannot be sent, if it cannot
	sameAs  int    // the index of an earlier row with the same email, or -1
}

// result is what became of a person's row.
type result struct {
	status string
	link   *rcevents.MagicLink // created or found
	err    error               // why it failed
}

func run(ctx context.Context, stdout, stderr io.Writer, cfg config) error {
	if cfg.in == "" {
		return errors.New("-in is required: a CSV file with the columns email, first_name, last_name and optionally headline")
	}
	if cfg.concurrency < 1 {
		return fmt.Errorf("-concurrency %d: want at least 1", cfg.concurrency)
	}
	people, err := readPeople(cfg.in)
	if err != nil {
		return err
	}
	env, err := exampleenv.Connect(stderr, "rcevents-magic-links/"+rcevents.Version, cfg.fake)
	if err != nil {
		return err
	}
	defer env.Close()
	ticket, err := findTicket(ctx, env, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Magic links for %d people on ticket %q (%s).\n", len(people), ticket.Name, ticket.ID)

	counts := map[string]int{}
	err = exampleenv.WriteOutput(stdout, cfg.out, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write([]string{"line", "email", "status", "magic_link_id", "magic_link", "error"}); err != nil {
			return err
		}
		err := process(ctx, env.Client, ticket.ID, people, cfg.concurrency, func(p person, r result) error {
			counts[r.status]++
			rec := []string{strconv.Itoa(p.line), p.email, r.status, "", "", ""}
			if r.link != nil {
				rec[3], rec[4] = r.link.ID, r.link.URL
			}
			if r.err != nil {
				rec[5] = r.err.Error()
			}
			return cw.Write(rec)
		})
		if err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d rows: %d created, %d exists, %d failed.\n",
		len(people), counts[statusCreated], counts[statusExists], counts[statusFailed])
	if counts[statusFailed] > 0 {
		return fmt.Errorf("%d of %d rows failed: see the error column of the results", counts[statusFailed], len(people))
	}
	return nil
}

// columns are the input's columns, the required ones first.
var columns = []string{"email", "first_name", "last_name", "headline"}

// readPeople reads the input file. A row that cannot be sent (a missing name,
// a wrong number of fields) is kept, with the problem, to be reported as
// failed; an input that is not CSV, or whose header is wrong, is an error.
func readPeople(name string) ([]person, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1 // a short or long row is a failed row, not the end of the input

	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s is empty: want a header row naming the columns %s", name, strings.Join(columns, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) // spreadsheets may start with a byte-order mark
		if !slices.Contains(columns, h) {
			return nil, fmt.Errorf("%s: unknown column %q; the columns are %s", name, h, strings.Join(columns, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("%s: column %q appears twice", name, h)
		}
		col[h] = i
	}
	for _, h := range columns[:3] {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("%s: no column %q; the columns are %s (headline is optional)", name, h, strings.Join(columns, ", "))
		}
	}

	var people []person
	seen := map[string]int{} // lower-cased email → index of its first row
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return people, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		p := person{line: line, sameAs: -1}
		field := func(h string) string {
			if i, ok := col[h]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		p.email, p.firstName, p.lastName, p.headline = field("email"), field("first_name"), field("last_name"), field("headline")
		if len(rec) != len(head) {
			p.problem = fmt.Sprintf("the row has %d fields and the header %d", len(rec), len(head))
		}
		for _, h := range columns[:3] {
			if p.problem == "" && field(h) == "" {
				p.problem = h + " is empty"
			}
		}
		if p.problem == "" {
			// An email written twice is one person, whatever its case: the
			// first row stands for both, so that no two links are made.
			key := strings.ToLower(p.email)
			if first, ok := seen[key]; ok {
				p.sameAs = first
			} else {
				seen[key] = len(people)
			}
		}
		people = append(people, p)
	}
}

// findTicket returns the ticket the links are for.
func findTicket(ctx context.Context, env *exampleenv.Env, cfg config) (*rcevents.Ticket, error) {
	id := cfg.ticket
	if id == "" && cfg.event == "" && env.Fake != nil {
		id = env.Fake.Fixtures.TicketID
	}
	if id != "" {
		return env.Client.Tickets.Get(ctx, id)
	}
	event, err := env.Event(ctx, cfg.event)
	if err != nil {
		return nil, err
	}
	page, err := env.Client.Tickets.List(ctx, event.ID, &rcevents.ListOptions{PerPage: 1})
	if err != nil {
		return nil, err
	}
	if len(page.Items) == 0 {
		return nil, fmt.Errorf("event %q (%s) has no tickets: pass one with -ticket", event.Name, event.ID)
	}
	return &page.Items[0], nil
}

// process handles every person with up to concurrency at once, and hands
// each result to emit in the input's order, as soon as it and the results
// before it are known. It returns emit's first error, after the work in
// flight has stopped.
func process(ctx context.Context, c *rcevents.Client, ticketID string, people []person, concurrency int, emit func(person, result) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	results := make([]result, len(people))
	ready := make([]bool, len(people))
	jobs := make(chan int)
	done := make(chan int)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = create(ctx, c, ticketID, people[i])
				done <- i
			}
		}()
	}
	go func() {
		for i, p := range people {
			if p.problem == "" && p.sameAs < 0 {
				jobs <- i
			}
		}
		close(jobs)
		wg.Wait()
		close(done)
	}()

	// Rows that send nothing are known at once: a row with a problem fails,
	// and a repeated email shares the result of its first row, which comes
	// before it and so is known by the time it is emitted.
	for i, p := range people {
		switch {
		case p.problem != "":
			results[i], ready[i] = result{status: statusFailed, err: errors.New(p.problem)}, true
		case p.sameAs >= 0:
			ready[i] = true
		}
	}
	next := 0
	var err error
	emitReady := func() {
		for ; err == nil && next < len(people) && ready[next]; next++ {
			if first := people[next].sameAs; first >= 0 {
				results[next] = sameAs(results[first], people[first].line)
			}
			if err = emit(people[next], results[next]); err != nil {
				cancel() // the workers fail what is left quickly, and finish
			}
		}
	}
	emitReady()
	for i := range done {
		ready[i] = true
		emitReady()
	}
	return err
}

// create makes the magic link of p, unless the ticket has one for p's email.
func create(ctx context.Context, c *rcevents.Client, ticketID string, p person) result {
	existing, err := c.MagicLinks.List(ctx, ticketID, &rcevents.MagicLinkListOptions{
		ListOptions: rcevents.ListOptions{PerPage: 1},
		Email:       &rcevents.StringFilter{Eq: p.email},
	})
	if err != nil {
		return result{status: statusFailed, err: fmt.Errorf("looking for an existing link: %w", err)}
	}
	if len(existing.Items) > 0 {
		return result{status: statusExists, link: &existing.Items[0]}
	}
	link, err := c.MagicLinks.Create(ctx, ticketID, &rcevents.MagicLinkCreateRequest{
		Email:     p.email,
		FirstName: p.firstName,
		LastName:  p.lastName,
		Headline:  p.headline,
	})
	if err != nil {
		return result{status: statusFailed, err: err}
	}
	return result{status: statusCreated, link: link}
}

// sameAs is the result of a row whose email an earlier row, on line, had.
func sameAs(first result, line int) result {
	if first.status == statusFailed {
		return result{status: statusFailed, err: fmt.Errorf("same email as line %d, which failed", line)}
	}
	return result{status: statusExists, link: first.link}
}
