//! The golden files' format (see `corpus/golden/README.md`): the command lines of
//! `<family>.txt` with their markers (`@c2`, `@n2`, `@unordered`...) and directives
//! (`#resp3`, `#cluster N`, `#replica`, `#sleep`...), and the recorded replies and
//! node/primary lines of `<family>.replies`. The recorder and the runner (`golden.rs`)
//! both read them through here.

use crate::support::{unescape, Compare};
use redsim::resp::parse::split_args;
use redsim::Protocol;
use std::path::{Path, PathBuf};

/// One command line of a golden file.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) line: usize,
    /// The line as written (markers included): the recording repeats it.
    pub(crate) text: String,
    /// 1-based client number (`@c2`); client 1 by default.
    pub(crate) client: usize,
    /// 1-based node of a `#cluster N` file (`@n2`); node 1 by default.
    pub(crate) node: usize,
    /// `@clusterview`: CLUSTER NODES / INFO text compared without ping and pong times
    /// and bus message counts, its lines sorted.
    pub(crate) view: bool,
    pub(crate) compare: Compare,
    pub(crate) argv: Vec<Vec<u8>>,
}

#[derive(Clone, Debug)]
pub(crate) enum Item {
    Command(Entry),
    /// `#resp2` / `#resp3`: every client, open or opened later, speaks this protocol.
    Protocol(Protocol),
    /// `#cluster`: the server is a Redis Cluster node (`--cluster-enabled yes`);
    /// `#cluster N`: N masters sharing the slots as `redis-cli --cluster create` splits
    /// them.
    Cluster(usize),
    /// `#settle`: the nodes of a `#cluster N` file exchange what changed (the recorder
    /// waits for the real nodes to agree; the replay's nodes tell each other).
    Settle,
    /// `#sleep <ms>`: time passes (the recorder sleeps, the replay moves its clock).
    Sleep(u64),
    /// `#replica`: node 2 is a replica of node 1 (the primary).
    Replica,
}

pub(crate) fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/golden")
}

pub(crate) fn families() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(golden_dir())
        .expect("corpus/golden exists")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".txt"))
                .map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// A command line's markers: client, comparison, node, CLUSTER-view comparison.
pub(crate) struct Markers {
    pub(crate) client: usize,
    pub(crate) compare: Compare,
    pub(crate) node: usize,
    pub(crate) view: bool,
}

pub(crate) fn parse_markers(line: &str) -> Result<(usize, Compare, &str), String> {
    parse_all_markers(line).map(|(m, rest)| (m.client, m.compare, rest))
}

pub(crate) fn parse_all_markers(line: &str) -> Result<(Markers, &str), String> {
    let mut rest = line.trim();
    let (mut client, mut compare) = (1, Compare::Exact);
    let (mut node, mut view) = (1, false);
    while let Some(marked) = rest.strip_prefix('@') {
        let end = marked.find(char::is_whitespace).unwrap_or(marked.len());
        let word = &marked[..end];
        match word {
            "unordered" => compare = Compare::Unordered,
            "pairs" => compare = Compare::Pairs,
            "shape" => compare = Compare::Shape,
            "type" => compare = Compare::Type,
            "any" => compare = Compare::Any,
            "aclrules" => compare = Compare::AclRules,
            "clusterview" => view = true,
            _ => match (word.split_at(1), word[1..].parse::<usize>()) {
                (("c", _), Ok(n)) if (1..=16).contains(&n) => client = n,
                (("n", _), Ok(n)) if (1..=16).contains(&n) => node = n,
                _ => return Err(format!("unknown marker @{word}")),
            },
        }
        rest = marked[end..].trim_start();
    }
    let markers = Markers {
        client,
        compare,
        node,
        view,
    };
    Ok((markers, rest))
}

