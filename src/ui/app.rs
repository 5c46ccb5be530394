//! The window: eight fields, each a part with one job. `AppState` is what is saved; the
//! screens draw from it and from the dossier's figures and return actions; `actions.rs`
//! is the one place where actions change state. The dossier is read and written by jobs
//! only (the window's lock file and the settings are the only files touched here); what
//! each screen shows is prepared here, in one place, before it is drawn.

use super::erreur::Erreur;
use super::picker::Picker;
use super::screens;
use super::settings::AppState;
use super::state::{Action, ChartCache, ConsolidationMemo, DossierView, Screen};
pub use super::state::{Ecrans, Messages, Wizard};
use super::tasks::{Fait, Job, JobOutput};
use contingents::consolidate;
use contingents::store::Dossier;
use eframe::egui;
use std::collections::VecDeque;
use std::path::PathBuf;

/// Background work: one job at a time; actions that need one wait their turn.
#[derive(Default)]
pub struct Travaux {
    pub job: Option<Job>,
    /// Actions to apply at the end of this frame.
    a_faire: VecDeque<Action>,
    /// Actions waiting for the job to end.
    attente: VecDeque<Action>,
    /// Run jobs at once on the UI thread (tests).
    pub synchrone: bool,
    /// The window's context, for jobs started outside a frame.
    pub ctx: Option<egui::Context>,
    /// The last request asked on the screens, and when: the same kind of request again at once
    /// (a job or a write) is the second click of a double-click, dropped.
    derniere: Option<(Action, std::time::Instant)>,
    /// A second click within this time asks the same thing again: one request, one message
    /// (the tests, faster than any hand, set it to zero unless they test it).
    pub double_clic: std::time::Duration,
}

/// The time of a double-click.
pub const DOUBLE_CLIC: std::time::Duration = std::time::Duration::from_millis(600);

/// The file dialogs: the system's (on its own thread, the window keeps drawing), else the
/// picker drawn in the window.
#[derive(Default)]
pub struct Fichiers {
    pub picker: Option<Picker>,
    /// The system's dialog returned at once without a window: the picker from now on.
    pub systeme_muet: bool,
    /// The system's dialog open on its thread: what was asked, and its answer when it comes
    /// (the paths chosen, and how long the dialog stayed open).
    pub ouvert: Option<std::sync::mpsc::Receiver<Reponse>>,
}

/// The answer of the system's dialog: what was asked, the paths chosen (none: cancelled or
/// not shown), how long it stayed open.
pub type Reponse = (super::picker::Demande, Option<Vec<PathBuf>>, std::time::Duration);

/// The open dossier's file: lock, changes seen, files waiting to be imported.
#[derive(Default)]
pub struct Session {
    /// Another window holds the dossier: this one only reads it.
    pub read_only: bool,
    lock: Option<contingents::store::verrou::Verrou>,
    /// The dossier file's last modification seen, and when it was last looked at.
    vu: Option<(std::time::SystemTime, std::time::Instant)>,
    /// Bumped at each (re)load of the figures, so memos know they are stale.
    pub generation: usize,
    /// Files to open in the import wizard once the dossier is loaded (`gui --importer`).
    pub pending_import: Vec<PathBuf>,
    /// The dossier those files wait for when it does not exist yet: they are opened only once
    /// it is created (its territory and date asked) and loaded, never in another dossier.
    pub pending_import_for: Option<PathBuf>,
}

/// What was last sent to the window system.
#[derive(Default)]
pub struct Fenetre {
    /// Whether the state is written to the user's configuration (not in tests).
    pub persist: bool,
    title_sent: String,
    workshop_applied: Option<bool>,
    /// The state changed since it was last written, and when it was.
    a_sauver: bool,
    sauve: Option<std::time::Instant>,
    /// The window was told to close (after the work it was doing was cancelled).
    pub fermee: bool,
}

pub struct App {
    pub state: AppState,
    pub view: Option<DossierView>,
    pub ecrans: Ecrans,
    pub travaux: Travaux,
    pub messages: Messages,
    pub fichiers: Fichiers,
    pub session: Session,
    pub fenetre: Fenetre,
}

