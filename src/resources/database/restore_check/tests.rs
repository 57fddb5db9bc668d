use super::*;
use crate::provider::ec2::Rules;

#[test]
fn schedules_name_their_cron_or_pass_one_through() {
    let cases = [
        ("daily", Some("cron(0 6 * * ? *)")),
        ("weekly", Some("cron(0 6 ? * MON *)")),
        ("monthly", Some("cron(0 6 1 * ? *)")),
        ("quarterly", Some("cron(0 6 1 1,4,7,10 ? *)")),
        ("cron(30 7 15 * ? *)", Some("cron(30 7 15 * ? *)")),
        ("cron(0 6 * *)", None),
        ("hourly", None),
        ("", None),
    ];
    for (given, want) in cases {
        assert_eq!(cron(given).as_deref(), want, "schedule {given:?}");
    }
}

#[test]
fn on_in_production_only_unless_the_block_says() {
    let off = Stated {
        enabled: Some(false),
        schedule: None,
    };
    let weekly = Stated {
        enabled: Some(true),
        schedule: Some("weekly".into()),
    };
    let cases = [
        (
            "production, no block",
            None,
            Environment::Production,
            Some("cron(0 6 1 * ? *)"),
        ),
        ("staging, no block", None, Environment::Staging, None),
        (
            "development, no block",
            None,
            Environment::Development,
            None,
        ),
        ("production, off", Some(&off), Environment::Production, None),
        (
            "development, on weekly",
            Some(&weekly),
            Environment::Development,
            Some("cron(0 6 ? * MON *)"),
        ),
    ];
    for (name, block, env, want) in cases {
        assert_eq!(effective(block, env).as_deref(), want, "{name}");
    }
}

#[test]
fn a_schedule_that_is_none_is_refused_on_its_attribute() {
    let mut d = Diagnostics::new();
    validate(
        &Tri::Known(Given {
            enabled: Tri::Null,
            schedule: Tri::Known("fortnightly".into()),
        }),
        &mut d,
    );
    let text = format!("{d:?}");
    assert!(d.has_errors(), "{text}");
    assert!(text.contains("schedule"), "{text}");
    let mut ok = Diagnostics::new();
    validate(
        &Tri::Known(Given {
            enabled: Tri::Null,
            schedule: Tri::Known("quarterly".into()),
        }),
        &mut ok,
    );
    assert!(!ok.has_errors());
}

#[test]
fn names_fit_aws_backup() {
    assert_eq!(vault_name("ledger-production"), "ledger-production");
    assert_eq!(test_plan_name("ledger-production"), "ledger_production");
    assert_eq!(
        role_name("ledger-production"),
        "ledger-production-db-backup"
    );
    assert_eq!(sg_name("ledger"), "ledger-restorecheck");
    assert_eq!(resource_type("aurora-postgresql"), "Aurora");
    assert_eq!(resource_type("postgres"), "RDS");
}

const ARN: &str = "arn:aws:rds:us-east-1:123456789012:db:ledger";
const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/k";
const VAULT: &str = "arn:aws:backup:us-east-1:123456789012:backup-vault:ledger";
const ROLE: &str = "arn:aws:iam::123456789012:role/ledger-db-backup";

fn want() -> Want<'static> {
    Want {
        name: "ledger",
        engine: "postgres",
        cron: Some("cron(0 6 1 * ? *)"),
        copy: None,
        retention_days: 30,
        locked: true,
        resource: Some(ARN),
        security_group: Some("sg-1"),
    }
}

/// Restore verification exactly as `want()` makes it.
fn as_made() -> Live {
    let w = want();
    Live {
        vault: Some(api::Vault {
            arn: VAULT.into(),
            key_arn: Some(KEY.into()),
            min_retention_days: Some(30),
            points: 3,
        }),
        role: Some(ROLE.into()),
        plan: Some(api::Plan {
            id: "p".into(),
            arn: "arn:plan".into(),
            rules: vec![rule(&w)],
        }),
        selection: Some(api::Selection {
            id: "s".into(),
            role: Some(ROLE.into()),
            resources: vec![ARN.into()],
        }),
        test_plan: Some(api::TestPlan {
            arn: "arn:test".into(),
            ..test_plan(&w, VAULT)
        }),
        test_selection: Some(api::TestSelection {
            resource_type: "RDS".into(),
            resources: vec![ARN.into()],
            role: ROLE.into(),
            overrides: overrides("postgres", "ledger", "sg-1"),
            validation_window_hours: 0,
        }),
        sg_rules: Some(Rules::default()),
        remote_vault: None,
    }
}

