//! The daily run: a folder brought up to date day by day (ingest, score, index after each day)
//! must hold exactly what a folder gets from scratch on the same files (ingested in the same
//! order, then scored and indexed once): every stored score, every duplicate group and every
//! indexed case. Each case of the table also says how much the last day's run re-did, so a
//! regression to "read everything" shows.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::ingest::ingest;
use crate::score::{self, ScoreReport, SCORES_FILE};
use crate::search::{self, IndexReport};
use crate::store::DataDir;

const POSTS: &str = "post_id,user_id,subject,body,posted_at,unit,kind\n";
const REPLIES: &str = "reply_id,post_id,unit,body,replied_at\n";

/// A post of the small corpus: id, subject, body, day of May 2024.
fn post(id: &str, subject: &str, body: &str, day: u32) -> String {
    format!("{id},U{id},{subject},{body},2024-05-{day:02}T09:00:00+08:00,市城管局,投诉\n")
}

fn reply(id: &str, post_id: &str, body: &str, day: u32) -> String {
    format!("{id},{post_id},市城管局,{body},2024-05-{day:02}T15:00:00+08:00\n")
}

const SAME_REPLY: &str = "您好，您反映的问题已转相关部门处理，请耐心等待。";

/// Day one of every case: three posts, two of them answered.
fn first_day() -> Vec<(&'static str, String)> {
    vec![
        (
            "posts1.csv",
            POSTS.to_string()
                + &post("1", "小区路灯不亮", "路灯坏了一个月，晚上出行不便，何时修复？", 6)
                + &post("2", "噪音扰民", "工地夜间施工噪音很大，请问谁来管？", 6)
                + &post("3", "公交线路", "建议增开一条到高铁站的公交线路。", 6),
        ),
        (
            "replies1.csv",
            REPLIES.to_string()
                + &reply("r1", "1", "路灯已于5月8日修复，感谢您的反映。", 8)
                + &reply("r2", "2", SAME_REPLY, 8),
        ),
    ]
}

/// Writes the files of one day into `folder`, returning their paths.
fn write_day(folder: &Path, files: &[(&str, String)]) -> Vec<PathBuf> {
    files
        .iter()
        .map(|(name, text)| {
            let path = folder.join(name);
            std::fs::write(&path, text).expect("a day's file");
            path
        })
        .collect()
}

/// Score, then index; the two reports.
fn score_and_index(dir: &mut DataDir) -> (ScoreReport, IndexReport) {
    let scored = score::score(dir).expect("scored");
    let indexed = search::build_index(dir).expect("indexed");
    (scored, indexed)
}

/// The stored scores, in reply id order.
fn scores(dir: &DataDir) -> DataFrame {
    let frame = ParquetReader::new(std::fs::File::open(dir.path(SCORES_FILE)).expect("a scores file"))
        .finish()
        .expect("scores");
    frame.sort(["reply_id"], SortMultipleOptions::default()).expect("sorted")
}

/// Every indexed case: post id → fingerprint, in id order.
fn cases(dir: &DataDir) -> Vec<(String, u64)> {
    let mut all: Vec<(String, u64)> =
        search::open_index(dir).expect("an index").fingerprints().expect("fingerprints").into_iter().collect();
    all.sort();
    all
}

/// What the last day's run did: replies judged, then cases added and replaced.
type Work = (usize, u64, u64);

/// Runs `days` (the first day, then `later`) day by day in one folder and all at once in
/// another, compares them, and compares what the last day's run did with `expected`.
fn check(name: &str, later: &[Vec<(&str, String)>], expected: Work) {
    let temp = tempfile::tempdir().expect("a temp folder");
    let mut days = vec![first_day()];
    days.extend(later.iter().cloned());
    let files: Vec<Vec<PathBuf>> = days
        .iter()
        .enumerate()
        .map(|(n, day)| {
            let folder = temp.path().join(format!("day{n}"));
            std::fs::create_dir_all(&folder).expect("a day folder");
            write_day(&folder, day)
        })
        .collect();

    let mut daily = DataDir::open(&temp.path().join("daily"), true).expect("a data folder");
    let mut last: Option<Work> = None;
    for day in &files {
        ingest(&mut daily, day).expect("ingested");
        let (scored, indexed) = score_and_index(&mut daily);
        last = Some((scored.scored, indexed.added, indexed.replaced));
    }
    let mut scratch = DataDir::open(&temp.path().join("scratch"), true).expect("a data folder");
    for day in &files {
        ingest(&mut scratch, day).expect("ingested");
    }
    let (scored, indexed) = score_and_index(&mut scratch);

    let (daily_scores, scratch_scores) = (scores(&daily), scores(&scratch));
    assert!(daily_scores.equals_missing(&scratch_scores), "{name}: scores differ\n{daily_scores}\n{scratch_scores}");
    assert_eq!(cases(&daily), cases(&scratch), "{name}: indexed cases differ");
    let daily_index: IndexReport =
        serde_json::from_value(daily.manifest.stages["index"].detail.clone()).expect("an index record");
    assert_eq!(
        (daily_index.cases, daily_index.with_scores),
        (indexed.cases, indexed.with_scores),
        "{name}: index counts"
    );
    let daily_score: ScoreReport =
        serde_json::from_value(daily.manifest.stages["score"].detail.clone()).expect("a score record");
    assert_eq!(
        (daily_score.replies, daily_score.evasive, daily_score.vague, daily_score.duplicate_groups),
        (scored.replies, scored.evasive, scored.vague, scored.duplicate_groups),
        "{name}: score counts"
    );
    assert_eq!(last, Some(expected), "{name}: (replies judged, cases added, cases replaced) on the last day");
}

