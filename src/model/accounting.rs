//! MODEL step 8, "Accounting": weekly profit per seller, cash, profit average, loss streak,
//! brand equity and rating. Each seller's books are its own: [`book_week`] runs in the
//! settlement pass, right after the seller's sales are settled (`settlement::settle`).
//!
//! ```text
//! profit = sum over listings of units x (price x (1 - take) - landed) - ad spend - fixed cost
//!          - compliance cost per seller - seizure losses
//! ```
//! Warehouse storage and write-off are in landed cost; a region's per-seller compliance cost is
//! booked on the seller's listings there. Amounts are USD per real seller.

use super::agents::{Finance, Kind, Listings, Origin, Seller};
use super::choice::ln_1p;
use super::params::Params;
use super::setup::Population;
use crate::config::{Equity, RatingRule};

/// Exponential moving average with weight `w` on the newest value.
pub fn ema(avg: f64, value: f64, w: f64) -> f64 {
    avg + w * (value - avg)
}

/// Brand equity after a week: `b <- (1 - delta) b + eta ln(1 + units)`.
pub fn next_equity(equity: f64, units: f64, kind: Kind, e: &Equity) -> f64 {
    let eta = if kind == Kind::Brand { e.eta_brand } else { e.eta_white_label };
    (1.0 - e.decay) * equity + eta * ln_1p(units.max(0.0))
}

/// The rating a seller's quality and delivery days earn this week, in [1, 5].
pub fn rating_target(quality: f64, days: f64, rule: &RatingRule) -> f64 {
    1.0 + 4.0 * (rule.quality_weight * quality + (1.0 - rule.quality_weight) * (-days / rule.days_scale).exp())
}

/// Books seller `s`'s week from its settled listings.
pub fn book_week(params: &Params, population: &Population, s: &mut Seller, listings: &mut Listings, f: &mut Finance) {
    let cfg = &params.s.sellers;
    let w_s = population.seller_weight;
    let smoothing = cfg.profit_smoothing;
    let (mut revenue, mut cost, mut ad, mut units_total, mut days_weighted) = (0.0, 0.0, 0.0, 0.0, 0.0);
    // A cross-border seller pays each region's compliance cost once a week, shared by its
    // listings there.
    let mut per_region = [0u8; 64];
    if s.origin == Origin::Cn {
        for l in &listings.0 {
            per_region[usize::from(l.region)] += 1;
        }
    }
    for l in &mut listings.0 {
        let (p, r) = (usize::from(l.platform), usize::from(l.region));
        let per_seller = population.consumer_weight[r] / w_s;
        let units = f64::from(l.units) * per_seller;
        let seized = f64::from(l.seized) * per_seller;
        let take = params.s.platforms[p].take_rate;
        let rev = units * l.price;
        // Seized goods are refunded: the seller loses what it paid to land them, less the duty.
        let compliance = if per_region[r] > 0 {
            params.regulator(r).compliance_usd_per_seller_week / f64::from(per_region[r])
        } else {
            0.0
        };
        let costs = rev * take + units * l.landed + l.ad_spend + seized * (l.landed - l.duty) + compliance;
        let profit = rev - costs;
        l.week_revenue = rev;
        l.week_cost = costs;
        l.revenue_avg = ema(l.revenue_avg, rev, smoothing);
        l.profit_avg = ema(l.profit_avg, profit, smoothing);
        l.neg_weeks = if l.profit_avg < 0.0 { l.neg_weeks + 1 } else { 0 };
        revenue += rev;
        cost += costs;
        ad += l.ad_spend;
        units_total += units;
        days_weighted += units * l.days;
    }
    cost += f.fixed_cost;
    let profit = revenue - cost;
    f.cash += profit;
    f.profit_avg = ema(f.profit_avg, profit, smoothing);
    f.loss_streak = if f.profit_avg < 0.0 { f.loss_streak + 1 } else { 0 };
    f.age_weeks += 1;
    f.week.revenue += revenue;
    f.week.cost += cost;
    f.week.profit += profit;
    f.week.ad_spend += ad;
    f.year.revenue += revenue;
    f.year.cost += f.week.cost;
    f.year.profit += profit;
    f.year.ad_spend += ad;
    f.weeks_active_this_year += 1;
    s.equity = next_equity(s.equity, units_total, s.kind, &cfg.equity);
    if units_total > 0.0 {
        let target = rating_target(s.quality, days_weighted / units_total, &cfg.rating);
        s.rating = ema(s.rating, target, cfg.rating.smoothing);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equity_decays_and_grows_with_sales() {
        let e = Equity { decay: 0.1, eta_brand: 0.5, eta_white_label: 0.01 };
        assert!((next_equity(2.0, 0.0, Kind::Brand, &e) - 1.8).abs() < 1e-12);
        let brand = next_equity(2.0, 100.0, Kind::Brand, &e);
        let white = next_equity(2.0, 100.0, Kind::WhiteLabel, &e);
        assert!((brand - (1.8 + 0.5 * 101f64.ln())).abs() < 1e-12);
        assert!(white < brand);
    }

    #[test]
    fn rating_rewards_quality_and_speed() {
        let rule = RatingRule { quality_weight: 0.7, days_scale: 10.0, smoothing: 0.1 };
        assert!((rating_target(1.0, 0.0, &rule) - 5.0).abs() < 1e-12);
        assert!(rating_target(0.5, 2.0, &rule) > rating_target(0.5, 12.0, &rule));
        assert!((ema(1.0, 3.0, 0.25) - 1.5).abs() < 1e-12);
    }
}
