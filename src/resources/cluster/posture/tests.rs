use super::*;
use crate::provider::ec2::tcp;
use crate::resources::cluster::blueprint::{Peer, Rule};

const DEV: Environment = Environment::Development;
const STAGING: Environment = Environment::Staging;
const PROD: Environment = Environment::Production;

/// What apply leaves in `env` with IMDSv2 required and a key of the cluster's own, named `web`.
fn applied(env: Environment) -> Facts {
    let mut f = Facts {
        name: "web".into(),
        ..Facts::as_applied(env, &env.log_retention(), "required", true)
    };
    // The agent's part names the cluster's log group.
    let versions = f.template.iter_mut().flat_map(|t| {
        let Template { default, running } = t;
        default.iter_mut().chain(running.iter_mut())
    });
    for v in versions {
        v.spec.user_data = Some(agent_user_data("web", None));
    }
    f
}

/// The user data the provider writes for cluster `name` with the user's `user`, base64.
fn agent_user_data(name: &str, user: Option<&str>) -> String {
    bp::encode_user_data(&bp::host_metrics::user_data(
        &bp::log_group_name(name),
        user,
    ))
}

#[test]
fn host_metrics_fail_where_the_running_version_lacks_the_agent() {
    let cases: [(&str, Option<String>, bool); 4] = [
        (
            "the provider's, with the user's part",
            Some(agent_user_data("web", Some("#!/bin/sh\n"))),
            true,
        ),
        (
            "the user's alone (a template from before)",
            Some(bp::encode_user_data("#!/bin/sh\n")),
            false,
        ),
        (
            "another cluster's agent",
            Some(agent_user_data("other", None)),
            false,
        ),
        ("none", None, false),
    ];
    for (name, user_data, passes) in cases {
        let f = versions(|_| {}, |s| s.user_data = user_data.clone());
        let p = posture(PROD, &PROD.log_retention(), &f);
        assert_eq!(p["host_metrics"] == PASS, passes, "{name}: {p:?}");
    }
}

/// `applied(PROD)` running version 2: version 1 (the default) changed by `default`, 2 by `running`.
fn versions(default: impl Fn(&mut TemplateSpec), running: impl Fn(&mut TemplateSpec)) -> Facts {
    let mut facts = applied(PROD);
    if let Some(t) = &mut facts.template {
        t.running = t.default.clone().map(|v| Version { number: 2, ..v });
        t.default.iter_mut().for_each(|v| default(&mut v.spec));
        t.running.iter_mut().for_each(|v| running(&mut v.spec));
    }
    facts
}

/// `applied(env)` with the load balancer changed by `f`.
fn lb(env: Environment, f: impl Fn(&mut LoadBalancer)) -> Facts {
    let mut facts = applied(env);
    facts.load_balancer.iter_mut().for_each(f);
    facts
}

/// `applied(PROD)` with its listeners replaced by `listeners`.
fn listening(listeners: Vec<Listener>) -> Facts {
    lb(PROD, |l| l.listeners = listeners.clone())
}

fn listener(port: i32, protocol: &str, ssl_policy: Option<&str>, action: Action) -> Listener {
    Listener {
        port,
        protocol: protocol.into(),
        ssl_policy: ssl_policy.map(str::to_string),
        action,
    }
}

fn https() -> Listener {
    let policy = bp::listener_policy(bp::DEFAULT_TLS_POLICY);
    listener(443, "HTTPS", Some(policy), Action::Forward("tg".into()))
}

fn redirect() -> Listener {
    listener(80, "HTTP", None, Action::RedirectHttps)
}

/// `applied(PROD)` with the instances' security group's inbound rules extended by `extra`.
fn app_admits(extra: Vec<Rule>) -> Facts {
    let mut facts = applied(PROD);
    if let Some(Some((inbound, _))) = facts.app_sg.as_mut().map(|g| g.rules.as_mut()) {
        inbound.extend(extra);
    }
    facts
}

fn world(protocol: &str, from: i32, to: i32) -> Rule {
    Rule {
        protocol: protocol.into(),
        from,
        to,
        peer: Peer::Cidr("0.0.0.0/0".into()),
    }
}

struct Case {
    name: &'static str,
    env: Environment,
    facts: Facts,
    control: &'static str,
    want: &'static str,
}

