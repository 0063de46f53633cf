//! Semantic checks of a scenario. Each problem names the field path and what is allowed, e.g.
//! `platforms[2].take_rate = 1.4: must be in [0, 1)`. All problems are reported at once.

use super::schema::*;
use super::{apply_event, parse_date};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One problem with one field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// Path of the field, e.g. `platforms[2].take_rate`.
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Collects problems under a path prefix.
struct Checker {
    errors: Vec<FieldError>,
}

/// Tolerance for shares that must sum to 1.
const SUM_TOLERANCE: f64 = 1e-6;

/// A number as a message shows it: plain (`0.25`, `2000`), or in exponent form when that would
/// take a screenful of digits (`1e308`, `1e-9`) or is a large power of ten (`1e5`).
fn number(v: f64) -> String {
    let power_of_ten = v.abs() >= 1e5 && v.abs().log10().fract() == 0.0;
    if v != 0.0 && v.is_finite() && (power_of_ten || !(1e-4..1e9).contains(&v.abs())) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

impl Checker {
    fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// `lo <= v <= hi` (or `< hi` when `hi_open`).
    fn range(&mut self, field: &str, v: f64, lo: f64, hi: f64, hi_open: bool) {
        let ok = v.is_finite() && v >= lo && if hi_open { v < hi } else { v <= hi };
        if !ok {
            let (v, close) = (number(v), if hi_open { ")" } else { "]" });
            self.push(field, format!("= {v}: must be in [{}, {}{close}", number(lo), number(hi)));
        }
    }

    fn share(&mut self, field: &str, v: f64) {
        self.range(field, v, 0.0, 1.0, false);
    }

    /// `0 < v <= hi`.
    fn positive(&mut self, field: &str, v: f64, hi: f64) {
        if !(v.is_finite() && v > 0.0 && v <= hi) {
            self.push(field, format!("= {}: must be in (0, {}]", number(v), number(hi)));
        }
    }

    /// `0 <= v <= hi`.
    fn non_negative(&mut self, field: &str, v: f64, hi: f64) {
        self.range(field, v, 0.0, hi, false);
    }

    fn count(&mut self, field: &str, v: u32, lo: u32, hi: u32) {
        if v < lo || v > hi {
            self.push(field, format!("= {v}: must be in [{lo}, {hi}]"));
        }
    }

    /// A (low, high) range within [lo, hi] with low <= high.
    fn interval(&mut self, field: &str, (a, b): (f64, f64), lo: f64, hi: f64) {
        self.range(&format!("{field}.0"), a, lo, hi, false);
        self.range(&format!("{field}.1"), b, lo, hi, false);
        if a > b {
            self.push(field, format!("= ({}, {}): low end must not exceed high end", number(a), number(b)));
        }
    }

    fn sums_to_one(&mut self, field: &str, values: impl IntoIterator<Item = f64>) {
        let sum: f64 = values.into_iter().sum();
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            self.push(field, format!("sums to {sum}: shares must sum to 1"));
        }
    }

    fn date(&mut self, field: &str, s: &str) -> Option<chrono::NaiveDate> {
        let d = parse_date(s).filter(|d| (FIRST_DATE..=LAST_DATE).contains(d));
        if d.is_none() {
            self.push(field, format!("= \"{s}\": must be a date YYYY-MM-DD from {FIRST_DATE} to {LAST_DATE}"));
        }
        d
    }

    /// Every key of `map` is a known id, and (if `complete`) every id has a key.
    fn keys<V>(&mut self, field: &str, map: &BTreeMap<String, V>, ids: &[&str], complete: bool) {
        for k in map.keys() {
            if !ids.contains(&k.as_str()) {
                self.push(format!("{field}[\"{k}\"]"), format!("unknown id; known: {}", ids.join(", ")));
            }
        }
        if complete {
            for id in ids.iter().filter(|id| !map.contains_key(**id)) {
                self.push(field, format!("missing an entry for `{id}`"));
            }
        }
    }

    fn known(&mut self, field: &str, id: &str, ids: &[&str]) {
        if !ids.contains(&id) {
            self.push(field, format!("= \"{id}\": unknown id; known: {}", ids.join(", ")));
        }
    }

    fn unique_ids<'a>(&mut self, field: &str, ids: impl IntoIterator<Item = &'a str>) {
        let mut seen = BTreeSet::new();
        for (i, id) in ids.into_iter().enumerate() {
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                self.push(format!("{field}[{i}].id"), format!("= \"{id}\": use letters, digits and _"));
            }
            if !seen.insert(id) {
                self.push(format!("{field}[{i}].id"), format!("= \"{id}\": duplicate id"));
            }
        }
    }
}

