//! The state of the import: the wizard's files (états des lieux and registers), an import
//! refused for a loss and to do again, the registers read and imported; the labels screen.

use crate::ui::erreur::Erreur;
use contingents::model::ChampLibelle;
use std::path::PathBuf;

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
