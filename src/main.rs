//! `sim`: the command line. Parses arguments, calls the library, maps errors to exit codes.

use clap::{Parser, Subcommand};
use crossborder_sim::error::{EXIT_OK, EXIT_USAGE};
use crossborder_sim::output::Summary;
use crossborder_sim::run::{RunOptions, RunOutcome};
use crossborder_sim::{SimError, config, plot, run, sweep};
use crossborder_sim::{compare, facts};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Agent-based simulation of cross-border e-commerce, 2024-2026.
#[derive(Parser, Debug)]
#[command(name = "sim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario: write data files and plots to the output directory and print a summary.
    Run {
        /// Scenario file (RON), e.g. configs/2026.ron.
        file: PathBuf,
        /// Output directory [default: outputs/<scenario name>].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Master seed; overrides the scenario's `seed`.
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// Worker threads inside the tick [default: all cores]. Results do not depend on it.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
        threads: Option<u16>,
        /// Write into a non-empty directory, or replace a run of another scenario, seed or sim
        /// version there. Without it a rerun may only rewrite its own previous output.
        #[arg(long)]
        force: bool,
        /// Print nothing but errors (no progress bar, no summary table).
        #[arg(long)]
        quiet: bool,
        /// Run N seeds (the seed, seed+1, ...) into DIR/seed-<seed>/ subdirectories.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10000))]
        seeds: Option<u32>,
    },
    /// Check runs (one directory per seed of one scenario) against shared/FACTS.md; exits 1 if a
    /// fact fails.
    Facts {
        /// Output directories of `sim run` (e.g. outputs/2026/seed-*).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Print the table as Markdown (for docs/CALIBRATION.md).
        #[arg(long)]
        markdown: bool,
    },
    /// Compare two runs: headline outcomes side by side, and overlay plots.
    Compare {
        /// Output directory of the first run (A).
        a: PathBuf,
        /// Output directory of the second run (B).
        b: PathBuf,
        /// Where to write the overlay plots [default: outputs/compare-<A>-vs-<B>]. DIR must be
        /// missing, empty or an earlier comparison of the same two runs.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Write into DIR even if it holds something else (another comparison's plots).
        #[arg(long)]
        force: bool,
    },
    /// Check a scenario file without running it; exit code 2 if it is invalid.
    Validate {
        /// Scenario file (RON).
        file: PathBuf,
    },
    /// Redraw the plots of an existing output directory (into DIR/plots).
    Plot {
        /// Output directory of a previous `sim run`.
        dir: PathBuf,
    },
    /// Run a parameter sweep (e.g. configs/sweeps/*.ron) in parallel; rows stream into
    /// DIR/runs.csv as runs finish, and DIR/runs.parquet is written at the end. With --run ID,
    /// run one run of it again with every output of `sim run`.
    Sweep {
        /// Sweep file (RON), e.g. configs/sweeps/brand_tilt_grid.ron.
        file: PathBuf,
        /// Output directory [default: outputs/sweeps/<name>, or outputs/sweeps/<name>/shard-I-of-N;
        /// with --run, outputs/sweep-runs/<name>/run-<ID>].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Runs in parallel, each world single-threaded [default: all cores]; with --run, threads
        /// inside the tick. Results do not depend on it.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
        threads: Option<u16>,
        /// Run only run ID (a run_id of runs.csv) again, as `sim run` does: its scenario and seed,
        /// with data files, summary.json and plots in DIR, under `sim run`'s directory rules.
        #[arg(long, value_name = "ID", conflicts_with_all = ["resume", "shard"])]
        run: Option<u64>,
        /// With --run: print the run's scenario as a scenario file (RON) instead of running it;
        /// `sim run` on the printed file reproduces the run.
        #[arg(long, requires = "run", conflicts_with_all = ["out", "force"])]
        scenario: bool,
        /// With --run: write into a non-empty directory, or replace another run there (as
        /// `sim run --force`).
        #[arg(long, requires = "run")]
        force: bool,
        /// Continue the sweep already in DIR: run only the runs missing from its runs.csv.
        #[arg(long)]
        resume: bool,
        /// Run only the runs with run_id % N == I [default: with --resume, the shard DIR holds;
        /// else from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX and
        /// JOB_COMPLETIONS, when set].
        #[arg(long, value_name = "I/N")]
        shard: Option<sweep::Shard>,
        /// Print nothing but errors (no progress bar, no summary).
        #[arg(long)]
        quiet: bool,
    },
    /// Merge the shard directories of one sweep into one, checking that every run is there
    /// exactly once; the result equals the sweep run unsharded.
    Merge {
        /// Output directories of `sim sweep --shard I/N`.
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// Directory for the merged sweep.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Analyse a finished sweep into DIR/analysis: per-point mean, sd and 95% interval of each
    /// metric, Sobol or Morris indices, and plots.
    Analyze {
        /// Output directory of `sim sweep` or `sim merge`.
        dir: PathBuf,
    },
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let code = match execute(cli) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}

