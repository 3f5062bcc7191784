package rcevents

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenTimeout bounds one token fetch. It runs on its own context so that a
// caller that gives up does not spoil the token for every other goroutine.
const tokenTimeout = 30 * time.Second

// tokenCache holds the client's bearer token, shared by all goroutines. Only
// one fetch runs at a time; everyone who needs a token meanwhile waits for it.
type tokenCache struct {
	fetch       func(context.Context) (*oauth2.Token, error)
	refreshable bool          // false for a static token: fetching again changes nothing
	timeout     time.Duration // bounds one fetch: tokenTimeout, shorter in tests
	redactor    *redactor     // learns each token before it is sent

	mu       sync.Mutex
	tok      *oauth2.Token
	inflight *tokenCall
}

type tokenCall struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

func staticTokens(token string, r *redactor) *tokenCache {
	r.addFixed(token)
	return &tokenCache{tok: &oauth2.Token{AccessToken: token, TokenType: "Bearer"}, timeout: tokenTimeout, redactor: r}
}

// sourceTokens fetches tokens from ts. Token takes no context: a source
// that never returns is abandoned after the fetch's bound (see run).
func sourceTokens(ts oauth2.TokenSource, r *redactor) *tokenCache {
	return &tokenCache{
		fetch: func(context.Context) (*oauth2.Token, error) {
			tok, err := ts.Token()
			return tok, r.redactErr(err) // it may name a token it gave before
		},
		refreshable: true,
		timeout:     tokenTimeout,
		redactor:    r,
	}
}

// clientCredentialTokens fetches tokens from tokenURL with the OAuth2
// client-credentials grant, over base (the caller's transport, without the
// bearer token). The token endpoint may not redirect: following a redirect
// would hand the credentials to another URL.
func clientCredentialTokens(cfg *clientcredentials.Config, base http.RoundTripper, r *redactor) *tokenCache {
	hc := &http.Client{
		Transport:     base,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	r.addClientSecret(cfg.ClientID, cfg.ClientSecret)
	return &tokenCache{
		fetch: func(ctx context.Context) (*oauth2.Token, error) {
			tok, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
			if err != nil {
				return nil, tokenError(err, cfg.TokenURL, r)
			}
			return tok, nil
		},
		refreshable: true,
		timeout:     tokenTimeout,
		redactor:    r,
	}
}

// token returns a valid token, fetching one if the cache holds none. ctx
// bounds only the wait, not the fetch, which others may be waiting for too;
// the fetch ends within its own bound.
func (c *tokenCache) token(ctx context.Context) (*oauth2.Token, error) {
	c.mu.Lock()
	if c.tok != nil && (c.tok.Valid() || !c.refreshable) {
		tok := c.tok
		c.mu.Unlock()
		return tok, nil
	}
	call := c.inflight
	if call == nil {
		call = &tokenCall{done: make(chan struct{})}
		c.inflight = call
		go c.run(call)
	}
	c.mu.Unlock()
	select {
	case <-call.done:
		return call.tok, call.err
	case <-ctx.Done():
		return nil, fmt.Errorf("rcevents: waiting for a token: %w", ctx.Err())
	}
}

// run fetches a token for call. A fetch that outlives c.timeout ends call
// with an error, and the next caller starts a fresh fetch. The stuck one
// cannot be stopped (a TokenSource's Token takes no context): its
// goroutine runs on until Token returns, and its result is dropped.
func (c *tokenCache) run(call *tokenCall) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	timedOut := &tokenFetchError{err: fmt.Errorf("rcevents: fetching a token: no token within %s: %w", c.timeout, context.DeadlineExceeded)}
	stop := context.AfterFunc(ctx, func() { c.finish(call, nil, timedOut) })
	tok, err := c.fetchGuarded(ctx)
	stop()
	if err != nil && ctx.Err() != nil {
		err = timedOut // the bound, not the fetch, ended it
	}
	c.finish(call, tok, err)
}

// fetchGuarded calls c.fetch and turns a panic in it, or an empty token,
// into an error. The error names a panic value by its type only, as it may
// hold a secret, unless the runtime made it.
func (c *tokenCache) fetchGuarded(ctx context.Context) (tok *oauth2.Token, err error) {
	defer func() {
		if v := recover(); v != nil {
			what := fmt.Sprintf(" (a panic value of type %T)", v)
			if re, ok := v.(runtime.Error); ok {
				what = ": " + strings.TrimPrefix(re.Error(), "runtime error: ")
			}
			tok, err = nil, &tokenFetchError{err: errors.New("rcevents: fetching a token: the token source panicked" + what)}
		}
	}()
	tok, err = c.fetch(ctx)
	if err == nil && (tok == nil || tok.AccessToken == "") {
		tok, err = nil, errors.New("rcevents: the token source returned an empty token")
	}
	return tok, err
}

