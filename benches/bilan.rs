//! The consolidated annual bilan at national scale (issue 23, « Fait quand »): 1 000 000
//! dwellings of 10 bailleurs on one EPCI, their flux saved, and about 100 000 mises à
//! disposition in registers that carry the household of each lease (publics prioritaires,
//! DALO, quartile) — so that the bilan computes every step, the breakdown and the CIA counts.
//!
//!     cargo bench --bench bilan                      # 1 000 000 logements, ~100 000 mises à disposition
//!     cargo bench --bench bilan -- 100000 10000      # smaller: logements, mises à disposition
//!
//! The dossier is made by the project's own generators (`demo::generate_rows` for the
//! états des lieux, `demo::write_registre` for the registers, as the demonstration does) and
//! kept in `$CONTINGENTS_BENCH_DATA` (default `/work/tgt/bench-data`, else the temporary
//! directory): a second run measures the bilan alone (its peak memory is then the bilan's;
//! `/usr/bin/time -v` on the bench binary gives the same « Maximum resident set size »).

use contingents::demo::{generate_rows, write_csv_1252, write_registre};
use contingents::import::run::{ImportOptions, Silent, import_files};
use contingents::reference::reference;
use contingents::store::Dossier;
use contingents::suivi::bilan::{BilanOptions, Periode, bilan};
use std::path::{Path, PathBuf};
use std::time::Instant;

const ANNEE: i32 = 2025;
const BAILLEURS: usize = 10;

fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// The processor time of this process so far (user + system, all threads), in ms: on a machine
/// shared with other work, the figure that does not depend on the others.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the command's name in parentheses: state, then fields 4.. ; utime and stime are the
    // 14th and 15th fields, in clock ticks (100 a second).
    let apres = stat.rsplit_once(')').map(|(_, x)| x).unwrap_or("");
    let f: Vec<f64> = apres.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    if f.len() > 12 { (f[11] + f[12]) * 10.0 } else { f64::NAN }
}

fn median(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (v[v.len() / 2], v[v.len() - 1])
}

fn bailleur(i: usize) -> String {
    format!("Bailleur {i:02}")
}

/// The registers of every bailleur for `rotation_pct`, written in `dir`: their paths and the
/// number of mises à disposition (lines) they hold.
fn registres(d: &Dossier, epci: &str, dir: &Path, rotation_pct: f64) -> (Vec<(PathBuf, String)>, usize) {
    let p = contingents::flux::FluxParametres {
        rotation_pct: Some(rotation_pct),
        mutations_pct: Some(10.0),
        ..Default::default()
    };
    let mut out = Vec::new();
    let mut lignes = 0;
    for i in 0..BAILLEURS {
        let b = bailleur(i);
        contingents::flux::enregistrer_parametres(d, &b, epci, ANNEE, &p).unwrap();
        let f = contingents::flux::flux_enregistre(d, &b, epci, ANNEE).unwrap().expect("flux enregistré");
        let refs: Vec<(String, String)> =
            d.logements_actifs_du_bailleur(&b).unwrap().into_iter().map(|l| (l.reference, l.commune)).collect();
        let path = dir.join(format!("registre_{i:02}.csv"));
        write_registre(&path, &f, &refs, ANNEE, 100 + i as u64).unwrap();
        lignes += std::fs::read(&path).unwrap().split(|c| *c == b'\n').filter(|l| !l.is_empty()).count() - 1;
        out.push((path, b));
    }
    (out, lignes)
}

