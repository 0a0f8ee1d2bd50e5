//! HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST.
//!
//! An HLL is a string value in Redis's exact format (see [`crate::hll`]), so GET returns
//! the same bytes as Redis after any sequence of these commands. A key holding another
//! type answers the usual WRONGTYPE; a string that is not an HLL answers
//! `WRONGTYPE Key is not a valid HyperLogLog string value.`; an HLL whose sparse
//! registers are damaged answers `INVALIDOBJ Corrupted HLL object detected`.
//!
//! Every command that accepts an existing HLL first makes its string a private `raw`
//! one (Redis's `dbUnshareStringValue`), so OBJECT ENCODING says `raw` afterwards even
//! when the command then fails on damaged registers. PFCOUNT of one key may rewrite the
//! cached cardinality in the header: although flagged read-only, it then counts as a
//! change (WATCH, the dirty counter, and a write of the key for the simulator).

use super::{flags::*, CommandSpec, Ctx};
use crate::access::{Mode, Resource};
use crate::db::Sds;
use crate::db::{Entry, StrEnc, Value};
use crate::hll::{self, Hll, Registers, CORRUPT_ERROR, NOT_HLL_ERROR};
use crate::resp::{errors, Reply};
use crate::store::notify;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("pfadd", -2, WRITE | DENYOOM | FAST, pfadd)
        .keys(1, 1, 1)
        .acl("write hyperloglog fast"),
    CommandSpec::new("pfcount", -2, READONLY | MAY_REPLICATE, pfcount)
        .keys(1, -1, 1)
        .acl("read hyperloglog slow"),
    CommandSpec::new("pfmerge", -2, WRITE | DENYOOM, pfmerge)
        .keys(1, -1, 1)
        .acl("write hyperloglog slow"),
    CommandSpec::new(
        "pfdebug",
        3,
        // A conversion to dense is a change for replication (dirty) that Redis does
        // not signal to WATCH.
        WRITE | DENYOOM | ADMIN | SIGNALS_OWN_KEYS,
        super::hyperloglog_debug::pfdebug,
    )
    .keys(2, 2, 1)
    .acl("write hyperloglog admin slow dangerous"),
    CommandSpec::new("pfselftest", 1, ADMIN, super::hyperloglog_debug::pfselftest)
        .acl("hyperloglog admin slow dangerous"),
];

/// What looking up an existing HLL for change gave.
pub(super) enum Found<'e> {
    Missing,
    Hll(Hll<'e>),
}

/// Redis's lookup, `isHLLObjectOrReply` and `dbUnshareStringValue` for a command that
/// may change the HLL at `key`: the HLL (now a `raw` string), nothing when the key does
/// not exist, or the error reply.
pub(super) fn hll_for_change<'e>(ctx: &'e mut Ctx<'_>, key: &[u8]) -> Result<Found<'e>, Reply> {
    let now = ctx.now_ms;
    let db = ctx.db_index();
    let Some(entry) = ctx.store.dbs[db].entry_mut(key, now) else {
        return Ok(Found::Missing);
    };
    let Value::Str(s) = &entry.value else {
        return Err(Reply::error(errors::WRONGTYPE));
    };
    if hll::check(s).is_err() {
        return Err(Reply::error(NOT_HLL_ERROR));
    }
    let was_raw = matches!(entry.enc, StrEnc::Raw(_));
    entry.enc = StrEnc::Raw(entry.enc.allocation(s.len()));
    if !was_raw {
        // OBJECT ENCODING can tell: even a PFCOUNT served from the cache wrote the key.
        if let Some(access) = ctx.store.access.as_mut() {
            access.touch(Resource::Key(db, key), Mode::Write);
        }
    }
    let Some(entry) = ctx.store.dbs[db].entry_mut(key, now) else {
        unreachable!("found above");
    };
    Ok(Found::Hll(hll_of(entry)))
}

/// The HLL held by an entry made `raw` (its allocation followed in the encoding).
fn hll_of(entry: &mut Entry) -> Hll<'_> {
    let (Value::Str(bytes), StrEnc::Raw(sds)) = (&mut entry.value, &mut entry.enc) else {
        unreachable!("checked to be a raw string");
    };
    Hll { bytes, sds }
}

/// Stores a new empty HLL at `key` (`createHLLObject` + `dbAdd`) and returns it.
fn create<'e>(ctx: &'e mut Ctx<'_>, key: &[u8]) -> Hll<'e> {
    let now = ctx.now_ms;
    let db = ctx.db();
    let bytes = hll::new_hll();
    let enc = StrEnc::Raw(Sds::exact(bytes.len()));
    let entry = Entry::with(Value::Str(bytes), enc, now / 1000);
    db.put_entry(key, entry);
    let Some(entry) = db.entry_mut(key, now) else {
        unreachable!("just stored");
    };
    hll_of(entry)
}

