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
mod coverage;
mod duplicate;
mod interim;
mod judge;
mod lexicon;
mod model;
mod normalize;
mod phrases;
mod questions;
mod signals;
mod terms;

#[cfg(test)]
mod tests;

use serde::ser::{Serialize, SerializeMap, Serializer};

pub use duplicate::duplicate_key;
pub use interim::Commitment;
pub use lexicon::{Lexicon, LexiconError, DEFAULT_LEXICON};
pub use model::{LevelModel, DEFAULT_LEVEL_MODEL, FEATURES};
pub use phrases::{phrase_text, Phrases, DEFAULT_PHRASES, NGRAM_LENGTHS};

use interim::InterimMatchers;
use normalize::{char_slice, Folded};
use signals::{Matchers, Scan, Signal};
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
    /// the case is still being handled, or a deadline for its result: 正在调查处理中, 将于15个工作日内办结
    Pending,
    /// wording the level model learned from readers' labels weighs towards the level ("正在研究",
    /// "逐步"), quoted in its clause when nothing else in the reply is: a level the phrases raised
    Wording,
    /// content judged vague 2 with no phrase of any list in it ("因没有说明具体施工地址，无法查实相关
    /// 情况"), or a reply of courtesy alone ("网友：您好！2019年3月5日"): the content itself (the
    /// whole reply when it is all courtesy), quoted as having nothing specific to the post
    NothingSpecific,
}

impl SignalKind {
    pub const ALL: [SignalKind; 12] = [
        SignalKind::Acknowledgement,
        SignalKind::ForwardedToUnit,
        SignalKind::ForwardedUnnamed,
        SignalKind::Deflection,
        SignalKind::Refusal,
        SignalKind::GenericPromise,
        SignalKind::RuleQuote,
        SignalKind::UnansweredQuestion,
        SignalKind::OffTopic,
        SignalKind::Pending,
        SignalKind::Wording,
        SignalKind::NothingSpecific,
    ];

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
            SignalKind::Pending => "pending",
            SignalKind::Wording => "wording",
            SignalKind::NothingSpecific => "nothing_specific",
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
    /// The reply accepts the case without completing it (SPEC §4): a receipt, a forwarding
    /// note, or a reply that says the case is still being handled (see `interim.rs`).
    pub interim: bool,
    /// The deadline an interim reply commits the case to, if it names one.
    pub commitment: Option<Commitment>,
}

/// What the level model is given for one reply (for fitting it: `scoring_features`).
#[derive(Debug, Clone)]
pub struct LevelInputs {
    /// the features, named as in [`FEATURES`]
    pub features: Vec<(&'static str, f64)>,
    /// a bare formula or an off-topic reply: the rules' levels stand
    pub rules_alone: bool,
    /// the reply has something to show for an evasive 2 (see [`Scorer::score`])
    pub shows_evasion: bool,
    /// the reply's content as the phrase model reads it ([`phrase_text`])
    pub reply_phrases: String,
    /// the post's subject, the same way
    pub subject_phrases: String,
}

/// Scores replies; build once, share across threads.
pub struct Scorer {
    lexicon: Lexicon,
    matchers: Matchers,
    interim: InterimMatchers,
    levels: LevelModel,
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

/// Replies [`Scorer::score_all`] is best given at a time: a batch's texts and every pattern's
/// DFA fit the processor's caches (30,000 corpus replies on one core: 3.4 s one by one, 2.2 s in
/// batches of 1,024, 2.0 s of 4,096).
pub const SCORE_BATCH: usize = 2048;

/// Most pieces of evidence of one kind kept for a reply.
const EVIDENCE_PER_KIND: usize = 4;

/// Content outside a note (a receipt, a forwarding or a progress note) that makes the reply more
/// than the note (bytes of folded text: ten Chinese characters).
const ANSWER_BESIDE_A_NOTE_BYTES: usize = 30;

/// Content (characters) above which an answer cannot be only a progress note: two parts, the
/// phrase's and the commitment's, each at most two clauses of 40 characters (a short clause is
/// read with its neighbour), and the ten characters of [`ANSWER_BESIDE_A_NOTE_BYTES`].
const NOTE_ONLY_MAX_CHARS: usize = 170;

/// Where in level 2 a reply that is only a progress note sits (a bare receipt is at 1.0).
const PROGRESS_NOTE_WITHIN: f64 = 0.9;

/// Characters a deflection's quote reaches past its pattern's match to end its clause.
const DEFLECTION_QUOTE_REACH: usize = 24;

/// Longest stretch of content quoted when nothing in it was matched (characters).
const FALLBACK_QUOTE_CHARS: usize = 100;

/// Clauses quoted for the level model's wording (see `conclude`): the two heaviest.
const WORDING_QUOTES: usize = 2;

impl Scorer {
    /// A scorer for `lexicon` (already validated by [`Lexicon::from_toml_str`]; a lexicon whose
    /// public fields were edited afterwards should go through [`Scorer::try_new`]).
    pub fn new(lexicon: Lexicon) -> Self {
        Scorer::try_new(lexicon).expect("lexicon patterns were checked when it was parsed")
    }

