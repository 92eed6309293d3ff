//! Replies that accept a case without completing it, and the deadline they commit to (SPEC §4:
//! "complex cases: a committed deadline, at most 15 working days; a reply that says it is still
//! being handled counts as acceptance, not completion").
//!
//! A receipt ("留言已收悉") and a forwarding note ("已转县教育局办理") are interim by their type. A
//! reply of another type is interim when it says the case is still being handled or that its
//! result will follow ("此事正在调查处理中", "待核实清楚后予以回复", "处理结果将另行答复") and the
//! scorer did not find it a substantive answer, a deflection or a refusal: those close the case
//! whatever else they say ("案件正在办理中" after a finding is the court case, not this one).
//!
//! A note may report the step taken before it ("您反映的问题我们已安排专人调查核实，目前正在处理
//! 中"): an investigation arranged is not a finding, and the clause that reports it (the lexicon's
//! `[interim] steps`) counts as part of the note.
//!
//! An interim reply may commit to a deadline: "我们将在15个工作日内办结", "6月30日前答复您". The
//! commitment is read as the lexicon's `[interim] commitments` patterns give it: working days
//! after the reply's day, or a date (its year the reply's, or the next when that day has passed).

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::lexicon::LexiconError;
use super::signals::{compile, PatternList};

/// The `[interim]` section of the lexicon.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterimWords {
    /// "the case is still being handled" / "the result will follow"
    #[serde(default)]
    pub pending: Vec<String>,
    /// a deadline for the result, with groups `days` (working days), or `month` and `day`
    /// (a day of the month; `day` absent: the month's end) and optionally `year`
    #[serde(default)]
    pub commitments: Vec<String>,
    /// a step taken that leaves the case open ("已安排专人调查核实"): part of a note that says
    /// the case is being handled, never a note alone
    #[serde(default)]
    pub steps: Vec<String>,
}

/// The deadline an interim reply commits the case to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commitment {
    /// "15个工作日内办结": working days after the reply's day.
    Workdays(u32),
    /// "6月30日前答复", "2019年7月底前办结": a day (`day` None: the month's last day); with no
    /// year, the reply's year, or the next when that day is before the reply's.
    Date { year: Option<i32>, month: u32, day: Option<u32> },
}

impl Commitment {
    /// The committed date of a [`Commitment::Date`], for a reply sent on `replied_on`; `None`
    /// for working days (they need the calendar) and for a date that does not exist.
    pub fn date(self, replied_on: NaiveDate) -> Option<NaiveDate> {
        let Commitment::Date { year, month, day } = self else { return None };
        let on = |year: i32| match day {
            Some(day) => NaiveDate::from_ymd_opt(year, month, day),
            None => NaiveDate::from_ymd_opt(year, month, 1)
                .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
                .and_then(|next| next.pred_opt()),
        };
        match year {
            Some(year) => on(year),
            None => {
                let this_year = on(replied_on.year())?;
                if this_year >= replied_on {
                    Some(this_year)
                } else {
                    on(replied_on.year() + 1)
                }
            }
        }
    }
}

/// The compiled `[interim]` patterns.
pub(crate) struct InterimMatchers {
    pending: PatternList,
    commitments: PatternList,
    steps: PatternList,
}

/// What a reply's text says of the case's handling.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Handling {
    /// The first "still being handled" span (bytes of the folded text).
    pub pending: Option<(usize, usize)>,
    /// The first commitment found, with its span.
    pub commitment: Option<(Commitment, (usize, usize))>,
    /// The steps taken the note reports, read only when there is a note.
    pub steps: Vec<(usize, usize)>,
}

impl InterimMatchers {
    pub fn new(words: &InterimWords) -> Result<InterimMatchers, LexiconError> {
        let commitments = compile("interim", &words.commitments)?;
        for (pattern, regex) in words.commitments.iter().zip(&commitments.0) {
            let names: Vec<&str> = regex.capture_names().flatten().collect();
            let has = |name: &str| names.contains(&name);
            if has("days") == has("month") || (has("day") && !has("month")) {
                return Err(LexiconError::Pattern {
                    section: "interim",
                    pattern: pattern.clone(),
                    line: None,
                    message: "a commitment pattern needs a group named `days`, or one named `month` (with \
                              `day` and `year` if it has them), not both"
                        .into(),
                });
            }
        }
        Ok(InterimMatchers {
            pending: compile("interim", &words.pending)?,
            commitments,
            steps: compile("interim", &words.steps)?,
        })
    }

    /// Reads `text` (folded as the scorer folds replies).
    pub fn read(&self, text: &str) -> Handling {
        let pending = self.pending.0.iter().filter_map(|p| p.find(text)).min_by_key(|m| m.start());
        let commitment = self
            .commitments
            .0
            .iter()
            .filter_map(|p| p.captures_iter(text).find_map(|c| Some((commitment_of(&c)?, c.get(0)?))))
            .min_by_key(|(_, m)| m.start())
            .map(|(commitment, m)| (commitment, (m.start(), m.end())));
        let steps = match pending.is_some() || commitment.is_some() {
            true => self.steps.0.iter().flat_map(|p| p.find_iter(text)).map(|m| (m.start(), m.end())).collect(),
            false => Vec::new(),
        };
        Handling { pending: pending.map(|m| (m.start(), m.end())), commitment, steps }
    }
}

