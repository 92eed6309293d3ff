//! The generation loop: posts day by day in time order, each with its replies written at once
//! (their times lie ahead), recurring clusters interleaved, every planted fact recorded.

use std::fmt::Write as _;

use anyhow::Result;

use super::city::{City, AREAS};
use super::clock::{Calendar, DAY, HOUR};
use super::output::{Output, PostRow};
use super::places::{self, Place};
use super::post::{self, Kind, Repeat};
use super::problems::{Topic, PROBLEMS};
use super::recurring::{Cluster, Finished, Recurring};
use super::reply::{self, ReplyKind};
use super::rng::Rng;
use super::text::Slots;
use super::{Planted, SynthOptions, SynthSummary};

/// Shares of posts with no reply, with no unit given, and with no category given.
const P_NO_REPLY: f64 = 0.05;
const P_UNIT_MISSING: f64 = 0.03;
const P_CATEGORY_MISSING: f64 = 0.2;
/// Share of a cluster's posts that address the cluster's usual unit.
const P_SAME_UNIT_IN_CLUSTER: f64 = 0.7;
const P_SAME_USER_IN_CLUSTER: f64 = 0.15;
/// Reply delay in days before the unit's speed factor: log-normal, median e^1.25 ≈ 3.5 days.
const DELAY_LN_MEDIAN: f64 = 1.25;
const DELAY_LN_SIGMA: f64 = 1.0;
const MAX_DELAY_DAYS: f64 = 300.0;
/// A forwarding note comes faster than an answer.
const FORWARD_DELAY_SCALE: f64 = 0.25;
/// Share of answered posts whose unit first sends a note that the case is being handled (a
/// complex case, SPEC §4), most with a deadline, before its answer.
const P_PROGRESS_NOTE: f64 = 0.04;
/// Share of replies that would fall on a weekend and are moved to Monday.
const P_WEEKEND_MOVED: f64 = 0.85;
const LATE_WEEKDAYS: u32 = 15;

/// Posting volume by hour of day: office hours and evenings, little at night.
const POST_HOURS: [f64; 24] = [
    0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 1.5, 3.0, 4.5, 5.0, 4.6, 3.2, 3.0, 4.0, 4.6, 4.5, 3.8, 2.8, 2.9, 3.4, 3.6, 2.8,
    1.2,
];
/// Replies are written in office hours, a few in the evening.
const REPLY_HOURS: [f64; 24] = [
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.2, 2.0, 4.0, 4.5, 3.5, 1.0, 1.0, 3.0, 4.0, 4.0, 3.0, 0.8, 0.4, 0.4, 0.2, 0.0,
    0.0,
];

fn topic_weight(topic: Topic) -> f64 {
    match topic {
        Topic::UrbanRural => 0.30,
        Topic::Environment => 0.13,
        Topic::Transport => 0.12,
        Topic::EducationCulture => 0.14,
        Topic::LabourSocial => 0.14,
        Topic::Health => 0.08,
        Topic::CommerceTourism => 0.09,
    }
}

pub struct Generator {
    rng: Rng,
    /// Draws for the progress notes alone: the corpus of a seed stays as it was without notes
    /// up to the first post whose answer a note delays. (After it the samples drift apart: an
    /// answer counted from the note lands on other days, some of them moved off a weekend with
    /// one more draw, and a post of a recurring issue that comes after the note is worded as a
    /// repeat after a reply.)
    notes_rng: Rng,
    city: City,
    cal: Calendar,
    canned: Vec<[String; 2]>,
    problem_weights: Vec<f64>,
    recurring: Recurring,
    out: Output,
    summary: SynthSummary,
    users: u32,
    next_reply_id: u64,
    // Reusable buffers: a million posts should not mean millions of allocations.
    subject: String,
    body: String,
    stamp: String,
    user_id: String,
    user_slot: String,
}

/// Where a post is, what it is about, whom it addresses.
struct Setting {
    problem: usize,
    area: usize,
    office: usize,
    place: Place,
    road: String,
    unit: usize,
    repeat: Repeat,
    user: Option<u32>,
}

/// Records one planted fact in truth.csv and in the summary.
fn plant(
    summary: &mut SynthSummary,
    out: &mut Output,
    post_id: u64,
    reply_id: u64,
    planted: Planted,
    cluster_id: u32,
    detail: &str,
) -> Result<()> {
    *summary.planted.entry(planted).or_default() += 1;
    out.truth(post_id, reply_id, planted, cluster_id, detail)
}

