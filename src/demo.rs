//! Synthetic états des lieux: the demo dossier shipped in `assets/demo/`, test fixtures and
//! benchmark files are all written by this generator (deterministic for a given seed), in
//! the layouts bailleurs really send.

use crate::model::{Portee, Reservataire};
use crate::reference::reference;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::path::Path;

pub use crate::hasard::Rng;

/// One generated dwelling, as labels a bailleur would write.
#[derive(Debug, Clone)]
pub struct GenRow {
    pub reference: String,
    pub insee: String,
    pub commune: String,
    pub reservataire: String,
    pub typologie: String,
    pub financement: String,
    pub qpv: bool,
    pub individuel: bool,
    /// Excel serial of the convention's end date, if any.
    pub date_fin: Option<u32>,
    pub annee: u32,
    pub surface: f64,
    pub loyer: f64,
}

/// Generates `n` dwellings on the communes of an EPCI.
pub fn generate_rows(epci: &str, prefix: &str, n: usize, seed: u64) -> Vec<GenRow> {
    let r = reference();
    let communes: Vec<_> =
        r.epci(epci).map(|e| e.membres.iter().map(|&i| &r.communes[i]).collect()).unwrap_or_default();
    let dep = communes.first().map(|c| c.departement).unwrap_or_default();
    let epci_nom = r.epci(epci).map(|e| e.nom).unwrap_or_default();
    let mut rng = Rng::new(seed);
    let res_labels: Vec<(String, u32)> = vec![
        ("Non réservé".into(), 40),
        ("Préfecture".into(), 25),
        ("Action Logement".into(), 12),
        ("Préfecture fonctionnaires".into(), 3),
        (format!("Conseil départemental {dep}"), 4),
        (epci_nom.to_string(), 4),
        ("Ministère des Armées".into(), 1),
        ("La Poste".into(), 1),
    ];
    let typos = ["Studio", "T1", "T2", "T3", "T4", "T5", "T6", "T3 bis", "Chambre"];
    let typo_w = [4, 6, 20, 34, 23, 8, 2, 2, 1];
    let fins = ["PLUS", "PLAI", "PLS", "PLA", "HLM/O", "PLI", "PLA-TS"];
    let fin_w = [55, 15, 12, 8, 6, 2, 2];
    let weights: Vec<u32> = (0..communes.len()).map(|i| 1 + (communes.len() - i) as u32 * 3).collect();
    (0..n)
        .map(|i| {
            let c = communes[rng.weighted(&weights)];
            let res = if rng.below(100) < 8 {
                format!("Ville de {}", c.nom)
            } else {
                res_labels[rng.weighted(&res_labels.iter().map(|x| x.1).collect::<Vec<_>>())].0.clone()
            };
            let annee = 1955 + rng.below(68) as u32;
            let date_fin = (!res.starts_with("Non") && rng.below(100) < 70).then(|| 44_900 + rng.below(9_000) as u32);
            GenRow {
                reference: format!("{prefix}{:07}", i + 1),
                insee: c.insee.to_string(),
                commune: c.nom.to_string(),
                reservataire: res,
                typologie: typos[rng.weighted(&typo_w)].to_string(),
                financement: fins[rng.weighted(&fin_w)].to_string(),
                qpv: rng.below(100) < 22,
                individuel: rng.below(100) < 4,
                date_fin,
                annee,
                surface: 25.0 + rng.below(90) as f64,
                loyer: 250.0 + rng.below(50_000) as f64 / 100.0,
            }
        })
        .collect()
}

