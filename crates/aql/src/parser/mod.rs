//! Tokens to a [`Query`]: recursive descent, one function per precedence level
//! (OR < AND < NOT < comparison < additive < multiplicative < unary < primary).
//! Every error says what was expected and points at what was found.

mod clauses;
mod expr;

use crate::ast::*;
use crate::error::{QueryError, Span};
use crate::lexer::{tokenize, Spanned, Token};

/// Words that end an expression or a clause; they cannot be bare names or aliases.
const RESERVED: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP",
    "BY",
    "HAVING",
    "ORDER",
    "LIMIT",
    "LAST",
    "START",
    "STOP",
    "PARAMETERS",
    "AND",
    "OR",
    "NOT",
    "IN",
    "BETWEEN",
    "LIKE",
    "ILIKE",
    "MATCHES",
    "IMATCHES",
    "IS",
    "NULL",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "IF",
    "AS",
    "ASC",
    "DESC",
    "TRUE",
    "FALSE",
    "DISTINCT",
];

fn is_reserved(word: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(word))
}

pub fn parse(query: &str) -> Result<Query, QueryError> {
    let tokens = tokenize(query)?;
    let mut parser = Parser { tokens, at: 0 };
    let parsed = parser.query()?;
    Ok(parsed)
}

/// Parse one expression (for tests and `--explain` of fragments).
pub fn parse_expr(text: &str) -> Result<Expr, QueryError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser { tokens, at: 0 };
    let expr = parser.expr()?;
    parser.expect_end()?;
    Ok(expr)
}

struct Parser {
    tokens: Vec<Spanned>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.at].token
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        let index = (self.at + ahead).min(self.tokens.len() - 1);
        &self.tokens[index].token
    }

    fn span(&self) -> Span {
        self.tokens[self.at].span
    }

    fn previous_span(&self) -> Span {
        self.tokens[self.at.saturating_sub(1)].span
    }

    fn advance(&mut self) -> Spanned {
        let token = self.tokens[self.at].clone();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        token
    }

    fn at_keyword(&self, word: &str) -> bool {
        self.peek().is_keyword(word)
    }

    fn eat_keyword(&mut self, word: &str) -> bool {
        if self.at_keyword(word) {
            self.advance();
            true
        } else {
            false
        }
    }

    fn eat(&mut self, token: &Token) -> bool {
        if self.peek() == token {
            self.advance();
            true
        } else {
            false
        }
    }

    fn error(&self, expected: &str) -> QueryError {
        QueryError::syntax(
            format!("expected {expected}, found {}", self.peek().describe()),
            self.span(),
        )
    }

    fn expect_keyword(&mut self, word: &str) -> Result<Span, QueryError> {
        if self.at_keyword(word) {
            Ok(self.advance().span)
        } else {
            Err(self.error(word))
        }
    }

    fn expect(&mut self, token: Token, what: &str) -> Result<Span, QueryError> {
        if *self.peek() == token {
            Ok(self.advance().span)
        } else {
            Err(self.error(what))
        }
    }

    fn expect_end(&mut self) -> Result<(), QueryError> {
        while self.eat(&Token::Semicolon) {}
        if *self.peek() == Token::End {
            Ok(())
        } else {
            Err(self.error("the end of the query"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_postfix_predicates() {
        let expr = parse_expr("a = 1 OR b NOT IN ('x', 'y') AND NOT c LIKE '%z'").unwrap();
        assert_eq!(
            expr.to_string(),
            "((a = 1) OR (b NOT IN ('x', 'y') AND NOT c LIKE '%z'))"
        );
        let expr = parse_expr("x BETWEEN 1 + 1 AND 5 AND y IS NOT NULL").unwrap();
        assert_eq!(
            expr.to_string(),
            "(x BETWEEN (1 + 1) AND 5 AND y IS NOT NULL)"
        );
    }

    #[test]
    fn case_if_and_calls() {
        let expr = parse_expr("IF a > 1 THEN 'big' ELSE 'small'").unwrap();
        assert_eq!(
            expr.to_string(),
            "CASE WHEN (a > 1) THEN 'big' ELSE 'small' END"
        );
        let expr = parse_expr("CASE x WHEN 1 THEN 'one' END").unwrap();
        assert_eq!(expr.to_string(), "CASE x WHEN 1 THEN 'one' END");
        let expr = parse_expr("geo::lookup(sourceip, 'city') + count(*)").unwrap();
        assert_eq!(
            expr.to_string(),
            "(GEO::LOOKUP(sourceip, 'city') + COUNT(*))"
        );
    }

    #[test]
    fn clauses_in_order_with_time_and_parameters() {
        let query = parse(
            "select a as 'A', \"b c\" from events where a = 1 group by a having count(*) > 2 \
             order by A desc limit 5 last 1 days parameters EXECUTIONTIMELIMIT=60",
        )
        .unwrap();
        assert_eq!(query.select.len(), 2);
        assert_eq!(query.limit.map(|l| l.0), Some(5));
        assert!(matches!(
            query.time,
            Some(TimeClause::Last {
                amount: 1,
                unit: TimeUnit::Days,
                ..
            })
        ));
        assert_eq!(query.parameters.len(), 1);
        assert!(query.order_by[0].descending);
    }

    #[test]
    fn errors_say_what_was_expected() {
        let error = parse("SELECT a FROM events WHERE").unwrap_err();
        assert_eq!(
            error.message,
            "expected an expression, found the end of the query"
        );
        let error = parse("SELECT a FROM evnts").unwrap_err();
        assert_eq!(error.message, "expected events or flows, found 'evnts'");
        assert_eq!(error.span.start, 14);
        let error = parse("SELECT a FROM events LIMIT 5 WHERE a = 1").unwrap_err();
        assert!(error
            .message
            .starts_with("expected the end of the query, found 'WHERE'"));
        let error = parse("SELECT CASE WHEN a THEN 1 FROM events").unwrap_err();
        assert_eq!(error.message, "expected WHEN, ELSE or END, found 'FROM'");
    }
}
