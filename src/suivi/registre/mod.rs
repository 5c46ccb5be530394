//! Reading a bailleur's register of mises à disposition, in its own layout: the header found
//! like an état des lieux' (the dwelling's fields score with the same synonyms), then each row
//! turned into a [`Ligne`] or set aside with its motif. Pure: no dossier here.
//!
//! - [`champs`]: the columns and the labels that name them;
//! - [`entete`]: the header row, the columns read and those not read;
//! - [`libelles`]: the values of the cells (préavis, decision, issue, hors flux);
//! - [`lignes`]: the rows, each a [`Ligne`] or a [`Rejet`].

mod champs;
mod entete;
mod libelles;
mod lignes;

pub use champs::Champ;
pub use entete::{Entete, colonnes, colonnes_en_clair, entete, etapes_non_lues};
pub use libelles::{LectureDecision, LectureHorsFlux, decision, hors_flux, issue, preavis};
pub use lignes::{Ligne, Rejet, lignes};

/// A sheet of text cells named « Registre », for the tests of each step.
#[cfg(test)]
fn feuille_de_test(rows: &[&[&str]]) -> crate::import::read::SheetData {
    crate::import::tests_util::sheet(Some("Registre"), rows)
}
