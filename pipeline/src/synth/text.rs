//! Template filling: `{slot}` markers in a template sentence are replaced by this post's values.
//!
//! A hand-written scanner rather than a regex or a format engine: it runs for every sentence of
//! every post and reply, and a million posts should take seconds.

use super::rng::Rng;

/// What the slots of one post (and its replies) are filled with.
#[derive(Default)]
pub struct Slots<'a> {
    /// `{p}` the place the post is about.
    pub place: &'a str,
    /// `{d}` the district or county.
    pub area: &'a str,
    /// `{o}` the street office or town.
    pub office: &'a str,
    /// `{co}` the party answerable for the place.
    pub party: &'a str,
    /// `{road}` a road near the place.
    pub road: &'a str,
    /// `{c}` the problem as the subject names it.
    pub core: &'a str,
    /// `{user}` the citizen as replies address them (网友“U0001234”).
    pub user: &'a str,
    /// `{u}` the unit that writes (or is addressed by) the text.
    pub unit: &'a str,
    /// `{u2}` the unit a post is forwarded to, or was forwarded from.
    pub unit2: &'a str,
    /// `{pmd}` the day the post was made, `{md}` a day between post and reply, `{md3}` a day
    /// after that and before the reply, `{md2}` a day after the reply (a deadline or plan),
    /// `{date}` the reply's full date.
    pub post_md: &'a str,
    pub md: &'a str,
    pub md3: &'a str,
    pub md2: &'a str,
    pub date: &'a str,
}

/// Amounts of yuan a fine, refund or wage arrear in a reply may name.
const AMOUNTS: &[&str] =
    &["500", "800", "1000", "2000", "3000", "5000", "8000", "10000", "12600", "20000", "35000", "50000", "86400"];

/// Appends `template` to `out` with every slot filled; `{n}` and `{amt}` are drawn fresh each time.
pub fn fill(out: &mut String, template: &str, slots: &Slots, rng: &mut Rng) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').expect("template slots are closed");
        let name = &after[..close];
        match name {
            "p" => out.push_str(slots.place),
            "d" => out.push_str(slots.area),
            "o" => out.push_str(slots.office),
            "co" => out.push_str(slots.party),
            "road" => out.push_str(slots.road),
            "c" => out.push_str(slots.core),
            "user" => out.push_str(slots.user),
            "u" => out.push_str(slots.unit),
            "u2" => out.push_str(slots.unit2),
            "pmd" => out.push_str(slots.post_md),
            "md" => out.push_str(slots.md),
            "md2" => out.push_str(slots.md2),
            "md3" => out.push_str(slots.md3),
            "date" => out.push_str(slots.date),
            "n" => out.push(char::from(b'0' + rng.range(2, 9) as u8)),
            "amt" => out.push_str(rng.pick(AMOUNTS)),
            other => panic!("unknown template slot {{{other}}}"),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
}

/// Appends up to `count` distinct sentences of `pool` (fewer if the pool is smaller), in a
/// random order, and returns how many characters were added.
pub fn fill_some(out: &mut String, pool: &[&str], count: usize, slots: &Slots, rng: &mut Rng) -> usize {
    let before = out.len();
    let start = rng.below(pool.len());
    let step = coprime_step(pool.len(), rng);
    for k in 0..count.min(pool.len()) {
        fill(out, pool[(start + k * step) % pool.len()], slots, rng);
    }
    out[before..].chars().count()
}

/// A step through `0..len` that visits every index once (a stride coprime to the length), so a
/// few distinct sentences can be drawn without allocating a shuffled copy.
pub fn coprime_step(len: usize, rng: &mut Rng) -> usize {
    if len <= 2 {
        return 1;
    }
    loop {
        let step = 1 + rng.below(len - 1);
        if gcd(step, len) == 1 {
            return step;
        }
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(template: &str, expected: &str) {
        let slots = Slots {
            place: "金桂花园", area: "东城区", unit: "市城市管理局", md: "3月5日", ..Slots::default()
        };
        let mut out = String::new();
        fill(&mut out, template, &slots, &mut Rng::new(1));
        assert_eq!(out, expected);
    }

    #[test]
    fn slots_are_replaced_and_text_kept() {
        check("{d}{p}违建", "东城区金桂花园违建");
        check("{u}已于{md}拆除。", "市城市管理局已于3月5日拆除。");
        check("没有槽位的句子。", "没有槽位的句子。");
    }

    #[test]
    fn drawn_numbers_and_distinct_sentences() {
        let mut out = String::new();
        let mut rng = Rng::new(2);
        fill(&mut out, "罚款{amt}元，共{n}处", &Slots::default(), &mut rng);
        assert!(out.starts_with("罚款") && out.ends_with('处'), "{out}");
        out.clear();
        let added = fill_some(&mut out, &["甲。", "乙。", "丙。"], 3, &Slots::default(), &mut rng);
        assert_eq!(added, 6);
        for s in ["甲", "乙", "丙"] {
            assert_eq!(out.matches(s).count(), 1, "{out}");
        }
    }
}
