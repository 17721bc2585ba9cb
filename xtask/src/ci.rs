//! `cargo xtask ci`: every check CI runs, in order, stopping at the first failure.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// What the pure crates may never depend on: an HTTP library, an async runtime, a socket or
/// TLS layer, a database (`ARCHITECTURE.md`, "Invariants"). A custom transport needs only
/// `kling-core`.
const NO_IO: &[&str] = &[
    "reqwest",
    "ureq",
    "hyper",
    "hyper-util",
    "h2",
    "http-body",
    "tokio",
    "async-std",
    "smol",
    "async-io",
    "axum",
    "tower",
    "mio",
    "socket2",
    "curl",
    "isahc",
    "surf",
    "actix-web",
    "native-tls",
    "rustls",
    "openssl",
    "redis",
    "rusqlite",
    "libsqlite3-sys",
];
/// The crates that must stay pure.
const PURE_CRATES: &[&str] = &["kling-errors", "kling-types", "kling-auth", "kling-core"];
/// The blocking client may use an HTTP library, never tokio (`ARCHITECTURE.md`).
const BLOCKING_FORBIDDEN: &[&str] = &["tokio"];
/// The crate the rule above is about.
const BLOCKING_CLIENT: &str = "kling-client-blocking";

/// The cargo that runs us (`$CARGO`), or `cargo` from `PATH`.
pub(crate) fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// Runs a command in the workspace root; an error names it.
fn step(root: &Path, what: &str, mut command: Command) -> Result<(), String> {
    println!("\n==> {what}");
    let status = command
        .current_dir(root)
        .status()
        .map_err(|e| format!("{what}: could not start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// The runtime dependencies of `krate` (normal edges, every target), one package name each.
fn runtime_dependencies(root: &Path, krate: &str) -> Result<String, String> {
    let output = cargo()
        .current_dir(root)
        .args([
            "tree", "--quiet", "-p", krate, "-e", "normal", "--target", "all",
        ])
        .args(["--prefix", "none", "--format", "{p}"])
        .output()
        .map_err(|e| format!("cargo tree: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo tree -p {krate} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The forbidden packages that appear in a `cargo tree --prefix none --format {p}` listing
/// (one `name vX.Y.Z (...)` per line).
fn violations(tree: &str, forbidden: &[&str]) -> Vec<String> {
    let mut found: Vec<String> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| forbidden.contains(name))
        .map(str::to_owned)
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Checks the dependency rules of the architecture with `cargo tree`.
fn dependency_rules(root: &Path) -> Result<(), String> {
    println!("\n==> dependency rules (cargo tree)");
    let mut problems = Vec::new();
    let rules = PURE_CRATES
        .iter()
        .map(|c| (*c, NO_IO))
        .chain([(BLOCKING_CLIENT, BLOCKING_FORBIDDEN)]);
    for (krate, forbidden) in rules {
        let bad = violations(&runtime_dependencies(root, krate)?, forbidden);
        if bad.is_empty() {
            println!("    {krate}: ok");
        } else {
            problems.push(format!("{krate} depends on {}", bad.join(", ")));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("dependency rules broken: {}", problems.join("; ")))
    }
}

/// Packages every published crate (`cargo package --no-verify`, which reads the crates.io index
/// for the versions of dependencies, ours included through a local overlay): the manifests as
/// crates.io would see them, path dependencies with versions, no dev-dependency cycle between
/// published crates, each crate's README inside its package.
pub(crate) fn package(root: &Path) -> Result<(), String> {
    let (crates, _) = crate::api::published(root)?;
    let mut c = cargo();
    c.args(["package", "--no-verify", "--allow-dirty", "--quiet"]);
    for p in &crates {
        c.args(["-p", &p.name]);
    }
    step(root, "cargo package --no-verify (published crates)", c)?;
    let mut problems = Vec::new();
    for p in &crates {
        let output = cargo()
            .current_dir(root)
            .args([
                "package",
                "--list",
                "--allow-dirty",
                "--quiet",
                "-p",
                &p.name,
            ])
            .output()
            .map_err(|e| format!("cargo package --list: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "cargo package --list -p {} failed: {}",
                p.name,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        let listed = String::from_utf8_lossy(&output.stdout).into_owned();
        let files: Vec<&str> = listed.lines().map(str::trim).collect();
        match &p.readme {
            Some(readme) if !files.contains(&readme.as_str()) => {
                problems.push(format!("{}: its readme {readme} is not packaged", p.name));
            }
            None => problems.push(format!("{}: no readme in its manifest", p.name)),
            Some(_) => {}
        }
        // Each crate carries both license texts (links to the root's), as its license field
        // (MIT OR Apache-2.0) promises.
        for license in ["LICENSE-MIT", "LICENSE-APACHE"] {
            if !files.contains(&license) {
                problems.push(format!("{}: {license} is not packaged", p.name));
            }
        }
        println!("    {}: {} files", p.name, files.len());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("packaging: {}", problems.join("; ")))
    }
}

/// The tests of the fleet (kling-redis, `kling batch`) start a real `redis-server`: install
/// it from the system's packages when it is missing and we may (root with apt-get), as on CI.
fn ensure_redis_server() -> Result<(), String> {
    let present = || {
        Command::new("redis-server")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if present() {
        return Ok(());
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if root {
        println!("\n==> apt-get install -y redis-server (the fleet tests need it)");
        let install = || {
            Command::new("apt-get")
                .args(["install", "-y", "-q", "redis-server"])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status()
                .is_ok_and(|s| s.success())
        };
        if !install() {
            let _ = Command::new("apt-get").args(["update", "-q"]).status();
            install();
        }
    }
    if present() {
        Ok(())
    } else {
        Err(
            "redis-server is missing and could not be installed: `apt-get install redis-server` \
             (the kling-redis and `kling batch` tests start one)"
                .to_owned(),
        )
    }
}

/// Runs every check; returns the first failure.
pub(crate) fn run(root: &Path) -> Result<(), String> {
    let locked: &[&str] = if root.join("Cargo.lock").is_file() {
        &["--locked"]
    } else {
        &[]
    };
    let mut timings: Vec<(&str, Duration)> = Vec::new();
    let mut timed = |name: &'static str, check: &mut dyn FnMut() -> Result<(), String>| {
        let start = Instant::now();
        let result = check();
        timings.push((name, start.elapsed()));
        result
    };

    let outcome = (|| {
        timed("fmt", &mut || {
            let mut c = cargo();
            c.args(["fmt", "--all", "--", "--check"]);
            step(root, "cargo fmt --check", c)
        })?;
        timed("clippy", &mut || {
            let mut c = cargo();
            c.args(["clippy", "--workspace", "--all-targets"])
                .args(locked)
                .args(["--", "-D", "warnings"]);
            step(root, "cargo clippy -D warnings", c)
        })?;
        timed("test", &mut || {
            ensure_redis_server()?;
            let mut c = cargo();
            c.args(["test", "--workspace"]).args(locked);
            step(root, "cargo test --workspace", c)
        })?;
        timed("doc", &mut || {
            let mut c = cargo();
            c.args(["doc", "--workspace", "--no-deps"])
                .args(locked)
                .env("RUSTDOCFLAGS", "-D warnings");
            step(root, "cargo doc (warnings denied)", c)
        })?;
        timed("codegen", &mut || {
            println!("\n==> codegen --check");
            crate::codegen::run(root, true)
        })?;
        timed("deps", &mut || dependency_rules(root))?;
        timed("api", &mut || crate::api::check(root))?;
        timed("package", &mut || package(root))?;
        timed("matrix", &mut || crate::reliability::check(root))?;
        timed("bench", &mut || crate::bench::run(root, &["--smoke"]))
    })();

    println!("\nci: step timings");
    for (name, took) in &timings {
        println!("    {name:<8} {:>7.1} s", took.as_secs_f64());
    }
    match &outcome {
        Ok(()) => println!("ci: all checks passed"),
        Err(e) => println!("ci: FAILED: {e}"),
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLEAN: &str = "kling-errors v0.1.0 (/w/kling-errors)\nserde v1.0.229\nserde_derive v1.0.229 (proc-macro)\nserde_json v1.0.154\nthiserror v2.0.21\n";
    const DIRTY: &str = "kling-core v0.1.0 (/w/kling-core)\ntokio v1.54.0\nmio v1.0.0\ntokio v1.54.0\nhyperx v1.0.0\n";

    #[test]
    fn a_clean_tree_has_no_violations() {
        assert!(violations(CLEAN, NO_IO).is_empty());
    }

    #[test]
    fn forbidden_packages_are_named_once_and_prefixes_do_not_match() {
        assert_eq!(
            violations(DIRTY, NO_IO),
            vec!["mio".to_owned(), "tokio".to_owned()]
        );
        assert_eq!(
            violations(DIRTY, BLOCKING_FORBIDDEN),
            vec!["tokio".to_owned()]
        );
    }
}
