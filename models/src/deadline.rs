//! Reply deadlines (SPEC §4): when a post counts as received, when its reply is due, how many
//! working days a reply took, and which posts are late, unaccepted (问责) or overdue (超时警告).
//!
//! The rules, as this module applies them (all times are naive Asia/Shanghai local time, all
//! working days those of the [`WorkCalendar`]):
//! 1. **Receipt day.** A post that arrives on a working day before office close (default 17:30)
//!    is received that day. A post that arrives at or after office close, or on a rest day, is
//!    received on the next working day. Office hours have no opening time: a post at 07:00 on a
//!    working day is received that day.
//! 2. **Counting.** A period of n working days starts after the receipt day, which is not
//!    counted, as for any legal period (民法典 第二百零一条: 开始的当日不计入): 5 working days
//!    after a Monday receipt with no holiday between is the next Monday.
//! 3. **Due.** A reply is due by the end (23:59:59) of its due day:
//!    - 咨询 / 建议 / 求助: the receipt day itself (the same working day);
//!    - 投诉 / 举报 / 其他: the 5th working day after the receipt day (the 3rd is the target);
//!    - complex cases: the date the unit committed to in a reply that accepted the case without
//!      completing it ("将于15个工作日内办结", "6月30日前答复您"), but never later than the 15th
//!      working day after the receipt day ([`committed_workdays`]). A committed date on a rest
//!      day is the next working day, as a reply on a rest day counts as sent on the next one.
//!      A commitment counts only when it was made by the kind's own deadline
//!      ([`commitment_counts`]): one made once that had passed leaves the case late.
//!
//!    [`allowed_workdays`] gives either as working days after the receipt day; [`due_at`],
//!    [`is_on_time`] and [`overdue_workdays`] take that number.
//! 4. **Working days to reply** ([`workdays_to_reply`]): the reply's date, moved to the next
//!    working day when it is a rest day, minus the receipt day, counted in working days; 0 when
//!    the reply came on the receipt day or before it. Only the reply's date matters, not its
//!    time: office close applies to arriving posts, not to replies. Equivalently: the number of
//!    working days from the post's arrival day (the next calendar day if it came at or after
//!    office close) up to, not including, the reply's day. A reply is on time exactly when this
//!    number is at most the allowed working days (0 for same-day kinds), which is the same as
//!    being sent no later than [`due_at`]. Examples (no holiday near): a post on Friday 10:00
//!    answered on Saturday took 1 working day (late for a same-day kind); a post on Friday
//!    17:45, received on Monday, answered on Saturday or Monday took 0.
//! 5. **Acceptance (问责).** A post with no first response within 3 working days after its
//!    receipt day (working days to the first response above 3, or, with no response yet, the
//!    as-of moment past that window) is an accountability case. A reply saying the case is still
//!    being handled counts as a first response.
//! 6. **Overdue warning (超时警告).** A post whose deadline has passed as of the data's as-of
//!    moment with no final reply sent by then. How late it is counts like rule 4, as if the reply
//!    came at the as-of moment, minus the allowed working days: always 1 or more. A final reply
//!    that came late but before the as-of moment is not overdue (it is counted as not on time).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::calendar::WorkCalendar;
use crate::kind::PostKind;

/// The deadline thresholds of the config file (`[deadlines]`); `Default` is the platform's rules.
///
/// ```toml
/// [deadlines]
/// office_close = "17:30"                    # a post at or after this is received next working day
/// same_day_kinds = ["咨询", "建议", "求助"]   # answered on the receipt day
/// complaint_days = 5                        # every other kind: working days after receipt
/// complaint_target_days = 3                 # the target for those kinds
/// acceptance_days = 3                       # no first response within these: 问责
/// complex_max_days = 15                     # a committed deadline is capped at this
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeadlineRules {
    /// Office close: a post at or after this time is received on the next working day.
    #[serde(with = "hours_minutes")]
    pub office_close: NaiveTime,
    /// Kinds answered on the receipt working day; every other kind gets `complaint_days`.
    #[serde(with = "kind_names")]
    pub same_day_kinds: Vec<PostKind>,
    /// Working days after the receipt day allowed for the kinds not answered the same day.
    pub complaint_days: u32,
    /// The target (not the limit) for those kinds.
    pub complaint_target_days: u32,
    /// A post with no first response within this many working days is an accountability case.
    pub acceptance_days: u32,
    /// The latest a committed deadline of a complex case may be, in working days after receipt.
    pub complex_max_days: u32,
}

