//! `redsim replay FILE`: runs a saved replay file (`corpus/seeds/*.toml`, written by
//! `redsim run --record DIR`) again and prints the same text `redsim run` printed for it:
//! the scenario's paragraph, the verdict line, the interleaving table and the explanation.
//!
//! Exit status: 0 no anomaly, 1 an anomaly (as `redsim run`), 2 a bad file, or a verdict
//! that differs from the one the file recorded (both are printed), 3 inconclusive.

use redsim_sim::replay::{RecordedVerdict, ReplayFile, ScenarioSource};
use redsim_sim::report::colour::Style;
use redsim_sim::report::{mode, present};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The replay file (corpus/seeds/*.toml).
    pub file: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    let style = Style::detect();
    let file = match ReplayFile::load(&args.file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("redsim replay: {e}");
            return ExitCode::from(2);
        }
    };
    let dir = args.file.parent().unwrap_or(Path::new("."));
    let shown = match file.replay(dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("redsim replay: {}: {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    if let ScenarioSource::Path(p) = &file.scenario {
        if let Some(text) = mode::description(&dir.join(p)) {
            println!("{}", present::wrap(&text, 100));
        }
    }
    print!("{}", present::run_text(&shown, style));
    if let Some(sh) = &file.shrunk {
        println!(
            "\nShrunk from {} to {} (same failure: {}); the scenario's client groups cut to {}",
            sh.from,
            sh.to,
            sh.kind,
            sh.cut.to_toml()
        );
    }
    println!(
        "\nReplay: redsim replay {}",
        super::line::shown_path(&args.file)
    );
    let now = RecordedVerdict::of(&shown.verdict);
    if now != file.verdict {
        eprintln!("redsim replay: the verdict differs from the recorded one");
        eprintln!("recorded: {:?}", file.verdict);
        eprintln!("replayed: {now:?}");
        return ExitCode::from(2);
    }
    if shown.verdict.is_anomalous() {
        ExitCode::from(1)
    } else if shown.verdict.is_inconclusive() {
        ExitCode::from(super::EXIT_INCONCLUSIVE)
    } else {
        ExitCode::SUCCESS
    }
}
