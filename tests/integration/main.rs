//! End-to-end tests of `sim`: the command line as a user runs it (through the built binary) and
//! the library in-process. One test target; `util` is the shared fixture.

mod cli;
mod config_errors;
mod invariants;
mod mechanisms;
mod outputs;
mod util;
