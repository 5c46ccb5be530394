//! The state the screens read: the open dossier's figures (all computed by the core),
//! the filters, the screen shown. Screens never run SQL themselves.

use super::erreur::Erreur;
use contingents::consolidate::{self, Cube, Filtre, LibelleInconnu, LogementSource};
use contingents::model::{ChampLibelle, Date, Financement, Reservataire, TypologieGrille};
use contingents::reference::Territoire;
use contingents::store::Dossier;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Everything shown about the open dossier, reloaded after each change.
pub struct DossierView {
    pub path: PathBuf,
    pub territoire: Territoire,
    pub date_reference: Date,
    /// Shared with the jobs that draw or export from it (no copy of a national cube).
    pub cube: Arc<Cube>,
    /// The imports of both kinds (états des lieux and registers), in their order.
    pub historique: Vec<contingents::store::Entree>,
    pub rejets: Vec<consolidate::RejetOut>,
    pub conflits: usize,
    pub echus: usize,
    /// The conflicts themselves (the core's, as `report` lists them); the extinct rights are
    /// read when asked ([`Ecrans::echus`]).
    pub liste_conflits: Vec<contingents::store::ConflitOut>,
    pub libelles: Vec<LibelleInconnu>,
    /// File columns whose end-of-convention dates have two-digit years: their rows wait for
    /// the user to say 19xx or 20xx.
    pub dates_ambigues: Vec<contingents::import::changements::ColonneAmbigue>,
    pub financements: Vec<(String, String)>,
    /// Choices of the filter panel, computed once per load (the cube can hold millions of cells).
    pub options: FilterOptions,
    /// The demonstration dossier (fictitious data): said on every screen.
    pub demonstration: bool,
    /// Every bailleur the dossier names (also without an état des lieux in force): the ones
    /// that can be renamed.
    pub bailleurs_du_dossier: Vec<String>,
    /// The changes of the dossier that are no import (a bailleur renamed).
    pub journal: Vec<contingents::store::Evenement>,
}

/// (value, name shown) lists for the filter panel.
#[derive(Default)]
pub struct FilterOptions {
    pub epcis: Vec<(String, String)>,
    pub communes: Vec<(String, String, String)>,
    pub bailleurs: Vec<(String, String)>,
    pub reservataires: Vec<(Reservataire, String)>,
}

impl FilterOptions {
    fn of(cube: &Cube) -> Self {
        use contingents::consolidate::{libelle_reservataire, nom_commune, nom_epci};
        use contingents::text::key;
        let mut communes: Vec<(String, String, String)> =
            cube.communes_et_epcis().into_iter().map(|(c, e)| (c.to_string(), nom_commune(c), e.to_string())).collect();
        // French alphabetical order everywhere a list of names is shown (« État » with the E's):
        // `text::ordre_francais`, each name's key made once (a national dossier lists 35 000
        // communes and as many réservataires).
        let ordre = |x: &(String, String)| (key(&x.1), x.1.clone());
        communes.sort_by_cached_key(|c| (key(&c.1), c.1.clone()));
        let mut reservataires: Vec<(Reservataire, String)> = cube
            .reservataires()
            .into_iter()
            .map(|r| {
                let nom = libelle_reservataire(&r);
                (Reservataire::new(r), nom)
            })
            .collect();
        reservataires.sort_by_cached_key(|x| (key(&x.1), x.1.clone()));
        let mut epcis: Vec<(String, String)> = cube.epcis().into_iter().map(|e| (e.clone(), nom_epci(&e))).collect();
        epcis.sort_by_cached_key(ordre);
        let mut bailleurs: Vec<(String, String)> = cube.bailleurs().into_iter().map(|b| (b.clone(), b)).collect();
        bailleurs.sort_by_cached_key(ordre);
        FilterOptions { epcis, communes, bailleurs, reservataires }
    }
}

/// What the consolidation screen shows, recomputed only when the selection changes.
pub struct ConsolidationMemo {
    pub key: (Filtre, Option<Reservataire>, usize),
    pub chiffres: contingents::consolidate::ChiffresCles,
    pub grille: contingents::consolidate::Grille,
    pub by_res: Vec<(String, u64)>,
}

