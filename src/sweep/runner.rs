//! Running a sweep: the runs of a shard that are not done yet, in parallel with rayon (each world
//! single-threaded), each row appended to `runs.csv` as its run ends.
//!
//! A run's seed derives from the sweep seed and its run id alone ([`run_seed`]), and its
//! parameters from its point id, so a row does not depend on the thread count, the shard split or
//! the order in which runs finish. A run that fails (an invalid combination of values, a panic in
//! the model) is recorded with its error and the others go on.

use super::metrics;
use super::shard::Shard;
use super::spec::{self, SweepPlan};
use super::store::{Manifest, RunRow, Store};
use crate::config::Scenario;
use crate::error::SimError;
use crate::output::summarize;
use crate::rng::mix;
use rayon::prelude::*;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// What `sim sweep` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct SweepOptions {
    /// The sweep file (RON).
    pub file: PathBuf,
    /// Output directory [default: `outputs/sweeps/<name>`, or `.../shard-I-of-N` for a shard].
    pub out: Option<PathBuf>,
    /// Runs in parallel [default: all cores].
    pub threads: Option<usize>,
    /// Continue the sweep already in `out`.
    pub resume: bool,
    /// Run only this shard.
    pub shard: Option<Shard>,
}

/// Progress of the runs started by this call.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Runs finished (failed ones included).
    pub done: u64,
    pub failed: u64,
    /// Runs this call has to do.
    pub total: u64,
}

/// What a sweep call did.
#[derive(Debug, Clone)]
pub struct SweepOutcome {
    pub dir: PathBuf,
    pub sweep_id: String,
    pub shard: Shard,
    /// Runs in this shard.
    pub shard_runs: u64,
    /// Runs found done in `runs.csv` (resume).
    pub already_done: u64,
    /// Runs done by this call, and how many of them failed.
    pub ran: u64,
    pub failed: u64,
    pub threads: usize,
    pub wall_seconds: f64,
    /// Seconds the worker threads spent in runs, summed over threads.
    pub busy_seconds: f64,
    /// Whether every run of the shard is in, and `runs.parquet` written.
    pub complete: bool,
}

impl SweepOutcome {
    /// Share of the worker threads' time spent in runs (1 = every thread always busy).
    pub fn utilisation(&self) -> f64 {
        let available = self.threads as f64 * self.wall_seconds;
        if available > 0.0 { self.busy_seconds / available } else { 0.0 }
    }

    /// Runs per minute of this call.
    pub fn runs_per_minute(&self) -> f64 {
        if self.wall_seconds > 0.0 { self.ran as f64 * 60.0 / self.wall_seconds } else { 0.0 }
    }
}

/// The seed of a run: a function of the sweep seed and `key` (the run id, or the replicate with
/// common random numbers), below 2^53 so that it is exact in every table reader.
pub fn run_seed(sweep_seed: u64, key: u64) -> u64 {
    mix(mix(sweep_seed) ^ key) >> 11
}

/// The default output directory of a sweep (or shard).
pub fn default_dir(name: &str, shard: Option<Shard>) -> PathBuf {
    let dir = Path::new("outputs").join("sweeps").join(name);
    match shard {
        Some(s) => dir.join(format!("shard-{}-of-{}", s.index, s.count)),
        None => dir,
    }
}

/// Loads the sweep file and runs what is missing of the shard into the output directory.
/// `progress` is called as runs finish, from worker threads.
pub fn sweep(opts: &SweepOptions, progress: &(dyn Fn(Progress) + Sync)) -> Result<SweepOutcome, SimError> {
    // Worlds run single-threaded: their steps iterate in place, and the runs share the cores.
    // Set before loading, whose dry run of the base scenario would otherwise start the model's
    // pool on every core (the first setting wins).
    crate::model::init_threads(Some(1));
    let plan = spec::load(&opts.file)?;
    let shard = opts.shard.filter(|s| s.count > 1);
    let dir = opts.out.clone().unwrap_or_else(|| default_dir(&plan.spec.name, shard));
    let (store, done) = Store::open(&dir, Manifest::new(&plan, shard), opts.resume)?;
    let shard = shard.unwrap_or(Shard::ALL);
    let pending: Vec<u64> = (0..plan.total_runs()).filter(|&id| shard.contains(id) && !done.contains(&id)).collect();
    let threads = crate::run::threads_or_all_cores(opts.threads);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("sweep-{i}"))
        .build()
        .map_err(|e| SimError::Usage(format!("cannot start {threads} threads: {e}")))?;
    let started = Instant::now();
    let total = pending.len() as u64;
    let (ran, failed, busy_nanos) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    progress(Progress { done: 0, failed: 0, total });
    pool.install(|| {
        pending.par_iter().with_max_len(1).try_for_each(|&id| {
            let run_started = Instant::now();
            let row = run_one(&plan, id);
            store.append(&row)?;
            busy_nanos.fetch_add(run_started.elapsed().as_nanos() as u64, Ordering::Relaxed);
            let f =
                failed.fetch_add(u64::from(row.error.is_some()), Ordering::Relaxed) + u64::from(row.error.is_some());
            let d = ran.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Progress { done: d, failed: f, total });
            Ok::<(), SimError>(())
        })
    })?;
    let ran = ran.into_inner();
    let complete = done.len() as u64 + ran == shard.runs(plan.total_runs());
    if complete {
        store.finish()?;
    }
    Ok(SweepOutcome {
        dir,
        sweep_id: plan.id.clone(),
        shard,
        shard_runs: shard.runs(plan.total_runs()),
        already_done: done.len() as u64,
        ran,
        failed: failed.into_inner(),
        threads,
        wall_seconds: started.elapsed().as_secs_f64(),
        busy_seconds: busy_nanos.into_inner() as f64 / 1e9,
        complete,
    })
}

