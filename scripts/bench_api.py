"""API economy benchmark: the AWS calls each resource makes, through the real terraform against the
local AWS and its fault layer (which records every call by access key).

For each resource, at a small and a larger size (more zones, replicas, nodes, alarms):
  - the calls of a create (`terraform apply`);
  - the calls of a refresh (`terraform plan` on unchanged infrastructure): a fixed set that must be
    the same at both sizes.
For the full stack (modules/service-stack): create and refresh calls, and the wall time of an apply
with 100 ms added to every call against the sum of its calls' time (independent components made
concurrently keep this well under 1; target <= 0.5). Peak RSS of the provider processes.

Critical path (`critical_path`): the same stack under the production profile, applied with AWS's
timing (the fault layer's timing rule for this caller, at local_aws_timing's default scale); its wall
time against the stack's critical path, the longest chain of waits that must follow one another,
computed from the dependency graph below (`CP_NODES`, `CP_EDGES`) and the timing table (target
<= 1.1). Each wait as run is printed beside: when AWS had the object ready, when the provider saw it.

Cost at scale (`alerting_x50`): 50 prod_alerting of 20 alarms each, applied, then a `terraform plan`:
its AWS calls per resource (flat: no more than one resource's refresh), the provider processes' peak
RSS (target <= 20 MB) and CPU time, and Terraform's own CPU for that plan beside the same plan of 50
terraform_data.

Usage: bench_api.py --repo DIR --cli-config FILE [--baseline FILE] [--update-baseline]
                    [--only KIND...] [--json FILE] [--trace-dir DIR]
Needs AWS_ENDPOINT_URL (a running scripts/local-aws).
"""
import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

import boto3

import local_aws_timing as timing  # the table of AWS's durations (this script's own directory)

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
LATENCY_MS = 100


def control(method: str, key: str, body: dict | None = None):
    req = urllib.request.Request(
        f"{ENDPOINT}/_faults?key={key}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
    )
    return json.loads(urllib.request.urlopen(req).read())


def client(service: str):
    return boto3.client(
        service, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )


def inputs() -> dict:
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.250.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.250.{i}.0/24", AvailabilityZone=z)["Subnet"]["SubnetId"]
        for i, z in enumerate(["us-east-1a", "us-east-1b", "us-east-1c"])
    ]
    app = ec2.create_security_group(GroupName=f"bench-{uuid.uuid4().hex[:8]}", Description="app", VpcId=vpc)[
        "GroupId"
    ]
    image = next(
        i["ImageId"]
        for i in ec2.describe_images(Owners=["amazon"])["Images"]
        if i.get("RootDeviceName") == "/dev/xvda"
    )
    cert = client("acm").request_certificate(DomainName="bench.example.com")["CertificateArn"]
    return {"subnets": subnets, "app": app, "image": image, "cert": cert}


PROVIDER = """
terraform {
  required_providers {
    prod = { source = "hardened/prod" }
  }
}
provider "prod" {
  region      = "us-east-1"
  environment = "%s"
}
"""


def config(kind: str, name: str, size: str, i: dict, environment: str | None = None, decommission: bool = False) -> str:
    """The configuration of one case; `environment` overrides the provider's profile, `decommission`
    lifts the stack's deletion guards (production: apply it before destroy)."""
    big = size == "large"
    subnets = json.dumps(i["subnets"] if big else i["subnets"][:2])
    if kind == "network":
        body = f'resource "prod_network" "main" {{\n  name = "{name}"\n  az_count = {3 if big else 2}\n}}'
        env = "development"
    elif kind == "cluster":
        body = (
            f'resource "prod_cluster" "web" {{\n  name = "{name}"\n  image_id = "{i["image"]}"\n'
            f"  subnet_ids = {subnets}\n  public_subnet_ids = {subnets}\n"
            f'  certificate_arn = "{i["cert"]}"\n  min_size = {3 if big else 1}\n  max_size = 4\n}}'
        )
        env = "development"
    elif kind == "database":
        body = (
            f'resource "prod_database_ha" "main" {{\n  name = "{name}"\n  engine = "postgres"\n'
            f'  subnet_ids = {json.dumps(i["subnets"])}\n  allowed_security_group_ids = ["{i["app"]}"]\n'
            f"  replicas = {2 if big else 0}\n}}"
        )
        env = "development"
    elif kind == "redis":
        body = (
            f'resource "prod_redis_cluster" "main" {{\n  name = "{name}"\n  engine = "valkey"\n'
            f'  subnet_ids = {json.dumps(i["subnets"])}\n  allowed_security_group_ids = ["{i["app"]}"]\n'
            f"  replicas_per_shard = {2 if big else 1}\n}}"
        )
        env = "development"
    elif kind == "alerting":
        alarms = "".join(
            f"""
  alarm {{
    name        = "cpu-{n}"
    namespace   = "AWS/EC2"
    metric_name = "CPUUtilization"
    dimensions  = {{ AutoScalingGroupName = "api-{n}" }}
    comparison  = "GreaterThanThreshold"
    threshold   = 90
    severity    = "critical"
  }}"""
            for n in range(8 if big else 1)
        )
        body = (
            f'resource "prod_alerting" "ops" {{\n  name = "{name}"\n'
            '  notify {\n    severity = "critical"\n    protocol = "email"\n    endpoint = "oncall@example.com"\n  }'
            f"{alarms}\n}}"
        )
        env = "development"
    else:  # stack
        body = (
            f'module "stack" {{\n  source = "../../modules/service-stack"\n  name = "{name}"\n'
            f'  image_id = "{i["image"]}"\n  certificate_arn = "{i["cert"]}"\n  alert_email = "oncall@example.com"\n'
            + ("  decommission = true\n" if decommission else "")
            + "}"
        )
        env = "development"
    return PROVIDER % (environment or env) + body + "\n"


