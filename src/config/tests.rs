//! Loading and validation: overlays, events, and the message each kind of mistake gets.

use super::*;
use std::path::Path;

/// The real scenario file; these tests only rely on its ids, never on its tuned values.
fn real_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/2026.ron")
}

fn real() -> Scenario {
    load(&real_path()).expect("configs/2026.ron is valid")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// An overlay of the real scenario with the given `set` entries (RON text).
fn overlay(dir: &Path, sets: &str) -> PathBuf {
    let text = format!("(base: {:?}, name: \"o\", set: {{ {sets} }})", real_path().display().to_string());
    write(dir, "o.ron", &text)
}

/// The problems of an overlay, as the user sees them.
fn problems(sets: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    match load(&overlay(dir.path(), sets)) {
        Err(ConfigError::Invalid { errors, .. }) => errors.iter().map(ToString::to_string).collect(),
        other => panic!("expected validation problems for {sets}, got {other:?}"),
    }
}

fn validate_strings(s: &Scenario) -> Vec<String> {
    validate(s).iter().map(ToString::to_string).collect()
}

fn event(date: &str, label: &str, sets: &[(&str, &str)]) -> Event {
    Event {
        id: String::new(),
        enabled: true,
        date: date.into(),
        label: label.into(),
        set: sets.iter().map(|(k, v)| (k.to_string(), ron::from_str(v).unwrap())).collect(),
    }
}

#[test]
fn the_real_scenario_is_valid() {
    let s = real();
    assert!(validate(&s).is_empty());
    assert!(!s.events.is_empty());
}

#[test]
fn overlay_base_may_be_written_without_some() {
    // Regression: the overlay probe declared `base` as an Option, so RON demanded
    // `base: Some("...")` and every overlay written as documented failed with "Expected option".
    let dir = tempfile::tempdir().unwrap();
    let s = load(&overlay(dir.path(), "")).unwrap();
    assert_eq!(s.name, "o");
}

#[test]
fn overlay_sets_fields_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let base = real();
    let p0 = base.platforms[0].id.clone();
    let text = format!(
        "(base: {:?}, name: \"tweaked\", description: \"a test\", set: {{ \"platforms[{p0}].take_rate\": 0.2, \
         \"consumers.candidates\": 5, \"sellers.size_shares\": (0.5, 0.3, 0.2) }})",
        real_path().display().to_string()
    );
    let s = load(&write(dir.path(), "tweaked.ron", &text)).unwrap();
    let mut expected = to_value(&base);
    expected["name"] = "tweaked".into();
    expected["description"] = "a test".into();
    path::set(&mut expected, &format!("platforms[{p0}].take_rate"), 0.2.into()).unwrap();
    path::set(&mut expected, "consumers.candidates", 5.into()).unwrap();
    path::set(&mut expected, "sellers.size_shares", serde_json::json!([0.5, 0.3, 0.2])).unwrap();
    assert_eq!(to_value(&s), expected);
}

#[test]
fn overlay_paths_are_relative_to_each_file_and_later_files_win() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(real_path()).unwrap();
    write(dir.path(), "base/2026.ron", &text);
    write(
        dir.path(),
        "a/first.ron",
        "(base: \"../base/2026.ron\", name: \"first\", set: { \"consumers.candidates\": 6, \"seed\": 5 })",
    );
    let second = write(
        dir.path(),
        "second.ron",
        "(base: \"a/first.ron\", name: \"second\", set: { \"consumers.candidates\": 4 })",
    );
    let s = load(&second).unwrap();
    assert_eq!((s.name.as_str(), s.consumers.candidates, s.seed), ("second", 4, 5));
}

