//! The consolidated état des lieux workbook: Synthèse, one sheet per réservataire (its grids
//! for the EPCI and each commune, PACA layout; beyond 60, the smallest share « Autres
//! réservataires »), Données (the tidy cube, ready for a pivot table) and Anomalies (set
//! aside, conflicts, extinct rights); long tables go on over more sheets.

use super::{ExportError, save_workbook};
use crate::consolidate::{self, Cube, Dimension, Filtre, Grille, libelle_reservataire, nom_commune, nom_epci};
use crate::export::classeur::Typographie;
use crate::model::TypologieGrille;
use crate::store::Dossier;
use crate::store::cube::Case;
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
        nombre: border(Format::new().set_num_format("#,##0")),
        total: border(Format::new().set_bold().set_num_format("#,##0").set_background_color(Color::RGB(0xF2F2F2))),
        pourcent: border(Format::new().set_num_format("0.0%")),
        texte: border(Format::new()),
    }
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
    ws.texte_f(row, 0, titre, &s.entete)?;
    for (j, t) in TypologieGrille::ALL.iter().enumerate() {
        ws.write_string_with_format(row, 1 + j as u16, t.as_str(), &s.entete)?;
    }
    ws.write_string_with_format(row, 7, "Total", &s.entete)?;
    let mut r = row + 1;
    for f in g.rows() {
        ws.write_string_with_format(r, 0, f.as_str(), &s.texte)?;
        for (j, t) in TypologieGrille::ALL.iter().enumerate() {
            ws.write_number_with_format(r, 1 + j as u16, g.get(f, *t) as f64, &s.nombre)?;
        }
        ws.write_number_with_format(r, 7, g.row_total(f) as f64, &s.total)?;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "Total", &s.total)?;
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
    ws.texte_f(row, 0, titre, &s.entete)?;
    ws.write_string_with_format(row, 1, "Logements", &s.entete)?;
    ws.write_string_with_format(row, 2, "Part", &s.entete)?;
    let mut r = row + 1;
    for (k, n) in rows {
        ws.write_string_with_format(r, 0, k, &s.texte)?;
        ws.write_number_with_format(r, 1, *n as f64, &s.nombre)?;
        ws.write_number_with_format(r, 2, if total > 0 { *n as f64 / total as f64 } else { 0.0 }, &s.pourcent)?;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "Total", &s.total)?;
    ws.write_number_with_format(r, 1, total as f64, &s.total)?;
    Ok(r + 2)
}

/// Réservataires with a sheet of their own; beyond, the smallest share « Autres réservataires »
/// (at national scale every commune is a réservataire: thousands of sheets help nobody).
pub const MAX_FEUILLES_RESERVATAIRES: usize = 60;

/// Rows of an Excel sheet (the header row included); longer tables continue on another sheet.
pub const LIGNES_PAR_FEUILLE: u32 = 1_048_576;

/// Adds a sheet written row by row to a temporary file: memory stays flat whatever its size.
fn add_sheet<'a>(wb: &'a mut Workbook, name: &str, used: &mut Vec<String>) -> Result<&'a mut Worksheet, XlsxError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(super::classeur::sheet_name(name, used))?;
    Ok(ws)
}

/// A réservataire's cells by EPCI (codes: sorted as the SIRENs).
fn par_epci(cases: &[Case]) -> BTreeMap<u32, Vec<&Case>> {
    let mut g: BTreeMap<u32, Vec<&Case>> = BTreeMap::new();
    for c in cases {
        g.entry(c.epci).or_default().push(c);
    }
    g
}

/// One réservataire's grids: each EPCI, then its communes by decreasing stock. Returns the
/// next free row.
fn write_reservataire(
    ws: &mut Worksheet,
    s: &Styles,
    mut r: u32,
    noms: &Noms,
    epcis: &BTreeMap<u32, Vec<&Case>>,
) -> Result<u32, XlsxError> {
    for (epci, cells) in epcis {
        r = write_grid(ws, s, r, &noms.titres_epcis[*epci as usize], &Grille::from_cases(cells.iter().copied()))?;
        let mut by_commune: BTreeMap<u32, Vec<&Case>> = BTreeMap::new();
        for c in cells {
            by_commune.entry(c.commune).or_default().push(c);
        }
        let mut communes: Vec<(u32, u64, Vec<&Case>)> =
            by_commune.into_iter().map(|(k, v)| (k, v.iter().map(|c| c.logements).sum(), v)).collect();
        communes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (commune, _, cells) in communes {
            r = write_grid(ws, s, r, &noms.communes[commune as usize], &Grille::from_cases(cells))?;
        }
    }
    Ok(r)
}

