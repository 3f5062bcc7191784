package rcevents

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// This file runs the cases every method shares, over every method: bad IDs,
// a nil context, a bad request or options, a nil request that is the zero
// one, and the mapping of error answers to sentinels. The exact request and
// answer of each operation are tested in the service's own test file.
//
// Ensure, EnsureAll and Sync are left out: they are being reworked, and
// their files test them.

// argKind is the request or options argument a case gives a call.
type argKind int

const (
	validArg argKind = iota // a valid request; nil options
	nilArg                  // nil
	zeroArg                 // a pointer to the zero value
	badArg                  // one that fails validation
)

// arg returns the argument of kind k: valid or bad as given, nil, or zero.
func arg[T any](k argKind, valid, bad *T) *T {
	switch k {
	case nilArg:
		return nil
	case zeroArg:
		return new(T)
	case badArg:
		return bad
	}
	return valid
}

// serviceCall is one method, called through call with ids and an argument
// of kind k (which a method without one ignores).
type serviceCall struct {
	name   string
	method string   // the request it sends with the IDs of goodIDs and a valid argument
	path   string   // and the path (below the base URL) and query of that request
	ids    []string // the names of its ID arguments, in order
	bad    string   // the field a bad argument's error names; "" for a method without one
	call   func(ctx context.Context, c *Client, id []string, k argKind) error
}

// goodIDs are the IDs a call is given when its IDs are not the case.
var goodIDs = []string{"id_1", "id_2"}

// badIDs are IDs every method refuses before any I/O.
var badIDs = []string{"", " ", "\t", "id_1 ", " id_1", "id_1\u00a0", ".", "..", "a/b", "../x", "a?b", "a#b", "a\\b", "a\nb", "a\x00b"}