fn relaxations() -> Vec<Case> {
    vec![
        Case {
            name: "as applied in production, deletion protection passes",
            env: PROD,
            facts: applied(PROD),
            control: "ELB.6",
            want: "pass",
        },
        Case {
            name: "development relaxes deletion protection, and says so",
            env: DEV,
            facts: applied(DEV),
            control: "ELB.6",
            want: "fail: relaxed by development profile",
        },
        Case {
            name: "staging relaxes deletion protection, and says so",
            env: STAGING,
            facts: applied(STAGING),
            control: "ELB.6",
            want: "fail: relaxed by staging profile",
        },
        Case {
            name: "development relaxes retention, and says so",
            env: DEV,
            facts: applied(DEV),
            control: "CloudWatch.16",
            want: "fail: relaxed by development profile (7 days)",
        },
        Case {
            name: "staging keeps application logs the guides' month, which passes",
            env: STAGING,
            facts: applied(STAGING),
            control: "CloudWatch.16",
            want: "pass",
        },
        Case {
            name: "metadata_http_tokens = optional allows IMDSv1, and says so",
            env: DEV,
            facts: Facts::as_applied(DEV, &DEV.log_retention(), "optional", true),
            control: "AutoScaling.3",
            want: "fail: IMDSv1 allowed by metadata_http_tokens = \"optional\"",
        },
        Case {
            name: "a relaxed control that fails anyway says why, not that it is relaxed",
            env: DEV,
            facts: lb(DEV, |l| l.deletion_protection = true),
            control: "ELB.6",
            want: "fail: deletion protection is on, the development profile keeps it off",
        },
        Case {
            name: "a missing load balancer leaves a relaxed ELB.6 relaxed",
            env: DEV,
            facts: Facts {
                load_balancer: None,
                ..applied(DEV)
            },
            control: "ELB.6",
            want: "fail: relaxed by development profile",
        },
    ]
}

fn group_and_template_failures() -> Vec<Case> {
    let group = |f: fn(&mut Group)| {
        let mut facts = applied(PROD);
        facts.group.iter_mut().for_each(f);
        facts
    };
    vec![
        Case {
            name: "health checked by EC2",
            env: PROD,
            facts: group(|g| g.health_check_type = "EC2".into()),
            control: "AutoScaling.1",
            want: "fail: the group checks health by EC2",
        },
        Case {
            name: "one zone",
            env: PROD,
            facts: group(|g| g.zones = 1),
            control: "AutoScaling.2",
            want: "fail: the group spans 1 availability zone(s)",
        },
        Case {
            name: "launch configuration",
            env: PROD,
            facts: group(|g| g.from_template = false),
            control: "AutoScaling.9",
            want: "fail: the group does not launch from a launch template",
        },
        Case {
            name: "metrics not collected, in the blueprint's order",
            env: PROD,
            facts: group(|g| g.metrics.retain(|m| !m.ends_with("Size"))),
            control: "metrics",
            want: "fail: group metrics not collected: GroupMaxSize, GroupMinSize",
        },
        Case {
            name: "group missing",
            env: PROD,
            facts: Facts {
                group: None,
                ..applied(PROD)
            },
            control: "AutoScaling.9",
            want: "fail: auto scaling group web is missing",
        },
        Case {
            name: "template missing",
            env: PROD,
            facts: Facts {
                template: None,
                ..applied(PROD)
            },
            control: "EC2.3",
            want: "fail: launch template web is missing",
        },
        Case {
            name: "IMDSv1 on both versions, the default first",
            env: PROD,
            facts: versions(
                |s| s.http_tokens = "optional".into(),
                |s| s.http_tokens = "optional".into(),
            ),
            control: "EC2.8",
            want: "fail: IMDSv1 allowed on launch template version 1 (the default); IMDSv1 allowed on launch template version 2",
        },
        Case {
            name: "hop limit on the running version",
            env: PROD,
            facts: versions(|_| {}, |s| s.hop_limit = 2),
            control: "AutoScaling.4",
            want: "fail: metadata hop limit 2 on version 2",
        },
        Case {
            name: "public IP addresses from the default version",
            env: PROD,
            facts: versions(|s| s.public_ip = true, |_| {}),
            control: "AutoScaling.5",
            want: "fail: version 1 (the default) gives instances public IP addresses",
        },
        Case {
            name: "unencrypted root volumes",
            env: PROD,
            facts: versions(|_| {}, |s| s.encrypted = false),
            control: "EC2.3",
            want: "fail: version 2 launches unencrypted root volumes",
        },
        Case {
            name: "running version in another security group, then the group's own findings",
            env: PROD,
            facts: Facts {
                app_sg: Some(SecurityGroup {
                    id: "sg-app".into(),
                    rules: None,
                }),
                ..versions(|_| {}, |s| s.security_groups = ["sg-other".into()].into())
            },
            control: "ingress",
            want: "fail: launch template version 2 puts instances in other security groups; security group sg-app is missing",
        },
    ]
}