impl App {
    pub fn new(state: AppState) -> Self {
        App {
            state,
            view: None,
            ecrans: Ecrans::default(),
            travaux: Travaux { double_clic: DOUBLE_CLIC, ..Default::default() },
            messages: Messages::default(),
            fichiers: Fichiers::default(),
            session: Session::default(),
            fenetre: Fenetre { persist: true, ..Default::default() },
        }
    }

    /// A window for tests: state not saved, jobs run at once.
    #[cfg(test)]
    pub fn for_tests(dossier: PathBuf) -> Self {
        let mut app = App::new(AppState::default());
        app.fenetre.persist = false;
        app.travaux.synchrone = true;
        app.travaux.double_clic = std::time::Duration::ZERO;
        app.open(dossier);
        app
    }

    /// The state is written at most once a second, by a short thread: a click on a filter
    /// never waits for the disk.
    pub(super) fn save_state(&mut self) {
        self.fenetre.a_sauver = self.fenetre.persist;
    }

    fn flush_state(&mut self, now: bool) {
        let recent = self.fenetre.sauve.is_some_and(|t| t.elapsed() < std::time::Duration::from_secs(1));
        if !self.fenetre.a_sauver || (recent && !now) {
            return;
        }
        self.fenetre.a_sauver = false;
        self.fenetre.sauve = Some(std::time::Instant::now());
        let state = self.state.clone();
        if now || std::thread::Builder::new().name("contingents-reglages".into()).spawn(move || state.save()).is_err() {
            self.state.save();
        }
    }

    /// Editing controls are shown: not in workshop mode, not on a dossier another window holds.
    pub fn can_edit(&self) -> bool {
        !self.state.workshop && !self.session.read_only
    }

    pub(super) fn release_lock(&mut self) {
        if let Some(v) = self.session.lock.take() {
            v.liberer();
        }
    }

    /// Locks the dossier (`<dossier>.verrou`, see [`contingents::store::verrou`]: the command
    /// line respects it too); when another window holds it, the dossier is opened read-only
    /// and the holder's process number is given. `Some(None)`: held, by an unknown process.
    pub(super) fn take_lock(&mut self, path: &std::path::Path) -> Option<Option<u32>> {
        self.release_lock();
        match contingents::store::verrou::Verrou::prendre(path) {
            Ok(v) => {
                self.session.lock = v;
                None
            }
            Err(t) => Some(t.0),
        }
    }

    /// Starts the window on the dossier `ouvrir` with `fichiers` to import. With `a_creer`, a
    /// dossier file named on the command line that does not exist yet, the new dossier's wizard
    /// comes first — its territory and reference date asked, never defaulted (a dossier made
    /// without them would count every convention against another territory and date) — and the
    /// files go to the import wizard once that dossier is created and open.
    pub fn demarrer(&mut self, ouvrir: PathBuf, a_creer: Option<PathBuf>, fichiers: Vec<PathBuf>) {
        self.session.pending_import = fichiers;
        // The wizard is shown once `ouvrir` is loaded (a load resets the dialogs).
        self.session.pending_import_for = a_creer;
        self.open(ouvrir);
    }

    /// Opens a dossier (public for tests, which cannot drive a file dialog).
    pub fn open(&mut self, path: PathBuf) {
        self.handle_now(Action::OpenDossier(path));
    }

    /// Takes the dossier file's current state as seen: this window's own writes (imports,
    /// mappings, saved parameters) are not changes made by another program.
    pub(super) fn mark_seen(&mut self) {
        if let Some(path) = self.dossier_path()
            && let Ok(m) = std::fs::metadata(&path).and_then(|m| m.modified())
        {
            self.session.vu = Some((m, std::time::Instant::now()));
        }
    }