#[test]
fn a_new_day_of_posts_and_replies_is_judged_and_indexed_alone() {
    let day = vec![
        ("posts2.csv", POSTS.to_string() + &post("4", "垃圾清运", "小区垃圾三天没人清运，臭气熏天。", 9)),
        ("replies2.csv", REPLIES.to_string() + &reply("r4", "4", "已安排环卫公司当日清运完毕。", 10)),
    ];
    check("new posts and replies", &[day], (1, 1, 0));
}

#[test]
fn new_replies_to_old_posts_replace_their_cases() {
    // Post 3 gets its first reply, post 1 a second one (its final reply changes).
    let day = vec![(
        "replies2.csv",
        REPLIES.to_string()
            + &reply("r3", "3", "已将您的建议转交公交集团研究。", 10)
            + &reply("r5", "1", "经回访，路灯工作正常。", 12),
    )];
    check("replies to old posts", &[day], (2, 0, 2));
}

#[test]
fn a_reply_delivered_again_with_other_text_is_kept_and_judged() {
    // The same reply id with different content: kept as r1~replies2, the post's final reply.
    let day = vec![("replies2.csv", REPLIES.to_string() + &reply("r1", "1", "该问题不属于我单位职责范围。", 9))];
    check("a changed reply", &[day], (1, 0, 1));
}

#[test]
fn a_duplicate_group_gains_a_member_from_a_new_day() {
    // r2's text answers post 3 too: r2 and r6 form a group, though r2 is not judged again.
    let day = vec![("replies2.csv", REPLIES.to_string() + &reply("r6", "3", SAME_REPLY, 10))];
    check("a duplicate group gains a member", &[day], (1, 0, 1));
}

#[test]
fn the_same_files_ingested_again_change_nothing() {
    check("a re-ingest", &[first_day()], (0, 0, 0));
}

#[test]
fn a_reply_whose_post_comes_a_day_later_is_judged_again_with_it() {
    // Day two answers post 7, which arrives on day three: judged alone, then with the post.
    let replies = vec![("replies2.csv", REPLIES.to_string() + &reply("r7", "7", "已督促施工单位整改。", 10))];
    let posts = vec![("posts3.csv", POSTS.to_string() + &post("7", "工地扬尘", "工地扬尘严重，何时整改？", 9))];
    check("a late post", &[replies, posts], (1, 1, 0));
}

#[test]
fn an_earlier_reply_delivered_late_reorders_the_replies_and_everything_is_compared() {
    // r0 is older than r1: every reply's seq is rewritten, so the parts seen are gone.
    let day = vec![("replies2.csv", REPLIES.to_string() + &reply("r0", "1", "已转市路灯管理处办理。", 7))];
    check("an earlier reply", &[day], (1, 0, 0));
}

#[test]
fn scores_written_by_a_run_killed_before_its_record_are_not_doubled() {
    let temp = tempfile::tempdir().expect("a temp folder");
    let day = [("replies2.csv", REPLIES.to_string() + &reply("r3", "3", "已将您的建议转交公交集团研究。", 10))];
    let (first, second) = (write_day(temp.path(), &first_day()), write_day(temp.path(), &day));
    let root = temp.path().join("daily");
    let mut dir = DataDir::open(&root, true).expect("a data folder");
    ingest(&mut dir, &first).expect("ingested");
    score::score(&mut dir).expect("scored");
    ingest(&mut dir, &second).expect("ingested");
    // The scores file is replaced, then the run dies before the manifest records it.
    let manifest = std::fs::read(root.join("manifest.json")).expect("a manifest");
    score::score(&mut dir).expect("scored");
    std::fs::write(root.join("manifest.json"), manifest).expect("the old manifest");

    let mut dir = DataDir::open(&root, false).expect("reopened");
    let report = score::score(&mut dir).expect("scored again");
    assert_eq!((report.replies, report.scored, report.reused), (3, 1, 2));
    let mut scratch = DataDir::open(&temp.path().join("scratch"), true).expect("a data folder");
    ingest(&mut scratch, &first).expect("ingested");
    ingest(&mut scratch, &second).expect("ingested");
    score::score(&mut scratch).expect("scored");
    assert!(scores(&dir).equals_missing(&scores(&scratch)));
}
