//! Redis's `redisLrand48`: the 48-bit linear congruential generator of POSIX `lrand48`,
//! which Redis puts behind math.random so that every platform gives the same sequence.
//!
//! As in Redis 7.0 the state is process-wide (shared by EVAL scripts and functions) and
//! is not reseeded per script: a fresh server's first `math.random()` is always
//! 0.39646477363839, and `math.randomseed(n)` restarts the sequence from `n`.

/// The generator: X(n+1) = (a·X(n) + c) mod 2^48.
#[derive(Clone, Debug)]
pub struct Lrand48 {
    x: u64,
}

const A: u64 = 0x5_DEEC_E66D;
const C: u64 = 0xB;
const MASK: u64 = (1 << 48) - 1;
/// REDIS_LRAND48_MAX: lrand48 returns values below 2^31.
const MAX: u64 = i32::MAX as u64;

impl Default for Lrand48 {
    /// Redis's initial state, before any seeding: 0x1234ABCD330E.
    fn default() -> Self {
        Lrand48 {
            x: 0x1234_ABCD_330E,
        }
    }
}

impl Lrand48 {
    /// `redisSrand48(seed)`: the high 32 bits of the state are the seed.
    pub fn seed(&mut self, seed: i32) {
        self.x = (((seed as u32) as u64) << 16) | 0x330E;
    }

    /// The raw 48-bit state.
    pub fn state(&self) -> u64 {
        self.x
    }

    /// Puts the generator in a state [`state`](Self::state) returned.
    pub fn set_state(&mut self, x: u64) {
        self.x = x & MASK;
    }

    /// `redisLrand48()`: the next 31-bit value.
    pub fn next(&mut self) -> u64 {
        self.x = (A.wrapping_mul(self.x).wrapping_add(C)) & MASK;
        self.x >> 17
    }

    /// math.random()'s number in [0, 1): `(lrand48() % MAX) / MAX`.
    pub fn next_unit(&mut self) -> f64 {
        (self.next() % MAX) as f64 / MAX as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_generator_matches_a_fresh_redis() {
        // Recorded from a fresh redis-server 7.0.15: the 1st, 5th and 6th values.
        let mut g = Lrand48::default();
        assert_eq!(crate::resp::format_g(g.next_unit(), 14), "0.39646477363839");
        for _ in 0..3 {
            g.next_unit();
        }
        assert_eq!(crate::resp::format_g(g.next_unit(), 14), "0.31869277233197");
        assert_eq!(crate::resp::format_g(g.next_unit(), 14), "0.88642843341754");
    }

    #[test]
    fn seeding_zero_matches_redis() {
        let mut g = Lrand48::default();
        g.seed(0);
        assert_eq!(crate::resp::format_g(g.next_unit(), 14), "0.17082803611217");
    }
}
