//! The reconciliation rules of `interfaces.md`, each on a small file made here.

use crate::common::*;
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};

fn rows_for(grid: &[(&str, [u32; 6])], reservataire: &str) -> Vec<Vec<String>> {
    let typos = ["T1", "T2", "T3", "T4", "T5", "T6"];
    let mut rows = vec![];
    let mut n = 0;
    for (fin, counts) in grid {
        for (t, count) in typos.iter().zip(counts) {
            for _ in 0..*count {
                n += 1;
                rows.push(vec![
                    format!("R{n:05}"),
                    "83137".into(),
                    "Toulon".into(),
                    reservataire.into(),
                    t.to_string(),
                    fin.to_string(),
                ]);
            }
        }
    }
    rows
}

fn write_rows(path: &std::path::Path, header: &[&str], rows: &[Vec<String>]) {
    let mut all: Vec<Vec<&str>> = vec![header.to_vec()];
    all.extend(rows.iter().map(|r| r.iter().map(String::as_str).collect()));
    xlsx(path, &[("Etat des lieux", all)]);
}

#[test]
fn the_published_paca_grid_comes_out_exactly() {
    let t = TempDir::new("paca");
    let f = t.path("bailleur_paca.xlsx");
    let grid =
        [("PLAI", [38, 94, 221, 78, 22, 0]), ("PLUS", [73, 354, 406, 378, 89, 3]), ("PLS", [41, 55, 98, 38, 12, 0])];
    write_rows(&f, &HEADER, &rows_for(&grid, "Action Logement"));
    let d = t.path("d.sqlite");
    let o = import(&d, &["--territoire", "248300543", "--bailleur", "Habitat Azur"], &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = run_ok(&[
        "grid",
        "--dossier",
        d.to_str().unwrap(),
        "--reservataire",
        "action-logement",
        "--epci",
        "248300543",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["perimetre"], json!({"epci": "248300543"}));
    let l = &v["lignes"];
    assert_eq!(l["PLAI"], json!({"T1": 38, "T2": 94, "T3": 221, "T4": 78, "T5": 22, "T6+": 0, "TOTAL": 453}));
    assert_eq!(l["PLUS"], json!({"T1": 73, "T2": 354, "T3": 406, "T4": 378, "T5": 89, "T6+": 3, "TOTAL": 1303}));
    assert_eq!(l["PLS"], json!({"T1": 41, "T2": 55, "T3": 98, "T4": 38, "T5": 12, "T6+": 0, "TOTAL": 244}));
    assert_eq!(l["TOTAL"], json!({"T1": 152, "T2": 503, "T3": 725, "T4": 494, "T5": 123, "T6+": 3, "TOTAL": 2000}));
    assert!(l.get("PLI").is_none() && l.get("Autre").is_none());
    let text =
        run_ok(&["grid", "--dossier", d.to_str().unwrap(), "--reservataire", "action-logement", "--commune", "83137"]);
    assert!(text.contains("TOTAL\t152\t503\t725\t494\t123\t3\t2000"), "{text}");
}

#[test]
fn csv_in_windows_1252_with_any_separator() {
    let t = TempDir::new("csv");
    for (name, sep) in [("a_bailleur_pv.csv", ";"), ("b_bailleur_virgule.csv", ","), ("c_bailleur_tab.txt", "\t")] {
        let text = [
            "Etat des lieux au 01/01/2024",
            "",
            &["REF_LGT", "CODE_INSEE", "COMMUNE", "CONTINGENT", "TYPO", "FINANCT", "QPV", "IND/COLL"].join(sep),
            &["001", "6004", "ANTIBES", "PRÉFECTURE", "F3", "PLUS", "O", "C"].join(sep),
            &["002", "", "VALLAURIS", "NON RÉSERVÉ", "3 pièces", "PLA-TS", "N", "I"].join(sep),
            &["003", "06152", "", "MAIRIE DE VALBONNE", "Studio", "13", "QP006001", "C"].join(sep),
            &[""; 8].join(sep),
            "Nombre de lignes : 3",
        ]
        .join("\r\n");
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
        std::fs::write(t.path(name), &bytes).unwrap();
    }
    let d = t.path("d.sqlite");
    let files = [t.path("a_bailleur_pv.csv"), t.path("b_bailleur_virgule.csv"), t.path("c_bailleur_tab.txt")];
    let o = import(&d, &["--territoire", "240600585"], &files.iter().map(|p| p.as_path()).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = report(&d);
    assert_eq!(r["logements"], 9);
    assert_eq!(r["rejets"].as_array().unwrap().len(), 0);
    for b in ["A Bailleur Pv", "B Bailleur Virgule", "C Bailleur Tab"] {
        assert_eq!(cells_sum(&r, |c| c["bailleur"] == b), 3, "{b}");
        assert_eq!(cells_sum(&r, |c| c["bailleur"] == b && c["reservataire"] == "etat" && c["commune"] == "06004"), 1);
        assert_eq!(
            cells_sum(&r, |c| c["bailleur"] == b
                && c["reservataire"] == "non-reserve"
                && c["financement"] == "PLAI"
                && c["individuel_collectif"] == "individuel"),
            1
        );
        assert_eq!(
            cells_sum(&r, |c| c["bailleur"] == b
                && c["reservataire"] == "commune:06152"
                && c["financement"] == "PLUS"
                && c["typologie"] == "T1"
                && c["qpv"] == true),
            1
        );
    }
}

#[test]
fn sheets_per_commune_skip_synthesis_and_hidden_sheets() {
    let t = TempDir::new("sheets");
    let f = t.path("residences_test.xlsx");
    let mut wb = Workbook::new();
    let synth = wb.add_worksheet().set_name("Synthèse").unwrap();
    for (r, row) in [["Réservataire", "Antibes", "Biot"], ["Etat", "1", "1"]].iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            synth.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    for (name, hidden, refs) in
        [("Antibes", false, ["A1", "A2"]), ("Biot", false, ["B1", "B2"]), ("Copie", true, ["A1", "B1"])]
    {
        let ws = wb.add_worksheet().set_name(name).unwrap();
        ws.write_string(0, 0, "N° logement").unwrap();
        ws.write_string(0, 1, "Titulaire du droit").unwrap();
        ws.write_string(0, 2, "Type").unwrap();
        for (i, r) in refs.iter().enumerate() {
            ws.write_string(1 + i as u32, 0, *r).unwrap();
            ws.write_string(1 + i as u32, 1, "CASA").unwrap();
            ws.write_string(1 + i as u32, 2, "T2").unwrap();
        }
        ws.write_string(3, 0, format!("Total {name}")).unwrap();
        ws.write_number(3, 2, 2.0).unwrap();
        if hidden {
            ws.set_hidden(true);
        }
    }
    wb.save(&f).unwrap();
    let d = t.path("d.sqlite");
    let o = import(&d, &["--territoire", "240600585"], &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = report(&d);
    assert_eq!(r["logements"], 4);
    assert_eq!(cells_sum(&r, |c| c["commune"] == "06004" && c["reservataire"] == "epci:240600585"), 2);
    assert_eq!(cells_sum(&r, |c| c["commune"] == "06018"), 2);
    assert_eq!(r["rejets"].as_array().unwrap().len(), 0);
    // The hidden copy beside visible data is not read, and the summary says so.
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("feuille masquée « Copie » non lue (3 lignes sous son en-tête de logements)")
    );
}

#[test]
fn duplicates_conflicts_and_extinct_rights() {
    let t = TempDir::new("dups");
    let f = t.path("bailleur_dups.xlsx");
    let h = ["Référence", "Commune", "Réservataire", "Typologie", "Financement", "Date de fin de convention"];
    let rows: Vec<Vec<&str>> = vec![
        h.to_vec(),
        vec!["1", "Antibes", "Préfecture", "T2", "PLUS", ""],
        vec!["1", "Antibes", "Préfecture", "T2", "PLUS", ""],
        vec!["2", "Antibes", "Préfecture", "T3", "PLUS", ""],
        vec!["2", "Antibes", "Action Logement", "T3", "PLUS", ""],
        vec!["3", "Antibes", "Préfecture", "T4", "PLAI", "31/12/2023"],
        vec!["4", "Antibes", "Préfecture", "T4", "PLAI", "01/01/2024"],
    ];
    xlsx(&f, &[("EDL", rows)]);
    let d = t.path("d.sqlite");
    let o = import(&d, &["--territoire", "240600585", "--date-reference", "2024-01-01"], &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = report(&d);
    assert_eq!(r["logements"], 4);
    assert_eq!(
        r["conflits"],
        json!([{"bailleur": "Bailleur Dups", "reference": "2", "motif": "reservataires_differents", "valeurs": ["etat", "action-logement"]}])
    );
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "action-logement"), 1);
    assert_eq!(
        r["echus"],
        json!([{"bailleur": "Bailleur Dups", "reference": "3", "reservataire": "etat", "date_fin_convention": "2023-12-31"}])
    );
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "non-reserve" && c["typologie"] == "T4"), 1);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "etat"), 2);
}

