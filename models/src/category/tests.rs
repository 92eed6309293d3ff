//! The classifier as a whole: training, prediction, explanation, the model file.

use super::*;

/// A tiny labelled set: four posts of each of three categories.
const POSTS: &[(&str, &str)] = &[
    ("教育文体", "孩子上学难，学校学位不够，希望教育局增加学位"),
    ("教育文体", "学校乱收补课费，老师强制学生参加补课"),
    ("教育文体", "幼儿园收费太高，孩子入园难"),
    ("教育文体", "中学教师工资待遇问题，学校拖欠绩效"),
    ("交通运输", "公交车班次太少，等车时间太长，希望增加公交线路"),
    ("交通运输", "出租车拒载绕路，司机态度恶劣"),
    ("交通运输", "道路拥堵严重，建议优化红绿灯和公交站点"),
    ("交通运输", "驾驶证年审流程复杂，车管所排队太久"),
    ("环境保护", "工厂夜间偷排废气，空气污染严重，气味刺鼻"),
    ("环境保护", "河道污水直排，水质发黑发臭，污染环境"),
    ("环境保护", "工地噪音扰民，夜间施工噪声很大"),
    ("环境保护", "垃圾焚烧厂废气污染，附近居民担心健康"),
];

fn examples() -> Vec<Example<'static>> {
    POSTS.iter().map(|(category, text)| Example { document: Document::Raw(text), category }).collect()
}

fn small_options() -> TrainOptions {
    TrainOptions {
        features: FeatureConfig { min_df: 1, ..FeatureConfig::default() },
        solver: SolverOptions { epochs: 30, ..SolverOptions::default() },
        calibration_share: 0.0,
        ..TrainOptions::default()
    }
}

fn check(model: &CategoryModel, text: &str, expected: &str) {
    let prediction = model.predict(Document::Raw(text));
    assert_eq!(prediction.category, expected, "{text}: {prediction:?}");
    assert!(prediction.probability > 1.0 / 3.0 && prediction.probability <= 1.0, "{prediction:?}");
}

#[test]
fn a_tiny_labelled_set_trains_and_predicts_deterministically() {
    let model = CategoryModel::train(&examples(), &small_options()).unwrap();
    assert_eq!(model.classes, ["交通运输", "教育文体", "环境保护"]);
    check(&model, "学校补课收费", "教育文体");
    check(&model, "公交线路太少，等车太久", "交通运输");
    check(&model, "夜间噪音污染扰民", "环境保护");
    // Segmented text reads like raw text.
    assert_eq!(model.predict(Document::Segmented("公交 线路 太少")).category, "交通运输");
    let again = CategoryModel::train(&examples(), &small_options()).unwrap();
    assert_eq!(model.to_bytes(), again.to_bytes(), "the same examples give the same model file");
}

#[test]
fn the_svm_alone_or_blended_with_logistic_regression_learns_the_tiny_set() {
    for logistic_weight in [0.0, 0.5, 1.0] {
        let options = TrainOptions { logistic_weight, ..small_options() };
        let model = CategoryModel::train(&examples(), &options).unwrap();
        check(&model, "学校补课收费", "教育文体");
        check(&model, "公交线路太少，等车太久", "交通运输");
        check(&model, "夜间噪音污染扰民", "环境保护");
    }
}

#[test]
fn probabilities_sum_to_one() {
    let model = CategoryModel::train(&examples(), &small_options()).unwrap();
    let p = model.probabilities(Document::Raw("学校噪音"));
    assert_eq!(p.len(), 3);
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-5, "{p:?}");
}

#[test]
fn explanation_words_come_from_the_text() {
    let model = CategoryModel::train(&examples(), &small_options()).unwrap();
    for text in ["学校乱收补课费，老师强制学生参加补课", "希望增加公交线路，等车太久", "工厂废气污染"]
    {
        let prediction = model.predict(Document::Raw(text));
        assert!(!prediction.top_words.is_empty(), "{text}: {prediction:?}");
        assert!(prediction.top_words.len() <= TOP_WORDS);
        for word in &prediction.top_words {
            assert!(text.contains(word.as_str()), "{word:?} is not in {text:?}");
        }
    }
    assert!(model.predict(Document::Raw("火星探测")).top_words.is_empty(), "unknown words explain nothing");
}

#[test]
fn a_model_reads_back_what_it_wrote() {
    let model = CategoryModel::train(&examples(), &small_options()).unwrap();
    let bytes = model.to_bytes();
    let read = CategoryModel::from_bytes(&bytes).unwrap();
    assert_eq!(read.classes, model.classes);
    assert_eq!(read.features(), model.features());
    for (_, text) in POSTS {
        assert_eq!(read.predict(Document::Raw(text)), model.predict(Document::Raw(text)), "{text}");
    }
    assert_eq!(read.to_bytes(), bytes);
}

#[test]
fn other_files_old_formats_and_damage_are_refused_clearly() {
    let bytes = CategoryModel::train(&examples(), &small_options()).unwrap().to_bytes();
    let refused = |bytes: &[u8]| CategoryModel::from_bytes(bytes).unwrap_err();

    assert_eq!(refused(b"post_id,category\n1,x\n"), ModelFormatError::NotAModel);
    assert_eq!(refused(b""), ModelFormatError::NotAModel);

    let mut old = bytes.clone();
    old[8..10].copy_from_slice(&0u16.to_le_bytes());
    let error = refused(&old);
    assert_eq!(error, ModelFormatError::Version { found: 0 });
    assert_eq!(
        error.to_string(),
        format!("is format v0, this wenzheng reads v{FORMAT_VERSION}: retrain with `wenzheng category train`")
    );

    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    assert_eq!(refused(&flipped), ModelFormatError::Damaged("checksum mismatch".into()));
    assert!(refused(&flipped).to_string().contains("retrain with `wenzheng category train`"));

    let truncated = &bytes[..bytes.len() - 100];
    assert!(matches!(refused(truncated), ModelFormatError::Damaged(_)));
}

#[test]
fn training_needs_two_categories() {
    let one = [Example { document: Document::Raw("学校"), category: "教育文体" }];
    assert_eq!(CategoryModel::train(&one, &small_options()).unwrap_err(), TrainError::OneCategory("教育文体".into()));
    assert_eq!(CategoryModel::train(&[], &small_options()).unwrap_err(), TrainError::NoExamples);
}

#[test]
fn splits_are_fixed_by_the_text_and_independent() {
    // The same text (white space aside) is always on the same side.
    assert_eq!(in_test_split("公交 线路", 20), in_test_split("公交线路", 20));
    let texts: Vec<String> = (0..10_000).map(|i| format!("留言{i}")).collect();
    let test = texts.iter().filter(|t| in_test_split(t, 20)).count();
    let validation = texts.iter().filter(|t| in_validation_split(t, 20)).count();
    let both = texts.iter().filter(|t| in_test_split(t, 20) && in_validation_split(t, 20)).count();
    assert!((1800..2200).contains(&test), "{test}");
    assert!((1800..2200).contains(&validation), "{validation}");
    // Independent: about 20% of 20%.
    assert!((300..500).contains(&both), "{both}");
}
