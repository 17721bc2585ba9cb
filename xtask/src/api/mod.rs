//! `cargo xtask api-check` (and a step of `cargo xtask ci`): no public signature of a published
//! crate names a type of a forbidden crate (`ARCHITECTURE.md`, "Invariants": upgrading reqwest
//! must never break our users).
//!
//! For each published crate (a workspace member whose `publish` is not `false`, with a library),
//! nightly rustdoc writes the crate's public API as JSON (`--output-format json`, hidden items
//! included: `#[doc(hidden)]` items are still callable). The walker starts at the crate's root
//! module and follows what a user can reach: modules, re-exports (`pub use`), functions and
//! methods (parameters, return types, generic bounds), structs' and enum variants' public
//! fields, type aliases, constants and statics, traits (supertraits, associated types, their
//! methods, their implementations) and the impls of every public type (the trait, the `for`
//! type, the bounds, the items), then every other impl rustdoc kept (`impl From<Ours> for
//! Theirs`: rustdoc keeps only impls a user can use). Every type path it meets is resolved to
//! its defining crate through the JSON's `paths` and `external_crates` tables; a path into a
//! forbidden crate is a violation naming the item and the foreign type. Impls that rustdoc synthesises (auto traits)
//! or copies from a blanket impl of another crate are not ours and are skipped.
//!
//! rustdoc's JSON changes between nightlies (`format_version`). The walker reads it as
//! `serde_json::Value`, accepts both spellings it knows of the fields it needs (`sig`/`decl`,
//! `path`/`name`, numeric/string ids), and fails loudly on a shape it does not know (an unknown
//! item kind, a function without a signature, a crate with functions but no type paths), so a
//! format change can never make the check pass by reading nothing.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

#[cfg(test)]
mod tests;
mod walk;

pub(crate) use walk::walk;

/// The crates whose types may never appear in a public signature (crate names as rustc spells
/// them, with underscores).
pub(crate) const FORBIDDEN: &[&str] = &[
    "reqwest",
    "ureq",
    "tokio",
    "axum",
    "redis",
    "rusqlite",
    "jsonwebtoken",
    "hyper",
    "http",
];

/// Where a forbidden crate is allowed all the same.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Allowance {
    /// The crate being checked (underscores).
    pub(crate) krate: &'static str,
    /// The foreign crate allowed there.
    pub(crate) foreign: &'static str,
    /// The top-level module (and its submodules) of `krate` where it is allowed.
    pub(crate) module: &'static str,
}

/// kling-core's `http` module (feature `http`) converts to and from the `http` crate's types.
pub(crate) const ALLOWED: &[Allowance] = &[Allowance {
    krate: "kling_core",
    foreign: "http",
    module: "http",
}];

/// Features checked in a second run, when the crate has them: the API they add is API too.
const EXTRA_FEATURES: &[(&str, &str)] = &[("kling-core", "http")];

/// The rustdoc JSON `format_version` this walker was written against and checked on (the
/// fixtures under `xtask/tests/fixtures/` were produced by it). Other versions are read with the
/// same rules; the shape checks below catch what they no longer match.
pub(crate) const TESTED_FORMAT: u64 = 57;

/// What the walker looks for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules<'a> {
    pub(crate) forbidden: &'a [&'a str],
    pub(crate) allowed: &'a [Allowance],
}

/// The rules of the architecture.
pub(crate) const RULES: Rules<'static> = Rules {
    forbidden: FORBIDDEN,
    allowed: ALLOWED,
};

/// One foreign type in one public item's signature.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Violation {
    /// The public item, as a user reaches it (`kling_redis::run_worker`,
    /// `<kling_errors::Error as From<reqwest::Error>>`).
    pub(crate) item: String,
    /// Where in it (`parameter `outcomes``, `return type`, `field type`, `re-export`, ...).
    pub(crate) place: String,
    /// The foreign type, by its defining path (`tokio::sync::mpsc::unbounded::UnboundedSender`).
    pub(crate) foreign: String,
    /// Its crate (`tokio`).
    pub(crate) krate: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} names {} (crate {})",
            self.item, self.place, self.foreign, self.krate
        )
    }
}

/// What a walk of one crate's JSON found.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// The JSON's `format_version`.
    pub(crate) format_version: u64,
    /// Items walked.
    pub(crate) items: usize,
    /// Type paths resolved to a crate.
    pub(crate) references: usize,
    /// What breaks the rule, sorted, each once.
    pub(crate) violations: Vec<Violation>,
}

/// Walks one crate's rustdoc JSON.
///
/// # Errors
///
/// A JSON whose shape the walker does not know (see the module docs).
/// A published workspace member.
#[derive(Debug)]
pub(crate) struct Published {
    /// As cargo spells it (`kling-core`).
    pub(crate) name: String,
    /// Its features (to run the extra ones it has).
    pub(crate) features: Vec<String>,
    /// Whether it has a library (a public API).
    pub(crate) has_lib: bool,
    /// Its `readme` file, relative to its manifest.
    pub(crate) readme: Option<String>,
}

