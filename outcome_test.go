package rcevents

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// typedCreates are every method that sends a POST, and Client.Do with one:
// each is called with id as its path ID (or, for CreateLegacy, its
// ticket). reads says whether it reads the answer's body.
var typedCreates = []struct {
	name  string
	reads bool
	call  func(ctx context.Context, c *Client, id string) error
}{
	{"Registrations.Create", true, func(ctx context.Context, c *Client, id string) error {
		_, err := c.Registrations.Create(ctx, id, &RegistrationCreateRequest{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})
		return err
	}},
	{"MagicLinks.Create", true, func(ctx context.Context, c *Client, id string) error {
		_, err := c.MagicLinks.Create(ctx, id, &MagicLinkCreateRequest{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})
		return err
	}},
	{"MagicLinks.CreateLegacy", true, func(ctx context.Context, c *Client, id string) error {
		_, err := c.MagicLinks.CreateLegacy(ctx, &LegacyMagicLinkRequest{TicketID: id, Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})
		return err
	}},
	{"Events.Create", true, func(ctx context.Context, c *Client, id string) error {
		_, err := c.Events.Create(ctx, id, &EventCreateRequest{Name: "Connect", Currency: "USD", Timezone: "UTC",
			TimeStart: time.Date(2030, 9, 18, 10, 0, 0, 0, time.UTC), TimeEnd: time.Date(2030, 9, 18, 18, 0, 0, 0, time.UTC)})
		return err
	}},
	{"Events.Duplicate", false, func(ctx context.Context, c *Client, id string) error {
		return c.Events.Duplicate(ctx, id, &EventDuplicateRequest{Name: "Connect again"})
	}},
	{"Templates.CreateEvent", true, func(ctx context.Context, c *Client, id string) error {
		_, err := c.Templates.CreateEvent(ctx, id, &EventFromTemplateRequest{Name: "Launch", OrganizationID: "org_1", Timezone: "UTC",
			TimeStart: time.Date(2030, 5, 14, 11, 0, 0, 0, time.UTC), TimeEnd: time.Date(2030, 5, 14, 13, 0, 0, 0, time.UTC)})
		return err
	}},
	{"Tickets.Create", true, func(ctx context.Context, c *Client, id string) error {
		_, err := c.Tickets.Create(ctx, id, &TicketCreateRequest{Name: "Standard", Count: Ptr(10)})
		return err
	}},
	{"Reports.Create", true, func(ctx context.Context, c *Client, id string) error {
		_, err := c.Reports.Create(ctx, id, ReportTypeAttendees, nil)
		return err
	}},
	{"DataSubscriptions.Create", true, func(ctx context.Context, c *Client, id string) error {
		_, err := c.DataSubscriptions.Create(ctx, id, &DataSubscriptionCreateRequest{URL: "https://hooks.example.com/rc"})
		return err
	}},
	{"Client.Do POST", true, func(ctx context.Context, c *Client, id string) error {
		var out struct {
			Data struct{ ID string } `json:"data"`
		}
		path := "/v1/things/" + id
		if id == "" {
			path = "things" // not below the base URL: refused
		}
		return c.Do(ctx, http.MethodPost, path, RequestBody("thing", map[string]string{"a": "b"}), &out)
	}},
}

// TestEveryCreateClassesItsOutcome checks, for every way a create can fail
// and every method that creates, that the error wraps ErrOutcomeUnknown
// exactly when the server may have acted on the request: the request went
// out and no answer said what became of it.
func TestEveryCreateClassesItsOutcome(t *testing.T) {
	status := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.WriteHeader(code)
		}
	}
	for _, f := range []struct {
		name    string
		handler http.HandlerFunc
		opts    []Option
		unknown bool
	}{
		{"500", status(500), nil, true},
		{"501", status(501), nil, true},
		{"502", status(502), nil, true},
		{"504", status(504), nil, true},
		{"503", status(503), nil, false},
		{"429 every time", status(429), nil, false},
		{"400", status(400), nil, false},
		{"401", status(401), nil, false},
		{"403", status(403), nil, false},
		{"404", status(404), nil, false},
		{"409", status(409), nil, false},
		{"422", status(422), nil, false},
		{"reset after the request was read", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			resetConnection(t, w)
		}, nil, true},
		{"2xx that cannot be read", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"data":{"id":"x_1","attr`)
		}, nil, true},
		// The time-out is long enough for the request to go out first on any
		// machine but one too slow to say: then the server did not get it
		// whole, and nothing is asserted of the outcome.
		{"timed out after sending", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		}, []Option{WithTimeout(time.Second)}, true},
	} {
		t.Run(f.name, func(t *testing.T) {
			var wg sync.WaitGroup
			for _, c := range typedCreates {
				ts := newTestServer(t, append([]Option{fastRetry}, f.opts...)...)
				var read atomic.Bool // the server read the whole request
				ts.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
					assert.Equal(t, http.MethodPost, r.Method, c.name)
					r.Body = &readAll{r: r.Body, eof: &read}
					f.handler(w, r)
				})
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := c.call(context.Background(), ts.client, "id_1")
					if f.name == "2xx that cannot be read" && !c.reads {
						assert.NoError(t, err, "%s does not read the answer", c.name)
						return
					}
					if !assert.Error(t, err, c.name) {
						return
					}
					if f.opts != nil && !read.Load() {
						t.Logf("%s: timed out before the request was out: %v", c.name, err)
						return // see above
					}
					assert.Equal(t, f.unknown, errorIsUnknown(err), "%s: %v", c.name, err)
					assert.Positive(t, ts.requests.Load(), c.name)
				}()
			}
			wg.Wait()
		})
	}

	// The request never left: the outcome is known.
	for _, c := range typedCreates {
		t.Run("not sent/"+c.name, func(t *testing.T) {
			refused := newTestServer(t, fastRetry)
			refused.Close()
			err := c.call(context.Background(), refused.client, "id_1")
			require.Error(t, err)
			assert.False(t, errorIsUnknown(err), "connection refused: %v", err)

			ts := newTestServer(t, fastRetry)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err = c.call(ctx, ts.client, "id_1")
			require.ErrorIs(t, err, context.Canceled)
			assert.False(t, errorIsUnknown(err), "cancelled before sending: %v", err)

			err = c.call(context.Background(), ts.client, "")
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.False(t, errorIsUnknown(err), "invalid: %v", err)
			assert.Zero(t, ts.requests.Load())
		})
	}
}

func errorIsUnknown(err error) bool { return errors.Is(err, ErrOutcomeUnknown) }

// readAll is a request body that sets eof once it is read to its end.
type readAll struct {
	r   io.Reader
	eof *atomic.Bool
}

func (b *readAll) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		b.eof.Store(true)
	}
	return n, err
}

func (b *readAll) Close() error { return nil }
