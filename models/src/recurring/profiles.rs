//! What one month's comparisons read of each post — its block keys and places, and its subject
//! and content samples weighed by the bigram counts of the months before — and how alike two
//! posts are by them ([`linked`]). See [`super::cluster`] for how links make issues.

use super::cluster::NONE;
use super::features::{self, FeatureTable};
use super::similarity::{content_sample, weighted_jaccard_of, CommonBigrams, DocumentFrequencies, IdfTable};
use super::RecurringConfig;

/// What the comparisons of one month's posts read: the block keys and places of every post
/// (the feature table), and the subject and content samples, weighted by the IDF of the months
/// before, of the posts that month's posts may be compared with.
pub(super) struct Profiles<'a> {
    features: &'a FeatureTable,
    /// Per post: its row in `subjects` and `contents`, or [`NONE`] when not weighed this month.
    row_of: Vec<u32>,
    weighed: Vec<u32>,
    subjects: Samples,
    contents: Samples,
    /// The month's common bigrams (kept to be refilled: see [`CommonBigrams::refill`]).
    common: CommonBigrams,
}

impl<'a> Profiles<'a> {
    pub(super) fn new(features: &'a FeatureTable) -> Profiles<'a> {
        Profiles {
            features,
            row_of: vec![NONE; features.len()],
            weighed: Vec::new(),
            subjects: Samples::default(),
            contents: Samples::default(),
            common: CommonBigrams::default(),
        }
    }

    /// Weighs the samples of `posts` by `frequencies` (those of the months before), on all
    /// cores, in place of the month before's.
    pub(super) fn weigh(&mut self, posts: Vec<u32>, frequencies: &DocumentFrequencies, config: &RecurringConfig) {
        for &i in &self.weighed {
            self.row_of[i as usize] = NONE;
        }
        let idf = IdfTable::of(frequencies);
        self.common.refill(frequencies, config.common_share);
        let common = &self.common;
        let weigh = |h: u32| (h, idf.idf(h));
        let features = self.features;
        let parts: Vec<(Samples, Samples)> = features::in_parallel(&posts, |chunk| {
            let (mut subjects, mut contents) = (Samples::default(), Samples::default());
            for &i in chunk {
                let post = features.get(i as usize);
                subjects.push(post.subject.iter().map(|&h| weigh(h)));
                contents.push(content_sample(post.text, common, config.content_bigrams).map(weigh));
            }
            vec![(subjects, contents)]
        });
        let (mut subjects, mut contents) = (Samples::default(), Samples::default());
        for (s, c) in parts {
            subjects.extend(s);
            contents.extend(c);
        }
        for (row, &i) in posts.iter().enumerate() {
            self.row_of[i as usize] = row as u32;
        }
        (self.weighed, self.subjects, self.contents) = (posts, subjects, contents);
    }

    pub(super) fn subject(&self, i: usize) -> &[(u32, f32)] {
        self.subjects.get(self.row_of[i] as usize)
    }

    pub(super) fn content(&self, i: usize) -> &[(u32, f32)] {
        self.contents.get(self.row_of[i] as usize)
    }

    pub(super) fn keys(&self, i: usize) -> &'a [u64] {
        self.features.get(i).keys
    }

    pub(super) fn places(&self, i: usize) -> &'a [u64] {
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

/// How alike two posts are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Link {
    None,
    /// Alike enough to be one problem.
    Alike,
    /// And one's subject is a copy of the other's ([`RecurringConfig::copy_subject`]).
    Copy,
}

/// How alike posts `a` and `b` are; `back` when the citizen who wrote `a` wrote `b` saying they
/// are back on it ([`RecurringConfig::follows_up`]).
pub(super) fn linked(profiles: &Profiles, a: usize, b: usize, back: bool, config: &RecurringConfig) -> Link {
    let subject = weighted_jaccard_of(profiles.subject(a), profiles.subject(b), config.subject_bigrams);
    if subject >= config.copy_subject.max(config.subject_threshold) {
        return Link::Copy;
    }
    if subject >= config.subject_threshold {
        return Link::Alike;
    }
    let content = weighted_jaccard_of(profiles.content(a), profiles.content(b), config.content_bigrams);
    // (one citizen at one place writing of it again in other words — "庆和里路、太平路的问题何时能
    // 解决，投诉好多次了" after "凯乐国际城周边的庆和里路、太平路路灯很久没亮了" — is back on it:
    // either measure at its lower bound is enough)
    let again = back && (subject >= config.both_subject || content >= config.both_content);
    if again
        || content >= config.content_threshold
        || (subject >= config.both_subject && content >= config.both_content)
    {
        Link::Alike
    } else {
        Link::None
    }
}
