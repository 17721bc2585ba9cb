//! Where downloads go: one folder per job under the root chosen at start, and nowhere else. A
//! job id or a file name from a tool call or a server is never taken as a path as it is.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use rmcp::model::ContentBlock as Content;

/// The largest image sent back as image content (the agent sees it); larger ones are paths.
const MAX_INLINE_IMAGE: u64 = 1 << 20;

/// Whether `name` is one plain path segment: no separator, no leading dot, no control
/// characters, not too long.
fn plain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The folder of job `id` under `root`: the id itself when it is a plain name, else a name made
/// from its fingerprint.
pub(crate) fn job_dir(root: &Path, id: &str) -> PathBuf {
    if plain(id) {
        root.join(id)
    } else {
        root.join(format!(
            "job-{}",
            kling_core::fleet::fingerprint(id.as_bytes())
        ))
    }
}

/// Where file `name` of a job goes in `dir`, when the name is a plain one.
pub(crate) fn file_path(dir: &Path, name: &str) -> Option<PathBuf> {
    plain(name).then(|| dir.join(name))
}

/// A `file://` URI of `path` (made absolute).
pub(crate) fn file_uri(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    format!("file://{}", absolute.display())
}

/// The image at `path` as image content, when it is a small PNG, JPEG or WebP.
pub(crate) async fn small_image(path: &Path, bytes: u64) -> Option<Content> {
    let mime = match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        _ => return None,
    };
    if bytes > MAX_INLINE_IMAGE {
        return None;
    }
    let data = tokio::fs::read(path).await.ok()?;
    Some(Content::image(
        base64::engine::general_purpose::STANDARD.encode(data),
        mime,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_never_leave_the_root() {
        let root = Path::new("/downloads");
        assert_eq!(job_dir(root, "mcp-1a2b"), root.join("mcp-1a2b"));
        for hostile in ["../etc", "a/b", "..", ".hidden", "", "a\\b", "x\u{0}y"] {
            let dir = job_dir(root, hostile);
            assert_eq!(dir.parent(), Some(root), "{hostile:?} -> {dir:?}");
            assert!(
                dir.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with("job-")
            );
        }
        assert_eq!(file_path(root, "v.mp4"), Some(root.join("v.mp4")));
        assert_eq!(file_path(root, "../v.mp4"), None);
        assert_eq!(file_path(root, "/etc/passwd"), None);
    }
}
