//! The follow-up typed in the window: the form « Déclarer une mise à disposition » (a new
//! one or a correction), the mises à disposition typed here with their events, household,
//! correction and deletion.

use super::aides::{orientation, orientation_demandee};
use super::champs::{champ, champ_initial, choix_bailleur, choix_logement, memoire, message};
use super::libelle_evenement;
use crate::ui::state::{Action, BilanView, OrigineOrientation};
use crate::ui::theme;
use contingents::consolidate::libelle_reservataire;
use contingents::format::date_fr;
use contingents::suivi::calendrier::{RegleDelai, echeance};
use eframe::egui;

/// The household of a lease (CIA objectives): public prioritaire (DALO) or not, resources
/// quartile; `None` is « Non renseigné », counted apart.
pub(super) fn choix_menage(
    ui: &mut egui::Ui,
    id: impl std::hash::Hash + std::fmt::Debug + Copy,
    p: &mut Option<contingents::model::Public>,
    q: &mut Option<contingents::model::Quartile>,
) {
    use contingents::model::{Public, Quartile};
    const NR: &str = "Non renseigné";
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Ménage");
        egui::ComboBox::from_id_salt(("saisie-menage", id))
            .selected_text(p.map(|x| x.label()).unwrap_or(NR))
            .show_ui(ui, |ui| {
                ui.selectable_value(p, None, NR);
                for x in Public::ALL {
                    ui.selectable_value(p, Some(x), x.label());
                }
            })
            .response
            .labelled_by(l.id);
        let l = ui.label("Quartile de ressources");
        egui::ComboBox::from_id_salt(("saisie-quartile", id))
            .selected_text(q.map(|x| x.label()).unwrap_or(NR))
            .show_ui(ui, |ui| {
                ui.selectable_value(q, None, NR);
                for x in [Quartile::Q1, Quartile::Q2, Quartile::Q3, Quartile::Q4] {
                    ui.selectable_value(q, Some(x), x.label());
                }
            })
            .response
            .labelled_by(l.id);
    });
}

