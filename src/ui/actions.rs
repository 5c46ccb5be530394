//! The one place where actions change the window's state, and where the results of jobs
//! come back. Reads and writes of the dossier, imports and exports all run as jobs.

use super::app::{App, Wizard};
use super::erreur::Erreur;
use super::picker::{Demande, Picker, Suite, Usage};
use super::settings::SelectionFlux;
use super::state::{
    Action, AnnexeDialogue, ApresFlux, BilanView, Creation, DemandeAnnexe, DossierView, Drill, EtatARelire, FluxView,
    RegistreImporte, Reprise, Screen,
};
use super::tasks::{Document, Fait, JobOutput};
use contingents::consolidate::{self, libelle_reservataire, nom_epci};
use contingents::format::{date_fr, nom_de_fichier};
use contingents::import::run::{Ecriture, ImportError, prepare_file, reapply_mappings, write_prepared_with};
use contingents::model::{Portee, RefLogement, Reservataire};
use contingents::store::Dossier;
use contingents::suivi::OptionsRegistre;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

const TABLEURS: (&str, &[&str]) = ("Tableurs et CSV", &["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "txt"]);

/// A réservataire's name in a file name: « État » rather than « État (contingent préfectoral) ».
fn nom_court(id: &str) -> String {
    match Portee::de(id) {
        Portee::Etat => "État".into(),
        Portee::Fonctionnaires => "État (agents)".into(),
        Portee::ActionLogement
        | Portee::Defense
        | Portee::NonReserve
        | Portee::Commune
        | Portee::Epci
        | Portee::Departement
        | Portee::Region
        | Portee::Autre
        | Portee::Inconnue => libelle_reservataire(id),
    }
}

impl App {
    pub(super) fn apply(&mut self, action: Action) {
        // Said once per action (`Action::effet`, an exhaustive match): nothing writes into a
        // dossier another window holds.
        if action.effet().ecrit() && self.session.read_only {
            self.messages.erreur(Erreur::LectureSeule);
            return;
        }
        // Flux parameters typed and not saved: an export reads the saved ones, opening another
        // dossier drops them; the user says first what to do with them.
        if let Some(q) = self.question_flux(&action) {
            self.ecrans.question_flux = Some(q);
            return;
        }
        match action {
            Action::ReponseFlux(reponse) => self.reponse_flux(reponse),
            Action::ListerEchus => self.sur_dossier("droits échus", false, |d| Ok(Fait::Echus(d.droits_echus()?))),
            Action::Show(s) => {
                self.state.screen = s;
                self.save_state();
            }
            Action::SetFilters(f) => {
                // The flux screen follows the EPCI chosen in the filter panel (unless parameters
                // typed there are not saved yet).
                if f.epci.is_some()
                    && f.epci != self.state.filters.epci
                    && self.ecrans.flux.as_ref().is_some_and(|fv| {
                        fv.params == fv.saved
                            && fv.coordonnees == fv.coordonnees_enregistrees
                            && Some(&fv.epci) != f.epci.as_ref()
                    })
                {
                    self.ecrans.flux = None;
                }
                self.state.filters = f;
                self.save_state();
            }
            Action::HorsAtelier(quoi) => {
                self.messages.dire(format!("Mode atelier : quittez-le (F11) pour {quoi}"));
            }
            Action::SetReservataire(r) => {
                self.state.tous_les_reservataires = r.is_none();
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
                "Créer un dossier Contingents : son nom et son emplacement",
                "Réservations.contingents".into(),
                Suite::NouveauDossier,
            )),
            Action::FermerCreation => self.ecrans.creation = None,
            Action::CreerDossier { path, territoire, date } => {
                self.lancer("création", move |_, _| {
                    let r = (|| {
                        if path.exists() {
                            return Err(Erreur::DossierExiste(path.clone()));
                        }
                        let d = Dossier::open(&path, true)?;
                        d.set_parametre("territoire", &territoire.code())?;
                        d.set_parametre("date_reference", &date.to_string())?;
                        Ok(Box::new(Fait::DossierCree(path)))
                    })();
                    JobOutput::Fait(r)
                });
            }
            Action::ProprietesDialog => self.ouvrir_proprietes(),
            Action::FermerProprietes => self.ecrans.proprietes = None,
            Action::EffetProprietes { territoire, date } => self.effet_proprietes(territoire, date),
            Action::AppliquerProprietes { territoire, date } => self.appliquer_proprietes(territoire, date),
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
            Action::StartImport => self.start_import(),
            Action::ReprendreImport => self.reprendre_import(),
            Action::Cancel => {
                if let Some(j) = &self.travaux.job {
                    j.cancel.store(true, Ordering::Relaxed);
                }
            }
            Action::CloseWizard => {
                if self.ecrans.wizard.as_ref().is_some_and(|w| w.perte.is_some()) {
                    self.messages.dire("Import abandonné : rien n'a été remplacé");
                }
                self.ecrans.wizard = None;
                self.state.screen = Screen::Consolidation;
            }
            Action::Restore(id) => self.sur_dossier("rétablissement", true, move |d| {
                let r = d.restore(id)?;
                Ok(Fait::Retabli(id, r))
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
            Action::UndoRemove => match self.ecrans.retires.pop() {
                Some(id) => self.sur_dossier("annulation", true, move |d| {
                    d.restore(id)?;
                    Ok(Fait::RetraitAnnule(id))
                }),
                None => self.messages.dire("Aucun retrait à annuler dans cette session"),
            },
            Action::ProposeLabel { champ, libelle, valeur } => {
                self.ecrans.libelles.proposition = Some((champ, libelle, valeur));
            }
            Action::CancelLabel => self.ecrans.libelles.proposition = None,
            Action::IgnoreLabel { champ, libelle } => {
                self.ecrans.libelles.ignores.insert((champ, libelle.clone()));
                self.messages.dire(format!(
                    "« {libelle} » laissé de côté pour cette session : ses lignes restent mises de côté"
                ));
            }
            Action::MapLabel { champ, libelle, valeur } => {
                self.ecrans.libelles.proposition = None;
                self.sur_dossier("rapprochement d'un libellé", true, move |d| {
                    let avant = d.avant_association(champ, &libelle)?;
                    d.set_mapping(champ, &libelle, &valeur)?;
                    let lignes = reapply_mappings(d)?;
                    let shown = consolidate::libelle_valeur(champ, &valeur);
                    Ok(Fait::Associe { libelle, shown, avant, lignes })
                });
            }
            Action::UndoLabel => {
                let Some((avant, shown)) = self.ecrans.libelles.annulable.take() else {
                    self.messages.dire("Aucune association à annuler");
                    return;
                };
                self.sur_dossier("annulation", true, move |d| {
                    d.annuler_association(&avant)?;
                    Ok(Fait::AssociationAnnulee { libelle: avant.libelle.clone(), shown })
                });
            }
            Action::TrancherSiecle { cle, siecle } => self.sur_dossier("rapprochement d'un libellé", true, move |d| {
                let colonnes = contingents::import::changements::dates_ambigues(d)?;
                let Some(c) = colonnes.into_iter().find(|c| c.cle == cle) else {
                    return Err(Erreur::Texte("cette colonne n'a plus de dates ambiguës".into()));
                };
                let lignes = contingents::import::changements::trancher_siecle(d, &c, siecle)?;
                Ok(Fait::SiecleTranche { colonne: format!("{} — {}", c.fichier, c.colonne), siecle, lignes })
            }),
            Action::SetFinancement { libelle, valeur } => self.sur_dossier("financement", true, move |d| {
                d.set_mapping(contingents::model::ChampLibelle::Financement, &libelle, valeur.as_str())?;
                reapply_mappings(d)?;
                Ok(Fait::Financement { libelle, valeur })
            }),
            Action::Drill { reservataire, financement, typologie } => {
                let demande = Action::Drill { reservataire: reservataire.clone(), financement, typologie };
                let filtre = self.state.filters.avec_reservataire(reservataire.as_deref());
                let titre = format!(
                    "{} — {} — {}",
                    reservataire
                        .as_deref()
                        .map(libelle_reservataire)
                        .unwrap_or_else(|| "Tous les réservataires".into()),
                    financement.map(|f| f.as_str()).unwrap_or("tous financements"),
                    typologie.map(|t| t.as_str()).unwrap_or("toutes typologies")
                );
                self.sur_dossier("logements", false, move |d| {
                    let logements = consolidate::logements(d, &filtre, financement, typologie, 2000)?;
                    Ok(Fait::Logements(Drill { titre, logements, demande, a_montrer: true }))
                });
            }
            Action::DrillMontre => {
                if let Some(d) = &mut self.ecrans.drill {
                    d.a_montrer = false;
                }
            }
            Action::RapprochementDialog => {
                self.demander(Demande::ouvrir("Déclaration du réservataire", TABLEURS, false, Suite::Rapprocher))
            }
            Action::Rapprocher(p) => {
                let Some(res) = self.state.reservataire.clone() else {
                    self.messages.erreur(Erreur::SansReservataire);
                    return;
                };
                self.sur_dossier("rapprochement", false, move |d| {
                    Ok(Fait::Rapprochement(
                        contingents::rapprochement::rapprocher(d, &res, &p).map_err(Erreur::Rapprochement),
                    ))
                });
            }
            Action::FluxSelect { bailleur, epci, annee }
                if self
                    .ecrans
                    .flux
                    .as_ref()
                    .is_some_and(|f| f.params != f.saved || f.coordonnees != f.coordonnees_enregistrees) =>
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
                    fv.coordonnees = fv.coordonnees_enregistrees.clone();
                }
                self.push(Action::FluxSelect { bailleur: b, epci: e, annee: a });
            }
            Action::FluxSelect { bailleur, epci, annee } => self.flux_select(bailleur, epci, annee),
            Action::FluxInitial => self.flux_initial(),
            Action::BilanInitial => {
                // The period and bailleur last chosen for this dossier (if the bailleur is still in it).
                let memo = self.view.as_ref().and_then(|v| {
                    self.state
                        .bilans
                        .get(&v.path)
                        .filter(|s| s.bailleur.as_ref().is_none_or(|b| v.bailleurs().contains(b)))
                });
                match memo.cloned() {
                    Some(s) => self.bilan_select(Some(s.annee), s.semestre, s.bailleur, None),
                    None => self.bilan_select(None, None, None, None),
                }
            }
            Action::BilanSelect { annee, semestre, bailleur, reservataire } => {
                self.bilan_select(Some(annee), semestre, bailleur, reservataire)
            }
            Action::ExportBilan(ext) => {
                let b = match self.ecrans.bilan.as_ref().map(|v| &v.bilan) {
                    Some(Ok(b)) => b,
                    Some(Err(_)) | None => {
                        self.messages.erreur(Erreur::RienAExporter("le bilan n'a pas pu être calculé"));
                        return;
                    }
                };
                let periode = match b.semestre {
                    Some(1) => format!("{} — 1er semestre", b.annee),
                    Some(s) => format!("{} — {s}e semestre", b.annee),
                    None => b.annee.to_string(),
                };
                let quoi = if matches!(ext, "png" | "svg") { "Avancement du flux" } else { "Bilan du flux" };
                let territoire = self.view.as_ref().map(|v| v.territoire.label()).unwrap_or_default();
                let bailleur = self.ecrans.bilan.as_ref().and_then(|v| v.bailleur.clone()).unwrap_or_default();
                let pour = b.reservataire.as_deref().map(libelle_reservataire).unwrap_or_default();
                let name = nom_de_fichier(&[quoi, &pour, &bailleur, &territoire, &periode], ext);
                self.demander(Demande::enregistrer("Exporter le bilan", name, Suite::Bilan));
            }
            Action::Orienter { logement, date, origine } => {
                let lu = match (logement.parse::<RefLogement>(), date.trim(), contingents::format::parse_date(&date)) {
                    (Err(_), ..) => Err(Erreur::Logement(logement)),
                    (_, "", _) => Err(Erreur::SansDate("Classer les réservataires")),
                    (_, _, None) => Err(Erreur::Date("Date de libération", date)),
                    (Ok(l), _, Some(dt)) => Ok((l.bailleur, l.reference, dt)),
                };
                match lu {
                    Err(e) => {
                        if let Some(v) = &mut self.ecrans.bilan {
                            v.orientation = Some((origine, Err(e)));
                        }
                    }
                    Ok((b, r, dt)) => self.sur_dossier("orientation", false, move |d| {
                        Ok(Fait::Orientation(
                            origine,
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
                    let RefLogement { bailleur, reference } =
                        logement.parse().map_err(|_| Erreur::Logement(logement.clone()))?;
                    if reservataire.is_none() && hors_flux.is_none() {
                        return Err(Erreur::SansDestinataire);
                    }
                    if mise_a_disposition.trim().is_empty() {
                        return Err(Erreur::SansDate("Enregistrer la mise à disposition"));
                    }
                    let mad = parse_date(&mise_a_disposition)
                        .ok_or_else(|| Erreur::Date("Date de mise à disposition", mise_a_disposition.clone()))?;
                    let liberation = match liberation.trim() {
                        "" => None,
                        l => Some(
                            parse_date(l).ok_or_else(|| Erreur::Date("Fin du préavis du locataire", l.to_string()))?,
                        ),
                    };
                    Ok::<_, Erreur>(contingents::suivi::Declaration {
                        bailleur: bailleur.trim().to_string(),
                        reference: reference.trim().to_string(),
                        reservataire: reservataire.map(Reservataire::new),
                        hors_flux,
                        liberation,
                        preavis,
                        mise_a_disposition: mad,
                    })
                })();
                match lue {
                    Err(e) => self.message_du_suivi(true, Err(e)),
                    Ok(declaration) => self.sur_dossier("déclaration", true, move |d| {
                        let echeance = contingents::suivi::declarer(d, &declaration)?;
                        Ok(Fait::Declare { logement, echeance })
                    }),
                }
            }
            Action::NoterEvenement { id, evenement, date } => {
                if date.trim().is_empty() {
                    self.message_du_suivi(false, Err(Erreur::SansDate(super::screens::libelle_evenement(evenement))));
                    return;
                }
                let Some(dt) = contingents::format::parse_date(&date) else {
                    self.message_du_suivi(false, Err(Erreur::Date("Date de l'événement", date)));
                    return;
                };
                self.sur_dossier("suivi", true, move |d| {
                    contingents::suivi::noter(d, id, evenement, dt)?;
                    Ok(Fait::Note(evenement, dt))
                });
            }
            Action::EnregistrerCia { prioritaires, quartile1, qpv, reservataire } => {
                use contingents::store::ReglageCia;
                let lus = (|| {
                    let pct = |s: &str, quoi: &str| -> Result<Option<f64>, Erreur> {
                        match s.trim() {
                            "" => Ok(None),
                            t => contingents::format::parse_pourcentage(t)
                                .map(|x| Some(x / 100.0))
                                .map_err(|e| Erreur::Texte(format!("{quoi} : {e}"))),
                        }
                    };
                    let mut v = Vec::new();
                    if let Some(x) = pct(&prioritaires, "Publics prioritaires")? {
                        v.push(ReglageCia::Prioritaires(x));
                    }
                    if let Some(x) = pct(&quartile1, "Premier quartile hors QPV")? {
                        v.push(ReglageCia::Quartile1(x));
                    }
                    if let Some(x) = pct(&qpv, "Quartiles 2 à 4 en QPV")? {
                        v.push(ReglageCia::Qpv(x));
                    }
                    if let Some((id, taux)) = &reservataire {
                        v.push(ReglageCia::PrioritairesDe(id.clone(), pct(taux, "Taux du réservataire")?));
                    }
                    Ok::<_, Erreur>(v)
                })();
                match lus {
                    Err(e) => self.message_du_suivi(false, Err(e)),
                    Ok(v) if v.is_empty() => {
                        self.message_du_suivi(false, Err(Erreur::Texte("aucun objectif saisi".into())))
                    }
                    Ok(v) => self.sur_dossier("objectifs de la CIA", true, move |d| {
                        for r in &v {
                            d.enregistrer_reglage_cia(r)?;
                        }
                        Ok(Fait::CiaEnregistree(v.len()))
                    }),
                }
            }
            Action::FicheNavetteMiseADisposition(id) => {
                let m = self.ecrans.bilan.as_ref().and_then(|b| b.saisies.iter().find(|m| m.id == id));
                let name = match m {
                    Some(m) => nom_de_fichier(&["Fiche navette", &m.bailleur, &m.reference], "xlsx"),
                    None => nom_de_fichier(&["Fiche navette"], "xlsx"),
                };
                self.demander(Demande::enregistrer("Fiche navette", name, Suite::NavetteMiseADisposition(id)));
            }
            Action::FluxSave => self.flux_save(),
            Action::ExportFicheAssiette => {
                let Some(fv) = &self.ecrans.flux else { return };
                let (b, a) = (fv.bailleur.clone(), fv.annee);
                let name = contingents::export::fiche_assiette::nom_de_fichier(&b, a, "xlsx");
                self.demander(Demande::enregistrer(
                    "Fiche de l'assiette",
                    name,
                    Suite::FicheAssiette { bailleur: b, annee: a },
                ));
            }
            Action::ExportPrevision => {
                let Some(fv) = &self.ecrans.flux else { return };
                let (b, a) = (fv.bailleur.clone(), fv.annee);
                let name = nom_de_fichier(&["Prévision des soustraits", &b, &a.to_string()], "pdf");
                self.demander(Demande::enregistrer(
                    "Prévision des soustraits (xlsx ou pdf)",
                    name,
                    Suite::Prevision { bailleur: b, annee: a },
                ));
            }
            Action::ExportChart(ext) => {
                let Some(v) = &self.view else { return };
                let kind = self.state.graphique.kind;
                let perimetre = self.state.filters.description().unwrap_or_else(|| v.territoire.label());
                let name = nom_de_fichier(&[kind.title(), &perimetre, self.state.graphique.stock.label()], ext);
                self.demander(Demande::enregistrer("Exporter le graphique", name, Suite::Graphique));
            }
            Action::FilterOn(kind, key) => self.filter_on(kind, key),
            Action::ExportEtatDesLieux => {
                let Some(v) = &self.view else { return };
                let name = nom_de_fichier(
                    &[
                        "État des lieux consolidé",
                        &v.territoire.label(),
                        &format!("au {}", date_fr(&v.date_reference.to_string())),
                    ],
                    "xlsx",
                );
                self.demander(Demande::enregistrer("État des lieux consolidé", name, Suite::EtatDesLieux));
            }
            Action::AnnexeDialog => self.ouvrir_annexe(),
            Action::FermerAnnexe => self.ecrans.annexe = None,
            Action::ExportAnnexe(a) => {
                self.ecrans.annexe = None;
                let epci_nom = nom_epci(&a.epci);
                // A commune's annex is on its commune; the others' on the EPCI.
                let commune = Portee::Commune
                    .code(&a.reservataire)
                    .filter(|c| {
                        contingents::reference::reference().commune(c).and_then(|c| c.epci) == Some(a.epci.as_str())
                    })
                    .map(str::to_string);
                let name = nom_de_fichier(
                    &[
                        &format!("Annexe {}", nom_court(&a.reservataire)),
                        a.bailleur.as_deref().unwrap_or(""),
                        &epci_nom,
                        &a.annee.to_string(),
                    ],
                    a.format,
                );
                let DemandeAnnexe { reservataire, bailleur, epci, annee, .. } = a;
                let epci = commune.is_none().then_some(epci);
                self.demander(Demande::enregistrer(
                    "Annexe de convention",
                    name,
                    Suite::Annexe { reservataire, commune, epci, bailleur, annee },
                ));
            }
            Action::FicheNavetteVierge => self.demander(Demande::enregistrer(
                "Fiche navette vierge (xlsx ou pdf)",
                nom_de_fichier(&["Fiche navette"], "xlsx"),
                Suite::NavetteVierge,
            )),
            Action::FicheNavette { exclusion: Some(_), .. } => self.ecrans.navette_exclue = Some(action),
            Action::NavetteExclue(produire) => {
                if let Some(Action::FicheNavette { bailleur, reference, reservataire, .. }) =
                    self.ecrans.navette_exclue.take()
                    && produire
                {
                    self.push(Action::FicheNavette { bailleur, reference, reservataire, exclusion: None });
                }
            }
            Action::FicheNavette { bailleur, reference, reservataire, exclusion: None } => {
                let name = nom_de_fichier(&["Fiche navette", &bailleur, &reference], "xlsx");
                let reservataire = reservataire.unwrap_or_else(|| Reservataire::ETAT.into());
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
            Action::Fermer(annuler) => {
                self.ecrans.fermeture = false;
                if annuler {
                    match &self.travaux.job {
                        Some(j) => {
                            j.cancel.store(true, Ordering::Relaxed);
                            self.ecrans.fermer_apres = true;
                            self.messages.dire("Arrêt du travail en cours, puis fermeture…");
                        }
                        None => self.fermer_la_fenetre(),
                    }
                }
            }
        }
    }

    /// The question to ask before `action` when flux parameters are typed and not saved.
    fn question_flux(&mut self, action: &Action) -> Option<ApresFlux> {
        if !self.ecrans.flux.as_ref().is_some_and(FluxView::modifie) {
            return None;
        }
        let q = match action {
            Action::AnnexeDialog | Action::ExportFicheAssiette | Action::ExportPrevision | Action::ExportBilan(_) => {
                Some(ApresFlux::Exporter(Box::new(action.clone())))
            }
            Action::OpenDossier(_) | Action::AppliquerProprietes { .. } => {
                Some(ApresFlux::Continuer(Box::new(action.clone())))
            }
            _ => None,
        };
        // Answered already (this action is the one that followed the answer).
        if q.is_some() && std::mem::take(&mut self.ecrans.flux_accorde) {
            return None;
        }
        q
    }

    /// The user's answer about unsaved flux parameters. Saved first: what was asked follows
    /// once they are in the dossier (not if the saving fails). Not saved: an export uses the
    /// saved ones (those typed stay typed); another dossier drops them. Cancelled: nothing.
    fn reponse_flux(&mut self, reponse: Option<bool>) {
        let Some(q) = self.ecrans.question_flux.take() else { return };
        let suite = match q {
            ApresFlux::Exporter(a) | ApresFlux::Continuer(a) => *a,
            ApresFlux::Fermer => Action::Fermer(true),
        };
        match reponse {
            None => self.messages.dire("Rien n'a été enregistré : les paramètres modifiés restent à l'écran"),
            Some(true) => {
                self.ecrans.apres_enregistrement = Some(suite);
                self.flux_save();
            }
            Some(false) => {
                if matches!(suite, Action::OpenDossier(_) | Action::AppliquerProprietes { .. } | Action::Fermer(_))
                    && let Some(fv) = &mut self.ecrans.flux
                {
                    fv.params = fv.saved.clone();
                    fv.coordonnees = fv.coordonnees_enregistrees.clone();
                }
                self.suivre(suite);
            }
        }
    }

    /// What the user asked once the question about the flux parameters is answered: not
    /// asked again.
    fn suivre(&mut self, a: Action) {
        self.ecrans.flux_accorde =
            !matches!(a, Action::Fermer(_)) && self.ecrans.flux.as_ref().is_some_and(FluxView::modifie);
        self.push(a);
    }

    /// Loads a dossier's figures off the UI thread (a national dossier takes seconds).
    fn load(&mut self, path: PathBuf, fresh: bool) {
        let label = if fresh { "ouverture" } else { "actualisation" };
        if fresh {
            super::trace::demande();
        }
        self.lancer(label, move |p, _| {
            let view = DossierView::load(&path, p).map(Box::new);
            JobOutput::Loaded { path, fresh, view }
        });
    }

    fn opened(&mut self, path: PathBuf, view: DossierView) {
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
                .map(|(r, _)| r.to_string());
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
        let files = std::mem::take(&mut self.session.pending_import);
        if !files.is_empty() {
            self.push(Action::Prepare(files));
        }
    }

    /// Asks for a file: the system's dialog when it answers, else the picker in the window
    /// (always in tests). What follows is `Action::Choisi`. Each use starts in the folder
    /// last used for it.
    fn demander(&mut self, d: Demande) {
        use super::picker::systeme_disponible;
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
    fn depart(&self, usage: Usage) -> Option<PathBuf> {
        let remembered = self.state.dossiers_par_usage.get(&usage).filter(|d| d.is_dir()).cloned();
        // The demonstration lives in the program's data folder: never a place for the user's files.
        let dossier =
            self.view.as_ref().filter(|v| !v.demonstration).and_then(|v| v.path.parent().map(|x| x.to_path_buf()));
        let documents = || directories::UserDirs::new().and_then(|u| u.document_dir().map(|d| d.to_path_buf()));
        remembered.or(dossier).or_else(documents)
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
    fn recent_dirs(&self) -> Vec<PathBuf> {
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
    fn sources(&self) -> Vec<super::picker::Source> {
        let Some(v) = &self.view else { return vec![] };
        v.historique.iter().map(|e| (e.fichier.clone(), e.sha256.clone())).collect()
    }

    /// What a chosen file is for: every export is a job.
    fn choisi(&mut self, suite: Suite, paths: Vec<PathBuf>) {
        let Some(out) = paths.first().cloned() else { return };
        // Whatever dialog chose it: a document never replaces a dossier nor a file it imported.
        if suite.usage() == Usage::Exporter
            && let Some(r) = super::picker::refus_d_ecriture(&out, &self.sources())
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
                let annee = contingents::store::default_date_reference().year;
                self.ecrans.creation =
                    Some(Creation { path, recherche: String::new(), territoire: None, date: format!("01/01/{annee}") });
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
                let f = super::screens::tableau::filtre_du_graphique(&self.state, g.kind);
                let sous_titre = super::screens::tableau::sous_titre(&self.state, v);
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

    /// Files chosen or dropped are read off the window's thread: états des lieux are planned,
    /// registers of mises à disposition read for the same wizard; a file that cannot be read
    /// is marked and the others go on.
    fn prepare(&mut self, files: Vec<PathBuf>) {
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
                    match super::registre::lire(f, &bailleurs) {
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
    fn start_import(&mut self) {
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
    fn reprendre_import(&mut self) {
        let Some(r) = self.ecrans.wizard.as_mut().and_then(|w| w.perte.take()) else { return };
        let Reprise { etats, registres, .. } = *r;
        self.importer(None, etats, registres, true);
    }

    fn importer(
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

    /// The flux screen opens on the selection remembered for this dossier, on the EPCI (and
    /// bailleur) of the filter panel when one is chosen; else on a bailleur and an EPCI
    /// where it has dwellings — never an empty parc.
    fn flux_initial(&mut self) {
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

    fn flux_select(&mut self, bailleur: String, epci: String, annee: i32) {
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
    fn flux_save(&mut self) {
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
    fn bilan_select(
        &mut self,
        annee: Option<i32>,
        semestre: Option<u8>,
        bailleur: Option<String>,
        reservataire: Option<String>,
    ) {
        let Some(v) = &self.view else { return };
        let (path, defaut) = (v.path.clone(), v.date_reference.year);
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
                let reservataires: Vec<String> = match &bilan {
                    Ok(b) => b.reservataires.iter().map(|r| r.id.to_string()).collect(),
                    Err(_) => vec![],
                };
                // The réservataire chosen, while it is one of this bilan's.
                let reservataire = reservataire.filter(|r| reservataires.contains(r));
                if let (Ok(b), Some(r)) = (&mut bilan, &reservataire) {
                    b.seulement(r);
                }
                let saisies = contingents::suivi::saisies(&d)?;
                let cia = d.reglages_cia()?;
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
                })
            });
            JobOutput::Bilan(r.map(Box::new))
        });
    }

    /// The annex's dialog, filled with what is being looked at: the flux screen's bailleur,
    /// EPCI and year (or those remembered for the dossier, or the filters'), the réservataire
    /// chosen in the filter panel.
    fn ouvrir_annexe(&mut self) {
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
                v.options
                    .reservataires
                    .iter()
                    .any(|(id, _)| *id == Reservataire::ETAT)
                    .then(|| Reservataire::ETAT.into())
            }),
            bailleur,
            epci,
            annee: annee.to_string(),
        });
    }

    /// A message of the follow-up's forms, shown under the form that asked (and in the
    /// status bar).
    fn message_du_suivi(&mut self, declaration: bool, m: Result<String, Erreur>) {
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
                        let s = super::settings::SelectionBilan {
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
                    let (orientation, declaration, suivi) = match avant {
                        Some(b) => (b.orientation, b.declaration, b.suivi),
                        None => (None, None, None),
                    };
                    self.ecrans.bilan = Some(BilanView { orientation, declaration, suivi, ..*v });
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

    fn fait(&mut self, f: Fait) {
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
            Fait::Echus(v) => self.ecrans.echus = Some((self.session.generation, v)),
            Fait::Rapprochement(r) => self.ecrans.rapprochement = Some(r),
            Fait::Orientation(origine, r) => {
                if let Some(v) = &mut self.ecrans.bilan {
                    v.orientation = Some((origine, r));
                }
            }
            Fait::Declare { logement, echeance } => {
                let m = format!(
                    "Mise à disposition enregistrée : {logement}{}",
                    echeance
                        .map(|e| format!(", réponse attendue au plus tard le {}", date_fr(&e.to_string())))
                        .unwrap_or_default()
                );
                self.message_du_suivi(true, Ok(m));
                self.refresh_bilan();
            }
            Fait::CiaEnregistree(n) => {
                let m = if n > 1 { "Objectifs de la CIA enregistrés" } else { "Objectif de la CIA enregistré" };
                self.message_du_suivi(false, Ok(format!("{m} dans le dossier")));
                self.refresh_bilan();
            }
            Fait::Note(evenement, date) => {
                let quoi = super::screens::libelle_evenement(evenement);
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

    /// Recomputes the bilan shown (after a change of the follow-up).
    fn refresh_bilan(&mut self) {
        if let Some(v) = &self.ecrans.bilan {
            let (annee, semestre, bailleur, reservataire) =
                (v.annee, v.semestre, v.bailleur.clone(), v.reservataire.clone());
            self.push(Action::BilanSelect { annee, semestre, bailleur, reservataire });
        }
    }
}
