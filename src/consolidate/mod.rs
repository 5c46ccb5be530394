//! The consolidated état des lieux: the cube of the active stock (bailleur × commune ×
//! réservataire × financement × typologie × QPV × individuel/collectif) and its views.
//! Every figure the window, the command line and the exports show is a sum of this cube.

use crate::model::{Date, Financement, IndividuelCollectif, Reservataire, TypologieGrille};
use crate::store::{Dossier, LogementCompte, Result};
use serde::Serialize;
use std::collections::BTreeMap;

mod noms;
mod rapport;

pub use noms::*;
pub use rapport::*;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cellule {
    pub bailleur: String,
    pub commune: String,
    pub epci: String,
    pub reservataire: Reservataire,
    pub financement: Financement,
    pub typologie: TypologieGrille,
    pub qpv: bool,
    pub individuel_collectif: IndividuelCollectif,
    pub logements: u64,
}

/// A selection of the stock; `None` means all. The window keeps its filter panel's choices
/// in one (remembered between runs), its réservataire apart (see [`Filtre::avec_reservataire`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Filtre {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservataire: Option<Reservataire>,
    pub commune: Option<String>,
    pub epci: Option<String>,
    pub bailleur: Option<String>,
    pub qpv: Option<bool>,
    pub individuel_collectif: Option<IndividuelCollectif>,
}

impl Filtre {
    /// The same selection, limited to one réservataire (or to none).
    pub fn avec_reservataire(&self, reservataire: Option<&str>) -> Filtre {
        Filtre { reservataire: reservataire.map(Reservataire::new), ..self.clone() }
    }

    /// The selection in words, for titles: « Commune de Toulon, Var Logis, en QPV » (the
    /// réservataire aside: titles name it themselves).
    pub fn description(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(c) = &self.commune {
            parts.push(crate::format::commune_de(&nom_commune(c)).replacen('c', "C", 1));
        } else if let Some(e) = &self.epci {
            parts.push(nom_epci(e));
        }
        if let Some(b) = &self.bailleur {
            parts.push(b.clone());
        }
        match self.qpv {
            Some(true) => parts.push("en QPV".into()),
            Some(false) => parts.push("hors QPV".into()),
            None => {}
        }
        match self.individuel_collectif {
            Some(IndividuelCollectif::Individuel) => parts.push("individuel".into()),
            Some(IndividuelCollectif::Collectif) => parts.push("collectif".into()),
            None => {}
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    pub fn accepts(&self, c: &Cellule) -> bool {
        self.reservataire.as_ref().is_none_or(|r| *r == c.reservataire)
            && self.commune.as_ref().is_none_or(|x| *x == c.commune)
            && self.epci.as_ref().is_none_or(|x| *x == c.epci)
            && self.bailleur.as_ref().is_none_or(|x| *x == c.bailleur)
            && self.qpv.is_none_or(|x| x == c.qpv)
            && self.individuel_collectif.is_none_or(|x| x == c.individuel_collectif)
    }

    /// Whether a dwelling of the dossier is in the selection.
    pub fn accepte(&self, l: &LogementCompte) -> bool {
        self.reservataire.as_ref().is_none_or(|r| r == l.reservataire)
            && self.commune.as_ref().is_none_or(|x| x == l.commune)
            && self.epci.as_ref().is_none_or(|x| x == l.epci)
            && self.bailleur.as_ref().is_none_or(|x| x == l.bailleur)
            && self.qpv.is_none_or(|x| x == l.qpv)
            && self.individuel_collectif.is_none_or(|x| x == l.individuel_collectif)
    }
}

/// The key figures of a selection, shown above the grids and the charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChiffresCles {
    pub logements: u64,
    pub reserves: u64,
    pub non_reserves: u64,
    pub bailleurs: usize,
    pub reservataires: usize,
    pub communes: usize,
}

/// The active stock as cells. The cells are kept as small integer codes (indexes into the
/// sorted lists of bailleurs, communes, EPCI and réservataires): selections and sums run on
/// them (a few nanoseconds per cell), the strings are only looked up for the results, and a
/// national cube of millions of cells holds no string per cell.
#[derive(Debug, Clone, Default)]
pub struct Cube {
    pub date_reference: Option<Date>,
    /// Sorted by réservataire (then bailleur, commune, EPCI…), so that a réservataire's cells
    /// are one slice.
    codes: Vec<Code>,
    /// The range of each réservataire's cells, by its code.
    by_reservataire: Vec<std::ops::Range<usize>>,
    bailleurs: Vec<String>,
    communes: Vec<String>,
    epcis: Vec<String>,
    reservataires: Vec<String>,
}

/// A cell as codes (see [`crate::store::cube::Case`]).
type Code = crate::store::cube::Case;

/// A [`Filtre`] as codes; `None` when it names a value absent from the cube (it selects
/// nothing).
struct CodeFilter {
    bailleur: Option<u32>,
    commune: Option<u32>,
    epci: Option<u32>,
    reservataire: Option<u32>,
    qpv: Option<bool>,
    individuel_collectif: Option<IndividuelCollectif>,
    /// Some(true): reserved stock only; Some(false): non-reserved only.
    reserve: Option<bool>,
    non_reserve: u32,
}

impl CodeFilter {
    fn accepts(&self, c: &Code) -> bool {
        self.bailleur.is_none_or(|x| x == c.bailleur)
            && self.commune.is_none_or(|x| x == c.commune)
            && self.epci.is_none_or(|x| x == c.epci)
            && self.reservataire.is_none_or(|x| x == c.reservataire)
            && self.qpv.is_none_or(|x| x == c.qpv)
            && self.individuel_collectif.is_none_or(|x| x == c.individuel_collectif)
            && self.reserve.is_none_or(|r| r == (c.reservataire != self.non_reserve))
    }
}

/// Dwellings per value of a dimension: the largest values, sorted, then the others summed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tally<'a> {
    pub top: Vec<(&'a str, u64)>,
    pub rest: u64,
    pub rest_count: usize,
}

impl<'a> Tally<'a> {
    /// Keeps the `top` largest counts, sorted (largest first, ties by key).
    pub fn new(mut v: Vec<(&'a str, u64)>, top: usize) -> Self {
        let order = |a: &(&str, u64), b: &(&str, u64)| b.1.cmp(&a.1).then(a.0.cmp(b.0));
        let (mut rest, mut rest_count) = (0, 0);
        if v.len() > top {
            v.select_nth_unstable_by(top, order);
            rest = v[top..].iter().map(|x| x.1).sum();
            rest_count = v.len() - top;
            v.truncate(top);
        }
        v.sort_by(order);
        Tally { top: v, rest, rest_count }
    }
}

/// What the stock is counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Bailleur,
    Commune,
    Epci,
    Reservataire,
    Financement,
    Typologie,
    Qpv,
    IndividuelCollectif,
}

/// `qpv` / `hors-qpv`: the key of the QPV dimension.
pub fn qpv_key(qpv: bool) -> &'static str {
    if qpv { "qpv" } else { "hors-qpv" }
}

