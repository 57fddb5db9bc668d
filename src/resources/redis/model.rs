//! Typed `prod_redis_cluster` state and its conversion to and from cty values.

use crate::resources::lifecycle::ResourceState;
use std::collections::BTreeMap;

use crate::framework::decode;
use crate::framework::fields::{
    boolean, int, map, of_list as list, of_map as smap, of_opt as ostr, opt_string as opt, string,
    strings,
};
use crate::framework::Value;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct State {
    pub name: String,
    pub engine: String,
    pub environment: String,
    pub tags: Option<BTreeMap<String, String>>,
    pub tags_all: BTreeMap<String, String>,
    pub subnet_ids: Vec<String>,
    pub allowed_security_group_ids: Vec<String>,
    pub engine_version: String,
    pub node_type: String,
    pub shards: i64,
    pub replicas_per_shard: i64,
    pub snapshot_retention_days: i64,
    pub snapshot_window: String,
    pub maintenance_window: String,
    pub kms_key_arn: Option<String>,
    pub parameters: Option<BTreeMap<String, String>>,
    pub deletion_protection: bool,
    pub engine_version_actual: Option<String>,
    pub primary_endpoint: Option<String>,
    pub reader_endpoint: Option<String>,
    pub configuration_endpoint: Option<String>,
    pub port: Option<i64>,
    pub auth_secret_arn: Option<String>,
    pub security_group_id: Option<String>,
    pub member_clusters: Vec<String>,
    pub parameter_group_name: Option<String>,
    pub subnet_group_name: Option<String>,
    pub components: BTreeMap<String, String>,
    pub posture: BTreeMap<String, String>,
    pub timeouts: Value,
    /// Not in the schema: set from private state when a create never finished.
    pub create_incomplete: bool,
}

impl ResourceState for State {
    fn timeouts(&self) -> &Value {
        &self.timeouts
    }
    fn mark_create_incomplete(&mut self) {
        self.create_incomplete = true;
    }
    fn from_value(v: &Value) -> State {
        State {
            name: string(v.get("name")),
            engine: string(v.get("engine")),
            environment: string(v.get("environment")),
            tags: decode::string_map(v.get("tags")).into_known(),
            tags_all: map(v.get("tags_all")),
            subnet_ids: strings(v.get("subnet_ids")),
            allowed_security_group_ids: strings(v.get("allowed_security_group_ids")),
            engine_version: string(v.get("engine_version")),
            node_type: string(v.get("node_type")),
            shards: int(v.get("shards")),
            replicas_per_shard: int(v.get("replicas_per_shard")),
            snapshot_retention_days: int(v.get("snapshot_retention_days")),
            snapshot_window: string(v.get("snapshot_window")),
            maintenance_window: string(v.get("maintenance_window")),
            kms_key_arn: opt(v.get("kms_key_arn")),
            parameters: decode::string_map(v.get("parameters")).into_known(),
            deletion_protection: boolean(v.get("deletion_protection")),
            engine_version_actual: opt(v.get("engine_version_actual")),
            primary_endpoint: opt(v.get("primary_endpoint")),
            reader_endpoint: opt(v.get("reader_endpoint")),
            configuration_endpoint: opt(v.get("configuration_endpoint")),
            port: decode::int(v.get("port")).into_known(),
            auth_secret_arn: opt(v.get("auth_secret_arn")),
            security_group_id: opt(v.get("security_group_id")),
            member_clusters: strings(v.get("member_clusters")),
            parameter_group_name: opt(v.get("parameter_group_name")),
            subnet_group_name: opt(v.get("subnet_group_name")),
            components: map(v.get("components")),
            posture: map(v.get("posture")),
            timeouts: v.get("timeouts").clone(),
            create_incomplete: false,
        }
    }

    fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_string(), v);
        };
        put("id", Value::string(&self.name));
        put("name", Value::string(&self.name));
        put("engine", Value::string(&self.engine));
        put("environment", Value::string(&self.environment));
        put("tags", self.tags.as_ref().map_or(Value::Null, smap));
        put("tags_all", smap(&self.tags_all));
        put("subnet_ids", list(&self.subnet_ids));
        put(
            "allowed_security_group_ids",
            list(&self.allowed_security_group_ids),
        );
        put("engine_version", Value::string(&self.engine_version));
        put("node_type", Value::string(&self.node_type));
        put("shards", Value::int(self.shards));
        put("replicas_per_shard", Value::int(self.replicas_per_shard));
        put(
            "snapshot_retention_days",
            Value::int(self.snapshot_retention_days),
        );
        put("snapshot_window", Value::string(&self.snapshot_window));
        put(
            "maintenance_window",
            Value::string(&self.maintenance_window),
        );
        put("kms_key_arn", ostr(&self.kms_key_arn));
        put(
            "parameters",
            self.parameters.as_ref().map_or(Value::Null, smap),
        );
        put("deletion_protection", Value::Bool(self.deletion_protection));
        put("engine_version_actual", ostr(&self.engine_version_actual));
        put("primary_endpoint", ostr(&self.primary_endpoint));
        put("reader_endpoint", ostr(&self.reader_endpoint));
        put("configuration_endpoint", ostr(&self.configuration_endpoint));
        put("port", self.port.map_or(Value::Null, Value::int));
        put("auth_secret_arn", ostr(&self.auth_secret_arn));
        put("security_group_id", ostr(&self.security_group_id));
        put("member_clusters", list(&self.member_clusters));
        put("parameter_group_name", ostr(&self.parameter_group_name));
        put("subnet_group_name", ostr(&self.subnet_group_name));
        put("components", smap(&self.components));
        put("posture", smap(&self.posture));
        put("timeouts", self.timeouts.clone());
        Value::Map(m)
    }
}
