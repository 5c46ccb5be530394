//! The annex of a reservation convention between one bailleur and one réservataire, on one
//! commune or EPCI: the parc, the dwellings excluded from the assiette, those in the flux, the
//! réservataire's stock, its rate on its perimeter and its logements for year N, its grid and
//! its flux qualifié (indicative). Every figure of the flux comes from the flux engine with the
//! parameters saved in the dossier, manual exclusions included: the annex says what the flux
//! screen and `contingents flux` say. Written as xlsx or PDF.

use super::{ExportError, pdf::Pdf, save_workbook};
use crate::consolidate::{Cube, Filtre, Grille, libelle_reservataire, nom_commune, nom_epci};
use crate::flux::{Flux, FluxParametres, PartReservataire, Perimetre, groupes, groupes_perimetre, parametres};
use crate::format::{commune_de, entier, pourcentage};
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
    pub commune: Option<String>,
    pub bailleur: String,
    pub date_reference: String,
    pub annee: i32,
    pub parc: u64,
    pub exclusions: BTreeMap<String, u64>,
    pub exclus: u64,
    pub assiette: u64,
    /// The réservataire's stock inside the assiette of the annex's perimeter.
    pub stock: u64,
    pub grille: Grille,
    pub flux: Flux,
    pub parametres: FluxParametres,
    /// The réservataire's part of the flux (rate on its own perimeter, logements on the EPCI).
    pub part: Option<PartReservataire>,
    /// Its logements on the annex's perimeter (the commune's breakdown for a commune).
    pub logements: u64,
    /// The flux of the annex's perimeter.
    pub flux_perimetre: u64,
}

impl Annexe {
    /// « 246 logements implantés, 34 exclus de l'assiette, 212 concernés par la gestion en
    /// flux ; 32 logements réservés par la commune, soit 15,1 % ».
    pub fn phrase(&self) -> String {
        let par = match (&self.commune, self.reservataire.strip_prefix("commune:")) {
            (Some(c), Some(r)) if c == r => "la commune".to_string(),
            _ => libelle_reservataire(&self.reservataire),
        };
        let pct = if self.assiette > 0 { pourcentage(self.stock as f64 / self.assiette as f64) } else { "–".into() };
        format!(
            "{} logements implantés, {} exclus de l'assiette, {} concernés par la gestion en flux ; {} logements réservés par {par}, soit {pct}",
            entier(self.parc),
            entier(self.exclus),
            entier(self.assiette),
            entier(self.stock)
        )
    }

    /// How the réservataire's rate was set, in words for the signatories.
    pub fn origine_du_taux(&self) -> String {
        let Some(p) = &self.part else { return "aucune part dans le flux".into() };
        match (p.id.as_str(), p.origine) {
            ("etat", "defaut") => {
                "30 % du flux par défaut, fonctionnaires compris (instruction du 28 mars 2022 §4.2)".into()
            }
            ("etat-fonctionnaires", "defaut") => {
                "part du stock des agents de l'État dans l'assiette, au plus 5 % (en l'absence de demande de l'État)"
                    .into()
            }
            ("etat", _) => format!("{} du flux, fixé par les parties", pourcentage(p.taux)),
            (_, "fixe") => format!("{} fixé par les parties", pourcentage(p.taux)),
            _ => format!(
                "stock réservé dans l'assiette ({}) / assiette de son périmètre ({})",
                entier(p.stock),
                entier(p.assiette)
            ),
        }
    }
}

/// The bailleur of the annex: the one given, else the only one on the perimeter.
fn bailleur_du_perimetre(
    cube: &Cube,
    bailleur: Option<&str>,
    commune: Option<&str>,
    epci: Option<&str>,
) -> Result<String, ExportError> {
    if let Some(b) = bailleur {
        return Ok(b.to_string());
    }
    let f = Filtre { commune: commune.map(str::to_string), epci: epci.map(str::to_string), ..Default::default() };
    let mut noms: Vec<String> = cube
        .counts_by(&f, None, crate::consolidate::Dimension::Bailleur)
        .into_iter()
        .map(|(b, _)| b.to_string())
        .collect();
    noms.sort();
    match noms.len() {
        1 => Ok(noms.remove(0)),
        0 => Err(ExportError::Donnees("aucun logement sur ce périmètre dans le dossier".into())),
        _ => Err(ExportError::Donnees(format!(
            "une convention lie un bailleur et un réservataire : précisez le bailleur (sur ce périmètre : {})",
            noms.join(", ")
        ))),
    }
}

