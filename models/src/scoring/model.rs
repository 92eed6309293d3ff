//! The learned last step: from what the rules found to the levels careful readers give.
//!
//! The rules (`judge`) read a reply the way the rubric is written; readers weigh things the
//! rules only count — a multi-point post whose main demand the reply skips, a detailed reply
//! that ends in promises. A cumulative-link (ordinal logistic) model per judgement combines
//! the rules' own levels with those counts: `s = Σ weight·feature`, level 0 below the first
//! threshold, 2 at or above the second. Weights and thresholds live in
//! `models/data/scoring/levels.toml`, fitted on the tuning labels by
//! `models/data/scoring/fit_levels.py`; replies with no content (a bare formula) and
//! off-topic replies keep the rules' levels, and the rubric's hard cases keep theirs
//! ([`rubric_overrides`]). The phrases of the reply's content add their learned weights to `s`
//! (see `phrases`, weights in `models/data/scoring/phrases.tsv`). Last, a reply judged evasive
//! is at least vague 1 (`Scorer::conclude`; not part of the fit).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::lexicon::{Levels, LexiconError};
use super::phrases::{Phrases, DEFAULT_PHRASES};
use super::signals::{ask, Findings};
use super::ReplyType;

/// The shipped level model, compiled in.
pub const DEFAULT_LEVEL_MODEL: &str = include_str!("../../data/scoring/levels.toml");

/// The features the model weighs, in order. `levels.toml` names its weights with these.
pub const FEATURES: [&str; 22] = [
    "rule_evasive_1",
    "rule_evasive_2",
    "rule_vague_1",
    "rule_vague_2",
    "content",
    "specificity",
    "promise_share",
    "promises",
    "deferrals",
    "outcomes",
    "dates_amounts",
    "shared_share",
    "demands",
    "uncovered",
    "coverage",
    "direct_unanswered",
    "post_chars",
    "forwarded_named",
    "deflection",
    "rules",
    "answered_yes_no",
    "procedures",
];

pub(crate) type Features = [f64; FEATURES.len()];

/// What the rules concluded, as the model needs it.
pub(crate) struct RuleView {
    pub evasive_level: u8,
    pub vague_level: u8,
    pub specificity: f64,
    pub unanswered: bool,
}

/// The feature vector of one reply (see [`FEATURES`] for the order).
pub(crate) fn features(f: &Findings, asks: u8, rules: &RuleView, post_chars: usize) -> Features {
    let flag = |b: bool| f64::from(u8::from(b));
    let capped = |n: u32, cap: u32| f64::from(n.min(cap));
    let facts = f.dates + f.amounts + f.actions + f.place_units;
    let coverage = if f.demands == 0 { 1.0 } else { f64::from(f.demands_covered) / f64::from(f.demands) };
    [
        flag(rules.evasive_level >= 1),
        flag(rules.evasive_level >= 2),
        flag(rules.vague_level >= 1),
        flag(rules.vague_level >= 2),
        (1.0 + f.content_chars as f64).ln(),
        (1.0 + rules.specificity).ln(),
        f64::from(f.promises) / f64::from(f.promises + facts).max(1.0),
        capped(f.promises, 5),
        capped(f.deferrals, 3),
        capped(f.outcomes, 3),
        capped(f.dates + f.amounts, 5),
        f.shared_terms as f64 / f.reply_terms.max(1) as f64,
        capped(f.demands, 5),
        capped(f.demands - f.demands_covered, 5),
        coverage,
        flag(rules.unanswered && asks & ask::DIRECT != 0),
        (1.0 + post_chars as f64).ln(),
        flag(f.forwarded_named),
        flag(f.deflection),
        capped(f.rules, 5),
        flag(asks & f.answers & ask::YES_NO != 0),
        capped(f.procedures, 3),
    ]
}

