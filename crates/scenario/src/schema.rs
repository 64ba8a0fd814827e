//! The JSON Schema of scenario files (`kernsim schema`), generated from the same serde types
//! the loader reads, so it cannot drift from the format: the file's own types, and `Call`'s
//! (one schema per call, from the call table's variants and their documented parameters).
//! A step's `call` is the enum of call names; its `args` are checked against that call's
//! parameters (`allOf` of `if call = X then args: ...`), with each parameter's type, default
//! and documentation (the Win32 parameter name); numbers may also be written as constant
//! names, hex strings or bound names, as the loader accepts them. The outputs a step may
//! `bind` or check under `expect.outputs` are the ones its call's table entry lists.

use crate::format::ScenarioFile;
use kernsim_kernel::{Call, CallName};
use serde_json::{json, Map, Value};

/// The schema as pretty JSON.
pub fn schema_json() -> String {
    serde_json::to_string_pretty(&schema()).unwrap_or_default()
}

/// The schema of one line of a JSON trace (`kernsim run --format json`, `kernsim schema
/// --output`), generated from [`crate::render::TraceLine`] and the kernel's event, result and
/// snapshot types it holds. Numbers are JSON numbers everywhere (addresses too: `4096` is
/// text output's `0x1000`); data written by a trace is text, bytes, or a summary of large data.
pub fn output_schema() -> Value {
    // The contract of what is written (a field skipped when empty is not required).
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let mut line =
        serde_json::to_value(generator.into_root_schema_for::<crate::render::TraceLine<'static>>()).unwrap_or_default();
    if let Some(data) = line.pointer_mut("/$defs/Data") {
        *data = json!({
            "description": "Bytes: a string when they are UTF-8, else an array of byte values; data above 4096 bytes as its length and FNV-1a 64 digest.",
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 255}},
                {"type": "object", "properties": {"len": {"type": "integer", "minimum": 0}, "fnv1a64": {"type": "string", "pattern": "^0x[0-9a-f]{16}$"}}, "required": ["len", "fnv1a64"], "additionalProperties": false}
            ]
        });
    }
    line
}

/// [`output_schema`] as pretty JSON.
pub fn output_schema_json() -> String {
    serde_json::to_string_pretty(&output_schema()).unwrap_or_default()
}

/// The schema of scenario files, with one argument schema per call.
pub fn schema() -> Value {
    let mut file = serde_json::to_value(schemars::schema_for!(ScenarioFile)).unwrap_or_default();
    let calls = serde_json::to_value(schemars::schema_for!(Call)).unwrap_or_default();
    // The argument structures' definitions join the file's, widened as the loader reads them.
    if let (Some(defs), Some(call_defs)) = (
        file.get_mut("$defs").and_then(Value::as_object_mut),
        calls.get("$defs").and_then(Value::as_object),
    ) {
        for (name, def) in call_defs {
            let mut def = def.clone();
            widen(&mut def);
            name_constants(&mut def);
            defs.entry(name.clone()).or_insert(def);
        }
    }
    let mut rules = Vec::new();
    let mut names = Vec::new();
    for variant in calls.get("oneOf").and_then(Value::as_array).into_iter().flatten() {
        let Some(name) = variant.pointer("/properties/call/const").and_then(Value::as_str) else {
            continue;
        };
        names.push(Value::from(name));
        let mut args = variant
            .pointer("/properties/args")
            .cloned()
            .unwrap_or_else(|| json!({"type": "object", "maxProperties": 0}));
        widen(&mut args);
        name_constants(&mut args);
        if let Some(call) = CallName::from_name(name) {
            add_aliases(&mut args, call);
        }
        if let Some(doc) = variant.get("description") {
            args["description"] = doc.clone();
        }
        // What the call fills: the outputs its expectations may check and its `bind` may name.
        let outputs: Vec<Value> = CallName::from_name(name)
            .map(|c| c.outputs().iter().map(|f| Value::from(f.as_str())).collect())
            .unwrap_or_default();
        let mut bindable = vec![Value::from("ret")];
        bindable.extend(outputs.iter().cloned());
        rules.push(json!({
            "if": {"properties": {"call": {"const": name}}, "required": ["call"]},
            "then": {"properties": {
                "args": args,
                "bind": {"propertyNames": {"enum": bindable}},
                "expect": {"properties": {"outputs": {"propertyNames": {"enum": outputs}}}}
            }}
        }));
    }
    if let Some(step) = file.pointer_mut("/$defs/Step") {
        let doc = step
            .pointer("/properties/call/description")
            .cloned()
            .unwrap_or(Value::Null);
        step["properties"]["call"] = json!({"description": doc, "enum": names});
        step["allOf"] = Value::Array(rules);
    }
    if let Some(outputs) = file.pointer_mut("/$defs/Expect/properties/outputs") {
        let fields: Vec<Value> = kernsim_kernel::result::Outputs::FIELDS
            .iter()
            .map(|f| Value::from(*f))
            .collect();
        *outputs = json!({
            "description": outputs.get("description").cloned().unwrap_or(Value::Null),
            "type": "object",
            "propertyNames": {"enum": fields}
        });
    }
    file
}

/// Integers as the loader reads them: also constant names, hex strings and bound names.
fn widen(v: &mut Value) {
    match v {
        Value::Object(m) => {
            // The children first: the alternatives made here are not widened again.
            for (_, child) in m.iter_mut() {
                widen(child);
            }
            let integer = m.get("type").is_some_and(|t| t == "integer");
            let nullable = m
                .get("type")
                .and_then(Value::as_array)
                .is_some_and(|t| t.contains(&json!("integer")) && t.contains(&json!("null")));
            if integer || nullable {
                m.remove("type");
                let mut kinds = vec![json!({"type": "integer"}), json!({"type": "string"})];
                if nullable {
                    kinds.push(json!({"type": "null"}));
                }
                m.remove("format");
                m.remove("minimum");
                m.remove("maximum");
                m.insert("anyOf".into(), Value::Array(kinds));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(widen),
        _ => {}
    }
}

/// The constants a parameter's documentation names (`DUPLICATE_SAME_ACCESS`, `INFINITE`, ...)
/// become its `examples`, so an editor offers them.
fn name_constants(args: &mut Value) {
    let Some(props) = args.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (_, p) in props.iter_mut() {
        let Some(doc) = p.get("description").and_then(Value::as_str) else {
            continue;
        };
        let named: Vec<Value> = doc
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|w| kernsim_kernel::consts::TABLE.iter().any(|(n, _)| n == w))
            .map(Value::from)
            .collect();
        if !named.is_empty() {
            p["examples"] = Value::Array(named);
        }
    }
}

/// A documented alias (`object` for `CloseHandle`'s `handle`) takes its argument's schema.
fn add_aliases(args: &mut Value, call: CallName) {
    let Some(props) = args.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    let mut extra = Map::new();
    for (alias, field) in call.aliases() {
        if let Some(p) = props.get(*field) {
            extra.insert((*alias).to_string(), p.clone());
        }
    }
    props.extend(extra);
    // An alias stands for its argument: the argument is required only when neither is given.
    if let Some(required) = args.get_mut("required").and_then(Value::as_array_mut) {
        let aliased: Vec<&str> = call.aliases().iter().map(|(_, f)| *f).collect();
        required.retain(|r| !r.as_str().is_some_and(|r| aliased.contains(&r)));
    }
}