#[test]
fn an_overlay_that_shortens_the_calendar_leaves_out_later_events_with_a_note() {
    let base = real();
    let start = parse_date(&base.calendar.start).unwrap();
    let end = start + chrono::Duration::weeks(60);
    let late: Vec<&Event> = base.events.iter().filter(|e| e.enabled && parse_date(&e.date).unwrap() >= end).collect();
    assert!(!late.is_empty(), "configs/2026.ron has no event after week 60 to leave out");
    let dir = tempfile::tempdir().unwrap();
    let s = load(&overlay(dir.path(), "\"calendar.weeks\": 60")).unwrap();
    for (before, after) in base.events.iter().zip(&s.events) {
        let kept = before.enabled && parse_date(&before.date).unwrap() < end;
        assert_eq!(after.enabled, kept, "{}", before.label);
    }
    assert_eq!(s.notes.len(), late.len(), "{:?}", s.notes);
    for e in late {
        assert!(s.notes.iter().any(|n| n.contains(&e.label)), "no note for {}: {:?}", e.label, s.notes);
    }
}

#[test]
fn a_base_cycle_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.ron", "(base: \"b.ron\", name: \"a\")");
    let b = write(dir.path(), "b.ron", "(base: \"a.ron\", name: \"b\")");
    let e = load(&b).unwrap_err();
    assert!(matches!(e, ConfigError::BaseTooDeep { .. }), "{e}");
    assert!(e.to_string().contains("cycle"), "{e}");
}

#[test]
fn a_shock_start_date_may_be_written_without_some() {
    let text = std::fs::read_to_string(real_path()).unwrap();
    let marker = "shocks: [";
    assert!(text.contains(marker), "configs/2026.ron has no `{marker}` to extend");
    let text = text.replacen(
        marker,
        "shocks: [(label: \"ads\", target: Cpc, weekly_probability: 0.1, factor: 1.5, duration_weeks: 4, \
         from: \"2025-01-06\"),",
        1,
    );
    let s = from_str(&text, Path::new("shock.ron")).unwrap();
    assert_eq!(s.shocks[0].from.as_deref(), Some("2025-01-06"));
}

#[test]
fn an_enum_value_is_set_by_its_bare_name() {
    // Regression: a bare name in a `set` value was read as `()` and failed with "invalid type:
    // null, expected string or map", so no event could change a business model or shock target.
    let dir = tempfile::tempdir().unwrap();
    let shock = "[(label: \"ads\", target: Cpc, weekly_probability: 0.5, factor: 1.5, duration_weeks: 4)]";
    let s = load(&overlay(dir.path(), &format!("\"platforms[0].model\": SemiManaged, \"shocks\": {shock}"))).unwrap();
    assert_eq!(s.platforms[0].model, BusinessModel::SemiManaged);
    assert_eq!(s.shocks[0].target, ShockTarget::Cpc);
    // The same in an event of a scenario file, applied when its date comes.
    let text = std::fs::read_to_string(real_path()).unwrap();
    assert!(text.contains("events: ["), "configs/2026.ron has no `events: [` to extend");
    let event = "events: [(date: \"2024-06-03\", label: \"managed\", set: { \"platforms[0].model\": SemiManaged }),";
    let s = from_str(&text.replacen("events: [", event, 1), Path::new("event.ron")).unwrap();
    assert_eq!(apply_event(&s, &s.events[0]).unwrap().platforms[0].model, BusinessModel::SemiManaged);
}

#[test]
fn apply_event_changes_only_the_named_fields() {
    let s = real();
    let (p, r) = (s.platforms[0].id.clone(), s.platforms[0].regions[0].region.clone());
    let e = event(
        "2024-06-01",
        "leave",
        &[(&format!("platforms[{p}].regions[{r}].present"), "false"), (&format!("platforms[{p}].take_rate"), "0.3")],
    );
    let next = apply_event(&s, &e).unwrap();
    assert!(!next.platforms[0].regions[0].present);
    assert_eq!(next.platforms[0].take_rate, 0.3);
    let mut expected = to_value(&s);
    expected["platforms"][0]["regions"][0]["present"] = false.into();
    expected["platforms"][0]["take_rate"] = 0.3.into();
    assert_eq!(to_value(&next), expected);
}

