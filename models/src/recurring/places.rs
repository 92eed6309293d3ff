//! Places and groups named in a post: the blocking key of recurring issues.
//!
//! A place is a name followed by a class word: compounds (`魅力之城`, `丽发新城`, `滨河苑`,
//! `青青家园小区`), roads and junctions (`万家丽南路`, `黄兴大道`), schools (`传承中学`,
//! `经济学院`), villages and communities (`金鼎村`, `泉星社区`), companies and other
//! establishments (`长城物业公司`, `九华工业园`, `湘雅医院`). A group of people is named through
//! its place ("A市经济学院学生" → `经济学院`), so groups need no rule of their own.
//!
//! Where a name starts is the hard part: "投诉滨河苑", "A市伊景园滨河苑" and "关于万科魅力之城小区"
//! name the same places with different heads. So the blocking key is only the class word with
//! the two characters before it (`滨河苑`, `力之城`, `发新城`): short enough to survive a reworded
//! head, long enough to be rare. A name ending with a common word (`GENERIC_ALONE`: "人民医院",
//! "眼科医院", "商业广场") keeps the two characters before that word instead (`第一人民医院`):
//! "人民医院" alone would make every people's hospital of a city one place. The whole name (cut
//! at place codes, punctuation and function words) is kept for display and removed from the
//! text before similarity is measured, so two posts about one compound are not "similar"
//! merely for naming it.

/// Class words, longest first at each position (`小区` before `区` is not a class word at all).
const CLASS_WORDS: &[&str] = &[
    // compounds and buildings
    "小区",
    "花园",
    "家园",
    "新城",
    "新村",
    "公馆",
    "公寓",
    "广场",
    "大厦",
    "华府",
    "华庭",
    "山庄",
    "国际",
    "苑",
    "城",
    "府",
    "湾",
    "郡", // roads and junctions
    "大道",
    "大街",
    "大桥",
    "立交",
    "隧道",
    "路",
    "街",
    "巷",
    "桥", // schools and groups of students
    "幼儿园",
    "学校",
    "中学",
    "小学",
    "大学",
    "学院", // villages, communities, towns
    "社区",
    "街道",
    "村",
    "镇",
    "乡", // companies and establishments
    "有限公司",
    "责任公司",
    "物业公司",
    "公司",
    "集团",
    "医院",
    "卫生院",
    "工业园",
    "产业园",
    "物流园",
    "市场",
    "超市",
    "商场",
    "网吧",
    "酒店",
    // shops by their trade (not 店 alone: "开饭店", "该店" name none)
    "便利店",
    "母婴店",
    "洗车店",
    "烧烤店",
    "火锅店",
    "小吃店",
    "美发店",
    "理发店",
    "水果店",
    "早餐店",
    "奶茶店",
    "公园",
    "园",
];

/// The first characters of the class words.
const CLASS_FIRST_CHARS: &str =
    "小花家新公广大华山国苑城府湾郡立隧路街巷桥幼学中社村镇乡有责物集医卫工产市超商网酒园便母洗烧火美理水早奶";

/// Characters a place name is never made of: particles, pronouns, conjunctions, prepositions.
/// Not 都, which as "all" rarely stands before a class word and names many compounds: the 19
/// subjects of the real exports with 都 right before one all name a place ("柠檬丽都小区",
/// "水榭花都小区", "尚都花园", "力都大厦"), which had no place at all (session 36).
const NOT_IN_NAMES: &str = "的在和与及到至从对把被向给是有了个这那该本此我你他她们各全每某所其就也又还很";

/// Heads cut off the front of a name: verbs of the subject frame and where-words.
const HEADS: &[&str] = &[
    "投诉", "举报", "反映", "反应", "咨询", "关于", "请求", "建议", "希望", "要求", "严重", "强烈", "解决", "请问",
    "恳请", "位于", "家住", "住在", "地处", "靠近", "紧邻", "市民", "居民", "业主", "整治",
];

