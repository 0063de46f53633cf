//! Shared drawing pieces: styles, date axes, line and stacked-area panels,
//! legends (the policy-event strip above the panels is in [`super::events`]).
//!
//! Helpers return `Result<_, String>`; chart functions wrap the message in
//! [`PlotError::Draw`](super::PlotError::Draw) with the chart name.

use std::fmt::Display;
use std::ops::Range;

use chrono::{Datelike, Duration, NaiveDate};
use plotters::coord::Shift;
use plotters::coord::combinators::{BindKeyPoints, WithKeyPoints};
use plotters::coord::types::{RangedCoordf64, RangedDate};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::EventMark;

/// Result of a drawing helper; the error is a human-readable message.
pub(crate) type R<T> = Result<T, String>;

/// Turns any displayable error into the helper error type.
pub(crate) trait Ctx<T> {
    fn ctx(self) -> R<T>;
}
impl<T, E: Display> Ctx<T> for Result<T, E> {
    fn ctx(self) -> R<T> {
        self.map_err(|e| e.to_string())
    }
}

pub(crate) const FONT: &str = "sans-serif";
pub(crate) const INK: RGBColor = RGBColor(40, 40, 40);
pub(crate) const MARKER: RGBColor = RGBColor(110, 110, 110);
/// Width of the legend column right of each panel.
pub(crate) const LEGEND_W: u32 = 290;
const MARGIN: i32 = 12;
const Y_LABEL_W: i32 = 96;
/// Smallest panel [`build_panel`] draws in, in pixels: the margins, caption and axis labels, and
/// a plot area at least 40 pixels high and 60 wide. A smaller area is left blank (plotters can
/// spin forever filling a polygon in an area of no or negative height).
const MIN_PANEL: (u32, u32) = (2 * MARGIN as u32 + Y_LABEL_W as u32 + 60, 2 * MARGIN as u32 + 30 + 58 + 40);

/// Tableau-10 palette: distinct, print-friendly categorical colors.
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Regular text style of the given pixel size.
pub(crate) fn text(size: f64) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&INK)
}

/// Bold text style of the given pixel size.
pub(crate) fn bold(size: f64) -> TextStyle<'static> {
    TextStyle::from((FONT, size, FontStyle::Bold).into_font()).color(&INK)
}

/// How a series' line is drawn; used to tell scenarios apart in overlays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dash {
    Solid,
    Dashed,
    Dotted,
}

impl Dash {
    /// Line style for the n-th overlaid run.
    pub(crate) fn for_run(i: usize) -> Dash {
        [Dash::Solid, Dash::Dashed, Dash::Dotted][i % 3]
    }
}

/// A named time series drawn as a line.
#[derive(Debug, Clone)]
pub(crate) struct Series {
    pub name: String,
    pub color: RGBColor,
    pub width: u32,
    pub dash: Dash,
    pub points: Vec<(NaiveDate, f64)>,
}

impl Series {
    pub(crate) fn new(name: impl Into<String>, color: RGBColor, points: Vec<(NaiveDate, f64)>) -> Self {
        Series {
            name: name.into(),
            color,
            width: 3,
            dash: Dash::Solid,
            points: points.into_iter().filter(|(_, v)| v.is_finite()).collect(),
        }
    }
}

/// How y-axis tick labels are formatted.
#[derive(Debug, Clone, Copy)]
pub(crate) enum YFmt {
    /// Plain count with k/M suffixes.
    Count,
    /// Value already in percent.
    Percent,
    /// US dollars with cents.
    Usd,
}

pub(crate) fn fmt_y(fmt: YFmt, v: f64) -> String {
    match fmt {
        YFmt::Count => fmt_count(v),
        YFmt::Percent => {
            if v.abs() < 10.0 && v.fract().abs() > 1e-9 {
                format!("{v:.1}%")
            } else {
                format!("{v:.0}%")
            }
        }
        YFmt::Usd => format!("${v:.2}"),
    }
}

