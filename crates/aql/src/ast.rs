//! The syntax tree of one AQL query, as written (names unresolved). [`std::fmt::Display`]
//! prints expressions back as AQL, for plans and error messages.

use std::fmt;

use crate::error::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub select: Vec<SelectItem>,
    pub table: Table,
    pub filter: Option<Expr>,
    pub group_by: Vec<Expr>,
    pub having: Option<Expr>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<(u64, Span)>,
    pub time: Option<TimeClause>,
    /// `PARAMETERS name=value, …`: accepted and ignored.
    pub parameters: Vec<(String, Span)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Events,
    Flows,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// `*`
    All(Span),
    Expr {
        expr: Expr,
        alias: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    pub expr: Expr,
    pub descending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Minutes,
    Hours,
    Days,
}

impl TimeUnit {
    pub fn millis(self) -> i64 {
        match self {
            TimeUnit::Minutes => 60_000,
            TimeUnit::Hours => 3_600_000,
            TimeUnit::Days => 86_400_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum TimeClause {
    Last {
        amount: i64,
        unit: TimeUnit,
        span: Span,
    },
    Range {
        start: TimePoint,
        stop: Option<TimePoint>,
    },
}

/// One end of `START … STOP …`.
#[derive(Debug, Clone, PartialEq)]
pub enum TimePoint {
    /// `'2026-11-24 10:15'` in one of IBM's formats.
    Text(String, Span),
    /// `PARSEDATETIME('1 hour ago')`.
    Relative(String, Span),
    /// Epoch milliseconds.
    Millis(i64, Span),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Integer(i64),
    Float(f64),
    Text(String),
    Boolean(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    And,
    Or,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Subtract => "-",
            BinaryOp::Multiply => "*",
            BinaryOp::Divide => "/",
            BinaryOp::Modulo => "%",
            BinaryOp::Equal => "=",
            BinaryOp::NotEqual => "!=",
            BinaryOp::Less => "<",
            BinaryOp::LessEqual => "<=",
            BinaryOp::Greater => ">",
            BinaryOp::GreaterEqual => ">=",
            BinaryOp::And => "AND",
            BinaryOp::Or => "OR",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Equal
                | BinaryOp::NotEqual
                | BinaryOp::Less
                | BinaryOp::LessEqual
                | BinaryOp::Greater
                | BinaryOp::GreaterEqual
        )
    }

    pub fn is_arithmetic(self) -> bool {
        matches!(
            self,
            BinaryOp::Add
                | BinaryOp::Subtract
                | BinaryOp::Multiply
                | BinaryOp::Divide
                | BinaryOp::Modulo
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    /// A field, custom property or alias; `quoted` when written in double quotes.
    Name {
        name: String,
        quoted: bool,
    },
    /// `*` as the argument of COUNT.
    Star,
    Negate(Box<Expr>),
    Not(Box<Expr>),
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        case_insensitive: bool,
        negated: bool,
    },
    Matches {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        case_insensitive: bool,
        negated: bool,
    },
    /// `TEXT SEARCH 'terms'`: full-text search of the payload.
    TextSearch(String),
    /// Searched (`operand` None) or simple CASE; `IF c THEN a ELSE b` is a searched CASE.
    Case {
        operand: Option<Box<Expr>>,
        branches: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
    },
    Call {
        /// Upper-cased; namespaced names keep their `::` (`GEO::LOOKUP`).
        name: String,
        name_span: Span,
        args: Vec<Expr>,
        /// `COUNT(DISTINCT x)`.
        distinct: bool,
    },
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// Sub-expressions, in order.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Literal(_) | ExprKind::Name { .. } | ExprKind::Star => vec![],
            ExprKind::TextSearch(_) => vec![],
            ExprKind::Negate(e) | ExprKind::Not(e) | ExprKind::IsNull { expr: e, .. } => {
                vec![e]
            }
            ExprKind::Binary { left, right, .. } => vec![left, right],
            ExprKind::InList { expr, list, .. } => {
                std::iter::once(expr.as_ref()).chain(list).collect()
            }
            ExprKind::Between {
                expr, low, high, ..
            } => vec![expr, low, high],
            ExprKind::Like { expr, pattern, .. } | ExprKind::Matches { expr, pattern, .. } => {
                vec![expr, pattern]
            }
            ExprKind::Case {
                operand,
                branches,
                otherwise,
            } => operand
                .iter()
                .map(|e| e.as_ref())
                .chain(branches.iter().flat_map(|(w, t)| [w, t]))
                .chain(otherwise.iter().map(|e| e.as_ref()))
                .collect(),
            ExprKind::Call { args, .. } => args.iter().collect(),
        }
    }

    /// Sub-expressions, in order, to rewrite in place.
    pub fn children_mut(&mut self) -> Vec<&mut Expr> {
        match &mut self.kind {
            ExprKind::Literal(_) | ExprKind::Name { .. } | ExprKind::Star => vec![],
            ExprKind::TextSearch(_) => vec![],
            ExprKind::Negate(e) | ExprKind::Not(e) | ExprKind::IsNull { expr: e, .. } => {
                vec![e]
            }
            ExprKind::Binary { left, right, .. } => vec![left, right],
            ExprKind::InList { expr, list, .. } => {
                std::iter::once(expr.as_mut()).chain(list).collect()
            }
            ExprKind::Between {
                expr, low, high, ..
            } => vec![expr, low, high],
            ExprKind::Like { expr, pattern, .. } | ExprKind::Matches { expr, pattern, .. } => {
                vec![expr, pattern]
            }
            ExprKind::Case {
                operand,
                branches,
                otherwise,
            } => operand
                .iter_mut()
                .map(|e| e.as_mut())
                .chain(branches.iter_mut().flat_map(|(w, t)| [w, t]))
                .chain(otherwise.iter_mut().map(|e| e.as_mut()))
                .collect(),
            ExprKind::Call { args, .. } => args.iter_mut().collect(),
        }
    }
}

fn quote(text: &str, quote: char) -> String {
    let doubled: String = [quote, quote].iter().collect();
    format!("{quote}{}{quote}", text.replace(quote, &doubled))
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("NULL"),
            Literal::Integer(n) => write!(f, "{n}"),
            Literal::Float(x) => write!(f, "{x:?}"),
            Literal::Text(text) => f.write_str(&quote(text, '\'')),
            Literal::Boolean(b) => f.write_str(if *b { "TRUE" } else { "FALSE" }),
        }
    }
}

