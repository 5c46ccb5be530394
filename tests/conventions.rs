//! The figures one signs, through the command line: the departmental flux that governs its
//! EPCIs, the rates as applied, the annexes (read back from the PDF with `pdftotext`), the
//! fiche récapitulative, the forecast of the soustraits, the bilan of a commune, the reply
//! deadline with the dwelling's holidays.

use crate::common::*;
use calamine::DataType;
use std::path::PathBuf;

/// A bailleur on two EPCIs of the Alpes-Maritimes: the CASA and Cannes Pays de Lérins.
fn deux_epcis(t: &TempDir, n: usize) -> PathBuf {
    let d = t.path("d.sqlite");
    let mut rows = contingents::demo::generate_rows("240600585", "A", n * 2 / 3, 7);
    rows.extend(contingents::demo::generate_rows("200039915", "C", n / 3, 8));
    let f = t.path("azur_edl.xlsx");
    contingents::demo::write_xlsx(&f, &rows, None).unwrap();
    import_ok(&d, &["--bailleur", "Azur", "--territoire", "06", "--date-reference", "2025-01-01"], &[&f]);
    d
}

#[test]
fn a_departmental_flux_saved_governs_the_epcis_their_annexes_and_the_bilans() {
    let t = TempDir::new("departement");
    let d = deux_epcis(&t, 3000);
    let ds = d.to_str().unwrap();
    let dep = flux_json(ds, "Azur", ["--departement", "06"], "2025", &["--rotation", "5", "--mutations", "0"]);
    // Not saved yet: each EPCI on its own, the State ⌊30 % × F_e⌋ in each.
    let avant: u64 = ["240600585", "200039915"]
        .iter()
        .map(|e| {
            let f = flux_json(ds, "Azur", ["--epci", e], "2025", &["--rotation", "5", "--mutations", "0"]);
            logements(&f, "etat") + logements(&f, "etat-fonctionnaires")
        })
        .sum();
    let flux = dep["flux"].as_u64().unwrap();
    let etat = logements(&dep, "etat") + logements(&dep, "etat-fonctionnaires");
    assert_eq!(etat, flux * 3 / 10, "⌊30 % × ΣF⌋ on the département (ΣF = {flux})");
    let epcis = dep["epcis"].as_array().unwrap();
    assert_eq!(epcis.len(), 2);
    assert_eq!(epcis.iter().map(|e| e["flux"].as_u64().unwrap()).sum::<u64>(), flux);
    // `--mutations 0` is a count like any other, spread over the EPCIs (0 each).
    assert!(epcis.iter().all(|e| e["soustraits"]["mutations"] == 0));
    // Saved for the département: every EPCI view shows its part of the departmental flux.
    flux_ok(ds, "Azur", ["--departement", "06"], "2025", &["--rotation", "5", "--mutations", "0", "--enregistrer"]);
    let mut total = 0;
    for e in epcis {
        let siren = e["epci"].as_str().unwrap();
        let vue = flux_json(ds, "Azur", ["--epci", siren], "2025", &[]);
        assert_eq!(vue["departement"], "06");
        let n = logements(&vue, "etat") + logements(&vue, "etat-fonctionnaires");
        assert_eq!(n, logements(e, "etat") + logements(e, "etat-fonctionnaires"));
        assert_eq!(part(&vue, "action-logement")["perimetre"]["departement"], "06");
        total += n;
        // The bilan's objectives are the EPCI's parts.
        let b = bilan_json(ds, "2025", &["--bailleur", "Azur", "--epci", siren]);
        let obj: u64 = b["reservataires"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["id"].as_str().unwrap().starts_with("etat"))
            .map(|r| r["objectif"].as_u64().unwrap())
            .sum();
        assert_eq!(obj, n, "objectives of {siren}");
    }
    assert_eq!(total, etat, "the EPCIs' figures add up to the departmental convention");
    assert!(total >= avant, "never fewer than the sum of per-EPCI floors ({avant})");
    // The departmental annex: the departmental flux, the State's share by EPCI and commune.
    let pdf = t.path("annexe_etat_06.pdf");
    exporter("annexe", ds, &["--reservataire", "etat", "--departement", "06", "--annee", "2025"], &pdf);
    let xlsx = t.path("annexe_al_06.xlsx");
    exporter("annexe", ds, &["--reservataire", "action-logement", "--departement", "06", "--annee", "2025"], &xlsx);
    if let Some(txt) = texte_du_pdf(&pdf) {
        assert!(txt.contains("Annexe départementale"), "{txt}");
        for nom in [
            "CA de Sophia Antipolis",
            "CA Cannes Pays de Lérins",
            "Total du département",
            "Antibes (06004)",
            "Cannes (06029)",
        ] {
            assert!(txt.contains(nom), "{nom} absent");
        }
        assert!(txt.contains("Flux annuel 2025 à répartir sur le département des Alpes-Maritimes"));
    }
    // A commune's convention is not departmental.
    let o = run(&[
        "export",
        "annexe",
        "--dossier",
        ds,
        "--reservataire",
        "commune:06004",
        "--departement",
        "06",
        "--out",
        t.path("x.pdf").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn the_state_annex_of_several_thousand_dwellings_prints_every_line_of_its_flux_qualifie_and_the_signatures() {
    let t = TempDir::new("annexe-etat");
    let d = generated_dossier(&t, 4000, 3);
    let ds = d.to_str().unwrap();
    let bailleur = report(&d)["cellules"][0]["bailleur"].as_str().unwrap().to_string();
    let f = flux_json(
        ds,
        &bailleur,
        ["--epci", "248300543"],
        "2025",
        &["--rotation", "9", "--mutations", "10%", "--enregistrer"],
    );
    let pdf = t.path("annexe_etat.pdf");
    exporter("annexe", ds, &["--reservataire", "etat", "--epci", "248300543", "--annee", "2025"], &pdf);
    let bytes = std::fs::read(&pdf).unwrap();
    // The subset font carries its tag (PDF 32000 §9.6.4).
    let nom = String::from_utf8_lossy(&bytes);
    let i = nom.find("+DejaVuSans").expect("a subset font name");
    assert!(nom[i - 6..i].chars().all(|c| c.is_ascii_uppercase()), "{}", &nom[i - 7..i + 11]);
    let Some(txt) = texte_du_pdf(&pdf) else { return };
    // Every cell of the State's flux qualifié (publics prioritaires + agents), on its own line.
    let mut cellules: std::collections::BTreeMap<(String, String, bool), (u64, u64)> = Default::default();
    for (k, id) in ["etat", "etat-fonctionnaires"].iter().enumerate() {
        for c in f["flux_qualifie"][id].as_array().unwrap() {
            let e = cellules
                .entry((
                    c["financement"].as_str().unwrap().into(),
                    c["typologie"].as_str().unwrap().into(),
                    c["qpv"].as_bool().unwrap(),
                ))
                .or_default();
            let n = c["logements"].as_u64().unwrap();
            if k == 0 { e.0 += n } else { e.1 += n }
        }
    }
    assert!(cellules.len() > 20, "a flux qualifié of {} lines", cellules.len());
    let lignes: Vec<Vec<&str>> = txt.lines().map(|l| l.split_whitespace().collect()).collect();
    for ((fin, typ, qpv), (e, fo)) in &cellules {
        let qpv: Vec<&str> = if *qpv { vec!["QPV"] } else { vec!["hors", "QPV"] };
        let mut attendu: Vec<String> = vec![fin.clone(), typ.clone()];
        attendu.extend(qpv.iter().map(|s| s.to_string()));
        attendu.extend([e.to_string(), fo.to_string(), (e + fo).to_string()]);
        assert!(
            lignes.iter().any(|l| l.iter().map(|s| s.to_string()).collect::<Vec<_>>() == attendu),
            "line {attendu:?} of the flux qualifié absent"
        );
    }
    let total_etat = logements(&f, "etat") + logements(&f, "etat-fonctionnaires");
    assert!(
        lignes.iter().any(|l| l.first() == Some(&"Total") && l.last() == Some(&total_etat.to_string().as_str())),
        "the total line"
    );
    // The signature block and every page numbered « n / N ».
    assert!(
        txt.contains("Fait à")
            && txt.contains(&format!("Pour le bailleur {bailleur}"))
            && txt.contains("Pour le préfet et par délégation")
    );
    let pages = txt.matches('\u{c}').count().max(1);
    for n in 1..=pages {
        assert!(txt.contains(&format!("page {n} / {pages}")), "page {n} / {pages}");
    }
    assert!(pages >= 2, "a long annex goes on over pages");
    assert!(txt.contains("Édité le"));
}

#[test]
fn fonctionnaires_asked_at_7_percent_are_printed_at_5_percent_plafonne() {
    let t = TempDir::new("fonctionnaires");
    let d = t.path("d.sqlite");
    let f = t.path("edl.xlsx");
    // 570 dwellings in Antibes, none reserved: F = 57 with a rotation of 10 %.
    edl(&f, (0..570).map(|i| ligne(format!("A{i}"), "06004", "Antibes", "Libre", "T3", "PLUS")));
    import_ok(&d, &["--bailleur", "Azur", "--territoire", "240600585", "--date-reference", "2025-01-01"], &[&f]);
    let ds = d.to_str().unwrap();
    let j = flux_azur_json(
        ds,
        2025,
        &["--rotation", "10", "--mutations", "0", "--fonctionnaires", "7", "--taux", "etat=35", "--enregistrer"],
    );
    assert_eq!(j["flux"], 57);
    let fo = part(&j, "etat-fonctionnaires");
    assert_eq!(
        (fo["taux"].as_f64(), fo["taux_demande"].as_f64(), fo["logements"].as_u64()),
        (Some(0.05), Some(0.07), Some(2))
    );
    let etat = part(&j, "etat");
    assert!((etat["taux"].as_f64().unwrap() - 0.25).abs() < 1e-12, "30 % applied without arrêté, of which 5 % agents");
    assert!(
        (etat["taux_demande"].as_f64().unwrap() - 0.28).abs() < 1e-12,
        "35 % asked, of which 7 % for the agents: 28 % for the prioritaires"
    );
    assert_eq!(logements(&j, "etat") + logements(&j, "etat-fonctionnaires"), 17);
    let regles: Vec<&str> = j["alertes"].as_array().unwrap().iter().map(|a| a["regle"].as_str().unwrap()).collect();
    assert!(regles.contains(&"fonctionnaires_max_5") && regles.contains(&"etat_max_30"));
    for (id, nom) in [("etat-fonctionnaires", "fo.pdf"), ("etat", "etat.pdf")] {
        let pdf = t.path(nom);
        exporter("annexe", ds, &["--reservataire", id, "--epci", "240600585", "--annee", "2025"], &pdf);
        let Some(txt) = texte_du_pdf(&pdf) else { return };
        let plat = txt.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(plat.contains("plafonné"), "{plat}");
        // 7 % and 35 % appear only as what was asked, never as the convention's rate.
        for l in txt.lines().filter(|l| l.contains("7,0 %") || l.contains("35,0 %")) {
            assert!(l.contains("demandé"), "« {l} » presents a rate asked beyond the ceiling");
        }
        if id == "etat-fonctionnaires" {
            assert!(plat.contains("Taux de la convention 5,0 %"), "{plat}");
        } else {
            assert!(plat.contains("Part totale de l'État appliquée (publics prioritaires et agents) 30,0 %"), "{plat}");
        }
    }
    let x = t.path("fo.xlsx");
    exporter("annexe", ds, &["--reservataire", "etat-fonctionnaires", "--epci", "240600585", "--annee", "2025"], &x);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&x).unwrap();
    let ws = wb.worksheet_range("Annexe").unwrap();
    let taux = ws.rows().find(|r| r[0] == "Taux de la convention").expect("the rate's row");
    assert_eq!(taux[1].get_float(), Some(0.05), "a percent-formatted number");
}

#[test]
fn the_bilan_of_a_commune_states_its_rate_on_its_commune() {
    let t = TempDir::new("bilan-commune");
    let d = t.path("d.sqlite");
    let f = t.path("edl.xlsx");
    // Antibes: 97 dwellings, 15 reserved by the commune (15,46 %); Biot: 136 not reserved. On
    // the EPCI the commune's stock would be 15 / 233 = 6,4 %.
    let antibes = (0..97).map(|i| {
        let res = if i < 15 { "Ville d'Antibes" } else { "Libre" };
        ligne(format!("A{i}"), "06004", "Antibes", res, "T3", "PLUS")
    });
    let biot = (0..136).map(|i| ligne(format!("B{i}"), "06018", "Biot", "Libre", "T2", "PLUS"));
    edl(&f, antibes.chain(biot));
    import_ok(&d, &["--bailleur", "Azur", "--territoire", "240600585", "--date-reference", "2024-01-01"], &[&f]);
    let ds = d.to_str().unwrap();
    let flux = flux_azur_json(ds, 2024, &["--rotation", "30", "--mutations", "0", "--enregistrer"]);
    let taux = part(&flux, "commune:06004")["taux"].as_f64().unwrap();
    assert!((taux - 15.0 / 97.0).abs() < 1e-12);
    let reg = t.path("registre.csv");
    std::fs::write(
        &reg,
        "N° logement;Réservataire;Date de mise à disposition;Date signature bail;Issue\n\
         A20;Ville d'Antibes;10/02/2024;20/03/2024;Bail signé\n\
         A21;Préfecture;10/02/2024;25/03/2024;Bail signé\n\
         A22;Préfecture;12/02/2024;26/03/2024;Bail signé\n\
         B1;Préfecture;10/02/2024;28/03/2024;Bail signé\n\
         A23;Ville d'Antibes;01/12/2024;;En cours\n",
    )
    .unwrap();
    suivi_import(ds, "Azur", &reg);
    let b = bilan_json(ds, "2024", &["--bailleur", "Azur"]);
    let c = part(&b, "commune:06004");
    assert_eq!(c["taux_convention"].as_f64(), Some(taux), "the same value as the flux: 15,46 %, not 6,4 %");
    // Its share of Antibes' décomptes (1 of 3), not of the EPCI's (1 of 4).
    assert!((c["part_realisee"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!((c["en_cours"].as_u64(), c["chutes"].as_u64(), c["taux_chute"].as_f64()), (Some(1), Some(0), Some(0.0)));
    for k in ["en_cours", "chutes", "taux_convention", "part_realisee", "chutes_par_cause"] {
        assert!(c.get(k).is_some(), "{k}");
    }
    let hf: Vec<&str> = b["hors_flux"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        hf,
        ["autres", "insalubres", "mutations", "orcod", "relogements", "relogements_hors_anru", "urgence", "ventes"]
    );
    // The bilan to sign, with everything the workbook holds.
    let pdf = t.path("bilan.pdf");
    bilan_vers(ds, "2024", &["--bailleur", "Azur", "--epci", "240600585"], &pdf);
    if let Some(txt) = texte_du_pdf(&pdf) {
        for s in [
            "En cours",
            "Chutes",
            "Reliquat",
            "Part réalisée",
            // Header cells wrap: their first words.
            "Taux de la",
            "R.441-5-1",
            "Période de",
            "Hors flux",
            "Le directeur général d'Azur",
            "Fait à",
            "CA de Sophia Antipolis",
            "15,5 %",
        ] {
            assert!(txt.contains(s), "« {s} » absent du bilan");
        }
    }
}

#[test]
fn the_fiche_has_every_line_of_the_ddets_form_the_bailleurs_address_and_no_technical_justification() {
    let t = TempDir::new("fiche");
    let d = deux_epcis(&t, 900);
    let ds = d.to_str().unwrap();
    run_ok(&[
        "bailleur",
        "--dossier",
        ds,
        "--nom",
        "Azur",
        "--adresse",
        "3 rue des Pins, 06600 Antibes",
        "--correspondant",
        "Claire Martin",
        "--fonction",
        "responsable de la gestion locative",
        "--courriel",
        "c.martin@azur.fr",
    ]);
    flux_azur(
        ds,
        2025,
        &[
            "--rotation",
            "6",
            "--mutations",
            "5",
            "--relogements",
            "2",
            "--orcod",
            "1",
            "--justification",
            "relogements=NPNRU Les Semboules",
            "--enregistrer",
        ],
    );
    let x = t.path("fiche.xlsx");
    exporter("fiche-assiette", ds, &["--bailleur", "Azur", "--annee", "2025"], &x);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&x).unwrap();
    let ws = wb.worksheet_range("Calcul de l'assiette").unwrap();
    // Read with ordinary spaces (the workbook writes « : » after a no-break space).
    let a: Vec<String> = ws.rows().map(|r| r[0].to_string().replace('\u{a0}', " ")).collect();
    let tout =
        ws.rows().flat_map(|r| r.iter().map(|c| c.to_string().replace('\u{a0}', " "))).collect::<Vec<_>>().join("\n");
    assert!(
        tout.contains("3 rue des Pins, 06600 Antibes")
            && tout.contains("Claire Martin, responsable de la gestion locative")
    );
    for l in [
        "CUS prise en compte pour les soustraits (OUI / NON)",
        "Charte de relogement prise en compte (OUI / NON)",
        "Parc RPLS au 1er janvier",
        "Total des logements exclus de l'assiette",
        "  dont PLI (hors logement social)",
        "  dont foyers de travailleurs migrants",
        "  dont structures médico-sociales",
        "  dont CHRS et résidences sociales",
        "  dont logements étudiants",
        "  dont défense, sécurité intérieure, santé",
        "Total des soustraits du flux",
        "  dont mutations internes",
        "  dont relogements ANRU / NPNRU (démolisseur et contributeurs)",
        "  dont relogements hors ANRU (démolition, réhabilitation lourde) — accord du préfet",
        "  dont logements insalubres (LHI, obligation de relogement)",
        "  dont relogements liés aux ventes",
        "Opérations nouvelles (mises en service, dans l'assiette l'an prochain)",
        "Assiette à répartir",
        "Taux de rotation commun aux réservataires",
        "Demande de l'État : part du flux demandée (prioritaires et fonctionnaires)",
        "  dont candidats prioritaires (part demandée)",
        "  dont candidats fonctionnaires (part demandée)",
        "  candidats prioritaires : part appliquée",
        "  candidats prioritaires : logements",
        "  candidats fonctionnaires : part appliquée",
        "  candidats fonctionnaires : logements",
        "Demande de l'État au-delà d'un plafond légal",
        "Autres logements spécifiques de l'assiette",
        "  dont PLAI adaptés",
        "  dont logements PMR-USH",
        "Commentaires : logements spécifiques",
        "Commentaires : mutations (avec la CUS)",
        "Commentaires : relogements",
    ] {
        assert!(a.iter().any(|x| x == l), "line « {l} » absent: {a:?}");
    }
    // A line at zero stays (no foyers de travailleurs migrants from this generator).
    let ftm = ws.rows().find(|r| r[0] == "  dont défense, sécurité intérieure, santé").unwrap();
    assert!(ftm[1].get_float().is_some());
    // The State's requests not entered: « non saisie » (never a blank), and said so.
    for l in [
        "Demande de l'État : part du flux demandée (prioritaires et fonctionnaires)",
        "  dont candidats prioritaires (part demandée)",
        "  dont candidats fonctionnaires (part demandée)",
    ] {
        let demande = ws.rows().find(|r| r[0].to_string().replace('\u{a0}', " ") == l).unwrap();
        assert!(demande[1] == "non saisie" && demande[2] == "non saisie", "{demande:?}");
    }
    // What is applied is always there: 30 % by default.
    let applique = ws.rows().find(|r| r[0].to_string().starts_with("Part de l'État appliquée")).unwrap();
    assert_eq!(applique[1].get_float(), Some(0.3));
    assert!(tout.contains("Demande de l'État pour les candidats prioritaires non saisie"));
    assert!(tout.contains("NPNRU Les Semboules"));
    assert!(!tout.contains("ligne de commande"));
    // The forecast of the soustraits: by category and by EPCI, with the justification.
    let p = t.path("prevision.xlsx");
    exporter("prevision-soustraits", ds, &["--bailleur", "Azur", "--annee", "2025"], &p);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&p).unwrap();
    let ws = wb.worksheet_range("Prévision des soustraits").unwrap();
    let entete: Vec<String> = ws.rows().find(|r| r[0] == "Catégorie").unwrap().iter().map(|c| c.to_string()).collect();
    let casa = entete.iter().position(|h| h == "CA de Sophia Antipolis\u{a0}: prévus 2025").unwrap();
    let val = |cat: &str| ws.rows().find(|r| r[0].to_string().starts_with(cat)).unwrap()[casa].get_float();
    assert_eq!(
        (val("Mutations internes"), val("Relogements ANRU"), val("Relogements ORCOD")),
        (Some(5.0), Some(2.0), Some(1.0))
    );
    let tout = ws.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect::<Vec<_>>().join("\n");
    assert!(tout.contains("28 février 2025") && tout.contains("NPNRU Les Semboules"));
}

#[test]
fn the_reply_deadline_counts_the_holidays_of_the_dwellings_departement() {
    // Friday 20 December 2024, 1-month notice: 26 December is a holiday in the Bas-Rhin.
    let d = |extra: &[&str]| {
        let mut a = vec!["delai", "--mise-a-disposition", "2024-12-20", "--preavis", "1"];
        a.extend_from_slice(extra);
        run_ok(&a).trim().to_string()
    };
    assert_eq!(d(&["--departement", "67"]), "2025-01-15");
    assert_eq!(d(&["--departement", "75"]), "2025-01-14");
    assert_eq!(d(&[]), "2025-01-14");
    assert_eq!(
        run(&["delai", "--mise-a-disposition", "2024-12-20", "--preavis", "1", "--departement", "99"]).status.code(),
        Some(1)
    );
    // A dwelling of the dossier in Strasbourg; the convention of Action Logement gives one month,
    // and the State's works Whit Monday.
    let t = TempDir::new("delai");
    let dossier = t.path("d.sqlite");
    let f = t.path("edl.xlsx");
    xlsx(&f, &[("EDL", vec![HEADER.to_vec(), vec!["S1", "67482", "Strasbourg", "Libre", "T3", "PLUS"]])]);
    let o = import(&dossier, &["--bailleur", "Alsace Habitat", "--territoire", "67"], &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ds = dossier.to_str().unwrap();
    let l = |date: &str, res: Option<&str>| {
        let mut a = vec![
            "delai",
            "--mise-a-disposition",
            date,
            "--preavis",
            "1",
            "--dossier",
            ds,
            "--logement",
            "Alsace Habitat:S1",
        ];
        if let Some(r) = res {
            a.extend(["--reservataire", r]);
        }
        run_ok(&a).trim().to_string()
    };
    assert_eq!(l("2024-12-20", None), "2025-01-15");
    run_ok(&[
        "bailleur",
        "--dossier",
        ds,
        "--nom",
        "Alsace Habitat",
        "--reservataire",
        "action-logement",
        "--delai",
        "un-mois",
    ]);
    assert_eq!(l("2024-12-20", Some("action-logement")), "2025-01-20", "one month: Monday 20 January");
    run_ok(&[
        "bailleur",
        "--dossier",
        ds,
        "--nom",
        "Alsace Habitat",
        "--reservataire",
        "etat",
        "--lundi-pentecote",
        "travaille",
    ]);
    // Made available on Friday 30 May 2025: with Whit Monday worked, 20 June instead of 23 June.
    assert_eq!(l("2025-05-30", Some("etat")), "2025-06-20");
    assert_eq!(l("2025-05-30", Some("action-logement")), "2025-06-30");
    let o = run(&["bailleur", "--dossier", ds, "--nom", "Inconnu", "--adresse", "x"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_bailleur_is_renamed_everywhere_and_a_name_taken_is_refused() {
    let t = TempDir::new("renommer");
    let d = azur(&t);
    let ds = d.to_str().unwrap();
    let f = t.path("logis.xlsx");
    edl_antibes(&f, "L", 9);
    import_ok(&d, &["--bailleur", "Logis"], &[&f]);
    // Azur's flux of 2025 saved (rotation 10 %: flux 20) and its address.
    let avant = flux_azur_json(ds, 2025, &["--rotation", "10", "--mutations", "0", "--enregistrer"]);
    assert_eq!(avant["flux"], 20);
    run_ok(&["bailleur", "--dossier", ds, "--nom", "Azur", "--adresse", "3 rue des Pins, 06600 Antibes"]);
    let historique_avant = historique(&d);
    // A name another bailleur has, also with other capitals or accents: refused, nothing changed.
    for pris in ["Logis", "LOGIS", "Lögis"] {
        let o = run(&["bailleur", "--dossier", ds, "--nom", "Azur", "--renommer", pris]);
        assert_eq!(o.status.code(), Some(1), "{pris}");
        assert!(erreur(&o).contains("le nom « ") && erreur(&o).contains("est déjà pris par le bailleur « Logis »"));
    }
    let o = run(&["bailleur", "--dossier", ds, "--nom", "Inconnu", "--renommer", "X"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(erreur(&o).contains("bailleur inconnu dans le dossier : « Inconnu »"), "{}", erreur(&o));
    assert_eq!(cells_sum(&report(&d), |c| c["bailleur"] == "Azur"), 200);
    // Renamed: its 200 dwellings, its saved flux and its address follow the new name.
    let sortie = run_ok(&["bailleur", "--dossier", ds, "--nom", "Azur", "--renommer", "Société Azur"]);
    assert!(sortie.contains("Bailleur « Azur » renommé « Société Azur »"), "{sortie}");
    assert!(sortie.contains("Adresse : 3 rue des Pins, 06600 Antibes"), "{sortie}");
    let r = report(&d);
    assert_eq!(cells_sum(&r, |c| c["bailleur"] == "Société Azur"), 200);
    assert_eq!(cells_sum(&r, |c| c["bailleur"] == "Azur"), 0);
    assert_eq!(cells_sum(&r, |c| c["bailleur"] == "Logis"), 9);
    // The flux read without parameters is the one saved under the old name.
    let apres = flux_json(ds, "Société Azur", ["--epci", "240600585"], "2025", &[]);
    assert_eq!(apres["flux"], 20);
    assert_eq!(apres["reservataires"], avant["reservataires"]);
    // The history's JSON keeps its contract: the same imports, the new name.
    let h = historique(&d);
    assert_eq!(h.as_array().unwrap().len(), historique_avant.as_array().unwrap().len());
    assert_eq!(h[0]["bailleur"], "Société Azur");
    let o = run(&["flux", "--dossier", ds, "--bailleur", "Azur", "--epci", "240600585", "--annee", "2025"]);
    assert_eq!(o.status.code(), Some(1), "the old name is gone");
}
