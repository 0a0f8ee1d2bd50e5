//! The bodies of INFO's sections, field for field as Redis 7.0.15's `genRedisInfoString`.
//! A field marked "constant" has no counterpart in redsim (no fork, disk, replication,
//! allocator or CPU accounting of its own); it shows what an idle redis-server started
//! with `--save '' --appendonly no` shows, so that tools reading it see a quiet server.

use super::memory::USED_MEMORY_STARTUP;
use super::Ctx;
use crate::config;
use std::fmt::{Display, Write};

/// `name:value\r\n`.
fn field(out: &mut String, name: &str, value: impl Display) {
    let _ = write!(out, "{name}:{value}\r\n");
}

/// Fields whose value is always the same in redsim, in Redis's order.
fn constants(out: &mut String, fields: &[(&str, &str)]) {
    for (name, value) in fields {
        field(out, name, value);
    }
}

/// Redis's `bytesToHuman`: `200B`, `943.10K`, `6.97M`…
fn human(bytes: u64) -> String {
    let b = bytes as f64;
    const UNITS: [(f64, &str); 6] = [
        (1024.0, "K"),
        (1024.0 * 1024.0, "M"),
        (1024.0 * 1024.0 * 1024.0, "G"),
        (1024.0 * 1024.0 * 1024.0 * 1024.0, "T"),
        (1024.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0, "P"),
        (1024.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0, "E"),
    ];
    if b < 1024.0 {
        return format!("{bytes}B");
    }
    for (i, (unit, suffix)) in UNITS.iter().enumerate() {
        if i + 1 == UNITS.len() || b < unit * 1024.0 {
            return format!("{:.2}{suffix}", b / unit);
        }
    }
    unreachable!("the last unit takes every size")
}

fn config_value(ctx: &Ctx<'_>, name: &str) -> String {
    ctx.store.config.get(name).unwrap_or_default()
}

fn uptime_s(ctx: &mut Ctx<'_>) -> u64 {
    let now_ms = ctx.host.now_us() / 1000;
    ctx.store
        .process
        .started_ms
        .map_or(0, |start| now_ms.saturating_sub(start) / 1000)
}

pub(super) fn server(ctx: &mut Ctx<'_>, out: &mut String) {
    let now_us = ctx.host.now_us();
    let uptime = uptime_s(ctx);
    let process = &ctx.store.process;
    out.push_str("# Server\r\n");
    field(out, "redis_version", super::connection::REDIS_VERSION);
    constants(
        out,
        &[
            ("redis_git_sha1", "00000000"),
            ("redis_git_dirty", "0"),
            // Constant: redsim is not built from Redis's tree.
            ("redis_build_id", "0000000000000000"),
            ("redis_mode", "standalone"),
        ],
    );
    // The target redsim was compiled for (Redis prints uname; the engine reads no OS state).
    let os = match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "Darwin",
        other => other,
    };
    field(out, "os", format!("{os} {}", std::env::consts::ARCH));
    field(out, "arch_bits", usize::BITS);
    constants(
        out,
        &[
            ("monotonic_clock", "POSIX clock_gettime"),
            ("multiplexing_api", "epoll"),
            ("atomicvar_api", "c11-builtin"),
            // Constant: no C compiler built redsim.
            ("gcc_version", "0.0.0"),
        ],
    );
    field(out, "process_id", process.process_id);
    field(out, "process_supervised", "no");
    field(out, "run_id", &process.run_id);
    let executable = process.executable.clone();
    field(out, "tcp_port", config_value(ctx, "port"));
    field(out, "server_time_usec", now_us);
    field(out, "uptime_in_seconds", uptime);
    field(out, "uptime_in_days", uptime / 86400);
    let hz = config_value(ctx, "hz");
    field(out, "hz", &hz);
    field(out, "configured_hz", &hz);
    // Redis's LRU clock: seconds, on 24 bits.
    field(out, "lru_clock", (now_us / 1_000_000) & ((1 << 24) - 1));
    field(out, "executable", executable);
    field(out, "config_file", "");
    field(out, "io_threads_active", 0);
}

