//! The objectives of a bilan: each réservataire's logements in the saved flux, the soustraits
//! forecast, the convention rates on each perimeter; and the dwellings read from the cube.

use super::Periode;
use crate::model::{Portee, Reservataire};
use crate::store::Dossier;
use crate::suivi::Result;
use crate::text::FastMap;
use std::collections::{BTreeMap, BTreeSet};

/// The perimeter of a rate measured on the whole of a bilan without an EPCI, until named.
pub(super) const PERIMETRE_TOUT: &str = "territoire du bilan";

/// Where a réservataire's convention rate is measured, for its realised share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PerimetreBilan {
    Commune(String),
    Epci(String),
    /// The whole of the bilan (the State, Action Logement… on the EPCI or the département).
    Tout,
}

/// The objectives of year N: each réservataire's logements in the saved flux of every
/// (bailleur, EPCI), summed; and the soustraits forecast; and the rates the conventions state
/// on each réservataire's perimeter.
pub(crate) struct Objectifs {
    pub(crate) logements: BTreeMap<String, u64>,
    pub(crate) taux: BTreeMap<String, f64>,
    pub(crate) perimetres: BTreeMap<String, PerimetreBilan>,
    pub(crate) soustraits: BTreeMap<&'static str, u64>,
    pub(crate) sans_parametres: Vec<(i32, String)>,
    /// The flux of year N, summed over the (bailleur, EPCI).
    pub(crate) flux: u64,
    /// The réservataires' flux (without the non réservé) on each perimeter: the whole, each
    /// EPCI, each commune.
    pub(crate) flux_reserve: u64,
    pub(crate) flux_reserve_epci: BTreeMap<String, u64>,
    pub(crate) flux_reserve_commune: BTreeMap<String, u64>,
    /// The objectives of the EPCI's CIA.
    pub(crate) cia: crate::model::ReglagesCia,
    /// The other years a period across two years covers: each year's objectives and soustraits
    /// forecast, counted pro rata of the part of that year in the period (review 2, A5).
    pub(crate) autres_annees: Vec<AutreAnnee>,
}

/// The objectives and the soustraits forecast of another year than N that the period covers.
pub(crate) struct AutreAnnee {
    pub(crate) annee: i32,
    pub(crate) logements: BTreeMap<String, u64>,
    pub(crate) soustraits: BTreeMap<&'static str, u64>,
}

impl Objectifs {
    /// A réservataire's objective over the period: year N's pro rata, plus the other years'.
    pub(super) fn quota(&self, id: &str, p: &Periode) -> f64 {
        self.logements.get(id).copied().unwrap_or(0) as f64 * p.prorata()
            + self
                .autres_annees
                .iter()
                .map(|a| a.logements.get(id).copied().unwrap_or(0) as f64 * p.fraction(a.annee))
                .sum::<f64>()
    }

    /// The soustraits forecast over the period, by category.
    pub(super) fn soustraits_periode(&self, k: &str, p: &Periode) -> f64 {
        self.soustraits.get(k).copied().unwrap_or(0) as f64 * p.prorata()
            + self
                .autres_annees
                .iter()
                .map(|a| a.soustraits.get(k).copied().unwrap_or(0) as f64 * p.fraction(a.annee))
                .sum::<f64>()
    }
}

