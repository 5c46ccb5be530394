//! Documents written for people: one module per document. Every file is written to a
//! temporary name next to its destination, then renamed, so a failure never leaves a
//! partial file.

pub mod annexe;
pub mod bilan;
pub mod classeur;
pub mod etat_des_lieux;
pub mod fiche_assiette;
pub mod fiche_navette;
pub mod pdf;
pub mod prevision;

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

/// Maps an error of the xlsx writer while the document for `out` is built: the disk's (full,
/// folder gone) as a failed write, the others as a data error.
pub fn erreur_xlsx(out: &Path) -> impl Fn(rust_xlsxwriter::XlsxError) -> ExportError + Copy + '_ {
    move |x| match crate::fichier::erreur_disque(out, &x) {
        Some(e) => ExportError::Ecriture(e),
        None => ExportError::Donnees(x.to_string()),
    }
}

/// The extension of a document's file name, in lower case (empty when it has none).
pub fn extension(out: &Path) -> String {
    out.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default()
}

/// The refusal of a file name whose extension this document is not written in: never a
/// workbook under a `.pdf` name.
pub fn extension_refusee(out: &Path, ext: &str, permises: &[&str]) -> ExportError {
    let liste: Vec<String> = permises.iter().map(|x| format!(".{x}")).collect();
    let quoi = if ext.is_empty() { "sans extension".to_string() } else { format!("en .{ext}") };
    ExportError::Donnees(format!(
        "{} : ce document ne s'écrit pas {quoi} ; donnez un nom en {}",
        out.display(),
        liste.join(" ou ")
    ))
}

/// Saves a workbook atomically at `out`.
pub fn save_workbook(wb: &mut rust_xlsxwriter::Workbook, out: &Path) -> Result<(), ExportError> {
    Ok(write_atomically(out, |tmp| wb.save(tmp))?)
}
