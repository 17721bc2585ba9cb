//! Result files: which URLs a finished task produced, and the file names they are saved
//! under. Names come partly from the server (ids), so they are made safe here, once: only
//! `[A-Za-z0-9._-]`, no leading dot or dash, bounded, never a device name, unique within the
//! task, with a fallback when nothing usable is left. A server-given id never chooses a path.

use std::collections::HashSet;

use kling_types::Task;
use kling_types::runblob::Generation;
use kling_types::standard;

/// What a result file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileKind {
    /// A video.
    Video,
    /// An image.
    Image,
    /// An audio track.
    Audio,
    /// A result of a type this version does not know.
    Other,
}

impl FileKind {
    /// The kind in words, lowercase: `video`, `image`, `audio` or `other` (what JSON output
    /// and logs show).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Video => "video",
            Self::Image => "image",
            Self::Audio => "audio",
            Self::Other => "other",
        }
    }

    /// The extension used when the URL names none this kind may have.
    fn default_extension(self) -> &'static str {
        match self {
            Self::Video => "mp4",
            Self::Image => "png",
            Self::Audio => "mp3",
            Self::Other => "bin",
        }
    }

    /// Extensions a URL may give this kind.
    fn accepts(self, extension: &str) -> bool {
        let known: &[&str] = match self {
            Self::Video => &["mp4", "mov", "webm", "mkv"],
            Self::Image => &["png", "jpg", "jpeg", "webp", "gif"],
            Self::Audio => &["mp3", "wav", "m4a", "aac", "ogg", "flac"],
            Self::Other => &[
                "mp4", "mov", "webm", "png", "jpg", "jpeg", "webp", "mp3", "wav", "m4a",
            ],
        };
        known.contains(&extension)
    }
}

impl std::fmt::Display for FileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialized as [`as_str`](FileKind::as_str) gives it.
impl serde::Serialize for FileKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A result file of a finished task: where to fetch it and the name to save it under.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct ResultFile {
    /// What it holds.
    pub kind: FileKind,
    /// The download URL (as the server gave it; the download checks it is http(s)).
    pub url: String,
    /// A safe file name: `<video id>.mp4`, `<task id>-<n>.png` (`<task id>-<kind>.png` for an
    /// image recognize segmentation: `object_seg`, `head_seg`, ...), `<audio id>.wav`, ...,
    /// `-watermarked` before the extension for watermarked copies.
    pub file_name: String,
    /// Whether this is the watermarked copy.
    pub watermarked: bool,
}

/// The longest stem kept from a server-given id.
const MAX_STEM: usize = 64;

/// Names Windows reserves whatever the extension.
const DEVICE_NAMES: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Whether `name` is a name [`ResultFile::file_name`] could be: ASCII letters, digits, `.`,
/// `_` and `-`, no leading dot or dash, at most 100 bytes, not a device name. A name read back
/// from storage (a job store) is checked with it before it becomes a path.
pub fn is_safe_file_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    !name.is_empty()
        && name.len() <= 100
        && !name.starts_with(['.', '-'])
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && !DEVICE_NAMES.iter().any(|d| d.eq_ignore_ascii_case(stem))
}

/// The longest image kind kept in a file name (Kling's are at most 10 bytes).
const MAX_LABEL: usize = 32;

/// Whether a server-given label (an image's `type`) may go into a file name as it is: short,
/// ASCII letters, digits and `_` only, starting with a letter (so it never passes for an
/// index, a dot file or an option). Anything else is hostile or unknown: the index is used.
fn is_plain_label(label: &str) -> bool {
    label.len() <= MAX_LABEL
        && label.starts_with(|c: char| c.is_ascii_alphabetic())
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `raw` (server text) made into a safe file stem, or `fallback` when nothing usable is left.
fn safe_stem(raw: &str, fallback: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut stem: String = cleaned
        .trim_start_matches(['.', '-'])
        .trim_end_matches('.')
        .chars()
        .take(MAX_STEM)
        .collect();
    if stem.chars().all(|c| c == '_') {
        stem = fallback.to_owned();
    }
    let device = stem.split('.').next().unwrap_or_default();
    if DEVICE_NAMES.iter().any(|d| d.eq_ignore_ascii_case(device)) {
        stem.insert(0, '_');
    }
    stem
}

/// The extension of the URL's last path segment, when it is one `kind` may have.
fn url_extension(url: &str, kind: FileKind) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let last = path.rsplit('/').next().unwrap_or_default();
    let (_, extension) = last.rsplit_once('.')?;
    let extension = extension.to_ascii_lowercase();
    kind.accepts(&extension).then_some(extension)
}

