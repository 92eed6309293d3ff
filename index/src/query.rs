//! The query language of case search, and its translation into a tantivy query.
//!
//! ```text
//! 魅力之城 油烟              both words (AND is implied between terms)
//! "劳动东路 噪音"            a phrase: the words next to each other, in order
//! 油烟 OR 噪音               either
//! 油烟 NOT 烧烤  /  油烟 -烧烤   the first without the second
//! (教师 OR 老师) 招聘 面试     brackets group
//! ```
//! The operators may be written in lowercase too ("油烟 or 噪音").
//! Full-width quotes and brackets (“ ” （ ）) work like ASCII ones. A term is cut into words
//! (normal mode) and each word must appear in the subject, the body or the reply; a hit in the
//! subject counts most, one in the reply least. A number is no word of its own: it must stand
//! next to the word after it ("102路", "3号线", "5栋" are not "102" here and "路" there). The
//! words of a term next to each other, as typed, count more than the same words apart. A term
//! typed in traditional characters is also searched in simplified ones. An empty query matches
//! every case (filters alone, sorted by date).

use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use std::borrow::Cow;

use crate::analyzer::{place_code, simplified, ChineseAnalyzer};
use crate::error::{Result, SearchError};
use crate::schema::Fields;
use models::text::is_common_ideograph;

pub const MAX_QUERY_CHARS: usize = 500;
const MAX_DEPTH: usize = 16;

/// How much a match in each text field counts.
const SUBJECT_BOOST: f32 = 3.0;
const REPLY_BOOST: f32 = 0.5;
/// How much more a term's words count when they stand together as typed ("楚府中学" against
/// "楚府路 … 长郡中学"). At 2 a word in a subject outweighed the term written out in a body:
/// `违法建设` ranked "违法改建", "违法施工" and "违法出售" in their subjects above 13 of the 16
/// posts that write 违法建设 (session 36); at 4, 8 of the 10 best write it. At 6 (9 of 10) one
/// passing mention in a long body outranked posts about the topic (电梯故障, 物业不作为: an
/// analyst's review).
const TOGETHER_BOOST: f32 = 4.0;
/// How much a compound the dictionary holds counts when its parts stand apart ("拖欠…工资" for
/// "拖欠工资"), against 1 for the compound itself.
const PARTS_APART_BOOST: f32 = 0.2;

/// Words that say how a question is put, not what it is about ("楼上 噪音 怎么办", "噪音 吗"):
/// nearly every post holds them, so required they find nothing or everything. A term drops them
/// when it has other words, and a query the terms made of them alone, when it has other terms.
const QUESTION_WORDS: &str =
    "的 了 吗 呢 吧 啊 呀 么 嘛 是 在 和 与 及 或 也 都 就 还 又 很 有 我 我们 你 你们 他 她 它 这 那 \
    这个 那个 什么 怎么 怎么办 怎样 如何 为什么 为何 请问 请 谢谢 能否 是否 可否 有没有 能不能 哪里 哪儿 多少 到底";

fn is_question_word(word: &str) -> bool {
    QUESTION_WORDS.split_whitespace().any(|w| w == word)
}

/// The words of a term that say what it is about: without the question words, unless it has
/// nothing else.
fn telling_words(mut words: Vec<String>) -> Vec<String> {
    if words.iter().any(|w| !is_question_word(w)) {
        words.retain(|w| !is_question_word(w));
    }
    words
}

/// Whether a term's words are question words alone ("怎么办"), which a query with other terms
/// leaves out.
fn only_question_words(words: &[String]) -> bool {
    !words.is_empty() && words.iter().all(|w| is_question_word(w))
}

/// Whether `node` is a term of question words alone.
fn is_question_term(node: &QueryNode, analyzer: &ChineseAnalyzer) -> bool {
    matches!(node, QueryNode::Words(text) if only_question_words(&analyzer.query_words(&simplified(text))))
}