class Work:
    """A working directory (for the stack: at examples/<x> of a copy of the repo's layout)."""

    def __init__(self, repo: str, cli_config: str, key: str):
        self.root = tempfile.mkdtemp(prefix="bench-api-")
        os.makedirs(os.path.join(self.root, "modules"))
        for m in os.listdir(os.path.join(repo, "modules")):
            os.symlink(os.path.join(repo, "modules", m), os.path.join(self.root, "modules", m))
        self.dir = os.path.join(self.root, "examples", "bench")
        os.makedirs(self.dir)
        self.env = dict(
            os.environ,
            TF_CLI_CONFIG_FILE=cli_config,
            TF_IN_AUTOMATION="1",
            TF_INPUT="0",
            CHECKPOINT_DISABLE="1",
            AWS_ACCESS_KEY_ID=key,
            AWS_SECRET_ACCESS_KEY="test",
            AWS_REGION="us-east-1",
            AWS_EC2_METADATA_DISABLED="true",
        )
        self.env.pop("TF_LOG", None)

    def write(self, text: str) -> None:
        with open(os.path.join(self.dir, "main.tf"), "w") as f:
            f.write(text)

    def tf(self, *args: str, stats: str | None = None) -> float:
        env = dict(self.env)
        if stats:
            env["PROD_PROVIDER_STATS_FILE"] = stats
        t = time.monotonic()
        r = subprocess.run(["terraform", *args, "-no-color"], cwd=self.dir, env=env, capture_output=True, text=True)
        took = time.monotonic() - t
        if r.returncode not in (0, 2):
            sys.exit(f"terraform {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}")
        return took

    def tf_cpu(self, *args: str, stats: str | None = None) -> dict:
        """Like `tf`, with the exit code and the CPU time (user + system, s) of terraform and of every
        process it waited for: its provider processes (go-plugin reaps each one it started)."""
        env = dict(self.env)
        if stats:
            env["PROD_PROVIDER_STATS_FILE"] = stats
        with tempfile.TemporaryFile() as out:
            t = time.monotonic()
            p = subprocess.Popen(["terraform", *args, "-no-color"], cwd=self.dir, env=env, stdout=out, stderr=out)
            _, status, usage = os.wait4(p.pid, 0)
            took = time.monotonic() - t
            p.returncode = code = os.waitstatus_to_exitcode(status)
            if code not in (0, 2):
                out.seek(0)
                sys.exit(f"terraform {' '.join(args)} failed:\n{out.read().decode(errors='replace')}")
        return {"wall_s": took, "code": code, "cpu_s": usage.ru_utime + usage.ru_stime}

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def actions(calls: list[dict]) -> collections.Counter:
    return collections.Counter(f"{c['service']}:{c['action']}" for c in calls)


def measure(repo: str, cli: str, kind: str, i: dict) -> dict:
    key = f"BENCH{uuid.uuid4().hex[:12].upper()}"
    name = f"bench-{uuid.uuid4().hex[:6]}"
    w = Work(repo, cli, key)
    out: dict = {}
    try:
        sizes = ["small"] if kind == "stack" else ["small", "large"]
        w.write(config(kind, name, sizes[0], i))
        w.tf("init")
        for size in sizes:
            w.write(config(kind, name, size, i))
            control("POST", key, {})
            w.tf("apply", "-auto-approve")
            made = control("GET", key)
            control("POST", key, {})
            w.tf("plan", "-detailed-exitcode")
            refresh = control("GET", key)
            out[size] = {
                "apply_calls": len(made),
                "apply_set": dict(sorted(actions(made).items())),
                "refresh_calls": len(refresh),
                "refresh_set": dict(sorted(actions(refresh).items())),
            }
        if kind == "stack":
            w.tf("destroy", "-auto-approve")
            # A fresh create with 100 ms on every call: wall time against the calls' total.
            control("POST", key, {"latency_ms": LATENCY_MS})
            stats = os.path.join(w.root, "stats.jsonl")
            wall = w.tf("apply", "-auto-approve", stats=stats)
            calls = control("GET", key)
            total = sum(c["ms"] for c in calls) / 1000
            rss = [json.loads(l)["peak_rss_kib"] for l in open(stats) if l.strip()]
            out["latency"] = {
                "calls": len(calls),
                "wall_s": round(wall, 1),
                "sum_of_calls_s": round(total, 1),
                "ratio": round(wall / total, 2),
                "peak_rss_mib": round(max(rss) / 1024, 1),
            }
        control("POST", key, {})
        w.tf("destroy", "-auto-approve")
        out["destroy_set"] = dict(sorted(actions(control("GET", key)).items()))
    finally:
        control("DELETE", key)
        w.close()
    return out


