package rcevents

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
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

// redacted stands for a secret cut out of what the SDK shows.
const redacted = "[REDACTED]"

// minLooseSecret is the length from which a secret is cut wherever it
// occurs. A shorter secret is cut only where it stands alone: not preceded
// nor followed by a character of the bearer token alphabet of RFC 6750
// (letters, digits and "-._~/"; see tokenByte), read through the escapes
// below, on a side where the secret itself ends in one. A token "a" is thus
// cut from "Bearer a", "Bearer+a" and "(a)", but leaves "a bad token",
// "ab", "a.b" and "a-b" alone. Such a token may then show when it is
// written against such a character ("Bearera", "token a."): real
// credentials are far longer.
const minLooseSecret = 8

// maxRememberedTokens is how many of the bearer tokens the client has
// fetched its redactor knows, the most recent ones; a client that runs for
// months fetches thousands. An answer echoes the token of its own request,
// which is one of the last few.
const maxRememberedTokens = 16

// redactor cuts a client's secrets out of the text it shows: errors, their
// fields, and debug logs. It knows the client secret, the HTTP Basic
// credentials made of it, a static token, and the last maxRememberedTokens
// bearer tokens fetched; it finds each of them written as it is or through
// the escapes of JSON (\/, \u0061…), URLs and forms (%2F, + for a space) and
// HTML (&amp;, &#97;…), in any mix. A nil *redactor cuts nothing.
//
// It works on decoded text (the fields of an *APIError, the message of an
// error) rather than on the raw bytes of an answer, so that an escape of
// the answer's own format cannot hide a secret from it, and a short secret
// cannot break the format around it.
type redactor struct {
	mu      sync.Mutex
	secrets []string // replaced, never changed in place: redact reads it unlocked
	fixed   int      // secrets[:fixed] are never forgotten
}

// addFixed adds secrets the client sends on every request or token fetch.
func (r *redactor) addFixed(secrets ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if s != "" && !slices.Contains(r.secrets, s) {
			r.secrets = slices.Insert(slices.Clip(r.secrets), r.fixed, s)
			r.fixed++
		}
	}
}

// addClientSecret adds the client secret, and the HTTP Basic credentials
// oauth2 sends for clientID and it: base64 of the form-encoded pair.
func (r *redactor) addClientSecret(clientID, secret string) {
	basic := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID) + ":" + url.QueryEscape(secret)))
	r.addFixed(secret, basic)
}

// addToken adds a bearer token about to be sent, forgetting the oldest one
// added this way past maxRememberedTokens.
func (r *redactor) addToken(tok string) {
	if r == nil || tok == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if slices.Contains(r.secrets, tok) {
		return
	}
	next := append(slices.Clip(r.secrets), tok)
	if len(next)-r.fixed > maxRememberedTokens {
		next = slices.Delete(next, r.fixed, r.fixed+1)
	}
	r.secrets = next
}

func (r *redactor) known() []string {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.secrets
}

// with returns a redactor that cuts values too, besides what r cuts: the
// personal data a call was given. It shares nothing that r changes later.
func (r *redactor) with(values []string) *redactor {
	if len(values) == 0 {
		return r
	}
	secrets := append(slices.Clip(r.known()), values...)
	return &redactor{secrets: secrets, fixed: len(secrets)}
}

// redact returns s with every secret the redactor knows replaced by
// "[REDACTED]".
func (r *redactor) redact(s string) string {
	return cutSecrets(s, r.known())
}

// redactSnippet returns body with every secret the redactor knows replaced,
// as a bounded, printable snippet (see snippet). Only what the snippet
// shows is searched.
func (r *redactor) redactSnippet(body []byte) string {
	s, _ := cutSecretsUpTo(string(body), r.known(), maxErrorSnippet)
	return snippet([]byte(s), maxErrorSnippet)
}

// redactErr returns err as it may be shown: err itself when its message
// holds no secret, else an error with the secrets cut out of the message.
// That error matches with errors.Is what err matched (context.Canceled, a
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

// cutSecrets replaces in s each reading of one of secrets (see readings)
// with redacted, leftmost first, the longest where several begin at once.
func cutSecrets(s string, secrets []string) string {
	out, _ := cutSecretsUpTo(s, secrets, math.MaxInt)
	return out
}

// cutSecretsUpTo is cutSecrets that stops once it has written more than
// limit bytes, for a caller that shows no more: it reads only what it
// needs of a long s. It reports whether it stopped before the end of s.
func cutSecretsUpTo(s string, secrets []string, limit int) (string, bool) {
	var m matcher
	for _, sec := range secrets {
		if sec != "" {
			m.firsts[sec[0]] = true
		}
	}
	for c := range 256 {
		m.firsts[c] = m.firsts[c] || escapeStart(byte(c))
	}
	var b strings.Builder
	done := 0 // s[:done] is in b, or cut
	i := 0
	for ; i < len(s) && b.Len()+i-done <= limit; i++ {
		if !m.firsts[s[i]] {
			continue
		}
		rs := readings(m.buf[:0], s, i)
		end := -1
		for _, sec := range secrets {
			if sec != "" && startsWith(rs, sec[0]) {
				end = max(end, m.matchEnd(s, i, sec))
			}
		}
		if end >= 0 {
			b.WriteString(s[done:i])
			b.WriteString(redacted)
			i, done = end-1, end
		}
	}
	if done == 0 && i == len(s) {
		return s, false
	}
	b.WriteString(s[done:i])
	return b.String(), i < len(s)
}

