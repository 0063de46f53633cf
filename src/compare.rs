//! `sim compare DIR_A DIR_B`: headline outcomes of two runs side by side, and overlay plots.

use crate::error::SimError;
use crate::output::{Summary, YearSummary, read_summary};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// A headline outcome of a year.
struct Headline {
    name: &'static str,
    value: fn(&YearSummary) -> Option<f64>,
    /// Shown in percent.
    percent: bool,
}

fn headlines() -> Vec<Headline> {
    vec![
        Headline { name: "GMV, bn USD", value: |y| Some(y.gmv_usd / 1e9), percent: false },
        Headline { name: "GMV growth", value: |y| y.gmv_growth, percent: true },
        Headline { name: "active sellers (end)", value: |y| Some(y.active_sellers_end as f64), percent: false },
        Headline { name: "exits, brand", value: |y| y.exits_by_kind.get("brand").map(|x| *x as f64), percent: false },
        Headline {
            name: "exits, white label",
            value: |y| y.exits_by_kind.get("white_label").map(|x| *x as f64),
            percent: false,
        },
        Headline {
            name: "exits, insolvent",
            value: |y| y.exits_by_reason.get("insolvent").map(|x| *x as f64),
            percent: false,
        },
        Headline {
            name: "exits, sustained losses",
            value: |y| y.exits_by_reason.get("sustained_losses").map(|x| *x as f64),
            percent: false,
        },
        Headline {
            name: "exits, regulatory",
            value: |y| y.exits_by_reason.get("regulatory").map(|x| *x as f64),
            percent: false,
        },
        Headline { name: "brand GMV share", value: |y| Some(y.brand_gmv_share), percent: true },
        Headline {
            name: "us cn direct-parcel share",
            value: |y| y.cn_direct_parcel_share.get("us").copied(),
            percent: true,
        },
        Headline {
            name: "amazon us CPC, USD",
            value: |y| y.mean_cpc_usd_by_region.get("amazon").and_then(|m| m.get("us")).copied(),
            percent: false,
        },
        Headline { name: "amazon GMV share", value: |y| y.platform_share.get("amazon").copied(), percent: true },
        Headline { name: "temu GMV share", value: |y| y.platform_share.get("temu").copied(), percent: true },
        Headline {
            name: "tiktok_shop GMV share",
            value: |y| y.platform_share.get("tiktok_shop").copied(),
            percent: true,
        },
    ]
}

/// The comparison table of two summaries, per year: A, B and B - A.
pub fn table(a: &Summary, b: &Summary) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "A = {} (seed {}), B = {} (seed {})", a.scenario, a.seed, b.scenario, b.seed);
    for ya in &a.years {
        let Some(yb) = b.years.iter().find(|y| y.year == ya.year) else { continue };
        let _ = writeln!(s, "\n{:<28} {:>14} {:>14} {:>14}", ya.year, "A", "B", "B - A");
        for h in headlines() {
            let (Some(x), Some(y)) = ((h.value)(ya), (h.value)(yb)) else { continue };
            let cell = |v: f64| if h.percent { format!("{:.2}%", v * 100.0) } else { format!("{v:.3}") };
            let diff = if h.percent { format!("{:+.2} pp", (y - x) * 100.0) } else { format!("{:+.3}", y - x) };
            let _ = writeln!(s, "{:<28} {:>14} {:>14} {:>14}", h.name, cell(x), cell(y), diff);
        }
    }
    s
}

/// Compares two output directories: returns the table and writes overlay plots into `out`.
pub fn compare(a: &Path, b: &Path, out: &Path) -> Result<(String, Vec<PathBuf>), SimError> {
    let (sa, sb) = (read_summary(a)?, read_summary(b)?);
    let (ra, rb) = (crate::plot::load_run(a)?, crate::plot::load_run(b)?);
    let plots = crate::plot::write_charts(out, &[&ra, &rb])?;
    Ok((table(&sa, &sb), plots))
}

/// Default directory for a comparison's plots: `outputs/compare-<A>-vs-<B>`.
pub fn default_out(a: &Path, b: &Path) -> PathBuf {
    let name = |p: &Path| p.file_name().map_or_else(|| "run".into(), |n| n.to_string_lossy().into_owned());
    Path::new("outputs").join(format!("compare-{}-vs-{}", name(a), name(b)))
}
