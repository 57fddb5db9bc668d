//! End to end: how teams work with the provider, each through its example and the real `terraform`:
//! promotion across workspaces (`examples/promotion`, with its profile comparison), the drift workflow
//! (`examples/drift-check`), adopting a running stack with `import` blocks (`examples/import`), and
//! state shared in S3 with a lock file (`examples/remote-state`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::examples::{all_resources, copy_config, image_and_certificate};
use common::tf::Tf;
use common::{env, sweep};

/// The values of the module's `kind` resource in the current workspace's state.
fn module_values(tf: &Tf, kind: &str) -> serde_json::Value {
    let s: serde_json::Value =
        serde_json::from_str(&tf.run(&["show", "-json"]).ok().stdout).unwrap();
    all_resources(&s)
        .into_iter()
        .find(|r| r["type"] == kind)
        .unwrap_or_else(|| panic!("{kind} in state"))["values"]
        .clone()
}

async fn db_instance(aws: &sweep::Aws, id: &str) -> aws_sdk_rds::types::DbInstance {
    aws.rds
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .unwrap()
        .db_instances
        .unwrap()
        .remove(0)
}

fn state_list(tf: &Tf) -> Vec<String> {
    tf.run(&["state", "list"])
        .ok()
        .stdout
        .lines()
        .map(str::to_string)
        .collect()
}

fn with<'a>(vars: &'a [String], extra: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = extra.to_vec();
    v.extend(vars.iter().map(String::as_str));
    v
}

