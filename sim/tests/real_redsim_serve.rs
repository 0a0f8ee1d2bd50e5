//! The counter-race claims against `redsim serve`, started in-process on a free port.

mod real_support;

use real_support::*;
use redsim::server::{ServeOptions, Server};
use redsim_sim::scenario::ScriptRun;

fn serve() -> Server {
    Server::start(ServeOptions {
        port: 0,
        ..ServeOptions::default()
    })
    .expect("redsim serve starts")
}

#[test]
fn raw_mode_on_redsim_serve_shows_counter_differing_from_cardinality() {
    let server = serve();
    let rates = raw_mode_shows_the_race(server.local_addr(), "redsim serve");
    println!("redsim serve raw anomaly rates per attempt: {rates:?}");
    server.shutdown();
}

#[test]
fn eval_mode_on_redsim_serve_shows_no_anomaly_over_the_same_ops() {
    let server = serve();
    eval_mode_shows_none(server.local_addr(), "redsim serve", ScriptRun::Eval);
    server.shutdown();
}
