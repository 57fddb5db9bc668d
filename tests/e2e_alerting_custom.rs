//! End to end: `alarm` blocks as CloudWatch's own (extended statistics, metric math,
//! `datapoints_to_alarm`, `unit`), applied with the real `terraform`, read back through the AWS
//! API, drift made through the API and repaired, destroyed leaving nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_sdk_cloudwatch::types::{ComparisonOperator, MetricAlarm, StandardUnit};
use common::sweep::aws;
use common::tf::Tf;
use common::{env, sweep};

fn config(name: &str) -> String {
    env::provider_block("development")
        + &format!(
            r#"
resource "prod_alerting" "ops" {{
  name = "{name}"

  alarm {{
    name                = "latency-p99"
    namespace           = "AWS/ApplicationELB"
    metric_name         = "TargetResponseTime"
    dimensions          = {{ LoadBalancer = "app/web/0123456789abcdef" }}
    statistic           = "p99.9"
    unit                = "Seconds"
    evaluation_periods  = 5
    datapoints_to_alarm = 3
    comparison          = "GreaterThanThreshold"
    threshold           = 0.5
    severity            = "critical"
  }}
  alarm {{
    name               = "error-rate"
    expression         = "100 * errors / requests"
    period             = 300
    evaluation_periods = 3
    comparison         = "GreaterThanThreshold"
    threshold          = 2
    severity           = "warning"

    metric {{
      id          = "errors"
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = {{ LoadBalancer = "app/web/0123456789abcdef" }}
      statistic   = "Sum"
    }}
    metric {{
      id          = "requests"
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = {{ LoadBalancer = "app/web/0123456789abcdef" }}
      statistic   = "Sum"
    }}
  }}
}}
"#
        )
}

/// The (id, expression, metric name, stat, period, returned) of each query of a math alarm.
fn queries(a: &MetricAlarm) -> Vec<(String, String, String, String, i32, bool)> {
    a.metrics
        .iter()
        .flatten()
        .map(|q| {
            let stat = q.metric_stat.as_ref();
            (
                q.id.clone().unwrap_or_default(),
                q.expression.clone().unwrap_or_default(),
                stat.and_then(|s| s.metric.as_ref()?.metric_name.clone())
                    .unwrap_or_default(),
                stat.and_then(|s| s.stat.clone()).unwrap_or_default(),
                stat.and_then(|s| s.period).unwrap_or_default(),
                q.return_data.unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_alarms_apply_read_back_and_repair_drift() {
    let aws = aws().await;
    let name = env::unique("e2e-custom");
    let tf = Tf::new(&config(&name));
    tf.init();
    tf.apply(&[]);

    // Read back through the AWS API.
    let p99 = env::alarm(&aws.cw, &format!("{name}-latency-p99")).await;
    assert_eq!(p99.extended_statistic.as_deref(), Some("p99.9"));
    assert_eq!(
        p99.statistic, None,
        "a percentile goes as ExtendedStatistic"
    );
    assert_eq!(p99.unit, Some(StandardUnit::Seconds));
    assert_eq!(
        (p99.evaluation_periods, p99.datapoints_to_alarm),
        (Some(5), Some(3))
    );
    let math = env::alarm(&aws.cw, &format!("{name}-error-rate")).await;
    assert_eq!(math.metric_name, None);
    assert_eq!(
        queries(&math),
        vec![
            (
                "errors".into(),
                "".into(),
                "HTTPCode_Target_5XX_Count".into(),
                "Sum".into(),
                300,
                false
            ),
            (
                "requests".into(),
                "".into(),
                "RequestCount".into(),
                "Sum".into(),
                300,
                false
            ),
            (
                "expression".into(),
                "100 * errors / requests".into(),
                "".into(),
                "".into(),
                0,
                true
            ),
        ]
    );
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "the second plan is empty: {}", p.all());

    // Drift: the percentile, data points and unit changed, and the math rewritten, outside
    // Terraform.
    aws.cw
        .put_metric_alarm()
        .alarm_name(format!("{name}-latency-p99"))
        .namespace("AWS/ApplicationELB")
        .metric_name("TargetResponseTime")
        .set_dimensions(p99.dimensions.clone())
        .extended_statistic("p50")
        .unit(StandardUnit::Milliseconds)
        .period(60)
        .evaluation_periods(5)
        .datapoints_to_alarm(5)
        .threshold(0.5)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .set_alarm_actions(p99.alarm_actions.clone())
        .send()
        .await
        .unwrap();
    let mut changed = math.metrics.clone().unwrap();
    if let Some(last) = changed.last_mut() {
        *last = aws_sdk_cloudwatch::types::MetricDataQuery::builder()
            .id("expression")
            .expression("errors")
            .return_data(true)
            .build();
    }
    aws.cw
        .put_metric_alarm()
        .alarm_name(format!("{name}-error-rate"))
        .set_metrics(Some(changed))
        .evaluation_periods(3)
        .threshold(2.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .set_alarm_actions(math.alarm_actions.clone())
        .send()
        .await
        .unwrap();
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 2, "{}", p.all());
    for shown in [
        "\"p50\" -> \"p99.9\"",
        "5 -> 3",
        "\"Milliseconds\" -> \"Seconds\"",
        "\"errors\" -> \"100 * errors / requests\"",
    ] {
        assert!(p.stdout.contains(shown), "plan shows {shown}: {}", p.stdout);
    }
    tf.apply(&[]);
    let p99 = env::alarm(&aws.cw, &format!("{name}-latency-p99")).await;
    assert_eq!(p99.extended_statistic.as_deref(), Some("p99.9"));
    assert_eq!(p99.datapoints_to_alarm, Some(3));
    assert_eq!(p99.unit, Some(StandardUnit::Seconds));
    let math = env::alarm(&aws.cw, &format!("{name}-error-rate")).await;
    assert_eq!(queries(&math)[2].1, "100 * errors / requests");
    assert_eq!(tf.plan_code(&[]).code, 0);

    sweep::destroy_alerting(&tf, &name).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_alarm_mistakes_are_diagnostics_on_the_attribute() {
    let name = env::unique("e2e-custom-bad");
    let bad = config(&name)
        .replace(
            "statistic           = \"p99.9\"",
            "statistic           = \"p99.999\"",
        )
        .replace("datapoints_to_alarm = 3", "datapoints_to_alarm = 6")
        .replace("100 * errors / requests", "100 * errors / total");
    let tf = Tf::new(&bad);
    tf.init();
    let r = tf.run(&["validate", "-no-color"]);
    assert_ne!(r.code, 0);
    let all = r.all();
    for (summary, line) in [
        ("Invalid statistic", "= \"p99.999\""),
        ("Invalid datapoints_to_alarm", "datapoints_to_alarm = 6"),
        ("Unknown metric id", "100 * errors / total"),
    ] {
        assert!(all.contains(summary), "{summary}: {all}");
        assert!(
            all.lines().any(|l| l.contains(line)),
            "the diagnostic points at {line}: {all}"
        );
    }
    assert!(all.contains("`total` names no `metric` block"), "{all}");
    assert!(!all.contains("Some("), "{all}");
}
