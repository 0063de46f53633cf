//! MODEL step 5, "Ranking": one alias table per platform x region x category over the active
//! listings, weighted by
//! ```text
//! exp(th_q*quality + th_b*brand_tilt*is_brand + th_e*ln(1+equity) + th_ad*ln(1+clicks)
//!     + th_s*ln(1+sales_last_week) + th_c*compliance - th_m*direct_penalty*is_direct + th_r*ln(reach))
//! ```
//! and the platform utilities consumers choose platforms by. Built in O(listings) each week.
//!
//! Each table entry packs what a shopper's draw needs into 32 bytes: the alias threshold, and
//! for the column's own listing and its alias the listing index, the consumer-independent
//! utility, the price term and the certification flags. A draw reads half a cache line and
//! nothing else (MODEL "Performance shape").
//!
//! Listings are numbered in the ECS storage order of their sellers (the order of the sellers'
//! table rows, then of their listings). That order depends only on the history of spawns and
//! despawns, which happen in seller-id order at fixed points of the tick, so it is the same with
//! any number of threads; it lets settlement walk sellers and listings in step without lookups.
//! The candidates are computed in parallel over fixed-size chunks of sellers, in the
//! seller-decision pass ([`Inputs`], `sellers::seller_decisions`); the tables are then built in
//! parallel over tables.

use super::agents::{Fulfilment, Kind, Listings, Origin, PlatformAgent, Seller, Size};
use super::calendar::Trends;
use super::choice::{ln_1p, vose};
use super::par;
use super::params::Params;
use super::platforms::marketing_lift;
use super::setup::Population;
use crate::config::BusinessModel;
use bevy_ecs::prelude::*;

/// What a shopper's draw needs of one listing.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(C)]
pub struct Slot {
    /// Position of the listing in its table (its sales are counted at `start + local` in
    /// [`Tables::sold`]).
    pub local: u32,
    /// Consumer-independent utility relative to the outside option:
    /// `-beta_d*days + beta_b*ln(1+equity) - outside_utility`.
    pub base: f32,
    /// `ln(basket) - ln(consumer price)`; the consumer's alpha multiplies it.
    pub value: f32,
}

/// One column of a table's alias sampler, packed for the shopping loop.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(C, align(32))]
pub struct Entry {
    /// Keep `slots[0]` when the draw's low 32 bits are below this, else take `slots[1]`.
    pub keep: u32,
    /// Certified healthy (bit 0) and sustainable (bit 1) for `slots[0]`; bits 2 and 3 for
    /// `slots[1]`.
    pub flags: u32,
    /// The column's own listing and its alias.
    pub slots: [Slot; 2],
}

/// Where a table's entries are, and its category's health and sustainability relevance.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableInfo {
    pub start: u32,
    pub len: u32,
    pub health: f32,
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

/// The platforms a shopper may choose for a category in a region, with what the shopping loop
/// draws from: each option's weight and their running total, without (`[0]`) and with (`[1]`)
/// the social-commerce boost of social-video users.
#[derive(Debug, Clone)]
pub struct Menu {
    pub options: Vec<PlatformOption>,
    /// `[social][i]`: option `i`'s weight for consumers who do not (0) or do (1) use social
    /// video, with a last entry of 0 that stands for "not on this menu".
    pub weight: [Vec<f32>; 2],
    /// `[social][i]`: the running totals of `weight` (without the last entry).
    pub cum: [Vec<f32>; 2],
    /// `[platform]`: the platform's place in `options`, or `u8::MAX`.
    pub index_of: [u8; 256],
}

impl Menu {
    /// A menu of `options` (at most 255); `social_mult` is exp(social_boost).
    pub fn new(options: Vec<PlatformOption>, social_mult: f32) -> Self {
        let mut weight = [
            options.iter().map(|o| o.weight).collect::<Vec<f32>>(),
            options.iter().map(|o| if o.social { o.weight * social_mult } else { o.weight }).collect(),
        ];
        let running = |w: &Vec<f32>| {
            let mut acc = 0.0;
            w.iter()
                .map(|x| {
                    acc += x;
                    acc
                })
                .collect::<Vec<f32>>()
        };
        let cum = [running(&weight[0]), running(&weight[1])];
        weight.iter_mut().for_each(|w| w.push(0.0));
        let mut index_of = [u8::MAX; 256];
        for (i, o) in options.iter().enumerate() {
            index_of[usize::from(o.platform)] = i as u8;
        }
        Self { options, weight, cum, index_of }
    }
}

