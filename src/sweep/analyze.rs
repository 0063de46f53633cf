//! `sim analyze DIR`: statistics of a finished sweep, into `DIR/analysis/`.
//!
//! - `points.csv`: per point, its parameters and, per metric, the mean, standard deviation and
//!   Student-t 95% interval of the mean across replicates (failed runs and missing values skipped).
//! - `sobol.csv` (Sobol sweeps): first-order and total indices with bootstrap intervals, on the
//!   replicate means of each point.
//! - `morris.csv` (Morris sweeps): mu*, mu and sigma of the elementary effects.
//! - `plots/`: each metric against each parameter with its interval band, and sensitivity bars.
//!
//! `runs.csv` is streamed; memory holds a few numbers per point and metric, not the runs.
//!
//! A Sobol design of fewer than [`MIN_SOBOL_BASE_POINTS`] base rows, and indices that fall
//! outside [0, 1], are reported as warnings (the command line prints them on stderr).
//!
//! A shard's directory is refused (merge the shards first: a shard holds part of every design
//! row). A sweep with runs missing from `runs.csv` (still running, or interrupted) is analysed
//! with a warning naming how many runs are in: statistics use the runs present, and indices
//! without enough data (Sobol rows, Morris effects) are left empty.

use super::plots::{self, Effect, EffectPanel, Indices, Sensitivity};
use super::samplers::{Design, SaltelliRole, morris_delta, saltelli_role};
use super::spec::{Parameter, Sampler};
use super::stats::{self, Estimate, Running, Sample};
use super::store::{Manifest, RUNS_CSV, cell, format_number};
use crate::config::path;
use crate::error::SimError;
use crate::output::write_atomic;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Sobol designs of fewer base rows (`sampler.base_points`) get a warning: the indices' sampling
/// error falls only as 1 / sqrt(rows), and a stochastic model's seed noise adds to it, so that
/// from a few dozen rows they are mostly noise (docs/SWEEPS.md).
pub const MIN_SOBOL_BASE_POINTS: u32 = 256;
/// How far outside [0, 1] a Sobol index, or an end of its bootstrap interval, may fall before it
/// gets a warning (a little is the noise of an index near 0 or 1).
pub const SOBOL_SLACK: f64 = 0.05;
/// Indices named per metric in such a warning, at most.
const SHOW_OUTSIDE: usize = 4;

/// Bins of a continuous parameter in the effect plots, at most.
const MAX_BINS: usize = 10;
/// Points drawn in an effect panel, at most (every n-th point beyond).
const MAX_SCATTER: usize = 5000;

/// What a parameter's axis is split into for the effect plots.
struct Axis {
    /// Bin of a unit coordinate.
    bins: usize,
    grid: bool,
}

impl Axis {
    fn new(p: &Parameter, sampler: &Sampler, points: u64) -> Self {
        match (&p.values, sampler) {
            (Some(v), _) => Axis { bins: v.len(), grid: true },
            (None, Sampler::Grid { levels } | Sampler::Morris { levels, .. }) => {
                Axis { bins: *levels as usize, grid: true }
            }
            (None, _) => Axis { bins: (points as usize / 5).clamp(3, MAX_BINS), grid: false },
        }
    }

    fn bin(&self, u: f64) -> usize {
        let b = if self.grid && self.bins > 1 {
            (u * (self.bins - 1) as f64).round()
        } else {
            (u * self.bins as f64).floor()
        };
        (b.max(0.0) as usize).min(self.bins - 1)
    }

    /// The unit coordinate at the middle of bin `b`.
    fn center(&self, b: usize) -> f64 {
        if self.grid {
            if self.bins > 1 { b as f64 / (self.bins - 1) as f64 } else { 0.5 }
        } else {
            (b as f64 + 0.5) / self.bins as f64
        }
    }
}

/// Everything read from `runs.csv`.
struct Tally {
    /// Per point: its runs, failed runs, per metric.
    runs: Vec<u32>,
    failed: Vec<u32>,
    per_point: Vec<Vec<Running>>,
    /// Per parameter, bin and metric: runs' values.
    per_bin: Vec<Vec<Vec<Running>>>,
}

/// What `sim analyze` wrote, and what its user should know about the input.
#[derive(Debug)]
pub struct Analysis {
    /// The files written.
    pub written: Vec<PathBuf>,
    /// Problems with the input that did not stop the analysis: runs missing from `runs.csv`, a
    /// Sobol design too small for its indices, indices outside [0, 1].
    pub warnings: Vec<String>,
}

