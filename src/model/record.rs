//! MODEL step 10, "Record": the tick's aggregates, computed from agent state (ODD: observation).
//! Rows are plain data; `crate::output` writes them. Money summed across agents is summed in
//! integer cents so the totals do not depend on iteration order.

use super::agents::*;
use super::calendar::{Clock, EventQueue, Shocks};
use super::lifecycle::ExitReason;
use super::params::Params;
use super::settlement::{Closing, cents};
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
    /// Cost per thousand impressions on social-commerce platforms (CPC x CTR x 1000), else 0.
    pub cpm_usd: f64,
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

/// One row of `shocks.csv`: a stochastic shock that started, and the weeks it runs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ShockRow {
    /// First day of the week the shock started.
    pub start_date: String,
    /// First day of the last week it applies (as drawn; it may lie past the run's end).
    pub end_date: String,
    pub label: String,
    /// What it multiplies: `freight_cn` or `cpc`.
    pub target: String,
    pub factor: f64,
    pub weeks: u32,
}

/// A seller exit, as the run keeps it (a row of `exits.csv`).
#[derive(Debug, Clone)]
pub struct ExitRecord {
    pub tick: u32,
    pub seller_id: u64,
    pub origin: Origin,
    pub kind: Kind,
    pub size: Size,
    pub category: u8,
    pub main_platform: Option<u8>,
    pub reason: ExitReason,
    pub age_weeks: u32,
    pub cash: f64,
}

/// One row of `seller_years.csv`, as kept until the run ends (`output::Names::seller_year`
/// names it).
#[derive(Debug, Clone)]
pub struct SellerYearRow {
    pub year: i32,
    pub seller_id: u64,
    pub origin: Origin,
    pub kind: Kind,
    pub size: Size,
    pub category: u8,
    pub platform: Option<u8>,
    pub revenue_usd: f64,
    pub profit_usd: f64,
    pub ad_spend_usd: f64,
    pub weeks_active: u32,
    pub exited: bool,
}

/// A run keeps a row for every seller and year (about 5 million at full scale): 48 bytes, not the
/// 96 it took with the names in it.
const _: () = assert!(std::mem::size_of::<SellerYearRow>() <= 48);

/// Seller-level event logs.
#[derive(Resource, Debug, Default)]
pub struct Logs {
    pub exits: Vec<ExitRecord>,
    /// This week's exits, until the week is recorded.
    pub leaving: Vec<ExitRecord>,
    pub seller_years: Vec<SellerYearRow>,
}

