//! The units (承办单位) that answer posts: a registry of their names, and which unit wrote a reply.
//!
//! The real exports have no unit column, so the unit is read from the reply itself, in order of
//! trust:
//! - **signature**: the unit named at the end ("…监督！ A7县交通运输局 2014年9月11日",
//!   "泉塘街道办事处\n11月21日"), after dates, phone numbers and "（公章）" are taken off;
//! - **text**: the unit named in the body as the one answering — "经K7县人社局调查", "A3区洋湖街道
//!   高度重视", "榔梨街道办事处高度重视", "感谢您对H市公安局H1区分局工作的关心"; a unit the
//!   problem was forwarded to ("已转交县教育局") is not the one answering, nor one the reply's
//!   first person rules out ("我局…经县委县政府研究" is a bureau's reply, not the county's);
//! - **region**: the reply names no unit but speaks for a body of the post's region. "我局",
//!   "我支队", "我镇", "我台" say only the kind of body: the unit is "K7县某局", "A5区某镇" — some
//!   bureau, some town of the region, which one unknown; "我县", "我区", "我市" only where:
//!   "K7县某单位" ([`is_identified`] is false: such units are reported and listed in notices
//!   under that name, but never ranked);
//! - **unknown**: nothing of the above ("您的留言已收悉，已转相关部门").
//!
//! Names are canonicalised: the most specific region code plus the full name ("A市A1区环保局" →
//! "A1区环境保护局"); relative names are completed by the post's region ("县财政局" + K7县 →
//! "K7县财政局", "市城管局" + "A市A5区" → "A市城市管理和综合执法局" by the registry's alias).

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::{Captures, Regex};
use serde::{Deserialize, Serialize};

use crate::region;

/// What reports and searches call the unit of a post that names none and got no reply naming
/// one: such posts are counted under it, never ranked, and `--unit 未知单位` finds them.
pub const UNKNOWN_UNIT: &str = "未知单位";

/// Marks a unit known only by its region and kind ("K7县某局": some bureau of K7县), for a reply
/// that speaks for itself ("我局高度重视") without signing. Such a unit is not ranked.
pub const UNIDENTIFIED_MARK: &str = "某";

/// Whether a unit name says which body it is: not empty, not unknown, not "K7县某局".
pub fn is_identified(unit: &str) -> bool {
    !unit.trim().is_empty() && !unit.contains(UNIDENTIFIED_MARK)
}

/// The registry compiled into the product.
/// The text of models/data/units.toml, the built-in registry (a start for one's own).
pub const DEFAULT_UNITS: &str = include_str!("../data/units.toml");

/// How high in the administration a unit sits (see models/data/units.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    CityDepartment,
    County,
    District,
    Town,
    StreetOffice,
    OtherCity,
    Other,
}

impl UnitLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitLevel::CityDepartment => "city_department",
            UnitLevel::County => "county",
            UnitLevel::District => "district",
            UnitLevel::Town => "town",
            UnitLevel::StreetOffice => "street_office",
            UnitLevel::OtherCity => "other_city",
            UnitLevel::Other => "other",
        }
    }
}

/// Where a reply's unit came from; stored beside the unit so readers know how far to trust it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitSource {
    /// The data gave the unit (a 承办单位 / 答复单位 column).
    Given,
    Signature,
    Text,
    Region,
    Unknown,
}

impl UnitSource {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitSource::Given => "given",
            UnitSource::Signature => "signature",
            UnitSource::Text => "text",
            UnitSource::Region => "region",
            UnitSource::Unknown => "unknown",
        }
    }
}

