//! `sim sweep`, `sim merge` and `sim analyze` end to end, on tiny worlds (300 sellers, 3,000
//! consumers, 20 weeks) so that the whole file runs in seconds.

use crossborder_sim::sweep::{self, Shard, SweepOptions};
use std::fs;
use std::path::{Path, PathBuf};

/// A sweep file on the calibrated scenario at a tiny scale, with the given sampler, replicates,
/// parameters and metrics (RON fragments).
fn sweep_file(dir: &Path, name: &str, sampler: &str, replicates: u32, parameters: &str, metrics: &str) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/2026.ron");
    let text = format!(
        r#"(
    name: "{name}",
    base: "{}",
    seed: 42,
    sampler: {sampler},
    replicates: {replicates},
    scale: (seller_agents: 300, consumer_agents: 3000),
    set: {{ "calendar.weeks": 20, "calendar.warmup_weeks": 0 }},
    parameters: [{parameters}],
    metrics: [{metrics}],
)"#,
        base.display()
    );
    let path = dir.join(format!("{name}.ron"));
    fs::write(&path, text).unwrap();
    path
}

const PARAMS: &str = r#"(path: "platforms[temu].brand_tilt", range: (0.0, 1.0)),
    (path: "sellers.small.loss_streak_limit", range: (4, 16)),"#;
const METRICS: &str = r#""brand_gmv_share@2024", "exit_rate_by_kind.white_label@2024", "platform_share.temu@2024""#;

/// Each value alone is valid, but initial listings above the maximum are not: of a 2 x 2
/// grid, one point fails.
const FAILING_PARAMS: &str = r#"(path: "sellers.small.initial_listings", values: [1, 3]),
    (path: "sellers.small.max_listings", values: [1, 3]),"#;

/// A 3 x 3 grid with 2 replicates: 18 runs.
fn grid(dir: &Path) -> PathBuf {
    sweep_file(dir, "grid", "Grid(levels: 3)", 2, PARAMS, METRICS)
}

fn run(file: &Path, out: &Path, threads: usize, resume: bool, shard: Option<Shard>) -> sweep::SweepOutcome {
    let opts = SweepOptions { file: file.into(), out: Some(out.into()), threads: Some(threads), resume, shard };
    sweep::sweep(&opts, &|_| {}).unwrap()
}

/// Runs the sweep `file` on two threads into `DIR/out` and returns that directory.
fn swept(dir: &Path, file: &Path) -> PathBuf {
    let out = dir.join("out");
    run(file, &out, 2, false, None);
    out
}

fn bytes(dir: &Path, name: &str) -> Vec<u8> {
    fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
}

fn assert_same_results(a: &Path, b: &Path) {
    assert!(bytes(a, "runs.csv") == bytes(b, "runs.csv"), "runs.csv of {} and {} differ", a.display(), b.display());
    assert!(bytes(a, "runs.parquet") == bytes(b, "runs.parquet"), "runs.parquet differ");
}

fn csv_lines(dir: &Path) -> Vec<String> {
    String::from_utf8(bytes(dir, "runs.csv")).unwrap().lines().map(String::from).collect()
}

#[test]
fn grid_sweep_writes_one_row_per_run_and_a_parquet_with_the_same_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run(&grid(tmp.path()), &out, 2, false, None);
    assert!(o.complete && o.ran == 18 && o.failed == 0, "{o:?}");
    let lines = csv_lines(&out);
    assert_eq!(lines.len(), 19);
    assert!(lines[0].starts_with("run_id,point_id,replicate,seed,platforms[temu].brand_tilt,"), "{}", lines[0]);
    let ids: Vec<u64> = lines[1..].iter().map(|l| l.split(',').next().unwrap().parse().unwrap()).collect();
    assert_eq!(ids, (0..18).collect::<Vec<_>>());
    // Integer fields take whole numbers; the grid covers both ends of each range.
    let streaks: std::collections::BTreeSet<&str> = lines[1..].iter().map(|l| l.split(',').nth(5).unwrap()).collect();
    assert_eq!(streaks.into_iter().collect::<Vec<_>>(), ["10", "16", "4"]);

    use arrow_array::{Array, Float64Array, Int64Array};
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        fs::File::open(out.join("runs.parquet")).unwrap(),
    )
    .unwrap()
    .build()
    .unwrap();
    let batches: Vec<_> = reader.map(Result::unwrap).collect();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 18);
    let b = &batches[0];
    let names: Vec<&String> = b.schema_ref().fields().iter().map(|f| f.name()).collect();
    assert_eq!(names.len(), lines[0].split(',').count());
    let seeds = b.column_by_name("seed").unwrap().as_any().downcast_ref::<Int64Array>().unwrap();
    let share = b.column_by_name("brand_gmv_share@2024").unwrap().as_any().downcast_ref::<Float64Array>().unwrap();
    for (row, line) in lines[1..=b.num_rows()].iter().enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(seeds.value(row).to_string(), cells[3]);
        assert_eq!(share.value(row), cells[6].parse::<f64>().unwrap());
        assert!(!share.is_null(row));
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid(tmp.path());
    run(&file, &tmp.path().join("one"), 1, false, None);
    run(&file, &tmp.path().join("two"), 2, false, None);
    assert_same_results(&tmp.path().join("one"), &tmp.path().join("two"));
}

