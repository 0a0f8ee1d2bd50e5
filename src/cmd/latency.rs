//! LATENCY (Redis's `latency.c`): with `latency-monitor-threshold` set (ms; 0 is off), a
//! command that took at least that long adds a sample to the `command` event, or to
//! `fast-command` for a command flagged `fast`. Each event keeps its last 160 samples,
//! one per second (a later one in the same second keeps the higher latency), and its
//! all-time high. LATEST, HISTORY, RESET, GRAPH and DOCTOR read them as Redis does.
//!
//! redsim's engine has no fork, AOF or background cycles, so `command` and
//! `fast-command` are the only events it records, and DOCTOR's advice is the part of
//! Redis's that those events lead to. LATENCY HISTOGRAM is in `latency_histogram.rs`.

use super::flags::{ADMIN, LOADING, NOSCRIPT, STALE};
use super::spec::CommandSpec;
use super::Ctx;
use crate::resp::Reply;
use std::collections::BTreeMap;

const SUB: u32 = ADMIN | NOSCRIPT | LOADING | STALE;
const SUB_ACL: &str = "admin slow dangerous";

pub const COMMANDS: &[CommandSpec] = &[CommandSpec::new("latency", -2, 0, help)
    .acl("slow")
    .subcommands(&[
        CommandSpec::new("doctor", 2, SUB, doctor).acl(SUB_ACL),
        CommandSpec::new("graph", 3, SUB, graph).acl(SUB_ACL),
        CommandSpec::new("help", 2, LOADING | STALE, help).acl("slow"),
        CommandSpec::new("histogram", -2, SUB, super::latency_histogram::histogram).acl(SUB_ACL),
        CommandSpec::new("history", 3, SUB, history).acl(SUB_ACL),
        CommandSpec::new("latest", 2, SUB, latest).acl(SUB_ACL),
        CommandSpec::new("reset", -2, SUB, reset).acl(SUB_ACL),
    ])];

/// Samples kept per event (`LATENCY_TS_LEN`).
const TS_LEN: usize = 160;
/// Width of GRAPH's picture (`LATENCY_GRAPH_COLS`).
const GRAPH_COLS: usize = 80;

/// One event's samples: a ring of (Unix seconds, ms), time 0 meaning empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Series {
    samples: Vec<(u64, u64)>,
    idx: usize,
    max: u64,
}

impl Series {
    fn new() -> Self {
        Series {
            samples: vec![(0, 0); TS_LEN],
            idx: 0,
            max: 0,
        }
    }

    /// The samples from the oldest, empty slots left out.
    fn in_order(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        (0..TS_LEN)
            .map(|j| self.samples[(self.idx + j) % TS_LEN])
            .filter(|&(time, _)| time != 0)
    }

    fn last(&self) -> (u64, u64) {
        self.samples[(self.idx + TS_LEN - 1) % TS_LEN]
    }
}

/// The events by name.
pub(crate) type Events = BTreeMap<String, Series>;

/// `latencyAddSampleIfNeeded` after a command that took `duration_us`.
pub(crate) fn observe(ctx: &mut Ctx<'_>, fast: bool, duration_us: u64) {
    let threshold = ctx.store.config.latency_monitor_threshold;
    let ms = duration_us / 1000;
    if threshold == 0 || ms < threshold {
        return;
    }
    let event = if fast { "fast-command" } else { "command" };
    let now_s = ctx.now_ms / 1000;
    let series = ctx
        .store
        .process
        .latency
        .entry(event.to_string())
        .or_insert_with(Series::new);
    series.max = series.max.max(ms);
    let prev = (series.idx + TS_LEN - 1) % TS_LEN;
    if series.samples[prev].0 == now_s {
        series.samples[prev].1 = series.samples[prev].1.max(ms);
        return;
    }
    series.samples[series.idx] = (now_s, ms);
    series.idx = (series.idx + 1) % TS_LEN;
}

fn history(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let name = String::from_utf8_lossy(&argv[2]);
    let samples = match ctx.store.process.latency.get(name.as_ref()) {
        None => Vec::new(),
        Some(series) => series
            .in_order()
            .map(|(time, ms)| {
                Reply::Array(vec![Reply::Integer(time as i64), Reply::Integer(ms as i64)])
            })
            .collect(),
    };
    Reply::Array(samples)
}

fn latest(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::Array(
        ctx.store
            .process
            .latency
            .iter()
            .map(|(event, series)| {
                let (time, ms) = series.last();
                Reply::Array(vec![
                    Reply::bulk(event.as_str()),
                    Reply::Integer(time as i64),
                    Reply::Integer(ms as i64),
                    Reply::Integer(series.max as i64),
                ])
            })
            .collect(),
    )
}

/// LATENCY RESET [event ...]: how many events were reset (names compared ignoring case).
fn reset(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let events = &mut ctx.store.process.latency;
    let before = events.len();
    if argv.len() == 2 {
        events.clear();
        return Reply::Integer(before as i64);
    }
    let mut resets = 0;
    for name in &argv[2..] {
        let len = events.len();
        events.retain(|event, _| !event.as_bytes().eq_ignore_ascii_case(name));
        resets += len - events.len();
    }
    Reply::Integer(resets as i64)
}

