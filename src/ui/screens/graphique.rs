//! A bar chart drawn by the window (egui shapes and text, not a picture): its text is the
//! window's text, so it follows the zoom of the workshop mode, stays sharp, and keeps the
//! French figures (« 23,5 % ») as written. The figures are the core's (`charts::data`),
//! the colours the core's palette (the same as in the exported pictures).

use contingents::charts::ChartData;
use contingents::format::{entier, logements, pourcent};
use contingents::model::TypologieGrille;
use eframe::egui::{self, Color32, Sense, Stroke, StrokeKind, TextStyle, vec2};

fn couleur(c: plotters::style::RGBColor) -> Color32 {
    Color32::from_rgb(c.0, c.1, c.2)
}

/// Draws a chart; returns the key of the bar clicked, if any. `choisi`: the bar the
/// filters chose (the others are dimmed).
pub fn barres(ui: &mut egui::Ui, d: &ChartData, sous_titre: &str, choisi: Option<&str>) -> Option<String> {
    ui.label(egui::RichText::new(&d.title).heading());
    ui.label(super::insecable(format!("{sous_titre} — {}", logements(d.total))));
    let fg = ui.visuals().text_color();
    let font = TextStyle::Body.resolve(ui.style());
    let line = ui.text_style_height(&TextStyle::Body);
    if d.bars.iter().any(|b| !b.segments.is_empty()) {
        ui.horizontal_wrapped(|ui| {
            for (label, c) in d.bars.iter().flat_map(|b| b.segments.iter()).map(|(l, _, c)| (l.clone(), *c)).fold(
                Vec::<(String, plotters::style::RGBColor)>::new(),
                |mut acc, x| {
                    if !acc.iter().any(|a| a.0 == x.0) {
                        acc.push(x);
                    }
                    acc
                },
            ) {
                super::pastille(ui, c);
                ui.label(label);
            }
        });
    }
    if d.bars.is_empty() {
        ui.label("Aucun logement sous ces filtres.");
        return None;
    }
    let width = ui.available_width().max(200.0);
    let row_h = line * 1.6;
    let gap = line * 0.5;
    let painter = ui.painter().clone();
    let labels: Vec<_> = d.bars.iter().map(|b| painter.layout_no_wrap(b.label.clone(), font.clone(), fg)).collect();
    let values: Vec<_> = d
        .bars
        .iter()
        .map(|b| {
            painter.layout_no_wrap(format!("{} ({})", entier(b.value), pourcent(b.value, d.total)), font.clone(), fg)
        })
        .collect();
    let label_w = labels.iter().map(|g| g.size().x).fold(0.0, f32::max).min(width * 0.42);
    let value_w = values.iter().map(|g| g.size().x).fold(0.0, f32::max);
    let span = (width - label_w - value_w - 3.0 * gap).max(line);
    let max = d.bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f32;
    let contour = Stroke::new(1.0, crate::ui::theme::contour_barres(ui.visuals()));
    let mut clicked = None;
    for ((b, label), value) in d.bars.iter().zip(labels).zip(values) {
        let (rect, resp) = ui.allocate_exact_size(vec2(width, row_h), Sense::click());
        resp.widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::Role::Button,
                !b.key.is_empty(),
                format!("{} : {}", b.label, logements(b.value)),
            )
        });
        if !ui.is_rect_visible(rect) {
            continue;
        }
        if resp.hovered() {
            painter.rect_filled(rect, 2.0, ui.visuals().widgets.hovered.weak_bg_fill);
        }
        let ty = rect.center().y - label.size().y / 2.0;
        let label_rect = egui::Rect::from_min_size(rect.min, vec2(label_w, row_h));
        painter.with_clip_rect(label_rect).galley(egui::pos2(rect.left(), ty), label, fg);
        let x0 = rect.left() + label_w + gap;
        let bar_w = (b.value as f32 / max * span).max(1.0);
        let (top, bottom) = (rect.top() + row_h * 0.18, rect.bottom() - row_h * 0.18);
        let dim = choisi.is_some_and(|k| k != b.key);
        let alpha = |c: Color32| if dim { c.gamma_multiply(0.3) } else { c };
        if b.segments.is_empty() {
            let r = egui::Rect::from_min_max(egui::pos2(x0, top), egui::pos2(x0 + bar_w, bottom));
            painter.rect_filled(r, 1.0, alpha(couleur(b.color)));
            painter.rect_stroke(r, 1.0, contour, StrokeKind::Inside);
        } else {
            let mut x = x0;
            for (_, v, c) in &b.segments {
                let w = *v as f32 / max * span;
                if w > 0.0 {
                    let r = egui::Rect::from_min_max(egui::pos2(x, top), egui::pos2(x + w, bottom));
                    painter.rect_filled(r, 0.0, alpha(couleur(*c)));
                    painter.rect_stroke(r, 0.0, contour, StrokeKind::Inside);
                }
                x += w;
            }
        }
        if !b.key.is_empty() && choisi == Some(b.key.as_str()) {
            let r = egui::Rect::from_min_max(egui::pos2(x0, top), egui::pos2(x0 + bar_w, bottom));
            painter.rect_stroke(r.expand(2.0), 2.0, Stroke::new(2.0, fg), StrokeKind::Outside);
        }
        painter.galley(egui::pos2(x0 + bar_w + gap, ty), value, fg);
        let mut tip = format!("{} : {} ({})", b.label, logements(b.value), pourcent(b.value, d.total));
        for (t, v, _) in b.segments.iter().filter(|s| s.1 > 0) {
            tip.push_str(&format!("\n{} : {}", TypologieGrille::parse(t).map(|t| t.as_str()).unwrap_or(t), entier(*v)));
        }
        if !b.key.is_empty() {
            tip.push_str(if choisi == Some(b.key.as_str()) {
                "\nCliquez pour retirer ce filtre."
            } else {
                "\nCliquez pour filtrer le tableau de bord."
            });
        }
        let resp = resp.on_hover_text(tip);
        if !b.key.is_empty() {
            let resp = resp.on_hover_cursor(egui::CursorIcon::PointingHand);
            if resp.clicked() {
                clicked = Some(b.key.clone());
            }
        }
    }
    clicked
}
