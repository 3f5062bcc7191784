package rcevents

// The reliability guarantees of RELIABILITY.md that need the package's
// internals or purpose-built servers. The ones proven against the fake API
// are in reliability_fake_test.go.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/oauth2"
)

// TestRetryAfterGarbageBacksOff: a Retry-After that is neither seconds nor a
// date is ignored, and the retry waits for the policy's backoff instead of
// going out at once. The backoff here is at least two seconds but for a
// chance of 1 in 10^7; the call's context is cancelled 200 ms after the
// answer, while it waits.
func TestRetryAfterGarbageBacksOff(t *testing.T) {
	for _, value := range []string{"soon", "-3", "1.5", "Tomorrow, 25:00", "0x10"} {
		t.Run(value, func(t *testing.T) {
			ts := newTestServer(t, WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: 10000 * time.Hour, MaxBackoff: 10000 * time.Hour}))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var calls atomic.Int64
			ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) > 1 {
					t.Errorf("retried at once after Retry-After %q", value)
				}
				w.Header().Set("Retry-After", value)
				w.WriteHeader(http.StatusTooManyRequests)
				time.AfterFunc(200*time.Millisecond, cancel)
			})
			_, err := ts.client.Health(ctx)
			require.ErrorIs(t, err, context.Canceled, "the call was still waiting to retry when its context ended")
			require.ErrorIs(t, err, ErrRateLimited)
			assert.Contains(t, err.Error(), "waiting to retry")
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Zero(t, apiErr.RetryAfter)
			assert.Equal(t, int64(1), calls.Load())
		})
	}
}

// echoedSecretForms are the ways a client secret can come back in an answer that
// echoes the token request: as it is, form-encoded, JSON-escaped, and inside
// HTTP Basic credentials (which oauth2 form-encodes first).
func echoedSecretForms(id, secret string) []string {
	basic := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret)))
	return append(escapedForms(secret), escapedForms(basic)...)
}

// escapedForms are the ways an answer may echo s: as it is, and escaped as
// JSON (as encoding/json writes it, with every "/" as "\/", with every
// character as \uXXXX), as URLs and forms (every byte %XX, in upper and
// lower case), and as HTML (entities, every character as &#N;).
func escapedForms(s string) []string {
	js, _ := json.Marshal(s)
	var jsonU, pctUpper, pctLower, htmlNum strings.Builder
	for _, r := range s {
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&jsonU, `\u%04x`, u)
		}
		fmt.Fprintf(&htmlNum, "&#%d;", r)
	}
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&pctUpper, "%%%02X", s[i])
		fmt.Fprintf(&pctLower, "%%%02x", s[i])
	}
	forms := []string{
		s,
		string(js[1 : len(js)-1]),
		strings.ReplaceAll(string(js[1:len(js)-1]), "/", `\/`),
		jsonU.String(),
		url.QueryEscape(s),
		url.PathEscape(s),
		pctUpper.String(),
		pctLower.String(),
		html.EscapeString(s),
		htmlNum.String(),
	}
	slices.Sort(forms)
	return slices.Compact(forms)
}

// printed is everything an error can show: its message under each verb and
// the message of every error in its chain.
func printed(err error) []string {
	out := []string{fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%q", err)}
	queue := []error{err}
	for len(queue) > 0 {
		e := queue[0]
		queue = queue[1:]
		if e == nil {
			continue
		}
		out = append(out, e.Error())
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			queue = append(queue, u.Unwrap())
		case interface{ Unwrap() []error }:
			queue = append(queue, u.Unwrap()...)
		}
		var apiErr *APIError
		if errors.As(e, &apiErr) {
			out = append(out, fmt.Sprintf("%+v", *apiErr), apiErr.Body)
		}
	}
	return out
}

// assertNoSecret checks that none of secrets shows in anything err prints.
func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, s := range printed(err) {
		for _, secret := range secrets {
			if secret != "" && strings.Contains(s, secret) {
				t.Errorf("%q shows in %q", secret, s)
			}
		}
	}
}

// TestTokenEndpointEchoNeverLeaksSecret: a token endpoint that echoes the
// request it got (its Authorization header, its form body) in a refusal, in
// any shape, does not bring the client secret into the error, whichever way
// the credentials were sent.
func TestTokenEndpointEchoNeverLeaksSecret(t *testing.T) {
	const id, secret = "client id", "s3cr:et/+&<x>"
	var cases, strs int
	echo := func(r *http.Request) string {
		b, _ := io.ReadAll(r.Body)
		auth := r.Header.Get("Authorization")
		got := "got Authorization=" + auth + " body=" + string(b)
		// and again, in every way a server may escape what it echoes
		for _, form := range escapedForms(auth) {
			got += " " + form
		}
		if v, err := url.ParseQuery(string(b)); err == nil && v.Get("client_secret") != "" {
			for _, form := range escapedForms(v.Get("client_secret")) {
				got += " " + form
			}
		}
		return got
	}
	for _, tc := range []struct {
		name    string
		respond func(w http.ResponseWriter, echoed string)
	}{
		{"401 text", func(w http.ResponseWriter, echoed string) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, echoed)
		}},
		{"400 oauth2 error", func(w http.ResponseWriter, echoed string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client", "error_description": echoed, "error_uri": echoed})
		}},
		{"400 json without code", func(w http.ResponseWriter, echoed string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"message": echoed})
		}},
		{"200 form error", func(w http.ResponseWriter, echoed string) {
			w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
			io.WriteString(w, url.Values{"error": {"invalid_client"}, "error_description": {echoed}}.Encode())
		}},
		{"502 html", func(w http.ResponseWriter, echoed string) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html><pre>"+echoed+"</pre></html>")
		}},
	} {
		for style, name := range map[oauth2.AuthStyle]string{oauth2.AuthStyleInHeader: "basic", oauth2.AuthStyleInParams: "form"} {
			t.Run(tc.name+" "+name, func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != "/v1/auth/token" {
						t.Errorf("%s reached the API without a token", r.URL.Path)
						return
					}
					tc.respond(w, echo(r))
				}))
				defer srv.Close()
				c, err := NewClient(WithClientCredentials(id, secret), WithAuthStyle(style), WithBaseURL(srv.URL),
					WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
				require.NoError(t, err)
				_, err = c.Health(context.Background())
				require.Error(t, err)
				assert.Contains(t, err.Error(), "fetching a token")
				assertNoSecret(t, err, echoedSecretForms(id, secret)...)
				cases, strs = cases+1, strs+len(printed(err))
			})
		}
	}
	t.Logf("FIGURE secrets token-endpoint-echo cases=%d strings-checked=%d forms-looked-for=%d found=0", cases, strs, len(echoedSecretForms(id, secret)))
}

