//! The import history: restore a previous version, withdraw an import (undoable).

use super::num;
use crate::ui::state::{Action, DossierView};
use contingents::format::date_fr;
use eframe::egui;

pub fn historique(v: &DossierView, retrait_demande: Option<i64>, ui: &mut egui::Ui) -> Vec<Action> {
    let mut actions = vec![];
    ui.heading("Historique des imports");
    super::confirm_remove(retrait_demande, ui, &mut actions);
    egui::ScrollArea::both().show(ui, |ui| {
        egui::Grid::new("historique").striped(true).show(ui, |ui| {
            for h in ["N°", "Fichier", "Bailleur(s)", "Date", "Logements", "Mis de côté", "Conflits", "État", ""] {
                ui.strong(h);
            }
            ui.end_row();
            for i in v.imports.iter().rev() {
                ui.label(i.id.to_string());
                ui.label(&i.fichier).on_hover_text(format!("SHA-256 {}", i.sha256));
                ui.label(i.bailleurs.join(", "));
                ui.label(date_heure(&i.date_import));
                num(ui, i.logements as u64);
                num(ui, i.rejets as u64);
                num(ui, i.conflits as u64);
                ui.label(if i.actif { "en vigueur" } else { "remplacé / retiré" });
                ui.horizontal(|ui| {
                    if !i.actif && ui.button(format!("Rétablir n° {}", i.id)).clicked() {
                        actions.push(Action::Restore(i.id));
                    }
                    if i.actif && ui.button(format!("Retirer n° {}", i.id)).clicked() {
                        actions.push(Action::AskRemove(i.id));
                    }
                });
                ui.end_row();
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
