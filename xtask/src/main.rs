//! Temporary entry point (the full one with `ci` and `bench` is being written).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod codegen;

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("root").to_path_buf();
    let check = std::env::args().any(|a| a == "--check");
    if let Err(e) = codegen::run(&root, check) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
