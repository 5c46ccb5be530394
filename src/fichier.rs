//! Files written for people (documents, pictures): through a temporary name next to the
//! destination, renamed at the end, so a failure never leaves a partial file — neither the
//! final name nor the temporary one (the xlsx writer's own temporary files are anonymous and
//! vanish with it). Used by the exports and the charts alike.

use std::io::ErrorKind;
use std::path::Path;

/// Why a file could not be written, as the user can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    DisquePlein,
    DossierIntrouvable,
    DroitRefuse,
    Autre,
}

#[derive(Debug, thiserror::Error)]
#[error("Écriture impossible dans {path} : {} ; aucun fichier n'a été écrit", expliquer(*.cause, .raison))]
pub struct EcritureError {
    pub path: String,
    pub cause: Cause,
    pub raison: String,
}

fn expliquer(c: Cause, raison: &str) -> String {
    match c {
        Cause::DisquePlein => "disque plein (libérez de la place ou choisissez un autre emplacement)".into(),
        Cause::DossierIntrouvable => "dossier introuvable (il a peut-être été déplacé ou retiré)".into(),
        Cause::DroitRefuse => "droit d'écriture refusé (fermez le fichier s'il est ouvert dans un tableur, ou choisissez un dossier où vous pouvez écrire)".into(),
        Cause::Autre => format!(
            "{raison} (fermez le fichier s'il est ouvert dans un tableur, ou choisissez un dossier où vous pouvez écrire)"
        ),
    }
}

/// The system's reason behind an error, looked for along its sources.
fn cause(e: &(dyn std::error::Error + 'static)) -> Cause {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(x) = cur {
        let io = x.downcast_ref::<std::io::Error>().or_else(|| match x.downcast_ref::<rust_xlsxwriter::XlsxError>() {
            Some(rust_xlsxwriter::XlsxError::IoError(io)) => Some(io),
            _ => None,
        });
        if let Some(io) = io {
            return match io.kind() {
                ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge => Cause::DisquePlein,
                ErrorKind::NotFound => Cause::DossierIntrouvable,
                ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => Cause::DroitRefuse,
                _ => Cause::Autre,
            };
        }
        cur = x.source();
    }
    // Writers that keep only the message of the system's error (the zip archive, plotters).
    let texte = e.to_string();
    if texte.contains("os error 28") || texte.contains("No space left") || texte.contains("os error 112") {
        Cause::DisquePlein
    } else {
        Cause::Autre
    }
}

