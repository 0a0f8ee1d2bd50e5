//! Live differential test for the string and keyspace families: proptest-generated
//! sequences of SET (with its options), GETEX, APPEND, SETRANGE, GETRANGE, INCR family,
//! INCRBYFLOAT with random decimals (long double arithmetic), LCS, RENAME, COPY, EXPIRE
//! and OBJECT ENCODING, sent to a real redis-server and to the engine; replies must match
//! byte for byte, in RESP2 or RESP3. Expiries are long (1000 s) so the server's moving clock cannot show.
//!
//! Runs when `redis-server` is on PATH (otherwise it says it skipped and passes).
//! `REDSIM_STRINGS_DIFF_CASES=500 cargo test --test strings_differential` runs more.

mod support;

use proptest::prelude::*;
use support::differential;

const KEYS: &[&str] = &["k1", "k2", "k3"];
const VALUES: &[&str] = &[
    "a",
    "hello",
    "12",
    "-5",
    "",
    "x y",
    "9223372036854775807",
    "3.5",
    "ohmytext",
    "0",
];

fn pick(options: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(options).prop_map(str::to_string)
}

/// A decimal as a user would type it: sign, digits, fraction, maybe an exponent.
fn decimal() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        0u32..100_000,
        prop::option::of(0u32..1_000_000),
        prop::option::of(-3i32..4),
    )
        .prop_map(|(negative, int, frac, exp)| {
            let mut s = String::new();
            if negative {
                s.push('-');
            }
            s.push_str(&int.to_string());
            if let Some(f) = frac {
                s.push('.');
                s.push_str(&f.to_string());
            }
            if let Some(e) = exp {
                s.push_str(&format!("e{e}"));
            }
            s
        })
}

fn command() -> impl Strategy<Value = Vec<String>> {
    let key = || pick(KEYS);
    let value = || pick(VALUES);
    let small = || (-6i64..7).prop_map(|n| n.to_string());
    prop_oneof![
        (
            key(),
            value(),
            pick(&["", "NX", "XX"]),
            pick(&["", "GET"]),
            pick(&["", "EX 1000", "PX 1000000", "KEEPTTL", "EXAT 1"])
        )
            .prop_map(|(k, v, cond, get, ttl)| {
                let mut argv = vec!["SET".into(), k, v];
                argv.extend([cond, get].into_iter().filter(|s| !s.is_empty()));
                argv.extend(ttl.split_whitespace().map(str::to_string));
                argv
            }),
        key().prop_map(|k| vec!["GET".into(), k]),
        key().prop_map(|k| vec!["GETDEL".into(), k]),
        (key(), pick(&["", "PERSIST", "EX 1000", "PXAT 1"])).prop_map(|(k, o)| {
            let mut argv = vec!["GETEX".into(), k];
            argv.extend(o.split_whitespace().map(str::to_string));
            argv
        }),
        (key(), value()).prop_map(|(k, v)| vec!["GETSET".into(), k, v]),
        (key(), value()).prop_map(|(k, v)| vec!["SETNX".into(), k, v]),
        (key(), value()).prop_map(|(k, v)| vec!["APPEND".into(), k, v]),
        key().prop_map(|k| vec!["STRLEN".into(), k]),
        (key(), small(), small()).prop_map(|(k, a, b)| vec!["GETRANGE".into(), k, a, b]),
        (key(), 0u32..7, value()).prop_map(|(k, o, v)| vec![
            "SETRANGE".into(),
            k,
            o.to_string(),
            v
        ]),
        key().prop_map(|k| vec!["INCR".into(), k]),
        (key(), small()).prop_map(|(k, n)| vec!["DECRBY".into(), k, n]),
        (key(), decimal()).prop_map(|(k, d)| vec!["INCRBYFLOAT".into(), k, d]),
        (key(), value(), key(), value()).prop_map(|(a, v, b, w)| vec!["MSETNX".into(), a, v, b, w]),
        (
            key(),
            key(),
            pick(&["", "LEN", "IDX", "IDX MINMATCHLEN 2 WITHMATCHLEN"])
        )
            .prop_map(|(a, b, o)| {
                let mut argv = vec!["LCS".into(), a, b];
                argv.extend(o.split_whitespace().map(str::to_string));
                argv
            }),
        key().prop_map(|k| vec!["OBJECT".into(), "ENCODING".into(), k]),
        (key(), key()).prop_map(|(a, b)| vec!["EXISTS".into(), a, b]),
        key().prop_map(|k| vec!["TYPE".into(), k]),
        (key(), key()).prop_map(|(a, b)| vec!["RENAME".into(), a, b]),
        (key(), key()).prop_map(|(a, b)| vec!["RENAMENX".into(), a, b]),
        (key(), key(), pick(&["", "REPLACE"])).prop_map(|(a, b, r)| {
            let mut argv = vec!["COPY".into(), a, b];
            argv.extend([r].into_iter().filter(|s| !s.is_empty()));
            argv
        }),
        key().prop_map(|k| vec!["PERSIST".into(), k]),
        (key(), pick(&["", "NX", "XX"])).prop_map(|(k, o)| {
            let mut argv = vec!["EXPIRE".into(), k, "1000".into()];
            argv.extend([o].into_iter().filter(|s| !s.is_empty()));
            argv
        }),
        key().prop_map(|k| vec!["TTL".into(), k]),
        (key(), key()).prop_map(|(a, b)| vec!["DEL".into(), a, b]),
        (key(), key()).prop_map(|(a, b)| vec!["UNLINK".into(), a, b]),
        (key(), key()).prop_map(|(a, b)| vec!["TOUCH".into(), a, b]),
        (key(), key(), key()).prop_map(|(a, b, c)| vec!["MGET".into(), a, b, c]),
        (key(), value(), key(), value()).prop_map(|(a, v, b, w)| vec!["MSET".into(), a, v, b, w]),
        (key(), pick(&["1000", "0", "-1", "x"]), value()).prop_map(|(k, t, v)| vec![
            "SETEX".into(),
            k,
            t,
            v
        ]),
        (key(), pick(&["-1", "0"])).prop_map(|(k, t)| vec!["PEXPIRE".into(), k, t]),
        pick(&["0", "1"]).prop_map(|d| vec!["SELECT".into(), d]),
        (key(), pick(&["0", "1", "16"])).prop_map(|(k, d)| vec!["MOVE".into(), k, d]),
        Just(vec!["SWAPDB".to_string(), "0".into(), "1".into()]),
        Just(vec!["DBSIZE".to_string()]),
        key().prop_map(|k| vec!["OBJECT".into(), "REFCOUNT".into(), k]),
        (key(), small(), small()).prop_map(|(k, a, b)| vec!["SUBSTR".into(), k, a, b]),
        (
            key(),
            pick(&["9223372036854775807", "-9223372036854775808", "1", "x"])
        )
            .prop_map(|(k, n)| vec!["INCRBY".into(), k, n]),
        key().prop_map(|k| vec!["DECR".into(), k]),
    ]
}

#[test]
fn string_and_keyspace_commands_match_a_real_redis_server() {
    let strategy = (any::<bool>(), prop::collection::vec(command(), 1..40));
    differential::run(
        "REDSIM_STRINGS_DIFF_CASES",
        32,
        strategy,
        |redis, (resp3, commands)| differential::replay(redis, resp3, &[], &commands),
    );
}
