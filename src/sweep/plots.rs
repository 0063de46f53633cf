//! The charts of `sim analyze` (PNG and SVG, in the style of `src/plot`): per metric, its effect
//! against each parameter (binned means with their 95% band, and each point's mean), and the
//! sensitivity bars of Sobol (S1 and ST) and Morris (mu*, with sigma against mu*) sweeps.

use super::stats::{Estimate, MorrisStats, Sample};
use crate::plot::common::{Ctx, INK, MARKER, PALETTE, R, bold, text};
use crate::plot::{PlotError, ensure_fonts};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::fs;
use std::path::{Path, PathBuf};

const MAIN: RGBColor = PALETTE[0];
const SECOND: RGBColor = PALETTE[1];
const TITLE_H: u32 = 56;
/// Height of the key below a bar chart.
const KEY_H: u32 = 30;

/// One metric against every parameter.
pub struct Effect {
    pub metric: String,
    pub panels: Vec<EffectPanel>,
}

/// One metric against one parameter.
pub struct EffectPanel {
    pub parameter: String,
    /// Names of a text parameter's values (x is their index); empty for a numeric one.
    pub labels: Vec<String>,
    /// (x, runs in the bin) for each bin of the parameter's axis.
    pub bins: Vec<(f64, Sample)>,
    /// (x, mean of a point's replicates).
    pub points: Vec<(f64, f64)>,
}

/// The sensitivity indices of one metric, per parameter.
pub struct Sensitivity {
    pub metric: String,
    pub parameters: Vec<String>,
    pub indices: Indices,
}

pub enum Indices {
    /// First-order and total indices from `rows` base rows.
    Sobol { first: Vec<Estimate>, total: Vec<Estimate>, rows: usize },
    /// Elementary-effect statistics, effects per jump of `delta` of each unit range.
    Morris { stats: Vec<MorrisStats>, delta: f64 },
}

/// A chart drawable on any backend.
trait Figure {
    fn name(&self) -> String;
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> R<()>;
}

/// A metric name as a file name: `exit_rate_by_kind.white_label@2025` to
/// `exit_rate_by_kind.white_label_2025`.
pub fn file_stem(metric: &str) -> String {
    metric.chars().map(|c| if c.is_ascii_alphanumeric() || "_.-".contains(c) { c } else { '_' }).collect()
}

/// Draws every chart into `dir`; returns the files written.
pub fn write_all(dir: &Path, effects: &[Effect], sens: &[Sensitivity]) -> Result<Vec<PathBuf>, PlotError> {
    ensure_fonts()?;
    fs::create_dir_all(dir).map_err(|source| PlotError::Io { path: dir.to_path_buf(), source })?;
    let mut out = Vec::new();
    for e in effects {
        out.extend(save(dir, e)?);
    }
    for s in sens {
        out.extend(save(dir, s)?);
    }
    Ok(out)
}

fn save(dir: &Path, fig: &impl Figure) -> Result<Vec<PathBuf>, PlotError> {
    let name = fig.name();
    let err = |message: String| PlotError::Draw { chart: name.clone(), message };
    let png = dir.join(format!("{name}.png"));
    let tmp = dir.join(format!(".{name}.{}.tmp.png", std::process::id()));
    {
        let root = BitMapBackend::new(&tmp, fig.size()).into_drawing_area();
        let drawn = fig.draw(&root).and_then(|()| root.present().ctx());
        if let Err(e) = drawn {
            let _ = fs::remove_file(&tmp);
            return Err(err(e));
        }
    }
    fs::rename(&tmp, &png).map_err(|source| PlotError::Io { path: png.clone(), source })?;
    let svg = dir.join(format!("{name}.svg"));
    let mut body = String::new();
    {
        let root = SVGBackend::with_string(&mut body, fig.size()).into_drawing_area();
        fig.draw(&root).and_then(|()| root.present().ctx()).map_err(err)?;
    }
    crate::output::write_atomic(&svg, |w| w.write_all(body.as_bytes()))
        .map_err(|e| PlotError::Draw { chart: name.clone(), message: e.to_string() })?;
    Ok(vec![png, svg])
}

/// A padded range around finite values.
fn fit(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) =
        values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    let pad = ((hi - lo) * 0.08).max(hi.abs().max(1.0) * 1e-6);
    lo - pad..hi + pad
}

