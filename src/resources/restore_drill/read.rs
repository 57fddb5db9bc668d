//! Read: the drill is a record; what AWS holds of it is only what a failed drill left (its copy,
//! its group), looked up while `components` names them.

use super::model::State;
use super::reconcile::{arn_parts, there, INSTANCE, SECURITY_GROUP};
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::{ec2, ProviderData};

pub async fn read(ctx: &ProviderData, _: &Place, s: &State) -> Result<Option<State>, AwsError> {
    let mut st = s.clone();
    for (role, arn) in &s.components {
        let Some((region, id)) = arn_parts(arn) else {
            continue;
        };
        let remote = there(ctx, region);
        let at: &ProviderData = remote.as_deref().unwrap_or(ctx);
        let exists = match role.as_str() {
            INSTANCE => super::aws::copy(at, id).await?.is_some(),
            SECURITY_GROUP => ec2::sg_rules(at, &[id.to_string()]).await?.contains_key(id),
            _ => false,
        };
        if !exists {
            st.components.remove(role);
        }
    }
    if !st.posture.is_empty() || !st.components.is_empty() {
        let left: Vec<&str> = st.components.keys().map(String::as_str).collect();
        st.posture.insert(
            "cleaned_up".into(),
            if left.is_empty() {
                "pass".into()
            } else {
                format!("fail: left in AWS: {}", left.join(", "))
            },
        );
    }
    Ok(Some(st))
}
