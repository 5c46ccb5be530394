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

/// The rejets of a report as (feuille, motif, valeur).
fn rejets(r: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = r["rejets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["feuille"].as_str().unwrap_or("").into(),
                x["motif"].as_str().unwrap().into(),
                x["valeur"].as_str().unwrap().into(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn sheets_per_commune_are_read_in_every_documented_form_and_a_misspelt_one_kept_aside() {
    let t = TempDir::new("communes");
    let f = t.path("residences_test.xlsx");
    let h = ["N° logement", "Réservataire", "Typologie", "Financement"];
    let antibes = table(&h, &[&["A1", "Préfecture", "T2", "PLUS"], &["A2", "CASA", "T3", "PLUS"]]);
    let suite = table(&h, &[&["A3", "Préfecture", "T1", "PLAI"]]);
    let vallauris = table(&h, &[&["V1", "Action Logement", "T4", "PLS"]]);
    let biot = table(&h, &[&["B1", "Non réservé", "T2", "PLUS"]]);
    let typo = table(&h, &[&["X1", "Préfecture", "T2", "PLUS"], &["X2", "Préfecture", "T3", "PLUS"]]);
    xlsx(
        &f,
        &[
            ("Antibes", lignes(&antibes)),
            ("Antibes suite", lignes(&suite)),
            ("Vallauris 06", lignes(&vallauris)),
            ("06018 - Biot", lignes(&biot)),
            ("Valauris", lignes(&typo)),
        ],
    );
    let d = t.path("d.sqlite");
    import_ok(&d, &CASA, &[&f]);
    let r = report(&d);
    assert_eq!(r["logements"], 5);
    assert_eq!(cells_sum(&r, |c| c["commune"] == "06004" && c["reservataire"] == "etat"), 2);
    assert_eq!(cells_sum(&r, |c| c["commune"] == "06155" && c["reservataire"] == "action-logement"), 1);
    assert_eq!(cells_sum(&r, |c| c["commune"] == "06018" && c["reservataire"] == "non-reserve"), 1);
    // Never dropped: the rows of « Valauris » are kept aside, with the sheet's name.
    let v = ("Valauris".to_string(), "commune_inconnue".to_string(), "Valauris".to_string());
    assert_eq!(rejets(&r), vec![v.clone(), v]);

    // « Valauris » alone: nothing read, the file is refused and says why.
    let g = t.path("residences_seule.xlsx");
    xlsx(&g, &[("Valauris", lignes(&typo))]);
    let o = import(&t.path("e.sqlite"), &CASA, &[&g]);
    assert_eq!(o.status.code(), Some(1));
    assert!(erreur(&o).contains("il manque la commune (une colonne « Commune » ou « Code INSEE », ou une feuille par commune nommée d'après elle ; « Valauris » n'est pas le nom d'une commune)"));
}

#[test]
fn a_sheet_per_reservataire_named_after_a_commune_is_the_commune() {
    let t = TempDir::new("reservataire-commune");
    let f = t.path("habitat_test.xlsx");
    let h = ["Référence", "Commune", "Typologie", "Financement"];
    let pref = table(&h, &[&["P1", "Antibes", "T2", "PLUS"], &["P2", "Biot", "T3", "PLUS"]]);
    let antibes = table(&h, &[&["C1", "Antibes", "T3", "PLUS"]]);
    let biot = table(&h, &[&["C2", "Biot", "T1", "PLAI"]]);
    xlsx(&f, &[("Préfecture", lignes(&pref)), ("Antibes", lignes(&antibes)), ("Ville de Biot", lignes(&biot))]);
    let d = t.path("d.sqlite");
    import_ok(&d, &CASA, &[&f]);
    let r = report(&d);
    assert_eq!(r["logements"], 4);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "etat"), 2);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "commune:06004" && c["typologie"] == "T3"), 1);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "commune:06018" && c["commune"] == "06018"), 1);
}

/// A workbook of the sheets (name, rows, hidden).
fn classeur(path: &std::path::Path, sheets: Vec<(&str, Vec<Vec<&str>>, bool)>) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows, hidden) in sheets {
        let ws = wb.add_worksheet().set_name(name).unwrap();
        for (i, row) in rows.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                ws.write_string(i as u32, j as u16, *v).unwrap();
            }
        }
        if hidden {
            ws.set_hidden(true);
        }
    }
    wb.save(path).unwrap();
}

