//! Triaged alerts and offenses as JSON: the `ndjson` alert record (keys documented in
//! docs/alerts.md and kept stable) and the whole report for `json`.

use serde_json::{json, Map, Value as Json};
use whoiswatch_triage::playbook::{Filled, Guidance};
use whoiswatch_triage::score::Reason;
use whoiswatch_triage::{Offense, Report, Suppression, Triaged};

use crate::event_to_json;

fn reasons(reasons: &[Reason]) -> Json {
    Json::Array(
        reasons
            .iter()
            .map(|r| json!({"points": r.points, "code": r.code, "text": r.text}))
            .collect(),
    )
}

fn suppression(s: Option<&Suppression>) -> Json {
    match s {
        Some(s) => json!({"allowlist": s.allowlist, "category": s.category, "reason": s.reason}),
        None => Json::Null,
    }
}

/// One alert: the documented top-level keys, then its evidence.
pub fn alert_to_json(triaged: &Triaged, offense: &Offense) -> Json {
    let alert = &triaged.alert;
    let mut o = Map::new();
    o.insert("rule_id".into(), json!(alert.rule.id));
    o.insert("rule_title".into(), json!(alert.rule.title));
    o.insert("technique".into(), json!(alert.rule.technique()));
    o.insert("level".into(), json!(alert.rule.level));
    o.insert("tags".into(), json!(alert.rule.tags));
    o.insert("score".into(), json!(triaged.score));
    o.insert("tier".into(), json!(offense.tier));
    o.insert("suppressed".into(), json!(triaged.suppressed_by.is_some()));
    o.insert(
        "suppressed_by".into(),
        suppression(triaged.suppressed_by.as_ref()),
    );
    o.insert("offense_id".into(), json!(offense.id));
    o.insert("source".into(), json!(offense.source));
    o.insert(
        "host".into(),
        json!(alert.host.as_ref().or(alert.reporter.as_ref())),
    );
    o.insert(
        "source_ip".into(),
        json!(alert.source_ip.map(|ip| ip.to_string())),
    );
    o.insert("user".into(), json!(alert.user));
    o.insert(
        "destination_ip".into(),
        json!(alert.destination_ip.map(|ip| ip.to_string())),
    );
    o.insert("destination_port".into(), json!(alert.destination_port));
    o.insert("destination_host".into(), json!(alert.destination_host));
    o.insert("process".into(), json!(alert.image));
    o.insert("command".into(), json!(alert.command));
    o.insert("looked_up".into(), json!(alert.targets));
    o.insert("summary".into(), json!(alert.summary));
    let seen = alert.time.map(|t| t.to_string());
    let last = alert
        .evidence
        .iter()
        .filter_map(|e| e.device_time())
        .max()
        .map(|t| t.to_string())
        .or(seen.clone());
    o.insert("first_seen".into(), json!(seen));
    o.insert("last_seen".into(), json!(last));
    o.insert("reasons".into(), reasons(&triaged.reasons));
    o.insert(
        "evidence".into(),
        Json::Array(
            alert
                .evidence
                .iter()
                .map(|e| event_to_json(e, None, false))
                .collect(),
        ),
    );
    Json::Object(o)
}

fn filled(steps: &[Filled]) -> Json {
    Json::Array(
        steps
            .iter()
            .map(|s| json!({"step": s.text, "facts": s.facts}))
            .collect(),
    )
}

pub fn guidance_to_json(g: &Guidance) -> Json {
    json!({
        "l1_steps": filled(&g.l1),
        "questions": filled(&g.questions),
        "decision": g.decision,
        "t2_actions": filled(&g.t2),
        "containment": {
            "playbook": g.containment_text,
            "commands": g.containment.iter().map(|c| json!({"title": c.title, "run_on": c.target, "command": c.command})).collect::<Vec<_>>(),
        },
    })
}

pub fn offense_to_json(offense: &Offense, guidance: Option<&Guidance>) -> Json {
    let time = |t: Option<whoiswatch_event::Timestamp>| t.map(|t| t.to_string());
    json!({
        "offense_id": offense.id,
        "source": offense.source,
        "tier": offense.tier,
        "score": offense.score,
        "suppressed": offense.suppressed_by.is_some(),
        "suppressed_by": suppression(offense.suppressed_by.as_ref()),
        "escalation": offense.escalation.iter().map(|e| json!({"code": e.code(), "playbook": e.playbook_words()})).collect::<Vec<_>>(),
        "reasons": reasons(&offense.reasons),
        "first_seen": time(offense.first_seen),
        "last_seen": time(offense.last_seen),
        "alerts": offense.alerts.len(),
        "hosts": offense.hosts,
        "addresses": offense.addresses,
        "users": offense.users,
        "servers": offense.servers,
        "looked_up": offense.targets,
        "rules": offense.rules,
        "volume": {
            "max_in_window": offense.volume.burst.count,
            "max_distinct_servers_in_window": offense.volume.distinct.count,
            "spike": offense.volume.spike.map(|s| json!({"hour": whoiswatch_event::Timestamp(s.hour).to_string(), "count": s.count, "median": s.median, "active_hours": s.active_hours})),
        },
        "off_hours": offense.off_hours,
        "intel": offense.intel.iter().map(|h| json!({"feed": h.set, "entry": h.entry, "label": h.label})).collect::<Vec<_>>(),
        "victim_associated": offense.victim.iter().map(|h| h.entry.clone()).collect::<Vec<_>>(),
        "follow_on": offense.follow_on.iter().map(|r| json!({"time": time(r.time), "activity": r.summary, "evidence": r.origin.to_string()})).collect::<Vec<_>>(),
        "playbook": guidance.map(guidance_to_json),
    })
}

/// The whole report: summary counts, offenses (with playbook) and alerts.
pub fn report_to_json(report: &Report, guidance: &[Guidance]) -> Json {
    let count = |tier: Option<u8>| report.offenses.iter().filter(|o| o.tier == tier).count();
    json!({
        "summary": {
            "alerts": report.alerts.len(),
            "offenses": report.offenses.len(),
            "tier2": count(Some(2)),
            "tier1": count(Some(1)),
            "suppressed": count(None),
            "notes": report.notes,
        },
        "offenses": report.offenses.iter().enumerate().map(|(i, o)| {
            let mut value = offense_to_json(o, guidance.get(i));
            value["alert_records"] = Json::Array(o.alerts.iter().map(|&a| alert_to_json(&report.alerts[a], o)).collect());
            value
        }).collect::<Vec<_>>(),
    })
}
