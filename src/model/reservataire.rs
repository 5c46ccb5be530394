//! Who holds a reservation right: the canonical id of a réservataire, typed.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

/// The canonical id of a réservataire: `etat`, `etat-fonctionnaires`, `action-logement`,
/// `defense`, `non-reserve`, or a scoped one — `commune:<INSEE>`, `epci:<SIREN>`,
/// `departement:<code>`, `region:<code>`, `autre:<slug>`. Written in the dossier, the JSON
/// and the CSV exactly as these strings; compared, hashed and sorted like them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reservataire(Cow<'static, str>);

/// What a réservataire is, whatever its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Portee {
    /// The préfet's contingent (`etat`).
    Etat,
    /// The State for its civil and military agents (`etat-fonctionnaires`).
    Fonctionnaires,
    ActionLogement,
    Defense,
    /// The bailleur's own stock (`non-reserve`).
    NonReserve,
    Commune,
    Epci,
    Departement,
    Region,
    /// Any other reservation (`autre:la-poste`).
    Autre,
    /// An id the dossier holds that is none of the above (never produced by the import).
    Inconnue,
}

impl Portee {
    /// The scope of an id as text (the dossier's, a parameter's key).
    pub fn de(id: &str) -> Portee {
        match id.split_once(':') {
            None => match id {
                "etat" => Portee::Etat,
                "etat-fonctionnaires" => Portee::Fonctionnaires,
                "action-logement" => Portee::ActionLogement,
                "defense" => Portee::Defense,
                "non-reserve" => Portee::NonReserve,
                _ => Portee::Inconnue,
            },
            Some((kind, _)) => match kind {
                "commune" => Portee::Commune,
                "epci" => Portee::Epci,
                "departement" => Portee::Departement,
                "region" => Portee::Region,
                "autre" => Portee::Autre,
                _ => Portee::Inconnue,
            },
        }
    }

    /// The code of an id of this scope: `Portee::Commune.code("commune:06004")` is `06004`;
    /// `None` for an id of another scope.
    pub fn code(self, id: &str) -> Option<&str> {
        (self.prefixe().is_some() && Portee::de(id) == self).then(|| id.split_once(':').map(|(_, c)| c)).flatten()
    }

    /// The prefix of a scoped id (`commune` of `commune:06004`), `None` for the fixed ids.
    pub fn prefixe(self) -> Option<&'static str> {
        match self {
            Portee::Commune => Some("commune"),
            Portee::Epci => Some("epci"),
            Portee::Departement => Some("departement"),
            Portee::Region => Some("region"),
            Portee::Autre => Some("autre"),
            Portee::Etat
            | Portee::Fonctionnaires
            | Portee::ActionLogement
            | Portee::Defense
            | Portee::NonReserve
            | Portee::Inconnue => None,
        }
    }

    /// The State, for the préfet's contingent or for its agents.
    pub fn est_etat(self) -> bool {
        matches!(self, Portee::Etat | Portee::Fonctionnaires)
    }

    /// A local authority (commune, EPCI, département, région): its share of the flux is
    /// capped together (domaine.md, collectivités territoriales).
    pub fn est_collectivite(self) -> bool {
        matches!(self, Portee::Commune | Portee::Epci | Portee::Departement | Portee::Region)
    }
}

impl Reservataire {
    pub const ETAT: Reservataire = Reservataire(Cow::Borrowed("etat"));
    pub const FONCTIONNAIRES: Reservataire = Reservataire(Cow::Borrowed("etat-fonctionnaires"));
    pub const ACTION_LOGEMENT: Reservataire = Reservataire(Cow::Borrowed("action-logement"));
    pub const DEFENSE: Reservataire = Reservataire(Cow::Borrowed("defense"));
    pub const NON_RESERVE: Reservataire = Reservataire(Cow::Borrowed("non-reserve"));

    /// The fixed ids, in the order the window lists them.
    pub const FIXES: [Reservataire; 5] =
        [Self::ETAT, Self::FONCTIONNAIRES, Self::ACTION_LOGEMENT, Self::DEFENSE, Self::NON_RESERVE];