/// Checks a scenario, including every dated event applied in date order.
pub fn validate(s: &Scenario) -> Vec<FieldError> {
    let mut c = Checker { errors: Vec::new() };
    check_static(&mut c, s);
    if c.errors.is_empty() {
        check_events(&mut c, s);
    }
    c.errors
}

fn check_static(c: &mut Checker, s: &Scenario) {
    if s.name.is_empty() || !s.name.chars().all(|ch| ch.is_ascii_alphanumeric() || "_.-".contains(ch)) {
        c.push("name", format!("= \"{}\": use letters, digits, _ . -", s.name));
    }
    c.date("calendar.start", &s.calendar.start);
    c.count("calendar.weeks", s.calendar.weeks, 1, 2000);
    c.count("calendar.warmup_weeks", s.calendar.warmup_weeks, 0, 520);
    c.count("scale.seller_agents", s.scale.seller_agents, 10, 50_000_000);
    c.count("scale.consumer_agents", s.scale.consumer_agents, 100, 500_000_000);
    c.range("scale.real_sellers", s.scale.real_sellers, 1.0, MAX_SELLERS, false);

    c.unique_ids("regions", s.regions.iter().map(|r| r.id.as_str()));
    c.unique_ids("categories", s.categories.iter().map(|x| x.id.as_str()));
    c.unique_ids("platforms", s.platforms.iter().map(|p| p.id.as_str()));
    if s.regions.is_empty() || s.regions.len() > 64 {
        c.push("regions", "must list 1 to 64 regions");
    }
    if s.categories.is_empty() || s.categories.len() > 64 {
        c.push("categories", "must list 1 to 64 categories");
    }
    if s.platforms.is_empty() || s.platforms.len() > 64 {
        c.push("platforms", "must list 1 to 64 platforms");
    }
    let regions: Vec<&str> = s.regions.iter().map(|r| r.id.as_str()).collect();
    let cats: Vec<&str> = s.categories.iter().map(|x| x.id.as_str()).collect();
    let plats: Vec<&str> = s.platforms.iter().map(|p| p.id.as_str()).collect();

    for (i, r) in s.regions.iter().enumerate() {
        let f = |n: &str| format!("regions[{i}].{n}");
        c.positive(&f("online_shoppers_m"), r.online_shoppers_m, MAX_SHOPPERS_M);
        c.range(&f("purchase_probability"), r.purchase_probability, 1e-9, 1.0, false);
        c.keys(&f("basket_usd"), &r.basket_usd, &cats, true);
        for (k, v) in &r.basket_usd {
            c.positive(&format!("{}[\"{k}\"]", f("basket_usd")), *v, MAX_UNIT_USD);
        }
        c.keys(&f("category_weights"), &r.category_weights, &cats, true);
        for (k, v) in &r.category_weights {
            c.share(&format!("{}[\"{k}\"]", f("category_weights")), *v);
        }
        c.sums_to_one(&f("category_weights"), r.category_weights.values().copied());
        c.range(&f("demand_growth"), r.demand_growth, -0.5, 1.0, false);
        c.share(&f("mobile_share"), r.mobile_share);
        c.range(&f("delivery_sensitivity"), r.delivery_sensitivity, 0.0, 5.0, false);
        c.share(&f("local_share"), r.local_share);
    }
    for (i, x) in s.categories.iter().enumerate() {
        let f = |n: &str| format!("categories[{i}].{n}");
        c.interval(&f("unit_cost_cn"), x.unit_cost_cn, 0.01, 1e6);
        c.interval(&f("unit_cost_local"), x.unit_cost_local, 0.01, 1e6);
        c.non_negative(&f("parcel_freight_usd"), x.parcel_freight_usd, MAX_UNIT_USD);
        c.non_negative(&f("bulk_freight_usd"), x.bulk_freight_usd, MAX_UNIT_USD);
        c.non_negative(&f("domestic_shipping_usd"), x.domestic_shipping_usd, MAX_UNIT_USD);
        c.share(&f("health_relevance"), x.health_relevance);
        c.share(&f("sustainability_relevance"), x.sustainability_relevance);
    }
    for (i, p) in s.platforms.iter().enumerate() {
        let f = |n: &str| format!("platforms[{i}].{n}");
        c.range(&f("take_rate"), p.take_rate, 0.0, 1.0, true);
        c.non_negative(&f("fulfilment_fee_usd"), p.fulfilment_fee_usd, MAX_UNIT_USD);
        c.share(&f("ad_load"), p.ad_load);
        c.range(&f("brand_tilt"), p.brand_tilt, 0.0, 10.0, false);
        c.range(&f("direct_penalty"), p.direct_penalty, 0.0, 10.0, false);
        c.range(&f("attractiveness_drift"), p.attractiveness_drift, -5.0, 5.0, false);
        c.non_negative(&f("marketing_musd_week"), p.marketing_musd_week, MAX_MUSD);
        let mut seen = BTreeSet::new();
        for (j, pr) in p.regions.iter().enumerate() {
            let g = |n: &str| format!("platforms[{i}].regions[{j}].{n}");
            c.known(&g("region"), &pr.region, &regions);
            if !seen.insert(pr.region.as_str()) {
                c.push(g("region"), format!("= \"{}\": listed twice", pr.region));
            }
            c.range(&g("attractiveness"), pr.attractiveness, -10.0, 10.0, false);
            c.range(&g("parcel_days"), pr.parcel_days, 0.1, 60.0, false);
            c.range(&g("warehouse_days"), pr.warehouse_days, 0.1, 60.0, false);
            c.positive(&g("base_cpc_usd"), pr.base_cpc_usd, MAX_CPC_USD);
        }
    }
    check_sellers(c, &s.sellers);
    check_consumers(c, &s.consumers);

    let a = &s.ad_market;
    c.keys("ad_market.cpc_inflation", &a.cpc_inflation, &plats, true);
    for (k, v) in &a.cpc_inflation {
        c.range(&format!("ad_market.cpc_inflation[\"{k}\"]"), *v, -0.5, 2.0, false);
    }
    c.range("ad_market.elasticity", a.elasticity, 0.0, 3.0, false);
    c.share("ad_market.click_targeting", a.click_targeting);
    c.count("ad_market.reference_week", a.reference_week, 1, 520);
    c.range("ad_market.social_ctr", a.social_ctr, 1e-6, 1.0, false);
    let w = &a.ranking;
    for (n, v) in [
        ("quality", w.quality),
        ("brand", w.brand),
        ("equity", w.equity),
        ("ads", w.ads),
        ("sales", w.sales),
        ("compliance", w.compliance),
        ("direct", w.direct),
        ("reach", w.reach),
    ] {
        c.range(&format!("ad_market.ranking.{n}"), v, 0.0, 20.0, false);
    }

    let ps = &s.platform_strategy;
    c.share("platform_strategy.inertia", ps.inertia);
    c.positive("platform_strategy.temperature", ps.temperature, MAX_SCALE);
    c.range("platform_strategy.growth_weight", ps.growth_weight, 0.0, 10.0, false);
    c.range("platform_strategy.marketing_effect", ps.marketing_effect, 0.0, 5.0, false);
    c.positive("platform_strategy.marketing_reference_musd", ps.marketing_reference_musd, MAX_MUSD);
    c.range("platform_strategy.managed_penalty_step", ps.managed_penalty_step, 0.0, 10.0, false);
    c.range("platform_strategy.managed_penalty_max", ps.managed_penalty_max, 0.0, 10.0, false);
    c.share("platform_strategy.managed_warehouse_subsidy", ps.managed_warehouse_subsidy);

    let mut seen = BTreeSet::new();
    for (i, g) in s.regulators.iter().enumerate() {
        let f = |n: &str| format!("regulators[{i}].{n}");
        c.known(&f("region"), &g.region, &regions);
        if !seen.insert(g.region.as_str()) {
            c.push(f("region"), format!("= \"{}\": a region has one regulator", g.region));
        }
        c.non_negative(&f("de_minimis_usd"), g.de_minimis_usd, MAX_UNIT_USD);
        c.keys(&f("tariff"), &g.tariff, &cats, false);
        for (k, v) in &g.tariff {
            c.range(&format!("{}[\"{k}\"]", f("tariff")), *v, 0.0, 5.0, false);
        }
        c.share(&f("vat"), g.vat);
        c.non_negative(&f("flat_duty_usd"), g.flat_duty_usd, MAX_UNIT_USD);
        c.non_negative(&f("compliance_usd_per_unit"), g.compliance_usd_per_unit, MAX_UNIT_USD);
        c.non_negative(&f("compliance_usd_per_seller_week"), g.compliance_usd_per_seller_week, MAX_SELLER_USD);
        c.share(&f("inspection_rate"), g.inspection_rate);
        c.range(&f("inspection_delay_days"), g.inspection_delay_days, 0.0, 60.0, false);
        c.share(&f("seizure_probability"), g.seizure_probability);
        c.share(&f("enforcement"), g.enforcement);
    }
    for r in &regions {
        if !seen.contains(r) {
            c.push("regulators", format!("missing a regulator for region `{r}`"));
        }
    }
    for (i, k) in s.shocks.iter().enumerate() {
        let f = |n: &str| format!("shocks[{i}].{n}");
        c.share(&f("weekly_probability"), k.weekly_probability);
        c.range(&f("factor"), k.factor, 1e-6, 10.0, false);
        c.count(&f("duration_weeks"), k.duration_weeks, 1, 520);
        if let Some(d) = &k.from {
            c.date(&f("from"), d);
        }
        if let Some(d) = &k.until {
            c.date(&f("until"), d);
        }
    }
}

