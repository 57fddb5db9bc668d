//! The provider binary: Terraform starts it with the magic cookie; `--debug` runs it standalone for
//! attaching Terraform through `TF_REATTACH_PROVIDERS`.

use std::process::ExitCode;

use terraform_provider_prod::plugin::handshake::{self, MAGIC_COOKIE_KEY};
use terraform_provider_prod::plugin::server::{self, Mode};

fn main() -> ExitCode {
    let debug = std::env::args()
        .skip(1)
        .any(|a| a == "--debug" || a == "-debug");
    if !debug {
        if let Err(e) = handshake::check_cookie(std::env::var(MAGIC_COOKIE_KEY).ok().as_deref()) {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    }
    terraform_provider_prod::logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // A resource's apply is one deep future (blueprint walk, SDK retries with backoff, waits);
        // unoptimised builds overflowed the 2 MiB default under throttling. Address space only: the
        // pages a thread never touches are not resident.
        .thread_stack_size(16 * 1024 * 1024)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("terraform-provider-prod: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(server::serve(if debug {
        Mode::Debug
    } else {
        Mode::Managed
    }));
    terraform_provider_prod::logging::write_process_stats();
    match result {
        Ok(()) => {
            // Exit without waiting for lingering connections: Terraform kills a provider that is
            // still running two seconds after Shutdown.
            runtime.shutdown_background();
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!(error = %e, "provider failed");
            eprintln!("terraform-provider-prod: {e}");
            ExitCode::from(1)
        }
    }
}
