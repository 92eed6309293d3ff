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
pub fn extract_region(subject: &str, body: &str) -> Option<String> {
    region_in(subject).or_else(|| region_in(body))
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
    fn units_have_regions_too() {
        assert_eq!(region_of_unit("A3区洋湖街道").as_deref(), Some("A市A3区"));
        assert_eq!(region_of_unit("K7县人力资源和社会保障局").as_deref(), Some("K7县"));
        assert_eq!(region_of_unit("A市教育局").as_deref(), Some("A市"));
        assert_eq!(region_of_unit("西地省林业厅"), None);
        assert_eq!(most_specific_code("A市A5区").as_deref(), Some("A5区"));
        assert_eq!(city_of("K7县").as_deref(), Some("K市"));
    }
}
