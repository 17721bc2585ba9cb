//! `cargo xtask codegen [--check]`: the files generated from the workspace's data files.
//!
//! - `kling-errors/codes.json` (the error taxonomy) -> `kling-errors/src/generated.rs`, `CODES.md`;
//! - `kling-types/models.json` (every model's rules and prices) -> `kling-types/src/models/
//!   generated.rs`, `kling-types/MODELS.md`.
//!
//! Each data file is validated first (allowed values, unique names, known keys), so a typo fails
//! here with a message naming the entry, not later as a compile error or a silent rule.

mod codes;
mod models;

use std::fs;
use std::path::{Path, PathBuf};

/// Every generated file with the text it should hold.
fn render_all(root: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let mut outputs = codes::render_all(root)?;
    outputs.extend(models::render_all(root)?);
    Ok(outputs)
}

/// Regenerates (or, with `check`, verifies) every generated file.
pub(crate) fn run(root: &Path, check: bool) -> Result<(), String> {
    let outputs = render_all(root)?;
    let mut stale = Vec::new();
    for (path, text) in &outputs {
        let current = fs::read_to_string(path).unwrap_or_default();
        if current == *text {
            continue;
        }
        if check {
            stale.push(path.display().to_string());
        } else {
            fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
            println!("codegen: wrote {}", path.display());
        }
    }
    if !stale.is_empty() {
        return Err(format!(
            "generated files are stale (run `cargo xtask codegen`): {}",
            stale.join(", ")
        ));
    }
    if check {
        println!("codegen: {} files up to date", outputs.len());
    }
    Ok(())
}

/// `text` as a Rust string literal.
pub(crate) fn lit(text: &str) -> String {
    format!("{text:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same check as `cargo xtask codegen --check`: fails when a data file was edited
    /// without regenerating, or a generated file was edited by hand.
    #[test]
    fn generated_files_are_fresh() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("workspace root");
        for (path, expected) in render_all(root).expect("the data files render") {
            let actual = fs::read_to_string(&path).unwrap_or_default();
            assert!(
                actual == expected,
                "{} is stale: run `cargo xtask codegen`",
                path.display()
            );
        }
    }
}
