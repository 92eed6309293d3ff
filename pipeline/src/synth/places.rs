//! Place names a post is about: compounds (小区/花园/苑), roads and junctions, schools,
//! villages, companies, shops, markets, hospitals, parks.
//!
//! Names are a two-character stem drawn from two character sets (about 2,500 stems) plus a
//! suffix of the place's class. The space is large on purpose: two unrelated posts rarely name
//! the same compound about the same problem, so the recurring clusters that were planted are
//! the ones a clustering stage should find.

use super::city::AREAS;
use super::rng::Rng;

const STEM_FIRST: &[char] = &[
    '金', '银', '翠', '碧', '锦', '御', '龙', '凤', '华', '嘉', '和', '丰', '瑞', '福', '康', '泰', '安', '宁', '盛',
    '兴', '鑫', '新', '天', '海', '江', '湖', '山', '云', '月', '星', '阳', '春', '梅', '兰', '竹', '桂', '枫', '柳',
    '松', '博', '恒', '润', '景', '怡', '雅', '德', '晨', '紫', '蓝', '青',
];
const STEM_SECOND: &[char] = &[
    '源', '城', '园', '景', '湾', '庭', '苑', '林', '泉', '溪', '峰', '岭', '湖', '洲', '桥', '港', '塘', '坪', '河',
    '山', '都', '邦', '府', '居', '悦', '晖', '辉', '荣', '兴', '隆', '盛', '华', '达', '祥', '安', '泰', '康', '平',
    '乐', '福', '和', '美', '丽', '秀', '馨', '雅', '清', '明', '润', '丰',
];

const ROAD_STEMS: &[&str] = &[
    "人民",
    "解放",
    "建设",
    "中山",
    "五一",
    "芙蓉",
    "长江",
    "黄河",
    "迎宾",
    "体育",
    "文昌",
    "学院",
    "车站",
    "劳动",
    "东风",
    "红旗",
    "光明",
    "团结",
    "胜利",
    "和平",
    "新华",
    "滨江",
    "环城",
    "工业",
    "科技",
    "振兴",
    "朝阳",
    "湘府",
    "麓山",
    "望城",
    "银杉",
    "桐梓",
    "紫薇",
    "香樟",
    "万家丽",
    "韶山",
    "曙光",
    "八一",
    "雨花",
    "桂花",
];
const ROAD_SUFFIXES: &[&str] = &["路", "路", "大道", "街", "东路", "西路", "南路", "北路", "中路"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaceClass {
    Estate,
    Road,
    Junction,
    School,
    Village,
    Site,
    Factory,
    Employer,
    Eatery,
    Store,
    Market,
    Hospital,
    Clinic,
    Park,
    Scenic,
}

/// A place in a post, and the party answerable for it (a property company, a builder, or the
/// place itself), which substantive replies name.
#[derive(Clone, Debug)]
pub struct Place {
    pub name: String,
    pub party: String,
}

fn stem(rng: &mut Rng) -> String {
    let a = rng.pick(STEM_FIRST);
    let mut b = rng.pick(STEM_SECOND);
    if b == a {
        b = '园';
    }
    [a, b].iter().collect()
}

pub fn road(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(ROAD_STEMS), rng.pick(ROAD_SUFFIXES))
}

fn one_of(rng: &mut Rng, items: &[&str]) -> String {
    rng.pick(items).to_string()
}

/// "东城区" → "东城": hospitals and schools are often named after their area.
fn area_short(area: usize) -> &'static str {
    let name = AREAS[area].name;
    &name[..name.len() - '区'.len_utf8()]
}