/// A parsed query, before it meets the index.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryNode {
    Words(String),
    Phrase(String),
    And(Vec<QueryNode>),
    Or(Vec<QueryNode>),
    Not(Box<QueryNode>),
}

#[derive(Debug, Clone, PartialEq)]
enum Lexeme {
    Text(String),
    Phrase(String),
    Open,
    Close,
    And,
    Or,
    Not,
    /// A `-` right before a term.
    Minus,
}

fn lex(query: &str) -> Result<Vec<Lexeme>> {
    let mut out = Vec::new();
    let mut chars = query.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '"' | '“' | '”' | '「' => {
                chars.next();
                let mut phrase = String::new();
                loop {
                    match chars.next() {
                        Some('"' | '“' | '”' | '」') => break,
                        Some(c) => phrase.push(c),
                        None => {
                            return Err(SearchError::bad_query(
                                "a quote is not closed",
                                "close the phrase with a quote, or remove the quote to search the words anywhere",
                            ))
                        }
                    }
                }
                out.push(Lexeme::Phrase(phrase));
            }
            '(' | '（' => {
                chars.next();
                out.push(Lexeme::Open);
            }
            ')' | '）' => {
                chars.next();
                out.push(Lexeme::Close);
            }
            '-' => {
                chars.next();
                let starts_term = chars.peek().is_some_and(|c| !c.is_whitespace());
                if starts_term {
                    out.push(Lexeme::Minus);
                }
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '"' | '“' | '”' | '「' | '(' | '（' | ')' | '）') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                if let Some(field) = field_prefix(&word) {
                    return Err(SearchError::bad_query(
                        format!("`{field}:` is not part of the query language (its words are searched in every text)"),
                        "give the unit, region, category, kind or dates as filters (the API's parameters, the CLI's options) and only words in the query",
                    ));
                }
                // Operators in any case: "噪音 and 扰民" read as two words and "and" found nothing.
                out.push(match word.to_ascii_uppercase().as_str() {
                    "AND" | "&&" => Lexeme::And,
                    "OR" | "||" => Lexeme::Or,
                    "NOT" => Lexeme::Not,
                    _ => Lexeme::Text(word),
                });
            }
        }
    }
    Ok(out)
}

/// The field of a term written `field:value` the way other search engines take it ("unit:市环保局",
/// "kind：投诉"), which this query language would search as words and find nothing. Only the
/// names of the filters and texts count: "8:30" and "地址:劳动东路" stay words.
fn field_prefix(word: &str) -> Option<&str> {
    const FIELDS: [&str; 13] = [
        "unit", "region", "category", "kind", "from", "to", "date", "subject", "title", "body", "content", "reply",
        "id",
    ];
    let (field, value) = word.split_once([':', '：'])?;
    let known = FIELDS.iter().any(|name| field.eq_ignore_ascii_case(name));
    (known && !value.is_empty()).then_some(field)
}

/// Parses the query text; `None` for an empty query.
pub fn parse(query: &str) -> Result<Option<QueryNode>> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(SearchError::bad_query(
            format!("the query is longer than {MAX_QUERY_CHARS} characters"),
            "search for the few words that matter",
        ));
    }
    let lexemes = lex(query)?;
    if lexemes.is_empty() {
        return Ok(None);
    }
    let mut parser = Parser { lexemes, at: 0, depth: 0 };
    let node = parser.or()?;
    match parser.peek() {
        None => Ok(Some(node)),
        Some(Lexeme::Close) => Err(SearchError::bad_query("a closing bracket has no opening one", "remove it")),
        Some(other) => Err(SearchError::bad_query(format!("unexpected {other:?}"), "check the operators")),
    }
}

struct Parser {
    lexemes: Vec<Lexeme>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Lexeme> {
        self.lexemes.get(self.at)
    }

    fn next(&mut self) -> Option<Lexeme> {
        let lexeme = self.lexemes.get(self.at).cloned();
        self.at += 1;
        lexeme
    }

