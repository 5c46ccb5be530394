//! The import from the window: files read off the UI thread, then written into the dossier
//! in one transaction per file, with the wizard's choices.

use super::*;

impl App {
    /// Files chosen or dropped are read off the window's thread: états des lieux are planned,
    /// registers of mises à disposition read for the same wizard; a file that cannot be read
    /// is marked and the others go on.
    pub(super) fn prepare(&mut self, files: Vec<PathBuf>) {
        let Some(v) = &self.view else { return };
        let bailleurs = v.bailleurs();
        self.ecrans.wizard = None;
        self.lancer("lecture", move |p, cancel| {
            let mut out = Vec::new();
            let mut refuses = Vec::new();
            let mut registres = Vec::new();
            for (i, f) in files.iter().enumerate() {
                let nom = f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                p.update(i as f32 / files.len().max(1) as f32, &format!("Lecture de {nom}"));
                if cancel.load(Ordering::Relaxed) {
                    return JobOutput::Prepared(Err(Erreur::Annule));
                }
                if contingents::suivi::est_un_registre(f) {
                    match crate::ui::registre::lire(f, &bailleurs) {
                        Ok(r) => registres.push(r),
                        Err(e) => refuses.push(e),
                    }
                    continue;
                }
                match prepare_file(f, None) {
                    Ok(pf) => out.push(pf),
                    Err(e) => refuses.push(Erreur::from(e)),
                }
            }
            JobOutput::Prepared(Ok((out, registres, refuses)))
        });
    }

    /// Imports the états des lieux of the wizard (one transaction), then its registers (the
    /// bailleur chosen for each, one transaction): the registers need the dwellings. An import
    /// that would leave a bailleur with less than half of what it has is refused by the core
    /// (nothing written): the wizard asks, with both counts, and imports again if told to.
    pub(super) fn start_import(&mut self) {
        let Some(w) = self.ecrans.wizard.as_mut() else { return };
        if w.registres.iter().any(|r| r.bailleur.is_none()) {
            w.error = Some(Erreur::RegistreSansBailleur);
            return;
        }
        w.error = None;
        let files = std::mem::take(&mut w.files);
        // What to read again if the user accepts a loss: the files as the user planned them.
        let relire: Vec<EtatARelire> = files
            .iter()
            .map(|f| EtatARelire { path: f.path.clone(), plans: f.plans.clone(), bailleur: f.bailleur.clone() })
            .collect();
        let registres: Vec<(PathBuf, String)> =
            w.registres.drain(..).filter_map(|r| Some((r.path, r.bailleur?))).collect();
        self.importer(Some(files), relire, registres, false);
    }

    /// « Remplacer quand même »: the import refused for a loss, again, the loss accepted.
    pub(super) fn reprendre_import(&mut self) {
        let Some(r) = self.ecrans.wizard.as_mut().and_then(|w| w.perte.take()) else { return };
        let Reprise { etats, registres, .. } = *r;
        self.importer(None, etats, registres, true);
    }

    pub(super) fn importer(
        &mut self,
        files: Option<Vec<contingents::import::run::PreparedFile>>,
        relire: Vec<EtatARelire>,
        registres: Vec<(PathBuf, String)>,
        accepter_perte: bool,
    ) {
        let (Some(path), Some(v)) = (self.dossier_path(), &self.view) else { return };
        let ecriture = Ecriture { territoire: v.territoire.clone(), date_reference: v.date_reference, accepter_perte };
        self.lancer("import", move |p, cancel| {
            let fin = |etats, registres, reprise| JobOutput::Imported { etats, registres, reprise };
            let mut d = match Dossier::open(&path, false) {
                Ok(d) => d,
                Err(e) => return fin(Err(e.into()), None, None),
            };
            // The états des lieux: planned by the user, or read again with the same plans.
            let files = match files {
                Some(f) => f,
                None => {
                    let mut out = Vec::new();
                    for e in &relire {
                        match prepare_file(&e.path, Some(&e.bailleur)) {
                            Ok(mut f) => {
                                f.plans = e.plans.clone();
                                f.bailleur = e.bailleur.clone();
                                f.devine = false;
                                out.push(f);
                            }
                            Err(x) => return fin(Err(x.into()), None, None),
                        }
                    }
                    out
                }
            };
            let etats = if files.is_empty() {
                Ok(vec![])
            } else {
                match write_prepared_with(&mut d, files, &ecriture, p, cancel) {
                    Err(ImportError::Perte(pertes)) => {
                        let reprise = Reprise { pertes, etats: relire, registres };
                        return fin(Ok(vec![]), None, Some(Box::new(reprise)));
                    }
                    r => r.map_err(Erreur::from),
                }
            };
            if etats.is_err() || registres.is_empty() {
                return fin(etats, None, None);
            }
            p.update(0.98, "Import des registres");
            let mut faits = Vec::new();
            for (i, (f, b)) in registres.iter().enumerate() {
                if cancel.load(Ordering::Relaxed) {
                    return fin(etats, Some(Err(Erreur::Annule)), None);
                }
                let o = OptionsRegistre { bailleur: Some(b.clone()), decompte: None, accepter_perte };
                let r = contingents::suivi::importer_avec(&mut d, std::slice::from_ref(f), &o);
                let r = match r {
                    // The états des lieux are in; the registers left wait for the user's word.
                    Err(contingents::suivi::SuiviError::Perte(pertes)) => {
                        let reprise = Reprise { pertes, etats: vec![], registres: registres[i..].to_vec() };
                        let deja = (!faits.is_empty()).then_some(Ok(faits));
                        return fin(etats, deja, Some(Box::new(reprise)));
                    }
                    r => r.map_err(Erreur::from).and_then(|r| {
                        let rejets = contingents::suivi::rejets(&d, Some(std::slice::from_ref(b)))?;
                        Ok(r.into_iter()
                            .map(|resume| {
                                let rejets = rejets.iter().filter(|x| x.fichier == resume.fichier).cloned().collect();
                                RegistreImporte { resume, rejets }
                            })
                            .collect::<Vec<_>>())
                    }),
                };
                match r {
                    Ok(r) => faits.extend(r),
                    Err(e) => return fin(etats, Some(Err(e)), None),
                }
            }
            fin(etats, Some(Ok(faits)), None)
        });
    }
}
