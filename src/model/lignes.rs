//! What reading a bailleur's file yields, shared by the import (which produces it), the
//! store (which keeps it) and the reports (which show it): rows kept or set aside, their
//! source, conflicts, the user's label mappings, the default financement correspondence.

use super::{Financement, Logement};
use serde::Serialize;
use std::collections::HashMap;

/// Why a readable row was set aside (the `motif` of `interfaces.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Motif {
    ReferenceManquante,
    CommuneInconnue,
    CommuneHorsTerritoire,
    TypologieInconnue,
    FinancementInconnu,
    ReservataireInconnu,
    LigneIllisible,
    /// A date cell that holds no date of its field (a bare year, a decimal, an Excel error, a
    /// word, a date outside the field's window).
    DateIllisible,
    /// `31/12/45` in an end of convention: 1945 or 2045, until the user says.
    DateAmbigue,
    /// A cell longer than Excel's 32 767 characters.
    ValeurTropLongue,
    /// A QPV cell that says neither QPV nor hors QPV (« ? », « NC », « 2 »): never read as hors
    /// QPV, which would move the State's floor outside QPV.
    QpvInconnu,
    /// An individuel/collectif cell that says neither (« ? »).
    IndividuelCollectifInconnu,
    /// An INSEE code and a commune name that designate two different communes: neither is
    /// taken (the value names both).
    CommuneContradictoire,
    /// A cell the row is read from holding a formula whose value was never calculated (a file
    /// written by a script without recalculation), wherever the row is in the sheet.
    FormuleSansValeur,
}

impl Motif {
    pub const ALL: [Motif; 14] = [
        Motif::ReferenceManquante,
        Motif::CommuneInconnue,
        Motif::CommuneHorsTerritoire,
        Motif::TypologieInconnue,
        Motif::FinancementInconnu,
        Motif::ReservataireInconnu,
        Motif::LigneIllisible,
        Motif::DateIllisible,
        Motif::DateAmbigue,
        Motif::ValeurTropLongue,
        Motif::QpvInconnu,
        Motif::IndividuelCollectifInconnu,
        Motif::CommuneContradictoire,
        Motif::FormuleSansValeur,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Motif::ReferenceManquante => "reference_manquante",
            Motif::CommuneInconnue => "commune_inconnue",
            Motif::CommuneHorsTerritoire => "commune_hors_territoire",
            Motif::TypologieInconnue => "typologie_inconnue",
            Motif::FinancementInconnu => "financement_inconnu",
            Motif::ReservataireInconnu => "reservataire_inconnu",
            Motif::LigneIllisible => "ligne_illisible",
            Motif::DateIllisible => "date_illisible",
            Motif::DateAmbigue => "date_ambigue",
            Motif::ValeurTropLongue => "valeur_trop_longue",
            Motif::QpvInconnu => "qpv_inconnu",
            Motif::IndividuelCollectifInconnu => "individuel_collectif_inconnu",
            Motif::CommuneContradictoire => "commune_contradictoire",
            Motif::FormuleSansValeur => "formule_sans_valeur",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// French wording for the window and messages.
    pub fn label(self) -> &'static str {
        match self {
            Motif::ReferenceManquante => "Référence manquante",
            Motif::CommuneInconnue => "Commune inconnue",
            Motif::CommuneHorsTerritoire => "Commune hors du territoire",
            Motif::TypologieInconnue => "Typologie inconnue",
            Motif::FinancementInconnu => "Financement inconnu",
            Motif::ReservataireInconnu => "Réservataire inconnu",
            Motif::LigneIllisible => "Ligne illisible",
            Motif::DateIllisible => "Date illisible",
            Motif::DateAmbigue => "Date ambiguë (siècle à préciser)",
            Motif::ValeurTropLongue => "Valeur trop longue (plus de 32 767 caractères)",
            Motif::QpvInconnu => "QPV inconnu (ni QPV ni hors QPV)",
            Motif::IndividuelCollectifInconnu => "Individuel/collectif inconnu",
            Motif::CommuneContradictoire => "Code INSEE et nom de commune contradictoires",
            Motif::FormuleSansValeur => {
                "Formule sans valeur calculée : ouvrez le fichier dans votre tableur et enregistrez-le"
            }
        }
    }

    /// The field whose label the user can map to resolve this motif.
    pub fn champ(self) -> Option<super::ChampLibelle> {
        match self {
            Motif::CommuneInconnue => Some(super::ChampLibelle::Commune),
            Motif::TypologieInconnue => Some(super::ChampLibelle::Typologie),
            Motif::FinancementInconnu => Some(super::ChampLibelle::Financement),
            Motif::ReservataireInconnu => Some(super::ChampLibelle::Reservataire),
            _ => None,
        }
    }
}

/// Where a row comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub feuille: Option<String>,
    pub ligne: u32,
}

/// A row set aside, with its reason and the raw value that caused it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejet {
    pub bailleur: String,
    pub source: Source,
    pub motif: Motif,
    pub valeur: String,
    /// The row's cells, tab-separated, so the dossier keeps the raw values.
    pub brut: String,
}

