package rcevents

import (
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"runtime"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/time/rate"
)

// This file holds the options NewClient and NewClientFromEnv take, and the
// checks NewClient makes of them before it builds a client.

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
// https unless its host is a loopback address; a path prefix is kept. The
// API's version is not part of it: NewClient refuses a base URL whose path
// ends in /v1, since every path the SDK sends begins with it.
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

// ceilingMargin keeps an adapting client this far under WithRateLimit: at
// its exact pace, walks met a 429 each (BenchmarkRateLimitedWalk, given).
const ceilingMargin = 0.05

// WithRateLimit keeps the client under perSecond requests a second, with
// bursts of up to burst, across all its goroutines. Waiting for the limiter
// ends when the call's context ends. perSecond must be a finite number;
// zero, like leaving the option out, sets no limit.
//
// The client also adapts to the API's limit by itself (see
// WithAdaptiveRateLimit); WithRateLimit is then an upper bound, kept 5%
// under, since with adaptation on a 429 pauses every request of the client.
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
// limit on (the default) or off. When on, every request of the client, from
// all goroutines, waits for one rate limiter:
//
//   - A quota the API announces (RateLimit-Limit, -Remaining and -Reset; or
//     X-RateLimit-*; or RingCentral's X-Rate-Limit-* with -Window) is
//     followed before anything is refused: what remains may go at once; then
//     the client waits for the reset, or for the window to end, or, for a
//     quota seen to come back sooner than its reset says (a token bucket),
//     as fast as it comes back. Until it has been seen to, one request goes
//     the reset's share of one request after the last (a tenth of it for a
//     limit of 10), to see.
//   - Otherwise the client learns the API's limit from its 429s. A 429's
//     Retry-After pauses every new request of the client, not only the
//     refused one; the first waiting request resumes when the pause ends,
//     the others spread over a tenth of it. The second 429 of a client tells its pace, which then
//     stays 5% under the limit and rises slowly, so that a limit raised
//     later is found. A 429 that asks for no pause delays only its call.
//   - A new client lets at most 10 more requests be in flight than have
//     been answered, a window that doubles every second, so that the first
//     burst of a concurrent walk overruns a small limit by little.
//
// None of this changes a call's attempts, which its RetryPolicy alone
// decides. When off, requests go as soon as WithRateLimit allows and a 429
// delays only the refused request.
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
// credentials, query or fragment, https unless its host is loopback, and
// whose path does not end in the API version.
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
	if dir, last := path.Split(strings.TrimRight(u.Path, "/")); strings.EqualFold(last, "v1") {
		// Every path the SDK sends begins with /v1: kept, this would make
		// /v1/v1/... of every call, each answered 404.
		u.Path, u.RawPath = strings.TrimSuffix(dir, "/"), ""
		return nil, invalidArg(field, "ends in the API version /v1: leave it out (%s), the SDK adds it to every path", u)
	}
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
