//! Ingest of small files the tests write, one messy case each.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use tests::{lookup, manifest, read_table, wenzheng};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn ingest(files: &[&Path], data: &Path) -> tests::Run {
    let mut args: Vec<String> = vec!["ingest".into()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    args.extend(["--out".into(), data.display().to_string()]);
    wenzheng(&args)
}

#[test]
fn gb18030_csv_with_chinese_headers() {
    let dir = tempfile::tempdir().unwrap();
    let text = "留言编号,留言用户,留言主题,留言时间,留言详情\n\
                101,U1,投诉K7县某小区噪音扰民,2019/4/25 9:32:09,晚上施工噪音很大\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(text);
    let file = write(dir.path(), "gbk.csv", &bytes);
    let data = dir.path().join("data");
    ingest(&[&file], &data).ok();
    let posts = read_table(&data, "posts");
    assert_eq!(lookup(&posts, "post_id", "101", "subject").as_deref(), Some("投诉K7县某小区噪音扰民"));
    assert_eq!(lookup(&posts, "post_id", "101", "kind").as_deref(), Some("投诉"));
    assert_eq!(lookup(&posts, "post_id", "101", "region").as_deref(), Some("K7县"));
}

#[test]
fn jsonl_with_english_headers_a_bad_line_and_a_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "posts.jsonl",
        "{\"post_id\": 1, \"subject\": \"咨询公积金提取\", \"body\": \"请问能否提取？\", \"posted_at\": \"2023-03-14T09:32:10+08:00\", \"likes\": 3}\n\
         {\"post_id\": 2, \"subject\": \"建议增设公交站\", \"body\": \"\", \"posted_at\": \"昨天\"}\n\
         not json at all\n\
         \n\
         {\"post_id\": 1, \"subject\": \"咨询公积金提取\", \"body\": \"请问能否提取？\", \"posted_at\": \"2023-03-14T09:32:10+08:00\", \"likes\": 3}\n"
            .as_bytes(),
    );
    let data = dir.path().join("data");
    let stdout = ingest(&[&file], &data).ok();
    assert!(stdout.contains("posts: read 3 = written 1 + quarantined 1 + duplicates dropped 1"), "{stdout}");
    let quarantine = read_table(&data, "quarantine");
    assert_eq!(quarantine.height(), 2);
    assert_eq!(lookup(&quarantine, "field", "posted_at", "row").as_deref(), Some("2"));
    assert!(lookup(&quarantine, "field", "posted_at", "reason").unwrap().contains("昨天"));
    assert_eq!(lookup(&quarantine, "field", "-", "row").as_deref(), Some("3"));
    let posts = read_table(&data, "posts");
    assert_eq!(lookup(&posts, "post_id", "1", "likes").as_deref(), Some("3"));
    assert_eq!(lookup(&posts, "post_id", "1", "posted_at").as_deref(), Some("2023-03-14 09:32:10"));
}

#[test]
fn xlsx_with_excel_dates_export_noise_and_missing_cells() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "答复意见", "答复时间"];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    // Row 2: a typed Excel date, `\n\t` runs, `_x000D_` and full-width spaces.
    sheet.write_number(1, 0, 7001.0).unwrap();
    sheet.write_string(1, 1, "A0001").unwrap();
    sheet.write_string(1, 2, "　咨询J5县学校招生　").unwrap();
    sheet.write_number_with_format(1, 3, 43580.5, &date_format).unwrap();
    sheet.write_string(1, 4, "\n\t\t\t\t\t\n\t\t\t\t\t孩子能否就读？_x000D_\n谢谢").unwrap();
    sheet.write_string(1, 5, "网友您好！经J5县教育局核实，可以就读。").unwrap();
    sheet.write_string(1, 6, "2019/4/26 10:00:00").unwrap();
    // Row 3: the reply has a time but no text; the post is fine.
    sheet.write_number(2, 0, 7002.0).unwrap();
    sheet.write_string(2, 2, "反映K7县道路破损").unwrap();
    sheet.write_string(2, 3, "2019/4/24").unwrap();
    sheet.write_string(2, 6, "2019/4/26 10:00:00").unwrap();
    // Row 4: blank. Row 5: no id.
    sheet.write_string(4, 2, "没有编号的留言").unwrap();
    sheet.write_string(4, 3, "2019/4/24").unwrap();
    book.save(&path).unwrap();

    let data = dir.path().join("data");
    let stdout = ingest(&[&path], &data).ok();
    assert!(stdout.contains("posts: read 3 = written 2 + quarantined 1 + duplicates dropped 0"), "{stdout}");
    assert!(stdout.contains("replies: read 2 = written 1 + quarantined 1 + duplicates dropped 0"), "{stdout}");
    let posts = read_table(&data, "posts");
    assert_eq!(lookup(&posts, "post_id", "7001", "subject").as_deref(), Some("咨询J5县学校招生"));
    assert_eq!(lookup(&posts, "post_id", "7001", "body").as_deref(), Some("孩子能否就读？\n谢谢"));
    assert_eq!(lookup(&posts, "post_id", "7001", "posted_at").as_deref(), Some("2019-04-25 12:00:00"));
    assert_eq!(lookup(&posts, "post_id", "7002", "posted_at").as_deref(), Some("2019-04-24 00:00:00"));
    let quarantine = read_table(&data, "quarantine");
    assert_eq!(lookup(&quarantine, "field", "post_id", "row").as_deref(), Some("5"));
    assert_eq!(lookup(&quarantine, "field", "post_id", "sheet").as_deref(), Some("Sheet1"));
    assert_eq!(lookup(&quarantine, "field", "reply", "row").as_deref(), Some("3"));
    let replies = read_table(&data, "replies");
    assert_eq!(lookup(&replies, "post_id", "7001", "unit").as_deref(), Some("J5县教育局"));
}

