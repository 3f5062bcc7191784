package rceventstest

import rcevents "github.com/rcevents/rcevents-go"

// Client returns an rcevents client for the server: its URL as the base URL, its client
// credentials, and an HTTP client whose idle connections Close closes (so leak checkers
// stay quiet). opts apply after those and may replace any of them except the credential
// mode: to try a static token, call rcevents.NewClient with rcevents.WithToken(s.Token).
//
// It panics if the client cannot be made, which only an invalid option can cause: a
// programming error in the test, not a condition to handle.
func (s *Server) Client(opts ...rcevents.Option) *rcevents.Client {
	c, err := rcevents.NewClient(append([]rcevents.Option{
		rcevents.WithBaseURL(s.URL),
		rcevents.WithClientCredentials(s.ClientID, s.ClientSecret),
		rcevents.WithHTTPClient(s.HTTPClient()),
	}, opts...)...)
	if err != nil {
		panic("rceventstest: Server.Client: " + err.Error())
	}
	return c
}
