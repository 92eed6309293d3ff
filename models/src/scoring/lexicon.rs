//! The scoring lexicon: phrases, patterns and weights read from commented TOML
//! (`models/data/scoring/lexicon.toml`), so a supervision office extends them without code.

use serde::Deserialize;

/// The shipped lexicon, compiled in.
pub const DEFAULT_LEXICON: &str = include_str!("../../data/scoring/lexicon.toml");

/// Why a lexicon could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("scoring lexicon is not valid TOML: {0}\nhint: compare with models/data/scoring/lexicon.toml")]
    Toml(#[from] toml::de::Error),
    #[error("scoring lexicon pattern {pattern:?} in [{section}]{} does not compile: {message}\nhint: patterns are Rust regular expressions written with half-width punctuation", on_line(.line))]
    Pattern { section: &'static str, pattern: String, line: Option<usize>, message: String },
    #[error("scoring lexicon: {0}\nhint: compare with models/data/scoring/lexicon.toml")]
    Invalid(String),
}

impl LexiconError {
    /// The error with the line of `text` that holds the pattern it names, so an office editing a
    /// long lexicon is sent to the line (the parsed lexicon no longer knows where a string was).
    fn located_in(self, text: &str) -> LexiconError {
        match self {
            LexiconError::Pattern { section, pattern, line: None, message } => {
                let line = line_of_pattern(text, &pattern);
                LexiconError::Pattern { section, pattern, line, message }
            }
            other => other,
        }
    }
}

/// The 1-based line where `pattern` is written as a TOML string: a literal string ('…', as the
/// shipped lexicon writes patterns) holds it as it is, a basic string ("…") with its
/// backslashes and quotes escaped.
fn line_of_pattern(text: &str, pattern: &str) -> Option<usize> {
    let escaped = pattern.replace('\\', "\\\\").replace('"', "\\\"");
    let written = [format!("'{pattern}'"), format!("\"{escaped}\""), pattern.to_string()];
    let at = written.iter().find_map(|w| text.find(w.as_str()))?;
    Some(text[..at].matches('\n').count() + 1)
}

fn on_line(line: &Option<usize>) -> String {
    line.map_or_else(String::new, |n| format!(" (line {n})"))
}

/// Everything the scorer knows about how replies are written; see the comments of the TOML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    pub version: u32,
    pub courtesy: Courtesy,
    pub acknowledgement: Formulas,
    pub forwarding: Forwarding,
    pub deflection: Deflection,
    pub refusal: Refusal,
    pub generic_promise: Phrases,
    pub specific: Specific,
    pub rule: Rule,
    pub questions: QuestionWords,
    pub answers: AnswerWords,
    pub off_topic: OffTopic,
    pub levels: Levels,
    pub common_terms: CommonTerms,
    /// replies that accept a case without completing it (a lexicon without the section finds
    /// none beyond receipts and forwarding notes)
    #[serde(default)]
    pub interim: super::interim::InterimWords,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Courtesy {
    pub patterns: Vec<String>,
    pub clause_patterns: Vec<String>,
    /// the closing offer of further contact ("如有疑问，请致电…咨询"): matched before the
    /// deflection patterns, which would otherwise read it as sending the citizen elsewhere
    #[serde(default)]
    pub closing_patterns: Vec<String>,
    pub signature_suffixes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Formulas {
    pub patterns: Vec<String>,
    pub clause_patterns: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phrases {
    pub phrases: Vec<String>,
    /// promises to look at it later ("将充分论证研究"): a reply made of these puts the request off
    #[serde(default)]
    pub deferrals: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub min_rules: u32,
    pub max_shared_share: f64,
    pub phrases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forwarding {
    pub patterns: Vec<String>,
    pub markers: Vec<String>,
    pub unit_words: Vec<String>,
    pub generic_units: Vec<String>,
    /// generic words that name somebody when a unit comes before them ("市公交公司有关部门")
    #[serde(default)]
    pub generic_after_unit: Vec<String>,
    pub self_units: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deflection {
    pub patterns: Vec<String>,
    pub generic_targets: Vec<String>,
    /// words of a deflection that says the matter is outside the unit's remit
    #[serde(default)]
    pub outside_remit: Vec<String>,
    /// words of a deflection that says whose duty the matter is ("应属交通运管部门职责")
    #[serde(default)]
    pub remit_words: Vec<String>,
    /// words that give the citizen advice instead of an answer ("建议携带手电筒出行"): in a reply
    /// with no content but them and no receipt formula, a deflection, not an acknowledgement
    #[serde(default)]
    pub advice: Vec<String>,
    /// verbs that send the citizen to ask ("请致电…咨询"): to a post that asks how (not where), a
    /// named office to ask is where the answer may be had, not the answer
    #[serde(default)]
    pub asking: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    pub phrases: Vec<String>,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Specific {
    pub actions: Vec<String>,
    /// what shows something was found or done, not only promised ("已", "经查", "未发现")
    #[serde(default)]
    pub outcomes: Vec<String>,
    pub dates: Vec<String>,
    pub amounts: Vec<String>,
    pub documents: Vec<String>,
    pub place_units: Vec<String>,
    pub date_weight: f64,
    pub date_cap: u32,
    pub amount_weight: f64,
    pub amount_cap: u32,
    pub action_weight: f64,
    pub action_cap: u32,
    pub place_unit_weight: f64,
    pub place_unit_cap: u32,
    pub shared_term_weight: f64,
    pub shared_term_cap: f64,
    pub answer_weight: f64,
    /// a procedure given (see [`AnswerWords::procedures`]) and the most that count
    #[serde(default)]
    pub procedure_weight: f64,
    #[serde(default)]
    pub procedure_cap: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionWords {
    pub yes_no: Vec<String>,
    pub when: Vec<String>,
    pub amount: Vec<String>,
    pub reason: Vec<String>,
    pub how: Vec<String>,
    /// of the `how` words, those that ask where to go or whom to ask ("哪个部门", "找谁"):
    /// naming the office answers them, even an office to ask
    #[serde(default, rename = "where")]
    pub where_to: Vec<String>,
    /// words of a demand ("请求", "希望"): with the question words above they mark the post's
    /// sentences a reply should cover
    #[serde(default)]
    pub demands: Vec<String>,
    /// question words that as often tell a story ("最近几年", "多少年来"): they ask only in a
    /// sentence that is a question (ends with "?" or holds one of `interrogative`)
    #[serde(default)]
    pub in_questions_only: Vec<String>,
    /// marks of a sentence that asks ("请问", "吗")
    #[serde(default)]
    pub interrogative: Vec<String>,
    /// marks of a sentence that asks nothing it wants answered ("难道…吗?", "天理何在?"): its
    /// question and demand words do not count
    #[serde(default)]
    pub rhetorical: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerWords {
    pub yes_no: Vec<String>,
    pub reason: Vec<String>,
    pub how: Vec<String>,
    /// patterns of a procedure: where and how the citizen can do it ("持驾驶证到车管所办理")
    #[serde(default)]
    pub procedures: Vec<String>,
    /// words of a condition ("如果", "符合条件的"): a procedure under one is the rule, not an answer
    #[serde(default)]
    pub conditions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffTopic {
    pub min_reply_terms: usize,
    pub max_shared_share: f64,
    pub max_shared_terms: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Levels {
    pub level1: f64,
    pub level2: f64,
    pub min_content_chars: usize,
    pub vague2_below: f64,
    pub vague0_from: f64,
    pub mixed_promise_share: f64,
    /// a post longer than this (characters of subject and body) answered with at most
    /// `long_post_figures` dates or amounts and at most `long_post_findings` findings is
    /// answered in part (absent: no such rule)
    #[serde(default)]
    pub long_post_chars: Option<usize>,
    #[serde(default)]
    pub long_post_figures: u32,
    #[serde(default)]
    pub long_post_findings: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommonTerms {
    pub pairs: Vec<String>,
}

impl Lexicon {
    /// Parses a lexicon written like `models/data/scoring/lexicon.toml`.
    pub fn from_toml_str(text: &str) -> Result<Self, LexiconError> {
        let lexicon: Lexicon = toml::from_str(text)?;
        lexicon.validate().map_err(|e| e.located_in(text))?;
        Ok(lexicon)
    }

    fn validate(&self) -> Result<(), LexiconError> {
        let levels = &self.levels;
        if !(0.0 < levels.level1 && levels.level1 < levels.level2 && levels.level2 <= 1.0) {
            return Err(LexiconError::Invalid(format!(
                "[levels] needs 0 < level1 < level2 <= 1, found level1 = {} and level2 = {}",
                levels.level1, levels.level2
            )));
        }
        if levels.vague0_from <= levels.vague2_below {
            return Err(LexiconError::Invalid("[levels] vague0_from must be above vague2_below".into()));
        }
        super::interim::InterimMatchers::new(&self.interim)?;
        super::signals::Matchers::new(self).map(drop)
    }
}

impl Default for Lexicon {
    fn default() -> Self {
        Lexicon::from_toml_str(DEFAULT_LEXICON).expect("the shipped scoring lexicon is valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_lexicon_parses() {
        let lexicon = Lexicon::default();
        assert!(lexicon.generic_promise.phrases.iter().any(|p| p == "加强"));
        assert!(lexicon.common_terms.pairs.len() > 10);
    }

    #[test]
    fn bad_levels_are_rejected_with_a_hint() {
        let text = DEFAULT_LEXICON.replace("level1 = 0.34", "level1 = 0.9");
        let err = Lexicon::from_toml_str(&text).unwrap_err().to_string();
        assert!(err.contains("level1 < level2") && err.contains("hint"), "{err}");
    }

    #[test]
    fn a_pattern_that_does_not_compile_is_named_with_its_section_and_line() {
        let good = "'(?:回复|答复|说明|反馈|函复)如下[:。]?'";
        let line = DEFAULT_LEXICON[..DEFAULT_LEXICON.find(good).unwrap()].matches('\n').count() + 1;
        let text = DEFAULT_LEXICON.replace(good, "'(?:回复|答复如下['");
        let err = Lexicon::from_toml_str(&text).unwrap_err().to_string();
        assert!(err.contains("(?:回复|答复如下[") && err.contains(&format!("(line {line})")), "{err}");

        let basic = DEFAULT_LEXICON.replace(good, r#""\\d(""#);
        let err = Lexicon::from_toml_str(&basic).unwrap_err().to_string();
        assert!(err.contains(&format!("(line {line})")), "{err}");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let text = DEFAULT_LEXICON.replace("version = 1", "version = 1\nverison = 2");
        assert!(Lexicon::from_toml_str(&text).is_err());
    }
}
