//! The scorer's judgement of every reply of shared/data/replies_dev.xlsx, one JSON object a
//! line on stdout (id, levels, type, evidence, the level model's features), for reading the scorer against tuning labels
//! while changing the lexicon or rules without a data folder:
//!
//! `cargo build --release --workspace --example scoring_review` then
//! `$CARGO_TARGET_DIR/release/examples/scoring_review > review.jsonl`

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use models::scoring::{Lexicon, Scorer};

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/replies_dev.xlsx");
    let mut workbook = open_workbook_auto(&path).expect("replies_dev.xlsx opens");
    let range = workbook.worksheet_range_at(0).expect("a first sheet").expect("the sheet reads");
    let cell = |c: Option<&Data>| c.map(|d| d.to_string()).unwrap_or_default();
    // a lexicon to try instead of the shipped one (`SCORING_LEXICON=path`), to compare edits
    // without a rebuild
    let scorer = match std::env::var_os("SCORING_LEXICON") {
        Some(path) => {
            let text = std::fs::read_to_string(&path).expect("the lexicon file reads");
            Scorer::new(Lexicon::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}")))
        }
        None => Scorer::default(),
    };
    for r in range.rows().skip(1) {
        let (id, subject, body, reply) = (cell(r.first()), cell(r.get(2)), cell(r.get(4)), cell(r.get(5)));
        let score = scorer.score(&subject, &body, &reply);
        let features: serde_json::Map<String, serde_json::Value> = scorer
            .features(&subject, &body, &reply)
            .into_iter()
            .map(|(name, value)| (name.to_string(), serde_json::json!((value * 1000.0).round() / 1000.0)))
            .collect();
        let line = serde_json::json!({
            "id": id,
            "evasive": score.evasive_level,
            "vague": score.vague_level,
            "type": score.reply_type.as_str(),
            "evidence": score.evidence,
            "features": features,
        });
        println!("{line}");
    }
}