/// An export as platforms make them: a title and an export date above the header, a notes
/// sheet beside the data. The title lines and the notes are not read, and the report says so;
/// the rows keep the numbers the spreadsheet shows. A big sheet of unknown columns still stops
/// the run: it may be data under headers the ingest does not know.
#[test]
fn a_sheet_s_title_lines_and_a_notes_sheet_are_set_aside_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("导出.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("留言").unwrap();
    sheet.write_string(0, 0, "某市网络问政平台留言导出").unwrap();
    sheet.write_string(1, 0, "导出时间：2020-01-31").unwrap();
    for (c, h) in ["留言编号", "留言标题", "留言内容", "留言日期", "留言对象"].iter().enumerate() {
        sheet.write_string(3, c as u16, *h).unwrap();
    }
    for (r, (id, subject)) in [("8001", "翠微苑路灯不亮"), ("", "没有编号的留言")].iter().enumerate() {
        let row = 4 + r as u32;
        sheet.write_string(row, 0, *id).unwrap();
        sheet.write_string(row, 1, *subject).unwrap();
        sheet.write_string(row, 2, "晚上很危险").unwrap();
        sheet.write_string(row, 3, "2020/1/6 9:00:00").unwrap();
        sheet.write_string(row, 4, "市城管局").unwrap();
    }
    let notes = book.add_worksheet().set_name("说明").unwrap();
    notes.write_string(0, 0, "本表由平台导出，仅供内部使用").unwrap();
    book.save(&path).unwrap();

    let data = dir.path().join("data");
    let run = ingest(&[&path], &data);
    let stdout = run.ok();
    assert!(stdout.contains("posts: read 2 = written 1 + quarantined 1"), "{stdout}");
    assert!(
        run.stderr().contains("留言 row 1 is above the header and not read: 某市网络问政平台留言导出"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("sheet 说明 (1 rows) names no column"), "{}", run.stderr());
    let posts = read_table(&data, "posts");
    assert_eq!(lookup(&posts, "post_id", "8001", "subject").as_deref(), Some("翠微苑路灯不亮"));
    assert_eq!(lookup(&posts, "post_id", "8001", "unit").as_deref(), Some("市城管局"));
    assert_eq!(lookup(&posts, "post_id", "8001", "posted_at").as_deref(), Some("2020-01-06 09:00:00"));
    // the row without an id is the sixth of the sheet, as the spreadsheet shows it
    assert_eq!(lookup(&read_table(&data, "quarantine"), "field", "post_id", "row").as_deref(), Some("6"));
    let file = &manifest(&data)["inputs"][0];
    assert_eq!(file["skipped_title_rows"][1], "留言!2: 导出时间：2020-01-31", "{file}");
    assert_eq!(file["skipped_sheets"][0], "说明 (1 rows)", "{file}");

    let mut book = rust_xlsxwriter::Workbook::new();
    let posts_sheet = book.add_worksheet();
    for (c, h) in ["post_id", "subject", "posted_at"].iter().enumerate() {
        posts_sheet.write_string(0, c as u16, *h).unwrap();
    }
    posts_sheet.write_string(1, 0, "9001").unwrap();
    let unknown = book.add_worksheet().set_name("其他").unwrap();
    for r in 0..30 {
        unknown.write_string(r, 0, "标题").unwrap();
        unknown.write_string(r, 1, "内容").unwrap();
    }
    let big = dir.path().join("big.xlsx");
    book.save(&big).unwrap();
    let refused = ingest(&[&big], &dir.path().join("data2"));
    assert_eq!(refused.code(), 2, "{}", refused.stderr());
    assert!(
        refused.stderr().contains("(sheet 其他): its columns (标题, 内容) are neither posts"),
        "{}",
        refused.stderr()
    );
}

#[test]
fn a_replies_file_appends_and_orders_replies_by_time() {
    let dir = tempfile::tempdir().unwrap();
    let posts = write(
        dir.path(),
        "posts.csv",
        "post_id,user_id,subject,body,posted_at,unit,kind\n\
         9,U9,反映小区路灯不亮,路灯坏了一个月,2024-05-06T09:00:00+08:00,市城管局,投诉\n"
            .as_bytes(),
    );
    let late = write(
        dir.path(),
        "replies_late.csv",
        "reply_id,post_id,unit,body,replied_at\nr2,9,市城管局,路灯已于5月10日修复。,2024-05-10T15:00:00+08:00\n"
            .as_bytes(),
    );
    let early = write(
        dir.path(),
        "replies_early.csv",
        "reply_id,post_id,unit,body,replied_at\nr1,9,市城管局,已转市路灯管理处办理。,2024-05-07T10:00:00+08:00\n"
            .as_bytes(),
    );
    let data = dir.path().join("data");
    ingest(&[&posts, &late], &data).ok();
    assert_eq!(lookup(&read_table(&data, "replies"), "reply_id", "r2", "seq").as_deref(), Some("1"));
    // The earlier reply arrives in a later export: seq is reassigned for both.
    ingest(&[&early], &data).ok();
    let replies = read_table(&data, "replies");
    assert_eq!(replies.height(), 2);
    assert_eq!(lookup(&replies, "reply_id", "r1", "seq").as_deref(), Some("1"));
    assert_eq!(lookup(&replies, "reply_id", "r2", "seq").as_deref(), Some("2"));
    assert_eq!(lookup(&replies, "reply_id", "r1", "unit_source").as_deref(), Some("given"));
    assert_eq!(manifest(&data)["inputs"].as_array().unwrap().len(), 3);
}

#[test]
fn an_earlier_reply_renumbers_replies_stored_in_a_part_of_several_row_groups() {
    // Ingest writes a part in batches of 20,000 rows, each a row group; rewriting `seq` of a part
    // read back in several chunks once panicked in the Parquet writer.
    let dir = tempfile::tempdir().unwrap();
    let mut posts = String::from("post_id,user_id,subject,body,posted_at,unit,kind\n");
    let mut replies = String::from("reply_id,post_id,unit,body,replied_at\n");
    for i in 0..25_000 {
        posts.push_str(&format!(
            "{i},U{i},反映小区路灯不亮{i},路灯坏了一个月,2024-05-06T09:00:00+08:00,市城管局,投诉\n"
        ));
        replies.push_str(&format!("late{i},{i},市城管局,路灯已于5月10日修复。,2024-05-10T15:00:00+08:00\n"));
    }
    let posts = write(dir.path(), "posts.csv", posts.as_bytes());
    let late = write(dir.path(), "replies_late.csv", replies.as_bytes());
    let early = write(
        dir.path(),
        "replies_early.csv",
        "reply_id,post_id,unit,body,replied_at\nearly7,7,市城管局,已转市路灯管理处办理。,2024-05-07T10:00:00+08:00\n"
            .as_bytes(),
    );
    let data = dir.path().join("data");
    assert_eq!(ingest(&[&posts, &late], &data).code(), 0);
    assert_eq!(ingest(&[&early], &data).code(), 0);
    let replies = read_table(&data, "replies");
    assert_eq!(replies.height(), 25_001);
    assert_eq!(lookup(&replies, "reply_id", "early7", "seq").as_deref(), Some("1"));
    assert_eq!(lookup(&replies, "reply_id", "late7", "seq").as_deref(), Some("2"));
    assert_eq!(lookup(&replies, "reply_id", "late8", "seq").as_deref(), Some("1"));
}

#[test]
fn a_quote_never_closed_stops_the_run_naming_its_row_instead_of_swallowing_the_rows_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("post_id,subject,body,posted_at\n");
    for i in 1..=50 {
        let body = if i == 3 { "\"路灯坏了".to_string() } else { format!("第{i}条") };
        text.push_str(&format!("{i},路灯不亮,{body},2024-05-06T09:00:00+08:00\n"));
    }
    let file = write(dir.path(), "stray.csv", text.as_bytes());
    let data = dir.path().join("data");
    let run = ingest(&[&file], &data);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("stray.csv: row 4 (line 4): a quoted cell opened in this row"), "{}", run.stderr());
    assert!(!data.join("posts").exists() || std::fs::read_dir(data.join("posts")).unwrap().next().is_none());
}

