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

/// An error while writing the report: the dossier's, or the output's.
#[derive(Debug, thiserror::Error)]
pub enum EcritureRapport {
    #[error(transparent)]
    Dossier(#[from] crate::store::StoreError),
    #[error(transparent)]
    Sortie(#[from] std::io::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// `report --format json` written as it is read: the same bytes as [`report`] serialized, the
/// rows set aside, the extinct rights and the cells written one by one (none held: a national
/// dossier has millions of cells).
pub fn ecrire_rapport_json(d: &Dossier, out: &mut impl std::io::Write) -> std::result::Result<(), EcritureRapport> {
    let cube = Cube::load(d)?;
    let s = |v: &str| serde_json::to_string(v);
    write!(
        out,
        "{{\"territoire\":{},\"date_reference\":{},\"logements\":{},\"rejets\":[",
        s(&d.territoire().code())?,
        s(&d.date_reference().to_string())?,
        cube.total(&Filtre::default())
    )?;
    // Each element of a list, a comma before all but the first.
    fn element(
        out: &mut dyn std::io::Write,
        premier: &mut bool,
        v: &dyn erased::Json,
    ) -> std::result::Result<(), EcritureRapport> {
        if !std::mem::take(premier) {
            out.write_all(b",")?;
        }
        v.ecrire(out)
    }
    let mut premier = true;
    d.pour_chaque_rejet_actif(|r| element(out, &mut premier, &r))?;
    out.write_all(b"],\"conflits\":")?;
    serde_json::to_writer(&mut *out, &d.conflits_actifs()?)?;
    out.write_all(b",\"echus\":[")?;
    let mut premier = true;
    d.pour_chaque_droit_echu(|e| element(out, &mut premier, &e))?;
    out.write_all(b"],\"cellules\":[")?;
    let mut premier = true;
    for c in cube.cellules() {
        element(out, &mut premier, &c)?;
    }
    out.write_all(b"]}")?;
    Ok(())
}

mod erased {
    /// A value written as JSON to any output (one function for the three kinds of lines).
    pub trait Json {
        fn ecrire(&self, out: &mut dyn std::io::Write) -> Result<(), super::EcritureRapport>;
    }

    impl<T: serde::Serialize> Json for T {
        fn ecrire(&self, out: &mut dyn std::io::Write) -> Result<(), super::EcritureRapport> {
            Ok(serde_json::to_writer(out, self)?)
        }
    }
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
    let mut v = d.libelles_inconnus()?;
    // The household labels of the registers (CIA objectives) not recognised.
    v.extend(d.libelles_menage_inconnus()?);
    Ok(v)
}