/// Writes rows as a clean `.xlsx` (layout "a": header on row 1).
pub fn write_xlsx(path: &Path, rows: &[GenRow], title: Option<&str>) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Etat des lieux")?;
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let mut r0 = 0u32;
    if let Some(t) = title {
        ws.write_string(0, 0, t)?;
        r0 = 2;
    }
    let headers = [
        "Référence logement",
        "Code INSEE",
        "Commune",
        "Réservataire",
        "Typologie",
        "Financement",
        "QPV",
        "Individuel/Collectif",
        "Date de fin de convention",
        "Année de construction",
        "Surface",
        "Loyer",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(r0, c as u16, *h)?;
    }
    for (i, g) in rows.iter().enumerate() {
        let r = r0 + 1 + i as u32;
        ws.write_string(r, 0, &g.reference)?;
        ws.write_string(r, 1, &g.insee)?;
        ws.write_string(r, 2, &g.commune)?;
        ws.write_string(r, 3, &g.reservataire)?;
        ws.write_string(r, 4, &g.typologie)?;
        ws.write_string(r, 5, &g.financement)?;
        ws.write_string(r, 6, if g.qpv { "Oui" } else { "Non" })?;
        ws.write_string(r, 7, if g.individuel { "Individuel" } else { "Collectif" })?;
        if let Some(d) = g.date_fin {
            ws.write_number_with_format(r, 8, d as f64, &date)?;
        }
        ws.write_number(r, 9, g.annee as f64)?;
        ws.write_number(r, 10, g.surface)?;
        ws.write_number(r, 11, g.loyer)?;
    }
    wb.save(path)
}

/// Writes rows as a French-Excel CSV (Windows-1252, `;`, upper-case abbreviated headers).
pub fn write_csv_1252(path: &Path, rows: &[GenRow]) -> std::io::Result<()> {
    let mut s =
        String::from("REF_LGT;CODE_INSEE;COMMUNE;CONTINGENT;TYPO;FINANCT;QPV;IND_COLL;DATE_FIN_CONV;ANNEE_CONST\r\n");
    for g in rows {
        let date = g
            .date_fin
            .and_then(|d| crate::model::Date::from_excel_serial(d as f64))
            .map(|d| format!("{:02}/{:02}/{}", d.day, d.month, d.year))
            .unwrap_or_default();
        s.push_str(&format!(
            "{};{};{};{};{};{};{};{};{};{}\r\n",
            g.reference,
            g.insee.trim_start_matches('0'),
            g.commune.to_uppercase(),
            g.reservataire.to_uppercase(),
            g.typologie,
            g.financement,
            if g.qpv { "O" } else { "N" },
            if g.individuel { "I" } else { "C" },
            date,
            g.annee
        ));
    }
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&s);
    std::fs::write(path, bytes)
}

/// The demo corpus: (file name, bailleur) written into `dir`.
pub fn write_demo_files(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    std::fs::create_dir_all(dir)?;
    let tpm = "248300543";
    let mut a = generate_rows(tpm, "HM-", 2400, 1);
    // A few labels to reconcile by hand, as in real files: an unknown réservataire and a
    // misspelt commune (shown in « Libellés à rapprocher »).
    for i in [17, 402, 1230] {
        a[i].reservataire = "Amicale du personnel hospitalier".into();
    }
    for i in [88, 901] {
        a[i].insee.clear();
        a[i].commune = "Toulonn".into();
    }
    write_xlsx(&dir.join("habitat_mediterranee_edl.xlsx"), &a, None)?;
    let b = generate_rows(tpm, "", 1600, 2);
    write_csv_1252(&dir.join("var_logis_contingents.csv"), &b)?;
    let c = generate_rows(tpm, "CR", 900, 3);
    write_xlsx(
        &dir.join("cote_rade_habitat_reservations.xlsx"),
        &c,
        Some("Etat des lieux des réservations au 01/01/2025"),
    )?;
    Ok(vec![
        ("habitat_mediterranee_edl.xlsx".into(), "Habitat Méditerranée".into()),
        ("var_logis_contingents.csv".into(), "Var Logis".into()),
        ("cote_rade_habitat_reservations.xlsx".into(), "Côte et Rade Habitat".into()),
    ])
}

