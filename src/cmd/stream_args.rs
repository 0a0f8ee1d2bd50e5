//! What the stream commands share: reading IDs with Redis's errors, the stream under a
//! key, XADD's and XTRIM's trimming options (`streamParseAddOrTrimArgsOrReply`), and
//! the `[id, [field, value…]]` shape of an entry in replies.

use super::typed::wrongtype;
use super::Ctx;
use crate::db::{parse_id, Db, IdRules, NodeEntry, NodeLimits, Stream, StreamId, TrimTo, Value};
use crate::resp::{errors, Reply};

pub(crate) const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";

/// An ID where `-` and `+` are refused (`streamParseStrictIDOrReply`).
pub(crate) fn strict_id(arg: &[u8]) -> Result<StreamId, Reply> {
    id_with(arg, true, 0)
}

fn id_with(arg: &[u8], strict: bool, missing_seq: u64) -> Result<StreamId, Reply> {
    let rules = IdRules {
        strict,
        missing_seq,
        seq_may_be_star: false,
    };
    parse_id(arg, rules)
        .map(|(id, _)| id)
        .ok_or_else(|| Reply::error(INVALID_ID))
}

/// An ID where `-` and `+` are the ends (`streamParseIDOrReply`).
pub(crate) fn loose_id(arg: &[u8], missing_seq: u64) -> Result<StreamId, Reply> {
    id_with(arg, false, missing_seq)
}

/// A range bound (`streamParseIntervalIDOrReply`): `(id` excludes the ID, so the
/// start moves to the next ID and the end to the previous one.
pub(crate) fn interval_start(arg: &[u8]) -> Result<StreamId, Reply> {
    if arg.len() > 1 && arg[0] == b'(' {
        let id = strict_id(&arg[1..])?;
        id.next()
            .ok_or_else(|| Reply::error("ERR invalid start ID for the interval"))
    } else {
        loose_id(arg, 0)
    }
}

/// The end of a range (a missing sequence means the last of that millisecond).
pub(crate) fn interval_end(arg: &[u8]) -> Result<StreamId, Reply> {
    if arg.len() > 1 && arg[0] == b'(' {
        let id = id_with(&arg[1..], true, u64::MAX)?;
        id.prev()
            .ok_or_else(|| Reply::error("ERR invalid end ID for the interval"))
    } else {
        loose_id(arg, u64::MAX)
    }
}

/// The stream under `key`: `None` when missing, WRONGTYPE for another type.
pub(crate) fn stream<'a>(
    db: &'a mut Db,
    key: &[u8],
    now_ms: u64,
) -> Result<Option<&'a mut Stream>, Reply> {
    match db.get_mut(key, now_ms) {
        None => Ok(None),
        Some(Value::Stream(s)) => Ok(Some(s)),
        Some(_) => Err(wrongtype()),
    }
}

/// The node-splitting limits of the configuration in force.
pub(crate) fn node_limits(ctx: &Ctx<'_>) -> NodeLimits {
    NodeLimits {
        max_bytes: ctx.store.config.stream_node_max_bytes,
        max_entries: ctx.store.config.stream_node_max_entries,
    }
}

/// `[id, [field, value, …]]`.
pub(crate) fn entry_reply(entry: &NodeEntry) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(entry.id.to_bytes()),
        Reply::array_of_bulks(entry.pairs.iter().cloned()),
    ])
}

/// A stream ID as a bulk reply.
pub(crate) fn id_reply(id: StreamId) -> Reply {
    Reply::Bulk(id.to_bytes())
}

/// `getLongLongFromObjectOrReply` with an optional message of its own.
pub(crate) fn long(arg: &[u8], msg: Option<&str>) -> Result<i64, Reply> {
    super::args::parse_i64(arg).ok_or_else(|| match msg {
        Some(m) => Reply::error(format!("ERR {m}")),
        None => Reply::error(errors::NOT_INTEGER),
    })
}

/// XADD's and XTRIM's options.
#[derive(Clone, Debug, Default)]
pub(crate) struct AddTrimArgs {
    /// XADD's explicit ID and whether its sequence was given (`ms-*` gives `false`).
    pub(crate) id: Option<(StreamId, bool)>,
    pub(crate) no_mkstream: bool,
    pub(crate) trim: Option<TrimTo>,
    pub(crate) approx: bool,
    /// Entries that trimming may remove (0: no limit).
    pub(crate) limit: u64,
    /// Where XADD's ID is (its fields follow).
    pub(crate) id_pos: usize,
}

/// Parses the options of XADD (`xadd`) or XTRIM, in Redis's order and with its errors.
pub(crate) fn add_trim_args(
    argv: &[Vec<u8>],
    xadd: bool,
    max_entries: i64,
) -> Result<AddTrimArgs, Reply> {
    let mut args = AddTrimArgs::default();
    let mut limit: i64 = 0;
    let mut limit_given = false;
    let incompatible = || {
        Reply::error(
            "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
        )
    };
    let mut i = 2;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        let opt = &argv[i];
        let next_is = |c: u8| more >= 2 && argv[i + 1] == [c];
        if xadd && opt == b"*" {
            break;
        } else if (opt.eq_ignore_ascii_case(b"maxlen") || opt.eq_ignore_ascii_case(b"minid"))
            && more > 0
        {
            if args.trim.is_some() {
                return Err(incompatible());
            }
            // An optional `~` (approximate) or `=` between the strategy and its argument.
            args.approx = false;
            if next_is(b'~') {
                args.approx = true;
                i += 1;
            } else if next_is(b'=') {
                i += 1;
            }
            args.trim = Some(if opt.eq_ignore_ascii_case(b"maxlen") {
                let max = long(&argv[i + 1], None)?;
                if max < 0 {
                    return Err(Reply::error("ERR The MAXLEN argument must be >= 0."));
                }
                TrimTo::MaxLen(max as u64)
            } else {
                TrimTo::MinId(strict_id(&argv[i + 1])?)
            });
            i += 1;
        } else if opt.eq_ignore_ascii_case(b"limit") && more > 0 {
            limit = long(&argv[i + 1], None)?;
            if limit < 0 {
                return Err(Reply::error("ERR The LIMIT argument must be >= 0."));
            }
            limit_given = true;
            i += 1;
        } else if xadd && opt.eq_ignore_ascii_case(b"nomkstream") {
            args.no_mkstream = true;
        } else if xadd {
            let rules = IdRules {
                strict: true,
                missing_seq: 0,
                seq_may_be_star: true,
            };
            args.id = Some(parse_id(opt, rules).ok_or_else(|| Reply::error(INVALID_ID))?);
            break;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
        i += 1;
    }
    args.id_pos = i;
    if limit != 0 && args.trim.is_none() {
        return Err(Reply::error(
            "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ));
    }
    if !xadd && args.trim.is_none() {
        return Err(Reply::error(
            "ERR syntax error, XTRIM must be called with a trimming strategy",
        ));
    }
    if limit_given {
        if !args.approx {
            return Err(Reply::error(
                "ERR syntax error, LIMIT cannot be used without the special ~ option",
            ));
        }
        args.limit = limit as u64;
    } else if args.approx {
        // At most 100 nodes' worth of work, capped both ways.
        let mut default = max_entries.saturating_mul(100);
        if default <= 0 {
            default = 10_000;
        }
        args.limit = default.min(1_000_000) as u64;
    }
    Ok(args)
}
