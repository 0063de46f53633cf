//! MODEL step 2, "Ad market", and step 3, "Platform strategy".
//!
//! CPC: `cpc_t = base_t * (ratio_{t-1} / ratio_ref)^elasticity`, `base_t = base_{t-1} (1+g)^(1/52)`,
//! where ratio is bid demand (clicks sellers want) over sponsored supply (ad load x impressions),
//! relative to the first positive ratio from tick `ad_market.reference_week` on (tick 0 is
//! the first warm-up week; CPC stays at its base until then, while sellers' ad budgets
//! form) so that a market starts at its configured base CPC.
//! Marketing: a softmax over regional margin and growth, with inertia; it raises attractiveness
//! by `effect * ln(1 + spend / reference)`. A FullyManaged platform in a region where de minimis
//! for China has ended raises its direct-parcel penalty and subsidises the move to warehouses.

use super::agents::PlatformAgent;
use super::calendar::{Clock, Shocks};
use super::params::Params;
use crate::config::BusinessModel;
use bevy_ecs::prelude::*;

/// One week of exogenous CPC inflation at yearly rate `g`.
pub fn compound_weekly(base: f64, g: f64) -> f64 {
    base * (1.0 + g).powf(1.0 / 52.0)
}

/// CPC from its base and the competition ratio relative to the reference ratio.
pub fn cpc(base: f64, ratio: f64, reference: f64, elasticity: f64) -> f64 {
    if ratio > 0.0 && reference > 0.0 { base * (ratio / reference).powf(elasticity) } else { base }
}

/// Attractiveness gained from a week's regional marketing spend.
pub fn marketing_lift(spend_usd: f64, effect: f64, reference_musd: f64) -> f64 {
    effect * (1.0 + spend_usd / (reference_musd * 1e6)).ln()
}

/// Updates every platform's CPC in every region (step 2).
pub fn update_cpc(
    clock: Res<Clock>,
    params: Res<Params>,
    shocks: Res<Shocks>,
    mut platforms: Query<&mut PlatformAgent>,
) {
    let a = &params.s.ad_market;
    for mut agent in &mut platforms {
        let p = usize::from(agent.idx);
        let g = a.cpc_inflation.get(&params.s.platforms[p].id).copied().unwrap_or(0.0);
        for state in &mut agent.regions {
            if clock.tick > 0 && !clock.in_warmup() {
                state.cpc_base = compound_weekly(state.cpc_base, g);
            }
            let ratio = if state.sponsored_supply > 0.0 { state.bid_demand / state.sponsored_supply } else { 0.0 };
            if state.reference_ratio.is_none() && ratio > 0.0 && clock.step >= a.reference_week {
                state.reference_ratio = Some(ratio);
            }
            let reference = state.reference_ratio.unwrap_or(0.0);
            state.cpc = cpc(state.cpc_base, ratio, reference, a.elasticity) * shocks.cpc;
        }
    }
}

/// Splits marketing budgets across regions and shifts fully-managed platforms (step 3).
pub fn platform_strategy(params: Res<Params>, mut platforms: Query<&mut PlatformAgent>) {
    let st = &params.s.platform_strategy;
    for mut agent in &mut platforms {
        let p = usize::from(agent.idx);
        let platform = &params.s.platforms[p];
        let present: Vec<bool> = (0..params.regions()).map(|r| params.platform_region(p, r).is_some()).collect();
        let scores: Vec<f64> = agent
            .regions
            .iter()
            .map(|s| {
                let margin =
                    if s.gmv_cents > 0 { (s.fees_cents + s.ad_revenue_cents) as f64 / s.gmv_cents as f64 } else { 0.0 };
                (margin + st.growth_weight * s.growth_avg) / st.temperature
            })
            .collect();
        let max = scores.iter().zip(&present).filter(|(_, p)| **p).map(|(s, _)| *s).fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> =
            scores.iter().zip(&present).map(|(s, p)| if *p { (s - max).exp() } else { 0.0 }).collect();
        let total: f64 = weights.iter().sum();
        for (r, state) in agent.regions.iter_mut().enumerate() {
            let target = if total > 0.0 { weights[r] / total } else { 0.0 };
            state.marketing_share = st.inertia * state.marketing_share + (1.0 - st.inertia) * target;
            if !present[r] {
                state.marketing_share = 0.0;
            }
            state.marketing_usd = platform.marketing_musd_week * 1e6 * state.marketing_share;
            let de_minimis_gone = params.regulator(r).de_minimis_usd <= 0.0;
            if platform.model == BusinessModel::FullyManaged && de_minimis_gone && present[r] {
                state.extra_penalty = (state.extra_penalty + st.managed_penalty_step).min(st.managed_penalty_max);
                state.warehouse_subsidy = st.managed_warehouse_subsidy;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpc_compounds_to_the_yearly_rate_over_52_weeks() {
        let mut base = 0.84;
        for _ in 0..52 {
            base = compound_weekly(base, 0.3);
        }
        assert!((base - 0.84 * 1.3).abs() < 1e-9);
    }

    #[test]
    fn cpc_rises_with_competition_and_starts_at_base() {
        assert_eq!(cpc(1.0, 0.0, 0.0, 0.5), 1.0);
        assert!((cpc(1.0, 2.0, 2.0, 0.5) - 1.0).abs() < 1e-12);
        assert!((cpc(1.0, 4.0, 1.0, 0.5) - 2.0).abs() < 1e-12);
        assert!(cpc(1.0, 0.5, 1.0, 0.5) < 1.0);
    }

    #[test]
    fn marketing_has_diminishing_returns() {
        let a = marketing_lift(5e6, 0.3, 5.0);
        let b = marketing_lift(10e6, 0.3, 5.0);
        assert!((a - 0.3 * 2f64.ln()).abs() < 1e-12);
        assert!(b > a && b - a < a);
    }
}
