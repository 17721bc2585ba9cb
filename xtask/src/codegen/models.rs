//! The models data: `kling-types/models.json` into `kling-types/src/models/generated.rs` (the
//! `MODELS` table preflight, estimates, `kling models` and the mock read) and
//! `kling-types/MODELS.md`.
//!
//! Each endpoint's rules are resolved here (the model's shared rules, then the endpoint's own,
//! `null` removing an inherited rule), and seed 000's matrix is applied to the RunBlob models
//! of its columns, so the generated table holds the final rules and the matrix is the only
//! source of the cells it decides.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::lit;

const DATA: &str = "kling-types/models.json";
const RUST_OUT: &str = "kling-types/src/models/generated.rs";
const MD_OUT: &str = "kling-types/MODELS.md";

const APIS: &[(&str, &str)] = &[
    ("legacy", "Legacy"),
    ("standard", "Standard"),
    ("runblob", "RunBlob"),
];
const KINDS: &[(&str, &str)] = &[("video", "Video"), ("image", "Image")];
const TIERS: &[(&str, &str)] = &[("std", "Std"), ("pro", "Pro"), ("single", "Single")];
const PERS: &[(&str, &str)] = &[("second", "Second"), ("image", "Image"), ("call", "Call")];
const CURRENCIES: &[(&str, &str)] = &[
    ("video_units", "VideoUnits"),
    ("image_units", "ImageUnits"),
    ("usd", "Usd"),
];
const LIST_RULES: &[&str] = &[
    "modes",
    "resolutions",
    "aspect_ratios",
    "audio",
    "image_formats",
];
const BOOL_RULES: &[&str] = &["end_frame", "multi_shot", "cfg_scale", "negative_prompt"];
const INT_RULES: &[&str] = &[
    "prompt_max",
    "images_max",
    "elements_max",
    "voices_max",
    "videos_max",
    "image_max_mb",
];
const BOOL_CONDITIONS: &[&str] = &[
    "last_frame",
    "first_frame",
    "video_input",
    "voices",
    "elements",
    "images",
    "multi_shot",
];
const LIST_CONDITIONS: &[&str] = &["audio", "mode", "resolution"];
const DEFAULT_KEYS: &[&str] = &["duration", "mode", "resolution", "audio"];

/// One resolved endpoint of one model.
#[derive(Debug, Clone)]
struct Endpoint {
    name: String,
    offered: bool,
    why: Option<String>,
    rules: Map<String, Value>,
}

#[derive(Debug)]
struct Model {
    api: &'static str,
    name: String,
    label: String,
    kind: &'static str,
    tier: Option<&'static str>,
    source: String,
    note: Option<String>,
    endpoints: Vec<Endpoint>,
    prices: Vec<Value>,
}

#[derive(Debug)]
struct MatrixRow {
    feature: String,
    field: Option<String>,
    why: Option<String>,
    cells: Vec<String>,
}

#[derive(Debug)]
struct Matrix {
    source: String,
    columns: Vec<(String, Vec<String>)>,
    rows: Vec<MatrixRow>,
}

/// What a local image file must be before it is sent inline.
#[derive(Debug)]
struct InlineImages {
    formats: Vec<String>,
    max_mb: u64,
    source: String,
}

/// How long result files live, and for which APIs.
#[derive(Debug)]
struct Retention {
    days: u64,
    apis: Vec<&'static str>,
    source: String,
}

#[derive(Debug)]
struct Data {
    inline_images: InlineImages,
    retention: Retention,
    endpoints: BTreeMap<String, Vec<(String, String)>>,
    matrix: Matrix,
    models: Vec<Model>,
}

/// The generated files with the text they should hold.
pub(super) fn render_all(root: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let path = root.join(DATA);
    let text = fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let data = parse(&text)?;
    Ok(vec![
        (root.join(RUST_OUT), render_rust(&data)),
        (root.join(MD_OUT), render_markdown(&data)),
    ])
}

fn pick(
    table: &[(&'static str, &'static str)],
    value: &str,
    at: &str,
    field: &str,
) -> Result<&'static str, String> {
    table
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(name, _)| *name)
        .ok_or_else(|| {
            let names: Vec<_> = table.iter().map(|(n, _)| *n).collect();
            format!(
                "{at}: `{field}` is {value:?}, expected one of {}",
                names.join(", ")
            )
        })
}

fn variant(table: &[(&str, &'static str)], value: &str) -> &'static str {
    table
        .iter()
        .find(|(name, _)| *name == value)
        .map_or("", |(_, v)| *v)
}

fn text(value: &Value, field: &str, at: &str) -> Result<String, String> {
    match value.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        _ => Err(format!("{at}: `{field}` must be a non-empty string")),
    }
}

fn opt_text(value: &Value, field: &str, at: &str) -> Result<Option<String>, String> {
    match value.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("{at}: `{field}` must be a string, found {other}")),
    }
}

