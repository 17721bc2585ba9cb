//! What a command checks or writes on this machine: the download folder (before anything is
//! paid for) and the command that picks a task up again.

use std::path::Path;

use crate::output::CommandError;

/// The command that waits for a task of the legacy family created at `path`.
pub(crate) fn legacy_wait(path: &str) -> Result<impl Fn(&str) -> String + use<>, CommandError> {
    let family = kling_types::Family::at_path(path).ok_or_else(|| {
        CommandError::from(kling_errors::Error::from(kling_errors::InternalError::new(
            &format!("no legacy family creates at {path}"),
        )))
    })?;
    let name = family.name;
    Ok(move |id: &str| format!("kling task wait {name} {id}"))
}

/// Makes sure result files can be saved into `dir` (creating it), before anything is paid
/// for: a file in the way, a folder without write permission or a path under `/proc` fails
/// here, with nothing sent.
pub(crate) fn ready_dir(dir: &Path) -> Result<(), CommandError> {
    let fail = |e: std::io::Error| {
        CommandError::from(kling_errors::IoError::new(
            "prepare the --download folder",
            dir,
            e,
        ))
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    // Writable? A probe file, removed at once (its name cannot clash with a result's).
    let probe = dir.join(format!(".kling-probe-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(fail)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// `word` as one shell word: as is when it holds only safe characters, else single-quoted.
pub(super) fn shell_word(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_commands_quote_their_paths() {
        assert_eq!(shell_word("out/clips"), "out/clips");
        assert_eq!(shell_word("my clips"), "'my clips'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