/// What `compare-profiles` must list between staging and production for the stack module's
/// defaults: the rows of the profile table where the two differ (docs/index.md) that a plan shows, as
/// an argument or as the posture control a profile relaxes, and nothing that only carries the
/// environment's name or follows from another value.
fn staging_to_production() -> BTreeSet<String> {
    [
        // network: zones the provider picks 2 → 3 (flow logs are kept a year or more in both:
        // CloudWatch.16 passes in both)
        "module.stack.prod_network.this.az_count",
        // cluster: min / desired / max 2/2/4 → 3/3/9, root volume 30 → 50 GiB, load balancer
        // deletion protection off → on (ELB.6); the web ACL's logs kept 365 → 2557 days pass in
        // both, and instance logs are kept 30 days in both
        "module.stack.prod_cluster.this.min_size",
        "module.stack.prod_cluster.this.desired_capacity",
        "module.stack.prod_cluster.this.max_size",
        "module.stack.prod_cluster.this.root_volume_size",
        "module.stack.prod_cluster.this.posture[\"ELB.6\"]",
        // database: replicas 1 → 2, storage 50/500 → 100/1000 GiB, backups 7 → 30 days
        "module.stack.module.data.prod_database_ha.this.replicas",
        "module.stack.module.data.prod_database_ha.this.allocated_storage",
        "module.stack.module.data.prod_database_ha.this.max_allocated_storage",
        "module.stack.module.data.prod_database_ha.this.backup_retention_days",
        // redis: replicas 1 → 2, snapshots 3 → 7 days
        "module.stack.module.data.prod_redis_cluster.this.replicas_per_shard",
        "module.stack.module.data.prod_redis_cluster.this.snapshot_retention_days",
    ]
    .into_iter()
    .map(str::to_string)
    .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn promotion_three_workspaces_side_by_side_compared_drift_repaired_and_destroyed() {
    let (image, cert) = image_and_certificate().await;
    let service = env::unique("pr");
    let example = env::repo().join("examples/promotion");
    let tf = copy_config(&example);
    let vars = vec![
        format!("-var=image_id={image}"),
        format!("-var=certificate_arn={cert}"),
        format!("-var=service={service}"),
        "-var=alert_email=oncall@example.com".to_string(),
    ];
    let name = |environment: &str| format!("{service}-{environment}");
    tf.init();

    // `default` is development.
    tf.apply(&with(&vars, &[]));
    let out = tf
        .run(&["output", "-raw", "environment"])
        .ok()
        .stdout
        .clone();
    assert_eq!(out, "development");
    assert_eq!(tf.plan_code(&with(&vars, &[])).code, 0);

    // The documented comparison plans staging and production (creating the workspaces) and lists
    // exactly the profile's differences, then puts us back where we were.
    let cmp = tf.run_script(&example.join("compare-profiles"), &with(&vars, &[]));
    assert_eq!(cmp.code, 0, "{}", cmp.all());
    let listed: BTreeSet<String> = cmp
        .stdout
        .lines()
        .filter(|l| l.starts_with("module."))
        .map(|l| l.split(": ").next().unwrap().to_string())
        .collect();
    assert_eq!(listed, staging_to_production(), "{}", cmp.stdout);
    assert!(
        cmp.stdout.contains("backup_retention_days: 7 -> 30"),
        "{}",
        cmp.stdout
    );
    assert_eq!(tf.run(&["workspace", "show"]).ok().stdout.trim(), "default");

    // The same code in staging and production: the stricter profiles, no collision, empty plans.
    for ws in ["staging", "production"] {
        tf.run(&["workspace", "select", ws]).ok();
        tf.apply(&with(&vars, &[]));
        assert_eq!(tf.run(&["output", "-raw", "environment"]).ok().stdout, ws);
        let p = tf.plan_code(&with(&vars, &[]));
        assert_eq!(p.code, 0, "{ws}: {}", p.all());
        assert_eq!(state_list(&tf).len(), 5, "{ws}");
        if ws == "staging" {
            // Staging exists, production not yet: the comparison still lists exactly the profile's
            // differences, and only counts what the production plan cannot know yet (its new key).
            let cmp = tf.run_script(&example.join("compare-profiles"), &with(&vars, &[]));
            assert_eq!(cmp.code, 0, "{}", cmp.all());
            let listed: BTreeSet<String> = cmp
                .stdout
                .lines()
                .filter(|l| l.starts_with("module."))
                .map(|l| l.split(": ").next().unwrap().to_string())
                .collect();
            assert_eq!(listed, staging_to_production(), "{}", cmp.stdout);
            assert!(
                !cmp.stdout.contains("(absent)") && !cmp.stdout.contains("known after apply\" ->"),
                "{}",
                cmp.stdout
            );
            assert!(
                cmp.stdout
                    .contains("more differ only in what one plan cannot know yet"),
                "{}",
                cmp.stdout
            );
            assert_eq!(tf.run(&["workspace", "show"]).ok().stdout.trim(), "staging");
        }
    }
    let aws = sweep::aws().await;
    for (environment, replicas, retention, min_size, nodes) in [
        ("development", 0, 1, 1, 1),
        ("staging", 1, 7, 2, 2),
        ("production", 2, 30, 3, 3),
    ] {
        let n = name(environment);
        let db = db_instance(&aws, &n).await;
        assert_eq!(db.backup_retention_period, Some(retention), "{n}");
        assert_eq!(db.multi_az, Some(environment != "development"), "{n}");
        assert_eq!(
            db.read_replica_db_instance_identifiers
                .unwrap_or_default()
                .len(),
            replicas,
            "{n}"
        );
        let asg = aws
            .asg
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(&n)
            .send()
            .await
            .unwrap()
            .auto_scaling_groups
            .unwrap()
            .remove(0);
        assert_eq!(asg.min_size, Some(min_size), "{n}");
        let group = aws
            .ec
            .describe_replication_groups()
            .replication_group_id(&n)
            .send()
            .await
            .unwrap()
            .replication_groups
            .unwrap()
            .remove(0);
        assert_eq!(
            group.member_clusters.unwrap_or_default().len(),
            nodes,
            "{n}"
        );
    }

    // A workspace that is no environment is refused at plan, saying which ones exist.
    tf.run(&["workspace", "new", "qa"]).ok();
    let p = tf.plan_code(&with(&vars, &[]));
    assert_eq!(p.code, 1, "{}", p.all());
    assert!(
        p.all().contains("Workspace \"qa\" is not an environment"),
        "{}",
        p.all()
    );
    tf.run(&["workspace", "select", "production"]).ok();
    tf.run(&["workspace", "delete", "qa"]).ok();

    // Drift in production, made through the AWS API: backups cut to a week, the cache opened.
    let n = name("production");
    aws.rds
        .modify_db_instance()
        .db_instance_identifier(&n)
        .backup_retention_period(7)
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    let cache_sg = module_values(&tf, "prod_redis_cluster")["security_group_id"]
        .as_str()
        .unwrap()
        .to_string();
    env::open_to_world(&aws.ec2, &cache_sg, 6379).await;

    // Seen by a refresh-only plan, attribute by attribute, the posture saying what is wrong …
    let refresh = tf.plan_code(&with(&vars, &["-refresh-only"]));
    assert_eq!(refresh.code, 2, "{}", refresh.all());
    assert!(refresh
        .stdout
        .contains("Objects have changed outside of Terraform"));
    assert!(
        refresh.shows("backup_retention_days", "30 -> 7"),
        "{}",
        refresh.stdout
    );
    assert!(
        refresh.shows("\"ingress\"", "\"pass\" ->"),
        "{}",
        refresh.stdout
    );
    // … by the plan (exit 2) as the changes that restore the hardened state …
    let plan = tf.plan_code(&with(&vars, &[]));
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.shows("backup_retention_days", "7 -> 30"),
        "{}",
        plan.stdout
    );
    assert!(plan.shows("\"ingress\"", "-> \"pass\""), "{}", plan.stdout);
    assert!(plan.stdout.contains("2 to change"), "{}", plan.stdout);
    // … and by the scheduled check, which reports both and exits 2.
    let drift_check = env::repo().join("examples/drift-check/drift-check");
    let check = tf.run_script(&drift_check, &with(&vars, &[]));
    assert_eq!(check.code, 2, "{}", check.all());
    assert!(
        check
            .stdout
            .contains("module.stack.module.data.prod_database_ha.this")
            && check
                .stdout
                .contains("module.stack.module.data.prod_redis_cluster.this"),
        "{}",
        check.stdout
    );
    let report = std::fs::read_to_string(tf.path().join("drift-report.txt")).unwrap();
    for part in [
        "## Changed outside Terraform",
        "## What apply restores",
        "backup_retention_days",
        "2 to change",
    ] {
        assert!(report.contains(part), "{part}: {report}");
    }
    // Apply repairs it, as the AWS API confirms; then the plan and the check are clean.
    tf.apply(&with(&vars, &[]));
    let db = db_instance(&aws, &n).await;
    assert_eq!(db.backup_retention_period, Some(30));
    let sg = aws
        .ec2
        .describe_security_groups()
        .group_ids(&cache_sg)
        .send()
        .await
        .unwrap()
        .security_groups
        .unwrap()
        .remove(0);
    assert!(!format!("{:?}", sg.ip_permissions).contains("0.0.0.0/0"));
    assert_eq!(tf.plan_code(&with(&vars, &[])).code, 0);
    // Terraform's refresh-only exit code can be 2 with nothing changed (hashicorp/terraform#36403):
    // its output is what tells.
    let refresh = tf.plan_code(&with(&vars, &["-refresh-only"]));
    assert!(
        refresh.stdout.contains("No changes.") && !refresh.stdout.contains("changed outside"),
        "{}",
        refresh.all()
    );
    let check = tf.run_script(&drift_check, &with(&vars, &[]));
    assert_eq!(check.code, 0, "{}", check.all());
    assert!(check.stdout.contains("no drift"));

    // Production's data is guarded: destroy is refused and touches nothing.
    let refused = tf.run(&with(&vars, &["destroy", "-auto-approve", "-no-color"]));
    assert_ne!(refused.code, 0);
    assert!(
        refused.all().contains("deletion_protection"),
        "{}",
        refused.all()
    );
    assert_eq!(state_list(&tf).len(), 5);

    // Decommission where a profile protects data, then destroy in every workspace.
    for ws in ["production", "staging", "default"] {
        tf.run(&["workspace", "select", ws]).ok();
        if ws != "default" {
            tf.apply(&with(&vars, &["-var=decommission=true"]));
        }
        tf.run(&with(
            &vars,
            &[
                "destroy",
                "-auto-approve",
                "-no-color",
                "-var=decommission=true",
            ],
        ))
        .ok();
        assert_eq!(state_list(&tf), Vec::<String>::new(), "{ws}");
    }
    for ws in ["staging", "production"] {
        tf.run(&["workspace", "delete", ws]).ok();
    }
    // Nothing left but the final snapshots of staging's and production's data, and keys pending
    // deletion.
    for environment in ["development", "staging", "production"] {
        let n = name(environment);
        assert_eq!(aws.stack(&n).await, Vec::<String>::new(), "{n}");
        let kept = usize::from(environment != "development");
        // The database's and the cache's, both named `<n>-final-…`.
        assert_eq!(aws.final_snapshots(&n).await.len(), 2 * kept, "{n}");
    }
}