    fn or(&mut self) -> Result<QueryNode> {
        let mut alternatives = vec![self.and()?];
        while self.peek() == Some(&Lexeme::Or) {
            self.next();
            alternatives.push(self.and()?);
        }
        Ok(if alternatives.len() == 1 { alternatives.remove(0) } else { QueryNode::Or(alternatives) })
    }

    fn and(&mut self) -> Result<QueryNode> {
        let mut terms = Vec::new();
        loop {
            match self.peek() {
                None | Some(Lexeme::Or) | Some(Lexeme::Close) => break,
                Some(Lexeme::And) if !terms.is_empty() => {
                    self.next();
                    if matches!(self.peek(), None | Some(Lexeme::Or | Lexeme::Close | Lexeme::And)) {
                        return Err(dangling("AND"));
                    }
                }
                _ => terms.push(self.unary()?),
            }
        }
        match terms.len() {
            0 => Err(match (self.peek(), self.at.checked_sub(1).and_then(|i| self.lexemes.get(i))) {
                (Some(Lexeme::Close), Some(Lexeme::Open)) => {
                    SearchError::bad_query("empty brackets", "put words inside, or remove them")
                }
                (Some(Lexeme::Close), _) if self.depth == 0 => {
                    SearchError::bad_query("a closing bracket has no opening one", "remove it")
                }
                (None, Some(Lexeme::Open)) => SearchError::bad_query("a bracket is not closed", "close it with `)`"),
                _ => dangling("OR"),
            }),
            1 => Ok(terms.remove(0)),
            _ => Ok(QueryNode::And(terms)),
        }
    }

    fn unary(&mut self) -> Result<QueryNode> {
        match self.next() {
            Some(Lexeme::Not) | Some(Lexeme::Minus) => {
                if matches!(self.peek(), None | Some(Lexeme::Or | Lexeme::And | Lexeme::Close)) {
                    return Err(dangling("NOT"));
                }
                Ok(QueryNode::Not(Box::new(self.unary()?)))
            }
            Some(Lexeme::Text(text)) => Ok(QueryNode::Words(text)),
            Some(Lexeme::Phrase(text)) => Ok(QueryNode::Phrase(text)),
            Some(Lexeme::Open) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(SearchError::bad_query("brackets nest too deep", "use fewer brackets"));
                }
                let inner = self.or()?;
                self.depth -= 1;
                match self.next() {
                    Some(Lexeme::Close) => Ok(inner),
                    _ => Err(SearchError::bad_query("a bracket is not closed", "close it with `)`")),
                }
            }
            Some(Lexeme::And) => Err(dangling("AND")),
            Some(Lexeme::Or) => Err(dangling("OR")),
            Some(Lexeme::Close) | None => Err(dangling("NOT")),
        }
    }
}

fn dangling(operator: &str) -> SearchError {
    SearchError::bad_query(
        format!("{operator} has nothing to apply to"),
        "put a word on each side of AND / OR and after NOT, or quote the word to search it",
    )
}