/// Facilities residents complain about next to their compound, which a subject often names
/// right before it ("搅拌站丽发新城小区粉尘大"). A name starts after the last of them, so the
/// problem stays in the text measured for similarity and the name shown is the compound's.
/// (Each ends with one of the characters `name_before` looks for first: 站 厂 场 地.)
const FACILITIES: &[&str] = &[
    "搅拌站",
    "搅拌厂",
    "搅拌场",
    "垃圾站",
    "垃圾场",
    "中转站",
    "转运站",
    "变电站",
    "加油站",
    "充电站",
    "收费站",
    "基站",
    "养殖场",
    "养猪场",
    "砂石场",
    "沥青站",
    "工地",
];

/// Words that make any name ending with them too generic to say where (`政府` is not a
/// compound, "修好马路" is not a road).
const GENERIC_ENDINGS: &[&str] = &[
    "政府",
    "道路",
    "马路",
    "公路",
    "水泥路",
    "柏油路",
    "线路",
    "铁路",
    "思路",
    "出路",
    "走路",
    "修路",
    "跑路", // "商家跑路": the owner ran off
    "城市",
    "县城",
    "省城",
    "进城",
    "全城",
    "农村",
    "乡村",
    "乡镇",
    "城镇",
    "开发公司",
    "地产公司",
    "公交公司",
    "保险公司",
    "集团公司",
    "老旧小区",
    "周边小区",
    "附近小区",
    "整个小区",
    "所在小区",
    "其他小区",
    "商品房小区",
    "安置小区",
];

/// Generic endings that still end a place when a name stands before them ("京广铁路",
/// "分流道路", "黄兴镇安置小区", "恒大地产公司"): too vague to block posts by (and "修好马路"
/// reads the same), but a post naming one names somewhere else than a post naming another.
const GENERIC_PLACE_ENDINGS: &[&str] =
    &["道路", "马路", "公路", "水泥路", "柏油路", "铁路", "开发公司", "地产公司", "公交公司", "集团公司", "安置小区"];

/// Words that are generic alone, but end real names ("青青家园", "烈士公园"). Alone, with at
/// most one character before ("市人民医院", "新菜市场"), they name a place too common to block
/// by, but a place all the same: a generic place (see [`GENERIC_PLACE_ENDINGS`]). "X医院在省中医
/// 附一医院治疗…" at the city's people's hospital is not the same post at the county's.
const GENERIC_ALONE: &[&str] = &[
    "商业街",
    "步行街",
    "校园",
    "家园",
    "花园",
    "乐园",
    "公园",
    "菜市场",
    "农贸市场",
    "人民医院",
    "中心医院",
    "中医医院",
    "眼科医院",
    "骨科医院",
    "口腔医院",
    "儿童医院",
    "商业广场",
    "中央公园",
    "中心卫生院",
    "社区医院",
    "市场",
    "国际",
    "小学",
    "中学",
    "大学",
    // "博源实验学校" and "柳祥实验学校" are two schools, "怡园温泉度假村" and "恒辉温泉度假村" two resorts
    "实验学校",
    "实验中学",
    "实验小学",
    "美容美发店",
    "度假村",
    "温泉度假村",
    "家电城",
    "批发市场",
    "湿地公园",
    "健身广场",
    "生态园",
];

/// A class word followed by one of these characters is part of a longer common word
/// ("城市", "城管", "村民", "园区", "路线"), not the end of a name.
const NOT_AFTER: &[(&str, &str)] = &[
    ("城", "市管区乡际镇"),
    ("村", "民委组干"),
    ("园", "区林艺"),
    // Not "段": "锦绣路段" is a stretch of 锦绣路, a place ("拥堵路段" reads as one too, and
    // then as no other road's).
    ("路", "线费面况灯政"),
    ("街", "头"),
    ("桥", "梁"),
    ("镇", "政"),
    ("乡", "镇村亲"),
    ("府", "办"),
    ("市场", "监化价"),
];

/// Words that begin with a class word and name no place: "省人民医院社区医保问题" is about the
/// community health insurance, not at "…医院社区" (while "泉星社区医学院" and "泉星社区医院" are at
/// 泉星社区).
const NOT_PLACES: &[&str] = &["社区医保", "社区医疗"];

