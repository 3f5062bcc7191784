// Quickstart tours the Events API: health, organizations, events, the first
// registrations through a filtered iterator, tickets, a magic link created
// and deleted, and a report created, waited for and downloaded.
//
//	go run ./examples/quickstart [-write]
//
// With no credentials in the environment it runs against the built-in fake
// API. Against the real API it only reads, unless -write is given.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/examples/internal/exampleenv"
	"github.com/rcevents/rcevents-go/rceventstest"
)

func main() {
	write := flag.Bool("write", false, "against the real API, also create and delete a magic link and create a report")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Stderr, *write); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, stdout, stderr io.Writer, write bool) error {
	env, err := exampleenv.Connect(stderr, "rcevents-quickstart/"+rcevents.Version, exampleenv.Fake{Options: []rceventstest.Option{rceventstest.WithReportPolls(1)}})
	if err != nil {
		return err
	}
	defer env.Close()
	c := env.Client
	write = write || !env.Live()

	health, err := c.Health(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "API health: %s\n\n", health.Status)

	fmt.Fprintln(stdout, "Organizations:")
	for org, err := range c.Organizations.All(ctx, nil) {
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  %-32s %s (since %s)\n", org.Name, org.Email, org.CreatedAt.Format("Jan 2006"))
	}

	event, err := env.Event(ctx, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nEvent: %s (%s, %s)\n", event.Name, event.Status, when(event))

	fmt.Fprintln(stdout, "\nFirst registrations that were not refunded:")
	regs := 0
	for reg, err := range c.Registrations.All(ctx, event.ID, &rcevents.RegistrationListOptions{Refunded: &rcevents.BoolFilter{Eq: false}}) {
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  %-28s %-36s registered %s\n", reg.FirstName+" "+reg.LastName, reg.Email, reg.CreatedAt.Format(time.DateOnly))
		if regs++; regs == 5 {
			break
		}
	}

	tickets, err := c.Tickets.List(ctx, event.ID, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nTickets (%d):\n", tickets.Count)
	for _, t := range tickets.Items {
		fmt.Fprintf(stdout, "  %-24s %8.2f  %d of %d claimed\n", t.Name, t.Price, t.Claimed, t.Count)
	}

	if !write {
		fmt.Fprintln(stdout, "\nRead-only against the real API: pass -write to also create and delete a magic link and create a report.")
		return nil
	}
	if len(tickets.Items) > 0 {
		if err := magicLink(ctx, stdout, c, tickets.Items[0].ID); err != nil {
			return err
		}
	}
	return report(ctx, stdout, c, event.ID)
}

func when(e *rcevents.Event) string {
	if e.TimeStart == nil {
		return "no date yet"
	}
	return e.TimeStart.Format("Mon 2 Jan 2006 15:04 MST")
}

// magicLink creates a magic link for a ticket and deletes it again.
func magicLink(ctx context.Context, stdout io.Writer, c *rcevents.Client, ticketID string) error {
	link, err := c.MagicLinks.Create(ctx, ticketID, &rcevents.MagicLinkCreateRequest{
		Email:     fmt.Sprintf("quickstart+%d@example.com", time.Now().Unix()),
		FirstName: "Quinn",
		LastName:  "Start",
		Headline:  "Created by the rcevents-go quickstart",
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nMagic link for %s: %s\n", link.Email, link.URL)
	if err := c.MagicLinks.Delete(ctx, link.ID); err != nil {
		return err
	}
	if _, err := c.MagicLinks.Get(ctx, link.ID); !errors.Is(err, rcevents.ErrNotFound) {
		return fmt.Errorf("magic link %s still there after delete: %v", link.ID, err)
	}
	fmt.Fprintln(stdout, "Deleted it again.")
	return nil
}

// report creates a registrations report, waits for it and downloads it.
func report(ctx context.Context, stdout io.Writer, c *rcevents.Client, eventID string) error {
	r, err := c.Reports.Create(ctx, eventID, rcevents.ReportTypeRegistrations, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nReport %s requested; waiting for it…\n", r.ID)
	if r, err = c.Reports.Wait(ctx, r.ID); err != nil {
		return err
	}
	var file bytes.Buffer
	n, err := c.Reports.Download(ctx, r.ID, &file)
	if err != nil {
		return err
	}
	lines := 0
	sc := bufio.NewScanner(&file)
	var header string
	for sc.Scan() {
		if lines == 0 {
			header = sc.Text()
		}
		lines++
	}
	fmt.Fprintf(stdout, "Downloaded %q: %d bytes, %d lines.\n  %s\n", r.Title, n, lines, strings.TrimSpace(header))
	return nil
}
