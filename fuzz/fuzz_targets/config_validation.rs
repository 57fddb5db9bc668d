//! Config validation (ValidateResourceConfig / ValidateProviderConfig) of any value that decodes
//! against the schema, unknowns and nulls included: never a panic, and every diagnostic has a
//! summary.
#![no_main]

use libfuzzer_sys::fuzz_target;
use terraform_provider_prod::framework::msgpack;

fuzz_target!(|data: &[u8]| {
    let Some((t, bytes)) = terraform_provider_prod_fuzz::pick(data) else {
        return;
    };
    let Ok(v) = msgpack::decode(bytes, &t.ty) else {
        return;
    };
    let diags = match &t.resource {
        None => terraform_provider_prod::provider::config::validate(&v),
        Some(r) => r.validate(&v),
    };
    for d in diags.iter() {
        assert!(!d.summary.is_empty());
    }
});
