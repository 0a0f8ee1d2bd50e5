//! INFO [section ...]: every section of Redis 7.0.15 with every field, laid out as Redis
//! lays them out (`# Name` headers, `field:value` lines ending in CRLF, a blank line
//! between sections). `default` (also INFO with no argument) is every section but
//! commandstats and latencystats; `all` adds those two; `everything` adds the modules'
//! own sections, of which redsim has none. An unknown section name gives nothing.
//!
//! Values mean what Redis's mean where redsim has the quantity (clients, blocked clients,
//! commands, errors, keyspace, scripts, an estimate of memory built as MEMORY USAGE builds
//! it); where it has none — no fork, no persistence, no replication, no allocator of its
//! own, no CPU accounting — the field is a constant, the value an idle redis-server
//! started with `--save '' --appendonly no` shows (0, -1, `ok`). `info_sections.rs` says
//! which is which, field by field.

use super::{flags::*, info_sections, CommandSpec, Ctx};
use crate::resp::Reply;
use std::fmt::Write;

pub static COMMANDS: &[CommandSpec] =
    &[CommandSpec::new("info", -1, LOADING | STALE, info).acl("slow dangerous")];

/// Redis's order of sections.
const SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "commandstats",
    "errorstats",
    "latencystats",
    "cluster",
    "keyspace",
];

/// The sections `all` adds to `default`.
const NOT_DEFAULT: &[&str] = &["commandstats", "latencystats"];

fn info(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut wanted: Vec<&str> = Vec::new();
    let mut everything = false;
    // With no argument, INFO is INFO default.
    let mut default = argv.len() == 1;
    for arg in &argv[1..] {
        let arg = String::from_utf8_lossy(arg).to_ascii_lowercase();
        match arg.as_str() {
            "default" => default = true,
            "all" | "everything" => everything = true,
            other => {
                if let Some(s) = SECTIONS.iter().find(|s| **s == other) {
                    wanted.push(s);
                }
            }
        }
    }
    let mut out = String::new();
    let chosen = SECTIONS
        .iter()
        .filter(|s| everything || wanted.contains(s) || (default && !NOT_DEFAULT.contains(s)));
    for (i, name) in chosen.enumerate() {
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
    match name {
        "server" => info_sections::server(ctx, out),
        "clients" => info_sections::clients(ctx, out),
        "memory" => info_sections::memory(ctx, out),
        "persistence" => info_sections::persistence(ctx, out),
        "stats" => info_sections::stats(ctx, out),
        "replication" => info_sections::replication(ctx, out),
        "cpu" => info_sections::cpu(out),
        // No modules are loaded: the header alone, as Redis prints it.
        "modules" => out.push_str("# Modules\r\n"),
        "commandstats" => commandstats(ctx, out),
        "errorstats" => {
            out.push_str("# Errorstats\r\n");
            for (code, count) in &ctx.store.stats.errors {
                let _ = write!(out, "errorstat_{code}:count={count}\r\n");
            }
        }
        // Redis prints latency percentiles from a histogram per command; redsim keeps
        // only each command's total time (commandstats), so the section is empty rather
        // than invented.
        "latencystats" => out.push_str("# Latencystats\r\n"),
        "cluster" => {
            let enabled = u8::from(ctx.store.config.cluster_enabled);
            out.push_str(&format!("# Cluster\r\ncluster_enabled:{enabled}\r\n"));
        }
        "keyspace" => keyspace(ctx, out),
        _ => {}
    }
}

fn commandstats(ctx: &mut Ctx<'_>, out: &mut String) {
    out.push_str("# Commandstats\r\n");
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
        let _ = write!(
            out,
            "cmdstat_{name}:calls={},usec={},usec_per_call={per_call:.2},rejected_calls={},failed_calls={}\r\n",
            st.calls, st.usec, st.rejected_calls, st.failed_calls
        );
    }
}

fn keyspace(ctx: &mut Ctx<'_>, out: &mut String) {
    let now_ms = ctx.now_ms;
    out.push_str("# Keyspace\r\n");
    for (i, db) in ctx.store.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        // Redis estimates avg_ttl from its expiry cycle's samples; redsim has the exact
        // mean of the remaining TTLs. A replica runs no expiry cycle, so its estimate
        // stays 0.
        let on_replica = ctx.store.repl.is_replica();
        let ttls: Vec<u64> = db
            .keys()
            .filter_map(|k| db.expire_at(k))
            .map(|at| at.saturating_sub(now_ms))
            .collect();
        let avg = if ttls.is_empty() || on_replica {
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
