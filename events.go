package rcevents

// EventsService reads, creates and duplicates events.
type EventsService service
