//! AST to a logical plan: names resolved to fields once, aliases substituted, aggregates
//! pulled out of grouped expressions, constants prepared, types checked. Everything the
//! executor needs and nothing it has to look up again.

use whoiswatch_event::registry::lookup as lookup_field;
use whoiswatch_event::{FieldName, FieldType, FIELDS};
use whoiswatch_reference::ReferenceData;

use crate::ast::{self, BinaryOp, ExprKind, Literal, Query, SelectItem, Table};
use crate::compiled::{search_terms, Compiled, ConstList, FieldRef, Prepared};
use crate::datum::{Datum, Owned};
use crate::error::{ErrorKind, QueryError, Span};
use crate::functions::dateformat::DatePattern;
use crate::functions::{self, Aggregate, Function, Scalar};
use crate::like::LikePattern;
use crate::native::Native;
use crate::time_clause::TimeSpec;

/// One aggregate computed per group.
#[derive(Debug, Clone)]
pub struct AggregateSpec {
    pub function: Aggregate,
    /// `None` for `COUNT(*)`.
    pub arg: Option<Compiled>,
}

/// How rows are made.
#[derive(Debug, Clone)]
pub enum Shape {
    /// One output row per matching event.
    Rows { outputs: Vec<Compiled> },
    /// One output row per group: keys and aggregates per event, then `outputs` over
    /// the group's aggregates and first-row captures.
    Groups {
        keys: Vec<Compiled>,
        aggregates: Vec<AggregateSpec>,
        captures: Vec<Compiled>,
        outputs: Vec<Compiled>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    /// Index into the full row (visible columns, then hidden sort columns).
    pub column: usize,
    pub descending: bool,
}

/// How a name written in the query was resolved (for `--explain` and warnings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldUse {
    pub written: String,
    pub resolved: String,
    pub known: bool,
}

#[derive(Debug, Clone)]
pub struct Plan {
    /// Visible column names, in SELECT order.
    pub columns: Vec<String>,
    pub time: Option<TimeSpec>,
    pub filter: Option<Compiled>,
    pub shape: Shape,
    pub having: Option<Compiled>,
    pub order: Vec<SortKey>,
    pub limit: Option<u64>,
    /// Things the user should know: unknown fields, functions without data, ignored
    /// parameters.
    pub notes: Vec<String>,
    pub fields: Vec<FieldUse>,
    /// The parsed query, for `--explain`.
    pub query: Query,
}

impl Plan {
    pub fn is_grouped(&self) -> bool {
        matches!(self.shape, Shape::Groups { .. })
    }

    /// Whether the query reads the clock (a time clause, NOW(), PARSEDATETIME()).
    pub fn uses_now(&self) -> bool {
        self.time.is_some()
    }
}

/// Plan a parsed query. Reference data is needed to check that the sets, maps and
/// tables the query names were loaded.
pub fn plan(query: Query, reference: &ReferenceData) -> Result<Plan, QueryError> {
    let mut planner = Planner {
        reference,
        aliases: Vec::new(),
        notes: Vec::new(),
        fields: Vec::new(),
        aggregates: Vec::new(),
        captures: Vec::new(),
        capture_texts: Vec::new(),
    };
    planner.plan(query)
}

struct Planner<'r> {
    reference: &'r ReferenceData,
    /// (lower-cased alias, its expression)
    aliases: Vec<(String, ast::Expr)>,
    notes: Vec<String>,
    fields: Vec<FieldUse>,
    aggregates: Vec<AggregateSpec>,
    captures: Vec<Compiled>,
    capture_texts: Vec<String>,
}

/// Where an expression sits, for messages and for what it may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Where,
    GroupBy,
    /// Per event in an ungrouped query.
    Row,
    /// After grouping: aggregates allowed, other event reads captured from the first row.
    Grouped,
}

