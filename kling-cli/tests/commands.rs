//! Every create command: a dry-run snapshot of the exact request (secrets redacted, external
//! ids pinned), and real runs against kling-mock in process (on 127.0.0.1, port 0) that wait
//! and download every result file, one family of each group.

mod common;

use std::path::Path;

use common::{files, kling, mock_env, run_json, temp};
use kling_mock::{
    DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY, MockConfig, MockServer, SAMPLE_MP3, SAMPLE_MP4,
    SAMPLE_PNG, SAMPLE_WAV,
};

const VERSION: &str = concat!("kling-rs/", env!("CARGO_PKG_VERSION"));

/// Credentials of every kind (the dry runs need them to build the request they print).
const CREDENTIALS: [(&str, &str); 4] = [
    ("KLING_ACCESS_KEY", DEMO_ACCESS_KEY),
    ("KLING_SECRET_KEY", DEMO_SECRET_KEY),
    ("KLING_API_KEY", DEMO_API_KEY),
    ("KLING_RUNBLOB_API_KEY", DEMO_API_KEY),
];

/// Small input files: their base64 is short and fixed.
fn inputs(dir: &Path) {
    std::fs::write(dir.join("img.png"), b"\x89PNG\r\n\x1a\n").unwrap();
    std::fs::write(dir.join("tail.png"), b"\x89PNG-tail").unwrap();
    std::fs::write(dir.join("audio.mp3"), b"ID3\x04").unwrap();
}

/// A command line's words: split on spaces, `'...'` quoting words with spaces.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Runs each command with `--dry-run`, checks it succeeded and showed no secret, and gives
/// the snapshot text: the command, then the request.
fn dry_runs(dir: &Path, cases: &[&str]) -> String {
    let mut snapshot = String::new();
    for line in cases {
        let words = words(line);
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        let mut full = args.clone();
        full.push("--dry-run");
        let out = kling(&full, dir, &CREDENTIALS);
        assert_eq!(
            out.code,
            Some(0),
            "kling {}: {}",
            args.join(" "),
            out.stderr
        );
        for secret in [DEMO_SECRET_KEY, DEMO_API_KEY, "Bearer"] {
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "kling {} shows a secret: {}",
                args.join(" "),
                out.stdout
            );
        }
        snapshot.push_str(&format!(
            "$ kling {line}\n{}\n",
            out.stdout.replace(VERSION, "kling-rs/[version]")
        ));
    }
    snapshot
}

#[test]
fn video_dry_runs() {
    let dir = temp("dry-video");
    inputs(&dir);
    let snapshot = dry_runs(
        &dir,
        &[
            "video text2video --prompt 'a fox in the snow' --model kling-v2-6 --mode pro --duration 10s --sound on --aspect-ratio 16:9 --negative-prompt blur --watermark --external-task-id job-t2v --callback-url https://example.com/hook",
            "video text2video --model kling-v3 --shot '3s:a fox wakes up' --shot '2s:it runs' --duration 5 --external-task-id job-shots",
            "video text2video --prompt 'a slow zoom' --model kling-v1 --camera zoom=5 --external-task-id job-camera",
            "video image2video --image img.png --image-tail tail.png --prompt 'she turns' --model kling-v1 --mode pro --external-task-id job-i2v",
            "video image2video --image https://example.com/a.png --element 11 --model kling-v2-1 --external-task-id job-i2v-element",
            "video multi-image2video --image img.png --image https://example.com/b.png --prompt 'two friends wave' --model kling-v1-6 --external-task-id job-multi",
            "video extend --video-id vid-1 --prompt 'then it jumps' --external-task-id job-extend",
            "video omni --prompt '<<<image_1>>> dances' --model kling-video-o1 --image https://example.com/a.png --element 7 --aspect-ratio 16:9 --duration 5 --external-task-id job-omni",
            "video omni --prompt 'make <<<video_1>>> snowy' --video https://example.com/v.mp4 --keep-original-sound --external-task-id job-omni-edit",
            "video motion-control --model kling-v2-6 --image img.png --video-url https://example.com/dance.mp4 --orientation video --mode std --external-task-id job-motion",
            "video lip-sync --video-id vid-1 --text 'hello there' --voice-id voice-1 --voice-language en",
            "video lip-sync --video-url https://example.com/v.mp4 --audio-file audio.mp3",
            "video identify-face --video-id vid-1",
            "video advanced-lip-sync --session-id sess-1 --face face_id=f1,audio_id=a1,start=0,end=2s,insert=0 --external-task-id job-advanced",
            "video avatar --image img.png --audio-id aud-1 --prompt smiles --external-task-id job-avatar",
            "video effects --scene bloombloom --image img.png --external-task-id job-effect",
            "video effects --scene hug --image img.png --image tail.png --external-task-id job-hug",
        ],
    );
    insta::assert_snapshot!("dry_run_video", snapshot);
}

