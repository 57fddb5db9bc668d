//! The AWS calls `prod_cluster` makes, one small function per call, by service.

pub mod asg;
pub mod ec2;
pub mod elb;
pub mod logs_bucket;
pub mod waf;

use std::collections::BTreeMap;

use crate::provider::error::AwsError;

pub type Tags = BTreeMap<String, String>;

pub fn invalid(component: &str, message: impl Into<String>) -> AwsError {
    AwsError::Invalid {
        component: component.to_string(),
        message: message.into(),
    }
}