// TestAPIErrorNeverCarriesToken: an API (or a gateway in front of it) that
// echoes the request's Authorization header in an error answer does not
// bring the bearer token into the *APIError, whatever the status and shape
// of the answer, and whether the token is static or fetched (a 401 there
// fetches a second token, which the second answer echoes).
func TestAPIErrorNeverCarriesToken(t *testing.T) {
	const static = "static/token+6b1f0e"
	var cases, strs, forms int
	for _, status := range []int{400, 401, 403, 404, 422, 429, 500, 502} {
		for _, shape := range []string{"json:api", "html", "json:api escaped", "json escaped", "url-encoded", "html escaped"} {
			for _, mode := range []string{"static", "client credentials"} {
				t.Run(fmt.Sprintf("%d %s %s", status, shape, mode), func(t *testing.T) {
					var issued []string
					var mu sync.Mutex
					mux := http.NewServeMux()
					mux.HandleFunc("/v1/auth/token", func(w http.ResponseWriter, r *http.Request) {
						mu.Lock()
						tok := fmt.Sprintf("fetched/token+%d-a71c", len(issued)+1)
						issued = append(issued, tok)
						mu.Unlock()
						w.Header().Set("Content-Type", "application/json")
						fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, tok)
					})
					mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
						auth := r.Header.Get("Authorization")
						tok := strings.TrimPrefix(auth, "Bearer ")
						switch shape {
						case "html":
							w.Header().Set("Content-Type", "text/html")
							w.WriteHeader(status)
							fmt.Fprintf(w, "<html><body>Request had %s (%s)</body></html>", auth, tok)
							return
						case "json:api escaped", "json escaped":
							// Every form JSON allows, in a JSON:API error document
							// (decoded into Errors) or another JSON answer (Body).
							forms := escapedForms(tok)
							var echoes []string
							for _, f := range forms {
								if strings.HasPrefix(f, `\u`) || strings.Contains(f, `\/`) || f == tok {
									echoes = append(echoes, `Bearer `+f)
								}
							}
							key := "errors"
							if shape == "json escaped" {
								key = "echo"
							}
							w.Header().Set("Content-Type", "application/json")
							w.WriteHeader(status)
							fmt.Fprintf(w, `{"%s":[{"status":"%d","title":"%s","detail":"token %s refused","source":{"parameter":"%s"}}]}`,
								key, status, echoes[0], strings.Join(echoes, ", "), echoes[len(echoes)-1])
							return
						case "url-encoded":
							w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
							w.WriteHeader(status)
							fmt.Fprintf(w, "error=refused&authorization=%s&token=%s&raw=%s", url.QueryEscape(auth), url.PathEscape(tok), escapedForms(tok)[0])
							return
						case "html escaped":
							w.Header().Set("Content-Type", "text/html")
							w.WriteHeader(status)
							fmt.Fprintf(w, "<html><body>Request had <code>%s</code></body></html>", strings.Join(escapedForms(auth), "</code> <code>"))
							return
						}
						w.Header().Set("Content-Type", "application/vnd.api+json")
						w.WriteHeader(status)
						json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
							"status": fmt.Sprint(status), "title": auth, "detail": "token " + strings.TrimPrefix(auth, "Bearer ") + " refused",
							"source": map[string]string{"parameter": auth},
						}}})
					})
					srv := httptest.NewServer(mux)
					defer srv.Close()
					creds := WithToken(static)
					if mode != "static" {
						creds = WithClientCredentials("id", "secret-5d2a")
					}
					c, err := NewClient(creds, WithBaseURL(srv.URL), WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
					require.NoError(t, err)
					_, err = c.Health(context.Background())
					var apiErr *APIError
					require.ErrorAs(t, err, &apiErr)
					assert.Equal(t, status, apiErr.StatusCode)
					assert.Contains(t, err.Error(), "[REDACTED]", "the echo is still there, without the token")
					mu.Lock()
					defer mu.Unlock()
					secrets := escapedForms(static)
					for _, tok := range issued {
						secrets = append(secrets, escapedForms(tok)...)
					}
					assertNoSecret(t, err, secrets...)
					cases, strs, forms = cases+1, strs+len(printed(err)), max(forms, len(secrets))
				})
			}
		}
	}
	t.Logf("FIGURE secrets api-echo cases=%d strings-checked=%d forms-looked-for=%d found=0", cases, strs, forms)
}

// TestDateTimeFilterYearsRefused: a filter time RFC 3339 cannot write (year
// 10000, year 0 and before) is refused before any request, naming the
// filter and operator, instead of going out as a malformed query.
func TestDateTimeFilterYearsRefused(t *testing.T) {
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	bc := time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	ts := newTestServer(t)
	for _, tc := range []struct {
		call  func() error
		field string
	}{
		{func() error {
			_, err := ts.client.Registrations.List(context.Background(), "evt_1", &RegistrationListOptions{CreatedAt: &DateTimeFilter{Gte: far}})
			return err
		}, "RegistrationListOptions.CreatedAt.Gte"},
		{func() error {
			_, err := ts.client.Registrations.List(context.Background(), "evt_1", &RegistrationListOptions{UpdatedAt: &DateTimeFilter{Lt: bc}})
			return err
		}, "RegistrationListOptions.UpdatedAt.Lt"},
		{func() error {
			_, err := ts.client.Registrations.List(context.Background(), "evt_1", &RegistrationListOptions{
				Email: &StringFilter{Eq: "ada@example.com"}, UserUpdatedAt: &DateTimeFilter{In: []time.Time{ok, far}},
			})
			return err
		}, "RegistrationListOptions.UserUpdatedAt.In[1]"},
		{func() error {
			_, err := ts.client.MagicLinks.List(context.Background(), "tkt_1", &MagicLinkListOptions{UpdatedAt: &DateTimeFilter{Eq: ok, Gt: far}})
			return err
		}, "MagicLinkListOptions.UpdatedAt.Gt"},
	} {
		err := tc.call()
		require.ErrorIs(t, err, ErrInvalidArgument, tc.field)
		assert.Contains(t, err.Error(), tc.field+": year ", tc.field)
	}
	assert.Zero(t, ts.requests.Load())
}

