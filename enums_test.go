package rcevents

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// enum is a typed enum of the SDK: a string type that validates itself
// against the one list its exported list function copies.
type enum interface {
	~string
	valid() bool
}

// checkEnum checks that list returns the constants of want, in their order,
// as a copy; that each is valid; and that wrong, a near miss, is not.
func checkEnum[T enum](t *testing.T, list func() []T, want []T, wrong T) {
	t.Helper()
	assert.Equal(t, want, list())
	assert.Len(t, slices.Compact(slices.Sorted(slices.Values(list()))), len(want), "no value twice")
	for _, v := range list() {
		assert.True(t, v.valid(), v)
	}
	assert.False(t, wrong.valid(), wrong)
	assert.False(t, T("").valid(), "the empty value")
	list()[0] = wrong
	assert.Equal(t, want[0], list()[0], "the list is a copy")
}

// TestEnums checks the six enums the same way, against the values the API
// reference documents.
func TestEnums(t *testing.T) {
	t.Run("ReportType", func(t *testing.T) {
		checkEnum(t, ReportTypes, []ReportType{
			ReportTypeAll, ReportTypeAttendees, ReportTypeAttendeeLog, ReportTypeAttendeeActivity,
			ReportTypeAttendeeFeedback, ReportTypeAttendeeScore, ReportTypePostEventSurvey, ReportTypeFeedback,
			ReportTypeBoothAttendee, ReportTypeBoothInteraction, ReportTypeChat, ReportTypeConnection,
			ReportTypeNoShows, ReportTypeParticipation, ReportTypeTimeSpentOnline, ReportTypeRegistrations,
			ReportTypeRegistrants, ReportTypeSchedule, ReportTypeSchedules, ReportTypeSummary,
			ReportTypeReferrals, ReportTypeViewership, ReportTypeOnlineAttendeeCounts,
			ReportTypeSegmentRegistrations, ReportTypeAgenda, ReportTypeReplayRecordings,
			ReportTypeReplayViewers, ReportTypeEngagement,
		}, "registration")
		assert.Len(t, ReportTypes(), 28, "the API documents 28 report types")
	})
	t.Run("SegmentType", func(t *testing.T) {
		checkEnum(t, SegmentTypes, []SegmentType{SegmentTypeSchedule, SegmentTypeSession, SegmentTypeExpo, SegmentTypeStage, SegmentTypeAll}, "booth")
	})
	t.Run("Signal", func(t *testing.T) {
		checkEnum(t, Signals, []Signal{
			SignalAttendance, SignalAttendeeCheckedInToEvent, SignalAttendeeCheckedInToScheduleItem,
			SignalAttendeeCheckedOutFromEvent, SignalAttendeeCheckedOutFromScheduleItem, SignalAttendeeClickedURL,
			SignalAttendeeEnteredEventArea, SignalAttendeeFilledMidEventSurvey, SignalAttendeeFilledPostEventSurvey,
			SignalAttendeeLeftEventArea, SignalAttendeeRegisteredVendorInterest, SignalOnsiteSegmentRegistrationCreated,
			SignalRegistrationQRCreated, SignalRegistrationQRUpdated, SignalRegistrationQrCreated, SignalRegistrationQrUpdated,
		}, "checkIn")
		assert.Equal(t, Signal("attendeeClickedUrl"), SignalAttendeeClickedURL)
	})
	t.Run("EventType", func(t *testing.T) {
		checkEnum(t, EventTypes, []EventType{EventTypeHiddenEvent, EventTypePrivateEvent, EventTypePublicEvent}, "Public_Event")
	})
	t.Run("AttendeesVisibility", func(t *testing.T) {
		checkEnum(t, AttendeesVisibilities, []AttendeesVisibility{AttendeesVisibilityShowAll, AttendeesVisibilityShowList, AttendeesVisibilityShowNone}, "SHOW_ALL")
	})
	t.Run("NetworkType", func(t *testing.T) {
		checkEnum(t, NetworkTypes, []NetworkType{NetworkTypeEveryone, NetworkTypeTicketHolder}, "nobody")
	})
}

// TestGoDocListsEveryEnumValue checks that every constant of a type, in
// this package and in rceventstest, is declared alone: go doc of the type
// shows the first constant of a group and "...", hiding the others.
func TestGoDocListsEveryEnumValue(t *testing.T) {
	for dir, want := range map[string]int{".": 28 + 5 + 16 + 3 + 3 + 2, "rceventstest": 8 + 3 + 4 + 2} {
		fset := token.NewFileSet()
		var files []*ast.File
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		for _, name := range names {
			if !strings.HasSuffix(name, "_test.go") {
				f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
				require.NoError(t, err)
				files = append(files, f)
			}
		}
		pkg, err := doc.NewFromFiles(fset, files, "example.com/"+dir)
		require.NoError(t, err)
		consts := 0
		for _, typ := range pkg.Types {
			for _, c := range typ.Consts {
				assert.Len(t, c.Decl.Specs, 1, "%s: constants of %s declared together: %v", dir, typ.Name, c.Names)
				consts++
			}
		}
		assert.Equal(t, want, consts, "%s: the typed constants found", dir)
	}
}
