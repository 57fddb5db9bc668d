//! What the fuzz targets share: the schemas Terraform's values are decoded against (made once per
//! process), chosen by the input's first byte.

use std::sync::{Arc, OnceLock};

use terraform_provider_prod::framework::resource::Resource;
use terraform_provider_prod::framework::{Schema, Type};
use terraform_provider_prod::provider::ProviderData;

pub struct Target {
    pub name: String,
    pub schema: Schema,
    pub ty: Type,
    /// `None` for the provider block.
    pub resource: Option<Arc<dyn Resource<ProviderData>>>,
}

/// The provider block's schema and every resource's, in a fixed order (the seed corpora's first
/// byte indexes it).
pub fn targets() -> &'static [Target] {
    static T: OnceLock<Vec<Target>> = OnceLock::new();
    T.get_or_init(|| {
        let schema = terraform_provider_prod::provider::config::schema();
        let mut out = vec![Target {
            name: "provider".into(),
            ty: schema.implied_type(),
            schema,
            resource: None,
        }];
        for r in terraform_provider_prod::resources::all() {
            let schema = r.schema().clone();
            out.push(Target {
                name: r.type_name().into(),
                ty: schema.implied_type(),
                schema,
                resource: Some(r),
            });
        }
        out
    })
}

/// Splits an input into (target, rest).
pub fn pick(data: &[u8]) -> Option<(&'static Target, &[u8])> {
    let (first, rest) = data.split_first()?;
    let t = targets();
    Some((&t[*first as usize % t.len()], rest))
}
