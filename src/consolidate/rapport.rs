//! What the dossier says beyond the cube: anomalies (rejets, conflicts, expired rights),
//! the report of `interfaces.md`, the dwellings behind a cell, the labels to map.

use super::*;
use crate::model::{Financement, TypologieGrille};
pub use crate::store::{ConflitOut, EchuOut, LibelleInconnu, LogementSource, RejetOut};
use crate::store::{Dossier, Result};
use serde::Serialize;

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

/// The rows set aside, the conflicts and the extinct rights of the active imports.
pub fn anomalies(d: &Dossier) -> Result<(Vec<RejetOut>, Vec<ConflitOut>, Vec<EchuOut>)> {
    Ok((d.rejets_actifs()?, d.conflits_actifs()?, d.droits_echus()?))
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
        cellules: cube.cellules().collect(),
    })
}

/// The dwellings behind a selection (optionally one financement and one typology column).
pub fn logements(
    d: &Dossier,
    f: &Filtre,
    financement: Option<Financement>,
    typologie: Option<TypologieGrille>,
    limit: usize,
) -> Result<Vec<LogementSource>> {
    d.logements_avec_source(
        |l| {
            f.accepte(l) && financement.is_none_or(|x| x == l.financement) && typologie.is_none_or(|x| x == l.typologie)
        },
        limit,
    )
}

/// The labels set aside as unknown in the active imports, most frequent first.
pub fn libelles_inconnus(d: &Dossier) -> Result<Vec<LibelleInconnu>> {
    d.libelles_inconnus()
}
