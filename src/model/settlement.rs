//! MODEL step 7, "Customs and settlement": direct parcels are inspected at the region's rate,
//! inspected non-compliant goods are seized (refunded), inspections add delay days to next week's
//! parcels; taxes, duties, platform fees and ad revenue are counted in integer cents.
//!
//! Money identity per sale, in cents: the buyer pays `price + vat`; the platform keeps
//! `take x price`; customs keeps `duty`; the seller nets `price - take - duty`.
//!
//! One pass over the sellers does the per-seller work of steps 7 to 10: it settles a seller's
//! sales, books its week (step 8, [`accounting::book_week`]), adds its week to its segment's
//! margin, decides whether it leaves ([`lifecycle::exit_of`]) and adds it to the record's
//! tally ([`Tally`]). None of these reads another
//! seller, so doing them seller by seller gives what doing them step by step would, with the
//! sellers read from memory once instead of three times (docs/PERFORMANCE.md). What step 9
//! needs is left in [`Closing`].

use super::accounting;
use super::agents::{Finance, Fulfilment, Listings, Origin, PlatformAgent, RegulatorAgent, SEGMENTS, Seller, segment};
use super::calendar::Clock;
use super::lifecycle::{self, ExitReason};
use super::market::Market;
use super::par;
use super::params::Params;
use super::ranking::Tables;
use super::record::Tally;
use super::setup::Population;
use crate::rng::{self, Stream};
use bevy_ecs::prelude::*;
use rand_distr::{Binomial, Distribution};

/// What the settlement pass leaves for steps 9 and 10.
#[derive(Resource, Debug, Default)]
pub struct Closing {
    /// `[segment]`: the week's revenue and profit of the segment's sellers, cents.
    pub segment_revenue: [i64; SEGMENTS],
    pub segment_profit: [i64; SEGMENTS],
    /// The sellers that leave this week ([`lifecycle::exit_of`]): id, entity, reason.
    pub leaving: Vec<(u64, Entity, ExitReason)>,
    /// Every seller's week, leavers included, for `record::record_tick` (`None` in the
    /// warm-up); `lifecycle::entries` adds the entrants.
    pub tally: Option<Tally>,
}

/// Rounds a real amount of USD to cents.
#[inline]
pub fn cents(usd: f64) -> i64 {
    round_i64(usd * 100.0)
}

/// `x.round() as i64` (half away from zero, saturating), as a cast and two compares: without
/// SSE4.1, `f64::round` is a libm call, and money is rounded about a dozen times per listing a
/// week. No branches: which way a cent rounds is a coin toss the branch predictor would lose.
#[inline]
pub fn round_i64(x: f64) -> i64 {
    // Truncation is exact, and so is `x - t`: below 2^53 both are exact, above it x is whole.
    let t = x as i64;
    let frac = x - t as f64;
    t.saturating_add(i64::from(frac >= 0.5)).saturating_sub(i64::from(frac <= -0.5))
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
            fee: round_i64(price_c as f64 * take_rate),
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
    let inspected = binomial(units, inspection_rate.min(1.0), rng);
    let p = (noncompliance * seizure_p).clamp(0.0, 1.0);
    let seized = if inspected == 0 || p <= 0.0 { 0 } else { binomial(inspected, p, rng) };
    (inspected, seized)
}

/// Below this many trials a binomial draw counts uniforms below `p`.
const COUNT_BELOW: u32 = 32;

/// A `Bin(n, p)` draw. Most listings sell a few agent units a week: for them, counting
/// uniforms below `p` is exact and cheaper than setting up `rand_distr`'s sampler (whose
/// inversion method starts with a `powf`).
fn binomial(n: u32, p: f64, rng: &mut impl rand::Rng) -> u32 {
    if n < COUNT_BELOW {
        (0..n).map(|_| u32::from(rand::RngExt::random::<f64>(rng) < p)).sum()
    } else {
        Binomial::new(u64::from(n), p).map_or(0, |b| b.sample(rng) as u32)
    }
}

