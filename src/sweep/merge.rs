//! `sim merge`: the shards of a sweep into one directory, checked: one sweep id, every run id
//! present exactly once. The result is byte-identical to the same sweep run unsharded.

use super::store::{self, Manifest, RUNS_CSV, RUNS_PARQUET};
use super::table;
use crate::error::SimError;
use std::fs;
use std::path::{Path, PathBuf};

/// Most run ids listed in a "missing" message.
const SHOW_MISSING: usize = 10;

/// Merges the sweep directories `dirs` into `out`; returns the number of runs.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<u64, SimError> {
    let usage = |m: String| Err(SimError::Usage(m));
    if dirs.is_empty() {
        return usage("merge: name at least one sweep directory".into());
    }
    let mut manifests = Vec::new();
    for d in dirs {
        match Manifest::read(d)? {
            Some(m) => manifests.push(m),
            None => return usage(format!("{}: no {} here; not a sweep directory", d.display(), store::MANIFEST)),
        }
    }
    let first = &manifests[0];
    for (d, m) in dirs.iter().zip(&manifests) {
        if m.sweep_id != first.sweep_id {
            return usage(format!(
                "{} holds sweep `{}` (id {}), {} holds sweep `{}` (id {}): only shards of one sweep merge",
                d.display(),
                m.name,
                m.sweep_id,
                dirs[0].display(),
                first.name,
                first.sweep_id
            ));
        }
    }
    let sources: Vec<PathBuf> = dirs.iter().map(|d| d.join(RUNS_CSV)).collect();
    let mut header = None;
    let mut rows = Vec::new();
    for (i, src) in sources.iter().enumerate() {
        let (h, index) = store::index_rows(src)?;
        if header.get_or_insert_with(|| h.clone()) != &h {
            return usage(format!("{}: its columns differ from {}", src.display(), sources[0].display()));
        }
        rows.extend(index.into_iter().map(|(id, offset, len)| (id, i, offset, len)));
    }
    rows.sort_unstable_by_key(|r| (r.0, r.1));
    if let Some(w) = rows.windows(2).find(|w| w[0].0 == w[1].0) {
        return usage(format!("run {} is in both {} and {}", w[0].0, dirs[w[0].1].display(), dirs[w[1].1].display()));
    }
    if let Some(&(id, i, _, _)) = rows.iter().find(|r| r.0 >= first.total_runs) {
        return usage(format!("{}: run {id} is beyond the sweep's {} runs", dirs[i].display(), first.total_runs));
    }
    if rows.len() as u64 != first.total_runs {
        return Err(missing(dirs, &manifests, &rows, first.total_runs));
    }
    claim(out, first, dirs)?;
    let merged = Manifest { shard: None, ..first.clone() };
    merged.write(out)?;
    let runs = out.join(RUNS_CSV);
    store::write_rows(&runs, header.as_deref().unwrap_or_default(), &sources, &rows)?;
    table::csv_to_parquet(&runs, &out.join(RUNS_PARQUET), &merged)?;
    Ok(rows.len() as u64)
}

/// The error for runs missing from the merge: which ids, and which shard to resume or run.
fn missing(dirs: &[PathBuf], manifests: &[Manifest], rows: &[(u64, usize, u64, usize)], total: u64) -> SimError {
    let mut present = rows.iter().map(|r| r.0).peekable();
    let mut ids = Vec::new();
    let mut missing = 0u64;
    let mut incomplete = vec![false; dirs.len()];
    let mut uncovered = 0u64;
    // Shards of the split the directories come from that no directory holds, with missing runs.
    let count = manifests[0].shard().count;
    let mut unheld = std::collections::BTreeSet::new();
    for id in 0..total {
        if present.next_if_eq(&id).is_some() {
            continue;
        }
        missing += 1;
        if ids.len() < SHOW_MISSING {
            ids.push(id.to_string());
        }
        match manifests.iter().position(|m| m.shard().contains(id)) {
            Some(i) => incomplete[i] = true,
            None => {
                uncovered += 1;
                unheld.insert(id % count);
            }
        }
    }
    let mut msg = format!(
        "{missing} of {total} runs are missing (run ids {}{})",
        ids.join(", "),
        if missing > ids.len() as u64 { ", ..." } else { "" }
    );
    for (_, (d, m)) in dirs.iter().zip(manifests).enumerate().filter(|(i, _)| incomplete[*i]) {
        msg += &format!(
            "\n  {}: shard {} is incomplete; finish it with `sim sweep {} --shard {} --out {} --resume`",
            d.display(),
            m.shard(),
            m.sweep_file,
            m.shard(),
            d.display()
        );
    }
    if uncovered > 0 {
        let shards: Vec<String> = unheld.iter().map(|i| format!("{i}/{count}")).collect();
        msg += &format!(
            "\n  {uncovered} missing runs are in shards no directory holds: {}; run each with `sim sweep {} --shard \
             I/N --out DIR` and merge DIR with the others",
            shards.join(", "),
            manifests[0].sweep_file
        );
    }
    SimError::Usage(msg)
}

/// Refuses an output directory that is an input, or holds anything but this sweep.
fn claim(out: &Path, m: &Manifest, dirs: &[PathBuf]) -> Result<(), SimError> {
    crate::output::directory_or_nothing(out)?;
    let same = |d: &Path| fs::canonicalize(d).ok().is_some_and(|d| fs::canonicalize(out).ok() == Some(d));
    if dirs.iter().any(|d| same(d)) {
        return Err(SimError::Usage(format!("{}: is one of the inputs; merge into another --out", out.display())));
    }
    if out.exists() {
        let empty = fs::read_dir(out).map_err(|e| SimError::io(out, e))?.next().is_none();
        let previous =
            Manifest::read(out).ok().flatten().is_some_and(|p| p.sweep_id == m.sweep_id && p.shard.is_none());
        if !empty && !previous {
            return Err(SimError::Usage(format!(
                "{}: not empty and not a merge of this sweep; choose another --out",
                out.display()
            )));
        }
    }
    fs::create_dir_all(out).map_err(|e| SimError::io(out, e))
}