#[test]
fn events_are_validated_in_date_order_not_file_order() {
    // Listed first but dated last: raise the most listings; dated first: raise the initial
    // listings above the old most. In date order the intermediate scenario is invalid.
    let mut s = real();
    let max = s.sellers.small.max_listings;
    let more = (max + 1).to_string();
    s.events = vec![
        event("2024-09-02", "raise max", &[("sellers.small.max_listings", &more)]),
        event("2024-03-04", "raise initial", &[("sellers.small.initial_listings", &more)]),
    ];
    let errors = validate_strings(&s);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("events[1] (raise initial) -> sellers.small.initial_listings"), "{errors:?}");
    // Swapping the dates makes every intermediate scenario valid.
    s.events[0].date = "2024-03-04".into();
    s.events[1].date = "2024-09-02".into();
    assert_eq!(validate_strings(&s), Vec::<String>::new());
}

#[test]
fn a_disabled_event_is_never_checked() {
    let mut s = real();
    let mut e = event("1999-01-01", "never", &[("platforms[nowhere].take_rate", "7.0")]);
    e.enabled = false;
    s.events.push(e);
    assert_eq!(validate_strings(&s), Vec::<String>::new());
    let i = s.events.len() - 1;
    s.events[i].enabled = true;
    let errors = validate_strings(&s);
    assert!(errors.iter().any(|e| e.starts_with(&format!("events[{i}].date")) && e.contains("outside")), "{errors:?}");
}

#[test]
fn an_overlay_can_switch_an_event_off_by_id() {
    let s = real();
    let Some(e) = s.events.iter().find(|e| !e.id.is_empty()) else { panic!("no event with an id") };
    let dir = tempfile::tempdir().unwrap();
    let off = load(&overlay(dir.path(), &format!("\"events[{}].enabled\": false", e.id))).unwrap();
    assert!(!off.events.iter().find(|x| x.id == e.id).unwrap().enabled);
}

#[test]
fn a_value_out_of_range_names_the_field_and_the_allowed_range() {
    let mut s = real();
    s.platforms[2].take_rate = 1.4;
    s.consumers.candidates = 0;
    assert_eq!(
        validate_strings(&s),
        ["platforms[2].take_rate: = 1.4: must be in [0, 1)", "consumers.candidates: = 0: must be in [1, 64]"]
    );
    let mut s = real();
    s.scale.real_sellers = f64::NAN;
    assert_eq!(validate_strings(&s), ["scale.real_sellers: = NaN: must be in [1, 1e8]"]);
    // Extreme numbers read without screenfuls of digits.
    let mut s = real();
    s.regions[0].purchase_probability = 1e308;
    s.categories[0].parcel_freight_usd = -2.5;
    assert_eq!(
        validate_strings(&s),
        [
            "regions[0].purchase_probability: = 1e308: must be in [1e-9, 1]",
            "categories[0].parcel_freight_usd: = -2.5: must be in [0, 1e5]"
        ]
    );
}

#[test]
fn quantities_without_a_natural_bound_have_one_that_keeps_the_sums_finite() {
    // Each of these, unbounded, ran and wrote NaN or infinity into exits.csv and
    // seller_years.csv.
    let mut s = real();
    s.scale.real_sellers = 1e-300;
    s.sellers.small.fixed_cost_usd_week = 1e308;
    s.regions[1].online_shoppers_m = 1e300;
    s.consumers.price_sensitivity_median = 1e200;
    assert_eq!(
        validate_strings(&s),
        [
            "scale.real_sellers: = 1e-300: must be in [1, 1e8]",
            "regions[1].online_shoppers_m: = 1e300: must be in (0, 10000]",
            "sellers.small.fixed_cost_usd_week: = 1e308: must be in [0, 1e7]",
            "consumers.price_sensitivity_median: = 1e200: must be in (0, 1000]"
        ]
    );
}

#[test]
fn an_unknown_id_reference_lists_the_known_ids() {
    let mut s = real();
    s.platforms[1].regions[0].region = "atlantis".into();
    let errors = validate_strings(&s);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("platforms[1].regions[0].region: = \"atlantis\": unknown id; known: "), "{errors:?}");
    assert!(errors[0].contains(&s.regions[0].id), "{errors:?}");
}

