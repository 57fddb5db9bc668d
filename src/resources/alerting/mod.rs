//! `prod_alerting`: KMS-encrypted SNS topics per severity, subscriptions, and CloudWatch alarms.

mod aws;
pub use aws::{delete_alarms, describe_alarms, retag_alarms};
pub mod blueprint;
pub mod custom;
pub mod dashboard;
pub mod events;
pub mod model;
pub mod packs;
mod plan;
pub mod posture;
mod read;
mod reconcile;
pub mod redis_pack;
pub mod schema;
pub mod validate;
pub mod watch;

use std::ops::ControlFlow;
use std::time::Duration;

use crate::framework::attrs::whole_list;
use crate::framework::resource::{ApplyRequest, PlanRequest, PlanResponse};
use crate::framework::{AttrPath, Diagnostics, Value};
use crate::provider::aws::Place;
use crate::provider::error::AwsError;
use crate::provider::profile::Environment;
use crate::provider::{tags, ProviderData};
use crate::resources::lifecycle::{self, Prepared, ResourceState};
use blueprint::Desired;
use model::{Alarm, Config, Notify, State};

fn env_of(s: &State, ctx: &ProviderData) -> Environment {
    Environment::parse(&s.environment).unwrap_or(ctx.environment)
}

/// A failed lookup of the `*_ids` resources, as an error on the argument that names them.
fn lookup_failed(e: &AwsError) -> crate::framework::Diagnostic {
    let msg = e.to_string();
    let attr = ["database_ids", "redis_cluster_ids"]
        .into_iter()
        .find(|a| msg.contains(a))
        .unwrap_or("cluster_ids");
    lifecycle::aws_diag::<Life>(e, "looking up the watched resources").at(AttrPath::attr(attr))
}

/// The blueprint's input, from a wholly known planned state and its configuration.
fn desired(planned: &Value, config: &Value, ctx: &ProviderData) -> Desired {
    let st = State::from_value(planned);
    Desired {
        environment: env_of(&st, ctx),
        tags: st.tags_all.clone(),
        given_key: Config::decode(config).kms_key_arn.into_known(),
        notify: st.notify.clone(),
        alarms: st.alarm.clone(),
        packs: Vec::new(),
        watched: Vec::new(),
        dashboard: st.dashboard,
        name: st.name,
    }
}