/// One chunk of sellers' week, summed. Money is in cents; units are agent units (times the
/// region's consumer weight for real units); the only float sum (clicks) is merged in chunk
/// order.
struct Sums {
    /// `[p * regions + r]`
    gmv: Vec<i64>,
    units: Vec<u64>,
    fees: Vec<i64>,
    ad_cents: Vec<i64>,
    clicks: Vec<f64>,
    listings: Vec<u32>,
    /// `[(p * regions + r) * categories + c]`
    table_revenue: Vec<i64>,
    table_listings: Vec<u32>,
    /// `[r]`
    duties: Vec<i64>,
    vat: Vec<i64>,
    direct_units: Vec<u64>,
    inspected_units: Vec<u64>,
    seized_units: Vec<u64>,
    /// `[segment]`: the week's revenue and profit, cents.
    segment_revenue: [i64; SEGMENTS],
    segment_profit: [i64; SEGMENTS],
    /// Sellers that leave: id, entity, reason.
    leaving: Vec<(u64, Entity, ExitReason)>,
    /// The sellers' weeks for the record (`None` in the warm-up).
    tally: Option<Tally>,
}

impl Sums {
    fn new(np: usize, nr: usize, nc: usize, recording: bool) -> Self {
        Self {
            gmv: vec![0; np * nr],
            units: vec![0; np * nr],
            fees: vec![0; np * nr],
            ad_cents: vec![0; np * nr],
            clicks: vec![0.0; np * nr],
            listings: vec![0; np * nr],
            table_revenue: vec![0; np * nr * nc],
            table_listings: vec![0; np * nr * nc],
            duties: vec![0; nr],
            vat: vec![0; nr],
            direct_units: vec![0; nr],
            inspected_units: vec![0; nr],
            seized_units: vec![0; nr],
            segment_revenue: [0; SEGMENTS],
            segment_profit: [0; SEGMENTS],
            leaving: Vec::new(),
            tally: recording.then(|| Tally::new(nr, np)),
        }
    }

    fn add(&mut self, o: &Sums) {
        fn add<T: Copy + std::ops::AddAssign>(a: &mut [T], b: &[T]) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += *y);
        }
        add(&mut self.gmv, &o.gmv);
        add(&mut self.units, &o.units);
        add(&mut self.fees, &o.fees);
        add(&mut self.ad_cents, &o.ad_cents);
        add(&mut self.clicks, &o.clicks);
        add(&mut self.listings, &o.listings);
        add(&mut self.table_revenue, &o.table_revenue);
        add(&mut self.table_listings, &o.table_listings);
        add(&mut self.duties, &o.duties);
        add(&mut self.vat, &o.vat);
        add(&mut self.direct_units, &o.direct_units);
        add(&mut self.inspected_units, &o.inspected_units);
        add(&mut self.seized_units, &o.seized_units);
        add(&mut self.segment_revenue, &o.segment_revenue);
        add(&mut self.segment_profit, &o.segment_profit);
        self.leaving.extend_from_slice(&o.leaving);
        if let (Some(a), Some(b)) = (&mut self.tally, &o.tally) {
            a.merge(b);
        }
    }
}

/// What settling a chunk of sellers reads.
struct Ctx<'a> {
    params: &'a Params,
    population: &'a Population,
    tables: &'a Tables,
    clock: &'a Clock,
}

/// A chunk of sellers' storage columns.
struct Rows<'a> {
    entities: &'a [Entity],
    sellers: &'a mut [Seller],
    listings: &'a mut [Listings],
    finance: &'a mut [Finance],
}

