//! Apply and read as every resource does them: destroy within the `delete` timeout keeping what is
//! left, converge-then-read within the `create`/`update` timeout returning the partial state on
//! failure (contract rule 14), and refresh.

use super::{aws_diag, Lifecycle, ResourceState};
use crate::framework::resource::{
    ApplyRequest, ApplyResponse, ReadRequest, ReadResponse, PRIVATE_CREATE_INCOMPLETE,
};
use crate::framework::wait::timeout_for;
use crate::framework::{Diagnostic, Diagnostics};
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

/// Apply of a destroy: delete within the `delete` timeout; on failure the state keeps what is left.
pub async fn destroy<L: Lifecycle>(ctx: &ProviderData, req: ApplyRequest) -> ApplyResponse {
    let mut st = L::State::from_value(&req.prior_state);
    if req.planned_private == PRIVATE_CREATE_INCOMPLETE {
        st.mark_create_incomplete();
    }
    let limit = timeout_for(st.timeouts(), "delete", L::DEFAULT_TIMEOUT);
    let result = tokio::time::timeout(limit, L::delete(ctx, &mut st, limit))
        .await
        .unwrap_or_else(|_| Err(AwsError::timed_out(L::TYPE_NAME, "delete", limit)));
    match result {
        Ok(()) => ApplyResponse::default(),
        Err(e) => ApplyResponse {
            new_state: st.to_value(),
            private: req.planned_private,
            diagnostics: aws_diag::<L>(&e, "delete").into(),
        },
    }
}

/// Create or update: runs `converge` (which records every object in `progress` as it makes it),
/// then reads the result back, all within the operation's timeout. On failure the response carries
/// `progress`, marked as an unfinished create when it was one, so Terraform taints it and the next
/// apply removes every partial object. [`Lifecycle::finish`] adjusts the read state.
pub async fn converge_and_read<L: Lifecycle>(
    ctx: &ProviderData,
    req: &ApplyRequest,
    desired: &L::Desired,
    mut progress: L::State,
    diagnostics: Diagnostics,
) -> ApplyResponse {
    let creating = req.prior_state.is_null();
    let op = if creating { "create" } else { "update" };
    let limit = timeout_for(progress.timeouts(), op, L::DEFAULT_TIMEOUT);
    let mut diagnostics = diagnostics;
    let result = match ctx.place().await {
        Err(e) => Err(e),
        Ok(place) => {
            let work = async {
                L::converge(ctx, &place, desired, &mut progress, limit).await?;
                let st = L::read(ctx, &place, &progress).await?;
                if let Some(st) = &st {
                    L::settle(ctx, st).await?;
                }
                Ok(st)
            };
            tokio::time::timeout(limit, work)
                .await
                .unwrap_or_else(|_| Err(AwsError::timed_out(L::TYPE_NAME, op, limit)))
        }
    };
    match result {
        Ok(Some(mut st)) => {
            L::finish(&mut st, &progress, &req.planned_state);
            ApplyResponse {
                new_state: st.to_value(),
                private: Vec::new(),
                diagnostics,
            }
        }
        Ok(None) => {
            diagnostics.push(Diagnostic::error(
                format!("{}: the objects vanished during apply", L::TYPE_NAME),
                "They were made but cannot be read back. Run `terraform apply` again.",
            ));
            ApplyResponse {
                new_state: progress.to_value(),
                private: PRIVATE_CREATE_INCOMPLETE.to_vec(),
                diagnostics,
            }
        }
        Err(e) => {
            diagnostics.push(aws_diag::<L>(&e, op));
            ApplyResponse {
                new_state: progress.to_value(),
                private: if creating {
                    PRIVATE_CREATE_INCOMPLETE.to_vec()
                } else {
                    req.planned_private.clone()
                },
                diagnostics,
            }
        }
    }
}

/// Refresh: the live state; null when nothing is left (Terraform plans a create); the prior state
/// with an error when AWS could not be asked.
pub async fn refresh<L: Lifecycle>(ctx: &ProviderData, req: ReadRequest) -> ReadResponse {
    if req.current_state.is_null() {
        return ReadResponse::default();
    }
    let prior = L::State::from_value(&req.current_state);
    let result = async {
        let place = ctx.place().await?;
        L::read(ctx, &place, &prior).await
    }
    .await;
    match result {
        Ok(Some(st)) => ReadResponse {
            new_state: st.to_value(),
            private: req.private,
            diagnostics: Diagnostics::new(),
        },
        Ok(None) => ReadResponse::default(),
        Err(e) => ReadResponse {
            new_state: req.current_state,
            private: req.private,
            diagnostics: aws_diag::<L>(&e, "read").into(),
        },
    }
}
