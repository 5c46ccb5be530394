//! The signatories' read-throughs of the documents (annexes, departmental annex, fiche,
//! forecast, fiche navette, bilan): each finding checked on a small dossier whose figures are
//! computed by hand in the comments.

use crate::common::*;
use std::path::{Path, PathBuf};

/// The lines of a text, each as its words.
fn mots(txt: &str) -> Vec<Vec<String>> {
    txt.lines().map(|l| l.split_whitespace().map(str::to_string).collect()).collect()
}

fn a_la_ligne(txt: &str, attendu: &[&str]) -> bool {
    mots(txt).iter().any(|l| l.iter().map(String::as_str).collect::<Vec<_>>() == attendu)
}

/// `export annexe` of `reservataire` for Azur, with `perimetre` (`--epci 240600585`…), year
/// `annee`, written to `out`: its output, whatever the exit.
fn annexe(d: &Path, reservataire: &str, perimetre: &[&str], annee: i32, out: &Path) -> std::process::Output {
    let annee = annee.to_string();
    let mut args = vec!["export", "annexe", "--dossier", d.to_str().unwrap(), "--reservataire", reservataire];
    args.extend_from_slice(perimetre);
    args.extend(["--bailleur", "Azur", "--annee", &annee, "--out", out.to_str().unwrap()]);
    run(&args)
}

/// Azur in Antibes with the State's stock and its agents': 200 dwellings, the State 40, its
/// agents 10, 150 not reserved. Rotation 10 %, no mutation: libérations 20, flux 20; the State
/// ⌊30 % × 20⌋ = 6, its agents min(round(10/200 × 20), ⌊5 % × 20⌋) = 1, publics prioritaires 5.
fn etat_et_agents(t: &TempDir) -> PathBuf {
    let mut lignes = vec![];
    for i in 0..200 {
        let res = match i {
            0..40 => "Préfecture",
            40..50 => "Fonctionnaires",
            _ => "Non réservé",
        };
        lignes.push(ligne(format!("E{i}"), "06004", "Antibes", res, ["T2", "T3"][i % 2], "PLUS"));
    }
    let f = t.path("etat.xlsx");
    edl(&f, lignes);
    let d = t.path("d.sqlite");
    import_ok(&d, &["--bailleur", "Azur", "--territoire", "240600585", "--date-reference", "2025-01-01"], &[&f]);
    d
}

