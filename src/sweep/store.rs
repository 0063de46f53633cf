//! A sweep's output directory: `sweep.json` (what sweep, which shard), `runs.csv` (one row per
//! finished run, appended and synced as each run ends, so a kill loses only runs in flight), and
//! at the end `runs.csv` sorted by run id and `runs.parquet` converted from it.
//!
//! `runs.csv` is the journal: a run is done exactly when its row is there. Each row is one line
//! written by a single `write_all` and synced; a line cut short by a kill is dropped on resume.
//! A file lock on `.sweep.lock` keeps two processes from writing into one directory.

use super::shard::Shard;
use super::spec::{SweepPlan, SweepSpec};
use super::table;
use crate::error::SimError;
use crate::output::{DirLock, write_atomic};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub const MANIFEST: &str = "sweep.json";
pub const RUNS_CSV: &str = "runs.csv";
pub const RUNS_PARQUET: &str = "runs.parquet";
const LOCK: &str = ".sweep.lock";
/// Marks a manifest as a sweep of this tool.
const TOOL: &str = "crossborder-sim sweep";

/// `sweep.json`: identifies the sweep and the shard a directory holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub sweep_id: String,
    pub name: String,
    pub sweep_file: String,
    pub sampler: String,
    pub points: u64,
    pub replicates: u32,
    pub total_runs: u64,
    /// The shard this directory holds; `None` for a whole (or merged) sweep.
    pub shard: Option<Shard>,
    pub parameters: Vec<ParameterColumn>,
    pub metrics: Vec<String>,
    /// The sweep file as loaded (`sim analyze` rebuilds the design from it).
    pub spec: SweepSpec,
    /// The base scenario after the sweep's `set` and `scale`.
    pub base_scenario: Value,
}

/// A parameter column of `runs.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterColumn {
    pub name: String,
    pub path: String,
    /// Numbers (a float column in Parquet) or text.
    pub numeric: bool,
}

impl Manifest {
    pub fn new(plan: &SweepPlan, shard: Option<Shard>) -> Self {
        Self {
            tool: TOOL.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            sweep_id: plan.id.clone(),
            name: plan.spec.name.clone(),
            sweep_file: plan.file.display().to_string(),
            sampler: plan.spec.sampler.name().into(),
            points: plan.design.points(),
            replicates: plan.spec.replicates,
            total_runs: plan.total_runs(),
            shard,
            parameters: plan
                .spec
                .parameters
                .iter()
                .map(|p| ParameterColumn { name: p.column(), path: p.path.clone(), numeric: p.is_numeric() })
                .collect(),
            metrics: plan.metrics.iter().map(|m| m.name.clone()).collect(),
            spec: plan.spec.clone(),
            base_scenario: plan.base.clone(),
        }
    }

    /// The header of `runs.csv`.
    pub fn header(&self) -> Vec<String> {
        let mut h: Vec<String> = ["run_id", "point_id", "replicate", "seed"].map(String::from).to_vec();
        h.extend(self.parameters.iter().map(|p| p.name.clone()));
        h.extend(self.metrics.iter().cloned());
        h.extend(["status", "error"].map(String::from));
        h
    }

    pub fn shard(&self) -> Shard {
        self.shard.unwrap_or(Shard::ALL)
    }

    /// Reads `DIR/sweep.json`; `None` if there is none.
    pub fn read(dir: &Path) -> Result<Option<Self>, SimError> {
        let path = dir.join(MANIFEST);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(SimError::io(&path, e)),
        };
        let m: Manifest = serde_json::from_str(&text)
            .map_err(|e| SimError::Usage(format!("{}: not a sweep manifest: {e}", path.display())))?;
        if m.tool != TOOL {
            return Err(SimError::Usage(format!("{}: not written by `sim sweep`", path.display())));
        }
        Ok(Some(m))
    }

    pub fn write(&self, dir: &Path) -> Result<(), SimError> {
        write_atomic(&dir.join(MANIFEST), |w| {
            serde_json::to_writer_pretty(&mut *w, self).map_err(std::io::Error::other)?;
            w.write_all(b"\n")
        })
    }
}

/// One finished run, as a row of `runs.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub run_id: u64,
    pub point_id: u64,
    pub replicate: u32,
    pub seed: u64,
    pub parameters: Vec<Value>,
    /// NaN where the run has no value (written as an empty cell).
    pub metrics: Vec<f64>,
    /// Why the run failed; `None` if it finished.
    pub error: Option<String>,
}