// startsWith reports whether what one of rs stands for begins with c.
func startsWith(rs []reading, c byte) bool {
	for _, rd := range rs {
		if rd.b[0] == c {
			return true
		}
	}
	return false
}

// escapeStart reports whether c may begin an escape (see readings).
func escapeStart(c byte) bool {
	return c == '%' || c == '\\' || c == '&' || c == '+'
}

// matcher finds secrets in text; it keeps its buffers from one search to
// the next.
type matcher struct {
	firsts  [256]bool // the bytes a secret, or an escape, begins with
	reached [][]int
	buf     [4]reading // readings at the start of a match, in cutSecretsUpTo
	buf2    [4]reading // readings along a match, in matchEnd
}

// matchEnd returns where a reading of secret that begins at s[i] ends, the
// furthest if several do, or -1 if none does or if secret, shorter than
// minLooseSecret, does not stand alone there.
func (m *matcher) matchEnd(s string, i int, secret string) int {
	// Most text holds no escape: then the secret is there as it is, or
	// not at all.
	j := 0
	for j < len(secret) && i+j < len(s) && s[i+j] == secret[j] && !escapeStart(s[i+j]) {
		j++
	}
	switch {
	case j == len(secret):
		if len(secret) >= minLooseSecret || standsAlone(s, i, i+j, secret) {
			return i + j
		}
		return -1
	case i+j == len(s) || !escapeStart(s[i+j]):
		return -1
	}

	// Then an escape rarely reads right both as itself and as what it
	// stands for: follow the one reading that does, while there is one.
	at, k := i, 0
	for k < len(secret) && at < len(s) {
		var next reading
		n := 0
		for _, rd := range readings(m.buf2[:0], s, at) {
			if rd.prefixOf(secret[k:]) {
				next, n = rd, n+1
			}
		}
		if n != 1 {
			break
		}
		at, k = at+next.n, k+int(next.nb)
	}
	switch {
	case k == len(secret):
		if len(secret) >= minLooseSecret || standsAlone(s, i, at, secret) {
			return at
		}
		return -1
	case at == len(s) || !m.forks(s, at, secret[k:]):
		return -1
	}

	// reached[k] holds the positions in s that a reading of secret[:k]
	// from i ends at. A reading takes one byte or a whole escape; where
	// both read right, both are followed.
	if cap(m.reached) < len(secret)+1 {
		m.reached = make([][]int, len(secret)+1)
	}
	m.reached = m.reached[:len(secret)+1]
	for k := range m.reached {
		m.reached[k] = m.reached[k][:0]
	}
	m.reached[0] = append(m.reached[0], i)
	for k := 0; k < len(secret); k++ {
		for _, at := range m.reached[k] {
			if at == len(s) {
				continue
			}
			for _, rd := range readings(m.buf2[:0], s, at) {
				if next := k + int(rd.nb); rd.prefixOf(secret[k:]) && !slices.Contains(m.reached[next], at+rd.n) {
					m.reached[next] = append(m.reached[next], at+rd.n)
				}
			}
		}
	}
	end := -1
	for _, e := range m.reached[len(secret)] {
		if e > end && (len(secret) >= minLooseSecret || standsAlone(s, i, e, secret)) {
			end = e
		}
	}
	return end
}

// forks reports whether the text at s[at] reads as the start of rest in
// more than one way.
func (m *matcher) forks(s string, at int, rest string) bool {
	n := 0
	for _, rd := range readings(m.buf2[:0], s, at) {
		if rd.prefixOf(rest) {
			n++
		}
	}
	return n > 1
}

// standsAlone reports whether secret, read from s[i:end], is not part of a
// longer token: on a side where it ends in a token character, the
// character next to it, read through an escape, is not one.
func standsAlone(s string, i, end int, secret string) bool {
	if tokenByte(secret[0]) {
		if c, ok := byteBefore(s, i); ok && tokenByte(c) {
			return false
		}
	}
	if tokenByte(secret[len(secret)-1]) && end < len(s) {
		var buf [4]reading
		rs := readings(buf[:0], s, end)
		if rd := rs[len(rs)-1]; tokenByte(rd.b[0]) { // the escape, if one begins there
			return false
		}
	}
	return true
}