fn fmt_count(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6).replace(".0M", "M")
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3).replace(".0k", "k")
    } else if v.fract().abs() > 1e-9 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

/// The common x range of a chart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Span {
    /// A span covering the given dates, at least one week long.
    pub(crate) fn new(start: NaiveDate, end: NaiveDate) -> Span {
        let end = if end <= start { start + Duration::days(7) } else { end };
        Span { start, end }
    }

    pub(crate) fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }

    /// Date axis with month-aligned labels, spaced to fit `width_px`.
    fn axis(&self, width_px: i32) -> WithKeyPoints<RangedDate<NaiveDate>> {
        let months = month_index(self.end) - month_index(self.start) + 1;
        let max_labels = (width_px / 95).max(2);
        let step = [1, 2, 3, 4, 6, 12, 24].into_iter().find(|s| months / s <= max_labels).unwrap_or(24);
        let mut bold = Vec::new();
        let mut light = Vec::new();
        let mut m = month_index(self.start);
        while m <= month_index(self.end) {
            if let Some(d) = NaiveDate::from_ymd_opt(m.div_euclid(12), (m.rem_euclid(12) + 1) as u32, 1)
                && self.contains(d)
            {
                if m.rem_euclid(step) == 0 {
                    bold.push(d);
                } else {
                    light.push(d);
                }
            }
            m += 1;
        }
        (self.start..self.end).with_key_points(bold).with_light_points(light)
    }
}

fn month_index(d: NaiveDate) -> i32 {
    d.year() * 12 + d.month0() as i32
}

/// Chart context type for all date-x panels.
pub(crate) type DateChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<WithKeyPoints<RangedDate<NaiveDate>>, RangedCoordf64>>;

/// Options for one panel.
pub(crate) struct PanelSpec<'a> {
    pub caption: &'a str,
    pub y_desc: &'a str,
    pub x_desc: Option<&'a str>,
    pub y_fmt: YFmt,
    /// Fixed y range (e.g. 0..100 for shares); otherwise fitted to the data.
    pub y_range: Option<Range<f64>>,
    /// Message drawn in the middle of the panel when it has no data.
    pub empty_note: &'a str,
}

/// Fits a y range to the series: includes 0 for non-negative data, pads 8%.
fn fit_y(series: &[Series]) -> Range<f64> {
    let vals = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() || !hi.is_finite() {
        return 0.0..1.0;
    }
    let lo = lo.min(0.0);
    let hi = hi.max(0.0);
    let pad = ((hi - lo) * 0.08).max(1e-9);
    let lo = if lo < 0.0 { lo - pad } else { 0.0 };
    let hi = if hi - lo < 1e-9 { lo + 1.0 } else { hi + pad };
    lo..hi
}

/// Whether `area` is large enough for a panel (see [`MIN_PANEL`]).
pub(crate) fn has_room<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> bool {
    let (w, h) = area.dim_in_pixel();
    w >= MIN_PANEL.0 && h >= MIN_PANEL.1
}

