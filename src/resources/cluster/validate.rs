//! Checks of a `prod_cluster` configuration: static ones (`validate`) and the profile's floors
//! (`validate_profile`, once the environment is known).

use crate::framework::decode::Tri;
use crate::framework::{AttrPath, Diagnostics, Number, Value};
use crate::provider::profile::{self, Environment};
use crate::provider::tags;

use super::blueprint as bp;
use super::model::Config;
use crate::framework::attrs::{whole_list, whole_map};
use crate::resources::log_retention;
use crate::resources::network::blueprint::parse_cidr;

mod waf;

/// ALB and target-group names are at most 32 characters and the target group adds `-tg`... and
/// room for the `-app`/`-instance` suffixes of other objects: 28 keeps every derived name legal.
pub const MAX_NAME: usize = 28;
/// AWS limits user data to 16 KiB before encoding.
pub const MAX_USER_DATA: usize = 16 * 1024;

/// A whole number, `None` when null, unknown or not whole.
fn known_int(n: &Tri<Number>) -> Option<i64> {
    n.known().and_then(Number::as_i64)
}

fn check_ids(list: &Tri<Vec<Tri<String>>>, attr: &str, prefix: &str, d: &mut Diagnostics) {
    let Tri::Known(ids) = whole_list(list) else {
        return;
    };
    if ids.is_empty() {
        d.error_at(
            AttrPath::attr(attr),
            "No subnets",
            format!("{attr} needs subnets in at least 2 availability zones."),
        );
    }
    for (i, id) in ids.iter().enumerate() {
        if !id.starts_with(prefix) {
            d.error_at(
                AttrPath::attr(attr).then_index(i),
                "Invalid subnet id",
                format!(
                    "{id:?} is not a subnet id (they look like \"{prefix}0123456789abcdef0\")."
                ),
            );
        } else if ids[..i].contains(id) {
            d.error_at(
                AttrPath::attr(attr).then_index(i),
                "Duplicate subnet id",
                format!("{id} is listed twice in {attr}; list each subnet once."),
            );
        }
    }
}

/// The static checks of a configuration (no environment needed).
pub fn validate(cfg: &Value) -> Diagnostics {
    let cfg = Config::decode(cfg);
    let mut d = Diagnostics::new();
    check_identity(&cfg, &mut d);
    check_capacity(&cfg, &mut d);
    check_traffic(&cfg, &mut d);
    check_storage(&cfg, &mut d);
    waf::check(&cfg, &mut d);
    if let Tri::Known(t) = whole_map(&cfg.tags) {
        tags::validate(&t, &AttrPath::attr("tags"), &mut d);
    }
    crate::framework::wait::validate_timeouts(&cfg.timeouts, &mut d);
    super::health_check::validate(&cfg.health_check, &cfg.health_check_path, &mut d);
    super::scaling::validate(&cfg.scaling, &mut d);
    super::rollout::validate(&cfg.rollout, &mut d);
    log_retention::validate(&cfg.log_retention, &mut d);
    super::instance_mix::validate(&cfg, &mut d);
    d
}

/// The name, environment, image, subnets and certificate.
fn check_identity(cfg: &Config, d: &mut Diagnostics) {
    if let Tri::Known(n) = &cfg.name {
        let ok = !n.is_empty()
            && n.len() <= MAX_NAME
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !n.starts_with('-')
            && !n.ends_with('-')
            && !n.starts_with("internal-");
        if !ok {
            d.error_at(
                AttrPath::attr("name"),
                "Invalid name",
                format!("{n:?} must be 1 to {MAX_NAME} letters, digits and hyphens, not starting or ending with a hyphen nor with \"internal-\": the load balancer and target group are named after it (AWS allows 32 characters there, and the target group adds \"-tg\")."),
            );
        }
    }
    profile::validate_attr(&cfg.environment, d);
    if let Tri::Known(img) = &cfg.image_id {
        let hex = img.strip_prefix("ami-").unwrap_or("");
        if !(8..=17).contains(&hex.len()) || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            d.error_at(
                AttrPath::attr("image_id"),
                "Invalid image id",
                format!("{img:?} is not an AMI id (they look like \"ami-0123456789abcdef0\")."),
            );
        }
    }
    check_ids(&cfg.subnet_ids, "subnet_ids", "subnet-", d);
    check_ids(&cfg.public_subnet_ids, "public_subnet_ids", "subnet-", d);
    match &cfg.certificate_arn {
        Tri::Known(c) if c.starts_with("arn:") && (c.contains(":acm:") || c.contains(":iam:")) => {}
        Tri::Unknown => {}
        Tri::Known(c) if !c.is_empty() => d.error_at(
            AttrPath::attr("certificate_arn"),
            "Invalid certificate ARN",
            format!("{c:?} is not an ACM (or IAM server) certificate ARN, e.g. \"arn:aws:acm:us-east-1:123456789012:certificate/…\"."),
        ),
        _ => d.error_at(
            AttrPath::attr("certificate_arn"),
            "A certificate is required",
            "The load balancer serves HTTPS only (port 80 just redirects), in every profile: a plain-HTTP listener is refused. Set certificate_arn to an ACM certificate for the cluster's domain.",
        ),
    }
}

