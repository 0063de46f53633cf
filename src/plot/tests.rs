//! Tests: synthetic output directories written by hand, then plotted.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use chrono::{Duration, NaiveDate};

use super::data::{EVENTS_COLUMNS, EXITS_COLUMNS, PLATFORMS_COLUMNS, SEGMENTS_COLUMNS, TICKS_COLUMNS};
use super::*;

/// Shape of a synthetic run.
struct Synth<'a> {
    scenario: &'a str,
    ticks: u32,
    platforms: &'a [&'a str],
    regions: &'a [&'a str],
    events: &'a [(&'a str, &'a str)],
}

/// Deterministic pseudo-noise in [-1, 1].
fn noise(seed: u64) -> f64 {
    let x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    ((x >> 33) % 2001) as f64 / 1000.0 - 1.0
}

fn write_synth(dir: &Path, s: &Synth<'_>) {
    fs::create_dir_all(dir).unwrap();
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let date = |t: u32| start + Duration::weeks(t as i64);
    fs::write(dir.join("manifest.json"), format!(r#"{{"scenario": "{}", "seed": 7}}"#, s.scenario)).unwrap();

    let mut ticks = TICKS_COLUMNS.join(",") + "\n";
    let mut platforms = PLATFORMS_COLUMNS.join(",") + ",extra_col\n";
    let mut segments = SEGMENTS_COLUMNS.join(",") + "\n";
    let mut exits = EXITS_COLUMNS.join(",") + "\n";
    for t in 0..s.ticks {
        let d = date(t);
        let f = t as f64 / s.ticks.max(1) as f64;
        let shock: f64 = if f > 0.45 { 1.0 } else { 0.0 };
        let (ins, loss, reg) = (40.0 + 20.0 * noise(t as u64), 25.0 + 60.0 * shock, (10.0 * shock).round());
        let (ab, aw) = (5000.0 + 2000.0 * f, 9000.0 - 3000.0 * f * shock);
        let share = 0.4 + 0.1 * f + 0.03 * noise(t as u64 + 99);
        writeln!(
            ticks,
            "{t},{d},2024,{},{ab},{aw},50,{},{ins},{loss},{reg},1.5e7,30000,{share:.4},0.3,0.9,1000,2000,3",
            ab + aw,
            ins + loss + reg
        )
        .unwrap();
        for (pi, p) in s.platforms.iter().enumerate() {
            for (ri, r) in s.regions.iter().enumerate() {
                let gmv = 1e6
                    * (pi as f64 + 1.0)
                    * (1.0 + 0.5 * ri as f64)
                    * (1.0 + if pi == 1 { 2.0 * f } else { 0.0 })
                    * (1.0 + 0.05 * noise((t * 31 + pi as u32 * 7 + ri as u32) as u64));
                let cpc = 0.5 + 0.3 * pi as f64 + 0.2 * f + 0.02 * noise(t as u64 * 3 + pi as u64);
                writeln!(platforms, "{t},{d},{p},{r},{gmv:.2},1000,0.2,500,{cpc:.3},1000,0.15,x").unwrap();
            }
        }
        for origin in ["cn", "local"] {
            for (kind, k) in [("brand", 1.0), ("white_label", 0.0)] {
                for size in ["small", "large"] {
                    let rev = 1e5 * (1.0 + k);
                    let profit = rev * (0.08 * k - 0.05 * shock + 0.02 * noise(t as u64 + 5));
                    let ex = (5.0 + 10.0 * (1.0 - k) * shock).round();
                    writeln!(segments, "{t},{d},{origin},{kind},{size},100,2,{ex},{rev},{profit:.2},900,0.9").unwrap();
                }
            }
        }
        if t % 5 == 0 {
            writeln!(exits, "{t},{d},s{t},cn,white_label,small,toys,temu,insolvent,12,-50").unwrap();
        }
    }
    let mut events = EVENTS_COLUMNS.join(",") + "\n";
    for (d, l) in s.events {
        writeln!(events, "{d},{l}").unwrap();
    }
    fs::write(dir.join("ticks.csv"), ticks).unwrap();
    fs::write(dir.join("platforms.csv"), platforms).unwrap();
    fs::write(dir.join("segments.csv"), segments).unwrap();
    fs::write(dir.join("exits.csv"), exits).unwrap();
    fs::write(dir.join("events.csv"), events).unwrap();
}

const SMALL: Synth<'static> = Synth {
    scenario: "test_scenario_x",
    ticks: 12,
    platforms: &["amazon", "temu", "tiktok_shop"],
    regions: &["us", "eu"],
    events: &[("2024-02-05", "US de minimis ends (cn)")],
};

#[test]
fn plot_dir_writes_all_charts() {
    let tmp = tempfile::tempdir().unwrap();
    write_synth(tmp.path(), &SMALL);
    let paths = plot_dir(tmp.path()).unwrap();
    assert_eq!(paths.len(), 8);
    for chart in Chart::ALL {
        for ext in ["png", "svg"] {
            let p = tmp.path().join("plots").join(format!("{}.{ext}", chart.name()));
            assert!(paths.contains(&p), "{} not returned", p.display());
            assert!(p.is_file(), "{} not written", p.display());
        }
        let png = fs::read(tmp.path().join("plots").join(format!("{}.png", chart.name()))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", chart.name());
        assert!(png.len() > 20_000, "{} PNG is only {} bytes", chart.name(), png.len());
        let svg = fs::read_to_string(tmp.path().join("plots").join(format!("{}.svg", chart.name()))).unwrap();
        assert!(svg.starts_with("<svg"), "{}", chart.name());
        assert!(svg.contains("test_scenario_x"), "{} SVG lacks scenario", chart.name());
        assert!(svg.contains("US de minimis ends (cn)"), "{} SVG lacks event label", chart.name());
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{}", chart.name());
    }
    // No temporary files are left behind.
    let leftovers: Vec<_> = fs::read_dir(tmp.path().join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Re-plotting an existing run overwrites in place.
    assert_eq!(plot_dir(tmp.path()).unwrap().len(), 8);
}

/// Regression: a scenario with many long-labelled events (58 events on distinct dates with
/// 100-character labels, or 130 with 60-character ones, in a 20-week run) had an event key taller
/// than the chart body, and plotters spun forever filling a stacked panel of negative height.
/// `plot_dir` runs in a thread so that a regression fails the test instead of hanging it.
#[test]
fn plot_hangs_no_more_on_many_long_event_labels() {
    for (count, label_len) in [(58, 100), (130, 60)] {
        let tmp = tempfile::tempdir().unwrap();
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let owned: Vec<(String, String)> = (0..count)
            .map(|i| {
                let date = start + Duration::days(i as i64 * 133 / count as i64);
                (date.to_string(), format!("{i:03}{}", "x".repeat(label_len - 3)))
            })
            .collect();
        let events: Vec<(&str, &str)> = owned.iter().map(|(d, l)| (d.as_str(), l.as_str())).collect();
        write_synth(tmp.path(), &Synth { ticks: 20, events: &events, ..SMALL });
        let dir = tmp.path().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(plot_dir(&dir)));
        let paths = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("plot_dir still running after 60 s with {count} events"))
            .unwrap();
        assert_eq!(paths.len(), 8);
        for chart in Chart::ALL {
            let svg = fs::read_to_string(tmp.path().join("plots").join(format!("{}.svg", chart.name()))).unwrap();
            assert!(svg.contains("more events: see events.csv"), "{} with {count} events", chart.name());
            // Every panel is drawn: its caption is there.
            let captions: &[&str] = match chart {
                Chart::SellerExits => &["By seller kind", "By exit reason"],
                Chart::PlatformShare => &["All regions", "\nUS\n</text>", "\nEU\n</text>"],
                Chart::BrandVsWhiteLabel => &["Brand share of GMV", "Active sellers by kind", "Profit margin by kind"],
                Chart::AdCosts => &["Cost per click (CPC) by platform"],
            };
            for caption in captions {
                assert!(svg.contains(caption), "{} lacks panel `{caption}` with {count} events", chart.name());
            }
        }
    }
}

#[test]
fn load_run_reads_all_files() {
    let tmp = tempfile::tempdir().unwrap();
    write_synth(tmp.path(), &SMALL);
    let run = load_run(tmp.path()).unwrap();
    assert_eq!(run.scenario, "test_scenario_x");
    assert_eq!(run.ticks.len(), 12);
    assert_eq!(run.platforms.len(), 12 * 3 * 2);
    assert_eq!(run.segments.len(), 12 * 8);
    assert_eq!(run.exits.len(), 3);
    assert_eq!(run.events.len(), 1);
    assert_eq!(run.events[0].label, "US de minimis ends (cn)");
}

#[test]
fn missing_file_is_reported_by_name() {
    for name in ["ticks.csv", "platforms.csv", "segments.csv", "manifest.json"] {
        let tmp = tempfile::tempdir().unwrap();
        write_synth(tmp.path(), &SMALL);
        fs::remove_file(tmp.path().join(name)).unwrap();
        match plot_dir(tmp.path()) {
            Err(PlotError::Missing { path }) => assert!(path.ends_with(name), "{}", path.display()),
            other => panic!("{name}: expected Missing, got {other:?}"),
        }
        let msg = plot_dir(tmp.path()).unwrap_err().to_string();
        assert!(msg.contains(name), "{msg}");
    }
}

#[test]
fn optional_files_may_be_absent() {
    let tmp = tempfile::tempdir().unwrap();
    write_synth(tmp.path(), &SMALL);
    fs::remove_file(tmp.path().join("events.csv")).unwrap();
    fs::remove_file(tmp.path().join("exits.csv")).unwrap();
    assert_eq!(plot_dir(tmp.path()).unwrap().len(), 8);
}

#[test]
fn bad_value_reports_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    write_synth(tmp.path(), &SMALL);
    let path = tmp.path().join("platforms.csv");
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    // Line 3 of the file = second record; column 5 = gmv_usd.
    let mut fields: Vec<&str> = lines[2].split(',').collect();
    fields[4] = "lots";
    lines[2] = fields.join(",");
    fs::write(&path, lines.join("\n")).unwrap();
    match plot_dir(tmp.path()) {
        Err(PlotError::Csv { path, line, column, message }) => {
            assert!(path.ends_with("platforms.csv"));
            assert_eq!(line, 3);
            assert_eq!(column.as_deref(), Some("gmv_usd"));
            assert!(!message.is_empty());
        }
        other => panic!("expected Csv, got {other:?}"),
    }
    let msg = plot_dir(tmp.path()).unwrap_err().to_string();
    assert!(msg.contains("platforms.csv:3") && msg.contains("gmv_usd"), "{msg}");
}