/// A new place of `class` in `area`, near the street office or town `office`.
pub fn make(class: PlaceClass, area: usize, office: usize, rng: &mut Rng) -> Place {
    let s = stem(rng);
    let office_name = AREAS[area].offices[office];
    let (name, party) = match class {
        PlaceClass::Estate => {
            let sfx =
                one_of(rng, &["小区", "花园", "苑", "家园", "新城", "公寓", "名苑", "华府", "雅居", "新村", "小区"]);
            let phase = if rng.chance(0.12) { one_of(rng, &["二期", "三期", "一期"]) } else { String::new() };
            (format!("{s}{sfx}{phase}"), format!("{s}物业服务有限公司"))
        }
        PlaceClass::Road => {
            let r = road(rng);
            (r.clone(), r)
        }
        PlaceClass::Junction => {
            let (a, b) = (road(rng), road(rng));
            let at = one_of(rng, &["交叉口", "路口", "交汇处", "十字路口"]);
            (format!("{a}与{b}{at}"), format!("{a}与{b}{at}"))
        }
        PlaceClass::School => {
            let name = match rng.below(4) {
                0 => format!(
                    "{}第{}中学",
                    area_short(area),
                    one_of(rng, &["一", "二", "三", "四", "五", "六", "七", "八"])
                ),
                1 => format!("{s}小学"),
                2 => format!("{s}实验学校"),
                _ => format!("{s}{}", one_of(rng, &["中学", "幼儿园", "小学", "双语学校"])),
            };
            (name.clone(), name)
        }
        PlaceClass::Village => {
            let unit = if AREAS[area].is_county { "村" } else { "社区" };
            let name = format!("{office_name}{s}{unit}");
            (name, format!("{s}{unit}村（居）民委员会"))
        }
        PlaceClass::Site => {
            let name = format!(
                "{s}{}",
                one_of(rng, &["华府项目工地", "广场项目工地", "安置小区工地", "综合体工地", "棚改项目工地"])
            );
            (name, format!("{s}建设工程有限公司"))
        }
        PlaceClass::Factory => {
            let kind =
                one_of(rng, &["化工厂", "水泥厂", "混凝土搅拌站", "砖厂", "养猪场", "木材加工厂", "塑料厂", "电镀厂"]);
            let name = format!("{s}{kind}");
            (name.clone(), name)
        }
        PlaceClass::Employer => {
            let kind = one_of(
                rng,
                &[
                    "建筑劳务有限公司",
                    "科技有限公司",
                    "电子厂",
                    "商贸有限公司",
                    "物流有限公司",
                    "制衣厂",
                    "保安服务有限公司",
                ],
            );
            let name = format!("{s}{kind}");
            (name.clone(), name)
        }
        PlaceClass::Eatery => {
            let name = format!("{s}{}", one_of(rng, &["酒楼", "烧烤店", "火锅店", "大排档", "小吃店", "饭店", "餐馆"]));
            (name.clone(), name)
        }
        PlaceClass::Store => {
            let kind =
                one_of(rng, &["超市", "健身会所", "美容美发店", "培训中心", "便利店", "母婴店", "家电城", "洗车店"]);
            let name = format!("{s}{kind}");
            (name.clone(), name)
        }
        PlaceClass::Market => {
            let name = format!("{s}{}", one_of(rng, &["农贸市场", "菜市场", "批发市场", "步行街", "商业广场"]));
            (name.clone(), format!("{s}市场管理有限公司"))
        }
        PlaceClass::Hospital => {
            let name = match rng.below(3) {
                0 => format!("{}{}", area_short(area), one_of(rng, &["人民医院", "中医医院", "妇幼保健院"])),
                1 if AREAS[area].is_county => format!("{office_name}卫生院"),
                _ => format!("{s}{}", one_of(rng, &["医院", "骨科医院", "眼科医院", "社区卫生服务中心"])),
            };
            (name.clone(), name)
        }
        PlaceClass::Clinic => {
            let name = format!("{s}{}", one_of(rng, &["诊所", "门诊部", "大药房", "口腔诊所"]));
            (name.clone(), name)
        }
        PlaceClass::Park => {
            let name = format!("{s}{}", one_of(rng, &["公园", "广场", "体育馆", "健身广场", "湿地公园"]));
            (name.clone(), name)
        }
        PlaceClass::Scenic => {
            let name = format!("{s}{}", one_of(rng, &["山景区", "湖景区", "古镇", "生态园", "温泉度假村", "农家乐"]));
            (name.clone(), format!("{s}旅游开发有限公司"))
        }
    };
    Place { name, party }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_gives_a_name_that_ends_like_its_class() {
        let mut rng = Rng::new(5);
        let check = |class, ends: &[&str], rng: &mut Rng| {
            for _ in 0..50 {
                let p = make(class, 6, 1, rng);
                assert!(ends.iter().any(|e| p.name.contains(e)), "{class:?}: {}", p.name);
                assert!(!p.party.is_empty());
            }
        };
        check(PlaceClass::Estate, &["小区", "花园", "苑", "家园", "新城", "公寓", "华府", "雅居", "新村"], &mut rng);
        check(PlaceClass::Junction, &["口", "交汇处"], &mut rng);
        check(PlaceClass::Village, &["河口镇"], &mut rng);
        check(PlaceClass::School, &["学", "学校", "幼儿园"], &mut rng);
        check(PlaceClass::Hospital, &["医院", "卫生院", "保健院", "中心"], &mut rng);
    }

    #[test]
    fn the_name_space_is_large() {
        let mut rng = Rng::new(9);
        let mut names: Vec<String> = (0..2000).map(|_| make(PlaceClass::Estate, 0, 0, &mut rng).name).collect();
        names.sort_unstable();
        names.dedup();
        assert!(names.len() > 1800, "only {} distinct of 2000", names.len());
    }
}
