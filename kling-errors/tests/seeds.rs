//! Every code of the four seed documents (`../shared/seeds/`) and of the gateway spec exists in
//! the taxonomy, with the HTTP status the documents give it.
//!
//! The seeds live beside the repository, not in it. When they are absent (a clone on its own)
//! the test says so and passes, unless `KLING_REQUIRE_SEEDS` is set, which makes their absence
//! a failure.

#![allow(clippy::print_stderr)] // the skip notice

use std::fs;
use std::path::PathBuf;

use kling_errors::{Dialect, ErrorCode, PikzelsCode, RunBlobCode};

fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    if dir.join("seeds").is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("KLING_REQUIRE_SEEDS").is_none(),
        "KLING_REQUIRE_SEEDS is set but {} has no seeds",
        dir.display()
    );
    eprintln!("seed coverage skipped: {} not found", dir.display());
    None
}

/// The one seed file whose name starts with `prefix`.
fn seed(shared: &std::path::Path, prefix: &str) -> String {
    let entry = fs::read_dir(shared.join("seeds"))
        .expect("seeds dir")
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("no seed {prefix}*"));
    fs::read_to_string(entry.path()).expect("seed is UTF-8")
}

/// `(http status, code)` from the rows of a Markdown table whose first two cells are those.
fn table_rows(text: &str) -> Vec<(u16, String)> {
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let status = cells.get(1)?.parse().ok()?;
            Some((status, (*cells.get(2)?).to_owned()))
        })
        .collect()
}

/// `SCREAMING_SNAKE_CASE` words with an underscore, wherever they stand (the seeds glue words
/// together: `...per requestINVALID_DURATION`).
fn snake_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        // Drop a glued lowercase head: `requestINVALID_DURATION` -> `INVALID_DURATION`.
        let start = word
            .find(|c: char| c.is_ascii_uppercase())
            .unwrap_or(word.len());
        let token = &word[start..];
        if token.contains('_')
            && token
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && !out.iter().any(|t| t == token)
        {
            out.push(token.to_owned());
        }
    }
    out
}

/// Headings the RunBlob pages repeat on two lines and follow with the code's description:
/// codes (`INSUFFICIENT_CREDITS`) or titles (`Generation Not Found`), with their HTTP status
/// when the page gives one.
fn repeated_headings(text: &str) -> Vec<(String, Option<u16>)> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines
        .windows(3)
        .filter(|w| {
            w[0] == w[1] && (w[2].starts_with("HTTP Status:") || w[2].starts_with("Description:"))
        })
        .map(|w| {
            let status = w[2]
                .strip_prefix("HTTP Status: ")
                .and_then(|s| s.get(..3))
                .and_then(|s| s.parse().ok());
            (w[0].to_owned(), status)
        })
        .collect()
}

fn find(dialect: Dialect, text: &str) -> ErrorCode {
    let found: Vec<ErrorCode> = ErrorCode::lookup(text)
        .into_iter()
        .filter(|c| c.dialect() == dialect)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{dialect} code {text:?} should be in codes.json exactly once, found {found:?}"
    );
    found.into_iter().next().expect("one")
}

#[test]
fn kling_official_codes_seed_002() {
    let Some(shared) = shared_dir() else { return };
    let rows = table_rows(&seed(&shared, "002_"));
    assert_eq!(
        rows.len(),
        22,
        "seed 002 lists 22 service codes (0 and 1000-5002)"
    );
    for (status, code) in rows {
        let ours = find(Dialect::Kling, &code);
        assert_eq!(ours.http_status(), Some(status), "Kling {code}");
    }
}