/// An error met while a document is built (the xlsx writer spills its sheets to anonymous
/// temporary files): when the disk is at fault, it is said like a failed write of `out`.
pub fn erreur_disque(out: &Path, e: &(dyn std::error::Error + 'static)) -> Option<EcritureError> {
    let disque = {
        let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
        let mut trouve = false;
        while let Some(x) = cur {
            trouve |= x.is::<std::io::Error>()
                || matches!(
                    x.downcast_ref::<rust_xlsxwriter::XlsxError>(),
                    Some(rust_xlsxwriter::XlsxError::IoError(_) | rust_xlsxwriter::XlsxError::TempFileError(..))
                );
            cur = x.source();
        }
        trouve
    };
    disque.then(|| EcritureError { path: out.display().to_string(), cause: cause(e), raison: e.to_string() })
}

thread_local! {
    /// Depth of [`proteger`] calls on this thread: a panic there is a disk error being turned
    /// into a message, not a defect to report.
    static PROTEGE: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Whether a panic with this message is a writer's disk error that [`proteger`], running on
/// this thread, turns into a message: the program's panic hook stays silent then.
pub fn panique_a_taire(message: &str) -> bool {
    PROTEGE.with(|p| p.get() > 0) && cause_de_panique(message).is_some()
}

/// The cause of a writer's panic on a system error (the xlsx writer panics when a write
/// fails: « Couldn't write to xml file: Os { code: 28, kind: StorageFull, … } »).
fn cause_de_panique(message: &str) -> Option<Cause> {
    if !message.contains("Os {") && !message.contains("os error") {
        return None;
    }
    Some(
        if ["StorageFull", "code: 28", "os error 28", "QuotaExceeded", "FileTooLarge"]
            .iter()
            .any(|k| message.contains(k))
        {
            Cause::DisquePlein
        } else if message.contains("NotFound") {
            Cause::DossierIntrouvable
        } else if message.contains("PermissionDenied") || message.contains("ReadOnlyFilesystem") {
            Cause::DroitRefuse
        } else {
            Cause::Autre
        },
    )
}

/// Runs the writing of `out`, a writer's panic on a system error (a full disk) becoming the
/// [`EcritureError`] it stands for; any other panic goes on (a defect stays a defect).
pub fn proteger<T, E: From<EcritureError>>(out: &Path, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    PROTEGE.with(|p| p.set(p.get() + 1));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    PROTEGE.with(|p| p.set(p.get() - 1));
    match r {
        Ok(r) => r,
        Err(panique) => {
            let message = panique
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panique.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            match cause_de_panique(&message) {
                Some(cause) => {
                    Err(EcritureError { path: out.display().to_string(), cause, raison: message.clone() }.into())
                }
                None => std::panic::resume_unwind(panique),
            }
        }
    }
}

/// Writes `out` through a temporary file next to it (same extension, so writers that go by
/// it still work), renamed at the end: a failure — a writer's panic on a full disk included
/// — leaves no file at all.
pub fn write_atomically<E: std::error::Error + 'static>(
    out: &Path,
    write: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), EcritureError> {
    let path = out.display().to_string();
    let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "export".into());
    let ext = out.extension().map(|e| e.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = out.with_file_name(format!(".{name}.tmp.{ext}"));
    let dossier = out.parent().filter(|p| !p.as_os_str().is_empty());
    if dossier.is_some_and(|d| !d.is_dir()) {
        return Err(EcritureError { path, cause: Cause::DossierIntrouvable, raison: String::new() });
    }
    let ecrit = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        proteger(out, || {
            write(&tmp).map_err(|e| EcritureError { path: path.clone(), cause: cause(&e), raison: e.to_string() })
        })
    }));
    let r = match ecrit {
        Ok(Err(e)) => Err(e),
        Ok(Ok(())) => std::fs::rename(&tmp, out).map_err(|e| EcritureError {
            path: path.clone(),
            cause: cause(&e),
            raison: e.to_string(),
        }),
        Err(panique) => {
            // A defect of the writer: its temporary file goes, the panic goes on.
            let _ = std::fs::remove_file(&tmp);
            std::panic::resume_unwind(panique)
        }
    };
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_nothing_and_says_why() {
        let dir = std::env::temp_dir().join(format!("contingents-fichier-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("a.xlsx");
        let e = write_atomically(&out, |tmp| {
            std::fs::write(tmp, b"debut")?;
            Err(std::io::Error::from(ErrorKind::StorageFull))
        })
        .unwrap_err();
        assert_eq!(e.cause, Cause::DisquePlein);
        assert!(e.to_string().starts_with(&format!("Écriture impossible dans {} : disque plein", out.display())));
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "neither the file nor its temporary");
        let gone = dir.join("parti").join("b.pdf");
        let e = write_atomically(&gone, |tmp| std::fs::write(tmp, b"x")).unwrap_err();
        assert_eq!(e.cause, Cause::DossierIntrouvable);
        // A writer that panics on the full disk (as the xlsx writer does): no panic out, no file.
        let e = write_atomically(&out, |tmp| -> std::io::Result<()> {
            std::fs::write(tmp, b"debut")?;
            panic!(
                "Couldn't write to xml file: Os {{ code: 28, kind: StorageFull, message: \"No space left on device\" }}"
            )
        })
        .unwrap_err();
        assert_eq!(e.cause, Cause::DisquePlein);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        write_atomically(&out, |tmp| std::fs::write(tmp, b"ok")).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"ok");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