/// Why a registry file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum UnitsError {
    #[error("unit registry is not valid toml: {0}\nhint: compare with models/data/units.toml")]
    Toml(#[from] toml::de::Error),
    #[error("unit name {0:?} is given to two units\nhint: keep one [[unit]] entry per name and alias")]
    DuplicateName(String),
    #[error("unit registry pattern could not be built: {0}")]
    Pattern(#[from] regex::Error),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    home_city: String,
    self_references: SelfReferences,
    #[serde(rename = "department", default)]
    departments: Vec<NameEntry>,
    #[serde(rename = "unit", default)]
    units: Vec<UnitEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SelfReferences {
    government: Vec<String>,
    office: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NameEntry {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitEntry {
    name: String,
    level: UnitLevel,
    #[serde(default)]
    aliases: Vec<String>,
}

/// The known units and the patterns that find unit names in replies.
#[derive(Debug, Clone)]
pub struct UnitRegistry {
    home_city: String,
    /// Canonical unit name → level.
    levels: HashMap<String, UnitLevel>,
    /// Unit alias (and canonical name) → canonical name.
    unit_names: HashMap<String, String>,
    /// Department alias (and name) → department name.
    department_names: HashMap<String, String>,
    /// Finds unit names: registry aliases, region code + department / town / generic name,
    /// relative prefix + department.
    mention: Regex,
    /// Finds self-references; group `gov` for the region's own body, `office` for an office.
    self_reference: Regex,
}

/// One unit name found in a reply, before canonicalisation.
#[derive(Debug)]
struct Mention {
    start: usize,
    end: usize,
    /// The canonical name, when the mention could be completed (relative names need a region).
    name: Option<String>,
    /// Whether the mention is a department with no region at all ("交通运输局").
    bare: bool,
}

/// A region code: a district, county or county-level city with its letter and digits (the
/// masking's doubled "A8县市" and "L10县县" read as the county), or a city.
const REGION_CODE: &str = r"[A-Z](?:[0-9]{1,2}(?:市|州|区|县[县市]?)|市)(?:[A-Z][0-9]{1,2}(?:区|县|市))?";
/// Endings of town and street offices, longest first.
const TOWN_SUFFIXES: &str = "街道办事处|街道办|街道|镇人民政府|镇政府|乡人民政府|乡政府|镇|乡";
/// Endings of any other public body, for names the registry does not know. Not 站, 院, 所:
/// in replies those end places ("A8县火车站", "K3县中医院") far more often than answering units.
const GENERIC_SUFFIXES: &str = "委员会|管委会|办公室|管理处|管理所|分局|支队|大队|中心|局|委|办|公司";
/// A character of an unlisted unit's name: Han, but not the function words that show the
/// pattern ran past the name ("A5区暂未收到市委" is no unit).
const GENERIC_NAME_CHAR: &str = "[\\p{Han}&&[^的了在对与将已未向为是及把被从等个这那其]]";
/// Words after a unit that say it is the one answering ("…高度重视", "…回复如下").
const ANSWERING_AFTER: &str = "^(?:党委政府|党委|主要领导|领导|相关负责人)?(?:高度重视|非常重视|十分重视|立即|迅速|第一时间|调查|核实|核查|回复|答复|作如下|现将|现就|收到|接到|已收悉|收悉|研究|组织|派员|安排|对此|针对)";

impl Default for UnitRegistry {
    /// The registry of models/data/units.toml (parsed and compiled once, then shared).
    fn default() -> Self {
        UnitRegistry::shared().clone()
    }
}

impl UnitRegistry {
    /// The default registry, parsed and compiled once.
    pub fn shared() -> &'static UnitRegistry {
        static SHARED: OnceLock<UnitRegistry> = OnceLock::new();
        SHARED.get_or_init(|| UnitRegistry::from_toml_str(DEFAULT_UNITS).expect("models/data/units.toml is valid"))
    }

    /// A registry from the text of a file shaped like models/data/units.toml.
    pub fn from_toml_str(text: &str) -> Result<UnitRegistry, UnitsError> {
        let file: RegistryFile = toml::from_str(text)?;
        let mut department_names = HashMap::new();
        for department in &file.departments {
            for alias in std::iter::once(&department.name).chain(&department.aliases) {
                department_names.insert(alias.clone(), department.name.clone());
            }
        }
        let mut levels = HashMap::new();
        let mut unit_names = HashMap::new();
        for unit in &file.units {
            levels.insert(unit.name.clone(), unit.level);
            for alias in std::iter::once(&unit.name).chain(&unit.aliases) {
                if unit_names.insert(alias.clone(), unit.name.clone()).is_some_and(|previous| previous != unit.name) {
                    return Err(UnitsError::DuplicateName(alias.clone()));
                }
            }
        }
        // Registry aliases come last: at one position the first branch that matches wins, and a
        // region code + department ("A市公安局交警支队") must not be cut to an alias ("A市公安局");
        // composed names are looked up in the registry afterwards anyway.
        let mention = Regex::new(&format!(
            "(?:中共)?(?P<code>{REGION_CODE})(?:(?P<dept>{departments})|(?P<town>\\p{{Han}}{{2,5}}?)(?P<town_suffix>{TOWN_SUFFIXES})|(?P<generic>{GENERIC_NAME_CHAR}{{1,10}}?(?:{GENERIC_SUFFIXES})))\
             |(?:中共)?(?P<relative>[市县区])?(?P<relative_dept>{departments})\
             |(?P<alias>{aliases})",
            aliases = alternation(unit_names.keys()),
            departments = alternation(department_names.keys()),
        ))?;
        let self_reference = Regex::new(&format!(
            "(?P<gov>{})|(?P<office>{})",
            alternation(file.self_references.government.iter()),
            alternation(file.self_references.office.iter()),
        ))?;
        Ok(UnitRegistry { home_city: file.home_city, levels, unit_names, department_names, mention, self_reference })
    }

    /// The level of a unit: as the registry lists it, else guessed from its code and suffix.
    pub fn level_of(&self, name: &str) -> UnitLevel {
        let canonical = self.unit_names.get(name).map_or(name, String::as_str);
        if let Some(level) = self.levels.get(canonical) {
            return *level;
        }
        if name.ends_with("街道办事处") || name.ends_with("街道") {
            return UnitLevel::StreetOffice;
        }
        if ["镇人民政府", "乡人民政府", "镇政府", "乡政府", "镇", "乡"].iter().any(|s| name.ends_with(s))
        {
            return UnitLevel::Town;
        }
        if ["公司", "学校", "医院", "中学", "小学"].iter().any(|s| name.ends_with(s)) {
            return UnitLevel::Other;
        }
        let Some(region) = region::region_of_unit(name) else { return UnitLevel::Other };
        let code = region::most_specific_code(&region).unwrap_or_default();
        if code.ends_with('区') {
            UnitLevel::District
        } else if code.len() > "A市".len() {
            UnitLevel::County
        } else if code == self.home_city {
            UnitLevel::CityDepartment
        } else {
            UnitLevel::OtherCity
        }
    }

    /// The canonical name of a unit written by a person or a data file ("K7县人社局" →
    /// "K7县人力资源和社会保障局"); `None` when the text is no unit name the registry can read.
    pub fn canonical_name(&self, name: &str, post_region: Option<&str>) -> Option<String> {
        let name = name.trim();
        let mention = self.mentions(name, post_region).into_iter().find(|m| m.start == 0 && m.end == name.len())?;
        mention.name
    }

    /// The unit that wrote `reply_text` and how it was found (see the module documentation).
    /// `post_region` is the region of the post answered ("A市A5区"), used to complete relative
    /// names and self-references.
    pub fn resolve_reply_unit(&self, reply_text: &str, post_region: Option<&str>) -> (Option<String>, UnitSource) {
        let mentions = self.mentions(reply_text, post_region);
        if let Some(unit) = self.signature(reply_text, &mentions, post_region) {
            return (Some(unit), UnitSource::Signature);
        }
        let said = self.self_references(reply_text);
        if let Some(unit) = answering_mention(reply_text, &mentions, &Speaker::of(&said)) {
            return (Some(unit), UnitSource::Text);
        }
        if let Some(unit) = post_region.and_then(|region| self_referenced_government(&said, region)) {
            let unit = named_town(&mentions, &unit).unwrap_or(unit);
            return (Some(unit), UnitSource::Region);
        }
        (None, UnitSource::Unknown)
    }

    /// Every unit name in `text`, in order, canonicalised where possible.
    fn mentions(&self, text: &str, post_region: Option<&str>) -> Vec<Mention> {
        self.mention
            .captures_iter(text)
            .map(|caps| {
                let whole = caps.get(0).expect("group 0 always matches");
                let (name, bare) = self.name_of(&caps, post_region);
                Mention { start: whole.start(), end: whole.end(), name, bare }
            })
            .collect()
    }

    /// The canonical name of one match of the mention pattern, and whether it had no region.
    fn name_of(&self, caps: &Captures<'_>, post_region: Option<&str>) -> (Option<String>, bool) {
        if let Some(alias) = caps.name("alias") {
            return (self.unit_names.get(alias.as_str()).cloned(), false);
        }
        if let Some(code) = caps.name("code") {
            let code = region::region_of_unit(code.as_str()).and_then(|r| region::most_specific_code(&r));
            let Some(code) = code else { return (None, false) };
            let name = if let Some(dept) = caps.name("dept") {
                format!("{code}{}", self.department_names[dept.as_str()])
            } else if let (Some(town), Some(suffix)) = (caps.name("town"), caps.name("town_suffix")) {
                let office = if suffix.as_str().starts_with('街') {
                    "街道办事处".to_string()
                } else {
                    format!("{}人民政府", &suffix.as_str()[..'镇'.len_utf8()])
                };
                format!("{code}{}{office}", town.as_str())
            } else {
                format!("{code}{}", caps.name("generic").map_or("", |g| g.as_str()))
            };
            return (Some(self.registered(name)), false);
        }
        let dept = &self.department_names[&caps["relative_dept"]];
        let Some(relative) = caps.name("relative") else {
            // "交通运输局" alone: only a signature may complete it with the post's region; a lone
            // 委 means nothing without its prefix.
            if dept.chars().count() < 2 {
                return (None, true);
            }
            let name =
                post_region.and_then(region::most_specific_code).map(|code| self.registered(format!("{code}{dept}")));
            return (name, true);
        };
        let code = post_region.and_then(|region| relative_code(relative.as_str(), region));
        // Without the post's region a relative name cannot be completed and is dropped.
        (code.map(|code| self.registered(format!("{code}{dept}"))), false)
    }

    /// The registry's canonical form of a composed name, or the name itself.
    fn registered(&self, name: String) -> String {
        self.unit_names.get(&name).cloned().unwrap_or(name)
    }

    /// The unit named in the signature zone at the end of the reply.
    fn signature(&self, text: &str, mentions: &[Mention], post_region: Option<&str>) -> Option<String> {
        let zone_end = signature_zone_end(text);
        let zone = &text[..zone_end];
        let segment_start = zone
            .rfind(['。', '！', '!', '？', '?', '；', ';', '\n', '”'])
            .map_or(0, |i| i + zone[i..].chars().next().map_or(1, char::len_utf8));
        let segment = zone[segment_start..].trim_start();
        let segment_start = zone_end - segment.len();
        let last = mentions.iter().rev().find(|m| m.end <= zone_end && m.start >= segment_start);
        if let Some(last) = last {
            let ends_segment = last.end == zone_end;
            let before = zone[segment_start..last.start].chars().next_back();
            let stands_alone =
                before.is_none_or(|c| c.is_whitespace() || c.is_ascii_digit() || "：:，,（(".contains(c));
            if ends_segment && stands_alone && last.name.is_some() {
                return last.name.clone();
            }
        }
        // "泉塘街道办事处" signed without its county: completed by the post's region.
        let bare_town = bare_town_office(segment)?;
        let code = post_region.and_then(region::most_specific_code)?;
        Some(self.registered(format!("{code}{bare_town}")))
    }

    /// The words with which the reply speaks of itself, in order, each as whether it is one of
    /// the registry's `government` words and its kind ("局" of "我局", "县" of "我县").
    fn self_references<'t>(&self, text: &'t str) -> Vec<(bool, &'t str)> {
        self.self_reference
            .captures_iter(text)
            .filter_map(|caps| {
                let word = caps.get(0)?.as_str();
                Some((caps.name("gov").is_some(), word.strip_prefix("我").unwrap_or(word)))
            })
            .collect()
    }
}

/// The body the reply speaks for, named no finer than the reply names it. An office word
/// ("我局", "我支队") or a town's ("我镇", "我街道") says only what kind of body of the post's
/// region answered, not which: "K7县某局", "A5区某镇" (see [`UNIDENTIFIED_MARK`]). "我县" /
/// "我区" / "我市" say only where: "K7县某单位". Neither is the region's government, which a
/// published notice would then blame for a bureau's reply: every bureau of a city writes
/// "我市" ("我市户籍政策…", "感谢您对我县医保工作的关心"), and a reply saying "不在我县管辖范围"
/// was put on the government of the county the post named (before session 23). A government
/// that answers names itself ("县政府高度重视…", a signature) and is found by the text or the
/// signature. The most specific self-reference wins: a county office writing "根据我市…我局
/// 将…" is the county's, not the city's.
fn self_referenced_government(said: &[(bool, &str)], post_region: &str) -> Option<String> {
    said.iter()
        .filter_map(|&(government, kind)| {
            let (rank, name) = match (government, kind) {
                (true, "市" | "县" | "区") => (
                    if kind == "市" { 2 } else { 1 },
                    relative_code(kind, post_region).map(|code| format!("{code}{UNIDENTIFIED_MARK}单位")),
                ),
                _ => {
                    (0, region::most_specific_code(post_region).map(|code| format!("{code}{UNIDENTIFIED_MARK}{kind}")))
                }
            };
            name.map(|name| (rank, name))
        })
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, name)| name)
}

