//! What every workbook to print and sign shares: A4 page set up to the width of the page,
//! a header (what the document is, its date of edition) and a footer (its reference, « page n
//! / N », the place for the parties' initials), rows tall enough for their wrapped text, and
//! the boxes the parties sign in.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

/// The text of a document written with French typography, in every workbook alike: a no-break
/// space before « : » and « % » ([`crate::format::typographie`]), so that neither starts a
/// line of a wrapped cell; thousands already carry theirs (« 3 104 »). The values read from the
/// bailleurs' files (names of files, raw cells) are written as they are, never through it.
pub trait Typographie {
    fn texte(&mut self, r: u32, c: u16, s: impl AsRef<str>) -> Result<&mut Worksheet, XlsxError>;
    fn texte_f(&mut self, r: u32, c: u16, s: impl AsRef<str>, f: &Format) -> Result<&mut Worksheet, XlsxError>;
    fn fusion(
        &mut self,
        r: u32,
        c: u16,
        r2: u32,
        c2: u16,
        s: impl AsRef<str>,
        f: &Format,
    ) -> Result<&mut Worksheet, XlsxError>;
}

impl Typographie for Worksheet {
    fn texte(&mut self, r: u32, c: u16, s: impl AsRef<str>) -> Result<&mut Worksheet, XlsxError> {
        self.write_string(r, c, crate::format::typographie(s.as_ref()))
    }
    fn texte_f(&mut self, r: u32, c: u16, s: impl AsRef<str>, f: &Format) -> Result<&mut Worksheet, XlsxError> {
        self.write_string_with_format(r, c, crate::format::typographie(s.as_ref()), f)
    }
    fn fusion(
        &mut self,
        r: u32,
        c: u16,
        r2: u32,
        c2: u16,
        s: impl AsRef<str>,
        f: &Format,
    ) -> Result<&mut Worksheet, XlsxError> {
        self.merge_range(r, c, r2, c2, &crate::format::typographie(s.as_ref()), f)
    }
}

/// A4, `paysage` or portrait, fitted to the width of one page; header and footer on every page.
pub fn mise_en_page(
    ws: &mut Worksheet,
    paysage: bool,
    document: &str,
    edition: &str,
    reference: &str,
    paraphes: bool,
) -> Result<(), XlsxError> {
    let e = |s: &str| s.replace('&', "&&");
    if paysage {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.5, 0.5, 0.75, 0.75, 0.3, 0.3);
    ws.set_header(format!("&L&9{}&R&8Édité le {}", e(document), e(edition)));
    let p = if paraphes { "&R&8Paraphes : ………………" } else { "" };
    ws.set_footer(format!("&L&7Réf. {}&C&8page &P / &N{p}", e(reference)));
    Ok(())
}

/// The height of a row whose cells wrap: `(text, width of its column in characters)`; 15
/// points a line (Excel's default row, 11-point Calibri). The lines are counted as a
/// spreadsheet wraps them, word by word (a word never cut unless longer than the column):
/// « Objectif de l'année » takes three lines in a column of 8, not the two its length says.
pub fn hauteur(cellules: &[(&str, f64)]) -> f64 {
    let lignes = cellules.iter().map(|(t, w)| lignes(t, *w)).fold(1.0, f64::max);
    lignes * 15.0
}

/// The lines `texte` takes in a column `largeur` characters wide, wrapped at its spaces (a
/// no-break space holds its two words together): a little under the width, the letters of
/// Calibri being wider than the digits Excel measures columns with.
fn lignes(texte: &str, largeur: f64) -> f64 {
    let place = (largeur * 0.95).max(1.0);
    let mut n = 0.0;
    for paragraphe in texte.split('\n') {
        let mut ligne = 0.0;
        n += 1.0;
        for mot in paragraphe.split(' ').map(|m| m.chars().count() as f64) {
            if ligne > 0.0 && ligne + 1.0 + mot <= place {
                ligne += 1.0 + mot;
                continue;
            }
            if ligne > 0.0 {
                n += 1.0;
            }
            // A word longer than the column is cut over as many lines as it needs.
            let coupures = ((mot / place).ceil() - 1.0).max(0.0);
            n += coupures;
            ligne = mot - coupures * place;
        }
    }
    n.max(1.0)
}

/// Sets a row's height when its text wraps over more than one line.
pub fn ajuster(ws: &mut Worksheet, r: u32, cellules: &[(&str, f64)]) -> Result<(), XlsxError> {
    let h = hauteur(cellules);
    if h > 15.0 {
        ws.set_row_height(r, h)?;
    }
    Ok(())
}