/// The instance type and the group's sizes.
/// `family.size`, e.g. `m6i.large` or `u-6tb1.metal`.
pub fn is_instance_type(t: &str) -> bool {
    t.split_once('.')
        .is_some_and(|(f, s)| !f.is_empty() && !s.is_empty())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// The most instances any size may name.
pub const MAX_INSTANCES: i64 = 1000;

fn check_capacity(cfg: &Config, d: &mut Diagnostics) {
    if let Tri::Known(t) = &cfg.instance_type {
        if !is_instance_type(t) {
            d.error_at(
                AttrPath::attr("instance_type"),
                "Invalid instance type",
                format!("{t:?} is not an EC2 instance type such as \"m6i.large\"."),
            );
        }
    }
    for (attr, n) in [
        ("min_size", &cfg.min_size),
        ("max_size", &cfg.max_size),
        ("desired_capacity", &cfg.desired_capacity),
    ] {
        if let Some(v) = known_int(n) {
            if !(0..=MAX_INSTANCES).contains(&v) {
                d.error_at(
                    AttrPath::attr(attr),
                    "Out of range",
                    format!("{attr} = {v}: use 0 to {MAX_INSTANCES}."),
                );
            }
        }
    }
    if known_int(&cfg.max_size) == Some(0) {
        d.error_at(
            AttrPath::attr("max_size"),
            "Out of range",
            "max_size = 0 leaves the cluster with no instances; use at least 1.",
        );
    }
    let (min, max, desired) = (
        known_int(&cfg.min_size),
        known_int(&cfg.max_size),
        known_int(&cfg.desired_capacity),
    );
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            d.error_at(
                AttrPath::attr("min_size"),
                "min_size is above max_size",
                format!("min_size = {lo} and max_size = {hi}: raise max_size or lower min_size."),
            );
        }
    }
    if let Some(want) = desired {
        if min.is_some_and(|lo| want < lo) || max.is_some_and(|hi| want > hi) {
            d.error_at(
                AttrPath::attr("desired_capacity"),
                "desired_capacity outside min_size..max_size",
                format!("desired_capacity = {want} must lie between min_size and max_size."),
            );
        }
    }
}

/// The application port, health check, user data and who may reach the load balancer.
fn check_traffic(cfg: &Config, d: &mut Diagnostics) {
    if let Some(p) = known_int(&cfg.app_port) {
        if !(1..=65535).contains(&p) {
            d.error_at(
                AttrPath::attr("app_port"),
                "Invalid port",
                format!("app_port = {p}: use 1 to 65535."),
            );
        }
    }
    if let Tri::Known(p) = &cfg.health_check_path {
        if !p.starts_with('/') || p.len() > 1024 {
            d.error_at(
                AttrPath::attr("health_check_path"),
                "Invalid health check path",
                format!(
                    "{p:?} must start with \"/\" and be at most 1024 characters, e.g. \"/health\"."
                ),
            );
        }
    }
    if let Tri::Known(u) = &cfg.user_data {
        // The CloudWatch agent's part goes with it (its log group is named after the cluster).
        let name = cfg.name.known().map_or("", String::as_str);
        let room = MAX_USER_DATA.saturating_sub(super::blueprint::host_metrics::overhead(
            &super::blueprint::log_group_name(name),
            u,
        ));
        if u.len() > room {
            d.error_at(
                AttrPath::attr("user_data"),
                "User data too long",
                format!("user_data is {} bytes; AWS accepts {MAX_USER_DATA} in all, of which the CloudWatch agent's part takes {}, leaving {room}. Fetch larger scripts from S3 at boot.", u.len(), MAX_USER_DATA - room),
            );
        }
    }
    if let Tri::Known(u) = &cfg.user_data {
        if !super::blueprint::host_metrics::fits(u) {
            d.error_at(
                AttrPath::attr("user_data"),
                "User data holds the provider's MIME boundary",
                "user_data contains \"--==prod-cluster-user-data==\", the boundary of the multi-part document the provider writes around it; change that line.",
            );
        }
    }
    if let Tri::Known(blocks) = whole_list(&cfg.ingress_cidr_blocks) {
        if blocks.is_empty() {
            d.error_at(
                AttrPath::attr("ingress_cidr_blocks"),
                "No one may reach the load balancer",
                "ingress_cidr_blocks is empty; list who may connect, e.g. [\"0.0.0.0/0\"] for everyone.",
            );
        }
        for (i, c) in blocks.iter().enumerate() {
            let ok = parse_cidr(c).is_some_and(|(addr, prefix)| {
                prefix == 0 && addr == 0
                    || prefix > 0
                        && addr & u32::MAX.checked_shr(u32::from(prefix)).unwrap_or(0) == 0
            });
            if !ok {
                d.error_at(
                    AttrPath::attr("ingress_cidr_blocks").then_index(i),
                    "Invalid CIDR block",
                    format!("{c:?} must be an IPv4 network with its host bits zero, e.g. \"203.0.113.0/24\"."),
                );
            }
        }
    }
}

