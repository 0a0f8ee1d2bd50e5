//! The public API of both crates, item by item, is the checked list in `api/`: this test
//! lists it again from rustdoc's JSON output and fails on any difference, so that a change
//! to what users can reach is deliberate — made with the list, in the same commit.
//!
//! After a deliberate change: `REDSIM_BLESS_API=1 cargo test --test public_api` rewrites
//! the lists (review the diff).
//!
//! The listing runs `cargo rustdoc --lib -- --output-format json` (unstable output on the
//! stable toolchain through `RUSTC_BOOTSTRAP=1`, for this listing only) into its own
//! folder, `target/public-api`: cargo rebuilds what `RUSTC_BOOTSTRAP` changes, so sharing
//! the usual folder would make the next ordinary build start over. The first run builds
//! the dependencies' metadata there (a minute or two); later runs take seconds.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const BLESS: &str = "REDSIM_BLESS_API";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// rustdoc's JSON of `package`'s library.
fn rustdoc_json(package: &str) -> Value {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder")
        .join("public-api");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["rustdoc", "-q", "-p", package, "--lib", "--"])
        .args(["-Z", "unstable-options", "--output-format", "json"])
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(repo())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo rustdoc -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = target
        .join("doc")
        .join(format!("{}.json", package.replace('-', "_")));
    let text = std::fs::read_to_string(&file).expect("rustdoc's JSON");
    serde_json::from_str(&text).expect("JSON")
}

/// One line per public item: named items by their path, with their fields, variants,
/// inherent methods and constants, trait items, and the traits implemented for them.
fn public_items(doc: &Value) -> BTreeSet<String> {
    let index = doc["index"].as_object().expect("index");
    let item = |id: &Value| index.get(&id.to_string());
    let name = |v: &Value| v["name"].as_str().unwrap_or("_").to_string();
    let mut lines = BTreeSet::new();
    for (id, path) in doc["paths"].as_object().expect("paths") {
        if path["crate_id"] != 0 {
            continue;
        }
        let Some(it) = index.get(id) else { continue };
        let kind = path["kind"].as_str().unwrap_or("?");
        let full = path["path"]
            .as_array()
            .expect("path")
            .iter()
            .map(|s| s.as_str().unwrap_or("?"))
            .collect::<Vec<_>>()
            .join("::");
        lines.insert(format!("{kind} {full}"));
        let inner = &it["inner"];
        let members = match kind {
            "struct" => inner["struct"]["kind"]["plain"]["fields"].as_array(),
            "enum" => inner["enum"]["variants"].as_array(),
            "trait" => inner["trait"]["items"].as_array(),
            _ => None,
        };
        for m in members.into_iter().flatten().filter_map(item) {
            let what = match kind {
                "struct" => "field",
                "enum" => "variant",
                _ => "trait-item",
            };
            lines.insert(format!("{what} {full}::{}", name(m)));
        }
        let impls = inner
            .get(kind)
            .and_then(|k| k.get("impls"))
            .and_then(Value::as_array);
        for imp in impls.into_iter().flatten().filter_map(item) {
            let imp = &imp["inner"]["impl"];
            if imp["is_synthetic"] == true || !imp["blanket_impl"].is_null() {
                continue;
            }
            match imp["trait"]["path"].as_str() {
                Some(t) => {
                    lines.insert(format!("impl {t} for {full}"));
                }
                None => {
                    for m in imp["items"].as_array().into_iter().flatten() {
                        if let Some(m) = item(m) {
                            lines.insert(format!("method {full}::{}", name(m)));
                        }
                    }
                }
            }
        }
    }
    lines
}

fn check(package: &str) {
    let listed = public_items(&rustdoc_json(package));
    let file = repo().join("api").join(format!("{package}.txt"));
    let text: String = listed.iter().map(|l| format!("{l}\n")).collect();
    if std::env::var_os(BLESS).is_some() {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, &text).unwrap();
        return;
    }
    let checked = std::fs::read_to_string(&file).unwrap_or_default();
    let checked: BTreeSet<String> = checked.lines().map(str::to_string).collect();
    let added: Vec<&String> = listed.difference(&checked).collect();
    let removed: Vec<&String> = checked.difference(&listed).collect();
    assert!(
        added.is_empty() && removed.is_empty(),
        "the public API of {package} differs from api/{package}.txt \
         ({BLESS}=1 cargo test --test public_api rewrites it):\n\
         added:\n  {}\nremoved:\n  {}",
        added
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
        removed
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
    );
}

#[test]
fn the_engine_crate_exposes_exactly_its_checked_list() {
    check("redsim");
}

#[test]
fn the_simulator_crate_exposes_exactly_its_checked_list() {
    check("redsim-sim");
}
