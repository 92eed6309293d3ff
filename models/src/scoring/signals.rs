//! Finding the signals of one reply: which parts are courtesy, receipt, forwarding, deflection or
//! refusal, and what the rest (the content) holds — promises, facts, answers, the post's terms.
//!
//! Everything is compiled once in [`Matchers::new`]; a reply costs a handful of regex scans and
//! one Aho-Corasick pass, no segmentation.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexBuilder};

use super::coverage::Demand;
use super::lexicon::{Lexicon, LexiconError};
use super::normalize::{fold, is_content_char, Folded};
use super::questions::Questions;
use super::terms::TermSet;
use super::SignalKind;

/// What a stretch of the reply is; everything not content is ignored when judging substance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Content,
    Courtesy,
    Acknowledgement,
    Forwarding,
    Deflection,
    Refusal,
}

/// Categories of a lexicon phrase (one phrase may be in several lists).
mod cat {
    pub const GENERIC: u16 = 1;
    pub const ACTION: u16 = 1 << 1;
    pub const RULE: u16 = 1 << 2;
    pub const ANSWER_YES_NO: u16 = 1 << 3;
    pub const ANSWER_REASON: u16 = 1 << 4;
    pub const ANSWER_HOW: u16 = 1 << 5;
    pub const REFUSAL: u16 = 1 << 6;
    pub const REASON: u16 = 1 << 7;
    pub const DEFERRAL: u16 = 1 << 8;
    pub const OUTCOME: u16 = 1 << 9;
}

/// Kinds of question a post asks.
pub(crate) mod ask {
    pub const YES_NO: u8 = 1;
    pub const WHEN: u8 = 1 << 1;
    pub const AMOUNT: u8 = 1 << 2;
    pub const REASON: u8 = 1 << 3;
    pub const HOW: u8 = 1 << 4;
    /// asked where to go or whom to ask (a `HOW` question too)
    pub const WHERE: u8 = 1 << 5;
    /// the direct questions: a reply is held to their answers ("how" is too loose to be)
    pub const DIRECT: u8 = YES_NO | WHEN | AMOUNT | REASON;
}

/// A signal found, as a byte span of the folded reply (or post).
#[derive(Debug, Clone)]
pub(crate) struct Signal {
    pub kind: SignalKind,
    pub start: usize,
    pub end: usize,
}

/// What the judge needs to know about one reply.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub signals: Vec<Signal>,
    pub content_chars: usize,
    /// the folded reply with every part that is not content blanked to a space (phrase model)
    pub content: String,
    pub forwarded_named: bool,
    pub forwarded_unnamed: bool,
    pub deflection: bool,
    pub deflection_generic: bool,
    /// the deflection says the matter is outside the unit's remit
    pub outside_remit: bool,
    /// asked how (not where or whom), the citizen is sent to ask a named office
    /// ("请致电省律师协会咨询"): where the answer may be had, not the answer
    pub sent_to_ask: bool,
    pub refusal_without_reason: bool,
    pub promises: u32,
    /// promises to study or consider the matter later
    pub deferrals: u32,
    pub actions: u32,
    /// signs that something was found or done
    pub outcomes: u32,
    pub rules: u32,
    pub dates: u32,
    pub amounts: u32,
    pub documents: u32,
    pub place_units: u32,
    /// procedures given ("持驾驶证到车管所办理"); of them, directions: pointers given to a "how"
    pub procedures: u32,
    pub directions: u32,
    pub answers: u8,
    pub reply_terms: usize,
    pub shared_terms: usize,
    /// the post's demands (see `coverage`) and which of them the reply's content talks about
    pub demands: u32,
    pub demands_covered: u32,
    /// byte spans (in the folded post) of the demands left uncovered
    pub uncovered: Vec<(usize, usize)>,
    /// what each byte of the folded reply is (kept for [`Findings::content_runs`])
    roles: Vec<Role>,
}

impl Findings {
    /// The byte spans of the reply's content (`text`, the folded reply these were found in),
    /// each a run between the parts that are not content, trimmed of anything that is not a
    /// content character (punctuation, spaces); runs with no content character are left out.
    /// What is quoted when nothing in the reply was matched; made only then (see `conclude`).
    pub fn content_runs(&self, text: &str) -> Vec<(usize, usize)> {
        let mut runs = Vec::new();
        let mut run: Option<(usize, usize)> = None;
        for (i, c) in text.char_indices() {
            if self.roles[i] != Role::Content {
                runs.extend(run.take());
            } else if is_content_char(c) {
                let end = i + c.len_utf8();
                run = Some(run.map_or((i, end), |(start, _)| (start, end)));
            }
        }
        runs.extend(run);
        runs
    }

