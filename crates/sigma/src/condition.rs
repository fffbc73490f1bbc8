//! The `condition` of a detection: tokens → an expression tree over search identifiers.
//!
//! Precedence, loosest first: `or`, `and`, `not`, `x of`, parentheses. Keywords compare
//! without case.

use std::fmt;

/// A parsed condition before search names are resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Search(String),
    Not(Box<Condition>),
    And(Vec<Condition>),
    Or(Vec<Condition>),
    /// `1 of pattern` / `all of pattern`; the pattern `them` means every search not
    /// starting with `_`.
    Of {
        quantifier: Quantifier,
        pattern: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// `1 of` (any `n of` with n ≥ 1 means at least n).
    AtLeast(usize),
    All,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConditionError {
    /// Byte offset into the condition text.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConditionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at column {}: {}", self.column + 1, self.message)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Open,
    Close,
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, ConditionError> {
    let mut tokens = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'(' => {
                tokens.push((i, Token::Open));
                i += 1;
            }
            b')' => {
                tokens.push((i, Token::Close));
                i += 1;
            }
            b'|' => return Err(ConditionError {
                column: i,
                message:
                    "`|` aggregations of Sigma 1 are not part of Sigma 2; write a correlation rule"
                        .into(),
            }),
            _ => {
                let start = i;
                while i < bytes.len()
                    && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'(' | b')' | b'|')
                {
                    i += 1;
                }
                let word = &text[start..i];
                if !word
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '*' | '-' | '.'))
                {
                    return Err(ConditionError {
                        column: start,
                        message: format!("unexpected `{word}`"),
                    });
                }
                tokens.push((start, Token::Word(word.to_string())));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    at: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(_, t)| t)
    }

    fn column(&self) -> usize {
        self.tokens.get(self.at).map_or(self.end, |(c, _)| *c)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, ConditionError> {
        Err(ConditionError {
            column: self.column(),
            message: message.into(),
        })
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> Result<Condition, ConditionError> {
        let mut items = vec![self.and()?];
        while self.keyword("or") {
            self.at += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one item")
        } else {
            Condition::Or(items)
        })
    }

    fn and(&mut self) -> Result<Condition, ConditionError> {
        let mut items = vec![self.not()?];
        while self.keyword("and") {
            self.at += 1;
            items.push(self.not()?);
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one item")
        } else {
            Condition::And(items)
        })
    }

    fn not(&mut self) -> Result<Condition, ConditionError> {
        if self.keyword("not") {
            self.at += 1;
            return Ok(Condition::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Condition, ConditionError> {
        match self.peek().cloned() {
            Some(Token::Open) => {
                self.at += 1;
                let inner = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return self.error("expected `)`");
                }
                self.at += 1;
                Ok(inner)
            }
            Some(Token::Word(word)) => {
                let lower = word.to_ascii_lowercase();
                if matches!(lower.as_str(), "and" | "or" | "of" | "them") {
                    return self.error(format!("expected a search identifier, found `{word}`"));
                }
                let quantifier = if lower == "all" {
                    Some(Quantifier::All)
                } else if let Ok(n) = lower.parse::<usize>() {
                    Some(Quantifier::AtLeast(n.max(1)))
                } else {
                    None
                };
                self.at += 1;
                if let Some(quantifier) = quantifier {
                    if !self.keyword("of") {
                        return self.error(format!("expected `of` after `{word}`"));
                    }
                    self.at += 1;
                    match self.peek().cloned() {
                        Some(Token::Word(pattern)) => {
                            self.at += 1;
                            let pattern = if pattern.eq_ignore_ascii_case("them") {
                                "them".to_string()
                            } else {
                                pattern
                            };
                            Ok(Condition::Of {
                                quantifier,
                                pattern,
                            })
                        }
                        _ => self.error("expected a search identifier pattern or `them`"),
                    }
                } else {
                    Ok(Condition::Search(word))
                }
            }
            Some(Token::Close) => self.error("unexpected `)`"),
            None => self.error("condition ends too early"),
        }
    }
}

/// Parse one condition string.
pub fn parse_condition(text: &str) -> Result<Condition, ConditionError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        end: text.len(),
    };
    let condition = parser.or()?;
    if parser.at < parser.tokens.len() {
        return parser.error("expected `and`, `or` or the end of the condition");
    }
    Ok(condition)
}

/// Does a search name match an `x of` pattern (`*` wildcards anywhere)?
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    if pattern == "them" {
        return !name.starts_with('_');
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else if let Some(at) = rest.find(part) {
            rest = &rest[at + part.len()..];
        } else {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(name: &str) -> Condition {
        Condition::Search(name.into())
    }

    #[test]
    fn precedence_is_or_and_not() {
        assert_eq!(
            parse_condition("a or b and not c").unwrap(),
            Condition::Or(vec![
                s("a"),
                Condition::And(vec![s("b"), Condition::Not(Box::new(s("c")))])
            ])
        );
        assert_eq!(
            parse_condition("(a or b) and c").unwrap(),
            Condition::And(vec![Condition::Or(vec![s("a"), s("b")]), s("c")])
        );
    }

    #[test]
    fn x_of_forms() {
        assert_eq!(
            parse_condition("1 of selection* and not all of filter_*").unwrap(),
            Condition::And(vec![
                Condition::Of {
                    quantifier: Quantifier::AtLeast(1),
                    pattern: "selection*".into()
                },
                Condition::Not(Box::new(Condition::Of {
                    quantifier: Quantifier::All,
                    pattern: "filter_*".into()
                })),
            ])
        );
        assert_eq!(
            parse_condition("ALL OF THEM").unwrap(),
            Condition::Of {
                quantifier: Quantifier::All,
                pattern: "them".into()
            }
        );
    }

    #[test]
    fn errors_point_at_the_column() {
        let e = parse_condition("selection and").unwrap_err();
        assert_eq!(e.column, 13);
        let e = parse_condition("selection | count() > 5").unwrap_err();
        assert_eq!(e.column, 10);
        assert!(parse_condition("(a or b").is_err());
        assert!(parse_condition("1 of").is_err());
    }

    #[test]
    fn patterns() {
        assert!(pattern_matches("selection*", "selection_img"));
        assert!(pattern_matches("*_img", "selection_img"));
        assert!(pattern_matches("sel*img", "selection_img"));
        assert!(!pattern_matches("filter*", "selection"));
        assert!(pattern_matches("them", "selection"));
        assert!(!pattern_matches("them", "_private"));
    }
}
