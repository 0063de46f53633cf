//! The shared fixture: temporary directories, small scenario files, running `sim`, reading CSVs.

use crossborder_sim::config::{self, Scenario};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The small scenario every test starts from: configs/2026.ron with fewer agents.
pub fn small_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small.ron")
}

/// The small fixture, loaded in-process.
pub fn small() -> Scenario {
    config::load(&small_fixture()).unwrap_or_else(|e| panic!("{e}"))
}

/// Fewer agents still, for tests that run `sim` only to look at the directory it writes.
pub const TINY: &[(&str, &str)] =
    &[("scale.seller_agents", "300"), ("scale.consumer_agents", "3000"), ("scale.real_sellers", "45000.0")];

/// [`TINY`] without plots, for tests of the data files and the command line.
pub const TINY_NO_PLOTS: &[(&str, &str)] = &[
    ("scale.seller_agents", "300"),
    ("scale.consumer_agents", "3000"),
    ("scale.real_sellers", "45000.0"),
    ("output.plots", "false"),
];

/// No dated events and 26 weeks, for tests of one mechanism against a baseline.
pub const SHORT: &[(&str, &str)] = &[("events", "[]"), ("calendar.weeks", "26")];

/// A temporary directory for one test, removed when the test ends.
pub struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("temporary directory") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `text` to `name` inside the fixture.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Writes an overlay of the small fixture: `sets` are `(field path, RON value)` pairs.
    pub fn scenario(&self, name: &str, sets: &[(impl AsRef<str>, impl AsRef<str>)]) -> PathBuf {
        let sets: Vec<String> =
            sets.iter().map(|(k, v)| format!("        {:?}: {},\n", k.as_ref(), v.as_ref())).collect();
        let base = small_fixture().display().to_string();
        let text = format!("(\n    base: {base:?},\n    name: {name:?},\n    set: {{\n{}    }},\n)\n", sets.concat());
        self.write(&format!("{name}.ron"), &text)
    }

    /// Loads an overlay of the small fixture in-process.
    pub fn load(&self, name: &str, sets: &[(impl AsRef<str>, impl AsRef<str>)]) -> Scenario {
        let path = self.scenario(name, sets);
        config::load(&path).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Runs `sim` with the fixture as working directory.
    pub fn sim<S: AsRef<OsStr>>(&self, args: impl IntoIterator<Item = S>) -> Sim {
        sim_in(self.path(), args)
    }
}

/// What a `sim` process did.
#[derive(Debug)]
pub struct Sim {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Sim {
    /// Asserts success and returns self.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(self.code, 0, "sim failed:\n{}", self.stderr);
        self
    }

    /// Asserts exit code 2 with a message and no panic, and returns the message.
    #[track_caller]
    pub fn usage_error(self) -> String {
        assert_eq!(self.code, 2, "expected exit code 2, got {}:\n{}{}", self.code, self.stdout, self.stderr);
        assert!(!self.stderr.contains("panicked"), "sim panicked:\n{}", self.stderr);
        assert!(!self.stderr.trim().is_empty(), "no message on stderr");
        self.stderr
    }
}

/// Runs `sim` in `dir`.
pub fn sim_in<S: AsRef<OsStr>>(dir: &Path, args: impl IntoIterator<Item = S>) -> Sim {
    let out = Command::new(env!("CARGO_BIN_EXE_sim")).args(args).current_dir(dir).output().expect("sim runs");
    Sim {
        code: out.status.code().expect("sim exited by itself, not by a signal"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

/// The output directory of one `sim run` of the small fixture with `--threads 2`, shared by the
/// tests that only read it (it is made once per test process).
pub fn small_run() -> &'static Path {
    static RUN: OnceLock<PathBuf> = OnceLock::new();
    RUN.get_or_init(|| {
        let parent = Path::new(env!("CARGO_TARGET_TMPDIR"));
        remove_stale_runs(parent);
        let out = parent.join(format!("small-run-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let fixture = small_fixture();
        let args: [&OsStr; 7] = [
            "run".as_ref(),
            fixture.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--threads".as_ref(),
            "2".as_ref(),
            "--quiet".as_ref(),
        ];
        sim_in(parent, args).ok();
        out
    })
}

/// Removes shared run directories left by test processes that have ended (where `/proc` tells).
fn remove_stale_runs(parent: &Path) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("small-run-").and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A CSV file as its header and rows of strings.
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    pub fn read(path: &Path) -> Self {
        let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let header = r.headers().unwrap().iter().map(str::to_string).collect();
        let rows = r.records().map(|x| x.unwrap().iter().map(str::to_string).collect()).collect();
        Self { header, rows }
    }

    /// Index of a column.
    #[track_caller]
    pub fn col(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
    }

    /// A column's values as numbers.
    #[track_caller]
    pub fn nums(&self, name: &str) -> Vec<f64> {
        let i = self.col(name);
        self.rows.iter().map(|r| r[i].parse().unwrap_or_else(|_| panic!("{name} = {:?}", r[i]))).collect()
    }

    /// A column's values as text.
    pub fn strs(&self, name: &str) -> Vec<&str> {
        let i = self.col(name);
        self.rows.iter().map(|r| r[i].as_str()).collect()
    }
}
