// Magic-links makes sure each person of a CSV file has a magic link for a
// ticket, and reports on each of them in a CSV of results.
//
//	go run ./examples/magic-links -in people.csv [-ticket ID | -event ID] [-out FILE] [-concurrency N]
//
// The input's header names its columns: email, first_name and last_name, and
// optionally headline, in any order. The results have one row per input row,
// in the input's order, with its line number, email, status, the magic link's
// ID and URL, and the error of a row that did not get one. The status is
// created, exists (the ticket had a link for the email, in any case, or an
// earlier row asked for it), failed (nothing was created), or unknown (the
// answer to the create was lost: run again to find out). The results go to
// FILE or to stdout; a summary goes to stderr, and the program exits with
// status 1 unless every row got its link.
//
// It reads the ticket's links once, then creates the missing ones, N at a
// time: a run costs a walk of the ticket's links (about one request per 100
// links), plus one request per link created. A create whose answer is lost
// is looked for in the list 2 s later before it is sent again. Running it
// again creates nothing twice: each person who has a link is reported as
// exists, with that link.
//
// Links are made for -ticket, or else for the first ticket of -event (or of
// the first event found). With no credentials in the environment it runs
// against the built-in fake API, which it starts and stops, on the fake's
// General Admission ticket. The sample input has a few bad rows, to show how
// they are reported:
//
//	go run ./examples/magic-links -in examples/magic-links/testdata/people.csv
//
// To see a second run create nothing, run the fake API on its own, paste the
// export RCEVENTS_… lines it prints into the shell, and run the program twice:
//
//	go run ./rceventstest/cmd/fakeserver &
//	go run ./examples/magic-links -in examples/magic-links/testdata/people.csv   # 14 created, 2 exists, 4 failed
//	go run ./examples/magic-links -in examples/magic-links/testdata/people.csv   # 0 created, 16 exists, 4 failed
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
	flag.IntVar(&cfg.concurrency, "concurrency", 4, "links created at once")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Stderr, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "magic-links:", err)
		os.Exit(1)
	}
}

// person is a row of the input.
type person struct {
	line    int // in the input, for the results
	req     rcevents.MagicLinkCreateRequest
	problem string // why the row cannot be sent, if it cannot
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
	env, err := exampleenv.Connect(stderr, "rcevents-magic-links/"+rcevents.Version, cfg.fake, rcevents.WithPageConcurrency(cfg.concurrency))
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
		err := ensureLinks(ctx, env.Client, ticket.ID, people, func(p person, res rcevents.EnsureResult[rcevents.MagicLink]) error {
			status := statusOf(res)
			counts[status]++
			rec := []string{strconv.Itoa(p.line), p.req.Email, status, "", "", ""}
			if res.Item != nil {
				rec[3], rec[4] = res.Item.ID, res.Item.URL
			}
			if res.Err != nil {
				rec[5] = res.Err.Error()
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
	fmt.Fprintf(stderr, "%d rows: %d created, %d exists, %d failed, %d unknown.\n",
		len(people), counts["created"], counts["exists"], counts["failed"], counts["unknown"])
	if bad := counts["failed"] + counts["unknown"]; bad > 0 {
		return fmt.Errorf("%d of %d rows have no link: see the error column of the results", bad, len(people))
	}
	return nil
}

// ensureLinks makes sure each person with no problem has a link, and hands
// every person's result to emit in the input's order. It returns emit's first
// error; the rest of the batch stops then.
func ensureLinks(ctx context.Context, c *rcevents.Client, ticketID string, people []person, emit func(person, rcevents.EnsureResult[rcevents.MagicLink]) error) error {
	var reqs []*rcevents.MagicLinkCreateRequest
	var rows []int // the person of each request
	for i := range people {
		if people[i].problem == "" {
			reqs = append(reqs, &people[i].req)
			rows = append(rows, i)
		}
	}
	next := 0 // the next person to emit
	emitUpTo := func(end int) error {
		for ; next < end; next++ {
			if err := emit(people[next], rcevents.EnsureResult[rcevents.MagicLink]{Err: errors.New(people[next].problem)}); err != nil {
				return err
			}
		}
		return nil
	}
	for j, res := range c.MagicLinks.EnsureAll(ctx, ticketID, reqs) {
		i := rows[j]
		if err := emitUpTo(i); err != nil {
			return err
		}
		if err := emit(people[i], res); err != nil {
			return err
		}
		next = i + 1
	}
	return emitUpTo(len(people))
}

// statusOf is the status of a row's result.
func statusOf(res rcevents.EnsureResult[rcevents.MagicLink]) string {
	switch {
	case errors.Is(res.Err, rcevents.ErrOutcomeUnknown):
		return "unknown"
	case res.Err != nil:
		return "failed"
	case res.Created:
		return "created"
	}
	return "exists"
}

// columns are the input's columns, the required ones first.
var columns = []string{"email", "first_name", "last_name", "headline"}

// readPeople reads the input file. A row with a wrong number of fields is
// kept, with the problem, to be reported as failed; the SDK checks the
// fields of the others. An input that is not CSV, or whose header is wrong,
// is an error.
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
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return people, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		field := func(h string) string {
			if i, ok := col[h]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		p := person{line: line, req: rcevents.MagicLinkCreateRequest{
			Email: field("email"), FirstName: field("first_name"), LastName: field("last_name"), Headline: field("headline"),
		}}
		if len(rec) != len(head) {
			p.problem = fmt.Sprintf("the row has %d fields and the header %d", len(rec), len(head))
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