/// A grid financement × typologie: counts per (financement, column T1..T6+).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grille {
    pub counts: BTreeMap<Financement, [u64; 6]>,
}

impl Grille {
    /// The grid of some cells (already selected by the caller).
    pub fn from_cells<'a>(cells: impl IntoIterator<Item = &'a Cellule>) -> Grille {
        let mut g = Grille::default();
        for c in cells {
            g.counts.entry(c.financement).or_default()[c.typologie as usize] += c.logements;
        }
        g
    }

    /// The grid of some cells given as codes (see [`Cube::cases`]).
    pub fn from_cases<'a>(cases: impl IntoIterator<Item = &'a crate::store::cube::Case>) -> Grille {
        let mut g = Grille::default();
        for c in cases {
            g.counts.entry(c.financement).or_default()[c.typologie as usize] += c.logements;
        }
        g
    }

    pub fn get(&self, f: Financement, t: TypologieGrille) -> u64 {
        self.counts.get(&f).map(|r| r[t as usize]).unwrap_or(0)
    }

    pub fn row_total(&self, f: Financement) -> u64 {
        self.counts.get(&f).map(|r| r.iter().sum()).unwrap_or(0)
    }

    pub fn column_total(&self, t: TypologieGrille) -> u64 {
        self.counts.values().map(|r| r[t as usize]).sum()
    }

    pub fn total(&self) -> u64 {
        self.counts.values().flat_map(|r| r.iter()).sum()
    }

    /// The rows shown: PLAI, PLUS, PLS always; PLI and Autre only when non-zero.
    pub fn rows(&self) -> Vec<Financement> {
        Financement::ALL
            .into_iter()
            .filter(|f| matches!(f, Financement::Plai | Financement::Plus | Financement::Pls) || self.row_total(*f) > 0)
            .collect()
    }

    /// `{"PLAI": {"T1": 38, ..., "TOTAL": 453}, ..., "TOTAL": {...}}`
    /// `grid --format json` of `interfaces.md`: the grid with its réservataire, perimeter and
    /// bailleur (the command line prints it, the window's tests compare with it).
    pub fn json(
        &self,
        reservataire: &str,
        commune: Option<&str>,
        epci: Option<&str>,
        bailleur: Option<&str>,
    ) -> serde_json::Value {
        let perimetre = match (commune, epci) {
            (Some(c), _) => serde_json::json!({ "commune": c }),
            (_, Some(e)) => serde_json::json!({ "epci": e }),
            _ => serde_json::json!({}),
        };
        serde_json::json!({ "reservataire": reservataire, "perimetre": perimetre, "bailleur": bailleur, "lignes": self.lignes_json() })
    }

    pub fn lignes_json(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        let row = |vals: [u64; 6]| {
            let mut m = serde_json::Map::new();
            for t in TypologieGrille::ALL {
                m.insert(t.as_str().into(), vals[t as usize].into());
            }
            m.insert("TOTAL".into(), vals.iter().sum::<u64>().into());
            serde_json::Value::Object(m)
        };
        for f in self.rows() {
            out.insert(f.as_str().into(), row(self.counts.get(&f).copied().unwrap_or_default()));
        }
        let mut tot = [0u64; 6];
        for t in TypologieGrille::ALL {
            tot[t as usize] = self.column_total(t);
        }
        out.insert("TOTAL".into(), row(tot));
        serde_json::Value::Object(out)
    }
}

