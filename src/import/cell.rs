//! Step 1 — a cell: its text as the rest of the pipeline reads it, blank or not, the raw
//! value kept in the dossier, and dates in the workbook's own date system.

use crate::model::{Date, DateTexte, SERIE_MIN, Siecle};
use crate::text::{clean, is_error_marker};
use calamine::Data;
use std::borrow::Cow;

/// A cell as trimmed text: numbers without a spurious `.0`, error cells and `#N/A` empty.
pub fn cell_text(d: &Data) -> Cow<'_, str> {
    match texte_emprunte(d) {
        Some(t) => Cow::Borrowed(t),
        None => {
            let mut t = String::new();
            ecrire_valeur(d, &mut t);
            Cow::Owned(t)
        }
    }
}

/// The text of a cell that holds it as it is (text, booleans, errors, blanks); `None` for a
/// number or a date, whose text is written by [`ecrire_valeur`].
fn texte_emprunte(d: &Data) -> Option<&str> {
    match d {
        Data::String(s) => {
            let c = clean(s);
            Some(if is_error_marker(c) { "" } else { c })
        }
        Data::Bool(b) => Some(if *b { "VRAI" } else { "FAUX" }),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.as_str()),
        Data::Error(_) | Data::Empty => Some(""),
        Data::Float(_) | Data::Int(_) | Data::DateTime(_) => None,
    }
}

/// Appends the text of a number or a date cell (see [`cell_text`]): digits, a sign, a dot, an
/// exponent or dashes, never a tab or a line break.
fn ecrire_valeur(d: &Data, out: &mut String) {
    use std::fmt::Write;
    let _ = match d {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
            ecrire_entier(*f as i64, out);
            Ok(())
        }
        Data::Float(f) => write!(out, "{f}"),
        Data::Int(i) => {
            ecrire_entier(*i, out);
            Ok(())
        }
        Data::DateTime(dt) => match excel_date(dt) {
            Some(d) if dt.is_datetime() => write!(out, "{d}"),
            _ => write!(out, "{}", dt.as_f64()),
        },
        _ => Ok(()),
    };
}

