//! The text of an official reply, good or bad, as RUBRIC.md tells them apart: specific answers
//! (facts found, actions with dates, amounts, named parties), mixed ones, entirely generic
//! promises, the same text pasted under many posts, acknowledgements only, forwarding notes with
//! and without a named unit, deflections, and refusals without a reason.

use super::city::Unit;
use super::problems::Problem;
use super::rng::Rng;
use super::text::{fill, fill_some, Slots};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyKind {
    /// Evasive 0, vague 0: the problem's findings with dates, amounts and parties.
    Substantive,
    /// Evasive 0, vague 1: one finding, the rest generic promises.
    Mixed,
    /// Vague 2: polite opening, generic promises, closing; nothing about this post.
    Generic,
    /// Vague 2 and a duplicate: one of the unit's canned texts, identical under every post.
    Pasted,
    /// Evasive 2: 留言已收悉 and nothing else.
    Acknowledgement,
    /// Evasive 1: 已转{named unit}; the named unit answers later (seq 2).
    NamedForward,
    /// Evasive 2: 已转有关部门, no unit named, no result.
    UnnamedForward,
    /// Evasive 2: 超出职权范围，请向有关部门反映.
    Deflection,
    /// Evasive 2: 不予支持 without saying why.
    Refusal,
    /// A note that the case is being handled, most with a deadline ("将于10个工作日内答复您"):
    /// it accepts the case without completing it; the unit's answer comes later.
    ProgressNote,
}

impl ReplyKind {
    /// The final reply a unit gives, drawn with its planted probabilities.
    pub fn draw_final(unit: &Unit, rng: &mut Rng) -> ReplyKind {
        let r = rng.unit();
        if r < unit.p_evasive {
            const EVASIVE: [ReplyKind; 4] =
                [ReplyKind::Acknowledgement, ReplyKind::Deflection, ReplyKind::UnnamedForward, ReplyKind::Refusal];
            EVASIVE[rng.weighted(&[0.40, 0.25, 0.20, 0.15])]
        } else if r < unit.p_evasive + unit.p_vague {
            if rng.chance(0.4) {
                ReplyKind::Pasted
            } else {
                ReplyKind::Generic
            }
        } else if rng.chance(0.25) {
            ReplyKind::Mixed
        } else {
            ReplyKind::Substantive
        }
    }
}

const OPENINGS: &[&str] = &[
    "网友{user}：您好！您的留言已收悉，现将有关情况回复如下：",
    "{user}您好！感谢您对我们工作的关注和支持。关于您反映的{p}{c}的问题，经调查核实，现答复如下：",
    "尊敬的网友：您好！您于{pmd}在平台反映的问题收悉，我们高度重视，现回复如下：",
    "您好！来信收悉。现就相关问题回复如下：",
    "网友您好！关于您反映的{p}{c}的问题，{u}高度重视，立即组织人员进行了调查处理，现将有关情况回复如下：",
];

/// Openings of a generic reply: polite, and about nothing in particular.
const GENERIC_OPENINGS: &[&str] = &[
    "网友{user}：您好！您的留言已收悉。",
    "您好！您反映的问题已收悉，现回复如下：",
    "{user}您好！感谢您对我们工作的关注。",
    "网友：您好！您的来信收悉，现答复如下：",
];

/// Opening of the named unit's answer after a forward.
const AFTER_FORWARD_OPENINGS: &[&str] = &[
    "{user}您好！{u2}转来的您的留言已收悉，我们高度重视，现回复如下：",
    "您好！您反映的问题已由{u2}转我单位办理，现将调查处理情况答复如下：",
];

/// The sentence that ties a specific reply to the post's place and a date.
const TIES: &[&str] = &[
    "收到留言后，我们于{md}安排工作人员到{p}进行实地核查。",
    "经调查核实，您反映的{p}{c}的情况基本属实。",
    "{md}，{u}会同{o}对{p}进行了现场查看。",
    "经了解，您反映的{p}相关情况部分属实。",
];

const FOLLOW_UPS: &[&str] = &[
    "我们将于{md2}前组织复查，确保整改到位，复查结果将及时告知。",
    "{o}已安排专人负责跟踪，整改情况将在{md2}前向您反馈。",
    "如有疑问，可在工作日拨打12345政务服务便民热线咨询。",
];

