//! Field paths into a scenario: `platforms[temu].brand_tilt`, `regulators[us].tariff.apparel`,
//! `ad_market.cpc_inflation["amazon"]`, `sellers.size_shares[0]`.
//!
//! One mechanism serves dated events, scenario overlays (`base:` files) and sweep parameters: the
//! scenario is turned into a JSON value, the path is set, and the result is deserialized again,
//! so every change is type-checked by the same schema as the file itself.

use serde_json::Value;
use std::fmt;

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// A struct field or map key.
    Key(String),
    /// A list element by position.
    Index(usize),
}

/// Why a path could not be followed or set.
#[derive(Debug, Clone, PartialEq)]
pub struct PathError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.path, self.message)
    }
}

fn parse(path: &str) -> Result<Vec<Step>, PathError> {
    let err = |message: &str| PathError { path: path.to_string(), message: message.to_string() };
    let mut steps = Vec::new();
    let mut rest = path.trim();
    if rest.is_empty() {
        return Err(err("empty path"));
    }
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').ok_or_else(|| err("unclosed `[`"))?;
            let inner = r[..end].trim().trim_matches('"');
            if inner.is_empty() {
                return Err(err("empty `[]`"));
            }
            steps.push(match inner.parse::<usize>() {
                Ok(i) => Step::Index(i),
                Err(_) => Step::Key(inner.to_string()),
            });
            rest = &r[end + 1..];
        } else {
            let r = rest.strip_prefix('.').unwrap_or(rest);
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end == 0 {
                return Err(err("empty field name"));
            }
            steps.push(Step::Key(r[..end].to_string()));
            rest = &r[end..];
        }
    }
    Ok(steps)
}

/// The id of a list element, for `list[id]` selection: its `id` field, else its `region` field.
fn element_id(v: &Value) -> Option<&str> {
    v.get("id").or_else(|| v.get("region")).and_then(Value::as_str)
}

/// Names valid at a level, for "did you mean" hints.
fn valid_names(v: &Value) -> Vec<String> {
    match v {
        Value::Object(m) => m.keys().cloned().collect(),
        Value::Array(a) => {
            a.iter().enumerate().map(|(i, e)| element_id(e).map_or_else(|| i.to_string(), str::to_string)).collect()
        }
        _ => Vec::new(),
    }
}

/// The valid names closest to `wanted` (edit distance), best first, at most three.
pub fn nearest(wanted: &str, names: &[String]) -> Vec<String> {
    let mut scored: Vec<(usize, &String)> = names.iter().map(|n| (edit_distance(wanted, n), n)).collect();
    scored.sort();
    let limit = (wanted.len() / 2).max(2);
    scored.into_iter().filter(|(d, _)| *d <= limit).take(3).map(|(_, n)| n.clone()).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn not_found(path: &str, step: &Step, at: &Value) -> PathError {
    let names = valid_names(at);
    let wanted = match step {
        Step::Key(k) => k.clone(),
        Step::Index(i) => i.to_string(),
    };
    let position =
        matches!((step, at), (Step::Key(k), Value::Array(a)) if k.parse::<usize>().is_ok_and(|i| i < a.len()));
    let hint = match nearest(&wanted, &names) {
        _ if position => format!("; a position is written in brackets: `[{wanted}]`"),
        near if !near.is_empty() => format!("; did you mean {}?", near.join(", ")),
        _ if names.is_empty() => String::new(),
        _ => format!("; valid here: {}", names.join(", ")),
    };
    PathError { path: path.to_string(), message: format!("no `{wanted}` here{hint}") }
}

fn child<'a>(path: &str, at: &'a mut Value, step: &Step) -> Result<&'a mut Value, PathError> {
    let found = match (&mut *at, step) {
        (Value::Object(m), Step::Key(k)) => m.contains_key(k),
        (Value::Array(a), Step::Index(i)) => *i < a.len(),
        (Value::Array(a), Step::Key(k)) => a.iter().any(|e| element_id(e) == Some(k)),
        _ => false,
    };
    if !found {
        return Err(not_found(path, step, at));
    }
    Ok(match (at, step) {
        (Value::Object(m), Step::Key(k)) => m.get_mut(k).expect("checked above"),
        (Value::Array(a), Step::Index(i)) => &mut a[*i],
        (Value::Array(a), Step::Key(k)) => a.iter_mut().find(|e| element_id(e) == Some(k)).expect("checked above"),
        _ => unreachable!("checked above"),
    })
}

