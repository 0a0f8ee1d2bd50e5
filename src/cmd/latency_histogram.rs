//! LATENCY HISTOGRAM: each command's latencies (`latency-tracking`, on by default) kept
//! in an HDR histogram as Redis 7.0 keeps them — nanoseconds from 1 to 10^9, two
//! significant digits (256 sub-buckets per power of two) — and replied as Redis's
//! `fillCommandCDF` walks it: a logarithmic iteration from 1024 ns doubling, giving each
//! reporting step's highest equivalent value in µs and the cumulative count, when it grew.
//!
//! The histogram is kept sparse (bucket index → count): engines are cloned per state by
//! the checker, and most commands fall in a handful of buckets.

use super::Ctx;
use crate::resp::Reply;
use std::collections::BTreeMap;

const MIN_VALUE: i64 = 1;
const MAX_VALUE: i64 = 1_000_000_000;
/// `2 * 10^2` needs 8 bits: 256 sub-buckets, half of them 128 (magnitude 7).
const SUB_BUCKET_COUNT: i64 = 256;
const SUB_BUCKET_HALF_COUNT: i64 = 128;
const SUB_BUCKET_HALF_COUNT_MAGNITUDE: i32 = 7;
const UNIT_MAGNITUDE: i32 = 0;
const SUB_BUCKET_MASK: i64 = (SUB_BUCKET_COUNT - 1) << UNIT_MAGNITUDE;
/// Buckets needed to cover 10^9 from 256: 23, plus one, times the half count.
const COUNTS_LEN: i32 = 24 * 128;

/// One command's latencies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    counts: BTreeMap<i32, u64>,
    total: u64,
}

impl Histogram {
    /// Records a latency of `duration_ns`, clamped to 1 ns .. 1 s as Redis clamps it.
    pub(crate) fn record(&mut self, duration_ns: i64) {
        let value = duration_ns.clamp(MIN_VALUE, MAX_VALUE);
        let bucket = bucket_index(value);
        let sub = sub_bucket_index(value, bucket);
        *self.counts.entry(counts_index(bucket, sub)).or_insert(0) += 1;
        self.total += 1;
    }

    /// `fillCommandCDF`: (µs, cumulative count) at each reporting step where it grew.
    fn cdf(&self) -> Vec<(i64, u64)> {
        let mut out = Vec::new();
        let mut iter = LogIter::new(self);
        let mut previous = 0;
        while iter.next() {
            if iter.cumulative > previous {
                out.push((iter.highest_equivalent / 1000, iter.cumulative));
            }
            previous = iter.cumulative;
        }
        out
    }
}

fn bucket_index(value: i64) -> i32 {
    let pow2ceiling = 64 - (value | SUB_BUCKET_MASK).leading_zeros() as i32;
    pow2ceiling - UNIT_MAGNITUDE - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1)
}

fn sub_bucket_index(value: i64, bucket: i32) -> i64 {
    value >> (bucket + UNIT_MAGNITUDE)
}

fn counts_index(bucket: i32, sub: i64) -> i32 {
    ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (sub - SUB_BUCKET_HALF_COUNT) as i32
}

fn value_at_index(index: i32) -> i64 {
    let mut bucket = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
    let mut sub = i64::from(index & (SUB_BUCKET_HALF_COUNT as i32 - 1)) + SUB_BUCKET_HALF_COUNT;
    if bucket < 0 {
        sub -= SUB_BUCKET_HALF_COUNT;
        bucket = 0;
    }
    sub << (bucket + UNIT_MAGNITUDE)
}

fn lowest_equivalent(value: i64) -> i64 {
    let bucket = bucket_index(value);
    sub_bucket_index(value, bucket) << (bucket + UNIT_MAGNITUDE)
}

fn equivalent_range(bucket: i32, sub: i64) -> i64 {
    let adjusted = if sub >= SUB_BUCKET_COUNT {
        bucket + 1
    } else {
        bucket
    };
    1 << (UNIT_MAGNITUDE + adjusted)
}

