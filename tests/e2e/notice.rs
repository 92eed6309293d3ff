//! `wenzheng notice` on the real replies: the criticism notice as Excel (re-read with calamine)
//! and as Markdown, and the inputs it refuses.

use calamine::{open_workbook, Data, Reader, Xlsx};
use tests::{read_parquet, shared_file, wenzheng};

/// The whole period of the real data, and then some.
const FROM: &str = "2000-01-01";
const TO: &str = "2030-12-31";

fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    range.get_value((row, col)).map(|v| v.to_string()).unwrap_or_default()
}

/// The numbers of "共通报 N 条敷衍答复，涉及 M 个部门、[G 个人民政府、]K 个街道（乡镇）":
/// N, M, G (0 when the headline names no government) and K.
fn headline_numbers(headline: &str) -> (usize, usize, usize, usize) {
    let number = |before: &str, after: &str| -> usize {
        let start = headline.find(before).unwrap_or_else(|| panic!("no {before:?} in {headline:?}")) + before.len();
        let end = start + headline[start..].find(after).unwrap();
        headline[start..end].trim().parse().unwrap()
    };
    let (governments, streets) = if headline.contains("个人民政府") {
        (number("个部门、", "个人民政府"), number("政府、", "个街道"))
    } else {
        (0, number("个部门、", "个街道"))
    };
    (number("共通报", "条敷衍答复"), number("涉及", "个部门"), governments, streets)
}

#[test]
fn the_notice_of_the_real_replies_lists_every_flagged_reply_with_its_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.display().to_string();
    wenzheng(["run", &shared_file("replies_dev.xlsx").display().to_string(), "--out", &d]).ok();
    let out = dir.path().join("通报.xlsx");
    let stdout =
        wenzheng(["notice", "--data", &d, "--from", FROM, "--to", TO, "--out", &out.display().to_string()]).ok();
    assert!(stdout.contains("共通报"), "{stdout}");

    // Every reply scored evasive or vague at level 2 is in the notice.
    let scores = read_parquet(&data.join("scores/replies.parquet"));
    let flagged = scores
        .column("evasive")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .zip(scores.column("vague").unwrap().bool().unwrap().iter())
        .filter(|(e, v)| e.unwrap() || v.unwrap())
        .count();
    assert!(flagged > 100, "the real data has many flagged replies: {flagged}");

    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    let names = book.sheet_names();
    assert_eq!(names[0], "汇总");
    let summary = book.worksheet_range("汇总").unwrap();
    let headline = cell(&summary, 2, 0);
    let (n, departments, governments, streets) = headline_numbers(&headline);
    assert_eq!(n, flagged, "{headline}");
    // The summary table (header on row 6) adds up to the headline, one sheet per unit.
    let mut rows = 0;
    let (mut total, mut typed, mut placeholder_replies) = (0, (0, 0, 0), 0);
    while !cell(&summary, 6 + rows, 0).is_empty() {
        let replies: usize = cell(&summary, 6 + rows, 2).parse().unwrap();
        total += replies;
        // "A7县某局": some bureau of A7县, which the export masked; not counted as a department
        let placeholder = cell(&summary, 6 + rows, 0).contains('某');
        placeholder_replies += if placeholder { replies } else { 0 };
        match (cell(&summary, 6 + rows, 1).as_str(), replies > 0 && !placeholder) {
            ("部门", true) => typed.0 += 1,
            ("人民政府", true) => typed.1 += 1,
            ("街道（乡镇）", true) => typed.2 += 1,
            _ => {}
        }
        assert!(names.contains(&cell(&summary, 6 + rows, 7)), "no sheet for row {rows}");
        rows += 1;
    }
    assert_eq!((total, typed), (flagged, (departments, governments, streets)), "{headline}");
    assert!(headline.contains(&format!("另有 {placeholder_replies} 条答复只知所在地区、不知具体单位")), "{headline}");
    assert_eq!(names.len(), 1 + rows as usize);

    // Reply 11924-2237d47a only acknowledges receipt: its row shows the reply, its type, its
    // levels and the evidence.
    let found = names[1..].iter().find_map(|name| {
        let sheet = book.worksheet_range(name).unwrap();
        (2..sheet.height() as u32)
            .find(|&row| cell(&sheet, row, 0) == "11924")
            .map(|row| (0..13).map(|col| cell(&sheet, row, col)).collect::<Vec<_>>())
    });
    let row = found.expect("post 11924 in a unit sheet");
    assert_eq!(row[1], "呼吁A市将山水洲城独特的文化和资源打造成精品");
    assert!(row[3].contains("留言已收悉"), "{row:?}");
    assert_eq!((row[5].as_str(), row[6].as_str(), row[7].as_str()), ("仅告知收悉", "2", "2"), "{row:?}");
    assert!(row[8].contains("仅告知收悉：「留言已收悉」"), "{row:?}");
    assert_eq!(row[12], "11924-2237d47a");

    // The Markdown version says the same.
    let md = dir.path().join("通报.md");
    wenzheng([
        "notice",
        "--data",
        &d,
        "--from",
        FROM,
        "--to",
        TO,
        "--out",
        &md.display().to_string(),
        "--format",
        "md",
    ])
    .ok();
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(
        text.contains(&headline) && text.contains("## 汇总") && text.contains("### 留言 11924："),
        "{}",
        text.chars().take(800).collect::<String>()
    );
    assert!(text.contains("**留言已收悉**"), "evidence in bold");

    // A period before the data still gets its notice, which says nothing was judged (not a
    // clean bill).
    let empty = dir.path().join("1990.md");
    let stdout = wenzheng([
        "notice",
        "--data",
        &d,
        "--from",
        "1990-01-01",
        "--to",
        "1990-12-31",
        "--out",
        &empty.display().to_string(),
        "--format",
        "md",
    ])
    .ok();
    assert!(stdout.contains("期间没有数据：数据始于 2011-04-02，所选期间在其前，未作任何判断"), "{stdout}");
    assert!(std::fs::read_to_string(&empty).unwrap().contains("期间没有数据"));
}

