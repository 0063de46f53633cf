//! The policy-event strip above a chart's panels: a dashed line at each event's date, labelled
//! next to it, or numbered with a key of the events when a busy stretch has too many labels to
//! stagger.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::common::{Ctx, MARKER, R, Span, plot_x_range, text};
use super::data::EventMark;

/// Height of a row of labels (or numbers) at the lines.
const STRIP_ROW_H: i32 = 24;
/// At most this many staggered rows of event labels (beyond it the strip numbers them).
const MAX_STRIP_ROWS: usize = 5;

/// Greedy row assignment for event labels of `(line x, width)`: returns (row, left x) per
/// label, each to the right of its line (left of it at the right edge) or, when `centred`,
/// centred on it. `None` if some label finds no free row among the first `max_rows`.
fn layout_labels(
    items: &[(i32, i32)],
    (lo, hi): (i32, i32),
    centred: bool,
    max_rows: usize,
) -> Option<Vec<(usize, i32)>> {
    let mut row_end: Vec<i32> = Vec::new();
    items
        .iter()
        .map(|&(x, w)| {
            let x0 = if centred {
                (x - w / 2).clamp(lo, (hi - w).max(lo))
            } else if x + 4 + w <= hi {
                x + 4
            } else {
                (x - 4 - w).max(lo)
            };
            let free = row_end.iter().position(|&end| x0 > end + 10);
            let row = match free {
                Some(row) => row,
                None if row_end.len() < max_rows => row_end.len(),
                None => return None,
            };
            if row == row_end.len() {
                row_end.push(x0 + w);
            } else {
                row_end[row] = x0 + w;
            }
            Some((row, x0))
        })
        .collect()
}

fn event_x(span: Span, d: NaiveDate, (lo, hi): (i32, i32)) -> i32 {
    let total = (span.end - span.start).num_days().max(1) as f64;
    let f = (d - span.start).num_days() as f64 / total;
    lo + (f * (hi - lo) as f64).round() as i32
}

/// Where one event's label (or number) goes in the strip.
struct Placed {
    /// What the box shows: the label, or the event's number in the key.
    text: String,
    row: usize,
    /// Left edge of the label box.
    x0: i32,
    /// x of the marker line.
    x_line: i32,
    /// Label box width.
    w: i32,
}

/// An event strip: each label next to its dashed line, staggered over at most
/// [`MAX_STRIP_ROWS`] rows; where the labels are too many and too close for that (a cluster
/// of policy changes in a few weeks), each line gets a number instead, and a key of the
/// numbered labels, in columns, heads the strip. The strip never takes more than
/// [`MAX_STRIP_SHARE`] of the height it is laid out in: tags of nearby lines merge ("3-7"), and
/// a key too long for its rows ends with "… and N more events: see events.csv".
pub(crate) struct StripLayout {
    placed: Vec<Placed>,
    /// The key's entries, column by column, and the key's column width and rows.
    key: Vec<String>,
    key_col_w: i32,
    key_rows: usize,
    /// Left edge of the panels' plot area, where the key starts.
    lo: i32,
}

/// Height of a row of the event key.
const KEY_ROW_H: i32 = 20;
/// Text size of the labels and numbers at the lines, and of the key.
const STRIP_TEXT: f64 = 15.0;
const KEY_TEXT: f64 = 14.0;
/// Most of the chart body's height the strip may take, so that the panels keep the rest however
/// many events a scenario has.
const MAX_STRIP_SHARE: f64 = 0.3;

impl StripLayout {
    fn key_height(&self) -> i32 {
        if self.key.is_empty() { 0 } else { self.key_rows as i32 * KEY_ROW_H + 10 }
    }

    /// Height in pixels of the strip: the key and the rows of labels or numbers.
    pub(crate) fn height(&self) -> u32 {
        let rows = self.placed.iter().map(|p| p.row + 1).max().unwrap_or(0);
        let tags = if rows == 0 { 0 } else { rows as i32 * STRIP_ROW_H + 8 };
        (self.key_height() + tags) as u32
    }

