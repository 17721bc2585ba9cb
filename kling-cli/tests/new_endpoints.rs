//! The endpoints the API gained through 2026-09 (`kling-api.md` 10.5), end to end through the
//! `kling` binary against kling-mock in process (127.0.0.1, port 0): AI Multi-Shot with
//! `--download`, the element deletes on both paths, the cash-balance ledger.

mod common;

use common::{files, kling, mock_env, run_json, temp};
use kling_mock::{MockConfig, MockServer, SAMPLE_PNG};

#[test]
fn ai_multi_shot_downloads_three_sets_of_three_views() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let env = mock_env(&mock);
    let dir = temp("multi-shot");
    std::fs::write(dir.join("front.png"), SAMPLE_PNG).unwrap();
    let doc = run_json(
        &[
            "element",
            "multi-shot",
            "--image",
            "front.png",
            "--download",
            "views",
        ],
        &dir,
        &env,
    );
    assert_eq!(doc["task"]["task_status"], "succeed");
    let sets = doc["task"]["task_result"]["images"].as_array().unwrap();
    assert_eq!(sets.len(), 3);
    assert!(
        sets.iter()
            .all(|s| s["url_1"].is_string() && s["url_3"].is_string())
    );
    assert_eq!(files(&dir, &doc), vec![SAMPLE_PNG.to_vec(); 9]);
    let names: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let id = doc["task"]["task_id"].as_str().unwrap();
    assert!(
        names.contains(&format!("views/{id}-0-view1.png").as_str()),
        "{names:?}"
    );
    assert!(
        names.contains(&format!("views/{id}-2-view3.png").as_str()),
        "{names:?}"
    );

    // The family is in the one table: `kling task get` finds it.
    let got = run_json(&["task", "get", "ai-multi-shot", id], &dir, &env);
    assert_eq!(got["task"]["task_status"], "succeed");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ai_multi_shot_takes_only_jpeg_or_png_and_sends_nothing_else() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let env = mock_env(&mock);
    let env = common::pairs(&env);
    let dir = temp("multi-shot-refused");
    std::fs::write(dir.join("notes.txt"), "a frontal view, please").unwrap();
    std::fs::write(dir.join("front.gif"), b"GIF89a\x01\x00\x01\x00").unwrap();

    let text = kling(
        &["element", "multi-shot", "--image", "notes.txt"],
        &dir,
        &env,
    );
    assert_eq!(text.code, Some(2), "{}", text.stderr);
    assert!(text.stderr.contains("notes.txt"), "{}", text.stderr);

    // A GIF is an image the API takes elsewhere; AI Multi-Shot's data says JPEG or PNG.
    let gif = kling(
        &["element", "multi-shot", "--image", "front.gif"],
        &dir,
        &env,
    );
    assert_eq!(gif.code, Some(5), "{}", gif.stderr);
    assert!(
        gif.stderr.contains("element_frontal_image") && gif.stderr.contains("gif"),
        "{}",
        gif.stderr
    );
    let stats = mock.stats();
    assert_eq!((stats.requests, stats.tasks), (0, 0), "nothing was sent");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_element_is_deleted_through_either_path() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let env = mock_env(&mock);
    let dir = temp("element-delete");
    let create = |name: &str| {
        let doc = run_json(
            &[
                "element",
                "create",
                "--name",
                name,
                "--description",
                "a red fox",
                "--frontal-image",
                "https://example.com/front.png",
                "--refer-image",
                "https://example.com/side.png",
                "--wait",
            ],
            &dir,
            &env,
        );
        // Legacy element results print the id as a number; the SDK keeps it as text.
        let id = &doc["task"]["task_result"]["elements"][0]["element_id"];
        id.as_str().map_or_else(|| id.to_string(), str::to_owned)
    };
    let (first, second) = (create("Fox"), create("Hare"));

    let deleted = run_json(&["element", "delete", &first], &dir, &env);
    assert_eq!(deleted["result"]["task_status"], "succeed", "{deleted}");
    let deleted = run_json(&["element", "delete", &second, "--image-side"], &dir, &env);
    assert_eq!(deleted["result"]["task_status"], "succeed", "{deleted}");

    let env = common::pairs(&env);
    let unknown = kling(&["element", "delete", "77", "--image-side"], &dir, &env);
    assert_ne!(unknown.code, Some(0));
    assert!(unknown.stderr.contains("1201"), "{}", unknown.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_balance_ledger_lists_each_charged_task_in_money() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let env = mock_env(&mock);
    let dir = temp("balance");
    run_json(
        &["video", "text2video", "--prompt", "a fox", "--wait"],
        &dir,
        &env,
    );
    run_json(
        &["image", "generate", "--prompt", "a cat", "--wait"],
        &dir,
        &env,
    );

    let page = run_json(&["account", "balance", "--limit", "1"], &dir, &env);
    assert_eq!(page["count"], 2);
    let row = &page["result"][0];
    assert_eq!(row["currency"], "USD");
    assert_eq!(row["product_function"], "text2video");
    assert_eq!(
        row["deduction_amount"], 0.14,
        "one video unit at list price"
    );
    let cursor = page["next_cursor"].as_str().unwrap();
    let next = run_json(&["account", "balance", "--cursor", cursor], &dir, &env);
    assert_eq!(next["result"][0]["product_function"], "image");
    assert_eq!(
        next["next_cursor"],
        serde_json::Value::Null,
        "the last page"
    );

    // As text: one line a row, and how to ask for the next page.
    let env = common::pairs(&env);
    let text = kling(&["account", "balance", "--limit", "1"], &dir, &env);
    assert_eq!(text.code, Some(0), "{}", text.stderr);
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", text.stdout);
    assert!(
        lines[0].contains("text2video") && lines[0].contains("-0.14 USD"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("left 999.86"), "{}", lines[0]);
    assert_eq!(lines[1], "next page: kling account balance --cursor 1");

    let refused = kling(
        &["account", "balance", "--limit", "501", "--dry-run"],
        &dir,
        &env,
    );
    assert_eq!(refused.code, Some(5), "{}", refused.stderr);
    assert!(refused.stderr.contains("limit"), "{}", refused.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}