// TestListAnswerWithoutDataIsAnError: a 200 answer to a list call that is
// JSON but not a list ({}, null, an error document) is an error, not an
// empty page: taken for one, it would end an All walk quietly and lose
// every item after it.
func TestListAnswerWithoutDataIsAnError(t *testing.T) {
	for _, body := range []string{`{}`, `null`, `{"data":null}`, `{"meta":{"count":100}}`, `{"errors":[{"status":"500","detail":"oops"}]}`} {
		t.Run(body, func(t *testing.T) {
			for _, n := range []int{1, 4} {
				ls := newListServer(t, 100, WithPageConcurrency(n))
				ls.mux.HandleFunc("/v1/broken", func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Query().Get("page") == "3" {
						io.WriteString(w, body)
						return
					}
					ls.serve(w, r)
				})
				ids, err := collect(t, walkPath(context.Background(), ls.client, "/v1/broken"))
				require.Error(t, err, "concurrency %d", n)
				assert.Contains(t, err.Error(), `200: decoding the answer: no "data" list`)
				assert.Equal(t, wantIDs(1, 20), ids, "concurrency %d", n)
			}
		})
	}
}

// TestErrorSnippetBounded: APIError.Body stays within maxErrorSnippet bytes
// (and the "…" of a cut) whatever bytes the answer holds, and a byte that is
// not UTF-8 near the start of a long answer does not cut the snippet there.
func TestErrorSnippetBounded(t *testing.T) {
	many := strings.Repeat("0\xff", maxErrorSnippet) // each invalid byte becomes a 3-byte U+FFFD
	latin1 := "caf\xe9 " + strings.Repeat("au lait ", 200)
	for _, body := range []string{many, many[:maxErrorSnippet], latin1} {
		_, s := decodeErrorBody([]byte(body), nil)
		assert.LessOrEqual(t, len(s), maxErrorSnippet+len("…"), "%.40q", body)
		assert.True(t, utf8.ValidString(s))
	}
	_, s := decodeErrorBody([]byte(latin1), nil)
	assert.True(t, strings.HasPrefix(s, "caf\uFFFD au lait au lait"), "%.40q", s)
	assert.True(t, strings.HasSuffix(s, "…"))
}

