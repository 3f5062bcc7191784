package rcevents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-querystring/query"
	"golang.org/x/time/rate"
)

// Version is the version of this SDK, sent in the User-Agent header.
const Version = "0.1.0"

// DefaultBaseURL is the Events API's address.
const DefaultBaseURL = "https://api.events.ringcentral.com"

// DefaultTimeout bounds one attempt of a request, from sending it to reading
// the whole answer, unless WithTimeout says otherwise.
const DefaultTimeout = 60 * time.Second

// Client talks to the Events API. It is safe for concurrent use by many
// goroutines, which share its token, connections and rate limit. Make one
// with NewClient or NewClientFromEnv.
type Client struct {
	base            string // base URL, without a trailing slash
	origin          origin
	hc              *http.Client
	tokens          *tokenCache
	mode            string // the credential mode, for String
	userAgent       string
	retry           RetryPolicy
	limiter         *limiter
	pageConcurrency int
	logger          *slog.Logger
	timeout         time.Duration
	redactor        *redactor // cuts the client's secrets out of its errors and logs
	people          people    // what Ensure found and created, by list (ensure.go)

	common service // one allocation shared by the services below

	Organizations     *OrganizationsService
	Templates         *TemplatesService
	Events            *EventsService
	Registrations     *RegistrationsService
	Tickets           *TicketsService
	MagicLinks        *MagicLinksService
	Reports           *ReportsService
	ScheduleItems     *ScheduleItemsService
	Sessions          *SessionsService
	Stages            *StagesService
	Booths            *BoothsService
	Tags              *TagsService
	DataSubscriptions *DataSubscriptionsService
}

// service is what every service struct is: a handle on the client.
type service struct {
	client *Client
}

// NewClient makes a client. It needs exactly one credential option
// (WithClientCredentials, WithToken or WithTokenSource) and does no network
// I/O: the first token is fetched by the first request.
func NewClient(opts ...Option) (*Client, error) {
	s := settings{baseURL: DefaultBaseURL, baseURLFrom: "WithBaseURL", pageConcurrency: 1}
	for _, opt := range opts {
		if opt != nil {
			opt(&s)
		}
	}
	base, err := parseBaseURL(s.baseURLFrom, s.baseURL)
	if err != nil {
		return nil, err
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}

	hc := &http.Client{}
	if s.httpClient != nil {
		*hc = *s.httpClient
	}
	if hc.CheckRedirect == nil {
		hc.CheckRedirect = checkRedirect
	}
	transport := hc.Transport
	if transport == nil {
		transport = defaultTransport()
	}

	c := &Client{
		base:            strings.TrimSuffix(base.String(), "/"),
		origin:          originOf(base),
		hc:              hc,
		userAgent:       userAgent(s.userAgent),
		retry:           s.retry.withDefaults(),
		pageConcurrency: s.pageConcurrency,
		logger:          s.logger,
		timeout:         s.timeout,
		redactor:        &redactor{},
	}
	if c.tokens, c.mode, err = s.credentials(c.base+"/v1/auth/token", transport, c.redactor); err != nil {
		return nil, err
	}
	hc.Transport = &authTransport{base: transport, origin: c.origin, tokens: c.tokens}
	var ceiling *rate.Limiter
	if s.rateLimit > 0 {
		perSecond := s.rateLimit
		if !s.fixedRate {
			// A little under the caller's limit: requests sent at its exact
			// pace may reach the server closer together than they left, and
			// a 429 pauses every request of the client for its Retry-After.
			perSecond *= 1 - ceilingMargin
		}
		ceiling = rate.NewLimiter(perSecond, s.rateBurst)
	}
	c.limiter = newLimiter(!s.fixedRate, ceiling, c.origin, c.retry)

	c.common.client = c
	c.Organizations = (*OrganizationsService)(&c.common)
	c.Templates = (*TemplatesService)(&c.common)
	c.Events = (*EventsService)(&c.common)
	c.Registrations = (*RegistrationsService)(&c.common)
	c.Tickets = (*TicketsService)(&c.common)
	c.MagicLinks = (*MagicLinksService)(&c.common)
	c.Reports = (*ReportsService)(&c.common)
	c.ScheduleItems = (*ScheduleItemsService)(&c.common)
	c.Sessions = (*SessionsService)(&c.common)
	c.Stages = (*StagesService)(&c.common)
	c.Booths = (*BoothsService)(&c.common)
	c.Tags = (*TagsService)(&c.common)
	c.DataSubscriptions = (*DataSubscriptionsService)(&c.common)
	return c, nil
}

