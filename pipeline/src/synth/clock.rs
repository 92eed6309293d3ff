//! Time in the sample corpus: seconds since midnight of the first posting day, local time
//! (Asia/Shanghai, +08:00), with per-day tables so formatting a timestamp costs no date math.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

pub const DAY: u64 = 86_400;
pub const HOUR: u64 = 3_600;

/// Days after the posting period that replies may still fall into.
const REPLY_TAIL_DAYS: u32 = 400;

pub struct Calendar {
    iso: Vec<String>,
    month_day: Vec<String>,
    full: Vec<String>,
    weekend: Vec<bool>,
    /// `weekdays_before[d]`: Monday–Friday days among days 0..d.
    weekdays_before: Vec<u32>,
}

impl Calendar {
    pub fn new(start: NaiveDate, days: u32) -> Calendar {
        let n = (days + REPLY_TAIL_DAYS) as usize;
        let mut cal = Calendar {
            iso: Vec::with_capacity(n),
            month_day: Vec::with_capacity(n),
            full: Vec::with_capacity(n),
            weekend: Vec::with_capacity(n),
            weekdays_before: Vec::with_capacity(n + 1),
        };
        let mut count = 0;
        for i in 0..n {
            let d = start + Duration::days(i as i64);
            cal.iso.push(d.format("%Y-%m-%d").to_string());
            cal.month_day.push(format!("{}月{}日", d.month(), d.day()));
            cal.full.push(format!("{}年{}月{}日", d.year(), d.month(), d.day()));
            let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
            cal.weekend.push(weekend);
            cal.weekdays_before.push(count);
            count += u32::from(!weekend);
        }
        cal.weekdays_before.push(count);
        cal
    }

    /// The last second a timestamp may take (replies are capped here).
    pub fn last_second(&self) -> u64 {
        self.iso.len() as u64 * DAY - 1
    }

    pub fn is_weekend(&self, day: usize) -> bool {
        self.weekend[day]
    }

    /// `2023-03-14T09:32:10+08:00`
    pub fn push_timestamp(&self, out: &mut String, secs: u64) {
        let day = (secs / DAY) as usize;
        let rem = secs % DAY;
        out.push_str(&self.iso[day]);
        out.push('T');
        push_two(out, rem / HOUR);
        out.push(':');
        push_two(out, rem % HOUR / 60);
        out.push(':');
        push_two(out, rem % 60);
        out.push_str("+08:00");
    }

    /// `3月14日`
    pub fn month_day(&self, secs: u64) -> &str {
        &self.month_day[(secs / DAY) as usize]
    }

    /// `2023年3月14日`
    pub fn full_date(&self, secs: u64) -> &str {
        &self.full[(secs / DAY) as usize]
    }

    /// Monday–Friday days after the day of `from` up to and including the day of `to`
    /// (public holidays are not modelled: this is the count the `late` truth uses).
    pub fn weekdays_between(&self, from: u64, to: u64) -> u32 {
        let (a, b) = ((from / DAY) as usize, (to / DAY) as usize);
        self.weekdays_before[b + 1] - self.weekdays_before[a + 1]
    }

    /// The first Monday on or after `day` if `day` is a weekend day, else `day`.
    pub fn next_weekday(&self, day: usize) -> usize {
        let mut d = day;
        while d + 1 < self.weekend.len() && self.weekend[d] {
            d += 1;
        }
        d
    }
}

fn push_two(out: &mut String, v: u64) {
    out.push(char::from(b'0' + (v / 10) as u8));
    out.push(char::from(b'0' + (v % 10) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> Calendar {
        Calendar::new(NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(), 30) // a Sunday
    }

    #[test]
    fn timestamps_are_iso_8601_local_time() {
        let mut out = String::new();
        cal().push_timestamp(&mut out, 72 * DAY + 9 * HOUR + 32 * 60 + 10);
        assert_eq!(out, "2023-03-14T09:32:10+08:00");
        assert_eq!(cal().month_day(72 * DAY), "3月14日");
        assert_eq!(cal().full_date(0), "2023年1月1日");
    }

    #[test]
    fn weekdays_skip_weekends() {
        let c = cal();
        assert!(c.is_weekend(0));
        assert_eq!(c.next_weekday(0), 1);
        assert_eq!(c.weekdays_between(0, 7 * DAY), 5); // Sun 1 Jan → Sun 8 Jan
        assert_eq!(c.weekdays_between(DAY, DAY + 5), 0);
        assert_eq!(c.weekdays_between(5 * DAY, 8 * DAY), 1); // Fri → Mon
    }
}