impl Generator {
    pub fn new(opts: &SynthOptions, out: Output) -> Generator {
        let city = City::new(opts.seed);
        let per_topic = |t| PROBLEMS.iter().filter(|p| p.topic == t).count() as f64;
        Generator {
            rng: Rng::new(opts.seed),
            notes_rng: Rng::new(opts.seed ^ 0x6e6f_7465),
            cal: Calendar::new(opts.start, opts.days),
            canned: reply::canned_replies(&city.units, opts.seed),
            problem_weights: PROBLEMS.iter().map(|p| topic_weight(p.topic) / per_topic(p.topic)).collect(),
            recurring: Recurring::new(u64::from(opts.days) * DAY),
            city,
            out,
            summary: SynthSummary::default(),
            // About three posts per user on average, skewed so that some users post many times.
            users: (opts.posts / 3).max(200) as u32,
            next_reply_id: 1,
            subject: String::new(),
            body: String::new(),
            stamp: String::new(),
            user_id: String::new(),
            user_slot: String::new(),
        }
    }

    pub fn run(mut self, opts: &SynthOptions) -> Result<SynthSummary> {
        let days = opts.days as usize;
        // Fewer posts at weekends, and a slow growth over the period; exactly `posts` in all.
        let weight = |d: usize, weekend: bool| if weekend { 0.6 } else { 1.1 } * (0.8 + 0.4 * d as f64 / days as f64);
        let weights: Vec<f64> = (0..days).map(|d| weight(d, self.cal.is_weekend(d))).collect();
        let total: f64 = weights.iter().sum();
        let (mut post_id, mut made, mut cumulative) = (100_000u64, 0usize, 0.0);
        let mut times = Vec::new();
        for (day, w) in weights.iter().enumerate() {
            cumulative += w;
            let due =
                if day + 1 == days { opts.posts } else { (opts.posts as f64 * cumulative / total).round() as usize };
            times.clear();
            for _ in made..due {
                let second = self.rng.weighted(&POST_HOURS) as u64 * HOUR + self.rng.below(HOUR as usize) as u64;
                times.push(day as u64 * DAY + second);
            }
            times.sort_unstable();
            for &t in &times {
                post_id += 1;
                self.post(post_id, t)?;
            }
            made = due.max(made);
        }
        for finished in self.recurring.close_all() {
            self.write_cluster(finished)?;
        }
        self.out.finish(&self.city)?;
        self.summary.units = self.city.units.len();
        Ok(self.summary)
    }

    fn fresh_setting(&mut self) -> Setting {
        let problem = self.rng.weighted(&self.problem_weights);
        let area = self.city.pick_area(&mut self.rng);
        let office = self.rng.below(AREAS[area].offices.len());
        let place = places::make(PROBLEMS[problem].place, area, office, &mut self.rng);
        let road = places::road(&mut self.rng);
        let unit = self.city.addressed_unit(area, office, PROBLEMS[problem].dept, &mut self.rng);
        Setting { problem, area, office, place, road, unit, repeat: Repeat::First, user: None }
    }

    fn cluster_setting(&mut self, key: u32, t: u64) -> Setting {
        let c = self.recurring.get(key);
        let unit = match self.rng.chance(P_SAME_UNIT_IN_CLUSTER) {
            true => c.unit,
            false => self.city.addressed_unit(c.area, c.office, PROBLEMS[c.problem].dept, &mut self.rng),
        };
        let repeat = match (c.members_so_far(), c.earliest_reply) {
            (0, _) => Repeat::First,
            (_, Some(r)) if r < t => Repeat::AfterReply,
            _ => Repeat::Again,
        };
        let user = c.first_user.filter(|_| self.rng.chance(P_SAME_USER_IN_CLUSTER));
        let (place, road) = (c.place.clone(), c.road.clone());
        Setting { problem: c.problem, area: c.area, office: c.office, place, road, unit, repeat, user }
    }

