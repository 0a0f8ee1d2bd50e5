//! LOLWUT [VERSION v] [args...]: computer art and the server's version, as Redis 7.0.15's
//! `lolwut.c`. The VERSION number becomes a version string `"<v as unsigned int>.0.0"`
//! and picks the art by its first characters: 5 draws Georg Nees's Schotter
//! (`lolwut_art::schotter`), 6 a city skyline (`lolwut_art::skyline`); any other number,
//! and a plain LOLWUT (whose version is 7.0.15), only say "Redis ver. 7.0.15". Redis draws
//! with `rand()`; here every draw goes through the host (`Ctx::random_below`), so a run is
//! the same for the same seed. The reply is a verbatim `txt` string (bulk in RESP2).

use super::connection::REDIS_VERSION;
use super::lolwut_art::{schotter, skyline};
use super::{args, flags::*, CommandSpec, Ctx};
use crate::resp::Reply;

pub static COMMANDS: &[CommandSpec] =
    &[CommandSpec::new("lolwut", -1, READONLY | FAST, lolwut).acl("read fast")];

/// glibc's `RAND_MAX`: `rand()` draws from `0..=RAND_MAX`.
pub(super) const RAND_MAX: u64 = 2_147_483_647;

/// A draw of C's `rand()` from the host.
pub(super) fn rand(ctx: &mut Ctx<'_>) -> i64 {
    ctx.random_below(RAND_MAX + 1) as i64
}

/// `rand() % n` for `n >= 1`, drawn from the host as a choice among `n`.
pub(super) fn rand_below(ctx: &mut Ctx<'_>, n: i64) -> i64 {
    ctx.random_below(n.max(1) as u64) as i64
}

/// LOLWUT: strips `VERSION v` (only with at least one more word after LOLWUT VERSION)
/// and hands the rest of the words to the version's art.
fn lolwut(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let mut version = REDIS_VERSION.to_string();
    let mut rest = argv;
    if argv.len() >= 3 && args::is(&argv[1], "VERSION") {
        let v = match args::int(&argv[2]) {
            Ok(v) => v,
            Err(e) => return e,
        };
        // snprintf("%u.0.0", (unsigned int)ver): the low 32 bits, unsigned.
        version = format!("{}.0.0", v as u32);
        rest = &argv[2..];
    }
    let v = version.as_bytes();
    let at = |i: usize| v.get(i).copied().unwrap_or(0);
    let text = if (at(0) == b'5' && at(1) == b'.' && at(2) != b'9')
        || (at(0) == b'4' && at(1) == b'.' && at(2) == b'9')
    {
        schotter_command(ctx, rest)
    } else if (at(0) == b'6' && at(1) == b'.' && at(2) != b'9')
        || (at(0) == b'5' && at(1) == b'.' && at(2) == b'9')
    {
        skyline_command(ctx, rest)
    } else {
        Ok(format!("Redis ver. {REDIS_VERSION}\n").into_bytes())
    };
    match text {
        Ok(text) => Reply::Verbatim {
            format: *b"txt",
            text,
        },
        Err(e) => e,
    }
}

/// The optional numeric word `at` of `argv` (which starts with the word before the
/// version's own arguments), `default` when absent. Redis parses every word before it
/// clamps any, so a bad later word is an error even when an earlier one is out of range.
fn number(argv: &[Vec<u8>], at: usize, default: i64) -> Result<i64, Reply> {
    match argv.get(at) {
        Some(word) => args::int(word),
        None => Ok(default),
    }
}

/// LOLWUT VERSION 5 [columns [squares-per-row [squares-per-col]]]: 66, 8, 12 by default;
/// columns within 1..=1000, squares within 1..=200.
fn schotter_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Result<Vec<u8>, Reply> {
    let cols = number(argv, 1, 66)?;
    let per_row = number(argv, 2, 8)?;
    let per_col = number(argv, 3, 12)?;
    let cols = cols.clamp(1, 1000) as i32;
    let per_row = per_row.clamp(1, 200) as i32;
    let per_col = per_col.clamp(1, 200) as i32;
    let mut text = schotter(ctx, cols, per_row, per_col);
    text.extend_from_slice(b"\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ");
    text.extend_from_slice(REDIS_VERSION.as_bytes());
    text.push(b'\n');
    Ok(text)
}

/// LOLWUT VERSION 6 [columns [rows]]: 80 by 20 by default, each within 1..=1000.
fn skyline_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Result<Vec<u8>, Reply> {
    let cols = number(argv, 1, 80)?;
    let rows = number(argv, 2, 20)?;
    let cols = cols.clamp(1, 1000) as i32;
    let rows = rows.clamp(1, 1000) as i32;
    let mut text = skyline(ctx, cols, rows);
    text.extend_from_slice(
        b"\nDedicated to the 8 bit game developers of past and present.\n\
          Original 8 bit image from Plaguemon by hikikomori. Redis ver. ",
    );
    text.extend_from_slice(REDIS_VERSION.as_bytes());
    text.push(b'\n');
    Ok(text)
}
