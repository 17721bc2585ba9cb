//! Balances go down as the mock charges: the resource pack of `/account/costs` agrees with the
//! unit ledger (with and without configured credits, after a top-up), and RunBlob's balance
//! loses each generation's price.

mod common;

use common::{Auth, call, get, post};
use kling_core::http::Method;
use kling_mock::{MockConfig, MockServer};
use serde_json::{Value, json};

/// The pack as `/account/costs` shows it: (total, remaining).
fn pack(mock: &MockServer) -> (f64, f64) {
    let costs = get(mock, "/account/costs?start_time=0&end_time=9999999999999");
    let pack = &costs.1["data"]["resource_pack_subscribe_infos"][0];
    (
        pack["total_quantity"].as_f64().unwrap(),
        pack["remaining_quantity"].as_f64().unwrap(),
    )
}

/// Every row of the unit ledger, oldest first.
fn ledger(mock: &MockServer) -> Vec<Value> {
    let page = post(
        mock,
        "/account/billing/package",
        json!({"start_time": 0, "end_time": 9_999_999_999_999i64}),
    );
    page.1["data"]["result"]["detail"]
        .as_array()
        .unwrap()
        .clone()
}

fn units(row: &Value, key: &str) -> f64 {
    row[key].as_str().unwrap().parse().unwrap()
}

/// The pack minus the ledger's deductions is what `/account/costs` shows; without top-ups
/// (`chained`), each row starts where the one before ended.
fn assert_agrees(mock: &MockServer, chained: bool) {
    let (total, remaining) = pack(mock);
    let rows = ledger(mock);
    let spent: f64 = rows.iter().map(|r| units(r, "deduction_amount")).sum();
    assert_eq!(remaining, total - spent, "{rows:#?}");
    if let Some(last) = rows.last() {
        assert_eq!(units(last, "unit_after_deduction"), remaining, "{rows:#?}");
    }
    for pair in rows.windows(2).filter(|_| chained) {
        assert_eq!(
            units(&pair[0], "unit_after_deduction"),
            units(&pair[1], "unit_before_deduction"),
            "{rows:#?}"
        );
    }
}

#[test]
fn an_unlimited_pack_shows_what_the_tasks_took() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    assert_eq!(pack(&mock), (100_000.0, 100_000.0));
    post(&mock, "/v1/videos/text2video", json!({"prompt": "a fox"}));
    post(
        &mock,
        "/v1/images/generations",
        json!({"prompt": "a lighthouse", "n": 2}),
    );
    // A task that fails is refunded: neither on the ledger nor off the pack.
    post(
        &mock,
        "/v1/videos/text2video",
        json!({"prompt": "a doomed fox"}),
    );
    assert_eq!(pack(&mock), (100_000.0, 99_997.0));
    assert_eq!(ledger(&mock).len(), 2);
    assert_agrees(&mock, true);
}

#[test]
fn configured_credits_and_top_ups_agree_with_the_ledger() {
    let mock = MockServer::start(MockConfig::instant().credits(5)).unwrap();
    post(
        &mock,
        "/v1/images/generations",
        json!({"prompt": "a lighthouse", "n": 4}),
    );
    assert_eq!(pack(&mock), (5.0, 1.0));
    mock.top_up(10);
    assert_eq!(pack(&mock), (15.0, 11.0));
    post(&mock, "/v1/videos/text2video", json!({"prompt": "a fox"}));
    assert_eq!(pack(&mock), (15.0, 10.0));
    assert_agrees(&mock, false);
    let rows = ledger(&mock);
    assert_eq!(
        units(&rows[1], "unit_before_deduction"),
        11.0,
        "the top-up is in the balance before the next charge"
    );
}

#[test]
fn runblob_balance_goes_down_by_each_price() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let key = |method, path: &str, body| call(&mock, method, path, Auth::Key, body);
    let balance = || key(Method::Get, "/runblob/v1/data/balance", None).1["balance"].clone();
    assert_eq!(balance(), "100.00");
    let mut expected = 10_000;
    for (product, body) in [
        ("", json!({"prompt": "a fox"})),
        ("o1-video/", json!({"prompt": "a fox", "duration": "5"})),
        ("o3-video/", json!({"prompt": "a fox"})),
        ("o3-photo/", json!({"prompt": "a cat"})),
        // Failed generations are refunded.
        ("", json!({"prompt": "a doomed fox"})),
    ] {
        let created = key(
            Method::Post,
            &format!("/runblob/v1/kling/{product}generate"),
            Some(body.clone()),
        );
        assert_eq!(created.0, 201, "{}", created.1);
        let price = created.1["price"].as_str().unwrap();
        let cents = (price.parse::<f64>().unwrap() * 100.0).round() as i64;
        if !body["prompt"].as_str().unwrap().contains("doomed") {
            expected -= cents;
        }
        let shown = format!("{}.{:02}", expected / 100, expected % 100);
        assert_eq!(
            balance(),
            shown.as_str(),
            "after {product}generate at {price}"
        );
    }
    assert_eq!(balance(), "99.31");

    // With credits: that many units at the classic price; short of a price, 402.
    let mock = MockServer::start(MockConfig::instant().credits(3)).unwrap();
    let key = |method, path: &str, body| call(&mock, method, path, Auth::Key, body);
    let o3 = || {
        key(
            Method::Post,
            "/runblob/v1/kling/o3-video/generate",
            Some(json!({"prompt": "a fox"})),
        )
    };
    assert_eq!(o3().0, 201);
    assert_eq!(
        key(Method::Get, "/runblob/v1/data/balance", None).1["balance"],
        "0.15"
    );
    let refused = o3();
    assert_eq!(
        (refused.0, refused.1["detail"].as_str()),
        (402, Some("INSUFFICIENT_CREDITS"))
    );
    mock.top_up(1);
    assert_eq!(o3().0, 201, "a top-up pays for another");
    assert_eq!(
        key(Method::Get, "/runblob/v1/data/balance", None).1["balance"],
        "0.00"
    );
}
