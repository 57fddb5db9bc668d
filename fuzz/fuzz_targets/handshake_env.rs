//! The handshake environment Terraform sets: the magic cookie, the offered protocol versions and the
//! client certificate (PLUGIN_CLIENT_CERT): never a panic; only protocol 6 is ever chosen.
#![no_main]

use libfuzzer_sys::fuzz_target;
use terraform_provider_prod::plugin::handshake::{check_cookie, negotiate};
use terraform_provider_prod::plugin::tls::PinnedClientCert;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\u{0}');
    let cookie = parts.next().unwrap_or_default();
    let versions = parts.next().unwrap_or_default();
    let cert = parts.next().unwrap_or_default();
    let _ = check_cookie(Some(cookie));
    if let Ok(v) = negotiate(Some(versions)) {
        assert_eq!(v, 6);
    }
    let _ = PinnedClientCert::from_pem(cert);
});