impl Default for DeadlineRules {
    fn default() -> Self {
        DeadlineRules {
            office_close: NaiveTime::from_hms_opt(17, 30, 0).expect("valid time"),
            same_day_kinds: vec![PostKind::Consultation, PostKind::Suggestion, PostKind::Help],
            complaint_days: 5,
            complaint_target_days: 3,
            acceptance_days: 3,
            complex_max_days: 15,
        }
    }
}

impl DeadlineRules {
    /// Whether posts of this kind are answered on their receipt working day.
    pub fn is_same_day(&self, kind: PostKind) -> bool {
        self.same_day_kinds.contains(&kind)
    }

    /// Working days after the receipt day a reply may take: 0 for same-day kinds.
    pub fn allowed_workdays(&self, kind: PostKind) -> u32 {
        if self.is_same_day(kind) {
            0
        } else {
            self.complaint_days
        }
    }

    /// The target in working days after the receipt day: 0 for same-day kinds.
    pub fn target_workdays(&self, kind: PostKind) -> u32 {
        if self.is_same_day(kind) {
            0
        } else {
            self.complaint_target_days
        }
    }
}

/// The working day a post is received on (rule 1): its arrival day if that is a working day and
/// it arrived before office close, otherwise the next working day.
pub fn receipt_day(posted_at: NaiveDateTime, rules: &DeadlineRules, cal: &WorkCalendar) -> NaiveDate {
    cal.next_workday_on_or_after(arrival_day(posted_at, rules))
}

/// How many working days after its receipt day a post's final reply may take (rule 3): its
/// kind's ([`DeadlineRules::allowed_workdays`]), or, for a complex case whose unit `committed`
/// to a date, those up to that date ([`committed_workdays`]).
pub fn allowed_workdays(
    kind: PostKind,
    committed: Option<NaiveDate>,
    posted_at: NaiveDateTime,
    rules: &DeadlineRules,
    cal: &WorkCalendar,
) -> u32 {
    match committed {
        Some(day) => committed_workdays(posted_at, day, rules, cal),
        None => rules.allowed_workdays(kind),
    }
}

/// Whether a commitment to a deadline made at `made_at` makes the post a complex case (rule 3):
/// it was made by the kind's own deadline. A note sent once that deadline had passed does not
/// turn the late answer it announces into an on-time one.
pub fn commitment_counts(
    kind: PostKind,
    posted_at: NaiveDateTime,
    made_at: NaiveDateTime,
    rules: &DeadlineRules,
    cal: &WorkCalendar,
) -> bool {
    made_at <= due_at(rules.allowed_workdays(kind), posted_at, rules, cal)
}

/// The working days after the receipt day a complex case has (rule 3): up to the day the unit
/// committed to (the next working day when that is a rest day), at most `complex_max_days`; 0
/// for a date on or before the receipt day.
pub fn committed_workdays(
    posted_at: NaiveDateTime,
    committed: NaiveDate,
    rules: &DeadlineRules,
    cal: &WorkCalendar,
) -> u32 {
    let received = receipt_day(posted_at, rules, cal);
    let days = cal.workdays_between(received, cal.next_workday_on_or_after(committed));
    days.clamp(0, rules.complex_max_days as i32) as u32
}

/// When the final reply to a post is due (rule 3), given the working days it may take
/// ([`allowed_workdays`]): 23:59:59 of the `allowed`th working day after the receipt day.
pub fn due_at(allowed: u32, posted_at: NaiveDateTime, rules: &DeadlineRules, cal: &WorkCalendar) -> NaiveDateTime {
    end_of(cal.add_workdays(receipt_day(posted_at, rules, cal), allowed))
}