impl Place {
    fn name(self) -> &'static str {
        match self {
            Place::Where => "WHERE",
            Place::GroupBy => "GROUP BY",
            Place::Row | Place::Grouped => "this place",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Any,
    Number,
    Text,
    Boolean,
    Ip,
    Null,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Any => "a value",
            Ty::Number => "a number",
            Ty::Text => "text",
            Ty::Boolean => "a condition",
            Ty::Ip => "an address",
            Ty::Null => "NULL",
        }
    }
}

fn contains_aggregate(expr: &ast::Expr) -> bool {
    if let ExprKind::Call { name, .. } = &expr.kind {
        if matches!(
            functions::lookup(name).map(|f| f.function),
            Some(Function::Aggregate(_))
        ) {
            return true;
        }
    }
    expr.children().into_iter().any(contains_aggregate)
}

fn literal(literal: &Literal) -> Owned {
    match literal {
        Literal::Null => Datum::Null,
        Literal::Integer(n) => Datum::Integer(*n),
        Literal::Float(x) => Datum::Float(*x),
        Literal::Text(text) => Datum::text(text.clone()),
        Literal::Boolean(b) => Datum::Boolean(*b),
    }
}

fn column_name(expr: &ast::Expr) -> String {
    match &expr.kind {
        ExprKind::Name { name, .. } => name.clone(),
        _ => expr.to_string(),
    }
}