/// Analyses the sweep in `dir`; returns the files written (see [`analysis`] for the warnings).
pub fn analyze(dir: &Path) -> Result<Vec<PathBuf>, SimError> {
    analysis(dir).map(|a| a.written)
}

/// Analyses the sweep in `dir`: the files written and the warnings. A directory that holds a
/// shard is a usage error.
pub fn analysis(dir: &Path) -> Result<Analysis, SimError> {
    let m = Manifest::read(dir)?
        .ok_or_else(|| SimError::Usage(format!("{}: no sweep.json here; not a sweep directory", dir.display())))?;
    if let Some(shard) = m.shard.filter(|s| s.count > 1) {
        return Err(SimError::Usage(format!(
            "{}: holds shard {shard} of sweep `{}` ({} of its {} runs), not the whole sweep; merge the shards \
             first with `sim merge SHARD_DIR... --out DIR`, then run `sim analyze DIR`",
            dir.display(),
            m.name,
            shard.runs(m.total_runs),
            m.total_runs
        )));
    }
    let spec = &m.spec;
    let levels: Vec<u32> = spec.parameters.iter().map(|p| p.grid_levels(&spec.sampler)).collect();
    let design = Design::new(&spec.sampler, &levels, spec.seed);
    let axes: Vec<Axis> = spec.parameters.iter().map(|p| Axis::new(p, &spec.sampler, m.points)).collect();
    let tally = read_runs(dir, &m, &design, &axes)?;
    let mut warnings = Vec::new();
    let present: u64 = tally.runs.iter().map(|&r| u64::from(r)).sum();
    if present < m.total_runs {
        warnings.push(format!(
            "{}: runs.csv holds {present} of the sweep's {} runs (the sweep is still running or was \
             interrupted; `sim sweep {} --out {} --resume` runs the rest); the analysis uses the runs \
             present, and leaves empty the indices without enough data",
            dir.display(),
            m.total_runs,
            m.sweep_file,
            dir.display()
        ));
    }
    let integer: Vec<bool> = spec
        .parameters
        .iter()
        .map(|p| path::get(&m.base_scenario, &p.path).is_ok_and(super::spec::is_integer))
        .collect();
    let out = dir.join("analysis");
    std::fs::create_dir_all(&out).map_err(|e| SimError::io(&out, e))?;
    let mut written = vec![write_points(&out, &m, &design, &integer, &tally)?];
    let means: Vec<Vec<f64>> = tally.per_point.iter().map(|p| p.iter().map(|r| r.sample().mean).collect()).collect();
    let mut sensitivity = Vec::new();
    match spec.sampler {
        Sampler::Sobol { base_points } => {
            let (path, s) = write_sobol(&out, &m, &means, u64::from(base_points))?;
            written.push(path);
            warnings.extend(sobol_warnings(base_points, &s));
            sensitivity = s;
        }
        Sampler::Morris { trajectories, levels } => {
            let (path, s) = write_morris(&out, &m, &design, &means, u64::from(trajectories), levels)?;
            written.push(path);
            sensitivity = s;
        }
        _ => {}
    }
    let effects = effect_panels(&m, &design, &integer, &axes, &tally, &means);
    written.extend(plots::write_all(&out.join("plots"), &effects, &sensitivity)?);
    Ok(Analysis { written, warnings })
}

fn read_runs(dir: &Path, m: &Manifest, design: &Design, axes: &[Axis]) -> Result<Tally, SimError> {
    let path = dir.join(RUNS_CSV);
    let bad = |message: String| SimError::Usage(format!("{}: {message}", path.display()));
    let mut reader = csv::Reader::from_path(&path).map_err(|e| bad(e.to_string()))?;
    let (points, k, nm) = (m.points as usize, m.parameters.len(), m.metrics.len());
    let mut t = Tally {
        runs: vec![0; points],
        failed: vec![0; points],
        per_point: vec![vec![Running::default(); nm]; points],
        per_bin: axes.iter().map(|a| vec![vec![Running::default(); nm]; a.bins]).collect(),
    };
    let mut record = csv::StringRecord::new();
    let mut cached: Option<(usize, Vec<usize>)> = None;
    while reader.read_record(&mut record).map_err(|e| bad(e.to_string()))? {
        let point: usize = record
            .get(1)
            .and_then(|p| p.parse().ok())
            .filter(|&p| p < points)
            .ok_or_else(|| bad(format!("line {}: bad point_id", record.position().map_or(0, |p| p.line()))))?;
        if cached.as_ref().is_none_or(|(p, _)| *p != point) {
            let bins = design.unit(point as u64).iter().zip(axes).map(|(&u, a)| a.bin(u)).collect();
            cached = Some((point, bins));
        }
        let bins = &cached.as_ref().expect("set above").1;
        t.runs[point] += 1;
        if record.get(4 + k + nm) != Some("ok") {
            t.failed[point] += 1;
            continue;
        }
        for j in 0..nm {
            let x = record.get(4 + k + j).and_then(|c| c.parse::<f64>().ok()).unwrap_or(f64::NAN);
            t.per_point[point][j].push(x);
            for (i, &b) in bins.iter().enumerate() {
                t.per_bin[i][b][j].push(x);
            }
        }
    }
    Ok(t)
}