#[test]
fn bad_date_and_short_record_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    write_synth(tmp.path(), &SMALL);
    let path = tmp.path().join("events.csv");
    fs::write(&path, "date,label\n2024-13-40,oops\n").unwrap();
    match plot_dir(tmp.path()) {
        Err(PlotError::Csv { path, line, message, .. }) => {
            assert!(path.ends_with("events.csv"));
            assert_eq!(line, 2);
            assert!(message.contains("2024-13-40") && message.contains("date"), "{message}");
        }
        other => panic!("expected Csv, got {other:?}"),
    }
    fs::write(&path, "date,label\n2024-02-05\n").unwrap();
    assert!(matches!(plot_dir(tmp.path()), Err(PlotError::Csv { line: 2, .. })));
}

#[test]
fn missing_column_is_reported_on_header_line() {
    let tmp = tempfile::tempdir().unwrap();
    write_synth(tmp.path(), &SMALL);
    let path = tmp.path().join("segments.csv");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replacen("profit_usd", "profit", 1)).unwrap();
    match plot_dir(tmp.path()) {
        Err(PlotError::Csv { path, line, message, .. }) => {
            assert!(path.ends_with("segments.csv"));
            assert_eq!(line, 1);
            assert!(message.contains("profit_usd"), "{message}");
        }
        other => panic!("expected Csv, got {other:?}"),
    }
}

