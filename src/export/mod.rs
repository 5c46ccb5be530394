//! Documents written for people: one module per document. Every file is written to a
//! temporary name next to its destination, then renamed, so a failure never leaves a
//! partial file.

pub mod annexe;
pub mod bilan;
pub mod etat_des_lieux;
pub mod fiche_assiette;
pub mod fiche_navette;
pub mod pdf;

use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Donnees(String),
    #[error(transparent)]
    Ecriture(#[from] crate::fichier::EcritureError),
    #[error("export annulé : aucun fichier écrit")]
    Annule,
    #[error(transparent)]
    Graphique(#[from] crate::charts::GraphiqueError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

pub use crate::fichier::write_atomically;

/// Saves a workbook atomically at `out`.
pub fn save_workbook(wb: &mut rust_xlsxwriter::Workbook, out: &Path) -> Result<(), ExportError> {
    Ok(write_atomically(out, |tmp| wb.save(tmp))?)
}
