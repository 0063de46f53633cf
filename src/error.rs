//! The library's error type and the exit codes the CLI maps it to (documented in the README).

use crate::config::ConfigError;
use crate::plot::PlotError;
use std::path::{Path, PathBuf};

/// Exit code for success.
pub const EXIT_OK: i32 = 0;
/// Exit code for a failure while running (I/O, drawing).
pub const EXIT_FAILURE: i32 = 1;
/// Exit code for bad input or usage (config errors, refused output directory, bad flags).
pub const EXIT_USAGE: i32 = 2;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The scenario file is unreadable, malformed or invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The command was asked something it must refuse (e.g. an output directory in use).
    #[error("{0}")]
    Usage(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// Drawing a plot failed.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// A run computed a number that is not finite (NaN or an infinity); nothing was written.
    #[error(
        "{}: nothing written: the run computed a number that is not finite ({cell}); some parameter \
         is probably far outside what a real market has",
        dir.display()
    )]
    NonFinite { dir: PathBuf, cell: String },
    /// The command ran but its verdict is negative (e.g. a fact check failed).
    #[error("{0}")]
    Failed(String),
}

impl SimError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io { path: path.to_path_buf(), source }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            // `sim plot DIR` on a directory that is not a run's output is bad input too.
            SimError::Config(_) | SimError::Usage(_) | SimError::Plot(PlotError::Missing { .. }) => EXIT_USAGE,
            SimError::Io { .. } | SimError::Plot(_) | SimError::NonFinite { .. } | SimError::Failed(_) => EXIT_FAILURE,
        }
    }
}
