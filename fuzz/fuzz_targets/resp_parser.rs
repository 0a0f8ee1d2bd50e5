#![no_main]

#[path = "../harness/engine.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::resp_parser(data));
