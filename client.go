package rcevents

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
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

// maxBody bounds a successful JSON answer. The largest page the API serves
// is far below it; a body past it is an error, not a reason to fill memory.
const maxBody = 32 << 20

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
	modes        []string // credential modes given, in order
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
}

func (s *settings) addMode(mode string) {
	for _, m := range s.modes {
		if m == mode {
			return
		}
	}
	s.modes = append(s.modes, mode)
}

// WithClientCredentials authenticates with the OAuth2 client-credentials
// grant at {base URL}/v1/auth/token. Tokens are fetched when first needed,
// cached, shared by all goroutines and fetched again when they expire or the
// API refuses them.
func WithClientCredentials(clientID, clientSecret string) Option {
	return func(s *settings) {
		s.addMode("client credentials")
		s.clientID, s.clientSecret = clientID, clientSecret
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

// WithToken authenticates with a static bearer token.
func WithToken(token string) Option {
	return func(s *settings) {
		s.addMode("token")
		s.token = token
	}
}

// WithTokenSource authenticates with tokens from ts. The client caches the
// token it returns while it is valid and asks ts again after a 401.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return func(s *settings) {
		s.addMode("token source")
		s.tokenSource = ts
	}
}

// WithBaseURL sets the API's address (DefaultBaseURL by default). It must be
// https unless its host is a loopback address; a path prefix is kept.
func WithBaseURL(baseURL string) Option {
	return func(s *settings) { s.baseURL = baseURL }
}

// WithHTTPClient sends requests through hc: its transport, timeout, jar and
// redirect policy. The client wraps hc's transport to add the bearer token,
// and never changes hc itself.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) { s.httpClient = hc }
}

// WithUserAgent names the application in the User-Agent header, before
// "rcevents-go/<version> (go<version>; <os>/<arch>)". Use "name/version".
func WithUserAgent(app string) Option {
	return func(s *settings) { s.userAgent = app }
}

// WithRetry sets the retry policy (DefaultRetryPolicy by default).
func WithRetry(p RetryPolicy) Option {
	return func(s *settings) { s.retry = p }
}

// WithRateLimit keeps the client under perSecond requests a second, with
// bursts of up to burst, across all its goroutines. Waiting for the limiter
// ends when the call's context ends.
//
// The client also adapts to the API's limit by itself (see
// WithAdaptiveRateLimit); WithRateLimit is then an upper bound: the client
// never goes faster, and slower when the API asks it to.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *settings) { s.rateLimit, s.rateBurst = rate.Limit(perSecond), burst }
}

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
// default, walks the pages one by one). Items are yielded in API order
// whatever n is, and at most about n pages are held in memory.
func WithPageConcurrency(n int) Option {
	return func(s *settings) { s.pageConcurrency = n }
}

// WithLogger logs one debug record per attempt of a request: method, URL,
// status, duration and attempt number. Credentials and tokens are never
// logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) { s.logger = l }
}

// WithTimeout bounds one attempt of a request, from sending it to reading
// its whole answer (DefaultTimeout by default). For Reports.Download it
// bounds the wait for the answer's headers, not the download. A negative d
// removes the bound; the call's context still applies.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) { s.timeout = d }
}

