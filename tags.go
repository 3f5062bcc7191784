package rcevents

// TagsService reads the tags of booths and schedule items.
type TagsService service
