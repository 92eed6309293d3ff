//! A linear model over sparse TF-IDF vectors — one linear SVM per category (squared hinge,
//! one against the rest) over Naive-Bayes-scaled features, or a multinomial logistic
//! regression — trained by per-example stochastic gradient descent with AdaGrad step sizes,
//! and the temperature that calibrates its probabilities (a softmax of the scores).
//!
//! Deterministic by construction: the example order of each epoch comes from a fixed-seed
//! generator, and everything runs on one thread in a fixed order, so the same examples and
//! options give the same weights bit for bit (and the same model file).

use super::features::SparseVector;

/// How the weights are learnt.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SolverOptions {
    /// What a wrong (or barely right) score costs.
    pub loss: Loss,
    /// Passes over the training examples.
    pub epochs: usize,
    /// AdaGrad's base step.
    pub learning_rate: f32,
    /// L2 penalty, applied to the weights an example touches.
    pub l2: f32,
    /// Naive-Bayes scaling (NBSVM, Wang & Manning 2012): every feature is scaled, per
    /// category, by the log-ratio of its share of the TF-IDF mass inside the category and
    /// outside it, both smoothed by adding this much (0: no scaling). The penalty then
    /// favours the features that Naive Bayes already finds telling.
    pub nb_smoothing: f32,
    /// NBSVM's interpolation β (Wang & Manning): each category's weights, learnt on the
    /// scaled features, become `β·w + (1 − β)·mean|w|`, i.e. part of the way back to Naive
    /// Bayes itself (1: no interpolation).
    pub nb_interpolation: f32,
    pub seed: u64,
}

/// The loss minimised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Loss {
    /// Multinomial logistic regression: cross-entropy of the softmax of the scores.
    Softmax,
    /// One linear SVM per category against all the others (squared hinge: a score must be
    /// ≥ 1 for its category and ≤ −1 for the others).
    OneVsRestSquaredHinge,
}

impl Default for SolverOptions {
    /// Chosen by 5-fold cross-validation on the training part of the labelled set
    /// (`pipeline/examples/category_tune.rs`, README "Post categories").
    fn default() -> Self {
        SolverOptions {
            loss: Loss::OneVsRestSquaredHinge,
            epochs: 8,
            learning_rate: 0.05,
            l2: 1e-5,
            nb_smoothing: 0.03,
            nb_interpolation: 1.0,
            seed: 20200101,
        }
    }
}

/// Weights of a linear model, feature-major: `w[feature * classes + class]`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearWeights {
    pub classes: usize,
    pub w: Vec<f32>,
    pub bias: Vec<f32>,
}

impl LinearWeights {
    /// One score per class (before the softmax).
    pub fn logits(&self, x: &SparseVector) -> Vec<f32> {
        let mut logits = self.bias.clone();
        for &(j, value) in x {
            let row = &self.w[j as usize * self.classes..(j as usize + 1) * self.classes];
            for (l, w) in logits.iter_mut().zip(row) {
                *l += value * w;
            }
        }
        logits
    }
}

/// Softmax of `logits / temperature`, in place.
pub fn softmax(logits: &mut [f32], temperature: f32) {
    let max = logits.iter().fold(f32::NEG_INFINITY, |m, l| m.max(*l));
    let mut sum = 0.0;
    for l in logits.iter_mut() {
        *l = ((*l - max) / temperature).exp();
        sum += *l;
    }
    for l in logits.iter_mut() {
        *l /= sum;
    }
}

