//! MODEL step 1, "Calendar and policy": advance the date, apply the dated events that have come,
//! draw the stochastic shocks.

use super::params::Params;
use crate::config::{self, ShockTarget};
use crate::rng::{self, Stream};
use bevy_ecs::prelude::*;
use chrono::{Datelike, NaiveDate};
use rand::RngExt;

/// The simulated date.
#[derive(Resource, Debug, Clone)]
pub struct Clock {
    /// Current tick (week), from 0.
    pub tick: u32,
    /// First day of the current week.
    pub date: NaiveDate,
    /// Years since the start of the run (fractional).
    pub years: f64,
    /// Ticks started so far; the next tick is this number.
    next: u32,
    pub seed: u64,
}

impl Clock {
    pub fn new(start: NaiveDate, seed: u64) -> Self {
        Self { tick: 0, date: start, years: 0.0, next: 0, seed }
    }

    pub fn year(&self) -> i32 {
        self.date.year()
    }

    /// Week of the year, 1 to 53.
    pub fn week_of_year(&self) -> u32 {
        self.date.iso_week().week()
    }

    /// Whether the week after this one starts in a new calendar year.
    pub fn last_week_of_year(&self) -> bool {
        (self.date + chrono::Duration::weeks(1)).year() != self.date.year()
    }
}

/// Dated events in date order, and how many have been applied.
#[derive(Resource, Debug, Default)]
pub struct EventQueue {
    order: Vec<(NaiveDate, usize)>,
    applied: usize,
    /// Labels of the events applied this week.
    pub fired: Vec<String>,
}

impl EventQueue {
    pub fn new(s: &config::Scenario) -> Self {
        let mut order: Vec<(NaiveDate, usize)> = s
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.enabled)
            .map(|(i, e)| (config::parse_date(&e.date).expect("validated"), i))
            .collect();
        order.sort();
        Self { order, applied: 0, fired: Vec::new() }
    }
}

/// Stochastic shocks running now.
#[derive(Resource, Debug, Clone)]
pub struct Shocks {
    /// `(shock index, last tick it applies)` of running shocks.
    running: Vec<(usize, u32)>,
    /// Current multiplier on freight from China.
    pub freight_cn: f64,
    /// Current multiplier on every CPC.
    pub cpc: f64,
}

impl Default for Shocks {
    fn default() -> Self {
        Self { running: Vec::new(), freight_cn: 1.0, cpc: 1.0 }
    }
}

/// Advances the clock and applies events whose date falls in the new week.
pub fn advance_calendar(mut clock: ResMut<Clock>, mut params: ResMut<Params>, mut queue: ResMut<EventQueue>) {
    clock.tick = clock.next;
    clock.next += 1;
    clock.date = params.start + chrono::Duration::weeks(i64::from(clock.tick));
    clock.years = f64::from(clock.tick) / 52.0;
    let week_end = clock.date + chrono::Duration::weeks(1);
    queue.fired.clear();
    while let Some(&(date, i)) = queue.order.get(queue.applied) {
        if date >= week_end {
            break;
        }
        let event = params.s.events[i].clone();
        let next = config::apply_event(&params.s, &event).expect("events are validated at load");
        params.replace(next);
        queue.fired.push(event.label);
        queue.applied += 1;
    }
}

/// Draws which shocks start this week and sets the multipliers of the running ones.
pub fn draw_shocks(clock: Res<Clock>, params: Res<Params>, mut shocks: ResMut<Shocks>) {
    let tick = clock.tick;
    shocks.running.retain(|&(_, until)| until >= tick);
    let mut rng = rng::world(clock.seed, Stream::Shocks, tick);
    for (i, shock) in params.s.shocks.iter().enumerate() {
        let u: f64 = rng.random();
        let allowed = shock.from.as_deref().and_then(config::parse_date).is_none_or(|from| clock.date >= from);
        let running = shocks.running.iter().any(|&(j, _)| j == i);
        if allowed && !running && u < shock.weekly_probability {
            shocks.running.push((i, tick + shock.duration_weeks - 1));
        }
    }
    let factor = |target: ShockTarget| -> f64 {
        shocks
            .running
            .iter()
            .filter(|&&(i, _)| params.s.shocks[i].target == target)
            .map(|&(i, _)| params.s.shocks[i].factor)
            .product()
    };
    let (freight_cn, cpc) = (factor(ShockTarget::FreightCn), factor(ShockTarget::Cpc));
    shocks.freight_cn = freight_cn;
    shocks.cpc = cpc;
}