// firstErr runs an iterator to its first error.
func firstErr[T any](seq func(func(T, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

// TestBadInputNeverReachesServer calls every service with malformed input
// (IDs that would address another resource or none, unknown enums and
// timezones, an end before its start, malformed emails, nil requests, page
// numbers and sizes out of range, filter values the API cannot read): each
// call fails with an error wrapping ErrInvalidArgument that names the field
// at fault, and no request reaches the server, not even for a token.
func TestBadInputNeverReachesServer(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		t.Errorf("%s %s reached the server", r.Method, r.URL)
	}))
	defer srv.Close()
	c, err := NewClient(WithClientCredentials("id", "secret"), WithBaseURL(srv.URL))
	require.NoError(t, err)
	ctx := context.Background()

	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	event := func(change func(*EventCreateRequest)) *EventCreateRequest {
		r := &EventCreateRequest{Name: "Launch", Currency: "USD", Timezone: "UTC", TimeStart: start, TimeEnd: start.Add(time.Hour)}
		change(r)
		return r
	}
	person := func(change func(*RegistrationCreateRequest)) *RegistrationCreateRequest {
		r := &RegistrationCreateRequest{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"}
		change(r)
		return r
	}
	err2 := func(_ any, err error) error { return err }

	rows := []struct {
		name  string
		call  func() error
		field string
	}{
		{"ID with /", func() error { return err2(c.Events.Get(ctx, "evt_1/registrations")) }, "eventID"},
		{"ID ..", func() error { return err2(c.Events.Get(ctx, "..")) }, "eventID"},
		{"ID .", func() error { return err2(c.Templates.List(ctx, ".")) }, "organizationID"},
		{"ID with ?", func() error { return err2(c.Registrations.Get(ctx, "reg_1?admin=1")) }, "registrationID"},
		{"ID with #", func() error { return err2(c.MagicLinks.Get(ctx, "ml_1#top")) }, "magicLinkID"},
		{"ID with NUL", func() error { return err2(c.Tickets.Get(ctx, "tkt\x00")) }, "ticketID"},
		{"ID with newline", func() error { return err2(c.Organizations.Get(ctx, "org_1\r\nX-Evil: 1")) }, "organizationID"},
		{"ID with DEL", func() error { return err2(c.ScheduleItems.Get(ctx, "si\x7f")) }, "scheduleItemID"},
		{"ID with backslash", func() error { return err2(c.Tickets.BankQuestions(ctx, `tkt\..\x`)) }, "ticketID"},
		{"empty ID", func() error { return err2(c.Reports.Get(ctx, "")) }, "reportID"},
		{"traversal in list", func() error { return err2(c.Registrations.List(ctx, "../evt_2", nil)) }, "eventID"},
		{"ID with / in tags", func() error { return err2(c.Tags.ListForBooth(ctx, "b/1", nil)) }, "boothID"},
		{"ID with # in stages", func() error { return err2(c.Stages.List(ctx, "evt#1", nil)) }, "eventID"},
		{"ID with / in update", func() error {
			return err2(c.Registrations.Update(ctx, "reg/1", &RegistrationUpdateRequest{FirstName: "A"}))
		}, "registrationID"},
		{"traversal in delete", func() error { return c.MagicLinks.Delete(ctx, "ml/../../admin") }, "magicLinkID"},
		{"ID with / in template", func() error { return err2(c.Templates.CreateEvent(ctx, "tpl/1", nil)) }, "templateID"},
		{"ID in Wait", func() error { return err2(c.Reports.Wait(ctx, "rpt/1")) }, "reportID"},
		{"empty ID in iterator", func() error { return firstErr(c.Sessions.All(ctx, "", nil)) }, "eventID"},
		{"report type", func() error { return err2(c.Reports.Create(ctx, "evt_1", "everything", nil)) }, "reportType"},
		{"segment type", func() error {
			return err2(c.Reports.Create(ctx, "evt_1", ReportTypeAll, &ReportCreateRequest{SegmentType: "hall"}))
		}, "ReportCreateRequest.SegmentType"},
		{"report version with /", func() error {
			return err2(c.Reports.Create(ctx, "evt_1", ReportTypeAll, &ReportCreateRequest{Version: "2/../1"}))
		}, "ReportCreateRequest.Version"},
		{"timezone", func() error {
			return err2(c.Events.Create(ctx, "org_1", event(func(r *EventCreateRequest) { r.Timezone = "Mars/Olympus_Mons" })))
		}, "EventCreateRequest.Timezone"},
		{"end before start", func() error {
			return err2(c.Events.Create(ctx, "org_1", event(func(r *EventCreateRequest) { r.TimeEnd = start.Add(-time.Minute) })))
		}, "EventCreateRequest.TimeEnd"},
		{"end equal to start", func() error {
			return err2(c.Templates.CreateEvent(ctx, "tpl_1", &EventFromTemplateRequest{Name: "X", OrganizationID: "org_1", Timezone: "UTC", TimeStart: start, TimeEnd: start}))
		}, "EventFromTemplateRequest.TimeEnd"},
		{"year 10000", func() error {
			return err2(c.Events.Create(ctx, "org_1", event(func(r *EventCreateRequest) { r.TimeStart = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) })))
		}, "EventCreateRequest.TimeStart"},
		{"event type", func() error {
			return err2(c.Events.Create(ctx, "org_1", event(func(r *EventCreateRequest) { r.EventType = "secret_event" })))
		}, "EventCreateRequest.EventType"},
		{"network type", func() error {
			return err2(c.Events.Create(ctx, "org_1", event(func(r *EventCreateRequest) { r.NetworkType = "nobody" })))
		}, "EventCreateRequest.NetworkType"},
		{"colour", func() error {
			return err2(c.Events.Create(ctx, "org_1", event(func(r *EventCreateRequest) { r.Color = "red" })))
		}, "EventCreateRequest.Color"},
		{"negative minutes", func() error {
			return err2(c.Events.Create(ctx, "org_1", event(func(r *EventCreateRequest) { r.DoorsOpenBeforeMinutes = Ptr(-5) })))
		}, "EventCreateRequest.DoorsOpenBeforeMinutes"},
		{"nil event", func() error { return err2(c.Events.Create(ctx, "org_1", nil)) }, "EventCreateRequest.Name"},
		{"template without organization", func() error {
			return err2(c.Templates.CreateEvent(ctx, "tpl_1", &EventFromTemplateRequest{Name: "X", Timezone: "UTC", TimeStart: start, TimeEnd: start.Add(time.Hour)}))
		}, "EventFromTemplateRequest.OrganizationID"},
		{"duplicate type", func() error { return c.Events.Duplicate(ctx, "evt_1", &EventDuplicateRequest{Type: "open"}) }, "EventDuplicateRequest.Type"},
		{"duplicate timezone", func() error { return c.Events.Duplicate(ctx, "evt_1", &EventDuplicateRequest{Timezone: "UTC+25"}) }, "EventDuplicateRequest.Timezone"},
		{"metadata not JSON", func() error {
			return c.Events.Duplicate(ctx, "evt_1", &EventDuplicateRequest{Metadata: map[string]any{"f": func() {}}})
		}, "EventDuplicateRequest.Metadata"},
		{"email", func() error {
			return err2(c.Registrations.Create(ctx, "evt_1", person(func(r *RegistrationCreateRequest) { r.Email = "ada.example.com" })))
		}, "RegistrationCreateRequest.Email"},
		{"email with name", func() error {
			return err2(c.MagicLinks.Create(ctx, "tkt_1", &MagicLinkCreateRequest{Email: "Ada <ada@example.com>", FirstName: "Ada", LastName: "L"}))
		}, "MagicLinkCreateRequest.Email"},
		{"legacy email", func() error {
			return err2(c.MagicLinks.CreateLegacy(ctx, &LegacyMagicLinkRequest{TicketID: "tkt_1", Email: "ada@", FirstName: "Ada", LastName: "L"}))
		}, "LegacyMagicLinkRequest.Email"},
		{"blank name", func() error {
			return err2(c.Registrations.Create(ctx, "evt_1", person(func(r *RegistrationCreateRequest) { r.FirstName = "  " })))
		}, "RegistrationCreateRequest.FirstName"},
		{"answer without question", func() error {
			return err2(c.Registrations.Create(ctx, "evt_1", person(func(r *RegistrationCreateRequest) { r.Answers = []Answer{{Answer: "yes"}} })))
		}, "RegistrationCreateRequest.Answers[0].QuestionID"},
		{"nil registration", func() error { return err2(c.Registrations.Create(ctx, "evt_1", nil)) }, "RegistrationCreateRequest.Email"},
		{"nil update", func() error { return err2(c.Registrations.Update(ctx, "reg_1", nil)) }, "RegistrationUpdateRequest"},
		{"empty update", func() error { return err2(c.Registrations.Update(ctx, "reg_1", &RegistrationUpdateRequest{})) }, "RegistrationUpdateRequest"},
		{"nil magic link", func() error { return err2(c.MagicLinks.Create(ctx, "tkt_1", nil)) }, "MagicLinkCreateRequest.Email"},
		{"legacy without ticket", func() error {
			return err2(c.MagicLinks.CreateLegacy(ctx, &LegacyMagicLinkRequest{Email: "ada@example.com", FirstName: "Ada", LastName: "L"}))
		}, "LegacyMagicLinkRequest.TicketID"},
		{"negative count", func() error { return err2(c.Tickets.Create(ctx, "evt_1", &TicketCreateRequest{Count: Ptr(-1)})) }, "TicketCreateRequest.Count"},
		{"NaN price", func() error {
			return err2(c.Tickets.Create(ctx, "evt_1", &TicketCreateRequest{Price: Ptr(math.NaN())}))
		}, "TicketCreateRequest.Price"},
		{"negative page", func() error {
			return err2(c.Registrations.List(ctx, "evt_1", &RegistrationListOptions{ListOptions: ListOptions{Page: -1}}))
		}, "ListOptions.Page"},
		{"negative page in iterator", func() error { return firstErr(c.Tickets.All(ctx, "evt_1", &ListOptions{Page: -2})) }, "ListOptions.Page"},
		{"oversized perPage", func() error { return err2(c.Events.List(ctx, "org_1", &ListOptions{PerPage: MaxPerPage + 1})) }, "ListOptions.PerPage"},
		{"oversized perPage in iterator", func() error {
			return firstErr(c.MagicLinks.All(ctx, "tkt_1", &MagicLinkListOptions{ListOptions: ListOptions{PerPage: 1000}}))
		}, "ListOptions.PerPage"},
		{"negative perPage", func() error { return err2(c.Booths.List(ctx, "evt_1", &ListOptions{PerPage: -1})) }, "ListOptions.PerPage"},
		{"filter email", func() error {
			return err2(c.Registrations.List(ctx, "evt_1", &RegistrationListOptions{Email: &StringFilter{Eq: "nobody"}}))
		}, "RegistrationListOptions.Email.Eq"},
		{"filter value with comma", func() error {
			return err2(c.Registrations.List(ctx, "evt_1", &RegistrationListOptions{Email: &StringFilter{In: []string{"a@example.com,b@example.com"}}}))
		}, "RegistrationListOptions.Email.In"},
		{"empty filter value", func() error {
			return err2(c.MagicLinks.List(ctx, "tkt_1", &MagicLinkListOptions{Email: &StringFilter{In: []string{""}}}))
		}, "MagicLinkListOptions.Email.In"},
		{"filter year 10000", func() error {
			return firstErr(c.Registrations.All(ctx, "evt_1", &RegistrationListOptions{CreatedAt: &DateTimeFilter{Lte: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}))
		}, "RegistrationListOptions.CreatedAt.Lte"},
		{"subscription URL", func() error {
			return err2(c.DataSubscriptions.Create(ctx, "evt_1", &DataSubscriptionCreateRequest{URL: "ftp://hooks.example/x"}))
		}, "DataSubscriptionCreateRequest.URL"},
		{"signal", func() error {
			return err2(c.DataSubscriptions.Create(ctx, "evt_1", &DataSubscriptionCreateRequest{Signals: []Signal{"everything"}}))
		}, "DataSubscriptionCreateRequest.Signals"},
		{"expiry in year 1", func() error {
			return err2(c.DataSubscriptions.Create(ctx, "evt_1", &DataSubscriptionCreateRequest{ExpiresAt: time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC)}))
		}, "DataSubscriptionCreateRequest.ExpiresAt"},
		{"nil writer", func() error { return err2(c.Reports.Download(ctx, "rpt_1", nil)) }, "w"},
	}
	for _, tc := range rows {
		err := tc.call()
		if assert.ErrorIs(t, err, ErrInvalidArgument, tc.name) {
			assert.Contains(t, err.Error(), ": "+tc.field+": ", tc.name)
		}
	}
	assert.Zero(t, requests.Load())
	t.Logf("FIGURE bad-input rows=%d requests-reached=%d", len(rows), requests.Load())
}

