//! WAFv2 calls of the cluster's web ACL (REGIONAL scope), by object: the web ACL and its
//! association with the load balancer (`acl`), its IP set (`ip_set`), its logging configuration
//! (`logging`); the conversions between the blueprint's rules (`blueprint::waf`) and the SDK's in
//! `rules`. Here: what they share (references, "does not exist", tags, the paged find by name).

mod acl;
mod ip_set;
mod logging;
mod rules;

pub use acl::*;
pub use ip_set::*;
pub use logging::*;
pub use rules::live_rules;

use std::future::Future;

use aws_sdk_wafv2::error::ProvideErrorMetadata;
use aws_sdk_wafv2::types::{Scope, Tag};

use super::super::blueprint::waf as wbp;
use super::{invalid, Tags};
use crate::provider::ec2::sent;
use crate::provider::error::AwsError;
use crate::provider::ProviderData;

const SCOPE: Scope = Scope::Regional;

/// WAF's "does not exist" error (it has none of the `NotFound` spellings).
fn missing(e: &AwsError) -> bool {
    e.code() == Some("WAFNonexistentItemException") || e.is_not_found()
}

/// `Ok(None)` for WAF's "does not exist".
fn found<T>(r: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if missing(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A web ACL or IP set: name and id (what WAF's calls take) and ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    pub name: String,
    pub id: String,
    pub arn: String,
}

impl Ref {
    /// From an ARN `arn:<partition>:wafv2:<region>:<account>:regional/<kind>/<name>/<id>`.
    pub fn from_arn(arn: &str) -> Option<Ref> {
        let mut parts = arn.rsplitn(3, '/');
        let id = parts.next()?;
        let name = parts.next()?;
        (!id.is_empty() && !name.is_empty()).then(|| Ref {
            name: name.to_string(),
            id: id.to_string(),
            arn: arn.to_string(),
        })
    }
}

impl Ref {
    /// The object `name` that a create answered with id `id` and ARN `arn`.
    fn made(name: &str, id: Option<&str>, arn: Option<&str>) -> Ref {
        Ref {
            name: name.to_string(),
            id: id.unwrap_or_default().to_string(),
            arn: arn.unwrap_or_default().to_string(),
        }
    }
}

/// A web ACL as WAF reports it: its rules in the blueprint's terms and its lock token.
#[derive(Clone, Debug, PartialEq)]
pub struct WebAcl {
    pub r: Ref,
    pub rules: Vec<wbp::Rule>,
    pub lock: String,
}

fn aws_tags(tags: &Tags) -> Result<Vec<Tag>, AwsError> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| invalid("web acl tags", e.to_string()))
        })
        .collect()
}

/// Deletes (or detaches) with the call `remove` (named `c` in errors): done too when WAF says the
/// object is already gone.
async fn removed<O, E>(
    ctx: &ProviderData,
    c: &str,
    remove: impl Future<Output = Result<O, E>>,
) -> Result<(), AwsError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    found(ctx.call(c, remove).await).map(|_| ())
}

/// One page of the WAF list call `$list` (a request builder, named `$c` in errors) from `$marker`:
/// the [`Page`] of its `$items` (the SDK gives web ACL and IP set summaries no common type). The
/// caller writes the builder out (`ctx.wafv2().<call>()`): tests/e2e_iam.rs finds the calls by
/// that form.
macro_rules! page {
    ($ctx:expr, $c:literal, $list:expr, $items:ident, $marker:expr) => {{
        let out = $ctx
            .call(
                $c,
                $list
                    .scope(SCOPE)
                    .set_next_marker($marker)
                    .limit(100)
                    .send(),
            )
            .await?;
        let items = out.$items.unwrap_or_default().into_iter();
        Ok((
            items.map(|a| (a.name, a.id, a.arn)).collect(),
            out.next_marker,
        ))
    }};
}
use page;

/// The WAF get `$get` (a request builder, written out like [`page`]'s) of the object `$r`, `None`
/// when it is gone.
macro_rules! get {
    ($ctx:expr, $c:literal, $get:expr, $r:expr) => {
        found(
            $ctx.call($c, $get.name(&$r.name).id(&$r.id).scope(SCOPE).send())
                .await,
        )
    };
}
use get;

/// One page of a WAF list: (name, id, ARN) of each object, and the next page's marker.
type Page = (
    Vec<(Option<String>, Option<String>, Option<String>)>,
    Option<String>,
);

/// The object named `name` among the pages `list` gives (from a marker), `None` when there is none.
async fn find_named<F, Fut>(name: &str, list: F) -> Result<Option<Ref>, AwsError>
where
    F: Fn(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Page, AwsError>>,
{
    let mut marker = None;
    loop {
        let (items, next) = list(marker).await?;
        if let Some((_, id, arn)) = items.iter().find(|i| i.0.as_deref() == Some(name)) {
            return Ok(Some(Ref::made(name, id.as_deref(), arn.as_deref())));
        }
        match next {
            Some(m) if !m.is_empty() && !items.is_empty() => marker = Some(m),
            _ => return Ok(None),
        }
    }
}

/// Retags a web ACL or IP set (by ARN) from `old` to `new`.
pub async fn tag(ctx: &ProviderData, arn: &str, old: &Tags, new: &Tags) -> Result<(), AwsError> {
    let stale = crate::provider::tags::stale_keys(old, new);
    if !stale.is_empty() {
        ctx.call(
            "web acl tags",
            ctx.wafv2()
                .untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(stale))
                .send(),
        )
        .await?;
    }
    sent(
        ctx,
        "web acl tags",
        ctx.wafv2()
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(aws_tags(new)?))
            .send(),
    )
    .await
}
