//! MODEL step 5, "Ranking": one alias table per platform x region x category over the active
//! listings, weighted by
//! `exp(th_q*quality + th_b*brand_tilt*is_brand + th_e*ln(1+equity) + th_ad*ln(1+clicks)
//!  + th_s*ln(1+sales_last_week) + th_c*compliance - th_m*direct_penalty*is_direct + th_r*ln(reach))`,
//! and the platform utilities consumers choose platforms by. Built in O(listings) each week.
//!
//! Each table entry packs what a shopper's draw needs (alias probability and index, listing,
//! ln price, the consumer-independent utility), so a draw touches one cache line.

use super::agents::{Fulfilment, Kind, Listings, Origin, PlatformAgent, Seller};
use super::calendar::Clock;
use super::choice::Alias;
use super::params::Params;
use super::platforms::marketing_lift;
use super::setup::Population;
use crate::config::BusinessModel;
use bevy_ecs::prelude::*;
use std::sync::atomic::{AtomicU32, AtomicU64};

/// One listing in a table, packed for the shopping loop.
#[derive(Debug, Clone, Copy, Default)]
pub struct Entry {
    /// Alias method: keep this entry with probability `prob`, else take entry `alias`.
    pub prob: f32,
    pub alias: u32,
    /// Index into [`Tables::listings`].
    pub listing: u32,
    /// ln of the consumer price.
    pub ln_price: f32,
    /// Consumer-independent utility: `-beta_d*days + beta_b*ln(1+equity)`.
    pub base: f32,
    /// Health relevance of the category if the product is certified, else 0.
    pub health: f32,
    /// Sustainability relevance of the category if the product is certified, else 0.
    pub green: f32,
}

/// A platform a shopper may choose for a category in a region.
#[derive(Debug, Clone, Copy)]
pub struct PlatformOption {
    pub platform: u8,
    /// exp of the consumer-independent platform utility.
    pub weight: f32,
    pub social: bool,
    /// Index of the platform's table for this region and category.
    pub table: u32,
}

/// The week's ranking tables and the shopping counters.
#[derive(Resource, Debug, Default)]
pub struct Tables {
    /// `[(p * regions + r) * categories + c]`.
    pub tables: Vec<Vec<Entry>>,
    /// Flat listing list: (seller entity, index in its `Listings`), in seller-id order.
    pub listings: Vec<(Entity, u16)>,
    /// Agent units sold this week per flat listing.
    pub sold: Vec<AtomicU32>,
    /// Shopping trips per table this week (for sponsored-slot supply).
    pub trips: Vec<AtomicU64>,
    /// `[r * categories + c]`: platforms to choose from.
    pub platform_choice: Vec<Vec<PlatformOption>>,
    /// `[r * categories + c]`: ln of the outside option's reference price.
    pub ln_basket: Vec<f32>,
}

/// Ranking score of a listing (MODEL step 5), before exponentiation.
#[allow(clippy::too_many_arguments)]
pub fn score(
    w: &crate::config::RankingWeights,
    quality_signal: f64,
    brand_tilt: f64,
    is_brand: bool,
    equity: f64,
    clicks: f64,
    sales: f64,
    compliance: f64,
    direct_penalty: f64,
    is_direct: bool,
    reach: f64,
) -> f64 {
    w.quality * quality_signal
        + w.brand * brand_tilt * f64::from(u8::from(is_brand))
        + w.equity * equity.ln_1p()
        + w.ads * clicks.ln_1p()
        + w.sales * sales.ln_1p()
        + w.compliance * compliance
        - w.direct * direct_penalty * f64::from(u8::from(is_direct))
        + w.reach * reach.max(1e-9).ln()
}

/// A listing's contribution to a table before the alias step.
struct Candidate {
    score: f64,
    entry: Entry,
    ln_price: f64,
    days: f64,
}