# ---- Apply follows the critical path: the stack under AWS's timing ----

CP_TARGET = 1.1
CP_SCALE = timing.SCALE_DEFAULT
# The production profile (src/provider/profiles.md): 3 zones, so 3 NAT gateways; a Multi-AZ primary
# and 2 read replicas; a replication group whose replicas are made with it (one create).
CP_ZONES, CP_REPLICAS = 3, 2

# The production stack's waits. Each node: (what, its row in local_aws_timing.DURATIONS, which cites
# the source of each duration; None: calls only, nothing AWS makes anyone wait for). Objects made at
# once (the NAT gateways, the replicas) are one node: they wait side by side.
CP_NODES = {
    "vpc": ("network: VPC, subnets, internet gateway", None),
    "flow_log_role": ("network: flow-log role, until VPC Flow Logs may assume it", "iam_role"),
    "flow_logs": ("network: flow logs", None),
    "nat": (f"network: NAT gateways x{CP_ZONES} (one per zone, made at once)", "nat_create"),
    "network": ("prod_network returns (routes, endpoints)", None),
    "cluster": ("prod_cluster: key, role, groups, launch template, Auto Scaling group, listeners, WAF", None),
    "load_balancer": ("cluster: load balancer provisioning", "lb_create"),
    "db_role": ("database: monitoring role, until RDS may assume it", "iam_role"),
    "db_primary": ("database: Multi-AZ primary", "db_multi_az"),
    "db_replicas": (f"database: read replicas x{CP_REPLICAS} (made at once)", "db_replica"),
    "db_proxy": ("database: RDS Proxy (pooling), beside the replicas", "proxy_create"),
    "db_proxy_target": ("database: the primary registered as the proxy's target", "proxy_target"),
    "database": ("prod_database_ha returns", None),
    "redis": ("redis: replication group, its replicas in the same create", "cache_create"),
    "alerting": ("prod_alerting: key, topics, subscriptions, alarms", None),
    "redis_events": ("alerting: the group's events sent to its topic, until the group is available again", "cache_modify"),
}

# The dependency graph: (before, after, why `after` cannot start before `before` has ended).
CP_EDGES = [
    ("vpc", "nat", "CreateNatGateway names a public subnet of its zone"),
    ("vpc", "flow_logs", "the flow logs are the VPC's"),
    ("flow_log_role", "flow_logs", "CreateFlowLogs is refused until the role can be assumed (IAM's eventual consistency)"),
    ("nat", "network", "the network's create ends when its NAT gateways are available: the private routes "
     "point at them, and the private subnets have no way out before"),
    ("flow_logs", "network", "part of the network's create"),
    ("network", "cluster", "prod_cluster.subnet_ids = prod_network.this.private_subnet_ids: Terraform starts the "
     "cluster once the network's create has returned"),
    ("cluster", "load_balancer", "the cluster makes the load balancer; nothing waits for its provisioning "
     "(listeners, target group and WAF take a provisioning load balancer), so its chain ends there"),
    ("cluster", "db_role", "module.data's allowed_security_group_ids = [prod_cluster.this.security_group_id]: the "
     "data tier starts once the cluster's create has returned"),
    ("db_role", "db_primary", "CreateDBInstance with a MonitoringRoleArn is refused until RDS can assume the role"),
    ("db_primary", "db_replicas", "CreateDBInstanceReadReplica is refused until its source is available (a "
     "replica is restored from the source's snapshot)"),
    ("db_replicas", "database", "the database's create ends when every replica is available"),
    ("db_primary", "db_proxy", "the proxy logs in with the primary's master secret, which RDS makes with it"),
    ("db_proxy", "db_proxy_target", "RegisterDBProxyTargets is refused until the proxy is available"),
    ("db_proxy_target", "database", "the database's create ends when its proxy can reach the primary"),
    ("cluster", "redis", "the same reference as the database's (allowed_security_group_ids)"),
    ("cluster", "alerting", "watch = [prod_cluster.this.watch, ...]"),
    ("database", "alerting", "watch = [..., module.data.database_watch, ...]"),
    ("redis", "alerting", "watch = [..., module.data.redis_watch]"),
    ("alerting", "redis_events", "ModifyReplicationGroup (the notification topic) takes the group through "
     "`modifying`; ElastiCache refuses other changes until it is available, so the alerting waits for that"),
]
# The end of each component's chain, as printed.
CP_ENDS = ["network", "load_balancer", "cluster", "database", "redis", "alerting", "redis_events"]