#[test]
fn every_rejet_motif_with_file_sheet_and_row() {
    let t = TempDir::new("rejets");
    let f = t.path("bailleur_rejets.xlsx");
    let rows: Vec<Vec<&str>> = vec![
        vec!["Etat des lieux"],
        HEADER.to_vec(),
        vec!["1", "06004", "Antibes", "Préfecture", "T2", "PLUS"],
        vec!["", "06004", "Antibes", "Préfecture", "T2", "PLUS"],
        vec!["3", "", "Antibe", "Préfecture", "T2", "PLUS"],
        vec!["4", "06029", "Cannes", "Préfecture", "T2", "PLUS"],
        vec!["5", "06004", "Antibes", "Préfecture", "Parking", "PLUS"],
        vec!["6", "06004", "Antibes", "Mairie de Toulonn", "T2", "PLUS"],
        vec!["7", "#N/A", "#N/A", "Préfecture", "T2", "PLUS"],
    ];
    xlsx(&f, &[("Feuil1", rows)]);
    let d = t.path("d.sqlite");
    let o = import(&d, &["--territoire", "240600585"], &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = report(&d);
    assert_eq!(r["logements"], 1);
    let got: Vec<(u64, String, String)> = r["rejets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            assert_eq!(x["fichier"], "bailleur_rejets.xlsx");
            assert_eq!(x["feuille"], "Feuil1");
            (x["ligne"].as_u64().unwrap(), x["motif"].as_str().unwrap().into(), x["valeur"].as_str().unwrap().into())
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (4, "reference_manquante".into(), "".into()),
            (5, "commune_inconnue".into(), "Antibe".into()),
            (6, "commune_hors_territoire".into(), "Cannes".into()),
            (7, "typologie_inconnue".into(), "Parking".into()),
            (8, "reservataire_inconnu".into(), "Mairie de Toulonn".into()),
            (9, "commune_inconnue".into(), "#N/A".into()),
        ]
    );
}