/// What a reply says of its writer: the kinds of body it calls itself ("局" of "我局", "台",
/// "街道") and the level of place it speaks for ("县" of "我县", "区"; "我市" is said by county
/// offices too, of the city they are in).
#[derive(Debug, Default)]
struct Speaker {
    kinds: Vec<String>,
    level: Option<String>,
}

impl Speaker {
    /// What the reply's self-references ([`UnitRegistry::self_references`]) say of its writer.
    fn of(said: &[(bool, &str)]) -> Speaker {
        let mut speaker = Speaker::default();
        for &(_, kind) in said {
            match kind {
                // ("我单位" says nothing of the kind; "我市" is said by county offices too)
                "市" | "单位" => {}
                "县" | "区" => speaker.level = speaker.level.or(Some(kind.to_string())),
                _ if !speaker.kinds.iter().any(|k| k == kind) => speaker.kinds.push(kind.to_string()),
                _ => {}
            }
        }
        speaker
    }

    /// Whether a unit named in the reply can be the writer: one that writes "我局" is a bureau,
    /// so "经市委市政府批准" or "经县委县政府研究" names who decided, not who answers; one that
    /// writes "我县" is not the city's bureau it mentions.
    fn may_be(&self, unit: &str) -> bool {
        let kind_fits = self.kinds.is_empty() || self.kinds.iter().any(|k| unit.contains(k.as_str()));
        let level_fits = self.level.as_ref().is_none_or(|level| unit.contains(level.as_str()));
        kind_fits && level_fits
    }
}

