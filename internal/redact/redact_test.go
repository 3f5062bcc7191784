package redact

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forms are the ways a server writes s back: as it is; JSON-escaped as Go
// writes it, with "\/", as Python's json.dumps writes it (every rune past
// ASCII as \uXXXX) and with every rune as \uXXXX; URL-, form- and
// path-escaped, and every byte as %XX; HTML-escaped, with every rune as a
// decimal and as a hex character reference, and with named references.
func forms(s string) map[string]string {
	js, _ := json.Marshal(s)
	inner := string(js[1 : len(js)-1])
	var pyJSON, allJSON, allJSONUpper, pct, pctLower, dec, hex, named strings.Builder
	for _, r := range s {
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&allJSON, `\u%04x`, u)
			fmt.Fprintf(&allJSONUpper, `\u%04X`, u)
			if r < utf8.RuneSelf {
				pyJSON.WriteRune(r)
			} else {
				fmt.Fprintf(&pyJSON, `\u%04x`, u)
			}
		}
		fmt.Fprintf(&dec, "&#%d;", r)
		fmt.Fprintf(&hex, "&#x%x;", r)
		switch r {
		case '@':
			named.WriteString("&commat;")
		case '.':
			named.WriteString("&period;")
		case 'ë':
			named.WriteString("&euml;")
		case '+':
			named.WriteString("&plus;")
		default:
			named.WriteString(html.EscapeString(string(r)))
		}
	}
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&pct, "%%%02X", s[i])
		fmt.Fprintf(&pctLower, "%%%02x", s[i])
	}
	return map[string]string{
		"as is": s, "json": inner, "json \\/": strings.ReplaceAll(inner, "/", `\/`), "json ascii": pyJSON.String(),
		"json every rune": allJSON.String(), "json every rune, upper hex": allJSONUpper.String(),
		"query": url.QueryEscape(s), "path": url.PathEscape(s), "every byte": pct.String(), "every byte, lower hex": pctLower.String(),
		"html": html.EscapeString(s), "html decimal": dec.String(), "html hex": hex.String(), "html named": named.String(),
	}
}

// TestReplaceForms: each value is replaced in every form a server writes
// it back, amid text, and the rest of the text stays as it was; an email
// in upper and in mixed case too (its ASCII letters: "Ë" is not "ë").
func TestReplaceForms(t *testing.T) {
	const email, idn, name, token = "Zoe.Lee+events@example.org", "zoë@exämple.org", "Zoë Lee", "at/9c2d+7e4f_1a8b"
	r := New(email, "[E]", idn, "[I]", name, "[N]", token, "[T]")
	for _, v := range []struct{ in, want string }{
		{email, "[E]"}, {strings.ToUpper(email), "[E]"}, {"zOE.lEE+EVENTS@EXAMPLE.ORG", "[E]"}, {idn, "[I]"}, {"ZOë@EXäMPLE.ORG", "[I]"},
		{name, "[N]"}, {token, "[T]"},
	} {
		for how, form := range forms(v.in) {
			in := "sent <" + form + "> twice: " + form + "."
			assert.Equal(t, "sent <"+v.want+"> twice: "+v.want+".", r.Replace(in), "%s of %q", how, v.in)
			assert.GreaterOrEqual(t, r.Find(in), 0, "%s of %q", how, v.in)
		}
	}
	assert.Equal(t, "name [N], email [E] and [T]", r.Replace("name Zo\\u00eb Lee, email zoe&#46;lee&#x2B;EVENTS&commat;example.org and at%2F9c2d%2B7e4f_1a8b"))
	assert.Equal(t, "ann+events@example.org", r.Replace("ann+events@example.org"), "another email is left")
	assert.Equal(t, "zoe.lee events@example.org", r.Replace("zoe.lee events@example.org"), `a space is not an email's "+"`)
	assert.Equal(t, "[E] [E]", r.Replace("zoe%2Elee+events%40example.org zoe.lee%2Bevents@example.org"), `in a form, "+" is a space or itself`)
}

