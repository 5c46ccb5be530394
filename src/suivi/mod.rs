//! The follow-up of the flux (domaine.md, « The follow-up of the flux »): the registers of
//! mises à disposition, the décompte of each convention, the bilans against the objectives of
//! the saved flux, and the orientation of a freed dwelling. The objectives come from the flux
//! engine ([`crate::flux::flux_enregistre`]): the same figures as the flux screen and the annex.

pub mod bilan;
pub mod calendrier;
pub mod cia;
mod delais;
mod import_registre;
pub mod orientation;
pub mod registre;
mod saisie;
mod types;

pub use delais::*;
pub use import_registre::{est_un_registre, importer, importer_avec, importer_avec_delai, motif_en_clair};
pub use saisie::*;
pub use types::*;

use crate::store::Dossier;

pub use crate::store::RejetRegistre;

/// The rows set aside from the active registers of some bailleurs (all when `None`).
pub fn rejets(d: &Dossier, bailleurs: Option<&[String]>) -> Result<Vec<RejetRegistre>> {
    let mut out = d.rejets_des_registres()?;
    if let Some(b) = bailleurs {
        out.retain(|r| b.contains(&r.bailleur));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
