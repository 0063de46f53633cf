//! Scenario files: schema, loading (with `base:` overlays), validation with field paths.

mod explain;
pub mod path;
mod schema;
mod validate;

pub use schema::*;
pub use validate::{FieldError, validate};

use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// Why a scenario could not be loaded. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}:{col}: {message}\n{line:>5} | {text}\n      | {marker}", path.display(), marker = caret(*col))]
    Syntax { path: PathBuf, line: usize, col: usize, text: String, message: String },
    #[error("{}: {} problem(s):\n{}", path.display(), errors.len(), FieldErrors(errors))]
    Invalid { path: PathBuf, errors: Vec<FieldError> },
    #[error("{}: `base` chain is deeper than {MAX_BASE_DEPTH} files (a cycle?)", path.display())]
    BaseTooDeep { path: PathBuf },
}

fn caret(col: usize) -> String {
    format!("{}^", " ".repeat(col.saturating_sub(1)))
}

struct FieldErrors<'a>(&'a [FieldError]);

impl fmt::Display for FieldErrors<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in self.0 {
            writeln!(f, "  - {e}")?;
        }
        Ok(())
    }
}

const MAX_BASE_DEPTH: usize = 8;

/// A scenario file that extends another: `(base: "2026.ron", name: "...", set: { path: value })`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Scenario")]
struct Overlay {
    /// Path of the base scenario, relative to this file.
    base: String,
    name: String,
    #[serde(default)]
    description: Option<String>,
    /// Field path to new value, applied to the base (keys in sorted order).
    #[serde(default, deserialize_with = "deserialize_set")]
    set: std::collections::BTreeMap<String, ron::Value>,
    /// Dated events added to the base's (validated like the base's own).
    #[serde(default)]
    add_events: Vec<Event>,
}

/// Just enough of a file to tell an overlay from a whole scenario (named as one in errors).
#[derive(Deserialize)]
#[serde(rename = "Scenario")]
struct Probe {
    #[serde(default)]
    base: Option<String>,
}

/// Reads, merges and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ConfigError> {
    load_depth(path, 0)
}

/// How scenario files are parsed: an optional field may be written bare (`from: "2025-01-01"`,
/// `base: "2026.ron"`) as well as `Some(...)`.
fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Parses scenario text (no `base:`), e.g. for tests; `origin` names it in errors.
pub fn from_str(text: &str, origin: &Path) -> Result<Scenario, ConfigError> {
    let scenario: Scenario = ron_options().from_str(text).map_err(|e| {
        let mut error = syntax(origin, text, e.clone());
        if let (Some(plain), ConfigError::Syntax { message, .. }) =
            (explain::number_message(text, e.span.start.line, e.span.start.col, &e.code), &mut error)
        {
            *message = plain;
        }
        error
    })?;
    check(scenario, origin)
}

/// A scenario or sweep file's text: UTF-8 (a byte-order mark is skipped); bytes that are not
/// UTF-8 are reported at their line and column.
pub(crate) fn read_text(path: &Path) -> Result<String, ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Io { path: path.to_path_buf(), source })?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let valid = String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned();
            let line = valid.matches('\n').count() + 1;
            let col = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let text = String::from_utf8_lossy(bytes).lines().nth(line - 1).unwrap_or("").to_string();
            let message = "not UTF-8 text (save the file as UTF-8)".to_string();
            Err(ConfigError::Syntax { path: path.to_path_buf(), line, col, text, message })
        }
    }
}

