//! INFO of an engine under simulation: no process, socket or machine state leaks into it,
//! so two engines given the same commands print the same INFO (a replayed run must see
//! the same replies), and CONFIG SET of a stored-only parameter reads back.

use redsim::{Engine, ManualHost, Reply};

fn info(e: &mut Engine, c: redsim::ClientId) -> String {
    match e.call(c, &["INFO", "everything"]) {
        Reply::Verbatim { text, .. } => String::from_utf8(text).unwrap(),
        other => panic!("{other:?}"),
    }
}

fn run() -> String {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    e.call(c, &["SET", "k", "v"]);
    e.call(c, &["EVAL", "return redis.call('GET', KEYS[1])", "1", "k"]);
    e.call(c, &["CONFIG", "SET", "timeout", "7"]);
    info(&mut e, c)
}

#[test]
fn simulated_info_is_a_function_of_the_commands_run() {
    let first = run();
    assert_eq!(first, run());
    assert!(first.contains("process_id:0\r\n"), "{first}");
    assert!(first.contains("number_of_cached_scripts:1\r\n"), "{first}");
}

#[test]
fn a_stored_only_parameter_reads_back_what_config_set_gave() {
    let mut e = Engine::new(ManualHost::default());
    let c = e.connect();
    assert_eq!(
        e.call(c, &["CONFIG", "SET", "min-replicas-to-write", "2"]),
        Reply::ok()
    );
    assert_eq!(
        e.call(c, &["CONFIG", "GET", "min-slaves-to-write"]),
        Reply::Map(vec![(Reply::bulk("min-slaves-to-write"), Reply::bulk("2"))])
    );
}
