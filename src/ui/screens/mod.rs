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

/// Key figures as cards, as many a row as the width holds (never cut, whatever the zoom).
pub(crate) fn cartes(ui: &mut egui::Ui, items: &[(&str, String)]) {
    let line = ui.text_style_height(&egui::TextStyle::Body);
    let card_w = 7.5 * line;
    let gap = ui.spacing().item_spacing.x + 2.0 * ui.spacing().window_margin.leftf();
    let per_row = ((ui.available_width() + ui.spacing().item_spacing.x) / (card_w + gap)).floor().max(1.0) as usize;
    for row in items.chunks(per_row) {
        ui.horizontal(|ui| {
            for (label, value) in row {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(card_w);
                    ui.vertical(|ui| {
                        ui.label(*label);
                        ui.label(egui::RichText::new(insecable(value.as_str())).size(line * 1.6).strong());
                    });
                });
            }
        });
    }
}

/// A text that may wrap: its thousands stay together (egui breaks lines at the narrow
/// no-break space of `format::entier`, not at the no-break space).
pub(crate) fn insecable(s: impl Into<String>) -> String {
    s.into().replace('\u{202f}', "\u{a0}")
}

/// A small square of a réservataire's colour (the colour of its bars), outlined.
pub(crate) fn pastille(ui: &mut egui::Ui, c: plotters::style::RGBColor) {
    let side = ui.text_style_height(&egui::TextStyle::Body) * 0.8;
    let (r, _) = ui.allocate_exact_size(egui::vec2(side, side), egui::Sense::hover());
    ui.painter().rect_filled(r, 1.0, egui::Color32::from_rgb(c.0, c.1, c.2));
    ui.painter().rect_stroke(
        r,
        1.0,
        egui::Stroke::new(1.0, crate::ui::theme::contour_barres(ui.visuals())),
        egui::StrokeKind::Inside,
    );
}
