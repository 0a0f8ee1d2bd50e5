//! PFDEBUG and PFSELFTEST, Redis's tools for looking inside HLLs.
//!
//! `PFDEBUG <subcommand> key` — the key must exist (`ERR The specified key does not exist`)
//! and be an HLL before the subcommand is even looked at:
//! - `GETREG`: the 16384 register values; a sparse HLL is converted to dense first (and
//!   stays so: a write, though Redis does not signal it to WATCH);
//! - `DECODE`: the sparse opcodes as text (`Z:8436 v:1,1 …`), an error when dense;
//! - `ENCODING`: `dense` or `sparse`;
//! - `TODENSE`: converts a sparse HLL to dense; 1 if it did, 0 if it was dense already.
//!
//! PFSELFTEST runs the self test of [`crate::hll::selftest`] and answers OK or the
//! failure (`-TESTFAILED …`).

use super::hyperloglog::{hll_for_change, Found};
use super::Ctx;
use crate::hll::{self, CORRUPT_ERROR};
use crate::resp::Reply;

/// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key.
pub(super) fn pfdebug(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let sub = argv[1].to_ascii_lowercase();
    let mut hll = match hll_for_change(ctx, &argv[2]) {
        Err(e) => return e,
        Ok(Found::Missing) => return Reply::error("ERR The specified key does not exist"),
        Ok(Found::Hll(hll)) => hll,
    };
    let sparse = hll::is_sparse(hll.bytes);
    match sub.as_slice() {
        b"getreg" => {
            if sparse && hll::to_dense(&mut hll).is_err() {
                return Reply::error(CORRUPT_ERROR);
            }
            let registers = hll::dense_registers(hll.bytes);
            if sparse {
                ctx.dirty(1);
            }
            Reply::Array(
                registers
                    .into_iter()
                    .map(|r| Reply::Integer(i64::from(r)))
                    .collect(),
            )
        }
        b"decode" => {
            if !sparse {
                return Reply::error("ERR HLL encoding is not sparse");
            }
            Reply::Bulk(hll::decode(hll.bytes, hll.sds.tail).into_bytes())
        }
        b"encoding" => Reply::simple(if sparse { "sparse" } else { "dense" }),
        b"todense" => {
            if !sparse {
                return Reply::Integer(0);
            }
            if hll::to_dense(&mut hll).is_err() {
                return Reply::error(CORRUPT_ERROR);
            }
            ctx.dirty(1);
            Reply::Integer(1)
        }
        _ => {
            let mut text = b"ERR Unknown PFDEBUG subcommand '".to_vec();
            text.extend_from_slice(super::c_str(&argv[1], usize::MAX));
            text.push(b'\'');
            Reply::error(text)
        }
    }
}

/// PFSELFTEST: OK when the self test passes.
pub(super) fn pfselftest(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    let seed = ctx.random_below(u64::MAX);
    match hll::selftest::run(seed, ctx.store.config.hll_sparse_max_bytes) {
        Ok(()) => Reply::ok(),
        Err(text) => Reply::error(text),
    }
}
