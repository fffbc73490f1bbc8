//! AQL text to tokens. Strings are single-quoted with `''` for a quote and backslashes
//! kept as written; double quotes wrap identifiers; `--` and `/* */` comments are
//! skipped (QRadar's console accepts neither, but hunting collections keep them).

use crate::error::{QueryError, Span};

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// A bare word: keyword, function or field name (`.` allowed inside, for ECS names).
    Word(String),
    /// `"..."`: a field, custom property or alias.
    QuotedIdent(String),
    /// `'...'`: a string literal (or an alias after AS).
    Str(String),
    Integer(i64),
    Float(f64),
    Comma,
    LeftParen,
    RightParen,
    Star,
    Plus,
    Minus,
    Slash,
    Percent,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    DoubleColon,
    Semicolon,
    End,
}

impl Token {
    /// How the token is named in "expected …, found …" messages.
    pub fn describe(&self) -> String {
        match self {
            Token::Word(word) => format!("'{word}'"),
            Token::QuotedIdent(name) => format!("\"{name}\""),
            Token::Str(text) => format!("string '{text}'"),
            Token::Integer(n) => format!("number {n}"),
            Token::Float(x) => format!("number {x}"),
            Token::End => "the end of the query".into(),
            other => format!("'{}'", other.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Token::Comma => ",",
            Token::LeftParen => "(",
            Token::RightParen => ")",
            Token::Star => "*",
            Token::Plus => "+",
            Token::Minus => "-",
            Token::Slash => "/",
            Token::Percent => "%",
            Token::Equal => "=",
            Token::NotEqual => "!=",
            Token::Less => "<",
            Token::LessEqual => "<=",
            Token::Greater => ">",
            Token::GreaterEqual => ">=",
            Token::DoubleColon => "::",
            Token::Semicolon => ";",
            _ => "",
        }
    }

    /// Whether this is the keyword `word` (case-insensitive).
    pub fn is_keyword(&self, word: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(word))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    pub token: Token,
    pub span: Span,
}

pub fn tokenize(query: &str) -> Result<Vec<Spanned>, QueryError> {
    let bytes = query.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let c = bytes[at];
        let start = at;
        if c.is_ascii_whitespace() {
            at += 1;
            continue;
        }
        if c == b'-' && bytes.get(at + 1) == Some(&b'-') {
            at = memchr_newline(bytes, at);
            continue;
        }
        if c == b'/' && bytes.get(at + 1) == Some(&b'*') {
            match query[at + 2..].find("*/") {
                Some(end) => at = at + 2 + end + 2,
                None => {
                    return Err(QueryError::syntax(
                        "comment is not closed with */",
                        Span::new(at, at + 2),
                    ))
                }
            }
            continue;
        }
        let token = match c {
            b'\'' | b'"' => {
                let (text, end) = quoted(query, at, c)?;
                at = end;
                if c == b'\'' {
                    Token::Str(text)
                } else {
                    Token::QuotedIdent(text)
                }
            }
            b'0'..=b'9' => {
                let (token, end) = number(query, at)?;
                at = end;
                token
            }
            b'.' if bytes.get(at + 1).is_some_and(u8::is_ascii_digit) => {
                let (token, end) = number(query, at)?;
                at = end;
                token
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                while at < bytes.len()
                    && (bytes[at].is_ascii_alphanumeric()
                        || bytes[at] == b'_'
                        || bytes[at] == b'.'
                        || bytes[at] == b'@'
                        || bytes[at] >= 0x80)
                {
                    at += 1;
                }
                Token::Word(query[start..at].to_string())
            }
            _ => {
                let two = bytes.get(at + 1).copied();
                let (token, width) = match (c, two) {
                    (b'!', Some(b'=')) | (b'<', Some(b'>')) => (Token::NotEqual, 2),
                    (b'<', Some(b'=')) => (Token::LessEqual, 2),
                    (b'>', Some(b'=')) => (Token::GreaterEqual, 2),
                    (b':', Some(b':')) => (Token::DoubleColon, 2),
                    (b'=', Some(b'=')) => (Token::Equal, 2),
                    (b'=', _) => (Token::Equal, 1),
                    (b'<', _) => (Token::Less, 1),
                    (b'>', _) => (Token::Greater, 1),
                    (b',', _) => (Token::Comma, 1),
                    (b'(', _) => (Token::LeftParen, 1),
                    (b')', _) => (Token::RightParen, 1),
                    (b'*', _) => (Token::Star, 1),
                    (b'+', _) => (Token::Plus, 1),
                    (b'-', _) => (Token::Minus, 1),
                    (b'/', _) => (Token::Slash, 1),
                    (b'%', _) => (Token::Percent, 1),
                    (b';', _) => (Token::Semicolon, 1),
                    _ => {
                        let ch = query[at..].chars().next().unwrap_or('?');
                        return Err(QueryError::syntax(
                            format!("unexpected character '{ch}'"),
                            Span::new(at, at + ch.len_utf8()),
                        ));
                    }
                };
                at += width;
                token
            }
        };
        tokens.push(Spanned {
            token,
            span: Span::new(start, at),
        });
    }
    tokens.push(Spanned {
        token: Token::End,
        span: Span::new(query.len(), query.len()),
    });
    Ok(tokens)
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| from + i)
}

