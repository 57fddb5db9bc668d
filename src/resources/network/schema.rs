//! The `prod_network` schema.

use crate::framework::{Attribute, Block, Schema, Type};

pub const TYPE_NAME: &str = "prod_network";
pub const DEFAULT_CIDR: &str = "10.0.0.0/16";
/// VPCs and flow logs are made in a minute; NAT gateways take a few.
pub const DEFAULT_TIMEOUT: &str = "20m";

pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block::new(
            "A hardened VPC over several availability zones: public and private subnets, an internet gateway, NAT gateways (one per AZ in production), route tables, the default security group stripped of all rules, and VPC flow logs to a KMS-encrypted log group.",
        )
        .attr(Attribute::computed("id", Type::String, "Same as `name`."))
        .attr(Attribute::required("name", Type::String, "Name of the network; AWS names derive from it. Changing it replaces the network."))
        .attr(Attribute::defaulted("cidr_block", Type::String, "IPv4 range of the VPC, /16 to /24 (default `10.0.0.0/16`). Each subnet gets a sixteenth of it. Changing it replaces the network."))
        .attr(Attribute::defaulted("az_count", Type::Number, "Availability zones to span, at least 2 (profile default: 2 in development and staging, 3 in production). Changing it replaces the network."))
        .attr(Attribute::defaulted("environment", Type::String, "Environment profile: `development`, `staging` or `production`. Defaults to the provider's."))
        .attr(Attribute::optional("tags", Type::map(Type::String), "Tags for every AWS object of this network."))
        .attr(Attribute::computed("tags_all", Type::map(Type::String), "Effective tags: provider `default_tags`, `tags`, and the provider's `prod:*` tags."))
        .attr(Attribute::computed("vpc_id", Type::String, "The VPC's id."))
        .attr(Attribute::computed("availability_zones", Type::list(Type::String), "The zones spanned, in subnet order."))
        .attr(Attribute::computed("public_subnet_ids", Type::list(Type::String), "Public subnets (load balancers), one per zone."))
        .attr(Attribute::computed("private_subnet_ids", Type::list(Type::String), "Private subnets (instances, databases, caches), one per zone; egress only through NAT."))
        .attr(Attribute::computed("components", Type::map(Type::String), "Every AWS object this network owns: role → identifier."))
        .attr(Attribute::computed("posture", Type::map(Type::String), "Security controls (EC2.2, EC2.6, CloudWatch.16, KMS.4, routes) → `pass` or `fail: <reason>`, from what AWS reports."))
        .single_block("timeouts", crate::framework::schema::timeouts_block(DEFAULT_TIMEOUT)),
    }
}
