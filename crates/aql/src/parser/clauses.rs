//! The clauses of a query: SELECT list and aliases, FROM, WHERE, GROUP BY, HAVING,
//! ORDER BY, LIMIT, the time clause (at any clause boundary, once) and PARAMETERS.

use super::{is_reserved, Parser};
use crate::ast::*;
use crate::error::{QueryError, Span};
use crate::lexer::Token;

impl Parser {
    pub(super) fn query(&mut self) -> Result<Query, QueryError> {
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

    pub(super) fn expr_list(&mut self) -> Result<Vec<Expr>, QueryError> {
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
}
