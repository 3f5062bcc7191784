package rcevents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-querystring/query"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
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
	pacer           *pacer
	pageConcurrency int
	logger          *slog.Logger
	timeout         time.Duration
	redactor        *redactor // cuts the client's secrets out of its errors and logs
	ensureLocks     keyLocks  // one Ensure at a time per person (ensure.go)

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

// Option configures a Client made by NewClient.
type Option func(*settings)

type settings struct {
	modes        []credential // credential modes given, in order
	clientID     string
	clientSecret string
	token        string
	tokenSource  oauth2.TokenSource
	scopes       []string
	authStyle    oauth2.AuthStyle

	baseURL         string
	httpClient      *http.Client
	userAgent       string
	retry           RetryPolicy
	rateLimit       rate.Limit
	rateBurst       int
	fixedRate       bool
	pageConcurrency int
	logger          *slog.Logger
	timeout         time.Duration

	// What set the values above, for errors to name: an option or, for
	// NewClientFromEnv, an environment variable.
	clientIDFrom, clientSecretFrom, tokenFrom, baseURLFrom string
	fromEnv                                                bool // NewClientFromEnv made these settings
}

// credential is a credential mode given to NewClient, and the option or
// environment variables that gave it.
type credential struct {
	mode string // "client credentials", "token" or "token source"
	by   string
}

// addMode records a credential mode. Given twice, the mode counts once and
// the later giver is the one errors name, as its values are the ones kept.
func (s *settings) addMode(mode, by string) {
	for i, m := range s.modes {
		if m.mode == mode {
			s.modes[i].by = by
			return
		}
	}
	s.modes = append(s.modes, credential{mode: mode, by: by})
}

// WithClientCredentials authenticates with the OAuth2 client-credentials
// grant at {base URL}/v1/auth/token. Tokens are fetched when first needed,
// cached, shared by all goroutines and fetched again when they expire or the
// API refuses them.
func WithClientCredentials(clientID, clientSecret string) Option {
	return func(s *settings) {
		s.addMode("client credentials", "WithClientCredentials")
		s.clientID, s.clientSecret = clientID, clientSecret
		s.clientIDFrom, s.clientSecretFrom = "WithClientCredentials", "WithClientCredentials"
	}
}

// WithScopes asks for these scopes ("read", "write") when fetching a token
// with client credentials.
func WithScopes(scopes ...string) Option {
	return func(s *settings) { s.scopes = append([]string(nil), scopes...) }
}

// WithAuthStyle says how client credentials reach the token endpoint:
// oauth2.AuthStyleInHeader (HTTP Basic, the default) or
// oauth2.AuthStyleInParams (form fields of the body).
func WithAuthStyle(style oauth2.AuthStyle) Option {
	return func(s *settings) { s.authStyle = style }
}

// WithToken authenticates with a static bearer token. NewClient refuses a
// token with control characters, which cannot go in a header.
func WithToken(token string) Option {
	return func(s *settings) {
		s.addMode("token", "WithToken")
		s.token, s.tokenFrom = token, "WithToken"
	}
}

// WithTokenSource authenticates with tokens from ts. The client caches the
// token it returns while it is valid and asks ts again after a 401.
//
// A Token call that panics fails the request with an error saying so. One
// that has not returned after 30 seconds fails the requests waiting for it,
// and the next request calls Token afresh; the stuck call cannot be stopped,
// and its goroutine lives until Token returns.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return func(s *settings) {
		s.addMode("token source", "WithTokenSource")
		s.tokenSource = ts
	}
}

// WithBaseURL sets the API's address (DefaultBaseURL by default). It must be
// https unless its host is a loopback address; a path prefix is kept.
func WithBaseURL(baseURL string) Option {
	return func(s *settings) { s.baseURL, s.baseURLFrom = baseURL, "WithBaseURL" }
}

// WithHTTPClient sends requests through hc: its transport, timeout, jar and
// redirect policy. The client wraps hc's transport to add the bearer token,
// and never changes hc itself.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) { s.httpClient = hc }
}

// WithUserAgent names the application in the User-Agent header, before
// "rcevents-go/<version> (go<version>; <os>/<arch>)". Use "name/version".
// NewClient refuses control characters (a line break would end the header).
func WithUserAgent(app string) Option {
	return func(s *settings) { s.userAgent = app }
}

// WithRetry sets the retry policy (DefaultRetryPolicy by default).
func WithRetry(p RetryPolicy) Option {
	return func(s *settings) { s.retry = p }
}

