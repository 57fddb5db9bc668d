//! The project's modules and examples as users run them: copied into a scratch working directory.

use std::path::Path;

use super::env;
use super::tf::Tf;

/// A copy of `dir` (a directory of the repository)'s `.tf` files at the same place of a scratch copy
/// of the repository's layout, so that its module sources resolve as they do in the repository.
pub fn copy_config(dir: &Path) -> Tf {
    let rel = dir.strip_prefix(env::repo()).unwrap().to_str().unwrap();
    let tf = Tf::in_repo_layout(rel, "");
    std::fs::remove_file(tf.path().join("main.tf")).unwrap();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "tf") {
            std::fs::copy(&p, tf.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    tf
}

/// `examples/<dir>` applied under a unique service name (prefix `prefix`) with the local AWS's image
/// and certificate, speaking as access key `key` if given (see `common::faults`), and its next plan
/// checked empty: the working directory, the variables it was applied with, and the stack's name
/// `<service>-<environment>`.
pub async fn applied_example(
    dir: &str,
    prefix: &str,
    environment: &str,
    key: Option<&str>,
) -> (Tf, Vec<String>, String) {
    let (image, cert) = image_and_certificate().await;
    let mut tf = copy_config(&env::repo().join("examples").join(dir));
    if let Some(key) = key {
        tf = tf.with_access_key(key);
    }
    let service = env::unique(prefix);
    let vars = vec![
        format!("-var=image_id={image}"),
        format!("-var=certificate_arn={cert}"),
        format!("-var=name={service}"),
    ];
    let args: Vec<&str> = vars.iter().map(String::as_str).collect();
    tf.init();
    tf.apply(&args);
    assert_eq!(tf.plan_code(&args).code, 0, "one apply converges");
    (tf, vars, format!("{service}-{environment}"))
}

/// An AMI and an ACM certificate in the local AWS: what the stack's examples ask for.
pub async fn image_and_certificate() -> (String, String) {
    image_and_certificate_in(&super::sweep::aws().await).await
}

/// The AMIs with the usual root device (`/dev/xvda`), as AWS lists them: the first is the one
/// the examples run, the others a new image to roll out.
pub async fn images(aws: &super::sweep::Aws) -> Vec<String> {
    aws.ec2
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .unwrap()
        .images
        .unwrap()
        .into_iter()
        .filter(|i| i.root_device_name.as_deref() == Some("/dev/xvda"))
        .filter_map(|i| i.image_id)
        .collect()
}

/// An AMI and an ACM certificate, through the given clients (another local AWS or identity).
pub async fn image_and_certificate_in(aws: &super::sweep::Aws) -> (String, String) {
    let image = images(aws).await.remove(0);
    let cert = aws
        .acm
        .request_certificate()
        .domain_name("shop.example.com")
        .send()
        .await
        .unwrap()
        .certificate_arn
        .unwrap();
    (image, cert)
}

/// Every resource in `terraform show -json` output, through all module levels.
pub fn all_resources(show: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    let mut modules = vec![&show["values"]["root_module"]];
    while let Some(m) = modules.pop() {
        out.extend(m["resources"].as_array().into_iter().flatten().cloned());
        modules.extend(m["child_modules"].as_array().into_iter().flatten());
    }
    out
}