impl DossierView {
    /// Loads what the screens show, saying each step and how far it has gone (the cube is read
    /// from the cells kept in the dossier; computed from the dwellings, with its percentage,
    /// only when they no longer match it); stops between steps, or during that computation,
    /// when asked ([`Erreur::OuvertureAnnulee`]).
    pub fn load(path: &Path, p: &dyn contingents::import::run::Progress) -> Result<Self, Erreur> {
        let arret = || if p.annule() { Err(Erreur::OuvertureAnnulee) } else { Ok(()) };
        p.update(
            0.02,
            if contingents::store::a_verifier(path) {
                "Vérification de l'intégrité du dossier (une fois après chaque changement fait hors de Contingents)"
            } else {
                "Ouverture du dossier"
            },
        );
        let d = Dossier::open_read_only(path)?;
        arret()?;
        let garde = d.cube_a_jour()?;
        p.update(
            0.1,
            if garde {
                "Lecture du cube gardé dans le dossier"
            } else {
                "Calcul du cube depuis les logements : 0\u{a0}%"
            },
        );
        let cases = d
            .cases_du_cube_suivies(&mut |f| {
                p.update(
                    0.1 + 0.7 * f,
                    &format!("Calcul du cube depuis les logements : {}\u{a0}%", (f * 100.0) as u32),
                );
                !p.annule()
            })?
            .ok_or(Erreur::OuvertureAnnulee)?;
        let cube = Cube::of(Some(d.date_reference()), cases);
        arret()?;
        p.update(0.82, "Lignes mises de côté, conflits, historique, libellés à rapprocher");
        // The extinct rights are counted in the cube's cells: their list is not read.
        let (rejets, conflits) = (d.rejets_actifs()?, d.conflits_actifs()?);
        let echus = cube.echus() as usize;
        let historique = d.historique()?;
        let libelles = consolidate::libelles_inconnus(&d)?;
        let dates_ambigues = contingents::import::changements::dates_ambigues(&d)?;
        let financements = d.financement_labels()?;
        let bailleurs_du_dossier = d.bailleurs_du_dossier()?;
        let journal = d.journal()?;
        arret()?;
        p.update(0.95, "Listes des filtres");
        Ok(Self {
            path: path.to_path_buf(),
            territoire: d.territoire(),
            date_reference: d.date_reference(),
            historique,
            libelles,
            dates_ambigues,
            financements,
            options: FilterOptions::of(&cube),
            cube: Arc::new(cube),
            rejets,
            conflits: conflits.len(),
            echus,
            liste_conflits: conflits,
            demonstration: contingents::demo::est_la_demonstration(&d)
                || path == crate::ui::settings::data_dir().join("demo.sqlite"),
            bailleurs_du_dossier,
            journal,
        })
    }

    pub fn title(&self) -> String {
        format!("Contingents — {} — {}", self.nom(), self.territoire.label())
    }

    /// The dossier's name as the user gave it (its file name without extension).
    pub fn nom(&self) -> String {
        self.path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default()
    }

    /// The dossier's bailleurs, in French alphabetical order.
    pub fn bailleurs(&self) -> Vec<String> {
        self.options.bailleurs.iter().map(|(b, _)| b.clone()).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Screen {
    #[default]
    Consolidation,
    Tableau,
    Import,
    Libelles,
    Rapprochement,
    Flux,
    Bilans,
    Historique,
}

impl Screen {
    /// The screens, in the order of the side panel.
    pub const ALL: [Screen; 8] = [
        Screen::Consolidation,
        Screen::Tableau,
        Screen::Import,
        Screen::Libelles,
        Screen::Rapprochement,
        Screen::Flux,
        Screen::Bilans,
        Screen::Historique,
    ];

    /// Its name on the command line (`contingents gui --ecran flux`).
    pub fn nom(self) -> &'static str {
        match self {
            Screen::Consolidation => "consolidation",
            Screen::Tableau => "tableau",
            Screen::Import => "import",
            Screen::Libelles => "libelles",
            Screen::Rapprochement => "rapprochement",
            Screen::Flux => "flux",
            Screen::Bilans => "bilans",
            Screen::Historique => "historique",
        }
    }

    /// Its name in the side panel.
    pub fn libelle(self) -> &'static str {
        match self {
            Screen::Consolidation => "Consolidation",
            Screen::Tableau => "Tableau de bord",
            Screen::Import => "Import",
            Screen::Libelles => "Libellés à rapprocher",
            Screen::Rapprochement => "Rapprochement",
            Screen::Flux => "Flux annuel",
            Screen::Bilans => "Bilans",
            Screen::Historique => "Historique",
        }
    }

    /// Shown in workshop mode (F11): the figures, not the dossier's upkeep.
    pub fn en_atelier(self) -> bool {
        match self {
            Screen::Consolidation | Screen::Tableau | Screen::Flux | Screen::Bilans => true,
            Screen::Import | Screen::Libelles | Screen::Rapprochement | Screen::Historique => false,
        }
    }

