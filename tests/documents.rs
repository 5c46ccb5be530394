//! The documents one signs, read back as their signatories read them: the annexes (by commune
//! for every convention on an EPCI, a commune's own flux qualifié), the consolidated état des
//! lieux (shares by EPCI, commune and bailleur), the fiche récapitulative, the forecast, the
//! command line's words. Figures computed by hand on a small dossier.

use crate::common::*;
use std::path::Path;

/// The lines of a text, each as its words.
fn mots(txt: &str) -> Vec<Vec<String>> {
    txt.lines().map(|l| l.split_whitespace().map(str::to_string).collect()).collect()
}

fn a_la_ligne(txt: &str, attendu: &[&str]) -> bool {
    mots(txt).iter().any(|l| l.iter().map(String::as_str).collect::<Vec<_>>() == attendu)
}

/// The flux 2025 of [`azur`]: rotation 10 %, no mutation, and `extra`.
fn flux_2025(d: &Path, extra: &[&str]) -> String {
    flux_azur(d, 2025, &[&["--rotation", "10", "--mutations", "0"], extra].concat())
}

#[test]
fn action_logements_annex_on_the_epci_gives_its_logements_by_commune() {
    let t = TempDir::new("annexe-al");
    let d = azur(&t);
    let ds = d.to_str().unwrap();
    flux_2025(&d, &["--enregistrer"]);
    let pdf = t.path("al.pdf");
    exporter("annexe", ds, &["--reservataire", "action-logement", "--epci", "240600585", "--annee", "2025"], &pdf);
    let Some(txt) = texte_du_pdf(&pdf) else { return };
    assert!(txt.contains("Logements d'Action Logement par commune"), "{txt}");
    assert!(a_la_ligne(&txt, &["Antibes", "(06004)", "12", "3", "25,0", "%"]), "{txt}");
    assert!(a_la_ligne(&txt, &["Vallauris", "(06155)", "8", "2", "25,0", "%"]), "{txt}");
    assert!(a_la_ligne(&txt, &["Total", "20", "5", "25,0", "%"]), "{txt}");
    // The signatures share their page with the last rows of the last table.
    let page = txt.split('\u{c}').find(|p| p.contains("Fait à")).unwrap();
    assert!(a_la_ligne(page, &["Total", "5"]), "{page}");
    // A place for the initials on every page.
    let pages = txt.matches('\u{c}').count().max(1);
    assert_eq!(txt.matches("Paraphes").count(), pages, "{txt}");
    // The commune's own annex: its flux qualifié is the commune's, not the EPCI's.
    let pdf = t.path("antibes.pdf");
    exporter("annexe", ds, &["--reservataire", "commune:06004", "--commune", "06004", "--annee", "2025"], &pdf);
    let Some(txt) = texte_du_pdf(&pdf) else { return };
    assert!(txt.contains("Flux qualifié 2025 dans la commune d'Antibes"), "{txt}");
    assert!(!txt.contains("sur l'EPCI CA de Sophia Antipolis — indicatif"), "{txt}");
}

#[test]
fn the_annex_workbook_prints_with_dates_years_and_signature_boxes() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let t = TempDir::new("annexe-xlsx");
    let d = azur(&t);
    flux_2025(&d, &["--enregistrer"]);
    let out = t.path("al.xlsx");
    exporter(
        "annexe",
        d.to_str().unwrap(),
        &["--reservataire", "action-logement", "--epci", "240600585", "--annee", "2025"],
        &out,
    );
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let ws = wb.worksheet_range("Annexe").unwrap();
    let valeur = |label: &str| {
        ws.rows()
            .find(|r| r[0] == Data::String(label.into()))
            .map(|r| r[1].clone())
            .unwrap_or_else(|| panic!("{label}"))
    };
    assert_eq!(valeur("Année du flux"), Data::Float(2025.0));
    match valeur("Date de référence de l'état des lieux") {
        Data::DateTime(x) => assert_eq!(x.as_f64(), 45658.0, "01/01/2025"),
        autre => panic!("a date cell, not {autre:?}"),
    }
    let textes: Vec<String> = ws.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert_eq!(textes.iter().filter(|t| t.starts_with("Nom, qualité\u{a0}:")).count(), 2, "two signature boxes");
    // Printed with its reference and page numbers.
    let Some(xml) = zip_entry(&out, "xl/worksheets/sheet1.xml") else { return };
    assert!(xml.contains("page &amp;P / &amp;N") && xml.contains("Paraphes"), "{xml}");
    assert!(xml.contains("fitToWidth") || xml.contains("fitToPage"), "fitted to the page");
}

