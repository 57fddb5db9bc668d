//! The modules' own tests, run the ecosystem's way: `terraform test` in each module directory
//! (`modules/*/tests/*.tftest.hcl`): plan-only runs with a mocked provider check the wiring and the
//! validations, and the data tier's apply run makes real stores in the local AWS, which `terraform
//! test` destroys at the end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::examples::copy_config;
use common::{env, sweep};

/// `module`'s configuration and its `tests/` directory, copied into a scratch working directory.
fn module_with_tests(module: &str) -> common::tf::Tf {
    let dir = env::repo().join("modules").join(module);
    let tf = copy_config(&dir);
    let tests = tf.path().join("tests");
    std::fs::create_dir_all(&tests).unwrap();
    for e in std::fs::read_dir(dir.join("tests")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "hcl") {
            std::fs::copy(&p, tests.join(p.file_name().unwrap())).unwrap();
        }
    }
    tf
}

fn passed(out: &str, file: &Path) -> bool {
    let name = file.file_name().unwrap().to_str().unwrap();
    out.contains(&format!("tests/{name}... pass"))
}

#[test]
fn service_stack_terraform_test_plans_with_a_mocked_provider() {
    let tf = module_with_tests("service-stack");
    tf.init();
    let r = tf.run(&["test", "-no-color"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        passed(&r.stdout, Path::new("tests/plan.tftest.hcl")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("7 passed, 0 failed"), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn data_tier_terraform_test_plans_mocked_and_applies_for_real() {
    let c = env::sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&c);
    let (subnets, app) = env::vpc_with_app(&ec2, 94).await;
    let tf = module_with_tests("data-tier");
    tf.init();
    // The mocked plans: no variables from outside.
    let r = tf.run(&["test", "-no-color", "-filter=tests/plan.tftest.hcl"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        passed(&r.stdout, Path::new("tests/plan.tftest.hcl")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("6 passed, 0 failed"), "{}", r.stdout);
    // The real apply, in this run's own subnets and under a name of its own.
    let name = env::unique("tft");
    let name_var = format!("-var=name={name}");
    let subnet_var = format!("-var=subnet_ids={subnets:?}");
    let sg_var = format!("-var=allowed_security_group_ids=[\"{app}\"]");
    let r = tf.run(&[
        "test",
        "-no-color",
        "-filter=tests/apply.tftest.hcl",
        &name_var,
        &subnet_var,
        &sg_var,
    ]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        passed(&r.stdout, Path::new("tests/apply.tftest.hcl")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("1 passed, 0 failed"), "{}", r.stdout);
    // `terraform test` destroyed what the apply run made.
    let aws = sweep::aws().await;
    assert_eq!(aws.database(&name).await, Vec::<String>::new());
    assert_eq!(aws.redis(&name).await, Vec::<String>::new());
}
