//! Start-up and schema benchmark of the built provider (run by `scripts/bench`, or `cargo bench`).
//!
//! Terraform starts 3–4 provider processes per plan or apply, so start-up is paid many times:
//! - exec → handshake line, as Terraform starts the plugin (target ≤ 10 ms median, release build);
//! - GetProviderSchema over the mTLS connection (target ≤ 1 ms median).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/plugin.rs"]
#[allow(dead_code)]
mod plugin;

#[allow(clippy::all, unused_imports)]
mod proto {
    pub use terraform_provider_prod::tfplugin::proto as tf;
}

use std::time::{Duration, Instant};

use proto::tf::provider_client::ProviderClient;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let runs: usize = std::env::var("BENCH_STARTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let calls: usize = std::env::var("BENCH_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);

    // Warm the page cache once.
    drop(plugin::Plugin::start().await);

    let mut starts = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let p = plugin::Plugin::start().await;
        starts.push(t.elapsed());
        drop(p);
    }

    let p = plugin::Plugin::start().await;
    let mut client = ProviderClient::new(p.channel().await);
    let mut schema = Vec::with_capacity(calls);
    for _ in 0..calls {
        let t = Instant::now();
        let r = client
            .get_provider_schema(proto::tf::get_provider_schema::Request {})
            .await
            .unwrap();
        schema.push(t.elapsed());
        assert!(r
            .into_inner()
            .resource_schemas
            .contains_key("prod_alerting"));
    }

    println!(
        "exec -> handshake line ({runs} starts): median {}  p90 {}  (target <= 10 ms median)",
        ms(percentile(&mut starts, 0.5)),
        ms(percentile(&mut starts, 0.9))
    );
    println!(
        "GetProviderSchema ({calls} calls): median {}  p90 {}  (target <= 1 ms)",
        ms(percentile(&mut schema, 0.5)),
        ms(percentile(&mut schema, 0.9))
    );
}