pub fn calculer_annexe(
    d: &Dossier,
    reservataire: &str,
    commune: Option<&str>,
    epci: Option<&str>,
    bailleur: Option<&str>,
    annee: Option<i32>,
) -> Result<Annexe, ExportError> {
    let epci_flux = match (commune, epci) {
        (Some(c), _) => reference()
            .commune(c)
            .and_then(|c| c.epci)
            .map(str::to_string)
            .ok_or_else(|| ExportError::Donnees(format!("commune {c} inconnue ou sans EPCI")))?,
        (_, Some(e)) => e.to_string(),
        _ => return Err(ExportError::Donnees("précisez la commune (code INSEE) ou l'EPCI (SIREN)".into())),
    };
    let perimetre = match commune {
        Some(c) => format!("{} ({c})", commune_de(&nom_commune(c))),
        None => nom_epci(&epci_flux),
    };
    // The stock read once: the bailleurs of the perimeter, then the réservataire's grid.
    let cube = Cube::load(d)?;
    let bailleur = bailleur_du_perimetre(&cube, bailleur, commune, epci)?;
    let annee = annee.unwrap_or(d.date_reference().year);
    let g = groupes(d, &bailleur, &epci_flux)?;
    if g.is_empty() || (commune.is_some() && !g.iter().any(|x| Some(x.commune.as_str()) == commune)) {
        return Err(ExportError::Donnees(format!("aucun logement de « {bailleur} » sur le périmètre « {perimetre} »")));
    }
    let p = parametres(d, &bailleur, &epci_flux, annee)?;
    let flux = crate::flux::calculer(&bailleur, &epci_flux, annee, &g, &p);
    let part = flux.part(reservataire).cloned();
    let (parc, exclus, exclusions, assiette, flux_perimetre, logements) = match commune {
        Some(c) => {
            let fc = flux.communes.iter().find(|x| x.commune == c).expect("commune with dwellings");
            let l = fc.reservataires.iter().find(|r| r.id == reservataire).map(|r| r.logements).unwrap_or(0);
            (fc.parc, fc.exclus, fc.exclusions.clone(), fc.assiette, fc.flux, l)
        }
        None => (
            flux.parc,
            flux.exclus,
            flux.exclusions.clone(),
            flux.assiette,
            flux.flux,
            part.as_ref().map(|r| r.logements).unwrap_or(0),
        ),
    };
    // The stock inside the assiette of the annex's perimeter (manual exclusions included).
    let stock = match (&part, commune) {
        (Some(r), Some(c)) if r.perimetre == Perimetre::Commune(c.to_string()) => r.stock,
        (Some(r), None) if r.perimetre == Perimetre::Epci(epci_flux.clone()) => r.stock,
        _ => groupes_perimetre(d, Some(&bailleur), commune, Some(&epci_flux))?
            .iter()
            .filter(|x| x.reservataire == reservataire && crate::flux::exclusion(x).is_none())
            .map(|x| x.logements)
            .sum(),
    };
    let f = Filtre {
        reservataire: Some(reservataire.into()),
        commune: commune.map(str::to_string),
        epci: Some(epci_flux.clone()),
        bailleur: Some(bailleur.clone()),
        ..Default::default()
    };
    Ok(Annexe {
        reservataire: reservataire.into(),
        perimetre,
        commune: commune.map(str::to_string),
        bailleur,
        date_reference: d.date_reference().to_string(),
        annee,
        parc,
        exclusions,
        exclus,
        assiette,
        stock,
        grille: cube.grille(&f),
        flux,
        parametres: p,
        part,
        logements,
        flux_perimetre,
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

/// A value of the annex: numbers stay numbers, rates stay rates.
enum V {
    N(u64),
    P(f64),
    T(String),
}

impl V {
    fn text(&self) -> String {
        match self {
            V::N(n) => entier(*n),
            V::P(x) => pourcentage(*x),
            V::T(s) => s.clone(),
        }
    }
}

fn lines(a: &Annexe) -> Vec<(String, V)> {
    let mut v = vec![
        ("Réservataire".into(), V::T(libelle_reservataire(&a.reservataire))),
        ("Bailleur".into(), V::T(a.bailleur.clone())),
        ("Périmètre".into(), V::T(a.perimetre.clone())),
        ("Date de référence de l'état des lieux".into(), V::T(crate::format::date_fr(&a.date_reference))),
        ("Année du flux".into(), V::T(a.annee.to_string())),
        ("Parc locatif social".into(), V::N(a.parc)),
    ];
    for (m, n) in &a.exclusions {
        v.push((format!("  dont exclus : {m}"), V::N(*n)));
    }
    v.push(("Logements exclus de l'assiette".into(), V::N(a.exclus)));
    v.push(("Logements concernés par la gestion en flux (assiette)".into(), V::N(a.assiette)));
    v.push(("Logements réservés par le réservataire dans l'assiette".into(), V::N(a.stock)));
    v.push((
        "Part du réservataire dans l'assiette".into(),
        V::P(if a.assiette > 0 { a.stock as f64 / a.assiette as f64 } else { 0.0 }),
    ));
    let saisis = a.parametres.saisis();
    if let Some(p) = &a.part {
        v.push(("Périmètre du taux".into(), V::T(p.perimetre.libelle())));
        v.push(("Taux de la convention".into(), V::P(p.taux)));
        v.push(("Origine du taux".into(), V::T(a.origine_du_taux())));
        if let Some(t) = p.taux_reduit {
            v.push(("Taux appliqué après réduction au prorata (parts au-delà de 100 %)".into(), V::P(t)));
        }
        if p.apport {
            v.push((
                "Réservation en contrepartie d'un apport de terrain ou de financement".into(),
                V::T("oui : hors du plafond de 20 % des collectivités".into()),
            ));
        }
    }
    if saisis {
        v.push((format!("Flux annuel {} du bailleur sur l'EPCI", a.annee), V::N(a.flux.flux)));
        if a.commune.is_some() {
            v.push((format!("Flux annuel {} dans la commune", a.annee), V::N(a.flux_perimetre)));
        }
        v.push((format!("Logements du réservataire en {} sur ce périmètre", a.annee), V::N(a.logements)));
        if let Some(y) = a.parametres.annee_source {
            v.push(("Paramètres du flux".into(), V::T(format!("repris de {y} : à confirmer avant signature"))));
        }
    } else {
        v.push((
            format!("Flux annuel {}", a.annee),
            V::T("paramètres du flux non enregistrés pour cette année : à saisir avant signature".into()),
        ));
    }
    v.push((
        "Modalités de décompte".into(),
        V::T(
            "un logement est décompté au bail signé, chaque libération une seule fois, réorientations comprises".into(),
        ),
    ));
    v
}

/// The flux qualifié rows, or none when the parameters are not saved.
fn qualifie(a: &Annexe) -> Option<&Vec<crate::flux::CelluleQualifiee>> {
    a.parametres.saisis().then(|| a.flux.flux_qualifie.get(&a.reservataire)).flatten().filter(|c| !c.is_empty())
}

pub fn export(
    d: &Dossier,
    reservataire: &str,
    commune: Option<&str>,
    epci: Option<&str>,
    bailleur: Option<&str>,
    annee: Option<i32>,
    out: &Path,
) -> Result<(), ExportError> {
    let a = calculer_annexe(d, reservataire, commune, epci, bailleur, annee)?;
    let titre = format!("Annexe à la convention de réservation — {}", libelle_reservataire(reservataire));
    let phrase = a.phrase();
    let ext = out.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "pdf" => {
            let mut p = Pdf::new(false);
            p.text(50.0, 60.0, 15.0, &titre);
            let mut y = p.paragraph(50.0, 90.0, 495.0, 11.0, &format!("{phrase}."));
            y += 10.0;
            // Long texts (origin of the rate, counting rules) under the table, as paragraphs.
            let (courts, longs): (Vec<_>, Vec<_>) =
                lines(&a).into_iter().map(|(k, v)| (k, v.text())).partition(|(_, v)| p.text_width(v, 9.5) < 155.0);
            let rows: Vec<Vec<String>> = std::iter::once(vec!["Rubrique".to_string(), "Valeur".to_string()])
                .chain(courts.into_iter().map(|(k, v)| vec![k, v]))
                .collect();
            y = p.table(50.0, y, &[330.0, 165.0], &[false, true], &rows, 9.5) + 14.0;
            for (k, v) in longs {
                y = p.paragraph(50.0, y, 495.0, 9.5, &format!("{k} : {v}.")) + 4.0;
            }
            y += 10.0;
            p.text(50.0, y, 11.0, "Stock du réservataire par financement et typologie");
            y = p.table(
                50.0,
                y + 8.0,
                &[75.0, 55.0, 55.0, 55.0, 55.0, 55.0, 55.0, 60.0],
                &[false, true, true, true, true, true, true, true],
                &grid_rows(&a.grille),
                9.5,
            ) + 20.0;
            if let Some(cells) = qualifie(&a) {
                if y > 700.0 {
                    p.new_page();
                    y = 60.0;
                }
                p.text(
                    50.0,
                    y,
                    11.0,
                    &format!("Flux qualifié {} — indicatif (financement × typologie × QPV)", a.annee),
                );
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
            let pct = Format::new().set_border(FormatBorder::Thin).set_num_format("0.0%");
            let mut r = 3;
            for (k, v) in lines(&a) {
                ws.write_string_with_format(r, 0, &k, &cell).map_err(e)?;
                match v {
                    V::N(n) => ws.write_number_with_format(r, 1, n as f64, &num),
                    V::P(x) => ws.write_number_with_format(r, 1, x, &pct),
                    V::T(s) => ws.write_string_with_format(r, 1, &s, &cell),
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
            if let Some(cells) = qualifie(&a) {
                r += 1;
                ws.write_string_with_format(
                    r,
                    0,
                    format!("Flux qualifié {} — indicatif (financement × typologie × QPV)", a.annee),
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
