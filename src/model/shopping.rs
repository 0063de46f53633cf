//! MODEL step 6, "Consumers shop": the hot loop, parallel over consumers.
//!
//! A consumer shops this week with probability `propensity x purchase probability x growth x
//! seasonality`, picks a category by its region's weights, a platform by logit over
//! `U_k = attractiveness + loyalty*[k = last] - b_p*price_index - b_d*days + social_boost*[...]`,
//! draws K listings from that platform's table and picks one by logit with an outside option:
//! `V_j = -alpha*ln(price_j) - beta_d*days_j + beta_b*ln(1+equity_j) + alpha*ln(1+premium)*[...]`.
//! A purchase increments the listing's atomic counter: integer adds commute, so the result does
//! not depend on thread count or order. Nothing is allocated per consumer.

use super::agents::Consumer;
use super::calendar::Clock;
use super::params::Params;
use super::ranking::Tables;
use crate::rng::{self, Stream};
use bevy_ecs::prelude::*;
use rand::RngExt;
use std::sync::atomic::Ordering;

/// Most platforms a shopper weighs, and most listings drawn per trip (validated bounds).
const MAX_OPTIONS: usize = 64;

/// Seasonal multiplier on purchase probability: a Gaussian bump of height `peak` around
/// `peak_week` (circular over 52 weeks).
pub fn seasonality(week_of_year: u32, peak_week: u32, width_weeks: f64, peak: f64) -> f64 {
    let d = (f64::from(week_of_year) - f64::from(peak_week)).abs();
    let d = d.min(52.0 - d);
    1.0 + peak * (-0.5 * (d / width_weeks).powi(2)).exp()
}

/// Weekly shopping probability of an average consumer of a region.
pub fn region_shop_probability(base: f64, yearly_growth: f64, years: f64, season: f64) -> f64 {
    base * (1.0 + yearly_growth).powf(years) * season
}

/// Index chosen from weights by one uniform draw (linear scan; `weights` is short).
#[inline]
fn pick(weights: &[f64], u: f64) -> usize {
    let total: f64 = weights.iter().sum();
    let mut target = u * total;
    for (i, w) in weights.iter().enumerate() {
        if target < *w {
            return i;
        }
        target -= w;
    }
    weights.len() - 1
}

/// Runs every consumer's shopping decision for the week.
pub fn shop(clock: Res<Clock>, params: Res<Params>, tables: Res<Tables>, mut consumers: Query<&mut Consumer>) {
    let s = &params.s;
    let cons = &s.consumers;
    let season = seasonality(clock.week_of_year(), cons.peak_week, cons.peak_width_weeks, cons.q4_peak);
    let region_p: Vec<f64> = s
        .regions
        .iter()
        .map(|r| region_shop_probability(r.purchase_probability, r.demand_growth, clock.years, season))
        .collect();
    let category_weights: Vec<&[f64]> = (0..params.regions()).map(|r| params.category_weights(r)).collect();
    let nc = params.categories();
    let k = (cons.candidates as usize).min(MAX_OPTIONS);
    let social_mult = cons.social_boost.exp();
    let outside = cons.outside_utility;
    let (seed, tick) = (clock.seed, clock.tick);
    let tables = &*tables;

    consumers.par_iter_mut().for_each(|mut c| {
        let mut rng = rng::agent(seed, Stream::Shopping, c.id, tick);
        let r = usize::from(c.region);
        if rng.random::<f64>() >= region_p[r] * f64::from(c.propensity) {
            return;
        }
        let cat = pick(category_weights[r], rng.random());
        let options = &tables.platform_choice[r * nc + cat];
        if options.is_empty() {
            return;
        }
        let mut weights = [0.0f64; MAX_OPTIONS];
        for (w, o) in weights.iter_mut().zip(options) {
            let mut x = f64::from(o.weight);
            if o.platform == c.last_platform {
                x *= f64::from(c.loyalty_mult);
            }
            if c.social && o.social {
                x *= social_mult;
            }
            *w = x;
        }
        let chosen = &options[pick(&weights[..options.len()], rng.random())];
        let table = &tables.tables[chosen.table as usize];
        tables.trips[chosen.table as usize].fetch_add(1, Ordering::Relaxed);

        // Utilities relative to the outside option, whose weight is 1.
        let alpha = f64::from(c.alpha);
        let v0 = outside - alpha * f64::from(tables.ln_basket[r * nc + cat]);
        let mut drawn = [0u32; MAX_OPTIONS];
        let mut total = 1.0;
        for (slot, w) in drawn.iter_mut().zip(weights.iter_mut()).take(k) {
            let column = rng.random::<f64>();
            let i = ((column * table.len() as f64) as usize).min(table.len() - 1);
            let e = if rng.random::<f32>() < table[i].prob { &table[i] } else { &table[table[i].alias as usize] };
            let v = f64::from(e.base)
                + alpha
                    * (f64::from(c.health) * f64::from(e.health) + f64::from(c.green) * f64::from(e.green)
                        - f64::from(e.ln_price));
            *w = (v - v0).exp();
            *slot = e.listing;
            total += *w;
        }
        let mut target = rng.random::<f64>() * total - 1.0;
        if target < 0.0 {
            return; // the outside option: buy nothing
        }
        for (slot, w) in drawn.iter().zip(weights.iter()).take(k) {
            if target < *w {
                tables.sold[*slot as usize].fetch_add(1, Ordering::Relaxed);
                c.last_platform = chosen.platform;
                return;
            }
            target -= w;
        }
        // Rounding left a sliver past the last weight: it belongs to the last draw.
        tables.sold[drawn[k - 1] as usize].fetch_add(1, Ordering::Relaxed);
        c.last_platform = chosen.platform;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seasonality_peaks_at_the_peak_week_and_wraps() {
        assert!((seasonality(48, 48, 2.5, 0.35) - 1.35).abs() < 1e-12);
        assert!(seasonality(20, 48, 2.5, 0.35) < 1.001);
        // Week 1 is 3 weeks from week 50 across the new year.
        assert!((seasonality(1, 50, 2.5, 0.35) - seasonality(47, 50, 2.5, 0.35)).abs() < 1e-12);
    }

    #[test]
    fn demand_grows_at_the_yearly_rate() {
        let a = region_shop_probability(0.4, 0.1, 0.0, 1.0);
        let b = region_shop_probability(0.4, 0.1, 1.0, 1.0);
        assert!((b / a - 1.1).abs() < 1e-12);
    }

    #[test]
    fn pick_follows_weights() {
        assert_eq!(pick(&[1.0, 1.0], 0.49), 0);
        assert_eq!(pick(&[1.0, 1.0], 0.51), 1);
        assert_eq!(pick(&[0.0, 2.0], 0.0), 1);
    }
}