#[test]
fn an_annex_of_a_flux_never_saved_is_refused_with_what_to_do() {
    let t = TempDir::new("annexe-jamais");
    let d = azur(&t);
    let out = t.path("a.pdf");
    let o = annexe(&d, "etat", &["--epci", "240600585"], 2025, &out);
    assert_eq!(o.status.code(), Some(1));
    let e = erreur(&o);
    assert!(
        e.contains("Aucun flux 2025 enregistré pour « Azur » sur l'EPCI CA de Sophia Antipolis : l'annexe compterait 0 logement, elle n'est pas produite"),
        "{e}"
    );
    assert!(
        e.contains("écran Flux annuel") && e.contains("--epci 240600585 --annee 2025 --rotation PCT --enregistrer"),
        "{e}"
    );
    assert!(!out.exists(), "no file");
    // A commune's annex and the departmental one alike.
    let o = annexe(&d, "commune:06004", &["--commune", "06004"], 2025, &out);
    assert_eq!(o.status.code(), Some(1), "{}", erreur(&o));
    let o = annexe(&d, "etat", &["--departement", "06"], 2025, &out);
    assert_eq!(o.status.code(), Some(1));
    let e = erreur(&o);
    assert!(
        e.contains("Aucun flux 2025 enregistré pour « Azur » sur le département des Alpes-Maritimes (ni pour le département ni pour aucun de ses EPCI)"),
        "{e}"
    );
    assert!(e.contains("--departement 06 --annee 2025"), "{e}");
    assert!(!out.exists(), "no file");
    // Saved for 2025: the annex is written, for the EPCI and the département.
    flux_azur(&d, 2025, &["--rotation", "10", "--mutations", "0", "--enregistrer"]);
    let o = annexe(&d, "etat", &["--epci", "240600585"], 2025, &out);
    assert!(o.status.success(), "{}", erreur(&o));
    let o = annexe(&d, "etat", &["--departement", "06"], 2025, &t.path("dep.pdf"));
    assert!(o.status.success(), "{}", erreur(&o));
    // A year before any saved flux: refused again.
    let o = annexe(&d, "etat", &["--epci", "240600585"], 2024, &t.path("b.pdf"));
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn an_annex_of_parameters_carried_over_is_a_draft_on_every_page() {
    let t = TempDir::new("annexe-projet");
    let d = azur(&t);
    flux_azur(&d, 2025, &["--rotation", "10", "--mutations", "0", "--enregistrer"]);
    // 2025 saved: no « PROJET ».
    let pdf = t.path("2025.pdf");
    assert!(annexe(&d, "action-logement", &["--epci", "240600585"], 2025, &pdf).status.success());
    if let Some(txt) = texte_du_pdf(&pdf) {
        assert!(!txt.contains("PROJET"), "{txt}");
    }
    // 2026: the parameters of 2025 carried over, never saved for 2026.
    let pdf = t.path("2026.pdf");
    let o = annexe(&d, "action-logement", &["--epci", "240600585"], 2026, &pdf);
    assert!(o.status.success(), "{}", erreur(&o));
    if let Some(txt) = texte_du_pdf(&pdf) {
        let pages: Vec<&str> = txt.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
        assert!(pages.len() >= 2, "{txt}");
        for p in &pages {
            assert!(
                p.contains("PROJET — document non définitif, à ne pas signer : paramètres du flux 2026 non enregistrés, ceux de 2025 sont repris"),
                "{p}"
            );
        }
        assert!(txt.contains("PROJET — Annexe à la convention de réservation — Action Logement"), "{txt}");
        // Said once among the points of attention, not twice.
        assert_eq!(txt.matches("repris de 2025").count(), 1, "{txt}");
    }
    let xlsx = t.path("2026.xlsx");
    assert!(annexe(&d, "action-logement", &["--epci", "240600585"], 2026, &xlsx).status.success());
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let ws = wb.worksheet_range("Annexe").unwrap();
    let textes: Vec<String> = ws.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(textes.iter().any(|t| t.starts_with("PROJET — document non définitif")), "{textes:?}");
    if let Some(xml) = zip_entry(&xlsx, "xl/worksheets/sheet1.xml") {
        assert!(xml.contains("PROJET — à ne pas signer"), "on every printed page: {xml}");
    }
}

#[test]
fn the_states_annex_shows_its_own_stock_and_its_agents_apart_and_once() {
    let t = TempDir::new("annexe-agents");
    let d = etat_et_agents(&t);
    flux_azur(&d, 2025, &["--rotation", "10", "--mutations", "0", "--enregistrer"]);
    let pdf = t.path("etat.pdf");
    let o = annexe(&d, "etat", &["--epci", "240600585"], 2025, &pdf);
    assert!(o.status.success(), "{}", erreur(&o));
    let Some(txt) = texte_du_pdf(&pdf) else { return };
    let un = txt.split_whitespace().collect::<Vec<_>>().join(" ");
    // 40 / 200 = 20,0 %, 10 / 200 = 5,0 %: never 50 (40 + 10) as the State's stock.
    assert!(
        un.contains("pour information, 40 logements réservés par l'État dans l'assiette (20,0 %) et 10 pour ses agents civils et militaires (5,0 %)"),
        "{un}"
    );
    assert!(
        a_la_ligne(
            &txt,
            &["Logements", "réservés", "par", "l'État", "(contingent", "préfectoral)", "dans", "l'assiette", "40"]
        ),
        "{txt}"
    );
    assert!(
        a_la_ligne(
            &txt,
            &[
                "Logements",
                "réservés",
                "pour",
                "ses",
                "agents",
                "civils",
                "et",
                "militaires",
                "dans",
                "l'assiette",
                "10"
            ]
        ),
        "{txt}"
    );
    // 50 only as the total of the grid of both stocks, titled so.
    assert!(
        !mots(&txt).iter().any(|l| l.last().map(String::as_str) == Some("50") && l[0] != "PLUS" && l[0] != "Total"),
        "{txt}"
    );
    assert!(
        un.contains("Stock réservé par l'État et pour ses agents civils et militaires (état des lieux au 01/01/2025)"),
        "{un}"
    );
    // The EPCI is the perimeter of the rate: the stock is not printed a second time.
    assert!(!txt.contains("périmètre du taux 40") && !un.contains("dans l'assiette du périmètre du taux"), "{un}");
    // 6 logements: 5 publics prioritaires, 1 for the agents.
    assert!(a_la_ligne(&txt, &["dont", "publics", "prioritaires", "5"]), "{txt}");
    assert!(a_la_ligne(&txt, &["dont", "agents", "civils", "et", "militaires", "1"]), "{txt}");
}

/// Azur on the CASA: Antibes 100 dwellings (Action Logement 20, 80 not reserved), and 3 rows in
/// Cannes and 2 in Mougins (same département, outside the dossier's EPCI) set aside at import.
/// Rotation 10 %, no mutation: libérations 10, flux 10.
fn azur_et_hors_territoire(t: &TempDir) -> PathBuf {
    let mut lignes = vec![];
    for i in 0..100 {
        let res = if i < 20 { "Action Logement" } else { "Non réservé" };
        lignes.push(ligne(format!("A{i}"), "06004", "Antibes", res, "T3", "PLUS"));
    }
    for i in 0..3 {
        lignes.push(ligne(format!("C{i}"), "06029", "Cannes", "Action Logement", "T2", "PLUS"));
    }
    for i in 0..2 {
        lignes.push(ligne(format!("M{i}"), "06085", "Mougins", "Non réservé", "T2", "PLUS"));
    }
    let f = t.path("azur.xlsx");
    edl(&f, lignes);
    let d = t.path("d.sqlite");
    import_ok(&d, &["--bailleur", "Azur", "--territoire", "240600585", "--date-reference", "2025-01-01"], &[&f]);
    flux_azur(&d, 2025, &["--rotation", "10", "--mutations", "0", "--enregistrer"]);
    d
}

#[test]
fn a_departmental_total_names_the_epcis_of_the_dossier_and_the_dwellings_set_aside() {
    let t = TempDir::new("hors-dossier");
    let d = azur_et_hors_territoire(&t);
    let phrase = "Le total ne porte que sur les EPCI du dossier (CA de Sophia Antipolis), pas sur tout le département des Alpes-Maritimes : 5 logements d'Azur dans le département, hors de ces EPCI, ont été mis de côté à l'import comme hors du territoire du dossier (Cannes 3, Mougins 2) et ne sont pas comptés.";
    let pdf = t.path("dep.pdf");
    let o = annexe(&d, "action-logement", &["--departement", "06"], 2025, &pdf);
    assert!(o.status.success(), "{}", erreur(&o));
    if let Some(txt) = texte_du_pdf(&pdf) {
        let un = txt.split_whitespace().collect::<Vec<_>>().join(" ");
        // The headline says what its 100 dwellings are: the dossier's EPCI, not the département.
        assert!(
            un.contains(
                "100 logements implantés sur l'EPCI du dossier (CA de Sophia Antipolis), 0 exclu de l'assiette"
            ),
            "{un}"
        );
        assert_eq!(un.matches(phrase).count(), 1, "once: {un}");
        // 20 / 100 = 20 % of a flux of 10: 2 logements.
        assert!(
            a_la_ligne(&txt, &["Total", "des", "EPCI", "du", "dossier", "100", "10,0", "%", "10", "0", "10", "2"]),
            "{txt}"
        );
        assert!(!txt.contains("Total du département"), "{txt}");
    }
    // The fiche: its departmental column says what it adds, the sentence once.
    // The text of Azur's 2025 document `kind` on one line (None without pdftotext).
    let texte = |kind: &str| {
        let out = t.path(&format!("{kind}.pdf"));
        let o = run(&[
            "export",
            kind,
            "--dossier",
            d.to_str().unwrap(),
            "--bailleur",
            "Azur",
            "--annee",
            "2025",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", erreur(&o));
        texte_du_pdf(&out).map(|txt| txt.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    if let Some(un) = texte("fiche-assiette") {
        assert_eq!(un.matches(phrase).count(), 1, "once: {un}");
        assert!(un.contains("Total des EPCI du dossier (département des Alpes-Maritimes)"), "{un}");
        assert!(!un.contains("Total du département"), "{un}");
    }
    // The forecast of the soustraits alike.
    if let Some(un) = texte("prevision-soustraits") {
        assert_eq!(un.matches(phrase).count(), 1, "once: {un}");
        // (its column header wraps: « Total des EPCI du dossier » / « (département des … »)
        assert!(un.contains("Total des EPCI du dossier") && !un.contains("Total du département"), "{un}");
    }
}

/// Item A5 of the review: the State's agents in each commune go to the largest remainders.
/// Antibes 96 dwellings, Valbonne 69, Biot 59, La Colle-sur-Loup 69, Le Rouret 111 (404); in
/// each, the 1st of every 4 is the State's, the others whose rank is 1 modulo 17 its agents'
/// (5 + 3 + 3 + 3 + 6 = 20), the rest not reserved. Rotation 10 %, no mutation: libérations
/// round(40,4) = 40, flux 40, by commune (× assiette / 404, largest remainder) Antibes 9,50 → 9,
/// Valbonne 6,83 → 7, Biot 5,84 → 6, La Colle 6,83 → 7, Le Rouret 10,99 → 11. The State
/// ⌊30 % × 40⌋ = 12 (2,7 / 2,1 / 1,8 / 2,1 / 3,3 → 3, 2, 2, 2, 3), its agents min(round(20/404 ×
/// 40), ⌊5 % × 40⌋) = 2, publics prioritaires 10. The agents' quotas (2 × F_c / 40): Antibes
/// 0,45, Valbonne 0,35, Biot 0,30, La Colle 0,35, Le Rouret 0,55: their two units go to Le
/// Rouret and Antibes (never to Biot's 0,30 while Le Rouret's 0,55 gets none), the prioritaires
/// (2,25 / 1,75 / 1,5 / 1,75 / 2,75) taking the rest of each commune's State cell: 2 everywhere.
#[test]
fn the_states_agents_by_commune_go_to_the_largest_remainders() {
    let t = TempDir::new("agents-restes");
    let mut lignes = vec![];
    for (insee, nom, n) in [
        ("06004", "Antibes", 96),
        ("06152", "Valbonne", 69),
        ("06018", "Biot", 59),
        ("06044", "La Colle-sur-Loup", 69),
        ("06112", "Le Rouret", 111),
    ] {
        for i in 0..n {
            let r = if i % 4 == 0 {
                "Etat"
            } else if i % 17 == 1 {
                "Fonctionnaires"
            } else {
                "Non réservé"
            };
            lignes.push(ligne(format!("{insee}-{i}"), insee, nom, r, "T3", "PLUS"));
        }
    }
    let f = t.path("e.xlsx");
    edl(&f, lignes);
    let d = t.path("d.sqlite");
    import_ok(&d, &["--bailleur", "Azur", "--territoire", "240600585", "--date-reference", "2025-01-01"], &[&f]);
    let v = flux_azur_json(&d, 2025, &["--rotation", "10", "--mutations", "0"]);
    assert_eq!(v["flux"], 40);
    assert_eq!(part(&v, "etat")["logements"], 10);
    assert_eq!(part(&v, "etat-fonctionnaires")["logements"], 2);
    let par_commune: Vec<(String, u64, u64, u64)> = v["communes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let n = |id: &str| {
                c["reservataires"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["id"] == id)
                    .map(|r| r["logements"].as_u64().unwrap())
                    .unwrap_or(0)
            };
            (
                c["commune"].as_str().unwrap().to_string(),
                c["flux"].as_u64().unwrap(),
                n("etat"),
                n("etat-fonctionnaires"),
            )
        })
        .collect();
    let attendu: Vec<(String, u64, u64, u64)> =
        [("06004", 9, 2, 1), ("06018", 6, 2, 0), ("06044", 7, 2, 0), ("06112", 11, 2, 1), ("06152", 7, 2, 0)]
            .iter()
            .map(|(c, f, e, a)| (c.to_string(), *f, *e, *a))
            .collect();
    assert_eq!(par_commune, attendu);
}

/// Items B9 and C10 of the review: the bailleur's address missing is said (« non renseignée —
/// à compléter »), never a blank; a non-breaking space before « : » and « % » in the PDF.
#[test]
fn a_missing_address_is_said_and_colons_keep_their_non_breaking_space() {
    let t = TempDir::new("adresse");
    let d = azur(&t);
    flux_azur(&d, 2025, &["--rotation", "10", "--mutations", "0", "--enregistrer"]);
    let pdf = t.path("al.pdf");
    assert!(annexe(&d, "action-logement", &["--epci", "240600585"], 2025, &pdf).status.success());
    if let Some(txt) = texte_du_pdf(&pdf) {
        assert!(txt.contains("Bailleur : Azur — adresse non renseignée — à compléter"), "{txt}");
        // The PDF never breaks a line before « : » or « % » (its space is unbreakable).
        assert!(!txt.lines().any(|l| l.trim_start().starts_with(':') || l.trim_start().starts_with('%')), "{txt}");
    }
    // The workbook's sentences carry the non-breaking space itself (U+00A0, as « 25,0 % » is
    // written): « 5 / 20 = 25,0 % » of the flux (see `azur`).
    let x = t.path("al.xlsx");
    assert!(annexe(&d, "action-logement", &["--epci", "240600585"], 2025, &x).status.success());
    {
        use calamine::{Reader, Xlsx, open_workbook};
        let mut wb: Xlsx<_> = open_workbook(&x).unwrap();
        let ws = wb.worksheet_range("Annexe").unwrap();
        let textes: Vec<String> = ws.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
        let modalites = textes.iter().find(|t| t.starts_with("Décompte")).unwrap();
        assert!(modalites.starts_with("Décompte\u{a0}: un logement est décompté au bail signé"), "{modalites}");
        let origine = textes.iter().find(|t| t.starts_with("Origine du taux")).unwrap();
        assert!(origine.contains("\u{a0}:") && !origine.contains(" :"), "{origine}");
    }
    let fiche = t.path("fiche.xlsx");
    run_ok(&[
        "export",
        "fiche-assiette",
        "--dossier",
        d.to_str().unwrap(),
        "--bailleur",
        "Azur",
        "--annee",
        "2025",
        "--out",
        fiche.to_str().unwrap(),
    ]);
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&fiche).unwrap();
    let ws = wb.worksheet_range("Calcul de l'assiette").unwrap();
    let textes: Vec<String> = ws.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(textes.iter().any(|t| t == "Adresse\u{a0}: non renseignée — à compléter"), "{textes:?}");
    // Saved with the bailleur's settings: printed.
    run_ok(&[
        "bailleur",
        "--dossier",
        d.to_str().unwrap(),
        "--nom",
        "Azur",
        "--adresse",
        "1 rue des Lys, 06600 Antibes",
    ]);
    assert!(annexe(&d, "action-logement", &["--epci", "240600585"], 2025, &pdf).status.success());
    if let Some(txt) = texte_du_pdf(&pdf) {
        assert!(txt.contains("Bailleur : Azur — 1 rue des Lys, 06600 Antibes"), "{txt}");
    }
}

/// Read as the mayor of Antibes (casa review, 04/12): the opening sentence of its annex on the
/// EPCI gave « soit 6,5 % » — its share of the EPCI's assiette — while its convention's rate,
/// on its commune, was 15,5 %. With `azur`: the commune's 12 dwellings are 12 / 200 = 6,0 % of
/// the EPCI's assiette and 12 / 120 = 10,0 % of Antibes', where its rate is measured.
#[test]
fn a_communes_annex_on_its_epci_gives_its_share_where_its_rate_is_measured() {
    let t = TempDir::new("annexe-commune");
    let d = azur(&t);
    flux_azur(&d, 2025, &["--rotation", "10", "--mutations", "0", "--enregistrer"]);
    let attendu = "12 logements réservés par la commune d'Antibes, soit 6,0 % de l'assiette et 10,0 % de celle de la commune d'Antibes (120 logements), où se mesure son taux.";
    let pdf = t.path("antibes.pdf");
    assert!(annexe(&d, "commune:06004", &["--epci", "240600585"], 2025, &pdf).status.success());
    if let Some(txt) = texte_du_pdf(&pdf) {
        let mots = txt.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(mots.contains(attendu), "{txt}");
        assert!(a_la_ligne(&txt, &["Taux", "de", "la", "convention", "10,0", "%"]), "{txt}");
    }
    let x = t.path("antibes.xlsx");
    assert!(annexe(&d, "commune:06004", &["--epci", "240600585"], 2025, &x).status.success());
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&x).unwrap();
    let ws = wb.worksheet_range("Annexe").unwrap();
    let phrase = ws.get_value((1, 0)).unwrap().to_string();
    let phrase = phrase.replace(['\u{a0}', '\u{202f}'], " ");
    assert!(phrase.ends_with(attendu), "{phrase}");
    // On its own commune the rate's perimeter is the annex's: the share once, as Ornex's.
    let c = t.path("antibes-commune.pdf");
    assert!(annexe(&d, "commune:06004", &["--commune", "06004"], 2025, &c).status.success());
    if let Some(txt) = texte_du_pdf(&c) {
        let mots = txt.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(mots.contains("12 logements réservés par la commune, soit 10,0 %."), "{txt}");
    }
}

/// Read as the mayor of Antibes (issue 21, 04/12 evening): its annex on the EPCI listed every
/// commune of the EPCI, Vallauris at 0 (twelve lines at 0 on the casa dossier). A commune's
/// logements are in its commune only: its annex shows that commune, nothing else. With `azur`:
/// flux 20, Antibes 12 (12 / 20 of the assiette), the commune 10 % × 12 = 1,2 → 1 logement;
/// Action Logement's annex on the EPCI keeps both communes (3 at Antibes, 2 at Vallauris).
#[test]
fn a_communes_annex_on_its_epci_shows_its_own_commune_only() {
    let t = TempDir::new("annexe-commune-seule");
    let d = azur(&t);
    flux_azur(&d, 2025, &["--rotation", "10", "--mutations", "0", "--enregistrer"]);
    let pdf = t.path("antibes.pdf");
    assert!(annexe(&d, "commune:06004", &["--epci", "240600585"], 2025, &pdf).status.success());
    if let Some(txt) = texte_du_pdf(&pdf) {
        assert!(txt.contains("Logements de la commune d'Antibes sur son territoire"), "{txt}");
        assert!(a_la_ligne(&txt, &["Antibes", "(06004)", "12", "1", "8,3", "%"]), "{txt}");
        assert!(!txt.contains("Vallauris"), "{txt}");
        assert!(txt.contains("Flux qualifié 2025 dans la commune d'Antibes"), "{txt}");
    }
    let x = t.path("antibes.xlsx");
    assert!(annexe(&d, "commune:06004", &["--epci", "240600585"], 2025, &x).status.success());
    if let Some(feuilles) = zip_entry(&x, "xl/sharedStrings.xml") {
        assert!(feuilles.contains("Antibes (06004)"), "{feuilles}");
        assert!(!feuilles.contains("Vallauris"), "{feuilles}");
    }
    // Action Logement on the EPCI: both communes, and their total.
    let al = t.path("al.pdf");
    assert!(annexe(&d, "action-logement", &["--epci", "240600585"], 2025, &al).status.success());
    if let Some(txt) = texte_du_pdf(&al) {
        assert!(a_la_ligne(&txt, &["Antibes", "(06004)", "12", "3", "25,0", "%"]), "{txt}");
        assert!(a_la_ligne(&txt, &["Vallauris", "(06155)", "8", "2", "25,0", "%"]), "{txt}");
        assert!(a_la_ligne(&txt, &["Total", "20", "5", "25,0", "%"]), "{txt}");
    }
}

/// One spelling of « Total » in every document (issue 21): the annex's stock grid and the
/// consolidated état des lieux wrote « TOTAL » where the fiche, the forecast and the bilan write
/// « Total ». Every document of `azur` read back: « Total » in each, « TOTAL » in none.
#[test]
fn every_document_spells_total_the_same_way() {
    let t = TempDir::new("total");
    let d = azur(&t);
    flux_azur(&d, 2025, &["--rotation", "10", "--mutations", "0", "--enregistrer"]);
    let ds = d.to_str().unwrap();
    let mut docs: Vec<PathBuf> = vec![];
    for ext in ["pdf", "xlsx"] {
        let a = t.path(&format!("annexe.{ext}"));
        assert!(annexe(&d, "action-logement", &["--epci", "240600585"], 2025, &a).status.success());
        docs.push(a);
        for quoi in ["fiche-assiette", "prevision-soustraits"] {
            let out = t.path(&format!("{quoi}.{ext}"));
            run_ok(&[
                "export",
                quoi,
                "--dossier",
                ds,
                "--bailleur",
                "Azur",
                "--annee",
                "2025",
                "--out",
                out.to_str().unwrap(),
            ]);
            docs.push(out);
        }
    }
    let edl = t.path("edl.xlsx");
    run_ok(&["export", "etat-des-lieux", "--dossier", ds, "--out", edl.to_str().unwrap()]);
    docs.push(edl);
    for doc in &docs {
        let texte = if doc.extension().is_some_and(|e| e == "pdf") {
            texte_du_pdf(doc)
        } else {
            zip_entry(doc, "xl/sharedStrings.xml")
        };
        let Some(texte) = texte else { continue };
        let mots: Vec<&str> = texte.split(|c: char| !c.is_alphanumeric()).collect();
        assert!(!mots.contains(&"TOTAL"), "{}: {texte}", doc.display());
        let avec_total = ["annexe", "edl", "fiche-assiette"];
        if avec_total.iter().any(|n| doc.file_stem().is_some_and(|s| s == *n)) {
            assert!(mots.contains(&"Total"), "{}: {texte}", doc.display());
        }
    }
}

/// Azur in Antibes: the State 40, its agents 10, Action Logement 50, 100 not reserved; flux 2025
/// of 20 (rotation 10 %, no mutation) — the State 6 (its agents 1), Action Logement 25 % of it.
/// Its register: one mise à disposition to Action Logement in January, one to the State in
/// February, both leased; none since.
fn etat_agents_action_logement(t: &TempDir) -> PathBuf {
    let mut lignes = vec![];
    for i in 0..200 {
        let res = match i {
            0..40 => "Préfecture",
            40..50 => "Fonctionnaires",
            50..100 => "Action Logement",
            _ => "Non réservé",
        };
        lignes.push(ligne(format!("AZ{i}"), "06004", "Antibes", res, ["T2", "T3"][i % 2], "PLUS"));
    }
    let f = t.path("azur.xlsx");
    edl(&f, lignes);
    let d = t.path("d.sqlite");
    import_ok(&d, &["--bailleur", "Azur", "--territoire", "240600585", "--date-reference", "2025-01-01"], &[&f]);
    flux_azur(&d, 2025, &["--rotation", "10", "--mutations", "0", "--enregistrer"]);
    let reg = t.path("registre.csv");
    csv_1252(
        &reg,
        &[
            "N° logement;Réservataire;Date de mise à disposition;Date de libération;Préavis;Nb candidats;Date désignation;Date commission;Décision;Date signature bail;Issue;Hors flux",
            "AZ60;Action Logement;15/01/2025;10/01/2025;1 mois;3;20/01/2025;01/02/2025;Attribution;15/02/2025;Bail signé;",
            "AZ10;Préfecture;03/02/2025;31/01/2025;1 mois;2;10/02/2025;20/02/2025;Attribution;01/03/2025;Bail signé;",
        ],
    );
    run_ok(&["suivi", "import", "--dossier", d.to_str().unwrap(), "--bailleur", "Azur", reg.to_str().unwrap()]);
    d
}

/// Read as the DDETS (issue 21): in the bilan the alert of the State's agents came last (after
/// the EPCI's, sorted by id) while its row is second. With `etat_agents_action_logement`, no
/// mise à disposition since February: the three have the alert « aucune mise à disposition »,
/// in the order of the rows.
#[test]
fn the_bilans_alerts_come_in_the_order_of_its_rows() {
    let t = TempDir::new("bilan-ordre-alertes");
    let d = etat_agents_action_logement(&t);
    let ds = d.to_str().unwrap();
    let ordre = ["État (contingent préfectoral)", "État (agents civils et militaires)", "Action Logement"];
    let texte = run_ok(&["bilan", "--dossier", ds, "--annee", "2025", "--bailleur", "Azur"]);
    let alertes: Vec<&str> = texte
        .lines()
        .filter_map(|l| l.strip_prefix("alerte sans_mise_a_disposition_3_mois : "))
        .map(|l| l.split(" : ").next().unwrap_or_default())
        .collect();
    assert_eq!(alertes, ordre, "{texte}");
    let lignes: Vec<&str> = texte.lines().filter_map(|l| l.split('\t').next()).filter(|n| ordre.contains(n)).collect();
    assert_eq!(lignes, ordre, "{texte}");
    let pdf = t.path("bilan.pdf");
    run_ok(&["bilan", "--dossier", ds, "--annee", "2025", "--bailleur", "Azur", "--out", pdf.to_str().unwrap()]);
    if let Some(txt) = texte_du_pdf(&pdf) {
        let mots = txt.split_whitespace().collect::<Vec<_>>().join(" ");
        let position = |qui: &str| mots.find(&format!("{qui} : aucune mise à disposition")).unwrap_or(usize::MAX);
        let vues: Vec<usize> = ordre.iter().map(|q| position(q)).collect();
        assert!(vues[0] < vues[1] && vues[1] < vues[2] && vues[2] < usize::MAX, "{vues:?} {txt}");
    }
}

/// Read as the DDETS (issue 21, 1st semester's bilan of the casa dossier): the header « Réalisé :
/// part des décomptes des réservataires (ses décomptés / ceux du périmètre) » printed « ce » and
/// « ux » on two lines (« décomptés / ceux » is kept together and was cut between its letters:
/// without the column of the reliquat the header's size was not reduced); and the breakdown
/// R.441-5-1 came in the order of the ids (Action Logement first, the State last) instead of
/// the rows' (and « 1 attribués, 1 baux signés »). With `etat_agents_action_logement`: the
/// State 1 mis à disposition, 1 attribué, 1 bail signé; Action Logement the same.
#[test]
fn the_semesters_bilan_cuts_no_word_and_gives_its_breakdown_in_the_order_of_its_rows() {
    let t = TempDir::new("bilan-semestre-entete");
    let d = etat_agents_action_logement(&t);
    let pdf = t.path("s1.pdf");
    run_ok(&[
        "bilan",
        "--dossier",
        d.to_str().unwrap(),
        "--annee",
        "2025",
        "--semestre",
        "1",
        "--bailleur",
        "Azur",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    let Some(txt) = texte_du_pdf(&pdf) else { return };
    assert!(txt.lines().any(|l| l.contains("décomptés / ceux")), "{txt}");
    let position = |qui: &str| {
        txt.find(&format!("{qui} : 1 mis à disposition, 1 attribué, 1 bail signé"))
            .unwrap_or_else(|| panic!("{qui} : {txt}"))
    };
    assert!(position("État (contingent préfectoral)") < position("Action Logement"), "{txt}");
}

/// The cells « — » of a workbook (every sheet) whose style does not align them on the right:
/// « Feuille!C11 ». `None` without `unzip`.
fn tirets_a_gauche(x: &Path) -> Option<(usize, Vec<String>)> {
    let classeur = zip_entry(x, "xl/workbook.xml")?;
    let chaines = zip_entry(x, "xl/sharedStrings.xml")?;
    let styles = zip_entry(x, "xl/styles.xml")?;
    let tiret = chaines.split("<si>").skip(1).position(|si| texte_xml(si) == "—")?;
    let xfs = &styles[styles.find("<cellXfs").unwrap()..];
    let a_droite: Vec<bool> = xfs[..xfs.find("</cellXfs>").unwrap()]
        .split("<xf ")
        .skip(1)
        .map(|x| x.contains("horizontal=\"right\""))
        .collect();
    let (mut vus, mut a_gauche) = (0, vec![]);
    for (i, feuille) in classeur.split("<sheet ").skip(1).enumerate() {
        let nom = attribut(feuille, "name").unwrap_or_default();
        let f = zip_entry(x, &format!("xl/worksheets/sheet{}.xml", i + 1))?;
        for c in f.split("<c ").skip(1) {
            let c = &c[..c.find("</c>").unwrap_or(c.len())];
            if attribut(c, "t").as_deref() == Some("s") && c.contains(&format!("<v>{tiret}</v>")) {
                vus += 1;
                let s: usize = attribut(c, "s").and_then(|s| s.parse().ok()).unwrap_or(0);
                if !a_droite[s] {
                    a_gauche.push(format!("{nom}!{}", attribut(c, "r").unwrap_or_default()));
                }
            }
        }
    }
    Some((vus, a_gauche))
}

/// Read as a réservataire (issue 21, the casa forecast and bilan printed by LibreOffice): the
/// « — » standing for a figure not known (the columns « réalisés » without a register of the
/// year before; a taux de chute or a CIA share without a base) stood on the left of their
/// cells, under numbers on the right. Every « — » of the forecast and of the bilan workbooks has
/// a right-aligned style.
#[test]
fn the_dashes_of_the_workbooks_stand_where_their_numbers_stand() {
    let t = TempDir::new("tirets");
    let d = etat_agents_action_logement(&t);
    let ds = d.to_str().unwrap();
    let x = t.path("prevision.xlsx");
    run_ok(&[
        "export",
        "prevision-soustraits",
        "--dossier",
        ds,
        "--bailleur",
        "Azur",
        "--annee",
        "2025",
        "--out",
        x.to_str().unwrap(),
    ]);
    let Some((vus, a_gauche)) = tirets_a_gauche(&x) else { return };
    // The eight soustraits and their total, in the EPCI's column and the total's.
    assert_eq!((vus, a_gauche), (18, vec![]));
    let x = t.path("bilan.xlsx");
    run_ok(&["bilan", "--dossier", ds, "--annee", "2025", "--bailleur", "Azur", "--out", x.to_str().unwrap()]);
    let (vus, a_gauche) = tirets_a_gauche(&x).unwrap();
    // At least the agents' taux de chute (no mise à disposition), on two sheets.
    assert!(vus >= 2, "{vus}");
    assert_eq!(a_gauche, Vec::<String>::new());
}

/// The attribute `nom` of the XML tag that `balise` starts with.
fn attribut(balise: &str, nom: &str) -> Option<String> {
    let tag = &balise[..balise.find('>').unwrap_or(balise.len())];
    let debut = tag
        .find(&format!(" {nom}=\""))
        .map(|i| i + nom.len() + 3)
        .or_else(|| tag.starts_with(&format!("{nom}=\"")).then_some(nom.len() + 2))?;
    Some(tag[debut..debut + tag[debut..].find('"')?].to_string())
}

/// The text of the `<t>` elements of an XML fragment, unescaped.
fn texte_xml(x: &str) -> String {
    let mut s = String::new();
    for t in x.split("<t").skip(1) {
        let Some(i) = t.find('>') else { continue };
        if t[..i].ends_with('/') {
            continue;
        }
        let t = &t[i + 1..];
        s.push_str(&t[..t.find("</t>").unwrap_or(t.len())]);
    }
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// A column's number from its letters: A → 1, AA → 27.
fn colonne(lettres: &str) -> u32 {
    lettres.chars().take_while(char::is_ascii_uppercase).fold(0, |n, c| n * 26 + (c as u32 - 'A' as u32 + 1))
}

/// The lines a text takes wrapped word by word in a column `largeur` characters wide.
fn lignes_dans(texte: &str, largeur: f64) -> f64 {
    texte
        .split('\n')
        .map(|p| {
            let (mut n, mut l) = (1.0, 0.0);
            for m in p.split(' ').map(|m| m.chars().count() as f64) {
                if l > 0.0 && l + 1.0 + m <= largeur {
                    l += 1.0 + m;
                } else {
                    if l > 0.0 {
                        n += 1.0;
                    }
                    let coupures = ((m / largeur).ceil() - 1.0).max(0.0);
                    n += coupures;
                    l = m - coupures * largeur;
                }
            }
            n
        })
        .sum()
}

/// What a spreadsheet would not show of a workbook's text, read back from its XML: a wrapped
/// cell whose row is too short for its lines (15 points a line of 11-point Calibri, words
/// wrapped at the width of its column), or a text longer than its column that the next cell,
/// filled, hides. `None` without `unzip`.
fn textes_coupes(x: &Path) -> Option<Vec<String>> {
    let classeur = zip_entry(x, "xl/workbook.xml")?;
    let chaines: Vec<String> =
        zip_entry(x, "xl/sharedStrings.xml").unwrap_or_default().split("<si>").skip(1).map(texte_xml).collect();
    let styles = zip_entry(x, "xl/styles.xml")?;
    let xfs = &styles[styles.find("<cellXfs").unwrap()..];
    let retour: Vec<bool> =
        xfs[..xfs.find("</cellXfs>").unwrap()].split("<xf ").skip(1).map(|x| x.contains("wrapText=\"1\"")).collect();
    let mut coupes = vec![];
    for (i, feuille) in classeur.split("<sheet ").skip(1).enumerate() {
        let nom = attribut(feuille, "name").unwrap();
        let f = zip_entry(x, &format!("xl/worksheets/sheet{}.xml", i + 1))?;
        let mut largeurs = std::collections::BTreeMap::new();
        for c in f.split("<col ").skip(1) {
            let (a, b): (u32, u32) = (attribut(c, "min")?.parse().ok()?, attribut(c, "max")?.parse().ok()?);
            let w: f64 = attribut(c, "width")?.parse().ok()?;
            for k in a..=b {
                largeurs.insert(k, w);
            }
        }
        let largeur = |c: u32| largeurs.get(&c).copied().unwrap_or(8.43);
        // Merged cells: the first one's width is that of its columns; the others are covered.
        let mut fusions = std::collections::BTreeMap::new();
        let mut couvertes = std::collections::BTreeSet::new();
        for m in f.split("<mergeCell ").skip(1) {
            let plage = attribut(m, "ref")?;
            let (a, b) = plage.split_once(':')?;
            let (ca, cb) = (colonne(a), colonne(b));
            let ra: u32 = a.trim_start_matches(|c: char| c.is_ascii_uppercase()).parse().ok()?;
            let rb: u32 = b.trim_start_matches(|c: char| c.is_ascii_uppercase()).parse().ok()?;
            fusions.insert((ra, ca), (rb - ra + 1, (ca..=cb).map(largeur).sum::<f64>()));
            for r in ra..=rb {
                for c in ca..=cb {
                    if (r, c) != (ra, ca) {
                        couvertes.insert((r, c));
                    }
                }
            }
        }
        for ligne in f.split("<row ").skip(1) {
            let r: u32 = attribut(ligne, "r")?.parse().ok()?;
            let hauteur: f64 = attribut(ligne, "ht").and_then(|h| h.parse().ok()).unwrap_or(15.0);
            let ligne = &ligne[..ligne.find("</row>").unwrap_or(ligne.len())];
            // (column, text, filled, wrapped)
            let cellules: Vec<(u32, Option<String>, bool, bool)> = ligne
                .split("<c ")
                .skip(1)
                .map(|c| {
                    let col = colonne(&attribut(c, "r").unwrap_or_default());
                    let s: usize = attribut(c, "s").and_then(|s| s.parse().ok()).unwrap_or(0);
                    let v = c.find("<v>").map(|i| &c[i + 3..i + c[i..].find("</v>").unwrap()]);
                    let texte = match attribut(c, "t").as_deref() {
                        Some("s") => v.and_then(|v| v.parse::<usize>().ok()).map(|k| chaines[k].clone()),
                        Some("inlineStr") => Some(texte_xml(c)),
                        _ => None,
                    };
                    let rempli = texte.as_deref().is_some_and(|t| !t.is_empty()) || (texte.is_none() && v.is_some());
                    (col, texte, rempli, retour.get(s).copied().unwrap_or(false))
                })
                .collect();
            for (col, texte, _, enroule) in &cellules {
                let Some(t) = texte.as_deref().filter(|t| !t.is_empty()) else { continue };
                if couvertes.contains(&(r, *col)) {
                    continue;
                }
                let (lignes_fusion, w) = fusions.get(&(r, *col)).copied().unwrap_or((1, largeur(*col)));
                if *enroule {
                    if lignes_fusion == 1 && lignes_dans(t, w) * 15.0 > hauteur + 0.5 {
                        coupes.push(format!("{nom} L{r}C{col} ({} lignes en {hauteur} pt) : {t}", lignes_dans(t, w)));
                    }
                } else if lignes_fusion == 1
                    && t.chars().count() as f64 > w
                    && cellules.iter().any(|(c, _, rempli, _)| *c == col + 1 && *rempli)
                {
                    coupes.push(format!("{nom} L{r}C{col} (caché par la cellule suivante) : {t}"));
                }
            }
        }
    }
    Some(coupes)
}

/// Read in a spreadsheet (casa review, 04/12): the bilan's sheets kept Excel's default width —
/// « Mis à dispositi/on », « 2015 et ap… », the ventilation's header short of a line, the base
/// of each CIA share cut after « sur 40 », the hors-flux categories hidden by their figures —;
/// the fiche's « Total des EPCI du dossier (…) » title left on one line; the état des lieux's
/// EPCI names hidden in 12 characters. Every workbook read back: no text cut.
#[test]
fn no_text_of_a_workbook_is_cut_or_hidden() {
    let t = TempDir::new("classeurs-lisibles");
    let d = azur(&t);
    let ds = d.to_str().unwrap();
    flux_azur(&d, 2025, &["--rotation", "10", "--mutations", "0", "--enregistrer"]);
    let reg = t.path("registre.csv");
    csv_1252(
        &reg,
        &[
            "N° logement;Réservataire;Date de mise à disposition;Date de libération;Préavis;Nb candidats;Date désignation;Date commission;Décision;Date signature bail;Issue;Hors flux",
            "AZ1;Action Logement;15/01/2025;10/01/2025;1 mois;3;20/01/2025;01/02/2025;Attribution;15/02/2025;Bail signé;",
            "AZ2;Action Logement;01/03/2025;25/02/2025;1 mois;2;05/03/2025;20/03/2025;Refus;;Logement repris;",
            "AZ50;Commune d'Antibes;01/04/2025;25/03/2025;1 mois;1;05/04/2025;20/04/2025;Attribution;02/05/2025;Bail signé;",
            "AZ70;;01/05/2025;01/05/2025;1 mois;1;;;;10/05/2025;Bail signé;Relogement ANRU",
        ],
    );
    run_ok(&["suivi", "import", "--dossier", ds, "--bailleur", "Azur", reg.to_str().unwrap()]);
    let mut classeurs = vec![];
    for (nom, args) in [
        ("bilan.xlsx", vec!["bilan", "--dossier", ds, "--annee", "2025", "--bailleur", "Azur"]),
        (
            "bilan-al.xlsx",
            vec![
                "bilan",
                "--dossier",
                ds,
                "--annee",
                "2025",
                "--bailleur",
                "Azur",
                "--reservataire",
                "action-logement",
            ],
        ),
        ("fiche.xlsx", vec!["export", "fiche-assiette", "--dossier", ds, "--bailleur", "Azur", "--annee", "2025"]),
        (
            "prevision.xlsx",
            vec!["export", "prevision-soustraits", "--dossier", ds, "--bailleur", "Azur", "--annee", "2025"],
        ),
        ("edl.xlsx", vec!["export", "etat-des-lieux", "--dossier", ds]),
    ] {
        let out = t.path(nom);
        run_ok(&[&args[..], &["--out", out.to_str().unwrap()]].concat());
        classeurs.push(out);
    }
    let al = t.path("annexe-al.xlsx");
    assert!(annexe(&d, "action-logement", &["--epci", "240600585"], 2025, &al).status.success());
    classeurs.push(al);
    for x in &classeurs {
        if let Some(coupes) = textes_coupes(x) {
            assert!(coupes.is_empty(), "{} :\n{}", x.display(), coupes.join("\n"));
        }
    }
}

/// Read as the DDETS (casa review, 04/12): the total column of the fiche was left blank for
/// what the bailleur declares per EPCI (CUS, charte de relogement, manual exclusions,
/// comments) — read as forgotten. Azur on two EPCIs of the Alpes-Maritimes, the CUS taken into
/// account on the CASA only, the charte on both: the total says « selon l'EPCI » for the
/// first, « OUI » for the second, « aucune » manual exclusion, « — » for the comments.
#[test]
fn the_fiches_total_column_says_what_its_epcis_declared() {
    let t = TempDir::new("fiche-total");
    let mut lignes = vec![];
    for i in 0..40 {
        lignes.push(ligne(format!("A{i}"), "06004", "Antibes", "Non réservé", "T3", "PLUS"));
        lignes.push(ligne(format!("C{i}"), "06029", "Cannes", "Non réservé", "T2", "PLUS"));
    }
    let f = t.path("azur.xlsx");
    edl(&f, lignes);
    let d = t.path("d.sqlite");
    let ds = d.to_str().unwrap();
    import_ok(&d, &["--bailleur", "Azur", "--territoire", "06", "--date-reference", "2025-01-01"], &[&f]);
    for (epci, cus) in [("240600585", "oui"), ("200039915", "non")] {
        run_ok(&[
            "flux",
            "--dossier",
            ds,
            "--bailleur",
            "Azur",
            "--epci",
            epci,
            "--annee",
            "2025",
            "--rotation",
            "10",
            "--mutations",
            "0",
            "--cus",
            cus,
            "--charte-relogement",
            "oui",
            "--enregistrer",
        ]);
    }
    let x = t.path("fiche.xlsx");
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
        x.to_str().unwrap(),
    ]);
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&x).unwrap();
    let ws = wb.worksheet_range("Calcul de l'assiette").unwrap();
    let ligne_de = |debut: &str| -> Vec<String> {
        let r = ws.rows().find(|r| r.first().is_some_and(|c| c.to_string().starts_with(debut))).unwrap();
        r.iter().skip(1).map(|c| c.to_string()).collect()
    };
    let titres = ligne_de("Rubrique");
    assert_eq!(titres.len(), 3, "{titres:?}");
    assert!(titres[2].starts_with("Total"), "{titres:?}");
    // Cannes Pays de Lérins (200039915) first, by SIREN, then the CASA.
    assert_eq!(ligne_de("CUS prise en compte"), ["NON", "OUI", "selon l'EPCI"]);
    assert_eq!(ligne_de("Charte de relogement"), ["OUI", "OUI", "OUI"]);
    assert_eq!(ligne_de("  exclusions saisies à la main"), ["aucune", "aucune", "aucune"]);
    assert_eq!(ligne_de("Commentaires\u{a0}: relogements"), ["—", "—", "—"]);
    let pdf = t.path("fiche.pdf");
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
        pdf.to_str().unwrap(),
    ]);
    if let Some(txt) = texte_du_pdf(&pdf) {
        let cus = mots(&txt).into_iter().find(|l| l.first().is_some_and(|m| m == "CUS")).unwrap();
        assert!(cus.ends_with(&["NON".to_string(), "OUI".into(), "selon".into(), "l'EPCI".into()]), "{cus:?}");
    }
}

