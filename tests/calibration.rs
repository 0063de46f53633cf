//! The calibrated scenario reproduces shared/FACTS.md, and each counterfactual moves outcomes in
//! the direction economics predicts. Runs at a tenth of the default scale (configs/2026-small.ron)
//! over several seeds, through the same code as `sim facts` and `sim run`.

use crossborder_sim::config::{self, Scenario};
use crossborder_sim::facts;
use crossborder_sim::output::{Summary, YearSummary, summarize};
use crossborder_sim::run::simulate;
use std::path::Path;

const SEEDS: [u64; 5] = [11, 12, 13, 14, 15];

fn load(path: &str) -> Scenario {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    config::load(&root.join(path)).unwrap_or_else(|e| panic!("{e}"))
}

/// The small scenario with the overrides of a counterfactual file applied on top.
fn small(counterfactual: Option<&str>) -> Scenario {
    let mut s = match counterfactual {
        Some(path) => load(path),
        None => load("configs/2026.ron"),
    };
    let small = load("configs/2026-small.ron");
    s.scale = small.scale;
    s.output.plots = false;
    s
}

fn summaries(s: &Scenario, seeds: &[u64]) -> Vec<Summary> {
    seeds.iter().map(|seed| summarize(&simulate(s, *seed, &mut |_, _| {}))).collect()
}

fn mean(runs: &[Summary], f: impl Fn(&Summary) -> f64) -> f64 {
    runs.iter().map(f).sum::<f64>() / runs.len() as f64
}

fn year(s: &Summary, y: i32) -> &YearSummary {
    s.years.iter().find(|x| x.year == y).expect("year in run")
}

#[test]
fn calibrated_scenario_reproduces_every_fact_at_reduced_scale() {
    let runs = summaries(&small(None), &SEEDS);
    let verdicts = facts::judge(&runs);
    let failed: Vec<String> = verdicts
        .iter()
        .filter(|v| !v.pass)
        .map(|v| format!("{} {}: mean {} not in {}", v.fact, v.what, v.mean, v.target))
        .collect();
    assert!(failed.is_empty(), "facts failed:\n{}\n\n{}", failed.join("\n"), facts::plain(&verdicts));
}

/// Base and counterfactual outcomes, each the mean over the same seeds.
fn contrast(counterfactual: &str, measure: impl Fn(&Summary) -> f64 + Copy) -> (f64, f64) {
    let (base, cf) = runs(counterfactual);
    (mean(&base, measure), mean(&cf, measure))
}

/// The base scenario's and the counterfactual's summaries over the same seeds.
fn runs(counterfactual: &str) -> (Vec<Summary>, Vec<Summary>) {
    const SEEDS: [u64; 3] = [21, 22, 23];
    (summaries(&small(None), &SEEDS), summaries(&small(Some(counterfactual)), &SEEDS))
}

#[test]
fn keeping_us_de_minimis_keeps_more_direct_parcels_in_the_us() {
    let (base, cf) =
        contrast("configs/counterfactuals/no_us_de_minimis_change.ron", |s| year(s, 2026).cn_direct_parcel_share["us"]);
    assert!(cf > base, "us direct-parcel share 2026: base {base}, counterfactual {cf}");
}

#[test]
fn eu_and_japan_keeping_exemptions_spares_cross_border_sellers_costs() {
    let ratio = |s: &Summary| {
        let y = year(s, 2026);
        let cost: f64 = ["eu", "jp"].iter().map(|r| y.cn_cost_usd[*r]).sum();
        let revenue: f64 = ["eu", "jp"].iter().map(|r| y.cn_revenue_usd[*r]).sum();
        cost / revenue
    };
    let (base, cf) = contrast("configs/counterfactuals/eu_jp_keep_exemptions.ron", ratio);
    assert!(cf < base, "cn cost/revenue eu+jp 2026: base {base}, counterfactual {cf}");
}

#[test]
fn without_ad_inflation_clicks_cost_less() {
    let (base, cf) =
        contrast(
            "configs/counterfactuals/no_ad_inflation.ron",
            |s| year(s, 2025).mean_cpc_usd_by_region["amazon"]["us"],
        );
    assert!(cf < base, "amazon us CPC 2025: base {base}, counterfactual {cf}");
}

#[test]
fn without_brand_tilt_brands_take_less_of_gmv() {
    let (base, cf) = contrast("configs/counterfactuals/no_brand_tilt.ron", |s| year(s, 2026).brand_gmv_share_end);
    assert!(cf < base, "brand GMV share end 2026: base {base}, counterfactual {cf}");
}

#[test]
fn doubled_compliance_costs_push_out_small_cross_border_sellers() {
    // Costs double in January 2024 (a dated event, after the warm-up) and again with the 2026
    // regimes. They fall on cross-border (cn) sellers, as a cost per seller and region that does
    // not shrink with the seller, so fewer small cn sellers are left at the end of 2026. (Their
    // exit *rate* barely moves: fewer enter, and those in business drop the costly regions
    // before they go under; docs/CALIBRATION.md.)
    let (base, cf) = runs("configs/counterfactuals/compliance_doubled.ron");
    let active =
        |runs: &[Summary], segment: &str| mean(runs, |s| year(s, 2026).active_end_by_origin_size[segment] as f64);
    let (b, c) = (active(&base, "cn_small"), active(&cf, "cn_small"));
    assert!(c < b, "small cn sellers active at the end of 2026: base {b}, counterfactual {c}");
    let (b, c) = (active(&base, "local_small"), active(&cf, "local_small"));
    assert!(c > b, "small local sellers active at the end of 2026: base {b}, counterfactual {c}");
}

#[test]
fn a_2026_freight_shock_moves_cross_border_sellers_into_local_warehouses() {
    // Parcel freight per unit is several times bulk freight, so a shock to both widens the
    // warehouse's cost advantage and fewer parcels ship direct.
    let (base, cf) = contrast("configs/counterfactuals/freight_shock_2026.ron", |s| {
        let y = year(s, 2026);
        y.cn_direct_parcel_share.values().sum::<f64>() / y.cn_direct_parcel_share.len() as f64
    });
    assert!(cf < base, "cn direct-parcel share 2026 (mean of regions): base {base}, counterfactual {cf}");
}