# How a wait shows in the call record: (the call that starts it, the describe that polls it).
CP_CALLS = {
    "nat": ("CreateNatGateway", "DescribeNatGateways"),
    "load_balancer": ("CreateLoadBalancer", "DescribeLoadBalancers"),
    "db_primary": ("CreateDBInstance", "DescribeDBInstances"),
    "db_replicas": ("CreateDBInstanceReadReplica", "DescribeDBInstances"),
    "db_proxy": ("CreateDBProxy", "DescribeDBProxies"),
    "db_proxy_target": ("RegisterDBProxyTargets", "DescribeDBProxyTargets"),
    "redis": ("CreateReplicationGroup", "DescribeReplicationGroups"),
    "redis_events": ("ModifyReplicationGroup", "DescribeReplicationGroups"),
}
# A role's wait: the call AWS refuses until the role can be assumed.
CP_ROLE_CALLS = {"flow_log_role": "CreateFlowLogs", "db_role": "CreateDBInstance"}


def cp_seconds(node: str, scale: float = CP_SCALE) -> float:
    row = CP_NODES[node][1]
    return timing.DURATIONS[row] * scale if row else 0.0


def cp_schedule(scale: float = CP_SCALE) -> dict[str, tuple[float, list[str]]]:
    """Each node's earliest end with every node started as soon as its predecessors end: (seconds
    from the start, the longest chain ending at it)."""
    preds: dict[str, list[str]] = {n: [] for n in CP_NODES}
    for before, after, _why in CP_EDGES:
        preds[after].append(before)
    done: dict[str, tuple[float, list[str]]] = {}
    while len(done) < len(CP_NODES):
        ready = [n for n in CP_NODES if n not in done and all(p in done for p in preds[n])]
        if not ready:
            sys.exit(f"the critical path's graph has a cycle among {sorted(set(CP_NODES) - set(done))}")
        for n in ready:
            start, chain = max(((done[p][0], done[p][1]) for p in preds[n]), default=(0.0, []), key=lambda x: x[0])
            done[n] = (start + cp_seconds(n, scale), chain + [n])
    return done


def cp_chain_text(chain: list[str], scale: float = CP_SCALE) -> str:
    return " -> ".join(f"{n} {cp_seconds(n, scale):.1f}" if CP_NODES[n][1] else n for n in chain)


def cp_waits_as_run(calls: list[dict], t0: float, scale: float) -> dict[str, dict]:
    """Each wait of the apply from its call record: when it started, when AWS had it ready (the last
    create + its scaled duration), when the provider saw it ready (the first poll after the last one
    answered pending), the polls and AWS's refusals; for roles, the refused tries."""
    ok = [c for c in calls if c["status"] == 200 and not c["fault"]]
    starts = {n: next((c["t"] for c in ok if c["action"] == make), None) for n, (make, _poll) in CP_CALLS.items()}
    out: dict[str, dict] = {}
    for node, (make, poll) in CP_CALLS.items():
        start = starts[node]
        if start is None:
            continue
        # Until the next wait polled by the same describe starts (the replicas end the primary's).
        end = min((s for n, s in starts.items() if s is not None and s > start and CP_CALLS[n][1] == poll), default=float("inf"))
        made = [c for c in ok if c["action"] == make and start <= c["t"] < end]
        ready = made[-1]["t"] + cp_seconds(node, scale)
        polls = [c for c in calls if c["action"] == poll and start <= c["t"] < end]
        pending = [c["t"] for c in polls if c["pending"]]
        seen = next((c["t"] for c in polls if pending and c["t"] > pending[-1]), None)
        out[node] = {
            "made": len(made),
            "start_s": round(start - t0, 1),
            "aws_ready_s": round(ready - t0, 1),
            "seen_s": round(seen - t0, 1) if seen else None,
            "lost_s": round(seen - ready, 1) if seen else None,
            "polls": len(polls),
            "refused": sum(1 for c in calls if c["action"] == make and c["fault"] == "timing" and c["t"] < end),
        }
    for node, use in CP_ROLE_CALLS.items():
        tries = [c for c in calls if c["action"] == use]
        done = next((c for c in tries if c["status"] == 200 and not c["fault"]), None)
        if tries and done:
            out[node] = {
                "start_s": round(tries[0]["t"] - t0, 1),
                "seen_s": round(done["t"] - t0, 1),
                "refused": sum(1 for c in tries if c["fault"] == "timing"),
            }
    return out