#[test]
fn bad_manifest_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    write_synth(tmp.path(), &SMALL);
    fs::write(tmp.path().join("manifest.json"), r#"{"seed": 1}"#).unwrap();
    assert!(matches!(plot_dir(tmp.path()), Err(PlotError::Json { .. })));
    fs::write(tmp.path().join("manifest.json"), "not json").unwrap();
    assert!(matches!(plot_dir(tmp.path()), Err(PlotError::Json { .. })));
}

#[test]
fn empty_and_degenerate_runs_still_draw() {
    // Header-only files.
    let tmp = tempfile::tempdir().unwrap();
    write_synth(tmp.path(), &Synth { ticks: 0, events: &[], ..SMALL });
    assert_eq!(plot_dir(tmp.path()).unwrap().len(), 8);
    // A single tick, zero GMV, empty and NaN numbers.
    let tmp = tempfile::tempdir().unwrap();
    write_synth(tmp.path(), &Synth { ticks: 1, ..SMALL });
    let p = tmp.path().join("platforms.csv");
    let text = fs::read_to_string(&p).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out += line;
        } else {
            let mut f: Vec<&str> = line.split(',').collect();
            f[4] = "0";
            f[8] = if i % 2 == 0 { "" } else { "NaN" };
            out += &f.join(",");
        }
        out.push('\n');
    }
    fs::write(&p, out).unwrap();
    let paths = plot_dir(tmp.path()).unwrap();
    for p in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "svg")) {
        let svg = fs::read_to_string(p).unwrap();
        assert!(!svg.contains("NaN"), "{}", p.display());
    }
}