fn check_sellers(c: &mut Checker, s: &Sellers) {
    let f = |n: &str| format!("sellers.{n}");
    c.share(&f("cn_share"), s.cn_share);
    c.share(&f("brand_share"), s.brand_share);
    c.share(&f("entrant_brand_share"), s.entrant_brand_share);
    let (a, b, d) = s.size_shares;
    for (n, v) in [("size_shares.0", a), ("size_shares.1", b), ("size_shares.2", d)] {
        c.share(&f(n), v);
    }
    c.sums_to_one(&f("size_shares"), [a, b, d]);
    for (n, z) in [("small", &s.small), ("medium", &s.medium), ("large", &s.large)] {
        let g = |m: &str| format!("sellers.{n}.{m}");
        c.non_negative(&g("fixed_cost_usd_week"), z.fixed_cost_usd_week, MAX_SELLER_USD);
        c.non_negative(&g("cash_weeks"), z.cash_weeks, MAX_CASH_WEEKS);
        c.count(&g("max_listings"), z.max_listings, 1, 16);
        c.count(&g("initial_listings"), z.initial_listings, 1, z.max_listings.max(1));
        c.count(&g("loss_streak_limit"), z.loss_streak_limit, 1, 520);
        c.non_negative(&g("reach"), z.reach, MAX_SCALE);
    }
    c.interval(&f("quality_brand"), s.quality_brand, 0.0, 1.0);
    c.interval(&f("quality_white_label"), s.quality_white_label, 0.0, 1.0);
    c.interval(&f("equity_brand"), s.equity_brand, 0.0, 1e6);
    c.interval(&f("markup_brand"), s.markup_brand, 0.0, 5.0);
    c.interval(&f("markup_white_label"), s.markup_white_label, 0.0, 5.0);
    c.interval(&f("ad_intensity"), s.ad_intensity, 0.0, 1.0);
    c.interval(&f("compliance_cn"), s.compliance_cn, 0.0, 1.0);
    c.interval(&f("compliance_local"), s.compliance_local, 0.0, 1.0);
    c.share(&f("certified_health_share"), s.certified_health_share);
    c.share(&f("certified_green_share"), s.certified_green_share);
    c.share(&f("cn_warehouse_share"), s.cn_warehouse_share);
    c.range(&f("pass_through"), s.pass_through, 1e-9, 1.0, false);
    c.share(&f("ai.initial_share"), s.ai.initial_share);
    c.share(&f("ai.saturation"), s.ai.saturation);
    c.date(&f("ai.midpoint"), &s.ai.midpoint);
    c.positive(&f("ai.steepness_per_year"), s.ai.steepness_per_year, MAX_SCALE);
    c.range(&f("ai.cost_factor"), s.ai.cost_factor, 1e-9, 1.0, false);
    let w = &s.warehouse;
    c.non_negative(&f("warehouse.setup_cost_usd"), w.setup_cost_usd, MAX_SELLER_USD);
    c.non_negative(&f("warehouse.storage_usd_per_unit"), w.storage_usd_per_unit, MAX_UNIT_USD);
    c.non_negative(&f("warehouse.stock_weeks"), w.stock_weeks, MAX_WEEKS);
    c.share(&f("warehouse.write_off"), w.write_off);
    c.share(&f("warehouse.write_off_ai"), w.write_off_ai);
    c.positive(&f("warehouse.horizon_weeks"), w.horizon_weeks, MAX_WEEKS);
    c.share(&f("warehouse.delivery_value_share"), w.delivery_value_share);
    c.count(&f("listings.drop_after_weeks"), s.listings.drop_after_weeks, 1, 520);
    c.share(&f("listings.add_probability"), s.listings.add_probability);
    c.non_negative(&f("listings.add_cash_weeks"), s.listings.add_cash_weeks, MAX_CASH_WEEKS);
    c.positive(&f("listings.choice_temperature"), s.listings.choice_temperature, MAX_SCALE);
    c.non_negative(&f("pivot.cash_weeks"), s.pivot.cash_weeks, MAX_CASH_WEEKS);
    c.share(&f("pivot.probability"), s.pivot.probability);
    c.non_negative(&f("pivot.cost_usd"), s.pivot.cost_usd, MAX_SELLER_USD);
    c.share(&f("pivot.quality_gain"), s.pivot.quality_gain);
    c.share(&f("equity.decay"), s.equity.decay);
    c.non_negative(&f("equity.eta_brand"), s.equity.eta_brand, MAX_SCALE);
    c.non_negative(&f("equity.eta_white_label"), s.equity.eta_white_label, MAX_SCALE);
    c.range(&f("entry.rate_per_week"), s.entry.rate_per_week, 0.0, 1.0, false);
    c.range(&f("entry.margin_sensitivity"), s.entry.margin_sensitivity, 0.0, 20.0, false);
    c.range(&f("entry.reference_margin"), s.entry.reference_margin, -1.0, 1.0, false);
    c.range(&f("entry.margin_smoothing"), s.entry.margin_smoothing, 1e-9, 1.0, false);
    c.share(&f("rating.quality_weight"), s.rating.quality_weight);
    c.positive(&f("rating.days_scale"), s.rating.days_scale, 365.0);
    c.range(&f("rating.smoothing"), s.rating.smoothing, 1e-9, 1.0, false);
    c.range(&f("profit_smoothing"), s.profit_smoothing, 1e-9, 1.0, false);
}

