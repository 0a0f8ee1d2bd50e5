//! The TCP server (`redsim serve`). Owned by the server work (issue 2, step 6).
