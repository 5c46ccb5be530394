//! The one French numeric input of the window: every number the user types goes through
//! [`nombre`], which reads « 8,5 », « 8.5 », « 8,5 % » and « 1 600 » with the same parser as
//! the command line, and refuses visibly what it cannot read (the value stays as it was).

use contingents::format::{SaisieError, parse_entier, parse_nombre};
use eframe::egui;

/// What a field accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Sorte {
    /// A percentage from 0 to 100.
    Pourcentage,
    /// A whole number of dwellings.
    Entier,
}

/// The text of a number as the field shows it: `8,5`, `1600`.
pub fn texte(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}").replace('.', ",") }
}

/// Reads a typed value for this kind of field.
pub fn lire(s: &str, sorte: Sorte) -> Result<f64, SaisieError> {
    match sorte {
        Sorte::Entier => parse_entier(s).map(|n| n as f64),
        Sorte::Pourcentage => {
            let x = parse_nombre(s)?;
            if !(0.0..=100.0).contains(&x) {
                return Err(SaisieError::HorsBornes(s.trim().to_string(), "0 à 100 %".into()));
            }
            Ok(x)
        }
    }
}

/// An optional number: empty means « not entered » (the default applies, shown as `hint`).
/// Returns true when the value changed.
pub fn nombre(ui: &mut egui::Ui, id: &str, label: &str, v: &mut Option<f64>, sorte: Sorte, hint: &str) -> bool {
    let key = ui.make_persistent_id(("saisie", id));
    let shown = v.map(texte).unwrap_or_default();
    // The text being typed lives in the UI memory until it reads as a number.
    let mut buf: String = ui.data(|d| d.get_temp::<String>(key)).unwrap_or_else(|| shown.clone());
    let mut changed = false;
    ui.horizontal(|ui| {
        let l = ui.label(label);
        let r = ui.add(egui::TextEdit::singleline(&mut buf).hint_text(hint).desired_width(150.0).id(key.with("champ")));
        let r = r.labelled_by(l.id).on_hover_text("Virgule ou point décimal, espaces de milliers et « % » acceptés");
        if sorte == Sorte::Pourcentage {
            ui.label("%");
        }
        let parsed = if buf.trim().is_empty() { Ok(None) } else { lire(&buf, sorte).map(Some) };
        let refused = parsed.is_err();
        match parsed {
            Ok(x) => {
                if x != *v {
                    *v = x;
                    changed = true;
                }
            }
            Err(e) => {
                ui.colored_label(crate::ui::theme::ERREUR, format!("⚠ {e}"));
            }
        }
        if r.has_focus() || refused {
            ui.data_mut(|d| d.insert_temp(key, buf.clone()));
        } else {
            ui.data_mut(|d| d.remove::<String>(key));
        }
    });
    changed
}

/// A whole number (0 when empty).
pub fn entier(ui: &mut egui::Ui, id: &str, label: &str, v: &mut u64) -> bool {
    let mut o = (*v > 0).then_some(*v as f64);
    let changed = nombre(ui, id, label, &mut o, Sorte::Entier, "0");
    *v = o.unwrap_or(0.0) as u64;
    changed
}

/// The figures of up to three past years (N−1, N−2, N−3): only those typed count, so a mean
/// is never pulled down by blanks read as zeros.
pub fn annees(ui: &mut egui::Ui, id: &str, label: &str, annee: i32, v: &mut Vec<u64>) {
    let mut slots: [Option<f64>; 3] = [None; 3];
    for (i, x) in v.iter().take(3).enumerate() {
        slots[i] = Some(*x as f64);
    }
    ui.label(label);
    ui.horizontal(|ui| {
        for (i, slot) in slots.iter_mut().enumerate() {
            nombre(ui, &format!("{id}-{i}"), &format!("{}", annee - 1 - i as i32), slot, Sorte::Entier, "—");
        }
    });
    *v = slots.iter().flatten().map(|x| *x as u64).collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_french_numbers() {
        assert_eq!(lire("8,5", Sorte::Pourcentage), Ok(8.5));
        assert_eq!(lire("8,5 %", Sorte::Pourcentage), Ok(8.5));
        assert!(lire("150", Sorte::Pourcentage).is_err());
        assert_eq!(lire("1 600", Sorte::Entier), Ok(1600.0));
        assert!(lire("8,5", Sorte::Entier).is_err());
        assert_eq!(texte(8.5), "8,5");
        assert_eq!(texte(30.0), "30");
    }
}
