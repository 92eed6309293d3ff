//! From what a reply holds to the rubric's levels: evasive 0/1/2, vague 0/1/2 and a reply type.
//!
//! Scores are continuous (for ranking) and levels are bands of them, so a reply ranked worse
//! never has a lower level. The rules follow shared/RUBRIC.md in order of precedence: a reply
//! with no content is judged by its formula (receipt, forwarding, deflection, refusal); a reply
//! with content is judged by how specific it is and whether it answers what the post asked.

use super::lexicon::Lexicon;
use super::signals::{ask, Findings};
use super::ReplyType;

/// Content this short with no fact and no promise is a formula ("经核实，诉求有两点。").
const SHORT_CONTENT_CHARS: usize = 40;

/// Content this short with a promise and nothing else ("我们会尽快为您处理的") is a receipt.
const BARE_PROMISE_CHARS: usize = 20;

/// A reply putting the request off ("将充分论证研究") is a template when its content is this
/// short; a longer one says something about the case around its promise.
const DEFERRAL_CONTENT_CHARS: usize = 200;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Judgement {
    pub evasive_score: f64,
    pub vague_score: f64,
    pub reply_type: ReplyType,
    pub answers_question: bool,
    /// the post asked something the reply does not answer
    pub unanswered: bool,
    /// weighted count of the facts specific to the post
    pub specificity: f64,
}

/// Weighted count of the facts specific to this post (see `[specific]` in the lexicon).
pub(crate) fn specificity(f: &Findings, asks: u8, lexicon: &Lexicon) -> f64 {
    let s = &lexicon.specific;
    let capped = |n: u32, cap: u32, w: f64| f64::from(n.min(cap)) * w;
    let mut spec = capped(f.dates, s.date_cap, s.date_weight)
        + capped(f.amounts, s.amount_cap, s.amount_weight)
        + capped(f.actions, s.action_cap, s.action_weight)
        + capped(f.place_units, s.place_unit_cap, s.place_unit_weight)
        + capped(f.procedures, s.procedure_cap, s.procedure_weight)
        + (f.shared_terms as f64 * s.shared_term_weight).min(s.shared_term_cap);
    if asks & f.answers & (ask::YES_NO | ask::REASON) != 0 {
        spec += s.answer_weight;
    }
    spec
}

/// Whether the content answers the kinds of question the post asked (a post that asks nothing
/// directly is a request, answered by whatever the unit did).
/// An answer word counts only next to something of this case: "你可以就近选择学校" has "可以"
/// but names nothing the citizen asked about.
/// "How" questions are too loose to hold a reply to ("怎么办?" ends many complaints).
fn answered(f: &Findings, asks: u8) -> bool {
    let direct = asks & ask::DIRECT;
    let about_the_case = f.shared_terms > 0 || f.dates + f.amounts + f.place_units + f.procedures > 0;
    direct == 0 || (direct & f.answers != 0 && about_the_case)
}

/// How a forwarding note with nothing else is judged, as (evasive level, where in it, vague
/// level, where in it): the rubric's evasive 2 when it names nobody (even beside a named unit),
/// 1 when it names the unit it went to; vague 2 both. `None` when the reply forwards nothing.
pub(crate) fn bare_forward(f: &Findings) -> Option<(u8, f64, u8, f64)> {
    if f.forwarded_unnamed {
        Some((2, 0.5, 2, 0.9))
    } else if f.forwarded_named {
        Some((1, 0.5, 2, 0.8))
    } else {
        None
    }
}

pub(crate) fn band(level: u8, within: f64, lexicon: &Lexicon) -> f64 {
    let l = &lexicon.levels;
    let within = within.clamp(0.0, 1.0);
    match level {
        0 => within * (l.level1 - 0.01),
        1 => l.level1 + within * (l.level2 - l.level1 - 0.01),
        _ => l.level2 + within * (1.0 - l.level2),
    }
}

