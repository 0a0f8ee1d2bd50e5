//! Reports for people: the verdict of a run ([`analysis`]), the keys it is about
//! ([`probe`]), a run captured command by
//! command ([`capture`]), the interleaving table ([`table`]), counts over many seeds
//! ([`summary`]), the explanation ([`explain`]), the HTML report with its SVG timelines,
//! its step-through and the two sentences on the anomaly's kind ([`html`], [`svg`],
//! `stepper`, `lesson`), terminal colour ([`colour`]) and `--mode` ([`mode`]).

pub mod analysis;
pub mod capture;
pub mod colour;
pub mod explain;
pub mod html;
pub(crate) mod lesson;
pub mod mode;
pub mod present;
pub mod probe;
mod stepper;
pub mod summary;
pub mod svg;
pub mod table;
mod verdict_memo;
