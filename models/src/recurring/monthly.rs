//! Bigram document frequencies month by month, and the counts each month's decisions read.
//!
//! Why per month: a post's links must depend on earlier posts only, so that a daily run can
//! carry on from yesterday's grouping instead of grouping a million posts again (see
//! [`super::cluster::Grouping`]). How common a bigram is — its IDF, and whether it is left out
//! of content samples as common — is therefore counted over the posts of the months *before*
//! the post's month ([`Prefix::before`]): a day's posts change no weight that an earlier
//! decision used, including the decisions earlier in the same month. The first month of a
//! corpus has nothing before it and falls back on the prior of [`DocumentFrequencies::idf`]
//! (every bigram equally rare, none common); from the second month on, the weights are those
//! of a corpus of a month or more.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::similarity::DocumentFrequencies;

/// A month as a number, `year · 12 + month − 1`, of a local time in milliseconds since the epoch.
pub fn month_of(posted_at: i64) -> i32 {
    let date = chrono::DateTime::from_timestamp_millis(posted_at).map_or(NaiveDate::default(), |t| t.date_naive());
    date.year() * 12 + date.month0() as i32
}

/// How many posts of one month hold each bigram: the non-zero slots of a
/// [`DocumentFrequencies`] table, sorted by slot.
#[derive(Debug, Clone, Default, PartialEq)]
struct MonthCounts {
    docs: u32,
    slots: Vec<(u32, u32)>,
}

impl MonthCounts {
    fn merge(&mut self, other: &MonthCounts) {
        self.docs += other.docs;
        let (a, b) = (std::mem::take(&mut self.slots), &other.slots);
        let mut merged = Vec::with_capacity(a.len().max(b.len()));
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x.0 == y.0 => {
                    merged.push((x.0, x.1.saturating_add(y.1)));
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(y)) if x.0 < y.0 => {
                    merged.push(*x);
                    i += 1;
                }
                (Some(x), None) => {
                    merged.push(*x);
                    i += 1;
                }
                (_, Some(y)) => {
                    merged.push(*y);
                    j += 1;
                }
                (None, None) => unreachable!("loop condition"),
            }
        }
        self.slots = merged;
    }
}

/// Bigram document frequencies per month of the posts' times.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthlyFrequencies {
    months: BTreeMap<i32, MonthCounts>,
}

impl MonthlyFrequencies {
    /// Adds the counts of posts of `month`.
    pub fn add_month(&mut self, month: i32, counts: &DocumentFrequencies) {
        self.add_month_slots(month, counts.docs(), counts.nonzero_slots());
    }

    /// Adds the counts of `docs` posts of `month`: the non-zero slots of their table, sorted by
    /// slot (see [`DocumentFrequencies::take_slots`]).
    pub(super) fn add_month_slots(&mut self, month: i32, docs: u32, slots: Vec<(u32, u32)>) {
        self.months.entry(month).or_default().merge(&MonthCounts { docs, slots });
    }

    /// Adds the counts of other posts (another part of the corpus, another thread).
    pub fn merge(&mut self, other: &MonthlyFrequencies) {
        for (&month, counts) in &other.months {
            self.months.entry(month).or_default().merge(counts);
        }
    }

    /// Posts counted, in every month.
    pub fn docs(&self) -> u32 {
        self.months.values().map(|m| m.docs).sum()
    }