def resource_times(lines: list[tuple[float, str]], t0: float) -> dict[str, list[float]]:
    """Each resource's [start, end] in seconds after t0, from terraform apply's own lines."""
    out: dict[str, list[float]] = {}
    for t, line in lines:
        addr, _, rest = line.partition(": ")
        if rest.startswith("Creating..."):
            out.setdefault(addr, [round(t - t0, 1), -1.0])
        elif rest.startswith("Creation complete") and addr in out:
            out[addr][1] = round(t - t0, 1)
    return out


def measure_critical_path(repo: str, cli: str, i: dict, trace_dir: str | None) -> tuple[dict, dict]:
    """The stack (modules/service-stack) under the production profile, applied with AWS's timing at
    the default scale for this caller only (the fault layer's timing rule: other callers of the local
    AWS are not slowed); then its guards lifted and destroyed, without the timing."""
    key = f"BENCH{uuid.uuid4().hex[:12].upper()}"
    name = f"bench-{uuid.uuid4().hex[:6]}"
    w = Work(repo, cli, key)
    try:
        w.write(config("stack", name, "small", i, environment="production"))
        w.tf("init")
        control("POST", key, {"timing": {"scale": CP_SCALE}})
        env = dict(w.env)
        if trace_dir:
            os.makedirs(trace_dir, exist_ok=True)
            env.update(TF_LOG_PROVIDER="info", TF_LOG_PATH=os.path.join(trace_dir, "provider.log"))
        t0 = time.time()
        p = subprocess.Popen(
            ["terraform", "apply", "-auto-approve", "-no-color"], cwd=w.dir, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        lines = [(time.time(), line.rstrip("\n")) for line in p.stdout]  # type: ignore[union-attr]
        code = p.wait()
        wall = time.time() - t0
        calls = control("GET", key)
        if trace_dir:
            with open(os.path.join(trace_dir, "calls.json"), "w") as f:
                json.dump({"t0": t0, "calls": calls}, f, indent=1)
            with open(os.path.join(trace_dir, "apply.log"), "w") as f:
                f.writelines(f"{t - t0:7.2f} {line}\n" for t, line in lines)
        if code != 0:
            sys.exit("terraform apply of the production stack under AWS's timing failed:\n" + "\n".join(l for _, l in lines[-60:]))
        # Teardown at moto's speed: the guards lifted (production), then destroyed.
        control("POST", key, {})
        w.write(config("stack", name, "small", i, environment="production", decommission=True))
        w.tf("apply", "-auto-approve")
        w.tf("destroy", "-auto-approve")
    finally:
        control("DELETE", key)
        w.close()
    schedule = cp_schedule()
    length, path = max(schedule.values(), key=lambda v: v[0])
    made = actions([c for c in calls if c["status"] == 200 and not c["fault"]])
    out = {
        "scale": CP_SCALE,
        "critical_path_s": round(length, 1),
        "path": path,
        "wall_s": round(wall, 1),
        "ratio": round(wall / length, 2),
        "calls": len(calls),
    }
    detail = {
        "chains": {e: (round(schedule[e][0], 1), schedule[e][1]) for e in CP_ENDS},
        "waits": cp_waits_as_run(calls, t0, CP_SCALE),
        "resources": resource_times(lines, t0),
        # The graph's counts against what the apply made.
        "model_check": {
            "nat": (CP_ZONES, made.get("ec2:CreateNatGateway", 0)),
            "db_replicas": (CP_REPLICAS, made.get("rds:CreateDBInstanceReadReplica", 0)),
            "redis": (1, made.get("elasticache:CreateReplicationGroup", 0)),
        },
    }
    return out, detail


def print_critical_path(cp: dict, detail: dict) -> None:
    print(f"critical path: production stack applied under AWS's timing x{cp['scale']} (local_aws_timing.DURATIONS)")
    for e, (s, chain) in detail["chains"].items():
        print(f"  chain to {e:<14} {s:5.1f} s  {cp_chain_text(chain)}")
    print(f"  critical path {cp['critical_path_s']} s: {' -> '.join(cp['path'])}")
    for node, (want, got) in detail["model_check"].items():
        if want != got:
            print(f"  MODEL MISMATCH: the graph has {want} {node}, the apply made {got}")
    print("  waits as run (s after the apply started): start, AWS ready, provider saw it ready, lost to polling")
    for node, w in detail["waits"].items():
        if "aws_ready_s" in w:
            seen = "not waited for" if w["seen_s"] is None else f"seen {w['seen_s']:6.1f}  lost {w['lost_s']:5.1f}"
            print(
                f"    {node:<14} x{w['made']} start {w['start_s']:6.1f}  ready {w['aws_ready_s']:6.1f}  {seen}"
                f"  ({w['polls']} polls, {w['refused']} refused)"
            )
        else:
            print(f"    {node:<14} first try {w['start_s']:6.1f}  made {w['seen_s']:6.1f}  ({w['refused']} refused)")
    print("  resources as run (s after the apply started: creating .. complete):")
    for addr, (a, b) in sorted(detail["resources"].items(), key=lambda kv: kv[1][0]):
        print(f"    {addr:<50} {a:6.1f} .. {b:6.1f}  ({b - a:5.1f} s)")
    print(
        f"  apply wall {cp['wall_s']} s against the critical path {cp['critical_path_s']} s: "
        f"ratio {cp['ratio']} (target <= {CP_TARGET})"
    )


# ---- Cost at scale: a refresh of 50 prod_alerting of 20 alarms each ----

X50_RESOURCES, X50_ALARMS, X50_PLANS = 50, 20, 3
RSS_TARGET_MB = 20  # a provider process's peak RSS, as scripts/bench: 20 MB = 19.1 MiB


def x50_alarms(name: str) -> list[dict]:
    """Each resource's custom alarms (`${count.index}`: the resource's index)."""
    return [
        {
            "name": f"latency-{n}",
            "namespace": "AWS/ApplicationELB",
            "metric_name": "TargetResponseTime",
            "dimensions": {"LoadBalancer": f"app/{name}-${{count.index}}/{n:016x}"},
            "statistic": "Average",
            "comparison": "GreaterThanThreshold",
            "threshold": n + 1,
            "severity": "critical" if n % 2 else "warning",
        }
        for n in range(X50_ALARMS)
    ]


def hcl(v) -> str:  # type: ignore[no-untyped-def]
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {hcl(x)}" for k, x in v.items()) + " }"
    return json.dumps(v)