fn load_depth(path: &Path, depth: usize) -> Result<Scenario, ConfigError> {
    if depth > MAX_BASE_DEPTH {
        return Err(ConfigError::BaseTooDeep { path: path.to_path_buf() });
    }
    let text = read_text(path)?;
    let probe: Probe = ron_options().from_str(&text).map_err(|e| syntax(path, &text, e))?;
    if probe.base.is_none() {
        return from_str(&text, path);
    }
    let overlay: Overlay = ron_options().from_str(&text).map_err(|e| {
        let sweep = text.lines().any(|l| l.trim_start().starts_with("sampler:"));
        let mut e = syntax(path, &text, e);
        if let (true, ConfigError::Syntax { message, .. }) = (sweep, &mut e) {
            message.push_str(" (this looks like a sweep file: run it with `sim sweep`)");
        }
        e
    })?;
    if overlay.base.trim().is_empty() {
        let errors = vec![FieldError::new("base", "= \"\": name the base scenario file, e.g. \"2026.ron\"")];
        return Err(ConfigError::Invalid { path: path.to_path_buf(), errors });
    }
    let base_path = path.parent().unwrap_or(Path::new(".")).join(&overlay.base);
    let base = load_depth(&base_path, depth + 1)?;
    let mut doc = to_value(&base);
    doc["name"] = overlay.name.into();
    if let Some(d) = overlay.description {
        doc["description"] = d.into();
    }
    let mut errors = Vec::new();
    for (field, value) in &overlay.set {
        if let Err(e) = set_checked(&mut doc, field, value) {
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        return Err(ConfigError::Invalid { path: path.to_path_buf(), errors });
    }
    let mut scenario =
        from_value(doc).map_err(|e| ConfigError::Invalid { path: path.to_path_buf(), errors: vec![e] })?;
    drop_events_past_end(&mut scenario, &base);
    scenario.events.extend(overlay.add_events);
    check(scenario, path)
}

/// An overlay that shortens the calendar keeps its base's later events out of the run instead
/// of failing on them; each one dropped is noted. Events the overlay writes itself (in `set` or
/// `add_events`) are not dropped: one past the end is an error.
pub(crate) fn drop_events_past_end(s: &mut Scenario, base: &Scenario) {
    if s.calendar.start != base.calendar.start || s.calendar.weeks >= base.calendar.weeks {
        return;
    }
    let Some(start) = parse_date(&s.calendar.start) else { return };
    let end = start + chrono::Duration::weeks(i64::from(s.calendar.weeks));
    let key = |e: &Event| (e.id.clone(), e.date.clone(), e.label.clone());
    let inherited: Vec<_> = base.events.iter().map(key).collect();
    for e in s.events.iter_mut().filter(|e| e.enabled && inherited.contains(&key(e))) {
        if parse_date(&e.date).is_some_and(|d| d >= end) {
            e.enabled = false;
            s.notes.push(format!(
                "event `{}` ({}) falls after the shortened calendar's end {end}: not applied",
                e.label, e.date
            ));
        }
    }
}

fn check(scenario: Scenario, path: &Path) -> Result<Scenario, ConfigError> {
    let errors = validate(&scenario);
    if errors.is_empty() { Ok(scenario) } else { Err(ConfigError::Invalid { path: path.to_path_buf(), errors }) }
}

/// A RON syntax error at its line and column, with the offending line (scenario and sweep files).
pub(crate) fn syntax(path: &Path, text: &str, e: ron::error::SpannedError) -> ConfigError {
    let (line, col) = (e.span.start.line, e.span.start.col);
    let text = text.lines().nth(line.saturating_sub(1)).unwrap_or("").to_string();
    ConfigError::Syntax { path: path.to_path_buf(), line, col, text, message: e.code.to_string() }
}

/// The scenario as a JSON value, for path edits.
pub fn to_value(scenario: &Scenario) -> serde_json::Value {
    serde_json::to_value(scenario).expect("a scenario always serializes")
}

/// A scenario from a JSON value; the error names the field path serde reports.
pub fn from_value(doc: serde_json::Value) -> Result<Scenario, FieldError> {
    serde_json::from_value(doc).map_err(|e| FieldError::new("scenario", e.to_string()))
}

/// The first NaN or infinity in a RON value (JSON, through which values are set, has neither).
fn non_finite(value: &ron::Value) -> Option<f64> {
    match value {
        ron::Value::Number(n) => Some(n.into_f64()).filter(|x| !x.is_finite()),
        ron::Value::Option(Some(v)) => non_finite(v),
        ron::Value::Seq(items) => items.iter().find_map(non_finite),
        ron::Value::Map(map) => map.iter().find_map(|(k, v)| non_finite(k).or_else(|| non_finite(v))),
        _ => None,
    }
}

/// Sets `field` to a RON value (as written in an event, overlay or sweep file).
pub fn set_ron(doc: &mut serde_json::Value, field: &str, value: &ron::Value) -> Result<(), path::PathError> {
    if let Some(x) = non_finite(value) {
        return Err(path::PathError { path: field.to_string(), message: format!("= {x}: not a finite number") });
    }
    let json = serde_json::to_value(value)
        .map_err(|e| path::PathError { path: field.to_string(), message: format!("value cannot be used: {e}") })?;
    path::set(doc, field, json)
}

/// Sets `field` (a key of an overlay's or event's `set`) and checks the result against the
/// schema, so that an error names the key: a misspelt field gets the nearest valid names, a
/// value of the wrong type the schema's complaint.
pub(crate) fn set_checked(doc: &mut serde_json::Value, field: &str, value: &ron::Value) -> Result<(), FieldError> {
    let at = |message: String| FieldError::new(format!("set[\"{field}\"]"), message);
    let mut next = doc.clone();
    set_ron(&mut next, field, value).map_err(|e| at(e.message))?;
    if let Err(e) = from_value(next.clone()) {
        return Err(match path::new_key(doc, field) {
            Some(hint) if e.message.contains("unknown field") => at(hint.message),
            _ => at(wrong_kind(doc, field, value, &e.message).unwrap_or(e.message)),
        });
    }
    *doc = next;
    Ok(())
}

/// For a value of the wrong kind for its field (`expected u32`): what the field allows, with
/// its range (`= 156.0: must be a whole number in [1, 2000]`).
fn wrong_kind(doc: &serde_json::Value, field: &str, value: &ron::Value, message: &str) -> Option<String> {
    let takes = explain::Takes::from_serde(message)?;
    let name = field.rsplit(['.', ']']).next().filter(|n| !n.is_empty())?;
    let (_, rule) = explain::value_rule(takes, name, |candidate| {
        let mut next = doc.clone();
        path::set(&mut next, field, serde_json::from_str(candidate).ok()?).ok()?;
        from_value(next).ok()
    });
    let shown = serde_json::to_string(value).unwrap_or_else(|_| "this value".into());
    Some(format!("= {shown}: {rule}"))
}

/// Applies one event's changes to a scenario and checks the result against the schema.
pub fn apply_event(scenario: &Scenario, event: &Event) -> Result<Scenario, FieldError> {
    let mut doc = to_value(scenario);
    for (field, value) in &event.set {
        set_checked(&mut doc, field, value)?;
    }
    from_value(doc)
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests;
