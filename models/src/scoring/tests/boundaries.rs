//! Where one level ends and the next begins (scorer version 5): a fact is counted once, an
//! answer that waits on something is not given yet, a pointer or a courtesy formula is no
//! content, a deflection holds no fact of the post, and a long post answered with hardly a date
//! or a figure is answered in part. Each one way and the other.

use super::*;

const TALENT_POLICY: &str =
    "咨询G市人才政策问题|2018年招聘时承诺有人才优惠政策，为何现在只认2019年2月以后引进的人才？请给个合理的解释。";

#[test]
fn a_full_date_is_one_fact_not_three() {
    // "2019年2月27日" once matched as a date, as a day ("2月27日") and as years ("2019年"): three
    // facts made this put-off reply specific
    check(
        TALENT_POLICY,
        "网友：您好！留言已收悉，现回复如下：2019年2月27日前的人才引进政策，人才办将在下一步研究后确定。",
        Expect {
            evidence: &[(SignalKind::UnansweredQuestion, "为何现在只认")], ..expect(1, 1, ReplyType::Partial)
        },
    );
    // three dates of three things done are three facts
    check(
        TALENT_POLICY,
        "网友：您好！经查，2019年2月27日市委人才办印发新政，2019年3月5日起受理2018年引进人才的补贴申报，\
         2019年4月30日前发放到位，因为2018年引进的人才同样适用。",
        expect(0, 0, ReplyType::Substantive),
    );
}

const SECOND_CHILD: &str =
    "咨询二胎政策|我与妻子都是农村户口，妻子再婚前生育过一个女儿，请问我们是否符合再生育一个小孩的政策？";

#[test]
fn an_answer_that_waits_on_a_rule_not_yet_made_is_put_off() {
    check(
        SECOND_CHILD,
        "网友：你好！关于你们再生育一个小孩的问题，只有《条例》修订出台后才能明确，希望你谅解！",
        expect(1, 2, ReplyType::GenericPolicy),
    );
    check(
        SECOND_CHILD,
        "网友：你好！经核实，你妻子再婚前生育的女儿由前夫抚养，按《西地省人口与计划生育条例》第十八条，\
         你夫妻符合再生育一个子女的条件，可到户籍所在地乡镇计生办登记。",
        expect(0, 0, ReplyType::Substantive),
    );
}

const METRO_STATION: &str =
    "请求在榔梨街道增加一个地铁口|请在六号线或者八号线的规划中，在榔梨磁悬浮一带增加一个地铁站。";

#[test]
fn sent_to_ask_a_named_office_when_asked_to_act_is_deflection() {
    // "建议您咨询…公司" has no second verb after the office ("向…咨询" had)
    check(
        METRO_STATION,
        "网友您好！来信收悉。现回复如下：我局只负责协调地铁3、4、5号线前期及拆迁工作，您咨询的问题涉及到\
         地铁规划问题，建议您咨询市轨道集团公司。2017年9月28日",
        Expect {
            evidence: &[(SignalKind::Deflection, "建议您咨询市轨道集团")], ..expect(2, 2, ReplyType::Deflection)
        },
    );
    // after the answer it is a pointer for more, not a deflection
    check(
        METRO_STATION,
        "网友您好！经研究，八号线规划已在榔梨磁悬浮站旁预留一个地铁站，预计2022年开工。\
         线路详情建议您咨询市轨道集团公司。",
        expect(0, 0, ReplyType::Substantive),
    );
}

const COLLEGE_HOLIDAY: &str = "投诉K市职业技术学院中秋节不放假|学院中秋节不放假，还要求学生补课，请教育局管一管。";

#[test]
fn a_deflection_with_nothing_else_is_entirely_generic() {
    // the only facts are the office it sends the citizen to: vague 2, as the rubric's anchoring deflection
    check(
        COLLEGE_HOLIDAY,
        "您好！因K市职业技术学院不归我局管辖，建议您直接向K市职业技术学院反映相关情况。",
        Expect { evidence: &[(SignalKind::Deflection, "不归我局管")], ..expect(2, 2, ReplyType::Deflection) },
    );
    // after what was found and done, the pointer for the rest takes nothing from those facts
    check(
        COLLEGE_HOLIDAY,
        "您好！经查，该学院中秋节安排补课属实，我局已责令学院于9月25日补放一天假。其他事宜建议您直接向\
         K市职业技术学院反映。",
        expect(0, 0, ReplyType::Substantive),
    );
}

const ROAD_TO_TOWN: &str = "盼望何冬公路能够引起领导重视|一条宽达5米的水泥公路正在施工，望书记大人关心为盼。";

