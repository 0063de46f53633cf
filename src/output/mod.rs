//! The output directory: CSV and JSON files written atomically (temporary name, then rename),
//! the manifest last, so a directory with a manifest is complete.

mod finite;
mod summary;

pub use finite::first_non_finite;
pub use summary::{Summary, YearSummary, summarize};

use crate::config::Scenario;
use crate::error::SimError;
use crate::model::record::{ExitRecord, SellerYearRow};
use crate::run::Results;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The data files of a run, in the order they are written (the manifest comes last).
pub const DATA_FILES: [&str; 9] = [
    "ticks.csv",
    "platforms.csv",
    "segments.csv",
    "regions.csv",
    "exits.csv",
    "seller_years.csv",
    "events.csv",
    "shocks.csv",
    "summary.json",
];

/// Marks a manifest as written by this tool.
pub const TOOL: &str = "crossborder-sim";

/// A category or platform id in an output row, shared (not copied) by every row that names it:
/// a full-scale run writes millions of rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(pub std::sync::Arc<str>);

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// One row of `exits.csv`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExitRow {
    pub tick: u32,
    pub date: chrono::NaiveDate,
    pub seller_id: u64,
    pub origin: &'static str,
    pub kind: &'static str,
    pub size: &'static str,
    pub category: Name,
    pub platform: Name,
    pub reason: &'static str,
    pub age_weeks: u32,
    pub cash_usd: f64,
}

/// One row of `seller_years.csv`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SellerYearOut {
    pub year: i32,
    pub seller_id: u64,
    pub origin: &'static str,
    pub kind: &'static str,
    pub size: &'static str,
    pub category: Name,
    pub platform: Name,
    pub revenue_usd: f64,
    pub profit_usd: f64,
    pub ad_spend_usd: f64,
    pub weeks_active: u32,
    pub exited: bool,
}

/// Ids by index, to name things in output rows.
pub struct Names {
    categories: Vec<Name>,
    platforms: Vec<Name>,
    none: Name,
}

impl Names {
    pub fn new(s: &Scenario) -> Self {
        Self {
            categories: s.categories.iter().map(|c| Name(c.id.as_str().into())).collect(),
            platforms: s.platforms.iter().map(|p| Name(p.id.as_str().into())).collect(),
            none: Name("none".into()),
        }
    }

    fn platform(&self, p: Option<u8>) -> Name {
        p.map_or_else(|| self.none.clone(), |p| self.platforms[usize::from(p)].clone())
    }

    pub fn exit_row(&self, e: &ExitRecord, start: chrono::NaiveDate) -> ExitRow {
        ExitRow {
            tick: e.tick,
            date: start + chrono::Duration::weeks(i64::from(e.tick)),
            seller_id: e.seller_id - crate::model::setup::SELLER_ID_BASE,
            origin: e.origin.name(),
            kind: e.kind.name(),
            size: e.size.name(),
            category: self.categories[usize::from(e.category)].clone(),
            platform: self.platform(e.main_platform),
            reason: e.reason.name(),
            age_weeks: e.age_weeks,
            cash_usd: e.cash,
        }
    }

    pub fn seller_year(&self, y: &SellerYearRow) -> SellerYearOut {
        SellerYearOut {
            year: y.year,
            seller_id: y.seller_id,
            origin: y.origin.name(),
            kind: y.kind.name(),
            size: y.size.name(),
            category: self.categories[usize::from(y.category)].clone(),
            platform: self.platform(y.platform),
            revenue_usd: y.revenue_usd,
            profit_usd: y.profit_usd,
            ad_spend_usd: y.ad_spend_usd,
            weeks_active: y.weeks_active,
            exited: y.exited,
        }
    }
}

/// Who ran what, when: `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub scenario: String,
    pub config_path: String,
    pub config_sha256: String,
    /// SHA-256 of the scenario as run ([`scenario_sha256`]): a run with the same digest and
    /// version reproduces this one's data files byte for byte.
    #[serde(default)]
    pub scenario_sha256: String,
    pub seed: u64,
    pub version: String,
    pub threads: usize,
    pub command_line: Vec<String>,
    pub started_at: String,
    pub wall_seconds: f64,
    /// Consumer and seller agent-steps per second of simulation (here, not in `summary.json`,
    /// so that every other file is byte-identical for the same config and seed).
    pub agent_steps_per_second: f64,
    /// Where the wall time went: setup, then each tick step summed over the run's ticks.
    #[serde(default)]
    pub step_seconds: Vec<crate::run::StepTime>,
    pub agents: serde_json::Value,
    pub weeks: u32,
    /// Warm-up ticks run before the recorded weeks.
    #[serde(default)]
    pub warmup_weeks: u32,
    pub files: Vec<String>,
}

