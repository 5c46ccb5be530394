//! The bilan as a workbook: the consolidation, the CIA objectives, one sheet per réservataire,
//! the breakdown ready for a pivot table, the register rows set aside.

use super::{
    BASES_DES_PARTS, CIA_EXPLICATION, COLONNES, COLONNES_PRIORITAIRES, COLONNES_QUARTILES, COMPTAGE, DETAIL,
    MISES_A_DISPOSITION, cia_non_renseignee, libelle_taux, lignes_prioritaires, lignes_quartiles, perimetre_du_bilan,
    reference, signataires, titre,
};
use crate::consolidate::{libelle_reservataire, nom_commune};
use crate::export::classeur::{Typographie, ajuster};
use crate::export::pdf::date_d_edition;
use crate::format::entier;
use crate::suivi::bilan::{Bilan, BilanReservataire};
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet};

struct Formats {
    head: Format,
    num: Format,
    dec: Format,
    ecart: Format,
    ecart_dec: Format,
    pct: Format,
    cell: Format,
    /// A bordered cell whose text wraps (its row made tall enough).
    cell_texte: Format,
    /// A label over two merged columns, wrapped (its row made tall enough).
    libelle: Format,
    bold: Format,
    total: Format,
    /// « — » (nothing to count) where a number would stand: on the right, as in the PDF.
    tiret: Format,
    total_tiret: Format,
    total_num: Format,
    total_dec: Format,
    total_ecart: Format,
    total_ecart_dec: Format,
    total_pct: Format,
    /// A paragraph wrapped in its merged cells.
    texte: Format,
}

/// Printing a sheet: as every workbook to sign (A4 landscape, one page wide, the title and
/// the date of edition in the header, the reference and the page numbers in the footer).
fn mise_en_page(ws: &mut Worksheet, b: &Bilan, titre: &str) -> Result<(), rust_xlsxwriter::XlsxError> {
    crate::export::classeur::mise_en_page(ws, true, titre, &date_d_edition(), &reference(b), false)
}

fn write_row(
    ws: &mut Worksheet,
    f: &Formats,
    r: u32,
    x: &BilanReservataire,
    b: &Bilan,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let annuel = b.annuel;
    ws.texte_f(r, 0, libelle_reservataire(&x.id), &f.cell)?;
    ws.texte_f(r, 1, x.decompte.label(), &f.cell)?;
    ws.write_number_with_format(r, 2, x.objectif as f64, &f.num)?;
    ws.write_number_with_format(r, 3, x.objectif_periode, if annuel { &f.num } else { &f.dec })?;
    if b.registre_non_transmis() {
        for c in 4..15 {
            ws.texte_f(r, c, "—", &f.tiret)?;
        }
        return Ok(());
    }
    for (j, n) in [x.mises_a_disposition, x.avec_candidats, x.examines_cal, x.attributions, x.baux_signes, x.decomptes]
        .iter()
        .enumerate()
    {
        ws.write_number_with_format(r, 4 + j as u16, *n as f64, &f.num)?;
    }
    ws.write_number_with_format(r, 10, x.ecart, if annuel { &f.ecart } else { &f.ecart_dec })?;
    ws.write_number_with_format(r, 11, x.baux_cohorte as f64, &f.num)?;
    ws.write_number_with_format(r, 12, x.en_cours as f64, &f.num)?;
    ws.write_number_with_format(r, 13, x.chutes as f64, &f.num)?;
    if x.mises_a_disposition > x.en_cours {
        ws.write_number_with_format(r, 14, x.taux_chute, &f.pct)?;
    } else {
        ws.texte_f(r, 14, "—", &f.tiret)?;
    }
    Ok(())
}

/// One row of the breakdown, in the columns of [`DETAIL`] from column `c`.
fn write_detail(
    ws: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    c: u16,
    d: &crate::suivi::bilan::LigneDetail,
    f: &Formats,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.texte_f(r, c, nom_commune(&d.commune), &f.cell)?;
    ws.texte_f(r, c + 1, &d.typologie, &f.cell)?;
    ws.texte_f(r, c + 2, &d.financement, &f.cell)?;
    ws.texte_f(r, c + 3, if d.qpv { "QPV" } else { "hors QPV" }, &f.cell)?;
    ws.texte_f(r, c + 4, d.periode_construction, &f.cell)?;
    ws.write_number_with_format(r, c + 5, d.mises_a_disposition as f64, &f.num)?;
    ws.write_number_with_format(r, c + 6, d.attributions as f64, &f.num)?;
    ws.write_number_with_format(r, c + 7, d.baux_signes as f64, &f.num)?;
    Ok(())
}