    /// `start..end` of `text` (the folded reply) without what leads it that is not content: a
    /// clause quoted from its start ("“UU008421”为切实规范…") shows the promise, not the salutation
    /// blanked before it.
    pub fn without_leading_courtesy(&self, text: &str, start: usize, end: usize) -> (usize, usize) {
        let first_content = text[start..end]
            .char_indices()
            .find(|&(i, c)| self.roles[start + i] == Role::Content && !c.is_whitespace())
            .map_or(start, |(i, _)| start + i);
        (first_content, end)
    }
}

pub(crate) struct Matchers {
    courtesy: PatternList,
    courtesy_clauses: PatternList,
    closings: PatternList,
    full_date: PatternList,
    signature_suffixes: Vec<String>,
    acknowledgement: PatternList,
    acknowledgement_clauses: PatternList,
    forwarding: Vec<Regex>,
    forwarding_markers: Vec<String>,
    unit_words: Vec<String>,
    generic_units: Vec<String>,
    generic_after_unit: Vec<String>,
    self_units: Vec<String>,
    deflection: PatternList,
    generic_targets: Vec<String>,
    outside_remit: Vec<String>,
    remit_words: Vec<String>,
    asking: Vec<String>,
    phrases: AhoCorasick,
    phrase_cats: Vec<u16>,
    dates: PatternList,
    amounts: PatternList,
    documents: PatternList,
    place_units: PatternList,
    procedures: PatternList,
    conditions: Vec<String>,
    /// which sentences of a post ask or demand something
    pub questions: Questions,
    pub common: TermSet,
}

/// A list of patterns, each its own regex: one alternation of them all would lose each pattern's
/// literal prefilter and run many times slower.
pub(crate) struct PatternList(pub(crate) Vec<Regex>);

/// The pattern lists of the lexicon, as [`Scan`] keeps their matches.
#[derive(Debug, Clone, Copy)]
enum List {
    Closings,
    Deflection,
    AcknowledgementClauses,
    Acknowledgement,
    CourtesyClauses,
    Courtesy,
    FullDate,
    Dates,
    Amounts,
    Documents,
    PlaceUnits,
    Procedures,
}

const LISTS: usize = List::Procedures as usize + 1;

impl List {
    const ALL: [List; LISTS] = [
        List::Closings,
        List::Deflection,
        List::AcknowledgementClauses,
        List::Acknowledgement,
        List::CourtesyClauses,
        List::Courtesy,
        List::FullDate,
        List::Dates,
        List::Amounts,
        List::Documents,
        List::PlaceUnits,
        List::Procedures,
    ];
}

/// Every pattern's matches in one folded reply, and every lexicon phrase in it: found for a
/// batch of replies before any of them is read ([`Matchers::scan`]).
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// byte spans of each list's matches, pattern by pattern, the lists one after another
    spans: Vec<(usize, usize)>,
    /// where each list's matches are in `spans` (by [`List`])
    ranges: [(usize, usize); LISTS],
    /// forwarding notes: the whole match and its `unit` group
    forwards: Vec<((usize, usize), (usize, usize))>,
    /// lexicon phrases (leftmost longest): start, end and the phrase's index
    phrases: Vec<(usize, usize, usize)>,
}

impl Scan {
    /// The matches of one list's patterns, pattern by pattern.
    fn spans(&self, list: List) -> impl Iterator<Item = (usize, usize)> + '_ {
        let (start, end) = self.ranges[list as usize];
        self.spans[start..end].iter().copied()
    }

    fn count(&self, list: List, keep: impl Fn(usize) -> bool) -> u32 {
        self.spans(list).filter(|&(start, _)| keep(start)).count() as u32
    }

    /// The stretches a list's patterns match where `keep` holds, each counted once:
    /// "2019年2月27日" is one date although three patterns match parts of it ("2019年2月27日",
    /// "2月27日", and "2019年" as a number of years). Overlapping matches are merged.
    fn distinct_spans(&self, list: List, keep: impl Fn(usize) -> bool) -> Vec<(usize, usize)> {
        crate::text::merge_overlapping(self.spans(list).filter(|&(start, _)| keep(start)).collect())
    }
}

