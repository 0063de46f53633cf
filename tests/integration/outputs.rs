//! `sim run`: the files it writes, their columns, and how their numbers fit together.

use crate::util::{Csv, Fixture, SHORT, TINY_NO_PLOTS, small, small_fixture, small_run};
use crossborder_sim::output::{Manifest, OutputDir, summarize};
use crossborder_sim::{config, run};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// The output contract: every CSV file and its columns, in order.
const CONTRACT: [(&str, &[&str]); 8] = [
    (
        "ticks.csv",
        &[
            "tick",
            "date",
            "year",
            "active_sellers",
            "active_brand",
            "active_white_label",
            "entries",
            "exits",
            "exits_insolvent",
            "exits_sustained_losses",
            "exits_regulatory",
            "gmv_usd",
            "orders",
            "brand_gmv_share",
            "direct_parcel_gmv_share",
            "avg_cpc_usd",
            "duties_usd",
            "vat_usd",
            "seized_parcels",
        ],
    ),
    (
        "platforms.csv",
        &[
            "tick",
            "date",
            "platform",
            "region",
            "gmv_usd",
            "orders",
            "share_in_region",
            "active_listings",
            "cpc_usd",
            "marketing_usd",
            "take_rate",
            "cpm_usd",
        ],
    ),
    (
        "segments.csv",
        &[
            "tick",
            "date",
            "origin",
            "kind",
            "size",
            "active",
            "entries",
            "exits",
            "revenue_usd",
            "profit_usd",
            "ad_spend_usd",
            "cost_to_revenue",
        ],
    ),
    (
        "exits.csv",
        &[
            "tick",
            "date",
            "seller_id",
            "origin",
            "kind",
            "size",
            "category",
            "platform",
            "reason",
            "age_weeks",
            "cash_usd",
        ],
    ),
    (
        "seller_years.csv",
        &[
            "year",
            "seller_id",
            "origin",
            "kind",
            "size",
            "category",
            "platform",
            "revenue_usd",
            "profit_usd",
            "ad_spend_usd",
            "weeks_active",
            "exited",
        ],
    ),
    (
        "regions.csv",
        &[
            "tick",
            "date",
            "region",
            "gmv_usd",
            "cn_gmv_usd",
            "cn_direct_gmv_usd",
            "cn_revenue_usd",
            "cn_cost_usd",
            "duties_usd",
            "vat_usd",
            "seized_parcels",
        ],
    ),
    ("events.csv", &["date", "label"]),
    ("shocks.csv", &["start_date", "end_date", "label", "target", "factor", "weeks"]),
];

const CHARTS: [&str; 4] = ["seller_exits", "platform_share", "brand_vs_white_label", "ad_costs"];