// WithRateLimit keeps the client under perSecond requests a second, with
// bursts of up to burst, across all its goroutines. Waiting for the limiter
// ends when the call's context ends. perSecond must be a finite number;
// zero, like leaving the option out, sets no limit.
//
// The client also adapts to the API's limit by itself (see
// WithAdaptiveRateLimit); WithRateLimit is then an upper bound: the client
// keeps 5% under it, since with adaptation on a 429 pauses every request of
// the client, and slower when the API asks it to.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *settings) { s.rateLimit, s.rateBurst = rate.Limit(perSecond), burst }
}

// MaxPageConcurrency is the most pages WithPageConcurrency lets All fetch at
// once. It is the number of idle connections per host the client's default
// transport keeps: more pages at once would open a new connection for each
// page past it and close it afterwards, and hold more pages in memory,
// without getting pages faster from an API that limits its rate.
const MaxPageConcurrency = 32

// WithAdaptiveRateLimit turns the client's adaptation to the API's rate
// limit on (the default) or off.
//
// When on, the client learns the limit from the API's answers and paces all
// its requests, from all goroutines, to a little under it: from the
// RateLimit-Limit, -Remaining and -Reset headers (or X-RateLimit-*) when the
// API sends them, before anything is refused, and otherwise from the 429
// answers it gets. A 429's Retry-After pauses every new request of the
// client, not only the refused one; the waiting requests then resume spread
// out over a tenth of the pause, at the learned pace. While nothing is
// refused the pace rises slowly, so that a limit raised later is found.
// Until the limit shows, a new client lets through at most 4 more requests
// than have been answered, a window that doubles every round trip, so that
// the first burst of a concurrent walk overruns a small limit by little.
//
// A 429 answered while other requests of the client go through does not use
// up an attempt of RetryPolicy.MaxAttempts, up to 10 of them in a call: the
// server is rationing, and a walk does not fail while the client learns. A
// server that refuses every request still ends the call after MaxAttempts,
// and MaxAttempts 1 still retries nothing.
//
// When off, requests go as soon as WithRateLimit allows, a 429 delays only
// the refused request, and every 429 counts as an attempt.
func WithAdaptiveRateLimit(on bool) Option {
	return func(s *settings) { s.fixedRate = !on }
}

// WithPageConcurrency lets All iterators fetch up to n pages at once (1, the
// default, walks the pages one by one; at most MaxPageConcurrency). Items are
// yielded in API order whatever n is, and at most about n pages are held in
// memory.
func WithPageConcurrency(n int) Option {
	return func(s *settings) { s.pageConcurrency = n }
}

// WithLogger logs one debug record per attempt of a request: method, URL,
// status, duration and attempt number. Credentials and tokens are never
// logged, nor are the values of filters, which may be personal data: the
// URL shows as APIError.URL does.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) { s.logger = l }
}

// WithTimeout bounds one attempt of a request, from sending it to reading
// its whole answer. Zero, like leaving the option out, means DefaultTimeout;
// a negative d removes the bound, leaving only the call's context. For
// Reports.Download it bounds the wait for the answer's headers, not the
// download.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) { s.timeout = d }
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
			// with the pacer on, a 429 pauses every request for its Retry-After.
			perSecond *= 1 - margin
		}
		ceiling = rate.NewLimiter(perSecond, s.rateBurst)
	}
	c.pacer = newPacer(!s.fixedRate, ceiling, c.origin, c.retry)

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

// check refuses the settings no client can work with. Its errors name the
// option, never a credential.
func (s *settings) check() error {
	switch {
	case s.pageConcurrency < 1:
		return invalidArg("WithPageConcurrency", "must be at least 1, got %d", s.pageConcurrency)
	case s.pageConcurrency > MaxPageConcurrency:
		return invalidArg("WithPageConcurrency", "must be at most %d, got %d", MaxPageConcurrency, s.pageConcurrency)
	case math.IsNaN(float64(s.rateLimit)) || math.IsInf(float64(s.rateLimit), 0):
		return invalidArg("WithRateLimit", "the rate must be a finite number, got %v", float64(s.rateLimit))
	case s.rateLimit < 0 || (s.rateLimit > 0 && s.rateBurst < 1):
		return invalidArg("WithRateLimit", "needs a positive rate and a burst of at least 1")
	case hasControl(s.userAgent, false):
		return invalidArg("WithUserAgent", "must not contain control characters")
	case hasControl(s.token, false):
		return invalidArg(s.tokenFrom, "must not contain control characters")
	}
	return s.retry.validate("WithRetry")
}

