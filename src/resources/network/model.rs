//! Typed `prod_network` state and its conversion to and from cty values.

use crate::resources::lifecycle::ResourceState;
use std::collections::BTreeMap;

use crate::framework::fields::{of_map as smap, strings};
use crate::framework::{decode, Value};

#[derive(Clone, Debug, PartialEq, Default)]
pub struct State {
    pub name: String,
    pub environment: String,
    pub tags: Option<BTreeMap<String, String>>,
    pub tags_all: BTreeMap<String, String>,
    pub cidr_block: String,
    pub az_count: i64,
    pub availability_zones: Vec<String>,
    pub vpc_id: Option<String>,
    pub public_subnet_ids: Vec<String>,
    pub private_subnet_ids: Vec<String>,
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
            name: decode::string(v.get("name"))
                .into_known()
                .unwrap_or_default(),
            environment: decode::string(v.get("environment"))
                .into_known()
                .unwrap_or_default(),
            tags: decode::string_map(v.get("tags")).into_known(),
            tags_all: decode::string_map(v.get("tags_all"))
                .into_known()
                .unwrap_or_default(),
            cidr_block: decode::string(v.get("cidr_block"))
                .into_known()
                .unwrap_or_default(),
            az_count: decode::int(v.get("az_count"))
                .into_known()
                .unwrap_or_default(),
            availability_zones: strings(v.get("availability_zones")),
            vpc_id: decode::string(v.get("vpc_id")).into_known(),
            public_subnet_ids: strings(v.get("public_subnet_ids")),
            private_subnet_ids: strings(v.get("private_subnet_ids")),
            components: decode::string_map(v.get("components"))
                .into_known()
                .unwrap_or_default(),
            posture: decode::string_map(v.get("posture"))
                .into_known()
                .unwrap_or_default(),
            timeouts: v.get("timeouts").clone(),
        }
    }

    fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("id".into(), Value::string(&self.name));
        m.insert("name".into(), Value::string(&self.name));
        m.insert("environment".into(), Value::string(&self.environment));
        m.insert("tags".into(), self.tags.as_ref().map_or(Value::Null, smap));
        m.insert("tags_all".into(), smap(&self.tags_all));
        m.insert("cidr_block".into(), Value::string(&self.cidr_block));
        m.insert("az_count".into(), Value::int(self.az_count));
        m.insert(
            "availability_zones".into(),
            Value::string_list(self.availability_zones.iter().map(String::as_str)),
        );
        m.insert(
            "vpc_id".into(),
            self.vpc_id.as_ref().map_or(Value::Null, Value::string),
        );
        m.insert(
            "public_subnet_ids".into(),
            Value::string_list(self.public_subnet_ids.iter().map(String::as_str)),
        );
        m.insert(
            "private_subnet_ids".into(),
            Value::string_list(self.private_subnet_ids.iter().map(String::as_str)),
        );
        m.insert("components".into(), smap(&self.components));
        m.insert("posture".into(), smap(&self.posture));
        m.insert("timeouts".into(), self.timeouts.clone());
        Value::Map(m)
    }
}
