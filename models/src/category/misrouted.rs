//! Misrouted posts: a post whose category is not one its addressed unit usually handles.
//!
//! A unit's usual categories are learnt from the data, not configured: the most frequent
//! categories of its posts, taken until they cover 90% of them. Units with fewer than 20
//! posts have no usual categories yet (too little to say what is unusual), and their posts
//! get no hint.

use std::collections::BTreeMap;

/// Share of a unit's posts its usual categories must cover.
pub const USUAL_COVERAGE: f64 = 0.9;
/// Posts a unit needs before its categories say anything.
pub const MIN_UNIT_POSTS: u64 = 20;

/// unit → its usual categories, most frequent first.
pub type UsualCategories = BTreeMap<String, Vec<String>>;

/// The usual categories of every unit with enough posts, from unit → (category → posts).
/// Ties in frequency are broken by the category's name, so the result is stable.
pub fn usual_categories(counts: &BTreeMap<String, BTreeMap<String, u64>>) -> UsualCategories {
    let mut usual = UsualCategories::new();
    for (unit, categories) in counts {
        let total: u64 = categories.values().sum();
        if total < MIN_UNIT_POSTS {
            continue;
        }
        let mut ranked: Vec<(&String, &u64)> = categories.iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let mut covered = 0;
        let mut chosen = Vec::new();
        for (category, n) in ranked {
            if covered as f64 >= USUAL_COVERAGE * total as f64 {
                break;
            }
            covered += n;
            chosen.push(category.clone());
        }
        usual.insert(unit.clone(), chosen);
    }
    usual
}

/// A short hint naming the predicted category when it is not among the unit's usual ones;
/// `None` when it is, or when the unit has no usual categories yet.
pub fn misrouted_hint(usual: &UsualCategories, unit: &str, category: &str) -> Option<String> {
    let categories = usual.get(unit)?;
    if categories.iter().any(|c| c == category) {
        return None;
    }
    Some(format!("内容属于「{category}」，不在{unit}的常见类别（{}）中，可能转错单位", categories.join("、")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(rows: &[(&str, &[(&str, u64)])]) -> BTreeMap<String, BTreeMap<String, u64>> {
        rows.iter()
            .map(|(unit, cats)| (unit.to_string(), cats.iter().map(|(c, n)| (c.to_string(), *n)).collect()))
            .collect()
    }

    fn check(usual: &UsualCategories, unit: &str, category: &str, expected: Option<&str>) {
        assert_eq!(misrouted_hint(usual, unit, category).as_deref(), expected, "{unit} / {category}");
    }

    #[test]
    fn usual_categories_cover_ninety_percent_of_a_units_posts() {
        let usual = usual_categories(&counts(&[
            ("A市教育局", &[("教育文体", 85), ("劳动和社会保障", 10), ("城乡建设", 5)]),
            ("A市住建局", &[("城乡建设", 50), ("环境保护", 50)]),
            ("K9县人民政府", &[("城乡建设", 12), ("交通运输", 7)]),
        ]));
        assert_eq!(usual["A市教育局"], ["教育文体", "劳动和社会保障"]);
        // Equal counts: the name decides, and both are needed to reach 90%.
        assert_eq!(usual["A市住建局"], ["城乡建设", "环境保护"]);
        assert!(!usual.contains_key("K9县人民政府"), "19 posts are too few");
    }

    #[test]
    fn hints_name_the_category_and_the_units_usual_ones() {
        let usual =
            usual_categories(&counts(&[("A市教育局", &[("教育文体", 85), ("劳动和社会保障", 10), ("城乡建设", 5)])]));
        check(&usual, "A市教育局", "教育文体", None);
        check(
            &usual,
            "A市教育局",
            "交通运输",
            Some("内容属于「交通运输」，不在A市教育局的常见类别（教育文体、劳动和社会保障）中，可能转错单位"),
        );
        check(&usual, "K9县人民政府", "交通运输", None);
    }
}
