//! `.xlsb` workbooks (no Rust library writes one: see `tests/fichiers/README.md`).

use crate::common::*;
use std::path::PathBuf;

fn fichier(nom: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fichiers").join(nom)
}

/// An `.xlsb` whose cells are all written in full (as Excel writes them) is read like an
/// `.xlsx`: B1…B4, B4's convention ended on 31/12/2019 (serial 43 830), B2's ends on
/// 31/12/2024 (45 657).
#[test]
fn un_xlsb_aux_cellules_completes_est_lu() {
    let t = TempDir::new("xlsb");
    let d = t.path("d.sqlite");
    let o = import(
        &d,
        &["--bailleur", "Azur", "--territoire", "240600585", "--date-reference", "2024-01-01"],
        &[&fichier("pleines.xlsb")],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = report(&d);
    assert_eq!(r["logements"], 4);
    assert_eq!(r["rejets"].as_array().unwrap().len(), 0);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "etat" && c["typologie"] == "T2" && c["commune"] == "06004"), 1);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "action-logement" && c["financement"] == "PLAI"), 1);
    assert_eq!(
        cells_sum(&r, |c| c["reservataire"] == "non-reserve" && c["commune"] == "06018"),
        2,
        "B3, and B4 extinct"
    );
    let echus = r["echus"].as_array().unwrap();
    assert_eq!(echus.len(), 1);
    assert_eq!(
        (echus[0]["reference"].as_str(), echus[0]["date_fin_convention"].as_str()),
        (Some("B4"), Some("2019-12-31"))
    );
}

/// The same file written by SheetJS, its cells after the first of each row in the short form
/// that calamine skips: refused with what to do, never read with columns missing.
#[test]
fn un_xlsb_aux_cellules_courtes_est_refuse_avec_ce_qu_il_faut_faire() {
    let t = TempDir::new("xlsb-courtes");
    let d = t.path("d.sqlite");
    let o = import(&d, &["--bailleur", "Azur", "--territoire", "240600585"], &[&fichier("courtes.xlsb")]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        erreur(&o),
        "contingents : courtes.xlsb : classeur .xlsb écrit sous une forme abrégée (des cellules sans numéro de colonne, comme l'écrivent d'autres logiciels qu'Excel) que Contingents ne sait pas lire sans en perdre : ouvrez-le dans Excel ou LibreOffice Calc, enregistrez-le au format .xlsx et importez ce fichier"
    );
    assert!(!d.exists(), "a refused file leaves no dossier behind");
}
