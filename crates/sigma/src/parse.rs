//! YAML documents → [`Rule`]s. Scalars follow YAML 1.2 with strict booleans, so `yes`
//! stays the string a rule author meant. Every problem becomes a [`RuleError`] naming the
//! file, the document and the rule.

use serde_json::{Map, Value as Yaml};
pub use whoiswatch_event::time::parse_timespan;

use crate::ast::*;
use crate::condition::parse_condition;
use crate::error::RuleError;
use crate::modifier::Modifier;

/// Parse every document of one file. A bad document does not stop the others.
pub fn parse_rules(file: &str, text: &str) -> Vec<Result<Rule, RuleError>> {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    let documents: Vec<Yaml> = match serde_saphyr::from_multiple_with_options(text, options) {
        Ok(documents) => documents,
        Err(e) => {
            return vec![Err(RuleError {
                file: file.to_string(),
                document: 1,
                rule: None,
                reason: format!("invalid YAML: {}", first_line(&e.to_string())),
            })]
        }
    };
    documents
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.is_null())
        .map(|(i, document)| {
            parse_document(file, document).map_err(|(rule, reason)| RuleError {
                file: file.to_string(),
                document: i + 1,
                rule,
                reason,
            })
        })
        .collect()
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

type Failure = (Option<String>, String);

fn parse_document(file: &str, document: &Yaml) -> Result<Rule, Failure> {
    let Some(map) = document.as_object() else {
        return Err((None, "a rule is a YAML mapping".into()));
    };
    let label = map
        .get("title")
        .or_else(|| map.get("id"))
        .and_then(Yaml::as_str)
        .map(str::to_string);
    let fail = |reason: String| (label.clone(), reason);
    if map.get("action").is_some() {
        return Err(fail(
            "`action` (Sigma 1 rule collections) is not Sigma 2; split the documents".into(),
        ));
    }
    let meta = parse_meta(file, map).map_err(fail)?;
    let logsource = parse_logsource(map.get("logsource")).map_err(fail)?;
    let kind = if let Some(detection) = map.get("detection") {
        RuleKind::Detection(parse_detection(detection).map_err(fail)?)
    } else if let Some(filter) = map.get("filter") {
        parse_filter(filter).map_err(fail)?
    } else if let Some(correlation) = map.get("correlation") {
        RuleKind::Correlation(parse_correlation(correlation).map_err(fail)?)
    } else {
        return Err(fail(
            "no `detection`, `filter` or `correlation` section".into(),
        ));
    };
    if matches!(kind, RuleKind::Detection(_)) && map.get("logsource").is_none() {
        return Err(fail("a detection rule needs `logsource`".into()));
    }
    Ok(Rule {
        meta,
        logsource,
        kind,
    })
}

