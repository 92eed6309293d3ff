//! Agreement between the scorer and human labels: confusion matrices and quadratic-weighted
//! kappa, the measure the product is held to (≥ 0.8 on both levels). `wenzheng eval` prints them.

/// A 3×3 confusion matrix of levels: `counts[human][scorer]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Confusion {
    pub counts: [[u32; 3]; 3],
}

impl Confusion {
    /// From (human, scorer) level pairs; levels above 2 count as 2.
    pub fn from_pairs(pairs: &[(u8, u8)]) -> Self {
        let mut counts = [[0u32; 3]; 3];
        for &(h, s) in pairs {
            counts[usize::from(h.min(2))][usize::from(s.min(2))] += 1;
        }
        Confusion { counts }
    }

    pub fn total(&self) -> u32 {
        self.counts.iter().flatten().sum()
    }

    /// Share of pairs where both agree exactly.
    pub fn accuracy(&self) -> f64 {
        let agree: u32 = (0..3).map(|i| self.counts[i][i]).sum();
        f64::from(agree) / f64::from(self.total().max(1))
    }
}

impl std::fmt::Display for Confusion {
    /// Rows are the human levels, columns the scorer's.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "human\\scorer     0     1     2")?;
        for (level, row) in self.counts.iter().enumerate() {
            writeln!(f, "{level:>12} {:>5} {:>5} {:>5}", row[0], row[1], row[2])?;
        }
        Ok(())
    }
}

/// Cohen's kappa with quadratic weights over levels 0..=2, for (human, scorer) pairs.
/// 1 is perfect agreement, 0 is chance; with no variation at all it is 1 when all pairs agree.
pub fn quadratic_weighted_kappa(pairs: &[(u8, u8)]) -> f64 {
    let m = Confusion::from_pairs(pairs).counts;
    let n = pairs.len() as f64;
    if n == 0.0 {
        return 1.0;
    }
    let rows: Vec<f64> = (0..3).map(|i| m[i].iter().map(|&c| f64::from(c)).sum()).collect();
    let cols: Vec<f64> = (0..3).map(|j| (0..3).map(|i| f64::from(m[i][j])).sum()).collect();
    let (mut observed, mut expected) = (0.0, 0.0);
    for i in 0..3 {
        for j in 0..3 {
            let w = ((i as f64) - (j as f64)).powi(2) / 4.0;
            observed += w * f64::from(m[i][j]);
            expected += w * rows[i] * cols[j] / n;
        }
    }
    if expected == 0.0 {
        return if observed == 0.0 { 1.0 } else { 0.0 };
    }
    1.0 - observed / expected
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pairs: &[(u8, u8)], expected: f64) {
        let kappa = quadratic_weighted_kappa(pairs);
        assert!((kappa - expected).abs() < 1e-9, "kappa {kappa} expected {expected}");
    }

    #[test]
    fn perfect_agreement_is_one() {
        check(&[(0, 0), (1, 1), (2, 2), (2, 2)], 1.0);
    }

    #[test]
    fn full_reversal_is_negative() {
        check(&[(0, 2), (2, 0)], -1.0);
    }

    #[test]
    fn known_value() {
        // rows [2,1,1], columns [1,2,1]: observed disagreement 0.25, expected by chance 1.25
        check(&[(0, 0), (0, 1), (1, 1), (2, 2)], 0.8);
    }

    #[test]
    fn confusion_prints_humans_by_row() {
        let c = Confusion::from_pairs(&[(0, 1), (2, 2)]);
        assert_eq!(c.counts[0][1], 1);
        assert!((c.accuracy() - 0.5).abs() < 1e-9);
        assert!(c.to_string().contains("human\\scorer"));
    }
}
