//! Each kind of scenario mistake gets a clear message and exit code 2 from both `sim validate`
//! and `sim run`, never a panic, and `sim run` writes nothing.

use crate::util::{Fixture, small_fixture};
use crossborder_sim::config;
use std::path::{Path, PathBuf};

/// Runs `sim validate FILE` and `sim run FILE --out out`; both must fail with exit code 2 and a
/// message that contains every one of `expected`.
#[track_caller]
fn rejected(f: &Fixture, file: &Path, expected: &[&str]) {
    let file = file.to_str().unwrap();
    for args in [vec!["validate", file], vec!["run", file, "--out", "out", "--quiet"]] {
        let err = f.sim(&args).usage_error();
        for e in expected {
            assert!(err.contains(e), "sim {args:?}: message lacks {e:?}:\n{err}");
        }
    }
    assert!(!f.path().join("out").exists(), "sim run created its output directory");
}

fn real_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/2026.ron")
}

fn real() -> config::Scenario {
    config::load(&real_path()).unwrap()
}

#[test]
fn the_shipped_scenario_and_the_fixture_are_valid() {
    let f = Fixture::new();
    for file in [real_path(), small_fixture()] {
        let r = f.sim(["validate", file.to_str().unwrap()]).ok();
        assert!(r.stdout.contains("valid scenario"), "{}", r.stdout);
    }
}

#[test]
fn a_ron_syntax_error_shows_file_line_column_and_the_line() {
    let f = Fixture::new();
    let text = std::fs::read_to_string(real_path()).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.trim_start().starts_with("name:")).unwrap();
    lines.insert(at + 1, "    seed: 12 13,");
    let file = f.write("broken.ron", &lines.join("\n"));
    rejected(&f, &file, &[&format!("broken.ron:{}:", at + 2), "seed: 12 13,", "^"]);
}

#[test]
fn an_unknown_field_names_itself_and_where_it_is() {
    let f = Fixture::new();
    let base = small_fixture().display().to_string();
    let file =
        f.write("extra.ron", &format!("(\n    base: {base:?},\n    name: \"extra\",\n    colour: \"red\",\n)\n"));
    rejected(&f, &file, &["extra.ron:4:", "colour"]);
}

#[test]
fn a_value_out_of_range_names_the_field_and_the_allowed_range() {
    let f = Fixture::new();
    let file = f.scenario("range", &[("platforms[2].take_rate", "1.4")]);
    rejected(&f, &file, &["range.ron", "platforms[2].take_rate: = 1.4: must be in [0, 1)"]);
    // Quantities without a natural bound have one too: these ran, and wrote NaN and infinity.
    let file =
        f.scenario("extreme", &[("scale.real_sellers", "1e-300"), ("sellers.small.fixed_cost_usd_week", "1e308")]);
    rejected(
        &f,
        &file,
        &[
            "scale.real_sellers: = 1e-300: must be in [1, 1e8]",
            "sellers.small.fixed_cost_usd_week: = 1e308: must be in [0, 1e7]",
        ],
    );
    // A whole file with a number where a whole number belongs.
    let text = std::fs::read_to_string(real_path()).unwrap();
    let at = text.find("weeks: ").unwrap() + "weeks: ".len();
    let end = at + text[at..].find(',').unwrap();
    let file = f.write("float.ron", &format!("{}156.5{}", &text[..at], &text[end..]));
    rejected(&f, &file, &["float.ron:", "calendar.weeks = 156.5: must be a whole number in [1, 2000]"]);
}

#[test]
fn an_unknown_id_reference_lists_the_known_ids() {
    let f = Fixture::new();
    let s = real();
    let file = f.scenario("idref", &[("platforms[0].regions[0].region", "\"atlantis\"")]);
    rejected(&f, &file, &["platforms[0].regions[0].region: = \"atlantis\": unknown id; known:", &s.regions[0].id]);
}

#[test]
fn an_event_outside_the_calendar_is_named() {
    let f = Fixture::new();
    let file = f.scenario("late", &[("events", "[(date: \"2031-01-06\", label: \"late\", set: { \"seed\": 1 })]")]);
    rejected(&f, &file, &["events[0].date: = \"2031-01-06\": outside the calendar"]);
}

#[test]
fn category_weights_that_do_not_sum_to_one_are_named() {
    let f = Fixture::new();
    let s = real();
    let category = &s.categories[0].id;
    let file = f.scenario("shares", &[(&format!("regions[0].category_weights.{category}"), "0.95")]);
    rejected(&f, &file, &["regions[0].category_weights: sums to", "shares must sum to 1"]);
}

#[test]
fn a_bad_field_path_in_an_overlay_names_the_nearest_valid_ones() {
    let f = Fixture::new();
    let platform = real().platforms[0].id.clone();
    let typo = format!("{platform}x");
    let file = f.scenario("path", &[(&format!("platforms[{typo}].take_rate"), "0.1")]);
    rejected(&f, &file, &[&format!("set[\"platforms[{typo}].take_rate\"]: no `{typo}` here; did you mean {platform}")]);
    let file = f.scenario("field", &[("consumers.candidats", "4")]);
    rejected(&f, &file, &["set[\"consumers.candidats\"]: no `candidats` here; did you mean candidates"]);
}

#[test]
fn a_bad_field_path_in_an_event_names_the_event_and_the_nearest_valid_ones() {
    let f = Fixture::new();
    let event = "[(date: \"2024-06-03\", label: \"typo\", set: { \"regulators[0].vatt\": 0.2 })]";
    let file = f.scenario("event_path", &[("events", event)]);
    rejected(&f, &file, &["events[0] (typo).set[\"regulators[0].vatt\"]: no `vatt` here; did you mean vat"]);
}

#[test]
fn a_missing_file_or_base_is_named() {
    let f = Fixture::new();
    rejected(&f, &f.path().join("nowhere.ron"), &["nowhere.ron: cannot read"]);
    let file = f.write("orphan.ron", "(base: \"gone.ron\", name: \"orphan\")");
    rejected(&f, &file, &["gone.ron: cannot read"]);
}
