//! The scorer against the rubric: anchoring examples, one case each way per signal, invariants,
//! and the real development set (every reply scores; agreement with the tuning labels).

mod boundaries;
mod dev_set;
mod interim;
mod invariants;
mod pointers;

use super::*;

/// What a test expects of one reply: levels, type, and evidence kinds each with a text they
/// must cover (the evidence's text must contain it).
struct Expect<'a> {
    evasive: u8,
    vague: u8,
    reply_type: ReplyType,
    evidence: &'a [(SignalKind, &'a str)],
}

fn scorer() -> &'static Scorer {
    static SCORER: std::sync::LazyLock<Scorer> = std::sync::LazyLock::new(Scorer::default);
    &SCORER
}

fn check(post: &str, reply: &str, expected: Expect) {
    let (subject, body) = post.split_once('|').unwrap_or(("", post));
    let score = scorer().score(subject, body, reply);
    let got = (score.evasive_level, score.vague_level, score.reply_type);
    assert_eq!(
        got,
        (expected.evasive, expected.vague, expected.reply_type),
        "reply {reply:?}\nevidence {:?}\nscores {} / {}",
        score.evidence,
        score.evasive_score,
        score.vague_score
    );
    for (kind, text) in expected.evidence {
        assert!(
            score.evidence.iter().any(|e| e.kind == *kind && e.text.contains(text)),
            "no {kind:?} evidence covering {text:?} in {:?}",
            score.evidence
        );
    }
    for e in &score.evidence {
        let source = if e.in_post { body } else { reply };
        assert_eq!(normalize::char_slice(source, e.start, e.end), e.text, "evidence span {e:?}");
    }
}

fn expect(evasive: u8, vague: u8, reply_type: ReplyType) -> Expect<'static> {
    Expect { evasive, vague, reply_type, evidence: &[] }
}

const DIRTY_COMPOUND: &str = "小区环境脏乱差|我们小区垃圾堆积，环境脏乱差，请环保局管一管。";

#[test]
fn anchoring_example_deflection() {
    check(
        DIRTY_COMPOUND,
        "这位朋友您好,您反映的问题已超出我局职权范围,请您向有关单位、部门反映。",
        Expect {
            evidence: &[(SignalKind::Deflection, "超出我局职权范围")], ..expect(2, 2, ReplyType::Deflection)
        },
    );
}

#[test]
fn anchoring_example_general_rule() {
    check(
        "孩子读书问题|我住在如意小区，请问我的孩子能否到杏坛中学读书？",
        "你好,你可以就近选择学校就读。谢谢!",
        Expect {
            evidence: &[(SignalKind::RuleQuote, "就近"), (SignalKind::UnansweredQuestion, "能否")],
            ..expect(2, 2, ReplyType::GenericPolicy)
        },
    );
}

const STREET_LIGHT: &str = "路灯不亮|A5区曲塘路融科东南海小区门口的路灯坏了三个月，请问什么时候能修好？";

#[test]
fn acknowledgement_only_is_evasive_and_vague() {
    check(
        STREET_LIGHT,
        "网友：您好！留言已收悉",
        Expect {
            evidence: &[(SignalKind::Acknowledgement, "留言已收悉")],
            ..expect(2, 2, ReplyType::AcknowledgementOnly)
        },
    );
    check(STREET_LIGHT, "已收悉", expect(2, 2, ReplyType::AcknowledgementOnly));
    // A promise word does not lift a receipt: a bare promise to handle it is no more engaged.
    check(STREET_LIGHT, "您好，我们会尽快为您处理的。", expect(2, 2, ReplyType::AcknowledgementOnly));
    check(STREET_LIGHT, "请您耐心等待，我们会尽快处理。", expect(2, 2, ReplyType::AcknowledgementOnly));
    check(
        STREET_LIGHT,
        "网友：您好！留言已收悉，请进一步完善个人信息以便处理。",
        Expect {
            evidence: &[(SignalKind::Acknowledgement, "留言已收悉")],
            ..expect(2, 2, ReplyType::AcknowledgementOnly)
        },
    );
}

