//! The README's example runs as a doctest of `redsim-sim` (`cargo test -p redsim-sim
//! --doc`); this file holds what the README cannot: a check that it contains the parts the
//! issue asks of it, so that an edit cannot silently drop them.

#[test]
fn the_readme_example_is_a_whole_test_with_faults_an_invariant_and_a_proptest_strategy() {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("```rust,test_harness")
        .expect("README.md has a `rust,test_harness` block (a doctest whose #[test]s run)");
    let block = &readme[start..];
    let block = &block[..block[3..].find("```").expect("the block ends") + 3];
    for part in [
        "use redsim_sim::prelude::*;",
        "#[test]",
        "sim_test!()",
        ".faults(",
        ".invariant(",
        "strategies::",
        "proptest!",
    ] {
        assert!(block.contains(part), "the README example lacks {part}");
    }
}
