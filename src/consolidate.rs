//! The consolidated état des lieux: the cube of the active stock (bailleur × commune ×
//! réservataire × financement × typologie × QPV × individuel/collectif) and its views.
//! Every figure the window, the command line and the exports show is a sum of this cube.

use crate::model::{Date, Financement, IndividuelCollectif, TypologieGrille};
use crate::store::{Dossier, Result};
use rusqlite::params;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cellule {
    pub bailleur: String,
    pub commune: String,
    pub epci: String,
    pub reservataire: String,
    pub financement: Financement,
    pub typologie: TypologieGrille,
    pub qpv: bool,
    pub individuel_collectif: IndividuelCollectif,
    pub logements: u64,
}

/// SQL of the active dwellings: those of the active import of each bailleur.
const ACTIFS: &str =
    "logements l JOIN import_bailleurs b ON b.import_id = l.import_id AND b.bailleur = l.bailleur AND b.actif = 1";

/// The réservataire a dwelling counts under: an extinct right counts as `non-reserve`.
const RESERVATAIRE_ACTIF: &str = "CASE WHEN l.reservataire <> 'non-reserve' AND l.date_fin_convention IS NOT NULL
     AND l.date_fin_convention < ?1 THEN 'non-reserve' ELSE l.reservataire END";

/// A selection of the stock; `None` means all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filtre {
    pub reservataire: Option<String>,
    pub commune: Option<String>,
    pub epci: Option<String>,
    pub bailleur: Option<String>,
    pub qpv: Option<bool>,
    pub individuel_collectif: Option<IndividuelCollectif>,
}

