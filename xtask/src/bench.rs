//! `cargo xtask bench`: runs `cargo bench` for the workspace members that have benchmarks.
//!
//! Benchmarks report ratios against a raw baseline measured in the same run (see the
//! developers' guide); this command only finds and runs them.

use std::path::Path;
use std::process::Command;

/// Members with a `benches/` directory.
fn members_with_benches(root: &Path) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    let entries =
        std::fs::read_dir(root).map_err(|e| format!("reading {}: {e}", root.display()))?;
    for entry in entries.flatten() {
        let dir = entry.path();
        if dir.join("Cargo.toml").is_file() && dir.join("benches").is_dir() {
            found.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    found.sort();
    Ok(found)
}

/// Runs every benchmark, passing `extra` arguments through to the bench harness.
pub(crate) fn run(root: &Path, extra: &[&str]) -> Result<(), String> {
    let members = members_with_benches(root)?;
    if members.is_empty() {
        println!("bench: no crate has a benches/ directory; nothing to measure");
        return Ok(());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for member in members {
        println!("bench: {member}");
        let mut command = Command::new(&cargo);
        command.current_dir(root).args(["bench", "-p", &member]);
        if !extra.is_empty() {
            command.arg("--").args(extra);
        }
        let status = command
            .status()
            .map_err(|e| format!("running cargo bench: {e}"))?;
        if !status.success() {
            return Err(format!("cargo bench -p {member} failed ({status})"));
        }
    }
    Ok(())
}
