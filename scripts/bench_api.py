"""API economy benchmark: the AWS calls each resource makes, through the real terraform against the
local AWS and its fault layer (which records every call by access key).

For each resource, at a small and a larger size (more zones, replicas, nodes, alarms):
  - the calls of a create (`terraform apply`);
  - the calls of a refresh (`terraform plan` on unchanged infrastructure): a fixed set that must be
    the same at both sizes.
For the full stack (modules/service-stack): create and refresh calls, and the wall time of an apply
with 100 ms added to every call against the sum of its calls' time (independent components made
concurrently keep this well under 1; target <= 0.5). Peak RSS of the provider processes.

Usage: bench_api.py --repo DIR --cli-config FILE [--baseline FILE] [--update-baseline]
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


def config(kind: str, name: str, size: str, i: dict) -> str:
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
            f'  image_id = "{i["image"]}"\n  certificate_arn = "{i["cert"]}"\n  alert_email = "oncall@example.com"\n}}'
        )
        env = "development"
    return PROVIDER % env + body + "\n"


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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--cli-config", required=True)
    ap.add_argument("--baseline")
    ap.add_argument("--update-baseline", action="store_true")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--json", help="write every figure and call set here")
    a = ap.parse_args()
    i = inputs()
    kinds = a.only or ["network", "cluster", "database", "redis", "alerting", "stack"]
    results = {k: measure(a.repo, a.cli_config, k, i) for k in kinds}

    base = {}
    if a.baseline and os.path.exists(a.baseline):
        base = json.load(open(a.baseline))
    print(f"{'resource':<10} {'create calls':>12} {'refresh calls':>13} {'refresh, larger':>15}  fixed?  baseline refresh")
    worse = []
    for k, r in results.items():
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
    for k, r in results.items():
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
