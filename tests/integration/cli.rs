//! The `sim` command line: reproducibility, the output directory rules, usage and exit codes.

use crate::util::{Fixture, TINY, TINY_NO_PLOTS, small_fixture, small_run};
use std::collections::BTreeMap;
use std::path::Path;

/// Every file under `dir` (relative path to bytes), except the manifest, which holds timings.
fn files_but_manifest(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                if name != "manifest.json" {
                    out.insert(name, std::fs::read(&path).unwrap());
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn same_config_and_seed_give_identical_files_with_one_or_two_threads() {
    let f = Fixture::new();
    let (config, one) = (small_fixture(), f.path().join("one"));
    f.sim(["run", config.to_str().unwrap(), "--out", one.to_str().unwrap(), "--threads", "1", "--quiet"]).ok();
    let a = files_but_manifest(&one);
    let b = files_but_manifest(small_run());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert!(a.keys().any(|k| k.ends_with(".png")) && a.keys().any(|k| k.ends_with(".svg")));
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs between --threads 1 and --threads 2");
    }
}

#[test]
fn another_seed_gives_other_results_and_is_recorded() {
    let f = Fixture::new();
    let (config, out) = (small_fixture(), f.path().join("seeded"));
    f.sim(["run", config.to_str().unwrap(), "--out", out.to_str().unwrap(), "--seed", "99", "--quiet"]).ok();
    let read = |dir: &Path, file: &str| std::fs::read(dir.join(file)).unwrap();
    assert_ne!(read(&out, "ticks.csv"), read(small_run(), "ticks.csv"));
    let manifest: serde_json::Value = serde_json::from_slice(&read(&out, "manifest.json")).unwrap();
    assert_eq!(manifest["seed"], 99);
    let summary: serde_json::Value = serde_json::from_slice(&read(&out, "summary.json")).unwrap();
    assert_eq!(summary["seed"], 99);
}

#[test]
fn a_foreign_non_empty_directory_is_refused_and_left_untouched() {
    let f = Fixture::new();
    let config = f.scenario("tiny", TINY);
    f.write("mine/notes.txt", "keep me");
    let err = f.sim(["run", config.to_str().unwrap(), "--out", "mine", "--quiet"]).usage_error();
    assert!(err.contains("mine") && err.contains("--force"), "{err}");
    let left: Vec<_> = std::fs::read_dir(f.path().join("mine")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["notes.txt"]);
    assert_eq!(std::fs::read_to_string(f.path().join("mine/notes.txt")).unwrap(), "keep me");

    // --force writes the run next to what is there.
    f.sim(["run", config.to_str().unwrap(), "--out", "mine", "--quiet", "--force"]).ok();
    assert_eq!(std::fs::read_to_string(f.path().join("mine/notes.txt")).unwrap(), "keep me");
    assert!(f.path().join("mine/ticks.csv").is_file() && f.path().join("mine/manifest.json").is_file());
}

#[test]
fn a_previous_run_is_rewritten_only_by_the_same_scenario_and_seed_or_with_force() {
    let f = Fixture::new();
    let config = f.scenario("tiny", TINY);
    let config = config.to_str().unwrap();
    let read = |name: &str| std::fs::read(f.path().join("out").join(name)).unwrap();
    let seed = |m: Vec<u8>| serde_json::from_slice::<serde_json::Value>(&m).unwrap()["seed"].clone();
    f.sim(["run", config, "--out", "out", "--quiet"]).ok();
    let (ticks, manifest) = (read("ticks.csv"), read("manifest.json"));

    // The same scenario and seed reproduce the same files, so a rerun may rewrite them.
    f.sim(["run", config, "--out", "out", "--quiet", "--threads", "1"]).ok();
    assert_eq!(read("ticks.csv"), ticks);
    assert_ne!(read("manifest.json"), manifest, "the rerun wrote its own manifest");

    // Another seed, or another scenario, would replace a different result: refused, untouched.
    let manifest = read("manifest.json");
    let err = f.sim(["run", config, "--out", "out", "--quiet", "--seed", "5"]).usage_error();
    assert!(err.contains("out") && err.contains("another run") && err.contains("--force"), "{err}");
    assert!(err.contains("scenario `tiny`"), "the message names what is there: {err}");
    let edited = f.scenario("tiny", &[TINY, &[("calendar.weeks", "20")]].concat());
    let err = f.sim(["run", edited.to_str().unwrap(), "--out", "out", "--quiet"]).usage_error();
    assert!(err.contains("another run"), "{err}");
    assert_eq!((read("ticks.csv"), read("manifest.json")), (ticks.clone(), manifest));

    // --force replaces it.
    assert!(f.path().join("out/plots/ad_costs.png").is_file());
    f.sim(["run", config, "--out", "out", "--quiet", "--seed", "5", "--force"]).ok();
    assert_ne!(read("ticks.csv"), ticks);
    assert_eq!(seed(read("manifest.json")), 5);
    // ... charts included: a replacing run without plots leaves none of the old run's behind.
    let no_plots = f.scenario("tiny_no_plots", TINY_NO_PLOTS);
    f.sim(["run", no_plots.to_str().unwrap(), "--out", "out", "--quiet", "--force"]).ok();
    assert!(!f.path().join("out/plots").exists());
}

#[test]
fn a_directory_another_run_is_writing_into_is_refused() {
    let f = Fixture::new();
    let config = f.scenario("tiny", TINY);
    let config = config.to_str().unwrap();
    // What a run holds while it writes: the lock on out/.sim.lock.
    std::fs::create_dir(f.path().join("out")).unwrap();
    let lock = std::fs::File::create(f.path().join("out/.sim.lock")).unwrap();
    lock.try_lock().unwrap();
    let err = f.sim(["run", config, "--out", "out", "--quiet", "--force"]).usage_error();
    assert!(err.contains("another `sim run` is writing here"), "{err}");
    assert!(!f.path().join("out/ticks.csv").exists());
    // A lock file nobody holds (left by a killed run) does not stop a run, which removes it.
    drop(lock);
    f.sim(["run", config, "--out", "out", "--quiet"]).ok();
    assert!(f.path().join("out/manifest.json").is_file() && !f.path().join("out/.sim.lock").exists());
}

#[test]
fn compare_writes_where_no_other_result_is() {
    let f = Fixture::new();
    let config = f.scenario("tiny", TINY_NO_PLOTS);
    let config = config.to_str().unwrap();
    for (dir, seed) in [("a/seed-1", "1"), ("b/seed-1", "2"), ("c/seed-1", "3")] {
        f.sim(["run", config, "--out", dir, "--seed", seed, "--quiet"]).ok();
    }
    // Runs of the same name are told apart by their parents.
    f.sim(["compare", "a/seed-1", "b/seed-1"]).ok();
    let out = f.path().join("outputs/compare-a-seed-1-vs-b-seed-1");
    assert!(out.join("ad_costs.png").is_file() && out.join("compare.json").is_file());
    f.sim(["compare", "a/seed-1", "b/seed-1"]).ok(); // the same comparison again
    // Another comparison, or a run's own directory, is not overwritten without --force.
    let err = f.sim(["compare", "a/seed-1", "c/seed-1", "--out", out.to_str().unwrap()]).usage_error();
    assert!(err.contains("holds the comparison of") && err.contains("--force"), "{err}");
    let err = f.sim(["compare", "a/seed-1", "c/seed-1", "--out", "a/seed-1"]).usage_error();
    assert!(err.contains("not a comparison's plots"), "{err}");
    assert!(!f.path().join("a/seed-1/ad_costs.png").exists());
    f.sim(["compare", "a/seed-1", "c/seed-1", "--out", out.to_str().unwrap(), "--force"]).ok();
}

#[test]
fn an_output_path_that_is_a_file_is_refused() {
    let f = Fixture::new();
    let config = f.scenario("tiny", TINY);
    f.write("taken", "a file");
    let err = f.sim(["run", config.to_str().unwrap(), "--out", "taken", "--quiet"]).usage_error();
    assert!(err.contains("taken") && err.contains("not a directory"), "{err}");
    // The same for a sweep (it used to fail with an OS error and exit code 1).
    let err = f.sim(["plot", "taken"]).usage_error();
    assert!(err.contains("taken/manifest.json is missing"), "{err}");
    let sweep = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/sweeps/brand_tilt_grid.ron");
    let err = f.sim(["sweep", sweep.to_str().unwrap(), "--out", "taken", "--quiet"]).usage_error();
    assert!(err.contains("taken") && err.contains("not a directory"), "{err}");
    assert_eq!(std::fs::read_to_string(f.path().join("taken")).unwrap(), "a file");
}

#[test]
fn the_default_output_directory_is_outputs_slash_the_scenario_name() {
    let f = Fixture::new();
    let config = f.scenario("tiny_default", TINY_NO_PLOTS);
    let run = f.sim(["run", config.to_str().unwrap()]).ok();
    let dir = f.path().join("outputs/tiny_default");
    assert!(dir.join("ticks.csv").is_file() && dir.join("manifest.json").is_file());
    // Without plots there is no plots directory.
    assert!(!dir.join("plots").exists());
    // Not quiet: a summary table on stdout, naming the scenario and where the files are.
    assert!(run.stdout.contains("Scenario `tiny_default`"), "{}", run.stdout);
    assert!(run.stdout.contains("Data files: outputs/tiny_default"), "{}", run.stdout);
    for year in ["2024", "2025"] {
        assert!(run.stdout.lines().any(|l| l.starts_with(year)), "no {year} row in\n{}", run.stdout);
    }
    for column in ["GMV bn USD", "growth", "sellers exited", "brand", "white label", "top platforms by GMV share"] {
        assert!(run.stdout.contains(column), "no `{column}` column in\n{}", run.stdout);
    }
}

#[test]
fn quiet_prints_nothing() {
    let f = Fixture::new();
    let config = f.scenario("tiny", TINY);
    let run = f.sim(["run", config.to_str().unwrap(), "--out", "out", "--quiet"]).ok();
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
}

#[test]
fn plot_redraws_the_charts_of_an_output_directory() {
    let f = Fixture::new();
    let config = f.scenario("tiny", TINY_NO_PLOTS);
    f.sim(["run", config.to_str().unwrap(), "--out", "out", "--quiet"]).ok();
    let run = f.sim(["plot", "out"]).ok();
    for chart in ["seller_exits", "platform_share", "brand_vs_white_label", "ad_costs"] {
        for ext in ["png", "svg"] {
            let path = f.path().join(format!("out/plots/{chart}.{ext}"));
            assert!(path.is_file(), "{}", path.display());
            assert!(run.stdout.contains(&format!("{chart}.{ext}")), "{}", run.stdout);
        }
    }
    // A directory that is not a run's output is bad input, to every command that reads runs.
    std::fs::create_dir(f.path().join("empty")).unwrap();
    for args in [vec!["plot", "empty"], vec!["compare", "out", "empty"], vec!["facts", "empty"]] {
        let err = f.sim(&args).usage_error();
        assert!(err.contains("empty") && !err.contains("os error"), "sim {args:?}: {err}");
    }
}

#[test]
fn bad_usage_exits_with_code_2() {
    let f = Fixture::new();
    let config = small_fixture();
    let config = config.to_str().unwrap();
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["run"],
        vec!["run", config, "--threads", "0"],
        vec!["run", config, "--threads", "many"],
        vec!["run", config, "--seed", "-1"],
        vec!["run", config, "--colour"],
        vec!["validate"],
        vec!["validate", config, "extra"],
    ] {
        let r = f.sim(&args);
        assert_eq!(r.code, 2, "sim {args:?}: {}", r.stderr);
        assert!(r.stderr.starts_with("error:") || r.stderr.contains("Usage:"), "sim {args:?}: {}", r.stderr);
    }
    assert!(!f.path().join("outputs").exists());
}

