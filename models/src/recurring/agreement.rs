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
}
