//! The state of the flux and bilans screens: the flux parameters typed, what waits for the
//! user's word about them, the annex's dialog, the bilan chosen and its declaration form.

use super::action::{Action, DemandeAnnexe, OrigineOrientation};
use crate::ui::erreur::Erreur;
use contingents::model::Reservataire;

/// The flux screen's selection, parameters (edited live) and dwellings.
pub struct FluxView {
    pub bailleur: String,
    pub epci: String,
    pub annee: i32,
    pub params: contingents::flux::FluxParametres,
    /// The parameters as saved (or proposed from N−1): unsaved changes are compared to them.
    pub saved: contingents::flux::FluxParametres,
    /// Another selection asked while changes were not saved: waiting for the user's word.
    pub pending: Option<(String, String, i32)>,
    pub groupes: Vec<contingents::flux::Groupe>,
    pub comparaison: Vec<contingents::flux::Flux>,
    /// The bailleur's address and correspondent (for its fiche), as typed and as saved.
    pub coordonnees: contingents::store::bailleurs::Coordonnees,
    pub coordonnees_enregistrees: contingents::store::bailleurs::Coordonnees,
}

impl FluxView {
    /// Parameters or the bailleur's address typed and not saved.
    pub fn modifie(&self) -> bool {
        self.params != self.saved || self.coordonnees != self.coordonnees_enregistrees
    }

    /// The parameters shown are those of an earlier year, proposed « à confirmer »: saving
    /// them as they are confirms them for this year (the annex is no longer a « PROJET »).
    pub fn a_confirmer(&self) -> bool {
        self.params.annee_source.is_some_and(|a| a < self.annee)
    }
}

/// What waits for the user's word about flux parameters typed and not saved: never saved
/// nor dropped without it.
#[derive(Debug, Clone, PartialEq)]
pub enum ApresFlux {
    /// An export (annex, fiche, forecast, bilan): it reads the parameters saved.
    Exporter(Box<Action>),
    /// The window's closing.
    Fermer,
    /// An action that would drop them (another dossier opened, properties changed).
    Continuer(Box<Action>),
}

/// The annex's dialog, filled from the flux screen (or the filters) and edited by the user.
pub struct AnnexeDialogue {
    pub reservataire: Option<Reservataire>,
    pub bailleur: Option<String>,
    pub epci: Option<String>,
    pub annee: String,
    /// The annex asked and why it is refused (its flux never saved), shown in the dialog while
    /// the same bailleur, EPCI and year are chosen.
    pub refus: Option<(DemandeAnnexe, String)>,
}

/// The bilans screen: the period chosen, the bilan computed by the core, the orientation asked.
pub struct BilanView {
    pub annee: i32,
    /// None: the whole year; Some(1|2): a semester.
    pub semestre: Option<u8>,
    pub bailleur: Option<String>,
    /// The réservataire the bilan is restricted to (the one it is sent to), if any.
    pub reservataire: Option<Reservataire>,
    /// Every réservataire of the bilan before that restriction (to choose one).
    pub reservataires: Vec<Reservataire>,
    pub bilan: Result<contingents::suivi::bilan::Bilan, Erreur>,
    /// The orientation asked, and where (its answer is shown in that section).
    pub orientation: Option<(OrigineOrientation, Result<contingents::suivi::orientation::Orientation, Erreur>)>,
    /// The last declaration's outcome, shown under its form.
    pub declaration: Option<Result<String, Erreur>>,
    /// The last event noted on a mise à disposition typed here, shown in that section.
    pub suivi: Option<Result<String, Erreur>>,
    /// The mises à disposition typed in the window.
    pub saisies: Vec<contingents::suivi::MiseADisposition>,
    /// The objectives of the dossier's CIA (editable on the screen).
    pub cia: contingents::model::ReglagesCia,
    /// The form « Déclarer une mise à disposition » and what was just deleted (kept when the
    /// bilan is computed again).
    pub formulaire: FormulaireSaisie,
    /// The dwellings that can be chosen in the forms (by reference, from what is typed): those
    /// of the bilan's bailleur, or of every bailleur of a dossier that is not too large.
    pub logements: Vec<LogementAChoisir>,
}

/// A dwelling offered in the forms of the bilans: chosen instead of typing its reference.
#[derive(Debug, Clone, PartialEq)]
pub struct LogementAChoisir {
    pub bailleur: String,
    pub reference: String,
    /// « A12 — Antibes — T3 — PLUS — QPV ».
    pub texte: String,
}

impl LogementAChoisir {
    /// A bailleur's dwellings whose reference contains `saisie` (case aside), the references
    /// that start with it first, at most `n`.
    pub fn chercher<'a>(
        liste: &'a [LogementAChoisir],
        bailleur: &str,
        saisie: &str,
        n: usize,
    ) -> Vec<&'a LogementAChoisir> {
        let s = saisie.trim().to_lowercase();
        let mut v: Vec<&LogementAChoisir> = liste
            .iter()
            .filter(|l| l.bailleur == bailleur && (s.is_empty() || l.reference.to_lowercase().contains(&s)))
            .collect();
        v.sort_by_key(|l| !l.reference.to_lowercase().starts_with(&s));
        v.truncate(n);
        v
    }
}

/// The declaration form: its fields live in the UI memory under ids that end with
/// `generation`, so a new generation is a new form (empty, or filled with `initial`).
#[derive(Debug, Clone, Default)]
pub struct FormulaireSaisie {
    pub generation: u64,
    /// What a new form shows (a correction starts from the declaration it corrects).
    pub initial: Option<ValeursDeclaration>,
    /// The typed mise à disposition being corrected, if any.
    pub correction: Option<i64>,
    /// The last one deleted, to put it back (« Rétablir »).
    pub supprimee: Option<contingents::suivi::MiseADisposition>,
}

impl FormulaireSaisie {
    /// A new, empty form (after a declaration or a correction is saved, or abandoned).
    pub fn vider(&mut self) {
        self.generation += 1;
        self.initial = None;
        self.correction = None;
    }
}

/// To whom a dwelling is offered in the declaration form: a réservataire, or a category
/// outside the flux.
#[derive(Debug, Clone, PartialEq)]
pub enum Destinataire {
    Reservataire(Reservataire),
    HorsFlux(contingents::suivi::HorsFlux),
}

/// The values of the declaration form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValeursDeclaration {
    pub bailleur: String,
    pub reference: String,
    pub liberation: String,
    pub preavis: u8,
    /// To whom the dwelling is offered; `None` while nothing is chosen.
    pub destinataire: Option<Destinataire>,
    pub mise_a_disposition: String,
    pub public: Option<contingents::model::Public>,
    pub quartile: Option<contingents::model::Quartile>,
}
