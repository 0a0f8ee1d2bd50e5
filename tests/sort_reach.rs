//! What SORT reaches, for the simulator's commutation checks: the sorted key and the
//! STORE key, and with a BY / GET pattern any key at all (which keys the patterns name
//! depends on the data).

use redsim::access::Access;
use redsim::{Engine, ManualHost};

fn reach_of(engine: &mut Engine, argv: &[&str]) -> Access {
    let client = engine.connect();
    engine.store.access = Some(Access::default());
    engine.call(client, argv);
    engine.store.access.take().expect("access was recorded")
}

#[test]
fn sort_by_a_pattern_may_reach_any_key() {
    let mut engine = Engine::new(ManualHost::default());
    let client = engine.connect();
    engine.call(client, &["RPUSH", "l", "1", "2"]);
    assert!(reach_of(&mut engine, &["SORT", "l", "BY", "w_*"]).global);
    assert!(reach_of(&mut engine, &["SORT_RO", "l", "GET", "o_*->f"]).global);
}

#[test]
fn sort_without_patterns_reaches_its_keys_only() {
    let mut engine = Engine::new(ManualHost::default());
    let client = engine.connect();
    engine.call(client, &["RPUSH", "l", "1", "2"]);
    let access = reach_of(
        &mut engine,
        &["SORT", "l", "BY", "nosort", "GET", "#", "STORE", "d"],
    );
    assert!(!access.global);
    assert!(!access.reaches_keys_outside(&[(0, b"l"), (0, b"d")]));
    assert!(
        access.reaches_keys_outside(&[(0, b"l")]),
        "the STORE key is reached"
    );
}
