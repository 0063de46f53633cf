//! Platform charts: `platform_share` (stacked GMV shares) and `ad_costs`
//! (cost per click).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::charts::*;
use super::common::*;
use super::data::{EventMark, RunData};
use super::events::strip_layout;
use super::{PlotError, ensure_fonts};

/// Platforms ordered by total GMV (largest first) over all runs, with colors.
fn platform_colors(runs: &[&RunData]) -> Vec<(String, RGBColor)> {
    let mut total: BTreeMap<&str, f64> = BTreeMap::new();
    for r in runs {
        for p in &r.platforms {
            *total.entry(p.platform.as_str()).or_insert(0.0) += p.gmv_usd.max(0.0) * p.gmv_usd.is_finite() as u8 as f64;
        }
    }
    let mut v: Vec<(&str, f64)> = total.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter().enumerate().map(|(i, (p, _))| (p.to_string(), PALETTE[i % PALETTE.len()])).collect()
}

/// Chart `platform_share`: stacked GMV shares by platform, globally and per
/// region (one column per run when several runs are given).
pub fn draw_platform_share<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    runs: &[&RunData],
) -> Result<(), PlotError> {
    ensure_fonts()?;
    wrap("platform_share", platform_share(root, runs))
}

/// Regions ordered by total GMV over all runs (largest first).
pub(crate) fn regions_of(runs: &[&RunData]) -> Vec<String> {
    let mut total: BTreeMap<&str, f64> = BTreeMap::new();
    for r in runs {
        for p in &r.platforms {
            let v = if p.gmv_usd.is_finite() { p.gmv_usd.max(0.0) } else { 0.0 };
            *total.entry(p.region.as_str()).or_insert(0.0) += v;
        }
    }
    let mut v: Vec<(&str, f64)> = total.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter().map(|(r, _)| r.to_string()).collect()
}

/// Region-panel grid (columns, rows) for a run column of width `col_w`.
pub(crate) fn region_grid(n: usize, col_w: u32) -> (usize, usize) {
    if n == 0 {
        return (1, 0);
    }
    let cols = ((col_w / 340) as usize).clamp(1, n).min(4);
    (cols, n.div_ceil(cols))
}

/// Stacked share layers (percent) for rows passing `keep`, one per platform in
/// `platforms` order, on the dates where the total GMV is positive.
fn share_layers(
    run: &RunData,
    platforms: &[(String, RGBColor)],
    keep: impl Fn(&str) -> bool,
) -> Vec<(RGBColor, Vec<(NaiveDate, f64)>)> {
    let mut gmv: BTreeMap<NaiveDate, BTreeMap<&str, f64>> = BTreeMap::new();
    for p in run.platforms.iter().filter(|p| keep(&p.region)) {
        if p.gmv_usd.is_finite() && p.gmv_usd > 0.0 {
            *gmv.entry(p.date).or_default().entry(p.platform.as_str()).or_insert(0.0) += p.gmv_usd;
        }
    }
    platforms
        .iter()
        .map(|(name, color)| {
            let pts = gmv
                .iter()
                .filter_map(|(d, m)| {
                    let total: f64 = m.values().sum();
                    (total > 0.0).then(|| (*d, 100.0 * m.get(name.as_str()).copied().unwrap_or(0.0) / total))
                })
                .collect();
            (*color, pts)
        })
        .collect()
}

fn platform_share<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, runs: &[&RunData]) -> R<()> {
    let note = "Source: platforms.csv; share of gross merchandise value (GMV, USD) per week. \
                Dashed verticals: policy events.";
    let Some((body, span)) = frame(root, &title("GMV share by platform", runs), note, runs)? else {
        return Ok(());
    };
    let platforms = platform_colors(runs);
    let regions = regions_of(runs);
    let (w, _) = body.dim_in_pixel();
    let (cols_area, legend) = body.split_horizontally(w.saturating_sub(LEGEND_W));
    // Legend top-down in the same order as the stacked bands.
    let entries: Vec<_> = platforms.iter().rev().map(|(p, c)| (platform_name(p), *c, Dash::Solid, 3)).collect();
    draw_legend(&legend, Some("Platform"), &entries, &[], true)?;
    let columns = cols_area.split_evenly((1, runs.len().max(1)));
    let strips: Vec<_> = runs
        .iter()
        .zip(&columns)
        .map(|(run, col)| strip_layout(col, span, &run.events, col.dim_in_pixel().0 as i32))
        .collect::<R<_>>()?;
    // Same strip height in every column so the panels line up.
    let sh = strips.iter().map(|s| s.height()).max().unwrap_or(0);
    for ((run, col), layout) in runs.iter().zip(&columns).zip(&strips) {
        let events = &run.events;
        let (cw, ch) = col.dim_in_pixel();
        let (strip, rest) = col.split_vertically(sh);
        layout.draw(&strip)?;
        let (gc, gr) = region_grid(regions.len(), cw);
        let region_h = 290 * gr as u32;
        // The global panel gets at least 200 pixels, the region grid what is left.
        let rest_h = ch.saturating_sub(sh);
        let global_h = rest_h.saturating_sub(region_h).max(200).min(rest_h);
        let (global, grid) = rest.split_vertically(global_h);
        let caption = if runs.len() > 1 { format!("{}: all regions", run.scenario) } else { "All regions".to_string() };
        let spec = PanelSpec {
            caption: &caption,
            y_desc: "Share of GMV, %",
            x_desc: None,
            y_fmt: YFmt::Percent,
            y_range: Some(0.0..100.0),
            empty_note: "No platform GMV",
        };
        stack_panel(&global, span, &spec, &share_layers(run, &platforms, |_| true), events)?;
        if gr == 0 {
            continue;
        }
        let cells = grid.split_evenly((gr, gc));
        for (region, cell) in regions.iter().zip(&cells) {
            let caption = region_name(region);
            let spec = PanelSpec {
                caption: &caption,
                y_desc: "",
                x_desc: None,
                y_fmt: YFmt::Percent,
                y_range: Some(0.0..100.0),
                empty_note: "No GMV in region",
            };
            let layers = share_layers(run, &platforms, |r| r == region);
            stack_panel(cell, span, &spec, &layers, events)?;
        }
    }
    Ok(())
}

