//! The fuzz corpora (`fuzz/corpus/<target>/`) and the crashes fuzzing found
//! (`fuzz/regressions/<target>/`), replayed on stable through the same target bodies
//! (`kling_test_support::fuzz`): every input is handled without a panic and with the
//! targets' invariants.

use std::path::Path;

use kling_test_support::fuzz::TARGETS;

/// The files of `dir`, in a stable order (none when it does not exist).
fn inputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_input_is_handled() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut total = 0;
    for (name, target) in TARGETS {
        let corpus = inputs(&root.join("corpus").join(name));
        assert!(!corpus.is_empty(), "target {name} has no corpus");
        let regressions = inputs(&root.join("regressions").join(name));
        for (file, data) in corpus.iter().chain(&regressions) {
            let outcome = std::panic::catch_unwind(|| target(data));
            assert!(outcome.is_ok(), "{name}: input {file} panics");
            total += 1;
        }
    }
    assert!(total >= TARGETS.len());
}

#[test]
fn every_target_has_a_libfuzzer_entry_point() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    for (name, _) in TARGETS {
        assert!(
            root.join("fuzz_targets")
                .join(format!("{name}.rs"))
                .is_file()
                && manifest.contains(&format!("name = \"{name}\"")),
            "fuzz target {name} is not wired into fuzz/"
        );
    }
}
