//! Tokens to a [`Query`]: recursive descent, one function per precedence level
//! (OR < AND < NOT < comparison < additive < multiplicative < unary < primary).
//! Every error says what was expected and points at what was found.

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

    fn query(&mut self) -> Result<Query, QueryError> {
        self.expect_keyword("SELECT")?;
        let select = self.select_list()?;
        self.expect_keyword("FROM")?;
        let table = match self.peek() {
            Token::Word(w) if w.eq_ignore_ascii_case("events") => Table::Events,
            Token::Word(w) if w.eq_ignore_ascii_case("flows") => Table::Flows,
            _ => return Err(self.error("events or flows")),
        };
        self.advance();
        let mut query = Query {
            select,
            table,
            filter: None,
            group_by: Vec::new(),
            having: None,
            order_by: Vec::new(),
            limit: None,
            time: None,
            parameters: Vec::new(),
        };
        // The clauses in their order; the time clause may sit at any clause boundary
        // after FROM (IBM's examples put it last, hunting collections elsewhere).
        self.time_clause(&mut query)?;
        if self.eat_keyword("WHERE") {
            query.filter = Some(self.expr()?);
        }
        self.time_clause(&mut query)?;
        if self.eat_keyword("GROUP") {
            self.expect_keyword("BY")?;
            query.group_by = self.expr_list()?;
        }
        self.time_clause(&mut query)?;
        if self.eat_keyword("HAVING") {
            query.having = Some(self.expr()?);
        }
        self.time_clause(&mut query)?;
        if self.eat_keyword("ORDER") {
            self.expect_keyword("BY")?;
            query.order_by = self.order_list()?;
        }
        self.time_clause(&mut query)?;
        if self.eat_keyword("LIMIT") {
            let span = self.span();
            match self.advance().token {
                Token::Integer(n) if n >= 0 => query.limit = Some((n as u64, span)),
                _ => {
                    self.at -= 1;
                    return Err(self.error("a row count after LIMIT"));
                }
            }
        }
        self.time_clause(&mut query)?;
        if self.eat_keyword("PARAMETERS") {
            query.parameters = self.parameters()?;
        }
        self.expect_end().map_err(|mut error| {
            error.message.push_str(
                "; clauses go in the order WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, \
                 time clause, PARAMETERS",
            );
            error
        })?;
        Ok(query)
    }

    fn select_list(&mut self) -> Result<Vec<SelectItem>, QueryError> {
        let mut items = Vec::new();
        loop {
            if *self.peek() == Token::Star {
                items.push(SelectItem::All(self.advance().span));
            } else {
                let expr = self.expr()?;
                let alias = self.alias()?;
                items.push(SelectItem::Expr { expr, alias });
            }
            if !self.eat(&Token::Comma) {
                return Ok(items);
            }
        }
    }

    fn alias(&mut self) -> Result<Option<String>, QueryError> {
        let explicit = self.eat_keyword("AS");
        match self.peek().clone() {
            Token::Str(name) | Token::QuotedIdent(name) => {
                self.advance();
                Ok(Some(name))
            }
            Token::Word(word) if !is_reserved(&word) => {
                self.advance();
                Ok(Some(word))
            }
            _ if explicit => Err(self.error("an alias after AS")),
            _ => Ok(None),
        }
    }

    fn expr_list(&mut self) -> Result<Vec<Expr>, QueryError> {
        let mut items = vec![self.expr()?];
        while self.eat(&Token::Comma) {
            items.push(self.expr()?);
        }
        Ok(items)
    }

    fn order_list(&mut self) -> Result<Vec<OrderItem>, QueryError> {
        let mut items = Vec::new();
        loop {
            let expr = self.expr()?;
            let descending = if self.eat_keyword("DESC") {
                true
            } else {
                self.eat_keyword("ASC");
                false
            };
            items.push(OrderItem { expr, descending });
            if !self.eat(&Token::Comma) {
                return Ok(items);
            }
        }
    }

    fn parameters(&mut self) -> Result<Vec<(String, Span)>, QueryError> {
        let mut parameters = Vec::new();
        loop {
            let start = self.span();
            let Token::Word(name) = self.peek().clone() else {
                return Err(self.error("a parameter name"));
            };
            self.advance();
            self.expect(Token::Equal, "'=' after the parameter name")?;
            match self.peek() {
                Token::Word(_) | Token::Str(_) | Token::Integer(_) | Token::Float(_) => {
                    self.advance();
                }
                _ => return Err(self.error("a parameter value")),
            }
            parameters.push((name, start.to(self.previous_span())));
            if !self.eat(&Token::Comma) {
                return Ok(parameters);
            }
        }
    }

    fn time_clause(&mut self, query: &mut Query) -> Result<(), QueryError> {
        let start = self.span();
        if !(self.at_keyword("LAST") || self.at_keyword("START")) {
            return Ok(());
        }
        if query.time.is_some() {
            return Err(QueryError::syntax("a second time clause", start));
        }
        if self.eat_keyword("LAST") {
            let amount = match self.peek() {
                Token::Integer(n) if *n > 0 => *n,
                _ => return Err(self.error("a positive number after LAST")),
            };
            self.advance();
            let unit = match self.peek() {
                Token::Word(w) => match w.to_ascii_uppercase().as_str() {
                    "MINUTE" | "MINUTES" => TimeUnit::Minutes,
                    "HOUR" | "HOURS" => TimeUnit::Hours,
                    "DAY" | "DAYS" => TimeUnit::Days,
                    _ => return Err(self.error("MINUTES, HOURS or DAYS")),
                },
                _ => return Err(self.error("MINUTES, HOURS or DAYS")),
            };
            self.advance();
            query.time = Some(TimeClause::Last {
                amount,
                unit,
                span: start.to(self.previous_span()),
            });
            return Ok(());
        }
        self.expect_keyword("START")?;
        let begin = self.time_point()?;
        let stop = if self.eat_keyword("STOP") {
            Some(self.time_point()?)
        } else {
            None
        };
        query.time = Some(TimeClause::Range { start: begin, stop });
        Ok(())
    }

    fn time_point(&mut self) -> Result<TimePoint, QueryError> {
        let span = self.span();
        match self.peek().clone() {
            Token::Str(text) => {
                self.advance();
                Ok(TimePoint::Text(text, span))
            }
            Token::Integer(millis) => {
                self.advance();
                Ok(TimePoint::Millis(millis, span))
            }
            Token::Word(w) if w.eq_ignore_ascii_case("PARSEDATETIME") => {
                self.advance();
                self.expect(Token::LeftParen, "'(' after PARSEDATETIME")?;
                let text_span = self.span();
                let Token::Str(text) = self.peek().clone() else {
                    return Err(self.error("a string such as '1 hour ago'"));
                };
                self.advance();
                self.expect(Token::RightParen, "')'")?;
                Ok(TimePoint::Relative(text, text_span))
            }
            _ => Err(self.error("a time in quotes, epoch milliseconds or PARSEDATETIME(...)")),
        }
    }

    pub fn expr(&mut self) -> Result<Expr, QueryError> {
        self.or()
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.and()?;
        while self.eat_keyword("OR") {
            let right = self.and()?;
            left = binary(BinaryOp::Or, left, right);
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.not()?;
        while self.eat_keyword("AND") {
            let right = self.not()?;
            left = binary(BinaryOp::And, left, right);
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, QueryError> {
        if self.at_keyword("NOT") {
            let start = self.advance().span;
            let inner = self.not()?;
            let span = start.to(inner.span);
            return Ok(Expr::new(ExprKind::Not(Box::new(inner)), span));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, QueryError> {
        let left = self.additive()?;
        let op = match self.peek() {
            Token::Equal => Some(BinaryOp::Equal),
            Token::NotEqual => Some(BinaryOp::NotEqual),
            Token::Less => Some(BinaryOp::Less),
            Token::LessEqual => Some(BinaryOp::LessEqual),
            Token::Greater => Some(BinaryOp::Greater),
            Token::GreaterEqual => Some(BinaryOp::GreaterEqual),
            _ => None,
        };
        if let Some(op) = op {
            self.advance();
            let right = self.additive()?;
            return Ok(binary(op, left, right));
        }
        // Postfix predicates, optionally negated: NOT IN, NOT BETWEEN, NOT LIKE …
        let negated = self.at_keyword("NOT")
            && ["IN", "BETWEEN", "LIKE", "ILIKE", "MATCHES", "IMATCHES"]
                .iter()
                .any(|w| self.peek_at(1).is_keyword(w));
        if negated {
            self.advance();
        }
        let Token::Word(word) = self.peek().clone() else {
            return Ok(left);
        };
        match word.to_ascii_uppercase().as_str() {
            "IN" => {
                self.advance();
                if let Token::Word(set) = self.peek() {
                    if set.to_ascii_uppercase().replace('_', "") == "REFERENCESET" {
                        let mut error = self.error("'(' after IN");
                        error.message.push_str(
                            "; AQL tests reference sets with REFERENCESETCONTAINS('set', value)",
                        );
                        return Err(error);
                    }
                }
                self.expect(Token::LeftParen, "'(' after IN")?;
                let list = self.expr_list()?;
                let end = self.expect(Token::RightParen, "',' or ')' in the IN list")?;
                let span = left.span.to(end);
                Ok(Expr::new(
                    ExprKind::InList {
                        expr: Box::new(left),
                        list,
                        negated,
                    },
                    span,
                ))
            }
            "BETWEEN" => {
                self.advance();
                let low = self.additive()?;
                self.expect_keyword("AND")?;
                let high = self.additive()?;
                let span = left.span.to(high.span);
                Ok(Expr::new(
                    ExprKind::Between {
                        expr: Box::new(left),
                        low: Box::new(low),
                        high: Box::new(high),
                        negated,
                    },
                    span,
                ))
            }
            "LIKE" | "ILIKE" | "MATCHES" | "IMATCHES" => {
                self.advance();
                let upper = word.to_ascii_uppercase();
                let pattern = self.additive()?;
                let span = left.span.to(pattern.span);
                let case_insensitive = upper.starts_with('I');
                let (expr, pattern) = (Box::new(left), Box::new(pattern));
                let kind = if upper.ends_with("LIKE") {
                    ExprKind::Like {
                        expr,
                        pattern,
                        case_insensitive,
                        negated,
                    }
                } else {
                    ExprKind::Matches {
                        expr,
                        pattern,
                        case_insensitive,
                        negated,
                    }
                };
                Ok(Expr::new(kind, span))
            }
            "IS" => {
                self.advance();
                let negated = self.eat_keyword("NOT");
                let end = self.expect_keyword("NULL")?;
                let span = left.span.to(end);
                Ok(Expr::new(
                    ExprKind::IsNull {
                        expr: Box::new(left),
                        negated,
                    },
                    span,
                ))
            }
            _ => Ok(left),
        }
    }

    fn additive(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Token::Plus => BinaryOp::Add,
                Token::Minus => BinaryOp::Subtract,
                _ => return Ok(left),
            };
            self.advance();
            let right = self.multiplicative()?;
            left = binary(op, left, right);
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Token::Star => BinaryOp::Multiply,
                Token::Slash => BinaryOp::Divide,
                Token::Percent => BinaryOp::Modulo,
                _ => return Ok(left),
            };
            self.advance();
            let right = self.unary()?;
            left = binary(op, left, right);
        }
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        if *self.peek() == Token::Minus {
            let start = self.advance().span;
            let inner = self.unary()?;
            let span = start.to(inner.span);
            return Ok(match inner.kind {
                ExprKind::Literal(Literal::Integer(n)) => {
                    Expr::new(ExprKind::Literal(Literal::Integer(-n)), span)
                }
                ExprKind::Literal(Literal::Float(x)) => {
                    Expr::new(ExprKind::Literal(Literal::Float(-x)), span)
                }
                _ => Expr::new(ExprKind::Negate(Box::new(inner)), span),
            });
        }
        if *self.peek() == Token::Plus {
            self.advance();
            return self.unary();
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        let span = self.span();
        let literal = |literal| Ok(Expr::new(ExprKind::Literal(literal), span));
        match self.peek().clone() {
            Token::Integer(n) => {
                self.advance();
                literal(Literal::Integer(n))
            }
            Token::Float(x) => {
                self.advance();
                literal(Literal::Float(x))
            }
            Token::Str(text) => {
                self.advance();
                literal(Literal::Text(text))
            }
            Token::QuotedIdent(name) => {
                self.advance();
                Ok(Expr::new(ExprKind::Name { name, quoted: true }, span))
            }
            Token::LeftParen => {
                self.advance();
                let inner = self.expr()?;
                let end = self.expect(Token::RightParen, "')'")?;
                Ok(Expr::new(inner.kind, span.to(end)))
            }
            Token::Word(word) => self.word(word, span),
            _ => Err(self.error("an expression")),
        }
    }

    fn word(&mut self, word: String, span: Span) -> Result<Expr, QueryError> {
        let upper = word.to_ascii_uppercase();
        match upper.as_str() {
            "NULL" => {
                self.advance();
                return Ok(Expr::new(ExprKind::Literal(Literal::Null), span));
            }
            "TRUE" | "FALSE" => {
                self.advance();
                return Ok(Expr::new(
                    ExprKind::Literal(Literal::Boolean(upper == "TRUE")),
                    span,
                ));
            }
            "CASE" => return self.case(),
            "IF" => return self.if_then_else(),
            "TEXT" if self.peek_at(1).is_keyword("SEARCH") => {
                self.advance();
                self.advance();
                let Token::Str(text) = self.peek().clone() else {
                    return Err(self.error("a quoted search text after TEXT SEARCH"));
                };
                let end = self.advance().span;
                return Ok(Expr::new(ExprKind::TextSearch(text), span.to(end)));
            }
            _ => {}
        }
        let namespaced = *self.peek_at(1) == Token::DoubleColon;
        if *self.peek_at(1) == Token::LeftParen || namespaced {
            return self.call(upper, span);
        }
        if is_reserved(&word) {
            return Err(self.error("an expression"));
        }
        self.advance();
        Ok(Expr::new(
            ExprKind::Name {
                name: word,
                quoted: false,
            },
            span,
        ))
    }

    fn call(&mut self, mut name: String, start: Span) -> Result<Expr, QueryError> {
        self.advance();
        let mut name_span = start;
        if self.eat(&Token::DoubleColon) {
            let Token::Word(second) = self.peek().clone() else {
                return Err(self.error("a function name after '::'"));
            };
            name_span = start.to(self.advance().span);
            name = format!("{name}::{}", second.to_ascii_uppercase());
        }
        self.expect(Token::LeftParen, "'('")?;
        let distinct = self.eat_keyword("DISTINCT");
        let mut args = Vec::new();
        if *self.peek() == Token::Star {
            args.push(Expr::new(ExprKind::Star, self.advance().span));
        } else if *self.peek() != Token::RightParen {
            args = self.expr_list()?;
        }
        let end = self.expect(Token::RightParen, "',' or ')' after the arguments")?;
        Ok(Expr::new(
            ExprKind::Call {
                name,
                name_span,
                args,
                distinct,
            },
            start.to(end),
        ))
    }

    fn case(&mut self) -> Result<Expr, QueryError> {
        let start = self.advance().span;
        let operand = if self.at_keyword("WHEN") {
            None
        } else {
            Some(Box::new(self.expr()?))
        };
        let mut branches = Vec::new();
        while self.eat_keyword("WHEN") {
            let when = self.expr()?;
            self.expect_keyword("THEN")?;
            let then = self.expr()?;
            branches.push((when, then));
        }
        if branches.is_empty() {
            return Err(self.error("WHEN"));
        }
        let otherwise = if self.eat_keyword("ELSE") {
            Some(Box::new(self.expr()?))
        } else {
            None
        };
        if !self.at_keyword("END") {
            return Err(self.error(if otherwise.is_some() {
                "END"
            } else {
                "WHEN, ELSE or END"
            }));
        }
        let end = self.advance().span;
        Ok(Expr::new(
            ExprKind::Case {
                operand,
                branches,
                otherwise,
            },
            start.to(end),
        ))
    }

    /// `IF c THEN a ELSE b`, with no END.
    fn if_then_else(&mut self) -> Result<Expr, QueryError> {
        let start = self.advance().span;
        let condition = self.expr()?;
        self.expect_keyword("THEN")?;
        let then = self.expr()?;
        let otherwise = if self.eat_keyword("ELSE") {
            Some(Box::new(self.expr()?))
        } else {
            None
        };
        let span = start.to(self.previous_span());
        Ok(Expr::new(
            ExprKind::Case {
                operand: None,
                branches: vec![(condition, then)],
                otherwise,
            },
            span,
        ))
    }
}

fn binary(op: BinaryOp, left: Expr, right: Expr) -> Expr {
    let span = left.span.to(right.span);
    Expr::new(
        ExprKind::Binary {
            op,
            left: Box::new(left),
            right: Box::new(right),
        },
        span,
    )
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
