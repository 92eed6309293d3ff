//! What the hot-issue table says about one issue: title, place, time range, counts, heat,
//! and whether replies solved it.

use std::collections::HashMap;

use super::config::HeatWeights;
use super::places::places_in;
use super::similarity::bigrams;
use super::IssuePost;

const DAY_MS: f64 = 86_400_000.0;

/// One recurring issue (SPEC §3 `issues.parquet`).
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// `issue-<post id of its first post>`: stable while the first post stays the first.
    pub cluster_id: String,
    pub title: String,
    /// Region and place or group, "A市A2区 丽发新城小区"; the region alone when no place is named.
    pub place: String,
    /// Local time, milliseconds since the epoch (as stored in Parquet).
    pub first_at: i64,
    pub last_at: i64,
    /// The posts, in time order, with what happened to each.
    pub members: Vec<Member>,
    pub users: usize,
    pub likes: i64,
    pub dislikes: i64,
    pub heat: f64,
    /// Addressed units, most frequent first.
    pub units: Vec<String>,
    /// Posts that got at least one reply.
    pub replied_posts: usize,
    /// Posts that came after a reply to an earlier post of the issue: the reply did not solve it.
    pub repeats_after_reply: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Index into the posts given to [`summarise`].
    pub index: usize,
    /// Whether this post came after a reply to an earlier post of the same issue.
    pub repeat_after_reply: bool,
}

/// The summary of the issue made of `members` (indices into `posts`), its heat as of `as_of`.
pub fn summarise(posts: &[IssuePost], members: &[usize], as_of: i64, weights: &HeatWeights) -> Issue {
    let mut members: Vec<usize> = members.to_vec();
    members.sort_by_key(|&i| (posts[i].posted_at, i));
    let first = &posts[members[0]];
    let last_at = members.iter().map(|&i| posts[i].posted_at).max().unwrap_or(first.posted_at);

    let times: Vec<(i64, Option<i64>)> =
        members.iter().map(|&i| (posts[i].posted_at, posts[i].first_reply_at)).collect();
    let tracked: Vec<Member> = members
        .iter()
        .zip(repeats_after_reply(&times))
        .map(|(&index, repeat_after_reply)| Member { index, repeat_after_reply })
        .collect();

    let users = super::citizens(posts, &members);
    let likes = members.iter().map(|&i| posts[i].likes).sum();
    let dislikes = members.iter().map(|&i| posts[i].dislikes).sum();
    let units = by_frequency(members.iter().filter_map(|&i| posts[i].unit));
    let heat = heat(members.len(), users, likes, dislikes, first.posted_at, last_at, as_of, weights);
    Issue {
        cluster_id: format!("issue-{}", first.post_id),
        title: title(posts, &members),
        place: place(posts, &members),
        first_at: first.posted_at,
        last_at,
        users,
        likes,
        dislikes,
        heat,
        units,
        replied_posts: members.iter().filter(|&&i| posts[i].first_reply_at.is_some()).count(),
        repeats_after_reply: tracked.iter().filter(|m| m.repeat_after_reply).count(),
        members: tracked,
    }
}

/// Whether each post came after a reply to an earlier one: `posts` are (posted at, first reply
/// at) in time order, and a post repeats when some strictly earlier post had been replied to by
/// the time it came, whoever replied: the issue table's question, whether the problem came back
/// at all. (The unit indicators ask whether it came back after the unit's own reply, reply by
/// reply: `reports::facts`.)
pub fn repeats_after_reply(posts: &[(i64, Option<i64>)]) -> Vec<bool> {
    let mut earliest_reply: Option<i64> = None;
    let mut k = 0;
    posts
        .iter()
        .enumerate()
        .map(|(j, &(at, _))| {
            while k < j && posts[k].0 < at {
                if let Some(replied) = posts[k].1 {
                    earliest_reply = Some(earliest_reply.map_or(replied, |e| e.min(replied)));
                }
                k += 1;
            }
            earliest_reply.is_some_and(|replied| replied <= at)
        })
        .collect()
}

/// The heat index; the formula and the reasons for it are on [`HeatWeights`].
#[allow(clippy::too_many_arguments)]
pub fn heat(
    posts: usize,
    users: usize,
    likes: i64,
    dislikes: i64,
    first_at: i64,
    last_at: i64,
    as_of: i64,
    w: &HeatWeights,
) -> f64 {
    let support = (likes as f64 - w.dislikes_weight * dislikes as f64).max(0.0);
    let span_days = (last_at - first_at).max(0) as f64 / DAY_MS;
    let age_days = (as_of - last_at).max(0) as f64 / DAY_MS;
    let recency = w.recency_floor + (1.0 - w.recency_floor) * (-age_days / w.half_life_days.max(1e-9)).exp2();
    let volume = w.posts * (posts as f64).ln_1p()
        + w.users * (users as f64).ln_1p()
        + w.support * support.ln_1p()
        + w.span * span_days.ln_1p();
    volume * recency
}

