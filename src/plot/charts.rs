//! Seller charts (`seller_exits`, `brand_vs_white_label`) and the helpers
//! shared by all charts. Each chart takes one run (`sim plot`) or several
//! runs overlaid (`sim compare`: run 0 solid, run 1 dashed, run 2 dotted).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::common::*;
use super::data::{EventMark, RunData, TickRow};
use super::events::strip_layout;
use super::{PlotError, ensure_fonts};

/// Moving-average window (weeks) used where weekly noise hurts readability.
const MA_WEEKS: usize = 4;
const BRAND: RGBColor = PALETTE[0];
const WHITE_LABEL: RGBColor = PALETTE[1];

pub(super) type DateMap = BTreeMap<NaiveDate, f64>;
/// A panel's plot area and the legend column to its right.
type PanelAreas<DB> = (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>);
/// Reads one number from a `ticks.csv` row.
type TickField = fn(&TickRow) -> f64;

/// Wraps a helper result into a [`PlotError::Draw`] for `chart`.
pub(super) fn wrap(chart: &str, r: R<()>) -> Result<(), PlotError> {
    r.map_err(|message| PlotError::Draw { chart: chart.to_string(), message })
}

/// Adds `v` to `map[d]`, skipping non-finite values.
pub(super) fn add(map: &mut DateMap, d: NaiveDate, v: f64) {
    if v.is_finite() {
        *map.entry(d).or_insert(0.0) += v;
    } else {
        map.entry(d).or_insert(0.0);
    }
}

fn cumulative(map: &DateMap) -> Vec<(NaiveDate, f64)> {
    let mut acc = 0.0;
    map.iter()
        .map(|(d, v)| {
            acc += v;
            (*d, acc)
        })
        .collect()
}

/// Trailing moving average over the last `n` points.
fn moving_avg(points: &[(NaiveDate, f64)], n: usize) -> Vec<(NaiveDate, f64)> {
    (0..points.len())
        .map(|i| {
            let w = &points[i.saturating_sub(n - 1)..=i];
            (points[i].0, w.iter().map(|p| p.1).sum::<f64>() / w.len() as f64)
        })
        .collect()
}

/// Scales a 0..1 share series to percent (left alone if already in percent).
fn to_percent(points: Vec<(NaiveDate, f64)>) -> Vec<(NaiveDate, f64)> {
    let max = points.iter().map(|p| p.1.abs()).fold(0.0, f64::max);
    let k = if max <= 1.0 + 1e-9 { 100.0 } else { 1.0 };
    points.into_iter().map(|(d, v)| (d, v * k)).collect()
}

/// Blends a color towards white (for faint "raw weekly" lines).
fn faint(c: RGBColor) -> RGBColor {
    let f = |x: u8| (x as f64 * 0.35 + 255.0 * 0.65) as u8;
    RGBColor(f(c.0), f(c.1), f(c.2))
}

pub(super) fn norm(s: &str) -> String {
    s.to_lowercase().replace(['_', '-', ' '], "")
}

/// "brand" / "white_label" (any spelling) to display name.
fn kind_name(kind: &str) -> String {
    match norm(kind).as_str() {
        "brand" => "Brand".into(),
        "whitelabel" => "White label".into(),
        _ => kind.to_string(),
    }
}

fn kind_color(name: &str, i: usize) -> RGBColor {
    match name {
        "Brand" => BRAND,
        "White label" => WHITE_LABEL,
        _ => PALETTE[(i + 2) % PALETTE.len()],
    }
}

/// Display name of a platform id, e.g. "tiktok_shop" -> "TikTok Shop".
pub(super) fn platform_name(id: &str) -> String {
    match norm(id).as_str() {
        "amazon" => "Amazon".into(),
        "temu" => "Temu".into(),
        "shein" => "Shein".into(),
        "aliexpress" => "AliExpress".into(),
        "tiktok" | "tiktokshop" => "TikTok Shop".into(),
        "ebay" => "eBay".into(),
        "walmart" => "Walmart".into(),
        "localother" => "Local & other".into(),
        "etsy" => "Etsy".into(),
        "shopify" | "dtc" | "direct" => id.replace('_', " "),
        _ => title_case(id),
    }
}

/// Display name of a region id: the usual abbreviations ("latam" -> "LatAm", "mena" -> "MENA"),
/// other short ids upper-cased ("us" -> "US").
pub(super) fn region_name(id: &str) -> String {
    match id {
        "latam" => "LatAm".into(),
        "mena" => "MENA".into(),
        _ if id.len() <= 3 => id.to_uppercase(),
        _ => title_case(id),
    }
}

