//! The text of a citizen's post: a subject that frames the place and the problem, and a body of
//! 50–600 characters built from an opening, the problem's details, its harm, and a request that
//! fits the kind of post (咨询 asks, 建议 proposes, 求助 pleads, 投诉 demands, 举报 accuses).

use super::problems::Problem;
use super::rng::Rng;
use super::text::{coprime_step, fill, fill_some, Slots};

/// 类型: the kind of post, as the platform records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Consultation,
    Suggestion,
    Help,
    Complaint,
    Report,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Consultation => "咨询",
            Kind::Suggestion => "建议",
            Kind::Help => "求助",
            Kind::Complaint => "投诉",
            Kind::Report => "举报",
        }
    }

    pub fn draw(rng: &mut Rng) -> Kind {
        const KINDS: [Kind; 5] = [Kind::Complaint, Kind::Consultation, Kind::Help, Kind::Suggestion, Kind::Report];
        KINDS[rng.weighted(&[0.34, 0.24, 0.16, 0.14, 0.12])]
    }

    fn frames(self) -> &'static [&'static str] {
        match self {
            Kind::Consultation => {
                &["咨询{d}{p}{c}的问题", "请问{p}{c}该找哪个部门？", "关于{d}{p}{c}的咨询", "{p}{c}怎么办？"]
            }
            Kind::Suggestion => &["建议尽快解决{d}{p}{c}问题", "关于{p}{c}的建议", "建议整治{d}{p}{c}"],
            Kind::Help => &["求助：{d}{p}{c}", "{p}{c}，恳请领导帮忙", "急！{d}{p}{c}"],
            Kind::Complaint => &["投诉{d}{p}{c}", "强烈投诉{p}{c}", "{d}{p}{c}，强烈要求整改"],
            Kind::Report => &["举报{d}{p}{c}", "实名举报{p}{c}", "{d}{p}{c}，请求依法查处"],
        }
    }

    fn requests(self) -> &'static [&'static str] {
        match self {
            Kind::Consultation => &[
                "请问这种情况应该找哪个部门解决？",
                "想咨询一下，这个问题有没有相关政策规定？",
                "请相关部门给一个明确的答复，谢谢。",
                "请问我们该怎么办，需要准备什么材料？",
            ],
            Kind::Suggestion => &[
                "建议相关部门尽快实地调查，拿出解决方案。",
                "建议加强日常监管，建立长效机制。",
                "希望能采纳我们的建议，把好事办好。",
            ],
            Kind::Help => &[
                "恳请领导帮帮我们，我们实在是走投无路了。",
                "求求政府出面解决，我们等不起了。",
                "希望领导能够关注一下，帮我们解决实际困难。",
            ],
            Kind::Complaint => &[
                "强烈要求相关部门尽快处理，给群众一个交代。",
                "希望有关部门认真调查，依法处理，并回复处理结果。",
                "请求相关部门立即整改，还我们一个安宁。",
            ],
            Kind::Report => &[
                "特此举报，请相关部门依法查处。",
                "本人可以提供照片和视频证据，请执法部门严肃处理。",
                "希望纪检和执法部门介入调查，还群众一个公道。",
            ],
        }
    }
}

/// Whether the post raises its problem for the first time, again, or again after a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    First,
    Again,
    AfterReply,
}

/// Frames any kind of post may use; `{d}` is left empty in about half of the subjects.
const COMMON_FRAMES: &[&str] = &[
    "{d}{p}{c}",
    "{p}{c}",
    "关于{d}{p}{c}的问题",
    "{d}{p}{c}，谁来管？",
    "{p}{c}，何时能解决？",
    "反映{d}{p}{c}",
    "{c}（{d}{p}）",
];

const OPENINGS: &[&str] = &[
    "尊敬的领导：您好！",
    "各位领导好！",
    "市长您好，",
    "领导您好！我是{d}的一名普通市民。",
    "您好！",
    "尊敬的政府领导：",
    "打扰了，",
];

/// Openings that name the unit the post is addressed to (used only when it has one).
const OPENINGS_TO_UNIT: &[&str] = &["尊敬的{u}领导：您好！", "{u}的领导您好，"];

/// The sentence that names the place; every body has one, so the place is always in the text.
const INTROS: &[&str] = &[
    "现向您反映{d}{p}{c}的问题。",
    "我想反映一下{d}{o}{p}{c}的情况。",
    "关于{p}{c}的问题，已经持续很长时间了。",
    "近段时间以来，{d}{p}{c}，群众意见很大。",
    "我家住在{d}{o}，{p}{c}。",
    "{d}{p}位于{road}附近，{c}。",
];

const FILLERS: &[&str] = &[
    "这种情况已经持续了{n}个多月。",
    "我们也多次打电话反映，但一直没有得到解决。",
    "希望相关部门能够到现场实地看一看。",
    "周边的居民都有同感，大家都盼着早日解决。",
    "我们也不想给政府添麻烦，实在是没有办法了。",
    "我们曾经找过{o}，工作人员说会向上反映，后来就没有消息了。",
    "附近还有一所学校，每天有很多孩子经过。",
    "已经有{n}0多户居民联名签字。",
    "现附上情况说明，请领导过目。",
    "平台上好像也有人反映过类似的问题。",
];