/// `hll-sparse-max-bytes`.
fn sparse_max_bytes(ctx: &Ctx<'_>) -> u64 {
    ctx.store.config.hll_sparse_max_bytes
}

/// PFADD key [element ...]: adds the elements; 1 when a register changed (or the key was
/// created), else 0. Damaged registers stop the command with INVALIDOBJ, keeping the
/// elements added before.
fn pfadd(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let max_bytes = sparse_max_bytes(ctx);
    let mut updated = 0;
    let mut hll = match hll_for_change(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(Found::Hll(hll)) => hll,
        Ok(Found::Missing) => {
            updated += 1;
            create(ctx, &argv[1])
        }
    };
    for element in &argv[2..] {
        match hll::add(&mut hll, element, max_bytes) {
            Ok(true) => updated += 1,
            Ok(false) => {}
            Err(hll::Corrupt) => return Reply::error(CORRUPT_ERROR),
        }
    }
    if updated > 0 {
        hll::invalidate_cache(hll.bytes);
        ctx.notify(notify::STRING, "pfadd", &argv[1]);
        ctx.dirty(updated);
    }
    Reply::Integer(i64::from(updated > 0))
}

/// Reads the HLL at `key` for a union (PFCOUNT of several keys, PFMERGE's sources):
/// `None` when missing, else merged into `registers`; returns whether it was dense.
fn merge_source(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    registers: &mut Registers,
) -> Result<Option<bool>, Reply> {
    let now = ctx.now_ms;
    let db = ctx.db();
    if db.get(key, now).is_none() {
        return Ok(None);
    }
    let Some(entry) = db.stored_entry(key) else {
        return Ok(None);
    };
    let Value::Str(s) = &entry.value else {
        return Err(Reply::error(errors::WRONGTYPE));
    };
    if hll::check(s).is_err() {
        return Err(Reply::error(NOT_HLL_ERROR));
    }
    let tail = match entry.enc {
        StrEnc::Raw(sds) => sds.tail,
        _ => 0,
    };
    registers
        .merge(s, tail)
        .map_err(|_| Reply::error(CORRUPT_ERROR))?;
    Ok(Some(!hll::is_sparse(s)))
}

/// PFCOUNT key [key ...]: the estimated cardinality of one HLL (served from, or written
/// to, its cached cardinality) or of the union of several (nothing is written then).
/// Missing keys count as empty HLLs.
fn pfcount(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    if argv.len() > 2 {
        let mut registers = Registers::new();
        for key in &argv[1..] {
            if let Err(e) = merge_source(ctx, key, &mut registers) {
                return e;
            }
        }
        return Reply::Integer(registers.count() as i64);
    }
    let key = &argv[1];
    let hll = match hll_for_change(ctx, key) {
        Err(e) => return e,
        Ok(Found::Missing) => return Reply::Integer(0),
        Ok(Found::Hll(hll)) => hll,
    };
    let (s, tail) = (&mut *hll.bytes, hll.sds.tail);
    if let Some(cached) = hll::cached_count(s) {
        return Reply::Integer(cached as i64);
    }
    let Ok(count) = hll::count(s, tail) else {
        return Reply::error(CORRUPT_ERROR);
    };
    hll::cache_count(s, count);
    ctx.touch(key);
    ctx.dirty(1);
    let db = ctx.db_index();
    if let Some(access) = ctx.store.access.as_mut() {
        // A read-only command that wrote the key: GET can tell before from after.
        access.touch(Resource::Key(db, key), Mode::Write);
    }
    Reply::Integer(count as i64)
}

/// PFMERGE destkey [sourcekey ...]: the destination becomes the union of itself and
/// the sources (created if missing). It stays sparse unless a source (or itself) was
/// dense or it outgrows `hll-sparse-max-bytes` while being written.
fn pfmerge(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let max_bytes = sparse_max_bytes(ctx);
    let mut registers = Registers::new();
    let mut use_dense = false;
    for key in &argv[1..] {
        match merge_source(ctx, key, &mut registers) {
            Err(e) => return e,
            Ok(dense) => use_dense |= dense == Some(true),
        }
    }
    let mut dest = match hll_for_change(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(Found::Hll(hll)) => hll,
        Ok(Found::Missing) => create(ctx, &argv[1]),
    };
    if registers
        .store_into(&mut dest, use_dense, max_bytes)
        .is_err()
    {
        return Reply::error(CORRUPT_ERROR);
    }
    ctx.notify(notify::STRING, "pfadd", &argv[1]);
    ctx.dirty(1);
    Reply::ok()
}