impl Ctx<'_> {
    /// The per-seller work of steps 7 to 10 for the sellers whose first storage row is `row`:
    /// settles, books, tallies segment margins, finds who leaves and adds each to the record's
    /// tally.
    fn chunk(&self, row: usize, rows: Rows) -> Sums {
        let params = self.params;
        let recording = !self.clock.in_warmup();
        let mut sum = Sums::new(params.platforms(), params.regions(), params.categories(), recording);
        // Each listing's GMV this week (cents), for the tally; reused from seller to seller.
        let mut gmv = Vec::new();
        for i in 0..rows.sellers.len() {
            if let Some(ahead) = rows.listings.get(i + par::PREFETCH_AHEAD) {
                ahead.prefetch();
            }
            let (s, ls, f) = (&mut rows.sellers[i], &mut rows.listings[i], &mut rows.finance[i]);
            self.settle(row + i, s, ls, &mut sum, &mut gmv);
            accounting::book_week(params, self.population, s, ls, f);
            let k = segment(s.origin, s.kind, s.size);
            sum.segment_revenue[k] += cents(f.week.revenue);
            sum.segment_profit[k] += cents(f.week.profit);
            let exit = lifecycle::exit_of(self.clock, params, s, ls, f);
            if let Some(reason) = exit {
                sum.leaving.push((s.id, rows.entities[i], reason));
            }
            if let Some(t) = &mut sum.tally {
                t.add(self.population, s, ls, &gmv, &f.week, exit.is_none(), false);
            }
        }
        sum
    }

    /// Step 7 for the seller in storage row `row`: customs on its direct parcels, then its
    /// sales into its listings and the week's sums; `gmv` is set to each listing's GMV (cents).
    #[inline]
    fn settle(&self, row: usize, seller: &Seller, ls: &mut Listings, sum: &mut Sums, gmv: &mut Vec<i64>) {
        let params = self.params;
        let s = &params.s;
        let (nr, nc) = (params.regions(), params.categories());
        let w_s = self.population.seller_weight;
        let first = self.tables.seller_first[row] as usize;
        let direct = seller.origin == Origin::Cn && seller.mode == Fulfilment::DirectParcel;
        gmv.clear();
        for (slot, l) in ls.0.iter_mut().enumerate() {
            let (p, r) = (usize::from(l.platform), usize::from(l.region));
            let mut units = self.tables.units_sold(first + slot);
            if params.platform_region(p, r).is_none() {
                // Not in any table this week: no sales.
                l.units = 0;
                l.seized = 0;
                gmv.push(0);
                continue;
            }
            let w_c = self.population.consumer_weight[r];
            let mut seized = 0;
            if direct {
                let g = params.regulator(r);
                let (inspected, lost) = if units > 0 && g.inspection_rate > 0.0 {
                    let key = seller.id.wrapping_mul(64).wrapping_add(slot as u64);
                    let mut rng = rng::agent(self.clock.seed, Stream::Customs, key, self.clock.step);
                    customs_draw(units, g.inspection_rate, 1.0 - seller.compliance, g.seizure_probability, &mut rng)
                } else {
                    (0, 0)
                };
                sum.direct_units[r] += u64::from(units);
                sum.inspected_units[r] += u64::from(inspected);
                sum.seized_units[r] += u64::from(lost);
                seized = lost;
                units -= lost;
            }
            l.units = units;
            l.seized = seized;
            let take = s.platforms[p].take_rate;
            let sale = SaleCents::new(f64::from(units) * w_c, l.price, l.vat, l.duty, take);
            let pr = p * nr + r;
            let buyer = sale.buyer();
            gmv.push(buyer);
            sum.gmv[pr] += buyer;
            sum.units[pr] += u64::from(units);
            sum.fees[pr] += sale.fee;
            sum.ad_cents[pr] += cents(l.ad_spend * w_s);
            sum.clicks[pr] += l.clicks * w_s;
            sum.listings[pr] += 1;
            let t = pr * nc + usize::from(seller.category);
            sum.table_revenue[t] += cents(f64::from(units) * w_c / w_s * l.price);
            sum.table_listings[t] += 1;
            sum.duties[r] += sale.duty;
            sum.vat[r] += sale.vat;
        }
    }
}