pub(super) fn clients(ctx: &mut Ctx<'_>, out: &mut String) {
    let sessions = ctx.store.sessions();
    let (mut connected, mut blocked, mut in_timeout_table) = (0, 0, 0);
    for session in sessions {
        connected += 1;
        if let Some(with_timeout) = session.blocked {
            blocked += 1;
            in_timeout_table += usize::from(with_timeout);
        }
    }
    out.push_str("# Clients\r\n");
    field(out, "connected_clients", connected);
    field(out, "cluster_connections", 0);
    field(out, "maxclients", config_value(ctx, "maxclients"));
    // Constant: redsim does not keep per-client buffer history.
    field(out, "client_recent_max_input_buffer", 0);
    field(out, "client_recent_max_output_buffer", 0);
    field(out, "blocked_clients", blocked);
    field(out, "tracking_clients", 0);
    field(out, "clients_in_timeout_table", in_timeout_table);
}

pub(super) fn memory(ctx: &mut Ctx<'_>, out: &mut String) {
    let report = super::memory::report(ctx);
    let scripting = report.scripts;
    let (used, peak, dataset, overhead) =
        (report.used, report.peak, report.dataset, report.overhead);
    let percent = |part: u64, whole: u64| {
        if whole == 0 {
            0.0
        } else {
            part as f64 * 100.0 / whole as f64
        }
    };
    let eval_vm = scripting.eval_vm_bytes as u64;
    let functions_vm = scripting.functions_vm_bytes as u64;
    let maxmemory = ctx.store.config.maxmemory;
    out.push_str("# Memory\r\n");
    field(out, "used_memory", used);
    field(out, "used_memory_human", human(used));
    // redsim's own allocations are not measured: resident and allocator figures are the
    // estimate itself.
    field(out, "used_memory_rss", used);
    field(out, "used_memory_rss_human", human(used));
    field(out, "used_memory_peak", peak);
    field(out, "used_memory_peak_human", human(peak));
    field(
        out,
        "used_memory_peak_perc",
        format!("{:.2}%", percent(used, peak)),
    );
    field(out, "used_memory_overhead", overhead);
    field(out, "used_memory_startup", USED_MEMORY_STARTUP);
    field(out, "used_memory_dataset", dataset);
    field(
        out,
        "used_memory_dataset_perc",
        format!("{:.2}%", percent(dataset, report.net())),
    );
    field(out, "allocator_allocated", used);
    field(out, "allocator_active", used);
    field(out, "allocator_resident", used);
    // Constant: the engine reads nothing of the machine.
    field(out, "total_system_memory", 0);
    field(out, "total_system_memory_human", "0B");
    field(out, "used_memory_lua", eval_vm);
    field(out, "used_memory_vm_eval", eval_vm);
    field(out, "used_memory_lua_human", human(eval_vm));
    field(out, "used_memory_scripts_eval", report.lua_caches);
    field(out, "number_of_cached_scripts", scripting.cached_scripts);
    field(out, "number_of_functions", scripting.functions);
    field(out, "number_of_libraries", scripting.libraries);
    field(out, "used_memory_vm_functions", functions_vm);
    field(out, "used_memory_vm_total", eval_vm + functions_vm);
    field(
        out,
        "used_memory_vm_total_human",
        human(eval_vm + functions_vm),
    );
    let scripts_bytes = report.lua_caches + report.functions_caches;
    field(out, "used_memory_functions", report.functions_caches);
    field(out, "used_memory_scripts", scripts_bytes);
    field(out, "used_memory_scripts_human", human(scripts_bytes));
    field(out, "maxmemory", maxmemory);
    field(out, "maxmemory_human", human(maxmemory));
    field(
        out,
        "maxmemory_policy",
        config_value(ctx, "maxmemory-policy"),
    );
    constants(
        out,
        &[
            ("allocator_frag_ratio", "1.00"),
            ("allocator_frag_bytes", "0"),
            ("allocator_rss_ratio", "1.00"),
            ("allocator_rss_bytes", "0"),
            ("rss_overhead_ratio", "1.00"),
            ("rss_overhead_bytes", "0"),
            ("mem_fragmentation_ratio", "1.00"),
            ("mem_fragmentation_bytes", "0"),
            ("mem_not_counted_for_evict", "0"),
            ("mem_replication_backlog", "0"),
            ("mem_total_replication_buffers", "0"),
            ("mem_clients_slaves", "0"),
            ("mem_clients_normal", "0"),
            ("mem_cluster_links", "0"),
            ("mem_aof_buffer", "0"),
            // Rust's allocator; not a jemalloc build.
            ("mem_allocator", "libc"),
            ("active_defrag_running", "0"),
            ("lazyfree_pending_objects", "0"),
            ("lazyfreed_objects", "0"),
        ],
    );
}

