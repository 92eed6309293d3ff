//! Grouping posts into issues: blocking by place, then similarity inside a block and a window.
//!
//! No pair of posts is compared unless they name the same place (by its key, see
//! [`super::places`]) — or, for posts that name none, have the same subject once frame words
//! are gone. Posts are read in time order; each is compared only with the `max_candidates`
//! most recent earlier posts of each of its blocks within `window_days`, so the work is linear
//! in the number of posts whatever the corpus size. Two posts are linked when they are alike
//! (`linked`), in no two districts, and at the same place: one names every place the
//! other names (`places_agree`).
//!
//! A post then joins an issue it is linked to when it is linked to at least `join_share` of
//! the issue's posts it was compared with, or to at least `join_links` of them; when at most
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

use std::collections::HashMap;

use super::features::{self, FeatureTable};
use super::similarity::{content_sample, weighted_jaccard_of, CommonBigrams, DocumentFrequencies, IdfTable};
use super::{IssuePost, RecurringConfig};

/// What the comparison of one post needs: its block keys and places (borrowed from the
/// feature table), and its subject and content samples with their IDF weights.
struct Profiles<'a> {
    features: &'a FeatureTable,
    subjects: Samples,
    contents: Samples,
}

impl Profiles<'_> {
    /// The profiles of every post, on all cores.
    fn of<'a>(features: &'a FeatureTable, frequencies: &DocumentFrequencies, config: &RecurringConfig) -> Profiles<'a> {
        let idf = IdfTable::of(frequencies);
        let common = CommonBigrams::of(frequencies, config.common_share);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(16);
        let chunk = features.len().div_ceil(threads).max(1);
        let weigh = |h: u32| (h, idf.idf(h));
        let parts: Vec<(Samples, Samples)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..features.len())
                .step_by(chunk)
                .map(|start| {
                    let (common, weigh) = (&common, &weigh);
                    scope.spawn(move || {
                        let (mut subjects, mut contents) = (Samples::default(), Samples::default());
                        for i in start..(start + chunk).min(features.len()) {
                            let post = features.get(i);
                            subjects.push(post.subject.iter().map(|&h| weigh(h)));
                            contents.push(content_sample(post.text, common, config.content_bigrams).map(weigh));
                        }
                        (subjects, contents)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("a profile thread panicked")).collect()
        });
        let (mut subjects, mut contents) = (Samples::default(), Samples::default());
        for (s, c) in parts {
            subjects.extend(s);
            contents.extend(c);
        }
        Profiles { features, subjects, contents }
    }

    fn keys(&self, i: usize) -> &[u64] {
        self.features.get(i).keys
    }

    fn places(&self, i: usize) -> &[u64] {
        self.features.get(i).places
    }
}

/// Weighted samples, one per post, in one buffer.
#[derive(Default)]
struct Samples {
    items: Vec<(u32, f32)>,
    ends: Vec<u32>,
}

impl Samples {
    fn push(&mut self, sample: impl Iterator<Item = (u32, f32)>) {
        self.items.extend(sample);
        self.ends.push(self.items.len() as u32);
    }

    fn extend(&mut self, other: Samples) {
        let base = self.items.len() as u32;
        self.items.extend(other.items);
        self.ends.extend(other.ends.iter().map(|e| e + base));
    }

    fn get(&self, i: usize) -> &[(u32, f32)] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.items[start..self.ends[i] as usize]
    }
}

/// How a post compares with one issue: of its posts compared, how many are linked.
#[derive(Debug, Clone, Copy)]
struct Vote {
    issue: u32,
    compared: u32,
    linked: u32,
    /// Compared posts that name another place than this post does.
    elsewhere: u32,
}

/// Groups of post indices (each sorted by time) that form issues of `min_posts` or more posts.
pub fn cluster(posts: &[IssuePost], config: &RecurringConfig) -> Vec<Vec<usize>> {
    let (features, frequencies) = features::compute(posts, config);
    cluster_features(posts, &features, &frequencies, config)
}