#[test]
fn the_consolidated_workbook_gives_each_reservataires_share_by_epci_commune_and_bailleur() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let t = TempDir::new("edl-parts");
    let d = azur(&t);
    let out = t.path("edl.xlsx");
    exporter("etat-des-lieux", d.to_str().unwrap(), &[], &out);
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let ws = wb.worksheet_range("Parts des réservataires").unwrap();
    let ligne = |niveau: &str, perimetre: &str, res: &str| -> (f64, f64, f64) {
        let r = ws
            .rows()
            .find(|r| {
                r[0] == Data::String(niveau.into())
                    && r[1] == Data::String(perimetre.into())
                    && r[2] == Data::String(res.into())
            })
            .unwrap_or_else(|| panic!("{niveau} {perimetre} {res}"));
        let f = |d: &Data| if let Data::Float(x) = d { *x } else { panic!("{d:?}") };
        (f(&r[3]), f(&r[4]), f(&r[5]))
    };
    assert_eq!(ligne("Commune", "Antibes (06004)", "Action Logement"), (48.0, 120.0, 0.4));
    assert_eq!(ligne("Commune", "Vallauris (06155)", "Action Logement"), (2.0, 80.0, 0.025));
    assert_eq!(ligne("EPCI", "CA de Sophia Antipolis (240600585)", "Action Logement"), (50.0, 200.0, 0.25));
    assert_eq!(ligne("Bailleur", "Azur", "Commune d'Antibes"), (12.0, 200.0, 0.06));
    assert_eq!(ligne("Bailleur", "Azur", "Non réservé"), (138.0, 200.0, 0.69));
    // The EPCI of the Données sheet by its name.
    let donnees = wb.worksheet_range("Données").unwrap();
    assert_eq!(donnees.rows().nth(1).unwrap()[3], Data::String("CA de Sophia Antipolis (240600585)".into()));
}

#[test]
fn the_departmental_flux_text_names_every_soustrait_of_each_epci_and_export_help_says_pdf() {
    let t = TempDir::new("flux-dep-texte");
    let d = azur(&t);
    let txt = flux_ok(
        d.to_str().unwrap(),
        "Azur",
        ["--departement", "06"],
        "2025",
        &["--rotation", "10", "--mutations", "1", "--ventes", "2", "--enregistrer"],
    );
    // Libérations 20, mutations 1, ventes 2: flux 17.
    assert!(txt.contains("EPCI CA de Sophia Antipolis : libérations 20, mutations 1, ventes 2, flux 17 —"), "{txt}");
    // The departmental annex of a département of one EPCI: no EPCI subtotal repeating the
    // total; its flux qualifié « sur le département ».
    let pdf = t.path("al_06.pdf");
    exporter(
        "annexe",
        d.to_str().unwrap(),
        &["--reservataire", "action-logement", "--departement", "06", "--annee", "2025"],
        &pdf,
    );
    if let Some(txt) = texte_du_pdf(&pdf) {
        assert!(!txt.contains("Total CA de Sophia Antipolis"), "{txt}");
        assert!(txt.contains("Flux qualifié 2025 sur le département"), "{txt}");
    }
    let aide = run_ok(&["export", "--help"]);
    assert!(aide.contains("pdf"), "{aide}");
}