NOTIFY = {"severity": "critical", "protocol": "email", "endpoint": "oncall@example.com"}


def x50_config(name: str) -> str:
    """50 prod_alerting, each with a notify block and 20 custom alarms."""
    blocks = "".join(
        f"\n  {kind} {{\n" + "".join(f"    {k} = {hcl(v)}\n" for k, v in body.items()) + "  }"
        for kind, body in [("notify", NOTIFY)] + [("alarm", a) for a in x50_alarms(name)]
    )
    return PROVIDER % "development" + (
        f'resource "prod_alerting" "ops" {{\n  count = {X50_RESOURCES}\n  name  = "{name}-${{count.index}}"{blocks}\n}}\n'
    )


def x50_reference(name: str, same_data: bool) -> str:
    """50 terraform_data (Terraform alone, no provider process): bare, or carrying the same
    arguments as the prod_alerting (its name, notify block and alarms) as their input."""
    if not same_data:
        return f'resource "terraform_data" "ops" {{\n  count = {X50_RESOURCES}\n  input = "{name}-${{count.index}}"\n}}\n'
    alarms = ",\n".join(f"      {hcl(a)}" for a in x50_alarms(name))
    return (
        f'resource "terraform_data" "ops" {{\n  count = {X50_RESOURCES}\n  input = {{\n'
        f'    name   = "{name}-${{count.index}}"\n    notify = [{hcl(NOTIFY)}]\n    alarms = [\n{alarms}\n    ]\n  }}\n}}\n'
    )


def plan_cost(w: Work, runs: int) -> list[dict]:
    """`terraform plan` `runs` times: each run's exit code, wall, the CPU of terraform itself (all but
    its provider processes) and, from the provider's own /proc figures, each provider process's."""
    hz = os.sysconf("SC_CLK_TCK")
    out = []
    for n in range(runs):
        stats = os.path.join(w.root, f"plan-{n}.jsonl")
        r = w.tf_cpu("plan", "-detailed-exitcode", stats=stats)
        procs = [json.loads(l) for l in open(stats) if l.strip()] if os.path.exists(stats) else []
        provider = [p["cpu_ticks"] / hz for p in procs]
        out.append(
            {
                "code": r["code"],
                "wall_s": r["wall_s"],
                "terraform_cpu_s": r["cpu_s"] - sum(provider),
                "provider_cpu_s": sum(provider),
                "busiest_cpu_s": max(provider, default=0.0),
                "processes": len(procs),
                "peak_rss_mib": max((p["peak_rss_kib"] for p in procs), default=0) / 1024,
            }
        )
    return out


