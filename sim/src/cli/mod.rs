//! One module per `redsim` subcommand.

pub mod check;
pub mod demo;
pub mod explore;
pub mod line;
pub mod pipeline;
pub mod race;
pub mod real;
pub mod replay;
pub mod run;
pub mod serve;
pub mod sweep;
pub mod trace;

/// The exit status when no anomaly was found but some verdict was inconclusive (the
/// checker's counted budget ran out, or it cannot judge the history): not 0, because
/// "unknown" is never "pass", and not 1, because nothing was shown to be wrong.
pub const EXIT_INCONCLUSIVE: u8 = 3;

/// What `--help` says of the exit statuses of `check`, `run`, `sweep` and `explore`.
pub const EXIT_HELP: &str = "Exit status: 0 no anomaly and every run decided; 1 an anomaly \
(for check: not linearizable); 2 bad arguments or input; 3 inconclusive: no anomaly, but the \
checker's budget (states, not seconds) ran out or it cannot judge some run, so nothing was shown \
to pass; 141 stdout closed early (e.g. `| head`).";
