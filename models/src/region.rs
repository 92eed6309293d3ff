//! The administrative region a post is about, read from its masked place codes.
//!
//! The data masks every place of the province (西地省) as a capital letter, digits and a suffix.
//! Read off the three post files (about 8,600 posts): thirteen prefecture-level cities `A市` …
//! `M市`; under each, numbered districts, counties and county-level cities sharing its letter
//! (`A1区`…`A6区`, `A7县`, `A8县`, `A9市` under A市; `K1区`, `K2区`, `K3县`…`K11县` under K市;
//! `D10县`, `J11市`, `M14县` have two digits) and one autonomous prefecture `M6州`. So `K7县`
//! belongs to `K市` by its letter. A lone letter before 区/县 ("鄱阳村D区安置房", "R区") is a
//! zone of a compound, never a district. The masking leaves some doubled suffixes ("A8县市",
//! "L10县县", "J10 县") which are read as the county ("J10县").
//!
//! A region is written the way people name it: a district with its city ("A市A5区"), a county,
//! county-level city or prefecture alone ("K7县", "F9市", "M6州"), a city alone ("A市").

use std::borrow::Cow;

/// One masked place code found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PlaceCode<'a> {
    /// The city letter, `'A'` for "A5区".
    letter: char,
    /// The code as normalised ("A5区", "K7县", "A市"), borrowed from the text where possible.
    code: Cow<'a, str>,
    /// Whether the code is a whole prefecture-level city ("A市").
    is_city: bool,
    /// Whether the code is a city district (区), which is named with its city.
    is_district: bool,
}

impl PlaceCode<'_> {
    fn region(&self) -> String {
        if self.is_district {
            format!("{}市{}", self.letter, self.code)
        } else {
            self.code.to_string()
        }
    }
}

/// The region a post is about: the first place code of the subject, else of the body.
///
/// A city named first is narrowed to one of its districts or counties named later in the same
/// text ("A市A4区胜利村" → "A市A4区", "A市五矿万境K9县" stays "A市" since K9县 is not A市's);
/// the body never narrows the subject, as a subject that names only "A市" is usually about a
/// city-wide matter even when the author says where they live.
///
/// Data whose places are not masked (a city's own platform, the demo's corpus) names its
/// districts and counties in full ("南湖区", "枫林县"): when neither text holds a place code, the
/// first such name is the region (`written_out_region`).
pub fn extract_region(subject: &str, body: &str) -> Option<String> {
    region_in(subject)
        .or_else(|| region_in(body))
        .or_else(|| written_out_region(subject).or_else(|| written_out_region(body)))
}

/// Characters that end a common word with 区 rather than a district's name: 小区, 社区, 园区,
/// 城区, 学区, 辖区, 片区, 景区, 校区, 市区, 郊区, 山区, 地区, 开发区, 居民区, 别墅区, 办公区 …
/// (东城区 … 北城区 are districts all the same: see [`written_out_region`]).
const NOT_BEFORE_DISTRICT: &str =
    "小社园城学辖片景校市郊山灾老新禁误盲专街商厂矿林牧库营宅住活发税业范务考病疫封控防展功分院选特战军警候停服物工保示风地民墅公产车闲乐餐教居区置属游改政共集成筑域";

/// Characters that end a word with 区 or 县 that names no particular one: 我县, 全县, 该区, 各区县,
/// 所在县, 外县, 邻县 …
const NOT_BEFORE_EITHER: &str = "各全本我该这那此其每一二两三四五六七八九十多所在外邻郊省州市县区求跨下上内么";

/// Characters no district's or county's name is made of: particles, pronouns, prepositions
/// ("尊敬的县领导", "调到县里", "四个区").
const NOT_IN_REGION_NAMES: &str = "的在和与及到至从对把被向给是有了个这那该本此我你他她们各全每某所其就都也又还很为";

