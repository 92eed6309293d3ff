//! Grouping posts into issues: blocking by place, then similarity inside a block and a window.
//!
//! No pair of posts is compared unless they name the same place (by its key, see
//! [`super::places`]) — or, for posts that name none, have the same subject once frame words
//! are gone. Inside a block, posts are in time order and each is compared only with the
//! `max_candidates` most recent earlier posts within `window_days`. The work is linear in the
//! number of posts, whatever the corpus size. Linked pairs are merged with union–find, so an
//! issue can run for longer than the window as long as it keeps coming back.

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

/// Groups of post indices (each sorted by time) that form issues of `min_posts` or more posts.
pub fn cluster(posts: &[IssuePost], config: &RecurringConfig) -> Vec<Vec<usize>> {
    let frequencies = document_frequencies(posts, config);
    let prepared = in_parallel(posts, |chunk| chunk.iter().map(|p| prepare(p, &frequencies, config)).collect());
    let regions: Vec<Option<&str>> = posts.iter().map(|p| p.region).collect();

    let mut blocks: HashMap<u64, Vec<u32>> = HashMap::new();
    for (i, p) in prepared.iter().enumerate() {
        for &key in &p.keys {
            blocks.entry(key).or_default().push(i as u32);
        }
    }
    let window_ms = (config.window_days * 86_400_000.0) as i64;
    let mut sets = UnionFind::new(posts.len());
    for members in blocks.values_mut() {
        if members.len() < 2 {
            continue;
        }
        members.sort_by_key(|&i| (posts[i as usize].posted_at, i));
        for (j, &b) in members.iter().enumerate() {
            let b = b as usize;
            let earlier = members[..j].iter().rev().take(config.max_candidates);
            for &a in earlier {
                let a = a as usize;
                if posts[b].posted_at - posts[a].posted_at > window_ms {
                    break;
                }
                if sets.find(a) != sets.find(b)
                    && regions_agree(regions[a], regions[b])
                    && places_agree(&prepared[a].keys, &prepared[b].keys, config.place_agreement)
                    && linked(&prepared[a].profile, &prepared[b].profile, &frequencies, config)
                {
                    sets.union(a, b);
                }
            }
        }
    }

    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..posts.len() {
        groups.entry(sets.find(i)).or_default().push(i);
    }
    let mut issues: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() >= config.min_posts.max(2)).collect();
    for group in &mut issues {
        group.sort_by_key(|&i| (posts[i].posted_at, i));
    }
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
    let city_only = |r: &str| r.chars().count() == 2 && r.ends_with('市');
    a == b || (a.chars().next() == b.chars().next() && (city_only(a) || city_only(b)))
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

struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind { parent: (0..n as u32).collect() }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] as usize != i {
            let grandparent = self.parent[self.parent[i] as usize];
            self.parent[i] = grandparent;
            i = grandparent as usize;
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        // The earlier post's root stays the root, so ids are stable under appends.
        if a != b {
            let (root, child) = if a < b { (a, b) } else { (b, a) };
            self.parent[child] = root as u32;
        }
    }
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
