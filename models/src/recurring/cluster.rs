//! Grouping posts into issues: blocking by place, then similarity inside a block and a window.
//!
//! No pair of posts is compared unless they name the same place (by its key, see
//! [`super::places`]) — or, for posts that name none, have the same subject once frame words
//! are gone. Posts are read in time order; each is compared only with the `max_candidates`
//! most recent earlier posts of each of its blocks within `window_days` (`follow_up_days` for a
//! post whose subject says it comes back: "再问", "三问", "再次反映"), so the work is linear
//! in the number of posts whatever the corpus size. Two posts are linked when they are alike
//! (`linked`), in no two districts, and at the same place: one names every place the
//! other names (`places_agree`).
//!
//! A post then joins an issue it is linked to when it is linked to at least `join_share` of
//! the issue's posts it was compared with, or to at least `join_links` of them, or copies the
//! subject of one of them (`copy_subject`: a copy does not chain); when at most
//! `elsewhere_share` of those name another place; when the issue is in no other district; and
//! when the places its posts name agree with the post's. That last test is on the whole
//! issue, not on the posts compared: in a busy block only the most recent posts are compared,
//! and a post naming fewer places ("给道路泉塘中国铁建国际城") let in, one after another, posts
//! at "楚雅路…", "中山路…", "之字港街…" once the issue's first posts had left the window.
//! A post that may join several issues joins them into one, unless their posts name
//! different places.
//!
//! Why not simply merge every linked pair (single linkage, union–find): it chains. At a
//! million posts, "丽发新城 物业乱收费" ~ "丽发新城 物业乱收停车费" ~ "丽发新城 停车难" ~ … made
//! issues of hundreds of unrelated posts, and a post naming only "A市" bridged two districts.
//! Why not only a share of the issue: a real wave of complaints is reworded by every author
//! (55 posts on the 丽发新城 mixing plant, each linked to a tenth of the others), and a share
//! alone split it into a dozen issues that began apart and never met.
//!
//! Every decision about a post reads only the posts before it: the blocks' earlier posts, the
//! issues they made, and bigram weights counted over the months before the post's month
//! ([`super::monthly`]). So the grouping after the last post ([`Grouping`]) is all a later
//! post needs: a daily run carries on from it with the day's posts, and gets what grouping
//! every post at once gets.

use std::collections::HashMap;

use super::features::{self, FeatureTable, ORGANISATION};
use super::monthly::{month_of, MonthlyFrequencies};
use super::profiles::{linked, Link, Profiles};
use super::{IssuePost, RecurringConfig};

/// No post, no issue.
pub(super) const NONE: u32 = u32::MAX;

/// How a post compares with one issue: of its posts compared, how many are linked.
#[derive(Debug, Clone, Copy)]
struct Vote {
    issue: u32,
    compared: u32,
    linked: u32,
    /// Linked posts whose subject this post copies ([`RecurringConfig::copy_subject`]).
    copied: u32,
    /// Compared posts that name another place than this post does.
    elsewhere: u32,
}

/// Groups of post indices (each sorted by time) that form issues of `min_posts` or more posts.
pub fn cluster(posts: &[IssuePost], config: &RecurringConfig) -> Vec<Vec<usize>> {
    let (features, monthly) = features::compute(posts, config);
    cluster_features(posts, &features, &monthly, config)
}

/// [`cluster`] from the features of the posts (row `i` of `features` is `posts[i]`) and the
/// bigram counts of all of them. Of `posts`, only the time, the region and the subject (whether
/// it comes back to an earlier post) are read.
pub fn cluster_features(
    posts: &[IssuePost],
    features: &FeatureTable,
    monthly: &MonthlyFrequencies,
    config: &RecurringConfig,
) -> Vec<Vec<usize>> {
    let mut grouping = Grouping::default();
    grouping.extend(posts, features, monthly, config);
    grouping.groups(posts, config)
}