fn load_balancer_failures() -> Vec<Case> {
    vec![
        Case {
            name: "load balancer missing where the profile protects it",
            env: PROD,
            facts: Facts {
                load_balancer: None,
                ..applied(PROD)
            },
            control: "ELB.6",
            want: "fail: load balancer web is missing",
        },
        Case {
            name: "one zone",
            env: PROD,
            facts: lb(PROD, |l| l.zones = 1),
            control: "ELB.13",
            want: "fail: the load balancer spans 1 availability zone(s)",
        },
        Case {
            name: "deletion protection off in production",
            env: PROD,
            facts: lb(PROD, |l| l.deletion_protection = false),
            control: "ELB.6",
            want: "fail: load balancer deletion protection is off",
        },
        Case {
            name: "invalid headers passed",
            env: PROD,
            facts: lb(PROD, |l| l.drop_invalid_headers = false),
            control: "ELB.4",
            want: "fail: invalid HTTP headers are passed to the instances",
        },
        Case {
            name: "desync mitigation monitor",
            env: PROD,
            facts: lb(PROD, |l| l.desync_mode = Some("monitor".into())),
            control: "ELB.12",
            want: "fail: desync mitigation is monitor",
        },
        Case {
            name: "desync mitigation unreported is AWS's default",
            env: PROD,
            facts: lb(PROD, |l| l.desync_mode = None),
            control: "ELB.12",
            want: "pass",
        },
        Case {
            name: "TLS 1.2 policy",
            env: PROD,
            facts: listening(vec![
                listener(443, "HTTPS", Some("ELBSecurityPolicy-2016-08"), Action::Forward("tg".into())),
                redirect(),
            ]),
            control: "ELB.17",
            want: "fail: the HTTPS listener uses ELBSecurityPolicy-2016-08, not a TLS 1.3 policy",
        },
        Case {
            name: "HTTPS forwarding elsewhere",
            env: PROD,
            facts: listening(vec![
                Listener {
                    action: Action::Forward("other".into()),
                    ..https()
                },
                redirect(),
            ]),
            control: "ELB.18",
            want: "fail: the HTTPS listener does not forward to the cluster's target group",
        },
        Case {
            name: "plain HTTP listener",
            env: PROD,
            facts: listening(vec![https(), redirect(), listener(8080, "HTTP", None, Action::Other)]),
            control: "ELB.1",
            want: "fail: HTTP listener on port 8080 does not redirect to HTTPS",
        },
        Case {
            name: "plain HTTP and unexpected listeners, in AWS's order",
            env: PROD,
            facts: listening(vec![
                https(),
                listener(8080, "HTTP", None, Action::Other),
                https(),
                listener(22, "TCP", None, Action::Other),
                redirect(),
            ]),
            control: "ELB.18",
            want: "fail: plain HTTP listener on port 8080; unexpected HTTPS listener on port 443; unexpected TCP listener on port 22",
        },
        Case {
            name: "HTTPS listener missing",
            env: PROD,
            facts: listening(vec![redirect()]),
            control: "ELB.18",
            want: "fail: the HTTPS listener is missing",
        },
        Case {
            name: "redirect listener missing",
            env: PROD,
            facts: listening(vec![https()]),
            control: "ELB.1",
            want: "fail: the HTTP→HTTPS redirect listener is missing",
        },
    ]
}