/// The first district or county named in full: two ideographs and 区 or 县 ("南湖区",
/// "枫林县", "东城区"), not a common word ending so (`NOT_BEFORE_DISTRICT`, `NOT_BEFORE_EITHER`)
/// nor 区域.
///
/// Only 区 and 县: a written-out 市 or 州 is as often a city as a prefecture, and a post naming
/// only its city says nothing about which district. On a 100k `make_corpus.py` corpus (masked,
/// so read only where a post has no code) 38 posts get such a region, mostly a false one
/// ("经开区", "下放区"): a false region only keeps a post out of issues in another region.
fn written_out_region(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let ideograph = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    (2..chars.len()).find_map(|i| {
        let suffix = chars[i];
        if !matches!(suffix, '区' | '县') || chars.get(i + 1) == Some(&'域') {
            return None;
        }
        let (first, last) = (chars[i - 2], chars[i - 1]);
        let compass_town = last == '城' && "东西南北".contains(first);
        let common_word =
            NOT_BEFORE_EITHER.contains(last) || (suffix == '区' && !compass_town && NOT_BEFORE_DISTRICT.contains(last));
        let name_char = |c: char| ideograph(c) && !NOT_IN_REGION_NAMES.contains(c);
        let named = name_char(first) && name_char(last) && !common_word;
        named.then(|| chars[i - 2..=i].iter().collect())
    })
}

/// The region of a unit's name: "A3区洋湖街道" → "A市A3区", "K7县人力资源和社会保障局" → "K7县".
pub fn region_of_unit(unit: &str) -> Option<String> {
    region_in(unit)
}

/// The most specific code of a region: "A市A5区" → "A5区", "K7县" → "K7县", "A市" → "A市".
pub fn most_specific_code(region: &str) -> Option<String> {
    place_codes(region).last().map(|p| p.code.to_string())
}

/// The prefecture-level city of a region: "A市A5区" → "A市", "K7县" → "K市", "F9市" → "F市".
pub fn city_of(region: &str) -> Option<String> {
    place_codes(region).first().map(|p| format!("{}市", p.letter))
}

fn region_in(text: &str) -> Option<String> {
    let codes = place_codes(text);
    let first = codes.first()?;
    if first.is_city {
        if let Some(narrower) = codes.iter().find(|p| !p.is_city && p.letter == first.letter) {
            return Some(narrower.region());
        }
    }
    Some(first.region())
}

