//! The search-mode cuts of clauses already seen, so that a clause the texts repeat is cut by
//! jieba once per writer, not once per text.
//!
//! Posts and replies repeat whole clauses: greetings, receipt formulas, closings, the same
//! complaint in the same words. In the benchmark corpus three quarters of the characters are in
//! clauses seen before; in the real exports the replies' formulas repeat as much.
//!
//! Cutting clause by clause gives exactly the cut of the whole text. jieba cuts each maximal run
//! of ideographs, ASCII letters, digits and `+#&._%-` on its own, and emits every other character
//! as a word of its own (only `\r\n` is kept together, and no split mark here is `\r` or `\n`);
//! the masked place codes the segmenter keeps whole ("A5区") hold none of the split marks either.
//! So the text is cut at the marks of [`is_split_mark`], each clause is cut (or its cut is looked
//! up), and each mark is a one-character word between them.

use std::collections::HashMap;

use models::segment::ChineseSegmenter;

/// Clauses kept per cache. When full, the cache starts over: the clauses that repeat are back
/// after a few hundred texts. About 25 MB each (a tantivy writer thread has one per text field).
const MAX_CLAUSES: usize = 100_000;

/// Clauses longer than this (in bytes) are cut without being kept: a long clause rarely repeats.
const MAX_CLAUSE_BYTES: usize = 240;

/// Punctuation and spaces that end a clause: none of them is ever part of a jieba word (see the
/// module's header). Full-width forms are already half-width here.
fn is_split_mark(c: char) -> bool {
    matches!(c, ',' | '。' | '!' | '?' | ';' | ':' | '、' | '“' | '”' | '(' | ')' | ' ' | '《' | '》')
}

/// Search-mode cuts of clauses, by clause text, as byte spans within the clause.
#[derive(Debug, Default)]
pub(crate) struct ClauseCuts {
    cuts: HashMap<Box<str>, Box<[(u32, u32)]>>,
}

/// A copy starts empty: tantivy copies the tokenizer for every segment it writes, and the cuts
/// of one writer's texts are worth little to the next.
impl Clone for ClauseCuts {
    fn clone(&self) -> Self {
        ClauseCuts::default()
    }
}

impl ClauseCuts {
    /// The search-mode words of `text` as byte spans, in the order `ChineseSegmenter::search_tokens`
    /// gives them for the whole text, appended to `words`.
    pub(crate) fn search_words(&mut self, segmenter: &ChineseSegmenter, text: &str, words: &mut Vec<(usize, usize)>) {
        let mut clause_start = 0;
        for (at, mark) in text.char_indices().filter(|&(_, c)| is_split_mark(c)) {
            self.clause_words(segmenter, text, clause_start, at, words);
            words.push((at, at + mark.len_utf8()));
            clause_start = at + mark.len_utf8();
        }
        self.clause_words(segmenter, text, clause_start, text.len(), words);
    }

    fn clause_words(
        &mut self,
        segmenter: &ChineseSegmenter,
        text: &str,
        start: usize,
        end: usize,
        words: &mut Vec<(usize, usize)>,
    ) {
        let clause = &text[start..end];
        if clause.is_empty() {
            return;
        }
        let absolute = |&(s, e): &(u32, u32)| (start + s as usize, start + e as usize);
        if let Some(cut) = self.cuts.get(clause) {
            words.extend(cut.iter().map(absolute));
            return;
        }
        let base = clause.as_ptr() as usize;
        let cut: Box<[(u32, u32)]> = segmenter
            .search_tokens(clause)
            .into_iter()
            .map(|w| {
                let s = w.as_ptr() as usize - base;
                (s as u32, (s + w.len()) as u32)
            })
            .collect();
        words.extend(cut.iter().map(absolute));
        if clause.len() <= MAX_CLAUSE_BYTES {
            if self.cuts.len() >= MAX_CLAUSES {
                self.cuts.clear();
            }
            self.cuts.insert(clause.into(), cut);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of `text` cut clause by clause (twice, the second time from the cache) must be
    /// the words of the whole text cut at once.
    fn check(text: &str) {
        let segmenter = models::segment::chinese();
        let base = text.as_ptr() as usize;
        let whole: Vec<(usize, usize)> = segmenter
            .search_tokens(text)
            .into_iter()
            .map(|w| (w.as_ptr() as usize - base, w.as_ptr() as usize - base + w.len()))
            .collect();
        let mut cuts = ClauseCuts::default();
        for pass in ["first", "cached"] {
            let mut words = Vec::new();
            cuts.search_words(segmenter, text, &mut words);
            let shown =
                |spans: &[(usize, usize)]| spans.iter().map(|&(s, e)| &text[s..e]).collect::<Vec<_>>().join("|");
            assert_eq!(shown(&words), shown(&whole), "{pass} pass over {text:?}");
            assert_eq!(words, whole, "{pass} pass over {text:?}");
        }
    }

    #[test]
    fn clause_by_clause_is_the_cut_of_the_whole_text() {
        check("您好!您的留言已收悉,现将有关情况回复如下:经调查核实,公积金贷款买房的问题已转A5区住建局办理。");
        check("“UU008698”:您好!感谢您对我们工作的支持、理解与监督!《A市物业管理条例》第12条");
        check("G240国道 WES-5.4.5版本 58车贷(已还款)");
        check("A市A5区K9县教育局,A市A5区K9县教育局。");
        check("结尾没有标点");
        check(",,。!开头和中间的标点??;;");
        check("");
    }

    #[test]
    fn a_copy_starts_empty() {
        let mut cuts = ClauseCuts::default();
        cuts.search_words(models::segment::chinese(), "留言收悉,谢谢", &mut Vec::new());
        assert_eq!(cuts.cuts.len(), 2);
        assert!(cuts.clone().cuts.is_empty());
    }
}