pub(super) fn title_case(s: &str) -> String {
    s.split(['_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Chart title naming the scenario(s).
pub(super) fn title(what: &str, runs: &[&RunData]) -> String {
    let names: Vec<&str> = runs.iter().map(|r| r.scenario.as_str()).collect();
    format!("{what} — scenario: {}", names.join(" vs "))
}

/// Union of the runs' date spans.
fn span_of(runs: &[&RunData]) -> Option<Span> {
    runs.iter().filter_map(|r| r.date_span()).reduce(|a, b| (a.0.min(b.0), a.1.max(b.1))).map(|(a, b)| Span::new(a, b))
}

/// Union of the runs' events, deduplicated, by date.
pub(super) fn events_of(runs: &[&RunData]) -> Vec<EventMark> {
    let mut ev: Vec<EventMark> = runs.iter().flat_map(|r| r.events.iter().cloned()).collect();
    ev.sort_by(|a, b| (a.date, &a.label).cmp(&(b.date, &b.label)));
    ev.dedup_by(|a, b| a.date == b.date && a.label == b.label);
    ev
}

/// Draws title and footnote; returns the body area in between and the date
/// span, or `None` (after drawing a "no data" note) when no run has any
/// dated row.
pub(super) fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title_text: &str,
    note: &str,
    runs: &[&RunData],
) -> R<Option<(DrawingArea<DB, Shift>, Span)>> {
    let span = span_of(runs);
    root.fill(&WHITE).ctx()?;
    let (w, _) = root.dim_in_pixel();
    let (head, body) = root.split_vertically(64);
    head.draw(&Text::new(
        title_text.to_string(),
        (w as i32 / 2, 34),
        bold(30.0).pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .ctx()?;
    let (_, h) = body.dim_in_pixel();
    let (body, foot) = body.split_vertically(h.saturating_sub(30));
    let shocks = runs.iter().any(|r| r.events.iter().any(|e| e.until.is_some()));
    let note = if shocks { format!("{note} Shaded: stochastic shocks (shocks.csv).") } else { note.to_string() };
    foot.draw(&Text::new(
        note,
        (16, 12),
        text(14.0).color(&RGBColor(100, 100, 100)).pos(Pos::new(HPos::Left, VPos::Center)),
    ))
    .ctx()?;
    let Some(span) = span else {
        let (w, h) = body.dim_in_pixel();
        body.draw(&Text::new(
            "No data: the run's CSV files have no rows",
            (w as i32 / 2, h as i32 / 2),
            text(22.0).color(&MARKER).pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .ctx()?;
        return Ok(None);
    };
    Ok(Some((body.margin(4, 0, 8, 8), span)))
}

/// Lays out `body` as an event strip over `n` stacked panels of equal height,
/// each split into (plot, legend).
pub(super) fn stacked<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    span: Span,
    events: &[EventMark],
    n: usize,
) -> R<Vec<PanelAreas<DB>>> {
    let (w, _) = body.dim_in_pixel();
    let panel_w = w as i32 - LEGEND_W as i32;
    let layout = strip_layout(body, span, events, panel_w)?;
    let (strip, rest) = body.split_vertically(layout.height());
    let (strip, _) = strip.split_horizontally(panel_w);
    layout.draw(&strip)?;
    Ok(rest.split_evenly((n, 1)).into_iter().map(|a| a.split_horizontally(panel_w)).collect())
}

pub(super) fn scenario_names<'a>(runs: &[&'a RunData]) -> Vec<&'a str> {
    runs.iter().map(|r| r.scenario.as_str()).collect()
}

/// Chart `seller_exits`: cumulative exits by seller kind and by exit reason.
pub fn draw_seller_exits<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    runs: &[&RunData],
) -> Result<(), PlotError> {
    ensure_fonts()?;
    wrap("seller_exits", seller_exits(root, runs))
}

fn seller_exits<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, runs: &[&RunData]) -> R<()> {
    let note = "Sources: segments.csv (exits by kind), ticks.csv (exits by reason); \
                real-seller units (sampled agents re-weighted). Dashed verticals: policy events.";
    let Some((body, span)) = frame(root, &title("Seller exits", runs), note, runs)? else {
        return Ok(());
    };
    let events = events_of(runs);
    let mut by_kind = Vec::new();
    let mut by_reason = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let dash = Dash::for_run(i);
        let mut kinds: BTreeMap<String, DateMap> = BTreeMap::new();
        for s in &run.segments {
            add(kinds.entry(kind_name(&s.kind)).or_default(), s.date, s.exits);
        }
        for (k, (name, map)) in kinds.iter().enumerate() {
            let mut s = Series::new(name.clone(), kind_color(name, k), cumulative(map));
            s.dash = dash;
            by_kind.push(s);
        }
        let reasons: [(&str, RGBColor, TickField); 4] = [
            ("All reasons", INK, |t| t.exits),
            ("Insolvent", PALETTE[3], |t| t.exits_insolvent),
            ("Sustained losses", PALETTE[4], |t| t.exits_sustained_losses),
            ("Regulatory", PALETTE[2], |t| t.exits_regulatory),
        ];
        for (name, color, get) in reasons {
            let mut map = DateMap::new();
            for t in &run.ticks {
                add(&mut map, t.date, get(t));
            }
            let mut s = Series::new(name, color, cumulative(&map));
            s.dash = dash;
            if name == "All reasons" {
                s.width = 2;
            }
            by_reason.push(s);
        }
    }
    let panels = stacked(&body, span, &events, 2)?;
    let names = scenario_names(runs);
    let spec = |caption, x_desc| PanelSpec {
        caption,
        y_desc: "Sellers exited, cumulative",
        x_desc,
        y_fmt: YFmt::Count,
        y_range: None,
        empty_note: "No exits recorded",
    };
    let (a, la) = &panels[0];
    line_panel(a, la, span, &spec("By seller kind", None), &by_kind, &events, &names)?;
    let (b, lb) = &panels[1];
    let spec_b = spec("By exit reason", Some("Week (date of simulated tick)"));
    line_panel(b, lb, span, &spec_b, &by_reason, &events, &names)
}