#[test]
fn help_and_version_exit_with_code_0() {
    let f = Fixture::new();
    let help = f.sim(["--help"]).ok();
    for command in ["run", "validate", "plot"] {
        assert!(help.stdout.contains(command), "{}", help.stdout);
    }
    let run_help = f.sim(["run", "--help"]).ok();
    for flag in ["--out", "--seed", "--threads", "--force", "--quiet"] {
        assert!(run_help.stdout.contains(flag), "{}", run_help.stdout);
    }
    let version = f.sim(["--version"]).ok();
    assert_eq!(version.stdout.trim(), format!("sim {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn seeds_check_every_directory_before_the_first_run() {
    let f = Fixture::new();
    let config = f.scenario("tiny", TINY);
    let config = config.to_str().unwrap();
    f.write("out/seed-2/notes.txt", "mine");
    let err = f.sim(["run", config, "--out", "out", "--seed", "1", "--seeds", "3", "--quiet"]).usage_error();
    assert!(err.contains("seed-2") && err.contains("--force"), "{err}");
    assert!(!f.path().join("out/seed-1").exists(), "seed 1 ran before the refusal");
    let err = f.sim(["run", config, "--out", "out", "--seed", "18446744073709551615", "--seeds", "2"]).usage_error();
    assert!(err.contains("past the largest seed"), "{err}");
}

#[test]
fn a_scale_too_large_for_the_memory_is_refused_before_it_runs() {
    // Regression: the largest scale validation allows ended in an allocation failure (abort).
    let f = Fixture::new();
    let config = f.scenario("huge", &[("scale.consumer_agents", "500000000"), ("scale.seller_agents", "50000000")]);
    let err = f.sim(["run", config.to_str().unwrap(), "--out", "out", "--quiet"]).usage_error();
    assert!(
        err.contains("need at least") && err.contains("GiB of memory") && err.contains("scale.consumer_agents"),
        "{err}"
    );
    assert!(!f.path().join("out").exists());
}
