//! The import pipeline: bytes → sheets (`read`) → cells (`cell`) → sheet plan, header and
//! column mapping (`plan`, `header`) → rows, normalised into dwellings or rejets (`row`,
//! `normalize`) → de-duplicated stock (`dedup`), the bailleur given or proposed
//! (`bailleur`); `run` chains the steps and the store writes what comes out in one
//! transaction. Each step is a small module tested alone.

mod bailleur;
pub mod cell;
pub mod changements;
mod dedup;
#[cfg(feature = "fuzz")]
mod fuzz;
pub mod header;
pub mod normalize;
mod plan;
pub mod read;
pub mod row;
pub mod run;

pub use crate::model::{Conflit, LigneLogement, Mappings, Motif, Rejet, Source};
pub use bailleur::{bailleur_from_file_name, proposer_bailleur};
pub use cell::{cell_date, cell_text, excel_date, is_blank, raw_row, raw_text};
pub use dedup::{Dedup, DedupAction};
#[cfg(feature = "fuzz")]
pub use fuzz::{fuzz_one_file, fuzz_one_value};
pub use plan::{SheetPlan, plan_sheets};
pub use row::{Context, RowOutcome, RowReader, is_total_row, read_rows};

#[cfg(test)]
pub(crate) mod tests_util {
    use super::read::SheetData;
    use calamine::{Data, Range};

    /// A sheet of text cells, for the steps' tests.
    pub fn sheet(name: Option<&str>, rows: &[&[&str]]) -> SheetData {
        let w = rows.iter().map(|r| r.len()).max().unwrap();
        let mut r = Range::new((0, 0), (rows.len() as u32 - 1, w as u32 - 1));
        for (i, row) in rows.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    r.set_value((i as u32, j as u32), Data::String(v.to_string()));
                }
            }
        }
        SheetData::entiere(name.map(str::to_string), false, r, Default::default())
    }
}
