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

/// Whether the dossier covers the whole département (its territory is the département, or
/// all of France): else a departmental total only adds the EPCIs of the dossier.
pub fn dossier_couvre_le_departement(d: &crate::store::Dossier, departement: &str) -> bool {
    match d.territoire() {
        crate::reference::Territoire::Tout => true,
        crate::reference::Territoire::Departement(x) => x == departement,
        crate::reference::Territoire::Epci(_) => false,
    }
}

/// What a departmental total covers when the dossier is not the whole département: the EPCIs
/// of the dossier, named, and the bailleur's dwellings of the département set aside at import
/// as outside the territory (« 6 mis de côté … (Cannes 6) »), not counted. `None` when the
/// dossier covers the département.
pub fn couverture_du_departement(
    d: &crate::store::Dossier,
    bailleur: &str,
    departement: &str,
    epcis: &[String],
) -> Result<Option<String>, ExportError> {
    if dossier_couvre_le_departement(d, departement) {
        return Ok(None);
    }
    let noms: Vec<String> = epcis.iter().map(|e| crate::consolidate::nom_epci(e)).collect();
    let hors = crate::flux::hors_du_dossier(d, bailleur, departement)?;
    let n: u64 = hors.iter().map(|x| x.1).sum();
    let sur = format!(
        "Le total ne porte que sur les EPCI du dossier ({}), pas sur tout le {}",
        noms.join(", "),
        crate::format::le_departement(departement)
    );
    Ok(Some(if n == 0 {
        format!(
            "{sur} ; aucun logement {} n'a été mis de côté à l'import comme hors du territoire du dossier.",
            crate::format::de(bailleur)
        )
    } else {
        let detail: Vec<String> = hors.iter().map(|(c, k)| format!("{c} {}", crate::format::entier(*k))).collect();
        format!(
            "{sur} : {} {} dans le département, hors de ces EPCI, {} été mis de côté à l'import comme hors du territoire du dossier ({}) et {}.",
            crate::format::logements(n),
            crate::format::de(bailleur),
            if n > 1 { "ont" } else { "a" },
            detail.join(", "),
            if n > 1 { "ne sont pas comptés" } else { "n'est pas compté" }
        )
    }))
}

/// How the internal mutations were set when no number was typed, in words for the parties
/// (annex, forecast): « 10 % des libérations par défaut : ni objectif CUS ni années passées
/// saisis »; `None` for a number typed.
pub fn methode_des_mutations(p: &crate::flux::FluxParametres) -> Option<String> {
    if p.mutations.is_some() {
        None
    } else if let Some(x) = p.mutations_pct {
        Some(format!("{} des libérations", crate::format::pourcentage(x / 100.0)))
    } else if p.mutations_cus.is_some() {
        Some("objectif de la CUS".into())
    } else if !p.mutations_3_ans.is_empty() {
        Some(format!("moyenne des {} années saisies", p.mutations_3_ans.len()))
    } else {
        Some("10 % des libérations par défaut : ni objectif CUS ni années passées saisis".into())
    }
}
