//! The state the screens read: the open dossier's figures (all computed by the core),
//! the filters, the screen shown. Screens never run SQL themselves.

use super::erreur::Erreur;
use contingents::consolidate::{self, Cube, Filtre, LibelleInconnu, LogementSource};
use contingents::model::{Date, Financement, IndividuelCollectif, TypologieGrille};
use contingents::reference::Territoire;
use contingents::store::{Dossier, ImportInfo};
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
    pub imports: Vec<ImportInfo>,
    pub rejets: Vec<consolidate::RejetOut>,
    pub conflits: usize,
    pub echus: usize,
    pub libelles: Vec<LibelleInconnu>,
    pub financements: Vec<(String, String)>,
    /// Choices of the filter panel, computed once per load (the cube can hold millions of cells).
    pub options: FilterOptions,
}

/// (value, name shown) lists for the filter panel.
#[derive(Default)]
pub struct FilterOptions {
    pub epcis: Vec<(String, String)>,
    pub communes: Vec<(String, String, String)>,
    pub bailleurs: Vec<(String, String)>,
    pub reservataires: Vec<(String, String)>,
}

impl FilterOptions {
    fn of(cube: &Cube) -> Self {
        use contingents::consolidate::{libelle_reservataire, nom_commune, nom_epci};
        let mut communes: std::collections::BTreeMap<(&str, &str), ()> = Default::default();
        for c in &cube.cells {
            communes.insert((c.commune.as_str(), c.epci.as_str()), ());
        }
        let mut communes: Vec<(String, String, String)> =
            communes.into_keys().map(|(c, e)| (c.to_string(), nom_commune(c), e.to_string())).collect();
        communes.sort_by(|a, b| a.1.cmp(&b.1));
        let mut reservataires: Vec<(String, String)> =
            cube.reservataires().into_iter().map(|r| (libelle_reservataire(&r), r)).map(|(n, r)| (r, n)).collect();
        reservataires.sort_by(|a, b| a.1.cmp(&b.1));
        FilterOptions {
            epcis: cube.epcis().into_iter().map(|e| (e.clone(), nom_epci(&e))).collect(),
            communes,
            bailleurs: cube.bailleurs().into_iter().map(|b| (b.clone(), b)).collect(),
            reservataires,
        }
    }
}

/// What the consolidation screen shows, recomputed only when the selection changes.
pub struct ConsolidationMemo {
    pub key: (Filters, Option<String>, usize),
    pub chiffres: contingents::consolidate::ChiffresCles,
    pub grille: contingents::consolidate::Grille,
    pub by_res: Vec<(String, u64)>,
}

impl DossierView {
    pub fn load(path: &Path) -> Result<Self, Erreur> {
        let d = Dossier::open_read_only(path)?;
        let cube = Cube::load(&d)?;
        let (rejets, conflits, echus) = consolidate::anomalies(&d)?;
        Ok(Self {
            path: path.to_path_buf(),
            territoire: d.territoire(),
            date_reference: d.date_reference(),
            imports: d.imports()?,
            libelles: consolidate::libelles_inconnus(&d)?,
            financements: d.financement_labels()?,
            options: FilterOptions::of(&cube),
            cube: Arc::new(cube),
            rejets,
            conflits: conflits.len(),
            echus: echus.len(),
        })
    }

    pub fn title(&self) -> String {
        let name = self.path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        format!("Contingents — {name} — {}", self.territoire.label())
    }
}

/// The filter panel's choices.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filters {
    pub epci: Option<String>,
    pub commune: Option<String>,
    pub bailleur: Option<String>,
    pub qpv: Option<bool>,
    pub individuel_collectif: Option<IndividuelCollectif>,
}

