package rcevents

// ScheduleItemsService reads the schedule items of events.
type ScheduleItemsService service
