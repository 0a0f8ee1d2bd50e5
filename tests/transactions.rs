//! MULTI / EXEC / WATCH against the engine, with the replies real Redis 7.0 gives.

use redsim::{Engine, ManualHost, Reply};

fn engine() -> Engine {
    Engine::new(ManualHost::default())
}

#[test]
fn exec_runs_queued_commands_in_order() {
    let mut e = engine();
    let c = e.connect();
    assert_eq!(e.call(c, &["MULTI"]), Reply::ok());
    assert_eq!(e.call(c, &["INCR", "n"]), Reply::simple("QUEUED"));
    assert_eq!(e.call(c, &["INCR", "n"]), Reply::simple("QUEUED"));
    assert_eq!(
        e.call(c, &["EXEC"]),
        Reply::Array(vec![Reply::Integer(1), Reply::Integer(2)])
    );
}

#[test]
fn queueing_error_aborts_exec() {
    let mut e = engine();
    let c = e.connect();
    e.call(c, &["MULTI"]);
    assert_eq!(
        e.call(c, &["NOSUCH", "x"]),
        Reply::error("ERR unknown command 'NOSUCH', with args beginning with: 'x' ")
    );
    assert_eq!(
        e.call(c, &["EXEC"]),
        Reply::error("EXECABORT Transaction discarded because of previous errors.")
    );
}

#[test]
fn watch_fails_exec_after_another_client_writes() {
    let mut e = engine();
    let (a, b) = (e.connect(), e.connect());
    e.call(a, &["WATCH", "n"]);
    e.call(b, &["INCR", "n"]);
    e.call(a, &["MULTI"]);
    e.call(a, &["INCR", "n"]);
    assert_eq!(e.call(a, &["EXEC"]), Reply::NullArray);
    assert_eq!(e.call(a, &["GET", "n"]), Reply::bulk("1"));
}

#[test]
fn exec_without_multi_and_nested_multi_are_refused() {
    let mut e = engine();
    let c = e.connect();
    assert_eq!(e.call(c, &["EXEC"]), Reply::error("ERR EXEC without MULTI"));
    e.call(c, &["MULTI"]);
    assert_eq!(
        e.call(c, &["MULTI"]),
        Reply::error("ERR MULTI calls can not be nested")
    );
    assert_eq!(
        e.call(c, &["WATCH", "k"]),
        Reply::error("ERR WATCH inside MULTI is not allowed")
    );
    assert_eq!(e.call(c, &["DISCARD"]), Reply::ok());
}