#[test]
fn shares_that_must_sum_to_one_and_do_not() {
    let mut s = real();
    let first = s.regions[0].category_weights.keys().next().unwrap().clone();
    *s.regions[0].category_weights.get_mut(&first).unwrap() += 0.25;
    let errors = validate_strings(&s);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("regions[0].category_weights: sums to 1.25"), "{errors:?}");
    assert!(errors[0].ends_with("shares must sum to 1"), "{errors:?}");
}

#[test]
fn an_event_outside_the_calendar_names_the_calendar() {
    let mut s = real();
    s.events.push(event("2040-01-01", "late", &[("seed", "1")]));
    let i = s.events.len() - 1;
    let errors = validate_strings(&s);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(&format!("events[{i}].date: = \"2040-01-01\": outside the calendar [")),
        "{errors:?}"
    );
}

#[test]
fn an_event_that_breaks_a_range_names_the_event_and_the_field() {
    let mut s = real();
    s.events = vec![event("2024-02-05", "greedy", &[("platforms[2].take_rate", "1.4")])];
    assert_eq!(validate_strings(&s), ["events[0] (greedy) -> platforms[2].take_rate: = 1.4: must be in [0, 1)"]);
}

#[test]
fn a_bad_field_path_names_the_key_and_the_nearest_valid_names() {
    let s = real();
    let p = s.platforms[0].id.clone();
    let misspelt = format!("{p}x");
    // A misspelt list id.
    let e = problems(&format!("\"platforms[{misspelt}].take_rate\": 0.1"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with(&format!("set[\"platforms[{misspelt}].take_rate\"]: no `{misspelt}` here")), "{e:?}");
    assert!(e[0].contains(&format!("did you mean {p}")), "{e:?}");
    // A misspelt field name at the end of the path.
    let e = problems(&format!("\"platforms[{p}].take_rat\": 0.1"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with(&format!("set[\"platforms[{p}].take_rat\"]: no `take_rat` here")), "{e:?}");
    assert!(e[0].contains("did you mean take_rate"), "{e:?}");
    // A value of the wrong type.
    let e = problems(&format!("\"platforms[{p}].take_rate\": \"high\""));
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0], format!("set[\"platforms[{p}].take_rate\"]: = \"high\": must be a number in [0, 1)"));
    // A number where a whole number belongs, and one past its type.
    let e = problems("\"calendar.weeks\": 156.0, \"sellers.small.max_listings\": -3");
    assert_eq!(
        e,
        [
            "set[\"calendar.weeks\"]: = 156.0: must be a whole number in [1, 2000]",
            "set[\"sellers.small.max_listings\"]: = -3: must be a whole number in [1, 16]"
        ]
    );
}

#[test]
fn a_bad_field_path_in_an_event_names_the_event_and_the_key() {
    let mut s = real();
    s.events = vec![event("2024-02-05", "typo", &[("regulators[0].vatt", "0.2")])];
    let errors = validate_strings(&s);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("events[0] (typo).set[\"regulators[0].vatt\"]: no `vatt` here"), "{errors:?}");
    assert!(errors[0].contains("did you mean vat"), "{errors:?}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut s = real();
    s.platforms[0].take_rate = -0.1;
    s.sellers.cn_share = 2.0;
    s.calendar.weeks = 0;
    assert_eq!(validate(&s).len(), 3, "{:?}", validate_strings(&s));
}

#[test]
fn a_syntax_error_shows_file_line_column_and_the_line() {
    let text = std::fs::read_to_string(real_path()).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.trim_start().starts_with("name:")).unwrap();
    lines.insert(at + 1, "    seed: 12 13,");
    let e = from_str(&lines.join("\n"), Path::new("broken.ron")).unwrap_err();
    let ConfigError::Syntax { line, col, ref text, .. } = e else { panic!("expected a syntax error, got {e}") };
    assert_eq!((line, col), (at + 2, 14), "{e}");
    assert_eq!(text, "    seed: 12 13,");
    let shown = e.to_string();
    assert!(shown.starts_with(&format!("broken.ron:{}:14: ", at + 2)), "{shown}");
    assert!(shown.contains("seed: 12 13,"), "{shown}");
}