/// `groupes`: each (bailleur, EPCI)'s dwellings, read once. The flux of each is the one the
/// flux screen shows: the EPCI's part of the departmental flux when that was saved (rule 9).
pub(super) fn objectifs(
    d: &Dossier,
    groupes: &BTreeMap<(String, String), Vec<crate::flux::Groupe>>,
    annee: i32,
) -> Result<Objectifs> {
    let mut o = Objectifs {
        logements: BTreeMap::new(),
        taux: BTreeMap::new(),
        perimetres: BTreeMap::new(),
        soustraits: BTreeMap::new(),
        sans_parametres: vec![],
        flux: 0,
        flux_reserve: 0,
        flux_reserve_epci: BTreeMap::new(),
        flux_reserve_commune: BTreeMap::new(),
        cia: d.reglages_cia()?,
        autres_annees: vec![],
    };
    // Each réservataire's rate weighted by the flux of its perimeter, over the bailleurs.
    let mut ponderes: BTreeMap<String, (f64, f64, f64)> = BTreeMap::new();
    for ((b, e), g) in groupes {
        let f = crate::flux::flux_de_l_epci(d, b, e, annee, g)?;
        o.flux += f.flux;
        let propres: u64 =
            f.reservataires.iter().filter(|r| r.id == Reservataire::NON_RESERVE.as_str()).map(|r| r.logements).sum();
        o.flux_reserve += f.flux.saturating_sub(propres);
        *o.flux_reserve_epci.entry(e.clone()).or_default() += f.flux.saturating_sub(propres);
        for c in &f.communes {
            *o.flux_reserve_commune.entry(c.commune.clone()).or_default() += c
                .reservataires
                .iter()
                .filter(|r| r.id != Reservataire::NON_RESERVE.as_str())
                .map(|r| r.logements)
                .sum::<u64>();
        }
        if f.departement.is_none() {
            let qui = format!("{b} ({})", crate::consolidate::nom_epci(e));
            if !f.parametres.saisis() {
                o.sans_parametres.push((annee, qui));
            } else if let Some(source) = f.parametres.annee_source {
                // Carried over from an earlier year (a period across two years reaches a year
                // not saved yet): said, never taken for that year's.
                o.sans_parametres.push((annee, format!("{qui} : ceux de {source} repris, à confirmer")));
            }
        }
        for r in &f.reservataires {
            *o.logements.entry(r.id.to_string()).or_default() += r.logements;
            let (perimetre, poids) = match &r.perimetre {
                crate::flux::Perimetre::Commune(c) => (
                    PerimetreBilan::Commune(c.clone()),
                    f.communes.iter().find(|x| x.commune == *c).map(|x| x.flux).unwrap_or(0),
                ),
                crate::flux::Perimetre::Epci(x) if Portee::de(&r.id) == Portee::Epci => {
                    (PerimetreBilan::Epci(x.clone()), f.flux)
                }
                _ => (PerimetreBilan::Tout, f.flux),
            };
            let taux = r.taux_reduit.unwrap_or(r.taux);
            let w = ponderes.entry(r.id.to_string()).or_insert((0.0, 0.0, taux));
            w.0 += taux * poids as f64;
            w.1 += poids as f64;
            match o.perimetres.get(r.id.as_str()) {
                Some(p) if *p != perimetre => {
                    o.perimetres.insert(r.id.to_string(), PerimetreBilan::Tout);
                }
                None => {
                    o.perimetres.insert(r.id.to_string(), perimetre);
                }
                _ => {}
            }
        }
        for (m, n) in &f.soustraits {
            let k = crate::suivi::HorsFlux::parse(m).unwrap_or(crate::suivi::HorsFlux::Autres).as_str();
            *o.soustraits.entry(k).or_default() += n;
        }
    }
    for (id, (somme, poids, premier)) in ponderes {
        o.taux.insert(id, if poids > 0.0 { somme / poids } else { premier });
    }
    Ok(o)
}

/// The distinct values of a hundred thousand rows, in order: a few names, found by hashing
/// instead of sorting every row.
pub(super) fn distincts<T: Ord + std::hash::Hash + Eq>(it: impl Iterator<Item = T>) -> BTreeSet<T> {
    it.collect::<crate::text::FastSet<T>>().into_iter().collect()
}

/// A bailleur and its dwellings grouped by EPCI.
pub(super) type Lus = (String, BTreeMap<String, Vec<crate::flux::Groupe>>);

/// Dwellings grouped as the flux reads them, by (bailleur, EPCI).
pub type GroupesParPaire = BTreeMap<(String, String), Vec<crate::flux::Groupe>>;