/// Content shorter than this (characters) that answers yes or no, gives a procedure, a date or
/// an amount is a clear answer, specific (vague 0) whatever the model weighs. Cross-validated on
/// the tuning labels (vague QWK of the level model): every such reply kept at 0, 0.705; none,
/// 0.714; those under 100 characters, 0.711 (60: 0.712, 150: 0.708, 250: 0.705).
pub(crate) const CLEAR_ANSWER_CHARS: usize = 100;

/// The model's (evasive, vague) levels with the rubric's hard cases put back. The model weighs
/// counts — short content, a long post — that outvote what the rubric names: fitted freely, it
/// lowered the anchoring 杏坛中学 reply (the general rule, the yes/no question unanswered) and
/// "交办相关部门" with nothing else to evasive 1, a reply of promises only to evasive 0, and
/// raised clear short answers ("暂无…计划", a procedure, directions asked for) to vague 1. So:
/// - evasive: every rules' evasive 2 stays (acknowledgement only, deflection, unnamed forward,
///   bare refusal, the general rule unapplied, off-topic); a reply of promises only (nothing
///   found, no date or amount) is not lowered, nor is a long post the rules found answered in
///   part (the lexicon's `long_post_*` boundary);
/// - vague: the rules' vague 2 of an acknowledgement, a forwarding note, a deflection or a reply
///   of promises only stays ("pure acknowledgements and pure forwarding notes are vague 2"); a
///   reply that answers yes or no, gives a procedure or directions, or a date or an amount is
///   never made vague 2 ("no fact specific to this post"), and when it is short (under
///   [`CLEAR_ANSWER_CHARS`] of content) keeps the rules' vague 0 ("a clear yes/no"). A longer
///   one may be made vague 1: beside its date or its "可以" stand the generic parts the rubric
///   calls "mixed" (until scorer 21 every such reply kept the rules' 0; the readers gave many of
///   them 1).
///
/// `fit_levels.py` (`rubric_overrides`) cross-validates with the same overrides.
pub(crate) fn rubric_overrides(
    (evasive, vague): (u8, u8),
    f: &Findings,
    asks: u8,
    rules: &RuleView,
    rule_type: ReplyType,
    post_chars: usize,
    levels: &Levels,
) -> (u8, u8) {
    let figures = f.dates + f.amounts;
    let promises_only = f.promises > 0 && f.outcomes == 0 && figures == 0;
    let long_post_in_part = rules.evasive_level == 1
        && levels.long_post_chars.is_some_and(|n| post_chars > n)
        && figures <= levels.long_post_figures
        && f.outcomes <= levels.long_post_findings;
    let evasive = match rules.evasive_level {
        2 => 2,
        rule if promises_only => evasive.max(rule),
        _ if long_post_in_part => evasive.max(1),
        _ => evasive,
    };
    let formula = matches!(rule_type, ReplyType::AcknowledgementOnly | ReplyType::Forwarded | ReplyType::Deflection);
    let answers = asks & f.answers & ask::YES_NO != 0 || f.procedures > 0 || figures > 0;
    let vague = match rules.vague_level {
        2 if formula || promises_only => 2,
        0 if answers && f.content_chars < CLEAR_ANSWER_CHARS => 0,
        0 | 1 if answers => vague.min(1),
        _ => vague,
    };
    (evasive, vague)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrdinalFile {
    thresholds: [f64; 2],
    weights: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelModelFile {
    version: u32,
    evasive: OrdinalFile,
    vague: OrdinalFile,
}

/// One cumulative-link model: weights in [`FEATURES`] order and two thresholds.
#[derive(Debug, Clone)]
pub struct Ordinal {
    weights: Features,
    thresholds: [f64; 2],
}

/// The level models of both judgements, and the phrase weights they share.
#[derive(Debug, Clone)]
pub struct LevelModel {
    pub version: u32,
    pub evasive: Ordinal,
    pub vague: Ordinal,
    pub phrases: Phrases,
}

impl Ordinal {
    fn from_file(name: &str, file: OrdinalFile) -> Result<Self, LexiconError> {
        let mut weights = [0.0; FEATURES.len()];
        for (key, w) in file.weights {
            let Some(i) = FEATURES.iter().position(|f| *f == key) else {
                return Err(LexiconError::Invalid(format!(
                    "level model [{name}.weights] has an unknown feature {key:?}; known: {}",
                    FEATURES.join(", ")
                )));
            };
            weights[i] = w;
        }
        let [t1, t2] = file.thresholds;
        if t1.partial_cmp(&t2) != Some(std::cmp::Ordering::Less) {
            return Err(LexiconError::Invalid(format!(
                "level model [{name}] needs thresholds in increasing order, found {t1} and {t2}"
            )));
        }
        Ok(Ordinal { weights, thresholds: file.thresholds })
    }

    /// The level, and where the reply sits within it (0..1, for the continuous score);
    /// `phrases`: the summed weights of the reply's phrases for this judgement.
    pub(crate) fn predict(&self, x: &Features, phrases: f64) -> (u8, f64) {
        let s: f64 = self.weights.iter().zip(x).map(|(w, v)| w * v).sum::<f64>() + phrases;
        let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
        let [t1, t2] = self.thresholds;
        if s < t1 {
            (0, 2.0 * sigmoid(s - t1))
        } else if s < t2 {
            (1, (s - t1) / (t2 - t1))
        } else {
            (2, 2.0 * sigmoid(s - t2) - 1.0)
        }
    }
}

impl LevelModel {
    /// Parses a level model written like `models/data/scoring/levels.toml`, with no phrases
    /// (add the ones fitted with it by [`LevelModel::with_phrases`]).
    pub fn from_toml_str(text: &str) -> Result<Self, LexiconError> {
        let file: LevelModelFile = toml::from_str(text)?;
        Ok(LevelModel {
            version: file.version,
            evasive: Ordinal::from_file("evasive", file.evasive)?,
            vague: Ordinal::from_file("vague", file.vague)?,
            phrases: Phrases::default(),
        })
    }

    /// This model with phrase weights (see [`Phrases::from_tsv_str`]); they must come from the
    /// same fit as the weights and thresholds of `levels.toml`.
    pub fn with_phrases(mut self, phrases: Phrases) -> Self {
        self.phrases = phrases;
        self
    }
}

impl Default for LevelModel {
    fn default() -> Self {
        let phrases = Phrases::from_tsv_str(DEFAULT_PHRASES).expect("the shipped phrases are valid");
        LevelModel::from_toml_str(DEFAULT_LEVEL_MODEL).expect("the shipped level model is valid").with_phrases(phrases)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected_error: &str) {
        let err = LevelModel::from_toml_str(text).unwrap_err().to_string();
        assert!(err.contains(expected_error), "{err}");
    }

    #[test]
    fn shipped_model_parses_and_names_known_features() {
        let model = LevelModel::default();
        assert!(model.evasive.weights.iter().any(|w| *w != 0.0));
        assert!(model.vague.weights.iter().any(|w| *w != 0.0));
    }

    #[test]
    fn bad_models_are_rejected_with_a_hint() {
        let unknown = DEFAULT_LEVEL_MODEL.replacen("[evasive.weights]", "[evasive.weights]\nlength_of_post = 1.0", 1);
        check(&unknown, "unknown feature \"length_of_post\"");
        check("version = 1\n[evasive]\nthresholds = [2.0, 1.0]\nweights = {}\n[vague]\nthresholds = [0.0, 1.0]\nweights = {}", "increasing order");
    }

    #[test]
    fn levels_rise_with_the_score() {
        let model = Ordinal { weights: [0.0; FEATURES.len()], thresholds: [0.5, 1.5] };
        let mut x = [0.0; FEATURES.len()];
        let mut at = |v: f64| {
            let mut m = model.clone();
            m.weights[0] = 1.0;
            x[0] = v;
            m.predict(&x, 0.0)
        };
        assert_eq!(at(0.0).0, 0);
        assert_eq!(at(1.0).0, 1);
        assert_eq!(at(2.0).0, 2);
        assert!(at(0.0).1 < at(0.4).1);
    }
}