#[test]
fn an_unknown_field_is_reported_where_it_is() {
    let text = std::fs::read_to_string(real_path()).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.trim_start().starts_with("name:")).unwrap();
    lines.insert(at + 1, "    colour: \"red\",");
    let e = from_str(&lines.join("\n"), Path::new("extra.ron")).unwrap_err();
    assert!(matches!(e, ConfigError::Syntax { line, .. } if line == at + 2), "{e}");
    assert!(e.to_string().contains("colour"), "{e}");
}

#[test]
fn a_missing_file_or_base_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let e = load(&dir.path().join("nope.ron")).unwrap_err();
    assert!(matches!(e, ConfigError::Io { .. }), "{e}");
    assert!(e.to_string().contains("nope.ron: cannot read"), "{e}");
    let o = write(dir.path(), "o.ron", "(base: \"gone.ron\", name: \"o\")");
    let e = load(&o).unwrap_err();
    assert!(e.to_string().contains("gone.ron: cannot read"), "{e}");
}

#[test]
fn an_event_that_rewrites_a_later_event_or_the_calendar_is_refused() {
    // Regression: an event could rewrite a later event's `set`, which the validator never saw
    // and the model then failed on mid-run (a panic), or change parts read only at the start.
    let mut s = real();
    let later = "{ \"platforms[amazon].take_rate\": 1.5 }";
    s.events = vec![
        event("2024-02-05", "rewrite", &[("events[1].set", later)]),
        event("2024-03-04", "later", &[("platforms[amazon].take_rate", "0.2")]),
        event("2024-04-01", "shorter", &[("calendar.weeks", "20")]),
        event("2024-05-06", "bigger", &[("scale.seller_agents", "100000")]),
        event("2024-06-03", "calmer", &[("shocks[0].weekly_probability", "0.001")]),
        event("2024-07-01", "no shocks", &[("shocks", "[]")]),
    ];
    let fixed = |i: usize, label: &str, what: &str| {
        format!(
            "events[{i}] ({label}): changes {what}, which is fixed when the run starts; events change policy, \
             platforms, sellers and consumers"
        )
    };
    assert_eq!(
        validate_strings(&s),
        [
            fixed(0, "rewrite", "`events`"),
            fixed(2, "shorter", "`calendar`"),
            fixed(3, "bigger", "`scale`"),
            fixed(5, "no shocks", "the number of `shocks`")
        ]
    );
}

#[test]
fn dates_outside_the_supported_years_are_refused_not_a_panic() {
    // Regression: a start near the end of chrono's range overflowed while checking events.
    for date in ["+262142-12-01", "-262143-01-01", "1899-12-31", "3000-01-01"] {
        let mut s = real();
        s.calendar.start = date.into();
        assert_eq!(
            validate_strings(&s),
            [format!("calendar.start: = \"{date}\": must be a date YYYY-MM-DD from 1900-01-01 to 2999-12-31")]
        );
    }
}

#[test]
fn a_path_set_twice_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let sets = "\"platforms[amazon].take_rate\": 0.5,\n\"platforms[amazon].take_rate\": 0.2";
    let e = load(&overlay(dir.path(), sets)).unwrap_err();
    let ConfigError::Syntax { line, ref message, .. } = e else { panic!("expected a syntax error, got {e}") };
    assert_eq!((line, message.as_str()), (2, "`platforms[amazon].take_rate` is set twice"));
}

#[test]
fn a_non_finite_value_in_set_is_named_as_such() {
    // Regression: NaN became JSON null on its way in, reported as "invalid type: null".
    for (value, shown) in [("NaN", "NaN"), ("inf", "inf"), ("-inf", "-inf")] {
        let sets = format!("\"platforms[amazon].take_rate\": {value}");
        assert_eq!(problems(&sets), [format!("set[\"platforms[amazon].take_rate\"]: = {shown}: not a finite number")]);
    }
}

