//! One run: a scenario in, [`Results`] out. `simulate` touches no files (sweeps call it);
//! `run` adds the output directory, the manifest and the plots.

use crate::config::Scenario;
use crate::error::SimError;
use crate::model::record::{PlatformRow, RegionRow, SegmentRow, ShockRow, TickRow};
use crate::model::{AgentCounts, Simulation, Step, StepTimes, record};
use crate::output::{self, ExitRow, SellerYearOut, Summary};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Everything a run produces, in memory.
#[derive(Debug, Clone)]
pub struct Results {
    pub scenario: String,
    pub seed: u64,
    pub ticks: Vec<TickRow>,
    pub platforms: Vec<PlatformRow>,
    pub segments: Vec<SegmentRow>,
    pub regions: Vec<RegionRow>,
    pub exits: Vec<ExitRow>,
    pub seller_years: Vec<SellerYearOut>,
    /// (date, label) of the policy events applied.
    pub events: Vec<(String, String)>,
    /// The stochastic shocks that started.
    pub shocks: Vec<ShockRow>,
    /// Per tick: sellers on each platform (real units).
    pub platform_sellers: Vec<(u32, std::collections::BTreeMap<String, i64>)>,
    /// The regulators' policy at the end of each calendar year.
    pub policy: Vec<(i32, Vec<crate::config::Regulator>)>,
    /// What the initial agents show back of the input distributions.
    pub inputs: record::SampledInputs,
    pub agents: AgentCounts,
    /// Agent-steps (consumers + sellers, per tick) per second of simulation.
    pub agent_steps_per_second: f64,
    pub wall_seconds: f64,
    /// Wall seconds by phase: `setup`, then each tick step (MODEL.md's order), summed over ticks.
    pub step_seconds: Vec<StepTime>,
}

/// Wall time spent in one phase of a run.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StepTime {
    pub step: String,
    pub seconds: f64,
}

/// Simulates a scenario; `progress(done, total)` is called after every tick.
pub fn simulate(scenario: &Scenario, seed: u64, progress: &mut dyn FnMut(u32, u32)) -> Results {
    let started = Instant::now();
    let mut sim = Simulation::new(scenario.clone(), seed);
    let agents = sim.agent_counts();
    let inputs = record::sampled_inputs(&mut sim.world);
    let setup = started.elapsed().as_secs_f64();
    let total = sim.weeks();
    let mut agent_steps = 0u64;
    while sim.step() {
        let w = &mut sim.world;
        agent_steps += w.query::<&crate::model::agents::Consumer>().iter(w).len() as u64
            + w.query::<&crate::model::agents::Seller>().iter(w).len() as u64;
        progress(sim.ticks_done(), total);
    }
    let wall = started.elapsed().as_secs_f64();
    let names = output::Names::new(scenario);
    let w = &mut sim.world;
    let times = w.resource::<StepTimes>().seconds;
    let step_seconds = std::iter::once(StepTime { step: "setup".into(), seconds: setup })
        .chain(Step::ALL.iter().zip(times).map(|(s, seconds)| StepTime { step: s.name().into(), seconds }))
        .collect();
    let rec = w.remove_resource::<record::Recorder>().expect("inserted at build");
    let mut logs = w.remove_resource::<record::Logs>().expect("inserted at build");
    // The world is no longer needed: free it before the logs become output rows.
    drop(sim);
    let start = crate::config::parse_date(&scenario.calendar.start).expect("validated");
    let exits = logs.exits.iter().map(|e| names.exit_row(e, start)).collect();
    logs.exits = Vec::new();
    let seller_years = logs.seller_years.iter().map(|y| names.seller_year(y)).collect();
    drop(logs);
    Results {
        scenario: scenario.name.clone(),
        seed,
        exits,
        seller_years,
        ticks: rec.ticks,
        platforms: rec.platforms,
        segments: rec.segments,
        regions: rec.regions,
        events: rec.events,
        shocks: rec.shocks,
        platform_sellers: rec.platform_sellers,
        policy: rec.policy,
        inputs,
        agents,
        agent_steps_per_second: if wall > 0.0 { agent_steps as f64 / wall } else { 0.0 },
        wall_seconds: wall,
        step_seconds,
    }
}

/// What `sim run` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub config: PathBuf,
    /// Output directory; default `outputs/<scenario name>`.
    pub out: Option<PathBuf>,
    pub seed: Option<u64>,
    pub threads: Option<usize>,
    pub force: bool,
    pub quiet: bool,
    /// The command line, for the manifest.
    pub command_line: Vec<String>,
}

/// What a finished run left behind.
#[derive(Debug)]
pub struct RunOutcome {
    pub dir: PathBuf,
    pub results: Results,
    pub summary: Summary,
    pub plots: Vec<PathBuf>,
}

