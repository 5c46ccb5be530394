//! What comes back: a dossier opened (its lock, the réservataire remembered), the results of
//! jobs, and what the dossier's writes did.

use super::*;

impl App {
    /// Loads a dossier's figures off the UI thread (a national dossier takes seconds).
    pub(super) fn load(&mut self, path: PathBuf, fresh: bool) {
        let label = if fresh { "ouverture" } else { "actualisation" };
        if fresh {
            crate::ui::trace::demande();
        }
        self.lancer(label, move |p, _| {
            let view = DossierView::load(&path, p).map(Box::new);
            JobOutput::Loaded { path, fresh, view }
        });
    }

    pub(super) fn opened(&mut self, path: PathBuf, view: DossierView) {
        let holder = self.take_lock(&path);
        self.session.read_only = holder.is_some();
        match holder {
            Some(Some(pid)) => self.messages.dire_avec(
                format!(
                    "Dossier ouvert en lecture seule : une autre fenêtre Contingents l'utilise (processus {pid}) ; fermez-la pour le modifier ici"
                ),
                &path,
            ),
            Some(None) => self.messages.dire_avec(
                "Dossier ouvert en lecture seule : une autre fenêtre Contingents l'utilise ; fermez-la pour le modifier ici",
                &path,
            ),
            None => self.messages.dire_avec("Dossier ouvert", &path),
        }
        self.state.remember(&path);
        // The réservataire remembered if the dossier has it, else the largest.
        let known =
            self.state.reservataire.as_ref().is_some_and(|r| view.options.reservataires.iter().any(|x| &x.0 == r));
        // « Tous les réservataires » chosen: kept.
        let tous = self.state.reservataire.is_none() && self.state.tous_les_reservataires;
        if !known && !tous {
            self.state.reservataire = view
                .cube
                .counts_by(
                    &self.state.filters.avec_reservataire(None),
                    Some(true),
                    consolidate::Dimension::Reservataire,
                )
                .first()
                .map(|(r, _)| Reservataire::new(r.to_string()));
        }
        let vide = view.historique.is_empty();
        self.view = Some(view);
        self.session.generation += 1;
        self.ecrans = Default::default();
        self.messages.error = None;
        // A new dossier: its first step is the import.
        if vide && !self.session.read_only {
            self.state.screen = Screen::Import;
        }
        self.save_state();
        self.mark_seen();
        // Files waiting for a dossier still to be created stay until it is the one open: until
        // then its wizard is shown (again after another dossier was opened).
        match self.session.pending_import_for.clone() {
            Some(a_creer) if Some(&a_creer) != self.dossier_path().as_ref() => {
                self.proposer_creation(a_creer);
                if let Some(c) = &mut self.ecrans.creation {
                    c.en_attente = self
                        .session
                        .pending_import
                        .iter()
                        .map(|f| f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default())
                        .collect();
                }
            }
            _ => {
                self.session.pending_import_for = None;
                let files = std::mem::take(&mut self.session.pending_import);
                if !files.is_empty() {
                    self.push(Action::Prepare(files));
                }
            }
        }
    }

