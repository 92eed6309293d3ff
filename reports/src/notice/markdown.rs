//! The notice as Markdown text: the summary, then each unit with its items, the evidence in the
//! reply text in bold.

use std::fmt::Write as _;

use super::xlsx::evidence_lines;
use super::{format_time, highlight_pieces, reply_type_label, Notice, NoticeItem};

pub fn to_markdown(notice: &Notice) -> String {
    let mut out = String::new();
    let _ = write_notice(&mut out, notice);
    out
}

fn write_notice(out: &mut String, notice: &Notice) -> std::fmt::Result {
    writeln!(out, "# 敷衍答复通报（{} 至 {}）\n", notice.from, notice.to)?;
    writeln!(out, "{}\n", notice.headline())?;
    if let Some(as_of) = notice.as_of {
        writeln!(out, "数据截至 {}。\n", format_time(Some(as_of)))?;
    }
    if notice.units.is_empty() {
        return Ok(());
    }
    writeln!(out, "## 汇总\n")?;
    writeln!(out, "| 单位 | 单位类型 | 敷衍答复 | 推诿回避 | 内容空泛 | 超时未答复 |")?;
    writeln!(out, "|---|---|---:|---:|---:|---:|")?;
    for unit in &notice.units {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            escape(&unit.unit),
            unit.unit_type.label(),
            unit.flagged_replies(),
            unit.evasive(),
            unit.vague(),
            unit.overdue()
        )?;
    }
    let types = notice.reply_type_counts();
    if !types.is_empty() {
        let types: Vec<String> = types.iter().map(|(label, n)| format!("{label} {n} 条")).collect();
        writeln!(out, "\n按答复类型：{}。", types.join("，"))?;
    }
    for (i, unit) in notice.units.iter().enumerate() {
        writeln!(out, "\n## {}. {}（{}）\n", i + 1, escape(&unit.unit), unit.unit_type.label())?;
        writeln!(
            out,
            "敷衍答复 {} 条（推诿回避 {}、内容空泛 {}），超时未答复 {} 件。",
            unit.flagged_replies(),
            unit.evasive(),
            unit.vague(),
            unit.overdue()
        )?;
        for item in &unit.items {
            write_item(out, notice, item)?;
        }
    }
    Ok(())
}

fn write_item(out: &mut String, notice: &Notice, item: &NoticeItem) -> std::fmt::Result {
    writeln!(out, "\n### 留言 {}：{}\n", escape(&item.post_id), escape(&item.subject))?;
    let mut facts = vec![format!("问题：{}", item.problems())];
    if !item.kind.is_empty() {
        facts.push(format!("类型：{}", item.kind));
    }
    facts.push(format!("留言时间：{}", format_time(item.posted_at)));
    if let Some(reply) = &item.reply {
        facts.push(format!("答复时间：{}", format_time(Some(reply.replied_at))));
        facts.push(format!("答复类型：{}", reply_type_label(&reply.reply_type)));
        facts.push(format!("推诿等级 {}，空泛等级 {}", reply.evasive_level, reply.vague_level));
    }
    match (item.workdays_taken, &item.reply) {
        (Some(days), Some(_)) => facts.push(format!("用时 {days} 个工作日")),
        // No reply: the days so far, to the data's as-of date, not the time a reply took.
        (Some(days), None) => facts.push(format!("至数据截止已等待 {days} 个工作日")),
        (None, _) => {}
    }
    if let Some(days) = item.overdue_workdays {
        facts.push(format!("逾期 {days} 个工作日"));
    }
    writeln!(out, "- {}", facts.join("；"))?;
    match &item.reply {
        Some(reply) => {
            let quoted: String = highlight_pieces(&reply.body, &reply.evidence)
                .iter()
                .map(|(text, marked)| if *marked { format!("**{}**", escape(text)) } else { escape(text) })
                .collect();
            writeln!(out, "\n> {}\n", quoted.replace('\n', "\n> "))?;
            let evidence = evidence_lines(item);
            if !evidence.is_empty() {
                writeln!(out, "证据：")?;
                for line in evidence.lines() {
                    writeln!(out, "- {}", escape(line))?;
                }
            }
        }
        None => {
            let as_of = notice.as_of.map(|t| format!("截至 {}", format_time(Some(t)))).unwrap_or_default();
            writeln!(out, "\n> {as_of}{}\n", item.overdue_state())?;
        }
    }
    Ok(())
}

/// Text as Markdown shows it literally: its markup characters escaped, line ends normalised.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.replace("\r\n", "\n").chars() {
        if "\\*_`[]<>#|~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