    /// Reloads the figures when the dossier changed on disk (another program wrote it), at
    /// most once a second.
    fn watch_dossier(&mut self) {
        let Some(path) = self.dossier_path() else { return };
        let now = std::time::Instant::now();
        if self.session.vu.is_some_and(|(_, t)| now.duration_since(t) < std::time::Duration::from_secs(1))
            || self.travaux.job.is_some()
        {
            return;
        }
        let Ok(m) = std::fs::metadata(&path).and_then(|m| m.modified()) else { return };
        match self.session.vu {
            Some((seen, _)) if seen != m => {
                self.session.vu = Some((m, now));
                self.messages.status = "Le dossier a changé sur le disque : chiffres rechargés".into();
                self.reload();
            }
            _ => self.session.vu = Some((m, now)),
        }
    }

    pub(super) fn reload(&mut self) {
        if let Some(v) = &self.view {
            let p = v.path.clone();
            self.push(Action::Recharger(p));
        }
    }

    pub(super) fn dossier_path(&self) -> Option<PathBuf> {
        self.view.as_ref().map(|v| v.path.clone())
    }

    /// An action for the end of this frame.
    pub(super) fn push(&mut self, a: Action) {
        self.travaux.a_faire.push_back(a);
    }

    /// Applies an action and what it leads to (tests call this as a click would).
    #[cfg(test)]
    pub fn handle(&mut self, _ctx: &egui::Context, action: Action) {
        self.handle_now(action);
    }

    fn handle_now(&mut self, action: Action) {
        self.push(action);
        self.drain();
    }

    /// Applies the actions of the frame in order; those that need a job while one runs
    /// wait for its end. Never recursive: an action that leads to another queues it.
    fn drain(&mut self) {
        // Closed (after its work was cancelled): nothing more starts.
        if self.fenetre.fermee {
            self.travaux.a_faire.clear();
            self.travaux.attente.clear();
            return;
        }
        while let Some(a) = self.travaux.a_faire.pop_front() {
            if a.effet().travail() && self.travaux.job.is_some() {
                // Asked twice while waiting (a screen asks again each frame): once.
                if !self.travaux.attente.contains(&a) {
                    self.travaux.attente.push_back(a);
                }
            } else {
                self.apply(a);
            }
        }
    }

    /// Starts a job; in tests it runs at once and its result is taken at once.
    pub(super) fn lancer(
        &mut self,
        label: &str,
        work: impl FnOnce(&dyn contingents::import::run::Progress, &std::sync::atomic::AtomicBool) -> JobOutput
        + Send
        + 'static,
    ) {
        // Actions that start a job wait for the one running (`Effet::travail`): one job at a
        // time, none dropped.
        debug_assert!(self.travaux.job.is_none(), "a job started while « {label} » was running");
        let ctx = self.travaux.ctx.clone().unwrap_or_default();
        self.travaux.job = Some(Job::spawn(label, &ctx, self.travaux.synchrone, work));
        if self.travaux.synchrone {
            self.poll_job();
        }
    }

    /// A write or a read of the dossier, off the window's thread.
    pub(super) fn sur_dossier(
        &mut self,
        label: &str,
        ecrire: bool,
        f: impl FnOnce(&mut Dossier) -> Result<Fait, Erreur> + Send + 'static,
    ) {
        let Some(path) = self.dossier_path() else { return };
        if ecrire && self.session.read_only {
            self.messages.error = Some(Erreur::LectureSeule);
            return;
        }
        self.lancer(label, move |p, _| {
            p.update(0.3, "Dossier en cours de mise à jour");
            let d = if ecrire { Dossier::open(&path, false) } else { Dossier::open_read_only(&path) };
            JobOutput::Fait(d.map_err(Erreur::from).and_then(|mut d| f(&mut d)).map(Box::new))
        });
    }

    pub(super) fn poll_job(&mut self) {
        let Some(job) = &self.travaux.job else { return };
        let Some(out) = job.poll() else { return };
        if job.label == "ouverture" {
            super::trace::etape("fenêtre", Some("dossier reçu : installé, premier écran construit"));
        }
        self.travaux.job = None;
        // What the job wrote is this window's own change.
        self.mark_seen();
        self.apply_output(out);
        // The user asked to close once the work was cancelled.
        if self.ecrans.fermer_apres {
            self.fermer_la_fenetre();
            return;
        }
        if let Some(a) = self.travaux.attente.pop_front() {
            self.travaux.a_faire.push_front(a);
        }
    }

