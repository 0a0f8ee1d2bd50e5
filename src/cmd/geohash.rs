//! The geohash arithmetic of Redis's `geohash.c` and `geohash_helper.c`, which the geo
//! commands store and search by.
//!
//! A position is a sorted-set score: longitude and latitude each scaled to 26 bits of
//! their range (longitude −180..180, latitude −85.05112878..85.05112878, the Web
//! Mercator limits) and interleaved, latitude in the even bits, into a 52-bit integer.
//! Decoding gives the centre of that cell, so coordinates come back slightly moved.
//! Distances are haversine on a sphere of radius 6372797.560856 m.
//!
//! Every operation is done in the order Redis does it, with the same libm functions
//! (`sin`, `cos`, `asin`, `sqrt` of glibc), so that results match to the last bit and a
//! point on the edge of a search area is in or out exactly as in Redis.

use std::f64::consts::PI;

/// 26 bits per coordinate, 52 in a score.
pub(crate) const STEP_MAX: u8 = 26;
pub(crate) const LAT_MIN: f64 = -85.05112878;
pub(crate) const LAT_MAX: f64 = 85.05112878;
pub(crate) const LONG_MIN: f64 = -180.0;
pub(crate) const LONG_MAX: f64 = 180.0;
/// Earth's quadratic mean radius for WGS-84, as Redis has it.
const EARTH_RADIUS_M: f64 = 6372797.560856;
const MERCATOR_MAX: f64 = 20037726.37;
/// `M_PI / 180.0`, folded by the C compiler as here.
const D_R: f64 = PI / 180.0;

fn deg_rad(angle: f64) -> f64 {
    angle * D_R
}

fn rad_deg(angle: f64) -> f64 {
    angle / D_R
}

/// A geohash of `step` bits per coordinate (`GeoHashBits`); all zero means "no area".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct HashBits {
    pub bits: u64,
    pub step: u8,
}

impl HashBits {
    const ZERO: HashBits = HashBits { bits: 0, step: 0 };

    fn is_zero(self) -> bool {
        self == HashBits::ZERO
    }

    /// The 52-bit score of the cell's first position (`geohashAlign52Bits`).
    pub(crate) fn align52(self) -> u64 {
        self.bits << (52 - u32::from(self.step) * 2)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Range {
    pub min: f64,
    pub max: f64,
}

impl Range {
    fn is_zero(&self) -> bool {
        self.min == 0.0 && self.max == 0.0
    }
}

/// The longitude and latitude ranges geo scores are encoded in.
pub(crate) const WGS84: (Range, Range) = (
    Range {
        min: LONG_MIN,
        max: LONG_MAX,
    },
    Range {
        min: LAT_MIN,
        max: LAT_MAX,
    },
);

/// The ranges of a standard geohash (GEOHASH's strings).
pub(crate) const STANDARD: (Range, Range) = (
    Range {
        min: -180.0,
        max: 180.0,
    },
    Range {
        min: -90.0,
        max: 90.0,
    },
);

/// A cell: its hash and the coordinates it spans (`GeoHashArea`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Area {
    pub longitude: Range,
    pub latitude: Range,
}

/// The bits of `x` in the even positions, those of `y` in the odd ones.
fn interleave64(x: u32, y: u32) -> u64 {
    fn spread(v: u32) -> u64 {
        let mut v = u64::from(v);
        v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333;
        (v | (v << 1)) & 0x5555_5555_5555_5555
    }
    spread(x) | (spread(y) << 1)
}

/// The inverse of [`interleave64`]: the even bits in the low half, the odd in the high.
fn deinterleave64(interleaved: u64) -> u64 {
    fn squeeze(v: u64) -> u64 {
        let mut v = v & 0x5555_5555_5555_5555;
        v = (v | (v >> 1)) & 0x3333_3333_3333_3333;
        v = (v | (v >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v >> 4)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v >> 8)) & 0x0000_FFFF_0000_FFFF;
        (v | (v >> 16)) & 0x0000_0000_FFFF_FFFF
    }
    squeeze(interleaved) | (squeeze(interleaved >> 1) << 32)
}