#[test]
fn asking_for_continued_support_is_courtesy() {
    check(
        ROAD_TO_TOWN,
        "网友你好！感谢你对K5县建设的关注关心，希望你一如既往的支持K5县的发展，多提好的意见和建议。K5县网管办2012年8月22日",
        expect(2, 2, ReplyType::AcknowledgementOnly),
    );
    // what follows the courtesy in the same sentence is still read
    check(
        ROAD_TO_TOWN,
        "网友你好！希望你继续关注，何冬公路已列入今年的县道改造计划，总投资860万元，2019年10月底前建成通车。",
        expect(0, 0, ReplyType::Substantive),
    );
}

#[test]
fn a_closing_offer_if_convenient_is_courtesy() {
    let exam = "小升初分班考试的咨询|请问A7县今年小升初什么时候进行分班考试？";
    check(
        exam,
        "网友您好！来信收悉。现回复如下：根据A市教育局有关文件规定，一般在8月20日安排所有初一新生进行分班考试。\
         如果方便的话，请您与教育局办公室联系（电话0000-00000000），我们非常乐意听取您的意见和建议。",
        expect(0, 0, ReplyType::Substantive),
    );
    check(
        exam,
        "网友您好！如果方便的话，请您与教育局办公室联系（电话0000-00000000）。",
        expect(2, 2, ReplyType::AcknowledgementOnly),
    );
}

#[test]
fn neng_alone_is_no_answer() {
    // "功能" and "可能" hold 能, which once counted as a yes or no
    let post = "小区东门能否加装路灯|小区东门一带晚上一片漆黑，请问能否在东门加装两盏路灯？";
    check(
        post,
        "您好！路灯的照明功能关系到群众出行，我们将加强管理，可能的话尽快研究。",
        expect(1, 2, ReplyType::GenericPolicy),
    );
    check(
        post,
        "您好！经现场查看，东门不能加装路灯：该处地下有燃气管道，已改为在围墙上安装4盏壁灯。",
        expect(0, 0, ReplyType::Substantive),
    );
}

/// A post of more than 500 characters: several points, names and a story.
fn long_post() -> String {
    let points = [
        "一、小区物业擅自把消防通道两边装上卷闸门出租，消防车根本进不来，业主多次投诉无人理会。",
        "二、物业私自出售小区地下车库车位，开张收据签个字就成交，卖车位的钱去向不明。",
        "三、物业撕掉业主捐款公示榜，拒绝公开公共收益账目，业主要求查账被保安推搡。",
        "四、小区电梯经常停运，维修基金使用情况从未公示，业主多次要求公开无人理睬。",
        "五、物业合同早已到期，业委会与物业没有续签合同，物业却继续收费。",
    ];
    let mut body = String::from("我是景香苑小区的业主，小区物业问题由来已久，现将情况反映如下：");
    for _ in 0..3 {
        for p in points {
            body.push_str(p);
        }
    }
    body.push_str("请求有关部门彻底解决小区物业问题，给业主一个说法！");
    assert!(body.chars().count() > 500);
    format!("请求解决景香苑小区物管纠纷|{body}")
}

#[test]
fn a_long_post_answered_without_dates_or_figures_is_answered_in_part() {
    let post = long_post();
    check(
        &post,
        "网友您好！您反映的问题已收悉。经调查，景香苑小区物业服务公司的服务合同已经到期，业委会正在组织选聘\
         新的物业服务企业，在新物业选聘出来之前，原物业继续履行服务义务。街道和社区工作人员多次上门协调，\
         督促物业公司规范服务，理清公共收益账目，并对消防通道进行了清理。",
        expect(1, 1, ReplyType::Partial),
    );
    // the same reply with the dates and figures of what was done answers it
    check(
        &post,
        "网友您好！您反映的问题已收悉。经调查，景香苑小区物业服务合同已于2016年11月30日到期，业委会正在选聘\
         新的物业服务企业，定于2017年5月20日召开业主大会表决。消防通道两侧的12间卷闸门已于4月18日全部拆除，\
         物业出售的36个车位已责令退款，2016年公共收益8.6万元的账目已在小区公示栏公示。",
        expect(0, 0, ReplyType::Substantive),
    );
}

#[test]
fn a_short_post_answered_without_figures_is_not_answered_in_part_for_its_length() {
    check(
        "物业乱收费|景香苑小区物业私自出售地下车位，请有关部门查处。",
        "网友您好！经调查，景香苑小区物业出售地下车位的行为属实，区住建局已责令物业停止出售并退还购房款，\
         并对物业公司立案查处。",
        expect(0, 0, ReplyType::Substantive),
    );
}
