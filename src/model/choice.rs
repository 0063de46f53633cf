//! Discrete choice arithmetic: logit probabilities, logit sampling and Vose alias tables
//! (ODD design concept "stochasticity"; used by MODEL steps 4, 5 and 6), and the fast `exp` and
//! `ln(1 + x)` that the utilities and scores behind them use (`ln_1p` also in accounting).

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

/// `x.ln_1p()`, without the libm call when `x` is zero (a listing's clicks or sales in a week
/// without them, a seller's units in a week without sales). `ln_1p(±0) = ±0`, so the result is
/// the same.
#[inline]
pub fn ln_1p(x: f64) -> f64 {
    if x == 0.0 { x } else { x.ln_1p() }
}

/// `e^x` in single precision without a libm call, so that loops over it vectorise: Cody-Waite
/// range reduction and Cephes' polynomial for `expf`. Relative error below 3e-7 on [-87, 88];
/// inputs outside that range are clamped to it.
#[inline]
pub fn fast_exp(x: f32) -> f32 {
    // Adding 1.5 * 2^23 rounds to the nearest integer n (without SSE4.1) and leaves n in the
    // low bits of the sum, from where it becomes the exponent of 2^n without a float-to-int
    // conversion; every step is a plain vector instruction.
    const ROUND: f32 = 12_582_912.0;
    let x = if x < -87.0 { -87.0 } else { x };
    let x = if x > 88.0 { 88.0 } else { x };
    let t = x * std::f32::consts::LOG2_E + ROUND;
    let n = t - ROUND;
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r + 1.666_666_5e-1)
        * r
        + 0.5;
    let two_n = f32::from_bits(t.to_bits().wrapping_sub(ROUND.to_bits()).wrapping_add(127) << 23);
    (p * r * r + r + 1.0) * two_n
}

/// Vose's alias method in place: for non-negative `weights` with a positive sum, fills column
/// `i`'s probability of keeping itself (`prob[i]`, 1 for columns that are never aliased) and its
/// alias. `stack` is scratch space, reused across calls.
pub fn vose(weights: &[f64], prob: &mut [f64], alias: &mut [u32], stack: &mut Vec<u32>) {
    let n = weights.len();
    let total: f64 = weights.iter().sum();
    let scale = n as f64 / total;
    // `prob` holds the scaled weights until a column is settled. Small columns are pushed from
    // the front of `stack`, large ones from the back, so one buffer holds both lists.
    stack.clear();
    stack.resize(n, 0);
    let (mut small, mut large) = (0, n);
    for (i, w) in weights.iter().enumerate() {
        prob[i] = w * scale;
        alias[i] = i as u32;
        if prob[i] < 1.0 {
            stack[small] = i as u32;
            small += 1;
        } else {
            large -= 1;
            stack[large] = i as u32;
        }
    }
    // Large columns are taken from the end of the large list (last pushed first).
    let mut top = large;
    while small > 0 && top < n {
        small -= 1;
        let s = stack[small] as usize;
        let l = stack[top] as usize;
        alias[s] = l as u32;
        prob[l] -= 1.0 - prob[s];
        if prob[l] < 1.0 {
            top += 1;
            stack[small] = l as u32;
            small += 1;
        }
    }
    for &i in &stack[top..] {
        prob[i as usize] = 1.0;
    }
    for &i in &stack[..small] {
        prob[i as usize] = 1.0;
    }
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
        let mut prob = vec![0.0; weights.len()];
        let mut alias = vec![0; weights.len()];
        vose(weights, &mut prob, &mut alias, &mut Vec::new());
        Self { prob: prob.into_iter().map(|p| p as f32).collect(), alias }
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
    fn fast_exp_matches_exp() {
        let mut worst: f64 = 0.0;
        for i in -87_000..=88_000 {
            let x = i as f32 / 1000.0;
            let rel = (f64::from(fast_exp(x)) / f64::from(x).exp() - 1.0).abs();
            worst = worst.max(rel);
        }
        assert!(worst < 3e-7, "worst relative error {worst}");
        assert_eq!(fast_exp(0.0), 1.0);
        assert!(fast_exp(-1000.0) > 0.0 && fast_exp(1000.0).is_finite());
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