fn check_consumers(c: &mut Checker, s: &Consumers) {
    let f = |n: &str| format!("consumers.{n}");
    c.positive(&f("price_sensitivity_median"), s.price_sensitivity_median, MAX_SCALE);
    c.range(&f("price_sensitivity_sigma"), s.price_sensitivity_sigma, 0.0, 3.0, false);
    c.range(&f("brand_affinity"), s.brand_affinity, 0.0, 10.0, false);
    c.share(&f("health_share"), s.health_share);
    c.interval(&f("health_premium"), s.health_premium, 0.0, 1.0);
    c.share(&f("green_share"), s.green_share);
    c.interval(&f("green_premium"), s.green_premium, 0.0, 1.0);
    c.range(&f("propensity_sigma"), s.propensity_sigma, 0.0, 2.0, false);
    c.interval(&f("loyalty"), s.loyalty, 0.0, 10.0);
    c.share(&f("social_share_of_mobile"), s.social_share_of_mobile);
    c.range(&f("social_boost"), s.social_boost, 0.0, 10.0, false);
    c.range(&f("platform_price_weight"), s.platform_price_weight, 0.0, 20.0, false);
    c.range(&f("platform_delivery_weight"), s.platform_delivery_weight, 0.0, 5.0, false);
    c.count(&f("candidates"), s.candidates, 1, 64);
    c.range(&f("outside_utility"), s.outside_utility, -10.0, 10.0, false);
    c.range(&f("q4_peak"), s.q4_peak, 0.0, 3.0, false);
    c.count(&f("peak_week"), s.peak_week, 1, 52);
    c.positive(&f("peak_width_weeks"), s.peak_width_weeks, 52.0);
}