#[test]
fn merged_shards_equal_the_unsharded_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid(tmp.path());
    let whole = tmp.path().join("whole");
    run(&file, &whole, 2, false, None);
    let mut dirs = Vec::new();
    for i in 0..3 {
        let dir = tmp.path().join(format!("shard{i}"));
        let o = run(&file, &dir, 1, false, Some(Shard::new(i, 3).unwrap()));
        assert_eq!((o.ran, o.shard_runs), (6, 6));
        assert!(csv_lines(&dir)[1..].iter().all(|l| l.split(',').next().unwrap().parse::<u64>().unwrap() % 3 == i));
        dirs.push(dir);
    }
    dirs.reverse();
    let merged = tmp.path().join("merged");
    assert_eq!(sweep::merge(&dirs, &merged).unwrap(), 18);
    assert_same_results(&whole, &merged);
}

#[test]
fn merge_refuses_missing_and_duplicated_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid(tmp.path());
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&file, &a, 1, false, Some(Shard::new(0, 2).unwrap()));
    run(&file, &b, 1, false, Some(Shard::new(1, 2).unwrap()));
    let e = sweep::merge(std::slice::from_ref(&a), &tmp.path().join("m1")).unwrap_err().to_string();
    assert!(e.contains("9 of 18 runs are missing (run ids 1, 3, 5"), "{e}");
    let e = sweep::merge(&[a.clone(), b.clone(), a.clone()], &tmp.path().join("m2")).unwrap_err().to_string();
    assert!(e.contains("run 0 is in both"), "{e}");
    let other = sweep_file(tmp.path(), "other", "Grid(levels: 2)", 1, PARAMS, METRICS);
    let c = tmp.path().join("c");
    run(&other, &c, 1, false, None);
    let e = sweep::merge(&[a, c], &tmp.path().join("m3")).unwrap_err().to_string();
    assert!(e.contains("only shards of one sweep merge"), "{e}");
}

#[test]
fn an_incomplete_shard_is_finished_by_the_command_merge_suggests() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid(tmp.path());
    let whole = tmp.path().join("whole");
    run(&file, &whole, 2, false, None);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&file, &a, 1, false, Some(Shard::new(0, 2).unwrap()));
    run(&file, &b, 1, false, Some(Shard::new(1, 2).unwrap()));
    // Shard 0/2 as a preempted task leaves it: two runs in.
    let lines = csv_lines(&a);
    fs::write(a.join("runs.csv"), lines[..3].iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    fs::remove_file(a.join("runs.parquet")).ok();
    let e = sweep::merge(&[a.clone(), b.clone()], &tmp.path().join("m")).unwrap_err().to_string();
    assert!(e.contains("7 of 18 runs are missing"), "{e}");
    assert!(e.contains(&format!("--shard 0/2 --out {} --resume", a.display())), "{e}");
    // A shard no directory holds is named, with how to run it.
    let e = sweep::merge(std::slice::from_ref(&b), &tmp.path().join("m")).unwrap_err().to_string();
    assert!(e.contains("shards no directory holds: 0/2") && e.contains("--shard I/N"), "{e}");
    // Resuming the directory without --shard (as a rerun of one task of an array job would, with
    // another array's variables) resumes it as the shard it holds.
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_sim"))
        .args(["sweep", file.to_str().unwrap(), "--out", a.to_str().unwrap(), "--resume", "--quiet"])
        .env("SLURM_ARRAY_TASK_ID", "0")
        .env("SLURM_ARRAY_TASK_COUNT", "1")
        .status()
        .unwrap();
    assert!(status.success());
    let merged = tmp.path().join("merged");
    assert_eq!(sweep::merge(&[a, b], &merged).unwrap(), 18);
    assert_same_results(&whole, &merged);
}

