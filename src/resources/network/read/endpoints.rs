//! Read, the VPC endpoints: from the one DescribeVpcEndpoints of the refresh and the endpoints'
//! group, which the default group's describe brings along. An endpoint deleted outside Terraform
//! leaves `endpoints` (so the plan adds it back); how the others sit goes to the posture.

use std::collections::BTreeMap;

use super::super::aws as api;
use super::super::blueprint::endpoints::{self as ep, Kind};
use super::super::model::State;
use super::super::posture::{EndpointFacts, Facts, Group};
use super::super::reconcile::{find_endpoint, route_tables};
use crate::provider::aws::Place;
use crate::provider::ec2::Rules;

/// The endpoints `prior` names as AWS has them, into `st` (`endpoints`, `endpoint_ids`), the
/// components `c` and the posture facts. `c` already holds the route tables that exist.
pub fn read_endpoints(
    place: &Place,
    prior: &State,
    st: &mut State,
    live: &api::Live,
    sg: Option<(String, Rules)>,
    c: &mut BTreeMap<String, String>,
    facts: &mut Facts,
) {
    let report = &mut facts.endpoints;
    report.wanted = prior.endpoints.clone();
    report.available_interfaces = live
        .endpoints
        .iter()
        .filter(|e| e.vpc_endpoint_type.as_ref().map(|t| t.as_str()) == Some("Interface"))
        .filter(|e| api::state(e) == "available")
        .filter_map(|e| ep::short_name(&place.region, e.service_name.as_deref()?))
        .map(str::to_string)
        .collect();
    let own_group = sg.as_ref().map(|(id, _)| id.clone());
    if let Some(id) = &own_group {
        // Recorded whether or not it is still needed, so that an apply or destroy removes it.
        c.insert(ep::SG_ROLE.to_string(), id.clone());
    }
    report.group = match (ep::needs_sg(&prior.endpoints), sg) {
        (false, _) => Group::NotNeeded,
        (true, None) => Group::Missing,
        (true, Some((id, have))) => Group::Found {
            id,
            have,
            want: ep::sg_rules(&prior.cidr_block),
        },
    };
    let tables = route_tables(c, prior.availability_zones.len());
    let subnets = &st.private_subnet_ids;
    let mut kept = Vec::new();
    let mut ids = BTreeMap::new();
    for service in &prior.endpoints {
        let Some(e) = find_endpoint(&live.endpoints, &prior.components, &prior.name, service)
        else {
            report.endpoints.push(EndpointFacts {
                service: service.clone(),
                id: None,
                state: "deleted".into(),
                private_dns: false,
                missing_on: Vec::new(),
                groups: Vec::new(),
            });
            continue;
        };
        let id = e.vpc_endpoint_id.clone().unwrap_or_default();
        c.insert(ep::role(service), id.clone());
        ids.insert(service.clone(), id.clone());
        kept.push(service.clone());
        let (want, have) = match ep::kind(service) {
            Some(Kind::Gateway) => (&tables, e.route_table_ids.as_ref()),
            _ => (subnets, e.subnet_ids.as_ref()),
        };
        report.endpoints.push(EndpointFacts {
            service: service.clone(),
            id: Some(id),
            state: api::state(e),
            private_dns: e.private_dns_enabled == Some(true),
            missing_on: want
                .iter()
                .filter(|w| !have.is_some_and(|h| h.contains(w)))
                .cloned()
                .collect(),
            groups: api::group_ids(e),
        });
    }
    st.endpoints = kept;
    st.endpoint_ids = ids;
}
