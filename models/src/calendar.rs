//! Working days in mainland China: the State Council holiday schedule with its make-up
//! workdays (调休), which every reply deadline is counted in (SPEC §4).
//!
//! Rules, as [`WorkCalendar`] applies them:
//! - **Built-in schedule.** From 2004-01-01 through 2026-12-25 a day is a working day exactly
//!   when the State Council's notices say so (the `chinese_holiday` crate's data, with the two
//!   days it gets wrong corrected): statutory holidays are rest days even on weekdays, and
//!   make-up workdays (调休上班) are working days even on Saturdays and Sundays.
//! - **Schedule years.** The notice for year Y also decides the last days of December of Y−1
//!   (the 2019 notice made Saturday 2018-12-29 a workday), so a schedule year runs from
//!   December 26 of the previous year through December 25. That is why the built-in data stops
//!   at 2026-12-25: the 2027 notice is not out yet.
//! - **Config overrides.** A config lists extra rest days and extra working days by date; they
//!   win over the built-in schedule (a date in both lists is a working day). Listing any date
//!   of a schedule year marks that whole year as covered, so give the whole notice.
//! - **Fallback.** Outside covered schedule years a working day is Monday to Friday.
//!   [`WorkCalendar::is_covered`] says which days are guesses, so reports can flag them.
//!
//! Speed: indicators count working days for millions of rows, so the calendar precomputes a
//! table of cumulative working-day counts (2004-01-01 through 2030-12-31, widened to every
//! config year); counting between two dates is then two lookups, and the Mon–Fri fallback
//! outside the table is arithmetic, also O(1).

use std::fmt;
use std::sync::{Arc, LazyLock};

use chinese_holiday::{chinese_holiday, Ymd};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The first day the built-in State Council schedule covers.
pub const BUILT_IN_FIRST: NaiveDate = date(2004, 1, 1);
/// The last day the built-in State Council schedule covers (end of the 2026 schedule year).
pub const BUILT_IN_LAST: NaiveDate = date(2026, 12, 25);
/// The table runs at least this far, so the years just after the built-in data stay O(1).
const TABLE_LAST: NaiveDate = date(2030, 12, 31);
/// Config dates widen the table up to these bounds; beyond them (typos like year 20270) they
/// are applied without the table, so a typo cannot allocate gigabytes.
const TABLE_LIMITS: (NaiveDate, NaiveDate) = (date(1900, 1, 1), date(2199, 12, 31));

const fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(d) => d,
        None => panic!("invalid constant date"),
    }
}

/// The `[calendar]` part of the config: dates that override the built-in schedule, typically
/// the next year's State Council notice before a new `chinese_holiday` release has it.
///
/// ```toml
/// [calendar]
/// holidays = [2027-01-01, 2027-02-05]   # extra rest days (dates for illustration)
/// workdays = [2027-02-20]               # extra working days (调休上班)
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarOverrides {
    /// Extra rest days (holidays, including weekdays given off).
    #[serde(deserialize_with = "config_dates::deserialize")]
    pub holidays: Vec<NaiveDate>,
    /// Extra working days (make-up workdays on weekends).
    #[serde(deserialize_with = "config_dates::deserialize")]
    pub workdays: Vec<NaiveDate>,
}

impl CalendarOverrides {
    /// The built-in calendar with these overrides applied.
    pub fn calendar(&self) -> WorkCalendar {
        WorkCalendar::with_overrides(&self.holidays, &self.workdays)
    }
}

/// Dates in the config, as TOML dates (`2027-01-01`) or strings (`"2027-01-01"`).
mod config_dates {
    use std::fmt;