#[test]
fn resume_after_a_kill_mid_row_runs_only_what_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid(tmp.path());
    let whole = tmp.path().join("whole");
    run(&file, &whole, 2, false, None);
    // What a kill leaves: some rows, in completion order, and the next one cut short.
    let killed = tmp.path().join("killed");
    fs::create_dir(&killed).unwrap();
    fs::copy(whole.join("sweep.json"), killed.join("sweep.json")).unwrap();
    let lines = csv_lines(&whole);
    let kept = [&lines[0], &lines[9], &lines[2], &lines[5]].map(|l| format!("{l}\n")).concat();
    fs::write(killed.join("runs.csv"), format!("{kept}{}", &lines[3][..20])).unwrap();

    let e = sweep::sweep(
        &SweepOptions { file: file.clone(), out: Some(killed.clone()), threads: Some(2), ..Default::default() },
        &|_| {},
    )
    .unwrap_err();
    assert!(e.to_string().contains("3 of 18 runs done); add --resume"), "{e}");
    let o = run(&file, &killed, 2, true, None);
    assert_eq!((o.already_done, o.ran), (3, 15));
    assert_same_results(&whole, &killed);
    // Resuming a complete sweep runs nothing and changes nothing.
    assert_eq!(run(&file, &killed, 2, true, None).ran, 0);
    assert_same_results(&whole, &killed);
}

#[test]
fn resume_after_killing_the_process_loses_and_duplicates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "long", "Random(points: 120)", 1, PARAMS, METRICS);
    let out = tmp.path().join("out");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sim"))
        .args(["sweep", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--threads", "2", "--quiet"])
        .spawn()
        .unwrap();
    // Kill it once a few rows are in (polling the journal; the run takes seconds).
    let rows = || fs::read_to_string(out.join("runs.csv")).map_or(0, |t| t.lines().count().saturating_sub(1));
    while rows() < 5 && child.try_wait().unwrap().is_none() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = rows();
    let o = run(&file, &out, 2, true, None);
    assert_eq!(o.already_done + o.ran, 120);
    assert!(o.already_done >= before.min(120) as u64 - 1, "{} rows before, {o:?}", before);
    let whole = tmp.path().join("whole");
    run(&file, &whole, 2, false, None);
    assert_same_results(&whole, &out);
}

#[test]
fn a_sweep_on_one_thread_runs_to_the_end() {
    // As the command line does it, in a process of its own: loading the sweep makes a dry run of
    // the base scenario first. Once, a world's parallel steps waited for the model's pool from
    // the sweep's only thread, which meanwhile started the next run inside, and so on, until
    // the stack overflowed.
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "serial", "Random(points: 120)", 1, PARAMS, METRICS);
    let out = tmp.path().join("out");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_sim"))
        .args(["sweep", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--threads", "1", "--quiet"])
        .status()
        .unwrap();
    assert!(status.success(), "{status}");
    assert_eq!(csv_lines(&out).len(), 121, "a header and 120 rows");
}

#[test]
fn a_failing_run_is_recorded_and_the_others_go_on() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "fails", "Grid(levels: 2)", 1, FAILING_PARAMS, METRICS);
    let out = tmp.path().join("out");
    let o = run(&file, &out, 2, false, None);
    assert_eq!((o.ran, o.failed), (4, 1));
    let lines = csv_lines(&out);
    let failed = lines.iter().find(|l| l.contains(",failed,")).unwrap();
    assert!(failed.starts_with("2,2,0,") && failed.contains("initial_listings"), "{failed}");
    assert!(failed.contains(",,,,failed,"), "metrics of a failed run are empty: {failed}");
}