/// The posts grouped so far (rows `0..len()` of the posts table) and all that a later post's
/// decision reads: each block's recent posts, and each issue's region and places. Every
/// decision about a post depends on the posts before it only (bigram weights included, see
/// [`super::monthly`]), so posts that come at or after the last one grouped carry on from here
/// and give what grouping them all at once gives; the state is kept between runs
/// (`to_bytes`, in `super::resume`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grouping {
    /// Per post grouped: its issue (merged issues are found through `merged_into`).
    pub(super) issue_of: Vec<u32>,
    /// Per issue: the issue it was merged into, or itself (union–find over issue ids).
    pub(super) merged_into: Vec<u32>,
    /// Per issue: a post whose region is the issue's district (the first known, or a district
    /// rather than a whole city), or [`NONE`].
    pub(super) issue_region: Vec<u32>,
    /// Per issue: every place its posts name (sorted). A post joins only an issue whose places
    /// agree with its own, whichever of the issue's posts it happened to be compared with.
    pub(super) issue_places: Vec<Vec<u64>>,
    /// Each block's recent posts, in time order: the last `max_candidates` within `follow_up_days`
    /// of the next post (older ones can be no later post's candidates).
    pub(super) blocks: HashMap<u64, Vec<u32>>,
    /// When the last post grouped was posted.
    pub(super) last_at: Option<i64>,
}

impl Grouping {
    /// Posts grouped: rows `0..len()` of the posts table.
    pub fn len(&self) -> usize {
        self.issue_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.issue_of.is_empty()
    }

    /// Whether the posts after those grouped (rows `len()..` of `posts`) may be added: when
    /// none came before the last post grouped, the grouping carries on exactly.
    pub fn can_extend(&self, posts: &[IssuePost]) -> bool {
        let Some(new) = posts.get(self.len()..) else { return false };
        self.last_at.is_none_or(|last| new.iter().all(|p| p.posted_at >= last))
    }

    /// Groups the posts after those grouped so far (rows `len()..` of `posts`, `features`
    /// row for row), in time order, month by month: each month's comparisons weigh bigrams by
    /// the counts of the months before it in `monthly` (which counts every post).
    pub fn extend(
        &mut self,
        posts: &[IssuePost],
        features: &FeatureTable,
        monthly: &MonthlyFrequencies,
        config: &RecurringConfig,
    ) {
        assert_eq!(posts.len(), features.len(), "one row of features per post");
        assert!(self.can_extend(posts), "posts to group come at or after the last post grouped");
        let mut order: Vec<u32> = (self.len() as u32..posts.len() as u32).collect();
        order.sort_by_key(|&i| (posts[i as usize].posted_at, i));
        self.issue_of.resize(posts.len(), NONE);
        let (window_ms, kept_ms) = (config.reach_ms(false), config.reach_ms(true));
        let (mut prefix, mut profiles) = (monthly.prefix(), Profiles::new(features));
        let mut scratch = Scratch::default();
        for month in
            order.chunk_by(|&a, &b| month_of(posts[a as usize].posted_at) == month_of(posts[b as usize].posted_at))
        {
            let month_start = posts[month[0] as usize].posted_at;
            self.forget_before(posts, month_start - kept_ms, config);
            // The posts the month's posts may be compared with: those of the window, and all
            // those kept of the places of a post that comes back to an earlier one.
            let mut weighed: Vec<u32> = self
                .blocks
                .values()
                .flatten()
                .copied()
                .filter(|&a| posts[a as usize].posted_at >= month_start - window_ms)
                .collect();
            for &b in month.iter().filter(|&&b| config.follows_up(posts[b as usize].subject)) {
                let blocks = features.get(b as usize).keys.iter().filter_map(|key| self.blocks.get(key));
                weighed.extend(blocks.flatten());
            }
            weighed.extend(month.iter().filter(|&&b| !features.get(b as usize).keys.is_empty()));
            weighed.sort_unstable();
            weighed.dedup();
            profiles.weigh(weighed, prefix.before(month_of(posts[month[0] as usize].posted_at)), config);
            for chunk in month.chunks(LINKED_AHEAD) {
                // Which posts each post is compared with depends on the posts before it only,
                // not on the issues they joined: so the comparisons of a chunk (a quarter of
                // the stage's CPU) are all made first, on every core, and only the decisions
                // are taken one post after another.
                let mut candidates = Vec::new();
                let mut first_of = Vec::with_capacity(chunk.len() + 1);
                for &b in chunk {
                    first_of.push(candidates.len());
                    self.candidates(b as usize, posts, &profiles, config, &mut scratch.candidates);
                    candidates.extend(scratch.candidates.iter().map(|&a| (a, b)));
                    for &key in profiles.keys(b as usize) {
                        self.blocks.entry(key).or_default().push(b);
                    }
                }
                first_of.push(candidates.len());
                let comparisons = compare_all(&candidates, posts, &profiles, config);
                for (i, &b) in chunk.iter().enumerate() {
                    let compared = &comparisons[first_of[i]..first_of[i + 1]];
                    self.add(b as usize, posts, &profiles, config, compared, &mut scratch);
                }
            }
        }
        if let Some(&last) = order.last() {
            self.last_at = Some(posts[last as usize].posted_at);
            self.forget_before(posts, posts[last as usize].posted_at - kept_ms, config);
        }
    }

