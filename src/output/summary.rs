//! `summary.json`: the headline outcomes per calendar year, computed from the recorded rows.
//!
//! Timing (agent-steps per second) lives in `manifest.json`, so that every other file is
//! byte-identical for the same config and seed.

use crate::run::Results;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The whole summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    pub years: Vec<YearSummary>,
    /// Consumer and seller agent-steps simulated (agents x ticks).
    pub agent_steps: u64,
    /// What the initial agents show back of the input distributions (INPUT facts).
    pub inputs: crate::model::record::SampledInputs,
}

/// One calendar year of outcomes (real units).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct YearSummary {
    pub year: i32,
    pub weeks: u32,
    pub gmv_usd: f64,
    /// GMV growth over the previous year (null for the first year or a partial previous year).
    pub gmv_growth: Option<f64>,
    pub active_sellers_end: i64,
    pub active_brand_end: i64,
    pub active_white_label_end: i64,
    /// Active sellers at the year's last tick by origin and size, keyed `cn_small` and so on.
    pub active_end_by_origin_size: BTreeMap<String, i64>,
    pub entries: i64,
    pub exits: i64,
    pub exits_by_kind: BTreeMap<String, i64>,
    pub exits_by_size: BTreeMap<String, i64>,
    /// Exits of a size class over its mean active count in the year.
    pub exit_rate_by_size: BTreeMap<String, f64>,
    pub exits_by_reason: BTreeMap<String, i64>,
    /// Exits of a kind over its mean active count in the year.
    pub exit_rate_by_kind: BTreeMap<String, f64>,
    pub brand_gmv_share: f64,
    pub brand_gmv_share_start: f64,
    pub brand_gmv_share_end: f64,
    pub platform_gmv_usd: BTreeMap<String, f64>,
    pub platform_growth: BTreeMap<String, f64>,
    pub platform_share: BTreeMap<String, f64>,
    pub platform_share_by_region: BTreeMap<String, BTreeMap<String, f64>>,
    /// Sellers with at least one listing on the platform in the year's last week.
    pub platform_sellers_end: BTreeMap<String, i64>,
    pub mean_cpc_usd: BTreeMap<String, f64>,
    pub mean_cpc_usd_by_region: BTreeMap<String, BTreeMap<String, f64>>,
    /// Share of cn sellers' GMV into a region that shipped as direct parcels.
    pub cn_direct_parcel_share: BTreeMap<String, f64>,
    /// cn sellers' total cost over revenue on sales into a region, and the two sums.
    pub cn_cost_to_revenue: BTreeMap<String, f64>,
    pub cn_cost_usd: BTreeMap<String, f64>,
    pub cn_revenue_usd: BTreeMap<String, f64>,
    /// Mean CPM of social-commerce platforms in the year's fourth quarter, by region.
    pub social_cpm_q4_usd: BTreeMap<String, BTreeMap<String, f64>>,
    /// The regulators' policy in force at the end of the year, by region.
    pub policy: BTreeMap<String, crate::config::Regulator>,
    pub duties_usd: f64,
    pub vat_usd: f64,
    pub seized_parcels: i64,
}

/// Fewest weekly ticks a year needs for its growth to be reported.
const MIN_WEEKS_FOR_GROWTH: u32 = 48;

fn ratio(a: f64, b: f64) -> f64 {
    if b != 0.0 && a.is_finite() && b.is_finite() { a / b } else { 0.0 }
}