/// The root volume, TLS policy, metadata tokens, encryption and key.
fn check_storage(cfg: &Config, d: &mut Diagnostics) {
    if let Some(s) = known_int(&cfg.root_volume_size) {
        if !(8..=16384).contains(&s) {
            d.error_at(
                AttrPath::attr("root_volume_size"),
                "Invalid volume size",
                format!("root_volume_size = {s} GiB: gp3 volumes are 8 to 16384 GiB here."),
            );
        }
    }
    if let Tri::Known(t) = &cfg.tls_policy {
        if bp::ssl_policy(t).is_none() {
            d.error_at(
                AttrPath::attr("tls_policy"),
                "Invalid tls_policy",
                format!("{t:?}: use \"tls13\" (TLS 1.3 only) or \"tls12\" (TLS 1.2 and 1.3, for old clients)."),
            );
        }
    }
    if let Tri::Known(t) = &cfg.metadata_http_tokens {
        if t != "required" && t != "optional" {
            d.error_at(
                AttrPath::attr("metadata_http_tokens"),
                "Invalid metadata_http_tokens",
                format!("{t:?}: use \"required\" (IMDSv2 only) or \"optional\"."),
            );
        }
    }
    if cfg.root_volume_encrypted == Tri::Known(false) {
        d.error_at(
            AttrPath::attr("root_volume_encrypted"),
            "Unencrypted volumes are refused",
            "Encryption at rest holds in every profile; remove root_volume_encrypted (or set it to true).",
        );
    }
    if let Tri::Known(k) = &cfg.kms_key_arn {
        if !(k.starts_with("arn:") && k.contains(":kms:") && k.contains(":key/")) {
            d.error_at(
                AttrPath::attr("kms_key_arn"),
                "Invalid KMS key ARN",
                format!("{k:?} must be a key ARN (arn:aws:kms:<region>:<account>:key/<id>); leave it unset to let the cluster make its own key."),
            );
        }
    }
}

/// The profile's floors, for an environment that is known (`cfg`: the configuration or the plan).
pub fn validate_profile(cfg: &Config, env: Environment, d: &mut Diagnostics) {
    waf::check_profile(cfg, env, d);
    super::scaling::check_profile(&cfg.scaling, env, d);
    log_retention::check_profile(&cfg.log_retention, env, d);
    super::instance_mix::check_profile(cfg, env, d);
    if env != Environment::Production {
        return;
    }
    if cfg.metadata_http_tokens == Tri::Known("optional".into()) {
        d.error_at(
            AttrPath::attr("metadata_http_tokens"),
            "IMDSv1 is refused in production",
            "Production instances answer metadata only with a session token (IMDSv2), which blocks SSRF credential theft. Remove metadata_http_tokens or set it to \"required\".",
        );
    }
    let floor = env.cluster_min_floor();
    if let Some(m) = known_int(&cfg.min_size) {
        if m < floor {
            d.error_at(
                AttrPath::attr("min_size"),
                "min_size below the production floor",
                format!("min_size = {m}: production keeps at least {floor} instances so that losing an availability zone (or an instance) leaves the service up. Set min_size to {floor} or more."),
            );
        }
    }
}

/// Availability zones spanned by a list of subnets: an error below 2, a warning below 3 in production.
pub fn check_zones(attr: &str, zones: usize, env: Environment, d: &mut Diagnostics) {
    if zones < 2 {
        d.error_at(
            AttrPath::attr(attr),
            "Fewer than 2 availability zones",
            format!("The subnets in {attr} span {zones} availability zone(s); list subnets in at least 2 zones so that the cluster survives losing one."),
        );
    } else if zones < 3 && env == Environment::Production {
        d.warning_at(
            AttrPath::attr(attr),
            "Fewer than 3 availability zones in production",
            format!("The subnets in {attr} span {zones} zones; production clusters span 3 so that losing one leaves two."),
        );
    }
}
