//! What the screens ask: `Action`, and its `Effet` on the dossier (read, write or none), said
//! by an exhaustive `match`: an action that writes is refused on a read-only dossier.

use super::flux_bilans::ValeursDeclaration;
use super::{ChoixGraphique, Screen};
use contingents::consolidate::Filtre;
use contingents::model::{ChampLibelle, Date, Financement, Reservataire, TypologieGrille};
use contingents::reference::Territoire;
use std::path::PathBuf;

/// What an action does to the open dossier. Every action says it through one exhaustive
/// `match` ([`Action::effet`], no `_ =>`): a new action does not compile until it says
/// whether it writes, so none can slip through to a dossier opened read-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effet {
    /// The window only (a screen, a filter, a dialog shown): applied at once.
    Fenetre,
    /// A job that reads (the dossier, files) or writes elsewhere (a document, a new
    /// dossier): allowed read-only; waits while another job runs.
    Lecture,
    /// A job that writes into the open dossier, or reads what will be written into it:
    /// refused read-only; waits while another job runs.
    Ecriture,
    /// No job yet, but the first step of a write (a file dialog for an import, a withdrawal
    /// to confirm): refused read-only, applied at once.
    VersEcriture,
}

impl Effet {
    /// Runs as a job: waits for the one running (one job at a time, none dropped).
    pub fn travail(self) -> bool {
        matches!(self, Effet::Lecture | Effet::Ecriture)
    }

    /// Writes into the open dossier (now or at the end of what it starts).
    pub fn ecrit(self) -> bool {
        matches!(self, Effet::Ecriture | Effet::VersEcriture)
    }
}

impl Action {
    pub fn effet(&self) -> Effet {
        use Effet::*;
        match self {
            Action::Show(_)
            | Action::SetFilters(_)
            | Action::SetReservataire(_)
            | Action::SetGraphique(_)
            | Action::OpenDossierDialog
            | Action::NewDossierDialog
            | Action::FermerCreation
            | Action::ProprietesDialog
            | Action::FermerProprietes
            | Action::Cancel
            | Action::CloseWizard
            | Action::CancelLabel
            | Action::IgnoreLabel { .. }
            | Action::DrillMontre
            | Action::FermerDrill
            | Action::ToggleWorkshop
            | Action::ToggleFiltres
            | Action::RapprochementDialog
            | Action::ExportBilan(_)
            | Action::FicheNavetteMiseADisposition(_)
            | Action::ExportFicheAssiette
            | Action::ExportPrevision
            | Action::ExportChart(_)
            | Action::ExportEtatDesLieux
            | Action::AnnexeDialog
            | Action::FermerAnnexe
            | Action::ExportAnnexe(_)
            | Action::AnnexeVerifiee(_)
            | Action::FicheNavette { .. }
            | Action::FicheNavetteVierge
            | Action::NavetteExclue(_)
            | Action::FilterOn(..)
            | Action::HorsAtelier(_)
            | Action::RienAAnnuler
            | Action::CorrigerMiseADisposition(_)
            | Action::AnnulerCorrection
            | Action::Fermer(_)
            | Action::ReponseFlux(None) => Fenetre,
            Action::RenommerDialog(_) => VersEcriture,
            Action::OublierRefus => Fenetre,
            Action::Recharger(_)
            | Action::OpenDossier(_)
            | Action::CreerDossier { .. }
            | Action::EffetProprietes { .. }
            | Action::BilanInitial
            | Action::FluxInitial
            | Action::Drill { .. }
            | Action::FluxSelect { .. }
            | Action::FluxLeave(false)
            | Action::BilanSelect { .. }
            | Action::Orienter { .. }
            | Action::Rapprocher(_)
            | Action::ListerEchus
            | Action::ReponseFlux(Some(false)) => Lecture,
            Action::Prepare(_)
            | Action::StartImport
            | Action::ReprendreImport
            | Action::Restore(_)
            | Action::ConfirmRemove
            | Action::UndoRemove
            | Action::MapLabel { .. }
            | Action::UndoLabel
            | Action::TrancherSiecle { .. }
            | Action::SetFinancement { .. }
            | Action::AppliquerProprietes { .. }
            | Action::DeclarerMiseADisposition { .. }
            | Action::SupprimerMiseADisposition(_)
            | Action::RetablirMiseADisposition
            | Action::NoterEvenement { .. }
            | Action::NoterMenage { .. }
            | Action::EnregistrerCia { .. }
            | Action::FluxSave
            | Action::ReponseFlux(Some(true))
            | Action::FluxLeave(true)
            | Action::RenommerBailleur { .. } => Ecriture,
            Action::ImportDialog | Action::AskRemove(_) | Action::ProposeLabel { .. } => VersEcriture,
            Action::Choisi(suite, _) => suite.effet(),
        }
    }
}

