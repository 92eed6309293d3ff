//! The notice as an Excel workbook: a summary sheet (汇总), then one sheet per unit listing its
//! flagged replies, the evidence in the reply text in bold red.

use std::collections::HashSet;
use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::{
    evidence_kind_label, format_time, highlight_pieces, reply_type_label, write_atomically, Notice, NoticeError,
    NoticeItem, UnitSection,
};

/// The name of the summary sheet; no unit sheet may take it.
pub const SUMMARY_SHEET: &str = "汇总";

/// Excel's limit on a sheet name, in UTF-16 code units.
const MAX_SHEET_NAME: usize = 31;

/// Excel keeps at most this many characters in a cell.
const MAX_CELL_CHARS: usize = 32_000;

/// Writes the notice to `path` (temporary name, then rename).
pub fn write_xlsx(notice: &Notice, path: &Path) -> Result<(), NoticeError> {
    let bytes = workbook(notice)
        .and_then(|mut book| book.save_to_buffer())
        .map_err(|e| NoticeError::Write { path: path.display().to_string(), reason: e.to_string() })?;
    write_atomically(path, &bytes)
}

/// One valid, distinct sheet name per unit, in order: characters Excel forbids (`[]:*?/\`)
/// become `_`, names are cut to 31 characters, and a name already taken (Excel compares
/// without case) gets "(2)", "(3)", … .
pub fn sheet_names<'a>(units: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::from([SUMMARY_SHEET.to_lowercase()]);
    let mut names = Vec::new();
    for unit in units {
        let clean: String =
            unit.trim().chars().map(|c| if "[]:*?/\\".contains(c) || c.is_control() { '_' } else { c }).collect();
        let clean = clean.trim_matches('\'').trim();
        let base = if clean.is_empty() { "未命名单位" } else { clean };
        let mut name = cut(base, MAX_SHEET_NAME);
        let mut n = 2;
        while taken.contains(&name.to_lowercase()) {
            let suffix = format!("({n})");
            name = format!("{}{suffix}", cut(base, MAX_SHEET_NAME - suffix.len()));
            n += 1;
        }
        taken.insert(name.to_lowercase());
        names.push(name);
    }
    names
}

/// The longest prefix of `text` of at most `max` UTF-16 code units, without a trailing apostrophe.
fn cut(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if out.encode_utf16().count() + c.len_utf16() > max {
            break;
        }
        out.push(c);
    }
    out.trim_end_matches('\'').to_string()
}

struct Formats {
    title: Format,
    header: Format,
    wrap: Format,
    plain: Format,
    evidence: Format,
}

impl Formats {
    fn new() -> Formats {
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new().set_bold().set_background_color(Color::RGB(0xD9E1F2)).set_text_wrap(),
            plain: Format::new(),
            evidence: Format::new().set_bold().set_font_color(Color::Red),
            wrap,
        }
    }
}

fn workbook(notice: &Notice) -> Result<Workbook, XlsxError> {
    let formats = Formats::new();
    let names = sheet_names(notice.units.iter().map(|u| u.unit.as_str()));
    let mut book = Workbook::new();
    summary_sheet(book.add_worksheet(), notice, &names, &formats)?;
    for (unit, name) in notice.units.iter().zip(&names) {
        unit_sheet(book.add_worksheet(), notice, unit, name, &formats)?;
    }
    Ok(book)
}

fn summary_sheet(sheet: &mut Worksheet, notice: &Notice, names: &[String], f: &Formats) -> Result<(), XlsxError> {
    sheet.set_name(SUMMARY_SHEET)?;
    sheet.write_string_with_format(0, 0, "敷衍答复通报", &f.title)?;
    sheet.write_string(1, 0, format!("通报期间：{} 至 {}", notice.from, notice.to))?;
    sheet.write_string(2, 0, notice.headline())?;
    if let Some(as_of) = notice.as_of {
        sheet.write_string(3, 0, format!("数据截至：{}", format_time(Some(as_of))))?;
    }
    let header = ["单位", "单位类型", "敷衍答复", "推诿回避", "内容空泛", "超时未答复", "合计", "工作表"];
    for (col, title) in header.iter().enumerate() {
        sheet.write_string_with_format(5, col as u16, *title, &f.header)?;
    }
    let mut row = 6;
    for (unit, name) in notice.units.iter().zip(names) {
        sheet.write_string(row, 0, &unit.unit)?;
        sheet.write_string(row, 1, unit.unit_type.label())?;
        let counts = [unit.flagged_replies(), unit.evasive(), unit.vague(), unit.overdue(), unit.items.len()];
        for (col, n) in counts.into_iter().enumerate() {
            sheet.write_number(row, 2 + col as u16, n as f64)?;
        }
        sheet.write_string(row, 7, name)?;
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, "答复类型", &f.header)?;
    sheet.write_string_with_format(row, 1, "敷衍答复", &f.header)?;
    for (label, n) in notice.reply_type_counts() {
        row += 1;
        sheet.write_string(row, 0, label)?;
        sheet.write_number(row, 1, n as f64)?;
    }
    sheet.set_column_width(0, 36)?;
    sheet.set_column_width(1, 12)?;
    sheet.set_column_width(7, 30)?;
    Ok(())
}

