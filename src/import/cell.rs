//! Step 1 — a cell: its text as the rest of the pipeline reads it, blank or not, the raw
//! value kept in the dossier, and dates in the workbook's own date system.

use super::normalize;
use crate::model::Date;
use crate::text::{clean, is_error_marker};
use calamine::Data;
use std::borrow::Cow;

/// A cell as trimmed text: numbers without a spurious `.0`, error cells and `#N/A` empty.
pub fn cell_text(d: &Data) -> Cow<'_, str> {
    match d {
        Data::String(s) => {
            let c = clean(s);
            if is_error_marker(c) { Cow::Borrowed("") } else { Cow::Borrowed(c) }
        }
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                Cow::Owned(format!("{}", *f as i64))
            } else {
                Cow::Owned(f.to_string())
            }
        }
        Data::Int(i) => Cow::Owned(i.to_string()),
        Data::Bool(b) => Cow::Borrowed(if *b { "VRAI" } else { "FAUX" }),
        Data::DateTime(dt) => match excel_date(dt) {
            Some(d) if dt.is_datetime() => Cow::Owned(d.to_string()),
            _ => Cow::Owned(dt.as_f64().to_string()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cow::Borrowed(s.as_str()),
        Data::Error(_) | Data::Empty => Cow::Borrowed(""),
    }
}

pub fn is_blank(d: &Data) -> bool {
    match d {
        Data::Empty | Data::Error(_) => true,
        Data::String(s) => {
            let c = clean(s);
            c.is_empty() || is_error_marker(c)
        }
        _ => false,
    }
}

/// The row's cells, tab-separated, as kept in the dossier.
pub fn raw_row(row: &[Data]) -> String {
    // Trailing empty cells are not part of the row (readers differ in how many they give).
    let width = row.iter().rposition(|d| !matches!(d, Data::Empty)).map_or(0, |i| i + 1);
    let row = &row[..width];
    let mut out = String::with_capacity(row.len() * 12);
    for (i, d) in row.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        out.extend(cell_text(d).chars().map(|c| if matches!(c, '\t' | '\n' | '\r') { ' ' } else { c }));
    }
    out
}

/// The raw text of a cell for `valeur` in rejets: error cells show as `#N/A`.
pub fn raw_text(d: Option<&Data>) -> String {
    match d {
        Some(Data::Error(e)) => format!("#{e:?}").replace("#NA", "#N/A"),
        Some(Data::String(s)) => clean(s).to_string(),
        Some(other) => cell_text(other).into_owned(),
        None => String::new(),
    }
}

/// A date cell read by calamine, in the workbook's own date system (1900, or 1904 for
/// workbooks made on a Mac: the same serial is four years and a day apart).
pub fn excel_date(dt: &calamine::ExcelDateTime) -> Option<Date> {
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    Date::new(y as i32, m, d)
}

pub fn cell_date(d: &Data) -> Option<Date> {
    match d {
        Data::DateTime(dt) => excel_date(dt),
        Data::Float(f) if (1800.0..=2200.0).contains(f) && f.fract() == 0.0 => Date::new(*f as i32, 12, 31),
        Data::Float(f) if (1000.0..100_000.0).contains(f) => Date::from_excel_serial(*f),
        Data::Int(i) if (1800..=2200).contains(i) => Date::new(*i as i32, 12, 31),
        Data::Int(i) if (1000..100_000).contains(i) => Date::from_excel_serial(*i as f64),
        Data::DateTimeIso(s) | Data::String(s) => normalize::date_text(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_1904_system_of_mac_workbooks() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let d1900 = Data::DateTime(ExcelDateTime::new(45292.0, ExcelDateTimeType::DateTime, false));
        let d1904 = Data::DateTime(ExcelDateTime::new(43830.0, ExcelDateTimeType::DateTime, true));
        assert_eq!(cell_date(&d1900), Date::new(2024, 1, 1));
        assert_eq!(cell_date(&d1904), Date::new(2024, 1, 1));
        assert_eq!(cell_text(&d1904), "2024-01-01");
    }

    #[test]
    fn numbers_errors_and_blanks() {
        assert_eq!(cell_text(&Data::Float(12.0)), "12");
        assert_eq!(cell_text(&Data::String("  T3 ".into())), "T3");
        assert_eq!(cell_text(&Data::String("#N/A".into())), "");
        assert!(is_blank(&Data::Empty));
        assert!(is_blank(&Data::String("   ".into())));
        assert!(!is_blank(&Data::Int(0)));
        assert_eq!(raw_row(&[Data::String("A1".into()), Data::Empty, Data::Int(3)]), "A1\t\t3");
    }
}
