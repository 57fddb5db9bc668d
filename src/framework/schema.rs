//! Schemas as the provider declares them, and the object type each one implies.

use super::decode::elements;
use super::diag::Diagnostics;
use super::path::AttrPath;
use super::types::Type;
use super::value::Value;

#[derive(Clone, Debug)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    pub description: String,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
}

#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub name: String,
    pub nesting: Nesting,
    pub block: Block,
    pub min_items: i64,
    pub max_items: i64,
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub write_only: bool,
}

impl Attribute {
    fn new(name: &str, ty: Type, description: &str) -> Attribute {
        Attribute {
            name: name.to_string(),
            ty,
            description: description.to_string(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
        }
    }
    pub fn required(name: &str, ty: Type, description: &str) -> Attribute {
        Attribute {
            required: true,
            ..Attribute::new(name, ty, description)
        }
    }
    pub fn optional(name: &str, ty: Type, description: &str) -> Attribute {
        Attribute {
            optional: true,
            ..Attribute::new(name, ty, description)
        }
    }
    /// Optional + Computed: unset, the provider fills it (a profile default, or what AWS reports).
    pub fn defaulted(name: &str, ty: Type, description: &str) -> Attribute {
        Attribute {
            optional: true,
            computed: true,
            ..Attribute::new(name, ty, description)
        }
    }
    pub fn computed(name: &str, ty: Type, description: &str) -> Attribute {
        Attribute {
            computed: true,
            ..Attribute::new(name, ty, description)
        }
    }
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }
    /// Write-only (Terraform 1.11+): the value arrives in the configuration only and is never
    /// stored; plan, apply and read must give it back null.
    pub fn write_only(mut self) -> Attribute {
        self.write_only = true;
        self
    }
}

impl Block {
    pub fn new(description: &str) -> Block {
        Block {
            description: description.to_string(),
            ..Default::default()
        }
    }
    pub fn attr(mut self, a: Attribute) -> Block {
        self.attributes.push(a);
        self
    }
    pub fn attrs(mut self, a: impl IntoIterator<Item = Attribute>) -> Block {
        self.attributes.extend(a);
        self
    }
    pub fn list_block(mut self, name: &str, block: Block) -> Block {
        self.blocks.push(NestedBlock {
            name: name.to_string(),
            nesting: Nesting::List,
            block,
            min_items: 0,
            max_items: 0,
        });
        self
    }
    pub fn list_blocks<'a>(self, blocks: impl IntoIterator<Item = (&'a str, Block)>) -> Block {
        blocks
            .into_iter()
            .fold(self, |b, (name, block)| b.list_block(name, block))
    }
    pub fn single_blocks<'a>(self, blocks: impl IntoIterator<Item = (&'a str, Block)>) -> Block {
        blocks
            .into_iter()
            .fold(self, |b, (name, block)| b.single_block(name, block))
    }
    pub fn single_block(mut self, name: &str, block: Block) -> Block {
        self.blocks.push(NestedBlock {
            name: name.to_string(),
            nesting: Nesting::Single,
            block,
            // Terraform requires MinItems == MaxItems (0 or 1) for SINGLE; 0/0 means optional.
            min_items: 0,
            max_items: 0,
        });
        self
    }

    /// The cty object type of a value conforming to this block.
    pub fn implied_type(&self) -> Type {
        let mut attrs: Vec<(String, Type)> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.ty.clone()))
            .collect();
        for b in &self.blocks {
            let obj = b.block.implied_type();
            let t = match b.nesting {
                Nesting::Single => obj,
                Nesting::List => Type::list(obj),
            };
            attrs.push((b.name.clone(), t));
        }
        Type::Object(attrs.into_iter().collect())
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
    pub fn nested(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.name == name)
    }
}

/// The `timeouts` block every resource has: `create`, `update`, `delete` as Terraform durations.
pub fn timeouts_block(default: &str) -> Block {
    let mut b = Block::new("Limits for each operation, as durations such as `30m` or `1h30m`.");
    for op in ["create", "update", "delete"] {
        b = b.attr(Attribute::optional(
            op,
            Type::String,
            &format!("How long {op} may take (default {default})."),
        ));
    }
    b
}

impl Block {
    /// The checks Terraform runs on every resource schema it loads (configschema InternalValidate);
    /// a schema failing them makes Terraform refuse the whole provider.
    pub fn internal_problems(&self, prefix: &str) -> Vec<String> {
        let mut out = Vec::new();
        let valid_name = |n: &str| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        for a in &self.attributes {
            let p = format!("{prefix}{}", a.name);
            if !valid_name(&a.name) {
                out.push(format!("{p}: invalid name"));
            }
            if !(a.optional || a.required || a.computed) {
                out.push(format!("{p}: must be optional, required or computed"));
            }
            if a.optional && a.required {
                out.push(format!("{p}: cannot be both optional and required"));
            }
            if a.computed && a.required {
                out.push(format!("{p}: cannot be both computed and required"));
            }
            if a.description.is_empty() {
                out.push(format!("{p}: has no description"));
            }
            if a.write_only && a.computed {
                out.push(format!("{p}: cannot be both write-only and computed"));
            }
        }
        for b in &self.blocks {
            let p = format!("{prefix}{}", b.name);
            if !valid_name(&b.name) {
                out.push(format!("{p}: invalid name"));
            }
            if b.nesting == Nesting::Single && (b.min_items != b.max_items || b.min_items > 1) {
                out.push(format!(
                    "{p}: SINGLE blocks need MinItems == MaxItems, 0 or 1"
                ));
            }
            if b.max_items != 0 && b.min_items > b.max_items {
                out.push(format!("{p}: MinItems above MaxItems"));
            }
            out.extend(b.block.internal_problems(&format!("{p}.")));
        }
        out
    }
}

