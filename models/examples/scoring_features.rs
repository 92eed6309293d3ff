//! The level model's features for every reply of shared/data/replies_dev.xlsx, as CSV on
//! stdout: the input of `models/data/scoring/fit_levels.py`, which fits `levels.toml` and
//! `phrases.tsv`. The last two columns are the reply's content and the post's subject as the
//! phrase model reads them (runs of content characters separated by spaces: no commas).
//!
//! `cargo run --release -p models --example scoring_features > features.csv`

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use models::scoring::{Scorer, FEATURES};

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/replies_dev.xlsx");
    let mut workbook = open_workbook_auto(&path).expect("replies_dev.xlsx opens");
    let range = workbook.worksheet_range_at(0).expect("a first sheet").expect("the sheet reads");
    let cell = |c: Option<&Data>| c.map(|d| d.to_string()).unwrap_or_default();
    let scorer = Scorer::default();
    println!(
        "id,evasive_level,vague_level,reply_type,fixed,shows_evasion,{},reply_phrases,subject_phrases",
        FEATURES.join(",")
    );
    for r in range.rows().skip(1) {
        let (id, subject, body, reply) = (cell(r.first()), cell(r.get(2)), cell(r.get(4)), cell(r.get(5)));
        let score = scorer.score(&subject, &body, &reply);
        let inputs = scorer.level_inputs(&subject, &body, &reply);
        let values: Vec<String> = inputs.features.iter().map(|(_, v)| format!("{v:.6}")).collect();
        println!(
            "{id},{},{},{},{},{},{},{},{}",
            score.evasive_level,
            score.vague_level,
            score.reply_type.as_str(),
            u8::from(inputs.rules_alone),
            u8::from(inputs.shows_evasion),
            values.join(","),
            inputs.reply_phrases,
            inputs.subject_phrases
        );
    }
}