/// The first unit named as the one answering: "经X…", "X高度重视…", "感谢您对X工作…", and
/// one the reply's first person allows ([`Speaker::may_be`]).
fn answering_mention(text: &str, mentions: &[Mention], speaker: &Speaker) -> Option<String> {
    static AFTER: OnceLock<Regex> = OnceLock::new();
    let after = AFTER.get_or_init(|| Regex::new(ANSWERING_AFTER).expect("valid answering pattern"));
    mentions.iter().filter(|m| !m.bare).find_map(|m| {
        let before = &text[..m.start];
        let forwarded = [
            "转", "转交", "转至", "转到", "交由", "至", "向", "报", "联系", "咨询", "致电", "拨打", "与", "责令",
            "督促", "责成",
        ]
        .iter()
        .any(|w| before.ends_with(w));
        let answering = before.ends_with('经') || before.ends_with("感谢您对") || after.is_match(&text[m.end..]);
        (answering && !forwarded).then(|| m.name.clone()).flatten().filter(|name| speaker.may_be(name))
    })
}

/// The town a reply speaking as "我镇" / "我乡" / "我街道" ("D7县某镇") names, when it names one
/// town of that region and no other: "您反映的“希望D7县江口镇政府前的池塘改建”…我镇党委政府高度重视"
/// is 江口镇's reply.
fn named_town(mentions: &[Mention], unidentified: &str) -> Option<String> {
    let (code, kind) = unidentified.split_once(UNIDENTIFIED_MARK)?;
    if !matches!(kind, "镇" | "乡" | "街道") {
        return None;
    }
    let office = if kind == "街道" { "街道办事处".to_string() } else { format!("{kind}人民政府") };
    let mut towns: Vec<&String> = mentions
        .iter()
        .filter_map(|m| m.name.as_ref())
        .filter(|name| {
            name.strip_prefix(code)
                .is_some_and(|rest| rest.ends_with(&office) && rest.chars().count() > office.chars().count())
        })
        .collect();
    towns.sort();
    towns.dedup();
    (towns.len() == 1).then(|| towns[0].clone())
}