// otherOrigin is a second loopback server that counts what it gets and
// notes any Authorization header.
type otherOrigin struct {
	*httptest.Server
	hits     atomic.Int64
	withAuth atomic.Int64
}

func newOtherOrigin(t *testing.T, h http.HandlerFunc) *otherOrigin {
	o := &otherOrigin{}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.hits.Add(1)
		if r.Header.Get("Authorization") != "" {
			o.withAuth.Add(1)
		}
		if h != nil {
			h(w, r)
		}
	}))
	t.Cleanup(o.Close)
	return o
}

// orgPage writes page n of org_1…org_100, 10 a page, as listServer does.
func orgPage(w http.ResponseWriter, n int) {
	var items []string
	for i := (n-1)*10 + 1; i <= n*10; i++ {
		items = append(items, fmt.Sprintf(`{"id":"org_%d","type":"organization","attributes":{"id":"org_%d"}}`, i, i))
	}
	next := "null"
	if n < 10 {
		next = fmt.Sprintf(`"http://api.example/v1/organizations?page=%d"`, n+1)
	}
	fmt.Fprintf(w, `{"data":[%s],"meta":{"count":100},"links":{"next":%s}}`, strings.Join(items, ","), next)
}

// TestBadAnswersToAWalk answers page 3 of a 10-page All walk badly, in every
// way a server or what stands in front of it can, sequentially and with 4
// pages at once. The walk yields pages 1 and 2, then one clear error, or
// handles the answer correctly and yields all 100 items; it never panics or
// hangs (a 20 s context guards it), and never sends the token to another
// origin.
func TestBadAnswersToAWalk(t *testing.T) {
	yearAway := func() string { return time.Now().Add(366 * 24 * time.Hour).UTC().Format(http.TimeFormat) }
	for _, tc := range []struct {
		name  string
		opts  []Option
		page3 func(t *testing.T, w http.ResponseWriter, r *http.Request, n int64, other *otherOrigin)
		other http.HandlerFunc
		want  string // "" when the walk must succeed
		is    error
		calls func(n int64) bool // how many times page 3 may be asked for
	}{
		{name: "truncated JSON", page3: func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int64, _ *otherOrigin) {
			io.WriteString(w, `{"data":[{"id":"org_21","type":"organization","attributes":{"name":"Or`)
		}, want: "200: decoding the answer: jsontext: unexpected EOF"},
		{name: "wrong types", page3: func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int64, _ *otherOrigin) {
			io.WriteString(w, `{"data":[{"id":21,"type":"organization","attributes":{"name":["x"]}}],"meta":{"count":"100"}}`)
		}, want: `200: decoding the answer: json: cannot unmarshal into Go struct within "/data/0/id": a resource's id is a JSON number, not a string`},
		{name: "HTML with 200", page3: func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int64, _ *otherOrigin) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<!doctype html><html><body>Maintenance</body></html>")
		}, want: "200: decoding the answer: jsontext: invalid character '<'"},
		{name: "HTML with 502", opts: []Option{fastRetry}, page3: func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int64, _ *otherOrigin) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head></html>")
		}, want: `502 Bad Gateway: "<html><head><title>502 Bad Gateway</title></head></html>"`, is: ErrServer,
			calls: func(n int64) bool { return n == 4 }},
		{name: "empty 200", page3: func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int64, _ *otherOrigin) {},
			want: "200: decoding the answer: empty body"},
		{name: "no data", page3: func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int64, _ *otherOrigin) {
			io.WriteString(w, `{"meta":{"count":100}}`)
		}, want: `200: decoding the answer: no "data" list`},
		{name: "over the size bound", page3: func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int64, _ *otherOrigin) {
			io.WriteString(w, `{"data":[{"id":"org_21","attributes":{"name":"`)
			chunk := strings.Repeat("a", 1<<20)
			for i := 0; i <= maxBody>>20; i++ {
				if _, err := io.WriteString(w, chunk); err != nil {
					return
				}
			}
		}, want: fmt.Sprintf("answer larger than %d bytes", maxBody)},
		{name: "trickle past the timeout", opts: []Option{WithTimeout(500 * time.Millisecond), fastRetry}, page3: func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int64, _ *otherOrigin) {
			io.WriteString(w, `{"data":[`)
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				w.(http.Flusher).Flush()
				select {
				case <-tick.C:
					io.WriteString(w, " ")
				case <-r.Context().Done():
					return
				}
			}
		}, want: "attempt timed out after 500ms", calls: func(n int64) bool { return n == 1 }},
		{name: "Retry-After garbage", opts: []Option{fastRetry}, page3: func(t *testing.T, w http.ResponseWriter, r *http.Request, n int64, _ *otherOrigin) {
			if n <= 2 {
				w.Header().Set("Retry-After", "in a moment")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			orgPage(w, 3)
		}, calls: func(n int64) bool { return n == 3 }},
		{name: "Retry-After a year away", opts: []Option{fastRetry}, page3: func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int64, _ *otherOrigin) {
			w.Header().Set("Retry-After", "31536000")
			w.WriteHeader(http.StatusTooManyRequests)
		}, want: "429 Too Many Requests (Retry-After 8760h0m0s)", is: ErrRateLimited, calls: func(n int64) bool { return n == 1 }},
		{name: "Retry-After date a year away", opts: []Option{fastRetry}, page3: func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int64, _ *otherOrigin) {
			w.Header().Set("Retry-After", yearAway())
			w.WriteHeader(http.StatusServiceUnavailable)
		}, want: "503 Service Unavailable (Retry-After 8760h0m0s)", is: ErrServer, calls: func(n int64) bool { return n == 1 }},
		{name: "redirect loop", opts: []Option{fastRetry}, page3: func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int64, _ *otherOrigin) {
			http.Redirect(w, r, r.RequestURI, http.StatusFound)
		}, want: "stopped after 10 redirects", calls: func(n int64) bool { return n == 10 }},
		{name: "redirect to another origin", page3: func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int64, other *otherOrigin) {
			http.Redirect(w, r, other.URL+"/mirror?page=3", http.StatusFound)
		}, other: func(w http.ResponseWriter, r *http.Request) { orgPage(w, 3) }},
		{name: "redirect to another origin that redirects back", opts: []Option{fastRetry}, page3: func(t *testing.T, w http.ResponseWriter, r *http.Request, _ int64, other *otherOrigin) {
			http.Redirect(w, r, other.URL+"/bounce?to="+url.QueryEscape("http://"+r.Host+r.RequestURI), http.StatusFound)
		}, other: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
		}, want: "stopped after 10 redirects"},
	} {
		for _, n := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s concurrency %d", tc.name, n), func(t *testing.T) {
				if tc.name == "over the size bound" && n > 1 {
					t.Skip("once is enough for 32 MiB")
				}
				verifyNoLeaks(t)
				other := newOtherOrigin(t, tc.other)
				ls := newListServer(t, 100, append([]Option{WithPageConcurrency(n)}, tc.opts...)...)
				var page3 atomic.Int64
				ls.mux.HandleFunc("/v1/broken", func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Query().Get("page") == "3" {
						tc.page3(t, w, r, page3.Add(1), other)
						return
					}
					ls.serve(w, r)
				})
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				var ids []string
				var errs []error
				for org, err := range walkPath(ctx, ls.client, "/v1/broken") {
					if err != nil {
						errs = append(errs, err)
						continue
					}
					ids = append(ids, org.ID)
				}
				require.NoError(t, ctx.Err(), "the walk hung")
				if tc.want == "" {
					require.Empty(t, errs)
					assert.Equal(t, wantIDs(1, 100), ids)
				} else {
					require.Len(t, errs, 1, "one error, yielded once")
					// The json package words its errors "cannot" or "unable
					// to", picked once per process so no caller depends on either.
					msg := strings.Replace(errs[0].Error(), "json: unable to ", "json: cannot ", 1)
					assert.Contains(t, msg, tc.want)
					assert.Contains(t, msg, "/v1/broken?page=3", "the error names the request")
					if tc.is != nil {
						assert.ErrorIs(t, errs[0], tc.is)
					}
					assert.Equal(t, wantIDs(1, 20), ids)
				}
				if tc.calls != nil {
					assert.True(t, tc.calls(page3.Load()), "page 3 asked for %d times", page3.Load())
				}
				assert.Zero(t, other.withAuth.Load(), "the other origin got the token")
				msg := "ok"
				if len(errs) > 0 {
					msg = errs[0].Error()
					if len(msg) > 160 {
						msg = msg[:160] + "…"
					}
				}
				t.Logf("FIGURE bad-answer %q concurrency=%d items=%d page3-requests=%d other-origin-requests=%d with-token=%d: %s",
					tc.name, n, len(ids), page3.Load(), other.hits.Load(), other.withAuth.Load(), msg)
			})
		}
	}
}

