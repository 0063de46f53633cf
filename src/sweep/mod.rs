//! Parameter sweeps: many runs of one scenario with parameters varied by a sampler, run in
//! parallel, streamed to disk, resumable and shardable, then analysed.
//!
//! - [`spec`]: the sweep file (`configs/sweeps/*.ron`) and its validation.
//! - [`samplers`] (and [`sobol`]): Grid, Random, Latin hypercube, Saltelli on the Sobol sequence,
//!   Morris trajectories, as unit-cube designs with random access by point id.
//! - [`runner`]: `sim sweep`: runs in parallel (rayon across runs, worlds single-threaded).
//! - [`store`] and [`table`]: the output directory, `runs.csv` as the journal, `runs.parquet`.
//! - [`rerun`]: `sim sweep FILE --run ID`: one run again, with every output of `sim run`.
//! - [`merge`]: `sim merge` of shards. [`analyze`], [`stats`], [`plots`]: `sim analyze`.
//!
//! Run `run_id` is replicate `run_id % replicates` of point `run_id / replicates`; its seed comes
//! from the sweep seed and the run id alone, so results do not depend on threads or shards.

pub mod analyze;
pub mod merge;
pub mod metrics;
pub mod plots;
pub mod rerun;
pub mod runner;
pub mod samplers;
pub mod shard;
pub mod sobol;
pub mod spec;
pub mod stats;
pub mod store;
pub mod table;

pub use analyze::analyze;
pub use merge::merge;
pub use rerun::Rerun;
pub use runner::{Progress, RunSetup, SweepOptions, SweepOutcome, run_one, run_seed, sweep};
pub use shard::Shard;
pub use spec::{SweepPlan, SweepSpec, load};

use crate::error::SimError;

/// The shard to run, and where it came from: `flag` (`--shard`) if given; else, when resuming
/// a directory that holds a shard (`resumed`, from its `sweep.json`), that shard, so that a
/// rerun of some tasks of an array job resumes each directory as what it is; else the one of a
/// cluster array job's environment; else none.
pub fn shard_from_flag_or_env(
    flag: Option<Shard>,
    resumed: Option<Shard>,
) -> Result<Option<(Shard, &'static str)>, SimError> {
    if let Some(s) = flag {
        return Ok(Some((s, "--shard")));
    }
    if let Some(s) = resumed {
        return Ok(Some((s, "the directory's sweep.json")));
    }
    shard::from_env(|name| std::env::var(name).ok()).map_err(SimError::Usage)
}

/// The shard a sweep directory holds, if it holds one (`None` for a missing directory, a whole
/// sweep or anything else; opening the directory reports those).
pub fn shard_of(dir: &std::path::Path) -> Option<Shard> {
    store::Manifest::read(dir).ok().flatten().and_then(|m| m.shard)
}
