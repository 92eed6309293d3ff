//! How well predicted categories agree with the labels: confusion matrix, accuracy,
//! per-category precision / recall / F1 and their unweighted mean (macro-F1), which does not
//! let the large categories hide the small ones.

use std::collections::BTreeSet;

/// Counts of (actual, predicted) category pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfusionMatrix {
    /// Every category seen as a label or as a prediction, sorted.
    pub classes: Vec<String>,
    /// `counts[actual][predicted]`, indices into `classes`.
    pub counts: Vec<Vec<u64>>,
}

/// The scores of one category.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassScores {
    pub category: String,
    /// Posts labelled with the category.
    pub support: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl ConfusionMatrix {
    /// From (actual, predicted) pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone) -> ConfusionMatrix {
        let classes: Vec<String> = pairs
            .clone()
            .into_iter()
            .flat_map(|(a, p)| [a.to_string(), p.to_string()])
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut counts = vec![vec![0u64; classes.len()]; classes.len()];
        for (actual, predicted) in pairs {
            let a = classes.binary_search_by(|c| c.as_str().cmp(actual)).expect("class listed");
            let p = classes.binary_search_by(|c| c.as_str().cmp(predicted)).expect("class listed");
            counts[a][p] += 1;
        }
        ConfusionMatrix { classes, counts }
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Share of posts whose predicted category is their label (0 when there is none).
    pub fn accuracy(&self) -> f64 {
        let right: u64 = (0..self.classes.len()).map(|i| self.counts[i][i]).sum();
        ratio(right, self.total())
    }

    /// Precision, recall and F1 of every category, in the order of `classes`. A category
    /// never predicted has precision 0; never labelled, recall 0 (as scikit-learn reports).
    pub fn per_class(&self) -> Vec<ClassScores> {
        (0..self.classes.len())
            .map(|i| {
                let right = self.counts[i][i];
                let labelled: u64 = self.counts[i].iter().sum();
                let predicted: u64 = self.counts.iter().map(|row| row[i]).sum();
                let precision = ratio(right, predicted);
                let recall = ratio(right, labelled);
                let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
                ClassScores { category: self.classes[i].clone(), support: labelled, precision, recall, f1 }
            })
            .collect()
    }

    /// The unweighted mean of the categories' F1.
    pub fn macro_f1(&self) -> f64 {
        let scores = self.per_class();
        if scores.is_empty() {
            return 0.0;
        }
        scores.iter().map(|s| s.f1).sum::<f64>() / scores.len() as f64
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: f64, expected: f64, what: &str) {
        assert!((value - expected).abs() < 1e-9, "{what}: {value} ≠ {expected}");
    }

    /// Hand-computed: 10 posts, labels A×5, B×3, C×2.
    ///            predicted A  B  C
    ///   actual A           4  1  0
    ///   actual B           1  2  0
    ///   actual C           0  1  1
    #[test]
    fn figures_of_a_hand_computed_matrix() {
        let pairs = [
            ("A", "A"),
            ("A", "A"),
            ("A", "A"),
            ("A", "A"),
            ("A", "B"),
            ("B", "A"),
            ("B", "B"),
            ("B", "B"),
            ("C", "B"),
            ("C", "C"),
        ];
        let matrix = ConfusionMatrix::from_pairs(pairs.iter().copied());
        assert_eq!(matrix.classes, ["A", "B", "C"]);
        assert_eq!(matrix.counts, vec![vec![4, 1, 0], vec![1, 2, 0], vec![0, 1, 1]]);
        check(matrix.accuracy(), 0.7, "accuracy");
        let scores = matrix.per_class();
        // A: precision 4/5, recall 4/5, F1 0.8.
        check(scores[0].precision, 0.8, "precision A");
        check(scores[0].recall, 0.8, "recall A");
        check(scores[0].f1, 0.8, "F1 A");
        // B: precision 2/4, recall 2/3, F1 = 2·(1/2)(2/3)/(1/2 + 2/3) = 4/7.
        check(scores[1].precision, 0.5, "precision B");
        check(scores[1].recall, 2.0 / 3.0, "recall B");
        check(scores[1].f1, 4.0 / 7.0, "F1 B");
        // C: precision 1/1, recall 1/2, F1 2/3.
        check(scores[2].f1, 2.0 / 3.0, "F1 C");
        assert_eq!(scores.iter().map(|s| s.support).collect::<Vec<_>>(), [5, 3, 2]);
        check(matrix.macro_f1(), (0.8 + 4.0 / 7.0 + 2.0 / 3.0) / 3.0, "macro-F1");
    }

    #[test]
    fn a_category_never_predicted_scores_zero_not_nan() {
        let matrix = ConfusionMatrix::from_pairs([("A", "A"), ("B", "A")]);
        let scores = matrix.per_class();
        check(scores[1].precision, 0.0, "precision B");
        check(scores[1].f1, 0.0, "F1 B");
        check(matrix.macro_f1(), (2.0 / 3.0) / 2.0, "macro-F1");
        check(ConfusionMatrix::from_pairs(std::iter::empty::<(&str, &str)>()).accuracy(), 0.0, "empty accuracy");
    }
}
