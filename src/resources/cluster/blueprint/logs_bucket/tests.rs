use super::*;

fn place(region: &str) -> Place {
    Place {
        region: region.into(),
        account: "111122223333".into(),
    }
}

#[test]
fn bucket_name_is_the_lower_case_name_and_the_account() {
    let cases = [
        ("plain", "web", "web-lb-logs-111122223333"),
        ("upper case", "Web-Prod", "web-prod-lb-logs-111122223333"),
        (
            "longest name (28) stays within 63",
            "abcdefghijklmnopqrstuvwxyz12",
            "abcdefghijklmnopqrstuvwxyz12-lb-logs-111122223333",
        ),
    ];
    for (case, name, want) in cases {
        let got = bucket_name(name, "111122223333");
        assert_eq!(got, want, "{case}");
        assert!(got.len() <= 63, "{case}");
    }
    assert_eq!(
        bucket_arn("cn-north-1", "b"),
        "arn:aws-cn:s3:::b",
        "the partition follows the region"
    );
}

#[test]
fn settings_per_profile() {
    let cases = [
        ("development", Environment::Development, 7),
        ("staging", Environment::Staging, 365),
        ("production", Environment::Production, 2557),
    ];
    for (case, env, days) in cases {
        let s = settings(&env.log_retention());
        assert_eq!(
            s.expiry_days, days,
            "{case}: the profile's audit log retention"
        );
        assert_eq!(
            s.sse_algorithm, "AES256",
            "{case}: ALB logs support SSE-S3 only"
        );
        assert_eq!(s.object_ownership, "BucketOwnerEnforced", "{case}");
        assert!(s.versioning, "{case}");
    }
}

#[test]
fn destroy_keeps_the_logs_outside_development_unless_forced() {
    let cases = [
        ("development", Environment::Development, false, true),
        ("development forced", Environment::Development, true, true),
        ("staging", Environment::Staging, false, false),
        ("staging forced", Environment::Staging, true, true),
        ("production", Environment::Production, false, false),
        ("production forced", Environment::Production, true, true),
    ];
    for (case, env, force, deleted) in cases {
        assert_eq!(deleted_on_destroy(env, force), deleted, "{case}");
    }
}

#[test]
fn log_writer_per_region() {
    let cases = [
        (
            "old region: its ELB account",
            "us-east-1",
            json!({"AWS": "arn:aws:iam::127311923021:root"}),
        ),
        (
            "old region elsewhere",
            "eu-west-1",
            json!({"AWS": "arn:aws:iam::156460612806:root"}),
        ),
        (
            "GovCloud: its partition",
            "us-gov-west-1",
            json!({"AWS": "arn:aws-us-gov:iam::048591011584:root"}),
        ),
        (
            "Region opened since August 2022: the service principal",
            "eu-central-2",
            json!({"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}),
        ),
        (
            "another new Region",
            "ap-southeast-4",
            json!({"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}),
        ),
    ];
    for (case, region, want) in cases {
        assert_eq!(log_writer(region), want, "{case}");
    }
}

#[test]
fn bucket_policy_is_tls_only_and_lets_elb_write_both_logs() {
    for region in ["us-east-1", "eu-central-2"] {
        let pl = place(region);
        let bucket = bucket_name("web", &pl.account);
        let policy = bucket_policy(&pl, &bucket);
        assert!(denies_insecure_transport(&policy), "{region}");
        for prefix in [ACCESS_PREFIX, CONNECTION_PREFIX] {
            assert!(
                lets_elb_write(&pl, &bucket, prefix, &policy),
                "{region} {prefix}"
            );
        }
        let deny = &policy["Statement"][0];
        assert_eq!(
            deny["Resource"],
            json!([
                "arn:aws:s3:::web-lb-logs-111122223333",
                "arn:aws:s3:::web-lb-logs-111122223333/*"
            ])
        );
        assert_eq!(
            policy["Statement"][1]["Resource"],
            "arn:aws:s3:::web-lb-logs-111122223333/access/AWSLogs/111122223333/*"
        );
    }
}

#[test]
fn policy_checks_find_what_is_missing() {
    let pl = place("us-east-1");
    let bucket = bucket_name("web", &pl.account);
    let full = bucket_policy(&pl, &bucket);
    let without = |i: usize| {
        let mut p = full.clone();
        if let Some(a) = p["Statement"].as_array_mut() {
            a.remove(i);
        }
        p
    };
    let cases: [(&str, serde_json::Value, bool, bool); 5] = [
        ("the blueprint's", full.clone(), true, true),
        ("no policy", serde_json::Value::Null, false, false),
        ("TLS statement removed", without(0), false, true),
        ("access log grant removed", without(1), true, false),
        (
            "another account's writer",
            {
                let mut p = full.clone();
                p["Statement"][1]["Principal"] = json!({"AWS": "arn:aws:iam::999999999999:root"});
                p
            },
            true,
            false,
        ),
    ];
    for (case, policy, tls, access) in cases {
        assert_eq!(denies_insecure_transport(&policy), tls, "{case}");
        assert_eq!(
            lets_elb_write(&pl, &bucket, ACCESS_PREFIX, &policy),
            access,
            "{case}"
        );
    }
}

#[test]
fn lb_attributes_send_both_logs_to_the_bucket() {
    let a: std::collections::BTreeMap<&str, String> = lb_log_attributes("web-lb-logs-111122223333")
        .into_iter()
        .collect();
    let cases = [
        (LB_ACCESS_LOGS_ENABLED, "true"),
        (LB_ACCESS_LOGS_BUCKET, "web-lb-logs-111122223333"),
        (LB_ACCESS_LOGS_PREFIX, "access"),
        (LB_CONNECTION_LOGS_ENABLED, "true"),
        (LB_CONNECTION_LOGS_BUCKET, "web-lb-logs-111122223333"),
        (LB_CONNECTION_LOGS_PREFIX, "connection"),
    ];
    assert_eq!(a.len(), cases.len());
    for (key, want) in cases {
        assert_eq!(a[key], want, "{key}");
    }
}
