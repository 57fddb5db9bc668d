//! The `prod_network` attributes, declared once: schema, typed state and typed configuration.

use std::collections::BTreeMap;

use crate::framework::attrs::{PartialList, PartialMap};
use crate::resources::log_retention::{
    self, Given as LogRetentionGiven, Stated as LogRetentionStated,
};

crate::attributes! {
    resource "prod_network";
    common {
        tags = "Tags for every AWS object of this network.",
        components = "Every AWS object this network owns: role → identifier.",
        posture = "Security controls (EC2.2, EC2.6, EC2.10, EC2.21, EC2.57, CloudWatch.16, KMS.4, routes, network_acls: each subnet behind its network ACL, each ACL exactly as made; endpoints: each endpoint available, on every route table or private subnet, private DNS on, its security group exactly HTTPS from the VPC) → `pass` or `fail: <reason>`, from what AWS reports.",
    }
    fields {
        name: String = required("Name of the network; AWS names derive from it. Changing it replaces the network."),
        cidr_block: String = defaulted("IPv4 range of the VPC, /16 to /24 (default `10.0.0.0/16`). Each subnet gets a sixteenth of it. Changing it replaces the network."),
        az_count: i64 = defaulted("Availability zones to span, at least 2 (profile default: 2 in development and staging, 3 in production). Changing it replaces the network."),
        endpoints: Vec<String> as PartialList = defaulted("VPC endpoints, by short service name: `s3` and `dynamodb` are gateway endpoints on every route table; `ec2`, `ssm`, `ssmmessages`, `ec2messages`, `logs`, `monitoring`, `kms`, `secretsmanager` and `sts` are interface endpoints in every private subnet, with private DNS, behind the security group `<name>-endpoints` (HTTPS from the VPC only). Profile default: the two gateways in development; all of them in staging and production. Changing it adds or removes endpoints in place."),
        vpc_id: Option<String> = computed("The VPC's id."),
        availability_zones: Vec<String> = computed("The zones spanned, in subnet order."),
        public_subnet_ids: Vec<String> as PartialList = computed("Public subnets (load balancers), one per zone."),
        private_subnet_ids: Vec<String> as PartialList = computed("Private subnets (instances, databases, caches), one per zone; egress only through NAT."),
        endpoint_ids: BTreeMap<String, String> as PartialMap = computed("Each endpoint's id (`vpce-…`), by short service name."),
    }
    single {
        log_retention: LogRetentionStated / LogRetentionGiven = single(log_retention::DESCRIPTION),
    }
    raw { timeouts }
}

crate::resource_state!(State);
