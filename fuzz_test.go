package rcevents

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-querystring/query"
	"golang.org/x/oauth2"

	"github.com/rcevents/rcevents-go/internal/redact"
)

// Seeds shared by the decoder fuzz targets: edge cases of JSON itself.
var jsonSeeds = []string{
	`null`, `""`, `{}`, `[]`, `0`, `"x"`, `{"data":null}`, `{"data":[]}`, `{"data":{}}`,
	`{"data":[null]}`, `{"data":[{"id":null,"attributes":null}]}`,
	`{"data":{"id":"org_1","type":"organization","attributes":{"id":"","name":"N","createdAt":"2024-01-01T00:00:00Z"}}}`,
	`{"data":[{"id":"org_1","attributes":{"website":null}}],"meta":{"count":-1},"links":{"next":null,"last":""}}`,
	`{"data":[],"meta":null,"links":null}`, `{"meta":{"count":1e400}}`,
	`{"errors":[{"status":"404","source":{"pointer":"/data"}}]}`, `{"errors":[{"status":404}]}`, `{"errors":null}`,
	`{"errors":[null]}`, strings.Repeat("[", 10000), strings.Repeat(`{"a":`, 5000),
	"\xff\xfe", `{"data":{"attributes":{"createdAt":"not a time"}}}`,
}

// FuzzDecodeEnvelopes feeds any bytes to the list and single-resource
// decoders: they may fail, but never panic, and a decoded page keeps every
// item.
func FuzzDecodeEnvelopes(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := decodePage[Organization](bytes.NewReader(b), nil); err == nil {
			_ = lastPage(p, 10)
		}
		if org, err := decodeOne[Organization](bytes.NewReader(b)); err == nil && org == nil {
			t.Fatal("a decoded resource is nil")
		}
	})
}