pub(crate) fn load_commands(family: &str) -> Result<Vec<Item>, String> {
    let path = golden_dir().join(format!("{family}.txt"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut items = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = || format!("{family}.txt:{}", index + 1);
        match line {
            "" => continue,
            "#resp3" => items.push(Item::Protocol(Protocol::Resp3)),
            "#resp2" => items.push(Item::Protocol(Protocol::Resp2)),
            "#cluster" => items.push(Item::Cluster(1)),
            "#settle" => items.push(Item::Settle),
            "#replica" => items.push(Item::Replica),
            _ if line.starts_with("#cluster ") => {
                let n = line["#cluster ".len()..]
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n| (1..=16).contains(n))
                    .ok_or_else(|| format!("{}: #cluster takes 1 to 16 nodes", at()))?;
                items.push(Item::Cluster(n));
            }
            _ if line.starts_with("#sleep ") => {
                let ms = line["#sleep ".len()..]
                    .trim()
                    .parse()
                    .map_err(|_| format!("{}: #sleep takes milliseconds", at()))?;
                items.push(Item::Sleep(ms));
            }
            _ if line.starts_with('#') => continue,
            _ => {
                let (markers, command) =
                    parse_all_markers(line).map_err(|e| format!("{}: {e}", at()))?;
                let argv = split_args(command.as_bytes())
                    .ok_or_else(|| format!("{}: unbalanced quotes", at()))?;
                if argv.is_empty() {
                    return Err(format!("{}: markers without a command", at()));
                }
                items.push(Item::Command(Entry {
                    line: index + 1,
                    text: line.to_string(),
                    client: markers.client,
                    compare: markers.compare,
                    node: markers.node,
                    view: markers.view,
                    argv,
                }));
            }
        }
    }
    Ok(items)
}

/// `(command text, reply bytes)` pairs of `<family>.replies`.
pub(crate) fn load_replies(family: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let path = golden_dir().join(format!("{family}.replies"));
    let text = std::fs::read_to_string(&path)
        .map_err(|_| format!("{family}: not recorded (no {family}.replies)"))?;
    let mut pairs = Vec::new();
    let mut command: Option<String> = None;
    for (index, line) in text.lines().enumerate() {
        if let Some(c) = line.strip_prefix("> ") {
            command = Some(c.to_string());
        } else if let Some(r) = line.strip_prefix("< ") {
            let c = command
                .take()
                .ok_or_else(|| format!("{family}.replies:{}: reply without command", index + 1))?;
            let bytes = unescape(r).map_err(|e| format!("{family}.replies:{}: {e}", index + 1))?;
            pairs.push((c, bytes));
        }
    }
    Ok(pairs)
}

/// The recorded nodes' ids and ports (`# cluster node <id> port <port>`, one line a
/// node, in order) of a `#cluster` file: the replay's nodes listen on those ports and
/// their ids are read as those.
pub(crate) fn load_nodes(family: &str) -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(golden_dir().join(format!("{family}.replies"))).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("# cluster node ")?;
            let (id, port) = rest.split_once(" port ")?;
            Some((id.to_string(), port.to_string()))
        })
        .collect()
}

/// The recorded primary's port (`# replica of port <port>`) of a `#replica` file.
pub(crate) fn load_primary_port(family: &str) -> Option<String> {
    let text = std::fs::read_to_string(golden_dir().join(format!("{family}.replies"))).ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("# replica of port ").map(str::to_string))
}

/// How many nodes a file's `#cluster` asks for (0: not a cluster).
pub(crate) fn cluster_size(items: &[Item]) -> usize {
    items
        .iter()
        .find_map(|i| match i {
            Item::Cluster(n) => Some(*n),
            _ => None,
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::{escape, normalize};

    #[test]
    fn golden_markers_are_understood() {
        let (client, compare, rest) =
            parse_markers("@c2 @unordered SMEMBERS s").expect("valid markers");
        assert_eq!(
            (client, compare, rest),
            (2, Compare::Unordered, "SMEMBERS s")
        );
        assert!(parse_markers("@bogus PING").is_err());
    }

    #[test]
    fn sorted_comparison_ignores_element_order_only() {
        let a = b"*2\r\n$1\r\na\r\n$1\r\nb\r\n";
        let b = b"*2\r\n$1\r\nb\r\n$1\r\na\r\n";
        let c = b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n";
        assert_eq!(
            normalize(a, Compare::Unordered),
            normalize(b, Compare::Unordered)
        );
        assert_ne!(
            normalize(a, Compare::Unordered),
            normalize(c, Compare::Unordered)
        );
        assert_ne!(normalize(a, Compare::Exact), normalize(b, Compare::Exact));
        assert_eq!(normalize(a, Compare::Shape), normalize(c, Compare::Shape));
        assert_eq!(
            unescape(&escape(b"\x00\r\n\\x")).expect("round trip"),
            b"\x00\r\n\\x"
        );
    }

    #[test]
    fn acl_rule_comparison_sorts_single_command_runs_only() {
        let redis = b"*1\r\n$36\r\n-@all +@read +set +get -@write +hget\r\n";
        let same = b"*1\r\n$36\r\n-@all +@read +get +set -@write +hget\r\n";
        let moved_category = b"*1\r\n$36\r\n-@all -@write +get +set +@read +hget\r\n";
        let mode = Compare::AclRules;
        assert_eq!(normalize(redis, mode), normalize(same, mode));
        assert_ne!(normalize(redis, mode), normalize(moved_category, mode));
    }
}
