//! The annex of a reservation convention: for one réservataire on one commune or EPCI
//! (optionally one bailleur), the parc, the dwellings excluded from the assiette, those in
//! the flux, the réservataire's stock and share, its grid, and its yearly flux when the
//! bailleur's flux parameters are in the dossier. Written as xlsx or PDF.

use super::{ExportError, pdf::Pdf, save_workbook};
use crate::consolidate::{Cube, Filtre, Grille, libelle_reservataire, nom_commune, nom_epci};
use crate::flux::{Flux, calculer, exclusion, groupes_perimetre, parametres};
use crate::format::entier;
use crate::model::TypologieGrille;
use crate::reference::reference;
use crate::store::Dossier;
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};
use std::collections::BTreeMap;
use std::path::Path;

/// Everything the annex says, computed once for both formats.
pub struct Annexe {
    pub reservataire: String,
    pub perimetre: String,
    pub bailleur: Option<String>,
    pub date_reference: String,
    pub parc: u64,
    pub exclusions: BTreeMap<String, u64>,
    pub exclus: u64,
    pub assiette: u64,
    pub stock: u64,
    pub grille: Grille,
    pub flux: Option<Flux>,
}

impl Annexe {
    /// « 246 logements implantés, 34 exclus de l'assiette, 212 concernés par la gestion en
    /// flux ; 32 logements réservés par la commune, soit 15 % ».
    pub fn phrase(&self, commune: Option<&str>) -> String {
        let par = match (commune, self.reservataire.strip_prefix("commune:")) {
            (Some(c), Some(r)) if c == r => "la commune".to_string(),
            _ => libelle_reservataire(&self.reservataire),
        };
        let pct = if self.assiette > 0 { (self.stock as f64 * 100.0 / self.assiette as f64).round() as u64 } else { 0 };
        format!(
            "{} logements implantés, {} exclus de l'assiette, {} concernés par la gestion en flux ; {} logements réservés par {par}, soit {pct} %",
            entier(self.parc),
            entier(self.exclus),
            entier(self.assiette),
            entier(self.stock)
        )
    }
}

pub fn calculer_annexe(
    d: &Dossier,
    reservataire: &str,
    commune: Option<&str>,
    epci: Option<&str>,
    bailleur: Option<&str>,
) -> Result<Annexe, ExportError> {
    let perimetre = match (commune, epci) {
        (Some(c), _) => format!("commune de {} ({c})", nom_commune(c)),
        (_, Some(e)) => nom_epci(e),
        _ => return Err(ExportError::Donnees("précisez --commune INSEE ou --epci SIREN".into())),
    };
    let groupes = groupes_perimetre(d, bailleur, commune, epci)?;
    if groupes.is_empty() {
        return Err(ExportError::Donnees(format!("aucun logement sur le périmètre « {perimetre} »")));
    }
    let parc = groupes.iter().map(|g| g.logements).sum();
    let mut exclusions = BTreeMap::new();
    for g in &groupes {
        if let Some(e) = exclusion(g) {
            *exclusions.entry(e.to_string()).or_default() += g.logements;
        }
    }
    let exclus: u64 = exclusions.values().sum();
    let stock =
        groupes.iter().filter(|g| g.reservataire == reservataire && exclusion(g).is_none()).map(|g| g.logements).sum();
    let cube = Cube::load(d)?;
    let f = Filtre {
        reservataire: Some(reservataire.into()),
        commune: commune.map(str::to_string),
        epci: epci.map(str::to_string),
        bailleur: bailleur.map(str::to_string),
        ..Default::default()
    };
    let annee = d.date_reference().year;
    let flux = match bailleur {
        Some(b) => {
            let epci = epci
                .map(str::to_string)
                .or_else(|| commune.and_then(|c| reference().commune(c)).and_then(|c| c.epci.map(str::to_string)));
            match epci {
                Some(e) => {
                    let p = parametres(d, b, &e, annee)?;
                    let g = crate::flux::groupes(d, b, &e)?;
                    (p != Default::default()).then(|| calculer(b, &e, annee, &g, &p))
                }
                None => None,
            }
        }
        None => None,
    };
    Ok(Annexe {
        reservataire: reservataire.into(),
        perimetre,
        bailleur: bailleur.map(str::to_string),
        date_reference: d.date_reference().to_string(),
        parc,
        exclus,
        assiette: parc - exclus.min(parc),
        exclusions,
        stock,
        grille: cube.grille(&f),
        flux,
    })
}