    /// Drops from the blocks the posts no post at or after `from + reach` may be compared with,
    /// `reach` being the longest a post may look back ([`RecurringConfig::follow_up_days`]).
    fn forget_before(&mut self, posts: &[IssuePost], from: i64, config: &RecurringConfig) {
        self.blocks.retain(|_, block| {
            let old = block.len().saturating_sub(config.max_candidates);
            let old = old + block[old..].iter().take_while(|&&a| posts[a as usize].posted_at < from).count();
            block.drain(..old);
            !block.is_empty()
        });
    }

    /// Groups of post indices (each sorted by time) that form issues of `min_posts` or more
    /// posts, ordered by their first post.
    pub fn groups(&self, posts: &[IssuePost], config: &RecurringConfig) -> Vec<Vec<usize>> {
        let mut order: Vec<u32> = (0..self.len() as u32).collect();
        order.sort_by_key(|&i| (posts[i as usize].posted_at, i));
        let mut groups: Vec<Vec<usize>> = vec![Vec::new(); self.merged_into.len()];
        for &i in &order {
            groups[self.root_of(self.issue_of[i as usize]) as usize].push(i as usize);
        }
        let mut issues: Vec<Vec<usize>> = groups.into_iter().filter(|g| g.len() >= config.min_posts.max(2)).collect();
        issues.sort_by_key(|g| g[0]);
        issues
    }

    /// The issue an issue was merged into, at the end of the chain.
    pub(super) fn root_of(&self, mut issue: u32) -> u32 {
        while self.merged_into[issue as usize] != issue {
            issue = self.merged_into[issue as usize];
        }
        issue
    }

    /// Post `b`'s candidates into `out`: the recent earlier posts of its blocks (as the blocks
    /// stand before `b` is added to them), each once, in order: within `window_days`, or
    /// `follow_up_days` for a post that says it comes back ("再问", "三问", "再次反映").
    fn candidates(
        &self,
        b: usize,
        posts: &[IssuePost],
        prepared: &Profiles,
        config: &RecurringConfig,
        out: &mut Vec<u32>,
    ) {
        let reach_ms = config.reach_ms(config.follows_up(posts[b].subject));
        out.clear();
        for key in prepared.keys(b) {
            let Some(block) = self.blocks.get(key) else { continue };
            let recent = block.iter().rev().take(config.max_candidates);
            out.extend(recent.take_while(|&&a| posts[b].posted_at - posts[a as usize].posted_at <= reach_ms));
        }
        out.sort_unstable();
        out.dedup();
    }