/// Draws stacked areas (bottom layer first); layers must share their dates.
fn stack_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    span: Span,
    spec: &PanelSpec<'_>,
    layers: &[(RGBColor, Vec<(NaiveDate, f64)>)],
    events: &[EventMark],
) -> R<()> {
    if !has_room(area) {
        return Ok(());
    }
    let y = spec.y_range.clone().unwrap_or(0.0..100.0);
    let empty = layers.iter().all(|l| l.1.is_empty());
    // Events are drawn after the areas so they stay visible.
    let mut chart = build_panel(area, span, spec, y.clone(), &[], empty)?;
    let mut lower: Vec<(NaiveDate, f64)> =
        layers.first().map(|l| l.1.iter().map(|p| (p.0, 0.0)).collect()).unwrap_or_default();
    for (color, pts) in layers {
        if pts.len() != lower.len() {
            continue;
        }
        let upper: Vec<(NaiveDate, f64)> = pts.iter().zip(&lower).map(|(p, l)| (p.0, l.1 + p.1)).collect();
        if pts.iter().any(|p| p.1 > 0.0) {
            let poly: Vec<_> = upper.iter().copied().chain(lower.iter().rev().copied()).collect();
            chart.draw_series(std::iter::once(Polygon::new(poly, color.filled()))).ctx()?;
            chart.draw_series(LineSeries::new(upper.iter().copied(), WHITE.stroke_width(1))).ctx()?;
        }
        lower = upper;
    }
    shade_shocks(&mut chart, span, &y, events, WHITE.mix(0.35))?;
    for e in events.iter().filter(|e| span.start <= e.date && e.date <= span.end) {
        let line = [(e.date, y.start), (e.date, y.end)];
        chart.draw_series(DashedLineSeries::new(line, 7, 5, WHITE.stroke_width(2))).ctx()?;
    }
    Ok(())
}

/// Chart `ad_costs`: cost per click by platform, with Amazon US highlighted.
pub fn draw_ad_costs<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, runs: &[&RunData]) -> Result<(), PlotError> {
    ensure_fonts()?;
    wrap("ad_costs", ad_costs(root, runs))
}

fn is_amazon_us(platform: &str, region: &str) -> bool {
    norm(platform).contains("amazon") && matches!(norm(region).as_str(), "us" | "usa" | "unitedstates")
}

fn ad_costs<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, runs: &[&RunData]) -> R<()> {
    let note = "Source: platforms.csv; platform lines average CPC over regions weighted by GMV \
                (plain mean when GMV is zero). Amazon US is the calibration target. Dashed verticals: \
                policy events.";
    let Some((body, span)) = frame(root, &title("Advertising cost per click", runs), note, runs)? else {
        return Ok(());
    };
    let events = events_of(runs);
    let platforms = platform_colors(runs);
    let mut series = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let dash = Dash::for_run(i);
        // (platform, date) -> (Σ cpc·gmv, Σ gmv, Σ cpc, n)
        let mut acc: BTreeMap<(&str, NaiveDate), (f64, f64, f64, f64)> = BTreeMap::new();
        let mut amazon_us = DateMap::new();
        for p in run.platforms.iter().filter(|p| p.cpc_usd.is_finite()) {
            let a = acc.entry((p.platform.as_str(), p.date)).or_default();
            let g = if p.gmv_usd.is_finite() { p.gmv_usd.max(0.0) } else { 0.0 };
            *a = (a.0 + p.cpc_usd * g, a.1 + g, a.2 + p.cpc_usd, a.3 + 1.0);
            if is_amazon_us(&p.platform, &p.region) {
                amazon_us.insert(p.date, p.cpc_usd);
            }
        }
        for (name, color) in &platforms {
            let pts: Vec<_> = acc
                .range((name.as_str(), NaiveDate::MIN)..=(name.as_str(), NaiveDate::MAX))
                .map(|((_, d), a)| (*d, if a.1 > 0.0 { a.0 / a.1 } else { a.2 / a.3 }))
                .collect();
            if pts.is_empty() {
                continue;
            }
            let mut s = Series::new(platform_name(name), *color, pts);
            s.dash = dash;
            s.width = 2;
            series.push(s);
        }
        if !amazon_us.is_empty() {
            let mut s = Series::new("Amazon US (calibration target)", INK, amazon_us.into_iter().collect());
            s.dash = dash;
            s.width = 5;
            series.push(s);
        }
    }
    let panels = stacked(&body, span, &events, 1)?;
    let spec = PanelSpec {
        caption: "Cost per click (CPC) by platform, GMV-weighted mean over regions",
        y_desc: "CPC, USD per click",
        x_desc: Some("Week (date of simulated tick)"),
        y_fmt: YFmt::Usd,
        y_range: None,
        empty_note: "No CPC data",
    };
    let (area, legend) = &panels[0];
    line_panel(area, legend, span, &spec, &series, &events, &scenario_names(runs))
}
