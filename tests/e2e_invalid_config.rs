//! Bad input, through the real `terraform plan`: a table of invalid configurations per resource (wrong
//! types, unknown enum values, out-of-range numbers, conflicting settings, production floors), each
//! with the diagnostic summary expected and the attribute it must point at. Nothing is created.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::env;
use common::tf::Tf;

struct Case {
    environment: &'static str,
    /// The resource block's body (after `name`).
    body: &'static str,
    summary: &'static str,
    /// The attribute the diagnostic's source snippet must show (`<attr> =`).
    attr: &'static str,
}

const SUBNETS: &str = r#"["subnet-0a1", "subnet-0b2", "subnet-0c3"]"#;

fn cases(resource: &str) -> Vec<Case> {
    let c = |environment, body, summary, attr| Case {
        environment,
        body,
        summary,
        attr,
    };
    match resource {
        "prod_network" => vec![
            c("development", "az_count = \"three\"", "Incorrect attribute value type", "az_count"),
            c("development", "az_count = 1", "Too few or too many availability zones", "az_count"),
            c("development", "cidr_block = \"10.0.0.0/8\"", "Invalid CIDR block", "cidr_block"),
            c("development", "environment = \"prod\"", "Invalid environment", "environment"),
            c("development", "tags = { \"prod:owner\" = \"x\" }", "Reserved tag key", "tags"),
        ],
        "prod_cluster" => vec![
            c("development", "min_size = 5\n  max_size = 2", "min_size is above max_size", "min_size"),
            c("development", "app_port = 70000", "Invalid port", "app_port"),
            c("development", "health_check_path = \"health\"", "Invalid health check path", "health_check_path"),
            c("development", "health_check {\n    interval = 400\n  }", "Health check setting out of range", "interval"),
            c("development", "health_check {\n    interval = 10\n    timeout  = 10\n  }", "Health check timeout not below the interval", "timeout"),
            c("production", "health_check {\n    matcher = \"ok\"\n  }", "Invalid health check matcher", "matcher"),
            c("development", "force_destroy_logs = \"sometimes\"", "Incorrect attribute value type", "force_destroy_logs"),
            c("development", "min_size = [1]", "Incorrect attribute value type", "min_size"),
            c("production", "tls_policy = \"tls11\"", "Invalid tls_policy", "tls_policy"),
            c("production", "min_size = 1", "min_size below the production floor", "min_size"),
            c("production", "min_size = 3\n  max_size = 5", "max_size below twice min_size in production", "max_size"),
        ],
        "prod_database_ha" => vec![
            c("development", "engine = \"oracle\"", "Invalid engine", "engine"),
            c("development", "backup_retention_days = 50", "Invalid retention", "backup_retention_days"),
            c("development", "replicas = -1", "Invalid replica count", "replicas"),
            c("production", "backup_retention_days = 3", "Backup retention below the production floor", "backup_retention_days"),
            c("production", "multi_az = false", "Multi-AZ is required in production", "multi_az"),
        ],
        "prod_redis_cluster" => vec![
            c("development", "engine = \"memcached\"", "Invalid engine", "engine"),
            c("development", "shards = 0", "Out of range", "shards"),
            c("development", "snapshot_retention_days = 40", "Out of range", "snapshot_retention_days"),
            c("development", "replicas_per_shard = \"two\"", "Incorrect attribute value type", "replicas_per_shard"),
            c("production", "replicas_per_shard = 0", "A replica is required in production", "replicas_per_shard"),
        ],
        "prod_alerting" => vec![
            c("development", "notify {\n    severity = \"critical\"\n    protocol = \"pigeon\"\n    endpoint = \"x\"\n  }", "Invalid protocol", "protocol"),
            c("development", "notify {\n    severity = \"urgent\"\n    protocol = \"email\"\n    endpoint = \"a@b.example\"\n  }", "Invalid severity", "severity"),
            c("development", "notify {\n    severity = \"critical\"\n    protocol = \"email\"\n    endpoint = \"not-an-address\"\n  }", "Invalid endpoint", "endpoint"),
            c("development", "timeouts {\n    create = \"soon\"\n  }", "Invalid duration", "create"),
            c("development", "database_ids = \"db\"", "Incorrect attribute value type", "database_ids"),
        ],
        _ => unreachable!(),
    }
}

/// The arguments a resource needs besides the case's.
fn required(resource: &str) -> String {
    match resource {
        "prod_network" => String::new(),
        "prod_cluster" => format!(
            "image_id = \"ami-0123456789abcdef0\"\n  subnet_ids = {SUBNETS}\n  public_subnet_ids = {SUBNETS}\n  certificate_arn = \"arn:aws:acm:us-east-1:123456789012:certificate/x\""
        ),
        "prod_database_ha" | "prod_redis_cluster" => format!(
            "subnet_ids = {SUBNETS}\n  allowed_security_group_ids = [\"sg-0123\"]"
        ),
        "prod_alerting" => String::new(),
        _ => unreachable!(),
    }
}