fn execute(cli: Cli) -> Result<(), SimError> {
    match cli.command {
        Command::Run { file, out, seed, threads, force, quiet, seeds } => {
            let opts = RunOptions {
                config: file,
                out,
                seed,
                threads: threads.map(usize::from),
                force,
                quiet,
                command_line: std::env::args().collect(),
            };
            if let Some(n) = seeds {
                let dirs = run::run_seeds(&opts, n, &mut |seed, outcome| {
                    if !quiet {
                        let weeks = outcome.results.ticks.len();
                        let secs = outcome.results.wall_seconds;
                        println!("seed {seed}: {weeks} weeks in {secs:.2} s -> {}", outcome.dir.display());
                    }
                })?;
                if !quiet {
                    let list: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
                    println!("\nCheck the facts: sim facts {}", list.join(" "));
                }
                return Ok(());
            }
            run_and_report(quiet, |progress| run::run(&opts, progress))
        }
        Command::Facts { dirs, markdown } => {
            let summaries = facts::load_summaries(&dirs)?;
            let verdicts = facts::judge(&summaries);
            if markdown {
                print!("{}", facts::markdown(&verdicts));
            } else {
                print!("{}", facts::plain(&verdicts));
            }
            let count = |word: &str| verdicts.iter().filter(|v| v.word() == word).count();
            let (failed, missing) = (count("FAIL"), count("no data"));
            if failed + missing > 0 {
                let (n, runs) = (verdicts.len(), summaries.len());
                let mut why = format!("{failed} of {n} fact checks failed over {runs} run(s)");
                if missing > 0 {
                    why += &format!(
                        "; {missing} could not be measured (`no data`: the runs lack the years or fields they \
                         read, e.g. a calendar that ends before 2026)"
                    );
                }
                return Err(SimError::Failed(why));
            }
            Ok(())
        }
        Command::Compare { a, b, out, force } => {
            let out = out.unwrap_or_else(|| compare::default_out(&a, &b));
            let (table, plots) = compare::compare(&a, &b, &out, force)?;
            print!("{table}");
            if let Some(first) = plots.first() {
                println!("\nOverlay plots: {}", first.parent().unwrap_or(&out).display());
            }
            Ok(())
        }
        Command::Validate { file } => {
            let s = config::load(&file)?;
            println!(
                "{}: valid scenario `{}`: {} weeks from {}, {} regions, {} platforms, {} events",
                file.display(),
                s.name,
                s.calendar.weeks,
                s.calendar.start,
                s.regions.len(),
                s.platforms.len(),
                s.events.len()
            );
            for note in &s.notes {
                println!("note: {note}");
            }
            Ok(())
        }
        Command::Plot { dir } => {
            for path in plot::plot_dir(&dir)? {
                println!("{}", path.display());
            }
            Ok(())
        }
        Command::Sweep { file, out, threads, run: Some(id), scenario, force, quiet, .. } => {
            let rerun = sweep::Rerun::load(&file, id, threads.map(usize::from))?;
            if scenario {
                print!("{}", rerun.scenario_ron()?);
                return Ok(());
            }
            if !quiet {
                println!("{}", rerun.describe());
            }
            let opts = RunOptions {
                out,
                threads: threads.map(usize::from),
                force,
                quiet,
                command_line: std::env::args().collect(),
                ..Default::default()
            };
            run_and_report(quiet, |progress| rerun.run(&opts, progress))
        }
        Command::Sweep { file, out, threads, resume, shard, quiet, .. } => {
            let resumed = out.as_deref().filter(|_| resume).and_then(sweep::shard_of);
            let shard = sweep::shard_from_flag_or_env(shard, resumed)?;
            if let Some((s, from)) = shard.filter(|(_, from)| *from != "--shard")
                && !quiet
            {
                eprintln!("shard {s} (from {from})");
            }
            let opts = sweep::SweepOptions {
                file,
                out,
                threads: threads.map(usize::from),
                resume,
                shard: shard.map(|(s, _)| s),
            };
            let bar = SweepProgress::new(quiet);
            let outcome = sweep::sweep(&opts, &|p| bar.update(p))?;
            bar.finish();
            if !quiet {
                print_sweep(&outcome);
            }
            Ok(())
        }
        Command::Merge { dirs, out } => {
            let runs = sweep::merge(&dirs, &out)?;
            let from = if dirs.len() == 1 { "1 directory".to_string() } else { format!("{} directories", dirs.len()) };
            println!("merged {} from {from} into {}", count(runs, "run"), out.display());
            Ok(())
        }
        Command::Analyze { dir } => {
            let analysis = sweep::analyze::analysis(&dir)?;
            for warning in &analysis.warnings {
                eprintln!("warning: {warning}");
            }
            for path in &analysis.written {
                println!("{}", path.display());
            }
            Ok(())
        }
    }
}