/// The trades a company's name ends with before 有限公司 / 公司 / 集团, longest first where one
/// ends another: the name proper stands before them ("安乐" of "安乐建筑劳务有限公司").
const TRADES: &str = "建筑劳务 劳务 保安服务 物业服务 服务 商贸 贸易 物流 科技 电子 信息 网络 建设工程 工程 建设开发 房地产开发 地产开发 开发 房地产 地产 置业 建设 市场管理 物业管理 管理 物业 \
    投资 实业发展 发展 实业 销售 餐饮 装饰 装修 食品 医药 制药 教育 文化 传媒 咨询 运输 汽车 环保 能源 新能源 农业 生物 机械";

/// Characters of the trades `head` (a company's name before its class word) ends with, one
/// after another ("地产开发" = 地产 + 开发); 0 when it ends with none.
fn trade_chars_before(head: &str) -> usize {
    let mut rest = head;
    while let Some(trade) = TRADES.split_whitespace().filter(|t| rest.ends_with(t)).max_by_key(|t| t.len()) {
        rest = &rest[..rest.len() - trade.len()];
    }
    // (a name that is all trade words keeps its last two characters as the name proper)
    head[rest.len()..].chars().count().min(head.chars().count().saturating_sub(2))
}

/// A place named in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The blocking key: the class word with the two characters before it ("力之城").
    pub key: String,
    /// The name as written, head cut off ("万科魅力之城").
    pub name: String,
    /// Byte range of the name in the text.
    pub start: usize,
    pub end: usize,
    /// Named by a generic ending ("京广铁路"): see `GENERIC_PLACE_ENDINGS`.
    pub generic: bool,
}

impl Place {
    /// A company or group ("德鸿餐饮有限公司", "广铁集团"): who a post is about rather than
    /// where. A post may name one beside its place ("伊景园滨河苑捆绑销售车位！广铁集团…"), and
    /// another post of the same problem a wider place instead ("武广新城伊景园滨河苑…"): the
    /// two are still at one place (see `places_agree` in `super::cluster`).
    pub fn is_organisation(&self) -> bool {
        self.name.ends_with("公司") || self.name.ends_with("集团")
    }
}

/// The places of `text`, in order, at most `limit` of them, generic ones left out.
pub fn places_in(text: &str, limit: usize) -> Vec<Place> {
    let mut places = all_places_in(text, limit);
    places.retain(|p| !p.generic);
    places
}

/// The places of `text`, in order, at most `limit` of them besides the generic ones (at
/// most `limit` of those too).
pub fn all_places_in(text: &str, limit: usize) -> Vec<Place> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut places = Vec::new();
    let mut i = 0;
    // Start of the current run of name characters (in `chars` indices).
    let mut run_start = 0;
    let named = |places: &Vec<Place>| places.iter().filter(|p| !p.generic).count();
    while i < chars.len() && named(&places) < limit && places.len() < 2 * limit {
        // The suffix of a masked place code ("A市", "K9县") ends a name, never belongs to one.
        // ("A8县市星河湾" keeps its 市: "A7县市直小学", "A7县市政道路" are the county's.)
        let after_code = i > 0 && chars[i - 1].1.is_ascii_alphanumeric() && "市区县州省".contains(chars[i].1);
        let class = if after_code { None } else { class_word_at(text, &chars, i) };
        let Some(class) = class else {
            if after_code || !is_name_char(chars[i].1) {
                run_start = i + 1;
            }
            i += 1;
            continue;
        };
        let mut end = i + class.chars().count();
        let place = name_before(text, &chars, run_start, i, end);
        match place {
            Some(mut place) => {
                // "魅力之城小区": a second class word right after belongs to the name.
                while let Some(more) = class_word_at(text, &chars, end) {
                    end += more.chars().count();
                    place.end = chars.get(end).map_or(text.len(), |&(b, _)| b);
                    place.name = text[place.start..place.end].to_string();
                }
                places.push(place);
                run_start = end;
            }
            None if !chars[i..end].iter().all(|&(_, c)| is_name_char(c)) => run_start = end,
            None => {}
        }
        i = end;
    }
    places
}

