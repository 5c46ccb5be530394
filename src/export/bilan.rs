//! The bilan of a period as a document to send: a workbook (the consolidation, one sheet per
//! réservataire, the regulatory breakdown as a table ready for pivoting, the libérations
//! outside the flux, the alerts and the register rows set aside) or a PDF to sign.

use super::{ExportError, pdf::Pdf, save_workbook};
use crate::consolidate::{libelle_reservataire, nom_commune};
use crate::format::{date_fr, entier, nombre_fr, pourcentage};
use crate::suivi::bilan::{Bilan, BilanReservataire};
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet};
use std::path::Path;

const COLONNES: [&str; 12] = [
    "Réservataire",
    "Décompte",
    "Objectif de l'année",
    "Objectif de la période",
    "Mis à disposition",
    "Avec candidats",
    "Examinés en CALEOL",
    "Attribués",
    "Baux signés",
    "Décomptés",
    "Écart",
    "Taux de chute",
];

fn titre(b: &Bilan) -> String {
    let periode = match b.semestre {
        Some(s) => format!("{}e semestre {}", s, b.annee),
        None if b.debut.ends_with("-01-01") && b.fin.ends_with("-12-31") => format!("année {}", b.annee),
        None => format!("du {} au {}", date_fr(&b.debut), date_fr(&b.fin)),
    };
    let qui = b.bailleur.clone().unwrap_or_else(|| "tous les bailleurs".into());
    let ou = b.epci.as_deref().map(|e| format!(" — {}", crate::consolidate::nom_epci(e))).unwrap_or_default();
    format!("Bilan du flux — {periode} — {qui}{ou}")
}

fn ligne(r: &BilanReservataire) -> Vec<String> {
    vec![
        libelle_reservataire(&r.id),
        r.decompte.label().to_string(),
        entier(r.objectif),
        nombre_fr(r.objectif_periode, 1),
        entier(r.mises_a_disposition),
        entier(r.avec_candidats),
        entier(r.examines_cal),
        entier(r.attributions),
        entier(r.baux_signes),
        entier(r.decomptes),
        nombre_fr(r.ecart, 1),
        pourcentage(r.taux_chute),
    ]
}

/// A sheet name Excel accepts (31 characters, no `[]:*?/\`), unique in the workbook.
fn nom_feuille(base: &str, pris: &mut Vec<String>) -> String {
    let clean: String = base.chars().filter(|c| !"[]:*?/\\'".contains(*c)).take(28).collect();
    let mut name = clean.clone();
    let mut i = 2;
    while pris.contains(&name.to_lowercase()) {
        name = format!("{} {i}", clean.chars().take(25).collect::<String>());
        i += 1;
    }
    pris.push(name.to_lowercase());
    name
}

struct Formats {
    head: Format,
    num: Format,
    dec: Format,
    pct: Format,
    cell: Format,
    bold: Format,
}

fn write_row(ws: &mut Worksheet, f: &Formats, r: u32, x: &BilanReservataire) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.write_string_with_format(r, 0, libelle_reservataire(&x.id), &f.cell)?;
    ws.write_string_with_format(r, 1, x.decompte.label(), &f.cell)?;
    ws.write_number_with_format(r, 2, x.objectif as f64, &f.num)?;
    ws.write_number_with_format(r, 3, x.objectif_periode, &f.dec)?;
    for (j, n) in [x.mises_a_disposition, x.avec_candidats, x.examines_cal, x.attributions, x.baux_signes, x.decomptes]
        .iter()
        .enumerate()
    {
        ws.write_number_with_format(r, 4 + j as u16, *n as f64, &f.num)?;
    }
    ws.write_number_with_format(r, 10, x.ecart, &f.dec)?;
    ws.write_number_with_format(r, 11, x.taux_chute, &f.pct)?;
    Ok(())
}

/// The columns of the regulatory breakdown (each réservataire's sheet, and after the
/// réservataire and the INSEE code in the « Ventilation » sheet).
const DETAIL: [&str; 8] = [
    "Commune",
    "Typologie",
    "Financement",
    "QPV",
    "Période de construction",
    "Mis à disposition",
    "Attribués",
    "Baux signés",
];