#[test]
fn report_csv_has_bom_semicolons_and_no_formula() {
    let t = TempDir::new("csvout");
    let f = t.path("x.xlsx");
    write_rows(
        &f,
        &HEADER,
        &[vec!["1".into(), "06004".into(), "Antibes".into(), "Etat".into(), "T2".into(), "PLUS".into()]],
    );
    let d = t.path("d.sqlite");
    let o = import(&d, &["--bailleur", "=HYPERLINK(\"x\")"], &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = run(&["report", "--dossier", d.to_str().unwrap(), "--format", "csv"]);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with('\u{feff}'));
    let lines: Vec<&str> = s.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "bailleur;commune;epci;reservataire;financement;typologie;qpv;individuel_collectif;logements");
    assert!(
        lines[1].starts_with("\"'=HYPERLINK(\"\"x\"\")\";06004;240600585;etat;PLUS;T2;non;collectif;1"),
        "{}",
        lines[1]
    );
}

#[test]
fn the_consolidated_workbook_reads_back_with_the_cube_figures() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let t = TempDir::new("edl");
    let f = t.path("bailleur_paca.xlsx");
    let grid =
        [("PLAI", [38, 94, 221, 78, 22, 0]), ("PLUS", [73, 354, 406, 378, 89, 3]), ("PLS", [41, 55, 98, 38, 12, 0])];
    let mut rows = rows_for(&grid, "Action Logement");
    rows.extend(rows_for(&[("PLUS", [1, 2, 3, 4, 5, 6])], "Préfecture").into_iter().enumerate().map(|(i, mut r)| {
        r[0] = format!("P{i}");
        r
    }));
    write_rows(&f, &HEADER, &rows);
    let d = t.path("d.sqlite");
    assert!(import(&d, &["--territoire", "248300543", "--bailleur", "Habitat Azur"], &[&f]).status.success());
    let out = t.path("EDL_consolide.xlsx");
    run_ok(&["export", "etat-des-lieux", "--dossier", d.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names.first().map(String::as_str), Some("Synthèse"));
    assert!(names.iter().any(|n| n == "Données") && names.iter().any(|n| n == "Anomalies"));
    let donnees = wb.worksheet_range("Données").unwrap();
    let sum: f64 = donnees.rows().skip(1).map(|r| if let Data::Float(x) = r[9] { x } else { 0.0 }).sum();
    assert_eq!(sum, 2021.0);
    let al = wb.worksheet_range("Action Logement").unwrap();
    let total_row = al.rows().find(|r| r[0] == Data::String("Total".into())).unwrap();
    let vals: Vec<f64> = total_row[1..8].iter().map(|d| if let Data::Float(x) = d { *x } else { -1.0 }).collect();
    assert_eq!(vals, vec![152.0, 503.0, 725.0, 494.0, 123.0, 3.0, 2000.0]);
}