/// LATENCY GRAPH event: a sparkline of the samples, labelled with how long ago each was.
fn graph(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let now_s = ctx.now_ms / 1000;
    let name = String::from_utf8_lossy(&argv[2]).into_owned();
    let Some(series) = ctx.store.process.latency.get(&name) else {
        return Reply::error(format!(
            "ERR No samples available for event '{}'",
            super::truncated(&argv[2])
        ));
    };
    let mut samples: Vec<(f64, String)> = Vec::new();
    let (mut min, mut max) = (0u64, 0u64);
    for (time, ms) in series.in_order() {
        if samples.is_empty() {
            (min, max) = (ms, ms);
        } else {
            max = max.max(ms);
            min = min.min(ms);
        }
        let elapsed = now_s.saturating_sub(time);
        let label = match elapsed {
            0..=59 => format!("{elapsed}s"),
            60..=3599 => format!("{}m", elapsed / 60),
            3600..=86_399 => format!("{}h", elapsed / 3600),
            _ => format!("{}d", elapsed / 86_400),
        };
        samples.push((ms as f64, label));
    }
    let mut out = format!(
        "{name} - high {max} ms, low {min} ms (all time high {} ms)\n",
        series.max
    );
    out.push_str(&"-".repeat(GRAPH_COLS));
    out.push('\n');
    out.push_str(&super::sparkline::render(&samples, GRAPH_COLS, 4));
    Reply::Verbatim {
        format: *b"txt",
        text: out.into_bytes(),
    }
}

/// LATENCY DOCTOR: Redis's report on the events, with its advice.
fn doctor(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let now_s = ctx.now_ms / 1000;
    let threshold = ctx.store.config.latency_monitor_threshold;
    let slowlog_threshold = ctx.store.config.slowlog_log_slower_than;
    let events = &ctx.store.process.latency;
    let text = |t: String| Reply::Verbatim {
        format: *b"txt",
        text: t.into_bytes(),
    };
    if events.is_empty() && threshold == 0 {
        return text("I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n".into());
    }
    let mut report = String::new();
    let (mut slowlog_enabled, mut slowlog_tuning, mut inspect, mut scheduler, mut large) =
        (false, false, false, false, false);
    let mut advices = 0;
    for (n, (event, series)) in events.iter().enumerate() {
        if n == 0 {
            report.push_str("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n");
        }
        let stats = Stats::of(series, now_s);
        report.push_str(&format!(
            "{}. {event}: {} latency spikes (average {}ms, mean deviation {}ms, period {:.2} sec). Worst all time event {}ms.",
            n + 1,
            stats.samples,
            stats.avg,
            stats.mad,
            stats.period as f64 / stats.samples as f64,
            series.max
        ));
        if event.eq_ignore_ascii_case("command") {
            if slowlog_threshold < 0 {
                slowlog_enabled = true;
                advices += 1;
            } else if (slowlog_threshold / 1000) as u64 > threshold {
                slowlog_tuning = true;
                advices += 1;
            }
            inspect = true;
            large = true;
            advices += 2;
        }
        if event.eq_ignore_ascii_case("fast-command") {
            scheduler = true;
            advices += 1;
        }
        report.push('\n');
    }
    if events.is_empty() && advices == 0 {
        report.push_str("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n");
    } else if advices == 0 {
        report.push_str("\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n");
    } else {
        report.push_str("\nI have a few advices for you:\n\n");
        let suggested = threshold * 1000;
        if slowlog_enabled {
            report.push_str(&format!("- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than {suggested}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n"));
        }
        if slowlog_tuning {
            report.push_str(&format!("- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than {suggested}'.\n"));
        }
        if inspect {
            report.push_str("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n");
        }
        if scheduler {
            report.push_str("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n  1) Lower the system load.\n  2) Use a computer / VM just for Redis if you are running other software in the same system.\n  3) Check if you have a \"noisy neighbour\" problem.\n  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n");
        }
        if large {
            report.push_str("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n");
        }
    }
    text(report)
}

/// `analyzeLatencyForEvent`: the figures DOCTOR prints for one event.
struct Stats {
    samples: u64,
    avg: u64,
    mad: u64,
    period: u64,
}

impl Stats {
    fn of(series: &Series, now_s: u64) -> Stats {
        let samples: Vec<(u64, u64)> = series.in_order().collect();
        let n = samples.len() as u64;
        if n == 0 {
            return Stats {
                samples: 0,
                avg: 0,
                mad: 0,
                period: 0,
            };
        }
        let avg = samples.iter().map(|s| s.1).sum::<u64>() / n;
        let oldest = samples.iter().map(|s| s.0).min().unwrap_or(0);
        let period = now_s.saturating_sub(oldest).max(1);
        let mad = samples.iter().map(|s| s.1.abs_diff(avg)).sum::<u64>() / n;
        Stats {
            samples: n,
            avg,
            mad,
            period,
        }
    }
}

fn help(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() < 2 {
        return super::wrong_arity("latency");
    }
    let lines = [
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
        "HELP",
        "    Prints this help.",
    ];
    Reply::Array(lines.iter().map(|l| Reply::simple(l)).collect())
}
