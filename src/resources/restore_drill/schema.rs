//! The `prod_restore_drill` schema.

use super::model::State;
use crate::framework::{Attribute, Block, Schema, Type};

pub const TYPE_NAME: &str = "prod_restore_drill";
/// A restore is about as long as making the database: the copy of a large one takes a while.
pub const DEFAULT_TIMEOUT: &str = "2h";

pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block::new(
            "A restore drill of a `prod_database_ha`: its create restores the database's latest recovery point (or `restore_time`) into a throwaway instance, in its own region or, with `region`, from the backups replicated to its second region; the copy sits in a security group without rules and without a public address, and once it is available the drill records how long that took (`measured_rto_seconds`), what it restored (`restored_from`) and whether that met the database's RTO (`met_rto`), then deletes the copy and its group. Nothing of the drill is left when its create returns, so a quarterly disaster-recovery drill is `terraform apply -replace=prod_restore_drill.<name>`. Destroy removes only the record (and anything a failed drill left).",
        )
        .attr(Attribute::computed("id", Type::String, "Same as `name`."))
        .attrs(State::attributes())
        .single_block("timeouts", crate::framework::schema::timeouts_block(DEFAULT_TIMEOUT))
        .single_blocks(State::single_blocks()),
    }
}