/// Rows `write_reservataire` will take (at most: a grid has at most five financement rows).
fn reservataire_rows(epcis: &BTreeMap<u32, Vec<&Case>>) -> u32 {
    let grids: usize = epcis
        .values()
        .map(|cells| {
            let mut communes: Vec<u32> = cells.iter().map(|c| c.commune).collect();
            communes.sort_unstable();
            communes.dedup();
            1 + communes.len()
        })
        .sum();
    (grids * 9) as u32
}

/// The names the sheets show, made once per value of the cube (never once per cell): by the
/// cube's codes.
struct Noms {
    /// Communes by their names (« Antibes »).
    communes: Vec<String>,
    /// « EPCI : CA de Sophia Antipolis », the title of an EPCI's grid.
    titres_epcis: Vec<String>,
    /// EPCI by their names and SIRENs (« CA de Sophia Antipolis (240600585) »).
    epcis: Vec<String>,
    /// Réservataires by their names, never their internal ids.
    reservataires: Vec<String>,
}

impl Noms {
    fn du_cube(cube: &Cube) -> Noms {
        Noms {
            communes: cube.communes_triees().iter().map(|c| nom_commune(c)).collect(),
            titres_epcis: cube.epcis_tries().iter().map(|e| format!("EPCI : {}", nom_epci(e))).collect(),
            epcis: cube.epcis_tries().iter().map(|e| nom_de_l_epci(e)).collect(),
            reservataires: cube.reservataires_tries().iter().map(|r| libelle_reservataire(r)).collect(),
        }
    }
}

fn finish_grid_sheet(ws: &mut Worksheet, entete: &str) -> Result<(), XlsxError> {
    ws.set_column_width(0, 36)?;
    for c in 1..=7 {
        ws.set_column_width(c, 10)?;
    }
    page_setup(ws, entete, 0)
}

/// How large the workbook's sheets may grow (the defaults are Excel's; tests use small ones).
#[derive(Debug, Clone, Copy)]
pub struct Limites {
    pub lignes_par_feuille: u32,
    pub feuilles_reservataires: usize,
}

impl Default for Limites {
    fn default() -> Self {
        Limites { lignes_par_feuille: LIGNES_PAR_FEUILLE, feuilles_reservataires: MAX_FEUILLES_RESERVATAIRES }
    }
}

pub fn export(d: &Dossier, out: &Path, progress: &dyn crate::model::Progress) -> Result<(), ExportError> {
    export_with(d, out, progress, Limites::default())
}

pub fn export_with(
    d: &Dossier,
    out: &Path,
    progress: &dyn crate::model::Progress,
    limites: Limites,
) -> Result<(), ExportError> {
    // A workbook only: never an xlsx under a `.pdf` name.
    match super::extension(out).as_str() {
        "xlsx" => {}
        ext => return Err(super::extension_refusee(out, ext, &["xlsx"])),
    }
    // The sheets are written to temporary files as they are built: a full disk there makes the
    // xlsx writer panic, said as a failed write.
    crate::fichier::proteger(out, || ecrire(d, out, progress, limites))
}

