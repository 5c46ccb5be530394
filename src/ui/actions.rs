//! The one place where actions change the window's state (`App::apply`, here), and where the
//! results of jobs come back; by family: file dialogs (`fichiers.rs`), the import (`import.rs`),
//! the flux and bilans screens (`flux_bilans.rs`), a dossier opened and the jobs' results
//! (`retours.rs`). Reads and writes of the dossier, imports and exports all run as jobs.

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

mod fichiers;
mod flux_bilans;
mod import;
mod retours;

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
                // An error says what went wrong on the screen left: it does not follow to another.
                if s != self.state.screen {
                    self.messages.error = None;
                }
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
            Action::RienAAnnuler => {
                self.messages.dire(
                    "Rien à annuler : Ctrl+Z rétablit une mise à disposition supprimée (écran Bilans) ou un import retiré (Historique)",
                );
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
            Action::FermerCreation => {
                self.ecrans.creation = None;
                if let Some(p) = self.session.pending_import_for.take() {
                    let n = std::mem::take(&mut self.session.pending_import).len();
                    let quoi = if n > 1 {
                        format!("Dossier non créé : les {n} fichiers à importer n'ont pas été ouverts — ")
                    } else {
                        "Dossier non créé : le fichier à importer n'a pas été ouvert — ".to_string()
                    };
                    self.messages.dire_avec(quoi, &p);
                }
            }
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
            Action::RenommerDialog(b) => self.ecrans.renommage = b,
            Action::OublierRefus => {
                if let Some(v) = &mut self.ecrans.bilan
                    && let Some(Err(e)) = &v.declaration
                {
                    if self.messages.error.as_ref().is_some_and(|x| x.to_string() == e.to_string()) {
                        self.messages.error = None;
                    }
                    v.declaration = None;
                }
            }
            Action::RenommerBailleur { ancien, nouveau } => self.sur_dossier("renommage", true, move |d| {
                d.renommer_bailleur(&ancien, &nouveau)?;
                Ok(Fait::Renomme(ancien, nouveau.trim().to_string()))
            }),
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
            Action::FermerDrill => self.ecrans.drill = None,
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
                        let mut o = contingents::suivi::orientation::orienter(d, &b, &r, dt).map_err(Erreur::from);
                        // The year's flux not saved (never entered, or last year's carried over):
                        // the ranking would follow objectives nobody set. Said, with what to do.
                        if let Ok(x) = &o
                            && !contingents::flux::flux_de_l_annee(
                                d,
                                &b,
                                &x.logement.epci,
                                dt.year,
                                &contingents::flux::groupes(d, &b, &x.logement.epci)?,
                            )?
                            .de_l_annee()
                        {
                            o = Err(Erreur::FluxNonEnregistre {
                                bailleur: b.clone(),
                                epci: x.logement.epci.clone(),
                                annee: dt.year,
                            });
                        }
                        Ok(Fait::Orientation(origine, o))
                    }),
                }
            }
            Action::DeclarerMiseADisposition { valeurs, correction } => {
                use contingents::format::parse_date;
                let v = valeurs;
                let logement =
                    RefLogement { bailleur: v.bailleur.trim().to_string(), reference: v.reference.trim().to_string() };
                let lue = (|| {
                    if logement.bailleur.is_empty() || logement.reference.is_empty() {
                        return Err(Erreur::Logement(logement.to_string()));
                    }
                    use crate::ui::state::Destinataire;
                    let (reservataire, hors_flux) = match &v.destinataire {
                        Some(Destinataire::Reservataire(r)) => (Some(r.clone()), None),
                        Some(Destinataire::HorsFlux(h)) => (None, Some(*h)),
                        None => return Err(Erreur::SansDestinataire),
                    };
                    if v.mise_a_disposition.trim().is_empty() {
                        return Err(Erreur::SansDate(if correction.is_some() {
                            "Enregistrer la correction"
                        } else {
                            "Enregistrer la mise à disposition"
                        }));
                    }
                    let mad = parse_date(&v.mise_a_disposition)
                        .ok_or_else(|| Erreur::Date("Date de mise à disposition", v.mise_a_disposition.clone()))?;
                    let liberation = match v.liberation.trim() {
                        "" => None,
                        l => Some(
                            parse_date(l).ok_or_else(|| Erreur::Date("Fin du préavis du locataire", l.to_string()))?,
                        ),
                    };
                    use contingents::model::{Lu, Menage};
                    Ok::<_, Erreur>(contingents::suivi::Declaration {
                        bailleur: v.bailleur.trim().to_string(),
                        reference: v.reference.trim().to_string(),
                        reservataire,
                        hors_flux,
                        liberation,
                        preavis: v.preavis,
                        mise_a_disposition: mad,
                        menage: Menage {
                            public: v.public.map(Lu::Valeur).unwrap_or(Lu::NonRenseigne),
                            quartile: v.quartile.map(Lu::Valeur).unwrap_or(Lu::NonRenseigne),
                        },
                    })
                })();
                match lue {
                    Err(e) => self.message_du_suivi(true, Err(e)),
                    Ok(declaration) => self.sur_dossier("déclaration", true, move |d| {
                        let faite = match correction {
                            Some(id) => contingents::suivi::corriger(d, id, &declaration)?,
                            None => contingents::suivi::declarer(d, &declaration)?,
                        };
                        let avec_registre = d.bailleurs_avec_registre()?.contains(&declaration.bailleur);
                        Ok(Fait::Declare {
                            logement,
                            echeance: faite.echeance,
                            correction: correction.is_some(),
                            avec_registre,
                        })
                    }),
                }
            }
            Action::CorrigerMiseADisposition(id) => {
                if let Some(v) = &mut self.ecrans.bilan
                    && let Some(m) = v.saisies.iter().find(|m| m.id == id)
                {
                    let jour =
                        |d: Option<contingents::model::Date>| d.map(|d| date_fr(&d.to_string())).unwrap_or_default();
                    let initial = crate::ui::state::ValeursDeclaration {
                        bailleur: m.bailleur.clone(),
                        reference: m.reference.clone(),
                        liberation: jour(m.etapes.date_liberation),
                        preavis: m.etapes.preavis.unwrap_or(1),
                        destinataire: match (&m.reservataire, m.hors_flux) {
                            (Some(r), _) => Some(crate::ui::state::Destinataire::Reservataire(r.clone())),
                            (None, Some(h)) => Some(crate::ui::state::Destinataire::HorsFlux(h)),
                            (None, None) => None,
                        },
                        mise_a_disposition: jour(m.etapes.date_mise_a_disposition),
                        public: m.menage.public.valeur(),
                        quartile: m.menage.quartile.valeur(),
                    };
                    v.formulaire.generation += 1;
                    v.formulaire.initial = Some(initial);
                    v.formulaire.correction = Some(id);
                    v.declaration = None;
                }
            }
            Action::AnnulerCorrection => {
                if let Some(v) = &mut self.ecrans.bilan {
                    v.formulaire.vider();
                    v.declaration = None;
                }
            }
            Action::SupprimerMiseADisposition(id) => self.sur_dossier("suivi", true, move |d| {
                let lignes = contingents::suivi::lignes_ecartees_par_la_saisie(d, id)?;
                Ok(Fait::Supprimee(Box::new(contingents::suivi::supprimer(d, id)?), lignes))
            }),
            Action::RetablirMiseADisposition => {
                let Some(m) = self.ecrans.bilan.as_ref().and_then(|v| v.formulaire.supprimee.clone()) else { return };
                self.sur_dossier("suivi", true, move |d| {
                    contingents::suivi::retablir(d, &m)?;
                    Ok(Fait::Retablie(format!("{} {}", m.bailleur, m.reference)))
                });
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
            Action::NoterMenage { id, public, quartile } => self.sur_dossier("suivi", true, move |d| {
                contingents::suivi::noter_menage(d, id, public, quartile)?;
                Ok(Fait::MenageNote)
            }),
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
            // Checked first (in the background): an annex whose flux was never saved is refused
            // in its dialog, before any file name is asked.
            Action::ExportAnnexe(a) => self.sur_dossier("export", false, move |d| {
                let refus = match a.bailleur.as_deref() {
                    Some(b) => contingents::export::annexe::verifier_flux_enregistre(d, b, &a.epci, a.annee)
                        .err()
                        .map(|e| e.to_string()),
                    None => None,
                };
                Ok(Fait::AnnexeVerifiee(a, refus))
            }),
            Action::AnnexeVerifiee(a) => {
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
                let reservataire = reservataire.map(Reservataire::new).unwrap_or(Reservataire::ETAT);
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
}
