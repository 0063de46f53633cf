//! MODEL step 4, "Seller decisions": AI adoption, pivots to brand, listings, fulfilment switch,
//! prices and ad spend. Each seller decides alone from last week's market (parallel over sellers,
//! with a random stream keyed by the seller's id and the tick).
//!
//! The same pass computes each chunk's ranking candidates (step 5's per-seller part,
//! [`ranking::Inputs`]) right after the chunk's sellers decide, while they are in cache: the
//! candidates depend on the seller and on inputs fixed before this step, so this equals
//! computing them in step 5 (docs/PERFORMANCE.md).

use super::agents::{Finance, Fulfilment, Kind, Listing, ListingVec, Listings, Origin, PlatformAgent, Seller};
use super::calendar::Clock;
use super::choice::sample_weighted;
use super::market::{Market, Quote, Quotes};
use super::par;
use super::params::Params;
use super::pricing::{next_price, target_price};
use super::ranking::{self, Tables};
use super::setup::Population;
use crate::config::AiAdoption;
use crate::rng::{self, Stream};
use bevy_ecs::prelude::*;
use chrono::NaiveDate;
use rand::RngExt;

/// Share of adopters on the logistic curve at `date`.
pub fn ai_curve(ai: &AiAdoption, date: NaiveDate) -> f64 {
    let mid = crate::config::parse_date(&ai.midpoint).expect("validated");
    let years = (date - mid).num_days() as f64 / 365.25;
    ai.saturation / (1.0 + (-ai.steepness_per_year * years).exp())
}

/// Weekly chance that a non-adopter adopts, so that adopters follow the curve.
pub fn ai_hazard(ai: &AiAdoption, date: NaiveDate) -> f64 {
    let before = ai_curve(ai, date - chrono::Duration::weeks(1));
    let now = ai_curve(ai, date);
    if now <= before || before >= 1.0 { 0.0 } else { ((now - before) / (1.0 - before)).min(1.0) }
}

/// Everything a seller reads to decide.
struct Ctx<'a> {
    params: &'a Params,
    market: &'a Market,
    /// This week's quote terms.
    quotes: &'a Quotes,
    ai_hazard: f64,
    /// `[market.pr(p, r)]`: how much more than at base CPC a seller spends per unit of revenue
    /// on ads there, `(cpc / base_cpc)^click_targeting` (1 where the CPC or its base is zero).
    cpc_rise: Vec<f64>,
}

/// Runs every seller's weekly decisions, and leaves the ranking candidates in
/// `Tables::candidates`.
#[allow(clippy::too_many_arguments)]
pub fn seller_decisions(
    clock: Res<Clock>,
    params: Res<Params>,
    market: Res<Market>,
    quotes: Res<Quotes>,
    population: Res<Population>,
    mut tables: ResMut<Tables>,
    platforms: Query<&PlatformAgent>,
    mut sellers: Query<(&mut Seller, &mut Listings, &mut Finance)>,
) {
    let ctx = Ctx {
        params: &params,
        market: &market,
        quotes: &quotes,
        // The adoption curve moves with the calendar; warm-up weeks hold it where it starts.
        ai_hazard: if clock.in_warmup() { 0.0 } else { ai_hazard(&params.s.sellers.ai, clock.date) },
        cpc_rise: cpc_rises(&params, &market),
    };
    let inputs = ranking::Inputs::new(&params, &population, platforms.iter());
    let (seed, tick) = (clock.seed, clock.step);
    let mut storage: Vec<_> = sellers.contiguous_iter_mut().expect("sellers are stored in tables").collect();
    let mut parts: Vec<_> = storage
        .iter_mut()
        .map(|(s, l, f)| (s.bypass_change_detection(), l.bypass_change_detection(), f.bypass_change_detection()))
        .collect();
    tables.candidates = par::map_chunks3(&mut parts, par::SELLER_CHUNK, |sel, lis, fin| {
        for i in 0..sel.len() {
            if let Some(ahead) = lis.get(i + par::PREFETCH_AHEAD) {
                ahead.prefetch();
            }
            let mut rng = rng::agent(seed, Stream::Seller, sel[i].id, tick);
            decide(&ctx, &mut sel[i], &mut lis[i].0, &mut fin[i], &mut rng);
        }
        inputs.chunk(sel, lis)
    });
}

