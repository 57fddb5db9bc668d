//! End to end: the dashboard `<name>` (alarm status, a row per watched resource with the pack's
//! thresholds as lines), read back through the AWS API, a hand edit and a deletion repaired,
//! `dashboard = false` deleting it, destroy leaving nothing. The watched cluster is given as its
//! `watch` map (the packs are planned from those values alone).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::sweep::aws;
use common::tf::Tf;
use common::{env, sweep};
use serde_json::Value as Json;

fn config(name: &str, dashboard: &str) -> String {
    env::provider_block("development")
        + &format!(
            r#"
resource "prod_alerting" "ops" {{
  name = "{name}"
  {dashboard}
  watch = {watch}

  pack_override {{
    metric   = "cpu"
    warning  = 70
    critical = 85
  }}
}}

output "dashboard_url" {{ value = prod_alerting.ops.dashboard_url }}
"#,
            watch = env::cluster_watch(name)
        )
}

/// The dashboard's body as JSON; `None` when CloudWatch says it does not exist (any other error
/// fails the test: gone means not found).
async fn body(cw: &aws_sdk_cloudwatch::Client, name: &str) -> Option<Json> {
    match cw.get_dashboard().dashboard_name(name).send().await {
        Ok(out) => Some(serde_json::from_str(&out.dashboard_body.unwrap()).unwrap()),
        Err(e) => {
            let not_found = e
                .as_service_error()
                .is_some_and(|s| s.is_dashboard_not_found_error());
            assert!(
                not_found,
                "GetDashboard {name}: {}",
                aws_sdk_cloudwatch::error::DisplayErrorContext(&e)
            );
            None
        }
    }
}

async fn put_body(cw: &aws_sdk_cloudwatch::Client, name: &str, body: &str) {
    cw.put_dashboard()
        .dashboard_name(name)
        .dashboard_body(body)
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn dashboard_shows_the_packs_and_hand_edits_are_repaired() {
    let aws = aws().await;
    let name = env::unique("e2e-board");
    let tf = Tf::new(&config(&name, ""));
    tf.init();
    let p = tf.plan_code(&[]);
    assert!(
        p.stdout.contains(&format!("#dashboards:name={name}")),
        "the address is known at plan: {}",
        p.stdout
    );
    tf.apply(&[]);

    let made = body(&aws.cw, &name).await.expect("dashboard");
    let widgets = made["widgets"].as_array().unwrap();
    assert_eq!(widgets[0]["type"], "alarm");
    let status = widgets[0]["properties"]["alarms"].as_array().unwrap();
    assert_eq!(status.len(), 14, "every pack alarm: {status:?}");
    assert!(status.iter().any(|a| a
        .as_str()
        .unwrap()
        .ends_with(&format!(":alarm:{name}-cluster-{name}-web-cpu-critical"))));
    let cpu = widgets
        .iter()
        .find(|w| w["properties"]["title"] == format!("cluster-{name}-web-cpu"))
        .expect("cpu graph");
    let lines = &cpu["properties"]["annotations"]["horizontal"];
    assert_eq!(
        (lines[0]["value"].as_f64(), lines[1]["value"].as_f64()),
        (Some(70.0), Some(85.0)),
        "the thresholds, overrides applied, as lines"
    );
    assert_eq!(
        widgets.len(),
        1 + 7,
        "one graph per metric of the compute pack (this watch map has no web ACL or certificate)"
    );
    let r = tf.run(&["output", "-raw", "dashboard_url"]);
    assert!(
        r.stdout
            .contains(&format!("region=us-east-1#dashboards:name={name}")),
        "{}",
        r.stdout
    );
    assert_eq!(tf.plan_code(&[]).code, 0, "{}", tf.plan_code(&[]).all());

    // A hand edit is drift, and apply puts the dashboard back.
    put_body(&aws.cw, &name, r#"{"widgets":[{"type":"text","x":0,"y":0,"width":6,"height":3,"properties":{"markdown":"hi"}}]}"#).await;
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    assert!(
        p.stdout.contains("changed outside Terraform"),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    assert_eq!(body(&aws.cw, &name).await.as_ref(), Some(&made));
    assert_eq!(tf.plan_code(&[]).code, 0);

    // A deleted dashboard is made again.
    aws.cw
        .delete_dashboards()
        .dashboard_names(&name)
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert!(p.stdout.contains("is missing"), "{}", p.stdout);
    tf.apply(&[]);
    assert_eq!(body(&aws.cw, &name).await.as_ref(), Some(&made));

    // Turned off: deleted.
    tf.write(&config(&name, "dashboard = false"));
    let p = tf.plan_code(&[]);
    assert!(
        p.stdout.contains("dashboard") && p.stdout.contains("true -> false"),
        "{}",
        p.stdout
    );
    tf.apply(&[]);
    assert_eq!(body(&aws.cw, &name).await, None);
    assert_eq!(tf.plan_code(&[]).code, 0, "{}", tf.plan_code(&[]).all());

    // On again, then destroyed with it.
    tf.write(&config(&name, ""));
    tf.apply(&[]);
    assert!(body(&aws.cw, &name).await.is_some());
    sweep::destroy_alerting(&tf, &name).await;
}
