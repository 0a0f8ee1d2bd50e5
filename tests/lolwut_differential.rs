//! LOLWUT against a real redis-server 7.0.15. The art is random on both sides (Redis's
//! `rand()`, the engine's host), so its pixels are not compared; everything else is, byte
//! for byte: errors, the versions that only print "Redis ver. 7.0.15", the text lines
//! after the art, the number of lines and their widths for given arguments, the frame
//! (verbatim `txt` in RESP3, bulk in RESP2, the same length for Schotter whose braille
//! characters are all three bytes), and that every art character is one Redis can draw
//! (braille U+2800..U+28FF for version 5; one of the four coloured spaces for version 6).

mod support;

use redsim::resp::parse::split_args;
use redsim::{Engine, ManualHost};
use support::pair::Pair;
use support::{escape, redis_server_available};

fn argv(line: &str) -> Vec<Vec<u8>> {
    split_args(line.as_bytes()).expect("balanced quotes")
}

/// Replies that hold no art: compared byte for byte.
const EXACT: &[&str] = &[
    "LOLWUT",
    "LOLWUT 10 20 30",
    "LOLWUT VERSION",
    "LOLWUT version 7",
    "LOLWUT VERSION 4",
    "LOLWUT VERSION 1 2 3",
    "LOLWUT VERSION 0",
    "LOLWUT VERSION -5",
    "LOLWUT VERSION 59",
    "LOLWUT VERSION 4294967297",
    "LOLWUT VERSION 5.0",
    "LOLWUT VERSION abc",
    "LOLWUT VERSION 99999999999999999999",
    "LOLWUT VERSION 5 abc",
    "LOLWUT VERSION 5 10 x",
    "LOLWUT VERSION 5 10 8 1.5",
    "LOLWUT VERSION 5 -3 x",
    "LOLWUT VERSION 6 x",
    "LOLWUT VERSION 6 10 abc",
    "LOLWUT VERSION 6 0 0 extra",
    "LOLWUT FOO 5",
    // One column and 200 squares a row: a canvas 0 pixels tall, no art at all.
    "LOLWUT VERSION 5 1 200",
    "LOLWUT VERSION 5 -100 1000 7",
];

/// Replies with art: compared by shape.
const SHAPED: &[&str] = &[
    "LOLWUT VERSION 5",
    "LOLWUT VERSION 5 1",
    "LOLWUT VERSION 5 2",
    "LOLWUT VERSION 5 3 1 1",
    "LOLWUT VERSION 5 20",
    "LOLWUT VERSION 5 40 3 5",
    "LOLWUT VERSION 5 33 7",
    "LOLWUT VERSION 5 100 10 2",
    "LOLWUT VERSION 5 5000 0 -1",
    "LOLWUT VERSION 4294967301 12 4 3",
    "LOLWUT VERSION 6",
    "LOLWUT VERSION 6 1 1",
    "LOLWUT VERSION 6 0 -9",
    "LOLWUT VERSION 6 15",
    "LOLWUT VERSION 6 37 9",
    "LOLWUT VERSION 6 200 60",
    "LOLWUT VERSION 6 2000 3",
];

/// The body of a bulk (`$`) or verbatim (`=`) frame, and its header line.
fn body(reply: &[u8]) -> (String, Vec<u8>) {
    let end = reply.windows(2).position(|w| w == b"\r\n").expect("header");
    let header = String::from_utf8_lossy(&reply[..end]).into_owned();
    let len: usize = header[1..].parse().expect("length");
    (header, reply[end + 2..end + 2 + len].to_vec())
}

/// One of the four coloured spaces of version 6.
const PIXELS: [&str; 4] = [
    "\x1b[0;30;40m \x1b[0m",
    "\x1b[0;90;100m \x1b[0m",
    "\x1b[0;37;47m \x1b[0m",
    "\x1b[0;97;107m \x1b[0m",
];

