//! AST to a logical plan: names resolved to fields once, aliases substituted, aggregates
//! pulled out of grouped expressions, constants prepared, types checked. Everything the
//! executor needs and nothing it has to look up again.

use whoiswatch_event::FIELDS;
use whoiswatch_reference::ReferenceData;

mod call;
mod expr;
mod types;

use crate::ast::{self, ExprKind, Literal, Query, SelectItem, Table};
use crate::compiled::Compiled;
use crate::datum::{Datum, Owned};
use crate::error::QueryError;
use crate::functions::{self, Aggregate, Function};
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
        let mut copy = expr.clone();
        self.substitute_in(&mut copy);
        copy
    }

    fn substitute_in(&self, expr: &mut ast::Expr) {
        if let ExprKind::Name { name, .. } = &expr.kind {
            let lower = name.to_ascii_lowercase();
            if let Some((_, aliased)) = self.aliases.iter().find(|(a, _)| *a == lower) {
                *expr = aliased.clone();
            }
            return;
        }
        for child in expr.children_mut() {
            self.substitute_in(child);
        }
    }
}