fn object<'v>(value: &'v Value, at: &str) -> Result<&'v Map<String, Value>, String> {
    value
        .as_object()
        .ok_or_else(|| format!("{at}: must be an object"))
}

fn strings(value: &Value, at: &str) -> Result<Vec<String>, String> {
    value
        .as_array()
        .ok_or_else(|| format!("{at}: must be a list of strings"))?
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("{at}: must be a list of strings"))
        })
        .collect()
}

/// Checks a rules object's keys and value types (`null` is allowed: it removes a rule).
fn check_rules(rules: &Map<String, Value>, at: &str, endpoint_level: bool) -> Result<(), String> {
    for (key, value) in rules {
        let at = format!("{at}.{key}");
        if value.is_null() {
            continue;
        }
        match key.as_str() {
            k if LIST_RULES.contains(&k) => {
                strings(value, &at)?;
            }
            k if BOOL_RULES.contains(&k) => {
                value
                    .as_bool()
                    .ok_or_else(|| format!("{at}: must be true or false"))?;
            }
            k if INT_RULES.contains(&k) => {
                value
                    .as_u64()
                    .filter(|n| *n <= u64::from(u32::MAX))
                    .ok_or_else(|| format!("{at}: must be a whole number"))?;
            }
            "durations" => check_durations(value, &at)?,
            "defaults" => {
                for (k, v) in object(value, &at)? {
                    if !DEFAULT_KEYS.contains(&k.as_str()) {
                        return Err(format!("{at}: unknown default `{k}`"));
                    }
                    let ok = if k == "duration" {
                        v.is_u64()
                    } else {
                        v.is_string()
                    };
                    if !ok {
                        return Err(format!("{at}.{k}: wrong type"));
                    }
                }
            }
            "when" => {
                let items = value
                    .as_array()
                    .ok_or_else(|| format!("{at}: must be a list"))?;
                for (i, item) in items.iter().enumerate() {
                    let at = format!("{at}[{i}]");
                    check_condition(item.get("if").unwrap_or(&Value::Null), &format!("{at}.if"))?;
                    let then = object(
                        item.get("then").unwrap_or(&Value::Null),
                        &format!("{at}.then"),
                    )?;
                    if then.contains_key("when") || then.contains_key("defaults") {
                        return Err(format!("{at}.then: takes no `when` or `defaults`"));
                    }
                    check_rules(then, &format!("{at}.then"), false)?;
                    text(item, "why", &at)?;
                }
            }
            "offered" | "why" if endpoint_level => {}
            _ => return Err(format!("{at}: unknown rule")),
        }
    }
    Ok(())
}

fn check_durations(value: &Value, at: &str) -> Result<(), String> {
    if let Some(values) = value.as_array() {
        if values.is_empty() || !values.iter().all(Value::is_u64) {
            return Err(format!("{at}: a list of whole seconds"));
        }
        return Ok(());
    }
    let min = value.get("min").and_then(Value::as_u64);
    let max = value.get("max").and_then(Value::as_u64);
    match (min, max) {
        (Some(lo), Some(hi)) if lo <= hi => Ok(()),
        _ => Err(format!(
            "{at}: [values] or {{\"min\", \"max\"}} with min <= max"
        )),
    }
}

fn check_condition(value: &Value, at: &str) -> Result<(), String> {
    for (key, v) in object(value, at)? {
        let ok = if BOOL_CONDITIONS.contains(&key.as_str()) {
            v.is_boolean()
        } else if LIST_CONDITIONS.contains(&key.as_str()) {
            strings(v, at).is_ok()
        } else {
            return Err(format!("{at}: unknown condition `{key}`"));
        };
        if !ok {
            return Err(format!("{at}.{key}: wrong type"));
        }
    }
    Ok(())
}

