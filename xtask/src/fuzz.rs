//! `cargo xtask fuzz [--seconds N] [--parallel P] [--target NAME] [--minimize]`: every
//! cargo-fuzz target under `fuzz/` for N seconds each (nightly and cargo-fuzz needed: `cargo
//! install cargo-fuzz`), then a table of executions and findings per target. Corpora grow in
//! `fuzz/corpus/<target>/`; `--minimize` shrinks them (`cargo fuzz cmin`) before they are
//! committed; a crash is saved under `fuzz/artifacts/<target>/` and belongs, once fixed, in
//! `fuzz/regressions/<target>/` (replayed by `kling-test-support`'s tests on stable).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// What one target's run gave.
#[derive(Debug, Default)]
struct Outcome {
    runs: u64,
    seconds: f64,
    crashed: bool,
    corpus: usize,
}

fn nightly_cargo() -> Command {
    let mut c = Command::new("cargo");
    c.arg("+nightly");
    c
}

/// The targets named in `fuzz/Cargo.toml`.
fn targets(root: &Path) -> Result<Vec<String>, String> {
    let manifest = std::fs::read_to_string(root.join("fuzz/Cargo.toml"))
        .map_err(|e| format!("fuzz/Cargo.toml: {e}"))?;
    Ok(manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|n| *n != "kling-fuzz")
        .map(str::to_owned)
        .collect())
}

/// libFuzzer's final count of executions (`-print_final_stats=1`).
fn executions(stderr: &str) -> u64 {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
        .filter_map(|n| n.trim().parse().ok())
        .next_back()
        .unwrap_or(0)
}

fn spawn(root: &Path, target: &str, seconds: u64) -> Result<Child, String> {
    nightly_cargo()
        .current_dir(root)
        .args(["fuzz", "run", target, "--"])
        .arg(format!("-max_total_time={seconds}"))
        .args(["-print_final_stats=1", "-timeout=10", "-rss_limit_mb=2048"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cargo +nightly fuzz run {target}: {e}"))
}

fn finish(root: &Path, target: &str, child: Child, started: Instant) -> Result<Outcome, String> {
    let output = child
        .wait_with_output()
        .map_err(|e| format!("{target}: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let corpus = std::fs::read_dir(root.join("fuzz/corpus").join(target))
        .map(|d| d.count())
        .unwrap_or(0);
    let crashed = !output.status.success();
    if crashed {
        let tail: Vec<&str> = stderr.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        println!("--- {target} failed:\n{}", tail.join("\n"));
    }
    Ok(Outcome {
        runs: executions(&stderr),
        seconds: started.elapsed().as_secs_f64(),
        crashed,
        corpus,
    })
}

/// Runs the targets.
pub(crate) fn run(root: &Path, args: &[&str]) -> Result<(), String> {
    let mut seconds = 60u64;
    let mut parallel = 1usize;
    let mut only: Option<String> = None;
    let mut minimize = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .map(|v| (*v).to_owned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match *arg {
            "--seconds" => {
                seconds = value("--seconds")?
                    .parse()
                    .map_err(|_| "--seconds takes a whole number".to_owned())?;
            }
            "--parallel" => {
                parallel = value("--parallel")?
                    .parse::<usize>()
                    .map_err(|_| "--parallel takes a whole number".to_owned())?
                    .max(1);
            }
            "--target" => only = Some(value("--target")?),
            "--minimize" => minimize = true,
            other => return Err(format!("fuzz: unknown argument {other}")),
        }
    }
    let status = nightly_cargo()
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !status.is_ok_and(|s| s.success()) {
        return Err(
            "cargo-fuzz on the nightly toolchain is needed: `cargo install cargo-fuzz` \
             (and `rustup toolchain install nightly`)"
                .to_owned(),
        );
    }
    let mut names = targets(root)?;
    if let Some(only) = &only {
        names.retain(|n| n == only);
        if names.is_empty() {
            return Err(format!("no fuzz target named {only}"));
        }
    }
    println!("==> building {} fuzz targets (nightly)", names.len());
    let built = nightly_cargo()
        .current_dir(root)
        .args(["fuzz", "build"])
        .status()
        .map_err(|e| format!("cargo fuzz build: {e}"))?;
    if !built.success() {
        return Err("cargo fuzz build failed".to_owned());
    }
    let mut results: Vec<(String, Outcome)> = Vec::new();
    for batch in names.chunks(parallel) {
        println!("==> fuzzing {} for {seconds} s", batch.join(", "));
        let started = Instant::now();
        let children: Vec<(String, Child)> = batch
            .iter()
            .map(|t| spawn(root, t, seconds).map(|c| (t.clone(), c)))
            .collect::<Result<_, _>>()?;
        for (target, child) in children {
            let outcome = finish(root, &target, child, started)?;
            results.push((target, outcome));
        }
    }
    if minimize {
        for name in &names {
            println!("==> minimizing the corpus of {name}");
            let ok = nightly_cargo()
                .current_dir(root)
                .args(["fuzz", "cmin", name])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                return Err(format!("cargo fuzz cmin {name} failed"));
            }
        }
    }
    println!(
        "\n{:<20} {:>14} {:>8} {:>8}  result",
        "target", "executions", "seconds", "corpus"
    );
    for (target, o) in &results {
        println!(
            "{target:<20} {:>14} {:>8.0} {:>8}  {}",
            o.runs,
            o.seconds,
            o.corpus,
            if o.crashed {
                "CRASH (see fuzz/artifacts)"
            } else {
                "no finding"
            }
        );
    }
    let crashed: Vec<&str> = results
        .iter()
        .filter(|(_, o)| o.crashed)
        .map(|(t, _)| t.as_str())
        .collect();
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzzing found crashes in {}", crashed.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::executions;

    #[test]
    fn the_final_stats_give_the_executions() {
        let stderr =
            "#1 INITED\nstat::number_of_executed_units: 123456\nstat::average_exec_per_sec: 411\n";
        assert_eq!(executions(stderr), 123_456);
        assert_eq!(executions("nothing"), 0);
    }
}
