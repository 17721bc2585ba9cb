//! `RELIABILITY.md` against the spec: every row id of `reliability.md` section 7 has a row,
//! every row names tests for both clients (or says why one has none), and every named test
//! exists, as `cargo test -- --list` reports it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The spec, relative to the workspace root (the design notes sit beside the repository).
const SPEC: &str = "../shared/spec/reliability.md";
/// The map, at the workspace root.
const MAP: &str = "RELIABILITY.md";
/// The client crates, in the order of the map's columns.
const CLIENTS: [&str; 2] = ["kling-client-blocking", "kling-client-async"];

/// A test named in the map: which crate, which test binary (`lib` for unit tests), which
/// test path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TestRef {
    pub(crate) krate: String,
    pub(crate) binary: String,
    pub(crate) path: String,
}

/// A row of the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) id: String,
    /// Tests per client column; empty when the column says why there are none.
    pub(crate) clients: [Vec<TestRef>; 2],
    /// Whether a client column is empty on purpose (`—` with a reason).
    pub(crate) waived: [bool; 2],
    pub(crate) shared: Vec<TestRef>,
}

/// The row ids of the spec's section 7: `| T1 |`, `| S16 |`, ...
pub(crate) fn spec_ids(spec: &str) -> Vec<String> {
    let section = spec
        .split("\n## ")
        .find(|s| s.starts_with("7. "))
        .unwrap_or_default();
    section.lines().filter_map(row_id).collect()
}

/// The id of a table line whose first cell is a row id (a letter and digits).
fn row_id(line: &str) -> Option<String> {
    let cell = line.strip_prefix('|')?.split('|').next()?.trim();
    let mut chars = cell.chars();
    let first = chars.next()?;
    let ok = first.is_ascii_uppercase() && cell.len() >= 2 && chars.all(|c| c.is_ascii_digit());
    ok.then(|| cell.to_owned())
}

/// The backticked test names of a cell, each `binary::path` (in `default_crate`) or
/// `crate:binary::path`.
fn refs(cell: &str, default_crate: &str) -> Result<Vec<TestRef>, String> {
    let mut out = Vec::new();
    for (i, part) in cell.split('`').enumerate() {
        if i % 2 == 0 {
            continue;
        }
        let (krate, rest) = match part.split_once(':') {
            Some((k, r)) if !k.contains("::") && !r.starts_with(':') => (k, r),
            _ => (default_crate, part),
        };
        let (binary, path) = rest
            .split_once("::")
            .ok_or_else(|| format!("`{part}` is not binary::test"))?;
        if krate.is_empty() {
            return Err(format!("`{part}` names no crate"));
        }
        out.push(TestRef {
            krate: krate.to_owned(),
            binary: binary.to_owned(),
            path: path.to_owned(),
        });
    }
    Ok(out)
}

/// The rows of the map.
pub(crate) fn parse_map(map: &str) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for line in map.lines() {
        let Some(id) = row_id(line) else { continue };
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
        if cells.len() != 5 {
            return Err(format!("row {id}: 5 cells expected, found {}", cells.len()));
        }
        let mut clients: [Vec<TestRef>; 2] = Default::default();
        let mut waived = [false; 2];
        for (c, krate) in CLIENTS.iter().enumerate() {
            let cell = cells[2 + c];
            clients[c] = refs(cell, krate).map_err(|e| format!("row {id}: {e}"))?;
            waived[c] = clients[c].is_empty() && cell.trim().starts_with('—');
        }
        let shared = refs(cells[4], "").map_err(|e| format!("row {id}: {e}"))?;
        rows.push(Row {
            id,
            clients,
            waived,
            shared,
        });
    }
    Ok(rows)
}

/// What is wrong with `rows` against the spec's `ids`, before asking cargo about tests.
pub(crate) fn problems(ids: &[String], rows: &[Row]) -> Vec<String> {
    let mut problems = Vec::new();
    let mapped: BTreeSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    for id in ids {
        if !mapped.contains(id.as_str()) {
            problems.push(format!("{id} has no row in {MAP}"));
        }
    }
    for row in rows {
        if !ids.contains(&row.id) {
            problems.push(format!("{MAP} has a row {} the spec does not", row.id));
        }
        for (c, krate) in CLIENTS.iter().enumerate() {
            if row.clients[c].is_empty() && !row.waived[c] {
                problems.push(format!("{}: no test named for {krate}", row.id));
            }
        }
    }
    problems
}

