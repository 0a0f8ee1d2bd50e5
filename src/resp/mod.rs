//! RESP: the reply type, its encoder for protocol 2 and 3, and the request parser.

mod encode;
pub mod parse;
mod reply;

pub use encode::{encode, format_double, format_human, Protocol};
pub(crate) use encode::{encode_into, format_g, format_g17};
pub use reply::{errors, Reply};