#[test]
fn advice_instead_of_an_answer_is_a_deflection_quoted_as_one() {
    // Nothing of the case, no receipt: the citizen is told what to do about it themselves.
    check(
        STREET_LIGHT,
        "您好！夜间出行建议您自备照明工具。",
        Expect {
            evidence: &[(SignalKind::Deflection, "建议您自备照明工具")], ..expect(2, 2, ReplyType::Deflection)
        },
    );
    check(
        "邻居占用楼道|邻居长期在楼道堆放杂物，物业不管，希望社区出面清理。",
        "可以依照有关法律自行协调或起诉。",
        Expect {
            evidence: &[(SignalKind::Deflection, "可以依照有关法律")], ..expect(2, 2, ReplyType::Deflection)
        },
    );
    // A receipt with a word of advice in its courtesy is still a receipt.
    check(
        STREET_LIGHT,
        "网友：您好！留言已收悉，可以放心。",
        Expect {
            evidence: &[(SignalKind::Acknowledgement, "留言已收悉")],
            ..expect(2, 2, ReplyType::AcknowledgementOnly)
        },
    );
}

#[test]
fn acknowledgement_followed_by_an_answer_is_judged_on_the_answer() {
    check(
        STREET_LIGHT,
        "网友：您好！留言已收悉。经查，曲塘路融科东南海小区门口3盏路灯线路老化，A5区城管局已于2019年5月3日更换线路并修复。",
        expect(0, 0, ReplyType::Substantive),
    );
}

#[test]
fn forwarding_to_a_named_unit_is_level_1() {
    check(
        STREET_LIGHT,
        "“UU0081160”：您好，您反映的问题已转K7县城市管理局调查处理。2018年12月6日",
        Expect {
            evidence: &[(SignalKind::ForwardedToUnit, "已转K7县城市管理局")],
            ..expect(1, 2, ReplyType::Forwarded)
        },
    );
}

#[test]
fn forwarding_to_relevant_departments_is_level_2() {
    check(
        STREET_LIGHT,
        "网友：您好！您反映的问题已转相关部门调查核处，如有相关情况将及时反馈，谢谢！2019年12月11日",
        Expect {
            evidence: &[(SignalKind::ForwardedUnnamed, "已转相关部门")], ..expect(2, 2, ReplyType::Forwarded)
        },
    );
    check(STREET_LIGHT, "您好，你所反映的问题已转交有关单位处理。", expect(2, 2, ReplyType::Forwarded));
    // "the city's relevant departments" names no more than "relevant departments"
    check(STREET_LIGHT, "您好，您反映的问题已转市有关部门调查处理。", expect(2, 2, ReplyType::Forwarded));
}

#[test]
fn the_relevant_departments_of_a_named_unit_are_a_named_forward() {
    // the company is named: its departments will act, as the rubric's "已转县教育局" (level 1)
    check(
        STREET_LIGHT,
        "“UU008847”您好！您的留言收悉，已转市公交公司有关部门调查核处，如有相关情况将及时反馈，谢谢！2019年5月31日",
        Expect {
            evidence: &[(SignalKind::ForwardedToUnit, "已转市公交公司有关部门")],
            ..expect(1, 2, ReplyType::Forwarded)
        },
    );
    // a place is no body: the county's relevant departments are as unnamed as any
    check(
        STREET_LIGHT,
        "您好！您的留言收悉，已转B6县有关部门答复反馈，谢谢！2018年12月28日",
        expect(2, 2, ReplyType::Forwarded),
    );
}

#[test]
fn forwarding_note_then_an_answer_is_judged_on_the_answer() {
    check(
        STREET_LIGHT,
        "网友：您反映的问题已转A5区城管局调查核处。2019年5月1日网友您好！经查，融科东南海小区门口路灯因电缆被盗损坏，\
         我局已于2019年5月3日更换电缆，3盏路灯已恢复照明。2019年5月4日",
        expect(0, 0, ReplyType::Substantive),
    );
}