/// Collects the files of one task, making every name unique.
#[derive(Default)]
struct Collector {
    files: Vec<ResultFile>,
    names: HashSet<String>,
}

impl Collector {
    /// Adds `url` (skipped when empty or absent) as `<stem>[-watermarked].<ext>`.
    fn add(
        &mut self,
        kind: FileKind,
        url: Option<&str>,
        stem: &str,
        fallback: &str,
        watermarked: bool,
    ) {
        let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
            return;
        };
        let mut stem = safe_stem(stem, fallback);
        if watermarked {
            stem.push_str("-watermarked");
        }
        let extension =
            url_extension(url, kind).unwrap_or_else(|| kind.default_extension().to_owned());
        let mut file_name = format!("{stem}.{extension}");
        let mut n = 1;
        while !self.names.insert(file_name.to_ascii_lowercase()) {
            n += 1;
            file_name = format!("{stem}-{n}.{extension}");
        }
        self.files.push(ResultFile {
            kind,
            url: url.to_owned(),
            file_name,
            watermarked,
        });
    }

    /// A file and its watermarked copy.
    fn add_pair(
        &mut self,
        kind: FileKind,
        url: Option<&str>,
        watermark_url: Option<&str>,
        stem: &str,
        fallback: &str,
    ) {
        self.add(kind, url, stem, fallback, false);
        self.add(kind, watermark_url, stem, fallback, true);
    }
}

/// A legacy task's files: videos, images then series images, audios (mp3, wav, TTS).
pub(super) fn legacy(task: &Task) -> Vec<ResultFile> {
    let r = &task.task_result;
    let mut out = Collector::default();
    for (i, v) in r.videos.iter().enumerate() {
        let fallback = format!("video-{i}");
        out.add_pair(
            FileKind::Video,
            Some(&v.url),
            v.watermark_url.as_deref(),
            &v.id,
            &fallback,
        );
    }
    for (i, image) in r.images.iter().chain(&r.series_images).enumerate() {
        // An image recognize result is named by its segmentation (`<task>-object_seg.png`),
        // so the four files say what they hold; anything else by its position.
        let label = image
            .kind
            .as_deref()
            .filter(|k| is_plain_label(k))
            .map_or_else(|| i.to_string(), str::to_owned);
        let (stem, fallback) = (
            format!("{}-{label}", task.task_id),
            format!("image-{label}"),
        );
        out.add_pair(
            FileKind::Image,
            Some(&image.url),
            image.watermark_url.as_deref(),
            &stem,
            &fallback,
        );
        // AI Multi-Shot: a set of three views in place of `url`.
        for (v, url) in image.views().enumerate() {
            let view = v + 1;
            out.add(
                FileKind::Image,
                Some(url),
                &format!("{stem}-view{view}"),
                &format!("{fallback}-view{view}"),
                false,
            );
        }
    }
    for (i, a) in r.audios.iter().enumerate() {
        let fallback = format!("audio-{i}");
        for url in [&a.url_mp3, &a.url_wav, &a.url] {
            out.add(FileKind::Audio, url.as_deref(), &a.id, &fallback, false);
        }
    }
    out.files
}

/// A new-standard task's files: each output by its type (voices' trial URLs and elements are
/// not files of the task).
pub(super) fn standard(task: &standard::Task) -> Vec<ResultFile> {
    let mut out = Collector::default();
    for (i, o) in task.outputs.iter().enumerate() {
        let indexed = format!("{}-{i}", task.id);
        let stem = o.id.as_deref().unwrap_or(&indexed);
        let fallback = format!("output-{i}");
        match o.kind.as_str() {
            "video" => out.add_pair(
                FileKind::Video,
                o.url.as_deref(),
                o.watermark_url.as_deref(),
                stem,
                &fallback,
            ),
            "image" => out.add_pair(
                FileKind::Image,
                o.url.as_deref(),
                o.watermark_url.as_deref(),
                &indexed,
                &fallback,
            ),
            "audio" => {
                for url in [&o.mp3_url, &o.wav_url] {
                    out.add(FileKind::Audio, url.as_deref(), stem, &fallback, false);
                }
            }
            "voice" | "element" => {}
            _ => out.add_pair(
                FileKind::Other,
                o.url.as_deref(),
                o.watermark_url.as_deref(),
                stem,
                &fallback,
            ),
        }
    }
    out.files
}