// maxRedirects is how many redirects a request follows, as net/http's
// default policy does.
const maxRedirects = 10

// errTooManyRedirects ends a request that went round a redirect loop. It is
// not retried: the loop would only go round again.
var errTooManyRedirects = fmt.Errorf("stopped after %d redirects", maxRedirects)

func checkRedirect(_ *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return errTooManyRedirects
	}
	return nil
}

// defaultTransport is http.DefaultTransport with enough idle connections per
// host for concurrent page fetches to reuse them.
func defaultTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	return t
}

// String describes the client without its credentials.
func (c *Client) String() string {
	return fmt.Sprintf("rcevents.Client{baseURL: %s, auth: %s}", c.base, c.mode)
}

// Format prints the client as String does, whatever the verb, so that no
// verb (%v, %+v, %#v) prints a credential.
func (c *Client) Format(f fmt.State, _ rune) {
	io.WriteString(f, c.String())
}

// call is one API request, before it is sent.
type call struct {
	method   string
	path     string // escaped, below the base URL, beginning with "/"
	query    any    // options encoded with go-querystring, or nil
	rawQuery string // a query already encoded, for Client.Do
	body     any    // encoded as JSON, or nil
	accept   string // the Accept header; "" for application/json
	stream   bool   // the time limit covers only the wait for the answer's headers
	opts     []CallOption
}

// do sends r, retrying as the policy allows, and hands a 2xx answer to
// handle, which reads what it needs of the body (nil: nothing). Any other
// answer becomes an *APIError. The body is drained (bounded) and closed when handle returns.
func (c *Client) do(ctx context.Context, r call, handle func(*http.Response) error) error {
	if err := checkContext(ctx); err != nil {
		return err
	}
	cs, err := newCallSettings(r.opts)
	if err != nil {
		return err
	}
	x := &exchange{c: c, r: r, retry: c.retry, header: cs.header, red: c.redactor.with(cs.personal), start: time.Now()}
	if cs.retry != nil {
		x.retry = *cs.retry
	}
	err = x.run(ctx, handle)
	if cs.response != nil {
		*cs.response = x.response()
	}
	return err
}

// exchange is one call in progress: its request, its attempts and what
// they were answered.
type exchange struct {
	c      *Client
	r      call
	retry  RetryPolicy
	header http.Header // the call's own headers (WithHeader)
	red    *redactor   // the client's secrets and the call's personal data (withPersonal)
	start  time.Time

	target   string
	body     []byte
	attempts int            // attempts sent, the first included
	ticket   *ticket        // the call's way through the client's rate limiter
	last     *http.Response // the latest answer, its body closed
	// unknown is set once an attempt may have been acted on although no
	// answer said so: sent, then a transport error, a timeout or a 5xx.
	unknown bool
}

func (x *exchange) run(ctx context.Context, handle func(*http.Response) error) error {
	if err := x.build(); err != nil {
		return err
	}
	x.ticket = x.c.limiter.ticket()
	defer x.ticket.observe(nil)
	for {
		if err := x.ticket.wait(ctx, x.retry.MaxBackoff); err != nil {
			return x.errorf("waiting for the rate limiter: %w", err)
		}
		x.attempts++
		retry, wait, err := x.attempt(ctx, handle)
		if !retry {
			return err
		}
		if serr := sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w; waiting to retry: %w", err, serr)
		}
	}
}