/// The text with the byte ranges of `places` removed.
pub fn without_places(text: &str, places: &[Place]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for place in places {
        if place.start >= last {
            out.push_str(&text[last..place.start]);
            last = place.end;
        }
    }
    out.push_str(&text[last..]);
    out
}

fn class_word_at(text: &str, chars: &[(usize, char)], at: usize) -> Option<&'static str> {
    let &(byte, first) = chars.get(at)?;
    // Most characters start no class word: this test keeps the scan of long bodies fast.
    if !CJK_SETS.class_first.contains(first) {
        return None;
    }
    let rest = &text[byte..];
    let word = CJK_SETS.class_words_by_first[&first].iter().copied().find(|w| rest.starts_with(w))?;
    let next = rest[word.len()..].chars().next();
    let inside_longer_word = NOT_AFTER.iter().any(|(w, after)| *w == word && next.is_some_and(|c| after.contains(c)))
        || NOT_PLACES.iter().any(|w| rest.starts_with(w));
    (!inside_longer_word).then_some(word)
}

fn is_name_char(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) && !CJK_SETS.not_in_names.contains(c)
}

/// Sets of CJK characters as bitmaps: `str::contains(char)` on every character of every
/// body was most of the running time.
struct CjkSets {
    class_first: CjkSet,
    not_in_names: CjkSet,
    /// Class words by their first character, longest first.
    class_words_by_first: std::collections::HashMap<char, Vec<&'static str>>,
}

static CJK_SETS: std::sync::LazyLock<CjkSets> = std::sync::LazyLock::new(|| {
    let mut class_words_by_first: std::collections::HashMap<char, Vec<&'static str>> = Default::default();
    for word in CLASS_WORDS {
        class_words_by_first.entry(word.chars().next().expect("a word")).or_default().push(word);
    }
    for words in class_words_by_first.values_mut() {
        words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    }
    CjkSets { class_first: CjkSet::of(CLASS_FIRST_CHARS), not_in_names: CjkSet::of(NOT_IN_NAMES), class_words_by_first }
});

struct CjkSet(Vec<u64>);

impl CjkSet {
    const FIRST: u32 = 0x4e00;

    fn of(chars: &str) -> CjkSet {
        let mut bits = vec![0u64; (0xa000 - Self::FIRST as usize) / 64];
        for c in chars.chars() {
            let i = c as usize - Self::FIRST as usize;
            bits[i / 64] |= 1 << (i % 64);
        }
        CjkSet(bits)
    }