#[test]
fn a_file_that_stops_the_run_leaves_no_part_of_the_files_read_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        dir.path(),
        "good.csv",
        "post_id,subject,body,posted_at\n1,路灯不亮,路灯坏了,2019-05-06 09:00:00\n".as_bytes(),
    );
    let mut text = String::from("post_id,subject,body,posted_at\n");
    for i in 2..=6 {
        let body = if i == 3 { "\"工地".to_string() } else { format!("第{i}条") };
        text.push_str(&format!("{i},噪音,{body},2019-05-06 09:00:00\n"));
    }
    let stray = write(dir.path(), "stray.csv", text.as_bytes());
    let data = dir.path().join("data");
    let stopped = ingest(&[&good, &stray], &data);
    assert_eq!(stopped.code(), 2);
    // The operator is told to ingest both again, and the run's own parts are not called another's.
    assert!(
        stopped.stderr().contains("nothing of this run was written: once the file is fixed, ingest all 2 files again"),
        "{}",
        stopped.stderr()
    );
    assert!(!stopped.stderr().contains("left by an interrupted run"), "{}", stopped.stderr());
    fn files_under(path: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
            if entry.path().is_dir() {
                files_under(&entry.path(), out);
            } else {
                out.push(entry.path());
            }
        }
    }
    // (the folder was new: it goes with the run)
    assert!(!data.exists(), "{:?}", std::fs::read_dir(&data).map(|d| d.count()));

    // Into a folder that was there, nothing is committed and no part is left.
    std::fs::create_dir_all(&data).unwrap();
    assert_eq!(ingest(&[&good, &stray], &data).code(), 2);
    let mut files = Vec::new();
    files_under(&data, &mut files);
    // (a new folder's manifest is written first, listing nothing: see `DataDir::open`)
    files.retain(|f| f.file_name().is_some_and(|n| n != ".lock" && n != "manifest.json"));
    assert!(files.is_empty(), "left behind: {files:?}");
    assert_eq!(manifest(&data)["tables"], serde_json::json!({}), "nothing committed");
}

#[test]
fn a_quote_never_closed_in_the_last_column_stops_the_run_too() {
    // The row keeps its width (the open cell is the last one), so only the rows inside the cell
    // tell: before, rows 4–11 were read as the category of row 3, and the run said all was well.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("post_id,subject,body,posted_at,category\n");
    for i in 1..=10 {
        let category = if i == 2 { "\"城乡建设" } else { "城乡建设" };
        text.push_str(&format!("{i},路灯不亮,第{i}条,2024-05-06T09:00:00+08:00,{category}\n"));
    }
    let file = write(dir.path(), "stray_last.csv", text.as_bytes());
    let data = dir.path().join("data");
    let run = ingest(&[&file], &data);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("stray_last.csv: row 3 (line 3): a quoted cell opened in this row is never closed"));
    assert!(!data.join("posts").exists() || std::fs::read_dir(data.join("posts")).unwrap().next().is_none());
}

#[test]
fn a_stray_quote_closed_rows_later_sets_its_row_aside_with_the_rows_it_took() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // (a real reply's cell may run over lines with commas: 2 keeps its list, 4 took 5 and 6)
    let file = write(
        dir.path(),
        "stray_mid.csv",
        "留言编号,留言主题,留言时间,留言详情\n\
         2,路灯不亮,2019/3/5 9:00,\"一、路灯坏了,二、无人修,三、请处理\n四、谢谢\"\n\
         3,噪音,2019/3/5 9:00,工地夜间施工\n\
         4,油烟,2019/3/5 9:00,\"他说油烟很大\n\
         5,井盖,2019/3/5 9:00,井盖缺失\n\
         6,积水,2019/3/5 9:00,路面积水\"\n\
         7,占道,2019/3/5 9:00,占道经营\n"
            .as_bytes(),
    );
    let stdout = ingest(&[&file], &data).ok();
    let posts = read_table(&data, "posts");
    let mut ids: Vec<String> =
        posts.column("post_id").unwrap().str().unwrap().iter().flatten().map(String::from).collect();
    ids.sort();
    assert_eq!(ids, ["2", "3", "7"], "{stdout}");
    let reasons = quarantined(&data, "-", "reason");
    assert!(reasons[0].contains("a stray quote"), "{reasons:?}");
    // the rows it took are in its raw text, cell by cell
    let raw = quarantined(&data, "-", "raw");
    assert!(raw[0].starts_with("4,油烟,2019/3/5 9:00,") && raw[0].contains("6,积水"), "{raw:?}");
}

#[test]
fn a_column_not_read_is_named_in_the_summary_and_the_manifest_with_the_header_it_looks_like() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // a slip of the pen in 留言详情, and a column with no header that holds text
    let file = write(
        dir.path(),
        "slip.csv",
        "留言编号,留言主题,留言时间,留言详細,\n401,路灯不亮,2019/3/5 9:00,小区路灯一个月没亮了,路灯在3栋旁\n"
            .as_bytes(),
    );
    let stdout = ingest(&[&file], &data).ok();
    assert!(
        stdout.contains("slip.csv: columns not read: 留言详細 (is it 留言详情?), column 5 (no header, 1 rows)"),
        "{stdout}"
    );
    let manifest = manifest(&data);
    let ignored = &manifest["inputs"][0]["ignored_columns"];
    assert_eq!(ignored[0], "留言详細", "{manifest}");
}

#[test]
fn a_later_export_with_other_likes_is_told_as_such_not_only_counted_a_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let header = "留言编号,留言主题,留言时间,留言详情,点赞数\n";
    let first = write(dir.path(), "day1.csv", format!("{header}601,路灯不亮,2019/3/5 9:00,路灯坏了,3\n").as_bytes());
    let later = write(dir.path(), "day9.csv", format!("{header}601,路灯不亮,2019/3/5 9:00,路灯坏了,40\n").as_bytes());
    assert_eq!(ingest(&[&first], &data).code(), 0);
    let stdout = ingest(&[&later], &data).ok();
    assert!(stdout.contains("duplicates dropped 1"), "{stdout}");
    assert!(
        stdout.contains("1 posts held already come again with other likes, dislikes or unit: not updated"),
        "{stdout}"
    );
    assert_eq!(lookup(&read_table(&data, "posts"), "post_id", "601", "likes").as_deref(), Some("3"));
}

