//! `DIR/categories/misrouted.parquet`: posts whose predicted category is not one their
//! addressed unit usually handles, with a short hint naming it.
//!
//! A table of its own rather than a column of `posts`: a unit's usual categories are learnt
//! from every post of the folder, so they change as posts are added, and the append-only
//! posts parts would keep hints computed on yesterday's data. The table is recomputed in full
//! after each ingest (it reads four columns of posts). Only predicted categories are checked:
//! a category given in the export was decided by a person together with the routing.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, Result};
use models::category::{misrouted_hint, usual_categories};
use polars::prelude::*;

use crate::store::{self, DataDir};
use crate::tables;

pub const MISROUTED_FILE: &str = "categories/misrouted.parquet";

/// Writes the misrouted-post table of `dir`; returns how many posts it holds.
pub fn write_misrouted(dir: &DataDir) -> Result<usize> {
    let parts = dir.parts("posts");
    let columns = ["post_id", "unit", "category", "category_source", "category_prob"];
    let Some(posts) = tables::read_table(&parts, &columns).ok().flatten() else {
        // No posts yet, or parts written before categories were predicted.
        return Ok(0);
    };
    let ids = posts.column("post_id")?.str()?;
    let units = posts.column("unit")?.str()?;
    let categories = posts.column("category")?.str()?;
    let sources = posts.column("category_source")?.str()?;
    let probs = posts.column("category_prob")?.f64()?;

    // Counted under borrowed names first: a million posts name a few hundred pairs.
    let mut pairs: HashMap<(&str, &str), u64> = HashMap::new();
    for (unit, category) in units.iter().zip(categories.iter()) {
        if let (Some(unit), Some(category)) = (unit, category) {
            *pairs.entry((unit, category)).or_default() += 1;
        }
    }
    let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for ((unit, category), n) in pairs {
        counts.entry(unit.to_string()).or_default().insert(category.to_string(), n);
    }
    let usual = usual_categories(&counts);

    let mut rows: Vec<(String, String, String, Option<f64>, String, String)> = Vec::new();
    for i in 0..posts.height() {
        let (Some(unit), Some(category)) = (units.get(i), categories.get(i)) else { continue };
        if sources.get(i) != Some("predicted") {
            continue;
        }
        if let Some(hint) = misrouted_hint(&usual, unit, category) {
            let usual = usual.get(unit).map(|c| c.join("、")).unwrap_or_default();
            let id = ids.get(i).unwrap_or_default().to_string();
            rows.push((id, unit.to_string(), category.to_string(), probs.get(i), usual, hint));
        }
    }
    let mut frame = DataFrame::new(
        rows.len(),
        vec![
            Column::new("post_id".into(), rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>()),
            Column::new("unit".into(), rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>()),
            Column::new("category".into(), rows.iter().map(|r| r.2.as_str()).collect::<Vec<_>>()),
            Column::new("category_prob".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
            Column::new("usual_categories".into(), rows.iter().map(|r| r.4.as_str()).collect::<Vec<_>>()),
            Column::new("misrouted_hint".into(), rows.iter().map(|r| r.5.as_str()).collect::<Vec<_>>()),
        ],
    )?;
    let path = dir.path(MISROUTED_FILE);
    std::fs::create_dir_all(path.parent().expect("categories folder"))
        .with_context(|| format!("cannot create {}", path.display()))?;
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).with_compression(tables::compression()).finish(&mut frame)?;
    store::write_atomically(&path, &bytes)?;
    Ok(rows.len())
}
