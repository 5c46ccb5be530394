//! The annex as a workbook.

use super::Annexe;
use super::contenu::{V, entete, modalites, parties, sections, tableaux, titre};
use crate::export::classeur::Typographie;
use crate::export::{ExportError, save_workbook};
use crate::format::date_fr;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
use std::path::Path;

/// The annex as a workbook: numbers as numeric cells, rates as percentages, dates as dates;
/// printed on A4 to the width of the page, with its header, its footer (reference, « page n /
/// N », initials) and the boxes the parties sign in.
pub fn xlsx(a: &Annexe, out: &Path) -> Result<(), ExportError> {
    use crate::export::classeur;
    let e = crate::export::erreur_xlsx(out);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Annexe").map_err(e)?;
    let bold = Format::new().set_bold().set_font_size(13);
    let sous = Format::new().set_bold().set_font_size(11);
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let num = Format::new().set_border(FormatBorder::Thin).set_num_format("#,##0");
    let pct = Format::new().set_border(FormatBorder::Thin).set_num_format("0.0%");
    let date = Format::new().set_border(FormatBorder::Thin).set_num_format("dd/mm/yyyy").set_align(FormatAlign::Right);
    let annee = Format::new().set_border(FormatBorder::Thin).set_num_format("0");
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    // Column widths in characters: the labels, then the values.
    const LARGEUR_0: f64 = 62.0;
    const LARGEUR: f64 = 13.0;
    let en = entete(a);
    ws.texte_f(0, 0, titre(a), &bold).map_err(e)?;
    let phrase = crate::format::typographie(&format!("{}.", a.phrase()));
    ws.fusion(1, 0, 1, 4, &phrase, &wrap).map_err(e)?;
    classeur::ajuster(ws, 1, &[(&phrase, LARGEUR_0 + 4.0 * LARGEUR)]).map_err(e)?;
    let c = &a.coordonnees;
    let adresse = if c.adresse.trim().is_empty() { "non renseignée — à compléter" } else { c.adresse.trim() };
    ws.texte(2, 0, format!("{} · Adresse du bailleur : {adresse}", en.mentions.join(" · "))).map_err(e)?;
    ws.texte(3, 0, format!("Édité le {} — réf. {}", en.edition, en.reference)).map_err(e)?;
    // A draft says so at its top, in red, and in the header of every printed page.
    let projet = a.projet();
    if let Some(motif) = &projet {
        let rouge =
            Format::new().set_bold().set_font_color(Color::RGB(0xC00000)).set_text_wrap().set_align(FormatAlign::Top);
        let t = format!("PROJET — {motif}");
        ws.fusion(4, 0, 4, 4, &t, &rouge).map_err(e)?;
        classeur::ajuster(ws, 4, &[(&t, LARGEUR_0 + 4.0 * LARGEUR)]).map_err(e)?;
    }
    let mut r: u32 = if projet.is_some() { 6 } else { 5 };
    let valeur = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, v: &V| match v {
        V::N(n) => ws.write_number_with_format(r, c, *n as f64, &num).map(|_| ()),
        V::P(x) => ws.write_number_with_format(r, c, *x, &pct).map(|_| ()),
        V::T(s) => ws.texte_f(r, c, s, &cell).map(|_| ()),
        V::A(x) => ws.write_number_with_format(r, c, *x as f64, &annee).map(|_| ()),
        V::D(d) => match crate::model::Date::parse_iso(d)
            .and_then(|d| rust_xlsxwriter::ExcelDateTime::from_ymd(d.year as u16, d.month, d.day).ok())
        {
            Some(x) => ws.write_datetime_with_format(r, c, &x, &date).map(|_| ()),
            None => ws.texte_f(r, c, date_fr(d), &cell).map(|_| ()),
        },
    };
    // A note over the width of the table, as tall as its text.
    let note = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, n: &str| -> Result<(), rust_xlsxwriter::XlsxError> {
        let n = crate::format::typographie(n);
        ws.fusion(r, 0, r, 4, &n, &wrap)?;
        classeur::ajuster(ws, r, &[(&n, LARGEUR_0 + 4.0 * LARGEUR)])
    };
    for s in sections(a) {
        ws.texte_f(r, 0, &s.titre, &sous).map_err(e)?;
        r += 1;
        for (k, v) in &s.lignes {
            ws.texte_f(r, 0, k, &cell).map_err(e)?;
            // A text value (a name, a perimeter) over the four value columns, never six lines
            // of a column of 13; a figure in the first.
            match v {
                V::T(t) => {
                    ws.fusion(r, 1, r, 4, t, &cell).map_err(e)?;
                    classeur::ajuster(ws, r, &[(k, LARGEUR_0), (t, 4.0 * LARGEUR)]).map_err(e)?;
                }
                _ => {
                    valeur(ws, r, 1, v).map_err(e)?;
                    classeur::ajuster(ws, r, &[(k, LARGEUR_0)]).map_err(e)?;
                }
            }
            r += 1;
        }
        for n in &s.notes {
            note(ws, r, n).map_err(e)?;
            r += 1;
        }
        r += 1;
    }
    for t in tableaux(a) {
        ws.texte_f(r, 0, &t.titre, &sous).map_err(e)?;
        r += 1;
        for (j, c) in t.colonnes.iter().enumerate() {
            ws.texte_f(r, j as u16, c.0, &head).map_err(e)?;
        }
        let largeurs: Vec<(&str, f64)> =
            t.colonnes.iter().enumerate().map(|(j, c)| (c.0, if j == 0 { LARGEUR_0 } else { LARGEUR })).collect();
        classeur::ajuster(ws, r, &largeurs).map_err(e)?;
        r += 1;
        for l in &t.lignes {
            for (j, v) in l.iter().enumerate() {
                valeur(ws, r, j as u16, v).map_err(e)?;
            }
            // A row as tall as its wrapped text (a long label in the first column).
            let textes: Vec<(&str, f64)> = l
                .iter()
                .enumerate()
                .filter_map(|(j, v)| match v {
                    V::T(t) => Some((t.as_str(), if j == 0 { LARGEUR_0 } else { LARGEUR })),
                    _ => None,
                })
                .collect();
            classeur::ajuster(ws, r, &textes).map_err(e)?;
            r += 1;
        }
        if let Some(n) = &t.note {
            note(ws, r, n).map_err(e)?;
            r += 1;
        }
        r += 1;
    }
    ws.texte_f(r, 0, "Modalités", &sous).map_err(e)?;
    r += 1;
    for m in modalites(a) {
        note(ws, r, &m).map_err(e)?;
        r += 1;
    }
    r += 1;
    classeur::signatures(ws, r, &parties(a), &[(0, 0), (1, 4)], &[LARGEUR_0, 4.0 * LARGEUR], true).map_err(e)?;
    ws.set_column_width(0, LARGEUR_0).map_err(e)?;
    for j in 1..8 {
        ws.set_column_width(j, LARGEUR).map_err(e)?;
    }
    classeur::mise_en_page(ws, true, &titre(a), &en.edition, &en.reference, true).map_err(e)?;
    if projet.is_some() {
        let x = |s: &str| s.replace('&', "&&");
        ws.set_header(format!(
            "&L&9{}&C&\"-,Bold\"&14&KC00000PROJET — à ne pas signer&R&8Édité le {}",
            x(&titre(a)),
            x(&en.edition)
        ));
    }
    save_workbook(&mut wb, out)
}