    /// Writes into the dossier (hidden when it is open read-only).
    pub fn ecrit(self) -> bool {
        match self {
            Screen::Import | Screen::Libelles => true,
            Screen::Consolidation
            | Screen::Tableau
            | Screen::Rapprochement
            | Screen::Flux
            | Screen::Bilans
            | Screen::Historique => false,
        }
    }

    /// The screen named `nom` on the command line.
    pub fn de_nom(nom: &str) -> Option<Screen> {
        Screen::ALL.into_iter().find(|s| s.nom() == nom)
    }
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

/// The values of the declaration form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValeursDeclaration {
    pub bailleur: String,
    pub reference: String,
    pub liberation: String,
    pub preavis: u8,
    /// A réservataire's id, or `hors-flux:<catégorie>`.
    pub destinataire: String,
    pub mise_a_disposition: String,
    pub public: Option<contingents::model::Public>,
    pub quartile: Option<contingents::model::Quartile>,
}

/// The labels screen's pending choices.
#[derive(Default)]
pub struct LibellesState {
    /// (champ, libellé, valeur) chosen, waiting for confirmation.
    pub proposition: Option<(ChampLibelle, String, String)>,
    /// The last mapping applied, with what it replaced, and the value's name.
    pub annulable: Option<(contingents::store::AvantAssociation, String)>,
    /// Labels set aside for this session.
    pub ignores: std::collections::BTreeSet<(ChampLibelle, String)>,
    /// The search typed for each unknown label, by (champ, libellé).
    pub recherche: std::collections::HashMap<(ChampLibelle, String), String>,
}

/// The chart chosen on the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ChoixGraphique {
    pub kind: contingents::charts::Kind,
    pub stock: contingents::charts::Stock,
    /// The other charts and the key figures limited to the réservataire chosen.
    pub par_reservataire: bool,
}

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

/// The dwellings behind a clicked grid cell.
pub struct Drill {
    pub titre: String,
    pub logements: Vec<LogementSource>,
    /// What was asked, to ask again when the filters change.
    pub demande: Action,
    /// Newly listed: the screen brings the list into view once (it may be far below).
    pub a_montrer: bool,
}

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

/// The import wizard: files read and planned (états des lieux and registers), then their
/// summary.
pub struct Wizard {
    pub files: Vec<contingents::import::run::PreparedFile>,
    /// Registers of mises à disposition found among the files.
    pub registres: Vec<RegistreLu>,
    /// Files that could not be read, with why: the others go on.
    pub refuses: Vec<Erreur>,
    pub summaries: Option<Vec<contingents::import::run::FileSummary>>,
    /// The registers imported, with the rows they set aside.
    pub registres_importes: Option<Vec<RegistreImporte>>,
    /// The reading or the import stopped (cancelled, refused): nothing written.
    pub error: Option<Erreur>,
    /// The import would leave bailleurs with less than half of what they have: refused,
    /// nothing written, the question asked (« Remplacer quand même » / « Annuler »).
    pub perte: Option<Box<Reprise>>,
}

/// An import refused for a loss, to do again if the user accepts it.
pub struct Reprise {
    /// Each bailleur with both counts.
    pub pertes: contingents::model::Pertes,
    /// The états des lieux to read again as the user planned them (none when they are in and
    /// only registers wait).
    pub etats: Vec<EtatARelire>,
    /// The registers to import, with their bailleur.
    pub registres: Vec<(PathBuf, String)>,
}

/// An état des lieux as the user planned it in the wizard: read again to import it.
pub struct EtatARelire {
    pub path: PathBuf,
    pub plans: Vec<contingents::import::SheetPlan>,
    pub bailleur: String,
}

impl Wizard {
    pub fn new(
        files: Vec<contingents::import::run::PreparedFile>,
        registres: Vec<RegistreLu>,
        refuses: Vec<Erreur>,
    ) -> Self {
        Wizard { files, registres, refuses, summaries: None, registres_importes: None, error: None, perte: None }
    }

    pub fn erreur(e: Erreur) -> Self {
        Wizard { error: Some(e), ..Wizard::new(vec![], vec![], vec![]) }
    }

    /// The import is done: its summary is shown.
    pub fn fini(&self) -> bool {
        self.summaries.is_some() || self.registres_importes.is_some()
    }
}

/// A register of mises à disposition read for the wizard: its sheets with the header found
/// (which column holds which field) and the first rows, and the bailleur chosen among the
/// dossier's — never a name made up from the file's.
pub struct RegistreLu {
    pub path: PathBuf,
    pub fichier: String,
    pub feuilles: Vec<FeuilleRegistre>,
    /// Chosen by the user among the dossier's bailleurs (or read in the file's « Bailleur »
    /// column when it names one of them).
    pub bailleur: Option<String>,
    /// The bailleurs the file's « Bailleur » column names.
    pub bailleurs_du_fichier: Vec<String>,
}