#[test]
fn pikzels_codes_seed_003() {
    let Some(shared) = shared_dir() else { return };
    let rows = table_rows(&seed(&shared, "003_"));
    assert_eq!(rows.len(), 31, "seed 003 lists 31 codes");
    for (status, code) in rows {
        let ours = find(Dialect::Pikzels, &code);
        assert!(matches!(ours, ErrorCode::Pikzels(ref c) if !matches!(c, PikzelsCode::Unknown(_))));
        assert_eq!(ours.http_status(), Some(status), "Pikzels {code}");
    }
    assert_eq!(find(Dialect::Pikzels, "CANCELLED").http_status(), Some(499));
}

#[test]
fn runblob_codes_seeds_000_and_001() {
    let Some(shared) = shared_dir() else { return };
    let mut seen = Vec::new();
    for prefix in ["000_", "001_"] {
        let text = seed(&shared, prefix);
        for (heading, status) in repeated_headings(&text) {
            let ours = find(Dialect::RunBlob, &heading);
            if let Some(status) = status {
                assert_eq!(ours.http_status(), Some(status), "RunBlob {heading}");
            }
            seen.push(ours);
        }
        for token in snake_tokens(&text) {
            seen.push(find(Dialect::RunBlob, &token));
        }
    }
    seen.sort_by(|a, b| a.as_wire().cmp(&b.as_wire()));
    seen.dedup();
    // 000: 1 code + 3 titles; 001: 9 codes, 3 of them shared with 000.
    assert_eq!(seen.len(), 10, "{seen:?}");
}

/// Seed 000 names its webhook failure codes only in prose; each sentence is a known code.
#[test]
fn runblob_webhook_codes_named_in_prose_seed_000() {
    let Some(shared) = shared_dir() else { return };
    let text = seed(&shared, "000_");
    let sentences: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Webhook Error Codes"))
        .skip(2)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let expected: &[(&str, RunBlobCode)] = &[
        ("15-minute timeout", RunBlobCode::Timeout),
        (
            "violates usage policies",
            RunBlobCode::ContentPolicyViolation,
        ),
        ("system error", RunBlobCode::GenerationFailed),
        ("not valid or corrupted", RunBlobCode::InvalidImage),
        ("inaccessible", RunBlobCode::ImageInaccessible),
    ];
    assert_eq!(sentences.len(), expected.len(), "{sentences:?}");
    for sentence in sentences {
        let (_, code) = expected
            .iter()
            .find(|(words, _)| sentence.contains(words))
            .unwrap_or_else(|| panic!("no code for {sentence:?}"));
        let info = code.info().expect("known");
        assert!(
            info.http_status.is_none(),
            "{sentence}: a task/webhook code has no HTTP status"
        );
        // "(automatic refund)" in the sentence is the refund column.
        let refunded = sentence.contains("automatic refund");
        assert_eq!(
            info.refund == Some(kling_errors::Refund::Automatic),
            refunded,
            "{sentence}"
        );
    }
}

/// The gateway spec lists codes the seeds lost in extraction: all are known.
#[test]
fn codes_named_in_the_gateway_spec() {
    let Some(shared) = shared_dir() else { return };
    let spec = fs::read_to_string(shared.join("spec/gateways.md")).expect("gateways.md");
    let async_lines: Vec<&str> = spec
        .lines()
        .skip_while(|l| !l.contains("Async failure codes seen"))
        .take(2)
        .collect();
    assert!(
        !async_lines.is_empty(),
        "gateways.md lists the async failure codes"
    );
    for token in snake_tokens(&async_lines.join(" "))
        .into_iter()
        .chain(["TIMEOUT".to_owned(), "MAINTENANCE".to_owned()])
    {
        find(Dialect::RunBlob, &token);
    }
    let v1_line = spec
        .lines()
        .find(|l| l.contains("**v1 envelope** differs"))
        .expect("v1 line");
    let v1_next = spec
        .lines()
        .skip_while(|l| !l.contains("**v1 envelope** differs"))
        .nth(1)
        .unwrap_or("");
    for token in snake_tokens(&format!("{v1_line} {v1_next}")) {
        find(Dialect::Pikzels, &token);
    }
}