fn network_and_key_failures() -> Vec<Case> {
    let mut lacks = applied(PROD);
    if let Some(Some((inbound, outbound))) = lacks.lb_sg.as_mut().map(|g| g.rules.as_mut()) {
        inbound.retain(|r| r.from != 80);
        outbound.clear();
    }
    vec![
        Case {
            name: "security group missing",
            env: PROD,
            facts: Facts {
                lb_sg: Some(SecurityGroup {
                    id: "sg-lb".into(),
                    rules: None,
                }),
                ..applied(PROD)
            },
            control: "ingress",
            want: "fail: security group sg-lb is missing",
        },
        Case {
            name: "rules beyond the blueprint",
            env: PROD,
            facts: app_admits(vec![tcp(22, Peer::Cidr("10.0.0.0/8".into()))]),
            control: "ingress",
            want: "fail: sg-app admits tcp 22 from 10.0.0.0/8",
        },
        Case {
            name: "rules missing, then outbound",
            env: PROD,
            facts: lacks,
            control: "ingress",
            want: "fail: sg-lb lacks tcp 80 from 0.0.0.0/0; sg-lb outbound rules differ from the blueprint",
        },
        Case {
            name: "all traffic open to the world",
            env: PROD,
            facts: app_admits(vec![world("-1", -1, -1)]),
            control: "EC2.18",
            want: "fail: sg-app admits all traffic from 0.0.0.0/0",
        },
        Case {
            name: "a high-risk port in a range open to the world",
            env: PROD,
            facts: app_admits(vec![world("tcp", 3000, 3400)]),
            control: "EC2.19",
            want: "fail: sg-app opens port 3306 to the world",
        },
        Case {
            name: "log group missing",
            env: PROD,
            facts: Facts {
                log_group: None,
                ..applied(PROD)
            },
            control: "CloudWatch.16",
            want: "fail: the instances' log group is missing",
        },
        Case {
            name: "retention lowered outside Terraform",
            env: PROD,
            facts: Facts {
                log_group: Some(logs::GroupFacts {
                    retention_days: Some(1),
                    kms_key: None,
                }),
                ..applied(PROD)
            },
            control: "CloudWatch.16",
            want: "fail: log retention is 1 days, the profile keeps 30",
        },
        Case {
            name: "rotation off",
            env: PROD,
            facts: Facts {
                key: Some(Key::Usable { rotation: false }),
                ..applied(PROD)
            },
            control: "KMS.4",
            want: "fail: key rotation is off",
        },
        Case {
            name: "key deleted",
            env: PROD,
            facts: Facts {
                key: Some(Key::Gone),
                ..applied(PROD)
            },
            control: "KMS.4",
            want: "fail: the cluster's key is deleted or pending deletion",
        },
    ]
}

#[test]
fn posture_rules() {
    let cases = [
        relaxations(),
        group_and_template_failures(),
        load_balancer_failures(),
        network_and_key_failures(),
    ];
    for c in cases.into_iter().flatten() {
        let p = posture(c.env, &c.env.log_retention(), &c.facts);
        assert_eq!(
            p.get(c.control).map(String::as_str),
            Some(c.want),
            "{}",
            c.name
        );
    }
}

#[test]
fn as_applied_passes_everything_in_production() {
    let p = posture(PROD, &PROD.log_retention(), &applied(PROD));
    // The controls of the blueprint, of the logs, `health_check`, `scaling`, `instance_mix` and
    // `rollout_gates`.
    assert_eq!(
        p.len(),
        bp::controls(true).len() + lb_logs::CONTROLS.len() + 4
    );
    assert!(p.values().all(|v| v == PASS), "{p:?}");
}

#[test]
fn posture_says_what_is_relaxed() {
    let prod = planned(
        Environment::Production,
        &Environment::Production.log_retention(),
        "required",
        true,
    );
    assert!(prod.values().all(|v| v == PASS));
    assert!(
        prod.contains_key("KMS.4")
            && prod.contains_key("ELB.17")
            && prod.contains_key("AutoScaling.3")
    );
    let dev = planned(
        Environment::Development,
        &Environment::Development.log_retention(),
        "optional",
        false,
    );
    assert_eq!(dev["ELB.6"], "fail: relaxed by development profile");
    assert_eq!(dev["EC2.8"], bp::imdsv1_allowed());
    assert!(
        !dev.contains_key("KMS.4"),
        "no KMS.4 for a key the user owns"
    );
}

#[test]
fn scaling_drift_fails_scaling_only() {
    let mut f = applied(PROD);
    f.scaling = vec![
        "policy web-cpu is missing".into(),
        "no instance warmup is set, the configuration says 5 min".into(),
    ];
    let p = posture(PROD, &PROD.log_retention(), &f);
    assert_eq!(
        p["scaling"],
        "fail: policy web-cpu is missing; no instance warmup is set, the configuration says 5 min"
    );
    let failing: Vec<&String> = p
        .iter()
        .filter(|(_, v)| *v != PASS)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(failing, vec!["scaling"]);
}
