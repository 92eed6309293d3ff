//! Reply scoring: is an official reply evasive (推诿) or vague (空泛), judged against the post,
//! as shared/RUBRIC.md defines it (SPEC §3, `scores/replies.parquet`).
//!
//! The scorer folds the reply (width, whitespace), marks its courtesy, receipt, forwarding,
//! deflection and refusal formulas, and judges what is left — the content — by how specific it
//! is to the post (dates, amounts, actions taken, the post's own names) and whether it answers
//! the post's direct questions. All phrases, patterns and weights come from the TOML lexicon.
//!
//! Architecture invariant: no segmentation on the hot path; one `Scorer` is built once and
//! shared across threads (it is `Send + Sync`).

pub mod agreement;
mod duplicate;
mod judge;
mod lexicon;
mod normalize;
mod signals;
mod terms;

#[cfg(test)]
mod tests;

use serde::ser::{Serialize, SerializeMap, Serializer};

pub use duplicate::duplicate_key;
pub use lexicon::{Lexicon, LexiconError, DEFAULT_LEXICON};

use normalize::{char_slice, Folded};
use signals::{Matchers, Signal};
use terms::TermSet;

/// What kind of reply it is (SPEC §3 `reply_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplyType {
    Substantive,
    AcknowledgementOnly,
    Forwarded,
    Deflection,
    RefusalWithoutReason,
    GenericPolicy,
    Partial,
    OffTopic,
}

impl ReplyType {
    pub const ALL: [ReplyType; 8] = [
        ReplyType::Substantive,
        ReplyType::AcknowledgementOnly,
        ReplyType::Forwarded,
        ReplyType::Deflection,
        ReplyType::RefusalWithoutReason,
        ReplyType::GenericPolicy,
        ReplyType::Partial,
        ReplyType::OffTopic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReplyType::Substantive => "substantive",
            ReplyType::AcknowledgementOnly => "acknowledgement_only",
            ReplyType::Forwarded => "forwarded",
            ReplyType::Deflection => "deflection",
            ReplyType::RefusalWithoutReason => "refusal_without_reason",
            ReplyType::GenericPolicy => "generic_policy",
            ReplyType::Partial => "partial",
            ReplyType::OffTopic => "off_topic",
        }
    }

    pub fn parse(s: &str) -> Option<ReplyType> {
        ReplyType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The kind of a piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignalKind {
    /// a receipt formula with nothing else: 留言已收悉
    Acknowledgement,
    /// forwarded to a named unit: 已转K7县教育局办理
    ForwardedToUnit,
    /// forwarded to nobody in particular: 已转相关部门
    ForwardedUnnamed,
    /// not our remit / go elsewhere: 超出我局职权范围, 请向有关部门反映
    Deflection,
    /// a refusal with no reason in its sentence: 不予答复
    Refusal,
    /// a promise with no who, what or when: 加强, 尽快, 进一步
    GenericPromise,
    /// a general rule quoted, not applied: 根据…规定, 可以就近选择
    RuleQuote,
    /// a direct question of the post the reply leaves open (span in the post)
    UnansweredQuestion,
    /// a reply that shares almost nothing with the post
    OffTopic,
}

impl SignalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::Acknowledgement => "acknowledgement",
            SignalKind::ForwardedToUnit => "forwarded_to_unit",
            SignalKind::ForwardedUnnamed => "forwarded_unnamed",
            SignalKind::Deflection => "deflection",
            SignalKind::Refusal => "refusal",
            SignalKind::GenericPromise => "generic_promise",
            SignalKind::RuleQuote => "rule_quote",
            SignalKind::UnansweredQuestion => "unanswered_question",
            SignalKind::OffTopic => "off_topic",
        }
    }
}

/// A span that supports the judgement; offsets in characters of the reply (or of the post body
/// when `in_post`), end exclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub kind: SignalKind,
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub in_post: bool,
}

impl Serialize for Evidence {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(if self.in_post { 5 } else { 4 }))?;
        map.serialize_entry("kind", self.kind.as_str())?;
        map.serialize_entry("text", &self.text)?;
        map.serialize_entry("start", &self.start)?;
        map.serialize_entry("end", &self.end)?;
        if self.in_post {
            map.serialize_entry("in", "post")?;
        }
        map.end()
    }
}

/// The judgement of one reply (SPEC §3 `scores/replies.parquet`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyScore {
    pub evasive_level: u8,
    pub vague_level: u8,
    pub evasive_score: f64,
    pub vague_score: f64,
    pub reply_type: ReplyType,
    pub answers_question: bool,
    pub evidence: Vec<Evidence>,
}

/// Scores replies; build once, share across threads.
pub struct Scorer {
    lexicon: Lexicon,
    matchers: Matchers,
}