/// The dwellings of some bailleurs (on one EPCI, or all), grouped by (bailleur, EPCI) as the
/// flux reads them ([`crate::flux::groupes`]: same groups, same order), from the cells of the
/// cube kept in the dossier and the few dwellings that have a nature — instead of reading a
/// million dwellings. `None` when the cells and the dwellings disagree (then the dwellings are
/// read).
pub fn groupes_du_cube(d: &Dossier, bailleurs: &[&str], epci: Option<&str>) -> Result<Option<GroupesParPaire>> {
    use crate::model::{Financement, TypologieGrille};
    // The kept cells when they match the dossier, else computed from the dwellings.
    let c = d.cases_du_cube()?;
    // Codes: ranks in the cube's sorted dictionaries; `AUCUN` for « non réservé » when no cell
    // names it, and for no nature.
    const AUCUN: u32 = u32::MAX;
    let rang = |v: &[String], s: &str| v.binary_search_by(|x| x.as_str().cmp(s)).ok().map(|i| i as u32);
    let non_reserve = rang(&c.reservataires, Reservataire::NON_RESERVE.as_str()).unwrap_or(AUCUN);
    // (bailleur, EPCI, commune, réservataire, financement, typologie, QPV, nature) → dwellings.
    type Cle = (u32, u32, u32, u32, Financement, TypologieGrille, bool, u32);
    let voulu = |b: &str, e: &str| bailleurs.contains(&b) && epci.is_none_or(|x| x == e);
    let mut n: FastMap<Cle, i64> = FastMap::default();
    for x in &c.cases {
        if !voulu(&c.bailleurs[x.bailleur as usize], &c.epcis[x.epci as usize]) {
            continue;
        }
        let cle = (x.bailleur, x.epci, x.commune, x.reservataire, x.financement, x.typologie, x.qpv, AUCUN);
        // A right extinct at the reference date counts as non réservé, as the flux reads it.
        let echus = i64::from(x.echus);
        *n.entry(cle).or_default() += x.logements as i64 - echus;
        if echus > 0 {
            *n.entry((cle.0, cle.1, cle.2, non_reserve, cle.4, cle.5, cle.6, AUCUN)).or_default() += echus;
        }
    }
    // The dwellings with a nature, moved from their cell's group to their own.
    let mut natures: Vec<String> = Vec::new();
    let mut incoherent = false;
    d.pour_chaque_logement_actif_avec_nature(|l| {
        if !voulu(l.bailleur, l.epci) {
            return;
        }
        let r = if l.reservataire == Reservataire::NON_RESERVE.as_str() {
            Some(non_reserve)
        } else {
            rang(&c.reservataires, l.reservataire)
        };
        let (Some(b), Some(e), Some(commune), Some(r), Some(nature)) =
            (rang(&c.bailleurs, l.bailleur), rang(&c.epcis, l.epci), rang(&c.communes, l.commune), r, l.nature)
        else {
            incoherent = true;
            return;
        };
        let k = match natures.iter().position(|x| x == nature) {
            Some(k) => k as u32,
            None => {
                natures.push(nature.to_string());
                (natures.len() - 1) as u32
            }
        };
        *n.entry((b, e, commune, r, l.financement, l.typologie, l.qpv, AUCUN)).or_default() -= 1;
        *n.entry((b, e, commune, r, l.financement, l.typologie, l.qpv, k)).or_default() += 1;
    })?;
    if incoherent || n.values().any(|k| *k < 0) {
        // Cells that do not tell the dwellings: never guessed, the dwellings are read.
        return Ok(None);
    }
    // The order of the flux's own reading (commune, réservataire, financement's name,
    // typology, QPV, nature), on codes: the dictionaries are sorted, so a rank orders as its
    // name; « non réservé » when no cell names it takes the place its name would have.
    let place_non_reserve =
        match c.reservataires.binary_search_by(|x| x.as_str().cmp(Reservataire::NON_RESERVE.as_str())) {
            Ok(i) | Err(i) => 2 * i as u32,
        };
    let ordre_reservataire = |r: u32| if r == AUCUN { place_non_reserve } else { 2 * r + 1 };
    let mut noms_financement = Financement::ALL;
    noms_financement.sort_by_key(|f| f.as_str());
    let ordre_financement = |f: Financement| noms_financement.iter().position(|x| *x == f).unwrap_or(0);
    type Ordre = (u32, u32, usize, TypologieGrille, bool);
    let mut par_paire: FastMap<(u32, u32), Vec<(Ordre, crate::flux::Groupe)>> = FastMap::default();
    for ((b, e, commune, r, financement, typologie, qpv, nature), k) in n {
        if k == 0 {
            continue;
        }
        let reservataire = if r == AUCUN {
            Reservataire::NON_RESERVE
        } else {
            Reservataire::new(c.reservataires[r as usize].as_str())
        };
        let ordre = (commune, ordre_reservataire(r), ordre_financement(financement), typologie, qpv);
        par_paire.entry((b, e)).or_default().push((
            ordre,
            crate::flux::Groupe {
                commune: c.communes[commune as usize].clone(),
                reservataire,
                financement,
                typologie,
                qpv,
                nature: (nature != AUCUN).then(|| natures[nature as usize].clone()),
                logements: k as u64,
            },
        ));
    }
    let out: GroupesParPaire = par_paire
        .into_iter()
        .map(|((b, e), mut g)| {
            // Without a nature first (None), then the natures by name.
            g.sort_unstable_by(|(x, gx), (y, gy)| x.cmp(y).then_with(|| gx.nature.cmp(&gy.nature)));
            ((c.bailleurs[b as usize].clone(), c.epcis[e as usize].clone()), g.into_iter().map(|(_, g)| g).collect())
        })
        .collect();
    Ok(Some(out))
}