#[test]
fn a_reply_dated_the_post_s_day_without_a_time_is_a_same_day_answer() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let rows = write(
        dir.path(),
        "dateonly.csv",
        "留言编号,留言主题,留言时间,留言详情,答复意见,答复时间\n\
         701,路灯不亮,2019/3/5 9:32:09,路灯坏了,当天已修复,2019/3/5\n\
         702,噪音扰民,2019/3/5 9:32:09,夜间施工,已处理,2019/3/4\n"
            .as_bytes(),
    );
    let later =
        write(dir.path(), "replies.csv", "reply_id,post_id,body,replied_at\nR9,702,已复查,2019-03-05\n".as_bytes());
    let stdout = ingest(&[&rows], &data).ok();
    assert!(stdout.contains("replies: read 2 = written 1 + quarantined 1"), "{stdout}");
    assert_eq!(ingest(&[&later], &data).code(), 0);
    let replies = read_table(&data, "replies");
    assert_eq!(lookup(&replies, "post_id", "701", "replied_at").as_deref(), Some("2019-03-05 09:32:09"));
    assert_eq!(lookup(&replies, "reply_id", "R9", "replied_at").as_deref(), Some("2019-03-05 09:32:09"));
    // (a day before the post is no same-day answer: still set aside)
    assert!(quarantined(&data, "replied_at", "reason")[0].contains("before the post was made"));
}

#[test]
fn a_csv_s_title_line_above_its_header_is_set_aside_and_named_as_a_sheet_s_is() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = write(
        dir.path(),
        "titled.csv",
        "某市网络问政平台留言导出（2019年3月）\n留言编号,留言主题,留言时间,留言详情\n801,路灯不亮,2019/3/5 9:00,路灯坏了\n".as_bytes(),
    );
    assert_eq!(ingest(&[&file], &data).code(), 0);
    assert_eq!(lookup(&read_table(&data, "posts"), "post_id", "801", "subject").as_deref(), Some("路灯不亮"));
    let manifest = manifest(&data);
    assert_eq!(
        manifest["inputs"][0]["skipped_title_rows"][0], "line 1: 某市网络问政平台留言导出（2019年3月）",
        "{manifest}"
    );
}

#[test]
fn csv_rows_are_numbered_as_a_spreadsheet_shows_them() {
    // CRLF line ends (Excel's CSV) and a cell of three lines above the bad rows.
    let dir = tempfile::tempdir().unwrap();
    let text = "post_id,subject,body,posted_at\r\n1,主题,\"第一行\r\n第二行\r\n第三行\",2019-01-02\r\n\
                2,主题,正文,bad1\r\n3,主题,正文,bad2\r\n";
    let file = write(dir.path(), "crlf.csv", text.as_bytes());
    let data = dir.path().join("data");
    assert_eq!(ingest(&[&file], &data).code(), 0);
    let quarantine = read_table(&data, "quarantine");
    let rows: Vec<i64> = quarantine.column("row").unwrap().i64().unwrap().iter().flatten().collect();
    assert_eq!(rows, [3, 4]);
}

#[test]
fn a_reused_id_keeps_every_version_and_a_row_s_reply_follows_its_post() {
    let dir = tempfile::tempdir().unwrap();
    let first = write(
        dir.path(),
        "a.csv",
        "post_id,subject,body,posted_at\n100,路灯不亮,路灯坏了,2019-05-06 09:00:00\n".as_bytes(),
    );
    let second = write(
        dir.path(),
        "b.csv",
        "留言编号,留言用户,留言主题,留言时间,留言详情,答复意见,答复时间\n\
         100,U9,小区噪音,2019-06-01 09:00:00,工地夜间施工噪音,已责令工地夜间停工,2019-06-03 10:00:00\n\
         100,U8,小区停水,2019-06-02 09:00:00,停水三天,已抢修恢复供水,2019-06-03 11:00:00\n"
            .as_bytes(),
    );
    let data = dir.path().join("data");
    assert_eq!(ingest(&[&first, &second], &data).code(), 0);
    let posts = read_table(&data, "posts");
    assert_eq!(lookup(&posts, "post_id", "100", "subject").as_deref(), Some("路灯不亮"));
    assert_eq!(lookup(&posts, "post_id", "100~b", "subject").as_deref(), Some("小区噪音"));
    assert_eq!(lookup(&posts, "post_id", "100~b~2", "subject").as_deref(), Some("小区停水"));
    let replies = read_table(&data, "replies");
    assert_eq!(lookup(&replies, "body", "已责令工地夜间停工", "post_id").as_deref(), Some("100~b"));
    assert_eq!(lookup(&replies, "body", "已抢修恢复供水", "post_id").as_deref(), Some("100~b~2"));

    // The next day's cumulative export delivers the same rows again: nothing new (it made
    // "100~c" copies, without their replies, which the notice then listed as overdue).
    let again = write(dir.path(), "c.csv", &std::fs::read(&second).unwrap());
    assert_eq!(ingest(&[&again], &data).code(), 0);
    assert_eq!(read_table(&data, "posts").height(), 3);
    assert_eq!(read_table(&data, "replies").height(), 2);
}

#[test]
fn an_edited_copy_of_a_post_or_reply_held_is_quarantined_and_the_first_version_kept() {
    let dir = tempfile::tempdir().unwrap();
    let day1 = write(
        dir.path(),
        "day1.csv",
        "留言编号,留言主题,留言时间,留言详情,答复意见,答复时间\n\
         7001,路灯不亮,2019-09-02 09:00:00,路灯坏了，电话13812345678,已更换线路，恢复照明,2019-09-04 10:00:00\n"
            .as_bytes(),
    );
    let data = dir.path().join("data");
    assert_eq!(ingest(&[&day1], &data).code(), 0);
    // (nothing set aside, yet `quarantine/*.parquet` names an empty table, as SPEC §3 has it)
    let parts: Vec<_> = std::fs::read_dir(data.join("quarantine")).unwrap().flatten().collect();
    assert_eq!(parts.len(), 1);
    assert_eq!(read_table(&data, "quarantine").height(), 0);
    // The platform exports the post again with the phone number masked, and its reply with a
    // typo corrected: the same records, edited, not a second post left without replies.
    let day2 = write(
        dir.path(),
        "day2.csv",
        "留言编号,留言主题,留言时间,留言详情,答复意见,答复时间\n\
         7001,路灯不亮,2019-09-02 09:00:00,路灯坏了，电话138****5678,已更换线路，恢复了照明,2019-09-04 10:00:00\n"
            .as_bytes(),
    );
    let run = ingest(&[&day2], &data);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let posts = read_table(&data, "posts");
    assert_eq!(posts.height(), 1);
    assert_eq!(lookup(&posts, "post_id", "7001", "body").as_deref(), Some("路灯坏了，电话13812345678"));
    let replies = read_table(&data, "replies");
    assert_eq!(replies.height(), 1);
    assert_eq!(lookup(&replies, "post_id", "7001", "body").as_deref(), Some("已更换线路，恢复照明"));
    let quarantine = read_table(&data, "quarantine");
    let reasons: Vec<&str> = quarantine.column("reason").unwrap().str().unwrap().iter().flatten().collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].starts_with("post 7001 posted at 2019-09-02 09:00:00 is already held with other text"));
    assert!(reasons[1].contains("to post 7001 at 2019-09-04 10:00:00 is already held with other text"));
    // (written out for correcting, an edited copy would be set aside again: it is not offered)
    let out = dir.path().join("fix.jsonl");
    let said =
        wenzheng(["quarantine", "--data", &data.display().to_string(), "--out", &out.display().to_string()]).ok();
    assert!(said.contains("0 rows written to") && said.contains("not written: edited copies"), "{said}");

    // The held post given another time (a clerk correcting a reply's quarantined row in its post's
    // time) is set aside too, not kept as a second post.
    let retimed = write(
        dir.path(),
        "retimed.csv",
        "post_id,subject,body,posted_at\n7001,路灯不亮,路灯坏了，电话13812345678,2019-09-01 09:00:00\n".as_bytes(),
    );
    assert_eq!(ingest(&[&retimed], &data).code(), 0);
    let reasons = quarantined(&data, "posted_at", "reason");
    assert!(
        reasons.iter().any(|r| r.contains("is already held with the same text, posted at 2019-09-02 09:00:00")),
        "{reasons:?}"
    );
    assert_eq!(read_table(&data, "posts").height(), 1);

    // Another post under the same id at another time is still a conflict, kept beside it.
    let day3 = write(
        dir.path(),
        "day3.csv",
        "post_id,subject,body,posted_at\n7001,学校门口拥堵,建议增派交警,2019-10-14 09:00:00\n".as_bytes(),
    );
    assert_eq!(ingest(&[&day3], &data).code(), 0);
    let posts = read_table(&data, "posts");
    assert_eq!(lookup(&posts, "post_id", "7001~day3", "subject").as_deref(), Some("学校门口拥堵"));
}

