//! Discrete choice arithmetic: logit probabilities, logit sampling and Vose alias tables
//! (ODD design concept "stochasticity"; used by MODEL steps 4, 5 and 6).

/// Logit (softmax) probabilities of utilities, computed stably.
pub fn logit_probabilities(utilities: &[f64]) -> Vec<f64> {
    let max = utilities.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = utilities.iter().map(|u| (u - max).exp()).collect();
    let sum: f64 = w.iter().sum();
    w.into_iter().map(|x| x / sum).collect()
}

/// Index drawn with probability proportional to `weights` (non-negative, finite), given a
/// uniform `u` in [0, 1); `None` if every weight is zero.
pub fn sample_weighted(weights: &[f64], u: f64) -> Option<usize> {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 || !total.is_finite() {
        return None;
    }
    let mut target = u * total;
    for (i, w) in weights.iter().enumerate() {
        if target < *w {
            return Some(i);
        }
        target -= w;
    }
    weights.iter().rposition(|w| *w > 0.0)
}

/// A Vose alias table: O(1) draws from a discrete distribution.
#[derive(Debug, Clone, Default)]
pub struct Alias {
    /// Probability of keeping column i (else take `alias[i]`).
    pub prob: Vec<f32>,
    pub alias: Vec<u32>,
}

impl Alias {
    /// Builds the table for non-negative weights with a positive sum.
    pub fn new(weights: &[f64]) -> Self {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut prob = vec![1.0f32; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            prob[s] = scaled[s] as f32;
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        Self { prob, alias }
    }

    /// Draws a column from two uniforms: `column_u` in [0, 1) and `coin` in [0, 1).
    #[inline]
    pub fn draw(&self, column_u: f64, coin: f32) -> usize {
        let i = ((column_u * self.prob.len() as f64) as usize).min(self.prob.len() - 1);
        if coin < self.prob[i] { i } else { self.alias[i] as usize }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    #[test]
    fn logit_probabilities_sum_to_one_and_match_the_closed_form() {
        let u = [0.3, -1.2, 2.0];
        let p = logit_probabilities(&u);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let denom: f64 = u.iter().map(|x: &f64| x.exp()).sum();
        for (pi, ui) in p.iter().zip(u) {
            assert!((pi - ui.exp() / denom).abs() < 1e-12);
        }
        // Two options: the logistic function of the difference.
        let p2 = logit_probabilities(&[1.0, 0.0]);
        assert!((p2[0] - 1.0 / (1.0 + (-1.0f64).exp())).abs() < 1e-12);
        // Huge utilities don't overflow.
        let big = logit_probabilities(&[1000.0, 999.0]);
        assert!(big.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn weighted_sampling_follows_weights() {
        assert_eq!(sample_weighted(&[0.0, 0.0], 0.5), None);
        assert_eq!(sample_weighted(&[1.0, 3.0], 0.24), Some(0));
        assert_eq!(sample_weighted(&[1.0, 3.0], 0.26), Some(1));
        assert_eq!(sample_weighted(&[1.0, 0.0], 0.999_999_999), Some(0));
    }

    #[test]
    fn alias_draws_match_the_weights() {
        let w = [1.0, 2.0, 0.0, 5.0, 2.0];
        let table = Alias::new(&w);
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
        let mut counts = [0usize; 5];
        let n = 200_000;
        for _ in 0..n {
            counts[table.draw(rng.random(), rng.random())] += 1;
        }
        for (c, wi) in counts.iter().zip(w) {
            let expected = wi / 10.0;
            assert!((*c as f64 / n as f64 - expected).abs() < 0.005, "{counts:?}");
        }
    }
}
