//! Report-ready charts (PNG and SVG) drawn from a simulation output directory.
//!
//! [`plot_dir`] reads the CSV files of one run and writes
//! `DIR/plots/<chart>.png` and `.svg` for every [`Chart`]. The pieces are
//! reusable for comparing scenarios: [`load_run`] each directory, then
//! [`write_charts`] (or a `draw_*` function) with several runs, which are
//! overlaid (run 0 solid, run 1 dashed, run 2 dotted; the platform-share
//! chart gets one column per run).
//!
//! Text is rendered with the embedded DejaVu Sans font (no system font
//! library needed); it is registered as `"sans-serif"` on first use.

mod charts;
pub(crate) mod common;
mod data;
mod events;
mod platform;
#[cfg(test)]
mod tests;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use charts::{draw_brand_vs_white_label, draw_seller_exits};
pub use data::{EventMark, ExitRow, PlatformRow, RunData, SegmentRow, TickRow, load_run};
pub use platform::{draw_ad_costs, draw_platform_share};

/// Errors from loading run data or drawing charts.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// A required input file does not exist.
    #[error("required file {} is missing", .path.display())]
    Missing {
        /// The missing file.
        path: PathBuf,
    },
    /// Reading or writing a file failed.
    #[error("I/O error on {}: {source}", .path.display())]
    Io {
        /// The file being read or written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A CSV file has a bad header or record.
    #[error("{}{}: {message}", .path.display(), location(*.line, .column.as_deref()))]
    Csv {
        /// The CSV file.
        path: PathBuf,
        /// 1-based line number of the bad record (1 = header; 0 if unknown).
        line: u64,
        /// Column name of the bad field, when known.
        column: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// `manifest.json` is not valid JSON or lacks a string `"scenario"`.
    #[error("{}: invalid manifest: {message}", .path.display())]
    Json {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Drawing a chart failed.
    #[error("drawing chart `{chart}` failed: {message}")]
    Draw {
        /// Chart name, e.g. `seller_exits`.
        chart: String,
        /// Backend or layout error message.
        message: String,
    },
    /// The embedded font could not be registered.
    #[error("the embedded DejaVu Sans font could not be loaded")]
    Font,
}

fn location(line: u64, column: Option<&str>) -> String {
    match (line, column) {
        (0, None) => String::new(),
        (0, Some(c)) => format!(", column `{c}`"),
        (l, None) => format!(":{l}"),
        (l, Some(c)) => format!(":{l}, column `{c}`"),
    }
}

/// Registers the embedded DejaVu Sans (regular and bold) as `"sans-serif"`.
/// Called by every drawing entry point; cheap after the first call.
pub fn ensure_fonts() -> Result<(), PlotError> {
    static OK: OnceLock<bool> = OnceLock::new();
    let ok = *OK.get_or_init(|| {
        let regular = plotters::style::register_font(common::FONT, FontStyle::Normal, dejavu::sans::regular());
        let bold = plotters::style::register_font(common::FONT, FontStyle::Bold, dejavu::sans::bold());
        regular.is_ok() && bold.is_ok()
    });
    if ok { Ok(()) } else { Err(PlotError::Font) }
}

/// The charts written by [`plot_dir`] / [`write_charts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// Cumulative seller exits by kind and by reason.
    SellerExits,
    /// Stacked GMV share by platform, global and per region.
    PlatformShare,
    /// Brand GMV share, active sellers and margins by seller kind.
    BrandVsWhiteLabel,
    /// Cost per click by platform, Amazon US highlighted.
    AdCosts,
}

impl Chart {
    /// All charts, in output order.
    pub const ALL: [Chart; 4] = [Chart::SellerExits, Chart::PlatformShare, Chart::BrandVsWhiteLabel, Chart::AdCosts];

    /// File stem of the chart, e.g. `seller_exits`.
    pub fn name(self) -> &'static str {
        match self {
            Chart::SellerExits => "seller_exits",
            Chart::PlatformShare => "platform_share",
            Chart::BrandVsWhiteLabel => "brand_vs_white_label",
            Chart::AdCosts => "ad_costs",
        }
    }

    /// Canvas size in pixels (the platform-share chart grows with the number
    /// of regions and runs).
    pub fn size(self, runs: &[&RunData]) -> (u32, u32) {
        match self {
            Chart::PlatformShare => {
                let n = runs.len().max(1) as u32;
                let w = 1600 + (n - 1) * 1300;
                let col_w = (w - common::LEGEND_W) / n;
                let (_, rows) = platform::region_grid(platform::regions_of(runs).len(), col_w);
                (w, (60 + 30 + 90 + 400 + 290 * rows as u32).max(1000))
            }
            Chart::BrandVsWhiteLabel => (1600, 1150),
            _ => (1600, 1000),
        }
    }

    /// Draws the chart for `runs` on `root` (any plotters backend).
    pub fn draw<DB: DrawingBackend>(self, root: &DrawingArea<DB, Shift>, runs: &[&RunData]) -> Result<(), PlotError> {
        match self {
            Chart::SellerExits => draw_seller_exits(root, runs),
            Chart::PlatformShare => draw_platform_share(root, runs),
            Chart::BrandVsWhiteLabel => draw_brand_vs_white_label(root, runs),
            Chart::AdCosts => draw_ad_costs(root, runs),
        }
    }
}