impl Cube {
    /// The active stock of a dossier: the cells kept in it when they match it (a few bytes per
    /// cell), else computed from its dwellings.
    pub fn load(d: &Dossier) -> Result<Cube> {
        Ok(Cube::of(Some(d.date_reference()), d.cases_du_cube()?))
    }

    /// The active stock computed from every dwelling (what the kept cells must equal).
    pub fn calculer(d: &Dossier) -> Result<Cube> {
        Ok(Cube::of(Some(d.date_reference()), d.cases_calculees()?))
    }

    /// A cube from cells in any order (the same cell twice is summed).
    pub fn new(date_reference: Option<Date>, cells: Vec<Cellule>) -> Cube {
        let mut a = crate::store::cube::Agregat::default();
        for c in &cells {
            a.ajouter(
                &c.bailleur,
                &c.commune,
                &c.epci,
                &c.reservataire,
                c.financement,
                c.typologie,
                c.qpv,
                c.individuel_collectif,
                c.logements,
                0,
            );
        }
        Cube::of(date_reference, a.cases())
    }

    /// A cube from sorted cells (see [`crate::store::cube::Cases`]).
    pub fn of(date_reference: Option<Date>, cases: crate::store::cube::Cases) -> Cube {
        let crate::store::cube::Cases { bailleurs, communes, epcis, reservataires, cases } = cases;
        let mut by_reservataire = vec![0..0; reservataires.len()];
        let mut i = 0;
        while i < cases.len() {
            let r = cases[i].reservataire;
            let mut j = i + 1;
            while j < cases.len() && cases[j].reservataire == r {
                j += 1;
            }
            by_reservataire[r as usize] = i..j;
            i = j;
        }
        Cube { date_reference, codes: cases, by_reservataire, bailleurs, communes, epcis, reservataires }
    }

    /// The number of cells.
    pub fn nombre_de_cellules(&self) -> usize {
        self.codes.len()
    }

