//! The static types of compiled expressions, and the checks that use them: a condition
//! where one is needed, a number in arithmetic. Unknown fields are `Any` and pass.

use whoiswatch_event::{FieldName, FieldType, FIELDS};

use super::Planner;
use crate::ast;
use crate::compiled::{Compiled, FieldRef};
use crate::datum::Datum;
use crate::error::{ErrorKind, QueryError};
use crate::functions::{Aggregate, Scalar};
use crate::native::Native;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    Any,
    Number,
    Text,
    Boolean,
    Ip,
    Null,
}

impl Ty {
    pub(super) fn name(self) -> &'static str {
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

impl Planner<'_> {
    pub(super) fn expect_condition(
        &self,
        compiled: &Compiled,
        expr: &ast::Expr,
    ) -> Result<(), QueryError> {
        match self.type_of(compiled) {
            Ty::Boolean | Ty::Any | Ty::Null => Ok(()),
            ty => Err(QueryError::new(
                ErrorKind::Type,
                format!("{expr} is {}, not a condition", ty.name()),
                expr.span,
            )),
        }
    }

    pub(super) fn expect_number(
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

    pub(super) fn type_of(&self, compiled: &Compiled) -> Ty {
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
