//! Making independent components at the same time without losing any.
//!
//! Each concurrent job records what it made in a shared [`Made`] the moment AWS returns the id; the
//! caller waits for every job (never cancelling one mid-call, which could leave an object AWS made
//! but nobody recorded), merges the record into the resource's `components`, and only then returns
//! the first error (contract rule 14: a failure keeps the partial state).

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::provider::error::AwsError;

#[derive(Default)]
pub struct Made(Mutex<BTreeMap<String, String>>);

impl Made {
    pub fn new() -> Made {
        Made::default()
    }

    /// Records component `role` = `id`.
    pub fn record(&self, role: impl Into<String>, id: impl Into<String>) {
        // A poisoned lock means a job panicked; the record it holds is still the truth.
        let mut m = match self.0.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        m.insert(role.into(), id.into());
    }

    /// Adds everything recorded to `components`.
    pub fn merge_into(self, components: &mut BTreeMap<String, String>) {
        let m = match self.0.into_inner() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        components.extend(m);
    }
}

/// Copies the key's components (`kms_key`, `kms_alias`) that a concurrent job recorded in its own
/// copy of the components (the key helpers take a `&mut` map).
pub fn keep_key_components(from: &BTreeMap<String, String>, to: &mut BTreeMap<String, String>) {
    for k in ["kms_key", "kms_alias"] {
        if let Some(v) = from.get(k) {
            to.insert(k.into(), v.clone());
        }
    }
}

/// The results in order, or the first error.
pub fn all_ok<T>(results: Vec<Result<T, AwsError>>) -> Result<Vec<T>, AwsError> {
    results.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_job_is_recorded_even_when_one_fails() {
        let made = Made::new();
        let jobs = (0..4).map(|i| {
            let made = &made;
            async move {
                tokio::task::yield_now().await;
                if i == 1 {
                    return Err(AwsError::Invalid {
                        component: "job 1".into(),
                        message: "refused".into(),
                    });
                }
                made.record(format!("part_{i}"), format!("id-{i}"));
                Ok(i)
            }
        });
        let results = futures::future::join_all(jobs).await;
        let mut components = BTreeMap::new();
        made.merge_into(&mut components);
        assert_eq!(components.len(), 3);
        assert!(all_ok(results).is_err());
    }
}
