package rceventstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/rcevents/rcevents-go/internal/redact"
)

// This file finds what a cassette must not hold, and says what replaces it (see Recorder).

// redacted replaces a secret.
const redacted = "REDACTED"

// The kinds of secrets, as Close's errors name them.
const (
	secretToken        = "an access token"
	secretClientSecret = "the client secret"
	secretSigned       = "a pre-signed URL's query"
	secretMagicLink    = "a magic link"
)

// scrubber knows how to find personal data and secrets, and what replaces them.
type scrubber struct {
	salt   []byte          // keys the pseudonyms
	fields map[string]bool // the normalized names of fields whose values are personal
}

// magicLinkField is the normalized name of the fields whose values are magic links.
const magicLinkField = "magiclink"

// personalFields are the normalized names of the fields whose values are personal data
// by default: those of the API's registrations, magic links and report files that name
// a person or say how to reach them.
var personalFields = []string{"email", "emailaddress", "firstname", "lastname", "fullname",
	"phone", "phonenumber", "linkedin", "twitter", "facebook", "instagram"}

func newScrubber(salt []byte, extra []string) *scrubber {
	s := &scrubber{salt: salt, fields: map[string]bool{}}
	for _, name := range personalFields {
		s.fields[name] = true
	}
	for _, name := range extra {
		if n := normalize(name); n != "" {
			s.fields[n] = true
		}
	}
	return s
}

// normalize returns a field's name as fields holds it: its letters in lower case and its
// digits, so that first_name, "First name" and firstName are one.
func normalize(name string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, name)
}

// finds are the values found that a cassette must not hold, each with what replaces it
// and, for a secret, its kind. The values that are not secrets are replaced as secrets
// are, and not looked for again: a pseudonym, a loopback origin's alias.
type finds struct {
	pairs    []string // value, replacement, …: redact.New's arguments
	kinds    []string
	seen     map[string]bool
	loopback bool // give loopback origins their aliases (see Recorder)
	origins  int  // loopback origins found
	rep      *redact.Replacer
}

// add adds value, unless it was found before.
func (f *finds) add(value, with, kind string) {
	if value == "" || f.seen[value] {
		return
	}
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	f.seen[value] = true
	f.pairs = append(f.pairs, value, with)
	f.kinds = append(f.kinds, kind)
	f.rep = nil
}

// replacer returns a Replacer of every value found by its replacement.
func (f *finds) replacer() *redact.Replacer {
	if f.rep == nil {
		f.rep = redact.New(f.pairs...)
	}
	return f.rep
}

// leak returns the kind of the first secret found that data, a cassette's file, still
// holds in one of its strings, or "".
func (f *finds) leak(data []byte) (string, error) {
	var pairs, kinds []string
	for i, kind := range f.kinds {
		if kind != "" {
			pairs, kinds = append(pairs, f.pairs[2*i:2*i+2]...), append(kinds, kind)
		}
	}
	find, leak := redact.New(pairs...), ""
	_, err := rewriteJSON(data, func(_ jsontext.Pointer, s string, _ bool) string {
		if i := find.Find(s); i >= 0 && leak == "" {
			leak = kinds[i]
		}
		return s
	})
	return leak, err
}

// take is a request and what it was answered, as sent and received.
type take struct {
	method  string
	url     *url.URL
	auth    bool // it carried an Authorization header: the API's origin
	reqBody []byte
	status  int
	header  http.Header // keptHeaders
	body    []byte
}

// learnRequest finds what t's request holds: emails, personal fields, and the query
// of a URL on another origin than the API's, its own or one its body holds. It goes by
// the request alone, so that a replay finds in a request what the recording found in it:
// the request's origin is the API's if it carried an Authorization header.
func (s *scrubber) learnRequest(f *finds, t *take) {
	api := map[string]bool{}
	if t.auth {
		api[originOf(t.url)] = true
	}
	path, _ := url.PathUnescape(t.url.EscapedPath())
	s.learnEmails(f, path)
	s.learnURL(f, t.url.String(), api)
	for k, vs := range t.url.Query() {
		s.learnEmails(f, k)
		for _, v := range vs {
			s.learnEmails(f, v)
		}
	}
	s.learnBody(f, t.reqBody, api)
}

// learnAnswer finds what t's answer holds, as learnRequest does.
func (s *scrubber) learnAnswer(f *finds, t *take, api map[string]bool) {
	for _, vs := range t.header {
		for _, v := range vs {
			s.learnEmails(f, v)
			s.learnURL(f, v, api) // a Location
		}
	}
	s.learnBody(f, t.body, api)
}

