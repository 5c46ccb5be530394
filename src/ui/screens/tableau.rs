//! The dashboard: key figures and the charts of the stock, following the filters; hover a
//! bar for its exact figure, click it to filter on it; export any chart as PNG or SVG.

use crate::ui::app::App;
use crate::ui::state::Action;
use contingents::charts::{self, Kind, Stock};
use contingents::format::{entier, pourcent};
use eframe::egui;

/// The chart texture of the last frame and what it was drawn for.
pub struct ChartCache {
    pub key: String,
    pub texture: egui::TextureHandle,
    pub data: charts::ChartData,
    pub size: (u32, u32),
    pub chiffres: contingents::consolidate::ChiffresCles,
}

pub fn tableau(app: &mut App, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    let workshop = app.workshop;
    let Some(v) = &app.view else { return };
    let f = app.filters.filtre(app.reservataire.as_deref().filter(|_| app.chart_by_reservataire));
    ui.horizontal_wrapped(|ui| {
        for k in Kind::ALL {
            if ui.selectable_label(app.chart_kind == k, k.title()).clicked() {
                app.chart_kind = k;
            }
        }
    });
    ui.horizontal(|ui| {
        for (s, label) in
            [(Stock::Tout, "Parc total"), (Stock::Reserve, "Parc réservé"), (Stock::NonReserve, "Parc non réservé")]
        {
            if ui.selectable_label(app.chart_stock == s, label).clicked() {
                app.chart_stock = s;
            }
        }
        ui.checkbox(&mut app.chart_by_reservataire, "Limiter au réservataire choisi");
        if !workshop {
            if ui.button("Exporter en PNG…").clicked() {
                actions.push(Action::ExportChart("png"));
            }
            if ui.button("Exporter en SVG…").clicked() {
                actions.push(Action::ExportChart("svg"));
            }
        }
    });
    let avail = ui.available_size();
    let ppp = ui.ctx().pixels_per_point();
    // One text line (the key figures) goes above the picture.
    let size = ((avail.x * ppp).max(200.0) as u32, ((avail.y - 24.0) * ppp).max(150.0) as u32);
    let key = format!("{:?}{:?}{:?}{size:?}{}", app.chart_kind, app.chart_stock, f, v.cube.cells.len());
    if app.chart.as_ref().is_none_or(|c| c.key != key) {
        let sous_titre = format!("{} — {} — au {}", v.territoire.label(), app.chart_stock.label(), v.date_reference);
        match charts::render_rgb(&v.cube, app.chart_kind, &f, app.chart_stock, &sous_titre, size) {
            Ok((rgb, data)) => {
                let image = egui::ColorImage::from_rgb([size.0 as usize, size.1 as usize], &rgb);
                let texture = ui.ctx().load_texture("graphique", image, egui::TextureOptions::LINEAR);
                app.chart = Some(ChartCache { key, texture, data, size, chiffres: v.cube.chiffres_cles(&f) });
            }
            Err(e) => {
                ui.colored_label(egui::Color32::from_rgb(170, 0, 0), e);
                return;
            }
        }
    }
    let Some(c) = &app.chart else { return };
    let k = c.chiffres;
    ui.label(format!(
        "{} logements · {} réservés ({}) · {} non réservés · {} bailleurs · {} réservataires · {} communes",
        entier(k.logements),
        entier(k.reserves),
        pourcent(k.reserves, k.logements),
        entier(k.non_reserves),
        k.bailleurs,
        k.reservataires,
        k.communes,
    ));
    let response = ui.add(
        egui::Image::new((c.texture.id(), egui::vec2(c.size.0 as f32 / ppp, c.size.1 as f32 / ppp)))
            .alt_text(format!("Graphique : {}", c.data.title))
            .sense(egui::Sense::click()),
    );
    if app.chart_kind == Kind::Synthese {
        return;
    }
    if let Some(pos) = response.hover_pos() {
        let local = (pos - response.rect.min) * ppp;
        if let Some(i) = charts::bar_at(&c.data, c.size, local.x as f64, local.y as f64) {
            let b = &c.data.bars[i];
            let tip = format!("{} : {} logements ({})", b.label, entier(b.value), pourcent(b.value, c.data.total));
            response.clone().on_hover_text(tip);
            if response.clicked() && !b.key.is_empty() {
                actions.push(Action::FilterOn(app.chart_kind, b.key.clone()));
            }
        }
    }
}