/// Demo files embedded in the binary (generated by `contingents generer-demo assets/demo`).
pub const DEMO_FILES: &[(&str, &str, &[u8])] = &[
    (
        "habitat_mediterranee_edl.xlsx",
        "Habitat Méditerranée",
        include_bytes!("../assets/demo/habitat_mediterranee_edl.xlsx"),
    ),
    ("var_logis_contingents.csv", "Var Logis", include_bytes!("../assets/demo/var_logis_contingents.csv")),
    (
        "cote_rade_habitat_reservations.xlsx",
        "Côte et Rade Habitat",
        include_bytes!("../assets/demo/cote_rade_habitat_reservations.xlsx"),
    ),
];

pub const DEMO_TERRITOIRE: &str = "248300543";
pub const DEMO_DATE_REFERENCE: &str = "2025-01-01";

/// The year the demo register follows (the year of the demo's reference date).
pub const DEMO_ANNEE: i32 = 2025;

/// Builds the demo dossier at `dossier`: the embedded états des lieux imported, the flux of
/// the year saved for each bailleur (rotation 8 %, mutations 10 % of the libérations), and a
/// register of mises à disposition generated for each bailleur and imported like a bailleur's
/// own, so that every screen (Bilans included) has something to show at first launch. Written
/// under a temporary name, then renamed: never half-built.
/// The dossier's parameter that marks the demonstration dossier.
const PARAMETRE_DEMONSTRATION: &str = "demonstration";

/// Whether a dossier is the demonstration dossier (fictitious data).
pub fn est_la_demonstration(d: &crate::store::Dossier) -> bool {
    d.parametre(PARAMETRE_DEMONSTRATION).ok().flatten().as_deref() == Some("1")
}