fn title<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, s: &str) -> R<DrawingArea<DB, Shift>> {
    root.fill(&WHITE).ctx()?;
    root.titled(s, bold(26.0)).ctx()
}

/// Short axis numbers with four significant digits: 1.2e9 as 1.2G, 0.07955 as 0.07955.
fn short(v: f64) -> String {
    let a = v.abs();
    let (x, suffix) = match a {
        _ if a >= 1e9 => (v / 1e9, "G"),
        _ if a >= 1e6 => (v / 1e6, "M"),
        _ if a >= 1e4 => (v / 1e3, "k"),
        _ => (v, ""),
    };
    let magnitude = if x == 0.0 { 0 } else { x.abs().log10().floor() as i32 };
    let digits = (3 - magnitude).clamp(0, 12) as usize;
    let s = format!("{x:.digits$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    format!("{s}{suffix}")
}

/// The label of a category axis at `v`: the name at a whole number, nothing between.
fn category(names: &[String], v: f64) -> String {
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 { String::new() } else { names.get(i as usize).cloned().unwrap_or_default() }
}

impl Figure for Effect {
    fn name(&self) -> String {
        format!("effects_{}", file_stem(&self.metric))
    }

    fn size(&self) -> (u32, u32) {
        let cols = self.panels.len().clamp(1, 3) as u32;
        let rows = self.panels.len().div_ceil(3).max(1) as u32;
        (560 * cols, TITLE_H + 430 * rows)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> R<()> {
        let area = title(root, &format!("{} by parameter: mean of runs, 95% interval", self.metric))?;
        if self.panels.iter().all(|p| p.bins.is_empty() && p.points.is_empty()) {
            let (w, h) = area.dim_in_pixel();
            let note = format!("No data: no successful run has a value of {}", self.metric);
            let style = text(20.0).color(&MARKER).pos(Pos::new(HPos::Center, VPos::Center));
            return area.draw(&Text::new(note, (w as i32 / 2, h as i32 / 2), style)).ctx();
        }
        let cols = self.panels.len().clamp(1, 3);
        let rows = self.panels.len().div_ceil(3).max(1);
        for (p, a) in self.panels.iter().zip(area.split_evenly((rows, cols))) {
            effect_panel(&a, p, &self.metric)?;
        }
        Ok(())
    }
}

fn effect_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &EffectPanel, metric: &str) -> R<()> {
    let xs = p.bins.iter().map(|b| b.0).chain(p.points.iter().map(|q| q.0));
    let x = if p.labels.is_empty() { fit(xs) } else { -0.5..p.labels.len() as f64 - 0.5 };
    let band = p.bins.iter().flat_map(|(_, s)| [s.lo, s.hi, s.mean]);
    let y = fit(band.chain(p.points.iter().map(|q| q.1)));
    let labels = p.labels.clone();
    let mut chart = ChartBuilder::on(area)
        .margin(14)
        .caption(&p.parameter, bold(17.0))
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(x, y)
        .ctx()?;
    let x_fmt = |v: &f64| if labels.is_empty() { short(*v) } else { category(&labels, *v) };
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&x_fmt)
        .y_label_formatter(&|v| short(*v))
        .y_desc(metric)
        .label_style(text(13.0))
        .axis_desc_style(text(13.0))
        .axis_style(INK.mix(0.8))
        .bold_line_style(RGBColor(200, 200, 200).mix(0.7))
        .light_line_style(RGBColor(230, 230, 230).mix(0.6));
    mesh.x_labels(if p.labels.is_empty() { 6 } else { p.labels.len() + 1 });
    mesh.draw().ctx()?;
    chart.draw_series(p.points.iter().map(|&(x, y)| Circle::new((x, y), 2, MARKER.mix(0.35).filled()))).ctx()?;
    let edge = |s: &Sample, v: f64| if v.is_finite() { v } else { s.mean };
    let mut polygon: Vec<(f64, f64)> = p.bins.iter().map(|(x, s)| (*x, edge(s, s.lo))).collect();
    polygon.extend(p.bins.iter().rev().map(|(x, s)| (*x, edge(s, s.hi))));
    if p.bins.len() > 1 {
        chart.draw_series(std::iter::once(Polygon::new(polygon, MAIN.mix(0.2).filled()))).ctx()?;
        chart.draw_series(LineSeries::new(p.bins.iter().map(|(x, s)| (*x, s.mean)), MAIN.stroke_width(3))).ctx()?;
    }
    for (x, s) in &p.bins {
        if s.lo.is_finite() {
            chart
                .draw_series(std::iter::once(PathElement::new([(*x, s.lo), (*x, s.hi)], MAIN.stroke_width(2))))
                .ctx()?;
        }
    }
    chart.draw_series(p.bins.iter().map(|(x, s)| Circle::new((*x, s.mean), 5, MAIN.filled()))).ctx()?;
    Ok(())
}

