//! The dashboard: key figures and the charts of the stock, drawn by the window itself at
//! the text's scale (readable when projected), following the filters. Hover a bar for its
//! exact figure, click it to filter the dashboard on it (click again to lift the filter);
//! export any chart as PNG or SVG (drawn by the same figures).

use super::graphique;
use crate::ui::settings::AppState;
use crate::ui::state::{Action, ChartCache, ChoixGraphique, DossierView};
use contingents::charts::{self, Kind, Stock};
use contingents::consolidate::{ChiffresCles, Filtre};
use contingents::format::pourcent;
use eframe::egui;

/// The filter a chart is drawn under: the dashboard's, except on its own dimension (the
/// chart clicked keeps all its bars, the one chosen stands out).
pub(crate) fn filtre_du_graphique(state: &AppState, kind: Kind) -> Filtre {
    let mut f = state.filtre_tableau();
    charts::fixer(&mut f, kind, None);
    f
}

/// `cache`: the charts' figures, computed by the window when the chart or the filters change.
pub fn tableau(state: &AppState, cache: Option<&ChartCache>, edit: bool, ui: &mut egui::Ui) -> Vec<Action> {
    let mut actions = vec![];
    let g = state.graphique;
    // Projected at 1280 × 720, the nine charts in a list on the line of the stock (four lines
    // of choices would leave room for five bars).
    let choix_du_graphique = |ui: &mut egui::Ui, actions: &mut Vec<Action>| {
        for k in Kind::ALL {
            if ui.selectable_label(g.kind == k, k.title()).clicked() {
                actions.push(Action::SetGraphique(ChoixGraphique { kind: k, ..g }));
            }
        }
    };
    if !state.workshop {
        ui.horizontal_wrapped(|ui| choix_du_graphique(ui, &mut actions));
    }
    ui.horizontal_wrapped(|ui| {
        if state.workshop {
            let l = ui.label("Graphique");
            egui::ComboBox::from_id_salt("choix-du-graphique")
                .selected_text(g.kind.title())
                .show_ui(ui, |ui| choix_du_graphique(ui, &mut actions))
                .response
                .labelled_by(l.id);
        }
        for (s, label) in
            [(Stock::Tout, "Parc total"), (Stock::Reserve, "Parc réservé"), (Stock::NonReserve, "Parc non réservé")]
        {
            if ui.selectable_label(g.stock == s, label).clicked() {
                actions.push(Action::SetGraphique(ChoixGraphique { stock: s, ..g }));
            }
        }
        let mut par = g.par_reservataire;
        if ui.checkbox(&mut par, "Limiter au réservataire choisi").changed() {
            actions.push(Action::SetGraphique(ChoixGraphique { par_reservataire: par, ..g }));
        }
        if edit {
            if ui.button("Exporter en PNG…").clicked() {
                actions.push(Action::ExportChart("png"));
            }
            if ui.button("Exporter en SVG…").clicked() {
                actions.push(Action::ExportChart("svg"));
            }
        }
    });
    let all = state.filtre_tableau();
    let Some(c) = cache else { return actions };
    chiffres_cles(ui, &c.chiffres);
    ui.add_space(4.0);
    let sous_titre = c.sous_titre.clone();
    egui::ScrollArea::vertical().id_salt("ecran-tableau").auto_shrink([false, false]).show(ui, |ui| {
        if c.data.len() > 1 {
            // The synthesis: two charts a row, each at the text's size.
            for pair in c.data.chunks(2) {
                ui.columns(pair.len(), |cols| {
                    for (col, d) in cols.iter_mut().zip(pair) {
                        let chosen = charts::choix(&all, d.kind);
                        if let Some(k) = graphique::barres(col, d, &sous_titre, chosen.as_deref()) {
                            actions.push(Action::FilterOn(d.kind, k));
                        }
                    }
                });
                ui.add_space(8.0);
            }
        } else if let Some(d) = c.data.first() {
            let chosen = charts::choix(&all, d.kind);
            if let Some(k) = graphique::barres(ui, d, &sous_titre, chosen.as_deref()) {
                actions.push(Action::FilterOn(d.kind, k));
            }
        }
    });
    actions
}

/// What a chart shows, under its title (in the window and in the exported picture).
pub(crate) fn sous_titre(state: &AppState, v: &DossierView) -> String {
    format!(
        "{} — {} — au {}",
        state.filters.description().unwrap_or_else(|| v.territoire.label()),
        state.graphique.stock.label(),
        contingents::format::date_fr(&v.date_reference.to_string())
    )
}

/// The key figures, one line that wraps (never cut, whatever the width or the zoom).
fn chiffres_cles(ui: &mut egui::Ui, k: &ChiffresCles) {
    use contingents::format::pluriel;
    let text = [
        pluriel(k.logements, "logement", "logements"),
        format!("{} ({})", pluriel(k.reserves, "réservé", "réservés"), pourcent(k.reserves, k.logements)),
        pluriel(k.non_reserves, "non réservé", "non réservés"),
        pluriel(k.bailleurs as u64, "bailleur", "bailleurs"),
        pluriel(k.reservataires as u64, "réservataire", "réservataires"),
        pluriel(k.communes as u64, "commune", "communes"),
    ]
    .join(" · ");
    let size = ui.text_style_height(&egui::TextStyle::Body) * 1.2;
    ui.add(egui::Label::new(egui::RichText::new(super::insecable(text)).strong().size(size)).wrap());
}
