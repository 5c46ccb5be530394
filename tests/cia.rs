//! The CIA objectives (domaine.md, « Attribution objectives (CIA, CCH L.441-1) »): a register
//! written by hand with the household of each lease, every count and share computed by hand,
//! for the year and each semester; the alerts when an objective is missed, and only then.

use crate::common::part as reservataire;
use crate::common::*;
use serde_json::Value;

/// 22 dwellings in Antibes (CASA): hors QPV A0–A9, A17, A18, A20, A21; in QPV A10–A16, A19.
fn dossier(t: &TempDir) -> std::path::PathBuf {
    let d = t.path("d.sqlite");
    let f = t.path("azur.xlsx");
    let header = ["Référence", "Code INSEE", "Commune", "Réservataire", "Typologie", "Financement", "QPV"];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for i in 0..22 {
        let res = match i {
            0..=4 | 10..=13 => "Préfecture",
            5..=9 | 14..=16 => "ALS",
            20 => "Préfecture fonctionnaires",
            _ => "Libre",
        };
        let qpv = if (10..=16).contains(&i) || i == 19 { "Oui" } else { "Non" };
        rows.push(vec![
            format!("A{i}"),
            "06004".into(),
            "Antibes".into(),
            res.into(),
            "T3".into(),
            "PLUS".into(),
            qpv.into(),
        ]);
    }
    let refs: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    xlsx(&f, &[("EDL", refs)]);
    let o = import(&d, &["--bailleur", "Azur", "--territoire", "240600585", "--date-reference", "2024-01-01"], &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    d
}

const HEAD: &str = "N° logement;Réservataire;Date de mise à disposition;Date de libération;Préavis;Date signature bail;Issue;Hors flux;Public prioritaire;Quartile de ressources";

/// One lease: dwelling, réservataire, day/month of the lease, household, quartile.
fn bail(reference: &str, res: &str, jour: &str, public: &str, quartile: &str) -> String {
    format!(
        "{reference};{res};01/{m}/2024;01/{m}/2024;1 mois;{jour}/2024;Bail signé;;{public};{quartile}",
        m = &jour[3..5]
    )
}

fn registre(t: &TempDir) -> std::path::PathBuf {
    let mut lines = vec!["Registre 2024 — Azur".to_string(), HEAD.to_string()];
    lines.extend([
        bail("A0", "Préfecture", "15/02", "Prioritaire DALO", "1er quartile"),
        bail("A1", "Préfecture", "10/03", "Public prioritaire (PDALHPD)", "Q2"),
        bail("A2", "Préfecture", "05/05", "Non prioritaire", "1"),
        bail("A3", "Préfecture", "12/08", "Oui", "2"),
        bail("A4", "Préfecture", "20/09", "", ""),
        bail("A5", "ALS", "01/02", "Non", "Q1"),
        bail("A6", "ALS", "15/04", "Oui", "3e quartile"),
        bail("A7", "ALS", "20/07", "Non prioritaire", "4"),
        bail("A8", "ALS", "10/10", "Ménage bleu", "Q3"),
        bail("A9", "ALS", "05/11", "", ""),
        bail("A10", "Préfecture", "10/01", "DALO", "Q1"),
        bail("A11", "Préfecture", "20/06", "Prioritaire DALO", "2"),
        bail("A12", "Préfecture", "15/07", "Public prioritaire (PDALHPD)", "Quartile 3"),
        bail("A13", "Préfecture", "01/12", "Non prioritaire", "4e quartile"),
        bail("A14", "ALS", "01/03", "Non", "1er quartile"),
        bail("A15", "ALS", "15/09", "Oui", "Q2"),
        bail("A16", "ALS", "20/10", "Non", "4"),
        bail("A17", "Libre", "10/04", "Oui", "Q4"),
        bail("A18", "Libre", "10/08", "Non", "Q1"),
        bail("A19", "Libre", "15/05", "Non prioritaire", "Q1"),
        bail("A20", "Préfecture fonctionnaires", "12/06", "Non", "2"),
        // A relogement ANRU outside QPV: first quartile whatever its quartile.
        "A21;;20/03/2024;20/03/2024;1 mois;20/03/2024;Bail signé;Relogement ANRU;;3".into(),
        // A mise à disposition without a lease: no household counted.
        "A5;ALS;01/12/2024;01/12/2024;1 mois;;En cours;;Oui;Q1".into(),
    ]);
    let p = t.path("registre_azur.csv");
    let text = lines.join("\r\n");
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn bilan(ds: &str, extra: &[&str]) -> Value {
    bilan_json(ds, "2024", &[&["--bailleur", "Azur"], extra].concat())
}

/// (leases, prioritaires, of which DALO, non renseignés, share, objective)
fn prioritaires(r: &Value) -> (u64, u64, u64, u64, Option<f64>, Option<f64>) {
    (
        r["baux_signes"].as_u64().unwrap(),
        r["attributions_prioritaires"].as_u64().unwrap(),
        r["dont_dalo"].as_u64().unwrap(),
        r["non_renseignes"].as_u64().unwrap(),
        r["part_prioritaires"].as_f64(),
        r["objectif_prioritaires"].as_f64(),
    )
}

/// (leases, of the quartiles counted, non renseignés, share, objective)
fn quartiles(c: &Value, n: &str) -> (u64, u64, u64, Option<f64>, f64) {
    (
        c["baux"].as_u64().unwrap(),
        c[n].as_u64().unwrap(),
        c["non_renseignes"].as_u64().unwrap(),
        c["part"].as_f64(),
        c["objectif"].as_f64().unwrap(),
    )
}

fn regles(b: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = b["alertes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["regle"].as_str().unwrap().contains("sous_objectif"))
        .map(|a| (a["regle"].as_str().unwrap().to_string(), a["reservataire"].as_str().unwrap_or("").to_string()))
        .collect();
    v.sort();
    v
}

fn proche(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn a_hand_written_register_with_households() {
    let t = TempDir::new("cia");
    let d = dossier(&t);
    let ds = d.to_str().unwrap();
    let out = suivi_import(ds, "Azur", &registre(&t));
    assert!(out.contains("23 lignes lues"), "{out}");

    // The year: 22 leases.
    let y = bilan(ds, &[]);
    // State: A0 A1 A2 A3 A4 A10 A11 A12 A13; prioritaires A0 A1 A3 A10 A11 A12, DALO A0 A10 A11;
    // A4 not filled in: 6 / 8 = 75 % against 100 %.
    let (n, p, dalo, nr, part, obj) = prioritaires(reservataire(&y, "etat"));
    assert_eq!((n, p, dalo, nr), (9, 6, 3, 1));
    assert!(proche(part, 0.75) && proche(obj, 1.0), "{part:?} {obj:?}");
    // Action Logement: A5–A9 A14–A16; prioritaires A6 A15; « Ménage bleu » (A8) unknown and A9
    // empty apart: 2 / 6 against 25 %.
    let (n, p, dalo, nr, part, obj) = prioritaires(reservataire(&y, "action-logement"));
    assert_eq!((n, p, dalo, nr), (8, 2, 0, 2));
    assert!(proche(part, 2.0 / 6.0) && proche(obj, 0.25));
    // The fonctionnaires: no objective.
    let (n, p, _, nr, part, obj) = prioritaires(reservataire(&y, "etat-fonctionnaires"));
    assert_eq!((n, p, nr), (1, 0, 0));
    assert!(proche(part, 0.0) && obj.is_none());
    // The bailleur's own (non réservés): A17 (prioritaire), A18, A19: 1 / 3 against 25 %.
    let c = &y["cia"];
    assert_eq!(c["propres"]["baux"], 3);
    assert_eq!(c["propres"]["attributions_prioritaires"], 1);
    assert!(proche(c["propres"]["part"].as_f64(), 1.0 / 3.0));
    // Outside QPV: 14 leases; first quartile A0 A2 A5 A18 and A21 (relogé ANRU, quartile 3);
    // A4 A9 not filled in: 5 / 12. In QPV: 8 leases, quartiles 2–4 A11 A12 A13 A15 A16: 5 / 8.
    let (n, q1, nr, part, obj) = quartiles(&c["hors_qpv"], "premier_quartile");
    assert_eq!((n, q1, nr), (14, 5, 2));
    assert!(proche(part, 5.0 / 12.0) && obj == 0.25);
    let (n, q, nr, part, obj) = quartiles(&c["qpv"], "quartiles_2_4");
    assert_eq!((n, q, nr), (8, 5, 0));
    assert!(proche(part, 5.0 / 8.0) && obj == 0.5);
    // Only the State misses its objective.
    assert_eq!(regles(&y), vec![("prioritaires_sous_objectif".into(), "etat".into())]);

    // Semester 1: 12 leases.
    let s1 = bilan(ds, &["--semestre", "1"]);
    let (n, p, dalo, nr, part, _) = prioritaires(reservataire(&s1, "etat"));
    assert_eq!((n, p, dalo, nr), (5, 4, 3, 0));
    assert!(proche(part, 0.8));
    let (n, p, _, nr, part, _) = prioritaires(reservataire(&s1, "action-logement"));
    assert_eq!((n, p, nr), (3, 1, 0));
    assert!(proche(part, 1.0 / 3.0));
    assert!(proche(s1["cia"]["propres"]["part"].as_f64(), 0.5));
    // Outside QPV A0 A1 A2 A5 A6 A17 A20 A21, first quartile A0 A2 A5 A21: 4 / 8; in QPV A10
    // A11 A14 A19, quartiles 2–4 A11 only: 1 / 4, under 50 %.
    let (n, q1, nr, part, _) = quartiles(&s1["cia"]["hors_qpv"], "premier_quartile");
    assert_eq!((n, q1, nr), (8, 4, 0));
    assert!(proche(part, 0.5));
    let (n, q, nr, part, _) = quartiles(&s1["cia"]["qpv"], "quartiles_2_4");
    assert_eq!((n, q, nr), (4, 1, 0));
    assert!(proche(part, 0.25));
    assert_eq!(
        regles(&s1),
        vec![
            ("prioritaires_sous_objectif".into(), "etat".into()),
            ("qpv_quartiles_2_4_sous_objectif".into(), "".into())
        ]
    );

    // Semester 2: 10 leases.
    let s2 = bilan(ds, &["--semestre", "2"]);
    let (n, p, dalo, nr, part, _) = prioritaires(reservataire(&s2, "etat"));
    assert_eq!((n, p, dalo, nr), (4, 2, 0, 1));
    assert!(proche(part, 2.0 / 3.0));
    let (n, p, _, nr, part, _) = prioritaires(reservataire(&s2, "action-logement"));
    assert_eq!((n, p, nr), (5, 1, 2));
    assert!(proche(part, 1.0 / 3.0));
    // The bailleur's own: A18 only, not prioritaire: 0 %, under 25 %.
    assert!(proche(s2["cia"]["propres"]["part"].as_f64(), 0.0));
    // Outside QPV A3 A4 A7 A8 A9 A18, first quartile A18, A4 A9 apart: 1 / 4 = 25 %, exactly
    // the objective: no alert. In QPV A12 A13 A15 A16: 4 / 4.
    let (n, q1, nr, part, _) = quartiles(&s2["cia"]["hors_qpv"], "premier_quartile");
    assert_eq!((n, q1, nr), (6, 1, 2));
    assert!(proche(part, 0.25));
    let (n, q, nr, part, _) = quartiles(&s2["cia"]["qpv"], "quartiles_2_4");
    assert_eq!((n, q, nr), (4, 4, 0));
    assert!(proche(part, 1.0));
    assert_eq!(
        regles(&s2),
        vec![
            ("prioritaires_sous_objectif".into(), "etat".into()),
            ("prioritaires_sous_objectif".into(), "non-reserve".into())
        ]
    );

    // The CIA sets 40 % for Action Logement: 2 / 6 is now under its objective.
    run_ok(&["cia", "--dossier", ds, "--reservataire", "action-logement", "--prioritaires", "40"]);
    let y = bilan(ds, &[]);
    assert!(proche(reservataire(&y, "action-logement")["objectif_prioritaires"].as_f64(), 0.4));
    assert_eq!(
        regles(&y),
        vec![
            ("prioritaires_sous_objectif".into(), "action-logement".into()),
            ("prioritaires_sous_objectif".into(), "etat".into())
        ]
    );
    // And the quartile rates: 5 / 12 outside QPV under 50 %; 5 / 8 in QPV over 60 %.
    let text = run_ok(&["cia", "--dossier", ds, "--quartile1", "50", "--qpv", "60"]);
    assert!(text.contains("50\u{a0}%") && text.contains("40\u{a0}%"), "{text}");
    let y = bilan(ds, &[]);
    assert!(regles(&y).contains(&("quartile1_hors_qpv_sous_objectif".into(), "".into())));
    assert!(!regles(&y).iter().any(|r| r.0 == "qpv_quartiles_2_4_sous_objectif"));
    // Back to the law for Action Logement; a rate above 100 % is refused.
    run_ok(&["cia", "--dossier", ds, "--reservataire", "action-logement", "--defaut"]);
    assert!(proche(reservataire(&bilan(ds, &[]), "action-logement")["objectif_prioritaires"].as_f64(), 0.25));
    let o = run(&["cia", "--dossier", ds, "--qpv", "150"]);
    assert_eq!(o.status.code(), Some(1), "{}", erreur(&o));

    // « Ménage bleu » waits in « Libellés »; mapped to a public prioritaire, A8 counts at once.
    let mut dd = contingents::store::Dossier::open(&d, false).unwrap();
    let libelles = contingents::consolidate::libelles_inconnus(&dd).unwrap();
    let l = libelles.iter().find(|l| l.champ == contingents::model::ChampLibelle::Menage).expect("label to map");
    assert_eq!((l.libelle.as_str(), l.lignes), ("Ménage bleu", 1));
    let avant = dd.avant_association(contingents::model::ChampLibelle::Menage, "Ménage bleu").unwrap();
    dd.set_mapping(contingents::model::ChampLibelle::Menage, "Ménage bleu", "prioritaire").unwrap();
    let y = bilan(ds, &[]);
    let (n, p, _, nr, part, _) = prioritaires(reservataire(&y, "action-logement"));
    assert_eq!((n, p, nr), (8, 3, 1));
    assert!(proche(part, 3.0 / 7.0));
    assert!(
        contingents::consolidate::libelles_inconnus(&dd)
            .unwrap()
            .iter()
            .all(|l| l.champ != contingents::model::ChampLibelle::Menage)
    );
    // Undone: apart again.
    dd.annuler_association(&avant).unwrap();
    let (_, p, _, nr, _, _) = prioritaires(reservataire(&bilan(ds, &[]), "action-logement"));
    assert_eq!((p, nr), (2, 2));
    drop(dd);

    // The orientation of A2 (outside QPV) freed on 1 May: the leases before it outside QPV are
    // A0 (Q1), A1 (Q2), A5 (Q1), A6 (Q3), A17 (Q4), A21 (ANRU): 3 / 6 = 50 %, under a CIA
    // objective of 80 %; Action Logement has 1 prioritaire (A6) of A5 A6 A14: 33 %, under 40 %.
    flux_enregistre(ds, "Azur", "240600585", "2024");
    run_ok(&["cia", "--dossier", ds, "--quartile1", "80"]);
    run_ok(&["cia", "--dossier", ds, "--reservataire", "action-logement", "--prioritaires", "40"]);
    let orienter = |logement: &str, date: &str| -> Value {
        json(&["orienter", "--dossier", ds, "--logement", logement, "--date", date, "--format", "json"])
    };
    let o = orienter("Azur:A2", "2024-05-01");
    assert_eq!(
        o["indications"],
        serde_json::json!([
            "à proposer de préférence à un ménage du premier quartile : 50\u{a0}% réalisés pour 80\u{a0}% (baux hors QPV de Azur depuis le 1er janvier)"
        ])
    );
    let al = o["candidats"].as_array().unwrap().iter().find(|c| c["id"] == "action-logement").unwrap();
    assert!(
        al["raison"]
            .as_str()
            .unwrap()
            .contains("en retard sur ses publics prioritaires : 33\u{a0}% réalisés pour 40\u{a0}%"),
        "{al}"
    );
    let etat = o["candidats"].as_array().unwrap().iter().find(|c| c["id"] == "etat").unwrap();
    assert!(!etat["raison"].as_str().unwrap().contains("publics prioritaires"), "the State has 3 of 3: {etat}");
    // A dwelling in QPV is not told about the first quartile; with the objective met, no hint.
    let qpv = orienter("Azur:A12", "2024-05-01");
    assert_eq!(qpv["indications"], serde_json::json!([]));
    run_ok(&["cia", "--dossier", ds, "--quartile1", "50"]);
    assert_eq!(orienter("Azur:A2", "2024-05-01")["indications"], serde_json::json!([]));
    let text = run_ok(&["orienter", "--dossier", ds, "--logement", "Azur:A2", "--date", "2024-05-01"]);
    assert!(text.contains("publics prioritaires"), "{text}");
}

#[test]
fn a_register_without_households_says_not_filled_in() {
    let t = TempDir::new("cia-sans");
    let d = dossier(&t);
    let ds = d.to_str().unwrap();
    let p = t.path("registre.csv");
    let lines = [
        "N° logement;Réservataire;Date de mise à disposition;Date signature bail;Issue",
        "A0;Préfecture;01/02/2024;15/02/2024;Bail signé",
        "A5;ALS;01/02/2024;15/03/2024;Bail signé",
        "A10;Préfecture;01/02/2024;15/04/2024;Bail signé",
    ];
    std::fs::write(&p, lines.join("\r\n")).unwrap();
    suivi_import(ds, "Azur", &p);
    let y = bilan(ds, &[]);
    assert_eq!(y["cia"]["renseigne"], false);
    let (n, p, _, nr, part, _) = prioritaires(reservataire(&y, "etat"));
    assert_eq!((n, p, nr, part), (2, 0, 2, None));
    assert_eq!(quartiles(&y["cia"]["hors_qpv"], "premier_quartile").0, 2);
    assert_eq!(y["cia"]["hors_qpv"]["part"], Value::Null);
    assert!(regles(&y).is_empty(), "{:?}", regles(&y));
    let text = run_ok(&["bilan", "--dossier", ds, "--annee", "2024", "--bailleur", "Azur"]);
    assert!(text.contains("objectifs CIA : non renseignés"), "{text}");
}

/// The bilan documents as their signatory reads them: a consolidated bilan says which
/// bailleurs it counts and leaves out those without a register; the steps add up; a bilan for
/// one réservataire holds only its figures; signs, dashes and the CIA section in the PDF.
#[test]
fn the_bilan_documents_a_signatory_reads() {
    let t = TempDir::new("cia-documents");
    let d = dossier(&t);
    let ds = d.to_str().unwrap();
    // A second bailleur on the EPCI, without a register.
    let f = t.path("brague.xlsx");
    edl_antibes(&f, "B", 30);
    let o = import(&d, &["--bailleur", "Brague", "--territoire", "240600585", "--date-reference", "2024-01-01"], &[&f]);
    assert!(o.status.success(), "{}", erreur(&o));
    suivi_import(ds, "Azur", &registre(&t));
    for b in ["Azur", "Brague"] {
        flux_enregistre(ds, b, "240600585", "2024");
    }
    let consolide = bilan_json(ds, "2024", &["--epci", "240600585"]);
    let azur = bilan(ds, &["--epci", "240600585"]);
    assert_eq!(consolide["bailleurs"], serde_json::json!(["Azur"]));
    assert_eq!(consolide["sans_registre"], serde_json::json!(["Brague"]));
    // By hand: Azur's flux is its 22 dwellings (rotation 100 %); the State ⌊30 % × 22⌋ = 6, of
    // which the agents 1 (their stock, 1 of 22, under 5 %), the prioritaires 5; Action Logement
    // its 8 of 22; the bailleur's own share 22 − 6 − 8 = 8. Brague's 30 dwellings (its flux 30)
    // are not counted: no register.
    assert_eq!((consolide["flux"].as_u64(), consolide["non_reserve"].as_u64()), (Some(22), Some(8)));
    let obj = |id: &str| reservataire(&consolide, id)["objectif"].as_u64().unwrap();
    assert_eq!((obj("etat"), obj("etat-fonctionnaires"), obj("action-logement")), (5, 1, 8));
    let avec_brague = bilan_json(ds, "2024", &["--bailleur", "Brague"]);
    assert_eq!(avec_brague["flux"].as_u64(), Some(30), "Brague's own bilan still has its objectives");
    // Review 2, A7: its register was not sent: said, no reliquat, no alert of months without
    // any mise à disposition (nothing is known of them); its documents print no count, no gap.
    assert_eq!(avec_brague["sans_registre"], serde_json::json!(["Brague"]));
    assert!(avec_brague["reservataires"].as_array().unwrap().iter().all(|r| r.get("reliquat").is_none()));
    assert!(
        !avec_brague["alertes"].as_array().unwrap().iter().any(|a| a["regle"] == "sans_mise_a_disposition_3_mois"),
        "{avec_brague}"
    );
    let pdf_brague = t.path("bilan-brague.pdf");
    bilan_vers(ds, "2024", &["--bailleur", "Brague"], &pdf_brague);
    let xlsx_brague = t.path("bilan-brague.xlsx");
    bilan_vers(ds, "2024", &["--bailleur", "Brague"], &xlsx_brague);
    if let Some(texte) = texte_du_pdf(&pdf_brague) {
        assert!(texte.contains("Registre non transmis"), "{texte}");
        assert!(!texte.contains('\u{2212}'), "no gap printed: {texte}");
        assert!(!texte.contains("aucune mise à disposition depuis"), "{texte}");
    }
    // Brague's objectives are not counted: the consolidated objectives are Azur's.
    let objectifs = |b: &Value| -> Vec<(String, u64)> {
        b["reservataires"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["id"].to_string(), r["objectif"].as_u64().unwrap()))
            .collect()
    };
    assert_eq!(objectifs(&consolide), objectifs(&azur));
    assert_eq!(consolide["flux"], azur["flux"]);
    assert!(azur["flux"].as_u64().unwrap() > 0);
    // By hand (A11): Action Logement's 9 mises à disposition of 2024 are 8 leases of the year
    // and A5 made available on 01/12, still open: 8 + 0 + 1.
    let al = reservataire(&azur, "action-logement");
    assert_eq!(
        (
            al["mises_a_disposition"].as_u64(),
            al["baux_cohorte"].as_u64(),
            al["chutes"].as_u64(),
            al["en_cours"].as_u64()
        ),
        (Some(9), Some(8), Some(0), Some(1))
    );
    // Mis à disposition = conclues par un bail + chutes + en cours, for every réservataire.
    for p in [&azur, &bilan(ds, &["--semestre", "2"])] {
        for r in p["reservataires"].as_array().unwrap() {
            let n = |k: &str| r[k].as_u64().unwrap();
            assert_eq!(n("mises_a_disposition"), n("baux_cohorte") + n("chutes") + n("en_cours"), "{r}");
        }
    }
    // The bilan sent to the State: its row only, its breakdown, its alerts, no rejets.
    let etat = bilan(ds, &["--reservataire", "etat"]);
    assert_eq!(etat["reservataire"], "etat");
    assert_eq!(etat["reservataires"].as_array().unwrap().len(), 1);
    assert!(etat["detail"].as_array().unwrap().iter().all(|d| d["reservataire"] == "etat"));
    assert!(!etat["detail"].as_array().unwrap().is_empty());
    assert!(etat["alertes"].as_array().unwrap().iter().all(|a| a["reservataire"] == "etat"));
    assert_eq!(reservataire(&etat, "etat"), reservataire(&bilan(ds, &[]), "etat"));
    let o = run(&["bilan", "--dossier", ds, "--annee", "2024", "--reservataire", "pas un id"]);
    assert_eq!(o.status.code(), Some(1), "{}", erreur(&o));

    // The documents.
    let pdf = t.path("bilan-etat.pdf");
    bilan_vers(ds, "2024", &["--bailleur", "Azur", "--reservataire", "etat"], &pdf);
    let pdf_c = t.path("bilan-epci.pdf");
    bilan_vers(ds, "2024", &["--epci", "240600585"], &pdf_c);
    let xlsx_c = t.path("bilan-epci.xlsx");
    bilan_vers(ds, "2024", &["--epci", "240600585"], &xlsx_c);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx_c).unwrap();
    let names = wb.sheet_names().to_vec();
    assert!(names.contains(&"Objectifs CIA".to_string()), "{names:?}");
    let v = wb.worksheet_range("Ventilation").unwrap();
    assert_eq!(v.get_value((0, 0)).map(|c| c.to_string()), Some("Bailleur".into()));
    assert_eq!(v.get_value((1, 0)).map(|c| c.to_string()), Some("Azur".into()));
    let c = wb.worksheet_range("Consolidation").unwrap();
    let cells: Vec<String> = c.cells().map(|(_, _, x)| x.to_string()).collect();
    assert!(cells.iter().any(|x| x.contains("Registre non transmis") && x.contains("Brague")), "{cells:?}");
    assert!(cells.iter().any(|x| x == "Total"));
    assert!(cells.iter().any(|x| x == "Conclues par un bail"));
    // Review 2, B11: the workbook is signed like the PDF.
    assert!(cells.iter().any(|x| x.starts_with("Fait à")), "{cells:?}");
    assert!(cells.iter().any(|x| x == "Pour l'EPCI CA de Sophia Antipolis"), "{cells:?}");
    assert!(cells.iter().any(|x| x == "Hors flux (soustraits)"));
    // Brague's workbook: objectives, and « — » for every realisation.
    let mut wb_b: calamine::Xlsx<_> = calamine::open_workbook(&xlsx_brague).unwrap();
    let c_b = wb_b.worksheet_range("Consolidation").unwrap();
    let etat_b: Vec<String> = c_b
        .rows()
        .find(|r| r.first().is_some_and(|x| x.to_string().starts_with("État (contingent")))
        .unwrap()
        .iter()
        .map(|x| x.to_string())
        .collect();
    assert!(etat_b[4..15].iter().all(|x| x == "—"), "{etat_b:?}");
    // The workbook sent to the State: no hors-flux table of the bailleur.
    let xlsx_e = t.path("bilan-etat.xlsx");
    bilan_vers(ds, "2024", &["--bailleur", "Azur", "--reservataire", "etat"], &xlsx_e);
    let mut wb_e: calamine::Xlsx<_> = calamine::open_workbook(&xlsx_e).unwrap();
    let c_e = wb_e.worksheet_range("Consolidation").unwrap();
    assert!(!c_e.cells().any(|(_, _, x)| *x == "Hors flux (soustraits)"));
    assert!(c_e.cells().any(|(_, _, x)| *x == "Le directeur général d'Azur"));
    let Some(etat_pdf) = texte_du_pdf(&pdf) else { return };
    assert!(etat_pdf.contains("Réservataire : État"), "{etat_pdf}");
    assert!(!etat_pdf.contains("Action Logement"), "only the State's figures: {etat_pdf}");
    assert!(!etat_pdf.contains("exemplaires"), "one party");
    assert!(etat_pdf.contains("Objectifs d'attribution (CIA"));
    assert!(!etat_pdf.contains("Hors flux : baux signés"), "not the bailleur's hors flux: {etat_pdf}");
    // The State's bar of the CIA: 6 prioritaires of 8 known, against 100 %.
    assert!(etat_pdf.contains("75,0 %") && etat_pdf.contains("100 %"), "{etat_pdf}");
    let pdf_s1 = t.path("bilan-epci-s1.pdf");
    bilan_vers(ds, "2024", &["--semestre", "1", "--epci", "240600585"], &pdf_s1);
    let texte = texte_du_pdf(&pdf_c).unwrap();
    assert!(texte.contains("Registre non transmis") && texte.contains("Brague"), "{texte}");
    assert!(texte.contains("Bailleurs comptés (objectifs et registres) : Azur"), "{texte}");
    assert!(!texte.contains("territoire du bilan"));
    // Signs: the minus sign, never a hyphen before a figure; no « 0,0 % » rate of nothing.
    assert!(
        !texte.lines().any(|l| l
            .split_whitespace()
            .any(|w| w.starts_with('-') && w[1..].starts_with(|c: char| c.is_ascii_digit()))),
        "{texte}"
    );
    // The first semester: Action Logement 3 leases (A5, A14, A6) for 8 × 182/366 = 4,0, a gap of −1.
    let s1 = texte_du_pdf(&pdf_s1).unwrap();
    assert!(
        !s1.lines().any(|l| l
            .split_whitespace()
            .any(|w| w.starts_with('-') && w[1..].starts_with(|c: char| c.is_ascii_digit()))),
        "{s1}"
    );
    assert!(s1.lines().any(|l| l.starts_with("Action Logement") && l.contains("\u{2212}1")), "{s1}");
}