/// `post_chars`: characters of the post's subject and body.
pub(crate) fn judge(f: &Findings, asks: u8, post_chars: usize, lexicon: &Lexicon) -> Judgement {
    let l = &lexicon.levels;
    let spec = specificity(f, asks, lexicon);
    let answered = answered(f, asks);
    let unanswered = !answered;
    let with = |reply_type, evasive_level: u8, ev_within: f64, vague_level: u8, va_within: f64| Judgement {
        evasive_score: band(evasive_level, ev_within, lexicon),
        vague_score: band(vague_level, va_within, lexicon),
        reply_type,
        answers_question: evasive_level == 0 && answered,
        unanswered,
        specificity: spec,
    };

    if f.content_chars < l.min_content_chars {
        return if f.refusal_without_reason {
            with(ReplyType::RefusalWithoutReason, 2, 0.7, 2, 0.9)
        } else if f.deflection && f.sent_to_ask && !f.deflection_generic && !f.outside_remit {
            // asked how, told only which office to ask: where the answer is, not the answer
            with(ReplyType::Deflection, 1, 0.7, 2, 0.6)
        } else if f.deflection {
            with(ReplyType::Deflection, 2, if f.deflection_generic { 0.8 } else { 0.6 }, 2, 0.9)
        } else if let Some((evasive, ev_within, vague, va_within)) = bare_forward(f) {
            with(ReplyType::Forwarded, evasive, ev_within, vague, va_within)
        } else {
            with(ReplyType::AcknowledgementOnly, 2, 1.0, 2, 1.0)
        };
    }

    // vague: how much of the content is specific to this post
    let facts = f.dates + f.amounts + f.actions + f.place_units;
    let promise_share = f64::from(f.promises) / f64::from(f.promises + facts).max(1.0);
    // a short reply with no promise that states what was found or answers the question is
    // specific however few facts it counts ("目前不支持异地缴存人办理商转公")
    let direct = asks & ask::DIRECT;
    let formula = f.deflection || f.refusal_without_reason || f.forwarded_named || f.forwarded_unnamed;
    // (asked how, being told where and how to do it is as clear: "持驾驶证到车管所办理")
    let procedure_given = asks & ask::HOW != 0 && f.procedures > 0;
    let clear = answered
        && !formula
        && f.promises + f.deferrals == 0
        && (f.outcomes > 0 || direct & f.answers != 0 || procedure_given);
    let (vague_level, va_within) = if spec < l.vague2_below {
        (2, 1.0 - spec / l.vague2_below)
    } else if (spec < l.vague0_from && !clear) || promise_share >= l.mixed_promise_share {
        (1, (1.0 - (spec - l.vague2_below) / (l.vague0_from - l.vague2_below)).max(promise_share))
    } else {
        (0, promise_share / l.mixed_promise_share)
    };
    let with_vague = |reply_type, evasive_level: u8, ev_within: f64| {
        with(reply_type, evasive_level, ev_within, vague_level, va_within)
    };

    let o = &lexicon.off_topic;
    let share = f.shared_terms as f64 / f.reply_terms.max(1) as f64;
    // (a reply that tells the citizen where and how to go about it is about their case, in
    // whatever words: "可以向物价部门投诉" to "驾校不退钱，我该怎么办？")
    // (nor is a reply whose post has no text: a replies file ingested ahead of its posts is
    // scored before its post arrives, and again once it has)
    let off_topic = post_chars > 0
        && f.reply_terms >= o.min_reply_terms
        && f.shared_terms <= o.max_shared_terms
        && share <= o.max_shared_share
        && f.directions == 0;
    if off_topic {
        // its facts, however precise, are not facts of this post
        return with(ReplyType::OffTopic, 2, 0.5, 2, 0.5);
    }
    let r = &lexicon.rule;
    let yes_no_answered = asks & f.answers & ask::YES_NO != 0;
    // more rule words than facts of the case: the rule explained, not applied to the case
    if f.rules >= r.min_rules && share < r.max_shared_share && facts <= f.rules {
        // the rule explained in general; with its figures, with what was found or done in this
        // case ("不存在“择校”", "我局已开展…专项救助"), or with the yes or no the post asked for
        // ("住宅小区停车收费无需办理收费证照"), it is at least part of an answer
        let level = if f.dates + f.amounts + f.outcomes > 0 || yes_no_answered { 1 } else { 2 };
        return with(ReplyType::GenericPolicy, level, 0.5, level, 0.5);
    }
    let thin = spec < l.vague2_below * 1.5;
    if f.deflection && thin {
        // sent to a named office after saying something: the rubric's hard case. Asked for
        // information, being shown where it is kept is half an answer (level 1); asked to act,
        // being sent elsewhere is not engaging (level 2).
        let asked_for_information = asks & ask::DIRECT != 0 || f.sent_to_ask;
        // Sent away with nothing else, the few facts it holds are where it sends the citizen
        // ("因K市职业技术学院不归我局管辖，建议您直接向K市职业技术学院反映"): nothing of this post,
        // vague 2 like the rubric's anchoring deflection.
        return if !f.deflection_generic && !f.outside_remit && asked_for_information {
            with_vague(ReplyType::Deflection, 1, 0.7)
        } else {
            // (at the bottom of level 2 when it names where it sends the citizen)
            let within = if vague_level == 2 { va_within } else { 0.0 };
            with(ReplyType::Deflection, 2, if f.deflection_generic { 0.8 } else { 0.5 }, 2, within)
        };
    }
    if f.refusal_without_reason && thin {
        return with_vague(ReplyType::RefusalWithoutReason, 2, 0.6);
    }
    // nothing found or done, nothing dated or counted, no yes or no: only what will be done
    let put_off = f.outcomes == 0 && f.dates + f.amounts == 0 && !yes_no_answered;
    if put_off && f.deferrals > 0 && f.content_chars < DEFERRAL_CONTENT_CHARS {
        // "将充分论证研究", "将相关建议进行反馈": the will-consider template
        let reply_type = if f.forwarded_named { ReplyType::Forwarded } else { ReplyType::GenericPolicy };
        return with(reply_type, 1, 0.6, 2, 0.3);
    }
    if put_off && f.promises + f.deferrals > 0 && vague_level < 2 {
        let (level, within) = if vague_level == 0 { (1, 0.0) } else { (vague_level, va_within) };
        return with(ReplyType::Partial, 1, 0.6, level, within);
    }
    if vague_level == 2 {
        return if f.rules > 0 && asks & (ask::YES_NO | ask::WHEN | ask::AMOUNT) != 0 && unanswered {
            with_vague(ReplyType::GenericPolicy, 2, 0.4)
        } else if f.forwarded_unnamed {
            with_vague(ReplyType::Forwarded, 2, 0.3)
        } else if f.forwarded_named {
            with_vague(ReplyType::Forwarded, 1, 0.6)
        } else if f.promises > 0 && f.rules == 0 && f.deferrals == 0 && f.content_chars < BARE_PROMISE_CHARS {
            // "我们会尽快为您处理的" and nothing else: a receipt with a promise word in it engages
            // no more than the receipt (a promise must not lift a reply above "已收悉")
            with_vague(ReplyType::AcknowledgementOnly, 2, 0.3)
        } else if f.promises > 0 || f.rules > 0 {
            with_vague(ReplyType::GenericPolicy, 1, 0.8)
        } else if f.content_chars < SHORT_CONTENT_CHARS {
            with_vague(ReplyType::AcknowledgementOnly, 2, 0.2)
        } else {
            with_vague(ReplyType::Partial, 1, 0.9)
        };
    }
    if unanswered && spec < l.vague0_from {
        return with_vague(ReplyType::Partial, 1, 0.5 * (1.0 - spec / (2.0 * l.vague0_from)));
    }
    // A long post tells a story with several points, names and dates; a reply to it with hardly
    // a date, a figure or a finding has answered some of it at most, and what it says about the
    // rest is general. The boundary is fitted on the tuning labels (see the lexicon).
    let long_post = l.long_post_chars.is_some_and(|n| post_chars > n);
    if long_post && f.dates + f.amounts <= l.long_post_figures && f.outcomes <= l.long_post_findings {
        let (vague_level, va_within) = if vague_level == 0 { (1, 0.0) } else { (vague_level, va_within) };
        return with(ReplyType::Partial, 1, 0.2, vague_level, va_within);
    }
    with_vague(ReplyType::Substantive, 0, 1.0 - spec / (2.0 * l.vague0_from))
}