#[test]
fn unknown_paths_and_metrics_name_the_nearest_valid_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let params = r#"(path: "platforms[temmu].brand_tilt", range: (0.0, 1.0)),
        (path: "ad_market.cpc_inflaton[\"amazon\"]", range: (0.0, 1.0)),
        (path: "platforms[amazon].brand_tilt", range: (0.0, 20.0)),"#;
    let file = sweep_file(tmp.path(), "typos", "Grid(levels: 2)", 1, params, METRICS);
    let e = sweep::load(&file).unwrap_err().to_string();
    assert!(e.contains("parameters[0].path") && e.contains("did you mean temu"), "{e}");
    assert!(e.contains("parameters[1].path") && e.contains("did you mean cpc_inflation"), "{e}");
    assert!(e.contains("parameters[2].range.1") && e.contains("must be in [0, 10]"), "{e}");
    let metrics = r#""platform_shar.amazon@2024", "exit_rate_by_kind.white_labl@2024", "gmv_usd@2031""#;
    let file = sweep_file(tmp.path(), "metric_typos", "Grid(levels: 2)", 1, PARAMS, metrics);
    let e = sweep::load(&file).unwrap_err().to_string();
    assert!(e.contains("metrics[0]") && e.contains("did you mean platform_share"), "{e}");
    assert!(e.contains("metrics[1]") && e.contains("did you mean white_label"), "{e}");
    assert!(e.contains("metrics[2]") && e.contains("no year 2031"), "{e}");
}

#[test]
fn sobol_and_morris_sweeps_are_analysed_with_indices_and_plots() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, sampler, table) in [
        ("sobol", "Sobol(base_points: 4)", "sobol.csv"),
        ("morris", "Morris(trajectories: 3, levels: 4)", "morris.csv"),
    ] {
        let file = sweep_file(tmp.path(), name, sampler, 1, PARAMS, METRICS);
        let out = tmp.path().join(name);
        run(&file, &out, 2, false, None);
        let written = sweep::analyze(&out).unwrap();
        let names: Vec<String> =
            written.iter().map(|p| p.strip_prefix(out.join("analysis")).unwrap().display().to_string()).collect();
        assert!(names.contains(&table.to_string()) && names.contains(&"points.csv".to_string()), "{names:?}");
        for kind in [name, "effects"] {
            for ext in ["png", "svg"] {
                let plot = format!("plots/{kind}_exit_rate_by_kind.white_label_2024.{ext}");
                assert!(names.contains(&plot), "{plot} not in {names:?}");
            }
        }
        let text = fs::read_to_string(out.join("analysis").join(table)).unwrap();
        assert_eq!(text.lines().count(), 1 + 3 * 2, "{text}");
        assert!(text.lines().nth(1).unwrap().starts_with("brand_gmv_share@2024,platforms[temu].brand_tilt,"));
    }
}

/// Regression: `sim analyze` on one shard exited 0, with Sobol indices from no complete row.
#[test]
fn analyze_refuses_a_shard_and_says_to_merge_first() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "sobol", "Sobol(base_points: 2)", 1, PARAMS, METRICS);
    let shard = tmp.path().join("shard0");
    run(&file, &shard, 2, false, Some(Shard::new(0, 2).unwrap()));
    let e = sweep::analyze(&shard).unwrap_err().to_string();
    assert!(e.contains("holds shard 0/2") && e.contains("(4 of its 8 runs)") && e.contains("sim merge"), "{e}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sim")).args(["analyze"]).arg(&shard).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("merge the shards first"), "{out:?}");
    assert!(!shard.join("analysis").exists());
}

/// Regression: `sim analyze` on a sweep with runs missing (still running, or interrupted) said
/// nothing, and computed Sobol indices from a single complete row.
#[test]
fn analyze_of_an_unfinished_sweep_warns_and_leaves_short_indices_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "sobol", "Sobol(base_points: 4)", 1, PARAMS, METRICS);
    let out = tmp.path().join("out");
    run(&file, &out, 2, false, None);
    // Row 0 (points 0-3) and one point of row 1 are in: 5 of 16 runs.
    let lines = csv_lines(&out);
    fs::write(out.join("runs.csv"), lines[..6].iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    fs::remove_file(out.join("runs.parquet")).unwrap();
    let a = sweep::analyze::analysis(&out).unwrap();
    let missing: Vec<&String> = a.warnings.iter().filter(|w| w.contains("runs.csv holds")).collect();
    assert_eq!(missing.len(), 1, "{:?}", a.warnings);
    assert!(missing[0].contains("runs.csv holds 5 of the sweep's 16 runs") && missing[0].contains("--resume"));
    let sobol = fs::read_to_string(out.join("analysis/sobol.csv")).unwrap();
    for line in sobol.lines().skip(1) {
        assert!(line.ends_with(",1,,,,,,"), "indices from one row are left empty: {line}");
    }
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_sim")).args(["analyze"]).arg(&out).output().unwrap();
    assert!(cli.status.success(), "{cli:?}");
    assert!(String::from_utf8_lossy(&cli.stderr).contains("warning: "), "{cli:?}");
    // The complete sweep analyses without a warning about missing runs.
    let whole = tmp.path().join("whole");
    run(&file, &whole, 2, false, None);
    let warnings = sweep::analyze::analysis(&whole).unwrap().warnings;
    assert!(!warnings.is_empty() && warnings.iter().all(|w| !w.contains("runs.csv holds")), "{warnings:?}");
}