fn ecrire(d: &Dossier, out: &Path, progress: &dyn crate::model::Progress, limites: Limites) -> Result<(), ExportError> {
    let e = super::erreur_xlsx(out);
    // Stopped on request between two steps: the temporary files go, nothing is written.
    let arret = || if progress.annule() { Err(ExportError::Annule) } else { Ok(()) };
    let cube = Cube::load(d)?;
    let territoire = d.territoire().label();
    let date = crate::format::date_fr(&d.date_reference().to_string());
    let entete = format!("État des lieux consolidé — {territoire} — au {date}");
    let s = styles();
    let mut wb = Workbook::new();
    // The sheets' temporary files go next to the destination (space is there), not to a
    // temporary directory that may live in memory.
    if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        wb.set_tempdir(dir).map_err(e)?;
    }
    let mut used = Vec::new();
    let all = Filtre::default();
    let total = cube.total(&all);
    // The cube is read by its codes: each name is made once, never a string per cell.
    let noms = Noms::du_cube(&cube);

    let ws = add_sheet(&mut wb, "Synthèse", &mut used).map_err(e)?;
    ws.write_string_with_format(0, 0, &entete, &s.titre).map_err(e)?;
    ws.texte(1, 0, format!("Territoire : {territoire} — date de référence : {date}")).map_err(e)?;
    let mut r = 3;
    let totals = |dim: Dimension, label: &dyn Fn(&str) -> String| -> Vec<(String, u64)> {
        cube.counts_by(&all, None, dim).into_iter().map(|(k, n)| (label(k), n)).collect()
    };
    r = write_totals(ws, &s, r, "Réservataire", &totals(Dimension::Reservataire, &libelle_reservataire), total)
        .map_err(e)?;
    r = write_totals(ws, &s, r, "Bailleur", &totals(Dimension::Bailleur, &|k| k.to_string()), total).map_err(e)?;
    let by_commune = totals(Dimension::Commune, &|k| format!("{} ({k})", nom_commune(k)));
    write_totals(ws, &s, r, "Commune", &by_commune, total).map_err(e)?;
    ws.set_column_width(0, 48).map_err(e)?;
    ws.set_column_width(1, 14).map_err(e)?;
    ws.set_column_width(2, 10).map_err(e)?;
    ws.set_freeze_panes(3, 0).map_err(e)?;
    page_setup(ws, &entete, 2).map_err(e)?;

    parts_des_reservataires(&mut wb, &cube, &noms, &s, &entete, &mut used, limites.lignes_par_feuille).map_err(e)?;

    // Each sheet groups its réservataire's cells by EPCI, as codes.
    let mut reservataires: Vec<&str> = cube.reservataires_tries().iter().map(String::as_str).collect();
    let mut autres: Vec<&str> = Vec::new();
    if reservataires.len() > limites.feuilles_reservataires {
        let largest: Vec<&str> = cube
            .counts_by(&all, None, Dimension::Reservataire)
            .into_iter()
            .take(limites.feuilles_reservataires.saturating_sub(1))
            .map(|(k, _)| k)
            .collect();
        (reservataires, autres) = reservataires.into_iter().partition(|r| largest.contains(r));
    }
    let n_sheets = reservataires.len() + autres.len();
    for (i, res) in reservataires.iter().enumerate() {
        arret()?;
        progress
            .update(0.1 + 0.7 * i as f32 / n_sheets.max(1) as f32, &format!("Feuille {}", libelle_reservataire(res)));
        let ws = add_sheet(&mut wb, &consolidate::nom_court_reservataire(res), &mut used).map_err(e)?;
        ws.write_string_with_format(0, 0, format!("{} — {}", libelle_reservataire(res), entete), &s.titre)
            .map_err(e)?;
        write_reservataire(ws, &s, 2, &noms, &par_epci(cube.cases_du_reservataire(res))).map_err(e)?;
        finish_grid_sheet(ws, &entete).map_err(e)?;
    }
    if !autres.is_empty() {
        // One title per réservataire, then its grids; a new sheet when the rows run out.
        let mut part = 0;
        let mut ws: Option<&mut Worksheet> = None;
        let mut r = 0;
        for (i, res) in autres.iter().enumerate() {
            if i % 200 == 0 {
                arret()?;
                progress.update(
                    0.1 + 0.7 * (reservataires.len() + i) as f32 / n_sheets.max(1) as f32,
                    &format!("Autres réservataires ({i} / {})", autres.len()),
                );
            }
            let groupes = par_epci(cube.cases_du_reservataire(res));
            let needed = 1 + reservataire_rows(&groupes);
            if ws.is_none() || r + needed >= limites.lignes_par_feuille {
                if let Some(w) = ws.take() {
                    finish_grid_sheet(w, &entete).map_err(e)?;
                }
                part += 1;
                let name = if part == 1 {
                    "Autres réservataires".to_string()
                } else {
                    format!("Autres réservataires ({part})")
                };
                let w = add_sheet(&mut wb, &name, &mut used).map_err(e)?;
                w.write_string_with_format(0, 0, format!("{name} — {entete}"), &s.titre).map_err(e)?;
                r = 2;
                ws = Some(w);
            }
            let Some(w) = ws.as_deref_mut() else { continue };
            w.write_string_with_format(r, 0, libelle_reservataire(res), &s.titre).map_err(e)?;
            r = write_reservataire(w, &s, r + 1, &noms, &groupes).map_err(e)?;
        }
        if let Some(w) = ws.take() {
            finish_grid_sheet(w, &entete).map_err(e)?;
        }
    }

    progress.update(0.85, "Feuille Données");
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
    let per_sheet = limites.lignes_par_feuille.saturating_sub(1).max(1) as usize;
    // The cells read as codes, their strings borrowed from the cube and the names above.
    let (bailleurs, communes) = (cube.bailleurs_tries(), cube.communes_triees());
    let mut cells = cube.cases().iter();
    let parts = cube.nombre_de_cellules().div_ceil(per_sheet).max(1);
    for part in 0..parts {
        arret()?;
        let name = if part == 0 { "Données".to_string() } else { format!("Données ({})", part + 1) };
        let ws = add_sheet(&mut wb, &name, &mut used).map_err(e)?;
        for (j, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, j as u16, *h, &s.entete).map_err(e)?;
        }
        let mut ecrites = 0u32;
        for (i, c) in cells.by_ref().take(per_sheet).enumerate() {
            if i % 100_000 == 99_999 {
                arret()?;
            }
            ecrites += 1;
            let r = 1 + i as u32;
            ws.write_string(r, 0, &bailleurs[c.bailleur as usize]).map_err(e)?;
            ws.write_string(r, 1, &communes[c.commune as usize]).map_err(e)?;
            ws.write_string(r, 2, &noms.communes[c.commune as usize]).map_err(e)?;
            ws.write_string(r, 3, &noms.epcis[c.epci as usize]).map_err(e)?;
            ws.write_string(r, 4, &noms.reservataires[c.reservataire as usize]).map_err(e)?;
            ws.write_string(r, 5, c.financement.as_str()).map_err(e)?;
            ws.write_string(r, 6, c.typologie.as_str()).map_err(e)?;
            ws.write_string(r, 7, if c.qpv { "QPV" } else { "hors QPV" }).map_err(e)?;
            ws.write_string(r, 8, c.individuel_collectif.as_str()).map_err(e)?;
            ws.write_number_with_format(r, 9, c.logements as f64, &s.nombre).map_err(e)?;
        }
        ws.autofilter(0, 0, ecrites.max(1), 9).map_err(e)?;
        ws.set_freeze_panes(1, 0).map_err(e)?;
        // EPCI and réservataire as long as their names (« CA de Sophia Antipolis (240600585) »,
        // « État (contingent préfectoral) »): never hidden by the next column.
        for (j, w) in [24, 15, 28, 40, 36, 12, 10, 9, 21, 11].iter().enumerate() {
            ws.set_column_width(j as u16, *w).map_err(e)?;
        }
        page_setup(ws, &entete, 0).map_err(e)?;
    }
    drop(noms);
    drop(cube);

    arret()?;
    progress.update(0.92, "Feuille Anomalies");
    // Every anomaly as one row of six texts and its line number when it has one, written as
    // the dossier is read: a national dossier's million rows set aside are never all held.
    let mut anomalies = Anomalies::new(&mut wb, &mut used, &s, &entete, per_sheet);
    let mut n = 0usize;
    d.pour_chaque_rejet_actif(|x| {
        n += 1;
        if n.is_multiple_of(100_000) {
            arret()?;
        }
        let motif = crate::model::Motif::parse(&x.motif).map(|m| m.label()).unwrap_or(&x.motif);
        let feuille = x.feuille.as_deref().unwrap_or_default();
        anomalies.ligne(["Mis de côté", &x.fichier, feuille, "", motif, &x.valeur], Some(x.ligne)).map_err(e)
    })?;
    d.pour_chaque_conflit_actif(|c| {
        let (motif, valeurs) = conflit_en_clair(&c.motif, &c.valeurs);
        anomalies.ligne(["Conflit", &c.bailleur, &c.reference, "", &motif, &valeurs], None).map_err(e)
    })?;
    d.pour_chaque_droit_echu(|x| {
        n += 1;
        if n.is_multiple_of(100_000) {
            arret()?;
        }
        let fin = format!("convention échue le {}", crate::format::date_fr(&x.date_fin_convention));
        let res = libelle_reservataire(&x.reservataire);
        anomalies.ligne(["Droit échu", &x.bailleur, &x.reference, "", &res, &fin], None).map_err(e)
    })?;
    anomalies.terminer().map_err(e)?;
    arret()?;
    progress.update(0.97, "Écriture du classeur");
    save_workbook(&mut wb, out)
}

