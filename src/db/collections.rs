//! The container types behind lists, hashes, sets and sorted sets.
//! Owned by the collections work (issue 2, step 3); kept small so other files can name them.

use indexmap::{IndexMap, IndexSet};
use rustc_hash::FxBuildHasher;
use std::collections::VecDeque;

pub type List = VecDeque<Vec<u8>>;
pub type Hash = IndexMap<Vec<u8>, Vec<u8>, FxBuildHasher>;
pub type Set = IndexSet<Vec<u8>, FxBuildHasher>;
