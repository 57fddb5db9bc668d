//! End to end: the provider function `provider::prod::profile(environment)` through real
//! `terraform`: a module reads a profile's defaults at plan time, and a bad environment is an error
//! on the call naming the accepted values.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::env;
use common::tf::Tf;

#[test]
fn profile_function_gives_defaults_at_plan_and_refuses_a_bad_environment() {
    let tf = Tf::new(&format!(
        r#"{provider}
locals {{
  production = provider::prod::profile("production")
}}
output "replicas" {{
  value = local.production.database.replicas
}}
output "development_nat_per_az" {{
  value = provider::prod::profile("development").network.nat_per_az
}}
output "cluster" {{
  value = local.production.cluster
}}
"#,
        provider = env::provider_block("development"),
    ));
    tf.init();
    let plan = tf.run(&["plan", "-no-color"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert!(plan.stdout.contains("replicas"), "{}", plan.stdout);
    tf.run(&["apply", "-auto-approve", "-no-color"]).ok();
    let out: serde_json::Value =
        serde_json::from_str(&tf.run(&["output", "-json"]).ok().stdout).unwrap();
    assert_eq!(out["replicas"]["value"], 2);
    assert_eq!(out["development_nat_per_az"]["value"], false);
    assert_eq!(out["cluster"]["value"]["min_size"], 3);
    assert_eq!(out["cluster"]["value"]["min_size_floor"], 2);
    assert_eq!(out["cluster"]["value"]["instance_type"], "m6i.large");

    tf.write(&format!(
        r#"{provider}
output "bad" {{
  value = provider::prod::profile("prod")
}}
"#,
        provider = env::provider_block("development"),
    ));
    let bad = tf.run(&["plan", "-no-color"]);
    assert_eq!(bad.code, 1, "{}", bad.all());
    let all = bad.all();
    assert!(all.contains("Error: Invalid function argument"), "{all}");
    assert!(
        all.contains("Invalid value for \"environment\" parameter: \"prod\" is not an environment"),
        "{all}"
    );
    assert!(
        all.contains("\"production\" (the default)."),
        "the accepted values, one full stop: {all}"
    );
    assert!(!all.contains(".."), "{all}");
}
