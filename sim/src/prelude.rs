//! Everything a `#[test]` of a script needs, in one import:
//! `use redsim_sim::prelude::*;`.
//!
//! The test API ([`sim_test!`], [`SimTest`], [`FinishedRun`], [`Failure`]), the client
//! programs ([`Script`], [`Watch`], [`Program`]), faults ([`Faults`], [`CrashAt`],
//! [`AdminAt`]), the judge's [`Invariant`]s, the engine's [`Reply`] and the history's
//! types, [`as_int`], the [`strategies`] module, and proptest's own prelude (`proptest!`,
//! `prop_assert!`, `ProptestConfig`, its `Strategy` trait…), so a property test of a script
//! needs no other import.

pub use crate::fault::{AdminAt, CrashAt, Faults};
pub use crate::history::{History, Op, Operation, Status};
pub use crate::scenario::{as_int, Invariant, Program, Scenario, Script, ScriptRun, Watch};
pub use crate::sim_test;
pub use crate::testing::strategies;
pub use crate::testing::{Failure, FinishedRun, SimTest, TestPath};
pub use proptest::prelude::*;
pub use redsim::Reply;