    /// An id as the dossier holds it (not checked: see [`Reservataire::from_str`] for user input).
    pub fn new(id: impl Into<String>) -> Self {
        let id: String = id.into();
        match Self::FIXES.iter().find(|f| f.as_str() == id) {
            Some(f) => f.clone(),
            None => Self(Cow::Owned(id)),
        }
    }

    /// A scoped id: `Reservataire::scoped(Portee::Commune, "06004")` is `commune:06004`.
    fn scoped(portee: Portee, code: &str) -> Self {
        Self(Cow::Owned(format!("{}:{code}", portee.prefixe().unwrap_or("autre"))))
    }

    pub fn commune(insee: &str) -> Self {
        Self::scoped(Portee::Commune, insee)
    }

    pub fn epci(siren: &str) -> Self {
        Self::scoped(Portee::Epci, siren)
    }

    pub fn departement(code: &str) -> Self {
        Self::scoped(Portee::Departement, code)
    }

    pub fn region(code: &str) -> Self {
        Self::scoped(Portee::Region, code)
    }

    pub fn autre(slug: &str) -> Self {
        Self::scoped(Portee::Autre, slug)
    }

    pub fn non_reserve() -> Self {
        Self::NON_RESERVE
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn portee(&self) -> Portee {
        Portee::de(self)
    }

    /// The code after the scope (`06004` of `commune:06004`), `None` for the fixed ids.
    pub fn code(&self) -> Option<&str> {
        self.0.split_once(':').map(|(_, c)| c)
    }

    /// The INSEE code of a commune réservataire.
    pub fn commune_insee(&self) -> Option<&str> {
        Portee::Commune.code(self)
    }

    pub fn is_non_reserve(&self) -> bool {
        self.portee() == Portee::NonReserve
    }

    /// The State, for the préfet's contingent or for its agents.
    pub fn est_etat(&self) -> bool {
        self.portee().est_etat()
    }

    /// A commune, an EPCI, a département or a région.
    pub fn est_collectivite(&self) -> bool {
        self.portee().est_collectivite()
    }

    /// Whether a string is a well-formed canonical id (used to validate user mappings).
    pub fn is_valid_id(id: &str) -> bool {
        id.parse::<Reservataire>().is_ok()
    }
}

/// A réservataire id the user typed that is not canonical.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "« {0} » n'est pas un identifiant de réservataire (etat, etat-fonctionnaires, action-logement, defense, non-reserve, commune:INSEE, epci:SIREN, departement:CODE, region:CODE, autre:NOM)"
)]
pub struct ReservataireInvalide(pub String);

impl FromStr for Reservataire {
    type Err = ReservataireInvalide;

    /// A canonical id, checked: a fixed id, or a known scope and a code of letters, digits, dashes.
    fn from_str(id: &str) -> Result<Self, Self::Err> {
        let r = Reservataire::new(id);
        let ok = match r.portee() {
            Portee::Inconnue => false,
            p if p.prefixe().is_some() => {
                r.code().is_some_and(|c| !c.is_empty() && c.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            }
            _ => true,
        };
        if ok { Ok(r) } else { Err(ReservataireInvalide(id.to_string())) }
    }
}

impl Deref for Reservataire {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Reservataire {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Reservataire {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<String> for Reservataire {
    fn from(s: String) -> Self {
        Reservataire::new(s)
    }
}

impl From<&str> for Reservataire {
    fn from(s: &str) -> Self {
        Reservataire::new(s)
    }
}

impl From<Reservataire> for String {
    fn from(r: Reservataire) -> String {
        r.0.into_owned()
    }
}

impl PartialEq<str> for Reservataire {
    fn eq(&self, o: &str) -> bool {
        self.as_str() == o
    }
}

impl PartialEq<&str> for Reservataire {
    fn eq(&self, o: &&str) -> bool {
        self.as_str() == *o
    }
}

impl PartialEq<String> for Reservataire {
    fn eq(&self, o: &String) -> bool {
        self.as_str() == o.as_str()
    }
}

impl PartialEq<Reservataire> for str {
    fn eq(&self, o: &Reservataire) -> bool {
        self == o.as_str()
    }
}

impl PartialEq<Reservataire> for &str {
    fn eq(&self, o: &Reservataire) -> bool {
        *self == o.as_str()
    }
}

impl PartialEq<Reservataire> for String {
    fn eq(&self, o: &Reservataire) -> bool {
        self.as_str() == o.as_str()
    }
}

impl fmt::Display for Reservataire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Reservataire {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Reservataire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Reservataire::new)
    }
}

/// The réservataire a dwelling counts under at the reference date: its own, unless its right is
/// extinct (a convention ended strictly before that date: `Logement::is_echu`), then
/// non réservé. Dates as the dossier writes them (`AAAA-MM-JJ`), which sort like the dates.
pub fn reservataire_compte<'a>(reservataire: &'a str, fin_convention: Option<&str>, date_reference: &str) -> &'a str {
    if reservataire != Reservataire::NON_RESERVE && fin_convention.is_some_and(|f| f < date_reference) {
        Reservataire::NON_RESERVE.as_str_static()
    } else {
        reservataire
    }
}