/// Working days a reply took (rule 4): the reply's date (the next working day if it is a rest
/// day) minus the post's receipt day, in working days, never below 0.
///
/// Examples with no holiday near: a post on Monday 10:00 answered Monday 20:00 → 0; answered
/// Tuesday → 1. A post on Friday 10:00 answered Saturday → 1 (Saturday counts as Monday, after
/// the Friday deadline). A post on Friday 17:45 (received Monday) answered Saturday → 0.
pub fn workdays_to_reply(
    posted_at: NaiveDateTime,
    replied_at: NaiveDateTime,
    rules: &DeadlineRules,
    cal: &WorkCalendar,
) -> i32 {
    // The O(1) form of the rule: working days from arrival up to, not including, the reply's day.
    cal.workdays_from_until(arrival_day(posted_at, rules), replied_at.date()).max(0)
}

/// Whether a reply met the post's deadline (rule 4): it took at most the `allowed` working days
/// ([`allowed_workdays`]), i.e. it was sent no later than [`due_at`].
pub fn is_on_time(
    allowed: u32,
    posted_at: NaiveDateTime,
    replied_at: NaiveDateTime,
    rules: &DeadlineRules,
    cal: &WorkCalendar,
) -> bool {
    workdays_to_reply(posted_at, replied_at, rules, cal) <= allowed as i32
}

/// Whether a reply met the target (3 working days for complaints, the same day for same-day
/// kinds), counted as in [`is_on_time`].
pub fn is_within_target(
    kind: PostKind,
    posted_at: NaiveDateTime,
    replied_at: NaiveDateTime,
    rules: &DeadlineRules,
    cal: &WorkCalendar,
) -> bool {
    workdays_to_reply(posted_at, replied_at, rules, cal) <= rules.target_workdays(kind) as i32
}

/// Whether a post is an accountability case (问责, rule 5) as of `as_of`: its first response
/// came more than `acceptance_days` working days after receipt, or it has none by `as_of` and
/// that window has passed. A first response after `as_of` counts as none.
pub fn acceptance_breach(
    posted_at: NaiveDateTime,
    first_response_at: Option<NaiveDateTime>,
    as_of: NaiveDateTime,
    rules: &DeadlineRules,
    cal: &WorkCalendar,
) -> bool {
    let responded_or_now = first_response_at.filter(|at| *at <= as_of).unwrap_or(as_of);
    workdays_to_reply(posted_at, responded_or_now, rules, cal) > rules.acceptance_days as i32
}

/// For the overdue warning list (超时警告, rule 6): how many working days past its deadline a
/// post is as of `as_of`, `Some` only when the deadline has passed and no final reply was sent
/// by `as_of` (a final reply after `as_of` counts as none). Always `Some(1)` or more. `allowed`:
/// the working days the reply may take ([`allowed_workdays`]).
pub fn overdue_workdays(
    allowed: u32,
    posted_at: NaiveDateTime,
    final_reply_at: Option<NaiveDateTime>,
    as_of: NaiveDateTime,
    rules: &DeadlineRules,
    cal: &WorkCalendar,
) -> Option<i32> {
    if final_reply_at.is_some_and(|at| at <= as_of) {
        return None;
    }
    let late = workdays_to_reply(posted_at, as_of, rules, cal) - allowed as i32;
    (late > 0).then_some(late)
}

/// The calendar day a post arrived, or the next one when it came at or after office close.
fn arrival_day(posted_at: NaiveDateTime, rules: &DeadlineRules) -> NaiveDate {
    let day = posted_at.date();
    if posted_at.time() >= rules.office_close {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    }
}

fn end_of(day: NaiveDate) -> NaiveDateTime {
    day.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time"))
}

