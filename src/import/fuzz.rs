//! The fuzzing entry points (`cargo fuzz`, and the crash regression tests): behind the
//! `fuzz` feature, out of the normal build.

use super::normalize::{self, Correspondance};
use super::{Context, Mappings, bailleur_from_file_name, plan_sheets, read, read_rows};
use crate::reference::Territoire;

/// Runs one file's bytes through the whole reading pipeline, as the fuzz target and the
/// crash regression tests do: errors are expected, panics are bugs.
pub fn fuzz_one_file(data: &[u8]) {
    // The path of large .xlsx sheets: first rows, then the rest streamed in recycled batches.
    if let Ok(sheets) = read::read_sheets_shared(std::sync::Arc::new(data.to_vec())) {
        for s in &sheets {
            if let Some(rest) = &s.rest {
                let from = s.range.end().map(|(r, _)| r + 1).unwrap_or(0);
                // Every batch comes back to be refilled, as in an import.
                let spare = std::cell::RefCell::new(None::<read::RowBatch>);
                let name = s.name.as_deref().unwrap_or("");
                let _ = read::stream_rest(
                    &rest.workbook,
                    name,
                    from,
                    read::Remplissage::new(&s.fusions, from, &s.range),
                    || spare.borrow_mut().take(),
                    |b| {
                        *spare.borrow_mut() = Some(b);
                        true
                    },
                );
            }
        }
    }
    let Ok(sheets) = read::read_sheets(data) else { return };
    let plans = plan_sheets(&sheets);
    let mut ctx = Context::new(Territoire::Tout, Correspondance::default(), Mappings::default());
    for plan in &plans {
        if let Some(sheet) = sheets.iter().find(|s| s.name == plan.feuille) {
            read_rows(sheet.lignes(plan.header.data_start()), plan, "B", &mut ctx, |_| true);
        }
    }
}

/// Runs one text through every value normaliser.
pub fn fuzz_one_value(s: &str) {
    let _ = normalize::typologie(s);
    let _ = normalize::typologie_et_reste(s);
    let _ = normalize::qpv(s);
    let _ = normalize::individuel_collectif(s);
    let _ = normalize::date_text(s);
    let _ = normalize::annee(s);
    let _ = Correspondance::default().financement(s);
    let _ = crate::reference::reference().resolve_commune(s, &Territoire::Tout);
    let mut ctx = Context::new(Territoire::Epci("240600585".into()), Correspondance::default(), Mappings::default());
    let _ = ctx.reservataire(s);
    let _ = bailleur_from_file_name(s);
    let _ = crate::text::place_key(s);
}
