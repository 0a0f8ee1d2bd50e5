//! Geo searches: GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and the _RO
//! forms (Redis's `georadiusGeneric`).
//!
//! The centre is a member's position or a longitude/latitude; the area a radius or a
//! box, in m, km, ft or mi. The search scans the nine geohash cells that cover the area
//! (cell by cell, each in score order), keeps the positions inside the area, then
//! optionally sorts them by distance (COUNT without ANY implies ASC). COUNT n ANY stops
//! scanning at the n-th match. Each result is the member alone, or
//! `[member, distance?, hash?, [lon, lat]?]` with WITHDIST / WITHHASH / WITHCOORD.
//! STORE writes the members with their scores, STOREDIST with their distances, into a
//! sorted set (deleting it when nothing was found) and replies with the count.
//!
//! Argument checks follow Redis's order: the source key's type, the centre and area of
//! GEORADIUS*, each option as it comes (a FROMMEMBER member missing from an existing key
//! fails at once), then the incompatible or missing options, then a missing key.

use super::geo::{lon_lat, unit};
use super::geohash::{self, Extent, HashBits, Shape};
use super::pqsort::pqsort;
use super::typed::{self, db_and_config};
use super::{args, Ctx};
use crate::db::{ScoreRange, Value, ZSet};
use crate::resp::{errors, Reply};
use crate::store::notify;

/// Which command runs the search (Redis's RADIUS_* / GEOSEARCH* flags).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// GEORADIUS key lon lat radius unit …
    Coords { store_allowed: bool },
    /// GEORADIUSBYMEMBER key member radius unit …
    Member { store_allowed: bool },
    /// GEOSEARCH key FROMMEMBER|FROMLONLAT … BYRADIUS|BYBOX … (STOREDIST too when
    /// it is GEOSEARCHSTORE dest key …).
    Search { store: bool },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    None,
    Asc,
    Desc,
}

/// One position found.
#[derive(Clone)]
struct Found {
    lon: f64,
    lat: f64,
    dist: f64,
    score: f64,
    member: Vec<u8>,
}

pub(super) fn georadius(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    search(
        ctx,
        argv,
        Variant::Coords {
            store_allowed: true,
        },
    )
}

pub(super) fn georadius_ro(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    search(
        ctx,
        argv,
        Variant::Coords {
            store_allowed: false,
        },
    )
}

pub(super) fn georadiusbymember(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    search(
        ctx,
        argv,
        Variant::Member {
            store_allowed: true,
        },
    )
}

pub(super) fn georadiusbymember_ro(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    search(
        ctx,
        argv,
        Variant::Member {
            store_allowed: false,
        },
    )
}

pub(super) fn geosearch(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    search(ctx, argv, Variant::Search { store: false })
}

pub(super) fn geosearchstore(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    search(ctx, argv, Variant::Search { store: true })
}

/// Keys of GEORADIUS / GEORADIUSBYMEMBER: the source, the keys its key specs name (the
/// argument after the first STORE and after the first STOREDIST from `specs_from`), and
/// the key Redis really writes (after the last STORE or STOREDIST from argument 5, as
/// `georadiusGetKeys` finds it), so that nothing the command touches is left out.
fn radius_keys(argv: &[Vec<u8>], specs_from: usize) -> Vec<usize> {
    let mut keys = vec![1];
    for word in ["store", "storedist"] {
        // The key spec's keyword search stops before the last argument.
        if let Some(at) =
            (specs_from..argv.len().saturating_sub(1)).find(|&i| args::is(&argv[i], word))
        {
            keys.push(at + 1);
        }
    }
    let mut stored = None;
    let mut i = 5;
    while i < argv.len() {
        if (args::is(&argv[i], "store") || args::is(&argv[i], "storedist")) && i + 1 < argv.len() {
            stored = Some(i + 1);
            i += 1;
        }
        i += 1;
    }
    keys.extend(stored);
    keys.sort_unstable();
    keys.dedup();
    keys
}

pub(super) fn georadius_keys(argv: &[Vec<u8>]) -> Vec<usize> {
    radius_keys(argv, 6)
}

pub(super) fn georadiusbymember_keys(argv: &[Vec<u8>]) -> Vec<usize> {
    radius_keys(argv, 5)
}

