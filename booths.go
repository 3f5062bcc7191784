package rcevents

// BoothsService reads the booths of events.
type BoothsService service