/// Learns the weights of `classes` classes from examples `xs` labelled `ys`.
pub fn fit(
    xs: &[SparseVector],
    ys: &[usize],
    features: usize,
    classes: usize,
    options: &SolverOptions,
) -> LinearWeights {
    // Trained on scaled features x_j·r_jc, so the weights learnt are v_jc and the model's
    // weights are w_jc = v_jc·r_jc (all r = 1 without Naive-Bayes scaling).
    let ratio = nb_ratios(xs, ys, features, classes, options.nb_smoothing);
    let mut model = LinearWeights { classes, w: vec![0.0; features * classes], bias: vec![0.0; classes] };
    // AdaGrad's sums of squared gradients, one per weight.
    let mut g2 = vec![1e-6f32; features * classes];
    let mut g2_bias = vec![1e-6f32; classes];
    let mut order: Vec<usize> = (0..xs.len()).collect();
    let mut rng = SplitMix64(options.seed);
    let eta = options.learning_rate;
    let mut grad = vec![0f32; classes];
    for _ in 0..options.epochs {
        shuffle(&mut order, &mut rng);
        for &i in &order {
            let x = &xs[i];
            let scores = scaled_logits(&model, &ratio, x);
            loss_gradient(options.loss, &scores, ys[i], &mut grad);
            for &(j, value) in x {
                let row = j as usize * classes..(j as usize + 1) * classes;
                for (((v, g2), g), r) in
                    model.w[row.clone()].iter_mut().zip(&mut g2[row.clone()]).zip(&grad).zip(&ratio[row])
                {
                    let grad = g * (value * r) + options.l2 * *v;
                    if grad != 0.0 {
                        *g2 += grad * grad;
                        *v -= eta * grad / g2.sqrt();
                    }
                }
            }
            for ((b, g2), g) in model.bias.iter_mut().zip(&mut g2_bias).zip(&grad) {
                *g2 += g * g;
                *b -= eta * g / g2.sqrt();
            }
        }
    }
    let beta = options.nb_interpolation;
    if options.nb_smoothing > 0.0 && beta < 1.0 {
        for c in 0..classes {
            let mean_abs = (0..features).map(|j| model.w[j * classes + c].abs()).sum::<f32>() / features.max(1) as f32;
            for j in 0..features {
                let v = &mut model.w[j * classes + c];
                *v = beta * *v + (1.0 - beta) * mean_abs;
            }
        }
    }
    for (w, r) in model.w.iter_mut().zip(&ratio) {
        *w *= r;
    }
    model
}

/// The gradient of `loss` in the scores of one example of class `y`, into `grad`.
fn loss_gradient(loss: Loss, scores: &[f32], y: usize, grad: &mut [f32]) {
    match loss {
        Loss::Softmax => {
            // Cross-entropy: p − onehot(y).
            grad.copy_from_slice(scores);
            softmax(grad, 1.0);
            grad[y] -= 1.0;
        }
        Loss::OneVsRestSquaredHinge => {
            // max(0, 1 − t·s)² with t = +1 for the example's class, −1 for the others.
            for (c, (g, s)) in grad.iter_mut().zip(scores).enumerate() {
                let target = if c == y { 1.0 } else { -1.0 };
                *g = -2.0 * target * (1.0 - target * s).max(0.0);
            }
        }
    }
}

/// Scores with every feature scaled per class by `ratio` (`ratio[feature * classes + class]`).
fn scaled_logits(model: &LinearWeights, ratio: &[f32], x: &SparseVector) -> Vec<f32> {
    let classes = model.classes;
    let mut logits = model.bias.clone();
    for &(j, value) in x {
        let row = j as usize * classes..(j as usize + 1) * classes;
        for ((l, v), r) in logits.iter_mut().zip(&model.w[row.clone()]).zip(&ratio[row]) {
            *l += value * v * r;
        }
    }
    logits
}

/// Naive-Bayes log-count ratios `r[feature * classes + class]` (see
/// [`SolverOptions::nb_smoothing`]); all 1 when the smoothing is 0.
pub fn nb_ratios(xs: &[SparseVector], ys: &[usize], features: usize, classes: usize, alpha: f32) -> Vec<f32> {
    if alpha <= 0.0 {
        return vec![1.0; features * classes];
    }
    let mut in_class = vec![0f64; features * classes];
    let mut total = vec![0f64; features];
    for (x, &y) in xs.iter().zip(ys) {
        for &(j, value) in x {
            in_class[j as usize * classes + y] += value as f64;
            total[j as usize] += value as f64;
        }
    }
    let alpha = alpha as f64;
    let class_sums: Vec<f64> =
        (0..classes).map(|c| (0..features).map(|j| in_class[j * classes + c] + alpha).sum()).collect();
    let all: f64 = total.iter().map(|t| t + alpha).sum();
    let mut ratio = vec![0f32; features * classes];
    for j in 0..features {
        for c in 0..classes {
            let p = (in_class[j * classes + c] + alpha) / class_sums[c];
            let q = (total[j] - in_class[j * classes + c] + alpha) / (all - class_sums[c] + features as f64 * alpha);
            ratio[j * classes + c] = (p / q).ln() as f32;
        }
    }
    ratio
}

