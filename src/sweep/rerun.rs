//! `sim sweep FILE --run ID`: one run of a sweep again, in full, as `sim run` writes it (data
//! files, `summary.json`, manifest, plots), to look into a row of `runs.csv`.
//!
//! The run's scenario and seed come from [`RunSetup`], as in the sweep itself, so the rerun's
//! `summary.json` holds the very values of the run's row; the world runs on `--threads` threads,
//! which results do not depend on. The output directory follows `sim run`'s rules; its default
//! lies outside every sweep's directory (see [`default_dir`]).

use super::runner::RunSetup;
use super::spec::{self, SweepPlan};
use super::store;
use crate::config::Scenario;
use crate::error::SimError;
use crate::run::{RunOptions, RunOutcome};
use std::path::{Path, PathBuf};

/// One run of a sweep, resolved: the sweep, the run and the scenario it simulates.
#[derive(Debug)]
pub struct Rerun {
    pub plan: SweepPlan,
    pub run: RunSetup,
    /// The run's scenario, with the run's seed as `seed`.
    pub scenario: Scenario,
}

/// The default output directory of run `run_id` of sweep `name`: `outputs/sweep-runs/<name>/run-<ID>`.
/// Not inside the sweep's own directory (`outputs/sweeps/<name>`), where it would make a new
/// sweep refuse the directory as not empty, and be lost with it.
pub fn default_dir(name: &str, run_id: u64) -> PathBuf {
    Path::new("outputs").join("sweep-runs").join(name).join(format!("run-{run_id}"))
}

impl Rerun {
    /// Loads the sweep file and resolves run `run_id`, with the model's thread pool set to
    /// `threads` (default: all cores) before the sweep file's dry run would start it. A run id
    /// past the sweep's runs, and a run whose values are invalid together (a failed row of
    /// `runs.csv`), are usage errors.
    pub fn load(file: &Path, run_id: u64, threads: Option<usize>) -> Result<Self, SimError> {
        crate::model::init_threads(Some(crate::run::threads_or_all_cores(threads)));
        let plan = spec::load(file)?;
        let total = plan.total_runs();
        if run_id >= total {
            return Err(SimError::Usage(format!(
                "{}: --run {run_id}: sweep `{}` has {total} runs, run ids 0 to {}",
                file.display(),
                plan.spec.name,
                total - 1
            )));
        }
        let run = RunSetup::of(&plan, run_id);
        let scenario = run.scenario(&plan).map_err(|e| {
            SimError::Usage(format!(
                "{}: run {run_id} (point {}) has parameter values that are invalid together (its row of runs.csv \
                 is `failed`): {e}",
                file.display(),
                run.point_id
            ))
        })?;
        Ok(Self { plan, run, scenario })
    }

    /// Which run this is: its sweep, point, replicate and seed, then one line per parameter
    /// value (as `runs.csv` writes it).
    pub fn describe(&self) -> String {
        let r = &self.run;
        let mut text = format!(
            "Run {} of sweep `{}` (id {}): point {}, replicate {}, seed {}\n",
            r.run_id, self.plan.spec.name, self.plan.id, r.point_id, r.replicate, r.seed
        );
        for (name, value) in self.plan.parameter_columns().iter().zip(&r.parameters) {
            text += &format!("  {name} = {}\n", store::cell(value));
        }
        text
    }

    /// The run's scenario as a scenario file (RON), headed by [`describe`](Self::describe) as
    /// comments: `sim run` on it reproduces the run.
    pub fn scenario_ron(&self) -> Result<String, SimError> {
        let ron = ron::ser::to_string_pretty(&self.scenario, ron::ser::PrettyConfig::default())
            .map_err(|e| SimError::Failed(format!("the scenario of run {} cannot be written: {e}", self.run.run_id)))?;
        let comments: String = self.describe().lines().map(|l| format!("// {l}\n")).collect();
        Ok(format!("{comments}// from {}\n{ron}\n", self.plan.file.display()))
    }

    /// Runs it as `sim run` does into `opts.out` (default [`default_dir`]); the manifest names
    /// the sweep file as the run's config. `opts.config` and `opts.seed` are not read.
    pub fn run(&self, opts: &RunOptions, progress: &mut dyn FnMut(u32, u32)) -> Result<RunOutcome, SimError> {
        let opts = RunOptions {
            config: self.plan.file.clone(),
            out: Some(opts.out.clone().unwrap_or_else(|| default_dir(&self.plan.spec.name, self.run.run_id))),
            seed: None,
            ..opts.clone()
        };
        crate::run::run_scenario(&self.scenario, &opts, progress)
    }
}