#[test]
fn the_ornex_annex_comes_out_with_its_figures_in_xlsx_and_pdf() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let t = TempDir::new("ornex");
    let f = t.path("bailleur_gex.xlsx");
    let mut rows: Vec<Vec<String>> = vec![];
    let mut add = |n: usize, res: &str, fin: &str, nature: &str| {
        for _ in 0..n {
            let i = rows.len();
            rows.push(vec![
                format!("O{i}"),
                "01281".into(),
                "Ornex".into(),
                res.into(),
                "T3".into(),
                fin.into(),
                nature.into(),
            ]);
        }
    };
    add(32, "Commune d'Ornex", "PLUS", "Logement familial");
    add(180, "Non réservé", "PLUS", "Logement familial");
    add(20, "Non réservé", "PLI", "Logement familial");
    add(14, "Non réservé", "PLAI", "Résidence sociale");
    let mut header = HEADER.to_vec();
    header.push("Nature du logement");
    write_rows(&f, &header, &rows);
    let d = t.path("d.sqlite");
    assert!(import(&d, &["--territoire", "01", "--bailleur", "Dynacité"], &[&f]).status.success());
    // An annex only of a flux saved for its year (never one of 0 logement).
    run_ok(&[
        "flux",
        "--dossier",
        d.to_str().unwrap(),
        "--bailleur",
        "Dynacité",
        "--epci",
        "240100750",
        "--annee",
        "2025",
        "--rotation",
        "5",
        "--enregistrer",
    ]);
    let phrase = "246 logements implantés, 34 exclus de l'assiette, 212 concernés par la gestion en flux ; 32 logements réservés par la commune, soit 15,1 %";
    let xlsx_out = t.path("annexe.xlsx");
    run_ok(&[
        "export",
        "annexe",
        "--dossier",
        d.to_str().unwrap(),
        "--reservataire",
        "commune:01281",
        "--commune",
        "01281",
        "--annee",
        "2025",
        "--out",
        xlsx_out.to_str().unwrap(),
    ]);
    let mut wb: Xlsx<_> = open_workbook(&xlsx_out).unwrap();
    let r = wb.worksheet_range("Annexe").unwrap();
    let text = match r.get((1, 0)) {
        Some(Data::String(s)) => s.replace(['\u{202f}', '\u{a0}'], " "),
        other => panic!("{other:?}"),
    };
    assert_eq!(text, format!("{phrase}."));
    let value =
        |label: &str| r.rows().find(|row| row[0] == Data::String(label.into())).map(|row| row[1].clone()).unwrap();
    assert_eq!(value("Parc locatif social"), Data::Float(246.0));
    assert_eq!(value("Logements exclus de l'assiette"), Data::Float(34.0));
    assert_eq!(value("Logements concernés par la gestion en flux (assiette)"), Data::Float(212.0));
    assert_eq!(value("Logements réservés par le réservataire dans l'assiette"), Data::Float(32.0));
    // Rates are numbers formatted as percentages, not text.
    match value("Taux de la convention") {
        Data::Float(x) => assert!((x - 32.0 / 212.0).abs() < 1e-12, "{x}"),
        other => panic!("the rate must be a number: {other:?}"),
    }
    match value("Périmètre") {
        Data::String(s) => assert_eq!(s, "commune d'Ornex (01281)"),
        other => panic!("{other:?}"),
    }
    let pdf = t.path("annexe.pdf");
    run_ok(&[
        "export",
        "annexe",
        "--dossier",
        d.to_str().unwrap(),
        "--reservataire",
        "commune:01281",
        "--commune",
        "01281",
        "--annee",
        "2025",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.7"));
    // The font is subset and the streams compressed: a one-page annex stays well under 100 KB.
    assert!(bytes.len() < 100_000, "{} bytes", bytes.len());
    assert!(bytes.windows(12).any(|w| w == b"/FlateDecode"));
    if let Ok(o) = std::process::Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output() {
        let text = String::from_utf8_lossy(&o.stdout)
            .replace(['\u{202f}', '\u{a0}'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains(&phrase.split_whitespace().collect::<Vec<_>>().join(" ")), "{text}");
    }
}

#[test]
fn a_sheet_per_reservataire_names_the_reservataire() {
    let t = TempDir::new("par-reservataire");
    let f = t.path("bailleur_par_contingent.xlsx");
    let rows = |p: &'static str| -> Vec<Vec<&'static str>> {
        vec![
            vec!["Référence", "Commune", "Typologie", "Financement"],
            vec![p, "Antibes", "T3", "PLUS"],
            vec![
                if p == "P1" {
                    "P2"
                } else if p == "A1" {
                    "A2"
                } else {
                    "V2"
                },
                "Biot",
                "T2",
                "PLAI",
            ],
        ]
    };
    xlsx(
        &f,
        &[
            ("Synthèse", vec![vec!["Réservataire", "Total"], vec!["Préfecture", "2"]]),
            ("Préfecture", rows("P1")),
            ("Action Logement", rows("A1")),
            ("Ville d'Antibes", rows("V1")),
        ],
    );
    let d = t.path("d.sqlite");
    let o = import(&d, &["--territoire", "240600585"], &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = report(&d);
    assert_eq!(r["logements"], 6);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "etat"), 2);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "action-logement"), 2);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "commune:06004" && c["commune"] == "06018"), 1);
}