#[test]
fn a_reversed_period_an_empty_folder_and_an_unknown_format_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let out = dir.path().join("n.xlsx").display().to_string();
    for (args, expected) in [
        (vec!["--from", "2019-05-01", "--to", "2019-04-01"], "--from 2019-05-01 is after --to 2019-04-01"),
        (vec!["--from", "2019-04-01", "--to", "2019-05-01"], "holds no manifest.json"),
        (vec!["--from", "2019-04-01", "--to", "2019-05-01", "--format", "pdf"], "unknown --format \"pdf\""),
    ] {
        let run = wenzheng([vec!["notice", "--data", &d, "--out", &out], args].concat());
        assert_eq!(run.code(), 2, "{expected}: {}", run.stderr());
        assert!(run.stderr().contains(expected), "{expected}: {}", run.stderr());
    }
    assert!(!dir.path().join("n.xlsx").exists());
    // A file name whose extension is no format the notice has is refused, not given a workbook.
    let pdf = dir.path().join("通报.pdf").display().to_string();
    let run = wenzheng(["notice", "--data", &d, "--out", &pdf, "--from", "2019-04-01", "--to", "2019-05-01"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("name the file .xlsx"), "{}", run.stderr());
    assert!(!dir.path().join("通报.pdf").exists());
}

#[test]
fn a_notice_made_while_the_stages_are_behind_an_ingest_says_so_and_what_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data").display().to_string();
    let replies = shared_file("replies_dev.xlsx").display().to_string();
    wenzheng(["run", &replies, "--out", &data]).ok();
    let out = dir.path().join("n.md").display().to_string();
    let fresh = wenzheng(["notice", "--data", &data, "--from", FROM, "--to", TO, "--out", &out]);
    fresh.ok();
    assert!(!fresh.stderr().contains("may be incomplete"), "{}", fresh.stderr());

    // More posts ingested, nothing run after them (an `ingest` alone, or a `run` killed after it).
    let likes = shared_file("posts_likes.xlsx").display().to_string();
    wenzheng(["ingest", &likes, "--out", &data]).ok();
    let behind = wenzheng(["notice", "--data", &data, "--from", FROM, "--to", TO, "--out", &out]);
    behind.ok();
    let warned = behind.stderr();
    assert!(
        warned.contains("the notice may be incomplete: the recurring issues were found among 1463 of the"),
        "{warned}"
    );
    assert!(warned.contains(&format!("run `wenzheng recurring --data {data}`")), "{warned}");
    assert!(warned.contains(&format!("run `wenzheng indicators --data {data}`")), "{warned}");
    // The stages run, the notice is whole again.
    for stage in ["recurring", "indicators"] {
        wenzheng([stage, "--data", &data]).ok();
    }
    let caught_up = wenzheng(["notice", "--data", &data, "--from", FROM, "--to", TO, "--out", &out]);
    caught_up.ok();
    assert!(!caught_up.stderr().contains("may be incomplete"), "{}", caught_up.stderr());
}
