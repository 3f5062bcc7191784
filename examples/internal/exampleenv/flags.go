package exampleenv

import (
	"fmt"
	"slices"
	"strings"
)

// ParseEnum returns the value of valid that s names, and otherwise an error
// that lists them all: what a flag taking one of the SDK's typed string
// values (a report type, a signal) answers to a typo. what names the kind
// of value in the error.
func ParseEnum[T ~string](what, s string, valid []T) (T, error) {
	if slices.Contains(valid, T(s)) {
		return T(s), nil
	}
	names := make([]string, len(valid))
	for i, v := range valid {
		names[i] = string(v)
	}
	return "", fmt.Errorf("unknown %s %q; valid ones are: %s", what, s, strings.Join(names, ", "))
}