#[test]
fn a_byte_order_mark_is_skipped_and_bytes_that_are_not_utf8_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(real_path()).unwrap();
    let bom = dir.path().join("bom.ron");
    std::fs::write(&bom, [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()).unwrap();
    assert!(load(&bom).is_ok());
    let bad = dir.path().join("bad.ron");
    std::fs::write(&bad, b"(\n  name: \"x\xff\",\n)\n").unwrap();
    let e = load(&bad).unwrap_err();
    let ConfigError::Syntax { line, col, .. } = e else { panic!("expected a syntax error, got {e}") };
    assert_eq!((line, col), (2, 11), "{e}");
    assert!(e.to_string().contains("not UTF-8"), "{e}");
}

#[test]
fn an_overlays_own_events_past_its_shortened_calendar_are_errors() {
    // Only the base's events are left out with a note; the overlay's own are checked.
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "(base: {:?}, name: \"o\", set: {{ \"calendar.weeks\": 20 }}, \
          add_events: [(id: \"mine\", date: \"2030-01-01\", label: \"Mine\", set: {{ \"platforms[amazon].take_rate\": 0.2 }})])",
        real_path().display().to_string()
    );
    let e = load(&write(dir.path(), "o.ron", &text)).unwrap_err().to_string();
    assert!(e.contains("= \"2030-01-01\": outside the calendar"), "{e}");
}

#[test]
fn a_sweep_file_loaded_as_a_scenario_says_what_it_is() {
    let sweep = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/sweeps/brand_tilt_grid.ron");
    let e = load(&sweep).unwrap_err().to_string();
    assert!(e.contains("in `Scenario`") && e.contains("this looks like a sweep file: run it with `sim sweep`"), "{e}");
}

/// The real scenario's text with the value after the first `field: ` replaced by `value`.
fn with_value(field: &str, value: &str) -> String {
    let text = std::fs::read_to_string(real_path()).unwrap();
    let key = format!(" {field}: ");
    let start = text.find(&key).unwrap_or_else(|| panic!("no {key:?}")) + key.len();
    let end = start + text[start..].find([',', ')']).unwrap();
    format!("{}{value}{}", &text[..start], &text[end..])
}

#[test]
fn a_value_of_the_wrong_kind_in_a_whole_file_names_the_field_and_its_range() {
    // RON alone says "Expected comma", "Integer is out of bounds", "Expected float".
    for (field, value, expected) in [
        ("weeks", "156.0", "calendar.weeks = 156.0: must be a whole number in [1, 2000]"),
        ("weeks", "-1", "calendar.weeks = -1: must be a whole number in [1, 2000]"),
        ("weeks", "\"x\"", "calendar.weeks = \"x\": must be a whole number in [1, 2000]"),
        ("max_listings", "99999999999", "sellers.small.max_listings = 99999999999: must be a whole number in [1, 16]"),
        ("take_rate", "\"x\"", "platforms[0].take_rate = \"x\": must be a number in [0, 1)"),
        // No narrower rule than the type's: its range.
        ("seed", "-1", "`seed` = -1: must be a whole number from 0 to 18446744073709551615"),
    ] {
        let err = from_str(&with_value(field, value), Path::new("s.ron")).unwrap_err().to_string();
        let first = err.lines().next().unwrap();
        assert!(first.starts_with("s.ron:") && first.ends_with(expected), "{field}: {value}: {err}");
    }
    // Windows line ends and characters of several bytes before the value.
    let text = with_value("weeks", "156.0").replacen("\n", " // 1 × 2 — ü\r\n", 5);
    let err = from_str(&text, Path::new("s.ron")).unwrap_err().to_string();
    assert!(
        err.lines().next().unwrap().ends_with("calendar.weeks = 156.0: must be a whole number in [1, 2000]"),
        "{err}"
    );
    // Other syntax errors keep RON's message.
    let err = from_str(&with_value("weeks", "156 157"), Path::new("s.ron")).unwrap_err().to_string();
    assert!(err.lines().next().unwrap().ends_with("Expected comma"), "{err}");
}
