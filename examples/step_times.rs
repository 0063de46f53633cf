//! Milliseconds per tick of each step at a chosen scale, on a warm world: the calibrated
//! scenario with `consumers` consumer agents and a tenth as many sellers, stepped `warm` weeks
//! (the seller population turns over and settles: the scenario's warm-up is 52 weeks), then
//! timed over `timed` weeks.
//!
//! ```sh
//! cargo run --release --example step_times -- [consumers] [warm] [timed] [threads]
//! cargo run --release --example step_times -- 200000 60 30 1
//! ```
//!
//! Defaults: 1,000,000 consumers, 60 warm weeks, 30 timed weeks, all cores. docs/PERFORMANCE.md
//! uses it to compare steps per seller at scales whose data do and do not fit the caches.

use crossborder_sim::config;
use crossborder_sim::model::{Simulation, Step, StepTimes, init_threads};
use std::path::Path;

fn main() {
    let arg = |i: usize, default: u32| -> u32 {
        std::env::args().nth(i).map_or(default, |s| {
            s.parse().unwrap_or_else(|_| {
                eprintln!("step_times: argument {i} is `{s}`, not a whole number");
                eprintln!("usage: step_times [consumers] [warm] [timed] [threads]");
                std::process::exit(2)
            })
        })
    };
    let (consumers, warm, timed) = (arg(1, 1_000_000), arg(2, 60), arg(3, 30).max(1));
    init_threads(std::env::args().nth(4).map(|_| arg(4, 0) as usize));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/2026.ron");
    let mut s = config::load(&path).expect("configs/2026.ron loads");
    s.scale.consumer_agents = consumers;
    s.scale.seller_agents = consumers / 10;
    s.calendar.weeks = s.calendar.weeks.max(warm + timed);
    let seed = s.seed;
    let mut sim = Simulation::new(s, seed);
    for _ in 0..warm {
        sim.step();
    }
    let before = sim.world.resource::<StepTimes>().seconds;
    for _ in 0..timed {
        sim.step();
    }
    let after = sim.world.resource::<StepTimes>().seconds;
    let sellers = sim.agent_counts().sellers;
    let mut total = 0.0;
    println!("{consumers} consumers, {sellers} sellers (after {warm} weeks); ms per tick over {timed} ticks");
    for (i, step) in Step::ALL.iter().enumerate() {
        let ms = (after[i] - before[i]) * 1e3 / f64::from(timed);
        total += ms;
        println!("{:>28} {ms:8.2}", format!("{step:?}"));
    }
    println!("{:>28} {total:8.2}", "total");
}
