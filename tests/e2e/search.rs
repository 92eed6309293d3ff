//! `wenzheng index`, `search` and `similar` through the CLI, on the real posts.

use tests::{shared_file, wenzheng};

#[test]
fn natural_queries_find_known_posts_and_bad_queries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data").display().to_string();
    let likes = shared_file("posts_likes.xlsx").display().to_string();
    let replies = shared_file("replies_dev.xlsx").display().to_string();

    // `run` ingests, scores and indexes in one go.
    let stdout = wenzheng(["run", &likes, &replies, "--out", &d]).ok();
    assert!(stdout.contains("index: 5789 cases"), "{stdout}");

    // A compound plus the nuisance, as JSON lines.
    let found = wenzheng(["search", "--data", &d, "魅力之城 油烟", "--limit", "20", "--json"]).ok();
    let ids: Vec<String> = found
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["post_id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.contains(&"195095".to_string()), "{ids:?}");
    // Highlights count characters, as the API's do: each marks one of the query's words.
    for line in found.lines() {
        let hit: serde_json::Value = serde_json::from_str(line).unwrap();
        let text: Vec<char> = hit["subject"]["text"].as_str().unwrap().chars().collect();
        for range in hit["subject"]["highlights"].as_array().unwrap() {
            let (start, end) = (range[0].as_u64().unwrap() as usize, range[1].as_u64().unwrap() as usize);
            let marked: String = text[start..end].iter().collect();
            assert!(
                ["魅力之城", "魅力", "之城", "油烟"].iter().any(|w| marked.contains(w) || w.contains(&*marked)),
                "{marked} in {hit}"
            );
        }
    }

    // Filters cut: a date range before the posts about the compound finds none of them.
    let none = wenzheng(["search", "--data", &d, "魅力之城 油烟", "--to", "2010-01-01", "--json"]).ok();
    assert!(none.trim().is_empty(), "{none}");

    // How many cases a query finds, from the last line ("cases 1–10 of 254").
    let total = |query: &str| -> u64 {
        let out = wenzheng(["search", "--data", &d, query, "--limit", "1"]).ok();
        out.lines().last().and_then(|l| l.rsplit(" of ").next()).and_then(|n| n.trim().parse().ok()).unwrap_or(0)
    };
    // Typed in traditional characters, a query finds what its simplified form finds.
    assert!(total("噪音扰民") > 50, "{}", total("噪音扰民"));
    assert_eq!(total("噪音擾民"), total("噪音扰民"));
    // The export writes two-digit place codes with a space ("J10 县"): J10县 finds them.
    assert!(total("J10县") >= 3, "{}", total("J10县"));
    // A number stands next to the word after it: every 3号线 case says "3号线".
    let line_3 = wenzheng(["search", "--data", &d, "3号线", "--limit", "100", "--json"]).ok();
    assert!(!line_3.trim().is_empty());
    for line in line_3.lines() {
        let hit: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(hit.to_string().contains("3号线"), "{hit}");
    }

    // Flagged-only returns only replies flagged at level 2.
    let flagged = wenzheng(["search", "--data", &d, "--flagged", "--limit", "5", "--json"]).ok();
    for line in flagged.lines() {
        let hit: serde_json::Value = serde_json::from_str(line).unwrap();
        let reply = &hit["reply"];
        assert!(reply["evasive_level"] == 2 || reply["vague_level"] == 2, "{hit}");
    }

    let bad = wenzheng(["search", "--data", &d, "魅力之城 AND ("]);
    assert_eq!(bad.code(), 2, "{}", bad.stderr());
    assert!(bad.stderr().contains("bracket"), "{}", bad.stderr());

    let similar = wenzheng(["similar", "--data", &d, "2554", "--limit", "3"]).ok();
    assert!(similar.contains("1. #"), "{similar}");
    let unknown = wenzheng(["similar", "--data", &d, "no-such-post"]);
    assert_eq!(unknown.code(), 2, "{}", unknown.stderr());

    // A post ingested after the index was built: the index still answers, without it, and says
    // it is behind until `index` runs.
    let fresh = wenzheng(["search", "--data", &d, "路灯"]);
    assert!(fresh.ok().contains("1. #") && !fresh.stderr().contains("changed since"), "{}", fresh.stderr());
    let new_post = dir.path().join("new.csv");
    std::fs::write(
        &new_post,
        "post_id,subject,body,posted_at,unit\n         990001,翠微苑北门路灯不亮,翠微苑北门路灯一个月没亮了，晚上很危险。,2020-01-06 09:00:00,市城管局\n",
    )
    .unwrap();
    wenzheng(["ingest", &new_post.display().to_string(), "--out", &d]).ok();
    let behind = wenzheng(["search", "--data", &d, "翠微苑 路灯"]);
    assert!(!behind.ok().contains("#990001"), "{}", behind.stdout());
    assert!(
        behind.stderr().contains("the posts, replies, scores or the config's deadlines changed since the search index")
            && behind.stderr().contains(&format!("run `wenzheng index --data {d}`")),
        "{}",
        behind.stderr()
    );
    wenzheng(["index", "--data", &d]).ok();
    let updated = wenzheng(["search", "--data", &d, "翠微苑 路灯"]);
    assert!(updated.ok().contains("#990001") && !updated.stderr().contains("changed since"), "{}", updated.stderr());

    let missing = wenzheng(["search", "--data", &dir.path().join("nowhere").display().to_string(), "x"]);
    assert_eq!(missing.code(), 2);
    assert!(missing.stderr().contains("not a wenzheng data folder: there is no such folder"), "{}", missing.stderr());
    assert!(missing.stderr().contains("wenzheng run <FILES> --out DIR"), "{}", missing.stderr());
    // The parent of a data folder: the hint names the folder.
    let parent = wenzheng(["search", "--data", &dir.path().display().to_string(), "x"]);
    assert_eq!(parent.code(), 2);
    assert!(parent.stderr().contains(&format!("did you mean --data {d}?")), "{}", parent.stderr());
}
