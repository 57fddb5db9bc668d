//! UpgradeResourceState: stored JSON state of any shape against each schema: never a panic; what
//! upgrades encodes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use terraform_provider_prod::framework::msgpack;
use terraform_provider_prod::tfplugin::convert::upgrade_state;

fuzz_target!(|data: &[u8]| {
    let Some((t, json)) = terraform_provider_prod_fuzz::pick(data) else {
        return;
    };
    if let Ok(v) = upgrade_state(&t.schema, json) {
        msgpack::encode(&v, &t.ty).expect("an upgraded state encodes");
    }
});
