//! MODEL step 1, "Calendar and policy": advance the date, apply the dated events that have come,
//! draw the stochastic shocks.

use super::params::Params;
use crate::config::{self, ShockTarget};
use crate::rng::{self, Stream};
use bevy_ecs::prelude::*;
use chrono::{Datelike, NaiveDate};
use rand::RngExt;

/// The simulated date.
///
/// A run may start with `warmup_weeks` of spin-up: the date stays at the calendar start, no
/// event, trend or shock applies, and nothing is recorded. `step` counts every tick (it keys the
/// random streams); `tick` counts recorded weeks from 0.
#[derive(Resource, Debug, Clone)]
pub struct Clock {
    /// Ticks run so far, warm-up included, minus one (the current tick's index).
    pub step: u32,
    /// Recorded week, from 0 (0 during warm-up).
    pub tick: u32,
    /// First day of the current week.
    pub date: NaiveDate,
    /// Weeks of warm-up.
    pub warmup: u32,
    /// Ticks started so far; the next step is this number.
    next: u32,
    pub seed: u64,
}

impl Clock {
    pub fn new(start: NaiveDate, warmup: u32, seed: u64) -> Self {
        Self { step: 0, tick: 0, date: start, warmup, next: 0, seed }
    }

    /// Whether this tick is a spin-up week.
    pub fn in_warmup(&self) -> bool {
        self.step < self.warmup
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

/// Slow trends, compounded week by week from the calendar start so that a dated change of a
/// growth rate acts from its date on.
#[derive(Resource, Debug, Clone)]
pub struct Trends {
    /// Demand index per region: purchase probability multiplier, 1 at the start.
    pub demand: Vec<f64>,
    /// Accumulated attractiveness drift per platform, utility units.
    pub drift: Vec<f64>,
}

impl Trends {
    pub fn new(regions: usize, platforms: usize) -> Self {
        Self { demand: vec![1.0; regions], drift: vec![0.0; platforms] }
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
    /// Indices of the shocks that started this week (for the record).
    pub started: Vec<usize>,
    /// Current multiplier on freight from China.
    pub freight_cn: f64,
    /// Current multiplier on every CPC.
    pub cpc: f64,
}

impl Default for Shocks {
    fn default() -> Self {
        Self { running: Vec::new(), started: Vec::new(), freight_cn: 1.0, cpc: 1.0 }
    }
}

/// Advances the clock, compounds the trends and applies events whose date falls in the new week.
pub fn advance_calendar(
    mut clock: ResMut<Clock>,
    mut params: ResMut<Params>,
    mut queue: ResMut<EventQueue>,
    mut trends: ResMut<Trends>,
) {
    clock.step = clock.next;
    clock.next += 1;
    queue.fired.clear();
    if clock.in_warmup() {
        return;
    }
    clock.tick = clock.step - clock.warmup;
    clock.date = params.start + chrono::Duration::weeks(i64::from(clock.tick));
    if clock.tick > 0 {
        for (d, r) in trends.demand.iter_mut().zip(&params.s.regions) {
            *d *= (1.0 + r.demand_growth).powf(1.0 / 52.0);
        }
        for (d, p) in trends.drift.iter_mut().zip(&params.s.platforms) {
            *d += p.attractiveness_drift / 52.0;
        }
    }
    let week_end = clock.date + chrono::Duration::weeks(1);
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
    shocks.started.clear();
    if clock.in_warmup() {
        return;
    }
    let tick = clock.tick;
    shocks.running.retain(|&(_, until)| until >= tick);
    let mut rng = rng::world(clock.seed, Stream::Shocks, clock.step);
    for (i, shock) in params.s.shocks.iter().enumerate() {
        let u: f64 = rng.random();
        let date = |d: &Option<String>| d.as_deref().and_then(config::parse_date);
        let allowed = date(&shock.from).is_none_or(|from| clock.date >= from)
            && date(&shock.until).is_none_or(|until| clock.date <= until);
        let running = shocks.running.iter().any(|&(j, _)| j == i);
        if allowed && !running && u < shock.weekly_probability {
            shocks.running.push((i, tick + shock.duration_weeks - 1));
            shocks.started.push(i);
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
