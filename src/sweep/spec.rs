//! Sweep files (`configs/sweeps/*.ron`): the schema, loading and validation.
//!
//! A sweep names a base scenario, the parameters to vary (by their field path in the scenario,
//! as in events and overlays), a sampler, replicates and the metrics to collect. Problems are
//! reported all at once with the sweep file's name and the field, like scenario errors; an
//! unknown parameter path or metric names the nearest valid ones.

use super::metrics::{self, Metric};
use super::samplers::{Design, sobol_skip};
use super::sobol;
use crate::config::{self, ConfigError, FieldError, Scenario, path};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Most runs a sweep may have (points x replicates).
pub const MAX_RUNS: u64 = 1_000_000_000;

/// Most points of a Latin hypercube: its strata (one permutation of the points per parameter) are
/// held in memory before the first run.
pub const MAX_LHS_POINTS: u32 = 10_000_000;

/// Columns of every sweep's `runs.csv`, not available as parameter names.
const RESERVED: [&str; 6] = ["run_id", "point_id", "replicate", "seed", "status", "error"];

/// A sweep file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Sweep")]
pub struct SweepSpec {
    /// Short name, used for the default output directory. `[A-Za-z0-9_.-]+`.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Base scenario file, relative to the sweep file (may itself be an overlay with `base:`).
    pub base: String,
    /// Sweep seed: each run's seed derives from it and the run id alone.
    #[serde(default)]
    pub seed: u64,
    pub sampler: Sampler,
    /// Runs per point with different seeds, 1 to 10,000.
    #[serde(default = "one")]
    pub replicates: u32,
    /// Seed runs by replicate only, so every point's replicate r shares its random numbers
    /// (less noise between points); default false: every run has its own seed.
    #[serde(default)]
    pub common_random_numbers: bool,
    /// Agent counts for fast runs; `scale.real_sellers` is kept, so real units stay comparable.
    #[serde(default)]
    pub scale: Option<ScaleOverride>,
    /// Fixed changes to the base scenario, field path to value (e.g. `"calendar.weeks": 104`),
    /// written as in overlays (enum values by name).
    #[serde(default, deserialize_with = "config::deserialize_set")]
    pub set: BTreeMap<String, ron::Value>,
    /// The parameters varied, in column order (for Sobol and Morris: the factors).
    pub parameters: Vec<Parameter>,
    /// Metrics per run: a `summary.json` year field by path and year, `platform_share.amazon@2026`;
    /// without `@year`, one metric per year of the calendar.
    pub metrics: Vec<String>,
    /// Bootstrap resamples for the Sobol and Morris intervals of `sim analyze`, 0 to 100,000.
    #[serde(default = "default_bootstrap")]
    pub bootstrap: u32,
}

fn one() -> u32 {
    1
}

fn default_bootstrap() -> u32 {
    1000
}

/// How the points are chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Sampler {
    /// Every combination; a range gets `levels` evenly spaced values (ends included), a list all
    /// its values.
    Grid { levels: u32 },
    /// Independent uniform points.
    Random { points: u32 },
    /// Latin hypercube: each axis cut into `points` strata, one point in each; 1 to
    /// [`MAX_LHS_POINTS`] points.
    LatinHypercube { points: u32 },
    /// Saltelli's scheme on the Sobol sequence for first-order and total Sobol indices:
    /// `base_points * (parameters + 2)` points; `base_points` a power of two, at least 2.
    Sobol { base_points: u32 },
    /// Morris elementary effects: `trajectories * (parameters + 1)` points on a grid of `levels`
    /// levels, an even number (the jump p / (2 (p - 1)) lands on the grid only for even p).
    Morris { trajectories: u32, levels: u32 },
}

impl Sampler {
    pub fn name(&self) -> &'static str {
        match self {
            Sampler::Grid { .. } => "grid",
            Sampler::Random { .. } => "random",
            Sampler::LatinHypercube { .. } => "latin_hypercube",
            Sampler::Sobol { .. } => "sobol",
            Sampler::Morris { .. } => "morris",
        }
    }
}

/// Agent counts for the sweep's runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Scale")]
pub struct ScaleOverride {
    pub seller_agents: u32,
    pub consumer_agents: u32,
}

/// One parameter: a scenario field and the values it takes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// Field path in the scenario, e.g. `platforms[temu].brand_tilt`.
    pub path: String,
    /// Column name [default: the path without quotes].
    #[serde(default)]
    pub name: Option<String>,
    /// Numeric range (low, high); an integer field takes whole numbers in it.
    #[serde(default)]
    pub range: Option<(f64, f64)>,
    /// Or a list of values (numbers, booleans, strings, enum values by name).
    #[serde(default, deserialize_with = "named_values")]
    pub values: Option<Vec<Value>>,
}