/// Builds the axes of a panel (plot area on the left, `area` must already
/// exclude the legend column) and draws mesh, event lines and, when `empty`,
/// the empty-data note.
pub(crate) fn build_panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    span: Span,
    spec: &PanelSpec<'_>,
    y: Range<f64>,
    events: &[EventMark],
    empty: bool,
) -> R<DateChart<'a, DB>> {
    let (w, _) = area.dim_in_pixel();
    let axis = span.axis(w as i32 - Y_LABEL_W - 2 * MARGIN);
    let mut chart = ChartBuilder::on(area)
        .margin(MARGIN)
        .caption(spec.caption, bold(19.0))
        .x_label_area_size(if spec.x_desc.is_some() { 58 } else { 32 })
        .y_label_area_size(if spec.y_desc.is_empty() { 64 } else { Y_LABEL_W })
        .build_cartesian_2d(axis, y.clone())
        .ctx()?;
    let y_fmt = spec.y_fmt;
    let x_fmt = |d: &NaiveDate| d.format("%Y-%m").to_string();
    let y_lab = move |v: &f64| fmt_y(y_fmt, *v);
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&x_fmt)
        .y_label_formatter(&y_lab)
        .y_labels(6)
        .y_desc(spec.y_desc)
        .label_style(text(15.0))
        .axis_desc_style(text(16.0))
        .axis_style(INK.mix(0.8))
        .bold_line_style(RGBColor(200, 200, 200).mix(0.7))
        .light_line_style(RGBColor(230, 230, 230).mix(0.6))
        .y_max_light_lines(0);
    if let Some(desc) = spec.x_desc {
        mesh.x_desc(desc);
    }
    mesh.draw().ctx()?;
    shade_shocks(&mut chart, span, &y, events, MARKER.mix(0.12))?;
    for e in events.iter().filter(|e| span.contains(e.date)) {
        chart
            .draw_series(DashedLineSeries::new(
                [(e.date, y.start), (e.date, y.end)],
                7,
                5,
                MARKER.mix(0.9).stroke_width(1),
            ))
            .ctx()?;
    }
    if empty {
        let plot = chart.plotting_area();
        let (xr, yr) = plot.get_pixel_range();
        let base = plot.strip_coord_spec();
        let pos = Pos::new(HPos::Center, VPos::Center);
        let (bx, by) = base.get_base_pixel();
        base.draw(&Text::new(
            spec.empty_note.to_string(),
            ((xr.start + xr.end) / 2 - bx, (yr.start + yr.end) / 2 - by),
            text(18.0).color(&MARKER).pos(pos),
        ))
        .ctx()?;
    }
    Ok(chart)
}

/// Shades the weeks in which each shock of `events` runs (the part inside `span`).
pub(crate) fn shade_shocks<DB: DrawingBackend>(
    chart: &mut DateChart<'_, DB>,
    span: Span,
    y: &Range<f64>,
    events: &[EventMark],
    color: RGBAColor,
) -> R<()> {
    for e in events {
        let Some(until) = e.until else { continue };
        let (from, to) = (e.date.max(span.start), until.min(span.end));
        if from < to {
            chart.draw_series(std::iter::once(Rectangle::new([(from, y.start), (to, y.end)], color.filled()))).ctx()?;
        }
    }
    Ok(())
}

/// Draws a panel of line series with its legend in `legend` (the column to
/// the right of `area`). `runs` names the overlaid scenarios (line styles).
pub(crate) fn line_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    legend: &DrawingArea<DB, Shift>,
    span: Span,
    spec: &PanelSpec<'_>,
    series: &[Series],
    events: &[EventMark],
    runs: &[&str],
) -> R<()> {
    if !has_room(area) {
        return Ok(());
    }
    let y = spec.y_range.clone().unwrap_or_else(|| fit_y(series));
    let empty = series.iter().all(|s| s.points.is_empty());
    let mut chart = build_panel(area, span, spec, y, events, empty)?;
    for s in series {
        draw_line(&mut chart, s)?;
    }
    // One entry per series name (overlaid runs share names and colors).
    let mut entries: Vec<(String, RGBColor, Dash, u32)> = Vec::new();
    for s in series.iter().filter(|s| !s.points.is_empty()) {
        if !entries.iter().any(|e| e.0 == s.name) {
            entries.push((s.name.clone(), s.color, Dash::Solid, s.width));
        }
    }
    draw_legend(legend, None, &entries, runs, false)
}

/// Draws one series on a date chart with its dash style.
pub(crate) fn draw_line<DB: DrawingBackend>(chart: &mut DateChart<'_, DB>, s: &Series) -> R<()> {
    let style = s.color.stroke_width(s.width);
    let pts = s.points.iter().copied();
    match s.dash {
        Dash::Solid => chart.draw_series(LineSeries::new(pts, style)).map(|_| ()),
        Dash::Dashed => chart.draw_series(DashedLineSeries::new(pts, 12, 7, style)).map(|_| ()),
        Dash::Dotted => chart.draw_series(DashedLineSeries::new(pts, 3, 5, style)).map(|_| ()),
    }
    .ctx()
}

