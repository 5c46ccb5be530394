//! What the dossier says beyond the cube: anomalies (rejets, conflicts, expired rights),
//! the report of `interfaces.md`, the dwellings behind a cell, the labels to map, the
//! optional columns of a dwelling.

use super::*;
use crate::model::{Financement, TypologieGrille};
use crate::store::{Dossier, Result};
use rusqlite::params;
use serde::Serialize;

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
            champ: crate::model::Motif::parse(&motif).and_then(|m| m.champ()).unwrap_or("").to_string(),
            libelle: r.get(1)?,
            lignes: r.get::<_, i64>(2)? as u64,
            bailleurs: bailleurs.split(',').map(str::to_string).collect(),
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The name of a réservataire for people (`etat` → « État (contingent préfectoral) »).
/// The optional columns of a bailleur's file for one dwelling (address, residence, floor,
/// surface, rent), from its raw row and the column mapping recorded with its import.
pub fn complements(colonnes: &str, feuille: Option<&str>, brut: &str) -> Vec<(&'static str, String)> {
    use crate::import::header::Field;
    let plans: Vec<crate::import::SheetPlan> = serde_json::from_str(colonnes).unwrap_or_default();
    let Some(plan) = plans.iter().find(|p| p.feuille.as_deref() == feuille) else { return vec![] };
    let cells: Vec<&str> = brut.split('\t').collect();
    [
        (Field::Adresse, "adresse"),
        (Field::Residence, "residence"),
        (Field::Etage, "etage"),
        (Field::Surface, "surface"),
        (Field::Loyer, "loyer"),
    ]
    .into_iter()
    .filter_map(|(field, key)| {
        plan.header.column(field).map(|c| (key, cells.get(c).map(|s| s.to_string()).unwrap_or_default()))
    })
    .collect()
}