/// A parameter's list of values, with an enum value written by its bare name (`SemiManaged`)
/// kept as that name (read directly, RON hands it over as a unit, which JSON has only as null).
fn named_values<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<Value>>, D::Error> {
    let Some(values) = Option::<Vec<config::Named>>::deserialize(d)? else { return Ok(None) };
    let json = |config::Named::Value(v)| serde_json::to_value(v).map_err(serde::de::Error::custom);
    values.into_iter().map(json).collect::<Result<_, _>>().map(Some)
}

impl Parameter {
    /// The column name.
    pub fn column(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.path.replace('"', ""))
    }

    /// Levels on a grid axis: a list's length, or the grid's `levels` for a range.
    pub fn grid_levels(&self, sampler: &Sampler) -> u32 {
        match (&self.values, sampler) {
            (Some(v), _) => v.len() as u32,
            (None, Sampler::Grid { levels }) => *levels,
            (None, _) => 2,
        }
    }

    /// The value at unit coordinate `u` in [0, 1]: `low + u (high - low)` for a range (whole
    /// numbers uniformly in [low, high] for an integer field), value `floor(u n)` of a list.
    pub fn value(&self, u: f64, integer: bool) -> Value {
        let u = u.clamp(0.0, 1.0);
        match (&self.values, self.range) {
            (Some(v), _) => v[((u * v.len() as f64) as usize).min(v.len() - 1)].clone(),
            (None, Some((lo, hi))) if integer => {
                let (lo, hi) = (lo.ceil(), hi.floor());
                Value::from((lo + (u * (hi - lo + 1.0)).floor()).min(hi) as i64)
            }
            (None, Some((lo, hi))) => Value::from(round_to_12_digits(lo + u * (hi - lo))),
            (None, None) => Value::Null,
        }
    }

    /// Whether every value is a number (a numeric column).
    pub fn is_numeric(&self) -> bool {
        self.values.as_ref().is_none_or(|v| v.iter().all(Value::is_number))
    }
}

/// Whether a scenario value is a whole number, so that a parameter on it takes whole numbers.
pub fn is_integer(v: &Value) -> bool {
    v.is_i64() || v.is_u64()
}