    /// The cells, in order (réservataire, bailleur, commune, EPCI, financement, typologie…),
    /// each made when visited.
    pub fn cellules(&self) -> impl ExactSizeIterator<Item = Cellule> + '_ {
        self.codes.iter().map(|c| self.cellule(c))
    }

    fn cellule(&self, c: &Code) -> Cellule {
        Cellule {
            bailleur: self.bailleurs[c.bailleur as usize].clone(),
            commune: self.communes[c.commune as usize].clone(),
            epci: self.epcis[c.epci as usize].clone(),
            reservataire: Reservataire::new(self.reservataires[c.reservataire as usize].as_str()),
            financement: c.financement,
            typologie: c.typologie,
            qpv: c.qpv,
            individuel_collectif: c.individuel_collectif,
            logements: c.logements,
        }
    }

    /// A réservataire's cells (in the order of [`Cube::cellules`]), made when asked.
    pub fn cellules_du_reservataire(&self, r: &str) -> Vec<Cellule> {
        match self.reservataires.binary_search_by(|x| x.as_str().cmp(r)) {
            Ok(i) => self.codes[self.by_reservataire[i].clone()].iter().map(|c| self.cellule(c)).collect(),
            Err(_) => vec![],
        }
    }

    /// The cells as codes, in the order of [`Cube::cellules`]: a code is the rank of its value
    /// in [`Cube::bailleurs_tries`], [`Cube::communes_triees`], [`Cube::epcis_tries`] and
    /// [`Cube::reservataires_tries`] (sorted, so codes compare as their values). What a long
    /// document reads without making a string per cell.
    pub fn cases(&self) -> &[Code] {
        &self.codes
    }

    /// A réservataire's cells as codes (see [`Cube::cases`]).
    pub fn cases_du_reservataire(&self, r: &str) -> &[Code] {
        match self.reservataires.binary_search_by(|x| x.as_str().cmp(r)) {
            Ok(i) => &self.codes[self.by_reservataire[i].clone()],
            Err(_) => &[],
        }
    }

    /// The bailleurs of the stock, sorted and unique, borrowed (a cell's code is an index).
    pub fn bailleurs_tries(&self) -> &[String] {
        &self.bailleurs
    }

    /// The communes (INSEE codes) of the stock, sorted and unique, borrowed.
    pub fn communes_triees(&self) -> &[String] {
        &self.communes
    }

    /// The EPCI (SIREN) of the stock, sorted and unique, borrowed.
    pub fn epcis_tries(&self) -> &[String] {
        &self.epcis
    }

    /// The (commune, EPCI) pairs of the stock, sorted, once each.
    /// One pass over the cells (a national cube has millions): a commune has one EPCI, more
    /// only in a dossier whose dwellings say otherwise.
    pub fn communes_et_epcis(&self) -> Vec<(&str, &str)> {
        let mut premier = vec![u32::MAX; self.communes.len()];
        let mut autres: Vec<(u32, u32)> = Vec::new();
        for c in &self.codes {
            let e = &mut premier[c.commune as usize];
            if *e == u32::MAX {
                *e = c.epci;
            } else if *e != c.epci {
                autres.push((c.commune, c.epci));
            }
        }
        let mut v: Vec<(u32, u32)> =
            premier.into_iter().enumerate().filter(|(_, e)| *e != u32::MAX).map(|(c, e)| (c as u32, e)).collect();
        v.extend(autres);
        v.sort_unstable();
        v.dedup();
        v.into_iter().map(|(c, e)| (self.communes[c as usize].as_str(), self.epcis[e as usize].as_str())).collect()
    }

    /// The rights extinct at the reference date, counted as non réservé.
    pub fn echus(&self) -> u64 {
        self.codes.iter().map(|c| c.echus as u64).sum()
    }

    fn code_filter(&self, f: &Filtre, reserve: Option<bool>) -> Option<CodeFilter> {
        fn id(list: &[String], v: Option<&str>) -> Option<Option<u32>> {
            match v {
                None => Some(None),
                Some(v) => list.binary_search_by(|x| x.as_str().cmp(v)).ok().map(|i| Some(i as u32)),
            }
        }
        Some(CodeFilter {
            bailleur: id(&self.bailleurs, f.bailleur.as_deref())?,
            commune: id(&self.communes, f.commune.as_deref())?,
            epci: id(&self.epcis, f.epci.as_deref())?,
            reservataire: id(&self.reservataires, f.reservataire.as_deref())?,
            qpv: f.qpv,
            individuel_collectif: f.individuel_collectif,
            reserve,
            non_reserve: self
                .reservataires
                .binary_search_by(|r| r.as_str().cmp(Reservataire::NON_RESERVE.as_str()))
                .map_or(u32::MAX, |i| i as u32),
        })
    }

    /// Visits the selected cells' codes (of the reserved or non-reserved stock only when
    /// `reserve` says so).
    fn scan(&self, f: &Filtre, reserve: Option<bool>, mut visit: impl FnMut(&Code)) {
        let Some((cf, codes)) = self.candidate_codes(f, reserve) else { return };
        for c in codes {
            if cf.accepts(c) {
                visit(c);
            }
        }
    }

    /// The filter as codes and the slice of codes it can accept.
    fn candidate_codes(&self, f: &Filtre, reserve: Option<bool>) -> Option<(CodeFilter, &[Code])> {
        let cf = self.code_filter(f, reserve)?;
        let range = match cf.reservataire {
            None => 0..self.codes.len(),
            Some(r) => self.by_reservataire[r as usize].clone(),
        };
        Some((cf, &self.codes[range]))
    }

    /// Like `scan`, but a large selection is read by two threads, each into its own
    /// accumulator, merged at the end (the sums do not depend on the split).
    fn scan_split<A: Send>(
        &self,
        f: &Filtre,
        reserve: Option<bool>,
        init: impl Fn() -> A + Sync,
        visit: impl Fn(&mut A, &Code) + Sync,
        merge: impl Fn(&mut A, A),
    ) -> A {
        let mut acc = init();
        let Some((cf, codes)) = self.candidate_codes(f, reserve) else { return acc };
        let run = |codes: &[Code], acc: &mut A| {
            for c in codes {
                if cf.accepts(c) {
                    visit(acc, c);
                }
            }
        };
        if codes.len() < 200_000 {
            run(codes, &mut acc);
            return acc;
        }
        let (a, b) = codes.split_at(codes.len() / 2);
        let other = std::thread::scope(|s| {
            let h = s.spawn(|| {
                let mut acc = init();
                run(b, &mut acc);
                acc
            });
            run(a, &mut acc);
            h.join()
        });
        match other {
            Ok(o) => merge(&mut acc, o),
            // The helper thread cannot panic (it only adds); should it, count its half here.
            Err(_) => run(b, &mut acc),
        }
        acc
    }

    /// Dwellings of the selection per value of a dimension, largest first (ties by key).
    /// Keys: INSEE code, EPCI SIREN, bailleur name, réservataire id, financement and
    /// typologie labels, [`qpv_key`], individuel/collectif.
    pub fn counts_by(&self, f: &Filtre, reserve: Option<bool>, dim: Dimension) -> Vec<(&str, u64)> {
        self.counts_by_all(f, reserve, &[dim]).pop().unwrap_or_default()
    }

    /// [`Cube::counts_by`] for several dimensions in one pass over the cells.
    pub fn counts_by_all(&self, f: &Filtre, reserve: Option<bool>, dims: &[Dimension]) -> Vec<Vec<(&str, u64)>> {
        self.tallies(f, reserve, dims, usize::MAX).into_iter().map(|t| t.top).collect()
    }

    /// Like [`Cube::counts_by_all`], keeping only the `top` largest values of each dimension
    /// (sorted) and the sum and number of the others: what a chart shows, without sorting
    /// thousands of communes.
    pub fn tallies(&self, f: &Filtre, reserve: Option<bool>, dims: &[Dimension], top: usize) -> Vec<Tally<'_>> {
        let size = |dim: Dimension| match dim {
            Dimension::Bailleur => self.bailleurs.len(),
            Dimension::Commune => self.communes.len(),
            Dimension::Epci => self.epcis.len(),
            Dimension::Reservataire => self.reservataires.len(),
            Dimension::Financement => Financement::ALL.len(),
            Dimension::Typologie => TypologieGrille::ALL.len(),
            Dimension::Qpv | Dimension::IndividuelCollectif => 2,
        };
        let index = |dim: Dimension, c: &Code| -> usize {
            match dim {
                Dimension::Bailleur => c.bailleur as usize,
                Dimension::Commune => c.commune as usize,
                Dimension::Epci => c.epci as usize,
                Dimension::Reservataire => c.reservataire as usize,
                Dimension::Financement => c.financement as usize,
                Dimension::Typologie => c.typologie as usize,
                Dimension::Qpv => c.qpv as usize,
                Dimension::IndividuelCollectif => (c.individuel_collectif == IndividuelCollectif::Individuel) as usize,
            }
        };
        // Every cell holds at least one dwelling: a zero count is a value not selected.
        let counts: Vec<Vec<u64>> = self.scan_split(
            f,
            reserve,
            || dims.iter().map(|d| vec![0u64; size(*d)]).collect(),
            |counts: &mut Vec<Vec<u64>>, c| {
                for (dim, v) in dims.iter().zip(counts.iter_mut()) {
                    v[index(*dim, c)] += c.logements;
                }
            },
            |a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    for (p, q) in x.iter_mut().zip(y) {
                        *p += q;
                    }
                }
            },
        );
        let key = |dim: Dimension, i: usize| -> &str {
            match dim {
                Dimension::Bailleur => &self.bailleurs[i],
                Dimension::Commune => &self.communes[i],
                Dimension::Epci => &self.epcis[i],
                Dimension::Reservataire => &self.reservataires[i],
                Dimension::Financement => Financement::ALL[i].as_str(),
                Dimension::Typologie => TypologieGrille::ALL[i].as_str(),
                Dimension::Qpv => qpv_key(i == 1),
                Dimension::IndividuelCollectif => {
                    if i == 1 {
                        IndividuelCollectif::Individuel.as_str()
                    } else {
                        IndividuelCollectif::Collectif.as_str()
                    }
                }
            }
        };
        dims.iter()
            .zip(counts)
            .map(|(dim, counts)| {
                let v = counts.into_iter().enumerate().filter(|(_, n)| *n > 0).map(|(i, n)| (key(*dim, i), n));
                Tally::new(v.collect(), top)
            })
            .collect()
    }

    /// Dwellings per typologie column (T1..T6+) of each réservataire of the selection.
    pub fn typologies_by_reservataire(&self, f: &Filtre, reserve: Option<bool>) -> Vec<(&str, [u64; 6])> {
        let n = self.reservataires.len();
        let counts = self.scan_split(
            f,
            reserve,
            || vec![[0u64; 6]; n],
            |counts: &mut Vec<[u64; 6]>, c| counts[c.reservataire as usize][c.typologie as usize] += c.logements,
            |a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    for (p, q) in x.iter_mut().zip(y) {
                        *p += q;
                    }
                }
            },
        );
        // Every cell holds at least one dwelling: an empty row is a réservataire not selected.
        (0..n)
            .filter(|&i| counts[i].iter().any(|x| *x > 0))
            .map(|i| (self.reservataires[i].as_str(), counts[i]))
            .collect()
    }

    pub fn chiffres_cles(&self, f: &Filtre) -> ChiffresCles {
        let mut k = ChiffresCles::default();
        let mut bailleurs = vec![false; self.bailleurs.len()];
        let mut reservataires = vec![false; self.reservataires.len()];
        let mut communes = vec![false; self.communes.len()];
        let non_reserve =
            self.reservataires.binary_search_by(|r| r.as_str().cmp(Reservataire::NON_RESERVE.as_str())).ok();
        self.scan(f, None, |c| {
            k.logements += c.logements;
            if Some(c.reservataire as usize) == non_reserve {
                k.non_reserves += c.logements;
            } else {
                k.reserves += c.logements;
                reservataires[c.reservataire as usize] = true;
            }
            bailleurs[c.bailleur as usize] = true;
            communes[c.commune as usize] = true;
        });
        let count = |v: &[bool]| v.iter().filter(|x| **x).count();
        k.bailleurs = count(&bailleurs);
        k.reservataires = count(&reservataires);
        k.communes = count(&communes);
        k
    }

    pub fn total(&self, f: &Filtre) -> u64 {
        let mut n = 0;
        self.scan(f, None, |c| n += c.logements);
        n
    }

    pub fn grille(&self, f: &Filtre) -> Grille {
        let mut rows = [[0u64; 6]; Financement::ALL.len()];
        let mut hit = [false; Financement::ALL.len()];
        self.scan(f, None, |c| {
            let i = c.financement as usize;
            rows[i][c.typologie as usize] += c.logements;
            hit[i] = true;
        });
        let mut g = Grille::default();
        for (i, fin) in Financement::ALL.into_iter().enumerate() {
            if hit[i] {
                g.counts.insert(fin, rows[i]);
            }
        }
        g
    }

    pub fn bailleurs(&self) -> Vec<String> {
        self.bailleurs.clone()
    }

    pub fn communes(&self) -> Vec<String> {
        self.communes.clone()
    }

    pub fn epcis(&self) -> Vec<String> {
        self.epcis.clone()
    }

    /// The réservataires of the dossier, sorted and unique, borrowed.
    pub fn reservataires_tries(&self) -> &[String] {
        &self.reservataires
    }

    pub fn reservataires(&self) -> Vec<String> {
        self.reservataires.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_rows_hide_empty_pli_and_autre() {
        let mut g = Grille::default();
        g.counts.insert(Financement::Plai, [38, 94, 221, 78, 22, 0]);
        assert_eq!(g.rows(), vec![Financement::Plai, Financement::Plus, Financement::Pls]);
        g.counts.insert(Financement::Autre, [1, 0, 0, 0, 0, 0]);
        assert_eq!(g.rows().len(), 4);
        assert_eq!(g.row_total(Financement::Plai), 453);
        let j = g.lignes_json();
        assert_eq!(j["PLAI"]["TOTAL"], 453);
        assert_eq!(j["TOTAL"]["T1"], 39);
        assert_eq!(j["PLUS"]["TOTAL"], 0);
    }
}

