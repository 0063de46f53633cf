//! Plainer messages for RON's terse ones about a field's value in a whole scenario file:
//! `weeks: 156.0` reads "Expected comma" and `weeks: -1` "Integer is out of bounds". Here they
//! read `calendar.weeks = 156.0: must be a whole number in [1, 2000]`, with the field's path
//! and allowed range.
//!
//! The same goes for a `set:` value of the wrong kind (serde's `expected u32`).
//!
//! RON does not say which field it was reading, so the value is put back with numbers the
//! field's type accepts (0, the largest whole number of each width; or a very small and a very
//! large number) and the file is validated again: the validation error on a field of that name
//! gives its path and range.

use super::{Scenario, ron_options, validate};
use ron::error::Error;

/// What a field takes.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Takes {
    WholeNumber,
    Number,
}

impl Takes {
    /// What a field takes, from serde's complaint about a value (`... expected u32`).
    pub(super) fn from_serde(message: &str) -> Option<Self> {
        let expected = message.rsplit_once("expected ")?.1;
        match expected {
            "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" => Some(Self::WholeNumber),
            "f32" | "f64" => Some(Self::Number),
            _ => None,
        }
    }
}

/// Whole numbers to try in place of the value, largest type first: the first that parses is
/// the largest the field's type holds.
const WHOLE: [&str; 7] =
    ["18446744073709551615", "9223372036854775807", "4294967295", "2147483647", "65535", "255", "0"];
/// Numbers to try in place of a value where a number belongs.
const NUMBER: [&str; 2] = ["-1e300", "1e300"];

/// A message naming the field's path and allowed range, for an error RON reports at `line`
/// and `col` (1-based, in characters) of a whole scenario `text`; `None` when this is not
/// such an error.
pub(super) fn number_message(text: &str, line: usize, col: usize, code: &Error) -> Option<String> {
    // Lines with their ends (`\n` or `\r\n`), so that the row's offset in `text` is exact.
    let before = line.checked_sub(1)?;
    let offset: usize = text.split_inclusive('\n').take(before).map(str::len).sum();
    let row = text.split_inclusive('\n').nth(before)?.trim_end_matches(['\n', '\r']);
    let at = row.char_indices().nth(col.checked_sub(1)?)?.0;
    // RON may point at the blank before the value.
    let at = at + row[at..].len() - row[at..].trim_start().len();
    let (start, end) = token(row, at)?;
    let value = &row[start..end];
    let takes = match code {
        Error::IntegerOutOfBounds | Error::ExpectedInteger | Error::InvalidIntegerDigit { .. } => Takes::WholeNumber,
        // `156.0` where a whole number belongs: RON stops at the `.` (or `e`).
        Error::ExpectedComma | Error::ExpectedStructLikeEnd if value.parse::<f64>().is_ok() => Takes::WholeNumber,
        Error::ExpectedFloat => Takes::Number,
        _ => return None,
    };
    let name = field_name(&row[..start])?;
    let (path, rule) = value_rule(takes, name, |candidate| {
        let edited = format!("{}{candidate}{}", &text[..offset + start], &text[offset + end..]);
        ron_options().from_str(&edited).ok()
    });
    Some(format!("{} = {value}: {rule}", path.unwrap_or_else(|| format!("`{name}`"))))
}

/// What field `name` allows, found by putting numbers of its kind in its place (`with` returns
/// the scenario with a candidate there, if its type holds it) and validating: the validation
/// error on a field of that name gives the field's path and range; without one, the range is
/// the type's. Returns the path, if found, and the rule (`must be a whole number in [1, 16]`).
pub(super) fn value_rule(
    takes: Takes,
    name: &str,
    with: impl Fn(&str) -> Option<Scenario>,
) -> (Option<String>, String) {
    let candidates: &[&str] = if takes == Takes::WholeNumber { &WHOLE } else { &NUMBER };
    let parsed: Vec<(&str, Scenario)> = candidates.iter().filter_map(|c| Some((*c, with(c)?))).collect();
    let kind = if takes == Takes::WholeNumber { "a whole number" } else { "a number" };
    // An event's error names the event's change, not this field.
    let checked = parsed.iter().find_map(|(_, s)| {
        validate(s)
            .into_iter()
            .find(|e| !e.field.starts_with("events[") && (e.field == name || e.field.ends_with(&format!(".{name}"))))
    });
    if let Some(e) = checked {
        let range = e.message.split_once(": must be ").map_or(e.message.as_str(), |(_, r)| r);
        return (Some(e.field), format!("must be {kind} {range}"));
    }
    match (takes, parsed.first()) {
        (Takes::WholeNumber, Some((max, _))) if *max != "0" => {
            (None, format!("must be a whole number from 0 to {max}"))
        }
        _ => (None, format!("must be {kind}")),
    }
}

/// The value around byte `at` of `row`: a number, a word, or a quoted string.
fn token(row: &str, at: usize) -> Option<(usize, usize)> {
    let bytes = row.as_bytes();
    if at >= bytes.len() {
        return None;
    }
    if bytes[at] == b'"' {
        let len = row[at + 1..].find('"')?;
        return Some((at, at + len + 2));
    }
    let part = |b: &u8| b.is_ascii_alphanumeric() || b"._+-".contains(b);
    let start = bytes[..at].iter().rposition(|b| !part(b)).map_or(0, |i| i + 1);
    let end = bytes[at..].iter().position(|b| !part(b)).map_or(bytes.len(), |i| at + i);
    (start < end).then_some((start, end))
}

/// The field a value belongs to: the name before the `:` that precedes it on its line.
fn field_name(before: &str) -> Option<&str> {
    let before = before.trim_end().strip_suffix(':')?.trim_end();
    let start = before.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
    let name = &before[start..];
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_value_and_its_field() {
        let row = r#"    calendar: (start: "2024-01-01", weeks: 156.0, warmup_weeks: 52),"#;
        let at = row.find('.').unwrap();
        let (a, b) = token(row, at).unwrap();
        assert_eq!(&row[a..b], "156.0");
        assert_eq!(field_name(&row[..a]), Some("weeks"));
        let at = row.find("\"2024").unwrap();
        let (a, b) = token(row, at).unwrap();
        assert_eq!(&row[a..b], "\"2024-01-01\"");
        assert_eq!(field_name(&row[..a]), Some("start"));
        assert_eq!(field_name("    (\"us\": "), None);
    }
}