/// The subject most typical of the issue (sharing the most bigrams with the others), its
/// frame words ("投诉", "关于…的问题") trimmed.
fn title(posts: &[IssuePost], members: &[usize]) -> String {
    let mut buffer = Vec::new();
    let mut counts: HashMap<u32, usize> = HashMap::new();
    let sets: Vec<Vec<u32>> = members
        .iter()
        .map(|&i| {
            bigrams(posts[i].subject, &mut buffer);
            for &h in &buffer {
                *counts.entry(h).or_default() += 1;
            }
            buffer.clone()
        })
        .collect();
    let typical = (0..members.len())
        .max_by(|&a, &b| {
            let score = |k: usize| {
                let set = &sets[k];
                set.iter().map(|h| counts[h]).sum::<usize>() as f64 / (set.len() as f64 + 4.0)
            };
            score(a).total_cmp(&score(b)).then(b.cmp(&a))
        })
        .unwrap_or(0);
    trim_frame(posts[members[typical]].subject)
}

fn trim_frame(subject: &str) -> String {
    const HEADS: &[&str] = &["再次投诉", "投诉", "举报", "反映", "反应", "咨询", "关于", "请求", "建议", "严重"];
    let mut title = subject.trim();
    if let Some(h) = HEADS.iter().find(|h| title.starts_with(*h) && title.len() > h.len() + 6) {
        title = &title[h.len()..];
    }
    let title = title.trim_end_matches(['？', '?', '！', '!', '。', '，', ',', ' ']);
    title.chars().take(40).collect()
}

/// The most frequent region, and the most frequent place named in the subjects.
fn place(posts: &[IssuePost], members: &[usize]) -> String {
    let region = by_frequency(members.iter().filter_map(|&i| posts[i].region)).into_iter().next();
    let names: Vec<String> =
        members.iter().filter_map(|&i| places_in(posts[i].subject, 1).into_iter().next().map(|p| p.name)).collect();
    let name = by_frequency(names.iter().map(String::as_str)).into_iter().next();
    match (region, name) {
        (Some(r), Some(n)) => format!("{r} {n}"),
        (Some(r), None) => r,
        (None, Some(n)) => n,
        (None, None) => String::new(),
    }
}

/// Distinct items, most frequent first, ties in order of first appearance.
fn by_frequency<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for item in items {
        match counts.iter_mut().find(|(i, _)| *i == item) {
            Some((_, n)) => *n += 1,
            None => counts.push((item, 1)),
        }
    }
    counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    counts.into_iter().map(|(i, _)| i.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_repeats_when_an_earlier_post_was_answered_before_it_came() {
        // 1 answered at 3; 2 at the same time as 1 (not after it); 5, after 1's reply; 2's own
        // reply (at 9) comes after 6, so 6 repeats only because of 1's.
        let posts = [(1, Some(3)), (1, Some(9)), (5, None), (6, None)];
        assert_eq!(repeats_after_reply(&posts), [false, false, true, true]);
        assert_eq!(repeats_after_reply(&[(1, Some(7)), (5, None), (7, None)]), [false, false, true]);
        assert_eq!(repeats_after_reply(&[]), Vec::<bool>::new());
    }

    #[test]
    fn heat_grows_with_voices_and_support_and_cools_with_age() {
        let w = HeatWeights::default();
        let day = DAY_MS as i64;
        let base = heat(3, 3, 10, 0, 0, 10 * day, 10 * day, &w);
        assert!(heat(6, 6, 10, 0, 0, 10 * day, 10 * day, &w) > base);
        assert!(heat(3, 1, 10, 0, 0, 10 * day, 10 * day, &w) < base);
        assert!(heat(3, 3, 10, 20, 0, 10 * day, 10 * day, &w) < base);
        let old = heat(3, 3, 10, 0, 0, 10 * day, 190 * day, &w);
        assert!(old < base && old > base * w.recency_floor);
    }

    #[test]
    fn titles_lose_their_frame() {
        assert_eq!(trim_frame("投诉A市丽发新城附近建搅拌站噪音扰民！"), "A市丽发新城附近建搅拌站噪音扰民");
        assert_eq!(trim_frame("投诉物业"), "投诉物业");
    }
}