/// Regression: a point whose runs all failed had empty parameter cells in points.csv.
#[test]
fn points_without_a_successful_run_still_show_their_parameter_values() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "fails", "Grid(levels: 2)", 1, FAILING_PARAMS, METRICS);
    let out = tmp.path().join("out");
    run(&file, &out, 2, false, None);
    sweep::analyze(&out).unwrap();
    let points = fs::read_to_string(out.join("analysis/points.csv")).unwrap();
    let rows: Vec<&str> = points.lines().collect();
    assert!(rows[3].starts_with("2,3,1,1,1,"), "point 2 (3 listings, at most 1) failed: {}", rows[3]);
    // The other points' values are those of runs.csv.
    for line in &csv_lines(&out)[1..] {
        let cells: Vec<&str> = line.split(',').collect();
        let point: usize = cells[1].parse().unwrap();
        assert!(rows[point + 1].starts_with(&format!("{},{},{},", point, cells[4], cells[5])), "{}", rows[point + 1]);
    }
}

/// Regression: sampler sizes the docs rule out were accepted silently (Sobol's 10 base points,
/// Morris's 5 levels, off the grid), and a Latin hypercube of 1e8 points built 1.5 GB of strata
/// before the first run.
#[test]
fn sampler_sizes_the_docs_rule_out_are_refused_with_the_allowed_values() {
    let tmp = tempfile::tempdir().unwrap();
    for (sampler, field, allowed) in [
        (
            "Sobol(base_points: 10)",
            "sampler.base_points",
            "= 10: must be a power of two, at least 2 (2, 4, 8, ..., e.g. 16)",
        ),
        ("Sobol(base_points: 1)", "sampler.base_points", "= 1: must be a power of two, at least 2"),
        ("Morris(trajectories: 4, levels: 5)", "sampler.levels", "= 5: must be even and at least 2 (2, 4, 6, ...)"),
        ("LatinHypercube(points: 100000000)", "sampler.points", "= 100000000: must be in [1, 10000000]"),
        ("LatinHypercube(points: 10000001)", "sampler.points", "= 10000001: must be in [1, 10000000]"),
    ] {
        let file = sweep_file(tmp.path(), "bad", sampler, 1, PARAMS, METRICS);
        let e = sweep::load(&file).unwrap_err().to_string();
        assert!(e.contains(&format!("{field}: {allowed}")), "{sampler}: {e}");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sim"))
            .args(["sweep", file.to_str().unwrap(), "--out", tmp.path().join("never").to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{sampler}: {out:?}");
    }
    for sampler in ["Sobol(base_points: 16)", "Morris(trajectories: 4, levels: 6)", "LatinHypercube(points: 1000)"] {
        let file = sweep_file(tmp.path(), "good", sampler, 1, PARAMS, METRICS);
        sweep::load(&file).unwrap_or_else(|e| panic!("{sampler}: {e}"));
    }
}

#[test]
fn every_example_sweep_file_is_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/sweeps");
    let mut n = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ron") {
            let plan = sweep::load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(plan.total_runs() > 0 && !plan.metrics.is_empty(), "{}", path.display());
            n += 1;
        }
    }
    assert!(n >= 4, "{n} example sweep files");
}

