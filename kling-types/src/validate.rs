//! Small checks shared by every request's `validate()`. Each failure is a
//! [`ValidationError`] with the code the server would answer (Kling `1201`) and the field.

use kling_errors::{KlingCode, ValidationError};

use crate::common::ImageInput;

/// A Kling `1201` validation error about `field`.
pub(crate) fn invalid(field: &str, message: impl AsRef<str>) -> ValidationError {
    ValidationError::new(field, KlingCode::InvalidParameter, message.as_ref())
}

/// Fails unless `ok`.
pub(crate) fn ensure(
    ok: bool,
    field: &str,
    message: impl AsRef<str>,
) -> Result<(), ValidationError> {
    if ok {
        Ok(())
    } else {
        Err(invalid(field, message))
    }
}

/// Text of at most `max` characters (the API counts characters, not bytes).
pub(crate) fn max_chars(
    field: &str,
    text: Option<&str>,
    max: usize,
) -> Result<(), ValidationError> {
    match text {
        Some(t) if t.chars().count() > max => Err(invalid(
            field,
            format!(
                "must be at most {max} characters, got {}",
                t.chars().count()
            ),
        )),
        _ => Ok(()),
    }
}

/// Required text: present, not blank, at most `max` characters.
pub(crate) fn required_text(field: &str, text: &str, max: usize) -> Result<(), ValidationError> {
    ensure(!text.trim().is_empty(), field, "is required")?;
    max_chars(field, Some(text), max)
}

/// A number within `[lo, hi]` (NaN fails).
pub(crate) fn range(
    field: &str,
    value: Option<f64>,
    lo: f64,
    hi: f64,
) -> Result<(), ValidationError> {
    match value {
        Some(v) if !(lo..=hi).contains(&v) => Err(invalid(
            field,
            format!("must be within [{lo}, {hi}], got {v}"),
        )),
        _ => Ok(()),
    }
}

/// An integer within `[lo, hi]`.
pub(crate) fn int_range(
    field: &str,
    value: Option<u32>,
    lo: u32,
    hi: u32,
) -> Result<(), ValidationError> {
    match value {
        Some(v) if !(lo..=hi).contains(&v) => Err(invalid(
            field,
            format!("must be within [{lo}, {hi}], got {v}"),
        )),
        _ => Ok(()),
    }
}

/// A list of at most `max` items.
pub(crate) fn max_items<T>(field: &str, items: &[T], max: usize) -> Result<(), ValidationError> {
    ensure(
        items.len() <= max,
        field,
        format!("takes at most {max} items, got {}", items.len()),
    )
}

/// An image input: a URL or raw base64 (a `data:` prefix was already stripped).
pub(crate) fn image(field: &str, image: Option<&ImageInput>) -> Result<(), ValidationError> {
    let Some(image) = image else { return Ok(()) };
    let text = image.as_str();
    ensure(!text.trim().is_empty(), field, "is empty")?;
    if image.is_url() {
        return ensure(
            !text.contains(char::is_whitespace),
            field,
            "is not a valid URL",
        );
    }
    ensure(
        !text.starts_with("data:"),
        field,
        "must be a URL or raw base64 without a `data:` prefix",
    )?;
    let base64 = text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\n' | b'\r'));
    ensure(base64, field, "must be a URL (http/https) or raw base64")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_name_the_field_and_code() {
        let e = max_chars("prompt", Some(&"é".repeat(2501)), 2500).unwrap_err();
        assert_eq!(e.field(), "prompt");
        assert_eq!(
            e.code(),
            &kling_errors::ErrorCode::Kling(KlingCode::InvalidParameter)
        );
        assert!(max_chars("prompt", Some(&"é".repeat(2500)), 2500).is_ok());
        assert!(range("cfg_scale", Some(f64::NAN), 0.0, 1.0).is_err());
        assert!(image("image", Some(&ImageInput::new("not base64!"))).is_err());
        assert!(image("image", Some(&ImageInput::new("iVBORw0KGgo="))).is_ok());
        assert!(image("image", Some(&ImageInput::new("https://e.com/a.png"))).is_ok());
        assert!(image("image", Some(&ImageInput::new(""))).is_err());
    }
}