#[test]
fn image_and_audio_dry_runs() {
    let dir = temp("dry-image");
    inputs(&dir);
    let snapshot = dry_runs(
        &dir,
        &[
            "image generate --prompt 'a cat' --model kling-v2-1 --n 2 --aspect-ratio 1:1 --resolution 2k --watermark --external-task-id job-image",
            "image generate --prompt 'a cat like this one' --image img.png --image-reference subject --image-fidelity 0.5 --model kling-v1-5 --external-task-id job-image-ref",
            "image multi-image --subject img.png --subject https://example.com/s.png --scene https://example.com/scene.png --prompt together --model kling-v2-1 --external-task-id job-multi-image",
            "image omni --prompt '<<<image_1>>> in the rain' --image https://example.com/a.png --model kling-v3-omni --result-type series --series-amount 3 --external-task-id job-omni-image",
            "image expand --image img.png --up 0.5 --left 0.25 --prompt 'more sky' --external-task-id job-expand",
            "image try-on --human img.png --cloth https://example.com/shirt.png --model kolors-virtual-try-on-v1-5 --external-task-id job-try-on",
            "image recognize --image https://example.com/a.png",
            "audio tts --text hello --voice-id voice-1 --language en --speed 1.2",
            "audio text-to-audio --prompt 'rain on a tin roof' --duration 5.5s --external-task-id job-sound",
            "audio video-to-audio --video-id vid-1 --sound-effect-prompt footsteps --bgm-prompt 'calm piano' --asmr --external-task-id job-soundtrack",
        ],
    );
    insta::assert_snapshot!("dry_run_image_audio", snapshot);
}

#[test]
fn library_session_and_account_dry_runs() {
    let dir = temp("dry-general");
    inputs(&dir);
    let snapshot = dry_runs(
        &dir,
        &[
            "element create --name Fox --description 'a red fox' --frontal-image https://example.com/front.png --refer-image https://example.com/side.png --tag o_101 --external-task-id job-element",
            "element create --name Dancer --description 'a dancer' --video https://example.com/d.mp4 --external-task-id job-element-video",
            "element delete 42",
            "element delete 42 --image-side",
            "element multi-shot --image https://example.com/front.png --external-task-id job-views",
            "voice create --name Narrator --url https://example.com/voice.mp3 --external-task-id job-voice",
            "voice delete voice-9",
            "session init --video-id vid-1",
            "session add sess-1 --frame 0 --point 0.5,0.4 --point 0.6,0.4",
            "session remove sess-1 --frame 0 --point 0.5,0.4",
            "session clear sess-1",
            "session preview sess-1",
            "session create sess-1 --edit swap --prompt 'swap in <<<image_1>>>' --image https://example.com/a.png --external-task-id job-edit",
            "account billing --cursor c-2 --limit 10 --filter resource_pack_type=decreasing_total",
            "account balance --cursor c-3 --limit 20 --filter api_key_name=prod,staging",
        ],
    );
    insta::assert_snapshot!("dry_run_general", snapshot);
}

