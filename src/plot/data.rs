//! Loading a simulation output directory into memory for plotting.
//!
//! Every CSV file is read with named headers: extra columns are ignored,
//! missing columns are reported up front (line 1) with their names, and a
//! record that fails to parse is reported with its line number and column.

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use super::PlotError;

/// Parses a numeric CSV field; an empty field becomes NaN ("no value").
///
/// Integers and floats are both accepted. Consumers skip non-finite values.
fn num<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// Parses a `YYYY-MM-DD` date, naming the bad value in the error.
fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let s = String::deserialize(d)?;
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| {
        serde::de::Error::custom(format!("invalid date `{s}` in column `date` (expected YYYY-MM-DD): {e}"))
    })
}

/// One row of `ticks.csv`: whole-market aggregates for one simulated week.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct TickRow {
    pub tick: u32,
    #[serde(deserialize_with = "date")]
    pub date: NaiveDate,
    #[serde(deserialize_with = "num")]
    pub year: f64,
    #[serde(deserialize_with = "num")]
    pub active_sellers: f64,
    #[serde(deserialize_with = "num")]
    pub active_brand: f64,
    #[serde(deserialize_with = "num")]
    pub active_white_label: f64,
    #[serde(deserialize_with = "num")]
    pub entries: f64,
    #[serde(deserialize_with = "num")]
    pub exits: f64,
    #[serde(deserialize_with = "num")]
    pub exits_insolvent: f64,
    #[serde(deserialize_with = "num")]
    pub exits_sustained_losses: f64,
    #[serde(deserialize_with = "num")]
    pub exits_regulatory: f64,
    #[serde(deserialize_with = "num")]
    pub gmv_usd: f64,
    #[serde(deserialize_with = "num")]
    pub orders: f64,
    #[serde(deserialize_with = "num")]
    pub brand_gmv_share: f64,
    #[serde(deserialize_with = "num")]
    pub direct_parcel_gmv_share: f64,
    #[serde(deserialize_with = "num")]
    pub avg_cpc_usd: f64,
    #[serde(deserialize_with = "num")]
    pub duties_usd: f64,
    #[serde(deserialize_with = "num")]
    pub vat_usd: f64,
    #[serde(deserialize_with = "num")]
    pub seized_parcels: f64,
}

/// One row of `platforms.csv`: one platform in one region for one week.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct PlatformRow {
    pub tick: u32,
    #[serde(deserialize_with = "date")]
    pub date: NaiveDate,
    pub platform: String,
    pub region: String,
    #[serde(deserialize_with = "num")]
    pub gmv_usd: f64,
    #[serde(deserialize_with = "num")]
    pub orders: f64,
    #[serde(deserialize_with = "num")]
    pub share_in_region: f64,
    #[serde(deserialize_with = "num")]
    pub active_listings: f64,
    #[serde(deserialize_with = "num")]
    pub cpc_usd: f64,
    #[serde(deserialize_with = "num")]
    pub marketing_usd: f64,
    #[serde(deserialize_with = "num")]
    pub take_rate: f64,
}

/// One row of `segments.csv`: one seller segment (origin x kind x size) for
/// one week, in real-seller units.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct SegmentRow {
    pub tick: u32,
    #[serde(deserialize_with = "date")]
    pub date: NaiveDate,
    pub origin: String,
    pub kind: String,
    pub size: String,
    #[serde(deserialize_with = "num")]
    pub active: f64,
    #[serde(deserialize_with = "num")]
    pub entries: f64,
    #[serde(deserialize_with = "num")]
    pub exits: f64,
    #[serde(deserialize_with = "num")]
    pub revenue_usd: f64,
    #[serde(deserialize_with = "num")]
    pub profit_usd: f64,
    #[serde(deserialize_with = "num")]
    pub ad_spend_usd: f64,
    #[serde(deserialize_with = "num")]
    pub cost_to_revenue: f64,
}

/// One row of `exits.csv`: one sampled seller agent leaving the market.
#[derive(Debug, Clone, Deserialize)]
#[allow(missing_docs)]
pub struct ExitRow {
    pub tick: u32,
    #[serde(deserialize_with = "date")]
    pub date: NaiveDate,
    pub seller_id: String,
    pub origin: String,
    pub kind: String,
    pub size: String,
    pub category: String,
    pub platform: String,
    pub reason: String,
    #[serde(deserialize_with = "num")]
    pub age_weeks: f64,
    #[serde(deserialize_with = "num")]
    pub cash_usd: f64,
    /// Real sellers this agent stands for, if the file has a `weight` column.
    #[serde(default)]
    pub weight: Option<f64>,
}