/// The week's ranking tables and the shopping counters. Buffers are reused from week to week.
///
/// Listings are numbered in the ECS storage order of their sellers; a listing's position is
/// where it sits in `entries` (its table's start plus its place in the table).
#[derive(Resource, Debug, Default)]
pub struct Tables {
    /// Every table's entries, table after table.
    pub entries: Vec<Entry>,
    /// `[(p * regions + r) * categories + c]`: where the table's entries are.
    pub info: Vec<TableInfo>,
    /// `[row]`: number of the first listing of the seller in ECS storage row `row` (rows of the
    /// sellers' storage tables, one after the other), with the total at the end. A seller's
    /// listings are numbered in their `Listings` order.
    pub seller_first: Vec<u32>,
    /// `[listing number]`: the listing's position, or `NOT_LISTED`.
    pub position: Vec<u32>,
    /// Agent units sold this week, by position.
    pub sold: Vec<u32>,
    /// Shopping trips per table this week (for sponsored-slot supply).
    pub trips: Vec<u64>,
    /// `[r * categories + c]`: platforms to choose from.
    pub menus: Vec<Menu>,
    /// This week's candidates by chunk of sellers, from the seller-decision pass, until the
    /// tables are built.
    pub candidates: Vec<ChunkCandidates>,
}

/// [`Tables::position`] of a listing that is in no table this week.
pub const NOT_LISTED: u32 = u32::MAX;

impl Tables {
    /// The entries of table `t`.
    #[inline]
    pub fn table(&self, t: usize) -> &[Entry] {
        let i = self.info[t];
        &self.entries[i.start as usize..(i.start + i.len) as usize]
    }

    /// Agent units sold this week by listing number.
    #[inline]
    pub fn units_sold(&self, listing: usize) -> u32 {
        match self.position[listing] {
            NOT_LISTED => 0,
            at => self.sold[at as usize],
        }
    }
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
        + w.equity * ln_1p(equity)
        + w.ads * ln_1p(clicks)
        + w.sales * ln_1p(sales)
        + w.compliance * compliance
        - w.direct * direct_penalty * f64::from(u8::from(is_direct))
        + w.reach * ln_reach(reach)
}

/// The seller-level terms of [`score`]: quality, equity, compliance and reach, from
/// `ln(1 + equity)` and [`ln_reach`] (computed once per seller and once per size class).
pub fn seller_score(
    w: &crate::config::RankingWeights,
    quality_signal: f64,
    ln_equity: f64,
    compliance: f64,
    ln_reach: f64,
) -> f64 {
    w.quality * quality_signal + w.equity * ln_equity + w.compliance * compliance + w.reach * ln_reach
}

/// The reach term's logarithm.
pub fn ln_reach(reach: f64) -> f64 {
    reach.max(1e-9).ln()
}

/// The listing-level terms of [`score`], from `ln(1 + sales)`: `score = seller_score +
/// listing_score`.
pub fn listing_score(
    w: &crate::config::RankingWeights,
    brand_tilt: f64,
    is_brand: bool,
    clicks: f64,
    ln_sales: f64,
    direct_penalty: f64,
    is_direct: bool,
) -> f64 {
    w.brand * brand_tilt * f64::from(u8::from(is_brand)) + w.ads * ln_1p(clicks) + w.sales * ln_sales
        - w.direct * direct_penalty * f64::from(u8::from(is_direct))
}

/// A listing's contribution to its table before the alias step.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: f64,
    /// `slot.local` holds the listing's number counted from its chunk's first listing until the
    /// table is assembled.
    slot: Slot,
    ln_price: f32,
    days: f32,
    /// Certified healthy (bit 0) and sustainable (bit 1).
    flags: u32,
}

/// One chunk of sellers' candidates, grouped by table.
#[derive(Debug, Clone, Default)]
pub struct ChunkCandidates {
    /// Table `t`'s candidates are `cands[bounds[t]..bounds[t + 1]]`, in storage order.
    cands: Vec<Candidate>,
    bounds: Vec<u32>,
    /// Listings of each seller row of the chunk.
    per_seller: Vec<u32>,
}