impl Filtre {
    pub fn accepts(&self, c: &Cellule) -> bool {
        self.reservataire.as_ref().is_none_or(|r| *r == c.reservataire)
            && self.commune.as_ref().is_none_or(|x| *x == c.commune)
            && self.epci.as_ref().is_none_or(|x| *x == c.epci)
            && self.bailleur.as_ref().is_none_or(|x| *x == c.bailleur)
            && self.qpv.is_none_or(|x| x == c.qpv)
            && self.individuel_collectif.is_none_or(|x| x == c.individuel_collectif)
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

#[derive(Debug, Clone, Default)]
pub struct Cube {
    pub date_reference: Option<Date>,
    /// Sorted by réservataire, so that a réservataire's cells are one slice.
    pub cells: Vec<Cellule>,
    by_reservataire: Vec<(String, std::ops::Range<usize>)>,
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
    /// Loads the active stock of a dossier, aggregated to cells.
    pub fn load(d: &Dossier) -> Result<Cube> {
        let dr = d.date_reference();
        let sql = format!(
            "SELECT l.bailleur, l.commune, l.epci, {RESERVATAIRE_ACTIF} AS r, l.financement, l.typologie_grille, l.qpv,
                    l.individuel_collectif, COUNT(*)
             FROM {ACTIFS} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
        );
        let mut st = d.conn.prepare(&sql)?;
        let rows = st.query_map(params![dr.to_string()], |r| {
            Ok(Cellule {
                bailleur: r.get(0)?,
                commune: r.get(1)?,
                epci: r.get(2)?,
                reservataire: r.get(3)?,
                financement: Financement::parse(&r.get::<_, String>(4)?).unwrap_or(Financement::Autre),
                typologie: TypologieGrille::parse(&r.get::<_, String>(5)?).unwrap_or(TypologieGrille::T1),
                qpv: r.get(6)?,
                individuel_collectif: IndividuelCollectif::parse(&r.get::<_, String>(7)?)
                    .unwrap_or(IndividuelCollectif::Collectif),
                logements: r.get::<_, i64>(8)? as u64,
            })
        })?;
        Ok(Cube::new(Some(dr), rows.collect::<std::result::Result<_, _>>()?))
    }

    /// A cube from cells in any order; they are sorted by réservataire and indexed.
    pub fn new(date_reference: Option<Date>, mut cells: Vec<Cellule>) -> Cube {
        cells.sort_by(|a, b| a.reservataire.cmp(&b.reservataire));
        let mut by_reservataire: Vec<(String, std::ops::Range<usize>)> = Vec::new();
        for (i, c) in cells.iter().enumerate() {
            match by_reservataire.last_mut() {
                Some((r, range)) if *r == c.reservataire => range.end = i + 1,
                _ => by_reservataire.push((c.reservataire.clone(), i..i + 1)),
            }
        }
        Cube { date_reference, cells, by_reservataire }
    }

    /// The cells a filter can accept: one réservataire's slice when it names one.
    pub fn candidates(&self, f: &Filtre) -> &[Cellule] {
        match &f.reservataire {
            None => &self.cells,
            Some(r) => match self.by_reservataire.binary_search_by(|(k, _)| k.as_str().cmp(r)) {
                Ok(i) => &self.cells[self.by_reservataire[i].1.clone()],
                Err(_) => &[],
            },
        }
    }

    /// The selected cells.
    pub fn selection<'a>(&'a self, f: &'a Filtre) -> impl Iterator<Item = &'a Cellule> + 'a {
        self.candidates(f).iter().filter(move |c| f.accepts(c))
    }

    pub fn chiffres_cles(&self, f: &Filtre) -> ChiffresCles {
        let mut k = ChiffresCles::default();
        let (mut bailleurs, mut reservataires, mut communes) =
            (std::collections::HashSet::new(), std::collections::HashSet::new(), std::collections::HashSet::new());
        for c in self.selection(f) {
            k.logements += c.logements;
            if c.reservataire == "non-reserve" {
                k.non_reserves += c.logements;
            } else {
                k.reserves += c.logements;
                reservataires.insert(c.reservataire.as_str());
            }
            bailleurs.insert(c.bailleur.as_str());
            communes.insert(c.commune.as_str());
        }
        k.bailleurs = bailleurs.len();
        k.reservataires = reservataires.len();
        k.communes = communes.len();
        k
    }

    pub fn total(&self, f: &Filtre) -> u64 {
        self.selection(f).map(|c| c.logements).sum()
    }

    pub fn grille(&self, f: &Filtre) -> Grille {
        Grille::from_cells(self.selection(f))
    }

    /// Totals of the selection by any key, largest first (ties by key).
    pub fn totals_by<K: Ord + Clone>(&self, f: &Filtre, key: impl Fn(&Cellule) -> K) -> Vec<(K, u64)> {
        let mut m: BTreeMap<K, u64> = BTreeMap::new();
        for c in self.selection(f) {
            *m.entry(key(c)).or_default() += c.logements;
        }
        let mut v: Vec<(K, u64)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    pub fn bailleurs(&self) -> Vec<String> {
        sorted_unique(self.cells.iter().map(|c| c.bailleur.clone()))
    }

    pub fn communes(&self) -> Vec<String> {
        sorted_unique(self.cells.iter().map(|c| c.commune.clone()))
    }

    pub fn epcis(&self) -> Vec<String> {
        sorted_unique(self.cells.iter().map(|c| c.epci.clone()))
    }

    pub fn reservataires(&self) -> Vec<String> {
        sorted_unique(self.cells.iter().map(|c| c.reservataire.clone()))
    }
}

fn sorted_unique(it: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = it.collect();
    v.sort();
    v.dedup();
    v
}

#[derive(Debug, Clone, Serialize)]
pub struct RejetOut {
    pub fichier: String,
    pub feuille: Option<String>,
    pub ligne: u32,
    pub motif: String,
    pub valeur: String,
    #[serde(skip)]
    pub bailleur: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConflitOut {
    pub bailleur: String,
    pub reference: String,
    pub motif: String,
    pub valeurs: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EchuOut {
    pub bailleur: String,
    pub reference: String,
    pub reservataire: String,
    pub date_fin_convention: String,
}

/// `report --format json` of `interfaces.md`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub territoire: String,
    pub date_reference: String,
    pub logements: u64,
    pub rejets: Vec<RejetOut>,
    pub conflits: Vec<ConflitOut>,
    pub echus: Vec<EchuOut>,
    pub cellules: Vec<Cellule>,
}

pub fn anomalies(d: &Dossier) -> Result<(Vec<RejetOut>, Vec<ConflitOut>, Vec<EchuOut>)> {
    let dr = d.date_reference().to_string();
    let mut st = d.conn.prepare(
        "SELECT i.fichier, r.feuille, r.ligne, r.motif, r.valeur, r.bailleur FROM rejets r JOIN imports i ON i.id = r.import_id
         JOIN import_bailleurs b ON b.import_id = r.import_id AND b.bailleur = r.bailleur AND b.actif = 1 ORDER BY r.import_id, r.id",
    )?;
    let rejets = st
        .query_map([], |r| {
            Ok(RejetOut {
                fichier: r.get(0)?,
                feuille: r.get(1)?,
                ligne: r.get(2)?,
                motif: r.get(3)?,
                valeur: r.get(4)?,
                bailleur: r.get(5)?,
            })
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mut st = d.conn.prepare(
        "SELECT c.bailleur, c.reference, c.motif, c.valeurs FROM conflits c
         JOIN import_bailleurs b ON b.import_id = c.import_id AND b.bailleur = c.bailleur AND b.actif = 1 ORDER BY c.import_id, c.id",
    )?;
    let conflits = st
        .query_map([], |r| {
            Ok(ConflitOut {
                bailleur: r.get(0)?,
                reference: r.get(1)?,
                motif: r.get(2)?,
                valeurs: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
            })
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mut st = d.conn.prepare(&format!(
        "SELECT l.bailleur, l.reference, l.reservataire, l.date_fin_convention FROM {ACTIFS}
         WHERE l.reservataire <> 'non-reserve' AND l.date_fin_convention IS NOT NULL AND l.date_fin_convention < ?1
         ORDER BY l.bailleur, l.reference"
    ))?;
    let echus = st
        .query_map([&dr], |r| {
            Ok(EchuOut {
                bailleur: r.get(0)?,
                reference: r.get(1)?,
                reservataire: r.get(2)?,
                date_fin_convention: r.get(3)?,
            })
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok((rejets, conflits, echus))
}

pub fn report(d: &Dossier) -> Result<Report> {
    let cube = Cube::load(d)?;
    let (rejets, conflits, echus) = anomalies(d)?;
    Ok(Report {
        territoire: d.territoire().code(),
        date_reference: d.date_reference().to_string(),
        logements: cube.total(&Filtre::default()),
        rejets,
        conflits,
        echus,
        cellules: cube.cells,
    })
}

/// One dwelling of a cell, with its source, for the drill-down of the window.
#[derive(Debug, Clone, Serialize)]
pub struct LogementSource {
    pub bailleur: String,
    pub reference: String,
    pub commune: String,
    pub reservataire: String,
    pub typologie: String,
    pub financement: String,
    pub fichier: String,
    pub feuille: Option<String>,
    pub ligne: u32,
}

/// The dwellings behind a selection (optionally one financement and one typology column).
pub fn logements(
    d: &Dossier,
    f: &Filtre,
    financement: Option<Financement>,
    typologie: Option<TypologieGrille>,
    limit: usize,
) -> Result<Vec<LogementSource>> {
    let dr = d.date_reference().to_string();
    let sql = format!(
        "SELECT l.bailleur, l.reference, l.commune, {RESERVATAIRE_ACTIF} AS r, l.typologie, l.financement, i.fichier, l.feuille,
                l.ligne, l.epci, l.qpv, l.individuel_collectif, l.typologie_grille
         FROM {ACTIFS} JOIN imports i ON i.id = l.import_id ORDER BY l.bailleur, l.reference"
    );
    let mut st = d.conn.prepare(&sql)?;
    let mut rows = st.query(params![dr])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let cell = Cellule {
            bailleur: r.get(0)?,
            commune: r.get(2)?,
            epci: r.get(9)?,
            reservataire: r.get(3)?,
            financement: Financement::parse(&r.get::<_, String>(5)?).unwrap_or(Financement::Autre),
            typologie: TypologieGrille::parse(&r.get::<_, String>(12)?).unwrap_or(TypologieGrille::T1),
            qpv: r.get(10)?,
            individuel_collectif: IndividuelCollectif::parse(&r.get::<_, String>(11)?)
                .unwrap_or(IndividuelCollectif::Collectif),
            logements: 1,
        };
        if !f.accepts(&cell)
            || financement.is_some_and(|x| x != cell.financement)
            || typologie.is_some_and(|x| x != cell.typologie)
        {
            continue;
        }
        out.push(LogementSource {
            bailleur: cell.bailleur,
            reference: r.get(1)?,
            commune: cell.commune,
            reservataire: cell.reservataire,
            typologie: r.get(4)?,
            financement: cell.financement.as_str().to_string(),
            fichier: r.get(6)?,
            feuille: r.get(7)?,
            ligne: r.get(8)?,
        });
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

/// A label that could not be reconciled, with how often and by whom it is used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LibelleInconnu {
    /// `reservataire`, `commune`, `typologie` or `financement`.
    pub champ: String,
    pub libelle: String,
    pub lignes: u64,
    pub bailleurs: Vec<String>,
}

/// The labels set aside as unknown in the active imports, most frequent first.
pub fn libelles_inconnus(d: &Dossier) -> Result<Vec<LibelleInconnu>> {
    let mut st = d.conn.prepare(
        "SELECT r.motif, r.valeur, COUNT(*), group_concat(DISTINCT r.bailleur) FROM rejets r
         JOIN import_bailleurs b ON b.import_id = r.import_id AND b.bailleur = r.bailleur AND b.actif = 1
         WHERE r.motif IN ('reservataire_inconnu', 'commune_inconnue', 'typologie_inconnue', 'financement_inconnu')
           AND r.valeur <> ''
         GROUP BY r.motif, r.valeur ORDER BY COUNT(*) DESC, r.valeur",
    )?;
    let rows = st.query_map([], |r| {
        let motif: String = r.get(0)?;
        let bailleurs: String = r.get(3)?;
        Ok(LibelleInconnu {
            champ: crate::import::Motif::parse(&motif).and_then(|m| m.champ()).unwrap_or("").to_string(),
            libelle: r.get(1)?,
            lignes: r.get::<_, i64>(2)? as u64,
            bailleurs: bailleurs.split(',').map(str::to_string).collect(),
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The name of a réservataire for people (`etat` → « État (contingent préfectoral) »).
pub fn libelle_reservataire(id: &str) -> String {
    let r = crate::reference::reference();
    match id.split_once(':') {
        None => match id {
            "etat" => "État (contingent préfectoral)".into(),
            "etat-fonctionnaires" => "État (agents civils et militaires)".into(),
            "action-logement" => "Action Logement".into(),
            "defense" => "Défense, sécurité intérieure, santé".into(),
            "non-reserve" => "Non réservé".into(),
            other => other.into(),
        },
        Some(("commune", insee)) => match r.commune(insee) {
            Some(c) => format!("Commune {}", de(&c.nom)),
            None => id.into(),
        },
        Some(("epci", siren)) => r.epci(siren).map(|e| e.nom.clone()).unwrap_or_else(|| id.into()),
        Some(("departement", d)) => {
            r.departement(d).map(|x| format!("Département {} ({d})", x.nom)).unwrap_or_else(|| id.into())
        }
        Some(("region", c)) => r.region(c).map(|x| format!("Région {}", x.nom)).unwrap_or_else(|| id.into()),
        Some(("autre", slug)) => {
            const ACRONYMS: &[&str] =
                &["sncf", "ratp", "edf", "gdf", "caf", "cpam", "msa", "onf", "sdis", "urssaf", "chu"];
            let words: Vec<String> = slug
                .split('-')
                .map(|w| {
                    if ACRONYMS.contains(&w) {
                        w.to_uppercase()
                    } else {
                        let mut c = w.chars();
                        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
                    }
                })
                .collect();
            words.join(" ")
        }
        _ => id.into(),
    }
}

/// « de » before a French place name: d'Antibes, du Pradet, des Mées, de La Garde.
pub fn de(nom: &str) -> String {
    if let Some(rest) = nom.strip_prefix("Le ") {
        format!("du {rest}")
    } else if let Some(rest) = nom.strip_prefix("Les ") {
        format!("des {rest}")
    } else if nom.starts_with(['A', 'E', 'I', 'O', 'U', 'Y', 'H', 'É', 'È', 'Î', 'Ô']) {
        format!("d'{nom}")
    } else {
        format!("de {nom}")
    }
}

/// A commune's name from its INSEE code.
pub fn nom_commune(insee: &str) -> String {
    crate::reference::reference().commune(insee).map(|c| c.nom.clone()).unwrap_or_else(|| insee.to_string())
}

/// An EPCI's name from its SIREN.
pub fn nom_epci(siren: &str) -> String {
    crate::reference::reference().epci(siren).map(|e| e.nom.clone()).unwrap_or_else(|| siren.to_string())
}

#[cfg(test)]
mod label_tests {
    use super::*;

    #[test]
    fn reservataires_have_readable_names() {
        assert_eq!(libelle_reservataire("autre:la-poste"), "La Poste");
        assert_eq!(libelle_reservataire("autre:sncf"), "SNCF");
        assert_eq!(libelle_reservataire("commune:06004"), "Commune d'Antibes");
        assert_eq!(libelle_reservataire("epci:240600585"), "CA de Sophia Antipolis");
        assert_eq!(libelle_reservataire("departement:06"), "Département Alpes-Maritimes (06)");
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
