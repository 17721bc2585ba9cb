//! Runs every example end to end, each against its own in-process kling-mock: the built
//! binaries (`CARGO_BIN_EXE_<name>`, built by cargo for this test), one test per example so
//! they run in parallel and fail one by one. `KLING_BASE_URL` is removed from their
//! environment, so this never reaches the real API. An example still running after
//! [`DEADLINE`] is killed; a failure shows the example's stderr and stdout.
//!
//! A guard checks that every file of `src/bin/` is run here, opens with a doc comment and has
//! its line in the README, so a new example cannot be forgotten.

use std::fs::File;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long one example may run.
const DEADLINE: Duration = Duration::from_secs(60);

/// Runs the example `name` (binary `exe`) and panics with its output unless it succeeds in time.
fn run(name: &str, exe: &str) {
    let dir = std::env::temp_dir()
        .join(format!("kling-examples-test-{}", std::process::id()))
        .join(name);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    // Output goes to files, not pipes: a chatty example cannot block on a full pipe.
    let (stdout, stderr) = (dir.join("stdout.txt"), dir.join("stderr.txt"));
    let mut child = Command::new(exe)
        .env_remove("KLING_BASE_URL")
        .env("KLING_EXAMPLES_OUT", dir.join("out"))
        .stdin(Stdio::null())
        .stdout(File::create(&stdout).expect("stdout file"))
        .stderr(File::create(&stderr).expect("stderr file"))
        .spawn()
        .unwrap_or_else(|e| panic!("example {name}: cannot start {exe}: {e}"));
    let started = Instant::now();
    let status: Option<ExitStatus> = loop {
        if let Some(status) = child.try_wait().expect("the example's status") {
            break Some(status);
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
    let report = |what: String| {
        format!(
            "example {name} {what}\n--- stderr ---\n{}\n--- stdout ---\n{}",
            read(&stderr),
            read(&stdout)
        )
    };
    match status {
        Some(status) if status.success() => {}
        Some(status) => panic!("{}", report(format!("failed ({status})"))),
        None => panic!(
            "{}",
            report(format!("was still running after {DEADLINE:?}: killed"))
        ),
    }
    let _ = std::fs::remove_dir_all(&dir);
    // The run's folder goes with its last example (it stays while any other is in it).
    let _ = dir.parent().map(std::fs::remove_dir);
}

macro_rules! examples {
    ($($name:ident),* $(,)?) => {
        /// Every example this test runs.
        const EXAMPLES: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                run(stringify!($name), env!(concat!("CARGO_BIN_EXE_", stringify!($name))));
            }
        )*
    };
}

examples!(
    text_to_video,
    image_to_video,
    images,
    audio,
    elements_and_voices,
    new_standard,
    runblob,
    webhook_receiver,
    custom_transport,
    fleet,
    dry_run,
    errors,
    account,
);

#[test]
fn every_example_is_run_documented_and_listed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(root.join("src/bin")).expect("src/bin") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a file name")
            .to_owned();
        let text = std::fs::read_to_string(&path).expect("the example's source");
        assert!(
            text.starts_with("//! "),
            "{name}: an example opens with its doc comment"
        );
        assert!(
            readme.contains(&format!("--bin {name}`")),
            "{name}: missing from README.md"
        );
        found.push(name);
    }
    found.sort();
    let mut listed: Vec<String> = EXAMPLES.iter().map(|s| (*s).to_owned()).collect();
    listed.sort();
    assert_eq!(
        found, listed,
        "src/bin/ and the examples! list of this test differ"
    );
}
