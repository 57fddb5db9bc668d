//! Protocol tests: the built binary, started as Terraform starts it, spoken to over mTLS gRPC.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::plugin::{command, terraform_like_client_cert, Plugin, COOKIE};
use common::proto::{go_plugin, tf};
use terraform_provider_prod::framework::{msgpack, Value};
use terraform_provider_prod::resources::alerting::schema::schema as alerting_schema;
use tf::provider_client::ProviderClient;

fn dv(v: &Value, ty: &terraform_provider_prod::framework::Type) -> tf::DynamicValue {
    tf::DynamicValue {
        msgpack: msgpack::encode(v, ty).unwrap(),
        json: vec![],
    }
}

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Map(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn provider_type() -> terraform_provider_prod::framework::Type {
    terraform_provider_prod::provider::config::schema().implied_type()
}

#[tokio::test]
async fn refuses_to_run_without_the_magic_cookie() {
    let out = command(&[])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout: Terraform would take it for a handshake"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("This binary is a plugin"));
}

#[tokio::test]
async fn refuses_a_protocol_it_does_not_speak() {
    let out = command(&[
        ("TF_PLUGIN_MAGIC_COOKIE", COOKIE),
        ("PLUGIN_PROTOCOL_VERSIONS", "5"),
    ])
    .stderr(std::process::Stdio::piped())
    .output()
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("speaks only version 6"));
}

