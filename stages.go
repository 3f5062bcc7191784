package rcevents

// StagesService reads the stages of events.
type StagesService service