/// [`cluster`] from the features of the posts (row `i` of `features` is `posts[i]`) and the
/// document frequencies of all of them. Of `posts`, only the time and the region are read.
pub fn cluster_features(
    posts: &[IssuePost],
    features: &FeatureTable,
    frequencies: &DocumentFrequencies,
    config: &RecurringConfig,
) -> Vec<Vec<usize>> {
    assert_eq!(posts.len(), features.len(), "one row of features per post");
    let prepared = Profiles::of(features, frequencies, config);
    let mut order: Vec<u32> = (0..posts.len() as u32).collect();
    order.sort_by_key(|&i| (posts[i as usize].posted_at, i));

    let window_ms = (config.window_days * 86_400_000.0) as i64;
    // Each block's posts so far, in time order.
    let mut blocks: HashMap<u64, Vec<u32>> = HashMap::new();
    let mut issue_of: Vec<u32> = vec![u32::MAX; posts.len()];
    // Per issue: the district it is in, once one of its posts names one.
    let mut issue_regions: Vec<Option<&str>> = Vec::new();
    // Per issue: every place its posts name (sorted). A post joins only an issue whose places
    // agree with its own, whichever of the issue's posts it happened to be compared with.
    let mut issue_places: Vec<Vec<u64>> = Vec::new();
    // Per issue: the issue it was merged into, or itself (union–find over issue ids).
    let mut merged_into: Vec<u32> = Vec::new();
    let (mut candidates, mut votes, mut joinable) = (Vec::<u32>::new(), Vec::<Vote>::new(), Vec::<Vote>::new());
    // The posts compared with, and their issues; the issues joined into one.
    let (mut compared, mut merged) = (Vec::<(u32, u32)>::new(), Vec::<u32>::new());
    for &b in &order {
        let b = b as usize;
        candidates.clear();
        for key in prepared.keys(b) {
            let Some(block) = blocks.get(key) else { continue };
            let recent = block.iter().rev().take(config.max_candidates);
            candidates.extend(recent.take_while(|&&a| posts[b].posted_at - posts[a as usize].posted_at <= window_ms));
        }
        candidates.sort_unstable();
        candidates.dedup();

        votes.clear();
        compared.clear();
        for &a in &candidates {
            let a = a as usize;
            let same_place = places_agree(prepared.places(a), prepared.places(b));
            let link = same_place && regions_agree(posts[a].region, posts[b].region) && linked(&prepared, a, b, config);
            let issue = root(&mut merged_into, issue_of[a]);
            compared.push((a as u32, issue));
            match votes.iter_mut().find(|v| v.issue == issue) {
                Some(vote) => {
                    vote.compared += 1;
                    vote.linked += u32::from(link);
                    vote.elsewhere += u32::from(!same_place);
                }
                None => {
                    votes.push(Vote { issue, compared: 1, linked: u32::from(link), elsewhere: u32::from(!same_place) })
                }
            }
        }
        let share = |v: &Vote| v.linked as f32 / v.compared as f32;
        joinable.clear();
        joinable.extend(
            votes
                .iter()
                .filter(|v| v.linked > 0 && (share(v) >= config.join_share || v.linked as usize >= config.join_links))
                .filter(|v| v.elsewhere as f32 <= config.elsewhere_share * v.compared as f32)
                .filter(|v| regions_agree(issue_regions[v.issue as usize], posts[b].region))
                .filter(|v| places_agree(&issue_places[v.issue as usize], prepared.places(b))),
        );
        joinable
            .sort_by(|x, y| share(y).total_cmp(&share(x)).then(y.linked.cmp(&x.linked)).then(x.issue.cmp(&y.issue)));
        let issue = match joinable.first() {
            Some(vote) => vote.issue,
            None => {
                issue_regions.push(None);
                issue_places.push(Vec::new());
                merged_into.push(merged_into.len() as u32);
                (issue_regions.len() - 1) as u32
            }
        };
        issue_of[b] = issue;
        let mut region = widen(issue_regions[issue as usize], posts[b].region);
        let mut places = std::mem::take(&mut issue_places[issue as usize]);
        add_places(&mut places, prepared.places(b));
        // A post that could join several issues joins them into one: two waves of one
        // problem begun apart (each post in them like only a few of the others) meet.
        // Not when their posts name different places: a post that says less exactly where
        // ("泉星物流园后街") is like posts at many places ("X市场泉星物流园后街", "Y酒店…").
        merged.clear();
        merged.push(issue);
        for vote in joinable.iter().skip(1) {
            let other = issue_regions[vote.issue as usize];
            let (mut pairs, mut elsewhere) = (0u32, 0u32);
            for (x, _) in compared.iter().filter(|(_, i)| merged.contains(i)) {
                for (y, _) in compared.iter().filter(|(_, i)| *i == vote.issue) {
                    pairs += 1;
                    elsewhere += u32::from(!places_agree(prepared.places(*x as usize), prepared.places(*y as usize)));
                }
            }
            let other_places = &issue_places[vote.issue as usize];
            if regions_agree(other, region)
                && places_agree(&places, other_places)
                && elsewhere as f32 <= config.elsewhere_share * pairs as f32
            {
                merged_into[vote.issue as usize] = issue;
                merged.push(vote.issue);
                region = widen(region, other);
                let other_places = std::mem::take(&mut issue_places[vote.issue as usize]);
                add_places(&mut places, &other_places);
            }
        }
        issue_regions[issue as usize] = region;
        issue_places[issue as usize] = places;
        for &key in prepared.keys(b) {
            blocks.entry(key).or_default().push(b as u32);
        }
    }

    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); issue_regions.len()];
    for &i in &order {
        groups[root(&mut merged_into, issue_of[i as usize]) as usize].push(i as usize);
    }
    let mut issues: Vec<Vec<usize>> = groups.into_iter().filter(|g| g.len() >= config.min_posts.max(2)).collect();
    issues.sort_by_key(|g| g[0]);
    issues
}

fn linked(profiles: &Profiles, a: usize, b: usize, config: &RecurringConfig) -> bool {
    let (subjects, contents) = (&profiles.subjects, &profiles.contents);
    let subject = weighted_jaccard_of(subjects.get(a), subjects.get(b), config.subject_bigrams);
    if subject >= config.subject_threshold {
        return true;
    }
    let content = weighted_jaccard_of(contents.get(a), contents.get(b), config.content_bigrams);
    content >= config.content_threshold || (subject >= config.both_subject && content >= config.both_content)
}

/// Two posts are at the same place when one names every place the other names: "A市万家丽南路
/// 丽发新城" and "丽发新城小区" (the second only says less exactly where). "X小区旁边的Y路" and
/// "Z小区旁边的Y路" share a road, not a place; and "X市场泉星物流园a区7栋后街" and "Y酒店泉星物流园
/// a区7栋后街" are two places, however alike the rest reads. Sharing half of the places was
/// enough before: at a million posts, one stock phrase after a thousand different places grew
/// into issues of a hundred.
fn places_agree(a: &[u64], b: &[u64]) -> bool {
    let (fewer, more) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    fewer.iter().all(|k| more.binary_search(k).is_ok())
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
/// district rather than its whole city, else the first known.
fn widen<'a>(region: Option<&'a str>, more: Option<&'a str>) -> Option<&'a str> {
    match (region, more) {
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