// NewClient makes a client. It needs exactly one credential option
// (WithClientCredentials, WithToken or WithTokenSource) and does no network
// I/O: the first token is fetched by the first request.
func NewClient(opts ...Option) (*Client, error) {
	s := settings{baseURL: DefaultBaseURL, pageConcurrency: 1, timeout: DefaultTimeout}
	for _, opt := range opts {
		if opt != nil {
			opt(&s)
		}
	}
	base, err := parseBaseURL(s.baseURL)
	if err != nil {
		return nil, err
	}
	if s.pageConcurrency < 1 {
		return nil, invalidArg("WithPageConcurrency", "must be at least 1, got %d", s.pageConcurrency)
	}
	if s.rateLimit < 0 || (s.rateLimit > 0 && s.rateBurst < 1) {
		return nil, invalidArg("WithRateLimit", "needs a positive rate and a burst of at least 1")
	}
	if s.retry.MaxAttempts < 0 || s.retry.MinBackoff < 0 || s.retry.MaxBackoff < 0 {
		return nil, invalidArg("WithRetry", "fields must not be negative")
	}
	if strings.ContainsAny(s.userAgent, "\r\n") {
		return nil, invalidArg("WithUserAgent", "must not contain line breaks")
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
	}
	if c.tokens, c.mode, err = s.credentials(c.base+"/v1/auth/token", transport); err != nil {
		return nil, err
	}
	hc.Transport = &authTransport{base: transport, origin: c.origin, tokens: c.tokens}
	var ceiling *rate.Limiter
	if s.rateLimit > 0 {
		ceiling = rate.NewLimiter(s.rateLimit, s.rateBurst)
	}
	c.pacer = newPacer(!s.fixedRate, ceiling, c.origin, c.retry.MaxAttempts > 1)

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

// NewClientFromEnv makes a client from the environment:
// RCEVENTS_CLIENT_ID and RCEVENTS_CLIENT_SECRET, or RCEVENTS_TOKEN, and
// optionally RCEVENTS_BASE_URL. Options given here apply after those.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	var env []Option
	id, secret := os.Getenv("RCEVENTS_CLIENT_ID"), os.Getenv("RCEVENTS_CLIENT_SECRET")
	if id != "" || secret != "" {
		env = append(env, WithClientCredentials(id, secret))
	}
	if tok := os.Getenv("RCEVENTS_TOKEN"); tok != "" {
		env = append(env, WithToken(tok))
	}
	if base := os.Getenv("RCEVENTS_BASE_URL"); base != "" {
		env = append(env, WithBaseURL(base))
	}
	c, err := NewClient(append(env, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("rcevents: client from environment: %w", err)
	}
	return c, nil
}

func (s *settings) credentials(tokenURL string, transport http.RoundTripper) (*tokenCache, string, error) {
	switch len(s.modes) {
	case 0:
		return nil, "", invalidArg("credentials", "none given: use WithClientCredentials, WithToken or WithTokenSource")
	case 1:
	default:
		return nil, "", invalidArg("credentials", "%s given together: use exactly one", strings.Join(s.modes, " and "))
	}
	mode := s.modes[0]
	switch mode {
	case "client credentials":
		if s.clientID == "" {
			return nil, "", invalidArg("WithClientCredentials", "client ID is empty")
		}
		if s.clientSecret == "" {
			return nil, "", invalidArg("WithClientCredentials", "client secret is empty")
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
		return clientCredentialTokens(cfg, transport), mode, nil
	case "token":
		if s.token == "" {
			return nil, "", invalidArg("WithToken", "token is empty")
		}
		return staticTokens(s.token), mode, nil
	default:
		if s.tokenSource == nil {
			return nil, "", invalidArg("WithTokenSource", "token source is nil")
		}
		return sourceTokens(s.tokenSource), mode, nil
	}
}

// parseBaseURL checks that raw is an absolute http(s) URL without
// credentials, query or fragment, and https unless its host is loopback.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, invalidArg("WithBaseURL", "%v", err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		return nil, invalidArg("WithBaseURL", "%q is not an absolute http(s) URL", raw)
	case u.User != nil:
		return nil, invalidArg("WithBaseURL", "must not carry credentials")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, invalidArg("WithBaseURL", "must not have a query or fragment")
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, invalidArg("WithBaseURL", "must be https unless its host is loopback, got %q", u.Host)
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
	method string
	path   string // escaped, below the base URL, beginning with "/"
	query  any    // options encoded with go-querystring, or nil
	body   any    // encoded as JSON, or nil
	accept string // the Accept header; "" for application/json
	stream bool   // the time limit covers only the wait for the answer's headers
}

// do sends r, retrying as the policy allows, and hands a 2xx answer to
// handle, which reads what it needs of the body. Any other answer becomes an
// *APIError. The body is drained (bounded) and closed when handle returns.
func (c *Client) do(ctx context.Context, r call, handle func(*http.Response) error) error {
	target := c.base + r.path
	if r.query != nil {
		v, err := query.Values(r.query)
		if err != nil {
			return fmt.Errorf("rcevents: %s %s: encoding the query: %w", r.method, target, err)
		}
		if q := v.Encode(); q != "" {
			target += "?" + q
		}
	}
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("rcevents: %s %s: encoding the body: %w", r.method, target, err)
		}
	}

	pc := c.pacer.call()
	defer pc.end()
	for attempt := 1; ; attempt++ {
		if err := pc.wait(ctx); err != nil {
			return fmt.Errorf("rcevents: %s %s: waiting for the rate limiter: %w", r.method, target, err)
		}
		retry, wait, err := c.attempt(ctx, r, target, body, attempt-pc.forgiven, pc, handle)
		if !retry {
			return err
		}
		if serr := sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w; waiting to retry: %w", err, serr)
		}
	}
}

// errAttemptTimeout is the cause of an attempt's context when the
// per-attempt time limit ended it.
var errAttemptTimeout = errors.New("attempt timed out")