impl std::fmt::Debug for Scorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scorer").field("lexicon_version", &self.lexicon.version).finish_non_exhaustive()
    }
}

impl Default for Scorer {
    fn default() -> Self {
        Scorer::new(Lexicon::default())
    }
}

/// Most pieces of evidence of one kind kept for a reply.
const EVIDENCE_PER_KIND: usize = 4;

impl Scorer {
    /// A scorer for `lexicon` (already validated by [`Lexicon::from_toml_str`]; a lexicon whose
    /// public fields were edited afterwards should go through [`Scorer::try_new`]).
    pub fn new(lexicon: Lexicon) -> Self {
        Scorer::try_new(lexicon).expect("lexicon patterns were checked when it was parsed")
    }

    /// A scorer for `lexicon`, or why its patterns do not compile.
    pub fn try_new(lexicon: Lexicon) -> Result<Self, LexiconError> {
        let matchers = Matchers::new(&lexicon)?;
        Ok(Scorer { lexicon, matchers })
    }

    /// What the scorer found in a reply, and the kinds of question the post asks (for tuning).
    #[cfg(test)]
    pub(crate) fn findings(&self, post_subject: &str, post_body: &str, reply: &str) -> (signals::Findings, u8) {
        let mut post_terms = TermSet::new();
        let (subject_f, body_f) = (Folded::new(post_subject), Folded::new(post_body));
        post_terms.add_text(&subject_f.text);
        post_terms.add_text(&body_f.text);
        let asks = self.matchers.questions(&subject_f.text).0 | self.matchers.questions(&body_f.text).0;
        (self.matchers.find(&Folded::new(reply), &post_terms), asks)
    }

    /// Judges `reply` against the post it answers.
    pub fn score(&self, post_subject: &str, post_body: &str, reply: &str) -> ReplyScore {
        let reply_f = Folded::new(reply);
        let subject_f = Folded::new(post_subject);
        let body_f = Folded::new(post_body);

        let mut post_terms = TermSet::new();
        post_terms.add_text(&subject_f.text);
        post_terms.add_text(&body_f.text);
        let (subject_asks, _) = self.matchers.questions(&subject_f.text);
        let (body_asks, questions) = self.matchers.questions(&body_f.text);
        let asks = subject_asks | body_asks;

        let findings = self.matchers.find(&reply_f, &post_terms);
        let j = judge::judge(&findings, asks, &self.lexicon);
        let (level1, level2) = (self.lexicon.levels.level1, self.lexicon.levels.level2);
        let level = |s: f64| if s >= level2 { 2 } else { u8::from(s >= level1) };
        let evasive_level = level(j.evasive_score);
        let vague_level = level(j.vague_score);

        let wanted = |kind: SignalKind| match kind {
            SignalKind::Acknowledgement => j.reply_type == ReplyType::AcknowledgementOnly,
            SignalKind::ForwardedToUnit | SignalKind::ForwardedUnnamed => j.reply_type == ReplyType::Forwarded,
            SignalKind::Deflection | SignalKind::Refusal => evasive_level > 0,
            SignalKind::GenericPromise => vague_level > 0,
            SignalKind::RuleQuote => j.reply_type == ReplyType::GenericPolicy,
            SignalKind::UnansweredQuestion | SignalKind::OffTopic => false,
        };
        let mut evidence = Vec::new();
        let mut per_kind = [0usize; 9];
        for Signal { kind, start, end } in findings.signals.iter().cloned() {
            if wanted(kind) && per_kind[kind as usize] < EVIDENCE_PER_KIND {
                per_kind[kind as usize] += 1;
                let (start, end) = reply_f.original_span(start, end);
                evidence.push(Evidence { kind, text: char_slice(reply, start, end), start, end, in_post: false });
            }
        }
        evidence.sort_by_key(|e| (e.start, e.end));
        if j.reply_type == ReplyType::OffTopic {
            let end = reply.chars().count();
            evidence.push(Evidence {
                kind: SignalKind::OffTopic,
                text: reply.to_string(),
                start: 0,
                end,
                in_post: false,
            });
        }
        if j.unanswered && evasive_level > 0 {
            for &(_, start, end) in questions.iter().take(EVIDENCE_PER_KIND) {
                let (start, end) = body_f.original_span(start, end);
                let text = char_slice(post_body, start, end);
                evidence.push(Evidence { kind: SignalKind::UnansweredQuestion, text, start, end, in_post: true });
            }
        }

        ReplyScore {
            evasive_level,
            vague_level,
            evasive_score: j.evasive_score,
            vague_score: j.vague_score,
            reply_type: j.reply_type,
            answers_question: j.answers_question,
            evidence,
        }
    }
}
