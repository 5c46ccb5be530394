//! The fiche navette: the form a bailleur sends a réservataire when a dwelling is made
//! available. Blank (protected layout, drop-down lists, reply deadline computed from the
//! notice date) or pre-filled with everything the dossier knows of one dwelling.

use super::{ExportError, pdf::Pdf, save_workbook};
use crate::consolidate::{libelle_reservataire, nom_commune, nom_epci};
use crate::model::{IndividuelCollectif, Reservataire};
use crate::store::Dossier;
use rust_xlsxwriter::{Color, DataValidation, Format, FormatBorder, Formula, Workbook};
use std::collections::BTreeMap;
use std::path::Path;

/// The form's fields, in order: (key, label, drop-down list name if any).
pub const CHAMPS: &[(&str, &str, Option<&str>)] = &[
    ("reservataire", "Réservataire", Some("reservataires")),
    ("bailleur", "Bailleur", None),
    ("contact", "Contact chez le bailleur (nom, téléphone, courriel)", None),
    ("reference", "Référence du logement", None),
    ("date_preavis", "Date de réception du préavis (JJ/MM/AAAA)", None),
    ("preavis", "Préavis du locataire", Some("preavis")),
    ("date_disponibilite", "Date de disponibilité du logement", None),
    ("date_reponse", "Réponse attendue au plus tard le", None),
    ("adresse", "Adresse", None),
    ("commune", "Commune", None),
    ("epci", "EPCI", None),
    ("qpv", "Quartier prioritaire (QPV)", Some("oui_non")),
    ("residence", "Résidence", None),
    ("etage", "Étage", None),
    ("ascenseur", "Ascenseur", Some("oui_non")),
    ("individuel_collectif", "Individuel / collectif", Some("individuel_collectif")),
    ("typologie", "Typologie", Some("typologies")),
    ("surface", "Surface habitable (m²)", None),
    ("financement", "Financement", Some("financements")),
    ("loyer", "Loyer hors charges (€)", None),
    ("charges", "Charges (€)", None),
    ("annexes", "Annexes (parking, cave…)", None),
    ("chauffage", "Chauffage et eau chaude", None),
    ("accessibilite", "Accessibilité / adaptation (PMR)", None),
    ("annee_construction", "Date de construction", None),
    ("services", "Services et équipements à proximité", None),
    ("commentaires", "Commentaires", None),
];

fn lists(reservataires: &[String]) -> BTreeMap<&'static str, Vec<String>> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    BTreeMap::from([
        ("reservataires", reservataires.to_vec()),
        ("preavis", s(&["1 mois", "3 mois"])),
        ("oui_non", s(&["Oui", "Non"])),
        ("individuel_collectif", s(&["Individuel", "Collectif"])),
        ("typologies", s(&["Chambre", "Studio", "T1", "T1bis", "T2", "T3", "T4", "T5", "T6", "T7"])),
        ("financements", s(&["PLAI", "PLUS", "PLS", "PLI", "Autre"])),
    ])
}

/// What the dossier knows of one dwelling, by field key.
pub fn valeurs(
    d: &Dossier,
    bailleur: &str,
    reference: &str,
    reservataire: &str,
) -> Result<BTreeMap<String, String>, ExportError> {
    let l = d.logement_actif(bailleur, reference)?.ok_or_else(|| {
        ExportError::Donnees(format!("logement « {bailleur}:{reference} » introuvable dans le dossier"))
    })?;
    let mut v = BTreeMap::new();
    let mut put = |k: &str, s: String| {
        if !s.is_empty() {
            v.insert(k.to_string(), s);
        }
    };
    put("reservataire", libelle_reservataire(reservataire));
    put("bailleur", bailleur.to_string());
    put("reference", reference.to_string());
    put("commune", format!("{} ({})", nom_commune(&l.commune), l.commune));
    put("epci", nom_epci(&l.epci));
    put("qpv", if l.qpv { "Oui" } else { "Non" }.into());
    let ic = match l.individuel_collectif {
        IndividuelCollectif::Individuel => "Individuel",
        IndividuelCollectif::Collectif => "Collectif",
    };
    put("individuel_collectif", ic.into());
    put("typologie", l.typologie);
    put("financement", l.financement.as_str().to_string());
    put("annee_construction", l.annee_construction.map(|a| a.to_string()).unwrap_or_default());
    // Optional columns of the bailleur's file, from the raw row and its recorded mapping.
    for (key, value) in d.complements_du_logement(bailleur, reference)? {
        put(key, value);
    }
    Ok(v)
}

/// The form pre-filled for a mise à disposition: the dwelling, the réservataire, the notice,
/// the date of availability and the reply deadline (jours ouvrés, French holidays).
pub fn valeurs_mise_a_disposition(
    d: &Dossier,
    m: &crate::suivi::MiseADisposition,
) -> Result<BTreeMap<String, String>, ExportError> {
    let reservataire = m.reservataire.clone().unwrap_or_else(|| Reservataire::ETAT.into());
    let mut v = valeurs(d, &m.bailleur, &m.reference, &reservataire)?;
    let fr = |x: crate::model::Date| crate::format::date_fr(&x.to_string());
    let preavis = m.etapes.preavis.unwrap_or(1);
    v.insert("preavis".into(), format!("{preavis} mois"));
    if let Some(l) = m.etapes.date_liberation {
        v.insert("date_disponibilite".into(), fr(l));
    }
    if let Some(mad) = m.etapes.date_mise_a_disposition {
        v.insert("date_preavis".into(), fr(mad));
        // The convention's rule and days, the holidays of the dwelling's département.
        if let Some(e) = crate::suivi::echeance_de(d, m) {
            v.insert("date_reponse".into(), fr(e));
        }
    }
    Ok(v)
}