/// Rebuilds every table and the platform utilities.
pub fn build_tables(
    clock: Res<Clock>,
    params: Res<Params>,
    population: Res<Population>,
    mut tables: ResMut<Tables>,
    platforms: Query<&PlatformAgent>,
    sellers: Query<(Entity, &Seller, &Listings)>,
) {
    let (np, nr, nc) = (params.platforms(), params.regions(), params.categories());
    let s = &params.s;
    let mut penalty_extra = vec![0.0; np * nr];
    let mut marketing = vec![0.0; np * nr];
    for agent in &platforms {
        for (r, st) in agent.regions.iter().enumerate() {
            penalty_extra[usize::from(agent.idx) * nr + r] = st.extra_penalty;
            marketing[usize::from(agent.idx) * nr + r] = st.marketing_usd;
        }
    }
    let mut order: Vec<(u64, Entity, &Seller, &Listings)> = sellers.iter().map(|(e, s, l)| (s.id, e, s, l)).collect();
    order.sort_unstable_by_key(|x| x.0);

    let mut candidates: Vec<Vec<Candidate>> = (0..np * nr * nc).map(|_| Vec::new()).collect();
    let mut listings = Vec::new();
    let w_s = population.seller_weight;
    for (_, entity, seller, ls) in order {
        let c = usize::from(seller.category);
        let cat = &s.categories[c];
        for (slot, l) in ls.0.iter().enumerate() {
            let (p, r) = (usize::from(l.platform), usize::from(l.region));
            if params.platform_region(p, r).is_none() {
                continue;
            }
            let platform = &s.platforms[p];
            let is_direct = seller.origin == Origin::Cn && seller.mode == Fulfilment::DirectParcel;
            let sales = f64::from(l.units) * population.consumer_weight[r] / w_s;
            let sc = score(
                &s.ad_market.ranking,
                (seller.rating - 1.0) / 4.0,
                platform.brand_tilt,
                seller.kind == Kind::Brand,
                seller.equity,
                l.clicks,
                sales,
                seller.compliance,
                platform.direct_penalty + penalty_extra[p * nr + r],
                is_direct,
                params.size(seller.size).reach,
            );
            let ln_price = l.consumer_price.max(0.01).ln();
            let base = -s.regions[r].delivery_sensitivity * l.days + s.consumers.brand_affinity * seller.equity.ln_1p();
            let entry = Entry {
                prob: 0.0,
                alias: 0,
                listing: listings.len() as u32,
                ln_price: ln_price as f32,
                base: base as f32,
                health: if seller.certified_health { cat.health_relevance as f32 } else { 0.0 },
                green: if seller.certified_green { cat.sustainability_relevance as f32 } else { 0.0 },
            };
            listings.push((entity, slot as u16));
            candidates[(p * nr + r) * nc + c].push(Candidate { score: sc, entry, ln_price, days: l.days });
        }
    }

    let mut built = Vec::with_capacity(candidates.len());
    let mut mean_ln_price = vec![f64::NAN; candidates.len()];
    let mut mean_days = vec![f64::NAN; candidates.len()];
    for (t, cands) in candidates.into_iter().enumerate() {
        if cands.is_empty() {
            built.push(Vec::new());
            continue;
        }
        let max = cands.iter().map(|x| x.score).fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = cands.iter().map(|x| (x.score - max).exp()).collect();
        let total: f64 = weights.iter().sum();
        mean_ln_price[t] = cands.iter().zip(&weights).map(|(x, w)| x.ln_price * w).sum::<f64>() / total;
        mean_days[t] = cands.iter().zip(&weights).map(|(x, w)| x.days * w).sum::<f64>() / total;
        let alias = Alias::new(&weights);
        built.push(
            cands
                .into_iter()
                .enumerate()
                .map(|(i, x)| Entry { prob: alias.prob[i], alias: alias.alias[i], ..x.entry })
                .collect(),
        );
    }

    let cons = &s.consumers;
    let mut platform_choice = Vec::with_capacity(nr * nc);
    let mut ln_basket = Vec::with_capacity(nr * nc);
    for r in 0..nr {
        for c in 0..nc {
            let table = |p: usize| (p * nr + r) * nc + c;
            let live: Vec<usize> =
                (0..np).filter(|&p| params.platform_region(p, r).is_some() && !built[table(p)].is_empty()).collect();
            let avg_ln_price = live.iter().map(|&p| mean_ln_price[table(p)]).sum::<f64>() / live.len().max(1) as f64;
            let options = live
                .iter()
                .map(|&p| {
                    let terms = params.platform_region(p, r).expect("live");
                    let platform = &s.platforms[p];
                    let st = &s.platform_strategy;
                    let u = terms.attractiveness
                        + platform.attractiveness_drift * clock.years
                        + marketing_lift(marketing[p * nr + r], st.marketing_effect, st.marketing_reference_musd)
                        - cons.platform_price_weight * (mean_ln_price[table(p)] - avg_ln_price)
                        - cons.platform_delivery_weight * mean_days[table(p)];
                    PlatformOption {
                        platform: p as u8,
                        weight: u.exp() as f32,
                        social: platform.model == BusinessModel::SocialCommerce,
                        table: table(p) as u32,
                    }
                })
                .collect();
            platform_choice.push(options);
            ln_basket.push(params.basket(r, c).ln() as f32);
        }
    }

    let n = listings.len();
    tables.tables = built;
    tables.listings = listings;
    tables.sold = (0..n).map(|_| AtomicU32::new(0)).collect();
    tables.trips = (0..np * nr * nc).map(|_| AtomicU64::new(0)).collect();
    tables.platform_choice = platform_choice;
    tables.ln_basket = ln_basket;
}