/// Exports put a field's latest reply first as often as last: the answer above the forwarding
/// note it came back from is judged, and the forward is not quoted against the unit that answered.
#[test]
fn an_answer_above_the_forwarding_note_before_it_is_judged_on_the_answer() {
    let reply = "“UU0081039”您好，接到您反映的问题后，我镇高度重视，经过调查了解，民投小区业主现在都能在我镇\
                 团结社区办理相关业务。希望广大网友继续监督、支持我们的工作。2019年4月15日尊敬的网友：您好！您反映的\
                 问题已转县卢峰镇人民政府核查、办复，感谢您的留言，祝您事事顺心。2019年4月8日";
    let score_one = |post: &str, reply: &str| {
        let (subject, body) = post.split_once('|').unwrap_or(("", post));
        scorer().score(subject, body, reply)
    };
    let score = score_one("民投小区业主在哪里办理业务|民投小区业主的水电、物业等业务去哪里办理？", reply);
    assert!(score.evasive_level < 2 && score.vague_level < 2, "{score:?}");
    assert_ne!(score.reply_type, ReplyType::Forwarded, "{score:?}");
    assert!(
        score.evidence.iter().all(|e| !matches!(e.kind, SignalKind::ForwardedToUnit | SignalKind::ForwardedUnnamed)),
        "{:?}",
        score.evidence
    );
    // one note alone, with its courtesy, is still a forward
    let note = "尊敬的网友：您好！您反映的问题已转县卢峰镇人民政府核查、办复，感谢您的留言，祝您事事顺心。2019年4月8日";
    let score = score_one("民投小区业主在哪里办理业务|民投小区业主的水电、物业等业务去哪里办理？", note);
    assert_eq!((score.evasive_level, score.reply_type), (1, ReplyType::Forwarded), "{score:?}");
}

#[test]
fn deflection_to_an_unnamed_department_is_level_2() {
    check(
        STREET_LIGHT,
        "网友朋友：你好！路灯维护不属于我局职责范围，请你向有关部门反映。2016年4月11日",
        Expect {
            evidence: &[(SignalKind::Deflection, "不属于我局职责范围")], ..expect(2, 2, ReplyType::Deflection)
        },
    );
    check(STREET_LIGHT, "您好，该问题请自行咨询当地有关部门。", expect(2, 2, ReplyType::Deflection));
    // (the remit of a place, with no 的 before it)
    check(
        STREET_LIGHT,
        "网友：您好！您反映的问题已收悉，因路灯维护不属于A5区管辖权限范围内，请向有关部门反映。",
        Expect {
            evidence: &[(SignalKind::Deflection, "不属于A5区管辖权限")], ..expect(2, 2, ReplyType::Deflection)
        },
    );
}

#[test]
fn a_pointer_to_an_office_after_an_answer_is_not_deflection() {
    check(
        STREET_LIGHT,
        "经查，融科东南海小区门口3盏路灯因电缆老化损坏，A5区城管局已于5月3日完成维修。\
         今后如有路灯问题，可直接拨打12319向城管服务热线反映。",
        expect(0, 0, ReplyType::Substantive),
    );
}

#[test]
fn being_told_where_to_ask_is_not_a_yes() {
    // ("可以致电…咨询" holds the answer word 可以, but tells the parent only where to ask)
    let post = "孩子上学|我们是外地农村户口，在星沙买房后孩子户口能否迁入，是否可以在星沙上小学？";
    check(
        post,
        "A7县2017年秋季城区入学办法正在研究制定过程中。文件正式出台后，将通过星沙教育微信平台向社会公示。\
         届时也可以致电A7县教育局教育科咨询。",
        Expect { evidence: &[(SignalKind::UnansweredQuestion, "能否迁入")], ..expect(1, 1, ReplyType::Partial) },
    );
    check(
        post,
        "经核实，2017年起您的孩子户口可以随购房单独迁入，迁入后可以在星沙第一小学就近入学。也可以致电A7县教育局教育科咨询。",
        expect(0, 0, ReplyType::Substantive),
    );
}

#[test]
fn refusal_without_reason_and_with_one() {
    check(
        STREET_LIGHT,
        "网友：您好！对您反映的问题不予答复。",
        Expect { evidence: &[(SignalKind::Refusal, "不予答复")], ..expect(2, 2, ReplyType::RefusalWithoutReason) },
    );
    let with_reason = scorer().score(
        "路灯不亮",
        "请问什么时候能修好？",
        "因您未提供具体路段，故不予答复，补充地址后我局将于3个工作日内派人到现场核查。",
    );
    assert_ne!(with_reason.reply_type, ReplyType::RefusalWithoutReason);
}

#[test]
fn generic_promises_without_facts_are_vague() {
    check(
        STREET_LIGHT,
        "网友“UU008285”您好！您的留言已收悉。现将有关情况回复如下：我局将进一步加强管理，积极协调，尽快研究解决。\
         感谢您对我们工作的支持、理解与监督！2019年12月11日",
        Expect { evidence: &[(SignalKind::GenericPromise, "进一步")], ..expect(1, 2, ReplyType::GenericPolicy) },
    );
}