    fn post(&mut self, post_id: u64, t: u64) -> Result<()> {
        let mut key = self.recurring.take_due(t);
        let setting = match key {
            Some(k) => self.cluster_setting(k, t),
            None => {
                let s = self.fresh_setting();
                if self.recurring.should_start(&mut self.rng) {
                    let c = Cluster::new(s.problem, s.area, s.office, s.place.clone(), s.road.clone(), s.unit);
                    key = Some(self.recurring.start(c, &mut self.rng));
                }
                s
            }
        };
        let problem = &PROBLEMS[setting.problem];
        let kind = Kind::draw(&mut self.rng);
        let core = self.rng.pick(problem.cores);
        // Skewed towards low numbers: a few citizens post often, most once or twice.
        let user = setting.user.unwrap_or_else(|| 1 + (f64::from(self.users) * self.rng.unit().powf(1.3)) as u32);
        if let Some(k) = key {
            self.recurring.get(k).first_user.get_or_insert(user);
        }
        self.user_id.clear();
        let _ = write!(self.user_id, "U{user:07}");
        self.user_slot.clear();
        let _ = write!(self.user_slot, "“{}”", self.user_id);

        let unit_missing = self.rng.chance(P_UNIT_MISSING);
        let unit_name = if unit_missing { "" } else { self.city.units[setting.unit].name.as_str() };
        let slots = Slots {
            place: &setting.place.name,
            area: AREAS[setting.area].name,
            office: AREAS[setting.area].offices[setting.office],
            party: &setting.place.party,
            road: &setting.road,
            core,
            unit: unit_name,
            ..Slots::default()
        };
        self.subject.clear();
        post::push_subject(&mut self.subject, kind, core, &slots, &mut self.rng);
        self.body.clear();
        post::push_body(&mut self.body, kind, problem, setting.repeat, &slots, &mut self.rng);
        self.stamp.clear();
        self.cal.push_timestamp(&mut self.stamp, t);
        let members = key.map_or(0, |k| self.recurring.get(k).members_so_far());
        let mut likes = self.rng.exp(1.8) as u32;
        if key.is_some() {
            likes += self.rng.exp(2.0 * (1 + members) as f64) as u32;
        }
        let category = if self.rng.chance(P_CATEGORY_MISSING) { "" } else { problem.topic.category() };
        let dislikes = self.rng.exp(0.35) as u32;
        self.out.post(&PostRow {
            post_id,
            user_id: &self.user_id,
            subject: &self.subject,
            body: &self.body,
            posted_at: &self.stamp,
            unit: unit_name,
            kind: kind.as_str(),
            likes,
            dislikes,
            category,
        })?;
        self.summary.posts += 1;
        if unit_missing {
            plant(&mut self.summary, &mut self.out, post_id, 0, Planted::UnitMissing, 0, "")?;
        }

        let first_reply = self.replies(post_id, t, &setting, core)?;
        if let Some(k) = key {
            if let Some(at) = first_reply {
                self.recurring.get(k).note_reply(at);
            }
            if let Some(done) = self.recurring.record(k, post_id, t, &mut self.rng) {
                self.write_cluster(done)?;
            }
        }
        Ok(())
    }

    /// Writes the post's replies (none, one, or a named forward and the named unit's answer; any
    /// answer sometimes after a progress note) and returns when the first one was made.
    fn replies(&mut self, post_id: u64, t: u64, s: &Setting, core: &str) -> Result<Option<u64>> {
        if self.rng.chance(P_NO_REPLY) {
            plant(&mut self.summary, &mut self.out, post_id, 0, Planted::NoReply, 0, "")?;
            return Ok(None);
        }
        let (mut from, mut unit, mut forwarded_by, mut first) = (t, s.unit, None, None);
        if self.rng.chance(self.city.forward_rate(s.unit)) {
            let target = self.city.forward_target(s.unit, s.area, s.office, PROBLEMS[s.problem].dept);
            let at = self.reply_time(t, s.unit, FORWARD_DELAY_SCALE);
            self.reply(post_id, t, at, s, core, s.unit, Some(target), ReplyKind::NamedForward)?;
            (from, unit, forwarded_by, first) = (at, target, Some(s.unit), Some(at));
        }
        if self.notes_rng.chance(P_PROGRESS_NOTE) {
            // (the note drawn with the notes' own generator; the answer's delay counts from it)
            std::mem::swap(&mut self.rng, &mut self.notes_rng);
            let at = self.reply_time(from, unit, FORWARD_DELAY_SCALE);
            let note = self.reply(post_id, t, at, s, core, unit, forwarded_by, ReplyKind::ProgressNote);
            std::mem::swap(&mut self.rng, &mut self.notes_rng);
            note?;
            (from, first) = (at, first.or(Some(at)));
        }
        let kind = ReplyKind::draw_final(&self.city.units[unit], &mut self.rng);
        let at = self.reply_time(from, unit, 1.0);
        let reply_id = self.reply(post_id, t, at, s, core, unit, forwarded_by, kind)?;
        if self.cal.weekdays_between(t, at) > LATE_WEEKDAYS {
            plant(&mut self.summary, &mut self.out, post_id, reply_id, Planted::Late, 0, "")?;
        }
        Ok(Some(first.unwrap_or(at)))
    }