    fn contains(&self, c: char) -> bool {
        let Some(i) = (c as u32).checked_sub(Self::FIRST) else { return false };
        self.0.get(i as usize / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }
}

/// The place whose class word spans `chars[class_start..end]`, its name starting no earlier
/// than `run_start`.
fn name_before(text: &str, chars: &[(usize, char)], run_start: usize, class_start: usize, end: usize) -> Option<Place> {
    // Names are rarely longer than eight characters before the class word.
    let mut start = run_start.max(class_start.saturating_sub(8));
    // (cut there, the name does not begin inside a head: "投诉高新区松港雅居物业公司" is not
    // "诉高新区…")
    if start > run_start {
        let straddling = HEADS.iter().find_map(|h| {
            let len = h.chars().count();
            (1..len).filter(|&k| k <= start - run_start).find_map(|k| {
                let from = chars[start - k].0;
                text[from..].starts_with(*h).then_some(start - k + len)
            })
        });
        if let Some(after) = straddling {
            start = after;
            if start >= class_start {
                return None;
            }
        }
    }
    let byte_end = chars.get(end).map_or(text.len(), |&(b, _)| b);
    loop {
        let head = &text[chars[start].0..chars[class_start].0];
        match HEADS.iter().find(|h| head.starts_with(*h)) {
            Some(h) => start += h.chars().count(),
            None => break,
        }
        if start >= class_start {
            return None;
        }
    }
    if class_start < start + 2 {
        return None;
    }
    let head = &text[chars[start].0..chars[class_start].0];
    // Most heads hold no facility: one pass over their characters spares the word searches.
    let may_name_a_facility = head.contains(['站', '厂', '场', '地']);
    let after_facility =
        FACILITIES.iter().filter(|_| may_name_a_facility).filter_map(|f| head.rfind(f).map(|at| at + f.len())).max();
    if let Some(after) = after_facility {
        let name_chars = head[after..].chars().count();
        // at least two characters of a name must stay ("加油站旁新城" names no compound)
        if name_chars < 2 {
            return None;
        }
        start = class_start - name_chars;
    }
    let name = &text[chars[start].0..byte_end];
    let alone = |g: &&str| name.ends_with(*g) && name.chars().count() <= g.chars().count() + 1;
    if GENERIC_ALONE.iter().any(alone) {
        // "纳国际市场": the generic word begins a longer name, read on.
        if class_word_at(text, chars, end).is_some() {
            return None;
        }
        let (start, name) = (chars[start].0, name.to_string());
        return Some(Place { key: name.clone(), name, start, end: byte_end, generic: true });
    }
    let generic = match GENERIC_ENDINGS.iter().find(|g| name.ends_with(*g)) {
        None => false,
        // Two characters at least before a generic place ending: a name.
        Some(g) if GENERIC_PLACE_ENDINGS.contains(g) && name.chars().count() >= g.chars().count() + 2 => {
            // "城市道路", "政府尽快修好马路": what stands before is no name either.
            let head = &name[..name.len() - g.len()];
            if GENERIC_ENDINGS.iter().any(|other| head.contains(other)) {
                return None;
            }
            true
        }
        Some(_) => return None,
    };
    // The class word and the two characters before it, or before the common word the name
    // ends with: "第一人民医院" and "西地省人民医院" both end "人民医院", and are two hospitals.
    let common_ending = GENERIC_ALONE.iter().filter(|g| name.ends_with(*g)).map(|g| g.chars().count()).max();
    // A company's name ends with its trade ("安乐建筑劳务有限公司", "锦溪建筑劳务有限公司"), which
    // many companies share: its key is the two characters before the trade, the trade and the
    // class word.
    let class = &text[chars[class_start].0..byte_end];
    let trade_chars = if class.ends_with("公司") || class.ends_with("集团") {
        trade_chars_before(&text[chars[start].0..chars[class_start].0])
    } else {
        0
    };
    let key_chars = 2 + trade_chars + common_ending.map_or(0, |n| n.saturating_sub(end - class_start));
    let key = &text[chars[class_start.saturating_sub(key_chars).max(start)].0..byte_end];
    let key = if generic {
        // "分流道路", not "流道路": the ending is the class word and what stands before it.
        let chars_in_name: Vec<(usize, char)> = name.char_indices().collect();
        let ending = GENERIC_ENDINGS.iter().find(|g| name.ends_with(*g)).map_or(0, |g| g.chars().count());
        &name[chars_in_name[chars_in_name.len() - ending - 2].0..]
    } else {
        key
    };
    Some(Place { key: key.to_string(), name: name.to_string(), start: chars[start].0, end: byte_end, generic })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (key, generic) of every place of `text`, generic ones included.
    fn all(text: &str) -> Vec<(String, bool)> {
        all_places_in(text, 8).into_iter().map(|p| (p.key, p.generic)).collect()
    }

    fn place(key: &str, generic: bool) -> (String, bool) {
        (key.to_string(), generic)
    }

    fn check(text: &str, expected: &[(&str, &str)]) {
        let found: Vec<(String, String)> = places_in(text, 8).into_iter().map(|p| (p.name, p.key)).collect();
        let expected: Vec<(String, String)> = expected.iter().map(|(n, k)| (n.to_string(), k.to_string())).collect();
        assert_eq!(found, expected, "places of {text:?}");
    }

    #[test]
    fn compounds_keep_a_key_that_survives_a_reworded_head() {
        check("A市A5区魅力之城小区临街门面油烟扰民", &[("魅力之城小区", "力之城")]);
        check("A市万科魅力之城商铺无排烟管道", &[("万科魅力之城", "力之城")]);
        check("投诉滨河苑针对广铁职工购房的霸王规定", &[("滨河苑", "滨河苑")]);
        check("A市伊景园滨河苑捆绑销售车位", &[("伊景园", "伊景园"), ("滨河苑", "滨河苑")]);
        check("丽发新城小区旁边建搅拌站", &[("丽发新城小区", "丽发新城")]);
    }

    #[test]
    fn a_facility_named_before_the_compound_is_the_problem_not_the_name() {
        check("搅拌站丽发新城小区粉尘大的孩子生活不了", &[("丽发新城小区", "丽发新城")]);
        check("A市混凝土搅拌站丽发新城噪音", &[("丽发新城", "丽发新城")]);
        check("垃圾中转站青青家园小区旁臭气熏天", &[("青青家园小区", "青青家园")]);
        check("加油站旁新城", &[]);
        let text = "搅拌站丽发新城小区粉尘大";
        assert_eq!(without_places(text, &places_in(text, 8)), "搅拌站粉尘大");
    }

    #[test]
    fn roads_schools_villages_and_companies() {
        check("A市万家丽南路丽发新城居民区附近搅拌站扰民", &[("万家丽南路", "丽南路"), ("丽发新城", "丽发新城")]);
        check("反映A7县春华镇金鼎村水泥路、自来水到户的问题", &[("春华镇", "春华镇"), ("金鼎村", "金鼎村")]);
        check("A3区桐梓坡路与麓松路交汇处", &[("桐梓坡路", "梓坡路"), ("麓松路", "麓松路")]);
        check("A5区桥头河锦绣路段路久欠修", &[("桥头河锦绣路", "锦绣路")]);
        check("A市经济学院学生被强制实习", &[("经济学院", "经济学院")]);
        check("A市德鸿餐饮有限公司拖欠工资", &[("德鸿餐饮有限公司", "德鸿餐饮有限公司")]);
        // two companies of one trade are two places
        check("南湖区安乐建筑劳务有限公司拖欠工资", &[("湖区安乐建筑劳务有限公司", "安乐建筑劳务有限公司")]);
        check("投诉锦溪建筑劳务有限公司拖欠工资", &[("锦溪建筑劳务有限公司", "锦溪建筑劳务有限公司")]);
        check("A市华天大超市门口占道经营", &[("华天大超市", "天大超市")]);
    }

    #[test]
    fn companies_and_groups_are_organisations() {
        let organisations = |text: &str| -> Vec<(String, bool)> {
            all_places_in(text, 8).into_iter().map(|p| (p.key.clone(), p.is_organisation())).collect()
        };
        assert_eq!(
            organisations("伊景园滨河苑车位捆绑销售！广铁集团做个人吧！"),
            [place("伊景园", false), place("滨河苑", false), place("广铁集团", true)]
        );
        assert_eq!(organisations("A市德鸿餐饮有限公司拖欠工资"), [place("德鸿餐饮有限公司", true)]);
        assert_eq!(organisations("A市恒大地产公司拖欠工资"), [place("恒大地产公司", true)]);
        assert_eq!(organisations("A市华天大超市门口占道经营"), [place("天大超市", false)]);
    }

    #[test]
    fn generic_words_name_no_place() {
        check("希望政府尽快修好马路", &[]);
        check("加强城市管理，村民意见大", &[]);
        check("我们小区的物业公司乱收费", &[]);
        check("咨询公积金贷款买房问题", &[]);
    }

    #[test]
    fn a_name_before_a_generic_place_ending_is_a_generic_place() {
        assert_eq!(all("A6区分流道路48号阳光城檀悦工地"), [place("分流道路", true), place("阳光城", false)]);
        assert_eq!(all("京广铁路噪音扰民"), [place("京广铁路", true)]);
        assert_eq!(all("黄兴镇安置小区漏水"), [place("黄兴镇", false)]);
        assert_eq!(all("A市恒大地产公司拖欠工资"), [place("恒大地产公司", true)]);
        check("京广铁路噪音扰民", &[]);
        assert_eq!(all("希望政府尽快修好马路"), []);
        assert_eq!(all("修马路"), []);
        assert_eq!(all("城市道路"), []);
    }

    #[test]
    fn a_generic_name_alone_is_a_generic_place_and_a_longer_name_is_a_place() {
        assert_eq!(all("A市市人民医院在省中医附一医院治疗"), [place("市人民医院", true), place("附一医院", false)]);
        assert_eq!(all("A市新菜市场占道经营"), [place("新菜市场", true)]);
        check("A市市人民医院在省中医附一医院治疗", &[("省中医附一医院", "附一医院")]);
        check("A市衡平中医医院乱收费", &[("衡平中医医院", "衡平中医医院")]);
        check("爱尔眼科医院的停车费贵的太离谱", &[("爱尔眼科医院", "爱尔眼科医院")]);
        check("A市马物流园区路政设施不全", &[]);
        // Two hospitals of one city, whose names end with the same common word.
        check("A市第一人民医院治疗报销", &[("第一人民医院", "第一人民医院")]);
        check("西地省人民医院治疗报销", &[("西地省人民医院", "地省人民医院")]);
        check("A市朝阳菜市场占道经营", &[("朝阳菜市场", "朝阳菜市场")]);
        check("A3区省人民医院社区医保问题", &[]);
        check("A市泉星社区医院看病难", &[("泉星社区医院", "泉星社区")]);
        check("A市纳国际市场占道经营", &[("纳国际市场", "国际市场")]);
        check("A市青青家园小区停水", &[("青青家园小区", "青青家园")]);
    }

    #[test]
    fn estates_hospitals_and_shops_of_real_posts() {
        check("A3区金色山庄门口堵车", &[("金色山庄", "金色山庄")]);
        check("A市恒大翡翠华庭漏水", &[("恒大翡翠华庭", "翡翠华庭")]);
        check("A市城东大商场拖欠工资", &[("城东大商场", "东大商场")]);
        check("A7县黄花中心卫生院乱收费", &[("黄花中心卫生院", "黄花中心卫生院")]);
        // 都 names compounds ("all" does not stand before a class word)
        check("A2区柠檬丽都小区A3栋商铺噪音扰民严重", &[("柠檬丽都小区", "丽都小区")]);
        check("A市水榭花都小区停车难", &[("水榭花都小区", "花都小区")]);
        // a name cut at eight characters does not begin inside 投诉
        check("投诉高新区松港雅居物业公司乱收费", &[("高新区松港雅居物业公司", "雅居物业公司")]);
        // the 市 after a county's code is the name's ("A7县市直小学": the county's own school)
        check("A7县市直小学乱收费", &[("市直小学", "市直小学")]);
    }

    #[test]
    fn experimental_schools_and_shops_are_told_apart_by_their_names() {
        // (a district written in full stays in the name shown; the key is what matches)
        check("强制学生有偿补课（北塘区博源实验学校）", &[("北塘区博源实验学校", "博源实验学校")]);
        check("枫林县柳祥实验学校强制购买教辅资料", &[("枫林县柳祥实验学校", "柳祥实验学校")]);
        check("建议整治月居便利店预付卡商家跑路", &[("月居便利店", "月居便利店")]);
        check("我在云泉洗车店办了一张会员卡，店门口贴了装修通知", &[("云泉洗车店", "云泉洗车店")]);
        check("要求退卡，该店一直推脱，门店关门了", &[]);
        check("江润母婴店的店主联系不上", &[("江润母婴店", "江润母婴店")]);
        check("春明烧烤店排风扇噪音大油烟重", &[("春明烧烤店", "春明烧烤店")]);
        check("旅游团强制购物（恒辉温泉度假村）", &[("恒辉温泉度假村", "恒辉温泉度假村")]);
    }

    #[test]
    fn every_facility_ends_with_a_character_looked_for_first() {
        for word in FACILITIES {
            assert!(['站', '厂', '场', '地'].iter().any(|&c| word.ends_with(c)), "{word}");
        }
    }

    #[test]
    fn every_class_word_starts_with_a_listed_character() {
        for word in CLASS_WORDS {
            assert!(CLASS_FIRST_CHARS.contains(word.chars().next().expect("a word")), "{word}");
        }
    }

    #[test]
    fn removing_places_leaves_the_problem() {
        let text = "A市A5区魅力之城小区临街门面油烟扰民";
        assert_eq!(without_places(text, &places_in(text, 8)), "A市A5区临街门面油烟扰民");
    }
}