#[test]
fn a_word_of_promise_is_quoted_in_its_clause() {
    let (subject, body) = STREET_LIGHT.split_once('|').unwrap();
    let reply = "您好！下一步，我局将加强对路灯的巡查，尽快研究解决。";
    let score = scorer().score(subject, body, reply);
    let quotes: Vec<&str> =
        score.evidence.iter().filter(|e| e.kind == SignalKind::GenericPromise).map(|e| e.text.as_str()).collect();
    // ("下一步" is a clause of its own: it is quoted with what it promises; quotes of one kind
    // that overlap are one quote)
    assert_eq!(quotes, ["下一步，我局将加强对路灯的巡查", "尽快研究解决"]);
    // what was done is no promise: "已加强", "已得到妥善处理"
    let done = scorer().score(subject, body, "交警部门已加强对该路段的管理，此事已得到妥善处理，下一步将加强巡查。");
    let quotes: Vec<&str> =
        done.evidence.iter().filter(|e| e.kind == SignalKind::GenericPromise).map(|e| e.text.as_str()).collect();
    assert!(quotes.iter().all(|q| !q.contains("已")), "{quotes:?}");
    // a clause at the start of the reply is quoted without the salutation before it
    let addressed = scorer().score(subject, body, "“UU008421”为切实加强路灯管理，我局将尽快研究。");
    let quotes: Vec<&str> =
        addressed.evidence.iter().filter(|e| e.kind == SignalKind::GenericPromise).map(|e| e.text.as_str()).collect();
    assert!(!quotes.is_empty() && quotes.iter().all(|q| !q.contains("UU")), "{quotes:?}");
    // a document's title is no promise
    let titled = scorer().score(subject, body, "依据《关于进一步加强城区路灯管理的通知》，路灯由城管局负责维护。");
    assert!(titled.evidence.iter().all(|e| e.kind != SignalKind::GenericPromise), "{:?}", titled.evidence);
}

#[test]
fn every_published_flag_quotes_the_reply() {
    // all courtesy: the whole reply is what the notice quotes (a reply whose content nothing
    // matched is quoted by its content: see `every_published_dev_reply_quotes_its_reply`)
    check(
        "希望重视农村老人教育|我个人觉得本市有关部门要重视老人教育，给农村添加活力。",
        "网友：您好！2019年3月5日",
        Expect {
            evidence: &[(SignalKind::NothingSpecific, "网友：您好！2019年3月5日")],
            ..expect(2, 2, ReplyType::AcknowledgementOnly)
        },
    );
}

#[test]
fn a_reply_with_no_receipt_in_it_is_not_quoted_as_one() {
    // typed acknowledgement only, but no receipt formula was found: the notice must not say the
    // unit "仅告知收悉" of a bare date, a pointer elsewhere or a request to call
    let (subject, body) = ("G3县新人民医院搬迁", "G3县新人民医院多久搬迁呀？");
    for reply in
        ["2019年1月14日", "网友：您好！您所反映的问题已经回复，回复链接：", "请联系8177025核实相关情况，以便处置。"]
    {
        let score = scorer().score(subject, body, reply);
        assert_eq!(score.reply_type, ReplyType::AcknowledgementOnly, "{reply}: {score:?}");
        assert!(score.evidence.iter().any(|e| e.kind == SignalKind::NothingSpecific), "{reply}: {:?}", score.evidence);
        assert!(score.evidence.iter().all(|e| e.kind != SignalKind::Acknowledgement), "{reply}: {:?}", score.evidence);
    }
}

#[test]
fn forwarded_to_nobody_and_sent_to_ask_the_local_office() {
    check(
        "小区强建医院|中南名门小区在业主反对的情况下强建医院，各部门都在推卸责任。",
        "网友：您好!您所反映的问题，已转交。2019年10月17日",
        Expect { evidence: &[(SignalKind::ForwardedUnnamed, "已转交")], ..expect(2, 2, ReplyType::Forwarded) },
    );
    check(
        "咨询低保、残疾人补助的相关问题|低保和残疾人补助的指标按人头发到了村里，符合条件的人申请不到。",
        "你好。请向当地民政部门询问。2017年8月18日",
        Expect {
            evidence: &[(SignalKind::Deflection, "请向当地民政部门询问")], ..expect(2, 2, ReplyType::Deflection)
        },
    );
}

#[test]
fn the_asker_named_in_the_post_is_not_a_demand() {
    let score = scorer().score(
        "请求修复路灯",
        "A5区曲塘路融科东南海小区门口的路灯坏了三个月，晚上出行很不安全，请尽快修复路灯。请求人：张三丰。",
        "您好，您的留言已收悉，我们将尽快处理。",
    );
    assert!(score.evidence.iter().all(|e| !e.text.contains("张三丰")), "{:?}", score.evidence);
}

