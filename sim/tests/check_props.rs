//! Property tests of the checker. Case counts are small by default; set
//! `REDSIM_PROPTEST_CASES` for more.

use proptest::prelude::*;
use redsim::Reply;
use redsim_sim::check::{check_with, gen, models, replies_match, Options, SequentialSpec, Verdict};
use redsim_sim::history::{History, Status};

fn cases() -> u32 {
    std::env::var("REDSIM_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

fn verdict<M: SequentialSpec>(model: &mut M, history: &History) -> Verdict {
    check_with(
        history,
        model,
        &Options {
            counterexample: false,
            ..Options::default()
        },
    )
    .expect("checkable")
    .verdict
}

/// Every order of the ops consistent with real time, each unknown op taken or not:
/// is one of them accepted by `model`? Exponential; for tiny histories only.
fn brute_force<M: SequentialSpec>(model: &mut M, history: &History) -> bool {
    let ops: Vec<usize> = (0..history.ops.len())
        .filter(|&i| history.ops[i].status != Status::Fail)
        .collect();
    let init = model.init();
    explore(model, history, &ops, init)
}

fn explore<M: SequentialSpec>(
    model: &mut M,
    history: &History,
    remaining: &[usize],
    state: M::State,
) -> bool {
    if remaining
        .iter()
        .all(|&i| history.ops[i].status == Status::Unknown)
    {
        return true;
    }
    let ret = |i: usize| match history.ops[i].status {
        Status::Ok => history.ops[i].ret.unwrap_or(u64::MAX),
        _ => u64::MAX,
    };
    let horizon = remaining.iter().map(|&i| ret(i)).min().unwrap_or(u64::MAX);
    for (k, &i) in remaining.iter().enumerate() {
        let op = &history.ops[i];
        if op.call > horizon {
            continue;
        }
        let (next, reply) = model.step(&state, &op.op);
        let next = next.unwrap_or_else(|| state.clone());
        let fits =
            op.status != Status::Ok || op.result.as_ref().is_none_or(|o| replies_match(&reply, o));
        if fits {
            let rest: Vec<usize> = remaining
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != k)
                .map(|(_, &x)| x)
                .collect();
            if explore(model, history, &rest, next) {
                return true;
            }
        }
    }
    false
}

/// Changes the observed result of the `pick`-th op that has one.
fn mutate(history: &mut History, pick: usize, delta: i64) -> bool {
    let with_result: Vec<usize> = (0..history.ops.len())
        .filter(|&i| history.ops[i].status == Status::Ok && history.ops[i].result.is_some())
        .collect();
    if with_result.is_empty() {
        return false;
    }
    let i = with_result[pick % with_result.len()];
    let changed = match history.ops[i].result.take() {
        Some(Reply::Integer(n)) => Reply::Integer(n + delta),
        Some(Reply::Bulk(b)) => match std::str::from_utf8(&b)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
        {
            Some(n) => Reply::Bulk((n + delta).to_string().into_bytes()),
            None => Reply::Null,
        },
        Some(Reply::Null) => Reply::Bulk(delta.abs().to_string().into_bytes()),
        other => other.unwrap_or(Reply::Null),
    };
    history.ops[i].result = Some(changed);
    true
}

fn engine_knows(names: &[&str]) -> bool {
    names
        .iter()
        .all(|n| redsim::cmd::lookup(n.as_bytes()).is_some())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn histories_of_atomic_executions_are_linearizable(
        seed in any::<u64>(), clients in 1usize..6, ops in 1usize..60, unknown in 0.0f64..0.3,
    ) {
        let plan = gen::counter_plan(seed, ops, clients, 3, unknown);
        let history = gen::execute(&mut models::CounterModel, &plan);
        prop_assert_eq!(verdict(&mut models::CounterModel, &history), Verdict::Linearizable);
        prop_assert_eq!(verdict(&mut models::EngineModel::new(), &history), Verdict::Linearizable);
        let plan = gen::kv_plan(seed, ops, clients, 3, unknown);
        let history = gen::execute(&mut models::KvModel, &plan);
        prop_assert_eq!(verdict(&mut models::KvModel, &history), Verdict::Linearizable);
        let plan = gen::register_plan(seed, ops, clients, unknown);
        let history = gen::execute(&mut models::RegisterModel, &plan);
        prop_assert_eq!(verdict(&mut models::RegisterModel, &history), Verdict::Linearizable);
    }

    #[test]
    fn the_checker_agrees_with_brute_force_on_tiny_histories(
        seed in any::<u64>(), clients in 1usize..5, ops in 1usize..9, unknown in 0.0f64..0.4,
        mutated in any::<bool>(), pick in 0usize..8, delta in prop_oneof![Just(-1i64), Just(1i64), Just(2i64)],
    ) {
        let plan = gen::counter_plan(seed, ops, clients, 2, unknown);
        let mut history = gen::execute(&mut models::CounterModel, &plan);
        if mutated {
            mutate(&mut history, pick, delta);
        }
        let expected = if brute_force(&mut models::CounterModel, &history) {
            Verdict::Linearizable
        } else {
            Verdict::NotLinearizable
        };
        prop_assert_eq!(verdict(&mut models::CounterModel, &history), expected);
        prop_assert_eq!(verdict(&mut models::EngineModel::new(), &history), expected);
        // Busy clients: every op overlaps others.
        let workload = gen::Workload { clients, ops, unknown_writes: unknown, duration_max: 20, pause_max: 2 };
        let plan = gen::register_workload(seed, &workload);
        let mut history = gen::execute(&mut models::RegisterModel, &plan);
        if mutated {
            mutate(&mut history, pick, delta);
        }
        let expected = if brute_force(&mut models::RegisterModel, &history) {
            Verdict::Linearizable
        } else {
            Verdict::NotLinearizable
        };
        prop_assert_eq!(verdict(&mut models::RegisterModel, &history), expected);
    }

    #[test]
    fn a_changed_result_is_caught_where_it_is_detectable(
        seed in any::<u64>(), clients in 1usize..6, ops in 2usize..40, pick in 0usize..64,
    ) {
        // An INCR reply or a read far above anything the history could reach can never be
        // explained, so the change is always detectable.
        let plan = gen::counter_plan(seed, ops, clients, 2, 0.1);
        let mut history = gen::execute(&mut models::CounterModel, &plan);
        prop_assume!(mutate(&mut history, pick, 1_000_000));
        let changed = history.ops.iter().any(|o| matches!(&o.result,
            Some(Reply::Integer(n)) if *n >= 999_000) || matches!(&o.result, Some(Reply::Bulk(b)) if b.len() >= 6));
        prop_assume!(changed);
        prop_assert_eq!(verdict(&mut models::CounterModel, &history), Verdict::NotLinearizable);
        prop_assert_eq!(verdict(&mut models::EngineModel::new(), &history), Verdict::NotLinearizable);
    }

    #[test]
    fn engine_and_hand_models_agree_on_every_generated_history(
        seed in any::<u64>(), clients in 1usize..6, ops in 1usize..50, unknown in 0.0f64..0.3,
        mutated in any::<bool>(), pick in 0usize..64, delta in prop_oneof![Just(-1i64), Just(1i64)],
    ) {
        let plan = gen::counter_plan(seed, ops, clients, 3, unknown);
        let mut history = gen::execute(&mut models::EngineModel::new(), &plan);
        if mutated {
            mutate(&mut history, pick, delta);
        }
        prop_assert_eq!(verdict(&mut models::EngineModel::new(), &history), verdict(&mut models::CounterModel, &history));
        if engine_knows(&["append"]) {
            let plan = gen::kv_plan(seed, ops, clients, 3, unknown);
            let mut history = gen::execute(&mut models::KvModel, &plan);
            if mutated {
                mutate(&mut history, pick, delta);
            }
            prop_assert_eq!(verdict(&mut models::EngineModel::new(), &history), verdict(&mut models::KvModel, &history));
        }
        if models::EngineModel::has_eval() {
            let plan = gen::register_plan(seed, ops, clients, unknown);
            let mut history = gen::execute(&mut models::RegisterModel, &plan);
            if mutated {
                mutate(&mut history, pick, delta);
            }
            prop_assert_eq!(verdict(&mut models::EngineModel::new(), &history), verdict(&mut models::RegisterModel, &history));
        }
    }
}
