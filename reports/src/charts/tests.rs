//! The charts on hand-built report tables with the contract's columns.

use polars::prelude::*;

use super::data::{self, RankingRow};
use super::*;

const MS_PER_DAY: i64 = 86_400_000;
/// 2019-01-01 00:00, in ms.
const JAN_2019: i64 = 1_546_300_800_000;

fn datetime(name: &str, values: Vec<i64>) -> Column {
    Series::new(name.into(), values).cast(&DataType::Datetime(TimeUnit::Milliseconds, None)).unwrap().into()
}

/// Four units over 2018–2019: two ranked, one too small to rank, one whose name needs
/// escaping; two recurring issues.
pub(crate) fn fixture() -> ReportTables {
    let units = ["A市住房和城乡建设局", "A市A5区洋湖街道办事处", "K7县人民政府", "<script>局"];
    // post_facts: 24 posts in 2019, a few in 2018.
    let mut post = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..28usize {
        let year = if i < 24 { 2019 } else { 2018 };
        let month = if i < 24 { format!("2019-{:02}", i % 12 + 1) } else { format!("2018-{:02}", i - 12) };
        post.0.push(format!("p{i}"));
        post.1.push(units[i % 3]);
        post.2.push(["投诉", "咨询", "建议", "举报"][i % 4]);
        post.3.push(month);
        post.4.push(year);
        post.5.push(if i % 7 == 6 { None } else { Some((i % 9) as f64) });
        post.6.push(match i % 5 {
            0 | 1 => Some("c1"),
            2 => Some("c2"),
            _ => None,
        });
    }
    // (three posts of issue c1 came back after a reply in 2019, none in 2018)
    let repeat_after_reply: Vec<bool> = (0..28usize).map(|i| matches!(i, 0 | 5 | 10)).collect();
    let post_facts = df!(
        "post_id" => post.0, "unit" => post.1, "kind" => post.2, "month" => post.3, "year" => post.4,
        "workdays_to_reply" => post.5, "cluster_id" => post.6, "repeat_after_reply" => repeat_after_reply,
    )
    .unwrap();

    // indicators: the city per month of 2019, each unit per month and for the year.
    #[allow(clippy::type_complexity)] // the columns of a frame under construction
    let mut ind: (Vec<&str>, Vec<String>, Vec<&str>, Vec<String>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) =
        Default::default();
    let mut push = |scope: &'static str,
                    key: &str,
                    period_type: &'static str,
                    period: String,
                    posts: f64,
                    on_time: f64,
                    evasive: f64,
                    vague: f64| {
        ind.0.push(scope);
        ind.1.push(key.to_string());
        ind.2.push(period_type);
        ind.3.push(period);
        ind.4.push(posts);
        ind.5.push(on_time);
        ind.6.push(evasive);
        ind.7.push(vague);
    };
    for m in 1..=12 {
        push("city", "全市", "month", format!("2019-{m:02}"), 20.0 + m as f64 * 3.0, 0.6 + m as f64 / 40.0, 0.1, 0.2);
        for (u, unit) in units.iter().enumerate() {
            push(
                "unit",
                unit,
                "month",
                format!("2019-{m:02}"),
                (m + u) as f64,
                0.5 + u as f64 / 10.0,
                0.05 * u as f64,
                0.1,
            );
        }
    }
    for (u, unit) in units.iter().enumerate() {
        push(
            "unit",
            unit,
            "year",
            "2019".into(),
            [120.0, 80.0, 4.0, 30.0][u],
            0.8,
            [0.08, 0.22, 0.5, 0.12][u],
            [0.15, 0.3, 0.1, 0.05][u],
        );
    }
    let unit_col: Vec<Option<String>> =
        ind.0.iter().zip(&ind.1).map(|(s, k)| (*s == "unit").then(|| k.clone())).collect();
    let indicators = df!(
        "scope" => ind.0, "key" => ind.1, "period_type" => ind.2, "period" => ind.3, "unit" => unit_col,
        "posts" => ind.4, "on_time_rate" => ind.5, "evasive_rate" => ind.6, "vague_rate" => ind.7,
    )
    .unwrap();

    let annual = df!(
        "unit" => [units[0], units[1], units[2], units[3], units[0]],
        "year" => [2019, 2019, 2019, 2019, 2018],
        "score" => [86.5, 61.25, 70.0, 74.0, 80.0],
        "rank" => [Some(1), Some(3), None, Some(2), Some(1)],
        "response" => [95.0, 70.0, 80.0, 85.0, 90.0],
        "timeliness" => [88.0, 55.0, 60.0, 70.0, 80.0],
        "quality" => [80.0, 50.0, 75.0, 72.0, 75.0],
        "resolution" => [82.0, 65.0, 70.0, 69.0, 77.0],
        "posts" => [120u32, 80, 4, 30, 90],
        "shrunk" => [false, false, true, false, false],
        "ranked" => [true, true, false, true, true],
        "score_change" => [Some(6.5), None, None, None, None],
        "components_json" => ["{}", "{}", "{}", "{}", "{}"],
    )
    .unwrap();

    // (two posts of 2019 and one of 2018 past their deadline)
    let overdue = df!(
        "post_id" => ["p5", "p9", "p26"], "unit" => [units[1], units[3], units[0]], "kind" => ["投诉", "举报", "投诉"],
        "subject" => ["小区噪音扰民", "违建<未处理>", "去年的路灯"], "overdue_workdays" => [12, 3, 200],
    )
    .unwrap()
    .hstack(&[
        datetime("posted_at", vec![JAN_2019, JAN_2019 + 40 * MS_PER_DAY, JAN_2019 - 200 * MS_PER_DAY]),
        datetime("due_at", vec![JAN_2019 + 7 * MS_PER_DAY, JAN_2019 + 47 * MS_PER_DAY, JAN_2019 - 193 * MS_PER_DAY]),
    ])
    .unwrap();

    let issues = df!(
        "cluster_id" => ["c1", "c2"], "title" => ["洋湖街道某小区夜间施工噪音扰民问题反复出现", "K7县农村公路破损"],
        "place" => ["A市A5区", "K7县"], "posts" => [12i64, 5], "users" => [9i64, 4], "likes" => [30i64, 2],
        "heat" => [42.5, 11.0], "units" => ["A市A5区洋湖街道办事处", "K7县人民政府"], "replied_posts" => [10i64, 5], "repeats_after_reply" => [4i64, 1],
    )
    .unwrap()
    .hstack(&[datetime("first_at", vec![JAN_2019, JAN_2019 + 60 * MS_PER_DAY]), datetime("last_at", vec![JAN_2019 + 330 * MS_PER_DAY, JAN_2019 + 200 * MS_PER_DAY])])
    .unwrap();

    ReportTables { post_facts, indicators, annual, overdue, issues: Some(issues) }
}