impl Logs {
    /// Logs a seller's year and resets nothing (the caller decides).
    pub fn close_year(&mut self, year: i32, s: &Seller, l: &Listings, f: &Finance, exited: bool) {
        self.seller_years.push(SellerYearRow {
            year,
            seller_id: s.id - SELLER_ID_BASE,
            origin: s.origin,
            kind: s.kind,
            size: s.size,
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
    /// Each shock that started.
    pub shocks: Vec<ShockRow>,
    /// Per tick: sellers with at least one listing on each platform (real units, by id).
    pub platform_sellers: Vec<(u32, std::collections::BTreeMap<String, i64>)>,
    /// The regulators' policy in force at the end of each calendar year (and of the run).
    pub policy: Vec<(i32, Vec<crate::config::Regulator>)>,
}

/// Per-segment sums for one tick.
#[derive(Debug, Default, Clone, Copy)]
struct SegmentSums {
    active: u32,
    entries: u32,
    exits: u32,
    revenue: i64,
    profit: i64,
    ad: i64,
    cost: i64,
}

/// Sums over sellers for one tick (cents, real units). The settlement pass adds every seller
/// that was in the market this week (`settlement::Closing::tally`), `lifecycle::entries` the
/// entrants, and [`record_tick`] writes the sums.
#[derive(Debug)]
pub struct Tally {
    seg: [SegmentSums; SEGMENTS],
    brand_gmv: i64,
    all_gmv: i64,
    region_gmv: Vec<i64>,
    cn_gmv: Vec<i64>,
    cn_direct: Vec<i64>,
    cn_revenue: Vec<i64>,
    cn_cost: Vec<i64>,
    /// Active sellers with a listing on each platform (agents).
    on_platform: Vec<u32>,
}

impl Tally {
    pub fn new(regions: usize, platforms: usize) -> Self {
        Self {
            seg: [SegmentSums::default(); SEGMENTS],
            brand_gmv: 0,
            all_gmv: 0,
            region_gmv: vec![0; regions],
            cn_gmv: vec![0; regions],
            cn_direct: vec![0; regions],
            cn_revenue: vec![0; regions],
            cn_cost: vec![0; regions],
            on_platform: vec![0; platforms],
        }
    }

    /// Adds another tally's sums.
    pub fn merge(&mut self, o: &Tally) {
        fn add<T: Copy + std::ops::AddAssign>(a: &mut [T], b: &[T]) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += *y);
        }
        for (a, b) in self.seg.iter_mut().zip(&o.seg) {
            a.active += b.active;
            a.entries += b.entries;
            a.exits += b.exits;
            a.revenue += b.revenue;
            a.profit += b.profit;
            a.ad += b.ad;
            a.cost += b.cost;
        }
        self.brand_gmv += o.brand_gmv;
        self.all_gmv += o.all_gmv;
        add(&mut self.region_gmv, &o.region_gmv);
        add(&mut self.cn_gmv, &o.cn_gmv);
        add(&mut self.cn_direct, &o.cn_direct);
        add(&mut self.cn_revenue, &o.cn_revenue);
        add(&mut self.cn_cost, &o.cn_cost);
        add(&mut self.on_platform, &o.on_platform);
    }

    /// Adds one seller's week; `gmv` is what buyers paid for each listing's sales this week
    /// (cents, in listing order, as settlement computed it: [`SaleCents::buyer`]); `active` if
    /// the seller is still in the market after exits (else it counts as an exit), `entrant` if it
    /// entered this week.
    ///
    /// [`SaleCents::buyer`]: super::settlement::SaleCents::buyer
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        pop: &Population,
        seller: &Seller,
        listings: &Listings,
        gmv: &[i64],
        week: &Books,
        active: bool,
        entrant: bool,
    ) {
        debug_assert_eq!(gmv.len(), listings.0.len());
        let w_s = pop.seller_weight;
        let k = segment(seller.origin, seller.kind, seller.size);
        self.seg[k].entries += u32::from(entrant);
        self.seg[k].exits += u32::from(!active);
        if active {
            self.seg[k].active += 1;
            let mask = listings.0.iter().fold(0u64, |m, l| m | 1 << l.platform);
            for (p, n) in self.on_platform.iter_mut().enumerate() {
                *n += u32::from(mask & (1 << p) != 0);
            }
        }
        self.seg[k].revenue += cents(week.revenue * w_s);
        self.seg[k].profit += cents(week.profit * w_s);
        self.seg[k].ad += cents(week.ad_spend * w_s);
        self.seg[k].cost += cents(week.cost * w_s);
        let direct = seller.origin == Origin::Cn && seller.mode == Fulfilment::DirectParcel;
        let seller_level_cost = week.cost - listings_cost(listings);
        for (l, &buyer) in listings.0.iter().zip(gmv) {
            let r = usize::from(l.region);
            self.all_gmv += buyer;
            self.region_gmv[r] += buyer;
            if seller.kind == Kind::Brand {
                self.brand_gmv += buyer;
            }
            if seller.origin == Origin::Cn {
                self.cn_gmv[r] += buyer;
                if direct {
                    self.cn_direct[r] += buyer;
                }
                // The listing's revenue, its own cost, and seller-level cost in proportion.
                let share = if week.revenue > 0.0 { l.week_revenue / week.revenue } else { 0.0 };
                self.cn_revenue[r] += cents(l.week_revenue * w_s);
                self.cn_cost[r] += cents((l.week_cost + share * seller_level_cost) * w_s);
            }
        }
    }
}

/// Records the tick's aggregates.
#[allow(clippy::too_many_arguments)]
pub fn record_tick(
    clock: Res<Clock>,
    params: Res<Params>,
    population: Res<Population>,
    queue: Res<EventQueue>,
    shocks: Res<Shocks>,
    mut logs: ResMut<Logs>,
    mut rec: ResMut<Recorder>,
    mut closing: ResMut<Closing>,
    platforms: Query<&PlatformAgent>,
    regulators: Query<&RegulatorAgent>,
) {
    if clock.in_warmup() {
        return;
    }
    let s = &params.s;
    let w_s = population.seller_weight;
    let date = clock.date.to_string();
    let real = |agents: u32| (f64::from(agents) * w_s).round() as i64;
    // Every seller of the week, leavers included, was tallied in the settlement pass, the
    // entrants as they entered.
    let t = closing.tally.take().expect("the settlement pass tallies every recorded week");
    let mut by_reason = [0u32; 3];
    for e in &logs.leaving {
        by_reason[e.reason as usize] += 1;
    }
    let Tally { seg, brand_gmv, all_gmv, region_gmv, cn_gmv, cn_direct, cn_revenue, cn_cost, on_platform } = t;
    let exits_n = logs.leaving.len() as u32;
    let logs = &mut *logs;
    logs.exits.append(&mut logs.leaving);

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
                cpm_usd: social_cpm(&params, p, st.cpc),
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
    if clock.last_week_of_year() || clock.tick + 1 == s.calendar.weeks {
        rec.policy.push((clock.year(), s.regulators.clone()));
    }
    for label in &queue.fired {
        rec.events.push((date.clone(), label.clone()));
    }
    for &i in &shocks.started {
        let shock = &s.shocks[i];
        let last = clock.date + chrono::Duration::weeks(i64::from(shock.duration_weeks) - 1);
        rec.shocks.push(ShockRow {
            start_date: date.clone(),
            end_date: last.to_string(),
            label: shock.label.clone(),
            target: shock.target.name().into(),
            factor: shock.factor,
            weeks: shock.duration_weeks,
        });
    }
}