def median(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[len(xs) // 2]


def measure_x50(repo: str, cli: str) -> dict:
    key = f"BENCH{uuid.uuid4().hex[:12].upper()}"
    name = f"bench-{uuid.uuid4().hex[:6]}"
    w = Work(repo, cli, key)
    try:
        w.write(x50_config(name))
        w.tf("init")
        control("POST", key, {})
        w.tf("apply", "-auto-approve")
        control("POST", key, {})
        first = plan_cost(w, 1)
        calls = control("GET", key)
        runs = first + plan_cost(w, X50_PLANS - 1)
        control("POST", key, {})
        w.tf("destroy", "-auto-approve")
    finally:
        control("DELETE", key)
        w.close()
    # The references: the same plan of 50 terraform_data (no provider process: Terraform alone),
    # bare and carrying the same arguments.
    reference = {}
    for same_data in (False, True):
        ref = Work(repo, cli, key)
        try:
            ref.write(x50_reference(name, same_data))
            ref.tf("init")
            ref.tf("apply", "-auto-approve")
            reference[same_data] = plan_cost(ref, X50_PLANS)
        finally:
            ref.close()
    provider_cpu = median([r["provider_cpu_s"] for r in runs])
    return {
        "resources": X50_RESOURCES,
        "alarms_each": X50_ALARMS,
        "plans": X50_PLANS,
        "plan_empty": all(r["code"] == 0 for r in runs),
        "refresh_calls": len(calls),
        "refresh_calls_per_resource": round(len(calls) / X50_RESOURCES, 2),
        "refresh_set": dict(sorted(actions(calls).items())),
        "provider_processes": runs[0]["processes"],
        "peak_rss_mib": round(max(r["peak_rss_mib"] for r in runs), 1),
        "provider_cpu_s": round(provider_cpu, 2),
        "provider_cpu_ms_per_resource": round(provider_cpu * 1000 / X50_RESOURCES, 1),
        "provider_cpu_ms_per_call": round(provider_cpu * 1000 / max(len(calls), 1), 2),
        "busiest_process_cpu_s": round(median([r["busiest_cpu_s"] for r in runs]), 2),
        "terraform_cpu_s": round(median([r["terraform_cpu_s"] for r in runs]), 2),
        "terraform_data_cpu_s": round(median([r["terraform_cpu_s"] for r in reference[False]]), 2),
        "terraform_data_same_data_cpu_s": round(median([r["terraform_cpu_s"] for r in reference[True]]), 2),
        "plan_wall_s": round(median([r["wall_s"] for r in runs]), 1),
    }


def print_x50(x: dict, one: int | None) -> None:
    per = x["refresh_calls_per_resource"]
    print(
        f"alerting x{x['resources']}: {x['resources']} prod_alerting of {x['alarms_each']} alarms, terraform plan "
        f"(median of {x['plans']}; plan empty: {'yes' if x['plan_empty'] else 'NO'})"
    )
    print(
        f"  AWS calls {x['refresh_calls']}, {per} per resource (one resource's refresh: {one if one is not None else '-'}); "
        "per resource: " + ", ".join(f"{n / x['resources']:g}x{a}" for a, n in x["refresh_set"].items())
    )
    print(
        f"  provider: {x['provider_processes']} processes, peak RSS {x['peak_rss_mib']} MiB = "
        f"{x['peak_rss_mib'] * 1.048576:.1f} MB (target <= {RSS_TARGET_MB} MB), CPU {x['provider_cpu_s']} s "
        f"({x['provider_cpu_ms_per_resource']} ms per resource, {x['provider_cpu_ms_per_call']} ms per AWS call; "
        f"the busiest process {x['busiest_process_cpu_s']} s)"
    )
    print(
        f"  terraform's own CPU for that plan {x['terraform_cpu_s']} s (plan wall {x['plan_wall_s']} s); for "
        f"{x['resources']} terraform_data {x['terraform_data_cpu_s']} s, {x['terraform_data_same_data_cpu_s']} s "
        "with the same arguments as their input; "
        f"of the plan's CPU, Terraform {x['terraform_cpu_s'] / max(x['provider_cpu_s'] + x['terraform_cpu_s'], 1e-9):.0%}, "
        f"the provider {x['provider_cpu_s'] / max(x['provider_cpu_s'] + x['terraform_cpu_s'], 1e-9):.0%}"
    )


RESOURCE_KINDS = ["network", "cluster", "database", "redis", "alerting", "stack"]
SCALE_KINDS = ["critical_path", "alerting_x50"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--cli-config", required=True)
    ap.add_argument("--baseline")
    ap.add_argument("--update-baseline", action="store_true")
    ap.add_argument("--only", nargs="*", choices=RESOURCE_KINDS + SCALE_KINDS)
    ap.add_argument("--json", help="write every figure and call set here")
    ap.add_argument(
        "--trace-dir",
        help="keep the critical-path apply's call record (calls.json), its terraform lines with their times "
        "(apply.log) and the provider's INFO log (provider.log) here",
    )
    a = ap.parse_args()
    started = time.monotonic()
    i = inputs()
    kinds = a.only or RESOURCE_KINDS + SCALE_KINDS
    results = {k: measure(a.repo, a.cli_config, k, i) for k in kinds if k in RESOURCE_KINDS}
    cp_detail = None
    if "critical_path" in kinds:
        results["critical_path"], cp_detail = measure_critical_path(a.repo, a.cli_config, i, a.trace_dir)
    if "alerting_x50" in kinds:
        results["alerting_x50"] = measure_x50(a.repo, a.cli_config)

    base = {}
    if a.baseline and os.path.exists(a.baseline):
        base = json.load(open(a.baseline))
    worse = []
    per_kind = {k: r for k, r in results.items() if k in RESOURCE_KINDS}
    if per_kind:
        print(f"{'resource':<10} {'create calls':>12} {'refresh calls':>13} {'refresh, larger':>15}  fixed?  baseline refresh")
    for k, r in per_kind.items():
        s = r["small"]
        l = r.get("large")
        fixed = "-" if l is None else ("yes" if l["refresh_set"] == s["refresh_set"] else "NO")
        b = base.get(k, {}).get("small", {}).get("refresh_calls")
        flag = ""
        if b is not None and s["refresh_calls"] > b:
            flag = "  REGRESSION"
            worse.append(k)
        print(
            f"{k:<10} {s['apply_calls']:>12} {s['refresh_calls']:>13} {l['refresh_calls'] if l else '-':>15}  {fixed:<6}  {b if b is not None else '-'}{flag}"
        )
        if fixed == "NO":
            worse.append(f"{k} (refresh grows with size)")
    for k, r in per_kind.items():
        print(f"  {k} refresh set: " + ", ".join(f"{n}×{a}" if n > 1 else a for a, n in r["small"]["refresh_set"].items()))
    if "stack" in results:
        lat = results["stack"]["latency"]
        print(
            f"full stack apply with {LATENCY_MS} ms per call: {lat['calls']} calls, wall {lat['wall_s']} s, "
            f"sum of calls {lat['sum_of_calls_s']} s, ratio {lat['ratio']} (target <= 0.5); "
            f"provider peak RSS {lat['peak_rss_mib']} MiB"
        )
        base_lat = base.get("stack", {}).get("latency", {})
        # What may grow against the baseline before it counts as a regression.
        for key, allowed, what in (("ratio", 1.2, "stack latency ratio"), ("peak_rss_mib", 1.1, "stack apply peak RSS (MiB)")):
            b = base_lat.get(key)
            if b is not None and lat[key] > b * allowed:
                worse.append(f"{what} {lat[key]} > baseline {b}")
    if "critical_path" in results:
        cp = results["critical_path"]
        print_critical_path(cp, cp_detail or {})
        b = base.get("critical_path", {}).get("ratio")
        if cp["ratio"] > CP_TARGET:
            worse.append(f"critical path ratio {cp['ratio']} > target {CP_TARGET}")
        if b is not None and cp["ratio"] > b * 1.2:
            worse.append(f"critical path ratio {cp['ratio']} > baseline {b}")
    if "alerting_x50" in results:
        x = results["alerting_x50"]
        one = (results.get("alerting") or base.get("alerting") or {}).get("small", {}).get("refresh_calls")
        print_x50(x, one)
        bx = base.get("alerting_x50", {})
        if not x["plan_empty"]:
            worse.append("alerting x50: the plan after apply is not empty")
        if one is not None and x["refresh_calls_per_resource"] > one:
            worse.append(f"alerting x50: {x['refresh_calls_per_resource']} calls per resource > one resource's {one} (grows with count)")
        if x["peak_rss_mib"] * 1.048576 > RSS_TARGET_MB:
            worse.append(f"alerting x50 peak RSS {x['peak_rss_mib']} MiB > target {RSS_TARGET_MB} MB")
        # What may grow against the baseline before it counts as a regression.
        for key, allowed, what in (
            ("refresh_calls_per_resource", 1.0, "alerting x50 calls per resource"),
            ("peak_rss_mib", 1.1, "alerting x50 peak RSS (MiB)"),
            ("provider_cpu_ms_per_resource", 1.2, "alerting x50 provider CPU per resource (ms)"),
        ):
            b = bx.get(key)
            if b is not None and x[key] > b * allowed:
                worse.append(f"{what} {x[key]} > baseline {b}")
    print(f"bench_api took {time.monotonic() - started:.0f} s")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2, sort_keys=True)
    if a.update_baseline and a.baseline:
        with open(a.baseline, "w") as f:
            json.dump(results, f, indent=2, sort_keys=True)
            f.write("\n")
        print(f"baseline written: {a.baseline}")
    if worse:
        print("worse than the baseline or the targets: " + "; ".join(worse))
        sys.exit(1)


if __name__ == "__main__":
    main()