// FuzzRegistrationListDecode decodes any attributes as a list page does and
// through Registration.UnmarshalJSON: both fail or both give the same
// registration.
func FuzzRegistrationListDecode(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"firstCheckIn":"2025-06-12T10:10:05Z","customRegistrationFields":[{"value":["a"]}]}`))
	f.Add([]byte(`{"firstCheckIn":"x","FirstCheckin":null,"metadata":{"k":"v"},"id":""}`))
	f.Fuzz(func(t *testing.T, attrs []byte) {
		assertListDecodesAsUnmarshalJSON(t, []byte(`{"data":[{"id":"reg_env","attributes":`+string(attrs)+`}]}`))
	})
}

// FuzzDecodeErrorBody feeds any bytes to the error decoder: it never panics,
// and its snippet is bounded, valid UTF-8.
func FuzzDecodeErrorBody(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte("<html><body>502 Bad Gateway</body></html>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		objs, body := decodeErrorBody(b, nil)
		if objs != nil && body != "" {
			t.Fatal("both errors and a snippet")
		}
		if len(body) > maxErrorSnippet+len("…") || !utf8.ValidString(body) {
			t.Fatalf("bad snippet %q", body)
		}
		e := &APIError{StatusCode: 500, Errors: objs, Body: body}
		_ = e.Error()
	})
}

// FuzzFilterEncoding encodes any filter values: the query parses back to the
// values that went in, with nothing added.
func FuzzFilterEncoding(f *testing.F) {
	f.Add("a@example.com", "b@example.com", int64(1714521600), true)
	f.Add("", "", int64(0), false)
	f.Add("a&b=c", "[x]", int64(-62135596800), false)
	f.Add("\x00", "é", int64(253402300799), true)
	f.Fuzz(func(t *testing.T, eq, in string, unix int64, refunded bool) {
		if strings.Contains(in, ",") || !utf8.ValidString(eq) || !utf8.ValidString(in) {
			return
		}
		ts := time.Unix(unix, 0)
		opts := &filterOptions{
			Email:     &StringFilter{Eq: eq, In: []string{in}},
			CreatedAt: &DateTimeFilter{Gte: ts},
			Refunded:  &BoolFilter{Eq: refunded},
		}
		v, err := query.Values(opts)
		if err != nil {
			t.Fatal(err)
		}
		back, err := url.ParseQuery(v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		if back.Get("filter[email][eq]") != eq || (in != "" && back.Get("filter[email][in]") != in) {
			t.Fatalf("string filter changed: %v", back)
		}
		if !ts.IsZero() {
			got, err := time.Parse(time.RFC3339Nano, back.Get("filter[createdAt][gte]"))
			if ts.Year() >= 0 && ts.Year() <= 9999 && (err != nil || !got.Equal(ts)) {
				t.Fatalf("time changed: %v → %v (%v)", ts, got, err)
			}
		}
		if back.Get("filter[refunded][eq]") != map[bool]string{true: "true", false: "false"}[refunded] {
			t.Fatalf("bool filter changed: %v", back)
		}
	})
}

// FuzzParseRetryAfter reads any header value: the wait is never negative nor
// past maxRetryAfter, a value it does not understand is no wait at all (the
// caller then backs off), and spaces around a value change nothing.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{
		"", "0", "7", " 12 ", "-3", "+3", "1.5", "soon", "99999999999999999999", "9999999999", "0x10", "1e3",
		"Sat, 21 Nov 2026 10:00:30 GMT", "Sat, 21 Nov 2026 09:00:00 GMT", "Sat, 21 Nov 3026 10:00:00 GMT",
		"Saturday, 21-Nov-26 10:00:30 GMT", "Sat Nov 21 10:00:30 2026", "\x00", "٣", "１",
	} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("%q: wait %v out of range", v, d)
		}
		if !ok && d != 0 {
			t.Fatalf("%q: not understood, yet a wait of %v", v, d)
		}
		if d2, ok2 := parseRetryAfter(" "+v+"\t", now); d2 != d || ok2 != ok {
			t.Fatalf("%q: spaces changed (%v, %v) into (%v, %v)", v, d, ok, d2, ok2)
		}
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 && secs < 1<<20 && v == strconv.FormatInt(secs, 10) {
			if !ok || d != time.Duration(secs)*time.Second {
				t.Fatalf("%q: seconds read as (%v, %v)", v, d, ok)
			}
		}
	})
}

// FuzzRegistrationPage answers Registrations.List with any bytes, through
// the whole pipeline: the call fails with an error or returns every item of
// the page, never panics, and a page that decodes keeps its count and links.
func FuzzRegistrationPage(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	for _, name := range []string{"registrations_list.json", "registrations_list_100.json"} {
		b, err := readFixture(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"data":[{"id":"r1","attributes":{"customRegistrationFields":[{"value":["a",1]},{"value":{"x":null}}],"firstCheckIn":"x"}}],"meta":{"count":3},"links":{"next":"http://other.example/v1?page=2"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(bytes.NewReader(b)), Request: r}, nil
		})
		c, err := NewClient(WithToken("t"), WithBaseURL("http://127.0.0.1:1"), WithHTTPClient(&http.Client{Transport: rt}), WithRetry(RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.Registrations.List(context.Background(), "evt_1", &RegistrationListOptions{ListOptions: ListOptions{PerPage: 10}})
		if err != nil {
			if p != nil {
				t.Fatal("a page and an error")
			}
			return
		}
		// The pipeline decodes the first JSON value of the body, as a
		// json.Decoder does; what follows it is not read.
		var raw struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
			Meta *struct {
				Count int `json:"count"`
			} `json:"meta"`
		}
		if err := jsonv2.UnmarshalDecode(jsontext.NewDecoder(bytes.NewReader(b), decodeOptions), &raw); err != nil {
			t.Fatalf("the pipeline decoded what json does not: %v", err)
		}
		if raw.Data == nil {
			t.Fatal("a page from an answer without a data list")
		}
		if len(p.Items) != len(raw.Data) {
			t.Fatalf("%d items of %d", len(p.Items), len(raw.Data))
		}
		for i, reg := range p.Items {
			if reg.ID == "" && raw.Data[i].ID != "" {
				t.Fatalf("item %d lost its id %q", i, raw.Data[i].ID)
			}
		}
		if raw.Meta != nil && p.Count != raw.Meta.Count {
			t.Fatalf("count %d, want %d", p.Count, raw.Meta.Count)
		}
		if p.Number != 1 {
			t.Fatalf("page number %d", p.Number)
		}
	})
}

// FuzzPathID checks any ID: it is refused with ErrInvalidArgument, or it
// becomes exactly one path segment that reads back as the ID.
func FuzzPathID(f *testing.F) {
	for _, s := range []string{"evt_1", "", ".", "..", "...", "a/b", "a%2Fb", "a?b", "a#b", "a\\b", "a\x00b", "\x7f", "ü", "a b", "%", "%zz", ";", "\u2028", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		esc, err := pathID("eventID", id)
		if err != nil {
			if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "eventID") {
				t.Fatalf("%q: %v", id, err)
			}
			return
		}
		if strings.ContainsAny(esc, "/?#\\") {
			t.Fatalf("%q escaped to %q", id, esc)
		}
		u, err := url.Parse("https://api.example/v1/events/" + esc + "/registrations")
		if err != nil {
			t.Fatalf("%q: the URL does not parse: %v", id, err)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("%q: the URL has a query or fragment: %s", id, u)
		}
		segs := strings.Split(u.EscapedPath(), "/")
		if len(segs) != 5 || segs[4] != "registrations" {
			t.Fatalf("%q: the path %q is not /v1/events/{id}/registrations", id, u.EscapedPath())
		}
		if back, err := url.PathUnescape(segs[3]); err != nil || back != id {
			t.Fatalf("%q: the segment reads back as %q (%v)", id, back, err)
		}
	})
}

// FuzzTokenErrorRedaction hands tokenError answers that hold the client
// secret, or the Basic credentials made of it, anywhere in any body, as
// they are or escaped as JSON, URLs, forms or HTML: no form is left in what
// the error prints. Secrets are printable ASCII of redact.MinLoose bytes or
// more, as real ones are, so that one cannot hide in the words of the
// message itself.
func FuzzTokenErrorRedaction(f *testing.F) {
	f.Add("client-id", "0123456789abcdef", "pre ", " post", uint8(0), 401, true)
	f.Add("id", "S3cretS3cretS3cret", "", "", uint8(3), 400, false)
	f.Add("a b:c", "abcdefghijklmnop", "{\"error\":\"", "\"}", uint8(1), 200, true)
	f.Add("id", "s3cr:et/+&<x>'~", "&amp", ";%", uint8(7), 502, false)
	f.Fuzz(func(t *testing.T, id, secret, before, after string, form uint8, status int, oauthErr bool) {
		// Errors quote bodies with %q, which doubles a backslash and
		// escapes a quote: its output could spell a secret holding them
		// without the secret being echoed. "[" and "]" could spell one
		// with the "[REDACTED]" that stands for a secret cut out. The
		// property is about echoes, so secrets hold neither, and the text
		// around them is text %q prints as it is.
		if len(secret) < redact.MinLoose || strings.ContainsAny(secret, "\\\"[]") || strconv.Quote(secret) != `"`+secret+`"` ||
			strconv.Quote(before+after) != `"`+before+after+`"` {
			return
		}
		status = 100 + abs(status)%500
		r := &redactor{}
		r.addClientSecret(id, secret)
		forms := echoedSecretForms(id, secret)
		echoed := before + forms[int(form)%len(forms)] + after + forms[(int(form)+1)%len(forms)]
		re := &oauth2.RetrieveError{Response: &http.Response{StatusCode: status, Status: fmt.Sprint(status)}, Body: []byte(echoed)}
		if oauthErr {
			re.ErrorCode, re.ErrorDescription = "invalid_client", echoed
		}
		const tokenURL = "https://api.example/v1/auth/token"
		bare := tokenError(&oauth2.RetrieveError{Response: re.Response}, tokenURL, r).Error()
		for _, err := range []error{tokenError(re, tokenURL, r), tokenError(errors.New(echoed), tokenURL, r)} {
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				for _, fm := range forms {
					if strings.Contains(s, fm) && !strings.Contains(bare, fm) {
						t.Fatalf("%q shows in %q", fm, s)
					}
				}
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// FuzzCreateRequestsMarshal encodes the bodies of the create calls with any
// values: a request that passes validation always encodes, and its
// attributes decode back to what was sent.
func FuzzCreateRequestsMarshal(f *testing.F) {
	f.Add("ada@example.com", "Ada", "Lovelace", "tkt_1", "q_1", "yes", "k", 10, 25.5)
	f.Add("", "", "", "", "", "", "", -1, -0.5)
	f.Add("a@b.c", "\u2028", "<&>", "\"", "\\", "\x00", "\xff", 0, 1e308)
	f.Fuzz(func(t *testing.T, email, first, last, ticket, question, answer, key string, count int, price float64) {
		check := func(name string, req interface{ validate() error }, typ string, back any) {
			if req.validate() != nil {
				return
			}
			b, err := encodeBody(RequestBody(typ, req))
			if err != nil {
				t.Fatalf("%s: a valid request does not encode: %v", name, err)
			}
			var doc struct {
				Data struct {
					Type       string          `json:"type"`
					Attributes json.RawMessage `json:"attributes"`
				} `json:"data"`
			}
			if err := json.Unmarshal(b, &doc); err != nil || doc.Data.Type != typ {
				t.Fatalf("%s: %s is not a %s request: %v", name, b, typ, err)
			}
			if err := json.Unmarshal(doc.Data.Attributes, back); err != nil {
				t.Fatalf("%s: attributes %s do not decode: %v", name, doc.Data.Attributes, err)
			}
		}
		valid := true // strings that JSON carries unchanged
		for _, s := range []string{email, first, last, ticket, question, answer, key} {
			valid = valid && utf8.ValidString(s) && !strings.ContainsRune(s, utf8.RuneError)
		}

		reg := &RegistrationCreateRequest{Email: email, FirstName: first, LastName: last, TicketID: ticket,
			Answers: []Answer{{QuestionID: question, Answer: answer}}, Metadata: map[string]string{key: answer}}
		var regBack RegistrationCreateRequest
		check("registration", reg, "registration", &regBack)
		if valid && reg.validate() == nil && !reflect.DeepEqual(*reg, regBack) {
			t.Fatalf("registration changed: %+v → %+v", *reg, regBack)
		}

		ml := &MagicLinkCreateRequest{Email: email, FirstName: first, LastName: last, Headline: answer, ExtraFields: map[string]string{key: question}}
		var mlBack MagicLinkCreateRequest
		check("magic link", ml, "magicLink", &mlBack)
		if valid && ml.validate() == nil && !reflect.DeepEqual(*ml, mlBack) {
			t.Fatalf("magic link changed: %+v → %+v", *ml, mlBack)
		}

		upd := &RegistrationUpdateRequest{Metadata: map[string]string{key: answer}, FirstName: first, LastName: last, Headline: email,
			ExternalBarcode: ticket, Answers: []Answer{{QuestionID: question, Answer: answer}}}
		var updBack RegistrationUpdateRequest
		check("registration update", upd, "registration", &updBack)
		if valid && upd.validate() == nil && !reflect.DeepEqual(*upd, updBack) {
			t.Fatalf("registration update changed: %+v → %+v", *upd, updBack)
		}

		rep := &ReportCreateRequest{SegmentType: SegmentType(first), VirtualSpaceID: ticket, ParticipationReportType: SegmentType(last), ParticipationTypeID: question}
		var repBack ReportCreateRequest
		check("report", rep, "", &repBack)
		if valid && rep.validate() == nil && !reflect.DeepEqual(*rep, repBack) {
			t.Fatalf("report changed: %+v → %+v", *rep, repBack)
		}

		tk := &TicketCreateRequest{Name: first, Description: last, Count: &count, Price: &price}
		var tkBack TicketCreateRequest
		check("ticket", tk, "ticket", &tkBack)
		if valid && tk.validate() == nil && (*tkBack.Count != count || *tkBack.Price != price || tkBack.Name != first) {
			t.Fatalf("ticket changed: %+v → %+v", *tk, tkBack)
		}
	})
}

// FuzzAPIError builds an *APIError from any status, Retry-After and body:
// its message is never empty, its Body stays bounded, valid UTF-8, and the
// sentinels it matches agree with its status.
func FuzzAPIError(f *testing.F) {
	f.Add(404, "", []byte(`{"errors":[{"status":"404","detail":"gone"}]}`))
	f.Add(429, "3", []byte(`{"errors":[{"status":"429"}]}`))
	f.Add(502, "soon", []byte("<html>502</html>"))
	f.Add(503, "Sat, 21 Nov 3026 10:00:00 GMT", []byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		status = 100 + abs(status)%500
		resp := &http.Response{StatusCode: status, Header: http.Header{"Retry-After": {retryAfter}}, Body: io.NopCloser(bytes.NewReader(body))}
		e := newAPIError(resp, http.MethodGet, "https://api.example/v1/health", time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), nil)
		if e.Error() == "" || len(e.Body) > maxErrorSnippet+len("…") || !utf8.ValidString(e.Body) {
			t.Fatalf("bad error %q (body %q)", e.Error(), e.Body)
		}
		if e.RetryAfter < 0 || e.RetryAfter > maxRetryAfter {
			t.Fatalf("retry after %v", e.RetryAfter)
		}
		if errors.Is(e, ErrServer) != (status >= 500) || errors.Is(e, ErrNotFound) != (status == 404) || errors.Is(e, ErrRateLimited) != (status == 429) {
			t.Fatalf("sentinels disagree with %d", status)
		}
	})
}

// FuzzDecodeModels feeds any bytes to the single-resource and list decoders
// of every model the API returns: they may fail, never panic, and a list
// that decodes keeps every item.
func FuzzDecodeModels(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	for _, name := range []string{"tickets_list.json", "tickets_bank_questions.json", "magiclinks_list.json", "reports_list.json",
		"scheduleitems_list.json", "sessions_list.json", "stages_list.json", "booths_list.json", "tags_list_booth.json",
		"templates_list.json", "subscriptions_create.json", "magiclinks_create_legacy.json", "events_list.json"} {
		b, err := readFixture(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeModel[Organization](t, b)
		decodeModel[Template](t, b)
		decodeModel[Event](t, b)
		decodeModel[Registration](t, b)
		decodeModel[Ticket](t, b)
		decodeModel[BankQuestion](t, b)
		decodeModel[MagicLink](t, b)
		decodeModel[LegacyMagicLink](t, b)
		decodeModel[Report](t, b)
		decodeModel[ScheduleItem](t, b)
		decodeModel[Session](t, b)
		decodeModel[Stage](t, b)
		decodeModel[Booth](t, b)
		decodeModel[Tag](t, b)
		decodeModel[DataSubscription](t, b)
	})
}

func decodeModel[T any, PT model[T]](t *testing.T, b []byte) {
	if v, err := decodeOne[T, PT](bytes.NewReader(b)); err == nil && v == nil {
		t.Fatal("a decoded resource is nil")
	}
	_, _ = decodePage[T, PT](bytes.NewReader(b), nil)
}

// FuzzRedactor gives a client's redactor a secret and a call's email, and
// writes each, amid any text, with its characters escaped in any mix of the
// ways JSON, URLs, forms and HTML escape them (escapeAs), the email's ASCII
// letters in any mix of cases and its "@" as "&commat;" or not. The
// redactor never panics, and what it returns holds neither value, neither
// as it is nor as it was written.
// The values are of redact.MinLoose bytes or more and hold no "[" or "]",
// with which the "[REDACTED]" put in their place could spell one.
func FuzzRedactor(f *testing.F) {
	f.Add("cs-4e1b9d0a2c6f", "Zoe.Lee+events@example.org", "sent ", ", refused", []byte{0, 1, 3}, []byte{2, 4, 5, 6, 7, 8}, uint64(0xA5A5))
	f.Add("s3cr:et/+&<x> \"'%41\\n", "zoë@exämple.org", `{"detail":"`, `"}`, []byte{3, 0, 0, 1}, []byte{0}, uint64(1<<63))
	f.Fuzz(func(t *testing.T, secret, email, before, after string, how1, how2 []byte, flip uint64) {
		if len(secret) < redact.MinLoose || len(email) < redact.MinLoose || !strings.Contains(email, "@") ||
			!utf8.ValidString(secret) || !utf8.ValidString(email) || strings.ContainsAny(secret+email, "[]") {
			return
		}
		r := &redactor{}
		r.addClientSecret("client-id", secret)
		call := r.with([]string{email})
		cased := []byte(email)
		for i, c := range cased {
			if flip&(1<<(i%63)) != 0 && 'a' <= c|0x20 && c|0x20 <= 'z' {
				cased[i] ^= 0x20
			}
		}
		echoed := escapeAs(string(cased), how2)
		if flip&(1<<63) != 0 {
			echoed = strings.ReplaceAll(echoed, "@", "&commat;")
		}
		written := escapeAs(secret, how1)
		got := call.redact(before + written + after + echoed + before)
		for _, v := range []string{secret, written, email, string(cased), echoed} {
			if strings.Contains(got, v) {
				t.Fatalf("%q shows in %q", v, got)
			}
		}
	})
}
