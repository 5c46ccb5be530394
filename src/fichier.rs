//! Files written for people (documents, pictures): through a temporary name next to the
//! destination, renamed at the end, so a failure never leaves a partial file. Used by the
//! exports and the charts alike.

use std::path::Path;

#[derive(Debug, thiserror::Error)]
#[error(
    "impossible d'écrire {path} ({raison}) : fermez le fichier s'il est ouvert dans un tableur, ou choisissez un dossier où vous pouvez écrire"
)]
pub struct EcritureError {
    pub path: String,
    pub raison: String,
}

/// Writes `out` through a temporary file next to it (same extension, so writers that go by
/// it still work), renamed at the end: a failure leaves no partial file.
pub fn write_atomically<E: std::fmt::Display>(
    out: &Path,
    write: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), EcritureError> {
    let ecriture = |e: &dyn std::fmt::Display| EcritureError { path: out.display().to_string(), raison: e.to_string() };
    let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "export".into());
    let ext = out.extension().map(|e| e.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = out.with_file_name(format!(".{name}.tmp.{ext}"));
    let r = write(&tmp).map_err(|e| ecriture(&e)).and_then(|_| std::fs::rename(&tmp, out).map_err(|e| ecriture(&e)));
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}