    /// Post `b` joins an issue, several issues it joins into one, or a new issue;
    /// `compared_with` holds its comparisons with its candidates ([`compare_all`]).
    fn add(
        &mut self,
        b: usize,
        posts: &[IssuePost],
        prepared: &Profiles,
        config: &RecurringConfig,
        compared_with: &[Compared],
        s: &mut Scratch,
    ) {
        let Scratch { votes, joinable, compared, merged, .. } = s;
        let merged_into = &mut self.merged_into;
        let region_of = |region: u32| posts.get(region as usize).and_then(|p| p.region);

        votes.clear();
        compared.clear();
        for &Compared { a, same_place, link } in compared_with {
            let a = a as usize;
            let issue = root(merged_into, self.issue_of[a]);
            compared.push((a as u32, issue));
            let vote = match votes.iter().position(|v| v.issue == issue) {
                Some(at) => &mut votes[at],
                None => {
                    votes.push(Vote { issue, compared: 0, linked: 0, copied: 0, elsewhere: 0 });
                    votes.last_mut().expect("just pushed")
                }
            };
            vote.compared += 1;
            vote.linked += u32::from(link != Link::None);
            vote.copied += u32::from(link == Link::Copy);
            vote.elsewhere += u32::from(!same_place);
        }
        let share = |v: &Vote| v.linked as f32 / v.compared as f32;
        joinable.clear();
        joinable.extend(
            votes
                .iter()
                .filter(|v| {
                    let enough = share(v) >= config.join_share || v.linked as usize >= config.join_links;
                    v.linked > 0 && (enough || v.copied > 0)
                })
                .filter(|v| v.elsewhere as f32 <= config.elsewhere_share * v.compared as f32)
                .filter(|v| regions_agree(region_of(self.issue_region[v.issue as usize]), posts[b].region))
                .filter(|v| places_agree(&self.issue_places[v.issue as usize], prepared.places(b))),
        );
        joinable
            .sort_by(|x, y| share(y).total_cmp(&share(x)).then(y.linked.cmp(&x.linked)).then(x.issue.cmp(&y.issue)));
        let issue = match joinable.first() {
            Some(vote) => vote.issue,
            None => {
                self.issue_region.push(NONE);
                self.issue_places.push(Vec::new());
                merged_into.push(merged_into.len() as u32);
                (self.issue_region.len() - 1) as u32
            }
        };
        self.issue_of[b] = issue;
        let mut region = widen(posts, self.issue_region[issue as usize], b as u32);
        let mut places = std::mem::take(&mut self.issue_places[issue as usize]);
        add_places(&mut places, prepared.places(b));
        // A post that could join several issues joins them into one: two waves of one
        // problem begun apart (each post in them like only a few of the others) meet.
        // Not when their posts name different places: a post that says less exactly where
        // ("泉星物流园后街") is like posts at many places ("X市场泉星物流园后街", "Y酒店…").
        merged.clear();
        merged.push(issue);
        for vote in joinable.iter().skip(1) {
            let other = self.issue_region[vote.issue as usize];
            let (mut pairs, mut elsewhere) = (0u32, 0u32);
            for (x, _) in compared.iter().filter(|(_, i)| merged.contains(i)) {
                for (y, _) in compared.iter().filter(|(_, i)| *i == vote.issue) {
                    pairs += 1;
                    elsewhere += u32::from(!places_agree(prepared.places(*x as usize), prepared.places(*y as usize)));
                }
            }
            let other_places = &self.issue_places[vote.issue as usize];
            if regions_agree(region_of(other), region_of(region))
                && places_agree(&places, other_places)
                && elsewhere as f32 <= config.elsewhere_share * pairs as f32
            {
                merged_into[vote.issue as usize] = issue;
                merged.push(vote.issue);
                region = widen(posts, region, other);
                let other_places = std::mem::take(&mut self.issue_places[vote.issue as usize]);
                add_places(&mut places, &other_places);
            }
        }
        self.issue_region[issue as usize] = region;
        self.issue_places[issue as usize] = places;
    }
}

/// Posts whose comparisons are made ahead of their decisions, at a time (see
/// [`Grouping::extend`]): tens of thousands of comparisons, a few MB.
const LINKED_AHEAD: usize = 4096;

/// One post compared with an earlier one.
#[derive(Debug, Clone, Copy)]
struct Compared {
    a: u32,
    same_place: bool,
    link: Link,
}

/// The comparison of every `(a, b)` pair of `candidates`, in order, made on every core.
fn compare_all(
    candidates: &[(u32, u32)],
    posts: &[IssuePost],
    prepared: &Profiles,
    config: &RecurringConfig,
) -> Vec<Compared> {
    let compare = |&(a, b): &(u32, u32)| {
        let (a, b) = (a as usize, b as usize);
        let same_place = places_agree(prepared.places(a), prepared.places(b));
        let link = if same_place && regions_agree(posts[a].region, posts[b].region) {
            // (a citizen saying they are back — "投诉好多次了", "再次反映" — at a place of their
            // earlier post; not any post of one citizen: a prolific one's posts from one home,
            // "请A市加快医疗诊所监督…" and "请加快A市食品安全监管…", are many problems)
            let back = !posts[b].user_id.is_empty()
                && posts[a].user_id == posts[b].user_id
                && config.follows_up(posts[b].subject);
            linked(prepared, a, b, back, config)
        } else {
            Link::None
        };
        Compared { a: a as u32, same_place, link }
    };
    // Below a few thousand comparisons a thread costs more than it saves.
    if candidates.len() < 4096 {
        return candidates.iter().map(compare).collect();
    }
    features::in_parallel(candidates, |part| part.iter().map(compare).collect())
}