#[test]
fn a_replies_file_answers_the_posts_of_its_own_run_whose_id_an_older_post_holds() {
    let dir = tempfile::tempdir().unwrap();
    let day1_posts = write(
        dir.path(),
        "day1_posts.csv",
        "post_id,subject,body,posted_at\n5001,路灯不亮,路灯坏了一个月,2019-09-02 09:00:00\n".as_bytes(),
    );
    let day1_replies = write(
        dir.path(),
        "day1_replies.csv",
        "reply_id,post_id,body,replied_at\nR1,5001,已更换线路，恢复照明,2019-09-04 10:00:00\n".as_bytes(),
    );
    let data = dir.path().join("data");
    assert_eq!(ingest(&[&day1_posts, &day1_replies], &data).code(), 0);
    // The platform reused id 5001 for another post; the day's replies file names it by 5001.
    let day2_posts = write(
        dir.path(),
        "day2_posts.csv",
        "post_id,subject,body,posted_at\n5001,学校门口拥堵,建议增派交警,2019-10-14 09:00:00\n".as_bytes(),
    );
    let day2_replies = write(
        dir.path(),
        "day2_replies.csv",
        "reply_id,post_id,body,replied_at\n\
         R3,5001,已增派两名交警,2019-10-14 15:00:00\n\
         R0,5001,路灯已复查，照明正常,2019-10-10 09:00:00\n"
            .as_bytes(),
    );
    assert_eq!(ingest(&[&day2_replies, &day2_posts], &data).code(), 0);
    let replies = read_table(&data, "replies");
    assert_eq!(lookup(&replies, "reply_id", "R3", "post_id").as_deref(), Some("5001~day2_posts"));
    assert_eq!(lookup(&replies, "reply_id", "R3", "seq").as_deref(), Some("1"));
    // Written before the day's post, a reply can only be the old post's.
    assert_eq!(lookup(&replies, "reply_id", "R0", "post_id").as_deref(), Some("5001"));
    assert_eq!(lookup(&replies, "reply_id", "R1", "post_id").as_deref(), Some("5001"));

    // A replies file of a later run cannot tell the two apart: set aside, not given to the first.
    let day3_replies = write(
        dir.path(),
        "day3_replies.csv",
        "reply_id,post_id,unit,body,replied_at\nR4,5001,A5区交警大队,已在校门口设置护学岗,2019-10-16 09:00:00\n"
            .as_bytes(),
    );
    let stdout = ingest(&[&day3_replies], &data).ok();
    assert!(stdout.contains("replies: read 1 = written 0 + quarantined 1"), "{stdout}");
    let reasons = quarantined(&data, "post_id", "reason");
    assert!(
        reasons.iter().any(|r| r.contains("post id 5001 is held by more than one post (5001, 5001~day2_posts")),
        "{reasons:?}"
    );
    // Named by the id it is held under, it gets in; the row set aside kept its unit.
    let raw = quarantined(&data, "post_id", "raw");
    let fixed = raw.iter().find(|r| r.contains("R4")).unwrap().replace("\"5001\"", "\"5001~day2_posts\"");
    assert!(fixed.contains("A5区交警大队"), "{fixed}");
    let corrected = write(dir.path(), "day3_fixed.jsonl", fixed.as_bytes());
    assert_eq!(ingest(&[&corrected], &data).code(), 0);
    let replies = read_table(&data, "replies");
    assert_eq!(lookup(&replies, "reply_id", "R4", "post_id").as_deref(), Some("5001~day2_posts"));
    assert_eq!(lookup(&replies, "reply_id", "R4", "unit").as_deref(), Some("A5区交警大队"));
}

#[test]
fn a_reply_dated_before_its_post_of_another_file_goes_to_quarantine() {
    let dir = tempfile::tempdir().unwrap();
    let posts = write(
        dir.path(),
        "posts.csv",
        "post_id,subject,body,posted_at\n5002,小区停水,请问何时恢复,2019-09-02 10:00:00\n".as_bytes(),
    );
    let data = dir.path().join("data");
    assert_eq!(ingest(&[&posts], &data).code(), 0);
    let replies = write(
        dir.path(),
        "replies.csv",
        "reply_id,post_id,body,replied_at\n\
         R10,5002,已完成管网改造,2019-08-01 10:00:00\n\
         R11,5002,已恢复供水,2019-09-02 16:00:00\n"
            .as_bytes(),
    );
    assert_eq!(ingest(&[&replies], &data).code(), 0);
    let stored = read_table(&data, "replies");
    assert_eq!(stored.height(), 1);
    assert_eq!(lookup(&stored, "reply_id", "R11", "seq").as_deref(), Some("1"));
    let quarantine = read_table(&data, "quarantine");
    assert_eq!(lookup(&quarantine, "file", "replies.csv", "row").as_deref(), Some("2"));
    assert_eq!(lookup(&quarantine, "file", "replies.csv", "field").as_deref(), Some("replied_at"));
    let reason = lookup(&quarantine, "file", "replies.csv", "reason").unwrap();
    assert!(reason.contains("before post 5002 was made at 2019-09-02 10:00:00"), "{reason}");
}

