//! The one registry of AQL functions: every built-in, scalar or aggregate, with its
//! arity and documentation beside it. `docs/query.md` lists the same table (a test
//! keeps them in step).

pub use whoiswatch_event::java_time as dateformat;
pub mod scalar;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scalar {
    DateFormat,
    ParseDateTime,
    ParseTimestamp,
    Now,
    Lower,
    Upper,
    StrLen,
    StrPos,
    Substring,
    Concat,
    ReplaceAll,
    ReplaceFirst,
    Str,
    Long,
    Double,
    Base64,
    Utf8,
    InCidr,
    LogSourceName,
    LogSourceTypeName,
    LogSourceGroupName,
    QidName,
    CategoryName,
    ProtocolName,
    NetworkName,
    AssetHostname,
    GeoLookup,
    ReferenceSetContains,
    ReferenceMap,
    ReferenceTable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Aggregate {
    Count,
    Sum,
    Avg,
    Min,
    Max,
    First,
    Last,
    Stdev,
    UniqueCount,
    DistinctCount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Scalar(Scalar),
    Aggregate(Aggregate),
}

/// One registry entry.
#[derive(Debug, Clone, Copy)]
pub struct FunctionInfo {
    pub name: &'static str,
    pub function: Function,
    pub min_args: usize,
    /// `usize::MAX` for any number.
    pub max_args: usize,
    pub signature: &'static str,
    pub doc: &'static str,
    /// QRadar data we do not have (QID map, asset model, geo database): the function
    /// returns NULL and the query says so once.
    pub no_data: bool,
}

macro_rules! registry {
    ($( $name:literal => $kind:ident::$variant:ident, $min:expr, $max:expr, $no_data:expr, $sig:literal, $doc:literal; )*) => {
        pub static FUNCTIONS: &[FunctionInfo] = &[
            $(FunctionInfo {
                name: $name,
                function: Function::$kind($kind::$variant),
                min_args: $min,
                max_args: $max,
                signature: $sig,
                doc: $doc,
                no_data: $no_data,
            },)*
        ];
    };
}

const ANY: usize = usize::MAX;

registry! {
    "COUNT" => Aggregate::Count, 1, 1, false, "COUNT(*) | COUNT(x) | COUNT(DISTINCT x)",
        "Rows in the group; with an expression, rows where it is not NULL.";
    "SUM" => Aggregate::Sum, 1, 1, false, "SUM(x)", "Sum of the non-NULL numbers; NULL when there are none.";
    "AVG" => Aggregate::Avg, 1, 1, false, "AVG(x)", "Mean of the non-NULL numbers.";
    "MIN" => Aggregate::Min, 1, 1, false, "MIN(x)", "Smallest non-NULL value.";
    "MAX" => Aggregate::Max, 1, 1, false, "MAX(x)", "Largest non-NULL value.";
    "FIRST" => Aggregate::First, 1, 1, false, "FIRST(x)", "Value of the first row of the group (input order).";
    "LAST" => Aggregate::Last, 1, 1, false, "LAST(x)", "Value of the last row of the group (input order).";
    "STDEV" => Aggregate::Stdev, 1, 1, false, "STDEV(x)", "Sample standard deviation of the non-NULL numbers (NULL below two values).";
    "UNIQUECOUNT" => Aggregate::UniqueCount, 1, 1, false, "UNIQUECOUNT(x)", "Number of distinct non-NULL values (exact).";
    "DISTINCTCOUNT" => Aggregate::DistinctCount, 1, 1, false, "DISTINCTCOUNT(x)", "Number of distinct non-NULL values (exact here; approximate in QRadar).";
    "DATEFORMAT" => Scalar::DateFormat, 2, 2, false, "DATEFORMAT(ms, 'pattern')",
        "Epoch milliseconds as text in a Java SimpleDateFormat pattern, in UTC.";
    "PARSEDATETIME" => Scalar::ParseDateTime, 1, 1, false, "PARSEDATETIME('1 day ago')",
        "A relative time ('now', 'N minutes|hours|days|weeks ago') as epoch milliseconds, from --now.";
    "PARSETIMESTAMP" => Scalar::ParseTimestamp, 2, 2, false, "PARSETIMESTAMP('pattern', text)",
        "Text in a Java SimpleDateFormat pattern to epoch milliseconds (UTC unless the text has a zone).";
    "NOW" => Scalar::Now, 0, 0, false, "NOW()", "The query's --now in epoch milliseconds.";
    "LOWER" => Scalar::Lower, 1, 1, false, "LOWER(text)", "Lower case.";
    "UPPER" => Scalar::Upper, 1, 1, false, "UPPER(text)", "Upper case.";
    "STRLEN" => Scalar::StrLen, 1, 1, false, "STRLEN(text)", "Length in characters.";
    "STRPOS" => Scalar::StrPos, 2, 3, false, "STRPOS(text, part [, from])",
        "0-based character position of part in text, -1 when absent.";
    "SUBSTRING" => Scalar::Substring, 3, 3, false, "SUBSTRING(text, start, length)",
        "length characters from the 0-based start.";
    "CONCAT" => Scalar::Concat, 1, ANY, false, "CONCAT(a, b, ...)", "The arguments as text, joined; NULL arguments are skipped.";
    "REPLACEALL" => Scalar::ReplaceAll, 3, 3, false, "REPLACEALL('regex', 'replacement', text)",
        "Every match of the regular expression replaced.";
    "REPLACEFIRST" => Scalar::ReplaceFirst, 3, 3, false, "REPLACEFIRST('regex', 'replacement', text)",
        "The first match of the regular expression replaced.";
    "STR" => Scalar::Str, 1, 1, false, "STR(x)", "The value as text.";
    "LONG" => Scalar::Long, 1, 1, false, "LONG(x)",
        "The value as an integer; an IPv4 address as its 32-bit number (NULL when neither).";
    "DOUBLE" => Scalar::Double, 1, 1, false, "DOUBLE(x)", "The value as a floating-point number.";
    "BASE64" => Scalar::Base64, 1, 1, false, "BASE64(x)", "The value's UTF-8 bytes in Base64.";
    "UTF8" => Scalar::Utf8, 1, 1, false, "UTF8(payload)", "The payload as text (payloads are already text here).";
    "INCIDR" => Scalar::InCidr, 2, 2, false, "INCIDR('10.0.0.0/8', ip)", "Whether the address is in the IPv4 or IPv6 network.";
    "LOGSOURCENAME" => Scalar::LogSourceName, 1, 1, false, "LOGSOURCENAME(logsourceid)",
        "Name of the log source (`<type label> @ <host>` unless the record names one).";
    "LOGSOURCETYPENAME" => Scalar::LogSourceTypeName, 1, 1, false, "LOGSOURCETYPENAME(devicetype)",
        "QRadar name of the log source type.";
    "LOGSOURCEGROUPNAME" => Scalar::LogSourceGroupName, 1, 1, true, "LOGSOURCEGROUPNAME(devicegrouplist)",
        "No log source groups are defined over files: NULL.";
    "QIDNAME" => Scalar::QidName, 1, 1, true, "QIDNAME(qid)", "No QID map over files: NULL.";
    "QIDDESCRIPTION" => Scalar::QidName, 1, 1, true, "QIDDESCRIPTION(qid)", "No QID map over files: NULL.";
    "CATEGORYNAME" => Scalar::CategoryName, 1, 1, true, "CATEGORYNAME(category)", "No category map over files: NULL.";
    "PROTOCOLNAME" => Scalar::ProtocolName, 1, 1, false, "PROTOCOLNAME(protocolid)",
        "IANA protocol name of the number (6 → TCP.tcp.ip, 17 → UDP.udp.ip …).";
    "NETWORKNAME" => Scalar::NetworkName, 1, 1, true, "NETWORKNAME(ip)", "No network hierarchy over files: NULL.";
    "ASSETHOSTNAME" => Scalar::AssetHostname, 1, 2, true, "ASSETHOSTNAME(ip [, time])", "No asset model over files: NULL.";
    "GEO::LOOKUP" => Scalar::GeoLookup, 2, ANY, true, "GEO::LOOKUP(ip, 'field', ...)", "No geographic database: NULL.";
    "REFERENCESETCONTAINS" => Scalar::ReferenceSetContains, 2, 2, false, "REFERENCESETCONTAINS('set', value)",
        "Whether the reference set loaded with --reference-set holds the value.";
    "REFERENCEMAP" => Scalar::ReferenceMap, 2, 2, false, "REFERENCEMAP('map', key)",
        "The value for key in the map loaded with --reference-map.";
    "REFERENCETABLE" => Scalar::ReferenceTable, 3, 3, false, "REFERENCETABLE('table', 'column', key)",
        "The column's value for key in the table loaded with --reference-table.";
}

/// A function by name, case-insensitive.
pub fn lookup(name: &str) -> Option<&'static FunctionInfo> {
    FUNCTIONS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

/// The function table of docs/query.md (a test keeps the document equal to it).
pub fn functions_markdown() -> String {
    let mut out =
        String::from("| function | kind | signature | what it returns |\n|---|---|---|---|\n");
    for info in FUNCTIONS {
        let kind = match info.function {
            Function::Aggregate(_) => "aggregate",
            Function::Scalar(_) if info.no_data => "no data over files",
            Function::Scalar(_) => "scalar",
        };
        out.push_str(&format!(
            "| `{}` | {kind} | `{}` | {} |\n",
            info.name,
            info.signature.replace('|', "\\|"),
            info.doc
        ));
    }
    out
}

/// Names close to an unknown one, for "did you mean".
pub fn suggest(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    // Short names are one typo away from many others: allow fewer edits.
    let allowed = if upper.len() <= 4 { 1 } else { 2 };
    FUNCTIONS
        .iter()
        .map(|f| (edit_distance(&upper, f.name), f.name))
        .filter(|(d, _)| *d <= allowed)
        .min()
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found_in_any_case() {
        for info in FUNCTIONS {
            assert_eq!(
                FUNCTIONS.iter().filter(|f| f.name == info.name).count(),
                1,
                "{}",
                info.name
            );
            assert!(lookup(&info.name.to_ascii_lowercase()).is_some());
        }
        assert_eq!(suggest("DATEFROMAT"), Some("DATEFORMAT"));
        assert_eq!(suggest("FOO"), None);
    }
}
