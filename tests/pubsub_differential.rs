//! Pub/sub over real connections, the same conversations with redis-server 7.0.15 and
//! with `redsim serve`: every byte each connection receives — (un)subscribe frames,
//! `message` / `pmessage` / `smessage` pushes to other clients and to the publisher
//! itself, RESP2 subscriber mode, RESP3 push frames, keyspace notifications — must be
//! equal. The golden corpus cannot show this (its recorder reads one reply per command,
//! from one client at a time).
//!
//! After each step every connection not inside MULTI is sent `PING <token>`: a server
//! answers it after everything it wrote to that connection before, so the bytes up to
//! its answer are exactly what the step made the server send there, with no timing.
//! The tokens are part of the transcript (the PING answers differ in subscriber mode).

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use support::serve;
use support::{encode_request, escape, redis_server_available, RedisServer};

struct Conn {
    stream: TcpStream,
    in_multi: bool,
}

impl Conn {
    fn connect(port: u16) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        stream.set_nodelay(true).ok();
        Conn {
            stream,
            in_multi: false,
        }
    }

    /// Reads until the bytes end with `end`; panics after 10 s without data.
    fn read_until(&mut self, end: &[u8]) -> Vec<u8> {
        let mut got = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        // Bounded: each read waits at most 10 s, and a conversation is small.
        for _ in 0..10_000 {
            if got.ends_with(end) {
                return got;
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => got.extend_from_slice(&chunk[..n]),
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut =>
                {
                    panic!("waiting for {}; got {}", escape(end), escape(&got))
                }
                // Closed by the server (CLIENT KILL).
                Err(_) => break,
            }
        }
        got
    }
}

/// Splits a line into words; `'…'` groups words with spaces.
fn words(line: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('\'') {
            let end = quoted.find('\'').expect("closing quote");
            out.push(quoted.as_bytes()[..end].to_vec());
            rest = quoted[end + 1..].trim_start();
        } else {
            let end = rest.find(' ').unwrap_or(rest.len());
            out.push(rest.as_bytes()[..end].to_vec());
            rest = rest[end..].trim_start();
        }
    }
    out
}

/// Runs a conversation on `port`: each line is `<connection> <command…>`, or
/// `sleep <ms>`. Returns the transcript.
fn converse(port: u16, clients: usize, script: &str) -> Vec<String> {
    let mut conns: Vec<Conn> = (0..clients).map(|_| Conn::connect(port)).collect();
    let mut transcript = Vec::new();
    let mut token = 0;
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(ms) = line.strip_prefix("sleep ") {
            std::thread::sleep(Duration::from_millis(ms.parse().expect("ms")));
            continue;
        }
        let (who, command) = line.split_once(' ').expect("<connection> <command>");
        let c: usize = who.parse().expect("connection number");
        let argv = words(command);
        // A killed connection's writes fail; what it then receives (nothing) is recorded.
        let _ = conns[c].stream.write_all(&encode_request(&argv));
        let name = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
        match name.as_str() {
            "multi" => conns[c].in_multi = true,
            "exec" | "discard" => conns[c].in_multi = false,
            _ => {}
        }
        transcript.push(format!("{c} > {command}"));
        if name == "quit" {
            let rest = conns[c].read_until(b"+OK\r\n");
            transcript.push(format!("{c} < {}", escape(&rest)));
            conns[c] = Conn::connect(port);
            continue;
        }
        // The commanding connection first: once its command has answered, whatever it
        // published is on its way to the others before their PING.
        let order = std::iter::once(c).chain((0..clients).filter(|&i| i != c));
        for i in order {
            let conn = &mut conns[i];
            if conn.in_multi && i != c {
                continue;
            }
            if conn.in_multi {
                // Its reply is +QUEUED or an error; nothing else comes.
                let got = conn.read_until(b"\r\n");
                transcript.push(format!("  {i} < {}", escape(&got)));
                continue;
            }
            token += 1;
            let mark = format!("t{token}!");
            let ping = encode_request(&[b"PING".to_vec(), mark.clone().into_bytes()]);
            let _ = conn.stream.write_all(&ping);
            let got = conn.read_until(format!("{mark}\r\n").as_bytes());
            transcript.push(format!("  {i} < {}", without_client_id(&escape(&got))));
        }
    }
    transcript
}

