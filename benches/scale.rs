//! National-scale benchmarks: a generated dossier over all 1 255 EPCI (realistic mixes of
//! réservataires, typologies and financements), at several sizes. Each phase runs in its own
//! process so that peak memory (VmHWM) is its own.
//!
//!     cargo bench --bench scale -- 10000 100000 1000000 5400000   # the documented run
//!     cargo bench --bench scale                          # 10 000, 100 000, 1 000 000
//!
//! Phases: read (calamine's bare read of the same xlsx files, the reference of the import),
//! import (xlsx files, one per 500 000 dwellings, one transaction), report (JSON), grid
//! (cube load + a grid), view (grid, key figures and chart redraws on the loaded cube: what
//! the window does after a filter change), and each export: état des lieux, annexe, fiche de
//! l'assiette, fiche navette.

use calamine::Reader;
use contingents::demo::Rng;
use contingents::reference::reference;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// Writes `n` dwellings spread over every EPCI into CSV files of at most 500 000 rows.
fn generate(dir: &Path, n: usize) -> Vec<PathBuf> {
    let r = reference();
    let epcis: Vec<_> = r.epcis.iter().filter(|e| !e.membres.is_empty()).collect();
    let weights: Vec<u32> = epcis.iter().map(|e| e.membres.len() as u32).collect();
    let res = [
        "Non réservé",
        "Préfecture",
        "Action Logement",
        "Préfecture fonctionnaires",
        "Conseil départemental",
        "Ministère des Armées",
    ];
    let res_w = [40, 25, 14, 3, 5, 1];
    let typos = ["Studio", "T1", "T2", "T3", "T4", "T5", "T6"];
    let typo_w = [4, 6, 20, 35, 24, 9, 2];
    let fins = ["PLUS", "PLAI", "PLS", "PLI", "HLM/O"];
    let fin_w = [60, 16, 14, 3, 7];
    let mut rng = Rng::new(5_400_000);
    let mut files = Vec::new();
    let per_file = 500_000;
    let mut written = 0;
    while written < n {
        let path = dir.join(format!("bailleurs_national_{}.xlsx", files.len() + 1));
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet_with_constant_memory().unwrap();
        let header =
            ["BAILLEUR", "REF_LGT", "CODE_INSEE", "CONTINGENT", "TYPO", "FINANCT", "QPV", "IND_COLL", "DATE_FIN_CONV"];
        for (j, h) in header.iter().enumerate() {
            ws.write_string(0, j as u16, *h).unwrap();
        }
        for row in 1..=per_file.min(n - written) as u32 {
            let e = epcis[rng.weighted(&weights)];
            let c = &r.communes[e.membres[rng.below(e.membres.len())]];
            let bailleur = format!("Bailleur {:04}", rng.below(800));
            let contingent =
                if rng.below(12) == 0 { format!("Ville de {}", c.nom) } else { res[rng.weighted(&res_w)].to_string() };
            let fin = if rng.below(4) == 0 {
                format!("{}/01/20{:02}", 1 + rng.below(28), 20 + rng.below(20))
            } else {
                String::new()
            };
            let values = [
                bailleur,
                format!("R{written:08}"),
                c.insee.to_string(),
                contingent,
                typos[rng.weighted(&typo_w)].to_string(),
                fins[rng.weighted(&fin_w)].to_string(),
                if rng.below(5) == 0 { "O" } else { "N" }.to_string(),
                if rng.below(20) == 0 { "I" } else { "C" }.to_string(),
                fin,
            ];
            for (j, v) in values.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(row, j as u16, v).unwrap();
                }
            }
            written += 1;
        }
        wb.save(&path).unwrap();
        files.push(path);
    }
    files
}

