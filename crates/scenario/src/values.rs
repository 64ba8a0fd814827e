//! Turning free-form JSON values into numbers and calls, for the shell's `call NAME {...}`
//! (scenario files are compiled by [`crate::load`] instead). Numbers may be written as JSON numbers (negative ones are 32-bit two's complement:
//! -1 is 0xFFFFFFFF), hex strings, constant names joined by `|`, error names, or names bound
//! by earlier steps.

use crate::i18n::Message;
use crate::locate::{JsonPath, Seg};
use kernsim_kernel::{consts, Call, CallName, Ret, Win32Error};
use serde_json::{Map, Value};

/// Looks up a bound name's number.
pub trait Lookup {
    /// The number bound to `name`, if any.
    fn number(&self, name: &str) -> Option<u32>;
    /// Every bound name (for suggestions).
    fn names(&self) -> Vec<String>;
}

/// A number from text: hex, decimal (negative allowed), a binding, or constants joined by `|`.
pub fn number_from_str(text: &str, lookup: &dyn Lookup) -> Result<u32, Message> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return u32::from_str_radix(hex, 16).map_err(|_| Message::new("load-not-hex", &[("text", &format!("{t:?}"))]));
    }
    if let Ok(n) = t.parse::<i64>() {
        return int_to_u32(n).ok_or_else(|| Message::new("load-not-32-bits", &[("n", &n)]));
    }
    if let Some(v) = lookup.number(t) {
        return Ok(v);
    }
    let mut total = 0u32;
    for part in t.split('|') {
        let part = part.trim();
        let value = consts::lookup(part)
            .or_else(|| {
                part.starts_with("ERROR_")
                    .then(|| Win32Error::from_name(part).map(Win32Error::code))
                    .flatten()
            })
            .or_else(|| part.parse::<i64>().ok().and_then(int_to_u32))
            .or_else(|| part.strip_prefix("0x").and_then(|h| u32::from_str_radix(h, 16).ok()))
            .or_else(|| lookup.number(part));
        match value {
            Some(v) => total |= v,
            None => return Err(unknown_name(part, lookup)),
        }
    }
    Ok(total)
}

fn int_to_u32(n: i64) -> Option<u32> {
    if (i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(&n) {
        Some(n as u32)
    } else {
        None
    }
}

/// "unknown constant or name X; did you mean A, B?"
pub fn unknown_name(name: &str, lookup: &dyn Lookup) -> Message {
    let bound = lookup.names();
    let bound: Vec<&str> = bound.iter().map(String::as_str).collect();
    unknown_name_among(name, &bound)
}

/// "X is neither a number, a Win32 constant nor a bound name (bound so far: ...); did you mean
/// ...?", the names near X among the constants, error names and `bound` suggested.
pub fn unknown_name_among(name: &str, bound: &[&str]) -> Message {
    let errors: Vec<&str> = Win32Error::ALL.iter().filter_map(|e| e.known_name()).collect();
    let candidates = consts::TABLE
        .iter()
        .map(|(n, _)| *n)
        .chain(errors)
        .chain(bound.iter().copied());
    let near = consts::near_names(name, candidates, 3);
    let hint = if near.is_empty() {
        Message::raw("")
    } else {
        Message::new("load-hint-did-you-mean", &[("names", &near.join(", "))])
    };
    let so_far = if bound.is_empty() {
        Message::new("load-none-bound-yet", &[])
    } else {
        let shown: Vec<&str> = bound.iter().copied().take(12).collect();
        let more = if bound.len() > shown.len() { ", ..." } else { "" };
        Message::new(
            "load-bound-so-far",
            &[("names", &format!("{}{more}", shown.join(", ")))],
        )
    };
    Message::new("load-unknown-name", &[("name", &format!("{name:?}"))])
        .with("bound", so_far)
        .with("hint", hint)
}

/// A JSON value as a 32-bit number.
pub fn number(v: &Value, lookup: &dyn Lookup) -> Result<u32, Message> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .and_then(int_to_u32)
            .ok_or_else(|| Message::new("load-not-32-bit-integer", &[("n", n)])),
        Value::Bool(b) => Ok(u32::from(*b)),
        Value::String(s) => number_from_str(s, lookup),
        other => Err(Message::new("load-expected-number", &[("found", other)])),
    }
}

/// Replaces `${name}` with the bound number (decimal).
pub fn interpolate(text: &str, lookup: &dyn Lookup) -> Result<String, Message> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| Message::new("load-unclosed-insertion", &[("text", &format!("{text:?}"))]))?;
        let name = &after[..end];
        let value = lookup.number(name).ok_or_else(|| unknown_name(name, lookup))?;
        out.push_str(&display_number(value));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// How a bound number is written into text: handles and ids are small, pseudo values negative.
fn display_number(value: u32) -> String {
    if value >= 0x8000_0000 {
        (value as i32).to_string()
    } else {
        value.to_string()
    }
}

/// Resolves a call's arguments: numbers in numeric parameters, `${}` in text ones.
pub fn resolve_args(
    call: CallName,
    args: &Map<String, Value>,
    lookup: &dyn Lookup,
) -> Result<Value, (JsonPath, Message)> {
    let mut out = Map::with_capacity(args.len());
    for (key, value) in args {
        let text = call.text_arguments().contains(&key.as_str());
        let resolved = resolve_value(value, text, lookup)
            .map_err(|(inner, e)| (prefixed(Seg::Key(key.clone().into()), inner), e))?;
        out.insert(key.clone(), resolved);
    }
    Ok(Value::Object(out))
}

/// `inner` under one more leading segment.
fn prefixed(first: Seg, inner: JsonPath) -> JsonPath {
    JsonPath(std::iter::once(first).chain(inner.0).collect())
}