/// HELLO's `id` field, which differs between servers, as `:ID`.
fn without_client_id(text: &str) -> String {
    let field = "$2\\r\\nid\\r\\n:";
    match text.find(field) {
        Some(at) => {
            let digits_at = at + field.len();
            let digits = text[digits_at..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(text.len() - digits_at);
            format!("{}ID{}", &text[..digits_at], &text[digits_at + digits..])
        }
        None => text.to_string(),
    }
}

/// The conversation against both servers; panics with the first difference.
fn same_on_both(clients: usize, script: &str) {
    let redsim = serve::start();
    let ours = converse(redsim.local_addr().port(), clients, script);
    if !redis_server_available() {
        eprintln!("SKIP comparison: redis-server is not installed (redsim side ran)");
        return;
    }
    let real = RedisServer::start();
    let theirs = converse(real.port, clients, script);
    for (i, (want, got)) in theirs.iter().zip(&ours).enumerate() {
        assert_eq!(
            want,
            got,
            "step {i} differs\ncontext:\n{}",
            theirs[i.saturating_sub(4)..=i].join("\n")
        );
    }
    assert_eq!(theirs.len(), ours.len());
}

#[test]
fn resp2_subscriber_mode_matches_redis() {
    same_on_both(
        3,
        "
        0 SUBSCRIBE news sport
        0 PSUBSCRIBE n*
        0 GET k
        0 CONFIG GET maxmemory
        0 PING
        0 PING hello
        1 PUBLISH news 'hello world'
        1 PUBLISH sport goal
        1 PUBLISH nothing x
        1 PUBLISH weather rain
        1 PUBSUB NUMSUB news sport weather
        1 PUBSUB NUMPAT
        1 PUBSUB CHANNELS n*
        2 SUBSCRIBE news
        1 PUBLISH news again
        1 PUBSUB NUMSUB news
        0 UNSUBSCRIBE sport nope
        0 PUNSUBSCRIBE
        0 PUNSUBSCRIBE
        1 PUBLISH nothing y
        0 UNSUBSCRIBE
        0 UNSUBSCRIBE
        0 GET k
        2 RESET
        2 GET k
        1 PUBLISH news nobody
        1 PUBSUB NUMSUB news
        0 SUBSCRIBE a
        0 QUIT
        sleep 50
        1 PUBLISH a gone
        1 PUBSUB NUMSUB a
        1 PUBSUB NUMPAT
        ",
    );
}

#[test]
fn resp3_push_frames_match_redis() {
    same_on_both(
        2,
        "
        0 HELLO 3
        0 SUBSCRIBE me
        0 SET k v
        0 GET k
        0 PUBLISH me myself
        0 EVAL 'redis.call(\"publish\", \"me\", \"from a script\") return 7' 0
        0 MULTI
        0 PUBLISH me in-exec
        0 SUBSCRIBE two three
        0 GET k
        0 SSUBSCRIBE shard
        0 EXEC
        0 PSUBSCRIBE t*
        1 PUBLISH two both
        1 PUBLISH three 3
        0 SSUBSCRIBE s1 s2
        1 SPUBLISH s1 sharded
        1 SPUBLISH shard none
        1 PUBSUB SHARDCHANNELS *1
        1 PUBSUB SHARDNUMSUB s1 s2 s3
        1 PUBSUB SHARDCHANNELS s[2]
        0 SUNSUBSCRIBE s1
        0 SUNSUBSCRIBE
        0 SUNSUBSCRIBE
        0 PUNSUBSCRIBE t* other
        0 UNSUBSCRIBE me
        0 PING
        0 RESET
        0 PING
        1 PUBLISH me after-reset
        ",
    );
}

#[test]
fn subscribe_refusals_match_redis() {
    same_on_both(
        2,
        "
        0 EVAL 'return redis.call(\"subscribe\", \"x\")' 0
        0 EVAL 'return redis.pcall(\"psubscribe\", \"x\")' 0
        0 EVAL 'return redis.call(\"publish\", \"x\", \"y\")' 0
        0 MULTI
        0 SSUBSCRIBE s
        0 PSUBSCRIBE p*
        0 EXEC
        0 PING
        1 PUBLISH pq v
        0 PUBSUB NUMSUB
        0 PUBSUB
        0 PUBSUB CHANNELS a b
        0 PUBSUB NUMPAT x
        0 PUBSUB HELP
        0 PUBSUB nope
        0 SUBSCRIBE
        0 PUBLISH onlyone
        0 RESET
        1 CLIENT LIST TYPE pubsub
        ",
    );
}

#[test]
fn keyspace_notifications_match_redis() {
    same_on_both(
        2,
        "
        1 CONFIG SET notify-keyspace-events KEA
        1 CONFIG GET notify-keyspace-events
        0 PSUBSCRIBE __keyspace@0__:* __keyevent@0__:*
        1 SET s v
        1 SET s v EX 100
        1 SET s w GET
        1 SETNX s x
        1 SETEX t 100 v
        1 GETSET s y
        1 APPEND s z
        1 SETRANGE s 1 abc
        1 SETRANGE s 1 ''
        1 INCR n
        1 DECRBY n 5
        1 INCRBYFLOAT n 1.5
        1 MSET a 1 b 2
        1 MSETNX a 1 c 3
        1 DEL a b nope
        1 EXPIRE s 100
        1 PERSIST s
        1 PEXPIREAT s 1
        1 GETEX t PERSIST
        1 GETEX t EX 50
        1 GETDEL t
        1 SET r 1
        1 RENAME r r2
        1 RENAMENX r2 n
        1 COPY r2 r3
        1 MOVE r3 1
        1 LPUSH l a b c
        1 RPUSHX l d
        1 LPUSHX nolist x
        1 LINSERT l BEFORE a z
        1 LSET l 0 q
        1 LREM l 1 q
        1 LTRIM l 0 1
        1 RPOP l
        1 LMOVE l l2 LEFT RIGHT
        1 LPOP l2 5
        1 RPUSH l x y
        1 LMPOP 1 l LEFT COUNT 2
        1 HSET h f 1 g 2
        1 HSETNX h f 3
        1 HINCRBY h f 2
        1 HINCRBYFLOAT h f 0.5
        1 HDEL h f g
        1 SADD set a b c
        1 SADD set a
        1 SREM set a
        1 SMOVE set set2 b
        1 SINTERSTORE dst set set2
        1 SUNIONSTORE dst set set2
        1 SDIFFSTORE dst set set
        1 SPOP set
        1 ZADD z 1 a 2 b 3 c
        1 ZADD z XX 1 a
        1 ZINCRBY z 5 a
        1 ZADD z INCR 1 b
        1 ZREM z a
        1 ZPOPMIN z
        1 ZUNIONSTORE zu 1 z
        1 ZRANGESTORE zr z 0 -1
        1 ZRANGESTORE zr z 5 6
        1 ZREMRANGEBYSCORE z 0 100
        1 BLPOP nolist 0.01
        1 RPUSH bl 1
        1 BLPOP bl 1
        1 ZADD bz 1 m
        1 BZPOPMAX bz 1
        1 EVAL 'redis.call(\"set\", KEYS[1], \"1\") redis.call(\"del\", KEYS[1]) return 1' 1 lua
        1 MULTI
        1 SET m 1
        1 INCR m
        1 EXEC
        1 SET e 1 PX 5
        sleep 30
        1 GET e
        1 CONFIG SET notify-keyspace-events Elx
        1 CONFIG GET notify-keyspace-events
        1 RPUSH l2 a
        1 SET s 1
        1 PEXPIRE l2 5
        sleep 30
        1 EXISTS l2
        1 CONFIG SET notify-keyspace-events KEn$lz
        1 SET fresh 1
        1 SET fresh 2
        1 RPUSH newlist a
        1 LMOVE newlist newlist2 LEFT LEFT
        1 ZADD nz 1 a
        1 ZUNIONSTORE nz2 1 nz
        1 RENAME nz2 nz3
        1 COPY nz3 nz4
        1 SET gone 1 PX 5
        sleep 30
        1 SET gone 2
        1 EVAL 'redis.call(\"set\", \"fromlua\", 1) return redis.call(\"incr\", \"fromlua2\")' 0
        1 CONFIG SET notify-keyspace-events ''
        1 SET s 2
        1 SET brandnew 2
        1 CONFIG SET notify-keyspace-events Kq
        ",
    );
}

#[test]
fn keyspace_notifications_of_bitmaps_sort_geo_streams_hll_and_restore_match_redis() {
    same_on_both(
        2,
        "
        1 CONFIG SET notify-keyspace-events KEA
        0 PSUBSCRIBE __keyspace@0__:* __keyevent@0__:*
        1 SETBIT b 7 1
        1 SETBIT b 7 1
        1 SETBIT b 100 0
        1 BITFIELD b SET u8 0 255 GET u4 0
        1 BITFIELD b GET u8 0
        1 BITOP OR dest b b
        1 BITOP AND dest nokey nokey2
        1 RPUSH l 3 1 2
        1 SORT l STORE sorted
        1 SORT nolist STORE sorted
        1 GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
        1 GEOSEARCHSTORE gs g FROMLONLAT 15 37 BYRADIUS 200 km
        1 GEORADIUS g 15 37 200 km STORE gr
        1 GEOSEARCHSTORE gs g FROMLONLAT 0 0 BYRADIUS 1 km
        1 GEOSEARCHSTORE gs nogeo FROMLONLAT 0 0 BYRADIUS 1 km
        1 XADD st 1-1 a 1
        1 XADD st MAXLEN 1 2-1 a 2
        1 XDEL st 2-1 9-9
        1 XADD st 3-1 a 3
        1 XTRIM st MAXLEN 0
        1 XSETID st 10-0
        1 XGROUP CREATE st grp $
        1 XGROUP CREATE st2 grp $ MKSTREAM
        1 XGROUP SETID st grp 0
        1 XGROUP CREATECONSUMER st grp alice
        1 XADD st 11-0 b 1
        1 XREADGROUP GROUP grp bob COUNT 1 STREAMS st >
        1 XCLAIM st grp carol 0 11-0
        1 XAUTOCLAIM st grp dave 0 0
        1 XGROUP DELCONSUMER st grp alice
        1 XGROUP DESTROY st grp
        1 PFADD h a b c
        1 PFADD h a
        1 PFMERGE h2 h
        1 SET s hello
        1 EVAL 'return redis.call(\"RESTORE\", \"r\", 0, redis.call(\"DUMP\", \"s\"))' 0
        1 EVAL 'return redis.call(\"RESTORE\", \"r\", 0, redis.call(\"DUMP\", \"s\"), \"REPLACE\")' 0
        1 EVAL 'return redis.call(\"RESTORE\", \"r\", 1, redis.call(\"DUMP\", \"s\"), \"REPLACE\", \"ABSTTL\")' 0
        ",
    );
}

#[test]
fn subscriber_that_is_killed_is_forgotten() {
    same_on_both(
        2,
        "
        0 CLIENT SETNAME sub
        0 SUBSCRIBE c
        0 PSUBSCRIBE p*
        1 PUBSUB NUMSUB c
        1 CLIENT KILL TYPE pubsub
        1 PUBSUB NUMSUB c
        sleep 50
        1 PUBSUB NUMSUB c
        1 PUBSUB NUMPAT
        1 PUBLISH c x
        ",
    );
}

/// What a RESP3 subscriber blocked in BLPOP receives: (while blocked, when served).
fn blocked_subscriber_sees(port: u16) -> (String, String) {
    let mut sub = Conn::connect(port);
    let mut other = Conn::connect(port);
    let send = |conn: &mut Conn, words_: &str| {
        conn.stream
            .write_all(&encode_request(&words(words_)))
            .unwrap();
    };
    send(&mut sub, "HELLO 3");
    send(&mut sub, "SUBSCRIBE me");
    send(&mut sub, "PING ready");
    sub.read_until(b"ready\r\n");
    send(&mut sub, "BLPOP l 5");
    // Nothing comes back while it waits; the PING from `other` orders us after it.
    send(&mut other, "PUBLISH me while-blocked");
    other.read_until(b":1\r\n");
    sub.stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut during = Vec::new();
    let mut chunk = [0u8; 4096];
    // Bounded: until the connection is quiet for 300 ms, at most 20 reads.
    for _ in 0..20 {
        match sub.stream.read(&mut chunk) {
            Ok(n) if n > 0 => during.extend_from_slice(&chunk[..n]),
            _ => break,
        }
    }
    sub.stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    send(&mut other, "RPUSH l a");
    other.read_until(b":1\r\n");
    let served = sub.read_until(b"$1\r\na\r\n");
    (escape(&during), escape(&served))
}

#[test]
fn a_blocked_resp3_subscriber_receives_messages_while_it_waits() {
    let redsim = serve::start();
    let ours = blocked_subscriber_sees(redsim.local_addr().port());
    assert_eq!(
        ours.0,
        ">3\\r\\n$7\\r\\nmessage\\r\\n$2\\r\\nme\\r\\n$13\\r\\nwhile-blocked\\r\\n"
    );
    if !redis_server_available() {
        eprintln!("SKIP comparison: redis-server is not installed");
        return;
    }
    let real = RedisServer::start();
    assert_eq!(blocked_subscriber_sees(real.port), ours);
}

/// (Not ZPOPMIN / BZPOPMAX / ZMPOP: Redis 7.0 writes their event inside the reply's
/// array, after its header; redsim puts it before the reply.)
#[test]
fn a_resp3_client_hears_its_own_keyspace_events_where_redis_writes_them() {
    same_on_both(
        1,
        "
        0 HELLO 3
        0 CONFIG SET notify-keyspace-events KEA
        0 PSUBSCRIBE __keyevent@0__:*
        0 SET s v
        0 SET s v EX 100
        0 GETSET s y
        0 APPEND s z
        0 SETRANGE s 1 abc
        0 INCR n
        0 INCRBYFLOAT n 1.5
        0 MSET a 1 b 2
        0 DEL a b
        0 EXPIRE s 100
        0 PERSIST s
        0 GETEX s EX 50
        0 GETEX s PERSIST
        0 GETDEL s
        0 SET r 1
        0 RENAME r r2
        0 COPY r2 r3
        0 MOVE r3 1
        0 LPUSH l a b c
        0 LINSERT l BEFORE a z
        0 LSET l 0 q
        0 LREM l 1 q
        0 LTRIM l 0 1
        0 RPOP l
        0 LMOVE l l2 LEFT RIGHT
        0 LPOP l2 5
        0 RPUSH l x y
        0 LMPOP 1 l LEFT COUNT 2
        0 HSET h f 1 g 2
        0 HSETNX h x 3
        0 HINCRBY h f 2
        0 HINCRBYFLOAT h f 0.5
        0 HDEL h f g x
        0 SADD set a b c
        0 SREM set a
        0 SMOVE set set2 b
        0 SINTERSTORE dst set set2
        0 SPOP set
        0 ZADD z 1 a 2 b 3 c
        0 ZINCRBY z 5 a
        0 ZREM z a
        0 ZUNIONSTORE zu 1 z
        0 ZRANGESTORE zr z 0 -1
        0 ZREMRANGEBYSCORE z 0 100
        0 RPUSH bl 1
        0 BLPOP bl 1
        0 MULTI
        0 SET m 1
        0 INCR m
        0 EXEC
        ",
    );
}