crate::lifecycle! {
    /// The lifecycle steps every resource shares, bound to alerting's.
    pub struct Life {
        state: State,
        desired: Desired,
        parts: [read],
    }

    async fn plan(ctx: &ProviderData, req: PlanRequest) -> PlanResponse {
        // Destroy: nothing to guard for alerting (it holds no data).
        let diagnostics = match lifecycle::plan_start::<Self>(&req) {
            ControlFlow::Continue(d) => d,
            ControlFlow::Break(done) => return done,
        };
        let place = match ctx.place().await {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::warn!(error = %e, "account id unavailable at plan; ARNs will be known after apply");
                None
            }
        };
        // The watched databases' replicas and Redis groups' members name their alarms (unknown
        // until they exist); both are looked up at once.
        let cfg = Config::decode(&req.config);
        let db_ids = whole_list(&cfg.database_ids)
            .into_known()
            .filter(|ids| !ids.is_empty());
        let redis_ids = whole_list(&cfg.redis_cluster_ids)
            .into_known()
            .filter(|ids| !ids.is_empty());
        let (dbs, redis) = tokio::join!(
            async {
                match &db_ids {
                    Some(ids) => packs::database_facts(ctx, ids).await,
                    None => Ok(Vec::new()),
                }
            },
            async {
                match &redis_ids {
                    Some(ids) => redis_pack::redis_facts(ctx, ids).await,
                    None => Ok(Vec::new()),
                }
            }
        );
        let looked_up = dbs
            .map_err(|e| (e, "looking up the watched databases"))
            .and_then(|d| {
                redis
                    .map(|r| (d, r))
                    .map_err(|e| (e, "looking up the watched Redis clusters"))
            });
        let (db_replicas, redis_members) = match looked_up {
            Ok((d, r)) => (
                d.into_iter()
                    .map(|f| (f.name, f.replicas.len()))
                    .collect::<std::collections::BTreeMap<_, _>>(),
                redis_pack::members_by_group(r),
            ),
            Err((e, doing)) => {
                let mut diagnostics = diagnostics;
                diagnostics.push(lifecycle::aws_diag::<Life>(&e, doing));
                return PlanResponse {
                    diagnostics,
                    ..Default::default()
                };
            }
        };
        let p = plan::plan(
            &req.config,
            &req.prior_state,
            &req.proposed_new_state,
            ctx.environment,
            &ctx.default_tags,
            place.as_ref(),
            &db_replicas,
            &redis_members,
        );
        lifecycle::planned(diagnostics, p, req.prior_private)
    }
    async fn prepare(
        ctx: &ProviderData,
        req: &ApplyRequest,
    ) -> Result<Prepared<Self>, Diagnostics> {
        let mut diagnostics = validate::validate(&req.config);
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        let creating = req.prior_state.is_null();
        let mut d = desired(&req.planned_state, &req.config, ctx);
        let planned_st = State::from_value(&req.planned_state);
        let (cluster_ids, database_ids, redis_cluster_ids) = (
            planned_st.cluster_ids,
            planned_st.database_ids,
            planned_st.redis_cluster_ids,
        );
        // The watched resources' configured values, as `watch` gives them (all known at apply).
        let watched = planned_st.watch.clone();
        let watched_packs = match watch::watched(watched.as_deref().unwrap_or_default()) {
            Ok(w) => {
                let p: Vec<_> = w.iter().flat_map(watch::Watched::pack).collect();
                d.watched = w;
                p.into_iter().map(|a| packs::PackAlarm { by_watch: true, ..a })
            }
            Err((i, e)) => {
                diagnostics.error_at(
                    AttrPath::attr("watch").then_index(i),
                    "Not a watch map",
                    format!("This element of `watch` is not what a watched resource exports: {e}. {}", watch::HINT),
                );
                return Err(diagnostics);
            }
        };
        // In the plan's order: the `*_ids` packs, then `watch`'s.
        match packs::wanted(
            ctx,
            cluster_ids.as_ref(),
            database_ids.as_ref(),
            redis_cluster_ids.as_ref(),
        )
        .await
        {
            Ok(p) => {
                let all: Vec<_> = p.into_iter().chain(watched_packs).collect();
                if packs::overrides::refused(&mut diagnostics, &all, &planned_st.pack_override) {
                    return Err(diagnostics);
                }
                d.packs = packs::overrides::apply(all, &planned_st.pack_override);
            }
            Err(e) => {
                diagnostics.push(lookup_failed(&e));
                return Err(diagnostics);
            }
        }
        let mut progress = if creating {
            State {
                name: d.name.clone(),
                environment: d.environment.as_str().to_string(),
                ..Default::default()
            }
        } else {
            State::from_value(&req.prior_state)
        };
        progress.tags = State::from_value(&req.planned_state).tags;
        progress.cluster_ids = cluster_ids;
        progress.database_ids = database_ids;
        progress.redis_cluster_ids = redis_cluster_ids;
        progress.watch = watched;
        progress.pack_override = planned_st.pack_override.clone();
        progress.environment = d.environment.as_str().to_string();

        progress.timeouts = Config::decode(&req.config).timeouts;
        Ok(Prepared {
            desired: d,
            progress,
            diagnostics,
        })
    }
    fn finish(st: &mut State, progress: &State, _planned: &Value) {
        st.tags = progress.tags.clone();
    }
    fn not_found(id: &str) -> String {
        format!("No topic named {id}-critical exists in this account and region; the import ID is the resource's `name`.")
    }
    /// Alerting objects are made in single calls; the limit bounds the wait for a watched Redis
    /// group to settle after its notification topic changes.
    async fn converge(
        ctx: &ProviderData,
        place: &Place,
        d: &Desired,
        p: &mut State,
        limit: Duration,
    ) -> Result<(), AwsError> {
        reconcile::converge(ctx, place, d, p, limit).await
    }
    async fn delete(ctx: &ProviderData, s: &mut State, limit: Duration) -> Result<(), AwsError> {
        let window = env_of(s, ctx).key_deletion_window_days();
        reconcile::delete(ctx, s, window, limit).await
    }
}

/// Builds a state from what AWS has under `name`, then reads it as usual.
async fn import_state(ctx: &ProviderData, name: &str) -> Result<Option<State>, AwsError> {
    let place = ctx.place().await?;
    let critical = blueprint::topic_arn(&place, name, "critical");
    let warning = blueprint::topic_arn(&place, name, "warning");
    let Some(attrs) = aws::topic_attributes(ctx, &critical).await? else {
        return Ok(None);
    };
    let mut st = State {
        name: name.to_string(),
        ..Default::default()
    };
    st.critical_topic_arn = Some(critical.clone());
    st.warning_topic_arn = Some(warning.clone());
    let topic_key = attrs
        .get("KmsMasterKeyId")
        .cloned()
        .filter(|k| !k.is_empty());
    import_key(ctx, topic_key, &mut st).await?;
    st.tags_all = aws::topic_tags(ctx, &critical).await?;
    let env = st
        .tags_all
        .get(tags::TAG_ENVIRONMENT)
        .and_then(|e| Environment::parse(e))
        .unwrap_or(ctx.environment);
    st.environment = env.as_str().to_string();
    st.tags = tags::own_tags(&st.tags_all, &ctx.default_tags);

    for (sev, arn) in [("critical", &critical), ("warning", &warning)] {
        for s in aws::subscriptions(ctx, arn).await? {
            st.notify.push(Notify {
                severity: sev.to_string(),
                protocol: s.protocol,
                endpoint: s.endpoint,
            });
        }
    }
    st.dashboard = dashboard::aws::dashboard_body(ctx, name).await?.is_some();
    st.dashboard_url = st.dashboard.then(|| dashboard::url(&place.region, name));
    import_alarms(ctx, &warning, &mut st).await?;
    read::read(ctx, &place, &st).await
}

