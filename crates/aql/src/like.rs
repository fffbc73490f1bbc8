//! LIKE / ILIKE patterns: `%` any run of characters, `_` one character, matching the
//! whole value. There is no escape character (a backslash is literal, as in QRadar).
//! Compiled once into literal pieces; matching is a greedy scan with one backtrack
//! point, linear in practice.

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// Literal text (lower-cased when case-insensitive).
    Literal(String),
    /// `_`: exactly one character.
    One,
    /// `%`: any run.
    Any,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LikePattern {
    pieces: Vec<Piece>,
    case_insensitive: bool,
}

impl LikePattern {
    pub fn new(pattern: &str, case_insensitive: bool) -> LikePattern {
        let mut pieces: Vec<Piece> = Vec::new();
        for c in pattern.chars() {
            match c {
                '%' => {
                    if pieces.last() != Some(&Piece::Any) {
                        pieces.push(Piece::Any);
                    }
                }
                '_' => pieces.push(Piece::One),
                c => {
                    let folded = if case_insensitive { fold(c) } else { c };
                    match pieces.last_mut() {
                        Some(Piece::Literal(text)) => text.push(folded),
                        _ => pieces.push(Piece::Literal(folded.to_string())),
                    }
                }
            }
        }
        LikePattern {
            pieces,
            case_insensitive,
        }
    }

    pub fn matches(&self, text: &str) -> bool {
        if self.case_insensitive {
            let folded: String = text.chars().map(fold).collect();
            return match_pieces(&self.pieces, &folded);
        }
        match_pieces(&self.pieces, text)
    }
}

fn fold(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

/// Match pieces against text: after each `%`, try every place the rest could start.
fn match_pieces(pieces: &[Piece], text: &str) -> bool {
    match pieces.split_first() {
        None => text.is_empty(),
        Some((Piece::Literal(literal), rest)) => text
            .strip_prefix(literal.as_str())
            .is_some_and(|tail| match_pieces(rest, tail)),
        Some((Piece::One, rest)) => {
            let mut chars = text.chars();
            chars.next().is_some() && match_pieces(rest, chars.as_str())
        }
        Some((Piece::Any, rest)) => match rest.first() {
            None => true,
            // `%literal` at the end: a suffix test.
            Some(Piece::Literal(literal)) if rest.len() == 1 => text.ends_with(literal.as_str()),
            Some(Piece::Literal(literal)) => {
                let mut from = 0;
                while let Some(found) = text[from..].find(literal.as_str()) {
                    let at = from + found;
                    if match_pieces(&rest[1..], &text[at + literal.len()..]) {
                        return true;
                    }
                    from = at + text[at..].chars().next().map_or(1, char::len_utf8);
                }
                false
            }
            Some(_) => text
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .any(|i| match_pieces(rest, &text[i..])),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_string_with_wildcards() {
        let like = |p: &str, t: &str| LikePattern::new(p, false).matches(t);
        assert!(like("%whois%", "c:\\tools\\whois.exe"));
        assert!(!like("whois", "whois.exe"));
        assert!(like("who_s", "whois"));
        assert!(!like("who_s", "whoiis"));
        assert!(like("%\\keepass.exe", "C:\\x\\keepass.exe"));
        assert!(like("a%b%c", "aXbYbZc"));
        assert!(!like("a%b%c", "aXbYbZ"));
        assert!(like("%", ""));
        assert!(!like("_", ""));
        assert!(!like("%Whois%", "whois"));
    }

    #[test]
    fn ilike_folds_case() {
        let ilike = |p: &str, t: &str| LikePattern::new(p, true).matches(t);
        assert!(ilike("%WHOIS.ARIN.NET", "whois.arin.net"));
        assert!(ilike("straße", "STRAßE"));
    }
}