/// hdr_histogram's logarithmic iterator (`hdr_iter_log_init(…, 1024, 2)`).
struct LogIter<'a> {
    h: &'a Histogram,
    counts_index: i32,
    cumulative: u64,
    value: i64,
    highest_equivalent: i64,
    next_level: i64,
    next_level_lowest: i64,
}

impl<'a> LogIter<'a> {
    fn new(h: &'a Histogram) -> Self {
        LogIter {
            h,
            counts_index: -1,
            cumulative: 0,
            value: 0,
            highest_equivalent: 0,
            next_level: 1024,
            next_level_lowest: lowest_equivalent(1024),
        }
    }

    fn has_next(&self) -> bool {
        self.cumulative < self.h.total
    }

    fn move_next(&mut self) -> bool {
        self.counts_index += 1;
        if self.counts_index >= COUNTS_LEN {
            return false;
        }
        self.cumulative += self.h.counts.get(&self.counts_index).copied().unwrap_or(0);
        let value = value_at_index(self.counts_index);
        let bucket = bucket_index(value);
        let sub = sub_bucket_index(value, bucket);
        let lowest = sub << (bucket + UNIT_MAGNITUDE);
        self.value = value;
        self.highest_equivalent = lowest + equivalent_range(bucket, sub) - 1;
        true
    }

    fn next_value_beyond_level(&self) -> bool {
        self.counts_index < COUNTS_LEN
            && value_at_index(self.counts_index + 1) > self.next_level_lowest
    }

    /// `log_iter_next`.
    fn next(&mut self) -> bool {
        if !(self.has_next() || self.next_value_beyond_level()) {
            return false;
        }
        loop {
            if self.value >= self.next_level_lowest {
                self.next_level *= 2;
                self.next_level_lowest = lowest_equivalent(self.next_level);
                return true;
            }
            if !self.move_next() {
                return true;
            }
        }
    }
}

/// LATENCY HISTOGRAM [command ...]: every command with calls, or the named ones (with
/// their subcommands); unknown names are skipped.
pub(crate) fn histogram(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let stats = &ctx.store.stats.commands;
    let mut entries = Vec::new();
    let mut add = |full_name: String, h: &Histogram| {
        if h.total == 0 {
            return;
        }
        let buckets = h
            .cdf()
            .into_iter()
            .map(|(us, count)| (Reply::Integer(us), Reply::Integer(count as i64)))
            .collect();
        entries.push((
            Reply::bulk(full_name),
            Reply::Map(vec![
                (Reply::bulk("calls"), Reply::Integer(h.total as i64)),
                (Reply::bulk("histogram_usec"), Reply::Map(buckets)),
            ]),
        ));
    };
    let full = |(name, sub): (&str, Option<&str>)| match sub {
        Some(sub) => format!("{name}|{sub}"),
        None => name.to_string(),
    };
    if argv.len() == 2 {
        for (key, stat) in stats.iter() {
            add(full(*key), &stat.latency);
        }
    } else {
        for wanted in &argv[2..] {
            let Some(spec) = super::lookup(wanted) else {
                continue;
            };
            for (key, stat) in stats.iter().filter(|(key, _)| key.0 == spec.name) {
                add(full(*key), &stat.latency);
            }
        }
    }
    Reply::Map(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_commands_fill_the_first_buckets_as_redis_reports_them() {
        let mut h = Histogram::default();
        // 1, 2, 3, 5 and 13 µs, as Redis records them (µs × 1000).
        for us in [1, 1, 2, 3, 5, 13] {
            h.record(us * 1000);
        }
        // hdr_histogram's log iteration from 1024 ns: steps at 1031, 2063, 4127, 8223 and
        // 16447 ns, each with the count of all the values up to it.
        assert_eq!(h.cdf(), vec![(1, 2), (2, 3), (4, 4), (8, 5), (16, 6)]);
    }

    #[test]
    fn values_are_clamped_to_one_second() {
        let mut h = Histogram::default();
        h.record(5_000_000_000);
        h.record(0);
        let cdf = h.cdf();
        assert_eq!(cdf.first(), Some(&(1, 1)));
        assert_eq!(cdf.last().map(|c| c.1), Some(2));
    }
}
