//! What the category classifier sees of a post: words and character n-grams, weighted by
//! TF-IDF.
//!
//! A post comes either as raw text (subject and body, cut into words here with the shared
//! jieba segmenter) or pre-segmented (`seg_text` of the labelled set: words separated by
//! spaces, stop words already removed). Both are brought to the same word sequence before
//! anything is counted, so that a model trained on one reads the other:
//! - a word keeps only its Han characters ("A市" → "市", "4S店" → "店"): masked place codes
//!   say where, not what, and `seg_text` cut them as "A3 区";
//! - a word without Han characters is kept only when it is a Latin word of two letters or more
//!   ("ETC", "WiFi", lowercased); numbers are dropped;
//! - stop words (data/category_stopwords.txt) are dropped.
//!
//! Character n-grams (single characters to trigrams by default) run over the words joined
//! without spaces, so they also see the compounds that one segmentation cuts and another
//! keeps whole ("公积金" / "公积 金").
//! Each block (words, word pairs, character n-grams) is L2-normalised on its own and
//! weighted, with sublinear term frequency (1 + ln tf) and smoothed IDF.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use crate::segment;

static STOP_WORDS: LazyLock<std::collections::HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/category_stopwords.txt")
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect()
});

/// A post as the classifier reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document<'a> {
    /// Raw text (subject and body), cut into words here.
    Raw(&'a str),
    /// Words separated by white space, as in the labelled set's `seg_text`.
    Segmented(&'a str),
}

/// The kind of a feature, stored with it in the model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FeatureKind {
    Word = 0,
    WordPair = 1,
    CharGram = 2,
}

impl FeatureKind {
    pub fn from_byte(b: u8) -> Option<FeatureKind> {
        match b {
            0 => Some(FeatureKind::Word),
            1 => Some(FeatureKind::WordPair),
            2 => Some(FeatureKind::CharGram),
            _ => None,
        }
    }
}

/// Which features are counted, and how much each block weighs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeatureConfig {
    /// Adjacent word pairs as features of their own.
    pub word_pairs: bool,
    /// Character n-grams from `min_char_gram` up to this length (below `min_char_gram`: none).
    pub max_char_gram: usize,
    /// The shortest character n-gram counted: 1 counts single characters too.
    pub min_char_gram: usize,
    /// A feature must appear in at least this many training posts.
    pub min_df: u32,
    pub word_weight: f32,
    pub pair_weight: f32,
    pub char_weight: f32,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            word_pairs: false,
            max_char_gram: 3,
            min_char_gram: 1,
            min_df: 2,
            word_weight: 1.0,
            pair_weight: 0.5,
            char_weight: 0.5,
        }
    }
}

/// The words of a post, normalised as described in the module documentation.
pub fn words(document: Document) -> Vec<String> {
    let raw: Vec<&str> = match document {
        Document::Raw(text) => segment::tokens(text),
        Document::Segmented(text) => text.split_whitespace().collect(),
    };
    raw.into_iter().filter_map(normalise_word).collect()
}

fn normalise_word(word: &str) -> Option<String> {
    let han: String = word.chars().filter(|c| is_han(*c)).collect();
    let kept = if !han.is_empty() {
        han
    } else if word.len() >= 2 && word.chars().all(|c| c.is_ascii_alphabetic()) {
        word.to_ascii_lowercase()
    } else {
        return None;
    };
    (!STOP_WORDS.contains(kept.as_str())).then_some(kept)
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// Every feature of a post with its raw count, before TF-IDF.
pub fn count_features(words: &[String], config: &FeatureConfig) -> HashMap<(FeatureKind, String), u32> {
    let mut counts: HashMap<(FeatureKind, String), u32> = HashMap::new();
    for word in words {
        *counts.entry((FeatureKind::Word, word.clone())).or_default() += 1;
    }
    if config.word_pairs {
        for pair in words.windows(2) {
            *counts.entry((FeatureKind::WordPair, format!("{} {}", pair[0], pair[1]))).or_default() += 1;
        }
    }
    let shortest = config.min_char_gram.max(1);
    if config.max_char_gram >= shortest {
        let chars: Vec<char> = words.iter().flat_map(|w| w.chars()).filter(|c| is_han(*c)).collect();
        for n in shortest..=config.max_char_gram {
            for gram in chars.windows(n) {
                *counts.entry((FeatureKind::CharGram, gram.iter().collect())).or_default() += 1;
            }
        }
    }
    counts
}

/// A feature of the vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub kind: FeatureKind,
    pub text: String,
    pub idf: f32,
}

/// The vocabulary and IDF learnt from the training posts: turns a post into a sparse vector.
#[derive(Debug, Clone)]
pub struct Vectorizer {
    pub config: FeatureConfig,
    /// Sorted by (kind, text): the order of the model's weights.
    pub features: Vec<Feature>,
    index: HashMap<(FeatureKind, String), u32>,
}

/// A sparse vector: (feature index, value), sorted by index.
pub type SparseVector = Vec<(u32, f32)>;

