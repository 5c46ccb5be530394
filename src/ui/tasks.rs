//! Long work (reading files, imports) runs on a named thread with its own SQLite
//! connection; the window polls the result each frame and draws the progress.

use contingents::import::run::{FileSummary, PreparedFile, Progress};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};

use crate::ui::erreur::Erreur;
use std::path::PathBuf;

pub enum JobOutput {
    /// The états des lieux read and planned, the registers of mises à disposition read for
    /// the wizard, and the files refused (with the reason, naming the file).
    Prepared(Result<Lu, Erreur>),
    /// The états des lieux imported (one transaction), then the registers (`None`: none to
    /// import, or the états des lieux failed first).
    Imported {
        etats: Result<Vec<FileSummary>, Erreur>,
        registres: Option<Result<Vec<crate::ui::state::RegistreImporte>, Erreur>>,
        /// Refused because it would leave bailleurs with less than half of what they have
        /// (nothing of it written): what to import again if the user accepts.
        reprise: Option<Box<crate::ui::state::Reprise>>,
    },
    /// What a change of the dossier's properties would do.
    Effet(
        contingents::reference::Territoire,
        contingents::model::Date,
        Result<crate::ui::state::EffetChangement, Erreur>,
    ),
    /// The flux screen's selection loaded.
    Flux(Result<Box<crate::ui::state::FluxView>, Erreur>),
    /// The bilans screen computed.
    Bilan(Result<Box<crate::ui::state::BilanView>, Erreur>),
    /// A dossier's figures loaded (`fresh`: newly opened, else refreshed after a change).
    Loaded { path: PathBuf, fresh: bool, view: Result<Box<crate::ui::state::DossierView>, Erreur> },
    /// A short read or write of the dossier, or a document written.
    Fait(Result<Box<Fait>, Erreur>),
    /// The work stopped on an internal error (a panic, caught): said, never a frozen window.
    Interrompu(Erreur),
}

/// Files dropped or chosen, read: états des lieux planned, registers, files refused.
pub type Lu = (Vec<PreparedFile>, Vec<crate::ui::state::RegistreLu>, Vec<Erreur>);

/// The documents the window writes, said with their gender: « Annexe écrite ».
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    Annexe,
    Bilan,
    EtatDesLieux,
    FicheAssiette,
    FicheNavette,
    Prevision,
    Graphique,
}

impl Document {
    /// « Annexe écrite », « Bilan écrit ».
    pub fn ecrit(self) -> &'static str {
        match self {
            Document::Annexe => "Annexe écrite",
            Document::Bilan => "Bilan écrit",
            Document::EtatDesLieux => "État des lieux consolidé écrit",
            Document::FicheAssiette => "Fiche récapitulative de l'assiette écrite",
            Document::FicheNavette => "Fiche navette écrite",
            Document::Prevision => "Prévision des soustraits écrite",
            Document::Graphique => "Graphique écrit",
        }
    }
}

