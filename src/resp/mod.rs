//! RESP: the reply type, its encoder for protocol 2 and 3, and the request parser.

mod encode;
pub mod parse;
mod reply;

pub use encode::{encode, encode_into, format_double, format_g, format_g17, Protocol};
pub use reply::{errors, Reply};
