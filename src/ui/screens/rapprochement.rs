//! A réservataire's declaration compared with the bailleurs' files.

use crate::ui::erreur::Erreur;
use crate::ui::settings::AppState;
use crate::ui::state::Action;
use contingents::consolidate::{libelle_reservataire, nom_commune};
use contingents::rapprochement::Rapprochement;
use eframe::egui;

pub fn rapprochement(
    state: &AppState,
    resultat: Option<&Result<Rapprochement, Erreur>>,
    edit: bool,
    ui: &mut egui::Ui,
) -> Vec<Action> {
    let mut actions = vec![];
    ui.heading("Rapprochement avec la déclaration d'un réservataire");
    let Some(res) = &state.reservataire else {
        ui.label("Choisissez le réservataire dans le panneau des filtres (« Réservataire (grille) »).");
        return actions;
    };
    ui.label(format!(
        "Réservataire : {}. La déclaration est un tableur de ses effectifs attendus par bailleur et commune, ou de ses références de logements.",
        libelle_reservataire(res)
    ));
    if edit && ui.button("Choisir la déclaration…").clicked() {
        actions.push(Action::RapprochementDialog);
    }
    let Some(r) = resultat else { return actions };
    let r = match r {
        Ok(r) => r,
        Err(e) => {
            ui.colored_label(crate::ui::theme::ERREUR, e.to_string());
            return actions;
        }
    };
    if r.reservataire != *res {
        ui.label(format!("(résultat pour {})", libelle_reservataire(&r.reservataire)));
    }
    egui::ScrollArea::both().id_salt("ecran-rapprochement").show(ui, |ui| {
        egui::Grid::new("ecarts").striped(true).show(ui, |ui| {
            for h in ["Bailleur", "Commune", "Déclaré", "Dossier", "Écart"] {
                ui.strong(h);
            }
            ui.end_row();
            for l in &r.lignes {
                ui.label(&l.bailleur);
                ui.label(if l.commune.is_empty() { "(toutes)".into() } else { nom_commune(&l.commune) });
                ui.label(l.declare.to_string());
                ui.label(l.dossier.to_string());
                let text = format!("{:+}", l.ecart);
                if l.ecart == 0 {
                    ui.label(text);
                } else {
                    ui.colored_label(egui::Color32::from_rgb(170, 0, 0), text);
                }
                ui.end_row();
            }
        });
        for (title, list) in [
            ("Déclarés mais absents des fichiers des bailleurs", &r.absents_du_dossier),
            ("Dans les fichiers des bailleurs mais pas dans la déclaration", &r.absents_de_la_declaration),
        ] {
            if !list.is_empty() {
                ui.add_space(8.0);
                ui.strong(format!("{title} : {}", list.len()));
                for x in list.iter().take(500) {
                    ui.label(format!("{} — {} — {}", x.bailleur, x.reference, nom_commune(&x.commune)));
                }
            }
        }
        for (l, m) in &r.lignes_ignorees {
            ui.label(format!("Ligne {l} de la déclaration ignorée : {m}"));
        }
    });
    actions
}
