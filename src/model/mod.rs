//! The market model of shared/MODEL.md in bevy_ecs. One file per submodel; [`tick_schedule`]
//! is the tick order, in one place. This module knows nothing of files, plots or sweeps.

pub mod accounting;
pub mod agents;
pub mod calendar;
pub mod choice;
pub mod lifecycle;
pub mod market;
pub mod par;
pub mod params;
pub mod platforms;
pub mod pricing;
pub mod ranking;
pub mod record;
pub mod sellers;
pub mod settlement;
pub mod setup;
pub mod shopping;

use crate::config::Scenario;
use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings, ScheduleLabel, SingleThreadedExecutor};
pub use params::Params;

/// The steps of a tick, in MODEL.md's order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    CalendarAndPolicy,
    AdMarket,
    PlatformStrategy,
    SellerDecisions,
    Ranking,
    Shopping,
    SettlementAndAccounting,
    ExitThenEntry,
    Record,
}

impl Step {
    pub const ALL: [Step; 9] = [
        Step::CalendarAndPolicy,
        Step::AdMarket,
        Step::PlatformStrategy,
        Step::SellerDecisions,
        Step::Ranking,
        Step::Shopping,
        Step::SettlementAndAccounting,
        Step::ExitThenEntry,
        Step::Record,
    ];

    /// The step's name in snake case (the manifest's `step_seconds` keys).
    pub fn name(self) -> &'static str {
        match self {
            Step::CalendarAndPolicy => "calendar_and_policy",
            Step::AdMarket => "ad_market",
            Step::PlatformStrategy => "platform_strategy",
            Step::SellerDecisions => "seller_decisions",
            Step::Ranking => "ranking",
            Step::Shopping => "shopping",
            Step::SettlementAndAccounting => "settlement_and_accounting",
            Step::ExitThenEntry => "exit_then_entry",
            Step::Record => "record",
        }
    }
}

/// Runs right after a step's systems, to time it.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Timed(Step);

/// Wall time spent in each step so far (seconds, indexed like [`Step::ALL`]); a stamp system
/// after every step adds the time since the previous stamp.
#[derive(Resource, Debug, Clone)]
pub struct StepTimes {
    last: std::time::Instant,
    pub seconds: [f64; Step::ALL.len()],
}

impl StepTimes {
    fn new() -> Self {
        Self { last: std::time::Instant::now(), seconds: [0.0; Step::ALL.len()] }
    }

    fn stamp(&mut self, step: Step) {
        let now = std::time::Instant::now();
        self.seconds[step as usize] += (now - self.last).as_secs_f64();
        self.last = now;
    }
}

/// The weekly tick schedule.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tick;

/// The tick: MODEL.md's ten steps as chained system sets. Ambiguous orderings are errors.
/// The steps run one after another on the calling thread (they are a chain, so bevy's
/// multi-threaded executor would find nothing to overlap); each step spreads its own work over
/// the threads (see [`par`]).
pub fn tick_schedule() -> Schedule {
    use Step::*;
    let mut s = Schedule::new(Tick);
    s.set_build_settings(ScheduleBuildSettings { ambiguity_detection: LogLevel::Error, ..Default::default() });
    s.set_executor(SingleThreadedExecutor::new());
    for (i, &step) in Step::ALL.iter().enumerate() {
        s.configure_sets(step.before(Timed(step)));
        if let Some(&next) = Step::ALL.get(i + 1) {
            s.configure_sets(Timed(step).before(next));
        }
        s.add_systems((move |mut t: ResMut<StepTimes>| t.stamp(step)).in_set(Timed(step)));
    }
    s.add_systems((calendar::advance_calendar, calendar::draw_shocks).chain().in_set(CalendarAndPolicy));
    s.add_systems(platforms::update_cpc.in_set(AdMarket));
    s.add_systems((platforms::platform_strategy, market::refresh_market).chain().in_set(PlatformStrategy));
    s.add_systems(sellers::seller_decisions.in_set(SellerDecisions));
    s.add_systems(ranking::build_tables.in_set(Ranking));
    s.add_systems(shopping::shop.in_set(Shopping));
    s.add_systems(settlement::settle.in_set(SettlementAndAccounting));
    s.add_systems(
        (lifecycle::update_segment_margins, lifecycle::exits, lifecycle::entries).chain().in_set(ExitThenEntry),
    );
    s.add_systems((record::record_tick, record::close_years).chain().in_set(Record));
    s
}

/// A world built from a scenario, ready to tick.
pub struct Simulation {
    pub world: World,
    schedule: Schedule,
    weeks: u32,
    ticks_done: u32,
}

/// Agent counts at the start of a run.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct AgentCounts {
    pub consumers: u64,
    pub sellers: u64,
    pub platforms: u64,
    pub regulators: u64,
}

impl Simulation {
    /// Builds the world for `scenario` with master seed `seed`; its steps use the threads set by
    /// [`init_threads`] (all cores if it was not called).
    pub fn new(scenario: Scenario, seed: u64) -> Self {
        init_threads(None);
        let (weeks, warmup) = (scenario.calendar.weeks, scenario.calendar.warmup_weeks);
        let params = Params::new(scenario);
        let mut world = World::new();
        world.insert_resource(calendar::Clock::new(params.start, params.s.calendar.warmup_weeks, seed));
        world.insert_resource(calendar::Trends::new(params.regions(), params.platforms()));
        world.insert_resource(calendar::EventQueue::new(&params.s));
        world.insert_resource(calendar::Shocks::default());
        world.insert_resource(setup::Population::new(&params));
        world.insert_resource(market::Market {
            regions: params.regions(),
            categories: params.categories(),
            revenue_per_listing: vec![0.0; params.platforms() * params.regions() * params.categories()],
            delay_days: vec![0.0; params.regions()],
            ..Default::default()
        });
        world.insert_resource(ranking::Tables::default());
        world.insert_resource(record::Logs::default());
        world.insert_resource(settlement::Closing::default());
        world.insert_resource(record::Recorder::default());
        world.insert_resource(params);
        setup::populate(&mut world, seed);
        world.insert_resource(StepTimes::new());
        Self { world, schedule: tick_schedule(), weeks: warmup + weeks, ticks_done: 0 }
    }

    /// Agent counts now.
    pub fn agent_counts(&mut self) -> AgentCounts {
        let w = &mut self.world;
        AgentCounts {
            consumers: w.query::<&agents::Consumer>().iter(w).count() as u64,
            sellers: w.query::<&agents::Seller>().iter(w).count() as u64,
            platforms: w.query::<&agents::PlatformAgent>().iter(w).count() as u64,
            regulators: w.query::<&agents::RegulatorAgent>().iter(w).count() as u64,
        }
    }

    /// Runs one tick (a warm-up week or a calendar week); returns false once the calendar is done.
    pub fn step(&mut self) -> bool {
        if self.ticks_done >= self.weeks {
            return false;
        }
        self.schedule.run(&mut self.world);
        self.ticks_done += 1;
        true
    }

    pub fn weeks(&self) -> u32 {
        self.weeks
    }

    pub fn ticks_done(&self) -> u32 {
        self.ticks_done
    }
}

/// Sets the threads the model's parallel steps use (the machine's cores when `None`); global,
/// the first call wins (see [`par::init`]).
pub fn init_threads(threads: Option<usize>) {
    par::init(threads);
}