/// The key of an imported resource: ours when our alias names the key the topic uses (by ARN, id
/// or the alias itself), else the topic's key as given.
async fn import_key(
    ctx: &ProviderData,
    topic_key: Option<String>,
    st: &mut State,
) -> Result<(), AwsError> {
    let alias_key = aws::describe_key(ctx, &blueprint::alias_name(&st.name))
        .await?
        .filter(|k| k.usable);
    match (alias_key, topic_key) {
        (Some(k), Some(t))
            if t == k.arn
                || aws::key_id(&t) == aws::key_id(&k.arn)
                || t == blueprint::alias_name(&st.name) =>
        {
            st.components
                .insert(blueprint::ROLE_KEY.into(), k.arn.clone());
            st.kms_key_arn = Some(k.arn);
        }
        (_, t) => st.kms_key_arn = t,
    }
    Ok(())
}

/// The alarms named `<name>-…` (but those another resource made, e.g. a cluster's rollout gates of
/// the same name): a pack's puts the resource it watches back into `watch` or the
/// deprecated `cluster_ids`, `database_ids` or `redis_cluster_ids`; any other is an `alarm` block (warning when it notifies
/// the `warning` topic).
async fn import_alarms(ctx: &ProviderData, warning: &str, st: &mut State) -> Result<(), AwsError> {
    let prefix = format!("{}-", st.name);
    let mut targets: Vec<(String, String, bool)> = Vec::new();
    for m in aws::alarms_with_prefix(ctx, &prefix).await? {
        let Some(full) = m.alarm_name.clone() else {
            continue;
        };
        if m.alarm_description
            .as_deref()
            .is_some_and(packs::made_by_another)
        {
            continue;
        }
        let short = full.trim_start_matches(&prefix).to_string();
        if let Some((kind, target, by_watch)) = m
            .alarm_description
            .as_deref()
            .and_then(packs::target_of_description)
        {
            let t = (kind.to_string(), target.to_string(), by_watch);
            if !targets.contains(&t) {
                targets.push(t);
            }
            st.alarm_names.push(full);
            continue;
        }
        let actions = m.alarm_actions.clone().unwrap_or_default();
        let severity = if actions.iter().any(|a| a == warning) {
            "warning"
        } else {
            "critical"
        };
        let a: Alarm = aws::alarm_from_aws(&m, &short, severity, None);
        st.alarm_names.push(full);
        st.alarm.push(a);
    }
    import_watched(ctx, &targets, st).await
}

/// What the packs watch, as the configuration named it: through `watch` (the alarm descriptions
/// say so), each watched resource's own `watch`, found as its import finds it, in the order the
/// alarms list them (clusters, databases, Redis groups); through the deprecated `*_ids` (or a
/// resource no longer there), by id.
async fn import_watched(
    ctx: &ProviderData,
    targets: &[(String, String, bool)],
    st: &mut State,
) -> Result<(), AwsError> {
    use crate::resources::lifecycle::Lifecycle;
    use crate::resources::{cluster, database, redis};
    for (kind, target, by_watch) in targets {
        let watch = match kind.as_str() {
            _ if !by_watch => None,
            "database" => <database::Life as Lifecycle>::find(ctx, target)
                .await?
                .map(|s| s.watch),
            "redis" => <redis::Life as Lifecycle>::find(ctx, target)
                .await?
                .map(|s| s.watch),
            _ => <cluster::Life as Lifecycle>::find(ctx, target)
                .await?
                .map(|s| s.watch),
        };
        match watch.filter(|w| !w.is_empty()) {
            Some(w) => st.watch.get_or_insert_with(Vec::new).push(w),
            None => {
                let ids = match kind.as_str() {
                    "database" => &mut st.database_ids,
                    "redis" => &mut st.redis_cluster_ids,
                    _ => &mut st.cluster_ids,
                };
                ids.get_or_insert_with(Vec::new).push(target.clone());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