pub(super) fn workbook(b: &Bilan) -> Result<Workbook, rust_xlsxwriter::XlsxError> {
    let f = Formats {
        head: Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xD9E1F2))
            .set_border(FormatBorder::Thin)
            .set_text_wrap(),
        num: Format::new().set_border(FormatBorder::Thin).set_num_format("#,##0"),
        dec: Format::new().set_border(FormatBorder::Thin).set_num_format("#,##0.0"),
        // A gap with its sign, the minus sign « − »; whole when it is.
        ecart: Format::new().set_border(FormatBorder::Thin).set_num_format("+#,##0;\"\u{2212}\"#,##0;0"),
        ecart_dec: Format::new().set_border(FormatBorder::Thin).set_num_format("+#,##0.0;\"\u{2212}\"#,##0.0;0"),
        pct: Format::new().set_border(FormatBorder::Thin).set_num_format("0.0%"),
        cell: Format::new().set_border(FormatBorder::Thin),
        cell_texte: Format::new().set_border(FormatBorder::Thin).set_text_wrap(),
        libelle: Format::new().set_text_wrap(),
        bold: Format::new().set_bold().set_font_size(13),
        total: Format::new().set_bold().set_border(FormatBorder::Thin),
        tiret: Format::new().set_border(FormatBorder::Thin).set_align(rust_xlsxwriter::FormatAlign::Right),
        total_tiret: Format::new()
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_align(rust_xlsxwriter::FormatAlign::Right),
        total_num: Format::new().set_bold().set_border(FormatBorder::Thin).set_num_format("#,##0"),
        total_dec: Format::new().set_bold().set_border(FormatBorder::Thin).set_num_format("#,##0.0"),
        total_ecart: Format::new()
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_num_format("+#,##0;\"\u{2212}\"#,##0;0"),
        total_ecart_dec: Format::new()
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_num_format("+#,##0.0;\"\u{2212}\"#,##0.0;0.0"),
        total_pct: Format::new().set_bold().set_border(FormatBorder::Thin).set_num_format("0.0%"),
        texte: Format::new().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top),
    };
    let mut wb = Workbook::new();
    let mut pris = Vec::new();
    let ws = wb.add_worksheet();
    ws.set_name(crate::export::classeur::sheet_name("Consolidation", &mut pris))?;
    mise_en_page(ws, b, &titre(b))?;
    ws.texte_f(0, 0, titre(b), &f.bold)?;
    let mut r = 1;
    for l in perimetre_du_bilan(b) {
        ws.texte(r, 0, l)?;
        r += 1;
    }
    // How it is counted, as the PDF says it: wrapped over the table's width.
    let largeur: f64 = LARGEURS.iter().sum();
    for t in [COMPTAGE, MISES_A_DISPOSITION] {
        ws.fusion(r, 0, r, 14, t, &f.texte)?;
        ajuster(ws, r, &[(t, largeur)])?;
        r += 1;
    }
    r += 1;
    let entete = r;
    entetes(ws, r, &COLONNES, &LARGEURS, &f)?;
    for x in &b.reservataires {
        r += 1;
        write_row(ws, &f, r, x, b)?;
    }
    r += 1;
    // The total row, as numbers (the taux de chute of all the réservataires' concluded ones).
    ws.texte_f(r, 0, "Total", &f.total)?;
    ws.texte_f(r, 1, "", &f.total)?;
    let t = b.total();
    let (dec, ecart) = if b.annuel { (&f.total_num, &f.total_ecart) } else { (&f.total_dec, &f.total_ecart_dec) };
    ws.write_number_with_format(r, 2, t.objectif as f64, &f.total_num)?;
    ws.write_number_with_format(r, 3, t.objectif_periode, dec)?;
    for (j, n) in [t.mises_a_disposition, t.avec_candidats, t.examines_cal, t.attributions, t.baux_signes, t.decomptes]
        .iter()
        .enumerate()
    {
        ws.write_number_with_format(r, 4 + j as u16, *n as f64, &f.total_num)?;
    }
    ws.write_number_with_format(r, 10, t.ecart, ecart)?;
    ws.write_number_with_format(r, 11, t.baux_cohorte as f64, &f.total_num)?;
    ws.write_number_with_format(r, 12, t.en_cours as f64, &f.total_num)?;
    ws.write_number_with_format(r, 13, t.chutes as f64, &f.total_num)?;
    match t.taux_chute {
        Some(x) => ws.write_number_with_format(r, 14, x, &f.total_pct)?,
        None => ws.texte_f(r, 14, "—", &f.total_tiret)?,
    };
    if b.registre_non_transmis() {
        for c in 4..15 {
            ws.texte_f(r, c, "—", &f.total_tiret)?;
        }
    }
    ws.set_repeat_rows(entete, entete)?;
    // The bailleur's libérations outside the flux: not in the bilan sent to one réservataire.
    if b.reservataire.is_none() {
        r += 2;
        entetes(ws, r, &["Hors flux (soustraits)", "Prévus", "Réalisés (baux signés)", "Écart"], &LARGEURS, &f)?;
        for h in crate::suivi::HorsFlux::ALL {
            let v = b.hors_flux.get(h.as_str()).copied().unwrap_or_default();
            r += 1;
            // The long categories wrap in their column (never hidden by the next one).
            ws.texte_f(r, 0, h.label(), &f.cell_texte)?;
            ajuster(ws, r, &[(h.label(), LARGEURS[0])])?;
            ws.write_number_with_format(r, 1, v.prevus_periode, if b.annuel { &f.num } else { &f.dec })?;
            if b.registre_non_transmis() {
                ws.texte_f(r, 2, "—", &f.tiret)?;
                ws.texte_f(r, 3, "—", &f.tiret)?;
                continue;
            }
            ws.write_number_with_format(r, 2, v.realises as f64, &f.num)?;
            let e = ((v.realises as f64 - v.prevus_periode) * 10.0).round() / 10.0;
            ws.write_number_with_format(r, 3, e, if b.annuel { &f.ecart } else { &f.ecart_dec })?;
        }
    }
    r += 2;
    for a in &b.alertes {
        ws.texte(r, 0, format!("Alerte : {}", a.detail))?;
        r += 1;
    }
    // The signature of the party who sends it (review 2, B11), as on every workbook to sign.
    crate::export::classeur::signatures(ws, r + 1, &signataires(b), &[(0, 1)], &[LARGEURS[0] + LARGEURS[1]], false)?;
    largeurs(ws, &LARGEURS)?;
    // The CIA objectives.
    let ws = wb.add_worksheet();
    ws.set_name(crate::export::classeur::sheet_name("Objectifs CIA", &mut pris))?;
    mise_en_page(ws, b, &titre(b))?;
    ws.texte_f(0, 0, format!("Objectifs d'attribution (CIA, art. L.441-1 du CCH) — {}", titre(b)), &f.bold)?;
    // The explanation wrapped over the table's width (printed one page wide, never shrunk to
    // the length of one line of text).
    let explication = if b.cia.renseigne { CIA_EXPLICATION.to_string() } else { cia_non_renseignee(b) };
    ws.fusion(1, 0, 1, 10, &explication, &f.texte)?;
    ws.set_row_height(1, crate::export::classeur::hauteur(&[(&explication, 175.0)]))?;
    let titres: Vec<&str> = COLONNES_PRIORITAIRES.iter().copied().chain(["Base de la part"]).collect();
    entetes(ws, 3, &titres, &LARGEURS_CIA, &f)?;
    let mut r = 4;
    for (nom, baux, prio, dalo, nr, part, objectif) in lignes_prioritaires(b) {
        let base = crate::suivi::cia::base_dite(baux - nr, baux);
        ws.texte_f(r, 7, &base, &f.texte)?;
        ajuster(ws, r, &[(&nom, LARGEURS_CIA[0]), (&base, LARGEURS_CIA[7])])?;
        ws.texte_f(r, 0, &nom, &f.cell_texte)?;
        for (j, n) in [baux, prio, dalo, nr].iter().enumerate() {
            ws.write_number_with_format(r, 1 + j as u16, *n as f64, &f.num)?;
        }
        match part {
            Some(x) => ws.write_number_with_format(r, 5, x, &f.pct)?,
            None => ws.texte_f(r, 5, "—", &f.tiret)?,
        };
        match objectif {
            Some(x) => ws.write_number_with_format(r, 6, x, &f.pct)?,
            None => ws.texte_f(r, 6, "aucun", &f.cell)?,
        };
        r += 1;
    }
    r += 1;
    let quartiles = lignes_quartiles(b);
    if !quartiles.is_empty() {
        let titres: Vec<&str> =
            COLONNES_QUARTILES.iter().copied().chain(["Base de la part hors QPV", "Base de la part en QPV"]).collect();
        entetes(ws, r, &titres, &LARGEURS_CIA, &f)?;
    }
    for (nom, h, q) in quartiles {
        r += 1;
        ws.texte_f(r, 0, &nom, &f.cell_texte)?;
        let (base_h, base_q) = (
            crate::suivi::cia::base_dite(h.menages_renseignes, h.baux),
            crate::suivi::cia::base_dite(q.menages_renseignes, q.baux),
        );
        ws.texte_f(r, 11, &base_h, &f.texte)?;
        ws.texte_f(r, 12, &base_q, &f.texte)?;
        ajuster(ws, r, &[(&nom, LARGEURS_CIA[0]), (&base_h, LARGEURS_CIA[11]), (&base_q, LARGEURS_CIA[12])])?;
        let cols: [(u64, u64, u64, Option<f64>, f64); 2] = [
            (h.baux, h.premier_quartile, h.non_renseignes, h.part, h.objectif),
            (q.baux, q.quartiles_2_4, q.non_renseignes, q.part, q.objectif),
        ];
        for (k, (baux, n, nr, part, objectif)) in cols.into_iter().enumerate() {
            let c = 1 + 5 * k as u16;
            ws.write_number_with_format(r, c, baux as f64, &f.num)?;
            ws.write_number_with_format(r, c + 1, n as f64, &f.num)?;
            ws.write_number_with_format(r, c + 2, nr as f64, &f.num)?;
            match part {
                Some(x) => ws.write_number_with_format(r, c + 3, x, &f.pct)?,
                None => ws.texte_f(r, c + 3, "—", &f.tiret)?,
            };
            ws.write_number_with_format(r, c + 4, objectif, &f.pct)?;
        }
    }
    largeurs(ws, &LARGEURS_CIA)?;
    for x in &b.reservataires {
        let ws = wb.add_worksheet();
        ws.set_name(crate::export::classeur::sheet_name(&libelle_reservataire(&x.id), &mut pris))?;
        mise_en_page(ws, b, &format!("{} — {}", libelle_reservataire(&x.id), titre(b)))?;
        ws.texte_f(0, 0, format!("{} — {}", libelle_reservataire(&x.id), titre(b)), &f.bold)?;
        entetes(ws, 2, &COLONNES, &LARGEURS, &f)?;
        write_row(ws, &f, 3, x, b)?;
        // Each label over the two first columns, wrapped: never hidden by its value.
        let libelle = |ws: &mut Worksheet, r: u32, t: &str| -> Result<(), rust_xlsxwriter::XlsxError> {
            ws.fusion(r, 0, r, 1, t, &f.libelle)?;
            ajuster(ws, r, &[(t, LARGEURS[0] + LARGEURS[1])])
        };
        if let Some(rel) = x.reliquat {
            libelle(ws, 5, "Reliquat reporté sur l'année suivante")?;
            ws.write_number_with_format(5, 2, rel as f64, &f.num)?;
        }
        if b.registre_non_transmis() {
            libelle(ws, 6, &format!("Réalisé : part des décomptes des réservataires ({})", x.perimetre))?;
            ws.texte_f(6, 2, "—", &f.tiret)?;
        } else {
            libelle(
                ws,
                6,
                &format!("Réalisé : part des décomptes des réservataires ({}) — {}", x.perimetre, base_du_realise(x)),
            )?;
            ws.write_number_with_format(6, 2, x.part_realisee, &f.pct)?;
        }
        ws.texte(6, 3, "contre l'objectif : part du flux des réservataires")?;
        ws.write_number_with_format(6, 8, x.part_flux_reserve, &f.pct)?;
        libelle(ws, 7, &format!("{} ({}), part du flux entier", libelle_taux(b), x.perimetre))?;
        ws.write_number_with_format(7, 2, x.taux_convention, &f.pct)?;
        ws.fusion(13, 0, 13, 14, BASES_DES_PARTS, &f.texte)?;
        ws.set_row_height(13, crate::export::classeur::hauteur(&[(BASES_DES_PARTS, 175.0)]))?;
        ws.texte(8, 0, "Chutes par cause")?;
        for (i, (k, l)) in crate::suivi::bilan::CAUSES_DE_CHUTE.iter().enumerate() {
            ws.texte(9 + i as u32, 0, format!("  {l}"))?;
            ws.write_number_with_format(
                9 + i as u32,
                2,
                x.chutes_par_cause.get(k).copied().unwrap_or(0) as f64,
                &f.num,
            )?;
        }
        entetes(ws, 14, &DETAIL, &LARGEURS, &f)?;
        for (rr, d) in (15u32..).zip(b.detail.iter().filter(|d| d.reservataire == x.id)) {
            write_detail(ws, rr, 0, d, &f)?;
        }
        largeurs(ws, &LARGEURS)?;
    }
    // The breakdown as a tidy table, for a pivot table.
    let ws = wb.add_worksheet();
    ws.set_name(crate::export::classeur::sheet_name("Ventilation", &mut pris))?;
    mise_en_page(ws, b, &titre(b))?;
    let titres: Vec<&str> = ["Bailleur", "Réservataire", "Code INSEE"].into_iter().chain(DETAIL).collect();
    entetes(ws, 0, &titres, &LARGEURS_VENTILATION, &f)?;
    for (i, d) in b.detail.iter().enumerate() {
        let r = 1 + i as u32;
        ws.texte(r, 0, &d.bailleur)?;
        ws.texte(r, 1, libelle_reservataire(&d.reservataire))?;
        ws.texte(r, 2, &d.commune)?;
        write_detail(ws, r, 3, d, &f)?;
    }
    ws.autofilter(0, 0, b.detail.len() as u32, 10)?;
    ws.set_repeat_rows(0, 0)?;
    largeurs(ws, &LARGEURS_VENTILATION)?;
    let ws = wb.add_worksheet();
    ws.set_name(crate::export::classeur::sheet_name("Lignes mises de côté", &mut pris))?;
    mise_en_page(ws, b, &titre(b))?;
    entetes(ws, 0, &["Bailleur", "Fichier", "Feuille", "Ligne", "Motif", "Valeur"], &LARGEURS_REJETS, &f)?;
    for (i, x) in b.rejets.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, &x.bailleur)?;
        ws.write_string(r, 1, &x.fichier)?;
        ws.write_string(r, 2, x.feuille.clone().unwrap_or_default())?;
        ws.write_number(r, 3, x.ligne as f64)?;
        ws.texte(r, 4, crate::suivi::motif_en_clair(&x.motif))?;
        ws.write_string(r, 5, &x.valeur)?;
    }
    largeurs(ws, &LARGEURS_REJETS)?;
    Ok(wb)
}

