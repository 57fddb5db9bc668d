//! Host metrics: the agent's part and the user's, written and read back.

use super::*;

const GROUP: &str = "/prod/cluster/web";

/// A user data as configured, and whether it reads back as written.
struct Case {
    name: &'static str,
    user: Option<&'static str>,
}

#[test]
fn the_users_part_reads_back_as_written_beside_the_agent() {
    let cases = [
        Case {
            name: "none",
            user: None,
        },
        Case {
            name: "empty",
            user: Some(""),
        },
        Case {
            name: "CRLF line ends",
            user: Some("#!/bin/sh\r\necho hello\r\n"),
        },
        Case {
            name: "a jinja template",
            user: Some("## template: jinja\n#cloud-config\n"),
        },
        Case {
            name: "a shell script",
            user: Some("#!/bin/sh\necho hello\n"),
        },
        Case {
            name: "cloud-config without a final newline",
            user: Some("#cloud-config\npackages: [nginx]"),
        },
        Case {
            name: "a MIME document of its own (cloudinit_config)",
            user: Some("Content-Type: multipart/mixed; boundary=\"x\"\nMIME-Version: 1.0\n\n--x\nContent-Type: text/x-shellscript\n\n#!/bin/sh\n--x--\n"),
        },
    ];
    for c in cases {
        let written = user_data(GROUP, c.user);
        assert_eq!(
            user_part(GROUP, &written),
            (c.user.map(str::to_string), true),
            "{}",
            c.name
        );
        assert!(
            written.contains("amazon-cloudwatch-agent-ctl"),
            "{}",
            c.name
        );
    }
}

#[test]
fn cloud_init_types_the_users_part_by_its_content() {
    let written = user_data(GROUP, Some("#!/bin/sh\necho hello\n"));
    assert!(written.starts_with("Content-Type: multipart/mixed; boundary="));
    assert!(written.contains("Content-Type: text/cloud-config"));
    assert!(written.contains("Content-Type: text/x-not-multipart"));
    // A MIME document of the user's is nested with its own headers.
    let mime = "Content-Type: multipart/mixed; boundary=\"x\"\n\n--x--\n";
    assert!(!user_data(GROUP, Some(mime)).contains("text/x-not-multipart"));
}

#[test]
fn user_data_holding_the_boundary_does_not_fit() {
    assert!(fits("#!/bin/sh\necho --not-ours\n"));
    assert!(!fits("#!/bin/sh\n# --==prod-cluster-user-data==\n"));
}

#[test]
fn user_data_written_elsewhere_is_the_users_whole_without_the_agent() {
    assert_eq!(
        user_part(GROUP, "#!/bin/sh\necho hi\n"),
        (Some("#!/bin/sh\necho hi\n".to_string()), false)
    );
    assert_eq!(user_part(GROUP, ""), (None, false));
    // The agent's part changed (another log group, an edited configuration): not the provider's.
    let other = user_data("/prod/cluster/other", Some("#!/bin/sh\n"));
    assert_eq!(
        user_part(GROUP, &other),
        (Some("#!/bin/sh\n".to_string()), false)
    );
}

#[test]
fn the_agent_publishes_memory_and_root_disk_by_group() {
    let c = agent_config(GROUP);
    assert_eq!(c["metrics"]["namespace"], NAMESPACE);
    assert_eq!(
        c["metrics"]["aggregation_dimensions"],
        json!([["AutoScalingGroupName"]])
    );
    assert_eq!(
        c["metrics"]["append_dimensions"]["AutoScalingGroupName"],
        "${aws:AutoScalingGroupName}"
    );
    let collected = &c["metrics"]["metrics_collected"];
    assert_eq!(collected["mem"]["measurement"], json!(["used_percent"]));
    assert_eq!(collected["disk"]["resources"], json!(["/"]));
    assert_eq!(
        c["logs"]["logs_collected"]["files"]["collect_list"][0]["log_group_name"],
        GROUP
    );
    // The agent's configuration is valid JSON inside the cloud-config.
    let written = user_data(GROUP, None);
    let start = written.find("      {").unwrap_or_default();
    let end = written.find("runcmd:").unwrap_or_default();
    let parsed: serde_json::Value = serde_json::from_str(&written[start..end]).unwrap_or_default();
    assert_eq!(parsed, c);
}
