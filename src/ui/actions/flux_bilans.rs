//! The flux and bilans screens' actions: what to compute, the parameters saved, the annex
//! dialog, a chart's bar chosen as a filter.

use super::*;

impl App {
    /// The flux screen opens on the selection remembered for this dossier, on the EPCI (and
    /// bailleur) of the filter panel when one is chosen; else on a bailleur and an EPCI
    /// where it has dwellings — never an empty parc.
    pub(super) fn flux_initial(&mut self) {
        let Some(v) = &self.view else { return };
        let bailleurs = v.bailleurs();
        let epcis = v.cube.epcis();
        let memo = self.state.flux.get(&v.path).filter(|s| bailleurs.contains(&s.bailleur) && epcis.contains(&s.epci));
        let f = &self.state.filters;
        let epci_filtre = f.epci.clone().filter(|e| epcis.contains(e));
        let parc = |b: &str, e: &str| {
            v.cube.total(&consolidate::Filtre {
                bailleur: Some(b.to_string()),
                epci: Some(e.to_string()),
                ..Default::default()
            })
        };
        let bailleur = f
            .bailleur
            .clone()
            .filter(|b| bailleurs.contains(b))
            .or_else(|| {
                memo.map(|m| m.bailleur.clone()).filter(|b| epci_filtre.as_deref().is_none_or(|e| parc(b, e) > 0))
            })
            .or_else(|| match &epci_filtre {
                Some(e) => bailleurs.iter().find(|b| parc(b, e) > 0).cloned(),
                None => bailleurs.first().cloned(),
            });
        let Some(bailleur) = bailleur else {
            self.messages.dire("Aucun logement dans le dossier : importez d'abord les états des lieux");
            return;
        };
        let epci = epci_filtre
            .or_else(|| memo.filter(|m| m.bailleur == bailleur).map(|m| m.epci.clone()))
            .or_else(|| epcis.iter().max_by_key(|e| parc(&bailleur, e)).cloned());
        let Some(epci) = epci else { return };
        let annee = memo.map(|m| m.annee).unwrap_or(v.date_reference.year);
        self.flux_select(bailleur, epci, annee);
    }