    /// A scorer for `lexicon`, or why its patterns do not compile.
    pub fn try_new(lexicon: Lexicon) -> Result<Self, LexiconError> {
        let matchers = Matchers::new(&lexicon)?;
        let interim = InterimMatchers::new(&lexicon.interim)?;
        Ok(Scorer { lexicon, matchers, interim, levels: LevelModel::default() })
    }

    /// This scorer with another level model (see [`LevelModel::from_toml_str`]).
    pub fn with_level_model(mut self, levels: LevelModel) -> Self {
        self.levels = levels;
        self
    }

    /// What the scorer found in a reply, and the kinds of question the post asks (for tuning).
    #[cfg(test)]
    pub(crate) fn findings(&self, post_subject: &str, post_body: &str, reply: &str) -> (signals::Findings, u8) {
        let read = self.read(post_subject, post_body, reply);
        (read.findings, read.asks)
    }

    fn read<'a>(&self, post_subject: &'a str, post_body: &'a str, reply: &'a str) -> Reading<'a> {
        let reply_f = Folded::new(reply);
        let scan = self.matchers.scan(&[reply_f.text.as_str()]).pop().expect("a scan per text");
        self.read_scanned(post_subject, post_body, reply_f, &scan)
    }

    /// [`Scorer::read`] with the reply folded and scanned already.
    fn read_scanned<'a>(
        &self,
        post_subject: &'a str,
        post_body: &'a str,
        reply_f: Folded<'a>,
        scan: &Scan,
    ) -> Reading<'a> {
        let subject_f = Folded::new(post_subject);
        let body_f = Folded::new(post_body);

        let mut post_terms = TermSet::new();
        post_terms.add_text(&subject_f.text);
        post_terms.add_text(&body_f.text);
        let (subject_asks, _) = self.matchers.questions.asks(&subject_f.text);
        let body = self.matchers.questions.read(&body_f.text);
        let asks = subject_asks | body.kinds;
        let demands = coverage::demands(&body_f.text, &body.demanding, &self.matchers.common);
        let questions = body.quotes;
        let findings = self.matchers.find(&reply_f, scan, &post_terms, &demands, asks);
        let post_chars = subject_f.text.chars().count() + body_f.text.chars().count();
        let j = judge::judge(&findings, asks, post_chars, &self.lexicon);
        let (level1, level2) = (self.lexicon.levels.level1, self.lexicon.levels.level2);
        let level = |s: f64| if s >= level2 { 2 } else { u8::from(s >= level1) };
        let rules = model::RuleView {
            evasive_level: level(j.evasive_score),
            vague_level: level(j.vague_score),
            specificity: j.specificity,
            unanswered: j.unanswered,
        };
        let features = model::features(&findings, asks, &rules, post_chars);
        Reading { reply_f, body_f, asks, post_chars, questions, findings, judgement: j, rules, features }
    }

    /// The features the level model weighs for this reply, named as in [`FEATURES`] (for
    /// fitting the model and for explaining a score).
    pub fn features(&self, post_subject: &str, post_body: &str, reply: &str) -> Vec<(&'static str, f64)> {
        let read = self.read(post_subject, post_body, reply);
        FEATURES.into_iter().zip(read.features).collect()
    }

    /// Everything the level model is given for this reply (for fitting it).
    pub fn level_inputs(&self, post_subject: &str, post_body: &str, reply: &str) -> LevelInputs {
        let read = self.read(post_subject, post_body, reply);
        LevelInputs {
            features: FEATURES.into_iter().zip(read.features).collect(),
            rules_alone: self.rules_alone(&read.findings, &read.judgement),
            shows_evasion: read.shows_evasion(),
            reply_phrases: phrase_text(&read.findings.content),
            subject_phrases: phrase_text(post_subject),
        }
    }

    /// A bare formula or a reply about something else is what the rules say it is: the level
    /// model is not asked.
    fn rules_alone(&self, findings: &signals::Findings, j: &judge::Judgement) -> bool {
        findings.content_chars < self.lexicon.levels.min_content_chars || j.reply_type == ReplyType::OffTopic
    }

    /// The first of the lexicon's advice words (`[deflection] advice`) in the content of `text`.
    fn advice_in(&self, findings: &signals::Findings, text: &str) -> Option<(usize, usize)> {
        let words = &self.lexicon.deflection.advice;
        findings.content_runs(text).into_iter().find_map(|(start, end)| {
            let run = &text[start..end];
            let found = words.iter().filter_map(|w| run.find(w.as_str()).map(|at| (at, w.len()))).min();
            found.map(|(at, len)| (start + at, start + at + len))
        })
    }

    /// Whether this reply's levels come from the rules alone (see [`Scorer::features`]).
    pub fn judged_by_rules_alone(&self, post_subject: &str, post_body: &str, reply: &str) -> bool {
        let read = self.read(post_subject, post_body, reply);
        self.rules_alone(&read.findings, &read.judgement)
    }

    /// Judges `reply` against the post it answers.
    pub fn score(&self, post_subject: &str, post_body: &str, reply: &str) -> ReplyScore {
        let read = self.read(post_subject, post_body, reply);
        self.conclude(read, post_body, reply)
    }

    /// Judges each `(post_subject, post_body, reply)` of `replies`, as [`Scorer::score`] would one
    /// by one, in less time for a batch of a thousand or more: the replies are scanned a pattern
    /// at a time, not a reply at a time.
    pub fn score_all(&self, replies: &[(&str, &str, &str)]) -> Vec<ReplyScore> {
        let folded: Vec<Folded> = replies.iter().map(|&(_, _, reply)| Folded::new(reply)).collect();
        let texts: Vec<&str> = folded.iter().map(|f| f.text.as_str()).collect();
        let scans = self.matchers.scan(&texts);
        folded
            .into_iter()
            .zip(scans)
            .zip(replies)
            .map(|((reply_f, scan), &(post_subject, post_body, reply))| {
                let read = self.read_scanned(post_subject, post_body, reply_f, &scan);
                self.conclude(read, post_body, reply)
            })
            .collect()
    }

    /// The levels, type and evidence of what was read.
    fn conclude(&self, read: Reading<'_>, post_body: &str, reply: &str) -> ReplyScore {
        let Reading { reply_f, body_f, asks, post_chars, questions, findings, judgement: j, rules, features } = read;
        let fixed = self.rules_alone(&findings, &j);
        let (mut evasive_level, mut vague_level) = (rules.evasive_level, rules.vague_level);
        let (mut evasive_score, mut vague_score) = (j.evasive_score, j.vague_score);
        let mut reply_type = j.reply_type;
        if !fixed {
            let phrases = &self.levels.phrases;
            let (e_phrases, v_phrases) = if phrases.is_empty() { (0.0, 0.0) } else { phrases.score(&findings.content) };
            let (e, e_within) = self.levels.evasive.predict(&features, e_phrases);
            let (v, v_within) = self.levels.vague.predict(&features, v_phrases);
            let shows_evasion = shows_evasion(&findings, &j, &rules);
            let (e, e_within) = if e == 2 && !shows_evasion { (1, 1.0) } else { (e, e_within) };
            // the rubric's hard cases keep the rules' levels (their scores too: see below)
            let (e, v) = model::rubric_overrides(
                (e, v),
                &findings,
                asks,
                &rules,
                j.reply_type,
                post_chars,
                &self.lexicon.levels,
            );
            // A reply that dodges the core question is not specific where it matters: its key
            // part is missing, so it is at least mixed (readers' labels agree: 298 of the 311
            // evasive replies of the tuning files are vague 1 or 2). It comes after the
            // overrides (a date kept at vague 0 included) and is not part of `fit_levels.py`'s
            // fit: the vague model is fitted without it.
            let (v, v_within) = if e >= 1 && v == 0 { (1, 0.0) } else { (v, v_within) };
            // where the model agrees with the rules, their finer score within the level stands
            if e != rules.evasive_level {
                evasive_score = judge::band(e, e_within, &self.lexicon);
            }
            if v != rules.vague_level {
                vague_score = judge::band(v, v_within, &self.lexicon);
            }
            (evasive_level, vague_level) = (e, v);
            reply_type = match reply_type {
                ReplyType::Partial | ReplyType::GenericPolicy if e == 0 => ReplyType::Substantive,
                ReplyType::Substantive if e > 0 => ReplyType::Partial,
                t => t,
            };
        }
        let mut answers_question = if fixed { j.answers_question } else { evasive_level == 0 && !j.unanswered };
        // Judged empty for want of content, a reply holding no receipt formula but advice to the
        // citizen is a deflection, and is quoted as one: "acknowledgement: 建议携带手电筒出行" would
        // tell a notice's reader that the unit only acknowledged receipt.
        // (a bare promise judged a receipt, "请您耐心等待，我们会尽快处理", is advised nothing)
        let advice = (reply_type == ReplyType::AcknowledgementOnly
            && findings.promises == 0
            && !findings.signals.iter().any(|s| s.kind == SignalKind::Acknowledgement))
        .then(|| self.advice_in(&findings, &reply_f.text))
        .flatten();
        if advice.is_some() {
            reply_type = ReplyType::Deflection;
        }
        // Whether the reply leaves the case open (SPEC §4), and the deadline it commits to: a
        // deflection or a refusal closes it, whatever else it says. What is only a note is
        // measured by sentence, an answer's by clause (its findings share sentences with its
        // notes).
        let around = match reply_type {
            ReplyType::Substantive => signals::clause_around,
            _ => signals::sentence_around,
        };
        let mut handling = match reply_type {
            ReplyType::Deflection | ReplyType::RefusalWithoutReason => interim::Handling::default(),
            // An answer may report a case still running ("案件正在办理中") or promise news of the
            // work it ordered ("整改情况将在6月1日前向您反馈"): it leaves this case open only when
            // the note is all it says ("经核实，此事正在处理中，将于10个工作日内答复您"). A long
            // answer is not read at all: most replies are answers, and the patterns would cost a
            // tenth of scoring.
            ReplyType::Substantive if findings.content_chars > NOTE_ONLY_MAX_CHARS => interim::Handling::default(),
            ReplyType::Substantive => {
                let handling = self.interim.read(&reply_f.text);
                match only_a_progress_note(&findings, &reply_f.text, &handling, around) {
                    true => handling,
                    false => interim::Handling::default(),
                }
            }
            _ => self.interim.read(&reply_f.text),
        };
        let note_type = matches!(reply_type, ReplyType::AcknowledgementOnly | ReplyType::Forwarded);
        if !note_type {
            // An answer with a receipt or forwarding note beside it ("经核实，… 。您的留言已经收到！
            // 并已将您反映的情况转交相关部门进行处理，处理情况会向您反馈"): exports put an earlier
            // note in the same field as the answer that followed it. The note's "result to follow"
            // is that earlier note's, not this reply's — when there is content outside the note.
            let in_a_note = |&(start, end): &(usize, usize)| {
                let sentence = signals::sentence_around(&reply_f.text, start, end);
                let note = findings.signals.iter().any(|s| {
                    matches!(
                        s.kind,
                        SignalKind::Acknowledgement | SignalKind::ForwardedToUnit | SignalKind::ForwardedUnnamed
                    ) && s.start < sentence.1
                        && sentence.0 < s.end
                });
                note && content_outside(&findings, &reply_f.text, &[sentence]) >= ANSWER_BESIDE_A_NOTE_BYTES
            };
            handling.pending = handling.pending.filter(|span| !in_a_note(span));
            handling.commitment = handling.commitment.filter(|(_, span)| !in_a_note(span));
        }
        let interim = note_type || handling.pending.is_some() || handling.commitment.is_some();
        let commitment = handling.commitment.map(|(commitment, _)| commitment);
        if interim && !note_type && only_a_progress_note(&findings, &reply_f.text, &handling, around) {
            let forward = judge::bare_forward(&findings).filter(|_| findings.outcomes == 0);
            if let Some((evasive, ev_within, vague, va_within)) = forward {
                // "已转A5区城管局调查处理，目前正在处理中": a forwarding note that says the unit it
                // went to is at work, judged as the note is without it
                reply_type = ReplyType::Forwarded;
                (evasive_level, vague_level) = (evasive, vague);
                evasive_score = judge::band(evasive, ev_within, &self.lexicon);
                vague_score = judge::band(vague, va_within, &self.lexicon);
            } else if findings.outcomes == 0 {
                // "此事正在调查处理中。": nothing found, decided or done. The rubric's "only
                // acknowledges receipt" (evasive 2, vague 2), with a promise of more: a little
                // below a bare receipt in both scores.
                reply_type = ReplyType::AcknowledgementOnly;
                (evasive_level, vague_level) = (2, 2);
                evasive_score = judge::band(2, PROGRESS_NOTE_WITHIN, &self.lexicon);
                vague_score = judge::band(2, PROGRESS_NOTE_WITHIN, &self.lexicon);
            } else if evasive_level == 0 {
                // "已安排专人调查核实，正在处理中": a step taken, no result yet — like a forward to
                // a named unit, the rubric's evasive 1, at least vague 1
                reply_type = ReplyType::Partial;
                evasive_level = 1;
                evasive_score = judge::band(1, PROGRESS_NOTE_WITHIN, &self.lexicon);
                if vague_level == 0 {
                    vague_level = 1;
                    vague_score = judge::band(1, 0.0, &self.lexicon);
                }
            }
            answers_question = false;
        }

        let wanted = |kind: SignalKind| match kind {
            SignalKind::Acknowledgement => reply_type == ReplyType::AcknowledgementOnly,
            SignalKind::ForwardedToUnit | SignalKind::ForwardedUnnamed => reply_type == ReplyType::Forwarded,
            SignalKind::Deflection | SignalKind::Refusal => evasive_level > 0,
            SignalKind::GenericPromise => vague_level > 0,
            SignalKind::RuleQuote => reply_type == ReplyType::GenericPolicy,
            SignalKind::UnansweredQuestion
            | SignalKind::OffTopic
            | SignalKind::Pending
            | SignalKind::Wording
            | SignalKind::NothingSpecific => false,
        };
        let mut spans: Vec<(SignalKind, usize, usize)> = findings
            .signals
            .iter()
            .filter(|s| wanted(s.kind))
            .map(|&Signal { kind, start, end }| match kind {
                // a promise, a rule or a refusal of a word or two is quoted in its clause
                SignalKind::GenericPromise | SignalKind::RuleQuote | SignalKind::Refusal => {
                    let (start, end) = signals::clause_around(&reply_f.text, start, end);
                    let (start, end) = findings.without_leading_courtesy(&reply_f.text, start, end);
                    (kind, start, end)
                }
                // where the citizen is sent is quoted to the end of its clause: the pattern stops
                // at the first unit word, "你要咨询你户口所|在地的县市区民政局"
                SignalKind::Deflection => {
                    let clause_end = signals::clause_around(&reply_f.text, start, end).1.max(end);
                    let reach = reply_f.text[end..clause_end].chars().count();
                    (kind, start, if reach <= DEFLECTION_QUOTE_REACH { clause_end } else { end })
                }
                _ => (kind, start, end),
            })
            .collect();
        if let Some((start, end)) = advice {
            let (start, end) = signals::clause_around(&reply_f.text, start, end);
            spans.push((SignalKind::Deflection, start, end));
        }
        let handling_spans = [handling.pending, handling.commitment.map(|(_, span)| span)];
        spans.extend(handling_spans.into_iter().flatten().map(|(start, end)| (SignalKind::Pending, start, end)));
        // one quote of a kind for what overlaps (a rule's clause found from two of its words),
        // and at most EVIDENCE_PER_KIND of each kind, the first in the reply
        spans.sort_by_key(|&(kind, start, end)| (kind as usize, start, end));
        spans.dedup_by(|next, kept| {
            let overlaps = next.0 == kept.0 && next.1 < kept.2;
            if overlaps {
                kept.2 = kept.2.max(next.2);
            }
            overlaps
        });
        // (sorted by kind: each kind's quotes are one run)
        let mut run: (Option<SignalKind>, usize) = (None, 0);
        spans.retain(|&(kind, _, _)| {
            if run.0 != Some(kind) {
                run = (Some(kind), 0);
            }
            run.1 += 1;
            run.1 <= EVIDENCE_PER_KIND
        });
        let published = evasive_level == 2 || vague_level == 2;
        if published && spans.is_empty() && !reply_f.text.is_empty() {
            // Judged empty with nothing matched ("网友：您好！2019年3月5日", "请联系8177025核实相关
            // 情况"): the content is the evidence, or the whole reply when it is all courtesy, so
            // that no published flag comes without a quote. It is quoted as saying nothing
            // specific, not as a receipt: no receipt formula matched, and a notice that called a
            // bare date "仅告知收悉" would misquote the unit.
            if reply_type == ReplyType::AcknowledgementOnly || vague_level == 2 {
                let mut runs = findings.content_runs(&reply_f.text);
                if runs.is_empty() {
                    runs.push((0, reply_f.text.len()));
                }
                let quoted = |(start, end): (usize, usize)| {
                    let end = normalize::quote_end(&reply_f.text, start, end, FALLBACK_QUOTE_CHARS);
                    (SignalKind::NothingSpecific, start, end)
                };
                spans.extend(runs.iter().take(EVIDENCE_PER_KIND).copied().map(quoted));
            }
        }
        let mut evidence: Vec<Evidence> = spans
            .into_iter()
            .map(|(kind, start, end)| {
                let (start, end) = reply_f.original_span(start, end);
                Evidence { kind, text: char_slice(reply, start, end), start, end, in_post: false }
            })
            .collect();
        let quoted = evidence.iter().any(|e| e.kind != SignalKind::Pending);
        if !fixed && !quoted && (evasive_level > 0 || vague_level > 0) {
            // Nothing matched, the level was the model's: its heaviest phrases towards the higher
            // of the two levels are quoted in their clauses, so that no level above 0 comes
            // without a quote (a reviewer found 57 of 606 real replies at vague 1 or 2 with none).
            let runs = findings.content_runs(&reply_f.text);
            let towards_evasive = evasive_level > vague_level;
            // each clause weighs what its phrases weigh, the heaviest first
            let mut clauses: Vec<((usize, usize), f32)> = Vec::new();
            for (start, end, weight) in self.levels.phrases.weighing_spans(&reply_f.text, &runs, towards_evasive) {
                let clause = signals::clause_around(&reply_f.text, start, end);
                let clause = findings.without_leading_courtesy(&reply_f.text, clause.0, clause.1);
                match clauses.iter_mut().find(|c| c.0 == clause) {
                    Some(c) => c.1 += weight,
                    None => clauses.push((clause, weight)),
                }
            }
            clauses.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for &((start, end), _) in clauses.iter().take(WORDING_QUOTES) {
                let end = normalize::quote_end(&reply_f.text, start, end, FALLBACK_QUOTE_CHARS);
                let (start, end) = reply_f.original_span(start, end);
                evidence.push(Evidence {
                    kind: SignalKind::Wording,
                    text: char_slice(reply, start, end),
                    start,
                    end,
                    in_post: false,
                });
            }
        }
        evidence.sort_by_key(|e| (e.start, e.end));
        if reply_type == ReplyType::OffTopic {
            let end = reply.chars().count();
            evidence.push(Evidence {
                kind: SignalKind::OffTopic,
                text: reply.to_string(),
                start: 0,
                end,
                in_post: false,
            });
        }
        if evasive_level > 0 {
            // the demands the reply does not talk about, then question words the rules found
            // unanswered (outside those demands)
            let mut open: Vec<(usize, usize)> = findings.uncovered.clone();
            if j.unanswered {
                let inside = |s: usize| findings.uncovered.iter().any(|&(a, b)| a <= s && s < b);
                open.extend(questions.iter().map(|&(_, s, e)| (s, e)).filter(|&(s, _)| !inside(s)));
            }
            for (start, end) in open.into_iter().take(EVIDENCE_PER_KIND) {
                let (start, end) = body_f.original_span(start, end);
                let text = char_slice(post_body, start, end);
                evidence.push(Evidence { kind: SignalKind::UnansweredQuestion, text, start, end, in_post: true });
            }
        }

        ReplyScore {
            evasive_level,
            vague_level,
            evasive_score,
            vague_score,
            reply_type,
            answers_question,
            evidence,
            interim,
            commitment,
        }
    }
}