/// Turns a parsed query into a tantivy query over the text fields; `None` when no term had a
/// searchable word (only punctuation).
pub(crate) fn to_tantivy(node: &QueryNode, fields: &Fields, analyzer: &ChineseAnalyzer) -> Option<Box<dyn Query>> {
    let text_fields = [(fields.subject, SUBJECT_BOOST), (fields.body, 1.0), (fields.reply, REPLY_BOOST)];
    match node {
        QueryNode::Words(text) | QueryNode::Phrase(text) => {
            let as_typed = text_query(node, text, &text_fields, analyzer);
            match simplified(text) {
                Cow::Owned(folded) => {
                    let folded = text_query(node, &folded, &text_fields, analyzer);
                    let clauses = as_typed.into_iter().chain(folded).map(|q| (Occur::Should, q)).collect();
                    boolean(clauses)
                }
                Cow::Borrowed(_) => as_typed,
            }
        }
        QueryNode::And(children) => {
            // (each term cut once: whether it is of question words alone)
            let question: Vec<bool> = children.iter().map(|child| is_question_term(child, analyzer)).collect();
            let has_telling =
                children.iter().zip(&question).any(|(child, &q)| !q && !matches!(child, QueryNode::Not(_)));
            let clauses = children
                .iter()
                .zip(question)
                .filter(|&(_, q)| !has_telling || !q)
                .filter_map(|(child, _)| match child {
                    QueryNode::Not(inner) => to_tantivy(inner, fields, analyzer).map(|q| (Occur::MustNot, q)),
                    _ => to_tantivy(child, fields, analyzer).map(|q| (Occur::Must, q)),
                })
                .collect();
            boolean(clauses)
        }
        QueryNode::Or(children) => {
            let clauses =
                children.iter().filter_map(|c| to_tantivy(c, fields, analyzer)).map(|q| (Occur::Should, q)).collect();
            boolean(clauses)
        }
        QueryNode::Not(inner) => to_tantivy(inner, fields, analyzer).map(|q| boolean_raw(vec![(Occur::MustNot, q)])),
    }
}

/// The words to mark in a hit for `node`: each group of words that must stand together, as its
/// pieces (marked where they stand together); the words a query excludes (NOT) are not marked.
pub(crate) fn marked_words(node: &QueryNode, analyzer: &ChineseAnalyzer) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    // (typed in traditional characters, the simplified words are what the texts hold)
    let searched: Vec<(Vec<String>, bool)> = searched_texts(node)
        .into_iter()
        .map(|(text, phrase)| (analyzer.query_words(&simplified(text)), phrase))
        .collect();
    let asks_more = searched.iter().any(|(words, phrase)| *phrase || !only_question_words(words));
    for (words, phrase) in searched {
        if !phrase && only_question_words(&words) && asks_more {
            continue;
        }
        let words = if phrase { words } else { telling_words(words) };
        let mut groups: Vec<Vec<String>> = if phrase {
            words.iter().map(|w| vec![w.clone()]).collect()
        } else {
            word_groups(&words).into_iter().map(<[String]>::to_vec).collect()
        };
        // a compound the dictionary holds, found with its parts apart: its parts are marked
        // there ("拖欠…工资"), each of two characters or more
        if let [word] = &words[..] {
            groups.extend(analyzer.word_parts(word).into_iter().flatten().map(|part| vec![part]));
        }
        if groups.len() > 1 {
            // the words together, as typed ("楚府中学", not only "楚府" and "中学"); a piece of one
            // character alone ("舞" of "广场舞") would be marked all over a text
            groups.retain(|group| group.len() > 1 || group[0].chars().count() > 1);
            groups.insert(0, words);
        }
        for group in groups {
            // a place code in its pieces: the data writes "J10县" and "J10 县"
            let group = match &group[..] {
                [word] => place_code(word).map_or(group.clone(), |(code, suffix)| vec![code.into(), suffix.into()]),
                _ => group,
            };
            if !out.contains(&group) {
                out.push(group);
            }
        }
    }
    out
}

/// The terms and phrases of a query that a hit matches, `(text, is a phrase)`: all but those
/// under a NOT.
pub(crate) fn searched_texts(node: &QueryNode) -> Vec<(&str, bool)> {
    match node {
        QueryNode::Words(text) => vec![(text, false)],
        QueryNode::Phrase(text) => vec![(text, true)],
        QueryNode::And(children) | QueryNode::Or(children) => children.iter().flat_map(searched_texts).collect(),
        QueryNode::Not(_) => Vec::new(),
    }
}