/// Appends an integer in decimal, as `{}` writes it (without the formatter's machinery: a
/// million rows hold several numbers each).
fn ecrire_entier(n: i64, out: &mut String) {
    let mut chiffres = [0u8; 20];
    let mut i = chiffres.len();
    let mut u = n.unsigned_abs();
    loop {
        i -= 1;
        chiffres[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if n < 0 {
        out.push('-');
    }
    out.extend(chiffres[i..].iter().map(|&b| b as char));
}

/// An Excel error (« #N/A », « #DIV/0! »), as a cell or as its text: blank for the fields that
/// are set aside when blank, never the default value of the others.
pub fn est_erreur(d: &Data) -> bool {
    match d {
        Data::Error(_) => true,
        Data::String(s) => is_error_marker(clean(s)),
        _ => false,
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
        match texte_emprunte(d) {
            // Tabs and line breaks inside a cell become spaces (the row is tab-separated).
            Some(t) if t.bytes().any(|b| matches!(b, b'\t' | b'\n' | b'\r')) => {
                out.extend(t.chars().map(|c| if matches!(c, '\t' | '\n' | '\r') { ' ' } else { c }))
            }
            Some(t) => out.push_str(t),
            None => ecrire_valeur(d, &mut out),
        }
    }
    out
}

/// The raw text of a cell for `valeur` in rejets: error cells show as `#N/A`.
pub fn raw_text(d: Option<&Data>) -> String {
    match d {
        Some(Data::Error(e)) => e.to_string(),
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

/// Where the dates of a field may lie: outside, a date is not read (« 15/03/69 » is no lease
/// of 2069), and how its two-digit years are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FenetreDate {
    pub min: Date,
    pub max: Date,
    /// The century of `JJ/MM/AA`, when the field or the user says it; `None`: ambiguous.
    pub siecle: Option<Siecle>,
    /// Whether a text of digits (« 47483 ») may be a serial of the workbook's date system: in
    /// a workbook, a number stored as text; a CSV has no date system, it is no date there.
    pub serie_en_texte: bool,
}

impl FenetreDate {
    /// An état des lieux' end of convention: 1900–2200; two-digit years are ambiguous until the
    /// user says, for the file's column, which century they mean.
    pub fn fin_de_convention(siecle: Option<Siecle>) -> Self {
        FenetreDate {
            min: Date { year: 1900, month: 1, day: 1 },
            max: Date { year: 2200, month: 12, day: 31 },
            siecle,
            serie_en_texte: true,
        }
    }

    /// The dates of a register: from 2000-01-01 to one year after the import; two-digit years
    /// in 20xx.
    pub fn registre(import: Date) -> Self {
        // A year later; 29 February gives 28 February.
        let max = Date::new(import.year + 1, import.month, import.day)
            .or_else(|| Date::new(import.year + 1, import.month, import.day - 1))
            .unwrap_or(import);
        FenetreDate {
            min: Date { year: 2000, month: 1, day: 1 },
            max,
            siecle: Some(Siecle::Annees2000),
            serie_en_texte: true,
        }
    }
}

/// A date cell read against its field's window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LectureDate {
    /// Nothing written.
    Vide,
    Date(Date),
    /// Written, but not a date of this field: the row is set aside `date_illisible` with the
    /// cell's value.
    Illisible(String),
    /// `31/12/45` in a field whose century is not known: set aside `date_ambigue`.
    Ambigue(String),
}

/// Reads a date cell, guessing nothing: a real date cell, a number in the workbook's date
/// system (an integer of at least [`SERIE_MIN`]), or text (see [`Date::lire_texte`]); inside
/// the field's window. A bare year, a decimal, a small integer, an Excel error, a word or a
/// date outside the window is [`LectureDate::Illisible`].
pub fn lire_date(d: &Data, f: &FenetreDate) -> LectureDate {
    let valeur = || raw_text(Some(d));
    let dans = |x: Option<Date>| match x {
        Some(x) if x >= f.min && x <= f.max => LectureDate::Date(x),
        _ => LectureDate::Illisible(valeur()),
    };
    let serie = |n: f64| {
        if n.fract() == 0.0 && n >= SERIE_MIN as f64 && n < 100_000.0 {
            dans(Date::from_excel_serial(n))
        } else {
            LectureDate::Illisible(valeur())
        }
    };
    match d {
        Data::Empty => LectureDate::Vide,
        Data::Error(_) | Data::Bool(_) | Data::DurationIso(_) => LectureDate::Illisible(valeur()),
        Data::DateTime(dt) if dt.is_datetime() => dans(excel_date(dt)),
        Data::DateTime(_) => LectureDate::Illisible(valeur()),
        Data::Float(x) => serie(*x),
        Data::Int(i) => serie(*i as f64),
        Data::DateTimeIso(s) | Data::String(s) => {
            let t = clean(s);
            if t.is_empty() {
                return LectureDate::Vide;
            }
            match Date::lire_texte(t) {
                DateTexte::Date(x) => dans(Some(x)),
                DateTexte::Serie(n) if f.serie_en_texte => serie(n as f64),
                DateTexte::Serie(_) => LectureDate::Illisible(valeur()),
                DateTexte::DeuxChiffres { jour, mois, annee } => match f.siecle {
                    Some(s) => dans(Date::new(s.annee(annee), mois, jour)),
                    None => LectureDate::Ambigue(valeur()),
                },
                DateTexte::Non => LectureDate::Illisible(valeur()),
            }
        }
    }
}

/// A date cell as any date it holds, inside 1900–2200 with two-digit years in 20xx (the year of
/// construction, the declarations of the rapprochement); `None` when blank or not a date.
pub fn cell_date(d: &Data) -> Option<Date> {
    match lire_date(d, &FenetreDate { siecle: Some(Siecle::Annees2000), ..FenetreDate::fin_de_convention(None) }) {
        LectureDate::Date(x) => Some(x),
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
    fn a_date_cell_is_read_without_guessing() {
        use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};
        let fin = FenetreDate::fin_de_convention(None);
        let reg = FenetreDate::registre(Date::new(2024, 2, 29).unwrap());
        assert_eq!(reg.max, Date::new(2025, 2, 28).unwrap());
        let s = |t: &str| Data::String(t.into());
        let illisible = |t: &str| LectureDate::Illisible(t.into());
        for (cell, attendu) in [
            (s("31/12/2030"), LectureDate::Date(Date::new(2030, 12, 31).unwrap())),
            (s("2030-12-31 00:00:00"), LectureDate::Date(Date::new(2030, 12, 31).unwrap())),
            (s("31.12.2030"), LectureDate::Date(Date::new(2030, 12, 31).unwrap())),
            (Data::Float(47483.0), LectureDate::Date(Date::new(2029, 12, 31).unwrap())),
            (s("47483"), LectureDate::Date(Date::new(2029, 12, 31).unwrap())),
            (s("31/12/45"), LectureDate::Ambigue("31/12/45".into())),
            (s("2024"), illisible("2024")),
            (Data::Float(2024.0), illisible("2024")),
            (Data::Float(12.5), illisible("12.5")),
            (Data::Int(3), illisible("3")),
            (Data::Float(47483.5), illisible("47483.5")),
            (Data::Error(CellErrorType::Div0), illisible("#DIV/0!")),
            (s("#N/A"), illisible("#N/A")),
            (s("bientôt"), illisible("bientôt")),
            (s("31/02/2030"), illisible("31/02/2030")),
            (s("15/03/1850"), illisible("15/03/1850")),
            (Data::Bool(true), illisible("VRAI")),
            (s("  "), LectureDate::Vide),
            (Data::Empty, LectureDate::Vide),
        ] {
            assert_eq!(lire_date(&cell, &fin), attendu, "{cell:?}");
        }
        // A register: two-digit years are 20xx, and nothing before 2000 or after a year.
        assert_eq!(lire_date(&s("15/03/24"), &reg), LectureDate::Date(Date::new(2024, 3, 15).unwrap()));
        assert_eq!(lire_date(&s("15/03/69"), &reg), illisible("15/03/69"));
        assert_eq!(lire_date(&s("15/03/1999"), &reg), illisible("15/03/1999"));
        assert_eq!(lire_date(&s("28/02/2025"), &reg), LectureDate::Date(Date::new(2025, 2, 28).unwrap()));
        assert_eq!(lire_date(&s("01/03/2025"), &reg), illisible("01/03/2025"));
        // The century decided for the column.
        // A CSV has no date system: its « 47483 » is no date.
        let csv = FenetreDate { serie_en_texte: false, ..fin };
        assert_eq!(lire_date(&s("47483"), &csv), illisible("47483"));
        assert_eq!(lire_date(&s("45000"), &csv), illisible("45000"));
        assert_eq!(lire_date(&s("31/12/2030"), &csv), LectureDate::Date(Date::new(2030, 12, 31).unwrap()));
        let decide = FenetreDate::fin_de_convention(Some(Siecle::Annees1900));
        assert_eq!(lire_date(&s("31/12/45"), &decide), LectureDate::Date(Date::new(1945, 12, 31).unwrap()));
        let d1904 = Data::DateTime(ExcelDateTime::new(43830.0, ExcelDateTimeType::DateTime, true));
        assert_eq!(lire_date(&d1904, &fin), LectureDate::Date(Date::new(2024, 1, 1).unwrap()));
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
        // Numbers and dates written as `cell_text` reads them; a tab or a line break inside a
        // cell becomes a space; error markers are blank; trailing blanks are not kept.
        use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};
        let date = Data::DateTime(ExcelDateTime::new(45292.0, ExcelDateTimeType::DateTime, false));
        let row = [
            Data::String(" a\tb\r\nc ".into()),
            Data::Float(12.0),
            Data::Float(-0.25),
            Data::Float(1e15),
            date,
            Data::Bool(false),
            Data::String("#REF!".into()),
            Data::Error(CellErrorType::NA),
            Data::String("été".into()),
            Data::Empty,
        ];
        assert_eq!(raw_row(&row), "a b  c\t12\t-0.25\t1000000000000000\t2024-01-01\tFAUX\t\t\tété");
        assert_eq!(cell_text(&Data::Float(-0.25)), "-0.25");
        assert_eq!(cell_text(&Data::Int(-7)), "-7");
        for n in [0, 7, -7, 10, 1_234_567, i64::MAX, i64::MIN] {
            assert_eq!(cell_text(&Data::Int(n)), n.to_string());
        }
        assert_eq!(cell_text(&Data::Float(-0.0)), "0");
        assert_eq!(cell_text(&Data::Float(-999_999_999_999_999.0)), "-999999999999999");
    }
}