// byteBefore returns the last byte of what s[:i] ends with: an escape that
// ends at i, read, or else the byte itself.
func byteBefore(s string, i int) (byte, bool) {
	if i == 0 {
		return 0, false
	}
	var buf [4]reading
	for _, n := range [...]int{12, 6, 3, 2} { // \uD83D\uDE00, \u0061, %61, \/
		if i >= n {
			for _, rd := range readings(buf[:0], s, i-n) {
				if rd.n == n && n > 1 {
					return rd.b[rd.nb-1], true
				}
			}
		}
	}
	if j := strings.LastIndexByte(s[max(0, i-12):i], '&'); j >= 0 && s[i-1] == ';' {
		start := max(0, i-12) + j
		for _, rd := range readings(buf[:0], s, start) {
			if start+rd.n == i && rd.n > 1 {
				return rd.b[rd.nb-1], true
			}
		}
	}
	return s[i-1], true
}

// tokenByte reports whether c is in the bearer token alphabet of RFC 6750,
// but for "=", which only pads a token's end and separates a form's values,
// and "+", which a form writes for a space: "Bearer+a" is a form's echo of
// the token "a".
func tokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/", c) >= 0
}

// reading is one way to read the text at a position: the bytes it stands
// for, and how many bytes of the text it takes.
type reading struct {
	b  [utf8.UTFMax]byte
	nb int8
	n  int
}

// prefixOf reports whether s begins with what rd stands for.
func (rd *reading) prefixOf(s string) bool {
	if len(s) < int(rd.nb) {
		return false
	}
	for i := range rd.nb {
		if s[i] != rd.b[i] {
			return false
		}
	}
	return true
}

func readingOf(r rune, n int) reading {
	rd := reading{n: n}
	rd.nb = int8(utf8.EncodeRune(rd.b[:], r))
	return rd
}

// readings appends to rs the ways s may be read at i: the byte itself,
// then, if one begins there, the escape: JSON's \" \\ \/ \b \f \n \r \t and
// \uXXXX (surrogate pairs joined), a URL's %XX, a form's + for a space, and
// HTML's &amp; &lt; &gt; &quot; &apos; &#N; and &#xN;.
func readings(rs []reading, s string, i int) []reading {
	rs = append(rs, reading{b: [utf8.UTFMax]byte{s[i]}, nb: 1, n: 1})
	switch s[i] {
	case '+':
		rs = append(rs, reading{b: [utf8.UTFMax]byte{' '}, nb: 1, n: 1})
	case '%':
		if i+2 < len(s) {
			if hi, lo := hexDigit(s[i+1]), hexDigit(s[i+2]); hi >= 0 && lo >= 0 {
				rs = append(rs, reading{b: [utf8.UTFMax]byte{byte(hi<<4 | lo)}, nb: 1, n: 3})
			}
		}
	case '\\':
		if i+1 >= len(s) {
			break
		}
		if j := strings.IndexByte(`"\/bfnrt`, s[i+1]); j >= 0 {
			rs = append(rs, reading{b: [utf8.UTFMax]byte{"\"\\/\b\f\n\r\t"[j]}, nb: 1, n: 2})
		} else if r, n := jsonRune(s[i:]); n > 0 {
			rs = append(rs, readingOf(r, n))
		}
	case '&':
		if r, n := htmlEntity(s[i:]); n > 0 {
			rs = append(rs, readingOf(r, n))
		}
	}
	return rs
}

// hexDigit returns the value of the hex digit c, of either case, or -1.
func hexDigit(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// hex4 reads four hex digits, or returns -1.
func hex4(h string) rune {
	v := 0
	for i := 0; i < 4; i++ {
		d := hexDigit(h[i])
		if d < 0 {
			return -1
		}
		v = v<<4 | d
	}
	return rune(v)
}

// jsonRune reads the \uXXXX escape s begins with, or a surrogate pair of
// two, and returns the rune and the bytes it takes; n is 0 for no escape or
// a lone surrogate.
func jsonRune(s string) (r rune, n int) {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return 0, 0
	}
	if r = hex4(s[2:6]); r < 0 {
		return 0, 0
	}
	if !utf16.IsSurrogate(r) {
		return r, 6
	}
	if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
		if lo := hex4(s[8:12]); lo >= 0 {
			if pair := utf16.DecodeRune(r, lo); pair != utf8.RuneError {
				return pair, 12
			}
		}
	}
	return 0, 0
}

// htmlEntity reads the character reference s begins with: a named one of
// the five HTML escapes, or a numeric one. n is 0 for none.
func htmlEntity(s string) (r rune, n int) {
	end := strings.IndexByte(s[:min(len(s), 12)], ';')
	if len(s) < 2 || s[0] != '&' || end < 0 {
		return 0, 0
	}
	name := s[1:end]
	switch name {
	case "amp":
		return '&', end + 1
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "quot":
		return '"', end + 1
	case "apos":
		return '\'', end + 1
	}
	num, ok := strings.CutPrefix(name, "#")
	if !ok || num == "" {
		return 0, 0
	}
	base := 10
	if h, ok := strings.CutPrefix(strings.ToLower(num), "x"); ok {
		num, base = h, 16
	}
	if num == "" || strings.ContainsAny(num, "+-_") {
		return 0, 0
	}
	v, err := strconv.ParseUint(num, base, 32)
	if err != nil || !utf8.ValidRune(rune(v)) {
		return 0, 0
	}
	return rune(v), end + 1
}