    /// Takes a job's result.
    pub(in crate::ui) fn apply_output(&mut self, out: JobOutput) {
        match out {
            JobOutput::Prepared(Ok((mut files, registres, refuses))) => {
                if files.is_empty() && refuses.is_empty() && registres.is_empty() {
                    return;
                }
                // A bailleur guessed from a file name is proposed, not taken.
                for f in files.iter_mut().filter(|f| f.devine) {
                    f.bailleur.clear();
                }
                self.state.screen = Screen::Import;
                self.ecrans.wizard = Some(Wizard::new(files, registres, refuses));
            }
            JobOutput::Prepared(Err(e)) => {
                self.state.screen = Screen::Import;
                self.ecrans.wizard = Some(Wizard::erreur(e));
            }
            JobOutput::Flux(r) => match r {
                Ok(v) => {
                    if let Some(d) = self.dossier_path() {
                        let s = SelectionFlux { bailleur: v.bailleur.clone(), epci: v.epci.clone(), annee: v.annee };
                        if self.state.flux.get(&d) != Some(&s) {
                            self.state.flux.insert(d, s);
                            self.save_state();
                        }
                    }
                    self.ecrans.flux = Some(*v)
                }
                Err(e) => self.messages.erreur(e),
            },
            JobOutput::Bilan(r) => match r {
                Ok(v) => {
                    // What was asked on the same screen stays shown.
                    if let Some(d) = self.dossier_path() {
                        let s = crate::ui::settings::SelectionBilan {
                            annee: v.annee,
                            semestre: v.semestre,
                            bailleur: v.bailleur.clone(),
                        };
                        if self.state.bilans.get(&d) != Some(&s) {
                            self.state.bilans.insert(d, s);
                            self.save_state();
                        }
                    }
                    let avant = self.ecrans.bilan.take();
                    let (orientation, declaration, suivi, formulaire) = match avant {
                        Some(b) => (b.orientation, b.declaration, b.suivi, b.formulaire),
                        None => (None, None, None, Default::default()),
                    };
                    self.ecrans.bilan = Some(BilanView { orientation, declaration, suivi, formulaire, ..*v });
                }
                Err(e) => self.messages.erreur(e),
            },
            JobOutput::Loaded { path, fresh: true, view } => match view {
                Ok(v) => self.opened(path, *v),
                Err(Erreur::OuvertureAnnulee) => self.messages.dire_avec("Ouverture annulée", &path),
                Err(e) => {
                    self.messages.dire_avec("Impossible d'ouvrir le dossier", &path);
                    self.messages.error = Some(e);
                }
            },
            JobOutput::Loaded { fresh: false, view, .. } => match view {
                Ok(v) => {
                    self.view = Some(*v);
                    self.session.generation += 1;
                    self.ecrans.graphique = None;
                }
                Err(e) => self.messages.erreur(e),
            },
            JobOutput::Imported { etats, registres, reprise } => {
                let w = self.ecrans.wizard.get_or_insert_with(|| Wizard::new(vec![], vec![], vec![]));
                match etats {
                    Ok(s) => {
                        let n: usize = s.iter().map(|x| x.logements).sum();
                        let mut status = if s.is_empty() {
                            String::new()
                        } else if s.iter().all(|x| x.identique.is_some()) {
                            // Not « Import terminé : 0 logement » (read as a bailleur emptied).
                            "Rien d'importé : fichier identique à un import en vigueur, le dossier n'a pas changé"
                                .to_string()
                        } else {
                            format!("Import terminé : {}", contingents::format::logements(n as u64))
                        };
                        if !s.is_empty() {
                            w.summaries.get_or_insert_with(Vec::new).extend(s);
                        }
                        match registres {
                            Some(Ok(r)) => {
                                let lignes: usize =
                                    r.iter().map(|x| x.resume.mises_a_disposition + x.resume.hors_flux).sum();
                                status.push_str(if status.is_empty() {
                                    "Registre importé : "
                                } else {
                                    " ; registre importé : "
                                });
                                status.push_str(&contingents::format::pluriel(
                                    lignes as u64,
                                    "ligne de suivi",
                                    "lignes de suivi",
                                ));
                                w.registres_importes.get_or_insert_with(Vec::new).extend(r);
                                // The bilans follow the new register.
                                self.ecrans.bilan = None;
                            }
                            Some(Err(e)) => w.error = Some(Erreur::RegistreNonImporte(Box::new(e))),
                            None => {}
                        }
                        if !status.is_empty() {
                            self.messages.dire(status);
                        }
                    }
                    Err(e) => w.error = Some(e),
                }
                // Refused for a loss: nothing of it written; the question is on the wizard.
                if let Some(r) = reprise {
                    self.messages.dire("Import en attente : il remplacerait la plus grande partie d'un bailleur");
                    w.perte = Some(r);
                }
                self.reload();
            }
            JobOutput::Effet(territoire, date, r) => {
                if let Some(p) = &mut self.ecrans.proprietes {
                    p.effet = Some((territoire, date, r));
                }
            }
            JobOutput::Fait(Err(e)) | JobOutput::Interrompu(e) => {
                // « Enregistrer, puis … »: not saved, so nothing follows.
                self.ecrans.apres_enregistrement = None;
                self.messages.erreur(e)
            }
            JobOutput::Fait(Ok(f)) => self.fait(*f),
        }
    }

