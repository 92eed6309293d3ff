//! Multinomial logistic regression (softmax) over sparse TF-IDF vectors, trained by
//! per-example stochastic gradient descent with AdaGrad step sizes, and the temperature that
//! calibrates its probabilities.
//!
//! Deterministic by construction: the example order of each epoch comes from a fixed-seed
//! generator, and everything runs on one thread in a fixed order, so the same examples and
//! options give the same weights bit for bit (and the same model file).

use super::features::SparseVector;

/// How the weights are learnt.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SolverOptions {
    /// Passes over the training examples.
    pub epochs: usize,
    /// AdaGrad's base step.
    pub learning_rate: f32,
    /// L2 penalty, applied to the weights an example touches.
    pub l2: f32,
    pub seed: u64,
}

impl Default for SolverOptions {
    fn default() -> Self {
        SolverOptions { epochs: 12, learning_rate: 0.5, l2: 1e-5, seed: 20200101 }
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
    let mut model = LinearWeights { classes, w: vec![0.0; features * classes], bias: vec![0.0; classes] };
    // AdaGrad's sums of squared gradients, one per weight.
    let mut g2 = vec![1e-6f32; features * classes];
    let mut g2_bias = vec![1e-6f32; classes];
    let mut order: Vec<usize> = (0..xs.len()).collect();
    let mut rng = SplitMix64(options.seed);
    let eta = options.learning_rate;
    for _ in 0..options.epochs {
        shuffle(&mut order, &mut rng);
        for &i in &order {
            let x = &xs[i];
            let mut p = model.logits(x);
            softmax(&mut p, 1.0);
            // Gradient of the cross-entropy in the logits: p - onehot(y).
            p[ys[i]] -= 1.0;
            for &(j, value) in x {
                let row = j as usize * classes..(j as usize + 1) * classes;
                for ((w, g2), p) in model.w[row.clone()].iter_mut().zip(&mut g2[row]).zip(&p) {
                    let grad = p * value + options.l2 * *w;
                    *g2 += grad * grad;
                    *w -= eta * grad / g2.sqrt();
                }
            }
            for ((b, g2), p) in model.bias.iter_mut().zip(&mut g2_bias).zip(&p) {
                *g2 += p * p;
                *b -= eta * p / g2.sqrt();
            }
        }
    }
    model
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

    #[test]
    fn separable_examples_are_learnt() {
        // Feature 0 means class 0, feature 1 class 1, feature 2 is shared noise.
        let xs: Vec<SparseVector> =
            (0..40).map(|i| if i % 2 == 0 { vec![(0, 0.9), (2, 0.4)] } else { vec![(1, 0.9), (2, 0.4)] }).collect();
        let ys: Vec<usize> = (0..40).map(|i| i % 2).collect();
        let model = fit(&xs, &ys, 3, 2, &SolverOptions::default());
        for (x, &y) in xs.iter().zip(&ys) {
            let mut p = model.logits(x);
            softmax(&mut p, 1.0);
            assert!(p[y] > 0.9, "example of class {y}: {p:?}");
        }
        assert_eq!(model, fit(&xs, &ys, 3, 2, &SolverOptions::default()), "training is deterministic");
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