impl Manifest {
    pub fn new(
        s: &Scenario,
        config: &Path,
        threads: usize,
        command_line: &[String],
        started: chrono::DateTime<chrono::Utc>,
        results: &Results,
    ) -> Result<Self, SimError> {
        let bytes = fs::read(config).map_err(|e| SimError::io(config, e))?;
        let digest = Sha256::digest(&bytes);
        Ok(Self {
            tool: TOOL.into(),
            scenario: s.name.clone(),
            config_path: config.display().to_string(),
            config_sha256: hex(&digest),
            scenario_sha256: scenario_sha256(s),
            seed: results.seed,
            version: env!("CARGO_PKG_VERSION").into(),
            threads,
            command_line: command_line.to_vec(),
            started_at: started.to_rfc3339(),
            wall_seconds: results.wall_seconds,
            agent_steps_per_second: results.agent_steps_per_second,
            step_seconds: results.step_seconds.clone(),
            agents: serde_json::to_value(results.agents).unwrap_or_default(),
            weeks: s.calendar.weeks,
            warmup_weeks: s.calendar.warmup_weeks,
            files: DATA_FILES.iter().map(|f| f.to_string()).collect(),
        })
    }
}

/// Lower-case hex of a digest (or of its first bytes).
pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of the scenario as run: its JSON form after `base:` overlays, `set:` and `--seed`,
/// so that it names everything a run's data files depend on but the program's version.
pub fn scenario_sha256(s: &Scenario) -> String {
    hex(&Sha256::digest(serde_json::to_vec(s).expect("a scenario serializes")))
}

/// The `summary.json` of the output directory `dir`; a directory without one is a usage error.
pub fn read_summary(dir: &Path) -> Result<Summary, SimError> {
    let path = dir.join("summary.json");
    let text = fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            SimError::Usage(format!("{}: no summary.json here; not a sim output directory", dir.display()))
        }
        _ => SimError::io(&path, e),
    })?;
    serde_json::from_str(&text).map_err(|e| SimError::Usage(format!("{}: not a sim summary: {e}", path.display())))
}