/// « Fait à …, le … » then one box per party: its name over « Nom, qualité » and « Signature
/// et cachet », bordered, each over the columns given (`(first, last)`, `largeurs` their widths
/// in characters: the names' row as tall as the longest once wrapped — « Pour le préfet et par
/// délégation, le directeur départemental de l'emploi, du travail et des solidarités » takes
/// three lines over four columns of 13). Returns the next row.
pub fn signatures(
    ws: &mut Worksheet,
    r: u32,
    parties: &[String],
    colonnes: &[(u16, u16)],
    largeurs: &[f64],
    plusieurs: bool,
) -> Result<u32, XlsxError> {
    let exemplaires = if plusieurs { ", en autant d'exemplaires que de parties" } else { "" };
    ws.texte(r, 0, format!("Fait à ………………………………, le ………………………………{exemplaires}."))?;
    let titre = Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Top);
    let boite = Format::new().set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::Top);
    let r = r + 2;
    for (p, &(a, b)) in parties.iter().zip(colonnes) {
        if a == b {
            ws.texte_f(r, a, p, &titre)?;
            ws.fusion(r + 1, a, r + 6, b, "Nom, qualité :\n\n\n\nSignature et cachet :", &boite)?;
        } else {
            ws.fusion(r, a, r, b, p, &titre)?;
            ws.fusion(r + 1, a, r + 6, b, "Nom, qualité :\n\n\n\nSignature et cachet :", &boite)?;
        }
    }
    let noms: Vec<(&str, f64)> = parties.iter().map(String::as_str).zip(largeurs.iter().copied()).collect();
    ws.set_row_height(r, hauteur(&noms).max(30.0))?;
    Ok(r + 8)
}

/// Words a cut name does not end on inside a parenthesis.
const MOTS_VIDES: [&str; 12] = ["et", "de", "des", "du", "la", "le", "les", "l'", "d'", "à", "au", "sur"];

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, no apostrophe at
/// either end, unique (found at national scale: « Commune de Saint-Antoine-sur-l'Isle »).
pub fn sheet_name(base: &str, used: &mut Vec<String>) -> String {
    let clean: String = base.chars().map(|c| if "[]:*?/\\".contains(c) { '-' } else { c }).collect();
    // Cut at a word when one is near, never leaving a parenthesis open or a trailing comma.
    let cut = |n: usize| {
        let all: Vec<char> = clean.chars().collect();
        let mut s: String = all.iter().take(n).collect();
        if all.len() > n
            && let Some(i) = s.rfind([' ', '-'])
            && s[..i].chars().count() >= n / 2
        {
            s.truncate(i);
        }
        if s.matches('(').count() > s.matches(')').count()
            && let Some(i) = s.rfind('(')
        {
            // Closed on its last meaningful word when one is left inside (« État (agents
            // civils) », not « État », which reads as the State's other sheet); else dropped.
            let mut inner = s.trim_end_matches([' ', ',', '-']).to_string();
            while let Some(j) = inner.rfind(' ')
                && j > i
                && MOTS_VIDES.contains(&&inner[j + 1..])
            {
                inner.truncate(j);
                inner = inner.trim_end_matches([' ', ',', '-']).to_string();
            }
            if inner.len() > i + 1 && inner.chars().count() < n {
                s = inner + ")";
            } else {
                s.truncate(i);
            }
        }
        s.trim_matches(['\'', ' ', ',', '-']).to_string()
    };
    let mut name = cut(31);
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        let suffix = format!(" ({n})");
        name = cut(31 - suffix.chars().count()) + &suffix;
        n += 1;
    }
    used.push(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::{hauteur, sheet_name};

    #[test]
    fn a_row_is_as_tall_as_its_words_wrap() {
        // « Objectif » / « de » / « l'année » in a column of 8.43 (capacity 8.0): three lines.
        assert_eq!(hauteur(&[("Objectif de l'année", 8.43)]), 45.0);
        // « Conclues par » (12) then « un bail » in 13 (capacity 12.35): two lines.
        assert_eq!(hauteur(&[("Conclues par un bail", 13.0)]), 30.0);
        // One line when it fits; the tallest cell of the row sets its height.
        assert_eq!(hauteur(&[("Attribués", 13.0), ("2015 et après", 14.0)]), 15.0);
        // A word longer than its column is cut: 20 letters in a capacity of 9.5 → 3 lines.
        assert_eq!(hauteur(&[("abcdefghijklmnopqrst", 10.0)]), 45.0);
        // Each line break starts a line.
        assert_eq!(hauteur(&[("Nom, qualité :\n\n\n\nSignature et cachet :", 30.0)]), 75.0);
    }

    #[test]
    fn sheet_names_excel_accepts() {
        let mut used = vec![];
        assert_eq!(sheet_name("Commune de Saint-Antoine-sur-l'Isle", &mut used), "Commune de Saint-Antoine-sur");
        assert_eq!(sheet_name("Commune de Saint-Antoine-sur-l'Isle", &mut used), "Commune de Saint-Antoine (2)");
        assert_eq!(sheet_name("État (agents civils et militaires)", &mut used), "État (agents civils)");
        assert_eq!(sheet_name("État (contingent préfectoral)", &mut used), "État (contingent préfectoral)");
        assert_eq!(sheet_name("Bailleur (et de la commune voisine)", &mut used), "Bailleur (et de la commune)");
        assert_eq!(sheet_name("Logements (abcdefghijklmnopqrstuvwxyz)", &mut used), "Logements");
        assert_eq!(sheet_name("Défense, sécurité intérieure, santé", &mut used), "Défense, sécurité intérieure");
        assert_eq!(sheet_name("a/b:c", &mut used), "a-b-c");
        assert_eq!(sheet_name("'x'", &mut used), "x");
    }
}
