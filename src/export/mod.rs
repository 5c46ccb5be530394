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
    #[error(
        "impossible d'écrire {path} ({raison}) : fermez le fichier s'il est ouvert dans un tableur, ou choisissez un dossier où vous pouvez écrire"
    )]
    Ecriture { path: String, raison: String },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Writes `out` through a temporary file next to it (same extension, so writers that go by
/// it still work), renamed at the end: a failure leaves no partial file.
pub fn write_atomically<E: std::fmt::Display>(
    out: &Path,
    write: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), ExportError> {
    let ecriture =
        |e: &dyn std::fmt::Display| ExportError::Ecriture { path: out.display().to_string(), raison: e.to_string() };
    let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "export".into());
    let ext = out.extension().map(|e| e.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = out.with_file_name(format!(".{name}.tmp.{ext}"));
    let r = write(&tmp).map_err(|e| ecriture(&e)).and_then(|_| std::fs::rename(&tmp, out).map_err(|e| ecriture(&e)));
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

/// Saves a workbook atomically at `out`.
pub fn save_workbook(wb: &mut rust_xlsxwriter::Workbook, out: &Path) -> Result<(), ExportError> {
    write_atomically(out, |tmp| wb.save(tmp))
}