    /// The counts of every month, carried forward one month at a time.
    pub fn prefix(&self) -> Prefix<'_> {
        Prefix { monthly: self, next: None, counts: DocumentFrequencies::default() }
    }

    /// The table as bytes (little-endian), for the cache: months, then per month its number,
    /// posts and slots.
    pub fn to_bytes(&self) -> Vec<u8> {
        let slots: usize = self.months.values().map(|m| m.slots.len()).sum();
        let mut out = Vec::with_capacity(4 + 12 * self.months.len() + 8 * slots);
        out.extend_from_slice(&(self.months.len() as u32).to_le_bytes());
        for (month, counts) in &self.months {
            out.extend_from_slice(&month.to_le_bytes());
            out.extend_from_slice(&counts.docs.to_le_bytes());
            out.extend_from_slice(&(counts.slots.len() as u32).to_le_bytes());
            for (slot, count) in &counts.slots {
                out.extend_from_slice(&slot.to_le_bytes());
                out.extend_from_slice(&count.to_le_bytes());
            }
        }
        out
    }

    /// The table written by [`MonthlyFrequencies::to_bytes`]; `None` when the bytes are not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<MonthlyFrequencies> {
        let mut words = bytes.chunks_exact(4).map(|w| u32::from_le_bytes(w.try_into().expect("four bytes")));
        if !bytes.len().is_multiple_of(4) {
            return None;
        }
        let mut months = BTreeMap::new();
        for _ in 0..words.next()? {
            let (month, docs, len) = (words.next()? as i32, words.next()?, words.next()? as usize);
            let mut slots = Vec::with_capacity(len.min(bytes.len() / 8));
            for _ in 0..len {
                slots.push((words.next()?, words.next()?));
            }
            let valid = slots.windows(2).all(|w| w[0].0 < w[1].0)
                && slots.iter().all(|&(s, _)| DocumentFrequencies::holds_slot(s));
            if !valid || months.insert(month, MonthCounts { docs, slots }).is_some() {
                return None;
            }
        }
        words.next().is_none().then_some(MonthlyFrequencies { months })
    }
}

/// The document frequencies of the months before a month, for months asked in order.
pub struct Prefix<'a> {
    monthly: &'a MonthlyFrequencies,
    /// The first month not yet counted (`None`: none counted).
    next: Option<i32>,
    counts: DocumentFrequencies,
}

impl Prefix<'_> {
    /// The counts of the posts of every month before `month`. Months are asked in order.
    pub fn before(&mut self, month: i32) -> &DocumentFrequencies {
        assert!(self.next.is_none_or(|next| next <= month), "months are asked in order");
        let from = self.next.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Included);
        for (_, counts) in self.monthly.months.range((from, std::ops::Bound::Excluded(month))) {
            self.counts.add_slots(counts.docs, &counts.slots);
        }
        self.next = Some(month);
        &self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recurring::similarity::tests::frequencies as counts;

    #[test]
    fn a_month_is_counted_by_the_local_date() {
        let at = |t: &str| {
            chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").expect("time").and_utc().timestamp_millis()
        };
        assert_eq!(month_of(at("2019-01-31 23:59")), 2019 * 12);
        assert_eq!(month_of(at("2019-02-01 00:00")), 2019 * 12 + 1);
        assert_eq!(month_of(at("2020-12-31 12:00")), 2020 * 12 + 11);
    }

    #[test]
    fn the_counts_before_a_month_are_those_of_the_earlier_months_only() {
        let mut monthly = MonthlyFrequencies::default();
        monthly.add_month(5, &counts(&["油烟扰民", "油烟太大"]));
        monthly.add_month(7, &counts(&["路灯不亮"]));
        monthly.add_month(5, &counts(&["停车收费"]));
        let mut prefix = monthly.prefix();
        assert_eq!(prefix.before(5).docs(), 0);
        let june = prefix.before(6);
        assert_eq!(june, &counts(&["油烟扰民", "油烟太大", "停车收费"]));
        assert_eq!(prefix.before(7).docs(), 3);
        assert_eq!(prefix.before(9), &counts(&["油烟扰民", "油烟太大", "停车收费", "路灯不亮"]));
        assert_eq!(monthly.docs(), 4);
    }

    #[test]
    fn counts_merged_from_parts_are_the_counts_of_the_whole_and_survive_bytes() {
        let (mut whole, mut joined, mut rest) =
            (MonthlyFrequencies::default(), MonthlyFrequencies::default(), MonthlyFrequencies::default());
        whole.add_month(3, &counts(&["油烟扰民", "油烟太大", "路灯不亮"]));
        joined.add_month(3, &counts(&["油烟扰民"]));
        rest.add_month(3, &counts(&["油烟太大", "路灯不亮"]));
        joined.merge(&rest);
        assert_eq!(joined, whole);
        assert_eq!(MonthlyFrequencies::from_bytes(&whole.to_bytes()), Some(whole.clone()));
        let bytes = whole.to_bytes();
        assert_eq!(MonthlyFrequencies::from_bytes(&bytes[..bytes.len() - 4]), None);
        assert_eq!(MonthlyFrequencies::from_bytes(b"nope"), None);
    }
}