/// Builds the dossier (états des lieux, flux, registers) unless it is already there.
fn dossier(path: &Path, epci: &str, logements: usize, mises: usize) {
    if path.exists() {
        println!("dossier repris : {}", path.display());
        return;
    }
    let dir = path.with_extension("fichiers");
    std::fs::create_dir_all(&dir).unwrap();
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let t = Instant::now();
    let mut d = Dossier::open(&tmp, true).unwrap();
    for i in 0..BAILLEURS {
        let rows = generate_rows(epci, &format!("B{i:02}-"), logements / BAILLEURS, 1 + i as u64);
        let f = dir.join(format!("edl_{i:02}.csv"));
        write_csv_1252(&f, &rows).unwrap();
        let opts = ImportOptions {
            bailleur: Some(bailleur(i)),
            territoire: Some(epci.to_string()),
            date_reference: Some(format!("{ANNEE}-01-01")),
            accepter_perte: false,
        };
        import_files(&mut d, &[f], &opts, &Silent, &std::sync::atomic::AtomicBool::new(false)).unwrap();
    }
    println!(
        "états des lieux : {logements} logements de {BAILLEURS} bailleurs importés en {:.0} s",
        t.elapsed().as_secs_f64()
    );
    // The rotation that gives about `mises` mises à disposition: measured at 10 %, then scaled.
    let (_, a_10) = registres(&d, epci, &dir, 10.0);
    let rotation = (10.0 * mises as f64 / a_10.max(1) as f64).clamp(0.5, 60.0);
    let (regs, lignes) = registres(&d, epci, &dir, rotation);
    let t = Instant::now();
    for (p, b) in regs {
        contingents::suivi::importer(&mut d, &[p], Some(&b), None).unwrap();
    }
    println!(
        "registres : {lignes} lignes (rotation {rotation:.2} %, ménage renseigné) importées en {:.0} s",
        t.elapsed().as_secs_f64()
    );
    drop(d);
    std::fs::rename(&tmp, path).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let logements = args.first().copied().unwrap_or(1_000_000);
    let mises = args.get(1).copied().unwrap_or(100_000);
    // The EPCI with the most communes.
    let r = reference();
    let epci = r.epcis.iter().max_by_key(|e| e.membres.len()).expect("un EPCI").siren.to_string();
    let base = std::env::var_os("CONTINGENTS_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/tgt/bench-data"));
    let base = if std::fs::create_dir_all(&base).is_ok() { base } else { std::env::temp_dir() };
    let path = base.join(format!("bilan-{logements}-{mises}.contingents"));
    dossier(&path, &epci, logements, mises);

    let d = Dossier::open_read_only(&path).unwrap();
    let o = BilanOptions {
        periode: Periode::new(ANNEE, None, None, None).unwrap(),
        bailleur: None,
        epci: Some(epci.clone()),
        reservataire: None,
    };
    let avant = peak_mb();
    let b = bilan(&d, &o).unwrap();
    let mad: u64 = b.reservataires.iter().map(|r| r.mises_a_disposition).sum();
    let baux: u64 = b.reservataires.iter().map(|r| r.baux_signes).sum();
    let prioritaires: u64 = b.reservataires.iter().map(|r| r.attributions_prioritaires).sum();
    assert!(b.cia.renseigne, "the registers carry the household");
    assert_eq!(b.bailleurs.len(), BAILLEURS, "every bailleur sent its register");
    println!(
        "bilan : {} bailleurs, {} réservataires, {mad} mises à disposition, {baux} baux ; CIA : {prioritaires} baux à des publics prioritaires, hors QPV {} baux dont {} au premier quartile, en QPV {} baux dont {} aux quartiles 2 à 4 ; {} lignes de ventilation",
        b.bailleurs.len(),
        b.reservataires.len(),
        b.cia.hors_qpv.baux,
        b.cia.hors_qpv.premier_quartile,
        b.cia.qpv.baux,
        b.cia.qpv.quartiles_2_4,
        b.detail.len()
    );
    let cpu_avant = cpu_ms();
    let times: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(bilan(&d, &o).unwrap());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let cpu = (cpu_ms() - cpu_avant) / 7.0;
    let (med, max) = median(times);
    // The peak memory of the bilans alone, before the phases below.
    println!(
        "bilan annuel consolidé ({logements} logements, {mad} mises à disposition, comptes CIA) : médiane {med:.0} ms, pire {max:.0} ms, processeur {cpu:.0} ms par bilan (utilisateur + système, tous fils) ; mémoire de pointe {:.0} Mo (avant le bilan {avant:.0} Mo)",
        peak_mb()
    );
    // Where the time goes: the phases the bilan goes through, each alone (one thread each);
    // `CONTINGENTS_BENCH_BILAN_SEUL=1` stops before them (to profile the bilans alone).
    if std::env::var_os("CONTINGENTS_BENCH_BILAN_SEUL").is_some() {
        return;
    }
    let t = Instant::now();
    let mads = d.mises_a_disposition(None, Some(&epci)).unwrap();
    let lecture_mads = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let groupes: Vec<(String, Vec<contingents::flux::Groupe>)> =
        (0..BAILLEURS).map(|i| (bailleur(i), contingents::flux::groupes(&d, &bailleur(i), &epci).unwrap())).collect();
    let lecture_logements = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let noms: Vec<String> = (0..BAILLEURS).map(bailleur).collect();
    let noms: Vec<&str> = noms.iter().map(String::as_str).collect();
    let du_cube = contingents::suivi::bilan::groupes_du_cube(&d, &noms, Some(&epci)).unwrap();
    let cube = t.elapsed().as_secs_f64() * 1000.0;
    // The bilan reads the cube: the same groups as every dwelling read.
    let du_cube = du_cube.expect("the cube kept in the dossier matches it");
    for (b, g) in &groupes {
        assert_eq!(&du_cube[&(b.clone(), epci.clone())], g, "{b}");
    }
    let t = Instant::now();
    for (b, g) in &groupes {
        std::hint::black_box(contingents::flux::flux_de_l_epci(&d, b, &epci, ANNEE, g).unwrap());
    }
    let flux = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "phases (un fil chacune) : lecture des {} mises à disposition {lecture_mads:.0} ms ; lecture et regroupement des logements des {BAILLEURS} bailleurs {lecture_logements:.0} ms, les mêmes groupes depuis le cube du dossier {cube:.0} ms ; flux des {BAILLEURS} bailleurs {flux:.0} ms",
        mads.len()
    );
}
