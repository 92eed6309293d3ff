//! Replies that accept a case without completing it (SPEC §4), and the deadlines they commit to.

use super::*;

/// The scorer's interim verdict and commitment on `reply` to `post` ("subject|body").
fn handling(post: &str, reply: &str) -> (ReplyType, bool, Option<Commitment>) {
    let (subject, body) = post.split_once('|').unwrap_or(("", post));
    let score = scorer().score(subject, body, reply);
    (score.reply_type, score.interim, score.commitment)
}

const NOISY_SITE: &str = "工地夜间施工扰民|A5区曲塘路融科东南海小区旁工地每晚施工到凌晨两点，请问能否处理？";

#[test]
fn receipts_and_forwarding_notes_are_interim_by_their_type() {
    let receipt = handling(NOISY_SITE, "网友您好！您的留言已收悉，我们将尽快处理。");
    assert_eq!(receipt, (ReplyType::AcknowledgementOnly, true, None));
    let forwarded = handling(NOISY_SITE, "您好！您反映的问题已转A5区城管局调查处理。");
    assert_eq!(forwarded, (ReplyType::Forwarded, true, None));
}

/// The texts of the reply's `pending` evidence.
fn pending_quotes(post: &str, reply: &str) -> Vec<String> {
    let (subject, body) = post.split_once('|').unwrap_or(("", post));
    let score = scorer().score(subject, body, reply);
    score.evidence.into_iter().filter(|e| e.kind == SignalKind::Pending).map(|e| e.text).collect()
}

#[test]
fn a_note_that_the_case_is_being_handled_is_interim_and_only_acknowledges() {
    // the rubric's "only acknowledges receipt": nothing found, decided or done
    let reply = "网友您好！此事正在调查处理中。";
    assert_eq!(handling(NOISY_SITE, reply), (ReplyType::AcknowledgementOnly, true, None));
    check(
        NOISY_SITE,
        reply,
        Expect {
            evidence: &[(SignalKind::Pending, "正在调查处理中")], ..expect(2, 2, ReplyType::AcknowledgementOnly)
        },
    );
    assert_eq!(pending_quotes(NOISY_SITE, reply), ["正在调查处理中"]);
}

#[test]
fn a_note_that_commits_to_a_deadline_carries_it() {
    let reply = "网友您好！您的留言已收悉，我局正在核实，将于10个工作日内将处理结果答复您。";
    assert_eq!(handling(NOISY_SITE, reply), (ReplyType::AcknowledgementOnly, true, Some(Commitment::Workdays(10))));
    assert_eq!(pending_quotes(NOISY_SITE, reply), ["正在核实，", "将于10个工作日内将处理结果答复"]);
    let dated = "您好！此事正在调查处理中，争取6月30日前办结并回复您。";
    assert_eq!(handling(NOISY_SITE, dated).2, Some(Commitment::Date { year: None, month: 6, day: Some(30) }));
}

#[test]
fn a_forwarding_note_that_says_the_case_is_being_handled_is_still_a_forward() {
    // the rubric's convention: a named unit, evasive 1; nobody named, evasive 2; vague 2 both
    let named = "您好！您反映的问题已转A5区城管局调查处理，目前正在处理中。";
    check(
        NOISY_SITE,
        named,
        Expect {
            evidence: &[(SignalKind::ForwardedToUnit, "已转A5区城管局调查处理，"), (SignalKind::Pending, "正在处理中")],
            ..expect(1, 2, ReplyType::Forwarded)
        },
    );
    assert!(handling(NOISY_SITE, named).1);
    let unnamed = "您好！您反映的问题已转相关部门调查处理。目前正在处理中，将于10个工作日内答复您。";
    check(NOISY_SITE, unnamed, expect(2, 2, ReplyType::Forwarded));
    assert_eq!(handling(NOISY_SITE, unnamed), (ReplyType::Forwarded, true, Some(Commitment::Workdays(10))));
}

