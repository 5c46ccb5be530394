//! The user's path through the window, end to end (egui_kittest): a new dossier with its
//! territory and reference date, its properties changed, a register imported through the
//! wizard, the annex of the year chosen in the flux screen, the workshop mode at 1280 × 720,
//! closing during an import. Each test asserts the figures the core gives. One file per step: `creation.rs`, `import.rs`,
//! `documents.rs`, `atelier.rs`; the dossiers and figures they share here.

use super::{Temp, classeur};
use crate::ui::app::App;
use contingents::consolidate::Filtre;
use contingents::reference::Territoire;
use contingents::store::Dossier;
use egui_kittest::Harness;
use std::path::PathBuf;

mod atelier;
mod creation;
mod documents;
mod import;

pub(super) fn casa() -> Territoire {
    Territoire::Epci("240600585".into())
}

/// The dossier's figures as the window shows them: logements, rows set aside, conflicts,
/// extinct rights.
pub(super) fn chiffres(h: &Harness<'static, App>) -> (u64, usize, usize, usize) {
    let v = h.state().view.as_ref().unwrap();
    (v.cube.total(&Filtre::default()), v.rejets.len(), v.conflits, v.echus)
}

pub(super) fn c_path(h: &Harness<'static, App>) -> PathBuf {
    h.state().ecrans.creation.as_ref().map(|c| c.path.clone()).unwrap_or_default()
}

/// A dossier of the CASA at 01/01/2024 whose conventions end on 31/12/2023 (2), 30/06/2024
/// (3) and 31/12/2030 (1), imported through the core.
pub(super) fn dossier_a_echeances(t: &Temp) -> PathBuf {
    let dossier = t.0.join("echeances.contingents");
    {
        let d = Dossier::open(&dossier, true).unwrap();
        d.set_parametre("territoire", "240600585").unwrap();
        d.set_parametre("date_reference", "2024-01-01").unwrap();
    }
    let f = t.0.join("azur_edl.xlsx");
    let mut rows: Vec<Vec<String>> = vec![
        ["Référence", "Commune", "Réservataire", "Typologie", "Financement", "Date de fin de convention"]
            .map(String::from)
            .to_vec(),
    ];
    for (i, fin) in
        ["31/12/2023", "31/12/2023", "30/06/2024", "30/06/2024", "30/06/2024", "31/12/2030"].iter().enumerate()
    {
        rows.push(vec![
            format!("E{i}"),
            "Antibes".into(),
            "Préfecture".into(),
            "T3".into(),
            "PLUS".into(),
            fin.to_string(),
        ]);
    }
    let refs: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    let refs: Vec<&[&str]> = refs.iter().map(|r| r.as_slice()).collect();
    classeur(&f, &refs);
    let mut d = Dossier::open(&dossier, false).unwrap();
    let opts = contingents::import::run::ImportOptions { bailleur: Some("Azur".into()), ..Default::default() };
    contingents::import::run::import_files(
        &mut d,
        &[f],
        &opts,
        &contingents::import::run::Silent,
        &std::sync::atomic::AtomicBool::new(false),
    )
    .unwrap();
    dossier
}
