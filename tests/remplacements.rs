//! A re-import says what it replaces: the import replaced, the dwellings before and after,
//! those that left and the new ones, compared by reference (counts made by hand below).

use crate::common::*;
use std::path::Path;

const CASA: &str = "240600585";

/// The lines of the import's summary on standard output.
fn resume(dossier: &Path, extra: &[&str], files: &[&Path]) -> Vec<String> {
    let o = import(dossier, extra, files);
    assert!(o.status.success(), "import {extra:?} failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap().lines().map(str::to_string).collect()
}

fn antibes(reference: &str, res: &str) -> Vec<String> {
    ligne(reference, "06004", "Antibes", res, "T3", "PLUS")
}

#[test]
fn le_resume_dit_ce_que_le_remplacement_fait_logement_par_logement() {
    let t = TempDir::new("remplacement");
    let d = t.path("d.sqlite");
    // Import n° 1: A1…A10.
    let f1 = t.path("azur_1.xlsx");
    edl_antibes(&f1, "A", 10);
    let l = resume(&d, &["--bailleur", "Azur", "--territoire", CASA, "--date-reference", "2024-01-01"], &[&f1]);
    assert!(!l.iter().any(|x| x.contains("remplace")), "a first import replaces nothing: {l:?}");

    // Import n° 2: A1…A4 kept, A5 set aside (unknown commune), A6…A10 gone, B1 and B2 new:
    // 10 → 6 dwellings; left: A5…A10 = 6, of which A5 set aside; new: 2.
    let f2 = t.path("azur_2.xlsx");
    let mut rows: Vec<Vec<String>> =
        (1..=4).map(|i| antibes(&format!("A{i}"), if i % 3 == 0 { "Préfecture" } else { "Non réservé" })).collect();
    rows.push(ligne("A5", "", "Atlantide", "Non réservé", "T3", "PLUS"));
    rows.push(antibes("B1", "Préfecture"));
    rows.push(antibes("B2", "Non réservé"));
    edl(&f2, rows);
    let l = resume(&d, &["--bailleur", "Azur"], &[&f2]);
    assert_eq!(
        l[1],
        "  remplace l'import n° 1 : 10 → 6 logements ; 5 ne sont plus dans ce fichier, 1 y est mis de côté (voir les lignes mises de côté), 2 nouveaux",
        "{l:?}"
    );
    assert_eq!(
        l[2],
        "  logements sortis : A5, A6, A7, A8, A9, A10 ; l'import n° 1 reste dans l'historique et peut être rétabli"
    );

    // Import n° 3: the same six and C1…C8: 6 → 14, nothing left, 8 new, no list.
    let f3 = t.path("azur_3.xlsx");
    let mut rows: Vec<Vec<String>> =
        (1..=4).map(|i| antibes(&format!("A{i}"), if i % 3 == 0 { "Préfecture" } else { "Non réservé" })).collect();
    rows.push(antibes("B1", "Préfecture"));
    rows.push(antibes("B2", "Non réservé"));
    rows.extend((1..=8).map(|i| antibes(&format!("C{i}"), "Non réservé")));
    edl(&f3, rows);
    let l = resume(&d, &["--bailleur", "Azur"], &[&f3]);
    assert_eq!(l[1], "  remplace l'import n° 2 : 6 → 14 logements ; 0 ne sont plus dans ce fichier, 8 nouveaux");
    assert!(!l.iter().any(|x| x.contains("sortis")), "{l:?}");

    // Import n° 4: C1…C8 only (8 of 14, more than half): the six others left, one new none.
    let f4 = t.path("azur_4.xlsx");
    edl(&f4, (1..=8).map(|i| antibes(&format!("C{i}"), "Non réservé")));
    let l = resume(&d, &["--bailleur", "Azur"], &[&f4]);
    assert_eq!(l[1], "  remplace l'import n° 3 : 14 → 8 logements ; 6 ne sont plus dans ce fichier, 0 nouveaux");
    assert_eq!(
        l[2],
        "  logements sortis : A1, A2, A3, A4, B1, B2 ; l'import n° 3 reste dans l'historique et peut être rétabli"
    );
    let h = historique(&d);
    assert_eq!(h.as_array().unwrap().iter().filter(|e| e["actif"] == true).count(), 1);
}

#[test]
fn au_dela_de_dix_references_sorties_le_resume_en_donne_dix_et_le_total() {
    let t = TempDir::new("remplacement-dix");
    let d = t.path("d.sqlite");
    let f30 = t.path("azur_30.xlsx");
    edl_antibes(&f30, "A", 30);
    resume(&d, &["--bailleur", "Azur", "--territoire", CASA], &[&f30]);
    let f15 = t.path("azur_15.xlsx");
    edl_antibes(&f15, "A", 15);
    let l = resume(&d, &["--bailleur", "Azur"], &[&f15]);
    // A16…A30 left: 15.
    assert_eq!(l[1], "  remplace l'import n° 1 : 30 → 15 logements ; 15 ne sont plus dans ce fichier, 0 nouveaux");
    assert_eq!(
        l[2],
        "  logements sortis : A16, A17, A18, A19, A20, A21, A22, A23, A24, A25 (10 premiers sur 15) ; l'import n° 1 reste dans l'historique et peut être rétabli"
    );
}

#[test]
fn plusieurs_fichiers_plusieurs_imports_remplaces_plusieurs_bailleurs() {
    let t = TempDir::new("remplacement-plusieurs");
    let d = t.path("d.sqlite");
    // One call, two files of Azur: imports n° 1 (A1…A8) and n° 2 (X1…X8), both active.
    let (fa, fx) = (t.path("azur_a.xlsx"), t.path("azur_x.xlsx"));
    edl_antibes(&fa, "A", 8);
    edl_antibes(&fx, "X", 8);
    resume(&d, &["--bailleur", "Azur", "--territoire", CASA], &[&fa, &fx]);

    // Import n° 3: A1…A8 and X1…X4: 16 → 12, X5…X8 left.
    let g = t.path("azur_g.xlsx");
    edl(
        &g,
        (1..=8)
            .map(|i| ("A", i))
            .chain((1..=4).map(|i| ("X", i)))
            .map(|(p, i)| antibes(&format!("{p}{i}"), if i % 3 == 0 { "Préfecture" } else { "Non réservé" })),
    );
    let l = resume(&d, &["--bailleur", "Azur"], &[&g]);
    assert_eq!(
        l[1],
        "  remplace les imports n° 1 et 2 : 16 → 12 logements ; 4 ne sont plus dans ce fichier, 0 nouveaux"
    );
    assert_eq!(
        l[2],
        "  logements sortis : X5, X6, X7, X8 ; les imports remplacés restent dans l'historique et peuvent être rétablis"
    );

    // Two files in one call (imports n° 4 and 5): A1…A8, then Y1…Y3: 12 → 11; X1…X4 left, 3
    // new; said once, under the last file.
    let y = t.path("azur_y.xlsx");
    edl_antibes(&y, "Y", 3);
    let l = resume(&d, &["--bailleur", "Azur"], &[&fa, &y]);
    assert_eq!(l.iter().filter(|x| x.contains("remplace")).count(), 1, "{l:?}");
    let i = l.iter().position(|x| x.starts_with("azur_y.xlsx (import n° 5")).expect("second file");
    assert_eq!(l[i + 1], "  remplace l'import n° 3 : 12 → 11 logements ; 4 ne sont plus dans ces fichiers, 3 nouveaux");

    // A file naming its bailleurs: Azur keeps A1…A8 (11 → 8), Neuf is new (nothing replaced).
    let b = t.path("bailleurs.xlsx");
    let mut rows: Vec<Vec<String>> =
        vec![HEADER.iter().map(|s| s.to_string()).chain(["Bailleur".to_string()]).collect()];
    for i in 1..=8 {
        let mut r = antibes(&format!("A{i}"), if i % 3 == 0 { "Préfecture" } else { "Non réservé" });
        r.push("Azur".into());
        rows.push(r);
    }
    for i in 1..=2 {
        let mut r = antibes(&format!("N{i}"), "Non réservé");
        r.push("Neuf".into());
        rows.push(r);
    }
    let refs: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    xlsx(&b, &[("EDL", refs)]);
    let l = resume(&d, &[], &[&b]);
    let remplace: Vec<&String> = l.iter().filter(|x| x.contains("remplace")).collect();
    assert_eq!(
        remplace,
        ["  remplace les imports n° 4 et 5 pour Azur : 11 → 8 logements ; 3 ne sont plus dans ce fichier, 0 nouveaux"],
        "{l:?}"
    );
    assert!(l.iter().any(|x| x == "  logements sortis : Y1, Y2, Y3 ; les imports remplacés restent dans l'historique et peuvent être rétablis"), "{l:?}");
}

/// The case of the brief: « Toits de la Brague » (1 789 dwellings), then the same file cut to
/// its first 1 090 lines: 1 076 dwellings, the 713 others left, none new.
#[test]
fn le_fichier_du_corpus_coupe_dit_les_713_logements_sortis() {
    let Some(samples) = samples() else { return corpus_absent("le remplacement par un fichier coupé") };
    let t = TempDir::new("remplacement-corpus");
    let d = t.path("d.sqlite");
    let src = samples.join("casa/toits_de_la_brague_contingents.csv");
    let b = ["--bailleur", "Toits de la Brague"];
    resume(&d, &[&b[..], &["--territoire", CASA, "--date-reference", "2024-01-01"]].concat(), &[&src]);
    let texte = std::fs::read(&src).unwrap();
    // The first 1 090 lines, each with its line end.
    let mut fin = 0;
    for _ in 0..1090 {
        fin += texte[fin..].iter().position(|&c| c == b'\n').unwrap() + 1;
    }
    let coupe = t.path("toits_de_la_brague_contingents.csv");
    std::fs::write(&coupe, &texte[..fin]).unwrap();
    let l = resume(&d, &b, &[&coupe]);
    assert_eq!(
        l[1],
        "  remplace l'import n° 1 : 1\u{202f}789 → 1\u{202f}076 logements ; 713 ne sont plus dans ce fichier, 0 nouveaux"
    );
    assert!(l[2].starts_with("  logements sortis : 0042141, 0042143, "), "{}", l[2]);
    assert!(l[2].ends_with("(10 premiers sur 713) ; l'import n° 1 reste dans l'historique et peut être rétabli"));
}
