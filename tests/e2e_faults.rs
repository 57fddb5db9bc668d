//! End to end under faults: the real `terraform` against the local AWS behind its fault layer
//! (`scripts/local_aws_faults.py`). For every resource and for the full stack: a fifth of the calls
//! throttled; a permanent failure at a mutating call of a create, the positions taken from a
//! recorded clean run: by default a sample (see [`chosen`]: the ends, every protected object,
//! replica and reader, each action once, a spread), every position with `PROD_FAULT_POSITIONS=all`
//! (`scripts/test --all-positions`). Nothing may be lost, duplicated or orphaned.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::Mutex;

use common::faults::{Call, Faults};
use common::sweep::{aws, Aws};
use common::tf::Tf;
use common::{env, examples};
use serde_json::json;

#[derive(Clone, Copy, Debug)]
enum Kind {
    Network,
    Cluster,
    Database,
    Redis,
    Alerting,
    Stack,
}

/// What a scenario's configuration needs from outside: subnets in three zones, an application
/// security group, an image and a certificate (made once per test through the API, fault-free).
#[derive(Clone)]
struct Inputs {
    subnets: Vec<String>,
    app: String,
    image: String,
    cert: String,
}

async fn inputs(aws: &Aws, octet: u8) -> Inputs {
    let (subnets, app) = env::vpc_with_app(&aws.ec2, octet).await;
    let (image, cert) = examples::image_and_certificate().await;
    Inputs {
        subnets,
        app,
        image,
        cert,
    }
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("\"{s}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

/// The configuration of one scenario, in the development profile.
fn config(kind: Kind, name: &str, i: &Inputs) -> String {
    let provider = env::provider_block("development");
    let subnets = list(&i.subnets);
    let (app, image, cert) = (&i.app, &i.image, &i.cert);
    let body = match kind {
        Kind::Network => format!(
            r#"resource "prod_network" "main" {{
  name       = "{name}"
  cidr_block = "10.30.0.0/16"
}}"#
        ),
        Kind::Cluster => format!(
            r#"resource "prod_cluster" "web" {{
  name              = "{name}"
  image_id          = "{image}"
  subnet_ids        = {subnets}
  public_subnet_ids = {subnets}
  certificate_arn   = "{cert}"
}}"#
        ),
        Kind::Database => format!(
            r#"resource "prod_database_ha" "main" {{
  name                       = "{name}"
  engine                     = "postgres"
  subnet_ids                 = {subnets}
  allowed_security_group_ids = ["{app}"]
}}"#
        ),
        Kind::Redis => format!(
            r#"resource "prod_redis_cluster" "main" {{
  name                       = "{name}"
  engine                     = "valkey"
  subnet_ids                 = {subnets}
  allowed_security_group_ids = ["{app}"]
}}"#
        ),
        Kind::Alerting => format!(
            r#"resource "prod_alerting" "ops" {{
  name = "{name}"
  notify {{
    severity = "critical"
    protocol = "email"
    endpoint = "oncall@example.com"
  }}
  alarm {{
    name        = "api-cpu"
    namespace   = "AWS/EC2"
    metric_name = "CPUUtilization"
    dimensions  = {{ AutoScalingGroupName = "api" }}
    comparison  = "GreaterThanThreshold"
    threshold   = 90
    severity    = "critical"
  }}
}}"#
        ),
        Kind::Stack => format!(
            r#"module "stack" {{
  source          = "../../modules/service-stack"
  name            = "{name}"
  image_id        = "{image}"
  certificate_arn = "{cert}"
  alert_email     = "oncall@example.com"
}}"#
        ),
    };
    format!("{provider}\n{body}\n")
}

fn working_dir(kind: Kind, name: &str, i: &Inputs, key: &str) -> Tf {
    let tf = match kind {
        Kind::Stack => Tf::in_repo_layout("examples/faults", &config(kind, name, i)),
        _ => Tf::new(&config(kind, name, i)),
    };
    let tf = tf.with_access_key(key);
    tf.init();
    tf
}

/// Every object of the scenario that AWS lists, found by name or tag, not by state.
async fn objects(aws: &Aws, kind: Kind, name: &str) -> Vec<String> {
    match kind {
        Kind::Network => aws.network(name).await,
        Kind::Cluster => aws.cluster(name).await,
        Kind::Database => aws.database(name).await,
        Kind::Redis => aws.redis(name).await,
        Kind::Alerting => aws.alerting(name).await,
        Kind::Stack => aws.stack(name).await,
    }
}

/// How many objects of each kind ("vpc", "subnet", "key", "sg", …): a duplicate shows as a larger
/// count.
fn census(name: &str, objects: &[String]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for o in objects {
        let o = o.replace(name, "<name>");
        let first = o.split_whitespace().next().unwrap_or_default();
        // "vpc-0a1b…" → "vpc"; "sg Some(\"sg-…\")" → "sg"; "/prod/network/<name>/flow-logs" as is.
        let kind = match first.split_once('-') {
            Some((prefix, id)) if id.chars().all(|c| c.is_ascii_hexdigit()) => prefix,
            _ => first,
        };
        *out.entry(kind.to_string()).or_insert(0) += 1;
    }
    out
}

fn destroy(tf: &Tf) {
    let r = tf.run(&["destroy", "-auto-approve", "-no-color"]);
    r.ok();
}

fn throttled(calls: &[Call]) -> usize {
    calls.iter().filter(|c| c.fault == "throttled").count()
}

// ---- 20 % of calls throttled ----

