//! A tracing subscriber that records every span and event as a line (`span [parent > path]
//! name field=value ...`, `event [path] field=value ...`, `record name field=value`), so two
//! runs can be compared and a trace searched for what must never be in it (secrets).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

#[derive(Default)]
struct Recorder {
    next: AtomicU64,
    spans: Mutex<HashMap<u64, String>>,
    stacks: Mutex<HashMap<ThreadId, Vec<u64>>>,
    lines: Mutex<Vec<String>>,
}

#[derive(Default)]
struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
}

impl Recorder {
    fn path(&self) -> String {
        let stack = self
            .stacks
            .lock()
            .unwrap()
            .get(&std::thread::current().id())
            .cloned()
            .unwrap_or_default();
        let spans = self.spans.lock().unwrap();
        stack
            .iter()
            .filter_map(|id| spans.get(id).cloned())
            .collect::<Vec<_>>()
            .join(" > ")
    }
}

/// The subscriber; [`record`] installs one around a closure.
struct Shared(Arc<Recorder>);

impl Subscriber for Shared {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let id = self.0.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let name = attrs.metadata().name();
        let line = format!("span [{}] {name}{}", self.0.path(), fields.0);
        self.0.lines.lock().unwrap().push(line);
        self.0.spans.lock().unwrap().insert(id, name.to_owned());
        Id::from_u64(id)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut fields = Fields::default();
        values.record(&mut fields);
        let name = self
            .0
            .spans
            .lock()
            .unwrap()
            .get(&span.into_u64())
            .cloned()
            .unwrap_or_default();
        let line = format!("record {name}{}", fields.0);
        self.0.lines.lock().unwrap().push(line);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let line = format!("event [{}]{}", self.0.path(), fields.0);
        self.0.lines.lock().unwrap().push(line);
    }
    fn enter(&self, span: &Id) {
        self.0
            .stacks
            .lock()
            .unwrap()
            .entry(std::thread::current().id())
            .or_default()
            .push(span.into_u64());
    }
    fn exit(&self, span: &Id) {
        let mut stacks = self.0.stacks.lock().unwrap();
        let stack = stacks.entry(std::thread::current().id()).or_default();
        if let Some(i) = stack.iter().rposition(|s| *s == span.into_u64()) {
            stack.remove(i);
        }
    }
}

/// Runs `run` with a recording subscriber (at every level, TRACE included) as the default on
/// this thread, and returns every line it recorded.
pub fn record(run: impl FnOnce()) -> Vec<String> {
    let recorder = Arc::new(Recorder::default());
    tracing::subscriber::with_default(Shared(recorder.clone()), || {
        // A callsite first reached by a test thread without a subscriber is cached as
        // "never" for every thread; ask again now that this recorder exists (a parallel
        // test otherwise silences a span here at random).
        tracing::callsite::rebuild_interest_cache();
        run();
    });
    recorder.lines.lock().unwrap().clone()
}
