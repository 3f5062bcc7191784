// Package exampleenv connects the example programs to the Events API: the
// real one when credentials are set in the environment, and otherwise a fake
// of it started in-process, so that every example runs on a machine with no
// account and no network. It also holds what several examples do alike:
// writing their output (WriteOutput) and reading a flag that takes one of
// the SDK's typed values (ParseEnum).
package exampleenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

// Env is what an example talks to.
type Env struct {
	Client *rcevents.Client
	// Fake is the in-process fake API, or nil when Client talks to the real
	// one.
	Fake *rceventstest.Server

	ownFake bool // Close stops Fake: Connect started it
}

// Fake says which fake API Connect uses when there are no credentials.
type Fake struct {
	// Server is a running fake to use whatever the environment holds; Connect
	// leaves it running. Tests set it to run an example against a fake they
	// configured, and to look at what the example did there.
	Server *rceventstest.Server
	// Options configure the fake that Connect starts when Server is nil.
	Options []rceventstest.Option
}

// Live reports whether the example talks to the real API.
func (e *Env) Live() bool { return e.Fake == nil }

// Close stops the fake, if Connect started one.
func (e *Env) Close() {
	if e.ownFake {
		e.Fake.Close()
	}
}

// hasCredentials reports whether the environment holds credentials for the
// real API.
func hasCredentials() bool {
	for _, k := range []string{"RCEVENTS_CLIENT_ID", "RCEVENTS_CLIENT_SECRET", "RCEVENTS_TOKEN"} {
		if os.Getenv(k) != "" {
			return true
		}
	}
	return false
}

// Connect returns a client for fake.Server when it is set; otherwise for the
// real API when RCEVENTS_CLIENT_ID and RCEVENTS_CLIENT_SECRET (or
// RCEVENTS_TOKEN) are set, and else for a fake it starts with fake.Options.
// It says which in one line on w. opts apply to the client either way.
func Connect(w io.Writer, app string, fake Fake, opts ...rcevents.Option) (*Env, error) {
	opts = append([]rcevents.Option{rcevents.WithUserAgent(app)}, opts...)
	if fake.Server == nil && hasCredentials() {
		c, err := rcevents.NewClientFromEnv(opts...)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "Using the Events API (%v).\n", c)
		return &Env{Client: c}, nil
	}
	env := &Env{Fake: fake.Server}
	if env.Fake == nil {
		env.Fake, env.ownFake = rceventstest.NewServer(fake.Options...), true
	}
	c, err := rcevents.NewClient(append([]rcevents.Option{
		rcevents.WithBaseURL(env.Fake.URL),
		rcevents.WithClientCredentials(env.Fake.ClientID, env.Fake.ClientSecret),
	}, opts...)...)
	if err != nil {
		env.Close()
		return nil, err
	}
	env.Client = c
	if env.ownFake {
		fmt.Fprintf(w, "No RCEVENTS_CLIENT_ID/RCEVENTS_CLIENT_SECRET or RCEVENTS_TOKEN set: using the built-in fake API at %s.\n", env.Fake.URL)
	} else {
		fmt.Fprintf(w, "Using the fake API at %s.\n", env.Fake.URL)
	}
	return env, nil
}

// Event returns the event an example works on: id when it is not empty, the
// fake's main event, or else the first event of the first organization.
func (e *Env) Event(ctx context.Context, id string) (*rcevents.Event, error) {
	if id == "" && e.Fake != nil {
		id = e.Fake.Fixtures.EventID
	}
	if id != "" {
		return e.Client.Events.Get(ctx, id)
	}
	for org, err := range e.Client.Organizations.All(ctx, nil) {
		if err != nil {
			return nil, err
		}
		page, err := e.Client.Events.List(ctx, org.ID, &rcevents.ListOptions{PerPage: 1})
		if err != nil {
			return nil, err
		}
		if len(page.Items) > 0 {
			return &page.Items[0], nil
		}
	}
	return nil, errors.New("no organization has an event: pass one with -event")
}
