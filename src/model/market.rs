//! What sellers know of the market: last week's platform, regulator and table statistics, and
//! the per-listing quote (landed cost, duty, VAT, delivery days) that MODEL step 4 prices from.

use super::agents::{Fulfilment, Origin, PlatformAgent, RegulatorAgent, Seller};
use super::calendar::Shocks;
use super::params::Params;
use super::pricing::{self, UnitCosts};
use bevy_ecs::prelude::*;

/// Market conditions sellers read this week, indexed `[p * regions + r]` or by table
/// `[(p * regions + r) * categories + c]`.
#[derive(Resource, Debug, Default, Clone)]
pub struct Market {
    pub regions: usize,
    pub categories: usize,
    pub cpc: Vec<f64>,
    pub extra_penalty: Vec<f64>,
    pub warehouse_subsidy: Vec<f64>,
    /// Customs delay days per region from last week's inspections.
    pub delay_days: Vec<f64>,
    /// Last week's mean revenue per listing by table, USD per real seller.
    pub revenue_per_listing: Vec<f64>,
    /// Smoothed margin (profit / revenue) by segment, for entry.
    pub segment_margin: [f64; super::agents::SEGMENTS],
    pub segment_margin_seen: [bool; super::agents::SEGMENTS],
}

impl Market {
    pub fn pr(&self, p: usize, r: usize) -> usize {
        p * self.regions + r
    }
    pub fn table(&self, p: usize, r: usize, c: usize) -> usize {
        (p * self.regions + r) * self.categories + c
    }
}

/// Copies this week's CPC, platform policy and customs delays into [`Market`] (end of step 3).
pub fn refresh_market(
    params: Res<Params>,
    mut market: ResMut<Market>,
    platforms: Query<&PlatformAgent>,
    regulators: Query<&RegulatorAgent>,
) {
    let (np, nr) = (params.platforms(), params.regions());
    market.regions = nr;
    market.categories = params.categories();
    market.cpc.resize(np * nr, 0.0);
    market.extra_penalty.resize(np * nr, 0.0);
    market.warehouse_subsidy.resize(np * nr, 0.0);
    market.delay_days.resize(nr, 0.0);
    let tables = np * nr * params.categories();
    market.revenue_per_listing.resize(tables, 0.0);
    for agent in &platforms {
        for (r, s) in agent.regions.iter().enumerate() {
            let i = market.pr(usize::from(agent.idx), r);
            market.cpc[i] = s.cpc;
            market.extra_penalty[i] = s.extra_penalty;
            market.warehouse_subsidy[i] = s.warehouse_subsidy;
        }
    }
    for g in &regulators {
        market.delay_days[usize::from(g.region)] = g.delay_days;
    }
}

/// A listing's cost and terms under a fulfilment mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quote {
    pub landed: f64,
    pub duty: f64,
    pub vat: f64,
    pub days: f64,
    pub take_rate: f64,
    pub goods: f64,
    pub freight: f64,
}

/// Quotes seller `s` selling on platform `p` in region `r` with fulfilment `mode`; `None` if the
/// platform is not present there.
pub fn quote(
    s: &Seller,
    mode: Fulfilment,
    p: usize,
    r: usize,
    params: &Params,
    market: &Market,
    shocks: &Shocks,
) -> Option<Quote> {
    let terms = params.platform_region(p, r)?;
    let platform = &params.s.platforms[p];
    let sellers = &params.s.sellers;
    let cat = &params.s.categories[usize::from(s.category)];
    let c = usize::from(s.category);
    let goods = s.unit_cost * if s.ai { sellers.ai.cost_factor } else { 1.0 };
    let policy = params.import_policy(s.origin, r, c);
    let write_off_rate = if s.ai { sellers.warehouse.write_off_ai } else { sellers.warehouse.write_off };
    let costs = match (s.origin, mode) {
        (Origin::Cn, Fulfilment::DirectParcel) => UnitCosts {
            goods,
            freight: cat.parcel_freight_usd * shocks.freight_cn,
            domestic: 0.0,
            fulfilment_fee: 0.0,
            storage: 0.0,
            write_off: 0.0,
        },
        (Origin::Cn, Fulfilment::LocalWarehouse) => UnitCosts {
            goods,
            freight: cat.bulk_freight_usd * shocks.freight_cn,
            domestic: 0.0,
            fulfilment_fee: platform.fulfilment_fee_usd,
            storage: sellers.warehouse.storage_usd_per_unit,
            write_off: pricing::write_off_per_unit(write_off_rate, sellers.warehouse.stock_weeks, goods),
        },
        (Origin::Local, _) => UnitCosts {
            goods,
            freight: 0.0,
            domestic: cat.domestic_shipping_usd,
            fulfilment_fee: 0.0,
            storage: 0.0,
            write_off: 0.0,
        },
    };
    let customs_value = goods;
    let (duty, vat) = match s.origin {
        Origin::Cn => {
            (pricing::duty_per_unit(mode, customs_value, &policy), pricing::vat_rate(mode, customs_value, &policy))
        }
        Origin::Local => (0.0, policy.vat),
    };
    let direct = s.origin == Origin::Cn && mode == Fulfilment::DirectParcel;
    let days = if direct { terms.parcel_days + market.delay_days[r] } else { terms.warehouse_days };
    Some(Quote {
        landed: pricing::landed_cost(&costs, duty, policy.compliance_per_unit),
        duty,
        vat,
        days,
        take_rate: platform.take_rate,
        goods,
        freight: costs.freight,
    })
}
