//! Recurring problems: clusters of 2–15 posts about the same problem at the same place, spread
//! over weeks, some arriving after a reply was given to an earlier one.
//!
//! Only open clusters are held (a few hundred at a million posts): a cluster is started at
//! some post, its next member falls due a gap later and takes the first post slot after that,
//! and it is handed back for the truth file once its last member is out.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use super::clock::DAY;
use super::places::Place;
use super::rng::Rng;

/// Share of posts that belong to clusters (before clusters cut short by the period's end).
const CLUSTER_SHARE: f64 = 0.10;
/// Mean days between two posts of a cluster, on top of half a day.
const MEAN_GAP_DAYS: f64 = 6.0;
const MIN_SIZE: usize = 2;
const MAX_SIZE: usize = 15;
/// Mean of the exponential part of a cluster's size.
const SIZE_SPREAD: f64 = 3.3;

/// What every post of one cluster shares.
pub struct Cluster {
    pub problem: usize,
    pub area: usize,
    pub office: usize,
    pub place: Place,
    pub road: String,
    /// The unit most members address.
    pub unit: usize,
    pub first_user: Option<u32>,
    /// The earliest reply to any member so far: later members came back after a reply.
    pub earliest_reply: Option<u64>,
    size: usize,
    members: Vec<Member>,
}

impl Cluster {
    pub fn new(problem: usize, area: usize, office: usize, place: Place, road: String, unit: usize) -> Cluster {
        Cluster {
            problem,
            area,
            office,
            place,
            road,
            unit,
            first_user: None,
            earliest_reply: None,
            size: 0,
            members: Vec::new(),
        }
    }

    pub fn members_so_far(&self) -> usize {
        self.members.len()
    }

    pub fn note_reply(&mut self, at: u64) {
        self.earliest_reply = Some(self.earliest_reply.map_or(at, |e| e.min(at)));
    }
}

pub struct Member {
    pub post_id: u64,
    pub after_reply: bool,
}

/// A cluster whose last member is out, with its final id.
pub struct Finished {
    pub cluster_id: u32,
    pub place: String,
    pub members: Vec<Member>,
}

pub struct Recurring {
    open: BTreeMap<u32, Cluster>,
    due: BinaryHeap<Reverse<(u64, u32)>>,
    next_key: u32,
    next_id: u32,
    horizon: u64,
}

impl Recurring {
    /// `horizon`: the end of the posting period; members due later are never posted.
    pub fn new(horizon: u64) -> Recurring {
        Recurring { open: BTreeMap::new(), due: BinaryHeap::new(), next_key: 0, next_id: 1, horizon }
    }

    /// The open cluster whose next member is due by `t`, if any.
    pub fn take_due(&mut self, t: u64) -> Option<u32> {
        match self.due.peek() {
            Some(Reverse((at, _))) if *at <= t => self.due.pop().map(|Reverse((_, key))| key),
            _ => None,
        }
    }

    /// Whether the post at hand should start a new cluster.
    pub fn should_start(&self, rng: &mut Rng) -> bool {
        rng.chance(CLUSTER_SHARE / (MIN_SIZE as f64 + SIZE_SPREAD))
    }

    pub fn start(&mut self, mut cluster: Cluster, rng: &mut Rng) -> u32 {
        cluster.size = (MIN_SIZE + rng.exp(SIZE_SPREAD) as usize).min(MAX_SIZE);
        let key = self.next_key;
        self.next_key += 1;
        self.open.insert(key, cluster);
        key
    }

    pub fn get(&mut self, key: u32) -> &mut Cluster {
        self.open.get_mut(&key).expect("open cluster")
    }

    /// Records the post just made for cluster `key` at `t`, schedules the next member, and
    /// returns the cluster if it is complete (`None` also when it ended with one post only).
    pub fn record(&mut self, key: u32, post_id: u64, t: u64, rng: &mut Rng) -> Option<Finished> {
        let cluster = self.get(key);
        let after_reply = cluster.earliest_reply.is_some_and(|r| r < t);
        cluster.members.push(Member { post_id, after_reply });
        if cluster.members.len() < cluster.size {
            let next = t + ((0.5 + rng.exp(MEAN_GAP_DAYS)) * DAY as f64) as u64;
            if next < self.horizon {
                self.due.push(Reverse((next, key)));
                return None;
            }
        }
        self.close(key)
    }

    fn close(&mut self, key: u32) -> Option<Finished> {
        let cluster = self.open.remove(&key)?;
        if cluster.members.len() < MIN_SIZE {
            return None;
        }
        let cluster_id = self.next_id;
        self.next_id += 1;
        Some(Finished { cluster_id, place: cluster.place.name, members: cluster.members })
    }

    /// Closes every cluster still open at the end of the period (in a fixed order).
    pub fn close_all(&mut self) -> Vec<Finished> {
        self.due.clear();
        let keys: Vec<u32> = self.open.keys().copied().collect();
        keys.into_iter().filter_map(|k| self.close(k)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster() -> Cluster {
        let place = Place { name: "锦华苑".into(), party: "锦华物业服务有限公司".into() };
        Cluster::new(0, 0, 0, place, "人民路".into(), 0)
    }

    #[test]
    fn members_come_when_due_and_finish_with_the_size() {
        let mut rng = Rng::new(1);
        let mut rec = Recurring::new(10_000 * DAY);
        let key = rec.start(cluster(), &mut rng);
        let size = rec.get(key).size;
        let (mut t, mut finished) = (0, None);
        for post_id in 0..size as u64 {
            assert!(finished.is_none());
            finished = rec.record(key, post_id, t, &mut rng);
            if finished.is_none() {
                assert_eq!(rec.take_due(t), None, "the next member is due at least half a day later");
                t += 100 * DAY;
                assert_eq!(rec.take_due(t), Some(key));
            }
        }
        let finished = finished.expect("finished after its size");
        assert_eq!((finished.cluster_id, finished.members.len(), finished.place.as_str()), (1, size, "锦华苑"));
    }

    #[test]
    fn a_cluster_cut_to_one_post_is_no_cluster() {
        let mut rng = Rng::new(2);
        let mut rec = Recurring::new(DAY / 4);
        let key = rec.start(cluster(), &mut rng);
        assert!(rec.record(key, 1, 0, &mut rng).is_none());
        assert!(rec.close_all().is_empty());
    }

    #[test]
    fn members_after_a_reply_are_marked() {
        let mut rng = Rng::new(3);
        let mut rec = Recurring::new(10_000 * DAY);
        let key = rec.start(cluster(), &mut rng);
        rec.get(key).size = 3;
        rec.record(key, 1, 0, &mut rng);
        rec.get(key).note_reply(5 * DAY);
        rec.record(key, 2, 4 * DAY, &mut rng);
        let done = rec.record(key, 3, 9 * DAY, &mut rng).expect("three of three");
        let flags: Vec<bool> = done.members.iter().map(|m| m.after_reply).collect();
        assert_eq!(flags, [false, false, true]);
    }
}
