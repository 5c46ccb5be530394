//! The words of the follow-up as its functions give and take them: its errors, what a register
//! gave, the events and declarations typed in the window, a late answer. The records of the
//! follow-up themselves (a mise à disposition and its steps) are words of the domain (model).

use crate::model::{Date, Reservataire};
use crate::store::StoreError;
use serde::Serialize;
use std::collections::BTreeMap;

pub use crate::model::{DecisionCal, Etape, Etapes, Issue, MiseADisposition};

/// The categories of libérations outside the flux: the one list of soustraits of the flux
/// (`interfaces.md`: the bilan's `hors_flux` keys are the flux's soustraits categories).
pub use crate::model::Soustrait as HorsFlux;

#[derive(Debug, thiserror::Error)]
pub enum SuiviError {
    #[error("{fichier} : {raison}")]
    Fichier { fichier: String, raison: String },
    #[error(
        "{0} : aucune feuille n'a d'en-tête de registre reconnaissable (il faut au moins la référence du logement et la date de mise à disposition ou du bail) : ce fichier n'est pas un registre des mises à disposition"
    )]
    PasUnRegistre(String),
    #[error(
        "{0} : le registre ne dit pas de quel bailleur il est (ni colonne « Bailleur », ni nom de fichier parlant)"
    )]
    SansBailleur(String),
    #[error("{0}")]
    Donnees(String),
    /// The register's bailleur is not one of the dossier's: its état des lieux comes first.
    #[error("{}", bailleur_inconnu(.bailleur, .proches))]
    BailleurInconnu { bailleur: String, proches: Vec<String> },
    /// The registers would leave bailleurs with less than half of their lines: nothing written.
    #[error("{0}")]
    Perte(crate::model::Pertes),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn bailleur_inconnu(b: &str, proches: &[String]) -> String {
    let mut m = format!("bailleur inconnu du dossier : « {b} »");
    if proches.is_empty() {
        m.push_str(" ; importez d'abord son état des lieux");
    } else {
        let noms: Vec<String> = proches.iter().map(|p| format!("« {p} »")).collect();
        m.push_str(&format!(" (les plus proches : {}) ; rien n'a été importé", noms.join(", ")));
    }
    m
}

pub type Result<T> = std::result::Result<T, SuiviError>;

/// What one register gave.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RegistreImporte {
    pub import_id: i64,
    pub fichier: String,
    pub bailleur: String,
    pub lignes_lues: usize,
    pub mises_a_disposition: usize,
    pub hors_flux: usize,
    pub rejets: BTreeMap<String, usize>,
    pub signalements: usize,
    /// « Mairie » read as the commune of the row's dwelling, by label.
    pub presomptions: BTreeMap<String, usize>,
    /// The file was not read: it is identical (same SHA-256) to this register, already active
    /// or given earlier in the same call (« fichier identique, ignoré »).
    pub identique: Option<i64>,
    /// The rows (line, number of the typed one) that repeat a mise à disposition typed in the
    /// window: set aside (`deja_saisie`), the typed one kept and counted once.
    pub deja_saisies: Vec<(u32, i64)>,
    /// The rows (line, number of the typed one) that overlap a mise à disposition typed in the
    /// window: set aside (`conflit_saisie`), never counted beside it.
    pub conflits_saisies: Vec<(u32, i64)>,
    /// What the import says besides its counts, in words: the columns or sheets not read, the
    /// column a step was taken from when two could be, the rows read once for two…
    pub remarques: Vec<String>,
}

/// How registers are imported.
#[derive(Debug, Clone, Default)]
pub struct OptionsRegistre {
    /// The bailleur of every file (else the « Bailleur » column, else the file's name).
    pub bailleur: Option<String>,
    /// The step the bailleur's conventions count at.
    pub decompte: Option<Etape>,
    /// Accepts that a bailleur's register keeps less than half of its lines.
    pub accepter_perte: bool,
}

/// An event of the follow-up typed in the window, at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Evenement {
    /// The réservataire designated candidates.
    Candidats,
    /// The CALEOL attributed the dwelling to a candidate.
    Attribution,
    /// The CALEOL examined and did not attribute.
    NonAttribution,
    BailSigne,
    /// No candidate, or none kept: the bailleur takes the dwelling back.
    Reprise,
}

/// A mise à disposition still waiting for the réservataire's answer after its deadline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retard {
    pub bailleur: String,
    pub reference: String,
    pub reservataire: Reservataire,
    pub mise_a_disposition: Date,
    pub echeance: Date,
}

/// What is declared when a freed dwelling is made available (typed in the window).
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    pub bailleur: String,
    pub reference: String,
    /// The réservataire it is made available to; or, outside the flux, its category.
    pub reservataire: Option<Reservataire>,
    pub hors_flux: Option<HorsFlux>,
    pub liberation: Option<Date>,
    pub preavis: u8,
    pub mise_a_disposition: Date,
    /// The household of the lease, when known at the declaration (CIA objectives); else
    /// « non renseigné », counted apart (it can be noted later).
    pub menage: crate::model::Menage,
}

/// A declaration recorded: its number (to follow, correct or delete it) and the reply
/// deadline its convention sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enregistree {
    pub id: i64,
    pub echeance: Option<Date>,
}
