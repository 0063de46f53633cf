//! The published facts of shared/FACTS.md as checks on run outputs (`sim facts DIR...`).
//!
//! Each check reads one number per run from its `summary.json`; the verdict is on the mean
//! across runs (seeds), reported with a 95% interval. Targets and tolerances are the facts'
//! own; nothing here feeds back into the model.

use crate::error::SimError;
use crate::output::{Summary, YearSummary};
use std::path::Path;

/// How a fact's mean is judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// Mean within [lo, hi].
    Within(f64, f64),
    /// Mean at least this.
    AtLeast(f64),
    /// Mean strictly above this.
    Above(f64),
}

impl Target {
    fn holds(self, x: f64) -> bool {
        match self {
            Target::Within(lo, hi) => (lo..=hi).contains(&x),
            Target::AtLeast(lo) => x >= lo,
            Target::Above(lo) => x > lo,
        }
    }

    fn describe(self) -> String {
        match self {
            Target::Within(lo, hi) => format!("[{}, {}]", fmt(lo), fmt(hi)),
            Target::AtLeast(lo) => format!(">= {}", fmt(lo)),
            Target::Above(lo) => format!("> {}", fmt(lo)),
        }
    }
}

fn fmt(x: f64) -> String {
    if x.abs() >= 1e6 {
        format!("{:.3e}", x)
    } else {
        format!("{:.4}", x).trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// One checkable statement: a fact id, what is measured, how, and the target.
pub struct Check {
    pub fact: &'static str,
    pub what: &'static str,
    pub target: Target,
    /// The number a run shows, or None if the run lacks what the check needs.
    pub measure: fn(&Summary) -> Option<f64>,
}

/// The verdict on one check across runs.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub fact: &'static str,
    pub what: &'static str,
    pub target: String,
    pub mean: f64,
    /// 95% interval of the mean (t distribution across runs).
    pub ci: (f64, f64),
    pub runs: usize,
    pub pass: bool,
}

impl Verdict {
    /// `pass`, `FAIL`, or `no data` when no run has what the check reads (e.g. a run that
    /// ends before the year it needs).
    pub fn word(&self) -> &'static str {
        match (self.pass, self.runs) {
            (true, _) => "pass",
            (false, 0) => "no data",
            (false, _) => "FAIL",
        }
    }
}

fn year(s: &Summary, y: i32) -> Option<&YearSummary> {
    s.years.iter().find(|x| x.year == y)
}

fn growth(s: &Summary, y: i32, platforms: &[&str]) -> Option<f64> {
    let (a, b) = (year(s, y - 1)?, year(s, y)?);
    let sum =
        |x: &YearSummary| platforms.iter().map(|p| x.platform_gmv_usd.get(*p).copied().unwrap_or(0.0)).sum::<f64>();
    let (prev, now) = (sum(a) / f64::from(a.weeks), sum(b) / f64::from(b.weeks));
    (prev > 0.0).then(|| now / prev - 1.0)
}

fn cost_ratio(y: &YearSummary, regions: &[&str]) -> Option<f64> {
    let cost: f64 = regions.iter().map(|r| y.cn_cost_usd.get(*r).copied().unwrap_or(0.0)).sum();
    let revenue: f64 = regions.iter().map(|r| y.cn_revenue_usd.get(*r).copied().unwrap_or(0.0)).sum();
    (revenue > 0.0).then(|| cost / revenue)
}

const CN_FOUR: [&str; 4] = ["temu", "shein", "aliexpress", "tiktok_shop"];