fn phase(args: &[String]) {
    let name = args[2].as_str();
    let dossier = PathBuf::from(&args[3]);
    let t = Instant::now();
    match name {
        "import" => {
            let _ = std::fs::remove_file(&dossier);
            let mut d = contingents::store::Dossier::open(&dossier, true).unwrap();
            let files: Vec<PathBuf> = args[4..].iter().map(PathBuf::from).collect();
            let opts = contingents::import::run::ImportOptions {
                bailleur: None,
                territoire: None,
                date_reference: Some("2025-01-01".into()),
                accepter_perte: false,
            };
            contingents::import::run::import_files(
                &mut d,
                &files,
                &opts,
                &contingents::import::run::Silent,
                &Default::default(),
            )
            .unwrap();
        }
        "report" => {
            // What `contingents report --format json` does: written as it is read (the cells and
            // the rows set aside one by one), to a buffered output.
            let d = contingents::store::Dossier::open_read_only(&dossier).unwrap();
            let mut out = std::io::BufWriter::new(std::io::sink());
            contingents::consolidate::ecrire_rapport_json(&d, &mut out).unwrap();
        }
        "scan" => {
            // The reference of `grid`: a plain SQLite scan of the active dwellings (the columns
            // the cube is made of, each read as bytes), on rusqlite's default connection.
            let conn = rusqlite::Connection::open_with_flags(
                &dossier,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .unwrap();
            let mut st = conn
                .prepare(
                    "SELECT l.bailleur, l.commune, l.epci, l.reservataire, l.date_fin_convention, l.financement,
                     l.typologie_grille, l.qpv, l.individuel_collectif, l.nature
                     FROM import_bailleurs b JOIN logements l ON b.import_id = l.import_id AND b.bailleur = l.bailleur AND b.actif = 1",
                )
                .unwrap();
            let mut rows = st.query([]).unwrap();
            let (mut n, mut bytes) = (0u64, 0usize);
            while let Some(r) = rows.next().unwrap() {
                for i in 0..10 {
                    bytes += r.get_ref(i).unwrap().as_bytes_or_null().ok().flatten().map_or(0, |b| b.len());
                }
                n += 1;
            }
            assert!(n > 0 && bytes > 0);
        }
        "open" => {
            // What the window loads before its first filled screen (DossierView::load).
            let d = contingents::store::Dossier::open_read_only(&dossier).unwrap();
            let cube = contingents::consolidate::Cube::load(&d).unwrap();
            let (rejets, conflits, echus) = (d.rejets_actifs().unwrap(), d.conflits_actifs().unwrap(), cube.echus());
            let h = d.historique().unwrap();
            let l = contingents::consolidate::libelles_inconnus(&d).unwrap();
            let a = contingents::import::changements::dates_ambigues(&d).unwrap();
            let f = d.financement_labels().unwrap();
            assert!(cube.total(&Default::default()) > 0);
            let extra = format!(
                "{} rejets, {} conflits, {} échus, {} imports, {} libellés, {} colonnes, {} financements",
                rejets.len(),
                conflits.len(),
                echus,
                h.len(),
                l.len(),
                a.len(),
                f.len()
            );
            println!("{:.3} {:.1} {extra}", t.elapsed().as_secs_f64(), peak_mb());
            return;
        }
        "recalcul" => {
            // The cube computed from every active dwelling (a dossier whose kept cells no longer
            // match it): the reading the connection without mutex speeds up.
            let d = contingents::store::Dossier::open_read_only(&dossier).unwrap();
            let cube = contingents::consolidate::Cube::calculer(&d).unwrap();
            assert!(cube.total(&Default::default()) > 0);
        }
        "grid" => {
            let d = contingents::store::Dossier::open_read_only(&dossier).unwrap();
            let cube = contingents::consolidate::Cube::load(&d).unwrap();
            let g = cube
                .grille(&contingents::consolidate::Filtre { reservataire: Some("etat".into()), ..Default::default() });
            assert!(g.total() > 0);
        }
        "view" => {
            let d = contingents::store::Dossier::open_read_only(&dossier).unwrap();
            let cube = contingents::consolidate::Cube::load(&d).unwrap();
            let loaded = t.elapsed().as_secs_f64();
            let epci = cube.epcis()[0].clone();
            // The reference (communes' names) is loaded once per process, before the first
            // chart: not part of a redraw.
            let _ = contingents::charts::data(
                &cube,
                contingents::charts::Kind::Reservataires,
                &Default::default(),
                Default::default(),
            );
            let mut worst_grid = 0.0f64;
            let mut worst_chart = 0.0f64;
            let mut worst_kind = "";
            for f in [
                contingents::consolidate::Filtre::default(),
                contingents::consolidate::Filtre { epci: Some(epci), ..Default::default() },
                contingents::consolidate::Filtre { bailleur: Some("Bailleur 0007".into()), ..Default::default() },
            ] {
                let t1 = Instant::now();
                let _ =
                    cube.grille(&contingents::consolidate::Filtre { reservataire: Some("etat".into()), ..f.clone() });
                worst_grid = worst_grid.max(t1.elapsed().as_secs_f64());
                let t2 = Instant::now();
                let _ = cube.chiffres_cles(&f);
                worst_grid = worst_grid.max(t2.elapsed().as_secs_f64());
                for k in contingents::charts::Kind::ALL {
                    let t2 = Instant::now();
                    // What the window recomputes before drawing the bars.
                    if k == contingents::charts::Kind::Synthese {
                        let _ = contingents::charts::synthese_data(&cube, &f, Default::default());
                    } else {
                        let _ = contingents::charts::data(&cube, k, &f, Default::default());
                    }
                    let secs = t2.elapsed().as_secs_f64();
                    if secs > worst_chart {
                        worst_chart = secs;
                        worst_kind = k.name();
                    }
                }
            }
            println!(
                "{:.3} {:.1} cube {:.2}s, {} cells; grid or key figures after a filter change {:.1} ms; worst chart redraw {:.1} ms ({})",
                t.elapsed().as_secs_f64(),
                peak_mb(),
                loaded,
                cube.nombre_de_cellules(),
                worst_grid * 1000.0,
                worst_chart * 1000.0,
                worst_kind
            );
            return;
        }
        "read" => {
            for f in &args[4..] {
                let mut wb: calamine::Xlsx<_> = calamine::open_workbook(f).unwrap();
                let name = wb.sheet_names()[0].clone();
                let range = wb.worksheet_range(&name).unwrap();
                assert!(range.height() > 0);
            }
        }
        "etat-des-lieux" => {
            let d = contingents::store::Dossier::open_read_only(&dossier).unwrap();
            let out = dossier.with_extension("xlsx");
            contingents::export::etat_des_lieux::export(&d, &out, &contingents::import::run::Silent).unwrap();
        }
        "annexe" => {
            // The État's annex on the largest commune, for its largest bailleur there.
            let d = contingents::store::Dossier::open_read_only(&dossier).unwrap();
            let mut parcs: std::collections::HashMap<(String, String), u64> = Default::default();
            d.pour_chaque_logement_actif(Default::default(), |l| {
                *parcs.entry((l.commune.to_string(), l.bailleur.to_string())).or_default() += 1;
            })
            .unwrap();
            let ((commune, bailleur), _) =
                parcs.into_iter().max_by_key(|(k, n)| (*n, std::cmp::Reverse(k.clone()))).unwrap();
            let t = Instant::now();
            let out = dossier.with_extension("annexe.xlsx");
            contingents::export::annexe::export(&d, "etat", Some(&commune), None, Some(&bailleur), None, &out).unwrap();
            println!("{:.3} {:.1}", t.elapsed().as_secs_f64(), peak_mb());
            return;
        }
        "assiette" => {
            let d = contingents::store::Dossier::open_read_only(&dossier).unwrap();
            let out = dossier.with_extension("assiette.xlsx");
            contingents::export::fiche_assiette::export(&d, "Bailleur 0007", 2025, &out).unwrap();
        }
        "navette" => {
            let d = contingents::store::Dossier::open_read_only(&dossier).unwrap();
            let reference = d.logements_actifs_du_bailleur("Bailleur 0007").unwrap().swap_remove(0).reference;
            let v = contingents::export::fiche_navette::valeurs(&d, "Bailleur 0007", &reference, "etat").unwrap();
            let out = dossier.with_extension("navette.xlsx");
            contingents::export::fiche_navette::export(Some(&d), &v, &out).unwrap();
        }
        other => panic!("unknown phase {other}"),
    }
    println!("{:.3} {:.1}", t.elapsed().as_secs_f64(), peak_mb());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--phase") {
        return phase(&args);
    }
    let mut sizes: Vec<usize> = args.iter().skip(1).filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![10_000, 100_000, 1_000_000];
    }
    // `--phases open,grid,scan`: only these, on the files and dossier already there.
    let only: Option<Vec<String>> = args
        .iter()
        .position(|a| a == "--phases")
        .and_then(|i| args.get(i + 1))
        .map(|p| p.split(',').map(str::to_string).collect());
    // The generated files and dossiers are kept (CONTINGENTS_BENCH_DATA, else target/bench-data)
    // and reused by the next runs.
    let base = std::env::var_os("CONTINGENTS_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"))
        .join("scale");
    for n in sizes {
        let dir = base.join(n.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let t = Instant::now();
        let mut files: Vec<PathBuf> =
            (1..=n.div_ceil(500_000)).map(|i| dir.join(format!("bailleurs_national_{i}.xlsx"))).collect();
        if files.iter().all(|f| f.exists()) {
            println!("== {n} dwellings: {} xlsx file(s) reused", files.len());
        } else {
            files = generate(&dir, n);
            println!("== {n} dwellings: {} xlsx file(s) generated in {:.1} s", files.len(), t.elapsed().as_secs_f64());
        }
        let dossier = dir.join("dossier.sqlite");
        let exe = std::env::current_exe().unwrap();
        let all = [
            "read",
            "import",
            "open",
            "scan",
            "report",
            "grid",
            "view",
            "etat-des-lieux",
            "annexe",
            "assiette",
            "navette",
        ];
        let phases: Vec<&str> =
            all.iter().copied().filter(|p| only.as_ref().is_none_or(|o| o.iter().any(|x| x == p))).collect();
        let mut read_secs = f64::NAN;
        for p in phases {
            // The import writes a copy, renamed over the dossier at the end: a run of the other
            // phases alone reads the dossier of the last import.
            let dossier = if p == "import" { dir.join("dossier.import.sqlite") } else { dossier.clone() };
            let mut cmd = Command::new(&exe);
            cmd.arg("--phase").arg(p).arg(&dossier);
            if p == "import" || p == "read" {
                cmd.args(&files);
            }
            let out = cmd.output().unwrap();
            let s = String::from_utf8_lossy(&out.stdout);
            let line = s.lines().last().unwrap_or("").to_string();
            let mut it = line.splitn(3, ' ');
            let secs: f64 = it.next().and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
            let mb: f64 = it.next().and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
            let mut extra = it.next().unwrap_or("").to_string();
            if !out.status.success() {
                println!("   {p:<15} FAILED: {}", String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or(""));
                continue;
            }
            if p == "import" {
                std::fs::rename(&dossier, dir.join("dossier.sqlite")).unwrap();
            }
            match p {
                "read" => read_secs = secs,
                "import" => extra = format!("{:.2}x the bare read", secs / read_secs),
                _ => {}
            }
            println!("   {p:<15} {secs:8.2} s   peak {mb:7.0} MB   {extra}");
        }
    }
}
