//! The go-plugin handshake: the magic cookie, protocol negotiation, and the line Terraform reads from
//! our stdout to find the socket and our certificate.

use base64::Engine;

/// The cookie Terraform sets for provider plugins (terraform internal/plugin6/serve.go).
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's core protocol version.
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The only Terraform plugin protocol we speak.
pub const APP_PROTOCOL_VERSION: u32 = 6;

pub const NOT_A_PROGRAM: &str = "This binary is a plugin. These are not meant to be executed directly.\n\
Please execute the program that consumes these plugins, which will load any plugins automatically.\n\
(terraform-provider-prod is a Terraform provider; run `terraform init` in a configuration that uses \
`hardened/prod`, or run it with --debug to attach Terraform to it.)";

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum HandshakeError {
    #[error("{}", NOT_A_PROGRAM)]
    NoCookie,
    #[error("Terraform offered plugin protocol versions {0:?}; this provider speaks only version 6 (Terraform 1.0 or later)")]
    NoCommonVersion(String),
}

pub fn check_cookie(value: Option<&str>) -> Result<(), HandshakeError> {
    match value {
        Some(v) if v == MAGIC_COOKIE_VALUE => Ok(()),
        _ => Err(HandshakeError::NoCookie),
    }
}

/// Picks protocol 6 from `PLUGIN_PROTOCOL_VERSIONS` (a comma list in any order). Absent means the
/// client predates version negotiation; we answer 6 and let it refuse.
pub fn negotiate(offered: Option<&str>) -> Result<u32, HandshakeError> {
    let Some(list) = offered else {
        return Ok(APP_PROTOCOL_VERSION);
    };
    if list
        .split(',')
        .any(|v| v.trim() == APP_PROTOCOL_VERSION.to_string())
    {
        Ok(APP_PROTOCOL_VERSION)
    } else {
        Err(HandshakeError::NoCommonVersion(list.to_string()))
    }
}

/// `CORE|APP|NET|ADDR|PROTO|CERT`: the certificate is DER in standard base64 *without* padding.
pub fn handshake_line(socket: &str, cert_der: Option<&[u8]>) -> String {
    let cert = cert_der
        .map(|d| base64::engine::general_purpose::STANDARD_NO_PAD.encode(d))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|unix|{socket}|grpc|{cert}\n")
}

/// The value for `TF_REATTACH_PROVIDERS` in debug mode. `Test: true` is what makes Terraform use
/// protocol 6 for a reattached provider.
pub fn reattach_json(address: &str, pid: u32, socket: &str) -> String {
    serde_json::json!({
        address: {
            "Protocol": "grpc",
            "ProtocolVersion": APP_PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": {"Network": "unix", "String": socket}
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie() {
        assert!(check_cookie(Some(MAGIC_COOKIE_VALUE)).is_ok());
        assert_eq!(check_cookie(None), Err(HandshakeError::NoCookie));
        assert_eq!(check_cookie(Some("x")), Err(HandshakeError::NoCookie));
    }

    #[test]
    fn negotiation_takes_6_in_any_order() {
        assert_eq!(negotiate(Some("5,6")), Ok(6));
        assert_eq!(negotiate(Some("6,5")), Ok(6));
        assert_eq!(negotiate(None), Ok(6));
        assert!(matches!(
            negotiate(Some("5")),
            Err(HandshakeError::NoCommonVersion(_))
        ));
    }

    #[test]
    fn line_has_unpadded_base64() {
        let line = handshake_line("/tmp/x/plugin.sock", Some(&[1, 2, 3, 4]));
        assert_eq!(line, "1|6|unix|/tmp/x/plugin.sock|grpc|AQIDBA\n");
        assert_eq!(handshake_line("/s", None), "1|6|unix|/s|grpc|\n");
    }

    #[test]
    fn reattach_is_marked_test() {
        let j: serde_json::Value = serde_json::from_str(&reattach_json(
            "registry.terraform.io/hardened/prod",
            7,
            "/s",
        ))
        .unwrap();
        let p = &j["registry.terraform.io/hardened/prod"];
        assert_eq!(p["Test"], true);
        assert_eq!(p["ProtocolVersion"], 6);
        assert_eq!(p["Addr"]["Network"], "unix");
    }
}