/// What the candidates of a chunk are computed from: the seller and what is fixed before the
/// sellers decide (weights, platform penalties, reference prices).
pub struct Inputs<'a> {
    params: &'a Params,
    w_c: &'a [f64],
    w_s: f64,
    /// `[p * regions + r]`: the platform's direct-parcel penalty there, policy shifts included.
    penalty: Vec<f64>,
    /// `[r * categories + c]`: ln of the outside option's reference price.
    ln_basket: Vec<f64>,
    /// `[size]`: [`ln_reach`] of the size class.
    ln_reach: [f64; 3],
    /// `[r * TABULATED_UNITS + units]`: `ln(1 + sales)` of a listing that sold `units` agent
    /// units in region `r` (sales in real units per real seller), the same value as computed
    /// for it: most listings sell a few units, and the logarithm is a libm call.
    ln_sales: Vec<f64>,
}

/// Agent units up to which [`Inputs`] holds `ln(1 + sales)` in a table.
const TABULATED_UNITS: u32 = 256;

/// A listing's sales in real units per real seller, from the agent units it sold in a region
/// whose consumer agents stand for `w_c` consumers each (a seller agent for `w_s` sellers).
fn sales(units: u32, w_c: f64, w_s: f64) -> f64 {
    f64::from(units) * w_c / w_s
}

impl<'a> Inputs<'a> {
    pub fn new(
        params: &'a Params,
        population: &'a Population,
        platforms: impl Iterator<Item = &'a PlatformAgent>,
    ) -> Self {
        let (np, nr, nc) = (params.platforms(), params.regions(), params.categories());
        let mut penalty = vec![0.0; np * nr];
        for agent in platforms {
            let p = usize::from(agent.idx);
            for (r, st) in agent.regions.iter().enumerate() {
                penalty[p * nr + r] = params.s.platforms[p].direct_penalty + st.extra_penalty;
            }
        }
        Self {
            params,
            w_c: &population.consumer_weight,
            w_s: population.seller_weight,
            penalty,
            ln_basket: (0..nr * nc).map(|i| params.basket(i / nc, i % nc).ln()).collect(),
            ln_reach: Size::ALL.map(|size| ln_reach(params.size(size).reach)),
            ln_sales: (0..nr)
                .flat_map(|r| (0..TABULATED_UNITS).map(move |units| (r, units)))
                .map(|(r, units)| ln_1p(sales(units, population.consumer_weight[r], population.seller_weight)))
                .collect(),
        }
    }

    /// `ln(1 + sales)` of a listing that sold `units` agent units in region `r`.
    #[inline]
    fn ln_sales(&self, r: usize, units: u32) -> f64 {
        if units < TABULATED_UNITS {
            self.ln_sales[r * TABULATED_UNITS as usize + units as usize]
        } else {
            ln_1p(sales(units, self.w_c[r], self.w_s))
        }
    }

