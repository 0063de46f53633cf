//! MODEL step 7, "Customs and settlement": direct parcels are inspected at the region's rate,
//! inspected non-compliant goods are seized (refunded), inspections add delay days to next week's
//! parcels; taxes, duties, platform fees and ad revenue are counted in integer cents.
//!
//! Money identity per sale, in cents: the buyer pays `price + vat`; the platform keeps
//! `take x price`; customs keeps `duty`; the seller nets `price - take - duty`.

use super::agents::{Fulfilment, Listings, Origin, PlatformAgent, RegulatorAgent, Seller};
use super::calendar::Clock;
use super::market::Market;
use super::params::Params;
use super::ranking::Tables;
use super::setup::Population;
use crate::rng::{self, Stream};
use bevy_ecs::prelude::*;
use rand_distr::{Binomial, Distribution};
use std::sync::atomic::Ordering;

/// Rounds a real amount of USD to cents.
pub fn cents(usd: f64) -> i64 {
    (usd * 100.0).round() as i64
}

/// The money of one week's sales of one listing, in cents (real units).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SaleCents {
    /// At the seller's price (before tax).
    pub price: i64,
    pub vat: i64,
    pub duty: i64,
    /// The platform's take.
    pub fee: i64,
}

impl SaleCents {
    /// `units` real units at `price`, with the listing's VAT, duty and take rate.
    pub fn new(units: f64, price: f64, vat: f64, duty: f64, take_rate: f64) -> Self {
        let price_c = cents(units * price);
        Self {
            price: price_c,
            vat: cents(units * price * vat),
            duty: cents(units * duty),
            fee: (price_c as f64 * take_rate).round() as i64,
        }
    }
    /// What buyers paid: GMV.
    pub fn buyer(&self) -> i64 {
        self.price + self.vat
    }
    /// What the seller nets after the platform's take and duty.
    pub fn seller_net(&self) -> i64 {
        self.price - self.fee - self.duty
    }
}

/// Draws seized units: `inspected ~ Bin(units, rate)`, `seized ~ Bin(inspected, (1-compliance) p)`.
pub fn customs_draw(
    units: u32,
    inspection_rate: f64,
    noncompliance: f64,
    seizure_p: f64,
    rng: &mut impl rand::Rng,
) -> (u32, u32) {
    if units == 0 || inspection_rate <= 0.0 {
        return (0, 0);
    }
    let inspected = Binomial::new(u64::from(units), inspection_rate.min(1.0)).map_or(0, |b| b.sample(rng));
    let p = (noncompliance * seizure_p).clamp(0.0, 1.0);
    let seized = if inspected == 0 || p <= 0.0 { 0 } else { Binomial::new(inspected, p).map_or(0, |b| b.sample(rng)) };
    (inspected as u32, seized as u32)
}

