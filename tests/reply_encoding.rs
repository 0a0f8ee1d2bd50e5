//! Every reply kind, encoded for RESP2 and for RESP3, pinned as snapshots.
//!
//! The bytes are the ones redis-server 7.0 writes: `DEBUG PROTOCOL <type>` shows each kind on a
//! real server (see corpus/golden/server.txt), and RESP2 clients get the downgraded forms of
//! `networking.c` (map → flat array, set → array, double → bulk, boolean → integer, null → `$-1`).

use redsim::resp::{encode, Protocol, Reply};

/// The encoded bytes as readable text: CR LF shown as `\r\n` and a line break.
fn shown(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.split_inclusive(|&b| b == b'\n') {
        for &b in chunk {
            match b {
                b'\r' => out.push_str("\\r"),
                b'\n' => out.push_str("\\n\n"),
                0x20..=0x7e => out.push(b as char),
                _ => out.push_str(&format!("\\x{b:02x}")),
            }
        }
    }
    out
}

fn both(reply: &Reply) -> String {
    format!(
        "RESP2:\n{}\nRESP3:\n{}",
        shown(&encode(reply, Protocol::Resp2)),
        shown(&encode(reply, Protocol::Resp3))
    )
}

macro_rules! pinned {
    ($name:ident, $reply:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(both(&$reply));
        }
    };
}

pinned!(simple_string, Reply::ok());
pinned!(error, Reply::error("ERR unknown command"));
pinned!(
    error_text_with_newlines_becomes_one_line,
    Reply::error("ERR a\r\nb")
);
pinned!(integer, Reply::Integer(-42));
pinned!(bulk_string, Reply::bulk("hello"));
pinned!(
    binary_bulk_string,
    Reply::bulk(vec![0u8, 0xff, b'\r', b'\n'])
);
pinned!(empty_bulk_string, Reply::bulk(""));
pinned!(null_bulk, Reply::Null);
pinned!(null_array, Reply::NullArray);
pinned!(
    array,
    Reply::Array(vec![Reply::Integer(1), Reply::bulk("two"), Reply::Null])
);
pinned!(empty_array, Reply::Array(vec![]));
pinned!(
    nested_array,
    Reply::Array(vec![Reply::Array(vec![Reply::ok()]), Reply::NullArray])
);
pinned!(boolean_true, Reply::Bool(true));
pinned!(boolean_false, Reply::Bool(false));
pinned!(double, Reply::Double(1.125));
pinned!(double_integral, Reply::Double(10.0));
pinned!(double_tenth, Reply::Double(0.1));
pinned!(double_inf, Reply::Double(f64::INFINITY));
pinned!(double_negative_inf, Reply::Double(f64::NEG_INFINITY));
pinned!(
    big_number,
    Reply::BigNumber(b"1234567999999999999999999999999999999".to_vec())
);
pinned!(
    verbatim,
    Reply::Verbatim {
        format: *b"txt",
        text: b"This is a verbatim\nstring".to_vec()
    }
);
pinned!(
    map,
    Reply::Map(vec![
        (Reply::bulk("a"), Reply::Integer(1)),
        (Reply::bulk("b"), Reply::Bool(false))
    ])
);
pinned!(set, Reply::Set(vec![Reply::bulk("x"), Reply::Integer(2)]));
pinned!(
    push,
    Reply::Push(vec![
        Reply::bulk("message"),
        Reply::bulk("chan"),
        Reply::bulk("hi")
    ])
);
pinned!(
    attribute_frame_then_the_reply,
    Reply::Preceded {
        frame: Box::new(Reply::Attribute(vec![(
            Reply::bulk("key-popularity"),
            Reply::Array(vec![Reply::bulk("key:123"), Reply::Integer(90)])
        )])),
        reply: Box::new(Reply::bulk("the reply"))
    }
);
pinned!(
    push_frame_then_the_reply,
    Reply::Preceded {
        frame: Box::new(Reply::Push(vec![
            Reply::bulk("server-cpu-usage"),
            Reply::Integer(42)
        ])),
        reply: Box::new(Reply::bulk("the reply"))
    }
);