/// Buffers of [`Grouping::candidates`] and [`Grouping::add`], kept from post to post: the
/// candidates, the votes of their issues and those that may be joined, the posts compared with
/// and their issues, the issues joined into one.
#[derive(Default)]
struct Scratch {
    candidates: Vec<u32>,
    votes: Vec<Vote>,
    joinable: Vec<Vote>,
    compared: Vec<(u32, u32)>,
    merged: Vec<u32>,
}

/// Two posts are at the same place when one names every place the other names: "A市万家丽南路
/// 丽发新城" and "丽发新城小区" (the second only says less exactly where). "X小区旁边的Y路" and
/// "Z小区旁边的Y路" share a road, not a place; and "X市场泉星物流园a区7栋后街" and "Y酒店泉星物流园
/// a区7栋后街" are two places, however alike the rest reads. Sharing half of the places was
/// enough before: at a million posts, one stock phrase after a thousand different places grew
/// into issues of a hundred.
///
/// Organisations (companies, groups) are compared apart from the places, the same way: the
/// posts of one wave on the 伊景园滨河苑 parking spaces name the developer's group ("…！广铁集团
/// 做个人吧！") or the new town around the compound ("武广新城伊景园滨河苑…"), and neither says
/// they are somewhere else. Two companies at one compound, or one company at two, still differ.
fn places_agree(a: &[u64], b: &[u64]) -> bool {
    let subset = |fewer: &[u64], more: &[u64], of: bool| {
        let of_kind = |k: &&u64| (*k & ORGANISATION != 0) == of;
        fewer.iter().filter(of_kind).all(|k| more.binary_search(k).is_ok())
    };
    let agree = |of: bool| subset(a, b, of) || subset(b, a, of);
    agree(false) && agree(true)
}

/// Adds `more` to the sorted set `places`.
fn add_places(places: &mut Vec<u64>, more: &[u64]) {
    for &place in more {
        if let Err(at) = places.binary_search(&place) {
            places.insert(at, place);
        }
    }
}

/// The issue an issue was merged into, at the end of the chain (and shortening it).
fn root(merged_into: &mut [u32], mut issue: u32) -> u32 {
    while merged_into[issue as usize] != issue {
        let next = merged_into[issue as usize];
        merged_into[issue as usize] = merged_into[next as usize];
        issue = next;
    }
    issue
}

/// The region of an issue once a post (or another issue) of region `more` joins it: a
/// district rather than its whole city, else the first known. A region is given by a post
/// that names it (or [`NONE`]): the grouping is kept between runs, the posts' strings are not.
fn widen(posts: &[IssuePost], region: u32, more: u32) -> u32 {
    let region_of = |region: u32| posts.get(region as usize).and_then(|p| p.region);
    match (region_of(region), region_of(more)) {
        (Some(r), Some(m)) if is_city_only(r) && !is_city_only(m) => more,
        (None, _) => more,
        _ => region,
    }
}

/// Regions agree when either is unknown, they are equal, or one is the other's whole city
/// ("A市" and "A市A5区"); "A市A5区" and "A市A3区" do not.
pub fn regions_agree(a: Option<&str>, b: Option<&str>) -> bool {
    let (Some(a), Some(b)) = (a, b) else { return true };
    a == b || (a.chars().next() == b.chars().next() && (is_city_only(a) || is_city_only(b)))
}

/// "A市": a whole city, no district.
fn is_city_only(region: &str) -> bool {
    region.chars().count() == 2 && region.ends_with('市')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_agree_within_a_city_but_not_across_districts() {
        assert!(regions_agree(Some("A市A5区"), Some("A市A5区")));
        assert!(regions_agree(Some("A市"), Some("A市A5区")));
        assert!(regions_agree(None, Some("K7县")));
        assert!(!regions_agree(Some("A市A5区"), Some("A市A3区")));
        assert!(!regions_agree(Some("A市"), Some("K7县")));
    }
}
