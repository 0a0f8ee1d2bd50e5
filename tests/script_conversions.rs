//! One fixture a conversion rule (`corpus/lua/<rule>.lua`), each run with EVAL by a RESP2
//! client and by a RESP3 client on a fresh engine; the reply bytes are pinned with insta.
//! The same rules are checked against a real redis-server in corpus/golden/lua_*.txt.

use redsim::{Engine, ManualHost, Protocol};

const RULES: &[&str] = &[
    "float_return_truncates",
    "huge_number_return_is_int64_min",
    "table_cut_at_first_nil",
    "table_hash_keys_ignored",
    "true_is_one_false_is_null",
    "nil_return_is_null",
    "ok_table_is_status",
    "err_table_is_error",
    "nested_tables_are_nested_arrays",
    "error_reply_adds_err_code",
    "status_reply_is_status",
    "double_table_is_double",
    "map_table_is_map",
    "set_table_is_set",
    "big_number_table_is_big_number",
    "verbatim_table_is_verbatim",
    "setresp3_booleans_are_booleans",
    "missing_key_is_false",
    "missing_key_is_nil_in_resp3",
    "status_reply_is_ok_table",
    "error_reply_is_err_table",
    "integer_reply_is_number",
    "array_reply_is_table",
    "number_argument_uses_17_digits",
    "table_argument_is_refused",
];

fn run(rule: &str, protocol: Protocol) -> String {
    let path = format!("{}/corpus/lua/{rule}.lua", env!("CARGO_MANIFEST_DIR"));
    let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut engine = Engine::new(ManualHost::default());
    let client = engine.connect();
    engine.store.session_mut(client).protocol = protocol;
    let argv = vec![b"EVAL".to_vec(), body, b"0".to_vec()];
    let bytes = engine.execute_encoded(client, &argv);
    String::from_utf8_lossy(&bytes)
        .replace('\r', "\\r")
        .replace('\n', "\\n\n")
}

#[test]
fn every_conversion_rule_has_pinned_resp2_and_resp3_bytes() {
    for rule in RULES {
        let text = format!(
            "RESP2:\n{}\nRESP3:\n{}",
            run(rule, Protocol::Resp2),
            run(rule, Protocol::Resp3)
        );
        insta::assert_snapshot!(*rule, text);
    }
}

#[test]
fn every_fixture_is_listed() {
    let dir = format!("{}/corpus/lua", env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(rule) = name.strip_suffix(".lua") {
            // The seed's script and its variants are scenario scripts, not conversion rules.
            if !rule.starts_with("counter_and_log")
                && !rule.starts_with("lib_")
                && !rule.starts_with("escape_")
            {
                assert!(
                    RULES.contains(&rule),
                    "fixture {rule}.lua has no snapshot test"
                );
            }
        }
    }
}