    /// Draws the strip in `strip` (same x extent as the panel below it): the key on top, and
    /// each label or number next to a dashed connector at its event's date.
    pub(crate) fn draw<DB: DrawingBackend>(&self, strip: &DrawingArea<DB, Shift>) -> R<()> {
        let (_, h) = strip.dim_in_pixel();
        let h = h as i32;
        let grey = RGBColor(70, 70, 70);
        for (i, entry) in self.key.iter().enumerate() {
            let (col, row) = (i / self.key_rows, i % self.key_rows);
            let at = (self.lo + col as i32 * self.key_col_w, 4 + row as i32 * KEY_ROW_H + KEY_ROW_H / 2);
            let style = text(KEY_TEXT).color(&grey).pos(Pos::new(HPos::Left, VPos::Center));
            strip.draw(&Text::new(entry.clone(), at, style)).ctx()?;
        }
        let row_top = |row: usize| h - 4 - (row as i32 + 1) * STRIP_ROW_H;
        for p in &self.placed {
            let y0 = row_top(p.row) + 4;
            strip
                .draw(&PathElement::new(vec![(p.x_line, y0), (p.x_line, h)], MARKER.mix(0.9).stroke_width(1)))
                .ctx()?;
        }
        for p in &self.placed {
            let y = row_top(p.row);
            strip
                .draw(&Rectangle::new([(p.x0, y + 1), (p.x0 + p.w, y + STRIP_ROW_H - 1)], WHITE.mix(0.92).filled()))
                .ctx()?;
            strip
                .draw(&Text::new(
                    p.text.clone(),
                    (p.x0 + 4, y + STRIP_ROW_H / 2),
                    text(STRIP_TEXT).color(&grey).pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .ctx()?;
        }
        Ok(())
    }
}

/// Numbers of events (1-based, in order) at lines `lines`, one tag per run of lines within `gap`
/// pixels of the run's first ("2-5"); returns each tag with the x of its first line.
fn tags_within(lines: &[i32], gap: i32) -> Vec<(String, i32)> {
    let mut tags = Vec::new();
    let mut first = 0;
    for i in 0..lines.len() {
        if i + 1 == lines.len() || lines[i + 1] - lines[first] > gap {
            tags.push((
                if i == first { format!("{}", i + 1) } else { format!("{}-{}", first + 1, i + 1) },
                lines[first],
            ));
            first = i + 1;
        }
    }
    tags
}

/// Lays out the event strip for the `events` in `span` over panels of width `panel_w`, in at
/// most [`MAX_STRIP_SHARE`] of the height of `area` (the strip and the panels under it).
pub(crate) fn strip_layout<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    span: Span,
    events: &[EventMark],
    panel_w: i32,
) -> R<StripLayout> {
    let range = plot_x_range(panel_w);
    let max_h = (f64::from(area.dim_in_pixel().1) * MAX_STRIP_SHARE) as i32;
    // Rows of labels or numbers that fit in the strip's share.
    let max_rows = (((max_h - 8) / STRIP_ROW_H).max(0) as usize).min(MAX_STRIP_ROWS);
    // In date order, and by label within a date, so that every chart numbers them alike.
    let mut evs: Vec<&EventMark> = events.iter().filter(|e| span.contains(e.date)).collect();
    evs.sort_by(|a, b| (a.date, &a.label).cmp(&(b.date, &b.label)));
    let width = |s: &str, size: f64| -> R<i32> { Ok(area.estimate_text_size(s, &text(size)).ctx()?.0 as i32) };
    let lines: Vec<i32> = evs.iter().map(|e| event_x(span, e.date, range)).collect();
    // (line x, box width) of each text at its line.
    let boxes = |texts: &[String], lines: &[i32]| -> R<Vec<(i32, i32)>> {
        texts.iter().zip(lines).map(|(t, &x)| Ok((x, width(t, STRIP_TEXT)? + 8))).collect()
    };
    let place = |texts: Vec<String>, items: Vec<(i32, i32)>, rows: Vec<(usize, i32)>| -> Vec<Placed> {
        texts
            .into_iter()
            .zip(items)
            .zip(rows)
            .map(|((text, (x_line, w)), (row, x0))| Placed { text, row, x0, x_line, w })
            .collect()
    };
    let empty = StripLayout { placed: Vec::new(), key: Vec::new(), key_col_w: 0, key_rows: 0, lo: range.0 };
    let labels: Vec<String> = evs.iter().map(|e| e.label.clone()).collect();
    let items = boxes(&labels, &lines)?;
    if let Some(rows) = layout_labels(&items, range, false, max_rows) {
        return Ok(StripLayout { placed: place(labels, items, rows), ..empty });
    }
    if max_rows == 0 {
        // No room for a strip at all (a tiny canvas): the panels still mark the dates.
        return Ok(empty);
    }
    // One number per event in the key; one tag per date on the strip ("2-5" for four events
    // of one week), or, when those need more rows than fit, one per cluster of nearby lines
    // (the gap doubles until they fit; one tag for all always does).
    let mut gap = 0;
    let (tags, items, rows) = loop {
        let (tags, tag_lines): (Vec<String>, Vec<i32>) = tags_within(&lines, gap).into_iter().unzip();
        let items = boxes(&tags, &tag_lines)?;
        if let Some(rows) = layout_labels(&items, range, true, max_rows) {
            break (tags, items, rows);
        }
        gap = (2 * gap).max(8);
    };
    let tag_rows = rows.iter().map(|(row, _)| row + 1).max().unwrap_or(0) as i32;
    let key_rows_max = ((max_h - tag_rows * STRIP_ROW_H - 8 - 10) / KEY_ROW_H).max(0) as usize;
    let mut key: Vec<String> =
        evs.iter().enumerate().map(|(i, e)| format!("{}  {}  {}", i + 1, e.date, e.label)).collect();
    let mut key_col_w = 0;
    for entry in &key {
        key_col_w = key_col_w.max(width(entry, KEY_TEXT)? + 28);
    }
    let columns = |col_w: i32| ((range.1 - range.0) / col_w.max(1)).max(1) as usize;
    if key_rows_max == 0 {
        key.clear();
    } else if key.len() > columns(key_col_w) * key_rows_max {
        // As many entries as fit, then a last line that says how many are left out and where.
        let source = |hidden: &[&EventMark]| {
            if hidden.iter().any(|e| e.until.is_some()) { "events.csv and shocks.csv" } else { "events.csv" }
        };
        let more = |n: usize, hidden: &[&EventMark]| format!("… and {n} more events: see {}", source(hidden));
        key_col_w = key_col_w.max(width(&more(evs.len(), &evs), KEY_TEXT)? + 28);
        let shown = columns(key_col_w) * key_rows_max - 1;
        key.truncate(shown);
        key.push(more(evs.len() - shown, &evs[shown..]));
    }
    let key_rows = key.len().div_ceil(columns(key_col_w));
    Ok(StripLayout { placed: place(tags, items, rows), key, key_col_w, key_rows, lo: range.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(date: &str, label: &str) -> EventMark {
        EventMark { date: date.parse().unwrap(), label: label.into(), until: None }
    }

    fn span() -> Span {
        Span::new("2024-01-01".parse().unwrap(), "2026-12-28".parse().unwrap())
    }

    /// Lays out `events` over a 1310-pixel panel, as the full-width charts do.
    fn layout(events: &[EventMark]) -> StripLayout {
        super::super::ensure_fonts().unwrap();
        let mut svg = String::new();
        let area = SVGBackend::with_string(&mut svg, (1600, 1000)).into_drawing_area();
        strip_layout(&area, span(), events, 1310).unwrap()
    }

    /// No two boxes of one row overlap.
    fn assert_apart(l: &StripLayout) {
        for (i, a) in l.placed.iter().enumerate() {
            for b in &l.placed[i + 1..] {
                let apart = a.x0 + a.w <= b.x0 || b.x0 + b.w <= a.x0;
                assert!(a.row != b.row || apart, "`{}` and `{}` overlap in row {}", a.text, b.text, a.row);
            }
        }
    }

    #[test]
    fn sparse_events_are_labelled_at_their_lines() {
        let events = [ev("2024-03-04", "EU duty"), ev("2025-05-05", "US tariffs"), ev("2026-06-29", "JP tax")];
        let l = layout(&events);
        assert!(l.key.is_empty());
        let texts: Vec<_> = l.placed.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["EU duty", "US tariffs", "JP tax"]);
        assert_apart(&l);
    }

    #[test]
    fn a_dense_cluster_gets_numbers_and_a_key_and_nothing_overlaps() {
        // Twelve long labels within six weeks: more than MAX_STRIP_ROWS rows of labels.
        let mut events: Vec<EventMark> = (0..12)
            .map(|i| ev(&format!("2025-01-{:02}", 6 + 2 * i), &format!("A rather long policy label number {i}")))
            .collect();
        events.push(ev("2025-01-06", "Another change the same week"));
        events.push(ev("2026-06-29", "Late change"));
        let l = layout(&events);
        // The key lists every event once, numbered in date order (by label within a date).
        assert_eq!(l.key.len(), events.len());
        assert!(l.key[0].starts_with("1  2025-01-06  A rather long policy label number 0"), "{}", l.key[0]);
        assert!(l.key[1].starts_with("2  2025-01-06  Another change"), "{}", l.key[1]);
        assert!(l.key[13].starts_with("14  2026-06-29  Late change"), "{}", l.key[13]);
        // The lines of the cluster are a few pixels apart: one tag per date would need a dozen
        // rows, so nearby lines share a tag ("1-4"); the late change keeps its own.
        let texts: Vec<_> = l.placed.iter().map(|p| p.text.as_str()).collect();
        assert!(texts[0].starts_with("1-"), "{texts:?}");
        assert_eq!(texts.last(), Some(&"14"));
        let mut next = 1;
        for t in &texts {
            let (a, b) = t.split_once('-').unwrap_or((t, t));
            assert_eq!(a.parse::<usize>().unwrap(), next, "{texts:?}");
            next = b.parse::<usize>().unwrap() + 1;
        }
        assert_eq!(next, 15, "every event is in one tag: {texts:?}");
        assert!(l.placed.iter().all(|p| p.row < MAX_STRIP_ROWS));
        assert_apart(&l);
        assert!(l.key_rows * (1310 / l.key_col_w as usize).max(1) >= l.key.len());
    }

    #[test]
    fn events_on_distinct_dates_get_one_tag_each_when_they_fit() {
        let events: Vec<EventMark> =
            (0..6).map(|i| ev(&format!("2025-{:02}-01", 1 + i), &format!("A rather long policy label {i}"))).collect();
        let mut dense = events.clone();
        dense.extend((0..6).map(|i| ev(&format!("2025-{:02}-08", 1 + i), &format!("Another long label {i}"))));
        let l = layout(&dense);
        assert_eq!(l.key.len(), 12);
        assert_eq!(l.placed.len(), 12, "{:?}", l.placed.iter().map(|p| &p.text).collect::<Vec<_>>());
    }

    #[test]
    fn a_key_too_long_for_its_share_of_the_chart_ends_with_a_count_of_the_rest() {
        // 58 events on distinct dates of a 20-week run, each with a 100-character label.
        let span = Span::new("2024-01-01".parse().unwrap(), "2024-05-13".parse().unwrap());
        let events: Vec<EventMark> = (0..58)
            .map(|i| {
                let date = span.start + chrono::Duration::days(2 * i);
                EventMark { date, label: format!("{i:03}{}", "x".repeat(97)), until: None }
            })
            .collect();
        super::super::ensure_fonts().unwrap();
        let mut svg = String::new();
        let area = SVGBackend::with_string(&mut svg, (1600, 1000)).into_drawing_area();
        let l = strip_layout(&area, span, &events, 1310).unwrap();
        assert!(l.height() <= 300, "the strip takes {} of 1000 pixels", l.height());
        let last = l.key.last().unwrap();
        let shown = l.key.len() - 1;
        assert_eq!(*last, format!("… and {} more events: see events.csv", 58 - shown));
        assert!(shown >= 5 && l.key[0].starts_with("1  2024-01-01  000x"), "{:?}", l.key);
        assert!(l.placed.iter().all(|p| p.row < MAX_STRIP_ROWS));
        assert_apart(&l);
    }

    #[test]
    fn labels_that_fit_no_row_are_reported() {
        let items: Vec<(i32, i32)> = (0..8).map(|i| (200 + i, 300)).collect();
        assert!(layout_labels(&items, (100, 1300), false, MAX_STRIP_ROWS).is_none());
        let rows = layout_labels(&items, (100, 1300), true, usize::MAX).unwrap();
        assert_eq!(rows.iter().map(|(row, _)| *row).collect::<Vec<_>>(), (0..8).collect::<Vec<_>>());
        assert!(layout_labels(&items[..MAX_STRIP_ROWS], (100, 1300), false, MAX_STRIP_ROWS).is_some());
    }
}
