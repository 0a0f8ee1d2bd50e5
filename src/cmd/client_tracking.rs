//! CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO: the client-side caching mode of a
//! connection, with Redis 7.0's checks and error texts (`networking.c`, `tracking.c`).
//!
//! redsim keeps the mode but sends no invalidation messages. For a RESP2 client that is
//! what Redis does too (RESP2 gets them only through a REDIRECT to a client subscribed
//! to `__redis__:invalidate`, which redsim does not publish to); a RESP3 client would
//! get push messages, so TRACKING ON is refused there rather than silently never
//! invalidating.

use super::{args, Ctx};
use crate::resp::{errors, Protocol, Reply};
use crate::session::Tracking;

const NO_INVALIDATIONS: &str =
    "ERR redsim does not send client-side caching invalidations (RESP3 tracking)";

/// Whether one of `a` and `b` is a prefix of the other (`stringCheckPrefix`).
fn overlap(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

fn overlap_error(new: &[u8], old: &[u8], other: &str) -> Reply {
    Reply::error(format!(
        "ERR Prefix '{}' overlaps with {other} '{}'. Prefixes for a single client must not overlap.",
        String::from_utf8_lossy(super::c_str(new, usize::MAX)),
        String::from_utf8_lossy(super::c_str(old, usize::MAX)),
    ))
}

/// CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP].
pub(super) fn tracking(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut mode = Tracking::default();
    let mut j = 3;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        let option = &argv[j];
        if args::is(option, "REDIRECT") && more {
            j += 1;
            if mode.redirect != 0 {
                return Reply::error("ERR A client can only redirect to a single other client");
            }
            let Some(id) = args::parse_i64(&argv[j]) else {
                return Reply::error(errors::NOT_INTEGER);
            };
            if !ctx.store.sessions().any(|s| s.id.id as i64 == id) {
                return Reply::error("ERR The client ID you want redirect to does not exist");
            }
            mode.redirect = id;
        } else if args::is(option, "BCAST") {
            mode.bcast = true;
        } else if args::is(option, "OPTIN") {
            mode.optin = true;
        } else if args::is(option, "OPTOUT") {
            mode.optout = true;
        } else if args::is(option, "NOLOOP") {
            mode.noloop = true;
        } else if args::is(option, "PREFIX") && more {
            j += 1;
            mode.prefixes.push(argv[j].clone());
        } else {
            return Reply::error(errors::SYNTAX);
        }
        j += 1;
    }
    if args::is(&argv[2], "OFF") {
        ctx.session().tracking = None;
        return Reply::ok();
    }
    if !args::is(&argv[2], "ON") {
        return Reply::error(errors::SYNTAX);
    }
    if let Err(e) = check_compatible(ctx.session().tracking.as_ref(), &mode) {
        return e;
    }
    if ctx.session().protocol == Protocol::Resp3 {
        return Reply::error(NO_INVALIDATIONS);
    }
    let mut prefixes = match &ctx.session().tracking {
        // Enabling again adds prefixes to those already there.
        Some(old) if mode.bcast => old.prefixes.clone(),
        _ => Vec::new(),
    };
    if mode.bcast && mode.prefixes.is_empty() {
        prefixes.push(Vec::new()); // every key
    }
    prefixes.append(&mut mode.prefixes);
    prefixes.sort();
    prefixes.dedup();
    mode.prefixes = prefixes;
    ctx.session().tracking = Some(mode);
    Reply::ok()
}

/// The checks Redis makes before enabling: options that do not go together, a mode that
/// cannot change without OFF first, and overlapping BCAST prefixes.
fn check_compatible(old: Option<&Tracking>, new: &Tracking) -> Result<(), Reply> {
    if !new.bcast && !new.prefixes.is_empty() {
        return Err(Reply::error(
            "ERR PREFIX option requires BCAST mode to be enabled",
        ));
    }
    if old.is_some_and(|o| o.bcast != new.bcast) {
        return Err(Reply::error(
            "ERR You can't switch BCAST mode on/off before disabling tracking for this \
             client, and then re-enabling it with a different mode.",
        ));
    }
    if new.bcast && (new.optin || new.optout) {
        return Err(Reply::error(
            "ERR OPTIN and OPTOUT are not compatible with BCAST",
        ));
    }
    if new.optin && new.optout {
        return Err(Reply::error(
            "ERR You can't specify both OPTIN mode and OPTOUT mode",
        ));
    }
    if old.is_some_and(|o| (new.optin && o.optout) || (new.optout && o.optin)) {
        return Err(Reply::error(
            "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this \
             client, and then re-enabling it with a different mode.",
        ));
    }
    if new.bcast {
        for (i, p) in new.prefixes.iter().enumerate() {
            if let Some(existing) = old
                .into_iter()
                .flat_map(|o| o.prefixes.iter())
                .find(|e| overlap(e, p))
            {
                return Err(overlap_error(p, existing, "an existing prefix"));
            }
            if let Some(other) = new.prefixes[i + 1..].iter().find(|q| overlap(p, q)) {
                return Err(overlap_error(p, other, "another provided prefix"));
            }
        }
    }
    Ok(())
}

/// CLIENT CACHING YES|NO: for the next command, in OPTIN (YES) or OPTOUT (NO) mode.
pub(super) fn caching(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let Some(mode) = ctx.session().tracking.as_mut() else {
        return Reply::error(
            "ERR CLIENT CACHING can be called only when the client is in tracking mode \
             with OPTIN or OPTOUT mode enabled",
        );
    };
    if args::is(&argv[2], "YES") {
        if !mode.optin {
            return Reply::error(
                "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
            );
        }
    } else if args::is(&argv[2], "NO") {
        if !mode.optout {
            return Reply::error(
                "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
            );
        }
    } else {
        return Reply::error(errors::SYNTAX);
    }
    mode.caching = true;
    Reply::ok()
}

/// CLIENT GETREDIR: the REDIRECT target while tracking (0 without one), else -1.
pub(super) fn getredir(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::Integer(ctx.session().tracking.as_ref().map_or(-1, |t| t.redirect))
}

/// CLIENT TRACKINGINFO: flags, redirect and prefixes, as Redis lists them.
pub(super) fn trackinginfo(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let tracking = ctx.session().tracking.clone();
    let mut flags = vec![if tracking.is_some() { "on" } else { "off" }];
    if let Some(t) = &tracking {
        let named = [
            (t.bcast, "bcast"),
            (t.optin, "optin"),
            (t.optin && t.caching, "caching-yes"),
            (t.optout, "optout"),
            (t.optout && t.caching, "caching-no"),
            (t.noloop, "noloop"),
        ];
        flags.extend(named.iter().filter(|(on, _)| *on).map(|(_, n)| *n));
    }
    Reply::Map(vec![
        (
            Reply::bulk("flags"),
            Reply::Set(flags.into_iter().map(Reply::bulk).collect()),
        ),
        (
            Reply::bulk("redirect"),
            Reply::Integer(tracking.as_ref().map_or(-1, |t| t.redirect)),
        ),
        (
            Reply::bulk("prefixes"),
            Reply::Array(
                tracking
                    .map(|t| t.prefixes.into_iter().map(Reply::Bulk).collect())
                    .unwrap_or_default(),
            ),
        ),
    ])
}
