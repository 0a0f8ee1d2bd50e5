#![no_main]

#[path = "../harness/sim.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::scenario_toml(data));