#[cfg(test)]
mod chiffres_tests {
    use super::*;

    #[test]
    fn key_figures_of_a_selection() {
        let c = |b: &str, r: &str, n: u64| Cellule {
            bailleur: b.into(),
            commune: "06004".into(),
            epci: "240600585".into(),
            reservataire: r.into(),
            financement: Financement::Plus,
            typologie: TypologieGrille::T3,
            qpv: false,
            individuel_collectif: IndividuelCollectif::Collectif,
            logements: n,
        };
        let cube = Cube::new(None, vec![c("A", "etat", 3), c("B", "non-reserve", 5), c("A", "action-logement", 2)]);
        let k = cube.chiffres_cles(&Filtre::default());
        assert_eq!(
            k,
            ChiffresCles { logements: 10, reserves: 5, non_reserves: 5, bailleurs: 2, reservataires: 2, communes: 1 }
        );
        let k = cube.chiffres_cles(&Filtre { reservataire: Some("etat".into()), ..Default::default() });
        assert_eq!((k.logements, k.reserves, k.bailleurs), (3, 3, 1));
    }
}

#[cfg(test)]
mod code_tests {
    use super::*;
    use crate::hasard::Rng;

    /// A random cube with a few values per dimension, so filters hit and miss.
    fn random_cube(seed: u64, n: usize) -> Cube {
        let mut rng = Rng::new(seed);
        let pick = |rng: &mut Rng, v: &[&str]| v[rng.below(v.len())].to_string();
        let cells = (0..n)
            .map(|_| Cellule {
                bailleur: pick(&mut rng, &["Azur", "Côte", "Logis", "Érable"]),
                commune: pick(&mut rng, &["06004", "06029", "06088", "83137"]),
                epci: pick(&mut rng, &["240600585", "200039915"]),
                reservataire: Reservataire::new(pick(
                    &mut rng,
                    &["etat", "non-reserve", "action-logement", "commune:06004"],
                )),
                financement: Financement::ALL[rng.below(5)],
                typologie: TypologieGrille::ALL[rng.below(6)],
                qpv: rng.below(3) == 0,
                individuel_collectif: if rng.below(4) == 0 {
                    IndividuelCollectif::Individuel
                } else {
                    IndividuelCollectif::Collectif
                },
                logements: 1 + rng.below(9) as u64,
            })
            .collect();
        Cube::new(None, cells)
    }

