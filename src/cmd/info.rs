//! INFO [section ...]: the sections redsim can fill truthfully — server, clients,
//! stats, replication, commandstats, errorstats, keyspace — laid out as Redis lays
//! them out (`# Name` headers, `field:value` lines ending in CRLF, a blank line between
//! sections). Fields that describe a process, a socket or an allocator (pid, memory,
//! network bytes…) are left out rather than invented.

use super::{connection::REDIS_VERSION, flags::*, CommandSpec, Ctx};
use crate::resp::Reply;
use std::fmt::Write;

pub static COMMANDS: &[CommandSpec] =
    &[CommandSpec::new("info", -1, LOADING | STALE, info).acl("slow dangerous")];

const DEFAULT: &[&str] = &[
    "server",
    "clients",
    "stats",
    "replication",
    "errorstats",
    "keyspace",
];
const ALL: &[&str] = &[
    "server",
    "clients",
    "stats",
    "replication",
    "commandstats",
    "errorstats",
    "keyspace",
];

fn info(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut wanted: Vec<&str> = Vec::new();
    if argv.len() == 1 {
        wanted.extend(DEFAULT);
    }
    for arg in &argv[1..] {
        let arg = String::from_utf8_lossy(arg).to_ascii_lowercase();
        match arg.as_str() {
            "default" => wanted.extend(DEFAULT),
            "all" | "everything" => wanted.extend(ALL),
            other => {
                if let Some(s) = ALL.iter().find(|s| **s == other) {
                    wanted.push(s);
                }
            }
        }
    }
    let mut out = String::new();
    for (i, name) in ALL.iter().filter(|s| wanted.contains(s)).enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        section(ctx, name, &mut out);
    }
    Reply::Verbatim {
        format: *b"txt",
        text: out.into_bytes(),
    }
}

fn section(ctx: &mut Ctx<'_>, name: &str, out: &mut String) {
    let now_us = ctx.host.now_us();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push_str("\r\n");
    };
    match name {
        "server" => {
            line("# Server".into());
            line(format!("redis_version:{REDIS_VERSION}"));
            line("redis_git_sha1:00000000".into());
            line("redis_git_dirty:0".into());
            line("redis_mode:standalone".into());
            line("arch_bits:64".into());
            line(format!("server_time_usec:{now_us}"));
            line("hz:10".into());
            line("configured_hz:10".into());
            line(format!(
                "lru_clock:{}",
                (now_us / 1_000_000) & ((1 << 24) - 1)
            ));
        }
        "clients" => {
            line("# Clients".into());
            line(format!(
                "connected_clients:{}",
                ctx.store.sessions().count()
            ));
            line("cluster_connections:0".into());
            line("maxclients:10000".into());
            line("blocked_clients:0".into());
            line("tracking_clients:0".into());
            line("clients_in_timeout_table:0".into());
        }
        "stats" => {
            let s = &ctx.store.stats;
            let expired: u64 = ctx.store.dbs.iter().map(|d| d.expired_keys).sum();
            line("# Stats".into());
            line(format!(
                "total_connections_received:{}",
                s.total_connections_received
            ));
            line(format!(
                "total_commands_processed:{}",
                s.total_commands_processed
            ));
            line(format!("expired_keys:{expired}"));
            line("evicted_keys:0".into());
            line("evicted_clients:0".into());
            line("pubsub_channels:0".into());
            line("pubsub_patterns:0".into());
            line("unexpected_error_replies:0".into());
            line(format!("total_error_replies:{}", s.total_error_replies));
        }
        "replication" => {
            line("# Replication".into());
            line("role:master".into());
            line("connected_slaves:0".into());
        }
        "commandstats" => {
            line("# Commandstats".into());
            for ((cmd, sub), st) in &ctx.store.stats.commands {
                if st.calls == 0 && st.rejected_calls == 0 && st.failed_calls == 0 {
                    continue;
                }
                let name = match sub {
                    Some(sub) => format!("{cmd}|{sub}"),
                    None => cmd.to_string(),
                };
                let per_call = if st.calls == 0 {
                    0.0
                } else {
                    st.usec as f64 / st.calls as f64
                };
                line(format!(
                    "cmdstat_{name}:calls={},usec={},usec_per_call={per_call:.2},rejected_calls={},failed_calls={}",
                    st.calls, st.usec, st.rejected_calls, st.failed_calls
                ));
            }
        }
        "errorstats" => {
            line("# Errorstats".into());
            for (code, count) in &ctx.store.stats.errors {
                line(format!("errorstat_{code}:count={count}"));
            }
        }
        "keyspace" => {
            let now_ms = ctx.now_ms;
            out.push_str("# Keyspace\r\n");
            for (i, db) in ctx.store.dbs.iter().enumerate() {
                if db.is_empty() {
                    continue;
                }
                // Redis estimates avg_ttl from its expiry cycle's samples; redsim has
                // the exact mean of the remaining TTLs.
                let ttls: Vec<u64> = db
                    .keys()
                    .filter_map(|k| db.expire_at(k))
                    .map(|at| at.saturating_sub(now_ms))
                    .collect();
                let avg = if ttls.is_empty() {
                    0
                } else {
                    ttls.iter().sum::<u64>() / ttls.len() as u64
                };
                let _ = write!(
                    out,
                    "db{i}:keys={},expires={},avg_ttl={avg}\r\n",
                    db.len(),
                    db.expires_len()
                );
            }
        }
        _ => {}
    }
}
