//! The yearly flux of a bailleur on an EPCI (domaine.md, « The yearly flux »): parc,
//! exclusions, assiette, libérations, soustraits, flux, each réservataire's share and
//! logements (largest remainder), the flux qualifié, and the legal alerts.

use crate::model::{Financement, TypologieGrille};
use crate::store::{Dossier, Result as StoreResult};
use crate::text::key;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything the user enters for one bailleur × EPCI × year; kept in the dossier.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FluxParametres {
    /// Turnover rate in percent (5.0 = 5 %).
    pub rotation_pct: Option<f64>,
    /// Departures (or arrivals) of the last 1–3 years, to compute the rotation rate.
    #[serde(default)]
    pub departs: Vec<u64>,
    #[serde(default)]
    pub entrees: Vec<u64>,
    /// `departs`, `entrees` or `moyenne` (of both).
    pub methode_rotation: Option<String>,
    /// Signed leases of the last 3 years: libérations = their mean, instead of a rate.
    #[serde(default)]
    pub baux_signes: Vec<u64>,
    /// Mutations internes: a number, or a percentage of the libérations.
    pub mutations: Option<u64>,
    pub mutations_pct: Option<f64>,
    /// The CUS objective, else the mean of the last 3 years, else 10 % of libérations.
    pub mutations_cus: Option<u64>,
    #[serde(default)]
    pub mutations_3_ans: Vec<u64>,
    /// Other deductions: (motif, number, justification): relogements ANRU/NPNRU, ORCOD,
    /// LHI, ventes, urgence, gens du voyage, démolition hors ANRU...
    #[serde(default)]
    pub soustraits: Vec<(String, u64, String)>,
    /// Extra exclusions from the assiette entered by hand: (motif, number).
    #[serde(default)]
    pub exclusions_manuelles: Vec<(String, u64)>,
    /// State share in percent (default 30 when the bailleur has State reservations).
    pub taux_etat_pct: Option<f64>,
    /// Shares fixed by hand, in percent, by réservataire id.
    #[serde(default)]
    pub taux_fixes: BTreeMap<String, f64>,
    /// For the fiche récapitulative: contact at the bailleur, new programmes put into
    /// service (let in stock this year, in the assiette next year), specific dwellings.
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub mises_en_service: u64,
    #[serde(default)]
    pub logements_pmr: u64,
    #[serde(default)]
    pub plai_adaptes: u64,
    #[serde(default)]
    pub commentaires: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartReservataire {
    pub id: String,
    /// Active reserved stock in the assiette.
    pub stock: u64,
    pub taux: f64,
    pub logements: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alerte {
    pub regle: String,
    pub detail: String,
}

/// A réservataire's logements split by financement × typologie × QPV.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CelluleQualifiee {
    pub financement: Financement,
    pub typologie: TypologieGrille,
    pub qpv: bool,
    pub logements: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flux {
    pub bailleur: String,
    pub epci: String,
    pub annee: i32,
    pub parc: u64,
    pub exclusions: BTreeMap<String, u64>,
    pub exclus: u64,
    pub assiette: u64,
    pub taux_rotation: f64,
    pub liberations: u64,
    pub soustraits: BTreeMap<String, u64>,
    pub flux: u64,
    pub reservataires: Vec<PartReservataire>,
    pub flux_qualifie: BTreeMap<String, Vec<CelluleQualifiee>>,
    pub alertes: Vec<Alerte>,
}

/// One group of dwellings of the bailleur on the EPCI.
#[derive(Debug, Clone, PartialEq)]
pub struct Groupe {
    pub reservataire: String,
    pub financement: Financement,
    pub typologie: TypologieGrille,
    pub qpv: bool,
    pub nature: Option<String>,
    pub logements: u64,
}

/// Why a dwelling is outside the assiette, if it is (PLI, specific housing, défense).
pub fn exclusion(g: &Groupe) -> Option<&'static str> {
    if g.financement == Financement::Pli {
        return Some("PLI");
    }
    if let Some(n) = &g.nature {
        let k = key(n);
        const FOYERS: &[&str] = &[
            "foyer",
            "residence sociale",
            "ftm",
            "chrs",
            "medico",
            "pension de famille",
            "residence autonomie",
            "ehpad",
            "fjt",
            "jeunes travailleurs",
            "maison relais",
        ];
        if FOYERS.iter().any(|f| k.contains(f)) {
            return Some("logements-foyers et résidences sociales");
        }
        if ["etudiant", "crous", "universitaire"].iter().any(|f| k.contains(f)) {
            return Some("logements étudiants");
        }
    }
    if g.reservataire == "defense" {
        return Some("défense, sécurité intérieure, santé");
    }
    None
}

/// The bailleur's active dwellings on the EPCI, grouped.
pub fn groupes(d: &Dossier, bailleur: &str, epci: &str) -> StoreResult<Vec<Groupe>> {
    groupes_perimetre(d, Some(bailleur), None, Some(epci))
}

/// A bailleur's active dwellings grouped, for each EPCI where it has some (one query).
pub fn groupes_par_epci(d: &Dossier, bailleur: &str) -> StoreResult<std::collections::BTreeMap<String, Vec<Groupe>>> {
    let dr = d.date_reference().to_string();
    // The bailleur's active imports drive the join: its dwellings only, through the index.
    let mut st = d.conn.prepare(
        "SELECT l.epci, CASE WHEN l.reservataire <> 'non-reserve' AND l.date_fin_convention IS NOT NULL
                AND l.date_fin_convention < ?2 THEN 'non-reserve' ELSE l.reservataire END,
                l.financement, l.typologie_grille, l.qpv, l.nature, COUNT(*)
         FROM import_bailleurs b CROSS JOIN logements l ON b.import_id = l.import_id AND b.bailleur = l.bailleur
         WHERE b.actif = 1 AND b.bailleur = ?1 AND l.bailleur = ?1
         GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6",
    )?;
    let mut out: std::collections::BTreeMap<String, Vec<Groupe>> = Default::default();
    let mut rows = st.query(params![bailleur, dr])?;
    while let Some(r) = rows.next()? {
        out.entry(r.get(0)?).or_default().push(groupe_at(r, 1)?);
    }
    Ok(out)
}

/// Active dwellings grouped, on a perimeter (any of bailleur, commune, EPCI may be open).
pub fn groupes_perimetre(
    d: &Dossier,
    bailleur: Option<&str>,
    commune: Option<&str>,
    epci: Option<&str>,
) -> StoreResult<Vec<Groupe>> {
    let dr = d.date_reference().to_string();
    // Only the filters given are written, and for a bailleur the active imports drive the
    // join (CROSS JOIN fixes the order), so that SQLite reaches one bailleur's dwellings through the
    // (import, bailleur) index instead of reading the whole stock.
    let mut filters = String::new();
    for (value, sql) in [
        (bailleur, " AND b.bailleur = ?1 AND l.bailleur = ?1"),
        (commune, " AND l.commune = ?2"),
        (epci, " AND l.epci = ?3"),
    ] {
        if value.is_some() {
            filters.push_str(sql);
        }
    }
    let join = if bailleur.is_some() { "CROSS JOIN" } else { "JOIN" };
    let mut st = d.conn.prepare(&format!(
        "SELECT CASE WHEN l.reservataire <> 'non-reserve' AND l.date_fin_convention IS NOT NULL
                AND l.date_fin_convention < ?4 THEN 'non-reserve' ELSE l.reservataire END,
                l.financement, l.typologie_grille, l.qpv, l.nature, COUNT(*)
         FROM import_bailleurs b {join} logements l ON b.import_id = l.import_id AND b.bailleur = l.bailleur
         WHERE b.actif = 1 AND ?1 IS ?1 AND ?2 IS ?2 AND ?3 IS ?3{filters}
         GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
    ))?;
    let rows = st.query_map(params![bailleur, commune, epci, dr], |r| groupe_at(r, 0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A group read from the columns réservataire, financement, typologie, QPV, nature, count
/// starting at `first`.
fn groupe_at(r: &rusqlite::Row, first: usize) -> rusqlite::Result<Groupe> {
    Ok(Groupe {
        reservataire: r.get(first)?,
        financement: Financement::parse(&r.get::<_, String>(first + 1)?).unwrap_or(Financement::Autre),
        typologie: TypologieGrille::parse(&r.get::<_, String>(first + 2)?).unwrap_or(TypologieGrille::T1),
        qpv: r.get(first + 3)?,
        nature: r.get(first + 4)?,
        logements: r.get::<_, i64>(first + 5)? as u64,
    })
}

/// Splits `total` in proportion to `weights`, by largest remainder: the parts always add
/// up to `total`; ties go to the earlier weight.
pub fn largest_remainder(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().filter(|w| **w > 0.0).sum();
    if total == 0 || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| if *w > 0.0 { total as f64 * w / sum } else { 0.0 }).collect();
    let mut parts: Vec<u64> = exact.iter().map(|e| (e + 1e-9).floor() as u64).collect();
    let given: u64 = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = exact[a] - parts[a] as f64;
        let fb = exact[b] - parts[b] as f64;
        fb.partial_cmp(&fa).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b))
    });
    for &i in order.iter().take(total.saturating_sub(given) as usize) {
        parts[i] += 1;
    }
    parts
}

