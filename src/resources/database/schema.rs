//! The `prod_database_ha` schema.

use crate::framework::{Attribute, Block, Schema, Type};

pub const TYPE_NAME: &str = "prod_database_ha";
pub const ENGINES: [&str; 4] = ["postgres", "mysql", "aurora-postgresql", "aurora-mysql"];
/// Multi-AZ databases take 15-40 minutes to create; deleting with a final snapshot takes long too.
pub const DEFAULT_TIMEOUT: &str = "90m";

pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block::new(
            "A highly-available PostgreSQL or MySQL database (RDS or Aurora): Multi-AZ primary, read replicas in the other zones, KMS encryption, backups in the 02:00 window with point-in-time recovery, deletion protection, a final snapshot on destroy, a parameter group forcing TLS, a managed master password in Secrets Manager, enhanced monitoring and log exports.",
        )
        .attr(Attribute::computed("id", Type::String, "Same as `name`."))
        .attrs(super::model::State::attributes())
        .single_block("timeouts", crate::framework::schema::timeouts_block(DEFAULT_TIMEOUT))
            .single_blocks(super::model::State::single_blocks()),
    }
}