/// Resolves one value; an error's path is relative to `v` (built only when there is one).
fn resolve_value(v: &Value, text: bool, lookup: &dyn Lookup) -> Result<Value, (JsonPath, Message)> {
    match v {
        Value::String(s) if text => interpolate(s, lookup)
            .map(Value::String)
            .map_err(|e| (JsonPath::default(), e)),
        Value::String(s) => number_from_str(s, lookup)
            .map(Value::from)
            .map_err(|e| (JsonPath::default(), e)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| resolve_value(item, text, lookup).map_err(|(p, e)| (prefixed(Seg::Index(i), p), e)))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Value::Object(map) if !text => {
            let mut out = Map::with_capacity(map.len());
            for (k, item) in map {
                let resolved = resolve_value(item, false, lookup)
                    .map_err(|(p, e)| (prefixed(Seg::Key(k.clone().into()), p), e))?;
                out.insert(k.clone(), resolved);
            }
            Ok(Value::Object(out))
        }
        Value::Number(n) => match n.as_i64().and_then(int_to_u32) {
            Some(v) if !text => Ok(Value::from(v)),
            _ => Ok(v.clone()),
        },
        other => Ok(other.clone()),
    }
}

/// Builds the [`Call`] from its name and resolved arguments; errors name the argument path.
pub fn build_call(name: &str, args: Value) -> Result<Call, (JsonPath, Message)> {
    // Calls without parameters (`GetCurrentProcess`) take no `args`; an empty object is fine.
    if args.as_object().is_some_and(|m| m.is_empty()) {
        if let Ok(call) = serde_json::from_value::<Call>(serde_json::json!({ "call": name })) {
            return Ok(call);
        }
    }
    let mut wrapper = Map::new();
    wrapper.insert("call".to_string(), Value::String(name.to_string()));
    wrapper.insert("args".to_string(), args);
    let wrapped = Value::Object(wrapper);
    // The common case first, untracked; only a failure pays for the path.
    if let Ok(call) = <Call as serde::Deserialize>::deserialize(&wrapped) {
        return Ok(call);
    }
    let mut track = serde_path_to_error::Track::new();
    let de = serde_path_to_error::Deserializer::new(&wrapped, &mut track);
    match <Call as serde::Deserialize>::deserialize(de) {
        Ok(call) => Ok(call),
        Err(e) => {
            let path = JsonPath::parse(&track.path().to_string());
            // Paths come back as `args.x`; drop the wrapper's `args`.
            let inner = match path.0.first() {
                Some(Seg::Key(k)) if k == "args" => JsonPath(path.0[1..].to_vec()),
                _ => JsonPath::default(),
            };
            Err((inner, crate::load::explain_serde(&e.to_string())))
        }
    }
}

/// A return value for messages: `TRUE`, `FALSE`, `4`, `WAIT_TIMEOUT (258)`.
pub fn show_ret(ret: Ret) -> String {
    match ret {
        Ret::Dword(d) if d == consts::WAIT_TIMEOUT => format!("WAIT_TIMEOUT ({d})"),
        Ret::Dword(d) if d == consts::WAIT_FAILED => "WAIT_FAILED (0xFFFFFFFF)".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    struct Names(BTreeMap<String, u32>);
    impl Lookup for Names {
        fn number(&self, name: &str) -> Option<u32> {
            self.0.get(name).copied()
        }
        fn names(&self) -> Vec<String> {
            self.0.keys().cloned().collect()
        }
    }

    fn names() -> Names {
        Names(
            [("hParent".to_string(), 4u32), ("pseudo".to_string(), u32::MAX)]
                .into_iter()
                .collect(),
        )
    }

    #[test]
    fn numbers_from_constants_bindings_and_text() {
        let n = names();
        assert_eq!(
            number_from_str("DUPLICATE_SAME_ACCESS|DUPLICATE_CLOSE_SOURCE", &n),
            Ok(3)
        );
        assert_eq!(number_from_str("0x30", &n), Ok(0x30));
        assert_eq!(number_from_str("-1", &n), Ok(u32::MAX));
        assert_eq!(number_from_str("hParent", &n), Ok(4));
        assert_eq!(number_from_str("ERROR_BROKEN_PIPE", &n), Ok(109));
        let err = number_from_str("DUPLICATE_SAME_ACESS", &n).unwrap_err();
        assert!(err.to_string().contains("did you mean DUPLICATE_SAME_ACCESS"), "{err}");
    }

    #[test]
    fn interpolation_inserts_bound_numbers() {
        let n = names();
        assert_eq!(interpolate("child.exe ${hParent}", &n).unwrap(), "child.exe 4");
        assert_eq!(interpolate("x ${pseudo}", &n).unwrap(), "x -1");
        assert!(interpolate("x ${nope}", &n).is_err());
    }

    #[test]
    fn calls_are_built_and_bad_arguments_named() {
        let n = names();
        let args: Map<String, Value> = serde_json::from_str(r#"{"handle": "hParent"}"#).unwrap();
        let call = build_call("CloseHandle", resolve_args(CallName::CloseHandle, &args, &n).unwrap()).unwrap();
        assert_eq!(
            call,
            Call::CloseHandle {
                handle: kernsim_kernel::HandleValue(4)
            }
        );
        let args: Map<String, Value> = serde_json::from_str(r#"{"handel": 4}"#).unwrap();
        let (_, msg) = build_call("CloseHandle", resolve_args(CallName::CloseHandle, &args, &n).unwrap()).unwrap_err();
        assert!(msg.to_string().contains("unknown field `handel`"), "{msg}");
    }
}