fn csv_row(w: &mut dyn Write, fields: &[String]) -> std::io::Result<()> {
    let mut c = csv::Writer::from_writer(Vec::new());
    c.write_record(fields).map_err(std::io::Error::other)?;
    w.write_all(&c.into_inner().map_err(|e| std::io::Error::other(e.to_string()))?)
}

fn write_points(out: &Path, m: &Manifest, design: &Design, integer: &[bool], t: &Tally) -> Result<PathBuf, SimError> {
    let path = out.join("points.csv");
    write_atomic(&path, |w| {
        let mut header: Vec<String> = vec!["point_id".into()];
        header.extend(m.parameters.iter().map(|p| p.name.clone()));
        header.extend(["runs", "failed"].map(String::from));
        for name in &m.metrics {
            header.extend(["mean", "sd", "ci_lo", "ci_hi"].map(|s| format!("{name}:{s}")));
        }
        csv_row(w, &header)?;
        for p in 0..t.runs.len() {
            let mut row = vec![p.to_string()];
            // The values from the design, so that a point without a successful run has them too.
            let u = design.unit(p as u64);
            row.extend(m.spec.parameters.iter().zip(integer).zip(u).map(|((q, &int), u)| cell(&q.value(u, int))));
            row.extend([t.runs[p].to_string(), t.failed[p].to_string()]);
            for r in &t.per_point[p] {
                let s: Sample = r.sample();
                row.extend([s.mean, s.sd, s.lo, s.hi].map(format_number));
            }
            csv_row(w, &row)?;
        }
        Ok(())
    })?;
    Ok(path)
}

fn write_sobol(out: &Path, m: &Manifest, means: &[Vec<f64>], n: u64) -> Result<(PathBuf, Vec<Sensitivity>), SimError> {
    let k = m.parameters.len();
    let mut figures = Vec::new();
    let mut rows = Vec::new();
    for (j, metric) in m.metrics.iter().enumerate() {
        let (mut fa, mut fb, mut fab) = (Vec::new(), Vec::new(), vec![Vec::new(); k]);
        for row in 0..n {
            let ids = (0..k as u64 + 2).map(|i| (row * (k as u64 + 2) + i) as usize);
            let ys: Vec<f64> = ids.map(|id| means[id][j]).collect();
            if ys.iter().any(|y| !y.is_finite()) {
                continue;
            }
            for (i, y) in ys.into_iter().enumerate() {
                match saltelli_role(i as u64, k).1 {
                    SaltelliRole::A => fa.push(y),
                    SaltelliRole::B => fb.push(y),
                    SaltelliRole::AB(f) => fab[f].push(y),
                }
            }
        }
        let s = stats::sobol(&fa, &fb, &fab, m.spec.bootstrap, m.spec.seed);
        for (i, p) in m.parameters.iter().enumerate() {
            let (s1, st) = (s.first[i], s.total[i]);
            rows.push(
                vec![metric.clone(), p.name.clone(), fa.len().to_string()]
                    .into_iter()
                    .chain([s1.value, s1.lo, s1.hi, st.value, st.lo, st.hi].map(format_number))
                    .collect::<Vec<_>>(),
            );
        }
        figures.push(Sensitivity {
            metric: metric.clone(),
            parameters: m.parameters.iter().map(|p| p.name.clone()).collect(),
            indices: Indices::Sobol { first: s.first, total: s.total, rows: fa.len() },
        });
    }
    let header = ["metric", "parameter", "rows", "S1", "S1_ci_lo", "S1_ci_hi", "ST", "ST_ci_lo", "ST_ci_hi"];
    let path = write_table(out, "sobol.csv", &header, &rows)?;
    Ok((path, figures))
}