/// `geohashEncode`: the cell of `step` bits holding the position, or `None` outside the
/// ranges (or outside the Mercator latitude limits, which Redis checks whatever the
/// ranges).
pub(crate) fn encode(ranges: (Range, Range), lon: f64, lat: f64, step: u8) -> Option<HashBits> {
    let (long_range, lat_range) = ranges;
    if step > 32 || step == 0 || lat_range.is_zero() || long_range.is_zero() {
        return None;
    }
    // (No NaN reaches here: arguments refuse it and decoded positions are finite.)
    if !(LONG_MIN..=LONG_MAX).contains(&lon) || !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return None;
    }
    if lat < lat_range.min || lat > lat_range.max || lon < long_range.min || lon > long_range.max {
        return None;
    }
    let mut lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min);
    let mut long_offset = (lon - long_range.min) / (long_range.max - long_range.min);
    lat_offset *= (1u64 << step) as f64;
    long_offset *= (1u64 << step) as f64;
    // C converts the offsets to uint32_t: truncation (they are never negative here).
    Some(HashBits {
        bits: interleave64(lat_offset as u64 as u32, long_offset as u64 as u32),
        step,
    })
}

/// `geohashDecode`: the coordinates the cell spans; `None` for the zero hash.
pub(crate) fn decode(ranges: (Range, Range), hash: HashBits) -> Option<Area> {
    let (long_range, lat_range) = ranges;
    if hash.is_zero() || lat_range.is_zero() || long_range.is_zero() {
        return None;
    }
    let separated = deinterleave64(hash.bits);
    let lat_scale = lat_range.max - lat_range.min;
    let long_scale = long_range.max - long_range.min;
    let ilato = separated as u32;
    let ilono = (separated >> 32) as u32;
    let cells = (1u64 << hash.step) as f64;
    // `ilato + 1` is unsigned 32-bit arithmetic in C: it wraps for the all-ones cell.
    Some(Area {
        latitude: Range {
            min: lat_range.min + (f64::from(ilato) / cells) * lat_scale,
            max: lat_range.min + (f64::from(ilato.wrapping_add(1)) / cells) * lat_scale,
        },
        longitude: Range {
            min: long_range.min + (f64::from(ilono) / cells) * long_scale,
            max: long_range.min + (f64::from(ilono.wrapping_add(1)) / cells) * long_scale,
        },
    })
}