#[test]
fn an_id_with_a_control_character_goes_to_quarantine_and_the_other_rows_get_in() {
    let dir = tempfile::tempdir().unwrap();
    let posts = write(
        dir.path(),
        "posts.csv",
        "post_id,subject,body,posted_at\n\
         5003,小区停水,请问何时恢复,2019-09-02 10:00:00\n\
         50\u{0}04,路灯不亮,一个月了,2019-09-03 10:00:00\n"
            .as_bytes(),
    );
    let data = dir.path().join("data");
    assert_eq!(ingest(&[&posts], &data).code(), 0);
    let stored = read_table(&data, "posts");
    assert_eq!(stored.height(), 1);
    let quarantine = read_table(&data, "quarantine");
    assert_eq!(lookup(&quarantine, "file", "posts.csv", "field").as_deref(), Some("post_id"));
    let reason = lookup(&quarantine, "file", "posts.csv", "reason").unwrap();
    assert!(reason.contains("control character U+0000"), "{reason}");
}

#[test]
fn a_post_dated_before_1990_goes_to_quarantine() {
    let dir = tempfile::tempdir().unwrap();
    let posts = write(
        dir.path(),
        "posts.csv",
        "post_id,subject,body,posted_at\n\
         5005,小区停水,请问何时恢复,1900-01-01 00:00:00\n\
         5006,路灯不亮,一个月了,2019-09-03 10:00:00\n"
            .as_bytes(),
    );
    let data = dir.path().join("data");
    assert_eq!(ingest(&[&posts], &data).code(), 0);
    assert_eq!(read_table(&data, "posts").height(), 1);
    let quarantine = read_table(&data, "quarantine");
    assert_eq!(lookup(&quarantine, "file", "posts.csv", "field").as_deref(), Some("posted_at"));
    let reason = lookup(&quarantine, "file", "posts.csv", "reason").unwrap();
    assert!(reason.contains("before 1990"), "{reason}");
}

#[test]
fn a_jsonl_file_s_columns_are_the_keys_of_every_line_not_only_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "posts.jsonl",
        "{\"post_id\": 1, \"subject\": \"路灯不亮\", \"posted_at\": \"2019-04-25 09:00:00\"}\n\
         {\"post_id\": 2, \"subject\": \"噪音\", \"body\": \"工地噪音很大\", \"posted_at\": \"2019-04-25 10:00:00\"}\n"
            .as_bytes(),
    );
    let data = dir.path().join("data");
    assert_eq!(ingest(&[&file], &data).code(), 0);
    assert_eq!(lookup(&read_table(&data, "posts"), "post_id", "2", "body").as_deref(), Some("工地噪音很大"));
}

#[test]
fn a_jsonl_line_that_cannot_be_read_is_quarantined_with_its_text() {
    // A cut line, and a line with a byte that is not UTF-8: each is one row in quarantine with
    // what it held; the lines around them are read (a bad byte used to stop the whole file).
    let dir = tempfile::tempdir().unwrap();
    let mut text = "{\"post_id\": 1, \"subject\": \"路灯\", \"posted_at\": \"2019-04-25 09:00:00\"}\n\
                    {\"post_id\": 2, \"subject\": \"cut\n"
        .as_bytes()
        .to_vec();
    text.extend_from_slice(b"{\"post_id\": 3, \"subject\": \"\xff\", \"posted_at\": \"2019-04-25 09:00:00\"}\n");
    text.extend_from_slice(
        "{\"post_id\": 4, \"subject\": \"噪音\", \"posted_at\": \"2019-04-25 10:00:00\"}\n".as_bytes(),
    );
    let file = write(dir.path(), "posts.jsonl", &text);
    let data = dir.path().join("data");
    assert_eq!(ingest(&[&file], &data).code(), 0);
    assert_eq!(read_table(&data, "posts").height(), 2);
    let quarantine = read_table(&data, "quarantine");
    let column = |name: &str| -> Vec<String> {
        let text = quarantine.column(name).unwrap().cast(&DataType::String).unwrap();
        text.str().unwrap().iter().map(|v| v.unwrap_or_default().to_string()).collect()
    };
    assert_eq!(column("row"), ["2", "3"]);
    assert_eq!(column("raw")[0], "{\"post_id\": 2, \"subject\": \"cut");
    assert!(column("reason")[1].starts_with("not UTF-8 text"), "{:?}", column("reason"));
}

#[test]
fn a_file_that_is_not_an_export_stops_the_run_with_code_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.csv", "post_id,subject,posted_at\n1,路灯不亮,2024-05-06\n".as_bytes());
    let bad = write(dir.path(), "people.csv", "name,age\n张三,30\n".as_bytes());
    let data = dir.path().join("data");
    let run = ingest(&[&good, &bad], &data);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("people.csv"), "{}", run.stderr());
    assert!(run.stderr().contains("name, age"), "{}", run.stderr());
    // the folder this run would have made is not there: an empty one would pass for a data
    // folder with no posts
    assert!(!data.exists(), "{:?}", std::fs::read_dir(&data).map(|d| d.count()));

    let missing = ingest(&[&dir.path().join("nowhere.xlsx")], &data);
    assert_eq!(missing.code(), 2);
    assert!(missing.stderr().contains("nowhere.xlsx"), "{}", missing.stderr());
    assert!(!data.exists());

    // A folder that was there stays, with what it held.
    assert_eq!(ingest(&[&good], &data).code(), 0);
    assert_eq!(ingest(&[&bad], &data).code(), 2);
    assert!(data.join("manifest.json").exists() && data.join("posts").exists());
    let _ = DataFrame::empty();
}

/// A posts-with-replies export names in 答复单位 the unit a row not answered yet waits on: the
/// post's unit, so its overdue warning goes to that unit, not to 未知单位.
#[test]
fn an_unanswered_row_keeps_the_unit_it_waits_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "export.csv",
        "留言编号,留言主题,留言时间,留言详情,答复单位,答复意见,答复时间\n\
         1,路灯不亮,2019-06-03 09:00:00,东门路灯坏了,A5区城管局,已修复,2019-06-04 10:00:00\n\
         2,小区噪音,2019-06-03 09:30:00,工地夜间施工,A5区住建局,,\n"
            .as_bytes(),
    );
    let data = dir.path().join("data");
    assert_eq!(ingest(&[&file], &data).code(), 0);
    let posts = read_table(&data, "posts");
    assert_eq!(lookup(&posts, "post_id", "2", "unit").as_deref(), Some("A5区住建局"));
    assert_eq!(lookup(&read_table(&data, "replies"), "post_id", "1", "unit").as_deref(), Some("A5区城管局"));
}

/// The cells of the quarantine's `column` for its rows of `field`, in row order.
fn quarantined(data: &Path, field: &str, column: &str) -> Vec<String> {
    let quarantine = read_table(data, "quarantine").sort(["row"], Default::default()).unwrap();
    let fields = quarantine.column("field").unwrap().str().unwrap().clone();
    let values = quarantine.column(column).unwrap().cast(&DataType::String).unwrap();
    let values = values.str().unwrap();
    fields.iter().zip(values.iter()).filter(|(f, _)| *f == Some(field)).map(|(_, v)| v.unwrap().to_string()).collect()
}