/// The Anomalies table, written row by row; it goes on over another sheet when one is full
/// (the first sheet is there even when there is nothing to list).
struct Anomalies<'a> {
    wb: &'a mut Workbook,
    used: &'a mut Vec<String>,
    s: &'a Styles,
    entete: &'a str,
    per_sheet: usize,
    /// The sheet being written (its index in the workbook) and its rows so far.
    feuille: Option<usize>,
    lignes: usize,
    parts: usize,
}

impl<'a> Anomalies<'a> {
    fn new(wb: &'a mut Workbook, used: &'a mut Vec<String>, s: &'a Styles, entete: &'a str, per_sheet: usize) -> Self {
        Anomalies { wb, used, s, entete, per_sheet, feuille: None, lignes: 0, parts: 0 }
    }

    fn ligne(&mut self, texts: [&str; 6], ligne: Option<u32>) -> Result<(), XlsxError> {
        let index = match self.feuille {
            Some(i) if self.lignes < self.per_sheet => i,
            _ => self.nouvelle_feuille()?,
        };
        let ws = self.wb.worksheet_from_index(index)?;
        let r = 1 + self.lignes as u32;
        for (j, v) in texts.iter().enumerate() {
            if let (3, Some(ligne)) = (j, ligne) {
                ws.write_number(r, 3, ligne as f64)?;
            } else {
                ws.write_string(r, j as u16, *v)?;
            }
        }
        self.lignes += 1;
        Ok(())
    }

