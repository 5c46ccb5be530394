//! One file per screen. Each draws from the saved state and the dossier's figures (and edits
//! only its own widgets' state) and returns actions; none changes the window's state.

mod bilans;
mod chrome;
mod consolidation;
mod dialogues;
mod flux;
mod graphique;
mod historique;
mod import;
mod libelles;
mod rapprochement;
pub mod tableau;

pub use bilans::{bilans, libelle_evenement};
#[cfg(test)]
pub use chrome::MODE_ATELIER;
#[cfg(test)]
pub(crate) use chrome::travail_en_cours;
pub use chrome::{confirm_remove, en_tete, filters, menu_bar, status_bar};
pub use consolidation::consolidation;
#[cfg(test)]
pub use consolidation::exclusion_du_logement;
pub use dialogues::{
    annexe, champ_annee, creation, fermeture, fermeture_apres_travail, navette_exclue, proprietes,
    question_de_fermeture, question_flux,
};
pub use flux::flux;
pub use historique::historique;
#[cfg(test)]
pub(crate) use import::bailleur_nomme_par_le_fichier;
pub use import::import;
pub use libelles::libelles;
pub use rapprochement::rapprochement;
pub use tableau::tableau;

use eframe::egui;

/// The height of a row of the wide tables: the same in both halves of a table whose first
/// column stays in place (buttons and text fields included).
fn hauteur_de_ligne(ui: &egui::Ui) -> f32 {
    ui.spacing().interact_size.y.max(ui.text_style_height(&egui::TextStyle::Body)) + 2.0
}

/// A wide table that fits any window, even enlarged for projection: its first column stays
/// in place while the others scroll sideways (a bar under the table). `cellule(ui, ligne,
/// colonne)` draws a cell (one line: labels are kept whole, never wrapped).
pub(crate) fn tableau_fixe(
    ui: &mut egui::Ui,
    id: &str,
    entetes: &[&str],
    lignes: usize,
    cellule: impl FnMut(&mut egui::Ui, usize, usize),
) {
    tableau_fixe_chiffre(ui, id, entetes, &[], lignes, cellule)
}

/// [`tableau_fixe`] whose columns `chiffres` hold figures: their headings right-aligned, over
/// their right-aligned figures.
pub(crate) fn tableau_fixe_chiffre(
    ui: &mut egui::Ui,
    id: &str,
    entetes: &[&str],
    chiffres: &[usize],
    lignes: usize,
    mut cellule: impl FnMut(&mut egui::Ui, usize, usize),
) {
    let h = hauteur_de_ligne(ui);
    ui.horizontal_top(|ui| {
        ui.spacing_mut().item_spacing.x = 0.0;
        egui::Grid::new((id, "fixe")).striped(true).min_row_height(h).show(ui, |ui| {
            ui.spacing_mut().item_spacing.x = 8.0;
            ui.strong(entetes.first().copied().unwrap_or(""));
            ui.end_row();
            for l in 0..lignes {
                cellule(ui, l, 0);
                ui.end_row();
            }
        });
        ui.add_space(14.0);
        let defile = egui::ScrollArea::horizontal().id_salt((id, "defile")).show(ui, |ui| {
            egui::Grid::new((id, "reste"))
                .striped(true)
                .min_row_height(h)
                .spacing([14.0, ui.spacing().item_spacing.y])
                .show(ui, |ui| {
                    for (c, e) in entetes.iter().enumerate().skip(1) {
                        if chiffres.contains(&c) {
                            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| ui.strong(*e));
                        } else {
                            ui.strong(*e);
                        }
                    }
                    // An empty last column: the numbers of the last real one stay right-aligned
                    // under their heading instead of running to the window's edge.
                    ui.label("");
                    ui.end_row();
                    for l in 0..lignes {
                        for c in 1..entetes.len() {
                            cellule(ui, l, c);
                        }
                        ui.label("");
                        ui.end_row();
                    }
                })
                .response
                .rect
        });
        // A button of the scrolled part reached with the keyboard (Tab) is brought into view
        // up and down too, once, when it gets the focus: the sideways area keeps the scroll it
        // is asked for, the page's area is asked here.
        let grille = defile.inner;
        let vu = ui.make_persistent_id((id, "focus"));
        let focus = ui.ctx().memory(|m| m.focused());
        if focus != ui.data(|d| d.get_temp::<Option<egui::Id>>(vu)).flatten() {
            ui.data_mut(|d| d.insert_temp(vu, focus));
            if let Some(r) = focus.and_then(|f| ui.ctx().read_response(f))
                && grille.contains_rect(r.rect)
                && !(ui.clip_rect().top() <= r.rect.top() && r.rect.bottom() <= ui.clip_rect().bottom())
            {
                ui.scroll_to_rect(r.rect, None);
            }
        }
    });
}

/// A cell's text on one line.
pub(crate) fn texte(ui: &mut egui::Ui, s: impl Into<egui::WidgetText>) -> egui::Response {
    ui.add(egui::Label::new(s).extend())
}

/// A calamine cell as the wizard's preview shows it: numbers and dates the French way
/// (« 28,1 », « 31/12/2026 »), text as the file writes it.
pub fn apercu_cellule(d: &calamine::Data) -> String {
    use calamine::Data;
    use contingents::format::date_fr;
    match d {
        Data::Float(f) if f.fract() != 0.0 => f.to_string().replace('.', ","),
        Data::DateTime(dt) if dt.is_datetime() => contingents::import::excel_date(dt)
            .map(|x| date_fr(&x.to_string()))
            .unwrap_or_else(|| dt.as_f64().to_string()),
        Data::DateTimeIso(s) => date_fr(s.get(..10).unwrap_or(s)),
        other => contingents::import::cell_text(other).into_owned(),
    }
}

/// A numeric cell, right-aligned.
pub(crate) fn num(ui: &mut egui::Ui, n: u64) {
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        ui.label(contingents::format::entier(n));
    });
}

/// Key figures as cards, as many a row as the width holds (never cut, whatever the zoom): as
/// wide as their text when all of them do not hold on one line at the usual width, and in
/// rows of even length (3 + 3, not 5 + 1: projected at 1280 × 720, a row less for the grid).
pub(crate) fn cartes(ui: &mut egui::Ui, items: &[(&str, String)]) {
    let line = ui.text_style_height(&egui::TextStyle::Body);
    let gap = ui.spacing().item_spacing.x + 2.0 * ui.spacing().window_margin.leftf();
    let par_ligne =
        |w: f32| ((ui.available_width() + ui.spacing().item_spacing.x) / (w + gap)).floor().max(1.0) as usize;
    let mut card_w = 7.5 * line;
    if par_ligne(card_w) < items.len() {
        let corps = egui::TextStyle::Body.resolve(ui.style());
        let grand = egui::FontId::new(line * 1.6, corps.family.clone());
        let largeur =
            |t: String, f: egui::FontId| ui.painter().layout_no_wrap(t, f, egui::Color32::PLACEHOLDER).size().x;
        let texte = items
            .iter()
            .map(|(l, v)| largeur(l.to_string(), corps.clone()).max(largeur(insecable(v.as_str()), grand.clone())))
            .fold(0.0_f32, f32::max);
        card_w = card_w.min(texte + 0.5 * line);
    }
    let per_row = par_ligne(card_w).min(items.len().max(1));
    let rows = items.len().div_ceil(per_row);
    let per_row = items.len().div_ceil(rows.max(1)).max(1);
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
