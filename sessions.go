package rcevents

// SessionsService reads the sessions of events.
type SessionsService service
