//! Colours the screens share (text on the light background, ≥ 4.5:1).

use eframe::egui::Color32;

/// Errors and refused input: #AA0000 on white is 7.9:1.
pub const ERREUR: Color32 = Color32::from_rgb(170, 0, 0);
/// Legal alerts next to a figure: #8A3A00 on white is 8.0:1.
pub const ALERTE: Color32 = Color32::from_rgb(138, 58, 0);
/// Values that are the program's defaults: #5A5A5A on white is 6.9:1.
pub const DEFAUT: Color32 = Color32::from_rgb(90, 90, 90);
