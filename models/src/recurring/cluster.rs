//! Grouping posts into issues: blocking by place, then similarity inside a block and a window.
//!
//! No pair of posts is compared unless they name the same place (by its key, see
//! [`super::places`]) — or, for posts that name none, have the same subject once frame words
//! are gone. Posts are read in time order; each is compared only with the `max_candidates`
//! most recent earlier posts of each of its blocks within `window_days`, so the work is linear
//! in the number of posts whatever the corpus size.
//!
//! A post then joins the issue it is linked to — but only when it is linked to at least
//! `join_share` of the posts of that issue it was compared with, and names no other district
//! than the issue does. Merging every linked pair (single linkage, union–find) chains: at a
//! million posts, "丽发新城 物业乱收费" ~ "丽发新城 物业乱收停车费" ~ "丽发新城 停车难" ~ … made
//! issues of hundreds of unrelated posts, and a post naming only "A市" bridged two districts.
//! Requiring a share of the issue keeps each issue about one problem; an issue still runs
//! for longer than the window as long as it keeps coming back.

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
    let (mut candidates, mut votes) = (Vec::<u32>::new(), Vec::<Vote>::new());
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
        for &a in &candidates {
            let a = a as usize;
            let link = regions_agree(posts[a].region, posts[b].region)
                && places_agree(&prepared[a].keys, &prepared[b].keys, config.place_agreement)
                && linked(&prepared[a].profile, &prepared[b].profile, &frequencies, config);
            let issue = issue_of[a];
            match votes.iter_mut().find(|v| v.issue == issue) {
                Some(vote) => {
                    vote.compared += 1;
                    vote.linked += u32::from(link);
                }
                None => votes.push(Vote { issue, compared: 1, linked: u32::from(link) }),
            }
        }
        let share = |v: &Vote| v.linked as f32 / v.compared as f32;
        let joined = votes
            .iter()
            .filter(|v| v.linked > 0 && share(v) >= config.join_share)
            .filter(|v| regions_agree(issue_regions[v.issue as usize], posts[b].region))
            .max_by(|x, y| share(x).total_cmp(&share(y)).then(x.linked.cmp(&y.linked)).then(y.issue.cmp(&x.issue)));
        let issue = match joined {
            Some(vote) => vote.issue,
            None => {
                issue_regions.push(None);
                (issue_regions.len() - 1) as u32
            }
        };
        issue_of[b] = issue;
        let region = &mut issue_regions[issue as usize];
        if posts[b].region.is_some_and(|r| !is_city_only(r)) || region.is_none() {
            *region = region.filter(|r| !is_city_only(r)).or(posts[b].region);
        }
        for &key in &prepared[b].keys {
            blocks.entry(key).or_default().push(b as u32);
        }
    }

    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); issue_regions.len()];
    for &i in &order {
        groups[issue_of[i as usize] as usize].push(i as usize);
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

/// Two posts are at the same place when most of the places they name are the same (Jaccard
/// of their keys): "X小区旁边的Y路" and "Z小区旁边的Y路" share a road but not a place.
fn places_agree(a: &[u64], b: &[u64], agreement: f32) -> bool {
    let shared = a.iter().filter(|k| b.binary_search(k).is_ok()).count();
    let union = a.len() + b.len() - shared;
    union == 0 || shared as f32 >= agreement * union as f32
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
