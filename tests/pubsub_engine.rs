//! Pub/sub inside the engine, without a network: who receives what (the frames left in
//! `Store::deliveries` for the server to send), the client's own messages in its reply
//! stream, RESP2 subscriber mode, keyspace events, and cleanup on disconnect.

use redsim::resp::encode;
use redsim::{Engine, ManualHost, Protocol, Reply};

fn bulk(s: &str) -> Reply {
    Reply::Bulk(s.as_bytes().to_vec())
}

fn push(items: &[&str]) -> Reply {
    Reply::Push(items.iter().map(|s| bulk(s)).collect())
}

#[test]
fn a_message_goes_to_the_channel_then_to_the_patterns_subscribers() {
    let mut engine = Engine::new(ManualHost::default());
    let (a, b, publisher) = (engine.connect(), engine.connect(), engine.connect());
    engine.call(a, &["SUBSCRIBE", "news"]);
    engine.call(b, &["PSUBSCRIBE", "n*"]);
    engine.call(a, &["PSUBSCRIBE", "n*"]);
    assert_eq!(
        engine.call(publisher, &["PUBLISH", "news", "hi"]),
        Reply::Integer(3)
    );
    let deliveries = std::mem::take(&mut engine.store.deliveries);
    assert_eq!(
        deliveries,
        vec![
            (a, push(&["message", "news", "hi"])),
            (b, push(&["pmessage", "n*", "news", "hi"])),
            (a, push(&["pmessage", "n*", "news", "hi"])),
        ]
    );
    assert_eq!(
        engine.call(publisher, &["PUBLISH", "other", "x"]),
        Reply::Integer(0)
    );
    assert!(engine.store.deliveries.is_empty());
}

#[test]
fn subscribing_answers_one_frame_per_channel_with_the_running_count() {
    let mut engine = Engine::new(ManualHost::default());
    let c = engine.connect();
    let reply = engine.execute_encoded(c, &[b"SUBSCRIBE".to_vec(), b"a".to_vec(), b"b".to_vec()]);
    assert_eq!(
        reply,
        b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
    );
    let refused = engine.call(c, &["GET", "k"]);
    assert_eq!(
        refused,
        Reply::error(
            "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
        )
    );
    assert_eq!(
        engine.call(c, &["PING"]),
        Reply::Array(vec![bulk("pong"), bulk("")])
    );
    engine.call(c, &["UNSUBSCRIBE"]);
    assert_eq!(engine.call(c, &["PING"]), Reply::simple("PONG"));
}

#[test]
fn a_resp3_subscriber_gets_its_own_message_before_the_reply() {
    let mut engine = Engine::new(ManualHost::default());
    let c = engine.connect();
    engine.store.session_mut(c).protocol = Protocol::Resp3;
    engine.call(c, &["SUBSCRIBE", "me"]);
    let reply = engine.call(c, &["PUBLISH", "me", "hello"]);
    assert_eq!(
        reply,
        Reply::Frames(vec![push(&["message", "me", "hello"]), Reply::Integer(1)])
    );
    assert_eq!(
        encode(&reply, Protocol::Resp3),
        b">3\r\n$7\r\nmessage\r\n$2\r\nme\r\n$5\r\nhello\r\n:1\r\n"
    );
    assert!(engine.store.deliveries.is_empty());
}

#[test]
fn keyspace_events_follow_the_configured_classes() {
    let mut engine = Engine::new(ManualHost::default());
    let (sub, writer) = (engine.connect(), engine.connect());
    engine.call(sub, &["PSUBSCRIBE", "__key*__:*"]);
    engine.call(writer, &["SET", "k", "v"]);
    assert!(
        engine.store.deliveries.is_empty(),
        "events are off by default"
    );
    engine.call(writer, &["CONFIG", "SET", "notify-keyspace-events", "El"]);
    engine.call(writer, &["SET", "k", "v"]);
    engine.call(writer, &["RPUSH", "l", "a"]);
    engine.call(writer, &["RPOP", "l"]);
    let events: Vec<Reply> = std::mem::take(&mut engine.store.deliveries)
        .into_iter()
        .map(|(to, frame)| {
            assert_eq!(to, sub);
            frame
        })
        .collect();
    assert_eq!(
        events,
        vec![
            push(&["pmessage", "__key*__:*", "__keyevent@0__:rpush", "l"]),
            push(&["pmessage", "__key*__:*", "__keyevent@0__:rpop", "l"]),
        ],
        "only list events, only on __keyevent@ (the del of the emptied list is generic)"
    );
}

#[test]
fn a_closed_or_reset_connection_listens_to_nothing() {
    let mut engine = Engine::new(ManualHost::default());
    let (a, b, other) = (engine.connect(), engine.connect(), engine.connect());
    engine.call(a, &["SUBSCRIBE", "c"]);
    engine.call(b, &["SUBSCRIBE", "c"]);
    engine.call(b, &["PSUBSCRIBE", "*"]);
    engine.disconnect(a);
    assert_eq!(
        engine.call(other, &["PUBSUB", "NUMSUB", "c"]),
        Reply::Array(vec![bulk("c"), Reply::Integer(1)])
    );
    engine.call(b, &["RESET"]);
    assert_eq!(
        engine.call(other, &["PUBLISH", "c", "x"]),
        Reply::Integer(0)
    );
    assert_eq!(engine.call(other, &["PUBSUB", "NUMPAT"]), Reply::Integer(0));
}
