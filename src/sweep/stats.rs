//! The estimators of `sim analyze`, as pure functions of numbers: the mean and its 95% interval
//! across replicates, Sobol indices from a Saltelli design (first order: Saltelli et al. 2010;
//! total: Jansen 1999) with bootstrap intervals, and Morris's elementary-effect statistics
//! (mu*, Campolongo et al. 2007; mu and sigma, Morris 1991).

use crate::rng::mix;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// A value with a 95% interval (NaN where there is not enough data).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Estimate {
    fn bare(value: f64) -> Self {
        Self { value, lo: f64::NAN, hi: f64::NAN }
    }
}

/// Mean, standard deviation and Student-t 95% interval of the mean of the finite values of `xs`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub lo: f64,
    pub hi: f64,
}

/// The [`Sample`] of the finite values of `xs`.
pub fn sample(xs: &[f64]) -> Sample {
    let mut r = Running::default();
    xs.iter().for_each(|&x| r.push(x));
    r.sample()
}

/// A running mean and variance (Welford), for values that arrive one at a time.
#[derive(Debug, Clone, Copy, Default)]
pub struct Running {
    n: usize,
    mean: f64,
    m2: f64,
}

impl Running {
    /// Adds a value; non-finite values are skipped.
    pub fn push(&mut self, x: f64) {
        if x.is_finite() {
            self.n += 1;
            let d = x - self.mean;
            self.mean += d / self.n as f64;
            self.m2 += d * (x - self.mean);
        }
    }

    pub fn sample(&self) -> Sample {
        let n = self.n;
        let mean = if n > 0 { self.mean } else { f64::NAN };
        let sd = if n > 1 { (self.m2 / (n - 1) as f64).sqrt() } else { f64::NAN };
        let half = if n > 1 { t_975(n as u64 - 1) * sd / (n as f64).sqrt() } else { f64::NAN };
        Sample { n, mean, sd, lo: mean - half, hi: mean + half }
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom: exact to three decimals up to
/// 30, then the Cornish-Fisher expansion around the normal quantile.
pub fn t_975(df: u64) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df as usize - 1],
        _ => {
            let (z, d): (f64, f64) = (1.959_963_984_540_054, df as f64);
            z + (z.powi(3) + z) / (4.0 * d) + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
        }
    }
}

/// The `q` quantile of sorted values (linear interpolation).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos.fract());
    sorted[i] + frac * (sorted[(i + 1).min(sorted.len() - 1)] - sorted[i])
}

/// Percentile 95% interval of bootstrap replicates.
fn percentile_interval(value: f64, mut reps: Vec<f64>) -> Estimate {
    reps.retain(|x| x.is_finite());
    reps.sort_by(f64::total_cmp);
    Estimate { value, lo: quantile(&reps, 0.025), hi: quantile(&reps, 0.975) }
}

fn bootstrap_rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(mix(seed ^ 0x424f_4f54))
}

/// First-order and total Sobol indices of each factor.
#[derive(Debug, Clone)]
pub struct SobolIndices {
    pub first: Vec<Estimate>,
    pub total: Vec<Estimate>,
}

/// The indices on the rows `rows` of the Saltelli matrices: with V the variance of f(A) and f(B)
/// together, S_i = mean(f(B) (f(AB_i) - f(A))) / V and ST_i = mean((f(A) - f(AB_i))^2) / (2 V).
fn sobol_on(rows: &[usize], fa: &[f64], fb: &[f64], fab: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
    let n = rows.len() as f64;
    let mean = rows.iter().map(|&j| fa[j] + fb[j]).sum::<f64>() / (2.0 * n);
    let var = rows.iter().map(|&j| (fa[j] - mean).powi(2) + (fb[j] - mean).powi(2)).sum::<f64>() / (2.0 * n - 1.0);
    let first = fab.iter().map(|ab| rows.iter().map(|&j| fb[j] * (ab[j] - fa[j])).sum::<f64>() / n / var).collect();
    let total =
        fab.iter().map(|ab| rows.iter().map(|&j| (fa[j] - ab[j]).powi(2)).sum::<f64>() / (2.0 * n) / var).collect();
    (first, total)
}