fn decide(ctx: &Ctx, s: &mut Seller, listings: &mut ListingVec, f: &mut Finance, rng: &mut impl rand::Rng) {
    let cfg = &ctx.params.s.sellers;
    f.week = Default::default();
    if !s.ai && rng.random::<f64>() < ctx.ai_hazard {
        s.ai = true;
    }
    let pivot_u: f64 = rng.random();
    if s.kind == Kind::WhiteLabel && f.cash > cfg.pivot.cash_weeks * f.fixed_cost && pivot_u < cfg.pivot.probability {
        s.kind = Kind::Brand;
        f.cash -= cfg.pivot.cost_usd;
        f.week.cost += cfg.pivot.cost_usd;
        s.quality = (s.quality + cfg.pivot.quality_gain).min(1.0);
        s.markup = rng.random_range(cfg.markup_brand.0..=cfg.markup_brand.1);
    }
    drop_listings(listings, cfg.listings.drop_after_weeks, ctx);
    let add_u: f64 = rng.random();
    let size = ctx.params.size(s.size);
    if listings.len() < size.max_listings as usize
        && f.cash > cfg.listings.add_cash_weeks * f.fixed_cost
        && add_u < cfg.listings.add_probability
    {
        add_listing(ctx, s, listings, f, rng.random());
    }
    if s.origin == Origin::Cn && s.mode == Fulfilment::DirectParcel {
        consider_warehouse(ctx, s, listings, f);
    }
    price_and_advertise(ctx, s, listings, f);
}

/// Drops listings whose profit has been negative too long, or whose platform left the region;
/// keeps at least one listing while the platform is present.
fn drop_listings(listings: &mut ListingVec, after: u32, ctx: &Ctx) {
    let present = |l: &Listing| ctx.params.platform_region(l.platform.into(), l.region.into()).is_some();
    if listings.iter().all(|l| l.neg_weeks < after && present(l)) {
        return; // the usual week: every listing stays
    }
    let keep_best = listings
        .iter()
        .filter(|l| present(l))
        .max_by(|a, b| a.profit_avg.total_cmp(&b.profit_avg))
        .map(|l| (l.platform, l.region));
    listings.retain(|l| present(l) && (l.neg_weeks < after || Some((l.platform, l.region)) == keep_best));
}

/// Regions a seller may sell in.
fn allowed_region(s: &Seller, r: usize) -> bool {
    s.origin == Origin::Cn || usize::from(s.home) == r
}

/// Expected weekly profit of a new listing on `(p, r)`: the table's mean revenue per listing at
/// the seller's margin, less the region's per-seller compliance cost if it is new to the seller.
fn expected_profit(ctx: &Ctx, s: &Seller, listings: &[Listing], p: usize, r: usize) -> Option<f64> {
    let q = ctx.quotes.quote(s, s.mode, p, r)?;
    let revenue = ctx.market.revenue_per_listing[ctx.market.table(p, r, s.category.into())];
    let margin = (1.0 - q.take_rate) * s.markup / (1.0 + s.markup) - s.ad_intensity * cpc_rise(ctx, p, r);
    let new_region = !listings.iter().any(|l| usize::from(l.region) == r);
    let compliance =
        if s.origin == Origin::Cn && new_region { ctx.params.regulator(r).compliance_usd_per_seller_week } else { 0.0 };
    Some(revenue * margin - compliance)
}

/// Adds one listing chosen by a logit over expected profit.
fn add_listing(ctx: &Ctx, s: &Seller, listings: &mut ListingVec, f: &Finance, u: f64) {
    let temperature = ctx.params.s.sellers.listings.choice_temperature * f.fixed_cost.max(1.0);
    let mut options = Vec::new();
    for p in 0..ctx.params.platforms() {
        for r in 0..ctx.params.regions() {
            let listed = listings.iter().any(|l| usize::from(l.platform) == p && usize::from(l.region) == r);
            if listed || !allowed_region(s, r) {
                continue;
            }
            if let Some(profit) = expected_profit(ctx, s, listings, p, r) {
                options.push((p, r, profit / temperature));
            }
        }
    }
    let max = options.iter().map(|o| o.2).fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = options.iter().map(|o| (o.2 - max).exp()).collect();
    if let Some(i) = sample_weighted(&weights, u) {
        let (p, r, _) = options[i];
        if let Some(l) = new_listing(s, p, r, ctx.quotes, ctx.market) {
            listings.push(l);
        }
    }
}

/// A fresh listing priced at its target, expecting the table's mean revenue.
pub fn new_listing(s: &Seller, p: usize, r: usize, quotes: &Quotes, market: &Market) -> Option<Listing> {
    let q = quotes.quote(s, s.mode, p, r)?;
    let price = target_price(q.landed, s.markup, q.take_rate);
    Some(Listing {
        platform: p as u8,
        region: r as u8,
        price,
        consumer_price: price * (1.0 + q.vat),
        landed: q.landed,
        duty: q.duty,
        vat: q.vat,
        days: q.days,
        ad_spend: 0.0,
        clicks: 0.0,
        units: 0,
        seized: 0,
        week_revenue: 0.0,
        week_cost: 0.0,
        revenue_avg: market.revenue_per_listing.get(market.table(p, r, s.category.into())).copied().unwrap_or(0.0),
        profit_avg: 0.0,
        neg_weeks: 0,
    })
}