impl Vectorizer {
    /// Learns the vocabulary (features in at least `min_df` posts) and the IDF of each.
    pub fn fit(posts: &[Vec<String>], config: &FeatureConfig) -> Vectorizer {
        let mut df: BTreeMap<(FeatureKind, String), u32> = BTreeMap::new();
        for words in posts {
            for key in count_features(words, config).into_keys() {
                *df.entry(key).or_default() += 1;
            }
        }
        let n = posts.len() as f32;
        let features = df
            .into_iter()
            .filter(|(_, df)| *df >= config.min_df)
            .map(|((kind, text), df)| Feature { kind, text, idf: ((1.0 + n) / (1.0 + df as f32)).ln() + 1.0 })
            .collect();
        Vectorizer::from_features(config.clone(), features)
    }

    /// A vectorizer with a known vocabulary (read from a model file). `features` must be
    /// sorted by (kind, text).
    pub fn from_features(config: FeatureConfig, features: Vec<Feature>) -> Vectorizer {
        let index = features.iter().enumerate().map(|(i, f)| ((f.kind, f.text.clone()), i as u32)).collect();
        Vectorizer { config, features, index }
    }

    /// The post's TF-IDF vector: each block L2-normalised, then weighted.
    pub fn transform(&self, words: &[String]) -> SparseVector {
        let mut vector: SparseVector = count_features(words, &self.config)
            .into_iter()
            .filter_map(|(key, count)| {
                let i = *self.index.get(&key)?;
                Some((i, (1.0 + (count as f32).ln()) * self.features[i as usize].idf))
            })
            .collect();
        // Sorted before anything is summed: the counts come in hash order, and floating-point
        // sums in another order would make training (and the model file) vary from run to run.
        vector.sort_unstable_by_key(|(i, _)| *i);
        let mut block_norms = [0f32; 3];
        for (i, value) in &vector {
            block_norms[self.features[*i as usize].kind as usize] += value * value;
        }
        let weights = [self.config.word_weight, self.config.pair_weight, self.config.char_weight];
        let scale: Vec<f32> =
            (0..3).map(|b| if block_norms[b] > 0.0 { weights[b] / block_norms[b].sqrt() } else { 0.0 }).collect();
        for (i, value) in &mut vector {
            *value *= scale[self.features[*i as usize].kind as usize];
        }
        vector
    }

    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(document: Document, expected: &[&str]) {
        assert_eq!(words(document), expected, "words of {document:?}");
    }

    #[test]
    fn raw_and_segmented_text_give_the_same_words() {
        check(Document::Segmented("市 西湖 建筑 集团 A3 区 大道"), &["市", "西湖", "建筑", "集团", "区", "大道"]);
        check(Document::Raw("A市的路灯"), &["市", "路灯"]);
        check(Document::Raw("ETC办理，2019年"), &["etc", "办理"]);
        check(Document::Segmented("  "), &[]);
    }

    #[test]
    fn features_are_words_pairs_and_character_grams() {
        let words: Vec<String> = ["公积金", "贷款"].iter().map(|s| s.to_string()).collect();
        let config = FeatureConfig { word_pairs: true, min_char_gram: 2, max_char_gram: 2, ..FeatureConfig::default() };
        let counts = count_features(&words, &config);
        let mut keys: Vec<String> = counts.keys().map(|(k, t)| format!("{k:?}:{t}")).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "CharGram:公积",
                "CharGram:积金",
                "CharGram:贷款",
                "CharGram:金贷",
                "Word:公积金",
                "Word:贷款",
                "WordPair:公积金 贷款"
            ]
        );
        // Single characters too, when asked for.
        let config = FeatureConfig { min_char_gram: 1, max_char_gram: 1, ..FeatureConfig::default() };
        let mut keys: Vec<String> = count_features(&words, &config).keys().map(|(k, t)| format!("{k:?}:{t}")).collect();
        keys.sort();
        assert_eq!(
            keys,
            ["CharGram:公", "CharGram:款", "CharGram:积", "CharGram:贷", "CharGram:金", "Word:公积金", "Word:贷款"]
        );
    }

    #[test]
    fn each_block_is_normalised_to_its_weight() {
        let posts: Vec<Vec<String>> = [["路灯", "坏了"], ["路灯", "维修"], ["学校", "收费"]]
            .iter()
            .map(|p| p.map(String::from).to_vec())
            .collect();
        let config = FeatureConfig {
            word_pairs: true,
            max_char_gram: 2,
            min_char_gram: 2,
            min_df: 1,
            word_weight: 1.0,
            pair_weight: 0.5,
            char_weight: 1.0,
        };
        let vectorizer = Vectorizer::fit(&posts, &config);
        let vector = vectorizer.transform(&posts[0]);
        let mut norms = [0f32; 3];
        for (i, v) in &vector {
            norms[vectorizer.features[*i as usize].kind as usize] += v * v;
        }
        assert!((norms[0].sqrt() - 1.0).abs() < 1e-5, "{norms:?}");
        assert!((norms[1].sqrt() - 0.5).abs() < 1e-5, "{norms:?}");
        assert!((norms[2].sqrt() - 1.0).abs() < 1e-5, "{norms:?}");
        // An unknown post has no feature at all.
        assert!(vectorizer.transform(&["火星".to_string()]).is_empty());
    }
}