fn round(x: f64) -> u64 {
    (x + 1e-9).round().max(0.0) as u64
}

fn mean(v: &[u64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<u64>() as f64 / v.len() as f64)
}

/// Computes the flux from the dwellings' groups and the parameters.
pub fn calculer(bailleur: &str, epci: &str, annee: i32, groupes: &[Groupe], p: &FluxParametres) -> Flux {
    let mut alertes = Vec::new();
    let parc: u64 = groupes.iter().map(|g| g.logements).sum();
    let mut exclusions: BTreeMap<String, u64> = BTreeMap::new();
    for g in groupes {
        if let Some(e) = exclusion(g) {
            *exclusions.entry(e.to_string()).or_default() += g.logements;
        }
    }
    for (motif, n) in &p.exclusions_manuelles {
        *exclusions.entry(motif.clone()).or_default() += n;
    }
    let exclus: u64 = exclusions.values().sum::<u64>().min(parc);
    let assiette = parc - exclus;
    let in_assiette: Vec<&Groupe> = groupes.iter().filter(|g| exclusion(g).is_none()).collect();

    // Libérations: leases signed, else assiette × rotation.
    let rotation = match (p.rotation_pct, mean(&p.departs), mean(&p.entrees)) {
        (Some(r), _, _) => r / 100.0,
        (None, d, e) if assiette > 0 && (d.is_some() || e.is_some()) => {
            let n = match p.methode_rotation.as_deref() {
                Some("entrees") => e.or(d),
                Some("moyenne") => match (d, e) {
                    (Some(d), Some(e)) => Some((d + e) / 2.0),
                    (d, e) => d.or(e),
                },
                _ => d.or(e),
            };
            n.unwrap_or(0.0) / assiette as f64
        }
        _ => {
            if p.baux_signes.is_empty() {
                alertes.push(Alerte {
                    regle: "parametre_par_defaut".into(),
                    detail: "taux de rotation non renseigné : libérations à 0".into(),
                });
            }
            0.0
        }
    };
    let liberations = match mean(&p.baux_signes) {
        Some(m) => round(m),
        None => round(assiette as f64 * rotation),
    };

    // Soustraits du flux.
    let mut soustraits: BTreeMap<String, u64> = BTreeMap::new();
    let mutations = if let Some(n) = p.mutations {
        n
    } else if let Some(pct) = p.mutations_pct {
        round(liberations as f64 * pct / 100.0)
    } else if let Some(n) = p.mutations_cus {
        n
    } else if let Some(m) = mean(&p.mutations_3_ans) {
        round(m)
    } else {
        alertes.push(Alerte {
            regle: "parametre_par_defaut".into(),
            detail: "mutations internes : ni objectif CUS ni moyenne sur 3 ans, 10 % des libérations retenus".into(),
        });
        round(liberations as f64 * 0.10)
    };
    soustraits.insert("mutations".into(), mutations);
    soustraits.entry("relogements".into()).or_insert(0);
    soustraits.entry("ventes".into()).or_insert(0);
    for (motif, n, _) in &p.soustraits {
        *soustraits.entry(motif.clone()).or_default() += n;
    }
    let total_soustraits: u64 = soustraits.values().sum();
    let flux = liberations.saturating_sub(total_soustraits);

    // Shares.
    let mut stock: BTreeMap<String, u64> = BTreeMap::new();
    for g in &in_assiette {
        if g.reservataire != "non-reserve" {
            *stock.entry(g.reservataire.clone()).or_default() += g.logements;
        }
    }
    for id in p.taux_fixes.keys() {
        stock.entry(id.clone()).or_insert(0);
    }
    let mut parts: Vec<PartReservataire> = stock
        .iter()
        .map(|(id, s)| {
            let taux = if let Some(t) = p.taux_fixes.get(id) {
                t / 100.0
            } else if id == "etat" {
                p.taux_etat_pct.unwrap_or(30.0) / 100.0
            } else if assiette > 0 {
                *s as f64 / assiette as f64
            } else {
                0.0
            };
            PartReservataire { id: id.clone(), stock: *s, taux, logements: 0 }
        })
        .collect();
    let reserved: f64 = parts.iter().map(|r| r.taux).sum();
    if reserved > 1.0 + 1e-9 {
        alertes.push(Alerte {
            regle: "total_sup_100".into(),
            detail: format!("les parts des réservataires atteignent {:.1} % du flux", reserved * 100.0),
        });
    }
    let non_reserve_stock = in_assiette.iter().filter(|g| g.reservataire == "non-reserve").map(|g| g.logements).sum();
    parts.push(PartReservataire {
        id: "non-reserve".into(),
        stock: non_reserve_stock,
        taux: (1.0 - reserved).max(0.0),
        logements: 0,
    });
    let weights: Vec<f64> = parts.iter().map(|r| r.taux).collect();
    for (r, n) in parts.iter_mut().zip(largest_remainder(flux, &weights)) {
        r.logements = n;
    }

    // Flux qualifié: each réservataire's logements in the proportions of its stock.
    let mut flux_qualifie: BTreeMap<String, Vec<CelluleQualifiee>> = BTreeMap::new();
    for r in &parts {
        let cells: Vec<&&Groupe> = in_assiette.iter().filter(|g| g.reservataire == r.id).collect();
        let mut merged: BTreeMap<(Financement, TypologieGrille, bool), u64> = BTreeMap::new();
        for g in cells {
            *merged.entry((g.financement, g.typologie, g.qpv)).or_default() += g.logements;
        }
        let keys: Vec<_> = merged.keys().copied().collect();
        let w: Vec<f64> = merged.values().map(|n| *n as f64).collect();
        let split = largest_remainder(r.logements, &w);
        flux_qualifie.insert(
            r.id.clone(),
            keys.into_iter()
                .zip(split)
                .filter(|(_, n)| *n > 0)
                .map(|((financement, typologie, qpv), logements)| CelluleQualifiee {
                    financement,
                    typologie,
                    qpv,
                    logements,
                })
                .collect(),
        );
    }

    // Legal caps.
    let taux_of = |id: &str| parts.iter().find(|r| r.id == id).map(|r| r.taux).unwrap_or(0.0);
    let etat = taux_of("etat");
    let fonctionnaires = taux_of("etat-fonctionnaires");
    if etat + fonctionnaires > 0.30 + 1e-9 {
        alertes.push(Alerte {
            regle: "etat_max_30".into(),
            detail: format!("part de l'État {:.1} % (plafond 30 %)", (etat + fonctionnaires) * 100.0),
        });
    }
    if fonctionnaires > 0.05 + 1e-9 {
        alertes.push(Alerte {
            regle: "fonctionnaires_max_5".into(),
            detail: format!("part des agents de l'État {:.1} % (plafond 5 %)", fonctionnaires * 100.0),
        });
    }
    if etat > 0.0 {
        let hors_qpv_flux = largest_remainder(
            flux,
            &[
                in_assiette.iter().filter(|g| !g.qpv).map(|g| g.logements as f64).sum(),
                in_assiette.iter().filter(|g| g.qpv).map(|g| g.logements as f64).sum(),
            ],
        )[0];
        let etat_hors_qpv: u64 =
            flux_qualifie.get("etat").map(|v| v.iter().filter(|c| !c.qpv).map(|c| c.logements).sum()).unwrap_or(0);
        if hors_qpv_flux > 0 && (etat_hors_qpv as f64) < 0.30 * hors_qpv_flux as f64 - 1e-9 {
            alertes.push(Alerte {
                regle: "etat_hors_qpv_min_30".into(),
                detail: format!(
                    "l'État obtient {etat_hors_qpv} des {hors_qpv_flux} logements hors QPV (moins de 30 %)"
                ),
            });
        }
    }
    for r in &parts {
        if (r.id.starts_with("commune:") || r.id.starts_with("epci:")) && r.taux > 0.20 + 1e-9 {
            alertes.push(Alerte {
                regle: "collectivite_max_20".into(),
                detail: format!(
                    "{} : {:.1} % du flux (plafond 20 %) — à justifier par un apport de terrain ou de financement",
                    crate::consolidate::libelle_reservataire(&r.id),
                    r.taux * 100.0
                ),
            });
        }
    }
    if p.taux_etat_pct.is_none() && stock.contains_key("etat") && !p.taux_fixes.contains_key("etat") {
        alertes
            .push(Alerte {
                regle: "parametre_par_defaut".into(), detail: "part de l'État à 30 % par défaut".into()
            });
    }

    Flux {
        bailleur: bailleur.into(),
        epci: epci.into(),
        annee,
        parc,
        exclusions,
        exclus,
        assiette,
        taux_rotation: rotation,
        liberations,
        soustraits,
        flux,
        reservataires: parts,
        flux_qualifie,
        alertes,
    }
}

