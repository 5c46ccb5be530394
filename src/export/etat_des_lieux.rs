//! The consolidated état des lieux workbook: Synthèse, one sheet per réservataire (its grids
//! for the EPCI and each commune, PACA layout), Données (the tidy cube, ready for a pivot
//! table) and Anomalies (set aside, conflicts, extinct rights).

use super::{ExportError, save_workbook};
use crate::consolidate::{self, Cube, Filtre, Grille, libelle_reservataire, nom_commune, nom_epci};
use crate::model::TypologieGrille;
use crate::store::Dossier;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use std::collections::BTreeMap;
use std::path::Path;

struct Styles {
    titre: Format,
    entete: Format,
    nombre: Format,
    total: Format,
    pourcent: Format,
    texte: Format,
}

fn styles() -> Styles {
    let border = |f: Format| f.set_border(FormatBorder::Thin);
    Styles {
        titre: Format::new().set_bold().set_font_size(14),
        entete: border(
            Format::new().set_bold().set_background_color(Color::RGB(0xD9E1F2)).set_align(FormatAlign::Center),
        ),
        nombre: border(Format::new().set_num_format("# ##0")),
        total: border(Format::new().set_bold().set_num_format("# ##0").set_background_color(Color::RGB(0xF2F2F2))),
        pourcent: border(Format::new().set_num_format("0.0%")),
        texte: border(Format::new()),
    }
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, no apostrophe at
/// either end, unique (found at national scale: « Commune de Saint-Antoine-sur-l'Isle »).
pub fn sheet_name(base: &str, used: &mut Vec<String>) -> String {
    let clean: String = base.chars().map(|c| if "[]:*?/\\".contains(c) { '-' } else { c }).collect();
    let cut = |n: usize| clean.chars().take(n).collect::<String>().trim_matches(['\'', ' ']).to_string();
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

fn page_setup(ws: &mut Worksheet, entete: &str, repeat_to: u32) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_header(format!("&L{}&RContingents", entete.replace('&', "&&")));
    ws.set_footer("&CPage &P / &N");
    ws.set_repeat_rows(0, repeat_to)?;
    Ok(())
}

/// Writes a grid (PACA layout) at `row`; returns the next free row.
fn write_grid(ws: &mut Worksheet, s: &Styles, row: u32, titre: &str, g: &Grille) -> Result<u32, XlsxError> {
    ws.write_string_with_format(row, 0, titre, &s.entete)?;
    for (j, t) in TypologieGrille::ALL.iter().enumerate() {
        ws.write_string_with_format(row, 1 + j as u16, t.as_str(), &s.entete)?;
    }
    ws.write_string_with_format(row, 7, "TOTAL", &s.entete)?;
    let mut r = row + 1;
    for f in g.rows() {
        ws.write_string_with_format(r, 0, f.as_str(), &s.texte)?;
        for (j, t) in TypologieGrille::ALL.iter().enumerate() {
            ws.write_number_with_format(r, 1 + j as u16, g.get(f, *t) as f64, &s.nombre)?;
        }
        ws.write_number_with_format(r, 7, g.row_total(f) as f64, &s.total)?;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "TOTAL", &s.total)?;
    for (j, t) in TypologieGrille::ALL.iter().enumerate() {
        ws.write_number_with_format(r, 1 + j as u16, g.column_total(*t) as f64, &s.total)?;
    }
    ws.write_number_with_format(r, 7, g.total() as f64, &s.total)?;
    Ok(r + 2)
}

fn write_totals(
    ws: &mut Worksheet,
    s: &Styles,
    row: u32,
    titre: &str,
    rows: &[(String, u64)],
    total: u64,
) -> Result<u32, XlsxError> {
    ws.write_string_with_format(row, 0, titre, &s.entete)?;
    ws.write_string_with_format(row, 1, "Logements", &s.entete)?;
    ws.write_string_with_format(row, 2, "Part", &s.entete)?;
    let mut r = row + 1;
    for (k, n) in rows {
        ws.write_string_with_format(r, 0, k, &s.texte)?;
        ws.write_number_with_format(r, 1, *n as f64, &s.nombre)?;
        ws.write_number_with_format(r, 2, if total > 0 { *n as f64 / total as f64 } else { 0.0 }, &s.pourcent)?;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "TOTAL", &s.total)?;
    ws.write_number_with_format(r, 1, total as f64, &s.total)?;
    Ok(r + 2)
}

pub fn export(d: &Dossier, out: &Path, progress: &dyn crate::import::run::Progress) -> Result<(), ExportError> {
    let e = |x: XlsxError| ExportError::Donnees(x.to_string());
    let cube = Cube::load(d)?;
    let (rejets, conflits, echus) = consolidate::anomalies(d)?;
    let territoire = d.territoire().label();
    let date = d.date_reference().to_string();
    let entete = format!("État des lieux consolidé — {territoire} — au {date}");
    let s = styles();
    let mut wb = Workbook::new();
    let mut used = Vec::new();
    let all = Filtre::default();
    let total = cube.total(&all);

    let ws = wb.add_worksheet();
    ws.set_name(sheet_name("Synthèse", &mut used)).map_err(e)?;
    ws.write_string_with_format(0, 0, &entete, &s.titre).map_err(e)?;
    ws.write_string(1, 0, format!("Territoire : {territoire} — date de référence : {date}")).map_err(e)?;
    let mut r = 3;
    let by_res: Vec<(String, u64)> = cube
        .totals_by(&all, |c| c.reservataire.clone())
        .into_iter()
        .map(|(k, n)| (libelle_reservataire(&k), n))
        .collect();
    r = write_totals(ws, &s, r, "Réservataire", &by_res, total).map_err(e)?;
    r = write_totals(ws, &s, r, "Bailleur", &cube.totals_by(&all, |c| c.bailleur.clone()), total).map_err(e)?;
    let by_commune: Vec<(String, u64)> = cube
        .totals_by(&all, |c| c.commune.clone())
        .into_iter()
        .map(|(k, n)| (format!("{} ({k})", nom_commune(&k)), n))
        .collect();
    write_totals(ws, &s, r, "Commune", &by_commune, total).map_err(e)?;
    ws.set_column_width(0, 48).map_err(e)?;
    ws.set_column_width(1, 14).map_err(e)?;
    ws.set_column_width(2, 10).map_err(e)?;
    ws.set_freeze_panes(3, 0).map_err(e)?;
    page_setup(ws, &entete, 2).map_err(e)?;

    // Cells grouped once by réservataire, EPCI and commune: each sheet reads only its own.
    let mut groups: BTreeMap<&str, BTreeMap<&str, Vec<&consolidate::Cellule>>> = BTreeMap::new();
    for c in &cube.cells {
        groups.entry(c.reservataire.as_str()).or_default().entry(c.epci.as_str()).or_default().push(c);
    }
    let reservataires: Vec<&str> = groups.keys().copied().collect();
    for (i, res) in reservataires.iter().enumerate() {
        progress.update(
            0.1 + 0.7 * i as f32 / reservataires.len().max(1) as f32,
            &format!("Feuille {}", libelle_reservataire(res)),
        );
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&libelle_reservataire(res), &mut used)).map_err(e)?;
        ws.write_string_with_format(0, 0, format!("{} — {}", libelle_reservataire(res), entete), &s.titre)
            .map_err(e)?;
        let mut r = 2;
        for (epci, cells) in &groups[res] {
            r = write_grid(
                ws,
                &s,
                r,
                &format!("EPCI : {}", nom_epci(epci)),
                &Grille::from_cells(cells.iter().copied()),
            )
            .map_err(e)?;
            let mut by_commune: BTreeMap<&str, Vec<&consolidate::Cellule>> = BTreeMap::new();
            for c in cells {
                by_commune.entry(c.commune.as_str()).or_default().push(c);
            }
            let mut communes: Vec<(&str, u64, Vec<&consolidate::Cellule>)> =
                by_commune.into_iter().map(|(k, v)| (k, v.iter().map(|c| c.logements).sum(), v)).collect();
            communes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            for (commune, _, cells) in communes {
                r = write_grid(ws, &s, r, &nom_commune(commune), &Grille::from_cells(cells)).map_err(e)?;
            }
        }
        ws.set_column_width(0, 36).map_err(e)?;
        for c in 1..=7 {
            ws.set_column_width(c, 10).map_err(e)?;
        }
        page_setup(ws, &entete, 0).map_err(e)?;
    }

    progress.update(0.85, "Feuille Données");
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name("Données", &mut used)).map_err(e)?;
    let headers = [
        "Bailleur",
        "Commune (INSEE)",
        "Commune",
        "EPCI",
        "Réservataire",
        "Financement",
        "Typologie",
        "QPV",
        "Individuel/collectif",
        "Logements",
    ];
    for (j, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, j as u16, *h, &s.entete).map_err(e)?;
    }
    for (i, c) in cube.cells.iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, &c.bailleur).map_err(e)?;
        ws.write_string(r, 1, &c.commune).map_err(e)?;
        ws.write_string(r, 2, nom_commune(&c.commune)).map_err(e)?;
        ws.write_string(r, 3, &c.epci).map_err(e)?;
        ws.write_string(r, 4, &c.reservataire).map_err(e)?;
        ws.write_string(r, 5, c.financement.as_str()).map_err(e)?;
        ws.write_string(r, 6, c.typologie.as_str()).map_err(e)?;
        ws.write_string(r, 7, if c.qpv { "QPV" } else { "hors QPV" }).map_err(e)?;
        ws.write_string(r, 8, c.individuel_collectif.as_str()).map_err(e)?;
        ws.write_number_with_format(r, 9, c.logements as f64, &s.nombre).map_err(e)?;
    }
    ws.autofilter(0, 0, cube.cells.len() as u32, 9).map_err(e)?;
    ws.set_freeze_panes(1, 0).map_err(e)?;
    for (j, w) in [24, 12, 28, 12, 22, 11, 10, 9, 14, 11].iter().enumerate() {
        ws.set_column_width(j as u16, *w).map_err(e)?;
    }
    page_setup(ws, &entete, 0).map_err(e)?;

    progress.update(0.92, "Feuille Anomalies");
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name("Anomalies", &mut used)).map_err(e)?;
    let headers = ["Type", "Fichier / bailleur", "Feuille / référence", "Ligne", "Motif / réservataire", "Valeur"];
    for (j, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, j as u16, *h, &s.entete).map_err(e)?;
    }
    let mut r = 1;
    for x in &rejets {
        let motif = crate::import::Motif::parse(&x.motif).map(|m| m.label()).unwrap_or(&x.motif);
        for (j, v) in
            ["Mis de côté", &x.fichier, x.feuille.as_deref().unwrap_or(""), "", motif, &x.valeur].iter().enumerate()
        {
            ws.write_string(r, j as u16, *v).map_err(e)?;
        }
        ws.write_number(r, 3, x.ligne as f64).map_err(e)?;
        r += 1;
    }
    for c in &conflits {
        for (j, v) in ["Conflit", &c.bailleur, &c.reference, "", &c.motif, &c.valeurs.join(" / ")].iter().enumerate() {
            ws.write_string(r, j as u16, *v).map_err(e)?;
        }
        r += 1;
    }
    for x in &echus {
        let res = libelle_reservataire(&x.reservataire);
        let fin = format!("convention échue le {}", x.date_fin_convention);
        for (j, v) in ["Droit échu", &x.bailleur, &x.reference, "", &res, &fin].iter().enumerate() {
            ws.write_string(r, j as u16, *v).map_err(e)?;
        }
        r += 1;
    }
    ws.autofilter(0, 0, r.saturating_sub(1).max(1), 5).map_err(e)?;
    ws.set_freeze_panes(1, 0).map_err(e)?;
    for (j, w) in [14, 36, 22, 8, 30, 36].iter().enumerate() {
        ws.set_column_width(j as u16, *w).map_err(e)?;
    }
    page_setup(ws, &entete, 0).map_err(e)?;
    progress.update(0.97, "Écriture du classeur");
    save_workbook(&mut wb, out)
}

#[cfg(test)]
mod tests {
    use super::sheet_name;

    #[test]
    fn sheet_names_excel_accepts() {
        let mut used = vec![];
        assert_eq!(sheet_name("Commune de Saint-Antoine-sur-l'Isle", &mut used), "Commune de Saint-Antoine-sur-l");
        assert_eq!(sheet_name("Commune de Saint-Antoine-sur-l'Isle", &mut used), "Commune de Saint-Antoine-su (2)");
        assert_eq!(sheet_name("a/b:c", &mut used), "a-b-c");
        assert_eq!(sheet_name("'x'", &mut used), "x");
    }
}