/// Columns of a unit sheet.
const UNIT_HEADER: [&str; 13] = [
    "留言编号",
    "留言主题",
    "留言时间",
    "答复内容（证据标红）",
    "答复时间",
    "答复类型",
    "推诿等级",
    "空泛等级",
    "证据",
    "用时（工作日；未答复的计至数据截止）",
    "逾期（工作日）",
    "问题",
    "答复编号",
];
const WIDTHS: [f64; 13] = [12.0, 30.0, 17.0, 70.0, 17.0, 12.0, 9.0, 9.0, 40.0, 9.0, 9.0, 16.0, 12.0];

fn unit_sheet(
    sheet: &mut Worksheet,
    notice: &Notice,
    unit: &UnitSection,
    name: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    let title = format!(
        "{}（{}）：敷衍答复 {} 条（推诿回避 {}、内容空泛 {}），超时未答复 {} 件",
        unit.unit,
        unit.unit_type.label(),
        unit.flagged_replies(),
        unit.evasive(),
        unit.vague(),
        unit.overdue()
    );
    sheet.write_string_with_format(0, 0, title, &f.title)?;
    for (col, (title, width)) in UNIT_HEADER.iter().zip(WIDTHS).enumerate() {
        sheet.write_string_with_format(1, col as u16, *title, &f.header)?;
        sheet.set_column_width(col as u16, width)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    for (i, item) in unit.items.iter().enumerate() {
        item_row(sheet, notice, item, 2 + i as u32, f)?;
    }
    Ok(())
}

fn item_row(sheet: &mut Worksheet, notice: &Notice, item: &NoticeItem, row: u32, f: &Formats) -> Result<(), XlsxError> {
    sheet.write_string_with_format(row, 0, &item.post_id, &f.wrap)?;
    sheet.write_string_with_format(row, 1, &item.subject, &f.wrap)?;
    sheet.write_string_with_format(row, 2, format_time(item.posted_at), &f.wrap)?;
    match &item.reply {
        Some(reply) => {
            let body: String = reply.body.chars().take(MAX_CELL_CHARS).collect();
            let pieces = highlight_pieces(&body, &reply.evidence);
            let segments: Vec<(&Format, &str)> = pieces
                .iter()
                .filter(|(text, _)| !text.is_empty())
                .map(|(text, marked)| (if *marked { &f.evidence } else { &f.plain }, text.as_str()))
                .collect();
            if segments.len() > 1 || segments.iter().any(|(format, _)| std::ptr::eq(*format, &f.evidence)) {
                sheet.write_rich_string_with_format(row, 3, &segments, &f.wrap)?;
            } else {
                sheet.write_string_with_format(row, 3, &body, &f.wrap)?;
            }
            sheet.write_string_with_format(row, 4, format_time(Some(reply.replied_at)), &f.wrap)?;
            sheet.write_string_with_format(row, 5, reply_type_label(&reply.reply_type), &f.wrap)?;
            sheet.write_number_with_format(row, 6, reply.evasive_level as f64, &f.wrap)?;
            sheet.write_number_with_format(row, 7, reply.vague_level as f64, &f.wrap)?;
            sheet.write_string_with_format(row, 8, evidence_lines(item), &f.wrap)?;
            sheet.write_string_with_format(row, 12, &reply.reply_id, &f.wrap)?;
        }
        None => {
            let what = item.overdue_state();
            let note = match notice.as_of {
                Some(as_of) => format!("（截至 {} {what}）", format_time(Some(as_of))),
                None => format!("（{what}）"),
            };
            sheet.write_string_with_format(row, 3, note, &f.wrap)?;
            // (an overdue post with no flagged reply: 超时未答复 or 超时未办结)
            sheet.write_string_with_format(row, 5, item.problems(), &f.wrap)?;
        }
    }
    if let Some(days) = item.workdays_taken {
        sheet.write_number_with_format(row, 9, days as f64, &f.wrap)?;
    }
    if let Some(days) = item.overdue_workdays {
        sheet.write_number_with_format(row, 10, days as f64, &f.wrap)?;
    }
    sheet.write_string_with_format(row, 11, item.problems(), &f.wrap)?;
    Ok(())
}

/// The evidence of an item, one span a line: "仅告知收悉：「留言已收悉」".
pub(super) fn evidence_lines(item: &NoticeItem) -> String {
    let Some(reply) = &item.reply else { return String::new() };
    reply
        .evidence
        .iter()
        .map(|e| {
            let place = if e.in_post { "（留言中）" } else { "" };
            format!("{}{place}：「{}」", evidence_kind_label(&e.kind), e.text)
        })
        .collect::<Vec<_>>()
        .join("\n")
}