/// A RunBlob generation's file: its video or its image.
pub(super) fn generation(g: &Generation) -> Vec<ResultFile> {
    let mut out = Collector::default();
    out.add(
        FileKind::Video,
        g.video_url.as_deref(),
        &g.generation_id,
        "video",
        false,
    );
    out.add(
        FileKind::Image,
        g.image_url.as_deref(),
        &g.generation_id,
        "image",
        false,
    );
    out.files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::TaskView;

    fn names(files: &[ResultFile]) -> Vec<&str> {
        files.iter().map(|f| f.file_name.as_str()).collect()
    }

    #[test]
    fn stored_names_are_checked_again() {
        for good in ["v1.mp4", "7-0.jpg", "a_b-c.wav"] {
            assert!(is_safe_file_name(good), "{good}");
        }
        for bad in [
            "", "../x.mp4", ".hidden", "-rf", "a/b.mp4", "a\\b", "CON.mp4", "é.mp4",
        ] {
            assert!(!is_safe_file_name(bad), "{bad}");
        }
        assert!(!is_safe_file_name(&"a".repeat(101)));
    }

    #[test]
    fn legacy_results_of_every_kind() {
        let task: Task = serde_json::from_str(
            r#"{"task_id":"7","task_status":"succeed","task_result":{
                "videos":[{"id":"v1","url":"https://c/v.mp4","watermark_url":"https://c/v-w.mp4"},{"id":"v2","url":""}],
                "images":[{"index":0,"url":"https://c/a.JPG?sig=1"}],"series_images":[{"index":0,"url":"https://c/b"}],
                "audios":[{"id":"a1","url_mp3":"https://c/a.mp3","url_wav":"https://c/a.wav"},{"id":"t1","url":"https://c/tts"}]}}"#,
        )
        .unwrap();
        let files = task.result_files();
        assert_eq!(
            names(&files),
            [
                "v1.mp4",
                "v1-watermarked.mp4",
                "7-0.jpg",
                "7-1.png",
                "a1.mp3",
                "a1.wav",
                "t1.mp3"
            ]
        );
        assert!(files[1].watermarked && !files[0].watermarked);
        assert_eq!(files[4].kind, FileKind::Audio);
    }

    #[test]
    fn ai_multi_shot_views_are_files() {
        let task: Task = serde_json::from_str(
            r#"{"task_id":"9","task_status":"succeed","task_result":{"images":[
                {"index":0,"url_1":"https://c/a.png","url_2":"https://c/b.jpg","url_3":""},
                {"index":1,"url_1":"https://c/c.png"}]}}"#,
        )
        .unwrap();
        assert!(task.has_results());
        assert_eq!(
            names(&task.result_files()),
            ["9-0-view1.png", "9-0-view2.jpg", "9-1-view1.png"]
        );
        let empty: Task = serde_json::from_str(
            r#"{"task_id":"9","task_status":"succeed","task_result":{"images":[{"index":0,"url_1":""}]}}"#,
        )
        .unwrap();
        assert!(!empty.has_results() && empty.result_files().is_empty());
    }

    #[test]
    fn new_standard_outputs_and_runblob_urls() {
        let task: standard::Task = serde_json::from_str(
            r#"{"id":"s1","status":"succeeded","outputs":[
                {"type":"video","id":"ov","url":"https://c/o.mp4","watermark_url":"https://c/o-w.mp4"},
                {"type":"image","url":"https://c/i.webp"},
                {"type":"audio","id":"au","mp3_url":"https://c/x.mp3","wav_url":"https://c/x.wav"},
                {"type":"voice","id":"vo","url":"https://c/trial.mp3"},
                {"type":"hologram","url":"https://c/h.mp4"}]}"#,
        )
        .unwrap();
        assert_eq!(
            names(&task.result_files()),
            [
                "ov.mp4",
                "ov-watermarked.mp4",
                "s1-1.webp",
                "au.mp3",
                "au.wav",
                "s1-4.mp4"
            ]
        );
        let g: Generation = serde_json::from_str(
            r#"{"generation_id":"g-1","status":"completed","image_url":"https://c/p.jpeg"}"#,
        )
        .unwrap();
        assert_eq!(names(&g.result_files()), ["g-1.jpeg"]);
    }

    #[test]
    fn server_ids_never_choose_a_path() {
        let long = "a".repeat(10_000);
        let cases: &[(&str, &str)] = &[
            ("../x", "_x.mp4"),
            ("/abs", "_abs.mp4"),
            ("a/b", "a_b.mp4"),
            ("..", "video-0.mp4"),
            ("", "video-0.mp4"),
            ("a\0b", "a_b.mp4"),
            ("CON", "_CON.mp4"),
            ("nul.txt", "_nul.txt.mp4"),
            (".hidden", "hidden.mp4"),
            ("-rf", "rf.mp4"),
            ("C:\\win", "C__win.mp4"),
            ("é", "video-0.mp4"),
        ];
        for (id, expected) in cases {
            let json = serde_json::json!({"task_id": "1", "task_status": "succeed",
                "task_result": {"videos": [{"id": id, "url": "https://c/v.mp4"}]}});
            let task: Task = serde_json::from_value(json).unwrap();
            assert_eq!(task.result_files()[0].file_name, *expected, "id {id:?}");
        }
        let json = serde_json::json!({"task_id": "1", "task_status": "succeed",
            "task_result": {"videos": [{"id": long, "url": "https://c/v.mp4"}]}});
        let task: Task = serde_json::from_value(json).unwrap();
        let name = &task.result_files()[0].file_name;
        assert_eq!(name.len(), MAX_STEM + ".mp4".len());
        // Whatever the server sends, the name is one plain path component.
        for id in [
            "../../etc/passwd",
            "a/../../b",
            "..\\..\\x",
            "./.",
            "~",
            "a:b",
        ] {
            let stem = safe_stem(id, "f");
            let path = std::path::Path::new(&stem);
            assert_eq!(path.components().count(), 1, "{id:?} -> {stem:?}");
            assert!(
                matches!(
                    path.components().next(),
                    Some(std::path::Component::Normal(_))
                ),
                "{id:?} -> {stem:?}"
            );
        }
    }

    #[test]
    fn recognized_images_are_named_by_their_kind() {
        let task: Task = serde_json::from_str(
            r#"{"task_id":"5","task_status":"succeed","task_result":{"images":[
                {"type":"object_seg","is_contain":true,"url":"https://c/o.png"},
                {"type":"head_seg","is_contain":true,"url":"https://c/h.png"},
                {"type":"face_seg","is_contain":false,"url":"https://c/f.png"},
                {"type":"cloth_seg","is_contain":true,"url":"https://c/c.png"}]}}"#,
        )
        .unwrap();
        assert_eq!(
            names(&task.result_files()),
            [
                "5-object_seg.png",
                "5-head_seg.png",
                "5-face_seg.png",
                "5-cloth_seg.png"
            ]
        );
    }

    #[test]
    fn hostile_image_kinds_fall_back_to_the_index() {
        let long = "k".repeat(MAX_LABEL + 1);
        let kinds = [
            "../../x", "a/b", "", "0", "-rf", ".hidden", "CON", "é", "a b", &long, "same", "same",
            "SAME",
        ];
        let images: Vec<serde_json::Value> = kinds
            .iter()
            .map(|k| serde_json::json!({"type": k, "url": "https://c/i.png"}))
            .collect();
        let json = serde_json::json!({"task_id": "5", "task_status": "succeed",
            "task_result": {"images": images}});
        let task: Task = serde_json::from_value(json).unwrap();
        let files = task.result_files();
        assert_eq!(
            names(&files),
            [
                "5-0.png",
                "5-1.png",
                "5-2.png",
                "5-3.png",
                "5-4.png",
                "5-5.png",
                // Kept: plain; the stem starts with the task id, so never a device name.
                "5-CON.png",
                "5-7.png",
                "5-8.png",
                "5-9.png",
                "5-same.png",
                // Repeated kinds stay unique.
                "5-same-2.png",
                "5-SAME-3.png"
            ]
        );
        assert!(files.iter().all(|f| is_safe_file_name(&f.file_name)));
    }

    #[test]
    fn duplicate_names_are_made_unique() {
        let task: Task = serde_json::from_str(
            r#"{"task_id":"1","task_status":"succeed","task_result":{"videos":[
                {"id":"same","url":"https://c/1.mp4"},{"id":"same","url":"https://c/2.mp4"},{"id":"SAME","url":"https://c/3.mp4"}]}}"#,
        )
        .unwrap();
        assert_eq!(
            names(&task.result_files()),
            ["same.mp4", "same-2.mp4", "SAME-3.mp4"]
        );
    }
}