/// The place codes of `text` in order. One pass, no regex: this runs on every post.
fn place_codes(text: &str) -> Vec<PlaceCode<'_>> {
    let mut codes = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let starts_code = b.is_ascii_uppercase() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
        if !starts_code {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < bytes.len() && j - i <= 2 && bytes[j].is_ascii_digit() {
            j += 1;
        }
        let digits = j - i - 1;
        let digits_end = j;
        // "J10 县": the masking sometimes leaves a space before the suffix.
        if bytes.get(j) == Some(&b' ') {
            j += 1;
        }
        let suffix = text[j..].chars().next();
        let is_suffix = matches!(suffix, Some('市' | '区' | '县' | '州'));
        let after_digits = bytes.get(digits_end).is_some_and(|b| b.is_ascii_alphanumeric());
        if !is_suffix || after_digits || (digits == 0 && suffix != Some('市')) {
            i = j.max(i + 1);
            continue;
        }
        let suffix = suffix.expect("checked above");
        let end = j + suffix.len_utf8();
        let code = if j == digits_end {
            Cow::Borrowed(&text[i..end])
        } else {
            Cow::Owned(format!("{}{suffix}", &text[i..digits_end]))
        };
        codes.push(PlaceCode {
            letter: b as char,
            code,
            is_city: digits == 0,
            is_district: digits > 0 && suffix == '区',
        });
        i = end;
    }
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(subject: &str, body: &str, expected: Option<&str>) {
        assert_eq!(extract_region(subject, body).as_deref(), expected, "region of {subject:?} / {body:?}");
    }

    #[test]
    fn districts_are_named_with_their_city() {
        check("A3区潇楚南路洋湖段怎么还没修好？", "", Some("A市A3区"));
        check("反映A5区东澜湾社区居民的集体民生诉求", "", Some("A市A5区"));
        check("A市A4区胜利村鑫利家园违规分房", "", Some("A市A4区"));
        check("投诉L1区宝圆财富广场小区幼儿园违规修围栏", "", Some("L市L1区"));
    }

    #[test]
    fn counties_and_county_level_cities_stand_alone() {
        check("咨询A7县义务教育生源排序问题", "", Some("A7县"));
        check("反对K7县拆除五一桥来建商铺廊桥", "", Some("K7县"));
        check("L12市茅渡村前进组患病村民请求享受低保待遇", "", Some("L12市"));
        check("反映B9市雪峰山水厂的有关问题！", "", Some("B9市"));
        check("D10县某路", "", Some("D10县"));
        check("M6州电业局", "", Some("M6州"));
    }

    #[test]
    fn a_city_is_narrowed_only_by_its_own_districts_in_the_same_text() {
        check("咨询K市升学择校择班问题", "", Some("K市"));
        check("A市五矿万境K9县交房后仍存在诸多问题", "", Some("A市"));
        check("对A市禁摩限令处罚不解", "我住在A3区", Some("A市"));
        check("请求G市政府督促G8县政府解决青峰家园小区有关问题", "", Some("G8县"));
    }

    #[test]
    fn the_body_is_read_when_the_subject_names_no_place() {
        check("咨询公积金贷款买房问题", "我家住在A市A2区大托街道大托新村。", Some("A市A2区"));
        check("咨询打狂犬役苗报销比例是多少", "请问领导，农合费用增加了。", None);
    }

    #[test]
    fn masking_quirks_and_compound_zones() {
        check("A5区鄱阳村D区安置房人防工程的咨询", "", Some("A市A5区"));
        check("鄱阳村D区安置房", "R区", None);
        check("A8县市住房和城乡建设局", "", Some("A8县"));
        check("L10县县金域华府居民请求尽快通自来水", "", Some("L10县"));
        check("希望能尽快修建J10 县竹山村路边的防落水护栏", "", Some("J10县"));
        check("楚AXC179号车", "", None);
        check("AB1区", "", None);
    }

    #[test]
    fn districts_and_counties_written_in_full_when_nothing_is_masked() {
        check("强制学生有偿补课（北塘区博源实验学校）", "", Some("北塘区"));
        check("投诉丰苑实验学校违规收取择校费", "尊敬的政府领导：青山县丰苑实验学校位于人民街附近", Some("青山县"));
        check("西城区星源实验学校", "", Some("西城区"));
        check("东城区龙溪实验学校", "", Some("东城区"));
        check("我县对小区、社区和园区的学区划分", "全县景区、市区、老城区和开发区", None);
        check("该区域", "所在县的山区", None);
        check("龙湾国际社区别墅区违建", "居民区、办公区和湖南地区的郊县", None);
        check("尊敬的县领导", "调到县里，四个区都有安置区", None);
        // a masked code comes first, wherever it is
        check("南湖区", "A市A5区", Some("A市A5区"));
    }

    #[test]
    fn units_have_regions_too() {
        assert_eq!(region_of_unit("A3区洋湖街道").as_deref(), Some("A市A3区"));
        assert_eq!(region_of_unit("K7县人力资源和社会保障局").as_deref(), Some("K7县"));
        assert_eq!(region_of_unit("A市教育局").as_deref(), Some("A市"));
        assert_eq!(region_of_unit("西地省林业厅"), None);
        assert_eq!(most_specific_code("A市A5区").as_deref(), Some("A5区"));
        assert_eq!(city_of("K7县").as_deref(), Some("K市"));
    }
}
