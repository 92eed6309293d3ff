//! The grouping of posts into issues, kept between runs in `DIR/issues/grouping.bin`, so that
//! a daily run groups the day's posts only.
//!
//! `models::recurring::Grouping` carries on exactly when no new post comes before the last
//! post grouped (every decision reads earlier posts only). The file says which rows it covers
//! — parts of the posts table by name, size, rows and a hash of their post ids, as the feature
//! cache knows them — and under which fingerprint (the grouping's version, the features' and
//! the whole config). It is taken up again only when those parts are still the first parts of
//! the table, unchanged, under the same fingerprint, and no new post is older than the last
//! post grouped; otherwise every post is grouped again (a late post, a part replaced or gone,
//! another config). The file may be deleted at any time.

use anyhow::Result;
use models::recurring::{features, Grouping, IssuePost, RecurringConfig};

use crate::feature_cache::{Features, PartRows};
use crate::store::{self, DataDir};

pub const GROUPING_FILE: &str = "issues/grouping.bin";

/// Bump when the grouping's rules change: a kept grouping made by other rules is not carried on.
const GROUPING_VERSION: u64 = 2;

/// What a kept grouping covers.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Covered {
    fingerprint: u64,
    parts: Vec<PartRows>,
}

/// The grouping kept for the first parts of the posts table, when the other posts (`posts`
/// beyond it) may carry on from it.
pub fn load(dir: &DataDir, features: &Features, posts: &[IssuePost], config: &RecurringConfig) -> Option<Grouping> {
    let bytes = std::fs::read(dir.path(GROUPING_FILE)).ok()?;
    let length = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?) as usize;
    let covered: Covered = serde_json::from_slice(bytes.get(8..8usize.checked_add(length)?)?).ok()?;
    if covered.fingerprint != fingerprint(config) || !features.parts().starts_with(&covered.parts) {
        return None;
    }
    let grouping = Grouping::from_bytes(&bytes[8 + length..])?;
    let rows: usize = covered.parts.iter().map(|p| p.rows).sum();
    (grouping.len() == rows && grouping.can_extend(posts)).then_some(grouping)
}

/// Keeps `grouping`, made of every post of the parts of `features`.
pub fn save(dir: &DataDir, features: &Features, grouping: &Grouping, config: &RecurringConfig) -> Result<()> {
    let covered = serde_json::to_vec(&Covered { fingerprint: fingerprint(config), parts: features.parts().to_vec() })?;
    let mut bytes = (covered.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(&covered);
    bytes.extend_from_slice(&grouping.to_bytes());
    store::write_atomically(&dir.path(GROUPING_FILE), &bytes)
}

/// Forgets the kept grouping: the next run groups every post.
pub fn clear(dir: &DataDir) -> Result<()> {
    match std::fs::remove_file(dir.path(GROUPING_FILE)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// FNV-1a over the grouping's version, the features' fingerprint and the config (any field
/// may change a decision, and a config change is rare enough to group again).
fn fingerprint(config: &RecurringConfig) -> u64 {
    let fields = serde_json::to_vec(config).expect("a config serialises");
    let versions = [GROUPING_VERSION, features::fingerprint(config)];
    let bytes = versions.into_iter().flat_map(u64::to_le_bytes).chain(fields);
    bytes.fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