/// The code a relative prefix means in a region: 市 → the city (or the county-level city),
/// 县 → the county, 区 → the district; `None` when the region has no such level.
fn relative_code(prefix: &str, post_region: &str) -> Option<String> {
    let specific = region::most_specific_code(post_region)?;
    match prefix {
        "市" if specific.ends_with('市') => Some(specific),
        "市" => region::city_of(post_region),
        "县" if specific.ends_with('县') => Some(specific),
        "区" if specific.ends_with('区') => Some(specific),
        _ => None,
    }
}

/// Where the signature zone ends: the text without the dates, phone numbers, "（公章）" and
/// punctuation that follow a signature.
fn signature_zone_end(text: &str) -> usize {
    static TRAILER: OnceLock<Regex> = OnceLock::new();
    let trailer = TRAILER.get_or_init(|| {
        Regex::new(
            r"(?:\s|[。.！!，,、；;：:”）)]|（公章）|\(公章\)|(?:联系|咨询|举报)?电话|[0-9]{2,4}\s*[年\-/.．]\s*[0-9]{1,2}\s*[月\-/.．]\s*[0-9]{1,2}\s*[日号]?|[0-9]{1,2}月[0-9]{1,2}[日号]|[〇○O0零一二三四五六七八九]{4}年[〇○零一二三四五六七八九十]{1,3}月[〇○零一二三四五六七八九十]{1,3}日|[0-9][0-9\-—－ ]{6,})$",
        )
        .expect("valid trailer pattern")
    });
    // Only the last few hundred bytes can hold a signature; the pattern is anchored at the end
    // and would otherwise scan the whole reply on every pass.
    let mut window_start = text.len().saturating_sub(600);
    while !text.is_char_boundary(window_start) {
        window_start += 1;
    }
    let mut end = text.len();
    while let Some(found) = trailer.find(&text[window_start..end]).map(|m| window_start + m.start()) {
        if found == end {
            break;
        }
        end = found;
    }
    end
}

/// "泉塘街道办事处", "安沙镇人民政府": a town or street office signing without its region.
fn bare_town_office(segment: &str) -> Option<&str> {
    static TOWN: OnceLock<Regex> = OnceLock::new();
    let town = TOWN.get_or_init(|| {
        Regex::new(r"^\p{Han}{2,4}(?:街道办事处|镇人民政府|乡人民政府|镇政府|乡政府)$").expect("valid town pattern")
    });
    town.is_match(segment).then_some(segment)
}

/// A regex alternation of literal words, longest first so the longest name wins.
fn alternation<'a>(words: impl Iterator<Item = &'a String>) -> String {
    let mut words: Vec<&String> = words.filter(|w| !w.is_empty()).collect();
    words.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    words.dedup();
    if words.is_empty() {
        return "[^\\s\\S]".to_string();
    }
    words.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|")
}

/// The real data files, read in tests (shared by the tests of other modules).
#[cfg(test)]
pub(crate) mod test_data {
    use std::collections::HashMap;
    use std::path::Path;

    use calamine::{open_workbook, Reader, Xlsx};

