//! LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common
//! subsequence of two strings, computed as Redis's `lcsCommand` does (the same dynamic
//! programming table and the same backtracking, so ties resolve to the same answer).

use super::{args, Ctx};
use crate::db::Value;
use crate::resp::{errors, Reply};

/// Refuse tables bigger than this many cells (Redis would try to allocate them).
const MAX_CELLS: u64 = 512 * 1024 * 1024 / 4;

fn string_of(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Vec<u8>, ()> {
    let now = ctx.now_ms;
    match ctx.db().get(key, now) {
        None => Ok(Vec::new()),
        Some(Value::Str(s)) => Ok(s.clone()),
        Some(_) => Err(()),
    }
}

pub fn lcs(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let (a, b) = match (string_of(ctx, &argv[1]), string_of(ctx, &argv[2])) {
        (Ok(a), Ok(b)) => (a, b),
        _ => return Reply::error("ERR The specified keys must contain string values"),
    };
    let (mut get_idx, mut get_len, mut with_match_len) = (false, false, false);
    let mut min_match_len: i64 = 0;
    let mut j = 3;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if args::is(&argv[j], "IDX") {
            get_idx = true;
        } else if args::is(&argv[j], "LEN") {
            get_len = true;
        } else if args::is(&argv[j], "WITHMATCHLEN") {
            with_match_len = true;
        } else if args::is(&argv[j], "MINMATCHLEN") && more > 0 {
            min_match_len = match args::int(&argv[j + 1]) {
                Ok(n) => n.max(0),
                Err(e) => return e,
            };
            j += 1;
        } else {
            return Reply::error(errors::SYNTAX);
        }
        j += 1;
    }
    if get_idx && get_len {
        return Reply::error("ERR If you want both the length and indexes, please just use IDX.");
    }
    let (alen, blen) = (a.len(), b.len());
    if (alen as u64 + 1) * (blen as u64 + 1) > MAX_CELLS {
        return Reply::error(
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
        );
    }
    let width = blen + 1;
    let mut table = vec![0u32; (alen + 1) * width];
    for i in 1..=alen {
        for k in 1..=blen {
            table[i * width + k] = if a[i - 1] == b[k - 1] {
                table[(i - 1) * width + k - 1] + 1
            } else {
                table[(i - 1) * width + k].max(table[i * width + k - 1])
            };
        }
    }
    let lcs_len = table[alen * width + blen] as usize;
    if get_len && !get_idx {
        return Reply::Integer(lcs_len as i64);
    }
    let mut result = vec![0u8; lcs_len];
    let mut idx = lcs_len;
    let mut matches = Vec::new();
    let (mut i, mut k) = (alen, blen);
    // A range [start, end] in a and b; `a_start == alen` means no range is open.
    let (mut a_start, mut a_end, mut b_start, mut b_end) = (alen, 0usize, 0usize, 0usize);
    while i > 0 && k > 0 {
        let mut emit = false;
        if a[i - 1] == b[k - 1] {
            result[idx - 1] = a[i - 1];
            if a_start == alen {
                a_start = i - 1;
                a_end = i - 1;
                b_start = k - 1;
                b_end = k - 1;
            } else if a_start == i && b_start == k {
                a_start -= 1;
                b_start -= 1;
            } else {
                emit = true;
            }
            if a_start == 0 || b_start == 0 {
                emit = true;
            }
            idx -= 1;
            i -= 1;
            k -= 1;
        } else {
            let up = table[(i - 1) * width + k];
            let left = table[i * width + k - 1];
            if up > left {
                i -= 1;
            } else {
                k -= 1;
            }
            if a_start != alen {
                emit = true;
            }
        }
        let match_len = (a_end as i64) - (a_start as i64) + 1;
        if emit {
            if get_idx && (min_match_len == 0 || match_len >= min_match_len) {
                let mut item = vec![
                    Reply::Array(vec![
                        Reply::Integer(a_start as i64),
                        Reply::Integer(a_end as i64),
                    ]),
                    Reply::Array(vec![
                        Reply::Integer(b_start as i64),
                        Reply::Integer(b_end as i64),
                    ]),
                ];
                if with_match_len {
                    item.push(Reply::Integer(match_len));
                }
                matches.push(Reply::Array(item));
            }
            a_start = alen;
        }
    }
    if get_idx {
        Reply::Map(vec![
            (Reply::bulk("matches"), Reply::Array(matches)),
            (Reply::bulk("len"), Reply::Integer(lcs_len as i64)),
        ])
    } else {
        Reply::Bulk(result)
    }
}