// first is the first error an iterator yields, or nil.
func first[T any](seq func(func(T, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

// listFunc and allFunc are the List and All methods of a list whose
// options are ListOptions, below one ID.
type (
	listFunc[T any] func(context.Context, string, *ListOptions, ...CallOption) (*Page[T], error)
	allFunc[T any]  func(context.Context, string, *ListOptions, ...CallOption) iter.Seq2[T, error]
)

// pageRows are the rows of such a List method and its All.
func pageRows[T any](listName, allName, path, idName string, list func(*Client) listFunc[T], all func(*Client) allFunc[T]) []serviceCall {
	return []serviceCall{
		{listName, "GET", path, []string{idName}, "ListOptions.Page", func(ctx context.Context, c *Client, id []string, k argKind) error {
			_, err := list(c)(ctx, id[0], arg(k, nil, &ListOptions{Page: -1}))
			return err
		}},
		{allName, "GET", path + "?page=1", []string{idName}, "ListOptions.Page", func(ctx context.Context, c *Client, id []string, k argKind) error {
			return first(all(c)(ctx, id[0], arg(k, nil, &ListOptions{Page: -1})))
		}},
	}
}

func serviceCalls() []serviceCall {
	page := func(k argKind) *ListOptions { return arg(k, nil, &ListOptions{Page: -1}) }
	calls := slices.Concat(
		pageRows("Events.List", "Events.All", "/v1/organizations/id_1/events", "organizationID",
			func(c *Client) listFunc[Event] { return c.Events.List }, func(c *Client) allFunc[Event] { return c.Events.All }),
		pageRows("Tickets.List", "Tickets.All", "/v1/events/id_1/tickets", "eventID",
			func(c *Client) listFunc[Ticket] { return c.Tickets.List }, func(c *Client) allFunc[Ticket] { return c.Tickets.All }),
		pageRows("Reports.List", "Reports.All", "/v1/events/id_1/reports", "eventID",
			func(c *Client) listFunc[Report] { return c.Reports.List }, func(c *Client) allFunc[Report] { return c.Reports.All }),
		pageRows("ScheduleItems.List", "ScheduleItems.All", "/v1/events/id_1/scheduleItems", "eventID",
			func(c *Client) listFunc[ScheduleItem] { return c.ScheduleItems.List }, func(c *Client) allFunc[ScheduleItem] { return c.ScheduleItems.All }),
		pageRows("Sessions.List", "Sessions.All", "/v1/events/id_1/sessions", "eventID",
			func(c *Client) listFunc[Session] { return c.Sessions.List }, func(c *Client) allFunc[Session] { return c.Sessions.All }),
		pageRows("Stages.List", "Stages.All", "/v1/events/id_1/stages", "eventID",
			func(c *Client) listFunc[Stage] { return c.Stages.List }, func(c *Client) allFunc[Stage] { return c.Stages.All }),
		pageRows("Booths.List", "Booths.All", "/v1/events/id_1/booths", "eventID",
			func(c *Client) listFunc[Booth] { return c.Booths.List }, func(c *Client) allFunc[Booth] { return c.Booths.All }),
		pageRows("Tags.ListForBooth", "Tags.AllForBooth", "/v1/booths/id_1/tags", "boothID",
			func(c *Client) listFunc[Tag] { return c.Tags.ListForBooth }, func(c *Client) allFunc[Tag] { return c.Tags.AllForBooth }),
		pageRows("Tags.ListForScheduleItem", "Tags.AllForScheduleItem", "/v1/scheduleItems/id_1/tags", "scheduleItemID",
			func(c *Client) listFunc[Tag] { return c.Tags.ListForScheduleItem }, func(c *Client) allFunc[Tag] { return c.Tags.AllForScheduleItem }),
	)
	return append(calls, []serviceCall{
		{"Client.Health", "GET", "/v1/health", nil, "", func(ctx context.Context, c *Client, _ []string, _ argKind) error {
			_, err := c.Health(ctx)
			return err
		}},
		{"Client.Do", "POST", "/v1/things", nil, "", func(ctx context.Context, c *Client, _ []string, _ argKind) error {
			var out map[string]any
			return c.Do(ctx, http.MethodPost, "/v1/things", RequestBody("thing", nil), &out)
		}},
		{"Organizations.List", "GET", "/v1/organizations", nil, "ListOptions.Page", func(ctx context.Context, c *Client, _ []string, k argKind) error {
			_, err := c.Organizations.List(ctx, page(k))
			return err
		}},
		{"Organizations.All", "GET", "/v1/organizations?page=1", nil, "ListOptions.Page", func(ctx context.Context, c *Client, _ []string, k argKind) error {
			return first(c.Organizations.All(ctx, page(k)))
		}},
		{"Organizations.Get", "GET", "/v1/organizations/id_1", []string{"organizationID"}, "", func(ctx context.Context, c *Client, id []string, _ argKind) error {
			_, err := c.Organizations.Get(ctx, id[0])
			return err
		}},
		{"Templates.List", "GET", "/v1/organizations/id_1/templates", []string{"organizationID"}, "", func(ctx context.Context, c *Client, id []string, _ argKind) error {
			_, err := c.Templates.List(ctx, id[0])
			return err
		}},
		{"Templates.CreateEvent", "POST", "/v1/templates/id_1/event", []string{"templateID"}, "EventFromTemplateRequest.Type", func(ctx context.Context, c *Client, id []string, k argKind) error {
			bad := validEventFromTemplateRequest()
			bad.Type = "Public_Event"
			_, err := c.Templates.CreateEvent(ctx, id[0], arg(k, validEventFromTemplateRequest(), bad))
			return err
		}},
		{"Events.Get", "GET", "/v1/events/id_1", []string{"eventID"}, "", func(ctx context.Context, c *Client, id []string, _ argKind) error {
			_, err := c.Events.Get(ctx, id[0])
			return err
		}},
		{"Events.Create", "POST", "/v1/organizations/id_1/events", []string{"organizationID"}, "EventCreateRequest.Color", func(ctx context.Context, c *Client, id []string, k argKind) error {
			bad := validEventCreateRequest()
			bad.Color = "1a73e8"
			_, err := c.Events.Create(ctx, id[0], arg(k, validEventCreateRequest(), bad))
			return err
		}},
		{"Events.Duplicate", "POST", "/v1/events/id_1/duplications", []string{"eventID"}, "EventDuplicateRequest.Timezone", func(ctx context.Context, c *Client, id []string, k argKind) error {
			return c.Events.Duplicate(ctx, id[0], arg(k, &EventDuplicateRequest{Name: "Summit 2026"}, &EventDuplicateRequest{Timezone: "Europe/Atlantis"}))
		}},
		{"Registrations.List", "GET", "/v1/events/id_1/registrations", []string{"eventID"}, "ListOptions.Page", func(ctx context.Context, c *Client, id []string, k argKind) error {
			_, err := c.Registrations.List(ctx, id[0], arg(k, nil, &RegistrationListOptions{ListOptions: ListOptions{Page: -1}}))
			return err
		}},
		{"Registrations.All", "GET", "/v1/events/id_1/registrations?page=1", []string{"eventID"}, "ListOptions.Page", func(ctx context.Context, c *Client, id []string, k argKind) error {
			return first(c.Registrations.All(ctx, id[0], arg(k, nil, &RegistrationListOptions{ListOptions: ListOptions{Page: -1}})))
		}},
		{"Registrations.Get", "GET", "/v1/registrations/id_1", []string{"registrationID"}, "", func(ctx context.Context, c *Client, id []string, _ argKind) error {
			_, err := c.Registrations.Get(ctx, id[0])
			return err
		}},
		{"Registrations.Create", "POST", "/v1/events/id_1/registrations", []string{"eventID"}, "RegistrationCreateRequest.Email", func(ctx context.Context, c *Client, id []string, k argKind) error {
			valid := &RegistrationCreateRequest{Email: "ada@example.com", FirstName: "Ada", LastName: "Okafor"}
			_, err := c.Registrations.Create(ctx, id[0], arg(k, valid, &RegistrationCreateRequest{Email: "ada@", FirstName: "Ada", LastName: "Okafor"}))
			return err
		}},
		{"Registrations.Update", "PATCH", "/v1/registrations/id_1", []string{"registrationID"}, "RegistrationUpdateRequest.Answers[0].QuestionID", func(ctx context.Context, c *Client, id []string, k argKind) error {
			_, err := c.Registrations.Update(ctx, id[0], arg(k, &RegistrationUpdateRequest{FirstName: "Ada"}, &RegistrationUpdateRequest{Answers: []Answer{{Answer: "x"}}}))
			return err
		}},
		{"Tickets.Get", "GET", "/v1/tickets/id_1", []string{"ticketID"}, "", func(ctx context.Context, c *Client, id []string, _ argKind) error {
			_, err := c.Tickets.Get(ctx, id[0])
			return err
		}},
		{"Tickets.Create", "POST", "/v1/events/id_1/tickets", []string{"eventID"}, "TicketCreateRequest.Count", func(ctx context.Context, c *Client, id []string, k argKind) error {
			_, err := c.Tickets.Create(ctx, id[0], arg(k, &TicketCreateRequest{Name: "VIP"}, &TicketCreateRequest{Name: "VIP", Count: Ptr(-1)}))
			return err
		}},
		{"Tickets.BankQuestions", "GET", "/v1/tickets/id_1/bankQuestions", []string{"ticketID"}, "", func(ctx context.Context, c *Client, id []string, _ argKind) error {
			_, err := c.Tickets.BankQuestions(ctx, id[0])
			return err
		}},
		{"MagicLinks.List", "GET", "/v1/tickets/id_1/magicLinks", []string{"ticketID"}, "ListOptions.Page", func(ctx context.Context, c *Client, id []string, k argKind) error {
			_, err := c.MagicLinks.List(ctx, id[0], arg(k, nil, &MagicLinkListOptions{ListOptions: ListOptions{Page: -1}}))
			return err
		}},
		{"MagicLinks.All", "GET", "/v1/tickets/id_1/magicLinks?page=1", []string{"ticketID"}, "ListOptions.Page", func(ctx context.Context, c *Client, id []string, k argKind) error {
			return first(c.MagicLinks.All(ctx, id[0], arg(k, nil, &MagicLinkListOptions{ListOptions: ListOptions{Page: -1}})))
		}},
		{"MagicLinks.Get", "GET", "/v1/magicLinks/id_1", []string{"magicLinkID"}, "", func(ctx context.Context, c *Client, id []string, _ argKind) error {
			_, err := c.MagicLinks.Get(ctx, id[0])
			return err
		}},
		{"MagicLinks.Create", "POST", "/v1/tickets/id_1/magicLinks", []string{"ticketID"}, "MagicLinkCreateRequest.Email", func(ctx context.Context, c *Client, id []string, k argKind) error {
			valid := &MagicLinkCreateRequest{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"}
			_, err := c.MagicLinks.Create(ctx, id[0], arg(k, valid, &MagicLinkCreateRequest{Email: "ada@", FirstName: "Ada", LastName: "Lovelace"}))
			return err
		}},
		{"MagicLinks.CreateLegacy", "POST", "/v1/magic_link", nil, "LegacyMagicLinkRequest.TicketID", func(ctx context.Context, c *Client, _ []string, k argKind) error {
			valid := &LegacyMagicLinkRequest{TicketID: "tkt_1", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}
			_, err := c.MagicLinks.CreateLegacy(ctx, arg(k, valid, &LegacyMagicLinkRequest{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"}))
			return err
		}},
		{"MagicLinks.Delete", "DELETE", "/v1/magicLinks/id_1", []string{"magicLinkID"}, "", func(ctx context.Context, c *Client, id []string, _ argKind) error {
			return c.MagicLinks.Delete(ctx, id[0])
		}},
		{"Reports.Get", "GET", "/v1/reports/id_1", []string{"reportID"}, "", func(ctx context.Context, c *Client, id []string, _ argKind) error {
			_, err := c.Reports.Get(ctx, id[0])
			return err
		}},
		{"Reports.Create", "POST", "/v1/events/id_1/reports/chat", []string{"eventID"}, "ReportCreateRequest.SegmentType", func(ctx context.Context, c *Client, id []string, k argKind) error {
			_, err := c.Reports.Create(ctx, id[0], ReportTypeChat, arg(k, &ReportCreateRequest{SegmentType: SegmentTypeAll}, &ReportCreateRequest{SegmentType: "booth"}))
			return err
		}},
		{"Reports.Wait", "GET", "/v1/reports/id_1", []string{"reportID"}, "", func(ctx context.Context, c *Client, id []string, _ argKind) error {
			_, err := c.Reports.Wait(ctx, id[0])
			return err
		}},
		{"Reports.Download", "GET", "/v1/reports/id_1/download", []string{"reportID"}, "", func(ctx context.Context, c *Client, id []string, _ argKind) error {
			_, err := c.Reports.Download(ctx, id[0], io.Discard)
			return err
		}},
		{"ScheduleItems.Get", "GET", "/v1/scheduleItems/id_1", []string{"scheduleItemID"}, "", func(ctx context.Context, c *Client, id []string, _ argKind) error {
			_, err := c.ScheduleItems.Get(ctx, id[0])
			return err
		}},
		{"DataSubscriptions.Create", "POST", "/v1/events/id_1/dataSubscriptions", []string{"eventID"}, "DataSubscriptionCreateRequest.URL", func(ctx context.Context, c *Client, id []string, k argKind) error {
			valid := &DataSubscriptionCreateRequest{Signals: []Signal{SignalAttendance}}
			_, err := c.DataSubscriptions.Create(ctx, id[0], arg(k, valid, &DataSubscriptionCreateRequest{URL: "/hooks/rcevents"}))
			return err
		}},
	}...)
}

// seenRequest is a request as the server saw it.
type seenRequest struct{ method, uri, body string }

// recordingServer answers every request with status and the fixture, and
// records what it was sent.
type recordingServer struct {
	*testServer
	mu      sync.Mutex
	got     []seenRequest
	status  int
	fixture string
}

func newRecordingServer(t *testing.T) *recordingServer {
	rs := &recordingServer{testServer: newTestServer(t), status: http.StatusNotFound, fixture: "error_not_found.json"}
	rs.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rs.mu.Lock()
		rs.got = append(rs.got, seenRequest{r.Method, r.URL.RequestURI(), string(b)})
		status, name := rs.status, rs.fixture
		rs.mu.Unlock()
		writeFixture(t, w, status, name)
	})
	return rs
}

// answer sets the answer to later requests and forgets those before.
func (rs *recordingServer) answer(status int, fixture string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.status, rs.fixture, rs.got = status, fixture, nil
}

func (rs *recordingServer) sent() []seenRequest {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.got
}

func TestServicesSharedCases(t *testing.T) {
	ctx := context.Background()
	for _, sc := range serviceCalls() {
		t.Run(sc.name, func(t *testing.T) {
			rs := newRecordingServer(t)
			c := rs.client
			ids := goodIDs[:len(sc.ids)]

			// Refused before any I/O, with an error naming what is wrong.
			for i, field := range sc.ids {
				for _, bad := range badIDs {
					id := append([]string(nil), ids...)
					id[i] = bad
					err := sc.call(ctx, c, id, validArg)
					require.ErrorIs(t, err, ErrInvalidArgument, "%s %q", field, bad)
					assert.Contains(t, err.Error(), ": "+field+": ", "%q", bad)
				}
			}
			err := sc.call(nil, c, ids, validArg)
			require.ErrorIs(t, err, ErrInvalidArgument, "nil context")
			assert.Equal(t, "rcevents: invalid argument: ctx: is nil: use context.Background() or a context of your own", err.Error())
			if sc.bad != "" {
				err := sc.call(ctx, c, ids, badArg)
				require.ErrorIs(t, err, ErrInvalidArgument, "bad argument")
				assert.Contains(t, err.Error(), ": "+sc.bad+":")
			}
			require.Empty(t, rs.sent(), "a request was sent")

			// A nil request or options is the zero one: the same error, or
			// the same request.
			if sc.bad != "" {
				nilErr := sc.call(ctx, c, ids, nilArg)
				nilSent := rs.sent()
				rs.answer(http.StatusNotFound, "error_not_found.json")
				zeroErr := sc.call(ctx, c, ids, zeroArg)
				assert.Equal(t, nilSent, rs.sent(), "nil and zero sent")
				require.Error(t, nilErr, "the server answers 404")
				assert.EqualError(t, zeroErr, nilErr.Error())
			}

			// Error answers are *APIError matching their sentinel.
			for _, tc := range []struct {
				status   int
				fixture  string
				sentinel error
				errors   []ErrorObject
			}{
				{http.StatusForbidden, "error_forbidden.json", ErrForbidden,
					[]ErrorObject{{Code: "forbidden", Detail: "You are not allowed to access this event", Status: "403", Title: "Forbidden"}}},
				{http.StatusNotFound, "error_not_found.json", ErrNotFound,
					[]ErrorObject{{Code: "not_found", Detail: "Organization not found", Status: "404", Title: "Not Found"}}},
				{http.StatusUnprocessableEntity, "error_unprocessable.json", ErrUnprocessable,
					[]ErrorObject{{Code: "invalid", Detail: "has already been taken", Status: "422", Title: "Unprocessable Entity",
						Source: &ErrorSource{Pointer: "/data/attributes/name"}}}},
			} {
				rs.answer(tc.status, tc.fixture)
				err := sc.call(ctx, c, ids, validArg)
				require.ErrorIs(t, err, tc.sentinel)
				got := rs.sent()
				require.Len(t, got, 1, "requests for a %d", tc.status)
				assert.Equal(t, sc.method, got[0].method)
				assert.Equal(t, sc.path, got[0].uri)
				url := rs.URL + basePath + sc.path
				assertAPIError(t, err, &APIError{StatusCode: tc.status, Method: sc.method, URL: url, Errors: tc.errors})
				msg := tc.errors[0].Detail
				if src := tc.errors[0].Source; src != nil {
					msg = src.Pointer + ": " + msg
				}
				assert.Equal(t, fmt.Sprintf("rcevents: %s %s: %d %s: %s", sc.method, url, tc.status, http.StatusText(tc.status), msg), err.Error())
			}
		})
	}
}