/// Reads the run in `dir` and writes `dir/plots/<chart>.png` and `.svg` for
/// every chart. Returns the paths written.
pub fn plot_dir(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    let run = load_run(dir)?;
    write_charts(&dir.join("plots"), &[&run])
}

/// Writes every chart for `runs` (one run, or several to overlay) into
/// `out_dir` as `<chart>.png` and `<chart>.svg`, creating the directory.
/// Each file is rendered to a temporary name and renamed into place.
pub fn write_charts(out_dir: &Path, runs: &[&RunData]) -> Result<Vec<PathBuf>, PlotError> {
    fs::create_dir_all(out_dir).map_err(|source| PlotError::Io { path: out_dir.to_path_buf(), source })?;
    let mut written = Vec::new();
    for chart in Chart::ALL {
        written.push(write_png(out_dir, chart, runs)?);
        written.push(write_svg(out_dir, chart, runs)?);
    }
    Ok(written)
}

fn draw_error(chart: Chart, e: impl std::fmt::Display) -> PlotError {
    PlotError::Draw { chart: chart.name().to_string(), message: e.to_string() }
}

fn rename(tmp: &Path, path: &Path) -> Result<(), PlotError> {
    fs::rename(tmp, path).map_err(|source| {
        let _ = fs::remove_file(tmp);
        PlotError::Io { path: path.to_path_buf(), source }
    })
}

/// Renders `chart` as PNG to `.name.PID.tmp.png` (the encoder picks the
/// format from the extension), then renames it to `name.png`.
fn write_png(out_dir: &Path, chart: Chart, runs: &[&RunData]) -> Result<PathBuf, PlotError> {
    let path = out_dir.join(format!("{}.png", chart.name()));
    let tmp = out_dir.join(format!(".{}.{}.tmp.png", chart.name(), std::process::id()));
    let result = {
        let root = BitMapBackend::new(&tmp, chart.size(runs)).into_drawing_area();
        chart.draw(&root, runs).and_then(|()| root.present().map_err(|e| draw_error(chart, e)))
    };
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    rename(&tmp, &path)?;
    Ok(path)
}

/// Renders `chart` as SVG into memory, writes `.name.svg.PID.tmp`, renames it.
fn write_svg(out_dir: &Path, chart: Chart, runs: &[&RunData]) -> Result<PathBuf, PlotError> {
    let path = out_dir.join(format!("{}.svg", chart.name()));
    let tmp = out_dir.join(format!(".{}.svg.{}.tmp", chart.name(), std::process::id()));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size(runs)).into_drawing_area();
        chart.draw(&root, runs)?;
        root.present().map_err(|e| draw_error(chart, e))?;
    }
    let io = |source| PlotError::Io { path: tmp.clone(), source };
    let write = || -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(svg.as_bytes())?;
        f.sync_all()
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&tmp);
        return Err(io(e));
    }
    rename(&tmp, &path)?;
    Ok(path)
}