/// Settles the week's sales into listings, platforms and regulators, books every seller's week
/// and leaves steps 9 and 10's inputs in [`Closing`].
#[allow(clippy::too_many_arguments)]
pub fn settle(
    clock: Res<Clock>,
    params: Res<Params>,
    population: Res<Population>,
    tables: Res<Tables>,
    mut market: ResMut<Market>,
    mut closing: ResMut<Closing>,
    mut sellers: Query<(Entity, &mut Seller, &mut Listings, &mut Finance)>,
    mut platforms: Query<&mut PlatformAgent>,
    mut regulators: Query<&mut RegulatorAgent>,
) {
    let s = &params.s;
    let (np, nr, nc) = (params.platforms(), params.regions(), params.categories());
    let ctx = Ctx { params: &params, population: &population, tables: &tables, clock: &clock };
    // Sellers in storage order, as the tables numbered their listings.
    let mut storage: Vec<_> = sellers.contiguous_iter_mut().expect("sellers are stored in tables").collect();
    let total: usize = storage.iter().map(|(ent, ..)| ent.len()).sum();
    assert_eq!(total + 1, tables.seller_first.len(), "sellers changed between ranking and settlement");
    let mut pieces = Vec::new();
    let mut row = 0;
    for (ent, sel, lis, fin) in &mut storage {
        let n = ent.len();
        let chunks = ent
            .chunks(par::SELLER_CHUNK)
            .zip(sel.bypass_change_detection().chunks_mut(par::SELLER_CHUNK))
            .zip(lis.bypass_change_detection().chunks_mut(par::SELLER_CHUNK))
            .zip(fin.bypass_change_detection().chunks_mut(par::SELLER_CHUNK));
        for (i, (((entities, sellers), listings), finance)) in chunks.enumerate() {
            pieces.push((row + i * par::SELLER_CHUNK, Rows { entities, sellers, listings, finance }));
        }
        row += n;
    }
    let parts = par::map(pieces.into_iter(), |(row, rows)| ctx.chunk(row, rows));
    let mut sum = Sums::new(np, nr, nc, !clock.in_warmup());
    for part in &parts {
        sum.add(part);
    }
    closing.segment_revenue = sum.segment_revenue;
    closing.segment_profit = sum.segment_profit;
    closing.leaving = std::mem::take(&mut sum.leaving);
    closing.tally = sum.tally.take();
    let Sums {
        gmv,
        units,
        fees,
        ad_cents,
        clicks,
        listings: listing_count,
        table_revenue,
        table_listings,
        duties,
        vat,
        direct_units,
        inspected_units,
        seized_units,
        ..
    } = sum;
    let w_c = &population.consumer_weight;

    let k = f64::from(s.consumers.candidates);
    let inertia = s.platform_strategy.inertia;
    for mut agent in &mut platforms {
        let p = usize::from(agent.idx);
        for (r, st) in agent.regions.iter_mut().enumerate() {
            let pr = p * nr + r;
            let trips: u64 = (0..nc).map(|c| tables.trips[pr * nc + c]).sum();
            st.sponsored_supply = s.platforms[p].ad_load * k * trips as f64 * population.consumer_weight[r];
            st.bid_demand = clicks[pr];
            let growth = if st.gmv_cents > 0 { gmv[pr] as f64 / st.gmv_cents as f64 - 1.0 } else { 0.0 };
            st.growth_avg = inertia * st.growth_avg + (1.0 - inertia) * growth;
            st.gmv_avg = inertia * st.gmv_avg + (1.0 - inertia) * gmv[pr] as f64 / 100.0;
            st.gmv_cents = gmv[pr];
            st.orders = (units[pr] as f64 * w_c[r]).round() as i64;
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
        g.inspected = (inspected_units[r] as f64 * w_c[r]).round() as i64;
        g.seized = (seized_units[r] as f64 * w_c[r]).round() as i64;
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
    fn cents_round_like_f64_round() {
        let mut rng = crate::rng::Counter::new(11);
        for i in 0..200_000 {
            let scale = [1e-3, 1.0, 1e3, 1e9, 1e15][i % 5];
            let usd = (rng.uniform() - 0.5) * scale;
            assert_eq!(cents(usd), (usd * 100.0).round() as i64, "{usd}");
        }
        for usd in [0.005, -0.005, 0.015, 2.5e-3, -1.25, 1e300, -1e300, f64::NAN, 0.0, -0.0] {
            assert_eq!(cents(usd), (usd * 100.0).round() as i64, "{usd}");
        }
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

    #[test]
    fn binomial_draws_have_the_binomial_mean_and_variance_on_both_paths() {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(5);
        for n in [1u32, 5, COUNT_BELOW - 1, COUNT_BELOW, 200] {
            let p = 0.3;
            let draws: Vec<f64> = (0..100_000).map(|_| f64::from(binomial(n, p, &mut rng))).collect();
            let mean = draws.iter().sum::<f64>() / draws.len() as f64;
            let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
            let (m, v) = (f64::from(n) * p, f64::from(n) * p * (1.0 - p));
            assert!((mean - m).abs() < 0.02 * m.max(1.0), "n {n}: mean {mean} vs {m}");
            assert!((var - v).abs() < 0.05 * v.max(1.0), "n {n}: variance {var} vs {v}");
        }
    }
}
