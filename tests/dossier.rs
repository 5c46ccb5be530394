//! The dossier file: re-import replaces, restore brings back, newer schemas are refused.

use crate::common::*;

fn one_row_file(path: &std::path::Path, reservataire: &str, n: usize) {
    edl(path, (0..n).map(|i| ligne(format!("L{i}"), "06004", "Antibes", reservataire, "T3", "PLUS")));
}

#[test]
fn reimport_replaces_and_restore_brings_back() {
    let t = TempDir::new("restore");
    let d = t.path("d.sqlite");
    let v1 = t.path("v1.xlsx");
    let v2 = t.path("v2.xlsx");
    one_row_file(&v1, "Préfecture", 3);
    one_row_file(&v2, "Action Logement", 5);
    assert!(import(&d, &["--bailleur", "Azur"], &[&v1]).status.success());
    assert!(import(&d, &["--bailleur", "Azur"], &[&v2]).status.success());
    let r = report(&d);
    assert_eq!(r["logements"], 5, "no double counting");
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "action-logement"), 5);
    let hist = run_ok(&["historique", "--dossier", d.to_str().unwrap()]);
    assert_eq!(hist.lines().count(), 2, "{hist}");
    run_ok(&["restore", "--dossier", d.to_str().unwrap(), "--import", "1"]);
    let r = report(&d);
    assert_eq!(r["logements"], 3);
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "etat"), 3);
    let o = run(&["restore", "--dossier", d.to_str().unwrap(), "--import", "99"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn settings_are_kept_in_the_dossier() {
    let t = TempDir::new("settings");
    let d = t.path("d.sqlite");
    let f = t.path("b.xlsx");
    one_row_file(&f, "Préfecture", 1);
    assert!(
        import(&d, &["--bailleur", "B", "--territoire", "240600585", "--date-reference", "2023-06-30"], &[&f])
            .status
            .success()
    );
    assert!(import(&d, &["--bailleur", "C"], &[&f]).status.success());
    let r = report(&d);
    assert_eq!(r["date_reference"], "2023-06-30");
    assert_eq!(r["territoire"], "240600585");
    assert_eq!(r["logements"], 2);
}

/// Without `--date-reference`, the dossier's date is 1 January of the current year, the
/// command line's contract (interfaces.md), whatever the month: a convention ended on 30 June
/// of this year is not an extinct right; one ended on 31 December of last year is.
#[test]
fn sans_date_de_reference_la_ligne_de_commande_prend_le_premier_janvier_de_l_annee() {
    let t = TempDir::new("date-par-defaut");
    let d = t.path("d.sqlite");
    let f = t.path("b.csv");
    let now = contingents::store::now_iso();
    let annee: i32 = now[..4].parse().unwrap();
    std::fs::write(
        &f,
        format!(
            "Référence;Code INSEE;Commune;Réservataire;Typologie;Financement;Date de fin de convention\n\
             A1;06004;Antibes;Préfecture;T3;PLUS;30/06/{annee}\n\
             A2;06004;Antibes;Préfecture;T3;PLUS;31/12/{}\n",
            annee - 1
        ),
    )
    .unwrap();
    import_ok(&d, &["--bailleur", "Azur", "--territoire", "06"], &[&f]);
    let r = report(&d);
    let attendue = format!("{annee}-01-01");
    assert_eq!(r["date_reference"], attendue.as_str());
    assert_eq!(contingents::store::default_date_reference().to_string(), attendue);
    let echus = r["echus"].as_array().unwrap();
    assert_eq!(echus.len(), 1, "{echus:?}");
    assert_eq!(echus[0]["reference"], "A2");
    assert_eq!(cells_sum(&r, |c| c["reservataire"] == "etat"), 1);
    // Stored: a later import keeps it.
    import_ok(&d, &["--bailleur", "Azur"], &[&f]);
    assert_eq!(report(&d)["date_reference"], attendue.as_str());
}

#[test]
fn a_dossier_from_a_newer_version_is_refused_untouched() {
    let t = TempDir::new("newer");
    let d = t.path("d.sqlite");
    let f = t.path("b.xlsx");
    one_row_file(&f, "Préfecture", 1);
    assert!(import(&d, &["--bailleur", "B"], &[&f]).status.success());
    {
        let c = rusqlite::Connection::open(&d).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = std::fs::read(&d).unwrap();
    for args in [
        vec!["report", "--dossier", d.to_str().unwrap()],
        vec!["import", "--dossier", d.to_str().unwrap(), "--bailleur", "B", f.to_str().unwrap()],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("plus récente"), "{err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
    assert_eq!(std::fs::read(&d).unwrap(), before);
}

#[test]
fn usage_errors_exit_1_without_backtrace() {
    let o = run(&["import"]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&["report", "--dossier", "/nonexistent/dir/d.sqlite"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("n'existe pas"));
    let o = run(&["grid", "--dossier", "x", "--reservataire", "etat", "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(1));
    let v = run_ok(&["--version"]);
    assert!(v.contains("COG 2026"), "{v}");
}

#[test]
fn flux_parameters_survive_a_reopen_and_the_published_example_holds() {
    let t = TempDir::new("flux");
    let d = t.path("d.sqlite");
    let f = t.path("b.xlsx");
    // 2 000 / 2 760 / 607 dwellings for three réservataires on Antibes (CASA).
    edl(
        &f,
        [("Action Logement", 2000), ("Conseil départemental", 2760), ("La Poste", 607)].into_iter().flat_map(
            |(res, n)| (0..n).map(move |i| ligne(format!("{res}-{i}"), "06004", "Antibes", res, "T3", "PLUS")),
        ),
    );
    assert!(import(&d, &["--bailleur", "Azur", "--territoire", "240600585"], &[&f]).status.success());
    let ds = d.to_str().unwrap();
    let args = ["flux", "--dossier", ds, "--bailleur", "Azur", "--epci", "240600585", "--annee", "2025"];
    let mut with = args.to_vec();
    // The deck's example has no State share: `--taux etat=0` (the default is 30 %).
    with.extend(["--rotation", "5", "--mutations", "0", "--taux", "etat=0", "--enregistrer", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run_ok(&with)).unwrap();
    assert_eq!(v["parc"], 5367);
    assert_eq!(v["assiette"], 5367);
    assert_eq!(v["liberations"], 268);
    assert_eq!(v["flux"], 268);
    let n =
        |id: &str| v["reservataires"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()["logements"].clone();
    assert_eq!((n("action-logement"), n("departement:06"), n("autre:la-poste")), (100.into(), 138.into(), 30.into()));
    // The parameters were saved: without options the same result comes back, and next year starts from them.
    let mut again = args.to_vec();
    again.extend(["--format", "json"]);
    let v2: serde_json::Value = serde_json::from_str(&run_ok(&again)).unwrap();
    assert_eq!(v2["flux"], 268);
    let next =
        ["flux", "--dossier", ds, "--bailleur", "Azur", "--epci", "240600585", "--annee", "2026", "--format", "json"];
    let v3: serde_json::Value = serde_json::from_str(&run_ok(&next)).unwrap();
    assert_eq!(v3["liberations"], 268);
    assert_eq!(v3["parametres_a_confirmer"], true, "N−1 parameters are proposed « à confirmer »");
    assert!(v3["alertes"].as_array().unwrap().iter().any(|a| a["regle"] == "parametre_a_confirmer"));
    assert_eq!(v2["parametres_a_confirmer"], false);
    // Each réservataire on its perimeter: Action Logement and the département on the EPCI.
    let part = |id: &str| v["reservataires"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(part("action-logement")["perimetre"]["epci"], "240600585");
    assert_eq!(part("action-logement")["assiette"], 5367);
    assert_eq!(part("etat")["logements"], 0);
    // The commune breakdown: one commune, its figures are the EPCI's.
    assert_eq!(v["communes"][0]["commune"], "06004");
    assert_eq!(v["communes"][0]["flux"], 268);
    let o = run(&["flux", "--dossier", ds, "--bailleur", "Inconnu", "--epci", "240600585", "--annee", "2025"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn rapprochement_shows_gaps_both_ways() {
    let t = TempDir::new("rappro");
    let d = t.path("d.sqlite");
    let f = t.path("b.xlsx");
    one_row_file(&f, "Action Logement", 3);
    assert!(import(&d, &["--bailleur", "Azur", "--territoire", "240600585"], &[&f]).status.success());
    let decl = t.path("declaration.xlsx");
    xlsx(
        &decl,
        &[(
            "Déclaration",
            vec![
                vec!["Bailleur", "Commune", "Nombre de logements"],
                vec!["AZUR", "Antibes", "5"],
                vec!["Autre Bailleur", "Biot", "2"],
            ],
        )],
    );
    let out = run_ok(&[
        "rapprochement",
        "--dossier",
        d.to_str().unwrap(),
        "--reservataire",
        "action-logement",
        "--declaration",
        decl.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["mode"], "effectifs");
    let lignes = v["lignes"].as_array().unwrap();
    let azur = lignes.iter().find(|l| l["bailleur"] == "Azur").unwrap();
    assert_eq!(
        (azur["commune"].as_str(), azur["declare"].as_u64(), azur["dossier"].as_u64(), azur["ecart"].as_i64()),
        (Some("06004"), Some(5), Some(3), Some(-2))
    );
    let autre = lignes.iter().find(|l| l["bailleur"] == "Autre Bailleur").unwrap();
    assert_eq!((autre["declare"].as_u64(), autre["dossier"].as_u64()), (Some(2), Some(0)));

    let refs = t.path("references.csv");
    std::fs::write(&refs, "Bailleur;Référence\nAzur;L0\nAzur;L1\nAzur;X9\n").unwrap();
    let out = run_ok(&[
        "rapprochement",
        "--dossier",
        d.to_str().unwrap(),
        "--reservataire",
        "action-logement",
        "--declaration",
        refs.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["mode"], "references");
    assert_eq!(v["absents_du_dossier"].as_array().unwrap().len(), 1);
    assert_eq!(v["absents_du_dossier"][0]["reference"], "X9");
    assert_eq!(v["absents_de_la_declaration"][0]["reference"], "L2");
}

#[test]
fn fiche_assiette_export_reads_back_with_the_flux_figures() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let t = TempDir::new("fiche");
    let d = t.path("d.sqlite");
    let f = t.path("b.xlsx");
    one_row_file(&f, "Action Logement", 40);
    assert!(import(&d, &["--bailleur", "Azur", "--territoire", "06"], &[&f]).status.success());
    let ds = d.to_str().unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&flux_azur(ds, 2025, &["--rotation", "10", "--enregistrer", "--format", "json"])).unwrap();
    let out = t.path("fiche.xlsx");
    run_ok(&[
        "export",
        "fiche-assiette",
        "--dossier",
        ds,
        "--bailleur",
        "Azur",
        "--annee",
        "2025",
        "--out",
        out.to_str().unwrap(),
    ]);
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let range = wb.worksheet_range("Calcul de l'assiette").unwrap();
    let value = |label: &str| -> f64 {
        let row = range.rows().find(|r| r[0] == Data::String(label.into())).unwrap_or_else(|| panic!("{label}"));
        match &row[1] {
            Data::Float(x) => *x,
            Data::Int(x) => *x as f64,
            other => panic!("{label}: {other:?}"),
        }
    };
    assert_eq!(value("Parc RPLS au 1er janvier"), v["parc"].as_f64().unwrap());
    assert_eq!(value("Assiette à répartir"), v["assiette"].as_f64().unwrap());
    assert_eq!(value("Libérations prévisionnelles"), 4.0);
    assert_eq!(value("Flux annuel à répartir"), v["flux"].as_f64().unwrap());
    assert!((value("Taux de rotation commun aux réservataires") - 0.10).abs() < 1e-12);
    // The State's requests are printed only when entered (issue 21): « non saisie » and flagged
    // here, never a blank.
    let blank = |label: &str| {
        range
            .rows()
            .find(|r| r[0].to_string().replace('\u{a0}', " ") == label)
            .map(|r| r[1] == Data::String("non saisie".into()))
    };
    assert_eq!(blank("Demande de l'État : part du flux demandée (prioritaires et fonctionnaires)"), Some(true));
    assert_eq!(blank("  dont candidats fonctionnaires (part demandée)"), Some(true));
    assert!(
        range.rows().any(|r| r[0].to_string().contains("Demande de l'État pour les candidats prioritaires non saisie"))
    );
    // An unwritable destination: a clear message, exit 1, no partial file.
    let bad = t.path("absent/fiche.xlsx");
    let o = run(&[
        "export",
        "fiche-assiette",
        "--dossier",
        ds,
        "--bailleur",
        "Azur",
        "--annee",
        "2025",
        "--out",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Écriture impossible dans"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("dossier introuvable"));
    assert!(!bad.exists());
}

#[test]
fn charts_export_to_png_and_svg_with_the_totals_as_text() {
    let t = TempDir::new("charts");
    let d = t.path("d.sqlite");
    let f = t.path("b.xlsx");
    one_row_file(&f, "Action Logement", 1234);
    assert!(import(&d, &["--bailleur", "Azur", "--territoire", "240600585"], &[&f]).status.success());
    let ds = d.to_str().unwrap();
    for kind in [
        "individuel-collectif",
        "qpv",
        "typologie",
        "financement",
        "communes",
        "bailleurs",
        "reservataires",
        "etat-reservation",
        "synthese",
    ] {
        let svg = t.path(&format!("{kind}.svg"));
        run_ok(&["chart", kind, "--dossier", ds, "--out", svg.to_str().unwrap()]);
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.contains("<text"), "{kind}: real text");
        assert!(text.contains("1\u{202f}234"), "{kind}: total 1 234 as text");
        let png = t.path(&format!("{kind}.png"));
        run_ok(&["chart", kind, "--dossier", ds, "--out", png.to_str().unwrap()]);
        let bytes = std::fs::read(&png).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        let width = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
        assert!(width >= 1600, "{kind}: {width} px");
    }
    let svg = std::fs::read_to_string(t.path("reservataires.svg")).unwrap();
    assert!(svg.contains("Action Logement"));
    let o = run(&["chart", "camembert", "--dossier", ds, "--out", t.path("x.png").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn fiche_navette_blank_and_prefilled() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let t = TempDir::new("navette");
    let d = t.path("d.sqlite");
    let f = t.path("b.xlsx");
    xlsx(
        &f,
        &[(
            "EDL",
            vec![
                vec![
                    "Référence",
                    "Code INSEE",
                    "Commune",
                    "Réservataire",
                    "Typologie",
                    "Financement",
                    "QPV",
                    "Adresse",
                    "Surface",
                ],
                vec!["L7", "06004", "Antibes", "Préfecture", "T3", "PLUS", "Oui", "12 rue des Lilas", "64,5"],
            ],
        )],
    );
    assert!(import(&d, &["--bailleur", "Azur", "--territoire", "240600585"], &[&f]).status.success());
    let blank = t.path("vierge.xlsx");
    run_ok(&["export", "fiche-navette", "--out", blank.to_str().unwrap()]);
    let mut wb: Xlsx<_> = open_workbook(&blank).unwrap();
    let r = wb.worksheet_range("Fiche navette").unwrap();
    let labels: Vec<String> = r
        .rows()
        .filter_map(|row| match &row[0] {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    for l in [
        "Réservataire",
        "Date de mise à disposition (envoi de cette fiche)",
        "Date de réception du préavis du locataire",
        "Réponse attendue au plus tard le",
        "Ascenseur",
        "Chauffage et eau chaude",
        "Services et équipements à proximité",
    ] {
        assert!(labels.iter().any(|x| x == l), "{l}");
    }
    let listes = wb.worksheet_range("Listes").unwrap();
    assert!(listes.rows().any(|row| row.iter().any(|c| *c == Data::String("3 mois".into()))));
    // The typologies of the grids: T6 and more in one line (never T6, T7, T8 apart).
    assert!(listes.rows().any(|row| row.iter().any(|c| *c == Data::String("T6 et plus".into()))));
    assert!(!listes.rows().any(|row| row.iter().any(|c| *c == Data::String("T7".into()))));
    assert!(listes.rows().any(|row| row.iter().any(|c| *c == Data::String("Commune de … (à préciser)".into()))));
    // The blank form counts from the mise à disposition, with the holidays of its table: the
    // Ascension of 2024 (9 May) is in it, as is Whit Monday (20 May).
    let formules = wb.worksheet_formula("Fiche navette").unwrap();
    let f = formules.rows().flatten().find(|f| f.contains("WORKDAY")).unwrap().clone();
    assert!(f.contains("'Jours fériés'!$A$2") && f.contains("EDATE(") && f.contains("indiquez le préavis"), "{f}");
    // The holidays' sheet never prints with the form: hidden.
    if let Some(xml) = zip_entry(&blank, "xl/workbook.xml") {
        assert!(xml.contains(r#"name="Jours fériés" sheetId="2" state="hidden""#), "{xml}");
    }
    let feries = wb.worksheet_range("Jours fériés").unwrap();
    let jours: Vec<String> = feries
        .rows()
        .skip(1)
        .filter_map(|r| match &r[0] {
            Data::DateTime(x) => Some(x.as_f64()),
            Data::Float(x) => Some(*x),
            _ => None,
        })
        .filter_map(contingents::model::Date::from_excel_serial)
        .map(|d| d.to_string())
        .collect();
    assert!(jours.iter().any(|d| d == "2024-05-09") && jours.iter().any(|d| d == "2024-05-20"), "{jours:?}");
    // A .csv name: refused, nothing written.
    let csv = t.path("vierge.csv");
    assert_eq!(run(&["export", "fiche-navette", "--out", csv.to_str().unwrap()]).status.code(), Some(1));
    assert!(!csv.exists());

    let filled = t.path("fiche.xlsx");
    let ds = d.to_str().unwrap();
    run_ok(&[
        "export",
        "fiche-navette",
        "--dossier",
        ds,
        "--logement",
        "Azur:L7",
        "--reservataire",
        "etat",
        "--mise-a-disposition",
        "2024-04-26",
        "--preavis",
        "1",
        "--out",
        filled.to_str().unwrap(),
    ]);
    let mut wb: Xlsx<_> = open_workbook(&filled).unwrap();
    let r = wb.worksheet_range("Fiche navette").unwrap();
    let value =
        |label: &str| r.rows().find(|row| row[0] == Data::String(label.into())).map(|row| row[1].clone()).unwrap();
    assert_eq!(value("Typologie"), Data::String("T3".into()));
    assert_eq!(value("Financement"), Data::String("PLUS".into()));
    assert_eq!(value("Quartier prioritaire (QPV)"), Data::String("Oui".into()));
    assert_eq!(value("Commune"), Data::String("Antibes (06004)".into()));
    assert_eq!(value("Adresse"), Data::String("12 rue des Lilas".into()));
    assert_eq!(value("Surface habitable (m²)"), Data::Float(64.5));
    assert_eq!(value("Réservataire"), Data::String("État (contingent préfectoral)".into()));
    // Computed by the program as `delai`: Friday 26 April 2024, 1-month notice → Thursday 23
    // May (1, 8, 9 and 20 May are holidays), written as a date.
    let date = |label: &str| match value(label) {
        Data::DateTime(x) => contingents::model::Date::from_excel_serial(x.as_f64()).map(|d| d.to_string()),
        _ => None,
    };
    assert_eq!(date("Réponse attendue au plus tard le").as_deref(), Some("2024-05-23"));
    assert_eq!(date("Date de mise à disposition (envoi de cette fiche)").as_deref(), Some("2024-04-26"));
    assert_eq!(value("Préavis du locataire"), Data::String("1 mois".into()));
    // Every export writes what its extension says, or refuses: never a workbook named .pdf.
    let edl = t.path("edl.pdf");
    let o = run(&["export", "etat-des-lieux", "--dossier", ds, "--out", edl.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains(".xlsx"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!edl.exists());
    let fiche = t.path("fiche.ods");
    let o = run(&[
        "export",
        "fiche-assiette",
        "--dossier",
        ds,
        "--bailleur",
        "Azur",
        "--annee",
        "2024",
        "--out",
        fiche.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!fiche.exists());
    let pdf = t.path("fiche.pdf");
    run_ok(&[
        "export",
        "fiche-navette",
        "--dossier",
        ds,
        "--logement",
        "Azur:L7",
        "--reservataire",
        "etat",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    if let Ok(o) = std::process::Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output() {
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains("12 rue des Lilas") && text.contains("Antibes (06004)"), "{text}");
    }
    let o = run(&[
        "export",
        "fiche-navette",
        "--dossier",
        ds,
        "--logement",
        "Azur:XX",
        "--reservataire",
        "etat",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
}

/// A bulk import drops the dwellings index and rebuilds it at commit; an import that fails
/// leaves it as it was.
#[test]
fn the_dwellings_index_survives_bulk_imports() {
    use contingents::store::{Dossier, ImportWriter};
    let t = TempDir::new("index");
    let d = t.path("d.sqlite");
    let has_index = || -> bool {
        let c = rusqlite::Connection::open(&d).unwrap();
        c.query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'logements_import'", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
            == 1
    };
    let mut dossier = Dossier::open(&d, true).unwrap();
    {
        let w = ImportWriter::begin(&mut dossier).unwrap();
        w.expect_rows(1_000_000).unwrap();
        // Dropped, then abandoned (as a failed import is): rolled back.
    }
    drop(dossier);
    assert!(has_index());
    let mut dossier = Dossier::open(&d, true).unwrap();
    let w = ImportWriter::begin(&mut dossier).unwrap();
    w.expect_rows(1_000_000).unwrap();
    w.commit().unwrap();
    drop(dossier);
    assert!(has_index());
}

/// The cube loaded from a dossier (counted in memory, codes built from ranks) gives the same
/// figures as its plain cells, under many filters.
#[test]
fn the_loaded_cube_counts_like_its_cells() {
    use contingents::consolidate::{Cube, Dimension, Filtre, Grille};
    let t = TempDir::new("cube");
    let d = generated_dossier(&t, 3_000, 11);
    let dossier = contingents::store::Dossier::open_read_only(&d).unwrap();
    let cube = Cube::load(&dossier).unwrap();
    let cells: Vec<_> = cube.cellules().collect();
    let total: u64 = cells.iter().map(|c| c.logements).sum();
    assert_eq!(total, report(&d)["logements"].as_u64().unwrap());
    // Sorted by réservataire, then bailleur, commune, EPCI (as the SQL GROUP BY gave them).
    assert!(
        cells.windows(2).all(|w| (&w[0].reservataire, &w[0].bailleur, &w[0].commune)
            <= (&w[1].reservataire, &w[1].bailleur, &w[1].commune))
    );
    let mut filters = vec![Filtre::default()];
    for c in cube.communes().into_iter().take(4) {
        filters.push(Filtre { commune: Some(c), ..Default::default() });
    }
    for r in cube.reservataires() {
        filters.push(Filtre { reservataire: Some(r.as_str().into()), qpv: Some(false), ..Default::default() });
    }
    for f in &filters {
        let plain: Vec<_> = cells.iter().filter(|c| f.accepts(c)).collect();
        assert_eq!(cube.grille(f), Grille::from_cells(plain.iter().copied()), "{f:?}");
        let mut by_commune: Vec<(String, u64)> = Vec::new();
        for c in &plain {
            match by_commune.iter_mut().find(|(k, _)| *k == c.commune) {
                Some(e) => e.1 += c.logements,
                None => by_commune.push((c.commune.clone(), c.logements)),
            }
        }
        by_commune.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let coded: Vec<(String, u64)> =
            cube.counts_by(f, None, Dimension::Commune).into_iter().map(|(k, n)| (k.to_string(), n)).collect();
        assert_eq!(coded, by_commune, "{f:?}");
    }
}

/// Two communes of the CASA: Antibes (60 dwellings, 12 reserved by the commune) and Biot (40).
fn deux_communes(t: &TempDir) -> std::path::PathBuf {
    let d = t.path("d.sqlite");
    let f = t.path("b.xlsx");
    edl(
        &f,
        (0..100).map(|i| {
            let (insee, nom) = if i < 60 { ("06004", "Antibes") } else { ("06018", "Biot") };
            let res = if i < 12 { "Ville d'Antibes" } else { "Non réservé" };
            ligne(format!("L{i}"), insee, nom, res, "T3", "PLUS")
        }),
    );
    import_ok(&d, &["--bailleur", "Azur", "--territoire", "240600585"], &[&f]);
    d
}

#[test]
fn a_manual_exclusion_saved_with_the_flux_changes_the_annex() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let t = TempDir::new("exclusion-annexe");
    let d = deux_communes(&t);
    let ds = d.to_str().unwrap();
    let annex = |name: &str| -> Vec<(String, Data)> {
        let out = t.path(name);
        run_ok(&[
            "export",
            "annexe",
            "--dossier",
            ds,
            "--reservataire",
            "commune:06004",
            "--commune",
            "06004",
            "--bailleur",
            "Azur",
            "--annee",
            "2025",
            "--out",
            out.to_str().unwrap(),
        ]);
        let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
        let r = wb.worksheet_range("Annexe").unwrap();
        // Labels read with ordinary spaces (« : » follows a no-break space in the workbook).
        r.rows()
            .filter_map(|row| Some((row.first()?.to_string().replace('\u{a0}', " "), row.get(1)?.clone())))
            .collect()
    };
    let value = |rows: &[(String, Data)], label: &str| {
        rows.iter().find(|(k, _)| k == label).map(|(_, v)| v.clone()).unwrap_or_else(|| panic!("{label}"))
    };
    // The flux saved first (an annex is only of a saved flux), without the exclusion.
    flux_azur(ds, 2025, &["--rotation", "10", "--mutations", "0", "--enregistrer"]);
    let before = annex("avant.xlsx");
    assert_eq!(value(&before, "Logements concernés par la gestion en flux (assiette)"), Data::Float(60.0));
    assert_eq!(value(&before, "Taux de la convention"), Data::Float(0.2));
    // 4 dwellings of Antibes being sold, from the commune's stock: saved with the flux.
    let v: serde_json::Value = serde_json::from_str(&flux_azur(
        ds,
        2025,
        &[
            "--rotation",
            "10",
            "--mutations",
            "0",
            "--exclusion",
            "ventes=4@06004:commune:06004",
            "--enregistrer",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    assert_eq!(v["assiette"], 96);
    // A sale goes on the line of the dwellings being sold or demolished (the fiche's L.443-7).
    assert_eq!(v["exclusions"]["logements en vente ou à démolir"], 4);
    let after = annex("apres.xlsx");
    assert_eq!(value(&after, "Logements concernés par la gestion en flux (assiette)"), Data::Float(56.0));
    assert_eq!(value(&after, "Logements réservés par le réservataire dans l'assiette"), Data::Float(8.0));
    assert_eq!(value(&after, "  dont exclus : logements en vente (L.443-7) ou à démolir"), Data::Float(4.0));
    let c = v["reservataires"].as_array().unwrap().iter().find(|r| r["id"] == "commune:06004").unwrap().clone();
    assert_eq!(value(&after, "Taux de la convention"), Data::Float(c["taux"].as_f64().unwrap()));
    assert_eq!(
        value(&after, "Logements du réservataire en 2025 sur ce périmètre"),
        Data::Float(c["logements"].as_f64().unwrap())
    );
    // Commune breakdown: every sum falls right.
    let communes = v["communes"].as_array().unwrap();
    assert_eq!(communes.iter().map(|c| c["flux"].as_u64().unwrap()).sum::<u64>(), v["flux"].as_u64().unwrap());
}

#[test]
fn the_departement_level_sums_the_epcis_of_the_bailleur() {
    let t = TempDir::new("departement");
    let d = t.path("d.sqlite");
    let f = t.path("b.xlsx");
    // 100 in Antibes (CASA), 20 of them Action Logement; 100 in Cannes (Cannes Pays de Lérins), none.
    edl(
        &f,
        (0..200).map(|i| {
            let (insee, nom) = if i < 100 { ("06004", "Antibes") } else { ("06029", "Cannes") };
            let res = if i < 20 { "Action Logement" } else { "Non réservé" };
            ligne(format!("L{i}"), insee, nom, res, "T3", "PLUS")
        }),
    );
    import_ok(&d, &["--bailleur", "Azur", "--territoire", "06"], &[&f]);
    let ds = d.to_str().unwrap();
    let v: serde_json::Value = serde_json::from_str(&run_ok(&[
        "flux",
        "--dossier",
        ds,
        "--bailleur",
        "Azur",
        "--departement",
        "06",
        "--annee",
        "2025",
        "--rotation",
        "10",
        "--mutations",
        "0%",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(v["departement"], "06");
    assert_eq!(v["flux"], 20);
    assert_eq!(v["epcis"].as_array().unwrap().len(), 2);
    let al = v["reservataires"].as_array().unwrap().iter().find(|r| r["id"] == "action-logement").unwrap().clone();
    assert_eq!(al["perimetre"]["departement"], "06");
    assert_eq!(al["taux"], 0.1, "20 / 200 on the département");
    assert_eq!(al["logements"], 2, "10 % of each EPCI's 10");
    let etat: u64 = v["reservataires"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"].as_str().unwrap().starts_with("etat"))
        .map(|r| r["logements"].as_u64().unwrap())
        .sum();
    assert_eq!(etat, 6);
}

#[test]
fn bad_flux_parameters_are_refused_and_nothing_is_saved() {
    let t = TempDir::new("flux-bad");
    let d = deux_communes(&t);
    let ds = d.to_str().unwrap();
    let base =
        ["flux", "--dossier", ds, "--bailleur", "Azur", "--epci", "240600585", "--annee", "2025", "--enregistrer"];
    for (extra, want) in [
        (vec!["--rotation", "-5"], "--rotation"),
        (vec!["--rotation", "120"], "--rotation"),
        (vec!["--rotation", "huit"], "n'est pas un nombre"),
        (vec!["--taux", "toto=5"], "réservataire inconnu"),
        (vec!["--taux", "commune:83137=5"], "aucun logement"),
        (vec!["--taux", "etat=30,5,1"], "n'est pas un nombre"),
        (vec!["--exclusion", "ventes=quatre"], "n'est pas un nombre"),
        (vec!["--exclusion", "ventes"], "MOTIF=N"),
    ] {
        let mut args = base.to_vec();
        args.extend(extra.iter());
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{extra:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(want), "{extra:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
    let o = run(&["flux", "--dossier", ds, "--bailleur", "Azur", "--departement", "99", "--annee", "2025"]);
    assert_eq!(o.status.code(), Some(1));
    // Nothing was saved: the next computation starts from no parameter (libérations 0).
    let v: serde_json::Value = serde_json::from_str(&flux_azur(ds, 2025, &["--format", "json"])).unwrap();
    assert_eq!(v["liberations"], 0);
    // French decimals are read: « 8,5 » is 8,5 %.
    let v: serde_json::Value =
        serde_json::from_str(&flux_azur(ds, 2025, &["--rotation", "8,5 %", "--taux", "etat=27,5", "--format", "json"]))
            .unwrap();
    assert_eq!(v["taux_rotation"], 0.085);
    assert_eq!(v["liberations"], 9, "100 × 8,5 % = 8,5, rounded half up");
}

#[test]
fn no_internal_identifier_in_the_exports() {
    use calamine::{Reader, Xlsx, open_workbook};
    let t = TempDir::new("exports-ids");
    let d = t.path("demo.sqlite");
    run_ok(&["demo", "--dossier", d.to_str().unwrap()]);
    let ds = d.to_str().unwrap();
    let out = |n: &str| t.path(n).to_str().unwrap().to_string();
    run_ok(&["export", "etat-des-lieux", "--dossier", ds, "--out", &out("edl.xlsx")]);
    run_ok(&["bilan", "--dossier", ds, "--annee", "2025", "--out", &out("bilan.xlsx")]);
    run_ok(&[
        "export",
        "fiche-assiette",
        "--dossier",
        ds,
        "--bailleur",
        "Var Logis",
        "--annee",
        "2025",
        "--out",
        &out("fiche.xlsx"),
    ]);
    run_ok(&[
        "export",
        "annexe",
        "--dossier",
        ds,
        "--reservataire",
        "action-logement",
        "--epci",
        "248300543",
        "--bailleur",
        "Var Logis",
        "--out",
        &out("annexe.xlsx"),
    ]);
    let ids = ["commune:", "epci:", "departement:", "action-logement", "etat-fonctionnaires", "non-reserve", "autre:"];
    for f in ["edl.xlsx", "bilan.xlsx", "fiche.xlsx", "annexe.xlsx"] {
        let mut wb: Xlsx<_> = open_workbook(t.path(f)).unwrap();
        let mut cells = 0;
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name).unwrap();
            for c in range.used_cells() {
                cells += 1;
                let s = c.2.to_string();
                assert!(!ids.iter().any(|id| s.contains(id)), "{f} / {name} : « {s} »");
            }
        }
        assert!(cells > 10, "{f} has content");
    }
}

/// An état des lieux of a bailleur in Antibes (CASA) and Nice (Métropole NCA): rights ending in
/// 2020 and 2030, and one réservataire label nobody knows (its rows set aside).
fn edl_deux_epci(path: &std::path::Path, prefix: &str, n: usize) {
    let mut rows: Vec<Vec<String>> = vec![
        ["Référence", "Code INSEE", "Réservataire", "Typologie", "Financement", "Fin de convention"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    ];
    for i in 0..n {
        let commune = if i % 4 == 0 { "06088" } else { "06004" };
        let res = ["Préfecture", "Non réservé", "Action Logement", "Mairie de Nulle Part"][i % 4];
        let fin = ["31/12/2020", "31/12/2030", ""][i % 3];
        let typo = ["T2", "T3", "T4"][i % 3];
        let fin_ = ["PLUS", "PLAI", "PLS"][i % 3];
        rows.push(vec![format!("{prefix}{i}"), commune.into(), res.into(), typo.into(), fin_.into(), fin.into()]);
    }
    let refs: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    xlsx(path, &[("EDL", refs)]);
}

/// The cells kept in the dossier are, after each kind of change, those computed again from its
/// dwellings; a dossier without them (an earlier version) gets them by its migration, and cells
/// that no longer match are computed in memory, then repaired by the next writer.
#[test]
fn le_cube_garde_egale_le_cube_recalcule_apres_chaque_changement() {
    use contingents::store::Dossier;
    let t = TempDir::new("cube-garde");
    let d = t.path("d.sqlite");
    let egal = |quoi: &str| {
        let x = Dossier::open_read_only(&d).unwrap();
        assert!(x.cube_a_jour().unwrap(), "{quoi}: the kept cells match the dossier");
        let (garde, calcule) = (x.cases_du_cube().unwrap(), x.cases_calculees().unwrap());
        assert!(!calcule.cases.is_empty(), "{quoi}");
        assert_eq!(garde, calcule, "{quoi}");
        garde
    };
    let (a1, a2, b) = (t.path("a1.xlsx"), t.path("a2.xlsx"), t.path("b.xlsx"));
    edl_deux_epci(&a1, "A", 40);
    edl_deux_epci(&a2, "A", 36);
    edl_deux_epci(&b, "B", 24);
    let opts = ["--territoire", "06", "--date-reference", "2024-01-01"];
    assert!(import(&d, &[&opts[..], &["--bailleur", "Azur"]].concat(), &[&a1]).status.success());
    assert!(import(&d, &["--bailleur", "Brague"], &[&b]).status.success());
    let cases = egal("import");
    let echus: u64 = cases.cases.iter().map(|c| c.echus as u64).sum();
    assert!(echus > 0, "rights ended in 2020 are extinct in 2024");
    assert!(import(&d, &["--bailleur", "Azur"], &[&a2]).status.success());
    egal("réimport d'un bailleur");
    let mut x = Dossier::open(&d, false).unwrap();
    x.restore(1).unwrap();
    drop(x);
    egal("rétablissement");
    let mut x = Dossier::open(&d, false).unwrap();
    x.deactivate(2).unwrap();
    drop(x);
    let sans_brague = egal("retrait");
    assert!(!sans_brague.bailleurs.contains(&"Brague".to_string()));
    let mut x = Dossier::open(&d, false).unwrap();
    x.restore(2).unwrap();
    let avant = x.avant_association(contingents::model::ChampLibelle::Reservataire, "Mairie de Nulle Part").unwrap();
    x.set_mapping(contingents::model::ChampLibelle::Reservataire, "Mairie de Nulle Part", "commune:06004").unwrap();
    assert!(contingents::import::run::reapply_mappings(&mut x).unwrap() > 0);
    drop(x);
    let rapproche = egal("rapprochement d'un libellé");
    assert!(rapproche.reservataires.contains(&"commune:06004".to_string()));
    let mut x = Dossier::open(&d, false).unwrap();
    x.annuler_association(&avant).unwrap();
    drop(x);
    egal("rapprochement annulé");
    let mut x = Dossier::open(&d, false).unwrap();
    x.changer_date_reference(contingents::model::Date::new(2031, 1, 1).unwrap()).unwrap();
    drop(x);
    let plus_tard = egal("date de référence");
    assert!(plus_tard.cases.iter().map(|c| c.echus as u64).sum::<u64>() > echus, "2030 rights extinct in 2031");
    let mut x = Dossier::open(&d, false).unwrap();
    let casa = contingents::reference::Territoire::parse("240600585").unwrap();
    contingents::import::changements::changer_territoire(&mut x, &casa).unwrap();
    drop(x);
    let casa_seule = egal("changement de territoire");
    assert!(!casa_seule.communes.contains(&"06088".to_string()), "Nice left the territory");
    let mut x = Dossier::open(&d, false).unwrap();
    let dep = contingents::reference::Territoire::parse("06").unwrap();
    contingents::import::changements::changer_territoire(&mut x, &dep).unwrap();
    drop(x);
    assert!(egal("retour au département").communes.contains(&"06088".to_string()));

    // Cells that no longer match (written by another program): computed in memory, equal;
    // the next writer keeps them again.
    rusqlite::Connection::open(&d)
        .unwrap()
        .execute("UPDATE parametres SET valeur = 'autre' WHERE cle = 'cube_empreinte'", [])
        .unwrap();
    let x = Dossier::open_read_only(&d).unwrap();
    assert!(!x.cube_a_jour().unwrap());
    assert_eq!(x.cases_du_cube().unwrap(), x.cases_calculees().unwrap());
    drop(x);
    drop(Dossier::open(&d, false).unwrap());
    let repare = egal("réparé par l'écrivain suivant");

    // A dossier of the previous version (no cells): its migration computes them once.
    let c = rusqlite::Connection::open(&d).unwrap();
    c.execute_batch("DROP TABLE cube; DELETE FROM parametres WHERE cle = 'cube_empreinte'; PRAGMA user_version = 6;")
        .unwrap();
    drop(c);
    assert_eq!(egal("migration"), repare);
}

/// An import counts the cells of the dwellings it writes as it writes them: with rows replaced
/// by newer ones (a conflict, the extinct right of the older row taken back), exact duplicates
/// and another bailleur already in the dossier, the kept cells are those computed again from
/// the dwellings, and their totals are the hand-counted ones.
#[test]
fn le_cube_d_un_import_compte_en_ecrivant_egale_le_cube_recalcule() {
    use contingents::store::Dossier;
    let t = TempDir::new("cube-import");
    let d = t.path("d.sqlite");
    let (a, b1, b2) = (t.path("a.xlsx"), t.path("b1.xlsx"), t.path("b2.xlsx"));
    edl_deux_epci(&a, "A", 12);
    let entete = ["Référence", "Code INSEE", "Réservataire", "Typologie", "Financement", "Fin de convention"];
    // B1..B6: rights of the État ending in 2020 (extinct in 2024) for the even ones.
    let b1_rows: Vec<Vec<String>> = (1..=6)
        .map(|i| {
            let fin = if i % 2 == 0 { "31/12/2020" } else { "31/12/2030" };
            vec![format!("B{i}"), "06004".into(), "Préfecture".into(), "T2".into(), "PLUS".into(), fin.into()]
        })
        .collect();
    // The second file: B2 again with another réservataire (replaces the extinct row), B3 the
    // same (an exact duplicate), B7 new.
    let b2_rows: Vec<Vec<String>> = vec![
        vec!["B2".into(), "06004".into(), "Action Logement".into(), "T3".into(), "PLAI".into(), "".into()],
        b1_rows[2].clone(),
        vec!["B7".into(), "06088".into(), "Non réservé".into(), "T4".into(), "PLS".into(), "".into()],
    ];
    for (path, rows) in [(&b1, &b1_rows), (&b2, &b2_rows)] {
        let mut all: Vec<Vec<&str>> = vec![entete.to_vec()];
        all.extend(rows.iter().map(|r| r.iter().map(String::as_str).collect::<Vec<_>>()));
        xlsx(path, &[("EDL", all)]);
    }
    let opts = ["--territoire", "06", "--date-reference", "2024-01-01"];
    assert!(import(&d, &[&opts[..], &["--bailleur", "Azur"]].concat(), &[&a]).status.success());
    let out = import(&d, &["--bailleur", "Brague"], &[&b1, &b2]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let x = Dossier::open_read_only(&d).unwrap();
    assert!(x.cube_a_jour().unwrap());
    let (garde, calcule) = (x.cases_du_cube().unwrap(), x.cases_calculees().unwrap());
    assert_eq!(garde, calcule);
    let brague = garde.bailleurs.iter().position(|b| b == "Brague").unwrap() as u32;
    let cases: Vec<_> = garde.cases.iter().filter(|c| c.bailleur == brague).collect();
    let total: u64 = cases.iter().map(|c| c.logements).sum();
    let echus: u32 = cases.iter().map(|c| c.echus).sum();
    assert_eq!(total, 7, "B1 to B7, B2 replaced, B3 once");
    assert_eq!(echus, 2, "B4 and B6; B2's extinct right was replaced");
    let al = garde.reservataires.iter().position(|r| r == "action-logement").unwrap() as u32;
    assert_eq!(cases.iter().filter(|c| c.reservataire == al).map(|c| c.logements).sum::<u64>(), 1);
}

/// A dwelling removed by another program (`DELETE` in `sqlite3`) in the middle of the table
/// keeps the last number: the cells kept no longer match, the dwellings are counted again.
#[test]
fn un_logement_supprime_hors_de_contingents_est_vu_par_l_empreinte_du_cube() {
    use contingents::store::Dossier;
    let t = TempDir::new("cube-delete");
    let d = t.path("d.sqlite");
    let a = t.path("a.xlsx");
    edl_deux_epci(&a, "A", 40);
    let opts = ["--territoire", "06", "--date-reference", "2024-01-01", "--bailleur", "Azur"];
    assert!(import(&d, &opts, &[&a]).status.success());
    let x = Dossier::open_read_only(&d).unwrap();
    assert!(x.cube_a_jour().unwrap());
    let total = |c: &contingents::store::cube::Cases| c.cases.iter().map(|c| c.logements).sum::<u64>();
    let avant = total(&x.cases_du_cube().unwrap());
    drop(x);
    let c = rusqlite::Connection::open(&d).unwrap();
    let (min, max): (i64, i64) =
        c.query_row("SELECT MIN(id), MAX(id) FROM logements", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(c.execute("DELETE FROM logements WHERE id = ?1", [(min + max) / 2]).unwrap(), 1);
    let max_apres: i64 = c.query_row("SELECT MAX(id) FROM logements", [], |r| r.get(0)).unwrap();
    assert_eq!(max_apres, max, "the last number is unchanged");
    drop(c);
    let x = Dossier::open_read_only(&d).unwrap();
    assert!(!x.cube_a_jour().unwrap(), "the fingerprint sees the removal");
    let apres = x.cases_du_cube().unwrap();
    assert_eq!(apres, x.cases_calculees().unwrap());
    assert_eq!(total(&apres), avant - 1);
}

/// The count of the dwellings and the number of their writes (in the cube's fingerprint) are
/// kept by SQLite's triggers: opening a dossier does not count its dwellings, and whatever
/// another program does to them — remove one, change one in place, add one — moves the
/// fingerprint. A bulk import (index and triggers dropped, counted once at commit) leaves the
/// right count.
#[test]
fn le_compte_des_logements_tenu_par_sqlite_voit_tout_changement_d_ailleurs() {
    use contingents::store::Dossier;
    let t = TempDir::new("cube-compteur");
    let d = t.path("d.sqlite");
    let a = t.path("a.xlsx");
    edl_deux_epci(&a, "A", 40);
    let opts = ["--territoire", "06", "--date-reference", "2024-01-01", "--bailleur", "Azur"];
    assert!(import(&d, &opts, &[&a]).status.success());
    let total = |c: &contingents::store::cube::Cases| c.cases.iter().map(|c| c.logements).sum::<u64>();
    let compte = |d: &std::path::Path| -> (i64, i64, i64) {
        let c = rusqlite::Connection::open(d).unwrap();
        let (n, m): (i64, i64) = c
            .query_row("SELECT logements, modifications FROM compte_des_logements", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        (n, m, c.query_row("SELECT COUNT(*) FROM logements", [], |r| r.get(0)).unwrap())
    };
    let (n, m0, vrai) = compte(&d);
    assert_eq!((n, vrai), (30, 30), "40 rows, the 10 of « Mairie de Nulle Part » set aside");
    let x = Dossier::open_read_only(&d).unwrap();
    assert!(x.cube_a_jour().unwrap());
    let avant = x.cases_du_cube().unwrap();
    assert_eq!(total(&avant), 30);
    assert_eq!(x.comptages_des_logements(), 0, "the dwellings are not counted");
    drop(x);

    let vu = |quoi: &str, attendu: u64| {
        let x = Dossier::open_read_only(&d).unwrap();
        assert!(!x.cube_a_jour().unwrap(), "{quoi}: the fingerprint moved");
        let c = x.cases_du_cube().unwrap();
        assert_eq!(c, x.cases_calculees().unwrap(), "{quoi}");
        assert_eq!(total(&c), attendu, "{quoi}");
        assert_eq!(x.comptages_des_logements(), 0, "{quoi}");
        drop(x);
        // The next writer keeps the cells again.
        drop(Dossier::open(&d, false).unwrap());
        let x = Dossier::open_read_only(&d).unwrap();
        assert!(x.cube_a_jour().unwrap(), "{quoi}: repaired");
        c
    };
    let c = rusqlite::Connection::open(&d).unwrap();
    let (min, max): (i64, i64) =
        c.query_row("SELECT MIN(id), MAX(id) FROM logements", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(c.execute("DELETE FROM logements WHERE id = ?1", [(min + max) / 2]).unwrap(), 1);
    drop(c);
    assert_eq!(compte(&d).0, 29);
    let sans_un = vu("removed in the middle", 29);

    // Changed in place: same count, same last number.
    let c = rusqlite::Connection::open(&d).unwrap();
    let nice = "UPDATE logements SET commune = '06088', epci = '200030195' WHERE id = ?1 AND commune <> '06088'";
    let id: i64 = c.query_row("SELECT MIN(id) FROM logements WHERE commune <> '06088'", [], |r| r.get(0)).unwrap();
    assert_eq!(c.execute(nice, [id]).unwrap(), 1);
    drop(c);
    let (n, m, vrai) = compte(&d);
    assert_eq!((n, vrai), (29, 29));
    assert!(m > m0 + 1, "two writes since the import");
    let deplace = vu("changed in place", 29);
    assert_ne!(deplace, sans_un, "one dwelling moved from Antibes to Nice");

    // Triggers dropped by another program, then a dwelling removed: the dwellings are counted
    // (once on a connection), the removal seen; the next writer puts the count back in place.
    let c = rusqlite::Connection::open(&d).unwrap();
    c.execute_batch("DROP TRIGGER logements_retrait").unwrap();
    assert_eq!(c.execute("DELETE FROM logements WHERE id = ?1", [max]).unwrap(), 1);
    drop(c);
    let x = Dossier::open_read_only(&d).unwrap();
    assert!(!x.cube_a_jour().unwrap());
    let c = x.cases_du_cube().unwrap();
    assert_eq!(c, x.cases_calculees().unwrap());
    assert_eq!(total(&c), 28);
    assert_eq!(x.comptages_des_logements(), 1, "counted once for two checks");
    // Another connection removes one more while this one stays open: seen.
    let autre = rusqlite::Connection::open(&d).unwrap();
    assert_eq!(autre.execute("DELETE FROM logements WHERE id = ?1", [min]).unwrap(), 1);
    drop(autre);
    assert_eq!(total(&x.cases_du_cube().unwrap()), 27, "the open connection sees the removal");
    assert_eq!(x.comptages_des_logements(), 2);
    drop(x);
    let x = Dossier::open(&d, false).unwrap();
    assert!(x.cube_a_jour().unwrap());
    drop(x);
    assert_eq!(compte(&d).0, 27, "the count put back in place");
    let x = Dossier::open_read_only(&d).unwrap();
    assert!(x.cube_a_jour().unwrap());
    assert_eq!(x.comptages_des_logements(), 0);
    drop(x);

    // A bulk import: index and triggers dropped, counted at commit.
    let mut x = Dossier::open(&d, false).unwrap();
    let w = contingents::store::ImportWriter::begin(&mut x).unwrap();
    w.expect_rows(1_000_000).unwrap();
    assert_eq!(declencheurs_des_logements(&d), 3, "another connection sees them until the commit");
    let id: i64 =
        rusqlite::Connection::open(&d).unwrap().query_row("SELECT MIN(id) FROM logements", [], |r| r.get(0)).unwrap();
    w.delete_logement(id).unwrap();
    w.commit().unwrap();
    assert!(x.cube_a_jour().unwrap());
    assert_eq!(total(&x.cases_du_cube().unwrap()), 26);
    drop(x);
    let (n, _, vrai) = compte(&d);
    assert_eq!((n, vrai), (26, 26));
    assert_eq!(declencheurs_des_logements(&d), 3);

    // A dossier of version 9 (no count, the fingerprint of that version): its migration counts
    // the dwellings once and keeps its cells.
    let c = rusqlite::Connection::open(&d).unwrap();
    let garde: String =
        c.query_row("SELECT valeur FROM parametres WHERE cle = 'cube_empreinte'", [], |r| r.get(0)).unwrap();
    let (debut, fin) = garde.split_once(" ; modifications ").unwrap();
    let v8 = format!("{debut} ;{}", fin.split_once(" ;").unwrap().1);
    assert!(v8.contains("lignes 26 ; actifs "), "{v8}");
    c.execute("UPDATE parametres SET valeur = ?1 WHERE cle = 'cube_empreinte'", [&v8]).unwrap();
    c.execute_batch(&format!(
        "{}DROP TABLE compte_des_logements; PRAGMA user_version = 9;",
        contingents::store::schema::SANS_DECLENCHEURS
    ))
    .unwrap();
    drop(c);
    assert_eq!(declencheurs_des_logements(&d), 0);
    let x = Dossier::open_read_only(&d).unwrap();
    assert!(x.cube_a_jour().unwrap(), "migrated, the cells kept");
    assert_eq!(total(&x.cases_du_cube().unwrap()), 26);
    assert_eq!(x.cases_du_cube().unwrap(), x.cases_calculees().unwrap());
    drop(x);
    let (n, m, vrai) = compte(&d);
    assert_eq!((n, m, vrai), (26, 0, 26));
    assert_eq!(declencheurs_des_logements(&d), 3);
}

fn declencheurs_des_logements(d: &std::path::Path) -> i64 {
    rusqlite::Connection::open(d)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'logements'", [], |r| {
            r.get(0)
        })
        .unwrap()
}

/// `report --format json`, written as it is read, gives the very bytes of the report held
/// whole (rows set aside, extinct rights and cells included).
#[test]
fn le_rapport_ecrit_au_fil_de_l_eau_est_celui_d_avant() {
    let t = TempDir::new("rapport-flux");
    let d = t.path("d.sqlite");
    let (a, b) = (t.path("a.xlsx"), t.path("b.xlsx"));
    edl_deux_epci(&a, "A", 30);
    edl_deux_epci(&b, "B", 18);
    assert!(
        import(&d, &["--bailleur", "Azur", "--territoire", "06", "--date-reference", "2024-01-01"], &[&a])
            .status
            .success()
    );
    assert!(import(&d, &["--bailleur", "Brague"], &[&b]).status.success());
    let tenu = contingents::consolidate::report(&contingents::store::Dossier::open_read_only(&d).unwrap()).unwrap();
    assert!(!tenu.rejets.is_empty() && !tenu.echus.is_empty() && !tenu.cellules.is_empty());
    let ecrit = run_ok(&["report", "--dossier", d.to_str().unwrap(), "--format", "json"]);
    assert_eq!(ecrit, serde_json::to_string(&tenu).unwrap() + "\n");
}