/// The test executables of the workspace, by (crate, binary): `lib` for unit tests, the
/// file name for integration tests. Built with the same flags as the test step, so nothing
/// is rebuilt.
fn executables(root: &Path) -> Result<BTreeMap<(String, String), String>, String> {
    let mut c = crate::ci::cargo();
    c.current_dir(root)
        .args(["test", "--workspace", "--no-run", "--message-format=json"]);
    if root.join("Cargo.lock").is_file() {
        c.arg("--locked");
    }
    let output = c
        .output()
        .map_err(|e| format!("cargo test --no-run: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo test --no-run failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let mut found = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let Some(executable) = message["executable"].as_str() else {
            continue;
        };
        let kinds = message["target"]["kind"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let kind = kinds.first().and_then(|k| k.as_str()).unwrap_or_default();
        // "path+file:///w/kling-core#0.1.0" or "kling-core 0.1.0 (path+file:///w)".
        let id = message["package_id"].as_str().unwrap_or_default();
        let krate = id
            .rsplit('/')
            .next()
            .and_then(|tail| tail.split('#').next())
            .filter(|_| id.contains('#'))
            .or_else(|| id.split(' ').next())
            .unwrap_or_default();
        let binary = match kind {
            "lib" => "lib".to_owned(),
            "test" => message["target"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            _ => continue,
        };
        found.insert((krate.to_owned(), binary), executable.to_owned());
    }
    Ok(found)
}

/// The tests an executable lists (`<exe> --list`).
fn listed(executable: &str) -> Result<BTreeSet<String>, String> {
    let output = std::process::Command::new(executable)
        .arg("--list")
        .output()
        .map_err(|e| format!("{executable} --list: {e}"))?;
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_owned)
        .collect())
}

/// Runs the check.
pub(crate) fn check(root: &Path) -> Result<(), String> {
    println!("\n==> {MAP} against the spec");
    let map = std::fs::read_to_string(root.join(MAP)).map_err(|e| format!("{MAP}: {e}"))?;
    let rows = parse_map(&map)?;
    let ids = match std::fs::read_to_string(root.join(SPEC)) {
        Ok(spec) => spec_ids(&spec),
        Err(_) => {
            // A checkout without the design notes: check what the map names, say so.
            println!("    (the spec is not at {SPEC}: checking the map's own rows)");
            rows.iter().map(|r| r.id.clone()).collect()
        }
    };
    let mut problems = problems(&ids, &rows);
    let mut wanted: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
    for row in &rows {
        for t in row.clients.iter().flatten().chain(&row.shared) {
            wanted
                .entry((t.krate.clone(), t.binary.clone()))
                .or_default()
                .push((row.id.clone(), t.path.clone()));
        }
    }
    let built = executables(root)?;
    for ((krate, binary), tests) in &wanted {
        let Some(executable) = built.get(&(krate.clone(), binary.clone())) else {
            problems.push(format!("no test binary {binary} in {krate}"));
            continue;
        };
        let have = listed(executable)?;
        for (id, path) in tests {
            if !have.contains(path) {
                problems.push(format!("{id}: no test {krate} {binary}::{path}"));
            }
        }
    }
    if problems.is_empty() {
        println!(
            "    {} rows, {} test binaries: ok",
            rows.len(),
            wanted.len()
        );
        Ok(())
    } else {
        Err(format!("{MAP}: {}", problems.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_SAMPLE: &str = "# x\n## 6. before\n| T9 | no |\n## 7. Test matrix\n| # | a |\n|---|---|\n| T1 | refused |\n| S16 | x |\n## 8. after\n| Q1 | no |\n";

    #[test]
    fn the_spec_ids_come_from_section_7_only() {
        assert_eq!(spec_ids(SPEC_SAMPLE), ["T1", "S16"]);
    }

    #[test]
    fn rows_name_tests_per_column_and_problems_are_found() {
        let map = "| ID | f | b | a | s |\n|---|---|---|---|---|\n\
            | T1 | x | `matrix::t1`, `loopback::x` | `matrix::t1` | `kling-core:lib::retry::t` |\n\
            | S16 | y | — (none) | | |\n";
        let rows = parse_map(map).unwrap();
        assert_eq!(rows[0].clients[0].len(), 2);
        assert_eq!(rows[0].clients[1][0].krate, "kling-client-async");
        assert_eq!(rows[0].shared[0].krate, "kling-core");
        assert_eq!(rows[0].shared[0].binary, "lib");
        assert_eq!(rows[0].shared[0].path, "retry::t");
        let ids = vec!["T1".to_owned(), "S16".to_owned(), "P1".to_owned()];
        let found = problems(&ids, &rows);
        assert_eq!(
            found,
            [
                "P1 has no row in RELIABILITY.md",
                "S16: no test named for kling-client-async"
            ]
        );
        assert!(parse_map("| T1 | only | three |\n").is_err());
    }
}
