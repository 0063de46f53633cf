//! `sim`: the command line. Parses arguments, calls the library, maps errors to exit codes.

use clap::{Parser, Subcommand};
use crossborder_sim::error::{EXIT_OK, EXIT_USAGE};
use crossborder_sim::output::Summary;
use crossborder_sim::run::{RunOptions, RunOutcome};
use crossborder_sim::{SimError, config, plot, run};
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
        /// Write into a non-empty directory that is not a previous sim output.
        #[arg(long)]
        force: bool,
        /// Print nothing but errors (no progress bar, no summary table).
        #[arg(long)]
        quiet: bool,
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
        Command::Run { file, out, seed, threads, force, quiet } => {
            let opts = RunOptions {
                config: file,
                out,
                seed,
                threads: threads.map(usize::from),
                force,
                quiet,
                command_line: std::env::args().collect(),
            };
            let bar = Progress::new(quiet);
            let outcome = run::run(&opts, &mut |done, total| bar.tick(done, total))?;
            bar.finish();
            if !quiet {
                print_outcome(&outcome);
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
            Ok(())
        }
        Command::Plot { dir } => {
            for path in plot::plot_dir(&dir)? {
                println!("{}", path.display());
            }
            Ok(())
        }
    }
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
    println!(
        "{:<6} {:>12} {:>8} {:>10} {:>10} {:>10}  top platforms by GMV share",
        "year", "GMV bn USD", "growth", "sellers", "exits BR", "exits WL"
    );
    for y in &s.years {
        let growth = y.gmv_growth.map_or("-".to_string(), |g| format!("{:+.1}%", g * 100.0));
        let mut shares: Vec<(&String, &f64)> = y.platform_share.iter().collect();
        shares.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
        let top: Vec<String> = shares.iter().take(3).map(|(p, v)| format!("{p} {:.1}%", *v * 100.0)).collect();
        println!(
            "{:<6} {:>12.1} {:>8} {:>10} {:>10} {:>10}  {}",
            y.year,
            y.gmv_usd / 1e9,
            growth,
            y.active_sellers_end,
            y.exits_by_kind.get("brand").copied().unwrap_or(0),
            y.exits_by_kind.get("white_label").copied().unwrap_or(0),
            top.join(", ")
        );
    }
    println!();
    println!("Data files: {}", o.dir.display());
    if let Some(first) = o.plots.first() {
        println!("Plots:      {}", first.parent().map_or(first.clone(), |p| p.to_path_buf()).display());
    }
}