// TestReplaceKeepsTheForm: a value found escaped is replaced by its
// replacement escaped the same way, so that the JSON, the URL or the HTML
// around it reads as before, with the replacement in the value's place.
func TestReplaceKeepsTheForm(t *testing.T) {
	const email, pseudonym = "zoe.lee@example.org", `p1 "x" <y>@example.invalid`
	r := New(email, pseudonym)

	doc := `{"errors":[{"detail":"zoe.lee\u0040example.org is taken","meta":{"echo":"ZOE.LEE\u0040EXAMPLE.ORG"}}]}`
	var got struct {
		Errors []struct {
			Detail string
			Meta   struct{ Echo string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(r.Replace(doc)), &got), r.Replace(doc))
	assert.Equal(t, pseudonym+" is taken", got.Errors[0].Detail)
	assert.Equal(t, pseudonym, got.Errors[0].Meta.Echo)

	query, err := url.ParseQuery(r.Replace("filter%5Bemail%5D%5Beq%5D=zoe.lee%40example.org&page=2"))
	require.NoError(t, err)
	assert.Equal(t, url.Values{"filter[email][eq]": {pseudonym}, "page": {"2"}}, query)

	page := r.Replace(`<p title="zoe.lee&#64;example.org">zoe.lee@example.org</p>`)
	assert.Equal(t, `<p title="`+html.EscapeString(pseudonym)+`">`+pseudonym+`</p>`, page)

	inJSON := r.Replace(`{"next":"https:\/\/x.example\/v1?email=zoe.lee%40example.org"}`)
	var next struct{ Next string }
	require.NoError(t, json.Unmarshal([]byte(inJSON), &next), inJSON)
	u, err := url.Parse(next.Next)
	require.NoError(t, err)
	assert.Equal(t, pseudonym, u.Query().Get("email"), "a URL in a JSON string")

	assert.Equal(t, `{"email":"p1@example.invalid"} p1@example.invalid`, New(email, "p1@example.invalid").Replace(`{"email":"zoe.lee@example.org"} zoe.lee%40example.org`),
		"a replacement that every form takes as it is, for a value found as it is")
}

// TestShortValues: a value shorter than MinLoose is replaced where it
// stands alone, read through escapes, and nowhere else.
func TestShortValues(t *testing.T) {
	r := New("ab1", "[R]")
	for in, want := range map[string]string{
		"ab1":                                           "[R]",
		"ab1 cab1 ab12 ab1. ab1- _ab1 ~ab1 /ab1":        "[R] cab1 ab12 ab1. ab1- _ab1 ~ab1 /ab1",
		"ab1+x Bearer+ab1 Bearer%20ab1 ab1%20x":         "[R]+x Bearer+[R] Bearer%20[R] [R]%20x",
		`%61b1 x%61b1 %78ab1 \nab1 \u0078ab1 &#120;ab1`: `[R] x%61b1 %78ab1 \n[R] \u0078ab1 &#120;ab1`,
		"ab1%2C ab1%2e ab1\\/ ab1&amp;":                 "[R]%2C ab1%2e ab1\\/ [R]&amp;",
	} {
		assert.Equal(t, want, r.Replace(in), in)
	}
	assert.Equal(t, "[R] and [R]", New("a@b.c", "[R]").Replace("A@B.C and a&#64;b.c"))
}

// TestValuesThatLookEscaped: a value that holds text that reads as an
// escape ("%41", "\n", "&amp;") is found as it is, escaped, and in a mix
// where that text is written as it is and the rest escaped.
func TestValuesThatLookEscaped(t *testing.T) {
	const v = `s3cr%41t\n&amp;\\x`
	r := New(v, "[R]")
	for _, in := range []string{
		v, url.QueryEscape(v), `s3cr%41t\\n&amp;\\\\x`, `\u0073\u0033cr%41t\n&amp;\\\u0078`, `s3cr%41t\n&amp;\%5Cx`, html.EscapeString(v),
	} {
		assert.Equal(t, "<[R]>", r.Replace("<"+in+">"), in)
	}
	assert.Equal(t, "<[R]>", New("00000000", "[R]").Replace("<"+"00000000>"))
	assert.Equal(t, "%[R]", New("00000000", "[R]").Replace("%00000000"), "an echo that begins within what reads as an escape")
}

// TestFind: Find names the first value a text holds, in any form, and
// none once Replace has cut them.
func TestFind(t *testing.T) {
	r := New("cs-4e1b9d0a2c6f", "[SECRET]", "zoe@example.org", "p1@example.invalid")
	assert.Equal(t, -1, r.Find("nothing here"))
	assert.Equal(t, 1, r.Find(`{"email":"ZOE\u0040example.org","secret":"cs-4e1b9d0a2c6f"}`))
	assert.Equal(t, 0, r.Find("cs%2D4e1b9d0a2c6f then zoe@example.org"))
	assert.Equal(t, -1, r.Find(r.Replace(`{"email":"ZOE\u0040example.org","secret":"cs-4e1b9d0a2c6f"}`)))
}

// TestReplacerEdges: a nil Replacer, one without values and empty values
// replace nothing and return the text itself; an odd number of arguments is
// a programming error.
func TestReplacerEdges(t *testing.T) {
	var none *Replacer
	assert.Equal(t, "at-1", none.Replace("at-1"))
	assert.Equal(t, -1, none.Find("at-1"))
	assert.Equal(t, "at-1", New().Replace("at-1"))
	assert.Equal(t, "at-1", New("", "x").Replace("at-1"))
	assert.Equal(t, "", New("a", "x").Replace(""))
	odd := []string{"a"}
	assert.Panics(t, func() { New(odd...) })
	s := "unchanged, and not copied"
	assert.Same(t, unsafeData(s), unsafeData(New("secret-value", "x").Replace(s)))
}

// TestConcurrentUse: one Replacer serves many goroutines at once (run
// with -race).
func TestConcurrentUse(t *testing.T) {
	r := New("at-9c2d7e4f1a8b", "[T]", "zoe@example.org", "[E]")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 100 {
				assert.Equal(t, fmt.Sprintf("%d [T] [E]", i), r.Replace(fmt.Sprintf("%d at%%2D9c2d7e4f1a8b ZOE@example.org", i)))
			}
		})
	}
	wg.Wait()
}

