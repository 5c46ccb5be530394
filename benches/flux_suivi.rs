//! The flux engine and the follow-up at scale (issues 12 and 15).
//!
//!     cargo bench --bench flux_suivi                 # 100 000 dwellings on 50 communes; 1 000 000 dwellings, 100 000 mises à disposition
//!     cargo bench --bench flux_suivi -- 20000 200000 20000   # smaller: flux dwellings, dossier dwellings, register rows
//!
//! Measures: the flux of one bailleur of N dwellings on an EPCI of 50 communes (engine alone on
//! grouped dwellings, then from the dossier: grouping query + engine, commune breakdown
//! included); the consolidated yearly bilan of the EPCI (objectives from the saved flux of
//! every bailleur, the register, every step, the breakdown); the orientation of one dwelling.

use contingents::demo::Rng;
use contingents::flux::{FluxParametres, Groupe, calculer};
use contingents::model::{Financement, TypologieGrille};
use contingents::reference::reference;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (v[v.len() / 2], v[v.len() - 1])
}

/// An EPCI of at least 50 communes, and its first 50 communes.
fn epci_50() -> (String, Vec<String>) {
    let r = reference();
    let e = r.epcis.iter().find(|e| e.membres.len() >= 50).expect("an EPCI of 50 communes");
    (e.siren.to_string(), e.membres.iter().take(50).map(|&i| r.communes[i].insee.to_string()).collect())
}

fn groupes(n: usize, communes: &[String], epci: &str, seed: u64) -> Vec<Groupe> {
    let mut rng = Rng::new(seed);
    let res: Vec<String> =
        ["non-reserve", "etat", "action-logement", "etat-fonctionnaires", "departement:00", "autre:la-poste"]
            .iter()
            .map(|s| s.to_string())
            .chain([format!("epci:{epci}")])
            .collect();
    let res_w = [40, 25, 14, 3, 5, 1, 4];
    let mut map: std::collections::BTreeMap<(String, String, usize, usize, bool), u64> = Default::default();
    for _ in 0..n {
        let c = &communes[rng.below(communes.len())];
        let r = if rng.below(10) == 0 { format!("commune:{c}") } else { res[rng.weighted(&res_w)].clone() };
        *map.entry((
            c.clone(),
            r,
            rng.weighted(&[16, 60, 14, 3, 7]),
            rng.weighted(&[10, 20, 35, 24, 9, 2]),
            rng.below(5) == 0,
        ))
        .or_default() += 1;
    }
    map.into_iter()
        .map(|((commune, reservataire, f, t, qpv), logements)| Groupe {
            commune,
            reservataire: reservataire.into(),
            financement: Financement::ALL[f],
            typologie: TypologieGrille::ALL[t],
            qpv,
            nature: None,
            logements,
        })
        .collect()
}

/// A CSV état des lieux of `n` dwellings of `bailleurs` bailleurs on the communes.
fn write_edl(path: &Path, n: usize, bailleurs: usize, communes: &[String]) {
    let mut rng = Rng::new(7);
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(w, "BAILLEUR;REF_LGT;CODE_INSEE;CONTINGENT;TYPO;FINANCT;QPV").unwrap();
    let res = ["Non réservé", "Préfecture", "Action Logement", "Préfecture fonctionnaires", "Conseil départemental"];
    // Each bailleur's dwellings together, as each bailleur sends its own file.
    let per = n.div_ceil(bailleurs);
    for i in 0..n {
        let b = i / per;
        let c = &communes[rng.below(communes.len())];
        let r =
            if rng.below(10) == 0 { "Ville".to_string() } else { res[rng.weighted(&[45, 25, 17, 3, 10])].to_string() };
        let t = ["T1", "T2", "T3", "T4", "T5"][rng.weighted(&[10, 20, 35, 25, 10])];
        let f = ["PLUS", "PLAI", "PLS"][rng.weighted(&[70, 18, 12])];
        writeln!(w, "Bailleur {b:02};B{b:02}-{i:07};{c};{r};{t};{f};{}", if rng.below(5) == 0 { "O" } else { "N" })
            .unwrap();
    }
}