/// The widths of the columns (in characters) of the consolidation and of each réservataire's
/// sheet: its label, the décompte (or the typology), then the figures — wide enough for their
/// values (« 2015 et après ») and for their wrapped titles, word by word (casa review: the
/// default 8.43 cut « Mis à dispositi/on » and hid « 2015 et ap… »).
const LARGEURS: [f64; 15] = [40.0, 30.0, 14.0, 14.0, 14.0, 14.0, 14.0, 14.0, 14.0, 14.0, 14.0, 14.0, 14.0, 14.0, 14.0];
/// The CIA sheet: the base of each share (« 0 ménage renseigné sur 40 baux ») in column H, and
/// the bases of the quartile shares in L and M.
const LARGEURS_CIA: [f64; 13] = [40.0, 14.0, 14.0, 14.0, 14.0, 14.0, 14.0, 32.0, 14.0, 14.0, 14.0, 32.0, 32.0];
/// The « Ventilation » sheet: bailleur, réservataire, INSEE code, then [`DETAIL`].
const LARGEURS_VENTILATION: [f64; 11] = [24.0, 36.0, 11.0, 26.0, 11.0, 12.0, 10.0, 14.0, 13.0, 11.0, 11.0];
/// The register rows set aside: bailleur, file, sheet, row, reason, value.
const LARGEURS_REJETS: [f64; 6] = [24.0, 36.0, 16.0, 8.0, 30.0, 30.0];

fn largeurs(ws: &mut Worksheet, l: &[f64]) -> Result<(), rust_xlsxwriter::XlsxError> {
    for (j, w) in l.iter().enumerate() {
        ws.set_column_width(j as u16, *w)?;
    }
    Ok(())
}

/// A row of column titles from the first column, tall enough for the longest once wrapped in
/// its column (never less than the two lines most of them take).
fn entetes(
    ws: &mut Worksheet,
    r: u32,
    titres: &[&str],
    l: &[f64],
    f: &Formats,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    for (j, t) in titres.iter().enumerate() {
        ws.texte_f(r, j as u16, *t, &f.head)?;
    }
    let cellules: Vec<(&str, f64)> = titres.iter().copied().zip(l.iter().copied()).collect();
    ws.set_row_height(r, crate::export::classeur::hauteur(&cellules).max(30.0))?;
    Ok(())
}

/// The base of the realised share, in words: « 3 logements décomptés sur 3 ».
fn base_du_realise(x: &crate::suivi::bilan::BilanReservataire) -> String {
    format!(
        "{} sur {}",
        crate::format::pluriel(x.decomptes, "logement décompté", "logements décomptés"),
        entier(x.decomptes_du_perimetre)
    )
}
