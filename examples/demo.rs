//! The main demo: one 64 MiB shared region, a kernel, a compute module and a host.
//!
//! ```text
//! cargo run -p inos-examples --example demo              # the story, then a results table
//! cargo run -p inos-examples --example demo -- --quiet   # the results table only
//! cargo run -p inos-examples --example demo -- --json    # the results as one JSON document
//! ```
//!
//! The kernel formats the standard layout, its rings, ledger, arena and registry tables; the
//! module registers itself and the kernel finds it by id; each job is paid through an escrow
//! hold and its input (64 KiB to 1 MiB) lives in the arena, handed to the module as a 16-byte
//! `BlockRef`; at the end every job, credit, arena byte and registry entry is accounted for, and
//! hostile bytes (a corrupted header or ring record, a stale or forged block reference) are
//! refused with typed errors. The story, step by step, is in `inos_examples::main_demo`, where a
//! test runs it too.

use clap::Parser;
use inos_examples::main_demo::{mib, run, Res, PRICE};

/// The demo's command line.
#[derive(Parser)]
#[command(about = "One shared region, a kernel, a compute module and a host")]
struct Args {
    /// Print only the results table (no story, no progress).
    #[arg(long)]
    quiet: bool,
    /// Print only the results, as one JSON document on stdout.
    #[arg(long)]
    json: bool,
}

fn main() -> Res<()> {
    let args = Args::parse();
    let r = run(!args.quiet && !args.json)?;
    if args.json {
        let doc = serde_json::json!({
            "jobs": r.jobs,
            "processed": r.processed,
            "settled": r.settled,
            "host_updates": r.host_updates,
            "price": PRICE,
            "requester": { "balance": r.requester_balance, "held": r.requester_held },
            "provider": { "balance": r.provider_balance },
            "audit_balanced": r.audit_balanced,
            "inbox": { "dropped": r.inbox.dropped, "aborted": r.inbox.aborted, "unblocked": r.inbox.unblocked },
            "arena_chunks": r.arena_chunks,
            "arena_blocks_handed_off": r.arena_blocks_handed_off,
            "arena_results_handed_back": r.arena_results_handed_back,
            "arena_bytes_moved_by_ref": r.arena_bytes_moved_by_ref,
            "arena_peak_bytes_in_use": r.arena_peak_bytes_in_use,
            "arena_bytes_in_use_after": r.arena_bytes_in_use_after,
            "dispatcher_waits": r.dispatcher_waits,
            "registry_modules_registered": r.registry_modules_registered,
            "registry_heartbeat_seen": r.registry_heartbeat_seen,
            "registry_epoch": r.registry_epoch,
            "registry_live_after": r.registry_live_after,
            "registry_stale_handle": r.registry_stale_handle.to_string(),
            "hostile_refused": r.hostile_refused.iter().map(|(what, e)| serde_json::json!({ "what": what, "error": e })).collect::<Vec<_>>(),
            "elapsed_ms": r.elapsed.as_secs_f64() * 1e3,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    println!("\nresults");
    println!(
        "  jobs           {} dispatched, {} processed, {} settled (each once)",
        r.jobs, r.processed, r.settled
    );
    println!(
        "  credits        {} paid at {PRICE} each; requester {} (held {}), provider {}",
        r.settled as i64 * PRICE,
        r.requester_balance,
        r.requester_held,
        r.provider_balance
    );
    println!(
        "  ledger audit   {}",
        if r.audit_balanced {
            "balanced"
        } else {
            "NOT balanced"
        }
    );
    println!(
        "  inbox          dropped {}, aborted {}, unblocked {}",
        r.inbox.dropped, r.inbox.aborted, r.inbox.unblocked
    );
    println!(
        "  arena          {} inputs handed off by ref ({:.1} MiB moved as 16-byte refs), {} result blocks back",
        r.arena_blocks_handed_off,
        mib(r.arena_bytes_moved_by_ref),
        r.arena_results_handed_back
    );
    println!(
        "                 peak {:.1} MiB in use ({} dispatcher waits), {} bytes in use after",
        mib(r.arena_peak_bytes_in_use),
        r.dispatcher_waits,
        r.arena_bytes_in_use_after
    );
    println!(
        "  registry       {} module registered (heartbeat {} seen), {} live entries after, stale handle refused",
        r.registry_modules_registered, r.registry_heartbeat_seen, r.registry_live_after
    );
    println!("  host progress  {} updates", r.host_updates);
    println!(
        "  hostile bytes  {} of 4 refused with a typed error",
        r.hostile_refused.len()
    );
    println!("  elapsed        {:.2?}", r.elapsed);
    Ok(())
}