/// Computes the summary of a run.
pub fn summarize(r: &Results) -> Summary {
    let mut years: Vec<i32> = r.ticks.iter().map(|t| t.year).collect();
    years.dedup();
    let year_of_tick: BTreeMap<u32, i32> = r.ticks.iter().map(|t| (t.tick, t.year)).collect();
    let mut out: Vec<YearSummary> = Vec::new();
    for &year in &years {
        let ticks: Vec<_> = r.ticks.iter().filter(|t| t.year == year).collect();
        let last = ticks.last().expect("a year has ticks");
        let gmv: f64 = ticks.iter().map(|t| t.gmv_usd).sum();
        let mut y = YearSummary {
            year,
            weeks: ticks.len() as u32,
            gmv_usd: gmv,
            active_sellers_end: last.active_sellers,
            active_brand_end: last.active_brand,
            active_white_label_end: last.active_white_label,
            entries: ticks.iter().map(|t| t.entries).sum(),
            exits: ticks.iter().map(|t| t.exits).sum(),
            brand_gmv_share: ratio(ticks.iter().map(|t| t.brand_gmv_share * t.gmv_usd).sum(), gmv),
            brand_gmv_share_start: ticks[0].brand_gmv_share,
            brand_gmv_share_end: last.brand_gmv_share,
            duties_usd: ticks.iter().map(|t| t.duties_usd).sum(),
            vat_usd: ticks.iter().map(|t| t.vat_usd).sum(),
            seized_parcels: ticks.iter().map(|t| t.seized_parcels).sum(),
            ..Default::default()
        };
        for (reason, n) in [
            ("insolvent", ticks.iter().map(|t| t.exits_insolvent).sum::<i64>()),
            ("sustained_losses", ticks.iter().map(|t| t.exits_sustained_losses).sum()),
            ("regulatory", ticks.iter().map(|t| t.exits_regulatory).sum()),
        ] {
            y.exits_by_reason.insert(reason.into(), n);
        }
        let segs: Vec<_> = r.segments.iter().filter(|s| year_of_tick.get(&s.tick) == Some(&year)).collect();
        for size in ["small", "medium", "large"] {
            let exits: i64 = segs.iter().filter(|s| s.size == size).map(|s| s.exits).sum();
            let active: i64 = segs.iter().filter(|s| s.size == size).map(|s| s.active).sum();
            y.exits_by_size.insert(size.into(), exits);
            y.exit_rate_by_size.insert(size.into(), ratio(exits as f64, ratio(active as f64, ticks.len() as f64)));
        }
        let last_tick = last.tick;
        for s in segs.iter().filter(|s| s.tick == last_tick) {
            *y.active_end_by_origin_size.entry(format!("{}_{}", s.origin, s.size)).or_default() += s.active;
        }
        for kind in ["brand", "white_label"] {
            let exits: i64 = segs.iter().filter(|s| s.kind == kind).map(|s| s.exits).sum();
            let active: i64 = segs.iter().filter(|s| s.kind == kind).map(|s| s.active).sum();
            let mean_active = ratio(active as f64, ticks.len() as f64);
            y.exits_by_kind.insert(kind.into(), exits);
            y.exit_rate_by_kind.insert(kind.into(), ratio(exits as f64, mean_active));
        }
        let plats: Vec<_> = r.platforms.iter().filter(|p| year_of_tick.get(&p.tick) == Some(&year)).collect();
        let mut region_gmv: BTreeMap<String, f64> = BTreeMap::new();
        let mut cpc: BTreeMap<String, BTreeMap<String, (f64, u32)>> = BTreeMap::new();
        let mut pr_gmv: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
        for p in &plats {
            *y.platform_gmv_usd.entry(p.platform.clone()).or_default() += p.gmv_usd;
            *region_gmv.entry(p.region.clone()).or_default() += p.gmv_usd;
            *pr_gmv.entry(p.region.clone()).or_default().entry(p.platform.clone()).or_default() += p.gmv_usd;
            let c = cpc.entry(p.platform.clone()).or_default().entry(p.region.clone()).or_default();
            c.0 += p.cpc_usd;
            c.1 += 1;
        }
        let total: f64 = y.platform_gmv_usd.values().sum();
        y.platform_share = y.platform_gmv_usd.iter().map(|(k, v)| (k.clone(), ratio(*v, total))).collect();
        y.platform_share_by_region = pr_gmv
            .iter()
            .map(|(reg, m)| (reg.clone(), m.iter().map(|(p, v)| (p.clone(), ratio(*v, region_gmv[reg]))).collect()))
            .collect();
        for (platform, regions) in &cpc {
            let by_region: BTreeMap<String, f64> =
                regions.iter().map(|(reg, (sum, n))| (reg.clone(), ratio(*sum, f64::from(*n)))).collect();
            let mean = ratio(by_region.values().sum(), by_region.len() as f64);
            y.mean_cpc_usd.insert(platform.clone(), mean);
            y.mean_cpc_usd_by_region.insert(platform.clone(), by_region);
        }
        if let Some(last_tick) = r.platform_sellers.iter().rfind(|(t, _)| year_of_tick.get(t) == Some(&year)) {
            y.platform_sellers_end = last_tick.1.clone();
        }
        let regs: Vec<_> = r.regions.iter().filter(|x| year_of_tick.get(&x.tick) == Some(&year)).collect();
        let mut direct: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        let mut costs: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for x in regs {
            let d = direct.entry(x.region.clone()).or_default();
            d.0 += x.cn_direct_gmv_usd;
            d.1 += x.cn_gmv_usd;
            let c = costs.entry(x.region.clone()).or_default();
            c.0 += x.cn_cost_usd;
            c.1 += x.cn_revenue_usd;
        }
        y.cn_direct_parcel_share = direct.into_iter().map(|(k, (a, b))| (k, ratio(a, b))).collect();
        y.cn_cost_to_revenue = costs.iter().map(|(k, (a, b))| (k.clone(), ratio(*a, *b))).collect();
        y.cn_cost_usd = costs.iter().map(|(k, (a, _))| (k.clone(), *a)).collect();
        y.cn_revenue_usd = costs.into_iter().map(|(k, (_, b))| (k, b)).collect();
        let mut cpm: BTreeMap<String, BTreeMap<String, (f64, u32)>> = BTreeMap::new();
        for p in plats.iter().filter(|p| p.cpm_usd > 0.0 && p.date.get(5..7).is_some_and(|m| m >= "10")) {
            let c = cpm.entry(p.platform.clone()).or_default().entry(p.region.clone()).or_default();
            c.0 += p.cpm_usd;
            c.1 += 1;
        }
        y.social_cpm_q4_usd = cpm
            .into_iter()
            .map(|(p, m)| (p, m.into_iter().map(|(r, (sum, n))| (r, ratio(sum, f64::from(n)))).collect()))
            .collect();
        if let Some((_, regulators)) = r.policy.iter().rev().find(|(y2, _)| *y2 == year) {
            y.policy = regulators.iter().map(|g| (g.region.clone(), g.clone())).collect();
        }
        if let Some(prev) = out.last() {
            // Years of unequal length (52 or 53 weekly ticks, or a run ending mid-December)
            // compare GMV per week; a year of fewer than 48 weeks has no growth.
            if prev.weeks >= MIN_WEEKS_FOR_GROWTH && y.weeks >= MIN_WEEKS_FOR_GROWTH {
                let per_week = |gmv: f64, weeks: u32| gmv / f64::from(weeks);
                y.gmv_growth = Some(ratio(per_week(y.gmv_usd, y.weeks), per_week(prev.gmv_usd, prev.weeks)) - 1.0);
            }
            y.platform_growth = y
                .platform_gmv_usd
                .iter()
                .filter_map(|(k, v)| {
                    let weeks = f64::from(prev.weeks) / f64::from(y.weeks);
                    prev.platform_gmv_usd.get(k).filter(|p| **p > 0.0).map(|p| (k.clone(), v * weeks / p - 1.0))
                })
                .collect();
        }
        out.push(y);
    }
    let agent_steps = (r.agents.consumers + r.agents.sellers) * r.ticks.len() as u64;
    Summary { scenario: r.scenario.clone(), seed: r.seed, years: out, agent_steps, inputs: r.inputs.clone() }
}