#[test]
fn enum_values_are_swept_and_set_by_their_bare_names() {
    // Regression: RON handed a bare enum name to the sweep as JSON null ("invalid type: null").
    let tmp = tempfile::tempdir().unwrap();
    let params = r#"(path: "platforms[temu].model", values: [SemiManaged, Marketplace]),"#;
    let file = sweep_file(tmp.path(), "models", "Grid(levels: 2)", 1, params, r#""brand_gmv_share@2024""#);
    let text = fs::read_to_string(&file).unwrap().replace(
        r#""calendar.warmup_weeks": 0"#,
        r#""calendar.warmup_weeks": 0, "platforms[amazon].model": SemiManaged"#,
    );
    fs::write(&file, text).unwrap();
    let plan = sweep::load(&file).unwrap();
    assert_eq!(plan.base["platforms"][0]["model"], "SemiManaged");
    let out = tmp.path().join("out");
    assert_eq!(run(&file, &out, 1, false, None).failed, 0);
    let lines = csv_lines(&out);
    assert!(lines[1].contains(",SemiManaged,") && lines[2].contains(",Marketplace,"), "{lines:?}");
    // A wrong type in `set` names the key.
    let bad = fs::read_to_string(&file)
        .unwrap()
        .replace(r#""platforms[amazon].model": SemiManaged"#, r#""platforms[amazon].take_rate": "x""#);
    fs::write(&file, bad).unwrap();
    let e = sweep::load(&file).unwrap_err().to_string();
    assert!(e.contains(r#"set["platforms[amazon].take_rate"]: = "x": must be a number in [0, 1)"#), "{e}");
}

/// The text of the number at `path` (keys separated by dots) in year `year` of a summary.json,
/// exactly as written (pretty-printed: `"key": value` one a line, `year` first in each year).
fn summary_number(text: &str, year: &str, path: &str) -> String {
    let mut at = text.find(&format!("\"year\": {year},")).unwrap_or_else(|| panic!("no year {year}"));
    for key in path.split('.') {
        let quoted = format!("\"{key}\": ");
        at += text[at..].find(&quoted).unwrap_or_else(|| panic!("no {key} in year {year}")) + quoted.len();
    }
    text[at..].split([',', '\n']).next().unwrap().trim().to_string()
}

#[test]
fn a_rerun_of_one_run_writes_every_output_with_the_metrics_of_its_row() {
    let tmp = tempfile::tempdir().unwrap();
    let file = grid(tmp.path());
    let lines = csv_lines(&swept(tmp.path(), &file));
    let header: Vec<&str> = lines[0].split(',').collect();
    // Run 7: replicate 1 of point 3, so that point, replicate and seed all matter.
    let row: Vec<&str> = lines[8].split(',').collect();
    assert_eq!(&row[..3], ["7", "3", "1"]);
    let sim = |file: &Path, args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_sim"))
            .args(["sweep", file.to_str().unwrap()])
            .args(args)
            .current_dir(tmp.path())
            .output()
            .unwrap()
    };
    let done = sim(&file, &["--run", "7", "--threads", "2"]);
    let stdout = String::from_utf8_lossy(&done.stdout);
    assert!(done.status.success(), "{done:?}");
    assert!(stdout.contains("Run 7 of sweep `grid` (id "), "{stdout}");
    assert!(stdout.contains(&format!("point 3, replicate 1, seed {}", row[3])), "{stdout}");
    for (name, value) in header[4..6].iter().zip(&row[4..6]) {
        assert!(stdout.contains(&format!("  {name} = {value}\n")), "{name} = {value} not in {stdout}");
    }
    // The default directory, outside the sweep's own, with every output of `sim run`.
    let dir = tmp.path().join("outputs/sweep-runs/grid/run-7");
    for file in ["ticks.csv", "exits.csv", "summary.json", "manifest.json", "plots/seller_exits.png"] {
        assert!(dir.join(file).is_file(), "{file} missing in {}", dir.display());
    }
    let summary = fs::read_to_string(dir.join("summary.json")).unwrap();
    let metrics = &header[6..header.len() - 2];
    assert_eq!(metrics.len(), 3);
    for (metric, cell) in metrics.iter().zip(&row[6..]) {
        let (path, year) = metric.split_once('@').unwrap();
        assert_eq!(summary_number(&summary, year, path), *cell, "{metric}");
    }
    // The scenario printed for `sim run` is the one the rerun ran.
    let printed = sim(&file, &["--run", "7", "--scenario"]);
    assert!(printed.status.success(), "{printed:?}");
    let text = String::from_utf8(printed.stdout).unwrap();
    assert!(text.starts_with("// Run 7 of sweep `grid`"), "{text}");
    let scenario_file = tmp.path().join("run7.ron");
    fs::write(&scenario_file, &text).unwrap();
    let scenario = crossborder_sim::config::load(&scenario_file).unwrap_or_else(|e| panic!("{e}"));
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["scenario_sha256"], crossborder_sim::output::scenario_sha256(&scenario).as_str());
    // A run id past the sweep is a usage error naming the valid ids, and writes nothing.
    let past = sim(&file, &["--run", "18", "--out", "past"]);
    let stderr = String::from_utf8_lossy(&past.stderr);
    assert_eq!(past.status.code(), Some(2), "{past:?}");
    assert!(stderr.contains("--run 18: sweep `grid` has 18 runs, run ids 0 to 17") && !stderr.contains("panicked"));
    assert!(!tmp.path().join("past").exists());
    // So is a run that failed in the sweep, with the reason.
    let fails = sweep_file(tmp.path(), "fails", "Grid(levels: 2)", 1, FAILING_PARAMS, METRICS);
    let failed = sim(&fails, &["--run", "2", "--out", "failed"]);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(2), "{failed:?}");
    assert!(stderr.contains("run 2 (point 2) has parameter values that are invalid together"), "{stderr}");
    assert!(stderr.contains("initial_listings") && !tmp.path().join("failed").exists(), "{stderr}");
}

/// Regression: a sweep that refused its --out directory left the `.sweep.lock` it had created.
#[test]
fn a_refused_sweep_leaves_no_lock_file_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "small", "Grid(levels: 2)", 1, PARAMS, METRICS);
    let other = sweep_file(tmp.path(), "other", "Grid(levels: 2)", 2, PARAMS, METRICS);
    let (done, foreign) = (swept(tmp.path(), &file), tmp.path().join("foreign"));
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let refuse = |file: &Path, dir: &Path| {
        let opts = SweepOptions { file: file.into(), out: Some(dir.into()), threads: Some(1), ..Default::default() };
        sweep::sweep(&opts, &|_| {}).unwrap_err().to_string()
    };
    for (file, dir, why) in [
        (&file, &done, "already holds this sweep"),
        (&other, &done, "not this sweep"),
        (&file, &foreign, "not empty and holds no sweep"),
    ] {
        let e = refuse(file, dir);
        assert!(e.contains(why), "{e}");
        assert!(!dir.join(".sweep.lock").exists(), "{} keeps .sweep.lock after: {e}", dir.display());
    }
    // A lock another sweep holds is left alone.
    let busy = tmp.path().join("busy");
    fs::create_dir(&busy).unwrap();
    let held = fs::File::create(busy.join(".sweep.lock")).unwrap();
    held.try_lock().unwrap();
    let e = refuse(&file, &busy);
    assert!(e.contains("another `sim sweep` is writing here"), "{e}");
    assert!(busy.join(".sweep.lock").exists());
}

