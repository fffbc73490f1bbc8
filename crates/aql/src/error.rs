//! Errors in a query, each with the place it points at.

use std::fmt;

/// A byte range in the query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text is not AQL.
    Syntax,
    /// Valid AQL that cannot be planned: an unknown function, a wrong argument count, a
    /// reference set that was not loaded.
    Plan,
    /// An expression of the wrong type.
    Type,
    /// Valid AQL this engine does not run (a regex with lookaround, say).
    Unsupported,
}

impl ErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax error",
            ErrorKind::Plan => "error",
            ErrorKind::Type => "type error",
            ErrorKind::Unsupported => "unsupported",
        }
    }
}

/// A user error in a query. [`QueryError::render`] shows it with line, column and caret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub kind: ErrorKind,
    pub message: String,
    pub span: Span,
}

impl QueryError {
    pub fn new(kind: ErrorKind, message: impl Into<String>, span: Span) -> QueryError {
        QueryError {
            kind,
            message: message.into(),
            span,
        }
    }

    pub fn syntax(message: impl Into<String>, span: Span) -> QueryError {
        QueryError::new(ErrorKind::Syntax, message, span)
    }

    pub fn plan(message: impl Into<String>, span: Span) -> QueryError {
        QueryError::new(ErrorKind::Plan, message, span)
    }

    /// 1-based line and column (in characters) of the error's start.
    pub fn line_column(&self, query: &str) -> (usize, usize) {
        line_column(query, self.span.start)
    }

    /// `query:LINE:COL: kind: message`, the line of the query and a caret under the place.
    pub fn render(&self, name: &str, query: &str) -> String {
        let (line, column) = self.line_column(query);
        let text = query.lines().nth(line - 1).unwrap_or("");
        let width = query
            .get(self.span.start..self.span.end)
            .map(|s| s.lines().next().unwrap_or("").chars().count())
            .unwrap_or(1)
            .max(1);
        format!(
            "{name}:{line}:{column}: {}: {}\n  {text}\n  {}{}",
            self.kind.name(),
            self.message,
            " ".repeat(column - 1),
            "^".repeat(width.min(text.chars().count().saturating_sub(column - 1).max(1)))
        )
    }
}

pub fn line_column(query: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(query.len());
    let before = &query[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for QueryError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_points_at_line_and_column() {
        let query = "SELECT a\nFROM evnts";
        let error = QueryError::syntax("expected events or flows", Span::new(14, 19));
        assert_eq!(
            error.render("query", query),
            "query:2:6: syntax error: expected events or flows\n  FROM evnts\n       ^^^^^"
        );
    }
}
