//! Geo commands on positions: GEOADD, GEOPOS, GEODIST, GEOHASH (Redis's `geo.c`). The
//! searches (GEOSEARCH, GEOSEARCHSTORE, GEORADIUS…) are in `geo_search.rs`, the geohash
//! arithmetic in `geohash.rs`.
//!
//! A geo set is a plain sorted set whose scores are 52-bit geohashes: TYPE says `zset`,
//! every sorted-set command works on it, and the geo commands read any sorted set's
//! scores as positions. Positions come back as the centre of their geohash cell, as
//! RESP3 doubles (bulk strings in RESP2) printed with `%.17Lf` and trailing zeros
//! removed; distances as bulk strings with four decimals.

use super::args_range::redis_double;
use super::geo_search;
use super::geohash::{self, LAT_MAX, LAT_MIN, LONG_MAX, LONG_MIN};
use super::typed;
use super::zset::zadd;
use super::{args, flags::*, CommandSpec, Ctx};
use crate::resp::{errors, Reply};

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("geoadd", -5, WRITE | DENYOOM, geoadd)
        .keys(1, 1, 1)
        .acl("write geo slow"),
    CommandSpec::new("geopos", -2, READONLY, geopos)
        .keys(1, 1, 1)
        .acl("read geo slow"),
    CommandSpec::new("geodist", -4, READONLY, geodist)
        .keys(1, 1, 1)
        .acl("read geo slow"),
    CommandSpec::new("geohash", -2, READONLY, geohash_cmd)
        .keys(1, 1, 1)
        .acl("read geo slow"),
    CommandSpec::new(
        "georadius",
        -6,
        WRITE | DENYOOM | MOVABLEKEYS | SIGNALS_OWN_KEYS,
        geo_search::georadius,
    )
    .keys(1, 1, 1)
    .key_finder(geo_search::georadius_keys)
    .acl("write geo slow"),
    CommandSpec::new("georadius_ro", -6, READONLY, geo_search::georadius_ro)
        .keys(1, 1, 1)
        .acl("read geo slow"),
    CommandSpec::new(
        "georadiusbymember",
        -5,
        WRITE | DENYOOM | MOVABLEKEYS | SIGNALS_OWN_KEYS,
        geo_search::georadiusbymember,
    )
    .keys(1, 1, 1)
    .key_finder(geo_search::georadiusbymember_keys)
    .acl("write geo slow"),
    CommandSpec::new(
        "georadiusbymember_ro",
        -5,
        READONLY,
        geo_search::georadiusbymember_ro,
    )
    .keys(1, 1, 1)
    .acl("read geo slow"),
    CommandSpec::new("geosearch", -7, READONLY, geo_search::geosearch)
        .keys(1, 1, 1)
        .acl("read geo slow"),
    CommandSpec::new(
        "geosearchstore",
        -8,
        WRITE | DENYOOM | SIGNALS_OWN_KEYS,
        geo_search::geosearchstore,
    )
    .keys(1, 2, 1)
    .acl("write geo slow"),
];

/// `extractLongLatOrReply`: a longitude and a latitude, each a valid float, together
/// inside the geohash limits.
pub(super) fn lon_lat(lon: &[u8], lat: &[u8]) -> Result<[f64; 2], Reply> {
    let mut xy = [0.0; 2];
    for (slot, arg) in xy.iter_mut().zip([lon, lat]) {
        *slot = redis_double(arg).ok_or_else(|| Reply::error(errors::NOT_FLOAT))?;
    }
    let [x, y] = xy;
    if !(LONG_MIN..=LONG_MAX).contains(&x) || !(LAT_MIN..=LAT_MAX).contains(&y) {
        return Err(Reply::error(format!(
            "ERR invalid longitude,latitude pair {x:.6},{y:.6}"
        )));
    }
    Ok(xy)
}

/// `extractUnitOrReply`: metres per unit.
pub(super) fn unit(arg: &[u8]) -> Result<f64, Reply> {
    match arg.to_ascii_lowercase().as_slice() {
        b"m" => Ok(1.0),
        b"km" => Ok(1000.0),
        b"ft" => Ok(0.3048),
        b"mi" => Ok(1609.34),
        _ => Err(Reply::error(
            "ERR unsupported unit provided. please use M, KM, FT, MI",
        )),
    }
}