/// Does one run with a progress bar on stderr, then prints its outcome (unless `quiet`).
fn run_and_report(
    quiet: bool,
    run: impl FnOnce(&mut dyn FnMut(u32, u32)) -> Result<RunOutcome, SimError>,
) -> Result<(), SimError> {
    let bar = Progress::new(quiet);
    let outcome = run(&mut |done, total| bar.tick(done, total))?;
    bar.finish();
    if !quiet {
        print_outcome(&outcome);
    }
    Ok(())
}

/// A progress bar on stderr that appears only once a run has taken more than a second.
struct Progress {
    bar: ProgressBar,
    started: Instant,
    quiet: bool,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} week {pos}/{len} [{bar:40}] {elapsed_precise} eta {eta}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        Self { bar, started: Instant::now(), quiet }
    }

    fn tick(&self, done: u32, total: u32) {
        self.bar.set_length(u64::from(total));
        self.bar.set_position(u64::from(done));
        if !self.quiet && self.bar.is_hidden() && self.started.elapsed() > Duration::from_secs(1) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The progress bar of a sweep on stderr: runs done, failed, rate, ETA.
struct SweepProgress {
    bar: ProgressBar,
    started: Instant,
}

impl SweepProgress {
    fn new(quiet: bool) -> Self {
        let target = if quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template("{spinner} runs {pos}/{len} [{bar:40}] {elapsed_precise} eta {eta} {msg}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        Self { bar, started: Instant::now() }
    }

    fn update(&self, p: sweep::Progress) {
        self.bar.set_length(p.total);
        self.bar.set_position(p.done);
        let minutes = self.started.elapsed().as_secs_f64() / 60.0;
        let rate = if minutes > 0.0 { p.done as f64 / minutes } else { 0.0 };
        self.bar.set_message(format!("({} failed, {rate:.0} runs/min)", p.failed));
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn print_sweep(o: &sweep::SweepOutcome) {
    let shard = if o.shard.count > 1 { format!(", shard {}", o.shard) } else { String::new() };
    let before = if o.already_done > 0 { format!(" ({} done before)", o.already_done) } else { String::new() };
    let done = format!("{} of {} runs in", o.already_done + o.ran, o.shard_runs);
    if o.ran == 0 {
        println!("Sweep {}{shard}: nothing left to run{before}; {done}", o.sweep_id);
    } else {
        println!(
            "Sweep {}{shard}: {} in {:.1} s with {} ({:.1} runs/min, threads busy {:.1}%){before}; {done}",
            o.sweep_id,
            count(o.ran, "run"),
            o.wall_seconds,
            count(o.threads as u64, "thread"),
            o.runs_per_minute(),
            100.0 * o.utilisation(),
        );
    }
    if o.failed > 0 {
        println!("{} failed: see the `error` column of runs.csv", count(o.failed, "run"));
    }
    println!("Rows: {}", o.dir.join(sweep::store::RUNS_CSV).display());
    if o.complete {
        println!("      {}", o.dir.join(sweep::store::RUNS_PARQUET).display());
    }
}

/// A count with thousands separators: 1480950 -> "1,480,950".
/// `n` and the noun, plural unless `n` is 1 (`1 run`, `2 runs`).
fn count(n: u64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

fn thousands(n: impl Into<i64>) -> String {
    let n: i64 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn print_outcome(o: &RunOutcome) {
    let s: &Summary = &o.summary;
    println!(
        "Scenario `{}`, seed {}: {} weeks in {:.2} s ({:.1} M agent-steps/s)",
        s.scenario,
        s.seed,
        o.results.ticks.len(),
        o.results.wall_seconds,
        o.results.agent_steps_per_second / 1e6
    );
    println!();
    println!("{}", format!("{:<6} {:>12} {:>8} {:>10}  {:^23}", "", "", "", "sellers", "sellers exited").trim_end());
    println!(
        "{:<6} {:>12} {:>8} {:>10} {:>10} {:>12}  top platforms by GMV share",
        "year", "GMV bn USD", "growth", "at end", "brand", "white label"
    );
    for y in &s.years {
        let growth = y.gmv_growth.map_or("-".to_string(), |g| format!("{:+.1}%", g * 100.0));
        let mut shares: Vec<(&String, &f64)> = y.platform_share.iter().collect();
        shares.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
        let top: Vec<String> = shares.iter().take(3).map(|(p, v)| format!("{p} {:.1}%", *v * 100.0)).collect();
        println!(
            "{:<6} {:>12.1} {:>8} {:>10} {:>10} {:>12}  {}",
            y.year,
            y.gmv_usd / 1e9,
            growth,
            thousands(y.active_sellers_end),
            thousands(y.exits_by_kind.get("brand").copied().unwrap_or(0)),
            thousands(y.exits_by_kind.get("white_label").copied().unwrap_or(0)),
            top.join(", ")
        );
    }
    println!();
    println!("Data files: {}", o.dir.display());
    if let Some(first) = o.plots.first() {
        println!("Plots:      {}", first.parent().map_or(first.clone(), |p| p.to_path_buf()).display());
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_480_950), "1,480,950");
        assert_eq!(thousands(-12_345), "-12,345");
    }
}
