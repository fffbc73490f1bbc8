//! Log source types (QRadar-style ids and names) and Sigma log source categories.

/// The kind of log a parser reads. `id` and `name` are QRadar's `devicetype` and
/// `LOGSOURCETYPENAME` where QRadar has that type; ids from 10000 up are whoiswatch's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSourceType {
    pub id: i64,
    pub name: &'static str,
    /// Short label for log source names: `<label> @ <host>`.
    pub label: &'static str,
}

impl LogSourceType {
    pub const WINDOWS: LogSourceType = LogSourceType {
        id: 12,
        name: "Microsoft Windows Security Event Log",
        label: "WindowsAuthServer",
    };
    pub const LINUX: LogSourceType = LogSourceType {
        id: 11,
        name: "Linux OS",
        label: "LinuxServer",
    };
    pub const CUSTOM_RULE_ENGINE: LogSourceType = LogSourceType {
        id: 18,
        name: "Custom Rule Engine",
        label: "CustomRuleEngine",
    };
    pub const SIM_AUDIT: LogSourceType = LogSourceType {
        id: 105,
        name: "SIM Audit",
        label: "SIMAudit",
    };
    pub const SQUID: LogSourceType = LogSourceType {
        id: 46,
        name: "Squid Web Proxy",
        label: "Squid",
    };
    pub const BIND: LogSourceType = LogSourceType {
        id: 185,
        name: "ISC BIND",
        label: "BIND",
    };
    pub const WINDOWS_DNS: LogSourceType = LogSourceType {
        id: 384,
        name: "Microsoft DNS Debug",
        label: "MicrosoftDNS",
    };
    pub const FIREWALL: LogSourceType = LogSourceType {
        id: 4,
        name: "Configurable Firewall Filter",
        label: "Firewall",
    };
    pub const DNSMASQ: LogSourceType = LogSourceType {
        id: 10001,
        name: "dnsmasq",
        label: "dnsmasq",
    };
    pub const ZEEK: LogSourceType = LogSourceType {
        id: 10002,
        name: "Zeek",
        label: "Zeek",
    };
    pub const CEF: LogSourceType = LogSourceType {
        id: 10003,
        name: "Universal CEF",
        label: "CEF",
    };
    pub const LEEF: LogSourceType = LogSourceType {
        id: 10004,
        name: "Universal LEEF",
        label: "LEEF",
    };
    pub const SYSLOG: LogSourceType = LogSourceType {
        id: 10005,
        name: "Generic Syslog",
        label: "Syslog",
    };
    pub const JSON: LogSourceType = LogSourceType {
        id: 10006,
        name: "Generic JSON",
        label: "JSON",
    };
    pub const QRADAR_EXPORT: LogSourceType = LogSourceType {
        id: 10007,
        name: "QRadar Export",
        label: "QRadar",
    };

    /// Every type, for lookups by id or name (`LOGSOURCETYPENAME`).
    pub const ALL: &'static [LogSourceType] = &[
        Self::WINDOWS,
        Self::LINUX,
        Self::CUSTOM_RULE_ENGINE,
        Self::SIM_AUDIT,
        Self::SQUID,
        Self::BIND,
        Self::WINDOWS_DNS,
        Self::FIREWALL,
        Self::DNSMASQ,
        Self::ZEEK,
        Self::CEF,
        Self::LEEF,
        Self::SYSLOG,
        Self::JSON,
        Self::QRADAR_EXPORT,
    ];

    pub fn by_id(id: i64) -> Option<&'static LogSourceType> {
        Self::ALL.iter().find(|t| t.id == id)
    }

    pub fn by_name(name: &str) -> Option<&'static LogSourceType> {
        Self::ALL.iter().find(|t| t.name.eq_ignore_ascii_case(name))
    }
}

/// Where a Sigma rule applies: its `logsource` (product, category, service).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Category {
    pub product: Option<&'static str>,
    pub category: Option<&'static str>,
    pub service: Option<&'static str>,
}

impl Category {
    pub const fn new(
        product: &'static str,
        category: Option<&'static str>,
        service: Option<&'static str>,
    ) -> Category {
        Category {
            product: Some(product),
            category,
            service,
        }
    }
}

/// Log source names read back from data (whoiswatch's own event JSON) as the
/// `&'static str` a [`Category`] holds: each distinct name is stored once, at most
/// [`MAX_NAMES`] of them (64 bytes each at most), so hostile input cannot grow memory.
const MAX_NAMES: usize = 512;

static NAMES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());

impl Category {
    /// A name as a static string, or `None` beyond the limits.
    pub fn name(name: &str) -> Option<&'static str> {
        if name.is_empty() || name.len() > 64 {
            return None;
        }
        let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = names.iter().find(|n| **n == name) {
            return Some(known);
        }
        if names.len() >= MAX_NAMES {
            return None;
        }
        let stored: &'static str = Box::leak(name.to_string().into_boxed_str());
        names.push(stored);
        Some(stored)
    }
}
