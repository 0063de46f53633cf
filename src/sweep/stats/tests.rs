//! The estimators against functions whose indices are known analytically.

use super::*;
use crate::sweep::samplers::{Design, SaltelliRole, saltelli_role};
use crate::sweep::spec::Sampler;
use std::f64::consts::PI;

/// f(A), f(B), f(AB_i) of `f` on a Saltelli design of `n` rows and `k` factors.
fn saltelli(n: u32, k: usize, f: impl Fn(&[f64]) -> f64) -> (Vec<f64>, Vec<f64>, Vec<Vec<f64>>) {
    let d = Design::new(&Sampler::Sobol { base_points: n }, &vec![2; k], 0);
    let (mut fa, mut fb, mut fab) = (Vec::new(), Vec::new(), vec![Vec::new(); k]);
    for id in 0..d.points() {
        let y = f(&d.unit(id));
        match saltelli_role(id, k).1 {
            SaltelliRole::A => fa.push(y),
            SaltelliRole::B => fb.push(y),
            SaltelliRole::AB(i) => fab[i].push(y),
        }
    }
    (fa, fb, fab)
}

fn ishigami(u: &[f64]) -> f64 {
    let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

const G_A: [f64; 8] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];

fn g_function(u: &[f64]) -> f64 {
    u.iter().zip(G_A).map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a)).product()
}

/// Analytic first-order and total indices of the G-function.
fn g_indices() -> (Vec<f64>, Vec<f64>) {
    let vi: Vec<f64> = G_A.iter().map(|a| 1.0 / (3.0 * (1.0 + a).powi(2))).collect();
    let v = vi.iter().map(|v| 1.0 + v).product::<f64>() - 1.0;
    let first = vi.iter().map(|x| x / v).collect();
    let total = (0..vi.len())
        .map(|i| vi[i] * (0..vi.len()).filter(|&j| j != i).map(|j| 1.0 + vi[j]).product::<f64>() / v)
        .collect();
    (first, total)
}

fn assert_close(what: &str, got: &Estimate, want: f64, tol: f64) {
    assert!((got.value - want).abs() < tol, "{what}: {} vs analytic {want}", got.value);
    assert!(got.lo <= got.value && got.value <= got.hi, "{what}: interval {got:?}");
    assert!(got.lo - tol <= want && want <= got.hi + tol, "{what}: {want} far outside {got:?}");
}

#[test]
fn sobol_indices_of_the_ishigami_function() {
    let (fa, fb, fab) = saltelli(8192, 3, ishigami);
    let s = sobol(&fa, &fb, &fab, 200, 1);
    for (i, (s1, st)) in [(0.314, 0.558), (0.442, 0.442), (0.0, 0.244)].into_iter().enumerate() {
        assert_close(&format!("S{}", i + 1), &s.first[i], s1, 0.02);
        assert_close(&format!("ST{}", i + 1), &s.total[i], st, 0.02);
    }
}

/// Regression: the first-order estimator ran on the raw outputs, whose mean multiplied its
/// noise: a metric of large mean and small spread got indices far outside [0, 1].
#[test]
fn sobol_indices_do_not_change_with_a_constant_added_to_the_output() {
    let (fa, fb, fab) = saltelli(32, 3, ishigami);
    let shift = |ys: &[f64]| ys.iter().map(|y| y + 1000.0).collect::<Vec<f64>>();
    let plain = sobol(&fa, &fb, &fab, 100, 3);
    let shifted = sobol(&shift(&fa), &shift(&fb), &fab.iter().map(|ys| shift(ys)).collect::<Vec<_>>(), 100, 3);
    for (a, b) in plain.first.iter().chain(&plain.total).zip(shifted.first.iter().chain(&shifted.total)) {
        for (x, y) in [(a.value, b.value), (a.lo, b.lo), (a.hi, b.hi)] {
            assert!((x - y).abs() < 1e-6, "{a:?} vs {b:?} with 1000 added");
        }
    }
}

#[test]
fn sobol_indices_of_the_g_function() {
    let (fa, fb, fab) = saltelli(4096, 8, g_function);
    let s = sobol(&fa, &fb, &fab, 100, 2);
    let (first, total) = g_indices();
    for i in 0..8 {
        assert_close(&format!("S{}", i + 1), &s.first[i], first[i], 0.02);
        assert_close(&format!("ST{}", i + 1), &s.total[i], total[i], 0.02);
    }
}

/// Elementary effects of `f` on a Morris design, per factor.
fn effects(trajectories: u32, levels: u32, k: usize, f: impl Fn(&[f64]) -> f64) -> Vec<Vec<f64>> {
    let d = Design::new(&Sampler::Morris { trajectories, levels }, &vec![2; k], 5);
    let mut ee = vec![Vec::new(); k];
    for t in 0..u64::from(trajectories) {
        let pts: Vec<Vec<f64>> = (0..=k as u64).map(|s| d.unit(t * (k as u64 + 1) + s)).collect();
        for w in pts.windows(2) {
            let i = (0..k).find(|&i| w[0][i] != w[1][i]).unwrap();
            ee[i].push((f(&w[1]) - f(&w[0])) / (w[1][i] - w[0][i]));
        }
    }
    ee
}

#[test]
fn morris_recovers_the_slopes_of_a_linear_function() {
    let c = [3.0, -2.0, 0.5, 0.0];
    let m = morris(&effects(10, 4, 4, |x| x.iter().zip(c).map(|(x, c)| x * c).sum()), 100, 0);
    for (i, s) in m.iter().enumerate() {
        assert!((s.mu_star.value - c[i].abs()).abs() < 1e-9 && (s.mu - c[i]).abs() < 1e-9, "{i}: {s:?}");
        assert!(s.sigma < 1e-9 && s.n == 10);
    }
}

#[test]
fn morris_ranks_the_g_function_factors_by_importance() {
    let m = morris(&effects(50, 4, 8, g_function), 100, 0);
    let mu: Vec<f64> = m.iter().map(|s| s.mu_star.value).collect();
    assert!(mu[0] > mu[1] && mu[1] > mu[2] && mu[2] > mu[3], "{mu:?}");
    assert!(mu[4..].iter().all(|&x| x < 0.1 * mu[0]), "{mu:?}");
    // x1 has no linear trend (|4x - 2| is symmetric), so mu is near 0 while mu* is large.
    assert!(m[0].mu.abs() < 0.5 * mu[0], "{:?}", m[0]);
}

#[test]
fn sample_interval_uses_student_t() {
    let s = sample(&[1.0, 2.0, 3.0, f64::NAN]);
    assert_eq!((s.n, s.mean, s.sd), (3, 2.0, 1.0));
    assert!((s.hi - (2.0 + 4.303 / 3f64.sqrt())).abs() < 1e-9);
    assert!(sample(&[5.0]).lo.is_nan());
    assert!((t_975(1000) - 1.962).abs() < 1e-3 && (t_975(31) - 2.040).abs() < 1e-3);
}

#[test]
fn sobol_indices_from_fewer_than_two_rows_are_left_empty() {
    let s = sobol(&[1.0], &[2.0], &[vec![1.5], vec![2.5]], 100, 1);
    assert!(s.first.iter().chain(&s.total).all(|e| e.value.is_nan() && e.lo.is_nan() && e.hi.is_nan()));
    let s = sobol(&[], &[], &[vec![]], 0, 1);
    assert!(s.first[0].value.is_nan() && s.total[0].value.is_nan());
}