/// The manifest of the previous run of this tool in `dir`, if there is one.
pub fn previous_run(dir: &Path) -> Option<Manifest> {
    let text = fs::read_to_string(dir.join("manifest.json")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    if value.get("tool").and_then(|t| t.as_str()) != Some(TOOL) {
        return None;
    }
    serde_json::from_value(value).ok()
}

/// Why a run of the scenario whose [`scenario_sha256`] is `scenario` may not write into the
/// non-empty directory `dir` without `--force`; `None` if `dir` holds a run of the same scenario
/// by this version, which the run reproduces byte for byte.
fn refusal(dir: &Path, scenario: &str) -> Option<String> {
    let Some(m) = previous_run(dir) else {
        return Some("not empty and not a previous sim output; use --force to write into it, or --out DIR".into());
    };
    if m.scenario_sha256 == scenario && m.version == env!("CARGO_PKG_VERSION") {
        return None;
    }
    Some(format!(
        "holds another run (scenario `{}`, seed {}, sim {}, started {}), which this run would replace; \
         use --force to replace it, or --out DIR",
        m.scenario, m.seed, m.version, m.started_at
    ))
}

/// An output path must be a directory or nothing yet: a file there is a usage error (exit 2),
/// for every command that writes a directory.
pub fn directory_or_nothing(dir: &Path) -> Result<(), SimError> {
    if dir.exists() && !dir.is_dir() {
        return Err(SimError::Usage(format!("{}: exists and is not a directory", dir.display())));
    }
    Ok(())
}

/// The lock file a run holds in its output directory while it writes there.
const LOCK: &str = ".sim.lock";

/// A lock file held in a directory while a command writes there, so that a second process is
/// refused. Dropping it removes the file while still holding it (so that no other process takes
/// it in between): an error after the lock was taken, a refusal included, leaves no lock file.
/// A lock another process holds is never taken, so never removed.
pub struct DirLock {
    path: PathBuf,
    file: fs::File,
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

impl DirLock {
    /// Takes the lock file `name` in the existing directory `dir`; `command` (e.g. `sim run`)
    /// names who holds it when it is taken already.
    pub fn take(dir: &Path, name: &str, command: &str) -> Result<Self, SimError> {
        let path = dir.join(name);
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| SimError::io(&path, e))?;
        if file.try_lock().is_err() {
            return Err(SimError::Usage(format!("{}: another `{command}` is writing here", dir.display())));
        }
        Ok(Self { path, file })
    }
}

/// An output directory this run may write into, locked against other runs until dropped.
pub struct OutputDir {
    dir: PathBuf,
    _lock: DirLock,
}

impl OutputDir {
    /// Claims `dir` for a run of the scenario whose [`scenario_sha256`] is `scenario`. The
    /// directory must be missing, empty, a previous run of the same scenario by this version
    /// (which the run reproduces byte for byte), or `force`d: a result that differs is never
    /// replaced without `--force`.
    /// Another run writing into the directory at the same time is refused too (a lock file,
    /// `.sim.lock`, held while the run writes).
    pub fn claim(dir: &Path, force: bool, scenario: &str) -> Result<Self, SimError> {
        directory_or_nothing(dir)?;
        fs::create_dir_all(dir).map_err(|e| SimError::io(dir, e))?;
        let lock = DirLock::take(dir, LOCK, "sim run")?;
        Self::check(dir, force, scenario)?;
        Ok(Self { dir: dir.to_path_buf(), _lock: lock })
    }

    /// Whether [`claim`](Self::claim) would take `dir` (leaving it as it is), but for another
    /// run writing there now.
    pub fn check(dir: &Path, force: bool, scenario: &str) -> Result<(), SimError> {
        if !dir.exists() {
            return Ok(());
        }
        directory_or_nothing(dir)?;
        let mut entries = fs::read_dir(dir).map_err(|e| SimError::io(dir, e))?;
        let empty = !entries.any(|e| e.is_ok_and(|e| e.file_name() != LOCK));
        match refusal(dir, scenario) {
            Some(why) if !empty && !force => Err(SimError::Usage(format!("{}: {why}", dir.display()))),
            _ => Ok(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Writes every data file, then the manifest. An old manifest is removed first, so that a
    /// directory caught half-rewritten does not look complete, and so are the charts of a run
    /// this one replaces (they would not show its data; the run draws its own afterwards).
    pub fn write_all(&self, r: &Results, summary: &Summary, manifest: &Manifest) -> Result<(), SimError> {
        if let Some(cell) = non_finite_cell(r, summary) {
            return Err(SimError::NonFinite { dir: self.dir.clone(), cell });
        }
        let manifest_path = self.dir.join("manifest.json");
        if manifest_path.exists() {
            fs::remove_file(&manifest_path).map_err(|e| SimError::io(&manifest_path, e))?;
        }
        self.remove_charts()?;
        self.csv("ticks.csv", &r.ticks)?;
        self.csv("platforms.csv", &r.platforms)?;
        self.csv("segments.csv", &r.segments)?;
        self.csv("regions.csv", &r.regions)?;
        self.csv("exits.csv", &r.exits)?;
        self.csv("seller_years.csv", &r.seller_years)?;
        #[derive(Serialize, Default)]
        struct EventRow<'a> {
            date: &'a str,
            label: &'a str,
        }
        let events: Vec<EventRow> = r.events.iter().map(|(d, l)| EventRow { date: d, label: l }).collect();
        self.csv("events.csv", &events)?;
        self.csv("shocks.csv", &r.shocks)?;
        self.json("summary.json", summary)?;
        self.json("manifest.json", manifest)
    }

    /// Removes the chart files a previous run drew in `plots/` (and the folder, if that
    /// leaves it empty); other files there are left alone.
    fn remove_charts(&self) -> Result<(), SimError> {
        let plots = self.dir.join("plots");
        for chart in crate::plot::Chart::ALL {
            for ext in ["png", "svg"] {
                let path = plots.join(format!("{}.{ext}", chart.name()));
                match fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(SimError::io(&path, e)),
                    _ => {}
                }
            }
        }
        let _ = fs::remove_dir(&plots); // only if empty
        Ok(())
    }

    fn csv<T: Serialize + Default>(&self, name: &str, rows: &[T]) -> Result<(), SimError> {
        write_atomic(&self.dir.join(name), |w| {
            if rows.is_empty() {
                // A file with no rows still names its columns.
                return w.write_all(&header_line::<T>());
            }
            let mut out = csv::Writer::from_writer(w);
            for row in rows {
                out.serialize(row).map_err(std::io::Error::other)?;
            }
            out.flush()
        })
    }

    fn json<T: Serialize>(&self, name: &str, value: &T) -> Result<(), SimError> {
        write_atomic(&self.dir.join(name), |w| {
            serde_json::to_writer_pretty(&mut *w, value).map_err(std::io::Error::other)?;
            w.write_all(b"\n")
        })
    }
}

/// Where the first number that is not finite is in a run's data: the file, the row (counted
/// from 1 below the header) and the column.
pub fn non_finite_cell(r: &Results, summary: &Summary) -> Option<String> {
    fn find<T: Serialize>(file: &str, rows: &[T]) -> Option<String> {
        rows.iter().enumerate().find_map(|(i, row)| {
            first_non_finite(row).map(|column| format!("{file}, row {}, column `{column}`", i + 1))
        })
    }
    find("ticks.csv", &r.ticks)
        .or_else(|| find("platforms.csv", &r.platforms))
        .or_else(|| find("segments.csv", &r.segments))
        .or_else(|| find("regions.csv", &r.regions))
        .or_else(|| find("exits.csv", &r.exits))
        .or_else(|| find("seller_years.csv", &r.seller_years))
        .or_else(|| find("shocks.csv", &r.shocks))
        .or_else(|| first_non_finite(summary).map(|field| format!("summary.json, `{field}`")))
}

/// The CSV header line of a row type (the csv crate writes it with the first record only).
fn header_line<T: Serialize + Default>() -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let _ = out.serialize(T::default());
    let bytes = out.into_inner().unwrap_or_default();
    let end = bytes.iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| i + 1);
    bytes[..end].to_vec()
}

/// Writes `path` through a temporary file in the same directory, then renames it into place.
pub fn write_atomic(path: &Path, body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), SimError> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let result = (|| {
        let file = fs::File::create(&tmp)?;
        let mut w = std::io::BufWriter::new(file);
        body(&mut w)?;
        w.flush()?;
        w.get_ref().sync_all()?;
        drop(w);
        fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        SimError::io(path, e)
    })
}
