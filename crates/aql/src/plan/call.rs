//! Function calls: registry lookup (with a suggestion for near names), arity, DISTINCT
//! and `*`, aggregates, and the constants built once (date patterns, regexes, networks,
//! reference data that must be loaded).

use whoiswatch_reference::ReferenceData;

use super::{contains_aggregate, AggregateSpec, Place, Planner};
use crate::ast::{self, ExprKind, Literal};
use crate::compiled::{Compiled, Prepared};
use crate::error::{ErrorKind, QueryError, Span};
use crate::functions::dateformat::DatePattern;
use crate::functions::{self, Aggregate, Function, Scalar};

impl Planner<'_> {
    pub(super) fn call(
        &mut self,
        expr: &ast::Expr,
        name: &str,
        name_span: Span,
        args: &[ast::Expr],
        distinct: bool,
        place: Place,
    ) -> Result<Compiled, QueryError> {
        let Some(info) = functions::lookup(name) else {
            let hint = functions::suggest(name)
                .map(|s| format!("; did you mean {s}?"))
                .unwrap_or_default();
            return Err(QueryError::plan(
                format!("unknown function {name}{hint}"),
                name_span,
            ));
        };
        if args.len() < info.min_args || args.len() > info.max_args {
            let wanted = if info.min_args == info.max_args {
                format!("{}", info.min_args)
            } else if info.max_args == usize::MAX {
                format!("at least {}", info.min_args)
            } else {
                format!("{} to {}", info.min_args, info.max_args)
            };
            return Err(QueryError::plan(
                format!(
                    "{} takes {wanted} argument{}, not {}: {}",
                    info.name,
                    if wanted == "1" { "" } else { "s" },
                    args.len(),
                    info.signature
                ),
                expr.span,
            ));
        }
        if distinct && info.function != Function::Aggregate(Aggregate::Count) {
            return Err(QueryError::plan(
                format!("DISTINCT is only allowed in COUNT, not {}", info.name),
                expr.span,
            ));
        }
        for arg in args {
            if matches!(arg.kind, ExprKind::Star) && info.name != "COUNT" {
                return Err(QueryError::syntax(
                    format!("'*' is only an argument of COUNT, not {}", info.name),
                    arg.span,
                ));
            }
        }
        if info.no_data {
            self.note(format!("{} returns NULL: {}", info.name, info.doc));
        }
        let function = match info.function {
            Function::Aggregate(aggregate) => {
                if place != Place::Grouped {
                    return Err(QueryError::plan(
                        format!(
                            "aggregate function {} is not allowed in {}",
                            info.name,
                            place.name()
                        ),
                        name_span,
                    ));
                }
                let aggregate = if distinct {
                    Aggregate::UniqueCount
                } else {
                    aggregate
                };
                let arg = match &args[0].kind {
                    ExprKind::Star => None,
                    _ if contains_aggregate(&args[0]) => {
                        return Err(QueryError::plan(
                            "aggregate functions cannot be nested",
                            args[0].span,
                        ))
                    }
                    _ => {
                        let compiled = self.compile(&args[0], Place::Row)?;
                        if matches!(
                            aggregate,
                            Aggregate::Sum | Aggregate::Avg | Aggregate::Stdev
                        ) {
                            self.expect_number(&compiled, &args[0], "summed")?;
                        }
                        Some(compiled)
                    }
                };
                self.aggregates.push(AggregateSpec {
                    function: aggregate,
                    arg,
                });
                return Ok(Compiled::Aggregate(self.aggregates.len() - 1));
            }
            Function::Scalar(scalar) => scalar,
        };
        let compiled = args
            .iter()
            .map(|a| self.compile(a, place))
            .collect::<Result<Vec<_>, _>>()?;
        let constant = |index: usize| match args.get(index).map(|a| &a.kind) {
            Some(ExprKind::Literal(Literal::Text(text))) => Some(text.as_str()),
            _ => None,
        };
        let prepared = match function {
            Scalar::DateFormat | Scalar::ParseTimestamp => {
                let index = usize::from(function == Scalar::DateFormat);
                match constant(index) {
                    Some(pattern) => {
                        Prepared::Date(DatePattern::compile(pattern).map_err(|reason| {
                            QueryError::new(ErrorKind::Type, reason, args[index].span)
                        })?)
                    }
                    None => Prepared::None,
                }
            }
            Scalar::ReplaceAll | Scalar::ReplaceFirst => match constant(0) {
                Some(pattern) => Prepared::Regex(build_regex(pattern, args[0].span)?),
                None => Prepared::None,
            },
            Scalar::InCidr => match constant(0) {
                Some(cidr) => Prepared::Network(
                    whoiswatch_reference::Network::parse(cidr).ok_or_else(|| {
                        QueryError::new(
                            ErrorKind::Type,
                            format!("'{cidr}' is not a network such as '10.0.0.0/8'"),
                            args[0].span,
                        )
                    })?,
                ),
                None => Prepared::None,
            },
            Scalar::ReferenceSetContains | Scalar::ReferenceMap | Scalar::ReferenceTable => {
                self.check_reference(function, constant(0), args[0].span)?;
                Prepared::None
            }
            _ => Prepared::None,
        };
        Ok(Compiled::Call {
            function,
            args: compiled,
            prepared,
        })
    }

    pub(super) fn check_reference(
        &self,
        function: Scalar,
        name: Option<&str>,
        span: Span,
    ) -> Result<(), QueryError> {
        let (kind, option, loaded): (&str, &str, fn(&ReferenceData, &str) -> bool) = match function
        {
            Scalar::ReferenceSetContains => ("set", "--reference-set", ReferenceData::has_set),
            Scalar::ReferenceMap => ("map", "--reference-map", ReferenceData::has_map),
            _ => ("table", "--reference-table", ReferenceData::has_table),
        };
        let Some(name) = name else {
            return Err(QueryError::new(
                ErrorKind::Type,
                format!("the reference {kind} is named by a constant in quotes"),
                span,
            ));
        };
        if loaded(self.reference, name) {
            Ok(())
        } else {
            Err(QueryError::plan(
                format!(
                    "reference {kind} '{name}' is not loaded; load it with {option} {name}=FILE"
                ),
                span,
            ))
        }
    }
}

/// A regex with size limits; lookaround and backreferences (Java has them, the linear
/// engine does not) are reported as unsupported.
pub(super) fn build_regex(pattern: &str, span: Span) -> Result<regex::Regex, QueryError> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .dfa_size_limit(4 << 20)
        .build()
        .map_err(|error| {
            let text = error.to_string();
            if text.contains("look-around") || text.contains("backreferences") {
                QueryError::new(
                    ErrorKind::Unsupported,
                    "regular expressions with lookaround or backreferences are not supported",
                    span,
                )
            } else {
                let reason = text.lines().last().unwrap_or("").trim().to_string();
                QueryError::new(
                    ErrorKind::Type,
                    format!("invalid regular expression: {reason}"),
                    span,
                )
            }
        })
}
