//! Expressions, one function per precedence level: OR < AND < NOT < comparison
//! (and the postfix predicates IN, BETWEEN, IS NULL, LIKE, MATCHES) < additive <
//! multiplicative < unary < primary (literals, names, calls, CASE, IF).

use super::{is_reserved, Parser};
use crate::ast::*;
use crate::error::{QueryError, Span};
use crate::lexer::Token;

impl Parser {
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
