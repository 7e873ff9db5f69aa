// Package sla measures service levels in business time: business calendars,
// SLA policies and timers with pauses and cycles, due-lists for schedulers,
// service level agreements, and attainment and availability reports.
//
// It serves ISO/IEC 20000-1:2018 clause 8.3.3 (service level management:
// agreed service targets, monitored and reported against) and clause 8.7.1
// (service availability management: availability measured against the agreed
// service hours).
//
// # Business calendars
//
// A [Calendar] says when a service is supported: weekly working hours in a
// time zone, several intervals a day (08:00–12:00 and 13:00–17:00), night
// shifts crossing midnight (22:00–06:00), holidays (single dates, yearly
// recurring dates and date ranges) and per-date overrides (a half day, an
// extra working Saturday); or round the clock with [AlwaysOpen].
//
//	cal, err := sla.NewCalendar(sla.CalendarSpec{
//		TimeZone: "Europe/Berlin",
//		Week: sla.Weekdays(
//			sla.Hours{Start: 8 * time.Hour, End: 12 * time.Hour},
//			sla.Hours{Start: 13 * time.Hour, End: 17 * time.Hour}),
//		Holidays: []sla.Holiday{sla.YearlyHoliday("Christmas Day", time.December, 25)},
//	})
//	due := cal.Add(opened, 8*time.Hour)   // 8 business hours after opened
//	used := cal.Elapsed(opened, resolved) // business time between two instants
//
// Hours are local wall-clock times; business time is real elapsed time inside
// them, so a daylight-saving change inside an interval makes that day an hour
// shorter or longer. [Calendar] documents the exact rules, including which
// instant a wall time in a DST gap or overlap stands for. [Calendar.Add] and
// [Calendar.Elapsed] are exact to the nanosecond, inverse to each other
// (Elapsed(s, Add(s, d)) == d), allocation-free and cost the same for a
// target a year away as for one an hour away: the calendar precomputes its
// timeline for the years [MinYear] to [MaxYear] when it is built.
//
// Holidays come from where users keep them: [ImportICS] reads an iCalendar
// feed (as Jira Service Management and Zammad import them) and
// [PublicHolidays] expands a country's public holidays from
// github.com/rickar/cal/v2.
//
// # The calendar JSON document
//
// Calendars load from and save to JSON ([ParseCalendar], [ReadCalendar],
// [Calendar.MarshalJSON]), so they live in configuration files:
//
//	{
//	  "timezone": "Europe/London",
//	  "week": {
//	    "mon": [["09:00","12:30"],["13:30","17:00"]],
//	    "tue": [["09:00","17:00"]],
//	    "fri": [["09:00","17:00"]],
//	    "sat": [["22:00","06:00"]]
//	  },
//	  "holidays": [
//	    {"name": "Founders' day", "date": "2026-03-02"},
//	    {"name": "Christmas Day", "yearly": "12-25"},
//	    {"name": "Closed for the move", "from": "2026-07-27", "to": "2026-07-31"}
//	  ],
//	  "overrides": [
//	    {"date": "2026-12-24", "hours": [["09:00","13:00"]]},
//	    {"date": "2026-11-28", "hours": [["10:00","14:00"]]}
//	  ]
//	}
//
// "timezone" is an IANA name (required). "week" has keys mon … sun, each a
// list of ["HH:MM","HH:MM"] intervals ("HH:MM:SS" is accepted; "24:00" ends a
// day; an end before the start crosses midnight); days may be omitted but
// the week needs some hours. A holiday has exactly one of "date", "yearly"
// ("MM-DD"; "02-29" only in leap years) or "from"/"to" (inclusive), and an
// optional "name". An override replaces the hours of its "date"; empty
// "hours" close it; it wins over a holiday on the same date. A 24×7 calendar
// is {"timezone":"UTC","always_open":true}. Errors name the field path, such
// as "week.mon[1]" or "holidays[0].to".
//
// # Policies, timers and reports
//
// A [Policy] holds the targets per priority (optionally per service) with their
// schedules, the warning thresholds (default 50, 75, 90 %) and the states that
// pause or stop timers. Each record keeps one [Timer] per target, a plain JSON
// value persisted with the record; [Policy.OnState] feeds it the record's states,
// [Timer.Restart] starts a new cycle on a reopen, [Policy.Retarget] applies a
// priority change to the time already used. A process package freezes the
// timers of a record it saves ([Timer.Freeze]), so that copies of the record
// share them; a change that moves a timer gives the record a new one
// ([Thaw]). [Policy.Measure] answers due time,
// elapsed and remaining business time, percent used, breach and crossed
// thresholds. A [DueList] hands a scheduler the warnings and breaches due by an
// instant in O(k log n). [Agreements] stores service level agreements, audited;
// [NewReport] and [Availability] compute attainment, mean times and availability
// within service hours (clause 8.7.1).
package sla