// TestWalkNeverFollowsLinks: the iterator asks for pages by number and
// never fetches a links URL, so a page whose next (and first, self, last,
// prev) link points at another host, or whose next link points at itself,
// sends nothing there and loses and doubles nothing.
func TestWalkNeverFollowsLinks(t *testing.T) {
	for _, n := range []int{1, 4} {
		t.Run(fmt.Sprintf("concurrency %d", n), func(t *testing.T) {
			other := newOtherOrigin(t, func(w http.ResponseWriter, r *http.Request) { orgPage(w, 1) })
			ls := newListServer(t, 100, WithPageConcurrency(n))
			ls.mux.HandleFunc("/v1/elsewhere", func(w http.ResponseWriter, r *http.Request) {
				page, _ := strconv.Atoi(r.URL.Query().Get("page"))
				link := func(p int) string { return fmt.Sprintf("%q", fmt.Sprintf("%s/v1/organizations?page=%d", other.URL, p)) }
				var items []string
				for i := (page-1)*10 + 1; i <= page*10; i++ {
					items = append(items, fmt.Sprintf(`{"id":"org_%d","type":"organization","attributes":{}}`, i))
				}
				next := "null"
				if page < 10 {
					next = link(page + 1)
				}
				fmt.Fprintf(w, `{"data":[%s],"meta":{"count":100},"links":{"first":%s,"self":%s,"last":%s,"prev":%s,"next":%s}}`,
					strings.Join(items, ","), link(1), link(page), link(10), link(max(1, page-1)), next)
			})
			ls.mux.HandleFunc("/v1/self", func(w http.ResponseWriter, r *http.Request) {
				page, _ := strconv.Atoi(r.URL.Query().Get("page"))
				var items []string
				for i := (page-1)*10 + 1; i <= min(page*10, 100); i++ {
					items = append(items, fmt.Sprintf(`{"id":"org_%d","type":"organization","attributes":{}}`, i))
				}
				// Every next link is the page itself, and the last page has none.
				self := fmt.Sprintf(`"http://%s%s/v1/self?page=%d"`, r.Host, basePath, page)
				next := self
				if page >= 10 {
					next = "null"
				}
				fmt.Fprintf(w, `{"data":[%s],"links":{"self":%s,"next":%s}}`, strings.Join(items, ","), self, next)
			})
			for _, path := range []string{"/v1/elsewhere", "/v1/self"} {
				ids, err := collect(t, walkPath(context.Background(), ls.client, path))
				require.NoError(t, err, path)
				assert.Equal(t, wantIDs(1, 100), ids, path)
			}
			assert.Zero(t, other.hits.Load(), "the other host was asked for something")
			t.Logf("FIGURE links concurrency=%d other-host-requests=%d", n, other.hits.Load())
		})
	}
}

