//! How well found issues agree with known ones, counted over pairs of posts.
//!
//! Pairwise precision is the share of the post pairs put into one issue that truly belong
//! together; pairwise recall is the share of the pairs that truly belong together that were
//! put into one issue. Pairs, not issues, because an issue split in two or two issues merged
//! are partly right, and pairs say how much: merging two issues of ten posts into one adds
//! 100 wrong pairs to 90 right ones (precision 0.47), splitting one of twenty in halves loses
//! 100 of 190 (recall 0.47). Chaining (one issue swallowing many) shows up at once.

use std::collections::HashMap;
use std::hash::Hash;

/// Pair counts of a grouping against the truth.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PairAgreement {
    /// Pairs of posts in one found issue.
    pub found_pairs: u64,
    /// Pairs of posts in one true issue.
    pub true_pairs: u64,
    /// Pairs in one found issue and in one true issue.
    pub shared_pairs: u64,
}

impl PairAgreement {
    /// 1 when nothing was grouped: no pair is wrong.
    pub fn precision(&self) -> f64 {
        ratio(self.shared_pairs, self.found_pairs)
    }

    /// 1 when nothing was to be grouped.
    pub fn recall(&self) -> f64 {
        ratio(self.shared_pairs, self.true_pairs)
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// Compares two groupings of the same posts: `found[i]` and `truth[i]` are the groups of post
/// `i` (an issue id, a cluster id), `None` for a post in no group.
pub fn pair_agreement<F: Hash + Eq, T: Hash + Eq>(found: &[Option<F>], truth: &[Option<T>]) -> PairAgreement {
    assert_eq!(found.len(), truth.len(), "both groupings must be of the same posts");
    let mut found_sizes: HashMap<&F, u64> = HashMap::new();
    let mut true_sizes: HashMap<&T, u64> = HashMap::new();
    let mut both_sizes: HashMap<(&F, &T), u64> = HashMap::new();
    for (f, t) in found.iter().zip(truth) {
        if let Some(f) = f {
            *found_sizes.entry(f).or_default() += 1;
        }
        if let Some(t) = t {
            *true_sizes.entry(t).or_default() += 1;
        }
        if let (Some(f), Some(t)) = (f, t) {
            *both_sizes.entry((f, t)).or_default() += 1;
        }
    }
    let pairs = |sizes: &mut dyn Iterator<Item = &u64>| sizes.map(|&n| n * n.saturating_sub(1) / 2).sum();
    PairAgreement {
        found_pairs: pairs(&mut found_sizes.values()),
        true_pairs: pairs(&mut true_sizes.values()),
        shared_pairs: pairs(&mut both_sizes.values()),
    }
}

/// The wrong pairs of found issues, by where they come from: what to look at when precision
/// is low.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WrongPairs {
    /// Two posts of two different true issues: issues merged.
    pub two_true: u64,
    /// A post of a true issue with a post of none: an issue taking in unrelated posts.
    pub true_with_unrelated: u64,
    /// Two posts of no true issue grouped together.
    pub unrelated: u64,
}

impl WrongPairs {
    /// The wrong pairs of one found issue, the posts `members`; `truth[i]` is the true issue
    /// of post `i`.
    pub fn of_issue<T: Hash + Eq>(members: &[usize], truth: &[Option<T>]) -> WrongPairs {
        let mut true_sizes: HashMap<&T, u64> = HashMap::new();
        let mut unrelated = 0u64;
        for &i in members {
            match &truth[i] {
                Some(t) => *true_sizes.entry(t).or_default() += 1,
                None => unrelated += 1,
            }
        }
        let related: u64 = true_sizes.values().sum();
        let right: u64 = true_sizes.values().map(|n| n * (n - 1) / 2).sum();
        WrongPairs {
            two_true: related * related.saturating_sub(1) / 2 - right,
            true_with_unrelated: related * unrelated,
            unrelated: unrelated * unrelated.saturating_sub(1) / 2,
        }
    }

    pub fn total(&self) -> u64 {
        self.two_true + self.true_with_unrelated + self.unrelated
    }
}

impl std::ops::AddAssign for WrongPairs {
    fn add_assign(&mut self, other: WrongPairs) {
        self.two_true += other.two_true;
        self.true_with_unrelated += other.true_with_unrelated;
        self.unrelated += other.unrelated;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(found: &[Option<u8>], truth: &[Option<u8>], expected: (u64, u64, u64)) {
        let agreement = pair_agreement(found, truth);
        assert_eq!(
            (agreement.found_pairs, agreement.true_pairs, agreement.shared_pairs),
            expected,
            "{found:?} against {truth:?}"
        );
    }

    #[test]
    fn pairs_are_counted_inside_groups_and_their_overlaps() {
        // The same grouping under other names: everything agrees.
        check(&[Some(1), Some(1), Some(2), Some(2), None], &[Some(7), Some(7), Some(8), Some(8), None], (2, 2, 2));
        // Two true issues merged into one: 6 pairs found, 2 of them right.
        check(&[Some(1), Some(1), Some(1), Some(1)], &[Some(7), Some(7), Some(8), Some(8)], (6, 2, 2));
        // A true issue of three split, one post left out: 1 pair of 3 found.
        check(&[Some(1), Some(1), None], &[Some(7), Some(7), Some(7)], (1, 3, 1));
        check(&[None, None], &[None, None], (0, 0, 0));
    }

    #[test]
    fn precision_and_recall_are_one_when_there_is_nothing_to_get_wrong() {
        let nothing = pair_agreement::<u8, u8>(&[None], &[None]);
        assert_eq!((nothing.precision(), nothing.recall()), (1.0, 1.0));
        let merged = pair_agreement(&[Some(1), Some(1), Some(1), Some(1)], &[Some(7), Some(7), Some(8), Some(8)]);
        assert!((merged.precision() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(merged.recall(), 1.0);
    }

    #[test]
    fn wrong_pairs_say_whether_issues_merged_or_took_in_unrelated_posts() {
        // Posts 0–1 of true issue 7, 2 of issue 8, 3–4 of none, all found as one issue.
        let truth = [Some(7), Some(7), Some(8), None, None];
        let wrong = WrongPairs::of_issue(&[0, 1, 2, 3, 4], &truth);
        assert_eq!(wrong, WrongPairs { two_true: 2, true_with_unrelated: 6, unrelated: 1 });
        assert_eq!(wrong.total(), 9, "10 pairs, 1 of them right");
        assert_eq!(WrongPairs::of_issue(&[0, 1], &truth).total(), 0);
    }
}
