//! `cargo run -p inos-export [-- --check]`: regenerates (or checks) `exports/`, the tables of
//! `docs/PROTOCOL.md` and `docs/conformance/`.
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let files = match inos_export::outputs(&inos_export::repo_root()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stale = 0;
    for (path, content) in &files {
        if std::fs::read_to_string(path).ok().as_deref() == Some(content.as_str()) {
            continue;
        }
        if check {
            eprintln!("out of date: {}", path.display());
            stale += 1;
            continue;
        }
        if let Some(dir) = path.parent() {
            if let Err(e) = std::fs::create_dir_all(dir) {
                eprintln!("cannot create {}: {e}", dir.display());
                return ExitCode::FAILURE;
            }
        }
        if let Err(e) = std::fs::write(path, content) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", path.display());
    }
    if stale > 0 {
        eprintln!("run `cargo run -p inos-export` to regenerate");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