#[test]
fn a_note_that_reports_the_step_taken_is_still_a_note() {
    // "已安排专人调查核实" is an investigation arranged, not a finding: a step, like a forward to
    // a named unit (the rubric's evasive 1), and the case stays open until its answer
    let arranged = "网友您好！您反映的问题我们已安排专人调查核实，目前正在处理中，将于10个工作日内将处理结果答复您。";
    assert_eq!(handling(NOISY_SITE, arranged), (ReplyType::Partial, true, Some(Commitment::Workdays(10))));
    check(NOISY_SITE, arranged, expect(1, 1, ReplyType::Partial));
    let regard = "您好！我们对您反映的问题高度重视，已责成A5区城管局调查处理，此事正在处理中。";
    assert!(handling(NOISY_SITE, regard).1);
    // the step beside a finding: the answer closes the case
    let found = "您好！经核实，该工地已于6月3日停止夜间施工。我们已安排专人跟进，正在处理中。";
    assert_eq!(handling(NOISY_SITE, found), (ReplyType::Substantive, false, None));
    // a step with no note is not read as one
    let step_only = "您好！经查，该工地未办理夜间施工许可，我局已责成施工单位停止夜间施工并罚款2万元。";
    assert!(!handling(NOISY_SITE, step_only).1);
}

#[test]
fn an_answer_that_promises_news_of_the_work_it_ordered_is_complete() {
    let reply = "网友您好！经查，该工地未办理夜间施工许可，我局已于6月3日责令施工单位晚上10点后停止施工，\
                 并安排专人负责跟踪，整改情况将在6月30日前向您反馈。感谢您的监督！";
    assert_eq!(handling(NOISY_SITE, reply), (ReplyType::Substantive, false, None));
}

#[test]
fn a_reply_with_its_findings_and_a_case_still_being_handled_is_not_a_receipt() {
    // (the shape of real reply 10269: a policy explained, the decision put to a meeting)
    let post = "孩子入学问题|我们是公寓房业主，请问孩子能否在明德学校就读？";
    let reply = "您好！按照义务教育招生入学实施办法，房屋产权证性质必须为住宅，非住宅性质的房产不能作为入学依据。\
                 目前，高新区教育局已委托学校对有入学需求的公寓房业主了解情况，由教育局党委会研究后再予以答复。";
    // (whether it stays open follows the scorer's type: a partial answer does, as 10269 does)
    let (reply_type, _, _) = handling(post, reply);
    assert_ne!(reply_type, ReplyType::AcknowledgementOnly);
}

#[test]
fn an_answer_closes_the_case_whatever_else_it_says() {
    // the finding answers the post; "案件正在办理中" is the court case, not this one
    let reply = "您好！经查，该工地未办理夜间施工许可，我局已于6月3日对施工单位立案查处，罚款2万元，并责令其晚上10点后停止施工，目前案件正在办理中。";
    let (reply_type, interim, commitment) = handling(NOISY_SITE, reply);
    assert_eq!((reply_type, interim, commitment), (ReplyType::Substantive, false, None));
    // a deflection sends the case away: nothing stays open here
    let deflection = "您好！您反映的问题已超出我局职权范围，请您向有关单位、部门反映。";
    assert_eq!(handling(NOISY_SITE, deflection), (ReplyType::Deflection, false, None));
}

#[test]
fn the_receipt_an_export_keeps_beside_the_answer_does_not_reopen_it() {
    // (the shape of real replies 92050 and 92985: the answer, then the earlier receipt)
    let reply = "网友您好：经核实，该工地夜间施工许可已于6月1日到期，我局已责令其停止夜间施工。\
                 您的留言已经收到！并已将您反映的情况转交相关部门进行处理，处理情况会向您反馈，感谢您的留言！";
    let (reply_type, interim, _) = handling(NOISY_SITE, reply);
    assert!(!interim, "{reply_type:?}");
}
