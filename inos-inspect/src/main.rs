//! `inos-inspect`: look at an inos region file, read-only. See the crate docs and README.
#![forbid(unsafe_code)]

use std::io::IsTerminal;

use clap::Parser;

fn main() {
    let cli = inos_inspect::Cli::parse();
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let code = inos_inspect::run(&cli, &mut stdout.lock(), &mut std::io::stderr(), terminal);
    std::process::exit(code);
}