/// Read as a signatory (casa review, 04/12): only the annex's sentences had the no-break space
/// before « : » and « % »; the fiche, the forecast, the bilan, the fiche navette and the état des
/// lieux wrote an ordinary one (« Attention : », « Alerte : … »), so a wrapped cell could start a
/// line with « : ». Every workbook read back: no ordinary space before « : » or « % » in its
/// strings, and the thousands of its sentences as « 1 234 » (narrow no-break space), never as
/// « 1 234 ».
#[test]
fn every_workbook_keeps_french_typography() {
    let t = TempDir::new("typographie");
    let d = azur(&t);
    let ds = d.to_str().unwrap();
    flux_azur(&d, 2025, &["--rotation", "10", "--mutations", "0", "--enregistrer"]);
    let reg = t.path("registre.csv");
    csv_1252(
        &reg,
        &[
            "N° logement;Réservataire;Date de mise à disposition;Date de libération;Préavis;Nb candidats;Date désignation;Date commission;Décision;Date signature bail;Issue;Hors flux",
            "AZ1;Action Logement;15/01/2025;10/01/2025;1 mois;3;20/01/2025;01/02/2025;Attribution;15/02/2025;Bail signé;",
        ],
    );
    run_ok(&["suivi", "import", "--dossier", ds, "--bailleur", "Azur", reg.to_str().unwrap()]);
    let mut classeurs = vec![];
    for (nom, args) in [
        ("bilan.xlsx", vec!["bilan", "--dossier", ds, "--annee", "2025", "--bailleur", "Azur"]),
        ("fiche.xlsx", vec!["export", "fiche-assiette", "--dossier", ds, "--bailleur", "Azur", "--annee", "2025"]),
        (
            "prevision.xlsx",
            vec!["export", "prevision-soustraits", "--dossier", ds, "--bailleur", "Azur", "--annee", "2025"],
        ),
        (
            "navette.xlsx",
            vec![
                "export",
                "fiche-navette",
                "--dossier",
                ds,
                "--logement",
                "Azur:AZ1",
                "--reservataire",
                "action-logement",
            ],
        ),
        ("edl.xlsx", vec!["export", "etat-des-lieux", "--dossier", ds]),
    ] {
        let out = t.path(nom);
        run_ok(&[&args[..], &["--out", out.to_str().unwrap()]].concat());
        classeurs.push(out);
    }
    let al = t.path("annexe-al.xlsx");
    assert!(annexe(&d, "action-logement", &["--epci", "240600585"], 2025, &al).status.success());
    classeurs.push(al);
    for x in &classeurs {
        let Some(chaines) = zip_entry(x, "xl/sharedStrings.xml") else { return };
        let feuilles: String =
            (1..=20).filter_map(|i| zip_entry_muet(x, &format!("xl/worksheets/sheet{i}.xml"))).collect();
        for texte in chaines.split("<si>").skip(1).map(texte_xml).chain(feuilles.split("<is>").skip(1).map(texte_xml)) {
            assert!(!texte.contains(" :") && !texte.contains(" %"), "{} : « {texte} »", x.display());
        }
    }
}

