//! What sellers know of the market: last week's platform, regulator and table statistics, and
//! the per-listing quote (landed cost, duty, VAT, delivery days) that MODEL step 4 prices from.

use super::agents::{Fulfilment, Origin, PlatformAgent, RegulatorAgent, Seller};
use super::calendar::Shocks;
use super::params::Params;
use super::pricing::{self, ImportPolicy, UnitCosts};
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

/// Copies this week's CPC, platform policy and customs delays into [`Market`], and lays out the
/// week's [`Quotes`] from it and the week's shocks (end of step 3).
pub fn refresh_market(
    params: Res<Params>,
    shocks: Res<Shocks>,
    mut market: ResMut<Market>,
    mut quotes: ResMut<Quotes>,
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
    *quotes = Quotes::new(&params, &market, &shocks);
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

/// This week's quote terms for every (origin, mode, category, platform, region): everything in a
/// [`Quote`] but the seller's own unit cost and AI adoption. A resource, laid out once a week by
/// [`refresh_market`] (and at set-up for the initial population) and read by the seller
/// decisions and by entry; a quote then reads one entry instead of walking the scenario.
#[derive(Resource, Debug, Clone)]
pub struct Quotes {
    platforms: usize,
    regions: usize,
    categories: usize,
    /// `[((origin * 2 + mode) * categories + c) * platforms * regions + p * regions + r]`;
    /// `None` where the platform is not present.
    terms: Vec<Option<Terms>>,
    ai_cost_factor: f64,
    /// Yearly write-off rate of warehouse stock without and with AI (`[ai as usize]`).
    write_off: [f64; 2],
    stock_weeks: f64,
}

/// The seller-independent part of a quote.
#[derive(Debug, Clone, Copy)]
struct Terms {
    freight: f64,
    domestic: f64,
    fulfilment_fee: f64,
    storage: f64,
    /// Cross-border stock in a local warehouse: written off at the yearly rate.
    stocked: bool,
    days: f64,
    take_rate: f64,
    policy: ImportPolicy,
}

impl Quotes {
    pub fn new(params: &Params, market: &Market, shocks: &Shocks) -> Self {
        let (np, nr, nc) = (params.platforms(), params.regions(), params.categories());
        let sellers = &params.s.sellers;
        let terms_of = |origin: Origin, mode: Fulfilment, c: usize, p: usize, r: usize| {
            let at = params.platform_region(p, r)?;
            let (cat, platform) = (&params.s.categories[c], &params.s.platforms[p]);
            let (freight, domestic, fulfilment_fee, storage, stocked) = match (origin, mode) {
                (Origin::Cn, Fulfilment::DirectParcel) => {
                    (cat.parcel_freight_usd * shocks.freight_cn, 0.0, 0.0, 0.0, false)
                }
                (Origin::Cn, Fulfilment::LocalWarehouse) => (
                    cat.bulk_freight_usd * shocks.freight_cn,
                    0.0,
                    platform.fulfilment_fee_usd,
                    sellers.warehouse.storage_usd_per_unit,
                    true,
                ),
                (Origin::Local, _) => (0.0, cat.domestic_shipping_usd, 0.0, 0.0, false),
            };
            let direct = origin == Origin::Cn && mode == Fulfilment::DirectParcel;
            Some(Terms {
                freight,
                domestic,
                fulfilment_fee,
                storage,
                stocked,
                days: if direct { at.parcel_days + market.delay_days[r] } else { at.warehouse_days },
                take_rate: platform.take_rate,
                policy: params.import_policy(origin, r, c),
            })
        };
        // In the order `quote` indexes them.
        let mut terms = Vec::with_capacity(Origin::ALL.len() * Fulfilment::ALL.len() * nc * np * nr);
        for origin in Origin::ALL {
            for mode in Fulfilment::ALL {
                for c in 0..nc {
                    for p in 0..np {
                        terms.extend((0..nr).map(|r| terms_of(origin, mode, c, p, r)));
                    }
                }
            }
        }
        Self {
            platforms: np,
            regions: nr,
            categories: nc,
            terms,
            ai_cost_factor: sellers.ai.cost_factor,
            write_off: [sellers.warehouse.write_off, sellers.warehouse.write_off_ai],
            stock_weeks: sellers.warehouse.stock_weeks,
        }
    }

    /// Quotes seller `s` selling on platform `p` in region `r` with fulfilment `mode`; `None` if
    /// the platform is not present there.
    #[inline]
    pub fn quote(&self, s: &Seller, mode: Fulfilment, p: usize, r: usize) -> Option<Quote> {
        let block =
            (s.origin as usize * Fulfilment::ALL.len() + mode as usize) * self.categories + usize::from(s.category);
        let t = self.terms[block * self.platforms * self.regions + p * self.regions + r].as_ref()?;
        let goods = s.unit_cost * if s.ai { self.ai_cost_factor } else { 1.0 };
        let write_off = if t.stocked {
            pricing::write_off_per_unit(self.write_off[usize::from(s.ai)], self.stock_weeks, goods)
        } else {
            0.0
        };
        let costs = UnitCosts {
            goods,
            freight: t.freight,
            domestic: t.domestic,
            fulfilment_fee: t.fulfilment_fee,
            storage: t.storage,
            write_off,
        };
        let customs_value = goods;
        let (duty, vat) = match s.origin {
            Origin::Cn => (
                pricing::duty_per_unit(mode, customs_value, &t.policy),
                pricing::vat_rate(mode, customs_value, &t.policy),
            ),
            Origin::Local => (0.0, t.policy.vat),
        };
        Some(Quote {
            landed: pricing::landed_cost(&costs, duty, t.policy.compliance_per_unit),
            duty,
            vat,
            days: t.days,
            take_rate: t.take_rate,
            goods,
            freight: costs.freight,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::agents::{Kind, Size};

    /// docs/ODD.md 7.5, term by term from the scenario, for one seller.
    fn by_the_book(
        s: &Seller,
        mode: Fulfilment,
        p: usize,
        r: usize,
        params: &Params,
        delay: f64,
        freight: f64,
    ) -> Quote {
        let sc = &params.s;
        let terms = params.platform_region(p, r).expect("present");
        let cat = &sc.categories[usize::from(s.category)];
        let goods = s.unit_cost * if s.ai { sc.sellers.ai.cost_factor } else { 1.0 };
        let policy = params.import_policy(s.origin, r, usize::from(s.category));
        let rate = if s.ai { sc.sellers.warehouse.write_off_ai } else { sc.sellers.warehouse.write_off };
        let wh = &sc.sellers.warehouse;
        let costs = match (s.origin, mode) {
            (Origin::Cn, Fulfilment::DirectParcel) => UnitCosts {
                goods,
                freight: cat.parcel_freight_usd * freight,
                domestic: 0.0,
                fulfilment_fee: 0.0,
                storage: 0.0,
                write_off: 0.0,
            },
            (Origin::Cn, Fulfilment::LocalWarehouse) => UnitCosts {
                goods,
                freight: cat.bulk_freight_usd * freight,
                domestic: 0.0,
                fulfilment_fee: sc.platforms[p].fulfilment_fee_usd,
                storage: wh.storage_usd_per_unit,
                write_off: pricing::write_off_per_unit(rate, wh.stock_weeks, goods),
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
        let (duty, vat) = match s.origin {
            Origin::Cn => (pricing::duty_per_unit(mode, goods, &policy), pricing::vat_rate(mode, goods, &policy)),
            Origin::Local => (0.0, policy.vat),
        };
        let direct = s.origin == Origin::Cn && mode == Fulfilment::DirectParcel;
        Quote {
            landed: pricing::landed_cost(&costs, duty, policy.compliance_per_unit),
            duty,
            vat,
            days: if direct { terms.parcel_days + delay } else { terms.warehouse_days },
            take_rate: sc.platforms[p].take_rate,
            goods,
            freight: costs.freight,
        }
    }

    #[test]
    fn the_weekly_table_quotes_what_the_rules_say_for_every_seller_kind() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/2026.ron");
        let params = Params::new(crate::config::load(&path).expect("configs/2026.ron is valid"));
        let (np, nr, nc) = (params.platforms(), params.regions(), params.categories());
        let delay: Vec<f64> = (0..nr).map(|r| 0.5 * r as f64).collect();
        let market = Market { regions: nr, categories: nc, delay_days: delay.clone(), ..Default::default() };
        let mut shocks = Shocks::default();
        shocks.freight_cn = 1.3;
        let quotes = Quotes::new(&params, &market, &shocks);
        let mut checked = 0;
        // Unit costs on both sides of every de minimis threshold in the scenario (0 to 800 USD).
        for unit_cost in [7.5, 150.0, 165.0, 900.0] {
            for (origin, ai, c) in [(Origin::Cn, false, 0u8), (Origin::Cn, true, 3), (Origin::Local, true, 1)] {
                let s = Seller {
                    id: 1,
                    origin,
                    home: 0,
                    kind: Kind::Brand,
                    size: Size::Small,
                    category: c,
                    unit_cost,
                    quality: 0.5,
                    equity: 0.0,
                    certified_health: false,
                    certified_green: false,
                    compliance: 0.5,
                    ai,
                    mode: Fulfilment::DirectParcel,
                    markup: 0.5,
                    ad_intensity: 0.1,
                    rating: 3.0,
                };
                for mode in Fulfilment::ALL {
                    for p in 0..np {
                        for (r, &delay) in delay.iter().enumerate() {
                            let got = quotes.quote(&s, mode, p, r);
                            if params.platform_region(p, r).is_none() {
                                assert!(got.is_none(), "platform {p} is not in region {r}");
                                continue;
                            }
                            assert_eq!(got, Some(by_the_book(&s, mode, p, r, &params, delay, 1.3)));
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 100, "{checked} quotes checked");
    }
}