#[test]
fn the_fiche_says_non_renseigne_until_declared_and_splits_the_anru_relogements() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let t = TempDir::new("fiche-declarations");
    let d = azur(&t);
    let ds = d.to_str().unwrap();
    // More contributor relogements than relogements: refused.
    let o = flux_azur_run(ds, 2025, &["--relogements", "1", "--relogements-contributeur", "2"]);
    assert_eq!(o.status.code(), Some(1), "{}", erreur(&o));
    flux_2025(
        &d,
        &[
            "--relogements",
            "5",
            "--relogements-contributeur",
            "2",
            "--ventes",
            "1",
            "--justification",
            "ventes=Vente résidence Les Pins",
            "--exclusion",
            "vente=3@06155",
            "--logements-specifiques",
            "jeunes=4",
            "--logements-specifiques",
            "pmr=0",
            "--operations-nouvelles",
            "0",
            "--cus",
            "oui",
            "--enregistrer",
        ],
    );
    let x = t.path("fiche.xlsx");
    exporter("fiche-assiette", ds, &["--bailleur", "Azur", "--annee", "2025"], &x);
    let mut wb: Xlsx<_> = open_workbook(&x).unwrap();
    let ws = wb.worksheet_range("Calcul de l'assiette").unwrap();
    // Labels read with ordinary spaces (the workbook writes « : » after a no-break space).
    let ligne = |l: &str| -> (Data, Data) {
        let r = ws.rows().find(|r| r[0].to_string().replace('\u{a0}', " ") == l).unwrap_or_else(|| panic!("« {l} »"));
        (r[1].clone(), r[2].clone())
    };
    let n = |x: f64| Data::Float(x);
    let nr = || Data::String("non renseigné".into());
    // EPCI column, then the département's total.
    assert_eq!(ligne("  dont logements jeunes"), (n(4.0), n(4.0)));
    assert_eq!(ligne("  dont logements seniors"), (nr(), nr()));
    assert_eq!(ligne("  dont logements PMR-USH"), (n(0.0), n(0.0)));
    // Only « jeunes » declared among the 6 lines of the total: never printed as a total.
    let txt = |x: &str| Data::String(x.into());
    assert_eq!(
        ligne("Autres logements spécifiques de l'assiette"),
        (txt("au moins 4 (1 ligne sur 6 renseignée)"), txt("au moins 4 (1 ligne sur 6 renseignée)"))
    );
    assert_eq!(ligne("Opérations nouvelles (mises en service, dans l'assiette l'an prochain)"), (n(0.0), n(0.0)));
    assert_eq!(ligne("CUS prise en compte pour les soustraits (OUI / NON)").0, Data::String("OUI".into()));
    assert_eq!(ligne("Charte de relogement prise en compte (OUI / NON)").0, nr());
    assert_eq!(ligne("      comme démolisseur (ses locataires relogés)"), (n(3.0), n(3.0)));
    assert_eq!(ligne("      comme contributeur (locataires d'autres bailleurs)"), (n(2.0), n(2.0)));
    let commentaire = ligne("Commentaires : relogements").0.to_string().replace('\u{a0}', " ");
    assert!(commentaire.contains("Relogements liés aux ventes : Vente résidence Les Pins"), "{commentaire}");
    assert!(commentaire.contains("Logements en vente (L.443-7) exclus de l'assiette : 3 à Vallauris"), "{commentaire}");
    // A departmental flux saved with its own declarations: the département's column says them.
    flux_ok(
        ds,
        "Azur",
        ["--departement", "06"],
        "2025",
        &[
            "--rotation",
            "10",
            "--mutations",
            "0",
            "--logements-specifiques",
            "judiciaires=1",
            "--charte-relogement",
            "non",
            "--enregistrer",
        ],
    );
    let x2 = t.path("fiche_dep.xlsx");
    exporter("fiche-assiette", ds, &["--bailleur", "Azur", "--annee", "2025"], &x2);
    let mut wb: Xlsx<_> = open_workbook(&x2).unwrap();
    let ws2 = wb.worksheet_range("Calcul de l'assiette").unwrap();
    let ligne2 =
        |l: &str| ws2.rows().find(|r| r[0] == Data::String(l.into())).map(|r| (r[1].clone(), r[2].clone())).unwrap();
    assert_eq!(ligne2("  dont personnels judiciaires"), (nr(), n(1.0)));
    assert_eq!(ligne2("  dont logements jeunes"), (n(4.0), n(4.0)));
    // Its total: the lines declared in the column (jeunes 4 + judiciaires 1).
    assert_eq!(
        ligne2("Autres logements spécifiques de l'assiette"),
        (txt("au moins 4 (1 ligne sur 6 renseignée)"), txt("au moins 5 (2 lignes sur 6 renseignées)"))
    );
    assert_eq!(ligne2("Charte de relogement prise en compte (OUI / NON)").1, Data::String("NON".into()));
    // The PDF: every page with its initials, the undeclared lines said so.
    let pdf = t.path("fiche.pdf");
    exporter("fiche-assiette", ds, &["--bailleur", "Azur", "--annee", "2025"], &pdf);
    let Some(txt) = texte_du_pdf(&pdf) else { return };
    let pages = txt.matches('\u{c}').count().max(1);
    assert_eq!(txt.matches("Paraphes").count(), pages);
    assert!(a_la_ligne(&txt, &["dont", "logements", "seniors", "non", "renseigné", "non", "renseigné"]), "{txt}");
}

