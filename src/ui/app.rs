//! The window: menu bar, navigation, status bar, and the one place (`handle`) where
//! actions change state. Screens only draw and emit actions.

use super::picker::{Demande, Suite};
use super::screens;
use super::settings::Settings;
use super::state::{Action, DossierView, Drill, Filters, Screen};
use super::tasks::{Job, JobOutput};
use contingents::consolidate;
use contingents::import::run::{FileSummary, PreparedFile, prepare_file, reapply_mappings, write_prepared};
use contingents::store::Dossier;
use eframe::egui;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

/// The import wizard: files read and planned, then their summary.
pub struct Wizard {
    pub files: Vec<PreparedFile>,
    /// Files that could not be read, with why: the others go on.
    pub refuses: Vec<String>,
    pub summaries: Option<Vec<FileSummary>>,
    pub error: Option<String>,
}

pub struct App {
    pub settings: Settings,
    pub view: Option<DossierView>,
    pub filters: Filters,
    pub reservataire: Option<String>,
    pub screen: Screen,
    pub wizard: Option<Wizard>,
    pub job: Option<Job>,
    pub status: String,
    pub error: Option<String>,
    pub drill: Option<Drill>,
    pub flux: Option<super::state::FluxView>,
    pub bilan: Option<super::state::BilanView>,
    /// The labels screen: the mapping proposed (to confirm), the last one (to undo), ignored.
    pub libelles: super::state::LibellesState,
    /// The dossier file's last modification seen, and when it was last looked at: an import
    /// run from the command line while the window is open shows up by itself.
    vu: Option<(std::time::SystemTime, std::time::Instant)>,
    /// The file picker drawn in the window, when the system's dialog cannot answer.
    pub picker: Option<super::picker::Picker>,
    /// The system's dialog returned at once without a window: use the picker from now on.
    systeme_muet: bool,
    pub memo: Option<super::state::ConsolidationMemo>,
    /// Bumped at each (re)load of the dossier's figures, so memos know they are stale.
    view_generation: usize,
    pub chart_kind: contingents::charts::Kind,
    pub chart_stock: contingents::charts::Stock,
    pub chart_by_reservataire: bool,
    pub chart: Option<screens::tableau::ChartCache>,
    pub rapprochement: Option<Result<contingents::rapprochement::Rapprochement, String>>,
    pub pending_remove: Option<i64>,
    pub removed: Vec<i64>,
    pub workshop: bool,
    /// Run jobs on the UI thread (tests) instead of a background thread.
    pub synchronous_jobs: bool,
    /// The value typed or chosen for each unknown label, by (champ, libellé).
    pub label_choices: std::collections::HashMap<(String, String), String>,
    /// Another window holds the dossier: this one only reads it.
    pub read_only: bool,
    lock: Option<(PathBuf, std::fs::File)>,
    /// Files to open in the import wizard once the dossier is loaded (`gui --importer`).
    pub pending_import: Vec<PathBuf>,
    /// The window's context, for background jobs started outside a frame.
    pub ctx: Option<egui::Context>,
    /// Whether settings are written to the user's configuration (not in tests).
    pub persist_settings: bool,
    title_sent: String,
    workshop_applied: Option<bool>,
}

impl App {
    pub fn new(settings: Settings, dossier: Option<PathBuf>) -> Self {
        let workshop = settings.workshop;
        let mut app = App {
            settings,
            view: None,
            filters: Filters::default(),
            reservataire: None,
            screen: Screen::Consolidation,
            wizard: None,
            job: None,
            status: String::new(),
            error: None,
            drill: None,
            rapprochement: None,
            flux: None,
            bilan: None,
            libelles: Default::default(),
            vu: None,
            picker: None,
            systeme_muet: false,
            memo: None,
            view_generation: 0,
            chart_kind: contingents::charts::Kind::Reservataires,
            chart_stock: contingents::charts::Stock::Tout,
            chart_by_reservataire: false,
            chart: None,
            pending_remove: None,
            removed: Vec::new(),
            workshop,
            synchronous_jobs: false,
            label_choices: Default::default(),
            ctx: None,
            pending_import: Vec::new(),
            persist_settings: true,
            read_only: false,
            lock: None,
            title_sent: String::new(),
            workshop_applied: None,
        };
        if let Some(d) = dossier {
            app.open(d);
        }
        app
    }

    /// A window for tests: settings not saved, jobs run at once.
    #[cfg(test)]
    pub fn for_tests(dossier: PathBuf) -> Self {
        let mut app = App::new(Settings::default(), None);
        app.persist_settings = false;
        app.synchronous_jobs = true;
        app.open(dossier);
        app
    }

    fn save_settings(&self) {
        if self.persist_settings {
            self.settings.save();
        }
    }

    /// Editing controls are shown: not in workshop mode, not on a dossier another window holds.
    pub fn can_edit(&self) -> bool {
        !self.workshop && !self.read_only
    }

    fn release_lock(&mut self) {
        if let Some((path, file)) = self.lock.take() {
            let _ = file.unlock();
            drop(file);
            let _ = std::fs::remove_file(path);
        }
    }