// attempt sends one attempt of r, the n-th that counts against
// RetryPolicy.MaxAttempts. It says whether to try again, and after how long.
func (c *Client) attempt(ctx context.Context, r call, target string, body []byte, n int, pc *pacedCall, handle func(*http.Response) error) (retry bool, wait time.Duration, err error) {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var timer *time.Timer
	if c.timeout > 0 {
		timer = time.AfterFunc(c.timeout, func() { cancel(fmt.Errorf("%w after %s", errAttemptTimeout, c.timeout)) })
		defer timer.Stop()
	}

	var reqBody io.Reader = http.NoBody
	if body != nil {
		reqBody = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, r.method, target, reqBody)
	if err != nil {
		return false, 0, fmt.Errorf("rcevents: %s %s: %w", r.method, target, err)
	}
	accept := r.accept
	if accept == "" {
		accept = "application/json"
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	start := time.Now()
	resp, err := c.hc.Do(req)
	pc.observe(resp)
	c.log(ctx, r.method, target, resp, err, time.Since(start), n)
	if err != nil {
		err = c.transportError(actx, r.method, target, err)
		if n < c.retry.MaxAttempts && retryableError(ctx, r.method, err) {
			return true, c.retry.backoff(n), err
		}
		return false, 0, err
	}
	if r.stream && timer != nil {
		timer.Stop()
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := newAPIError(resp, r.method, target, time.Now())
		drainAndClose(resp.Body)
		if (n >= c.retry.MaxAttempts && !pc.excused) || !retryableStatus(r.method, resp.StatusCode) {
			return false, 0, apiErr
		}
		if apiErr.RetryAfter > c.retry.MaxBackoff {
			return false, 0, apiErr
		}
		if _, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return true, apiErr.RetryAfter, apiErr
		}
		return true, c.retry.backoff(n), apiErr
	}
	defer drainAndClose(resp.Body)
	if err := handle(resp); err != nil {
		err = withTimeoutCause(actx, err)
		return false, 0, fmt.Errorf("rcevents: %s %s: %d: %w", r.method, target, resp.StatusCode, err)
	}
	return false, 0, nil
}

// transportError names the request of a failed round trip and, when the
// per-attempt time limit ended it, says so.
func (c *Client) transportError(actx context.Context, method, target string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is named below, once
	}
	return fmt.Errorf("rcevents: %s %s: %w", method, target, withTimeoutCause(actx, err))
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
		slog.String("url", target),
		slog.Duration("duration", d),
		slog.Int("attempt", attempt),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "rcevents request", attrs...)
}

// doJSON sends r and decodes a 2xx answer's body into out. out may be nil
// when the answer has no body worth reading. It returns the answer's status.
func (c *Client) doJSON(ctx context.Context, r call, out any) (int, error) {
	var status int
	err := c.do(ctx, r, func(resp *http.Response) error {
		status = resp.StatusCode
		if out == nil || resp.StatusCode == http.StatusNoContent {
			return nil
		}
		return decodeJSON(resp.Body, out)
	})
	return status, err
}

// errBodyTooLarge ends a decode that reached maxBody.
var errBodyTooLarge = fmt.Errorf("answer larger than %d bytes", maxBody)

// bodyBuffers holds the buffers answers are read into before decoding. A
// decoder reading from the body would buffer the whole value too, in a
// buffer it grows from scratch on every answer.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer kept for reuse, so that one unusual
// answer does not hold its memory for good.
const maxPooledBuffer = 1 << 20

// decodeJSON reads body, up to maxBody, and decodes it into out. Like a
// stream decoder, it decodes the first JSON value and ignores what follows.
func decodeJSON(body io.Reader, out any) error {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			bodyBuffers.Put(buf)
		}
	}()
	lr := &limitedReader{r: body, n: maxBody + 1}
	if _, err := buf.ReadFrom(lr); err != nil {
		if lr.n <= 0 {
			return errBodyTooLarge
		}
		return fmt.Errorf("decoding the answer: %w", err)
	}
	// encoding/json copies what it keeps, so buf can be reused afterwards.
	err := json.Unmarshal(buf.Bytes(), out)
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		// Unmarshal checks the whole input before it stores anything, and
		// also refuses what follows the first value; a stream decoder
		// accepts that, and names an empty or cut answer better.
		err = json.NewDecoder(bytes.NewReader(buf.Bytes())).Decode(out)
	}
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("decoding the answer: empty body")
	case err != nil:
		return fmt.Errorf("decoding the answer: %w", err)
	}
	return nil
}

// limitedReader is io.LimitReader that reports reaching its limit.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}
