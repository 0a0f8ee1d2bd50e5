//! The redsim-history/1 reader and writer: exact field rules and the reply mapping.

use redsim::Reply;
use redsim_sim::history::json::{self, ReadError};
use redsim_sim::history::{History, Op, Operation, ScriptMode, Status};

fn one_op(result: &str) -> String {
    format!(
        r#"{{"format":"redsim-history/1","ops":[{{"client":1,"call":0,"return":1,"status":"ok","op":["GET","x"],"result":{result}}}]}}"#
    )
}

fn read_result(result: &str) -> Reply {
    let h = json::from_str(&one_op(result)).expect("valid");
    h.ops[0].result.clone().expect("a result")
}

#[test]
fn every_reply_kind_reads_by_the_documented_mapping() {
    assert_eq!(read_result("3"), Reply::Integer(3));
    assert_eq!(read_result("\"hi\""), Reply::Bulk(b"hi".to_vec()));
    assert_eq!(read_result(r#"{"b64":"/w=="}"#), Reply::Bulk(vec![0xff]));
    assert_eq!(read_result("null"), Reply::Null);
    assert_eq!(
        read_result(r#"[1,"a",null]"#),
        Reply::Array(vec![Reply::Integer(1), Reply::bulk("a"), Reply::Null])
    );
    assert_eq!(read_result(r#"{"ok":"OK"}"#), Reply::ok());
    assert_eq!(read_result(r#"{"err":"ERR x"}"#), Reply::error("ERR x"));
    assert_eq!(read_result(r#"{"double":1.5}"#), Reply::Double(1.5));
    assert_eq!(
        read_result(r#"{"double":"inf"}"#),
        Reply::Double(f64::INFINITY)
    );
    assert_eq!(
        read_result(r#"{"human_double":13.5}"#),
        Reply::HumanDouble(13.5)
    );
    assert_eq!(read_result("true"), Reply::Bool(true));
    assert_eq!(
        read_result(r#"{"map":[["k",1]]}"#),
        Reply::Map(vec![(Reply::bulk("k"), Reply::Integer(1))])
    );
    assert_eq!(
        read_result(r#"{"set":["a"]}"#),
        Reply::Set(vec![Reply::bulk("a")])
    );
    assert_eq!(
        read_result(r#"{"big":"123"}"#),
        Reply::BigNumber(b"123".to_vec())
    );
    assert_eq!(
        read_result(r#"{"verbatim":"txt","text":"hello"}"#),
        Reply::Verbatim {
            format: *b"txt",
            text: b"hello".to_vec()
        }
    );
    // DEBUG PROTOCOL attrib's reply: an attribute frame, then the real reply.
    let attributed = Reply::Preceded {
        frame: Box::new(Reply::Attribute(vec![(
            Reply::bulk("key-popularity"),
            Reply::Integer(90),
        )])),
        reply: Box::new(Reply::bulk("real")),
    };
    assert_eq!(
        read_result(r#"{"frame":{"attribute":[["key-popularity",90]]},"reply":"real"}"#),
        attributed
    );
    assert_eq!(
        json::reply_to_value(&attributed).to_string(),
        r#"{"frame":{"attribute":[["key-popularity",90]]},"reply":"real"}"#
    );
}

#[test]
fn a_history_survives_writing_and_reading_back() {
    let ops = vec![
        Op {
            client: 3,
            call: 17,
            ret: Some(21),
            status: Status::Ok,
            op: Operation::Command(vec![b"SET".to_vec(), vec![0xff, 0x00], b"1".to_vec()]),
            result: Some(Reply::ok()),
            node: 0,
        },
        Op {
            client: 4,
            call: 18,
            ret: None,
            status: Status::Unknown,
            op: Operation::Script {
                source: "return redis.call('INCR', KEYS[1])".into(),
                keys: vec![b"c".to_vec()],
                args: vec![b"1".to_vec()],
                mode: ScriptMode::Raw,
            },
            result: None,
            node: 0,
        },
        Op {
            client: 5,
            call: 19,
            ret: Some(30),
            status: Status::Fail,
            op: Operation::Multi(vec![vec![b"INCR".to_vec(), b"c".to_vec()]]),
            result: Some(Reply::Array(vec![
                Reply::Map(vec![(Reply::bulk("k"), Reply::Double(2.5))]),
                Reply::Set(vec![Reply::Bool(false)]),
                Reply::BigNumber(b"9".to_vec()),
                Reply::Verbatim {
                    format: *b"mkd",
                    text: vec![0xc3],
                },
                Reply::error("ERR no"),
                Reply::Bulk(vec![0x80]),
                Reply::Double(f64::NEG_INFINITY),
                Reply::HumanDouble(13.361389338970184),
            ])),
            // A world of several servers names the one that served it.
            node: 3,
        },
    ];
    let history = History { ops };
    let text = json::to_string(&history);
    assert_eq!(json::from_str(&text), Ok(history));
}

#[test]
fn an_unknown_field_is_an_error_naming_its_path() {
    let text = one_op(r#"{"map":[["k",{"ok":"x","extra":1}]]}"#);
    let err = json::from_str(&text).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ops[0].result.map[0][1]: unknown field \"extra\""
    );
    let text = r#"{"format":"redsim-history/1","ops":[],"meta":1}"#;
    assert_eq!(
        json::from_str(text).unwrap_err().to_string(),
        "$: unknown field \"meta\""
    );
    let text = r#"{"format":"redsim-history/1","ops":[{"client":1,"call":0,"status":"unknown","op":{"script":"return 1","keyz":[]}}]}"#;
    assert_eq!(
        json::from_str(text).unwrap_err().to_string(),
        "ops[0].op: unknown field \"keyz\""
    );
}

#[test]
fn text_that_is_not_json_gets_its_line_and_column() {
    let text = "{\"format\": \"redsim-history/1\",\n \"ops\": [,]}";
    match json::from_str(text) {
        Err(ReadError::Syntax { line, column, .. }) => assert_eq!((line, column), (2, 10)),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn field_rules_are_enforced() {
    let base = |fields: &str| format!(r#"{{"format":"redsim-history/1","ops":[{{{fields}}}]}}"#);
    let err = |fields: &str| json::from_str(&base(fields)).unwrap_err().to_string();
    assert_eq!(
        err(r#""client":1,"call":0,"status":"ok","op":["GET","x"]"#),
        "ops[0]: an \"ok\" operation needs a \"return\" time"
    );
    assert_eq!(
        err(r#""client":1,"call":5,"return":4,"status":"ok","op":["GET","x"]"#),
        "ops[0].return: return 4 is before call 5"
    );
    assert_eq!(
        err(r#""client":-1,"call":0,"return":1,"status":"ok","op":["GET"]"#),
        "ops[0].client: expected a non-negative integer"
    );
    assert_eq!(
        err(r#""client":1,"call":0,"return":1,"status":"done","op":["GET"]"#),
        "ops[0].status: expected \"ok\", \"fail\" or \"unknown\""
    );
    assert_eq!(
        err(r#""client":1,"call":0,"return":1,"status":"ok","op":[]"#),
        "ops[0].op: a command needs at least its name"
    );
    assert_eq!(
        err(r#""client":1,"call":0,"return":1,"status":"ok""#),
        "ops[0]: missing field \"op\""
    );
    assert_eq!(
        err(r#""client":1,"call":0,"return":1,"status":"ok","op":["GET"],"result":1.5"#),
        "ops[0].result: an integer reply must be a 64-bit integer (use {\"double\": n})"
    );
    let wrong_format = r#"{"format":"redsim-history/2","ops":[]}"#;
    assert!(json::from_str(wrong_format)
        .unwrap_err()
        .to_string()
        .starts_with("$.format: unsupported format"));
}

#[test]
fn a_missing_result_differs_from_a_null_result() {
    let text = r#"{"format":"redsim-history/1","ops":[
        {"client":1,"call":0,"return":1,"status":"ok","op":["GET","x"]},
        {"client":1,"call":2,"return":3,"status":"ok","op":["GET","x"],"result":null}]}"#;
    let h = json::from_str(text).unwrap();
    assert_eq!(h.ops[0].result, None);
    assert_eq!(h.ops[1].result, Some(Reply::Null));
}