    /// When `unit` replies to something that arrived at `after`: its speed times a log-normal
    /// delay, most weekend dates moved to Monday, in office hours.
    fn reply_time(&mut self, after: u64, unit: usize, scale: f64) -> u64 {
        let speed = self.city.units[unit].speed_factor;
        let days = ((DELAY_LN_MEDIAN + DELAY_LN_SIGMA * self.rng.normal()).exp() * speed * scale).min(MAX_DELAY_DAYS);
        let mut day = ((after as f64 + days * DAY as f64) as u64 / DAY) as usize;
        if self.cal.is_weekend(day) && self.rng.chance(P_WEEKEND_MOVED) {
            day = self.cal.next_weekday(day);
        }
        let hour = self.rng.weighted(&REPLY_HOURS) as u64;
        let mut at = day as u64 * DAY + hour * HOUR + self.rng.below(HOUR as usize) as u64;
        if at <= after {
            at = after + 600 + self.rng.below(7200) as u64;
        }
        at.min(self.cal.last_second())
    }

    /// Writes one reply by `unit` at `at`; `other` is the unit forwarded to (for a forwarding
    /// note) or from (for the answer after one).
    #[allow(clippy::too_many_arguments)]
    fn reply(
        &mut self,
        post_id: u64,
        t: u64,
        at: u64,
        s: &Setting,
        core: &str,
        unit: usize,
        other: Option<usize>,
        kind: ReplyKind,
    ) -> Result<u64> {
        let reply_id = self.next_reply_id;
        self.next_reply_id += 1;
        let action = t + ((at - t) as f64 * (0.2 + 0.5 * self.rng.unit())) as u64;
        let later_action = action + ((at - action) as f64 * (0.3 + 0.6 * self.rng.unit())) as u64;
        let plan = (at + u64::from(self.rng.range(5, 40)) * DAY).min(self.cal.last_second());
        let canned_index = self.rng.below(2);
        let unit_name = self.city.units[unit].name.as_str();
        let other_name = other.map_or("", |o| self.city.units[o].name.as_str());
        let slots = Slots {
            place: &s.place.name,
            area: AREAS[s.area].name,
            office: AREAS[s.area].offices[s.office],
            party: &s.place.party,
            road: &s.road,
            core,
            user: &self.user_slot,
            unit: unit_name,
            unit2: other_name,
            post_md: self.cal.month_day(t),
            md: self.cal.month_day(action),
            md3: self.cal.month_day(later_action),
            md2: self.cal.month_day(plan),
            date: self.cal.full_date(at),
        };
        self.body.clear();
        let canned = &self.canned[unit][canned_index];
        let after_forward = other.is_some() && kind != ReplyKind::NamedForward;
        reply::push_reply(&mut self.body, kind, &PROBLEMS[s.problem], after_forward, canned, &slots, &mut self.rng);
        self.stamp.clear();
        self.cal.push_timestamp(&mut self.stamp, at);
        self.out.reply(reply_id, post_id, unit_name, &self.body, &self.stamp)?;
        self.summary.replies += 1;
        let detail = match kind {
            ReplyKind::NamedForward => other_name.to_string(),
            ReplyKind::Pasted => format!("{unit_name}#{canned_index}"),
            _ => String::new(),
        };
        plant(&mut self.summary, &mut self.out, post_id, reply_id, Planted::of_reply(kind), 0, &detail)?;
        if self.cal.is_weekend((at / DAY) as usize) {
            plant(&mut self.summary, &mut self.out, post_id, reply_id, Planted::WeekendReply, 0, "")?;
        }
        Ok(reply_id)
    }

    fn write_cluster(&mut self, done: Finished) -> Result<()> {
        self.summary.clusters += 1;
        for m in &done.members {
            plant(&mut self.summary, &mut self.out, m.post_id, 0, Planted::Recurring, done.cluster_id, &done.place)?;
            if m.after_reply {
                plant(&mut self.summary, &mut self.out, m.post_id, 0, Planted::RepeatAfterReply, done.cluster_id, "")?;
            }
        }
        Ok(())
    }
}