    /// The candidates of a chunk of sellers, grouped by table.
    pub fn chunk(&self, sellers: &[Seller], listings: &[Listings]) -> ChunkCandidates {
        let params = self.params;
        let s = &params.s;
        let (nr, nc) = (params.regions(), params.categories());
        let tables = params.platforms() * nr * nc;
        let w = &s.ad_market.ranking;
        let mut found = Vec::with_capacity(listings.iter().map(|ls| ls.0.len()).sum());
        let mut per_seller = Vec::with_capacity(sellers.len());
        let mut listing = 0u32;
        for (i, (seller, ls)) in sellers.iter().zip(listings).enumerate() {
            if let Some(ahead) = listings.get(i + par::PREFETCH_AHEAD) {
                ahead.prefetch();
            }
            per_seller.push(ls.0.len() as u32);
            let c = usize::from(seller.category);
            let is_direct = seller.origin == Origin::Cn && seller.mode == Fulfilment::DirectParcel;
            let ln_equity = ln_1p(seller.equity);
            let seller_part = seller_score(
                w,
                (seller.rating - 1.0) / 4.0,
                ln_equity,
                seller.compliance,
                self.ln_reach[seller.size as usize],
            );
            let flags = u32::from(seller.certified_health) | u32::from(seller.certified_green) << 1;
            for l in &ls.0 {
                let (p, r) = (usize::from(l.platform), usize::from(l.region));
                let number = listing;
                listing += 1;
                if params.platform_region(p, r).is_none() {
                    continue;
                }
                let sc = seller_part
                    + listing_score(
                        w,
                        s.platforms[p].brand_tilt,
                        seller.kind == Kind::Brand,
                        l.clicks,
                        self.ln_sales(r, l.units),
                        self.penalty[p * nr + r],
                        is_direct,
                    );
                let ln_price = l.consumer_price.max(0.01).ln();
                let base = -s.regions[r].delivery_sensitivity * l.days + s.consumers.brand_affinity * ln_equity
                    - s.consumers.outside_utility;
                let slot =
                    Slot { local: number, base: base as f32, value: (self.ln_basket[r * nc + c] - ln_price) as f32 };
                let cand = Candidate { score: sc, slot, ln_price: ln_price as f32, days: l.days as f32, flags };
                found.push(((p * nr + r) * nc + c, cand));
            }
        }
        // Group by table, keeping storage order within a table (a counting sort).
        let mut bounds = vec![0u32; tables + 1];
        for (t, _) in &found {
            bounds[t + 1] += 1;
        }
        for t in 0..tables {
            bounds[t + 1] += bounds[t];
        }
        let mut next = bounds.clone();
        let mut cands = vec![found.first().map_or(EMPTY, |f| f.1); found.len()];
        for (t, cand) in found {
            cands[next[t] as usize] = cand;
            next[t] += 1;
        }
        ChunkCandidates { cands, bounds, per_seller }
    }
}

const EMPTY: Candidate =
    Candidate { score: 0.0, slot: Slot { local: 0, base: 0.0, value: 0.0 }, ln_price: 0.0, days: 0.0, flags: 0 };

/// A thread's buffers for building tables, kept from week to week so that a week's table
/// builds allocate nothing.
#[derive(Default)]
struct Scratch {
    /// The table's candidates, gathered from every chunk.
    cands: Vec<Candidate>,
    buffers: AliasBuffers,
}

