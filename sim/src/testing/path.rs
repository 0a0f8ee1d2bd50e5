//! Where a [`SimTest`](super::SimTest) runs: the package, the test target and the test's
//! path inside it, taken by [`sim_test!`](crate::sim_test) at the call site — never typed
//! by hand — so the `cargo test` line a failure prints runs exactly that test again.

use crate::report::present::shell_word;

/// The test target a `#[test]` was compiled into; it decides `cargo test`'s target flag.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    /// The package's library (`--lib`).
    Lib,
    /// An integration test file (`--test NAME`).
    Test(String),
    /// A binary's unit tests (`--bin NAME`).
    Bin(String),
    /// A doctest (`--doc`): doctests cannot be selected by a function name.
    Doc,
}

/// The cargo package, target and libtest path of the `#[test]` a
/// [`SimTest`](super::SimTest) runs in. Made by [`sim_test!`](crate::sim_test).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestPath {
    package: String,
    target: Target,
    /// The name libtest gives the test: its module path inside the target and the
    /// function's name (`tests::counter_is_atomic`).
    test: String,
}

impl TestPath {
    /// Support for [`sim_test!`](crate::sim_test); not meant to be called by hand.
    ///
    /// `function` is `type_name_of_val` of an item declared where the macro is written
    /// (`crate_name::module::test_fn::here`); `crate_name` is `CARGO_CRATE_NAME`, which
    /// differs from `function`'s first segment only in a doctest (rustdoc compiles each
    /// one as its own crate); `integration` says whether `CARGO_TARGET_TMPDIR` was set,
    /// as cargo does for integration tests only; `bin` is `CARGO_BIN_NAME`.
    ///
    /// The test's name is the running libtest thread's (libtest names each test's thread
    /// after the test), so that a `SimTest` built in a helper function names the test
    /// that called it; off a test thread, the function the macro is written in.
    #[doc(hidden)]
    pub fn __from_call_site(
        function: &str,
        package: &str,
        crate_name: &str,
        integration: bool,
        bin: Option<&str>,
    ) -> TestPath {
        let thread = std::thread::current();
        let running = thread.name().filter(|n| *n != "main" && !n.is_empty());
        TestPath::resolve(function, package, crate_name, integration, bin, running)
    }

    fn resolve(
        function: &str,
        package: &str,
        crate_name: &str,
        integration: bool,
        bin: Option<&str>,
        running: Option<&str>,
    ) -> TestPath {
        // `here` itself, and the `{{closure}}` segments of closures the macro sits in.
        let segments: Vec<&str> = function
            .split("::")
            .filter(|s| !s.starts_with("{{"))
            .collect();
        let segments = &segments[..segments.len().saturating_sub(1)];
        let (first, rest) = segments.split_first().unwrap_or((&"", &[]));
        let target = if *first != crate_name {
            Target::Doc
        } else if integration {
            Target::Test(crate_name.to_string())
        } else if let Some(bin) = bin {
            Target::Bin(bin.to_string())
        } else {
            Target::Lib
        };
        TestPath {
            package: package.to_string(),
            target,
            test: running.map_or_else(|| rest.join("::"), str::to_string),
        }
    }

    /// The test's name as libtest prints it (`module::function`).
    pub fn test_name(&self) -> &str {
        &self.test
    }

    /// The arguments after `cargo test` that run this test alone:
    /// `-p PACKAGE --test TARGET -- PATH --exact`.
    pub fn cargo_test_args(&self) -> Vec<String> {
        let mut args = vec!["-p".to_string(), self.package.clone()];
        match &self.target {
            Target::Lib => args.push("--lib".into()),
            Target::Test(name) => args.extend(["--test".into(), name.clone()]),
            Target::Bin(name) => args.extend(["--bin".into(), name.clone()]),
            Target::Doc => {
                args.push("--doc".into());
                return args;
            }
        }
        args.extend(["--".into(), self.test.clone(), "--exact".into()]);
        args
    }

    /// [`cargo_test_args`](Self::cargo_test_args) as one line for a shell.
    pub fn cargo_test_line(&self) -> String {
        let words: Vec<String> = self
            .cargo_test_args()
            .iter()
            .map(|a| shell_word(a))
            .collect();
        format!("cargo test {}", words.join(" "))
    }
}

/// A [`SimTest`](crate::testing::SimTest) for the `#[test]` this is written in: the
/// test's package, target and path are taken here, so a failure's replay line
/// (`REDSIM_SEED=N cargo test -p PACKAGE --test FILE -- PATH --exact`) runs this test.
///
/// ```
/// use redsim_sim::prelude::*;
/// let test: SimTest = sim_test!();
/// ```
#[macro_export]
macro_rules! sim_test {
    () => {
        $crate::testing::SimTest::new({
            fn here() {}
            $crate::testing::TestPath::__from_call_site(
                ::std::any::type_name_of_val(&here),
                ::std::env!("CARGO_PKG_NAME"),
                ::std::env!("CARGO_CRATE_NAME"),
                ::std::option_env!("CARGO_TARGET_TMPDIR").is_some(),
                ::std::option_env!("CARGO_BIN_NAME"),
            )
        })
    };
}

#[cfg(test)]
mod tests {
    use super::TestPath;

    #[test]
    fn an_integration_test_is_selected_by_file_and_exact_path() {
        let p = TestPath::resolve(
            "readme_example::my_script_is_atomic::here",
            "redsim-sim",
            "readme_example",
            true,
            None,
            None,
        );
        assert_eq!(p.test_name(), "my_script_is_atomic");
        assert_eq!(
            p.cargo_test_line(),
            "cargo test -p redsim-sim --test readme_example -- my_script_is_atomic --exact"
        );
    }

    #[test]
    fn a_unit_test_in_a_module_and_a_closure_keeps_its_module_path() {
        let p = TestPath::resolve(
            "redsim_sim::testing::tests::racy::{{closure}}::here",
            "redsim-sim",
            "redsim_sim",
            false,
            None,
            None,
        );
        assert_eq!(
            p.cargo_test_args(),
            [
                "-p",
                "redsim-sim",
                "--lib",
                "--",
                "testing::tests::racy",
                "--exact"
            ]
        );
    }

    #[test]
    fn a_doctest_is_run_with_the_package_doctests() {
        let p = TestPath::resolve(
            "rust_out::main::here",
            "redsim-sim",
            "redsim_sim",
            false,
            None,
            None,
        );
        assert_eq!(p.cargo_test_line(), "cargo test -p redsim-sim --doc");
    }

    #[test]
    fn a_helper_function_names_the_test_running_it() {
        let p = TestPath::resolve(
            "my_tests::racy_workload::here",
            "mine",
            "my_tests",
            true,
            None,
            Some("race_is_found"),
        );
        assert_eq!(p.test_name(), "race_is_found");
    }

    #[test]
    fn the_macro_names_this_very_test() {
        let test = crate::sim_test!();
        assert_eq!(
            test.path().test_name(),
            "testing::path::tests::the_macro_names_this_very_test"
        );
    }
}