impl Block {
    /// The paths of the write-only attributes `config` sets (not null), nested blocks included.
    pub fn write_only_set(&self, config: &Value, at: &AttrPath) -> Vec<AttrPath> {
        let mut out: Vec<AttrPath> = self
            .attributes
            .iter()
            .filter(|a| a.write_only && !config.get(&a.name).is_null())
            .map(|a| at.then_attr(&a.name))
            .collect();
        for b in &self.blocks {
            let here = at.then_attr(&b.name);
            match b.nesting {
                Nesting::Single => out.extend(b.block.write_only_set(config.get(&b.name), &here)),
                Nesting::List => {
                    for (i, item) in elements(config.get(&b.name)).iter().enumerate() {
                        out.extend(b.block.write_only_set(item, &here.then_index(i)));
                    }
                }
            }
        }
        out
    }
}

impl Schema {
    pub fn implied_type(&self) -> Type {
        self.block.implied_type()
    }

    /// What ValidateResourceConfig answers when the client cannot take write-only attributes
    /// (Terraform before 1.11 sends no `write_only_attributes_allowed`): an error on each one
    /// `config` sets. With the capability, nothing.
    pub fn write_only_refused(&self, config: &Value, allowed: bool) -> Diagnostics {
        let mut d = Diagnostics::new();
        if allowed {
            return d;
        }
        for path in self.block.write_only_set(config, &AttrPath::root()) {
            let name = path.to_string();
            d.error_at(
                path,
                "Write-only argument needs Terraform 1.11",
                format!("{name} is write-only: Terraform 1.11 or later passes it to the provider without storing it, and this client did not say it can. Upgrade Terraform to 1.11 or later, or remove {name}."),
            );
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_only_arguments_are_refused_only_without_the_capability() {
        let schema = Schema {
            version: 0,
            block: Block::new("x")
                .attr(Attribute::required("name", Type::String, "n"))
                .attr(Attribute::optional("secret_wo", Type::String, "s").write_only())
                .list_block(
                    "item",
                    Block::new("i")
                        .attr(Attribute::optional("key_wo", Type::String, "k").write_only()),
                ),
        };
        let item = |v: Value| Value::Map([("key_wo".to_string(), v)].into());
        let config = |secret: Value, items: Vec<Value>| {
            Value::Map(
                [
                    ("name".to_string(), Value::string("a")),
                    ("secret_wo".to_string(), secret),
                    ("item".to_string(), Value::List(items)),
                ]
                .into(),
            )
        };
        // (case, configuration, capability, the paths refused)
        let cases = [
            (
                "unset, old client",
                config(Value::Null, vec![item(Value::Null)]),
                false,
                vec![],
            ),
            (
                "set, Terraform 1.11",
                config(Value::string("s"), vec![item(Value::string("k"))]),
                true,
                vec![],
            ),
            (
                "set, old client",
                config(Value::string("s"), vec![]),
                false,
                vec!["secret_wo"],
            ),
            (
                "unknown, old client",
                config(Value::unknown(), vec![]),
                false,
                vec!["secret_wo"],
            ),
            (
                "nested, old client",
                config(
                    Value::Null,
                    vec![item(Value::Null), item(Value::string("k"))],
                ),
                false,
                vec!["item[1].key_wo"],
            ),
        ];
        for (case, cfg, allowed, want) in cases {
            let d = schema.write_only_refused(&cfg, allowed);
            let got: Vec<String> = d
                .iter()
                .map(|x| x.path.as_ref().map(|p| p.to_string()).unwrap_or_default())
                .collect();
            assert_eq!(got, want, "{case}");
            for x in d.iter() {
                assert!(x.detail.contains("Terraform 1.11"), "{case}: {}", x.detail);
            }
        }
    }

    #[test]
    fn implied_type_includes_blocks() {
        let b = Block::new("x")
            .attr(Attribute::required("name", Type::String, "n"))
            .list_block(
                "alarm",
                Block::new("a").attr(Attribute::required("threshold", Type::Number, "t")),
            )
            .single_block(
                "timeouts",
                Block::new("t").attr(Attribute::optional("create", Type::String, "c")),
            );
        assert_eq!(
            b.implied_type(),
            Type::object([
                ("name", Type::String),
                (
                    "alarm",
                    Type::list(Type::object([("threshold", Type::Number)]))
                ),
                ("timeouts", Type::object([("create", Type::String)])),
            ])
        );
    }
}
