//! The import history: restore a previous version, withdraw an import (undoable).

use super::texte;
use crate::ui::state::{Action, DossierView};
use contingents::format::date_fr;
use eframe::egui;

/// `edit`: the history can be changed (not in workshop mode, not read-only).
pub fn historique(v: &DossierView, retrait_demande: Option<i64>, edit: bool, ui: &mut egui::Ui) -> Vec<Action> {
    let mut actions = vec![];
    ui.heading("Historique des imports");
    super::confirm_remove(retrait_demande, ui, &mut actions);
    let imports: Vec<_> = v.imports.iter().rev().collect();
    if imports.is_empty() {
        ui.label(
            "Aucun import pour l'instant : importez les états des lieux des bailleurs (menu Importer des fichiers…).",
        );
    }
    let mut entetes = vec!["Fichier", "N°", "Bailleur(s)", "Date", "Logements", "Mis de côté", "Conflits", "État"];
    if edit {
        entetes.push("");
    }
    egui::ScrollArea::vertical().id_salt("ecran-historique").auto_shrink([false, false]).show(ui, |ui| {
        super::tableau_fixe_chiffre(ui, "historique", &entetes, &[4, 5, 6], imports.len(), |ui, l, c| {
            let i = imports[l];
            match c {
                0 => {
                    texte(ui, &i.fichier).on_hover_text(format!("SHA-256 {}", i.sha256));
                }
                1 => {
                    texte(ui, i.id.to_string());
                }
                2 => {
                    texte(ui, i.bailleurs.join(", "));
                }
                3 => {
                    texte(ui, date_heure(&i.date_import));
                }
                4 => super::num(ui, i.logements as u64),
                5 => super::num(ui, i.rejets as u64),
                6 => super::num(ui, i.conflits as u64),
                7 => {
                    texte(ui, if i.actif { "en vigueur" } else { "remplacé / retiré" });
                }
                _ => {
                    ui.horizontal(|ui| {
                        if !i.actif && ui.button(format!("Rétablir n° {}", i.id)).clicked() {
                            actions.push(Action::Restore(i.id));
                        }
                        if i.actif && ui.button(format!("Retirer n° {}", i.id)).clicked() {
                            actions.push(Action::AskRemove(i.id));
                        }
                    });
                }
            }
        });
    });
    actions
}

/// « 2025-03-14 10:32:05 » → « 14/03/2025 à 10:32 ».
fn date_heure(s: &str) -> String {
    match s.split_once([' ', 'T']) {
        Some((d, h)) => format!("{} à {}", date_fr(d), h.get(..5).unwrap_or(h)),
        None => date_fr(s),
    }
}