#[test]
fn an_operator_s_broken_exports_are_quarantined_row_by_row_or_refused_naming_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Two exports joined: a GB18030 row after UTF-8 ones; a row cut short; a post "made" in 2031.
    let mut bytes = "留言编号,留言主题,留言时间,留言详情,答复意见,答复时间\n\
                     201,路灯不亮,2019/4/25 9:32:09,小区路灯一个月没亮了,已修复,2019/4/26 9:00:00\n\
                     202,噪音扰民,2019/4/25 10:00:00,晚上施工噪音很大\n\
                     203,油烟扰民,2031/1/1 10:00:00,餐馆油烟直排,,\n"
        .as_bytes()
        .to_vec();
    bytes.extend_from_slice(
        &encoding_rs::GB18030.encode("204,井盖缺失,2019/4/27 9:00:00,路口井盖丢了,已补装,2019/4/28 9:00:00\n").0,
    );
    let file = write(dir.path(), "joined.csv", &bytes);
    let stdout = ingest(&[&file], &data).ok();
    // (the short row is quarantined as a row: its cells could not be read as a post)
    assert!(stdout.contains("posts: read 3 = written 2 + quarantined 1"), "{stdout}");
    let posts = read_table(&data, "posts");
    assert_eq!(lookup(&posts, "post_id", "204", "subject").as_deref(), Some("井盖缺失"), "read as GB18030");
    assert_eq!(quarantined(&data, "-", "row"), ["3"]);
    assert!(quarantined(&data, "-", "reason")[0].contains("the row has 4 cells, the header 6"));
    let future = quarantined(&data, "posted_at", "reason");
    assert!(future[0].contains("2031-01-01 10:00:00 is later than the ingest"), "{future:?}");

    // A header that names one field twice is refused as a whole, naming both columns.
    let twice = write(dir.path(), "twice.csv", "留言编号,留言主题,留言时间,答复时间,答复意见,答复时间\n".as_bytes());
    let refused = ingest(&[&twice], &data);
    assert_eq!(refused.code(), 2, "{}", refused.stderr());
    assert!(refused.stderr().contains("columns 4 (答复时间) and 6 (答复时间) both hold"), "{}", refused.stderr());

    // A folder whose manifest was lost keeps its parts: the next ingest is refused.
    std::fs::remove_file(data.join("manifest.json")).unwrap();
    let lost = ingest(&[&file], &data);
    assert_eq!(lost.code(), 2, "{}", lost.stderr());
    assert!(lost.stderr().contains("but no manifest.json"), "{}", lost.stderr());
    assert!(std::fs::read_dir(data.join("posts")).unwrap().count() > 0, "nothing removed");
}

#[test]
fn an_excel_error_or_an_impossible_count_is_a_problem_of_its_field_never_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // (a CSV saved by Excel writes a failed VLOOKUP as the text "#N/A")
    let file = write(
        dir.path(),
        "vlookup.csv",
        "留言编号,留言主题,留言时间,留言详情,承办单位,点赞数\n\
         301,路灯不亮,2019/4/25 9:32:09,小区路灯一个月没亮了,#N/A,3\n\
         302,噪音扰民,2019/4/25 10:00:00,晚上施工噪音很大,A5区城管局,100000000000000000000\n\
         303,油烟扰民,2019/4/26 10:00:00,餐馆油烟直排,A5区环保局,7\n"
            .as_bytes(),
    );
    let stdout = ingest(&[&file], &data).ok();
    assert!(stdout.contains("posts: read 3 = written 1 + quarantined 2"), "{stdout}");
    let unit = quarantined(&data, "unit", "reason");
    assert!(unit[0].contains("unit (承办单位) is the Excel error #N/A"), "{unit:?}");
    let likes = quarantined(&data, "likes", "reason");
    assert!(likes[0].contains("not a count"), "{likes:?}");
    assert_eq!(lookup(&read_table(&data, "posts"), "post_id", "303", "likes").as_deref(), Some("7"));
}

#[test]
fn an_export_saved_again_with_its_times_to_the_minute_or_the_day_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let header = "留言编号,留言主题,留言时间,留言详情,答复意见,答复时间\n";
    let first = write(
        dir.path(),
        "export.csv",
        format!(
            "{header}301,路灯不亮,2019/4/25 9:32:09,小区路灯一个月没亮了,已修复,2019/4/26 9:10:30\n\
             302,噪音扰民,2019/4/25 10:00:00,晚上施工噪音很大,已责令停工,2019/4/27 15:45:12\n"
        )
        .as_bytes(),
    );
    ingest(&[&first], &data).ok();
    // Excel's "save as CSV" writes what it shows: the minute, or the day of a date-formatted cell.
    let saved = write(
        dir.path(),
        "export_saved.csv",
        format!(
            "{header}301,路灯不亮,2019/4/25 9:32,小区路灯一个月没亮了,已修复,2019/4/26 9:10\n\
             302,噪音扰民,2019/4/25,晚上施工噪音很大,已责令停工,2019/4/27 15:45\n"
        )
        .as_bytes(),
    );
    let stdout = ingest(&[&saved], &data).ok();
    assert!(stdout.contains("posts: read 2 = written 0 + quarantined 0 + duplicates dropped 2"), "{stdout}");
    assert!(stdout.contains("replies: read 2 = written 0 + quarantined 0 + duplicates dropped 2"), "{stdout}");
    // Another time in the same minute is no rounding: the post held with another time, set aside
    // (since session 37; it had been kept as a second post, the citizen's post twice).
    let other = write(
        dir.path(),
        "other.csv",
        format!("{header}301,路灯不亮,2019/4/25 9:32:30,小区路灯一个月没亮了,,\n").as_bytes(),
    );
    let stdout = ingest(&[&other], &data).ok();
    assert!(stdout.contains("posts: read 1 = written 0 + quarantined 1"), "{stdout}");
    assert!(quarantined(&data, "posted_at", "reason")[0].contains("is already held with the same text"));
}

#[test]
fn json_lines_may_name_fields_their_own_way_but_a_list_is_no_text() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "mixed.jsonl",
        "{\"留言编号\": \"401\", \"留言主题\": \"路灯不亮\", \"留言时间\": \"2019-05-06 09:00:00\"}\n\
         {\"post_id\": \"402\", \"subject\": \"噪音扰民\", \"posted_at\": \"2019-05-06 10:00:00\"}\n\
         {\"留言编号\": \"403\", \"留言主题\": [\"a\", \"b\"], \"留言时间\": \"2019-05-06 11:00:00\"}\n"
            .as_bytes(),
    );
    let data = dir.path().join("data");
    ingest(&[&file], &data).ok();
    let posts = read_table(&data, "posts");
    assert_eq!(lookup(&posts, "post_id", "402", "subject").as_deref(), Some("噪音扰民"));
    assert_eq!(posts.height(), 2);
    let reasons = quarantined(&data, "-", "reason");
    assert!(reasons.iter().any(|r| r.contains("留言主题 holds a JSON list")), "{reasons:?}");
}