#[test]
fn posture_passes_as_made_and_names_each_drift() {
    assert_eq!(posture(&want(), &as_made(), "ledger"), PASS);
    type Drift = fn(&mut Live);
    let cases: [(&str, Drift, &str); 9] = [
        ("vault deleted", |l| l.vault = None, "backup vault missing"),
        (
            "lock removed",
            |l| l.vault.as_mut().unwrap().min_retention_days = None,
            "Vault Lock missing",
        ),
        ("plan deleted", |l| l.plan = None, "backup plan missing"),
        (
            "retention shortened",
            |l| l.plan.as_mut().unwrap().rules[0].delete_after_days = Some(1),
            "backup plan's rule changed",
        ),
        (
            "selection deleted",
            |l| l.selection = None,
            "backup selection missing",
        ),
        (
            "test plan deleted",
            |l| l.test_plan = None,
            "restore testing plan missing",
        ),
        (
            "test rescheduled",
            |l| l.test_plan.as_mut().unwrap().schedule = "cron(0 6 1 1 ? *)".into(),
            "restore testing plan changed",
        ),
        (
            "copy put in another group",
            |l| {
                l.test_selection.as_mut().unwrap().overrides =
                    overrides("postgres", "ledger", "sg-open")
            },
            "overrides changed",
        ),
        (
            "isolated group opened",
            |l| {
                l.sg_rules = Some((
                    [crate::provider::ec2::tcp(
                        5432,
                        crate::provider::ec2::Peer::Cidr("0.0.0.0/0".into()),
                    )]
                    .into(),
                    Default::default(),
                ))
            },
            "isolated security group has rules",
        ),
    ];
    for (name, drift, reason) in cases {
        let mut live = as_made();
        drift(&mut live);
        let p = posture(&want(), &live, "ledger");
        assert!(p.starts_with("fail: ") && p.contains(reason), "{name}: {p}");
    }
}

#[test]
fn development_wants_no_lock_and_an_adopted_vaults_key_is_not_judged() {
    let w = Want {
        locked: false,
        ..want()
    };
    let mut live = as_made();
    live.vault.as_mut().unwrap().min_retention_days = None;
    // A vault kept from an earlier database of the name, under that database's key.
    live.vault.as_mut().unwrap().key_arn =
        Some("arn:aws:kms:us-east-1:123456789012:key/old".into());
    assert_eq!(posture(&w, &live, "ledger"), PASS);
}

#[test]
fn the_restored_copy_is_private_in_the_isolated_group() {
    let o = overrides("postgres", "ledger", "sg-1");
    assert_eq!(
        o.get("vpcSecurityGroupIds").map(String::as_str),
        Some("[\"sg-1\"]")
    );
    assert_eq!(
        o.get("dbSubnetGroupName").map(String::as_str),
        Some("ledger")
    );
    assert_eq!(
        o.get("publiclyAccessible").map(String::as_str),
        Some("false")
    );
    let aurora = overrides("aurora-postgresql", "ledger", "sg-1");
    assert!(!aurora.contains_key("publiclyAccessible"));
}

#[test]
fn the_second_region_keeps_its_copies_90_days_in_production_else_as_long_as_here() {
    let cases = [
        ("production, unset", None, Environment::Production, 30, 90),
        ("staging, unset", None, Environment::Staging, 7, 7),
        ("development, unset", None, Environment::Development, 1, 1),
        (
            "production, stated",
            Some(365),
            Environment::Production,
            30,
            365,
        ),
    ];
    for (name, stated, env, local, want) in cases {
        assert_eq!(remote_days(stated, env, local), want, "{name}");
    }
    assert!(
        needed(None, Environment::Development, true),
        "a second region needs AWS Backup"
    );
    assert!(!needed(None, Environment::Development, false));
    assert!(
        needed(None, Environment::Production, false),
        "production's restore check"
    );
}

#[test]
fn copying_needs_the_rule_the_selection_and_the_vault_there() {
    const WEST: &str = "arn:aws:backup:us-west-2:123456789012:backup-vault:ledger";
    let copy = api::CopyTo {
        vault_arn: WEST.into(),
        delete_after_days: Some(90),
    };
    let w = Want {
        copy: Some(copy.clone()),
        ..want()
    };
    let mut live = as_made();
    live.plan.as_mut().unwrap().rules = vec![rule(&w)];
    live.remote_vault = Some(api::Vault {
        arn: WEST.into(),
        ..Default::default()
    });
    assert!(copying(&live, &copy));
    assert_eq!(posture(&w, &live, "ledger"), PASS);
    type Drift = fn(&mut Live);
    let cases: [(&str, Drift); 4] = [
        ("copy taken out of the rule", |l| {
            l.plan.as_mut().unwrap().rules[0].copies.clear()
        }),
        ("kept fewer days", |l| {
            l.plan.as_mut().unwrap().rules[0].copies[0].delete_after_days = Some(7)
        }),
        ("selection deleted", |l| l.selection = None),
        ("vault there deleted", |l| l.remote_vault = None),
    ];
    for (name, drift) in cases {
        let mut l = live.clone();
        drift(&mut l);
        assert!(!copying(&l, &copy), "{name}");
    }
    // The rule's copy is part of the plan the restore check judges.
    let mut l = live.clone();
    l.plan.as_mut().unwrap().rules[0].copies.clear();
    assert!(posture(&w, &l, "ledger").contains("second-region copy"));
}