/// Moves a direct-parcel seller to local warehouses when the expected saving over the horizon
/// exceeds the (possibly subsidised) set-up cost, and it has the cash for the set-up and for the
/// stock (`stock_weeks` of units at unit cost) that it must then hold.
fn consider_warehouse(ctx: &Ctx, s: &mut Seller, listings: &[Listing], f: &mut Finance) {
    let w = &ctx.params.s.sellers.warehouse;
    let alpha = ctx.params.s.consumers.price_sensitivity_median;
    let mut saving = 0.0;
    let mut stock_value = 0.0;
    let mut subsidy: f64 = 0.0;
    for l in listings {
        let (p, r) = (usize::from(l.platform), usize::from(l.region));
        let direct = ctx.quotes.quote(s, Fulfilment::DirectParcel, p, r);
        let stocked = ctx.quotes.quote(s, Fulfilment::LocalWarehouse, p, r);
        let (Some(d), Some(h)) = (direct, stocked) else { continue };
        let units = if l.price > 0.0 { l.revenue_avg / l.price } else { 0.0 };
        let day_value = ctx.params.s.regions[r].delivery_sensitivity / alpha * l.price * w.delivery_value_share;
        saving += units * (d.landed - h.landed + day_value * (d.days - h.days));
        stock_value += units * w.stock_weeks * h.goods;
        subsidy = subsidy.max(ctx.market.warehouse_subsidy[ctx.market.pr(p, r)]);
    }
    let cost = w.setup_cost_usd * (1.0 - subsidy);
    if saving * w.horizon_weeks > cost && f.cash > cost + stock_value {
        s.mode = Fulfilment::LocalWarehouse;
        f.cash -= cost;
        f.week.cost += cost;
    }
}

/// `[market.pr(p, r)]`: how much more than at base CPC a seller spends per unit of revenue on
/// ads, `(cpc / base_cpc)^click_targeting`.
fn cpc_rises(params: &Params, market: &Market) -> Vec<f64> {
    let mut out = vec![1.0; params.platforms() * params.regions()];
    for p in 0..params.platforms() {
        for r in 0..params.regions() {
            let cpc = market.cpc[market.pr(p, r)];
            let base = params.platform_region(p, r).map_or(cpc, |t| t.base_cpc_usd);
            if cpc > 0.0 && base > 0.0 {
                out[market.pr(p, r)] = (cpc / base).powf(params.s.ad_market.click_targeting);
            }
        }
    }
    out
}

/// See [`Ctx::cpc_rise`].
#[inline]
fn cpc_rise(ctx: &Ctx, p: usize, r: usize) -> f64 {
    ctx.cpc_rise[ctx.market.pr(p, r)]
}

/// Reprices every listing toward its target and sets this week's ad spend.
fn price_and_advertise(ctx: &Ctx, s: &Seller, listings: &mut [Listing], f: &Finance) {
    let pass = ctx.params.s.sellers.pass_through;
    let mut wanted = 0.0;
    for l in listings.iter_mut() {
        let (p, r) = (usize::from(l.platform), usize::from(l.region));
        let Some(q): Option<Quote> = ctx.quotes.quote(s, s.mode, p, r) else { continue };
        l.price = next_price(l.price, target_price(q.landed, s.markup, q.take_rate), pass);
        l.landed = q.landed;
        l.duty = q.duty;
        l.vat = q.vat;
        l.consumer_price = l.price * (1.0 + q.vat);
        l.days = q.days;
        l.ad_spend = s.ad_intensity * l.revenue_avg * cpc_rise(ctx, p, r);
        wanted += l.ad_spend;
    }
    let cap = if wanted > f.cash.max(0.0) && wanted > 0.0 { f.cash.max(0.0) / wanted } else { 1.0 };
    for l in listings.iter_mut() {
        l.ad_spend *= cap;
        let cpc = ctx.market.cpc[ctx.market.pr(l.platform.into(), l.region.into())];
        l.clicks = if cpc > 0.0 { l.ad_spend / cpc } else { 0.0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve() -> AiAdoption {
        AiAdoption {
            initial_share: 0.1,
            saturation: 0.6,
            midpoint: "2025-01-01".into(),
            steepness_per_year: 2.0,
            cost_factor: 0.78,
        }
    }

    #[test]
    fn ai_curve_is_logistic_and_hazard_tracks_it() {
        let ai = curve();
        let mid = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        assert!((ai_curve(&ai, mid) - 0.3).abs() < 1e-9);
        // Following the hazard from the curve's value reproduces the curve.
        let mut share = ai_curve(&ai, mid);
        let mut d = mid;
        for _ in 0..52 {
            d += chrono::Duration::weeks(1);
            share += (1.0 - share) * ai_hazard(&ai, d);
        }
        assert!((share - ai_curve(&ai, d)).abs() < 1e-9);
        assert!(ai_hazard(&ai, mid) > 0.0);
    }
}
