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

/// The file that marks a directory as the overlay plots of a comparison, naming its two runs.
const MARKER: &str = "compare.json";

/// Compares two output directories: returns the table and writes overlay plots into `out`.
/// `out` must be missing, empty or an earlier comparison of the same two runs, unless `force`:
/// the plots of another comparison, or a run's own, are never replaced silently.
pub fn compare(a: &Path, b: &Path, out: &Path, force: bool) -> Result<(String, Vec<PathBuf>), SimError> {
    let (sa, sb) = (read_summary(a)?, read_summary(b)?);
    let (ra, rb) = (crate::plot::load_run(a)?, crate::plot::load_run(b)?);
    let runs = serde_json::json!({ "a": absolute(a), "b": absolute(b) });
    claim(out, &runs, force)?;
    let plots = crate::plot::write_charts(out, &[&ra, &rb])?;
    let marker = out.join(MARKER);
    crate::output::write_atomic(&marker, |w| serde_json::to_writer_pretty(w, &runs).map_err(std::io::Error::other))?;
    Ok((table(&sa, &sb), plots))
}

fn absolute(p: &Path) -> String {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()).display().to_string()
}

/// Refuses an output directory that holds anything but a comparison of the same runs.
fn claim(out: &Path, runs: &serde_json::Value, force: bool) -> Result<(), SimError> {
    crate::output::directory_or_nothing(out)?;
    let Ok(mut entries) = std::fs::read_dir(out) else { return Ok(()) }; // missing: written fresh
    if force || entries.next().is_none() {
        return Ok(());
    }
    let previous: Option<serde_json::Value> =
        std::fs::read_to_string(out.join(MARKER)).ok().and_then(|t| serde_json::from_str(&t).ok());
    match previous {
        Some(p) if &p == runs => Ok(()),
        Some(p) => Err(SimError::Usage(format!(
            "{}: holds the comparison of {} and {}; use --force to replace it, or --out DIR",
            out.display(),
            p["a"].as_str().unwrap_or("?"),
            p["b"].as_str().unwrap_or("?")
        ))),
        None => Err(SimError::Usage(format!(
            "{}: not empty and not a comparison's plots; use --force to write into it, or --out DIR",
            out.display()
        ))),
    }
}

/// Default directory for a comparison's plots: `outputs/compare-<A>-vs-<B>`, where a run is
/// named by its directory, and by its parent too when both directories have the same name
/// (`outputs/compare-cf1-seed-2026-vs-cf2-seed-2026` for two runs of `--seeds`).
pub fn default_out(a: &Path, b: &Path) -> PathBuf {
    let last = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    let name = |p: &Path, parts: usize| {
        let names: Vec<String> = p.ancestors().take(parts).filter_map(last).collect();
        if names.is_empty() { "run".to_string() } else { names.into_iter().rev().collect::<Vec<_>>().join("-") }
    };
    let parts = if last(a) == last(b) { 2 } else { 1 };
    let (na, nb) = (name(a, parts), name(b, parts));
    Path::new("outputs").join(format!("compare-{na}-vs-{nb}"))
}