/// The query of one term or phrase (`node`, whose text is `text`).
fn text_query(
    node: &QueryNode,
    text: &str,
    text_fields: &[(Field, f32)],
    analyzer: &ChineseAnalyzer,
) -> Option<Box<dyn Query>> {
    let words = analyzer.query_words(text);
    if let QueryNode::Phrase(_) = node {
        return match words.len() {
            0 => None,
            // (quoted, a word is the word as written: not widened to the words it begins)
            1 => Some(word_query(text_fields, &words[0], false)),
            _ => Some(phrase_any_field(text_fields, &words)),
        };
    }
    let words = telling_words(words);
    let groups = word_groups(&words);
    let mut clauses: Vec<_> = groups
        .iter()
        .map(|group| match group {
            [word] => (Occur::Must, compound_query(text_fields, word, analyzer)),
            _ => (Occur::Must, number_any_field(text_fields, group)),
        })
        .collect();
    if groups.len() > 1 {
        clauses.push((Occur::Should, boosted(phrase_any_field(text_fields, &words), TOGETHER_BOOST)));
    }
    let together = boolean(clauses)?;
    let going_on = words_going_on(text_fields, &words, groups.len(), analyzer);
    if going_on.is_empty() {
        return Some(together);
    }
    // (only where the words as cut are not found: a text that holds them ranks as before)
    let elsewhere: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(BooleanQuery::new(going_on)) as Box<dyn Query>),
        (Occur::MustNot, together.box_clone()),
    ]));
    Some(Box::new(BooleanQuery::new(vec![
        (Occur::Should, together),
        (Occur::Should, boosted(elsewhere, GOING_ON_BOOST)),
    ])))
}

/// Where the texts may hold a term cut otherwise than the query: jieba joins an unknown name to
/// what follows in a text, and the query's own cut of it may differ. The query's words in order,
/// the last (one character) going on into a longer word ("万家丽" is cut 万家 + 丽, a text's
/// "万家丽路" 万家 + 丽路); a name the query cuts into single characters, as the start of one word
/// ("榔梨" is cut 榔 + 梨, "榔梨镇" one word); and one word cut in two, its second part going on
/// ("梅溪" in a text's "梅溪湖", cut 梅 + 溪湖). Each counts like a word going on
/// ([`GOING_ON_BOOST`]), and only where the words as cut are not found ([`text_query`]).
fn words_going_on(
    text_fields: &[(Field, f32)],
    words: &[String],
    groups: usize,
    analyzer: &ChineseAnalyzer,
) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out = Vec::new();
    // (a last word of two characters or more already goes on: see `compound_query`)
    let last_goes_on = words.last().is_some_and(|w| w.chars().count() == 1 && w.chars().all(is_common_ideograph));
    // (a number's group is already read going on: "102路" in "102路车")
    if words.len() > 1 && groups == words.len() && last_goes_on {
        out.push((Occur::Should, phrase_going_on_any_field(text_fields, words, MAX_WORDS_GOING_ON_FROM_A_WORD)));
    }
    let joined = words.concat();
    if words.len() > 1 && words.iter().all(|w| w.chars().count() == 1) && goes_on_in_texts(&joined) {
        out.push((Occur::Should, going_on_any_field(text_fields, &joined)));
    }
    // one word the dictionary does not hold (joined by the HMM), which a text may cut in two,
    // its second part going on ("梅溪" in "梅溪湖", cut 梅 + 溪湖; "松雅湖" in "松雅湖畔", 松雅 +
    // 湖畔); a word it holds (小学, 噪音) is cut as a word in the texts too
    if let [word] = words {
        if goes_on_in_texts(word) && word.chars().count() <= MAX_CHARS_CUT_APART && !analyzer.knows(word) {
            for (at, _) in word.char_indices().skip(1) {
                let parts = [word[..at].to_string(), word[at..].to_string()];
                out.push((Occur::Should, phrase_going_on_any_field(text_fields, &parts, MAX_SECOND_PARTS)));
            }
        }
    }
    out
}