/// A sheet long enough to be streamed in several batches (rows are recycled between
/// batches): rows of different widths, duplicates and conflicts far from the head all come
/// out exactly.
#[test]
fn a_long_streamed_sheet_is_read_exactly() {
    let t = TempDir::new("stream");
    let n = 7_000;
    let mut rows: Vec<Vec<String>> = vec![HEADER.iter().map(|s| s.to_string()).collect()];
    let (mut plus, mut etat) = (0u64, 0u64);
    for i in 0..n {
        // Every third row has no financement: the row is one cell shorter than the others.
        let financement = if i % 3 == 0 { "" } else { "PLUS" };
        let reservataire = if i % 2 == 0 { "Préfecture" } else { "Action Logement" };
        plus += (!financement.is_empty()) as u64;
        etat += (i % 2 == 0) as u64;
        rows.push(vec![
            format!("L{i}"),
            "06004".into(),
            "Antibes".into(),
            reservataire.into(),
            format!("T{}", 1 + i % 5),
            financement.into(),
        ]);
    }
    // Far from the head: 25 exact duplicates, then 10 conflicts (other réservataire).
    for i in 0..25 {
        rows.push(rows[1 + i * 7].clone());
    }
    for i in 0..10 {
        let mut r = rows[1 + i * 2].clone(); // an "État" row (even i)
        r[3] = "Action Logement".into();
        rows.push(r);
    }
    let (etat, action) = (etat - 10, n as u64 - etat + 10);
    let refs: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    let f = t.path("long.xlsx");
    xlsx(&f, &[("EDL", refs)]);
    let d = t.path("d.sqlite");
    let o = import(&d, &["--bailleur", "Azur"], &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = report(&d);
    assert_eq!(r["logements"], n as u64);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "etat"), etat);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "action-logement"), action);
    assert_eq!(cells_sum(&r, |c| c["financement"] == "PLUS"), plus);
    assert_eq!(cells_sum(&r, |c| c["typologie"] == "T3"), (n / 5) as u64);
    assert_eq!(r["conflits"].as_array().map(Vec::len), Some(10), "{}", r["conflits"]);
}