    pub(super) fn fait(&mut self, f: Fait) {
        use contingents::format::pluriel;
        self.messages.error = None;
        match f {
            Fait::Ecrit(quoi, p) => self.messages.dire_avec(format!("{} : ", quoi.ecrit()), &p),
            Fait::DossierCree(p) => {
                self.ecrans.creation = None;
                self.push(Action::OpenDossier(p));
            }
            Fait::ProprietesChangees(effet) => {
                self.ecrans.proprietes = None;
                self.messages.dire(format!("Propriétés du dossier enregistrées : {effet}"));
                self.reload();
                self.ecrans.flux = None;
                self.ecrans.bilan = None;
            }
            Fait::Retabli(id, r) => {
                let quoi = match r.genre {
                    contingents::store::Genre::EtatDesLieux => "état des lieux",
                    contingents::store::Genre::Registre => "registre",
                };
                self.messages.dire(format!(
                    "Import n° {id} rétabli ({quoi} {})",
                    contingents::format::de(&r.bailleurs.join(", "))
                ));
                // The bilans follow the register in force.
                self.ecrans.bilan = None;
                self.reload();
            }
            Fait::Renomme(ancien, nouveau) => {
                self.ecrans.renommage = None;
                self.messages.dire(format!("Bailleur « {ancien} » renommé « {nouveau} » (noté dans l'historique)"));
                // What the window remembers under the old name follows it.
                if self.state.filters.bailleur.as_deref() == Some(ancien.as_str()) {
                    self.state.filters.bailleur = Some(nouveau.clone());
                }
                if let Some(d) = self.dossier_path()
                    && let Some(s) = self.state.flux.get_mut(&d)
                    && s.bailleur == ancien
                {
                    s.bailleur.clone_from(&nouveau);
                }
                self.save_state();
                self.ecrans.flux = None;
                self.ecrans.bilan = None;
                self.ecrans.drill = None;
                self.reload();
            }
            Fait::Retire(id) => {
                self.ecrans.bilan = None;
                self.ecrans.retires.push(id);
                self.messages.dire(format!("Import n° {id} retiré (annulable jusqu'à la fermeture)"));
                self.reload();
            }
            Fait::RetraitAnnule(id) => {
                self.ecrans.bilan = None;
                self.messages.dire(format!("Retrait de l'import n° {id} annulé"));
                self.reload();
            }
            Fait::Associe { libelle, shown, avant, lignes } => {
                self.messages.dire(format!(
                    "« {libelle} » associé à {shown} : {}",
                    pluriel(lignes as u64, "ligne réintégrée", "lignes réintégrées")
                ));
                self.ecrans.libelles.annulable = Some((avant, shown));
                self.reload();
            }
            Fait::AssociationAnnulee { libelle, shown } => {
                self.messages.dire(format!("Association de « {libelle} » à {shown} annulée"));
                self.reload();
            }
            Fait::SiecleTranche { colonne, siecle, lignes } => {
                self.messages.dire(format!(
                    "{colonne} : années à deux chiffres lues {}xx ; {}",
                    siecle.as_str(),
                    pluriel(lignes as u64, "ligne réintégrée", "lignes réintégrées")
                ));
                self.reload();
            }
            Fait::Financement { libelle, valeur } => {
                self.messages.dire(format!("Financement « {libelle} » → {valeur} (s'applique aux prochains imports)"));
                self.reload();
            }
            Fait::Logements(d) => self.ecrans.drill = Some(d),
            Fait::AnnexeVerifiee(a, None) => self.push(Action::AnnexeVerifiee(a)),
            Fait::AnnexeVerifiee(a, Some(refus)) => {
                if let Some(dlg) = &mut self.ecrans.annexe {
                    dlg.refus = Some((a, refus));
                }
            }
            Fait::Echus(v) => self.ecrans.echus = Some((self.session.generation, v)),
            Fait::Rapprochement(r) => self.ecrans.rapprochement = Some(r),
            Fait::Orientation(origine, r) => {
                if let Some(v) = &mut self.ecrans.bilan {
                    v.orientation = Some((origine, r));
                }
            }
            Fait::Declare { logement, echeance, correction, avec_registre } => {
                // « Habitat Azur HA-010016 », as the list of the mises à disposition says it (not
                // the command line's « BAILLEUR:RÉFÉRENCE »).
                let dit = format!("{} {}", logement.bailleur, logement.reference);
                let mut m = format!(
                    "{} : {dit}{}",
                    if correction { "Mise à disposition corrigée" } else { "Mise à disposition enregistrée" },
                    echeance
                        .map(|e| format!(", réponse attendue au plus tard le {}", date_fr(&e.to_string())))
                        .unwrap_or_default()
                );
                if avec_registre {
                    let b = &logement.bailleur;
                    m.push_str(&format!(
                        " — {b} transmet un registre : cette saisie s'ajoute à ses lignes ; si sa prochaine version la contient (même logement, même date, même réservataire), cette ligne du registre est mise de côté (« déjà saisie ») et la saisie comptée une fois"
                    ));
                }
                self.message_du_suivi(true, Ok(m));
                // A new, empty form: the same declaration is not saved twice by a second click.
                if let Some(v) = &mut self.ecrans.bilan {
                    v.formulaire.vider();
                }
                self.refresh_bilan();
            }
            Fait::Supprimee(m, lignes) => {
                let quand = m.etapes.date_mise_a_disposition.map(|d| date_fr(&d.to_string())).unwrap_or_default();
                let mut dit = format!(
                    "Mise à disposition supprimée : {} {} du {quand} — elle n'est plus comptée dans le bilan",
                    m.bailleur, m.reference
                );
                dit.push_str(&lignes_a_reprendre(&lignes));
                self.message_du_suivi(false, Ok(dit));
                if let Some(v) = &mut self.ecrans.bilan {
                    if v.formulaire.correction == Some(m.id) {
                        v.formulaire.vider();
                    }
                    // What the form said of the last declaration (« corrigée : … ») is older
                    // than this deletion: it goes, the deletion is said with the list.
                    v.declaration = None;
                    v.formulaire.supprimee = Some(*m);
                }
                self.refresh_bilan();
            }
            Fait::Retablie(quoi) => {
                self.message_du_suivi(false, Ok(format!("Mise à disposition rétablie : {quoi}")));
                if let Some(v) = &mut self.ecrans.bilan {
                    v.formulaire.supprimee = None;
                }
                self.refresh_bilan();
            }
            Fait::MenageNote => {
                self.message_du_suivi(false, Ok("Ménage noté : compté dans les objectifs de la CIA".into()));
                self.refresh_bilan();
            }
            Fait::CiaEnregistree(n) => {
                let m = if n > 1 { "Objectifs de la CIA enregistrés" } else { "Objectif de la CIA enregistré" };
                self.message_du_suivi(false, Ok(format!("{m} dans le dossier")));
                self.refresh_bilan();
            }
            Fait::Note(evenement, date) => {
                let quoi = crate::ui::screens::libelle_evenement(evenement);
                self.message_du_suivi(false, Ok(format!("{quoi} le {} : noté", date_fr(&date.to_string()))));
                self.refresh_bilan();
            }
            Fait::FluxEnregistre { bailleur, annee, coordonnees, params } => {
                self.messages.dire(format!(
                    "Paramètres du flux {annee} {} enregistrés dans le dossier",
                    contingents::format::de(&bailleur)
                ));
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
                    fv.coordonnees_enregistrees = coordonnees;
                }
                if let Some(a) = self.ecrans.apres_enregistrement.take() {
                    self.suivre(a);
                }
            }
        }
    }
}

