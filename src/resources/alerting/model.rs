//! Typed `prod_alerting` configuration and state, and their conversion to and from cty values.

use crate::resources::lifecycle::ResourceState;
use std::collections::BTreeMap;

use crate::framework::decode;
use crate::framework::{Number, Value};

use super::schema::{
    DEFAULT_EVALUATION_PERIODS, DEFAULT_MISSING_DATA, DEFAULT_PERIOD, DEFAULT_STATISTIC,
};

#[derive(Clone, Debug, PartialEq)]
pub struct Notify {
    pub severity: String,
    pub protocol: String,
    pub endpoint: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Alarm {
    pub name: String,
    pub namespace: String,
    pub metric_name: String,
    /// `None` when the configuration leaves `dimensions` unset.
    pub dimensions: Option<BTreeMap<String, String>>,
    pub statistic: String,
    pub period: i64,
    pub evaluation_periods: i64,
    pub comparison: String,
    pub threshold: Number,
    pub severity: String,
    pub treat_missing_data: String,
}

/// The whole resource state (every value known).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct State {
    pub name: String,
    pub environment: String,
    pub tags: Option<BTreeMap<String, String>>,
    pub tags_all: BTreeMap<String, String>,
    pub kms_key_arn: Option<String>,
    pub critical_topic_arn: Option<String>,
    pub warning_topic_arn: Option<String>,
    pub alarm_names: Vec<String>,
    pub components: BTreeMap<String, String>,
    pub posture: BTreeMap<String, String>,
    pub notify: Vec<Notify>,
    pub alarm: Vec<Alarm>,
    /// `prod_cluster` ids watched by the compute pack; `None` when unset.
    pub cluster_ids: Option<Vec<String>>,
    /// `prod_database_ha` ids watched by the database pack; `None` when unset.
    pub database_ids: Option<Vec<String>>,
    /// `prod_redis_cluster` ids watched by the Redis pack; `None` when unset.
    pub redis_cluster_ids: Option<Vec<String>>,
    /// The `timeouts` block as configured; kept as is.
    pub timeouts: Value,
}

fn s(v: &Value) -> String {
    decode::string(v).into_known().unwrap_or_default()
}

fn opt_s(v: &Value) -> Option<String> {
    decode::string(v).into_known()
}

fn map(v: &Value) -> BTreeMap<String, String> {
    decode::string_map(v).into_known().unwrap_or_default()
}

impl Notify {
    pub fn from_value(v: &Value) -> Notify {
        Notify {
            severity: s(v.get("severity")),
            protocol: s(v.get("protocol")),
            endpoint: s(v.get("endpoint")),
        }
    }
    pub fn to_value(&self) -> Value {
        Value::string_map([
            ("severity", self.severity.as_str()),
            ("protocol", self.protocol.as_str()),
            ("endpoint", self.endpoint.as_str()),
        ])
    }
}

impl Alarm {
    /// Reads a known alarm block, filling the profile defaults for unset optional arguments.
    pub fn from_value(v: &Value) -> Alarm {
        Alarm {
            name: s(v.get("name")),
            namespace: s(v.get("namespace")),
            metric_name: s(v.get("metric_name")),
            dimensions: decode::string_map(v.get("dimensions")).into_known(),
            statistic: decode::string(v.get("statistic"))
                .or(DEFAULT_STATISTIC.to_string())
                .into_known()
                .unwrap_or_default(),
            period: decode::int(v.get("period"))
                .or(DEFAULT_PERIOD)
                .into_known()
                .unwrap_or(DEFAULT_PERIOD),
            evaluation_periods: decode::int(v.get("evaluation_periods"))
                .or(DEFAULT_EVALUATION_PERIODS)
                .into_known()
                .unwrap_or(DEFAULT_EVALUATION_PERIODS),
            comparison: s(v.get("comparison")),
            threshold: decode::number(v.get("threshold"))
                .into_known()
                .unwrap_or(Number::Int(0)),
            severity: s(v.get("severity")),
            treat_missing_data: decode::string(v.get("treat_missing_data"))
                .or(DEFAULT_MISSING_DATA.to_string())
                .into_known()
                .unwrap_or_default(),
        }
    }
    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("name".into(), Value::string(&self.name));
        m.insert("namespace".into(), Value::string(&self.namespace));
        m.insert("metric_name".into(), Value::string(&self.metric_name));
        m.insert(
            "dimensions".into(),
            self.dimensions.as_ref().map_or(Value::Null, |d| {
                Value::string_map(d.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            }),
        );
        m.insert("statistic".into(), Value::string(&self.statistic));
        m.insert("period".into(), Value::int(self.period));
        m.insert(
            "evaluation_periods".into(),
            Value::int(self.evaluation_periods),
        );
        m.insert("comparison".into(), Value::string(&self.comparison));
        m.insert("threshold".into(), Value::Number(self.threshold.clone()));
        m.insert("severity".into(), Value::string(&self.severity));
        m.insert(
            "treat_missing_data".into(),
            Value::string(&self.treat_missing_data),
        );
        Value::Map(m)
    }
}

