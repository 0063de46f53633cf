//! MODEL step 10, "Record": the tick's aggregates, computed from agent state (ODD: observation).
//! Rows are plain data; `crate::output` writes them. Money summed across agents is summed in
//! integer cents so the totals do not depend on iteration order.

use super::agents::*;
use super::calendar::{Clock, EventQueue};
use super::lifecycle::ExitReason;
use super::params::Params;
use super::settlement::{SaleCents, cents};
use super::setup::{Population, SELLER_ID_BASE};
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

/// One row of `ticks.csv`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TickRow {
    pub tick: u32,
    pub date: String,
    pub year: i32,
    pub active_sellers: i64,
    pub active_brand: i64,
    pub active_white_label: i64,
    pub entries: i64,
    pub exits: i64,
    pub exits_insolvent: i64,
    pub exits_sustained_losses: i64,
    pub exits_regulatory: i64,
    pub gmv_usd: f64,
    pub orders: i64,
    pub brand_gmv_share: f64,
    pub direct_parcel_gmv_share: f64,
    pub avg_cpc_usd: f64,
    pub duties_usd: f64,
    pub vat_usd: f64,
    pub seized_parcels: i64,
}

/// One row of `platforms.csv`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PlatformRow {
    pub tick: u32,
    pub date: String,
    pub platform: String,
    pub region: String,
    pub gmv_usd: f64,
    pub orders: i64,
    pub share_in_region: f64,
    pub active_listings: i64,
    pub cpc_usd: f64,
    pub marketing_usd: f64,
    pub take_rate: f64,
}

/// One row of `segments.csv`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SegmentRow {
    pub tick: u32,
    pub date: String,
    pub origin: String,
    pub kind: String,
    pub size: String,
    pub active: i64,
    pub entries: i64,
    pub exits: i64,
    pub revenue_usd: f64,
    pub profit_usd: f64,
    pub ad_spend_usd: f64,
    pub cost_to_revenue: f64,
}

/// One row of `regions.csv`: what cross-border sellers sell into a region, and what it costs them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RegionRow {
    pub tick: u32,
    pub date: String,
    pub region: String,
    pub gmv_usd: f64,
    pub cn_gmv_usd: f64,
    pub cn_direct_gmv_usd: f64,
    pub cn_revenue_usd: f64,
    pub cn_cost_usd: f64,
    pub duties_usd: f64,
    pub vat_usd: f64,
    pub seized_parcels: i64,
}

/// A seller exit, logged when it happens.
#[derive(Debug, Clone)]
pub struct ExitRecord {
    pub tick: u32,
    pub seller: Seller,
    pub main_platform: Option<u8>,
    pub reason: ExitReason,
    pub age_weeks: u32,
    pub cash: f64,
}

/// One row of `seller_years.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct SellerYearRow {
    pub year: i32,
    pub seller_id: u64,
    pub origin: &'static str,
    pub kind: &'static str,
    pub size: &'static str,
    pub category: u8,
    pub platform: Option<u8>,
    pub revenue_usd: f64,
    pub profit_usd: f64,
    pub ad_spend_usd: f64,
    pub weeks_active: u32,
    pub exited: bool,
}

/// Seller-level event logs.
#[derive(Resource, Debug, Default)]
pub struct Logs {
    pub exits: Vec<ExitRecord>,
    pub seller_years: Vec<SellerYearRow>,
    /// Index in `exits` of this tick's first exit.
    pub tick_start: usize,
}

impl Logs {
    /// Logs a seller's year and resets nothing (the caller decides).
    pub fn close_year(&mut self, year: i32, s: &Seller, l: &Listings, f: &Finance, exited: bool) {
        self.seller_years.push(SellerYearRow {
            year,
            seller_id: s.id - SELLER_ID_BASE,
            origin: s.origin.name(),
            kind: s.kind.name(),
            size: s.size.name(),
            category: s.category,
            platform: main_platform(l),
            revenue_usd: f.year.revenue,
            profit_usd: f.year.profit,
            ad_spend_usd: f.year.ad_spend,
            weeks_active: f.weeks_active_this_year,
            exited,
        });
    }
}

/// The platform a seller earns most on.
pub fn main_platform(l: &Listings) -> Option<u8> {
    l.0.iter().max_by(|a, b| a.revenue_avg.total_cmp(&b.revenue_avg)).map(|l| l.platform)
}

/// Rows recorded so far, and the policy events that fired.
#[derive(Resource, Debug, Default)]
pub struct Recorder {
    pub ticks: Vec<TickRow>,
    pub platforms: Vec<PlatformRow>,
    pub segments: Vec<SegmentRow>,
    pub regions: Vec<RegionRow>,
    /// (date, label) of each applied event.
    pub events: Vec<(String, String)>,
    /// Per tick: sellers with at least one listing on each platform (real units, by id).
    pub platform_sellers: Vec<(u32, std::collections::BTreeMap<String, i64>)>,
}