#[test]
fn a_closing_formula_of_the_post_is_not_a_question_left_open() {
    let score = scorer().score(
        "请求修复路灯",
        "A5区曲塘路融科东南海小区门口的路灯坏了三个月，晚上出行很不安全。特此请求。",
        "您好，您的留言已收悉，我们将尽快处理。",
    );
    assert!(score.evidence.iter().all(|e| !e.text.contains("特此请求")), "{:?}", score.evidence);
}

#[test]
fn a_specific_reply_that_says_jiaqiang_is_not_vague() {
    check(
        STREET_LIGHT,
        "经查，融科东南海小区门口3盏路灯因电缆被盗损坏。A5区城管局已于2019年5月3日更换电缆，路灯已恢复照明，\
         并对曲塘路沿线12盏路灯逐一检修。下一步将加强巡查。",
        expect(0, 0, ReplyType::Substantive),
    );
}

#[test]
fn a_reply_that_dodges_the_question_is_not_specific_where_it_matters() {
    // Sent to ask a named office, the question (how is the service counted?) left open:
    // evasive 1, where the answer may be had; and nothing else said, so vague 2, not 0 for the
    // office it names (session 38; it was vague 1).
    let score = scorer().score(
        "咨询农村干部的退休待遇标准",
        "咨询农村退休村干部退休待遇标准，如何计算工龄。",
        "网友：你好。你所反映的问题，建议你到D12市组织部咨询。",
    );
    assert_eq!((score.evasive_level, score.vague_level), (1, 2));
}

#[test]
fn phrases_of_the_content_move_the_level_model() {
    const RULES_LEVELS: &str = "version = 1\n[evasive]\nthresholds = [0.5, 1.5]\n[evasive.weights]\n\
        rule_evasive_1 = 1.0\nrule_evasive_2 = 1.0\n[vague]\nthresholds = [0.5, 1.5]\n[vague.weights]\n\
        rule_vague_1 = 1.0\nrule_vague_2 = 1.0\n";
    // "收悉" is in the receipt formula, not the content: its weight never counts. (The phrase
    // moves evasive, and vague with it: a reply dodging the core question is at least mixed,
    // though the reply's date keeps the rules' vague 0 in `model::rubric_overrides`.)
    let phrases = Phrases::from_tsv_str("巡查\t1.0\t0.0\n收悉\t5.0\t5.0\n").unwrap();
    let levels = LevelModel::from_toml_str(RULES_LEVELS).unwrap().with_phrases(phrases);
    let scorer = Scorer::default().with_level_model(levels);
    let (subject, body) = STREET_LIGHT.split_once('|').unwrap();
    let reply = "您的留言已收悉。经查，融科东南海小区门口3盏路灯因电缆被盗损坏。A5区城管局已于2019年5月3日更换电缆，\
                 路灯已恢复照明。下一步将加强巡查。";
    let score = scorer.score(subject, body, reply);
    assert_eq!((score.evasive_level, score.vague_level), (1, 1));
    let without = scorer.score(subject, body, &reply.replace("下一步将加强巡查。", ""));
    assert_eq!((without.evasive_level, without.vague_level), (0, 0));
}

#[test]
fn a_long_polite_reply_with_no_content_is_vague() {
    check(
        STREET_LIGHT,
        "网友“UU0082081”　　你好！您的留言已收悉。现将有关情况回复如下：感谢您对我们工作的关心、监督与支持。\
         欢迎您一如既往地关注和支持我们的工作，多提宝贵意见和建议。祝您生活愉快！A7县城市管理和行政执法局　2013年7月25日",
        expect(2, 2, ReplyType::AcknowledgementOnly),
    );
}

#[test]
fn a_yes_no_question_answered_for_the_case_is_substantive() {
    check(
        "咨询二套房购买资格|我在A市落户8年，首套房产权证满4年，请问能否购买二套房？",
        "您在A市落户已满8年，并且首套房产权证已满4年，作为A市户籍家庭具备购买二套房资格。",
        expect(0, 0, ReplyType::Substantive),
    );
}