#[test]
fn two_runs_can_be_overlaid() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    write_synth(&a, &Synth { scenario: "baseline", ..SMALL });
    write_synth(&b, &Synth { scenario: "tariff_shock", ticks: 15, ..SMALL });
    let (ra, rb) = (load_run(&a).unwrap(), load_run(&b).unwrap());
    let out = tmp.path().join("compare");
    let paths = write_charts(&out, &[&ra, &rb]).unwrap();
    assert_eq!(paths.len(), 8);
    let svg = fs::read_to_string(out.join("seller_exits.svg")).unwrap();
    assert!(svg.contains("baseline") && svg.contains("tariff_shock"));
}

#[test]
fn error_messages_name_location() {
    assert_eq!(location(0, None), "");
    assert_eq!(location(4, None), ":4");
    assert_eq!(location(4, Some("date")), ":4, column `date`");
}

/// Renders a realistic-size sample into `$PLOT_SAMPLE_DIR` (default: the
/// system temp dir) for visual inspection: `cargo test -- --ignored`.
#[test]
#[ignore]
fn render_sample_for_inspection() {
    let dir = std::env::var_os("PLOT_SAMPLE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("crossborder-plot-sample"));
    let synth = Synth {
        scenario: "us_de_minimis_repeal",
        ticks: 156,
        platforms: &["amazon", "temu", "shein", "aliexpress", "tiktok_shop", "ebay"],
        regions: &["us", "eu", "uk", "jp", "au"],
        events: &[
            ("2024-06-03", "EU customs reform announced"),
            ("2025-05-02", "US de minimis ends (cn)"),
            ("2025-05-19", "US tariff 145% on cn goods"),
            ("2025-08-29", "US de minimis ends (all)"),
            ("2026-07-01", "EU €3 duty per item"),
        ],
    };
    write_synth(&dir, &synth);
    let paths = plot_dir(&dir).unwrap();
    eprintln!("{paths:#?}");
    // An overlay of two scenarios, as `sim compare` would draw it.
    let other = dir.join("other");
    write_synth(&other, &Synth { scenario: "baseline", ticks: 140, events: &synth.events[..1], ..synth });
    let (a, b) = (load_run(&dir).unwrap(), load_run(&other).unwrap());
    eprintln!("{:#?}", write_charts(&dir.join("compare"), &[&a, &b]).unwrap());
    // A short run, and an empty one.
    let small = dir.join("small");
    write_synth(&small, &SMALL);
    eprintln!("{:#?}", plot_dir(&small).unwrap());
    let empty = dir.join("empty");
    write_synth(&empty, &Synth { ticks: 0, ..synth });
    eprintln!("{:#?}", plot_dir(&empty).unwrap());
}

#[test]
fn a_shock_gets_a_key_entry_and_a_shaded_band_in_every_chart() {
    let tmp = tempfile::tempdir().unwrap();
    write_synth(tmp.path(), &SMALL);
    let shocks =
        "start_date,end_date,label,target,factor,weeks\n2024-01-15,2024-01-29,Freight spike,freight_cn,1.6,3\n";
    fs::write(tmp.path().join("shocks.csv"), shocks).unwrap();
    let run = load_run(tmp.path()).unwrap();
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let shock = run.events.iter().find(|e| e.until.is_some()).expect("the shock is read with the events");
    // The band ends with the shock's last week.
    assert_eq!((shock.date, shock.until), (d("2024-01-15"), Some(d("2024-02-05"))));
    assert_eq!(shock.label, "Freight spike: x1.6 for 3 weeks");
    plot_dir(tmp.path()).unwrap();
    for chart in Chart::ALL {
        let svg = fs::read_to_string(tmp.path().join("plots").join(format!("{}.svg", chart.name()))).unwrap();
        assert!(svg.contains("Freight spike: x1.6 for 3 weeks"), "{} lacks the shock's label", chart.name());
        assert!(svg.contains("Shaded: stochastic shocks"), "{} lacks the note", chart.name());
        assert!(shaded_rects(&svg) >= 1, "{} has no shaded band", chart.name());
    }
    // Without shocks.csv (an output of an older version) nothing is shaded.
    fs::remove_file(tmp.path().join("shocks.csv")).unwrap();
    plot_dir(tmp.path()).unwrap();
    let svg = fs::read_to_string(tmp.path().join("plots/ad_costs.svg")).unwrap();
    assert_eq!(shaded_rects(&svg), 0);
    assert!(!svg.contains("Shaded"));
}

/// Rectangles drawn with a shock band's opacity (line panels 0.12, stacked panels 0.35).
fn shaded_rects(svg: &str) -> usize {
    let tags = svg.split("<rect").skip(1).map(|r| &r[..r.find('>').unwrap_or(r.len())]);
    tags.filter(|t| t.contains(r#"opacity="0.12""#) || t.contains(r#"opacity="0.35""#)).count()
}