    fn nouvelle_feuille(&mut self) -> Result<usize, XlsxError> {
        self.finir()?;
        let name = if self.parts == 0 { "Anomalies".to_string() } else { format!("Anomalies ({})", self.parts + 1) };
        self.parts += 1;
        let ws = add_sheet(self.wb, &name, self.used)?;
        let headers = ["Type", "Fichier / bailleur", "Feuille / référence", "Ligne", "Motif / réservataire", "Valeur"];
        for (j, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, j as u16, *h, &self.s.entete)?;
        }
        let index = self.wb.worksheets().len() - 1;
        self.feuille = Some(index);
        self.lignes = 0;
        Ok(index)
    }

    /// The sheet being written gets its filter, frozen header, widths and page setup.
    fn finir(&mut self) -> Result<(), XlsxError> {
        let Some(i) = self.feuille.take() else { return Ok(()) };
        let ws = self.wb.worksheet_from_index(i)?;
        ws.autofilter(0, 0, (self.lignes as u32).max(1), 5)?;
        ws.set_freeze_panes(1, 0)?;
        for (j, w) in [14, 40, 22, 8, 46, 36].iter().enumerate() {
            ws.set_column_width(j as u16, *w)?;
        }
        page_setup(ws, self.entete, 0)
    }

    fn terminer(mut self) -> Result<(), XlsxError> {
        if self.parts == 0 {
            self.nouvelle_feuille()?;
        }
        self.finir()
    }
}

