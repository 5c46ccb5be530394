//! The import history: restore a previous version, withdraw an import (undoable).

use crate::ui::app::App;
use crate::ui::state::Action;
use eframe::egui;

pub fn historique(app: &App, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    let Some(v) = &app.view else { return };
    ui.heading("Historique des imports");
    super::confirm_remove(app, ui, actions);
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::Grid::new("historique").striped(true).show(ui, |ui| {
            for h in ["N°", "Fichier", "Bailleur(s)", "Date", "Logements", "Mis de côté", "Conflits", "État", ""] {
                ui.strong(h);
            }
            ui.end_row();
            for i in v.imports.iter().rev() {
                ui.label(i.id.to_string());
                ui.label(&i.fichier).on_hover_text(format!("SHA-256 {}", i.sha256));
                ui.label(i.bailleurs.join(", "));
                ui.label(&i.date_import);
                ui.label(i.logements.to_string());
                ui.label(i.rejets.to_string());
                ui.label(i.conflits.to_string());
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
}
