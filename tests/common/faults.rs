//! The local AWS's fault layer (`scripts/local_aws_faults.py`), driven from tests: rules and the call
//! record are scoped by access key id, so each test (and each terraform run given that key) has its
//! own faults and sees only its own calls.

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::{json, Value};

use super::env;

/// One AWS call the provider made, as the fault layer saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub service: String,
    pub action: String,
    /// 1-based index among the calls of this action.
    pub n: u64,
    pub status: u16,
    /// "", "throttled", "failed", "held" or "timing" (refused by the timing rule).
    pub fault: String,
    /// Under the timing rule: the objects this answer reported pending, as `<id>=<state>`.
    pub pending: Vec<String>,
    /// When it was answered (Unix time, seconds).
    pub t: f64,
    /// How long the local AWS took to answer it (milliseconds): `t` less this is when it arrived.
    pub ms: f64,
}

impl Call {
    /// Does the call change something (not a Describe/List/Get)?
    pub fn mutating(&self) -> bool {
        !["Describe", "List", "Get", "Head"]
            .iter()
            .any(|p| self.action.starts_with(p))
    }
}

/// The faults (and record) of one access key.
pub struct Faults {
    pub key: String,
}

impl Faults {
    /// A fresh key with no faults, recording its calls.
    pub fn new(prefix: &str) -> Faults {
        let f = Faults {
            key: env::unique(prefix).replace('-', "").to_uppercase(),
        };
        f.set(json!({}));
        f
    }

    /// Replaces the key's rules (see the fault layer's header) and starts its record afresh.
    pub fn set(&self, mut rules: Value) {
        rules["key"] = json!(self.key);
        control(
            "POST",
            &format!("/_faults?key={}", self.key),
            &rules.to_string(),
        );
    }

    pub fn calls(&self) -> Vec<Call> {
        let out = control("GET", &format!("/_faults?key={}", self.key), "");
        let v: Value = serde_json::from_str(&out).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| Call {
                service: c["service"].as_str().unwrap_or_default().to_string(),
                action: c["action"].as_str().unwrap_or_default().to_string(),
                n: c["n"].as_u64().unwrap_or_default(),
                status: c["status"].as_u64().unwrap_or_default() as u16,
                fault: c["fault"].as_str().unwrap_or_default().to_string(),
                t: c["t"].as_f64().unwrap_or_default(),
                ms: c["ms"].as_f64().unwrap_or_default(),
                pending: c["pending"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect(),
            })
            .collect()
    }

    /// The environment a terraform run uses to speak as this key.
    pub fn env(&self) -> [(&str, &str); 1] {
        [("AWS_ACCESS_KEY_ID", self.key.as_str())]
    }
}

impl Drop for Faults {
    fn drop(&mut self) {
        control("DELETE", &format!("/_faults?key={}", self.key), "");
    }
}

/// Ages replication group `group`'s AUTH token by `days`, as if that time had passed since it last
/// changed (the local AWS's clock control; see `scripts/local_aws_elasticache.py`).
pub fn age_auth_token(group: &str, days: i64) {
    control(
        "POST",
        &format!("/_elasticache/age-auth-token?group={group}&days={days}"),
        "",
    );
}

/// One plain HTTP/1.1 request to the local AWS's control endpoint; returns the body.
fn control(method: &str, path: &str, body: &str) -> String {
    let host = env::endpoint().trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(&host).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, rest) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    assert!(head.starts_with("HTTP/1.1 200"), "fault layer: {head}");
    rest.to_string()
}
