//! End to end: `pack_override` moves a pack's thresholds, shown in the plan, applied in place,
//! read back through the AWS API; a threshold changed outside Terraform is repaired to the
//! override; destroy leaves nothing. The watched cluster is given as its `watch` map (the packs
//! are planned from those values alone, so no cluster needs to exist).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_sdk_cloudwatch::types::ComparisonOperator;
use common::sweep::aws;
use common::tf::Tf;
use common::{env, sweep};

fn config(name: &str, warning: i64, critical: i64) -> String {
    env::provider_block("development")
        + &format!(
            r#"
resource "prod_alerting" "ops" {{
  name = "{name}"
  watch = {watch}

  pack_override {{
    metric   = "cpu"
    warning  = {warning}
    critical = {critical}
  }}
  pack_override {{
    kind     = "cluster"
    metric   = "p99-latency"
    critical = 1
  }}
}}
"#,
            watch = env::cluster_watch(name)
        )
}

#[tokio::test(flavor = "multi_thread")]
async fn pack_overrides_move_the_alarms_in_place_and_drift_is_repaired() {
    let aws = aws().await;
    let name = env::unique("e2e-override");
    let tf = Tf::new(&config(&name, 70, 85));
    tf.init();
    tf.apply(&[]);
    let alarm = |metric: &str, tier: &str| format!("{name}-cluster-{name}-web-{metric}-{tier}");
    let threshold = |metric: &'static str, tier: &'static str| {
        let cw = aws.cw.clone();
        let full = alarm(metric, tier);
        async move { env::alarm(&cw, &full).await.threshold }
    };
    assert_eq!(threshold("cpu", "warning").await, Some(70.0));
    assert_eq!(threshold("cpu", "critical").await, Some(85.0));
    assert_eq!(threshold("p99-latency", "critical").await, Some(1.0));
    assert_eq!(
        threshold("p99-latency", "warning").await,
        Some(0.1),
        "a tier not overridden keeps the pack's"
    );
    assert_eq!(tf.plan_code(&[]).code, 0, "{}", tf.plan_code(&[]).all());

    // A new override is an in-place change the plan shows.
    tf.write(&config(&name, 75, 90));
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    assert!(
        p.stdout.contains("70 -> 75")
            && p.stdout.contains("85 -> 90")
            && p.stdout.contains("1 to change, 0 to destroy"),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    assert_eq!(threshold("cpu", "warning").await, Some(75.0));
    assert_eq!(threshold("cpu", "critical").await, Some(90.0));
    assert_eq!(tf.plan_code(&[]).code, 0);

    // Drift: the overridden threshold changed outside Terraform.
    let live = env::alarm(&aws.cw, &alarm("cpu", "critical")).await;
    aws.cw
        .put_metric_alarm()
        .alarm_name(alarm("cpu", "critical"))
        .namespace("AWS/EC2")
        .metric_name("CPUUtilization")
        .set_dimensions(live.dimensions.clone())
        .set_statistic(live.statistic.clone())
        .period(60)
        .evaluation_periods(5)
        .threshold(99.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .set_alarm_actions(live.alarm_actions.clone())
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "drift shows: {}", p.all());
    assert!(p.stdout.contains("threshold 99"), "{}", p.stdout);
    tf.apply(&[]);
    assert_eq!(threshold("cpu", "critical").await, Some(90.0));
    assert_eq!(tf.plan_code(&[]).code, 0);

    sweep::destroy_alerting(&tf, &name).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn override_mistakes_are_diagnostics_on_the_attribute() {
    let name = env::unique("e2e-override-bad");
    let bad = config(&name, 90, 85).replace("metric   = \"p99-latency\"", "metric   = \"disk\"");
    let tf = Tf::new(&bad);
    tf.init();
    let r = tf.run(&["validate", "-no-color"]);
    assert_ne!(r.code, 0);
    let all = r.all();
    assert!(all.contains("Critical before warning"), "{all}");
    assert!(all.contains("Unknown pack metric"), "{all}");
    assert!(
        all.contains("p99-latency, in-service, cpu."),
        "the hint lists the cluster pack's metrics: {all}"
    );
    assert!(
        all.lines().any(|l| l.contains("metric   = \"disk\"")),
        "points at the metric: {all}"
    );

    // One tier given against the pack's other: p99 latency's critical under the pack's warning
    // (0.1 s) is refused at plan, on its block, before anything is made.
    tf.write(&config(&name, 70, 85).replace("critical = 1\n", "critical = 0.05\n"));
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 1, "{}", p.all());
    let all = p.all();
    assert!(all.contains("Critical before warning"), "{all}");
    // Terraform wraps the detail: compare it with its lines joined.
    let joined = all.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains("warning threshold of 0.1 and a critical one of 0.05"),
        "{all}"
    );
    assert!(
        all.lines().any(|l| l.contains("critical = 0.05")),
        "points at the threshold the block gives: {all}"
    );
}