/// A file of a zip archive, `None` without a word when it is absent (a workbook's sheets are
/// counted by trying them).
fn zip_entry_muet(path: &Path, name: &str) -> Option<String> {
    let o = std::process::Command::new("unzip").arg("-p").arg(path).arg(name).output().ok()?;
    (o.status.success() && !o.stdout.is_empty()).then(|| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// Read as the réservataire (casa review, 04/12): the realised share of the bilan's PDF was cut
/// inside its ratio, « 38,8 % (40 / » over « 103) ». Habitat Azur's register of the casa sample:
/// the State's 40 décomptés of the 103 of its perimeter, Action Logement's 44, each ratio whole
/// on its line.
#[test]
fn a_ratio_of_the_bilan_pdf_is_never_cut() {
    let Some(samples) = samples().filter(|s| s.join("casa-suivi/habitat_azur_suivi_2024.csv").exists()) else {
        return corpus_absent("le registre d'exemple casa-suivi");
    };
    let t = TempDir::new("bilan-ratio");
    let d = t.path("casa.contingents");
    let ds = d.to_str().unwrap();
    let edl = samples.join("casa/habitat_azur_edl_2024.xlsx");
    let o = import(
        &d,
        &["--territoire", "240600585", "--date-reference", "2024-01-01", "--bailleur", "Habitat Azur"],
        &[&edl],
    );
    assert!(o.status.success(), "{}", erreur(&o));
    run_ok(&[
        "flux",
        "--dossier",
        ds,
        "--bailleur",
        "Habitat Azur",
        "--epci",
        "240600585",
        "--annee",
        "2024",
        "--rotation",
        "8",
        "--enregistrer",
    ]);
    let registre = samples.join("casa-suivi/habitat_azur_suivi_2024.csv");
    run_ok(&["suivi", "import", "--dossier", ds, "--bailleur", "Habitat Azur", registre.to_str().unwrap()]);
    let pdf = t.path("bilan.pdf");
    run_ok(&[
        "bilan",
        "--dossier",
        ds,
        "--annee",
        "2024",
        "--bailleur",
        "Habitat Azur",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    if let Some(txt) = texte_du_pdf(&pdf) {
        for ratio in ["(40 / 103)", "(44 / 103)", "(11 / 11)", "(8 / 103)"] {
            assert!(txt.lines().any(|l| l.contains(ratio)), "{ratio} :\n{txt}");
        }
        assert!(!txt.lines().any(|l| l.trim_end().ends_with(" /")), "{txt}");
    }
}

/// Read as the DDETS (casa review, 04/12): the « Valeur » column of the annex was too narrow —
/// the perimeter of a departmental annex over four lines (« département des / Alpes-Maritimes
/// — EPCI / du dossier : CA de / Sophia Antipolis »), « État (contingent / préfectoral) » over
/// two —, and in the workbook over six lines of a column of 13. The PDF gives the value 175
/// points (the label 320), the workbook spreads a text value over the four value columns.
#[test]
fn the_annexs_values_have_room_for_a_name_or_a_perimeter() {
    let t = TempDir::new("annexe-valeur");
    let d = azur_et_hors_territoire(&t);
    let pdf = t.path("etat-06.pdf");
    assert!(annexe(&d, "etat", &["--departement", "06"], 2025, &pdf).status.success());
    if let Some(txt) = texte_du_pdf(&pdf) {
        let plat = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(txt.lines().map(plat).any(|l| l == "Réservataire État (contingent préfectoral)"), "{txt}");
        assert!(txt.lines().map(plat).any(|l| l == "Périmètre département des Alpes-Maritimes"), "{txt}");
    }
    let x = t.path("etat-06.xlsx");
    assert!(annexe(&d, "etat", &["--departement", "06"], 2025, &x).status.success());
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&x).unwrap();
    let ws = wb.worksheet_range("Annexe").unwrap();
    let i = ws.rows().position(|r| r.first().is_some_and(|c| *c == "Périmètre")).unwrap() + 1;
    let feuille = zip_entry(&x, "xl/worksheets/sheet1.xml").unwrap_or_default();
    assert!(feuille.is_empty() || feuille.contains(&format!("<mergeCell ref=\"B{i}:E{i}\"/>")), "ligne {i}");
    let coupes = textes_coupes(&x).unwrap_or_default();
    assert!(coupes.is_empty(), "{coupes:?}");
}

/// Read as a réservataire (casa review, 04/12): the forecast's workbook had a « Justifications »
/// heading over nothing when none was typed; its PDF said « Aucune justification saisie. ».
#[test]
fn the_forecast_workbook_says_no_justification_was_typed() {
    let t = TempDir::new("prevision-justifications");
    let d = azur(&t);
    let ds = d.to_str().unwrap();
    flux_azur(&d, 2025, &["--rotation", "10", "--mutations", "0", "--enregistrer"]);
    let x = t.path("prevision.xlsx");
    run_ok(&[
        "export",
        "prevision-soustraits",
        "--dossier",
        ds,
        "--bailleur",
        "Azur",
        "--annee",
        "2025",
        "--out",
        x.to_str().unwrap(),
    ]);
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&x).unwrap();
    let ws = wb.worksheet_range("Prévision des soustraits").unwrap();
    let textes: Vec<String> = ws.rows().filter_map(|r| r.first().map(|c| c.to_string())).collect();
    let i = textes.iter().position(|t| t == "Justifications").unwrap();
    assert_eq!(textes.get(i + 1).map(String::as_str), Some("Aucune justification saisie."), "{textes:?}");
}

/// Read as a réservataire (casa review, 04/12): the forecast gave « Mutations internes 24 »
/// with « Aucune justification saisie. » when they were the 10 % of the libérations by default
/// (the annex said so). With `azur`, a rotation of 10 % and no mutation typed: libérations 20,
/// mutations 2, and the forecast says how they were set.
#[test]
fn the_forecast_says_how_the_mutations_were_set() {
    let t = TempDir::new("prevision-mutations");
    let d = azur(&t);
    let ds = d.to_str().unwrap();
    flux_azur(&d, 2025, &["--rotation", "10", "--enregistrer"]);
    let attendu = "Mutations internes — CA de Sophia Antipolis : 10 % des libérations par défaut : ni objectif CUS ni années passées saisis.";
    let pdf = t.path("prevision.pdf");
    run_ok(&[
        "export",
        "prevision-soustraits",
        "--dossier",
        ds,
        "--bailleur",
        "Azur",
        "--annee",
        "2025",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    if let Some(txt) = texte_du_pdf(&pdf) {
        let plat = txt.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(plat.contains(attendu), "{txt}");
        assert!(!plat.contains("Aucune justification saisie"), "{txt}");
        assert!(a_la_ligne(&txt, &["Mutations", "internes", "2", "—", "2", "—"]), "{txt}");
    }
    let x = t.path("prevision.xlsx");
    run_ok(&[
        "export",
        "prevision-soustraits",
        "--dossier",
        ds,
        "--bailleur",
        "Azur",
        "--annee",
        "2025",
        "--out",
        x.to_str().unwrap(),
    ]);
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&x).unwrap();
    let ws = wb.worksheet_range("Prévision des soustraits").unwrap();
    let textes: Vec<String> =
        ws.rows().filter_map(|r| r.first().map(|c| c.to_string().replace(['\u{a0}', '\u{202f}'], " "))).collect();
    assert!(textes.iter().any(|t| t == attendu), "{textes:?}");
}

/// Read as a réservataire (casa review, 04/12): the bilan's workbook gave a taux de chute and
/// « en cours » without saying how they are counted; its PDF said it at its head. The
/// consolidation sheet says it now, over the table's width.
#[test]
fn the_bilan_workbook_says_how_the_taux_de_chute_is_counted() {
    let t = TempDir::new("bilan-comptage");
    let d = azur(&t);
    let ds = d.to_str().unwrap();
    flux_azur(&d, 2025, &["--rotation", "10", "--mutations", "0", "--enregistrer"]);
    let reg = t.path("registre.csv");
    csv_1252(
        &reg,
        &[
            "N° logement;Réservataire;Date de mise à disposition;Date de libération;Préavis;Nb candidats;Date désignation;Date commission;Décision;Date signature bail;Issue;Hors flux",
            "AZ1;Action Logement;15/01/2025;10/01/2025;1 mois;3;20/01/2025;01/02/2025;Attribution;15/02/2025;Bail signé;",
        ],
    );
    run_ok(&["suivi", "import", "--dossier", ds, "--bailleur", "Azur", reg.to_str().unwrap()]);
    let x = t.path("bilan.xlsx");
    run_ok(&["bilan", "--dossier", ds, "--annee", "2025", "--bailleur", "Azur", "--out", x.to_str().unwrap()]);
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&x).unwrap();
    let ws = wb.worksheet_range("Consolidation").unwrap();
    let textes: Vec<String> =
        ws.rows().filter_map(|r| r.first().map(|c| c.to_string().replace('\u{a0}', " "))).collect();
    assert!(
        textes
            .iter()
            .any(|t| t.contains("Le taux de chute porte sur les mises à disposition de la période conclues à sa fin")),
        "{textes:?}"
    );
    assert!(
        textes
            .iter()
            .any(|t| t.starts_with("Mises à disposition de la période = conclues par un bail + en cours + chutes")),
        "{textes:?}"
    );
}