// finish ends call with tok or err, unless it has ended already.
func (c *tokenCache) finish(call *tokenCall, tok *oauth2.Token, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflight != call {
		return
	}
	if err == nil {
		c.redactor.addToken(tok.AccessToken)
		c.tok = tok
	}
	c.inflight = nil
	call.tok, call.err = tok, err
	close(call.done)
}

// tokenFetchError is a token fetch that failed without an answer from the
// token endpoint: a transport error, which retryableError lets the call
// retry when temporary, or a token source that panicked or ran out of its
// bound, which it does not.
type tokenFetchError struct {
	err       error
	temporary bool
}

func (e *tokenFetchError) Error() string { return e.err.Error() }
func (e *tokenFetchError) Unwrap() error { return e.err }

// invalidate drops used from the cache, unless another goroutine has
// already replaced it.
func (c *tokenCache) invalidate(used *oauth2.Token) {
	c.mu.Lock()
	if c.tok == used {
		c.tok = nil
	}
	c.mu.Unlock()
}

// tokenError turns a failed token fetch into an error that never carries the
// client secret, in any of its forms. A refusal by the token endpoint becomes
// an *APIError, so errors.Is(err, ErrUnauthorized) holds for bad credentials.
func tokenError(err error, tokenURL string, r *redactor) error {
	shownURL := r.redact(displayURL(tokenURL))
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		e := &APIError{StatusCode: re.Response.StatusCode, Method: http.MethodPost, URL: shownURL,
			RequestID: r.redact(requestID(re.Response.Header)), Header: re.Response.Header}
		if re.ErrorCode != "" {
			e.Errors = []ErrorObject{{Code: r.redact(re.ErrorCode), Detail: r.redact(re.ErrorDescription), Status: fmt.Sprint(re.Response.StatusCode)}}
		} else {
			e.Body = r.redactSnippet(re.Body)
		}
		return fmt.Errorf("rcevents: fetching a token: %w", e)
	}
	var ne net.Error
	temporary := errors.As(err, &ne)
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		err = ue.Err // the token URL is named once, here
	}
	return &tokenFetchError{
		err:       r.redactErr(fmt.Errorf("rcevents: fetching a token from %s: %w", shownURL, err)),
		temporary: temporary,
	}
}

// origin is a URL's scheme, host and port, the unit a bearer token is
// scoped to.
type origin struct{ scheme, host, port string }

func originOf(u *url.URL) origin {
	o := origin{scheme: strings.ToLower(u.Scheme), host: strings.ToLower(u.Hostname()), port: u.Port()}
	if o.port == "" {
		switch o.scheme {
		case "https":
			o.port = "443"
		case "http":
			o.port = "80"
		}
	}
	return o
}

// authTransport adds the bearer token, and the call's own headers
// (WithHeader), to requests for the API's own origin and to no other,
// whoever built the request and however many redirects led to it. A 401 answer to a token that looked valid drops the token, fetches
// a new one and sends the request once more, if its body can be replayed.
type authTransport struct {
	base   http.RoundTripper
	origin origin
	tokens *tokenCache
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if originOf(req.URL) != t.origin {
		if req.Header.Get("Authorization") != "" {
			req = req.Clone(req.Context())
			req.Header.Del("Authorization")
		}
		return t.base.RoundTrip(req)
	}
	tok, err := t.tokens.token(req.Context())
	if err != nil {
		closeRequestBody(req)
		return nil, err
	}
	resp, err := t.send(req, tok)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || !t.tokens.refreshable {
		return resp, err
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return resp, nil // the body is spent; the 401 stands
	}
	drainAndClose(resp.Body)
	t.tokens.invalidate(tok)
	if tok, err = t.tokens.token(req.Context()); err != nil {
		return nil, err
	}
	retry := req.Clone(req.Context())
	if req.GetBody != nil {
		if retry.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	return t.send(retry, tok)
}

// callHeaderKey is the context key of a call's own headers, an
// http.Header that authTransport adds to its requests for the API's origin.
type callHeaderKey struct{}

// send sends req with tok and the call's own headers.
func (t *authTransport) send(req *http.Request, tok *oauth2.Token) (*http.Response, error) {
	r := req.Clone(req.Context())
	if h, ok := req.Context().Value(callHeaderKey{}).(http.Header); ok {
		for k, vs := range h {
			r.Header[k] = slices.Clone(vs)
		}
	}
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return t.base.RoundTrip(r)
}

func closeRequestBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// maxDrain bounds how much of an unread body is read before closing it, so
// that the connection can be reused without reading a huge answer.
const maxDrain = 256 << 10

func drainAndClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, maxDrain)
	body.Close()
}