/// Every check, by fact id.
pub fn checks() -> Vec<Check> {
    vec![
        Check {
            fact: "F01",
            what: "amazon us mean CPC 2024, USD",
            target: Target::Within(0.79, 0.89),
            measure: |s| year(s, 2024)?.mean_cpc_usd_by_region.get("amazon")?.get("us").copied(),
        },
        Check {
            fact: "F01",
            what: "amazon us mean CPC 2025, USD",
            target: Target::Within(1.04, 1.20),
            measure: |s| year(s, 2025)?.mean_cpc_usd_by_region.get("amazon")?.get("us").copied(),
        },
        Check {
            fact: "F02",
            what: "tiktok_shop us CPM Q4 2024, USD",
            target: Target::Within(9.17 * 0.9, 9.17 * 1.1),
            measure: |s| year(s, 2024)?.social_cpm_q4_usd.get("tiktok_shop")?.get("us").copied(),
        },
        Check {
            fact: "F02",
            what: "tiktok_shop us CPM Q4 2025, USD",
            target: Target::Within(10.48 * 0.9, 10.48 * 1.1),
            measure: |s| year(s, 2025)?.social_cpm_q4_usd.get("tiktok_shop")?.get("us").copied(),
        },
        Check {
            fact: "F03",
            what: "total GMV growth 2025 vs 2024",
            target: Target::Within(0.06, 0.12),
            measure: |s| year(s, 2025)?.gmv_growth,
        },
        Check {
            fact: "F04",
            what: "amazon GMV growth 2025",
            target: Target::Within(0.05, 0.16),
            measure: |s| growth(s, 2025, &["amazon"]),
        },
        Check {
            fact: "F04",
            what: "shopee GMV growth 2025",
            target: Target::Within(0.20, 0.40),
            measure: |s| growth(s, 2025, &["shopee"]),
        },
        Check {
            fact: "F04",
            what: "temu+shein+aliexpress+tiktok_shop GMV growth 2025",
            target: Target::Within(0.15, 0.35),
            measure: |s| growth(s, 2025, &CN_FOUR),
        },
        Check {
            fact: "F04",
            what: "tiktok_shop growth minus fastest other platform's, 2025",
            target: Target::Above(0.0),
            measure: |s| {
                let y = year(s, 2025)?;
                let tiktok = *y.platform_growth.get("tiktok_shop")?;
                let other = y
                    .platform_growth
                    .iter()
                    .filter(|(k, _)| *k != "tiktok_shop")
                    .map(|(_, v)| *v)
                    .fold(f64::NEG_INFINITY, f64::max);
                Some(tiktok - other)
            },
        },
        Check {
            fact: "F05",
            what: "tiktok_shop GMV 2025, USD",
            target: Target::Within(70e9, 130e9),
            measure: |s| year(s, 2025)?.platform_gmv_usd.get("tiktok_shop").copied(),
        },
        Check {
            fact: "F05",
            what: "tiktok_shop rank by GMV 2025",
            target: Target::Within(4.0, 6.0),
            measure: |s| {
                let y = year(s, 2025)?;
                let t = *y.platform_gmv_usd.get("tiktok_shop")?;
                Some(1.0 + y.platform_gmv_usd.values().filter(|v| **v > t).count() as f64)
            },
        },
        Check {
            fact: "F06",
            what: "amazon active sellers end 2025 vs end 2024",
            target: Target::Within(-0.14, -0.04),
            measure: |s| {
                let (a, b) = (
                    *year(s, 2024)?.platform_sellers_end.get("amazon")?,
                    *year(s, 2025)?.platform_sellers_end.get("amazon")?,
                );
                (a > 0).then(|| b as f64 / a as f64 - 1.0)
            },
        },
        Check {
            fact: "F07",
            what: "white-label / brand exit rate 2025",
            target: Target::AtLeast(1.5),
            measure: |s| {
                let y = year(s, 2025)?;
                let (w, b) = (*y.exit_rate_by_kind.get("white_label")?, *y.exit_rate_by_kind.get("brand")?);
                (b > 0.0).then(|| w / b)
            },
        },
        Check {
            fact: "F07",
            what: "brand GMV share end 2026 minus start 2024",
            target: Target::Above(0.0),
            measure: |s| Some(year(s, 2026)?.brand_gmv_share_end - year(s, 2024)?.brand_gmv_share_start),
        },
        Check {
            fact: "F08",
            what: "us cn direct-parcel GMV share 2024 minus 2025",
            target: Target::Above(0.0),
            measure: |s| {
                let share = |y: i32| year(s, y).and_then(|y| y.cn_direct_parcel_share.get("us").copied());
                Some(share(2024)? - share(2025)?)
            },
        },
        Check {
            fact: "F09",
            what: "us tariff on cn apparel, end 2025",
            target: Target::Within(0.15, 0.45),
            measure: |s| year(s, 2025)?.policy.get("us")?.tariff.get("apparel").copied(),
        },
        Check {
            fact: "F09",
            what: "us tariff on cn electronics, end 2025",
            target: Target::Within(0.15, 0.45),
            measure: |s| year(s, 2025)?.policy.get("us")?.tariff.get("electronics").copied(),
        },
        Check {
            fact: "F10",
            what: "eu flat duty per item end 2026, USD (3 EUR)",
            target: Target::Within(3.0, 3.8),
            measure: |s| Some(year(s, 2026)?.policy.get("eu")?.flat_duty_usd),
        },
        Check {
            fact: "F10",
            what: "jp consumption tax on all imports end 2026",
            target: Target::Within(0.10, 0.10),
            measure: |s| {
                let g = year(s, 2026)?.policy.get("jp")?;
                Some(if g.vat_below_de_minimis || g.de_minimis_usd == 0.0 { g.vat } else { 0.0 })
            },
        },
        Check {
            fact: "F11",
            what: "cn cost/revenue into eu+jp, 2026 minus 2025",
            target: Target::Within(0.05, 0.10),
            measure: |s| Some(cost_ratio(year(s, 2026)?, &["eu", "jp"])? - cost_ratio(year(s, 2025)?, &["eu", "jp"])?),
        },
        Check {
            fact: "F12",
            what: "AI adopters' cost factor",
            target: Target::Within(0.78, 0.78),
            measure: |s| Some(s.inputs.ai_cost_factor),
        },
        Check {
            fact: "F12",
            what: "write-off, non-adopters",
            target: Target::Within(0.12, 0.12),
            measure: |s| Some(s.inputs.write_off),
        },
        Check {
            fact: "F12",
            what: "write-off, AI adopters",
            target: Target::Within(0.03, 0.03),
            measure: |s| Some(s.inputs.write_off_ai),
        },
        Check {
            fact: "F13",
            what: "sampled share paying a health premium",
            target: Target::Within(0.72, 0.74),
            measure: |s| Some(s.inputs.health_share),
        },
        Check {
            fact: "F13",
            what: "sampled smallest health premium",
            target: Target::AtLeast(0.10),
            measure: |s| Some(s.inputs.health_premium_min),
        },
        Check {
            fact: "F13",
            what: "sampled largest health premium",
            target: Target::Within(0.0, 0.30),
            measure: |s| Some(s.inputs.health_premium_max),
        },
        Check {
            fact: "F13",
            what: "sampled share preferring sustainable",
            target: Target::Within(0.62, 0.64),
            measure: |s| Some(s.inputs.green_share),
        },
        Check {
            fact: "F14",
            what: "sea inspection rate end 2026",
            target: Target::Within(0.30, 0.30),
            measure: |s| Some(year(s, 2026)?.policy.get("sea")?.inspection_rate),
        },
        Check {
            fact: "F15",
            what: "lowest mobile share of sea, mena, latam",
            target: Target::AtLeast(0.70),
            measure: |s| {
                ["sea", "mena", "latam"]
                    .iter()
                    .map(|r| s.inputs.mobile_share.get(*r).copied())
                    .collect::<Option<Vec<f64>>>()
                    .map(|v| v.into_iter().fold(f64::INFINITY, f64::min))
            },
        },
        Check {
            fact: "F16",
            what: "total GMV growth 2026 vs 2025",
            target: Target::Within(0.05, 0.12),
            measure: |s| year(s, 2026)?.gmv_growth,
        },
    ]
}

