//! The fuzz targets' seed corpora (`fuzz/corpus/<target>/`): a realistic configuration of the
//! provider block and of each resource, as Terraform would send it (msgpack), as stored state (JSON),
//! and with every attribute unknown; handshake environments. The committed files must be what this
//! generates (`UPDATE_FUZZ_SEEDS=1 cargo test --test fuzz_seeds` rewrites them), and each seed must
//! decode: a corpus the targets reject at the first byte would fuzz nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::json;
use terraform_provider_prod::framework::{json as tfjson, msgpack, Schema, Value};

fn samples() -> Vec<serde_json::Value> {
    let subnets = json!(["subnet-0a1", "subnet-0b2", "subnet-0c3"]);
    vec![
        json!({"region": "us-east-1", "environment": "production", "default_tags": {"team": "platform"},
               "endpoints": {"ec2": "http://127.0.0.1:4566", "rds": "http://127.0.0.1:4566"}}),
        json!({"name": "ops-production", "tags": {"service": "payments"},
               "notify": [{"severity": "critical", "protocol": "email", "endpoint": "oncall@example.com"},
                          {"severity": "warning", "protocol": "https", "endpoint": "https://chat.example.com/hook"}],
               "alarm": [{"name": "api-cpu", "namespace": "AWS/EC2", "metric_name": "CPUUtilization",
                          "dimensions": {"AutoScalingGroupName": "api"}, "comparison": "GreaterThanThreshold",
                          "threshold": 90, "severity": "critical"}],
               "cluster_ids": ["web"], "database_ids": ["db"], "timeouts": {"create": "10m"}}),
        json!({"name": "web-production", "image_id": "ami-0123456789abcdef0", "subnet_ids": subnets,
               "public_subnet_ids": subnets, "min_size": 3, "max_size": 9, "desired_capacity": 3,
               "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/0b8e7a7e",
               "ingress_cidr_blocks": ["10.0.0.0/8"], "user_data": "#!/bin/sh\n", "tags": {"a": "b"}}),
        json!({"name": "payments-db", "engine": "aurora-postgresql", "subnet_ids": subnets,
               "allowed_security_group_ids": ["sg-0123"], "replicas": 2, "backup_retention_days": 30,
               "instance_class": "db.r6g.large", "parameters": {"log_min_duration_statement": "500"},
               "deletion_protection": true, "timeouts": {"create": "1h30m", "delete": "30m"}}),
        json!({"name": "main", "az_count": 3, "cidr_block": "10.20.0.0/16", "environment": "staging",
               "tags": {"service": "payments"}}),
        json!({"name": "sessions", "engine": "valkey", "engine_version": "8.0", "subnet_ids": subnets,
               "allowed_security_group_ids": ["sg-0123"], "shards": 3, "replicas_per_shard": 2,
               "parameters": {"maxmemory-policy": "allkeys-lru"}, "snapshot_retention_days": 7}),
        json!({"database_id": "ledger-production", "restore_time": "2026-12-01T02:30:00Z",
               "region": "us-west-2", "tags": {"drill": "quarterly"}, "timeouts": {"create": "2h"}}),
    ]
}

/// Every attribute of an object value made unknown, as in a plan.
fn all_unknown(v: &Value) -> Value {
    match v.as_map() {
        Some(m) => {
            let mut out = v.clone();
            for k in m.keys() {
                out.set(k, Value::unknown());
            }
            out
        }
        None => v.clone(),
    }
}

/// The provider block's schema and every resource's, in the fuzz targets' order (fuzz/src/lib.rs).
fn schemas() -> Vec<(String, Schema)> {
    let mut out = vec![(
        "provider".to_string(),
        terraform_provider_prod::provider::config::schema(),
    )];
    for r in terraform_provider_prod::resources::all() {
        out.push((r.type_name().to_string(), r.schema().clone()));
    }
    out
}

/// Every seed: (target, file name) → bytes.
fn seeds() -> BTreeMap<(String, String), Vec<u8>> {
    let mut out = BTreeMap::new();
    let schemas = schemas();
    assert_eq!(schemas.len(), samples().len(), "one sample per schema");
    for (i, ((name, schema), sample)) in schemas.iter().zip(samples()).enumerate() {
        // Every attribute a sample sets is one the schema has (a misspelt one would decode as absent).
        for key in sample.as_object().unwrap().keys() {
            assert!(
                schema.block.attributes.iter().any(|a| &a.name == key)
                    || schema.block.blocks.iter().any(|b| &b.name == key),
                "{name}: the sample sets {key:?}, which the schema does not have"
            );
        }
        let ty = schema.implied_type();
        let v = tfjson::decode(&sample, &ty).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (kind, value) in [("config", v.clone()), ("unknown", all_unknown(&v))] {
            let mut bytes = vec![i as u8];
            bytes.extend(msgpack::encode(&value, &ty).unwrap());
            // Each seed decodes, and validation runs on it without a panic.
            assert!(msgpack::decode(&bytes[1..], &ty).is_ok(), "{name}-{kind}");
            for target in ["dynamic_value", "config_validation"] {
                out.insert(
                    (target.to_string(), format!("{name}-{kind}")),
                    bytes.clone(),
                );
            }
        }
        let mut state = vec![i as u8];
        state.extend(serde_json::to_vec(&sample).unwrap());
        assert!(
            terraform_provider_prod::tfplugin::convert::upgrade_state(schema, &state[1..]).is_ok(),
            "{name}"
        );
        out.insert(("state_upgrade".to_string(), name.clone()), state);
    }
    let cookie = terraform_provider_prod::plugin::handshake::MAGIC_COOKIE_VALUE;
    out.insert(
        ("handshake_env".to_string(), "terraform".to_string()),
        format!("{cookie}\u{0}5,6\u{0}-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ0==\n-----END CERTIFICATE-----\n").into_bytes(),
    );
    out.insert(
        ("handshake_env".to_string(), "old".to_string()),
        format!("{cookie}\u{0}4,5\u{0}").into_bytes(),
    );
    out
}

#[test]
fn committed_seed_corpora_are_current_and_decode() {
    let corpus: PathBuf = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("fuzz/corpus");
    let seeds = seeds();
    if std::env::var_os("UPDATE_FUZZ_SEEDS").is_some() {
        for ((target, name), bytes) in &seeds {
            let dir = corpus.join(target);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
    for ((target, name), bytes) in &seeds {
        let path: &Path = &corpus.join(target).join(name);
        let committed = std::fs::read(path).unwrap_or_else(|_| {
            panic!(
                "{} is missing: run UPDATE_FUZZ_SEEDS=1 cargo test --test fuzz_seeds",
                path.display()
            )
        });
        assert_eq!(&committed, bytes, "{} is stale", path.display());
    }
}
