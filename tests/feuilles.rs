//! Sheets and headers of bailleurs' files: no sheet dropped or misread silently (its name is
//! never taken for a réservataire by its first words, hidden sheets and sheets named like a
//! synthesis are read when they hold dwellings, a sheet not named after a commune keeps its
//! rows as rejets).

use crate::common::*;

const CASA: [&str; 4] = ["--territoire", "240600585", "--date-reference", "2024-01-01"];

/// Rows of a sheet as `&str`.
fn lignes(rows: &[Vec<String>]) -> Vec<Vec<&str>> {
    rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect()
}

fn table(header: &[&str], rows: &[&[&str]]) -> Vec<Vec<String>> {
    std::iter::once(header).chain(rows.iter().copied()).map(|r| r.iter().map(|s| s.to_string()).collect()).collect()
}

#[test]
fn a_sheet_named_etat_des_lieux_is_never_the_state() {
    let t = TempDir::new("feuille-etat");
    for name in ["Etat des lieux", "Etat des lieux 2024"] {
        let f = t.path("habitat_test.xlsx");
        let rows = table(
            &["Référence", "Commune", "Typologie", "Financement"],
            &[&["A1", "Antibes", "T2", "PLUS"], &["A2", "Biot", "T3", "PLAI"]],
        );
        xlsx(&f, &[(name, lignes(&rows))]);
        let d = t.path(&format!("{name}.sqlite"));
        let o = import(&d, &CASA, &[&f]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", String::from_utf8_lossy(&o.stdout));
        let e = erreur(&o);
        assert!(e.contains("aucune feuille n'a d'en-tête reconnaissable"), "{e}");
        assert!(e.contains(&format!("feuille « {name} » : ligne 1 : colonnes reconnues « Référence »")), "{e}");
        assert!(e.contains("« Commune », « Typologie », « Financement » ; il manque le réservataire"), "{e}");
    }
}

#[test]
fn attributaire_and_hyphenated_headers_name_the_reservataire() {
    let t = TempDir::new("attributaire");
    for (i, label) in ["Attributaire", "Réserva-\ntaire", "Réserva-taire"].iter().enumerate() {
        let f = t.path(&format!("habitat_test_{i}.xlsx"));
        let rows = table(
            &["Référence", "Commune", label, "Typo-\nlogie", "Finance-\nment"],
            &[
                &["A1", "Antibes", "Préfecture", "T2", "PLUS"],
                &["A2", "Antibes", "Action Logement", "T3", "PLUS"],
                &["A3", "Biot", "Non réservé", "T1", "PLAI"],
            ],
        );
        xlsx(&f, &[("Etat des lieux", lignes(&rows))]);
        let d = t.path(&format!("d{i}.sqlite"));
        import_ok(&d, &CASA, &[&f]);
        let r = report(&d);
        assert_eq!(r["logements"], 3, "{label}");
        assert_eq!(cells_sum(&r, |c| c["reservataire"] == "etat" && c["typologie"] == "T2"), 1, "{label}");
        assert_eq!(cells_sum(&r, |c| c["reservataire"] == "action-logement" && c["financement"] == "PLUS"), 1);
        assert_eq!(cells_sum(&r, |c| c["reservataire"] == "non-reserve" && c["commune"] == "06018"), 1);
    }
}

#[test]
fn a_row_number_column_is_not_the_dwelling_reference() {
    let t = TempDir::new("numero");
    let f = t.path("habitat_test.xlsx");
    let rows = table(
        &["N°", "N° logement", "Commune", "Réservataire", "Typologie", "Financement"],
        &[
            &["1", "HA-1", "Antibes", "Préfecture", "T2", "PLUS"],
            &["2", "HA-1", "Antibes", "Préfecture", "T2", "PLUS"],
            &["3", "HA-2", "Biot", "CASA", "T3", "PLUS"],
        ],
    );
    xlsx(&f, &[("EDL", lignes(&rows))]);
    let d = t.path("d.sqlite");
    import_ok(&d, &CASA, &[&f]);
    // HA-1 twice is one dwelling (the row numbers 1 and 2 made it two).
    let r = report(&d);
    assert_eq!(r["logements"], 2);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "etat" && c["commune"] == "06004"), 1);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "epci:240600585" && c["commune"] == "06018"), 1);

    // Only the row numbers: no reference, the file is refused and says why.
    let g = t.path("habitat_numeros.xlsx");
    let rows = table(
        &["N°", "Commune", "Réservataire", "Typologie", "Financement"],
        &[
            &["1", "Antibes", "Préfecture", "T2", "PLUS"],
            &["2", "Biot", "CASA", "T3", "PLUS"],
            &["3", "Biot", "ALS", "T1", "PLAI"],
        ],
    );
    xlsx(&g, &[("EDL", lignes(&rows))]);
    let o = import(&t.path("e.sqlite"), &CASA, &[&g]);
    assert_eq!(o.status.code(), Some(1));
    let e = erreur(&o);
    assert!(
        e.contains(
            "il manque la référence du logement (la colonne « N° » ne fait que numéroter les lignes : 1, 2, 3…)"
        ),
        "{e}"
    );
}