/// The words of the index a word's second part may go on into, looked at, when the word is
/// looked for cut in two ([`words_going_on`]). (50 took no time off and lost cases.)
const MAX_SECOND_PARTS: u32 = 200;

/// The longest word looked for cut in two ([`words_going_on`]): place names are two to four
/// characters; a longer word is a compound, found by its parts ([`compound_query`]).
const MAX_CHARS_CUT_APART: usize = 4;

/// The words of a term in the groups that must stand together: a number and the word after it
/// (the last number of a term, the word before it).
pub(crate) fn word_groups(words: &[String]) -> Vec<&[String]> {
    let is_number = |w: &String| w.bytes().all(|b| b.is_ascii_digit());
    let mut groups = Vec::new();
    let mut start = 0;
    for end in 1..=words.len() {
        let joined_to_next = end < words.len() && is_number(&words[end - 1]);
        let joins_previous = end < words.len() && end + 1 == words.len() && is_number(&words[end]);
        if end == words.len() || !(joined_to_next || joins_previous) {
            groups.push(&words[start..end]);
            start = end;
        }
    }
    groups
}

/// One word in any of the text fields; a place code also as the data sometimes writes it, with
/// a space before its suffix ("J10 县": the words "j10" and "县"); `widened`, also where a text's
/// word goes on from it ([`goes_on_in_texts`]).
fn word_query(text_fields: &[(Field, f32)], word: &str, widened: bool) -> Box<dyn Query> {
    match place_code(word) {
        Some((code, suffix)) => {
            let apart = [code.to_string(), suffix.to_string()];
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, any_field(text_fields, word)),
                (Occur::Should, phrase_any_field(text_fields, &apart)),
            ]))
        }
        None if widened && goes_on_in_texts(word) => Box::new(BooleanQuery::new(vec![
            (Occur::Should, any_field(text_fields, word)),
            (Occur::Should, boosted(going_on_any_field(text_fields, word), GOING_ON_BOOST)),
        ])),
        None => any_field(text_fields, word),
    }
}

/// How much a word counts where jieba joined it to the characters after it ("星沙" in
/// "星沙镇泉", cut 星沙镇泉 + 塘), against the score of the word itself (some 2–10): a constant,
/// so such texts mostly come after those holding the word (not always after those holding it in
/// the reply only, which counts half), in the order of their other words.
const GOING_ON_BOOST: f32 = 0.2;

/// The longer words of the index that start with one word, looked at (星沙镇泉, 星沙中贸 …).
const MAX_WORDS_GOING_ON_FROM_A_WORD: u32 = 200;

/// Whether a word is also searched where a text's word goes on from it: a word of two or more
/// common ideographs. jieba joins an unknown place name to what follows ("星沙镇泉塘" is cut
/// 星沙镇泉 and 塘; 70 of the 362 posts naming 星沙 in the real exports), and search mode adds no
/// part that is not in its dictionary. One character would go on into everything ("镇": 镇政府,
/// 镇上 …).
fn goes_on_in_texts(word: &str) -> bool {
    word.chars().nth(1).is_some() && word.chars().all(is_common_ideograph)
}

/// The words of the index that start with `word` (itself too), in any of the text fields; each
/// matching text scores its field's boost alone (no term statistics).
fn going_on_any_field(text_fields: &[(Field, f32)], word: &str) -> Box<dyn Query> {
    let clauses = text_fields
        .iter()
        .map(|&(field, boost)| {
            let mut prefix = PhrasePrefixQuery::new(vec![Term::from_field_text(field, word)]);
            prefix.set_max_expansions(MAX_WORDS_GOING_ON_FROM_A_WORD);
            (Occur::Should, boosted(Box::new(prefix), boost))
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// One word of a term; a compound the dictionary holds also where the text writes its parts
/// apart ("拖欠工资" in "拖欠农民工工资"), ranked below the compound itself as a term's words
/// apart rank below the words together.
fn compound_query(text_fields: &[(Field, f32)], word: &str, analyzer: &ChineseAnalyzer) -> Box<dyn Query> {
    let Some(parts) = analyzer.word_parts(word) else {
        return word_query(text_fields, word, true);
    };
    let apart = parts.iter().map(|part| (Occur::Must, any_field(text_fields, part))).collect();
    // (the compound counts as before; its parts apart count a little, so that among the texts
    // without the compound those with more of its parts rank first, and the order of the texts
    // with it hardly moves)
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, word_query(text_fields, word, true)),
        (Occur::Should, boosted(Box::new(BooleanQuery::new(apart)), PARTS_APART_BOOST)),
    ]))
}