// The environment variables NewClientFromEnv reads.
const (
	envClientID     = "RCEVENTS_CLIENT_ID"
	envClientSecret = "RCEVENTS_CLIENT_SECRET"
	envToken        = "RCEVENTS_TOKEN"
	envBaseURL      = "RCEVENTS_BASE_URL"
)

// NewClientFromEnv makes a client from the environment:
// RCEVENTS_CLIENT_ID and RCEVENTS_CLIENT_SECRET, or RCEVENTS_TOKEN, and
// optionally RCEVENTS_BASE_URL. Options given here apply after those. An
// error names the environment variable at fault, or the option if one of
// opts is.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	env := []Option{func(s *settings) { s.fromEnv = true }}
	id, secret := os.Getenv(envClientID), os.Getenv(envClientSecret)
	if id != "" || secret != "" {
		env = append(env, func(s *settings) {
			s.addMode("client credentials", envClientID+"/"+envClientSecret)
			s.clientID, s.clientSecret = id, secret
			s.clientIDFrom, s.clientSecretFrom = envClientID, envClientSecret
		})
	}
	if tok := os.Getenv(envToken); tok != "" {
		env = append(env, func(s *settings) {
			s.addMode("token", envToken)
			s.token, s.tokenFrom = tok, envToken
		})
	}
	if base := os.Getenv(envBaseURL); base != "" {
		env = append(env, func(s *settings) { s.baseURL, s.baseURLFrom = base, envBaseURL })
	}
	return NewClient(append(env, opts...)...)
}

func (s *settings) credentials(tokenURL string, transport http.RoundTripper, r *redactor) (*tokenCache, string, error) {
	switch len(s.modes) {
	case 0:
		if s.fromEnv {
			return nil, "", invalidArg("credentials", "none given: set %s and %s, or %s", envClientID, envClientSecret, envToken)
		}
		return nil, "", invalidArg("credentials", "none given: use WithClientCredentials, WithToken or WithTokenSource")
	case 1:
	default:
		by := make([]string, len(s.modes))
		for i, m := range s.modes {
			by[i] = m.by
		}
		return nil, "", invalidArg("credentials", "%s given together: use exactly one", strings.Join(by, " and "))
	}
	mode := s.modes[0].mode
	switch mode {
	case "client credentials":
		if s.clientID == "" {
			return nil, "", invalidArg(s.clientIDFrom, "client ID is empty")
		}
		if s.clientSecret == "" {
			return nil, "", invalidArg(s.clientSecretFrom, "client secret is empty")
		}
		style := s.authStyle
		if style == oauth2.AuthStyleAutoDetect {
			style = oauth2.AuthStyleInHeader
		}
		cfg := &clientcredentials.Config{
			ClientID:     s.clientID,
			ClientSecret: s.clientSecret,
			TokenURL:     tokenURL,
			Scopes:       s.scopes,
			AuthStyle:    style,
		}
		return clientCredentialTokens(cfg, transport, r), mode, nil
	case "token":
		if s.token == "" {
			return nil, "", invalidArg(s.tokenFrom, "token is empty")
		}
		return staticTokens(s.token, r), mode, nil
	default:
		if s.tokenSource == nil {
			return nil, "", invalidArg("WithTokenSource", "token source is nil")
		}
		return sourceTokens(s.tokenSource, r), mode, nil
	}
}

