//! The walk over rustdoc's JSON: every public item's signature, traced to the crates that
//! define the types it names.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Map, Value};

use super::{Report, Rules, TESTED_FORMAT, Violation};

pub(crate) fn walk(doc: &Value, rules: Rules<'_>) -> Result<Report, String> {
    let format_version = doc
        .get("format_version")
        .and_then(Value::as_u64)
        .ok_or("not rustdoc JSON: no numeric `format_version`")?;
    let unknown_shape = |what: &str| {
        format!(
            "rustdoc JSON format_version {format_version} (this check knows {TESTED_FORMAT}): \
             {what}; update xtask/src/api.rs for the new shape"
        )
    };
    let object = |key: &str| {
        doc.get(key)
            .and_then(Value::as_object)
            .ok_or_else(|| unknown_shape(&format!("no `{key}` object")))
    };
    let (index, paths, crates) = (
        object("index")?,
        object("paths")?,
        object("external_crates")?,
    );
    let root = doc
        .get("root")
        .and_then(id_key)
        .ok_or_else(|| unknown_shape("no `root` id"))?;
    let root_item = index
        .get(&root)
        .ok_or_else(|| unknown_shape("the root id is not in `index`"))?;
    if kind_of(root_item).map(|(k, _)| k) != Some("module") {
        return Err(unknown_shape("the root item is not a module"));
    }
    let krate = root_item
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| unknown_shape("the root module has no name"))?
        .to_owned();
    let mut walker = Walker {
        index,
        paths,
        crates,
        rules,
        krate: krate.clone(),
        seen: HashSet::new(),
        found: BTreeSet::new(),
        items: 0,
        functions: 0,
        references: 0,
    };
    walker.item(&root, &krate).map_err(|e| unknown_shape(&e))?;
    // Impls no public type or trait of ours leads to: our impls of another crate's traits for
    // another crate's types (`impl kling_core::Transport for ureq::Agent`). rustdoc keeps only
    // the impls a user can use, so each is API.
    let rest: Vec<String> = index
        .iter()
        .filter(|(id, item)| {
            !walker.seen.contains(*id) && matches!(kind_of(item), Some(("impl", _)))
        })
        .map(|(id, _)| id.clone())
        .collect();
    for id in rest {
        walker
            .impl_block(&id, None)
            .map_err(|e| unknown_shape(&e))?;
    }
    if walker.functions > 0 && walker.references == 0 {
        return Err(unknown_shape(
            "functions were walked but no type path was found in any signature",
        ));
    }
    Ok(Report {
        format_version,
        items: walker.items,
        references: walker.references,
        violations: walker.found.into_iter().collect(),
    })
}