impl Planner<'_> {
    fn plan(&mut self, query: Query) -> Result<Plan, QueryError> {
        if query.table == Table::Flows {
            self.note(
                "FROM flows: flow records (Zeek conn, firewall logs) are read with the events"
                    .into(),
            );
        }
        for (parameter, _) in &query.parameters {
            self.note(format!("PARAMETERS {parameter} is accepted and ignored"));
        }
        for item in &query.select {
            if let SelectItem::Expr {
                expr,
                alias: Some(alias),
            } = item
            {
                self.aliases
                    .push((alias.to_ascii_lowercase(), expr.clone()));
            }
        }
        let grouped = !query.group_by.is_empty()
            || query.having.is_some()
            || query.select.iter().any(|item| match item {
                SelectItem::Expr { expr, .. } => contains_aggregate(expr),
                SelectItem::All(_) => false,
            })
            || query.order_by.iter().any(|o| contains_aggregate(&o.expr));

        let filter = match &query.filter {
            Some(expr) => {
                let compiled = self.compile(expr, Place::Where)?;
                self.expect_condition(&compiled, expr)?;
                Some(compiled)
            }
            None => None,
        };

        let mut columns = Vec::new();
        let mut select_exprs: Vec<ast::Expr> = Vec::new();
        for item in &query.select {
            match item {
                SelectItem::All(span) => {
                    if grouped {
                        return Err(QueryError::plan(
                            "SELECT * cannot be grouped; name the columns",
                            *span,
                        ));
                    }
                    for info in FIELDS {
                        columns.push(info.name.to_string());
                        select_exprs.push(ast::Expr::new(
                            ExprKind::Name {
                                name: info.name.to_string(),
                                quoted: false,
                            },
                            *span,
                        ));
                    }
                }
                SelectItem::Expr { expr, alias } => {
                    columns.push(alias.clone().unwrap_or_else(|| column_name(expr)));
                    select_exprs.push(expr.clone());
                }
            }
        }

        let place = if grouped { Place::Grouped } else { Place::Row };
        let mut keys = Vec::new();
        for expr in &query.group_by {
            let expr = self.substitute_aliases(expr);
            if contains_aggregate(&expr) {
                return Err(QueryError::plan(
                    "an aggregate function cannot be a GROUP BY key",
                    expr.span,
                ));
            }
            keys.push(self.compile(&expr, Place::GroupBy)?);
        }
        let mut outputs = Vec::new();
        for expr in &select_exprs {
            outputs.push(self.compile(expr, place)?);
        }
        let having = match &query.having {
            Some(expr) => {
                let expr = self.substitute_aliases(expr);
                let compiled = self.compile(&expr, Place::Grouped)?;
                self.expect_condition(&compiled, &expr)?;
                Some(compiled)
            }
            None => None,
        };
        let mut order = Vec::new();
        for item in &query.order_by {
            let column = match &item.expr.kind {
                ExprKind::Name { name, .. } => {
                    columns.iter().position(|c| c.eq_ignore_ascii_case(name))
                }
                _ => None,
            };
            let column = match column {
                Some(column) => column,
                None => {
                    let expr = self.substitute_aliases(&item.expr);
                    outputs.push(self.compile(&expr, place)?);
                    outputs.len() - 1
                }
            };
            order.push(SortKey {
                column,
                descending: item.descending,
            });
        }
        let shape = if grouped {
            Shape::Groups {
                keys,
                aggregates: std::mem::take(&mut self.aggregates),
                captures: std::mem::take(&mut self.captures),
                outputs,
            }
        } else {
            Shape::Rows { outputs }
        };
        let time = query.time.as_ref().map(TimeSpec::from_clause).transpose()?;
        Ok(Plan {
            columns,
            time,
            filter,
            shape,
            having,
            order,
            limit: query.limit.map(|(n, _)| n),
            notes: std::mem::take(&mut self.notes),
            fields: std::mem::take(&mut self.fields),
            query,
        })
    }

    fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// Replace names that are SELECT aliases by the aliased expression (GROUP BY,
    /// HAVING, ORDER BY).
    fn substitute_aliases(&self, expr: &ast::Expr) -> ast::Expr {
        if let ExprKind::Name { name, .. } = &expr.kind {
            let lower = name.to_ascii_lowercase();
            if let Some((_, aliased)) = self.aliases.iter().find(|(a, _)| *a == lower) {
                return aliased.clone();
            }
            return expr.clone();
        }
        let mut copy = expr.clone();
        map_children(&mut copy, &|child| self.substitute_aliases(child));
        copy
    }

    fn expect_condition(&self, compiled: &Compiled, expr: &ast::Expr) -> Result<(), QueryError> {
        match self.type_of(compiled) {
            Ty::Boolean | Ty::Any | Ty::Null => Ok(()),
            ty => Err(QueryError::new(
                ErrorKind::Type,
                format!("{expr} is {}, not a condition", ty.name()),
                expr.span,
            )),
        }
    }

    fn compile(&mut self, expr: &ast::Expr, place: Place) -> Result<Compiled, QueryError> {
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

    fn field(&mut self, name: &str) -> FieldRef {
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

    fn call(
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

    fn check_reference(
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

    fn expect_number(
        &self,
        compiled: &Compiled,
        expr: &ast::Expr,
        verb: &str,
    ) -> Result<(), QueryError> {
        let numeric_text =
            matches!(compiled, Compiled::Const(Datum::Text(t)) if t.trim().parse::<f64>().is_ok());
        match self.type_of(compiled) {
            Ty::Number | Ty::Any | Ty::Null => Ok(()),
            Ty::Text if numeric_text => Ok(()),
            Ty::Text if !matches!(compiled, Compiled::Const(_)) => Ok(()),
            ty => Err(QueryError::new(
                ErrorKind::Type,
                format!("{expr} is {} and cannot be {verb}", ty.name()),
                expr.span,
            )),
        }
    }

    fn type_of(&self, compiled: &Compiled) -> Ty {
        match compiled {
            Compiled::Const(value) => match value {
                Datum::Null => Ty::Null,
                Datum::Integer(_) | Datum::Float(_) => Ty::Number,
                Datum::Text(_) => Ty::Text,
                Datum::Boolean(_) => Ty::Boolean,
                Datum::Ip(_) => Ty::Ip,
            },
            Compiled::Field(FieldRef::Event(FieldName::Canonical(id))) => {
                match FIELDS[*id as usize].ty {
                    FieldType::Integer | FieldType::Time => Ty::Number,
                    FieldType::Text | FieldType::TextList => Ty::Text,
                    FieldType::Ip => Ty::Ip,
                    FieldType::Boolean => Ty::Boolean,
                }
            }
            Compiled::Field(FieldRef::Native(native)) => match native {
                Native::EventCount | Native::EndTime | Native::DomainId => Ty::Number,
                Native::EventDirection => Ty::Text,
                Native::IsCreEvent | Native::HasOffense => Ty::Boolean,
                Native::NoData(_) => Ty::Any,
            },
            Compiled::Field(_) | Compiled::First(_) | Compiled::Case { .. } => Ty::Any,
            Compiled::Aggregate(index) => match self.aggregates.get(*index).map(|a| a.function) {
                Some(
                    Aggregate::Count
                    | Aggregate::Sum
                    | Aggregate::Avg
                    | Aggregate::Stdev
                    | Aggregate::UniqueCount
                    | Aggregate::DistinctCount,
                ) => Ty::Number,
                _ => Ty::Any,
            },
            Compiled::Negate(_) | Compiled::Arithmetic(..) => Ty::Number,
            Compiled::Not(_)
            | Compiled::Compare(..)
            | Compiled::And(..)
            | Compiled::Or(..)
            | Compiled::InConst { .. }
            | Compiled::InList { .. }
            | Compiled::Between { .. }
            | Compiled::IsNull { .. }
            | Compiled::Like { .. }
            | Compiled::LikeDynamic { .. }
            | Compiled::Matches { .. }
            | Compiled::TextSearch(_) => Ty::Boolean,
            Compiled::Call { function, .. } => match function {
                Scalar::StrLen
                | Scalar::StrPos
                | Scalar::Long
                | Scalar::Double
                | Scalar::Now
                | Scalar::ParseDateTime
                | Scalar::ParseTimestamp => Ty::Number,
                Scalar::InCidr | Scalar::ReferenceSetContains => Ty::Boolean,
                Scalar::Utf8 | Scalar::GeoLookup => Ty::Any,
                _ => Ty::Text,
            },
        }
    }
}

/// Apply `f` to each direct child expression of `expr`, in place.
fn map_children(expr: &mut ast::Expr, f: &dyn Fn(&ast::Expr) -> ast::Expr) {
    let apply = |e: &mut Box<ast::Expr>| **e = f(e);
    match &mut expr.kind {
        ExprKind::Literal(_) | ExprKind::Name { .. } | ExprKind::Star | ExprKind::TextSearch(_) => {
        }
        ExprKind::Negate(e) | ExprKind::Not(e) | ExprKind::IsNull { expr: e, .. } => apply(e),
        ExprKind::Binary { left, right, .. } => {
            apply(left);
            apply(right);
        }
        ExprKind::InList { expr: e, list, .. } => {
            apply(e);
            for item in list {
                *item = f(item);
            }
        }
        ExprKind::Between {
            expr: e, low, high, ..
        } => {
            apply(e);
            apply(low);
            apply(high);
        }
        ExprKind::Like {
            expr: e, pattern, ..
        }
        | ExprKind::Matches {
            expr: e, pattern, ..
        } => {
            apply(e);
            apply(pattern);
        }
        ExprKind::Case {
            operand,
            branches,
            otherwise,
        } => {
            if let Some(o) = operand {
                apply(o);
            }
            for (when, then) in branches {
                *when = f(when);
                *then = f(then);
            }
            if let Some(o) = otherwise {
                apply(o);
            }
        }
        ExprKind::Call { args, .. } => {
            for arg in args {
                *arg = f(arg);
            }
        }
    }
}

/// A regex with size limits; lookaround and backreferences (Java has them, the linear
/// engine does not) are reported as unsupported.
fn build_regex(pattern: &str, span: Span) -> Result<regex::Regex, QueryError> {
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