    /// The rows of `../../shared/data/<file>` as maps from column name to cell text.
    pub(crate) fn rows(file: &str) -> Vec<HashMap<String, String>> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data").join(file);
        let mut workbook: Xlsx<_> = open_workbook(&path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        let sheet = workbook.worksheet_range_at(0).expect("a first sheet").expect("a readable sheet");
        let mut lines = sheet.rows();
        let header: Vec<String> = lines.next().expect("a header row").iter().map(|c| c.to_string()).collect();
        lines.map(|line| header.iter().cloned().zip(line.iter().map(|c| c.to_string())).collect()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::extract_region;
    use crate::text::clean_text;

    fn check(reply: &str, post_region: Option<&str>, expected: Option<&str>, source: UnitSource) {
        let (unit, found_by) = UnitRegistry::shared().resolve_reply_unit(reply, post_region);
        assert_eq!((unit.as_deref(), found_by), (expected, source), "unit of {reply:?} in {post_region:?}");
    }

    #[test]
    fn a_signature_at_the_end_names_the_unit() {
        check(
            "感谢您对我们工作的支持！\nA3区洋湖街道\n2019年5月9日",
            None,
            Some("A3区洋湖街道办事处"),
            UnitSource::Signature,
        );
        check("……敬请谅解。J7县教育局", None, Some("J7县教育局"), UnitSource::Signature);
        check(
            "感谢您的关心。 A市住房和城乡建设局 2019-05-09",
            None,
            Some("A市住房和城乡建设局"),
            UnitSource::Signature,
        );
        check(
            "感谢您对我们工作的关心、监督与支持！ A市公安局交警支队 2014年12月8日",
            None,
            Some("A市公安局交通警察支队"),
            UnitSource::Signature,
        );
        check(
            "感谢您对我们工作的支持！中共A4区委办公室2015年8月7日",
            None,
            Some("A4区委办公室"),
            UnitSource::Signature,
        );
        check(
            "咨询：0000-00000000 A7县城乡居民医疗保险服务中心二〇一三年十二月三十日",
            None,
            Some("A7县城乡居民医疗保险服务中心"),
            UnitSource::Signature,
        );
        check("没有政策依据。 M5市公安局（公章） 2012年12月24日", None, Some("M5市公安局"), UnitSource::Signature);
        check("谢谢您的来信。 K4县网宣办 2015年6月15日", None, Some("K4县网络宣传管理办公室"), UnitSource::Signature);
    }

    #[test]
    fn town_and_street_offices_signing_alone_are_completed() {
        check(
            "感谢您对安沙发展的关心与支持！ 安沙镇人民政府 2015年10月29日",
            Some("A7县"),
            Some("A7县安沙镇人民政府"),
            UnitSource::Signature,
        );
        check(
            "谢谢理解支持。楚龙街道办事处 2012年10月19日",
            Some("A9市"),
            Some("A7县楚龙街道办事处"),
            UnitSource::Signature,
        );
        check("特此回复。富家桥镇人民政府", Some("K市K1区"), Some("K1区富家桥镇人民政府"), UnitSource::Signature);
        check("特此回复。杨林寨乡人民政府", Some("F6县"), Some("F6县杨林寨乡人民政府"), UnitSource::Signature);
        check("交通运输局二〇一二年五月二十四日", Some("A市"), Some("A市交通运输局"), UnitSource::Signature);
    }

    #[test]
    fn an_address_or_a_forwarding_note_is_no_signature() {
        check("地址：辰阳镇先锋路38号，县财政局对面。 2019年12月9日", Some("L4县"), None, UnitSource::Unknown);
        check("你所反映的问题已转交至市医保局。", Some("H市"), None, UnitSource::Unknown);
        check("您的留言已收悉，关于您反映的问题，已转F9市调查处理。", Some("F市"), None, UnitSource::Unknown);
    }

    #[test]
    fn the_unit_answering_in_the_text() {
        check(
            "针对您反映的问题,A3区洋湖街道高度重视，立即组织精干力量调查处理。2019年4月29日",
            None,
            Some("A3区洋湖街道办事处"),
            UnitSource::Text,
        );
        check(
            "现将有关情况回复如下：经K7县人社局调查，情况属实。",
            None,
            Some("K7县人力资源和社会保障局"),
            UnitSource::Text,
        );
        check("经A5区教育局、黎托街道核实，东澜湾幼儿园属于配套幼儿园。", None, Some("A5区教育局"), UnitSource::Text);
        check(
            "经区交通局核实，杨巧片区周边道路已纳入计划。",
            Some("A市A6区"),
            Some("A6区交通运输局"),
            UnitSource::Text,
        );
        check(
            "来信收悉。根据您反映的情况，榔梨街道办事处高度重视，安排人员认真开展调查。",
            Some("A7县"),
            Some("A7县榔梨街道办事处"),
            UnitSource::Text,
        );
        check(
            "即可到户籍地派出所更改。感谢您对H市公安局H1区分局工作的关心和支持!2019年10月28日",
            None,
            Some("H市公安局"),
            UnitSource::Text,
        );
        check("经市城管局核实，该路段已安排清扫。", Some("A市A5区"), Some("A市城市管理和综合执法局"), UnitSource::Text);
    }

    #[test]
    fn a_unit_the_writer_cannot_be_is_not_the_one_answering() {
        // a bureau reports what the county's leadership decided
        check(
            "我局高度重视，及时向县委县政府汇报，经县委县政府研究，决定对该路段进行改造。",
            Some("K4县"),
            Some("K4县某局"),
            UnitSource::Region,
        );
        check(
            "我局拟定的实施方案已经市委市政府研究批准，将于明年实施。",
            Some("B9市"),
            Some("B9市某局"),
            UnitSource::Region,
        );
        // a television station, a street office, a brigade write of themselves
        check(
            "我台高度重视，经J11市人民政府协调，节目已恢复播出。",
            Some("J11市"),
            Some("J11市某台"),
            UnitSource::Region,
        );
        check(
            "经A7县法制办公室审查，该协议合法。我街道将按协议执行。",
            Some("A7县"),
            Some("A7县某街道"),
            UnitSource::Region,
        );
        // a county body does not answer as the city's bureau it names
        check(
            "该项目2009年经K市环境保护局审批。我局已责令企业整改，我县将持续监测。",
            Some("K8县"),
            Some("K8县某局"),
            UnitSource::Region,
        );
        // the writer's own kind still lets its name through
        check("经K7县人社局调查，情况属实。我局将依法处理。", None, Some("K7县人力资源和社会保障局"), UnitSource::Text);
        check("A3区洋湖街道高度重视，我街道已安排人员清理。", None, Some("A3区洋湖街道办事处"), UnitSource::Text);
        // "我单位" beside "我街道" does not let another kind of body through
        check(
            "您反映的A7县楚龙街道恒广国际景园的问题我街道已收悉。经A7县法制办公室审查，我单位将按协议执行。",
            Some("A7县"),
            Some("A7县楚龙街道办事处"),
            UnitSource::Region,
        );
    }

    #[test]
    fn a_relative_name_needs_the_post_region() {
        check("经区交通局核实，杨巧片区周边道路已纳入计划。", None, None, UnitSource::Unknown);
        check("经县财政局核实，补贴已发放。", Some("K7县"), Some("K7县财政局"), UnitSource::Text);
        check("经县财政局核实，补贴已发放。", Some("A市A5区"), None, UnitSource::Unknown);
    }

    #[test]
    fn a_reply_speaking_for_its_region_is_given_the_region_body_it_names() {
        check(
            "您反映的问题，我局高度重视，现回复如下：已安排整改。",
            Some("K7县"),
            Some("K7县某局"),
            UnitSource::Region,
        );
        check("您反映的问题，我局高度重视。", Some("K市"), Some("K市某局"), UnitSource::Region);
        check("我支队已安排民警核查。", Some("A市A5区"), Some("A5区某支队"), UnitSource::Region);
        check("收到您反映的问题后，我镇高度重视。", Some("A市A5区"), Some("A5区某镇"), UnitSource::Region);
        // ... unless it names its one town of the region
        check(
            "您反映的“希望D7县江口镇政府前的池塘改建”收悉。我镇党委政府高度重视，安排镇干部现场了解情况。",
            Some("D7县"),
            Some("D7县江口镇人民政府"),
            UnitSource::Region,
        );
        check(
            "D7县江口镇与D7县石门镇交界处的池塘，我镇已安排人员查看。",
            Some("D7县"),
            Some("D7县某镇"),
            UnitSource::Region,
        );
        // where, not who: every bureau of the county says "我县"
        check("今年我县幼儿园统一放暑假。", Some("K7县"), Some("K7县某单位"), UnitSource::Region);
        check("感谢您对我县医保工作的关心和监督。", Some("K8县"), Some("K8县某单位"), UnitSource::Region);
        check("今年我市幼儿园统一放暑假。", Some("A市A5区"), Some("A市某单位"), UnitSource::Region);
        check("今年我市幼儿园统一放暑假。", Some("B9市"), Some("B9市某单位"), UnitSource::Region);
        check(
            "您反映的问题不在我县管辖范围，请您反映到相应的县区。",
            Some("K8县"),
            Some("K8县某单位"),
            UnitSource::Region,
        );
        check("已交我区有关部门调查核处。", Some("K7县"), None, UnitSource::Unknown);
        check(
            "根据我市2017年绿色城市建设项目铺排，我县拟建9个公园。我局将热忱为您服务。",
            Some("A7县"),
            Some("A7县某局"),
            UnitSource::Region,
        );
        check("您反映的问题，我局高度重视。", None, None, UnitSource::Unknown);
    }

    #[test]
    fn nothing_named_is_unknown() {
        check(
            "您的留言已收悉！我们已将您反映的问题转相关部门进行处理，敬请关注后续回复，谢谢！",
            Some("A市"),
            None,
            UnitSource::Unknown,
        );
        check("网友：您好！留言已收悉", Some("A市"), None, UnitSource::Unknown);
        check("", None, None, UnitSource::Unknown);
    }

    #[test]
    fn names_are_canonicalised_and_levels_read() {
        let registry = UnitRegistry::shared();
        let canonical = |name: &str, region: Option<&str>| registry.canonical_name(name, region);
        assert_eq!(canonical("K7县人社局", None).as_deref(), Some("K7县人力资源和社会保障局"));
        assert_eq!(canonical("A市A1区环保局", None).as_deref(), Some("A1区环境保护局"));
        assert_eq!(canonical("市城管局", Some("A市A5区")).as_deref(), Some("A市城市管理和综合执法局"));
        assert_eq!(canonical("A7县城管局", None).as_deref(), Some("A7县城市管理和行政执法局"));
        assert_eq!(canonical("A8县市住建局", None).as_deref(), Some("A8县住房和城乡建设局"));
        assert_eq!(canonical("泉塘街道办事处", None).as_deref(), Some("A7县泉塘街道办事处"));
        assert_eq!(canonical("有关部门", Some("A市")), None);
        for (name, level) in [
            ("A市教育局", UnitLevel::CityDepartment),
            ("B市教育局", UnitLevel::OtherCity),
            ("K7县人力资源和社会保障局", UnitLevel::County),
            ("F9市人民政府", UnitLevel::County),
            ("A3区洋湖街道办事处", UnitLevel::StreetOffice),
            ("A5区教育局", UnitLevel::District),
            ("A7县黄花镇人民政府", UnitLevel::Town),
            ("L9县龙潭镇人民政府", UnitLevel::Town),
            ("A7县农村环境建设投资有限公司", UnitLevel::Other),
            ("西地省林业厅", UnitLevel::Other),
        ] {
            assert_eq!(registry.level_of(name), level, "level of {name}");
        }
        assert_eq!(UnitSource::Signature.as_str(), "signature");
        assert_eq!(UnitLevel::StreetOffice.as_str(), "street_office");
    }

    #[test]
    fn a_user_registry_replaces_the_default() {
        let registry = UnitRegistry::from_toml_str(
            "home_city = \"B市\"\n[self_references]\ngovernment = [\"我县\"]\noffice = []\n\
             [[department]]\nname = \"教育局\"\n[[unit]]\nname = \"B市教育局\"\nlevel = \"city_department\"\naliases = [\"市教委\"]\n",
        )
        .expect("valid registry");
        assert_eq!(
            registry.resolve_reply_unit("经市教委核实，情况属实。", None),
            (Some("B市教育局".to_string()), UnitSource::Text)
        );
        assert_eq!(registry.level_of("B市教育局"), UnitLevel::CityDepartment);
        assert_eq!(registry.level_of("A市教育局"), UnitLevel::OtherCity);
        let duplicated = UnitRegistry::from_toml_str(
            "home_city = \"A市\"\n[self_references]\ngovernment = []\noffice = []\n\
             [[unit]]\nname = \"甲\"\nlevel = \"other\"\naliases = [\"丙\"]\n[[unit]]\nname = \"乙\"\nlevel = \"other\"\naliases = [\"丙\"]\n",
        );
        assert!(matches!(duplicated, Err(UnitsError::DuplicateName(ref name)) if name == "丙"), "{duplicated:?}");
    }

    /// Coverage on all 1,463 real replies (session 23): 715 replies (48.9%) get a unit — 126 by
    /// signature, 66 by text, 523 by region (most of them "K7县某局", "K8县某单位": where, and
    /// what kind of body, not which); the other replies name no unit at all ("您的留言已收悉。现将
    /// 有关情况回复如下：… 感谢您对我们工作的支持").
    #[test]
    fn coverage_on_the_real_replies() {
        let registry = UnitRegistry::shared();
        let rows = test_data::rows("replies_dev.xlsx");
        assert_eq!(rows.len(), 1463);
        let mut by_source: HashMap<UnitSource, usize> = HashMap::new();
        for row in &rows {
            let region = extract_region(&clean_text(&row["留言主题"]), &clean_text(&row["留言详情"]));
            let (unit, source) = registry.resolve_reply_unit(&clean_text(&row["答复意见"]), region.as_deref());
            assert_eq!(unit.is_some(), source != UnitSource::Unknown, "{unit:?} by {source:?}");
            *by_source.entry(source).or_default() += 1;
        }
        let count = |source| by_source.get(&source).copied().unwrap_or(0);
        let resolved = rows.len() - count(UnitSource::Unknown);
        assert!(resolved * 100 >= rows.len() * 45, "{by_source:?}");
        assert!(count(UnitSource::Signature) >= 110, "{by_source:?}");
        assert!(count(UnitSource::Text) >= 60, "{by_source:?}");
        assert!(count(UnitSource::Region) >= 500, "{by_source:?}");
    }
}
