package rcevents

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rcevents/rcevents-go/internal/redact"
)

// masked stands for a value errors and logs leave out of a URL; redacted
// for a secret or a personal value cut out of what they show.
const masked, redacted = "…", "[REDACTED]"

// displayURL returns rawURL as errors and logs show it: without userinfo,
// each query parameter with its name unescaped (filter[email][eq]) and its
// value as "…", but for an empty one and a page or perPage number, as a
// filter's value may be an attendee's email. A name other than letters,
// digits and "[]_.-" may be data too, and is masked whole, as a fragment
// is. The pairs keep their order, so that the URL still names its request.
func displayURL(rawURL string) string {
	rest, fragment, hasFragment := strings.Cut(rawURL, "#")
	rest, query, hasQuery := strings.Cut(rest, "?")
	if start, end := authority(rest); strings.Contains(rest[start:end], "@") {
		rest = rest[:start] + rest[start+strings.LastIndexByte(rest[start:end], '@')+1:]
	}
	var b strings.Builder
	b.WriteString(rest)
	pairs := strings.Split(query, "&")
	for i := 0; hasQuery && i < len(pairs); i++ {
		b.WriteByte("?&"[min(i, 1)])
		key, value, hasValue := strings.Cut(pairs[i], "=")
		switch name, err := url.QueryUnescape(key); {
		case pairs[i] == "":
		case err != nil || name == "" || strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789[]_.-") != "":
			b.WriteString(masked)
		case hasValue && value != "" && !((name == "page" || name == "perPage") && strings.Trim(value, "0123456789") == ""):
			b.WriteString(name + "=" + masked)
		default:
			b.WriteString(name + pairs[i][len(key):])
		}
	}
	if hasFragment {
		b.WriteByte('#')
	}
	if fragment != "" {
		b.WriteString(masked)
	}
	return b.String()
}

// authority returns where the authority of rawURL begins and ends: after
// its first "//" (or at its start: "user:pass@host"), up to a "/", "?" or
// "#".
func authority(rawURL string) (start, end int) {
	if i := strings.Index(rawURL, "//"); i >= 0 {
		start = i + 2
	}
	if end = strings.IndexAny(rawURL[start:], "/?#"); end < 0 {
		end = len(rawURL) - start
	}
	return start, start + end
}

// hasUserinfo reports whether rawURL has an "@" in its authority.
func hasUserinfo(rawURL string) bool {
	start, end := authority(rawURL)
	return strings.Contains(rawURL[start:end], "@")
}

// maxRememberedTokens is how many of the tokens the client fetched its
// redactor knows, the latest: an answer echoes its own request's token, and
// a client that runs for months fetches thousands.
const maxRememberedTokens = 16

// redactor cuts what errors and logs must not show, in the forms
// redact.Replacer finds: the client secret and the HTTP Basic credential
// made of it, a static token, the last maxRememberedTokens tokens fetched,
// and, in a call's copy (with), the call's personal data. It cuts decoded
// text (an *APIError's fields, an error's message), so that a cut cannot
// break the format around it. A nil *redactor cuts nothing.
type redactor struct {
	mu     sync.Mutex
	values []string // never changed in place: a call's copy shares it
	fixed  int      // values[:fixed] are kept; the tokens follow, newest first
	rep    atomic.Pointer[redact.Replacer]
	call   func() *redact.Replacer // a call's copy (with): its replacer, built when first needed
}

// addFixed adds a secret sent with every request or token fetch.
func (r *redactor) addFixed(secret string) { r.add(secret, true) }

// addToken adds a token about to be sent, forgetting the oldest past
// maxRememberedTokens.
func (r *redactor) addToken(token string) { r.add(token, false) }

func (r *redactor) add(s string, fixed bool) {
	if r == nil || s == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.values, s) {
		r.values = slices.Insert(slices.Clip(r.values), r.fixed, s)
		if fixed {
			r.fixed++
		}
		r.values = r.values[:min(len(r.values), r.fixed+maxRememberedTokens)]
		r.rep.Store(replacer(r.values))
	}
}

// addClientSecret adds the client secret, and the HTTP Basic credential
// oauth2 sends for clientID and it: base64 of the form-encoded pair.
func (r *redactor) addClientSecret(clientID, secret string) {
	r.addFixed(secret)
	r.addFixed(base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID) + ":" + url.QueryEscape(secret))))
}

// with returns a copy of r that cuts values too: a call's personal data.
// Its replacer is built when it first cuts: most calls never fail.
func (r *redactor) with(values []string) *redactor {
	if r == nil || len(values) == 0 {
		return r
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	all := append(slices.Clip(r.values), values...)
	return &redactor{values: all, fixed: len(all), call: sync.OnceValue(func() *redact.Replacer { return replacer(all) })}
}

// replacer returns a redact.Replacer of values by "[REDACTED]".
func replacer(values []string) *redact.Replacer {
	pairs := make([]string, 0, 2*len(values))
	for _, v := range values {
		pairs = append(pairs, v, redacted)
	}
	return redact.New(pairs...)
}

// redact returns s with what r cuts replaced by "[REDACTED]".
func (r *redactor) redact(s string) string {
	if r == nil {
		return s
	}
	if r.call != nil {
		return r.call().Replace(s)
	}
	return r.rep.Load().Replace(s)
}

// redactSnippet returns body cut, then bounded as APIError.Body is (see
// snippet), so that no part of a value is left at the end.
func (r *redactor) redactSnippet(body []byte) string {
	return snippet([]byte(r.redact(string(body))), maxErrorSnippet)
}

// redactErr returns err as it may be shown: err itself when its message
// holds nothing to cut, else an error with it cut out of the message. That
// error matches with errors.Is what err matched (context.Canceled, a
// syscall errno) but does not unwrap to it: errors.As would hand the caller
// a value that prints the secret.
func (r *redactor) redactErr(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if shown := r.redact(msg); shown != msg {
		return &redactedError{msg: shown, orig: err}
	}
	return err
}

// redactedError is an error whose message had a secret cut out.
type redactedError struct {
	msg  string
	orig error
}

func (e *redactedError) Error() string { return e.msg }

// Is reports whether the error e stands for matches target.
func (e *redactedError) Is(target error) bool { return errors.Is(e.orig, target) }

// GoString keeps %#v from printing the error e stands for.
func (e *redactedError) GoString() string {
	return fmt.Sprintf("&rcevents.redactedError{msg:%q}", e.msg)
}
