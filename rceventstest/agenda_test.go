package rceventstest_test

import (
	"net/http"
	"reflect"
	"testing"
)

func TestScheduleItems(t *testing.T) {
	srv, c := start(t)
	fx := srv.Fixtures
	items := c.all("/v1/events/" + fx.EventID + "/scheduleItems?perPage=10")
	if len(items) != 23 || items[1].ID != fx.ScheduleItemID {
		t.Fatalf("%d schedule items", len(items))
	}
	areas := map[any]bool{}
	for _, it := range items {
		checkResource(t, it, "scheduleItem")
		areas[it.Attributes["area"]] = true
		if _, ok := it.Attributes["speakers"].([]any); !ok {
			t.Errorf("speakers %v is not an array", it.Attributes["speakers"])
		}
	}
	if len(areas) != 4 {
		t.Errorf("areas %v", areas)
	}
	keynote := c.get("/v1/scheduleItems/" + fx.ScheduleItemID)
	if !reflect.DeepEqual(keynote, items[1]) || keynote.Attributes["areaName"] != "Main Stage" || len(keynote.Attributes["speakers"].([]any)) != 1 {
		t.Errorf("keynote: %v", keynote.Attributes)
	}
	if tags := c.list("/v1/scheduleItems/" + fx.ScheduleItemID + "/tags"); tags.Meta.Count != 2 {
		t.Errorf("keynote tags: %d", tags.Meta.Count)
	} else {
		checkResource(t, tags.Data[0], "tag")
	}
	if tags := c.list("/v1/scheduleItems/" + items[0].ID + "/tags"); tags.Meta.Count != 0 {
		t.Errorf("breakfast tags: %d", tags.Meta.Count)
	}
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/scheduleItems/nope", nil)
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/scheduleItems/nope/tags", nil)
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/events/nope/scheduleItems", nil)
}

func TestSessionsStagesBooths(t *testing.T) {
	srv, c := start(t)
	fx := srv.Fixtures
	ev := "/v1/events/" + fx.EventID
	for _, tc := range []struct {
		path, typ string
		count     int
		first     string
	}{
		{ev + "/sessions", "session", 4, fx.SessionID},
		{ev + "/stages", "stage", 2, fx.StageID},
		{ev + "/booths", "booth", 12, fx.BoothID},
	} {
		l := c.list(tc.path)
		if l.Meta.Count != tc.count || l.Data[0].ID != tc.first {
			t.Errorf("%s: count %d", tc.path, l.Meta.Count)
		}
		for _, r := range l.Data {
			checkResource(t, r, tc.typ)
		}
		c.failure(http.StatusNotFound, http.MethodGet, "/v1/events/nope/"+tc.path[len(ev)+1:], nil)
	}
	booths := c.list(ev + "/booths").Data
	nulls := 0
	for _, b := range booths {
		if b.Attributes["about"] == nil {
			nulls++
		}
	}
	if nulls == 0 || nulls == len(booths) {
		t.Errorf("about is null for %d of %d booths", nulls, len(booths))
	}
	tags := c.list("/v1/booths/" + fx.BoothID + "/tags")
	if tags.Meta.Count < 2 || tags.Data[0].Attributes["name"] != "Sponsor" {
		t.Errorf("booth tags: %+v", tags.Data)
	}
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/booths/nope/tags", nil)
	if l := c.list("/v1/events/" + fx.OtherEventID + "/booths"); l.Meta.Count != 0 || l.Data == nil {
		t.Errorf("an event without booths: %+v", l)
	}
}

func TestDataSubscriptions(t *testing.T) {
	srv, c := start(t)
	path := "/v1/events/" + srv.Fixtures.EventID + "/dataSubscriptions"
	sub := expect[oneJSON](c, http.StatusCreated, http.MethodPost, path, body("dataSubscription", map[string]any{
		"configuration": map[string]any{"url": "https://hooks.example.org/rce", "type": "webhook", "expiresAt": "2099-01-01T00:00:00Z"},
		"signals":       []string{"attendance", "registrationQRCreated", "registrationQrCreated"},
	})).Data
	checkResource(t, sub, "dataSubscription")
	a := sub.Attributes
	if a["eventId"] != srv.Fixtures.EventID || a["expiresAt"] != "2099-01-01T00:00:00.000Z" || len(a["signals"].([]any)) != 3 ||
		!reflect.DeepEqual(a["configuration"], map[string]any{"type": "webhook", "url": "https://hooks.example.org/rce"}) {
		t.Errorf("subscription: %v", a)
	}
	bare := expect[oneJSON](c, http.StatusCreated, http.MethodPost, path, body("dataSubscription", nil)).Data
	if conf := bare.Attributes["configuration"].(map[string]any); conf["url"] != nil || conf["type"] != "webhook" {
		t.Errorf("bare subscription: %v", bare.Attributes)
	}
	for _, attrs := range []map[string]any{
		{"signals": []string{"attendance", "everything"}},
		{"configuration": map[string]any{"url": "ftp://x"}},
		{"configuration": map[string]any{"expiresAt": "2001-01-01T00:00:00Z"}},
		{"configuration": "https://x"},
	} {
		c.failure(http.StatusUnprocessableEntity, http.MethodPost, path, body("dataSubscription", attrs))
	}
	c.failure(http.StatusNotFound, http.MethodPost, "/v1/events/nope/dataSubscriptions", body("dataSubscription", nil))
	if got := srv.Stats().DataSubscriptionsCreated; got != 2 {
		t.Errorf("DataSubscriptionsCreated = %d", got)
	}
}