#[test]
fn a_small_sobol_design_is_analysed_with_warnings_naming_the_metrics_outside_0_1() {
    let tmp = tempfile::tempdir().unwrap();
    let out = swept(tmp.path(), &sweep_file(tmp.path(), "sobol", "Sobol(base_points: 4)", 1, PARAMS, METRICS));
    let warnings = sweep::analyze::analysis(&out).unwrap().warnings;
    assert!(warnings.iter().any(|w| w.contains("has 4 base rows; below 256")), "{warnings:?}");
    // Which metrics have an index or an interval end outside [-0.05, 1.05], from sobol.csv.
    let table = fs::read_to_string(out.join("analysis/sobol.csv")).unwrap();
    let mut outside = std::collections::BTreeMap::<String, Vec<String>>::new();
    for line in table.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let values = cells[3..].iter().filter_map(|c| c.parse::<f64>().ok());
        if values.into_iter().any(|x| !(-0.05..=1.05).contains(&x)) {
            outside.entry(cells[0].to_string()).or_default().push(cells[1].to_string());
        }
    }
    assert!(!outside.is_empty(), "4 rows give indices outside [0, 1]: {table}");
    for metric in METRICS.split(", ").map(|m| m.trim_matches('"')) {
        let named: Vec<&String> = warnings.iter().filter(|w| w.contains(&format!("metric `{metric}`"))).collect();
        match outside.get(metric) {
            Some(parameters) => {
                assert_eq!(named.len(), 1, "{metric}: {warnings:?}");
                assert!(named[0].contains("raise sampler.base_points to 256"), "{}", named[0]);
                let first = &parameters[0];
                assert!(named[0].contains(&format!(" of {first} = ")), "{first} not in {}", named[0]);
            }
            None => assert!(named.is_empty(), "{metric} is within [0, 1]: {named:?}"),
        }
    }
}
