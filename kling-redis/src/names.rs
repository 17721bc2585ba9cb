//! The names a done job's files are saved under in a worker's download folder.

use kling_core::fleet::JobRecord;
use kling_core::job::is_safe_file_name;

/// The names a done job's files are saved under, by the job's key so a file leads back to its
/// batch line: `<key>.<ext>` for a job's only file; with several, `<key>-<what tells them
/// apart>`, the SDK's name without its task id (`<key>-0.png`, `<key>-object_seg.png`,
/// `<key>-<video id>-watermarked.mp4`), else `<key>-<position>.<ext>`. A key that is not a
/// safe file name itself, or a name it would make that is not (too long), gives way to the
/// SDK's name: a key never becomes a path unchecked. `None` for a stored name that is not
/// safe (the record came back from Redis: its names are checked again): not downloaded.
pub fn saved_names(record: &JobRecord) -> Vec<Option<String>> {
    let safe: Vec<bool> = record
        .files
        .iter()
        .map(|f| is_safe_file_name(&f.file_name))
        .collect();
    let several = safe.iter().filter(|s| **s).count() > 1;
    let key = Some(record.external_task_id.as_str()).filter(|k| is_safe_file_name(k));
    let task_prefix = record
        .task_id
        .as_deref()
        .filter(|t| !t.is_empty())
        .map(|t| format!("{t}-"));
    // Case-insensitively unique: a case-insensitive file system would merge two names.
    let mut taken = std::collections::HashSet::new();
    let mut names = Vec::with_capacity(record.files.len());
    for (i, (file, safe)) in record.files.iter().zip(safe).enumerate() {
        if !safe {
            names.push(None);
            continue;
        }
        let name = file.file_name.as_str();
        let mut candidates = Vec::new();
        if let Some(key) = key {
            let extension = name.rsplit_once('.').map(|(_, e)| format!(".{e}"));
            let extension = extension.as_deref().unwrap_or_default();
            if several {
                let rest = task_prefix
                    .as_deref()
                    .and_then(|p| name.strip_prefix(p))
                    .filter(|r| !r.is_empty() && !r.starts_with('.'))
                    .unwrap_or(name);
                candidates.push(format!("{key}-{rest}"));
                candidates.push(format!("{key}-{i}{extension}"));
            } else {
                candidates.push(format!("{key}{extension}"));
            }
        }
        candidates.push(name.to_owned());
        let chosen = candidates
            .iter()
            .find(|c| is_safe_file_name(c) && !taken.contains(&c.to_ascii_lowercase()))
            // Every candidate taken: a record with one name twice (the SDK never writes one)
            // and no usable key. As before, the second is then taken as already saved.
            .map_or_else(|| name.to_owned(), Clone::clone);
        taken.insert(chosen.to_ascii_lowercase());
        names.push(Some(chosen));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use kling_core::fleet::JobState;

    fn record(key: &str, task_id: &str, names: &[&str]) -> JobRecord {
        let mut r = JobRecord::queued(key, "image", "f");
        r.state = JobState::Done;
        r.task_id = Some(task_id.to_owned());
        r.files = names
            .iter()
            .map(|n| {
                serde_json::from_value(serde_json::json!({"file_name": n, "url": "https://c/x"}))
                    .unwrap()
            })
            .collect();
        r
    }

    fn names(r: &JobRecord) -> Vec<Option<String>> {
        saved_names(r)
    }

    fn some(names: &[&str]) -> Vec<Option<String>> {
        names.iter().map(|n| Some((*n).to_owned())).collect()
    }

    #[test]
    fn files_are_named_by_the_jobs_key() {
        assert_eq!(
            names(&record("line-1", "831", &["860.mp4"])),
            some(&["line-1.mp4"])
        );
        // Several: what tells them apart is kept, the task id dropped.
        assert_eq!(
            names(&record(
                "cats",
                "831",
                &["831-0.png", "831-1.jpg", "831-object_seg.png"]
            )),
            some(&["cats-0.png", "cats-1.jpg", "cats-object_seg.png"])
        );
        assert_eq!(
            names(&record("fox", "831", &["860.mp4", "860-watermarked.mp4"])),
            some(&["fox-860.mp4", "fox-860-watermarked.mp4"])
        );
        assert_eq!(
            names(&record("tts", "9", &["a1.mp3", "a1.wav"])),
            some(&["tts-a1.mp3", "tts-a1.wav"])
        );
    }

    #[test]
    fn an_unsafe_key_falls_back_to_the_sdks_names() {
        for key in [
            "../up",
            "a/b",
            ".hidden",
            "-rf",
            "CON",
            "é",
            "a b",
            &"k".repeat(101),
        ] {
            assert_eq!(
                names(&record(key, "831", &["860.mp4", "831-0.png"])),
                some(&["860.mp4", "831-0.png"]),
                "{key:?}"
            );
        }
        // A key too long for a name with its suffix: the SDK's name, never a longer one.
        let long = "k".repeat(97);
        assert_eq!(
            names(&record(&long, "831", &["860.mp4"])),
            some(&["860.mp4"])
        );
        assert_eq!(
            names(&record(&"k".repeat(96), "831", &["860.mp4"])),
            some(&[&format!("{}.mp4", "k".repeat(96))])
        );
    }

    #[test]
    fn saved_names_stay_unique_and_unsafe_stored_names_are_skipped() {
        // `0.png` without the task id would clash with the first: its position instead.
        assert_eq!(
            names(&record(
                "j",
                "7",
                &["7-0.png", "0.png", "../x.png", "7-0.PNG"]
            )),
            vec![
                Some("j-0.png".to_owned()),
                Some("j-1.png".to_owned()),
                None,
                // `j-0.PNG` is `j-0.png` on a case-insensitive file system.
                Some("j-3.PNG".to_owned()),
            ]
        );
        // One safe file among unsafe ones is the job's only file.
        assert_eq!(
            names(&record("j", "7", &["/etc/passwd", "7-0.png"])),
            vec![None, Some("j.png".to_owned())]
        );
    }
}