pub fn construire_dossier(dossier: &Path) -> anyhow::Result<()> {
    use crate::import::run::{ImportOptions, Silent, import_files};
    use crate::store::Dossier;
    use anyhow::Context as _;
    let dir = dossier.with_extension("demo-files");
    std::fs::create_dir_all(&dir)?;
    let tmp = dossier.with_extension("tmp-demo");
    let _ = std::fs::remove_file(&tmp);
    {
        let mut d = Dossier::open(&tmp, true)?;
        for (name, bailleur, bytes) in DEMO_FILES {
            let p = dir.join(name);
            std::fs::write(&p, bytes)?;
            let opts = ImportOptions {
                bailleur: Some(bailleur.to_string()),
                territoire: Some(DEMO_TERRITOIRE.into()),
                date_reference: Some(DEMO_DATE_REFERENCE.into()),
                accepter_perte: false,
            };
            import_files(&mut d, &[p], &opts, &Silent, &std::sync::atomic::AtomicBool::new(false))
                .map_err(|e| anyhow::anyhow!("dossier de démonstration : {e}"))?;
        }
        let p = crate::flux::FluxParametres {
            rotation_pct: Some(8.0),
            mutations_pct: Some(10.0),
            contact: "Service gestion locative".into(),
            ..Default::default()
        };
        let mut registres = Vec::new();
        for (i, (_, bailleur, _)) in DEMO_FILES.iter().enumerate() {
            crate::flux::enregistrer_parametres(&d, bailleur, DEMO_TERRITOIRE, DEMO_ANNEE, &p)?;
            let Some(f) = crate::flux::flux_enregistre(&d, bailleur, DEMO_TERRITOIRE, DEMO_ANNEE)? else { continue };
            let refs = references(&d, bailleur)?;
            let path = dir.join(format!("registre_{}_{DEMO_ANNEE}.csv", crate::text::slug(bailleur)));
            write_registre(&path, &f, &refs, DEMO_ANNEE, 100 + i as u64)?;
            registres.push((path, bailleur.to_string()));
        }
        for (path, bailleur) in registres {
            crate::suivi::importer(&mut d, &[path], Some(&bailleur), None)
                .map_err(|e| anyhow::anyhow!("registre de démonstration : {e}"))?;
        }
        // The window says on every screen that these are fictitious data.
        d.set_parametre(PARAMETRE_DEMONSTRATION, "1")?;
    }
    if let Some(parent) = dossier.parent() {
        std::fs::create_dir_all(parent).ok();
    }
    std::fs::rename(&tmp, dossier).with_context(|| format!("écriture de {}", dossier.display()))?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The bailleur's dwelling references in the dossier, by réservataire of their commune's flux.
fn references(d: &crate::store::Dossier, bailleur: &str) -> anyhow::Result<Vec<(String, String)>> {
    Ok(d.logements_actifs_du_bailleur(bailleur)?.into_iter().map(|l| (l.reference, l.commune)).collect())
}

/// A register of mises à disposition for a year, in the layout of a bailleur's software
/// (Windows-1252 CSV): for each réservataire about its logements of the flux, made available
/// through the year, some taken back and oriented again, some still in progress, plus
/// libérations outside the flux (mutations).
pub fn write_registre(
    path: &Path,
    f: &crate::flux::Flux,
    refs: &[(String, String)],
    annee: i32,
    seed: u64,
) -> std::io::Result<()> {
    use crate::model::Date;
    let mut rng = Rng::new(seed);
    let fr = |d: Date| format!("{:02}/{:02}/{}", d.day, d.month, d.year);
    let jour = |rng: &mut Rng, from: Date, max: usize| from.add_days(1 + rng.below(max) as i64).unwrap_or(from);
    let label = |id: &str| -> String {
        match Portee::de(id) {
            Portee::Etat => "Préfecture".into(),
            Portee::Fonctionnaires => "Préfecture fonctionnaires".into(),
            Portee::ActionLogement => "Action Logement".into(),
            Portee::Defense
            | Portee::NonReserve
            | Portee::Commune
            | Portee::Epci
            | Portee::Departement
            | Portee::Region
            | Portee::Autre
            | Portee::Inconnue => crate::consolidate::libelle_reservataire(id),
        }
    };
    let mut s = String::from(
        "Référence;Réservataire;Date de mise à disposition;Date fin de préavis;Préavis;Nombre de candidats;Date de désignation;Date CAL;Décision CAL;Date signature du bail;Suite;Motif hors flux;Public prioritaire;Quartile de ressources\r\n",
    );
    let debut = Date::new(annee, 1, 1).expect("year");
    let mut used = std::collections::HashSet::new();
    let mut pick = |rng: &mut Rng, commune: Option<&str>| -> Option<String> {
        for _ in 0..200 {
            let (r, c) = &refs[rng.below(refs.len())];
            if commune.is_none_or(|x| x == c) && used.insert(r.clone()) {
                return Some(r.clone());
            }
        }
        None
    };
    let parts: Vec<&crate::flux::PartReservataire> =
        f.reservataires.iter().filter(|r| r.logements > 0 && r.id != Reservataire::NON_RESERVE).collect();
    for part in &parts {
        let commune = match &part.perimetre {
            crate::flux::Perimetre::Commune(c) => Some(c.as_str()),
            _ => None,
        };
        let n = part.logements + part.logements / 4 + 1;
        for _ in 0..n {
            let Some(reference) = pick(&mut rng, commune) else { break };
            let liberation = jour(&mut rng, debut, 355);
            let preavis = if rng.below(4) == 0 { 3 } else { 1 };
            let mad = liberation.add_days(-(rng.below(20) as i64)).unwrap_or(liberation).max(debut);
            let mut line = vec![reference.clone(), label(&part.id), fr(mad), fr(liberation), format!("{preavis} mois")];
            let issue = rng.below(10);
            if issue == 0 {
                // No candidate within the deadline: taken back, oriented to another réservataire.
                line.extend([
                    "".into(),
                    "".into(),
                    "".into(),
                    "".into(),
                    "".into(),
                    "Logement repris".into(),
                    "".into(),
                ]);
                s.push_str(&line.join(";"));
                s.push_str("\r\n");
                let others: Vec<_> = parts.iter().filter(|p| p.id != part.id).collect();
                let other = if others.is_empty() { part } else { others[rng.below(others.len())] };
                let mad2 = jour(&mut rng, mad, 25);
                let cand = jour(&mut rng, mad2, 12);
                let cal = jour(&mut rng, cand, 12);
                let bail = jour(&mut rng, cal, 20);
                let signed = bail.year == annee;
                let l2 = [
                    reference,
                    label(&other.id),
                    fr(mad2),
                    fr(liberation),
                    format!("{preavis} mois"),
                    "3".into(),
                    fr(cand),
                    fr(cal),
                    "Attribution".into(),
                    if signed { fr(bail) } else { String::new() },
                    if signed { "Bail signé".into() } else { "En cours".into() },
                    String::new(),
                ];
                s.push_str(&l2.join(";"));
                s.push_str("\r\n");
                continue;
            }
            let cand = jour(&mut rng, mad, 12);
            let cal = jour(&mut rng, cand, 12);
            let bail = jour(&mut rng, cal, 20);
            let (decision, bail_txt, suite) = match issue {
                1 => ("Non attribution", String::new(), "Logement repris"),
                2 if cal.year == annee => ("Attribution", String::new(), "En cours"),
                _ if bail.year == annee => ("Attribution", fr(bail), "Bail signé"),
                _ => ("Attribution", String::new(), "En cours"),
            };
            line.extend(["3".into(), fr(cand), fr(cal), decision.into(), bail_txt, suite.into(), String::new()]);
            s.push_str(&line.join(";"));
            s.push_str("\r\n");
        }
    }
    // Libérations outside the flux: internal transfers, as many as forecast.
    let mutations = f.soustraits.get("mutations").copied().unwrap_or(0);
    for _ in 0..mutations {
        let Some(reference) = pick(&mut rng, None) else { break };
        let liberation = jour(&mut rng, debut, 340);
        let bail = jour(&mut rng, liberation, 20);
        let l = [
            reference,
            String::new(),
            fr(liberation),
            fr(liberation),
            "1 mois".into(),
            "1".into(),
            String::new(),
            String::new(),
            String::new(),
            fr(bail),
            "Bail signé".into(),
            "Mutation interne".into(),
        ];
        s.push_str(&l.join(";"));
        s.push_str("\r\n");
    }
    // The household of each lease (CIA objectives), from a generator of its own (the rest of
    // the register does not change with it): the State's mostly publics prioritaires.
    let mut rm = Rng::new(seed ^ 0x00c1_a000);
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    for (i, line) in s.split_terminator("\r\n").enumerate() {
        out.push_str(line);
        if i > 0 {
            let cells: Vec<&str> = line.split(';').collect();
            let (public, quartile) = if cells.get(10) == Some(&"Bail signé") && rm.below(25) > 0 {
                let etat = cells.get(1) == Some(&"Préfecture");
                let public = match rm.below(100) {
                    x if x < (if etat { 35 } else { 6 }) => "Prioritaire DALO",
                    x if x < (if etat { 90 } else { 30 }) => "Public prioritaire (PDALHPD)",
                    _ => "Non prioritaire",
                };
                let relogement = cells.get(11).is_some_and(|h| !h.is_empty());
                let quartile = ["1er quartile", "2e quartile", "3e quartile", "4e quartile"]
                    [rm.weighted(&[if relogement { 40 } else { 24 }, 28, 27, 21])];
                (public, quartile)
            } else {
                ("", "")
            };
            out.push_str(&format!(";{public};{quartile}"));
        }
        out.push_str("\r\n");
    }
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&out);
    std::fs::write(path, bytes)
}
