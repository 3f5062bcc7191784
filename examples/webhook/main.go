// Webhook subscribes a URL to signals of an event, such as check-ins, with a
// data subscription that ends after a while.
//
//	go run ./examples/webhook -url https://hooks.example.com/rcevents [-event ID] [-signals a,b] [-expires 720h]
//
// -signals is a comma-separated list of the signals the API documents
// (check-ins and check-outs of the event by default), and -expires how long
// from now the subscription lasts. Without -event it subscribes to the first
// event it finds. With no credentials in the environment it runs against the
// built-in fake API, where -url may be left out.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/examples/internal/exampleenv"
)

// config holds the flags.
type config struct {
	event   string
	url     string
	signals string
	expires time.Duration

	fake exampleenv.Fake // the fake to use without credentials; tests set it
}

// fakeURL is where the fake's subscriptions deliver when -url is not given;
// the fake delivers nothing.
const fakeURL = "https://hooks.example.com/rcevents"

// defaultSignals are the signals subscribed to without -signals.
var defaultSignals = []rcevents.Signal{rcevents.SignalAttendeeCheckedInToEvent, rcevents.SignalAttendeeCheckedOutFromEvent}

func main() {
	var cfg config
	flag.StringVar(&cfg.event, "event", "", "the event to subscribe to (default: the first event found)")
	flag.StringVar(&cfg.url, "url", "", "the http or https URL the signals are delivered to (required against the real API)")
	flag.StringVar(&cfg.signals, "signals", join(defaultSignals), "the signals to subscribe to, comma-separated")
	flag.DurationVar(&cfg.expires, "expires", 720*time.Hour, "how long from now the subscription lasts")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Stderr, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "webhook:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, stdout, stderr io.Writer, cfg config) error {
	sigs, err := parseSignals(cfg.signals)
	if err != nil {
		return err
	}
	if cfg.expires <= 0 {
		return fmt.Errorf("-expires %s: want a duration after now", cfg.expires)
	}
	env, err := exampleenv.Connect(stderr, "rcevents-webhook/"+rcevents.Version, cfg.fake)
	if err != nil {
		return err
	}
	defer env.Close()
	url := cfg.url
	if url == "" {
		if env.Live() {
			return errors.New("-url is required against the real API: where should the signals go?")
		}
		url = fakeURL
	}

	event, err := env.Event(ctx, cfg.event)
	if err != nil {
		return err
	}
	sub, err := env.Client.DataSubscriptions.Create(ctx, event.ID, &rcevents.DataSubscriptionCreateRequest{
		URL:       url,
		ExpiresAt: time.Now().Add(cfg.expires).Truncate(time.Second),
		Signals:   sigs,
	})
	if err != nil {
		return err
	}
	delivered := "(none)"
	if sub.Configuration.URL != nil {
		delivered = *sub.Configuration.URL
	}
	fmt.Fprintf(stdout, "Data subscription %s to %q (%s)\n", sub.ID, event.Name, event.ID)
	fmt.Fprintf(stdout, "  url:     %s\n", delivered)
	fmt.Fprintf(stdout, "  signals: %s\n", join(sub.Signals))
	fmt.Fprintf(stdout, "  expires: %s\n", sub.ExpiresAt.UTC().Format(time.RFC3339))
	return nil
}

// parseSignals reads the -signals flag: signal names separated by commas,
// each one the API documents. A name given twice is sent once.
func parseSignals(s string) ([]rcevents.Signal, error) {
	var sigs []rcevents.Signal
	for _, name := range strings.Split(s, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		sig, err := exampleenv.ParseEnum("signal", name, rcevents.Signals())
		if err != nil {
			return nil, fmt.Errorf("-signals: %w", err)
		}
		if !slices.Contains(sigs, sig) {
			sigs = append(sigs, sig)
		}
	}
	if len(sigs) == 0 {
		return nil, errors.New("-signals names no signal")
	}
	return sigs, nil
}

// join lists signals as the -signals flag takes them.
func join(sigs []rcevents.Signal) string {
	names := make([]string, len(sigs))
	for i, s := range sigs {
		names[i] = string(s)
	}
	return strings.Join(names, ",")
}