/// An id as the key of `index` and `paths`: numeric (current) or string (older formats).
pub(super) fn id_key(id: &Value) -> Option<String> {
    match id {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// An item's kind and payload: `"inner": {"function": {..}}` (current), or `"kind"` beside
/// `"inner"` (older formats).
fn kind_of(item: &Value) -> Option<(&str, &Value)> {
    let inner = item.get("inner")?;
    match (inner.as_object(), item.get("kind").and_then(Value::as_str)) {
        (_, Some(kind)) => Some((kind, inner)),
        (Some(map), None) if map.len() == 1 => map.iter().next().map(|(k, v)| (k.as_str(), v)),
        _ => None,
    }
}

/// Whether a user can name an item: `pub`, or an item whose visibility is its parent's (trait
/// items, variants, trait impls' items).
fn visible(item: &Value) -> bool {
    matches!(
        item.get("visibility").and_then(Value::as_str),
        Some("public" | "default")
    )
}

/// The walk of one crate.
struct Walker<'a> {
    index: &'a Map<String, Value>,
    paths: &'a Map<String, Value>,
    crates: &'a Map<String, Value>,
    rules: Rules<'a>,
    krate: String,
    seen: HashSet<String>,
    found: BTreeSet<Violation>,
    items: usize,
    functions: usize,
    references: usize,
}

impl Walker<'_> {
    /// Walks the item `id`, named `name` where the user reaches it.
    fn item(&mut self, id: &str, name: &str) -> Result<(), String> {
        let Some(item) = self.index.get(id) else {
            // An item of another crate that rustdoc did not inline: checked in its own crate.
            return Ok(());
        };
        if let Some(("impl", _)) = kind_of(item) {
            return self.impl_block(id, None);
        }
        if !self.seen.insert(id.to_owned()) {
            return Ok(());
        }
        let Some((kind, inner)) = kind_of(item) else {
            return Err(format!("item {id} ({name}) has no kind"));
        };
        self.items += 1;
        let child_name = |child: &Value| -> String {
            match child.get("name").and_then(Value::as_str) {
                Some(n) => format!("{name}::{n}"),
                None => name.to_owned(),
            }
        };
        match kind {
            "module" => self.module_items(inner, name)?,
            "struct" | "union" => {
                self.scan(inner.get("generics"), name, "generic bounds", item);
                let fields = inner
                    .get("kind")
                    .map_or_else(|| ids(inner.get("fields")), |k| fields_of(Some(k)));
                self.fields(&fields, name)?;
                self.impls(ids(inner.get("impls")), id, name)?;
            }
            "enum" => {
                self.scan(inner.get("generics"), name, "generic bounds", item);
                for v in ids(inner.get("variants")) {
                    let n = self.index.get(&v).map_or(name.to_owned(), child_name);
                    self.item(&v, &n)?;
                }
                self.impls(ids(inner.get("impls")), id, name)?;
            }
            "variant" => {
                let fields = fields_of(inner.get("kind"));
                self.fields(&fields, name)?;
            }
            "struct_field" => self.scan(Some(inner), name, "field type", item),
            "function" | "method" => {
                self.functions += 1;
                let Some(sig) = inner.get("sig").or_else(|| inner.get("decl")) else {
                    return Err(format!("function {name} has neither `sig` nor `decl`"));
                };
                if let Some(inputs) = sig.get("inputs").and_then(Value::as_array) {
                    for input in inputs {
                        let pname = input.get(0).and_then(Value::as_str).unwrap_or("_");
                        let place = if pname == "self" {
                            "receiver".to_owned()
                        } else {
                            format!("parameter `{pname}`")
                        };
                        self.scan(input.get(1), name, &place, item);
                    }
                }
                self.scan(sig.get("output"), name, "return type", item);
                self.scan(inner.get("generics"), name, "generic bounds", item);
            }
            "trait" => {
                self.scan(inner.get("generics"), name, "generic bounds", item);
                self.scan(inner.get("bounds"), name, "supertraits", item);
                for i in ids(inner.get("items")) {
                    let n = self.index.get(&i).map_or(name.to_owned(), child_name);
                    self.item(&i, &n)?;
                }
                for i in ids(inner.get("implementations")) {
                    self.impl_block(&i, None)?;
                }
            }
            "trait_alias" => {
                self.scan(inner.get("generics"), name, "generic bounds", item);
                self.scan(inner.get("params"), name, "bounds", item);
            }
            "type_alias" | "typedef" => {
                self.scan(inner.get("type"), name, "aliased type", item);
                self.scan(inner.get("generics"), name, "generic bounds", item);
            }
            "assoc_type" => {
                self.scan(inner.get("generics"), name, "generic bounds", item);
                self.scan(inner.get("bounds"), name, "bounds", item);
                self.scan(
                    inner.get("type").or_else(|| inner.get("default")),
                    name,
                    "type",
                    item,
                );
            }
            "assoc_const" | "constant" | "static" => {
                self.scan(inner.get("type"), name, "type", item);
            }
            "use" | "import" => self.reexport(id, inner, name, item)?,
            "extern_crate" => {
                let source = inner.get("name").and_then(Value::as_str).unwrap_or("");
                self.check_crate(source, source, name, "re-export", item);
            }
            "macro" | "proc_macro" | "primitive" | "extern_type" | "keyword" => {}
            other => return Err(format!("item {name} is of an unknown kind `{other}`")),
        }
        Ok(())
    }

    /// The public items of a module (`inner`: its payload) named `name`.
    fn module_items(&mut self, inner: &Value, name: &str) -> Result<(), String> {
        for child in ids(inner.get("items")) {
            let Some(c) = self.index.get(&child) else {
                continue;
            };
            if !visible(c) {
                continue;
            }
            if let Some(("use" | "import", u)) = kind_of(c) {
                self.reexport(&child, u, name, c)?;
            } else {
                let n = match c.get("name").and_then(Value::as_str) {
                    Some(n) => format!("{name}::{n}"),
                    None => name.to_owned(),
                };
                self.item(&child, &n)?;
            }
        }
        Ok(())
    }

    /// A `pub use` in the module named `parent`: a re-export of a forbidden crate's item is a
    /// violation; a local (or inlined) target is walked under its new name.
    fn reexport(&mut self, id: &str, u: &Value, parent: &str, item: &Value) -> Result<(), String> {
        self.seen.insert(id.to_owned());
        let glob = u
            .get("is_glob")
            .or_else(|| u.get("glob"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let shown = u.get("name").and_then(Value::as_str).unwrap_or("*");
        let name = if glob {
            parent.to_owned()
        } else {
            format!("{parent}::{shown}")
        };
        let source = u.get("source").and_then(Value::as_str).unwrap_or(shown);
        match u.get("id").and_then(id_key) {
            Some(target) => {
                self.reference(&target, source, &name, "re-export", item);
                if glob {
                    // The module's items become the parent's.
                    match self.index.get(&target).and_then(kind_of) {
                        Some(("module", m)) => self.module_items(m, &name),
                        _ => Ok(()),
                    }
                } else {
                    self.item(&target, &name)
                }
            }
            // A primitive or a target rustdoc could not resolve: judged by its written path.
            None => {
                let first = source.split("::").next().unwrap_or("");
                self.check_crate(first, source, &name, "re-export", item);
                Ok(())
            }
        }
    }

    /// Fields (ids; `null` for a stripped tuple field).
    fn fields(&mut self, fields: &[String], owner: &str) -> Result<(), String> {
        for (position, f) in fields.iter().enumerate() {
            let Some(field) = self.index.get(f) else {
                continue;
            };
            if !visible(field) {
                continue;
            }
            let n = match field.get("name").and_then(Value::as_str) {
                Some(n) => format!("{owner}::{n}"),
                None => format!("{owner}::{position}"),
            };
            self.item(f, &n)?;
        }
        Ok(())
    }

    /// The impls listed under the type `owner_id`, named `owner`.
    fn impls(&mut self, impls: Vec<String>, owner_id: &str, owner: &str) -> Result<(), String> {
        for i in impls {
            self.impl_block(&i, Some((owner_id, owner)))?;
        }
        Ok(())
    }

    /// One impl block: its trait, its `for` type, its bounds, its items. `owner` is the id and
    /// public name of the type it is listed under (`None`: reached from a trait, or by the last
    /// pass over every impl).
    fn impl_block(&mut self, id: &str, owner: Option<(&str, &str)>) -> Result<(), String> {
        let Some(item) = self.index.get(id) else {
            return Ok(());
        };
        let Some(("impl", inner)) = kind_of(item) else {
            return Err(format!("impl {id} is not an impl"));
        };
        let synthetic = inner
            .get("is_synthetic")
            .or_else(|| inner.get("synthetic"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let blanket = inner.get("blanket_impl").is_some_and(|b| !b.is_null());
        if synthetic || blanket {
            // Auto traits, and copies of another crate's blanket impls: not our API.
            return Ok(());
        }
        if !self.seen.insert(id.to_owned()) {
            return Ok(());
        }
        self.items += 1;
        // Named by its `for` type: the owner's public path when it is the owner (rustdoc also
        // lists `impl From<Ours> for Theirs` under `Ours`), else as rustdoc wrote it.
        let for_id = inner
            .get("for")
            .and_then(|t| t.get("resolved_path"))
            .and_then(|p| p.get("id"))
            .and_then(id_key);
        let for_type = match owner {
            Some((owner_id, owner)) if for_id.as_deref() == Some(owner_id) => owner.to_owned(),
            _ => render(inner.get("for")),
        };
        let trait_ = inner.get("trait").filter(|t| !t.is_null());
        let name = match trait_ {
            Some(t) => format!("<{for_type} as {}>", render_path(t)),
            None => for_type,
        };
        self.scan(trait_, &name, "implemented trait", item);
        self.scan(inner.get("for"), &name, "implementing type", item);
        self.scan(inner.get("generics"), &name, "generic bounds", item);
        for i in ids(inner.get("items")) {
            let Some(it) = self.index.get(&i) else {
                continue;
            };
            // Inherent impls: only `pub` items. Trait impls: every item (visibility "default").
            if !visible(it) {
                continue;
            }
            let n = match it.get("name").and_then(Value::as_str) {
                Some(n) => format!("{name}::{n}"),
                None => name.clone(),
            };
            self.item(&i, &n)?;
        }
        Ok(())
    }

    /// Finds every type path in `value` (a type, a signature, bounds...) and checks its crate.
    fn scan(&mut self, value: Option<&Value>, name: &str, place: &str, item: &Value) {
        let Some(value) = value else { return };
        match value {
            Value::Object(map) => {
                // A path to an item: `{"path": "Foo", "id": 3, "args": ..}` (current) or
                // `{"name": "Foo", "id": "0:3", ..}` (older formats).
                let written = map
                    .get("path")
                    .or_else(|| map.get("name"))
                    .and_then(Value::as_str);
                if let (Some(written), Some(target)) = (written, map.get("id").and_then(id_key)) {
                    self.reference(&target, written, name, place, item);
                }
                for v in map.values() {
                    self.scan(Some(v), name, place, item);
                }
            }
            Value::Array(values) => {
                for v in values {
                    self.scan(Some(v), name, place, item);
                }
            }
            _ => {}
        }
    }

    /// Resolves the item `target` (written `written` in the source) to its crate and checks it.
    fn reference(&mut self, target: &str, written: &str, name: &str, place: &str, item: &Value) {
        let summary = self.paths.get(target);
        let crate_id = summary
            .and_then(|s| s.get("crate_id"))
            .or_else(|| self.index.get(target).and_then(|i| i.get("crate_id")))
            .and_then(Value::as_u64);
        let (krate, foreign) = match crate_id {
            Some(0) => {
                self.references += 1;
                return;
            }
            Some(c) => {
                let krate = self
                    .crates
                    .get(&c.to_string())
                    .and_then(|e| e.get("name"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let full = summary
                    .and_then(|s| s.get("path"))
                    .and_then(Value::as_array)
                    .map(|segments| {
                        segments
                            .iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join("::")
                    })
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| written.to_owned());
                (krate, full)
            }
            // Unknown to both tables: only a fully written path tells its crate.
            None => (
                written.split("::").next().unwrap_or("").to_owned(),
                written.to_owned(),
            ),
        };
        self.references += 1;
        self.check_crate(&krate, &foreign, name, place, item);
    }

    /// Records a violation when `krate` is forbidden and not allowed where `item` is.
    fn check_crate(&mut self, krate: &str, foreign: &str, name: &str, place: &str, item: &Value) {
        let krate = krate.replace('-', "_");
        if !self
            .rules
            .forbidden
            .iter()
            .any(|f| f.replace('-', "_") == krate)
        {
            return;
        }
        if self.allowed_in(&krate, name, item) {
            return;
        }
        self.found.insert(Violation {
            item: name.to_owned(),
            place: place.to_owned(),
            foreign: foreign.to_owned(),
            krate,
        });
    }

    /// Whether `foreign` is allowed in `item` (named `name`): the item is declared in, or
    /// reached through, a module an [`Allowance`](super::Allowance) names.
    fn allowed_in(&self, foreign: &str, name: &str, item: &Value) -> bool {
        self.rules.allowed.iter().any(|a| {
            if a.krate != self.krate || a.foreign != foreign {
                return false;
            }
            let module = format!("{}::{}", a.krate, a.module);
            let by_name = name == module || name.starts_with(&format!("{module}::"));
            let by_path = item
                .get("id")
                .and_then(id_key)
                .and_then(|id| self.paths.get(&id))
                .and_then(|s| s.get("path"))
                .and_then(Value::as_array)
                .is_some_and(|p| {
                    p.first().and_then(Value::as_str) == Some(a.krate)
                        && p.get(1).and_then(Value::as_str) == Some(a.module)
                });
            let by_file = item
                .get("span")
                .and_then(|s| s.get("filename"))
                .and_then(Value::as_str)
                .is_some_and(|f| {
                    let f = f.replace('\\', "/");
                    f.contains(&format!("src/{}/", a.module))
                        || f.ends_with(&format!("src/{}.rs", a.module))
                });
            by_name || by_path || by_file
        })
    }
}

/// The ids in an array (`null`s skipped).
fn ids(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(id_key).collect())
        .unwrap_or_default()
}

/// The field ids of a struct's or variant's kind: `"plain"`/`"unit"`, `{"tuple": [id|null]}`,
/// `{"plain"|"struct": {"fields": [id]}}`.
fn fields_of(kind: Option<&Value>) -> Vec<String> {
    let Some(Value::Object(map)) = kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for v in map.values() {
        match v {
            Value::Array(_) => out.extend(ids(Some(v))),
            Value::Object(o) => out.extend(ids(o.get("fields"))),
            _ => {}
        }
    }
    out
}

/// A short rendering of a path (`From<reqwest::Error>`), for naming impls.
fn render_path(path: &Value) -> String {
    let name = path
        .get("path")
        .or_else(|| path.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("?");
    let args: Vec<String> = path
        .get("args")
        .and_then(|a| a.get("angle_bracketed"))
        .and_then(|a| a.get("args"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|g| g.get("type"))
                .map(|t| render(Some(t)))
                .collect()
        })
        .unwrap_or_default();
    if args.is_empty() {
        name.to_owned()
    } else {
        format!("{name}<{}>", args.join(", "))
    }
}

/// A short rendering of a type, for naming impls reached from a trait.
fn render(ty: Option<&Value>) -> String {
    let Some(Value::Object(map)) = ty else {
        return "_".to_owned();
    };
    let Some((kind, v)) = map.iter().next() else {
        return "_".to_owned();
    };
    match kind.as_str() {
        "resolved_path" => render_path(v),
        "primitive" | "generic" => v.as_str().unwrap_or("_").to_owned(),
        "borrowed_ref" => {
            let m = v.get("is_mutable").and_then(Value::as_bool) == Some(true);
            format!("&{}{}", if m { "mut " } else { "" }, render(v.get("type")))
        }
        "slice" => format!("[{}]", render(Some(v))),
        "tuple" => {
            let parts: Vec<String> = v
                .as_array()
                .map(|a| a.iter().map(|t| render(Some(t))).collect())
                .unwrap_or_default();
            format!("({})", parts.join(", "))
        }
        _ => format!("<{kind}>"),
    }
}