const AGAIN: &[&str] = &[
    "这个问题之前已经反映过，至今没有解决。",
    "已经多次反映了，希望这次能得到重视。",
    "周边很多居民都在平台上反映过这个问题。",
    "之前有邻居留言反映过，到现在情况依旧。",
];

const AFTER_REPLY: &[&str] = &[
    "上次反映后，部门回复说已经处理，可没过多久又恢复原样了。",
    "之前的答复说会尽快处理，结果一点变化都没有。",
    "上次留言得到了回复，但问题根本没有解决，只好再次反映。",
];

const CLOSINGS: &[&str] = &["谢谢！", "望早日解决，谢谢！", "期待您的回复。", "恳请领导重视，谢谢！", "盼复！"];

pub const MIN_BODY_CHARS: usize = 50;
pub const MAX_BODY_CHARS: usize = 600;

/// Appends the subject: a frame (common or of the post's kind) around the place and a core.
pub fn push_subject(out: &mut String, kind: Kind, core: &str, slots: &Slots, rng: &mut Rng) {
    let frame = if rng.chance(0.55) { rng.pick(COMMON_FRAMES) } else { rng.pick(kind.frames()) };
    let area = if rng.chance(0.5) { slots.area } else { "" };
    fill(out, frame, &Slots { area, core, ..*slots }, rng);
}

/// Appends a body of 50–600 characters about `problem` at the slots' place.
pub fn push_body(out: &mut String, kind: Kind, problem: &Problem, repeat: Repeat, slots: &Slots, rng: &mut Rng) {
    let target = ((5.15 + 0.55 * rng.normal()).exp() as usize).clamp(MIN_BODY_CHARS, MAX_BODY_CHARS - 60);
    let before = out.len();
    if rng.chance(0.35) {
        let openings = if !slots.unit.is_empty() && rng.chance(0.3) { OPENINGS_TO_UNIT } else { OPENINGS };
        fill(out, rng.pick(openings), slots, rng);
    }
    fill(out, rng.pick(INTROS), slots, rng);
    let mut len = out[before..].chars().count();
    match repeat {
        Repeat::First => {}
        Repeat::Again => len += fill_some(out, AGAIN, 1, slots, rng),
        Repeat::AfterReply => len += fill_some(out, AFTER_REPLY, 1, slots, rng),
    }
    // Details first, then the harm, then filler: each pool drawn without repeats, until the
    // body reaches its drawn length (the pools together exceed the maximum, never run dry early).
    let want_details = 1 + rng.below(problem.details.len());
    len += fill_some(out, problem.details, want_details, slots, rng);
    let impacts = problem.topic.impacts();
    let (i0, istep) = (rng.below(impacts.len()), coprime_step(impacts.len(), rng));
    let (f0, fstep) = (rng.below(FILLERS.len()), coprime_step(FILLERS.len(), rng));
    let mut k = 0;
    while len < target && k < impacts.len() + FILLERS.len() {
        let sentence = match k < impacts.len() {
            true => impacts[(i0 + k * istep) % impacts.len()],
            false => FILLERS[(f0 + (k - impacts.len()) * fstep) % FILLERS.len()],
        };
        let mark = out.len();
        fill(out, sentence, slots, rng);
        len += out[mark..].chars().count();
        k += 1;
    }
    len += fill_some(out, kind.requests(), 1, slots, rng);
    if rng.chance(0.5) || len < MIN_BODY_CHARS {
        fill(out, rng.pick(CLOSINGS), slots, rng);
    }
    truncate_chars(out, before, MAX_BODY_CHARS);
}

/// Keeps at most `max` characters after byte offset `from` (a guard: the pools are sized so
/// that it almost never cuts).
fn truncate_chars(out: &mut String, from: usize, max: usize) {
    if let Some((cut, _)) = out[from..].char_indices().nth(max) {
        out.truncate(from + cut);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::problems::PROBLEMS;

    fn slots() -> Slots<'static> {
        Slots {
            place: "锦华苑",
            area: "东城区",
            office: "朝阳街道",
            party: "锦华物业服务有限公司",
            road: "人民路",
            core: "违章搭建严重",
            unit: "市城市管理局",
            ..Slots::default()
        }
    }

    #[test]
    fn bodies_name_the_place_and_stay_within_length() {
        let mut rng = Rng::new(4);
        for (i, problem) in PROBLEMS.iter().enumerate() {
            for repeat in [Repeat::First, Repeat::Again, Repeat::AfterReply] {
                let mut body = String::new();
                let kind = Kind::draw(&mut rng);
                push_body(&mut body, kind, problem, repeat, &slots(), &mut rng);
                let n = body.chars().count();
                assert!((MIN_BODY_CHARS..=MAX_BODY_CHARS).contains(&n), "problem {i}: {n} chars: {body}");
                assert!(body.contains("锦华苑"), "problem {i}: {body}");
                assert!(!body.contains('{'), "unfilled slot: {body}");
            }
        }
    }

    #[test]
    fn subjects_frame_the_place_and_the_core() {
        let mut rng = Rng::new(5);
        for _ in 0..200 {
            let mut subject = String::new();
            push_subject(&mut subject, Kind::draw(&mut rng), "违章搭建严重", &slots(), &mut rng);
            assert!(subject.contains("锦华苑") && subject.contains("违章搭建严重"), "{subject}");
        }
    }
}