/// `x` to 12 significant digits, so that a value on a range reads as written (0.9, not the
/// 0.9000000000000001 that `low + u * (high - low)` gives at u = 1) in the scenario and in
/// `runs.csv` alike; far finer than any parameter's meaning.
fn round_to_12_digits(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// A loaded, validated sweep: everything needed to run any of its runs.
#[derive(Debug, Clone)]
pub struct SweepPlan {
    pub spec: SweepSpec,
    pub file: PathBuf,
    /// The base scenario after `set` and `scale`, as a JSON value for path edits.
    pub base: Value,
    /// Whether each parameter's field holds whole numbers.
    pub integer: Vec<bool>,
    pub metrics: Vec<Metric>,
    pub design: Design,
    /// Hex digest of what determines the results (see [`sweep_id`]).
    pub id: String,
}

impl SweepPlan {
    /// Total runs: points x replicates.
    pub fn total_runs(&self) -> u64 {
        self.design.points() * u64::from(self.spec.replicates)
    }

    /// Parameter column names.
    pub fn parameter_columns(&self) -> Vec<String> {
        self.spec.parameters.iter().map(Parameter::column).collect()
    }

    /// The parameter values of point `point_id`.
    pub fn point_values(&self, point_id: u64) -> Vec<Value> {
        let u = self.design.unit(point_id);
        self.spec.parameters.iter().zip(&self.integer).zip(u).map(|((p, &int), u)| p.value(u, int)).collect()
    }

    /// The scenario of a point; an invalid combination of values is an error naming the fields.
    pub fn scenario(&self, values: &[Value]) -> Result<Scenario, String> {
        let mut doc = self.base.clone();
        for (p, v) in self.spec.parameters.iter().zip(values) {
            path::set(&mut doc, &p.path, v.clone()).map_err(|e| e.to_string())?;
        }
        let scenario = config::from_value(doc).map_err(|e| e.to_string())?;
        let errors = config::validate(&scenario);
        if errors.is_empty() {
            Ok(scenario)
        } else {
            Err(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
        }
    }
}

/// Reads and validates a sweep file.
pub fn load(file: &Path) -> Result<SweepPlan, ConfigError> {
    let text = config::read_text(file)?;
    let options = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let spec: SweepSpec = options.from_str(&text).map_err(|e| config::syntax(file, &text, e))?;
    let base_file = file.parent().unwrap_or(Path::new(".")).join(&spec.base);
    let base = config::load(&base_file)?;
    let invalid = |errors| ConfigError::Invalid { path: file.to_path_buf(), errors };
    let base = resolve_base(&spec, &base).map_err(invalid)?;
    let mut errors = check_spec(&spec);
    let integer = check_parameters(&spec, &base, &mut errors);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let metrics = metrics::resolve(&spec.metrics, &base).map_err(invalid)?;
    let levels: Vec<u32> = spec.parameters.iter().map(|p| p.grid_levels(&spec.sampler)).collect();
    let design = Design::new(&spec.sampler, &levels, spec.seed);
    let id = sweep_id(&spec, &base);
    Ok(SweepPlan { spec, file: file.to_path_buf(), base, integer, metrics, design, id })
}

/// The base scenario with the sweep's `set` and `scale` applied, checked.
fn resolve_base(spec: &SweepSpec, base: &Scenario) -> Result<Value, Vec<FieldError>> {
    let mut doc = config::to_value(base);
    let mut errors = Vec::new();
    for (field, value) in &spec.set {
        if let Err(e) = config::set_checked(&mut doc, field, value) {
            errors.push(e);
        }
    }
    if let Some(s) = &spec.scale {
        doc["scale"]["seller_agents"] = s.seller_agents.into();
        doc["scale"]["consumer_agents"] = s.consumer_agents.into();
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut scenario = config::from_value(doc).map_err(|e| vec![FieldError::new("set", e.message)])?;
    config::drop_events_past_end(&mut scenario, base);
    let errors: Vec<FieldError> = config::validate(&scenario)
        .into_iter()
        .map(|e| FieldError::new("base scenario after `set` and `scale`", e.to_string()))
        .collect();
    if errors.is_empty() { Ok(config::to_value(&scenario)) } else { Err(errors) }
}

fn check_spec(spec: &SweepSpec) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut push = |field: &str, message: String| errors.push(FieldError::new(field, message));
    if spec.name.is_empty() || !spec.name.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)) {
        push("name", format!("= {:?}: must be non-empty, letters, digits, `_`, `.` or `-`", spec.name));
    }
    if !(1..=10_000).contains(&spec.replicates) {
        push("replicates", format!("= {}: must be in [1, 10000]", spec.replicates));
    }
    if spec.bootstrap > 100_000 {
        push("bootstrap", format!("= {}: must be in [0, 100000]", spec.bootstrap));
    }
    if spec.parameters.is_empty() {
        push("parameters", "must list at least one parameter".into());
    }
    if spec.metrics.is_empty() {
        push("metrics", "must list at least one metric".into());
    }
    let k = spec.parameters.len() as u64;
    let points = match spec.sampler {
        Sampler::Grid { levels } => {
            if levels < 2 && spec.parameters.iter().any(|p| p.values.is_none()) {
                push("sampler.levels", format!("= {levels}: must be at least 2 for a range"));
            }
            spec.parameters.iter().try_fold(1u64, |acc, p| acc.checked_mul(u64::from(p.grid_levels(&spec.sampler))))
        }
        Sampler::Random { points } => {
            if points == 0 {
                push("sampler.points", "= 0: must be at least 1".into());
            }
            Some(u64::from(points))
        }
        Sampler::LatinHypercube { points } => {
            if !(1..=MAX_LHS_POINTS).contains(&points) {
                push(
                    "sampler.points",
                    format!("= {points}: must be in [1, {MAX_LHS_POINTS}] (the strata are held in memory)"),
                );
            }
            Some(u64::from(points))
        }
        Sampler::Sobol { base_points } => {
            if base_points < 2 || !base_points.is_power_of_two() {
                let near = base_points.max(2).next_power_of_two();
                push(
                    "sampler.base_points",
                    format!("= {base_points}: must be a power of two, at least 2 (2, 4, 8, ..., e.g. {near})"),
                );
            }
            if 2 * k > sobol::MAX_DIMS as u64 {
                push(
                    "parameters",
                    format!("{k} parameters: the Sobol sampler supports at most {}", sobol::MAX_DIMS / 2),
                );
            }
            u64::from(base_points).checked_mul(k + 2)
        }
        Sampler::Morris { trajectories, levels } => {
            if trajectories < 2 {
                push("sampler.trajectories", format!("= {trajectories}: must be at least 2"));
            }
            if levels < 2 || levels % 2 == 1 {
                push("sampler.levels", format!("= {levels}: must be even and at least 2 (2, 4, 6, ...)"));
            }
            u64::from(trajectories).checked_mul(k + 1)
        }
    };
    match points.and_then(|p| p.checked_mul(u64::from(spec.replicates))) {
        Some(runs) if runs <= MAX_RUNS => {}
        runs => {
            push("sampler", format!("{} runs: at most {MAX_RUNS}", runs.map_or("too many".into(), |r| r.to_string())))
        }
    }
    errors
}

