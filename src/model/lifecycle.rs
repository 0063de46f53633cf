//! MODEL step 9, "Exit, then entry". A seller exits when its cash is negative (`insolvent`),
//! when its loss streak reaches its size's limit (`sustained_losses`) or when a regulator delists
//! it (`regulatory`); every exit is logged. New sellers arrive per segment as
//! `Poisson(lambda0 * exp(k_e * (margin - m0)))`, so entry falls when margins fall.

use super::agents::*;
use super::calendar::Clock;
use super::market::{Market, Quotes};
use super::params::Params;
use super::record::{ExitRecord, Logs};
use super::sellers::ai_curve;
use super::settlement::Closing;
use super::setup::{NextSellerId, Population, Segment, draw_seller};
use crate::rng::{self, Stream};
use bevy_ecs::prelude::*;
use rand::RngExt;
use rand_distr::{Distribution, Poisson};

/// Why a seller left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitReason {
    Insolvent,
    SustainedLosses,
    Regulatory,
}

impl ExitReason {
    pub const ALL: [ExitReason; 3] = [ExitReason::Insolvent, ExitReason::SustainedLosses, ExitReason::Regulatory];
    pub fn name(self) -> &'static str {
        match self {
            ExitReason::Insolvent => "insolvent",
            ExitReason::SustainedLosses => "sustained_losses",
            ExitReason::Regulatory => "regulatory",
        }
    }
}

/// The exit rule, in the order MODEL lists the reasons.
pub fn exit_reason(cash: f64, loss_streak: u32, streak_limit: u32, delisted: bool) -> Option<ExitReason> {
    if cash < 0.0 {
        Some(ExitReason::Insolvent)
    } else if loss_streak >= streak_limit {
        Some(ExitReason::SustainedLosses)
    } else if delisted {
        Some(ExitReason::Regulatory)
    } else {
        None
    }
}

/// Chance in a week that some regulator delists a seller: each region it imports into delists
/// a fully non-compliant seller with its `enforcement` probability, scaled by `1 - compliance`.
pub fn delist_probability(enforcements: impl IntoIterator<Item = f64>, compliance: f64) -> f64 {
    1.0 - enforcements.into_iter().map(|e| 1.0 - e * (1.0 - compliance)).product::<f64>()
}

/// Updates the segment margins entry responds to (from sums in cents).
pub fn update_segment_margins(params: Res<Params>, mut market: ResMut<Market>, closing: Res<Closing>) {
    let (revenue, profit) = (&closing.segment_revenue, &closing.segment_profit);
    let w = params.s.sellers.entry.margin_smoothing;
    for k in 0..SEGMENTS {
        if revenue[k] > 0 {
            let m = (profit[k] as f64 / revenue[k] as f64).clamp(-1.0, 1.0);
            market.segment_margin[k] =
                if market.segment_margin_seen[k] { super::accounting::ema(market.segment_margin[k], m, w) } else { m };
            market.segment_margin_seen[k] = true;
        }
    }
}

/// Removes the sellers that exit this week and logs them.
pub fn exits(
    mut commands: Commands,
    clock: Res<Clock>,
    mut closing: ResMut<Closing>,
    mut logs: ResMut<Logs>,
    sellers: Query<(&Seller, &Listings, &Finance)>,
) {
    // Each seller decided alone in the settlement pass (its draw is keyed by its id); the
    // leavers are logged and despawned in id order.
    let mut leaving = std::mem::take(&mut closing.leaving);
    leaving.sort_unstable_by_key(|x| x.0);
    for (_, entity, reason) in leaving {
        let (s, listings, f) = sellers.get(entity).expect("the settlement pass found it");
        let main = listings.0.iter().max_by(|a, b| a.revenue_avg.total_cmp(&b.revenue_avg)).map(|l| l.platform);
        if !clock.in_warmup() {
            let exit = ExitRecord {
                tick: clock.tick,
                seller_id: s.id,
                origin: s.origin,
                kind: s.kind,
                size: s.size,
                category: s.category,
                main_platform: main,
                reason,
                age_weeks: f.age_weeks,
                cash: f.cash,
            };
            logs.leaving.push(exit);
            logs.close_year(clock.year(), s, listings, f, true);
        }
        commands.entity(entity).despawn();
    }
}