pub(super) fn persistence(ctx: &mut Ctx<'_>, out: &mut String) {
    out.push_str("# Persistence\r\n");
    constants(
        out,
        &[
            ("loading", "0"),
            ("async_loading", "0"),
            ("current_cow_peak", "0"),
            ("current_cow_size", "0"),
            ("current_cow_size_age", "0"),
            ("current_fork_perc", "0.00"),
            ("current_save_keys_processed", "0"),
            ("current_save_keys_total", "0"),
        ],
    );
    // Saves are done inside the command (`cmd::persist`): never one in progress.
    let since_save = ctx.store.dirty - ctx.store.process.dirty_at_save;
    field(out, "rdb_changes_since_last_save", since_save);
    field(out, "rdb_bgsave_in_progress", 0);
    field(out, "rdb_last_save_time", ctx.store.process.last_save_s());
    constants(
        out,
        &[
            ("rdb_last_bgsave_status", "ok"),
            ("rdb_last_bgsave_time_sec", "-1"),
            ("rdb_current_bgsave_time_sec", "-1"),
            ("rdb_saves", "0"),
            ("rdb_last_cow_size", "0"),
            ("rdb_last_load_keys_expired", "0"),
            ("rdb_last_load_keys_loaded", "0"),
            ("aof_enabled", "0"),
            ("aof_rewrite_in_progress", "0"),
            ("aof_rewrite_scheduled", "0"),
            ("aof_last_rewrite_time_sec", "-1"),
            ("aof_current_rewrite_time_sec", "-1"),
            ("aof_last_bgrewrite_status", "ok"),
            ("aof_rewrites", "0"),
            ("aof_rewrites_consecutive_failures", "0"),
            ("aof_last_write_status", "ok"),
            ("aof_last_cow_size", "0"),
            ("module_fork_in_progress", "0"),
            ("module_fork_last_cow_size", "0"),
        ],
    );
}

pub(super) fn stats(ctx: &mut Ctx<'_>, out: &mut String) {
    let s = &ctx.store.stats;
    let expired: u64 = ctx.store.dbs.iter().map(|d| d.expired_keys).sum();
    out.push_str("# Stats\r\n");
    field(
        out,
        "total_connections_received",
        s.total_connections_received,
    );
    field(out, "total_commands_processed", s.total_commands_processed);
    // Constants: redsim counts no network bytes and keeps no per-second samples.
    constants(
        out,
        &[
            ("instantaneous_ops_per_sec", "0"),
            ("total_net_input_bytes", "0"),
            ("total_net_output_bytes", "0"),
            ("total_net_repl_input_bytes", "0"),
            ("total_net_repl_output_bytes", "0"),
            ("instantaneous_input_kbps", "0.00"),
            ("instantaneous_output_kbps", "0.00"),
            ("instantaneous_input_repl_kbps", "0.00"),
            ("instantaneous_output_repl_kbps", "0.00"),
        ],
    );
    constants(
        out,
        &[
            // Constant: refusals happen before a connection reaches the engine.
            ("rejected_connections", "0"),
            ("sync_full", "0"),
            ("sync_partial_ok", "0"),
            ("sync_partial_err", "0"),
        ],
    );
    field(out, "expired_keys", expired);
    constants(
        out,
        &[
            ("expired_stale_perc", "0.00"),
            ("expired_time_cap_reached_count", "0"),
            ("expire_cycle_cpu_milliseconds", "0"),
        ],
    );
    field(out, "evicted_keys", ctx.store.stats.evicted_keys);
    constants(
        out,
        &[
            // No client is evicted: client buffers are not counted.
            ("evicted_clients", "0"),
            ("total_eviction_exceeded_time", "0"),
            ("current_eviction_exceeded_time", "0"),
            // Constant: lookups are not counted as hits and misses.
            ("keyspace_hits", "0"),
            ("keyspace_misses", "0"),
        ],
    );
    let (channels, patterns, shard_channels) = ctx.store.pubsub.totals();
    field(out, "pubsub_channels", channels);
    field(out, "pubsub_patterns", patterns);
    field(out, "pubsubshard_channels", shard_channels);
    constants(
        out,
        &[
            ("latest_fork_usec", "0"),
            ("total_forks", "0"),
            ("migrate_cached_sockets", "0"),
            ("slave_expires_tracked_keys", "0"),
            ("active_defrag_hits", "0"),
            ("active_defrag_misses", "0"),
            ("active_defrag_key_hits", "0"),
            ("active_defrag_key_misses", "0"),
            ("total_active_defrag_time", "0"),
            ("current_active_defrag_time", "0"),
            ("tracking_total_keys", "0"),
            ("tracking_total_items", "0"),
            ("tracking_total_prefixes", "0"),
            ("unexpected_error_replies", "0"),
        ],
    );
    let s = &ctx.store.stats;
    field(out, "total_error_replies", s.total_error_replies);
    constants(
        out,
        &[
            ("dump_payload_sanitizations", "0"),
            ("total_reads_processed", "0"),
            ("total_writes_processed", "0"),
            ("io_threaded_reads_processed", "0"),
            ("io_threaded_writes_processed", "0"),
            ("reply_buffer_shrinks", "0"),
            ("reply_buffer_expands", "0"),
        ],
    );
}