#[test]
fn new_standard_and_runblob_dry_runs() {
    let dir = temp("dry-v2");
    inputs(&dir);
    let snapshot = dry_runs(
        &dir,
        &[
            "v2 text-to-video --model kling-3.0 --prompt 'a fox' --audio native --resolution 1080p --duration 10 --aspect-ratio 16:9 --multi-shot --watermark --external-task-id job-v2",
            "v2 image-to-video --model kling-3.0 --first-frame https://example.com/f.png --last-frame https://example.com/l.png --prompt 'it turns' --element 5=hero --external-task-id job-v2-i2v",
            "v2 omni-video --model kling-3.0-omni --prompt 'in the style of <<<video_1>>>' --image https://example.com/a.png --feature-video https://example.com/v.mp4 --external-task-id job-v2-omni",
            "v2 motion-control --model kling-2.6 --image https://example.com/c.png --video https://example.com/m.mp4 --orientation image --audio original --external-task-id job-v2-motion",
            "runblob generate --prompt 'a fox' --model kling_3 --duration 8 --aspect-ratio 16:9 --seed 42 --image https://example.com/a.png",
            "runblob generate --prompt dance --model kling_2.6_motion --reference-video https://example.com/d.mp4 --reference-image img.png --motion-direction video",
            "runblob o1 --prompt 'a fox' --duration 5 --image https://example.com/a.png --image https://example.com/b.png",
            "runblob o3 --prompt 'a fox' --model kling_o3_pro --duration 15 --image img.png --keep-original-sound",
            "runblob photo --model o3 --prompt 'a fox' --resolution 2k --aspect-ratio 1:1",
        ],
    );
    insta::assert_snapshot!("dry_run_v2_runblob", snapshot);
}

