//! `cargo xtask bench`: runs `cargo bench` for the workspace members that have benchmarks.
//!
//! Benchmarks report ratios against a raw baseline measured in the same run: after each run
//! this prints, from divan's table, the median of every benchmark over the median of its
//! baseline — `X_baseline` for `X`, or the single `raw_*` / `baseline_*` row of the same file
//! for all the others.

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
        let output = command
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| format!("running cargo bench: {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        print!("{stdout}");
        if !output.status.success() {
            return Err(format!(
                "cargo bench -p {member} failed ({})",
                output.status
            ));
        }
        for line in ratios(&stdout) {
            println!("ratio: {line}");
        }
    }
    Ok(())
}

/// A duration as divan prints it (`333.3 µs`), in nanoseconds.
fn parse_duration(text: &str) -> Option<f64> {
    let mut words = text.split_whitespace();
    let value: f64 = words.next()?.parse().ok()?;
    let scale = match words.next()? {
        "ps" => 1e-3,
        "ns" => 1.0,
        "µs" | "us" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    };
    Some(value * scale)
}

/// `(name, median ns)` of each row of divan's table, grouped by benchmark file.
fn tables(output: &str) -> Vec<Vec<(String, f64)>> {
    let mut groups: Vec<Vec<(String, f64)>> = Vec::new();
    for line in output.lines() {
        if line.trim_start().starts_with("Running ") || groups.is_empty() {
            groups.push(Vec::new());
        }
        let trimmed = line.trim_start_matches(['│', '├', '╰', '─', ' ']);
        let columns: Vec<&str> = line.split('│').collect();
        if !(line.contains("├─") || line.contains("╰─")) || columns.len() < 4 {
            continue;
        }
        let name = trimmed
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        if let (Some(median), Some(group)) = (parse_duration(columns[2]), groups.last_mut()) {
            group.push((name, median));
        }
    }
    groups.retain(|g| !g.is_empty());
    groups
}

/// Whether a benchmark row is a baseline (`raw_*`, `baseline_*` or `*_baseline`).
fn is_baseline(name: &str) -> bool {
    name.starts_with("raw_") || name.starts_with("baseline_") || name.ends_with("_baseline")
}

/// `X / baseline = r×` for every benchmark with a baseline in its file.
fn ratios(output: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for group in tables(output) {
        let lone: Vec<&(String, f64)> = group.iter().filter(|(n, _)| is_baseline(n)).collect();
        for (name, median) in group.iter().filter(|(n, _)| !is_baseline(n)) {
            let paired = group.iter().find(|(n, _)| *n == format!("{name}_baseline"));
            let baseline = paired.or(if lone.len() == 1 { Some(lone[0]) } else { None });
            if let Some((base, base_median)) = baseline
                && *base_median > 0.0
            {
                lines.push(format!(
                    "{name} / {base} = {:.2}x (medians {:.1} ns / {:.1} ns)",
                    median / base_median,
                    median,
                    base_median
                ));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIVAN: &str = "     Running benches/loopback.rs (target/release/deps/loopback-1)
loopback         fastest       │ slowest       │ median        │ mean          │ samples │ iters
├─ client_get    239.9 µs      │ 481.1 µs      │ 290.7 µs      │ 306.3 µs      │ 60      │ 600
╰─ raw_ureq_get  150.2 µs      │ 596 µs        │ 212.5 µs      │ 223.2 µs      │ 60      │ 600
     Running benches/token.rs (target/release/deps/token-2)
token                        fastest       │ slowest       │ median        │ mean          │ samples │ iters
├─ cached_header             32.13 ns      │ 38.08 ns      │ 35 ns         │ 34.98 ns      │ 100     │ 6400
├─ cached_header_baseline    7.089 ns      │ 10.45 ns      │ 7 ns          │ 8.353 ns      │ 100     │ 25600
├─ fresh_mint                790.4 ns      │ 2.604 µs      │ 1 µs          │ 1.006 µs      │ 100     │ 100
╰─ fresh_mint_baseline       300.4 ns      │ 31.77 µs      │ 250 ns        │ 638.6 ns      │ 100     │ 100
";

    #[test]
    fn ratios_pair_each_benchmark_with_its_baseline() {
        let lines = ratios(DIVAN);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[0].starts_with("client_get / raw_ureq_get = 1.37x"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].starts_with("cached_header / cached_header_baseline = 5.00x"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].starts_with("fresh_mint / fresh_mint_baseline = 4.00x"),
            "{}",
            lines[2]
        );
    }
}