/// The warnings on a Sobol analysis: a design of fewer than [`MIN_SOBOL_BASE_POINTS`] base
/// rows, and per metric the indices that fall (or whose interval reaches) outside [0, 1] by more
/// than [`SOBOL_SLACK`], which no variance share can.
fn sobol_warnings(base_points: u32, figures: &[Sensitivity]) -> Vec<String> {
    let advice = format!("raise sampler.base_points to {MIN_SOBOL_BASE_POINTS} or more (docs/SWEEPS.md)");
    let mut warnings = Vec::new();
    if base_points < MIN_SOBOL_BASE_POINTS {
        warnings.push(format!(
            "sobol.csv: the Sobol design has {base_points} base rows; below {MIN_SOBOL_BASE_POINTS} the indices of \
             a stochastic model are mostly noise and may fall far outside [0, 1]; read them with their intervals, \
             or {advice}"
        ));
    }
    let outside = |x: f64| !(-SOBOL_SLACK..=1.0 + SOBOL_SLACK).contains(&x) && x.is_finite();
    let show = |e: &Estimate| match (e.lo.is_finite(), e.hi.is_finite()) {
        (true, true) => format!("{:.2} (interval {:.2} to {:.2})", e.value, e.lo, e.hi),
        _ => format!("{:.2}", e.value),
    };
    for f in figures {
        let Indices::Sobol { first, total, rows } = &f.indices else { continue };
        let found: Vec<String> = [("S1", first), ("ST", total)]
            .into_iter()
            .flat_map(|(kind, estimates)| f.parameters.iter().zip(estimates).map(move |(p, e)| (kind, p, e)))
            .filter(|(_, _, e)| [e.value, e.lo, e.hi].into_iter().any(outside))
            .map(|(kind, p, e)| format!("{kind} of {p} = {}", show(e)))
            .collect();
        if found.is_empty() {
            continue;
        }
        let more = found.len().saturating_sub(SHOW_OUTSIDE);
        let more = if more > 0 { format!(", and {more} more") } else { String::new() };
        warnings.push(format!(
            "sobol.csv: metric `{}`: indices outside [0, 1] by more than {SOBOL_SLACK} (from {rows} rows): {}{more}; \
             an index is a share of variance, in [0, 1], so these estimates are too noisy to read: {advice}",
            f.metric,
            found[..found.len().min(SHOW_OUTSIDE)].join(", "),
        ));
    }
    warnings
}

fn write_morris(
    out: &Path,
    m: &Manifest,
    design: &Design,
    means: &[Vec<f64>],
    trajectories: u64,
    levels: u32,
) -> Result<(PathBuf, Vec<Sensitivity>), SimError> {
    let k = m.parameters.len();
    let per = k as u64 + 1;
    // Per metric and factor: the elementary effects, (y after - y before) / (u after - u before).
    let mut effects = vec![vec![Vec::new(); k]; m.metrics.len()];
    for t in 0..trajectories {
        let units: Vec<Vec<f64>> = (0..per).map(|s| design.unit(t * per + s)).collect();
        for s in 0..k {
            let (a, b) = (&units[s], &units[s + 1]);
            let Some(i) = (0..k).find(|&i| a[i] != b[i]) else { continue };
            let (ya, yb) = (&means[(t * per) as usize + s], &means[(t * per) as usize + s + 1]);
            for (j, ee) in effects.iter_mut().enumerate() {
                ee[i].push((yb[j] - ya[j]) / (b[i] - a[i]));
            }
        }
    }
    let mut rows = Vec::new();
    let mut figures = Vec::new();
    for (metric, ee) in m.metrics.iter().zip(&effects) {
        let st = stats::morris(ee, m.spec.bootstrap, m.spec.seed);
        for (p, s) in m.parameters.iter().zip(&st) {
            rows.push(
                vec![metric.clone(), p.name.clone(), s.n.to_string()]
                    .into_iter()
                    .chain([s.mu_star.value, s.mu_star.lo, s.mu_star.hi, s.mu, s.sigma].map(format_number))
                    .collect(),
            );
        }
        figures.push(Sensitivity {
            metric: metric.clone(),
            parameters: m.parameters.iter().map(|p| p.name.clone()).collect(),
            indices: Indices::Morris { stats: st, delta: morris_delta(levels) },
        });
    }
    let header = ["metric", "parameter", "effects", "mu_star", "mu_star_ci_lo", "mu_star_ci_hi", "mu", "sigma"];
    Ok((write_table(out, "morris.csv", &header, &rows)?, figures))
}