// Upper bounds of the quantities that have no natural one: far beyond any real market, and
// close enough that the model's sums stay finite and inside `i64` cents (a week's money is
// weighted by the real sellers and consumers an agent stands for).

/// Real sellers the seller agents stand for (`scale.real_sellers`, from 1).
const MAX_SELLERS: f64 = 1e8;
/// A region's online shoppers, millions.
const MAX_SHOPPERS_M: f64 = 1e4;
/// Money per unit or per order: baskets, freight, fees, duties, the de minimis threshold, USD.
const MAX_UNIT_USD: f64 = 1e5;
/// A seller's weekly or one-off costs: fixed cost, compliance, warehouse set-up, pivot, USD.
const MAX_SELLER_USD: f64 = 1e7;
/// A platform's weekly marketing budget, million USD.
const MAX_MUSD: f64 = 1e4;
/// Cost per click, USD.
const MAX_CPC_USD: f64 = 1e3;
/// Durations in weeks.
const MAX_WEEKS: f64 = 520.0;
/// Cash buffers in weeks of fixed cost: up to "never runs out" (tests stop exits with it).
const MAX_CASH_WEEKS: f64 = 1e6;
/// Dimensionless scales, temperatures, rates and gains.
const MAX_SCALE: f64 = 1e3;

/// Dates a scenario may use: wide enough for any study, narrow enough that a calendar of the
/// longest allowed length, with its warm-up, stays inside the dates the program can count.
const FIRST_DATE: chrono::NaiveDate = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
const LAST_DATE: chrono::NaiveDate = chrono::NaiveDate::from_ymd_opt(2999, 12, 31).expect("a date");