/// Well-formed XML (every tag closed, names matching), or the parser's complaint.
pub(crate) fn check_xml(text: &str) -> Result<(), String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("at byte {}: {e}", reader.buffer_position())),
        }
    }
    if depth == 0 {
        Ok(())
    } else {
        Err(format!("{depth} tags left open"))
    }
}

#[test]
fn every_chart_renders_a_well_formed_svg_with_its_chinese_title() {
    let tables = fixture();
    let check = |name: &str, year: Option<i32>, unit: Option<&str>, title: &str| {
        let svg = render_svg(name, &tables, year, unit).unwrap_or_else(|e| panic!("{name}: {e}"));
        check_xml(&svg).unwrap_or_else(|e| panic!("{name}: not well-formed: {e}"));
        assert!(svg.starts_with("<svg"), "{name}");
        assert!(svg.contains(title), "{name}: no title {title:?} in {}", &svg[..svg.len().min(1500)]);
        svg
    };
    let svg = check("ranking", Some(2019), None, "2019年 承办单位年度得分排名");
    assert!(
        svg.contains("1. A市住房和城乡建设局") && svg.contains("K7县人民政府（未排名）"),
        "ranked and unranked rows"
    );
    assert!(svg.contains("&lt;script&gt;局") && !svg.contains("<script>"), "unit names are escaped");
    check("ranking", None, None, "2019年 承办单位年度得分排名");
    check("monthly_volume", Some(2019), None, "2019年 全市每月留言量与按时办结率");
    check("monthly_volume", None, None, "2018年12月—2019年12月 全市每月留言量与按时办结率");
    let svg = check("workdays_distribution", Some(2019), None, "2019年 答复用时分布（工作日）");
    assert!(svg.contains("5日时限") && svg.contains("当日时限"), "deadline lines are labelled");
    let svg = check("evasive_vague_by_unit", Some(2019), None, "2019年 各单位推诿、敷衍答复率");
    assert!(!svg.contains("K7县人民政府"), "an unranked unit has too few posts to compare");
    check("hot_issues", Some(2019), None, "2019年 高频重复问题时间线");
    let svg = check("unit_trend", Some(2019), Some("A市住房和城乡建设局"), "2019年 A市住房和城乡建设局 月度趋势");
    assert!(svg.contains("推诿率"), "the trend has the evasive rate");
}