    use chrono::NaiveDate;
    use serde::de::{self, Deserializer, MapAccess, Visitor};
    use serde::Deserialize;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
        Ok(Vec::<ConfigDate>::deserialize(d)?.into_iter().map(|date| date.0).collect())
    }

    struct ConfigDate(NaiveDate);

    impl<'de> Deserialize<'de> for ConfigDate {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(DateVisitor).map(ConfigDate)
        }
    }

    struct DateVisitor;

    impl<'de> Visitor<'de> for DateVisitor {
        type Value = NaiveDate;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a date like 2027-01-01")
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<NaiveDate, E> {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| E::custom(format!("invalid date {text:?}: write it as YYYY-MM-DD, like 2027-01-01")))
        }

        /// The toml crate hands a TOML date over as a one-entry map holding its text.
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NaiveDate, A::Error> {
            match map.next_entry::<String, String>()? {
                Some((_, text)) => self.visit_str(&text),
                None => Err(de::Error::custom("expected a date like 2027-01-01")),
            }
        }
    }
}

/// Which days are working days; see the module documentation for the rules.
///
/// Cheap to clone (the table is shared). `Default` is the built-in schedule without overrides.
/// Inside, days are numbers (days since 0001-01-01 is 1, a Monday), so a step is an addition.
#[derive(Clone)]
pub struct WorkCalendar {
    /// Day number of the table's first day.
    first: i64,
    /// `before[i]` = working days in `[first, first + i)`; one entry more than the table has days.
    before: Arc<[u32]>,
    /// Overrides too far from today for the table (outside 1900–2199, surely typos, but kept):
    /// day number and whether it is a working day, sorted.
    far: Arc<[(i64, bool)]>,
    /// Schedule years (see the module docs) that the config overrides cover, sorted.
    config_years: Arc<[i32]>,
}

/// The built-in calendar, built once: every `WorkCalendar::default()` shares its table.
static BUILT_IN: LazyLock<WorkCalendar> = LazyLock::new(|| WorkCalendar::build(&[], &[]));

impl Default for WorkCalendar {
    fn default() -> Self {
        BUILT_IN.clone()
    }
}

impl fmt::Debug for WorkCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let table = date_of(self.first)..date_of(self.first + self.table_days());
        f.debug_struct("WorkCalendar").field("table", &table).field("config_years", &self.config_years).finish()
    }
}

impl WorkCalendar {
    /// The built-in schedule, with config-supplied `holidays` (rest days) and `workdays`
    /// (working days) that override it, in any year. A date in both lists is a working day.
    pub fn with_overrides(holidays: &[NaiveDate], workdays: &[NaiveDate]) -> WorkCalendar {
        if holidays.is_empty() && workdays.is_empty() {
            return WorkCalendar::default();
        }
        WorkCalendar::build(holidays, workdays)
    }

    fn build(holidays: &[NaiveDate], workdays: &[NaiveDate]) -> WorkCalendar {
        // Later entries win: holidays first, then workdays.
        let overrides: Vec<(NaiveDate, bool)> =
            holidays.iter().map(|d| (*d, false)).chain(workdays.iter().map(|d| (*d, true))).collect();
        let (near, far): (Vec<_>, Vec<_>) =
            overrides.iter().partition(|(d, _)| (TABLE_LIMITS.0..=TABLE_LIMITS.1).contains(d));
        let first = near.iter().map(|(d, _)| first_of_year(*d)).fold(BUILT_IN_FIRST, NaiveDate::min);
        let last = near.iter().map(|(d, _)| last_of_year(*d)).fold(TABLE_LAST, NaiveDate::max);

        let mut is_workday: Vec<bool> = first.iter_days().take_while(|d| *d <= last).map(built_in_is_workday).collect();
        for (d, workday) in &near {
            is_workday[(day_number(*d) - day_number(first)) as usize] = *workday;
        }
        let mut before = Vec::with_capacity(is_workday.len() + 1);
        let mut count = 0u32;
        before.push(count);
        for workday in is_workday {
            count += u32::from(workday);
            before.push(count);
        }

        let mut far: Vec<(i64, bool)> = far.iter().rev().map(|(d, workday)| (day_number(*d), *workday)).collect();
        far.sort_by_key(|(n, _)| *n); // stable: for a date listed twice the later entry comes first
        far.dedup_by_key(|(n, _)| *n);

        let mut config_years: Vec<i32> = overrides.iter().map(|(d, _)| schedule_year(*d)).collect();
        config_years.sort_unstable();
        config_years.dedup();
        WorkCalendar {
            first: day_number(first),
            before: before.into(),
            far: far.into(),
            config_years: config_years.into(),
        }
    }

