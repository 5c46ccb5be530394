//! The state the screens read: the open dossier's figures (all computed by the core),
//! the filters, the screen shown. Screens never run SQL themselves. By step: `action.rs`
//! (what the screens ask and its effect on the dossier), `import.rs` (the wizard, the
//! registers, the labels), `flux_bilans.rs` (the flux, the annex, the bilans and their form),
//! `dossier.rs` (a new dossier, its properties).

use crate::ui::erreur::Erreur;
use contingents::consolidate::{self, Cube, Filtre, LibelleInconnu, LogementSource};
use contingents::model::{Date, Reservataire};
use contingents::reference::Territoire;
use contingents::store::Dossier;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod action;
mod dossier;
mod flux_bilans;
mod import;

pub use action::*;
pub use dossier::*;
pub use flux_bilans::*;
pub use import::*;

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
    pub by_res: Vec<(Reservataire, u64)>,
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

/// The chart chosen on the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ChoixGraphique {
    pub kind: contingents::charts::Kind,
    pub stock: contingents::charts::Stock,
    /// The other charts and the key figures limited to the réservataire chosen.
    pub par_reservataire: bool,
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
