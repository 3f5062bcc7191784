package rcevents

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// This file holds what keeps secrets and personal data out of what the SDK
// shows: errors, their fields, and debug logs.

// masked stands for a value that errors and logs do not show.
const masked = "…"

// displayURL returns rawURL as errors and logs show it. The userinfo goes.
// Each query parameter keeps its name, unescaped (filter[email][eq]), but
// its value becomes "…", unless it is page or perPage with a number: filter
// values are personal data (an attendee's email), and a parameter the SDK
// does not know may be too. A name that is not one of letters, digits and
// "[]_.-" may itself be data, and is masked whole; so is a fragment. An
// empty value stays empty, and the order, repeats and empty pairs of the
// query stay as they are, so the URL still says which request it was.
func displayURL(rawURL string) string {
	rest, fragment, hasFragment := strings.Cut(rawURL, "#")
	rest, query, hasQuery := strings.Cut(rest, "?")
	var b strings.Builder
	b.Grow(len(rawURL))
	start, end := authority(rest)
	if at := strings.LastIndexByte(rest[start:end], '@'); at >= 0 {
		rest = rest[:start] + rest[start+at+1:]
	}
	b.WriteString(rest)
	if hasQuery {
		b.WriteByte('?')
		for i, pair := range strings.Split(query, "&") {
			if i > 0 {
				b.WriteByte('&')
			}
			writeParam(&b, pair)
		}
	}
	if hasFragment {
		b.WriteByte('#')
		if fragment != "" {
			b.WriteString(masked)
		}
	}
	return b.String()
}

// writeParam writes one name=value pair of a query as displayURL shows it.
func writeParam(b *strings.Builder, pair string) {
	if pair == "" {
		return
	}
	key, value, hasValue := strings.Cut(pair, "=")
	name, err := url.QueryUnescape(key)
	if err != nil || !paramName(name) {
		b.WriteString(masked)
		return
	}
	b.WriteString(name)
	if !hasValue {
		return
	}
	b.WriteByte('=')
	switch {
	case value == "":
	case (name == "page" || name == "perPage") && strings.Trim(value, "0123456789") == "":
		b.WriteString(value)
	default:
		b.WriteString(masked)
	}
}

// paramName reports whether s reads as the name of a query parameter, as
// the SDK's own are: "page", "filter[email][eq]".
func paramName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '[' || c == ']' || c == '_' || c == '.' || c == '-':
		default:
			return false
		}
	}
	return true
}

// authority returns where the authority of rawURL begins and ends: after
// its first "//" (or at its start, for "user:pass@host", which url.Parse
// would take for a scheme and opaque data), up to the path, query or
// fragment.
func authority(rawURL string) (start, end int) {
	if i := strings.Index(rawURL, "//"); i >= 0 {
		start = i + 2
	}
	end = len(rawURL)
	if i := strings.IndexAny(rawURL[start:], "/?#"); i >= 0 {
		end = start + i
	}
	return start, end
}

// hasUserinfo reports whether rawURL has an "@" in its authority.
func hasUserinfo(rawURL string) bool {
	start, end := authority(rawURL)
	return strings.Contains(rawURL[start:end], "@")
}

// showURL is target, a request's URL, as errors and logs show it.
func (c *Client) showURL(target string) string {
	return displayURL(target)
}

// apiError reads a failed answer to a request for target into an *APIError
// fit to show. The caller closes the body.
func (c *Client) apiError(resp *http.Response, method, target string) *APIError {
	return newAPIError(resp, method, c.showURL(target), time.Now())
}

// logError is the text of err, the error of a round trip, as a debug log
// shows it: a *url.Error's URL (the request's, or a redirect's) as showURL
// shows it.
func (c *Client) logError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Sprintf("%s %q: %v", ue.Op, c.showURL(ue.URL), ue.Err)
	}
	return err.Error()
}