fn grid_rows(g: &Grille) -> Vec<Vec<String>> {
    let mut rows = vec![
        std::iter::once("".to_string())
            .chain(TypologieGrille::ALL.iter().map(|t| t.as_str().to_string()))
            .chain(["TOTAL".into()])
            .collect(),
    ];
    for f in g.rows() {
        let mut r = vec![f.as_str().to_string()];
        r.extend(TypologieGrille::ALL.iter().map(|t| entier(g.get(f, *t))));
        r.push(entier(g.row_total(f)));
        rows.push(r);
    }
    let mut r = vec!["TOTAL".to_string()];
    r.extend(TypologieGrille::ALL.iter().map(|t| entier(g.column_total(*t))));
    r.push(entier(g.total()));
    rows.push(r);
    rows
}

fn lines(a: &Annexe) -> Vec<(String, String)> {
    let mut v = vec![
        ("Réservataire".into(), libelle_reservataire(&a.reservataire)),
        ("Périmètre".into(), a.perimetre.clone()),
        ("Bailleur".into(), a.bailleur.clone().unwrap_or_else(|| "tous les bailleurs".into())),
        ("Date de référence".into(), a.date_reference.clone()),
        ("Parc locatif social".into(), entier(a.parc)),
    ];
    for (m, n) in &a.exclusions {
        v.push((format!("Exclus de l'assiette : {m}"), entier(*n)));
    }
    v.push(("Logements exclus de l'assiette".into(), entier(a.exclus)));
    v.push(("Logements concernés par la gestion en flux".into(), entier(a.assiette)));
    v.push(("Logements réservés par le réservataire".into(), entier(a.stock)));
    v.push(("Part du réservataire".into(), crate::format::pourcent(a.stock, a.assiette)));
    if let Some(f) = &a.flux {
        let r = f.reservataires.iter().find(|r| r.id == a.reservataire);
        v.push((format!("Flux annuel {} du bailleur", f.annee), entier(f.flux)));
        v.push((
            "Logements annuels pour le réservataire".into(),
            r.map(|r| entier(r.logements)).unwrap_or_else(|| "0".into()),
        ));
    }
    v
}