/// Dwellings are written several rows per INSERT: a dwelling replaced by a later row (a
/// conflict) while it still waits in its group, a row set aside and an exact duplicate in the
/// middle leave the dossier as rows written one by one would: every dwelling once, in the order
/// of the file, the replaced one under its newer values.
#[test]
fn dwellings_written_in_groups_keep_the_order_of_the_file() {
    let t = TempDir::new("groupes");
    let mut lignes: Vec<Vec<String>> = Vec::new();
    for i in 0..40 {
        lignes.push(match i {
            20 => ligne("L18", "06004", "Antibes", "Action Logement", "T2", "PLUS"),
            30 => ligne("X1", "", "Atlantis", "Préfecture", "T2", "PLUS"),
            _ => ligne(format!("L{i}"), "06004", "Antibes", "Préfecture", "T2", "PLUS"),
        });
    }
    lignes.push(ligne("L5", "06004", "Antibes", "Préfecture", "T2", "PLUS"));
    let f = t.path("groupes.xlsx");
    edl(&f, lignes);
    let d = t.path("d.sqlite");
    import_ok(&d, &["--bailleur", "Azur"], &[&f]);
    let c = rusqlite::Connection::open(&d).unwrap();
    let refs: Vec<(String, String, u32)> = c
        .prepare("SELECT reference, reservataire, ligne FROM logements ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut attendu: Vec<(String, String, u32)> =
        (0..18).chain([19]).map(|i| (format!("L{i}"), "etat".to_string(), i + 2)).collect();
    attendu.push(("L18".into(), "action-logement".into(), 22));
    attendu.extend((21..40).filter(|i| *i != 30).map(|i| (format!("L{i}"), "etat".to_string(), i + 2)));
    assert_eq!(refs, attendu);
    // Numbered as kept: the first L18 was 19, its replacement 21.
    let ids: Vec<i64> = c
        .prepare("SELECT id FROM logements ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    assert_eq!(ids, (1..=18).chain(20..=39).collect::<Vec<i64>>());
    let r = report(&d);
    assert_eq!(r["logements"], 38);
    assert_eq!(r["conflits"].as_array().map(Vec::len), Some(1), "{}", r["conflits"]);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "action-logement"), 1);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "etat"), 37);
    let (rejets, doublons): (i64, i64) =
        c.query_row("SELECT rejets, doublons FROM imports", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((rejets, doublons), (1, 1));
}

/// Past the limits (Excel's rows, a readable number of sheets) the état des lieux goes on
/// over more sheets and loses nothing: small limits here, the real ones at national scale.
#[test]
fn the_consolidated_workbook_splits_what_does_not_fit() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    use contingents::export::etat_des_lieux::{Limites, export_with};
    let t = TempDir::new("edl_split");
    let d = generated_dossier(&t, 1_500, 3);
    let dossier = contingents::store::Dossier::open_read_only(&d).unwrap();
    let cube = contingents::consolidate::Cube::load(&dossier).unwrap();
    let reservataires = cube.reservataires();
    assert!(reservataires.len() > 4, "{reservataires:?}");
    let out = t.path("EDL.xlsx");
    let limites = Limites { lignes_par_feuille: 100, feuilles_reservataires: 3 };
    export_with(&dossier, &out, &contingents::import::run::Silent, limites).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let names = wb.sheet_names();
    // Three sheets of réservataires (the two largest and the others together).
    let largest: Vec<String> = cube
        .counts_by(&Default::default(), None, contingents::consolidate::Dimension::Reservataire)
        .into_iter()
        .take(2)
        .map(|(k, _)| contingents::consolidate::nom_court_reservataire(k))
        .collect();
    for l in &largest {
        assert!(names.iter().any(|n| n == l), "{l} in {names:?}");
    }
    assert!(names.iter().any(|n| n == "Autres réservataires"), "{names:?}");
    let mut titres = 0;
    let mut totals = 0.0;
    for n in names.iter().filter(|n| n.starts_with("Autres réservataires")) {
        let ws = wb.worksheet_range(n).unwrap();
        assert!(ws.height() <= 100, "{n}: {} rows", ws.height());
        for r in ws.rows() {
            if let Data::String(s) = &r[0]
                && reservataires.iter().any(|x| contingents::consolidate::libelle_reservataire(x) == *s)
            {
                titres += 1;
            }
            if r[0] == Data::String("Total".into())
                && let Some(Data::Float(x)) = r.get(7)
            {
                totals += x;
            }
        }
    }
    assert_eq!(titres, reservataires.len() - 2, "every other réservataire has its title");
    assert!(totals > 0.0);
    // Données over several sheets of at most 99 rows each, nothing lost.
    let donnees: Vec<&String> = names.iter().filter(|n| n.starts_with("Données")).collect();
    assert_eq!(donnees.len(), cube.nombre_de_cellules().div_ceil(99), "{names:?}");
    let mut sum = 0.0;
    for n in donnees {
        let ws = wb.worksheet_range(n).unwrap();
        assert!(ws.height() <= 100);
        sum += ws.rows().skip(1).map(|r| if let Data::Float(x) = r[9] { x } else { 0.0 }).sum::<f64>();
    }
    assert_eq!(sum as u64, cube.total(&Default::default()));
}