/// A quoted string or identifier starting at `start`; the quote doubled stands for itself.
fn quoted(query: &str, start: usize, quote: u8) -> Result<(String, usize), QueryError> {
    let bytes = query.as_bytes();
    let mut text = String::new();
    let mut at = start + 1;
    let mut run = at;
    while at < bytes.len() {
        if bytes[at] == quote {
            text.push_str(&query[run..at]);
            if bytes.get(at + 1) == Some(&quote) {
                text.push(quote as char);
                at += 2;
                run = at;
                continue;
            }
            return Ok((text, at + 1));
        }
        at += 1;
    }
    let what = if quote == b'\'' {
        "string"
    } else {
        "quoted name"
    };
    Err(QueryError::syntax(
        format!("{what} is not closed"),
        Span::new(start, query.len()),
    ))
}

fn number(query: &str, start: usize) -> Result<(Token, usize), QueryError> {
    let bytes = query.as_bytes();
    let mut at = start;
    let mut float = false;
    while at < bytes.len() && (bytes[at].is_ascii_digit() || (bytes[at] == b'.' && !float)) {
        float |= bytes[at] == b'.';
        at += 1;
    }
    if at < bytes.len() && (bytes[at] == b'e' || bytes[at] == b'E') {
        let mut exponent = at + 1;
        if exponent < bytes.len() && (bytes[exponent] == b'+' || bytes[exponent] == b'-') {
            exponent += 1;
        }
        if exponent < bytes.len() && bytes[exponent].is_ascii_digit() {
            at = exponent;
            while at < bytes.len() && bytes[at].is_ascii_digit() {
                at += 1;
            }
            float = true;
        }
    }
    let text = &query[start..at];
    let span = Span::new(start, at);
    let token = if float {
        Token::Float(
            text.parse()
                .map_err(|_| QueryError::syntax(format!("bad number {text}"), span))?,
        )
    } else {
        Token::Integer(
            text.parse()
                .map_err(|_| QueryError::syntax(format!("number {text} is too large"), span))?,
        )
    };
    Ok((token, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(query: &str) -> Vec<Token> {
        tokenize(query)
            .unwrap()
            .into_iter()
            .map(|s| s.token)
            .collect()
    }

    #[test]
    fn strings_identifiers_and_operators() {
        assert_eq!(
            tokens(r#"SELECT "Account Name" FROM events WHERE x LIKE '%\k''s' AND y<>2.5"#),
            vec![
                Token::Word("SELECT".into()),
                Token::QuotedIdent("Account Name".into()),
                Token::Word("FROM".into()),
                Token::Word("events".into()),
                Token::Word("WHERE".into()),
                Token::Word("x".into()),
                Token::Word("LIKE".into()),
                Token::Str(r"%\k's".into()),
                Token::Word("AND".into()),
                Token::Word("y".into()),
                Token::NotEqual,
                Token::Float(2.5),
                Token::End,
            ]
        );
    }

    #[test]
    fn comments_and_namespaces() {
        assert_eq!(
            tokens("GEO::LOOKUP -- note\n/* x */ 1"),
            vec![
                Token::Word("GEO".into()),
                Token::DoubleColon,
                Token::Word("LOOKUP".into()),
                Token::Integer(1),
                Token::End
            ]
        );
    }

    #[test]
    fn unclosed_string_points_at_its_quote() {
        let error = tokenize("SELECT 'abc").unwrap_err();
        assert_eq!(error.span.start, 7);
        assert!(error.message.contains("not closed"));
    }
}
