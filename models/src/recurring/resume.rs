//! A grouping kept between runs: its bytes, so that a daily run carries on from yesterday's.
//!
//! What is kept is what a later post's decision reads ([`Grouping`]): each post's issue, how
//! issues were merged, each issue's region, the places of the issues later posts can still
//! join (those of the posts in the blocks), and each block's recent posts. The bytes are
//! canonical — merged issues written as their final issue, blocks by key, places only of the
//! issues still reachable — so a grouping carried on from its bytes writes the same bytes as
//! one made all at once (the test below).

use std::collections::{HashMap, HashSet};

use super::cluster::{Grouping, NONE};
use super::features::{Lists, Reader};

/// Bump when the bytes change.
const BYTES_VERSION: u64 = 1;

impl Grouping {
    /// The grouping as bytes (little-endian), for the cache.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 * (self.issue_of.len() + 2 * self.merged_into.len()));
        let words = |out: &mut Vec<u8>, list: &mut dyn Iterator<Item = u32>| {
            let mut one = Lists::default();
            one.push(&list.collect::<Vec<u32>>());
            one.write(out);
        };
        out.extend_from_slice(&BYTES_VERSION.to_le_bytes());
        out.extend_from_slice(&self.last_at.unwrap_or(i64::MIN).to_le_bytes());
        words(&mut out, &mut self.issue_of.iter().copied());
        words(&mut out, &mut (0..self.merged_into.len() as u32).map(|i| self.root_of(i)));
        words(&mut out, &mut self.issue_region.iter().copied());
        let reachable: HashSet<u32> =
            self.blocks.values().flatten().map(|&a| self.root_of(self.issue_of[a as usize])).collect();
        let mut places = Lists::default();
        for (issue, list) in self.issue_places.iter().enumerate() {
            places.push(if reachable.contains(&(issue as u32)) { list } else { &[] });
        }
        places.write(&mut out);
        let mut keys: Vec<u64> = self.blocks.keys().copied().collect();
        keys.sort_unstable();
        let mut blocks = Lists::default();
        keys.iter().for_each(|key| blocks.push(&self.blocks[key]));
        let mut key_list = Lists::default();
        key_list.push(&keys);
        key_list.write(&mut out);
        blocks.write(&mut out);
        out
    }

    /// The grouping written by [`Grouping::to_bytes`]; `None` when the bytes are not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<Grouping> {
        let mut reader = Reader { bytes, at: 0 };
        if reader.u64()? != BYTES_VERSION {
            return None;
        }
        let last_at = Some(reader.u64()? as i64).filter(|&t| t != i64::MIN);
        let mut one = || Lists::<u32>::read(&mut reader).filter(|l| l.len() == 1).map(|l| l.get(0).to_vec());
        let (issue_of, merged_into, issue_region) = (one()?, one()?, one()?);
        let places = Lists::<u64>::read(&mut reader)?;
        let keys = Lists::<u64>::read(&mut reader).filter(|l| l.len() == 1)?;
        let members = Lists::<u32>::read(&mut reader)?;
        let (posts, issues) = (issue_of.len(), merged_into.len());
        let valid = reader.at == bytes.len()
            && issue_of.iter().all(|&i| (i as usize) < issues)
            && merged_into.iter().all(|&i| (i as usize) < issues && merged_into[i as usize] == i)
            && issue_region.len() == issues
            && issue_region.iter().all(|&p| p == NONE || (p as usize) < posts)
            && places.len() == issues
            && keys.get(0).len() == members.len()
            && (0..members.len()).all(|k| members.get(k).iter().all(|&a| (a as usize) < posts));
        if !valid {
            return None;
        }
        let blocks: HashMap<u64, Vec<u32>> =
            keys.get(0).iter().enumerate().map(|(k, &key)| (key, members.get(k).to_vec())).collect();
        let issue_places = (0..issues).map(|i| places.get(i).to_vec()).collect();
        Some(Grouping { issue_of, merged_into, issue_region, issue_places, blocks, last_at })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{features, IssuePost, RecurringConfig};
    use super::*;

    /// Posts of three months at four compounds, four complaints at each, worded two ways,
    /// in three regions (two districts that never agree), posted every half day in turn.
    fn corpus() -> Vec<(String, String, Option<&'static str>)> {
        let places = ["丽发新城", "暮云新城", "中国铁建国际城", "伊景园滨河苑"];
        let problems = [
            ["搅拌站噪音扰民", "搅拌站夜间噪音太大"],
            ["物业乱收停车费", "物业违规收取停车费"],
            ["门口垃圾堆积发臭", "门口垃圾无人清理"],
            ["路灯不亮晚上漆黑", "路灯坏了晚上漆黑"],
        ];
        let regions = [Some("A市A2区"), Some("A市"), None, Some("A市A5区")];
        (0..180)
            .map(|i| {
                let (place, problem) = (places[i % 4], problems[(i / 4 + i / 16) % 4][i / 7 % 2]);
                (format!("{place}{problem}"), String::new(), regions[i / 3 % 4])
            })
            .collect()
    }

    fn posts<'a>(corpus: &'a [(String, String, Option<&'static str>)]) -> Vec<IssuePost<'a>> {
        corpus
            .iter()
            .enumerate()
            .map(|(i, (subject, body, region))| IssuePost {
                subject,
                body,
                region: *region,
                // From 2019-01-01, every twelve hours.
                posted_at: 1_546_300_800_000 + i as i64 * 43_200_000,
                ..IssuePost::default()
            })
            .collect()
    }

    /// Groups the first `cut` posts, keeps the grouping as bytes, carries on with the rest,
    /// and compares with grouping all at once: the same issues, and the same bytes.
    fn check(cut: usize, config: &RecurringConfig) {
        let corpus = corpus();
        let posts = posts(&corpus);
        let (table, monthly) = features::compute(&posts, config);
        let mut whole = Grouping::default();
        whole.extend(&posts, &table, &monthly, config);
        assert!(whole.groups(&posts, config).len() >= 8, "{:?}", whole.groups(&posts, config));

        // The first run sees the first posts only: its table and counts are theirs.
        let (first_table, first_monthly) = features::compute(&posts[..cut], config);
        let mut first = Grouping::default();
        first.extend(&posts[..cut], &first_table, &first_monthly, config);
        let mut resumed = Grouping::from_bytes(&first.to_bytes()).expect("bytes of a grouping");
        assert!(resumed.can_extend(&posts));
        resumed.extend(&posts, &table, &monthly, config);
        assert_eq!(resumed.groups(&posts, config), whole.groups(&posts, config));
        assert_eq!(resumed.to_bytes(), whole.to_bytes());
    }

    #[test]
    fn grouping_all_at_once_is_grouping_a_part_then_carrying_on_with_the_rest() {
        let config = RecurringConfig::default();
        for cut in [1, 40, 59, 60, 61, 100, 179, 180] {
            check(cut, &config);
        }
        // Few candidates: the blocks kept hold only the most recent posts.
        check(90, &RecurringConfig { max_candidates: 3, window_days: 20.0, ..config });
    }

    #[test]
    fn posts_before_the_last_one_grouped_cannot_carry_on() {
        let corpus = corpus();
        let mut posts = posts(&corpus);
        let config = RecurringConfig::default();
        let (table, monthly) = features::compute(&posts[..100], &config);
        let mut grouping = Grouping::default();
        grouping.extend(&posts[..100], &table, &monthly, &config);
        assert!(grouping.can_extend(&posts) && !grouping.can_extend(&posts[..50]));
        posts[150].posted_at = posts[99].posted_at - 1;
        assert!(!grouping.can_extend(&posts));
        posts[150].posted_at = posts[99].posted_at;
        assert!(grouping.can_extend(&posts));
    }

    #[test]
    fn bytes_that_are_not_a_grouping_are_refused() {
        let bytes = Grouping::default().to_bytes();
        assert_eq!(Grouping::from_bytes(&bytes), Some(Grouping::default()));
        assert_eq!(Grouping::from_bytes(&bytes[..bytes.len() - 1]), None);
        assert_eq!(Grouping::from_bytes(b"not a grouping"), None);
    }
}
