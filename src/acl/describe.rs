//! How ACL LIST and ACL GETUSER write a selector's command rules back
//! (`ACLDescribeSelectorCommandRules`): `+@all` or `-@all`, then the categories that
//! fit best, then single commands for what is left.
//!
//! The categories are chosen greedily, each round taking the one with the fewest
//! differences from what is left to describe (more in common breaking ties), while it
//! has more in common than different. Redis lists the single commands in the order of
//! its command dict, which is seeded at random on every start; redsim lists them by
//! name (the set of rules is the same).

use super::selector::{Bits, Selector};
use super::universe::{universe, CATEGORIES};

/// How many commands in `bit`'s category `bits` allows (on) and refuses (off).
fn count(bits: &Bits, bit: u32) -> (usize, usize) {
    let mut on_off = (0, 0);
    for (id, command) in universe().commands.iter().enumerate() {
        if command.categories & bit != 0 {
            if bits.get(id) {
                on_off.0 += 1;
            } else {
                on_off.1 += 1;
            }
        }
    }
    on_off
}

/// The command rules of `selector`, space separated.
pub(crate) fn command_rules(selector: &Selector) -> Vec<u8> {
    let additive = !selector.future;
    let mut rules = vec![if additive {
        b"-@all".to_vec()
    } else {
        b"+@all".to_vec()
    }];
    let mut fake = Selector::new(false);
    fake.apply(&rules[0]).expect("a valid rule");
    // What is left to describe: each category applied is taken out of it.
    let mut left = selector.clone();
    let mut applied = [false; CATEGORIES.len()];
    loop {
        let mut best = None;
        let (mut min_diff, mut max_same) = (usize::MAX, 0);
        for (j, _) in CATEGORIES.iter().enumerate() {
            if applied[j] {
                continue;
            }
            let (on, off) = count(&left.allowed, 1 << j);
            let (diff, same) = if additive { (off, on) } else { (on, off) };
            if same > diff && (diff < min_diff || (diff == min_diff && same > max_same)) {
                best = Some(j);
                min_diff = diff;
                max_same = same;
            }
        }
        let Some(best) = best else { break };
        fake.change_category(1 << best, additive);
        left.change_category(1 << best, !additive);
        let sign = if additive { '+' } else { '-' };
        rules.push(format!("{sign}@{}", CATEGORIES[best]).into_bytes());
        applied[best] = true;
    }
    single_commands(selector, &mut fake, &mut rules);
    debug_assert_eq!(
        fake.allowed, selector.allowed,
        "ACL description must be exact"
    );
    rules.join(&b' ')
}

/// `ACLDescribeSelectorCommandRulesSingleCommands`: `+cmd` / `-cmd` where the rules so
/// far still differ, and the first arguments allowed of refused commands.
fn single_commands(selector: &Selector, fake: &mut Selector, rules: &mut Vec<Vec<u8>>) {
    let all = universe();
    let visit = |id: usize, fake: &mut Selector, rules: &mut Vec<Vec<u8>>| {
        let user_bit = selector.allowed.get(id);
        let name = &all.commands[id].full_name;
        if user_bit != fake.allowed.get(id) {
            rules.push(format!("{}{name}", if user_bit { '+' } else { '-' }).into_bytes());
            fake.change(id, user_bit);
        }
        user_bit
    };
    for &id in &all.top {
        let user_bit = visit(id, fake, rules);
        for &sub in &all.commands[id].subs {
            visit(sub, fake, rules);
        }
        if !user_bit {
            for arg in selector.first_args.get(&id).into_iter().flatten() {
                let name = &all.commands[id].full_name;
                let mut rule = format!("+{name}|").into_bytes();
                rule.extend_from_slice(arg);
                rules.push(rule);
            }
        }
    }
}