    pub(super) fn flux_select(&mut self, bailleur: String, epci: String, annee: i32) {
        // Every bailleur of the EPCI is read for the comparison: off the window's thread.
        let Some(path) = self.dossier_path() else { return };
        let bailleurs = self.view.as_ref().map(|v| v.bailleurs()).unwrap_or_default();
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
                let coordonnees = d.coordonnees_du_bailleur(&bailleur)?;
                Ok(FluxView {
                    bailleur,
                    epci,
                    annee,
                    params,
                    saved,
                    pending: None,
                    groupes,
                    comparaison,
                    coordonnees_enregistrees: coordonnees.clone(),
                    coordonnees,
                })
            });
            JobOutput::Flux(r.map(Box::new))
        });
    }

    /// Saves the flux parameters typed (a job; what follows waits for it).
    pub(super) fn flux_save(&mut self) {
        let Some(fv) = &self.ecrans.flux else { return };
        let (bailleur, epci, annee, params) = (fv.bailleur.clone(), fv.epci.clone(), fv.annee, fv.params.clone());
        let coordonnees = fv.coordonnees.clone();
        let coordonnees_changees = fv.coordonnees != fv.coordonnees_enregistrees;
        self.sur_dossier("enregistrement", true, move |d| {
            if coordonnees_changees {
                d.enregistrer_coordonnees_du_bailleur(&bailleur, &coordonnees)?;
            }
            contingents::flux::enregistrer_parametres(d, &bailleur, &epci, annee, &params)?;
            Ok(Fait::FluxEnregistre { bailleur, annee, coordonnees, params: Box::new(params) })
        });
    }

    /// Up to a second on a national dossier: off the window's thread. Without a year, the
    /// latest year of the dossier's register.
    pub(super) fn bilan_select(
        &mut self,
        annee: Option<i32>,
        semestre: Option<u8>,
        bailleur: Option<String>,
        reservataire: Option<Reservataire>,
    ) {
        let Some(v) = &self.view else { return };
        let (path, defaut) = (v.path.clone(), v.date_reference.year);
        let actifs = v.cube.total(&contingents::consolidate::Filtre::default());
        self.lancer("bilan", move |p, _| {
            p.update(0.2, "Calcul du bilan");
            let r = Dossier::open_read_only(&path).map_err(Erreur::from).and_then(|d| {
                let annee = match annee {
                    Some(a) => a,
                    None => d.derniere_annee_des_registres()?.unwrap_or(defaut),
                };
                let periode =
                    contingents::suivi::bilan::Periode::new(annee, semestre, None, None).map_err(Erreur::Periode)?;
                let o = contingents::suivi::bilan::BilanOptions {
                    periode,
                    bailleur: bailleur.clone(),
                    epci: None,
                    reservataire: None,
                };
                let mut bilan = contingents::suivi::bilan::bilan(&d, &o).map_err(Erreur::from);
                let reservataires: Vec<Reservataire> = match &bilan {
                    Ok(b) => b.reservataires.iter().map(|r| r.id.clone()).collect(),
                    Err(_) => vec![],
                };
                // The réservataire chosen, while it is one of this bilan's.
                let reservataire = reservataire.filter(|r| reservataires.contains(r));
                if let (Ok(b), Some(r)) = (&mut bilan, &reservataire) {
                    b.seulement(r);
                }
                let saisies = contingents::suivi::saisies(&d)?;
                let cia = d.reglages_cia()?;
                // The dwellings offered in the forms: the bilan's bailleur's, or every bailleur's
                // when the dossier is not too large to list them.
                let bailleurs_listes = match &bailleur {
                    Some(b) => vec![b.clone()],
                    None if actifs <= MAX_LOGEMENTS_A_CHOISIR => d.bailleurs_actifs()?,
                    None => vec![],
                };
                let mut logements = Vec::new();
                for b in bailleurs_listes {
                    for l in d.logements_actifs_du_bailleur(&b)? {
                        let texte = format!(
                            "{} — {} — {} — {}{}",
                            l.reference,
                            contingents::consolidate::nom_commune(&l.commune),
                            l.typologie,
                            l.financement.as_str(),
                            if l.qpv { " — QPV" } else { "" }
                        );
                        logements.push(crate::ui::state::LogementAChoisir {
                            bailleur: b.clone(),
                            reference: l.reference,
                            texte,
                        });
                    }
                }
                Ok(BilanView {
                    annee,
                    semestre,
                    bailleur,
                    reservataire,
                    reservataires,
                    bilan,
                    orientation: None,
                    declaration: None,
                    suivi: None,
                    saisies,
                    cia,
                    formulaire: Default::default(),
                    logements,
                })
            });
            JobOutput::Bilan(r.map(Box::new))
        });
    }

    /// The annex's dialog, filled with what is being looked at: the flux screen's bailleur,
    /// EPCI and year (or those remembered for the dossier, or the filters'), the réservataire
    /// chosen in the filter panel.
    pub(super) fn ouvrir_annexe(&mut self) {
        let Some(v) = &self.view else { return };
        let memo = self.state.flux.get(&v.path);
        let (bailleur, epci, annee) = match (&self.ecrans.flux, memo) {
            (Some(fv), _) => (Some(fv.bailleur.clone()), Some(fv.epci.clone()), fv.annee),
            (None, Some(m)) => (Some(m.bailleur.clone()), Some(m.epci.clone()), m.annee),
            (None, None) => (
                self.state.filters.bailleur.clone(),
                self.state.filters.epci.clone().or_else(|| v.cube.epcis().first().cloned()),
                v.date_reference.year,
            ),
        };
        self.ecrans.annexe = Some(AnnexeDialogue {
            // The réservataire chosen in the filter panel, else the State (the first annex signed).
            reservataire: self.state.reservataire.clone().filter(|r| *r != Reservataire::NON_RESERVE).or_else(|| {
                v.options.reservataires.iter().any(|(id, _)| *id == Reservataire::ETAT).then_some(Reservataire::ETAT)
            }),
            bailleur,
            epci,
            annee: annee.to_string(),
            refus: None,
        });
    }

    /// A message of the follow-up's forms, shown under the form that asked (and in the
    /// status bar).
    pub(super) fn message_du_suivi(&mut self, declaration: bool, m: Result<String, Erreur>) {
        match &m {
            Ok(s) => self.messages.dire(s.clone()),
            Err(e) => self.messages.error = Some(Erreur::Texte(e.to_string())),
        }
        if let Some(v) = &mut self.ecrans.bilan {
            if declaration {
                v.declaration = Some(m);
            } else {
                v.suivi = Some(m);
            }
        }
    }

    /// A click on a bar: filters the dashboard on it; a second click on the same bar lifts
    /// the filter. The chart clicked keeps all its bars (the one chosen stands out).
    pub(super) fn filter_on(&mut self, kind: contingents::charts::Kind, key: String) {
        use contingents::charts::{choix, fixer};
        let mut f = self.state.filtre_tableau();
        let deja = choix(&f, kind).as_deref() == Some(key.as_str());
        fixer(&mut f, kind, (!deja).then_some(key.as_str()));
        self.state.set_filtre_tableau(f);
        self.save_state();
    }

    /// Recomputes the bilan shown (after a change of the follow-up).
    pub(super) fn refresh_bilan(&mut self) {
        if let Some(v) = &self.ecrans.bilan {
            let (annee, semestre, bailleur, reservataire) =
                (v.annee, v.semestre, v.bailleur.clone(), v.reservataire.clone());
            self.push(Action::BilanSelect { annee, semestre, bailleur, reservataire });
        }
    }
}

/// Beyond this many dwellings in force, the forms of the bilans offer the dwellings of the
/// bilan's bailleur only (a national dossier's would weigh on the window).
const MAX_LOGEMENTS_A_CHOISIR: u64 = 200_000;
