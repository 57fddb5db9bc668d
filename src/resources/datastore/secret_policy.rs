//! The resource policy both stores put on their secret, when apply puts it, and the check read
//! makes of it.

use std::collections::BTreeMap;

use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::{secrets, ProviderData};

/// Puts [`secret_policy`] on `secret` (a name or ARN) unless the last read reported posture
/// `control` passing: on create, and wherever that read found the policy weakened.
pub async fn secure_secret(
    ctx: &ProviderData,
    place: &Place,
    posture: &BTreeMap<String, String>,
    control: &str,
    secret: &str,
) -> Result<(), AwsError> {
    if posture.get(control).is_some_and(|v| v == "pass") {
        return Ok(());
    }
    secrets::put_policy(ctx, secret, &secret_policy(&place.account)).await
}

/// The resource policy of a store's secret (Redis's `<name>-auth`, the database's RDS-managed master
/// secret): nobody outside `account` (AWS services acting on it, such as RDS managing its secret or
/// Secrets Manager rotating it, are not principals of an account), nothing without TLS.
pub fn secret_policy(account: &str) -> String {
    secret_policy_document(account).to_string()
}
fn secret_policy_document(account: &str) -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyOutsideTheAccount",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "secretsmanager:*",
                "Resource": "*",
                "Condition": {
                    "StringNotEquals": { "aws:PrincipalAccount": account },
                    "BoolIfExists": { "aws:PrincipalIsAWSService": "false" }
                }
            },
            {
                "Sid": "DenyWithoutTls",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "secretsmanager:*",
                "Resource": "*",
                "Condition": { "Bool": { "aws:SecureTransport": "false" } }
            }
        ]
    })
}
/// Whether a secret's `policy` (as Secrets Manager returns it) holds both of [`secret_policy`]'s denials.
pub fn secret_policy_holds(policy: Option<&str>, account: &str) -> bool {
    let Some(p) = policy.and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok()) else {
        return false;
    };
    let want = secret_policy_document(account);
    let have = match &p["Statement"] {
        serde_json::Value::Array(a) => a.clone(),
        one => vec![one.clone()],
    };
    want["Statement"]
        .as_array()
        .is_some_and(|w| w.iter().all(|s| have.contains(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_policy_denies_other_accounts_and_plain_http() {
        let p = secret_policy("111122223333");
        assert!(secret_policy_holds(Some(&p), "111122223333"));
        assert!(
            !secret_policy_holds(Some(&p), "999999999999"),
            "another account's"
        );
        assert!(!secret_policy_holds(None, "111122223333"), "no policy");
        let v: serde_json::Value = serde_json::from_str(&p).unwrap_or_default();
        let only_tls = serde_json::json!({ "Version": "2012-10-17", "Statement": [v["Statement"][1].clone()] });
        assert!(
            !secret_policy_holds(Some(&only_tls.to_string()), "111122223333"),
            "one denial only"
        );
        assert_eq!(
            v["Statement"][0]["Condition"]["StringNotEquals"]["aws:PrincipalAccount"],
            "111122223333"
        );
        assert_eq!(
            v["Statement"][1]["Condition"]["Bool"]["aws:SecureTransport"],
            "false"
        );
    }
}
