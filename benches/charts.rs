//! Dashboard benchmark: after a filter change, the chart's figures are summed from the cube
//! (what the window recomputes before drawing its bars); and the same chart exported as a
//! PNG. Cube of 1 000 000 generated dwellings.
//!
//!     cargo bench --bench charts [-- DWELLINGS]

use contingents::charts::{Kind, Stock};
use contingents::consolidate::{Cellule, Cube, Filtre};
use contingents::demo::Rng;
use contingents::model::{Financement, IndividuelCollectif, TypologieGrille};
use std::collections::HashMap;
use std::time::Instant;

fn main() {
    let n: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let r = contingents::reference::reference();
    let epcis: Vec<_> = r.epcis.iter().filter(|e| e.membres.len() >= 10).take(5).collect();
    let bailleurs: Vec<String> = (0..12).map(|i| format!("Bailleur {i}")).collect();
    let reservataires = ["non-reserve", "etat", "action-logement", "etat-fonctionnaires", "defense", "autre:la-poste"];
    let mut rng = Rng::new(42);
    // (bailleur, commune, réservataire, financement, typologie, qpv, individuel) → dwellings
    type Key = (usize, String, String, usize, usize, bool, bool);
    let mut cells: HashMap<Key, u64> = HashMap::new();
    for _ in 0..n {
        let e = epcis[rng.below(epcis.len())];
        let c = &r.communes[e.membres[rng.below(e.membres.len())]];
        let res = if rng.below(10) == 0 {
            format!("commune:{}", c.insee)
        } else {
            reservataires[rng.below(reservataires.len())].to_string()
        };
        *cells
            .entry((
                rng.below(bailleurs.len()),
                c.insee.to_string(),
                res,
                rng.below(4),
                rng.below(6),
                rng.below(5) == 0,
                rng.below(20) == 0,
            ))
            .or_default() += 1;
    }
    let fins = [Financement::Plai, Financement::Plus, Financement::Pls, Financement::Pli];
    let cube = Cube::new(
        None,
        cells
            .into_iter()
            .map(|((b, commune, res, f, t, qpv, ind), logements)| Cellule {
                bailleur: bailleurs[b].clone(),
                epci: r.commune(&commune).and_then(|c| c.epci).unwrap_or_default().to_string(),
                commune,
                reservataire: res.into(),
                financement: fins[f],
                typologie: TypologieGrille::ALL[t],
                qpv,
                individuel_collectif: if ind {
                    IndividuelCollectif::Individuel
                } else {
                    IndividuelCollectif::Collectif
                },
                logements,
            })
            .collect(),
    );
    println!("{n} dwellings, {} cells in the cube", cube.nombre_de_cellules());
    let commune = cube.cellules().next().unwrap().commune;
    let filters = [
        Filtre::default(),
        Filtre { commune: Some(commune), ..Default::default() },
        Filtre { bailleur: Some("Bailleur 3".into()), ..Default::default() },
    ];
    let out = std::env::temp_dir().join(format!("contingents-bench-chart-{}.png", std::process::id()));
    for kind in Kind::ALL {
        let mut worst = 0.0f64;
        let mut total = 0.0;
        let mut runs = 0;
        for _ in 0..5 {
            for f in &filters {
                let t = Instant::now();
                let n = if kind == Kind::Synthese {
                    contingents::charts::synthese_data(&cube, f, Stock::Tout).len()
                } else {
                    contingents::charts::data(&cube, kind, f, Stock::Tout).bars.len()
                };
                assert!(n > 0);
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                worst = worst.max(ms);
                total += ms;
                runs += 1;
            }
        }
        let t = Instant::now();
        contingents::charts::export(&cube, kind, &filters[0], Stock::Tout, "bench", &out).unwrap();
        let png_ms = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "{:<22} figures mean {:6.2} ms   worst {:6.2} ms   (PNG export {:6.1} ms)",
            kind.name(),
            total / runs as f64,
            worst,
            png_ms
        );
    }
    let _ = std::fs::remove_file(&out);
}