/// The model's rules overlaid with an endpoint's: a key replaces, `null` removes, `defaults`
/// merge key by key.
fn overlay(base: &Map<String, Value>, over: &Map<String, Value>) -> Map<String, Value> {
    let mut out = base.clone();
    for (key, value) in over {
        if key == "offered" || key == "why" {
            continue;
        }
        if value.is_null() {
            out.remove(key);
        } else if key == "defaults" {
            let mut merged = out
                .get("defaults")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            if let Some(o) = value.as_object() {
                merged.extend(o.clone());
            }
            out.insert(key.clone(), Value::Object(merged));
        } else {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}

fn parse_model(value: &Value, at: &str, image_endpoints: &[String]) -> Result<Model, String> {
    for key in object(value, at)?.keys() {
        let known = [
            "api",
            "name",
            "label",
            "kind",
            "tier",
            "source",
            "note",
            "rules",
            "endpoints",
            "prices",
        ];
        if !known.contains(&key.as_str()) {
            return Err(format!("{at}: unknown key `{key}`"));
        }
    }
    let api = pick(APIS, &text(value, "api", at)?, at, "api")?;
    let name = text(value, "name", at)?;
    let at = format!("{at} ({name})");
    let kind = pick(KINDS, &text(value, "kind", &at)?, &at, "kind")?;
    let tier = opt_text(value, "tier", &at)?
        .map(|t| pick(TIERS, &t, &at, "tier"))
        .transpose()?;
    let empty = Map::new();
    let rules = match value.get("rules") {
        None => &empty,
        Some(r) => object(r, &format!("{at}.rules"))?,
    };
    check_rules(rules, &format!("{at}.rules"), false)?;
    let mut endpoints = Vec::new();
    for (ep, over) in object(
        value.get("endpoints").unwrap_or(&Value::Null),
        &format!("{at}.endpoints"),
    )? {
        let eat = format!("{at}.endpoints.{ep}");
        let over = object(over, &eat)?;
        check_rules(over, &eat, true)?;
        let offered = match over.get("offered") {
            None => true,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(format!("{eat}.offered: must be true or false")),
        };
        let why = match over.get("why") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(format!("{eat}.why: must be a string")),
        };
        if !offered && why.is_none() {
            return Err(format!("{eat}: an endpoint not offered needs a `why`"));
        }
        // A model's shared rules are for its own kind: a video model's durations and modes say
        // nothing of the image endpoints it also serves.
        let image = image_endpoints.contains(ep);
        let base = if image == (kind == "image") {
            rules
        } else {
            &empty
        };
        endpoints.push(Endpoint {
            name: ep.clone(),
            offered,
            why,
            rules: overlay(base, over),
        });
    }
    let mut prices = Vec::new();
    for (i, row) in value
        .get("prices")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let pat = format!("{at}.prices[{i}]");
        for key in object(row, &pat)?.keys() {
            if !["endpoints", "if", "per", "amount", "currency"].contains(&key.as_str()) {
                return Err(format!("{pat}: unknown key `{key}`"));
            }
        }
        if let Some(eps) = row.get("endpoints") {
            for ep in strings(eps, &pat)? {
                if !endpoints.iter().any(|e| e.name == ep) {
                    return Err(format!(
                        "{pat}: prices endpoint {ep:?} the model does not list"
                    ));
                }
            }
        }
        if let Some(cond) = row.get("if") {
            check_condition(cond, &format!("{pat}.if"))?;
        }
        pick(PERS, &text(row, "per", &pat)?, &pat, "per")?;
        pick(CURRENCIES, &text(row, "currency", &pat)?, &pat, "currency")?;
        row.get("amount")
            .and_then(Value::as_f64)
            .filter(|a| *a >= 0.0)
            .ok_or_else(|| format!("{pat}.amount: a number >= 0"))?;
        prices.push(row.clone());
    }
    Ok(Model {
        api,
        label: text(value, "label", &at)?,
        name,
        kind,
        tier,
        source: text(value, "source", &at)?,
        note: opt_text(value, "note", &at)?,
        endpoints,
        prices,
    })
}

fn parse_matrix(value: &Value) -> Result<Matrix, String> {
    let at = "runblob_matrix";
    let mut columns = Vec::new();
    for (title, names) in object(value.get("columns").unwrap_or(&Value::Null), at)? {
        columns.push((
            title.clone(),
            strings(names, &format!("{at}.columns.{title}"))?,
        ));
    }
    let mut rows = Vec::new();
    for (i, row) in value
        .get("rows")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{at}.rows: a list"))?
        .iter()
        .enumerate()
    {
        let rat = format!("{at}.rows[{i}]");
        let feature = text(row, "feature", &rat)?;
        let field = opt_text(row, "field", &rat)?;
        if let Some(f) = &field
            && ![
                "text-to-video",
                "image-to-video",
                "negative_prompt",
                "cfg_scale",
                "tier",
            ]
            .contains(&f.as_str())
        {
            return Err(format!("{rat}: unknown field {f:?}"));
        }
        let why = opt_text(row, "why", &rat)?;
        if field.is_none() && why.is_none() {
            return Err(format!("{rat}: a row without a field needs a `why`"));
        }
        let cells_obj = object(row.get("cells").unwrap_or(&Value::Null), &rat)?;
        let mut cells = Vec::new();
        for (title, _) in &columns {
            let cell = cells_obj
                .get(title)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{rat}: no cell for column {title:?}"))?;
            if !["Yes", "No", "Always"].contains(&cell) {
                return Err(format!("{rat}: cell {cell:?} (Yes, No or Always)"));
            }
            cells.push(cell.to_owned());
        }
        if cells_obj.len() != columns.len() {
            return Err(format!("{rat}: a cell for a column that does not exist"));
        }
        rows.push(MatrixRow {
            feature,
            field,
            why,
            cells,
        });
    }
    Ok(Matrix {
        source: text(value, "source", at)?,
        columns,
        rows,
    })
}