pub struct FeuilleRegistre {
    pub nom: Option<String>,
    /// The header's row (1 for the first row of the sheet).
    pub ligne_entete: usize,
    /// (field, column) as found, in the order of the columns.
    pub colonnes: Vec<(contingents::suivi::registre::Champ, usize)>,
    /// The header's labels and the first rows, as the file writes them (dates and numbers
    /// the French way).
    pub entete: Vec<String>,
    pub apercu: Vec<Vec<String>>,
    pub lignes: usize,
}

/// A register imported: what the core counted and the rows it set aside (motif, row).
pub struct RegistreImporte {
    pub resume: contingents::suivi::RegistreImporte,
    pub rejets: Vec<contingents::suivi::RejetRegistre>,
}

/// The new dossier's wizard: its file (chosen in the file dialog), the territory searched
/// by name or code, the reference date typed the French way.
pub struct Creation {
    pub path: PathBuf,
    pub recherche: String,
    pub territoire: Option<Territoire>,
    pub date: String,
    /// Why that date was proposed (said under the field).
    pub pourquoi: String,
    /// The files named on the command line (`gui DOSSIER --importer`) that wait for this
    /// dossier: opened in the import wizard once it is created.
    pub en_attente: Vec<String>,
}

/// The reference date proposed for a new dossier on `aujourdhui`, and why: 1 January of this
/// year, or of next year from October on (the états des lieux then prepared are those of the
/// coming year's flux) — never a date almost a year old.
pub fn date_de_reference_proposee(aujourdhui: Date) -> (Date, String) {
    const MOIS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let mois = MOIS.get(aujourdhui.month as usize - 1).copied().unwrap_or("");
    if aujourdhui.month >= 10 {
        let annee = aujourdhui.year + 1;
        let d = Date::new(annee, 1, 1).unwrap_or(aujourdhui);
        (
            d,
            format!(
                "Proposée : le 1er janvier {annee}, début de l'année du prochain flux (nous sommes en {mois} {}). Prenez la date des états des lieux que les bailleurs vous ont envoyés.",
                aujourdhui.year
            ),
        )
    } else {
        let d = Date::new(aujourdhui.year, 1, 1).unwrap_or(aujourdhui);
        (
            d,
            format!(
                "Proposée : le 1er janvier {}, début de l'année en cours. Prenez la date des états des lieux que les bailleurs vous ont envoyés.",
                aujourdhui.year
            ),
        )
    }
}

/// The dossier's properties being changed: the territory and date typed, and what the
/// change would do, computed by the core before it is applied.
pub struct Proprietes {
    pub recherche: String,
    pub territoire: Territoire,
    pub date: String,
    /// The effect of the change asked (for this territory and date), once computed.
    pub effet: Option<(Territoire, Date, Result<EffetChangement, Erreur>)>,
    /// The change whose effect was asked (asked once, not at each frame).
    pub demande: Option<(Territoire, Date)>,
}

/// What a change of the dossier's territory or reference date does, as the core counts it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EffetChangement {
    /// Dwellings of the dossier outside the new territory (set aside).
    pub sortent: u64,
    /// Rows set aside as outside the old territory that the new one takes in.
    pub entrent: u64,
    /// Extinct rights at the current date, and at the new one.
    pub echus_avant: u64,
    pub echus_apres: u64,
    /// The reference date changes (else the extinct rights change only with the dwellings
    /// that leave or come in).
    pub date: bool,
}