/// A register of `n` mises à disposition over the year, across the bailleurs.
fn write_registre(path: &Path, n: usize, dwellings: usize, bailleurs: usize) {
    let mut rng = Rng::new(11);
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(w, "Bailleur;Référence;Réservataire;Date de mise à disposition;Date fin de préavis;Préavis;Nombre de candidats;Date de désignation;Date CAL;Décision CAL;Date signature du bail;Suite").unwrap();
    let res = ["Préfecture", "Action Logement", "Conseil départemental", "Préfecture fonctionnaires"];
    for _ in 0..n {
        let i = rng.below(dwellings);
        let b = i / dwellings.div_ceil(bailleurs);
        let m = 1 + rng.below(11);
        let d = 1 + rng.below(28);
        let fr = |dd: usize, mm: usize| format!("{dd:02}/{mm:02}/2025");
        let signed = rng.below(10) < 7;
        writeln!(
            w,
            "Bailleur {b:02};B{b:02}-{i:07};{};{};{};1 mois;3;{};{};Attribution;{};{}",
            res[rng.weighted(&[50, 30, 15, 5])],
            fr(d, m),
            fr(d, m),
            fr(d, m + 1),
            fr(d, m + 1),
            if signed { fr(d.min(27) + 1, m + 1) } else { String::new() },
            if signed { "Bail signé" } else { "En cours" }
        )
        .unwrap();
    }
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (n_flux, n_dossier, n_registre) = (
        args.first().copied().unwrap_or(100_000),
        args.get(1).copied().unwrap_or(1_000_000),
        args.get(2).copied().unwrap_or(100_000),
    );
    let (epci, communes) = epci_50();
    let p = FluxParametres { rotation_pct: Some(8.0), mutations_pct: Some(10.0), ..Default::default() };

    // 1. The flux engine on grouped dwellings.
    let g = groupes(n_flux, &communes, &epci, 1);
    let f = calculer("B", &epci, 2025, &g, &p);
    assert_eq!(f.communes.len(), 50);
    let times: Vec<f64> = (0..30)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(calculer("B", &epci, 2025, &g, &p));
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let (med, max) = median(times);
    println!(
        "flux (moteur) : {n_flux} logements, 50 communes, {} groupes, flux {} — médiane {med:.2} ms, pire {max:.2} ms",
        g.len(),
        f.flux
    );

    // 2. A dossier, its flux from the dossier, the register, the bilan, the orientation.
    let dir = std::env::temp_dir().join(format!("contingents-bench-suivi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bailleurs = 20;
    let edl = dir.join("edl.csv");
    write_edl(&edl, n_dossier, bailleurs, &communes);
    let dossier = dir.join("d.sqlite");
    let t = Instant::now();
    {
        let mut d = contingents::store::Dossier::open(&dossier, true).unwrap();
        let opts = contingents::import::run::ImportOptions {
            bailleur: None,
            territoire: Some(epci.clone()),
            date_reference: Some("2025-01-01".into()),
            accepter_perte: false,
        };
        contingents::import::run::import_files(
            &mut d,
            std::slice::from_ref(&edl),
            &opts,
            &contingents::import::run::Silent,
            &std::sync::atomic::AtomicBool::new(false),
        )
        .unwrap();
    }
    println!("dossier : {n_dossier} logements de {bailleurs} bailleurs importés en {:.1} s", t.elapsed().as_secs_f64());
    let mut d = contingents::store::Dossier::open(&dossier, false).unwrap();
    for b in 0..bailleurs {
        contingents::flux::enregistrer_parametres(&d, &format!("Bailleur {b:02}"), &epci, 2025, &p).unwrap();
    }
    let times: Vec<f64> = (0..10)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(contingents::flux::flux_enregistre(&d, "Bailleur 00", &epci, 2025).unwrap());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let (med, max) = median(times);
    println!(
        "flux depuis le dossier (requête + moteur + ventilation) : {} logements du bailleur — médiane {med:.1} ms, pire {max:.1} ms",
        n_dossier / bailleurs
    );
    let reg = dir.join("registre.csv");
    write_registre(&reg, n_registre, n_dossier, bailleurs);
    let t = Instant::now();
    let r = contingents::suivi::importer(&mut d, &[reg], None, None).unwrap();
    println!(
        "registre : {n_registre} lignes importées en {:.2} s ({} mises à disposition, {} mises de côté)",
        t.elapsed().as_secs_f64(),
        r[0].mises_a_disposition,
        r[0].rejets.values().sum::<usize>()
    );
    let o = contingents::suivi::bilan::BilanOptions {
        periode: contingents::suivi::bilan::Periode::new(2025, None, None, None).unwrap(),
        bailleur: None,
        epci: Some(epci.clone()),
        reservataire: None,
    };
    let times: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(contingents::suivi::bilan::bilan(&d, &o).unwrap());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let (med, max) = median(times);
    println!(
        "bilan annuel consolidé ({bailleurs} bailleurs, {n_dossier} logements, {n_registre} lignes) : médiane {med:.0} ms, pire {max:.0} ms"
    );
    let date = contingents::model::Date::new(2025, 9, 15).unwrap();
    let times: Vec<f64> = (0..10)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(
                contingents::suivi::orientation::orienter(&d, "Bailleur 00", "B00-0000000", date).unwrap(),
            );
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let (med, max) = median(times);
    println!("orientation d'un logement : médiane {med:.1} ms, pire {max:.1} ms");
    drop(d);
    let _ = std::fs::remove_dir_all(&dir);
}