/// The share of each réservataire in the stock by EPCI, by commune and by bailleur
/// (domaine.md, Consolidation): one row per perimeter and réservataire (non réservé
/// included), its dwellings, the perimeter's stock and the share — a table to read and to
/// filter. Counted in one pass over the cube's codes; more rows than a sheet holds go on.
fn parts_des_reservataires(
    wb: &mut Workbook,
    cube: &Cube,
    noms: &Noms,
    s: &Styles,
    entete: &str,
    used: &mut Vec<String>,
    lignes_par_feuille: u32,
) -> Result<(), XlsxError> {
    // (level, perimeter, réservataire) → dwellings, by codes.
    let mut parts: crate::text::FastMap<(u8, u32, u32), u64> = Default::default();
    for c in cube.cases() {
        for (niveau, cle) in [(0u8, c.epci), (1, c.commune), (2, c.bailleur)] {
            *parts.entry((niveau, cle, c.reservataire)).or_default() += c.logements;
        }
    }
    let niveaux = ["EPCI", "Commune", "Bailleur"];
    let cles = [cube.epcis_tries(), cube.communes_triees(), cube.bailleurs_tries()];
    let nom = |niveau: u8, k: u32| match niveau {
        0 => noms.epcis[k as usize].clone(),
        1 => format!("{} ({})", noms.communes[k as usize], cles[1][k as usize]),
        _ => cles[2][k as usize].clone(),
    };
    // The perimeters of each level by name (then key): their rank; their stock.
    let mut rangs: [Vec<u32>; 3] = Default::default();
    let mut libelles: [Vec<String>; 3] = Default::default();
    let mut stocks: [Vec<u64>; 3] = Default::default();
    for niveau in 0..3u8 {
        let n = cles[niveau as usize].len();
        let l: Vec<String> = (0..n as u32).map(|k| nom(niveau, k)).collect();
        let mut ordre: Vec<u32> = (0..n as u32).collect();
        ordre.sort_by(|a, b| l[*a as usize].cmp(&l[*b as usize]).then(a.cmp(b)));
        let mut rang = vec![0u32; n];
        for (i, k) in ordre.into_iter().enumerate() {
            rang[k as usize] = i as u32;
        }
        rangs[niveau as usize] = rang;
        libelles[niveau as usize] = l;
        stocks[niveau as usize] = vec![0; n];
    }
    for ((niveau, cle, _), n) in &parts {
        stocks[*niveau as usize][*cle as usize] += n;
    }
    // The perimeters by level then name; in each, the réservataires by decreasing stock (then
    // id: codes compare as the ids).
    let mut lignes: Vec<(u8, u32, u32, u64)> = parts.into_iter().map(|((n, k, r), x)| (n, k, r, x)).collect();
    lignes.sort_unstable_by(|a, b| {
        (a.0, rangs[a.0 as usize][a.1 as usize])
            .cmp(&(b.0, rangs[b.0 as usize][b.1 as usize]))
            .then(b.3.cmp(&a.3))
            .then(a.2.cmp(&b.2))
    });
    let headers = ["Niveau", "Périmètre", "Réservataire", "Logements", "Stock du périmètre", "Part du stock"];
    let par_feuille = lignes_par_feuille.saturating_sub(3).max(1);
    let mut ws: Option<&mut Worksheet> = None;
    let mut r = 0u32;
    let mut feuille = 0;
    for (niveau, cle, res, n) in lignes {
        if ws.is_none() || r >= par_feuille + 2 {
            if let Some(w) = ws.take() {
                w.autofilter(2, 0, r.saturating_sub(1).max(3), 5)?;
            }
            feuille += 1;
            let name = if feuille == 1 {
                "Parts des réservataires".to_string()
            } else {
                format!("Parts des réservataires ({feuille})")
            };
            let w = add_sheet(wb, &name, used)?;
            w.write_string_with_format(
                0,
                0,
                format!("Part de chaque réservataire dans le stock, par EPCI, commune et bailleur — {entete}"),
                &s.titre,
            )?;
            for (j, h) in headers.iter().enumerate() {
                w.write_string_with_format(2, j as u16, *h, &s.entete)?;
            }
            for (j, l) in [10, 44, 40, 12, 19, 13].iter().enumerate() {
                w.set_column_width(j as u16, *l)?;
            }
            w.set_freeze_panes(3, 0)?;
            page_setup(w, entete, 2)?;
            r = 3;
            ws = Some(w);
        }
        let Some(w) = ws.as_deref_mut() else { continue };
        let total = stocks[niveau as usize][cle as usize];
        w.write_string_with_format(r, 0, niveaux[niveau as usize], &s.texte)?;
        w.write_string_with_format(r, 1, &libelles[niveau as usize][cle as usize], &s.texte)?;
        w.write_string_with_format(r, 2, &noms.reservataires[res as usize], &s.texte)?;
        w.write_number_with_format(r, 3, n as f64, &s.nombre)?;
        w.write_number_with_format(r, 4, total as f64, &s.nombre)?;
        w.write_number_with_format(r, 5, if total > 0 { n as f64 / total as f64 } else { 0.0 }, &s.pourcent)?;
        r += 1;
    }
    if let Some(w) = ws.take() {
        w.autofilter(2, 0, r.saturating_sub(1).max(3), 5)?;
    }
    Ok(())
}