#[test]
fn a_reply_about_something_else_is_off_topic() {
    check(
        STREET_LIGHT,
        "关于城乡居民基本医疗保险缴费问题，参保人员按年度缴纳保费，个人缴费标准为每人每年220元，\
         财政补助标准为每人每年520元。参保人员可在乡镇人社服务站、村社区服务点或者通过手机银行、\
         微信公众号缴费。住院费用按医院等级分档报销，一级医院报销比例为百分之九十，二级医院报销\
         比例为百分之八十，三级医院报销比例为百分之六十五。门诊慢特病患者须提交病历资料经专家鉴定\
         后方可享受待遇，异地就医应事先办理备案登记手续，未备案的按规定降低报销比例。",
        Expect { evidence: &[(SignalKind::OffTopic, "医疗保险")], ..expect(2, 2, ReplyType::OffTopic) },
    );
}

#[test]
fn a_reply_whose_post_is_not_there_is_not_off_topic() {
    // A replies file ingested before its posts: the reply is judged without a post until the
    // post arrives. Its facts stay facts; nothing says they are about something else.
    let score =
        scorer().score("", "", "经核实，该工地已于6月3日停止夜间施工，城管执法大队对施工单位罚款2万元，并责令其整改。");
    assert_ne!(score.reply_type, ReplyType::OffTopic);
    assert_eq!(score.evasive_level, 0, "{score:?}");
}

const METRO_LINE: &str = "建议地铁7号线东延|建议将规划中的7号线东延至榔梨，串联松雅湖、县人民医院和榔梨工业园。";

#[test]
fn a_will_consider_template_puts_the_request_off() {
    check(
        METRO_LINE,
        "网友“UU0082142”您好！您的留言已收悉。现将有关情况回复如下：目前我局正在编制《A市轨道交通线网规划修编规划》，\
         对于您的意见和建议，我局将充分论证研究。感谢您对我们工作的支持、理解与监督！2017年11月6日",
        expect(1, 2, ReplyType::GenericPolicy),
    );
    check(
        METRO_LINE,
        "您好！您的建议已收集，在下一轮线网优化调整时，我局将认真考虑，科学制定方案。",
        expect(1, 2, ReplyType::GenericPolicy),
    );
}

#[test]
fn a_decision_with_its_date_is_not_put_off() {
    check(
        METRO_LINE,
        "经研究，7号线东延段已纳入《A市轨道交通线网规划修编（2016—2030）》，经松雅湖至榔梨设站4座，\
         预计2021年开工。我局将充分论证研究其余站点设置。",
        expect(0, 0, ReplyType::Substantive),
    );
}

const BROKEN_ROAD: &str = "道路破损|我们村通往镇上的道路破损严重，坑洼积水，请求尽快修缮。";

#[test]
fn only_promises_with_nothing_found_or_done_puts_it_off() {
    check(
        BROKEN_ROAD,
        "网友您好！针对您反映的问题，街道高度重视，正与县城建投积极对接，将尽快安排修缮该路段，\
         切实方便群众出行，感谢您的监督。",
        expect(1, 2, ReplyType::GenericPolicy),
    );
    check(
        STREET_LIGHT,
        "您好！您反映的曲塘路融科东南海小区门口路灯问题，A5区城管局将加强对该路段路灯的巡查维护，\
         切实保障夜间照明。",
        expect(1, 1, ReplyType::Partial),
    );
}

#[test]
fn a_finding_with_a_promise_after_it_engages() {
    check(
        BROKEN_ROAD,
        "经查，该路段长约650米，因重车碾压破损，已于5月8日完成坑洼填补，积水已排除，下一步将定期巡查。",
        expect(0, 0, ReplyType::Substantive),
    );
}

const LOAN_TRANSFER: &str = "咨询商业贷款转公积金贷款|我在外地缴存公积金，请问能否在A市办理商业贷款转公积金贷款？";

#[test]
fn a_short_clear_no_is_specific() {
    check(
        LOAN_TRANSFER,
        "网友您好！目前，A市住房公积金管理中心不支持非本中心的缴存人以及异地商业银行贷款申请办理商转公业务。\
         感谢您对我们工作的支持、理解与监督！",
        expect(0, 0, ReplyType::Substantive),
    );
}

#[test]
fn a_short_reply_that_only_promises_is_not_clear() {
    check(
        LOAN_TRANSFER,
        "网友您好！关于商转公业务，我中心将进一步研究，适时出台相关办法。",
        expect(1, 2, ReplyType::GenericPolicy),
    );
}

const FIRE_HAZARD: &str = "培训班无消防设备|双岗社区一私人培训班没有任何消防设备，存在安全隐患，请尽快查处。";

