//! The window driven through its accessibility labels (egui_kittest, no GPU): the helpers every
//! window test shares, then the tests by family (one file each under `tests/`).

use super::app::App;
use super::state::Action;
use contingents::consolidate::{Cube, Filtre};
use contingents::format::entier;
use contingents::model::{Date, Financement, TypologieGrille};
use contingents::store::Dossier;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::io::Write as _;
use std::path::{Path, PathBuf};

mod fenetre;
mod flux_bilans;
mod grille;
mod import;
mod parcours;
mod premier_usage;
mod revue;

/// The screens of the menu, by their labels.
pub(super) const ECRANS: [&str; 8] = [
    "Consolidation",
    "Tableau de bord",
    "Import",
    "Libellés à rapprocher",
    "Rapprochement",
    "Flux annuel",
    "Bilans",
    "Historique",
];

pub(super) struct Temp(pub(super) PathBuf);

impl Temp {
    pub(super) fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("contingents-ui-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Temp(p)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A sample corpus of `../shared/samples` (`casa`, `casa-suivi`), found from the project's
/// folder or one of its parents (a worktree lives deeper than the main checkout), or under
/// `CONTINGENTS_SAMPLES`.
pub(super) fn corpus(nom: &str) -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("CONTINGENTS_SAMPLES") {
        return Some(PathBuf::from(d).join(nom)).filter(|p| p.join("manifest.json").exists());
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/samples").join(nom))
        .find(|p| p.join("manifest.json").exists())
}

pub(super) fn harness(app: App) -> Harness<'static, App> {
    Harness::builder().with_size([1400.0, 1000.0]).build_ui_state(|ui, app: &mut App| app.show(ui), app)
}

/// Opens the drop-down `liste` and clicks its entry `entree`: the one just under the list's
/// button (the same name may also be written elsewhere on the screen).
pub(super) fn choisir(h: &mut Harness<'static, App>, liste: &str, entree: &str) {
    h.get_by_role_and_label(egui::accesskit::Role::ComboBox, liste).click();
    h.run_steps(3);
    let bouton = h.get_by_role_and_label(egui::accesskit::Role::ComboBox, liste).rect();
    let cible = h
        .get_all_by_label(entree)
        .map(|n| n.rect())
        .filter(|r| r.top() >= bouton.bottom() - 1.0 && (r.left() - bouton.left()).abs() < 30.0)
        .min_by(|a, b| a.top().total_cmp(&b.top()))
        .unwrap_or_else(|| panic!("« {entree} » sous la liste « {liste} »"));
    h.get_all_by_label(entree).find(|n| n.rect() == cible).unwrap().click();
    h.run_steps(3);
}

/// Four dwellings of Azur in Antibes and Biot, one réservataire label nobody knows.
pub(super) fn write_file(path: &Path) {
    classeur(
        path,
        &[
            &["Référence", "Commune", "Réservataire", "Typologie", "Financement"],
            &["A1", "Antibes", "Préfecture", "T2", "PLUS"],
            &["A2", "Antibes", "Préfecture", "T3", "PLAI"],
            &["A3", "Biot", "Amicale des cheminots", "T3", "PLUS"],
            &["A4", "Biot", "Amicale des cheminots", "T4", "PLUS"],
        ],
    );
}

/// Writes a workbook (first row: the header).
pub(super) fn classeur(path: &Path, rows: &[&[&str]]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save(path).unwrap();
}

/// Said where it is seen (written to the terminal even when the test passes: the harness
/// captures only `print!`), and a failure when `CONTINGENTS_EXIGER_CORPUS` asks for the corpus.
pub(super) fn corpus_absent(quoi: &str) {
    let m =
        format!("SAUTÉ : corpus shared/samples/casa absent — {quoi} : rejoué sur des fichiers fabriqués par le test\n");
    let _ = std::io::stderr().write_all(m.as_bytes());
    assert!(std::env::var_os("CONTINGENTS_EXIGER_CORPUS").is_none(), "{m}");
}

/// Types into the French numeric field labelled `label` (its text box, not its label),
/// replacing what it held.
pub(super) fn type_into(h: &mut Harness<'static, App>, label: &str, text: &str) {
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, label).focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    h.run_steps(1);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, label).type_text(text);
    h.run_steps(3);
}