/// Promises with no who, what or when (RUBRIC: vague).
const PROMISES: &[&str] = &[
    "您反映的问题我们高度重视，将进一步加强管理。",
    "下一步，我们将加大工作力度，尽快协调处理。",
    "我们将督促相关单位进一步规范管理，切实维护群众合法权益。",
    "对您反映的情况，我们将持续关注并适时研究。",
    "我们将结合实际情况统筹考虑，逐步加以完善。",
    "今后我们将进一步加强监管，确保类似问题得到妥善解决。",
    "我们将积极协调有关方面，争取早日解决。",
    "我们将把您的建议纳入下一步工作中认真研究。",
    "相关问题将按照有关规定依法依规处理。",
    "我们将进一步完善相关制度，加强日常巡查。",
    "我们将加强与相关部门的沟通协调，推动问题逐步解决。",
    "我们将责成相关单位认真整改，切实解决群众关心的问题。",
    "我们将加大宣传力度，进一步营造良好氛围。",
    "我们将进一步规范工作流程，不断提高办事效率。",
    "后续我们将持续跟进，督促有关方面尽快落实。",
];

const CLOSINGS: &[&str] =
    &["感谢您对我们工作的理解与支持！", "感谢您的监督！", "再次感谢您对我们工作的关心。", "谢谢！"];

const ACKNOWLEDGEMENTS: &[&str] = &[
    "网友您好！您的留言已收悉。",
    "您好，您的留言已收悉，感谢您的关注。",
    "网友{user}：您好！您反映的问题已收悉。{date}",
    "已收悉，谢谢！",
    "您好！您的来信我们已经收到。",
];

const NAMED_FORWARDS: &[&str] = &[
    "网友{user}：您好！您的留言已收悉，已转{u2}办理，请耐心等待。{date}",
    "您好！您反映的问题已转{u2}调查处理。",
    "您的留言收悉，根据职责分工，已转交{u2}核实办理并答复。{date}",
    "网友您好！该问题属{u2}职责范围，我们已将您的留言转{u2}处理。",
];

const UNNAMED_FORWARDS: &[&str] = &[
    "您好！您的留言已收悉，已转有关部门处理。",
    "网友{user}：您好！您反映的问题已转交相关单位调查处置。{date}",
    "您的留言收悉，我们已转相关部门答复反馈，谢谢！",
];

/// Progress notes: the case is still being handled, most with the deadline it will be answered
/// by (`{md2}` a date some weeks on).
const PROGRESS_NOTES: &[&str] = &[
    "网友{user}：您好！您反映的问题我们已安排专人调查核实，目前正在处理中，将于10个工作日内将处理结果答复您。{date}",
    "您好！您的留言已收悉。此事正在调查处理中，我们将在15个工作日内办结并回复您。",
    "网友您好！您反映的情况我们正在核实，争取{md2}前办结并答复您，请耐心等待。",
    "您好！您反映的问题涉及多个部门，正在协调处理中，将于5个工作日内给您答复。{date}",
    "您好！此事正在调查处理中，处理结果将及时反馈给您。",
];

const DEFLECTIONS: &[&str] = &[
    "您好，您反映的问题已超出我局职权范围，请您向有关部门反映。",
    "网友您好！您反映的事项不属于本单位职责范围，建议向有关部门咨询。",
    "您好！此问题不在我们的管辖范围内，请咨询相关职能部门。{date}",
    "经了解，该事项不归我单位管理，请向相关单位反映。",
];

const REFUSALS: &[&str] = &[
    "您好！经研究，您的诉求不予支持。",
    "网友{user}：您好！您反映的问题不予受理。{date}",
    "您好，您提出的要求无法办理。",
    "经研究，暂不考虑您的建议。",
];

/// Two canned generic replies per unit, pasted under many posts. Signed with the unit's name,
/// so no two units share one; built from the seed alone, like the units' behaviour.
pub fn canned_replies(units: &[Unit], seed: u64) -> Vec<[String; 2]> {
    let mut rng = Rng::stream(seed, 0x6361_6E6E); // "cann"
    let blank = Slots { user: "", ..Slots::default() };
    units
        .iter()
        .map(|unit| {
            let mut one = |opening: &str| {
                let mut out = String::from(opening);
                fill_some(&mut out, PROMISES, 2 + rng.below(2), &blank, &mut rng);
                out.push_str(rng.pick(CLOSINGS));
                out.push_str(&unit.name);
                out
            };
            [one("您好！您反映的问题已收悉。"), one("网友您好！您的留言已收悉。")]
        })
        .collect()
}