// parseBaseURL checks that raw is an absolute http(s) URL without
// credentials, query or fragment, and https unless its host is loopback.
// Its errors name field, the option or environment variable raw came from,
// and never show a password: a URL with credentials is refused before
// url.Parse, whose errors quote the whole URL.
func parseBaseURL(field, raw string) (*url.URL, error) {
	if hasUserinfo(raw) {
		return nil, invalidArg(field, "must not carry credentials")
	}
	// A bare trailing "?" or "#" leaves RawQuery and Fragment empty, and
	// the "?" would stay in every request's URL, before its path.
	if strings.ContainsAny(raw, "?#") {
		return nil, invalidArg(field, "must not have a query or fragment")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, invalidArg(field, "%v", err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		return nil, invalidArg(field, "%q is not an absolute http(s) URL", raw)
	case u.User != nil:
		return nil, invalidArg(field, "must not carry credentials")
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, invalidArg(field, "must be https unless its host is loopback, got %q", u.Host)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func userAgent(app string) string {
	ua := fmt.Sprintf("rcevents-go/%s (%s; %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if app = strings.TrimSpace(app); app != "" {
		ua = app + " " + ua
	}
	return ua
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
	cs, err := newCallSettings(r.opts)
	if err != nil {
		return err
	}
	x := &exchange{c: c, r: r, retry: c.retry, header: cs.header, start: time.Now()}
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
	start  time.Time

	target   string
	body     []byte
	attempts int            // attempts sent, the first included
	pc       *pacedCall     // the call's place in the client's pace
	last     *http.Response // the latest answer, its body closed
	// unknown is set once an attempt may have been acted on although no
	// answer said so: sent, then a transport error, a timeout or a 5xx.
	unknown bool
}

func (x *exchange) run(ctx context.Context, handle func(*http.Response) error) error {
	if err := x.build(); err != nil {
		return err
	}
	x.pc = x.c.pacer.call()
	defer x.pc.end()
	for {
		if err := x.pc.wait(ctx); err != nil {
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
// URL, with the client's secrets cut out.
func (x *exchange) errorf(format string, args ...any) error {
	err := fmt.Errorf("rcevents: %s %s: "+format, append([]any{x.r.method, x.c.showURL(x.target)}, args...)...)
	return x.c.redactor.redactErr(err)
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
// long. Attempts the pacer forgave (429s while the server let others
// through) do not count against RetryPolicy.MaxAttempts.
func (x *exchange) attempt(ctx context.Context, handle func(*http.Response) error) (retry bool, wait time.Duration, err error) {
	c, r, n := x.c, x.r, x.attempts-x.pc.forgiven
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

	var reqBody io.Reader = http.NoBody
	if x.body != nil {
		reqBody = bytes.NewReader(x.body)
	}
	req, err := http.NewRequestWithContext(actx, r.method, x.target, reqBody)
	if err != nil {
		return false, 0, x.transportError(actx, err)
	}
	for k, vs := range x.header {
		req.Header[k] = vs
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
	x.pc.observe(resp)
	c.log(ctx, r.method, x.target, resp, err, time.Since(start), x.attempts)
	if err != nil {
		err = x.transportError(actx, err)
		if wrote.Load() {
			x.unknown = true
		}
		if n < x.retry.MaxAttempts && retryableError(ctx, r.method, err) {
			return true, x.retry.backoff(n), err
		}
		return false, 0, x.outcome(err)
	}
	x.last = resp
	if r.stream && timer != nil {
		timer.Stop()
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := c.apiError(resp, r.method, x.target)
		drainAndClose(resp.Body)
		if actedOnMaybe(resp.StatusCode) {
			x.unknown = true
		}
		if r.method == http.MethodDelete && resp.StatusCode == http.StatusNotFound && x.unknown {
			return false, 0, nil // an earlier attempt deleted it: gone, as asked
		}
		switch {
		case !retryableStatus(r.method, resp.StatusCode):
			return false, 0, x.outcome(apiErr)
		case n >= x.retry.MaxAttempts && x.pc.excused:
			// A 429 while the server lets other requests through: rationing,
			// not a failure of this call.
		case n >= x.retry.MaxAttempts && n > 1:
			return false, 0, x.outcome(fmt.Errorf("%w (gave up after %d attempts)", apiErr, n))
		case n >= x.retry.MaxAttempts:
			return false, 0, x.outcome(apiErr)
		case apiErr.RetryAfter > x.retry.MaxBackoff:
			return false, 0, x.outcome(fmt.Errorf("%w: server asked to retry after %s, more than MaxBackoff %s", apiErr, apiErr.RetryAfter, x.retry.MaxBackoff))
		}
		if _, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return true, apiErr.RetryAfter, apiErr
		}
		return true, x.retry.backoff(n), apiErr
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
	}
	return x.errorf("%w", withTimeoutCause(actx, err))
}

// withTimeoutCause says in err that the per-attempt time limit ended the
// attempt, when it did and err does not say so already.
func withTimeoutCause(actx context.Context, err error) error {
	if cause := context.Cause(actx); errors.Is(cause, errAttemptTimeout) && !errors.Is(err, errAttemptTimeout) {
		return fmt.Errorf("%w: %w", cause, err)
	}
	return err
}

func (c *Client) log(ctx context.Context, method, target string, resp *http.Response, err error, d time.Duration, attempt int) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("url", c.showURL(target)),
		slog.Duration("duration", d),
		slog.Int("attempt", attempt),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
		if id := requestID(resp.Header); id != "" {
			attrs = append(attrs, slog.String("request_id", id))
		}
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", c.logError(err)))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "rcevents request", attrs...)
}