/// Writes the matrix's decisions into the rules of its columns' models; a model's own rules
/// may not decide the same cell.
fn apply_matrix(matrix: &Matrix, models: &mut [Model]) -> Result<(), String> {
    for (c, (title, names)) in matrix.columns.iter().enumerate() {
        for name in names {
            let model = models
                .iter_mut()
                .find(|m| m.api == "runblob" && m.name == *name)
                .ok_or_else(|| {
                    format!(
                        "runblob_matrix: column {title:?} names {name}, which no runblob model is"
                    )
                })?;
            for row in &matrix.rows {
                let cell = row.cells[c].as_str();
                let yes = cell != "No";
                let why = (!yes).then(|| {
                    format!(
                        "{name} has no {} (seed 000's matrix: \"{cell}\" for {title})",
                        row.feature.to_lowercase()
                    )
                });
                match row.field.as_deref() {
                    Some(ep @ ("text-to-video" | "image-to-video")) => {
                        let endpoint = model
                            .endpoints
                            .iter_mut()
                            .find(|e| e.name == ep)
                            .ok_or_else(|| {
                                format!("runblob_matrix: {name} lists no {ep} endpoint")
                            })?;
                        if endpoint.why.is_some() {
                            return Err(format!(
                                "{name}.{ep}: decided by runblob_matrix; remove its own `offered`/`why`"
                            ));
                        }
                        endpoint.offered = yes;
                        endpoint.why = why;
                    }
                    Some(rule @ ("negative_prompt" | "cfg_scale")) => {
                        for endpoint in &mut model.endpoints {
                            if endpoint.rules.contains_key(rule) {
                                return Err(format!(
                                    "{name}.{}: `{rule}` is decided by runblob_matrix",
                                    endpoint.name
                                ));
                            }
                            endpoint.rules.insert(rule.to_owned(), Value::Bool(yes));
                        }
                    }
                    // The tier is in the name: a `_pro` name must say so.
                    Some("tier") if name.ends_with("_pro") && model.tier != Some("pro") => {
                        return Err(format!("{name}: a `_pro` name must have tier pro"));
                    }
                    Some("tier") => {}
                    Some(other) => return Err(format!("runblob_matrix: unknown field {other}")),
                    None => {}
                }
            }
        }
        // Tier rows: a "Yes"/"Always" needs a name of that tier in the column (or a single-tier
        // name), a "No" needs none.
        for row in matrix
            .rows
            .iter()
            .filter(|r| r.field.as_deref() == Some("tier"))
        {
            let want = if row.feature.starts_with("Standard") {
                "std"
            } else {
                "pro"
            };
            let tiers: Vec<Option<&str>> = names
                .iter()
                .map(|n| {
                    models
                        .iter()
                        .find(|m| m.api == "runblob" && m.name == *n)
                        .and_then(|m| m.tier)
                })
                .collect();
            let present = tiers
                .iter()
                .any(|t| *t == Some(want) || *t == Some("single"));
            let cell = row.cells[c].as_str();
            if (cell == "No") == present {
                return Err(format!(
                    "runblob_matrix: {} is {cell:?} for {title}, but its names' tiers are {tiers:?}",
                    row.feature
                ));
            }
        }
    }
    Ok(())
}

fn parse(text: &str) -> Result<Data, String> {
    let root: Value = serde_json::from_str(text).map_err(|e| format!("{DATA}: {e}"))?;
    let mut endpoints = BTreeMap::new();
    for (api, eps) in object(root.get("endpoints").unwrap_or(&Value::Null), "endpoints")? {
        pick(APIS, api, "endpoints", "api")?;
        let mut list = Vec::new();
        for (name, what) in object(eps, &format!("endpoints.{api}"))? {
            let what = what
                .as_str()
                .ok_or_else(|| format!("endpoints.{api}.{name}: a string"))?;
            list.push((name.clone(), what.to_owned()));
        }
        endpoints.insert(api.clone(), list);
    }
    let image_endpoints = strings(
        root.get("image_endpoints").unwrap_or(&Value::Null),
        "image_endpoints",
    )?;
    let mut models = Vec::new();
    for (i, value) in root
        .get("models")
        .and_then(Value::as_array)
        .ok_or("models: a list")?
        .iter()
        .enumerate()
    {
        let model = parse_model(value, &format!("models[{i}]"), &image_endpoints)?;
        if models
            .iter()
            .any(|m: &Model| m.api == model.api && m.name == model.name)
        {
            return Err(format!("models[{i}]: {} {} twice", model.api, model.name));
        }
        let known = endpoints
            .get(model.api)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for ep in &model.endpoints {
            if !known.iter().any(|(n, _)| *n == ep.name) {
                return Err(format!(
                    "models[{i}] ({}): endpoint {:?} is not in `endpoints.{}`",
                    model.name, ep.name, model.api
                ));
            }
        }
        models.push(model);
    }
    let matrix = parse_matrix(
        root.get("runblob_matrix")
            .ok_or("runblob_matrix: missing")?,
    )?;
    apply_matrix(&matrix, &mut models)?;
    let inline = root.get("inline_images").ok_or("inline_images: missing")?;
    let formats = strings(
        inline.get("formats").unwrap_or(&Value::Null),
        "inline_images.formats",
    )?;
    for f in &formats {
        if !["jpeg", "png", "gif", "webp"].contains(&f.as_str()) {
            return Err(format!(
                "inline_images.formats: {f:?} is not jpeg, png, gif or webp"
            ));
        }
    }
    let inline_images = InlineImages {
        formats,
        max_mb: inline
            .get("max_mb")
            .and_then(Value::as_u64)
            .filter(|n| (1..=1024).contains(n))
            .ok_or("inline_images.max_mb: 1 to 1024")?,
        source: self::text(inline, "source", "inline_images")?,
    };
    let kept = root.get("retention").ok_or("retention: missing")?;
    let retention = Retention {
        days: kept
            .get("days")
            .and_then(Value::as_u64)
            .filter(|d| (1..=3650).contains(d))
            .ok_or("retention.days: 1 to 3650")?,
        apis: strings(kept.get("apis").unwrap_or(&Value::Null), "retention.apis")?
            .iter()
            .map(|a| pick(APIS, a, "retention", "apis"))
            .collect::<Result<_, _>>()?,
        source: self::text(kept, "source", "retention")?,
    };
    Ok(Data {
        inline_images,
        retention,
        endpoints,
        matrix,
        models,
    })
}