pub fn export(
    d: &Dossier,
    reservataire: &str,
    commune: Option<&str>,
    epci: Option<&str>,
    bailleur: Option<&str>,
    out: &Path,
) -> Result<(), ExportError> {
    let a = calculer_annexe(d, reservataire, commune, epci, bailleur)?;
    let titre = format!("Annexe à la convention de réservation — {}", libelle_reservataire(reservataire));
    let phrase = a.phrase(commune);
    let ext = out.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "pdf" => {
            let mut p = Pdf::new(false);
            p.text(50.0, 60.0, 15.0, &titre);
            let mut y = p.paragraph(50.0, 90.0, 495.0, 11.0, &format!("{phrase}."));
            y += 10.0;
            let rows: Vec<Vec<String>> = std::iter::once(vec!["Rubrique".to_string(), "Valeur".to_string()])
                .chain(lines(&a).into_iter().map(|(k, v)| vec![k, v]))
                .collect();
            y = p.table(50.0, y, &[330.0, 165.0], &[false, true], &rows, 9.5) + 20.0;
            p.text(50.0, y, 11.0, "Stock du réservataire par financement et typologie");
            y = p.table(
                50.0,
                y + 8.0,
                &[75.0, 55.0, 55.0, 55.0, 55.0, 55.0, 55.0, 60.0],
                &[false, true, true, true, true, true, true, true],
                &grid_rows(&a.grille),
                9.5,
            ) + 20.0;
            if let Some(f) = &a.flux
                && let Some(cells) = f.flux_qualifie.get(&a.reservataire)
            {
                p.text(50.0, y, 11.0, &format!("Flux qualifié {} (financement × typologie × QPV)", f.annee));
                let rows: Vec<Vec<String>> =
                    std::iter::once(vec!["Financement".into(), "Typologie".into(), "QPV".into(), "Logements".into()])
                        .chain(cells.iter().map(|c| {
                            vec![
                                c.financement.to_string(),
                                c.typologie.to_string(),
                                if c.qpv { "QPV".into() } else { "hors QPV".into() },
                                entier(c.logements),
                            ]
                        }))
                        .collect();
                p.table(50.0, y + 8.0, &[120.0, 100.0, 100.0, 100.0], &[false, false, false, true], &rows, 9.5);
            }
            p.save(out)
        }
        "xlsx" => {
            let e = |x: rust_xlsxwriter::XlsxError| ExportError::Donnees(x.to_string());
            let mut wb = Workbook::new();
            let ws = wb.add_worksheet();
            ws.set_name("Annexe").map_err(e)?;
            let bold = Format::new().set_bold().set_font_size(13);
            let head =
                Format::new().set_bold().set_background_color(Color::RGB(0xD9E1F2)).set_border(FormatBorder::Thin);
            let cell = Format::new().set_border(FormatBorder::Thin);
            let num = Format::new().set_border(FormatBorder::Thin).set_num_format("# ##0");
            ws.write_string_with_format(0, 0, &titre, &bold).map_err(e)?;
            ws.write_string(1, 0, format!("{phrase}.")).map_err(e)?;
            let mut r = 3;
            for (k, v) in lines(&a) {
                ws.write_string_with_format(r, 0, &k, &cell).map_err(e)?;
                match v.replace('\u{202f}', "").parse::<f64>() {
                    Ok(n) => ws.write_number_with_format(r, 1, n, &num),
                    Err(_) => ws.write_string_with_format(r, 1, &v, &cell),
                }
                .map_err(e)?;
                r += 1;
            }
            r += 1;
            for (i, row) in grid_rows(&a.grille).iter().enumerate() {
                for (j, v) in row.iter().enumerate() {
                    let c = j as u16;
                    if i == 0 || j == 0 {
                        ws.write_string_with_format(r, c, v, &head).map_err(e)?;
                    } else {
                        ws.write_number_with_format(
                            r,
                            c,
                            v.replace('\u{202f}', "").parse::<f64>().unwrap_or(0.0),
                            &num,
                        )
                        .map_err(e)?;
                    }
                }
                r += 1;
            }
            if let Some(f) = &a.flux
                && let Some(cells) = f.flux_qualifie.get(&a.reservataire)
            {
                r += 1;
                ws.write_string_with_format(
                    r,
                    0,
                    format!("Flux qualifié {} (financement × typologie × QPV)", f.annee),
                    &bold,
                )
                .map_err(e)?;
                r += 1;
                for (j, h) in ["Financement", "Typologie", "QPV", "Logements"].iter().enumerate() {
                    ws.write_string_with_format(r, j as u16, *h, &head).map_err(e)?;
                }
                for c in cells {
                    r += 1;
                    ws.write_string_with_format(r, 0, c.financement.as_str(), &cell).map_err(e)?;
                    ws.write_string_with_format(r, 1, c.typologie.as_str(), &cell).map_err(e)?;
                    ws.write_string_with_format(r, 2, if c.qpv { "QPV" } else { "hors QPV" }, &cell).map_err(e)?;
                    ws.write_number_with_format(r, 3, c.logements as f64, &num).map_err(e)?;
                }
            }
            ws.set_column_width(0, 48).map_err(e)?;
            ws.set_column_width(1, 22).map_err(e)?;
            ws.set_landscape();
            ws.set_paper_size(9);
            ws.set_print_fit_to_pages(1, 0);
            save_workbook(&mut wb, out)
        }
        _ => Err(ExportError::Donnees(format!("format « {ext} » inconnu : utilisez .xlsx ou .pdf"))),
    }
}