impl EffetChangement {
    /// The effect in words: « 17 logements sortent du territoire », « 174 droits ne sont plus
    /// échus ».
    pub fn phrases(&self) -> Vec<String> {
        use contingents::format::pluriel;
        let mut v = Vec::new();
        if self.sortent > 0 {
            v.push(format!(
                "{} du territoire (mis de côté : commune hors territoire)",
                pluriel(self.sortent, "logement sort", "logements sortent")
            ));
        }
        if self.entrent > 0 {
            v.push(format!(
                "{} dans le territoire (réintégrées au stock)",
                pluriel(self.entrent, "ligne mise de côté entre", "lignes mises de côté entrent")
            ));
        }
        if !self.date && self.echus_apres != self.echus_avant {
            v.push(format!(
                "droits échus : {} au lieu de {}",
                contingents::format::entier(self.echus_apres),
                contingents::format::entier(self.echus_avant)
            ));
        } else if self.echus_apres < self.echus_avant {
            v.push(format!(
                "{} plus échu{} ({} au lieu de {})",
                pluriel(self.echus_avant - self.echus_apres, "droit n'est", "droits ne sont"),
                if self.echus_avant - self.echus_apres > 1 { "s" } else { "" },
                contingents::format::entier(self.echus_apres),
                contingents::format::entier(self.echus_avant)
            ));
        } else if self.echus_apres > self.echus_avant {
            v.push(format!(
                "{} échu{} ({} au lieu de {})",
                pluriel(self.echus_apres - self.echus_avant, "droit devient", "droits deviennent"),
                if self.echus_apres - self.echus_avant > 1 { "s" } else { "" },
                contingents::format::entier(self.echus_apres),
                contingents::format::entier(self.echus_avant)
            ));
        }
        if v.is_empty() {
            v.push("aucun logement ni droit ne change".into());
        } else if self.echus_apres != self.echus_avant || self.sortent > 0 || self.entrent > 0 {
            // The flux is computed on the rights in force: what was saved or signed may differ.
            v.push(
                "les flux enregistrés et les annexes suivent le nouveau stock : leurs chiffres peuvent changer (refaites les annexes déjà éditées)"
                    .into(),
            );
        }
        v
    }
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

/// Everything each screen keeps while the window runs (never saved).
#[derive(Default)]
pub struct Ecrans {
    pub wizard: Option<Wizard>,
    /// The bailleur whose new name is being typed (« Renommer… » in the history).
    pub renommage: Option<String>,
    pub drill: Option<Drill>,
    pub flux: Option<FluxView>,
    pub bilan: Option<BilanView>,
    pub libelles: LibellesState,
    pub memo: Option<ConsolidationMemo>,
    pub graphique: Option<ChartCache>,
    pub rapprochement: Option<Result<contingents::rapprochement::Rapprochement, Erreur>>,
    /// The import whose withdrawal waits for confirmation.
    pub retrait_demande: Option<i64>,
    /// Imports withdrawn in this session, last last (undone by Ctrl+Z).
    pub retires: Vec<i64>,
    pub creation: Option<Creation>,
    pub proprietes: Option<Proprietes>,
    pub annexe: Option<AnnexeDialogue>,
    /// The window was asked to close while a job ran: the question is on screen.
    pub fermeture: bool,
    /// The user chose to cancel the work and close: the window closes when it ends.
    pub fermer_apres: bool,
    /// Flux parameters typed, not saved: the question asked before what would use or drop them.
    pub question_flux: Option<ApresFlux>,
    /// What to do once the flux parameters are saved (the user said « enregistrer, puis … »).
    pub apres_enregistrement: Option<Action>,
    /// The user answered about the unsaved flux parameters: the next action is not asked again.
    pub flux_accorde: bool,
    /// A fiche navette asked for a dwelling outside the assiette: the question on screen.
    pub navette_exclue: Option<Action>,
    /// The extinct rights listed (read when the user asks for them), for the figures' generation.
    pub echus: Option<(usize, Vec<contingents::store::EchuOut>)>,
}

/// What the status bar says.
#[derive(Default)]
pub struct Messages {
    pub status: String,
    /// The file the status is about: shown whole, or by its name alone in workshop mode
    /// (no paths in front of a room).
    pub chemin: Option<PathBuf>,
    pub error: Option<Erreur>,
}

impl Messages {
    pub fn dire(&mut self, s: impl Into<String>) {
        self.status = s.into();
        self.chemin = None;
    }

    /// « Annexe écrite : » and the file.
    pub fn dire_avec(&mut self, s: impl Into<String>, chemin: &Path) {
        self.status = s.into();
        self.chemin = Some(chemin.to_path_buf());
    }

    pub fn erreur(&mut self, e: Erreur) {
        self.error = Some(e);
    }

    /// The status as shown: the path whole, or only the file's name (workshop mode).
    pub fn texte(&self, atelier: bool) -> String {
        match &self.chemin {
            None => self.status.clone(),
            Some(p) => {
                let shown = if atelier {
                    p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()
                } else {
                    p.display().to_string()
                };
                let sep = if self.status.ends_with(' ') { "" } else { " — " };
                format!("{}{sep}{shown}", self.status)
            }
        }
    }
}

/// The figures of the charts shown, and what they were computed for.
pub struct ChartCache {
    pub key: String,
    /// One chart, or the four of the synthesis.
    pub data: Vec<contingents::charts::ChartData>,
    pub chiffres: contingents::consolidate::ChiffresCles,
    /// What the charts show, under their titles.
    pub sous_titre: String,
}
