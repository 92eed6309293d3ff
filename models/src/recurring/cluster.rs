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
//! `elsewhere_share` of those name another place; and when the issue is in no other district.
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

use super::places::{places_in, without_places, Place};
use super::similarity::{bigrams, weighted_jaccard, DocumentFrequencies, Profile};
use super::{IssuePost, RecurringConfig};

/// What the comparison of one post needs, computed once.
struct Prepared {
    /// Block keys, sorted: the places named, or the subject when none is.
    keys: Vec<u64>,
    profile: Profile,
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
    let frequencies = document_frequencies(posts, config);
    let prepared = in_parallel(posts, |chunk| chunk.iter().map(|p| prepare(p, &frequencies, config)).collect());
    let mut order: Vec<u32> = (0..posts.len() as u32).collect();
    order.sort_by_key(|&i| (posts[i as usize].posted_at, i));

    let window_ms = (config.window_days * 86_400_000.0) as i64;
    // Each block's posts so far, in time order.
    let mut blocks: HashMap<u64, Vec<u32>> = HashMap::new();
    let mut issue_of: Vec<u32> = vec![u32::MAX; posts.len()];
    // Per issue: the district it is in, once one of its posts names one.
    let mut issue_regions: Vec<Option<&str>> = Vec::new();
    // Per issue: the issue it was merged into, or itself (union–find over issue ids).
    let mut merged_into: Vec<u32> = Vec::new();
    let (mut candidates, mut votes, mut joinable) = (Vec::<u32>::new(), Vec::<Vote>::new(), Vec::<Vote>::new());
    // The posts compared with, and their issues; the issues joined into one.
    let (mut compared, mut merged) = (Vec::<(u32, u32)>::new(), Vec::<u32>::new());
    for &b in &order {
        let b = b as usize;
        candidates.clear();
        for key in &prepared[b].keys {
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
            let same_place = places_agree(&prepared[a].keys, &prepared[b].keys);
            let link = same_place
                && regions_agree(posts[a].region, posts[b].region)
                && linked(&prepared[a].profile, &prepared[b].profile, &frequencies, config);
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
                .filter(|v| regions_agree(issue_regions[v.issue as usize], posts[b].region)),
        );
        joinable
            .sort_by(|x, y| share(y).total_cmp(&share(x)).then(y.linked.cmp(&x.linked)).then(x.issue.cmp(&y.issue)));
        let issue = match joinable.first() {
            Some(vote) => vote.issue,
            None => {
                issue_regions.push(None);
                merged_into.push(merged_into.len() as u32);
                (issue_regions.len() - 1) as u32
            }
        };
        issue_of[b] = issue;
        let mut region = widen(issue_regions[issue as usize], posts[b].region);
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
                    elsewhere += u32::from(!places_agree(&prepared[*x as usize].keys, &prepared[*y as usize].keys));
                }
            }
            if regions_agree(other, region) && elsewhere as f32 <= config.elsewhere_share * pairs as f32 {
                merged_into[vote.issue as usize] = issue;
                merged.push(vote.issue);
                region = widen(region, other);
            }
        }
        issue_regions[issue as usize] = region;
        for &key in &prepared[b].keys {
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

fn body_head<'a>(body: &'a str, config: &RecurringConfig) -> &'a str {
    match body.char_indices().nth(config.body_chars) {
        Some((end, _)) => &body[..end],
        None => body,
    }
}

/// Subject and text (subject + body head) with places removed, and the block keys: the
/// places of the subject, else the first two of the body (bodies wander to other places).
fn texts(post: &IssuePost, config: &RecurringConfig) -> (String, String, Vec<u64>) {
    let head = body_head(post.body, config);
    let subject_places: Vec<Place> = places_in(post.subject, config.max_places);
    let body_places = places_in(head, config.max_places);
    let subject = without_places(post.subject, &subject_places);
    let text = format!("{subject}\n{}", without_places(head, &body_places));
    let key_places = if subject_places.is_empty() { &body_places[..body_places.len().min(2)] } else { &subject_places };
    let mut keys: Vec<u64> = key_places.iter().map(|p| hash_key("place", &p.key)).collect();
    if keys.is_empty() {
        // No place: only a repeat of the same subject (frame words aside) can be found.
        let core: String = subject.chars().filter(|c| c.is_alphanumeric()).collect();
        if core.chars().count() >= 4 {
            keys.push(hash_key("subject", &core));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    (subject, text, keys)
}

fn hash_key(kind: &str, key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (kind, key).hash(&mut hasher);
    hasher.finish()
}

fn document_frequencies(posts: &[IssuePost], config: &RecurringConfig) -> DocumentFrequencies {
    let tables = in_parallel(posts, |chunk| {
        let mut table = DocumentFrequencies::default();
        let mut buffer = Vec::new();
        for post in chunk {
            let (_, text, _) = texts(post, config);
            bigrams(&text, &mut buffer);
            table.add(&buffer);
        }
        vec![table]
    });
    let mut tables = tables.into_iter();
    let mut total = tables.next().unwrap_or_default();
    for table in tables {
        total.merge(&table);
    }
    total
}

fn prepare(post: &IssuePost, frequencies: &DocumentFrequencies, config: &RecurringConfig) -> Prepared {
    let (subject, text, keys) = texts(post, config);
    let (mut subject_bigrams, mut text_bigrams) = (Vec::new(), Vec::new());
    bigrams(&subject, &mut subject_bigrams);
    bigrams(&text, &mut text_bigrams);
    let profile = Profile::new(
        &subject_bigrams,
        &text_bigrams,
        frequencies,
        config.subject_bigrams,
        config.content_bigrams,
        config.common_share,
    );
    Prepared { keys, profile }
}

fn linked(a: &Profile, b: &Profile, frequencies: &DocumentFrequencies, config: &RecurringConfig) -> bool {
    let subject = weighted_jaccard(&a.subject, &b.subject, config.subject_bigrams, frequencies);
    if subject >= config.subject_threshold {
        return true;
    }
    let content = weighted_jaccard(&a.content, &b.content, config.content_bigrams, frequencies);
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

/// Runs `work` on about equal chunks of `posts`, one per core, and concatenates the results.
fn in_parallel<T: Send>(posts: &[IssuePost], work: impl Fn(&[IssuePost]) -> Vec<T> + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(16);
    let chunk = posts.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = posts.chunks(chunk).map(|c| scope.spawn(|| work(c))).collect();
        handles.into_iter().flat_map(|h| h.join().expect("a clustering thread panicked")).collect()
    })
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
