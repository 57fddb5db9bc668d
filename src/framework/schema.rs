//! Schemas as the provider declares them, and the object type each one implies.

use super::types::Type;

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
    pub fn single_block(mut self, name: &str, block: Block) -> Block {
        self.blocks.push(NestedBlock {
            name: name.to_string(),
            nesting: Nesting::Single,
            block,
            min_items: 0,
            max_items: 1,
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

impl Schema {
    pub fn implied_type(&self) -> Type {
        self.block.implied_type()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