async fn converges_under_throttling(kind: Kind, octet: u8) {
    let aws = aws().await;
    let i = inputs(&aws, octet).await;
    let name = env::unique("thr");
    let faults = Faults::new("thr");
    faults.set(json!({ "throttle": 0.2, "seed": octet }));
    let tf = working_dir(kind, &name, &i, &faults.key);

    let r = tf.apply(&[]);
    assert!(r.stdout.contains("Apply complete!"), "{}", r.all());
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "plan after a throttled apply:\n{}", p.all());
    assert!(
        !objects(&aws, kind, &name).await.is_empty(),
        "nothing was made"
    );
    destroy(&tf);

    let calls = faults.calls();
    let n = throttled(&calls);
    eprintln!(
        "{kind:?}: {} calls, {n} throttled ({:.0} %)",
        calls.len(),
        100.0 * n as f64 / calls.len() as f64
    );
    assert!(calls.len() >= 10, "{calls:?}");
    // A fifth was configured: the share seen is within three standard deviations of it.
    let (share, total) = (n as f64 / calls.len() as f64, calls.len() as f64);
    let sd = (0.2 * 0.8 / total).sqrt();
    assert!(
        (share - 0.2).abs() <= 3.0 * sd,
        "the fault layer throttled {n} of {} calls ({:.0} %), not about a fifth",
        calls.len(),
        100.0 * share
    );
    let left = objects(&aws, kind, &name).await;
    assert!(left.is_empty(), "left after destroy: {left:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn network_converges_with_a_fifth_of_calls_throttled() {
    converges_under_throttling(Kind::Network, 101).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cluster_converges_with_a_fifth_of_calls_throttled() {
    converges_under_throttling(Kind::Cluster, 102).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn database_converges_with_a_fifth_of_calls_throttled() {
    converges_under_throttling(Kind::Database, 103).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_converges_with_a_fifth_of_calls_throttled() {
    converges_under_throttling(Kind::Redis, 104).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn alerting_converges_with_a_fifth_of_calls_throttled() {
    converges_under_throttling(Kind::Alerting, 105).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn stack_converges_with_a_fifth_of_calls_throttled() {
    converges_under_throttling(Kind::Stack, 106).await;
}

// ---- a permanent failure at every mutating call of a create ----

/// The mutating calls of a clean create, each as (action, n): the positions to fail.
async fn clean_create(
    aws: &Aws,
    kind: Kind,
    i: &Inputs,
) -> (Vec<(String, u64)>, BTreeMap<String, usize>) {
    let name = env::unique("rec");
    let rec = Faults::new("rec");
    let tf = working_dir(kind, &name, i, &rec.key);
    tf.apply(&[]);
    let made = census(&name, &objects(aws, kind, &name).await);
    let positions: Vec<(String, u64)> = rec
        .calls()
        .into_iter()
        .filter(|c| c.mutating() && c.status == 200)
        .map(|c| (c.action, c.n))
        .collect();
    destroy(&tf);
    (positions, made)
}

/// Fails call `n` of `action` in a create of its own; returns what went wrong (empty: all well).
async fn fail_at(
    aws: &Aws,
    kind: Kind,
    i: &Inputs,
    action: &str,
    n: u64,
    made: &BTreeMap<String, usize>,
) -> Vec<String> {
    let mut wrong = Vec::new();
    let name = env::unique("flt");
    let faults = Faults::new("flt");
    faults.set(json!({ "fail": [{ "action": action, "nth": n, "code": "InjectedFailure" }] }));
    let tf = working_dir(kind, &name, i, &faults.key);
    let at = format!("{action}#{n}");

    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    let all = r.all().replace('\n', " ");
    let all = all.split_whitespace().collect::<Vec<_>>().join(" ");
    if r.code != 1 {
        wrong.push(format!("{at}: apply exited {} (want 1)", r.code));
    }
    // "<component>: AWS error InjectedFailure: …", the component non-empty.
    match all.find(": AWS error InjectedFailure") {
        Some(p) if p > 0 && !all[..p].ends_with("Error:") => {}
        _ => wrong.push(format!(
            "{at}: no diagnostic naming the component and the code:\n{}",
            r.all()
        )),
    }
    if !faults.calls().iter().any(|c| c.fault == "failed") {
        wrong.push(format!("{at}: the fault was never hit"));
    }

    faults.set(json!({}));
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    if r.code != 0 {
        wrong.push(format!(
            "{at}: the fault-free re-apply failed:\n{}",
            r.all()
        ));
        return wrong;
    }
    let p = tf.plan_code(&[]);
    if p.code != 0 {
        wrong.push(format!(
            "{at}: plan after the re-apply is not empty:\n{}",
            p.all()
        ));
    }
    let now = census(&name, &objects(aws, kind, &name).await);
    if &now != made {
        wrong.push(format!(
            "{at}: objects after the re-apply {now:?}, a clean create makes {made:?}"
        ));
    }
    let r = tf.run(&["destroy", "-auto-approve", "-no-color"]);
    if r.code != 0 {
        wrong.push(format!("{at}: destroy failed:\n{}", r.all()));
    }
    let left = objects(aws, kind, &name).await;
    if !left.is_empty() {
        wrong.push(format!("{at}: left after destroy: {left:?}"));
    }
    wrong
}

/// Calls that make a protected object (AWS deletion protection in production), a replica or a
/// reader: every one of them is failed in the sampled run too.
const ALWAYS_FAILED: &[&str] = &[
    "CreateDBInstance",
    "CreateDBInstanceReadReplica",
    "CreateDBCluster",
    "CreateReplicationGroup",
    "CreateLoadBalancer",
];

/// Positions spread evenly over a resource's recorded create (first and last included) on top of
/// the sample's other picks, so that late calls of a repeated action fail too.
const SPREAD: usize = 8;

/// The same for the full stack, whose resources each fail early, mid-way and late while the
/// others are being made.
const STACK_POSITIONS: usize = 16;

/// The positions to fail. `PROD_FAULT_POSITIONS=all` (`scripts/test --all-positions`) runs every
/// one. By default a sample: the first and the last call, every call in [`ALWAYS_FAILED`], the
/// first call of each action (so each kind of call fails once; for the stack its resources' own
/// tests do that) and an even spread over the whole create.
fn chosen(kind: Kind, positions: &[(String, u64)]) -> Vec<(String, u64)> {
    let every = std::env::var("PROD_FAULT_POSITIONS").is_ok_and(|v| v == "all");
    sample(kind, positions, every)
}

fn sample(kind: Kind, positions: &[(String, u64)], every: bool) -> Vec<(String, u64)> {
    let stack = matches!(kind, Kind::Stack);
    let spread = if stack { STACK_POSITIONS } else { SPREAD };
    if every || positions.len() <= spread {
        return positions.to_vec();
    }
    let last = positions.len() - 1;
    let mut picked: std::collections::BTreeSet<usize> =
        (0..spread).map(|j| j * last / (spread - 1)).collect();
    for (j, (action, n)) in positions.iter().enumerate() {
        if ALWAYS_FAILED.contains(&action.as_str()) || (*n == 1 && !stack) {
            picked.insert(j);
        }
    }
    picked.into_iter().map(|j| positions[j].clone()).collect()
}

async fn create_calls_can_fail(kind: Kind, octet: u8) {
    let aws = aws().await;
    let i = inputs(&aws, octet).await;
    let (recorded, made) = clean_create(&aws, kind, &i).await;
    assert!(!recorded.is_empty());
    let positions = chosen(kind, &recorded);
    eprintln!(
        "{kind:?}: {} mutating calls in a clean create, {} failed in turn: {positions:?}",
        recorded.len(),
        positions.len()
    );
    // Positions run two at a time, each with its own key, name and working directory.
    let queue = Mutex::new(positions.clone());
    let wrong = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                let aws = rt.block_on(common::sweep::aws());
                loop {
                    let next = queue.lock().unwrap().pop();
                    let Some((action, n)) = next else { break };
                    let w = rt.block_on(fail_at(&aws, kind, &i, &action, n, &made));
                    wrong.lock().unwrap().extend(w);
                }
            });
        }
    });
    let wrong = wrong.into_inner().unwrap();
    assert!(
        wrong.is_empty(),
        "{} of {} positions went wrong:\n{}",
        wrong.len(),
        positions.len(),
        wrong.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn network_create_fails_at_its_calls_and_recovers() {
    create_calls_can_fail(Kind::Network, 111).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cluster_create_fails_at_its_calls_and_recovers() {
    create_calls_can_fail(Kind::Cluster, 112).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn database_create_fails_at_its_calls_and_recovers() {
    create_calls_can_fail(Kind::Database, 113).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_create_fails_at_its_calls_and_recovers() {
    create_calls_can_fail(Kind::Redis, 114).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn alerting_create_fails_at_its_calls_and_recovers() {
    create_calls_can_fail(Kind::Alerting, 115).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn stack_create_fails_at_its_calls_and_recovers() {
    create_calls_can_fail(Kind::Stack, 116).await;
}

#[test]
fn sampled_positions_keep_the_ends_every_protected_call_and_each_action_once() {
    let pos = |v: &[(&str, u64)]| -> Vec<(String, u64)> {
        v.iter().map(|(a, n)| (a.to_string(), *n)).collect()
    };
    // A stack of 100 calls of one action: 16 spread from the first to the last, none far apart.
    let stack: Vec<(String, u64)> = (1..=100).map(|n| ("CreateTags".into(), n)).collect();
    let ns: Vec<u64> = sample(Kind::Stack, &stack, false)
        .iter()
        .map(|p| p.1)
        .collect();
    assert_eq!(ns.len(), STACK_POSITIONS);
    assert_eq!((ns[0], ns[ns.len() - 1]), (1, 100));
    assert!(
        ns.windows(2).all(|w| w[1] > w[0] && w[1] - w[0] <= 7),
        "{ns:?}"
    );

    struct Case {
        name: &'static str,
        kind: Kind,
        every: bool,
        calls: Vec<(String, u64)>,
        must: Vec<(String, u64)>,
        at_most: usize,
    }
    let mut subnets: Vec<(String, u64)> = (1..=30).map(|n| ("CreateSubnet".into(), n)).collect();
    subnets.extend((1..=20).map(|n| ("CreateRoute".into(), n)));
    let mut replicas = pos(&[("CreateSecurityGroup", 1), ("CreateDBInstance", 1)]);
    replicas.extend((1..=12).map(|n| ("AuthorizeSecurityGroupIngress".into(), n)));
    replicas.extend(pos(&[
        ("CreateDBInstanceReadReplica", 1),
        ("CreateDBInstanceReadReplica", 2),
    ]));
    replicas.extend(pos(&[("AddTagsToResource", 1)]));
    let cases = [
        Case {
            name: "a repeated action: ends, each action once, a spread",
            kind: Kind::Network,
            every: false,
            calls: subnets.clone(),
            must: pos(&[("CreateSubnet", 1), ("CreateRoute", 1), ("CreateRoute", 20)]),
            at_most: SPREAD + 2,
        },
        Case {
            name: "every replica and the protected primary",
            kind: Kind::Database,
            every: false,
            calls: replicas.clone(),
            must: pos(&[
                ("CreateDBInstance", 1),
                ("CreateDBInstanceReadReplica", 1),
                ("CreateDBInstanceReadReplica", 2),
                ("AddTagsToResource", 1),
            ]),
            at_most: SPREAD + 5,
        },
        Case {
            name: "all positions when asked",
            kind: Kind::Network,
            every: true,
            calls: subnets.clone(),
            must: subnets.clone(),
            at_most: subnets.len(),
        },
        Case {
            name: "a create shorter than the spread runs whole",
            kind: Kind::Alerting,
            every: false,
            calls: pos(&[("CreateKey", 1), ("CreateTopic", 1), ("CreateTopic", 2)]),
            must: pos(&[("CreateKey", 1), ("CreateTopic", 1), ("CreateTopic", 2)]),
            at_most: 3,
        },
    ];
    for c in cases {
        let got = sample(c.kind, &c.calls, c.every);
        for m in &c.must {
            assert!(got.contains(m), "{}: {m:?} missing from {got:?}", c.name);
        }
        assert!(
            got.len() <= c.at_most,
            "{}: {} picked: {got:?}",
            c.name,
            got.len()
        );
        assert!(
            got.windows(2).all(|w| {
                let p = |x: &(String, u64)| c.calls.iter().position(|y| y == x);
                p(&w[0]) < p(&w[1])
            }),
            "{}: out of order",
            c.name
        );
    }
}

// ---- eventual consistency ----

#[tokio::test(flavor = "multi_thread")]
async fn objects_not_yet_visible_after_create_are_waited_for_not_reported() {
    let aws = aws().await;
    let i = inputs(&aws, 121).await;
    let name = env::unique("ec");
    let faults = Faults::new("ec");
    // What AWS answers in the seconds after a create: the new security group, role and instance
    // profile are "not found" to the next call.
    faults.set(json!({ "fail": [
        { "action": "AuthorizeSecurityGroupIngress", "nth": 1, "code": "InvalidGroup.NotFound",
          "message": "The security group does not exist" },
        { "action": "AddRoleToInstanceProfile", "nth": 1, "code": "NoSuchEntity", "status": 404,
          "message": "Instance profile not found" },
        { "action": "CreateLaunchTemplate", "nth": 1, "code": "InvalidParameterValue",
          "message": "Value (x) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name" },
    ] }));
    let tf = working_dir(Kind::Cluster, &name, &i, &faults.key);
    let r = tf.apply(&[]);
    assert!(r.stdout.contains("1 added"), "{}", r.all());
    let calls = faults.calls();
    for action in [
        "AuthorizeSecurityGroupIngress",
        "AddRoleToInstanceProfile",
        "CreateLaunchTemplate",
    ] {
        let tries: Vec<&Call> = calls.iter().filter(|c| c.action == action).collect();
        assert!(
            tries.len() >= 2 && tries[0].fault == "failed" && tries.last().unwrap().status == 200,
            "{action}: {tries:?}"
        );
    }
    assert_eq!(tf.plan_code(&[]).code, 0);
    destroy(&tf);
    let left = objects(&aws, Kind::Cluster, &name).await;
    assert!(left.is_empty(), "left after destroy: {left:?}");
}

// ---- waits, timeouts and interrupts ----

/// Seconds from each held answer of `action` to the next one's arrival (the provider's pauses).
fn held_gaps(calls: &[Call], action: &str) -> Vec<f64> {
    let held: Vec<&Call> = calls
        .iter()
        .filter(|c| c.action == action && c.fault == "held")
        .collect();
    // From one answer to the next call's arrival: the provider's pause, without the time the
    // local AWS (shared by every test running beside this one) took to answer.
    held.windows(2)
        .map(|w| w[1].t - w[1].ms / 1000.0 - w[0].t)
        .collect()
}

/// A create that waits for AWS: the answer held pending, and the component the wait is for.
struct Hold {
    /// The call that makes the object waited for.
    create: &'static str,
    action: &'static str,
    from: &'static str,
    to: &'static str,
    component: &'static str,
}

/// What each resource's create waits for (the cluster and alerting make nothing that needs a wait;
/// the stack's database is held).
fn hold(kind: Kind) -> Option<Hold> {
    match kind {
        Kind::Network => Some(Hold {
            create: "CreateNatGateway",
            action: "DescribeNatGateways",
            from: "<state>available</state>",
            to: "<state>pending</state>",
            component: "nat_0",
        }),
        Kind::Database | Kind::Stack => Some(Hold {
            create: "CreateDBInstance",
            action: "DescribeDBInstances",
            from: "<DBInstanceStatus>available</DBInstanceStatus>",
            to: "<DBInstanceStatus>creating</DBInstanceStatus>",
            component: "primary",
        }),
        Kind::Redis => Some(Hold {
            create: "CreateReplicationGroup",
            action: "DescribeReplicationGroups",
            from: "<Status>available</Status>",
            to: "<Status>creating</Status>",
            component: "replication_group",
        }),
        Kind::Cluster | Kind::Alerting => None,
    }
}

/// Whether the create's wait has begun: a held answer after the object's create (earlier held
/// answers are looks at other objects AWS lists alongside).
fn waiting(calls: &[Call], h: &Hold) -> bool {
    calls
        .iter()
        .skip_while(|c| c.action != h.create)
        .any(|c| c.fault == "held")
}

fn held_forever(h: &Hold) -> serde_json::Value {
    json!({ "hold": [{ "action": h.action, "polls": -1, "from": h.from, "to": h.to }] })
}

/// The state's instance of the resource that waits (for the stack, its database).
fn waiting_instance(tf: &Tf, kind: Kind) -> serde_json::Value {
    let kind_type = match kind {
        Kind::Network => "prod_network",
        Kind::Cluster => "prod_cluster",
        Kind::Database | Kind::Stack => "prod_database_ha",
        Kind::Redis => "prod_redis_cluster",
        Kind::Alerting => "prod_alerting",
    };
    tf.instance_of(kind_type)
}

/// With the create's wait held pending and `timeouts { create = "30s" }`: the apply fails in
/// 30–60 s naming `timeouts.create`, the polls back off (capped at 30 s), the create is in state,
/// tainted, with what it made; fault-free, the next apply replaces it with one of each object.
async fn waits_back_off_and_time_out(kind: Kind, octet: u8) {
    let aws = aws().await;
    let i = inputs(&aws, octet).await;
    let (_, made) = clean_create(&aws, kind, &i).await;
    let h = hold(kind).unwrap();
    let name = env::unique("wt");
    let faults = Faults::new("wt");
    faults.set(held_forever(&h));
    let cfg = config(kind, &name, &i).replace(
        &format!("name       = \"{name}\""),
        &format!("name       = \"{name}\"\n  timeouts {{\n    create = \"30s\"\n  }}"),
    );
    let cfg = cfg.replace(
        &format!("name                       = \"{name}\""),
        &format!(
            "name                       = \"{name}\"\n  timeouts {{\n    create = \"30s\"\n  }}"
        ),
    );
    assert!(cfg.contains("create = \"30s\""), "{cfg}");
    let tf = Tf::new(&cfg).with_access_key(&faults.key);
    tf.init();

    let started = std::time::Instant::now();
    let r = tf.run_env(
        &["apply", "-auto-approve", "-no-color"],
        &[("TF_LOG", "INFO")],
    );
    let took = started.elapsed().as_secs_f64();
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.all().contains("timeouts.create"), "{}", r.all());
    // The provider's own progress at INFO says what is pending, in AWS's words.
    let state = h.to.split(['>', '<']).nth(2).unwrap();
    let progress: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("[INFO]") && l.contains(" available; "))
        .filter(|l| l.contains(&format!(": {state}")))
        .collect();
    assert!(
        !progress.is_empty(),
        "no INFO progress line saying `{state}`:\n{}",
        r.stderr
            .lines()
            .filter(|l| l.contains("terraform-provider-prod"))
            .take(40)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!((29.0..60.0).contains(&took), "the apply took {took:.1} s");
    // The wait's polls: held answers after the object's create (earlier ones are looks at other
    // objects AWS lists alongside).
    let after_create: Vec<Call> = faults
        .calls()
        .into_iter()
        .skip_while(|c| c.action != h.create)
        .collect();
    let gaps = held_gaps(&after_create, h.action);
    eprintln!("{kind:?}: polls of the pending object, seconds apart: {gaps:.1?}");
    // Pauses that follow the time waited (`framework::wait`, whose unit table shows them grow):
    // a quarter to half a second while the wait is young, never more than a twentieth of the time
    // waited once that is more (1.5 s after 30 s), give or take a call's latency; so the polls of
    // 30 s number some dozens, where the old doubling backoff made at most six.
    assert!((15..=150).contains(&gaps.len()), "{gaps:?}");
    let mut waited = 0.0;
    for g in &gaps {
        let most = f64::max(0.5, waited / 20.0) + 0.3;
        assert!(
            *g >= 0.2 && *g <= most,
            "a pause of {g} s after {waited:.1} s: {gaps:?}"
        );
        waited += g;
    }

    // The timed-out create is in state, tainted, with what it made.
    let inst = waiting_instance(&tf, kind);
    assert_eq!(inst["status"], "tainted", "{inst}");
    assert!(
        inst["attributes"]["components"][h.component].is_string(),
        "{inst}"
    );

    // Fault-free, the next apply replaces it: the objects of one clean create, nothing orphaned.
    faults.set(json!({}));
    let r = tf.apply(&[]);
    assert!(
        r.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        r.all()
    );
    assert_eq!(tf.plan_code(&[]).code, 0);
    let now = census(&name, &objects(&aws, kind, &name).await);
    assert_eq!(now, made, "objects after the replacement");
    destroy(&tf);
    let left = objects(&aws, kind, &name).await;
    assert!(left.is_empty(), "left after destroy: {left:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn network_waits_back_off_honour_timeouts_and_a_timed_out_create_is_replaced() {
    waits_back_off_and_time_out(Kind::Network, 131).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn database_waits_back_off_honour_timeouts_and_a_timed_out_create_is_replaced() {
    waits_back_off_and_time_out(Kind::Database, 133).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_waits_back_off_honour_timeouts_and_a_timed_out_create_is_replaced() {
    waits_back_off_and_time_out(Kind::Redis, 134).await;
}

/// Starts `terraform apply`, sends SIGINT once `ready` holds of the calls so far (`what` says what
/// it waits for, within 180 s), and returns the run with the seconds terraform took after SIGINT.
fn apply_interrupted_when(
    tf: &Tf,
    faults: &Faults,
    what: &str,
    ready: impl Fn(&[Call]) -> bool,
) -> (common::tf::Run, f64) {
    let child = tf.spawn(&["apply", "-auto-approve", "-no-color"]);
    let waited = std::time::Instant::now();
    while !ready(&faults.calls()) {
        assert!(
            waited.elapsed().as_secs() < 180,
            "the apply never got {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let interrupted = std::time::Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = common::tf::finish(child, "terraform apply (interrupted)");
    (out, interrupted.elapsed().as_secs_f64())
}

/// SIGINT to `terraform apply` half way: where the create waits, while it waits (StopProvider ends
/// the wait at once, the create is saved tainted); elsewhere, with 300 ms on every call, once half
/// of a clean create's calls are made. Either way the state is saved, the next apply converges to
/// the objects of one clean create, and destroy leaves nothing.
async fn interrupted_apply_converges(kind: Kind, octet: u8) {
    let aws = aws().await;
    let i = inputs(&aws, octet).await;
    let (positions, made) = clean_create(&aws, kind, &i).await;
    let name = env::unique("int");
    let faults = Faults::new("int");
    let h = hold(kind);
    match &h {
        Some(h) => faults.set(held_forever(h)),
        None => faults.set(json!({ "latency_ms": 300 })),
    }
    let tf = working_dir(kind, &name, &i, &faults.key);

    let half_way = |calls: &[Call]| match &h {
        // A held answer after the object's create: the wait has begun (earlier held answers
        // are looks at other objects AWS lists alongside).
        Some(h) => waiting(calls, h),
        None => calls.iter().filter(|c| c.mutating()).count() * 2 >= positions.len(),
    };
    let (out, took) = apply_interrupted_when(&tf, &faults, "half way", half_way);
    let all = out.all();
    eprintln!("{kind:?}: terraform ended {took:.2} s after SIGINT");
    assert!(all.contains("Interrupt received"), "{all}");
    if let Some(h) = &h {
        assert_ne!(out.code, 0, "{all}");
        assert!(
            all.contains("Terraform asked the provider to stop"),
            "{all}"
        );
        // StopProvider ends the wait at once (polls are 5 s or more apart); the rest is terraform
        // writing its state.
        assert!(took < 5.0, "terraform took {took:.1} s to stop");
        let inst = waiting_instance(&tf, kind);
        assert_eq!(inst["status"], "tainted", "{inst}");
        assert!(
            inst["attributes"]["components"][h.component].is_string(),
            "{inst}"
        );
    } else {
        // Nothing waits: the calls in flight finish and terraform stops before the next resource.
        assert!(took < 60.0, "terraform took {took:.1} s to stop");
    }
    // State was saved with what was made.
    let listed = tf.run(&["state", "list"]);
    assert!(
        !listed.stdout.trim().is_empty(),
        "empty state: {}",
        listed.all()
    );

    faults.set(json!({}));
    let r = tf.apply(&[]);
    assert!(r.stdout.contains("Apply complete!"), "{}", r.all());
    assert_eq!(tf.plan_code(&[]).code, 0);
    let now = census(&name, &objects(&aws, kind, &name).await);
    assert_eq!(
        now, made,
        "objects after the interrupted apply and the next one"
    );
    destroy(&tf);
    let left = objects(&aws, kind, &name).await;
    assert!(left.is_empty(), "left after destroy: {left:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn network_interrupted_mid_apply_saves_state_and_the_next_apply_converges() {
    interrupted_apply_converges(Kind::Network, 141).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cluster_interrupted_mid_apply_saves_state_and_the_next_apply_converges() {
    interrupted_apply_converges(Kind::Cluster, 142).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn database_interrupted_mid_apply_saves_state_and_the_next_apply_converges() {
    interrupted_apply_converges(Kind::Database, 143).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_interrupted_mid_apply_saves_state_and_the_next_apply_converges() {
    interrupted_apply_converges(Kind::Redis, 144).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn alerting_interrupted_mid_apply_saves_state_and_the_next_apply_converges() {
    interrupted_apply_converges(Kind::Alerting, 145).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn stack_interrupted_mid_apply_saves_state_and_the_next_apply_converges() {
    interrupted_apply_converges(Kind::Stack, 146).await;
}

// ---- production: a create that fails after its protected objects exist ----

/// Decommission (the configuration `off`, guards off), then destroy: nothing of the store is left
/// but what the decommissioning guide lists (final snapshots are checked by the caller).
async fn decommission_and_destroy(tf: &Tf, off: &str, aws: &Aws, kind: Kind, name: &str) {
    tf.write(off);
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "decommission failed:\n{}", r.all());
    let r = tf.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "destroy failed:\n{}", r.all());
    let left = objects(aws, kind, name).await;
    assert!(left.is_empty(), "left after destroy: {left:?}");
}

/// A production RDS database as AWS reports it: every instance protected and encrypted, the
/// primary (`name`) Multi-AZ.
fn assert_production_rds(ours: &[aws_sdk_rds::types::DbInstance], name: &str) {
    for d in ours {
        assert_eq!(d.deletion_protection, Some(true), "{d:?}");
        assert_eq!(d.storage_encrypted, Some(true), "{d:?}");
    }
    let primary = ours
        .iter()
        .find(|d| d.db_instance_identifier.as_deref() == Some(name))
        .unwrap();
    assert_eq!(primary.multi_az, Some(true), "{primary:?}");
}

/// The replication group `name` as ElastiCache describes it, if listed.
async fn redis_group(
    aws: &Aws,
    name: &str,
) -> Option<aws_sdk_elasticache::types::ReplicationGroup> {
    aws.ec
        .describe_replication_groups()
        .replication_group_id(name)
        .send()
        .await
        .ok()
        .and_then(|o| o.replication_groups)
        .and_then(|mut g| (!g.is_empty()).then(|| g.remove(0)))
}

/// A production database (Multi-AZ, two replicas or readers, AWS deletion protection on) whose create
/// fails at `action` call `n`, after the protected primary (or cluster) exists: the failed create is
/// tainted, the next apply replaces it (lifting the half-made objects' protection), the result is
/// hardened as AWS reports it, and the decommission step then destroys everything.
async fn production_half_made_database_is_replaced(engine: &str, action: &str, n: u64, octet: u8) {
    let aws = aws().await;
    let i = inputs(&aws, octet).await;
    let name = env::unique("phm");
    let faults = Faults::new("phm");
    faults.set(json!({ "fail": [{ "action": action, "nth": n, "code": "InjectedFailure" }] }));
    let body = |protect: &str| {
        format!(
            r#"{provider}
resource "prod_database_ha" "main" {{
  name                       = "{name}"
  engine                     = "{engine}"
  subnet_ids                 = {subnets}
  allowed_security_group_ids = ["{app}"]
  {protect}
}}
"#,
            provider = env::provider_block("production"),
            subnets = list(&i.subnets),
            app = i.app,
        )
    };
    let tf = Tf::new(&body("")).with_access_key(&faults.key);
    tf.init();
    let aurora = engine.starts_with("aurora");

    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(
        r.code,
        1,
        "the create should fail at {action}#{n}:\n{}",
        r.all()
    );
    assert!(r.all().contains("InjectedFailure"), "{}", r.all());
    // The protected object exists: the failure came after it, as the scenario needs.
    let protected = if aurora {
        aws.db_cluster(&name).await.deletion_protection
    } else {
        aws.db_instances(&name).await[0].deletion_protection
    };
    assert!(
        protected == Some(true),
        "{name}: AWS deletion protection should be on after the failed create"
    );
    let st = tf.first_instance();
    assert_eq!(
        st["status"], "tainted",
        "the failed create is tainted: {st}"
    );

    // The next apply replaces the half-made database.
    faults.set(json!({}));
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "the replacement failed:\n{}", r.all());
    let p = tf.plan_code(&[]);
    assert_eq!(
        p.code,
        0,
        "plan after the replacement is not empty:\n{}",
        p.all()
    );

    // What AWS holds: a hardened, protected database with its two replicas or readers.
    let ours = aws.db_instances(&name).await;
    assert_eq!(
        ours.len(),
        3,
        "primary/writer and two replicas/readers: {ours:?}"
    );
    for d in &ours {
        assert_eq!(d.storage_encrypted, Some(true), "{d:?}");
        assert_eq!(d.publicly_accessible, Some(false), "{d:?}");
    }
    if aurora {
        let c = aws.db_cluster(&name).await;
        assert_eq!(c.deletion_protection, Some(true));
        assert_eq!(c.storage_encrypted, Some(true));
        assert_eq!(c.db_cluster_members.as_ref().map(Vec::len), Some(3));
    } else {
        assert_production_rds(&ours, &name);
    }

    // Decommission, then destroy: nothing of the database is left.
    let off = body("deletion_protection = false");
    decommission_and_destroy(&tf, &off, &aws, Kind::Database, &name).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn production_postgres_failed_at_its_second_replica_is_replaced_and_decommissioned() {
    production_half_made_database_is_replaced("postgres", "CreateDBInstanceReadReplica", 2, 151)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn production_aurora_failed_at_its_second_reader_is_replaced_and_decommissioned() {
    // Writer, reader 1, reader 2: the third CreateDBInstance.
    production_half_made_database_is_replaced("aurora-postgresql", "CreateDBInstance", 3, 152)
        .await;
}

/// A production Redis group (replicas over zones, automatic failover, the provider's
/// `deletion_protection` guard on) whose create fails while waiting for the group it made: tainted,
/// replaced by the next apply (the guard does not hold a group that never finished), hardened as
/// AWS reports it, without a final snapshot of the half-made group, then decommissioned and destroyed.
#[tokio::test(flavor = "multi_thread")]
async fn production_redis_failed_after_its_group_exists_is_replaced_and_decommissioned() {
    let aws = aws().await;
    let i = inputs(&aws, 154).await;
    let name = env::unique("phr");
    let faults = Faults::new("phr");
    // The first DescribeReplicationGroups finds nothing to adopt; the second is the wait after
    // the create.
    faults.set(json!({ "fail": [{ "action": "DescribeReplicationGroups", "nth": 2, "code": "InjectedFailure" }] }));
    let body = |protect: &str| {
        config(Kind::Redis, &name, &i)
            .replace(
                "environment = \"development\"",
                "environment = \"production\"",
            )
            .replace(
                "allowed_security_group_ids",
                &format!("{protect}\n  allowed_security_group_ids"),
            )
    };
    assert!(body("").contains("\"production\""), "{}", body(""));
    let tf = Tf::new(&body("")).with_access_key(&faults.key);
    tf.init();
    // Final snapshots of the group, by the name the provider gives them (`<name>-final-<time>`).
    let final_snapshots = || async { aws.final_snapshots(&name).await.len() };

    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 1, "the create should fail:\n{}", r.all());
    assert!(r.all().contains("InjectedFailure"), "{}", r.all());
    assert!(
        redis_group(&aws, &name).await.is_some(),
        "the group exists: the failure came after its create"
    );
    assert_eq!(tf.first_instance()["status"], "tainted");

    faults.set(json!({}));
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "the replacement failed:\n{}", r.all());
    let p = tf.plan_code(&[]);
    assert_eq!(p.code, 0, "plan after the replacement:\n{}", p.all());
    assert_eq!(
        final_snapshots().await,
        0,
        "the half-made group was deleted without a final snapshot"
    );
    let g = redis_group(&aws, &name).await.unwrap();
    assert_eq!(g.status.as_deref(), Some("available"), "{g:?}");
    assert_eq!(g.at_rest_encryption_enabled, Some(true), "{g:?}");
    assert_eq!(g.transit_encryption_enabled, Some(true), "{g:?}");
    assert_eq!(
        g.automatic_failover,
        Some(aws_sdk_elasticache::types::AutomaticFailoverStatus::Enabled),
        "{g:?}"
    );
    assert!(g.member_clusters.as_ref().map_or(0, Vec::len) >= 2, "{g:?}");

    // The guard holds the finished group: decommission first, then destroy.
    let r = tf.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_ne!(
        r.code,
        0,
        "a protected group is not destroyed:\n{}",
        r.all()
    );
    let off = body("deletion_protection = false");
    decommission_and_destroy(&tf, &off, &aws, Kind::Redis, &name).await;
    assert_eq!(
        final_snapshots().await,
        1,
        "destroy keeps the finished group's final snapshot, as the decommissioning guide lists"
    );
}

/// How a production create is stopped while it waits for its store's first object.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stop {
    /// SIGINT to terraform: StopProvider ends the wait at once.
    Sigint,
    /// `timeouts { create = "30s" }` runs out.
    Timeout,
}

/// Which production store: RDS PostgreSQL, Aurora PostgreSQL or Redis.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Store {
    Rds,
    Aurora,
    Redis,
}

/// A production data store (AWS deletion protection on the database, the provider's guard on
/// Redis) whose create is stopped (`stop`) while it waits for its first object (the RDS primary,
/// the Aurora cluster, the Redis group): state holds the half-made store, tainted; the next apply
/// replaces it (protection lifted, no final snapshot of the half-made object), the result is
/// protected and replicated as AWS reports it, and decommission then destroy leave only the
/// finished store's final snapshot.
async fn production_store_stopped_in_its_wait(store: Store, stop: Stop, octet: u8) {
    let aws = aws().await;
    let i = inputs(&aws, octet).await;
    let name = env::unique("pst");
    let faults = Faults::new("pst");
    let kind = if store == Store::Redis {
        Kind::Redis
    } else {
        Kind::Database
    };
    let h = match store {
        Store::Aurora => Hold {
            create: "CreateDBCluster",
            action: "DescribeDBClusters",
            from: "<Status>available</Status>",
            to: "<Status>creating</Status>",
            component: "cluster",
        },
        _ => hold(kind).unwrap(),
    };
    faults.set(held_forever(&h));
    let name_line = format!("name                       = \"{name}\"");
    let timeouts = match stop {
        Stop::Timeout => "timeouts {\n    create = \"30s\"\n  }",
        Stop::Sigint => "",
    };
    let body = |extra: &str| {
        let mut c = config(kind, &name, &i)
            .replace(
                "environment = \"development\"",
                "environment = \"production\"",
            )
            .replace(&name_line, &format!("{name_line}\n  {extra}"));
        if store == Store::Aurora {
            c = c.replace("\"postgres\"", "\"aurora-postgresql\"");
        }
        assert!(
            c.contains("\"production\"") && c.contains(&name_line),
            "{c}"
        );
        c
    };
    let tf = Tf::new(&body(timeouts)).with_access_key(&faults.key);
    tf.init();

    let out = match stop {
        Stop::Timeout => tf.run(&["apply", "-auto-approve", "-no-color"]),
        Stop::Sigint => apply_interrupted_when(&tf, &faults, "to its wait", |c| waiting(c, &h)).0,
    };
    let all = out.all();
    assert_ne!(out.code, 0, "{all}");
    let why = match stop {
        Stop::Sigint => "Terraform asked the provider to stop",
        Stop::Timeout => "timeouts.create",
    };
    assert!(all.contains(why), "{all}");
    let inst = waiting_instance(&tf, kind);
    assert_eq!(inst["status"], "tainted", "{inst}");
    assert!(
        inst["attributes"]["components"][h.component].is_string(),
        "{inst}"
    );

    faults.set(json!({}));
    // The replacement gets the default timeouts (a Multi-AZ store with replicas takes longer
    // than 30 s where AWS's durations apply).
    tf.write(&body(""));
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "the replacement failed:\n{}", r.all());
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after the replacement");
    assert_eq!(
        aws.final_snapshots(&name).await,
        Vec::<String>::new(),
        "the half-made store was deleted without a final snapshot"
    );
    match store {
        Store::Rds => {
            let ours = aws.db_instances(&name).await;
            assert_eq!(ours.len(), 3, "primary and two replicas: {ours:?}");
            assert_production_rds(&ours, &name);
        }
        Store::Aurora => {
            let c = aws.db_cluster(&name).await;
            assert_eq!(c.deletion_protection, Some(true), "{c:?}");
            assert_eq!(c.storage_encrypted, Some(true), "{c:?}");
            assert_eq!(
                c.db_cluster_members.as_ref().map(Vec::len),
                Some(3),
                "{c:?}"
            );
        }
        Store::Redis => {
            let g = redis_group(&aws, &name).await.unwrap();
            assert_eq!(
                g.automatic_failover,
                Some(aws_sdk_elasticache::types::AutomaticFailoverStatus::Enabled),
                "{g:?}"
            );
            assert_eq!(g.at_rest_encryption_enabled, Some(true), "{g:?}");
        }
    }

    let off = body("deletion_protection = false");
    decommission_and_destroy(&tf, &off, &aws, kind, &name).await;
    assert_eq!(
        aws.final_snapshots(&name).await.len(),
        1,
        "destroy keeps the finished store's final snapshot"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn production_database_interrupted_in_its_wait_is_replaced_and_decommissioned() {
    production_store_stopped_in_its_wait(Store::Rds, Stop::Sigint, 155).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn production_redis_interrupted_in_its_wait_is_replaced_and_decommissioned() {
    production_store_stopped_in_its_wait(Store::Redis, Stop::Sigint, 156).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn production_aurora_interrupted_in_its_wait_is_replaced_and_decommissioned() {
    production_store_stopped_in_its_wait(Store::Aurora, Stop::Sigint, 157).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn production_database_timed_out_in_its_wait_is_replaced_and_decommissioned() {
    production_store_stopped_in_its_wait(Store::Rds, Stop::Timeout, 158).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn production_redis_timed_out_in_its_wait_is_replaced_and_decommissioned() {
    production_store_stopped_in_its_wait(Store::Redis, Stop::Timeout, 159).await;
}

/// A working directory (initialised) of cluster `name` in the production profile, calling as
/// `faults`' identity, and its configuration.
fn production_cluster(name: &str, i: &Inputs, faults: &Faults) -> (Tf, String) {
    let production = config(Kind::Cluster, name, i).replace(
        "environment = \"development\"",
        "environment = \"production\"",
    );
    assert!(production.contains("\"production\""), "{production}");
    let tf = Tf::new(&production).with_access_key(&faults.key);
    tf.init();
    (tf, production)
}

/// A production cluster whose create is interrupted by SIGINT once its load balancer (deletion
/// protection on in AWS) is being made, every call slowed: terraform stops, state holds what was
/// made, and the next apply converges to a protected load balancer and an empty plan; destroy
/// leaves nothing.
#[tokio::test(flavor = "multi_thread")]
async fn production_cluster_interrupted_after_its_load_balancer_converges_and_destroys() {
    let aws = aws().await;
    let i = inputs(&aws, 160).await;
    let name = env::unique("pci");
    let faults = Faults::new("pci");
    faults.set(json!({ "latency_ms": 300 }));
    let (tf, _) = production_cluster(&name, &i, &faults);

    let (out, _) = apply_interrupted_when(&tf, &faults, "to its load balancer", |calls| {
        calls.iter().any(|c| c.action == "CreateLoadBalancer")
    });
    assert!(out.all().contains("Interrupt received"), "{}", out.all());
    // The load balancer AWS made is in state (recorded before any wait), so nothing relies on
    // finding it again by name.
    let made_lb = faults
        .calls()
        .iter()
        .any(|c| c.action == "CreateLoadBalancer" && c.status == 200);
    assert!(made_lb, "the load balancer was made before the interrupt");
    let inst = tf.first_instance();
    assert!(
        inst["attributes"]["components"]["load_balancer"].is_string(),
        "state holds the load balancer: {inst}"
    );

    faults.set(json!({}));
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "the next apply failed:\n{}", r.all());
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after the next apply");
    let lbs = aws
        .elb
        .describe_load_balancers()
        .names(&name)
        .send()
        .await
        .unwrap()
        .load_balancers
        .unwrap_or_default();
    assert_eq!(lbs.len(), 1, "one load balancer: {lbs:?}");
    let attrs = aws
        .elb
        .describe_load_balancer_attributes()
        .load_balancer_arn(lbs[0].load_balancer_arn.clone().unwrap())
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap_or_default();
    assert!(
        attrs
            .iter()
            .any(|a| a.key.as_deref() == Some("deletion_protection.enabled")
                && a.value.as_deref() == Some("true")),
        "{attrs:?}"
    );
    let r = tf.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "destroy failed:\n{}", r.all());
    let left = objects(&aws, Kind::Cluster, &name).await;
    assert!(left.is_empty(), "left after destroy: {left:?}");
}

/// A Redis group AWS reports `create-failed` never becomes available: destroy deletes it as it is
/// instead of waiting for it, and leaves nothing.
#[tokio::test(flavor = "multi_thread")]
async fn redis_group_aws_failed_to_create_is_destroyed() {
    let aws = aws().await;
    let i = inputs(&aws, 161).await;
    let name = env::unique("rcf");
    let faults = Faults::new("rcf");
    let tf = working_dir(Kind::Redis, &name, &i, &faults.key);
    tf.apply(&[]);
    faults.set(json!({ "hold": [{
        "action": "DescribeReplicationGroups",
        "polls": -1,
        "from": "<Status>available</Status>",
        "to": "<Status>create-failed</Status>"
    }] }));
    let r = tf.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "destroy of a create-failed group:\n{}", r.all());
    faults.set(json!({}));
    let left = objects(&aws, Kind::Redis, &name).await;
    assert!(left.is_empty(), "left after destroy: {left:?}");
}

/// A production cluster whose create fails after its load balancer exists (deletion protection on
/// in AWS), at the Auto Scaling group: tainted, replaced by the next apply (the half-made load
/// balancer's protection lifted), protected again as AWS reports it, and destroyed without a
/// decommission step.
#[tokio::test(flavor = "multi_thread")]
async fn production_cluster_failed_after_its_load_balancer_is_replaced_and_destroyed() {
    let aws = aws().await;
    let i = inputs(&aws, 153).await;
    let name = env::unique("phc");
    let faults = Faults::new("phc");
    faults.set(json!({ "fail": [{ "action": "CreateAutoScalingGroup", "nth": 1, "code": "InjectedFailure" }] }));
    let production = config(Kind::Cluster, &name, &i).replace(
        "environment = \"development\"",
        "environment = \"production\"",
    );
    assert!(production.contains("\"production\""), "{production}");
    let tf = Tf::new(&production).with_access_key(&faults.key);
    tf.init();
    let protected = || async {
        let lb = aws
            .elb
            .describe_load_balancers()
            .names(&name)
            .send()
            .await
            .unwrap()
            .load_balancers
            .unwrap()
            .remove(0);
        let attrs = aws
            .elb
            .describe_load_balancer_attributes()
            .load_balancer_arn(lb.load_balancer_arn.unwrap())
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap();
        attrs.iter().any(|a| {
            a.key.as_deref() == Some("deletion_protection.enabled")
                && a.value.as_deref() == Some("true")
        })
    };

    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.all().contains("InjectedFailure"), "{}", r.all());
    assert!(
        protected().await,
        "the load balancer exists, protected, before the failure"
    );
    assert_eq!(tf.first_instance()["status"], "tainted");

    faults.set(json!({}));
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "the replacement failed:\n{}", r.all());
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after the replacement");
    assert!(protected().await, "the new load balancer is protected");
    let r = tf.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "destroy failed:\n{}", r.all());
    let left = objects(&aws, Kind::Cluster, &name).await;
    assert!(left.is_empty(), "left after destroy: {left:?}");
}

/// SIGINT to `terraform apply` while a production rollout waits at its checkpoints: StopProvider
/// rolls the instance refresh back, so that one version serves; state records that version and why;
/// the next plan shows the rollout again and the next apply rolls the new version out.
#[tokio::test(flavor = "multi_thread")]
async fn production_rollout_interrupted_rolls_back_and_the_next_apply_rolls_out() {
    let aws = aws().await;
    let i = inputs(&aws, 162).await;
    let name = env::unique("pri");
    let faults = Faults::new("pri");
    let (tf, production) = production_cluster(&name, &i, &faults);
    tf.apply(&[]);
    let image2 = examples::images(&aws)
        .await
        .into_iter()
        .find(|m| *m != i.image)
        .unwrap();
    tf.write(&production.replace(&i.image, &image2));

    // Interrupted once AWS has the refresh and the provider has looked at it once.
    let (out, took) = apply_interrupted_when(&tf, &faults, "into the rollout", |calls| {
        calls
            .iter()
            .any(|c| c.action == "StartInstanceRefresh" && c.status == 200)
            && calls
                .iter()
                .any(|c| c.action == "DescribeInstanceRefreshes" && c.status == 200)
    });
    let all = out.all();
    eprintln!("rollout: terraform ended {took:.2} s after SIGINT");
    assert!(all.contains("Interrupt received"), "{all}");
    assert_ne!(out.code, 0, "{all}");
    let calls = faults.calls();
    assert!(
        calls
            .iter()
            .any(|c| c.action == "RollbackInstanceRefresh" && c.status == 200),
        "the stopped rollout is rolled back"
    );
    // The rollback ends (AWS's next look moves it on here), and every instance runs version 1.
    let newest = || async {
        env::instance_refreshes(&aws.asg, &name)
            .await
            .remove(0)
            .status
            .map(|s| s.as_str().to_string())
    };
    let first = newest().await;
    assert!(
        first.as_deref().is_some_and(|s| s.starts_with("Rollback")),
        "{first:?}"
    );
    assert_eq!(newest().await.as_deref(), Some("RollbackSuccessful"));
    let group = aws
        .asg
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(&name)
        .send()
        .await
        .unwrap()
        .auto_scaling_groups
        .unwrap()
        .remove(0);
    let versions: Vec<Option<String>> = group
        .instances
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.launch_template.and_then(|t| t.version))
        .collect();
    assert!(
        !versions.is_empty() && versions.iter().all(|v| v.as_deref() == Some("1")),
        "every instance back on version 1: {versions:?}"
    );
    assert_eq!(
        group.launch_template.unwrap().version.as_deref(),
        Some("1"),
        "the old version serves"
    );
    let inst = tf.first_instance();
    assert_eq!(inst["attributes"]["serving_launch_template_version"], 1);
    assert_eq!(
        inst["attributes"]["rollout_status"],
        "rolled_back: stopped by Terraform"
    );

    // The next plan shows the rollout again; one apply rolls it out.
    assert_eq!(tf.plan_code(&[]).code, 2, "the rollout shows again");
    let r = tf.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "the next apply failed:\n{}", r.all());
    let inst = tf.first_instance();
    assert_eq!(inst["attributes"]["serving_launch_template_version"], 2);
    assert_eq!(inst["attributes"]["rollout_status"], "idle");
    assert_eq!(tf.plan_code(&[]).code, 0, "plan after the next apply");
    let r = tf.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 0, "destroy failed:\n{}", r.all());
    let left = objects(&aws, Kind::Cluster, &name).await;
    assert!(left.is_empty(), "left after destroy: {left:?}");
}