/// `office_close` in the config: "17:30" (or "17:30:00").
mod hours_minutes {
    use chrono::{NaiveTime, Timelike};
    use serde::{de, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        let format = if time.second() == 0 { "%H:%M" } else { "%H:%M:%S" };
        s.collect_str(&time.format(format))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        NaiveTime::parse_from_str(text.trim(), "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(text.trim(), "%H:%M:%S"))
            .map_err(|_| de::Error::custom(format!("invalid time {text:?}: write it as HH:MM, like \"17:30\"")))
    }
}

/// `same_day_kinds` in the config: the kinds' Chinese names (or English ones).
mod kind_names {
    use serde::{de, Deserialize, Deserializer, Serializer};

    use crate::kind::PostKind;

    pub fn serialize<S: Serializer>(kinds: &[PostKind], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(kinds.iter().map(|k| k.as_str()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<PostKind>, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        names
            .iter()
            .map(|name| {
                PostKind::parse(name).ok_or_else(|| {
                    de::Error::custom(format!("unknown post kind {name:?}: use 咨询, 建议, 求助, 投诉, 举报 or 其他"))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::Deserialize;

    use super::*;
    use crate::calendar::CalendarOverrides;

    /// The parts of the config file these rules read.
    #[derive(Deserialize)]
    struct Config {
        #[serde(default)]
        deadlines: DeadlineRules,
        #[serde(default)]
        calendar: CalendarOverrides,
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("test times are YYYY-MM-DD HH:MM")
    }

    /// Runs posts through every rule and compares a one-line account of each with the table.
    /// `config` is the config file's text ("" for the defaults). `table` alternates a case line,
    /// `<kind> <posted at> [-> <replied at>] [committed <date>] [@ <as of>]` (times as
    /// `YYYY-MM-DD HH:MM`), and the expected account; `//` lines are comments.
    fn check(config: &str, table: &str) {
        let lines: Vec<&str> = table.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("//")).collect();
        let expected: Vec<String> = lines.chunks(2).map(|pair| pair.join("\n")).collect();
        let actual: Vec<String> =
            lines.chunks(2).map(|pair| format!("{}\n{}", pair[0], account(config, pair[0]))).collect();
        assert_eq!(actual.join("\n"), expected.join("\n"));
    }

    fn account(config: &str, case: &str) -> String {
        let config: Config = match toml::from_str(config) {
            Ok(config) => config,
            Err(e) => return format!("config error: {}", e.message()),
        };
        let (rules, cal) = (config.deadlines, config.calendar.calendar());
        let words: Vec<&str> = case.split_whitespace().collect();
        let kind = PostKind::parse(words[0]).expect("a kind");
        let posted = at(&words[1..3].join(" "));
        let after = |marker: &str, len: usize| {
            words.iter().position(|w| *w == marker).map(|i| words[i + 1..i + 1 + len].join(" "))
        };
        let replied = after("->", 2).map(|t| at(&t));
        let committed = after("committed", 1).map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").expect("a date"));
        let as_of = after("@", 2).map(|t| at(&t));

        let allowed = allowed_workdays(kind, committed, posted, &rules, &cal);
        let mut account =
            format!("received {}, due {}", receipt_day(posted, &rules, &cal), due_at(allowed, posted, &rules, &cal));
        if committed.is_some() {
            account += &format!(" (committed: {allowed} workdays)");
        }
        if let Some(replied) = replied {
            let verdict = match (
                is_on_time(allowed, posted, replied, &rules, &cal),
                is_within_target(kind, posted, replied, &rules, &cal),
            ) {
                (true, true) => "on time",
                (true, false) => "on time, past target",
                (false, _) => "late",
            };
            let workdays = workdays_to_reply(posted, replied, &rules, &cal);
            account += &format!("; reply after {workdays} workdays, {verdict}");
        }
        if let Some(as_of) = as_of {
            let flags = match (
                acceptance_breach(posted, replied, as_of, &rules, &cal),
                overdue_workdays(allowed, posted, replied, as_of, &rules, &cal),
            ) {
                (false, None) => "nothing to flag".to_string(),
                (true, None) => "问责".to_string(),
                (false, Some(n)) => format!("超时 {n} workdays"),
                (true, Some(n)) => format!("问责, 超时 {n} workdays"),
            };
            account += &format!("; as of {}: {flags}", as_of.date());
        }
        account
    }

    #[test]
    fn same_day_kinds_are_due_on_the_receipt_working_day() {
        check(
            "",
            "
            咨询 2019-09-26 10:00 -> 2019-09-26 22:00
            received 2019-09-26, due 2019-09-26 23:59:59; reply after 0 workdays, on time
            建议 2019-09-26 10:00 -> 2019-09-27 08:00
            received 2019-09-26, due 2019-09-26 23:59:59; reply after 1 workdays, late
            // Friday 17:45 is after office close; Saturday is a rest day, Sunday 29 Sep a make-up workday.
            求助 2019-09-27 17:45 -> 2019-09-29 11:00
            received 2019-09-29, due 2019-09-29 23:59:59; reply after 0 workdays, on time
            // Exactly at office close counts as after it (Saturday 14 Feb 2026 is a make-up workday).
            咨询 2026-02-13 17:30 -> 2026-02-14 10:00
            received 2026-02-14, due 2026-02-14 23:59:59; reply after 0 workdays, on time
            咨询 2026-02-13 17:29 -> 2026-02-14 10:00
            received 2026-02-13, due 2026-02-13 23:59:59; reply after 1 workdays, late
            ",
        );
    }

    #[test]
    fn posts_on_rest_days_are_received_on_the_next_working_day() {
        check(
            "",
            "
            咨询 2019-10-19 09:00 -> 2019-10-21 16:00
            received 2019-10-21, due 2019-10-21 23:59:59; reply after 0 workdays, on time
            // Saturday 12 Oct 2019 was a make-up workday: a post at 09:00 is received that day.
            投诉 2019-10-12 09:00
            received 2019-10-12, due 2019-10-18 23:59:59
            // Spring Festival 2019: after hours on make-up Sunday 3 Feb, then Feb 4–10 off.
            求助 2019-02-03 20:00 -> 2019-02-11 09:00
            received 2019-02-11, due 2019-02-11 23:59:59; reply after 0 workdays, on time
            ",
        );
    }

    #[test]
    fn the_last_day_before_a_holiday() {
        check(
            "",
            "
            咨询 2019-09-30 16:00 -> 2019-10-08 09:00
            received 2019-09-30, due 2019-09-30 23:59:59; reply after 1 workdays, late
            咨询 2019-09-30 18:00 -> 2019-10-08 09:00
            received 2019-10-08, due 2019-10-08 23:59:59; reply after 0 workdays, on time
            // Five working days after 30 Sep 2019: Oct 8, 9, 10, 11 and make-up Saturday 12.
            投诉 2019-09-30 10:00 -> 2019-10-12 20:00
            received 2019-09-30, due 2019-10-12 23:59:59; reply after 5 workdays, on time, past target
            投诉 2019-09-30 10:00 -> 2019-10-10 20:00
            received 2019-09-30, due 2019-10-12 23:59:59; reply after 3 workdays, on time
            // 2020 Spring Festival, extended to 2 Feb.
            举报 2020-01-23 10:00 -> 2020-02-05 10:00
            received 2020-01-23, due 2020-02-07 23:59:59; reply after 3 workdays, on time
            // 2025 National Day: Oct 1–8 off, make-up Saturday 11 Oct.
            其他 2025-09-30 17:29 -> 2025-10-11 10:00
            received 2025-09-30, due 2025-10-14 23:59:59; reply after 3 workdays, on time
            ",
        );
    }

    #[test]
    fn a_reply_on_a_rest_day_counts_as_sent_on_the_next_working_day() {
        check(
            "",
            "
            咨询 2019-10-18 10:00 -> 2019-10-19 10:00
            received 2019-10-18, due 2019-10-18 23:59:59; reply after 1 workdays, late
            咨询 2019-10-18 17:45 -> 2019-10-19 10:00
            received 2019-10-21, due 2019-10-21 23:59:59; reply after 0 workdays, on time
            // Sunday 13 Oct 2019, after the Saturday deadline.
            投诉 2019-09-30 10:00 -> 2019-10-13 10:00
            received 2019-09-30, due 2019-10-12 23:59:59; reply after 6 workdays, late
            ",
        );
    }

    #[test]
    fn a_commitment_counts_only_when_made_by_the_kind_s_deadline() {
        let (rules, cal) = (DeadlineRules::default(), WorkCalendar::default());
        // a consultation of Monday 14 Oct 2019, due that day; a complaint, due Monday the 21st
        let posted = at("2019-10-14 09:00");
        assert!(commitment_counts(PostKind::Consultation, posted, at("2019-10-14 23:00"), &rules, &cal));
        assert!(!commitment_counts(PostKind::Consultation, posted, at("2019-10-15 09:00"), &rules, &cal));
        assert!(commitment_counts(PostKind::Complaint, posted, at("2019-10-18 10:00"), &rules, &cal));
        assert!(!commitment_counts(PostKind::Complaint, posted, at("2019-10-22 10:00"), &rules, &cal));
    }

    #[test]
    fn acceptance_and_overdue_as_of_the_data_date() {
        check(
            "",
            "
            投诉 2019-09-30 10:00 @ 2019-10-10 12:00
            received 2019-09-30, due 2019-10-12 23:59:59; as of 2019-10-10: nothing to flag
            投诉 2019-09-30 10:00 @ 2019-10-11 12:00
            received 2019-09-30, due 2019-10-12 23:59:59; as of 2019-10-11: 问责
            // Sunday 13 Oct, the day after the deadline.
            投诉 2019-09-30 10:00 @ 2019-10-13 12:00
            received 2019-09-30, due 2019-10-12 23:59:59; as of 2019-10-13: 问责, 超时 1 workdays
            投诉 2019-09-30 10:00 @ 2019-10-16 12:00
            received 2019-09-30, due 2019-10-12 23:59:59; as of 2019-10-16: 问责, 超时 3 workdays
            // A late final reply before the as-of date is late, not overdue; one after it is not there yet.
            投诉 2019-09-30 10:00 -> 2019-10-15 09:00 @ 2019-10-20 00:00
            received 2019-09-30, due 2019-10-12 23:59:59; reply after 7 workdays, late; as of 2019-10-20: 问责
            投诉 2019-09-30 10:00 -> 2019-10-25 09:00 @ 2019-10-20 00:00
            received 2019-09-30, due 2019-10-12 23:59:59; reply after 15 workdays, late; as of 2019-10-20: 问责, 超时 6 workdays
            咨询 2019-09-27 17:45 @ 2019-09-29 23:00
            received 2019-09-29, due 2019-09-29 23:59:59; as of 2019-09-29: nothing to flag
            咨询 2019-09-27 17:45 @ 2019-09-30 08:00
            received 2019-09-29, due 2019-09-29 23:59:59; as of 2019-09-30: 超时 1 workdays
            ",
        );
    }

    #[test]
    fn complex_cases_keep_their_commitment_up_to_15_workdays() {
        check(
            "",
            "
            // Sunday 20 Oct 2019 counts as Monday 21: 15 working days after 30 Sep are Oct 8–12
            // (5), 14–18 (10), 21–25 (15).
            投诉 2019-09-30 10:00 committed 2019-10-20 -> 2019-10-21 16:00
            received 2019-09-30, due 2019-10-21 23:59:59 (committed: 11 workdays); reply after 11 workdays, on time, past target
            投诉 2019-09-30 10:00 committed 2019-12-31 @ 2019-10-28 09:00
            received 2019-09-30, due 2019-10-25 23:59:59 (committed: 15 workdays); as of 2019-10-28: 问责, 超时 1 workdays
            // A same-day kind that was promised an answer within 10 working days.
            咨询 2019-10-14 09:00 committed 2019-10-28 -> 2019-10-25 10:00 @ 2019-11-01 09:00
            received 2019-10-14, due 2019-10-28 23:59:59 (committed: 10 workdays); reply after 9 workdays, on time, past target; as of 2019-11-01: 问责
            // A date on or before the receipt day gives the receipt day.
            投诉 2019-10-14 09:00 committed 2019-10-01
            received 2019-10-14, due 2019-10-14 23:59:59 (committed: 0 workdays)
            ",
        );
    }

    #[test]
    fn the_config_can_change_every_threshold() {
        let config = r#"
            [deadlines]
            office_close = "18:00"
            same_day_kinds = ["求助"]
            complaint_days = 7
            complaint_target_days = 2
            acceptance_days = 5
            complex_max_days = 10
        "#;
        check(
            config,
            "
            咨询 2019-10-18 17:45 -> 2019-10-21 10:00
            received 2019-10-18, due 2019-10-29 23:59:59; reply after 1 workdays, on time
            投诉 2019-10-18 10:00 -> 2019-10-23 10:00 committed 2019-12-31 @ 2019-10-25 12:00
            received 2019-10-18, due 2019-11-01 23:59:59 (committed: 10 workdays); reply after 3 workdays, on time, past target; as of 2019-10-25: nothing to flag
            ",
        );
        // A year the built-in schedule does not know yet (made-up dates).
        let config = r#"
            [calendar]
            holidays = ["2027-10-01", "2027-10-04", "2027-10-05"]
            workdays = ["2027-10-09"]
        "#;
        check(
            config,
            "
            投诉 2027-09-30 10:00
            received 2027-09-30, due 2027-10-11 23:59:59
            ",
        );
        check(
            "",
            "
            投诉 2027-09-30 10:00
            received 2027-09-30, due 2027-10-07 23:59:59
            ",
        );
    }

    #[test]
    fn config_mistakes_say_what_to_write() {
        let case = "咨询 2019-10-18 10:00";
        check(
            "[deadlines]\noffice_close = \"5:30pm\"",
            &format!("{case}\nconfig error: invalid time \"5:30pm\": write it as HH:MM, like \"17:30\""),
        );
        check(
            "[deadlines]\nsame_day_kinds = [\"咨詢\"]",
            &format!("{case}\nconfig error: unknown post kind \"咨詢\": use 咨询, 建议, 求助, 投诉, 举报 or 其他"),
        );
        check("[deadlines]\ncomplaint_day = 5", &format!("{case}\nconfig error: unknown field `complaint_day`, expected one of `office_close`, `same_day_kinds`, `complaint_days`, `complaint_target_days`, `acceptance_days`, `complex_max_days`"));
    }

    #[test]
    fn the_defaults_round_trip_through_the_config_format() {
        let text = toml::to_string(&DeadlineRules::default()).expect("serializable");
        assert!(text.contains("office_close = \"17:30\""), "{text}");
        assert!(text.contains("same_day_kinds = [\"咨询\", \"建议\", \"求助\"]"), "{text}");
        assert_eq!(toml::from_str::<DeadlineRules>(&text).expect("parses back"), DeadlineRules::default());
    }

    #[test]
    fn real_replies_are_counted_consistently() {
        use calamine::{open_workbook_auto, Data, Reader};

        fn time(cell: &Data) -> Option<NaiveDateTime> {
            match cell {
                Data::DateTime(t) => t.as_datetime(),
                Data::String(text) => NaiveDateTime::parse_from_str(text.trim(), "%Y/%m/%d %H:%M:%S").ok(),
                _ => None,
            }
        }
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/replies_dev.xlsx");
        let mut book = open_workbook_auto(&path).expect("the shared data is there");
        let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
        let header: Vec<String> = sheet.rows().next().expect("a header").iter().map(|c| c.to_string()).collect();
        let column = |name: &str| header.iter().position(|h| h.contains(name)).expect("the column");
        let (posted_column, replied_column) = (column("留言时间"), column("答复时间"));
        let (rules, cal) = (DeadlineRules::default(), WorkCalendar::default());

        let mut counted = 0;
        for row in sheet.rows().skip(1) {
            let (Some(posted), Some(replied)) = (time(&row[posted_column]), time(&row[replied_column])) else {
                continue;
            };
            counted += 1;
            assert!(cal.is_covered(posted.date()) && cal.is_covered(replied.date()), "{posted} {replied}");
            for kind in PostKind::ALL {
                let allowed = rules.allowed_workdays(kind);
                let on_time = replied <= due_at(allowed, posted, &rules, &cal);
                assert_eq!(is_on_time(allowed, posted, replied, &rules, &cal), on_time, "{kind:?} {posted} {replied}");
            }
        }
        assert!(counted > 1400, "only {counted} of the 1,463 rows had both times");
    }

    fn moments() -> impl Strategy<Value = NaiveDateTime> {
        // Minutes from 2018-12-20 to mid-2020: two New Years, two Spring Festivals, National Day 2019.
        (0i64..80 * 7 * 24 * 60).prop_map(|m| at("2018-12-20 00:00") + chrono::Duration::minutes(m))
    }

    fn kinds() -> impl Strategy<Value = PostKind> {
        prop::sample::select(PostKind::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn on_time_means_no_later_than_due(kind in kinds(), committed in prop::option::of(moments()), posted in moments(), replied in moments()) {
            let (rules, cal) = (DeadlineRules::default(), WorkCalendar::default());
            let allowed = allowed_workdays(kind, committed.map(|c| c.date()), posted, &rules, &cal);
            prop_assert_eq!(is_on_time(allowed, posted, replied, &rules, &cal), replied <= due_at(allowed, posted, &rules, &cal));
        }

        #[test]
        fn workdays_to_reply_grow_with_the_reply_time(posted in moments(), a in moments(), b in moments()) {
            let (rules, cal) = (DeadlineRules::default(), WorkCalendar::default());
            let (early, late) = (a.min(b), a.max(b));
            prop_assert!(workdays_to_reply(posted, early, &rules, &cal) <= workdays_to_reply(posted, late, &rules, &cal));
        }

        #[test]
        fn workdays_to_reply_is_the_reply_day_minus_the_receipt_day(posted in moments(), replied in moments()) {
            let (rules, cal) = (DeadlineRules::default(), WorkCalendar::default());
            let received = receipt_day(posted, &rules, &cal);
            let replied_workday = cal.next_workday_on_or_after(replied.date());
            let counted = cal.workdays_between(received, replied_workday).max(0);
            prop_assert_eq!(workdays_to_reply(posted, replied, &rules, &cal), counted);
            // The equivalent reading: working days from arrival up to, not including, the reply's day.
            let arrival = arrival_day(posted, &rules);
            let ended = arrival.iter_days().take_while(|d| *d < replied.date()).filter(|d| cal.is_workday(*d)).count();
            prop_assert_eq!(counted, ended as i32);
        }

        #[test]
        fn overdue_posts_are_past_due_and_unanswered(kind in kinds(), committed in prop::option::of(moments()), posted in moments(), reply in prop::option::of(moments()), as_of in moments()) {
            let (rules, cal) = (DeadlineRules::default(), WorkCalendar::default());
            let allowed = allowed_workdays(kind, committed.map(|c| c.date()), posted, &rules, &cal);
            let overdue = overdue_workdays(allowed, posted, reply, as_of, &rules, &cal);
            let unanswered = reply.is_none_or(|r| r > as_of);
            prop_assert_eq!(overdue.is_some(), unanswered && as_of > due_at(allowed, posted, &rules, &cal));
            prop_assert!(overdue.is_none_or(|n| n >= 1));
        }

        #[test]
        fn a_complex_deadline_is_the_commitment_up_to_the_cap(posted in moments(), committed in moments()) {
            let (rules, cal) = (DeadlineRules::default(), WorkCalendar::default());
            let allowed = committed_workdays(posted, committed.date(), &rules, &cal);
            let due = due_at(allowed, posted, &rules, &cal).date();
            let received = receipt_day(posted, &rules, &cal);
            let cap = cal.add_workdays(received, rules.complex_max_days);
            let committed_workday = cal.next_workday_on_or_after(committed.date());
            prop_assert_eq!(due, committed_workday.clamp(received, cap));
        }
    }
}
