//! Typed `prod_cluster` state and its conversion to and from cty values.

use crate::resources::lifecycle::ResourceState;
use std::collections::BTreeMap;

use crate::framework::decode;
use crate::framework::fields::{
    int, map, of_list as list, of_map as smap, of_opt as opt, of_opt_int as opt_int, opt_string,
    string, strings,
};
use crate::framework::Value;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct State {
    pub name: String,
    pub environment: String,
    pub tags: Option<BTreeMap<String, String>>,
    pub tags_all: BTreeMap<String, String>,
    pub image_id: String,
    pub subnet_ids: Vec<String>,
    pub public_subnet_ids: Vec<String>,
    pub certificate_arn: String,
    pub instance_type: String,
    pub min_size: i64,
    pub max_size: i64,
    pub desired_capacity: i64,
    pub app_port: i64,
    pub health_check_path: String,
    pub user_data: Option<String>,
    pub ingress_cidr_blocks: Vec<String>,
    pub root_volume_size: i64,
    pub metadata_http_tokens: String,
    pub tls_policy: String,
    pub root_volume_encrypted: bool,
    pub kms_key_arn: Option<String>,
    pub vpc_id: Option<String>,
    pub security_group_id: Option<String>,
    pub load_balancer_security_group_id: Option<String>,
    pub load_balancer_arn: Option<String>,
    pub load_balancer_dns_name: Option<String>,
    pub target_group_arn: Option<String>,
    pub autoscaling_group_name: Option<String>,
    pub launch_template_id: Option<String>,
    pub launch_template_version: Option<i64>,
    pub desired_capacity_actual: Option<i64>,
    pub components: BTreeMap<String, String>,
    pub posture: BTreeMap<String, String>,
    pub timeouts: Value,
}

impl ResourceState for State {
    fn timeouts(&self) -> &Value {
        &self.timeouts
    }
    fn from_value(v: &Value) -> State {
        State {
            name: string(v.get("name")),
            environment: string(v.get("environment")),
            tags: decode::string_map(v.get("tags")).into_known(),
            tags_all: map(v.get("tags_all")),
            image_id: string(v.get("image_id")),
            subnet_ids: strings(v.get("subnet_ids")),
            public_subnet_ids: strings(v.get("public_subnet_ids")),
            certificate_arn: string(v.get("certificate_arn")),
            instance_type: string(v.get("instance_type")),
            min_size: int(v.get("min_size")),
            max_size: int(v.get("max_size")),
            desired_capacity: int(v.get("desired_capacity")),
            app_port: int(v.get("app_port")),
            health_check_path: string(v.get("health_check_path")),
            user_data: opt_string(v.get("user_data")),
            ingress_cidr_blocks: strings(v.get("ingress_cidr_blocks")),
            root_volume_size: int(v.get("root_volume_size")),
            metadata_http_tokens: string(v.get("metadata_http_tokens")),
            tls_policy: string(v.get("tls_policy")),
            root_volume_encrypted: decode::boolean(v.get("root_volume_encrypted"))
                .into_known()
                .unwrap_or(true),
            kms_key_arn: opt_string(v.get("kms_key_arn")),
            vpc_id: opt_string(v.get("vpc_id")),
            security_group_id: opt_string(v.get("security_group_id")),
            load_balancer_security_group_id: opt_string(v.get("load_balancer_security_group_id")),
            load_balancer_arn: opt_string(v.get("load_balancer_arn")),
            load_balancer_dns_name: opt_string(v.get("load_balancer_dns_name")),
            target_group_arn: opt_string(v.get("target_group_arn")),
            autoscaling_group_name: opt_string(v.get("autoscaling_group_name")),
            launch_template_id: opt_string(v.get("launch_template_id")),
            launch_template_version: decode::int(v.get("launch_template_version")).into_known(),
            desired_capacity_actual: decode::int(v.get("desired_capacity_actual")).into_known(),
            components: map(v.get("components")),
            posture: map(v.get("posture")),
            timeouts: v.get("timeouts").clone(),
        }
    }

    fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_string(), v);
        };
        put("id", Value::string(&self.name));
        put("name", Value::string(&self.name));
        put("environment", Value::string(&self.environment));
        put("tags", self.tags.as_ref().map_or(Value::Null, smap));
        put("tags_all", smap(&self.tags_all));
        put("image_id", Value::string(&self.image_id));
        put("subnet_ids", list(&self.subnet_ids));
        put("public_subnet_ids", list(&self.public_subnet_ids));
        put("certificate_arn", Value::string(&self.certificate_arn));
        put("instance_type", Value::string(&self.instance_type));
        put("min_size", Value::int(self.min_size));
        put("max_size", Value::int(self.max_size));
        put("desired_capacity", Value::int(self.desired_capacity));
        put("app_port", Value::int(self.app_port));
        put("health_check_path", Value::string(&self.health_check_path));
        put("user_data", opt(&self.user_data));
        put("ingress_cidr_blocks", list(&self.ingress_cidr_blocks));
        put("root_volume_size", Value::int(self.root_volume_size));
        put(
            "metadata_http_tokens",
            Value::string(&self.metadata_http_tokens),
        );
        put("tls_policy", Value::string(&self.tls_policy));
        put(
            "root_volume_encrypted",
            Value::Bool(self.root_volume_encrypted),
        );
        put("kms_key_arn", opt(&self.kms_key_arn));
        put("vpc_id", opt(&self.vpc_id));
        put("security_group_id", opt(&self.security_group_id));
        put(
            "load_balancer_security_group_id",
            opt(&self.load_balancer_security_group_id),
        );
        put("load_balancer_arn", opt(&self.load_balancer_arn));
        put("load_balancer_dns_name", opt(&self.load_balancer_dns_name));
        put("target_group_arn", opt(&self.target_group_arn));
        put("autoscaling_group_name", opt(&self.autoscaling_group_name));
        put("launch_template_id", opt(&self.launch_template_id));
        put(
            "launch_template_version",
            opt_int(self.launch_template_version),
        );
        put(
            "desired_capacity_actual",
            opt_int(self.desired_capacity_actual),
        );
        put("components", smap(&self.components));
        put("posture", smap(&self.posture));
        put("timeouts", self.timeouts.clone());
        Value::Map(m)
    }
}
