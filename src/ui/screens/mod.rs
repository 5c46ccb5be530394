//! One file per screen. Each draws from the saved state and the dossier's figures (and edits
//! only its own widgets' state) and returns actions; none changes the window's state.

mod bilans;
mod chrome;
mod consolidation;
mod flux;
mod graphique;
mod historique;
mod import;
mod libelles;
mod rapprochement;
pub mod tableau;

pub use bilans::bilans;
pub use chrome::{confirm_remove, filters, menu_bar, status_bar};
pub use consolidation::consolidation;
pub use flux::flux;
pub use historique::historique;
pub use import::import;
pub use libelles::libelles;
pub use rapprochement::rapprochement;
pub use tableau::tableau;

use eframe::egui;

/// A numeric cell, right-aligned.
pub(crate) fn num(ui: &mut egui::Ui, n: u64) {
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        ui.label(contingents::format::entier(n));
    });
}