/// A number and the word after it, in any of the text fields, where the text's word may go on
/// ("102路" in "102路车", cut "102" + "路车"); a number after its word, exactly ("公交102").
fn number_any_field(text_fields: &[(Field, f32)], group: &[String]) -> Box<dyn Query> {
    if group.last().is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit())) {
        return phrase_any_field(text_fields, group);
    }
    phrase_going_on_any_field(text_fields, group, MAX_WORDS_GOING_ON)
}

/// The words next to each other, in order, the last one also where a text's word goes on from
/// it (looking at `max_expansions` such words), in any of the text fields.
fn phrase_going_on_any_field(text_fields: &[(Field, f32)], words: &[String], max_expansions: u32) -> Box<dyn Query> {
    let clauses = text_fields
        .iter()
        .map(|&(field, boost)| {
            let terms = words.iter().enumerate().map(|(i, w)| (i, Term::from_field_text(field, w)));
            let mut phrase = PhrasePrefixQuery::new_with_offset(terms.collect());
            phrase.set_max_expansions(max_expansions);
            (Occur::Should, boosted(Box::new(phrase), boost))
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// The words that start with the word after a number, looked at ("路": 路车, 路段, 路口 …).
const MAX_WORDS_GOING_ON: u32 = 1_000;

/// The words next to each other, in order, in any of the text fields.
fn phrase_any_field(text_fields: &[(Field, f32)], words: &[String]) -> Box<dyn Query> {
    let clauses = text_fields
        .iter()
        .map(|&(field, boost)| {
            let terms = words.iter().enumerate().map(|(i, w)| (i, Term::from_field_text(field, w)));
            let phrase: Box<dyn Query> = Box::new(PhraseQuery::new_with_offset(terms.collect()));
            (Occur::Should, boosted(phrase, boost))
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// The word in any of the text fields.
fn any_field(text_fields: &[(Field, f32)], word: &str) -> Box<dyn Query> {
    let clauses = text_fields
        .iter()
        .map(|&(field, boost)| {
            let term: Box<dyn Query> =
                Box::new(TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs));
            (Occur::Should, boosted(term, boost))
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if boost == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

/// A boolean query of the clauses, the single clause itself, or `None` for none.
fn boolean(mut clauses: Vec<(Occur, Box<dyn Query>)>) -> Option<Box<dyn Query>> {
    match clauses.len() {
        0 => None,
        1 if clauses[0].0 != Occur::MustNot => Some(clauses.remove(0).1),
        _ => Some(boolean_raw(clauses)),
    }
}

/// A boolean query; one made only of exclusions matches every other case (tantivy would match none).
fn boolean_raw(mut clauses: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
    if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    Box::new(BooleanQuery::new(clauses))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(node: &QueryNode) -> String {
        let join = |nodes: &[QueryNode], op: &str| nodes.iter().map(render).collect::<Vec<_>>().join(op);
        match node {
            QueryNode::Words(w) => w.clone(),
            QueryNode::Phrase(p) => format!("\"{p}\""),
            QueryNode::And(nodes) => format!("({})", join(nodes, " AND ")),
            QueryNode::Or(nodes) => format!("({})", join(nodes, " OR ")),
            QueryNode::Not(inner) => format!("NOT {}", render(inner)),
        }
    }

    /// Parses `query` and compares the fully bracketed reading (or the error) with `expected`.
    fn check(query: &str, expected: &str) {
        let actual = match parse(query) {
            Ok(Some(node)) => render(&node),
            Ok(None) => "(everything)".to_string(),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(actual, expected, "parsing {query:?}");
    }

    #[test]
    fn terms_are_joined_by_and() {
        check("魅力之城 油烟", "(魅力之城 AND 油烟)");
        check("魅力之城 AND 油烟", "(魅力之城 AND 油烟)");
        check("  ", "(everything)");
    }

    #[test]
    fn or_binds_looser_than_and() {
        check("油烟 噪音 OR 烧烤", "((油烟 AND 噪音) OR 烧烤)");
        check("(教师 OR 老师) 招聘", "((教师 OR 老师) AND 招聘)");
        check("（教师 OR 老师）招聘", "((教师 OR 老师) AND 招聘)");
    }

    #[test]
    fn not_and_minus_exclude() {
        check("油烟 NOT 烧烤", "(油烟 AND NOT 烧烤)");
        check("油烟 -烧烤", "(油烟 AND NOT 烧烤)");
        check("G-240 - 国道", "(G-240 AND 国道)");
    }

    #[test]
    fn a_colon_is_a_word_unless_it_follows_a_filters_name() {
        check("8:30 噪音", "(8:30 AND 噪音)");
        check("地址：劳动东路", "地址：劳动东路");
        check("unit:", "unit:");
        check("\"unit:市环保局\"", "\"unit:市环保局\"");
    }

    #[test]
    fn quotes_make_phrases() {
        check("\"劳动东路 噪音\" 投诉", "(\"劳动东路 噪音\" AND 投诉)");
        check("“魅力之城”", "\"魅力之城\"");
        check("「魅力之城」 -\"烧烤\"", "(\"魅力之城\" AND NOT \"烧烤\")");
    }

    #[test]
    fn bad_queries_say_what_to_fix() {
        check("\"油烟", "error: cannot read the query: a quote is not closed (hint: close the phrase with a quote, or remove the quote to search the words anywhere)");
        check("(油烟 噪音", "error: cannot read the query: a bracket is not closed (hint: close it with `)`)");
        check("油烟)", "error: cannot read the query: a closing bracket has no opening one (hint: remove it)");
        check("油烟 OR", "error: cannot read the query: OR has nothing to apply to (hint: put a word on each side of AND / OR and after NOT, or quote the word to search it)");
        check("AND 油烟", "error: cannot read the query: AND has nothing to apply to (hint: put a word on each side of AND / OR and after NOT, or quote the word to search it)");
        check("油烟 NOT", "error: cannot read the query: NOT has nothing to apply to (hint: put a word on each side of AND / OR and after NOT, or quote the word to search it)");
        check("()", "error: cannot read the query: empty brackets (hint: put words inside, or remove them)");
        check(")", "error: cannot read the query: a closing bracket has no opening one (hint: remove it)");
        check("油烟 OR )", "error: cannot read the query: a closing bracket has no opening one (hint: remove it)");
        check("(油烟 OR )", "error: cannot read the query: OR has nothing to apply to (hint: put a word on each side of AND / OR and after NOT, or quote the word to search it)");
        let field = "is not part of the query language (its words are searched in every text) (hint: give the unit, region, category, kind or dates as filters (the API's parameters, the CLI's options) and only words in the query)";
        check("unit:市环保局 油烟", &format!("error: cannot read the query: `unit:` {field}"));
        check("油烟 Kind：投诉", &format!("error: cannot read the query: `Kind:` {field}"));
        check(&"(".repeat(40), "error: cannot read the query: brackets nest too deep (hint: use fewer brackets)");
        check(&"油".repeat(600), "error: cannot read the query: the query is longer than 500 characters (hint: search for the few words that matter)");
    }
}