fn str_slice(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| lit(s)).collect();
    format!("&[{}]", quoted.join(", "))
}

fn opt_lit(value: Option<&str>) -> String {
    value.map_or_else(|| "None".to_owned(), |s| format!("Some({})", lit(s)))
}

fn durations_rust(value: &Value) -> String {
    match value.as_array() {
        Some(values) => {
            let v: Vec<String> = values.iter().map(ToString::to_string).collect();
            format!("Durations::OneOf(&[{}])", v.join(", "))
        }
        None => format!(
            "Durations::Range {{ min: {}, max: {} }}",
            value["min"], value["max"]
        ),
    }
}

fn rules_rust(rules: &Map<String, Value>) -> String {
    let mut fields = Vec::new();
    for (key, value) in rules {
        if value.is_null() || key == "defaults" || key == "when" {
            continue;
        }
        let rendered = if key == "durations" {
            durations_rust(value)
        } else if LIST_RULES.contains(&key.as_str()) {
            str_slice(&strings(value, key).unwrap_or_default())
        } else {
            value.to_string()
        };
        fields.push(format!("{key}: Some({rendered})"));
    }
    if fields.is_empty() {
        "Rules::NONE".to_owned()
    } else {
        format!("Rules {{ {}, ..Rules::NONE }}", fields.join(", "))
    }
}

fn condition_rust(cond: Option<&Value>) -> String {
    let Some(cond) = cond.and_then(Value::as_object) else {
        return "Condition::ALWAYS".to_owned();
    };
    let mut fields = Vec::new();
    for (key, value) in cond {
        let rendered = if LIST_CONDITIONS.contains(&key.as_str()) {
            str_slice(&strings(value, key).unwrap_or_default())
        } else {
            value.to_string()
        };
        fields.push(format!("{key}: Some({rendered})"));
    }
    if fields.is_empty() {
        "Condition::ALWAYS".to_owned()
    } else {
        format!("Condition {{ {}, ..Condition::ALWAYS }}", fields.join(", "))
    }
}

fn defaults_rust(rules: &Map<String, Value>) -> String {
    let Some(d) = rules.get("defaults").and_then(Value::as_object) else {
        return "Defaults::NONE".to_owned();
    };
    let mut fields = Vec::new();
    for (key, value) in d {
        let rendered = match value {
            Value::String(s) => lit(s),
            other => other.to_string(),
        };
        fields.push(format!("{key}: Some({rendered})"));
    }
    format!("Defaults {{ {}, ..Defaults::NONE }}", fields.join(", "))
}

