//! Errors of loading rules: each names the file, the YAML document in it, and the rule.

use std::fmt;

#[derive(Debug, Clone)]
pub struct RuleError {
    pub file: String,
    /// 1-based YAML document number within the file (`---` separates documents).
    pub document: usize,
    /// The rule's title or id, when the document got that far.
    pub rule: Option<String>,
    pub reason: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.document > 1 {
            write!(f, " (document {})", self.document)?;
        }
        if let Some(rule) = &self.rule {
            write!(f, " [{rule}]")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for RuleError {}