pub fn export(d: Option<&Dossier>, valeurs: &BTreeMap<String, String>, out: &Path) -> Result<(), ExportError> {
    let reservataires: Vec<String> = match d {
        Some(d) => {
            let cube = crate::consolidate::Cube::load(d)?;
            cube.reservataires()
                .iter()
                .filter(|r| **r != Reservataire::NON_RESERVE)
                .map(|r| libelle_reservataire(r))
                .collect()
        }
        None => [Reservataire::ETAT, Reservataire::FONCTIONNAIRES, Reservataire::ACTION_LOGEMENT]
            .iter()
            .map(|r| libelle_reservataire(r))
            .collect(),
    };
    let ext = out.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "xlsx" => xlsx(valeurs, &reservataires, out),
        "pdf" => pdf(valeurs, out),
        _ => Err(ExportError::Donnees(format!("format « {ext} » inconnu : utilisez .xlsx ou .pdf"))),
    }
}

fn xlsx(valeurs: &BTreeMap<String, String>, reservataires: &[String], out: &Path) -> Result<(), ExportError> {
    let e = |x: rust_xlsxwriter::XlsxError| ExportError::Donnees(x.to_string());
    let mut wb = Workbook::new();
    let listes = lists(reservataires);
    // Lists on a hidden sheet, referenced by the drop-downs (no 255-character limit).
    let mut ranges = BTreeMap::new();
    {
        let ls = wb.add_worksheet();
        ls.set_name("Listes").map_err(e)?;
        for (j, (name, values)) in listes.iter().enumerate() {
            ls.write_string(0, j as u16, *name).map_err(e)?;
            for (i, v) in values.iter().enumerate() {
                ls.write_string(1 + i as u32, j as u16, v).map_err(e)?;
            }
            let col = (b'A' + j as u8) as char;
            ranges.insert(*name, format!("=Listes!${col}$2:${col}${}", values.len().max(1) + 1));
        }
        ls.set_hidden(true);
    }
    let ws = wb.add_worksheet();
    ws.set_name("Fiche navette").map_err(e)?;
    ws.set_active(true);
    let titre = Format::new().set_bold().set_font_size(15);
    let label = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_text_wrap();
    let input = Format::new().set_unlocked().set_border(FormatBorder::Thin).set_text_wrap();
    let date = Format::new().set_unlocked().set_border(FormatBorder::Thin).set_num_format("dd/mm/yyyy");
    let computed = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("dd/mm/yyyy")
        .set_background_color(Color::RGB(0xF2F2F2));
    ws.write_string_with_format(0, 0, "Fiche navette — mise à disposition d'un logement", &titre).map_err(e)?;
    ws.write_string(
        1,
        0,
        "Réponse : 15 jours ouvrés pour un préavis d'un mois, un mois pour un préavis de trois mois.",
    )
    .map_err(e)?;
    let row_of = |key: &str| 3 + CHAMPS.iter().position(|(k, _, _)| *k == key).unwrap_or(0) as u32;
    for (key, lib, list) in CHAMPS {
        let r = row_of(key);
        ws.write_string_with_format(r, 0, *lib, &label).map_err(e)?;
        let v = valeurs.get(*key).cloned().unwrap_or_default();
        match *key {
            "date_preavis" | "date_disponibilite" => {
                ws.write_blank(r, 1, &date).map_err(e)?;
            }
            "date_reponse" => {
                let (p, d) = (row_of("preavis") + 1, row_of("date_preavis") + 1);
                let f = format!("=IF(B{d}=\"\",\"\",IF(B{p}=\"1 mois\",WORKDAY(B{d},15),EDATE(B{d},1)))");
                // Cached result empty: applications that do not recalculate on opening show nothing.
                ws.write_formula_with_format(r, 1, Formula::new(f).set_result(" "), &computed).map_err(e)?;
            }
            "surface" | "loyer" | "etage" | "annee_construction" if v.replace(',', ".").parse::<f64>().is_ok() => {
                ws.write_number_with_format(r, 1, v.replace(',', ".").parse::<f64>().unwrap_or(0.0), &input)
                    .map_err(e)?;
            }
            _ => {
                ws.write_string_with_format(r, 1, &v, &input).map_err(e)?;
            }
        }
        if let Some(list) = list {
            let dv = DataValidation::new().allow_list_formula(Formula::new(ranges[list].clone()));
            ws.add_data_validation(r, 1, r, 1, &dv).map_err(e)?;
        }
    }
    ws.set_column_width(0, 46).map_err(e)?;
    ws.set_column_width(1, 60).map_err(e)?;
    ws.protect();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 1);
    save_workbook(&mut wb, out)
}

fn pdf(valeurs: &BTreeMap<String, String>, out: &Path) -> Result<(), ExportError> {
    let mut p = Pdf::new(false);
    p.text(50.0, 55.0, 15.0, "Fiche navette — mise à disposition d'un logement");
    p.text(
        50.0,
        75.0,
        9.0,
        "Réponse : 15 jours ouvrés pour un préavis d'un mois, un mois pour un préavis de trois mois.",
    );
    let mut y = 95.0;
    for (key, lib, _) in CHAMPS {
        let h = if *key == "commentaires" || *key == "services" { 44.0 } else { 22.0 };
        p.rect(50.0, y, 235.0, h, Some(0.9));
        p.rect(285.0, y, 260.0, h, None);
        p.text(55.0, y + 14.0, 8.0, lib);
        if let Some(v) = valeurs.get(*key) {
            p.text(290.0, y + 14.0, 9.5, v);
        }
        y += h;
    }
    p.save(out)
}
