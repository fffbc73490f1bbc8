//! Events as JSON objects.

use serde_json::{Map, Value as Json};
use whoiswatch_event::{Event, FieldId, FieldName, Value};

pub fn value_to_json(value: &Value) -> Json {
    match value {
        Value::Text(text) => Json::String(text.to_string()),
        Value::Integer(n) => Json::from(*n),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .unwrap_or(Json::Null),
        Value::Boolean(b) => Json::Bool(*b),
        Value::Ip(ip) => Json::String(ip.to_string()),
        Value::Time(t) => Json::String(t.to_string()),
        Value::List(items) => {
            Json::Array(items.iter().map(|i| Json::String(i.to_string())).collect())
        }
    }
}

/// The event as an object. With `fields`, only those (named as the user wrote them);
/// otherwise every canonical field (payload only with `payload`), the log source, the
/// Sigma log source, the origin and the extra fields.
pub fn event_to_json(event: &Event, fields: Option<&[(String, FieldName)]>, payload: bool) -> Json {
    let mut object = Map::new();
    if let Some(fields) = fields {
        for (label, name) in fields {
            let value = event
                .value(name)
                .map(|v| value_to_json(&v))
                .unwrap_or(Json::Null);
            object.insert(label.clone(), value);
        }
        return Json::Object(object);
    }
    for id in [
        FieldId::DeviceTime,
        FieldId::LogSourceName,
        FieldId::LogSourceTypeName,
        FieldId::DeviceType,
    ] {
        if let Some(value) = event.value(&FieldName::Canonical(id)) {
            object.insert(id.name().to_string(), value_to_json(&value));
        }
    }
    for (id, value) in event.fields() {
        if id == FieldId::Payload && !payload || object.contains_key(id.name()) {
            continue;
        }
        object.insert(id.name().to_string(), value_to_json(value));
    }
    let category = &event.category;
    let mut logsource = Map::new();
    for (key, value) in [
        ("product", category.product),
        ("category", category.category),
        ("service", category.service),
    ] {
        if let Some(value) = value {
            logsource.insert(key.into(), Json::String(value.into()));
        }
    }
    if !logsource.is_empty() {
        object.insert("sigma_logsource".into(), Json::Object(logsource));
    }
    let mut extra = Map::new();
    for (name, value) in event.extra_fields() {
        extra
            .entry(name.to_string())
            .or_insert_with(|| value_to_json(value));
    }
    if !extra.is_empty() {
        object.insert("extra".into(), Json::Object(extra));
    }
    object.insert("file".into(), Json::String(event.origin.file.to_string()));
    object.insert(
        "position".into(),
        Json::String(event.origin.position.to_string()),
    );
    Json::Object(object)
}
