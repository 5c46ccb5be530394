//! The two read-only aids of the follow-up: the orientation of a freed dwelling (the
//! réservataires ranked by their delay, an aid, never an allocation) and the reply deadline
//! of a mise à disposition.

use super::champs::{champ, choix_bailleur, choix_logement, preavis};
use crate::ui::erreur::Erreur;
use crate::ui::state::{Action, BilanView, OrigineOrientation};
use crate::ui::theme;
use contingents::consolidate::libelle_reservataire;
use contingents::format::date_fr;
use contingents::suivi::calendrier::{RegleDelai, echeance};
use eframe::egui;

/// The dwelling and date whose ranking was asked in a section (kept in the UI memory): its
/// answer is shown only while the section still shows that dwelling and date.
pub(super) fn orientation_demandee(ui: &egui::Ui, ici: OrigineOrientation) -> egui::Id {
    ui.make_persistent_id(("orientation-demandee", ici as u8))
}

/// The ranking of réservataires for a freed dwelling, shown in the section that asked it while
/// it shows the dwelling and date asked (another one typed: the answer, or its error, goes).
pub(super) fn orientation(
    v: &BilanView,
    ici: OrigineOrientation,
    demande: (String, String, String),
    ui: &mut egui::Ui,
    actions: &mut Vec<Action>,
) {
    let Some((origine, r)) = &v.orientation else { return };
    if *origine != ici {
        return;
    }
    let cle = orientation_demandee(ui, ici);
    if ui.data(|d| d.get_temp::<(String, String, String)>(cle)).is_some_and(|x| x != demande) {
        return;
    }
    match r {
        Ok(o) => {
            // The dwelling ranked, as the command line says it.
            let l = &o.logement;
            ui.strong(format!(
                "{} {} — {} — {}{} — libéré le {}",
                l.bailleur,
                l.reference,
                contingents::consolidate::nom_commune(&l.commune),
                l.typologie,
                if l.qpv { " — QPV" } else { " — hors QPV" },
                date_fr(&o.date)
            ));
            if o.candidats.is_empty() {
                ui.label("Aucun réservataire n'a d'objectif sur ce logement cette année : choisissez le réservataire dans la liste, sans classement.");
            }
            for (i, c) in o.candidats.iter().enumerate() {
                ui.add(egui::Label::new(format!("{}. {} — {}", i + 1, libelle_reservataire(&c.id), c.raison)).wrap());
            }
            // The CIA's hints: an indication for the choice of candidates, never a rule.
            for x in &o.indications {
                ui.add(egui::Label::new(egui::RichText::new(format!("ℹ Indication (CIA) : {x}")).strong()).wrap());
            }
        }
        Err(e) => {
            ui.add(egui::Label::new(egui::RichText::new(e.to_string()).color(theme::ERREUR)).wrap());
            // What to do, one click away: the flux screen on that bailleur, EPCI and year.
            if let Erreur::FluxNonEnregistre { bailleur, epci, annee } = e
                && ui
                    .button(format!("Ouvrir le flux {} {annee} dans l'écran Flux", contingents::format::de(bailleur)))
                    .clicked()
            {
                actions.push(Action::FluxSelect { bailleur: bailleur.clone(), epci: epci.clone(), annee: *annee });
                actions.push(Action::Show(crate::ui::state::Screen::Flux));
            }
        }
    }
}

pub(super) fn aides(v: &BilanView, bailleurs: &[String], ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    ui.collapsing("Orienter un logement libéré", |ui| {
        ui.label("Une aide à la décision : les réservataires dont le périmètre contient le logement, du plus en retard au moins en retard.");
        let bailleur = choix_bailleur(ui, "orienter-bailleur", "Bailleur du logement libéré", bailleurs, v.bailleur.clone().unwrap_or_default());
        let reference = choix_logement(v, ui, "orienter-reference", "Référence du logement libéré", &bailleur, "");
        let date = champ(ui, "date", "Date de libération", "JJ/MM/AAAA", 110.0);
        let demande = (bailleur.trim().to_string(), reference.trim().to_string(), date.trim().to_string());
        if ui.button("Classer les réservataires").clicked() {
            let cle = orientation_demandee(ui, OrigineOrientation::Aide);
            ui.data_mut(|d| d.insert_temp(cle, demande.clone()));
            let logement = format!("{}:{}", bailleur.trim(), reference.trim());
            actions.push(Action::Orienter { logement, date, origine: OrigineOrientation::Aide });
        }
        orientation(v, OrigineOrientation::Aide, demande, ui, actions);
    });
    ui.collapsing("Délai de réponse d'une mise à disposition", |ui| {
        let d = champ(ui, "delai-date", "Mise à disposition le", "JJ/MM/AAAA", 130.0);
        let preavis = preavis(ui, "bilans-preavis");
        if !d.trim().is_empty() {
            match contingents::format::parse_date(&d) {
                Some(date) => match echeance(date, preavis, RegleDelai::Preavis) {
                    Some(e) => {
                        ui.strong(format!("Réponse attendue au plus tard le {}", date_fr(&e.to_string())));
                    }
                    None => {
                        ui.colored_label(theme::ERREUR, "date hors du calendrier accepté");
                    }
                },
                None => {
                    ui.colored_label(
                        theme::ERREUR,
                        format!("« {d} » n'est pas une date ; écrivez-la JJ/MM/AAAA, par exemple 15/09/2025"),
                    );
                }
            }
        }
    });
}
