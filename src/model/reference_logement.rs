//! A dwelling named by its bailleur and its reference, as the user writes it:
//! `BAILLEUR:RÉFÉRENCE` (« Var Habitat:VH-0012 »).

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RefLogement {
    pub bailleur: String,
    pub reference: String,
}

/// A text that is not `BAILLEUR:RÉFÉRENCE`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("« {0} » : attendu BAILLEUR:RÉFÉRENCE, par exemple « Var Habitat:VH-0012 »")]
pub struct RefLogementInvalide(pub String);

impl FromStr for RefLogement {
    type Err = RefLogementInvalide;

    /// The bailleur up to the first `:` (a reference may hold one), the reference after it,
    /// both without the spaces around them; neither may be empty.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':').map(|(b, r)| (b.trim(), r.trim())) {
            Some((b, r)) if !b.is_empty() && !r.is_empty() => {
                Ok(RefLogement { bailleur: b.to_string(), reference: r.to_string() })
            }
            _ => Err(RefLogementInvalide(s.to_string())),
        }
    }
}

impl fmt::Display for RefLogement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.bailleur, self.reference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dwelling_is_read_once_whatever_the_spaces() {
        let l: RefLogement = " Var Habitat : VH-0012 ".parse().unwrap();
        assert_eq!((l.bailleur.as_str(), l.reference.as_str()), ("Var Habitat", "VH-0012"));
        assert_eq!(l.to_string(), "Var Habitat:VH-0012");
        let l: RefLogement = "B:12:A".parse().unwrap();
        assert_eq!((l.bailleur.as_str(), l.reference.as_str()), ("B", "12:A"));
        for bad in ["", "VH-0012", ":VH-0012", "Var Habitat:", " : "] {
            assert_eq!(bad.parse::<RefLogement>(), Err(RefLogementInvalide(bad.to_string())), "{bad}");
        }
    }
}