impl Filters {
    /// The filters in words, for titles: « Commune de Toulon, Var Logis, en QPV ».
    pub fn description(&self) -> Option<String> {
        use contingents::consolidate::{nom_commune, nom_epci};
        let mut parts = Vec::new();
        if let Some(c) = &self.commune {
            parts.push(contingents::format::commune_de(&nom_commune(c)).replacen('c', "C", 1));
        } else if let Some(e) = &self.epci {
            parts.push(nom_epci(e));
        }
        if let Some(b) = &self.bailleur {
            parts.push(b.clone());
        }
        match self.qpv {
            Some(true) => parts.push("en QPV".into()),
            Some(false) => parts.push("hors QPV".into()),
            None => {}
        }
        match self.individuel_collectif {
            Some(IndividuelCollectif::Individuel) => parts.push("individuel".into()),
            Some(IndividuelCollectif::Collectif) => parts.push("collectif".into()),
            None => {}
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    pub fn filtre(&self, reservataire: Option<&str>) -> Filtre {
        Filtre {
            reservataire: reservataire.map(str::to_string),
            commune: self.commune.clone(),
            epci: self.epci.clone(),
            bailleur: self.bailleur.clone(),
            qpv: self.qpv,
            individuel_collectif: self.individuel_collectif,
        }
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

/// The bilans screen: the period chosen, the bilan computed by the core, the orientation asked.
pub struct BilanView {
    pub annee: i32,
    /// None: the whole year; Some(1|2): a semester.
    pub semestre: Option<u8>,
    pub bailleur: Option<String>,
    pub bilan: Result<contingents::suivi::bilan::Bilan, Erreur>,
    pub orientation: Option<Result<contingents::suivi::orientation::Orientation, Erreur>>,
    /// The mises à disposition typed in the window.
    pub saisies: Vec<contingents::suivi::MiseADisposition>,
}

/// The labels screen's pending choices.
#[derive(Default)]
pub struct LibellesState {
    /// (champ, libellé, valeur) chosen, waiting for confirmation.
    pub proposition: Option<(String, String, String)>,
    /// The last mapping applied, with what it replaced, and the value's name.
    pub annulable: Option<(contingents::store::AvantAssociation, String)>,
    /// Labels set aside for this session.
    pub ignores: std::collections::BTreeSet<(String, String)>,
    /// The search typed for each unknown label, by (champ, libellé).
    pub recherche: std::collections::HashMap<(String, String), String>,
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
}

/// The dwellings behind a clicked grid cell.
pub struct Drill {
    pub titre: String,
    pub logements: Vec<LogementSource>,
    /// What was asked, to ask again when the filters change.
    pub demande: Action,
}

impl Action {
    /// Actions that run a job: they wait while another runs.
    pub fn needs_job(&self) -> bool {
        matches!(
            self,
            Action::OpenDossier(_)
                | Action::Recharger(_)
                | Action::Prepare(_)
                | Action::ImporterRegistres(_)
                | Action::StartImport
                | Action::Restore(_)
                | Action::ConfirmRemove
                | Action::UndoRemove
                | Action::MapLabel { .. }
                | Action::UndoLabel
                | Action::SetFinancement { .. }
                | Action::Drill { .. }
                | Action::Rapprocher(_)
                | Action::FluxSelect { .. }
                | Action::BilanSelect { .. }
                | Action::BilanInitial
                | Action::Orienter { .. }
                | Action::DeclarerMiseADisposition { .. }
                | Action::NoterEvenement { .. }
                | Action::FluxSave
                | Action::FluxLeave(_)
                | Action::ExportFicheAssiette
                | Action::Choisi(..)
        )
    }

    /// Actions that write into the dossier: refused on a dossier another window holds.
    pub fn edits(&self) -> bool {
        matches!(
            self,
            Action::ImportDialog
                | Action::Prepare(_)
                | Action::ImporterRegistres(_)
                | Action::StartImport
                | Action::Restore(_)
                | Action::ConfirmRemove
                | Action::UndoRemove
                | Action::MapLabel { .. }
                | Action::UndoLabel
                | Action::SetFinancement { .. }
                | Action::FluxSave
                | Action::DeclarerMiseADisposition { .. }
                | Action::NoterEvenement { .. }
        )
    }
}

/// What the screens ask for; `App::apply` (actions.rs) is the one place where state changes.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Show(Screen),
    /// The filter panel changed (all its choices at once).
    SetFilters(Filters),
    SetReservataire(Option<String>),
    SetGraphique(ChoixGraphique),
    /// The open dossier's figures read again (after a change).
    Recharger(PathBuf),
    /// The bilans screen opened: the latest year followed in the dossier.
    BilanInitial,
    OpenDossierDialog,
    NewDossierDialog,
    OpenDossier(PathBuf),
    ImportDialog,
    Prepare(Vec<PathBuf>),
    /// Registers of mises à disposition, found among files dropped or chosen.
    ImporterRegistres(Vec<PathBuf>),
    StartImport,
    Cancel,
    CloseWizard,
    Restore(i64),
    AskRemove(i64),
    ConfirmRemove,
    UndoRemove,
    /// A value chosen for a label: shown for confirmation, not applied yet.
    ProposeLabel {
        champ: String,
        libelle: String,
        valeur: String,
    },
    CancelLabel,
    IgnoreLabel {
        champ: String,
        libelle: String,
    },
    MapLabel {
        champ: String,
        libelle: String,
        valeur: String,
    },
    UndoLabel,
    SetFinancement {
        libelle: String,
        valeur: Financement,
    },
    Drill {
        reservataire: String,
        financement: Option<Financement>,
        typologie: Option<TypologieGrille>,
    },
    ToggleWorkshop,
    /// Show or fold away the filter panel (F9).
    ToggleFiltres,
    RapprochementDialog,
    FluxSelect {
        bailleur: String,
        epci: String,
        annee: i32,
    },
    BilanSelect {
        annee: i32,
        semestre: Option<u8>,
        bailleur: Option<String>,
    },
    ExportBilan(&'static str),
    Orienter {
        logement: String,
        date: String,
    },
    DeclarerMiseADisposition {
        logement: String,
        reservataire: Option<String>,
        hors_flux: Option<contingents::suivi::HorsFlux>,
        liberation: String,
        preavis: u8,
        mise_a_disposition: String,
    },
    NoterEvenement {
        id: i64,
        evenement: contingents::suivi::Evenement,
        date: String,
    },
    FicheNavetteMiseADisposition(i64),
    /// Paths chosen in a file dialog, and what they are for.
    Choisi(crate::ui::picker::Suite, Vec<PathBuf>),
    FluxSave,
    /// Leave unsaved flux parameters: save them first (true) or drop them (false), then go
    /// to the selection that was asked.
    FluxLeave(bool),
    ExportFicheAssiette,
    ExportChart(&'static str),
    ExportEtatDesLieux,
    ExportAnnexe(&'static str),
    FicheNavette {
        bailleur: String,
        reference: String,
        reservataire: Option<String>,
    },
    FicheNavetteVierge,
    FilterOn(contingents::charts::Kind, String),
    Rapprocher(PathBuf),
}

/// The import wizard: files read and planned, then their summary.
pub struct Wizard {
    pub files: Vec<contingents::import::run::PreparedFile>,
    /// Files that could not be read, with why: the others go on.
    pub refuses: Vec<Erreur>,
    pub summaries: Option<Vec<contingents::import::run::FileSummary>>,
    /// The reading or the import stopped (cancelled, refused): nothing written.
    pub error: Option<Erreur>,
}

/// What each screen keeps while the window runs (never saved).
#[derive(Default)]
pub struct Ecrans {
    pub wizard: Option<Wizard>,
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
}

/// What the status bar says.
#[derive(Default)]
pub struct Messages {
    pub status: String,
    pub error: Option<Erreur>,
}

/// The figures of the charts shown, and what they were computed for.
pub struct ChartCache {
    pub key: String,
    /// One chart, or the four of the synthesis.
    pub data: Vec<contingents::charts::ChartData>,
    pub chiffres: contingents::consolidate::ChiffresCles,
}