fn list(f: &mut fmt::Formatter<'_>, items: &[Expr]) -> fmt::Result {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let not = |negated: bool| if negated { "NOT " } else { "" };
        match &self.kind {
            ExprKind::Literal(literal) => write!(f, "{literal}"),
            ExprKind::Name { name, quoted } => {
                if *quoted {
                    f.write_str(&quote(name, '"'))
                } else {
                    f.write_str(name)
                }
            }
            ExprKind::Star => f.write_str("*"),
            ExprKind::Negate(e) => write!(f, "-{e}"),
            ExprKind::Not(e) => write!(f, "NOT {e}"),
            ExprKind::Binary { op, left, right } => {
                write!(f, "({left} {} {right})", op.symbol())
            }
            ExprKind::InList {
                expr,
                list: items,
                negated,
            } => {
                write!(f, "{expr} {}IN (", not(*negated))?;
                list(f, items)?;
                f.write_str(")")
            }
            ExprKind::Between {
                expr,
                low,
                high,
                negated,
            } => write!(f, "{expr} {}BETWEEN {low} AND {high}", not(*negated)),
            ExprKind::IsNull { expr, negated } => {
                write!(f, "{expr} IS {}NULL", not(*negated))
            }
            ExprKind::Like {
                expr,
                pattern,
                case_insensitive,
                negated,
            } => write!(
                f,
                "{expr} {}{} {pattern}",
                not(*negated),
                if *case_insensitive { "ILIKE" } else { "LIKE" }
            ),
            ExprKind::Matches {
                expr,
                pattern,
                case_insensitive,
                negated,
            } => write!(
                f,
                "{expr} {}{} {pattern}",
                not(*negated),
                if *case_insensitive {
                    "IMATCHES"
                } else {
                    "MATCHES"
                }
            ),
            ExprKind::TextSearch(text) => write!(f, "TEXT SEARCH {}", quote(text, '\'')),
            ExprKind::Case {
                operand,
                branches,
                otherwise,
            } => {
                f.write_str("CASE")?;
                if let Some(operand) = operand {
                    write!(f, " {operand}")?;
                }
                for (when, then) in branches {
                    write!(f, " WHEN {when} THEN {then}")?;
                }
                if let Some(otherwise) = otherwise {
                    write!(f, " ELSE {otherwise}")?;
                }
                f.write_str(" END")
            }
            ExprKind::Call {
                name,
                args,
                distinct,
                ..
            } => {
                write!(f, "{name}(")?;
                if *distinct {
                    f.write_str("DISTINCT ")?;
                }
                list(f, args)?;
                f.write_str(")")
            }
        }
    }
}