/// One row of `events.csv`: a policy event drawn as a vertical marker; or a stochastic shock
/// of `shocks.csv`, drawn as a marker at its start and a shaded band while it runs.
#[derive(Debug, Clone, Deserialize)]
pub struct EventMark {
    /// Date the event takes effect.
    #[serde(deserialize_with = "date")]
    pub date: NaiveDate,
    /// Short label, e.g. "US de minimis ends (cn)".
    pub label: String,
    /// For a shock, the end of the period it runs (the day after its last week).
    #[serde(skip)]
    pub until: Option<NaiveDate>,
}

/// One row of `shocks.csv`, as the charts read it.
#[derive(Debug, Clone, Deserialize)]
struct ShockPeriod {
    #[serde(deserialize_with = "date")]
    start_date: NaiveDate,
    #[serde(deserialize_with = "date")]
    end_date: NaiveDate,
    label: String,
    #[serde(deserialize_with = "num")]
    factor: f64,
    weeks: u32,
}

impl From<ShockPeriod> for EventMark {
    fn from(s: ShockPeriod) -> Self {
        let label = format!("{}: x{} for {} week{}", s.label, s.factor, s.weeks, if s.weeks == 1 { "" } else { "s" });
        Self { date: s.start_date, label, until: Some(s.end_date + chrono::Duration::weeks(1)) }
    }
}

/// Required header columns per file (extra columns are allowed).
pub(crate) const TICKS_COLUMNS: &[&str] = &[
    "tick",
    "date",
    "year",
    "active_sellers",
    "active_brand",
    "active_white_label",
    "entries",
    "exits",
    "exits_insolvent",
    "exits_sustained_losses",
    "exits_regulatory",
    "gmv_usd",
    "orders",
    "brand_gmv_share",
    "direct_parcel_gmv_share",
    "avg_cpc_usd",
    "duties_usd",
    "vat_usd",
    "seized_parcels",
];
pub(crate) const PLATFORMS_COLUMNS: &[&str] = &[
    "tick",
    "date",
    "platform",
    "region",
    "gmv_usd",
    "orders",
    "share_in_region",
    "active_listings",
    "cpc_usd",
    "marketing_usd",
    "take_rate",
];
pub(crate) const SEGMENTS_COLUMNS: &[&str] = &[
    "tick",
    "date",
    "origin",
    "kind",
    "size",
    "active",
    "entries",
    "exits",
    "revenue_usd",
    "profit_usd",
    "ad_spend_usd",
    "cost_to_revenue",
];
pub(crate) const EXITS_COLUMNS: &[&str] =
    &["tick", "date", "seller_id", "origin", "kind", "size", "category", "platform", "reason", "age_weeks", "cash_usd"];
pub(crate) const EVENTS_COLUMNS: &[&str] = &["date", "label"];
pub(crate) const SHOCKS_COLUMNS: &[&str] = &["start_date", "end_date", "label", "factor", "weeks"];

/// Everything the charts need from one simulation output directory.
#[derive(Debug, Clone, Default)]
pub struct RunData {
    /// Directory the data was loaded from.
    pub dir: PathBuf,
    /// Scenario name from `manifest.json`.
    pub scenario: String,
    /// `ticks.csv` rows.
    pub ticks: Vec<TickRow>,
    /// `platforms.csv` rows.
    pub platforms: Vec<PlatformRow>,
    /// `segments.csv` rows.
    pub segments: Vec<SegmentRow>,
    /// `exits.csv` rows (empty if the file is absent).
    pub exits: Vec<ExitRow>,
    /// `events.csv` and `shocks.csv` rows (empty if the files are absent), sorted by date.
    pub events: Vec<EventMark>,
}

impl RunData {
    /// Earliest and latest date found in the time-series files, if any.
    pub fn date_span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let dates = self
            .ticks
            .iter()
            .map(|r| r.date)
            .chain(self.platforms.iter().map(|r| r.date))
            .chain(self.segments.iter().map(|r| r.date));
        dates.fold(None, |acc, d| match acc {
            None => Some((d, d)),
            Some((a, b)) => Some((a.min(d), b.max(d))),
        })
    }
}

