//! crossborder-sim: an agent-based simulation of cross-border e-commerce, 2024-2026.
//!
//! Entry points: [`config::load`] a scenario, [`run::simulate`] it in memory or [`run::run`] it
//! into an output directory, [`plot::plot_dir`] to redraw its charts. `model` knows nothing of
//! files; `output` and `plot` drive it from outside.

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