    /// Whether `day` is a working day: the schedule's answer where it is covered (built in or
    /// from the config), Monday to Friday elsewhere.
    pub fn is_workday(&self, day: NaiveDate) -> bool {
        self.is_workday_at(day_number(day))
    }

    /// Whether `day` falls in a schedule year the calendar knows (2004-01-01 through
    /// 2026-12-25 built in, plus every schedule year the config overrides touch). For other
    /// days [`is_workday`](Self::is_workday) is only the Mon–Fri guess.
    pub fn is_covered(&self, day: NaiveDate) -> bool {
        (BUILT_IN_FIRST..=BUILT_IN_LAST).contains(&day) || self.config_years.binary_search(&schedule_year(day)).is_ok()
    }

    /// `day` itself if it is a working day, otherwise the first working day after it.
    pub fn next_workday_on_or_after(&self, day: NaiveDate) -> NaiveDate {
        let mut n = day_number(day);
        while !self.is_workday_at(n) {
            n += 1;
        }
        date_of(n)
    }

    /// The `n`th working day after `day` (`day` itself when `n` is 0), so that
    /// `workdays_between(day, add_workdays(day, n)) == n`. Like a legal period, the start day
    /// is not counted: 1 working day after a Friday is the next Monday (no holiday between),
    /// and 1 working day after a Saturday is also that Monday.
    pub fn add_workdays(&self, day: NaiveDate, n: u32) -> NaiveDate {
        let mut at = day_number(day);
        for _ in 0..n {
            at += 1;
            while !self.is_workday_at(at) {
                at += 1;
            }
        }
        date_of(at)
    }

    /// Working days after `from` up to and including `to`: the number of days `d` with
    /// `from < d <= to` that are working days; negative (the same count) when `to` is before
    /// `from`. The inverse of [`add_workdays`](Self::add_workdays). O(1).
    pub fn workdays_between(&self, from: NaiveDate, to: NaiveDate) -> i32 {
        (self.workdays_before(day_number(to) + 1) - self.workdays_before(day_number(from) + 1)) as i32
    }

    /// Working days from `start` up to, not including, `end`: the number of days `d` with
    /// `start <= d < end` that are working days; negative (the same count) when `end` is before
    /// `start`. O(1).
    pub fn workdays_from_until(&self, start: NaiveDate, end: NaiveDate) -> i32 {
        (self.workdays_before(day_number(end)) - self.workdays_before(day_number(start))) as i32
    }

    fn is_workday_at(&self, n: i64) -> bool {
        let i = n - self.first;
        if (0..self.table_days()).contains(&i) {
            return self.before[i as usize + 1] > self.before[i as usize];
        }
        match self.far.binary_search_by_key(&n, |(at, _)| *at) {
            Ok(k) => self.far[k].1,
            Err(_) => is_mon_to_fri(n),
        }
    }

    /// Working days in `[first, n)`, negative for days before the table: a rank that turns
    /// counting into a subtraction.
    fn workdays_before(&self, n: i64) -> i64 {
        let i = n - self.first;
        let table_days = self.table_days();
        if i < 0 {
            -(mon_to_fri_count(n, -i) + self.far_change_in(n, self.first))
        } else if i <= table_days {
            i64::from(self.before[i as usize])
        } else {
            let after_table = self.first + table_days;
            i64::from(self.before[table_days as usize])
                + mon_to_fri_count(after_table, n - after_table)
                + self.far_change_in(after_table, n)
        }
    }

    /// How the far overrides in `[from, until)` change the Mon–Fri count (usually none at all).
    fn far_change_in(&self, from: i64, until: i64) -> i64 {
        let in_range = self.far.iter().filter(|(n, _)| (from..until).contains(n));
        in_range.map(|(n, workday)| i64::from(*workday) - i64::from(is_mon_to_fri(*n))).sum()
    }

    fn table_days(&self) -> i64 {
        self.before.len() as i64 - 1
    }
}

fn day_number(day: NaiveDate) -> i64 {
    i64::from(day.num_days_from_ce())
}