/// The sorted set under `key`, if any (its type was checked first).
fn source<'a>(ctx: &'a mut Ctx<'_>, key: &[u8]) -> Option<&'a ZSet> {
    let now = ctx.now_ms;
    match ctx.db().get(key, now) {
        Some(Value::ZSet(z)) => Some(z),
        _ => None,
    }
}

/// `longLatFromMember`: the position of `member` of the source.
fn member_position(ctx: &mut Ctx<'_>, key: &[u8], member: &[u8]) -> Result<[f64; 2], Reply> {
    source(ctx, key)
        .and_then(|z| z.score(member))
        .and_then(geohash::decode_score)
        .ok_or_else(|| Reply::error("ERR could not decode requested zset member"))
}

/// `extractDistanceOrReply`: a radius and its unit.
fn radius(value: &[u8], unit_arg: &[u8]) -> Result<(f64, f64), Reply> {
    let r = super::args_range::redis_double(value)
        .ok_or_else(|| Reply::error("ERR need numeric radius"))?;
    if r < 0.0 {
        return Err(Reply::error("ERR radius cannot be negative"));
    }
    Ok((r, unit(unit_arg)?))
}

/// `extractBoxOrReply`: width, height and their unit.
fn box_size(width: &[u8], height: &[u8], unit_arg: &[u8]) -> Result<(f64, f64, f64), Reply> {
    let w = super::args_range::redis_double(width)
        .ok_or_else(|| Reply::error("ERR need numeric width"))?;
    let h = super::args_range::redis_double(height)
        .ok_or_else(|| Reply::error("ERR need numeric height"))?;
    if h < 0.0 || w < 0.0 {
        return Err(Reply::error("ERR height or width cannot be negative"));
    }
    Ok((w, h, unit(unit_arg)?))
}

/// Everything the arguments ask for.
struct Query {
    shape: Shape,
    with_dist: bool,
    with_hash: bool,
    with_coord: bool,
    sort: Sort,
    any: bool,
    /// 0: no limit.
    count: i64,
    /// The destination's argument position, and whether it gets distances.
    store: Option<(usize, bool)>,
}