/// Fewest rows Sobol indices are estimated from (the variance needs two); with fewer (say every
/// row of a partial sweep misses a run) the indices are NaN.
pub const MIN_SOBOL_ROWS: usize = 2;

/// Sobol indices from f(A), f(B) and f(AB_i) (one vector per factor, one value per row), with
/// percentile intervals from `bootstrap` resamples of the rows (none if 0); NaN from fewer than
/// [`MIN_SOBOL_ROWS`] rows.
///
/// The outputs are first centred on the mean of f(A) and f(B), as SALib does: the indices of f
/// and of f + c are the same, but the first-order estimator's error grows with the outputs' mean
/// (its terms are f(B) (f(AB_i) - f(A))), so that a metric with a large mean and a small spread
/// (a growth rate of 0.098 +- 0.004) gave first-order indices of -8 to 9 from 32 rows.
pub fn sobol(fa: &[f64], fb: &[f64], fab: &[Vec<f64>], bootstrap: u32, seed: u64) -> SobolIndices {
    let k = fab.len();
    if fa.len() < MIN_SOBOL_ROWS {
        let none = vec![Estimate::bare(f64::NAN); k];
        return SobolIndices { first: none.clone(), total: none };
    }
    let mean = fa.iter().chain(fb).sum::<f64>() / (2 * fa.len()) as f64;
    let centred = |ys: &[f64]| ys.iter().map(|y| y - mean).collect::<Vec<f64>>();
    let (fa, fb) = (&centred(fa)[..], &centred(fb)[..]);
    let fab: &[Vec<f64>] = &fab.iter().map(|ys| centred(ys)).collect::<Vec<_>>();
    let all: Vec<usize> = (0..fa.len()).collect();
    let (first, total) = sobol_on(&all, fa, fb, fab);
    if bootstrap == 0 {
        return SobolIndices {
            first: first.into_iter().map(Estimate::bare).collect(),
            total: total.into_iter().map(Estimate::bare).collect(),
        };
    }
    let mut rng = bootstrap_rng(seed);
    let (mut reps_first, mut reps_total) = (vec![Vec::new(); k], vec![Vec::new(); k]);
    let mut rows = vec![0; fa.len()];
    for _ in 0..bootstrap {
        rows.iter_mut().for_each(|r| *r = rng.random_range(0..fa.len()));
        let (f, t) = sobol_on(&rows, fa, fb, fab);
        for i in 0..k {
            reps_first[i].push(f[i]);
            reps_total[i].push(t[i]);
        }
    }
    SobolIndices {
        first: first.into_iter().zip(reps_first).map(|(v, r)| percentile_interval(v, r)).collect(),
        total: total.into_iter().zip(reps_total).map(|(v, r)| percentile_interval(v, r)).collect(),
    }
}

/// Elementary-effect statistics of one factor.
#[derive(Debug, Clone, Copy)]
pub struct MorrisStats {
    /// Mean absolute effect, with a bootstrap interval over trajectories.
    pub mu_star: Estimate,
    pub mu: f64,
    pub sigma: f64,
    /// Effects used (trajectories with values at both ends of the step).
    pub n: usize,
}

/// Morris statistics from each factor's elementary effects (non-finite ones skipped).
pub fn morris(effects: &[Vec<f64>], bootstrap: u32, seed: u64) -> Vec<MorrisStats> {
    let mut rng = bootstrap_rng(seed);
    effects
        .iter()
        .map(|ee| {
            let ee: Vec<f64> = ee.iter().copied().filter(|x| x.is_finite()).collect();
            let s = sample(&ee);
            let abs: Vec<f64> = ee.iter().map(|x| x.abs()).collect();
            let mu_star = sample(&abs).mean;
            let reps = if abs.len() > 1 {
                (0..bootstrap)
                    .map(|_| {
                        (0..abs.len()).map(|_| abs[rng.random_range(0..abs.len())]).sum::<f64>() / abs.len() as f64
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let mu_star = if bootstrap > 0 { percentile_interval(mu_star, reps) } else { Estimate::bare(mu_star) };
            MorrisStats { mu_star, mu: s.mean, sigma: s.sd, n: s.n }
        })
        .collect()
}

#[cfg(test)]
mod tests;
