use super::*;

fn args(list: &[&str]) -> Vec<Vec<u8>> {
    list.iter().map(|a| a.as_bytes().to_vec()).collect()
}

#[test]
fn split_args_follows_redis_cli_quoting() {
    assert_eq!(
        split_args(br#"set "a b" 'c d' e"#),
        Some(args(&["set", "a b", "c d", "e"]))
    );
    assert_eq!(
        split_args(br#""\x41\n\"\\" 'it\'s'"#),
        Some(vec![b"A\n\"\\".to_vec(), b"it's".to_vec()])
    );
    assert_eq!(split_args(b"  "), Some(vec![]));
    assert_eq!(split_args(br#""""#), Some(vec![vec![]]));
}

#[test]
fn split_args_refuses_unbalanced_quotes() {
    assert_eq!(split_args(br#"set "abc"#), None);
    assert_eq!(split_args(br#"set 'abc"#), None);
    assert_eq!(split_args(br#"set "a"b"#), None);
}

/// Feeds `bytes` at once and collects what the parser gives until it needs more.
fn parse_all(bytes: &[u8]) -> Vec<Parsed> {
    let mut parser = RequestParser::new();
    parser.feed(bytes);
    collect(&mut parser)
}

fn collect(parser: &mut RequestParser) -> Vec<Parsed> {
    let mut out = Vec::new();
    for _ in 0..1000 {
        match parser.next_request() {
            Parsed::NeedMore => break,
            other => {
                let stop = matches!(other, Parsed::Error(_));
                out.push(other);
                if stop {
                    break;
                }
            }
        }
    }
    out
}

fn error(text: &str) -> Parsed {
    Parsed::Error(ProtocolError(format!("ERR Protocol error: {text}")))
}

fn request(list: &[&str]) -> Parsed {
    Parsed::Request(args(list))
}

#[test]
fn multibulk_requests_are_parsed_and_pipelined() {
    let bytes = b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n";
    assert_eq!(
        parse_all(bytes),
        vec![request(&["GET", "k"]), request(&["PING"])]
    );
}

#[test]
fn multibulk_arguments_are_binary_safe() {
    let bytes = b"*2\r\n$4\r\nECHO\r\n$4\r\n\x00\r\n\xff\r\n";
    assert_eq!(
        parse_all(bytes),
        vec![Parsed::Request(vec![
            b"ECHO".to_vec(),
            b"\x00\r\n\xff".to_vec()
        ])]
    );
}

#[test]
fn inline_requests_are_split_like_redis_cli() {
    let bytes = b"SET k \"a b\"\r\nPING\nECHO 'x y'\r\n";
    assert_eq!(
        parse_all(bytes),
        vec![
            request(&["SET", "k", "a b"]),
            request(&["PING"]),
            request(&["ECHO", "x y"])
        ]
    );
}

#[test]
fn empty_lines_and_empty_multibulks_are_skipped() {
    assert_eq!(
        parse_all(b"\r\n\n   \r\n*0\r\n*-5\r\nPING\r\n"),
        vec![request(&["PING"])]
    );
}

#[test]
fn every_request_survives_byte_at_a_time_feeding() {
    let bytes: &[u8] =
        b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nPING x\r\n*1\r\n$4\r\nPING\r\n";
    let mut parser = RequestParser::new();
    let mut got = Vec::new();
    for b in bytes {
        parser.feed(std::slice::from_ref(b));
        got.extend(collect(&mut parser));
    }
    assert_eq!(
        got,
        vec![
            request(&["SET", "k", "hello"]),
            request(&["PING", "x"]),
            request(&["PING"])
        ]
    );
    assert_eq!(parser.pending(), 0);
}

#[test]
fn incomplete_requests_need_more() {
    for partial in [
        &b"*2\r\n$3\r\nGET\r\n"[..],
        b"*2\r",
        b"*2\r\n$3\r\nGE",
        b"*1\r\n$3",
        b"PING",
    ] {
        assert_eq!(parse_all(partial), vec![], "{partial:?}");
    }
}

#[test]
fn a_bad_multibulk_count_is_refused() {
    for bad in [
        &b"*abc\r\n"[..],
        b"*+1\r\n",
        b"*\r\n",
        b"*01\r\n",
        b"*2147483648\r\n",
        b"*99999999999999999999999\r\n",
    ] {
        assert_eq!(
            parse_all(bad),
            vec![error("invalid multibulk length")],
            "{bad:?}"
        );
    }
}

#[test]
fn the_largest_multibulk_count_waits_for_its_arguments() {
    assert_eq!(parse_all(b"*2147483647\r\n$1\r\n"), vec![]);
}

#[test]
fn a_bad_bulk_length_is_refused() {
    for bad in [
        &b"*1\r\n$-1\r\n"[..],
        b"*1\r\n$\r\n",
        b"*1\r\n$04\r\n",
        b"*1\r\n$x\r\n",
        b"*1\r\n$536870913\r\n",
    ] {
        assert_eq!(
            parse_all(bad),
            vec![error("invalid bulk length")],
            "{bad:?}"
        );
    }
    assert_eq!(
        parse_all(b"*1\r\n$536870912\r\n"),
        vec![],
        "512 MB is allowed"
    );
}

#[test]
fn a_missing_dollar_is_refused_naming_the_byte() {
    assert_eq!(
        parse_all(b"*1\r\nx1\r\n"),
        vec![error("expected '$', got 'x'")]
    );
    assert_eq!(
        parse_all(b"*2\r\n$4\r\nECHO\r\n:1\r\n"),
        vec![error("expected '$', got ':'")]
    );
}

#[test]
fn unbalanced_inline_quotes_are_refused() {
    assert_eq!(
        parse_all(b"PING\r\nset \"a\r\n"),
        vec![request(&["PING"]), error("unbalanced quotes in request")]
    );
    assert_eq!(
        parse_all(b"set 'a\n"),
        vec![error("unbalanced quotes in request")]
    );
}

#[test]
fn an_inline_request_past_64k_without_newline_is_refused() {
    let mut bytes = b"SET k ".to_vec();
    bytes.resize(INLINE_MAX_SIZE + 10, b'a');
    assert_eq!(parse_all(&bytes), vec![error("too big inline request")]);
    let mut exactly = vec![b'a'; INLINE_MAX_SIZE];
    assert_eq!(parse_all(&exactly), vec![]);
    exactly.extend_from_slice(b"\r\n");
    assert_eq!(
        parse_all(&exactly).len(),
        1,
        "a long line that does end is accepted"
    );
}

#[test]
fn oversized_count_lines_are_refused() {
    let mut count = b"*".to_vec();
    count.resize(INLINE_MAX_SIZE + 10, b'1');
    assert_eq!(parse_all(&count), vec![error("too big mbulk count string")]);
    let mut bulk = b"*1\r\n$".to_vec();
    bulk.resize(INLINE_MAX_SIZE + 10, b'1');
    assert_eq!(parse_all(&bulk), vec![error("too big bulk count string")]);
}

#[test]
fn nothing_is_parsed_after_a_protocol_error() {
    let mut parser = RequestParser::new();
    parser.feed(b"*x\r\n");
    assert!(matches!(parser.next_request(), Parsed::Error(_)));
    parser.feed(b"PING\r\n");
    assert_eq!(parser.next_request(), Parsed::NeedMore);
}

#[test]
fn the_bytes_after_a_bulk_are_skipped_unchecked_as_redis_does() {
    assert_eq!(
        parse_all(b"*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n"),
        vec![request(&["PING"]), request(&["PING"])]
    );
}

#[test]
fn string_to_i64_is_as_strict_as_string2ll() {
    assert_eq!(string_to_i64(b"0"), Some(0));
    assert_eq!(string_to_i64(b"-9223372036854775808"), Some(i64::MIN));
    assert_eq!(string_to_i64(b"9223372036854775807"), Some(i64::MAX));
    for bad in [
        &b""[..],
        b"-",
        b"-0",
        b"01",
        b"+1",
        b" 1",
        b"1 ",
        b"9223372036854775808",
    ] {
        assert_eq!(string_to_i64(bad), None, "{bad:?}");
    }
}

#[test]
fn unauthenticated_clients_get_small_limits() {
    let mut parser = RequestParser::new();
    parser.set_unauthenticated(true);
    parser.feed(b"*11\r\n");
    assert_eq!(
        collect(&mut parser),
        vec![error("unauthenticated multibulk length")]
    );
    let mut parser = RequestParser::new();
    parser.set_unauthenticated(true);
    parser.feed(b"*2\r\n$4\r\nAUTH\r\n$16385\r\n");
    assert_eq!(
        collect(&mut parser),
        vec![error("unauthenticated bulk length")]
    );
    let mut parser = RequestParser::new();
    parser.set_unauthenticated(true);
    parser.feed(b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n");
    assert_eq!(collect(&mut parser), vec![request(&["AUTH", "pw"])]);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Bytes that look like requests often enough to reach every state of the parser.
    fn requestish() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"*".to_vec()),
            Just(b"$".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\"".to_vec()),
            Just(b"'".to_vec()),
            Just(b"\\x4".to_vec()),
            Just(b" ".to_vec()),
            Just(b"\0".to_vec()),
            (-3i64..12).prop_map(|n| n.to_string().into_bytes()),
            "[a-zA-Z]{1,5}".prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 1..4),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    fn valid_request() -> impl Strategy<Value = Vec<Vec<u8>>> {
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..20), 1..6)
    }

    fn encode(argv: &[Vec<u8>]) -> Vec<u8> {
        let mut out = format!("*{}\r\n", argv.len()).into_bytes();
        for a in argv {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    proptest! {
        #[test]
        fn splitting_the_input_never_changes_what_is_parsed(bytes in requestish(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6)) {
            let whole = parse_all(&bytes);
            let mut points: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
            points.sort_unstable();
            let mut parser = RequestParser::new();
            let mut got = Vec::new();
            let mut start = 0;
            for p in points.into_iter().chain([bytes.len()]) {
                parser.feed(&bytes[start..p]);
                got.extend(collect(&mut parser));
                start = p;
            }
            prop_assert_eq!(got, whole);
        }

        #[test]
        fn encoded_requests_come_back_unchanged(requests in prop::collection::vec(valid_request(), 1..5)) {
            let bytes: Vec<u8> = requests.iter().flat_map(|r| encode(r)).collect();
            let parsed = parse_all(&bytes);
            let expected: Vec<Parsed> = requests.into_iter().map(Parsed::Request).collect();
            prop_assert_eq!(parsed, expected);
        }
    }
}

/// Big arguments (`PROTO_MBULK_BIG_ARG` and up) read in pieces land in a buffer of their
/// own size, with whatever follows them parsed as usual, whatever the read sizes.
#[test]
fn big_arguments_are_read_into_their_own_buffer() {
    for len in [BIG_ARG - 1, BIG_ARG, 100_000] {
        let value: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
        let mut bytes = format!("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${len}\r\n").into_bytes();
        bytes.extend_from_slice(&value);
        bytes.extend_from_slice(b"\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n");
        for read in [1, 7, 4096, 16 * 1024, 70_000] {
            let mut parser = RequestParser::new();
            let mut got = Vec::new();
            for piece in bytes.chunks(read) {
                parser.feed(piece);
                got.extend(collect(&mut parser));
            }
            let Some(Parsed::Request(set)) = got.first() else {
                panic!("len {len}, reads of {read}: {got:?}");
            };
            assert_eq!(set[2], value, "len {len}, reads of {read}");
            if len >= BIG_ARG && read < len {
                assert_eq!(set[2].capacity(), len + 2, "len {len}, reads of {read}");
            }
            assert_eq!(got[1..], [request(&["GET", "k"]), request(&["PING"])]);
            assert_eq!(parser.pending(), 0);
        }
    }
}
