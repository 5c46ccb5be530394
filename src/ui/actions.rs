//! The one place where actions change the window's state, and where the results of jobs
//! come back. Reads and writes of the dossier, imports and exports all run as jobs.

use super::app::{App, Wizard};
use super::erreur::Erreur;
use super::picker::{Demande, Picker, Suite};
use super::state::{Action, BilanView, DossierView, Drill, FluxView, Screen};
use super::tasks::{Fait, JobOutput};
use contingents::consolidate;
use contingents::import::run::{prepare_file, reapply_mappings, write_prepared};
use contingents::store::Dossier;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

const TABLEURS: (&str, &[&str]) = ("Tableurs et CSV", &["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "txt"]);

impl App {
    pub(super) fn apply(&mut self, action: Action) {
        if action.edits() && self.session.read_only {
            self.messages.error = Some(Erreur::LectureSeule);
            return;
        }
        match action {
            Action::Show(s) => {
                self.state.screen = s;
                self.save_state();
            }
            Action::SetFilters(f) => {
                self.state.filters = f;
                self.save_state();
            }
            Action::SetReservataire(r) => {
                self.state.reservataire = r;
                self.save_state();
            }
            Action::SetGraphique(g) => {
                self.state.graphique = g;
                self.save_state();
            }
            Action::OpenDossierDialog => self.demander(Demande::ouvrir(
                "Ouvrir un dossier Contingents",
                ("Dossier Contingents", &["contingents", "sqlite", "db"]),
                false,
                Suite::OuvrirDossier,
            )),
            Action::NewDossierDialog => self.demander(Demande::enregistrer(
                "Créer un dossier Contingents",
                "dossier.contingents".into(),
                Suite::NouveauDossier,
            )),
            Action::OpenDossier(path) => self.load(path, true),
            Action::Recharger(path) => self.load(path, false),
            Action::ImportDialog => self.demander(Demande::ouvrir(
                "Importer des états des lieux ou des registres",
                TABLEURS,
                true,
                Suite::Importer,
            )),
            Action::Choisi(suite, paths) => self.choisi(suite, paths),
            Action::Prepare(files) => self.prepare(files),
            Action::ImporterRegistres(registres) => self.sur_dossier("registre", true, move |d| {
                Ok(Fait::Registres(contingents::suivi::importer(d, &registres, None, None)?))
            }),
            Action::StartImport => {
                let (Some(path), Some(w), Some(v)) = (self.dossier_path(), self.ecrans.wizard.as_mut(), &self.view)
                else {
                    return;
                };
                let files = std::mem::take(&mut w.files);
                let (territoire, date) = (v.territoire.clone(), v.date_reference);
                self.lancer("import", move |p, cancel| {
                    let r = Dossier::open(&path, false).map_err(Erreur::from).and_then(|mut d| {
                        write_prepared(&mut d, files, &territoire, date, p, cancel).map_err(Erreur::from)
                    });
                    JobOutput::Imported(r)
                });
            }
            Action::Cancel => {
                if let Some(j) = &self.travaux.job {
                    j.cancel.store(true, Ordering::Relaxed);
                }
            }
            Action::CloseWizard => {
                self.ecrans.wizard = None;
                self.state.screen = Screen::Consolidation;
            }
            Action::Restore(id) => self.sur_dossier("rétablissement", true, move |d| {
                d.restore(id)?;
                Ok(Fait::Retabli(id))
            }),
            Action::AskRemove(id) => self.ecrans.retrait_demande = (id >= 0).then_some(id),
            Action::ConfirmRemove => {
                if let Some(id) = self.ecrans.retrait_demande.take() {
                    self.sur_dossier("retrait", true, move |d| {
                        d.deactivate(id)?;
                        Ok(Fait::Retire(id))
                    });
                }
            }
            Action::UndoRemove => {
                if let Some(id) = self.ecrans.retires.pop() {
                    self.sur_dossier("annulation", true, move |d| {
                        d.restore(id)?;
                        Ok(Fait::RetraitAnnule(id))
                    });
                }
            }
            Action::ProposeLabel { champ, libelle, valeur } => {
                self.ecrans.libelles.proposition = Some((champ, libelle, valeur));
            }
            Action::CancelLabel => self.ecrans.libelles.proposition = None,
            Action::IgnoreLabel { champ, libelle } => {
                self.ecrans.libelles.ignores.insert((champ, libelle.clone()));
                self.messages.status =
                    format!("« {libelle} » laissé de côté pour cette session : ses lignes restent mises de côté");
            }
            Action::MapLabel { champ, libelle, valeur } => {
                self.ecrans.libelles.proposition = None;
                self.sur_dossier("rapprochement d'un libellé", true, move |d| {
                    let avant = d.avant_association(&champ, &libelle)?;
                    d.set_mapping(&champ, &libelle, &valeur)?;
                    let lignes = reapply_mappings(d)?;
                    let shown = consolidate::libelle_valeur(&champ, &valeur);
                    Ok(Fait::Associe { libelle, shown, avant, lignes })
                });
            }
            Action::UndoLabel => {
                let Some((avant, shown)) = self.ecrans.libelles.annulable.take() else { return };
                self.sur_dossier("annulation", true, move |d| {
                    d.annuler_association(&avant)?;
                    Ok(Fait::AssociationAnnulee { libelle: avant.libelle.clone(), shown })
                });
            }
            Action::SetFinancement { libelle, valeur } => self.sur_dossier("financement", true, move |d| {
                d.set_mapping("financement", &libelle, valeur.as_str())?;
                reapply_mappings(d)?;
                Ok(Fait::Financement { libelle, valeur })
            }),
            Action::Drill { reservataire, financement, typologie } => {
                let demande = Action::Drill { reservataire: reservataire.clone(), financement, typologie };
                let filtre = self.state.filters.filtre(Some(&reservataire));
                let titre = format!(
                    "{} — {} — {}",
                    consolidate::libelle_reservataire(&reservataire),
                    financement.map(|f| f.as_str()).unwrap_or("tous financements"),
                    typologie.map(|t| t.as_str()).unwrap_or("toutes typologies")
                );
                self.sur_dossier("logements", false, move |d| {
                    let logements = consolidate::logements(d, &filtre, financement, typologie, 2000)?;
                    Ok(Fait::Logements(Drill { titre, logements, demande }))
                });
            }
            Action::RapprochementDialog => {
                self.demander(Demande::ouvrir("Déclaration du réservataire", TABLEURS, false, Suite::Rapprocher))
            }
            Action::Rapprocher(p) => {
                let Some(res) = self.state.reservataire.clone() else {
                    self.messages.error = Some(Erreur::SansReservataire);
                    return;
                };
                self.sur_dossier("rapprochement", false, move |d| {
                    Ok(Fait::Rapprochement(
                        contingents::rapprochement::rapprocher(d, &res, &p).map_err(Erreur::Rapprochement),
                    ))
                });
            }
            Action::FluxSelect { bailleur, epci, annee }
                if self.ecrans.flux.as_ref().is_some_and(|f| f.params != f.saved) =>
            {
                // Unsaved parameters are never dropped without a word.
                if let Some(fv) = &mut self.ecrans.flux {
                    fv.pending = Some((bailleur, epci, annee));
                }
            }
            Action::FluxLeave(save) => {
                let Some(fv) = &mut self.ecrans.flux else { return };
                let Some((b, e, a)) = fv.pending.take() else { return };
                if save {
                    // The parameters typed become the saved ones when the job ends.
                    self.flux_save();
                } else if let Some(fv) = &mut self.ecrans.flux {
                    fv.params = fv.saved.clone();
                }
                self.push(Action::FluxSelect { bailleur: b, epci: e, annee: a });
            }
            Action::FluxSelect { bailleur, epci, annee } => self.flux_select(bailleur, epci, annee),
            Action::BilanInitial => self.bilan_select(None, None, None),
            Action::BilanSelect { annee, semestre, bailleur } => self.bilan_select(Some(annee), semestre, bailleur),
            Action::ExportBilan(ext) => {
                let Some(Ok(b)) = self.ecrans.bilan.as_ref().map(|v| &v.bilan) else { return };
                let name =
                    format!("Bilan_flux_{}{}.{ext}", b.annee, b.semestre.map(|s| format!("_S{s}")).unwrap_or_default());
                self.demander(Demande::enregistrer("Exporter le bilan", name, Suite::Bilan));
            }
            Action::Orienter { logement, date } => {
                let lu = match (logement.split_once(':'), contingents::format::parse_date(&date)) {
                    (None, _) => Err(Erreur::Logement(logement)),
                    (_, None) => Err(Erreur::Date(date)),
                    (Some((b, r)), Some(dt)) => Ok((b.trim().to_string(), r.trim().to_string(), dt)),
                };
                match lu {
                    Err(e) => {
                        if let Some(v) = &mut self.ecrans.bilan {
                            v.orientation = Some(Err(e));
                        }
                    }
                    Ok((b, r, dt)) => self.sur_dossier("orientation", false, move |d| {
                        Ok(Fait::Orientation(
                            contingents::suivi::orientation::orienter(d, &b, &r, dt).map_err(Erreur::from),
                        ))
                    }),
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
                let lue = (|| {
                    let (bailleur, reference) =
                        logement.split_once(':').ok_or_else(|| Erreur::Logement(logement.clone()))?;
                    let mad =
                        parse_date(&mise_a_disposition).ok_or_else(|| Erreur::Date(mise_a_disposition.clone()))?;
                    let liberation = match liberation.trim() {
                        "" => None,
                        l => Some(parse_date(l).ok_or_else(|| Erreur::Date(l.to_string()))?),
                    };
                    Ok::<_, Erreur>(contingents::suivi::Declaration {
                        bailleur: bailleur.trim().to_string(),
                        reference: reference.trim().to_string(),
                        reservataire,
                        hors_flux,
                        liberation,
                        preavis,
                        mise_a_disposition: mad,
                    })
                })();
                match lue {
                    Err(e) => self.messages.error = Some(e),
                    Ok(declaration) => self.sur_dossier("déclaration", true, move |d| {
                        let echeance = contingents::suivi::declarer(d, &declaration)?;
                        Ok(Fait::Declare { logement, echeance })
                    }),
                }
            }
            Action::NoterEvenement { id, evenement, date } => {
                let Some(dt) = contingents::format::parse_date(&date) else {
                    self.messages.error = Some(Erreur::Date(date));
                    return;
                };
                self.sur_dossier("suivi", true, move |d| {
                    contingents::suivi::noter(d, id, evenement, dt)?;
                    Ok(Fait::Note)
                });
            }
            Action::FicheNavetteMiseADisposition(id) => {
                let name = format!("Fiche_navette_{id}.xlsx");
                self.demander(Demande::enregistrer("Fiche navette", name, Suite::NavetteMiseADisposition(id)));
            }
            Action::FluxSave => self.flux_save(),
            Action::ExportFicheAssiette => {
                let Some(fv) = &self.ecrans.flux else { return };
                let (b, a) = (fv.bailleur.clone(), fv.annee);
                // The sheet shows the parameters typed: saved first (the export waits for it).
                self.flux_save();
                let name = format!("Fiche_assiette_{}_{a}.xlsx", contingents::text::slug(&b));
                self.demander(Demande::enregistrer(
                    "Fiche de l'assiette",
                    name,
                    Suite::FicheAssiette { bailleur: b, annee: a },
                ));
            }
            Action::ExportChart(ext) => {
                let Some(v) = &self.view else { return };
                let kind = self.state.graphique.kind;
                let name = format!("{}_{}.{ext}", kind.name(), contingents::text::slug(&v.territoire.label()));
                self.demander(Demande::enregistrer("Exporter le graphique", name, Suite::Graphique));
            }
            Action::FilterOn(kind, key) => self.filter_on(kind, key),
            Action::ExportEtatDesLieux => {
                let Some(v) = &self.view else { return };
                let name = format!(
                    "EDL_consolide_{}_{}.xlsx",
                    contingents::text::slug(&v.territoire.label()),
                    v.date_reference
                );
                self.demander(Demande::enregistrer("État des lieux consolidé", name, Suite::EtatDesLieux));
            }
            Action::ExportAnnexe(ext) => {
                let Some(res) = self.state.reservataire.clone() else {
                    self.messages.error = Some(Erreur::SansReservataire);
                    return;
                };
                let f = &self.state.filters;
                let (commune, epci, bailleur) = (f.commune.clone(), f.epci.clone(), f.bailleur.clone());
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
                self.demander(Demande::enregistrer(
                    "Annexe de convention",
                    name,
                    Suite::Annexe { reservataire: res, commune, epci, bailleur },
                ));
            }
            Action::FicheNavetteVierge => self.demander(Demande::enregistrer(
                "Fiche navette vierge (xlsx ou pdf)",
                "Fiche_navette.xlsx".into(),
                Suite::NavetteVierge,
            )),
            Action::FicheNavette { bailleur, reference, reservataire } => {
                let name = format!("Fiche_navette_{}.xlsx", contingents::text::slug(&reference));
                let reservataire = reservataire.unwrap_or_else(|| "etat".into());
                self.demander(Demande::enregistrer(
                    "Fiche navette",
                    name,
                    Suite::Navette { bailleur, reference, reservataire },
                ));
            }
            Action::ToggleFiltres => {
                self.state.filtres_masques = !self.state.filtres_masques;
                self.save_state();
            }
            Action::ToggleWorkshop => {
                self.state.workshop = !self.state.workshop;
                self.save_state();
            }
        }
    }

    /// Loads a dossier's figures off the UI thread (a national dossier takes seconds).
    fn load(&mut self, path: PathBuf, fresh: bool) {
        let label = if fresh { "ouverture" } else { "actualisation" };
        self.lancer(label, move |p, _| {
            p.update(0.1, &format!("Chargement de {}", path.display()));
            let view = DossierView::load(&path).map(Box::new);
            JobOutput::Loaded { path, fresh, view }
        });
    }

    fn opened(&mut self, path: PathBuf, view: DossierView) {
        let holder = self.take_lock(&path);
        self.session.read_only = holder.is_some();
        self.messages.status = match holder {
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
        self.state.remember(&path);
        // The réservataire remembered if the dossier has it, else the largest.
        let known =
            self.state.reservataire.as_ref().is_some_and(|r| view.options.reservataires.iter().any(|x| &x.0 == r));
        if !known {
            self.state.reservataire = view
                .cube
                .counts_by(&self.state.filters.filtre(None), Some(true), consolidate::Dimension::Reservataire)
                .first()
                .map(|(r, _)| r.to_string());
        }
        self.view = Some(view);
        self.session.generation += 1;
        self.ecrans = Default::default();
        self.messages.error = None;
        self.save_state();
        self.mark_seen();
        let files = std::mem::take(&mut self.session.pending_import);
        if !files.is_empty() {
            self.push(Action::Prepare(files));
        }
    }

    /// Asks for a file: the system's dialog when it answers, else the picker in the window
    /// (always in tests). What follows is `Action::Choisi`.
    fn demander(&mut self, d: Demande) {
        use super::picker::systeme_disponible;
        let depart = self.dossier_path().and_then(|p| p.parent().map(|x| x.to_path_buf()));
        let recents = self.recent_dirs();
        let (synchrone, muet) = (self.travaux.synchrone, self.fichiers.systeme_muet);
        if synchrone || muet || !systeme_disponible() {
            let msg = (!synchrone && !muet).then(|| {
                "Pas de sélecteur de fichiers du système ici (portail xdg absent) : voici celui de Contingents. Pour retrouver celui du système, installez xdg-desktop-portal et xdg-desktop-portal-gtk (ou -kde).".to_string()
            });
            self.fichiers.picker = Some(Picker::new(d, depart, recents, msg));
            return;
        }
        if self.fichiers.ouvert.is_some() {
            // One system dialog at a time: it is on screen, perhaps behind the window.
            self.messages.status = "Une fenêtre de choix de fichier est déjà ouverte : répondez-y d'abord.".into();
            return;
        }
        // On its own thread: the window keeps drawing (and its jobs reporting) meanwhile.
        // macOS wants its dialogs on the main thread: there it blocks, as every Mac app does.
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx = self.travaux.ctx.clone();
        let run = move || {
            let t = std::time::Instant::now();
            let r = d.systeme();
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

    /// The system's dialog answered: the paths chosen, or the picker of the window when the
    /// dialog could not be shown (it came back at once without a window).
    pub(super) fn poll_dialog(&mut self) -> Option<Action> {
        let (d, r, elapsed) = self.fichiers.ouvert.as_ref()?.try_recv().ok()?;
        self.fichiers.ouvert = None;
        match r {
            Some(paths) => Some(Action::Choisi(d.suite, paths)),
            None if elapsed < std::time::Duration::from_millis(150) => {
                self.fichiers.systeme_muet = true;
                let msg = "Le sélecteur de fichiers du système n'a pas répondu : voici celui de Contingents. Pour retrouver celui du système, installez xdg-desktop-portal et xdg-desktop-portal-gtk (ou -kde).";
                let depart = self.dossier_path().and_then(|p| p.parent().map(|x| x.to_path_buf()));
                let recents = self.recent_dirs();
                self.fichiers.picker = Some(Picker::new(d, depart, recents, Some(msg.into())));
                None
            }
            None => None,
        }
    }

    /// The folders of the recent dossiers, for the picker.
    fn recent_dirs(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> =
            self.state.recent.iter().filter_map(|p| p.parent().map(|x| x.to_path_buf())).collect();
        v.dedup();
        v.truncate(6);
        v
    }

    /// What a chosen file is for: every export is a job.
    fn choisi(&mut self, suite: Suite, paths: Vec<PathBuf>) {
        let Some(out) = paths.first().cloned() else { return };
        match suite {
            Suite::OuvrirDossier => self.push(Action::OpenDossier(out)),
            Suite::NouveauDossier => self.lancer("création", move |_, _| {
                JobOutput::Fait(
                    Dossier::open(&out, true).map(|_| Box::new(Fait::DossierCree(out))).map_err(Erreur::from),
                )
            }),
            Suite::Importer => self.push(Action::Prepare(paths)),
            Suite::Rapprocher => self.push(Action::Rapprocher(out)),
            Suite::Bilan => {
                let Some(Ok(b)) = self.ecrans.bilan.as_ref().map(|v| &v.bilan) else { return };
                let b = b.clone();
                self.lancer("export", move |_, _| {
                    JobOutput::Fait(
                        contingents::export::bilan::export(&b, &out)
                            .map(|_| Box::new(Fait::Ecrit("Bilan", out)))
                            .map_err(Erreur::from),
                    )
                });
            }
            Suite::Graphique => {
                let Some(v) = &self.view else { return };
                let (cube, g) = (Arc::clone(&v.cube), self.state.graphique);
                // The same bars as in the window.
                let f = super::screens::tableau::filtre_du_graphique(&self.state, g.kind);
                let sous_titre = super::screens::tableau::sous_titre(&self.state, v);
                self.lancer("export", move |_, _| {
                    JobOutput::Fait(
                        contingents::charts::export(&cube, g.kind, &f, g.stock, &sous_titre, &out)
                            .map(|_| Box::new(Fait::Ecrit("Graphique", out)))
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
                        Ok(Box::new(Fait::Ecrit("État des lieux consolidé", out)))
                    });
                    JobOutput::Fait(r)
                });
            }
            Suite::FicheAssiette { bailleur, annee } => self.sur_dossier("export", false, move |d| {
                contingents::export::fiche_assiette::export(d, &bailleur, annee, &out)?;
                Ok(Fait::Ecrit("Fiche récapitulative de l'assiette", out))
            }),
            Suite::Annexe { reservataire, commune, epci, bailleur } => self.sur_dossier("export", false, move |d| {
                contingents::export::annexe::export(
                    d,
                    &reservataire,
                    commune.as_deref(),
                    epci.as_deref(),
                    bailleur.as_deref(),
                    None,
                    &out,
                )?;
                Ok(Fait::Ecrit("Annexe", out))
            }),
            Suite::NavetteMiseADisposition(id) => self.sur_dossier("export", false, move |d| {
                let m = contingents::suivi::saisies(d)?
                    .into_iter()
                    .find(|m| m.id == id)
                    .ok_or(Erreur::MiseADispositionInconnue(id))?;
                let v = contingents::export::fiche_navette::valeurs_mise_a_disposition(d, &m)?;
                contingents::export::fiche_navette::export(Some(d), &v, &out)?;
                Ok(Fait::Ecrit("Fiche navette", out))
            }),
            Suite::NavetteVierge => self.sur_dossier("export", false, move |d| {
                contingents::export::fiche_navette::export(Some(d), &Default::default(), &out)?;
                Ok(Fait::Ecrit("Fiche navette", out))
            }),
            Suite::Navette { bailleur, reference, reservataire } => self.sur_dossier("export", false, move |d| {
                let v = contingents::export::fiche_navette::valeurs(d, &bailleur, &reference, &reservataire)?;
                contingents::export::fiche_navette::export(Some(d), &v, &out)?;
                Ok(Fait::Ecrit("Fiche navette", out))
            }),
        }
    }

    /// Registers of mises à disposition go to the follow-up, états des lieux to the wizard.
    fn prepare(&mut self, files: Vec<PathBuf>) {
        if self.view.is_none() {
            return;
        }
        self.ecrans.wizard = None;
        self.lancer("lecture", move |p, cancel| {
            let mut out = Vec::new();
            let mut refuses = Vec::new();
            let mut registres = Vec::new();
            for (i, f) in files.iter().enumerate() {
                p.update(i as f32 / files.len().max(1) as f32, &format!("Lecture de {}", f.display()));
                if cancel.load(Ordering::Relaxed) {
                    return JobOutput::Prepared(Err(Erreur::Annule));
                }
                // Registers of mises à disposition go to the follow-up, états des lieux to
                // the wizard; a file that cannot be read is marked, the others go on.
                if contingents::suivi::est_un_registre(f) {
                    registres.push(f.clone());
                    continue;
                }
                match prepare_file(f, None) {
                    Ok(pf) => out.push(pf),
                    Err(e) => refuses.push(Erreur::from(e)),
                }
            }
            JobOutput::Prepared(Ok((out, refuses, registres)))
        });
    }

    fn flux_select(&mut self, bailleur: String, epci: String, annee: i32) {
        // Every bailleur of the EPCI is read for the comparison: off the window's thread.
        let Some(path) = self.dossier_path() else { return };
        let bailleurs = self.view.as_ref().map(|v| v.cube.bailleurs()).unwrap_or_default();
        self.lancer("flux", move |p, _| {
            p.update(0.2, "Calcul du flux");
            let r = Dossier::open_read_only(&path).map_err(Erreur::from).and_then(|d| {
                let groupes = contingents::flux::groupes(&d, &bailleur, &epci)?;
                let params = contingents::flux::parametres(&d, &bailleur, &epci, annee)?;
                let mut comparaison = Vec::new();
                for b in &bailleurs {
                    let g = contingents::flux::groupes(&d, b, &epci)?;
                    if !g.is_empty() {
                        let p = contingents::flux::parametres(&d, b, &epci, annee)?;
                        comparaison.push(contingents::flux::calculer(b, &epci, annee, &g, &p));
                    }
                }
                let saved = params.clone();
                Ok(FluxView { bailleur, epci, annee, params, saved, pending: None, groupes, comparaison })
            });
            JobOutput::Flux(r.map(Box::new))
        });
    }

    /// Saves the flux parameters typed (a job; what follows waits for it).
    fn flux_save(&mut self) {
        let Some(fv) = &self.ecrans.flux else { return };
        let (bailleur, epci, annee, params) = (fv.bailleur.clone(), fv.epci.clone(), fv.annee, fv.params.clone());
        self.sur_dossier("enregistrement", true, move |d| {
            contingents::flux::enregistrer_parametres(d, &bailleur, &epci, annee, &params)?;
            Ok(Fait::FluxEnregistre { bailleur, annee, params: Box::new(params) })
        });
    }

    /// Up to a second on a national dossier: off the window's thread. Without a year, the
    /// latest year of the dossier's register.
    fn bilan_select(&mut self, annee: Option<i32>, semestre: Option<u8>, bailleur: Option<String>) {
        let Some(v) = &self.view else { return };
        let (path, defaut) = (v.path.clone(), v.date_reference.year);
        self.lancer("bilan", move |p, _| {
            p.update(0.2, "Calcul du bilan");
            let r = Dossier::open_read_only(&path).map_err(Erreur::from).and_then(|d| {
                let annee = match annee {
                    Some(a) => a,
                    None => contingents::suivi::derniere_annee(&d)?.unwrap_or(defaut),
                };
                let periode =
                    contingents::suivi::bilan::Periode::new(annee, semestre, None, None).map_err(Erreur::Periode)?;
                let o = contingents::suivi::bilan::BilanOptions { periode, bailleur: bailleur.clone(), epci: None };
                let bilan = contingents::suivi::bilan::bilan(&d, &o).map_err(Erreur::from);
                let saisies = contingents::suivi::saisies(&d)?;
                Ok(BilanView { annee, semestre, bailleur, bilan, orientation: None, saisies })
            });
            JobOutput::Bilan(r.map(Box::new))
        });
    }

    /// A click on a bar: filters the dashboard on it; a second click on the same bar lifts
    /// the filter. The chart clicked keeps all its bars (the one chosen stands out).
    fn filter_on(&mut self, kind: contingents::charts::Kind, key: String) {
        use contingents::charts::{choix, fixer};
        let mut f = self.state.filtre_tableau();
        let deja = choix(&f, kind).as_deref() == Some(key.as_str());
        fixer(&mut f, kind, (!deja).then_some(key.as_str()));
        self.state.set_filtre_tableau(f);
        self.save_state();
    }

    /// Takes a job's result.
    pub(super) fn apply_output(&mut self, out: JobOutput) {
        match out {
            JobOutput::Prepared(Ok((mut files, refuses, registres))) => {
                if !registres.is_empty() {
                    self.push(Action::ImporterRegistres(registres));
                }
                if files.is_empty() && refuses.is_empty() {
                    return;
                }
                // A bailleur guessed from a file name is proposed, not taken.
                for f in files.iter_mut().filter(|f| f.devine) {
                    f.bailleur.clear();
                }
                self.state.screen = Screen::Import;
                self.ecrans.wizard = Some(Wizard { files, refuses, summaries: None, error: None });
            }
            JobOutput::Prepared(Err(e)) => {
                self.state.screen = Screen::Import;
                self.ecrans.wizard = Some(Wizard { files: vec![], refuses: vec![], summaries: None, error: Some(e) });
            }
            JobOutput::Flux(r) => match r {
                Ok(v) => self.ecrans.flux = Some(*v),
                Err(e) => self.messages.error = Some(e),
            },
            JobOutput::Bilan(r) => match r {
                Ok(v) => {
                    // The orientation asked on the same screen stays shown.
                    let orientation = self.ecrans.bilan.take().and_then(|b| b.orientation);
                    self.ecrans.bilan = Some(BilanView { orientation, ..*v });
                }
                Err(e) => self.messages.error = Some(e),
            },
            JobOutput::Loaded { path, fresh: true, view } => match view {
                Ok(v) => self.opened(path, *v),
                Err(e) => {
                    self.messages.status = format!("Impossible d'ouvrir {}", path.display());
                    self.messages.error = Some(e);
                }
            },
            JobOutput::Loaded { fresh: false, view, .. } => match view {
                Ok(v) => {
                    self.view = Some(*v);
                    self.session.generation += 1;
                    self.ecrans.graphique = None;
                }
                Err(e) => self.messages.error = Some(e),
            },
            JobOutput::Imported(r) => {
                let w = self.ecrans.wizard.get_or_insert(Wizard {
                    files: vec![],
                    refuses: vec![],
                    summaries: None,
                    error: None,
                });
                match r {
                    Ok(s) => {
                        let n: usize = s.iter().map(|x| x.logements).sum();
                        self.messages.status = format!("Import terminé : {}", contingents::format::logements(n as u64));
                        w.summaries = Some(s);
                    }
                    Err(e) => w.error = Some(e),
                }
                self.reload();
            }
            JobOutput::Fait(Err(e)) | JobOutput::Interrompu(e) => self.messages.error = Some(e),
            JobOutput::Fait(Ok(f)) => self.fait(*f),
        }
    }

    fn fait(&mut self, f: Fait) {
        use contingents::format::{date_fr, pluriel};
        self.messages.error = None;
        match f {
            Fait::Ecrit(quoi, p) => self.messages.status = format!("{quoi} écrit : {}", p.display()),
            Fait::DossierCree(p) => self.push(Action::OpenDossier(p)),
            Fait::Registres(r) => {
                let n: usize = r.iter().map(|s| s.mises_a_disposition + s.hors_flux).sum();
                let rejets: usize = r.iter().map(|s| s.rejets.values().sum::<usize>()).sum();
                self.messages.status = format!(
                    "Registre importé : {}, {} ({})",
                    pluriel(n as u64, "ligne de suivi", "lignes de suivi"),
                    pluriel(rejets as u64, "mise de côté", "mises de côté"),
                    r.iter().map(|s| s.bailleur.clone()).collect::<Vec<_>>().join(", ")
                );
                self.ecrans.bilan = None;
                // États des lieux dropped with it wait in the wizard: it stays in view.
                if self.ecrans.wizard.is_none() {
                    self.state.screen = Screen::Bilans;
                }
            }
            Fait::Retabli(id) => {
                self.messages.status = format!("Import n° {id} rétabli");
                self.reload();
            }
            Fait::Retire(id) => {
                self.ecrans.retires.push(id);
                self.messages.status = format!("Import n° {id} retiré (annulable jusqu'à la fermeture)");
                self.reload();
            }
            Fait::RetraitAnnule(id) => {
                self.messages.status = format!("Retrait de l'import n° {id} annulé");
                self.reload();
            }
            Fait::Associe { libelle, shown, avant, lignes } => {
                self.messages.status = format!(
                    "« {libelle} » associé à {shown} : {}",
                    pluriel(lignes as u64, "ligne réintégrée", "lignes réintégrées")
                );
                self.ecrans.libelles.annulable = Some((avant, shown));
                self.reload();
            }
            Fait::AssociationAnnulee { libelle, shown } => {
                self.messages.status = format!("Association de « {libelle} » à {shown} annulée");
                self.reload();
            }
            Fait::Financement { libelle, valeur } => {
                self.messages.status =
                    format!("Financement « {libelle} » → {valeur} (s'applique aux prochains imports)");
                self.reload();
            }
            Fait::Logements(d) => self.ecrans.drill = Some(d),
            Fait::Rapprochement(r) => self.ecrans.rapprochement = Some(r),
            Fait::Orientation(r) => {
                if let Some(v) = &mut self.ecrans.bilan {
                    v.orientation = Some(r);
                }
            }
            Fait::Declare { logement, echeance } => {
                self.messages.status = format!(
                    "Mise à disposition enregistrée : {logement}{}",
                    echeance
                        .map(|e| format!(", réponse attendue au plus tard le {}", date_fr(&e.to_string())))
                        .unwrap_or_default()
                );
                self.refresh_bilan();
            }
            Fait::Note => {
                self.messages.status = "Suivi mis à jour".into();
                self.refresh_bilan();
            }
            Fait::FluxEnregistre { bailleur, annee, params } => {
                self.messages.status = format!("Paramètres du flux {annee} de {bailleur} enregistrés dans le dossier");
                // Saved for the year: they are the year's own now (no longer « à confirmer »).
                if let Some(fv) = &mut self.ecrans.flux
                    && fv.bailleur == bailleur
                    && fv.annee == annee
                {
                    let mut saved = *params;
                    saved.annee_source = None;
                    // What was typed meanwhile stays typed (and unsaved).
                    fv.params.annee_source = None;
                    fv.saved = saved;
                }
            }
        }
    }

    /// Recomputes the bilan shown (after a change of the follow-up).
    fn refresh_bilan(&mut self) {
        if let Some(v) = &self.ecrans.bilan {
            let (annee, semestre, bailleur) = (v.annee, v.semestre, v.bailleur.clone());
            self.push(Action::BilanSelect { annee, semestre, bailleur });
        }
    }
}
