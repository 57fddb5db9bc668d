//! Writes the registry-style docs from the schemas (`cargo run --bin gen-docs`), or with `--check`
//! exits non-zero when the committed docs differ from what the code would generate.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let pages = match terraform_provider_prod::docs::all_pages(&repo) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("gen-docs: {e}");
            return ExitCode::from(1);
        }
    };
    let mut stale = Vec::new();
    for (rel, content) in &pages {
        let path = repo.join(rel);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == *content {
            continue;
        }
        if check {
            stale.push(rel.display().to_string());
            continue;
        }
        if let Some(dir) = path.parent() {
            if let Err(e) = std::fs::create_dir_all(dir) {
                eprintln!("gen-docs: creating {}: {e}", dir.display());
                return ExitCode::from(1);
            }
        }
        if let Err(e) = std::fs::write(&path, content) {
            eprintln!("gen-docs: writing {}: {e}", path.display());
            return ExitCode::from(1);
        }
        println!("wrote {}", rel.display());
    }
    if !stale.is_empty() {
        eprintln!("gen-docs: these docs are out of date; run `cargo run --bin gen-docs` and commit:\n  {}", stale.join("\n  "));
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