/// The form « Déclarer une mise à disposition »: a new one, or the correction of one typed
/// here. Every line is always there (no line appears under the mouse as fields change).
pub(super) fn formulaire(v: &BilanView, bailleurs: &[String], ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    use crate::ui::state::{Destinataire, ValeursDeclaration};
    use contingents::suivi::HorsFlux;
    let reservataire =
        |r: &contingents::model::Reservataire| (Some(Destinataire::Reservataire(r.clone())), libelle_reservataire(r));
    let f = &v.formulaire;
    let g = f.generation;
    let init = f.initial.clone().unwrap_or_else(|| ValeursDeclaration {
        bailleur: v.bailleur.clone().unwrap_or_default(),
        preavis: 1,
        ..Default::default()
    });
    if let Some(id) = f.correction {
        ui.strong(format!("Correction de la mise à disposition n° {id} (ses étapes suivantes sont gardées)"));
    } else {
        ui.label("La libération, le réservataire à qui le logement est proposé, la fiche navette et son échéance. Pour un bailleur qui transmet un registre, ses lignes sont déjà comptées : ne les saisissez pas ici.");
    }
    let bailleur =
        choix_bailleur(ui, &format!("saisie-bailleur-{g}"), "Bailleur du logement", bailleurs, init.bailleur.clone());
    let reference =
        choix_logement(v, ui, &format!("saisie-reference-{g}"), "Référence du logement", &bailleur, &init.reference);
    // Another dwelling chosen: the réservataire and the household chosen for the previous one
    // go (they were its classification, not this one's).
    let (kl, logement_vu) =
        memoire(ui, &format!("saisie-logement-{g}"), (init.bailleur.clone(), init.reference.clone()));
    let autre_logement = logement_vu != (bailleur.clone(), reference.trim().to_string());
    ui.data_mut(|x| x.insert_temp(kl, (bailleur.clone(), reference.trim().to_string())));
    let liberation = champ_initial(
        ui,
        &format!("saisie-liberation-{g}"),
        "Fin du préavis du locataire",
        "JJ/MM/AAAA",
        110.0,
        &init.liberation,
    );
    let (kp, mut preavis) = memoire(ui, &format!("saisie-preavis-{g}"), init.preavis);
    ui.horizontal(|ui| {
        ui.label("Préavis");
        ui.radio_value(&mut preavis, 1, "1 mois");
        ui.radio_value(&mut preavis, 3, "3 mois");
    });
    ui.data_mut(|x| x.insert_temp(kp, preavis));
    // The réservataire, among those of the bilan, or a category outside the flux. Once the
    // réservataires are ranked for this dwelling, only those whose perimeter contains it.
    let (kc, mut choix) = memoire(ui, &format!("saisie-destinataire-{g}"), init.destinataire.clone());
    if autre_logement {
        choix = None;
    }
    let classes = match &v.orientation {
        Some((OrigineOrientation::Declaration, Ok(o)))
            if f.correction.is_none()
                && !o.candidats.is_empty()
                && bailleur == o.logement.bailleur
                && reference.trim() == o.logement.reference =>
        {
            Some(o.candidats.iter().map(|c| reservataire(&c.id)).collect::<Vec<_>>())
        }
        _ => None,
    };
    let filtre = classes.is_some();
    let mut options: Vec<(Option<Destinataire>, String)> = match (classes, &v.bilan) {
        (Some(c), _) => c,
        (None, Ok(b)) => b.reservataires.iter().map(|r| reservataire(&r.id)).collect(),
        (None, Err(_)) => vec![],
    };
    // The réservataire of the declaration corrected stays choosable.
    if let Some(Destinataire::Reservataire(r)) = &choix
        && !options.iter().any(|(id, _)| *id == choix)
    {
        options.insert(0, reservataire(r));
    }
    options
        .extend(HorsFlux::ALL.iter().map(|h| (Some(Destinataire::HorsFlux(*h)), format!("Hors flux : {}", h.label()))));
    ui.horizontal(|ui| {
        let l = ui.label("Mis à disposition de");
        egui::ComboBox::from_id_salt(("saisie-reservataire", g))
            .selected_text(
                options
                    .iter()
                    .find(|(id, _)| *id == choix)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_else(|| "choisir…".into()),
            )
            .show_ui(ui, |ui| {
                for (id, label) in &options {
                    ui.selectable_value(&mut choix, id.clone(), label);
                }
            })
            .response
            .labelled_by(l.id);
        ui.weak(if filtre {
            "(liste réduite aux réservataires dont le périmètre contient le logement)"
        } else {
            "(« Classer les réservataires » réduit la liste à ceux dont le périmètre contient le logement)"
        });
    });
    ui.data_mut(|x| x.insert_temp(kc, choix.clone()));
    let mad = champ_initial(
        ui,
        &format!("saisie-mad-{g}"),
        "Date de mise à disposition",
        "JJ/MM/AAAA",
        110.0,
        &init.mise_a_disposition,
    );
    // Always one line, so that nothing below moves as the date is typed.
    match contingents::format::parse_date(&mad).and_then(|d| echeance(d, preavis, RegleDelai::Preavis)) {
        Some(e) => ui.strong(format!("Réponse attendue au plus tard le {}", date_fr(&e.to_string()))),
        None => ui.weak("Réponse attendue au plus tard le … (après la date de mise à disposition)"),
    };
    let (km, (mut public, mut quartile)) = memoire(ui, &format!("saisie-menage-{g}"), (init.public, init.quartile));
    if autre_logement {
        (public, quartile) = (None, None);
    }
    choix_menage(ui, ("declaration", g), &mut public, &mut quartile);
    ui.data_mut(|x| x.insert_temp(km, (public, quartile)));
    let demandee = ui.make_persistent_id(("declaration-demandee", g));
    let valeurs = ValeursDeclaration {
        bailleur: bailleur.clone(),
        reference: reference.clone(),
        liberation: liberation.clone(),
        preavis,
        destinataire: choix.clone(),
        mise_a_disposition: mad.clone(),
        public,
        quartile,
    };
    ui.horizontal_wrapped(|ui| {
        if f.correction.is_none() && ui.button("Classer les réservataires pour ce logement").clicked() {
            let date = if liberation.trim().is_empty() { mad.clone() } else { liberation.clone() };
            let cle = orientation_demandee(ui, OrigineOrientation::Declaration);
            ui.data_mut(|d| {
                d.insert_temp(cle, (bailleur.trim().to_string(), reference.trim().to_string(), date.trim().to_string()))
            });
            actions.push(Action::Orienter {
                logement: format!("{}:{}", bailleur.trim(), reference.trim()),
                date,
                origine: OrigineOrientation::Declaration,
            });
        }
        let enregistrer =
            if f.correction.is_some() { "Enregistrer la correction" } else { "Enregistrer la mise à disposition" };
        if ui.button(enregistrer).clicked() {
            ui.data_mut(|d| d.insert_temp(demandee, valeurs.clone()));
            actions.push(Action::DeclarerMiseADisposition { valeurs: valeurs.clone(), correction: f.correction });
        }
        if f.correction.is_some() && ui.button("Annuler la correction").clicked() {
            actions.push(Action::AnnulerCorrection);
        }
    });
    // The answers to what was asked here, here, under the buttons; a ranking only while it is
    // the dwelling of the form (another dwelling typed: « Classer » again).
    if f.correction.is_none() {
        let date = if liberation.trim().is_empty() { mad.clone() } else { liberation.clone() };
        let demande = (bailleur.trim().to_string(), reference.trim().to_string(), date.trim().to_string());
        orientation(v, OrigineOrientation::Declaration, demande, ui, actions);
    }
    // Why the declaration was refused, while the form is as it was (changed: the message went
    // stale, it goes); a declaration saved is said until the next one.
    let perime = matches!(v.declaration, Some(Err(_)))
        && ui.data(|d| d.get_temp::<ValeursDeclaration>(demandee)).is_some_and(|x| x != valeurs);
    if perime {
        actions.push(Action::OublierRefus);
    }
    message(if perime { &None } else { &v.declaration }, ui);
}

