//! DynamicValue msgpack (what Terraform sends in every RPC) decoded against each schema: never a
//! panic; whatever decodes encodes again, and that encoding is stable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use terraform_provider_prod::framework::msgpack;

fuzz_target!(|data: &[u8]| {
    let Some((t, bytes)) = terraform_provider_prod_fuzz::pick(data) else {
        return;
    };
    if let Ok(v) = msgpack::decode(bytes, &t.ty) {
        let once = msgpack::encode(&v, &t.ty).expect("a decoded value encodes");
        let back = msgpack::decode(&once, &t.ty).expect("an encoded value decodes");
        let twice = msgpack::encode(&back, &t.ty).expect("a decoded value encodes");
        assert_eq!(once, twice, "encoding is not stable");
    }
});