/// The date of a day number, clamped to chrono's range.
fn date_of(n: i64) -> NaiveDate {
    let clamped = n.clamp(day_number(NaiveDate::MIN), day_number(NaiveDate::MAX));
    NaiveDate::from_num_days_from_ce_opt(clamped as i32).expect("clamped into chrono's range")
}

/// The schedule year a day belongs to: December 26–31 are decided by next year's notice.
fn schedule_year(day: NaiveDate) -> i32 {
    if day.month() == 12 && day.day() >= 26 {
        day.year() + 1
    } else {
        day.year()
    }
}

/// Days the `chinese_holiday` crate (2026.0.1) gets wrong, with what the State Council's notice
/// says: `(day, is_workday)`. Found by comparing every day of 2004–2026 with the Python
/// `chinesecalendar` package; the three days they disagree on were checked against the notices
/// (2005-12-31, a make-up Saturday of the 2006 notice, the crate has right).
const BUILT_IN_CORRECTIONS: [(NaiveDate, bool); 2] = [
    // 2016 notice: National Day Oct 1–7 off, make-up workdays Sat 8 and Sun 9 October.
    (date(2016, 10, 9), true),
    // 2017 notice: New Year Dec 31 2016 – Jan 2 2017 off; Friday 30 December is a working day.
    (date(2016, 12, 30), true),
];

fn built_in_is_workday(day: NaiveDate) -> bool {
    if let Some(&(_, workday)) = BUILT_IN_CORRECTIONS.iter().find(|(d, _)| *d == day) {
        workday
    } else if (BUILT_IN_FIRST..=BUILT_IN_LAST).contains(&day) {
        // In range by the check above, so the crate's year assertion holds.
        chinese_holiday(Ymd::new(day.year() as u16, day.month() as u8, day.day() as u8)).is_workday()
    } else {
        is_mon_to_fri(day_number(day))
    }
}

/// Whether day number `n` is Monday to Friday (day 1, 0001-01-01, was a Monday).
fn is_mon_to_fri(n: i64) -> bool {
    (n - 1).rem_euclid(7) < 5
}

/// Monday-to-Friday days among `days` consecutive days from day number `start`.
fn mon_to_fri_count(start: i64, days: i64) -> i64 {
    let partial = (0..days % 7).filter(|k| is_mon_to_fri(start + k)).count() as i64;
    days / 7 * 5 + partial
}

fn first_of_year(day: NaiveDate) -> NaiveDate {
    day.with_ordinal(1).unwrap_or(day)
}