/// The published workspace members (`publish = false` is `"publish": []` in `cargo metadata`)
/// and the target directory.
///
/// # Errors
///
/// `cargo metadata` failed.
pub(crate) fn published(root: &Path) -> Result<(Vec<Published>, PathBuf), String> {
    let output = crate::ci::cargo()
        .current_dir(root)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let meta: Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let target = meta
        .get("target_directory")
        .and_then(Value::as_str)
        .ok_or("cargo metadata: no target_directory")?;
    let members: HashSet<&str> = meta
        .get("workspace_members")
        .and_then(Value::as_array)
        .map(|m| m.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    for p in meta
        .get("packages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let id = p.get("id").and_then(Value::as_str).unwrap_or("");
        let unpublished = p
            .get("publish")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty);
        if !members.contains(id) || unpublished {
            continue;
        }
        let has_lib = p
            .get("targets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|t| {
                t.get("kind")
                    .and_then(Value::as_array)
                    .is_some_and(|k| k.iter().any(|k| k == "lib"))
            });
        out.push(Published {
            name: p
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            features: p
                .get("features")
                .and_then(Value::as_object)
                .map(|f| f.keys().cloned().collect())
                .unwrap_or_default(),
            has_lib,
            readme: p.get("readme").and_then(Value::as_str).map(str::to_owned),
        });
    }
    Ok((out, PathBuf::from(target)))
}

/// `cargo +nightly`, through rustup, whatever toolchain runs us (`$CARGO`, `$RUSTC` and
/// `$RUSTDOC` would point at it).
fn nightly_cargo() -> Command {
    let mut c = Command::new("cargo");
    c.arg("+nightly")
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC");
    c
}

/// Runs nightly rustdoc (JSON) on one crate and walks the result.
fn check_one(
    root: &Path,
    target: &Path,
    krate: &str,
    features: Option<&str>,
) -> Result<Report, String> {
    let json = target
        .join("doc")
        .join(format!("{}.json", krate.replace('-', "_")));
    let _ = std::fs::remove_file(&json);
    let mut c = nightly_cargo();
    c.current_dir(root)
        .args(["rustdoc", "--quiet", "-p", krate, "--lib"]);
    if root.join("Cargo.lock").is_file() {
        c.arg("--locked");
    }
    if let Some(f) = features {
        c.args(["--features", f]);
    }
    c.args([
        "--",
        "-Z",
        "unstable-options",
        "--output-format",
        "json",
        "--document-hidden-items",
        // Doc lints are the `doc` step's job: here they would only repeat it.
        "-A",
        "warnings",
    ]);
    let what = format!(
        "cargo +nightly rustdoc -p {krate}{} (JSON)",
        features
            .map(|f| format!(" --features {f}"))
            .unwrap_or_default()
    );
    let status = c.status().map_err(|e| {
        format!("{what}: could not start: {e} (the nightly toolchain is needed: `rustup toolchain install nightly`)")
    })?;
    if !status.success() {
        return Err(format!("{what} failed ({status})"));
    }
    let text = std::fs::read_to_string(&json)
        .map_err(|e| format!("{what}: cannot read {}: {e}", json.display()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", json.display()))?;
    walk(&doc, RULES).map_err(|e| format!("{krate}: {e}"))
}

/// Checks every published crate: `cargo xtask api-check`, and a step of `cargo xtask ci`.
///
/// # Errors
///
/// A foreign type in a public signature (each named), or a rustdoc run that failed.
pub(crate) fn check(root: &Path) -> Result<(), String> {
    println!("\n==> no foreign type in a public signature (nightly rustdoc JSON)");
    let (crates, target) = published(root)?;
    let crates: Vec<Published> = crates.into_iter().filter(|p| p.has_lib).collect();
    if crates.is_empty() {
        return Err("api-check: cargo metadata lists no published library".to_owned());
    }
    let mut problems = Vec::new();
    for p in &crates {
        let mut runs: Vec<Option<&str>> = vec![None];
        runs.extend(
            EXTRA_FEATURES
                .iter()
                .filter(|(c, f)| *c == p.name && p.features.iter().any(|x| x == f))
                .map(|(_, f)| Some(*f)),
        );
        for features in runs {
            let report = check_one(root, &target, &p.name, features)?;
            let label = match features {
                Some(f) => format!("{} (--features {f})", p.name),
                None => p.name.clone(),
            };
            if report.format_version != TESTED_FORMAT {
                println!(
                    "    note: rustdoc JSON format_version {} (checked against {TESTED_FORMAT})",
                    report.format_version
                );
            }
            if report.violations.is_empty() {
                println!(
                    "    {label}: ok ({} items, {} type paths)",
                    report.items, report.references
                );
            } else {
                println!("    {label}: {} violation(s)", report.violations.len());
                for v in &report.violations {
                    println!("      {v}");
                    let line = v.to_string();
                    if !problems.contains(&line) {
                        problems.push(line);
                    }
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "foreign types in public signatures ({}): {}",
            problems.len(),
            problems.join("; ")
        ))
    }
}
