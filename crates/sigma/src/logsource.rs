//! Does a rule's `logsource` apply to an event's Sigma category? Each key the rule names
//! must equal the event's, with the few categories that are unions of others.

use whoiswatch_event::Category;

use crate::ast::LogSource;

/// Rule category → the event categories it covers besides itself.
fn covers(rule: &str, event: &str) -> bool {
    rule == event
        || match rule {
            "registry_event" => {
                matches!(event, "registry_add" | "registry_set" | "registry_rename")
            }
            "registry_delete" => event == "registry_add",
            "dns" => event == "dns_query",
            _ => false,
        }
}

pub(crate) fn applies(rule: &LogSource, event: &Category) -> bool {
    let key =
        |rule: &Option<String>, event: Option<&str>, relation: fn(&str, &str) -> bool| match rule {
            None => true,
            Some(r) => event.is_some_and(|e| relation(r, e)),
        };
    key(&rule.product, event.product, |r, e| r == e)
        && key(&rule.category, event.category, covers)
        && key(&rule.service, event.service, |r, e| r == e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(product: &str, category: Option<&str>, service: Option<&str>) -> LogSource {
        LogSource {
            product: Some(product.into()),
            category: category.map(Into::into),
            service: service.map(Into::into),
        }
    }

    #[test]
    fn keys_must_agree() {
        let sysmon1 = Category::new("windows", Some("process_creation"), Some("sysmon"));
        assert!(applies(
            &source("windows", Some("process_creation"), None),
            &sysmon1
        ));
        assert!(applies(&source("windows", None, Some("sysmon")), &sysmon1));
        assert!(!applies(
            &source("linux", Some("process_creation"), None),
            &sysmon1
        ));
        assert!(!applies(
            &source("windows", None, Some("security")),
            &sysmon1
        ));
        let set = Category::new("windows", Some("registry_set"), Some("sysmon"));
        assert!(applies(
            &source("windows", Some("registry_event"), None),
            &set
        ));
        assert!(!applies(
            &source("windows", Some("registry_add"), None),
            &set
        ));
    }
}