fn write_table(out: &Path, name: &str, header: &[&str], rows: &[Vec<String>]) -> Result<PathBuf, SimError> {
    let path = out.join(name);
    write_atomic(&path, |w| {
        csv_row(w, &header.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
        rows.iter().try_for_each(|r| csv_row(w, r))
    })?;
    Ok(path)
}

/// The effect plot data: per metric and parameter, the binned means with intervals and the
/// points' means.
fn effect_panels(
    m: &Manifest,
    design: &Design,
    integer: &[bool],
    axes: &[Axis],
    t: &Tally,
    means: &[Vec<f64>],
) -> Vec<Effect> {
    // x of a unit coordinate: the value for numeric parameters, the list index for text ones.
    let x_of = |i: usize, u: f64| -> f64 {
        let p = &m.spec.parameters[i];
        match (&p.values, m.parameters[i].numeric) {
            (Some(v), false) => ((u * v.len() as f64) as usize).min(v.len() - 1) as f64,
            _ => p.value(u, integer[i]).as_f64().unwrap_or(f64::NAN),
        }
    };
    let stride = (m.points as usize).div_ceil(MAX_SCATTER).max(1);
    let shown: Vec<(Vec<f64>, &Vec<f64>)> =
        (0..m.points as usize).step_by(stride).map(|p| (design.unit(p as u64), &means[p])).collect();
    m.metrics
        .iter()
        .enumerate()
        .map(|(j, metric)| Effect {
            metric: metric.clone(),
            panels: m
                .parameters
                .iter()
                .enumerate()
                .map(|(i, p)| EffectPanel {
                    parameter: p.name.clone(),
                    labels: if p.numeric {
                        Vec::new()
                    } else {
                        m.spec.parameters[i].values.iter().flatten().map(cell).collect()
                    },
                    bins: (0..axes[i].bins)
                        .map(|b| (x_of(i, axes[i].center(b)), t.per_bin[i][b][j].sample()))
                        .filter(|(_, s)| s.n > 0)
                        .collect(),
                    points: shown.iter().map(|(u, y)| (x_of(i, u[i]), y[j])).filter(|(_, y)| y.is_finite()).collect(),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sobol indices of parameters `a` and `b` on metric `m@2025`: (S1, ST) as (value, lo, hi).
    fn indices(first: [(f64, f64, f64); 2], total: [(f64, f64, f64); 2], rows: usize) -> Sensitivity {
        let est = |(value, lo, hi)| Estimate { value, lo, hi };
        Sensitivity {
            metric: "m@2025".into(),
            parameters: vec!["a".into(), "b".into()],
            indices: Indices::Sobol { first: first.map(est).to_vec(), total: total.map(est).to_vec(), rows },
        }
    }

    #[test]
    fn sobol_warnings_name_small_designs_and_indices_outside_0_1() {
        let inside = || indices([(0.3, 0.1, 0.5), (0.0, -0.04, 0.05)], [(0.6, 0.4, 0.8), (0.02, 0.0, 1.04)], 512);
        assert!(sobol_warnings(512, &[inside()]).is_empty());
        let small = sobol_warnings(32, &[inside()]);
        assert_eq!(small.len(), 1);
        assert!(small[0].contains("has 32 base rows; below 256"), "{}", small[0]);
        // An index outside, or an interval reaching outside, names the metric and the parameter.
        for (first, total, what) in [
            (
                [(0.3, 0.1, 0.5), (-1.7, -3.1, 0.4)],
                [(0.6, 0.4, 0.8), (0.0, 0.0, 0.1)],
                "S1 of b = -1.70 (interval -3.10 to 0.40)",
            ),
            (
                [(0.3, 0.1, 0.5), (0.0, 0.0, 0.1)],
                [(0.9, 0.4, 1.2), (0.0, 0.0, 0.1)],
                "ST of a = 0.90 (interval 0.40 to 1.20)",
            ),
            (
                [(0.3, f64::NAN, f64::NAN), (0.0, 0.0, 0.1)],
                [(2.4, f64::NAN, f64::NAN), (0.0, 0.0, 0.1)],
                "ST of a = 2.40;",
            ),
        ] {
            let w = sobol_warnings(512, &[indices(first, total, 512)]);
            assert_eq!(w.len(), 1, "{w:?}");
            assert!(
                w[0].contains("metric `m@2025`") && w[0].contains(what) && w[0].contains("from 512 rows"),
                "{}",
                w[0]
            );
        }
    }
}