/// The commitment a match of a commitment pattern names, if its numbers are numbers.
fn commitment_of(captures: &regex::Captures) -> Option<Commitment> {
    let number = |name: &str| captures.name(name).map(|m| chinese_number(m.as_str()));
    if let Some(days) = number("days") {
        return days.filter(|d| *d > 0).map(Commitment::Workdays);
    }
    // (a group the pattern did not match is absent; one that matched must be a number)
    let month = number("month")??;
    let day = match number("day") {
        Some(day) => Some(day.filter(|d| (1..=31).contains(d))?),
        None => None,
    };
    let year = match number("year") {
        Some(year) => Some(year? as i32),
        None => None,
    };
    (1..=12).contains(&month).then_some(Commitment::Date { year, month, day })
}

/// "15" → 15, "十五" → 15, "二十" → 20, "两" → 2; `None` for anything else.
fn chinese_number(text: &str) -> Option<u32> {
    if let Ok(n) = text.parse() {
        return Some(n);
    }
    let digit = |c: char| "零一二三四五六七八九".chars().position(|d| d == c).or((c == '两').then_some(2));
    let chars: Vec<char> = text.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c).map(|d| d as u32),
        ['十', ones] => Some(10 + digit(*ones)? as u32),
        [tens, '十'] => Some(10 * digit(*tens)? as u32),
        [tens, '十', ones] => Some(10 * digit(*tens)? as u32 + digit(*ones)? as u32),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::normalize::fold;

    fn read(text: &str) -> Handling {
        let lexicon = crate::scoring::Lexicon::default();
        InterimMatchers::new(&lexicon.interim).expect("the shipped patterns compile").read(&fold(text))
    }

    fn commitment(text: &str) -> Option<Commitment> {
        read(text).commitment.map(|(c, _)| c)
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn still_being_handled_or_a_result_to_follow() {
        for pending in [
            "此事正在调查处理中。",
            "我局正在核实中，请耐心等待。",
            "我局正在核实，请耐心等待。",
            "此事涉及多个部门，正在协调处理中。",
            "已安排执法人员调查核实，待调查核实清楚后予以回复。",
            "由区教育局党委会研究后再予以答复。",
            "处理结果将及时反馈给您。",
            "调查结果我们将另行答复。",
        ] {
            assert!(read(pending).pending.is_some(), "{pending}");
        }
        for closed in [
            "经调查核实后，现答复如下：该路段已修复。",
            "经核实后回复如下：您反映的情况属实。",
            "市消防支队已依法立案查处，并督促指导其整改。",
            "如有疑问，请再与我们联系。",
            "您正在办理的户口迁移手续需要提供户口本。",
            "目前月塘办事处和东环社区正在协调，协调好后马上进场施工。",
        ] {
            assert_eq!(read(closed).pending, None, "{closed}");
        }
    }

    #[test]
    fn commitments_in_working_days_or_to_a_date() {
        assert_eq!(commitment("我们将在15个工作日内办结并答复您。"), Some(Commitment::Workdays(15)));
        assert_eq!(commitment("将于十个工作日内将处理结果反馈给您。"), Some(Commitment::Workdays(10)));
        assert_eq!(
            commitment("我局将于6月30日前答复。"),
            Some(Commitment::Date { year: None, month: 6, day: Some(30) })
        );
        assert_eq!(
            commitment("预计2019年7月底前办结。"),
            Some(Commitment::Date { year: Some(2019), month: 7, day: None })
        );
        // the time a procedure takes, a deadline of somebody else's, a date in the past
        for none in [
            "办理时限：自受理之日起10个工作日内办结。",
            "责成建设施工单位在7个工作日内按施工图设计要求整改。",
            "2015年12月31日前生育一个子女的家庭。",
        ] {
            assert_eq!(commitment(none), None, "{none}");
        }
    }

    #[test]
    fn a_date_without_a_year_is_the_next_one_after_the_reply() {
        let june_30 = Commitment::Date { year: None, month: 6, day: Some(30) };
        assert_eq!(june_30.date(day("2019-06-10")), Some(day("2019-06-30")));
        assert_eq!(june_30.date(day("2019-06-30")), Some(day("2019-06-30")));
        assert_eq!(june_30.date(day("2019-12-20")), Some(day("2020-06-30")));
        let february_end = Commitment::Date { year: Some(2020), month: 2, day: None };
        assert_eq!(february_end.date(day("2020-02-03")), Some(day("2020-02-29")));
        assert_eq!(Commitment::Date { year: Some(2019), month: 2, day: Some(30) }.date(day("2019-02-01")), None);
        assert_eq!(Commitment::Workdays(5).date(day("2019-02-01")), None);
    }

    #[test]
    fn chinese_numbers() {
        let read: Vec<Option<u32>> =
            ["7", "15", "十", "十五", "二十", "两", "三", "二十五", "百"].map(chinese_number).into();
        assert_eq!(read, [Some(7), Some(15), Some(10), Some(15), Some(20), Some(2), Some(3), Some(25), None]);
    }

    #[test]
    fn a_commitment_pattern_must_say_what_it_counts() {
        let words = InterimWords { commitments: vec!["(\\d+)个工作日内".into()], ..InterimWords::default() };
        let Err(error) = InterimMatchers::new(&words) else {
            panic!("a pattern with no `days` or `month` group was taken")
        };
        let error = error.to_string();
        assert!(error.contains("a group named `days`"), "{error}");
    }
}
