//! File dialogs: the system's or the window's picker, where each use starts, and what
//! follows a choice (a document exported, files imported, a dossier opened).

use super::*;

impl App {
    /// Asks for a file: the system's dialog when it answers, else the picker in the window
    /// (always in tests). What follows is `Action::Choisi`. Each use starts in the folder
    /// last used for it.
    pub(super) fn demander(&mut self, d: Demande) {
        use crate::ui::picker::systeme_disponible;
        let depart = self.depart(d.suite.usage());
        let recents = self.recent_dirs();
        let (synchrone, muet) = (self.travaux.synchrone, self.fichiers.systeme_muet);
        if synchrone || muet || !systeme_disponible() {
            // Said once: the next dialogs are the window's own without a word.
            let prevenu = std::mem::replace(&mut self.fichiers.systeme_muet, true);
            let msg = (!synchrone && !prevenu).then(|| {
                "Pas de sélecteur de fichiers du système ici (portail xdg absent) : voici celui de Contingents. Pour retrouver celui du système, installez xdg-desktop-portal et xdg-desktop-portal-gtk (ou -kde).".to_string()
            });
            let mut picker = Picker::new(d, depart, recents, msg);
            picker.sources = self.sources();
            self.fichiers.picker = Some(picker);
            return;
        }
        if self.fichiers.ouvert.is_some() {
            // One system dialog at a time: it is on screen, perhaps behind the window.
            self.messages.dire("Une fenêtre de choix de fichier est déjà ouverte : répondez-y d'abord.");
            return;
        }
        // On its own thread: the window keeps drawing (and its jobs reporting) meanwhile.
        // macOS wants its dialogs on the main thread: there it blocks, as every Mac app does.
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx = self.travaux.ctx.clone();
        let run = move || {
            let t = std::time::Instant::now();
            let r = d.systeme(depart.as_deref());
            let _ = tx.send((d, r, t.elapsed()));
            if let Some(c) = ctx {
                c.request_repaint();
            }
        };
        if cfg!(target_os = "macos")
            || std::thread::Builder::new().name("contingents-dialogue".into()).spawn(run.clone()).is_err()
        {
            run();
        }
        self.fichiers.ouvert = Some(rx);
    }

    /// Where a file dialog of this use starts: the folder last used for it, else the open
    /// dossier's folder.
    pub(super) fn depart(&self, usage: Usage) -> Option<PathBuf> {
        let remembered = self.state.dossiers_par_usage.get(&usage).filter(|d| d.is_dir()).cloned();
        // The demonstration lives in the program's data folder: never a place for the user's files.
        let dossier =
            self.view.as_ref().filter(|v| !v.demonstration).and_then(|v| v.path.parent().map(|x| x.to_path_buf()));
        let documents = || directories::UserDirs::new().and_then(|u| u.document_dir().map(|d| d.to_path_buf()));
        remembered.or(dossier).or_else(documents)
    }

    /// The system's dialog answered: the paths chosen, or the picker of the window when the
    /// dialog could not be shown (it came back at once without a window).
    pub(in crate::ui) fn poll_dialog(&mut self) -> Option<Action> {
        let (d, r, elapsed) = self.fichiers.ouvert.as_ref()?.try_recv().ok()?;
        self.fichiers.ouvert = None;
        match r {
            Some(paths) => Some(Action::Choisi(d.suite, paths)),
            None if elapsed < std::time::Duration::from_millis(150) => {
                self.fichiers.systeme_muet = true;
                let msg = "Le sélecteur de fichiers du système n'a pas répondu : voici celui de Contingents. Pour retrouver celui du système, installez xdg-desktop-portal et xdg-desktop-portal-gtk (ou -kde).";
                let depart = self.depart(d.suite.usage());
                let recents = self.recent_dirs();
                let mut picker = Picker::new(d, depart, recents, Some(msg.into()));
                picker.sources = self.sources();
                self.fichiers.picker = Some(picker);
                None
            }
            None => None,
        }
    }

    /// The folders where files were really chosen, the last first, then those of the recent
    /// dossiers.
    pub(super) fn recent_dirs(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = self.state.dossiers_recents.clone();
        for p in self.state.recent.iter().filter_map(|p| p.parent()) {
            if !v.iter().any(|x| x == p) {
                v.push(p.to_path_buf());
            }
        }
        v.retain(|d| d.is_dir());
        v.truncate(8);
        v
    }

    /// The files imported into the open dossier (name, SHA-256): no document is written over
    /// them.
    pub(super) fn sources(&self) -> Vec<crate::ui::picker::Source> {
        let Some(v) = &self.view else { return vec![] };
        v.historique.iter().map(|e| (e.fichier.clone(), e.sha256.clone())).collect()
    }

    /// What a chosen file is for: every export is a job.
    /// The new dossier's wizard for the file `path`: territory to choose, reference date proposed.
    pub(in crate::ui) fn proposer_creation(&mut self, path: PathBuf) {
        let (date, pourquoi) = crate::ui::state::date_de_reference_proposee(contingents::store::aujourdhui());
        self.ecrans.creation = Some(Creation {
            path,
            recherche: String::new(),
            territoire: None,
            date: contingents::format::date_fr(&date.to_string()),
            pourquoi,
            en_attente: vec![],
        });
    }