/// Runs `n` seeds (the scenario's or `--seed`'s, then +1, ...) into `<out>/seed-<seed>/`;
/// `done(seed, outcome)` is called after each. Returns the directories.
pub fn run_seeds(opts: &RunOptions, n: u32, done: &mut dyn FnMut(u64, &RunOutcome)) -> Result<Vec<PathBuf>, SimError> {
    let mut scenario = crate::config::load(&opts.config)?;
    let first = opts.seed.unwrap_or(scenario.seed);
    let parent = opts.out.clone().unwrap_or_else(|| Path::new("outputs").join(&scenario.name));
    let seeds: Vec<u64> = (0..u64::from(n)).map(|i| first.checked_add(i)).collect::<Option<_>>().ok_or_else(|| {
        SimError::Usage(format!("--seeds {n} from seed {first} goes past the largest seed, 2^64 - 1"))
    })?;
    let dir = |seed: u64| parent.join(format!("seed-{seed}"));
    // Every directory is checked before the first run, so that a refusal does not come after
    // hours of runs.
    for &seed in &seeds {
        scenario.seed = seed;
        output::OutputDir::check(&dir(seed), opts.force, &output::scenario_sha256(&scenario))?;
    }
    let mut dirs = Vec::new();
    for seed in seeds {
        let one = RunOptions { out: Some(dir(seed)), seed: Some(seed), ..opts.clone() };
        let outcome = run(&one, &mut |_, _| {})?;
        done(seed, &outcome);
        dirs.push(outcome.dir);
    }
    Ok(dirs)
}

/// Memory a world takes per consumer and per seller agent, bytes: a lower bound of the peak
/// measured at 10^6 to 2x10^7 consumers with sellers in proportion (docs/PERFORMANCE.md: 314 MiB
/// for 10^6 consumers and 10^5 sellers, 5.7 GiB for twenty times that).
const BYTES_PER_CONSUMER: f64 = 150.0;
const BYTES_PER_SELLER: f64 = 1500.0;

/// Refuses a scale whose world cannot fit in the memory this machine has available, before
/// anything runs (it would otherwise end in an allocation failure or the kernel's OOM killer).
fn check_memory(scenario: &Scenario) -> Result<(), SimError> {
    let (c, s) = (f64::from(scenario.scale.consumer_agents), f64::from(scenario.scale.seller_agents));
    let needed = c * BYTES_PER_CONSUMER + s * BYTES_PER_SELLER;
    let Some(available) = available_memory() else { return Ok(()) };
    if needed <= available {
        return Ok(());
    }
    let gib = |b: f64| b / f64::from(1u32 << 30);
    Err(SimError::Usage(format!(
        "scale: {} consumer and {} seller agents need at least {:.1} GiB of memory; this machine has {:.1} GiB \
         available; lower scale.consumer_agents and scale.seller_agents (docs/PERFORMANCE.md)",
        scenario.scale.consumer_agents,
        scenario.scale.seller_agents,
        gib(needed),
        gib(available)
    )))
}

/// `MemAvailable` of `/proc/meminfo`, bytes (`None` where there is no such file).
fn available_memory() -> Option<f64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

/// Threads to use: the number asked for, or one per core.
pub fn threads_or_all_cores(threads: Option<usize>) -> usize {
    threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1)
}

/// Loads, simulates, writes the outputs and draws the plots.
pub fn run(opts: &RunOptions, progress: &mut dyn FnMut(u32, u32)) -> Result<RunOutcome, SimError> {
    let mut scenario = crate::config::load(&opts.config)?;
    if let Some(seed) = opts.seed {
        scenario.seed = seed;
    }
    run_scenario(&scenario, opts, progress)
}

/// Runs a loaded scenario with its own `seed` as `sim run` does: claims the output directory
/// (`opts.out`, default `outputs/<scenario name>`) under the same rules, simulates, writes the
/// data files and the manifest (naming `opts.config` as the file the scenario came from) and
/// draws the plots. `opts.seed` is not read.
pub fn run_scenario(
    scenario: &Scenario,
    opts: &RunOptions,
    progress: &mut dyn FnMut(u32, u32),
) -> Result<RunOutcome, SimError> {
    check_memory(scenario)?;
    let dir = opts.out.clone().unwrap_or_else(|| Path::new("outputs").join(&scenario.name));
    let target = output::OutputDir::claim(&dir, opts.force, &output::scenario_sha256(scenario))?;
    let threads = threads_or_all_cores(opts.threads);
    crate::model::init_threads(Some(threads));
    let started = chrono::Utc::now();
    let results = simulate(scenario, scenario.seed, progress);
    let summary = output::summarize(&results);
    let manifest = output::Manifest::new(scenario, &opts.config, threads, &opts.command_line, started, &results)?;
    target.write_all(&results, &summary, &manifest)?;
    let plots = if scenario.output.plots { crate::plot::plot_dir(&dir)? } else { Vec::new() };
    Ok(RunOutcome { dir, results, summary, plots })
}