fn opt(v: &Option<String>) -> Value {
    v.as_ref().map_or(Value::Null, Value::string)
}

fn smap(m: &BTreeMap<String, String>) -> Value {
    Value::string_map(m.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

impl ResourceState for State {
    fn timeouts(&self) -> &Value {
        &self.timeouts
    }
    fn from_value(v: &Value) -> State {
        State {
            name: s(v.get("name")),
            environment: s(v.get("environment")),
            tags: decode::string_map(v.get("tags")).into_known(),
            tags_all: map(v.get("tags_all")),
            kms_key_arn: opt_s(v.get("kms_key_arn")),
            critical_topic_arn: opt_s(v.get("critical_topic_arn")),
            warning_topic_arn: opt_s(v.get("warning_topic_arn")),
            alarm_names: decode::elements(v.get("alarm_names"))
                .iter()
                .filter_map(|e| e.as_str().map(str::to_string))
                .collect(),
            components: map(v.get("components")),
            posture: map(v.get("posture")),
            notify: decode::elements(v.get("notify"))
                .iter()
                .map(Notify::from_value)
                .collect(),
            alarm: decode::elements(v.get("alarm"))
                .iter()
                .map(Alarm::from_value)
                .collect(),
            cluster_ids: decode::string_list(v.get("cluster_ids")).into_known(),
            database_ids: decode::string_list(v.get("database_ids")).into_known(),
            redis_cluster_ids: decode::string_list(v.get("redis_cluster_ids")).into_known(),
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
        m.insert("kms_key_arn".into(), opt(&self.kms_key_arn));
        m.insert("critical_topic_arn".into(), opt(&self.critical_topic_arn));
        m.insert("warning_topic_arn".into(), opt(&self.warning_topic_arn));
        m.insert(
            "alarm_names".into(),
            Value::string_list(self.alarm_names.iter().map(String::as_str)),
        );
        m.insert("components".into(), smap(&self.components));
        m.insert("posture".into(), smap(&self.posture));
        m.insert(
            "notify".into(),
            Value::List(self.notify.iter().map(Notify::to_value).collect()),
        );
        m.insert(
            "alarm".into(),
            Value::List(self.alarm.iter().map(Alarm::to_value).collect()),
        );
        m.insert(
            "cluster_ids".into(),
            self.cluster_ids.as_ref().map_or(Value::Null, |c| {
                Value::string_list(c.iter().map(String::as_str))
            }),
        );
        m.insert(
            "database_ids".into(),
            self.database_ids.as_ref().map_or(Value::Null, |c| {
                Value::string_list(c.iter().map(String::as_str))
            }),
        );
        m.insert(
            "redis_cluster_ids".into(),
            self.redis_cluster_ids.as_ref().map_or(Value::Null, |c| {
                Value::string_list(c.iter().map(String::as_str))
            }),
        );
        m.insert("timeouts".into(), self.timeouts.clone());
        Value::Map(m)
    }
}

impl State {
    pub fn topic_arn(&self, severity: &str) -> Option<&str> {
        match severity {
            "critical" => self.critical_topic_arn.as_deref(),
            _ => self.warning_topic_arn.as_deref(),
        }
    }
}
