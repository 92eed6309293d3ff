//! The fictional city the sample corpus is set in: its districts and counties, their street
//! offices and towns, and the units (承办单位) that answer posts, each with a planted behaviour.
//!
//! Units are built from a separate random stream seeded only by `--seed`, so a unit's speed and
//! reply quality do not change with `--posts`: a small and a large corpus tell the same story.

use super::rng::Rng;

/// The line of work a problem belongs to; decides which departments can be asked to handle it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dept {
    Education,
    Housing,
    UrbanManagement,
    Labour,
    Ecology,
    Market,
    Police,
    Transport,
    Health,
    Land,
    Culture,
    Commerce,
    MedicalInsurance,
    Water,
    Agriculture,
    CivilAffairs,
}

/// City departments, one per line of work; names as the platform shows them.
const CITY_DEPARTMENTS: &[(Dept, &str)] = &[
    (Dept::Education, "市教育局"),
    (Dept::Housing, "市住房和城乡建设局"),
    (Dept::UrbanManagement, "市城市管理局"),
    (Dept::Labour, "市人力资源和社会保障局"),
    (Dept::Ecology, "市生态环境局"),
    (Dept::Market, "市市场监督管理局"),
    (Dept::Police, "市公安局"),
    (Dept::Transport, "市交通运输局"),
    (Dept::Health, "市卫生健康委员会"),
    (Dept::Land, "市自然资源和规划局"),
    (Dept::Culture, "市文化旅游广电体育局"),
    (Dept::Commerce, "市商务局"),
    (Dept::MedicalInsurance, "市医疗保障局"),
    (Dept::Water, "市水利局"),
    (Dept::Agriculture, "市农业农村局"),
    (Dept::CivilAffairs, "市民政局"),
];

/// Departments every district and county has its own office of (name after the area's name).
const AREA_DEPARTMENTS: &[(Dept, &str)] = &[
    (Dept::Education, "教育局"),
    (Dept::Housing, "住房和城乡建设局"),
    (Dept::UrbanManagement, "城市管理和综合执法局"),
];

/// A district (区) or county (县) of the city, with its street offices or towns.
pub struct AreaDef {
    pub name: &'static str,
    pub is_county: bool,
    /// Street offices (街道) of a district, towns (镇) of a county, short names.
    pub offices: &'static [&'static str],
}

pub const AREAS: &[AreaDef] = &[
    AreaDef { name: "东城区", is_county: false, offices: &["朝阳街道", "东风街道", "建设路街道"] },
    AreaDef { name: "西城区", is_county: false, offices: &["西门街道", "桂花坪街道", "金盆街道"] },
    AreaDef { name: "南湖区", is_county: false, offices: &["南湖街道", "白沙街道", "新开铺街道"] },
    AreaDef { name: "北塘区", is_county: false, offices: &["北塘街道", "望月街道", "洪山街道"] },
    AreaDef { name: "高新区", is_county: false, offices: &["麓谷街道", "科创街道", "东方红街道"] },
    AreaDef { name: "临港区", is_county: false, offices: &["港城街道", "新港街道", "滨江街道"] },
    AreaDef { name: "青山县", is_county: true, offices: &["龙泉镇", "河口镇", "石桥镇"] },
    AreaDef { name: "白水县", is_county: true, offices: &["白水镇", "清溪镇", "杨柳镇"] },
    AreaDef { name: "石门县", is_county: true, offices: &["石门镇", "花桥镇", "大坪镇"] },
    AreaDef { name: "枫林县", is_county: true, offices: &["枫林镇", "黄土岭镇", "长乐镇"] },
];

/// Posting volume per area: the urban districts carry most of it.
const AREA_WEIGHTS: &[f64] = &[1.6, 1.4, 1.3, 1.0, 0.9, 0.7, 0.6, 0.5, 0.4, 0.4];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    CityDepartment,
    DistrictGovernment,
    CountyGovernment,
    AreaDepartment,
    StreetOffice,
    TownGovernment,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::CityDepartment => "city_department",
            Level::DistrictGovernment => "district_government",
            Level::CountyGovernment => "county_government",
            Level::AreaDepartment => "area_department",
            Level::StreetOffice => "street_office",
            Level::TownGovernment => "town_government",
        }
    }
}

/// One answering unit and its planted behaviour.
pub struct Unit {
    pub name: String,
    pub level: Level,
    pub area: Option<usize>,
    /// Multiplies every reply delay of this unit (1.0 = the city's typical pace).
    pub speed_factor: f64,
    /// Chance that a final reply is evasive (acknowledgement only, deflection, refusal, 已转有关部门).
    pub p_evasive: f64,
    /// Chance that a final reply is entirely generic (vague level 2), pasted or not.
    pub p_vague: f64,
}

/// The city-wide mean rates the per-unit rates are spread around.
const MEAN_P_EVASIVE: f64 = 0.06;
const MEAN_P_VAGUE: f64 = 0.12;

pub struct City {
    pub units: Vec<Unit>,
    city_dept: Vec<(Dept, usize)>,
    /// Per area: government, its departments, its offices (indices into `units`).
    area_gov: Vec<usize>,
    area_dept: Vec<Vec<(Dept, usize)>>,
    area_offices: Vec<Vec<usize>>,
}

