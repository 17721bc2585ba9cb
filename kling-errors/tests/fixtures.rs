//! Every example body of the seeds and the spec files, and a set of hostile bodies, decoded
//! and pinned by a snapshot. Each `fixtures/*.http` file holds a comment saying where the
//! example comes from, `# request: <read|create> <dialect>`, a status line, headers, a blank
//! line and the body bytes.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kling_errors::{
    DecodeContext, Dialect, Error, Operation, TaskFailedError, check_response, decode_error,
};

/// The injected clock of every fixture: Tue, 14 Nov 2023 22:13:20 GMT.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

struct Fixture {
    comment: Vec<String>,
    operation: Operation,
    dialect: Dialect,
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn next_line<'a>(bytes: &mut &'a [u8]) -> &'a str {
    let end = bytes
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(bytes.len());
    let line = std::str::from_utf8(&bytes[..end]).expect("fixture head is UTF-8");
    *bytes = bytes.get(end + 1..).unwrap_or_default();
    line.trim_end_matches('\r')
}

fn parse(mut bytes: &[u8]) -> Fixture {
    let mut comment = Vec::new();
    let (mut operation, mut dialect) = (None, None);
    let status_line = loop {
        let line = next_line(&mut bytes);
        if let Some(request) = line.strip_prefix("# request: ") {
            let (op, d) = request
                .split_once(' ')
                .expect("`# request: <op> <dialect>`");
            operation = Some(match op {
                "read" => Operation::Read,
                "create" => Operation::Create,
                other => panic!("unknown operation {other}"),
            });
            dialect = Some(match d {
                "kling" => Dialect::Kling,
                "runblob" => Dialect::RunBlob,
                "pikzels" => Dialect::Pikzels,
                other => panic!("unknown dialect {other}"),
            });
        } else if let Some(text) = line.strip_prefix("# ") {
            comment.push(text.to_owned());
        } else {
            break line;
        }
    };
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .and_then(|s| s.parse().ok())
        .expect("status line `HTTP/1.1 <status>`");
    let mut headers = Vec::new();
    loop {
        let line = next_line(&mut bytes);
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').expect("header `Name: value`");
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    Fixture {
        comment,
        operation: operation.expect("a `# request:` line"),
        dialect: dialect.expect("a `# request:` line"),
        status,
        headers,
        body: bytes.to_vec(),
    }
}

/// A 2xx body that reports a failed task: the failure as the poller will surface it.
fn task_failure(fixture: &Fixture) -> Option<Error> {
    let value: serde_json::Value = serde_json::from_slice(&fixture.body).ok()?;
    if value.get("status")?.as_str()? != "failed" {
        return None;
    }
    let id = ["generation_id", "task_uuid", "task_id"]
        .iter()
        .find_map(|k| value.get(*k)?.as_str())
        .unwrap_or("?");
    let message = value
        .get("message")
        .or_else(|| value.get("error_message"))
        .or_else(|| value.pointer("/error/message"))
        .and_then(serde_json::Value::as_str);
    Some(TaskFailedError::new(fixture.dialect, id, message).into())
}

#[test]
fn every_fixture_decodes_to_its_documented_error() {
    insta::glob!("fixtures/*.http", |path| {
        let fixture = parse(&std::fs::read(path).expect("readable fixture"));
        let ctx = DecodeContext::new(fixture.dialect, fixture.operation, now());
        let checked = check_response(&ctx, fixture.status, &fixture.headers, &fixture.body);
        let mut out = String::new();
        for line in &fixture.comment {
            out.push_str(&format!("# {line}\n"));
        }
        out.push_str(&format!(
            "# {:?} {} HTTP {}\n",
            fixture.operation, fixture.dialect, fixture.status
        ));
        match &checked {
            Ok(()) => match task_failure(&fixture) {
                Some(task) => {
                    out.push_str("check_response: Ok (a task state, not a failed request)\n");
                    out.push_str("task failure:\n");
                    out.push_str(&common::render(&task));
                }
                None => out.push_str("check_response: Ok\n"),
            },
            Err(err) => {
                out.push_str(&common::render(err));
                // decode_error agrees with check_response on every error response.
                let again = decode_error(&ctx, fixture.status, &fixture.headers, &fixture.body);
                assert_eq!(
                    common::render(&again),
                    common::render(err),
                    "{}",
                    path.display()
                );
            }
        }
        insta::assert_snapshot!(out);
    });
}
