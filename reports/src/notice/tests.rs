//! The notice on a small hand-made folder: what is flagged, how it is grouped and counted, and
//! how it reads in Markdown and Excel.

use chrono::{NaiveDate, NaiveDateTime};
use models::calendar::WorkCalendar;
use models::deadline::DeadlineRules;
use polars::prelude::*;

use super::*;

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn time_column(name: &str, values: &[&str]) -> Column {
    let millis: Vec<i64> = values.iter().map(|v| at(v).and_utc().timestamp_millis()).collect();
    Series::new(name.into(), millis).cast(&DataType::Datetime(TimeUnit::Milliseconds, None)).unwrap().into()
}

/// April 2019: seven posts. P1 asks a yes/no question and gets the rule quoted two working days
/// late; P2 gets a receipt note; P3 (a complaint) gets no reply at all; P4's reply names no unit
/// and forwards to "相关部门"; P5's reply is substantive; P6's evasive reply comes in June; P7's
/// reply is only generic promises.
struct Folder {
    posts: DataFrame,
    replies: DataFrame,
    scores: DataFrame,
}

fn folder() -> Folder {
    let mut posts = df!(
        "post_id" => ["P1", "P2", "P3", "P4", "P5", "P6", "P7"],
        "subject" => ["孩子能否就读杏坛中学", "小区垃圾无人清运", "工地夜间施工扰民", "路灯不亮", "学位申请", "学校收费", "道路积水"],
        "kind" => ["咨询", "投诉", "投诉", "求助", "咨询", "咨询", "建议"],
        "unit" => [Some("A市教育局"), Some("B街道办事处"), Some("K7县某镇"), None, Some("A市教育局"), Some("A市教育局"), None],
    )
    .unwrap();
    let posted = [
        "2019-04-01 10:00",
        "2019-04-01 11:00",
        "2019-04-08 10:00",
        "2019-04-09 09:00",
        "2019-04-10 09:00",
        "2019-05-30 09:00",
        "2019-04-10 09:00",
    ];
    posts.with_column(time_column("posted_at", &posted)).unwrap();
    let mut replies = df!(
        "reply_id" => ["R1", "R2", "R4", "R5", "R6", "R7"],
        "post_id" => ["P1", "P2", "P4", "P5", "P6", "P7"],
        "unit" => [Some("A市教育局"), Some("B街道办事处"), None, Some("A市教育局"), Some("A市教育局"), Some("A市住建局")],
        "body" => [
            "你好，你可以就近选择学校就读。谢谢！",
            "您的留言已收悉。",
            "已转相关部门处理。",
            "经核实，您的孩子符合条件，已于4月12日安排到杏坛中学就读。",
            "留言已收悉。",
            "我局将加强管理。",
        ],
    )
    .unwrap();
    let replied = [
        "2019-04-03 10:00",
        "2019-04-02 10:00",
        "2019-04-09 15:00",
        "2019-04-10 16:00",
        "2019-06-01 10:00",
        "2019-04-10 12:00",
    ];
    replies.with_column(time_column("replied_at", &replied)).unwrap();
    let evidence = |kind: &str, text: &str, start: usize| {
        format!(r#"[{{"kind":"{kind}","text":"{text}","start":{start},"end":{}}}]"#, start + text.chars().count())
    };
    let scores = df!(
        "reply_id" => ["R1", "R2", "R4", "R5", "R6", "R7"],
        "evasive_level" => [2i8, 2, 2, 0, 2, 1],
        "vague_level" => [2i8, 2, 2, 0, 2, 2],
        "reply_type" => ["generic_policy", "acknowledgement_only", "forwarded", "substantive", "acknowledgement_only", "generic_policy"],
        "evidence" => [
            evidence("rule_quote", "你可以就近选择学校就读", 3),
            evidence("acknowledgement", "留言已收悉", 2),
            evidence("forwarded_unnamed", "已转相关部门", 0),
            "[]".to_string(),
            evidence("acknowledgement", "留言已收悉", 0),
            evidence("generic_promise", "加强管理", 3),
        ],
    )
    .unwrap();
    Folder { posts, replies, scores }
}

fn notice_of(folder: &Folder, facts: Option<&DataFrame>, from: &str, to: &str) -> Result<Notice, NoticeError> {
    let inputs = NoticeInputs { posts: &folder.posts, replies: &folder.replies, scores: &folder.scores, facts };
    build_notice(&inputs, day(from), day(to), &DeadlineRules::default(), &WorkCalendar::default())
}

fn april() -> Notice {
    notice_of(&folder(), None, "2019-04-01", "2019-04-30").unwrap()
}

/// One unit's expected part: (unit, type, post ids in order, evasive, vague, overdue).
type UnitExpect<'a> = (&'a str, UnitType, Vec<&'a str>, usize, usize, usize);

fn check(notice: &Notice, headline: &str, units: &[UnitExpect]) {
    assert_eq!(notice.headline(), headline);
    let got: Vec<UnitExpect> = notice
        .units
        .iter()
        .map(|u| {
            let posts = u.items.iter().map(|i| i.post_id.as_str()).collect();
            (u.unit.as_str(), u.unit_type, posts, u.evasive(), u.vague(), u.overdue())
        })
        .collect();
    assert_eq!(got, units);
}

#[test]
fn a_period_lists_its_flagged_replies_and_overdue_posts_by_unit() {
    check(
        &april(),
        "共通报 4 条敷衍答复，涉及 2 个部门、1 个街道（乡镇），另有 1 条答复单位不明。\
         超时未答复留言 1 件，涉及 1 个单位。",
        &[
            ("A市住建局", UnitType::Department, vec!["P7"], 0, 1, 0),
            ("A市教育局", UnitType::Department, vec!["P1"], 1, 1, 0),
            ("B街道办事处", UnitType::Street, vec!["P2"], 1, 1, 0),
            ("K7县某镇", UnitType::Street, vec!["P3"], 0, 0, 1),
            ("未知单位", UnitType::Unknown, vec!["P4"], 1, 1, 0),
        ],
    );
    // June holds only the evasive reply to P6; May holds nothing.
    let folder = folder();
    let june = notice_of(&folder, None, "2019-06-01", "2019-06-30").unwrap();
    check(
        &june,
        "共通报 1 条敷衍答复，涉及 1 个部门、0 个街道（乡镇）。",
        &[("A市教育局", UnitType::Department, vec!["P6"], 1, 1, 0)],
    );
    let may = notice_of(&folder, None, "2019-05-01", "2019-05-31").unwrap();
    check(&may, "2019-05-01 至 2019-05-31 期间未发现需通报的敷衍答复或超时未答复留言。", &[]);
    // Before the first post nothing was looked at: no clean bill, as after the last.
    let earlier = notice_of(&folder, None, "2005-01-01", "2005-12-31").unwrap();
    let first = earlier.data_from.unwrap().format("%Y-%m-%d").to_string();
    check(
        &earlier,
        &format!("2005-01-01 至 2005-12-31 期间没有数据：数据始于 {first}，所选期间在其前，未作任何判断。"),
        &[],
    );
}

#[test]
fn working_days_and_lateness_follow_the_deadline_rules() {
    let notice = april();
    let item = |post: &str| notice.units.iter().flat_map(|u| &u.items).find(|i| i.post_id == post).unwrap().clone();
    // P1 (咨询, due the same day) answered two working days later.
    let p1 = item("P1");
    assert_eq!(
        (p1.workdays_taken, p1.overdue_workdays, p1.problems().as_str()),
        (Some(2), Some(2), "推诿回避、内容空泛、答复超期")
    );
    // P2 (投诉, 5 working days) answered the next day: on time.
    let p2 = item("P2");
    assert_eq!((p2.workdays_taken, p2.overdue_workdays), (Some(1), None));
    // P3 (投诉 of Monday 8 April, due 15 April) still unanswered as of 1 June.
    let p3 = item("P3");
    assert!(p3.overdue && p3.reply.is_none());
    assert_eq!(notice.as_of, Some(at("2019-06-01 10:00")));
    assert!(p3.overdue_workdays.unwrap() > 30, "{:?}", p3.overdue_workdays);
}

#[test]
fn overdue_posts_come_from_the_indicators_facts_when_given() {
    let folder = folder();
    // overdue.parquet lists P3 under its responsible unit; post_facts marks rows with `overdue`.
    let overdue = df!("post_id" => ["P3"], "unit" => ["K7县住建局"], "overdue_workdays" => [33i32]).unwrap();
    let notice = notice_of(&folder, Some(&overdue), "2019-04-01", "2019-04-30").unwrap();
    let unit = notice.units.iter().find(|u| u.unit == "K7县住建局").unwrap();
    assert_eq!((unit.overdue(), unit.items[0].overdue_workdays), (1, Some(33)));
    let facts =
        df!("post_id" => ["P3", "P5"], "unit" => ["K7县某镇", "A市教育局"], "overdue" => [false, false]).unwrap();
    let notice = notice_of(&folder, Some(&facts), "2019-04-01", "2019-04-30").unwrap();
    assert_eq!(notice.overdue_posts(), 0);
}

/// A receipt accepts a post without completing it (SPEC §4): the indicators' facts mark such a
/// post overdue once its deadline has passed. P2's only reply, a flagged receipt, is one entry
/// with both problems, not two; P4's forwarding note, not flagged here, is an overdue entry of its
/// own that says the post was accepted, not left unanswered.
#[test]
fn a_post_left_at_its_receipt_is_overdue_as_accepted_not_unanswered() {
    let mut folder = folder();
    let scores = folder.scores.clone().lazy();
    let not_flagged = when(col("reply_id").eq(lit("R4"))).then(lit(0i8)).otherwise(col("evasive_level"));
    let vague = when(col("reply_id").eq(lit("R4"))).then(lit(0i8)).otherwise(col("vague_level"));
    folder.scores =
        scores.with_columns([not_flagged.alias("evasive_level"), vague.alias("vague_level")]).collect().unwrap();
    let facts = df!(
        "post_id" => ["P2", "P3", "P4"],
        "unit" => ["B街道办事处", "K7县某镇", "A市城管局"],
        "overdue" => [true, true, true],
        "overdue_workdays" => [30i32, 33, 31],
    )
    .unwrap();
    let notice = notice_of(&folder, Some(&facts), "2019-04-01", "2019-04-30").unwrap();
    let items: Vec<&NoticeItem> = notice.units.iter().flat_map(|u| &u.items).collect();
    let of = |post: &str| -> Vec<&&NoticeItem> { items.iter().filter(|i| i.post_id == post).collect() };
    let p2 = of("P2");
    assert_eq!(p2.len(), 1, "{p2:?}");
    assert_eq!((p2[0].overdue_workdays, p2[0].problems().as_str()), (Some(30), "推诿回避、内容空泛、超时未办结"));
    let p4 = of("P4");
    assert_eq!((p4.len(), p4[0].reply.is_none(), p4[0].problems().as_str()), (1, true, "超时未办结"));
    assert_eq!(of("P3")[0].problems(), "超时未答复");
    assert_eq!(notice.overdue_posts(), 3);
    assert!(
        notice
            .headline()
            .contains("超时未答复留言 3 件，涉及 3 个单位（其中 2 件仅有受理、转办或办理中回复、未办结）。"),
        "{}",
        notice.headline()
    );
    let markdown = to_markdown(&notice);
    assert!(markdown.contains("仅受理、未办结"), "{markdown}");
}

#[test]
fn a_flagged_reply_whose_post_is_not_in_the_data_is_counted_not_published() {
    let mut folder = folder();
    // R7's post P7 was never ingested (a replies file ahead of its posts export).
    folder.posts =
        folder.posts.filter(&folder.posts.column("post_id").unwrap().str().unwrap().not_equal("P7")).unwrap();
    let notice = notice_of(&folder, None, "2019-04-01", "2019-04-30").unwrap();
    assert!(notice.units.iter().all(|u| u.items.iter().all(|i| i.post_id != "P7")));
    assert_eq!(notice.replies_without_post, 1);
    assert!(
        notice.headline().ends_with("另有 1 条被评为敷衍的答复在数据中找不到所答的留言，无从核对，未列入通报。"),
        "{}",
        notice.headline()
    );
    assert_eq!(april().replies_without_post, 0);
}

#[test]
fn a_flagged_note_that_an_answer_followed_is_judged_by_the_answer() {
    let with_later_reply = |evasive: i8| {
        let mut folder = folder();
        // P2's receipt note (R2, flagged) is followed two days later by R8.
        let mut reply = df!(
            "reply_id" => ["R8"],
            "post_id" => ["P2"],
            "unit" => [Some("B街道办事处")],
            "body" => ["经查，垃圾已于4月3日清运完毕。"],
        )
        .unwrap();
        reply.with_column(time_column("replied_at", &["2019-04-04 10:00"])).unwrap();
        folder.replies = folder.replies.vstack(&reply).unwrap();
        let score = df!(
            "reply_id" => ["R8"],
            "evasive_level" => [evasive],
            "vague_level" => [0i8],
            "reply_type" => ["substantive"],
            "evidence" => ["[]"],
        )
        .unwrap();
        folder.scores = folder.scores.vstack(&score).unwrap();
        notice_of(&folder, None, "2019-04-01", "2019-04-30").unwrap()
    };
    let answered = with_later_reply(0);
    let published = |notice: &Notice| -> Vec<String> {
        notice
            .units
            .iter()
            .flat_map(|u| u.items.iter().filter_map(|i| i.reply.as_ref().map(|r| r.reply_id.clone())))
            .collect()
    };
    assert!(!published(&answered).contains(&"R2".to_string()), "{:?}", published(&answered));
    assert_eq!(answered.answered_later, 1);
    assert!(answered.headline().contains("另有 1 条被评为敷衍的答复（如转办说明）其后已有未被评为敷衍的答复"));
    // A later reply flagged too: both are published.
    let still_evasive = with_later_reply(2);
    assert!(published(&still_evasive).contains(&"R2".to_string()));
    assert!(published(&still_evasive).contains(&"R8".to_string()));
    assert_eq!(still_evasive.answered_later, 0);
    assert_eq!(april().answered_later, 0);
}

#[test]
fn a_reversed_period_is_refused() {
    let error = notice_of(&folder(), None, "2019-05-01", "2019-04-01").unwrap_err();
    assert!(error.to_string().contains("2019-05-01 is after the end 2019-04-01"), "{error}");
}

#[test]
fn units_are_typed_by_their_name() {
    for (unit, expected) in [
        ("B街道办事处", UnitType::Street),
        ("A5区某某街道", UnitType::Street),
        ("K7县某镇人民政府", UnitType::Street),
        ("K7县某乡", UnitType::Street),
        ("A市教育局", UnitType::Department),
        ("A市城乡建设委员会", UnitType::Department),
        ("A5区人民政府", UnitType::Government),
        ("K市人民政府", UnitType::Government),
        ("K7县某局", UnitType::Department),
        ("未知单位", UnitType::Unknown),
        ("", UnitType::Unknown),
    ] {
        assert_eq!(UnitType::of(unit), expected, "{unit}");
    }
}

#[test]
fn sheet_names_are_valid_and_distinct() {
    let long = "A市某某区某某街道办事处城市管理和综合执法局环境卫生管理处第一科";
    let first = |n: usize| long.chars().take(n).collect::<String>();
    for (units, expected) in [
        (vec!["A市教育局"], vec!["A市教育局".to_string()]),
        (vec!["A/B:局[1]*?"], vec!["A_B_局_1___".to_string()]),
        (vec!["汇总", "'引号'"], vec!["汇总(2)".to_string(), "引号".to_string()]),
        (vec![long, long], vec![first(31), format!("{}(2)", first(28))]),
        (vec!["Unit", "UNIT", ""], vec!["Unit".to_string(), "UNIT(2)".to_string(), "未命名单位".to_string()]),
    ] {
        let names = sheet_names(units.iter().copied());
        assert_eq!(names, expected, "{units:?}");
        for name in &names {
            assert!(name.encode_utf16().count() <= 31 && !name.contains(['[', ']', ':', '*', '?', '/', '\\']));
        }
    }
}

#[test]
fn evidence_is_cut_out_of_the_reply_text() {
    let span = |start, end, in_post| EvidenceSpan { kind: "k".into(), text: String::new(), start, end, in_post };
    for (spans, expected) in [
        (vec![], vec![("你好，留言已收悉。", false)]),
        (vec![span(3, 8, false)], vec![("你好，", false), ("留言已收悉", true), ("。", false)]),
        // overlapping spans merge; spans in the post or past the end are not the reply's
        (
            vec![span(5, 9, false), span(0, 6, false), span(1, 3, true), span(7, 40, false)],
            vec![("你好，留言已收悉。", true)],
        ),
    ] {
        let pieces = highlight_pieces("你好，留言已收悉。", &spans);
        let pieces: Vec<(&str, bool)> = pieces.iter().map(|(t, m)| (t.as_str(), *m)).collect();
        assert_eq!(pieces, expected, "{spans:?}");
    }
}

#[test]
fn the_markdown_notice_reads_summary_then_units() {
    let text = to_markdown(&april());
    for expected in [
        "# 敷衍答复通报（2019-04-01 至 2019-04-30）",
        "共通报 4 条敷衍答复，涉及 2 个部门、1 个街道（乡镇）",
        "| A市教育局 | 部门 | 1 | 1 | 1 | 0 |",
        "按答复类型：空泛政策 2 条，仅告知收悉 1 条，转办 1 条。",
        "## 4. K7县某镇（街道（乡镇））",
        "### 留言 P1：孩子能否就读杏坛中学",
        "> 你好，**你可以就近选择学校就读**。谢谢！",
        "- 照搬规定：「你可以就近选择学校就读」",
        "用时 2 个工作日；逾期 2 个工作日",
        "> 截至 2019-06-01 10:00未答复",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // sections in summary order
    let position = |s: &str| text.find(s).unwrap();
    assert!(
        position("## 汇总") < position("## 1. A市住建局") && position("## 1. A市住建局") < position("## 5. 未知单位")
    );
}

#[test]
fn the_xlsx_notice_is_written_in_place_of_the_old_file() {
    let dir = std::env::temp_dir().join(format!("wenzheng-notice-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("通报.xlsx");
    std::fs::write(&path, "old").unwrap();
    write_xlsx(&april(), &path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..2], b"PK", "an xlsx is a zip file");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "no temporary file left: {left:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_published_notice_masks_citizens_numbers_in_subjects_replies_and_evidence() {
    let mut folder = folder();
    let subjects = [
        "孩子能否就读杏坛中学",
        "小区垃圾无人清运 电话13812345678",
        "工地夜间施工扰民",
        "路灯不亮",
        "学位申请",
        "学校收费",
        "道路积水",
    ];
    folder.posts.with_column(Column::new("subject".into(), subjects)).unwrap();
    let bodies = [
        "你好，你可以就近选择学校就读。谢谢！",
        "您的留言已收悉。（来电 138 1234 5678）",
        "已转相关部门处理。",
        "经核实，已安排就读。",
        "留言已收悉。",
        "我局将加强管理。",
    ];
    folder.replies.with_column(Column::new("body".into(), bodies)).unwrap();
    let notice = notice_of(&folder, None, "2019-04-01", "2019-04-30").unwrap();
    let item = notice.units.iter().flat_map(|u| &u.items).find(|i| i.post_id == "P2").expect("P2 is published");
    assert_eq!(item.subject, "小区垃圾无人清运 电话138****5678");
    let reply = item.reply.as_ref().expect("its reply");
    assert_eq!(reply.body, "您的留言已收悉。（来电 138 **** 5678）");
    assert_eq!(reply.evidence[0].text, "留言已收悉", "the evidence still points at its words");
    let text = to_markdown(&notice);
    assert!(!text.contains("13812345678") && !text.contains("1234 5678"), "{text}");
}
