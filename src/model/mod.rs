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
    CustomsAndSettlement,
    Accounting,
    ExitThenEntry,
    Record,
}

/// The weekly tick schedule.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tick;

/// The tick: MODEL.md's ten steps as chained system sets. Ambiguous orderings are errors.
pub fn tick_schedule(multi_threaded: bool) -> Schedule {
    use Step::*;
    let mut s = Schedule::new(Tick);
    s.set_build_settings(ScheduleBuildSettings { ambiguity_detection: LogLevel::Error, ..Default::default() });
    if !multi_threaded {
        s.set_executor(SingleThreadedExecutor::new());
    }
    s.configure_sets(
        (
            CalendarAndPolicy,
            AdMarket,
            PlatformStrategy,
            SellerDecisions,
            Ranking,
            Shopping,
            CustomsAndSettlement,
            Accounting,
            ExitThenEntry,
            Record,
        )
            .chain(),
    );
    s.add_systems((calendar::advance_calendar, calendar::draw_shocks).chain().in_set(CalendarAndPolicy));
    s.add_systems(platforms::update_cpc.in_set(AdMarket));
    s.add_systems((platforms::platform_strategy, market::refresh_market).chain().in_set(PlatformStrategy));
    s.add_systems(sellers::seller_decisions.in_set(SellerDecisions));
    s.add_systems(ranking::build_tables.in_set(Ranking));
    s.add_systems(shopping::shop.in_set(Shopping));
    s.add_systems(settlement::settle.in_set(CustomsAndSettlement));
    s.add_systems(accounting::account.in_set(Accounting));
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
    /// Builds the world for `scenario` with master seed `seed`. `multi_threaded` picks bevy's
    /// executor; parallel queries use the global compute pool either way (see [`init_threads`]).
    pub fn new(scenario: Scenario, seed: u64, multi_threaded: bool) -> Self {
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
        world.insert_resource(record::Recorder::default());
        world.insert_resource(params);
        setup::populate(&mut world, seed);
        Self { world, schedule: tick_schedule(multi_threaded), weeks: warmup + weeks, ticks_done: 0 }
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

/// Initialises bevy's compute pool (used by parallel queries) with `threads` threads, or with
/// the machine's cores when `None`. The pool is global: the first call wins.
pub fn init_threads(threads: Option<usize>) {
    use bevy_tasks::{ComputeTaskPool, TaskPoolBuilder};
    let n = threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    ComputeTaskPool::get_or_init(|| TaskPoolBuilder::new().num_threads(n).build());
}
