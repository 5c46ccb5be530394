//! What a column of a bailleur's file holds: the fields of a dwelling the import recognises in
//! a header, and the column plans the dossier keeps with each import name them.

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