/// What the screens ask for; `App::apply` (actions.rs) is the one place where state changes.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Show(Screen),
    /// The filter panel changed (all its choices at once).
    SetFilters(Filtre),
    SetReservataire(Option<Reservataire>),
    SetGraphique(ChoixGraphique),
    /// The open dossier's figures read again (after a change).
    Recharger(PathBuf),
    /// The bilans screen opened: the latest year followed in the dossier.
    BilanInitial,
    /// The flux screen opened: the selection remembered for this dossier (or the filters').
    FluxInitial,
    OpenDossierDialog,
    /// « Nouveau dossier… »: the file's name and place first, then the territory and date.
    NewDossierDialog,
    FermerCreation,
    /// The new dossier's file, territory and reference date, as the wizard checked them.
    CreerDossier {
        path: PathBuf,
        territoire: Territoire,
        date: Date,
    },
    /// « Propriétés du dossier… »: its territory and reference date, to change them.
    ProprietesDialog,
    FermerProprietes,
    /// What a change of territory or date would do (said before it is applied).
    EffetProprietes {
        territoire: Territoire,
        date: Date,
    },
    AppliquerProprietes {
        territoire: Territoire,
        date: Date,
    },
    OpenDossier(PathBuf),
    ImportDialog,
    /// Files chosen or dropped: états des lieux and registers, read for the wizard.
    Prepare(Vec<PathBuf>),
    StartImport,
    /// « Remplacer quand même »: the import refused for a loss, done with the loss accepted.
    ReprendreImport,
    Cancel,
    CloseWizard,
    Restore(i64),
    AskRemove(i64),
    ConfirmRemove,
    UndoRemove,
    /// A value chosen for a label: shown for confirmation, not applied yet.
    ProposeLabel {
        champ: ChampLibelle,
        libelle: String,
        valeur: String,
    },
    CancelLabel,
    IgnoreLabel {
        champ: ChampLibelle,
        libelle: String,
    },
    MapLabel {
        champ: ChampLibelle,
        libelle: String,
        valeur: String,
    },
    UndoLabel,
    /// The century of a file column's two-digit years (« 31/12/45 »), said once.
    TrancherSiecle {
        cle: String,
        siecle: contingents::model::Siecle,
    },
    SetFinancement {
        libelle: String,
        valeur: Financement,
    },
    /// The dwellings behind a cell of the grid (of one réservataire, or of all).
    Drill {
        reservataire: Option<Reservataire>,
        financement: Option<Financement>,
        typologie: Option<TypologieGrille>,
    },
    /// The dwellings listed were brought into view.
    DrillMontre,
    /// The list of the dwellings of a cell closed (its button, or Échap).
    FermerDrill,
    ToggleWorkshop,
    /// Show or fold away the filter panel (F9).
    ToggleFiltres,
    RapprochementDialog,
    FluxSelect {
        bailleur: String,
        epci: String,
        annee: i32,
    },
    /// The CIA objectives typed on the bilans screen (percentages as typed; an empty field
    /// leaves its objective as it is). `reservataire`: one réservataire's rate of publics
    /// prioritaires (empty: back to the law's).
    EnregistrerCia {
        prioritaires: String,
        quartile1: String,
        qpv: String,
        reservataire: Option<(Reservataire, String)>,
    },
    BilanSelect {
        annee: i32,
        semestre: Option<u8>,
        bailleur: Option<String>,
        /// Only this réservataire's figures (the bilan sent to it).
        reservataire: Option<Reservataire>,
    },
    ExportBilan(&'static str),
    /// Ranks the réservataires for a freed dwelling; the answer is shown where it was asked.
    Orienter {
        logement: String,
        date: String,
        origine: OrigineOrientation,
    },
    /// Saves the declaration form: a new mise à disposition, or the correction of `correction`.
    DeclarerMiseADisposition {
        valeurs: ValeursDeclaration,
        correction: Option<i64>,
    },
    /// Opens the form on a typed mise à disposition, to correct it.
    CorrigerMiseADisposition(i64),
    /// Leaves the correction: an empty form again.
    AnnulerCorrection,
    /// Deletes a typed mise à disposition (asked for confirmation on the screen first).
    SupprimerMiseADisposition(i64),
    /// Puts back the one just deleted.
    RetablirMiseADisposition,
    NoterEvenement {
        id: i64,
        evenement: contingents::suivi::Evenement,
        date: String,
    },
    /// The household of a mise à disposition typed in the window (`None`: non renseigné).
    NoterMenage {
        id: i64,
        public: Option<contingents::model::Public>,
        quartile: Option<contingents::model::Quartile>,
    },
    FicheNavetteMiseADisposition(i64),
    /// Paths chosen in a file dialog, and what they are for.
    Choisi(crate::ui::picker::Suite, Vec<PathBuf>),
    FluxSave,
    /// Leave unsaved flux parameters: save them first (true) or drop them (false), then go
    /// to the selection that was asked.
    FluxLeave(bool),
    ExportFicheAssiette,
    /// The forecast of the year's soustraits of the flux screen's bailleur (R.441-5).
    ExportPrevision,
    ExportChart(&'static str),
    ExportEtatDesLieux,
    /// The annex's dialog: réservataire, bailleur, EPCI and year (those of the flux screen
    /// when it is open), then the format.
    AnnexeDialog,
    FermerAnnexe,
    ExportAnnexe(DemandeAnnexe),
    /// The annex checked (its flux saved): ask where to write it.
    AnnexeVerifiee(DemandeAnnexe),
    FicheNavette {
        bailleur: String,
        reference: String,
        reservataire: Option<Reservataire>,
        /// Why the dwelling is outside the assiette (PLI…), if it is and the user has not yet
        /// said to produce the fiche anyway.
        exclusion: Option<&'static str>,
    },
    /// The answer to « logement exclu de l'assiette : produire la fiche quand même ? ».
    NavetteExclue(bool),
    FicheNavetteVierge,
    FilterOn(contingents::charts::Kind, String),
    Rapprocher(PathBuf),
    /// Something asked in workshop mode that only the everyday mode does (said, not dropped).
    HorsAtelier(&'static str),
    /// Ctrl+Z with nothing to put back: said, not silent.
    RienAAnnuler,
    /// The answer to « Un import est en cours : l'annuler et fermer ? » (true: cancel the
    /// work and close; false: keep working).
    Fermer(bool),
    /// The answer about unsaved flux parameters: save them first (`Some(true)`), go on
    /// without saving them (`Some(false)`), or cancel (`None`: nothing done, nothing saved).
    ReponseFlux(Option<bool>),
    /// The extinct rights listed (the core's list, as `report` gives it).
    ListerEchus,
    /// The declaration form changed since its refusal: the refusal went stale (under the form
    /// and in the status bar), it goes.
    OublierRefus,
    /// « Renommer… »: the field of the bailleur's new name (`None`: closed).
    RenommerDialog(Option<String>),
    /// Renames a bailleur everywhere in the dossier.
    RenommerBailleur {
        ancien: String,
        nouveau: String,
    },
}

/// Where an orientation was asked: its answer is shown there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrigineOrientation {
    /// « Déclarer une mise à disposition »: ranking before choosing the réservataire.
    Declaration,
    /// « Orienter un logement libéré ».
    Aide,
}

/// An annex to export: for whom, on what, for which year, in which format.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandeAnnexe {
    pub reservataire: Reservataire,
    pub bailleur: Option<String>,
    /// The EPCI (the annex of a commune is on its commune).
    pub epci: String,
    pub annee: i32,
    pub format: &'static str,
}