    /// Locks the dossier (`<dossier>.verrou`, an OS file lock that ends with the process, on
    /// every system); when another window holds it, the dossier is opened read-only and the
    /// holder's process number is given. `Some(None)`: held, by an unknown process.
    fn take_lock(&mut self, path: &std::path::Path) -> Option<Option<u32>> {
        use std::io::{Read, Seek, Write};
        self.release_lock();
        let lock = PathBuf::from(format!("{}.verrou", path.display()));
        let Ok(mut file) = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&lock)
        else {
            return None; // a read-only directory: nothing to lock, nothing written either
        };
        match file.try_lock() {
            Ok(()) => {
                let _ = file.set_len(0);
                let _ = file.seek(std::io::SeekFrom::Start(0));
                let _ = write!(file, "{}", std::process::id());
                self.lock = Some((lock, file));
                None
            }
            Err(_) => {
                let mut s = String::new();
                let _ = file.read_to_string(&mut s);
                Some(s.trim().parse::<u32>().ok())
            }
        }
    }

    /// Loads a dossier's figures off the UI thread (a national dossier takes seconds).
    fn load(&mut self, path: PathBuf, fresh: bool) {
        if self.job.is_some() {
            self.error = Some("Un travail est en cours : attendez sa fin pour ouvrir ou actualiser le dossier.".into());
            return;
        }
        let ctx = self.ctx.clone().unwrap_or_default();
        let label = if fresh { "ouverture" } else { "actualisation" };
        self.job = Some(Job::spawn(label, &ctx, self.synchronous_jobs, move |p, _| {
            p.update(0.1, &format!("Chargement de {}", path.display()));
            let view = DossierView::load(&path).map(Box::new);
            JobOutput::Loaded { path, fresh, view }
        }));
    }

    /// Opens a dossier (public for tests, which cannot drive a file dialog).
    pub fn open(&mut self, path: PathBuf) {
        self.load(path, true);
    }

    fn opened(&mut self, path: PathBuf, view: Result<DossierView, String>) {
        match view {
            Ok(v) => {
                let holder = self.take_lock(&path);
                self.read_only = holder.is_some();
                self.status = match holder {
                    Some(Some(pid)) => format!(
                        "Dossier ouvert en lecture seule : une autre fenêtre Contingents l'utilise (processus {pid}) ; fermez-la pour le modifier ici — {}",
                        path.display()
                    ),
                    Some(None) => format!(
                        "Dossier ouvert en lecture seule : une autre fenêtre Contingents l'utilise ; fermez-la pour le modifier ici — {}",
                        path.display()
                    ),
                    None => format!("Dossier ouvert : {}", path.display()),
                };
                self.reservataire = v
                    .cube
                    .counts_by(&self.filters.filtre(None), Some(true), consolidate::Dimension::Reservataire)
                    .first()
                    .map(|(r, _)| r.to_string());
                self.view = Some(v);
                self.view_generation += 1;
                self.chart = None;
                self.flux = None;
                self.error = None;
                self.drill = None;
                self.settings.remember(&path);
                self.save_settings();
                let files = std::mem::take(&mut self.pending_import);
                if !files.is_empty()
                    && let Some(ctx) = self.ctx.clone()
                {
                    self.handle(&ctx, Action::Prepare(files));
                }
            }
            Err(e) => self.error = Some(format!("Impossible d'ouvrir {} : {e}", path.display())),
        }
    }

    /// Takes the dossier file's current state as seen: this window's own writes (imports,
    /// mappings, saved parameters) are not changes made by another program.
    fn mark_seen(&mut self) {
        if let Some(path) = self.dossier_path()
            && let Ok(m) = std::fs::metadata(&path).and_then(|m| m.modified())
        {
            self.vu = Some((m, std::time::Instant::now()));
        }
    }

    /// Reloads the figures when the dossier changed on disk (another program wrote it), at
    /// most once a second.
    fn watch_dossier(&mut self) {
        let Some(path) = self.dossier_path() else { return };
        let now = std::time::Instant::now();
        if self.vu.is_some_and(|(_, t)| now.duration_since(t) < std::time::Duration::from_secs(1)) || self.job.is_some()
        {
            return;
        }
        let Ok(m) = std::fs::metadata(&path).and_then(|m| m.modified()) else { return };
        match self.vu {
            Some((seen, _)) if seen != m => {
                self.vu = Some((m, now));
                self.status = "Le dossier a changé sur le disque : chiffres rechargés".into();
                self.reload();
            }
            _ => self.vu = Some((m, now)),
        }
    }

    fn reload(&mut self) {
        if let Some(v) = &self.view {
            let p = v.path.clone();
            self.load(p, false);
        }
    }

    fn dossier_path(&self) -> Option<PathBuf> {
        self.view.as_ref().map(|v| v.path.clone())
    }

    fn with_dossier<T>(&mut self, f: impl FnOnce(&mut Dossier) -> Result<T, String>) -> Option<T> {
        let path = self.dossier_path()?;
        let r = Dossier::open(&path, false).map_err(|e| e.to_string()).and_then(|mut d| f(&mut d));
        self.mark_seen();
        match r {
            Ok(t) => Some(t),
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }

    /// Asks for a file: the system's dialog when it answers, else the picker in the window
    /// (always in tests). What follows is `Action::Choisi`.
    fn demander(&mut self, ctx: &egui::Context, d: super::picker::Demande) {
        use super::picker::{Picker, systeme_disponible};
        let depart = self.dossier_path().and_then(|p| p.parent().map(|x| x.to_path_buf()));
        let recents: Vec<PathBuf> = {
            let mut v: Vec<PathBuf> =
                self.settings.recent.iter().filter_map(|p| p.parent().map(|x| x.to_path_buf())).collect();
            v.dedup();
            v.truncate(6);
            v
        };
        if self.synchronous_jobs || self.systeme_muet || !systeme_disponible() {
            let msg = (!self.synchronous_jobs && !self.systeme_muet).then(|| {
                "Pas de sélecteur de fichiers du système ici (portail xdg absent) : voici celui de Contingents. Pour retrouver celui du système, installez xdg-desktop-portal et xdg-desktop-portal-gtk (ou -kde).".to_string()
            });
            self.picker = Some(Picker::new(d, depart, recents, msg));
            return;
        }
        let t = std::time::Instant::now();
        match d.systeme() {
            Some(paths) => self.handle(ctx, Action::Choisi(d.suite, paths)),
            // No window could have been shown and closed that fast: the portal did not answer.
            None if t.elapsed() < std::time::Duration::from_millis(150) => {
                self.systeme_muet = true;
                let msg = "Le sélecteur de fichiers du système n'a pas répondu : voici celui de Contingents. Pour retrouver celui du système, installez xdg-desktop-portal et xdg-desktop-portal-gtk (ou -kde).";
                self.picker = Some(Picker::new(d, depart, recents, Some(msg.into())));
            }
            None => {}
        }
    }

    /// Recomputes the bilan shown (after a change of the follow-up).
    fn refresh_bilan(&mut self, ctx: &egui::Context) {
        if let Some(v) = &self.bilan {
            let (annee, semestre, bailleur) = (v.annee, v.semestre, v.bailleur.clone());
            self.handle(ctx, Action::BilanSelect { annee, semestre, bailleur });
        }
    }

    fn export_bilan(&mut self, out: &std::path::Path) {
        let Some(Ok(b)) = self.bilan.as_ref().map(|v| &v.bilan) else { return };
        match contingents::export::bilan::export(b, out) {
            Ok(()) => self.status = format!("Bilan écrit : {}", out.display()),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn export_chart(&mut self, out: &std::path::Path) {
        let Some(v) = &self.view else { return };
        let f = self.filters.filtre(self.reservataire.as_deref().filter(|_| self.chart_by_reservataire));
        let sous_titre = format!("{} — {} — au {}", v.territoire.label(), self.chart_stock.label(), v.date_reference);
        match contingents::charts::export(&v.cube, self.chart_kind, &f, self.chart_stock, &sous_titre, out) {
            Ok(()) => self.status = format!("Graphique écrit : {}", out.display()),
            Err(e) => self.error = Some(e),
        }
    }

    fn export_etat_des_lieux(&mut self, ctx: &egui::Context, out: PathBuf) {
        let Some(v) = &self.view else { return };
        if self.job.is_some() {
            return;
        }
        let path = v.path.clone();
        self.job = Some(Job::spawn("export", ctx, self.synchronous_jobs, move |p, _| {
            let r = Dossier::open_read_only(&path).map_err(|e| e.to_string()).and_then(|d| {
                contingents::export::etat_des_lieux::export(&d, &out, p).map_err(|e| e.to_string()).map(|_| out.clone())
            });
            JobOutput::Exported(r)
        }));
    }

    pub fn handle(&mut self, ctx: &egui::Context, action: Action) {
        let edits = matches!(
            action,
            Action::ImportDialog
                | Action::Prepare(_)
                | Action::StartImport
                | Action::Restore(_)
                | Action::ConfirmRemove
                | Action::UndoRemove
                | Action::MapLabel { .. }
                | Action::UndoLabel
                | Action::SetFinancement { .. }
                | Action::FluxSave
        );
        if edits && self.read_only {
            self.error = Some("Dossier en lecture seule : une autre fenêtre Contingents l'utilise.".into());
            return;
        }
        match action {
            Action::Show(s) => self.screen = s,
            Action::OpenDossierDialog => self.demander(
                ctx,
                Demande::ouvrir(
                    "Ouvrir un dossier Contingents",
                    ("Dossier Contingents", &["contingents", "sqlite", "db"]),
                    false,
                    Suite::OuvrirDossier,
                ),
            ),
            Action::NewDossierDialog => self.demander(
                ctx,
                Demande::enregistrer(
                    "Créer un dossier Contingents",
                    "dossier.contingents".into(),
                    Suite::NouveauDossier,
                ),
            ),
            Action::OpenDossier(p) => self.open(p),
            Action::ImportDialog => self.demander(
                ctx,
                Demande::ouvrir(
                    "Importer des états des lieux ou des registres",
                    ("Tableurs et CSV", &["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "txt"]),
                    true,
                    Suite::Importer,
                ),
            ),
            Action::Choisi(suite, paths) => {
                let Some(first) = paths.first().cloned() else { return };
                match suite {
                    Suite::OuvrirDossier => self.open(first),
                    Suite::NouveauDossier => match Dossier::open(&first, true) {
                        Ok(_) => self.open(first),
                        Err(e) => self.error = Some(e.to_string()),
                    },
                    Suite::Importer => self.handle(ctx, Action::Prepare(paths)),
                    Suite::Rapprocher => self.handle(ctx, Action::Rapprocher(first)),
                    Suite::Bilan => self.export_bilan(&first),
                    Suite::FicheAssiette { bailleur, annee } => {
                        if self
                            .with_dossier(|d| {
                                contingents::export::fiche_assiette::export(d, &bailleur, annee, &first)
                                    .map_err(|e| e.to_string())
                            })
                            .is_some()
                        {
                            self.status = format!("Fiche écrite : {}", first.display());
                        }
                    }
                    Suite::Graphique => self.export_chart(&first),
                    Suite::EtatDesLieux => self.export_etat_des_lieux(ctx, first),
                    Suite::Annexe { reservataire, commune, epci, bailleur } => {
                        if self
                            .with_dossier(|d| {
                                contingents::export::annexe::export(
                                    d,
                                    &reservataire,
                                    commune.as_deref(),
                                    epci.as_deref(),
                                    bailleur.as_deref(),
                                    None,
                                    &first,
                                )
                                .map_err(|e| e.to_string())
                            })
                            .is_some()
                        {
                            self.status = format!("Annexe écrite : {}", first.display());
                        }
                    }
                    Suite::NavetteMiseADisposition(id) => {
                        if self
                            .with_dossier(|d| {
                                let m = contingents::suivi::saisies(d)
                                    .map_err(|e| e.to_string())?
                                    .into_iter()
                                    .find(|m| m.id == id)
                                    .ok_or_else(|| format!("mise à disposition n° {id} introuvable"))?;
                                let v = contingents::export::fiche_navette::valeurs_mise_a_disposition(d, &m)
                                    .map_err(|e| e.to_string())?;
                                contingents::export::fiche_navette::export(Some(d), &v, &first)
                                    .map_err(|e| e.to_string())
                            })
                            .is_some()
                        {
                            self.status = format!("Fiche navette écrite : {}", first.display());
                        }
                    }
                    Suite::NavetteVierge => {
                        if self
                            .with_dossier(|d| {
                                contingents::export::fiche_navette::export(Some(d), &Default::default(), &first)
                                    .map_err(|e| e.to_string())
                            })
                            .is_some()
                        {
                            self.status = format!("Fiche navette écrite : {}", first.display());
                        }
                    }
                    Suite::Navette { bailleur, reference, reservataire } => {
                        if self
                            .with_dossier(|d| {
                                let v = contingents::export::fiche_navette::valeurs(
                                    d,
                                    &bailleur,
                                    &reference,
                                    &reservataire,
                                )
                                .map_err(|e| e.to_string())?;
                                contingents::export::fiche_navette::export(Some(d), &v, &first)
                                    .map_err(|e| e.to_string())
                            })
                            .is_some()
                        {
                            self.status = format!("Fiche navette écrite : {}", first.display());
                        }
                    }
                }
            }
            Action::Prepare(files) => {
                if self.view.is_none() || self.job.is_some() {
                    return;
                }
                // Registers of mises à disposition go to the follow-up, états des lieux to the wizard.
                let (registres, files): (Vec<PathBuf>, Vec<PathBuf>) =
                    files.into_iter().partition(|f| contingents::suivi::est_un_registre(f));
                if !registres.is_empty() {
                    let r = self.with_dossier(|d| {
                        contingents::suivi::importer(d, &registres, None, None).map_err(|e| e.to_string())
                    });
                    if let Some(r) = r {
                        let n: usize = r.iter().map(|s| s.mises_a_disposition + s.hors_flux).sum();
                        let rejets: usize = r.iter().map(|s| s.rejets.values().sum::<usize>()).sum();
                        self.status = format!(
                            "Registre importé : {} lignes de suivi, {} mises de côté ({})",
                            n,
                            rejets,
                            r.iter().map(|s| s.bailleur.clone()).collect::<Vec<_>>().join(", ")
                        );
                        self.bilan = None;
                        self.screen = Screen::Bilans;
                    }
                    if files.is_empty() {
                        return;
                    }
                }
                self.screen = Screen::Import;
                self.wizard = None;
                self.job = Some(Job::spawn("lecture", ctx, self.synchronous_jobs, move |p, cancel| {
                    let mut out = Vec::new();
                    let mut refuses = Vec::new();
                    for (i, f) in files.iter().enumerate() {
                        p.update(i as f32 / files.len().max(1) as f32, &format!("Lecture de {}", f.display()));
                        if cancel.load(Ordering::Relaxed) {
                            return JobOutput::Prepared(Err("lecture annulée".into()));
                        }
                        // A file that cannot be read is marked; the others go on.
                        match prepare_file(f, None) {
                            Ok(pf) => out.push(pf),
                            Err(e) => refuses.push(e.to_string()),
                        }
                    }
                    if out.is_empty() && !refuses.is_empty() {
                        return JobOutput::Prepared(Err(refuses.join("\n")));
                    }
                    JobOutput::Prepared(Ok((out, refuses)))
                }));
            }
            Action::StartImport => {
                let (Some(path), Some(w)) = (self.dossier_path(), self.wizard.as_mut()) else { return };
                let files = std::mem::take(&mut w.files);
                let territoire = self
                    .view
                    .as_ref()
                    .map(|v| v.territoire.clone())
                    .unwrap_or(contingents::reference::Territoire::Tout);
                let date = self
                    .view
                    .as_ref()
                    .map(|v| v.date_reference)
                    .unwrap_or_else(contingents::store::default_date_reference);
                self.job = Some(Job::spawn("import", ctx, self.synchronous_jobs, move |p, cancel| {
                    let r = Dossier::open(&path, false).map_err(|e| e.to_string()).and_then(|mut d| {
                        write_prepared(&mut d, files, &territoire, date, p, cancel).map_err(|e| e.to_string())
                    });
                    JobOutput::Imported(r)
                }));
            }
            Action::Cancel => {
                if let Some(j) = &self.job {
                    j.cancel.store(true, Ordering::Relaxed);
                }
            }
            Action::CloseWizard => {
                self.wizard = None;
                self.screen = Screen::Consolidation;
            }
            Action::Restore(id) => {
                if self.with_dossier(|d| d.restore(id).map_err(|e| e.to_string())).is_some() {
                    self.status = format!("Import n° {id} rétabli");
                    self.reload();
                }
            }
            Action::AskRemove(id) => self.pending_remove = (id >= 0).then_some(id),
            Action::ConfirmRemove => {
                if let Some(id) = self.pending_remove.take()
                    && self.with_dossier(|d| d.deactivate(id).map_err(|e| e.to_string())).is_some()
                {
                    self.removed.push(id);
                    self.status = format!("Import n° {id} retiré (annulable jusqu'à la fermeture)");
                    self.reload();
                }
            }
            Action::UndoRemove => {
                if let Some(id) = self.removed.pop()
                    && self.with_dossier(|d| d.restore(id).map_err(|e| e.to_string())).is_some()
                {
                    self.status = format!("Retrait de l'import n° {id} annulé");
                    self.reload();
                }
            }
            Action::ProposeLabel { champ, libelle, valeur } => {
                self.libelles.proposition = Some((champ, libelle, valeur));
            }
            Action::CancelLabel => self.libelles.proposition = None,
            Action::IgnoreLabel { champ, libelle } => {
                self.libelles.ignores.insert((champ, libelle.clone()));
                self.status =
                    format!("« {libelle} » laissé de côté pour cette session : ses lignes restent mises de côté");
            }
            Action::MapLabel { champ, libelle, valeur } => {
                self.libelles.proposition = None;
                let r = self.with_dossier(|d| {
                    let avant = d.avant_association(&champ, &libelle).map_err(|e| e.to_string())?;
                    d.set_mapping(&champ, &libelle, &valeur).map_err(|e| e.to_string())?;
                    let n = reapply_mappings(d).map_err(|e| e.to_string())?;
                    Ok((avant, n))
                });
                if let Some((avant, n)) = r {
                    let shown =
                        if champ == "reservataire" { consolidate::libelle_reservataire(&valeur) } else { valeur };
                    self.status = format!(
                        "« {libelle} » associé à {shown} : {}",
                        contingents::format::pluriel(n as u64, "ligne réintégrée", "lignes réintégrées")
                    );
                    self.libelles.annulable = Some((avant, shown));
                    self.reload();
                }
            }
            Action::UndoLabel => {
                let Some((avant, shown)) = self.libelles.annulable.take() else { return };
                if self.with_dossier(|d| d.annuler_association(&avant).map_err(|e| e.to_string())).is_some() {
                    self.status = format!("Association de « {} » à {shown} annulée", avant.libelle);
                    self.reload();
                }
            }
            Action::SetFinancement { libelle, valeur } => {
                let done = self.with_dossier(|d| {
                    d.set_mapping("financement", &libelle, valeur.as_str()).map_err(|e| e.to_string())?;
                    reapply_mappings(d).map_err(|e| e.to_string())
                });
                if done.is_some() {
                    self.status = format!("Financement « {libelle} » → {valeur} (s'applique aux prochains imports)");
                    self.reload();
                }
            }
            Action::Drill { reservataire, financement, typologie } => {
                let demande = Action::Drill { reservataire: reservataire.clone(), financement, typologie };
                let filtre = self.filters.filtre(Some(&reservataire));
                let titre = format!(
                    "{} — {} — {}",
                    consolidate::libelle_reservataire(&reservataire),
                    financement.map(|f| f.as_str()).unwrap_or("tous financements"),
                    typologie.map(|t| t.as_str()).unwrap_or("toutes typologies")
                );
                if let Some(l) = self.with_dossier(|d| {
                    consolidate::logements(d, &filtre, financement, typologie, 2000).map_err(|e| e.to_string())
                }) {
                    self.drill = Some(Drill { titre, logements: l, demande });
                }
            }
            Action::RapprochementDialog => self.demander(
                ctx,
                Demande::ouvrir(
                    "Déclaration du réservataire",
                    ("Tableurs et CSV", &["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "txt"]),
                    false,
                    Suite::Rapprocher,
                ),
            ),
            Action::Rapprocher(p) => {
                let Some(res) = self.reservataire.clone() else {
                    self.error = Some("Choisissez d'abord le réservataire dans le panneau des filtres.".into());
                    return;
                };
                self.rapprochement = self
                    .with_dossier(|d| Ok(contingents::rapprochement::rapprocher(d, &res, &p)))
                    .map(Some)
                    .unwrap_or(None);
            }
            Action::FluxSelect { bailleur, epci, annee } if self.flux.as_ref().is_some_and(|f| f.params != f.saved) => {
                // Unsaved parameters are never dropped without a word.
                if let Some(fv) = &mut self.flux {
                    fv.pending = Some((bailleur, epci, annee));
                }
            }
            Action::FluxLeave(save) => {
                let Some(fv) = &mut self.flux else { return };
                let Some((b, e, a)) = fv.pending.take() else { return };
                if save {
                    self.handle(ctx, Action::FluxSave);
                }
                if let Some(fv) = &mut self.flux {
                    fv.params = fv.saved.clone();
                }
                self.handle(ctx, Action::FluxSelect { bailleur: b, epci: e, annee: a });
            }
            Action::FluxSelect { bailleur, epci, annee } => {
                // Every bailleur of the EPCI is read for the comparison: off the window's thread.
                let Some(path) = self.dossier_path() else { return };
                if self.job.is_some() {
                    return;
                }
                let bailleurs = self.view.as_ref().map(|v| v.cube.bailleurs()).unwrap_or_default();
                self.job = Some(Job::spawn("flux", ctx, self.synchronous_jobs, move |p, _| {
                    p.update(0.2, "Calcul du flux");
                    let r = Dossier::open_read_only(&path).map_err(|e| e.to_string()).and_then(|d| {
                        let err = |e: contingents::store::StoreError| e.to_string();
                        let groupes = contingents::flux::groupes(&d, &bailleur, &epci).map_err(err)?;
                        let params = contingents::flux::parametres(&d, &bailleur, &epci, annee).map_err(err)?;
                        let mut comparaison = Vec::new();
                        for b in &bailleurs {
                            let g = contingents::flux::groupes(&d, b, &epci).map_err(err)?;
                            if !g.is_empty() {
                                let p = contingents::flux::parametres(&d, b, &epci, annee).map_err(err)?;
                                comparaison.push(contingents::flux::calculer(b, &epci, annee, &g, &p));
                            }
                        }
                        let saved = params.clone();
                        Ok(super::state::FluxView {
                            bailleur,
                            epci,
                            annee,
                            params,
                            saved,
                            pending: None,
                            groupes,
                            comparaison,
                        })
                    });
                    JobOutput::Flux(r.map(Box::new))
                }));
            }
            Action::BilanSelect { annee, semestre, bailleur } => {
                // Up to a second on a national dossier: off the window's thread.
                let Some(path) = self.dossier_path() else { return };
                if self.job.is_some() {
                    return;
                }
                self.job = Some(Job::spawn("bilan", ctx, self.synchronous_jobs, move |p, _| {
                    p.update(0.2, "Calcul du bilan");
                    let r = Dossier::open_read_only(&path).map_err(|e| e.to_string()).and_then(|d| {
                        let periode = contingents::suivi::bilan::Periode::new(annee, semestre, None, None)?;
                        let o =
                            contingents::suivi::bilan::BilanOptions { periode, bailleur: bailleur.clone(), epci: None };
                        let bilan = contingents::suivi::bilan::bilan(&d, &o).map_err(|e| e.to_string());
                        let saisies = contingents::suivi::saisies(&d).map_err(|e| e.to_string())?;
                        Ok(super::state::BilanView { annee, semestre, bailleur, bilan, orientation: None, saisies })
                    });
                    JobOutput::Bilan(r.map(Box::new))
                }));
            }
            Action::ExportBilan(ext) => {
                let Some(Ok(b)) = self.bilan.as_ref().map(|v| &v.bilan) else { return };
                let b = b.clone();
                let name =
                    format!("Bilan_flux_{}{}.{ext}", b.annee, b.semestre.map(|s| format!("_S{s}")).unwrap_or_default());
                self.demander(ctx, Demande::enregistrer("Exporter le bilan", name, Suite::Bilan));
            }
            Action::Orienter { logement, date } => {
                let result = match (logement.split_once(':'), contingents::format::parse_date(&date)) {
                    (None, _) => Err(format!("« {logement} » : écrivez le logement BAILLEUR:RÉFÉRENCE")),
                    (_, None) => Err(format!("« {date} » n'est pas une date : écrivez 2025-09-15 ou 15/09/2025")),
                    (Some((b, r)), Some(dt)) => self
                        .with_dossier(|d| {
                            Ok(contingents::suivi::orientation::orienter(d, b.trim(), r.trim(), dt)
                                .map_err(|e| e.to_string()))
                        })
                        .unwrap_or_else(|| Err("dossier illisible".into())),
                };
                if let Some(v) = &mut self.bilan {
                    v.orientation = Some(result);
                }
            }
            Action::DeclarerMiseADisposition {
                logement,
                reservataire,
                hors_flux,
                liberation,
                preavis,
                mise_a_disposition,
            } => {
                use contingents::format::parse_date;
                let lue: Result<contingents::suivi::Declaration, String> = (|| {
                    let (bailleur, reference) = logement
                        .split_once(':')
                        .ok_or_else(|| format!("« {logement} » : écrivez le logement BAILLEUR:RÉFÉRENCE"))?;
                    let mad = parse_date(&mise_a_disposition)
                        .ok_or_else(|| format!("« {mise_a_disposition} » n'est pas une date : écrivez 26/04/2024"))?;
                    let liberation = match liberation.trim() {
                        "" => None,
                        l => Some(
                            parse_date(l).ok_or_else(|| format!("« {l} » n'est pas une date : écrivez 26/04/2024"))?,
                        ),
                    };
                    Ok(contingents::suivi::Declaration {
                        bailleur: bailleur.trim().to_string(),
                        reference: reference.trim().to_string(),
                        reservataire,
                        hors_flux,
                        liberation,
                        preavis,
                        mise_a_disposition: mad,
                    })
                })();
                let declaration = match lue {
                    Ok(x) => x,
                    Err(e) => {
                        self.error = Some(e);
                        return;
                    }
                };
                if let Some(echeance) =
                    self.with_dossier(|d| contingents::suivi::declarer(d, &declaration).map_err(|e| e.to_string()))
                {
                    self.status = format!(
                        "Mise à disposition enregistrée : {logement}{}",
                        echeance
                            .map(|e| format!(
                                ", réponse attendue au plus tard le {}",
                                contingents::format::date_fr(&e.to_string())
                            ))
                            .unwrap_or_default()
                    );
                    self.refresh_bilan(ctx);
                }
            }
            Action::NoterEvenement { id, evenement, date } => {
                let Some(dt) = contingents::format::parse_date(&date) else {
                    self.error = Some(format!("« {date} » n'est pas une date : écrivez 15/09/2025"));
                    return;
                };
                if self
                    .with_dossier(|d| contingents::suivi::noter(d, id, evenement, dt).map_err(|e| e.to_string()))
                    .is_some()
                {
                    self.status = "Suivi mis à jour".into();
                    self.refresh_bilan(ctx);
                }
            }
            Action::FicheNavetteMiseADisposition(id) => {
                let name = format!("Fiche_navette_{id}.xlsx");
                self.demander(ctx, Demande::enregistrer("Fiche navette", name, Suite::NavetteMiseADisposition(id)));
            }
            Action::FluxSave => {
                if let Some(fv) = &self.flux {
                    let (b, e, a, p) = (fv.bailleur.clone(), fv.epci.clone(), fv.annee, fv.params.clone());
                    if self
                        .with_dossier(|d| {
                            contingents::flux::enregistrer_parametres(d, &b, &e, a, &p).map_err(|e| e.to_string())
                        })
                        .is_some()
                    {
                        self.status = format!("Paramètres du flux {a} de {b} enregistrés dans le dossier");
                        // Saved for the year: they are the year's own now (no longer « à confirmer »).
                        if let Some(fv) = &mut self.flux {
                            fv.params.annee_source = None;
                            fv.saved = fv.params.clone();
                        }
                    }
                }
            }
            Action::ExportFicheAssiette => {
                let Some(fv) = &self.flux else { return };
                let (b, a) = (fv.bailleur.clone(), fv.annee);
                self.handle(ctx, Action::FluxSave);
                let name = format!("Fiche_assiette_{}_{a}.xlsx", contingents::text::slug(&b));
                self.demander(
                    ctx,
                    Demande::enregistrer("Fiche de l'assiette", name, Suite::FicheAssiette { bailleur: b, annee: a }),
                );
            }
            Action::ExportChart(ext) => {
                let Some(v) = &self.view else { return };
                let kind = self.chart_kind;
                let name = format!("{}_{}.{ext}", kind.name(), contingents::text::slug(&v.territoire.label()));
                self.demander(ctx, Demande::enregistrer("Exporter le graphique", name, Suite::Graphique));
            }
            Action::FilterOn(kind, key) => {
                use contingents::charts::Kind;
                match kind {
                    Kind::Communes => self.filters.commune = Some(key),
                    Kind::Bailleurs => self.filters.bailleur = Some(key),
                    Kind::Reservataires | Kind::EtatReservation => {
                        self.reservataire = Some(key);
                        self.chart_by_reservataire = true;
                    }
                    Kind::Qpv => self.filters.qpv = Some(key == "qpv"),
                    Kind::IndividuelCollectif => {
                        self.filters.individuel_collectif = contingents::model::IndividuelCollectif::parse(&key)
                    }
                    _ => {}
                }
            }
            Action::ExportEtatDesLieux => {
                let Some(v) = &self.view else { return };
                if self.job.is_some() {
                    return;
                }
                let name = format!(
                    "EDL_consolide_{}_{}.xlsx",
                    contingents::text::slug(&v.territoire.label()),
                    v.date_reference
                );
                self.demander(ctx, Demande::enregistrer("État des lieux consolidé", name, Suite::EtatDesLieux));
            }
            Action::ExportAnnexe(ext) => {
                let Some(res) = self.reservataire.clone() else {
                    self.error = Some("Choisissez d'abord le réservataire dans le panneau des filtres.".into());
                    return;
                };
                let (commune, epci, bailleur) =
                    (self.filters.commune.clone(), self.filters.epci.clone(), self.filters.bailleur.clone());
                let epci = epci.or_else(|| {
                    if commune.is_none() {
                        self.view.as_ref().and_then(|v| v.cube.epcis().first().cloned())
                    } else {
                        None
                    }
                });
                let name = format!(
                    "Annexe_{}_{}.{ext}",
                    contingents::text::slug(&res),
                    commune.clone().or(epci.clone()).unwrap_or_default()
                );
                self.demander(
                    ctx,
                    Demande::enregistrer(
                        "Annexe de convention",
                        name,
                        Suite::Annexe { reservataire: res, commune, epci, bailleur },
                    ),
                );
            }
            Action::FicheNavetteVierge => self.demander(
                ctx,
                Demande::enregistrer(
                    "Fiche navette vierge (xlsx ou pdf)",
                    "Fiche_navette.xlsx".into(),
                    Suite::NavetteVierge,
                ),
            ),
            Action::FicheNavette { bailleur, reference, reservataire } => {
                let name = format!("Fiche_navette_{}.xlsx", contingents::text::slug(&reference));
                let reservataire = reservataire.unwrap_or_else(|| "etat".into());
                self.demander(
                    ctx,
                    Demande::enregistrer("Fiche navette", name, Suite::Navette { bailleur, reference, reservataire }),
                );
            }
            Action::ToggleWorkshop => {
                self.workshop = !self.workshop;
                self.settings.workshop = self.workshop;
                self.save_settings();
            }
        }
    }

    fn poll_job(&mut self) {
        let Some(job) = &self.job else { return };
        let Some(out) = job.poll() else { return };
        self.job = None;
        // What the job wrote is this window's own change.
        self.mark_seen();
        match out {
            JobOutput::Prepared(Ok((files, refuses))) => {
                self.wizard = Some(Wizard { files, refuses, summaries: None, error: None });
            }
            JobOutput::Prepared(Err(e)) => {
                self.wizard = Some(Wizard { files: vec![], refuses: vec![], summaries: None, error: Some(e) });
            }
            JobOutput::Flux(r) => match r {
                Ok(v) => self.flux = Some(*v),
                Err(e) => self.error = Some(e),
            },
            JobOutput::Bilan(r) => match r {
                Ok(v) => {
                    // The orientation asked on the same screen stays shown.
                    let orientation = self.bilan.take().and_then(|b| b.orientation);
                    self.bilan = Some(super::state::BilanView { orientation, ..*v });
                }
                Err(e) => self.error = Some(e),
            },
            JobOutput::Exported(r) => match r {
                Ok(p) => self.status = format!("Document écrit : {}", p.display()),
                Err(e) => self.error = Some(e),
            },
            JobOutput::Loaded { path, fresh: true, view } => self.opened(path, view.map(|v| *v)),
            JobOutput::Loaded { fresh: false, view, .. } => match view {
                Ok(v) => {
                    self.view = Some(*v);
                    self.view_generation += 1;
                    self.chart = None;
                }
                Err(e) => self.error = Some(e),
            },
            JobOutput::Imported(r) => {
                let w =
                    self.wizard.get_or_insert(Wizard { files: vec![], refuses: vec![], summaries: None, error: None });
                match r {
                    Ok(s) => {
                        let n: usize = s.iter().map(|x| x.logements).sum();
                        self.status = format!("Import terminé : {n} logements");
                        w.summaries = Some(s);
                    }
                    Err(e) => w.error = Some(e),
                }
                self.reload();
            }
        }
    }

    fn apply_style(&mut self, ctx: &egui::Context) {
        if self.workshop_applied == Some(self.workshop) {
            return;
        }
        if self.workshop_applied.is_none() {
            // DejaVu Sans (shipped in assets/) draws the arrows and symbols the default font lacks.
            ctx.add_font(egui::epaint::text::FontInsert::new(
                "DejaVuSans",
                egui::FontData::from_static(include_bytes!("../../assets/fonts/DejaVuSans.ttf")),
                vec![egui::epaint::text::InsertFontFamily {
                    family: egui::FontFamily::Proportional,
                    priority: egui::epaint::text::FontPriority::Lowest,
                }],
            ));
        }
        self.workshop_applied = Some(self.workshop);
        if self.workshop {
            ctx.set_visuals(super::theme::atelier());
            ctx.set_zoom_factor(1.6);
        } else {
            ctx.set_visuals(egui::Visuals::light());
            ctx.set_zoom_factor(1.0);
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(self.workshop));
    }

    /// Recomputes the consolidation figures only when the selection or the dossier changed.
    /// Returns true when the selection changed (the dwellings listed must follow it).
    fn refresh_memo(&mut self) -> bool {
        let Some(v) = &self.view else { return false };
        let key = (self.filters.clone(), self.reservataire.clone(), self.view_generation);
        if self.memo.as_ref().is_some_and(|m| m.key == key) {
            return false;
        }
        let had_memo = self.memo.is_some();
        let all = self.filters.filtre(None);
        self.memo = Some(super::state::ConsolidationMemo {
            chiffres: v.cube.chiffres_cles(&all),
            grille: v.cube.grille(&self.filters.filtre(self.reservataire.as_deref())),
            by_res: v
                .cube
                .counts_by(&all, None, consolidate::Dimension::Reservataire)
                .into_iter()
                .map(|(r, n)| (r.to_string(), n))
                .collect(),
            key,
        });
        had_memo
    }

    /// Draws the whole window; the eframe `App::ui` and the tests both call this.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.ctx.get_or_insert_with(|| ctx.clone());
        self.poll_job();
        self.watch_dossier();
        let selection_changed = self.refresh_memo();
        self.apply_style(&ctx);
        let mut actions = Vec::new();
        // The dwellings listed follow the filters: asked again under the new selection.
        if selection_changed && let Some(d) = &self.drill {
            actions.push(d.demande.clone());
        }
        ctx.input(|i| {
            if i.key_pressed(egui::Key::F11) {
                actions.push(Action::ToggleWorkshop);
            }
            if i.modifiers.command && i.key_pressed(egui::Key::O) {
                actions.push(Action::OpenDossierDialog);
            }
            if i.modifiers.command && i.key_pressed(egui::Key::I) && !self.workshop {
                actions.push(Action::ImportDialog);
            }
            if i.modifiers.command && i.key_pressed(egui::Key::Z) && !self.removed.is_empty() {
                actions.push(Action::UndoRemove);
            }
            let dropped: Vec<PathBuf> = i
                .raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect();
            if !dropped.is_empty() && !self.workshop {
                actions.push(Action::Prepare(dropped));
            }
        });
        if let Some(v) = &self.view
            && v.title() != self.title_sent
        {
            self.title_sent = v.title();
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(self.title_sent.clone()));
        }

        egui::Panel::top("menu").show(ui, |ui| screens::menu_bar(self, ui, &mut actions));
        egui::Panel::bottom("status").show(ui, |ui| screens::status_bar(self, ui, &mut actions));
        // The filters apply to the stock: not to the flux, the bilans or the history.
        if self.view.is_some() && !matches!(self.screen, Screen::Flux | Screen::Bilans | Screen::Historique) {
            egui::Panel::left("filtres")
                .resizable(true)
                .default_size(330.0)
                .min_size(260.0)
                .show(ui, |ui| screens::filters(self, ui));
        }
        egui::CentralPanel::default().show(ui, |ui| match (&self.view, self.screen) {
            (None, _) if self.job.is_some() => {
                ui.heading("Chargement du dossier…");
                ui.label("Un grand dossier prend quelques secondes ; la fenêtre reste utilisable.");
            }
            (None, _) => {
                ui.heading("Aucun dossier ouvert");
                ui.label("Ouvrez ou créez un dossier (menu Dossier), puis importez les états des lieux des bailleurs.");
            }
            (Some(_), Screen::Consolidation) => screens::consolidation(self, ui, &mut actions),
            (Some(_), Screen::Import) => screens::import(self, ui, &mut actions),
            (Some(_), Screen::Libelles) => screens::libelles(self, ui, &mut actions),
            (Some(_), Screen::Historique) => screens::historique(self, ui, &mut actions),
            (Some(_), Screen::Tableau) => screens::tableau(self, ui, &mut actions),
            (Some(_), Screen::Flux) => screens::flux(self, ui, &mut actions),
            (Some(_), Screen::Rapprochement) => screens::rapprochement(self, ui, &mut actions),
            (Some(v), Screen::Bilans) => match &self.bilan {
                Some(b) => actions.extend(screens::bilans(b, &v.cube.bailleurs(), ui)),
                None => {
                    ui.heading("Bilans du flux");
                    ui.label("Calcul du bilan…");
                    // Asked once: not again (nor the dossier read) at each frame of the computation.
                    if self.job.is_none() {
                        actions.push(Action::BilanSelect {
                            annee: latest_followed_year(v).unwrap_or(v.date_reference.year),
                            semestre: None,
                            bailleur: None,
                        })
                    }
                }
            },
        });
        if let Some(p) = &mut self.picker {
            match p.show(&ctx) {
                Some(super::picker::Issue::Choisi(suite, paths)) => {
                    self.picker = None;
                    actions.push(Action::Choisi(suite, paths));
                }
                Some(super::picker::Issue::Annule) => self.picker = None,
                None => {}
            }
        }
        for a in actions {
            self.handle(&ctx, a);
        }
        if self.job.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        } else if self.view.is_some() {
            // Look at the dossier file again in a while, even without input.
            ctx.request_repaint_after(std::time::Duration::from_secs(2));
        }
    }
}

/// The latest year of the dossier's register of mises à disposition, if any: the Bilans
/// screen opens on it.
fn latest_followed_year(v: &DossierView) -> Option<i32> {
    let d = Dossier::open_read_only(&v.path).ok()?;
    d.conn
        .query_row("SELECT MAX(substr(date_mise_a_disposition, 1, 4)) FROM mises_a_disposition", [], |r| {
            r.get::<_, Option<String>>(0)
        })
        .ok()
        .flatten()
        .and_then(|y| y.parse().ok())
}

impl Drop for App {
    fn drop(&mut self) {
        self.release_lock();
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let size = ui.ctx().input(|i| i.viewport().inner_rect.map(|r| [r.width(), r.height()]));
        if let Some(s) = size
            && !self.workshop
        {
            self.settings.window_size = Some(s);
        }
        self.show(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.save_settings();
        self.release_lock();
    }
}
