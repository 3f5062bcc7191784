package rcevents

import "net/mail"

// validEmail reports whether s looks like one plain email address,
// local@domain, with nothing around it.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}