func (s *scrubber) learnBody(f *finds, b []byte, api map[string]bool) {
	if len(b) == 0 {
		return
	}
	if jsontext.Value(b).IsValid() {
		_, _ = rewriteJSON(b, func(p jsontext.Pointer, str string, name bool) string {
			s.learnEmails(f, str)
			if !name {
				s.learnURL(f, str, api)
				for tok := range p.Tokens() {
					s.learnField(f, normalize(tok), str)
				}
			}
			return str
		})
		return
	}
	s.learnEmails(f, string(b))
	s.learnCSV(f, string(b))
}

// learnCSV finds the values of the personal columns of text, if it is CSV with a header.
func (s *scrubber) learnCSV(f *finds, text string) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord, r.LazyQuotes = -1, true
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		return
	}
	for i, col := range rows[0] {
		for _, row := range rows[1:] {
			if i < len(row) {
				s.learnField(f, normalize(col), row[i])
			}
		}
	}
}

// learnField finds v, a value of the field of that normalized name, if the field is of
// note.
func (s *scrubber) learnField(f *finds, field, v string) {
	switch {
	case field == magicLinkField:
		f.add(v, redactedLink(v), secretMagicLink)
	case s.fields[field]:
		s.learnPerson(f, v)
	}
}

// email finds email addresses in text; its parts are those of RFC 5322's dot-atom but
// for its rarest characters, which text around an address holds more often than it does.
var email = regexp.MustCompile(`[\p{L}\p{N}._+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`)

func (s *scrubber) learnEmails(f *finds, text string) {
	if !strings.Contains(text, "@") && !strings.Contains(text, "%40") {
		return
	}
	for _, m := range email.FindAllString(text, -1) {
		s.learnPerson(f, m)
	}
	if u, err := url.QueryUnescape(text); err == nil && u != text {
		s.learnEmails(f, u) // a link holding a filter
	}
}

// learnPerson finds a personal value, unless it is a pseudonym already.
func (s *scrubber) learnPerson(f *finds, v string) {
	if !isPseudonym(v) {
		f.add(v, s.pseudonym(v), "")
	}
}

// learnURL finds, in raw if it is an absolute URL, the query values of at least
// redact.MinLoose characters when its origin is not in api (a pre-signed URL's
// signature, credential and date), and a loopback origin with a port.
func (s *scrubber) learnURL(f *finds, raw string, api map[string]bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return
	}
	origin := originOf(u)
	if !api[origin] {
		for _, vs := range u.Query() {
			for _, v := range vs {
				if len(v) >= redact.MinLoose {
					f.add(v, redacted, secretSigned)
				}
			}
		}
	}
	if f.loopback && u.Port() != "" && isLoopback(u.Hostname()) && !f.seen[origin] {
		f.origins++
		f.add(origin, u.Scheme+"://"+net.JoinHostPort(u.Hostname(), strconv.Itoa(f.origins)), "")
	}
}

// originOf returns u's scheme and host, as written.
func originOf(u *url.URL) string { return u.Scheme + "://" + u.Host }

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback()
}

// redactedLink is what replaces a magic link: its scheme and host, then /REDACTED.
func redactedLink(link string) string {
	if u, err := url.Parse(link); err == nil && u.Scheme != "" && u.Host != "" {
		return u.Scheme + "://" + u.Host + "/" + redacted
	}
	return redacted
}

// pseudonymBytes is how much of the HMAC a pseudonym keeps: 48 bits, so that two of a
// million values share one with a chance of about 1 in 560.
const pseudonymBytes = 6

// pseudonym returns the pseudonym of v: the same for a value with an "@" in any case,
// as redact finds it in any case, and on example.invalid for an email.
func (s *scrubber) pseudonym(v string) string {
	if strings.Contains(v, "@") {
		v = strings.ToLower(v)
	}
	mac := hmac.New(sha256.New, s.salt)
	mac.Write([]byte(v))
	p := "anon-" + hex.EncodeToString(mac.Sum(nil)[:pseudonymBytes])
	if m := email.FindStringIndex(v); m != nil && m[0] == 0 && m[1] == len(v) {
		p += "@example.invalid"
	}
	return p
}

var pseudonymPattern = regexp.MustCompile(`^anon-[0-9a-f]{12}$`)

// isPseudonym reports whether v is a pseudonym, or an email on example.invalid, which
// no one has.
func isPseudonym(v string) bool {
	lower := strings.ToLower(v)
	return strings.HasSuffix(lower, "@example.invalid") || pseudonymPattern.MatchString(v)
}