/// [`assemble`]'s working buffers.
#[derive(Default)]
struct AliasBuffers {
    weights: Vec<f64>,
    prob: Vec<f64>,
    alias: Vec<u32>,
    stack: Vec<u32>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Builds table `t` from every chunk's candidates for it into `out`; returns the
/// ranking-weighted mean ln price and delivery days (NaN for an empty table).
fn assemble_table(chunks: &[ChunkCandidates], t: usize, out: &mut [Entry]) -> (f64, f64) {
    SCRATCH.with_borrow_mut(|Scratch { cands, buffers }| {
        cands.clear();
        for ch in chunks {
            cands.extend_from_slice(&ch.cands[ch.bounds[t] as usize..ch.bounds[t + 1] as usize]);
        }
        assemble(cands, out, buffers)
    })
}

/// Builds one table from its candidates into `out` (every entry is written); returns the
/// ranking-weighted mean ln price and delivery days (NaN for an empty table).
fn assemble(cands: &[Candidate], out: &mut [Entry], buffers: &mut AliasBuffers) -> (f64, f64) {
    if cands.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let AliasBuffers { weights, prob, alias, stack } = buffers;
    let max = cands.iter().map(|x| x.score).fold(f64::NEG_INFINITY, f64::max);
    weights.clear();
    weights.extend(cands.iter().map(|x| (x.score - max).exp()));
    let total: f64 = weights.iter().sum();
    let mean_ln_price = cands.iter().zip(&*weights).map(|(x, w)| f64::from(x.ln_price) * w).sum::<f64>() / total;
    let mean_days = cands.iter().zip(&*weights).map(|(x, w)| f64::from(x.days) * w).sum::<f64>() / total;
    // `vose` writes every element of `prob` and `alias`.
    prob.resize(cands.len(), 0.0);
    alias.resize(cands.len(), 0);
    vose(weights, prob, alias, stack);
    for (i, e) in out.iter_mut().enumerate() {
        let a = alias[i];
        let (own, other) = (&cands[i], &cands[a as usize]);
        // The saturating cast maps a probability of 1 to u32::MAX; such a column is its own alias.
        *e = Entry {
            keep: (prob[i] * 4_294_967_296.0) as u32,
            flags: own.flags | other.flags << 2,
            slots: [Slot { local: i as u32, ..own.slot }, Slot { local: a, ..other.slot }],
        };
    }
    (mean_ln_price, mean_days)
}

/// Rebuilds every table and the platform utilities from the candidates the seller-decision
/// pass left (per chunk of seller rows, in storage order). The candidates are used up: without
/// a seller-decision pass before it in the week, the sellers are not covered and it panics.
pub fn build_tables(
    params: Res<Params>,
    trends: Res<Trends>,
    mut tables: ResMut<Tables>,
    platforms: Query<&PlatformAgent>,
    sellers: Query<(), With<Seller>>,
) {
    let (np, nr, nc) = (params.platforms(), params.regions(), params.categories());
    let ntables = np * nr * nc;
    let s = &params.s;
    let mut marketing = vec![0.0; np * nr];
    for agent in &platforms {
        let p = usize::from(agent.idx);
        for (r, st) in agent.regions.iter().enumerate() {
            marketing[p * nr + r] = st.marketing_usd;
        }
    }
    let chunks = std::mem::take(&mut tables.candidates);
    let rows: usize = chunks.iter().map(|ch| ch.per_seller.len()).sum();
    assert_eq!(rows, sellers.iter().len(), "the tables are built from this week's seller-decision pass");

    // Number the listings: each seller row's first listing.
    let tables = &mut *tables;
    tables.seller_first.clear();
    let mut n = 0u32;
    for ch in &chunks {
        for &k in &ch.per_seller {
            tables.seller_first.push(n);
            n += k;
        }
    }
    tables.seller_first.push(n);

    // A chunk's candidates for a table follow the earlier chunks' there: `before[i * ntables + t]`
    // counts those, and the running counts end as the tables' lengths.
    let mut before = vec![0u32; chunks.len() * ntables];
    let mut lens = vec![0u32; ntables];
    for (i, ch) in chunks.iter().enumerate() {
        for (t, len) in lens.iter_mut().enumerate() {
            before[i * ntables + t] = *len;
            *len += ch.bounds[t + 1] - ch.bounds[t];
        }
    }

    // Lay the tables out one after another, then build them in parallel.
    tables.info.clear();
    let mut start = 0u32;
    for (t, &len) in lens.iter().enumerate() {
        let cat = &s.categories[t % nc];
        tables.info.push(TableInfo {
            start,
            len,
            health: cat.health_relevance as f32,
            green: cat.sustainability_relevance as f32,
        });
        start += len;
    }
    // Every entry is written when its table is built: the buffer keeps last week's (no memset).
    tables.entries.resize(start as usize, Entry::default());
    let outs = par::split_by_lengths(&mut tables.entries, tables.info.iter().map(|i| i.len as usize));
    let chunks = &chunks;
    let stats = par::map_largest_first(
        outs.into_iter().enumerate().collect(),
        |(_, out)| out.len(),
        |(t, out)| assemble_table(chunks, t, out),
    );

    // Each listing's position: its table's start, the earlier chunks' candidates there, and its
    // place among its chunk's. Chunks own disjoint ranges of listing numbers.
    tables.position.resize(n as usize, NOT_LISTED);
    let counts = chunks.iter().map(|ch| ch.per_seller.iter().sum::<u32>() as usize);
    let parts = par::split_by_lengths(&mut tables.position, counts);
    let (before, info) = (&before, &tables.info);
    par::map(parts.into_iter().enumerate(), |(i, out)| {
        let ch = &chunks[i];
        out.fill(NOT_LISTED);
        for t in 0..ntables {
            let at = info[t].start + before[i * ntables + t];
            let own = &ch.cands[ch.bounds[t] as usize..ch.bounds[t + 1] as usize];
            for (j, c) in own.iter().enumerate() {
                out[c.slot.local as usize] = at + j as u32;
            }
        }
    });

    let cons = &s.consumers;
    let social_mult = cons.social_boost.exp() as f32;
    let mut menus = Vec::with_capacity(nr * nc);
    for r in 0..nr {
        for c in 0..nc {
            let table = |p: usize| (p * nr + r) * nc + c;
            let live: Vec<usize> =
                (0..np).filter(|&p| params.platform_region(p, r).is_some() && tables.info[table(p)].len > 0).collect();
            let avg_ln_price = live.iter().map(|&p| stats[table(p)].0).sum::<f64>() / live.len().max(1) as f64;
            let options = live
                .iter()
                .map(|&p| {
                    let terms = params.platform_region(p, r).expect("live");
                    let platform = &s.platforms[p];
                    let st = &s.platform_strategy;
                    let u = terms.attractiveness
                        + trends.drift[p]
                        + marketing_lift(marketing[p * nr + r], st.marketing_effect, st.marketing_reference_musd)
                        - cons.platform_price_weight * (stats[table(p)].0 - avg_ln_price)
                        - cons.platform_delivery_weight * stats[table(p)].1;
                    PlatformOption {
                        platform: p as u8,
                        weight: u.exp() as f32,
                        social: platform.model == BusinessModel::SocialCommerce,
                        table: table(p) as u32,
                    }
                })
                .collect();
            menus.push(Menu::new(options, social_mult));
        }
    }

    tables.sold.clear();
    tables.sold.resize(start as usize, 0);
    tables.trips.clear();
    tables.trips.resize(ntables, 0);
    tables.menus = menus;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seller_and_listing_terms_add_up_to_the_score() {
        let w = crate::config::RankingWeights {
            quality: 1.5,
            brand: 0.5,
            equity: 0.3,
            ads: 0.12,
            sales: 0.15,
            compliance: 0.5,
            direct: 1.0,
            reach: 1.0,
        };
        let whole = score(&w, 0.6, 0.8, true, 2.0, 30.0, 7.0, 0.9, 0.7, true, 3.0);
        let split = seller_score(&w, 0.6, 2f64.ln_1p(), 0.9, ln_reach(3.0))
            + listing_score(&w, 0.8, true, 30.0, 7f64.ln_1p(), 0.7, true);
        assert!((whole - split).abs() < 1e-12);
    }

    #[test]
    fn tabulated_ln_sales_are_the_computed_ones() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/2026.ron");
        let params = Params::new(crate::config::load(&path).expect("configs/2026.ron is valid"));
        let population = Population::new(&params);
        let inputs = Inputs::new(&params, &population, std::iter::empty());
        for r in 0..params.regions() {
            let (w_c, w_s) = (population.consumer_weight[r], population.seller_weight);
            for units in [0, 1, 2, 17, TABULATED_UNITS - 1, TABULATED_UNITS, 5_000] {
                let computed = ln_1p(f64::from(units) * w_c / w_s);
                assert_eq!(inputs.ln_sales(r, units).to_bits(), computed.to_bits(), "region {r}, {units} units");
            }
            assert!(inputs.ln_sales(r, 3) > inputs.ln_sales(r, 2), "the table is not all zeros");
        }
    }