#[test]
fn sent_to_a_named_office_when_asked_to_act_is_level_2() {
    check(
        FIRE_HAZARD,
        "网友您好，您反映的双岗社区私人培训班的问题，属G市经济开发区管理，建议您直接向经开区管委会进行咨询。",
        expect(2, 2, ReplyType::Deflection),
    );
}

#[test]
fn sent_to_a_named_office_when_asking_for_information_is_level_1() {
    check(
        "档案去向|我的档案去年从学校寄出，请问档案现在在哪个单位？是否已到就业办？",
        "你好，毕业生档案由K市教育局就业办统一接收管理，建议你直接致电0000-00000000咨询档案接收情况。",
        expect(1, 2, ReplyType::Deflection),
    );
}

#[test]
fn not_our_remit_is_level_2_even_when_it_names_where_to_go() {
    check(
        "购买的手机有质量问题|在K9县某手机店购买的手机一周就坏了，店家不给退换，请问这合法吗？",
        "您好，您反映的消费纠纷不属于我局管辖范围，建议您向县消费者协会投诉或通过司法途径解决。",
        expect(2, 2, ReplyType::Deflection),
    );
}

#[test]
fn rules_applied_with_the_case_facts_are_not_a_rule_quote() {
    check(
        "儿子参保问题|我儿子江背镇非农户口，目前待业，请问能否参加居民医保？",
        "根据《A市城乡居民基本医疗保险办法》规定，符合条件的城乡居民均可参保。经核实，您的儿子系江背镇非农户口，\
         目前待业，符合居民医保参保条件，可于2019年12月31日前携带户口簿到江背镇社保站办理，\
         个人缴费标准为每人每年220元，也可按灵活就业人员标准参加职工医保。",
        expect(0, 0, ReplyType::Substantive),
    );
}

#[test]
fn a_yes_under_a_condition_the_reply_does_not_check_answers_nobody() {
    // the rubric: a general rule quoted to the citizen's yes/no question about their own case is
    // evasive 2, unless the reply applies it to the case
    const OWN_CASE: &str = "孩子入学咨询|我在F市务工三年，没有房产和户口，请问孩子明年能否在F市就近入学？";
    check(
        OWN_CASE,
        "您好！如符合以下条件，可以在F市就近入学：1、父母一方在F市务工满一年；2、在F市有合法稳定住所。",
        expect(2, 2, ReplyType::GenericPolicy),
    );
    check(
        OWN_CASE,
        "您好！您在F市务工满三年，符合随迁子女入学条件，可以在F市就近入学，请于6月1日前到居住地所在学区报名。",
        expect(0, 0, ReplyType::Substantive),
    );
}

#[test]
fn a_rule_explained_with_what_was_found_in_the_case_is_part_of_an_answer() {
    const ENROLMENT: &str =
        "咨询B2区孩子就学问题|在B2区孩子上学到底是按片区还是按成绩？每年都统计户口、居住地和水电费发票，最后怎么定？";
    let rule = "您好！根据《义务教育法》的规定：“适龄儿童少年在户籍所在地免试就近入学”。B2区每年招生时，\
                教育局组织相关股室对城区适龄儿童少年的户口、房产信息进行登记核查，家长签字，学校公示，\
                然后根据学生的户籍和住址按照相对就近划片入学的原则安排学生入学";
    // the rule and how it is applied in general: not this citizen's question
    check(ENROLMENT, &format!("{rule}。谢谢您的支持！"), expect(2, 1, ReplyType::GenericPolicy));
    // with what the unit found — no choice of school, no admission by marks — it answers the
    // question asked (real reply 98798, all three readers: evasive 0)
    let (subject, body) = ENROLMENT.split_once('|').expect("subject|body");
    let score = scorer().score(subject, body, &format!("{rule}，不存在“择校”，也从没按分数录取学生。谢谢您的支持！"));
    assert!(score.evasive_level < 2, "{score:?}");
}