fn render_rust(data: &Data) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "// @generated by `cargo xtask codegen` from kling-types/models.json. Do not edit by hand:\n\
         // edit models.json and run `cargo xtask codegen`.\n\
         \n\
         //! The models table, generated from `models.json`.\n\
         \n\
         use super::{{\n    Api, Condition, Conditional, Currency, Defaults, Durations, EndpointSpec, InlineImages, Kind,\n    Matrix, MatrixRow, ModelSpec, Per, Price, Retention, Rules, Tier,\n}};\nuse crate::common::ImageFormat;\n"
    );
    let _ = writeln!(
        w,
        "/// Every model of every API, in the order of `models.json`."
    );
    let _ = writeln!(w, "pub static MODELS: &[ModelSpec] = &[");
    for m in &data.models {
        let _ = writeln!(w, "    ModelSpec {{");
        let _ = writeln!(w, "        api: Api::{},", variant(APIS, m.api));
        let _ = writeln!(w, "        name: {},", lit(&m.name));
        let _ = writeln!(w, "        label: {},", lit(&m.label));
        let _ = writeln!(w, "        kind: Kind::{},", variant(KINDS, m.kind));
        let _ = writeln!(
            w,
            "        tier: {},",
            m.tier.map_or_else(
                || "None".to_owned(),
                |t| format!("Some(Tier::{})", variant(TIERS, t))
            )
        );
        let _ = writeln!(w, "        source: {},", lit(&m.source));
        let _ = writeln!(w, "        note: {},", opt_lit(m.note.as_deref()));
        let _ = writeln!(w, "        endpoints: &[");
        for e in &m.endpoints {
            let _ = writeln!(w, "            EndpointSpec {{");
            let _ = writeln!(w, "                endpoint: {},", lit(&e.name));
            let _ = writeln!(w, "                offered: {},", e.offered);
            let _ = writeln!(w, "                why: {},", opt_lit(e.why.as_deref()));
            let _ = writeln!(w, "                rules: {},", rules_rust(&e.rules));
            let _ = writeln!(w, "                defaults: {},", defaults_rust(&e.rules));
            let when = e.rules.get("when").and_then(Value::as_array);
            match when {
                Some(items) if !items.is_empty() => {
                    let _ = writeln!(w, "                when: &[");
                    for item in items {
                        let then = item["then"].as_object().cloned().unwrap_or_default();
                        let _ = writeln!(
                            w,
                            "                    Conditional {{ when: {}, then: {}, why: {} }},",
                            condition_rust(item.get("if")),
                            rules_rust(&then),
                            lit(item["why"].as_str().unwrap_or_default())
                        );
                    }
                    let _ = writeln!(w, "                ],");
                }
                _ => {
                    let _ = writeln!(w, "                when: &[],");
                }
            }
            let _ = writeln!(w, "            }},");
        }
        let _ = writeln!(w, "        ],");
        if m.prices.is_empty() {
            let _ = writeln!(w, "        prices: &[],");
        } else {
            let _ = writeln!(w, "        prices: &[");
            for p in &m.prices {
                let eps = p
                    .get("endpoints")
                    .map(|e| strings(e, "").unwrap_or_default())
                    .unwrap_or_default();
                let amount = p["amount"].as_f64().unwrap_or_default();
                let _ = writeln!(
                    w,
                    "            Price {{ endpoints: {}, when: {}, per: Per::{}, amount: {amount:?}, currency: Currency::{} }},",
                    str_slice(&eps),
                    condition_rust(p.get("if")),
                    variant(PERS, p["per"].as_str().unwrap_or_default()),
                    variant(CURRENCIES, p["currency"].as_str().unwrap_or_default()),
                );
            }
            let _ = writeln!(w, "        ],");
        }
        let _ = writeln!(w, "    }},");
    }
    let _ = writeln!(w, "];\n");
    let inline = &data.inline_images;
    let _ = writeln!(
        w,
        "/// What a local image file must be before it is sent inline."
    );
    let _ = writeln!(
        w,
        "pub static INLINE_IMAGES: InlineImages = InlineImages {{ formats: &[{}], max_mb: {}, source: {} }};\n",
        inline
            .formats
            .iter()
            .map(|f| format!(
                "ImageFormat::{}",
                variant(
                    &[
                        ("jpeg", "Jpeg"),
                        ("png", "Png"),
                        ("gif", "Gif"),
                        ("webp", "Webp")
                    ],
                    f
                )
            ))
            .collect::<Vec<_>>()
            .join(", "),
        inline.max_mb,
        lit(&inline.source)
    );
    let kept = &data.retention;
    let _ = writeln!(
        w,
        "/// How long result files are kept after their task was created."
    );
    let _ = writeln!(
        w,
        "pub static RETENTION: Retention = Retention {{ days: {}, apis: &[{}], source: {} }};\n",
        kept.days,
        kept.apis
            .iter()
            .map(|a| format!("Api::{}", variant(APIS, a)))
            .collect::<Vec<_>>()
            .join(", "),
        lit(&kept.source)
    );
    let mx = &data.matrix;
    let _ = writeln!(w, "/// Seed 000's Model Compatibility Matrix.");
    let _ = writeln!(w, "pub static RUNBLOB_MATRIX: Matrix = Matrix {{");
    let _ = writeln!(w, "    source: {},", lit(&mx.source));
    let _ = writeln!(w, "    columns: &[");
    for (title, names) in &mx.columns {
        let _ = writeln!(w, "        ({}, {}),", lit(title), str_slice(names));
    }
    let _ = writeln!(w, "    ],");
    let _ = writeln!(w, "    rows: &[");
    for r in &mx.rows {
        let _ = writeln!(
            w,
            "        MatrixRow {{ feature: {}, field: {}, why: {}, cells: {} }},",
            lit(&r.feature),
            opt_lit(r.field.as_deref()),
            opt_lit(r.why.as_deref()),
            str_slice(&r.cells)
        );
    }
    let _ = writeln!(w, "    ],");
    let _ = writeln!(w, "}};");
    out
}

