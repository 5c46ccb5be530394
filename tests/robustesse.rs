//! Nothing lost, nothing guessed (interfaces.md): every bad input of issue 19, by the command
//! line, each with its exit code, its message, and the proof that the dossier did not change
//! (the same figures, and the same SHA-256 of the file when nothing was to be written).

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const CASA: &str = "240600585";
const OCCUPE: &str = "Le dossier est en cours de modification par un autre programme ; réessayez";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A dossier on the CASA: « Azur » with 40 dwellings (A1…A40), « Brague » with 30 (B1…B30).
fn deux_bailleurs(t: &TempDir) -> PathBuf {
    let d = t.path("d.sqlite");
    for (b, prefix, n) in [("Azur", "A", 40), ("Brague", "B", 30)] {
        let f = t.path(&format!("edl_{b}.xlsx"));
        edl_antibes(&f, prefix, n);
        let o = import(&d, &["--bailleur", b, "--territoire", CASA, "--date-reference", "2024-01-01"], &[&f]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    d
}

fn logements_de(r: &Value, bailleur: &str) -> u64 {
    cells_sum(r, |c| c["bailleur"] == bailleur)
}

fn bilan(d: &Path, bailleur: &str) -> Value {
    bilan_json(s(d), "2024", &["--bailleur", bailleur])
}

/// Mises à disposition of the State in a bilan.
fn mad_etat(b: &Value) -> u64 {
    b["reservataires"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "etat")
        .map_or(0, |r| r["mises_a_disposition"].as_u64().unwrap())
}

const REG_HEAD: &str = "Bailleur;N° logement;Réservataire;Date de mise à disposition;Date signature bail";

/// A register of `bailleur` making `refs` available to the State in 2024.
fn registre(t: &TempDir, name: &str, bailleur: &str, refs: &[&str]) -> PathBuf {
    let mut lines = vec![REG_HEAD.to_string()];
    for (i, r) in refs.iter().enumerate() {
        lines.push(format!("{bailleur};{r};Préfecture;{:02}/03/2024;", i + 1));
    }
    let p = t.path(name);
    csv_1252(&p, &lines.iter().map(String::as_str).collect::<Vec<_>>());
    p
}

fn suivi_import(d: &Path, extra: &[&str], files: &[&Path]) -> std::process::Output {
    let mut args = vec!["suivi", "import", "--dossier", s(d)];
    args.extend_from_slice(extra);
    args.extend(files.iter().map(|f| s(f)));
    run(&args)
}

// 1. A re-import never shrinks a bailleur silently.

#[test]
fn un_reimport_ne_vide_jamais_un_bailleur_en_silence() {
    let t = TempDir::new("perte");
    let d = deux_bailleurs(&t);
    let avant = report(&d);
    let h0 = empreinte(&d);
    assert_eq!((logements_de(&avant, "Azur"), logements_de(&avant, "Brague")), (40, 30));

    // An export that failed: the header only.
    let entete = t.path("azur_entete.xlsx");
    xlsx(&entete, &[("EDL", vec![HEADER.to_vec()])]);
    let o = import(&d, &["--bailleur", "Azur"], &[&entete]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        erreur(&o),
        "contingents : Azur : 40 logements dans le dossier, 0 dans ce fichier ; rien n'a été remplacé. Relancez avec --accepter-perte si c'est voulu"
    );
    assert_eq!(empreinte(&d), h0, "nothing written");
    assert_eq!(report(&d), avant);

    // 19 of 40 is less than half: refused; 20 is half: accepted.
    let f19 = t.path("azur_19.xlsx");
    edl_antibes(&f19, "A", 19);
    let o = import(&d, &["--bailleur", "Azur"], &[&f19]);
    assert_eq!(o.status.code(), Some(1));
    assert!(erreur(&o).contains("Azur : 40 logements dans le dossier, 19 dans ce fichier"));
    assert_eq!(empreinte(&d), h0);
    let f20 = t.path("azur_20.xlsx");
    edl_antibes(&f20, "A", 20);
    let o = import(&d, &["--bailleur", "Azur"], &[&f20]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let apres20 = report(&d);
    assert_eq!((logements_de(&apres20, "Azur"), logements_de(&apres20, "Brague")), (20, 30));

    // Two files in one call are counted together: 8 + 8 of 20 is not a loss.
    let (f8a, f8b) = (t.path("azur_8a.xlsx"), t.path("azur_8b.xlsx"));
    edl_antibes(&f8a, "A", 8);
    edl_antibes(&f8b, "X", 8);
    let h20 = empreinte(&d);
    let o = import(&d, &["--bailleur", "Azur"], &[&f8a, &entete]);
    assert_eq!(o.status.code(), Some(1));
    assert!(erreur(&o).contains("Azur : 20 logements dans le dossier, 8 dans ces fichiers"));
    assert_eq!(empreinte(&d), h20);

    // Accepted on purpose: the bailleur is emptied, the replaced version stays in the history.
    let o = import(&d, &["--bailleur", "Azur", "--accepter-perte"], &[&entete]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let vide = report(&d);
    assert_eq!((logements_de(&vide, "Azur"), logements_de(&vide, "Brague")), (0, 30));
    let h = historique(&d);
    let n20 = h.as_array().unwrap().iter().find(|e| e["fichier"] == "azur_20.xlsx").unwrap().clone();
    assert_eq!(n20["actif"], false);
    let out = run_ok(&["restore", "--dossier", s(&d), "--import", &n20["import"].to_string()]);
    assert_eq!(out.trim(), format!("Import n° {} rétabli pour : Azur", n20["import"]));
    assert_eq!(report(&d), apres20, "the replaced version comes back whole");
}

/// A header-only file for a bailleur the dossier does not hold: refused (exit 1, what to do),
/// and a dossier the import was creating is not left behind (the tester's report: « 0 lignes
/// lues, 0 logements », exit 0, and an empty dossier without a territory).
#[test]
fn un_fichier_sans_ligne_n_installe_pas_un_bailleur_vide() {
    let t = TempDir::new("entete-seul");
    let entete = t.path("azur_entete.xlsx");
    xlsx(&entete, &[("EDL", vec![HEADER.to_vec()])]);
    let neuf = t.path("neuf.contingents");
    let o = import(&neuf, &["--bailleur", "Azur", "--territoire", CASA, "--date-reference", "2024-01-01"], &[&entete]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        erreur(&o),
        "contingents : azur_entete.xlsx : aucune ligne de logement sous l'en-tête : le fichier ne contient que ses titres ; rien n'a été importé — vérifiez que c'est le bon fichier (ou la bonne feuille) du bailleur"
    );
    assert!(!neuf.exists(), "no dossier left behind");
    // In a dossier that holds other bailleurs: refused the same way, nothing written.
    let d = deux_bailleurs(&t);
    let h0 = empreinte(&d);
    let o = import(&d, &["--bailleur", "Nouveau"], &[&entete]);
    assert_eq!(o.status.code(), Some(1));
    assert!(erreur(&o).contains("aucune ligne de logement sous l'en-tête"), "{}", erreur(&o));
    assert_eq!(empreinte(&d), h0);
    assert!(d.exists(), "an existing dossier is never removed");
}

#[test]
fn un_registre_ne_se_vide_pas_non_plus() {
    let t = TempDir::new("perte-registre");
    let d = deux_bailleurs(&t);
    let r6 = registre(&t, "registre_azur.csv", "Azur", &["A1", "A2", "A3", "A4", "A5", "A6"]);
    assert!(suivi_import(&d, &["--bailleur", "Azur"], &[&r6]).status.success());
    assert_eq!(mad_etat(&bilan(&d, "Azur")), 6);
    let h0 = empreinte(&d);
    let entete = t.path("registre_azur_vide.csv");
    csv_1252(&entete, &[REG_HEAD]);
    let o = suivi_import(&d, &["--bailleur", "Azur"], &[&entete]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        erreur(&o),
        "contingents : Azur : 6 lignes de registre dans le dossier, 0 dans ce fichier ; rien n'a été remplacé. Relancez avec --accepter-perte si c'est voulu"
    );
    assert_eq!(empreinte(&d), h0);
    // Accepted: emptied, and the register comes back from the history.
    assert!(suivi_import(&d, &["--bailleur", "Azur", "--accepter-perte"], &[&entete]).status.success());
    assert_eq!(mad_etat(&bilan(&d, "Azur")), 0);
    let h = historique(&d);
    let premier = h.as_array().unwrap().iter().find(|e| e["fichier"] == "registre_azur.csv").unwrap().clone();
    assert_eq!((premier["genre"].as_str(), premier["actif"].as_bool()), (Some("registre"), Some(false)));
    let out = run_ok(&["restore", "--dossier", s(&d), "--import", &premier["import"].to_string()]);
    assert_eq!(out.trim(), format!("Registre n° {} rétabli pour : Azur", premier["import"]));
    assert_eq!(mad_etat(&bilan(&d, "Azur")), 6);
}

// 2. CSV quoting.

fn csv_avec_guillemet(path: &Path, utf8: bool) {
    let mut lines = vec!["REF_LGT;CODE_INSEE;COMMUNE;CONTINGENT;TYPO;FINANCT".to_string()];
    for i in 1..=3400 {
        lines.push(if i == 2 {
            // The typing error: a quote opened, never closed.
            "2;06004;\"ANTIBES;PRÉFECTURE;T3;PLUS".to_string()
        } else if i == 7 {
            // A quote closed in the middle of a field.
            "7;06004;\"ANTIBES\" SUD;PRÉFECTURE;T3;PLUS".to_string()
        } else {
            format!("{i};06004;ANTIBES;{};T3;PLUS", if i % 2 == 0 { "PRÉFECTURE" } else { "NON RÉSERVÉ" })
        });
    }
    if utf8 {
        std::fs::write(path, format!("\u{feff}{}\r\n", lines.join("\r\n"))).unwrap();
    } else {
        csv_1252(path, &lines.iter().map(String::as_str).collect::<Vec<_>>());
    }
}

#[test]
fn un_guillemet_jamais_ferme_n_avale_pas_la_suite_du_fichier() {
    let t = TempDir::new("guillemet");
    for (utf8, name) in [(false, "brague_1252.csv"), (true, "brague_utf8.csv")] {
        let f = t.path(name);
        csv_avec_guillemet(&f, utf8);
        let d = t.path(&format!("{name}.sqlite"));
        let o = import(&d, &["--bailleur", "Brague", "--territoire", CASA], &[&f]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("3400 lignes lues, 3398 logements, 2 rejets"), "{name}: {out}");
        let r = report(&d);
        assert_eq!(r["logements"], 3398);
        let rejets: Vec<(u64, &str, &str)> = r["rejets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["ligne"].as_u64().unwrap(), x["motif"].as_str().unwrap(), x["valeur"].as_str().unwrap()))
            .collect();
        assert_eq!(
            rejets,
            [
                (3, "ligne_illisible", "2;06004;\"ANTIBES;PRÉFECTURE;T3;PLUS"),
                (8, "ligne_illisible", "7;06004;\"ANTIBES\" SUD;PRÉFECTURE;T3;PLUS")
            ],
            "{name}"
        );
        // The rows right after the broken one are there.
        assert_eq!(cells_sum(&r, |c| c["reservataire"] == "etat"), 1699, "{name}");
    }
}

#[test]
fn un_registre_en_utf16_se_lit_comme_les_autres() {
    let t = TempDir::new("utf16");
    let d = deux_bailleurs(&t);
    let lines = [REG_HEAD, "Azur;A1;Préfecture;05/03/2024;", "Azur;A2;Préfecture;06/03/2024;20/04/2024"];
    let text = lines.join("\r\n") + "\r\n";
    let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    for (name, bytes) in [("avec_bom.csv", [vec![0xFF, 0xFE], le.clone()].concat()), ("sans_bom.csv", le.clone())] {
        let copie = t.path(&format!("{name}.sqlite"));
        std::fs::copy(&d, &copie).unwrap();
        let f = t.path(name);
        std::fs::write(&f, bytes).unwrap();
        let o = suivi_import(&copie, &["--bailleur", "Azur"], &[&f]);
        assert!(o.status.success(), "{name}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("2 lignes lues, 2 mises à disposition"));
        let b = bilan(&copie, "Azur");
        assert_eq!(mad_etat(&b), 2, "{name}");
        let etat = b["reservataires"].as_array().unwrap().iter().find(|r| r["id"] == "etat").unwrap().clone();
        assert_eq!(etat["baux_signes"], 1, "{name}");
    }
}

// 3. Territory.

#[test]
fn un_autre_territoire_est_refuse_et_le_changer_est_explicite() {
    let t = TempDir::new("territoire");
    let d = deux_bailleurs(&t);
    let avant = report(&d);
    let h0 = empreinte(&d);
    let f = t.path("edl_Azur.xlsx");
    let o = import(&d, &["--bailleur", "Azur", "--territoire", "248300543"], &[&f]);
    assert_eq!(o.status.code(), Some(1));
    let e = erreur(&o);
    assert!(e.contains("le dossier couvre CA de Sophia Antipolis (240600585)"), "{e}");
    assert!(e.contains("cet import demande Métropole Toulon-Provence-Méditerranée (248300543)"), "{e}");
    assert!(e.ends_with(&format!("`contingents territoire --dossier {} --changer 248300543`", d.display())), "{e}");
    assert_eq!(empreinte(&d), h0);
    assert_eq!(report(&d)["territoire"], CASA);
    // The same territory again is accepted (every import of a script passes it).
    let cannes = t.path("edl_Cannes.xlsx");
    xlsx(
        &cannes,
        &[(
            "EDL",
            vec![
                HEADER.to_vec(),
                vec!["C1", "06029", "Cannes", "Préfecture", "T2", "PLUS"],
                vec!["C2", "06004", "Antibes", "Préfecture", "T2", "PLUS"],
            ],
        )],
    );
    assert!(import(&d, &["--bailleur", "Cannes Habitat", "--territoire", CASA], &[&cannes]).status.success());
    let casa = report(&d);
    assert_eq!(casa["logements"], 71);
    assert_eq!(casa["rejets"][0]["motif"], "commune_hors_territoire");

    // The département takes Cannes in: the row set aside comes back.
    let out = run_ok(&["territoire", "--dossier", s(&d), "--changer", "06"]);
    assert!(out.starts_with("Territoire du dossier : le département Alpes-Maritimes (06)"), "{out}");
    assert!(
        out.contains("0\u{202f}logement hors du territoire") || out.contains("0 logement hors du territoire"),
        "{out}"
    );
    assert!(out.contains("1 logement revenu"), "{out}");
    let dep = report(&d);
    assert_eq!((dep["logements"].as_u64(), dep["territoire"].as_str()), (Some(72), Some("06")));
    assert!(dep["rejets"].as_array().unwrap().is_empty());

    // Toulon: every dwelling leaves, each one listed.
    let out = run_ok(&["territoire", "--dossier", s(&d), "--changer", "248300543"]);
    assert!(out.contains("72 logements hors du territoire, mis de côté"), "{out}");
    assert!(out.contains("  sort du territoire : Azur A1 (Antibes)"), "{out}");
    assert!(out.contains("  sort du territoire : Cannes Habitat C1 (Cannes)"), "{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with("  sort du territoire")).count(), 72);
    let toulon = report(&d);
    assert_eq!(toulon["logements"], 0);
    assert_eq!(toulon["rejets"].as_array().unwrap().len(), 72);
    // And back: the same figures as before.
    run_ok(&["territoire", "--dossier", s(&d), "--changer", CASA]);
    let retour = report(&d);
    assert_eq!(retour["cellules"], casa["cellules"]);
    assert_eq!(retour["logements"], 71);
    assert_eq!(logements_de(&retour, "Azur"), logements_de(&avant, "Azur"));
}

// 4 and 5. Registers belong to one bailleur, are read once, have a history.

#[test]
fn un_registre_n_appartient_qu_a_son_bailleur_et_a_un_historique() {
    let t = TempDir::new("registres");
    let d = deux_bailleurs(&t);
    let brague = registre(&t, "registre_brague.csv", "Brague", &["B1", "B2", "B3", "B4"]);
    assert!(suivi_import(&d, &[], &[&brague]).status.success(), "the bailleur read in the rows");
    // Azur's register names Brague on one row: set aside, Brague's register untouched.
    let azur = t.path("registre_azur.csv");
    csv_1252(
        &azur,
        &[
            REG_HEAD,
            "Azur;A1;Préfecture;01/03/2024;",
            "Azur;A2;Préfecture;02/03/2024;",
            "Brague;B9;Préfecture;03/03/2024;",
            "Azur;A3;Préfecture;04/03/2024;",
            "Azur;A4;Préfecture;05/03/2024;",
            "Azur;A5;Préfecture;06/03/2024;",
        ],
    );
    let o = suivi_import(&d, &["--bailleur", "Azur"], &[&azur]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Ligne d'un autre bailleur : 1"));
    let b = bilan(&d, "Azur");
    assert_eq!(mad_etat(&b), 5);
    let rejet = &b["rejets"][0];
    assert_eq!(
        (rejet["motif"].as_str(), rejet["valeur"].as_str(), rejet["ligne"].as_u64()),
        (Some("bailleur_different"), Some("Brague"), Some(4))
    );
    assert_eq!(mad_etat(&bilan(&d, "Brague")), 4, "Brague's register is still there");

    // A bailleur unknown to the dossier: refused with the nearest names.
    let h0 = empreinte(&d);
    let o = suivi_import(&d, &["--bailleur", "Azurr"], &[&azur]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        erreur(&o),
        "contingents : bailleur inconnu du dossier : « Azurr » (les plus proches : « Azur ») ; rien n'a été importé"
    );
    assert_eq!(empreinte(&d), h0);

    // The same file twice in one call, then again: read once.
    let o = suivi_import(&d, &["--bailleur", "Azur"], &[&azur, &azur]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.matches("fichier identique, ignoré").count(), 2, "{out}");
    assert_eq!(mad_etat(&bilan(&d, "Azur")), 5, "never counted twice");
    assert_eq!(empreinte(&d), h0);

    // The history, both kinds, one numbering.
    let h = historique(&d);
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 4);
    let numeros: Vec<u64> = h.iter().map(|e| e["import"].as_u64().unwrap()).collect();
    assert_eq!(numeros, [1, 2, 3, 4]);
    let r = &h[3];
    assert_eq!(r["genre"], "registre");
    assert_eq!(r["bailleur"], "Azur");
    assert_eq!(r["fichier"], "registre_azur.csv");
    assert_eq!(
        (r["actif"].as_bool(), r["lignes"].as_u64(), r["logements"].as_u64(), r["rejets"].as_u64()),
        (Some(true), Some(6), Some(5), Some(1))
    );
    let mut cles: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    cles.sort();
    assert_eq!(cles, ["actif", "bailleur", "date", "fichier", "genre", "import", "lignes", "logements", "rejets"]);
    assert_eq!(h[0]["genre"], "etat_des_lieux");
    assert_eq!((h[0]["logements"].as_u64(), h[0]["lignes"].as_u64()), (Some(40), Some(40)));
    let texte = run_ok(&["historique", "--dossier", s(&d)]);
    assert!(texte.lines().nth(3).unwrap().contains("registre"), "{texte}");

    // A new register of Azur, then the first one restored.
    let v2 = registre(&t, "registre_azur_v2.csv", "Azur", &["A1", "A2", "A3"]);
    assert!(suivi_import(&d, &["--bailleur", "Azur"], &[&v2]).status.success());
    assert_eq!(mad_etat(&bilan(&d, "Azur")), 3);
    assert_eq!(run_ok(&["restore", "--dossier", s(&d), "--import", "4"]).trim(), "Registre n° 4 rétabli pour : Azur");
    assert_eq!(mad_etat(&bilan(&d, "Azur")), 5);
    assert_eq!(mad_etat(&bilan(&d, "Brague")), 4);
    let o = run(&["restore", "--dossier", s(&d), "--import", "99"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(erreur(&o).contains("import n° 99 introuvable"));
}

#[test]
fn le_meme_etat_des_lieux_deux_fois_n_est_lu_qu_une_fois() {
    let t = TempDir::new("identique");
    let d = deux_bailleurs(&t);
    let avant = report(&d);
    let h0 = empreinte(&d);
    let f = t.path("edl_Azur.xlsx");
    let o = import(&d, &["--bailleur", "Azur"], &[&f]);
    assert!(o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "edl_Azur.xlsx : fichier identique, ignoré (import n° 1)");
    assert_eq!(empreinte(&d), h0);
    let g = t.path("azur_v2.xlsx");
    edl_antibes(&g, "A", 41);
    let o = import(&d, &["--bailleur", "Azur"], &[&g, &g]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("azur_v2.xlsx : fichier identique, ignoré (import n° 3)"), "{out}");
    let r = report(&d);
    assert_eq!(logements_de(&r, "Azur"), 41);
    assert_eq!(r["conflits"], avant["conflits"], "no duplicate, no conflict");
}

// 6. No date guessed.

#[test]
fn aucune_date_de_fin_de_convention_n_est_devinee() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
    let t = TempDir::new("dates");
    let f = t.path("dates.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let head =
        ["Référence", "Code INSEE", "Commune", "Réservataire", "Typologie", "Financement", "Date fin convention"];
    for (c, h) in head.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for r in 1..=10u32 {
        for (c, v) in
            [format!("D{r}"), "06004".into(), "Antibes".into(), "Préfecture".into(), "T3".into(), "PLUS".into()]
                .iter()
                .enumerate()
        {
            ws.write_string(r, c as u16, v).unwrap();
        }
    }
    ws.write_number(1, 6, 2024.0).unwrap(); // a bare year
    ws.write_number(2, 6, 12.5).unwrap(); // a decimal
    ws.write_number(3, 6, 3.0).unwrap(); // a small integer
    ws.write_formula(4, 6, Formula::new("=1/0").set_result("#DIV/0!")).unwrap();
    ws.write_string(5, 6, "fin 2030").unwrap();
    ws.write_string(6, 6, "15/03/1850").unwrap(); // outside 1900–2200
    ws.write_string(7, 6, "31/12/45").unwrap(); // 1945 or 2045?
    ws.write_datetime_with_format(8, 6, ExcelDateTime::from_ymd(2030, 6, 30).unwrap(), &date).unwrap();
    ws.write_string(9, 6, "31/12/2023").unwrap();
    // Row 11: no date at all.
    wb.save(&f).unwrap();
    let d = t.path("d.sqlite");
    let o = import(&d, &["--bailleur", "Dates", "--territoire", CASA, "--date-reference", "2024-01-01"], &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = report(&d);
    let rejets: Vec<(u64, &str, &str)> = r["rejets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["ligne"].as_u64().unwrap(), x["motif"].as_str().unwrap(), x["valeur"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rejets,
        [
            (2, "date_illisible", "2024"),
            (3, "date_illisible", "12.5"),
            (4, "date_illisible", "3"),
            (5, "date_illisible", "#DIV/0!"),
            (6, "date_illisible", "fin 2030"),
            (7, "date_illisible", "15/03/1850"),
            (8, "date_ambigue", "31/12/45"),
        ]
    );
    assert_eq!(r["logements"], 3);
    let echus: Vec<(&str, &str)> = r["echus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["reference"].as_str().unwrap(), e["date_fin_convention"].as_str().unwrap()))
        .collect();
    assert_eq!(echus, [("D9", "2023-12-31")]);

    // The user says once, for the file's column, that « 45 » is 1945: the row comes back.
    use contingents::import::changements::{dates_ambigues, trancher_siecle};
    let mut dossier = contingents::store::Dossier::open(&d, false).unwrap();
    let colonnes = dates_ambigues(&dossier).unwrap();
    assert_eq!(colonnes.len(), 1);
    let c = &colonnes[0];
    assert_eq!((c.fichier.as_str(), c.colonne.as_str(), c.lignes), ("dates.xlsx", "Date fin convention", 1));
    assert_eq!(c.exemples, ["31/12/45"]);
    assert_eq!(trancher_siecle(&mut dossier, c, contingents::model::Siecle::Annees1900).unwrap(), 1);
    drop(dossier);
    let r = report(&d);
    assert_eq!(r["logements"], 4);
    assert_eq!(r["rejets"].as_array().unwrap().len(), 6);
    let echus: Vec<&str> =
        r["echus"].as_array().unwrap().iter().map(|e| e["date_fin_convention"].as_str().unwrap()).collect();
    assert_eq!(echus, ["1945-12-31", "2023-12-31"]);
    // The next import of that file follows the decision.
    let o = import(&d, &["--bailleur", "Dates", "--accepter-perte"], &[&f]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("fichier identique, ignoré"));
}

#[test]
fn aucune_date_de_registre_n_est_devinee() {
    let t = TempDir::new("dates-registre");
    let d = deux_bailleurs(&t);
    let f = t.path("registre_azur.csv");
    csv_1252(
        &f,
        &[
            REG_HEAD,
            "Azur;A1;Préfecture;01/03/2024;2024",
            "Azur;A2;Préfecture;12.5;",
            "Azur;A3;Préfecture;3;",
            "Azur;A4;Préfecture;#DIV/0!;",
            "Azur;A5;Préfecture;15/03/69;",
            "Azur;A6;Préfecture;15/03/24;16/04/24",
            "Azur;A7;Préfecture;15/03/1999;",
        ],
    );
    let o = suivi_import(&d, &["--bailleur", "Azur"], &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let b = bilan(&d, "Azur");
    let rejets: Vec<(u64, &str, &str)> = b["rejets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["ligne"].as_u64().unwrap(), x["motif"].as_str().unwrap(), x["valeur"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rejets,
        [
            (2, "date_illisible", "2024"),
            (3, "date_illisible", "12.5"),
            (4, "date_illisible", "3"),
            (5, "date_illisible", "#DIV/0!"),
            (6, "date_illisible", "15/03/69"),
            (8, "date_illisible", "15/03/1999"),
        ]
    );
    let etat = b["reservataires"].as_array().unwrap().iter().find(|r| r["id"] == "etat").unwrap().clone();
    assert_eq!((etat["mises_a_disposition"].as_u64(), etat["baux_signes"].as_u64()), (Some(1), Some(1)), "A6: 2024");
}

// 7. Only sound dossiers are written.

/// A dossier whose b-tree (a leaf page of a table, its cell pointers) has a few bytes changed.
fn endommager(src: &Path, dst: &Path) {
    let mut b = std::fs::read(src).unwrap();
    let taille = u16::from_be_bytes([b[16], b[17]]) as usize;
    let page = (1..b.len() / taille).rev().find(|&p| b[p * taille] == 0x0D).expect("a table leaf page");
    for x in &mut b[page * taille + 8..page * taille + 16] {
        *x = 0xFF;
    }
    std::fs::write(dst, b).unwrap();
    let c = rusqlite::Connection::open(dst).unwrap();
    let ok: String = c.query_row("PRAGMA quick_check", [], |r| r.get(0)).unwrap_or_default();
    assert_ne!(ok, "ok", "the damage is one SQLite sees");
}

#[test]
fn on_n_ecrit_que_dans_un_vrai_dossier() {
    let t = TempDir::new("vrai");
    let bon = deux_bailleurs(&t);
    let f = t.path("edl_Azur.xlsx");
    let reg = registre(&t, "registre_azur.csv", "Azur", &["A1"]);
    let cas: Vec<(&str, PathBuf, &str)> = vec![
        ("vide", t.path("vide.sqlite"), "n'est pas un dossier Contingents (fichier vide)"),
        ("texte", t.path("texte.sqlite"), "n'est pas un dossier Contingents (ce n'est pas une base de données SQLite)"),
        ("autre", t.path("autre.db"), "n'est pas un dossier Contingents (base de données d'un autre programme)"),
        ("autre-id", t.path("autre-id.db"), "n'est pas un dossier Contingents (base de données d'un autre programme)"),
        ("endommagé", t.path("abime.sqlite"), "est endommagé : restaurez une copie"),
        ("plus récent", t.path("recent.sqlite"), "a été créé par une version plus récente de Contingents"),
    ];
    std::fs::write(&cas[0].1, b"").unwrap();
    std::fs::write(&cas[1].1, b"Ceci n'est pas un dossier.\n").unwrap();
    let c = rusqlite::Connection::open(&cas[2].1).unwrap();
    c.execute_batch("CREATE TABLE clients(nom TEXT); INSERT INTO clients VALUES ('Dupont');").unwrap();
    drop(c);
    let c = rusqlite::Connection::open(&cas[3].1).unwrap();
    c.execute_batch("PRAGMA application_id = 1234; PRAGMA user_version = 3; CREATE TABLE imports(x); CREATE TABLE logements(x); CREATE TABLE parametres(x); CREATE TABLE correspondances(x);").unwrap();
    drop(c);
    endommager(&bon, &cas[4].1);
    std::fs::copy(&bon, &cas[5].1).unwrap();
    rusqlite::Connection::open(&cas[5].1).unwrap().execute_batch("PRAGMA user_version = 99").unwrap();
    for (quoi, d, attendu) in &cas {
        let avant = empreinte(d);
        let commandes: Vec<Vec<&str>> = vec![
            vec!["import", "--dossier", s(d), "--bailleur", "Azur", s(&f)],
            vec!["suivi", "import", "--dossier", s(d), "--bailleur", "Azur", s(&reg)],
            vec!["restore", "--dossier", s(d), "--import", "1"],
            vec!["territoire", "--dossier", s(d), "--changer", "06"],
            vec!["report", "--dossier", s(d)],
            vec!["historique", "--dossier", s(d)],
            vec!["grid", "--dossier", s(d), "--reservataire", "etat"],
        ];
        for args in commandes {
            let o = run(&args);
            assert_eq!(o.status.code(), Some(1), "{quoi} {args:?}: {}", String::from_utf8_lossy(&o.stderr));
            let e = erreur(&o);
            assert!(e.contains(attendu), "{quoi} {args:?}: {e}");
            assert!(e.contains(d.file_name().unwrap().to_str().unwrap()), "{quoi}: names the file: {e}");
            assert_eq!(empreinte(d), avant, "{quoi} {args:?}: left byte for byte");
        }
        // By its header, a damaged or newer dossier is still a dossier; the others are not.
        assert_eq!(contingents::store::est_un_dossier(d), ["endommagé", "plus récent"].contains(quoi), "{quoi}");
    }
    assert!(contingents::store::est_un_dossier(&bon));
}

#[test]
fn un_dossier_d_avant_l_identifiant_est_reconnu_et_migre() {
    let t = TempDir::new("ancien");
    let d = deux_bailleurs(&t);
    let reg = registre(&t, "registre_azur.csv", "Azur", &["A1", "A2"]);
    assert!(suivi_import(&d, &["--bailleur", "Azur"], &[&reg]).status.success());
    let attendu = historique(&d);
    // As version 5 wrote it: no application id, registers numbered on their own from 1.
    let c = rusqlite::Connection::open(&d).unwrap();
    c.execute_batch(
        "BEGIN; PRAGMA defer_foreign_keys = ON; PRAGMA application_id = 0; PRAGMA user_version = 5;
         UPDATE suivi_imports SET id = id - 2; UPDATE mises_a_disposition SET import_id = import_id - 2;
         UPDATE suivi_rejets SET import_id = import_id - 2; DROP INDEX suivi_imports_bailleur;
         ALTER TABLE mises_a_disposition DROP COLUMN menage; ALTER TABLE mises_a_disposition DROP COLUMN menage_brut;
         ALTER TABLE mises_a_disposition DROP COLUMN quartile; ALTER TABLE mises_a_disposition DROP COLUMN quartile_brut;
         COMMIT;",
    )
    .unwrap();
    drop(c);
    assert!(!contingents::store::est_un_dossier(&d));
    assert_eq!(historique(&d), attendu, "the register numbered after the états des lieux");
    assert!(contingents::store::est_un_dossier(&d), "the migration set the application id");
    assert_eq!(mad_etat(&bilan(&d, "Azur")), 2);
    assert_eq!(run_ok(&["restore", "--dossier", s(&d), "--import", "3"]).trim(), "Registre n° 3 rétabli pour : Azur");
}

// 8. Busy dossier.

/// A command stopped inside its write transaction (`CONTINGENTS_TEST_PAUSE`), until `go`.
struct EnPause {
    child: std::process::Child,
    go: PathBuf,
}

impl EnPause {
    fn lancer(t: &TempDir, nom: &str, args: &[&str]) -> EnPause {
        let go = t.path(nom);
        let child = Command::new(bin())
            .args(args)
            .env("HOME", std::env::temp_dir())
            .env("CONTINGENTS_TEST_PAUSE", &go)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pret = PathBuf::from(format!("{}.pret", go.display()));
        let debut = std::time::Instant::now();
        while !pret.exists() {
            assert!(debut.elapsed().as_secs() < 120, "the command never reached its stopping point");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        EnPause { child, go }
    }

    fn finir(self) -> std::process::Output {
        std::fs::write(&self.go, b"").unwrap();
        self.child.wait_with_output().unwrap()
    }

    fn tuer(mut self) {
        self.child.kill().unwrap(); // SIGKILL
        self.child.wait().unwrap();
    }
}

#[test]
fn un_dossier_occupe_fait_attendre_puis_renonce_sans_rien_casser() {
    let t = TempDir::new("occupe");
    let d = deux_bailleurs(&t);
    let avant = report(&d);
    let f = t.path("azur_v2.xlsx");
    edl_antibes(&f, "A", 45);
    let premier = EnPause::lancer(&t, "go", &["import", "--dossier", s(&d), "--bailleur", "Azur", s(&f)]);
    // Meanwhile: every writing command waits, then gives up with exit 1; reading still works.
    let g = t.path("brague_v2.xlsx");
    edl_antibes(&g, "B", 31);
    let reg = registre(&t, "registre_brague.csv", "Brague", &["B1"]);
    for args in [
        vec!["import", "--dossier", s(&d), "--bailleur", "Brague", s(&g)],
        vec!["suivi", "import", "--dossier", s(&d), "--bailleur", "Brague", s(&reg)],
        vec!["restore", "--dossier", s(&d), "--import", "1"],
        vec!["flux", "--dossier", s(&d), "--bailleur", "Brague", "--epci", CASA, "--annee", "2024", "--enregistrer"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert_eq!(erreur(&o), format!("contingents : {OCCUPE}"), "{args:?}");
    }
    assert_eq!(report(&d), avant, "the other import is not visible before it commits");
    let o = premier.finir();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let apres = report(&d);
    assert_eq!((logements_de(&apres, "Azur"), logements_de(&apres, "Brague")), (45, 30));
}

#[test]
fn le_verrou_de_la_fenetre_est_respecte_par_la_ligne_de_commande() {
    use contingents::store::verrou::Verrou;
    let t = TempDir::new("verrou");
    let d = deux_bailleurs(&t);
    let avant = report(&d);
    let h0 = empreinte(&d);
    // This test process plays the window: it holds the dossier's lock.
    let fenetre = Verrou::prendre(&d).unwrap().unwrap();
    let f = t.path("azur_v2.xlsx");
    edl_antibes(&f, "A", 45);
    for args in [
        vec!["import", "--dossier", s(&d), "--bailleur", "Azur", s(&f)],
        vec!["restore", "--dossier", s(&d), "--import", "1"],
        vec!["territoire", "--dossier", s(&d), "--changer", "06"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let e = erreur(&o);
        assert!(
            e.starts_with(&format!(
                "contingents : {OCCUPE} (une fenêtre Contingents l'a ouvert, processus {}",
                std::process::id()
            )),
            "{e}"
        );
        assert_eq!(empreinte(&d), h0);
    }
    assert_eq!(report(&d), avant, "reading is not refused");
    fenetre.liberer();
    assert!(import(&d, &["--bailleur", "Azur"], &[&f]).status.success());
    assert_eq!(logements_de(&report(&d), "Azur"), 45);
}

// Killed in the middle (SIGKILL): the dossier and its history as they were.

#[test]
fn un_kill_pendant_un_suivi_import_ou_un_restore_ne_laisse_rien() {
    let t = TempDir::new("kill9");
    let d = deux_bailleurs(&t);
    let reg = registre(&t, "registre_azur.csv", "Azur", &["A1", "A2", "A3"]);
    assert!(suivi_import(&d, &["--bailleur", "Azur"], &[&reg]).status.success());
    let f = t.path("azur_v2.xlsx");
    edl_antibes(&f, "A", 41);
    assert!(import(&d, &["--bailleur", "Azur"], &[&f]).status.success());
    let (r0, h0, b0) = (report(&d), historique(&d), bilan(&d, "Azur"));
    let journal = PathBuf::from(format!("{}-journal", d.display()));

    let reg2 = registre(&t, "registre_azur_v2.csv", "Azur", &["A1", "A2", "A3", "A4"]);
    EnPause::lancer(&t, "go1", &["suivi", "import", "--dossier", s(&d), "--bailleur", "Azur", s(&reg2)]).tuer();
    assert!(journal.exists(), "killed inside its transaction");
    assert_eq!((historique(&d), bilan(&d, "Azur"), report(&d)), (h0.clone(), b0.clone(), r0.clone()));

    EnPause::lancer(&t, "go2", &["restore", "--dossier", s(&d), "--import", "1"]).tuer();
    assert_eq!((historique(&d), bilan(&d, "Azur"), report(&d)), (h0.clone(), b0.clone(), r0.clone()));
    let c = rusqlite::Connection::open(&d).unwrap();
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    drop(c);
    // And the work can be done again.
    assert!(suivi_import(&d, &["--bailleur", "Azur"], &[&reg2]).status.success());
    assert_eq!(mad_etat(&bilan(&d, "Azur")), 4);
}

// Files a bailleur really sends, broken.

#[test]
fn un_registre_chiffre_ou_tronque_ne_change_rien() {
    let t = TempDir::new("registre-abime");
    let d = deux_bailleurs(&t);
    let bon = t.path("registre_bon.xlsx");
    xlsx(
        &bon,
        &[(
            "Registre",
            vec![
                vec!["Bailleur", "N° logement", "Réservataire", "Date de mise à disposition"],
                vec!["Azur", "A1", "Préfecture", "01/03/2024"],
            ],
        )],
    );
    let octets = std::fs::read(&bon).unwrap();
    let tronque = t.path("registre_tronque.xlsx");
    std::fs::write(&tronque, &octets[..octets.len() / 2]).unwrap();
    let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    cfb.extend(vec![0u8; 504]);
    cfb.extend("EncryptedPackage".encode_utf16().flat_map(|u| u.to_le_bytes()));
    cfb.extend(vec![0u8; 512]);
    let chiffre = t.path("registre_chiffre.xlsx");
    std::fs::write(&chiffre, cfb).unwrap();
    let h0 = empreinte(&d);
    for (f, attendu) in [(&tronque, "archive tronquée"), (&chiffre, "protégé par un mot de passe")] {
        let o = suivi_import(&d, &["--bailleur", "Azur"], &[&bon, f]);
        assert_eq!(o.status.code(), Some(1));
        let e = erreur(&o);
        assert!(e.contains(f.file_name().unwrap().to_str().unwrap()) && e.contains(attendu), "{e}");
        assert_eq!(empreinte(&d), h0);
        let o = import(&d, &["--bailleur", "Azur"], &[f]);
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(empreinte(&d), h0);
    }
}

// 9. Exports, and values longer than a cell.

#[test]
fn une_valeur_trop_longue_est_mise_de_cote_et_tout_s_exporte() {
    let t = TempDir::new("long");
    let long = "X".repeat(40_000);
    let f = t.path("long.csv");
    let ligne = format!("2;06004;{long};Préfecture;T3;PLUS");
    csv_1252(
        &f,
        &[
            "Référence;Code INSEE;Commune;Réservataire;Typologie;Financement",
            "1;06004;Antibes;Préfecture;T3;PLUS",
            &ligne,
        ],
    );
    let d = t.path("d.sqlite");
    let o = import(&d, &["--bailleur", "Long", "--territoire", CASA], &[&f]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = report(&d);
    assert_eq!(r["logements"], 1);
    assert_eq!(r["rejets"][0]["motif"], "valeur_trop_longue");
    assert_eq!(r["rejets"][0]["valeur"], format!("{}… (40000 caractères)", "X".repeat(40)));
    let out = t.path("edl.xlsx");
    run_ok(&["export", "etat-des-lieux", "--dossier", s(&d), "--out", s(&out)]);
    assert!(out.metadata().unwrap().len() > 0);
}

#[test]
fn un_export_qui_echoue_ne_laisse_aucun_fichier() {
    let t = TempDir::new("export");
    let d = deux_bailleurs(&t);
    // A folder that vanished.
    let parti = t.path("parti").join("edl.xlsx");
    let o = run(&["export", "etat-des-lieux", "--dossier", s(&d), "--out", s(&parti)]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        erreur(&o),
        format!(
            "contingents : Écriture impossible dans {} : dossier introuvable (il a peut-être été déplacé ou retiré) ; aucun fichier n'a été écrit",
            parti.display()
        )
    );
    // A full disk: a tiny file system of its own (a mount namespace), when the system allows it.
    let plein = t.path("plein");
    std::fs::create_dir_all(&plein).unwrap();
    let script = r#"mount -t tmpfs -o size=4k tmpfs "$1" || exit 99
"$2" export etat-des-lieux --dossier "$3" --out "$1/edl.xlsx"; echo "code=$?"; ls -A "$1""#;
    let o = Command::new("unshare").args(["-rm", "sh", "-c", script, "sh", s(&plein), bin(), s(&d)]).output();
    match o {
        Ok(o) if o.status.success() => {
            let out = String::from_utf8_lossy(&o.stdout);
            assert_eq!(out.trim(), "code=1", "exit 1, and nothing left in the folder: {out}");
            let e = String::from_utf8_lossy(&o.stderr);
            assert!(
                e.contains(&format!("Écriture impossible dans {}/edl.xlsx : disque plein", plein.display())),
                "{e}"
            );
            assert_eq!(e.trim().lines().count(), 1, "{e}");
        }
        _ => eprintln!("SAUTÉ : pas d'espace de noms de montage ici, le disque plein n'est pas simulé"),
    }
}

// 10. Exit codes.

#[test]
fn une_sortie_fermee_apres_un_import_valide_n_est_pas_une_erreur() {
    let t = TempDir::new("head");
    let d = deux_bailleurs(&t);
    let f = t.path("azur_v2.xlsx");
    edl_antibes(&f, "A", 42);
    let mut child = Command::new(bin())
        .args(["import", "--dossier", s(&d), "--bailleur", "Azur", s(&f)])
        .env("HOME", std::env::temp_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // `| head` gone before the summary is printed
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(logements_de(&report(&d), "Azur"), 42);
}

/// What the window announces before changing the territory or the reference date is what the
/// change then does; announcing it writes nothing.
#[test]
fn l_effet_d_un_changement_est_dit_avant_d_etre_fait() {
    use contingents::import::changements::{changer_territoire, effet_territoire};
    use contingents::model::Date;
    use contingents::reference::Territoire;
    let t = TempDir::new("effet");
    let f = t.path("edl.xlsx");
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
                    "Date fin convention",
                ],
                vec!["E1", "06004", "Antibes", "Préfecture", "T2", "PLUS", "31/12/2023"],
                vec!["E2", "06004", "Antibes", "Préfecture", "T2", "PLUS", "30/06/2024"],
                vec!["E3", "06004", "Antibes", "Action Logement", "T2", "PLUS", "31/12/2030"],
                vec!["E4", "06004", "Antibes", "Non réservé", "T2", "PLUS", "30/06/2024"],
                vec!["E5", "06029", "Cannes", "Préfecture", "T2", "PLUS", ""],
            ],
        )],
    );
    let d = t.path("d.sqlite");
    assert!(
        import(&d, &["--bailleur", "Azur", "--territoire", CASA, "--date-reference", "2024-01-01"], &[&f])
            .status
            .success()
    );
    let h0 = empreinte(&d);
    let mut dossier = contingents::store::Dossier::open(&d, false).unwrap();
    let e = dossier.effet_date_reference(Date::new(2025, 1, 1).unwrap()).unwrap();
    assert_eq!((e.echus_avant, e.echus_apres, e.deviennent_echus, e.ne_sont_plus_echus), (1, 2, 1, 0));
    let e = dossier.effet_date_reference(Date::new(2023, 1, 1).unwrap()).unwrap();
    assert_eq!((e.echus_avant, e.echus_apres, e.deviennent_echus, e.ne_sont_plus_echus), (1, 0, 0, 1));
    let annonce = effet_territoire(&mut dossier, &Territoire::Departement("06".into())).unwrap();
    assert_eq!((annonce.sortants.len(), annonce.entrants), (0, 1));
    let annonce = effet_territoire(&mut dossier, &Territoire::Epci("248300543".into())).unwrap();
    assert_eq!(annonce.sortants.len(), 4);
    drop(dossier);
    assert_eq!(empreinte(&d), h0, "announcing writes nothing");
    let mut dossier = contingents::store::Dossier::open(&d, false).unwrap();
    assert_eq!(changer_territoire(&mut dossier, &Territoire::Epci("248300543".into())).unwrap(), annonce);
    let e = dossier.changer_date_reference(Date::new(2025, 1, 1).unwrap()).unwrap();
    assert_eq!(e.deviennent_echus, 0, "no dwelling left in the territory");
    drop(dossier);
    let r = report(&d);
    assert_eq!(
        (r["logements"].as_u64(), r["date_reference"].as_str(), r["territoire"].as_str()),
        (Some(0), Some("2025-01-01"), Some("248300543"))
    );
}