pub(super) fn replication(ctx: &mut Ctx<'_>, out: &mut String) {
    out.push_str("# Replication\r\n");
    let now_ms = ctx.live_ms();
    let store = &ctx.store;
    let repl = &store.repl;
    field(
        out,
        "role",
        if repl.is_replica() { "slave" } else { "master" },
    );
    if let Some(master) = &repl.master {
        // Before the first synchronisation Redis knows no offset and prints 1.
        let applied = if master.up { repl.offset } else { 1 };
        field(out, "master_host", &master.host);
        field(out, "master_port", master.port);
        field(
            out,
            "master_link_status",
            if master.up { "up" } else { "down" },
        );
        let io_ago = if master.up {
            (now_ms / 1000) as i64 - (master.last_io_ms / 1000) as i64
        } else {
            -1
        };
        field(out, "master_last_io_seconds_ago", io_ago);
        field(out, "master_sync_in_progress", 0);
        field(out, "slave_read_repl_offset", applied);
        field(out, "slave_repl_offset", applied);
        if !master.up {
            field(out, "master_link_down_since_seconds", -1);
        }
        let priority = store.config.get("replica-priority").unwrap_or_default();
        field(out, "slave_priority", priority);
        let read_only = store.config.get("replica-read-only").unwrap_or_default() == "yes";
        field(out, "slave_read_only", u8::from(read_only));
        let announced = store.config.get("replica-announced").unwrap_or_default() == "yes";
        field(out, "replica_announced", u8::from(announced));
    }
    field(out, "connected_slaves", repl.replicas.len());
    if let Some(good) = super::replicas::good_replicas_shown(store, now_ms) {
        field(out, "min_slaves_good_slaves", good);
    }
    for (i, r) in repl.replicas.iter().enumerate() {
        let lag = (now_ms / 1000) as i64 - (r.ack_ms / 1000) as i64;
        out.push_str(&format!(
            "slave{i}:ip={},port={},state=online,offset={},lag={lag}\r\n",
            r.ip, r.port, r.ack_offset
        ));
    }
    field(out, "master_failover_state", "no-failover");
    field(out, "master_replid", &store.process.replid);
    field(out, "master_replid2", &store.process.replid2);
    field(out, "master_repl_offset", repl.offset);
    let second = repl.second_offset.map_or(-1, |o| o as i64);
    field(out, "second_repl_offset", second);
    let (active, first, histlen) = repl.backlog();
    field(out, "repl_backlog_active", u8::from(active));
    let backlog =
        config::find(b"repl-backlog-size").map_or_else(String::new, |p| p.value(&store.config));
    field(out, "repl_backlog_size", backlog);
    field(out, "repl_backlog_first_byte_offset", first);
    field(out, "repl_backlog_histlen", histlen);
}

/// Constant: the engine does not read the process's CPU times.
pub(super) fn cpu(out: &mut String) {
    out.push_str("# CPU\r\n");
    for name in [
        "used_cpu_sys",
        "used_cpu_user",
        "used_cpu_sys_children",
        "used_cpu_user_children",
        "used_cpu_sys_main_thread",
        "used_cpu_user_main_thread",
    ] {
        field(out, name, "0.000000");
    }
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn sizes_read_as_redis_prints_them() {
        assert_eq!(human(200), "200B");
        assert_eq!(human(965_736), "943.10K");
        assert_eq!(human(7_311_360), "6.97M");
        assert_eq!(human(0), "0B");
    }
}
