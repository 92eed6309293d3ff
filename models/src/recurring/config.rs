//! The knobs of recurring-issue detection, with their defaults in `data/recurring/recurring.toml`.

use serde::{Deserialize, Serialize};

/// The defaults, written out with their reasons; a test keeps it equal to `Default`.
pub const DEFAULT_CONFIG: &str = include_str!("../../data/recurring/recurring.toml");

/// How posts are grouped into issues and how hot an issue is. Every field has a default;
/// a TOML file need only name the ones it changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecurringConfig {
    /// Two posts are compared only when at most this many days apart. Issues can last longer:
    /// each post need only be close to one other.
    pub window_days: f64,
    /// Each post is compared with at most this many earlier posts of its block (the most recent).
    pub max_candidates: usize,
    /// Places read from the subject (and from the body when the subject names none).
    pub max_places: usize,
    /// Bigrams kept per post: of the subject, and of subject and body together.
    pub subject_bigrams: usize,
    pub content_bigrams: usize,
    /// Bigrams in more than this share of all posts are left out of the content sample.
    pub common_share: f32,
    /// Body characters read; what matters is said first.
    pub body_chars: usize,
    /// Linked when the subjects are this similar (weighted Jaccard, places removed) …
    pub subject_threshold: f32,
    /// … or the whole texts are this similar …
    pub content_threshold: f32,
    /// … or both are at least these (a reworded subject over a body that says the same).
    pub both_subject: f32,
    pub both_content: f32,
    /// A post joins an issue only when linked to at least this share of the issue's posts it
    /// was compared with (the recent ones at its places): linking to one post is not enough
    /// to join the issue, which keeps chains of pairwise links from growing into one issue.
    pub join_share: f32,
    /// … or linked to at least this many of them: a wave of many posts, each reworded its own
    /// way, links each post to a few of the others only.
    pub join_links: usize,
    /// … or its subject is at least this similar to one of them: a copy of one post (a new
    /// head or ending at most) is of the issue whatever the other posts say.
    pub copy_subject: f32,
    /// … and at most this share of them name another place (a post naming fewer places is
    /// like posts at each of several places). The same bound keeps a post that may join
    /// several issues from joining them into one when their posts name different places.
    pub elsewhere_share: f32,
    /// An issue is a group of at least this many posts.
    pub min_posts: usize,
    /// A post whose subject says it comes back ([`RecurringConfig::follow_up_words`]: "再问",
    /// "三问", "再次反映") is compared with the posts of its places up to this many days back,
    /// not only `window_days`: a citizen asking again after three months asks about the issue.
    pub follow_up_days: f64,
    /// Words of a subject that say the post comes back to an earlier one.
    pub follow_up_words: Vec<String>,
    pub heat: HeatWeights,
}

/// The heat index of an issue:
///
/// ```text
/// heat = ( posts      · ln(1 + posts)
///        + users      · ln(1 + distinct users)
///        + support    · ln(1 + max(0, likes − dislikes_weight · dislikes))
///        + span       · ln(1 + days from first to last post) )
///      × ( recency_floor + (1 − recency_floor) · 2^(−age / half_life_days) )
/// ```
///
/// where `age` is the days from the issue's last post to the as-of time (the newest post of the
/// data, or the end of the period asked for). Logarithms, because the tenth post of an issue
/// says less than the second; distinct users weigh more than posts, because one person
/// posting five times is one voice; the recency factor lets an issue of last year cool down
/// without ever vanishing from the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HeatWeights {
    pub posts: f64,
    pub users: f64,
    pub support: f64,
    pub dislikes_weight: f64,
    pub span: f64,
    pub half_life_days: f64,
    pub recency_floor: f64,
}

impl Default for RecurringConfig {
    fn default() -> Self {
        RecurringConfig {
            window_days: 90.0,
            max_candidates: 64,
            max_places: 4,
            subject_bigrams: 48,
            content_bigrams: 64,
            common_share: 0.05,
            body_chars: 600,
            subject_threshold: 0.3,
            content_threshold: 0.3,
            both_subject: 0.08,
            both_content: 0.08,
            join_share: 0.5,
            join_links: 2,
            copy_subject: 0.8,
            elsewhere_share: 0.0,
            min_posts: 2,
            follow_up_days: 365.0,
            follow_up_words: [
                "再问",
                "二问",
                "三问",
                "四问",
                "五问",
                "再次",
                "再一次",
                "又一次",
                "第二次",
                "第三次",
                "第四次",
                "第五次",
                "屡次",
                "多次",
                "一再",
                "至今未",
                "至今没有",
                "仍未",
                "仍然没有",
                "依然没有",
            ]
            .map(String::from)
            .to_vec(),
            heat: HeatWeights::default(),
        }
    }
}

impl Default for HeatWeights {
    fn default() -> Self {
        HeatWeights {
            posts: 1.0,
            users: 1.5,
            support: 0.5,
            dislikes_weight: 1.0,
            span: 0.5,
            half_life_days: 90.0,
            recency_floor: 0.25,
        }
    }
}

impl RecurringConfig {
    /// Reads a config; fields left out keep the built-in defaults.
    pub fn from_toml(text: &str) -> Result<RecurringConfig, toml::de::Error> {
        toml::from_str(text)
    }

    /// Whether a post with this subject says it comes back to an earlier one.
    pub fn follows_up(&self, subject: &str) -> bool {
        self.follow_up_words.iter().any(|word| subject.contains(word.as_str()))
    }

    /// How far back a post may be compared with the posts of its places, in milliseconds.
    pub(super) fn reach_ms(&self, follows_up: bool) -> i64 {
        let days = if follows_up { self.follow_up_days.max(self.window_days) } else { self.window_days };
        (days * 86_400_000.0) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_file_gives_the_defaults_and_a_file_may_change_one_field() {
        let defaults = RecurringConfig::default();
        assert_eq!(RecurringConfig::from_toml(DEFAULT_CONFIG).expect("valid"), defaults);
        let changed = RecurringConfig::from_toml("window_days = 30\n[heat]\nusers = 2.0\n").expect("valid");
        assert_eq!(changed.window_days, 30.0);
        assert_eq!(changed.heat.users, 2.0);
        assert_eq!(changed.heat.posts, defaults.heat.posts);
        assert_eq!(changed.subject_threshold, defaults.subject_threshold);
    }

    #[test]
    fn a_misspelt_field_is_an_error() {
        assert!(RecurringConfig::from_toml("window = 30").is_err());
    }
}