/// One row of the breakdown, in the columns of [`DETAIL`] from column `c`.
fn write_detail(
    ws: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    c: u16,
    d: &crate::suivi::bilan::LigneDetail,
    f: &Formats,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.write_string_with_format(r, c, nom_commune(&d.commune), &f.cell)?;
    ws.write_string_with_format(r, c + 1, &d.typologie, &f.cell)?;
    ws.write_string_with_format(r, c + 2, &d.financement, &f.cell)?;
    ws.write_string_with_format(r, c + 3, if d.qpv { "QPV" } else { "hors QPV" }, &f.cell)?;
    ws.write_string_with_format(r, c + 4, d.periode_construction, &f.cell)?;
    ws.write_number_with_format(r, c + 5, d.mises_a_disposition as f64, &f.num)?;
    ws.write_number_with_format(r, c + 6, d.attributions as f64, &f.num)?;
    ws.write_number_with_format(r, c + 7, d.baux_signes as f64, &f.num)?;
    Ok(())
}

fn workbook(b: &Bilan) -> Result<Workbook, rust_xlsxwriter::XlsxError> {
    let f = Formats {
        head: Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xD9E1F2))
            .set_border(FormatBorder::Thin)
            .set_text_wrap(),
        num: Format::new().set_border(FormatBorder::Thin).set_num_format("# ##0"),
        dec: Format::new().set_border(FormatBorder::Thin).set_num_format("# ##0.0"),
        pct: Format::new().set_border(FormatBorder::Thin).set_num_format("0.0%"),
        cell: Format::new().set_border(FormatBorder::Thin),
        bold: Format::new().set_bold().set_font_size(13),
    };
    let mut wb = Workbook::new();
    let mut pris = Vec::new();
    let ws = wb.add_worksheet();
    ws.set_name(nom_feuille("Consolidation", &mut pris))?;
    ws.write_string_with_format(0, 0, titre(b), &f.bold)?;
    for (j, h) in COLONNES.iter().enumerate() {
        ws.write_string_with_format(2, j as u16, *h, &f.head)?;
    }
    for (i, x) in b.reservataires.iter().enumerate() {
        write_row(ws, &f, 3 + i as u32, x)?;
    }
    let mut r = 4 + b.reservataires.len() as u32;
    ws.write_string_with_format(r, 0, "Hors flux (soustraits)", &f.head)?;
    ws.write_string_with_format(r, 1, "Prévus", &f.head)?;
    ws.write_string_with_format(r, 2, "Réalisés (baux signés)", &f.head)?;
    for (k, v) in &b.hors_flux {
        r += 1;
        let label = crate::suivi::HorsFlux::parse(k).map(|h| h.label()).unwrap_or(k);
        ws.write_string_with_format(r, 0, label, &f.cell)?;
        ws.write_number_with_format(r, 1, v.prevus as f64, &f.num)?;
        ws.write_number_with_format(r, 2, v.realises as f64, &f.num)?;
    }
    r += 2;
    for a in &b.alertes {
        ws.write_string(r, 0, format!("Alerte : {}", a.detail))?;
        r += 1;
    }
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 30)?;
    for j in 2..12 {
        ws.set_column_width(j, 13)?;
    }
    for x in &b.reservataires {
        let ws = wb.add_worksheet();
        ws.set_name(nom_feuille(&libelle_reservataire(&x.id), &mut pris))?;
        ws.write_string_with_format(0, 0, format!("{} — {}", libelle_reservataire(&x.id), titre(b)), &f.bold)?;
        for (j, h) in COLONNES.iter().enumerate() {
            ws.write_string_with_format(2, j as u16, *h, &f.head)?;
        }
        write_row(ws, &f, 3, x)?;
        if let Some(rel) = x.reliquat {
            ws.write_string(5, 0, "Reliquat reporté sur l'année suivante")?;
            ws.write_number_with_format(5, 2, rel as f64, &f.num)?;
        }
        ws.write_string(6, 0, "Part des décomptes de la période")?;
        ws.write_number_with_format(6, 2, x.part_realisee, &f.pct)?;
        ws.write_string(7, 0, "Taux de la convention")?;
        ws.write_number_with_format(7, 2, x.taux_convention, &f.pct)?;
        for (j, h) in DETAIL.iter().enumerate() {
            ws.write_string_with_format(9, j as u16, *h, &f.head)?;
        }
        for (rr, d) in (10u32..).zip(b.detail.iter().filter(|d| d.reservataire == x.id)) {
            write_detail(ws, rr, 0, d, &f)?;
        }
        ws.set_column_width(0, 40)?;
        ws.set_column_width(1, 30)?;
    }
    // The breakdown as a tidy table, for a pivot table.
    let ws = wb.add_worksheet();
    ws.set_name(nom_feuille("Ventilation", &mut pris))?;
    for (j, h) in ["Réservataire", "Code INSEE"].iter().chain(DETAIL.iter()).enumerate() {
        ws.write_string_with_format(0, j as u16, *h, &f.head)?;
    }
    for (i, d) in b.detail.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, libelle_reservataire(&d.reservataire))?;
        ws.write_string(r, 1, &d.commune)?;
        write_detail(ws, r, 2, d, &f)?;
    }
    ws.autofilter(0, 0, b.detail.len() as u32, 9)?;
    let ws = wb.add_worksheet();
    ws.set_name(nom_feuille("Lignes mises de côté", &mut pris))?;
    for (j, h) in ["Bailleur", "Fichier", "Feuille", "Ligne", "Motif", "Valeur"].iter().enumerate() {
        ws.write_string_with_format(0, j as u16, *h, &f.head)?;
    }
    for (i, x) in b.rejets.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, &x.bailleur)?;
        ws.write_string(r, 1, &x.fichier)?;
        ws.write_string(r, 2, x.feuille.clone().unwrap_or_default())?;
        ws.write_number(r, 3, x.ligne as f64)?;
        ws.write_string(r, 4, &x.motif)?;
        ws.write_string(r, 5, &x.valeur)?;
    }
    Ok(wb)
}