fn config(resource: &str, case: &Case) -> String {
    let mut body = required(resource);
    // A case's own setting wins over a required one of the same name.
    let key = case.body.split([' ', '{']).next().unwrap_or_default();
    body = body
        .lines()
        .filter(|l| l.trim_start().split(' ').next() != Some(key))
        .collect::<Vec<_>>()
        .join("\n  ");
    if resource == "prod_database_ha" && !case.body.starts_with("engine") {
        body.push_str("\n  engine = \"postgres\"");
    }
    if resource == "prod_redis_cluster" && !case.body.starts_with("engine") {
        body.push_str("\n  engine = \"valkey\"");
    }
    format!(
        "{}\nresource \"{resource}\" \"x\" {{\n  name = \"bad-input\"\n  {body}\n  {}\n}}\n",
        env::provider_block(case.environment),
        case.body
    )
}

/// Runs every case of `resource`; returns what did not match.
fn check(resource: &str) -> Vec<String> {
    let mut wrong = Vec::new();
    let cases = cases(resource);
    let tf = Tf::new(&config(resource, &cases[0]));
    tf.init();
    for case in &cases {
        tf.write(&config(resource, case));
        let r = tf.run(&["plan", "-no-color", "-input=false"]);
        let out = r.all();
        let what = format!(
            "{resource} [{}] `{}`",
            case.environment,
            case.body.replace('\n', " ")
        );
        if r.code != 1 {
            wrong.push(format!("{what}: plan exited {} (want 1)\n{out}", r.code));
            continue;
        }
        if out.contains("panic") || out.contains("Plugin did not respond") {
            wrong.push(format!("{what}: the provider crashed\n{out}"));
        }
        // The diagnostic block: "Error: <summary>", then its source snippet showing `<attr> =`.
        let block = out
            .split("Error: ")
            .skip(1)
            .find(|b| b.starts_with(case.summary));
        match block {
            None => wrong.push(format!("{what}: no \"Error: {}\"\n{out}", case.summary)),
            Some(b) => {
                let snippet_shows_attr = b.lines().any(|l| {
                    l.trim_start().split(':').nth(1).is_some_and(|code| {
                        code.trim_start().starts_with(&format!("{} ", case.attr))
                            || code.trim_start().starts_with(&format!("{}=", case.attr))
                    })
                });
                if !snippet_shows_attr {
                    wrong.push(format!(
                        "{what}: the diagnostic does not point at `{}`\n{b}",
                        case.attr
                    ));
                }
            }
        }
    }
    wrong
}

#[test]
fn invalid_configurations_are_refused_on_the_attribute() {
    let resources = [
        "prod_network",
        "prod_cluster",
        "prod_database_ha",
        "prod_redis_cluster",
        "prod_alerting",
    ];
    let wrong: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = resources
            .iter()
            .map(|r| s.spawn(move || check(r)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        wrong.is_empty(),
        "{} cases went wrong:\n{}",
        wrong.len(),
        wrong.join("\n\n")
    );
}

/// No credentials anywhere the standard chain looks: one diagnostic at provider configuration, naming
/// the sources tried and the fix, however many resources the plan holds; never Rust debug text.
#[test]
fn missing_credentials_are_one_diagnostic_naming_the_sources() {
    let resources: String = (1..=5)
        .map(|i| format!("resource \"prod_network\" \"n{i}\" {{\n  name = \"nocreds-{i}\"\n}}\n"))
        .collect();
    let tf = Tf::new(&format!(
        "{}\n{resources}",
        env::provider_block("development")
    ))
    .with_env("AWS_ACCESS_KEY_ID", "")
    .with_env("AWS_SECRET_ACCESS_KEY", "")
    .with_env("AWS_PROFILE", "")
    .with_env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    .with_env("AWS_CONFIG_FILE", "/nonexistent/config");
    tf.init();
    let r = tf.plan_code(&[]);
    assert_eq!(r.code, 1, "{}", r.all());
    let all = r.all();
    assert_eq!(
        all.matches("No valid credential sources found").count(),
        1,
        "one diagnostic for five resources:\n{all}"
    );
    for named in [
        "AWS_ACCESS_KEY_ID",
        "credentials files",
        "instance metadata",
        "AWS_PROFILE",
    ] {
        assert!(all.contains(named), "the detail names {named}:\n{all}");
    }
    for debug in ["DispatchFailure", "ConnectorError", "Some(", "{ source"] {
        assert!(
            !all.contains(debug),
            "Rust debug text {debug:?} reached the user:\n{all}"
        );
    }
}