/// Parts of a scenario fixed when the run starts: an event that changed them would have no
/// effect (or, for `events`, would skip this validation).
const FIXED_AT_START: [&str; 7] = ["name", "description", "seed", "calendar", "scale", "events", "output"];

/// What an event changes that it must not: the parts fixed at the start, and the number of
/// shocks (a running shock is known by its index).
fn fixed_changes(live: &Scenario, next: &Scenario) -> Vec<String> {
    let (a, b) = (super::to_value(live), super::to_value(next));
    let mut changed: Vec<String> =
        FIXED_AT_START.iter().filter(|k| a[**k] != b[**k]).map(|k| format!("`{k}`")).collect();
    if live.shocks.len() != next.shocks.len() {
        changed.push("the number of `shocks`".into());
    }
    changed
}

/// Events: dated inside the calendar, and each change leaves a valid scenario.
fn check_events(c: &mut Checker, s: &Scenario) {
    let start = parse_date(&s.calendar.start).expect("checked before");
    let end = start + chrono::Duration::weeks(i64::from(s.calendar.weeks));
    let mut order: Vec<(chrono::NaiveDate, usize)> = Vec::new();
    let mut ids = BTreeSet::new();
    for (i, e) in s.events.iter().enumerate() {
        if !e.id.is_empty() && !ids.insert(e.id.as_str()) {
            c.push(format!("events[{i}].id"), format!("= \"{}\": duplicate event id", e.id));
        }
        if !e.enabled {
            continue;
        }
        let Some(d) = c.date(&format!("events[{i}].date"), &e.date) else { continue };
        if d < start || d >= end {
            c.push(format!("events[{i}].date"), format!("= \"{}\": outside the calendar [{start}, {end})", e.date));
            continue;
        }
        if e.set.is_empty() {
            c.push(format!("events[{i}].set"), "changes nothing: give at least one field");
        }
        order.push((d, i));
    }
    order.sort();
    let mut live = s.clone();
    for (_, i) in order {
        let e = &s.events[i];
        match apply_event(&live, e) {
            Err(err) => c.push(format!("events[{i}] ({}).{}", e.label, err.field), err.message),
            Ok(next) => {
                if id_lists(&next) != id_lists(&live) {
                    c.push(
                        format!("events[{i}] ({})", e.label),
                        "must not add, remove or rename regions, categories or platforms",
                    );
                }
                for what in fixed_changes(&live, &next) {
                    c.push(
                        format!("events[{i}] ({})", e.label),
                        format!(
                            "changes {what}, which is fixed when the run starts; events change policy, \
                             platforms, sellers and consumers"
                        ),
                    );
                }
                let mut inner = Checker { errors: Vec::new() };
                check_static(&mut inner, &next);
                for err in inner.errors {
                    c.push(format!("events[{i}] ({}) -> {}", e.label, err.field), err.message);
                }
                live = next;
            }
        }
    }
}

/// The id lists an event must leave alone.
fn id_lists(s: &Scenario) -> [Vec<&str>; 3] {
    [
        s.regions.iter().map(|r| r.id.as_str()).collect(),
        s.categories.iter().map(|c| c.id.as_str()).collect(),
        s.platforms.iter().map(|p| p.id.as_str()).collect(),
    ]
}
