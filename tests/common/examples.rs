//! The project's modules and examples as users run them: copied into a scratch working directory.

use std::path::Path;

use super::env;
use super::tf::Tf;

/// A copy of `dir`'s `.tf` files in a scratch directory, module sources made absolute.
pub fn copy_config(dir: &Path) -> Tf {
    let tf = Tf::new("");
    std::fs::remove_file(tf.path().join("main.tf")).unwrap();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "tf") {
            let text = std::fs::read_to_string(&p).unwrap().replace(
                "source = \"../../modules/",
                &format!("source = \"{}/modules/", env::repo().display()),
            );
            std::fs::write(tf.path().join(p.file_name().unwrap()), text).unwrap();
        }
    }
    tf
}

/// An AMI and an ACM certificate in the local AWS: what the stack's examples ask for.
pub async fn image_and_certificate() -> (String, String) {
    let c = env::sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&c);
    let image = ec2
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .unwrap()
        .images
        .unwrap()
        .into_iter()
        .filter(|i| i.root_device_name.as_deref() == Some("/dev/xvda"))
        .find_map(|i| i.image_id)
        .unwrap();
    let cert = aws_sdk_acm::Client::new(&c)
        .request_certificate()
        .domain_name("shop.example.com")
        .send()
        .await
        .unwrap()
        .certificate_arn
        .unwrap();
    (image, cert)
}
