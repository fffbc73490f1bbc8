//! Value modifiers of the Sigma 2.1 appendix: one enum, one registry with each
//! modifier's documentation beside it. Rules name modifiers by string once, when they
//! load; matching never sees the strings.

/// A value modifier (`field|contains|all`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modifier {
    Contains,
    StartsWith,
    EndsWith,
    All,
    Exists,
    Cased,
    Neq,
    Windash,
    Re,
    /// `re|i`: case-insensitive regular expression.
    ReInsensitive,
    /// `re|m`: `^`/`$` match at line ends.
    ReMultiLine,
    /// `re|s`: `.` matches newlines.
    ReDotAll,
    Base64,
    Base64Offset,
    Utf16Le,
    Utf16Be,
    Utf16,
    Lt,
    Lte,
    Gt,
    Gte,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
    Cidr,
    Expand,
    FieldRef,
}

/// Every modifier: its names in rules, and what it does.
pub const MODIFIERS: &[(&str, Modifier, &str)] = &[
    (
        "contains",
        Modifier::Contains,
        "the value may appear anywhere in the field",
    ),
    (
        "startswith",
        Modifier::StartsWith,
        "the field begins with the value",
    ),
    (
        "endswith",
        Modifier::EndsWith,
        "the field ends with the value",
    ),
    (
        "all",
        Modifier::All,
        "all values of the list must match (AND instead of OR)",
    ),
    (
        "exists",
        Modifier::Exists,
        "`true`: the field is present; `false`: it is absent",
    ),
    (
        "cased",
        Modifier::Cased,
        "compare with case (Sigma compares without case by default)",
    ),
    ("neq", Modifier::Neq, "the field differs from every value"),
    (
        "windash",
        Modifier::Windash,
        "each of - / – — ― may stand for any other (Windows flags)",
    ),
    (
        "re",
        Modifier::Re,
        "the value is a regular expression (linear time, size-limited)",
    ),
    ("i", Modifier::ReInsensitive, "after `re`: ignore case"),
    (
        "m",
        Modifier::ReMultiLine,
        "after `re`: ^ and $ match at each line",
    ),
    (
        "s",
        Modifier::ReDotAll,
        "after `re`: . matches a newline too",
    ),
    (
        "base64",
        Modifier::Base64,
        "match the Base64 encoding of the value",
    ),
    (
        "base64offset",
        Modifier::Base64Offset,
        "match the value Base64-encoded at any of the three offsets",
    ),
    (
        "utf16le",
        Modifier::Utf16Le,
        "encode the value as UTF-16LE (before base64)",
    ),
    ("wide", Modifier::Utf16Le, "alias of utf16le"),
    (
        "utf16be",
        Modifier::Utf16Be,
        "encode the value as UTF-16BE (before base64)",
    ),
    (
        "utf16",
        Modifier::Utf16,
        "encode the value as UTF-16 with a byte order mark (before base64)",
    ),
    (
        "lt",
        Modifier::Lt,
        "the field, as a number, is less than the value",
    ),
    (
        "lte",
        Modifier::Lte,
        "the field, as a number, is at most the value",
    ),
    (
        "gt",
        Modifier::Gt,
        "the field, as a number, is greater than the value",
    ),
    (
        "gte",
        Modifier::Gte,
        "the field, as a number, is at least the value",
    ),
    (
        "minute",
        Modifier::Minute,
        "compare the minute (0-59) of a time field",
    ),
    (
        "hour",
        Modifier::Hour,
        "compare the hour (0-23, UTC) of a time field",
    ),
    (
        "day",
        Modifier::Day,
        "compare the day of month (1-31) of a time field",
    ),
    (
        "week",
        Modifier::Week,
        "compare the ISO week (1-53) of a time field",
    ),
    (
        "month",
        Modifier::Month,
        "compare the month (1-12) of a time field",
    ),
    ("year", Modifier::Year, "compare the year of a time field"),
    (
        "cidr",
        Modifier::Cidr,
        "the field is an IP address inside the network (v4 or v6)",
    ),
    (
        "expand",
        Modifier::Expand,
        "%placeholders% in the value become the values the user supplied",
    ),
    (
        "fieldref",
        Modifier::FieldRef,
        "the value names another field of the same event to compare with",
    ),
];

impl Modifier {
    pub fn from_name(name: &str) -> Option<Modifier> {
        MODIFIERS
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, m, _)| *m)
    }

    pub fn name(self) -> &'static str {
        MODIFIERS
            .iter()
            .find(|(_, m, _)| *m == self)
            .map(|(n, _, _)| *n)
            .unwrap_or("?")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_modifier_of_the_appendix_has_a_name() {
        for name in [
            "contains",
            "startswith",
            "endswith",
            "all",
            "exists",
            "cased",
            "neq",
            "windash",
            "re",
            "i",
            "m",
            "s",
            "base64",
            "base64offset",
            "utf16le",
            "utf16be",
            "utf16",
            "wide",
            "lt",
            "lte",
            "gt",
            "gte",
            "minute",
            "hour",
            "day",
            "week",
            "month",
            "year",
            "cidr",
            "expand",
            "fieldref",
        ] {
            assert!(Modifier::from_name(name).is_some(), "{name}");
        }
        assert_eq!(Modifier::from_name("wide"), Some(Modifier::Utf16Le));
        assert_eq!(Modifier::from_name("contain"), None);
    }
}
