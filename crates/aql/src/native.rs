//! QRadar's native event fields that are not normalized fields of ours: some are derived
//! (`eventcount` is 1 per record, `endtime` is the start time, `eventdirection` comes
//! from the addresses), the rest are QRadar internals with no value in logs (NULL).

use whoiswatch_event::{Event, FieldId, LogSourceType};
use whoiswatch_reference::is_private;

use crate::datum::Datum;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Native {
    /// Records coalesced into the event: always 1 over files.
    EventCount,
    /// Storage time: the start time over files.
    EndTime,
    /// L2L, L2R, R2L or R2R from whether each address is private.
    EventDirection,
    /// Whether the Custom Rule Engine made the event.
    IsCreEvent,
    HasOffense,
    DomainId,
    /// A QRadar internal (qid, category, magnitude …): NULL unless the event carries it
    /// (a QRadar export).
    NoData(&'static str),
}

const NO_DATA: &[&str] = &[
    "qid",
    "qideventid",
    "category",
    "highlevelcategory",
    "magnitude",
    "credibility",
    "relevance",
    "devicegrouplist",
    "sourcemac",
    "destinationmac",
    "sourcev6",
    "destinationv6",
    "identityip",
    "identityhostname",
    "identityusername",
    "processorid",
    "sourcenetwork",
    "destinationnetwork",
    "sourcegeographiclocation",
    "destinationgeographiclocation",
    "prenatsourceip",
    "prenatdestinationip",
    "prenatsourceport",
    "prenatdestinationport",
    "postnatsourceip",
    "postnatdestinationip",
    "postnatsourceport",
    "postnatdestinationport",
    "creeventlist",
    "rulename",
    "duplicate",
    "partialmatchlist",
];

impl Native {
    /// A native name that is not one of our canonical fields.
    pub fn lookup(name: &str) -> Option<Native> {
        let lower = name.to_ascii_lowercase();
        Some(match lower.as_str() {
            "eventcount" => Native::EventCount,
            "endtime" => Native::EndTime,
            "eventdirection" => Native::EventDirection,
            "iscreevent" => Native::IsCreEvent,
            "hasoffense" => Native::HasOffense,
            "domainid" => Native::DomainId,
            other => match NO_DATA.iter().find(|n| **n == other) {
                Some(name) => Native::NoData(name),
                None => return None,
            },
        })
    }

    /// The lower-case QRadar name.
    pub fn name(self) -> &'static str {
        match self {
            Native::EventCount => "eventcount",
            Native::EndTime => "endtime",
            Native::EventDirection => "eventdirection",
            Native::IsCreEvent => "iscreevent",
            Native::HasOffense => "hasoffense",
            Native::DomainId => "domainid",
            Native::NoData(name) => name,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Native::EventCount => "native: 1 per record",
            Native::EndTime => "native: the start time",
            Native::EventDirection => "native: from source and destination addresses",
            Native::IsCreEvent => "native: true for Custom Rule Engine events",
            Native::HasOffense => "native: false (no offenses over files)",
            Native::DomainId => "native: 0 (the default domain)",
            Native::NoData(_) => {
                "native QRadar field with no value in logs: NULL unless the event carries it"
            }
        }
    }

    /// The value for `event`: what the event itself carries under the native name (a
    /// QRadar export), else the derived value.
    pub fn value(self, event: &Event) -> Datum<'_> {
        if let Some(value) = event.get_extra(self.name()) {
            return Datum::from_value(value);
        }
        match self {
            Native::EventCount => Datum::Integer(1),
            Native::EndTime => event
                .start_time()
                .map_or(Datum::Null, |t| Datum::Integer(t.millis())),
            Native::EventDirection => {
                let side = |id| event.get(id).and_then(|v| v.as_ip()).map(is_private);
                match (side(FieldId::SourceIp), side(FieldId::DestinationIp)) {
                    (Some(s), Some(d)) => Datum::text(match (s, d) {
                        (true, true) => "L2L",
                        (true, false) => "L2R",
                        (false, true) => "R2L",
                        (false, false) => "R2R",
                    }),
                    _ => Datum::Null,
                }
            }
            Native::IsCreEvent => {
                Datum::Boolean(event.device_type() == LogSourceType::CUSTOM_RULE_ENGINE.id)
            }
            Native::HasOffense => Datum::Boolean(false),
            Native::DomainId => Datum::Integer(0),
            Native::NoData(_) => Datum::Null,
        }
    }
}