impl Reservataire {
    /// The text of a fixed id, for the whole program's life.
    fn as_str_static(&self) -> &'static str {
        match &self.0 {
            Cow::Borrowed(s) => s,
            Cow::Owned(_) => unreachable!("only the fixed ids are borrowed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_written_as_the_dossier_and_the_json_write_them() {
        assert_eq!(Reservataire::NON_RESERVE.as_str(), "non-reserve");
        assert_eq!(Reservataire::FONCTIONNAIRES.as_str(), "etat-fonctionnaires");
        assert_eq!(Reservataire::commune("06004").as_str(), "commune:06004");
        assert_eq!(Reservataire::departement("2A").as_str(), "departement:2A");
        assert_eq!(serde_json::to_string(&Reservataire::epci("240600585")).unwrap(), "\"epci:240600585\"");
        let r: Reservataire = serde_json::from_str("\"etat\"").unwrap();
        assert_eq!(r, Reservataire::ETAT);
        assert_eq!(Reservataire::new("etat"), Reservataire::ETAT);
    }

    #[test]
    fn the_scope_and_code_of_an_id() {
        assert_eq!(Reservataire::commune("06004").portee(), Portee::Commune);
        assert_eq!(Reservataire::commune("06004").commune_insee(), Some("06004"));
        assert_eq!(Reservataire::epci("240600585").commune_insee(), None);
        assert_eq!(Reservataire::new("region:93").portee(), Portee::Region);
        assert_eq!(Reservataire::new("autre:la-poste").portee(), Portee::Autre);
        assert_eq!(Reservataire::ETAT.portee(), Portee::Etat);
        assert_eq!(Reservataire::NON_RESERVE.portee(), Portee::NonReserve);
        assert!(Reservataire::FONCTIONNAIRES.est_etat());
        assert!(!Reservataire::ACTION_LOGEMENT.est_etat());
        assert!(Reservataire::departement("06").est_collectivite());
        assert!(!Reservataire::autre("sncf").est_collectivite());
        assert_eq!(Reservataire::new("bidule").portee(), Portee::Inconnue);
        assert_eq!(Portee::Epci.code("epci:240600585"), Some("240600585"));
        assert_eq!(Portee::Commune.code("epci:240600585"), None);
        assert_eq!(Portee::Etat.code("etat"), None);
    }

    #[test]
    fn user_input_is_checked() {
        assert_eq!("commune:06004".parse(), Ok(Reservataire::commune("06004")));
        assert_eq!("non-reserve".parse(), Ok(Reservataire::NON_RESERVE));
        for bad in ["", "etat ", "commune:", "ville:06004", "commune:06 004", "bidule"] {
            assert!(bad.parse::<Reservataire>().is_err(), "{bad}");
        }
    }

    #[test]
    fn an_extinct_right_counts_as_non_reserved() {
        assert_eq!(reservataire_compte("etat", Some("2023-12-31"), "2024-01-01"), "non-reserve");
        assert_eq!(reservataire_compte("etat", Some("2024-01-01"), "2024-01-01"), "etat");
        assert_eq!(reservataire_compte("etat", None, "2024-01-01"), "etat");
    }
}