/// The `components` of every resource of the module in `tf`'s state, by type.
fn components(tf: &Tf) -> Vec<(String, serde_json::Value)> {
    let s: serde_json::Value =
        serde_json::from_str(&tf.run(&["show", "-json"]).ok().stdout).unwrap();
    let mut out: Vec<(String, serde_json::Value)> = all_resources(&s)
        .iter()
        .map(|r| {
            (
                r["type"].as_str().unwrap().to_string(),
                r["values"]["components"].clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn import_blocks_adopt_a_running_stack_without_creating_anything() {
    let (image, cert) = image_and_certificate().await;
    let name = env::unique("im");
    let example = env::repo().join("examples/import");
    let vars = vec![
        format!("-var=name={name}"),
        format!("-var=image_id={image}"),
        format!("-var=certificate_arn={cert}"),
    ];
    // The stack runs, made by another working directory (the same module, no import blocks) …
    let before = copy_config(&example);
    std::fs::remove_file(before.path().join("imports.tf")).unwrap();
    before.init();
    before.apply(&with(&vars, &[]));
    // … whose state is lost. The example's import blocks adopt all five resources.
    let tf = copy_config(&example);
    tf.init();
    let plan = tf.plan_code(&with(&vars, &[]));
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout
            .contains("Plan: 5 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    let applied = tf.apply(&with(&vars, &[]));
    assert!(
        applied
            .stdout
            .contains("Resources: 5 imported, 0 added, 0 changed, 0 destroyed."),
        "{}",
        applied.stdout
    );
    // The same AWS objects, every one of them; the next plan is empty and the blocks stay harmless.
    assert_eq!(components(&tf), components(&before));
    assert_eq!(tf.plan_code(&with(&vars, &[])).code, 0);
    tf.run(&with(&vars, &["destroy", "-auto-approve", "-no-color"]))
        .ok();
    assert_eq!(sweep::aws().await.stack(&name).await, Vec::<String>::new());
}

async fn s3() -> aws_sdk_s3::Client {
    let c = env::sdk_config().await;
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&c)
            .force_path_style(true)
            .build(),
    )
}

async fn object(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Option<String> {
    let o = s3.get_object().bucket(bucket).key(key).send().await.ok()?;
    let bytes = o.body.collect().await.unwrap().into_bytes();
    Some(String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn remote_state_in_s3_is_shared_by_a_team_and_locked_while_in_use() {
    let s3 = s3().await;
    let bucket = env::unique("tfstate");
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let key = "platform/network.tfstate";
    let lock = format!("{key}.tflock");
    let name = env::unique("rs");
    let example = env::repo().join("examples/remote-state");
    let backend_file = format!(
        "-backend-config={}",
        example.join("local.s3.tfbackend").display()
    );
    let backend_bucket = format!("-backend-config=bucket={bucket}");
    let init = [
        "init",
        "-no-color",
        backend_file.as_str(),
        backend_bucket.as_str(),
    ];
    let vars = vec![format!("-var=name={name}")];

    // Alice applies: the state lands in the bucket, not on her disk, and no lock is left behind.
    let alice = copy_config(&example);
    alice.run(&init).ok();
    alice.apply(&with(&vars, &[]));
    assert!(!alice.state_file().exists());
    let state = object(&s3, &bucket, key).await.expect("state in S3");
    assert!(state.contains("\"prod_network\""), "{state}");
    assert_eq!(object(&s3, &bucket, &lock).await, None);

    // Bob's checkout reads the same state: nothing to do.
    let bob = copy_config(&example);
    bob.run(&init).ok();
    assert_eq!(bob.plan_code(&with(&vars, &[])).code, 0);
    assert_eq!(
        bob.run(&["state", "list"]).ok().stdout.trim(),
        "prod_network.shared"
    );

    // While the lock object exists (someone's apply runs), Bob's apply is refused and changes nothing.
    s3.put_object()
        .bucket(&bucket)
        .key(&lock)
        .body(
            r#"{"ID":"5d5b3e7a","Operation":"OperationTypeApply","Who":"alice@laptop","Version":"1.11.4","Path":"platform/network.tfstate"}"#
                .as_bytes()
                .to_vec()
                .into(),
        )
        .send()
        .await
        .unwrap();
    let blocked = bob.run(&with(
        &vars,
        &["apply", "-auto-approve", "-no-color", "-lock-timeout=0s"],
    ));
    assert_ne!(blocked.code, 0);
    assert!(
        blocked.all().contains("Error acquiring the state lock"),
        "{}",
        blocked.all()
    );
    assert!(blocked.all().contains("alice@laptop"), "{}", blocked.all());
    assert_eq!(
        object(&s3, &bucket, key).await.as_deref(),
        Some(state.as_str())
    );
    s3.delete_object()
        .bucket(&bucket)
        .key(&lock)
        .send()
        .await
        .unwrap();

    // Lock released: Bob destroys; the shared state is empty and nothing is left in AWS.
    bob.run(&with(&vars, &["destroy", "-auto-approve", "-no-color"]))
        .ok();
    assert_eq!(object(&s3, &bucket, &lock).await, None);
    assert_eq!(alice.run(&["state", "list"]).ok().stdout.trim(), "");
    assert_eq!(
        sweep::aws().await.network(&name).await,
        Vec::<String>::new()
    );
}