/// Columns that count things and so are never negative.
const COUNTS: [&str; 15] = [
    "active_sellers",
    "active_brand",
    "active_white_label",
    "entries",
    "exits",
    "exits_insolvent",
    "exits_sustained_losses",
    "exits_regulatory",
    "orders",
    "seized_parcels",
    "active",
    "active_listings",
    "age_weeks",
    "weeks_active",
    "gmv_usd",
];

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_run_writes_every_file_with_its_contract_columns() {
    let dir = small_run();
    for (file, columns) in CONTRACT {
        assert_eq!(Csv::read(&dir.join(file)).header, columns, "{file}");
    }
    for file in ["manifest.json", "summary.json"] {
        assert!(json(&dir.join(file)).is_object(), "{file}");
    }
    for chart in CHARTS {
        let png = std::fs::read(dir.join(format!("plots/{chart}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000, "{chart}.png is not a drawn PNG");
        let svg = std::fs::read_to_string(dir.join(format!("plots/{chart}.svg"))).unwrap();
        assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"), "{chart}.svg is not an SVG");
    }
    // Nothing else is left behind (no temporary files).
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let mut expected: Vec<String> = CONTRACT.iter().map(|(f, _)| f.to_string()).collect();
    expected.extend(["manifest.json", "summary.json", "plots"].map(String::from));
    expected.sort();
    assert_eq!(names, expected);
}

#[test]
fn no_file_holds_nan_or_infinity_and_counts_are_never_negative() {
    let dir = small_run();
    for (file, _) in CONTRACT {
        let csv = Csv::read(&dir.join(file));
        for (i, row) in csv.rows.iter().enumerate() {
            for (name, value) in csv.header.iter().zip(row) {
                let v = value.to_ascii_lowercase();
                assert!(!["nan", "inf", "-inf", "infinity", "-infinity"].contains(&v.as_str()), "{file}:{i} {name}");
                if COUNTS.contains(&name.as_str()) {
                    let x: f64 = value.parse().unwrap_or_else(|_| panic!("{file}:{i} {name} = {value}"));
                    assert!(x >= 0.0, "{file}:{i} {name} = {value}");
                }
            }
        }
    }
    // serde_json writes a non-finite float as null: only an undefined growth may be null.
    fn walk(v: &serde_json::Value, path: &str) {
        match v {
            serde_json::Value::Null => assert!(path.ends_with(".gmv_growth"), "null (NaN?) at {path}"),
            serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| walk(x, &format!("{path}[{i}]"))),
            serde_json::Value::Object(m) => m.iter().for_each(|(k, x)| walk(x, &format!("{path}.{k}"))),
            _ => {}
        }
    }
    for file in ["manifest.json", "summary.json"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(!text.contains("NaN") && !text.contains("inf\""), "{file}");
        walk(&json(&dir.join(file)), file);
    }
}

#[test]
fn row_counts_agree_across_files() {
    let s = small();
    let dir = small_run();
    let weeks = s.calendar.weeks as usize;
    let ticks = Csv::read(&dir.join("ticks.csv"));
    assert_eq!(ticks.rows.len(), weeks);
    assert_eq!(ticks.nums("tick"), (0..weeks).map(|t| t as f64).collect::<Vec<_>>());
    let start = config::parse_date(&s.calendar.start).unwrap();
    for (t, date) in ticks.strs("date").iter().enumerate() {
        assert_eq!(*date, (start + chrono::Duration::weeks(t as i64)).to_string());
    }
    assert_eq!(Csv::read(&dir.join("segments.csv")).rows.len(), weeks * 12);
    assert_eq!(Csv::read(&dir.join("regions.csv")).rows.len(), weeks * s.regions.len());

    // Exits: one row per exiting seller agent, counted in real sellers in ticks.csv by reason.
    let weight = s.scale.real_sellers / f64::from(s.scale.seller_agents);
    let exits = Csv::read(&dir.join("exits.csv"));
    assert!(!exits.rows.is_empty(), "the small run has no exits at all");
    let mut per_tick: BTreeMap<(usize, &str), f64> = BTreeMap::new();
    for (tick, reason) in exits.nums("tick").iter().zip(exits.strs("reason")) {
        assert!(["insolvent", "sustained_losses", "regulatory"].contains(&reason), "{reason}");
        *per_tick.entry((*tick as usize, reason)).or_default() += 1.0;
        *per_tick.entry((*tick as usize, "all")).or_default() += 1.0;
    }
    for (column, reason) in [
        ("exits", "all"),
        ("exits_insolvent", "insolvent"),
        ("exits_sustained_losses", "sustained_losses"),
        ("exits_regulatory", "regulatory"),
    ] {
        for (t, real) in ticks.nums(column).iter().enumerate() {
            let agents = per_tick.get(&(t, reason)).copied().unwrap_or(0.0);
            assert_eq!(*real, (agents * weight).round(), "tick {t} {column}");
        }
    }
    for (t, row) in ticks.rows.iter().enumerate() {
        let n = |c: &str| row[ticks.col(c)].parse::<i64>().unwrap();
        assert_eq!(n("active_brand") + n("active_white_label"), n("active_sellers"), "tick {t}");
    }
    // Every exit closes the seller's year with `exited = true`.
    let years = Csv::read(&dir.join("seller_years.csv"));
    let exited = years.strs("exited").iter().filter(|x| **x == "true").count();
    assert_eq!(exited, exits.rows.len());

    // Each enabled event fires once, in the week that contains its date.
    let events = Csv::read(&dir.join("events.csv"));
    let enabled: Vec<_> = s.events.iter().filter(|e| e.enabled).collect();
    assert_eq!(events.rows.len(), enabled.len());
    for e in enabled {
        let i = events.strs("label").iter().position(|l| *l == e.label).unwrap_or_else(|| panic!("{}", e.label));
        let week = config::parse_date(&events.rows[i][0]).unwrap();
        let date = config::parse_date(&e.date).unwrap();
        assert!(week <= date && date < week + chrono::Duration::weeks(1), "{} fired in week {week}", e.label);
    }
}

#[test]
fn the_manifest_records_the_run() {
    let s = small();
    let dir = small_run();
    let m = json(&dir.join("manifest.json"));
    let config_path = small_fixture();
    assert_eq!(m["scenario"], "small");
    assert_eq!(m["config_path"], config_path.display().to_string());
    let digest: String =
        Sha256::digest(std::fs::read(&config_path).unwrap()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(m["config_sha256"], digest);
    let as_run: String = Sha256::digest(serde_json::to_vec(&s).unwrap()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(m["scenario_sha256"], as_run, "the digest of the scenario as loaded, bases applied");
    assert_eq!(m["seed"], s.seed);
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["threads"], 2);
    let cmd: Vec<&str> = m["command_line"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert_eq!(
        cmd[1..],
        ["run", &config_path.display().to_string(), "--out", &dir.display().to_string(), "--threads", "2", "--quiet"]
    );
    assert!(chrono::DateTime::parse_from_rfc3339(m["started_at"].as_str().unwrap()).is_ok(), "{}", m["started_at"]);
    assert!(m["wall_seconds"].as_f64().unwrap() > 0.0);
    assert!(m["agent_steps_per_second"].as_f64().unwrap() > 0.0);
    assert_eq!(m["agents"]["consumers"], s.scale.consumer_agents);
    assert_eq!(m["agents"]["sellers"], s.scale.seller_agents);
    assert_eq!(m["agents"]["platforms"], s.platforms.len());
    assert_eq!(m["agents"]["regulators"], s.regulators.len());
    assert_eq!(m["weeks"], s.calendar.weeks);

    let summary = json(&dir.join("summary.json"));
    assert_eq!(summary["scenario"], "small");
    assert_eq!(summary["seed"], s.seed);
    let years: Vec<i64> = summary["years"].as_array().unwrap().iter().map(|y| y["year"].as_i64().unwrap()).collect();
    let mut expected: Vec<i64> = Csv::read(&dir.join("ticks.csv")).nums("year").iter().map(|y| *y as i64).collect();
    expected.dedup();
    assert_eq!(years, expected);
    assert!(years.len() >= 2, "{years:?}");
}

/// Regression: sellers that exited in a week were left out of that week's region totals, so a
/// region's platform shares summed to more than 1 whenever exiting sellers had sold.
#[test]
fn platform_shares_in_a_region_sum_to_one() {
    let dir = small_run();
    let p = Csv::read(&dir.join("platforms.csv"));
    let mut share: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    let mut gmv: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    let (tick, region) = (p.col("tick"), p.col("region"));
    for (row, (s, g)) in p.rows.iter().zip(p.nums("share_in_region").into_iter().zip(p.nums("gmv_usd"))) {
        assert!((0.0..=1.0).contains(&s), "share {s} in {row:?}");
        *share.entry((&row[tick], &row[region])).or_default() += s;
        *gmv.entry((&row[tick], &row[region])).or_default() += g;
    }
    assert!(gmv.values().filter(|g| **g > 0.0).count() > 10, "hardly any region has GMV");
    let bad: Vec<_> = share.iter().filter(|(k, s)| gmv[*k] > 0.0 && (**s - 1.0).abs() > 1e-9).collect();
    assert!(
        bad.is_empty(),
        "{} of {} (tick, region) shares do not sum to 1, e.g. {:?}",
        bad.len(),
        share.len(),
        &bad[..bad.len().min(5)]
    );
}

#[test]
fn regions_and_platforms_add_up_to_the_world() {
    let dir = small_run();
    let ticks = Csv::read(&dir.join("ticks.csv"));
    assert!(!ticks.rows.is_empty());
    let sum_by_tick = |file: &str, column: &str| -> Vec<f64> {
        let csv = Csv::read(&dir.join(file));
        let mut sums = vec![0.0; ticks.rows.len()];
        for (t, v) in csv.nums("tick").iter().zip(csv.nums(column)) {
            sums[*t as usize] += v;
        }
        sums
    };
    // Both sides are sums of whole cents; only the float formatting of the parts may differ.
    let close = |a: f64, b: f64| (a - b).abs() <= 0.005 + 1e-12 * a.abs().max(b.abs());
    for (file, column, world) in [
        ("platforms.csv", "gmv_usd", "gmv_usd"),
        ("platforms.csv", "orders", "orders"),
        ("regions.csv", "gmv_usd", "gmv_usd"),
        ("regions.csv", "duties_usd", "duties_usd"),
        ("regions.csv", "vat_usd", "vat_usd"),
        ("regions.csv", "seized_parcels", "seized_parcels"),
    ] {
        for (t, (part, whole)) in sum_by_tick(file, column).into_iter().zip(ticks.nums(world)).enumerate() {
            assert!(close(part, whole), "tick {t}: sum of {file} {column} = {part}, ticks.csv {world} = {whole}");
        }
    }
}

#[test]
fn a_run_that_computed_a_number_that_is_not_finite_writes_nothing_and_keeps_the_run_before() {
    let fx = Fixture::new();
    let path = fx.scenario("tiny", &[TINY_NO_PLOTS, SHORT].concat());
    let scenario = config::load(&path).unwrap();
    let mut results = run::simulate(&scenario, scenario.seed, &mut |_, _| {});
    let manifest = Manifest::new(&scenario, &path, 1, &[], chrono::Utc::now(), &results).unwrap();
    let sha = crossborder_sim::output::scenario_sha256(&scenario);
    let dir = fx.path().join("out");
    let write = |results: &run::Results, force| {
        OutputDir::claim(&dir, force, &sha).unwrap().write_all(results, &summarize(results), &manifest)
    };
    write(&results, false).unwrap();
    let files = || -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
            .collect()
    };
    let before = files();
    assert!(before.contains_key("manifest.json"));

    results.ticks[5].gmv_usd = f64::NAN;
    let err = write(&results, true).unwrap_err();
    assert_eq!(err.exit_code(), 1, "{err}");
    assert!(err.to_string().contains("not finite (ticks.csv, row 6, column `gmv_usd`)"), "{err}");
    assert_eq!(files(), before, "the run before is left as it was");
}