/// Settles the week's sales into listings, platforms and regulators.
#[allow(clippy::too_many_arguments)]
pub fn settle(
    clock: Res<Clock>,
    params: Res<Params>,
    population: Res<Population>,
    tables: Res<Tables>,
    mut market: ResMut<Market>,
    mut sellers: Query<(&Seller, &mut Listings)>,
    mut platforms: Query<&mut PlatformAgent>,
    mut regulators: Query<&mut RegulatorAgent>,
) {
    let s = &params.s;
    let (np, nr, nc) = (params.platforms(), params.regions(), params.categories());
    let mut gmv = vec![0i64; np * nr];
    let mut orders = vec![0.0f64; np * nr];
    let mut fees = vec![0i64; np * nr];
    let mut ad_cents = vec![0i64; np * nr];
    let mut clicks = vec![0.0f64; np * nr];
    let mut listing_count = vec![0u32; np * nr];
    let mut table_revenue = vec![0i64; np * nr * nc];
    let mut table_listings = vec![0u32; np * nr * nc];
    let mut duties = vec![0i64; nr];
    let mut vat = vec![0i64; nr];
    let mut direct_units = vec![0u64; nr];
    let mut inspected_units = vec![0u64; nr];
    let mut seized_real = vec![0.0f64; nr];
    let mut inspected_real = vec![0.0f64; nr];
    let w_s = population.seller_weight;

    for (i, &(entity, slot)) in tables.listings.iter().enumerate() {
        let Ok((seller, mut listings)) = sellers.get_mut(entity) else { continue };
        let l = &mut listings.0[usize::from(slot)];
        let (p, r) = (usize::from(l.platform), usize::from(l.region));
        let w_c = population.consumer_weight[r];
        let mut units = tables.sold[i].load(Ordering::Relaxed);
        let mut seized = 0;
        if seller.origin == Origin::Cn && seller.mode == Fulfilment::DirectParcel {
            let g = params.regulator(r);
            let key = seller.id.wrapping_mul(64).wrapping_add(u64::from(slot));
            let mut rng = rng::agent(clock.seed, Stream::Customs, key, clock.tick);
            let (inspected, lost) =
                customs_draw(units, g.inspection_rate, 1.0 - seller.compliance, g.seizure_probability, &mut rng);
            direct_units[r] += u64::from(units);
            inspected_units[r] += u64::from(inspected);
            inspected_real[r] += f64::from(inspected) * w_c;
            seized_real[r] += f64::from(lost) * w_c;
            seized = lost;
            units -= lost;
        }
        l.units = units;
        l.seized = seized;
        let take = s.platforms[p].take_rate;
        let sale = SaleCents::new(f64::from(units) * w_c, l.price, l.vat, l.duty, take);
        let pr = p * nr + r;
        gmv[pr] += sale.buyer();
        orders[pr] += f64::from(units) * w_c;
        fees[pr] += sale.fee;
        ad_cents[pr] += cents(l.ad_spend * w_s);
        clicks[pr] += l.clicks * w_s;
        listing_count[pr] += 1;
        let t = pr * nc + usize::from(seller.category);
        table_revenue[t] += cents(f64::from(units) * w_c / w_s * l.price);
        table_listings[t] += 1;
        duties[r] += sale.duty;
        vat[r] += sale.vat;
    }

    let k = f64::from(s.consumers.candidates);
    let inertia = s.platform_strategy.inertia;
    for mut agent in &mut platforms {
        let p = usize::from(agent.idx);
        for (r, st) in agent.regions.iter_mut().enumerate() {
            let pr = p * nr + r;
            let trips: u64 = (0..nc).map(|c| tables.trips[pr * nc + c].load(Ordering::Relaxed)).sum();
            st.sponsored_supply = s.platforms[p].ad_load * k * trips as f64 * population.consumer_weight[r];
            st.bid_demand = clicks[pr];
            let growth = if st.gmv_cents > 0 { gmv[pr] as f64 / st.gmv_cents as f64 - 1.0 } else { 0.0 };
            st.growth_avg = inertia * st.growth_avg + (1.0 - inertia) * growth;
            st.gmv_avg = inertia * st.gmv_avg + (1.0 - inertia) * gmv[pr] as f64 / 100.0;
            st.gmv_cents = gmv[pr];
            st.orders = orders[pr].round() as i64;
            st.fees_cents = fees[pr];
            st.ad_revenue_cents = ad_cents[pr];
            st.listings = listing_count[pr];
        }
    }
    for mut g in &mut regulators {
        let r = usize::from(g.region);
        let policy = params.regulator(r);
        g.duties_cents = duties[r];
        g.vat_cents = vat[r];
        g.inspected = inspected_real[r].round() as i64;
        g.seized = seized_real[r].round() as i64;
        let rate = if direct_units[r] > 0 {
            inspected_units[r] as f64 / direct_units[r] as f64
        } else {
            policy.inspection_rate
        };
        g.delay_days = rate * policy.inspection_delay_days;
    }
    for (t, rev) in table_revenue.iter().enumerate() {
        market.revenue_per_listing[t] =
            if table_listings[t] > 0 { *rev as f64 / 100.0 / f64::from(table_listings[t]) } else { 0.0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_sale_splits_exactly_into_seller_platform_and_taxes() {
        let sale = SaleCents::new(1234.5, 19.99, 0.21, 3.5, 0.15);
        assert_eq!(sale.buyer(), sale.seller_net() + sale.fee + sale.duty + sale.vat);
        assert_eq!(sale.price, cents(1234.5 * 19.99));
    }

    #[test]
    fn customs_seize_only_non_compliant_inspected_goods() {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
        assert_eq!(customs_draw(1000, 0.3, 0.0, 1.0, &mut rng).1, 0);
        let (inspected, seized) = customs_draw(100_000, 0.3, 1.0, 0.5, &mut rng);
        assert!((inspected as f64 / 100_000.0 - 0.3).abs() < 0.01);
        assert!((seized as f64 / inspected as f64 - 0.5).abs() < 0.02);
        assert_eq!(customs_draw(0, 0.3, 1.0, 1.0, &mut rng), (0, 0));
    }
}
