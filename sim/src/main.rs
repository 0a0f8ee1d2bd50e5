//! The `redsim` command line.

fn main() {
    eprintln!("redsim: the simulator is being built (see the open issues)");
}
