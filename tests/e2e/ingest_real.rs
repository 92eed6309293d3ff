//! Ingest of every real export in ../shared/data, as it is.

use polars::prelude::*;
use tests::{lookup, manifest, read_table, shared_file, wenzheng};

const REAL_FILES: [&str; 5] =
    ["replies_dev.xlsx", "posts_likes.xlsx", "posts_unlabelled.xlsx", "categories_labelled.csv", "taxonomy.xlsx"];

fn ingest_all() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut args: Vec<String> = vec!["ingest".into()];
    args.extend(REAL_FILES.iter().map(|f| shared_file(f).display().to_string()));
    args.extend(["--out".into(), data.display().to_string()]);
    let stdout = wenzheng(&args).ok();
    (dir, stdout)
}

fn input<'a>(manifest: &'a serde_json::Value, file: &str) -> &'a serde_json::Value {
    manifest["inputs"].as_array().unwrap().iter().find(|i| i["path"].as_str().unwrap().ends_with(file)).unwrap()
}

#[test]
fn every_shared_file_is_ingested_and_every_row_accounted_for() {
    let (dir, stdout) = ingest_all();
    let data = dir.path().join("data");
    let manifest = manifest(&data);

    // The identity printed at the end holds for posts and for replies.
    for line in stdout.lines().filter(|l| l.starts_with("posts:") || l.starts_with("replies:")) {
        let numbers: Vec<u64> =
            line.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect();
        assert_eq!(numbers[0], numbers[1] + numbers[2] + numbers[3], "{line}");
    }

    let rows = |file| input(&manifest, file)["rows"].as_u64().unwrap();
    assert_eq!(rows("replies_dev.xlsx"), 1463);
    assert_eq!(rows("posts_likes.xlsx"), 4326);
    assert_eq!(rows("posts_unlabelled.xlsx"), 2801);
    assert_eq!(rows("categories_labelled.csv"), 8308);
    assert_eq!(rows("taxonomy.xlsx"), 517);
    // Every row of every file is written, quarantined or a duplicate.
    for file in REAL_FILES.iter().filter(|f| **f != "taxonomy.xlsx") {
        let i = input(&manifest, file);
        let posts_and_replies = i["posts_written"].as_u64().unwrap() + i["replies_written"].as_u64().unwrap();
        let accounted = posts_and_replies + i["quarantined"].as_u64().unwrap() + i["duplicates"].as_u64().unwrap();
        let records_per_row = if *file == "replies_dev.xlsx" { 2 } else { 1 };
        assert_eq!(accounted, rows(file) * records_per_row, "{file}: {i}");
    }

    let posts = read_table(&data, "posts");
    let replies = read_table(&data, "replies");
    let quarantine = read_table(&data, "quarantine");
    let taxonomy = read_table(&data, "taxonomy");
    assert_eq!(taxonomy.height(), 517);
    assert_eq!(replies.height(), 1463, "every real reply is kept");

    // 7,878 labelled rows carry no 留言编号: quarantined with file, row and reason.
    let missing_id = quarantine
        .clone()
        .lazy()
        .filter(col("file").eq(lit("categories_labelled.csv")).and(col("field").eq(lit("post_id"))))
        .collect()
        .unwrap();
    assert_eq!(missing_id.height(), 7878);
    let reason = missing_id.column("reason").unwrap().str().unwrap().get(0).unwrap().to_string();
    assert!(reason.contains("post_id"), "{reason}");
    let row = missing_id.column("row").unwrap().i64().unwrap().get(0).unwrap();
    assert!(row >= 2, "rows are numbered as in the file, header = 1");

    // The same id for unrelated posts (posts_likes vs posts_unlabelled): both kept.
    for id in ["216065", "271446"] {
        let first = lookup(&posts, "post_id", id, "subject").expect("first post kept");
        let second = posts
            .column("post_id")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .find(|p| p.starts_with(&format!("{id}~")))
            .unwrap_or_else(|| panic!("conflicting post {id} not kept"))
            .to_string();
        assert_ne!(first, lookup(&posts, "post_id", &second, "subject").unwrap());
    }
    // replies_dev and posts_unlabelled hold 13 of the same posts (other user masks): kept once.
    let ids = posts.column("post_id").unwrap().str().unwrap();
    let unique = ids.n_unique().unwrap();
    assert_eq!(unique, posts.height(), "post ids are unique");
    assert_eq!(lookup(&posts, "post_id", "159699", "post_id").as_deref(), Some("159699"));
}

#[test]
fn text_dates_and_derived_columns_of_known_rows() {
    let (dir, _) = ingest_all();
    let data = dir.path().join("data");
    let posts = read_table(&data, "posts");
    let replies = read_table(&data, "replies");

    // replies_dev row of post 2554: text cleaned of the export's "\n\t" runs.
    let body = lookup(&posts, "post_id", "2554", "body").unwrap();
    assert!(body.starts_with("潇楚南路从2018年开始修"), "{body:?}");
    assert!(!body.contains('\t') && !body.contains("_x000D_"));
    assert_eq!(lookup(&posts, "post_id", "2554", "posted_at").unwrap(), "2019-04-24 16:03:40");
    assert_eq!(lookup(&posts, "post_id", "2554", "region").as_deref(), Some("A市A3区"));
    assert_eq!(lookup(&posts, "post_id", "2554", "source").as_deref(), Some("replies_dev.xlsx"));

    // An Excel-typed date in posts_likes.xlsx is read like the text ones.
    let dates = posts.column("posted_at").unwrap();
    assert_eq!(dates.null_count(), 0);

    // Kinds from the subject.
    assert_eq!(lookup(&posts, "post_id", "188007", "kind").as_deref(), Some("咨询")); // 咨询A6区道路命名…
                                                                                      // labelled set: 24.0 → "24", category kept, body split from `text`.
    assert_eq!(lookup(&posts, "post_id", "24", "category").as_deref(), Some("城乡建设"));
    let body = lookup(&posts, "post_id", "24", "body").unwrap();
    assert!(body.starts_with("A3区大道西行便道"), "{body}");

    // The first reply of each post has seq 1; the unit resolved from the reply's text.
    let seq = replies.column("seq").unwrap().i32().unwrap();
    assert_eq!(seq.max(), Some(1));
    let reply_of_2554 = replies.clone().lazy().filter(col("post_id").eq(lit("2554"))).collect().unwrap();
    assert_eq!(reply_of_2554.height(), 1);
    let unit = reply_of_2554.column("unit").unwrap().str().unwrap().get(0).map(str::to_string);
    assert!(unit.as_deref().is_some_and(|u| u.contains("洋湖街道")), "{unit:?}");
}

#[test]
fn ingesting_the_same_files_again_adds_nothing() {
    let (dir, _) = ingest_all();
    let data = dir.path().join("data");
    let before_posts = read_table(&data, "posts").height();
    let before_parts = manifest(&data)["tables"].clone();
    let stdout = wenzheng([
        "ingest",
        &shared_file("replies_dev.xlsx").display().to_string(),
        "--out",
        &data.display().to_string(),
    ])
    .ok();
    assert!(stdout.contains("already ingested"), "{stdout}");
    assert_eq!(read_table(&data, "posts").height(), before_posts);
    assert_eq!(manifest(&data)["tables"], before_parts);
}
