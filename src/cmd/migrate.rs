//! MIGRATE (Redis 7.0's `migrateCommand`, cluster.c): keys move to another server as
//! DUMP payloads sent in RESTORE-ASKING (RESTORE outside cluster mode) requests, and are
//! deleted here once the target accepted them (kept with COPY). The engine never opens
//! a connection: the host carries the requests ([`crate::Host::migrate`]) — over TCP in
//! `redsim serve`, to another node of its world in the simulator.
//!
//! Redis keeps a cached connection per target and sends SELECT only when the target's
//! database changes; redsim sends SELECT with every transfer. The replies are the same:
//! a SELECT that fails is reported either way, and one that succeeds is not seen.

use super::args;
use super::flags::WRITE;
use super::spec::CommandSpec;
use super::Ctx;
use crate::host::MigrateFailure;
use crate::rdb;
use crate::resp::{errors, Reply};
use crate::store::notify;

pub const COMMANDS: &[CommandSpec] = &[CommandSpec::new("migrate", -6, WRITE, migrate)
    .keys(3, 3, 1)
    .key_finder(migrate_keys)
    .acl("keyspace write slow dangerous")];

/// MIGRATE's keys as `getKeysFromCommandWithSpecs` finds them: the key at 3 (its first
/// key spec), unless the second spec's KEYS keyword is found (searched from the
/// next-to-last argument backwards), which marks the specs incomplete and hands over to
/// `migrateGetKeys`: the options are skipped with their arguments up to KEYS, after which
/// every argument is a key — none when the key at 3 is not empty.
pub(crate) fn migrate_keys(argv: &[Vec<u8>]) -> Vec<usize> {
    let keys = |i: usize| argv[i].eq_ignore_ascii_case(b"keys");
    let spec_keyword = argv.len() >= 3 && (2..argv.len() - 1).any(keys);
    if !spec_keyword {
        return if argv.len() > 3 { vec![3] } else { Vec::new() };
    }
    let mut i = 6;
    while i < argv.len() {
        if keys(i) {
            if !argv[3].is_empty() {
                return Vec::new();
            }
            return (i + 1..argv.len()).collect();
        }
        if argv[i].eq_ignore_ascii_case(b"auth") {
            i += 1;
        } else if argv[i].eq_ignore_ascii_case(b"auth2") {
            i += 2;
        }
        i += 1;
    }
    vec![3]
}

/// The options after the timeout.
struct Options {
    copy: bool,
    replace: bool,
    auth: Option<(Option<Vec<u8>>, Vec<u8>)>,
    first_key: usize,
}

/// Parses the options as Redis does, left to right; KEYS ends them.
fn options(argv: &[Vec<u8>]) -> Result<Options, Reply> {
    let mut opts = Options {
        copy: false,
        replace: false,
        auth: None,
        first_key: 3,
    };
    let mut j = 6;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        let arg = &argv[j];
        if args::is(arg, "copy") {
            opts.copy = true;
        } else if args::is(arg, "replace") {
            opts.replace = true;
        } else if args::is(arg, "auth") {
            if more == 0 {
                return Err(Reply::error(errors::SYNTAX));
            }
            opts.auth = Some((None, argv[j + 1].clone()));
            j += 1;
        } else if args::is(arg, "auth2") {
            if more < 2 {
                return Err(Reply::error(errors::SYNTAX));
            }
            opts.auth = Some((Some(argv[j + 1].clone()), argv[j + 2].clone()));
            j += 2;
        } else if args::is(arg, "keys") {
            if !argv[3].is_empty() {
                return Err(Reply::error(
                    "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string",
                ));
            }
            opts.first_key = j + 1;
            break;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        j += 1;
    }
    Ok(opts)
}

/// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password |
/// AUTH2 username password] [KEYS key …].
fn migrate(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let opts = match options(argv) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let timeout = match args::int(&argv[5]) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let dbid = match args::int(&argv[4]) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let timeout_ms = if timeout <= 0 { 1000 } else { timeout as u64 };
    let keys: Vec<&Vec<u8>> = if opts.first_key == 3 {
        vec![&argv[3]]
    } else {
        argv[opts.first_key..].iter().collect()
    };
    // The keys here (`lookupKeyRead`); none: nothing to do, and no error.
    let now = ctx.now_ms;
    let present: Vec<&Vec<u8>> = keys
        .into_iter()
        .filter(|k| ctx.db().get(k, now).is_some())
        .collect();
    if present.is_empty() {
        return Reply::simple("NOKEY");
    }
    let mut commands: Vec<Vec<Vec<u8>>> = Vec::new();
    if let Some((user, password)) = &opts.auth {
        let mut auth = vec![b"AUTH".to_vec()];
        auth.extend(user.iter().cloned());
        auth.push(password.clone());
        commands.push(auth);
    }
    commands.push(vec![b"SELECT".to_vec(), dbid.to_string().into_bytes()]);
    let preamble = commands.len();
    let restore: &[u8] = if ctx.store.config.cluster_enabled {
        b"RESTORE-ASKING"
    } else {
        b"RESTORE"
    };
    let live = ctx.live_ms() as i64;
    let index = ctx.db_index();
    let mut sent: Vec<&Vec<u8>> = Vec::new();
    for key in present {
        let db = &ctx.store.dbs[index];
        let mut ttl = 0;
        if let Some(at) = db.expire_at(key) {
            ttl = at as i64 - live;
            if ttl < 0 {
                continue; // expired since it was looked up
            }
            ttl = ttl.max(1);
        }
        let Some(value) = db.stored(key) else {
            continue;
        };
        let payload = rdb::dump_payload(value, &ctx.store.config);
        let mut request = vec![restore.to_vec(), key.clone(), ttl.to_string().into_bytes()];
        request.push(payload);
        if opts.replace {
            request.push(b"REPLACE".to_vec());
        }
        commands.push(request);
        sent.push(key);
    }
    let host = String::from_utf8_lossy(&argv[1]).into_owned();
    let port = &argv[2];
    // One retry when the connection broke before any key was acknowledged (Redis's
    // cached socket may have been closed by the target), but not after a timeout.
    let mut may_retry = true;
    loop {
        let transfer = ctx
            .host
            .migrate(host.as_bytes(), port, timeout_ms, &commands);
        let failure = transfer.failure;
        if failure == Some(MigrateFailure::Connect) {
            return Reply::error("IOERR error or timeout connecting to the client");
        }
        let replies = &transfer.replies;
        let preamble_error = replies[..preamble.min(replies.len())]
            .iter()
            .find_map(error_text);
        let mut error_from_target: Option<Reply> = None;
        let mut acknowledged = 0;
        let mut read_all = replies.len() >= preamble;
        if read_all {
            for (j, key) in sent.iter().enumerate() {
                let Some(reply) = replies.get(preamble + j) else {
                    read_all = false;
                    break;
                };
                let error = preamble_error.clone().or_else(|| error_text(reply));
                match error {
                    Some(text) => {
                        if error_from_target.is_none() {
                            let mut line = b"ERR Target instance replied with error: ".to_vec();
                            line.extend_from_slice(&text);
                            error_from_target = Some(Reply::error(line));
                        }
                    }
                    None => {
                        acknowledged += 1;
                        if !opts.copy {
                            ctx.store.dbs[index].remove(key);
                            ctx.touch(key);
                            ctx.notify(notify::GENERIC, "del", key);
                            ctx.dirty(1);
                        }
                    }
                }
            }
        }
        if let Some(error) = error_from_target {
            return error;
        }
        if failure.is_none() && read_all {
            return Reply::ok();
        }
        let timed_out = failure == Some(MigrateFailure::ReadTimeout);
        if may_retry && !timed_out && acknowledged == 0 {
            may_retry = false;
            continue;
        }
        let what = if failure == Some(MigrateFailure::Write) {
            "writing"
        } else {
            "reading"
        };
        return Reply::error(format!("IOERR error or timeout {what} to target instance"));
    }
}

/// The text of an error reply without its leading `-` (what Redis's reply line holds).
fn error_text(reply: &Reply) -> Option<Vec<u8>> {
    match reply {
        Reply::Error(text) => Some(text.clone()),
        _ => None,
    }
}