/// Sets `path` in `root` to `value`. The path must exist up to its last step; the last step may
/// add a new key to a map (a tariff for a category not listed yet), never a new struct field
/// (the schema rejects those when the value is deserialized again).
pub fn set(root: &mut Value, path: &str, value: Value) -> Result<(), PathError> {
    let steps = parse(path)?;
    let (last, init) = steps.split_last().expect("parse never returns an empty path");
    let mut at = root;
    for step in init {
        at = child(path, at, step)?;
    }
    match (at, last) {
        (Value::Object(m), Step::Key(k)) => {
            m.insert(k.clone(), value);
            Ok(())
        }
        (at, step) => {
            *child(path, at, step)? = value;
            Ok(())
        }
    }
}

/// If the last step of `path` names a key that `root` does not have (so [`set`] would add it),
/// the "no such key" error with the nearest existing keys; `None` if the key exists or the path
/// cannot be followed. Callers use it to explain a schema error caused by a misspelt field name.
pub fn new_key(root: &Value, path: &str) -> Option<PathError> {
    let steps = parse(path).ok()?;
    let (last, init) = steps.split_last()?;
    let mut at = root;
    for step in init {
        at = match (at, step) {
            (Value::Object(m), Step::Key(k)) => m.get(k),
            (Value::Array(a), Step::Index(i)) => a.get(*i),
            (Value::Array(a), Step::Key(k)) => a.iter().find(|e| element_id(e) == Some(k)),
            _ => None,
        }?;
    }
    match (at, last) {
        (Value::Object(m), Step::Key(k)) if !m.contains_key(k) => Some(not_found(path, last, at)),
        _ => None,
    }
}

/// Reads the value at `path`.
pub fn get<'a>(root: &'a Value, path: &str) -> Result<&'a Value, PathError> {
    let steps = parse(path)?;
    let mut at = root;
    for step in &steps {
        let next = match (at, step) {
            (Value::Object(m), Step::Key(k)) => m.get(k),
            (Value::Array(a), Step::Index(i)) => a.get(*i),
            (Value::Array(a), Step::Key(k)) => a.iter().find(|e| element_id(e) == Some(k)),
            _ => None,
        };
        at = next.ok_or_else(|| not_found(path, step, at))?;
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"platforms": [{"id": "amazon", "take_rate": 0.15}, {"id": "temu", "take_rate": 0.0}],
               "ad_market": {"cpc_inflation": {"amazon": 0.3}},
               "sellers": {"size_shares": [0.6, 0.3, 0.1]}})
    }

    #[test]
    fn sets_by_id_by_key_and_by_index() {
        let mut d = doc();
        set(&mut d, "platforms[temu].take_rate", json!(0.05)).unwrap();
        set(&mut d, "ad_market.cpc_inflation[\"amazon\"]", json!(0.1)).unwrap();
        set(&mut d, "sellers.size_shares[2]", json!(0.2)).unwrap();
        let e = set(&mut d, "sellers.size_shares.2", json!(0.2)).unwrap_err();
        assert_eq!(e.message, "no `2` here; a position is written in brackets: `[2]`");
        assert_eq!(get(&d, "platforms[1].take_rate").unwrap(), &json!(0.05));
        assert_eq!(get(&d, "ad_market.cpc_inflation.amazon").unwrap(), &json!(0.1));
        assert_eq!(get(&d, "sellers.size_shares[2]").unwrap(), &json!(0.2));
    }

    #[test]
    fn unknown_step_names_the_nearest_valid_ones() {
        let mut d = doc();
        let e = set(&mut d, "platforms[temmu].take_rate", json!(0.1)).unwrap_err();
        assert!(e.message.contains("did you mean temu"), "{e}");
        let e = get(&d, "ad_markt.elasticity").unwrap_err();
        assert!(e.message.contains("ad_market"), "{e}");
    }

    #[test]
    fn malformed_paths_are_errors() {
        let mut d = doc();
        assert!(set(&mut d, "", json!(1)).is_err());
        assert!(set(&mut d, "platforms[temu", json!(1)).is_err());
        assert!(set(&mut d, "platforms..x", json!(1)).is_err());
    }
}