/// GEOADD key [NX|XX] [CH] lon lat member [lon lat member …]: ZADD of the members with
/// their positions' scores, so the reply is ZADD's (members added; with CH, changed).
/// Every position is checked before the key is looked at.
fn geoadd(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let (mut nx, mut xx) = (false, false);
    let mut first = 2;
    while first < argv.len() {
        let opt = &argv[first];
        if args::is(opt, "nx") {
            nx = true;
        } else if args::is(opt, "xx") {
            xx = true;
        } else if !args::is(opt, "ch") {
            break;
        }
        first += 1;
    }
    if !(argv.len() - first).is_multiple_of(3) || (xx && nx) {
        return Reply::error(errors::SYNTAX);
    }
    let mut zadd_argv: Vec<Vec<u8>> = Vec::with_capacity(first + (argv.len() - first) / 3 * 2);
    zadd_argv.push(b"zadd".to_vec());
    zadd_argv.extend(argv[1..first].iter().cloned());
    for triple in argv[first..].chunks(3) {
        let [lon, lat] = match lon_lat(&triple[0], &triple[1]) {
            Ok(xy) => xy,
            Err(e) => return e,
        };
        zadd_argv.push(geohash::encode_score(lon, lat).to_string().into_bytes());
        zadd_argv.push(triple[2].clone());
    }
    zadd(ctx, &zadd_argv)
}

/// The score of each of `members` in the sorted set under `key` (`None` for a missing
/// member or key), or WRONGTYPE.
fn scores_of(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    members: &[Vec<u8>],
) -> Result<Vec<Option<f64>>, Reply> {
    let now = ctx.now_ms;
    let zset = typed::zset(ctx.db(), key, now)?;
    Ok(members
        .iter()
        .map(|m| zset.as_ref().and_then(|z| z.score(m)))
        .collect())
}

/// GEOPOS key member…: `[longitude, latitude]` of each member, a null array for a
/// missing one.
fn geopos(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    match scores_of(ctx, &argv[1], &argv[2..]) {
        Err(e) => e,
        Ok(scores) => Reply::Array(
            scores
                .into_iter()
                .map(|s| match s.and_then(geohash::decode_score) {
                    Some([lon, lat]) => {
                        Reply::Array(vec![Reply::HumanDouble(lon), Reply::HumanDouble(lat)])
                    }
                    None => Reply::NullArray,
                })
                .collect(),
        ),
    }
}

/// GEODIST key member1 member2 [M|KM|FT|MI]: the distance between two members, null
/// when either is missing. The unit is checked first, then the key.
fn geodist(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let to_meter = match argv.len() {
        4 => 1.0,
        5 => match unit(&argv[4]) {
            Ok(u) => u,
            Err(e) => return e,
        },
        _ => return Reply::error(errors::SYNTAX),
    };
    let scores = match scores_of(ctx, &argv[1], &argv[2..4]) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let (Some(a), Some(b)) = (scores[0], scores[1]) else {
        return Reply::Null;
    };
    match (geohash::decode_score(a), geohash::decode_score(b)) {
        (Some([x1, y1]), Some([x2, y2])) => Reply::Bulk(
            geohash::format_distance(geohash::distance(x1, y1, x2, y2) / to_meter).into_bytes(),
        ),
        _ => Reply::Null,
    }
}

/// GEOHASH key member…: each member's position as an 11-character standard geohash,
/// null for a missing member.
fn geohash_cmd(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    match scores_of(ctx, &argv[1], &argv[2..]) {
        Err(e) => e,
        Ok(scores) => Reply::Array(
            scores
                .into_iter()
                .map(|s| match s.and_then(geohash::decode_score) {
                    Some(point) => Reply::Bulk(geohash::standard_hash_string(point).to_vec()),
                    None => Reply::Null,
                })
                .collect(),
        ),
    }
}