    #[test]
    fn entries_are_half_a_cache_line() {
        assert_eq!(std::mem::size_of::<Entry>(), 32);
        assert_eq!(std::mem::align_of::<Entry>(), 32);
    }

    #[test]
    fn assembled_tables_draw_listings_by_weight() {
        let cand = |listing: u32, score: f64| Candidate {
            score,
            slot: Slot { local: listing, base: 0.0, value: 0.0 },
            ln_price: 0.0,
            days: 0.0,
            flags: listing & 3,
        };
        let cands: Vec<Candidate> = [0.0, 2f64.ln(), f64::NEG_INFINITY, 5f64.ln()]
            .iter()
            .enumerate()
            .map(|(i, s)| cand(i as u32, *s))
            .collect();
        let mut out = vec![Entry::default(); cands.len()];
        assemble(&cands, &mut out, &mut AliasBuffers::default());
        let mut hits = [0u64; 4];
        let mut rng = crate::rng::Counter::new(5);
        let n = 400_000;
        for _ in 0..n {
            let x = rng.next_u64();
            let e = &out[(((x >> 32) * out.len() as u64) >> 32) as usize];
            let k = usize::from(x as u32 >= e.keep);
            let slot = e.slots[k];
            assert_eq!((e.flags >> (2 * k)) & 3, slot.local & 3, "flags follow the slot");
            hits[slot.local as usize] += 1;
        }
        for (h, w) in hits.iter().zip([1.0, 2.0, 0.0, 5.0]) {
            assert!((*h as f64 / n as f64 - w / 8.0).abs() < 0.005, "{hits:?}");
        }
    }
}
