//! `redsim serve` with `cluster_enabled` (`redsim serve --cluster-enabled yes`): the
//! server is a cluster node from its start, reached on its own port.

mod support;

use redsim::server::ServeOptions;
use support::serve::{argv, raw, start_with};

#[test]
fn a_cluster_enabled_server_is_a_node_on_its_port() {
    let server = start_with(ServeOptions {
        port: 0,
        cluster_enabled: true,
        ..ServeOptions::default()
    });
    let port = server.local_addr().port();
    let mut conn = raw(&server);
    let id = conn.call(&argv(&["CLUSTER", "MYID"]));
    let id = String::from_utf8_lossy(&id)
        .lines()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    assert_eq!(id.len(), 40);
    assert!(id
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    let nodes = conn.call(&argv(&["CLUSTER", "NODES"]));
    let line = format!(
        "{id} :{port}@{} myself,master - 0 0 0 connected\n",
        port as u32 + 10000
    );
    let expected = format!("${}\r\n{line}\r\n", line.len());
    assert_eq!(String::from_utf8_lossy(&nodes), expected);
    let enabled = conn.call(&argv(&["CONFIG", "GET", "cluster-enabled"]));
    assert_eq!(enabled, b"*2\r\n$15\r\ncluster-enabled\r\n$3\r\nyes\r\n");
    let select = conn.call(&argv(&["SELECT", "1"]));
    assert_eq!(select, b"-ERR SELECT is not allowed in cluster mode\r\n");
    let get = conn.call(&argv(&["GET", "k"]));
    assert_eq!(get, b"-CLUSTERDOWN Hash slot not served\r\n");
}

#[test]
fn a_plain_server_has_cluster_support_disabled() {
    let server = start_with(ServeOptions {
        port: 0,
        ..ServeOptions::default()
    });
    let mut conn = raw(&server);
    let reply = conn.call(&argv(&["CLUSTER", "INFO"]));
    assert_eq!(
        reply,
        b"-ERR This instance has cluster support disabled\r\n"
    );
    let reply = conn.call(&argv(&["READONLY"]));
    assert_eq!(
        reply,
        b"-ERR This instance has cluster support disabled\r\n"
    );
}