/// What the window adds when a deleted saisie had set register lines aside: they count again
/// only once the register is imported again (« … : réimportez ce registre, le même fichier »).
fn lignes_a_reprendre(lignes: &[(String, u32)]) -> String {
    match lignes {
        [] => String::new(),
        [(f, l)] => format!(
            ". La ligne {l} du registre {f} avait été mise de côté à cause de cette saisie : réimportez ce registre (le même fichier) pour la compter."
        ),
        _ => {
            let liste: Vec<String> = lignes.iter().map(|(f, l)| format!("ligne {l} de {f}")).collect();
            format!(
                ". Des lignes de registre avaient été mises de côté à cause de cette saisie ({}) : réimportez ce registre (le même fichier) pour les compter.",
                liste.join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_deleted_saisie_says_the_register_lines_it_had_set_aside() {
        assert_eq!(super::lignes_a_reprendre(&[]), "");
        assert_eq!(
            super::lignes_a_reprendre(&[("registre.csv".into(), 12)]),
            ". La ligne 12 du registre registre.csv avait été mise de côté à cause de cette saisie : réimportez ce registre (le même fichier) pour la compter."
        );
        assert_eq!(
            super::lignes_a_reprendre(&[("a.csv".into(), 3), ("a.csv".into(), 9)]),
            ". Des lignes de registre avaient été mises de côté à cause de cette saisie (ligne 3 de a.csv, ligne 9 de a.csv) : réimportez ce registre (le même fichier) pour les compter."
        );
    }
}