/// The parameters saved for a bailleur × EPCI × year; else those of the year before, so
/// next year's update starts from this year's.
pub fn parametres(d: &Dossier, bailleur: &str, epci: &str, annee: i32) -> StoreResult<FluxParametres> {
    let mut st = d.conn.prepare(
        "SELECT parametres FROM flux_parametres WHERE bailleur = ?1 AND epci = ?2 AND annee <= ?3 ORDER BY annee DESC LIMIT 1",
    )?;
    let mut rows = st.query(params![bailleur, epci, annee])?;
    Ok(match rows.next()? {
        Some(r) => serde_json::from_str(&r.get::<_, String>(0)?).unwrap_or_default(),
        None => FluxParametres::default(),
    })
}

pub fn enregistrer_parametres(
    d: &Dossier,
    bailleur: &str,
    epci: &str,
    annee: i32,
    p: &FluxParametres,
) -> StoreResult<()> {
    d.conn.execute(
        "INSERT INTO flux_parametres(bailleur, epci, annee, parametres) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(bailleur, epci, annee) DO UPDATE SET parametres = excluded.parametres",
        params![bailleur, epci, annee, serde_json::to_string(p).unwrap_or_default()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(res: &str, n: u64) -> Groupe {
        Groupe {
            reservataire: res.into(),
            financement: Financement::Plus,
            typologie: TypologieGrille::T3,
            qpv: false,
            nature: None,
            logements: n,
        }
    }

    #[test]
    fn the_published_example_5367_dwellings_at_5_percent() {
        let groupes = [g("action-logement", 2000), g("departement:06", 2760), g("autre:la-poste", 607)];
        let p = FluxParametres { rotation_pct: Some(5.0), mutations: Some(0), ..Default::default() };
        let f = calculer("B", "E", 2024, &groupes, &p);
        assert_eq!(f.parc, 5367);
        assert_eq!(f.assiette, 5367);
        assert_eq!(f.liberations, 268);
        assert_eq!(f.flux, 268);
        let n = |id: &str| f.reservataires.iter().find(|r| r.id == id).unwrap().logements;
        assert_eq!((n("action-logement"), n("departement:06"), n("autre:la-poste")), (100, 138, 30));
        assert_eq!(n("non-reserve"), 0);
        assert!((f.reservataires[0].taux - 0.3726).abs() < 1e-4);
    }

    #[test]
    fn ornex_parc_exclusions_assiette_and_share() {
        let mut groupes = vec![g("commune:01281", 32), g("non-reserve", 180)];
        groupes.push(Groupe { financement: Financement::Pli, ..g("non-reserve", 20) });
        groupes.push(Groupe { nature: Some("Résidence sociale".into()), ..g("non-reserve", 14) });
        let f = calculer("B", "E", 2024, &groupes, &FluxParametres::default());
        assert_eq!((f.parc, f.exclus, f.assiette), (246, 34, 212));
        let commune = f.reservataires.iter().find(|r| r.id == "commune:01281").unwrap();
        assert_eq!(crate::format::pourcent(commune.stock, f.assiette), "15,1\u{a0}%");
        assert!((commune.taux - 32.0 / 212.0).abs() < 1e-12);
    }

    #[test]
    fn the_circulaire_1000_liberations_minus_350() {
        let p = FluxParametres {
            baux_signes: vec![900, 1000, 1100],
            mutations: Some(300),
            soustraits: vec![("relogements".into(), 50, "NPNRU".into())],
            ..Default::default()
        };
        let f = calculer("B", "E", 2024, &[g("non-reserve", 20_000)], &p);
        assert_eq!(f.liberations, 1000);
        assert_eq!(f.soustraits.values().sum::<u64>(), 350);
        assert_eq!(f.flux, 650);
    }

    #[test]
    fn mutations_default_to_10_percent_and_are_flagged() {
        let p = FluxParametres { rotation_pct: Some(10.0), ..Default::default() };
        let f = calculer("B", "E", 2024, &[g("non-reserve", 1000)], &p);
        assert_eq!(f.liberations, 100);
        assert_eq!(f.soustraits["mutations"], 10);
        assert_eq!(f.flux, 90);
        assert!(f.alertes.iter().any(|a| a.regle == "parametre_par_defaut"));
        let p = FluxParametres { rotation_pct: Some(10.0), mutations_pct: Some(20.0), ..Default::default() };
        assert_eq!(calculer("B", "E", 2024, &[g("non-reserve", 1000)], &p).soustraits["mutations"], 20);
        let p = FluxParametres { rotation_pct: Some(10.0), mutations_3_ans: vec![4, 5, 9], ..Default::default() };
        assert_eq!(calculer("B", "E", 2024, &[g("non-reserve", 1000)], &p).soustraits["mutations"], 6);
    }

    #[test]
    fn largest_remainder_always_sums_to_the_total_and_breaks_ties_in_order() {
        assert_eq!(largest_remainder(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        assert_eq!(largest_remainder(0, &[1.0, 2.0]), vec![0, 0]);
        assert_eq!(largest_remainder(7, &[0.0, 0.0]), vec![0, 0]);
        for total in [1u64, 17, 268, 999] {
            let w = [0.3, 0.1234, 0.0, 0.5766, 0.07];
            assert_eq!(largest_remainder(total, &w).iter().sum::<u64>(), total);
        }
    }

    #[test]
    fn state_share_is_30_percent_by_default_and_alerts_fire() {
        let groupes = [g("etat", 100), g("commune:06004", 300), g("etat-fonctionnaires", 80), g("non-reserve", 520)];
        let p = FluxParametres { rotation_pct: Some(10.0), mutations: Some(0), ..Default::default() };
        let f = calculer("B", "E", 2024, &groupes, &p);
        let etat = f.reservataires.iter().find(|r| r.id == "etat").unwrap();
        assert!((etat.taux - 0.30).abs() < 1e-12);
        let regles: Vec<&str> = f.alertes.iter().map(|a| a.regle.as_str()).collect();
        assert!(regles.contains(&"etat_max_30"), "{regles:?}");
        assert!(regles.contains(&"fonctionnaires_max_5"));
        assert!(regles.contains(&"collectivite_max_20"));
        assert!(regles.contains(&"parametre_par_defaut"));
        assert_eq!(f.reservataires.iter().map(|r| r.logements).sum::<u64>(), f.flux);
        let p = FluxParametres {
            taux_fixes: [("commune:06004".to_string(), 50.0), ("etat".to_string(), 60.0)].into(),
            ..p
        };
        let f = calculer("B", "E", 2024, &groupes, &p);
        assert!(f.alertes.iter().any(|a| a.regle == "total_sup_100"));
        assert_eq!(f.reservataires.iter().map(|r| r.logements).sum::<u64>(), f.flux);
    }

    #[test]
    fn flux_qualifie_follows_the_stock_and_sums_up() {
        let mut groupes = vec![g("action-logement", 30)];
        groupes.push(Groupe { typologie: TypologieGrille::T2, qpv: true, ..g("action-logement", 10) });
        groupes.push(g("non-reserve", 60));
        let p = FluxParametres { rotation_pct: Some(10.0), mutations: Some(0), ..Default::default() };
        let f = calculer("B", "E", 2024, &groupes, &p);
        let al = &f.flux_qualifie["action-logement"];
        assert_eq!(al.iter().map(|c| c.logements).sum::<u64>(), 4);
        assert_eq!(al.iter().find(|c| c.qpv).unwrap().logements, 1);
    }

    #[test]
    fn state_outside_qpv_below_30_percent_is_flagged() {
        let mut groupes = vec![Groupe { qpv: true, ..g("etat", 100) }];
        groupes.push(g("non-reserve", 900));
        let p = FluxParametres {
            rotation_pct: Some(10.0),
            mutations: Some(0),
            taux_etat_pct: Some(30.0),
            ..Default::default()
        };
        let f = calculer("B", "E", 2024, &groupes, &p);
        assert!(f.alertes.iter().any(|a| a.regle == "etat_hors_qpv_min_30"), "{:?}", f.alertes);
    }
}