// build makes the request's URL and body.
func (x *exchange) build() error {
	r := x.r
	x.target = x.c.base + r.path
	q := r.rawQuery
	if r.query != nil {
		v, err := query.Values(r.query)
		if err != nil {
			return x.errorf("encoding the query: %w", err)
		}
		q = v.Encode()
	}
	if q != "" {
		x.target += "?" + q
		x.red = x.red.with(queryPersonal(q))
	}
	if r.body != nil {
		body, err := encodeBody(r.body)
		if err != nil {
			return x.errorf("%w", invalidArg("body", "cannot be encoded as JSON: %v", err))
		}
		x.body = body
	}
	return nil
}

// errorf returns an error naming the request by what may be shown of its
// URL, with the client's secrets and the call's personal data cut out.
func (x *exchange) errorf(format string, args ...any) error {
	err := fmt.Errorf("rcevents: %s %s: "+format, append([]any{x.r.method, x.showURL(x.target)}, args...)...)
	return x.red.redactErr(err)
}

// response is the metadata of the exchange's final answer.
func (x *exchange) response() Response {
	resp := Response{URL: x.target, Attempts: x.attempts, Duration: time.Since(x.start)}
	if x.last != nil {
		resp.StatusCode = x.last.StatusCode
		resp.Header = x.last.Header
		resp.RequestID = requestID(x.last.Header)
		resp.RateLimit, _ = parseRateLimit(x.last.Header, time.Now())
	}
	return resp
}

// errAttemptTimeout is the cause of an attempt's context when the
// per-attempt time limit ended it.
var errAttemptTimeout = errors.New("attempt timed out")

// attempt sends one attempt. It says whether to try again, and after how
// long, as the call's retry policy decides.
func (x *exchange) attempt(ctx context.Context, handle func(*http.Response) error) (retry bool, wait time.Duration, err error) {
	c, r := x.c, x.r
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var timer *time.Timer
	if c.timeout > 0 {
		timer = time.AfterFunc(c.timeout, func() { cancel(fmt.Errorf("%w after %s", errAttemptTimeout, c.timeout)) })
		defer timer.Stop()
	}
	var wrote atomic.Bool // the request reached the server whole
	if !safe(r.method) {
		actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
			WroteRequest: func(info httptrace.WroteRequestInfo) { wrote.Store(info.Err == nil) },
		})
	}

	if x.header != nil {
		// Set by the auth transport, as the token is: a redirect to another
		// origin must not carry them.
		actx = context.WithValue(actx, callHeaderKey{}, x.header)
	}

	var reqBody io.Reader = http.NoBody
	if x.body != nil {
		reqBody = bytes.NewReader(x.body)
	}
	req, err := http.NewRequestWithContext(actx, r.method, x.target, reqBody)
	if err != nil {
		return false, 0, x.transportError(actx, err)
	}
	accept := r.accept
	if accept == "" {
		accept = "application/json"
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", c.userAgent)
	if x.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	start := time.Now()
	resp, err := c.hc.Do(req)
	x.ticket.observe(resp)
	x.log(ctx, resp, err, time.Since(start))
	if err != nil {
		err = x.transportError(actx, err)
		if wrote.Load() {
			x.unknown = true
		}
		return x.decide(ctx, err, nil)
	}
	x.last = resp
	if r.stream && timer != nil {
		timer.Stop()
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := x.apiError(resp)
		drainAndClose(resp.Body)
		if actedOnMaybe(resp.StatusCode) {
			x.unknown = true
		}
		if r.method == http.MethodDelete && resp.StatusCode == http.StatusNotFound && x.unknown {
			return false, 0, nil // an earlier attempt deleted it: gone, as asked
		}
		return x.decide(ctx, apiErr, apiErr)
	}
	defer drainAndClose(resp.Body)
	if handle == nil {
		return false, 0, nil // the answer is not read
	}
	if err := handle(resp); err != nil {
		x.unknown = true // the server acted; what it made is not known
		err = withTimeoutCause(actx, err)
		return false, 0, x.outcome(x.errorf("%d: %w", resp.StatusCode, err))
	}
	return false, 0, nil
}

