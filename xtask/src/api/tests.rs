//! The walker on rustdoc JSON fixtures (no nightly, no network at test time).

use super::walk::id_key;
use super::*;

const TOKIO_FN: &str = include_str!("../../tests/fixtures/api_tokio_fn.json");
const CLEAN: &str = include_str!("../../tests/fixtures/api_clean.json");
const SHAPES: &str = include_str!("../../tests/fixtures/api_shapes.json");

fn walk_str(json: &str, rules: Rules<'_>) -> Result<Report, String> {
    walk(&serde_json::from_str(json).unwrap(), rules)
}

#[test]
fn a_planted_tokio_type_is_named_with_its_function() {
    let report = walk_str(TOKIO_FN, RULES).unwrap();
    assert_eq!(report.format_version, TESTED_FORMAT);
    assert_eq!(report.violations.len(), 1, "{:?}", report.violations);
    let v = &report.violations[0];
    assert_eq!(v.item, "sigfix::f");
    assert_eq!(v.krate, "tokio");
    assert_eq!(v.foreign, "tokio::sync::mpsc::unbounded::UnboundedSender");
    let message = v.to_string();
    assert!(
        message.contains("sigfix::f") && message.contains("tokio"),
        "{message}"
    );
}

#[test]
fn a_crate_that_uses_tokio_only_inside_passes() {
    let report = walk_str(CLEAN, RULES).unwrap();
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    assert!(report.references > 0, "the walk saw the signatures");
}

#[test]
fn every_place_a_foreign_type_hides_is_found() {
    let rules = Rules {
        forbidden: FORBIDDEN,
        allowed: &[Allowance {
            krate: "shapes",
            foreign: "tokio",
            module: "allowed",
        }],
    };
    let report = walk_str(SHAPES, rules).unwrap();
    let found: Vec<(String, String)> = report
        .violations
        .iter()
        .map(|v| (v.item.clone(), v.place.clone()))
        .collect();
    let expected = [
        ("shapes::Holder::lock", "field type"),
        ("shapes::Fine::receiver", "return type"),
        ("<shapes::Fine as From<TryLockError>>", "implemented trait"),
        (
            "<shapes::Fine as From<TryLockError>>::from",
            "parameter `_`",
        ),
        ("shapes::Source::Chan", "bounds"),
        ("shapes::Source::take", "generic bounds"),
        ("shapes::Alias", "aliased type"),
        ("shapes::Notifier", "re-export"),
        ("shapes::Event::Woken::0", "field type"),
        ("shapes::hidden", "parameter `_`"),
        ("shapes::made", "return type"),
        ("<tokio::sync::Notify as From<Fine>>", "implementing type"),
        ("<tokio::sync::Semaphore as Source>", "implementing type"),
        ("<tokio::sync::Semaphore as Source>::Chan", "type"),
        ("<tokio::sync::Semaphore as Source>::take", "generic bounds"),
    ];
    for (item, place) in expected {
        assert!(
            found.iter().any(|(i, p)| i == item && p == place),
            "{item} ({place}) not reported; found {found:#?}"
        );
    }
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    assert!(report.violations.iter().all(|v| v.krate == "tokio"));
    // Private items, private fields and the allowed module are not reported.
    for clean in [
        "::private_method",
        "::private_fn",
        "::allowed::fine",
        "::clean",
        "::Quiet",
        "::private",
        "::n",
    ] {
        assert!(
            !found.iter().any(|(i, _)| i.ends_with(clean)),
            "{clean} reported: {found:#?}"
        );
    }
}

#[test]
fn without_the_allowance_the_allowed_module_is_reported() {
    let report = walk_str(SHAPES, RULES).unwrap();
    assert!(
        report
            .violations
            .iter()
            .any(|v| v.item == "shapes::allowed::fine")
    );
}

#[test]
fn an_impl_no_public_item_lists_is_still_walked() {
    // Unlist `impl From<Fine> for tokio::sync::Notify` from `Fine`: the pass over every
    // impl finds it all the same.
    let mut doc: Value = serde_json::from_str(SHAPES).unwrap();
    let index = doc["index"].as_object().unwrap().clone();
    let listed_under_fine = |i: &Value| {
        let id = id_key(i).unwrap();
        let imp = &index[&id]["inner"]["impl"];
        imp["for"]["resolved_path"]["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("Notify"))
    };
    let mut removed = 0;
    for item in doc["index"].as_object_mut().unwrap().values_mut() {
        if item["name"] == "Fine" {
            let impls = item["inner"]["struct"]["impls"].as_array_mut().unwrap();
            let before = impls.len();
            impls.retain(|i| !listed_under_fine(i));
            removed += before - impls.len();
        }
    }
    assert_eq!(removed, 1);
    let report = walk(&doc, RULES).unwrap();
    assert!(
        report
            .violations
            .iter()
            .any(|v| v.item == "<tokio::sync::Notify as From<Fine>>"),
        "{:#?}",
        report.violations
    );
}

#[test]
fn an_unknown_shape_fails_loudly() {
    let mut doc: Value = serde_json::from_str(TOKIO_FN).unwrap();
    // A function whose signature moved to a field the walker does not know.
    for item in doc["index"].as_object_mut().unwrap().values_mut() {
        if let Some(f) = item["inner"].get_mut("function") {
            let sig = f.as_object_mut().unwrap().remove("sig").unwrap();
            f["signature"] = sig;
        }
    }
    let e = walk(&doc, RULES).unwrap_err();
    assert!(e.contains("format_version 57"), "{e}");
    // An item kind it has never seen.
    let mut doc: Value = serde_json::from_str(TOKIO_FN).unwrap();
    for item in doc["index"].as_object_mut().unwrap().values_mut() {
        if let Some(f) = item["inner"].as_object_mut().unwrap().remove("function") {
            item["inner"]["fn_item"] = f;
        }
    }
    assert!(walk(&doc, RULES).unwrap_err().contains("unknown kind"));
    assert!(walk(&serde_json::json!({"index": {}}), RULES).is_err());
}

#[test]
fn older_string_ids_resolve_too() {
    // The same fixture with the string ids of older formats ("0:12").
    let text = TOKIO_FN.to_owned();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    fn stringify(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if (k == "id" || k == "root") && x.is_number() {
                        *x = Value::String(format!("0:{x}"));
                    } else if k == "items" {
                        if let Some(a) = x.as_array_mut() {
                            for i in a.iter_mut().filter(|i| i.is_number()) {
                                *i = Value::String(format!("0:{i}"));
                            }
                        }
                    } else {
                        stringify(x);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(stringify),
            _ => {}
        }
    }
    stringify(&mut doc);
    for table in ["index", "paths"] {
        let old = doc[table].as_object().unwrap().clone();
        doc[table] = Value::Object(
            old.into_iter()
                .map(|(k, v)| (format!("0:{k}"), v))
                .collect(),
        );
    }
    let report = walk(&doc, RULES).unwrap();
    assert_eq!(report.violations.len(), 1);
    assert_eq!(report.violations[0].item, "sigfix::f");
}
