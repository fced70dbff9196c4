//! Producer processes on one region file, two of them killed with `kill -9`, and every message
//! accounted for.
//!
//! ```text
//! cargo run -p inos-examples --example processes                      # 4 producers x 20000 messages
//! cargo run -p inos-examples --example processes -- --seed 7 --json   # replay a seed, JSON on stdout
//! ```
//!
//! The parent formats a region file in `/dev/shm` (one MPSC ring, epoch slots, a ledger), runs
//! the consumer and supervises N producer processes: this binary re-executed with the hidden
//! `producer` sub-command. Producer 0 is killed inside a reservation, producer 1 at a random
//! moment (seeded); the consumer unblocks the stuck record by itself, the supervisor forgets the
//! dead producers, and the run ends with a table of what each producer committed, what was
//! delivered and what was paid, checked exactly. The scenario and the checks are documented on
//! `inos_examples::procs`, which the CI test `examples/tests/processes.rs` runs too.

#[cfg(unix)]
mod unix {
    use std::path::PathBuf;
    use std::process::ExitCode;
    use std::time::Duration;

    use clap::{Parser, Subcommand};
    use inos_examples::procs::{self, Config, Launcher, ProducerConfig, Res};

    #[derive(Parser)]
    #[command(
        name = "processes",
        about = "Producer processes on one inos region file; two are killed with SIGKILL and every message is accounted for"
    )]
    struct Cli {
        #[command(subcommand)]
        command: Option<Sub>,
        /// Producer processes (1 to 16): producer 0 dies in a reservation, producer 1 at random.
        #[arg(long, default_value_t = 4)]
        producers: u32,
        /// Messages per producer.
        #[arg(long, default_value_t = 20_000)]
        messages: u32,
        /// Seed of the random kill (default: fresh, printed).
        #[arg(long)]
        seed: Option<u64>,
        /// The consumer unblocks a reservation older than this.
        #[arg(long, default_value_t = 250)]
        unblock_after_ms: u64,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 300)]
        timeout_s: u64,
        /// No progress line.
        #[arg(long)]
        quiet: bool,
        /// Print the results as JSON on stdout (no table, no progress line).
        #[arg(long)]
        json: bool,
    }

    #[derive(Subcommand)]
    enum Sub {
        /// A producer process (started by the parent).
        #[command(hide = true)]
        Producer {
            #[arg(long)]
            id: u32,
            #[arg(long)]
            region: PathBuf,
            #[arg(long)]
            count: u32,
            #[arg(long)]
            die_in_reservation_at: Option<u32>,
        },
    }

    fn parent(cli: &Cli) -> Res<bool> {
        let cfg = Config {
            producers: cli.producers,
            messages: cli.messages,
            seed: cli.seed.unwrap_or_else(procs::fresh_seed),
            unblock_after: Duration::from_millis(cli.unblock_after_ms),
            timeout: Duration::from_secs(cli.timeout_s),
            progress: !cli.quiet && !cli.json,
        };
        if !cli.json {
            println!(
                "seed {} (replay with --seed {}); starting {} producer processes",
                cfg.seed, cfg.seed, cfg.producers
            );
        }
        let report = procs::run(&cfg, &Launcher::Subcommand(std::env::current_exe()?))?;
        if cli.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            print!("\n{report}");
        }
        Ok(report.ok())
    }

    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        let result = match &cli.command {
            Some(Sub::Producer {
                id,
                region,
                count,
                die_in_reservation_at,
            }) => procs::run_producer(&ProducerConfig {
                id: *id,
                region: region.clone(),
                count: *count,
                die_in_reservation_at: *die_in_reservation_at,
            })
            .map(|()| true),
            None => parent(&cli),
        };
        match result {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("processes: {e}");
                ExitCode::FAILURE
            }
        }
    }
}

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    unix::main()
}

#[cfg(not(unix))]
fn main() {
    eprintln!("the processes example needs a Unix (SIGKILL, kill(pid, 0))");
}
