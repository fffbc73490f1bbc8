//! One sentence that says why a correlation fired, for the analyst.

use whoiswatch_correlate::correlation::Aggregate;

use super::run::CorrelationMatch;
use crate::ruleset::RuleSet;

fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value:.2}")
    }
}

fn timespan(seconds: i64) -> String {
    match seconds {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

impl CorrelationMatch {
    /// "12 matches of Failed login for User=bob from … to … (within 10m; condition gte 10)".
    pub fn describe(&self, set: &RuleSet) -> String {
        let correlation = &set.correlations[self.correlation];
        let titles: Vec<&str> = correlation
            .rules
            .iter()
            .map(|r| match r {
                Ok(i) => set.rules[*i].meta.title.as_str(),
                Err(i) => set.correlations[*i].meta.title.as_str(),
            })
            .collect();
        let field = correlation.spec.field.as_deref().unwrap_or("value");
        let n = self.observations;
        let value = number(self.value);
        let of = titles.join(", ");
        let what = match correlation.aggregate() {
            Aggregate::Count => format!("{value} matches of {of}"),
            Aggregate::Distinct => format!("{value} distinct {field} in {n} matches of {of}"),
            Aggregate::Sum => format!("{field} sums to {value} over {n} matches of {of}"),
            Aggregate::Average => format!("{field} averages {value} over {n} matches of {of}"),
            Aggregate::Share => format!(
                "{field} {} in {value}% of the matches of {of}",
                self.share_of.as_deref().unwrap_or("")
            ),
            Aggregate::Kinds { kinds, ordered } => format!(
                "{value} of {kinds} rules{} ({of})",
                if ordered { " in order" } else { "" }
            ),
        };
        let group: Vec<String> = self.group.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let group = if group.is_empty() {
            String::new()
        } else {
            format!(" for {}", group.join(", "))
        };
        format!(
            "{what}{group} from {} to {} (within {}; condition {})",
            self.start,
            self.end,
            timespan(correlation.spec.timespan_seconds),
            correlation.condition_text()
        )
    }
}