#[test]
fn a_month_without_a_rate_breaks_the_trend_line() {
    let unit = "A市住房和城乡建设局";
    let lines = |tables: &ReportTables| {
        let svg = render_svg("unit_trend", tables, Some(2019), Some(unit)).unwrap();
        svg.matches("<polyline").count()
    };
    let mut tables = fixture();
    let whole = lines(&tables);
    // June of 2019: no post due, so no on-time rate
    let june = col("key").eq(lit(unit)).and(col("period").eq(lit("2019-06")));
    tables.indicators = tables
        .indicators
        .clone()
        .lazy()
        .with_column(
            when(june).then(lit(NULL).cast(DataType::Float64)).otherwise(col("on_time_rate")).alias("on_time_rate"),
        )
        .collect()
        .unwrap();
    assert_eq!(lines(&tables), whole + 1, "the on-time line in two pieces, around June");
}

#[test]
fn the_monthly_volume_names_the_posts_of_exports_without_replies_it_leaves_out() {
    let mut tables = fixture();
    let svg = render_svg("monthly_volume", &tables, Some(2019), None).unwrap();
    assert!(!svg.contains("不含答复的导出"), "no such posts in the fixture");
    // Three of 2019's posts and one of 2018's came from a likes export (no replies).
    let known: Vec<bool> = (0..tables.post_facts.height()).map(|i| !matches!(i, 0 | 5 | 9 | 25)).collect();
    tables.post_facts.with_column(Column::new("reply_known".into(), known)).unwrap();
    let svg = render_svg("monthly_volume", &tables, Some(2019), None).unwrap();
    assert!(svg.contains("另有 3 条来自不含答复的导出，无从计算办结，未计入"), "{}", &svg[..svg.len().min(1500)]);
}

#[test]
fn a_chart_without_data_says_so() {
    let tables = fixture();
    for name in ["ranking", "monthly_volume", "evasive_vague_by_unit", "hot_issues", "workdays_distribution"] {
        let svg = render_svg(name, &tables, Some(2031), None).unwrap();
        check_xml(&svg).unwrap();
        assert!(svg.contains("暂无数据"), "{name}");
    }
    let svg = render_svg("unit_trend", &tables, Some(2019), Some("没有这个单位")).unwrap();
    assert!(svg.contains("暂无数据"));
}

#[test]
fn unknown_chart_and_missing_unit_are_errors() {
    let tables = fixture();
    assert!(matches!(render_svg("pie", &tables, None, None), Err(ChartError::UnknownChart(name)) if name == "pie"));
    assert!(matches!(render_svg("unit_trend", &tables, None, None), Err(ChartError::MissingUnit)));
    let message = render_svg("pie", &tables, None, None).unwrap_err().to_string();
    assert!(message.contains("ranking"), "the error lists the charts: {message}");
}

