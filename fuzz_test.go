package rcevents

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-querystring/query"
	"github.com/rcevents/rcevents-go/internal/jsonapi"
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
		var list jsonapi.ListDocument[Organization]
		if decodeJSON(strings.NewReader(string(b)), &list) == nil {
			p := &Page[Organization]{Items: make([]Organization, len(list.Data))}
			for i := range list.Data {
				p.Items[i] = *unwrap[Organization](&list.Data[i])
			}
			if len(p.Items) != len(list.Data) {
				t.Fatal("items lost")
			}
			_ = lastPage(p, 10)
		}
		var one jsonapi.Document[Organization]
		if decodeJSON(strings.NewReader(string(b)), &one) == nil {
			org := unwrap[Organization](&one.Data)
			if org.ID == "" && one.Data.Attributes.ID != "" {
				t.Fatal("id lost")
			}
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

// FuzzPlainJSONStrings checks the shortcut for lists of plain strings
// against encoding/json: whatever it takes, json decodes to the same list.
func FuzzPlainJSONStrings(f *testing.F) {
	for _, s := range []string{`[]`, `[ ]`, `["a"]`, `["a","b"]`, ` ["a" , "b"] `, `["a",]`, `[,"a"]`, `["a""b"]`,
		`["a\"b"]`, `["\u00e9"]`, "[\"\xff\"]", `["a"]]`, `[["a"]]`, `["a",null]`, `[`, `["a`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		b = bytes.Trim(b, " \t\r\n")
		if len(b) == 0 || b[0] != '[' {
			return
		}
		got, ok := plainJSONStrings(b)
		if !ok {
			return
		}
		var want []string
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("%q: took %q, json refuses it: %v", b, got, err)
		}
		if !slices.Equal(got, want) || got == nil {
			t.Fatalf("%q: got %q, json gives %q", b, got, want)
		}
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
		objs, body := decodeErrorBody(b)
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
