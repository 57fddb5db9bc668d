//! Host memory and disk: the instances run the CloudWatch agent with a configuration the provider
//! writes, publishing `mem_used_percent` and `disk_used_percent` (of `/`) under `CWAgent`,
//! aggregated by the group's name (`AutoScalingGroupName`), which the compute pack's `memory` and
//! `disk` alarms watch; and shipping the boot log to the cluster's log group. The agent's part comes
//! first in a multi-part cloud-init user data; the user's `user_data` follows as its own part and
//! still runs. Pure: the launch template holds what [`user_data`] gives, and read takes the user's
//! part back with [`user_part`].

use serde_json::json;

/// The MIME boundary of the user data the provider writes.
const BOUNDARY: &str = "==prod-cluster-user-data==";
/// Where the agent's configuration is written on the instance.
pub const CONFIG_PATH: &str = "/opt/aws/amazon-cloudwatch-agent/etc/prod-host-metrics.json";
/// The agent's metrics namespace (the instance role may publish only there).
pub const NAMESPACE: &str = "CWAgent";
/// The memory and disk metrics the agent publishes, as CloudWatch names them.
pub const MEMORY_METRIC: &str = "mem_used_percent";
pub const DISK_METRIC: &str = "disk_used_percent";

/// The agent's configuration for cluster `name`: memory and root-disk used percent every minute,
/// aggregated by the group's name; the boot log to the cluster's log group `log_group`.
pub fn agent_config(log_group: &str) -> serde_json::Value {
    json!({
        "agent": { "metrics_collection_interval": 60, "run_as_user": "cwagent" },
        "metrics": {
            "namespace": NAMESPACE,
            "append_dimensions": {
                "AutoScalingGroupName": "${aws:AutoScalingGroupName}",
                "InstanceId": "${aws:InstanceId}"
            },
            "aggregation_dimensions": [["AutoScalingGroupName"]],
            "metrics_collected": {
                "mem": { "measurement": ["used_percent"] },
                "disk": { "measurement": ["used_percent"], "resources": ["/"], "drop_device": true }
            }
        },
        "logs": {
            "logs_collected": { "files": { "collect_list": [{
                "file_path": "/var/log/cloud-init-output.log",
                "log_group_name": log_group,
                "log_stream_name": "{instance_id}/cloud-init-output"
            }] } }
        }
    })
}

/// The cloud-config part that installs, configures and starts the agent.
fn agent_part(log_group: &str) -> String {
    let config = serde_json::to_string_pretty(&agent_config(log_group)).unwrap_or_default();
    let indented: String = config.lines().map(|l| format!("      {l}\n")).collect();
    format!(
        "Content-Type: text/cloud-config; charset=\"utf-8\"\n\
         MIME-Version: 1.0\n\
         Content-Disposition: attachment; filename=\"prod-host-metrics.cfg\"\n\
         \n\
         #cloud-config\n\
         write_files:\n\
         \x20 - path: {CONFIG_PATH}\n\
         \x20   permissions: \"0644\"\n\
         \x20   content: |\n\
         {indented}\
         runcmd:\n\
         \x20 - [sh, -c, \"dnf install -y amazon-cloudwatch-agent || yum install -y amazon-cloudwatch-agent\"]\n\
         \x20 - [/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl, -a, fetch-config, -m, ec2, -s, -c, \"file:{CONFIG_PATH}\"]\n"
    )
}

/// The header the provider gives the user's part: `text/x-not-multipart`, for which cloud-init
/// works out the type from the content itself, as it did for the user data alone (a script, a
/// cloud-config, a boothook, an include, a jinja template…). A MIME document of the user's own
/// keeps its headers instead: cloud-init reads nested parts.
const USER_HEADER: &str = "Content-Type: text/x-not-multipart; charset=\"utf-8\"\nMIME-Version: 1.0\nContent-Disposition: attachment; filename=\"user-data\"\n\n";

/// Whether `user` is a MIME document of its own (nested as it is, without [`USER_HEADER`]).
fn is_mime(user: &str) -> bool {
    user.starts_with("Content-Type:")
}

/// Whether `user` may be written: it must not hold the provider's boundary, which would cut the
/// document cloud-init reads.
pub fn fits(user: &str) -> bool {
    !user.contains(&format!("--{BOUNDARY}"))
}

fn head() -> String {
    format!("Content-Type: multipart/mixed; boundary=\"{BOUNDARY}\"\nMIME-Version: 1.0\n\n--{BOUNDARY}\n")
}
fn between() -> String {
    format!("\n--{BOUNDARY}\n")
}
fn tail() -> String {
    format!("\n--{BOUNDARY}--\n")
}

/// The user data of the instances of a cluster logging to `log_group`: the agent's part, then the
/// user's `user_data` (if any) as its own part.
pub fn user_data(log_group: &str, user: Option<&str>) -> String {
    let mut out = head() + &agent_part(log_group);
    if let Some(u) = user {
        out.push_str(&between());
        if !is_mime(u) {
            out.push_str(USER_HEADER);
        }
        out.push_str(u);
    }
    out + &tail()
}

/// How many bytes [`user_data`] adds around the user's own (AWS takes 16 KiB in all).
pub fn overhead(log_group: &str, user: &str) -> usize {
    user_data(log_group, Some(user)).len() - user.len()
}

/// What a launch template's user data `live` holds, read back: the user's part (`None`: no part of
/// theirs) and whether the agent's part is the one the provider writes for `log_group`. User data
/// not written by the provider is the user's whole, without the agent.
pub fn user_part(log_group: &str, live: &str) -> (Option<String>, bool) {
    let Some(rest) = live.strip_prefix(&head()) else {
        return (Some(live.to_string()).filter(|l| !l.is_empty()), false);
    };
    let Some(body) = rest.strip_suffix(&tail()) else {
        return (Some(live.to_string()), false);
    };
    let (agent, user) = match body.split_once(&between()) {
        Some((a, u)) => (a, Some(u)),
        None => (body, None),
    };
    let agent_ok = agent == agent_part(log_group);
    // The header is the provider's where what follows it is not a MIME document (which would
    // have been nested without one).
    let user = user.map(|u| match u.strip_prefix(USER_HEADER) {
        Some(rest) if !is_mime(rest) => rest.to_string(),
        _ => u.to_string(),
    });
    (user, agent_ok)
}

#[cfg(test)]
mod tests;