    fn apply_style(&mut self, ctx: &egui::Context) {
        let workshop = self.state.workshop;
        if self.fenetre.workshop_applied == Some(workshop) {
            return;
        }
        if self.fenetre.workshop_applied.is_none() {
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
        self.fenetre.workshop_applied = Some(workshop);
        if workshop {
            ctx.set_visuals(super::theme::atelier());
            ctx.set_zoom_factor(1.6);
        } else {
            ctx.set_visuals(super::theme::normal());
            ctx.set_zoom_factor(1.0);
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(workshop));
    }

    /// Recomputes the consolidation figures only when the selection or the dossier changed.
    /// Returns true when the selection changed (the dwellings listed must follow it).
    fn refresh_memo(&mut self) -> bool {
        let Some(v) = &self.view else { return false };
        let s = &self.state;
        let key = (s.filters.clone(), s.reservataire.clone(), self.session.generation);
        if self.ecrans.memo.as_ref().is_some_and(|m| m.key == key) {
            return false;
        }
        let had_memo = self.ecrans.memo.is_some();
        let all = s.filters.avec_reservataire(None);
        self.ecrans.memo = Some(ConsolidationMemo {
            chiffres: v.cube.chiffres_cles(&all),
            grille: v.cube.grille(&s.filters.avec_reservataire(s.reservataire.as_deref())),
            by_res: v
                .cube
                .counts_by(&all, None, consolidate::Dimension::Reservataire)
                .into_iter()
                .map(|(r, n)| (contingents::model::Reservataire::new(r), n))
                .collect(),
            key,
        });
        had_memo
    }

    /// The figures of the dashboard's charts, recomputed when the chart, the filters or the
    /// dossier change (never at each frame).
    fn refresh_graphique(&mut self) {
        use contingents::charts;
        let Some(v) = &self.view else { return };
        let state = &self.state;
        let g = state.graphique;
        let key = format!("{g:?}{:?}{:?}{}", state.filters, state.reservataire, self.session.generation);
        if self.ecrans.graphique.as_ref().is_some_and(|c| c.key == key) {
            return;
        }
        let du = |k| screens::tableau::filtre_du_graphique(state, k);
        let data = if g.kind == charts::Kind::Synthese {
            charts::SYNTHESE.iter().map(|k| charts::data(&v.cube, *k, &du(*k), g.stock)).collect()
        } else {
            vec![charts::data(&v.cube, g.kind, &du(g.kind), g.stock)]
        };
        let chiffres = v.cube.chiffres_cles(&state.filtre_tableau());
        let sous_titre = screens::tableau::sous_titre(state, v);
        self.ecrans.graphique = Some(ChartCache { key, data, chiffres, sous_titre });
    }

    /// What the screen shown needs, prepared in one place: figures computed from the cube,
    /// or the job that loads them (asked once, not at each frame of the computation).
    fn preparer_ecran(&mut self) -> Vec<Action> {
        if self.view.is_none() {
            return vec![];
        }
        let libre = self.travaux.job.is_none() && self.travaux.attente.is_empty();
        match self.state.screen {
            Screen::Tableau => {
                self.refresh_graphique();
                vec![]
            }
            Screen::Flux if self.ecrans.flux.is_none() && libre => vec![Action::FluxInitial],
            Screen::Bilans if self.ecrans.bilan.is_none() && libre => vec![Action::BilanInitial],
            Screen::Consolidation
            | Screen::Import
            | Screen::Libelles
            | Screen::Rapprochement
            | Screen::Flux
            | Screen::Bilans
            | Screen::Historique => vec![],
        }
    }

    /// Closes the window (after the work it was doing ended).
    pub(super) fn fermer_la_fenetre(&mut self) {
        self.ecrans.fermer_apres = false;
        self.fenetre.fermee = true;
        if let Some(ctx) = &self.travaux.ctx {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    /// Closing the window while a job writes or exports: the user is asked first (« Un
    /// import est en cours : l'annuler et fermer ? »); a read is just dropped.
    fn fermeture_demandee(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) || self.fenetre.fermee {
            return;
        }
        let Some(job) = &self.travaux.job else {
            // Flux parameters typed and not saved: « enregistrer / ne pas enregistrer / annuler ».
            if self.ecrans.flux.as_ref().is_some_and(super::state::FluxView::modifie) && self.can_edit() {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.ecrans.question_flux = Some(super::state::ApresFlux::Fermer);
            }
            return;
        };
        if self.ecrans.fermer_apres {
            // Already cancelling, to close at its end.
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        } else if screens::question_de_fermeture(&job.label).is_some() {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.ecrans.fermeture = true;
        }
    }

    /// Échap: the dialog or question on top is answered « Annuler » (or « Garder », « Ne pas
    /// fermer »), as its button would: the file dialog first, then the questions, then the
    /// dialogs, then a confirmation asked on the screen.
    fn echap(&mut self) -> Option<Action> {
        if self.fichiers.picker.take().is_some() {
            return None;
        }
        let e = &self.ecrans;
        if e.fermeture {
            Some(Action::Fermer(false))
        } else if e.question_flux.is_some() && e.flux.is_some() {
            Some(Action::ReponseFlux(None))
        } else if e.navette_exclue.is_some() {
            Some(Action::NavetteExclue(false))
        } else if e.annexe.is_some() {
            Some(Action::FermerAnnexe)
        } else if e.proprietes.is_some() {
            Some(Action::FermerProprietes)
        } else if e.creation.is_some() {
            Some(Action::FermerCreation)
        } else if e.retrait_demande.is_some() && self.state.screen == Screen::Historique {
            Some(Action::AskRemove(-1))
        } else if e.renommage.is_some() && self.state.screen == Screen::Historique {
            Some(Action::RenommerDialog(None))
        } else if e.drill.is_some() && self.state.screen == Screen::Consolidation {
            Some(Action::FermerDrill)
        } else {
            None
        }
    }

    fn keys(&self, ctx: &egui::Context) -> Vec<Action> {
        let mut actions = Vec::new();
        let workshop = self.state.workshop;
        ctx.input(|i| {
            if i.key_pressed(egui::Key::F11) {
                actions.push(Action::ToggleWorkshop);
            }
            if i.key_pressed(egui::Key::F9) {
                actions.push(Action::ToggleFiltres);
            }
            if i.modifiers.command && i.key_pressed(egui::Key::O) {
                actions.push(Action::OpenDossierDialog);
            }
            if i.modifiers.command && i.key_pressed(egui::Key::I) {
                actions.push(if workshop {
                    Action::HorsAtelier("importer des fichiers")
                } else {
                    Action::ImportDialog
                });
            }
            // Ctrl+Z: the mise à disposition just deleted on the bilans screen comes back, else
            // the last import removed (both also have their button).
            if i.modifiers.command && i.key_pressed(egui::Key::Z) {
                let supprimee = self.state.screen == Screen::Bilans
                    && self.ecrans.bilan.as_ref().is_some_and(|b| b.formulaire.supprimee.is_some());
                if supprimee && !workshop {
                    actions.push(Action::RetablirMiseADisposition);
                } else if !self.ecrans.retires.is_empty() {
                    actions.push(Action::UndoRemove);
                } else {
                    actions.push(Action::RienAAnnuler);
                }
            }
            // Ctrl+S: the flux parameters typed are saved (« Enregistrer les paramètres »).
            if i.modifiers.command
                && i.key_pressed(egui::Key::S)
                && self.state.screen == Screen::Flux
                && self.ecrans.flux.as_ref().is_some_and(|f| f.modifie() || f.a_confirmer())
                && self.can_edit()
            {
                actions.push(Action::FluxSave);
            }
            let dropped: Vec<PathBuf> = i
                .raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect();
            if !dropped.is_empty() {
                actions.push(if workshop {
                    Action::HorsAtelier("importer des fichiers")
                } else {
                    Action::Prepare(dropped)
                });
            }
        });
        actions
    }

    /// Draws the whole window; the eframe `App::ui` and the tests both call this.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.travaux.ctx.get_or_insert_with(|| ctx.clone());
        self.poll_job();
        self.watch_dossier();
        self.fermeture_demandee(&ctx);
        let selection_changed = self.refresh_memo();
        self.apply_style(&ctx);
        // The workshop shows only its screens: entered from another one (the import, the
        // labels, the history…), or started so, it shows the consolidation.
        if self.state.workshop && !self.state.screen.en_atelier() {
            self.state.screen = Screen::Consolidation;
        }
        let mut actions = self.keys(&ctx);
        // Échap, before anything is drawn: a drop-down list open at the last frame takes it.
        let echap = ctx.input(|i| i.key_pressed(egui::Key::Escape)) && !egui::Popup::is_any_open(&ctx);
        actions.extend(self.preparer_ecran());
        // The dwellings listed follow the filters: asked again under the new selection.
        if selection_changed && let Some(d) = &self.ecrans.drill {
            actions.push(d.demande.clone());
        }
        if let Some(v) = &self.view
            && v.title() != self.fenetre.title_sent
        {
            self.fenetre.title_sent = v.title();
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(self.fenetre.title_sent.clone()));
        }
        let edit = self.can_edit();
        let (state, view, ecrans) = (&self.state, &self.view, &mut self.ecrans);
        egui::Panel::top("menu").show(ui, |ui| actions.extend(screens::menu_bar(state, view.as_ref(), edit, ui)));
        egui::Panel::bottom("status").show(ui, |ui| {
            let attente = self.travaux.attente.len();
            actions.extend(screens::status_bar(
                &self.messages,
                self.travaux.job.as_ref(),
                attente,
                &ecrans.retires,
                state.workshop,
                ui,
            ))
        });
        // Each screen under the dossier it shows: its name, territory and reference date (and
        // the demonstration said as such).
        if let Some(v) = view {
            egui::Panel::top("dossier").show(ui, |ui| actions.extend(screens::en_tete(v, state.workshop, edit, ui)));
        }
        // The filters apply to the stock: not to the flux, the bilans or the history.
        if let Some(v) = view
            && !state.filtres_masques
            && !matches!(
                state.screen,
                Screen::Flux | Screen::Bilans | Screen::Historique | Screen::Import | Screen::Libelles
            )
        {
            egui::Panel::left("filtres").resizable(true).default_size(300.0).min_size(240.0).show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| actions.extend(screens::filters(state, v, ui)))
            });
        }
        let busy = self.travaux.job.is_some();
        let etape = self.travaux.job.as_ref().map(|j| j.fraction());
        let generation = self.session.generation;
        egui::CentralPanel::default().show(ui, |ui| {
            let Some(v) = view else {
                if busy {
                    ui.heading("Chargement du dossier…");
                    // What the opening does, and how far it has gone (the status bar can cancel).
                    if let Some((f, msg)) = &etape {
                        ui.add(egui::ProgressBar::new(*f).desired_width(420.0).show_percentage().text(msg.as_str()));
                    }
                    if ui.button("Annuler l'ouverture").clicked() {
                        actions.push(Action::Cancel);
                    }
                    ui.label("Un grand dossier prend quelques secondes ; la fenêtre reste utilisable.");
                } else {
                    ui.heading("Aucun dossier ouvert");
                    ui.label(
                        "Ouvrez ou créez un dossier (menu Dossier), puis importez les états des lieux des bailleurs.",
                    );
                }
                return;
            };
            actions.extend(match state.screen {
                Screen::Consolidation => screens::consolidation(state, v, ecrans, generation, ui),
                Screen::Import => screens::import(v, ecrans.wizard.as_mut(), busy, ui),
                Screen::Libelles => screens::libelles(v, &mut ecrans.libelles, ui),
                Screen::Historique => {
                    screens::historique(v, ecrans.retrait_demande, ecrans.renommage.as_deref(), edit, ui)
                }
                Screen::Tableau => screens::tableau(state, ecrans.graphique.as_ref(), edit, ui),
                Screen::Flux => screens::flux(v, ecrans.flux.as_mut(), edit, ui),
                Screen::Rapprochement => screens::rapprochement(state, ecrans.rapprochement.as_ref(), edit, ui),
                Screen::Bilans => match &ecrans.bilan {
                    Some(b) => screens::bilans(b, &v.bailleurs(), edit, self.state.workshop, ui),
                    None => {
                        ui.heading("Bilans du flux");
                        ui.label("Calcul du bilan…");
                        vec![]
                    }
                },
            });
        });
        // Dialogs over the screens.
        if let Some(c) = &mut self.ecrans.creation {
            actions.extend(screens::creation(c, &ctx));
        }
        if let (Some(p), Some(v)) = (&mut self.ecrans.proprietes, &self.view) {
            actions.extend(screens::proprietes(p, v, edit, &ctx));
        }
        if let (Some(a), Some(v)) = (&mut self.ecrans.annexe, &self.view) {
            actions.extend(screens::annexe(a, v, &ctx));
        }
        if let Some(a) = &self.ecrans.navette_exclue {
            actions.extend(screens::navette_exclue(a, &ctx));
        }
        if let (Some(q), Some(fv)) = (&self.ecrans.question_flux, &self.ecrans.flux) {
            actions.extend(screens::question_flux(q, fv, &ctx));
        }
        if self.ecrans.fermeture {
            match &self.travaux.job {
                Some(job) => actions.extend(screens::fermeture(&job.label, &ctx)),
                // The job ended during the question: said, and asked again (testergui F3).
                None => actions.extend(screens::fermeture_apres_travail(&ctx)),
            }
        }
        if let Some(a) = self.poll_dialog() {
            actions.push(a);
        }
        if echap {
            actions.extend(self.echap());
        }
        if let Some(p) = &mut self.fichiers.picker {
            match p.show(&ctx) {
                Some(super::picker::Issue::Choisi(suite, paths)) => {
                    self.fichiers.picker = None;
                    actions.push(Action::Choisi(suite, paths));
                }
                Some(super::picker::Issue::Annule) => self.fichiers.picker = None,
                None => {}
            }
        }
        // A double-click on a button that starts a job or writes: the same request twice in a
        // row (the second maybe on the form the first one emptied), nothing asked in between,
        // done once — never two messages, never a declaration refused as its own double. The
        // lists the screens ask again by themselves are no clicks.
        let maintenant = std::time::Instant::now();
        actions.retain(|a| {
            if matches!(a, Action::Drill { .. } | Action::FluxInitial | Action::BilanInitial | Action::Recharger(_)) {
                return true;
            }
            let double = a.effet() != crate::ui::state::Effet::Fenetre
                && self.travaux.derniere.as_ref().is_some_and(|(x, t)| {
                    std::mem::discriminant(x) == std::mem::discriminant(a)
                        && maintenant.duration_since(*t) < self.travaux.double_clic
                });
            if !double {
                self.travaux.derniere = Some((a.clone(), maintenant));
            }
            !double
        });
        self.travaux.a_faire.extend(actions);
        self.drain();
        self.flush_state(false);
        if self.fenetre.a_sauver {
            ctx.request_repaint_after(std::time::Duration::from_secs(1));
        }
        if self.travaux.job.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        } else if self.view.is_some() {
            // Look at the dossier file again in a while, even without input.
            ctx.request_repaint_after(std::time::Duration::from_secs(2));
        }
    }
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
            && !self.state.workshop
        {
            self.state.window_size = Some(s);
        }
        self.show(ui);
        if self.view.is_some() {
            super::trace::peint();
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.save_state();
        self.flush_state(true);
        self.release_lock();
    }
}
