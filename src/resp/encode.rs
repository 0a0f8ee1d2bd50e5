//! Writes a [`Reply`] as protocol 2 or protocol 3 bytes, exactly as Redis 7.0 does.
//!
//! RESP2 has no map, set, double, boolean, big number, verbatim or push frames; Redis
//! downgrades them in `networking.c` (`addReplyMapLen` doubles the array length,
//! `addReplyDouble` writes a bulk string, `addReplyBool` writes `:1`/`:0`, …) and so do we.

use super::Reply;
use std::io::Write;

/// The protocol a client speaks, chosen with HELLO.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Protocol {
    /// RESP2, the default.
    #[default]
    Resp2,
    /// RESP3 (`HELLO 3`).
    Resp3,
}

impl Protocol {
    /// The version's number (2 or 3).
    pub fn number(self) -> i64 {
        match self {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        }
    }
}

/// Encodes `reply` for `proto` into a new buffer.
pub fn encode(reply: &Reply, proto: Protocol) -> Vec<u8> {
    let mut out = Vec::with_capacity(32);
    encode_into(reply, proto, &mut out);
    out
}

/// Appends the encoding of `reply` for `proto` to `out`.
///
/// Aggregates are written from an explicit list of the elements still to write, not by
/// recursion: a script's reply may nest about 8000 levels deep (Redis's Lua stack limit),
/// more than a thread's stack holds frames for.
pub(crate) fn encode_into(reply: &Reply, proto: Protocol, out: &mut Vec<u8>) {
    let resp3 = proto == Protocol::Resp3;
    let mut pending: Vec<&Reply> = vec![reply];
    while let Some(reply) = pending.pop() {
        encode_one(reply, resp3, out, &mut pending);
    }
}

/// Writes `reply`, or an aggregate's header, pushing its elements (last first) on `pending`.
fn encode_one<'a>(reply: &'a Reply, resp3: bool, out: &mut Vec<u8>, pending: &mut Vec<&'a Reply>) {
    match reply {
        Reply::Simple(s) => line(out, b'+', s),
        Reply::Error(s) => line(out, b'-', s),
        Reply::Integer(n) => header(out, b':', *n),
        Reply::Bulk(b) => bulk(out, b),
        Reply::Null if resp3 => out.extend_from_slice(b"_\r\n"),
        Reply::Null => out.extend_from_slice(b"$-1\r\n"),
        Reply::NullArray if resp3 => out.extend_from_slice(b"_\r\n"),
        Reply::NullArray => out.extend_from_slice(b"*-1\r\n"),
        Reply::Array(items) => aggregate(out, b'*', items, pending),
        Reply::Bool(b) if resp3 => out.extend_from_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
        Reply::Bool(b) => out.extend_from_slice(if *b { b":1\r\n" } else { b":0\r\n" }),
        Reply::Double(d) => {
            let text = format_double(*d);
            if resp3 {
                line(out, b',', text.as_bytes());
            } else {
                bulk(out, text.as_bytes());
            }
        }
        Reply::HumanDouble(d) => {
            let text = format_human(*d);
            if resp3 {
                line(out, b',', text.as_bytes());
            } else {
                bulk(out, text.as_bytes());
            }
        }
        Reply::BigNumber(n) if resp3 => line(out, b'(', n),
        Reply::BigNumber(n) => bulk(out, n),
        Reply::Verbatim { format, text } if resp3 => {
            header(out, b'=', (text.len() + 4) as i64);
            out.extend_from_slice(format);
            out.push(b':');
            out.extend_from_slice(text);
            out.extend_from_slice(b"\r\n");
        }
        Reply::Verbatim { text, .. } => bulk(out, text),
        Reply::Map(pairs) => pair_aggregate(out, b'%', pairs, resp3, pending),
        Reply::Attribute(pairs) => pair_aggregate(out, b'|', pairs, resp3, pending),
        Reply::Preceded { frame, reply } => {
            pending.push(reply);
            if resp3 {
                pending.push(frame);
            }
        }
        Reply::Frames(frames) => pending.extend(frames.iter().rev()),
        Reply::Set(items) => aggregate(out, if resp3 { b'~' } else { b'*' }, items, pending),
        Reply::Push(items) => aggregate(out, if resp3 { b'>' } else { b'*' }, items, pending),
    }
}

/// Formats a double as Redis's `addReplyDouble` does: `%.17g`, with `inf` and `-inf`.
/// glibc prints a NaN's sign: x86's `0/0` has it set (`-nan`), `tonumber('nan')` not.
pub fn format_double(d: f64) -> String {
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if d.is_nan() {
        return if d.is_sign_negative() {
            "-nan".into()
        } else {
            "nan".into()
        };
    }
    format_g17(d)
}

