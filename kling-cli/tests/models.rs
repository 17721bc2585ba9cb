//! The models data as a user meets it: seed 000's Model Compatibility Matrix decided through
//! `kling runblob generate --dry-run`, cell by cell, and `kling models`.

mod common;

use common::{kling, temp};

const ENV: &[(&str, &str)] = &[("KLING_RUNBLOB_API_KEY", "rb-test-key")];
const IMAGE: &str = "https://example.com/a.png";

/// Seed 000's matrix, copied from the seed's text (not from our data, so a wrong cell in
/// `models.json` fails here): for each column, the RunBlob model names it covers and its
/// cells for text-to-video, image-to-video, negative prompt and CFG scale.
const SEED_000: &[(&str, &[&str], [bool; 4])] = &[
    (
        "1.6",
        &["kling_1.6", "kling_1.6_pro"],
        [true, true, true, true],
    ),
    ("2.1 Pro", &["kling_2.1_pro"], [false, true, true, false]),
    (
        "2.1 Master",
        &["kling_2.1_master"],
        [true, true, true, false],
    ),
    (
        "2.5 Turbo",
        &["kling_2.5_turbo", "kling_2.5_turbo_pro"],
        [true, true, false, false],
    ),
    ("2.6", &["kling_2.6"], [true, true, false, false]),
];

/// The cells with a field: what the command line adds for each, and the field a refusal names.
const FEATURES: [(&str, &[&str], &str); 4] = [
    ("text-to-video", &[], "`model`"),
    ("image-to-video", &["--image", IMAGE], "`model`"),
    (
        "negative prompt",
        &["--image", IMAGE, "--negative-prompt", "blur"],
        "`negative_prompt`",
    ),
    (
        "cfg scale",
        &["--image", IMAGE, "--cfg-scale", "0.5"],
        "`cfg_scale`",
    ),
];

#[test]
fn seed_000_matrix_is_decided_cell_by_cell() {
    let dir = temp("matrix");
    let mut decided = 0;
    for (column, names, cells) in SEED_000 {
        // Every name of a column: the tier rows (standard / professional) are the `_pro` names.
        for name in *names {
            for ((feature, extra, field), allowed) in FEATURES.iter().zip(cells) {
                let mut args = vec![
                    "runblob",
                    "generate",
                    "--model",
                    name,
                    "--prompt",
                    "a fox",
                    "--dry-run",
                ];
                args.extend_from_slice(extra);
                let out = kling(&args, &dir, ENV);
                let what = format!("{column} / {name} / {feature}: {}", out.stderr);
                if *allowed {
                    assert_eq!(out.code, Some(0), "accepted by the seed: {what}");
                    assert!(out.stdout.contains("POST"), "{what}");
                } else {
                    assert_eq!(out.code, Some(5), "refused by the seed: {what}");
                    assert!(out.stdout.is_empty(), "nothing shown as sent: {what}");
                    assert!(out.stderr.contains(field), "names the field: {what}");
                    assert!(out.stderr.contains(name), "names the model: {what}");
                }
                decided += 1;
            }
        }
    }
    // 7 model names × 4 cells.
    assert_eq!(decided, 28);
}

#[test]
fn no_validate_sends_what_the_matrix_refuses() {
    let dir = temp("matrix-no-validate");
    let args = [
        "runblob",
        "generate",
        "--model",
        "kling_2.6",
        "--prompt",
        "a fox",
        "--cfg-scale",
        "0.5",
        "--dry-run",
    ];
    assert_eq!(kling(&args, &dir, ENV).code, Some(5));
    let mut forced = args.to_vec();
    forced.push("--no-validate");
    let out = kling(&forced, &dir, ENV);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("\"cfg_scale\": 0.5"), "{}", out.stdout);
}