impl City {
    pub fn new(seed: u64) -> City {
        let mut units = Vec::new();
        let mut add = |name: String, level, area| {
            units.push(Unit { name, level, area, speed_factor: 1.0, p_evasive: 0.0, p_vague: 0.0 });
            units.len() - 1
        };
        let city_dept =
            CITY_DEPARTMENTS.iter().map(|&(d, name)| (d, add(name.to_string(), Level::CityDepartment, None))).collect();
        let (mut area_gov, mut area_dept, mut area_offices) = (Vec::new(), Vec::new(), Vec::new());
        for (a, area) in AREAS.iter().enumerate() {
            let level = if area.is_county { Level::CountyGovernment } else { Level::DistrictGovernment };
            area_gov.push(add(format!("{}人民政府", area.name), level, Some(a)));
            area_dept.push(
                AREA_DEPARTMENTS
                    .iter()
                    .map(|&(d, name)| (d, add(format!("{}{name}", area.name), Level::AreaDepartment, Some(a))))
                    .collect(),
            );
            area_offices.push(
                area.offices
                    .iter()
                    .map(|o| match area.is_county {
                        true => add(format!("{}{o}人民政府", area.name), Level::TownGovernment, Some(a)),
                        false => add(format!("{}{o}办事处", area.name), Level::StreetOffice, Some(a)),
                    })
                    .collect(),
            );
        }
        let mut city = City { units, city_dept, area_gov, area_dept, area_offices };
        city.plant_behaviour(seed);
        city
    }

    /// Speed and quality differ between units on purpose (log-normal spreads around the city
    /// means), so per-unit indicators and rankings have something true to find.
    fn plant_behaviour(&mut self, seed: u64) {
        let mut rng = Rng::stream(seed, 0x756E_6974); // "unit"
        let draws: Vec<(f64, f64, f64)> = self
            .units
            .iter()
            .map(|_| ((0.5 * rng.normal()).exp(), (0.8 * rng.normal()).exp(), (0.5 * rng.normal()).exp()))
            .collect();
        let n = draws.len() as f64;
        let mean_e = draws.iter().map(|d| d.1).sum::<f64>() / n;
        let mean_v = draws.iter().map(|d| d.2).sum::<f64>() / n;
        for (unit, (speed, e, v)) in self.units.iter_mut().zip(draws) {
            // Rounded to what units.csv shows, so the file states exactly what was used.
            unit.speed_factor = round4(speed.clamp(0.35, 4.0));
            unit.p_evasive = round4((MEAN_P_EVASIVE * e / mean_e).min(0.45));
            unit.p_vague = round4((MEAN_P_VAGUE * v / mean_v).min(0.45));
        }
    }

    pub fn pick_area(&self, rng: &mut Rng) -> usize {
        rng.weighted(AREA_WEIGHTS)
    }

    fn city_department(&self, dept: Dept) -> usize {
        self.city_dept.iter().find(|(d, _)| *d == dept).map(|&(_, u)| u).expect("every dept has a city department")
    }

    fn area_department(&self, area: usize, dept: Dept) -> Option<usize> {
        self.area_dept[area].iter().find(|(d, _)| *d == dept).map(|&(_, u)| u)
    }

    /// The unit a citizen addresses for a problem of `dept` at a place in `area` near `office`.
    pub fn addressed_unit(&self, area: usize, office: usize, dept: Dept, rng: &mut Rng) -> usize {
        let r = rng.unit();
        if r < 0.40 {
            self.city_department(dept)
        } else if r < 0.62 {
            self.area_gov[area]
        } else if r < 0.80 {
            self.area_department(area, dept).unwrap_or(self.area_gov[area])
        } else {
            self.area_offices[area][office]
        }
    }

    /// The unit `from` forwards a post to: one level closer to the place, never itself.
    pub fn forward_target(&self, from: usize, area: usize, office: usize, dept: Dept) -> usize {
        let office_unit = self.area_offices[area][office];
        let target = match self.units[from].level {
            Level::CityDepartment => self.area_department(area, dept).unwrap_or(self.area_gov[area]),
            Level::DistrictGovernment | Level::CountyGovernment => {
                self.area_department(area, dept).unwrap_or(office_unit)
            }
            Level::AreaDepartment => office_unit,
            Level::StreetOffice | Level::TownGovernment => {
                self.area_department(area, dept).unwrap_or(self.city_department(dept))
            }
        };
        if target == from {
            self.area_gov[area]
        } else {
            target
        }
    }

    /// How often a unit of this level passes a post on instead of answering it itself.
    pub fn forward_rate(&self, unit: usize) -> f64 {
        match self.units[unit].level {
            Level::DistrictGovernment | Level::CountyGovernment => 0.15,
            Level::CityDepartment => 0.05,
            Level::AreaDepartment => 0.04,
            Level::StreetOffice | Level::TownGovernment => 0.02,
        }
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names_are_unique_and_behaviour_depends_only_on_seed() {
        let city = City::new(1);
        let mut names: Vec<&str> = city.units.iter().map(|u| u.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), city.units.len());
        assert!(city.units.len() >= 60, "dozens of units: {}", city.units.len());
        let speeds = |c: &City| c.units.iter().map(|u| u.speed_factor).collect::<Vec<_>>();
        assert_eq!(speeds(&City::new(1)), speeds(&city));
        assert_ne!(speeds(&City::new(2)), speeds(&city));
    }

    #[test]
    fn forwarding_never_targets_the_forwarding_unit() {
        let city = City::new(3);
        for from in 0..city.units.len() {
            for area in 0..AREAS.len() {
                for dept in [Dept::Education, Dept::Police, Dept::Housing] {
                    assert_ne!(city.forward_target(from, area, 1, dept), from);
                }
            }
        }
    }
}
