//! Typed `prod_database_ha` state and its conversion to and from cty values.

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
    pub instance_class: String,
    pub allocated_storage: i64,
    pub max_allocated_storage: i64,
    pub replicas: i64,
    pub multi_az: bool,
    pub backup_retention_days: i64,
    pub backup_window: String,
    pub maintenance_window: String,
    pub deletion_protection: bool,
    pub final_snapshot: bool,
    pub kms_key_arn: Option<String>,
    pub master_username: String,
    pub parameters: Option<BTreeMap<String, String>>,
    pub endpoint: Option<String>,
    pub reader_endpoint: Option<String>,
    pub replica_endpoints: Vec<String>,
    pub port: Option<i64>,
    pub engine_version_actual: Option<String>,
    pub master_secret_arn: Option<String>,
    pub security_group_id: Option<String>,
    pub instance_ids: Vec<String>,
    pub subnet_group_name: Option<String>,
    pub parameter_group_name: Option<String>,
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
            instance_class: string(v.get("instance_class")),
            allocated_storage: int(v.get("allocated_storage")),
            max_allocated_storage: int(v.get("max_allocated_storage")),
            replicas: int(v.get("replicas")),
            multi_az: boolean(v.get("multi_az")),
            backup_retention_days: int(v.get("backup_retention_days")),
            backup_window: string(v.get("backup_window")),
            maintenance_window: string(v.get("maintenance_window")),
            deletion_protection: boolean(v.get("deletion_protection")),
            final_snapshot: boolean(v.get("final_snapshot")),
            kms_key_arn: opt(v.get("kms_key_arn")),
            master_username: string(v.get("master_username")),
            parameters: decode::string_map(v.get("parameters")).into_known(),
            endpoint: opt(v.get("endpoint")),
            reader_endpoint: opt(v.get("reader_endpoint")),
            replica_endpoints: strings(v.get("replica_endpoints")),
            port: decode::int(v.get("port")).into_known(),
            engine_version_actual: opt(v.get("engine_version_actual")),
            master_secret_arn: opt(v.get("master_secret_arn")),
            security_group_id: opt(v.get("security_group_id")),
            instance_ids: strings(v.get("instance_ids")),
            subnet_group_name: opt(v.get("subnet_group_name")),
            parameter_group_name: opt(v.get("parameter_group_name")),
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
        put("instance_class", Value::string(&self.instance_class));
        put("allocated_storage", Value::int(self.allocated_storage));
        put(
            "max_allocated_storage",
            Value::int(self.max_allocated_storage),
        );
        put("replicas", Value::int(self.replicas));
        put("multi_az", Value::Bool(self.multi_az));
        put(
            "backup_retention_days",
            Value::int(self.backup_retention_days),
        );
        put("backup_window", Value::string(&self.backup_window));
        put(
            "maintenance_window",
            Value::string(&self.maintenance_window),
        );
        put("deletion_protection", Value::Bool(self.deletion_protection));
        put("final_snapshot", Value::Bool(self.final_snapshot));
        put("kms_key_arn", ostr(&self.kms_key_arn));
        put("master_username", Value::string(&self.master_username));
        put(
            "parameters",
            self.parameters.as_ref().map_or(Value::Null, smap),
        );
        put("endpoint", ostr(&self.endpoint));
        put("reader_endpoint", ostr(&self.reader_endpoint));
        put("replica_endpoints", list(&self.replica_endpoints));
        put("port", self.port.map_or(Value::Null, Value::int));
        put("engine_version_actual", ostr(&self.engine_version_actual));
        put("master_secret_arn", ostr(&self.master_secret_arn));
        put("security_group_id", ostr(&self.security_group_id));
        put("instance_ids", list(&self.instance_ids));
        put("subnet_group_name", ostr(&self.subnet_group_name));
        put("parameter_group_name", ostr(&self.parameter_group_name));
        put("components", smap(&self.components));
        put("posture", smap(&self.posture));
        put("timeouts", self.timeouts.clone());
        Value::Map(m)
    }
}
