//! The configuration parameters redsim honours (CONFIG GET/SET), with Redis 7.0's
//! compiled-in defaults (no config file).

#[derive(Clone, Debug)]
pub struct Config {
    /// `busy-reply-threshold` (alias `lua-time-limit`), milliseconds.
    pub busy_reply_threshold_ms: u64,
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub set_max_intset_entries: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
    pub list_max_listpack_size: i64,
    pub maxmemory: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            busy_reply_threshold_ms: 5000,
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            list_max_listpack_size: -2,
            maxmemory: 0,
        }
    }
}
