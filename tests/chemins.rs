//! Paths as users have them: accented folders and file names, spaces, names written by
//! macOS (NFD), file names that came from Windows (drive letters, backslashes).

use crate::common::*;

fn edl(path: &std::path::Path) {
    edl_typo(path, "T2");
}

fn edl_typo(path: &std::path::Path, typo: &str) {
    let rows = vec![
        HEADER.to_vec(),
        vec!["É1", "06004", "Antibes", "Préfecture", "T3", "PLUS"],
        vec!["É2", "06004", "Antibes", "Action Logement", typo, "PLAI"],
    ];
    xlsx(path, &[("État des lieux", rows)]);
}

#[test]
fn accented_folders_and_names_with_spaces_go_through_import_report_and_exports() {
    let t = TempDir::new("chemins");
    let dir = t.path("Réservations — Métropole d'Azur 2025");
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.join("Dossier inter-bailleurs été.contingents");
    let f = dir.join("EDL Société Côte Habitat (version définitive).xlsx");
    edl(&f);
    let o = import(&d, &["--territoire", "240600585"], &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = report(&d);
    assert_eq!(r["logements"], 2);
    // The bailleur read from the accented file name keeps its accents.
    let h = run_ok(&["historique", "--dossier", d.to_str().unwrap()]);
    assert!(h.contains("Société Côte Habitat"), "{h}");
    assert!(h.contains("EDL Société Côte Habitat (version définitive).xlsx"), "{h}");
    // Exports under an accented name, next to the dossier.
    let out = dir.join("État des lieux consolidé — été.xlsx");
    exporter("etat-des-lieux", d.to_str().unwrap(), &[], &out);
    assert!(out.metadata().unwrap().len() > 0);
    // No temporary file left behind.
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(left.is_empty());
}

#[test]
fn a_file_name_written_by_macos_gives_the_same_bailleur() {
    let t = TempDir::new("nfd");
    let d = t.path("d.contingents");
    // « Érable Habitat » decomposed (E + combining acute), as macOS writes it.
    let nfd = t.path("E\u{301}rable_Habitat_edl.xlsx");
    let nfc = t.path("Érable_Habitat_v2.xlsx");
    edl(&nfd);
    // Another version (an identical file would be « fichier identique, ignoré »).
    edl_typo(&nfc, "T4");
    assert!(import(&d, &["--territoire", "240600585"], &[&nfd]).status.success());
    assert!(import(&d, &["--territoire", "240600585"], &[&nfc]).status.success());
    // One bailleur, not two spelled alike: the second file replaced the first.
    let r = report(&d);
    assert_eq!(r["logements"], 2, "{r}");
    let h = run_ok(&["historique", "--dossier", d.to_str().unwrap()]);
    assert_eq!(h.matches("Érable Habitat").count(), 2, "{h}");
}

#[test]
fn windows_file_names_give_their_last_component() {
    use contingents::import::bailleur_from_file_name;
    // A name recorded on Windows, read anywhere.
    assert_eq!(
        bailleur_from_file_name(r"C:\Users\élise\Documents\EDL_Habitat_Azur_2024.xlsx").as_deref(),
        Some("Habitat Azur")
    );
    assert_eq!(
        bailleur_from_file_name(r"\\serveur\partage\Logis des Oliviers.csv").as_deref(),
        Some("Logis des Oliviers")
    );
    assert_eq!(bailleur_from_file_name("/home/élise/EDL_Érable_Habitat.ods").as_deref(), Some("Érable Habitat"));
}