#[test]
fn a_model_the_data_does_not_know_is_passed_through() {
    let dir = temp("matrix-unknown");
    let out = kling(
        &[
            "runblob",
            "generate",
            "--model",
            "kling_9_ultra",
            "--prompt",
            "a fox",
            "--cfg-scale",
            "0.5",
            "--dry-run",
        ],
        &dir,
        ENV,
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

#[test]
fn kling_models_lists_every_model_of_the_data() {
    let dir = temp("models-list");
    let out = kling(&["models", "--output", "json"], &dir, &[]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let listed = out.json()["result"].as_array().unwrap().len();
    assert_eq!(listed, kling_types::models::MODELS.len());
    let text = kling(&["models"], &dir, &[]);
    for model in kling_types::models::MODELS {
        assert!(text.stdout.contains(model.name), "{} missing", model.name);
    }
}

#[test]
fn kling_models_shows_one_models_rules_and_prices() {
    let dir = temp("models-one");
    let out = kling(&["models", "kling-o1"], &dir, &[]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    for line in [
        "kling-o1 (standard API): Kling O1",
        "omni-video:",
        "seconds          3 to 10",
        "sound            original, off",
        "multi-shot       no",
        "resolution 720p: 0.6 video units per second",
    ] {
        assert!(out.stdout.contains(line), "{line:?} in:\n{}", out.stdout);
    }
    // A name in two APIs shows both; an unknown one says it is passed through.
    let v3 = kling(&["models", "kling-3.0", "--output", "json"], &dir, &[]);
    assert_eq!(v3.json()["result"][0]["api"], "standard");
    let unknown = kling(&["models", "kling-9"], &dir, &[]);
    assert_eq!(unknown.code, Some(2));
    assert!(
        unknown.stderr.contains("passed through unchecked"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn a_file_that_is_no_image_is_refused_before_sending() {
    let dir = temp("image-inputs");
    std::fs::write(dir.join("prompt.txt"), "a red fox in the snow\n").unwrap();
    std::fs::write(dir.join("clip.mp4"), b"\0\0\0\x18ftypmp42....").unwrap();
    std::fs::write(dir.join("fox.png"), b"\x89PNG\r\n\x1a\n....").unwrap();
    let mut big = b"\xFF\xD8\xFF".to_vec();
    big.resize(10_000_001, 0);
    std::fs::write(dir.join("big.jpg"), big).unwrap();
    let env = [("KLING_ACCESS_KEY", "ak"), ("KLING_SECRET_KEY", "sk")];
    let run = |file: &str| {
        kling(
            &["video", "image2video", "--image", file, "--dry-run"],
            &dir,
            &env,
        )
    };
    for (file, says) in [
        (
            "prompt.txt",
            "prompt.txt is not an image: it looks like text",
        ),
        (
            "clip.mp4",
            "clip.mp4 is not an image: it looks like an MP4 or MOV video",
        ),
        (
            "big.jpg",
            "big.jpg is 10.0 MB; an inline image is at most 10 MB",
        ),
    ] {
        let out = run(file);
        assert_eq!(out.code, Some(2), "{file}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{file}: nothing shown as sent");
        assert!(out.stderr.contains(says), "{file}: {}", out.stderr);
    }
    let out = run("fox.png");
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    // RunBlob's images are checked the same way.
    let out = kling(
        &[
            "runblob",
            "o3",
            "--prompt",
            "a fox",
            "--image",
            "prompt.txt",
            "--dry-run",
        ],
        &dir,
        ENV,
    );
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("looks like text"), "{}", out.stderr);
}

#[test]
fn batch_submit_prints_the_total_before_queuing_anything() {
    let dir = temp("batch-cost");
    let pro_10s = r#"{"family":"text2video","request":{"prompt":"a fox","model_name":"kling-v2-6","mode":"pro","duration":"10","sound":"on"}}"#;
    let lines = [
        pro_10s,
        // The same job twice is one job: counted once.
        pro_10s,
        r#"{"family":"text2video","request":{"prompt":"a fox","model_name":"kling-v1"}}"#,
        r#"{"family":"omni-video","request":{"prompt":"a fox","model_name":"kling-v3-omni","aspect_ratio":"16:9","mode":"4k","duration":"3"}}"#,
    ];
    std::fs::write(dir.join("b.jsonl"), lines.join("\n")).unwrap();
    // No Redis listens there: the total comes first, then the submit fails to connect.
    let out = kling(
        &[
            "batch",
            "submit",
            "b.jsonl",
            "--redis",
            "redis://127.0.0.1:1",
        ],
        &dir,
        &[],
    );
    assert_ne!(out.code, Some(0));
    assert_eq!(
        out.stdout.trim(),
        "estimated cost: 19.0 video units (2 job(s) priced; 1 not in the vendor's price tables)",
        "10 s of kling-v2-6 pro with sound (1.0/s) + 3 s of kling-v3-omni 4k (3.0/s); {}",
        out.stderr
    );
}