/// Appends the reply text of `kind`; `after_forward` is true for the named unit's answer that
/// follows a forwarding note, `canned` is the unit's pasted text for `Pasted`.
pub fn push_reply(
    out: &mut String,
    kind: ReplyKind,
    problem: &Problem,
    after_forward: bool,
    canned: &str,
    slots: &Slots,
    rng: &mut Rng,
) {
    match kind {
        ReplyKind::Substantive | ReplyKind::Mixed => {
            let openings = if after_forward { AFTER_FORWARD_OPENINGS } else { OPENINGS };
            fill(out, rng.pick(openings), slots, rng);
            if rng.chance(0.25) {
                out.push_str("\u{3000}\u{3000}");
            }
            fill(out, rng.pick(TIES), slots, rng);
            if kind == ReplyKind::Substantive {
                fill_some(out, problem.findings, 1 + rng.below(problem.findings.len()), slots, rng);
                if rng.chance(0.4) {
                    fill(out, rng.pick(problem.topic.rules()), slots, rng);
                }
                if rng.chance(0.6) {
                    fill(out, rng.pick(FOLLOW_UPS), slots, rng);
                }
            } else {
                fill_some(out, problem.findings, 1, slots, rng);
                fill_some(out, PROMISES, 2, slots, rng);
            }
            push_closing(out, slots, rng);
        }
        ReplyKind::Generic => {
            let openings = if after_forward { AFTER_FORWARD_OPENINGS } else { GENERIC_OPENINGS };
            fill(out, rng.pick(openings), slots, rng);
            fill_some(out, PROMISES, 2 + rng.below(3), slots, rng);
            push_closing(out, slots, rng);
        }
        ReplyKind::Pasted => out.push_str(canned),
        ReplyKind::Acknowledgement => fill(out, rng.pick(ACKNOWLEDGEMENTS), slots, rng),
        ReplyKind::NamedForward => fill(out, rng.pick(NAMED_FORWARDS), slots, rng),
        ReplyKind::UnnamedForward => fill(out, rng.pick(UNNAMED_FORWARDS), slots, rng),
        ReplyKind::Deflection => fill(out, rng.pick(DEFLECTIONS), slots, rng),
        ReplyKind::Refusal => fill(out, rng.pick(REFUSALS), slots, rng),
        ReplyKind::ProgressNote => fill(out, rng.pick(PROGRESS_NOTES), slots, rng),
    }
}

/// A polite closing, then (usually) the unit's signature and the date, as real replies end.
fn push_closing(out: &mut String, slots: &Slots, rng: &mut Rng) {
    out.push_str(rng.pick(CLOSINGS));
    let r = rng.unit();
    if r < 0.5 {
        out.push_str(slots.unit);
        out.push_str(slots.date);
    } else if r < 0.8 {
        out.push_str(slots.date);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::city::City;
    use crate::synth::problems::PROBLEMS;

    fn check(kind: ReplyKind, must: &[&str], must_not: &[&str]) {
        let slots = Slots {
            place: "锦华苑",
            core: "违章搭建严重",
            user: "“U0000042”",
            unit: "市城市管理局",
            unit2: "东城区城市管理和综合执法局",
            md: "3月5日",
            md2: "4月30日",
            date: "2023年3月20日",
            ..Slots::default()
        };
        let mut rng = Rng::new(11);
        for _ in 0..40 {
            let mut out = String::new();
            push_reply(&mut out, kind, &PROBLEMS[0], false, "罐头", &slots, &mut rng);
            assert!(must.iter().any(|m| out.contains(m)), "{kind:?} lacks {must:?}: {out}");
            for m in must_not {
                assert!(!out.contains(m), "{kind:?} has {m}: {out}");
            }
            assert!(!out.contains('{'), "unfilled slot: {out}");
        }
    }

    #[test]
    fn each_kind_reads_as_its_kind() {
        check(ReplyKind::Substantive, &["锦华苑"], &["适时研究", "加强管理"]);
        check(ReplyKind::Mixed, &["锦华苑"], &[]);
        check(
            ReplyKind::Generic,
            &["加强", "研究", "规范", "尽快", "完善", "协调", "整改", "落实", "宣传"],
            &["锦华苑"],
        );
        check(ReplyKind::Pasted, &["罐头"], &[]);
        check(ReplyKind::Acknowledgement, &["收悉", "收到"], &["转"]);
        check(ReplyKind::NamedForward, &["东城区城市管理和综合执法局"], &["有关部门"]);
        check(ReplyKind::UnnamedForward, &["有关部门", "相关单位", "相关部门"], &["东城区"]);
        check(ReplyKind::Deflection, &["职权范围", "职责范围", "管辖范围", "不归"], &[]);
        check(ReplyKind::Refusal, &["不予", "无法", "暂不"], &["因为", "根据"]);
    }

    #[test]
    fn canned_replies_differ_between_units() {
        let city = City::new(1);
        let canned = canned_replies(&city.units, 1);
        let mut all: Vec<&String> = canned.iter().flatten().collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 2 * city.units.len());
    }
}