impl Figure for Sensitivity {
    fn name(&self) -> String {
        let kind = if matches!(self.indices, Indices::Sobol { .. }) { "sobol" } else { "morris" };
        format!("{kind}_{}", file_stem(&self.metric))
    }

    fn size(&self) -> (u32, u32) {
        (1400, TITLE_H + 150 + 60 * self.parameters.len().max(2) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> R<()> {
        let (metric, names) = (&self.metric, &self.parameters);
        match &self.indices {
            Indices::Sobol { first, total, rows } => {
                let area =
                    title(root, &format!("Sobol indices of {metric} ({rows} base rows, 95% bootstrap interval)"))?;
                bars(&area, names, &[("first order S1", MAIN, first), ("total ST", SECOND, total)], "index")
            }
            Indices::Morris { stats, delta } => {
                let caption = format!("Morris screening of {metric} (effect per jump of {delta:.3} of each range)");
                let area = title(root, &caption)?;
                let (left, right) = area.split_horizontally(area.dim_in_pixel().0 * 3 / 5);
                let mu_star: Vec<Estimate> = stats.iter().map(|s| s.mu_star).collect();
                let sigma: Vec<Estimate> =
                    stats.iter().map(|s| Estimate { value: s.sigma, lo: f64::NAN, hi: f64::NAN }).collect();
                bars(&left, names, &[("mu*", MAIN, &mu_star), ("sigma", SECOND, &sigma)], "elementary effect")?;
                morris_scatter(&right, names, stats)
            }
        }
    }
}

/// Horizontal grouped bars, one group per parameter (top to bottom), with interval whiskers.
fn bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    names: &[String],
    series: &[(&str, RGBColor, &Vec<Estimate>)],
    x_desc: &str,
) -> R<()> {
    let k = series.first().map_or(0, |s| s.2.len());
    let values = series.iter().flat_map(|s| s.2.iter().flat_map(|e| [e.value, e.lo, e.hi]));
    let x = fit(values.chain([0.0]));
    // One row per parameter, a tick at each, and the key of the series below the chart.
    let y = -0.5..k as f64 - 0.5;
    let (area, key) = area.split_vertically(area.dim_in_pixel().1.saturating_sub(KEY_H));
    let mut chart = ChartBuilder::on(&area)
        .margin(16)
        .x_label_area_size(46)
        .y_label_area_size(area.dim_in_pixel().0 as i32 / 3)
        .build_cartesian_2d(x, y)
        .ctx()?;
    // Parameter 0 at the top.
    let top_down: Vec<String> = names.iter().rev().cloned().collect();
    let y_fmt = |v: &f64| category(&top_down, *v);
    chart
        .configure_mesh()
        .y_label_formatter(&y_fmt)
        .y_labels(k)
        .x_label_formatter(&|v| short(*v))
        .x_desc(x_desc)
        .label_style(text(14.0))
        .axis_desc_style(text(14.0))
        .axis_style(INK.mix(0.8))
        .bold_line_style(RGBColor(200, 200, 200).mix(0.7))
        .light_line_style(RGBColor(230, 230, 230).mix(0.6))
        .draw()
        .ctx()?;
    let h = 0.8 / series.len().max(1) as f64;
    for (s, (label, color, est)) in series.iter().enumerate() {
        let color = *color;
        let rows = est.iter().enumerate().map(|(i, e)| {
            let y0 = (k - 1 - i) as f64 + 0.4 - h * (s as f64 + 1.0);
            (e, y0)
        });
        chart
            .draw_series(rows.clone().filter(|(e, _)| e.value.is_finite()).map(|(e, y0)| {
                Rectangle::new([(0.0, y0 + 0.1 * h), (e.value, y0 + 0.9 * h)], color.mix(0.85).filled())
            }))
            .ctx()?;
        // The key: a swatch and the series' name, side by side from the plot's left edge.
        let x0 = chart.plotting_area().get_pixel_range().0.start - area.get_base_pixel().0 + 180 * s as i32;
        key.draw(&Rectangle::new([(x0, 6), (x0 + 16, 18)], color.filled())).ctx()?;
        key.draw(&Text::new(label.to_string(), (x0 + 24, 12), text(15.0).pos(Pos::new(HPos::Left, VPos::Center))))
            .ctx()?;
        chart
            .draw_series(
                rows.filter(|(e, _)| e.lo.is_finite() && e.hi.is_finite())
                    .map(|(e, y0)| PathElement::new([(e.lo, y0 + 0.5 * h), (e.hi, y0 + 0.5 * h)], INK.stroke_width(2))),
            )
            .ctx()?;
    }
    Ok(())
}

fn morris_scatter<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, names: &[String], stats: &[MorrisStats]) -> R<()> {
    let x = fit(stats.iter().map(|s| s.mu_star.value).chain([0.0]));
    let y = fit(stats.iter().map(|s| s.sigma).chain([0.0]));
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .caption("sigma against mu*", bold(17.0))
        .x_label_area_size(46)
        .y_label_area_size(70)
        .build_cartesian_2d(x, y)
        .ctx()?;
    chart
        .configure_mesh()
        .x_desc("mu*")
        .y_desc("sigma")
        .x_label_formatter(&|v| short(*v))
        .y_label_formatter(&|v| short(*v))
        .label_style(text(14.0))
        .axis_desc_style(text(14.0))
        .axis_style(INK.mix(0.8))
        .bold_line_style(RGBColor(200, 200, 200).mix(0.7))
        .light_line_style(RGBColor(230, 230, 230).mix(0.6))
        .draw()
        .ctx()?;
    let shown: Vec<(usize, (f64, f64))> = stats
        .iter()
        .enumerate()
        .filter(|(_, s)| s.mu_star.value.is_finite() && s.sigma.is_finite())
        .map(|(i, s)| (i, (s.mu_star.value, s.sigma)))
        .collect();
    for &(i, at) in &shown {
        chart.draw_series(std::iter::once(Circle::new(at, 6, PALETTE[i % PALETTE.len()].filled()))).ctx()?;
    }
    // The names, in pixels of `area`, placed so that none overlaps another or leaves the plot.
    let (bx, by) = area.get_base_pixel();
    let name = |i: usize| names.get(i).map_or("", String::as_str);
    let style = text(13.0).pos(Pos::new(HPos::Left, VPos::Center));
    let right = chart.plotting_area().get_pixel_range().0.end - bx;
    let mut labels = Vec::new();
    for &(i, at) in &shown {
        let (px, py) = chart.backend_coord(&at);
        labels.push((px - bx, py - by, area.estimate_text_size(name(i), &style).ctx()?.0 as i32));
    }
    for ((&(i, _), &(px, py, w)), (x0, y0)) in shown.iter().zip(&labels).zip(place_labels(&labels, right, LABEL_H)) {
        let mid = y0 + LABEL_H / 2;
        if (mid - py).abs() > LABEL_H / 2 {
            // Moved away from its point: a leader line to the label's near end.
            let end = if x0 > px { x0 - 2 } else { x0 + w + 2 };
            area.draw(&PathElement::new(vec![(px, py), (end, mid)], MARKER.mix(0.6).stroke_width(1))).ctx()?;
        }
        area.draw(&Text::new(name(i), (x0, mid), style.clone())).ctx()?;
    }
    Ok(())
}

