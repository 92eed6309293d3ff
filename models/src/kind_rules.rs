//! The kind of a post (咨询 / 建议 / 求助 / 投诉 / 举报 / 其他) when the data does not give it.
//!
//! The kind sets the reply deadline, so the rules are data a supervision office can read and
//! extend without code: `models/data/kinds.toml` (compiled in, commented), or their own file
//! through [`KindRules::from_toml_str`]. The file explains the semantics; in short: the subject
//! decides, the body's opening only when the subject says nothing; the lowest priority wins, then
//! the pattern found first.

use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;

use crate::PostKind;

/// The rules compiled into the product.
/// The text of models/data/kinds.toml, the built-in rules (a start for one's own).
pub const DEFAULT_RULES: &str = include_str!("../data/kinds.toml");

/// Why a rules file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KindRulesError {
    #[error("kind rules are not valid toml: {0}\nhint: compare with models/data/kinds.toml")]
    Toml(#[from] toml::de::Error),
    #[error("kind rule {index} has unknown kind {kind:?}\nhint: use 咨询, 建议, 求助, 投诉, 举报 or 其他")]
    UnknownKind { index: usize, kind: String },
    #[error("kind rule {index} has an invalid pattern: {source}\nhint: patterns are Rust regex syntax; escape ? ( ) as \\? \\( \\)")]
    Pattern { index: usize, source: regex::Error },
    #[error("kind rule {index} has no patterns\nhint: give it at least one word in `patterns`")]
    NoPatterns { index: usize },
}

/// A set of kind rules, compiled.
#[derive(Debug, Clone)]
pub struct KindRules {
    body_chars: usize,
    rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
struct Rule {
    kind: PostKind,
    priority: u32,
    subject_only: bool,
    /// All the rule's patterns as one alternation: the leftmost match of any of them.
    pattern: Regex,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    settings: Settings,
    #[serde(rename = "rule", default)]
    rules: Vec<RuleEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    body_chars: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    kind: String,
    priority: u32,
    #[serde(default)]
    subject_only: bool,
    patterns: Vec<String>,
}

/// The kind of a post by the default rules; see [`KindRules::derive`].
pub fn derive_kind(subject: &str, body: &str) -> PostKind {
    KindRules::default_rules().derive(subject, body)
}

impl KindRules {
    /// The rules of `models/data/kinds.toml`, parsed and compiled once.
    pub fn default_rules() -> &'static KindRules {
        static DEFAULT: OnceLock<KindRules> = OnceLock::new();
        DEFAULT.get_or_init(|| KindRules::from_toml_str(DEFAULT_RULES).expect("models/data/kinds.toml is valid"))
    }

    /// Rules from the text of a rules file shaped like `models/data/kinds.toml`.
    pub fn from_toml_str(text: &str) -> Result<KindRules, KindRulesError> {
        let file: RulesFile = toml::from_str(text)?;
        let mut rules = Vec::with_capacity(file.rules.len());
        for (index, entry) in file.rules.into_iter().enumerate() {
            let kind = PostKind::parse(&entry.kind)
                .ok_or_else(|| KindRulesError::UnknownKind { index, kind: entry.kind.clone() })?;
            if entry.patterns.is_empty() {
                return Err(KindRulesError::NoPatterns { index });
            }
            let alternation = entry.patterns.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|");
            let pattern = Regex::new(&alternation).map_err(|source| KindRulesError::Pattern { index, source })?;
            rules.push(Rule { kind, priority: entry.priority, subject_only: entry.subject_only, pattern });
        }
        Ok(KindRules { body_chars: file.settings.body_chars, rules })
    }

    /// The kind of a post: by its subject, else by the opening of its body, else 其他.
    pub fn derive(&self, subject: &str, body: &str) -> PostKind {
        if let Some(kind) = self.best_match(subject, false) {
            return kind;
        }
        let body = body.trim_start();
        let opening_end = body.char_indices().nth(self.body_chars).map_or(body.len(), |(i, _)| i);
        self.best_match(&body[..opening_end], true).unwrap_or(PostKind::Other)
    }

