package rcevents

// TicketsService reads and creates the tickets of events.
type TicketsService service