/// Draws a legend: an optional heading, one colored swatch per entry
/// (`area_swatch` = filled box, else a line sample), then, when several runs
/// are overlaid, a key of the line style used for each scenario. Long labels
/// wrap onto a second line.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    heading: Option<&str>,
    entries: &[(String, RGBColor, Dash, u32)],
    runs: &[&str],
    area_swatch: bool,
) -> R<()> {
    let (w, _) = area.dim_in_pixel();
    let avail = w.saturating_sub(66).max(60);
    let mut y = 48;
    let left = Pos::new(HPos::Left, VPos::Center);
    let mut row = |label: &str, swatch: &dyn Fn(i32) -> R<()>| -> R<()> {
        swatch(y)?;
        for line in wrap(area, label, avail)? {
            area.draw(&Text::new(line, (58, y), text(16.0).pos(left))).ctx()?;
            y += 20;
        }
        y += 8;
        Ok(())
    };
    if let Some(h) = heading {
        row("", &|y| area.draw(&Text::new(h.to_string(), (10, y), bold(16.0).pos(left))).ctx())?;
    }
    for (name, color, dash, width) in entries {
        row(name, &|y| {
            if area_swatch {
                area.draw(&Rectangle::new([(10, y - 9), (46, y + 9)], color.filled())).ctx()
            } else {
                legend_line(area, y, color.to_rgba(), *dash, (*width).max(2))
            }
        })?;
    }
    if runs.len() > 1 {
        row("", &|y| area.draw(&Text::new("Scenario", (10, y + 10), bold(16.0).pos(left))).ctx())?;
        for (i, run) in runs.iter().enumerate() {
            row(run, &|y| legend_line(area, y, INK.to_rgba(), Dash::for_run(i), 2))?;
        }
    }
    Ok(())
}

/// Splits `label` into at most two lines that fit `avail` pixels (the second
/// line is shortened with an ellipsis if needed).
fn wrap<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, label: &str, avail: u32) -> R<Vec<String>> {
    let fits = |s: &str| -> R<bool> { Ok(area.estimate_text_size(s, &text(16.0)).ctx()?.0 <= avail) };
    if label.is_empty() {
        return Ok(vec![String::new()]);
    }
    if fits(label)? {
        return Ok(vec![label.to_string()]);
    }
    let words: Vec<&str> = label.split(' ').collect();
    let mut first = words[0].to_string();
    let mut k = 1;
    while k < words.len() && fits(&format!("{first} {}", words[k]))? {
        first = format!("{first} {}", words[k]);
        k += 1;
    }
    let mut second = words[k..].join(" ");
    while second.chars().count() > 1 && !fits(&second)? {
        second = shorten(&second, second.chars().count() - 1);
    }
    Ok(if second.is_empty() { vec![first] } else { vec![first, second] })
}

fn legend_line<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, y: i32, c: RGBAColor, dash: Dash, w: u32) -> R<()> {
    let style = c.stroke_width(w);
    let (seg, gap) = match dash {
        Dash::Solid => (36, 0),
        Dash::Dashed => (10, 5),
        Dash::Dotted => (3, 5),
    };
    let mut x = 10;
    while x < 46 {
        let x1 = (x + seg).min(46);
        area.draw(&PathElement::new(vec![(x, y), (x1, y)], style)).ctx()?;
        x = x1 + gap;
        if gap == 0 {
            break;
        }
    }
    Ok(())
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Pixel x extent (relative to a panel area's left edge) of the plot area that
/// [`build_panel`] will create in a panel of width `panel_w`.
pub(crate) fn plot_x_range(panel_w: i32) -> (i32, i32) {
    (MARGIN + Y_LABEL_W, panel_w - MARGIN)
}