fn last_of_year(day: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(day.year(), 12, 31).unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates are YYYY-MM-DD")
    }

    /// Checks the calendar against weeks drawn as strips, Monday to Sunday: `W` working day,
    /// `R` rest day, lowercase where the schedule does not cover the day (Mon–Fri guess).
    /// Every count, step and jump the calendar makes inside the strip must agree with it.
    fn check(cal: &WorkCalendar, monday: &str, weeks: &[&str]) {
        let monday = day(monday);
        assert_eq!(monday.weekday(), chrono::Weekday::Mon, "{monday} is not a Monday");
        let strip: String = weeks.concat();
        let days: Vec<NaiveDate> = monday.iter_days().take(strip.chars().count()).collect();
        let actual: String = days
            .iter()
            .map(|d| match (cal.is_workday(*d), cal.is_covered(*d)) {
                (true, true) => 'W',
                (false, true) => 'R',
                (true, false) => 'w',
                (false, false) => 'r',
            })
            .collect();
        let actual_weeks: Vec<&str> = (0..weeks.len()).map(|w| &actual[w * 7..(w + 1) * 7]).collect();
        assert_eq!(actual_weeks, weeks, "weeks from {monday}");

        let workday: Vec<bool> = strip.chars().map(|c| c.eq_ignore_ascii_case(&'W')).collect();
        for (i, from) in days.iter().enumerate() {
            if let Some(next) = (i..days.len()).find(|j| workday[*j]) {
                assert_eq!(cal.next_workday_on_or_after(*from), days[next], "next workday on or after {from}");
            }
            for (j, to) in days.iter().enumerate() {
                let (low, high, sign) = if i <= j { (i, j, 1) } else { (j, i, -1) };
                let expected = sign * workday[low + 1..=high].iter().filter(|w| **w).count() as i32;
                assert_eq!(cal.workdays_between(*from, *to), expected, "workdays between {from} and {to}");
                if i == j || (i < j && workday[j]) {
                    assert_eq!(cal.add_workdays(*from, expected as u32), *to, "{expected} workdays after {from}");
                }
            }
        }
    }

    #[test]
    fn national_day_2019_with_make_up_sunday_and_saturday() {
        // Mid-Autumn Fri 13 – Sun 15 Sep; National Day Oct 1–7, make-up Sun 29 Sep and Sat 12 Oct.
        check(&WorkCalendar::default(), "2019-09-09", &["WWWWRRR", "WWWWWRR", "WWWWWRW", "WRRRRRR", "RWWWWWR"]);
    }

    #[test]
    fn spring_festival_2019_and_2020() {
        // 2019: Feb 4–10 off, make-up Sat 2 and Sun 3 Feb.
        check(&WorkCalendar::default(), "2019-01-28", &["WWWWWWW", "RRRRRRR", "WWWWWRR"]);
        // 2020: Jan 24 – Feb 2 off (extended for COVID-19 on 27 Jan), make-up Sun 19 Jan.
        check(&WorkCalendar::default(), "2020-01-13", &["WWWWWRW", "WWWWRRR", "RRRRRRR", "WWWWWRR"]);
    }

    #[test]
    fn new_year_2019_was_decided_in_december_2018() {
        // Sat 29 Dec 2018 a make-up workday; Dec 30 – Jan 1 off.
        check(&WorkCalendar::default(), "2018-12-24", &["WWWWWWR", "RRWWWRR"]);
    }

    #[test]
    fn national_day_2016_and_new_year_2017_where_the_crate_is_corrected() {
        // 2016 National Day: Oct 1–7 off, make-up Sat 8 and Sun 9 Oct (the crate has Sun 9 off).
        check(&WorkCalendar::default(), "2016-09-26", &["WWWWWRR", "RRRRRWW", "WWWWWRR"]);
        // 2017 New Year: Sat 31 Dec – Mon 2 Jan off; Fri 30 Dec works (the crate has it off).
        check(&WorkCalendar::default(), "2016-12-26", &["WWWWWRR", "RWWWWRR"]);
    }

    #[test]
    fn schedules_2025_and_2026() {
        // 2025 National Day: Oct 1–8 off, make-up Sun 28 Sep and Sat 11 Oct.
        check(&WorkCalendar::default(), "2025-09-22", &["WWWWWRW", "WWRRRRR", "RRRWWWR"]);
        // 2026 Spring Festival: Feb 15–23 off, make-up Sat 14 and Sat 28 Feb.
        check(&WorkCalendar::default(), "2026-02-09", &["WWWWWWR", "RRRRRRR", "RWWWWWR"]);
    }

    #[test]
    fn outside_the_built_in_years_it_is_monday_to_friday_and_says_so() {
        // 2004-01-01 (New Year) is the first covered day; 2026-12-25 the last.
        check(&WorkCalendar::default(), "2003-12-29", &["wwwRWRR"]);
        check(&WorkCalendar::default(), "2026-12-21", &["WWWWWrr", "wwwwwrr"]);
        check(&WorkCalendar::default(), "2031-01-06", &["wwwwwrr"]);
    }

    #[test]
    fn config_overrides_add_a_year() {
        // Made-up 2027 dates (the notice is not out): its schedule year starts on 2026-12-26.
        let cal = CalendarOverrides { holidays: vec![day("2027-01-01")], workdays: vec![day("2027-02-20")] }.calendar();
        check(&cal, "2026-12-21", &["WWWWWRR", "WWWWRRR"]);
        check(&cal, "2027-02-15", &["WWWWWWR"]);
        check(&cal, "2027-12-20", &["WWWWWRr"]);
        // Beyond the table (a typo year) the overrides still apply, without a huge table.
        let cal = WorkCalendar::with_overrides(&[day("2300-01-03")], &[day("2300-01-06")]);
        check(&cal, "2300-01-01", &["WWRWWWR"]);
        assert!(cal.before.len() < 11_000);
    }

    #[test]
    fn a_config_date_overrides_the_built_in_one_and_workdays_win_ties() {
        let national_day = day("2019-10-01");
        let cal =
            WorkCalendar::with_overrides(&[day("2019-09-29"), day("2019-10-08")], &[national_day, day("2019-10-08")]);
        check(&cal, "2019-09-23", &["WWWWWRR", "WWRRRRR", "RWWWWWR"]);
    }

    #[test]
    fn the_config_reads_toml() {
        let overrides: CalendarOverrides =
            toml::from_str("holidays = [2027-01-01]\nworkdays = [\"2027-02-20\"]").expect("valid config");
        assert_eq!(overrides.holidays, [day("2027-01-01")]);
        assert_eq!(overrides.workdays, [day("2027-02-20")]);
        let typo = toml::from_str::<CalendarOverrides>("holiday = [\"2027-01-01\"]").unwrap_err();
        assert!(typo.to_string().contains("unknown field `holiday`"), "{typo}");
        let bad = toml::from_str::<CalendarOverrides>("workdays = [\"2027-02-30\"]").unwrap_err();
        assert_eq!(bad.message(), "invalid date \"2027-02-30\": write it as YYYY-MM-DD, like 2027-01-01");
    }

    fn calendars() -> impl Strategy<Value = WorkCalendar> {
        prop_oneof![
            Just(WorkCalendar::default()),
            Just(WorkCalendar::with_overrides(
                &[day("2027-01-01"), day("2029-06-05"), day("2200-06-10")],
                &[day("2027-02-20"), day("2201-01-03")]
            )),
        ]
    }

    /// Days around the table's edges and the far overrides.
    fn days() -> impl Strategy<Value = NaiveDate> {
        (0..ANCHORS.len(), 0u64..1200).prop_map(|(a, offset)| day(ANCHORS[a]) + chrono::Days::new(offset))
    }

    /// Two days near the same anchor, so walking from one to the other stays quick.
    fn nearby_days() -> impl Strategy<Value = (NaiveDate, NaiveDate)> {
        (0..ANCHORS.len(), 0u64..1200, 0u64..1200)
            .prop_map(|(a, x, y)| (day(ANCHORS[a]) + chrono::Days::new(x), day(ANCHORS[a]) + chrono::Days::new(y)))
    }

    const ANCHORS: [&str; 5] = ["2003-06-01", "2018-06-01", "2026-06-01", "2030-06-01", "2199-12-01"];

    proptest! {
        #[test]
        fn adding_n_workdays_then_counting_gives_n(cal in calendars(), from in days(), n in 0u32..400) {
            let to = cal.add_workdays(from, n);
            prop_assert_eq!(cal.workdays_between(from, to), n as i32);
            prop_assert!(n == 0 || cal.is_workday(to));
        }

        #[test]
        fn counting_agrees_with_walking_day_by_day(cal in calendars(), (a, b) in nearby_days()) {
            let (low, high) = (a.min(b), a.max(b));
            let walked = low.iter_days().skip(1).take_while(|d| *d <= high).filter(|d| cal.is_workday(*d)).count() as i32;
            prop_assert_eq!(cal.workdays_between(low, high), walked);
            prop_assert_eq!(cal.workdays_between(high, low), -walked);
        }

        #[test]
        fn counts_add_up_across_any_distance(cal in calendars(), a in days(), b in days(), c in days()) {
            prop_assert_eq!(cal.workdays_between(a, b) + cal.workdays_between(b, c), cal.workdays_between(a, c));
        }

        #[test]
        fn the_next_workday_is_the_first_one(cal in calendars(), from in days()) {
            let next = cal.next_workday_on_or_after(from);
            prop_assert!(cal.is_workday(next));
            prop_assert!(from.iter_days().take_while(|d| *d < next).all(|d| !cal.is_workday(d)));
        }
    }
}