/// Per-segment sums for one tick.
#[derive(Default, Clone, Copy)]
struct SegmentSums {
    active: u32,
    entries: u32,
    exits: u32,
    revenue: i64,
    profit: i64,
    ad: i64,
    cost: i64,
}

/// Records the tick's aggregates.
#[allow(clippy::too_many_arguments)]
pub fn record_tick(
    clock: Res<Clock>,
    params: Res<Params>,
    population: Res<Population>,
    queue: Res<EventQueue>,
    mut logs: ResMut<Logs>,
    mut rec: ResMut<Recorder>,
    sellers: Query<(&Seller, &Listings, &Finance)>,
    platforms: Query<&PlatformAgent>,
    regulators: Query<&RegulatorAgent>,
) {
    let s = &params.s;
    let (nr, w_s) = (params.regions(), population.seller_weight);
    let date = clock.date.to_string();
    let real = |agents: u32| (f64::from(agents) * w_s).round() as i64;
    let mut seg = [SegmentSums::default(); SEGMENTS];
    let (mut brand_gmv, mut all_gmv) = (0i64, 0i64);
    let mut region_gmv = vec![0i64; nr];
    let mut cn_gmv = vec![0i64; nr];
    let mut cn_direct = vec![0i64; nr];
    let mut cn_revenue = vec![0i64; nr];
    let mut cn_cost = vec![0i64; nr];
    let mut on_platform = vec![0u32; params.platforms()];
    for (seller, listings, f) in &sellers {
        let mask = listings.0.iter().fold(0u64, |m, l| m | 1 << l.platform);
        for (p, n) in on_platform.iter_mut().enumerate() {
            *n += u32::from(mask & (1 << p) != 0);
        }
        let k = segment(seller.origin, seller.kind, seller.size);
        seg[k].active += 1;
        seg[k].entries += u32::from(f.age_weeks == 0);
        seg[k].revenue += cents(f.week.revenue * w_s);
        seg[k].profit += cents(f.week.profit * w_s);
        seg[k].ad += cents(f.week.ad_spend * w_s);
        seg[k].cost += cents(f.week.cost * w_s);
        let direct = seller.origin == Origin::Cn && seller.mode == Fulfilment::DirectParcel;
        for l in &listings.0 {
            let r = usize::from(l.region);
            let take = s.platforms[usize::from(l.platform)].take_rate;
            let buyer =
                SaleCents::new(f64::from(l.units) * population.consumer_weight[r], l.price, l.vat, l.duty, take)
                    .buyer();
            all_gmv += buyer;
            region_gmv[r] += buyer;
            if seller.kind == Kind::Brand {
                brand_gmv += buyer;
            }
            if seller.origin == Origin::Cn {
                cn_gmv[r] += buyer;
                if direct {
                    cn_direct[r] += buyer;
                }
                // The listing's share of the seller's week: revenue, and cost in proportion.
                let share = if f.week.revenue > 0.0 { l.week_revenue / f.week.revenue } else { 0.0 };
                cn_revenue[r] += cents(l.week_revenue * w_s);
                cn_cost[r] += cents((l.week_cost + share * (f.week.cost - listings_cost(listings))) * w_s);
            }
        }
    }
    let this_tick = &logs.exits[logs.tick_start..];
    let mut by_reason = [0u32; 3];
    for e in this_tick {
        seg[segment(e.seller.origin, e.seller.kind, e.seller.size)].exits += 1;
        by_reason[e.reason as usize] += 1;
    }
    let exits_n = this_tick.len() as u32;
    logs.tick_start = logs.exits.len();

    let mut gmv_cents = 0i64;
    let mut orders = 0i64;
    let mut cpc_weighted = 0.0;
    let mut platform_rows = Vec::new();
    let mut agents: Vec<&PlatformAgent> = platforms.iter().collect();
    agents.sort_by_key(|a| a.idx);
    for agent in &agents {
        let p = usize::from(agent.idx);
        for (r, st) in agent.regions.iter().enumerate() {
            if params.platform_region(p, r).is_none() && st.gmv_cents == 0 {
                continue;
            }
            gmv_cents += st.gmv_cents;
            orders += st.orders;
            cpc_weighted += st.cpc * st.gmv_cents as f64;
            let share = if region_gmv[r] > 0 { st.gmv_cents as f64 / region_gmv[r] as f64 } else { 0.0 };
            platform_rows.push(PlatformRow {
                tick: clock.tick,
                date: date.clone(),
                platform: s.platforms[p].id.clone(),
                region: s.regions[r].id.clone(),
                gmv_usd: st.gmv_cents as f64 / 100.0,
                orders: st.orders,
                share_in_region: share,
                active_listings: (f64::from(st.listings) * w_s).round() as i64,
                cpc_usd: st.cpc,
                marketing_usd: st.marketing_usd,
                take_rate: s.platforms[p].take_rate,
            });
        }
    }
    let (mut duties, mut vat, mut seized) = (0i64, 0i64, 0i64);
    let mut regs: Vec<&RegulatorAgent> = regulators.iter().collect();
    regs.sort_by_key(|g| g.region);
    for g in regs {
        let r = usize::from(g.region);
        duties += g.duties_cents;
        vat += g.vat_cents;
        seized += g.seized;
        rec.regions.push(RegionRow {
            tick: clock.tick,
            date: date.clone(),
            region: s.regions[r].id.clone(),
            gmv_usd: region_gmv[r] as f64 / 100.0,
            cn_gmv_usd: cn_gmv[r] as f64 / 100.0,
            cn_direct_gmv_usd: cn_direct[r] as f64 / 100.0,
            cn_revenue_usd: cn_revenue[r] as f64 / 100.0,
            cn_cost_usd: cn_cost[r] as f64 / 100.0,
            duties_usd: g.duties_cents as f64 / 100.0,
            vat_usd: g.vat_cents as f64 / 100.0,
            seized_parcels: g.seized,
        });
    }
    let ratio = |a: i64, b: i64| if b > 0 { a as f64 / b as f64 } else { 0.0 };
    let cn_total: i64 = cn_gmv.iter().sum();
    let brand_active: u32 = (0..SEGMENTS).filter(|k| (k / 3) % 2 == Kind::Brand as usize).map(|k| seg[k].active).sum();
    let all_active: u32 = seg.iter().map(|x| x.active).sum();
    rec.ticks.push(TickRow {
        tick: clock.tick,
        date: date.clone(),
        year: clock.year(),
        active_sellers: real(all_active),
        active_brand: real(brand_active),
        active_white_label: real(all_active - brand_active),
        entries: real(seg.iter().map(|x| x.entries).sum()),
        exits: real(exits_n),
        exits_insolvent: real(by_reason[ExitReason::Insolvent as usize]),
        exits_sustained_losses: real(by_reason[ExitReason::SustainedLosses as usize]),
        exits_regulatory: real(by_reason[ExitReason::Regulatory as usize]),
        gmv_usd: gmv_cents as f64 / 100.0,
        orders,
        brand_gmv_share: ratio(brand_gmv, all_gmv),
        direct_parcel_gmv_share: ratio(cn_direct.iter().sum(), cn_total),
        avg_cpc_usd: if gmv_cents > 0 { cpc_weighted / gmv_cents as f64 } else { 0.0 },
        duties_usd: duties as f64 / 100.0,
        vat_usd: vat as f64 / 100.0,
        seized_parcels: seized,
    });
    rec.platforms.extend(platform_rows);
    for origin in Origin::ALL {
        for kind in Kind::ALL {
            for size in Size::ALL {
                let x = seg[segment(origin, kind, size)];
                rec.segments.push(SegmentRow {
                    tick: clock.tick,
                    date: date.clone(),
                    origin: origin.name().into(),
                    kind: kind.name().into(),
                    size: size.name().into(),
                    active: real(x.active),
                    entries: real(x.entries),
                    exits: real(x.exits),
                    revenue_usd: x.revenue as f64 / 100.0,
                    profit_usd: x.profit as f64 / 100.0,
                    ad_spend_usd: x.ad as f64 / 100.0,
                    cost_to_revenue: ratio(x.cost, x.revenue),
                });
            }
        }
    }
    let by_platform = s.platforms.iter().zip(&on_platform).map(|(p, n)| (p.id.clone(), real(*n))).collect();
    rec.platform_sellers.push((clock.tick, by_platform));
    for label in &queue.fired {
        rec.events.push((date.clone(), label.clone()));
    }
}

/// Cost booked on a seller's listings this week (the rest is seller-level: fixed, compliance).
fn listings_cost(l: &Listings) -> f64 {
    l.0.iter().map(|x| x.week_cost).sum()
}

/// At the last week of a calendar year (or of the run) logs every active seller's year.
pub fn close_years(
    clock: Res<Clock>,
    params: Res<Params>,
    mut logs: ResMut<Logs>,
    mut sellers: Query<(&Seller, &Listings, &mut Finance)>,
) {
    let last_tick = clock.tick + 1 == params.s.calendar.weeks;
    if !clock.last_week_of_year() && !last_tick {
        return;
    }
    let mut order: Vec<_> = sellers.iter_mut().collect();
    order.sort_unstable_by_key(|(s, _, _)| s.id);
    for (s, l, mut f) in order {
        if f.weeks_active_this_year > 0 {
            logs.close_year(clock.year(), s, l, &f, false);
        }
        f.year = Books::default();
        f.weeks_active_this_year = 0;
    }
}