// verifyNoLeaks makes the test fail if, once it and its servers are done, a
// goroutine it started is still running. Call it first: cleanups run last
// to first.
func verifyNoLeaks(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

// TestDownloadCancelledDuringSlowBody cancels a download while its body
// trickles in (64 KiB, then a byte every 10 ms; the cancel comes after 120
// of them): Download returns within 5 s of the cancel with an error
// wrapping context.Canceled and the count of the bytes the writer got, and
// leaves no goroutine behind.
func TestDownloadCancelledDuringSlowBody(t *testing.T) {
	verifyNoLeaks(t)
	// WithTimeout bounds only the wait for the headers: the download, which
	// lasts at least 1.2 s, outlives it.
	ts := newTestServer(t, WithTimeout(time.Second))
	ts.mux.HandleFunc("/v1/reports/rpt_1/download", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		w.Write(bytes.Repeat([]byte("x"), 64<<10))
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			w.(http.Flusher).Flush()
			select {
			case <-tick.C:
				w.Write([]byte("y"))
			case <-r.Context().Done():
				return
			}
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelled := make(chan time.Time, 1)
	w := &signalWriter{atLeast: 64<<10 + 120, reached: func() {
		cancelled <- time.Now()
		cancel()
	}}
	n, err := ts.client.Reports.Download(ctx, "rpt_1", w)
	returned := time.Now()
	require.ErrorIs(t, err, context.Canceled)
	at := <-cancelled
	assert.Less(t, returned.Sub(at), 5*time.Second)
	assert.Equal(t, w.n, n, "the count is what the writer got")
	assert.Greater(t, n, int64(64<<10), "past the first burst: the body was trickling")
	t.Logf("FIGURE cancel \"Download slow body\" returned %s after the cancel, %d bytes written: %v", returned.Sub(at).Round(time.Millisecond), n, err)
}

// signalWriter counts what it is given and calls reached once it has at
// least atLeast bytes.
type signalWriter struct {
	n       int64
	atLeast int64
	reached func()
	once    sync.Once
}

func (s *signalWriter) Write(p []byte) (int, error) {
	s.n += int64(len(p))
	if s.n >= s.atLeast {
		s.once.Do(s.reached)
	}
	return len(p), nil
}

// TestSecretsNeverShownOnFailurePaths fails calls every way the client can
// fail (a 401 and a 500 that echo the request, a truncated answer, a body
// that trickles past the timeout, a reset connection, a redirect loop, a
// redirect to another origin, the rate limiter, a cancelled wait for a
// token, a token endpoint that is down or refuses while echoing the
// request) with a debug logger, and finds the client secret (in any form
// it is sent in) and the bearer token in none of the errors, their chains,
// the log, or %v, %+v and %#v of the values involved: the client, a Page,
// the *APIError of a 401, requests.
func TestSecretsNeverShownOnFailurePaths(t *testing.T) {
	verifyNoLeaks(t)
	const id, secret, token = "client-7f3a", "cs-4e1b9d0a2c6f8e3b", "at/9c2d7e4f1a8b3c6d"
	const shortTok = "Zq" // a static token too short to be cut but where it stands alone
	secrets := append(echoedSecretForms(id, secret), escapedForms(token)...)
	secrets = append(secrets, escapedForms("Bearer "+shortTok)...)

	other := newOtherOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "no such thing; you sent %q", r.Header.Get("Authorization"))
	})
	release := make(chan struct{})
	var slowToken atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/auth/token", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if slowToken.Load() {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if _, s, _ := r.BasicAuth(); s != url.QueryEscape(secret) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":"invalid_client","error_description":"bad credentials %s in %s (%s)"}`, r.Header.Get("Authorization"), body,
				strings.Join(escapedForms(r.Header.Get("Authorization")), ", "))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, token)
	})
	echo := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"errors":[{"status":"%d","detail":"you sent %s"}]}`, status, r.Header.Get("Authorization"))
		}
	}
	mux.HandleFunc("/v1/unauthorized", echo(http.StatusUnauthorized))
	mux.HandleFunc("/v1/broken", echo(http.StatusInternalServerError))
	mux.HandleFunc("/v1/escaped", func(w http.ResponseWriter, r *http.Request) {
		// JSON, but not JSON:API: the answer's snippet is the error's Body.
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprintf(w, `{"message":"you sent %s","as":%q}`, strings.Join(escapedForms(r.Header.Get("Authorization")), " or "), r.Header.Get("Authorization"))
	})
	mux.HandleFunc("/v1/truncated", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"data":[{"id":"`) })
	mux.HandleFunc("/v1/trickle", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"data":`)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	mux.HandleFunc("/v1/reset", func(w http.ResponseWriter, r *http.Request) { resetConnection(t, w) })
	mux.HandleFunc("/v1/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.RequestURI, http.StatusFound) })
	mux.HandleFunc("/v1/away", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, other.URL+"/x", http.StatusFound) })
	mux.HandleFunc("/v1/organizations", func(w http.ResponseWriter, r *http.Request) { orgPage(w, 1) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(release)

	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&syncWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := []Option{WithClientCredentials(id, secret), WithBaseURL(srv.URL), WithLogger(logger), WithTimeout(time.Second),
		WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond})}
	c, err := NewClient(opts...)
	require.NoError(t, err)
	ctx := context.Background()

	var shown []string
	show := func(vs ...any) {
		for _, v := range vs {
			shown = append(shown, fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v))
		}
	}
	var errs []error
	get := func(c *Client, ctx context.Context, path string) {
		err := c.Do(ctx, http.MethodGet, path, nil, &struct{}{})
		if assert.Error(t, err, path) {
			errs = append(errs, err)
		}
	}

	page, err := c.Organizations.List(ctx, nil)
	require.NoError(t, err)
	show(page, *page, c, opts, c.Organizations, &EventCreateRequest{Name: "x", Password: "event-door-code"})
	for _, path := range []string{"/v1/unauthorized", "/v1/broken", "/v1/escaped", "/v1/truncated", "/v1/trickle", "/v1/reset", "/v1/loop", "/v1/away"} {
		get(c, ctx, path)
	}
	shortToken, err := NewClient(slices.Concat(opts[1:], []Option{WithToken(shortTok)})...) // opts[0] is the client credentials
	require.NoError(t, err)
	for _, path := range []string{"/v1/unauthorized", "/v1/escaped"} {
		get(shortToken, ctx, path)
	}
	var apiErr *APIError
	require.ErrorAs(t, errs[0], &apiErr)
	require.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	show(apiErr, *apiErr)

	limited, err := NewClient(append(opts, WithRateLimit(0.001, 1))...)
	require.NoError(t, err)
	get(limited, ctx, "/v1/truncated")
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	get(limited, short, "/v1/organizations") // waiting for the limiter
	cancel()

	wrong, err := NewClient(append(opts, WithClientCredentials(id, secret+"-old"))...)
	require.NoError(t, err)
	get(wrong, ctx, "/v1/organizations") // the token endpoint refuses, echoing the request
	show(wrong)

	slowToken.Store(true)
	waiting, err := NewClient(opts...)
	require.NoError(t, err)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	get(waiting, cancelled, "/v1/organizations") // cancelled while waiting for a token

	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	down, err := NewClient(append(opts, WithBaseURL(closed.URL))...)
	require.NoError(t, err)
	get(down, ctx, "/v1/organizations") // the token endpoint is down

	logMu.Lock()
	shown = assertShowsNone(t, secrets, errs, append(shown, logs.String())...)
	logMu.Unlock()
	assert.Zero(t, other.withAuth.Load(), "the other origin got the token")
	assert.Contains(t, logs.String(), `"status":401`)
	t.Logf("FIGURE secrets failure-paths errors=%d strings-checked=%d forms-looked-for=%d found=0", len(errs), len(shown), len(secrets))
}

// syncWriter serializes writes to w.
type syncWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// TestTokenEndpointBadAnswers adds to TestTokenEndpointFailures the answers
// it lacks: a token of the wrong type, truncated JSON, an empty 200, a form
// answer without a token, an expiry that is not a number, a connection
// reset, an endpoint that is down, and one that never answers (the call's
// context bounds it). Each gives an error that says a token could not be
// fetched, and the API is never called.
func TestTokenEndpointBadAnswers(t *testing.T) {
	verifyNoLeaks(t)
	stop := make(chan struct{})
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
		ctx     time.Duration // bound the call when the endpoint never answers
	}{
		{"token not a string", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":42,"token_type":"Bearer"}`)
		}, "cannot parse json", 0},
		{"truncated", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"tok`)
		}, "cannot parse json", 0},
		{"empty 200", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
		}, "cannot parse json", 0},
		{"form without token", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
			io.WriteString(w, "token_type=Bearer")
		}, "server response missing access_token", 0},
		{"expiry not a number", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"tok","expires_in":"soon"}`)
		}, "cannot parse json", 0},
		{"reset", func(w http.ResponseWriter, r *http.Request) { resetConnection(t, w) }, "fetching a token from", 0},
		{"never answers", func(w http.ResponseWriter, r *http.Request) {
			// Until the test ends: the fetch itself is bounded only by
			// tokenTimeout (30 s), so that one caller giving up does not
			// spoil the token for the others.
			select {
			case <-stop:
			case <-r.Context().Done():
			}
		}, "waiting for a token: context deadline exceeded", 300 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var api atomic.Int64
			mux := http.NewServeMux()
			mux.HandleFunc("/v1/auth/token", tc.handler)
			mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) { api.Add(1) })
			srv := httptest.NewServer(mux)
			defer srv.Close()
			defer func() {
				if tc.ctx > 0 {
					close(stop)
				}
			}()
			c, err := NewClient(WithClientCredentials("id", "secret"), WithBaseURL(srv.URL), fastRetry)
			require.NoError(t, err)
			ctx := context.Background()
			if tc.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctx)
				defer cancel()
			}
			_, err = c.Health(ctx)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Zero(t, api.Load())
			t.Logf("FIGURE token-endpoint %q: %v", tc.name, err)
		})
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	c, err := NewClient(WithClientCredentials("id", "secret"), WithBaseURL(closed.URL), fastRetry)
	require.NoError(t, err)
	_, err = c.Health(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "fetching a token from "+closed.URL+"/v1/auth/token")
	assert.Contains(t, err.Error(), "connection refused")
	t.Logf("FIGURE token-endpoint \"down\": %v", err)
}

// TestResourceAnswerWithoutDataIsAnError: a 2xx answer to a get or create
// call that is JSON but holds no resource ({}, null, an error document) is
// an error, not an empty model whose empty ID a caller would act on.
func TestResourceAnswerWithoutDataIsAnError(t *testing.T) {
	ts := newTestServer(t)
	var body atomic.Value
	answer := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			io.WriteString(w, body.Load().(string))
		}
	}
	ts.mux.HandleFunc("/v1/organizations/org_1", answer(http.StatusOK))
	ts.mux.HandleFunc("/v1/events/evt_1/tickets", answer(http.StatusCreated))
	for _, b := range []string{`{}`, `null`, `{"data":null}`, `{"meta":{}}`, `{"errors":[{"status":"500","detail":"oops"}]}`} {
		body.Store(b)
		org, err := ts.client.Organizations.Get(context.Background(), "org_1")
		assert.Nil(t, org, b)
		if assert.Error(t, err, b) {
			assert.Contains(t, err.Error(), `/v1/organizations/org_1: 200: decoding the answer: no "data" resource`, b)
		}
		tk, err := ts.client.Tickets.Create(context.Background(), "evt_1", nil)
		assert.Nil(t, tk, b)
		if assert.Error(t, err, b) {
			assert.Contains(t, err.Error(), `/v1/events/evt_1/tickets: 201: decoding the answer: no "data" resource`, b)
		}
	}
}

// TestValidationErrorsNeverShowAnEmail: an email refused before any I/O is
// named by its field, never by its value, which is an attendee's data.
func TestValidationErrorsNeverShowAnEmail(t *testing.T) {
	ts := newTestServer(t)
	c, ctx := ts.client, context.Background()
	err2 := func(_ any, err error) error { return err }
	const bad = "ann.lee@@contoso.example"
	for _, call := range []func() error{
		func() error {
			return err2(c.Registrations.Create(ctx, "evt_1", &RegistrationCreateRequest{Email: bad, FirstName: "Ann", LastName: "Lee"}))
		},
		func() error {
			return err2(c.Registrations.List(ctx, "evt_1", &RegistrationListOptions{Email: &StringFilter{Eq: bad}}))
		},
		func() error {
			return err2(c.Registrations.List(ctx, "evt_1", &RegistrationListOptions{Email: &StringFilter{In: []string{"bob@x.example", bad}}}))
		},
		func() error {
			return err2(c.MagicLinks.List(ctx, "tkt_1", &MagicLinkListOptions{Email: &StringFilter{In: []string{bad + ",bob@x.example"}}}))
		},
		func() error {
			return err2(c.MagicLinks.Create(ctx, "tkt_1", &MagicLinkCreateRequest{Email: bad, FirstName: "Ann", LastName: "Lee"}))
		},
	} {
		err := call()
		require.ErrorIs(t, err, ErrInvalidArgument)
		assert.NotContains(t, err.Error(), "ann.lee")
	}
	assert.Zero(t, ts.requests.Load())
}