/// Formats a double as Redis's `ld2string(…, LD_STR_HUMAN)` does once it is widened to
/// a long double: `%.17Lf` (exact, so `{:.17}` gives the same digits, ties to even),
/// trailing zeros and dot removed, `-0` as `0`, and `inf` / `-inf`.
pub fn format_human(d: f64) -> String {
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if d.is_nan() {
        return format_double(d);
    }
    let mut text = format!("{d:.17}");
    let kept = text.trim_end_matches('0').trim_end_matches('.').len();
    text.truncate(kept);
    if text == "-0" {
        text = "0".into();
    }
    text
}

/// C's `printf("%.17g", d)` for a finite `d`.
pub(crate) fn format_g17(d: f64) -> String {
    format_g(d, 17)
}

/// C's `printf("%.<precision>g", d)` for a finite `d`: scientific notation when the
/// exponent is below -4 or at least the precision, trailing zeros removed.
pub(crate) fn format_g(d: f64, precision: usize) -> String {
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let p = precision.max(1);
    // `{:.*e}` rounds to p significant digits and tells us the decimal exponent.
    let sci = format!("{:.*e}", p - 1, d);
    let (mantissa, exp) = sci.split_once('e').expect("exponent present");
    let exp: i32 = exp.parse().expect("valid exponent");
    if exp < -4 || exp >= p as i32 {
        let mantissa = trim_fraction_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        trim_fraction_zeros(&format!("{:.*}", decimals, d)).to_string()
    }
}

fn trim_fraction_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

fn line(out: &mut Vec<u8>, prefix: u8, text: &[u8]) {
    out.push(prefix);
    out.extend_from_slice(text);
    out.extend_from_slice(b"\r\n");
}

fn header(out: &mut Vec<u8>, prefix: u8, n: i64) {
    out.push(prefix);
    let _ = write!(out, "{n}");
    out.extend_from_slice(b"\r\n");
}

fn bulk(out: &mut Vec<u8>, b: &[u8]) {
    header(out, b'$', b.len() as i64);
    out.extend_from_slice(b);
    out.extend_from_slice(b"\r\n");
}

fn aggregate<'a>(out: &mut Vec<u8>, prefix: u8, items: &'a [Reply], pending: &mut Vec<&'a Reply>) {
    header(out, prefix, items.len() as i64);
    pending.extend(items.iter().rev());
}

/// A map or attribute: `prefix` and the pair count in RESP3, a flat array of keys and
/// values in RESP2.
fn pair_aggregate<'a>(
    out: &mut Vec<u8>,
    prefix: u8,
    pairs: &'a [(Reply, Reply)],
    resp3: bool,
    pending: &mut Vec<&'a Reply>,
) {
    if resp3 {
        header(out, prefix, pairs.len() as i64);
    } else {
        header(out, b'*', 2 * pairs.len() as i64);
    }
    for (k, v) in pairs.iter().rev() {
        pending.push(v);
        pending.push(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g17_matches_c_printf() {
        assert_eq!(format_g17(1.5), "1.5");
        assert_eq!(format_g17(0.1), "0.10000000000000001");
        assert_eq!(format_g17(1e20), "1e+20");
        assert_eq!(format_g17(123456.0), "123456");
        assert_eq!(format_g17(1e-5), "1.0000000000000001e-05");
        assert_eq!(format_g17(-2.0), "-2");
        assert_eq!(format_g(100.0, 14), "100");
    }

    #[test]
    fn human_doubles_print_like_ld2string_human_mode() {
        assert_eq!(format_human(13.361389338970184), "13.36138933897018433");
        assert_eq!(format_human(180.0), "180");
        assert_eq!(format_human(-0.0), "0");
        assert_eq!(format_human(-1e-20), "0");
        assert_eq!(format_human(2.68220901489e-6), "0.00000268220901489");
        assert_eq!(format_human(f64::NEG_INFINITY), "-inf");
        let reply = Reply::HumanDouble(0.5);
        assert_eq!(encode(&reply, Protocol::Resp2), b"$3\r\n0.5\r\n");
        assert_eq!(encode(&reply, Protocol::Resp3), b",0.5\r\n");
    }

    #[test]
    fn resp3_kinds_downgrade_for_resp2() {
        let map = Reply::Map(vec![(Reply::bulk("a"), Reply::Integer(1))]);
        assert_eq!(encode(&map, Protocol::Resp2), b"*2\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(encode(&map, Protocol::Resp3), b"%1\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(encode(&Reply::Bool(true), Protocol::Resp2), b":1\r\n");
        assert_eq!(
            encode(&Reply::Double(1.5), Protocol::Resp2),
            b"$3\r\n1.5\r\n"
        );
        assert_eq!(encode(&Reply::Null, Protocol::Resp3), b"_\r\n");
        assert_eq!(encode(&Reply::NullArray, Protocol::Resp2), b"*-1\r\n");
    }
}