    fn filters() -> Vec<Filtre> {
        let mut v = vec![Filtre::default()];
        for r in [None, Some("etat"), Some("non-reserve"), Some("absent")] {
            for c in [None, Some("06004"), Some("99999")] {
                for b in [None, Some("Côte")] {
                    for qpv in [None, Some(true)] {
                        v.push(Filtre {
                            reservataire: r.map(Into::into),
                            commune: c.map(Into::into),
                            bailleur: b.map(Into::into),
                            qpv,
                            epci: (c.is_none() && qpv.is_some()).then(|| "240600585".into()),
                            individuel_collectif: b.and(Some(IndividuelCollectif::Collectif)),
                        });
                    }
                }
            }
        }
        v
    }

    type KeyOf<'a> = &'a dyn Fn(&Cellule) -> String;

    /// The (commune, EPCI) pairs of the stock, sorted, once each: also a commune the dwellings
    /// put in several EPCI.
    #[test]
    fn communes_and_their_epcis_once_each() {
        for (seed, n) in [(5, 2_000), (6, 3)] {
            let cube = random_cube(seed, n);
            let mut attendu: Vec<(String, String)> = cube.cellules().map(|c| (c.commune, c.epci)).collect();
            attendu.sort();
            attendu.dedup();
            let v: Vec<(String, String)> =
                cube.communes_et_epcis().into_iter().map(|(c, e)| (c.to_string(), e.to_string())).collect();
            assert_eq!(v, attendu);
        }
        assert_eq!(random_cube(5, 2_000).communes_et_epcis().len(), 8, "four communes, each in both EPCI");
        assert!(Cube::default().communes_et_epcis().is_empty());
    }

