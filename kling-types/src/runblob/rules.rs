//! The validation helpers the RunBlob creates share: RunBlob's error labels, the prompt
//! rules and the seeds' image rules.

use kling_errors::{RunBlobCode, ValidationError};

fn fail(field: &str, code: RunBlobCode, message: impl AsRef<str>) -> ValidationError {
    ValidationError::new(field, code, message.as_ref())
}

pub(super) fn ensure(
    ok: bool,
    field: &str,
    code: RunBlobCode,
    message: impl AsRef<str>,
) -> Result<(), ValidationError> {
    if ok {
        Ok(())
    } else {
        Err(fail(field, code, message))
    }
}

pub(super) fn prompt_rules(prompt: &str) -> Result<(), ValidationError> {
    let n = prompt.chars().count();
    ensure(
        (1..=2500).contains(&n) && !prompt.trim().is_empty(),
        "prompt",
        RunBlobCode::InvalidParameters,
        format!("must be 1 to 2500 characters, got {n}"),
    )
}

/// The seeds' image rule: URLs or base64, not both (how many: the models data).
pub(super) fn image_rules(
    urls: &[String],
    base64: &[String],
    url_field: &str,
) -> Result<(), ValidationError> {
    ensure(
        urls.is_empty() || base64.is_empty(),
        url_field,
        RunBlobCode::MixedImageInputs,
        format!("Cannot provide both images_base64 and {url_field}"),
    )
}