/// A supervision office names its own unit registry and kind rules in the config, starting from
/// the printed built-in ones: a local name of a bureau ("星沙城管") signs its replies, and its
/// platform calls posts "…的诉求" complaints. A file that does not parse is refused before
/// anything is written.
#[test]
fn an_office_brings_its_own_unit_names_and_kind_rules() {
    let dir = tempfile::tempdir().unwrap();
    let export = write(
        dir.path(),
        "export.csv",
        "留言编号,留言用户,留言主题,留言时间,留言详情,答复意见,答复时间\n\
         7001,U1,A7县星沙大道路灯的诉求,2019-06-03 09:00:00,路灯坏了一个月,已安排维修，现已恢复照明。星沙城管,2019-06-05 10:00:00\n"
            .as_bytes(),
    );
    let units = wenzheng(["config", "--units"]).ok();
    let ours = units.replacen(
        "\n[[unit]]\n",
        "\n[[unit]]\nname = \"A7县城市管理和行政执法局\"\nlevel = \"county\"\naliases = [\"星沙城管\"]\n\n[[unit]]\n",
        1,
    );
    assert_ne!(ours, units, "the registry has no [[unit]] entry: update this test");
    let kinds = wenzheng(["config", "--kinds"]).ok();
    let kinds = format!("{kinds}\n[[rule]]\nkind = \"投诉\"\npriority = 0\npatterns = [\"的诉求\"]\n");
    std::fs::write(dir.path().join("our-units.toml"), &ours).unwrap();
    std::fs::write(dir.path().join("our-kinds.toml"), &kinds).unwrap();
    let config =
        write(dir.path(), "office.toml", b"[ingest]\nunits = \"our-units.toml\"\nkinds = \"our-kinds.toml\"\n");
    let c = config.display().to_string();

    let data = dir.path().join("data");
    let d = data.display().to_string();
    let plain = dir.path().join("plain");
    assert_eq!(ingest(&[&export], &plain).code(), 0);
    let replies = read_table(&plain, "replies");
    assert_ne!(lookup(&replies, "post_id", "7001", "unit").as_deref(), Some("A7县城市管理和行政执法局"));
    assert_eq!(lookup(&read_table(&plain, "posts"), "post_id", "7001", "kind").as_deref(), Some("其他"));

    wenzheng(["--config", &c, "ingest", &export.display().to_string(), "--out", &d]).ok();
    let replies = read_table(&data, "replies");
    assert_eq!(lookup(&replies, "post_id", "7001", "unit").as_deref(), Some("A7县城市管理和行政执法局"));
    assert_eq!(lookup(&replies, "post_id", "7001", "unit_source").as_deref(), Some("signature"));
    assert_eq!(lookup(&read_table(&data, "posts"), "post_id", "7001", "kind").as_deref(), Some("投诉"));

    // a registry that does not parse stops the run before ingest writes anything
    std::fs::write(dir.path().join("our-units.toml"), "[[unit]\n").unwrap();
    let fresh = dir.path().join("fresh");
    let run = wenzheng(["--config", &c, "run", &export.display().to_string(), "--out", &fresh.display().to_string()]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("our-units.toml") && run.stderr().contains("config --units"), "{}", run.stderr());
    assert!(!fresh.join("manifest.json").exists(), "nothing was written");
}

#[test]
fn rows_set_aside_are_written_out_corrected_and_ingested_again() {
    let dir = tempfile::tempdir().unwrap();
    let export = write(
        dir.path(),
        "export.csv",
        "留言编号,留言用户,留言主题,留言时间,留言详情,答复意见,答复时间\n\
         701,U1,小区停水,2019-09-02 10:00:00,请问何时恢复,已恢复供水,2019-09-03 16:00:00\n\
         702,U2,路灯不亮,2019-13-02 10:00:00,路灯坏了,已修复,2019-09-04 16:00:00\n\
         703,U3,噪音扰民,2019-09-05 10:00:00,夜间施工,已责令停工,下周\n\
         704,U4,断行\n"
            .as_bytes(),
    );
    let data = dir.path().join("data");
    let stdout = ingest(&[&export], &data).ok();
    assert!(stdout.contains("4 rows set aside: `wenzheng quarantine --data"), "{stdout}");

    // Why, by file, record and field; then every row as a spreadsheet numbers it.
    let summary = wenzheng(["quarantine", "--data", &data.display().to_string()]).ok();
    assert!(summary.starts_with("quarantine: 4 rows set aside, from 1 file\n"), "{summary}");
    for (record, field) in [("post", "posted_at"), ("reply", "replied_at"), ("row", "row")] {
        assert!(
            summary.lines().any(|l| l.starts_with("export.csv") && l.contains(record) && l.contains(field)),
            "{summary}"
        );
    }
    let rows = wenzheng(["quarantine", "--data", &data.display().to_string(), "--rows"]).ok();
    assert!(rows.lines().any(|l| l.starts_with("export.csv\t\t3\tpost\tposted_at\t")), "{rows}");
    assert!(rows.lines().any(|l| l.starts_with("export.csv\t\t4\treply\treplied_at\t")), "{rows}");

    // Out as JSON lines under the export's own headers: row 3 (its post and its reply) and
    // row 4 (its reply alone) once each; the broken row 5 is named, to be mended in the export.
    let fixed = dir.path().join("fixed.jsonl");
    let said =
        wenzheng(["quarantine", "--data", &data.display().to_string(), "--out", &fixed.display().to_string()]).ok();
    assert!(said.contains("2 rows written to"), "{said}");
    assert!(said.contains("1 row could not be read into cells") && said.contains("export.csv row 5"), "{said}");
    let text = std::fs::read_to_string(&fixed).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("\"留言编号\":\"702\"") && text.contains("\"答复意见\":\"已责令停工\""), "{text}");

    // Corrected and ingested again: the posts and replies come in, 703's post only once.
    std::fs::write(&fixed, text.replace("2019-13-02", "2019-09-02").replace("\"下周\"", "\"2019-09-06 09:00:00\""))
        .unwrap();
    let again = ingest(&[&fixed], &data).ok();
    assert!(!again.contains("set aside"), "{again}");
    let posts = read_table(&data, "posts");
    let replies = read_table(&data, "replies");
    assert_eq!(posts.height(), 3, "701, 702 and 703");
    assert_eq!(lookup(&replies, "post_id", "702", "body").as_deref(), Some("已修复"));
    assert_eq!(lookup(&replies, "post_id", "703", "body").as_deref(), Some("已责令停工"));
    let none = wenzheng(["quarantine", "--data", &data.display().to_string(), "--file", "fixed.jsonl"]).ok();
    assert!(none.starts_with("quarantine: empty"), "{none}");
    let unknown = wenzheng(["quarantine", "--data", &data.display().to_string(), "--file", "nope.csv"]);
    assert_eq!(unknown.code(), 2);
    assert!(unknown.stderr().contains("no file \"nope.csv\" was ingested into this folder"), "{}", unknown.stderr());
}
