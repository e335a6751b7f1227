//! JSON lines: one object per event per line, for `--format json` and the
//! stored `events.jsonl`. Each object is the event (tagged by `type`) with
//! three fields first: `v` (the schema version, [`SCHEMA_VERSION`]), `seq`
//! (0, 1, 2, … within the stream) and `ts` (milliseconds since the Unix
//! epoch when the reporter saw the event).

use std::io::Write;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use gantry_run::event::{Event, Sink};
use serde_json::{Map, Value};

/// The version of the JSON-lines schema; bumped when a field changes
/// meaning or goes away (new fields and new event types do not bump it).
pub const SCHEMA_VERSION: u64 = 1;

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The JSON object of an event: `{"v":1,"seq":…,"ts":…,"type":…,…}`.
pub fn event_object(event: &Event, seq: u64, ts_ms: u64) -> Value {
    let mut obj = Map::new();
    obj.insert("v".into(), Value::from(SCHEMA_VERSION));
    obj.insert("seq".into(), Value::from(seq));
    obj.insert("ts".into(), Value::from(ts_ms));
    match serde_json::to_value(event) {
        Ok(Value::Object(fields)) => obj.extend(fields),
        Ok(other) => {
            obj.insert("event".into(), other);
        }
        Err(e) => {
            obj.insert("type".into(), Value::from("error"));
            obj.insert("message".into(), Value::from(e.to_string()));
        }
    }
    Value::Object(obj)
}

/// The line of an event, ending in `\n`.
pub fn event_line(event: &Event, seq: u64, ts_ms: u64) -> String {
    let mut s = event_object(event, seq, ts_ms).to_string();
    s.push('\n');
    s
}

/// A [`Sink`] that writes one JSON object per event per line to `W`,
/// flushed after each line so that a consumer sees events as they happen.
pub struct JsonReporter<W> {
    state: Mutex<State<W>>,
}

struct State<W> {
    out: W,
    seq: u64,
    error: Option<String>,
}

impl<W: Write + Send> JsonReporter<W> {
    pub fn new(out: W) -> Self {
        JsonReporter {
            state: Mutex::new(State {
                out,
                seq: 0,
                error: None,
            }),
        }
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        match self.state.into_inner() {
            Ok(s) => s.out,
            Err(poisoned) => poisoned.into_inner().out,
        }
    }

    /// The first write error, if writing failed (writing then stopped).
    pub fn error(&self) -> Option<String> {
        match self.state.lock() {
            Ok(s) => s.error.clone(),
            Err(poisoned) => poisoned.into_inner().error.clone(),
        }
    }
}

impl<W: Write + Send> Sink for JsonReporter<W> {
    fn emit(&self, event: Event) {
        let mut state = match self.state.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        if state.error.is_some() {
            return;
        }
        let line = event_line(&event, state.seq, now_ms());
        state.seq += 1;
        let result = state
            .out
            .write_all(line.as_bytes())
            .and_then(|()| state.out.flush());
        if let Err(e) = result {
            state.error = Some(e.to_string());
        }
    }
}