#[test]
fn the_prefects_agreement_once_recorded_lifts_the_alert_of_the_forecast() {
    let t = TempDir::new("prevision-accord");
    let d = azur(&t);
    let ds = d.to_str().unwrap();
    let regles = |txt: &str| -> Vec<String> {
        let f: serde_json::Value = serde_json::from_str(txt).unwrap();
        f["alertes"].as_array().unwrap().iter().map(|a| a["regle"].as_str().unwrap().to_string()).collect()
    };
    let f = flux_2025(&d, &["--relogements-hors-anru", "2", "--enregistrer", "--format", "json"]);
    assert!(regles(&f).contains(&"accord_prefet_requis".to_string()));
    let pdf = t.path("prevision.pdf");
    let prevision = || exporter("prevision-soustraits", ds, &["--bailleur", "Azur", "--annee", "2025"], &pdf);
    prevision();
    if let Some(txt) = texte_du_pdf(&pdf) {
        assert!(txt.contains("non enregistré pour CA de Sophia Antipolis"), "{txt}");
        // Review 4: Azur has no register at all, which is what the forecast says.
        let plat = txt.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            plat.contains(
                "Aucun registre des mises à disposition pour Azur (ni importé ni saisi) : réalisé 2024 non disponible"
            ),
            "{txt}"
        );
        assert!(!plat.contains("Aucun bail de 2024"), "{txt}");
        assert!(
            txt.contains("Destinataires : État (contingent préfectoral), Action Logement, Commune d'Antibes"),
            "{txt}"
        );
    }
    let f = flux_2025(
        &d,
        &["--accord-prefet", "relogements_hors_anru=courrier du 12/01/2025", "--enregistrer", "--format", "json"],
    );
    assert!(!regles(&f).contains(&"accord_prefet_requis".to_string()), "{f}");
    prevision();
    if let Some(txt) = texte_du_pdf(&pdf) {
        assert!(!txt.contains("non enregistré pour"), "{txt}");
        assert!(txt.contains("accord du préfet obtenu (courrier du 12/01/2025)"), "{txt}");
    }
    // A category that needs no agreement is refused.
    let o = flux_azur_run(ds, 2025, &["--accord-prefet", "ventes=x"]);
    assert_eq!(o.status.code(), Some(1));
}

/// Revue 4 B2 : l'annexe est le document signé ; l'accord du préfet enregistré pour un
/// soustrait qui le demande y figure, à côté de sa justification. Azur 2025 : assiette 200,
/// rotation 10 % → 20 libérations, 2 relogements hors ANRU → flux 18, État ⌊30 % × 18⌋ = 5.
#[test]
fn the_annex_carries_the_prefects_agreement_recorded_for_a_soustrait() {
    let t = TempDir::new("annexe-accord");
    let d = azur(&t);
    let ds = d.to_str().unwrap();
    let pdf = t.path("etat.pdf");
    let annexe = || {
        exporter(
            "annexe",
            ds,
            &["--reservataire", "etat", "--epci", "240600585", "--bailleur", "Azur", "--annee", "2025"],
            &pdf,
        )
    };
    flux_2025(
        &d,
        &[
            "--relogements-hors-anru",
            "2",
            "--justification",
            "relogements_hors_anru=Démolition bâtiment C",
            "--enregistrer",
        ],
    );
    annexe();
    let avant = texte_du_pdf(&pdf);
    if let Some(txt) = &avant {
        assert!(txt.contains("Justification — Relogements hors ANRU : Démolition bâtiment C."), "{txt}");
        assert!(!txt.contains("accord du préfet :"), "{txt}");
    }
    flux_2025(
        &d,
        &[
            "--relogements-hors-anru",
            "2",
            "--justification",
            "relogements_hors_anru=Démolition bâtiment C",
            "--accord-prefet",
            "relogements_hors_anru=courrier du 12/01/2025",
            "--enregistrer",
        ],
    );
    annexe();
    if let Some(txt) = texte_du_pdf(&pdf) {
        assert!(
            a_la_ligne(
                &txt,
                &["Libérations", "prévisionnelles", "2025", "sur", "l'EPCI", "CA", "de", "Sophia", "Antipolis", "20"]
            ),
            "{txt}"
        );
        assert!(a_la_ligne(&txt, &["Total", "des", "soustraits", "2"]), "{txt}");
        assert!(
            a_la_ligne(
                &txt,
                &["Flux", "annuel", "2025", "à", "répartir", "sur", "l'EPCI", "CA", "de", "Sophia", "Antipolis", "18"]
            ),
            "{txt}"
        );
        assert!(
            a_la_ligne(&txt, &["Logements", "du", "réservataire", "en", "2025", "sur", "ce", "périmètre", "5"]),
            "{txt}"
        );
        let plat = txt.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            plat.contains(
                "Justification — Relogements hors ANRU : Démolition bâtiment C ; accord du préfet : courrier du 12/01/2025."
            ),
            "{txt}"
        );
    }
}
