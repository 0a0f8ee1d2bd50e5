//! How a script's errors are counted (INFO errorstats, total_error_replies, the
//! rejected/failed calls of INFO commandstats), against a real redis-server 7.0.15.
//!
//! The rule (Redis's `luaRedisGenericCommand` / `luaCallFunction`): an error a command
//! called by the script replied, or the script check's refusal of it, is counted once,
//! when it is made; the table `redis.call` raises or `redis.pcall` returns carries
//! `ignore_error_stats_update`, so passing it on to the client counts no second error (it
//! only marks the script command failed). The script's own errors (`error()`, runtime
//! errors, `redis.error_reply`, argument errors of `redis.call`) are counted when the
//! client gets them, at any depth of the reply.

mod support;

use support::pair::Pair;
use support::redis_server_available;

/// Scenarios: each starts with CONFIG RESETSTAT; the statistics are compared after it.
const SCENARIOS: &[&[&str]] = &[
    // Refused by the script check (OOM), raised, returned by pcall, returned as the result.
    &[
        "CONFIG SET maxmemory 1",
        "EVAL \"return redis.call('set','x','y')\" 1 x",
        "CONFIG SET maxmemory 0",
    ],
    &[
        "CONFIG SET maxmemory 1",
        "EVAL \"local t = redis.pcall('set','x','y') return t['err']\" 1 x",
        "CONFIG SET maxmemory 0",
    ],
    &[
        "CONFIG SET maxmemory 1",
        "EVAL \"return redis.pcall('set','x','y')\" 1 x",
        "CONFIG SET maxmemory 0",
    ],
    // A command's own error.
    &["EVAL \"return redis.call('select',99)\" 0"],
    &["EVAL \"local t = redis.pcall('select',99) return t['err']\" 0"],
    &["EVAL \"return redis.pcall('select',99)\" 0"],
    &["SET s 1", "EVAL \"return redis.call('lpush','s','a')\" 1 s"],
    // Refused as a write in a read-only script.
    &["EVAL_RO \"return redis.call('set','x','y')\" 1 x"],
    &["EVAL_RO \"return redis.pcall('set','x','y')\" 1 x"],
    // Refused as unknown, noscript, wrong arity.
    &["EVAL \"return redis.call('nosuchcommand')\" 0"],
    &["EVAL \"return redis.pcall('multi')\" 0"],
    &["EVAL \"return redis.call('get')\" 0"],
    // Errors inside a returned array: each counted one, each passed-on one a failed call.
    &["EVAL \"return {1, redis.pcall('select',99), redis.pcall('select',98)}\" 0"],
    &["EVAL \"return {redis.error_reply('MY_ERR x'), redis.error_reply('OTHER y')}\" 0"],
    &["EVAL \"return {redis.pcall('select',99), redis.error_reply('MY_ERR x')}\" 0"],
    // The script's own errors.
    &["EVAL \"return redis.error_reply('MY_ERR_CODE custom msg')\" 0"],
    &["EVAL \"return redis.error_reply('')\" 0"],
    &["EVAL \"error('boom')\" 0"],
    &["EVAL \"error({err='E2 raised table'})\" 0"],
    &["EVAL \"return nosuchglobal\" 0"],
    &["EVAL \"return redis.call('ping', {})\" 0"],
    &["EVAL \"return redis.pcall('ping', {})\" 0"],
    &["EVAL \"return redis.pcall()\" 0"],
    // A table raised with the flag set by the script itself counts as already counted.
    &["EVAL \"error({err='E3 forged', ignore_error_stats_update=true})\" 0"],
    // Functions follow the same rules.
    &[
        "FUNCTION LOAD REPLACE \"#!lua name=lib\nredis.register_function('f', function(k, a) return redis.call('select', 99) end)\nredis.register_function('g', function(k, a) return redis.pcall('select', 99) end)\nredis.register_function('h', function(k, a) return redis.error_reply('FERR x') end)\"",
        "CONFIG RESETSTAT",
        "FCALL f 0",
        "FCALL g 0",
        "FCALL h 0",
    ],
];

/// The lines of INFO `section` that the comparison reads: errorstats whole, the error
/// total of stats, and commandstats without the timings.
fn stats_of(info: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(info)
        .lines()
        .filter(|l| {
            l.starts_with("errorstat_")
                || l.starts_with("total_error_replies:")
                || l.starts_with("cmdstat_")
        })
        .map(|l| {
            // cmdstat_x:calls=1,usec=5,usec_per_call=5.00,rejected_calls=0,failed_calls=1
            l.split(',')
                .filter(|f| !f.starts_with("usec"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect()
}

fn info(call: &mut dyn FnMut(&[Vec<u8>]) -> Vec<u8>) -> Vec<String> {
    let mut lines = Vec::new();
    for section in ["errorstats", "stats", "commandstats"] {
        lines.extend(stats_of(&call(&[
            b"INFO".to_vec(),
            section.as_bytes().to_vec(),
        ])));
    }
    // Redis prints commandstats in its dict's order.
    lines.sort();
    lines
}

#[test]
fn script_errors_are_counted_as_redis_counts_them() {
    if !redis_server_available() {
        eprintln!("SKIPPED script_errors_are_counted_as_redis_counts_them: no redis-server");
        return;
    }
    let mut pair = Pair::start(false);
    let mut failures = Vec::new();
    for scenario in SCENARIOS {
        let mut lines = vec!["FLUSHALL", "CONFIG RESETSTAT"];
        lines.extend_from_slice(scenario);
        failures.extend(lines.iter().filter_map(|line| pair.differs("", line)));
        let expected = info(&mut |argv| pair.real.call(argv));
        let got = info(&mut |argv| pair.engine.execute_encoded(pair.client, argv));
        if expected != got {
            failures.push(format!(
                "after {scenario:?}\n  redis:  {expected:?}\n  redsim: {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
