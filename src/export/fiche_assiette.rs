//! The fiche récapitulative du calcul de l'assiette (DDETS 06 form), per bailleur: one
//! column per EPCI on which the bailleur has dwellings.

use super::{ExportError, save_workbook};
use crate::consolidate::nom_epci;
use crate::flux::{Flux, FluxParametres, calculer, groupes_par_epci, parametres};
use crate::store::Dossier;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
use std::path::Path;

/// The EPCIs on which a bailleur has active dwellings.
pub fn epcis_du_bailleur(d: &Dossier, bailleur: &str) -> Result<Vec<String>, ExportError> {
    let mut st = d
        .conn
        .prepare(
            "SELECT DISTINCT l.epci FROM import_bailleurs b CROSS JOIN logements l ON b.import_id = l.import_id
             AND b.bailleur = l.bailleur WHERE b.actif = 1 AND b.bailleur = ?1 AND l.bailleur = ?1 ORDER BY 1",
        )
        .map_err(crate::store::StoreError::from)?;
    let rows = st.query_map([bailleur], |r| r.get::<_, String>(0)).map_err(crate::store::StoreError::from)?;
    Ok(rows.collect::<Result<_, _>>().map_err(crate::store::StoreError::from)?)
}

/// Computes the flux of each EPCI of the bailleur with its saved parameters.
pub fn calculs(d: &Dossier, bailleur: &str, annee: i32) -> Result<Vec<(Flux, FluxParametres)>, ExportError> {
    let par_epci = groupes_par_epci(d, bailleur)?;
    if par_epci.is_empty() {
        return Err(ExportError::Donnees(format!("aucun logement du bailleur « {bailleur} » dans le dossier")));
    }
    let mut out = Vec::new();
    for (e, g) in par_epci {
        let p = parametres(d, bailleur, &e, annee)?;
        out.push((calculer(bailleur, &e, annee, &g, &p), p));
    }
    Ok(out)
}

/// The rows of the form: (label, value per EPCI). Numbers stay numbers in the workbook.
pub enum Valeur {
    Nombre(f64),
    Texte(String),
    Pourcent(f64),
}

pub fn lignes(calculs: &[(Flux, FluxParametres)]) -> Vec<(String, Vec<Valeur>)> {
    let mut motifs_exclusion: Vec<String> = calculs.iter().flat_map(|(f, _)| f.exclusions.keys().cloned()).collect();
    motifs_exclusion.sort();
    motifs_exclusion.dedup();
    let mut motifs_soustraits: Vec<String> = calculs.iter().flat_map(|(f, _)| f.soustraits.keys().cloned()).collect();
    motifs_soustraits.sort();
    motifs_soustraits.dedup();
    let col = |g: &dyn Fn(&Flux, &FluxParametres) -> Valeur| calculs.iter().map(|(f, p)| g(f, p)).collect::<Vec<_>>();
    let n = |x: u64| Valeur::Nombre(x as f64);
    let mut rows: Vec<(String, Vec<Valeur>)> = vec![
        ("EPCI".into(), col(&|f, _| Valeur::Texte(nom_epci(&f.epci)))),
        ("SIREN de l'EPCI".into(), col(&|f, _| Valeur::Texte(f.epci.clone()))),
        ("Contact chez le bailleur".into(), col(&|_, p| Valeur::Texte(p.contact.clone()))),
        ("Parc locatif social (logements au 1er janvier)".into(), col(&|f, _| n(f.parc))),
    ];
    for m in &motifs_exclusion {
        rows.push((format!("Exclus de l'assiette : {m}"), col(&|f, _| n(f.exclusions.get(m).copied().unwrap_or(0)))));
    }
    rows.push(("Total exclus de l'assiette".into(), col(&|f, _| n(f.exclus))));
    rows.push((
        "Mises en service de l'année (dans l'assiette l'an prochain)".into(),
        col(&|_, p| n(p.mises_en_service)),
    ));
    rows.push(("Assiette à répartir".into(), col(&|f, _| n(f.assiette))));
    rows.push(("Taux de rotation".into(), col(&|f, _| Valeur::Pourcent(f.taux_rotation))));
    rows.push(("Libérations prévisionnelles".into(), col(&|f, _| n(f.liberations))));
    for m in &motifs_soustraits {
        rows.push((format!("Soustraits du flux : {m}"), col(&|f, _| n(f.soustraits.get(m).copied().unwrap_or(0)))));
    }
    rows.push(("Flux annuel à répartir".into(), col(&|f, _| n(f.flux))));
    rows.push(("Logements spécifiques : PMR".into(), col(&|_, p| n(p.logements_pmr))));
    rows.push(("Logements spécifiques : PLAI adaptés".into(), col(&|_, p| n(p.plai_adaptes))));
    rows.push(("Commentaires".into(), col(&|_, p| Valeur::Texte(p.commentaires.clone()))));
    rows
}

pub fn export(d: &Dossier, bailleur: &str, annee: i32, out: &Path) -> Result<(), ExportError> {
    let calculs = calculs(d, bailleur, annee)?;
    let rows = lignes(&calculs);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Calcul de l'assiette").map_err(|e| ExportError::Donnees(e.to_string()))?;
    let titre = Format::new().set_bold().set_font_size(14);
    let entete = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let libelle = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let nombre = Format::new().set_border(FormatBorder::Thin).set_num_format("# ##0");
    let pourcent = Format::new().set_border(FormatBorder::Thin).set_num_format("0.00%");
    let texte = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let e = |x: rust_xlsxwriter::XlsxError| ExportError::Donnees(x.to_string());
    ws.write_string_with_format(0, 0, format!("Fiche récapitulative du calcul de l'assiette — {annee}"), &titre)
        .map_err(e)?;
    ws.write_string(1, 0, format!("Bailleur : {bailleur}")).map_err(e)?;
    ws.write_string(2, 0, format!("Date de référence du dossier : {}", d.date_reference())).map_err(e)?;
    ws.write_string_with_format(4, 0, "Rubrique", &entete).map_err(e)?;
    for (j, (f, _)) in calculs.iter().enumerate() {
        ws.write_string_with_format(4, 1 + j as u16, nom_epci(&f.epci), &entete).map_err(e)?;
    }
    for (i, (label, vals)) in rows.iter().enumerate() {
        let r = 5 + i as u32;
        ws.write_string_with_format(r, 0, label, &libelle).map_err(e)?;
        for (j, v) in vals.iter().enumerate() {
            let c = 1 + j as u16;
            match v {
                Valeur::Nombre(x) => ws.write_number_with_format(r, c, *x, &nombre),
                Valeur::Pourcent(x) => ws.write_number_with_format(r, c, *x, &pourcent),
                Valeur::Texte(s) => ws.write_string_with_format(r, c, s, &texte),
            }
            .map_err(e)?;
        }
    }
    ws.set_column_width(0, 58).map_err(e)?;
    for j in 0..calculs.len() {
        ws.set_column_width(1 + j as u16, 30).map_err(e)?;
    }
    ws.set_freeze_panes(5, 1).map_err(e)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    save_workbook(&mut wb, out)
}
