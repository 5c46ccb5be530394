//! What a column of a bailleur's file holds: the fields of a dwelling the import recognises in
//! a header, and the column plans the dossier keeps with each import name them; the field a
//! bailleur's label belongs to, as the dossier keeps its mappings.

use serde::{Deserialize, Serialize};

/// A field of a dwelling, as a column of a bailleur's file holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Reference,
    Reservataire,
    Commune,
    CodeInsee,
    CodePostal,
    Typologie,
    Financement,
    Qpv,
    IndividuelCollectif,
    DateFinConvention,
    AnneeConstruction,
    Bailleur,
    Nature,
    Rpls,
    Surface,
    Loyer,
    Adresse,
    Residence,
    Etage,
    TauxRotation,
}

impl Field {
    pub const ALL: [Field; 20] = [
        Field::Reference,
        Field::Reservataire,
        Field::Commune,
        Field::CodeInsee,
        Field::CodePostal,
        Field::Typologie,
        Field::Financement,
        Field::Qpv,
        Field::IndividuelCollectif,
        Field::DateFinConvention,
        Field::AnneeConstruction,
        Field::Bailleur,
        Field::Nature,
        Field::Rpls,
        Field::Surface,
        Field::Loyer,
        Field::Adresse,
        Field::Residence,
        Field::Etage,
        Field::TauxRotation,
    ];

    /// French label shown to the user.
    pub fn label(self) -> &'static str {
        match self {
            Field::Reference => "Référence du logement",
            Field::Reservataire => "Réservataire",
            Field::Commune => "Commune",
            Field::CodeInsee => "Code INSEE",
            Field::CodePostal => "Code postal",
            Field::Typologie => "Typologie",
            Field::Financement => "Financement",
            Field::Qpv => "QPV",
            Field::IndividuelCollectif => "Individuel / collectif",
            Field::DateFinConvention => "Date de fin de convention",
            Field::AnneeConstruction => "Année de construction",
            Field::Bailleur => "Bailleur",
            Field::Nature => "Nature du logement",
            Field::Rpls => "Identifiant RPLS",
            Field::Surface => "Surface",
            Field::Loyer => "Loyer",
            Field::Adresse => "Adresse",
            Field::Residence => "Résidence",
            Field::Etage => "Étage",
            Field::TauxRotation => "Taux de rotation",
        }
    }
}

/// The field a bailleur's label belongs to, as the dossier keeps its mappings (`correspondances`):
/// a réservataire, a commune, a typologie, a financement, a household field of the registers, or
/// the century of a column's two-digit years. Written `reservataire`, `commune`, `typologie`,
/// `financement`, `menage`, `quartile`, `siecle` in the dossier and the JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChampLibelle {
    Reservataire,
    Commune,
    Typologie,
    Financement,
    /// Public prioritaire / DALO of a register's household.
    Menage,
    /// The household's resource quartile.
    Quartile,
    /// The century of a file column's two-digit years.
    Siecle,
}

impl ChampLibelle {
    pub const ALL: [ChampLibelle; 7] = [
        ChampLibelle::Reservataire,
        ChampLibelle::Commune,
        ChampLibelle::Typologie,
        ChampLibelle::Financement,
        ChampLibelle::Menage,
        ChampLibelle::Quartile,
        ChampLibelle::Siecle,
    ];

    /// The name the dossier keeps (`correspondances.champ`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChampLibelle::Reservataire => "reservataire",
            ChampLibelle::Commune => "commune",
            ChampLibelle::Typologie => "typologie",
            ChampLibelle::Financement => "financement",
            ChampLibelle::Menage => "menage",
            ChampLibelle::Quartile => "quartile",
            ChampLibelle::Siecle => "siecle",
        }
    }

    /// A field by the name the dossier keeps; `None` for any other text.
    pub fn parse(s: &str) -> Option<ChampLibelle> {
        ChampLibelle::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_of_a_label_keep_their_stored_and_serialised_names() {
        let noms: Vec<&str> = ChampLibelle::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(noms, ["reservataire", "commune", "typologie", "financement", "menage", "quartile", "siecle"]);
        for c in ChampLibelle::ALL {
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{}\"", c.as_str()));
            assert_eq!(ChampLibelle::parse(c.as_str()), Some(c));
        }
        assert_eq!(ChampLibelle::parse("qpv"), None);
    }
}