#[test]
fn a_data_sheet_is_read_whatever_its_name_and_a_hidden_one_is_said() {
    let t = TempDir::new("noms");
    let f = t.path("habitat_test.xlsx");
    let h = ["Référence", "Commune", "Réservataire", "Typologie", "Financement"];
    let part1 = table(&h, &[&["A1", "Antibes", "Préfecture", "T2", "PLUS"], &["A2", "Biot", "CASA", "T3", "PLUS"]]);
    let liste = table(&h, &[&["A3", "Antibes", "Action Logement", "T1", "PLAI"]]);
    let synthese2 =
        table(&h, &[&["A4", "Biot", "Préfecture", "T4", "PLS"], &["A5", "Biot", "Préfecture", "T4", "PLS"]]);
    // A hidden copy: A2 again, for another réservataire (an older version).
    let copie = table(&h, &[&["A2", "Biot", "Préfecture", "T3", "PLUS"], &["A9", "Biot", "Préfecture", "T5", "PLS"]]);
    let notice = || -> Vec<Vec<&str>> {
        vec![
            vec!["Notice de remplissage"],
            vec!["Exemple :"],
            vec!["Référence", "Commune", "Réservataire", "Typologie"],
            vec!["EXEMPLE-1", "Antibes", "Préfecture", "T3"],
        ]
    };
    let pivot = || -> Vec<Vec<&str>> { vec![vec!["Réservataire", "Antibes", "Biot"], vec!["Préfecture", "1", "3"]] };
    classeur(
        &f,
        vec![
            ("Notice", notice(), false),
            ("Synthèse", pivot(), false),
            ("Etat des lieux", lignes(&part1), false),
            ("Liste", lignes(&liste), false),
            ("Synthèse 2", lignes(&synthese2), true),
            ("Copie", lignes(&copie), true),
        ],
    );
    let d = t.path("d.sqlite");
    let o = import(&d, &CASA, &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    // Beside visible data, a hidden sheet whose references are none of theirs completes them:
    // read, and said. One that repeats a reference may be a stale copy: not read, and said.
    assert!(out.contains("  feuille masquée « Synthèse 2 » lue : 2 lignes\n"), "{out}");
    assert!(
        out.contains("  feuille masquée « Copie » non lue (2 lignes sous son en-tête de logements) : elle reprend 1 référence des feuilles lues (une copie, peut-être ancienne) ; si elle doit être lue, affichez-la dans le tableur et importez le fichier à nouveau\n"),
        "{out}"
    );
    let r = report(&d);
    // A1, A2, A3 and A4, A5 of the hidden « Synthèse 2 »; not A9 (of the copy).
    assert_eq!(r["logements"], 5);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "action-logement" && c["typologie"] == "T1"), 1);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "etat"), 3, "A1, A4, A5 — A2 stays CASA's");
    assert_eq!(cells_sum(&r, |c| c["typologie"] == "T5"), 0);
    assert_eq!(cells_sum(&r, |c| c["typologie"] == "T3" && c["commune"] == "06004"), 0);

    // The data hidden next to a visible synthesis: read, and said.
    let g = t.path("habitat_masque.xlsx");
    classeur(&g, vec![("Synthèse", pivot(), false), ("Données", lignes(&synthese2), true)]);
    let d = t.path("e.sqlite");
    let o = import(&d, &CASA, &[&g]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("feuille masquée « Données » lue : 2 lignes"));
    let r = report(&d);
    assert_eq!(
        cells_sum(&r, |c| c["reservataire"] == "etat" && c["typologie"] == "T4" && c["financement"] == "PLS"),
        2
    );
}

/// The references of large sheets are all compared, the rows beyond the first ones read too:
/// a hidden sheet of 450 rows beside a visible one of 500 is read when none of its references
/// is visible; another is not, for one reference repeated on its last row.
#[test]
fn a_hidden_sheet_is_compared_on_all_its_rows() {
    let t = TempDir::new("masquees-longues");
    let f = t.path("habitat_long.xlsx");
    let h = ["Référence", "Commune", "Réservataire", "Typologie", "Financement"];
    let rows = |refs: Vec<String>| -> Vec<Vec<String>> {
        std::iter::once(h.iter().map(|s| s.to_string()).collect())
            .chain(refs.into_iter().map(|r| vec![r, "Antibes".into(), "Préfecture".into(), "T3".into(), "PLUS".into()]))
            .collect()
    };
    let visible = rows((1..=500).map(|i| format!("V{i}")).collect());
    let suite = rows((1..=450).map(|i| format!("S{i}")).collect());
    let ancienne = rows((1..=449).map(|i| format!("O{i}")).chain(["V250".to_string()]).collect());
    classeur(
        &f,
        vec![("EDL", lignes(&visible), false), ("Suite", lignes(&suite), true), ("Ancienne", lignes(&ancienne), true)],
    );
    let d = t.path("d.sqlite");
    let o = import(&d, &CASA, &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("  feuille masquée « Suite » lue : 450 lignes\n"), "{out}");
    assert!(
        out.contains("  feuille masquée « Ancienne » non lue (450 lignes sous son en-tête de logements) : elle reprend 1 référence des feuilles lues"),
        "{out}"
    );
    assert_eq!(report(&d)["logements"], 950);
}