/// Mean and 95% interval of the mean (Student t across runs; a single run has no spread).
pub fn mean_ci(xs: &[f64]) -> (f64, (f64, f64)) {
    let s = crate::sweep::stats::sample(xs);
    if s.n < 2 { (s.mean, (s.mean, s.mean)) } else { (s.mean, (s.lo, s.hi)) }
}

/// Judges every check on a set of run summaries.
pub fn judge(runs: &[Summary]) -> Vec<Verdict> {
    checks()
        .into_iter()
        .map(|c| {
            let xs: Vec<f64> = runs.iter().filter_map(|s| (c.measure)(s)).filter(|x| x.is_finite()).collect();
            let complete = !xs.is_empty() && xs.len() == runs.len();
            let (mean, ci) = if xs.is_empty() { (f64::NAN, (f64::NAN, f64::NAN)) } else { mean_ci(&xs) };
            Verdict {
                fact: c.fact,
                what: c.what,
                target: c.target.describe(),
                mean,
                ci,
                runs: xs.len(),
                pass: complete && c.target.holds(mean),
            }
        })
        .collect()
}

/// Reads the summaries of output directories; all must be runs of one scenario.
pub fn load_summaries(dirs: &[impl AsRef<Path>]) -> Result<Vec<Summary>, SimError> {
    let mut out: Vec<Summary> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for dir in dirs {
        let canonical = std::fs::canonicalize(dir.as_ref()).unwrap_or_else(|_| dir.as_ref().to_path_buf());
        if !seen.insert(canonical) {
            return Err(SimError::Usage(format!("{}: given twice; each run counts once", dir.as_ref().display())));
        }
        let s = crate::output::read_summary(dir.as_ref())?;
        if let Some(first) = out.first()
            && first.scenario != s.scenario
        {
            return Err(SimError::Usage(format!(
                "{}: scenario `{}` differs from `{}`: facts compare seeds of one scenario",
                dir.as_ref().join("summary.json").display(),
                s.scenario,
                first.scenario
            )));
        }
        out.push(s);
    }
    Ok(out)
}