/// Parses the arguments in Redis's order; `exists` says whether the source key is there.
fn parse(
    ctx: &mut Ctx<'_>,
    argv: &[Vec<u8>],
    src: usize,
    variant: Variant,
    exists: bool,
) -> Result<Query, Reply> {
    let mut shape = Shape {
        center: [0.0; 2],
        conversion: 0.0,
        extent: Extent::Radius(0.0),
    };
    let mut store = None;
    let base = match variant {
        Variant::Coords { .. } => {
            shape.center = lon_lat(&argv[2], &argv[3])?;
            let (r, conversion) = radius(&argv[4], &argv[5])?;
            shape.extent = Extent::Radius(r);
            shape.conversion = conversion;
            6
        }
        Variant::Member { .. } => {
            // With no source the centre is not needed: parsing goes on to pick the reply.
            if exists {
                shape.center = member_position(ctx, &argv[src], &argv[2])?;
                let (r, conversion) = radius(&argv[3], &argv[4])?;
                shape.extent = Extent::Radius(r);
                shape.conversion = conversion;
            }
            5
        }
        Variant::Search { store: true } => {
            store = Some((1, false));
            3
        }
        Variant::Search { store: false } => 2,
    };
    let store_allowed = matches!(
        variant,
        Variant::Coords {
            store_allowed: true
        } | Variant::Member {
            store_allowed: true
        }
    );
    let search = matches!(variant, Variant::Search { .. });
    let mut q = Query {
        shape,
        with_dist: false,
        with_hash: false,
        with_coord: false,
        sort: Sort::None,
        any: false,
        count: 0,
        store,
    };
    let (mut from_member, mut from_lonlat, mut by_radius, mut by_box) =
        (false, false, false, false);
    let rest = &argv[base.min(argv.len())..];
    let remaining = rest.len();
    let mut i = 0;
    while i < remaining {
        let arg = &rest[i];
        let word = |w: &str| args::is(arg, w);
        if word("withdist") {
            q.with_dist = true;
        } else if word("withhash") {
            q.with_hash = true;
        } else if word("withcoord") {
            q.with_coord = true;
        } else if word("any") {
            q.any = true;
        } else if word("asc") {
            q.sort = Sort::Asc;
        } else if word("desc") {
            q.sort = Sort::Desc;
        } else if word("count") && i + 1 < remaining {
            q.count = super::args_range::long(&rest[i + 1])?;
            if q.count <= 0 {
                return Err(Reply::error("ERR COUNT must be > 0"));
            }
            i += 1;
        } else if word("store") && i + 1 < remaining && store_allowed {
            q.store = Some((base + i + 1, false));
            i += 1;
        } else if word("storedist") && i + 1 < remaining && store_allowed {
            q.store = Some((base + i + 1, true));
            i += 1;
        } else if word("storedist") && variant == (Variant::Search { store: true }) {
            q.store = Some((1, true));
        } else if word("frommember") && i + 1 < remaining && search && !from_lonlat {
            if exists {
                q.shape.center = member_position(ctx, &argv[src], &rest[i + 1])?;
            }
            from_member = true;
            i += 1;
        } else if word("fromlonlat") && i + 2 < remaining && search && !from_member {
            q.shape.center = lon_lat(&rest[i + 1], &rest[i + 2])?;
            from_lonlat = true;
            i += 2;
        } else if word("byradius") && i + 2 < remaining && search && !by_box {
            let (r, conversion) = radius(&rest[i + 1], &rest[i + 2])?;
            q.shape.extent = Extent::Radius(r);
            q.shape.conversion = conversion;
            by_radius = true;
            i += 2;
        } else if word("bybox") && i + 3 < remaining && search && !by_radius {
            let (width, height, conversion) = box_size(&rest[i + 1], &rest[i + 2], &rest[i + 3])?;
            q.shape.extent = Extent::Box { width, height };
            q.shape.conversion = conversion;
            by_box = true;
            i += 3;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        i += 1;
    }
    if q.store.is_some() && (q.with_dist || q.with_hash || q.with_coord) {
        let who = if variant == (Variant::Search { store: true }) {
            "GEOSEARCHSTORE"
        } else {
            "STORE option in GEORADIUS"
        };
        return Err(Reply::error(format!(
            "ERR {who} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        )));
    }
    let name = String::from_utf8_lossy(&argv[0]);
    if search && !(from_member || from_lonlat) {
        return Err(Reply::error(format!(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
        )));
    }
    if search && !(by_radius || by_box) {
        return Err(Reply::error(format!(
            "ERR exactly one of BYRADIUS and BYBOX can be specified for {name}"
        )));
    }
    if q.any && q.count == 0 {
        return Err(Reply::error("ERR the ANY argument requires COUNT argument"));
    }
    Ok(q)
}

/// `membersOfAllNeighbors`: the positions inside the shape, cell after cell; with a
/// `limit`, scanning stops once that many are found.
fn collect(zset: &ZSet, shape: &Shape, limit: usize) -> Vec<Found> {
    let boxes = shape.search_boxes();
    let mut found = Vec::new();
    let full = |found: &Vec<Found>| limit != 0 && found.len() >= limit;
    // Redis compares a cell with the last one scanned, but only from the second on
    // (index 0 doubles as "none yet"), to skip the duplicates huge radii give.
    let mut last_processed = 0;
    for (i, cell) in boxes.iter().enumerate() {
        if *cell == HashBits::default() {
            continue;
        }
        if last_processed != 0 && *cell == boxes[last_processed] {
            continue;
        }
        if full(&found) {
            break;
        }
        let min = cell.align52();
        let max = HashBits {
            bits: cell.bits + 1,
            step: cell.step,
        }
        .align52();
        let range = ScoreRange {
            min: min as f64,
            max: max as f64,
            min_exclusive: false,
            max_exclusive: true,
        };
        for (member, score) in zset.range_by_score(&range) {
            if let Some(point) = geohash::decode_score(score) {
                if let Some(dist) = shape.distance_if_within(point) {
                    found.push(Found {
                        lon: point[0],
                        lat: point[1],
                        dist,
                        score,
                        member: member.to_vec(),
                    });
                }
            }
            if full(&found) {
                break;
            }
        }
        last_processed = i;
    }
    found
}

/// Redis's `sort_gp_asc`: by distance, NaN equal to nothing.
fn by_distance(a: &Found, b: &Found) -> i32 {
    if a.dist > b.dist {
        1
    } else if a.dist == b.dist {
        0
    } else {
        -1
    }
}

fn search(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], variant: Variant) -> Reply {
    let src = if variant == (Variant::Search { store: true }) {
        2
    } else {
        1
    };
    let now = ctx.now_ms;
    let exists = match typed::zset(ctx.db(), &argv[src], now) {
        Err(e) => return e,
        Ok(z) => z.is_some(),
    };
    let mut q = match parse(ctx, argv, src, variant, exists) {
        Ok(q) => q,
        Err(e) => return e,
    };
    if !exists {
        return match q.store {
            Some((dest, _)) => {
                if ctx.db().remove(&argv[dest]).is_some() {
                    ctx.touch(&argv[dest]);
                    ctx.notify(notify::GENERIC, "del", &argv[dest]);
                    ctx.dirty(1);
                }
                Reply::Integer(0)
            }
            None => Reply::Array(Vec::new()),
        };
    }
    if q.count != 0 && q.sort == Sort::None && !q.any {
        q.sort = Sort::Asc;
    }
    let limit = if q.any { q.count as usize } else { 0 };
    let mut found = match source(ctx, &argv[src]) {
        Some(zset) => collect(zset, &q.shape, limit),
        None => Vec::new(),
    };
    if found.is_empty() && q.store.is_none() {
        return Reply::Array(Vec::new());
    }
    let returned = if q.count == 0 || (found.len() as i64) < q.count {
        found.len()
    } else {
        q.count as usize
    };
    if q.sort != Sort::None {
        let desc = q.sort == Sort::Desc;
        let mut cmp = |a: &Found, b: &Found| {
            let c = by_distance(a, b).cmp(&0);
            if desc {
                c.reverse()
            } else {
                c
            }
        };
        if returned == found.len() {
            // glibc 2.36's qsort is a stable merge sort: ties keep the search's order,
            // as any stable sort keeps them.
            found.sort_by(&mut cmp);
        } else {
            // COUNT: Redis's pqsort, whose exact steps decide the order of ties.
            pqsort(&mut found, 0, returned as i64 - 1, &mut cmp);
        }
    }
    found.truncate(returned);
    let conversion = q.shape.conversion;
    match q.store {
        None => Reply::Array(
            found
                .into_iter()
                .map(|f| result_entry(f, &q, conversion))
                .collect(),
        ),
        Some((dest, with_dist)) => {
            let event = if matches!(variant, Variant::Search { .. }) {
                "geosearchstore"
            } else {
                "georadiusstore"
            };
            store(ctx, &argv[dest], found, (with_dist, conversion), event)
        }
    }
}

/// One result: the member, or the member with what WITHDIST, WITHHASH and WITHCOORD ask
/// for, in that order.
fn result_entry(f: Found, q: &Query, conversion: f64) -> Reply {
    if !(q.with_dist || q.with_hash || q.with_coord) {
        return Reply::Bulk(f.member);
    }
    let mut entry = vec![Reply::Bulk(f.member)];
    if q.with_dist {
        entry.push(Reply::Bulk(
            geohash::format_distance(f.dist / conversion).into_bytes(),
        ));
    }
    if q.with_hash {
        entry.push(Reply::Integer(f.score as i64));
    }
    if q.with_coord {
        entry.push(Reply::Array(vec![
            Reply::HumanDouble(f.lon),
            Reply::HumanDouble(f.lat),
        ]));
    }
    Reply::Array(entry)
}

/// STORE / STOREDIST: the results as a sorted set under `dest` (deleted when there are
/// none); the reply is how many.
/// `event` is the keyspace event of a stored result.
fn store(
    ctx: &mut Ctx<'_>,
    dest: &[u8],
    found: Vec<Found>,
    (with_dist, conversion): (bool, f64),
    event: &str,
) -> Reply {
    let count = found.len();
    let (db, config) = db_and_config(ctx);
    if count == 0 {
        if db.remove(dest).is_some() {
            ctx.touch(dest);
            ctx.notify(notify::GENERIC, "del", dest);
            ctx.dirty(1);
        }
        return Reply::Integer(0);
    }
    let mut result = ZSet::new();
    for f in found {
        let score = if with_dist {
            f.dist / conversion
        } else {
            f.score
        };
        result.insert(&f.member, score, config);
    }
    result.settle_encoding(config);
    db.set(dest, Value::ZSet(result));
    ctx.touch(dest);
    ctx.notify(notify::ZSET, event, dest);
    ctx.dirty(count as u64);
    Reply::Integer(count as i64)
}
