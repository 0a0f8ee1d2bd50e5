//! Live differential test for the geo commands: proptest-generated GEOADD of random
//! positions (clustered on lattices around the equator, the antimeridian, the poles'
//! Mercator limits and mid-latitudes, so that members tie in distance and sit on search
//! edges), then GEOSEARCH / GEOSEARCHSTORE / GEORADIUS / GEORADIUSBYMEMBER by radius and
//! by box with random options, GEODIST, GEOPOS and GEOHASH, sent to a real redis-server
//! and to the engine; replies must match byte for byte, in RESP2 or RESP3.
//!
//! Runs when `redis-server` is on PATH (otherwise it says it skipped and passes).
//! `REDSIM_GEO_DIFF_CASES=500 cargo test --test geo_differential` runs more.

mod support;

use proptest::prelude::*;
use support::differential;

/// Centres of the clusters: (longitude, latitude).
const REGIONS: &[(f64, f64)] = &[
    (0.0, 0.0),
    (179.95, 0.5),
    (-179.99, -20.0),
    (13.361389, 38.115556),
    (0.0, 84.99),
    (100.0, -85.0),
    (-75.5, 66.2),
    (45.0, -80.3),
];
/// Lattice steps in degrees: members on a lattice tie in distance from lattice points.
const STEPS: &[f64] = &[0.00001, 0.0001, 0.001, 0.01, 0.1, 1.0];
const UNITS: &[&str] = &["m", "km", "ft", "mi", "KM"];
const KEYS: &[&str] = &["g", "g", "g", "h"];

fn pick(options: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(options).prop_map(str::to_string)
}

/// A member name; the first dozen are the ones searches and lookups ask for, the rest
/// make sets big enough for the sorts' larger cases (more than 7 and 40 results).
fn member() -> impl Strategy<Value = String> {
    (0u32..12).prop_map(|n| format!("m{n}"))
}

fn added_member() -> impl Strategy<Value = String> {
    prop_oneof![member(), (12u32..80).prop_map(|n| format!("m{n}"))]
}

/// A longitude and latitude near the case's region, on a lattice; sometimes just outside
/// the valid range (Redis then refuses them, with the numbers in the error).
fn position(region: (f64, f64), step: f64) -> impl Strategy<Value = (String, String)> {
    (-30i32..31, -30i32..31).prop_map(move |(dx, dy)| {
        let (lon, lat) = region;
        let lon = lon + f64::from(dx) * step;
        let lat = lat + f64::from(dy) * step;
        (format!("{lon}"), format!("{lat}"))
    })
}

/// A distance and its unit: a multiple of the lattice step's length on the ground (in m
/// or km), or a plain number in any unit.
fn distance(step: f64) -> impl Strategy<Value = (String, String)> {
    let ground_m = step * 111_319.49;
    prop_oneof![
        3 => (0u32..40).prop_map(move |n| (format!("{}", f64::from(n) * ground_m), "m".to_string())),
        2 => (0u32..40).prop_map(move |n| (format!("{}", f64::from(n) * ground_m / 1000.0), "km".to_string())),
        2 => ((0u32..3000).prop_map(|n| n.to_string()), pick(UNITS)),
        1 => Just(("0".to_string(), "m".to_string())),
    ]
}

/// Search options in random order: WITH*, ASC/DESC, COUNT n [ANY].
fn options(with: bool) -> impl Strategy<Value = Vec<String>> {
    (
        prop::collection::vec(pick(&["WITHDIST", "WITHHASH", "WITHCOORD"]), 0..3),
        pick(&["", "ASC", "DESC"]),
        prop::option::of((1u32..8, any::<bool>())),
    )
        .prop_map(move |(withs, sort, count)| {
            let mut out: Vec<String> = if with { withs } else { Vec::new() };
            if !sort.is_empty() {
                out.push(sort);
            }
            if let Some((n, any)) = count {
                out.push("COUNT".into());
                out.push(n.to_string());
                if any {
                    out.push("ANY".into());
                }
            }
            out
        })
}