#[tokio::test]
async fn schema_over_pinned_mtls() {
    let p = Plugin::start().await;
    let mut c = ProviderClient::new(p.channel().await);
    let s = c
        .get_provider_schema(tf::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(s.diagnostics.is_empty());
    let caps = s.server_capabilities.unwrap();
    assert!(caps.plan_destroy);
    let provider = s.provider.unwrap().block.unwrap();
    let names: Vec<&str> = provider
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        names,
        vec!["region", "profile", "environment", "default_tags"]
    );
    let endpoints = provider
        .block_types
        .iter()
        .find(|b| b.type_name == "endpoints")
        .unwrap();
    // One per service the provider calls: S3 (the cluster's log bucket), WAFv2 and AWS Backup
    // included.
    assert_eq!(endpoints.block.as_ref().unwrap().attributes.len(), 15);
    let alerting = s
        .resource_schemas
        .get("prod_alerting")
        .unwrap()
        .block
        .as_ref()
        .unwrap();
    let kms = alerting
        .attributes
        .iter()
        .find(|a| a.name == "kms_key_arn")
        .unwrap();
    assert!(kms.optional && kms.computed && !kms.description.is_empty());
    // The ephemeral credentials: their secrets sensitive, and listed in GetMetadata too.
    let creds = s
        .ephemeral_resource_schemas
        .get("prod_database_credentials")
        .unwrap()
        .block
        .as_ref()
        .unwrap();
    let password = creds
        .attributes
        .iter()
        .find(|a| a.name == "password")
        .unwrap();
    assert!(password.sensitive && password.computed);
    assert!(s
        .ephemeral_resource_schemas
        .contains_key("prod_redis_credentials"));
    let profile = s.functions.get("profile").unwrap();
    assert_eq!(profile.parameters.len(), 1);
    assert!(profile.r#return.is_some());
    let meta = c
        .get_metadata(tf::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    let mut ephemerals: Vec<String> = meta
        .ephemeral_resources
        .into_iter()
        .map(|e| e.type_name)
        .collect();
    ephemerals.sort();
    assert_eq!(meta.functions.len(), 1);
    assert_eq!(
        ephemerals,
        ["prod_database_credentials", "prod_redis_credentials"]
    );
    assert!(alerting
        .attributes
        .iter()
        .all(|a| !a.description.is_empty()));
    let md = c
        .get_metadata(tf::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(md.resources[0].type_name, "prod_alerting");
    let f = c
        .get_functions(tf::get_functions::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(f.diagnostics.is_empty());
    assert_eq!(f.functions.keys().collect::<Vec<_>>(), ["profile"]);
}

#[tokio::test]
async fn refuses_clients_without_the_pinned_certificate() {
    let p = Plugin::start().await;
    // No certificate at all.
    let no_cert = match p.channel_with(None).await {
        Err(_) => true,
        Ok(ch) => ProviderClient::new(ch)
            .get_provider_schema(tf::get_provider_schema::Request {})
            .await
            .is_err(),
    };
    assert!(no_cert, "a client without a certificate must be refused");
    // A certificate of the same shape that Terraform did not pass.
    let other = terraform_like_client_cert();
    let wrong = match p.channel_with(Some(&other)).await {
        Err(_) => true,
        Ok(ch) => ProviderClient::new(ch)
            .get_provider_schema(tf::get_provider_schema::Request {})
            .await
            .is_err(),
    };
    assert!(wrong, "a client with another certificate must be refused");
    // The pinned one still works.
    let mut c = ProviderClient::new(p.channel().await);
    assert!(c
        .get_provider_schema(tf::get_provider_schema::Request {})
        .await
        .is_ok());
}

#[tokio::test]
async fn controller_shutdown_exits_at_once() {
    let mut p = Plugin::start().await;
    let socket_dir = std::path::Path::new(&p.socket)
        .parent()
        .unwrap()
        .to_path_buf();
    let mut ctl = go_plugin::grpc_controller_client::GrpcControllerClient::new(p.channel().await);
    let t = Instant::now();
    let _ = ctl.shutdown(go_plugin::Empty {}).await;
    let status = tokio::time::timeout(Duration::from_secs(2), p.child.wait())
        .await
        .expect("exit within 2 s")
        .unwrap();
    assert!(status.success());
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "took {:?}",
        t.elapsed()
    );
    assert!(!socket_dir.exists(), "socket directory removed on exit");
}

#[tokio::test]
async fn validation_diagnostics_carry_attribute_paths() {
    let p = Plugin::start().await;
    let mut c = ProviderClient::new(p.channel().await);
    let pcfg = obj(vec![("environment", Value::string("prod"))]);
    let r = c
        .validate_provider_config(tf::validate_provider_config::Request {
            config: Some(dv(&pcfg, &provider_type())),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.diagnostics.len(), 1);
    let d = &r.diagnostics[0];
    assert_eq!(d.severity, tf::diagnostic::Severity::Error as i32);
    use tf::attribute_path::step::Selector;
    assert_eq!(
        d.attribute.as_ref().unwrap().steps[0].selector,
        Some(Selector::AttributeName("environment".into()))
    );

    let ty = alerting_schema().implied_type();
    let alarm = obj(vec![
        ("name", Value::string("cpu")),
        ("namespace", Value::string("AWS/EC2")),
        ("metric_name", Value::string("CPUUtilization")),
        ("comparison", Value::string("Bigger")),
        ("threshold", Value::int(1)),
        ("severity", Value::string("critical")),
    ]);
    let cfg = obj(vec![
        ("name", Value::string("ops")),
        ("alarm", Value::List(vec![alarm])),
        ("notify", Value::List(vec![])),
    ]);
    let r = c
        .validate_resource_config(tf::validate_resource_config::Request {
            type_name: "prod_alerting".into(),
            config: Some(dv(&cfg, &ty)),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
    let steps: Vec<_> = r.diagnostics[0]
        .attribute
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .map(|s| s.selector.clone().unwrap())
        .collect();
    assert_eq!(
        steps,
        vec![
            Selector::AttributeName("alarm".into()),
            Selector::ElementKeyInt(0),
            Selector::AttributeName("comparison".into())
        ]
    );
    assert!(
        r.diagnostics[0].detail.contains("GreaterThanThreshold"),
        "the fix is in the detail"
    );
}

#[tokio::test]
async fn write_only_arguments_follow_the_client_capability() {
    let p = Plugin::start().await;
    let mut c = ProviderClient::new(p.channel().await);
    let schema = c
        .get_provider_schema(tf::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let redis = &schema.resource_schemas["prod_redis_cluster"];
    let attr = |n: &str| {
        redis
            .block
            .as_ref()
            .unwrap()
            .attributes
            .iter()
            .find(|a| a.name == n)
            .unwrap()
            .clone()
    };
    let token = attr("auth_token_wo");
    assert!(token.write_only && token.sensitive && token.optional && !token.computed);
    assert!(!attr("auth_token_wo_version").write_only);

    let ty = terraform_provider_prod::resources::redis::schema::schema().implied_type();
    let cfg = obj(vec![
        ("name", Value::string("sessions")),
        (
            "subnet_ids",
            Value::string_list(["subnet-1".to_string(), "subnet-2".to_string()]),
        ),
        (
            "allowed_security_group_ids",
            Value::string_list(["sg-1".to_string()]),
        ),
        ("auth_token_wo", Value::string("Str0ng-token-0123456789")),
        ("auth_token_wo_version", Value::int(1)),
    ]);
    // (a client like Terraform before 1.11, one that says it cannot, Terraform 1.11)
    for (caps, refused) in [
        (None, true),
        (Some(tf::ClientCapabilities::default()), true),
        (
            Some(tf::ClientCapabilities {
                write_only_attributes_allowed: true,
                ..Default::default()
            }),
            false,
        ),
    ] {
        let r = c
            .validate_resource_config(tf::validate_resource_config::Request {
                type_name: "prod_redis_cluster".into(),
                config: Some(dv(&cfg, &ty)),
                client_capabilities: caps,
            })
            .await
            .unwrap()
            .into_inner();
        if !refused {
            assert!(r.diagnostics.is_empty(), "{caps:?}: {:?}", r.diagnostics);
            continue;
        }
        assert_eq!(r.diagnostics.len(), 1, "{caps:?}: {:?}", r.diagnostics);
        let d = &r.diagnostics[0];
        assert_eq!(d.severity, tf::diagnostic::Severity::Error as i32);
        assert!(d.detail.contains("Terraform 1.11"), "{}", d.detail);
        assert!(!d.detail.contains("Str0ng"), "the value is not repeated");
        assert_eq!(
            d.attribute.as_ref().unwrap().steps[0].selector,
            Some(tf::attribute_path::step::Selector::AttributeName(
                "auth_token_wo".into()
            ))
        );
    }
}

#[tokio::test]
async fn move_state_is_declined_and_unknown_types_are_diagnosed() {
    let p = Plugin::start().await;
    let mut c = ProviderClient::new(p.channel().await);
    let r = c
        .move_resource_state(tf::move_resource_state::Request {
            source_provider_address: "registry.terraform.io/hashicorp/aws".into(),
            source_type_name: "aws_sns_topic".into(),
            target_type_name: "prod_alerting".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.diagnostics.len(), 1);
    assert!(r.diagnostics[0].summary.contains("not supported"));
    assert!(r.target_state.is_none());
    let r = c
        .validate_resource_config(tf::validate_resource_config::Request {
            type_name: "prod_nope".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.diagnostics[0].summary, "Unknown resource type");
}

#[tokio::test]
async fn upgrade_state_fills_every_attribute() {
    let p = Plugin::start().await;
    let mut c = ProviderClient::new(p.channel().await);
    // State with an attribute removed from the schema and others missing, as Terraform sends it.
    let raw = br#"{"id":"ops","name":"ops","removed_long_ago":1,"alarm":[],"notify":[]}"#.to_vec();
    let r = c
        .upgrade_resource_state(tf::upgrade_resource_state::Request {
            type_name: "prod_alerting".into(),
            version: 0,
            raw_state: Some(tf::RawState {
                json: raw,
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let ty = alerting_schema().implied_type();
    let v = msgpack::decode(&r.upgraded_state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(v.get("name"), &Value::string("ops"));
    assert_eq!(
        v.as_map().unwrap().len(),
        alerting_schema().block.attributes.len() + alerting_schema().block.blocks.len()
    );
    // A newer schema version than ours is refused.
    let r = c
        .upgrade_resource_state(tf::upgrade_resource_state::Request {
            type_name: "prod_alerting".into(),
            version: 99,
            raw_state: Some(tf::RawState {
                json: b"{}".to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics[0].summary.contains("newer provider"));
}

/// A TCP server that accepts connections and never answers: an AWS endpoint stuck forever.
async fn black_hole() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn stop_provider_ends_an_apply_against_a_slow_endpoint_within_a_second() {
    let url = black_hole().await;
    let p = Plugin::start_with(&[("AWS_ENDPOINT_URL", url.as_str())]).await;
    let channel = p.channel().await;
    let mut c = ProviderClient::new(channel.clone());
    let pty = provider_type();
    let endpoints = obj(["cloudwatch", "kms", "sns", "sts"]
        .iter()
        .map(|s| (*s, Value::string(url.clone())))
        .collect());
    let pcfg = obj(vec![
        ("region", Value::string("us-east-1")),
        ("endpoints", endpoints),
    ]);
    let r = c
        .configure_provider(tf::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: Some(dv(&pcfg, &pty)),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);

    let ty = alerting_schema().implied_type();
    let cfg = obj(vec![
        ("name", Value::string("slow")),
        ("environment", Value::string("development")),
        ("notify", Value::List(vec![])),
        ("alarm", Value::List(vec![])),
    ]);
    let apply = {
        let mut c = ProviderClient::new(channel.clone());
        let (cfg, ty) = (cfg.clone(), ty.clone());
        tokio::spawn(async move {
            c.apply_resource_change(tf::apply_resource_change::Request {
                type_name: "prod_alerting".into(),
                prior_state: Some(dv(&Value::Null, &ty)),
                planned_state: Some(dv(&cfg, &ty)),
                config: Some(dv(&cfg, &ty)),
                planned_private: vec![],
                provider_meta: None,
            })
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !apply.is_finished(),
        "the apply must be stuck on the silent endpoint"
    );
    let t = Instant::now();
    c.stop_provider(tf::stop_provider::Request {})
        .await
        .unwrap();
    let resp = tokio::time::timeout(Duration::from_secs(1), apply)
        .await
        .expect("apply ends within 1 s")
        .unwrap()
        .unwrap()
        .into_inner();
    assert!(t.elapsed() < Duration::from_secs(1));
    assert!(
        resp.diagnostics
            .iter()
            .any(|d| d.detail.contains("asked the provider to stop")),
        "{:?}",
        resp.diagnostics
    );
}

#[tokio::test]
async fn debug_mode_prints_a_reattach_line_and_serves_plaintext() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let mut child = command(&[]).arg("--debug").spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let reattach = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(l) = lines.next_line().await.unwrap() {
            if let Some(v) = l.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
                return v.trim_end_matches('\'').to_string();
            }
        }
        panic!("no TF_REATTACH_PROVIDERS line");
    })
    .await
    .unwrap();
    let j: serde_json::Value = serde_json::from_str(&reattach).unwrap();
    let p = &j["registry.terraform.io/hardened/prod"];
    assert_eq!(p["ProtocolVersion"], 6);
    assert_eq!(p["Test"], true);
    let socket = p["Addr"]["String"].as_str().unwrap().to_string();
    let channel = tonic::transport::Endpoint::try_from("http://localhost")
        .unwrap()
        .connect_with_connector(tower::service_fn(move |_| {
            let s = socket.clone();
            async move {
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(
                    tokio::net::UnixStream::connect(s).await?,
                ))
            }
        }))
        .await
        .unwrap();
    let mut c = ProviderClient::new(channel.clone());
    assert!(c
        .get_provider_schema(tf::get_provider_schema::Request {})
        .await
        .is_ok());
    // One process serves many Terraform runs: Shutdown does not end it.
    let mut ctl = go_plugin::grpc_controller_client::GrpcControllerClient::new(channel);
    ctl.shutdown(go_plugin::Empty {}).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(child.try_wait().unwrap().is_none());
    child.kill().await.unwrap();
}