/// A dwelling read from a row, with the raw labels it was normalised from.
#[derive(Debug, Clone, PartialEq)]
pub struct LigneLogement {
    pub logement: Logement,
    pub source: Source,
    pub reservataire_brut: String,
    pub typologie_brut: String,
    pub financement_brut: String,
    pub commune_brut: String,
    pub brut: String,
    /// The réservataire was a collectivité without a name, presumed to be the row's own.
    pub presume: bool,
}

/// User-confirmed label mappings of a dossier, per field (`reservataire`, `commune`,
/// `typologie`), label key → canonical value.
#[derive(Debug, Clone, Default)]
pub struct Mappings {
    pub reservataire: HashMap<String, String>,
    pub commune: HashMap<String, String>,
    pub typologie: HashMap<String, String>,
    /// The century of two-digit years of end-of-convention dates, per file column
    /// (`crate::import::row::cle_siecle` → century).
    pub siecle: HashMap<String, super::Siecle>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflit {
    pub bailleur: String,
    pub reference: String,
    pub motif: String,
    pub valeurs: Vec<String>,
}

/// Default financement correspondence of `domaine.md` (label key → canonical). Stored in each
/// new dossier, where the user can edit it.
pub const FINANCEMENT_DEFAUT: &[(&str, Financement)] = &[
    ("PLAI", Financement::Plai),
    ("PLA-I", Financement::Plai),
    ("PLA I", Financement::Plai),
    ("PLAI adapté", Financement::Plai),
    ("PLA-TS", Financement::Plai),
    ("PLA très social", Financement::Plai),
    ("PLA d'intégration", Financement::Plai),
    ("PLA intégration", Financement::Plai),
    ("PLR", Financement::Plai),
    ("PSR", Financement::Plai),
    ("PLUS", Financement::Plus),
    ("PLUS CD", Financement::Plus),
    ("PLUS-CD", Financement::Plus),
    ("PLA", Financement::Plus),
    ("PLA ordinaire", Financement::Plus),
    ("HLMO", Financement::Plus),
    ("HLM/O", Financement::Plus),
    ("HLM O", Financement::Plus),
    ("HLM ordinaire", Financement::Plus),
    ("HBM", Financement::Plus),
    ("PLS", Financement::Pls),
    ("PPLS", Financement::Pls),
    ("PLA CFF", Financement::Pls),
    ("PCL", Financement::Pls),
    ("ILM", Financement::Pls),
    ("ILN", Financement::Pls),
    ("PLI", Financement::Pli),
    ("LLI", Financement::Pli),
    ("Intermédiaire", Financement::Pli),
    ("Logement intermédiaire", Financement::Pli),
    ("Loyer intermédiaire", Financement::Pli),
    ("Libre", Financement::Pli),
    ("Loyer libre", Financement::Pli),
    ("Logement libre", Financement::Pli),
    ("Autre", Financement::Autre),
    ("Autres", Financement::Autre),
];

/// Reports progress of long work; the CLI draws a bar, the window a progress widget.
pub trait Progress {
    fn update(&self, fraction: f32, message: &str);

    /// The user asked to stop (the window's « Annuler »): long work checks it between steps.
    fn annule(&self) -> bool {
        false
    }
}

/// No progress display.
pub struct Silent;

impl Progress for Silent {
    fn update(&self, _: f32, _: &str) {}
}

/// A bailleur that an import would leave with less than half of what the dossier holds now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Perte {
    pub bailleur: String,
    /// Dwellings (or register lines) in the dossier now.
    pub avant: u64,
    /// What the files bring in their place.
    pub apres: u64,
}

/// What an import is refused for when it would shrink bailleurs (nothing written): each
/// bailleur with both counts. The window asks « Remplacer quand même » / « Annuler » and
/// imports again with the loss accepted; the command line says `--accepter-perte`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pertes {
    pub pertes: Vec<Perte>,
    /// Dwellings of an état des lieux, or lines of a register.
    pub registre: bool,
    /// How many files the import read (« ce fichier » / « ces fichiers »).
    pub fichiers: usize,
}

impl Pertes {
    /// Whether `apres` is less than half of `avant`.
    pub fn est_une_perte(avant: u64, apres: u64) -> bool {
        apres.saturating_mul(2) < avant
    }
}

/// An integer with a space between thousands (« 1 789 »), as interfaces.md writes the counts.
fn milliers(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

impl std::fmt::Display for Pertes {
    /// « Toits de la Brague : 1 789 logements dans le dossier, 0 dans ce fichier ; rien n'a été
    /// remplacé » (one line, every bailleur).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unite = if self.registre { "lignes de registre" } else { "logements" };
        let ou = if self.fichiers > 1 { "ces fichiers" } else { "ce fichier" };
        for (i, p) in self.pertes.iter().enumerate() {
            if i > 0 {
                f.write_str(" ; ")?;
            }
            write!(
                f,
                "{} : {} {unite} dans le dossier, {} dans {ou}",
                p.bailleur,
                milliers(p.avant),
                milliers(p.apres)
            )?;
        }
        f.write_str(" ; rien n'a été remplacé")
    }
}