    pub(super) fn choisi(&mut self, suite: Suite, paths: Vec<PathBuf>) {
        let Some(out) = paths.first().cloned() else { return };
        // Whatever dialog chose it: a document never replaces a dossier nor a file it imported.
        if suite.usage() == Usage::Exporter
            && let Some(r) = crate::ui::picker::refus_d_ecriture(&out, &self.sources())
        {
            self.messages.erreur(Erreur::Texte(r.to_string()));
            return;
        }
        self.state.dossier_utilise(suite.usage(), &out);
        self.save_state();
        match suite {
            Suite::OuvrirDossier => self.push(Action::OpenDossier(out)),
            Suite::NouveauDossier => {
                // The dossier's extension, added when the name has none of it.
                let path = if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("contingents")) {
                    out
                } else {
                    PathBuf::from(format!("{}.contingents", out.display()))
                };
                self.proposer_creation(path);
            }
            Suite::Importer => self.push(Action::Prepare(paths)),
            Suite::Rapprocher => self.push(Action::Rapprocher(out)),
            Suite::Bilan => {
                let Some(Ok(b)) = self.ecrans.bilan.as_ref().map(|v| &v.bilan) else { return };
                let b = b.clone();
                self.lancer("export", move |_, _| {
                    JobOutput::Fait(
                        contingents::export::bilan::export(&b, &out)
                            .map(|_| Box::new(Fait::Ecrit(Document::Bilan, out)))
                            .map_err(Erreur::from),
                    )
                });
            }
            Suite::Graphique => {
                let Some(v) = &self.view else { return };
                let (cube, g) = (Arc::clone(&v.cube), self.state.graphique);
                // The same bars as in the window.
                let f = crate::ui::screens::tableau::filtre_du_graphique(&self.state, g.kind);
                let sous_titre = crate::ui::screens::tableau::sous_titre(&self.state, v);
                self.lancer("export", move |_, _| {
                    JobOutput::Fait(
                        contingents::charts::export(&cube, g.kind, &f, g.stock, &sous_titre, &out)
                            .map(|_| Box::new(Fait::Ecrit(Document::Graphique, out)))
                            .map_err(Erreur::Graphique),
                    )
                });
            }
            Suite::EtatDesLieux => {
                let Some(path) = self.dossier_path() else { return };
                // Long on a large dossier: « Annuler » stops it, nothing written.
                self.lancer("état des lieux", move |p, _| {
                    let r = Dossier::open_read_only(&path).map_err(Erreur::from).and_then(|d| {
                        contingents::export::etat_des_lieux::export(&d, &out, p)?;
                        Ok(Box::new(Fait::Ecrit(Document::EtatDesLieux, out)))
                    });
                    JobOutput::Fait(r)
                });
            }
            Suite::Prevision { bailleur, annee } => self.sur_dossier("export", false, move |d| {
                contingents::export::prevision::export(d, &bailleur, annee, &out)?;
                Ok(Fait::Ecrit(Document::Prevision, out))
            }),
            Suite::FicheAssiette { bailleur, annee } => self.sur_dossier("export", false, move |d| {
                contingents::export::fiche_assiette::export(d, &bailleur, annee, &out)?;
                Ok(Fait::Ecrit(Document::FicheAssiette, out))
            }),
            Suite::Annexe { reservataire, commune, epci, bailleur, annee } => {
                self.sur_dossier("export", false, move |d| {
                    contingents::export::annexe::export(
                        d,
                        &reservataire,
                        commune.as_deref(),
                        epci.as_deref(),
                        bailleur.as_deref(),
                        Some(annee),
                        &out,
                    )?;
                    Ok(Fait::Ecrit(Document::Annexe, out))
                })
            }
            Suite::NavetteMiseADisposition(id) => self.sur_dossier("export", false, move |d| {
                let m = contingents::suivi::saisies(d)?
                    .into_iter()
                    .find(|m| m.id == id)
                    .ok_or(Erreur::MiseADispositionInconnue(id))?;
                let v = contingents::export::fiche_navette::valeurs_mise_a_disposition(d, &m)?;
                contingents::export::fiche_navette::export(Some(d), &v, &out)?;
                Ok(Fait::Ecrit(Document::FicheNavette, out))
            }),
            Suite::NavetteVierge => self.sur_dossier("export", false, move |d| {
                contingents::export::fiche_navette::export(Some(d), &Default::default(), &out)?;
                Ok(Fait::Ecrit(Document::FicheNavette, out))
            }),
            Suite::Navette { bailleur, reference, reservataire } => self.sur_dossier("export", false, move |d| {
                let v = contingents::export::fiche_navette::valeurs(d, &bailleur, &reference, &reservataire)?;
                contingents::export::fiche_navette::export(Some(d), &v, &out)?;
                Ok(Fait::Ecrit(Document::FicheNavette, out))
            }),
        }
    }
}
