//! The one JSON shape of every command group, pinned: each command's document as its keys
//! and their types (a task's own fields are the API's, pinned elsewhere), against kling-mock.

mod common;

use common::{kling, mock_env, temp};
use kling_mock::{MockConfig, MockServer};
use serde_json::Value;

/// A value's shape: objects by their keys (two levels deep), arrays by their first item.
fn shape(value: &Value, depth: usize) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) => "bool".into(),
        Value::Number(_) => "number".into(),
        Value::String(_) => "string".into(),
        Value::Array(items) if items.is_empty() => "[]".into(),
        Value::Array(items) if depth == 0 => "[..]".into(),
        Value::Array(items) => format!("[{}]", shape(&items[0], depth - 1)),
        Value::Object(_) if depth == 0 => "{..}".into(),
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}: {}", shape(v, depth - 1)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
    }
}

#[test]
fn every_command_group_prints_one_shape() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let dir = temp("json-shapes");
    let env = mock_env(&mock);
    let env = common::pairs(&env);
    let mut lines = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let mut run = |args: &[&str], code: i32| -> Value {
        let mut all = args.to_vec();
        all.extend(["--output", "json"]);
        let out = kling(&all, &dir, &env);
        assert_eq!(
            out.code,
            Some(code),
            "{args:?}: {}{}",
            out.stdout,
            out.stderr
        );
        let doc = out.json();
        // Ids change from run to run: the line says ID.
        let label: Vec<&str> = args
            .iter()
            .map(|a| {
                if ids.iter().any(|id| id == a) {
                    "ID"
                } else {
                    *a
                }
            })
            .collect();
        lines.push(format!("{}: {}", label.join(" "), shape(&doc, 2)));
        for id in [
            &doc["task"]["task_id"],
            &doc["task"]["id"],
            &doc["task"]["generation_id"],
        ] {
            if let Some(id) = id.as_str() {
                ids.push(id.to_owned());
            }
        }
        doc
    };
    let created = run(&["video", "text2video", "--prompt", "a fox"], 0);
    let id = created["task"]["task_id"].as_str().unwrap().to_owned();
    run(
        &[
            "video",
            "text2video",
            "--prompt",
            "a fox",
            "--download",
            "v",
        ],
        0,
    );
    run(
        &["video", "text2video", "--prompt", "a fox", "--dry-run"],
        0,
    );
    run(&["task", "get", "text2video", &id], 0);
    run(&["task", "wait", "text2video", &id], 0);
    run(&["task", "list", "text2video"], 0);
    run(
        &["image", "generate", "--prompt", "a cat", "--download", "i"],
        0,
    );
    run(
        &["image", "recognize", "--image", "https://example.com/a.png"],
        0,
    );
    run(
        &[
            "audio",
            "text-to-audio",
            "--prompt",
            "rain",
            "--duration",
            "5s",
        ],
        0,
    );
    run(&["voice", "list"], 0);
    run(&["element", "presets"], 0);
    run(&["account", "costs"], 0);
    run(&["account", "balance"], 0);
    let v2 = run(
        &[
            "v2",
            "text-to-video",
            "--model",
            "kling-3.0",
            "--prompt",
            "a fox",
        ],
        0,
    );
    let v2_id = v2["task"]["id"].as_str().unwrap().to_owned();
    run(&["v2", "get", &v2_id], 0);
    run(&["v2", "list"], 0);
    let rb = run(&["runblob", "o3", "--prompt", "a fox"], 0);
    let rb_id = rb["task"]["generation_id"].as_str().unwrap().to_owned();
    run(&["runblob", "status", &rb_id, "--product", "o3-video"], 0);
    run(&["runblob", "list"], 0);
    run(&["runblob", "balance"], 0);
    run(&["models", "kling-v3"], 0);
    run(&["errors", "1303"], 0);
    run(&["config", "path"], 0);
    run(&["auth", "token"], 0);
    // Errors: the server's, a local check's, a command line that does not parse.
    run(&["task", "get", "text2video", "999"], 5);
    run(
        &[
            "video",
            "text2video",
            "--prompt",
            "a fox",
            "--duration",
            "7",
            "--model",
            "kling-v2-6",
        ],
        5,
    );
    run(&["video", "text2video", "--no-such-flag"], 2);
    insta::assert_snapshot!("json_shapes", lines.join("\n"));
    std::fs::remove_dir_all(&dir).unwrap();
}