fn text(value: Option<&Yaml>) -> Option<String> {
    match value? {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings(value: Option<&Yaml>) -> Vec<String> {
    match value {
        Some(Yaml::Array(items)) => items.iter().filter_map(|i| text(Some(i))).collect(),
        Some(other) => text(Some(other)).into_iter().collect(),
        None => Vec::new(),
    }
}

fn parse_meta(file: &str, map: &Map<String, Yaml>) -> Result<Meta, String> {
    let title = text(map.get("title")).ok_or("a rule needs a `title`")?;
    let level = match map.get("level") {
        None | Some(Yaml::Null) => Level::Medium,
        Some(value) => {
            let name = text(Some(value)).unwrap_or_default();
            Level::from_name(&name).ok_or(format!("unknown level `{name}`"))?
        }
    };
    Ok(Meta {
        id: text(map.get("id")),
        name: text(map.get("name")),
        title,
        status: text(map.get("status")),
        description: text(map.get("description")),
        author: text(map.get("author")),
        date: text(map.get("date")),
        level,
        tags: strings(map.get("tags")),
        references: strings(map.get("references")),
        falsepositives: strings(map.get("falsepositives")),
        file: file.to_string(),
    })
}

fn parse_logsource(value: Option<&Yaml>) -> Result<LogSource, String> {
    let Some(value) = value else {
        return Ok(LogSource::default());
    };
    let map = value.as_object().ok_or("`logsource` must be a mapping")?;
    Ok(LogSource {
        product: text(map.get("product")).map(|s| s.to_ascii_lowercase()),
        category: text(map.get("category")).map(|s| s.to_ascii_lowercase()),
        service: text(map.get("service")).map(|s| s.to_ascii_lowercase()),
    })
}

fn parse_detection(value: &Yaml) -> Result<Detection, String> {
    let map = value.as_object().ok_or("`detection` must be a mapping")?;
    let mut searches = Vec::new();
    let mut conditions = Vec::new();
    for (name, body) in map {
        match name.as_str() {
            "condition" => {
                for text in strings(Some(body)) {
                    let condition =
                        parse_condition(&text).map_err(|e| format!("condition `{text}` {e}"))?;
                    conditions.push(condition);
                }
            }
            // Sigma 1 leftovers that change nothing in Sigma 2 matching.
            "timeframe" => {}
            _ => searches.push((
                name.clone(),
                parse_search(body).map_err(|e| format!("search `{name}`: {e}"))?,
            )),
        }
    }
    if conditions.is_empty() {
        return Err("`detection` has no `condition`".into());
    }
    Ok(Detection {
        searches,
        conditions,
    })
}

fn parse_search(body: &Yaml) -> Result<Search, String> {
    match body {
        Yaml::Object(map) => {
            let mut tests = Vec::new();
            for (key, value) in map {
                tests.push(parse_field_test(key, value)?);
            }
            Ok(Search::AllOf(tests))
        }
        Yaml::Array(items) if !items.is_empty() && items.iter().all(Yaml::is_object) => {
            let mut alternatives = Vec::new();
            for item in items {
                alternatives.push(parse_search(item)?);
            }
            Ok(Search::AnyOf(alternatives))
        }
        Yaml::Array(items) => {
            if items.iter().any(|i| i.is_object() || i.is_array()) {
                return Err("a list mixes maps and plain values".into());
            }
            Ok(Search::Keywords(FieldTest {
                field: None,
                modifiers: Vec::new(),
                values: items.iter().map(scalar).collect::<Result<_, _>>()?,
            }))
        }
        Yaml::Null => Err("the search is empty".into()),
        other => Ok(Search::Keywords(FieldTest {
            field: None,
            modifiers: Vec::new(),
            values: vec![scalar(other)?],
        })),
    }
}

fn scalar(value: &Yaml) -> Result<SigmaValue, String> {
    Ok(match value {
        Yaml::String(s) => SigmaValue::String(s.clone()),
        Yaml::Number(n) => match n.as_i64() {
            Some(i) => SigmaValue::Integer(i),
            None => SigmaValue::Float(n.as_f64().unwrap_or(0.0)),
        },
        Yaml::Bool(b) => SigmaValue::Bool(*b),
        Yaml::Null => SigmaValue::Null,
        Yaml::Array(_) | Yaml::Object(_) => return Err("a value must be a scalar".into()),
    })
}

fn parse_field_test(key: &str, value: &Yaml) -> Result<FieldTest, String> {
    let mut parts = key.split('|');
    let field = parts.next().unwrap_or_default();
    let mut modifiers = Vec::new();
    for name in parts {
        let modifier = Modifier::from_name(name)
            .ok_or_else(|| format!("unknown modifier `{name}` in `{key}`"))?;
        modifiers.push(modifier);
    }
    let values = match value {
        Yaml::Array(items) => items.iter().map(scalar).collect::<Result<Vec<_>, _>>()?,
        other => vec![scalar(other)?],
    };
    if values.is_empty() {
        return Err(format!("`{key}` has an empty list of values"));
    }
    Ok(FieldTest {
        field: (!field.is_empty()).then(|| field.to_string()),
        modifiers,
        values,
    })
}

fn parse_filter(value: &Yaml) -> Result<RuleKind, String> {
    let map = value.as_object().ok_or("`filter` must be a mapping")?;
    let rules = strings(map.get("rules"));
    if rules.is_empty() {
        return Err("a filter needs `rules`".into());
    }
    let mut body = map.clone();
    body.remove("rules");
    let detection = parse_detection(&Yaml::Object(body))?;
    Ok(RuleKind::Filter { rules, detection })
}

fn parse_correlation(value: &Yaml) -> Result<Correlation, String> {
    let map = value.as_object().ok_or("`correlation` must be a mapping")?;
    let kind_name = text(map.get("type")).ok_or("a correlation needs `type`")?;
    let kind = CorrelationType::from_name(&kind_name)
        .ok_or(format!("unknown correlation type `{kind_name}`"))?;
    let rules = strings(map.get("rules"));
    if rules.is_empty() {
        return Err("a correlation needs `rules`".into());
    }
    let timespan = text(map.get("timespan")).ok_or("a correlation needs `timespan`")?;
    let timespan_seconds =
        parse_timespan(&timespan).ok_or(format!("timespan `{timespan}` is not like 5m, 1h, 2d"))?;
    let mut condition = Vec::new();
    let mut field = None;
    match map.get("condition") {
        Some(Yaml::Object(items)) => {
            for (key, value) in items {
                let comparison = match key.as_str() {
                    "gt" => Comparison::Gt,
                    "gte" => Comparison::Gte,
                    "lt" => Comparison::Lt,
                    "lte" => Comparison::Lte,
                    "eq" => Comparison::Eq,
                    "neq" => Comparison::Neq,
                    "field" => {
                        field = text(Some(value));
                        continue;
                    }
                    other => return Err(format!("unknown condition key `{other}`")),
                };
                let number = value
                    .as_f64()
                    .or_else(|| text(Some(value)).and_then(|t| t.parse().ok()))
                    .ok_or(format!("condition `{key}` needs a number"))?;
                condition.push((comparison, number));
            }
        }
        None if matches!(
            kind,
            CorrelationType::Temporal | CorrelationType::TemporalOrdered
        ) => {}
        _ => return Err("a correlation needs a `condition` mapping".into()),
    }
    let needs_field = matches!(
        kind,
        CorrelationType::ValueCount
            | CorrelationType::ValueSum
            | CorrelationType::ValueAvg
            | CorrelationType::ValuePercentile
    );
    if needs_field && field.is_none() {
        return Err(format!("`{kind_name}` needs `condition.field`"));
    }
    let mut aliases = Vec::new();
    if let Some(Yaml::Object(items)) = map.get("aliases") {
        for (alias, mapping) in items {
            let mapping = mapping
                .as_object()
                .ok_or(format!("alias `{alias}` must map rule names to fields"))?;
            aliases.push((
                alias.clone(),
                mapping
                    .iter()
                    .filter_map(|(rule, field)| Some((rule.clone(), text(Some(field))?)))
                    .collect(),
            ));
        }
    }
    let generate = matches!(map.get("generate"), Some(Yaml::Bool(true)));
    Ok(Correlation {
        kind,
        rules,
        group_by: strings(map.get("group-by")),
        timespan_seconds,
        condition,
        field,
        aliases,
        generate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_detection_rule() {
        let rules = parse_rules(
            "t.yml",
            "title: T\nid: 1\nlogsource: {category: process_creation, product: windows}\n\
             detection:\n  sel:\n    Image|endswith: '\\whois.exe'\n    EventID: [1, 4688]\n  condition: sel\nlevel: high\n",
        );
        let rule = rules[0].as_ref().unwrap();
        assert_eq!(rule.meta.level, Level::High);
        let RuleKind::Detection(d) = &rule.kind else {
            panic!()
        };
        let Search::AllOf(tests) = &d.searches[0].1 else {
            panic!()
        };
        assert_eq!(tests.len(), 2);
        assert!(tests.iter().any(|t| t.modifiers == [Modifier::EndsWith]));
    }

    #[test]
    fn strict_booleans_keep_yes_a_string() {
        let rules = parse_rules(
            "t.yml",
            "title: T\nlogsource: {product: x}\ndetection:\n  sel:\n    a: yes\n  condition: sel\n",
        );
        let RuleKind::Detection(d) = &rules[0].as_ref().unwrap().kind else {
            panic!()
        };
        let Search::AllOf(tests) = &d.searches[0].1 else {
            panic!()
        };
        assert_eq!(tests[0].values, vec![SigmaValue::String("yes".into())]);
    }

    #[test]
    fn errors_name_the_problem() {
        let bad = parse_rules(
            "bad.yml",
            "title: T\nlogsource: {product: x}\ndetection:\n  sel:\n    a|contain: x\n  condition: sel\n",
        );
        let e = bad[0].as_ref().unwrap_err();
        assert!(e.to_string().contains("unknown modifier `contain`"), "{e}");
        assert!(e.to_string().starts_with("bad.yml [T]"), "{e}");
        let yaml = parse_rules("y.yml", "title: [unclosed\n");
        assert!(yaml[0]
            .as_ref()
            .unwrap_err()
            .reason
            .contains("invalid YAML"));
    }

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("5m"), Some(300));
        assert_eq!(parse_timespan("1h"), Some(3600));
        assert_eq!(parse_timespan("2d"), Some(172800));
        assert_eq!(parse_timespan("5x"), None);
    }
}