/// Cost booked on a seller's listings this week, compliance included (the rest is seller-level:
/// fixed cost and one-off investments).
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
    let warmup_ends = clock.warmup > 0 && clock.step + 1 == clock.warmup;
    let last_tick = !clock.in_warmup() && clock.tick + 1 == params.s.calendar.weeks;
    let year_ends = !clock.in_warmup() && clock.last_week_of_year();
    if !warmup_ends && !last_tick && !year_ends {
        return;
    }
    let mut order: Vec<_> = sellers.iter_mut().collect();
    order.sort_unstable_by_key(|(s, _, _)| s.id);
    for (s, l, mut f) in order {
        if f.weeks_active_this_year > 0 && !warmup_ends {
            logs.close_year(clock.year(), s, l, &f, false);
        }
        f.year = Books::default();
        f.weeks_active_this_year = 0;
    }
}

/// A social-commerce platform's CPM from its effective CPC: `cpc x social_ctr x 1000`; 0 for
/// other business models.
pub fn social_cpm(params: &Params, p: usize, cpc: f64) -> f64 {
    if params.s.platforms[p].model == crate::config::BusinessModel::SocialCommerce {
        cpc * params.s.ad_market.social_ctr * 1000.0
    } else {
        0.0
    }
}

/// What the agents drawn at the start show back of the scenario's input distributions.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SampledInputs {
    /// Share of consumers willing to pay a health premium, and the premiums' range.
    pub health_share: f64,
    pub health_premium_min: f64,
    pub health_premium_max: f64,
    /// Share of consumers preferring sustainable products, and the premiums' range.
    pub green_share: f64,
    pub green_premium_min: f64,
    pub green_premium_max: f64,
    /// Share of consumers who use social video.
    pub social_share: f64,
    /// Share of sellers using AI tools, and the adopters' unit-cost factor and write-off rates.
    pub ai_adopter_share: f64,
    pub ai_cost_factor: f64,
    pub write_off: f64,
    pub write_off_ai: f64,
    /// Mobile share of purchases by region.
    pub mobile_share: std::collections::BTreeMap<String, f64>,
}

/// Reads [`SampledInputs`] off a freshly built world.
pub fn sampled_inputs(world: &mut World) -> SampledInputs {
    let mut n = 0usize;
    let (mut health, mut green, mut social) = (0usize, 0usize, 0usize);
    let (mut h_min, mut h_max, mut g_min, mut g_max) = (f64::INFINITY, 0.0f64, f64::INFINITY, 0.0f64);
    for c in world.query::<&Consumer>().iter(world) {
        n += 1;
        social += usize::from(c.social);
        if c.health > 0.0 {
            health += 1;
            let p = f64::from(c.health).exp_m1();
            h_min = h_min.min(p);
            h_max = h_max.max(p);
        }
        if c.green > 0.0 {
            green += 1;
            let p = f64::from(c.green).exp_m1();
            g_min = g_min.min(p);
            g_max = g_max.max(p);
        }
    }
    let (mut sellers, mut ai) = (0usize, 0usize);
    for s in world.query::<&Seller>().iter(world) {
        sellers += 1;
        ai += usize::from(s.ai);
    }
    let share = |k: usize, of: usize| if of > 0 { k as f64 / of as f64 } else { 0.0 };
    let finite = |x: f64| if x.is_finite() { x } else { 0.0 };
    let params = world.resource::<Params>();
    let cfg = &params.s.sellers;
    SampledInputs {
        health_share: share(health, n),
        health_premium_min: finite(h_min),
        health_premium_max: h_max,
        green_share: share(green, n),
        green_premium_min: finite(g_min),
        green_premium_max: g_max,
        social_share: share(social, n),
        ai_adopter_share: share(ai, sellers),
        ai_cost_factor: cfg.ai.cost_factor,
        write_off: cfg.warehouse.write_off,
        write_off_ai: cfg.warehouse.write_off_ai,
        mobile_share: params.s.regions.iter().map(|r| (r.id.clone(), r.mobile_share)).collect(),
    }
}