/// An EPCI by its name and its SIREN (« CA de Sophia Antipolis (240600585) »).
fn nom_de_l_epci(siren: &str) -> String {
    let nom = nom_epci(siren);
    if nom == siren || siren.is_empty() { nom } else { format!("{nom} ({siren})") }
}

/// A conflict in words: its motif, and its values (réservataires by their names, communes by
/// theirs, dates the French way) — never an internal code.
fn conflit_en_clair(motif: &str, valeurs: &[String]) -> (String, String) {
    match motif {
        "reservataires_differents" => (
            "Réservataires différents pour le même logement".into(),
            valeurs.iter().map(|v| libelle_reservataire(v)).collect::<Vec<_>>().join(" / "),
        ),
        "valeurs_differentes" => (
            "Valeurs différentes pour le même logement (commune, typologie, financement, fin de convention)".into(),
            valeurs
                .iter()
                .map(|v| {
                    v.split(' ')
                        .map(|mot| {
                            if mot.len() == 5 && crate::reference::reference().commune(mot).is_some() {
                                format!("{} ({mot})", nom_commune(mot))
                            } else if crate::model::Date::parse_iso(mot).is_some() {
                                format!("fin le {}", crate::format::date_fr(mot))
                            } else {
                                mot.to_string()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
                .join(" / "),
        ),
        autre => (autre.replace('_', " "), valeurs.join(" / ")),
    }
}

#[cfg(test)]
mod tests {
    use super::conflit_en_clair;

    #[test]
    fn a_conflict_reads_in_words_with_names_and_french_dates() {
        let (m, v) = conflit_en_clair("reservataires_differents", &["departement:06".into(), "non-reserve".into()]);
        assert_eq!(m, "Réservataires différents pour le même logement");
        assert_eq!(v, "Département des Alpes-Maritimes / Non réservé");
        let (_, v) =
            conflit_en_clair("valeurs_differentes", &["06004 T3 PLUS 2030-12-31".into(), "06155 T3 PLUS".into()]);
        assert_eq!(v, "Antibes (06004) T3 PLUS fin le 31/12/2030 / Vallauris (06155) T3 PLUS");
    }
}

#[cfg(test)]
mod annulation {
    use super::*;

    /// A progress whose user pressed « Annuler » after `apres` steps.
    struct Annule {
        apres: std::cell::Cell<u32>,
    }

    impl crate::model::Progress for Annule {
        fn update(&self, _: f32, _: &str) {}
        fn annule(&self) -> bool {
            let n = self.apres.get();
            self.apres.set(n.saturating_sub(1));
            n == 0
        }
    }

    #[test]
    fn a_cancelled_export_writes_nothing() {
        let dir = std::env::temp_dir().join(format!("contingents-edl-annule-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let dossier = dir.join("demo.contingents");
        crate::demo::construire_dossier(&dossier).unwrap();
        let d = Dossier::open_read_only(&dossier).unwrap();
        for apres in [0, 3, 12] {
            let out = dir.join("EDL.xlsx");
            let r = export(&d, &out, &Annule { apres: std::cell::Cell::new(apres) });
            assert!(matches!(r, Err(ExportError::Annule)), "{r:?}");
            let left: Vec<String> = std::fs::read_dir(&dir)
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| !n.starts_with("demo.contingents"))
                .collect();
            assert!(left.is_empty(), "left behind: {left:?}");
        }
        // Not cancelled: written, dated the French way.
        let out = dir.join("EDL.xlsx");
        export(&d, &out, &crate::model::Silent).unwrap();
        assert!(out.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
