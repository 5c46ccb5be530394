//! Colours the screens share (text on the light background, ≥ 4.5:1).

use eframe::egui::Color32;

/// Errors and refused input: #AA0000 on white is 7.9:1.
pub const ERREUR: Color32 = Color32::from_rgb(170, 0, 0);
/// Legal alerts next to a figure: #8A3A00 on white is 8.0:1.
pub const ALERTE: Color32 = Color32::from_rgb(138, 58, 0);
/// Values that are the program's defaults: #5A5A5A on white is 6.9:1.
pub const DEFAUT: Color32 = Color32::from_rgb(90, 90, 90);
/// The background of a question asked inside a screen or a dialog (pale yellow).
pub const FOND_QUESTION: Color32 = Color32::from_rgb(255, 243, 205);

/// The everyday theme: egui's light theme, with links dark enough to read (egui's light
/// blue is 2.9:1 on white; this one is 6.9:1).
pub fn normal() -> eframe::egui::Visuals {
    let mut v = eframe::egui::Visuals::light();
    v.hyperlink_color = Color32::from_rgb(0, 86, 170);
    v
}

/// The workshop theme (projected in a room): black text on white, links, warnings and errors
/// dark enough to keep 4.5:1 everywhere (WCAG 2.1 AA), a stronger selection.
pub fn atelier() -> eframe::egui::Visuals {
    let mut v = eframe::egui::Visuals::light();
    v.override_text_color = Some(Color32::BLACK);
    v.panel_fill = Color32::WHITE;
    v.window_fill = Color32::WHITE;
    v.extreme_bg_color = Color32::WHITE;
    v.faint_bg_color = Color32::from_gray(242);
    v.hyperlink_color = Color32::from_rgb(0, 70, 150);
    v.warn_fg_color = ALERTE;
    v.error_fg_color = ERREUR;
    v.selection.bg_fill = Color32::from_rgb(190, 220, 250);
    v.selection.stroke.color = Color32::from_rgb(0, 50, 120);
    v
}

/// The outline of every bar of a chart: the text colour, slightly lighter. It gives each
/// bar a boundary of more than 3:1 (WCAG 2.1 non-text contrast) whatever its fill, the
/// palette's light colours included.
pub fn contour_barres(v: &eframe::egui::Visuals) -> Color32 {
    v.text_color().gamma_multiply(0.8)
}

/// WCAG 2.1 relative luminance of an sRGB colour.
#[cfg(test)]
fn luminance(c: Color32) -> f64 {
    let lin = |x: u8| {
        let x = x as f64 / 255.0;
        if x <= 0.040_45 { x / 12.92 } else { ((x + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * lin(c.r()) + 0.7152 * lin(c.g()) + 0.0722 * lin(c.b())
}

/// The contrast ratio of two colours (1 to 21).
#[cfg(test)]
pub fn contraste(a: Color32, b: Color32) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Every (text, background) pair the workshop theme draws, with what it is.
#[cfg(test)]
pub fn couples_atelier() -> Vec<(&'static str, Color32, Color32)> {
    let v = atelier();
    let text = v.override_text_color.unwrap_or(v.widgets.noninteractive.fg_stroke.color);
    let mut out = vec![];
    for (name, bg) in [
        ("panneau", v.panel_fill),
        ("fenêtre", v.window_fill),
        ("champ", v.extreme_bg_color),
        ("ligne alternée", v.faint_bg_color),
        ("bouton", v.widgets.inactive.weak_bg_fill),
        ("bouton survolé", v.widgets.hovered.weak_bg_fill),
        ("bouton actif", v.widgets.active.weak_bg_fill),
        ("sélection", v.selection.bg_fill),
    ] {
        out.push((name, text, bg));
    }
    for (name, fg) in [
        ("lien", v.hyperlink_color),
        ("avertissement", v.warn_fg_color),
        ("erreur", v.error_fg_color),
        ("alerte", ALERTE),
        ("valeur par défaut", DEFAUT),
        ("erreur de saisie", ERREUR),
    ] {
        out.push((name, fg, v.panel_fill));
        out.push((name, fg, v.faint_bg_color));
    }
    out
}

/// Every graphical element of the workshop theme against its background (≥ 3:1).
#[cfg(test)]
pub fn graphiques_atelier() -> Vec<(&'static str, Color32, Color32)> {
    let v = atelier();
    // The outline is drawn with transparency: its colour as seen on the panel.
    let c = contour_barres(&v);
    let a = c.a() as f32 / 255.0;
    let over = |x: u8, bg: u8| (x as f32 + bg as f32 * (1.0 - a)).round() as u8;
    let bg = v.panel_fill;
    let seen = Color32::from_rgb(over(c.r(), bg.r()), over(c.g(), bg.g()), over(c.b(), bg.b()));
    vec![("contour des barres", seen, bg), ("bordure de sélection", v.selection.stroke.color, v.panel_fill)]
}