/// GEOSEARCH's FROMMEMBER / FROMLONLAT and BYRADIUS / BYBOX.
fn from_and_by(region: (f64, f64), step: f64) -> impl Strategy<Value = Vec<String>> {
    (
        prop_oneof![
            member().prop_map(|m| vec!["FROMMEMBER".to_string(), m]),
            position(region, step).prop_map(|(lon, lat)| vec!["FROMLONLAT".to_string(), lon, lat]),
        ],
        prop_oneof![
            distance(step).prop_map(|(d, u)| vec!["BYRADIUS".to_string(), d, u]),
            (distance(step), distance(step)).prop_map(|((w, u), (h, _))| vec![
                "BYBOX".to_string(),
                w,
                h,
                u
            ]),
        ],
    )
        .prop_map(|(from, by)| from.into_iter().chain(by).collect())
}

/// One command, its positions near `region` on a lattice of `step` degrees (the case's
/// cluster).
fn command(region: (f64, f64), step: f64) -> impl Strategy<Value = Vec<String>> {
    let key = || pick(KEYS);
    prop_oneof![
        4 => (
            key(),
            pick(&["", "", "NX", "XX", "CH", "XX CH"]),
            prop::collection::vec((position(region, step), added_member()), 1..12)
        )
            .prop_map(|(k, opts, points)| {
                let mut argv = vec!["GEOADD".to_string(), k];
                argv.extend(opts.split_whitespace().map(str::to_string));
                for ((lon, lat), m) in points {
                    argv.extend([lon, lat, m]);
                }
                argv
            }),
        4 => (key(), from_and_by(region, step), options(true)).prop_map(|(k, fb, opts)| {
            let mut argv = vec!["GEOSEARCH".to_string(), k];
            argv.extend(fb);
            argv.extend(opts);
            argv
        }),
        1 => (key(), from_and_by(region, step), options(false), any::<bool>()).prop_map(|(k, fb, opts, dist)| {
            let mut argv = vec!["GEOSEARCHSTORE".to_string(), "dst".into(), k];
            argv.extend(fb);
            argv.extend(opts);
            if dist {
                argv.push("STOREDIST".into());
            }
            argv
        }),
        1 => Just(vec!["ZRANGE".to_string(), "dst".into(), "0".into(), "-1".into(), "WITHSCORES".into()]),
        2 => (key(), position(region, step), distance(step), options(true)).prop_map(
            |(k, (lon, lat), (d, u), opts)| {
                let mut argv = vec!["GEORADIUS".to_string(), k, lon, lat, d, u];
                argv.extend(opts);
                argv
            }
        ),
        2 => (key(), member(), distance(step), options(true), pick(&["", "", "STORE dst", "STOREDIST dst"]))
            .prop_map(|(k, m, (d, u), opts, store)| {
                let mut argv = vec!["GEORADIUSBYMEMBER".to_string(), k, m, d, u];
                argv.extend(opts);
                argv.extend(store.split_whitespace().map(str::to_string));
                argv
            }),
        1 => (key(), member(), member(), pick(&["", "m", "km", "ft", "mi"])).prop_map(|(k, a, b, u)| {
            let mut argv = vec!["GEODIST".to_string(), k, a, b];
            argv.extend([u].into_iter().filter(|s| !s.is_empty()));
            argv
        }),
        1 => (key(), prop::collection::vec(member(), 1..4)).prop_map(|(k, ms)| {
            let mut argv = vec!["GEOPOS".to_string(), k];
            argv.extend(ms);
            argv
        }),
        1 => (key(), prop::collection::vec(member(), 1..4)).prop_map(|(k, ms)| {
            let mut argv = vec!["GEOHASH".to_string(), k];
            argv.extend(ms);
            argv
        }),
        1 => (key(), member()).prop_map(|(k, m)| vec!["ZREM".to_string(), k, m]),
    ]
}

#[test]
fn geo_commands_match_a_real_redis_server() {
    let strategy = (
        any::<bool>(),
        (prop::sample::select(REGIONS), prop::sample::select(STEPS))
            .prop_flat_map(|(region, step)| prop::collection::vec(command(region, step), 1..40)),
    );
    differential::run(
        "REDSIM_GEO_DIFF_CASES",
        64,
        strategy,
        |redis, (resp3, commands)| differential::replay(redis, resp3, &[], &commands),
    );
}