// decide ends the call with err, or has it retried after wait, as the
// call's retry policy says of attempt x.attempts: an answer apiErr, or, when
// apiErr is nil, a round trip that failed with err.
func (x *exchange) decide(ctx context.Context, err error, apiErr *APIError) (retry bool, wait time.Duration, _ error) {
	wait, final := x.retry.next(ctx, x.r.method, x.attempts, err, apiErr)
	if final != nil {
		return false, 0, x.outcome(final)
	}
	return true, wait, err
}

// outcome marks err with ErrOutcomeUnknown when the call is a write that
// the server may have acted on although no answer said what happened.
func (x *exchange) outcome(err error) error {
	if x.unknown && !idempotent(x.r.method) {
		return &outcomeError{err}
	}
	return err
}

// actedOnMaybe reports whether an answer with this status leaves open
// whether the server acted on the request: a 5xx other than 503, which says
// the server did not take it.
func actedOnMaybe(status int) bool {
	return status >= 500 && status != http.StatusServiceUnavailable
}

// transportError names the request of a failed round trip and, when the
// per-attempt time limit ended it, says so.
func (x *exchange) transportError(actx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is named below, once
		if u, perr := url.Parse(ue.URL); perr == nil && originOf(u) != x.c.origin {
			err = fmt.Errorf("%s: %w", elsewhere(u), err) // where a redirect led
		}
	}
	return x.errorf("%w", withTimeoutCause(actx, err))
}

// elsewhere is u, a URL on another origin than the API's that a redirect
// led to, as errors show it: scheme, host and path. Its query is left out:
// a report's storage URL is signed there, like a password.
func elsewhere(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
}

// withTimeoutCause says in err that the per-attempt time limit ended the
// attempt, when it did and err does not say so already.
func withTimeoutCause(actx context.Context, err error) error {
	if cause := context.Cause(actx); errors.Is(cause, errAttemptTimeout) && !errors.Is(err, errAttemptTimeout) {
		return fmt.Errorf("%w: %w", cause, err)
	}
	return err
}

// log logs an attempt's answer, or its error, at debug level.
func (x *exchange) log(ctx context.Context, resp *http.Response, err error, d time.Duration) {
	logger := x.c.logger
	if logger == nil || !logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", x.r.method),
		slog.String("url", x.showURL(x.target)),
		slog.Duration("duration", d),
		slog.Int("attempt", x.attempts),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
		if id := requestID(resp.Header); id != "" {
			attrs = append(attrs, slog.String("request_id", id))
		}
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", x.logError(err)))
	}
	logger.LogAttrs(ctx, slog.LevelDebug, "rcevents request", attrs...)
}

// showURL is target, a request's URL, as errors and logs show it: as
// displayURL shows it, without the client's secrets and the call's personal
// data.
func (x *exchange) showURL(target string) string {
	return x.red.redact(displayURL(target))
}

// apiError reads a failed answer to a request for target into an *APIError
// fit to show. The caller closes the body. An answer from another origin,
// which a redirect led to (a report's storage), names that origin and path,
// so that whoever debugs it looks there; its query, which signs the URL
// like a password, is left out of the error and cut from the body.
func (x *exchange) apiError(resp *http.Response) *APIError {
	shown, red := x.showURL(x.target), x.red
	if resp.Request != nil && originOf(resp.Request.URL) != x.c.origin {
		u := resp.Request.URL
		shown = elsewhere(u)
		var signed []string
		for _, vs := range u.Query() {
			for _, v := range vs {
				if v != "" {
					signed = append(signed, v)
				}
			}
		}
		red = red.with(signed)
	}
	return newAPIError(resp, x.r.method, shown, time.Now(), red)
}

// logError is the text of err, the error of a round trip, as a debug log
// shows it: cut as errorf's are, and with a *url.Error's URL (the
// request's, or a redirect's) as showURL shows it.
func (x *exchange) logError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return x.red.redact(fmt.Sprintf("%s %q: %v", ue.Op, x.showURL(ue.URL), ue.Err))
	}
	return x.red.redact(err.Error())
}