#[test]
fn write_charts_writes_svgs_and_pngs_when_a_font_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let written = write_charts(&fixture(), dir.path(), Some(2019)).unwrap();
    let names: Vec<String> = written.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    for chart in CHART_NAMES.iter().filter(|n| **n != "unit_trend") {
        assert!(names.contains(&format!("{chart}.svg")), "{chart}.svg in {names:?}");
        let png = format!("{chart}.png");
        assert_eq!(names.contains(&png), cjk_font().is_some(), "{png} written exactly when a CJK font is found");
    }
    for path in &written {
        let bytes = std::fs::read(path).unwrap();
        assert!(bytes.len() > 1000, "{} is {} bytes", path.display(), bytes.len());
        if path.extension().unwrap() == "png" {
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left: {leftovers:?}");
}

#[test]
fn ranking_shows_both_ends_of_a_long_list_and_the_unranked_last() {
    let row = |i: usize, ranked: bool| RankingRow {
        unit: format!("单位{i}"),
        score: 100.0 - i as f64,
        rank: ranked.then_some(i as i32 + 1),
        ranked,
        posts: 50.0,
    };
    let check = |ranked: usize, unranked: usize, expected: &[&str]| {
        let rows: Vec<RankingRow> =
            (0..ranked).map(|i| row(i, true)).chain((ranked..ranked + unranked).map(|i| row(i, false))).collect();
        let labels: Vec<String> = ranking_bars(&rows).into_iter().map(|b| b.label).collect();
        let picked: Vec<&str> =
            expected.iter().map(|e| labels.iter().find(|l| l.contains(e)).map(|_| *e).unwrap_or("MISSING")).collect();
        assert_eq!(picked, expected, "{labels:?}");
        labels.len()
    };
    assert_eq!(check(3, 1, &["1. 单位0", "3. 单位2", "单位3（未排名）"]), 4);
    assert_eq!(check(25, 0, &["1. 单位0", "10. 单位9", "中间 5 个单位", "16. 单位15", "25. 单位24"]), 21);
    assert_eq!(check(2, 12, &["另有 2 个未排名单位"]), 2 + 10 + 1);
    // nobody ranked: no bars (the chart draws 暂无数据 and its subtitle says why)
    assert_eq!(check(0, 12, &[]), 0);
}

#[test]
fn chart_numbers_come_from_the_tables() {
    let tables = fixture();
    let ranking = data::ranking(&tables, 2019).unwrap();
    let order: Vec<(&str, bool)> = ranking.iter().map(|r| (r.unit.as_str(), r.ranked)).collect();
    assert_eq!(
        order,
        [("A市住房和城乡建设局", true), ("<script>局", true), ("A市A5区洋湖街道办事处", true), ("K7县人民政府", false)]
    );

    let (rates, of_ranked) = data::unit_rates(&tables, 2019).unwrap();
    assert!(of_ranked);
    let rates: Vec<String> = rates.into_iter().map(|r| r.unit).collect();
    assert_eq!(rates, ["A市A5区洋湖街道办事处", "A市住房和城乡建设局", "<script>局"], "worst first, unranked left out");

    let counts = data::workdays(&tables, Some(2019)).unwrap();
    let replied = (0..24).filter(|i| i % 7 != 6).count() as u32;
    assert_eq!(counts.same_day.iter().chain(&counts.five_days).sum::<u32>(), replied);
    assert_eq!(counts.same_day[1] + counts.five_days[1], 3, "posts 1, 10 and 19 took one working day");

    let months = data::months(&tables, Some(2019)).unwrap();
    assert_eq!(months.len(), 12);
    let issues = data::hot_issues(&tables, &months, 10).unwrap();
    assert_eq!(
        issues.iter().map(|i| (i.title.as_str(), i.posts)).collect::<Vec<_>>(),
        [("洋湖街道某小区夜间施工噪音扰民问题反复出现", 10), ("K7县农村公路破损", 5)]
    );

    let city = data::monthly(&tables, "city", "全市", &months).unwrap();
    assert_eq!(city[3].posts, 32.0);
    assert_eq!(data::Period::new(None, &["2018-05".into(), "2019-12".into()]).label, "2018年5月—2019年12月");
}

#[test]
fn long_labels_are_cut_to_fit() {
    let check = |text: &str, ems: f64, expected: &str| assert_eq!(truncate(text, ems), expected);
    check("K7县人民政府", 13.0, "K7县人民政府");
    check("A市住房和城乡建设局城市管理综合执法支队", 10.0, "A市住房和城乡建设…");
    assert!(text_ems("住房和城乡建设局") > text_ems("ABCDEFGH"));
}

/// The labels of the left (count) axis of an SVG chart: right-aligned texts that are numbers.
fn count_axis_labels(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter(|element| element.contains("text-anchor=\"end\""))
        .filter_map(|element| element.split_once('>').and_then(|(_, rest)| rest.split_once("</text>")))
        .map(|(text, _)| text.trim().to_string())
        .filter(|text| !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

#[test]
fn count_axes_have_whole_distinct_ticks_even_for_small_counts() {
    fn check(body: Body, expected: &[&str]) {
        let chart = Prepared { title: "t".into(), subtitle: String::new(), height: 500, body };
        let svg = svg_of("test", &chart).unwrap();
        assert_eq!(count_axis_labels(&svg), expected, "{svg}");
    }
    let months = |posts: &[f64]| {
        let points = posts.iter().enumerate().map(|(i, &posts)| data::MonthPoint {
            month: format!("2019-{:02}", i + 1),
            posts,
            on_time_rate: Some(0.5),
            evasive_rate: Some(0.1),
        });
        Body::Monthly { points: points.collect(), evasive: true }
    };
    let workdays = |same_day: &[u32]| {
        let mut counts = data::WorkdayCounts { same_day: vec![0; 21], five_days: vec![0; 21] };
        counts.same_day[..same_day.len()].copy_from_slice(same_day);
        Body::Workdays(counts)
    };
    // A unit with a post or two a month: was "0 0 0 1 1 1" (ticks every 0.2).
    check(months(&[1.0, 0.0, 1.0, 0.0, 0.0, 1.0]), &["0", "1"]);
    check(months(&[2.0, 3.0, 1.0]), &["0", "1", "2", "3"]);
    check(months(&[7.0, 12.0]), &["0", "5", "10"]);
    check(months(&[40.0, 12.0]), &["0", "10", "20", "30", "40"]);
    check(workdays(&[1, 0, 1]), &["0", "1"]);
    check(workdays(&[2, 4, 1]), &["0", "1", "2", "3", "4"]);
}

#[test]
fn the_ranking_says_why_a_unit_is_not_ranked() {
    let row = |unit: &str, ranked: bool| RankingRow {
        unit: unit.to_string(),
        score: 70.0,
        rank: ranked.then_some(1),
        ranked,
        posts: 120.0,
    };
    // 未知单位 and "K7县某局" are never ranked, however many posts they have: not "too few posts"
    let rows = [row("A市人民政府", true), row("未知单位", false), row("K7县某局", false), row("B市教育局", false)];
    assert_eq!(data::ranking_counts(&rows), "参与排名 1 个单位，未排名 3 个（单位不明 2 个，因留言少未排名 1 个）");
    assert_eq!(data::ranking_counts(&rows[..1]), "参与排名 1 个单位");
    // the posts of 未知单位 and "K7县某局" (240 of 480) are in no ranking, and the report says so
    assert_eq!(data::unknown_unit_posts(&rows).unwrap(), "单位不明的留言 240 条，占全年 50.0%，不计入任何单位的排名");
    assert_eq!(data::unknown_unit_posts(&rows[..1]), None);
}

#[test]
fn citizens_numbers_in_hot_issue_titles_are_masked_in_the_chart() {
    let mut tables = fixture();
    let issues = tables.issues.as_mut().expect("issues");
    issues.with_column(Column::new("title".into(), ["夜间施工噪音 电话13812345678", "K7县农村公路破损"])).unwrap();
    let svg = render_svg("hot_issues", &tables, Some(2019), None).unwrap();
    assert!(svg.contains("138****5678"), "the title is shown, masked");
    assert!(!svg.contains("13812345678"), "a viewer sees no citizen's number");
}
