//! crossborder-sim: an agent-based simulation of cross-border e-commerce, 2024-2026.
//!
//! Entry points: [`config::load`] a scenario, [`run::simulate`] it in memory or [`run::run`] it
//! into an output directory, [`plot::plot_dir`] to redraw its charts, [`sweep::sweep`] a
//! parameter sweep, [`sweep::analyze`] it, and [`sweep::Rerun`] one of its runs in full. `model` knows nothing of files or sweeps; `output`,
//! `plot` and `sweep` drive it from outside.

pub mod compare;
pub mod config;
pub mod error;
pub mod facts;
pub mod model;
pub mod output;
pub mod plot;
pub mod rng;
pub mod run;
pub mod sweep;

pub use error::SimError;