/// Why seller `s` leaves this week, if it does: each region it sells into may delist it.
pub fn exit_of(clock: &Clock, params: &Params, s: &Seller, listings: &Listings, f: &Finance) -> Option<ExitReason> {
    let delisted = s.origin == Origin::Cn && {
        let regions = listings.0.iter().fold(0u64, |m, l| m | 1 << l.region);
        let enforcement =
            (0..params.regions()).filter(|r| regions & (1 << r) != 0).map(|r| params.regulator(r).enforcement);
        let p = delist_probability(enforcement, s.compliance);
        rng::agent(clock.seed, Stream::Enforcement, s.id, clock.step).random::<f64>() < p
    };
    exit_reason(f.cash, f.loss_streak, params.size(s.size).loss_streak_limit, delisted)
}

/// Expected entrants of a segment this week.
pub fn entry_rate(base_per_week: f64, segment_share: f64, margin: f64, sensitivity: f64, reference: f64) -> f64 {
    base_per_week * segment_share * (sensitivity * (margin - reference)).exp()
}

/// Spawns this week's entrants.
#[allow(clippy::too_many_arguments)]
pub fn entries(
    mut commands: Commands,
    clock: Res<Clock>,
    params: Res<Params>,
    market: Res<Market>,
    quotes: Res<Quotes>,
    population: Res<Population>,
    mut next_id: ResMut<NextSellerId>,
    mut closing: ResMut<Closing>,
) {
    let cfg = &params.s.sellers;
    let e = &cfg.entry;
    let base = e.rate_per_week * f64::from(population.initial_sellers);
    let ai_share = ai_curve(&cfg.ai, clock.date);
    let mut rng = rng::world(clock.seed, Stream::Entry, clock.step);
    let (a, b, c) = cfg.size_shares;
    for origin in Origin::ALL {
        for kind in Kind::ALL {
            for (size, size_share) in Size::ALL.into_iter().zip([a, b, c]) {
                let origin_share = if origin == Origin::Cn { cfg.cn_share } else { 1.0 - cfg.cn_share };
                let kind_share =
                    if kind == Kind::Brand { cfg.entrant_brand_share } else { 1.0 - cfg.entrant_brand_share };
                let k = segment(origin, kind, size);
                let margin = if market.segment_margin_seen[k] { market.segment_margin[k] } else { e.reference_margin };
                let lambda = entry_rate(
                    base,
                    origin_share * kind_share * size_share,
                    margin,
                    e.margin_sensitivity,
                    e.reference_margin,
                );
                let n = if lambda > 0.0 { Poisson::new(lambda).map_or(0.0, |d| d.sample(&mut rng)) as u64 } else { 0 };
                for _ in 0..n {
                    let id = next_id.0;
                    next_id.0 += 1;
                    let mut srng = rng::agent(clock.seed, Stream::Entry, id, clock.step);
                    let seg = Segment { origin, kind, size };
                    let bundle = draw_seller(&params, &market, &quotes, id, seg, ai_share, &mut srng);
                    if let Some(t) = &mut closing.tally {
                        let (s, l, f) = &bundle;
                        t.add(&population, s, l, &vec![0; l.0.len()], &f.week, true, true);
                    }
                    commands.spawn(bundle);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_exit_rule_fires_on_its_own() {
        assert_eq!(exit_reason(-0.01, 0, 8, false), Some(ExitReason::Insolvent));
        assert_eq!(exit_reason(0.0, 7, 8, false), None);
        assert_eq!(exit_reason(100.0, 8, 8, false), Some(ExitReason::SustainedLosses));
        assert_eq!(exit_reason(100.0, 0, 8, true), Some(ExitReason::Regulatory));
        // Insolvency wins when several hold.
        assert_eq!(exit_reason(-1.0, 9, 8, true), Some(ExitReason::Insolvent));
    }

    #[test]
    fn delisting_needs_non_compliance() {
        assert_eq!(delist_probability([0.5, 0.5], 1.0), 0.0);
        assert!((delist_probability([0.5], 0.0) - 0.5).abs() < 1e-12);
        assert!((delist_probability([0.5, 0.5], 0.0) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn entry_falls_when_margins_fall() {
        let at_ref = entry_rate(10.0, 0.5, 0.05, 4.0, 0.05);
        assert!((at_ref - 5.0).abs() < 1e-12);
        assert!(entry_rate(10.0, 0.5, -0.1, 4.0, 0.05) < at_ref);
    }
}
