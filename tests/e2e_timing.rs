//! End to end under AWS's timing (issue 23): the local AWS's timing rule (`scripts/local_aws_timing.py`)
//! keeps every NAT gateway, database instance, replication group and load balancer in its pending
//! state for its documented duration, scaled down, misses new objects on the first describe, and
//! refuses what AWS refuses on pending objects. The full production stack (`examples/ledger`: network,
//! cluster, database with two replicas, Redis on three nodes, alerting) applies, plans empty,
//! decommissions and destroys leaving nothing; the call record proves the provider waited.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::examples::applied_example;
use common::faults::{Call, Faults};
use common::sweep;
use serde_json::json;

/// AWS's durations times this: a Multi-AZ primary (15 min) takes 45 s, a replica 30 s, the
/// replication group 36 s, a NAT gateway 6 s.
const SCALE: f64 = 0.05;

/// How many answers of `action` reported `id` in `state`.
fn answered(calls: &[Call], action: &str, id: &str, state: &str) -> usize {
    let want = format!("{id}={state}");
    calls
        .iter()
        .filter(|c| c.action == action && c.pending.contains(&want))
        .count()
}

/// (action, state) -> how many answers reported an object so, for the log of the run.
fn census(calls: &[Call]) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for c in calls {
        for p in &c.pending {
            let state = p.rsplit('=').next().unwrap_or_default().to_string();
            *out.entry((c.action.clone(), state)).or_default() += 1;
        }
    }
    out
}

/// The ids `action`'s answers reported in `state`, each once.
fn ids_in(calls: &[Call], action: &str, state: &str) -> Vec<String> {
    let mut ids: Vec<String> = calls
        .iter()
        .filter(|c| c.action == action)
        .flat_map(|c| c.pending.iter())
        .filter_map(|p| p.strip_suffix(&format!("={state}")))
        .map(str::to_string)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn production_stack_applies_and_destroys_under_aws_timing() {
    let faults = Faults::new("tm");
    faults.set(json!({ "timing": { "scale": SCALE } }));
    let started = std::time::Instant::now();
    let (tf, vars, name) = applied_example("ledger", "tm", "production", Some(&faults.key)).await;
    let applied = started.elapsed().as_secs_f64();
    let calls = faults.calls();
    eprintln!(
        "apply and plan: {applied:.0} s; pending answers: {:?}",
        census(&calls)
    );

    // The primary and the replication group were first not listed, then answered `creating`, and
    // the provider kept polling until `available`; each replica was waited for too.
    for action in ["DescribeDBInstances", "DescribeReplicationGroups"] {
        let creating = answered(&calls, action, &name, "creating");
        let missing = answered(&calls, action, &name, "missing");
        assert!(
            creating >= 1 && creating + missing >= 2,
            "{action}: {:?}",
            census(&calls)
        );
    }
    let instances = ids_in(&calls, "DescribeDBInstances", "creating");
    assert_eq!(
        instances.len(),
        3,
        "primary and two replicas: {instances:?}"
    );
    assert!(!ids_in(&calls, "DescribeNatGateways", "pending").is_empty());
    for action in ["DescribeDBInstances", "DescribeReplicationGroups"] {
        let last = calls.iter().rfind(|c| c.action == action).unwrap();
        assert!(
            last.status == 200 && last.pending.is_empty(),
            "the apply ended on a pending answer: {last:?}"
        );
    }

    // Decommission (the guards off), then destroy: every delete waited for, nothing left.
    let mut decommission: Vec<&str> = vars.iter().map(String::as_str).collect();
    decommission.push("-var=decommission=true");
    tf.apply(&decommission);
    let mut args = vec!["destroy", "-auto-approve", "-no-color"];
    args.extend(&decommission);
    let d = tf.run(&args);
    assert_eq!(d.code, 0, "{}", d.all());
    let calls = faults.calls();
    eprintln!(
        "whole run: {:.0} s; pending answers: {:?}",
        started.elapsed().as_secs_f64(),
        census(&calls)
    );
    assert!(
        ids_in(&calls, "DescribeDBInstances", "deleting").contains(&name),
        "{:?}",
        census(&calls)
    );
    let left = tf.run(&["state", "list"]);
    assert!(left.stdout.trim().is_empty(), "{}", left.stdout);
    assert_eq!(sweep::aws().await.stack(&name).await, Vec::<String>::new());
}
