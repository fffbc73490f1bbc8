//! What can be wrong with an input, and where.

use std::fmt;

use whoiswatch_event::Origin;

/// Why a record was skipped (or, for warnings, kept with a caveat). Summaries group by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorKind {
    /// The file or a member could not be opened or read.
    Io,
    /// A compressed stream ended early or is corrupt.
    Compression,
    /// The record is not valid JSON.
    InvalidJson,
    /// The record is not well-formed XML.
    InvalidXml,
    /// The record ends before it should (a cut line, a partial XML event).
    Truncated,
    /// A line longer than the configured maximum.
    TooLong,
    /// A line that no parser of this file's format recognises.
    Unrecognized,
    /// A required field is missing or has an impossible value.
    BadField,
    /// A row whose column count disagrees with its header.
    HeaderMismatch,
    /// An EVTX chunk or record that the evtx reader rejected.
    EvtxRecord,
    /// An auditd event with no EOE record (kept, built from the records read).
    MissingEoe,
    /// A PowerShell script block with parts missing (kept, with the parts read).
    IncompleteScriptBlock,
    /// A bug in whoiswatch: a parser failed on this input. The rest of the file is lost;
    /// other files are still read. Please report it with the input.
    Internal,
}

impl ErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Io => "io",
            ErrorKind::Compression => "compression",
            ErrorKind::InvalidJson => "invalid-json",
            ErrorKind::InvalidXml => "invalid-xml",
            ErrorKind::Truncated => "truncated",
            ErrorKind::TooLong => "too-long",
            ErrorKind::Unrecognized => "unrecognized",
            ErrorKind::BadField => "bad-field",
            ErrorKind::HeaderMismatch => "header-mismatch",
            ErrorKind::EvtxRecord => "evtx-record",
            ErrorKind::MissingEoe => "missing-eoe",
            ErrorKind::IncompleteScriptBlock => "incomplete-script-block",
            ErrorKind::Internal => "internal-error",
        }
    }

    /// Warnings describe records that were kept; every other kind is a skipped record.
    pub fn is_warning(self) -> bool {
        matches!(
            self,
            ErrorKind::MissingEoe | ErrorKind::IncompleteScriptBlock
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A malformed record: where it is and why it was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub origin: Origin,
    pub kind: ErrorKind,
    pub reason: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.kind.is_warning() {
            "warning"
        } else {
            "skipped"
        };
        write!(
            f,
            "{}: {verb} ({}): {}",
            self.origin, self.kind, self.reason
        )
    }
}

impl std::error::Error for ParseError {}