    /// A large selection is summed by two threads: the sums are the same.
    #[test]
    fn split_sums_equal_plain_sums() {
        let cube = random_cube(11, 210_000);
        for f in [
            Filtre::default(),
            Filtre { commune: Some("06029".into()), ..Default::default() },
            Filtre { qpv: Some(true), ..Default::default() },
        ] {
            let cells: Vec<Cellule> = cube.cellules().collect();
            let plain: Vec<&Cellule> = cells.iter().filter(|c| f.accepts(c)).collect();
            let mut by_bailleur: BTreeMap<&str, u64> = BTreeMap::new();
            let mut by_typo: BTreeMap<(&str, usize), u64> = BTreeMap::new();
            for c in &plain {
                *by_bailleur.entry(&c.bailleur).or_default() += c.logements;
                *by_typo.entry((&c.reservataire, c.typologie as usize)).or_default() += c.logements;
            }
            let coded: BTreeMap<&str, u64> = cube.counts_by(&f, None, Dimension::Bailleur).into_iter().collect();
            assert_eq!(coded, by_bailleur);
            for (r, counts) in cube.typologies_by_reservataire(&f, None) {
                for (t, n) in counts.iter().enumerate() {
                    assert_eq!(*n, by_typo.get(&(r, t)).copied().unwrap_or(0));
                }
            }
            let t = cube.tallies(&f, None, &[Dimension::Commune], 2).pop().unwrap();
            let communes: std::collections::BTreeSet<&str> = plain.iter().map(|c| c.commune.as_str()).collect();
            assert_eq!(t.top.len(), communes.len().min(2));
            assert_eq!(t.rest_count, communes.len() - t.top.len());
            assert_eq!(t.top.iter().map(|x| x.1).sum::<u64>() + t.rest, plain.iter().map(|c| c.logements).sum::<u64>());
        }
    }

