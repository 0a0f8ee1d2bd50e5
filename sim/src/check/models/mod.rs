//! The models the checker can judge with: the engine itself, and fast hand-written
//! models for histories whose every op fits them.

mod counter;
mod engine;
mod engine_state;
mod kv;
mod register;
mod strings;
mod strings_spec;

pub use counter::CounterModel;
pub use engine::EngineModel;
pub use engine_state::EngineState;
pub use kv::KvModel;
pub use register::{RegisterModel, CAS_SCRIPT};
pub use strings::Strings;
