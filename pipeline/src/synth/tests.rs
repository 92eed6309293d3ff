//! Corpus-level checks: what `generate` writes is deterministic, consistent with its summary
//! and with itself, and contains every planted kind.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use super::*;

/// One CSV file read back, cells by column name.
struct Table {
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn read(dir: &Path, name: &str) -> Table {
        let mut reader = csv::Reader::from_path(dir.join(name)).expect("file written");
        let columns = reader.headers().expect("header row").iter().map(String::from).collect();
        let rows = reader.records().map(|r| r.expect("valid row").iter().map(String::from).collect()).collect();
        Table { columns, rows }
    }

    fn col(&self, name: &str) -> usize {
        self.columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"))
    }

    fn values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        let i = self.col(name);
        self.rows.iter().map(move |r| r[i].as_str())
    }
}

struct Corpus {
    _dir: tempfile::TempDir,
    summary: SynthSummary,
    posts: Table,
    replies: Table,
    truth: Table,
    units: Table,
}

fn corpus(posts: usize, seed: u64) -> Corpus {
    let dir = tempfile::tempdir().expect("temp dir");
    let opts = SynthOptions { posts, seed, ..SynthOptions::default() };
    let summary = generate(&opts, dir.path()).expect("generated");
    let read = |name| Table::read(dir.path(), name);
    Corpus {
        posts: read("posts.csv"),
        replies: read("replies.csv"),
        truth: read("truth.csv"),
        units: read("units.csv"),
        summary,
        _dir: dir,
    }
}

fn file_bytes(dir: &Path) -> Vec<Vec<u8>> {
    ["posts.csv", "replies.csv", "truth.csv", "units.csv"].iter().map(|f| std::fs::read(dir.join(f)).unwrap()).collect()
}