    /// The kind of the winning rule: lowest priority, then the earliest match in `text`.
    fn best_match(&self, text: &str, is_body: bool) -> Option<PostKind> {
        let mut best: Option<(u32, usize, PostKind)> = None;
        for rule in &self.rules {
            if is_body && rule.subject_only {
                continue;
            }
            if best.is_some_and(|(priority, _, _)| rule.priority > priority) {
                continue;
            }
            if let Some(found) = rule.pattern.find(text) {
                let candidate = (rule.priority, found.start(), rule.kind);
                if best.is_none_or(|b| (candidate.0, candidate.1) < (b.0, b.1)) {
                    best = Some(candidate);
                }
            }
        }
        best.map(|(_, _, kind)| kind)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::units::test_data;

    fn check(subject: &str, body: &str, expected: &str) {
        assert_eq!(derive_kind(subject, body).as_str(), expected, "kind of {subject:?} / {body:?}");
    }

    #[test]
    fn a_kind_named_in_the_subject_decides() {
        check("咨询A7县义务教育生源排序问题", "", "咨询");
        check("A5区鄱阳村D区安置房人防工程的咨询", "", "咨询");
        check("建议A市增设长株潭（暮云）中心交通枢纽", "", "建议");
        check("强烈呼吁A市的开锁行业破除行政垄断回归正常市场", "", "建议");
        check("投诉K9县幸运星网吧允许未成年人通宵上网", "", "投诉");
        check("关于C市C1区工商所集体星期五不上班的举报", "", "举报");
        check("社区居民求助", "", "求助");
    }

    #[test]
    fn the_kind_named_first_wins_among_named_kinds() {
        check("咨询下家和院小区物业收取电动车停车费应向哪个部门举报投诉", "", "咨询");
        check("投诉物业并建议整改", "", "投诉");
        check("强烈谴责和投诉星沙4号线，真奇葩", "", "投诉");
    }

    #[test]
    fn urgency_beats_every_other_kind() {
        check("紧急求助：投诉无门", "", "求助");
        check("救救孩子，举报无门", "", "求助");
    }

    #[test]
    fn requests_problems_and_questions_without_a_kind_word() {
        check("希望A7县加强对滨湖路旁边闲置空地的管理", "", "建议");
        check("请求打通A7县星沙东二路、三一路断头路", "", "建议");
        check("A7县泉塘街道静园全天候施工扰民", "", "投诉");
        check("A市郡长斑马湖中学违规补课", "", "投诉");
        check("A市人才新政补贴最近两个月的怎么还没发？", "", "投诉");
        check("A7县星沙镇四区凉塘路改造何时可以开始？", "", "咨询");
        check("能否分层单独补交超面积地款？", "", "咨询");
        check("反映A7县泉塘小学校门口的交通问题", "", "投诉");
    }

    /// A request to right a stated wrong is a complaint (due in days), not a suggestion (due the
    /// same day); a request that states no wrong is still a suggestion, and a question asked
    /// before the request word is a consultation.
    #[test]
    fn a_request_to_right_a_wrong_is_a_complaint() {
        check("C市楚碱公司员工请求解决拖欠工资及五险一金的问题", "", "投诉");
        check("请求查处A1区荷花园东方银座东友邻茶楼暗藏赌博机室", "", "投诉");
        check("请求解决A2区西文庙坪粮食局宿舍房屋漏水问题", "", "投诉");
        check("恳请在A7县榔梨街道增加一个地铁口", "", "建议");
        check("A7县榔梨镇保家安置区这边天然气什么时候可以开通？", "", "咨询");
    }

    #[test]
    fn the_body_opening_is_read_only_when_the_subject_says_nothing() {
        check("楚府路大桥", "\n\t\t\t\t\t\n\t\t\t\t\t请问领导，下桥第一个红绿灯设置合理吗？", "咨询");
        check("关于星沙4号线", "我要投诉，早上等了50分钟。", "投诉");
        check("关于星沙4号线", "我希望增加车次。", "其他");
        check("长株潭城际铁路运营之殇", "", "其他");
        let late_mention = format!("{}我多次投诉无果。", "这条路修了一年".repeat(30));
        check("关于潇楚南路", &late_mention, "其他");
    }

    #[test]
    fn a_supervision_office_can_bring_its_own_rules() {
        let rules = KindRules::from_toml_str(
            "[settings]\nbody_chars = 10\n[[rule]]\nkind = \"举报\"\npriority = 0\npatterns = [\"涉黑\"]\n",
        )
        .expect("valid rules");
        assert_eq!(rules.derive("某公司涉黑", ""), PostKind::Report);
        assert_eq!(rules.derive("咨询社保", ""), PostKind::Other);
        let unknown = KindRules::from_toml_str(
            "[settings]\nbody_chars = 10\n[[rule]]\nkind = \"点赞\"\npriority = 0\npatterns = [\"好\"]\n",
        );
        assert!(matches!(unknown, Err(KindRulesError::UnknownKind { index: 0, .. })), "{unknown:?}");
        let bad = KindRules::from_toml_str(
            "[settings]\nbody_chars = 10\n[[rule]]\nkind = \"咨询\"\npriority = 0\npatterns = [\"(\"]\n",
        );
        assert!(matches!(bad, Err(KindRulesError::Pattern { index: 0, .. })), "{bad:?}");
    }

    /// The distribution on the real posts, measured when the rules were written: every kind
    /// occurs, and 其他 stays a small remainder (subjects that state a fact without any cue).
    #[test]
    fn real_posts_get_a_plausible_distribution() {
        for (file, posts, most_other) in [("replies_dev.xlsx", 1463, 0.03), ("posts_likes.xlsx", 4326, 0.17)] {
            let rows = test_data::rows(file);
            assert_eq!(rows.len(), posts, "{file}");
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for row in &rows {
                *counts.entry(derive_kind(&row["留言主题"], &row["留言详情"]).as_str()).or_default() += 1;
            }
            let other_share = counts.get("其他").copied().unwrap_or(0) as f64 / posts as f64;
            assert!(other_share <= most_other, "{file}: {counts:?}");
            for kind in PostKind::ALL {
                assert!(counts.contains_key(kind.as_str()), "{file}: no {} in {counts:?}", kind.as_str());
            }
        }
    }
}