/// The reply with each art line replaced by its width (`braille×N`, `pixels×N`), or a
/// note of the first character Redis could not have drawn. Other lines stay as they are.
fn shape(reply: &[u8]) -> String {
    if !matches!(reply.first(), Some(b'$' | b'=')) {
        return escape(reply);
    }
    let (header, mut text) = body(reply);
    let mut out = vec![header[..1].to_string()];
    if header.starts_with('=') {
        // RESP3's verbatim format comes before the text.
        out.push(String::from_utf8_lossy(&text[..4]).into_owned());
        text.drain(..4);
    }
    let text = String::from_utf8(text).expect("utf-8 art");
    for line in text.split('\n') {
        if line.starts_with('\u{1b}') {
            let mut rest = line;
            let mut n = 0;
            while let Some(p) = PIXELS.iter().find(|p| rest.starts_with(*p)) {
                rest = &rest[p.len()..];
                n += 1;
            }
            out.push(if rest.is_empty() {
                format!("pixels×{n}")
            } else {
                format!("unknown pixel at {}", escape(rest.as_bytes()))
            });
        } else if line
            .chars()
            .next()
            .is_some_and(|c| ('\u{2800}'..='\u{28ff}').contains(&c))
        {
            out.push(
                match line
                    .chars()
                    .find(|c| !('\u{2800}'..='\u{28ff}').contains(c))
                {
                    None => format!("braille×{}", line.chars().count()),
                    Some(c) => format!("not braille: {c:?}"),
                },
            );
        } else {
            out.push(line.to_string());
        }
    }
    out.join("\n")
}

fn run(pair: &mut Pair, failures: &mut Vec<String>, label: &str) {
    for line in EXACT {
        if let Some(d) = pair.differs(label, line) {
            failures.push(d);
        }
    }
    for line in SHAPED {
        let (real, ours) = pair.call(&argv(line));
        if shape(&real) != shape(&ours) {
            failures.push(format!(
                "{label}{line}\n  redis:  {}\n  redsim: {}",
                shape(&real),
                shape(&ours)
            ));
        }
        // Every braille character is three bytes: Schotter's length is its shape's.
        if line.contains("VERSION 5") && body(&real).0 != body(&ours).0 {
            failures.push(format!(
                "{label}{line}: header {} vs {}",
                body(&real).0,
                body(&ours).0
            ));
        }
    }
}

#[test]
fn lolwut_matches_redis() {
    if !redis_server_available() {
        eprintln!("SKIPPED lolwut_matches_redis: redis-server not found");
        return;
    }
    let mut pair = Pair::start(false);
    let mut failures = Vec::new();
    run(&mut pair, &mut failures, "RESP2 ");
    pair.call(&argv("HELLO 3"));
    run(&mut pair, &mut failures, "RESP3 ");
    // (COMMAND COUNT and DOCS differ for reasons outside LOLWUT: commands redsim does
    // not run, and no command docs.)
    if let Some(d) = pair.differs("", "COMMAND INFO lolwut") {
        failures.push(d);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn lolwut_on(seed: u64, line: &str) -> Vec<u8> {
    let mut engine = Engine::new(ManualHost::new(0, seed));
    let client = engine.connect();
    engine.execute_encoded(client, &argv(line))
}

#[test]
fn lolwut_art_follows_the_seed() {
    for line in ["LOLWUT VERSION 5", "LOLWUT VERSION 6"] {
        assert_eq!(lolwut_on(7, line), lolwut_on(7, line), "{line}");
        assert_ne!(lolwut_on(7, line), lolwut_on(8, line), "{line}");
    }
}

/// Redis's default Schotter: 66 braille characters a line, 49 lines (a canvas 196
/// pixels tall), an empty line, then the caption.
#[test]
fn default_schotter_has_redis_dimensions() {
    let reply = lolwut_on(1, "LOLWUT VERSION 5");
    let (_, text) = body(&reply);
    let text = String::from_utf8(text).unwrap();
    let lines: Vec<&str> = text.split('\n').collect();
    assert_eq!(lines.len(), 49 + 3, "{text}");
    assert!(lines[..49].iter().all(|l| l.chars().count() == 66));
    assert_eq!(lines[49], "");
    assert_eq!(
        lines[50],
        "Georg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15"
    );
    assert_eq!(lines[51], "");
    assert!(text.starts_with('\u{2800}'), "padding row is empty");
}
