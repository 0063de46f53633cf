//! Sweep metrics: a field of one year of `summary.json`, by path and year, e.g. `gmv_growth@2025`,
//! `exit_rate_by_kind.white_label@2025`, `platform_share_by_region.us.temu@2026`.
//!
//! Names are checked at load time against the summary of a small dry run of the base scenario,
//! so a typo gets the same "did you mean" hint as a scenario field path.

use crate::config::{self, FieldError, path};
use crate::output::{Summary, summarize};
use serde_json::Value;

/// Agent counts of the dry run that shows the summary's structure.
const DRY_RUN_SELLERS: u32 = 200;
const DRY_RUN_CONSUMERS: u32 = 2000;

/// One metric column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    /// Column name, `path@year`.
    pub name: String,
    /// Path in a year of `summary.json`.
    pub path: String,
    pub year: i32,
}

/// Expands and checks the metric names of a sweep file against the base scenario's summary.
pub fn resolve(names: &[String], base: &Value) -> Result<Vec<Metric>, Vec<FieldError>> {
    let summary = dry_run(base).map_err(|e| vec![FieldError::new("metrics", e)])?;
    let years: Vec<(i32, Value)> =
        summary.years.iter().map(|y| (y.year, serde_json::to_value(y).expect("a summary serializes"))).collect();
    let year_list = years.iter().map(|(y, _)| y.to_string()).collect::<Vec<_>>().join(", ");
    let mut metrics = Vec::new();
    let mut errors = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let mut fail =
            |message: String| errors.push(FieldError::new(format!("metrics[{i}]"), format!("`{name}`: {message}")));
        let (field, year) = match name.rsplit_once('@') {
            None => (name.as_str(), None),
            Some((f, y)) => match y.trim().parse::<i32>() {
                Ok(y) => (f, Some(y)),
                Err(_) => {
                    fail(format!("`{y}` is not a year; years: {year_list}"));
                    continue;
                }
            },
        };
        let field = field.trim();
        let chosen: Vec<&(i32, Value)> = match year {
            None => years.iter().collect(),
            Some(y) => match years.iter().find(|(yy, _)| *yy == y) {
                Some(found) => vec![found],
                None => {
                    fail(format!("no year {y} in the calendar; years: {year_list}"));
                    continue;
                }
            },
        };
        for (y, doc) in chosen {
            match path::get(doc, field) {
                Err(e) => {
                    fail(e.message);
                    break;
                }
                Ok(Value::Object(m)) => {
                    let keys = m.keys().cloned().collect::<Vec<_>>().join(", ");
                    fail(format!("is a map; name one of its keys: {keys}"));
                    break;
                }
                Ok(v) if !(v.is_number() || v.is_null()) => {
                    fail(format!("is not a number ({v})"));
                    break;
                }
                Ok(_) => metrics.push(Metric { name: format!("{field}@{y}"), path: field.to_string(), year: *y }),
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for m in &metrics {
        if !seen.insert(&m.name) {
            errors.push(FieldError::new("metrics", format!("`{}` is listed twice", m.name)));
        }
    }
    if errors.is_empty() { Ok(metrics) } else { Err(errors) }
}

/// Runs the base scenario with few agents, for the structure of its summary.
fn dry_run(base: &Value) -> Result<Summary, String> {
    let mut doc = base.clone();
    for (field, cap) in [("seller_agents", DRY_RUN_SELLERS), ("consumer_agents", DRY_RUN_CONSUMERS)] {
        let n = doc["scale"][field].as_u64().unwrap_or(u64::from(cap)).min(u64::from(cap));
        doc["scale"][field] = n.into();
    }
    let scenario = config::from_value(doc).map_err(|e| e.to_string())?;
    let results = crate::run::simulate(&scenario, scenario.seed, &mut |_, _| {});
    Ok(summarize(&results))
}

/// The metric values of a run; NaN where the summary has no value (e.g. the growth of a first
/// year, or a year the run's calendar does not reach).
pub fn extract(metrics: &[Metric], summary: &Summary) -> Vec<f64> {
    let mut docs: Vec<(i32, Value)> = Vec::new();
    metrics
        .iter()
        .map(|m| {
            if !docs.iter().any(|(y, _)| *y == m.year)
                && let Some(y) = summary.years.iter().find(|y| y.year == m.year)
            {
                docs.push((m.year, serde_json::to_value(y).expect("a summary serializes")));
            }
            docs.iter()
                .find(|(y, _)| *y == m.year)
                .and_then(|(_, d)| path::get(d, &m.path).ok())
                .and_then(Value::as_f64)
                .unwrap_or(f64::NAN)
        })
        .collect()
}