/// Checks each parameter against the base scenario: its path exists, its values are usable, and
/// each end of a range (each value of a list) alone gives a valid scenario. Returns whether each
/// parameter's field is an integer.
fn check_parameters(spec: &SweepSpec, base: &Value, errors: &mut Vec<FieldError>) -> Vec<bool> {
    let mut names = BTreeSet::new();
    let mut integer = Vec::new();
    for (i, p) in spec.parameters.iter().enumerate() {
        let field = format!("parameters[{i}]");
        let mut push = |sub: &str, message: String| errors.push(FieldError::new(format!("{field}{sub}"), message));
        if !names.insert(p.column()) {
            push(".name", format!("`{}` is used by another parameter", p.column()));
        }
        if RESERVED.contains(&p.column().as_str()) {
            push(".name", format!("`{}` is a column of every sweep; choose another name", p.column()));
        }
        let current = match path::get(base, &p.path) {
            Ok(v) => v,
            Err(e) => {
                push(".path", e.to_string());
                integer.push(false);
                continue;
            }
        };
        let is_int = is_integer(current);
        integer.push(is_int);
        let samples: Vec<(String, Value)> = match (&p.range, &p.values) {
            (Some(_), Some(_)) | (None, None) => {
                push("", "needs exactly one of `range: (low, high)` and `values: [...]`".into());
                continue;
            }
            (Some((lo, hi)), None) => {
                if !current.is_number() {
                    push(".range", format!("`{}` is not a number ({current}); use `values: [...]`", p.path));
                    continue;
                }
                if !(lo.is_finite() && hi.is_finite() && lo < hi) || (is_int && lo.ceil() > hi.floor()) {
                    push(".range", format!("= ({lo}, {hi}): must be finite with low < high"));
                    continue;
                }
                vec![(".range.0".into(), p.value(0.0, is_int)), (".range.1".into(), p.value(1.0, is_int))]
            }
            (None, Some(values)) if values.is_empty() => {
                push(".values", "must list at least one value".into());
                continue;
            }
            (None, Some(values)) => {
                values.iter().enumerate().map(|(j, v)| (format!(".values[{j}]"), v.clone())).collect()
            }
        };
        for (sub, value) in samples {
            let mut doc = base.clone();
            let problem = match path::set(&mut doc, &p.path, value.clone()) {
                Err(e) => Some(e.message),
                Ok(()) => match config::from_value(doc) {
                    Err(e) => Some(e.message),
                    Ok(s) => {
                        let errs = config::validate(&s);
                        (!errs.is_empty()).then(|| errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
                    }
                },
            };
            if let Some(problem) = problem {
                push(&sub, format!("= {value}: {problem}"));
            }
        }
    }
    integer
}

/// The sweep id: a digest of everything that determines the runs' rows (the version, the
/// resolved base scenario, seed, sampler, replicates, parameters and metrics), not of names,
/// descriptions or the analysis settings.
pub fn sweep_id(spec: &SweepSpec, base: &Value) -> String {
    let mut key = serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "base": base,
        "seed": spec.seed,
        "sampler": spec.sampler,
        "replicates": spec.replicates,
        "common_random_numbers": spec.common_random_numbers,
        "parameters": spec.parameters,
        "metrics": spec.metrics,
    });
    if let Sampler::Sobol { base_points } = spec.sampler {
        // Sobol designs skip more of the sequence than they did (row 0 was the point where A = B):
        // a directory of the older design is another sweep, and is not resumed with the new one.
        key["sobol_skip"] = sobol_skip(base_points).into();
    }
    let digest = Sha256::digest(serde_json::to_vec(&key).expect("JSON values serialize"));
    crate::output::hex(&digest[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_values_read_as_written() {
        // Regression: 0.3 + 1.0 * (0.9 - 0.3) is 0.9000000000000001, which `runs.q == 0.9` misses.
        let p = Parameter { path: "x".into(), name: None, range: Some((0.3, 0.9)), values: None };
        assert_eq!(p.value(1.0, false), Value::from(0.9));
        assert_eq!(p.value(0.0, false), Value::from(0.3));
        assert_eq!(p.value(0.5, false), Value::from(0.6));
    }
}
