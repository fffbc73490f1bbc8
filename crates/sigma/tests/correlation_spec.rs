//! The correlation specification's own example, "Failed Logins Followed by Successful
//! Login" (a temporal_ordered over an event_count, written before the rules it refers
//! to), loaded and run on hand-made events; and the load errors of broken chains.

use std::sync::Arc;

use whoiswatch_event::{Category, Event, LogSourceType, Origin, Position, Timestamp, Value};
use whoiswatch_sigma::correlation::{correlate, Collector};
use whoiswatch_sigma::{LoadOptions, RuleSet};

const SPEC_EXAMPLE: &str = r#"title: Correlation - Multiple Failed Logins Followed by Successful Login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
status: experimental
correlation:
    type: temporal_ordered
    rules:
        - multiple_failed_login
        - successful_login
    group-by:
        - User
    timespan: 10m
falsepositives:
    - Unlikely
level: high
---
title: Multiple failed logons
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
name: multiple_failed_login
correlation:
    type: event_count
    rules:
        - failed_login
    group-by:
        - User
    timespan: 10m
    condition:
        gte: 10
---
title: Single failed login
id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
name: failed_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID:
            - 529
            - 4625
    condition: selection
---
title: Successful login
id: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8
name: successful_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID:
            - 528
            - 4624
    condition: selection
"#;

fn logon(line: u64, seconds: i64, event_id: i64, user: &str) -> Event {
    let origin = Origin {
        file: Arc::from("security.json"),
        position: Position::Line(line),
    };
    let category = Category::new("windows", None, Some("security"));
    let mut event = Event::new(&LogSourceType::WINDOWS, category, origin);
    event.set_named("devicetime", Value::Time(Timestamp::from_seconds(seconds)));
    event.set_named("EventID", Value::Integer(event_id));
    event.push_extra("User", Value::text(user));
    event
}

/// Run the example's rules over the events; the reported firings' titles and groups.
fn run(events: &[Event]) -> Vec<(String, String)> {
    let loaded = RuleSet::load(
        &[],
        &[("mr.yml".into(), SPEC_EXAMPLE.into())],
        &LoadOptions::default(),
    );
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let set = loaded.set;
    let mut scanner = set.scanner();
    let mut collector = Collector::new(&set);
    for event in events {
        let hits = scanner.scan(event).to_vec();
        collector.observe(event, &hits);
    }
    correlate(&set, vec![collector])
        .matches
        .iter()
        .map(|m| {
            let group: Vec<String> = m.group.iter().map(|(k, v)| format!("{k}={v}")).collect();
            (
                set.correlations[m.correlation].meta.title.clone(),
                group.join(","),
            )
        })
        .collect()
}

const T0: i64 = 1_795_500_000;

#[test]
fn the_specification_example_fires_once_per_user_that_matches() {
    let mut events = Vec::new();
    // bob: 10 failures in 9 minutes, then a success a minute later.
    for i in 0..10 {
        events.push(logon(i + 1, T0 + i as i64 * 60, 4625, "bob"));
    }
    events.push(logon(11, T0 + 600, 4624, "bob"));
    // alice: 9 failures, then a success: not enough failures.
    for i in 0..9 {
        events.push(logon(20 + i, T0 + i as i64 * 10, 4625, "alice"));
    }
    events.push(logon(30, T0 + 100, 4624, "alice"));
    // carol: 10 failures, but the success comes 11 minutes after the tenth.
    for i in 0..10 {
        events.push(logon(40 + i, T0 + i as i64, 529, "carol"));
    }
    events.push(logon(50, T0 + 9 + 660, 528, "carol"));
    assert_eq!(
        run(&events),
        [(
            "Correlation - Multiple Failed Logins Followed by Successful Login".to_string(),
            "User=bob".to_string()
        )]
    );
    // The inner correlation alone is not reported (no `generate`), and a success
    // before the failures does not count.
    let mut reversed = vec![logon(1, T0, 4624, "dave")];
    for i in 0..10 {
        reversed.push(logon(2 + i, T0 + 1 + i as i64, 4625, "dave"));
    }
    assert!(run(&reversed).is_empty());
}

#[test]
fn broken_chains_are_load_errors() {
    let looped = "title: A\nname: a\ncorrelation:\n  type: event_count\n  rules: [b]\n  group-by: [User]\n  timespan: 1m\n  condition: {gte: 2}\n---\n\
                  title: B\nname: b\ncorrelation:\n  type: event_count\n  rules: [a]\n  group-by: [User]\n  timespan: 1m\n  condition: {gte: 2}\n";
    let unknown = "title: C\ncorrelation:\n  type: temporal\n  rules: [nowhere]\n  group-by: [User]\n  timespan: 1m\n";
    let loaded = RuleSet::load(
        &[],
        &[
            ("loop.yml".into(), looped.into()),
            ("unknown.yml".into(), unknown.into()),
        ],
        &LoadOptions::default(),
    );
    let reasons: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(
        reasons
            .iter()
            .filter(|r| r.contains("refers to a correlation that could not be loaded or to itself"))
            .count()
            == 2,
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("unknown rule `nowhere`")),
        "{reasons:?}"
    );
    assert!(loaded.set.correlations.is_empty());
}
