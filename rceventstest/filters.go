package rceventstest

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// fieldType is the type of a filterable field; it decides the operators and value syntax.
type fieldType int

const (
	stringField   fieldType = iota // eq, in (comma-separated)
	dateTimeField                  // eq, in (comma-separated), gt, lt, gte, lte; RFC 3339
	booleanField                   // eq; true or false
)

var operators = map[fieldType][]string{
	stringField:   {"eq", "in"},
	dateTimeField: {"eq", "in", "gt", "lt", "gte", "lte"},
	booleanField:  {"eq"},
}

// filterField is one field a list can be filtered by.
type filterField struct {
	name string
	typ  fieldType
}

// condition is one parsed filter[field][op]=value.
type condition struct {
	field string
	typ   fieldType
	op    string
	strs  []string
	times []time.Time
	flag  bool
}

// filterable gives a condition the value of a field of one list item: a string, a
// time.Time or a bool. A lazily generated item computes just the field asked for.
type filterable interface {
	filterValue(field string) any
}

// parseFilters reads every filter[field][op] query parameter against the fields the list
// allows (none for most lists). An unknown field or operator, a malformed key or a value
// of the wrong type is answered with 400 and false.
func parseFilters(w http.ResponseWriter, r *http.Request, allowed []filterField) ([]condition, bool) {
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		if strings.HasPrefix(k, "filter") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var conds []condition
	for _, key := range keys {
		c, detail := parseCondition(key, q.Get(key), allowed)
		if detail != "" {
			writeBadParameter(w, key, detail)
			return nil, false
		}
		conds = append(conds, c)
	}
	return conds, true
}

func parseCondition(key, value string, allowed []filterField) (condition, string) {
	names := make([]string, len(allowed))
	for i, f := range allowed {
		names[i] = f.name
	}
	invalid := "Invalid filter params, please use allowed ones: " + strings.Join(names, ", ")
	if len(allowed) == 0 {
		invalid = "this list cannot be filtered"
	}
	m := filterKey.FindStringSubmatch(key)
	if m == nil {
		return condition{}, fmt.Sprintf("%s: filters are written filter[field][operator]=value. %s", key, invalid)
	}
	field, op := m[1], m[2]
	i := slices.IndexFunc(allowed, func(f filterField) bool { return f.name == field })
	if i < 0 {
		return condition{}, invalid
	}
	c := condition{field: field, typ: allowed[i].typ, op: op}
	if !slices.Contains(operators[c.typ], op) {
		return condition{}, fmt.Sprintf("operator %q is not allowed on %s; use one of %s", op, field, strings.Join(operators[c.typ], ", "))
	}
	values := []string{value}
	if op == "in" {
		values = strings.Split(value, ",")
	}
	for _, v := range values {
		v = strings.TrimSpace(v)
		switch c.typ {
		case stringField:
			c.strs = append(c.strs, v)
		case dateTimeField:
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return condition{}, fmt.Sprintf("%s: %q is not an RFC 3339 date-time", key, v)
			}
			c.times = append(c.times, t)
		case booleanField:
			if v != "true" && v != "false" {
				return condition{}, fmt.Sprintf("%s: %q is not a boolean (true or false)", key, v)
			}
			c.flag = v == "true"
		}
	}
	return c, ""
}

// filterKey is a filter's key, filter[field][op].
var filterKey = regexp.MustCompile(`^filter\[([^\[\]]+)\]\[([^\[\]]+)\]$`)

// matches reports whether v satisfies every condition.
func matches(conds []condition, v filterable) bool {
	for _, c := range conds {
		if !c.match(v) {
			return false
		}
	}
	return true
}

func (c condition) match(v filterable) bool {
	var got time.Time
	switch v := v.filterValue(c.field).(type) {
	case string:
		// Exactly equal, as the reference's stringFilter says: "Example@x.io" does not match
		// "example@x.io".
		return slices.Contains(c.strs, v)
	case bool:
		return v == c.flag
	case time.Time:
		// Stored date-times carry whole seconds; so are the filter values compared.
		got = v.Truncate(time.Second)
	}
	want := c.times[0].Truncate(time.Second)
	switch c.op {
	case "gt":
		return got.After(want)
	case "lt":
		return got.Before(want)
	case "gte":
		return !got.Before(want)
	case "lte":
		return !got.After(want)
	}
	return slices.ContainsFunc(c.times, func(t time.Time) bool { return got.Equal(t.Truncate(time.Second)) })
}