/// The temperature that minimises the negative log-likelihood of `ys` given `logits`
/// (golden-section search on ln T in [-3, 3]): > 1 softens over-confident probabilities.
pub fn fit_temperature(logits: &[Vec<f32>], ys: &[usize]) -> f32 {
    if logits.is_empty() {
        return 1.0;
    }
    let nll = |log_t: f64| -> f64 {
        let t = log_t.exp() as f32;
        logits
            .iter()
            .zip(ys)
            .map(|(l, &y)| {
                let mut p = l.clone();
                softmax(&mut p, t);
                -(p[y].max(1e-12) as f64).ln()
            })
            .sum()
    };
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (-3.0f64, 3.0f64);
    for _ in 0..60 {
        let c = b - ratio * (b - a);
        let d = a + ratio * (b - a);
        if nll(c) < nll(d) {
            b = d;
        } else {
            a = c;
        }
    }
    ((a + b) / 2.0).exp() as f32
}

/// A small, fixed, portable random generator (SplitMix64): the training order must not
/// depend on the platform or a library's version.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn shuffle(items: &mut [usize], rng: &mut SplitMix64) {
    for i in (1..items.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feature 0 means class 0, feature 1 class 1, feature 2 is shared noise.
    fn separable() -> (Vec<SparseVector>, Vec<usize>) {
        let xs =
            (0..40).map(|i| if i % 2 == 0 { vec![(0, 0.9), (2, 0.4)] } else { vec![(1, 0.9), (2, 0.4)] }).collect();
        (xs, (0..40).map(|i| i % 2).collect())
    }

    fn check(options: SolverOptions) {
        let (xs, ys) = separable();
        let model = fit(&xs, &ys, 3, 2, &options);
        for (x, &y) in xs.iter().zip(&ys) {
            let scores = model.logits(x);
            assert!(scores[y] > scores[1 - y] + 0.5, "{options:?}: example of class {y}: {scores:?}");
        }
        assert_eq!(model, fit(&xs, &ys, 3, 2, &options), "{options:?}: training is deterministic");
    }

    #[test]
    fn separable_examples_are_learnt_by_every_loss() {
        check(SolverOptions::default());
        check(SolverOptions { nb_smoothing: 0.0, ..SolverOptions::default() });
        check(SolverOptions { nb_interpolation: 0.5, ..SolverOptions::default() });
        check(SolverOptions { loss: Loss::Softmax, learning_rate: 0.5, nb_smoothing: 0.0, ..SolverOptions::default() });
        check(SolverOptions { loss: Loss::Softmax, ..SolverOptions::default() });
    }

    #[test]
    fn naive_bayes_ratios_compare_a_features_share_inside_and_outside_its_class() {
        // Class 0: one post with features 0 and 1; class 1: one post with feature 1.
        // Smoothed by 1: class 0 has counts (2, 2) of 4, class 1 (1, 2) of 3.
        let xs = vec![vec![(0, 1.0), (1, 1.0)], vec![(1, 1.0)]];
        let r = nb_ratios(&xs, &[0, 1], 2, 2, 1.0);
        let expected = [
            (2.0f32 / 4.0) / (1.0 / 3.0),
            (1.0 / 3.0) / (2.0 / 4.0),
            (2.0 / 4.0) / (2.0 / 3.0),
            (2.0 / 3.0) / (2.0 / 4.0),
        ];
        for (i, (r, e)) in r.iter().zip(expected).enumerate() {
            assert!((r - e.ln()).abs() < 1e-6, "ratio {i}: {r} ≠ ln {e}");
        }
        assert_eq!(nb_ratios(&xs, &[0, 1], 2, 2, 0.0), [1.0; 4], "no smoothing, no scaling");
    }

    #[test]
    fn temperature_softens_overconfident_logits() {
        // Confident logits, right only 3 times in 4: the best temperature is well above 1.
        let logits = vec![vec![6.0, 0.0]; 4];
        let t = fit_temperature(&logits, &[0, 0, 0, 1]);
        let mut p = logits[0].clone();
        softmax(&mut p, t);
        assert!((p[0] - 0.75).abs() < 0.01, "t = {t}, p = {p:?}");
    }
}
