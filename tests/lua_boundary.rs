//! The Lua boundary under stress: errors raised at each place where Lua and Rust meet —
//! out of memory in every direction a value crosses, errors from metamethods and from the
//! bundled libraries' decoders — each answered as Redis would (or as documented), with the
//! engine still usable afterwards: the same VM runs the next script correctly.
//!
//! Why each is sound is written at the boundary itself: `src/script/lua_c.rs`
//! (`call_script`, `RunSlot`), `src/script/lua_call.rs` (`redis.call`),
//! `src/script/lua_base.rs` and `src/script/libs/mod.rs` (C functions).

use redsim::{ClientId, Engine, ManualHost, Reply};

/// A VM bounded to 8 MiB, as a script under memory pressure meets it.
const LIMIT: usize = 8 << 20;

fn engine() -> (Engine, ClientId) {
    let mut e = Engine::new(ManualHost::default());
    e.scripts.memory_limit = LIMIT;
    let c = e.connect();
    (e, c)
}

/// Lua that fills the VM's heap up to its limit (the allocation that fails is caught),
/// then frees one small piece: what follows runs with about 4 KB to spare.
const HOG: &str = "
    local hog = {}
    pcall(function() while true do hog[#hog + 1] = string.rep('x', 4096) .. #hog end end)
    pcall(function() while true do hog[#hog + 1] = tostring(#hog) .. 'y' end end)
    hog[#hog] = nil hog[#hog] = nil collectgarbage('collect')
";

fn eval(e: &mut Engine, c: ClientId, body: &str, args: &[&str]) -> Reply {
    let script = format!("{HOG}\n{body}");
    let mut argv = vec!["EVAL", &script, "0"];
    argv.extend_from_slice(args);
    e.call(c, &argv)
}

fn error_text(reply: &Reply) -> String {
    String::from_utf8_lossy(
        reply
            .error_text()
            .unwrap_or_else(|| panic!("an error, got {reply:?}")),
    )
    .into_owned()
}

/// The engine answers a script that uses every part of the boundary, correctly.
fn assert_usable(e: &mut Engine, c: ClientId) {
    let script = "
        redis.call('SET', KEYS[1], ARGV[1])
        local v = cjson.decode(cjson.encode({n = tonumber(redis.call('GET', KEYS[1]))}))
        local p = cmsgpack.unpack(cmsgpack.pack({v.n, 'two'}))
        return {v.n, p[2], struct.unpack('>i4', struct.pack('>i4', 7)), #string.rep('z', 100000)}";
    assert_eq!(
        e.call(c, &["EVAL", script, "1", "usable", "41"]),
        Reply::Array(vec![
            Reply::Integer(41),
            Reply::bulk("two"),
            Reply::Integer(7),
            Reply::Integer(100_000)
        ])
    );
    assert_eq!(e.call(c, &["PING"]), Reply::simple("PONG"));
}

#[test]
fn the_hog_really_leaves_no_room_for_a_large_allocation() {
    // Without this the tests below would prove nothing.
    let (mut e, c) = engine();
    let text = error_text(&eval(&mut e, c, "return #string.rep('x', 65536)", &[]));
    assert!(text.contains("not enough memory"), "{text}");
    assert_usable(&mut e, c);
}

#[test]
fn argv_larger_than_the_limit_is_converted_into_lua_unbounded() {
    // KEYS and ARGV are built before the script's protected call, where no error may be
    // raised: they are allocated without the bound.
    let (mut e, c) = engine();
    let big = "a".repeat(2 * LIMIT);
    assert_eq!(
        e.call(c, &["EVAL", "return #ARGV[1]", "0", &big]),
        Reply::Integer(2 * LIMIT as i64)
    );
    assert_usable(&mut e, c);
}

#[test]
fn a_reply_larger_than_the_room_left_is_converted_into_lua() {
    let (mut e, c) = engine();
    let items: Vec<String> = (0..20_000).map(|i| format!("item-{i:0>60}")).collect();
    let mut rpush = vec!["RPUSH", "big"];
    rpush.extend(items.iter().map(String::as_str));
    assert_eq!(e.call(c, &rpush), Reply::Integer(20_000));
    // About 2 MB of strings and a table, pushed while the heap is full.
    assert_eq!(
        eval(&mut e, c, "return #redis.call('LRANGE', 'big', 0, -1)", &[]),
        Reply::Integer(20_000)
    );
    assert_usable(&mut e, c);
}

#[test]
fn redis_call_arguments_are_built_while_the_heap_is_full() {
    // Numbers are formatted (%.17g) and long strings copied into the command's argv with
    // the heap full: that happens in Rust, outside the bound, and the command runs.
    let (mut e, c) = engine();
    let body = "return redis.call('SET', 'k', 1.5, 'GET')";
    assert_eq!(eval(&mut e, c, body, &[]), Reply::Null);
    assert_eq!(e.call(c, &["GET", "k"]), Reply::bulk("1.5"));
    let body = "return redis.call('APPEND', 'k', ARGV[1], 0.25)";
    let text = error_text(&eval(&mut e, c, body, &["x"]));
    // The refusal's error object is made in Lua: with the heap full to the byte, that
    // allocation may itself fail (where the heap ends depends on addresses, so on the
    // run). Either error is contained, and the engine stays usable.
    assert!(
        text.starts_with("ERR Wrong number of args calling Redis command from script")
            || text.ends_with("not enough memory"),
        "{text}"
    );
    assert_usable(&mut e, c);
}

#[test]
fn a_result_is_converted_into_a_reply_while_the_heap_is_full() {
    let (mut e, c) = engine();
    let body = "
        local t = {} for i = 1, 10000 do t[i] = i + 0.5 end
        local m = {}
        for i = 1, 100 do m[i] = {ok = 'fine'} end
        return {t, m}";
    let script = format!("local pre = (function() {body} end)() {HOG} return pre");
    match e.call(c, &["EVAL", &script, "0"]) {
        Reply::Array(parts) => {
            assert!(matches!(&parts[0], Reply::Array(t) if t.len() == 10_000));
            assert!(matches!(&parts[1], Reply::Array(m) if m[99] == Reply::simple("fine")));
        }
        other => panic!("{other:?}"),
    }
    assert_usable(&mut e, c);
}

#[test]
fn running_out_of_memory_inside_the_library_decoders_is_an_error_the_script_can_catch() {
    let (mut e, c) = engine();
    let json = format!("[{}]", vec!["\"0123456789abcdef\""; 50_000].join(","));
    let body = "
        local out = {}
        for _, f in ipairs({
            function() return cjson.decode(ARGV[1]) end,
            function() return cmsgpack.unpack(cmsgpack.pack(ARGV[1])) end,
            function() return struct.unpack('>c0', struct.pack('>i4', 70000) .. ARGV[1]) end,
        }) do
            local ok, err = pcall(f)
            -- What a decoder that failed had built is garbage; Lua 5.1 has no emergency
            -- collection, so collect it before allocating again.
            collectgarbage('collect')
            out[#out + 1] = ok and 'ok' or tostring(err)
        end
        return out";
    let reply = eval(&mut e, c, body, &[&json]);
    let Reply::Array(outcomes) = &reply else {
        panic!("{reply:?}")
    };
    assert!(
        outcomes[0] == Reply::bulk("not enough memory"),
        "cjson.decode of 50,000 strings cannot fit in 4 KB: {reply:?}"
    );
    for outcome in outcomes {
        assert!(
            *outcome == Reply::bulk("ok") || *outcome == Reply::bulk("not enough memory"),
            "{reply:?}"
        );
    }
    assert_usable(&mut e, c);
}

#[test]
fn malformed_input_to_each_decoder_raises_a_plain_error() {
    let (mut e, c) = engine();
    for (call, text) in [
        (
            "cjson.decode('{\"a\":[1,2,')",
            "Expected value but found T_END at character 11",
        ),
        (
            "cmsgpack.unpack('\\220\\255\\255')",
            "Missing bytes in input.",
        ),
        ("struct.unpack('>i4', 'ab')", "data string too short"),
    ] {
        let caught = format!("local ok, err = pcall(function() return {call} end) return err");
        let reply = e.call(c, &["EVAL", &caught, "0"]);
        let Reply::Bulk(message) = &reply else {
            panic!("{call}: {reply:?}")
        };
        assert!(
            String::from_utf8_lossy(message).contains(text),
            "{call}: {reply:?}"
        );
        let raised = format!("return {call}");
        let text_raised = error_text(&e.call(c, &["EVAL", &raised, "0"]));
        assert!(text_raised.contains(text), "{call}: {text_raised}");
        assert_usable(&mut e, c);
    }
}

#[test]
fn a_failing_tostring_metamethod_in_an_error_object_is_contained() {
    let (mut e, c) = engine();
    let bad = "setmetatable({}, {__tostring = function() error('tostring failed') end})";
    // Raised as the script's error: the message handler builds Redis's error table
    // without calling __tostring.
    let reply = e.call(c, &["EVAL", &format!("error({bad})"), "0"]);
    assert!(reply.error_text().is_some(), "{reply:?}");
    assert_usable(&mut e, c);
    // Used in a message by the script itself, under pcall and xpcall.
    let script = format!(
        "local obj = {bad}
         local ok, err = pcall(tostring, obj)
         local ok2, err2 = xpcall(function() error(obj) end, function(x) return tostring(x) end)
         return {{tostring(ok), err, tostring(ok2), tostring(err2)}}"
    );
    let reply = e.call(c, &["EVAL", &script, "0"]);
    let Reply::Array(parts) = &reply else {
        panic!("{reply:?}")
    };
    assert_eq!(parts[0], Reply::bulk("false"), "{reply:?}");
    assert!(
        matches!(&parts[1], Reply::Bulk(b) if String::from_utf8_lossy(b).contains("tostring failed")),
        "{reply:?}"
    );
    assert_eq!(parts[2], Reply::bulk("false"), "{reply:?}");
    assert_usable(&mut e, c);
    // As a redis.call argument it is refused by type; __tostring is never called.
    let text = error_text(&e.call(
        c,
        &[
            "EVAL",
            &format!("return redis.call('SET', 'k', {bad})"),
            "0",
        ],
    ));
    assert!(
        text.contains("Lua redis lib command arguments must be strings or integers"),
        "{text}"
    );
    assert_usable(&mut e, c);
}

#[test]
fn a_script_cannot_install_a_finalizer_so_no_gc_step_can_raise() {
    // A Lua 5.1 finalizer (`__gc`) runs from whatever allocation triggers a GC step —
    // also the engine's own, outside any protected call — and an error in it would
    // escape unprotected. Scripts have no way to make one: `newproxy` (the only way to
    // make a userdata from Lua) is removed, and a table's `__gc` is never called.
    let (mut e, c) = engine();
    let script = "
        local fired = 0
        for i = 1, 1000 do
            setmetatable({}, {__gc = function() fired = fired + 1 error('from __gc') end})
        end
        collectgarbage('collect')
        return {tostring(rawget(_G, 'newproxy')), fired}";
    assert_eq!(
        e.call(c, &["EVAL", script, "0"]),
        Reply::Array(vec![Reply::bulk("nil"), Reply::Integer(0)])
    );
    // Errors raised by Rust functions reach scripts as strings, never as userdata whose
    // metatable a script could reach.
    let script = "local ok, err = pcall(redis.sha1hex) return type(err)";
    assert_eq!(e.call(c, &["EVAL", script, "0"]), Reply::bulk("string"));
    assert_usable(&mut e, c);
}