/// Declaring a libération made available, and following the ones typed here.
pub(super) fn saisie(v: &BilanView, bailleurs: &[String], ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    use contingents::suivi::{Evenement, Issue};
    let titre = match v.formulaire.correction {
        Some(id) => format!("Corriger la mise à disposition n° {id}"),
        None => "Déclarer une mise à disposition".to_string(),
    };
    egui::CollapsingHeader::new(titre)
        .id_salt("saisie-declarer")
        .open(v.formulaire.correction.map(|_| true))
        .show(ui, |ui| formulaire(v, bailleurs, ui, actions));
    egui::CollapsingHeader::new(format!("Mises à disposition saisies ici ({})", v.saisies.len()))
        .id_salt("saisies-ici")
        .show(ui, |ui| {
        if let Some(m) = &v.formulaire.supprimee {
            ui.horizontal_wrapped(|ui| {
                let quand = m.etapes.date_mise_a_disposition.map(|d| date_fr(&d.to_string())).unwrap_or_default();
                ui.label(format!("Supprimée : {} {} du {quand}.", m.bailleur, m.reference));
                if ui.button("Rétablir la mise à disposition supprimée").clicked() {
                    actions.push(Action::RetablirMiseADisposition);
                }
            });
        }
        if v.saisies.is_empty() {
            ui.label("Aucune pour l'instant.");
            message(&v.suivi, ui);
            return;
        }
        let date = champ(ui, "saisie-evenement", "Date de l'événement", "JJ/MM/AAAA", 110.0);
        message(&v.suivi, ui);
        for m in &v.saisies {
            let qui = m
                .reservataire
                .as_deref()
                .map(libelle_reservataire)
                .or_else(|| m.hors_flux.map(|h| format!("hors flux : {}", h.label())))
                .unwrap_or_default();
            let etat = match (m.etapes.issue, m.etapes.date_bail, m.etapes.decision_cal, m.etapes.date_candidats) {
                (_, Some(b), _, _) => format!("bail signé le {}", date_fr(&b.to_string())),
                (Issue::Reprise, ..) => "repris par le bailleur".into(),
                (_, _, Some(contingents::suivi::DecisionCal::Attribution), _) => "attribué en CALEOL".into(),
                (_, _, Some(_), _) => "non attribué en CALEOL".into(),
                (_, _, _, Some(_)) => "candidats désignés".into(),
                _ => "en attente de candidats".into(),
            };
            let quand = m.etapes.date_mise_a_disposition.map(|d| date_fr(&d.to_string())).unwrap_or_default();
            ui.group(|ui| {
                ui.label(format!("n° {} — {} {} — {qui} — mis à disposition le {quand} — {etat}", m.id, m.bailleur, m.reference));
                // A lease with no attribution in CALEOL recorded: asked first (a step forgotten,
                // or a lease on the wrong line).
                let cle = ui.make_persistent_id(("bail-sans-attribution", m.id));
                let mut a_confirmer: bool = ui.data(|d| d.get_temp(cle)).unwrap_or(false);
                // Deleting is asked first.
                let cle_sup = ui.make_persistent_id(("supprimer-saisie", m.id));
                let mut a_supprimer: bool = ui.data(|d| d.get_temp(cle_sup)).unwrap_or(false);
                let attribue = m.etapes.decision_cal == Some(contingents::suivi::DecisionCal::Attribution);
                ui.horizontal_wrapped(|ui| {
                    for e in [
                        Evenement::Candidats,
                        Evenement::Attribution,
                        Evenement::NonAttribution,
                        Evenement::BailSigne,
                        Evenement::Reprise,
                    ] {
                        if ui.button(libelle_evenement(e)).clicked() {
                            if e == Evenement::BailSigne && !attribue {
                                a_confirmer = true;
                            } else {
                                actions.push(Action::NoterEvenement { id: m.id, evenement: e, date: date.clone() });
                            }
                        }
                    }
                    if ui.button("Fiche navette…").clicked() {
                        actions.push(Action::FicheNavetteMiseADisposition(m.id));
                    }
                    ui.separator();
                    if ui.button("Corriger…").on_hover_text("Reprendre la déclaration dans le formulaire « Déclarer » : logement, réservataire, dates, ménage").clicked() {
                        actions.push(Action::CorrigerMiseADisposition(m.id));
                    }
                    if ui.button("Supprimer…").clicked() {
                        a_supprimer = true;
                    }
                });
                menage(m, ui, actions);
                if a_supprimer {
                    egui::Frame::group(ui.style()).fill(theme::FOND_QUESTION).show(ui, |ui| {
                        ui.label(format!(
                            "Supprimer la mise à disposition n° {} ({} {} — {qui} — le {quand}) ? Elle et ses étapes ne seront plus comptées dans le bilan (« Rétablir » la remet).",
                            m.id, m.bailleur, m.reference
                        ));
                        ui.horizontal(|ui| {
                            if ui.button("Supprimer la mise à disposition").clicked() {
                                a_supprimer = false;
                                actions.push(Action::SupprimerMiseADisposition(m.id));
                            }
                            if ui.button("Ne pas supprimer").clicked() {
                                a_supprimer = false;
                            }
                        });
                    });
                }
                ui.data_mut(|d| d.insert_temp(cle_sup, a_supprimer));
                if a_confirmer {
                    egui::Frame::group(ui.style()).fill(theme::FOND_QUESTION).show(ui, |ui| {
                        let manque = if m.etapes.date_candidats.is_none() {
                            "ni candidats désignés ni attribution en CALEOL enregistrés"
                        } else {
                            "aucune attribution en CALEOL enregistrée"
                        };
                        ui.label(format!(
                            "Bail signé sur {} {} : {manque}. Notez d'abord les étapes manquantes (boutons ci-dessus), ou le bail seul si elles n'ont pas eu lieu.",
                            m.bailleur, m.reference
                        ));
                        ui.horizontal(|ui| {
                            if ui.button("Noter le bail quand même").clicked() {
                                a_confirmer = false;
                                actions.push(Action::NoterEvenement {
                                    id: m.id,
                                    evenement: Evenement::BailSigne,
                                    date: date.clone(),
                                });
                            }
                            if ui.button("Ne pas noter le bail").clicked() {
                                a_confirmer = false;
                            }
                        });
                    });
                }
                ui.data_mut(|d| d.insert_temp(cle, a_confirmer));
            });
        }
    });
}

/// The household of a typed mise à disposition, as a register row carries it (CIA objectives):
/// public prioritaire (DALO) or not, resources quartile; « Non renseigné » is counted apart.
pub(super) fn menage(m: &contingents::suivi::MiseADisposition, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    let public = m.menage.public.valeur();
    let quartile = m.menage.quartile.valeur();
    let (mut p, mut q) = (public, quartile);
    choix_menage(ui, m.id, &mut p, &mut q);
    if let contingents::model::Lu::Inconnu(s) = &m.menage.public {
        ui.label(format!("(ménage lu « {s} »)"));
    }
    if p != public || q != quartile {
        actions.push(Action::NoterMenage { id: m.id, public: p, quartile: q });
    }
}