// unsafeData is where the bytes of s lie, to tell a copy from s itself.
func unsafeData(s string) *byte { return unsafe.StringData(s) }

// TestFoldsEmailsBeyondASCII: an email is found whatever the case of its
// ASCII letters, and with its other letters all in lower or all in upper
// case, as a server that upper-cases what it echoes writes it.
func TestFoldsEmailsBeyondASCII(t *testing.T) {
	r := New("zoë.lee@example.org", "[E]", "Zoë Lee", "[N]")
	for _, s := range []string{"ZOË.LEE@EXAMPLE.ORG", "Zoë.Lee@Example.org", "zoë.lee@example.org", `ZO\u00cb.LEE@EXAMPLE.ORG`, "zo%C3%AB.LEE%40example.org"} {
		assert.Equal(t, "<[E]>", r.Replace("<"+s+">"), s)
	}
	assert.Equal(t, "ZOË LEE", r.Replace("ZOË LEE"), "a name is matched as it is")
}

// manyValues returns n pairs of an email or a name and its replacement, the
// emails first, each name beginning with a letter of the alphabet in turn.
func manyValues(n int) []string {
	var pairs []string
	for i := range n {
		if i%2 == 0 {
			pairs = append(pairs, fmt.Sprintf("%c.person%d@example.org", 'a'+i%26, i), fmt.Sprintf("[E%d]", i))
		} else {
			pairs = append(pairs, fmt.Sprintf("%cname%d", 'A'+i%26, i), fmt.Sprintf("[N%d]", i))
		}
	}
	return pairs
}

// TestManyValues: among thousands of values, each is found in every form a
// server writes it back, an email whatever its case, wherever its first
// letter is escaped; where two begin together, the longer is replaced, and
// where two as long do, the first given.
func TestManyValues(t *testing.T) {
	pairs := append(manyValues(3000), "Bname1", "[short]", "Bname1x", "[first]", "Bname1X", "[second]")
	r := New(pairs...)
	for i := 0; i < 3000; i += 29 {
		v, want := pairs[2*i], pairs[2*i+1]
		for how, form := range forms(v) {
			assert.Equal(t, "<"+want+"> <"+want+">", r.Replace("<"+form+"> <"+form+">"), "%s of %q", how, v)
		}
		if i%2 == 0 {
			assert.Equal(t, "("+want+")", r.Replace("("+strings.ToUpper(v)+")"))
			assert.Equal(t, "("+want+")", r.Replace(fmt.Sprintf("(%%%02X%s)", v[0]&^0x20, v[1:])), "the first letter escaped in the other case")
		}
	}
	assert.Equal(t, "[first] [N1]", r.Replace("Bname1x Bname1"))
	assert.Equal(t, "Bname10000", r.Replace("Bname10000"), "a short value within a word is left")
}

// BenchmarkReplaceManyValues is the cost of replacing values in a 64 KiB
// text of JSON that holds a few of them, with 10 values and with 3000 (a
// recording's thousand attendees, each an email and two names), whose
// first letters are spread over the alphabet: it grows with the values that
// may begin at a byte (some 60 of the 3000), not with them all.
func BenchmarkReplaceManyValues(b *testing.B) {
	var text strings.Builder
	for i := 0; text.Len() < 64<<10; i++ {
		fmt.Fprintf(&text, `{"id":"reg_%d","email":"a.person%d@example.org","firstName":"Aname%d","note":"Checked in at the north door, 09:%02d"},`, i, 2*(i%5), 2*(i%5)+1, i%60)
	}
	for _, n := range []int{10, 3000} {
		r := New(manyValues(n)...)
		b.Run(fmt.Sprintf("values=%d", n), func(b *testing.B) {
			b.SetBytes(int64(text.Len()))
			for b.Loop() {
				_ = r.Replace(text.String())
			}
		})
	}
}