/// Chart `brand_vs_white_label`: brand GMV share, active sellers by kind and
/// profit margin by kind.
pub fn draw_brand_vs_white_label<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    runs: &[&RunData],
) -> Result<(), PlotError> {
    ensure_fonts()?;
    wrap("brand_vs_white_label", brand_vs_white_label(root, runs))
}

fn brand_vs_white_label<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, runs: &[&RunData]) -> R<()> {
    let note = "Sources: ticks.csv (GMV share, active sellers), segments.csv (margin = Σ profit / Σ revenue \
                over origins and sizes). Dashed verticals: policy events.";
    let Some((body, span)) = frame(root, &title("Brands vs white-label sellers", runs), note, runs)? else {
        return Ok(());
    };
    let events = events_of(runs);
    let (mut share, mut active, mut margin) = (Vec::new(), Vec::new(), Vec::new());
    for (i, run) in runs.iter().enumerate() {
        let dash = Dash::for_run(i);
        let raw =
            to_percent(run.ticks.iter().map(|t| (t.date, t.brand_gmv_share)).filter(|p| p.1.is_finite()).collect());
        if runs.len() == 1 {
            let mut s = Series::new("Weekly value", faint(BRAND), raw.clone());
            s.width = 1;
            share.push(s);
        }
        let mut s = Series::new("4-week moving average", BRAND, moving_avg(&raw, MA_WEEKS));
        s.dash = dash;
        share.push(s);
        for (name, color, get) in [
            ("Brand", BRAND, (|t| t.active_brand) as TickField),
            ("White label", WHITE_LABEL, |t| t.active_white_label),
        ] {
            let mut s = Series::new(name, color, run.ticks.iter().map(|t| (t.date, get(t))).collect());
            s.dash = dash;
            active.push(s);
        }
        let mut profit: BTreeMap<String, DateMap> = BTreeMap::new();
        let mut revenue: BTreeMap<String, DateMap> = BTreeMap::new();
        for s in &run.segments {
            let k = kind_name(&s.kind);
            add(profit.entry(k.clone()).or_default(), s.date, s.profit_usd);
            add(revenue.entry(k).or_default(), s.date, s.revenue_usd);
        }
        for (k, (name, rev)) in revenue.iter().enumerate() {
            let empty = DateMap::new();
            let prof = profit.get(name).unwrap_or(&empty);
            let rev_pts: Vec<_> = rev.iter().map(|(d, v)| (*d, *v)).collect();
            let prof_pts: Vec<_> = rev.keys().map(|d| (*d, prof.get(d).copied().unwrap_or(0.0))).collect();
            let (rev_ma, prof_ma) = (moving_avg(&rev_pts, MA_WEEKS), moving_avg(&prof_pts, MA_WEEKS));
            let pts = rev_ma
                .iter()
                .zip(&prof_ma)
                .filter(|(r, _)| r.1 > 1e-9)
                .map(|(r, p)| (r.0, 100.0 * p.1 / r.1))
                .collect();
            let mut s = Series::new(name.clone(), kind_color(name, k), pts);
            s.dash = dash;
            margin.push(s);
        }
    }
    let panels = stacked(&body, span, &events, 3)?;
    let names = scenario_names(runs);
    let share_desc = if runs.len() == 1 { "Brand share of GMV, %" } else { "Brand share of GMV, % (4-week avg)" };
    let specs = [
        (share_desc, "Brand share of GMV", YFmt::Percent, None, &share),
        ("Active sellers (real units)", "Active sellers by kind", YFmt::Count, None, &active),
        (
            "Profit margin, % (4-week avg)",
            "Profit margin by kind (profit / revenue)",
            YFmt::Percent,
            Some("Week (date of simulated tick)"),
            &margin,
        ),
    ];
    for ((y_desc, caption, y_fmt, x_desc, series), (area, legend)) in specs.into_iter().zip(&panels) {
        let spec = PanelSpec { caption, y_desc, x_desc, y_fmt, y_range: None, empty_note: "No data" };
        line_panel(area, legend, span, &spec, series, &events, &names)?;
    }
    Ok(())
}