/// The verdicts as a plain-text table for the terminal.
pub fn plain(verdicts: &[Verdict]) -> String {
    let mut s =
        format!("{:<5} {:<56} {:>20} {:>12} {:>26}  verdict\n", "fact", "measure", "target", "mean", "95% interval");
    for v in verdicts {
        let ci = format!("[{}, {}]", fmt(v.ci.0), fmt(v.ci.1));
        s += &format!("{:<5} {:<56} {:>20} {:>12} {:>26}  {}\n", v.fact, v.what, v.target, fmt(v.mean), ci, v.word());
    }
    s
}

/// The verdicts as a Markdown table.
pub fn markdown(verdicts: &[Verdict]) -> String {
    let mut s = String::from(
        "| fact | measure | target | mean | 95% interval | runs | verdict |\n|---|---|---|---|---|---|---|\n",
    );
    for v in verdicts {
        s += &format!(
            "| {} | {} | {} | {} | [{}, {}] | {} | {} |\n",
            v.fact,
            v.what,
            v.target,
            fmt(v.mean),
            fmt(v.ci.0),
            fmt(v.ci.1),
            v.runs,
            v.word()
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_of_identical_runs_is_the_value_and_widens_with_spread() {
        let (m, ci) = mean_ci(&[2.0, 2.0, 2.0]);
        assert_eq!((m, ci), (2.0, (2.0, 2.0)));
        let (m, (lo, hi)) = mean_ci(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert!((m - 3.0).abs() < 1e-12);
        // sd = 1.5811, se = 0.7071, t(4) = 2.776.
        assert!((hi - m - 2.776 * 0.5f64.sqrt()).abs() < 1e-6);
        assert!((m - lo - (hi - m)).abs() < 1e-12);
    }

    #[test]
    fn targets_judge_the_mean() {
        assert!(Target::Within(0.05, 0.16).holds(0.106));
        assert!(!Target::Within(0.05, 0.16).holds(0.2));
        assert!(Target::AtLeast(1.5).holds(1.5));
        assert!(!Target::Above(0.0).holds(0.0));
    }

    #[test]
    fn a_fact_no_run_can_measure_says_no_data_not_fail() {
        // A run whose calendar ends in 2024 cannot show 2025's or 2026's facts.
        let only_2024 = Summary {
            scenario: "short".into(),
            seed: 1,
            years: vec![YearSummary { year: 2024, weeks: 52, ..Default::default() }],
            agent_steps: 0,
            inputs: Default::default(),
        };
        let verdicts = judge(&[only_2024]);
        let growth_2025 = verdicts.iter().find(|v| v.fact == "F03" && v.what.contains("2025")).expect("F03 2025");
        assert_eq!((growth_2025.runs, growth_2025.word()), (0, "no data"));
        assert!(plain(&verdicts).contains("no data"));
    }

    #[test]
    fn every_fact_of_facts_md_has_a_check() {
        let ids: std::collections::BTreeSet<&str> = checks().iter().map(|c| c.fact).collect();
        for i in 1..=16 {
            assert!(ids.contains(format!("F{i:02}").as_str()), "F{i:02} has no check");
        }
    }
}