/// The centre of a cell, kept inside the valid coordinates (`geohashDecodeAreaToLongLat`).
fn area_center(area: &Area) -> [f64; 2] {
    let lon = ((area.longitude.min + area.longitude.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let lat = ((area.latitude.min + area.latitude.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    [lon, lat]
}

/// What C's `(uint64_t)score` gives on x86-64 (gcc's `cvttsd2si` sequence), for scores
/// that are not geo positions: negative values wrap, values past 2^64 give 0 or 2^63.
fn score_bits(score: f64) -> u64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    fn cvttsd2si(x: f64) -> u64 {
        if x.is_nan() || !(-TWO_63..TWO_63).contains(&x) {
            1 << 63
        } else {
            x as i64 as u64
        }
    }
    if score >= TWO_63 {
        cvttsd2si(score - TWO_63) ^ (1 << 63)
    } else {
        cvttsd2si(score)
    }
}

/// `decodeGeohash`: the longitude and latitude a sorted-set score stands for.
pub(crate) fn decode_score(score: f64) -> Option<[f64; 2]> {
    let hash = HashBits {
        bits: score_bits(score),
        step: STEP_MAX,
    };
    decode(WGS84, hash).map(|area| area_center(&area))
}

/// The score GEOADD stores for a valid position.
pub(crate) fn encode_score(lon: f64, lat: f64) -> u64 {
    encode(WGS84, lon, lat, STEP_MAX).map_or(0, HashBits::align52)
}

/// `geohash_move_x`: the cell `d` steps east (1) or west (-1), wrapping around.
fn move_x(hash: &mut HashBits, d: i8) {
    if d == 0 {
        return;
    }
    let mut x = hash.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let y = hash.bits & 0x5555_5555_5555_5555;
    let shift = 64 - u32::from(hash.step) * 2;
    let zz = 0x5555_5555_5555_5555u64 >> shift;
    if d > 0 {
        x = x.wrapping_add(zz + 1);
    } else {
        x |= zz;
        x = x.wrapping_sub(zz + 1);
    }
    x &= 0xaaaa_aaaa_aaaa_aaaau64 >> shift;
    hash.bits = x | y;
}

/// `geohash_move_y`: the cell `d` steps north (1) or south (-1), wrapping around.
fn move_y(hash: &mut HashBits, d: i8) {
    if d == 0 {
        return;
    }
    let x = hash.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let mut y = hash.bits & 0x5555_5555_5555_5555;
    let shift = 64 - u32::from(hash.step) * 2;
    let zz = 0xaaaa_aaaa_aaaa_aaaau64 >> shift;
    if d > 0 {
        y = y.wrapping_add(zz + 1);
    } else {
        y |= zz;
        y = y.wrapping_sub(zz + 1);
    }
    y &= 0x5555_5555_5555_5555u64 >> shift;
    hash.bits = x | y;
}

fn moved(hash: HashBits, dx: i8, dy: i8) -> HashBits {
    let mut out = hash;
    move_x(&mut out, dx);
    move_y(&mut out, dy);
    out
}

/// The boxes a search scans: the centre cell, then north, south, east, west, north-east,
/// north-west, south-east, south-west (Redis's order); zero for a box left out.
pub(crate) type SearchBoxes = [HashBits; 9];

/// `geohashEstimateStepsByRadius`: cell size for a search of this radius.
fn estimate_steps(range_m: f64, lat: f64) -> u8 {
    if range_m == 0.0 {
        return 26;
    }
    let mut range_m = range_m;
    let mut step: i32 = 1;
    while range_m < MERCATOR_MAX {
        range_m *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

/// The area a search covers: a circle of `radius` or a box of `width` × `height`, all in
/// the search's unit, `conversion` metres each (Redis's `GeoShape`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Extent {
    Radius(f64),
    Box { width: f64, height: f64 },
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    pub center: [f64; 2],
    pub conversion: f64,
    pub extent: Extent,
}

impl Shape {
    /// `geohashBoundingBox`: min longitude, min latitude, max longitude, max latitude.
    fn bounding_box(&self) -> [f64; 4] {
        let [lon, lat] = self.center;
        let (height, width) = match self.extent {
            Extent::Radius(r) => (self.conversion * r, self.conversion * r),
            Extent::Box { width, height } => (
                self.conversion * (height / 2.0),
                self.conversion * (width / 2.0),
            ),
        };
        let lat_delta = rad_deg(height / EARTH_RADIUS_M);
        let long_delta_top = rad_deg(width / EARTH_RADIUS_M / deg_rad(lat + lat_delta).cos());
        let long_delta_bottom = rad_deg(width / EARTH_RADIUS_M / deg_rad(lat - lat_delta).cos());
        let long_delta = if lat < 0.0 {
            long_delta_bottom
        } else {
            long_delta_top
        };
        [
            lon - long_delta,
            lat - lat_delta,
            lon + long_delta,
            lat + lat_delta,
        ]
    }

    /// `geohashCalculateAreasByShapeWGS84`: the nine boxes that cover the shape.
    pub(crate) fn search_boxes(&self) -> SearchBoxes {
        let [min_lon, min_lat, max_lon, max_lat] = self.bounding_box();
        let [lon, lat] = self.center;
        let radius_m = match self.extent {
            Extent::Radius(r) => r,
            Extent::Box { width, height } => {
                ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
            }
        } * self.conversion;
        let mut steps = estimate_steps(radius_m, lat);
        let cell = |steps| {
            encode(WGS84, lon, lat, steps).unwrap_or(HashBits {
                bits: 0,
                step: steps,
            })
        };
        let decoded = |hash| decode(WGS84, hash).unwrap_or_default();
        let mut hash = cell(steps);
        // The cell next door may be too close to the centre to cover the whole shape.
        let decrease = decoded(moved(hash, 0, 1)).latitude.max < max_lat
            || decoded(moved(hash, 0, -1)).latitude.min > min_lat
            || decoded(moved(hash, 1, 0)).longitude.max < max_lon
            || decoded(moved(hash, -1, 0)).longitude.min > min_lon;
        if steps > 1 && decrease {
            steps -= 1;
            hash = cell(steps);
        }
        let area = decoded(hash);
        let mut north = moved(hash, 0, 1);
        let mut south = moved(hash, 0, -1);
        let mut east = moved(hash, 1, 0);
        let mut west = moved(hash, -1, 0);
        let mut north_east = moved(hash, 1, 1);
        let mut north_west = moved(hash, -1, 1);
        let mut south_east = moved(hash, 1, -1);
        let mut south_west = moved(hash, -1, -1);
        // Leave out the boxes the shape cannot reach.
        if steps >= 2 {
            if area.latitude.min < min_lat {
                south = HashBits::ZERO;
                south_west = HashBits::ZERO;
                south_east = HashBits::ZERO;
            }
            if area.latitude.max > max_lat {
                north = HashBits::ZERO;
                north_east = HashBits::ZERO;
                north_west = HashBits::ZERO;
            }
            if area.longitude.min < min_lon {
                west = HashBits::ZERO;
                south_west = HashBits::ZERO;
                north_west = HashBits::ZERO;
            }
            if area.longitude.max > max_lon {
                east = HashBits::ZERO;
                south_east = HashBits::ZERO;
                north_east = HashBits::ZERO;
            }
        }
        [
            hash, north, south, east, west, north_east, north_west, south_east, south_west,
        ]
    }

    /// `geoWithinShape` for a decoded position: its distance from the centre in metres
    /// when it is inside the shape.
    pub(crate) fn distance_if_within(&self, point: [f64; 2]) -> Option<f64> {
        let [x1, y1] = self.center;
        let [x2, y2] = point;
        match self.extent {
            Extent::Radius(r) => {
                let distance = distance(x1, y1, x2, y2);
                // Written as Redis's test: a NaN distance keeps the point.
                if distance > r * self.conversion {
                    None
                } else {
                    Some(distance)
                }
            }
            Extent::Box { width, height } => {
                let (width_m, height_m) = (width * self.conversion, height * self.conversion);
                // NaN compares false, so keeps the point, as in Redis.
                if lat_distance(y2, y1) > height_m / 2.0 {
                    return None;
                }
                if distance(x2, y2, x1, y2) > width_m / 2.0 {
                    return None;
                }
                Some(distance(x1, y1, x2, y2))
            }
        }
    }
}

/// `geohashGetLatDistance`: metres between two latitudes on a meridian.
fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_M * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// `geohashGetDistance`: haversine distance in metres.
pub(crate) fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let lon1r = deg_rad(lon1);
    let lon2r = deg_rad(lon2);
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let lat1r = deg_rad(lat1);
    let lat2r = deg_rad(lat2);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

/// GEOHASH's 11-character string: the position re-encoded with the standard latitude
/// range, 5 bits a character, the 11th always `0` (only 52 bits exist).
pub(crate) fn standard_hash_string(point: [f64; 2]) -> [u8; 11] {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let hash = encode(STANDARD, point[0], point[1], 26).unwrap_or_default();
    let mut out = [b'0'; 11];
    for (i, c) in out.iter_mut().enumerate().take(10) {
        let index = (hash.bits >> (52 - (i + 1) * 5)) & 0x1f;
        *c = ALPHABET[index as usize];
    }
    out
}

/// The distance text of WITHDIST and GEODIST: `%.4f`-like, rounded half to even
/// (Redis's `fixedpoint_d2string` with `llrint`).
pub(crate) fn format_distance(d: f64) -> String {
    if d == 0.0 {
        return "0.0000".into();
    }
    let scaled = (d * 10000.0).round_ties_even();
    // llrint of a value out of range (or NaN) gives LLONG_MIN.
    let value: i64 = if scaled.is_nan()
        || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&scaled)
    {
        i64::MIN
    } else {
        scaled as i64
    };
    let sign = if value < 0 { "-" } else { "" };
    let magnitude = value.unsigned_abs();
    format!("{sign}{}.{:04}", magnitude / 10000, magnitude % 10000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleave_and_deinterleave_are_inverse() {
        for (x, y) in [
            (0u32, 0u32),
            (1, 0),
            (0, 1),
            (0x3ff_ffff, 0x123_4567),
            (u32::MAX, 7),
        ] {
            let d = deinterleave64(interleave64(x, y));
            assert_eq!((d as u32, (d >> 32) as u32), (x, y));
        }
    }

    #[test]
    fn palermo_scores_as_in_redis() {
        // GEOADD Sicily 13.361389 38.115556 "Palermo" stores this score in Redis.
        assert_eq!(encode_score(13.361389, 38.115556), 3479099956230698);
        let [lon, lat] = decode_score(3479099956230698.0).unwrap();
        assert_eq!(crate::resp::format_human(lon), "13.36138933897018433");
        assert_eq!(crate::resp::format_human(lat), "38.11555639549629859");
    }

    #[test]
    fn distances_print_with_four_decimals_rounded_half_even() {
        assert_eq!(format_distance(0.0), "0.0000");
        assert_eq!(format_distance(166274.15156960033), "166274.1516");
        assert_eq!(format_distance(0.00004), "0.0000");
        assert_eq!(format_distance(0.00126), "0.0013");
    }

    #[test]
    fn non_geo_scores_convert_as_x86_does() {
        assert_eq!(score_bits(-1.0), u64::MAX);
        assert_eq!(score_bits(1e20), 0);
        assert_eq!(score_bits(f64::NEG_INFINITY), 1 << 63);
        assert_eq!(score_bits(9.3e18), 9_300_000_000_000_000_000);
    }
}