pub fn export(b: &Bilan, out: &Path) -> Result<(), ExportError> {
    let ext = out.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "xlsx" => {
            let mut wb = workbook(b).map_err(|e| ExportError::Donnees(e.to_string()))?;
            save_workbook(&mut wb, out)
        }
        "pdf" => {
            let mut p = Pdf::new(true);
            p.text(40.0, 50.0, 14.0, &titre(b));
            let rows: Vec<Vec<String>> = std::iter::once(COLONNES.iter().map(|s| s.to_string()).collect())
                .chain(b.reservataires.iter().map(ligne))
                .collect();
            let widths = [180.0, 95.0, 50.0, 50.0, 50.0, 45.0, 50.0, 45.0, 45.0, 50.0, 45.0, 50.0];
            let right = [false, false, true, true, true, true, true, true, true, true, true, true];
            let mut y = p.table(30.0, 70.0, &widths, &right, &rows, 7.5) + 16.0;
            let hf: Vec<Vec<String>> =
                std::iter::once(vec!["Hors flux".to_string(), "Prévus".into(), "Réalisés".into()])
                    .chain(b.hors_flux.iter().map(|(k, v)| {
                        let label = crate::suivi::HorsFlux::parse(k).map(|h| h.label()).unwrap_or(k);
                        vec![label.to_string(), entier(v.prevus), entier(v.realises)]
                    }))
                    .collect();
            y = p.table(30.0, y, &[300.0, 60.0, 60.0], &[false, true, true], &hf, 8.0) + 14.0;
            for a in &b.alertes {
                y = p.paragraph(30.0, y, 760.0, 8.5, &format!("Alerte : {}", a.detail)) + 2.0;
            }
            p.text(
                30.0,
                y + 24.0,
                9.0,
                "Le bailleur                                                   Le réservataire",
            );
            p.save(out)
        }
        "png" | "svg" => Ok(crate::charts::export_bilan(b, out)?),
        _ => Err(ExportError::Donnees(format!(
            "format « {ext} » inconnu : .xlsx ou .pdf pour le bilan, .png ou .svg pour son graphique"
        ))),
    }
}
