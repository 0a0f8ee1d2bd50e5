//! Live differential test for streams: proptest-generated sequences of XADD (explicit
//! and `ms-*` IDs, fields that repeat a node's master entry or not, MAXLEN / MINID with
//! `=` / `~` and LIMIT), XRANGE / XREVRANGE (exclusive bounds, COUNT), XDEL, XTRIM, XLEN,
//! XSETID, XINFO STREAM (node counts, first/last entries), DEBUG DIGEST-VALUE, and the
//! group commands whose replies do not depend on time (XREADGROUP, XACK, XPENDING's
//! summary, XCLAIM / XAUTOCLAIM with JUSTID, XINFO GROUPS with lag and entries-read),
//! with small node limits so that nodes split often — sent to a real redis-server and to
//! the engine; replies must match byte for byte, in RESP2 or RESP3.
//!
//! Runs when `redis-server` is on PATH (otherwise it says it skipped and passes).
//! `REDSIM_STREAMS_DIFF_CASES=500 cargo test --test streams_differential` runs more.

mod support;

use proptest::prelude::*;
use support::differential;

const KEYS: &[&str] = &["s1", "s2"];
const FIELDS: &[&str] = &["f", "g", "name", "12", "-3"];
const VALUES: &[&str] = &["v", "1", "", "a longer value to fill nodes", "-70000"];

fn pick(options: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(options).prop_map(str::to_string)
}

/// An ID around the ones XADD uses, sometimes exclusive or open-ended.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..40, 0u64..4).prop_map(|(ms, seq)| format!("{ms}-{seq}")),
        (0u64..40).prop_map(|ms| ms.to_string()),
    ]
}

fn bound() -> impl Strategy<Value = String> {
    prop_oneof![
        id(),
        id().prop_map(|i| format!("({i}")),
        Just("-".to_string()),
        Just("+".to_string()),
    ]
}

fn trim() -> impl Strategy<Value = Vec<String>> {
    (
        pick(&["MAXLEN", "MINID"]),
        pick(&["", "=", "~"]),
        0u64..12,
        id(),
        pick(&["", "LIMIT 0", "LIMIT 3", "LIMIT 20"]),
    )
        .prop_map(|(kind, op, n, id, limit)| {
            let mut argv = vec![kind.clone()];
            argv.extend([op.clone()].into_iter().filter(|s| !s.is_empty()));
            argv.push(if kind == "MAXLEN" { n.to_string() } else { id });
            if op == "~" {
                argv.extend(limit.split_whitespace().map(str::to_string));
            }
            argv
        })
}

fn command() -> impl Strategy<Value = Vec<String>> {
    let key = || pick(KEYS);
    let fields = prop::collection::vec((pick(FIELDS), pick(VALUES)), 1..4);
    prop_oneof![
        6 => (key(), id(), any::<bool>(), fields, prop::option::weighted(0.2, trim())).prop_map(
            |(k, id, star, pairs, trim)| {
                let mut argv = vec!["XADD".to_string(), k];
                argv.extend(trim.unwrap_or_default());
                let ms = id.split('-').next().unwrap_or("0").to_string();
                argv.push(if star { format!("{ms}-*") } else { id });
                for (f, v) in pairs {
                    argv.extend([f, v]);
                }
                argv
            }
        ),
        2 => (key(), any::<bool>(), bound(), bound(), prop::option::of(0i64..4)).prop_map(
            |(k, rev, a, b, count)| {
                let name = if rev { "XREVRANGE" } else { "XRANGE" };
                let mut argv = vec![name.to_string(), k, a, b];
                if let Some(c) = count {
                    argv.extend(["COUNT".to_string(), c.to_string()]);
                }
                argv
            }
        ),
        2 => (key(), prop::collection::vec(id(), 1..4)).prop_map(|(k, ids)| {
            let mut argv = vec!["XDEL".to_string(), k];
            argv.extend(ids);
            argv
        }),
        1 => (key(), trim()).prop_map(|(k, t)| {
            let mut argv = vec!["XTRIM".to_string(), k];
            argv.extend(t);
            argv
        }),
        1 => key().prop_map(|k| vec!["XLEN".into(), k]),
        1 => key().prop_map(|k| vec!["XINFO".into(), "STREAM".into(), k]),
        1 => key().prop_map(|k| vec!["XINFO".into(), "GROUPS".into(), k]),
        1 => key().prop_map(|k| vec!["DEBUG".into(), "DIGEST-VALUE".into(), k]),
        1 => (key(), id(), prop::option::of(0u64..20)).prop_map(|(k, id, added)| {
            let mut argv = vec!["XSETID".to_string(), k, id];
            if let Some(n) = added {
                argv.extend(["ENTRIESADDED".to_string(), n.to_string()]);
            }
            argv
        }),
        1 => (key(), pick(&["0", "$", "3-0"])).prop_map(|(k, id)| {
            vec!["XGROUP".into(), "CREATE".into(), k, "g".into(), id, "MKSTREAM".into()]
        }),
        2 => (key(), pick(&["c1", "c2"]), prop::option::of(1i64..3), pick(&[">", "0"])).prop_map(
            |(k, c, count, id)| {
                let mut argv = vec!["XREADGROUP".to_string(), "GROUP".into(), "g".into(), c];
                if let Some(n) = count {
                    argv.extend(["COUNT".to_string(), n.to_string()]);
                }
                argv.extend(["STREAMS".to_string(), k, id]);
                argv
            }
        ),
        1 => (key(), id()).prop_map(|(k, id)| vec!["XACK".into(), k, "g".into(), id]),
        1 => key().prop_map(|k| vec!["XPENDING".into(), k, "g".into()]),
        1 => (key(), pick(&["c1", "c2"]), id()).prop_map(|(k, c, id)| {
            vec!["XCLAIM".into(), k, "g".into(), c, "0".into(), id, "JUSTID".into()]
        }),
        1 => (key(), pick(&["c1", "c2"]), 1i64..4).prop_map(|(k, c, n)| {
            vec![
                "XAUTOCLAIM".into(), k, "g".into(), c, "0".into(), "0".into(),
                "COUNT".into(), n.to_string(), "JUSTID".into(),
            ]
        }),
        1 => (key(), pick(&["$", "0"])).prop_map(|(k, id)| {
            vec!["XGROUP".into(), "SETID".into(), k, "g".into(), id]
        }),
        1 => (key(), pick(&["0", "$"])).prop_map(|(k, id)| {
            vec!["XREAD".into(), "COUNT".into(), "3".into(), "STREAMS".into(), k, id]
        }),
    ]
}

#[test]
fn stream_commands_match_a_real_redis_server() {
    let strategy = (
        any::<bool>(),
        prop::sample::select(vec![0u32, 2, 3, 5, 100]),
        prop::sample::select(vec![0u32, 60, 120, 4096]),
        prop::collection::vec(command(), 1..60),
    );
    differential::run(
        "REDSIM_STREAMS_DIFF_CASES",
        32,
        strategy,
        |redis, (resp3, entries, bytes, commands)| {
            let config = |name: &str, value: u32| {
                ["CONFIG", "SET", name]
                    .iter()
                    .map(|w| w.to_string())
                    .chain([value.to_string()])
                    .collect()
            };
            let setup = [
                config("stream-node-max-entries", entries),
                config("stream-node-max-bytes", bytes),
            ];
            differential::replay(redis, resp3, &setup, &commands)
        },
    );
}