/// Height of a point's name in the Morris scatter.
const LABEL_H: i32 = 16;

/// Top-left corners of labels of `(point x, point y, width)` in pixels, `h` high: right of the
/// point, or left of it where the label would cross `right`; from the top of the chart down, a
/// label that would overlap one placed before moves down below it.
fn place_labels(labels: &[(i32, i32, i32)], right: i32, h: i32) -> Vec<(i32, i32)> {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by_key(|&i| labels[i].1);
    // (left, right, top) of each label placed.
    let mut placed: Vec<(i32, i32, i32)> = Vec::new();
    let mut corners = vec![(0, 0); labels.len()];
    for i in order {
        let (px, py, w) = labels[i];
        let x0 = if px + 10 + w <= right { px + 10 } else { px - 10 - w };
        let mut y0 = py - h / 2;
        let overlaps = |&&(a, b, top): &&(i32, i32, i32), y0: i32| x0 < b && a < x0 + w && y0 < top + h && top < y0 + h;
        while let Some(&(_, _, top)) = placed.iter().find(|p| overlaps(p, y0)) {
            y0 = top + h;
        }
        placed.push((x0, x0 + w, y0));
        corners[i] = (x0, y0);
    }
    corners
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_numbers_keep_four_significant_digits() {
        assert_eq!(short(0.07955), "0.07955");
        assert_eq!(short(0.0795), "0.0795");
        assert_eq!(short(1.5), "1.5");
        assert_eq!(short(150.0), "150");
        assert_eq!(short(0.0), "0");
        assert_eq!(short(1_234_567.0), "1.235M");
        assert_eq!(short(-2.5e9), "-2.5G");
        assert_eq!(file_stem("exit_rate_by_kind.white_label@2025"), "exit_rate_by_kind.white_label_2025");
    }

    /// Regression: the effects of a metric without values were drawn as empty 0-1 frames.
    #[test]
    fn effects_of_a_metric_without_values_say_no_data() {
        let tmp = tempfile::tempdir().unwrap();
        let panel = |name: &str| EffectPanel {
            parameter: name.into(),
            labels: Vec::new(),
            bins: Vec::new(),
            points: Vec::new(),
        };
        let effect = Effect { metric: "gmv_growth@2024".into(), panels: vec![panel("a"), panel("b")] };
        let written = write_all(tmp.path(), &[effect], &[]).unwrap();
        assert_eq!(written.len(), 2);
        let svg = fs::read_to_string(tmp.path().join("effects_gmv_growth_2024.svg")).unwrap();
        assert!(svg.contains("No data: no successful run has a value of gmv_growth@2024"), "{svg}");
        assert!(!svg.contains("<polyline"), "no axes are drawn");
    }

    /// Regression: the Sobol and Morris bars had an empty row at the bottom, with a stray tick.
    #[test]
    fn sensitivity_bars_have_one_row_and_one_tick_per_parameter() {
        let tmp = tempfile::tempdir().unwrap();
        let e = |v: f64| Estimate { value: v, lo: v - 0.1, hi: v + 0.1 };
        let sens = Sensitivity {
            metric: "m@2025".into(),
            parameters: vec!["alpha".into(), "beta".into(), "gamma".into()],
            indices: Indices::Sobol {
                first: vec![e(0.5), e(0.2), e(0.0)],
                total: vec![e(0.6), e(0.3), e(0.1)],
                rows: 64,
            },
        };
        write_all(tmp.path(), &[], &[sens]).unwrap();
        let svg = fs::read_to_string(tmp.path().join("sobol_m_2025.svg")).unwrap();
        // The y axis's ticks: short horizontal strokes, `points="x,y x+5,y "`.
        let ticks = svg
            .split("points=\"")
            .skip(1)
            .filter_map(|rest| {
                let pts: Vec<(i32, i32)> = rest[..rest.find('"')?]
                    .split_whitespace()
                    .filter_map(|p| p.split_once(',').and_then(|(x, y)| Some((x.parse().ok()?, y.parse().ok()?))))
                    .collect();
                (pts.len() == 2 && pts[0].1 == pts[1].1 && pts[1].0 - pts[0].0 == 5).then_some(())
            })
            .count();
        assert_eq!(ticks, 3, "one tick per parameter");
    }

    /// Regression: the Morris scatter's names overlapped where points were close, and the name
    /// of the right-most point ran off the chart.
    #[test]
    fn morris_scatter_names_neither_overlap_nor_leave_the_plot() {
        // Three points close together, and one at the right edge with a long name.
        let labels = [(100, 200, 150), (104, 205, 120), (98, 210, 200), (500, 50, 230), (300, 400, 80)];
        let (right, h) = (520, 16);
        let corners = place_labels(&labels, right, h);
        for (i, (&(x0, y0), &(px, _, w))) in corners.iter().zip(&labels).enumerate() {
            assert!(x0 + w <= right, "label {i} ends at {} past {right}", x0 + w);
            assert!(x0 >= px + 10 || x0 + w <= px - 10, "label {i} covers its point");
            for (j, &(x1, y1)) in corners.iter().enumerate().skip(i + 1) {
                let w1 = labels[j].2;
                let apart = x0 + w <= x1 || x1 + w1 <= x0 || y0 + h <= y1 || y1 + h <= y0;
                assert!(apart, "labels {i} and {j} overlap: {corners:?}");
            }
        }
        // A label with room stays level with its point.
        assert_eq!(corners[4], (310, 392));
    }
}