    /// The coded selections give exactly the sums of the plain cells.
    #[test]
    fn coded_sums_equal_plain_sums() {
        let cube = random_cube(7, 3_000);
        assert!(cube.codes.len() == cube.cellules().len());
        for (i, f) in Financement::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i, "Financement::ALL follows the declaration order");
        }
        for f in filters() {
            let cells: Vec<Cellule> = cube.cellules().collect();
            let plain: Vec<&Cellule> = cells.iter().filter(|c| f.accepts(c)).collect();
            assert_eq!(cube.total(&f), plain.iter().map(|c| c.logements).sum::<u64>(), "{f:?}");
            assert_eq!(cube.grille(&f), Grille::from_cells(plain.iter().copied()), "{f:?}");
            for (reserve, keep) in [
                (None, &(|_: &Cellule| true) as &dyn Fn(&Cellule) -> bool),
                (Some(true), &|c: &Cellule| c.reservataire != "non-reserve"),
                (Some(false), &|c: &Cellule| c.reservataire == "non-reserve"),
            ] {
                let sum_by = |key: KeyOf| {
                    let mut m: BTreeMap<String, u64> = BTreeMap::new();
                    for c in plain.iter().filter(|c| keep(c)) {
                        *m.entry(key(c)).or_default() += c.logements;
                    }
                    let mut v: Vec<(String, u64)> = m.into_iter().collect();
                    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                    v
                };
                let dims: [(Dimension, KeyOf); 8] = [
                    (Dimension::Bailleur, &|c| c.bailleur.clone()),
                    (Dimension::Commune, &|c| c.commune.clone()),
                    (Dimension::Epci, &|c| c.epci.clone()),
                    (Dimension::Reservataire, &|c| c.reservataire.to_string()),
                    (Dimension::Financement, &|c| c.financement.as_str().into()),
                    (Dimension::Typologie, &|c| c.typologie.as_str().into()),
                    (Dimension::Qpv, &|c| qpv_key(c.qpv).into()),
                    (Dimension::IndividuelCollectif, &|c| c.individuel_collectif.as_str().into()),
                ];
                for (dim, key) in dims {
                    let coded: Vec<(String, u64)> =
                        cube.counts_by(&f, reserve, dim).into_iter().map(|(k, n)| (k.to_string(), n)).collect();
                    assert_eq!(coded, sum_by(key), "{dim:?} {reserve:?} {f:?}");
                }
                let typos = cube.typologies_by_reservataire(&f, reserve);
                for (r, counts) in typos {
                    for t in TypologieGrille::ALL {
                        let plain_n: u64 = plain
                            .iter()
                            .filter(|c| keep(c) && c.reservataire == r && c.typologie == t)
                            .map(|c| c.logements)
                            .sum();
                        assert_eq!(counts[t as usize], plain_n);
                    }
                }
            }
            let k = cube.chiffres_cles(&f);
            let distinct = |key: fn(&Cellule) -> &str, pred: &dyn Fn(&Cellule) -> bool| {
                plain.iter().filter(|c| pred(c)).map(|c| key(c)).collect::<std::collections::BTreeSet<_>>().len()
            };
            assert_eq!(k.bailleurs, distinct(|c| &c.bailleur, &|_| true));
            assert_eq!(k.communes, distinct(|c| &c.commune, &|_| true));
            assert_eq!(k.reservataires, distinct(|c| &c.reservataire, &|c| c.reservataire != "non-reserve"));
            assert_eq!(
                k.non_reserves,
                plain.iter().filter(|c| c.reservataire == "non-reserve").map(|c| c.logements).sum::<u64>()
            );
        }
    }
}