/// A number as written in `runs.csv`: shortest round-trip form, empty if not finite.
pub fn format_number(x: f64) -> String {
    serde_json::Number::from_f64(x).map_or_else(String::new, |n| n.to_string())
}

/// A parameter value as written in `runs.csv`: text as is, anything else as JSON.
pub fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl RunRow {
    /// The CSV line, newline included. Error messages are put on one line.
    pub fn to_line(&self) -> Vec<u8> {
        let mut fields =
            vec![self.run_id.to_string(), self.point_id.to_string(), self.replicate.to_string(), self.seed.to_string()];
        fields.extend(self.parameters.iter().map(cell));
        fields.extend(self.metrics.iter().map(|&m| format_number(m)));
        fields.push(if self.error.is_some() { "failed" } else { "ok" }.into());
        fields.push(self.error.as_deref().unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" "));
        csv_line(&fields)
    }
}

fn csv_line(fields: &[String]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(fields).expect("writing to memory");
    w.into_inner().expect("writing to memory")
}

/// The run id at the start of a `runs.csv` line.
fn run_id_of(line: &[u8]) -> Option<u64> {
    let end = line.iter().position(|&b| b == b',')?;
    std::str::from_utf8(&line[..end]).ok()?.parse().ok()
}

/// Where each row of a `runs.csv` is: (run id, byte offset, length with newline).
pub type RowIndex = Vec<(u64, u64, usize)>;

/// Reads the header and the row index of a `runs.csv`; a last line cut short (no newline) is
/// not a row.
pub fn index_rows(path: &Path) -> Result<(Vec<u8>, RowIndex), SimError> {
    let io = |e| SimError::io(path, e);
    let mut r = BufReader::new(File::open(path).map_err(io)?);
    let mut header = Vec::new();
    r.read_until(b'\n', &mut header).map_err(io)?;
    let mut index = Vec::new();
    let (mut offset, mut line) = (header.len() as u64, Vec::new());
    loop {
        line.clear();
        let n = r.read_until(b'\n', &mut line).map_err(io)?;
        if n == 0 || line.last() != Some(&b'\n') {
            break;
        }
        let id = run_id_of(&line).ok_or_else(|| {
            SimError::Usage(format!("{}: a row at byte {offset} does not start with a run id", path.display()))
        })?;
        index.push((id, offset, n));
        offset += n as u64;
    }
    Ok((header, index))
}

/// Copies the rows of `index` (sorted by the caller), read from `sources`, after `header`.
pub fn write_rows(
    out: &Path,
    header: &[u8],
    sources: &[PathBuf],
    index: &[(u64, usize, u64, usize)],
) -> Result<(), SimError> {
    let mut files: Vec<File> =
        sources.iter().map(|p| File::open(p).map_err(|e| SimError::io(p, e))).collect::<Result<_, _>>()?;
    write_atomic(out, |w| {
        w.write_all(header)?;
        let mut buf = Vec::new();
        for &(_, source, offset, len) in index {
            buf.resize(len, 0);
            files[source].seek(SeekFrom::Start(offset))?;
            files[source].read_exact(&mut buf)?;
            w.write_all(&buf)?;
        }
        Ok(())
    })
}

/// An output directory open for appending runs, locked against other sweeps until dropped.
pub struct Store {
    dir: PathBuf,
    runs: Mutex<File>,
    manifest: Manifest,
    _lock: DirLock,
}

