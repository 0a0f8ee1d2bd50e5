//! List commands that move an element between lists or pop from the first of several:
//! LMOVE, RPOPLPUSH, LMPOP, and what their blocking variants (`blocking.rs`) and ZMPOP
//! share with them (the LEFT/RIGHT word, the move, the `numkeys key… where [COUNT n]`
//! tail).

use super::args_range::long_in;
use super::list::pop_elements;
use super::typed::{self, db_and_config, keys_after_numkeys};
use super::{args, flags::*, CommandSpec, Ctx};
use crate::resp::{errors, Reply};
use crate::store::notify;

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("lmove", 5, WRITE | DENYOOM, lmove)
        .keys(1, 2, 1)
        .acl("write list slow"),
    CommandSpec::new("rpoplpush", 3, WRITE | DENYOOM, rpoplpush)
        .keys(1, 2, 1)
        .acl("write list slow"),
    CommandSpec::new(
        "lmpop",
        -4,
        WRITE | MOVABLEKEYS | TOUCHES_REPLIED_KEY,
        lmpop,
    )
    .key_finder(keys_after_numkeys)
    .acl("write list slow"),
];

/// LEFT or RIGHT (true for LEFT), else a syntax error.
pub fn side(arg: &[u8]) -> Result<bool, Reply> {
    if args::is(arg, "left") {
        Ok(true)
    } else if args::is(arg, "right") {
        Ok(false)
    } else {
        Err(Reply::error(errors::SYNTAX))
    }
}

/// Moves one element from one end of `src` to one end of `dst` (they may be the same
/// list, which then rotates). `None` when `src` is missing; WRONGTYPE when either key
/// holds another type (checked before anything moves).
pub fn move_element(
    ctx: &mut Ctx<'_>,
    src: &[u8],
    dst: &[u8],
    from_left: bool,
    to_left: bool,
) -> Result<Option<Vec<u8>>, Reply> {
    let now = ctx.now_ms;
    let (db, _) = db_and_config(ctx);
    if typed::list(db, src, now)?.is_none() {
        return Ok(None);
    }
    typed::list(db, dst, now)?;
    let element = match typed::list(db, src, now)? {
        Some(list) => {
            if from_left {
                list.pop_front()
            } else {
                list.pop_back()
            }
        }
        None => None,
    };
    let Some(element) = element else {
        return Ok(None);
    };
    let target = typed::list_or_create(db, dst, now)?;
    if to_left {
        target.push_front(element.clone());
    } else {
        target.push_back(element.clone());
    }
    typed::remove_if_empty(db, src, now);
    ctx.dirty(1);
    ctx.notify(notify::LIST, super::key_events::push_event(to_left), dst);
    super::key_events::notify_popped(ctx, src, from_left);
    Ok(Some(element))
}

/// LMOVE source destination LEFT|RIGHT LEFT|RIGHT: the element moved, nil when the
/// source is missing.
fn lmove(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let (from_left, to_left) = match (side(&argv[3]), side(&argv[4])) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    match move_element(ctx, &argv[1], &argv[2], from_left, to_left) {
        Ok(element) => Reply::bulk_or_null(element),
        Err(e) => e,
    }
}

/// RPOPLPUSH source destination: LMOVE source destination RIGHT LEFT.
fn rpoplpush(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    match move_element(ctx, &argv[1], &argv[2], false, true) {
        Ok(element) => Reply::bulk_or_null(element),
        Err(e) => e,
    }
}

/// The parsed tail of LMPOP/BLMPOP: `numkeys key… LEFT|RIGHT [COUNT count]`.
pub struct MpopArgs {
    pub keys: Vec<Vec<u8>>,
    pub left: bool,
    pub count: usize,
}

/// Parses `numkeys key… LEFT|RIGHT [COUNT count]` starting at argv[at] (Redis's
/// `lmpopGenericCommand`); `min_max` names the sides for ZMPOP (MIN|MAX).
pub fn parse_mpop(argv: &[Vec<u8>], at: usize, min_max: bool) -> Result<MpopArgs, Reply> {
    let numkeys = long_in(&argv[at], 1, i64::MAX, "numkeys should be greater than 0")?;
    let where_at = (at as i64).saturating_add(numkeys).saturating_add(1);
    if where_at >= argv.len() as i64 {
        return Err(Reply::error(errors::SYNTAX));
    }
    let where_at = where_at as usize;
    let left = if min_max {
        if args::is(&argv[where_at], "min") {
            true
        } else if args::is(&argv[where_at], "max") {
            false
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
    } else {
        side(&argv[where_at])?
    };
    let mut count = None;
    let mut j = where_at + 1;
    while j < argv.len() {
        if count.is_none() && args::is(&argv[j], "count") && j + 1 < argv.len() {
            count = Some(
                long_in(&argv[j + 1], 1, i64::MAX, "count should be greater than 0")? as usize,
            );
            j += 2;
        } else {
            return Err(Reply::error(errors::SYNTAX));
        }
    }
    Ok(MpopArgs {
        keys: argv[at + 1..where_at].to_vec(),
        left,
        count: count.unwrap_or(1),
    })
}

/// Pops from the first non-empty list of `keys`: `[key, [element…]]`, or `None` when
/// every key is missing; WRONGTYPE stops the scan at the first key of another type.
pub fn mpop_lists(ctx: &mut Ctx<'_>, parsed: &MpopArgs) -> Result<Option<Reply>, Reply> {
    let now = ctx.now_ms;
    for key in &parsed.keys {
        let db = ctx.db();
        if let Some(popped) = pop_elements(db, key, parsed.left, parsed.count, now)? {
            ctx.dirty(popped.len() as u64);
            super::key_events::notify_popped(ctx, key, parsed.left);
            return Ok(Some(Reply::Array(vec![
                Reply::Bulk(key.clone()),
                Reply::array_of_bulks(popped),
            ])));
        }
    }
    Ok(None)
}

/// LMPOP numkeys key… LEFT|RIGHT [COUNT count]: `[key, [element…]]` from the first
/// non-empty list, a null array when there is none.
fn lmpop(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> Reply {
    let parsed = match parse_mpop(argv, 1, false) {
        Ok(p) => p,
        Err(e) => return e,
    };
    match mpop_lists(ctx, &parsed) {
        Ok(Some(reply)) => reply,
        Ok(None) => Reply::NullArray,
        Err(e) => e,
    }
}