#[test]
fn json_dry_runs_keep_inline_files_whole() {
    let dir = temp("dry-json");
    // A PNG's signature, then filler: inputs given as images must look like one.
    let mut image = b"\x89PNG\r\n\x1a\n".to_vec();
    image.resize(600, 7);
    std::fs::write(dir.join("big.png"), &image).unwrap();
    let out = kling(
        &[
            "video",
            "image2video",
            "--image",
            "big.png",
            "--external-task-id",
            "j",
            "--dry-run",
            "--output",
            "json",
        ],
        &dir,
        &CREDENTIALS,
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let doc = out.json();
    assert_eq!(doc["method"], "POST");
    assert_eq!(
        doc["body"]["image"].as_str().unwrap().len(),
        800,
        "600 bytes, whole"
    );
    assert!(doc["headers"].to_string().contains("[redacted]"));
    // Text shortens it.
    let out = kling(
        &[
            "video",
            "image2video",
            "--image",
            "big.png",
            "--external-task-id",
            "j",
            "--dry-run",
        ],
        &dir,
        &CREDENTIALS,
    );
    assert!(out.stdout.contains("[+760 chars"), "{}", out.stdout);
    // The account's time window moves with the clock: checked, not snapshotted.
    let out = kling(
        &["account", "costs", "--days", "7", "--dry-run"],
        &dir,
        &CREDENTIALS,
    );
    assert!(
        out.stdout
            .starts_with("GET https://api-singapore.klingai.com/account/costs?start_time="),
        "{}",
        out.stdout
    );
}

#[test]
fn one_family_of_each_group_runs_end_to_end() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let env = mock_env(&mock);
    let dir = temp("e2e");

    let doc = run_json(
        &[
            "video",
            "text2video",
            "--prompt",
            "a fox",
            "--download",
            "video",
        ],
        &dir,
        &env,
    );
    assert_eq!(doc["task"]["task_status"], "succeed");
    assert_eq!(files(&dir, &doc), vec![SAMPLE_MP4.to_vec()]);
    assert!(doc["external_task_id"].is_string() && doc["request_id"].is_string());

    let doc = run_json(
        &[
            "image",
            "generate",
            "--prompt",
            "a cat",
            "--download",
            "image",
        ],
        &dir,
        &env,
    );
    assert_eq!(files(&dir, &doc), vec![SAMPLE_PNG.to_vec()]);

    let doc = run_json(
        &[
            "audio",
            "text-to-audio",
            "--prompt",
            "rain",
            "--duration",
            "5",
            "--download",
            "audio",
        ],
        &dir,
        &env,
    );
    assert_eq!(
        files(&dir, &doc),
        vec![SAMPLE_MP3.to_vec(), SAMPLE_WAV.to_vec()],
        "MP3 and WAV"
    );

    let doc = run_json(
        &[
            "v2",
            "text-to-video",
            "--model",
            "kling-3.0",
            "--prompt",
            "a fox",
            "--download",
            "v2",
        ],
        &dir,
        &env,
    );
    assert_eq!(doc["task"]["status"], "succeeded");
    assert_eq!(files(&dir, &doc), vec![SAMPLE_MP4.to_vec()]);

    let doc = run_json(
        &[
            "runblob",
            "o3",
            "--prompt",
            "a fox",
            "--download",
            "runblob",
        ],
        &dir,
        &env,
    );
    assert_eq!(doc["task"]["status"], "completed");
    assert_eq!(files(&dir, &doc), vec![SAMPLE_MP4.to_vec()]);
    assert_eq!(
        doc["external_task_id"],
        serde_json::Value::Null,
        "RunBlob takes none"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_task_created_without_waiting_is_found_listed_and_waited_for() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let env = mock_env(&mock);
    let dir = temp("tasks");
    let created = run_json(
        &[
            "video",
            "image2video",
            "--image",
            "https://example.com/a.png",
            "--external-task-id",
            "job-7",
        ],
        &dir,
        &env,
    );
    let id = created["task"]["task_id"].as_str().unwrap().to_owned();
    // The command picks it up with the same output.
    assert_eq!(
        created["wait_command"],
        format!("kling task wait image2video {id} --output json")
    );

    let doc = run_json(
        &["task", "wait", "image2video", &id, "--download", "out"],
        &dir,
        &env,
    );
    assert_eq!(files(&dir, &doc), vec![SAMPLE_MP4.to_vec()]);
    let doc = run_json(
        &["task", "get", "image2video", "job-7", "--external"],
        &dir,
        &env,
    );
    assert_eq!(doc["task"]["task_id"], id.as_str());
    let doc = run_json(
        &["task", "list", "image2video", "--page-size", "5"],
        &dir,
        &env,
    );
    assert_eq!(doc["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(
        doc["next_cursor"],
        serde_json::Value::Null,
        "a page not full is the last"
    );
    let doc = run_json(&["task", "list", "text2video"], &dir, &env);
    assert_eq!(doc["tasks"].as_array().unwrap().len(), 0);

    // Text output tells how to wait, and a wait in text shows where the files went.
    let text_env = common::pairs(&env);
    let out = kling(&["image", "generate", "--prompt", "a cat"], &dir, &text_env);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let wait = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("wait for it: "))
        .unwrap()
        .to_owned();
    let args: Vec<&str> = wait.split(' ').skip(1).collect();
    let out = kling(
        &[&args[..], &["--download", "cat"]].concat(),
        &dir,
        &text_env,
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout.contains("succeed") && out.stdout.contains("saved "),
        "{}",
        out.stdout
    );

    // A family not in the table is a usage error, with the names listed.
    let out = kling(&["task", "get", "text-2-video", "1"], &dir, &text_env);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("text2video"), "{}", out.stderr);
    // v2 and RunBlob tasks have their own queries.
    let created = run_json(
        &[
            "v2",
            "text-to-video",
            "--model",
            "kling-3.0",
            "--prompt",
            "x",
            "--external-task-id",
            "v2-1",
        ],
        &dir,
        &env,
    );
    let v2_id = created["task"]["id"].as_str().unwrap().to_owned();
    let doc = run_json(&["v2", "wait", "v2-1", "--external"], &dir, &env);
    assert_eq!(doc["task"]["id"], v2_id.as_str());
    let created = run_json(
        &["runblob", "photo", "--model", "o1", "--prompt", "x"],
        &dir,
        &env,
    );
    let rb = created["task"]["generation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc = run_json(
        &[
            "runblob",
            "wait",
            &rb,
            "--product",
            "o1-photo",
            "--download",
            "photo",
        ],
        &dir,
        &env,
    );
    assert_eq!(files(&dir, &doc), vec![SAMPLE_PNG.to_vec()]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn failures_have_their_exit_codes() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let env = mock_env(&mock);
    let env = common::pairs(&env);
    let dir = temp("failures");
    // The mock fails tasks whose prompt says "doomed": exit 7, and the reason is shown.
    let out = kling(
        &["video", "text2video", "--prompt", "a doomed fox", "--wait"],
        &dir,
        &env,
    );
    assert_eq!(out.code, Some(7), "{}", out.stderr);
    assert!(out.stderr.contains("external task id"), "{}", out.stderr);
    // Content policy: exit 5.
    let out = kling(
        &["video", "text2video", "--prompt", "forbidden fox"],
        &dir,
        &env,
    );
    assert_eq!(out.code, Some(5), "{}", out.stderr);
    // Preflight validation names the field: exit 5, nothing sent.
    let before = mock.requests().len();
    let out = kling(
        &[
            "video",
            "text2video",
            "--prompt",
            "x",
            "--model",
            "kling-v2-6",
            "--duration",
            "30",
        ],
        &dir,
        &env,
    );
    assert_eq!(out.code, Some(5));
    assert!(out.stderr.contains("duration"), "{}", out.stderr);
    assert_eq!(mock.requests().len(), before);
    // Bad command lines: exit 2, naming what was wrong.
    for (args, says) in [
        (
            &["video", "text2video", "--prompt", "x", "--duration", "1.5s"][..],
            "whole seconds",
        ),
        (
            &["video", "text2video", "--prompt", " "][..],
            "--prompt is empty",
        ),
        (&["video", "text2video"][..], "--prompt"),
        (&["--max-wait", "soon", "models"][..], "not a duration"),
        (
            &["video", "text2video", "--prompt", "x", "--camera", "spin=1"][..],
            "unknown axis",
        ),
    ] {
        let out = kling(args, &dir, &env);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
    }
    // A missing input file: exit 11.
    let out = kling(
        &["video", "image2video", "--image", "no-such.png"],
        &dir,
        &env,
    );
    assert_eq!(out.code, Some(11), "{}", out.stderr);
    assert!(out.stderr.contains("no-such.png"), "{}", out.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_wait_that_gives_up_says_how_to_resume() {
    // Tasks take 6 s here: a 1 s wait gives up (exit 8) and the task goes on.
    let mock = MockServer::start(MockConfig::demo()).unwrap();
    let env = mock_env(&mock);
    let env = common::pairs(&env);
    let dir = temp("timeout");
    let out = kling(
        &[
            "video",
            "text2video",
            "--prompt",
            "a fox",
            "--download",
            "my clips",
            "--max-wait",
            "1s",
        ],
        &dir,
        &env,
    );
    assert_eq!(out.code, Some(8), "{}", out.stderr);
    // The whole command: it downloads into the same folder (quoted for the shell).
    assert!(
        out.stderr
            .contains("the task goes on; pick it up with: kling task wait text2video ")
            && out.stderr.contains(" --download 'my clips'\n"),
        "{}",
        out.stderr
    );
    // JSON: the task, its external id and the command.
    let out = kling(
        &[
            "video",
            "text2video",
            "--prompt",
            "a fox",
            "--download",
            "out",
            "--max-wait",
            "1s",
            "--output",
            "json",
        ],
        &dir,
        &env,
    );
    assert_eq!(out.code, Some(8), "{}", out.stderr);
    let error: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let error = &error["error"];
    let task = error["task_id"].as_str().expect("the task id");
    assert_eq!(
        error["resume_command"],
        format!("kling task wait text2video {task} --download out --output json")
    );
    assert!(error["external_task_id"].is_string(), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_finished_task_says_when_its_files_expire() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let env = mock_env(&mock);
    let dir = temp("expiry");
    let doc = run_json(
        &[
            "v2",
            "text-to-video",
            "--model",
            "kling-3.0",
            "--prompt",
            "a fox",
            "--wait",
        ],
        &dir,
        &env,
    );
    let created = doc["task"]["create_time"].as_i64().expect("create_time");
    assert_eq!(doc["expires_at"].as_i64(), Some(created + 30 * 86_400_000));
    let env = common::pairs(&env);
    let out = kling(
        &["video", "text2video", "--prompt", "a fox", "--wait"],
        &dir,
        &env,
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout.contains("files kept until: ")
            && out.stdout.contains(" UTC (30 days after creation"),
        "{}",
        out.stdout
    );
}