/// What a short job did, for the window to follow up.
pub enum Fait {
    /// The extinct rights of the dossier, listed.
    Echus(Vec<contingents::store::EchuOut>),
    /// A document written (what it is, where).
    Ecrit(Document, PathBuf),
    DossierCree(PathBuf),
    /// The dossier's territory or date changed: what it did, in words.
    ProprietesChangees(String),
    Retabli(i64, contingents::store::Retablissement),
    Retire(i64),
    /// A bailleur renamed (its old name, its new one).
    Renomme(String, String),
    RetraitAnnule(i64),
    Associe {
        libelle: String,
        shown: String,
        avant: contingents::store::AvantAssociation,
        lignes: usize,
    },
    AssociationAnnulee {
        libelle: String,
        shown: String,
    },
    SiecleTranche {
        colonne: String,
        siecle: contingents::model::Siecle,
        lignes: usize,
    },
    Financement {
        libelle: String,
        valeur: contingents::model::Financement,
    },
    Logements(crate::ui::state::Drill),
    Rapprochement(Result<contingents::rapprochement::Rapprochement, Erreur>),
    Orientation(crate::ui::state::OrigineOrientation, Result<contingents::suivi::orientation::Orientation, Erreur>),
    Declare {
        logement: contingents::model::RefLogement,
        echeance: Option<contingents::model::Date>,
        /// A correction (not a new mise à disposition).
        correction: bool,
        /// The bailleur sends a register: this declaration is counted with its rows.
        avec_registre: bool,
    },
    /// A typed mise à disposition deleted (as it was, to put it back).
    /// The mise à disposition deleted, and the register lines set aside because of it (file,
    /// line): counted only once the register is imported again.
    Supprimee(Box<contingents::suivi::MiseADisposition>, Vec<(String, u32)>),
    /// The deleted one put back.
    Retablie(String),
    Note(contingents::suivi::Evenement, contingents::model::Date),
    /// The household of a typed mise à disposition noted.
    MenageNote,
    /// The CIA objectives saved (how many settings).
    CiaEnregistree(usize),
    /// The annex asked can be written (`None`), or why not (its flux never saved): said in
    /// the annex's dialog, before any file name is asked.
    AnnexeVerifiee(crate::ui::state::DemandeAnnexe, Option<String>),
    FluxEnregistre {
        bailleur: String,
        annee: i32,
        coordonnees: contingents::store::bailleurs::Coordonnees,
        params: Box<contingents::flux::FluxParametres>,
    },
}

pub struct Job {
    pub label: String,
    pub progress: Arc<Mutex<(f32, String)>>,
    pub cancel: Arc<AtomicBool>,
    rx: Receiver<JobOutput>,
}

struct SharedProgress {
    state: Arc<Mutex<(f32, String)>>,
    ctx: eframe::egui::Context,
    cancel: Arc<AtomicBool>,
    /// The opening of a dossier, traced step by step (`CONTINGENTS_TRACE_OUVERTURE=1`).
    trace: bool,
}

impl Progress for SharedProgress {
    fn update(&self, fraction: f32, message: &str) {
        if self.trace {
            crate::ui::trace::etape("chargement", Some(message));
        }
        if let Ok(mut s) = self.state.lock() {
            *s = (fraction, message.to_string());
        }
        self.ctx.request_repaint();
    }

    fn annule(&self) -> bool {
        self.cancel.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Job {
    /// Runs `work` on a background thread (or at once when `synchronous`, for tests).
    pub fn spawn(
        label: &str,
        ctx: &eframe::egui::Context,
        synchronous: bool,
        work: impl FnOnce(&dyn Progress, &AtomicBool) -> JobOutput + Send + 'static,
    ) -> Job {
        let progress = Arc::new(Mutex::new((0.0, String::new())));
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = channel();
        let trace = label == "ouverture" && crate::ui::trace::active();
        let p = SharedProgress { state: progress.clone(), ctx: ctx.clone(), cancel: cancel.clone(), trace };
        let c = cancel.clone();
        let ctx2 = ctx.clone();
        let run = move || {
            if trace {
                crate::ui::trace::etape("chargement", Some("départ du fil"));
            }
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&p, &c))).unwrap_or_else(|e| {
                let msg = e
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| e.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                JobOutput::Interrompu(Erreur::Interne(msg))
            });
            if trace {
                crate::ui::trace::etape("chargement", None);
            }
            let _ = tx.send(out);
            ctx2.request_repaint();
        };
        if synchronous {
            run();
        } else if let Err(e) = std::thread::Builder::new().name(format!("contingents-{label}")).spawn(run) {
            eprintln!("contingents : impossible de lancer la tâche ({e})");
        }
        Job { label: label.to_string(), progress, cancel, rx }
    }

    pub fn poll(&self) -> Option<JobOutput> {
        self.rx.try_recv().ok()
    }

    pub fn fraction(&self) -> (f32, String) {
        self.progress.lock().map(|s| s.clone()).unwrap_or_default()
    }
}