/// Loads a simulation output directory.
///
/// Required: `manifest.json` (with a string `"scenario"`), `ticks.csv`,
/// `platforms.csv`, `segments.csv`. Optional: `exits.csv`, `events.csv`, `shocks.csv`
/// (absent means no rows).
pub fn load_run(dir: &Path) -> Result<RunData, PlotError> {
    let scenario = read_scenario(&dir.join("manifest.json"))?;
    let ticks = read_csv(&dir.join("ticks.csv"), TICKS_COLUMNS, true)?;
    let platforms = read_csv(&dir.join("platforms.csv"), PLATFORMS_COLUMNS, true)?;
    let segments = read_csv(&dir.join("segments.csv"), SEGMENTS_COLUMNS, true)?;
    let exits = read_csv(&dir.join("exits.csv"), EXITS_COLUMNS, false)?;
    let mut events: Vec<EventMark> = read_csv(&dir.join("events.csv"), EVENTS_COLUMNS, false)?;
    let shocks: Vec<ShockPeriod> = read_csv(&dir.join("shocks.csv"), SHOCKS_COLUMNS, false)?;
    events.extend(shocks.into_iter().map(EventMark::from));
    events.sort_by_key(|e| e.date);
    Ok(RunData { dir: dir.to_path_buf(), scenario, ticks, platforms, segments, exits, events })
}

fn open(path: &Path, required: bool) -> Result<Option<File>, PlotError> {
    match File::open(path) {
        Ok(f) => Ok(Some(f)),
        // A file where the output directory should be leaves the data as missing as no directory.
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => {
            if required {
                Err(PlotError::Missing { path: path.to_path_buf() })
            } else {
                Ok(None)
            }
        }
        Err(source) => Err(PlotError::Io { path: path.to_path_buf(), source }),
    }
}

fn read_scenario(path: &Path) -> Result<String, PlotError> {
    let file = open(path, true)?.ok_or_else(|| PlotError::Missing { path: path.to_path_buf() })?;
    let bad = |message: String| PlotError::Json { path: path.to_path_buf(), message };
    let value: serde_json::Value =
        serde_json::from_reader(std::io::BufReader::new(file)).map_err(|e| bad(e.to_string()))?;
    match value.get("scenario") {
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(bad(format!("field \"scenario\" is not a string: {other}"))),
        None => Err(bad("missing field \"scenario\"".into())),
    }
}

/// Reads a whole CSV file into rows, checking the header first.
fn read_csv<T: DeserializeOwned>(path: &Path, columns: &[&str], required: bool) -> Result<Vec<T>, PlotError> {
    let Some(file) = open(path, required)? else {
        return Ok(Vec::new());
    };
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(std::io::BufReader::new(file));
    let headers = reader.headers().map_err(|e| csv_error(path, &e, None))?.clone();
    let missing: Vec<&str> = columns.iter().copied().filter(|c| !headers.iter().any(|h| h == *c)).collect();
    if !missing.is_empty() {
        return Err(PlotError::Csv {
            path: path.to_path_buf(),
            line: 1,
            column: None,
            message: format!("header is missing column(s): {}", missing.join(", ")),
        });
    }
    reader.deserialize().map(|row| row.map_err(|e| csv_error(path, &e, Some(&headers)))).collect()
}

/// Converts a `csv` error into [`PlotError::Csv`] (or `Io`), naming the line
/// and, for field errors, the column.
fn csv_error(path: &Path, err: &csv::Error, headers: Option<&csv::StringRecord>) -> PlotError {
    let line = err.position().map_or(0, |p| p.line());
    let (column, message) = match err.kind() {
        csv::ErrorKind::Io(e) => {
            return PlotError::Io { path: path.to_path_buf(), source: std::io::Error::new(e.kind(), e.to_string()) };
        }
        csv::ErrorKind::Deserialize { err: de, .. } => {
            let column = de.field().and_then(|i| headers.and_then(|h| h.get(i as usize))).map(str::to_owned);
            (column, de.kind().to_string())
        }
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            (None, format!("record has {len} fields, expected {expected_len}"))
        }
        csv::ErrorKind::Utf8 { err: e, .. } => (None, format!("invalid UTF-8: {e}")),
        _ => (None, err.to_string()),
    };
    PlotError::Csv { path: path.to_path_buf(), line, column, message }
}
