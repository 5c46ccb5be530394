//! Numbers as French readers expect them: `24 214`, `15,1 %`.

/// An integer with a narrow no-break space between thousands: `24 214`.
pub fn entier(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 * 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// A share as a percentage with one decimal and a comma: `15,1 %`.
pub fn pourcent(part: u64, total: u64) -> String {
    if total == 0 {
        return "–".into();
    }
    let tenths = (part as u128 * 1000 + total as u128 / 2) / total as u128;
    format!("{},{}\u{a0}%", tenths / 10, tenths % 10)
}

/// A CSV field that Excel will never run as a formula: a leading `=`, `+`, `-`, `@`, tab or
/// CR is neutralised with an apostrophe.
pub fn csv_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_numbers() {
        assert_eq!(entier(24214), "24\u{202f}214");
        assert_eq!(entier(2000), "2\u{202f}000");
        assert_eq!(entier(999), "999");
        assert_eq!(pourcent(32, 212), "15,1\u{a0}%");
        assert_eq!(pourcent(0, 0), "–");
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(csv_safe("=1+1"), "'=1+1");
        assert_eq!(csv_safe("-5"), "'-5");
        assert_eq!(csv_safe("@SUM"), "'@SUM");
        assert_eq!(csv_safe("Antibes"), "Antibes");
    }
}