/// Whether a reply the interim patterns matched holds nothing but the note: its content outside
/// the sentences (or clauses: `around`) of the "being handled" phrase, of the commitment and of
/// the steps the note reports is under [`ANSWER_BESIDE_A_NOTE_BYTES`].
fn only_a_progress_note(
    findings: &signals::Findings,
    text: &str,
    handling: &interim::Handling,
    around: fn(&str, usize, usize) -> (usize, usize),
) -> bool {
    let spans = [handling.pending, handling.commitment.map(|(_, span)| span)];
    let note: Vec<(usize, usize)> = spans.into_iter().flatten().map(|(start, end)| around(text, start, end)).collect();
    // the steps a note reports ("我们已安排专人调查核实，目前正在处理中") are part of it
    let steps = handling.steps.iter().map(|&(start, end)| around(text, start, end));
    let parts: Vec<(usize, usize)> = note.iter().copied().chain(steps).collect();
    !note.is_empty() && content_outside(findings, text, &parts) < ANSWER_BESIDE_A_NOTE_BYTES
}

/// Bytes of the reply's content (folded text) outside all of `spans`.
fn content_outside(findings: &signals::Findings, text: &str, spans: &[(usize, usize)]) -> usize {
    let covered = |byte: usize| spans.iter().any(|&(from, to)| from <= byte && byte < to);
    findings.content_runs(text).into_iter().flat_map(|(start, end)| start..end).filter(|&b| !covered(b)).count()
}

/// Whether a reply has something to show for an evasive 2 from the level model: a formula, a
/// rule quoted, a question or demand of the post left open.
fn shows_evasion(findings: &signals::Findings, j: &judge::Judgement, rules: &model::RuleView) -> bool {
    j.unanswered
        || !findings.uncovered.is_empty()
        || findings.forwarded_unnamed
        || rules.evasive_level == 2
        || matches!(
            j.reply_type,
            ReplyType::Deflection
                | ReplyType::RefusalWithoutReason
                | ReplyType::GenericPolicy
                | ReplyType::AcknowledgementOnly
        )
}

impl Reading<'_> {
    fn shows_evasion(&self) -> bool {
        shows_evasion(&self.findings, &self.judgement, &self.rules)
    }
}

/// Everything read from one post and reply before the levels are decided.
struct Reading<'a> {
    reply_f: Folded<'a>,
    body_f: Folded<'a>,
    asks: u8,
    /// characters of the post's subject and body
    post_chars: usize,
    questions: Vec<(u8, usize, usize)>,
    findings: signals::Findings,
    judgement: judge::Judgement,
    rules: model::RuleView,
    features: model::Features,
}