/// Whether `start..end` overlaps any of the sorted, disjoint `spans`.
fn overlaps_any(spans: &[(usize, usize)], (start, end): (usize, usize)) -> bool {
    let i = spans.partition_point(|&(_, e)| e <= start);
    spans.get(i).is_some_and(|&(s, _)| s < end)
}

/// Room for each pattern's lazy DFA (bytes per thread; the regex crate's default is 2 MiB).
/// Patterns with long counted gaps ("如有[^。!;]{0,40}?…[^。!;]{0,90}?…") have more states than
/// the default holds: the cache was cleared and rebuilt over and over (a tenth of the scoring
/// CPU went to building states). A pattern only takes the room its texts visit.
const DFA_CACHE_BYTES: usize = 64 << 20;

pub(crate) fn compile(section: &'static str, patterns: &[String]) -> Result<PatternList, LexiconError> {
    let compiled = patterns
        .iter()
        .map(|p| {
            RegexBuilder::new(p).dfa_size_limit(DFA_CACHE_BYTES).build().map_err(|e| LexiconError::Pattern {
                section,
                pattern: p.clone(),
                line: None,
                message: e.to_string(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PatternList(compiled))
}

/// Longest stretch a clause formula is extended back over.
const CLAUSE_CHARS: usize = 40;

/// A clause this short ("下一步", "规范化") says nothing alone: quoted with its neighbour.
const SHORT_CLAUSE_CHARS: usize = 4;

/// The start of the clause that ends at `start`: back to the previous clause mark, at most
/// [`CLAUSE_CHARS`] characters.
fn clause_start(text: &str, start: usize) -> usize {
    let mut at = start;
    for (i, c) in text[..start].char_indices().rev().take(CLAUSE_CHARS) {
        if is_clause_mark(c) {
            break;
        }
        at = i;
    }
    at
}

/// The clause around `start..end`, without its marks: back to the previous clause mark and on
/// to the next, at most [`CLAUSE_CHARS`] characters each way. A phrase of a word or two ("加强",
/// "文件") is quoted in it as evidence: "我局将进一步加强管理" shows what "加强" promised.
/// A phrase that is (nearly) a clause of its own is quoted with the clause after it ("下一步，我们将…"),
/// or at the end of a sentence with the clause before it.
pub(crate) fn clause_around(text: &str, start: usize, end: usize) -> (usize, usize) {
    let clause_end = |from: usize| {
        let mut at = from;
        for (i, c) in text[from..].char_indices().take(CLAUSE_CHARS) {
            if is_clause_mark(c) {
                break;
            }
            at = from + i + c.len_utf8();
        }
        at
    };
    let (mut start_at, mut end_at) = (clause_start(text, start), clause_end(end));
    if text[start_at..end_at].chars().count() <= SHORT_CLAUSE_CHARS {
        if matches!(text[end_at..].chars().next(), Some(',' | ':')) {
            end_at = clause_end(end_at + 1);
        } else if text[..start_at].ends_with(',') {
            // ("…也将进一步常态化，规范化。": the clause before)
            start_at = clause_start(text, start_at - 1);
        }
    }
    (start_at, end_at)
}

fn is_clause_mark(c: char) -> bool {
    matches!(c, ',' | '。' | '!' | ';' | '?' | ':')
}

/// An automaton over phrase lists, each tagged with a category; phrases are folded first.
fn phrase_automaton<T: Copy + std::ops::BitOr<Output = T>>(
    lists: &[(&[String], T)],
) -> Result<(AhoCorasick, Vec<T>), LexiconError> {
    let mut phrases: Vec<String> = Vec::new();
    let mut cats: Vec<T> = Vec::new();
    for (list, category) in lists {
        for phrase in list.iter().map(|p| fold(p)).filter(|p| !p.is_empty()) {
            match phrases.iter().position(|p| *p == phrase) {
                Some(i) => cats[i] = cats[i] | *category,
                None => {
                    phrases.push(phrase);
                    cats.push(*category);
                }
            }
        }
    }
    // a full DFA: small for a few hundred phrases, and about twice as fast as the default NFA
    let automaton = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&phrases)
        .map_err(|e| LexiconError::Invalid(format!("phrase automaton: {e}")))?;
    Ok((automaton, cats))
}

impl Matchers {
    pub fn new(lexicon: &Lexicon) -> Result<Self, LexiconError> {
        let (phrases, phrase_cats) = phrase_automaton(&[
            (&lexicon.generic_promise.phrases[..], cat::GENERIC),
            (&lexicon.specific.actions[..], cat::ACTION),
            (&lexicon.rule.phrases[..], cat::RULE),
            (&lexicon.answers.yes_no[..], cat::ANSWER_YES_NO),
            (&lexicon.answers.reason[..], cat::ANSWER_REASON),
            (&lexicon.answers.how[..], cat::ANSWER_HOW),
            (&lexicon.refusal.phrases[..], cat::REFUSAL),
            (&lexicon.refusal.reasons[..], cat::REASON),
            (&lexicon.generic_promise.deferrals[..], cat::DEFERRAL),
            (&lexicon.specific.outcomes[..], cat::OUTCOME),
        ])?;
        let forwarding = compile("forwarding", &lexicon.forwarding.patterns)?.0;
        let folded = |list: &[String]| list.iter().map(|s| fold(s)).collect::<Vec<_>>();
        Ok(Matchers {
            courtesy: compile("courtesy", &lexicon.courtesy.patterns)?,
            courtesy_clauses: compile("courtesy", &lexicon.courtesy.clause_patterns)?,
            closings: compile("courtesy", &lexicon.courtesy.closing_patterns)?,
            full_date: PatternList(vec![Regex::new(
                r"[0-9]{4}(?:年[0-9]{1,2}月[0-9]{1,2}日?|[./-][0-9]{1,2}[./-][0-9]{1,2})",
            )
            .expect("date")]),
            signature_suffixes: folded(&lexicon.courtesy.signature_suffixes),
            acknowledgement: compile("acknowledgement", &lexicon.acknowledgement.patterns)?,
            acknowledgement_clauses: compile("acknowledgement", &lexicon.acknowledgement.clause_patterns)?,
            forwarding,
            forwarding_markers: folded(&lexicon.forwarding.markers),
            unit_words: folded(&lexicon.forwarding.unit_words),
            generic_units: folded(&lexicon.forwarding.generic_units),
            generic_after_unit: folded(&lexicon.forwarding.generic_after_unit),
            self_units: folded(&lexicon.forwarding.self_units),
            deflection: compile("deflection", &lexicon.deflection.patterns)?,
            generic_targets: folded(&lexicon.deflection.generic_targets),
            outside_remit: folded(&lexicon.deflection.outside_remit),
            remit_words: folded(&lexicon.deflection.remit_words),
            asking: folded(&lexicon.deflection.asking),
            phrases,
            phrase_cats,
            dates: compile("specific.dates", &lexicon.specific.dates)?,
            amounts: compile("specific.amounts", &lexicon.specific.amounts)?,
            documents: compile("specific.documents", &lexicon.specific.documents)?,
            place_units: compile("specific.place_units", &lexicon.specific.place_units)?,
            procedures: compile("answers.procedures", &lexicon.answers.procedures)?,
            conditions: folded(&lexicon.answers.conditions),
            questions: Questions::new(&lexicon.questions)?,
            common: TermSet::from_words(lexicon.common_terms.pairs.iter().flat_map(|l| l.split_whitespace())),
        })
    }

    fn list(&self, list: List) -> &PatternList {
        match list {
            List::Closings => &self.closings,
            List::Deflection => &self.deflection,
            List::AcknowledgementClauses => &self.acknowledgement_clauses,
            List::Acknowledgement => &self.acknowledgement,
            List::CourtesyClauses => &self.courtesy_clauses,
            List::Courtesy => &self.courtesy,
            List::FullDate => &self.full_date,
            List::Dates => &self.dates,
            List::Amounts => &self.amounts,
            List::Documents => &self.documents,
            List::PlaceUnits => &self.place_units,
            List::Procedures => &self.procedures,
        }
    }

    /// Every pattern's and phrase's matches in each of `texts` (folded replies).
    ///
    /// The texts are scanned a pattern at a time: each pattern's lazy DFA then stays in the
    /// processor's caches across the batch. Scanning each reply with every pattern in turn (the
    /// lexicon's 40 regexes, each with a DFA of its own) took about twice as long: 1.2 s against
    /// 0.63 s for 30,000 corpus replies in batches of 4,096, one core.
    pub fn scan(&self, texts: &[&str]) -> Vec<Scan> {
        let mut scans: Vec<Scan> = texts.iter().map(|_| Scan::default()).collect();
        for list in List::ALL {
            let starts: Vec<usize> = scans.iter().map(|scan| scan.spans.len()).collect();
            for regex in &self.list(list).0 {
                for (scan, text) in scans.iter_mut().zip(texts) {
                    scan.spans.extend(regex.find_iter(text).map(|m| (m.start(), m.end())));
                }
            }
            for (scan, start) in scans.iter_mut().zip(starts) {
                scan.ranges[list as usize] = (start, scan.spans.len());
            }
        }
        for regex in &self.forwarding {
            for (scan, text) in scans.iter_mut().zip(texts) {
                for caps in regex.captures_iter(text) {
                    if let (Some(whole), Some(unit)) = (caps.get(0), caps.name("unit")) {
                        scan.forwards.push(((whole.start(), whole.end()), (unit.start(), unit.end())));
                    }
                }
            }
        }
        for (scan, text) in scans.iter_mut().zip(texts) {
            scan.phrases.extend(self.phrases.find_iter(text).map(|m| (m.start(), m.end(), m.pattern().as_usize())));
        }
        scans
    }

    /// Marks the roles of the reply's parts and counts what its content holds (`asks`: [`ask`]).
    /// `scan` is the reply's [`Matchers::scan`].
    pub fn find(
        &self,
        reply: &Folded<'_>,
        scan: &Scan,
        post_terms: &TermSet,
        demands: &[Demand],
        asks: u8,
    ) -> Findings {
        let text = reply.text.as_str();
        let mut roles = vec![Role::Content; text.len()];
        let mut found = Findings::default();

        for (start, end) in scan.spans(List::Closings) {
            mark(&mut roles, start, end, Role::Courtesy);
        }
        self.find_forwarding(text, scan, &mut roles, &mut found);
        for (start, end) in scan.spans(List::Deflection) {
            if roles[start..end].iter().all(|r| *r != Role::Content) {
                continue;
            }
            // where the citizen is sent may follow the verb ("请自行咨询当地有关部门")
            let clause_end = text[end..].find([',', '。', '!', ';', '?']).map_or(text.len(), |i| end + i);
            let generic = self.generic_targets.iter().any(|g| text[start..clause_end].contains(g.as_str()));
            let outside_remit = self.outside_remit.iter().any(|w| text[start..end].contains(w.as_str()));
            // whose duty it is ("应属交通运管部门职责") states remit, not directions
            let is_remit = self.remit_words.iter().any(|w| text[start..end].contains(w.as_str()));
            if asks & ask::HOW != 0 && !generic && !outside_remit && !is_remit {
                // asked how (not where), sent to ask ("请致电西地省律师协会办公室…咨询"), not to do
                // it there: where the answer may be had, half an answer (see `judge`)
                let to_ask = self.asking.iter().any(|w| text[start..clause_end].contains(w.as_str()));
                // (after a procedure of its own, "具体问题，您可以拨打12348热线咨询" is for more)
                let procedure_besides = scan.spans(List::Procedures).any(|(s, _)| s < start || s >= clause_end);
                if to_ask && asks & ask::WHERE == 0 && !procedure_besides {
                    found.sent_to_ask = true;
                } else {
                    // asked how or where, being shown the office or the court is the answer
                    found.procedures += 1;
                    found.directions += 1;
                    found.answers |= ask::HOW;
                    continue;
                }
            }
            mark(&mut roles, start, end, Role::Deflection);
            found.deflection = true;
            found.deflection_generic |= generic;
            found.outside_remit |= outside_remit;
            found.signals.push(Signal { kind: SignalKind::Deflection, start, end });
        }
        let clauses = scan.spans(List::AcknowledgementClauses).map(|(start, end)| (clause_start(text, start), end));
        let receipts: Vec<_> = clauses.chain(scan.spans(List::Acknowledgement)).collect();
        for (start, end) in receipts {
            if mark(&mut roles, start, end, Role::Acknowledgement) {
                found.signals.push(Signal { kind: SignalKind::Acknowledgement, start, end });
            }
        }
        let part_starts = self.find_courtesy(text, scan, &mut roles);
        self.count_phrases(text, scan, &mut roles, &mut found);
        self.count_facts(text, scan, &roles, &mut found);

        let (reply_terms, shared_terms) = post_terms.overlap(text, |i| roles[i] == Role::Content, &self.common);
        found.reply_terms = reply_terms;
        found.shared_terms = shared_terms;
        found.content_chars =
            text.char_indices().filter(|&(i, c)| roles[i] == Role::Content && is_content_char(c)).count();
        if found.forwarded_named || found.forwarded_unnamed {
            answer_beside_a_forward(text, &part_starts, &roles, &mut found);
        }
        found.content = blank_all_but_content(text, &roles);
        if !demands.is_empty() {
            let mut content = TermSet::new();
            content.add_text_where(text, |i| roles[i] == Role::Content);
            for d in demands {
                if d.covered_by(&content) {
                    found.demands_covered += 1;
                } else {
                    found.uncovered.push((d.start, d.end));
                }
            }
            found.demands = demands.len() as u32;
        }
        found.roles = roles;
        found
    }

    fn find_forwarding(&self, text: &str, scan: &Scan, roles: &mut [Role], found: &mut Findings) {
        for &((start, end), (unit_start, unit_end)) in &scan.forwards {
            let unit = &text[unit_start..unit_end];
            let lead = &text[clause_start(text, start)..unit_start];
            if !self.forwarding_markers.iter().any(|m| lead.contains(m.as_str())) {
                continue;
            }
            // ("您反映的问题已转交。" has no unit at all: see the lexicon)
            let is_unit = unit.is_empty() || self.unit_words.iter().any(|w| unit.contains(w.as_str()));
            let is_self = self.self_units.iter().any(|w| unit.starts_with(w.as_str()));
            if !is_unit || is_self || !mark(roles, start, end, Role::Forwarding) {
                continue;
            }
            // "已转交部门" names no office: a unit that is only a unit word is nobody in particular
            let generic = unit.is_empty()
                || self.generic_units.iter().any(|g| unit.contains(g.as_str()) && !self.names_a_unit_before(unit, g))
                || self.unit_words.iter().any(|w| w == unit);
            let kind = if generic { SignalKind::ForwardedUnnamed } else { SignalKind::ForwardedToUnit };
            found.forwarded_unnamed |= generic;
            found.forwarded_named |= !generic;
            found.signals.push(Signal { kind, start, end });
        }
    }

    /// Whether a body is named before `generic` in a forward's unit ("市公交公司有关部门": the
    /// company's departments, a named forward, level 1) — not a place ("B6县有关部门", "市有关部门":
    /// some department of the county, as unnamed as "有关部门").
    fn names_a_unit_before(&self, unit: &str, generic: &str) -> bool {
        if !self.generic_after_unit.iter().any(|g| g == generic) {
            return false;
        }
        let Some(at) = unit.find(generic) else { return false };
        let before = unit[..at].trim_end_matches(['及', '和', '与', '或', '、', '的']);
        self.unit_words.iter().any(|w| !PLACE_WORDS.contains(&w.as_str()) && before.contains(w.as_str()))
    }

    /// Greetings, thanks, the reply's own date and the signature before it. Returns where each
    /// part after a dated sign-off starts (a reply field may hold several replies, each dated).
    fn find_courtesy(&self, text: &str, scan: &Scan, roles: &mut [Role]) -> Vec<usize> {
        let mut part_starts = Vec::new();
        let mut starts = Vec::new();
        let clauses = scan.spans(List::CourtesyClauses).map(|(start, end)| (clause_start(text, start), end));
        let formulas: Vec<_> = clauses.chain(scan.spans(List::Courtesy)).collect();
        for (start, end) in formulas {
            mark(roles, start, end, Role::Courtesy);
            starts.push(start);
        }
        for (date_start, date_end) in scan.spans(List::FullDate) {
            let after = text[date_end..].trim_start_matches(['。', '.', ')', '）', '!', ',']);
            let ends_a_part = after.is_empty()
                || starts.contains(&(text.len() - after.len()))
                || after.starts_with(['“', '"', '网', '尊'])
                || after.starts_with("UU");
            if !ends_a_part {
                continue;
            }
            if !after.is_empty() {
                part_starts.push(text.len() - after.len());
            }
            mark(roles, date_start, date_end, Role::Courtesy);
            let before = &text[..date_start];
            let run_start = before
                .char_indices()
                .rev()
                .take_while(|&(i, c)| is_content_char(c) && roles[i] == Role::Content)
                .last()
                .map_or(date_start, |(i, _)| i);
            let run = &text[run_start..date_start];
            if run.chars().count() <= 24 && self.signature_suffixes.iter().any(|s| run.ends_with(s.as_str())) {
                mark(roles, run_start, date_start, Role::Courtesy);
            }
        }
        part_starts
    }

    fn count_phrases(&self, text: &str, scan: &Scan, roles: &mut [Role], found: &mut Findings) {
        let mut refusals = Vec::new();
        let mut reasons = Vec::new();
        let titles = titles(text);
        for &(start, end, phrase) in &scan.phrases {
            let cats = self.phrase_cats[phrase];
            // (counted, as the level model was fitted, but not quoted: a document's title
            // promises nothing — "《关于加强城区专项车辆规范作业管理的通知》" — nor does what was
            // done — "已加强对金帆路的管理", "已得到妥善处理", "加强了渣土整治"; not counting it
            // moved no level of the dev set)
            let done_before = text[..start].ends_with('已') || text[..start].ends_with("已得到");
            let done_after = text[end..].starts_with('了');
            let quoted = !overlaps_any(&titles, (start, end)) && !done_before && !done_after;
            if cats & cat::REASON != 0 {
                reasons.push(start);
            }
            if roles[start] != Role::Content {
                continue;
            }
            if cats & cat::REFUSAL != 0 {
                refusals.push((start, end));
            }
            if cats & cat::GENERIC != 0 {
                found.promises += 1;
            }
            // (a promise to study or consider it later is as generic, as evidence: "将对您提出的
            // 建议进行研究"; it is counted apart, as a deferral)
            if cats & (cat::GENERIC | cat::DEFERRAL) != 0 && quoted {
                found.signals.push(Signal { kind: SignalKind::GenericPromise, start, end });
            }
            found.actions += u32::from(cats & cat::ACTION != 0);
            found.deferrals += u32::from(cats & cat::DEFERRAL != 0);
            // an action phrase that begins with 已 ("已拆除", "已于") is an outcome too: the
            // automaton reports the longest phrase, so "已" alone would not be seen there
            let done = cats & cat::ACTION != 0 && text[start..].starts_with('已');
            found.outcomes += u32::from(cats & cat::OUTCOME != 0 || done);
            if cats & cat::RULE != 0 {
                found.rules += 1;
                found.signals.push(Signal { kind: SignalKind::RuleQuote, start, end });
            }
            // (a yes or a no under a condition the reply does not check is the rule restated:
            // "如符合以下条件，可以…" answers nobody's "can I?")
            if cats & cat::ANSWER_YES_NO != 0
                && !self.under_condition(text, start, end)
                && !directs_to_ask(&text[end..])
            {
                found.answers |= ask::YES_NO;
            }
            found.answers |= if cats & cat::ANSWER_REASON != 0 { ask::REASON } else { 0 };
            found.answers |= if cats & cat::ANSWER_HOW != 0 { ask::HOW } else { 0 };
        }
        for (start, end) in refusals {
            let (s, e) = sentence_around(text, start, end);
            let reasoned = reasons.iter().any(|&r| r >= s && r < e);
            if !reasoned {
                found.refusal_without_reason = true;
                mark(roles, s, e, Role::Refusal);
                found.signals.push(Signal { kind: SignalKind::Refusal, start, end });
            }
        }
    }

    /// Whether the words at `start` sit under a condition the reply does not check ("如果你符合
    /// 以上条件", "凡…的"): the rule restated, not applied. The condition is looked for from the
    /// sentence's start up to `through` (the words may be part of it: "如符合…").
    fn under_condition(&self, text: &str, start: usize, through: usize) -> bool {
        let (sentence_start, _) = sentence_around(text, start, start);
        self.conditions.iter().any(|c| text[sentence_start..through].contains(c.as_str()))
    }

    fn count_facts(&self, text: &str, scan: &Scan, roles: &[Role], found: &mut Findings) {
        let in_content = |start: usize| roles[start] == Role::Content;
        // one stretch of text is one fact: a full date is not also a day and a number of years
        let dates = scan.distinct_spans(List::Dates, in_content);
        let amounts = scan.distinct_spans(List::Amounts, in_content);
        found.dates = dates.len() as u32;
        found.amounts = amounts.iter().filter(|&&a| !overlaps_any(&dates, a)).count() as u32;
        found.documents = scan.count(List::Documents, in_content);
        found.place_units = scan.count(List::PlaceUnits, in_content);
        let procedures =
            scan.count(List::Procedures, |start| in_content(start) && !self.under_condition(text, start, start));
        if procedures > 0 {
            // how and where to do it: the answer to "how" and to "can I …?"
            found.procedures += procedures;
            found.answers |= ask::HOW | ask::YES_NO;
        }
        if found.dates > 0 {
            found.answers |= ask::WHEN;
        }
        if found.amounts > 0 {
            found.answers |= ask::AMOUNT;
        }
    }
}

/// Whether the words after a yes or a no only send the citizen to ask elsewhere ("可以致电县教育局
/// 咨询", "可以拨打12345"): "can" there answers nothing the post asked.
fn directs_to_ask(after: &str) -> bool {
    const ASK_ELSEWHERE: [&str; 10] = ["致电", "拨打", "电话", "咨询", "联系", "关注", "查询", "登录", "留言", "来电"];
    let after = after.strip_prefix("直接").or_else(|| after.strip_prefix('再')).unwrap_or(after);
    ASK_ELSEWHERE.iter().any(|w| after.starts_with(w))
}

/// Unit words that name a place, not a body: "B6县有关部门" is some department of the county.
const PLACE_WORDS: [&str; 8] = ["市", "县", "区", "镇", "乡", "街道", "村", "社区"];

/// Content characters of a part of a reply that make it an answer of its own, beside a
/// forwarding note in another part ("我镇高度重视，经过调查了解，民投小区业主现在都能在我镇团结社区
/// 办理相关业务。" has 35).
const ANSWER_PART_CHARS: usize = 20;

/// A reply field may hold a forwarding note and, dated apart, the answer that came back — in
/// either order, as exports put the latest part first or last. The rubric judges the answer:
/// the forward is then neither judged nor quoted (a notice would otherwise blame the unit that
/// answered for the forward before it).
fn answer_beside_a_forward(text: &str, part_starts: &[usize], roles: &[Role], found: &mut Findings) {
    let is_forward = |kind: SignalKind| matches!(kind, SignalKind::ForwardedToUnit | SignalKind::ForwardedUnnamed);
    let forwards: Vec<usize> = found.signals.iter().filter(|s| is_forward(s.kind)).map(|s| s.start).collect();
    let mut bounds = Vec::with_capacity(part_starts.len() + 2);
    bounds.push(0);
    bounds.extend_from_slice(part_starts);
    bounds.push(text.len());
    let answered_apart = bounds.windows(2).any(|part| {
        let (start, end) = (part[0], part[1]);
        let content = text[start..end]
            .char_indices()
            .filter(|&(i, c)| roles[start + i] == Role::Content && is_content_char(c))
            .count();
        !forwards.iter().any(|&f| (start..end).contains(&f)) && content >= ANSWER_PART_CHARS
    });
    if answered_apart {
        found.forwarded_named = false;
        found.forwarded_unnamed = false;
        found.signals.retain(|s| !is_forward(s.kind));
    }
}

/// `text` with every character that is not content replaced by a space (runs of content are
/// copied whole).
fn blank_all_but_content(text: &str, roles: &[Role]) -> String {
    let mut content = String::with_capacity(text.len());
    let mut run = 0;
    for (i, c) in text.char_indices() {
        if roles[i] != Role::Content {
            content.push_str(&text[run..i]);
            content.push(' ');
            run = i + c.len_utf8();
        }
    }
    content.push_str(&text[run..]);
    content
}

/// The byte spans of the titles in 《…》 of a text, in order, each with its marks.
fn titles(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('《').map(|i| from + i) {
        let Some(close) = text[open..].find('》').map(|i| open + i + '》'.len_utf8()) else { break };
        spans.push((open, close));
        from = close;
    }
    spans
}

/// Marks `start..end` with `role` where it is still content; true if anything was marked.
fn mark(roles: &mut [Role], start: usize, end: usize, role: Role) -> bool {
    let mut any = false;
    for r in &mut roles[start..end] {
        if *r == Role::Content {
            *r = role;
            any = true;
        }
    }
    any
}

/// The sentence (between 。!?; marks) around `start..end`.
pub(crate) fn sentence_around(text: &str, start: usize, end: usize) -> (usize, usize) {
    let is_stop = |c: char| matches!(c, '。' | '!' | '?' | ';');
    let s = text[..start].rfind(is_stop).map_or(0, |i| i + text[i..].chars().next().map_or(1, char::len_utf8));
    let e = text[end..].find(is_stop).map_or(text.len(), |i| end + i);
    (s, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list left out of `List::ALL` would never be scanned: its matches would be silently empty.
    #[test]
    fn every_pattern_list_is_scanned_once() {
        for (i, list) in List::ALL.into_iter().enumerate() {
            assert_eq!(list as usize, i, "{list:?}");
        }
    }
}