#[test]
fn same_options_give_byte_identical_files() {
    let run = |seed| {
        let dir = tempfile::tempdir().unwrap();
        generate(&SynthOptions { posts: 1500, seed, ..SynthOptions::default() }, dir.path()).unwrap();
        file_bytes(dir.path())
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

#[test]
fn row_counts_match_the_summary() {
    let c = corpus(2000, 1);
    assert_eq!((c.summary.posts, c.posts.rows.len()), (2000, 2000));
    assert_eq!(c.summary.replies, c.replies.rows.len());
    assert_eq!(c.summary.units, c.units.rows.len());
    let clusters: BTreeSet<&str> = c.truth.values("cluster_id").filter(|v| !v.is_empty()).collect();
    assert_eq!(c.summary.clusters, clusters.len());
    let mut per_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for planted in c.truth.values("planted") {
        *per_kind.entry(planted).or_default() += 1;
    }
    let summary: BTreeMap<&str, usize> = c.summary.planted.iter().map(|(p, n)| (p.as_str(), *n)).collect();
    assert_eq!(per_kind, summary);
}

#[test]
fn every_planted_kind_appears_at_2000_posts() {
    let c = corpus(2000, 1);
    for planted in Planted::ALL {
        assert!(c.summary.count(planted) > 0, "{} never planted", planted.as_str());
    }
    assert!(c.summary.clusters >= 10, "only {} clusters", c.summary.clusters);
    let no_reply = c.summary.count(Planted::NoReply) as f64 / 2000.0;
    assert!((0.03..0.07).contains(&no_reply), "no-reply share {no_reply}");
}

#[test]
fn ids_are_unique_and_every_reply_follows_its_post() {
    let c = corpus(2000, 3);
    let post_ids: BTreeSet<&str> = c.posts.values("post_id").collect();
    assert_eq!(post_ids.len(), c.posts.rows.len());
    let reply_ids: BTreeSet<&str> = c.replies.values("reply_id").collect();
    assert_eq!(reply_ids.len(), c.replies.rows.len());
    let posted: HashMap<&str, &str> = c.posts.values("post_id").zip(c.posts.values("posted_at")).collect();
    for (post_id, replied_at) in c.replies.values("post_id").zip(c.replies.values("replied_at")) {
        let posted_at = posted.get(post_id).unwrap_or_else(|| panic!("reply to missing post {post_id}"));
        // Same format and offset everywhere, so text order is time order.
        assert!(replied_at > *posted_at, "post {post_id}: reply {replied_at} before post {posted_at}");
    }
    for planted_post in c.truth.values("post_id") {
        assert!(post_ids.contains(planted_post));
    }
}

#[test]
fn clusters_share_their_place_and_span_weeks() {
    let c = corpus(2000, 1);
    let text: HashMap<&str, String> = c
        .posts
        .rows
        .iter()
        .map(|r| {
            (r[c.posts.col("post_id")].as_str(), format!("{} {}", r[c.posts.col("subject")], r[c.posts.col("body")]))
        })
        .collect();
    let posted: HashMap<&str, &str> = c.posts.values("post_id").zip(c.posts.values("posted_at")).collect();
    let mut clusters: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    let (pid, planted, cid, detail) =
        (c.truth.col("post_id"), c.truth.col("planted"), c.truth.col("cluster_id"), c.truth.col("detail"));
    for r in c.truth.rows.iter().filter(|r| r[planted] == "recurring") {
        clusters.entry(&r[cid]).or_default().push((&r[pid], &r[detail]));
    }
    let mut spans = Vec::new();
    for (id, members) in &clusters {
        assert!((2..=15).contains(&members.len()), "cluster {id} has {} posts", members.len());
        let place = members[0].1;
        for (post_id, p) in members {
            assert_eq!(*p, place);
            assert!(text[post_id].contains(place), "cluster {id}: post {post_id} does not name {place}");
        }
        let times: BTreeSet<&str> = members.iter().map(|(p, _)| posted[p]).collect();
        spans.push((times.first().unwrap()[..10].to_string(), times.last().unwrap()[..10].to_string()));
    }
    let over_a_week = spans.iter().filter(|(a, b)| day_number(b) - day_number(a) >= 7).count();
    assert!(over_a_week * 2 > spans.len(), "most clusters span weeks: {over_a_week} of {}", spans.len());
}

fn day_number(iso_date: &str) -> i64 {
    let d = NaiveDate::parse_from_str(iso_date, "%Y-%m-%d").unwrap();
    (d - NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()).num_days()
}

#[test]
fn posts_look_like_platform_posts() {
    let c = corpus(2000, 2);
    let kinds: BTreeSet<&str> = c.posts.values("kind").collect();
    assert_eq!(kinds, ["咨询", "建议", "求助", "投诉", "举报"].into_iter().collect());
    for body in c.posts.values("body") {
        let n = body.chars().count();
        assert!((50..=600).contains(&n), "{n} chars: {body}");
    }
    let mut per_user: HashMap<&str, usize> = HashMap::new();
    for user in c.posts.values("user_id") {
        assert!(user.len() == 8 && user.starts_with('U') && user[1..].bytes().all(|b| b.is_ascii_digit()), "{user}");
        *per_user.entry(user).or_default() += 1;
    }
    assert!(per_user.values().any(|&n| n >= 3), "some users post several times");
    let missing_unit = c.posts.values("unit").filter(|u| u.is_empty()).count();
    assert_eq!(missing_unit, c.summary.count(Planted::UnitMissing));
    for at in c.posts.values("posted_at") {
        assert!(at.len() == 25 && at.ends_with("+08:00") && &at[10..11] == "T", "{at}");
    }
}

#[test]
fn a_named_forward_is_followed_by_the_named_units_answer() {
    let c = corpus(2000, 1);
    let mut by_post: HashMap<&str, Vec<(&str, &str, &str)>> = HashMap::new();
    let (pid, unit, body, at) =
        (c.replies.col("post_id"), c.replies.col("unit"), c.replies.col("body"), c.replies.col("replied_at"));
    for r in &c.replies.rows {
        by_post.entry(&r[pid]).or_default().push((&r[unit], &r[body], &r[at]));
    }
    let (tp, tr, tplanted, tdetail) =
        (c.truth.col("post_id"), c.truth.col("reply_id"), c.truth.col("planted"), c.truth.col("detail"));
    let mut checked = 0;
    for r in c.truth.rows.iter().filter(|r| r[tplanted] == "named_forward") {
        let replies = &by_post[r[tp].as_str()];
        // the named unit answers, sometimes after a progress note of its own
        assert!(matches!(replies.len(), 2 | 3), "post {} reply {}", r[tp], r[tr]);
        let (named, (first_unit, first_body, _)) = (&r[tdetail], replies[0]);
        assert!(first_body.contains(named.as_str()), "the note names the unit: {first_body}");
        assert!(replies[1..].iter().all(|(unit, _, _)| unit == named));
        assert_ne!(first_unit, named);
        assert!(replies.windows(2).all(|w| w[1].2 >= w[0].2));
        checked += 1;
    }
    assert!(checked > 0);
    let no_reply: BTreeSet<&str> =
        c.truth.rows.iter().filter(|r| r[tplanted] == "no_reply").map(|r| r[tp].as_str()).collect();
    assert!(no_reply.iter().all(|p| !by_post.contains_key(p)));
}

#[test]
fn a_progress_note_is_followed_by_its_units_answer() {
    let c = corpus(2000, 1);
    let (pid, rid, unit, at) =
        (c.replies.col("post_id"), c.replies.col("reply_id"), c.replies.col("unit"), c.replies.col("replied_at"));
    let (tr, tplanted) = (c.truth.col("reply_id"), c.truth.col("planted"));
    let notes: BTreeSet<&str> =
        c.truth.rows.iter().filter(|r| r[tplanted] == "progress_note").map(|r| r[tr].as_str()).collect();
    assert!(notes.len() > 30, "only {} progress notes", notes.len());
    for (i, note) in c.replies.rows.iter().enumerate().filter(|(_, r)| notes.contains(r[rid].as_str())) {
        let next = c.replies.rows.get(i + 1).expect("an answer after the note");
        assert_eq!((&next[pid], &next[unit]), (&note[pid], &note[unit]), "note {}", note[rid]);
        assert!(next[at] >= note[at]);
    }
}

#[test]
fn pasted_replies_repeat_the_same_text_under_different_posts() {
    let c = corpus(3000, 1);
    let body: HashMap<&str, &str> = c.replies.values("reply_id").zip(c.replies.values("body")).collect();
    let mut groups: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let (tr, tplanted, tdetail) = (c.truth.col("reply_id"), c.truth.col("planted"), c.truth.col("detail"));
    for r in c.truth.rows.iter().filter(|r| r[tplanted] == "pasted") {
        groups.entry(&r[tdetail]).or_default().insert(body[r[tr].as_str()]);
    }
    assert!(!groups.is_empty());
    assert!(groups.values().all(|texts| texts.len() == 1), "one text per group");
}

#[test]
fn units_csv_states_each_units_behaviour() {
    let c = corpus(200, 5);
    assert!(c.units.rows.len() >= 60);
    let names: BTreeSet<&str> = c.units.values("unit").collect();
    for needed in ["市教育局", "市住房和城乡建设局", "市城市管理局", "市公安局", "东城区人民政府"]
    {
        assert!(names.contains(needed), "{needed}");
    }
    for unit in c.posts.values("unit").filter(|u| !u.is_empty()).chain(c.replies.values("unit")) {
        assert!(names.contains(unit), "{unit} not in units.csv");
    }
    for v in c.units.values("p_evasive").chain(c.units.values("p_vague")) {
        let p: f64 = v.parse().unwrap();
        assert!((0.0..0.5).contains(&p));
    }
    let speeds: Vec<f64> = c.units.values("speed_factor").map(|v| v.parse().unwrap()).collect();
    let (min, max) = speeds.iter().fold((f64::MAX, 0.0f64), |(a, b), &s| (a.min(s), b.max(s)));
    assert!(max / min > 3.0, "units differ in speed: {min}..{max}");
}

#[test]
fn tiny_and_empty_corpora_are_well_formed() {
    let c = corpus(0, 1);
    assert_eq!((c.posts.rows.len(), c.replies.rows.len(), c.truth.rows.len()), (0, 0, 0));
    assert_eq!(
        c.posts.columns[..9],
        ["post_id", "user_id", "subject", "body", "posted_at", "unit", "kind", "likes", "dislikes"]
    );
    let dir = tempfile::tempdir().unwrap();
    let opts = SynthOptions { posts: 30, days: 1, ..SynthOptions::default() };
    let summary = generate(&opts, dir.path()).unwrap();
    assert_eq!(summary.posts, 30);
    let zero_days = SynthOptions { days: 0, ..opts };
    let err = generate(&zero_days, dir.path()).unwrap_err().to_string();
    assert!(err.contains("at least one day"), "{err}");
}