fn md(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn list_md(rules: &Map<String, Value>, key: &str) -> String {
    match rules.get(key) {
        None | Some(Value::Null) => String::new(),
        Some(v) => {
            let items = strings(v, key).unwrap_or_default();
            if items.is_empty() {
                "none".to_owned()
            } else {
                items.join(", ")
            }
        }
    }
}

fn flag_md(rules: &Map<String, Value>, key: &str) -> &'static str {
    match rules.get(key).and_then(Value::as_bool) {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

fn durations_md(rules: &Map<String, Value>) -> String {
    match rules.get("durations") {
        None | Some(Value::Null) => String::new(),
        Some(v) => match v.as_array() {
            Some(values) => values
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            None => format!("{}-{}", v["min"], v["max"]),
        },
    }
}

fn counts_md(rules: &Map<String, Value>) -> String {
    let mut parts = Vec::new();
    for (key, what) in [
        ("images_max", "images"),
        ("elements_max", "elements"),
        ("voices_max", "voices"),
        ("videos_max", "videos"),
    ] {
        if let Some(n) = rules.get(key).and_then(Value::as_u64) {
            parts.push(format!("{what} ≤ {n}"));
        }
    }
    parts.join(", ")
}

fn condition_md(cond: Option<&Value>) -> String {
    let Some(cond) = cond.and_then(Value::as_object) else {
        return String::new();
    };
    cond.iter()
        .map(|(k, v)| match v {
            Value::Bool(true) => k.replace('_', " "),
            Value::Bool(false) => format!("no {}", k.replace('_', " ")),
            other => format!("{k} {}", strings(other, k).unwrap_or_default().join("/")),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_markdown(data: &Data) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "<!-- @generated by `cargo xtask codegen` from models.json. Do not edit by hand. -->\n\n\
         # Models\n\n\
         Every model of every API kling-rs knows, from [`models.json`](models.json): the rules\n\
         preflight validation checks before a credit is spent, and the vendor's prices. A model\n\
         that is not here is passed through unchecked; an empty cell is a rule nobody checks.\n\
         \"none\" means the field is not accepted at all. `cargo xtask codegen` writes this file.\n"
    );
    let _ = writeln!(
        w,
        "Result files are purged {} days after their task was created ({} API; {}).\n",
        data.retention.days,
        data.retention.apis.join(" and "),
        md(&data.retention.source)
    );
    let inline = &data.inline_images;
    let _ = writeln!(
        w,
        "A local image file is sent inline only when its first bytes are {} and it is at most\n\
         {} MB ({}).\n",
        inline.formats.join(", "),
        inline.max_mb,
        md(&inline.source)
    );
    for (api, title) in [
        ("legacy", "Legacy API (`model_name` in the body)"),
        ("standard", "New standard (model in the path, API key)"),
        ("runblob", "RunBlob"),
    ] {
        let _ = writeln!(w, "## {title}\n");
        if let Some(eps) = data.endpoints.get(api) {
            let _ = writeln!(
                w,
                "Endpoints: {}.\n",
                eps.iter()
                    .map(|(n, p)| format!("`{n}` = `{p}`"))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        let _ = writeln!(
            w,
            "| model | endpoint | seconds | modes / resolutions | aspect ratios | sound | end frame | multi-shot | cfg | negative | prompt ≤ | inputs |"
        );
        let _ = writeln!(w, "|---|---|---|---|---|---|---|---|---|---|---|---|");
        for m in data.models.iter().filter(|m| m.api == api) {
            for e in &m.endpoints {
                if !e.offered {
                    let _ = writeln!(
                        w,
                        "| `{}` | {} | not offered: {} ||||||||||",
                        m.name,
                        e.name,
                        md(e.why.as_deref().unwrap_or_default())
                    );
                    continue;
                }
                let r = &e.rules;
                let mut tiers = list_md(r, "modes");
                let res = list_md(r, "resolutions");
                if !res.is_empty() {
                    if !tiers.is_empty() {
                        tiers.push_str("; ");
                    }
                    tiers.push_str(&res);
                }
                let _ = writeln!(
                    w,
                    "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    m.name,
                    e.name,
                    durations_md(r),
                    tiers,
                    list_md(r, "aspect_ratios"),
                    list_md(r, "audio"),
                    flag_md(r, "end_frame"),
                    flag_md(r, "multi_shot"),
                    flag_md(r, "cfg_scale"),
                    flag_md(r, "negative_prompt"),
                    r.get("prompt_max")
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    counts_md(r)
                );
            }
        }
        let _ = writeln!(w);
        let mut conditions = Vec::new();
        for m in data.models.iter().filter(|m| m.api == api) {
            for e in &m.endpoints {
                for item in e
                    .rules
                    .get("when")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    conditions.push(format!(
                        "- `{}` {}: when {}: {}",
                        m.name,
                        e.name,
                        condition_md(item.get("if")),
                        md(item["why"].as_str().unwrap_or_default())
                    ));
                }
            }
        }
        if !conditions.is_empty() {
            let _ = writeln!(w, "Conditional rules:\n");
            for c in conditions {
                let _ = writeln!(w, "{c}");
            }
            let _ = writeln!(w);
        }
    }
    let _ = writeln!(w, "## Prices\n");
    let _ = writeln!(
        w,
        "The first row of a model that holds prices a create (`kling-api.md` section 11; a video\n\
         unit is listed at US$0.14, an image unit at US$0.0035).\n"
    );
    let _ = writeln!(w, "| model | endpoints | when | price |");
    let _ = writeln!(w, "|---|---|---|---|");
    for m in &data.models {
        for p in &m.prices {
            let eps = p
                .get("endpoints")
                .map(|e| strings(e, "").unwrap_or_default().join(", "))
                .unwrap_or_else(|| "all".to_owned());
            let currency = p["currency"].as_str().unwrap_or_default().replace('_', " ");
            let _ = writeln!(
                w,
                "| `{}` ({}) | {} | {} | {} {} per {} |",
                m.name,
                m.api,
                eps,
                condition_md(p.get("if")),
                p["amount"],
                currency,
                p["per"].as_str().unwrap_or_default()
            );
        }
    }
    let mx = &data.matrix;
    let _ = writeln!(w, "\n## Seed 000's matrix (RunBlob classic)\n");
    let _ = writeln!(
        w,
        "{}. Columns: {}.\n",
        md(&mx.source),
        mx.columns
            .iter()
            .map(|(t, n)| format!(
                "{t} = {}",
                n.iter()
                    .map(|x| format!("`{x}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let titles: Vec<&str> = mx.columns.iter().map(|(t, _)| t.as_str()).collect();
    let _ = writeln!(w, "| feature | {} | enforced through |", titles.join(" | "));
    let _ = writeln!(w, "|---|{}---|", "---|".repeat(titles.len()));
    for r in &mx.rows {
        let how = match (&r.field, &r.why) {
            (Some(f), Some(why)) => format!("`{f}` ({})", md(why)),
            (Some(f), None) => format!("`{f}`"),
            (None, Some(why)) => format!("no field: {}", md(why)),
            (None, None) => String::new(),
        };
        let _ = writeln!(w, "| {} | {} | {how} |", r.feature, r.cells.join(" | "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(models: &str, matrix_cell: &str) -> String {
        format!(
            r#"{{"endpoints": {{"runblob": {{"text-to-video": "t", "image-to-video": "i"}}}},
            "inline_images": {{"formats": ["png"], "max_mb": 10, "source": "s"}},
            "retention": {{"days": 30, "apis": ["legacy"], "source": "s"}},
            "image_endpoints": [],
            "runblob_matrix": {{"source": "s", "columns": {{"A": ["m"]}}, "rows": [
              {{"feature": "Text-to-Video", "field": "text-to-video", "cells": {{"A": "{matrix_cell}"}}}}]}},
            "models": [{models}]}}"#
        )
    }

    const MODEL: &str = r#"{"api": "runblob", "name": "m", "label": "M", "kind": "video", "source": "s",
        "rules": {"durations": [5, 10]}, "endpoints": {"text-to-video": {}, "image-to-video": {"durations": null}}}"#;

    #[test]
    fn the_matrix_decides_its_cells_and_endpoints_inherit_rules() {
        let d = parse(&data(MODEL, "No")).expect("valid");
        let m = &d.models[0];
        let t2v = &m
            .endpoints
            .iter()
            .find(|e| e.name == "text-to-video")
            .unwrap();
        assert!(!t2v.offered);
        assert_eq!(
            t2v.why.as_deref(),
            Some("m has no text-to-video (seed 000's matrix: \"No\" for A)")
        );
        let i2v = &m
            .endpoints
            .iter()
            .find(|e| e.name == "image-to-video")
            .unwrap();
        assert!(
            !i2v.rules.contains_key("durations"),
            "null removes an inherited rule"
        );
        assert!(t2v.rules.contains_key("durations"));
        let rust = render_rust(&d);
        assert!(rust.contains("offered: false"));
        assert!(rust.contains("Durations::OneOf(&[5, 10])"));
    }

    #[test]
    fn typos_fail_naming_the_entry() {
        let bad = MODEL.replace("durations\": [5, 10]", "duration\": [5, 10]");
        let err = parse(&data(&bad, "Yes")).unwrap_err();
        assert!(err.contains("(m).rules.duration: unknown rule"), "{err}");
        let err = parse(&data(MODEL, "Maybe")).unwrap_err();
        assert!(err.contains("Maybe"), "{err}");
        let own = MODEL.replace(
            "\"text-to-video\": {}",
            "\"text-to-video\": {\"offered\": false, \"why\": \"w\"}",
        );
        assert!(
            parse(&data(&own, "Yes"))
                .unwrap_err()
                .contains("decided by runblob_matrix")
        );
    }
}