impl Store {
    /// Opens `dir` for the sweep of `manifest`: a new (missing or empty) directory, or with
    /// `resume` one holding the same sweep and shard. Returns the store and the run ids done.
    pub fn open(dir: &Path, manifest: Manifest, resume: bool) -> Result<(Self, HashSet<u64>), SimError> {
        crate::output::directory_or_nothing(dir)?;
        fs::create_dir_all(dir).map_err(|e| SimError::io(dir, e))?;
        // Taken before the directory is looked at, and removed again by any refusal below.
        let lock = DirLock::take(dir, LOCK, "sim sweep")?;
        let runs_path = dir.join(RUNS_CSV);
        match Manifest::read(dir)? {
            Some(old) => check_same(dir, &old, &manifest, resume, &runs_path)?,
            None => {
                let others = fs::read_dir(dir)
                    .map_err(|e| SimError::io(dir, e))?
                    .filter_map(Result::ok)
                    .any(|e| e.file_name() != LOCK);
                if others {
                    return Err(SimError::Usage(format!(
                        "{}: not empty and holds no sweep; choose another --out",
                        dir.display()
                    )));
                }
                manifest.write(dir)?;
            }
        }
        let done = repair_and_read(&runs_path, &manifest)?;
        let runs = OpenOptions::new().append(true).open(&runs_path).map_err(|e| SimError::io(&runs_path, e))?;
        Ok((Self { dir: dir.to_path_buf(), runs: Mutex::new(runs), manifest, _lock: lock }, done))
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Appends a finished run and syncs it to disk.
    pub fn append(&self, row: &RunRow) -> Result<(), SimError> {
        let line = row.to_line();
        let mut f = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        let path = self.dir.join(RUNS_CSV);
        f.write_all(&line).and_then(|()| f.sync_data()).map_err(|e| SimError::io(&path, e))
    }

    /// Once every run is in: sorts `runs.csv` by run id and writes `runs.parquet` from it.
    pub fn finish(&self) -> Result<(), SimError> {
        let runs = self.dir.join(RUNS_CSV);
        let (header, mut index) = index_rows(&runs)?;
        if !index.is_sorted_by_key(|r| r.0) {
            index.sort_unstable_by_key(|r| r.0);
            let rows: Vec<(u64, usize, u64, usize)> = index.iter().map(|&(id, off, len)| (id, 0, off, len)).collect();
            write_rows(&runs, &header, std::slice::from_ref(&runs), &rows)?;
        }
        table::csv_to_parquet(&runs, &self.dir.join(RUNS_PARQUET), &self.manifest)
    }
}

/// Refuses a directory that holds another sweep or shard, or any sweep without `resume`.
fn check_same(dir: &Path, old: &Manifest, new: &Manifest, resume: bool, runs: &Path) -> Result<(), SimError> {
    let d = dir.display();
    if old.sweep_id != new.sweep_id {
        return Err(SimError::Usage(format!(
            "{d}: holds sweep `{}` (id {}), not this sweep (id {}): the sweep file, its base scenario or the \
             program changed; choose another --out",
            old.name, old.sweep_id, new.sweep_id
        )));
    }
    if old.shard() != new.shard() {
        return Err(SimError::Usage(format!(
            "{d}: holds shard {} of this sweep, not shard {}",
            old.shard(),
            new.shard()
        )));
    }
    if !resume {
        let done = index_rows(runs).map(|(_, i)| i.len()).unwrap_or(0);
        let total = new.shard().runs(new.total_runs);
        return Err(SimError::Usage(format!(
            "{d}: already holds this sweep ({done} of {total} runs done); add --resume to run what is missing, \
             or choose another --out"
        )));
    }
    Ok(())
}

/// Drops a last line cut short by a kill, writes the header into a new or empty file, checks
/// the header and returns the run ids in the file.
fn repair_and_read(path: &Path, manifest: &Manifest) -> Result<HashSet<u64>, SimError> {
    let io = |e| SimError::io(path, e);
    let header = csv_line(&manifest.header());
    let mut f = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).map_err(io)?;
    let complete = complete_len(&mut f).map_err(io)?;
    if complete < f.metadata().map_err(io)?.len() {
        f.set_len(complete).map_err(io)?;
    }
    if complete == 0 {
        f.seek(SeekFrom::Start(0)).map_err(io)?;
        f.write_all(&header).and_then(|()| f.sync_all()).map_err(io)?;
        return Ok(HashSet::new());
    }
    let (found, index) = index_rows(path)?;
    if found != header {
        return Err(SimError::Usage(format!("{}: its columns are not this sweep's", path.display())));
    }
    let shard = manifest.shard();
    let mut done = HashSet::with_capacity(index.len());
    for (id, _, _) in index {
        if id >= manifest.total_runs || !shard.contains(id) {
            return Err(SimError::Usage(format!("{}: run {id} is not in shard {shard} of this sweep", path.display())));
        }
        if !done.insert(id) {
            return Err(SimError::Usage(format!("{}: run {id} appears twice", path.display())));
        }
    }
    Ok(done)
}

/// Length of a file up to and including its last newline (reading backwards from the end).
fn complete_len(f: &mut File) -> std::io::Result<u64> {
    const CHUNK: u64 = 64 * 1024;
    let mut end = f.metadata()?.len();
    let mut buf = Vec::new();
    while end > 0 {
        let start = end.saturating_sub(CHUNK);
        buf.resize((end - start) as usize, 0);
        f.seek(SeekFrom::Start(start))?;
        f.read_exact(&mut buf)?;
        if let Some(i) = buf.iter().rposition(|&b| b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}
