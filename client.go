package rcevents

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
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
	limiter         *rate.Limiter
	pageConcurrency int
	logger          *slog.Logger
	timeout         time.Duration
	redactor        *redactor // cuts the client's secrets out of its errors and logs

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
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *settings) { s.rateLimit, s.rateBurst = rate.Limit(perSecond), burst }
}

// MaxPageConcurrency is the most pages WithPageConcurrency lets All fetch at
// once. It is the number of idle connections per host the client's default
// transport keeps: more pages at once would open a new connection for each
// page past it and close it afterwards, and hold more pages in memory,
// without getting pages faster from an API that limits its rate.
const MaxPageConcurrency = 32

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
	if s.rateLimit > 0 {
		c.limiter = rate.NewLimiter(s.rateLimit, s.rateBurst)
	}

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
	case s.retry.MaxAttempts < 0 || s.retry.MinBackoff < 0 || s.retry.MaxBackoff < 0:
		return invalidArg("WithRetry", "fields must not be negative")
	case hasControl(s.userAgent):
		return invalidArg("WithUserAgent", "must not contain control characters")
	case hasControl(s.token):
		return invalidArg(s.tokenFrom, "must not contain control characters")
	}
	return nil
}

// hasControl reports whether s holds an ASCII control character, which a
// header value must not carry: a line break would end the header.
func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0
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
			return fmt.Errorf("rcevents: %s %s: encoding the query: %w", r.method, c.showURL(target), err)
		}
		if q := v.Encode(); q != "" {
			target += "?" + q
		}
	}
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("rcevents: %s %s: encoding the body: %w", r.method, c.showURL(target), err)
		}
	}

	for attempt := 1; ; attempt++ {
		if c.limiter != nil {
			if err := c.limiter.Wait(ctx); err != nil {
				return fmt.Errorf("rcevents: %s %s: waiting for the rate limiter: %w", r.method, c.showURL(target), err)
			}
		}
		retry, wait, err := c.attempt(ctx, r, target, body, attempt, handle)
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

// attempt sends one attempt of r. It says whether to try again, and after
// how long.
func (c *Client) attempt(ctx context.Context, r call, target string, body []byte, n int, handle func(*http.Response) error) (retry bool, wait time.Duration, err error) {
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
		return false, 0, c.transportError(actx, r.method, target, err)
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
		apiErr := c.apiError(resp, r.method, target)
		drainAndClose(resp.Body)
		if n >= c.retry.MaxAttempts || !retryableStatus(r.method, resp.StatusCode) {
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
		return false, 0, c.redactor.redactErr(fmt.Errorf("rcevents: %s %s: %d: %w", r.method, c.showURL(target), resp.StatusCode, err))
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
	return c.redactor.redactErr(fmt.Errorf("rcevents: %s %s: %w", method, c.showURL(target), withTimeoutCause(actx, err)))
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
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", c.logError(err)))
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