/// Run `run_id` of a sweep: where it sits in the design, its seed and its parameter values.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSetup {
    pub run_id: u64,
    pub point_id: u64,
    pub replicate: u32,
    pub seed: u64,
    pub parameters: Vec<Value>,
}

impl RunSetup {
    /// Run `run_id` of `plan`: replicate `run_id % replicates` of point `run_id / replicates`.
    pub fn of(plan: &SweepPlan, run_id: u64) -> Self {
        let replicates = u64::from(plan.spec.replicates);
        let (point_id, replicate) = (run_id / replicates, run_id % replicates);
        let seed = run_seed(plan.spec.seed, if plan.spec.common_random_numbers { replicate } else { run_id });
        Self { run_id, point_id, replicate: replicate as u32, seed, parameters: plan.point_values(point_id) }
    }

    /// The scenario the run simulates: its point's scenario with the run's seed as `seed`. A
    /// combination of values that is invalid together is an error naming the fields.
    pub fn scenario(&self, plan: &SweepPlan) -> Result<Scenario, String> {
        let mut scenario = plan.scenario(&self.parameters)?;
        scenario.seed = self.seed;
        Ok(scenario)
    }
}

/// Runs one run of the sweep (single-threaded world) and returns its row; never panics.
pub fn run_one(plan: &SweepPlan, run_id: u64) -> RunRow {
    let run = RunSetup::of(plan, run_id);
    let outcome = run.scenario(plan).and_then(|scenario| {
        catch_panic(|| {
            let results = crate::run::simulate(&scenario, scenario.seed, &mut |_, _| {});
            let summary = summarize(&results);
            match crate::output::non_finite_cell(&results, &summary) {
                // As `sim run` would refuse to write it.
                Some(cell) => Err(format!("the run computed a number that is not finite ({cell})")),
                None => Ok(metrics::extract(&plan.metrics, &summary)),
            }
        })
        .flatten()
    });
    let (metrics, error) = match outcome {
        Ok(m) => (m, None),
        Err(e) => (vec![f64::NAN; plan.metrics.len()], Some(e)),
    };
    let RunSetup { point_id, replicate, seed, parameters, .. } = run;
    RunRow { run_id, point_id, replicate, seed, parameters, metrics, error }
}

thread_local! {
    /// Set while this thread runs a sweep run: its panic message is kept, not printed.
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    static MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`, turning a panic into an error with its message and location. The panic hook stays
/// the previous one for every other thread and moment.
fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CAPTURING.with(Cell::get) {
                MESSAGE.with(|m| *m.borrow_mut() = Some(format!("panic {info}")));
            } else {
                previous(info);
            }
        }));
    });
    CAPTURING.with(|c| c.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CAPTURING.with(|c| c.set(false));
    result.map_err(|_| MESSAGE.with(|m| m.borrow_mut().take()).unwrap_or_else(|| "panic".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_with_its_message() {
        let r: Result<(), String> = catch_panic(|| panic!("ranking table empty"));
        let e = r.unwrap_err();
        assert!(e.contains("ranking table empty") && e.contains("runner.rs"), "{e}");
        assert_eq!(catch_panic(|| 7), Ok(7));
    }

    #[test]
    fn seeds_depend_on_sweep_seed_and_key_only_and_fit_in_53_bits() {
        assert_eq!(run_seed(1, 5), run_seed(1, 5));
        assert_ne!(run_seed(1, 5), run_seed(1, 6));
        assert_ne!(run_seed(1, 5), run_seed(2, 5));
        assert!((0..1000).all(|k| run_seed(9, k) < 1 << 53));
    }
}
