//! Which lexicon patterns cannot match a reply, known from one pass over it.
//!
//! Most patterns need words that most replies lack: a closing offer needs "如…" and "疑问 / 问题
//! …" and "咨询 / 联系 …", a refusal of remit needs "职权 / 职责 …". The regex engine looks only
//! for a pattern's first words, and runs its automaton from every place they occur. Here each
//! pattern's required words are read off its text once ([`required_words`]): a list of groups, one
//! word of each group in any match. One Aho-Corasick pass over the reply finds which words occur
//! ([`WordsPresent`]); a pattern one of whose groups is absent is not run at all. The matches of
//! the patterns that run are the regex's own, so the judgement cannot change.
//!
//! The reading is conservative: what it does not understand (classes, escapes other than an
//! escaped punctuation mark, flags) requires nothing.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};

/// One element of a pattern and what a match needs of it.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    /// a literal character, joined with its literal neighbours into a word
    Char(char),
    /// groups of words, one of each needed (none: nothing known is needed)
    Needs(Vec<Vec<String>>),
}

/// The words a match of `pattern` must contain: one of each group. Empty when nothing is known.
pub(crate) fn required_words(pattern: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = pattern.chars().collect();
    if pattern.contains("(?") && chars.windows(3).any(|w| w[0] == '(' && w[1] == '?' && !matches!(w[2], ':' | 'P')) {
        return Vec::new(); // flags such as (?i) change what a literal matches
    }
    let mut at = 0;
    match alternatives(&chars, &mut at) {
        Some(alts) if at == chars.len() && alts.len() == 1 => groups_of(&alts[0]),
        Some(alts) if at == chars.len() => one_of(&alts).map(|g| vec![g]).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The groups of a sequence: each run of literal characters is a word, each group a group.
fn groups_of(sequence: &[Part]) -> Vec<Vec<String>> {
    let mut groups = Vec::new();
    let mut word = String::new();
    for part in sequence {
        match part {
            Part::Char(c) => word.push(*c),
            Part::Needs(needs) => {
                if !word.is_empty() {
                    groups.push(vec![std::mem::take(&mut word)]);
                }
                groups.extend(needs.iter().cloned());
            }
        }
    }
    if !word.is_empty() {
        groups.push(vec![word]);
    }
    groups
}

/// The words of an alternation: the longest word of each alternative's most telling group;
/// `None` when an alternative requires nothing.
fn one_of(alternatives: &[Vec<Part>]) -> Option<Vec<String>> {
    let mut words = Vec::new();
    for sequence in alternatives {
        let groups = groups_of(sequence);
        // the group whose shortest word is longest: the rarest to find
        let best = groups.into_iter().max_by_key(|g| g.iter().map(|w| w.chars().count()).min().unwrap_or(0))?;
        words.extend(best);
    }
    words.sort();
    words.dedup();
    Some(words)
}

/// Parses alternatives up to a `)` or the end; `None` on anything not understood.
fn alternatives(chars: &[char], at: &mut usize) -> Option<Vec<Vec<Part>>> {
    let mut alts = vec![Vec::new()];
    while *at < chars.len() {
        let c = chars[*at];
        let part = match c {
            ')' => break,
            '|' => {
                *at += 1;
                alts.push(Vec::new());
                continue;
            }
            '(' => {
                *at += 1;
                if chars.get(*at) == Some(&'?') {
                    match chars.get(*at + 1) {
                        Some(':') => *at += 2,
                        Some('P') => {
                            let close = chars[*at..].iter().position(|&c| c == '>')?;
                            *at += close + 1;
                        }
                        _ => return None,
                    }
                }
                let inner = alternatives(chars, at)?;
                if chars.get(*at) != Some(&')') {
                    return None;
                }
                *at += 1;
                match inner.len() {
                    1 => Part::Needs(groups_of(&inner[0])),
                    _ => Part::Needs(one_of(&inner).into_iter().collect()),
                }
            }
            '[' => {
                *at += 1;
                if chars.get(*at) == Some(&'^') {
                    *at += 1;
                }
                // a `]` first in the class is a member, an escaped one anywhere
                let mut first = true;
                while *at < chars.len() && (first || chars[*at] != ']') {
                    *at += if chars[*at] == '\\' { 2 } else { 1 };
                    first = false;
                }
                *at += 1;
                Part::Needs(Vec::new())
            }
            '\\' => {
                let escaped = *chars.get(*at + 1)?;
                *at += 2;
                if escaped.is_ascii_punctuation() {
                    Part::Char(escaped)
                } else {
                    Part::Needs(Vec::new())
                }
            }
            '.' | '^' | '$' => {
                *at += 1;
                Part::Needs(Vec::new())
            }
            '?' | '*' | '+' | '{' | ']' | '}' => return None,
            c => {
                *at += 1;
                Part::Char(c)
            }
        };
        let optional = quantifier(chars, at)?;
        let sequence = alts.last_mut().expect("one alternative at least");
        match (optional, part) {
            (Some(true), _) => sequence.push(Part::Needs(Vec::new())),
            // a repeated character: itself once at least, but not a word with its neighbours
            (Some(false), Part::Char(c)) => sequence.push(Part::Needs(vec![vec![c.to_string()]])),
            (_, part) => sequence.push(part),
        }
    }
    Some(alts)
}

/// Reads a quantifier after an element: `None` (the pattern is not understood), `Some(None)` for
/// none, `Some(Some(optional))` for one, `optional` when it allows zero repetitions.
fn quantifier(chars: &[char], at: &mut usize) -> Option<Option<bool>> {
    let optional = match chars.get(*at) {
        Some('?') | Some('*') => true,
        Some('+') => false,
        Some('{') => {
            let close = chars[*at..].iter().position(|&c| c == '}')? + *at;
            let body: String = chars[*at + 1..close].iter().collect();
            let min: usize = body.split(',').next()?.trim().parse().ok()?;
            *at = close;
            min == 0
        }
        _ => return Some(None),
    };
    *at += 1;
    if chars.get(*at) == Some(&'?') {
        *at += 1; // lazy
    }
    Some(Some(optional))
}

/// The required words of many patterns, found in a text in one pass.
pub(crate) struct WordsPresent {
    automaton: Option<AhoCorasick>,
    words: usize,
}

/// For one pattern: its groups, as indexes of words in [`WordsPresent`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Needs(Vec<Vec<usize>>);

impl Needs {
    /// Whether every group has a word among `present`.
    pub fn met(&self, present: &[bool]) -> bool {
        self.0.iter().all(|group| group.iter().any(|&w| present[w]))
    }
}

/// Collects the words of patterns and hands out each pattern's [`Needs`].
#[derive(Default)]
pub(crate) struct WordsBuilder {
    words: Vec<String>,
}

impl WordsBuilder {
    pub fn needs(&mut self, pattern: &str) -> Needs {
        let groups = required_words(pattern);
        Needs(
            groups
                .into_iter()
                .map(|group| {
                    group
                        .into_iter()
                        .map(|w| match self.words.iter().position(|k| *k == w) {
                            Some(i) => i,
                            None => {
                                self.words.push(w);
                                self.words.len() - 1
                            }
                        })
                        .collect()
                })
                .collect(),
        )
    }

    pub fn build(self) -> WordsPresent {
        let automaton = (!self.words.is_empty())
            .then(|| AhoCorasickBuilder::new().build(&self.words).expect("an automaton of a few hundred words"));
        WordsPresent { automaton, words: self.words.len() }
    }
}

impl WordsPresent {
    /// Which words occur in `text`, by index.
    pub fn find(&self, text: &str) -> Vec<bool> {
        let mut present = vec![false; self.words];
        if let Some(automaton) = &self.automaton {
            for m in automaton.find_overlapping_iter(text) {
                present[m.pattern().as_usize()] = true;
            }
        }
        present
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pattern: &str, expected: &[&[&str]]) {
        let expected: Vec<Vec<String>> = expected.iter().map(|g| g.iter().map(|w| w.to_string()).collect()).collect();
        assert_eq!(required_words(pattern), expected, "{pattern}");
    }

    #[test]
    fn literals_and_groups_are_required_optional_parts_are_not() {
        check("谢谢[^。!;,]{0,12}(?:[。!;,]|$)", &[&["谢谢"]]);
        check("(?:特此|此)(?:回复|答复|函复|说明)[。!]?", &[&["此", "特此"], &["函复", "回复", "答复", "说明"]]);
        check("(?:已|均已)?(?:收悉|获悉)[。!,;]?", &[&["收悉", "获悉"]]);
        check("不归(?:我|本)[^,。!;]{0,6}管(?:辖|理)?", &[&["不归"], &["我", "本"], &["管"]]);
        check("[0-9]{1,2}月[0-9]{1,2}日", &[&["月"], &["日"]]);
        check("(?:一|两)+(?:户|名)", &[&["一", "两"], &["名", "户"]]);
        check("第[0-9一二三]+条", &[&["第"], &["条"]]);
    }

    #[test]
    fn an_alternative_that_needs_nothing_makes_its_group_need_nothing() {
        check("(?:年底|[0-9]+(?:天|日)内)", &[&["内", "年底"]]);
        check("(?:年底|[0-9]+)天", &[&["天"]]);
        check("a|b?", &[]);
    }

    #[test]
    fn named_groups_escapes_and_lazy_repeats_are_read() {
        check("(?:已|并)转(?P<unit>[^,。!;]{1,30}?)(?:办理|[,。]|$)", &[&["已", "并"], &["转"]]);
        check("[0-9]+(?:\\.[0-9]+)?(?:元|万元)", &[&["万元", "元"]]);
        check("[〔\\[(【][0-9]{4}[〕\\])】][0-9]+号", &[&["号"]]);
        check("ab{2,3}c", &[&["a"], &["b"], &["c"]]);
        check("ab{0,3}c", &[&["a"], &["c"]]);
    }

    #[test]
    fn flags_are_not_read() {
        check("(?i)abc", &[]);
    }

    #[test]
    fn a_pattern_runs_only_where_its_words_are() {
        let mut builder = WordsBuilder::default();
        let needs = builder.needs("(?:特此|此)(?:回复|答复)");
        let present = builder.build();
        assert!(needs.met(&present.find("特此答复。")));
        assert!(!needs.met(&present.find("此致敬礼")));
        assert!(!needs.met(&present.find("回复如下")));
    }
}
