//! Expressions to the typed IR: names resolved once, aggregates pulled out of grouped
//! expressions, non-aggregated reads captured from a group's first row, constants built.

use whoiswatch_event::registry::lookup as lookup_field;
use whoiswatch_event::{FieldName, FIELDS};

use super::call::build_regex;
use super::{contains_aggregate, literal, FieldUse, Place, Planner};
use crate::ast::{self, BinaryOp, ExprKind, Literal};
use crate::compiled::{search_terms, Compiled, ConstList, FieldRef};
use crate::datum::Datum;
use crate::error::{ErrorKind, QueryError};
use crate::functions::Scalar;
use crate::like::LikePattern;
use crate::native::Native;

impl Planner<'_> {
    pub(super) fn compile(
        &mut self,
        expr: &ast::Expr,
        place: Place,
    ) -> Result<Compiled, QueryError> {
        if place == Place::Grouped && !contains_aggregate(expr) {
            let compiled = self.compile(expr, Place::Row)?;
            if !compiled.reads_event() {
                return Ok(compiled);
            }
            let text = expr.to_string();
            if let Some(index) = self.capture_texts.iter().position(|t| *t == text) {
                return Ok(Compiled::First(index));
            }
            self.captures.push(compiled);
            self.capture_texts.push(text);
            return Ok(Compiled::First(self.captures.len() - 1));
        }
        let boxed = |planner: &mut Self, e: &ast::Expr| planner.compile(e, place).map(Box::new);
        Ok(match &expr.kind {
            ExprKind::Literal(value) => Compiled::Const(literal(value)),
            ExprKind::Name { name, .. } => Compiled::Field(self.field(name)),
            ExprKind::Star => {
                return Err(QueryError::syntax(
                    "'*' is only an argument of COUNT",
                    expr.span,
                ))
            }
            ExprKind::Negate(inner) => {
                let compiled = boxed(self, inner)?;
                self.expect_number(&compiled, inner, "negated")?;
                Compiled::Negate(compiled)
            }
            ExprKind::Not(inner) => {
                let compiled = boxed(self, inner)?;
                self.expect_condition(&compiled, inner)?;
                Compiled::Not(compiled)
            }
            ExprKind::Binary { op, left, right } => {
                let (l, r) = (boxed(self, left)?, boxed(self, right)?);
                match op {
                    BinaryOp::And | BinaryOp::Or => {
                        self.expect_condition(&l, left)?;
                        self.expect_condition(&r, right)?;
                        if *op == BinaryOp::And {
                            Compiled::And(l, r)
                        } else {
                            Compiled::Or(l, r)
                        }
                    }
                    op if op.is_arithmetic() => {
                        self.expect_number(&l, left, "used in arithmetic")?;
                        self.expect_number(&r, right, "used in arithmetic")?;
                        Compiled::Arithmetic(*op, l, r)
                    }
                    op => Compiled::Compare(*op, l, r),
                }
            }
            ExprKind::InList {
                expr: inner,
                list,
                negated,
            } => {
                let compiled = boxed(self, inner)?;
                let items = list
                    .iter()
                    .map(|item| self.compile(item, place))
                    .collect::<Result<Vec<_>, _>>()?;
                if items.iter().all(|i| matches!(i, Compiled::Const(_))) {
                    let mut constants = ConstList::default();
                    for item in items {
                        if let Compiled::Const(value) = item {
                            match value {
                                Datum::Text(text) => {
                                    constants.texts.insert(text.into_owned().into_boxed_str());
                                }
                                Datum::Null => {}
                                other => constants.others.push(other),
                            }
                        }
                    }
                    let lower = matches!(
                        compiled.as_ref(),
                        Compiled::Call {
                            function: Scalar::Lower,
                            ..
                        }
                    );
                    Compiled::InConst {
                        expr: compiled,
                        lower,
                        list: constants,
                        negated: *negated,
                    }
                } else {
                    Compiled::InList {
                        expr: compiled,
                        list: items,
                        negated: *negated,
                    }
                }
            }
            ExprKind::Between {
                expr: inner,
                low,
                high,
                negated,
            } => Compiled::Between {
                expr: boxed(self, inner)?,
                low: boxed(self, low)?,
                high: boxed(self, high)?,
                negated: *negated,
            },
            ExprKind::IsNull {
                expr: inner,
                negated,
            } => Compiled::IsNull {
                expr: boxed(self, inner)?,
                negated: *negated,
            },
            ExprKind::Like {
                expr: inner,
                pattern,
                case_insensitive,
                negated,
            } => {
                let compiled = boxed(self, inner)?;
                match &pattern.kind {
                    ExprKind::Literal(Literal::Text(text)) => Compiled::Like {
                        expr: compiled,
                        pattern: LikePattern::new(text, *case_insensitive),
                        negated: *negated,
                    },
                    ExprKind::Literal(other) => {
                        return Err(QueryError::new(
                            ErrorKind::Type,
                            format!("a LIKE pattern is text, not {other}"),
                            pattern.span,
                        ))
                    }
                    _ => Compiled::LikeDynamic {
                        expr: compiled,
                        pattern: boxed(self, pattern)?,
                        case_insensitive: *case_insensitive,
                        negated: *negated,
                    },
                }
            }
            ExprKind::Matches {
                expr: inner,
                pattern,
                case_insensitive,
                negated,
            } => {
                let ExprKind::Literal(Literal::Text(text)) = &pattern.kind else {
                    return Err(QueryError::new(
                        ErrorKind::Unsupported,
                        "MATCHES needs a constant pattern in quotes",
                        pattern.span,
                    ));
                };
                let flags = if *case_insensitive { "(?i)" } else { "" };
                let regex = build_regex(&format!("{flags}^(?:{text})$"), pattern.span)?;
                Compiled::Matches {
                    expr: boxed(self, inner)?,
                    regex,
                    negated: *negated,
                }
            }
            ExprKind::TextSearch(text) => Compiled::TextSearch(search_terms(text)),
            ExprKind::Case {
                operand,
                branches,
                otherwise,
            } => {
                let operand = match operand {
                    Some(o) => Some(boxed(self, o)?),
                    None => None,
                };
                let mut compiled = Vec::new();
                for (when, then) in branches {
                    let w = self.compile(when, place)?;
                    if operand.is_none() {
                        self.expect_condition(&w, when)?;
                    }
                    compiled.push((w, self.compile(then, place)?));
                }
                let otherwise = match otherwise {
                    Some(o) => Some(boxed(self, o)?),
                    None => None,
                };
                Compiled::Case {
                    operand,
                    branches: compiled,
                    otherwise,
                }
            }
            ExprKind::Call {
                name,
                name_span,
                args,
                distinct,
            } => self.call(expr, name, *name_span, args, *distinct, place)?,
        })
    }

    pub(super) fn field(&mut self, name: &str) -> FieldRef {
        let (field, resolved, known) = if let Some(id) = lookup_field(name) {
            let info = &FIELDS[id as usize];
            (
                FieldRef::Event(FieldName::Canonical(id)),
                format!("{} ({})", info.name, info.ty.name()),
                true,
            )
        } else if let Some(native) = Native::lookup(name) {
            (
                FieldRef::Native(native),
                native.describe().to_string(),
                true,
            )
        } else {
            (
                FieldRef::Event(FieldName::Extra(name.into())),
                "unknown: a custom property, NULL unless events carry it".to_string(),
                false,
            )
        };
        if !self.fields.iter().any(|f| f.written == name) {
            if !known {
                self.note(format!(
                    "unknown field \"{name}\": not a native or normalized field; it reads as \
                     NULL unless events carry a property of that name"
                ));
            }
            self.fields.push(FieldUse {
                written: name.to_string(),
                resolved,
                known,
            });
        }
        field
    }
}