#[test]
fn a_rule_explained_with_the_yes_or_no_asked_for_is_part_of_an_answer() {
    // after real reply 19109 (every tuning reader: evasive 0): the post asks whether a fee is
    // lawful and whether a licence is needed; the reply quotes the pricing rules and says no
    // licence is needed
    const PARKING_FEE: &str = "咨询小区物业收取电动车停车费符合法规吗？|咨询家和院小区物业收取电动车停车费符合法规吗？\
                               有没有收费许可证和停车许可证？";
    let (subject, body) = PARKING_FEE.split_once('|').expect("subject|body");
    let reply = "您好！根据《西地省机动车停放服务收费管理办法》的规定，住宅小区停车服务收费实行市场调节价，\
                 “已成立业主委员会的住宅小区停车服务收费由业主大会决定，未成立业主委员会的住宅小区停车服务收费\
                 由停车服务管理方与入住业主参照本办法协商决定或在物业合同中约定。”住宅小区停车收费无需办理收费证照，\
                 但须将收费标准做好收费公示。";
    let score = scorer().score(subject, body, reply);
    assert!(score.evasive_level < 2, "{score:?}");
    // the same rules without the no: the rule explained, the question left
    let rules_only = reply.replace("住宅小区停车收费无需办理收费证照，但须将收费标准做好收费公示。", "");
    assert_eq!(scorer().score(subject, body, &rules_only).evasive_level, 2);
}

#[test]
fn what_came_of_it_is_an_outcome() {
    // where the project stands — "已初步列入…规划", not yet in the national plan — is a finding,
    // beside the promises to follow it (after real reply 104838, its readers: evasive 0, vague 1)
    let post = "请求尽快建成东江—枫林客运铁路|东江市市长在两会上提出尽快立项修建东江至枫林的客运铁路，\
                这是难得的好时机，请市委市政府立即响应，共同把这条铁路加快建设好。";
    let (subject, body) = post.split_once('|').expect("subject|body");
    let reply = "您好！您的问题已收悉，现回复如下：东江至枫林铁路最早由东江市提出，得到了沿线相关省市的响应，\
                 已初步列入《江岭合作试验区发展规划》。但目前国家层面还未纳入铁路中长期建设规划，也未正式开展前期工作。\
                 铁路规划建设的决定权在国家，省、市只有建议权。我们将密切关注国家和省里铁路建设工作的最新动态，\
                 主动与相关省、市进行沟通衔接，共同向国家铁路主管部门汇报呼吁，争取该铁路进入国家铁路建设规划。";
    let score = scorer().score(subject, body, reply);
    assert!(score.vague_level < 2, "{score:?}");
}

#[test]
fn evidence_serializes_with_character_offsets() {
    let score = scorer().score("", "", "您好！已转相关部门调查处理。");
    let json = serde_json::to_string(&score.evidence).unwrap();
    assert_eq!(json, r#"[{"kind":"forwarded_unnamed","text":"已转相关部门调查处理。","start":3,"end":14}]"#);
    let post = scorer().score("", "能否修好路灯？", "你好,你可以就近选择。");
    let in_post = post.evidence.iter().find(|e| e.in_post).expect("an unanswered question in the post");
    assert!(serde_json::to_string(in_post).unwrap().ends_with(r#""in":"post"}"#));
}

#[test]
fn scorer_is_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Scorer>();
}

#[test]
fn asking_a_kind_of_office_to_be_consulted_is_deflection() {
    check(STREET_LIGHT, "您好！此问题请咨询相关职能部门。", expect(2, 2, ReplyType::Deflection));
}

#[test]
fn handing_over_to_relevant_departments_is_an_unnamed_forward() {
    check(
        STREET_LIGHT,
        "网友您好！您的来帖我局收悉后，立即交办相关部门调查处理，调查处理情况及时反馈与您。",
        Expect {
            evidence: &[(SignalKind::ForwardedUnnamed, "交办相关部门")], ..expect(2, 2, ReplyType::Forwarded)
        },
    );
}

#[test]
fn a_demand_the_reply_skips_is_shown_from_the_post() {
    let post = "东门路灯坏了三个月，晚上出行不安全。请问什么时候能修好东门路灯？能否在东门加装监控探头？";
    let score = scorer().score("东门路灯和监控", post, "您好！我局将加强巡查，尽快修复东门路灯。");
    assert!(score.evasive_level >= 1, "{score:?}");
    let open: Vec<&str> = score.evidence.iter().filter(|e| e.in_post).map(|e| e.text.as_str()).collect();
    // the skipped demand first, then the question whose "when" the promise leaves open; the
    // story around them is not quoted
    assert!(open.first().is_some_and(|t| t.contains("监控探头")), "{open:?}");
    assert!(open.iter().any(|t| t.starts_with("请问什么时候能修好")), "{open:?}");
    assert!(!open.iter().any(|t| t.contains("坏了三个月")), "{open:?}");
}
